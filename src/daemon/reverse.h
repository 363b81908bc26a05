/* reverse.h - the reverse zones of `reverseZones`: the PTRs the generator
 * reports (mesos/generate.h, gen_ptr_fn) kept as a counted set, so that
 * a patched generation's changes follow it, and written as one static
 * zone (szone.h) per reverse zone at each publish, with an SOA and NS
 * made like the Mesos zone's. */
#ifndef TASKDNS_DAEMON_REVERSE_H
#define TASKDNS_DAEMON_REVERSE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "dns/dname.h"
#include "util/ipaddr.h"
#include "zone/szone.h"

struct rptrs;

struct rptrs *rptrs_new(void);
void rptrs_free(struct rptrs *r);
/* The generator's gen_ptr_fn (arg: the set). */
void rptrs_cb(void *arg, const struct ipaddr *ip, const struct dname *name,
    int sign, bool task);
/* The zones cfg's reverseZones name, from the set, serial given: how
 * many, written to *out (malloc'd; each zone one reference). */
unsigned rptrs_zones(struct rptrs *r, const struct config *cfg,
    uint32_t serial, struct szone ***out);

#endif
