/* stream.c - the operator API event stream (see stream.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/http.h"
#include "daemon/masters.h"
#include "daemon/stream.h"
#include "mesos/model.h"
#include "mesos/recordio.h"
#include "util/arena.h"
#include "util/log.h"

#define MAX_HOPS 4

const char *const stream_fail_names[SF_N] = {
	"unreachable", "http_status", "no_leader", "bad_record", "stalled",
	"ended", "cut", "unsupported",
};

const double stream_lag_bounds[STREAM_LAG_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

struct stream {
	struct event_base *base;
	struct http *http;
	const struct config *cfg;
	struct stream_cbs cbs;
	void *arg;

	struct masters m;		/* where to subscribe, in order */
	int hops;
	CURL *easy;
	struct curl_slist *hdrs;
	long status;
	char url[1024];
	char master[320];		/* "master@ip:port" connected to */

	struct recordio rio;
	struct v1_reader *rd;
	struct model *model;
	bool model_ok;			/* a whole SUBSCRIBED came */
	char bad[256];			/* the model refused an event */
	bool visible;			/* the record may change the records */
	double heartbeat;
	enum stream_fail abort_kind;
	const char *curl_kind;		/* for the next fail(), or NULL */
	char abort_why[320];
	bool aborted;

	struct event *watchdog, *publish_ev, *retry_ev, *fw_ev;
	double pending_since;		/* oldest event not yet published */
	double up_since;		/* when SUBSCRIBED came */
	bool dirty;
	bool fw_wait;			/* a snapshot waits for its pids */

	/* v0 /master/frameworks, for the frameworks' pids. */
	CURL *fw_easy;
	struct state_parser *fw_sp;
	bool fw_again;

	unsigned failures;
	char logged[32];
	struct stream_stats st;
};

static void start_cycle(struct stream *s);
static void subscribe(struct stream *s, const char *url);

static double
now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
after(struct event *ev, double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}

static double
backoff(struct stream *s)
{
	return masters_backoff(&s->m, s->failures, 0.25,
	    s->cfg->refresh_seconds);
}

static void
end_request(struct stream *s)
{
	http_cancel(s->http, s->easy);
	s->easy = NULL;
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	evtimer_del(s->watchdog);
}

static void
end_frameworks(struct stream *s)
{
	if (s->fw_ev != NULL)
		evtimer_del(s->fw_ev);
	http_cancel(s->http, s->fw_easy);
	s->fw_easy = NULL;
	state_parser_free(s->fw_sp);
	s->fw_sp = NULL;
}

/* The subscription is over: log once per kind, count, and try again
 * (the next master, or all again after a backoff). */
static void fail(struct stream *s, enum stream_fail k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct stream *s, enum stream_fail k, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	bool was_up = s->st.up;
	/* The kind as the poller logs it: a transfer's failure in curl's
	 * terms (unreachable, timeout, tls...), else the stream's own. */
	const char *kind = s->curl_kind != NULL ? s->curl_kind :
	    stream_fail_names[k];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	end_request(s);
	end_frameworks(s);
	s->st.failures[k]++;
	s->st.up = false;
	s->model_ok = false;
	s->fw_wait = false;
	evtimer_del(s->publish_ev);
	if (k == SF_UNSUPPORTED && strcmp(s->cfg->state_api, "auto") == 0) {
		masters_clear(&s->m);
		s->cbs.unsupported(s->arg, why);
		return;	/* s may be gone */
	}
	s->curl_kind = NULL;
	if (was_up)
		log_warn("event stream from %s stopped (%s): %s; the last good "
		    "records keep serving while it subscribes again", s->master,
		    kind, why);
	else if (strcmp(s->logged, kind) != 0)
		log_warn("state fetch failed (%s): event stream %s; the last "
		    "good records keep serving", kind, why);
	else
		log_debug("state fetch failed again (%s): event stream %s",
		    kind, why);
	snprintf(s->logged, sizeof(s->logged), "%s", kind);
	s->cbs.failed(s->arg, why);
	/* A stream that ran a while ends: all masters again, at once; one
	 * that keeps failing soon after SUBSCRIBED backs off.  Otherwise
	 * the next master, then all after a backoff. */
	if (was_up) {
		if (now_mono() - s->up_since > 30)
			s->failures = 0;
		masters_clear(&s->m);
		after(s->retry_ev, s->failures++ == 0 ? 0 : backoff(s));
		return;
	}
	if (masters_next(&s->m) != NULL) {
		char url[1024];

		s->hops = 0;
		masters_url(&s->m, s->cfg, "/api/v1", url, sizeof(url));
		subscribe(s, url);
		return;
	}
	masters_clear(&s->m);
	s->failures++;
	after(s->retry_ev, backoff(s));
}

