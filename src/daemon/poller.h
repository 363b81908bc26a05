/* poller.h - fetch the leading master's /master/state with libcurl multi
 * on the main libevent loop.
 *
 * Each refresh asks the known leader (from ZooKeeper) first, then every
 * configured master in order.  A 307 is followed to the leader (Mesos
 * sends a protocol-relative Location), a 404 falls back to
 * /master/state.json, a pre-1.0 non-leader's answer (pid != leader) sends
 * the request to the leader it names.  The body streams into the state
 * parser and is never held whole; past the size cap the transfer stops.
 * After a failed cycle the next comes with exponential backoff and jitter,
 * capped at refreshSeconds; a failure is logged once per kind, and again
 * when it clears.
 */
#ifndef TASKDNS_POLLER_H
#define TASKDNS_POLLER_H

#include <event2/event.h>

#include "conf/config.h"
#include "mesos/state.h"

struct poller_cbs {
	/* A leader's state; the callee takes ownership of c. */
	void (*state)(void *arg, struct cluster *c, const char *master);
	/* A whole cycle failed (every master tried); for health. */
	void (*failed)(void *arg, const char *kind, const char *why);
};

struct poller;

struct http;

/* New poller on the main loop's http (borrowed); the first fetch starts
 * at once.  cfg is borrowed and must outlive the poller. */
struct poller *poller_new(struct event_base *base, struct http *http,
    const struct config *cfg, const struct poller_cbs *cbs, void *arg);
/* The leader to ask first ("host:port", or NULL); a change starts a fetch
 * now. */
void poller_set_leader(struct poller *p, const char *hostport);
/* Start a fetch now unless one is under way. */
void poller_refresh_now(struct poller *p);
/* Follow cfg from now on (a reloaded config whose masters, timeouts and
 * credentials may differ only in what is read per request). */
void poller_set_config(struct poller *p, const struct config *cfg);
/* Stop any transfer and free.  NULL is a no-op. */
void poller_free(struct poller *p);

#endif
