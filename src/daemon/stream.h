/* stream.h - the leading master's operator API event stream: SUBSCRIBE on
 * POST /api/v1, on the main loop's libcurl multi handle.
 *
 * The RecordIO frames are cut as bytes arrive (mesos/recordio), each
 * record read as it streams (mesos/v1) into the cluster model
 * (mesos/model).  The SUBSCRIBED snapshot replaces the model; each event
 * changes it, and the events of coalesceMs go out as one state (a struct
 * cluster, as a poll would deliver).  Framework pids, which v1 lacks, come
 * from v0's GET /master/frameworks after SUBSCRIBED and each framework
 * event.
 *
 * Leaders: the leader from ZooKeeper first, then the masters in order; a
 * 307 is followed; 503 or a ZooKeeper change means subscribe again.  A
 * stream with no bytes for 3 x heartbeat_interval_seconds is closed and
 * subscribed again, as is one that ends, or sends a record that is not a
 * valid event (logged with its reason); while that goes on, the last good
 * records keep serving.  A 404, 405 or 501 on /api/v1 means the master has no
 * operator API (Mesos < 1.1): unsupported() is called, and the caller
 * polls instead. */
#ifndef TASKDNS_STREAM_H
#define TASKDNS_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "conf/config.h"
#include "mesos/state.h"
#include "mesos/v1.h"

struct http;

/* Why a subscription ended or failed. */
enum stream_fail {
	SF_UNREACHABLE, SF_HTTP, SF_NO_LEADER, SF_BAD_RECORD, SF_STALLED,
	SF_ENDED, SF_CUT, SF_UNSUPPORTED, SF_N
};
extern const char *const stream_fail_names[SF_N];

/* Publish lag histogram: an event's arrival to its state's delivery. */
#define STREAM_LAG_BUCKETS 9
extern const double stream_lag_bounds[STREAM_LAG_BUCKETS];

struct stream_stats {
	uint64_t events[V1_TYPES];	/* records by type */
	uint64_t subscriptions;		/* SUBSCRIBED received */
	uint64_t failures[SF_N];
	uint64_t lag_count[STREAM_LAG_BUCKETS + 1];	/* last: +Inf */
	double lag_sum;
	bool up;			/* SUBSCRIBED and not ended since */
};

struct model;

struct stream_cbs {
	/* The model changed (events coalesced): m is the stream's, as the
	 * master leader named it sent it; the callee reads it (and marks
	 * it, model_mark, once a generation of it is published) before
	 * returning. */
	void (*model)(void *arg, struct model *m, const char *leader,
	    const char *from);
	/* A record came: the records are fresh. */
	void (*alive)(void *arg);
	/* A subscription failed (logged once per kind). */
	void (*failed)(void *arg, const char *why);
	/* The master has no operator API. */
	void (*unsupported)(void *arg, const char *why);
};

struct stream;

/* Subscribe (at once); cfg and http borrowed. */
struct stream *stream_new(struct event_base *base, struct http *http,
    const struct config *cfg, const struct stream_cbs *cbs, void *arg);
/* The leader from ZooKeeper ("host:port", or NULL); a change subscribes
 * again, to it. */
void stream_set_leader(struct stream *s, const char *hostport);
void stream_set_config(struct stream *s, const struct config *cfg);
/* Subscribe again now (a reload). */
void stream_restart(struct stream *s);
const struct stream_stats *stream_stats(const struct stream *s);
/* The model as the last SUBSCRIBED and the events since made it, and
 * its leader; NULL before a whole snapshot came. */
struct model *stream_model(const struct stream *s, const char **leader);
void stream_free(struct stream *s);

#endif
