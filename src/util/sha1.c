/* sha1.c - SHA-1 as specified in FIPS 180-4 section 6.1. */

#include <string.h>

#include "util/sha1.h"

static inline uint32_t
rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

/* The message schedule is kept as sixteen words, word t replacing word
 * t - 16 (FIPS 180-4 6.1.2 step 1 with the 80 words folded), and the
 * rounds are unrolled with the five variables renamed instead of moved,
 * so that the compiler keeps everything in registers. */
#define SCHED(t)							\
	(w[(t) & 15] = rol(w[((t) + 13) & 15] ^ w[((t) + 8) & 15] ^	\
	    w[((t) + 2) & 15] ^ w[(t) & 15], 1))
#define F1(b, c, d) (((b) & (c)) | (~(b) & (d)))
#define F2(b, c, d) ((b) ^ (c) ^ (d))
#define F3(b, c, d) (((b) & (c)) | ((b) & (d)) | ((c) & (d)))
#define STEP(f, k, x, a, b, c, d, e)					\
	do {								\
		(e) += rol((a), 5) + f((b), (c), (d)) + (k) + (x);	\
		(b) = rol((b), 30);					\
	} while (0)
/* Five steps, the variables turning one place each step. */
#define FIVE(f, k, x0, x1, x2, x3, x4)					\
	do {								\
		STEP(f, k, x0, a, b, c, d, e);				\
		STEP(f, k, x1, e, a, b, c, d);				\
		STEP(f, k, x2, d, e, a, b, c);				\
		STEP(f, k, x3, c, d, e, a, b);				\
		STEP(f, k, x4, b, c, d, e, a);				\
	} while (0)
#define K1 0x5A827999u
#define K2 0x6ED9EBA1u
#define K3 0x8F1BBCDCu
#define K4 0xCA62C1D6u

static void
block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	FIVE(F1, K1, w[0], w[1], w[2], w[3], w[4]);
	FIVE(F1, K1, w[5], w[6], w[7], w[8], w[9]);
	FIVE(F1, K1, w[10], w[11], w[12], w[13], w[14]);
	FIVE(F1, K1, w[15], SCHED(16), SCHED(17), SCHED(18), SCHED(19));
	for (int t = 20; t < 40; t += 5)
		FIVE(F2, K2, SCHED(t), SCHED(t + 1), SCHED(t + 2),
		    SCHED(t + 3), SCHED(t + 4));
	for (int t = 40; t < 60; t += 5)
		FIVE(F3, K3, SCHED(t), SCHED(t + 1), SCHED(t + 2),
		    SCHED(t + 3), SCHED(t + 4));
	for (int t = 60; t < 80; t += 5)
		FIVE(F2, K4, SCHED(t), SCHED(t + 1), SCHED(t + 2),
		    SCHED(t + 3), SCHED(t + 4));
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
