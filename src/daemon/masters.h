/* masters.h - which masters to ask, in order, and how long to wait after
 * a round of them failed: what the poller and the event stream share.
 *
 * A round asks the leader ZooKeeper names first, then the masters of the
 * config in their order, each once. */
#ifndef TASKDNS_MASTERS_H
#define TASKDNS_MASTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"

struct masters {
	char *leader;		/* ZooKeeper's, asked first; or NULL */
	char **v;		/* "host:port" */
	size_t n, idx;		/* idx: the one being asked */
	uint32_t rng;		/* for the jitter */
};

/* ZooKeeper's leader (NULL: none).  True when it is a new leader, to be
 * asked at once. */
bool masters_set_leader(struct masters *m, const char *hostport);
/* A new round: the leader, then list.  Returns how many. */
size_t masters_round(struct masters *m, const struct config_strlist *list);
/* The master being asked, or NULL when the round is over. */
const char *masters_current(const struct masters *m);
/* On to the next; NULL when none is left. */
const char *masters_next(struct masters *m);
/* http(s)://MASTER/path of the current master into buf. */
void masters_url(const struct masters *m, const struct config *c,
    const char *path, char *buf, size_t len);
/* The round ends (the leader stays). */
void masters_clear(struct masters *m);
/* Everything, the leader too. */
void masters_free(struct masters *m);

/* The wait after failures failed rounds: first, doubled each time, at
 * most cap, then between half and all of it (so the copies beside each
 * master do not ask in step). */
double masters_backoff(struct masters *m, unsigned failures, double first,
    double cap);

#endif
