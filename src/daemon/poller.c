/* poller.c - /master/state over libcurl multi (see poller.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "util/arena.h"
#include "util/log.h"
#include "daemon/http.h"
#include "daemon/masters.h"
#include "daemon/poller.h"

#define MAX_HOPS 4		/* redirects and leader hand-offs per master */

struct poller {
	struct event_base *base;
	const struct config *cfg;
	struct poller_cbs cbs;
	void *arg;
	struct http *http;
	struct event *next_ev;

	/* The cycle under way. */
	bool busy;
	struct masters m;		/* this cycle's masters */
	int hops;
	bool tried_json;		/* /master/state.json after a 404 */
	CURL *easy;
	struct state_parser *sp;
	size_t body;
	long status;
	char url[1024];
	char abort_kind[32], abort_why[512];
	char last_kind[32], last_why[512];

	/* Between cycles. */
	unsigned failures;
	char logged_kind[32];
};

static void start_master(struct poller *p);
static void start_request(struct poller *p, const char *url);

static void
schedule(struct poller *p, double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(p->next_ev, &tv);
}

static void
end_request(struct poller *p)
{
	http_cancel(p->http, p->easy);
	p->easy = NULL;
	state_parser_free(p->sp);
	p->sp = NULL;
}

static void
cycle_done(struct poller *p, bool ok)
{
	masters_clear(&p->m);
	p->busy = false;
	if (ok) {
		if (p->failures > 0)
			log_info("state fetch recovered after %u failed "
			    "cycle%s (last: %s)", p->failures,
			    p->failures == 1 ? "" : "s", p->last_why);
		p->failures = 0;
		p->logged_kind[0] = '\0';
		schedule(p, p->cfg->refresh_seconds);
		return;
	}
	p->failures++;
	/* Once per kind of failure, not once per attempt. */
	if (strcmp(p->logged_kind, p->last_kind) != 0) {
		log_warn("state fetch failed (%s): %s; the last good records "
		    "keep serving", p->last_kind, p->last_why);
		snprintf(p->logged_kind, sizeof(p->logged_kind), "%s",
		    p->last_kind);
	} else
		log_debug("state fetch failed again (%s): %s", p->last_kind,
		    p->last_why);
	if (p->cbs.failed != NULL)
		p->cbs.failed(p->arg, p->last_kind, p->last_why);
	schedule(p, masters_backoff(&p->m, p->failures, 0.5,
	    p->cfg->refresh_seconds));
}

/* This master failed: remember why, try the next. */
static void
master_failed(struct poller *p, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
master_failed(struct poller *p, const char *kind, const char *fmt, ...)
{
	va_list ap;
	int n;

	end_request(p);
	snprintf(p->last_kind, sizeof(p->last_kind), "%s", kind);
	n = snprintf(p->last_why, sizeof(p->last_why), "%s: ",
	    masters_current(&p->m));
	va_start(ap, fmt);
	vsnprintf(p->last_why + n, sizeof(p->last_why) - (size_t)n, fmt, ap);
	va_end(ap);
	masters_next(&p->m);
	start_master(p);
}

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct poller *p = arg;
	size_t len = size * n;
	char why[256];

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &p->status);
	if (p->status != 200)
		return len;	/* an error page: not parsed */
	p->body += len;
	if (p->body > (size_t)p->cfg->state_max_bytes) {
		snprintf(p->abort_kind, sizeof(p->abort_kind), "too large");
		snprintf(p->abort_why, sizeof(p->abort_why), "the state is "
		    "over stateMaxBytes (%d bytes)", p->cfg->state_max_bytes);
		return 0;
	}
	if (state_parser_feed(p->sp, data, len, why, sizeof(why)) != 0) {
		snprintf(p->abort_kind, sizeof(p->abort_kind), "bad state");
		snprintf(p->abort_why, sizeof(p->abort_why), "%s", why);
		return 0;
	}
	return len;
}

/* "master@ip:port" -> "ip:port" when the state names another leader. */
static bool
other_leader(const struct cluster *c, char *out, size_t len)
{
	const char *at;

	if (c->leader == NULL || c->pid == NULL || c->pid[0] == '\0' ||
	    strcmp(c->leader, c->pid) == 0)
		return false;
	at = strchr(c->leader, '@');
	if (at == NULL || at[1] == '\0')
		return false;
	snprintf(out, len, "%s", at + 1);
	return true;
}

