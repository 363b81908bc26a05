/* mix.h - a 64-bit finalizer (MurmurHash3's fmix64): every input bit
 * moves about half the output bits.  For hash tables' slots and tags. */
#ifndef TASKDNS_MIX_H
#define TASKDNS_MIX_H

#include <stdint.h>

static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
