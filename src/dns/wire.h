/* wire.h - bounded byte cursor with a sticky error, for reading and writing
 * DNS messages.
 *
 * Every access checks bounds.  The first failure records -E_SHORT (read) or
 * -E_SPACE (write) in err; after that reads return 0 and writes do nothing,
 * so a caller reads or writes a group of fields and checks wire_err() once.
 * The cursor never allocates: base and cap belong to the caller.
 */
#ifndef TASKDNS_WIRE_H
#define TASKDNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *base;	/* memory, owned by the caller */
	size_t cap;	/* size of base */
	size_t lim;	/* decode: bytes received; encode: this reply's maximum */
	size_t pos;	/* cursor */
	int err;	/* 0 or the first error, sticky */
};

/* Cursor over len received bytes, for reading.  Borrows data. */
void wire_init_read(struct wbuf *w, const uint8_t *data, size_t len);
/* Cursor over cap bytes of memory, for writing up to lim (<= cap). */
void wire_init_write(struct wbuf *w, uint8_t *mem, size_t cap, size_t lim);

static inline int
wire_err(const struct wbuf *w)
{
	return w->err;
}

uint16_t wire_get_u16(struct wbuf *w);
uint32_t wire_get_u32(struct wbuf *w);
void wire_skip(struct wbuf *w, size_t n);
/* Byte at an absolute offset without moving; 0 and sticky error past lim. */
uint8_t wire_peek_at(struct wbuf *w, size_t off);

void wire_put_u8(struct wbuf *w, uint8_t v);
void wire_put_u16(struct wbuf *w, uint16_t v);
void wire_put_u32(struct wbuf *w, uint32_t v);
void wire_put_bytes(struct wbuf *w, const void *src, size_t n);
/* Back-patch a 16-bit value at an offset already written. */
void wire_put_u16_at(struct wbuf *w, size_t off, uint16_t v);
uint16_t wire_get_u16_at(struct wbuf *w, size_t off);

/* Mark and rewind: wrap a record so an overflow can be undone whole. */
static inline size_t
wire_mark(const struct wbuf *w)
{
	return w->pos;
}

/* Return to a mark and clear the error. */
void wire_rewind(struct wbuf *w, size_t mark);

#endif
