/* app.c - sources, generations, signals (see app.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "app.h"
#include "arena.h"
#include "generate.h"
#include "log.h"
#include "poller.h"
#include "server.h"
#include "source.h"
#ifdef HAVE_ZOOKEEPER
#include "zk.h"
#endif

struct app {
	struct config *cfg;
	bool print;
	int rc;
	struct gen_env env;
	struct ipaddr *local_ips;
	struct source_resolver *resolver;
	struct table *table;
	struct server *srv;
	struct event_base *base;
	struct poller *poller;
	struct event *sig[3], *watch;
#ifdef HAVE_ZOOKEEPER
	struct zk *zk;
	struct event *zk_timer;		/* zkDetectionTimeout */
	bool zk_lost;			/* the timeout fired */
	char **zk_masters;		/* ZooKeeper's masters, for masterN */
	size_t n_zk_masters;
#endif
	struct stat seen;		/* the state file as last read */
};

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
print_records(const struct table *t)
{
	char **lines = xcalloc(t->n_recs + 1, sizeof(char *)), buf[2048];
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->n_recs; i++)
		if (table_record_text(t, i, buf, sizeof(buf)) > 0)
			lines[n++] = xstrdup(buf);
	qsort(lines, n, sizeof(char *), cmp_str);
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || strcmp(lines[i], lines[i - 1]) != 0)
			puts(lines[i]);
	for (uint32_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* A generation from cl (NULL: the zone alone, not ready to answer for
 * tasks).  Logged; NULL on failure. */
static struct table *
build(struct app *a, const struct cluster *cl, const char *from)
{
	char err[1024];
	struct gen_stats st;
	struct cluster empty = { 0 };
	struct table *t;

	t = generate_table(cl ? cl : &empty, a->cfg, &a->env, a->table,
	    (uint32_t)time(NULL), &st, err, sizeof(err));
	if (t == NULL) {
		log_err("record generation failed, nothing changes: %s", err);
		return NULL;
	}
	t->ready = cl != NULL;
	if (cl != NULL)
		log_info("generation serial %u from %s: %u records, %u "
		    "tasks%s", t->serial, from, st.records, st.tasks,
		    a->table && a->table->ready && t->serial == a->table->serial ?
		    " (record set unchanged)" : "");
	return t;
}

/* Take over cl: build, then print or publish. */
static void
use_state(struct app *a, struct cluster *cl, const char *from)
{
	char why[512];
	struct table *t = NULL;

	if (state_check_leader(cl, why, sizeof(why)) != 0)
		log_err("state from %s refused, nothing changes: %s", from, why);
	else
		t = build(a, cl, from);
	cluster_free(cl);
	if (a->print) {
		a->rc = t != NULL ? print_records(t) : 1;
		table_unref(t);
		event_base_loopexit(a->base, NULL);
		return;
	}
	if (t == NULL)
		return;
	if (a->srv != NULL)
		server_publish(a->srv, t);
	table_unref(a->table);
	a->table = t;
}

static void
poll_state_cb(void *arg, struct cluster *cl, const char *from)
{
	use_state(arg, cl, from);
}

static void
poll_failed_cb(void *arg, const char *kind, const char *why)
{
	struct app *a = arg;

	(void)kind;
	if (a->print) {
		log_err("no state: %s", why);
		a->rc = 1;
		event_base_loopexit(a->base, NULL);
	}
}

/* Read the state file when it changed since the last read (or force). */
static void
read_state_file(struct app *a, bool force)
{
	const char *path = a->cfg->state_file;
	struct cluster *cl;
	struct stat st;
	char err[1024];

	if (stat(path, &st) != 0) {
		if (!force)
			return;
		log_err("state file %s: %s", path, strerror(errno));
		if (a->print) {
			a->rc = 1;
			event_base_loopexit(a->base, NULL);
		}
		return;
	}
	if (!force && st.st_mtim.tv_sec == a->seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == a->seen.st_mtim.tv_nsec &&
	    st.st_size == a->seen.st_size && st.st_ino == a->seen.st_ino)
		return;
	a->seen = st;
	cl = source_load_state(path, err, sizeof(err));
	if (cl == NULL) {
		log_err("state refused, nothing changes: %s", err);
		if (a->print) {
			a->rc = 1;
			event_base_loopexit(a->base, NULL);
		}
		return;
	}
	use_state(a, cl, path);
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	read_state_file(arg, false);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct app *a = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(a->base, NULL);
}

static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct app *a = arg;

	(void)sig;
	(void)what;
	log_info("SIGHUP: fetching the state again");
	if (a->cfg->state_file[0] != '\0')
		read_state_file(a, true);
	else if (a->poller != NULL)
		poller_refresh_now(a->poller);
}

#ifdef HAVE_ZOOKEEPER
static void
zk_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;

	(void)fd;
	(void)what;
	a->zk_lost = true;
	/* mesos-dns exits here; the last records are better than none. */
	log_err("ZooKeeper has named no leading master for %d s: the last "
	    "good records keep serving", a->cfg->zk_detection_timeout);
}

