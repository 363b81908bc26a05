/* tsig.h - TSIG (RFC 8945): signed queries checked, their answers signed,
 * and requests (NOTIFY) signed.  The HMACs are libdnssec's (Knot DNS);
 * this module reads and writes the TSIG record around them.
 *
 * A query's TSIG must be the last record of additional, name a key we
 * hold with its algorithm, carry the MAC of the message and be signed
 * within its fudge of our clock.  Otherwise the answer is NOTAUTH with a
 * TSIG error (RFC 8945 5.2): BADKEY and BADSIG unsigned, BADTIME signed
 * with our time in Other Data.  A good query is cut to what it was
 * before it was signed, and its answer, every message of it for a zone
 * transfer, signed in turn: each MAC covers the one before (5.3.1).
 */
#ifndef TASKDNS_TSIG_H
#define TASKDNS_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"

#define TSIG_MAC_MAX 64		/* hmac-sha512 */
#define TSIG_SECRET_MAX 256
#define TSIG_FUDGE 300
/* Octets a TSIG record of ours can take: the names, the fixed fields, a
 * MAC and six octets of Other Data. */
#define TSIG_RR_MAX (2 * DNAME_MAX + 10 + 16 + TSIG_MAC_MAX + 6)

struct tsig_key {
	struct dname name;	/* lower case */
	struct dname alg;	/* the algorithm's name, lower case */
	int algorithm;		/* dnssec_tsig_algorithm_t */
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secret_len;
};

struct tsig_keys {
	struct tsig_key *v;
	size_t n;
};

/* What signing an answer needs of the query, and of the message before. */
struct tsig_ctx {
	const struct tsig_key *key;
	uint8_t mac[TSIG_MAC_MAX];	/* the query's, then our last one's */
	size_t mac_len;
	uint16_t orig_id;
	uint16_t error;		/* TSIG_BADKEY... when the check failed */
	struct dname name;	/* then the key the query named */
	uint64_t time;		/* the query's Time Signed (BADTIME) */
	unsigned signed_msgs;
};

enum tsig_result {
	TSIG_NONE,	/* unsigned */
	TSIG_OK,	/* signed by a key we hold: the answer is signed */
	TSIG_FAIL,	/* answered with an error (out) */
};

/* Initialise libdnssec's crypto (once, before the workers start). */
void tsig_init(void);
/* A key from its name, algorithm name ("hmac-sha256") and secret
 * (base64): 0, or -1 with the reason in err. */
int tsig_key_make(struct tsig_key *k, const char *name, const char *alg,
    const char *secret_b64, char *err, size_t errlen);

/* Check query pkt (len octets; the caller's buffer, changed in place) at
 * wall time now.  TSIG_OK: *qlen is the query without its TSIG, ctx set
 * for tsig_sign.  TSIG_FAIL: out (cap octets, lim at most) holds the
 * error answer, *olen its length. */
enum tsig_result tsig_check(const struct tsig_keys *keys, uint8_t *pkt,
    size_t len, size_t *qlen, struct tsig_ctx *ctx, uint64_t now,
    uint8_t *out, size_t cap, size_t lim, size_t *olen);
/* Sign message msg (len octets, room for cap) as the next answer of ctx:
 * the new length, or 0 when the TSIG does not fit. */
size_t tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t len, size_t cap,
    uint64_t now);
/* tsig_sign within lim octets: when the signed answer would not fit,
 * the answer is cut to its header and question, with TC, and signed
 * (RFC 8945 5.3).  The new length, or 0. */
size_t tsig_sign_within(struct tsig_ctx *ctx, uint8_t *msg, size_t len,
    size_t lim, uint64_t now);
/* Sign a request of ours (a NOTIFY) with key: the new length, or 0. */
size_t tsig_sign_request(const struct tsig_key *key, uint8_t *msg,
    size_t len, size_t cap, uint64_t now);

#endif
