/* xfrout.h - a zone as the messages of an outgoing zone transfer (AXFR,
 * RFC 5936; and IXFR answered AXFR-style, RFC 1995 4).
 *
 * The records are read from the zone one message at a time, from where
 * the last message stopped, so a transfer of any size never holds more
 * than one message beside the zone (a counted reference the caller keeps
 * for the transfer's life).  The first message carries the question; the
 * first and last record are the apex SOA; names are compressed within a
 * message only.  The Mesos zone (a table) goes as its SOA, its apex NS,
 * then every record in shard order; a static zone (an szone) as its SOA,
 * then its records in file order.  An incremental transfer (IXFR, RFC
 * 1995 4) goes as the SOA, the old SOA, the records deleted, the SOA,
 * the records added, and the SOA again: one step, condensed (journal.h).
 * Pure: no I/O.
 */
#ifndef TASKDNS_XFROUT_H
#define TASKDNS_XFROUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"
#include "zone/journal.h"
#include "zone/szone.h"
#include "zone/table.h"

/* A message grows to about this size before the next one starts: as
 * NSD's, small enough to send while the next is written. */
#define XFROUT_MSG_TARGET 16384

struct xfrout {
	const struct table *t;	/* the zone: t, or z */
	const struct szone *z;
	struct msg_query q;
	unsigned phase;
	uint32_t k, i, j;	/* table: shard, node, record; szone: node,
				 * rrset, record */
	uint32_t msgs, records;	/* written so far */
	const struct jdiff *d;	/* an IXFR's changes; NULL: the zone */
	size_t pos;		/* into d's run being written */
};

/* A transfer of t (or of z when t is NULL) answering q. */
void xfrout_init(struct xfrout *x, const struct table *t,
    const struct szone *z, const struct msg_query *q);
/* An incremental transfer of table t (or of z when t is NULL) answering
 * q: the changes d (which the caller holds for the transfer's life, as
 * the zone). */
void xfrout_init_ixfr(struct xfrout *x, const struct table *t,
    const struct szone *z, const struct jdiff *d, const struct msg_query *q);
/* The whole transfer as one message of at most lim octets (an IXFR over
 * UDP): its length, or 0 when it takes more. */
size_t xfrout_one(struct xfrout *x, uint8_t *buf, size_t lim);
/* The next message into buf (MSG_MAX octets): its length, or 0 once the
 * last has been written. */
size_t xfrout_next(struct xfrout *x, uint8_t *buf);
/* The zone's serial. */
uint32_t xfrout_serial(const struct xfrout *x);
/* One message: the answer to q holding the apex SOA alone (an IXFR from
 * the current serial, or over UDP, RFC 1995 2, 4); its length. */
size_t xfrout_soa_only(const struct table *t, const struct szone *z,
    const struct msg_query *q, uint8_t *buf, size_t lim);

/* A NOTIFY request for the zone (RFC 1996 3.7: its SOA in answer), id 0;
 * its length. */
size_t xfrout_notify(const struct table *t, const struct szone *z,
    uint8_t *buf, size_t lim);
/* The serial of the SOA an IXFR query (pkt, len octets, parsed into q)
 * carries in authority (RFC 1995 3): 0, or -E_FORMAT when it has none
 * that names the queried zone. */
int xfrout_ixfr_serial(const uint8_t *pkt, size_t len,
    const struct msg_query *q, uint32_t *serial);

#endif
