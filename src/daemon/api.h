/* api.h - the HTTP API on evhttp, on the main loop (never a DNS worker):
 * mesos-dns's /v1 endpoints with its JSON shapes, plus /metrics
 * (Prometheus text format 0.0.4) and /healthz.
 */
#ifndef TASKDNS_API_H
#define TASKDNS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/config.h"
#include "net/server.h"
#include "zone/table.h"

struct event_base;

/* What the application knows of its state source, asked per request. */
#include "net/notify.h"

struct stream_stats;

struct api_state {
	struct table *table;		/* the current table (borrowed) */
	/* The current records in a table that keeps the enumeration (one
	 * reference): table, or one built for it. */
	struct table *(*enumerated)(void *arg);
	void *enum_arg;
	uint64_t refresh_attempts;	/* states fetched or read */
	uint64_t refresh_failures;	/* of which failed or were refused */
	double refresh_seconds;		/* the last good refresh: generation
					 * and publication */
	time_t last_ok;			/* wall time of the last good refresh
					 * (0: never) */
	const char *leader;		/* "" when not known */
	const char *last_error;		/* "" when the last refresh was good */
	bool zk_lost;			/* ZooKeeper names no leader */
	const char *state_api;		/* "stream", "poll" or "file" */
	const struct stream_stats *stream;	/* NULL: not streaming */
	uint64_t reloads;		/* SIGHUP: configs taken */
	uint64_t reload_failures;	/* SIGHUP: configs refused */
	struct notify_stats notify;	/* NOTIFYs to the secondaries */
};

typedef void api_state_fn(void *arg, struct api_state *out);

struct api_opts {
	const struct config *cfg;
	struct server *srv;		/* NULL when dnsOn is false */
	unsigned stale_seconds;		/* /healthz: records older are stale */
};

struct api;

/* Bind httpListener:httpPort and serve.  NULL with errbuf filled when the
 * address cannot be bound. */
struct api *api_new(struct event_base *base, const struct api_opts *o,
    api_state_fn *state, void *arg, char *errbuf, size_t errlen);
/* A reloaded config (its listener is the same); o->srv is not looked at. */
void api_set_opts(struct api *a, const struct api_opts *o);
/* The DNS server whose counters /metrics shows (NULL: none). */
void api_set_server(struct api *a, struct server *srv);
/* Close the listener and every connection, finish any stream.  NULL ok. */
void api_free(struct api *a);

#endif
