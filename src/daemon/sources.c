/* sources.c - where Mesos states come from (see sources.h): a state file
 * watched every second, or the masters (poller.c), their leader found
 * through ZooKeeper (zk.c) or the masters list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>

#include "daemon/http.h"
#include "daemon/poller.h"
#include "daemon/source.h"
#include "daemon/sources.h"
#include "daemon/stream.h"
#include "daemon/zk.h"
#include "util/arena.h"
#include "util/log.h"

struct sources {
	struct event_base *base;
	const struct config *cfg;	/* borrowed: sources_reload moves it */
	bool print;			/* --print-records: read once */
	struct sources_cbs cbs;
	void *arg;
	struct http *http;		/* the main loop's libcurl multi */
	struct poller *poller;		/* polling /master/state, or */
	struct stream *stream;		/* following the event stream */
	struct event *fallback;		/* stream -> poller, off its stack */
	char *leader;			/* ZooKeeper's, for either */
	struct event *watch;		/* the state file, every second */
	struct stat seen;		/* the state file as last read */
	struct zk *zk;
	struct event *zk_timer;		/* zkDetectionTimeout */
	bool zk_lost;			/* the timeout fired */
	char **zk_masters;		/* ZooKeeper's masters, for masterN */
	size_t n_zk_masters;
};

/* Read the state file when it changed since the last read (or force). */
static void
read_state_file(struct sources *a, bool force)
{
	const char *path = a->cfg->state_file;
	struct cluster *cl;
	struct stat st;
	struct timespec t0;
	char err[1024];

	if (stat(path, &st) != 0) {
		if (!force)
			return;
		int e = errno;

		char why[1024];

		snprintf(why, sizeof(why), "state file %s: %s", path,
		    strerror(e));
		log_err("%s", why);
		a->cbs.failed(a->arg, why);
		return;
	}
	if (!force && st.st_mtim.tv_sec == a->seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == a->seen.st_mtim.tv_nsec &&
	    st.st_size == a->seen.st_size && st.st_ino == a->seen.st_ino) {
		/* Unchanged, and what it held was served: still fresh. */
		a->cbs.unchanged(a->arg);
		return;
	}
	a->seen = st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cl = source_load_state(path, a->cfg, err, sizeof(err));
	if (cl == NULL) {
		log_err("state refused, nothing changes: %s", err);
		a->cbs.failed(a->arg, err);
		return;
	}
	a->cbs.state(a->arg, cl, path, source_since(&t0));
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	read_state_file(arg, false);
}

static void
zk_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sources *a = arg;

	(void)fd;
	(void)what;
	a->zk_lost = true;
	/* mesos-dns exits here; the last records are better than none. */
	log_err("ZooKeeper has named no leading master for %d s: the last "
	    "good records keep serving", a->cfg->zk_detection_timeout);
}

static void
zk_detection_start(struct sources *a)
{
	struct timeval tv = { a->cfg->zk_detection_timeout, 0 };

	if (a->cfg->zk_detection_timeout > 0 &&
	    !evtimer_pending(a->zk_timer, NULL))
		evtimer_add(a->zk_timer, &tv);
}

static void
zk_leader_cb(void *arg, const char *leader, char *const *masters, size_t n)
{
	struct sources *a = arg;

	for (size_t i = 0; i < a->n_zk_masters; i++)
		free(a->zk_masters[i]);
	free(a->zk_masters);
	a->zk_masters = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		a->zk_masters[i] = xstrdup(masters[i]);
	a->n_zk_masters = n;
	if (leader != NULL) {
		evtimer_del(a->zk_timer);
		if (a->zk_lost)
			log_info("ZooKeeper names a leading master again");
		a->zk_lost = false;
	} else
		zk_detection_start(a);
	free(a->leader);
	a->leader = leader != NULL ? xstrdup(leader) : NULL;
	if (a->poller != NULL)
		poller_set_leader(a->poller, leader);
	if (a->stream != NULL)
		stream_set_leader(a->stream, leader);
}

static int
start_zk(struct sources *a)
{
	char err[512];

	a->zk_timer = evtimer_new(a->base, zk_timeout_cb, a);
	zk_detection_start(a);
	a->zk = zk_new(a->base, a->cfg->zk, zk_leader_cb, a, err, sizeof(err));
	if (a->zk == NULL) {
		log_err("%s", err);
		return -1;
	}
	return 0;
}

static void
poll_state_cb(void *arg, struct cluster *cl, const char *from)
{
	struct sources *s = arg;

	s->cbs.state(s->arg, cl, from, -1);
}

static void
poll_failed_cb(void *arg, const char *kind, const char *why)
{
	struct sources *s = arg;

	(void)kind;
	s->cbs.failed(s->arg, why);
}

static void
stream_model_cb(void *arg, struct model *m, const char *leader,
    const char *from)
{
	struct sources *s = arg;

	s->cbs.model(s->arg, m, leader, from);
}

