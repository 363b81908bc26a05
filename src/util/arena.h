/* arena.h - chunked bump allocator.
 *
 * A generation of records, or one parsed Mesos state, allocates everything
 * from one arena and is freed in one call.  Memory never moves, so pointers
 * into it stay valid until arena_free().  A mark taken with arena_mark() can
 * be rolled back to, releasing everything allocated since.
 * Out of memory aborts (x* allocators, STYLE.md 4).
 */
#ifndef TASKDNS_ARENA_H
#define TASKDNS_ARENA_H

#include <stddef.h>

struct arena;
struct arena_mark {
	void *chunk;
	size_t used;
};

/* New arena allocating chunks of at least chunk bytes. */
struct arena *arena_new(size_t chunk);
/* Free every chunk.  NULL is a no-op. */
void arena_free(struct arena *a);
/* n bytes aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* Zeroed n bytes. */
void *arena_calloc(struct arena *a, size_t n);
/* Copy of n bytes plus a NUL, unaligned (strings pack tight). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Copy of n bytes, aligned for any type. */
void *arena_memdup(struct arena *a, const void *s, size_t n);
/* Copy of n bytes, unaligned: names and rdata, read bytewise. */
void *arena_bytes(struct arena *a, const void *s, size_t n);
/* Bytes of chunks the arena holds. */
size_t arena_size(const struct arena *a);
struct arena_mark arena_mark(const struct arena *a);
/* Release everything allocated since the mark. */
void arena_reset(struct arena *a, struct arena_mark m);

/* malloc family that aborts on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
