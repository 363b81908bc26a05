/* dname.c - domain names (see dname.h). */

#include <stdio.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"

#define MAX_POINTERS 128

bool
dname_bytes_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dname_fold(a[i]) != dname_fold(b[i]))
			return false;
	return true;
}

int
dname_parse(struct wbuf *w, struct dname *out)
{
	size_t pos = w->pos, end = 0, lowest;
	unsigned jumps = 0;
	bool jumped = false;

	if (w->err != 0)
		return w->err;
	lowest = pos;
	out->len = 0;
	for (;;) {
		uint8_t c = wire_peek_at(w, pos);

		if (w->err != 0)
			return w->err;
		if ((c & 0xC0) == 0xC0) {
			uint8_t lo = wire_peek_at(w, pos + 1);
			size_t target;

			if (w->err != 0)
				return w->err;
			target = (size_t)(c & 0x3F) << 8 | lo;
			/* RFC 1035 4.1.4: a pointer to a prior occurrence;
			 * insisting on strictly backwards stops every loop. */
			if (target >= lowest || ++jumps > MAX_POINTERS)
				return -E_LOOP;
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			lowest = target;
			pos = target;
			continue;
		}
		if ((c & 0xC0) != 0)
			return -E_FORMAT;
		if (c == 0) {
			if (out->len + 1 > DNAME_MAX)
				return -E_TOOLONG;
			out->data[out->len++] = 0;
			pos++;
			break;
		}
		if ((size_t)out->len + 1 + c + 1 > DNAME_MAX)
			return -E_TOOLONG;
		if (pos + 1 + c > w->lim)
			return -E_SHORT;
		out->data[out->len++] = c;
		memcpy(out->data + out->len, w->base + pos + 1, c);
		out->len = (uint8_t)(out->len + c);
		pos += 1 + (size_t)c;
	}
	w->pos = jumped ? end : pos;
	return 0;
}

int
dname_from_text(const char *text, size_t n, struct dname *out)
{
	size_t i = 0, len = 0;

	if (n > 0 && text[n - 1] == '.')
		n--;
	if (n == 0) {
		dname_root(out);
		return 0;
	}
	while (i <= n) {
		size_t start = i, llen;

		while (i < n && text[i] != '.')
			i++;
		llen = i - start;
		if (llen == 0)
			return -E_FORMAT;
		if (llen > DNAME_LABEL_MAX)
			return -E_TOOLONG;
		if (len + 1 + llen + 1 > DNAME_MAX)
			return -E_TOOLONG;
		out->data[len++] = (uint8_t)llen;
		memcpy(out->data + len, text + start, llen);
		len += llen;
		i++;	/* past the dot, or past the end */
	}
	out->data[len++] = 0;
	out->len = (uint8_t)len;
	return 0;
}

static bool
is_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
dname_to_text(const struct dname *n, char *buf, size_t cap)
{
	size_t o = 0, i = 0;

	if (cap < 2)
		return -E_SPACE;
	if (n->len <= 1) {
		buf[0] = '.';
		buf[1] = '\0';
		return 1;
	}
	while (i < n->len && n->data[i] != 0) {
		uint8_t l = n->data[i++];

		for (uint8_t k = 0; k < l; k++, i++) {
			uint8_t c = n->data[i];

			if (is_plain(c)) {
				if (o + 1 >= cap)
					return -E_SPACE;
				buf[o++] = (char)c;
			} else {
				if (o + 4 >= cap)
					return -E_SPACE;
				snprintf(buf + o, cap - o, "\\%03u", c);
				o += 4;
			}
		}
		if (o + 1 >= cap)
			return -E_SPACE;
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return (int)o;
}

void
dname_lower(struct dname *n)
{
	for (size_t i = 0; i < n->len;) {
		uint8_t l = n->data[i++];

		for (uint8_t k = 0; k < l && i < n->len; k++, i++)
			n->data[i] = dname_fold(n->data[i]);
	}
}

static bool
equal_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dname_fold(a[i]) != dname_fold(b[i]))
			return false;
	return true;
}

