/* sources.h - where Mesos states come from: a state file (re-read when it
 * changes, every second), or the leading master's /master/state, the
 * leader found through ZooKeeper or the masters list.  Whatever the
 * source, what it delivers is one of three events: a state arrived, a
 * refresh failed, or the file is unchanged. */
#ifndef TASKDNS_SOURCES_H
#define TASKDNS_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "mesos/state.h"

struct event_base;
struct model;

struct sources_cbs {
	/* A state, taken over; from: where it came from; parse: seconds
	 * its parse took (< 0: not known apart from the fetch). */
	void (*state)(void *arg, struct cluster *cl, const char *from,
	    double parse);
	/* A refresh failed (already logged where it was found). */
	void (*failed)(void *arg, const char *why);
	/* The state file is as it was when last read. */
	void (*unchanged)(void *arg);
	/* The event stream's model changed (see stream.h). */
	void (*model)(void *arg, struct model *m, const char *leader,
	    const char *from);
};

struct sources;

/* Start the source cfg names (cfg is borrowed until sources_reload or
 * sources_free).  A state file is read before this returns (print: only
 * then, no watching).  NULL, logged, when it cannot start. */
struct sources *sources_new(struct event_base *base, const struct config *cfg,
    bool print, const struct sources_cbs *cbs, void *arg);
/* The same source under a reloaded cfg: the state fetched again now. */
void sources_reload(struct sources *s, const struct config *cfg);
/* Has ZooKeeper named no leader for zkDetectionTimeout? */
bool sources_zk_lost(const struct sources *s);
/* ZooKeeper's masters, leader first (for masterN); NULL when the source
 * is not ZooKeeper or it named none yet.  Borrowed until the next event. */
char *const *sources_masters(const struct sources *s, size_t *n);
/* The event stream's counters, or NULL when the source is not the
 * stream (a file, or polling). */
struct stream_stats;
const struct stream_stats *sources_stream(const struct sources *s);
/* What the source is now: "stream", "poll" or "file". */
const char *sources_api(const struct sources *s);
/* The event stream's model and its leader, or NULL (not streaming, or
 * no snapshot yet). */
struct model *sources_model(const struct sources *s, const char **leader);
/* Stop and free.  NULL ok. */
void sources_free(struct sources *s);

#endif
