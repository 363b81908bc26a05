/* metrics.c - /metrics in Prometheus's text format (see metrics.h), from
 * one table: a row per sample, rows of one metric together. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "daemon/metrics.h"
#include "daemon/stream.h"

struct metrics_in {
	const struct server_stats *s;
	const struct api_state *st;
	time_t now;
};

/* Where a sample's value comes from: a worker counter summed over the
 * workers (enum server_counter), a forwarder counter (enum
 * fwd_counter), a function of the daemon's state (an integer, or
 * seconds), or a row_set of the same name. */
enum from { FROM_SERVER, FROM_FWD, FROM_FN, FROM_SECS, FROM_SET, FROM_LAG };

/* One sample: metric name, type and help (the first row of a name gives
 * them), an optional label with its value (NULL: the leader), and where
 * its value comes from. */
struct row {
	const char *name, *type, *help;
	const char *label, *value;
	enum from from;
	int idx;		/* FROM_SERVER, FROM_FWD */
	long long (*get)(const struct metrics_in *in);
	double (*secs)(const struct metrics_in *in);
};

/* Samples with one value per index of an array (query types, rcodes). */
struct row_set {
	const char *name, *type, *help, *label;
	const char *const *values;
	int n;
	uint64_t (*get)(const struct metrics_in *in, int i);
};

#define S (in->s)
#define ST (in->st)
#define V(fn, expr) static long long fn(const struct metrics_in *in) \
	{ (void)in; return (long long)(expr); }

V(v_fwd_in_flight, S->fwd.in_flight)
V(v_refreshes, ST->refresh_attempts)
V(v_refresh_failures, ST->refresh_failures)
V(v_reloads_ok, ST->reloads)
V(v_reloads_refused, ST->reload_failures)
V(v_refresh_age, ST->last_ok == 0 ? -1 : (long long)(in->now - ST->last_ok))
V(v_table_records, ST->table != NULL ? ST->table->n_recs : 0)
V(v_table_bytes, ST->table != NULL ? table_bytes(ST->table) : 0)
V(v_table_tasks, ST->table != NULL ? ST->table->n_tasks : 0)
V(v_table_serial, ST->table != NULL ? ST->table->serial : 0)
V(v_one, 1)
V(v_notify_sent, ST->notify.sent)
V(v_notify_answered, ST->notify.answered)
V(v_notify_failed, ST->notify.failed)

static double
refresh_seconds(const struct metrics_in *in)
{
	return ST->refresh_seconds;
}

static uint64_t
by_type(const struct metrics_in *in, int i)
{
	return S->by_type[i];
}

static uint64_t
by_rcode(const struct metrics_in *in, int i)
{
	return S->by_rcode[i];
}

static const char *const state_apis[3] = { "stream", "poll", "file" };

static uint64_t
api_in_use(const struct metrics_in *in, int i)
{
	return ST->state_api != NULL && strcmp(ST->state_api,
	    state_apis[i]) == 0;
}

/* The stream's counters read 0 when the source is not the stream. */
static uint64_t
stream_events(const struct metrics_in *in, int i)
{
	return ST->stream != NULL ? ST->stream->events[i + 1] : 0;
}

static uint64_t
stream_failures(const struct metrics_in *in, int i)
{
	return ST->stream != NULL ? ST->stream->failures[i] : 0;
}

V(v_subscriptions, ST->stream != NULL ? ST->stream->subscriptions : 0)
V(v_stream_up, ST->stream != NULL && ST->stream->up)

#define C "counter"
#define G "gauge"

static const struct row_set sets[] = {
	{ "taskdns_dns_queries_by_type_total", C,
	    "DNS queries answered or forwarded, by query type.", "type",
	    server_qtype_names, SERVER_QT_N, by_type },
	{ "taskdns_dns_responses_total", C,
	    "DNS responses sent, by response code.", "rcode",
	    server_rcode_names, SERVER_RC_N, by_rcode },
	{ "taskdns_state_api", G,
	    "Where the records come from: the operator API event stream, "
	    "polling /master/state, or a state file (1: in use).", "api",
	    state_apis, 3, api_in_use },
	{ "taskdns_stream_events_total", C,
	    "Operator API records received, by type.", "type",
	    v1_type_names + 1, V1_TYPES - 1, stream_events },
	{ "taskdns_stream_failures_total", C,
	    "Event stream subscriptions that failed or ended, by reason.",
	    "reason", stream_fail_names, SF_N, stream_failures },
};

