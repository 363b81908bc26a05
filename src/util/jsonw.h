/* jsonw.h - a small streaming JSON writer.
 *
 * Every JSON document taskdns writes goes through this: the bounded
 * /v1 replies, the streamed /v1/axfr and /v1/enumerate, and /v1/config.
 * The writer keeps the commas and the nesting; the caller says what
 * comes next.  It holds no output itself: each piece goes to put(), so
 * a stream can be written across several chunks, changing ctx between
 * them.  Strings are escaped as RFC 8259 asks: '"' and '\\' with a
 * backslash, control characters as \u00XX; other bytes pass through. */
#ifndef TASKDNS_JSONW_H
#define TASKDNS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void jsonw_put_fn(void *ctx, const char *p, size_t n);

#define JSONW_DEPTH_MAX 64

struct jsonw {
	jsonw_put_fn *put;
	void *ctx;
	unsigned depth;
	uint64_t items;		/* bit d: level d has a member already */
	bool after_key;		/* a key was written; its value comes next */
};

void jsonw_init(struct jsonw *w, jsonw_put_fn *put, void *ctx);

/* Containers.  Nesting deeper than JSONW_DEPTH_MAX is a programming
 * error: the brackets still match, the commas there do not. */
void jsonw_object(struct jsonw *w);
void jsonw_array(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);

/* An object's member name; its value is the next call. */
void jsonw_key(struct jsonw *w, const char *key);

void jsonw_string(struct jsonw *w, const char *s);
void jsonw_stringn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/* key and value in one call. */
void jsonw_kstring(struct jsonw *w, const char *key, const char *s);
void jsonw_kint(struct jsonw *w, const char *key, long long v);

#endif