static void
zk_detection_start(struct app *a)
{
	struct timeval tv = { a->cfg->zk_detection_timeout, 0 };

	if (a->cfg->zk_detection_timeout > 0 &&
	    !evtimer_pending(a->zk_timer, NULL))
		evtimer_add(a->zk_timer, &tv);
}

static void
zk_leader_cb(void *arg, const char *leader, char *const *masters, size_t n)
{
	struct app *a = arg;

	for (size_t i = 0; i < a->n_zk_masters; i++)
		free(a->zk_masters[i]);
	free(a->zk_masters);
	a->zk_masters = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		a->zk_masters[i] = xstrdup(masters[i]);
	a->n_zk_masters = n;
	a->env.masters = a->zk_masters;
	a->env.n_masters = n;
	if (leader != NULL) {
		evtimer_del(a->zk_timer);
		if (a->zk_lost)
			log_info("ZooKeeper names a leading master again");
		a->zk_lost = false;
	} else
		zk_detection_start(a);
	poller_set_leader(a->poller, leader);
}

static int
start_zk(struct app *a)
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
#endif

/* Where states come from: a file (watched every second), else the
 * masters, found through ZooKeeper and the masters list. */
static int
start_sources(struct app *a)
{
	static const struct timeval second = { 1, 0 };
	static const struct poller_cbs cbs = { poll_state_cb, poll_failed_cb };

	if (a->cfg->state_file[0] != '\0') {
		read_state_file(a, true);
		if (!a->print) {
			a->watch = event_new(a->base, -1, EV_PERSIST, watch_cb,
			    a);
			event_add(a->watch, &second);
		}
		return 0;
	}
	a->poller = poller_new(a->base, a->cfg, &cbs, a);
	if (a->poller == NULL) {
		log_err("cannot start libcurl");
		return -1;
	}
#ifdef HAVE_ZOOKEEPER
	if (a->cfg->zk[0] != '\0')
		return start_zk(a);
#endif
	return 0;
}

static int
start_server(struct app *a)
{
	struct server_opts so = { 0 };
	char err[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	so.addr = a->cfg->listener;
	so.port = a->cfg->port;
	so.workers = a->cfg->workers > 0 ? a->cfg->workers :
	    ncpu > 0 ? (int)ncpu : 1;
	so.answer.recurse_on = a->cfg->recurse_on;
	so.answer.set_truncate_bit = a->cfg->set_truncate_bit;
	so.answer.edns_size = 1232;
	so.tcp_max_conns = (unsigned)a->cfg->tcp_max_connections;
	so.tcp_idle_ms = (unsigned)a->cfg->tcp_idle_seconds * 1000u;
	a->srv = server_new(&so, a->table, err, sizeof(err));
	if (a->srv == NULL) {
		log_err("%s", err);
		return -1;
	}
	if (server_start(a->srv) != 0) {
		log_err("cannot start the DNS workers");
		return -1;
	}
	log_info("ready: zone %s. on %s port %d (udp, tcp), %d workers, "
	    "serial %u%s", a->cfg->domain, so.addr, so.port, so.workers,
	    a->table->serial, a->table->ready ? "" :
	    "; answering SERVFAIL until a state arrives");
	return 0;
}

static void
app_free(struct app *a)
{
#ifdef HAVE_ZOOKEEPER
	zk_free(a->zk);
	if (a->zk_timer != NULL)
		event_free(a->zk_timer);
	for (size_t i = 0; i < a->n_zk_masters; i++)
		free(a->zk_masters[i]);
	free(a->zk_masters);
#endif
	poller_free(a->poller);
	server_free(a->srv);
	for (int i = 0; i < 3; i++)
		if (a->sig[i] != NULL)
			event_free(a->sig[i]);
	if (a->watch != NULL)
		event_free(a->watch);
	if (a->base != NULL)
		event_base_free(a->base);
	table_unref(a->table);
	free(a->local_ips);
	source_resolver_free(a->resolver);
	config_free(a->cfg);
	libevent_global_shutdown();
}

int
app_run(struct config *cfg, bool print)
{
	struct app a = { 0 };
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };

	a.cfg = cfg;
	a.print = print;
	a.env.resolve = source_resolve;
	a.env.resolve_arg = a.resolver = source_resolver_new();
	if (strcmp(cfg->listener, "0.0.0.0") == 0)
		a.env.n_local_ips = source_local_ips(&a.local_ips);
	a.env.local_ips = a.local_ips;
	if (!print && !cfg->dns_on) {
		log_err("dnsOn is false and this version has no HTTP API yet: "
		    "nothing to serve");
		config_free(cfg);
		return 1;
	}
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	a.base = event_base_new();
	a.table = build(&a, NULL, NULL);
	if (a.base == NULL || a.table == NULL)
		a.rc = 1;
	for (int i = 0; i < 3 && a.rc == 0; i++) {
		a.sig[i] = evsignal_new(a.base, sigs[i],
		    sigs[i] == SIGHUP ? hup_cb : stop_cb, &a);
		event_add(a.sig[i], NULL);
	}
	if (a.rc == 0 && start_sources(&a) != 0)
		a.rc = 1;
	if (a.rc == 0 && !print && start_server(&a) != 0)
		a.rc = 1;
	if (a.rc == 0)
		event_base_dispatch(a.base);
	app_free(&a);
	return a.rc;
}