#define SRV(n, t, h, l, v, k) { n, t, h, l, v, FROM_SERVER, k, NULL, NULL }
#define FWD(n, t, h, l, v, k) { n, t, h, l, v, FROM_FWD, k, NULL, NULL }
#define ROW(n, t, h, l, v, g) { n, t, h, l, v, FROM_FN, 0, g, NULL }
#define SECS(n, t, h, l, v, g) { n, t, h, l, v, FROM_SECS, 0, NULL, g }
#define SET(n) { n, NULL, NULL, NULL, NULL, FROM_SET, 0, NULL, NULL }
#define LAG(n, h) { n, "histogram", h, NULL, NULL, FROM_LAG, 0, NULL, NULL }

/* In output order; a set goes where a row names it (no value of its
 * own). */
static const struct row rows[] = {
	SRV("taskdns_dns_queries_total", C,
	    "DNS queries received, by transport.", "transport", "udp",
	    SERVER_UDP_QUERIES),
	SRV("taskdns_dns_queries_total", C, NULL, "transport", "tcp",
	    SERVER_TCP_QUERIES),
	SET("taskdns_dns_queries_by_type_total"),
	SET("taskdns_dns_responses_total"),
	SRV("taskdns_dns_truncated_total", C, "Answers sent with TC set.", NULL,
	    NULL, SERVER_TRUNCATED),
	SRV("taskdns_dns_dropped_total", C,
	    "Packets dropped unanswered (no usable header, or a response).",
	    NULL, NULL, SERVER_DROPPED),
	SRV("taskdns_dns_tcp_refused_connections_total", C,
	    "TCP connections closed at once: tcpMaxConnections reached.",
	    NULL, NULL, SERVER_TCP_REFUSED_CONNS),
	SRV("taskdns_dns_tcp_accept_errors_total", C,
	    "TCP accept() failures, out of descriptors for one; each pauses "
	    "new connections 10 ms to 1 s.", NULL, NULL,
	    SERVER_TCP_ACCEPT_ERRORS),
	SRV("taskdns_forward_refused_total", C,
	    "Names outside the domain refused: the client is not in "
	    "recurseFrom.", NULL, NULL, SERVER_NOT_RECURSED),
	SRV("taskdns_zone_transfer_requests_total", C,
	    "Zone transfer queries received, by type (over UDP too).", "type",
	    "axfr", SERVER_XFR_ASK_AXFR),
	SRV("taskdns_zone_transfer_requests_total", C, NULL, "type", "ixfr",
	    SERVER_XFR_ASK_IXFR),
	SRV("taskdns_zone_transfers_total", C,
	    "Zone transfers out by result: whole zones (AXFR, and IXFR sent "
	    "AXFR-style), IXFRs answered incrementally or with the SOA alone, "
	    "refused, and aborted mid-way.", "result", "full", SERVER_XFR_FULL),
	SRV("taskdns_zone_transfers_total", C, NULL, "result", "incremental",
	    SERVER_XFR_INCR),
	SRV("taskdns_zone_transfers_total", C, NULL, "result", "refused",
	    SERVER_XFR_REFUSED),
	SRV("taskdns_zone_transfers_total", C, NULL, "result", "aborted",
	    SERVER_XFR_ABORTED),
	SRV("taskdns_zone_transfer_bytes_total", C,
	    "Octets of zone transfers sent.", NULL, NULL, SERVER_XFR_BYTES),
	SRV("taskdns_rrl_responses_total", C,
	    "UDP answers over rateLimit: dropped, or sent truncated (slip).",
	    "action", "dropped", SERVER_RRL_DROPPED),
	SRV("taskdns_rrl_responses_total", C, NULL, "action", "slipped",
	    SERVER_RRL_SLIPPED),
	SRV("taskdns_tsig_queries_total", C,
	    "Signed queries (TSIG): verified and answered signed, or answered "
	    "with a TSIG error (BADKEY, BADSIG, BADTIME).", "result", "good",
	    SERVER_TSIG_GOOD),
	SRV("taskdns_tsig_queries_total", C, NULL, "result", "bad",
	    SERVER_TSIG_BAD),
	ROW("taskdns_notify_total", C,
	    "NOTIFY messages to the secondaries: sent (retries included), "
	    "answered, and serials a secondary left unanswered 5 times.",
	    "result", "sent", v_notify_sent),
	ROW("taskdns_notify_total", C, NULL, "result", "answered",
	    v_notify_answered),
	ROW("taskdns_notify_total", C, NULL, "result", "unanswered",
	    v_notify_failed),
	FWD("taskdns_forward_queries_total", C, "Queries forwarded upstream.",
	    NULL, NULL, FWD_QUERIES),
	FWD("taskdns_forward_answers_total", C,
	    "Upstream answers relayed to clients.", NULL, NULL, FWD_ANSWERED),
	FWD("taskdns_forward_servfail_total", C,
	    "Forwarded queries answered SERVFAIL by taskdns, by reason.",
	    "reason", "timeout", FWD_TIMEOUTS),
	FWD("taskdns_forward_servfail_total", C, NULL, "reason",
	    "upstreams_failed", FWD_FAILED),
	FWD("taskdns_forward_servfail_total", C, NULL, "reason",
	    "max_in_flight", FWD_OVERFLOW),
	FWD("taskdns_forward_upstream_errors_total", C,
	    "Upstream queries that timed out or failed.", NULL, NULL,
	    FWD_UPSTREAM_ERRORS),
	FWD("taskdns_forward_hedged_total", C,
	    "Second upstreams asked because the first was slow.", NULL, NULL,
	    FWD_HEDGED),
	ROW("taskdns_forward_in_flight", G, "Forwarded queries held now.", NULL,
	    NULL, v_fwd_in_flight),
	ROW("taskdns_refresh_attempts_total", C, "Mesos states fetched or read.",
	    NULL, NULL, v_refreshes),
	ROW("taskdns_refresh_failures_total", C,
	    "Refreshes that failed or whose state was refused.", NULL, NULL,
	    v_refresh_failures),
	ROW("taskdns_config_reloads_total", C,
	    "SIGHUP config reloads, taken or refused.", "result", "ok",
	    v_reloads_ok),
	ROW("taskdns_config_reloads_total", C, NULL, "result", "refused",
	    v_reloads_refused),
	SECS("taskdns_refresh_duration_seconds", G,
	    "Time the last good refresh took to generate and publish.", NULL,
	    NULL, refresh_seconds),
	ROW("taskdns_refresh_age_seconds", G,
	    "Seconds since the last good refresh (-1: none yet).", NULL, NULL,
	    v_refresh_age),
	ROW("taskdns_table_records", G, "Records in the table being served.",
	    NULL, NULL, v_table_records),
	ROW("taskdns_table_bytes", G,
	    "Memory held by the table being served, in bytes.", NULL, NULL,
	    v_table_bytes),
	ROW("taskdns_table_tasks", G, "Running tasks in the table being served.",
	    NULL, NULL, v_table_tasks),
	ROW("taskdns_table_serial", G, "SOA serial of the table being served.",
	    NULL, NULL, v_table_serial),
	SET("taskdns_state_api"),
	SET("taskdns_stream_events_total"),
	ROW("taskdns_stream_subscriptions_total", C,
	    "SUBSCRIBED snapshots received.", NULL, NULL, v_subscriptions),
	SET("taskdns_stream_failures_total"),
	ROW("taskdns_stream_up", G,
	    "1 while the event stream runs (SUBSCRIBED, not ended since).",
	    NULL, NULL, v_stream_up),
	LAG("taskdns_stream_publish_lag_seconds",
	    "From an event's arrival to the publication of the records it "
	    "changed (coalesceMs included)."),
	/* The label's value is the leader: filled in at write time. */
	ROW("taskdns_leader_info", G,
	    "The leading Mesos master of the last good state.", "leader",
	    NULL, v_one),
};

