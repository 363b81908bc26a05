/* sha1.c - SHA-1 as specified in FIPS 180-4 section 6.1. */

#include <string.h>

#include "sha1.h"

static inline uint32_t
rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static void
block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	/* The four rounds of twenty, each its own loop: no branch on t. */
#define ROUND(F, K)							\
	do {								\
		uint32_t tmp = rol(a, 5) + (F) + e + (K) + w[t];	\
		e = d;							\
		d = c;							\
		c = rol(b, 30);						\
		b = a;							\
		a = tmp;						\
	} while (0)
	for (int t = 0; t < 20; t++)
		ROUND((b & c) | (~b & d), 0x5A827999u);
	for (int t = 20; t < 40; t++)
		ROUND(b ^ c ^ d, 0x6ED9EBA1u);
	for (int t = 40; t < 60; t++)
		ROUND((b & c) | (b & d) | (c & d), 0x8F1BBCDCu);
	for (int t = 60; t < 80; t++)
		ROUND(b ^ c ^ d, 0xCA62C1D6u);
#undef ROUND
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
sha1_digest(const void *data, size_t len, uint8_t out[SHA1_LEN])
{
	uint32_t h[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
		0xC3D2E1F0u };
	const uint8_t *p = data;
	uint8_t tail[128];
	size_t rest = len % 64, tl;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i + 64 <= len; i += 64)
		block(h, p + i);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + (len - rest), rest);
	tail[rest] = 0x80;
	tl = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
	block(h, tail);
	if (tl == 128)
		block(h, tail + 64);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}
