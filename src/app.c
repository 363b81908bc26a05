/* app.c - sources, generations, signals (see app.h). */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "acl.h"
#include "api.h"
#include "app.h"
#include "arena.h"
#include "forward.h"
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
	/* Forwarding: what the server's options point into. */
	struct fwd_group_cfg *groups;
	size_t n_groups;
	char **sys_resolvers;		/* resolvers [] : resolv.conf's */
	size_t n_sys_resolvers;
	struct acl recurse_from;
	/* For the HTTP API. */
	struct api *api;
	uint64_t refresh_attempts, refresh_failures;
	double refresh_seconds;
	time_t last_ok;
	char leader[256];
	char last_error[512];
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

/* Why the last refresh failed, for /healthz (cut to fit). */
static void set_error(struct app *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->last_error, sizeof(a->last_error), fmt, ap);
	va_end(ap);
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
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a->refresh_attempts++;
	if (state_check_leader(cl, why, sizeof(why)) != 0) {
		log_err("state from %s refused, nothing changes: %s", from, why);
		set_error(a, "state from %s refused: %s", from, why);
	} else {
		t = build(a, cl, from);
		if (t == NULL)
			set_error(a, "record generation failed");
	}
	if (t != NULL)
		snprintf(a->leader, sizeof(a->leader), "%s",
		    cl->leader != NULL ? cl->leader : "");
	cluster_free(cl);
	if (t == NULL)
		a->refresh_failures++;
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
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->refresh_seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	a->last_ok = time(NULL);
	a->last_error[0] = '\0';
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
	a->refresh_attempts++;
	a->refresh_failures++;
	set_error(a, "%s", why);
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
		int e = errno;

		log_err("state file %s: %s", path, strerror(e));
		a->refresh_attempts++;
		a->refresh_failures++;
		set_error(a, "state file %s: %s", path, strerror(e));
		if (a->print) {
			a->rc = 1;
			event_base_loopexit(a->base, NULL);
		}
		return;
	}
	if (!force && st.st_mtim.tv_sec == a->seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == a->seen.st_mtim.tv_nsec &&
	    st.st_size == a->seen.st_size && st.st_ino == a->seen.st_ino) {
		/* Unchanged, and what it held was served: still fresh. */
		if (a->last_error[0] == '\0' && a->last_ok != 0)
			a->last_ok = time(NULL);
		return;
	}
	a->seen = st;
	cl = source_load_state(path, err, sizeof(err));
	if (cl == NULL) {
		log_err("state refused, nothing changes: %s", err);
		a->refresh_attempts++;
		a->refresh_failures++;
		set_error(a, "%s", err);
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

/* Is the "ip:port" text one of this host's own addresses? */
static bool
is_local(const char *text, const struct ipaddr *ips, size_t n)
{
	uint8_t addr[16];
	uint16_t port;
	int fam;

	if (fwd_parse_server(text, &fam, addr, &port) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((ips[i].family == 4) == (fam == AF_INET) &&
		    memcmp(ips[i].addr, addr, fam == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

/* resolvers [] means the nameservers of /etc/resolv.conf that are not
 * this host (as mesos-dns): forwarding to ourselves would loop. */
static void
system_resolvers(struct app *a)
{
	struct ipaddr *ips = NULL;
	size_t n_ips = source_local_ips(&ips), n;
	char **all = NULL;

	n = fwd_system_resolvers(&all);
	for (size_t i = 0; i < n; i++) {
		if (is_local(all[i], ips, n_ips)) {
			free(all[i]);
			continue;
		}
		a->sys_resolvers = xrealloc(a->sys_resolvers,
		    (a->n_sys_resolvers + 1) * sizeof(char *));
		a->sys_resolvers[a->n_sys_resolvers++] = all[i];
	}
	free(all);
	free(ips);
	if (a->n_sys_resolvers == 0)
		log_warn("resolvers is [] and /etc/resolv.conf names no "
		    "nameserver but this host: names outside %s get SERVFAIL",
		    a->cfg->domain);
}

static void
join(char *buf, size_t cap, char *const *v, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (n == 0)
		snprintf(buf, cap, "nobody (SERVFAIL)");
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
		    i > 0 ? ", " : "", v[i]);
}

static void
forward_opts(struct app *a, struct server_opts *so)
{
	const struct config *c = a->cfg;
	size_t bad = 0;
	char list[512];

	so->forward = c->external_on;
	if (acl_parse((const char *const *)c->recurse_from.v,
	    c->recurse_from.n, &a->recurse_from, &bad) != 0)
		a->recurse_from.n = 0;	/* validated already */
	so->recurse_from = &a->recurse_from;
	if (!c->external_on)
		return;
	a->n_groups = 1 + c->n_zone_resolvers;
	a->groups = xcalloc(a->n_groups, sizeof(*a->groups));
	if (c->resolvers.n == 0) {
		system_resolvers(a);
		a->groups[0].servers = a->sys_resolvers;
		a->groups[0].n = a->n_sys_resolvers;
	} else {
		a->groups[0].servers = c->resolvers.v;
		a->groups[0].n = c->resolvers.n;
	}
	for (size_t i = 0; i < c->n_zone_resolvers; i++) {
		a->groups[i + 1].zone = c->zone_resolvers[i].zone;
		a->groups[i + 1].servers = c->zone_resolvers[i].servers.v;
		a->groups[i + 1].n = c->zone_resolvers[i].servers.n;
	}
	so->fwd.groups = a->groups;
	so->fwd.n_groups = a->n_groups;
	so->fwd.timeout_ms = (unsigned)c->timeout * 1000u;
	so->fwd.max_in_flight = (unsigned)c->forward_max_in_flight;
	so->fwd.recurse_on = c->recurse_on;
	so->fwd.edns_size = so->answer.edns_size;
	join(list, sizeof(list), a->groups[0].servers, a->groups[0].n);
	log_info("forwarding other names to %s (timeout %d s)", list,
	    c->timeout);
	for (size_t i = 1; i < a->n_groups; i++) {
		join(list, sizeof(list), a->groups[i].servers, a->groups[i].n);
		log_info("forwarding zone %s to %s", a->groups[i].zone, list);
	}
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
	forward_opts(a, &so);
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
api_state_cb(void *arg, struct api_state *out)
{
	struct app *a = arg;

	out->table = a->table;
	out->refresh_attempts = a->refresh_attempts;
	out->refresh_failures = a->refresh_failures;
	out->refresh_seconds = a->refresh_seconds;
	out->last_ok = a->last_ok;
	out->leader = a->leader;
	out->last_error = a->last_error;
#ifdef HAVE_ZOOKEEPER
	out->zk_lost = a->zk_lost;
#endif
}

static int
start_api(struct app *a)
{
	struct api_opts o;
	char err[512];

	memset(&o, 0, sizeof(o));
	o.cfg = a->cfg;
	o.srv = a->srv;
	o.stale_seconds = a->cfg->health_stale_seconds > 0 ?
	    (unsigned)a->cfg->health_stale_seconds :
	    3u * (unsigned)a->cfg->refresh_seconds;
	a->api = api_new(a->base, &o, api_state_cb, a, err, sizeof(err));
	if (a->api == NULL) {
		log_err("%s", err);
		return -1;
	}
	log_info("HTTP API on %s port %d", a->cfg->http_listener,
	    a->cfg->http_port);
	return 0;
}

static void
app_free(struct app *a)
{
	api_free(a->api);
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
	free(a->groups);
	for (size_t i = 0; i < a->n_sys_resolvers; i++)
		free(a->sys_resolvers[i]);
	free(a->sys_resolvers);
	acl_free(&a->recurse_from);
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
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	if (fwd_library_init() != 0) {
		log_err("cannot initialise c-ares");
		config_free(cfg);
		return 1;
	}
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
	/* The API binds first: "ready:" means every socket is bound. */
	if (a.rc == 0 && !print && cfg->http_on && start_api(&a) != 0)
		a.rc = 1;
	if (a.rc == 0 && !print && cfg->dns_on && start_server(&a) != 0)
		a.rc = 1;
	if (a.rc == 0 && !print && !cfg->dns_on)
		log_info("ready: HTTP API only (dnsOn is false)");
	if (a.api != NULL)
		api_set_server(a.api, a.srv);
	if (a.rc == 0)
		event_base_dispatch(a.base);
	app_free(&a);
	fwd_library_cleanup();
	return a.rc;
}