static void
stream_alive_cb(void *arg)
{
	struct sources *s = arg;

	s->cbs.unchanged(s->arg);
}

static void
stream_failed_cb(void *arg, const char *why)
{
	struct sources *s = arg;

	s->cbs.failed(s->arg, why);
}

static void
start_poller(struct sources *a)
{
	static const struct poller_cbs cbs = { poll_state_cb, poll_failed_cb };

	a->poller = poller_new(a->base, a->http, a->cfg, &cbs, a);
	if (a->leader != NULL)
		poller_set_leader(a->poller, a->leader);
}

static void
fallback_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sources *a = arg;

	(void)fd;
	(void)what;
	stream_free(a->stream);
	a->stream = NULL;
	start_poller(a);
}

/* stateAPI auto, and the master has no operator API: poll.  The stream
 * is freed from the loop, not from inside its own callback. */
static void
stream_unsupported_cb(void *arg, const char *why)
{
	struct sources *a = arg;

	log_warn("%s: polling /master/state every %d s instead (stateAPI "
	    "auto)", why, a->cfg->refresh_seconds);
	event_active(a->fallback, EV_TIMEOUT, 0);
}

/* A file (watched every second), else the masters, found through
 * ZooKeeper and the masters list: their event stream (stateAPI auto,
 * stream) or /master/state (poll, or auto on a master without it). */
static int
start(struct sources *a)
{
	static const struct timeval second = { 1, 0 };
	static const struct stream_cbs scbs = { stream_model_cb,
	    stream_alive_cb, stream_failed_cb, stream_unsupported_cb };

	if (a->cfg->state_file[0] != '\0') {
		read_state_file(a, true);
		if (!a->print) {
			a->watch = event_new(a->base, -1, EV_PERSIST, watch_cb,
			    a);
			event_add(a->watch, &second);
		}
		return 0;
	}
	a->http = http_new(a->base);
	if (a->http == NULL) {
		log_err("cannot start libcurl");
		return -1;
	}
	a->fallback = event_new(a->base, -1, 0, fallback_cb, a);
	if (strcmp(a->cfg->state_api, "poll") == 0)
		start_poller(a);
	else
		a->stream = stream_new(a->base, a->http, a->cfg, &scbs, a);
	if (a->cfg->zk[0] != '\0')
		return start_zk(a);
	return 0;
}

struct model *
sources_model(const struct sources *s, const char **leader)
{
	return s->stream != NULL ? stream_model(s->stream, leader) : NULL;
}

void
sources_free(struct sources *a)
{
	if (a == NULL)
		return;
	zk_free(a->zk);
	a->zk = NULL;
	if (a->zk_timer != NULL)
		event_free(a->zk_timer);
	a->zk_timer = NULL;
	a->zk_lost = false;
	for (size_t i = 0; i < a->n_zk_masters; i++)
		free(a->zk_masters[i]);
	free(a->zk_masters);
	a->zk_masters = NULL;
	a->n_zk_masters = 0;
	poller_free(a->poller);
	a->poller = NULL;
	stream_free(a->stream);
	a->stream = NULL;
	if (a->fallback != NULL)
		event_free(a->fallback);
	a->fallback = NULL;
	http_free(a->http);
	a->http = NULL;
	free(a->leader);
	a->leader = NULL;
	if (a->watch != NULL)
		event_free(a->watch);
	a->watch = NULL;
	free(a);
}

struct sources *
sources_new(struct event_base *base, const struct config *cfg, bool print,
    const struct sources_cbs *cbs, void *arg)
{
	struct sources *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->cfg = cfg;
	s->print = print;
	s->cbs = *cbs;
	s->arg = arg;
	if (start(s) != 0) {
		sources_free(s);
		return NULL;
	}
	return s;
}

void
sources_reload(struct sources *s, const struct config *cfg)
{
	s->cfg = cfg;
	if (s->poller != NULL)
		poller_set_config(s->poller, cfg);
	if (s->stream != NULL)
		stream_set_config(s->stream, cfg);
	if (cfg->state_file[0] != '\0')
		read_state_file(s, true);
	else if (s->poller != NULL)
		poller_refresh_now(s->poller);
	else if (s->stream != NULL)
		stream_restart(s->stream);
}

bool
sources_zk_lost(const struct sources *s)
{
	return s->zk_lost;
}

char *const *
sources_masters(const struct sources *s, size_t *n)
{
	*n = s->n_zk_masters;
	return s->zk_masters;
}

const struct stream_stats *
sources_stream(const struct sources *s)
{
	return s->stream != NULL ? stream_stats(s->stream) : NULL;
}

const char *
sources_api(const struct sources *s)
{
	if (s->stream != NULL)
		return "stream";
	return s->poller != NULL ? "poll" : "file";
}
