/* metrics.h - the Prometheus text of /metrics: one table of every metric
 * (name, type, help, labels, where its value comes from), so a new metric
 * is one row in metrics.c. */
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