/* --- publishing --- */

static void
publish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream *s = arg;
	double lag;
	int b = 0;

	(void)fd;
	(void)what;
	if (!s->model_ok || !s->dirty || s->fw_wait)
		return;
	s->dirty = false;
	lag = now_mono() - s->pending_since;
	while (b < STREAM_LAG_BUCKETS && lag > stream_lag_bounds[b])
		b++;
	s->st.lag_count[b]++;
	s->st.lag_sum += lag;
	s->cbs.model(s->arg, s->model, s->master, s->url);
}

/* The model changed at arrival time t: publish within coalesceMs. */
static void
changed(struct stream *s, double t)
{
	if (!s->dirty) {
		s->dirty = true;
		s->pending_since = t;
		after(s->publish_ev, s->cfg->coalesce_ms / 1000.0);
	}
}

/* --- /master/frameworks --- */

static size_t
fw_write(char *data, size_t size, size_t n, void *arg)
{
	struct stream *s = arg;
	char why[256];
	long status = 0;

	curl_easy_getinfo(s->fw_easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 || s->fw_sp == NULL)
		return size * n;
	if (state_parser_feed(s->fw_sp, data, size * n, why, sizeof(why)) != 0)
		return 0;
	return size * n;
}

static void fetch_frameworks(struct stream *s);
static void fetch_frameworks_now(struct stream *s);

static void
fw_done(void *arg, CURL *e, CURLcode rc)
{
	struct stream *s = arg;
	char why[256];
	long status = 0;
	struct cluster *c = NULL;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status == 200)
		c = state_parser_finish(s->fw_sp, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", rc != CURLE_OK ?
		    curl_easy_strerror(rc) : "HTTP error");
	end_frameworks(s);
	if (s->fw_wait && s->dirty)
		after(s->publish_ev, 0);
	s->fw_wait = false;
	if (c == NULL) {
		log_warn("frameworks' pids from %s: %s; framework records wait "
		    "for the next framework event", s->master, why);
	} else {
		for (const struct framework *f = c->frameworks; f; f = f->next)
			if (f->id != NULL)
				model_framework_pid(s->model, f->id, f->pid);
		state_cluster_free(c);
		changed(s, now_mono());
	}
	if (s->fw_again) {
		s->fw_again = false;
		fetch_frameworks_now(s);
	}
}

/* From the loop, not from inside a curl callback (where libcurl refuses
 * new handles). */
static void
fw_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fetch_frameworks_now(arg);
}

static void
fetch_frameworks(struct stream *s)
{
	after(s->fw_ev, 0);
}

static void
fetch_frameworks_now(struct stream *s)
{
	char url[1100];
	const char *at = strchr(s->master, '@');
	CURL *e;

	if (s->fw_easy != NULL) {
		s->fw_again = true;
		return;
	}
	snprintf(url, sizeof(url), "%s://%s/master/frameworks",
	    s->cfg->mesos_https_on ? "https" : "http", at ? at + 1 : "");
	e = http_request(s->cfg, url, (long)s->cfg->state_timeout_seconds);
	if (e == NULL) {
		s->fw_wait = false;
		return;
	}
	s->fw_sp = state_parser_new();
	s->fw_easy = e;
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fw_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	http_add(s->http, e, fw_done, s);
}

/* --- records --- */

static void
v1_snapshot(void *arg)
{
	struct stream *s = arg;

	model_clear(s->model);
	s->model_ok = false;
}

static void
v1_task(void *arg, const struct v1_task *t, bool update)
{
	struct stream *s = arg;

	int r;

	if (s->bad[0] != '\0')
		return;
	r = model_task(s->model, t, update, s->bad, sizeof(s->bad));
	if (r < 0 && s->bad[0] == '\0')
		snprintf(s->bad, sizeof(s->bad), "an event the model refused");
	if (r > 0)
		s->visible = true;
}

static void
v1_agent(void *arg, const struct v1_agent *a)
{
	model_agent(((struct stream *)arg)->model, a);
}

static void
v1_agent_removed(void *arg, const char *id)
{
	model_agent_removed(((struct stream *)arg)->model, id);
}

static void
v1_framework(void *arg, const struct v1_framework *f)
{
	model_framework(((struct stream *)arg)->model, f);
}

static void
v1_framework_removed(void *arg, const char *id)
{
	model_framework_removed(((struct stream *)arg)->model, id);
}

static const struct v1_cbs v1cbs = { v1_snapshot, v1_task, v1_agent,
    v1_agent_removed, v1_framework, v1_framework_removed };

