/* cookie.c - DNS cookies on libsodium's SipHash-2-4 (see cookie.h). */
#include <netinet/in.h>
#include <string.h>

#include <sodium.h>

#include "dns/message.h"
#include "net/cookie.h"

#define LIFETIME 3600		/* RFC 9018 4.3: an hour back */
#define AHEAD 300		/* and five minutes ahead */

int
cookie_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
cookie_random_secret(uint8_t secret[COOKIE_SECRET_LEN])
{
	randombytes_buf(secret, COOKIE_SECRET_LEN);
}

/* The 8 octets of hash for client cookie, the 8 octets of version,
 * reserved and time, and peer's address. */
static void
hash_of(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[8],
    const uint8_t head[8], const struct sockaddr *peer, uint8_t out[8])
{
	uint8_t in[8 + 8 + 16];
	size_t n = 16;

	memcpy(in, client, 8);
	memcpy(in + 8, head, 8);
	if (peer->sa_family == AF_INET) {
		memcpy(in + 16, &((const struct sockaddr_in *)(const void *)
		    peer)->sin_addr, 4);
		n += 4;
	} else {
		memcpy(in + 16, &((const struct sockaddr_in6 *)(const void *)
		    peer)->sin6_addr, 16);
		n += 16;
	}
	crypto_shorthash_siphash24(out, in, n, secret);
}

enum cookie_state
cookie_check(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t *cookie,
    size_t len, const struct sockaddr *peer, uint32_t now)
{
	uint8_t want[8];
	uint32_t t;

	if (len == 0)
		return COOKIE_NONE;
	if (len == 8)
		return COOKIE_CLIENT;
	/* Ours are 16 octets, version 1 (RFC 9018 4.2). */
	if (len != 24 || cookie[8] != 1)
		return COOKIE_BAD;
	t = (uint32_t)cookie[12] << 24 | (uint32_t)cookie[13] << 16 |
	    (uint32_t)cookie[14] << 8 | cookie[15];
	/* Serial arithmetic on the time, as RFC 9018 4.3 asks. */
	if ((int32_t)(now - t) > LIFETIME || (int32_t)(t - now) > AHEAD)
		return COOKIE_BAD;
	hash_of(secret, cookie, cookie + 8, peer, want);
	return sodium_memcmp(want, cookie + 16, 8) == 0 ? COOKIE_GOOD :
	    COOKIE_BAD;
}

void
cookie_option(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[8],
    const struct sockaddr *peer, uint32_t now, uint8_t *opt)
{
	uint8_t *c = opt + 4;

	opt[0] = 0;
	opt[1] = EDNS_COOKIE;
	opt[2] = 0;
	opt[3] = 24;
	memcpy(c, client, 8);
	c[8] = 1;
	c[9] = c[10] = c[11] = 0;
	c[12] = (uint8_t)(now >> 24);
	c[13] = (uint8_t)(now >> 16);
	c[14] = (uint8_t)(now >> 8);
	c[15] = (uint8_t)now;
	hash_of(secret, client, c + 8, peer, c + 16);
}
