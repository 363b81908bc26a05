/* jsonw.c - the streaming JSON writer (see jsonw.h). */
#include <stdio.h>
#include <string.h>

#include "util/jsonw.h"

void
jsonw_init(struct jsonw *w, jsonw_put_fn *put, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->put = put;
	w->ctx = ctx;
}

static void
put(struct jsonw *w, const char *p, size_t n)
{
	w->put(w->ctx, p, n);
}

/* Before a value: the comma that separates it from the one before, at
 * this level, unless it is the value of a key just written. */
static void
value_start(struct jsonw *w)
{
	uint64_t bit = w->depth < JSONW_DEPTH_MAX ? UINT64_C(1) << w->depth : 0;

	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->items & bit)
		put(w, ",", 1);
	w->items |= bit;
}

static void
nest(struct jsonw *w, char c)
{
	value_start(w);
	put(w, &c, 1);
	w->depth++;
	if (w->depth < JSONW_DEPTH_MAX)
		w->items &= ~(UINT64_C(1) << w->depth);
}

static void
unnest(struct jsonw *w, char c)
{
	put(w, &c, 1);
	w->after_key = false;
	if (w->depth > 0)
		w->depth--;
}

void
jsonw_object(struct jsonw *w)
{
	nest(w, '{');
}

void
jsonw_array(struct jsonw *w)
{
	nest(w, '[');
}

void
jsonw_end_object(struct jsonw *w)
{
	unnest(w, '}');
}

void
jsonw_end_array(struct jsonw *w)
{
	unnest(w, ']');
}

static void
quoted(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	put(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		if (i > run)
			put(w, s + run, i - run);
		run = i + 1;
		if (c >= 0x20) {
			esc[1] = (char)c;
			put(w, esc, 2);
		} else {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
	}
	if (n > run)
		put(w, s + run, n - run);
	put(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	value_start(w);
	quoted(w, key, strlen(key));
	put(w, ":", 1);
	w->after_key = true;
}

void
jsonw_stringn(struct jsonw *w, const char *s, size_t n)
{
	value_start(w);
	quoted(w, s, n);
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	jsonw_stringn(w, s, strlen(s));
}

void
jsonw_int(struct jsonw *w, long long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	value_start(w);
	put(w, buf, (size_t)n);
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	value_start(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
	value_start(w);
	put(w, "null", 4);
}

void
jsonw_kstring(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void
jsonw_kint(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}
