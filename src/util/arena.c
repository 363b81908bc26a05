/* arena.c - chunked bump allocator (see arena.h). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ALIGN 16u

struct chunk {
	struct chunk *prev;
	size_t size, used;
	_Alignas(16) unsigned char mem[];
};

struct arena {
	struct chunk *cur;
	size_t chunk;
	size_t total;
};

static void
oom(size_t n)
{
	fprintf(stderr, "taskdns: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		oom(n * sz);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n + 1);
	return p;
}

struct arena *
arena_new(size_t chunk)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->chunk = chunk < 4096 ? 4096 : chunk;
	return a;
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *p;

	if (a == NULL)
		return;
	for (c = a->cur; c != NULL; c = p) {
		p = c->prev;
		free(c);
	}
	free(a);
}

static void
grow(struct arena *a, size_t n)
{
	size_t size = n > a->chunk ? n : a->chunk;
	struct chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		oom(n);
	c = xmalloc(sizeof(*c) + size);
	c->prev = a->cur;
	c->size = size;
	c->used = 0;
	a->cur = c;
	a->total += size;
	/* Chunks grow with the arena so a large table needs few of them. */
	if (a->chunk < (64u << 20) && a->total > a->chunk * 4)
		a->chunk *= 2;
}

/* n bytes at the given alignment (a power of two, at most ALIGN). */
static void *
take(struct arena *a, size_t n, size_t align)
{
	struct chunk *c = a->cur;
	size_t off;

	if (n > SIZE_MAX - ALIGN)
		oom(n);
	off = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c == NULL || off > c->size || c->size - off < n) {
		grow(a, n);
		c = a->cur;
		off = 0;
	}
	c->used = off + n;
	return c->mem + off;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	return take(a, n, ALIGN);
}

void *
arena_calloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
arena_bytes(struct arena *a, const void *s, size_t n)
{
	void *p = take(a, n, 1);

	if (n > 0)
		memcpy(p, s, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *s, size_t n)
{
	void *p = arena_alloc(a, n);

	if (n > 0)
		memcpy(p, s, n);
	return p;
}

size_t
arena_size(const struct arena *a)
{
	return a != NULL ? a->total : 0;
}

struct arena_mark
arena_mark(const struct arena *a)
{
	struct arena_mark m = { a->cur, a->cur ? a->cur->used : 0 };

	return m;
}

void
arena_reset(struct arena *a, struct arena_mark m)
{
	while (a->cur != NULL && (void *)a->cur != m.chunk) {
		struct chunk *p = a->cur->prev;

		a->total -= a->cur->size;
		free(a->cur);
		a->cur = p;
	}
	if (a->cur != NULL)
		a->cur->used = m.used;
}