bool
dname_equal(const struct dname *a, const struct dname *b)
{
	/* Length octets are below 64 and never letters, so folding them is
	 * harmless. */
	return a->len == b->len && equal_ci(a->data, b->data, a->len);
}

bool
dname_is_subdomain(const struct dname *n, const struct dname *zone)
{
	size_t i = 0;

	if (zone->len > n->len)
		return false;
	while (n->len - i > zone->len) {
		if (n->data[i] == 0)
			return false;
		i += 1 + (size_t)n->data[i];
	}
	return n->len - i == zone->len &&
	    equal_ci(n->data + i, zone->data, zone->len);
}

unsigned
dname_labels(const struct dname *n)
{
	unsigned c = 0;

	for (size_t i = 0; i < n->len && n->data[i] != 0; i += 1 + n->data[i])
		c++;
	return c;
}

size_t
dname_suffix_off(const struct dname *n, unsigned strip)
{
	size_t i = 0;

	while (strip-- > 0 && i < n->len && n->data[i] != 0)
		i += 1 + (size_t)n->data[i];
	return i;
}

/* Eight octets with 'A'..'Z' folded to lower case, all at once: a byte
 * is upper case when its low seven bits are at least 'A' and not above
 * 'Z' and its top bit is clear; 0x20 is then or'ed into it. */
static uint64_t
fold8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t low7 = x & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);

	return x | ((ge_a & ~gt_z & ~x & high) >> 2);
}

uint32_t
dname_hash(const uint8_t *data, size_t len)
{
	/* A word at a time: a multiply and a shift per eight octets, then
	 * a final mix so that the low bits (the index slot) depend on
	 * every octet. */
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, data + i, 8);
		h = (h ^ fold8(w)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, data + i, len - i);
		h = (h ^ fold8(w)) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

void
dname_root(struct dname *n)
{
	n->len = 1;
	n->data[0] = 0;
}

static char
label_map(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return c;
	if (c == '-' || c == '.' || c == '_')
		return '-';
	return 0;
}

size_t
dname_spec_label(const char *in, size_t n, bool rfc952, char *out)
{
	size_t maxlen = rfc952 ? 24 : DNAME_LABEL_MAX;
	size_t i = 0, o = 0, cut;

	/* Map, and strip the leading cut set, in one pass. */
	for (; i < n; i++) {
		char c = label_map(in[i]);

		if (c == 0)
			continue;
		if (c == '-' || (rfc952 && c >= '0' && c <= '9'))
			continue;
		break;
	}
	/* Fill up to maxlen. */
	for (; i < n && o < maxlen; i++) {
		char c = label_map(in[i]);

		if (c != 0)
			out[o++] = c;
	}
	cut = o;
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o != cut) {
		/* Refill from what followed the cut, skipping its leading
		 * '-', up to the limit. */
		bool lead = true;

		for (; i < n && o < maxlen; i++) {
			char c = label_map(in[i]);

			if (c == 0 || (lead && c == '-'))
				continue;
			lead = false;
			out[o++] = c;
		}
		while (o > 0 && out[o - 1] == '-')
			o--;
	}
	out[o] = '\0';
	return o;
}

size_t
dname_frag(const char *in, size_t n, bool rfc952, char *out, size_t cap)
{
	size_t o = 0, i = 0;

	if (cap == 0)
		return 0;
	while (i <= n) {
		size_t start = i, l;
		char lab[DNAME_LABEL_MAX + 1];

		while (i < n && in[i] != '.')
			i++;
		l = dname_spec_label(in + start, i - start, rfc952, lab);
		i++;
		if (l == 0)
			continue;
		if (o + (o > 0) + l >= cap)
			break;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, lab, l);
		o += l;
	}
	out[o] = '\0';
	return o;
}
