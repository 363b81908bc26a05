/* cookie.h - DNS cookies (RFC 7873), server cookies as RFC 9018 has them:
 * version 1, three reserved octets, the time (seconds), and the first 8
 * octets of SipHash-2-4 (libsodium's) of client cookie | version |
 * reserved | time | client address, keyed with cookieSecret.  Replicas
 * behind one address that share the secret accept each other's cookies.
 * A server cookie is good from an hour before (its time) to five minutes
 * ahead of our clock (RFC 9018 4.3); we make a new one with every answer.
 */
#ifndef TASKDNS_COOKIE_H
#define TASKDNS_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_SECRET_LEN 16

enum cookie_state {
	COOKIE_NONE,		/* the query had none */
	COOKIE_CLIENT,		/* a client cookie alone */
	COOKIE_GOOD,		/* and a server cookie of ours, in its time */
	COOKIE_BAD,		/* a server cookie that is not (or no longer) */
};

/* Initialise libsodium (once, before the workers start): 0 or -1. */
int cookie_init(void);
/* The state of cookie (len octets, 8 or 16 to 40) from peer at now. */
enum cookie_state cookie_check(const uint8_t secret[COOKIE_SECRET_LEN],
    const uint8_t *cookie, size_t len, const struct sockaddr *peer,
    uint32_t now);
/* The COOKIE option for an answer (MSG_COOKIE_OPT octets into opt): the
 * client's cookie and a new server cookie. */
void cookie_option(const uint8_t secret[COOKIE_SECRET_LEN],
    const uint8_t client[8], const struct sockaddr *peer, uint32_t now,
    uint8_t *opt);
/* A random secret. */
void cookie_random_secret(uint8_t secret[COOKIE_SECRET_LEN]);

#endif