static double record_t0;	/* the record's first byte (main thread) */

static int
rec_begin(void *arg, uint64_t len)
{
	struct stream *s = arg;

	(void)len;
	record_t0 = now_mono();
	s->visible = false;
	v1_reader_begin(s->rd);
	return 0;
}

static int
rec_data(void *arg, const char *p, size_t n)
{
	struct stream *s = arg;

	if (v1_reader_feed(s->rd, p, n, s->abort_why,
	    sizeof(s->abort_why)) != 0)
		return -1;
	if (s->bad[0] != '\0') {
		snprintf(s->abort_why, sizeof(s->abort_why), "%s", s->bad);
		return -1;
	}
	return 0;
}

static int
rec_end(void *arg)
{
	struct stream *s = arg;
	enum v1_type type;
	double hb;

	if (v1_reader_end(s->rd, &type, &hb, s->abort_why,
	    sizeof(s->abort_why)) != 0)
		return -1;
	if (s->bad[0] != '\0') {
		snprintf(s->abort_why, sizeof(s->abort_why), "%s", s->bad);
		return -1;
	}
	s->st.events[type]++;
	if (type == V1_SUBSCRIBED) {
		struct model_counts n;

		s->heartbeat = hb > 0 ? hb : 15;
		s->model_ok = true;
		s->st.up = true;
		s->st.subscriptions++;
		model_counts(s->model, &n);
		log_info("event stream from %s: subscribed, %u tasks (%u "
		    "running), %u agents, %u frameworks; heartbeat %.0f s",
		    s->master, n.tasks, n.running, n.agents, n.frameworks,
		    s->heartbeat);
		if (s->failures > 0 || s->logged[0] != '\0')
			log_info("event stream recovered");
		s->up_since = now_mono();
		s->logged[0] = '\0';
		/* The first publish waits for the frameworks' pids, so that
		 * no resubscription drops the framework records a moment. */
		s->fw_wait = true;
		fetch_frameworks(s);
		changed(s, record_t0);
		return 0;
	}
	if (!s->model_ok) {
		snprintf(s->abort_why, sizeof(s->abort_why), "a %s event "
		    "before SUBSCRIBED", v1_type_names[type]);
		return -1;
	}
	if (type == V1_FRAMEWORK_ADDED || type == V1_FRAMEWORK_UPDATED)
		fetch_frameworks(s);
	/* A task that neither ran nor runs (staging, starting) changes no
	 * record: no new generation for it. */
	if (type == V1_TASK_ADDED || type == V1_TASK_UPDATED) {
		if (s->visible)
			changed(s, record_t0);
	} else if (type != V1_HEARTBEAT)
		changed(s, record_t0);
	return 0;
}

static const struct recordio_cbs riocbs = { rec_begin, rec_data, rec_end };

/* --- the SUBSCRIBE request --- */

static void
arm_watchdog(struct stream *s)
{
	/* Before SUBSCRIBED: as long as a state fetch may take; then three
	 * heartbeats. */
	after(s->watchdog, s->model_ok ? 3 * s->heartbeat :
	    (double)s->cfg->state_timeout_seconds);
}

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct stream *s = arg;
	size_t len = size * n;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status != 200)
		return len;	/* an error page */
	if (s->master[0] == '\0') {
		char *ip = NULL;
		long port = 0;

		curl_easy_getinfo(s->easy, CURLINFO_PRIMARY_IP, &ip);
		curl_easy_getinfo(s->easy, CURLINFO_PRIMARY_PORT, &port);
		snprintf(s->master, sizeof(s->master), strchr(ip ? ip : "",
		    ':') ? "master@[%s]:%ld" : "master@%s:%ld", ip ? ip : "",
		    port);
		log_debug("event stream from %s started", s->url);
	}
	arm_watchdog(s);
	if (recordio_feed(&s->rio, data, len) != 0) {
		s->aborted = true;
		s->abort_kind = SF_BAD_RECORD;
		if (s->abort_why[0] == '\0')
			snprintf(s->abort_why, sizeof(s->abort_why), "%s",
			    s->rio.why);
		return 0;
	}
	s->cbs.alive(s->arg);
	return len;
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream *s = arg;

	(void)fd;
	(void)what;
	fail(s, SF_STALLED, "%s: no bytes for %.0f s", s->url, s->model_ok ?
	    3 * s->heartbeat : (double)s->cfg->state_timeout_seconds);
}

