/* sanswer.h - answers from a static zone (szone.h), RFC 1034 4.3.2 as NSD
 * gives them: exact matches; a CNAME, chased inside the zone with the
 * chain in the answer (RFC 6604: the RCODE is the last name's);
 * delegations below the apex as referrals (NS in authority, glue in
 * additional, AA clear; DS at the cut answered from this side);
 * wildcards (RFC 4592: from the source of synthesis below the closest
 * encloser, empty non-terminals blocking); NODATA and NXDOMAIN with the
 * SOA in authority; A and AAAA in additional for NS, MX and SRV targets
 * in the zone; ANY.  Pure: no I/O, no allocation. */
#ifndef TASKDNS_SANSWER_H
#define TASKDNS_SANSWER_H

#include <stdbool.h>

#include "dns/message.h"
#include "zone/szone.h"

enum {
	/* The name is the apex of a zone below z (a DS query answered
	 * here): it exists, whatever z holds. */
	SANSWER_CHILD_APEX = 1,
	/* z adds records to the generated Mesos zone of the same apex: a
	 * CNAME target z does not hold is the generated zone's (next), and
	 * z's apex NS are not served. */
	SANSWER_OVERLAY = 2,
};

/* The sections of the answer to q (whose name, lower-cased, is lower and
 * is in z) into b, begun as NOERROR with AA.  set_tc: an answer that does
 * not fit sets TC.  flags: SANSWER_*. */
void sanswer(struct msg_builder *b, const struct szone *z,
    const struct msg_query *q, const struct dname *lower, bool set_tc,
    unsigned flags, struct dname *next);
/* Whether z answers q's name itself (SANSWER_OVERLAY's question): a
 * delegation above it, its own rrset of the type, a CNAME, or a wildcard
 * where it has no node; never the apex's SOA and NS. */
bool sanswer_has(const struct szone *z, const struct msg_query *q,
    const struct dname *lower);
/* next: the target of a CNAME that leaves z, for another of our zones to
 * answer (len 0: the answer is whole).  sanswer_chain goes on with it in
 * zone z: the same, owner name, no NS added in authority. */
void sanswer_chain(struct msg_builder *b, const struct szone *z,
    const struct msg_query *q, const struct dname *name, bool set_tc,
    struct dname *next);

#endif
