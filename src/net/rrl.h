/* rrl.h - response rate limiting (rateLimit): UDP answers to one client
 * prefix (/24 and /56 by default) of one response class held to
 * responsesPerSecond, as NSD and Knot do, so a forged source address
 * cannot turn taskdns into an amplifier.
 *
 * A response's class is what it says: a name's answer or NODATA (by the
 * name), NXDOMAIN and referrals (by the zone), errors (one class).  Over
 * the rate a response is dropped, and every slip-th one goes out
 * truncated (TC, no records: a real client retries over TCP, which is
 * never limited).
 *
 * One table for all the workers, no lock: a slot is one 64-bit word,
 * (tag, second, count), moved by compare-and-swap.  A class's responses
 * in a second are counted wherever they are answered, so a flood spread
 * over every worker is held to the rate all the same; the bound is
 * responsesPerSecond a class a second, and at most twice that across the
 * turn of a second (the count starts again each second).  Two classes
 * in one slot share it: the later resets the count (a slot per class is
 * what 65536 slots give a busy server; an attacker cannot aim at a slot,
 * the hash is keyed at start).
 */
#ifndef TASKDNS_RRL_H
#define TASKDNS_RRL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/acl.h"

#define RRL_SLOTS 65536
#define RRL_SEEN 8	/* prefixes named in one log line at most */

enum rrl_class {
	RRL_ANSWER,	/* a name's records, or NODATA: by the name */
	RRL_NXDOMAIN,	/* by the zone */
	RRL_REFERRAL,	/* by the zone */
	RRL_ERROR,	/* REFUSED, SERVFAIL, FORMERR...: one class */
};

enum rrl_verdict { RRL_PASS, RRL_DROP, RRL_SLIP };

struct rrl_opts {
	unsigned rate;		/* 0: off */
	unsigned slip;
	unsigned v4_prefix, v6_prefix;
	const struct acl *exempt;	/* NULL: none */
};

struct rrl {
	uint64_t key[2];		/* the hash's key, random at start */
	_Atomic uint64_t slot[RRL_SLOTS];
	_Atomic uint64_t limited;	/* responses limited, all time */
	_Atomic uint32_t logged_minute;	/* the last minute logged */
	_Atomic uint64_t limited_logged;	/* limited as of that log */
	/* Prefixes limited since the last log line (0: free): an IPv4 one
	 * as its address | 1 << 32, an IPv6 one as its first 8 octets. */
	_Atomic uint64_t seen4[RRL_SEEN], seen6[RRL_SEEN];
};

struct rrl *rrl_new(void);
void rrl_free(struct rrl *r);
/* What to do with a UDP response of class cls about name (wire form, any
 * case; NULL for errors) to peer at second now. */
enum rrl_verdict rrl_check(struct rrl *r, const struct rrl_opts *o,
    const struct sockaddr *peer, enum rrl_class cls, const uint8_t *name,
    size_t name_len, uint32_t now);
/* The class of response msg (len octets) and the name it is counted by:
 * the question's, or the zone's (apex; NULL: the question's). */
enum rrl_class rrl_classify(const uint8_t *msg, size_t len,
    const uint8_t **name, size_t *name_len, const uint8_t *apex,
    size_t apex_len);
/* Once a minute at most: true when the caller is to log the prefixes
 * limited (rrl_prefixes), *n the responses limited since the last such
 * line. */
bool rrl_should_log(struct rrl *r, uint32_t now, uint64_t *n);
/* The prefixes limited since the last call, as text ("192.0.2.0/24,
 * 2001:db8::/56"; RRL_SEEN at most), into buf; they are forgotten. */
void rrl_prefixes(struct rrl *r, const struct rrl_opts *o, char *buf,
    size_t len);

#endif