static void
done_cb(void *arg, CURL *e, CURLcode rc)
{
	struct stream *s = arg;
	char *redirect = NULL, url[sizeof(s->url) + 8];

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->aborted) {
		fail(s, s->abort_kind, "%s: %s", s->url, s->abort_why);
		return;
	}
	if (s->status >= 300 && s->status < 400 &&
	    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &redirect) ==
	    CURLE_OK && redirect != NULL && s->hops < MAX_HOPS) {
		snprintf(url, sizeof(url), "%s", redirect);
		end_request(s);
		s->hops++;
		subscribe(s, url);
		return;
	}
	if (s->status == 404 || s->status == 405 || s->status == 501) {
		fail(s, SF_UNSUPPORTED, "%s: HTTP %ld: no v1 operator API "
		    "(Mesos before 1.1)", s->url, s->status);
		return;
	}
	if (s->status == 503) {
		fail(s, SF_NO_LEADER, "%s: HTTP 503: no leader yet", s->url);
		return;
	}
	if (rc != CURLE_OK && s->status != 200) {
		s->curl_kind = http_kind(rc);
		fail(s, SF_UNREACHABLE, "%s: %s", s->url,
		    curl_easy_strerror(rc));
		return;
	}
	if (s->status != 200) {
		fail(s, SF_HTTP, "%s: HTTP %ld", s->url, s->status);
		return;
	}
	if (recordio_at_boundary(&s->rio))
		fail(s, SF_ENDED, "%s: the stream ended", s->url);
	else
		fail(s, SF_CUT, "%s: the stream ended inside a record",
		    s->url);
}

static void
subscribe(struct stream *s, const char *url)
{
	static const char body[] = "{\"type\":\"SUBSCRIBE\"}";
	CURL *e = http_request(s->cfg, url, 0);

	snprintf(s->url, sizeof(s->url), "%s", url);
	s->master[0] = '\0';
	s->status = 0;
	s->aborted = false;
	s->abort_why[0] = '\0';
	s->bad[0] = '\0';
	s->model_ok = false;
	recordio_init(&s->rio, (uint64_t)s->cfg->state_max_bytes, &riocbs, s);
	model_set_max_tasks(s->model, (uint32_t)s->cfg->max_tasks);
	if (e == NULL) {
		fail(s, SF_HTTP, "cannot create a request");
		return;
	}
	s->easy = e;
	s->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	s->hdrs = curl_slist_append(s->hdrs, "Accept: application/json");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(sizeof(body) - 1));
	/* Whatever the master compresses, the framing is in the plain
	 * bytes; a stream is read as it comes. */
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	log_debug("subscribing to %s", url);
	arm_watchdog(s);
	http_add(s->http, e, done_cb, s);
}

static void
start_cycle(struct stream *s)
{
	char url[1024];

	end_request(s);
	end_frameworks(s);
	if (masters_round(&s->m, &s->cfg->masters) == 0)
		return;	/* ZooKeeper names none yet */
	s->hops = 0;
	masters_url(&s->m, s->cfg, "/api/v1", url, sizeof(url));
	subscribe(s, url);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_cycle(arg);
}

struct stream *
stream_new(struct event_base *base, struct http *http,
    const struct config *cfg, const struct stream_cbs *cbs, void *arg)
{
	struct stream *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->http = http;
	s->cfg = cfg;
	s->cbs = *cbs;
	s->arg = arg;
	s->m.rng = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)s;
	s->rd = v1_reader_new(&v1cbs, s);
	s->model = model_new();
	s->heartbeat = 15;
	s->watchdog = evtimer_new(base, watchdog_cb, s);
	s->publish_ev = evtimer_new(base, publish_cb, s);
	s->retry_ev = evtimer_new(base, retry_cb, s);
	s->fw_ev = evtimer_new(base, fw_ev_cb, s);
	after(s->retry_ev, 0);
	return s;
}

void
stream_set_leader(struct stream *s, const char *hostport)
{
	if (masters_set_leader(&s->m, hostport))
		stream_restart(s);
}

void
stream_set_config(struct stream *s, const struct config *cfg)
{
	s->cfg = cfg;
}

void
stream_restart(struct stream *s)
{
	s->failures = 0;
	evtimer_del(s->publish_ev);
	s->dirty = false;
	s->st.up = false;
	after(s->retry_ev, 0);
}

struct model *
stream_model(const struct stream *s, const char **leader)
{
	*leader = s->master;
	return s->model_ok ? s->model : NULL;
}

const struct stream_stats *
stream_stats(const struct stream *s)
{
	return &s->st;
}

void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	end_request(s);
	end_frameworks(s);
	masters_free(&s->m);
	event_free(s->watchdog);
	event_free(s->publish_ev);
	event_free(s->retry_ev);
	event_free(s->fw_ev);
	v1_reader_free(s->rd);
	model_free(s->model);
	free(s);
}
