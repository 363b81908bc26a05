/* metrics.h - the Prometheus text of /metrics: one table of every metric
 * (name, type, help, labels, where its value comes from), so a new metric
 * is one row in metrics.c.  A worker's counters are an array indexed by
 * enum server_counter (net/server.h) and a forwarder's by enum
 * fwd_counter (net/forward.h): server_stats() sums the arrays slot by
 * slot, and a row names its slot, so a new counter is an enum entry, its
 * increment and its row. */
#ifndef TASKDNS_METRICS_H
#define TASKDNS_METRICS_H

#include <time.h>

#include "daemon/api.h"
#include "net/server.h"

struct evbuffer;

/* Append every metric to b: the workers' sums s, the daemon's state st,
 * the wall clock now (for ages). */
void metrics_write(struct evbuffer *b, const struct server_stats *s,
    const struct api_state *st, time_t now);

#endif
