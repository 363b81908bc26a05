/* wire.c - bounded byte cursor (see wire.h). */

#include <string.h>

#include "dns/err.h"
#include "dns/wire.h"

void
wire_init_read(struct wbuf *w, const uint8_t *data, size_t len)
{
	/* The read cursor never writes; the cast only shares the struct. */
	w->base = (uint8_t *)(uintptr_t)data;
	w->cap = len;
	w->lim = len;
	w->pos = 0;
	w->err = 0;
}

void
wire_init_write(struct wbuf *w, uint8_t *mem, size_t cap, size_t lim)
{
	w->base = mem;
	w->cap = cap;
	w->lim = lim < cap ? lim : cap;
	w->pos = 0;
	w->err = 0;
}

static bool
can_get(struct wbuf *w, size_t n)
{
	if (w->err != 0)
		return false;
	if (w->pos > w->lim || w->lim - w->pos < n) {
		w->err = -E_SHORT;
		return false;
	}
	return true;
}

static bool
can_put(struct wbuf *w, size_t n)
{
	if (w->err != 0)
		return false;
	if (w->pos > w->lim || w->lim - w->pos < n) {
		w->err = -E_SPACE;
		return false;
	}
	return true;
}

uint16_t
wire_get_u16(struct wbuf *w)
{
	uint16_t v;

	if (!can_get(w, 2))
		return 0;
	v = (uint16_t)((unsigned)w->base[w->pos] << 8 | w->base[w->pos + 1]);
	w->pos += 2;
	return v;
}

uint32_t
wire_get_u32(struct wbuf *w)
{
	uint32_t v;

	if (!can_get(w, 4))
		return 0;
	v = (uint32_t)w->base[w->pos] << 24 | (uint32_t)w->base[w->pos + 1] << 16 |
	    (uint32_t)w->base[w->pos + 2] << 8 | (uint32_t)w->base[w->pos + 3];
	w->pos += 4;
	return v;
}

void
wire_skip(struct wbuf *w, size_t n)
{
	if (can_get(w, n))
		w->pos += n;
}

uint8_t
wire_peek_at(struct wbuf *w, size_t off)
{
	if (w->err != 0)
		return 0;
	if (off >= w->lim) {
		w->err = -E_SHORT;
		return 0;
	}
	return w->base[off];
}

void
wire_put_u8(struct wbuf *w, uint8_t v)
{
	if (can_put(w, 1))
		w->base[w->pos++] = v;
}

void
wire_put_u16(struct wbuf *w, uint16_t v)
{
	if (!can_put(w, 2))
		return;
	w->base[w->pos] = (uint8_t)(v >> 8);
	w->base[w->pos + 1] = (uint8_t)(v & 0xff);
	w->pos += 2;
}

void
wire_put_u32(struct wbuf *w, uint32_t v)
{
	if (!can_put(w, 4))
		return;
	w->base[w->pos] = (uint8_t)(v >> 24);
	w->base[w->pos + 1] = (uint8_t)(v >> 16 & 0xff);
	w->base[w->pos + 2] = (uint8_t)(v >> 8 & 0xff);
	w->base[w->pos + 3] = (uint8_t)(v & 0xff);
	w->pos += 4;
}

void
wire_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (n == 0 || !can_put(w, n))
		return;
	memcpy(w->base + w->pos, src, n);
	w->pos += n;
}

void
wire_put_u16_at(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->err != 0)
		return;
	if (off > w->pos || w->pos - off < 2) {
		w->err = -E_SPACE;
		return;
	}
	w->base[off] = (uint8_t)(v >> 8);
	w->base[off + 1] = (uint8_t)(v & 0xff);
}

uint16_t
wire_get_u16_at(struct wbuf *w, size_t off)
{
	if (w->err != 0)
		return 0;
	if (off >= w->lim || w->lim - off < 2) {
		w->err = -E_SHORT;
		return 0;
	}
	return (uint16_t)((unsigned)w->base[off] << 8 | w->base[off + 1]);
}

void
wire_rewind(struct wbuf *w, size_t mark)
{
	if (mark <= w->pos)
		w->pos = mark;
	w->err = 0;
}