static void
got_body(struct poller *p)
{
	char why[512], leader[300], url[400];
	struct cluster *c = state_parser_finish(p->sp, why, sizeof(why));

	if (c == NULL) {
		master_failed(p, "bad state", "%s", why);
		return;
	}
	if (other_leader(c, leader, sizeof(leader)) && p->hops < MAX_HOPS) {
		/* A pre-1.0 master answers for itself and names the leader. */
		state_cluster_free(c);
		end_request(p);
		p->hops++;
		snprintf(url, sizeof(url), "%s://%s/master/state",
		    p->cfg->mesos_https_on ? "https" : "http", leader);
		start_request(p, url);
		return;
	}
	if (state_check_leader(c, why, sizeof(why)) != 0) {
		state_cluster_free(c);
		master_failed(p, "no leader", "%s", why);
		return;
	}
	end_request(p);
	p->cbs.state(p->arg, c, p->url);
	cycle_done(p, true);
}

static void
request_done(struct poller *p, CURLcode rc)
{
	char *redirect = NULL, url[sizeof(p->url) + 8];

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &p->status);
	if (p->abort_kind[0] != '\0') {
		master_failed(p, p->abort_kind, "%s", p->abort_why);
		return;
	}
	if (rc != CURLE_OK) {
		master_failed(p, http_kind(rc), "%s", curl_easy_strerror(rc));
		return;
	}
	if (p->status >= 300 && p->status < 400 &&
	    curl_easy_getinfo(p->easy, CURLINFO_REDIRECT_URL, &redirect) ==
	    CURLE_OK && redirect != NULL && p->hops < MAX_HOPS) {
		/* 307 to the leader: Location is protocol-relative, which
		 * curl resolves against the request. */
		snprintf(url, sizeof(url), "%s", redirect);
		end_request(p);
		p->hops++;
		start_request(p, url);
		return;
	}
	if (p->status == 404 && !p->tried_json) {
		p->tried_json = true;
		snprintf(url, sizeof(url), "%s.json", p->url);
		end_request(p);
		start_request(p, url);
		return;
	}
	if (p->status == 503) {
		master_failed(p, "no leader", "HTTP 503: the master knows no "
		    "leader");
		return;
	}
	if (p->status != 200) {
		master_failed(p, "http status", "HTTP %ld", p->status);
		return;
	}
	got_body(p);
}

static void
done_cb(void *arg, CURL *e, CURLcode rc)
{
	struct poller *p = arg;

	(void)e;
	request_done(p, rc);
}

static void
start_request(struct poller *p, const char *url)
{
	const struct config *c = p->cfg;
	CURL *e = http_request(c, url, (long)c->state_timeout_seconds);

	snprintf(p->url, sizeof(p->url), "%s", url);
	p->sp = state_parser_new();
	state_parser_set_max_tasks(p->sp, (uint32_t)c->max_tasks);
	p->body = 0;
	p->status = 0;
	p->abort_kind[0] = '\0';
	if (e == NULL) {
		master_failed(p, "http error", "cannot create a request");
		return;
	}
	p->easy = e;
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
	log_debug("fetching %s", url);
	http_add(p->http, e, done_cb, p);
}

static void
start_master(struct poller *p)
{
	char url[1024];

	if (masters_current(&p->m) == NULL) {
		cycle_done(p, false);
		return;
	}
	p->hops = 0;
	p->tried_json = false;
	masters_url(&p->m, p->cfg, "/master/state", url, sizeof(url));
	start_request(p, url);
}

static void
start_cycle(struct poller *p)
{
	if (p->busy)
		return;
	p->busy = true;
	evtimer_del(p->next_ev);
	if (masters_round(&p->m, &p->cfg->masters) == 0) {
		/* ZooKeeper has not named a leader yet: poller_set_leader
		 * starts the cycle when it does. */
		p->busy = false;
		return;
	}
	snprintf(p->last_kind, sizeof(p->last_kind), "no master");
	snprintf(p->last_why, sizeof(p->last_why), "no master is known yet");
	start_master(p);
}

static void
next_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_cycle(arg);
}

struct poller *
poller_new(struct event_base *base, struct http *http,
    const struct config *cfg, const struct poller_cbs *cbs, void *arg)
{
	struct poller *p = xcalloc(1, sizeof(*p));

	p->base = base;
	p->cfg = cfg;
	p->cbs = *cbs;
	p->arg = arg;
	p->m.rng = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)p;
	p->http = http;
	p->next_ev = evtimer_new(base, next_cb, p);
	schedule(p, 0);
	return p;
}

void
poller_set_leader(struct poller *p, const char *hostport)
{
	if (masters_set_leader(&p->m, hostport))
		poller_refresh_now(p);
}

void
poller_set_config(struct poller *p, const struct config *cfg)
{
	p->cfg = cfg;
}

void
poller_refresh_now(struct poller *p)
{
	if (!p->busy)
		schedule(p, 0);
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	end_request(p);
	masters_free(&p->m);
	event_free(p->next_ev);
	free(p);
}
