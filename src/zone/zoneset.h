/* zoneset.h - the static zones served beside the Mesos zone, one
 * immutable set per publish: the zone files of `zones` now, the reverse
 * zones later.  The zone with the longest apex that contains a name
 * answers for it (ARCHITECTURE.md, "What a query does"). */
#ifndef TASKDNS_ZONESET_H
#define TASKDNS_ZONESET_H

#include <stdatomic.h>

#include "zone/szone.h"

struct zoneset {
	atomic_uint refs;
	unsigned n;
	struct szone **zones;	/* longest apex first */
};

/* A set of the n zones (a reference taken to each); one reference. */
struct zoneset *zoneset_new(struct szone *const *zones, unsigned n);
struct zoneset *zoneset_ref(struct zoneset *zs);
void zoneset_unref(struct zoneset *zs);

/* The zone with the longest apex containing the lower-case name, or
 * NULL (zs may be NULL).  For a DS at a zone's apex (qtype), the zone
 * above it when the set holds one: DS is the parent side's (RFC 4035
 * 3.1.4.1), as NSD answers it; *parent (may be NULL) is then set. */
const struct szone *zoneset_find(const struct zoneset *zs,
    const struct dname *lower, uint16_t qtype, bool *parent);

#endif
