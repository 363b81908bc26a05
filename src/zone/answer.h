/* answer.h - a query and the current table -> the response bytes.
 *
 * Authoritative for the table's zone (RFC 1034 4.3.2, RFC 2308 negative
 * answers with the SOA in authority); names outside it get REFUSED until
 * forwarding decides otherwise (answer_query reports ANSWER_NOT_OURS so the
 * caller can forward).  Pure: no I/O, no clock, no allocation.
 */
#ifndef TASKDNS_ANSWER_H
#define TASKDNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"
#include "zone/table.h"
#include "zone/zoneset.h"

struct answer_cfg {
	bool recurse_on;	/* RA bit */
	bool set_truncate_bit;	/* false: never set TC */
	uint16_t edns_size;	/* the payload size we advertise */
	/* What the transport adds to an answer's OPT when asked (room is
	 * kept for it): a server cookie; an NSID of nsid_len octets. */
	bool cookies;
	uint8_t nsid_len;
};

enum answer_kind {
	ANSWER_DROP,		/* send nothing */
	ANSWER_SEND,		/* out holds the response */
	ANSWER_NOT_OURS,	/* out holds a REFUSED; may be forwarded */
	ANSWER_XFR,		/* AXFR or IXFR of our zone info->zone: out
				 * holds a REFUSED, *query the query */
};

struct answer_info {
	/* The apex of the zone that answered (authoritatively, a referral
	 * included); NULL when none did.  Borrowed from the table or zone
	 * set, for counting. */
	const struct dname *zone;
	uint16_t qtype;
	uint8_t rcode;
	bool truncated;
	bool edns;
	uint16_t lim;		/* the size the answer had to fit */
	uint16_t opt_at;	/* where the answer's OPT begins (0: none) */
	bool nsid;		/* the query asked for NSID */
	uint8_t cookie_len;	/* the query's COOKIE (0: none) */
	uint8_t cookie[40];
};

/* Answer the packet pkt (len bytes) from t and the static zones zs (NULL:
 * none; the longest apex containing the name answers, sanswer.h) into
 * out (cap bytes).  tcp
 * lifts the size limit to 65535; otherwise 512 or the client's EDNS size
 * (at most 65507, the largest UDP payload).
 * rnd varies the order of records (rotation).  *out_len is the response
 * length when the result is not ANSWER_DROP.  For ANSWER_NOT_OURS, *query
 * is the parsed query, for the caller to forward. */
enum answer_kind answer_query(const struct table *t,
    const struct zoneset *zs, const struct answer_cfg *cfg, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t cap, bool tcp, uint32_t rnd, size_t *out_len,
    struct answer_info *info, struct msg_query *query);

/* The Mesos zone's SOA (its TTL the smaller of the TTL and MINIMUM) and
 * apex NS, as answers carry them; 0 or -E_SPACE (undone). */
int answer_put_soa(struct msg_builder *b, const struct table *t,
    enum msg_section sec, const struct dname *owner);
/* The same SOA at another serial (an IXFR's older version). */
int answer_put_soa_at(struct msg_builder *b, const struct table *t,
    enum msg_section sec, const struct dname *owner, uint32_t serial);
int answer_put_ns(struct msg_builder *b, const struct table *t,
    const struct dname *owner);

#endif