/* A label value as Prometheus's text format escapes it: backslash,
 * double quote and newline, nothing else. */
static void
label_value(struct evbuffer *b, const char *s)
{
	size_t run;

	evbuffer_add(b, "\"", 1);
	while (*s != '\0') {
		run = strcspn(s, "\\\"\n");
		evbuffer_add(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		evbuffer_add(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" :
		    "\\\\", 2);
		s++;
	}
	evbuffer_add(b, "\"", 1);
}

static void
header(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

static void
write_set(struct evbuffer *b, const struct row_set *set,
    const struct metrics_in *in)
{
	header(b, set->name, set->type, set->help);
	for (int i = 0; i < set->n; i++)
		evbuffer_add_printf(b, "%s{%s=\"%s\"} %llu\n", set->name,
		    set->label, set->values[i],
		    (unsigned long long)set->get(in, i));
}

/* A histogram: cumulative buckets, +Inf, sum and count. */
static void
write_lag(struct evbuffer *b, const struct row *r, const struct metrics_in *in)
{
	const struct stream_stats *s = in->st->stream;
	uint64_t cum = 0;

	header(b, r->name, r->type, r->help);
	for (int i = 0; i <= STREAM_LAG_BUCKETS; i++) {
		cum += s != NULL ? s->lag_count[i] : 0;
		if (i < STREAM_LAG_BUCKETS)
			evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %llu\n",
			    r->name, stream_lag_bounds[i],
			    (unsigned long long)cum);
		else
			evbuffer_add_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n",
			    r->name, (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "%s_sum %.6f\n%s_count %llu\n", r->name,
	    s != NULL ? s->lag_sum : 0.0, r->name, (unsigned long long)cum);
}

static void
write_row(struct evbuffer *b, const struct row *r, const struct metrics_in *in)
{
	if (r->from == FROM_LAG) {
		write_lag(b, r, in);
		return;
	}
	if (r->help != NULL)
		header(b, r->name, r->type, r->help);
	evbuffer_add_printf(b, "%s", r->name);
	if (r->label != NULL) {
		evbuffer_add_printf(b, "{%s=", r->label);
		label_value(b, r->value != NULL ? r->value : in->st->leader);
		evbuffer_add(b, "}", 1);
	}
	switch (r->from) {
	case FROM_SERVER:
		evbuffer_add_printf(b, " %llu\n",
		    (unsigned long long)in->s->c[r->idx]);
		break;
	case FROM_FWD:
		evbuffer_add_printf(b, " %llu\n",
		    (unsigned long long)in->s->fwd.c[r->idx]);
		break;
	case FROM_SECS:
		evbuffer_add_printf(b, " %.6f\n", r->secs(in));
		break;
	default:
		evbuffer_add_printf(b, " %lld\n", r->get(in));
		break;
	}
}

void
metrics_write(struct evbuffer *b, const struct server_stats *s,
    const struct api_state *st, time_t now)
{
	const struct metrics_in in = { s, st, now };

	header(b, "taskdns_zone_queries_total", "counter",
	    "Queries answered from each zone, by apex (the Mesos zone, zone "
	    "files, reverse zones).");
	for (unsigned i = 0; s != NULL && i < s->n_zones; i++) {
		evbuffer_add_printf(b, "taskdns_zone_queries_total{zone=");
		label_value(b, s->zone[i].apex);
		evbuffer_add_printf(b, "} %llu\n",
		    (unsigned long long)s->zone[i].n);
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].from != FROM_SET) {
			write_row(b, &rows[i], &in);
			continue;
		}
		for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
			if (strcmp(sets[k].name, rows[i].name) == 0)
				write_set(b, &sets[k], &in);
	}
}
