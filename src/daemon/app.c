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

#include "conf/acl.h"
#include "daemon/api.h"
#include "daemon/app.h"
#include "util/arena.h"
#include "net/forward.h"
#include "mesos/generate.h"
#include "mesos/incr.h"
#include "mesos/model.h"
#include "util/log.h"
#include "daemon/options.h"
#include "daemon/poller.h"
#include "net/server.h"
#include "daemon/source.h"
#include "daemon/sources.h"
#include "daemon/zk.h"
#include "daemon/reverse.h"
#include "daemon/zones.h"
#include "daemon/serial.h"
#include "net/notify.h"
#include "zone/journal.h"
#include "zone/xfrout.h"

struct app {
	struct config *cfg;
	struct app_args args;
	bool print;
	int rc;
	struct gen_env env;
	struct ipaddr *local_ips;
	struct source_resolver *resolver;
	struct table *table;
	struct incr *incr;		/* patching the stream's generations */
	struct server *srv;
	struct notify *notify;		/* NULL: no notify targets */
	uint32_t serial_floor;		/* serialFile's + 1: the least serial */
	uint32_t serial_saved;
	struct zones *zones;		/* the zone files; NULL: none */
	bool zones_loading;		/* zones_new/_reload runs: a->zones is
					 * not the one calling back */
	struct rptrs *rptrs;		/* reverseZones' PTRs; NULL: none */
	struct szone **rev;		/* the reverse zones made last */
	unsigned n_rev;
	struct zoneset *szs;		/* the zone files' last set */
	struct zoneset *zs;		/* what the workers have: both */
	struct event_base *base;
	struct event *sig[3];
	struct sources *src;
	struct options opts;		/* what the server's options point into */
	/* For the HTTP API. */
	struct api *api;
	uint64_t refresh_attempts, refresh_failures;
	double refresh_seconds;
	time_t last_ok;
	char leader[256];
	char last_error[512];
	uint64_t reloads, reload_failures;
};

static void reverse_update(struct app *a);

/* The clock serials follow: the time, but past the serial saved before a
 * restart (serial.h). */
static uint32_t
serial_clock(const struct app *a)
{
	uint32_t now = (uint32_t)time(NULL);

	return (int32_t)(a->serial_floor - now) > 0 ? a->serial_floor : now;
}

/* Tell the secondaries of every zone whose serial moved (notify.h
 * passes over the others). */
static void
notify_all(struct app *a)
{
	uint8_t pkt[512];
	size_t len;

	if (a->notify == NULL)
		return;
	if (a->table != NULL && a->table->ready) {
		len = xfrout_notify(a->table, NULL, pkt, sizeof(pkt));
		notify_zone(a->notify, &a->table->apex, a->table->serial, pkt,
		    len);
	}
	for (unsigned i = 0; a->zs != NULL && i < a->zs->n; i++) {
		const struct szone *z = a->zs->zones[i];

		if (a->table != NULL && dname_equal(&z->apex, &a->table->apex))
			continue;	/* adds to the Mesos zone */
		len = xfrout_notify(NULL, z, pkt, sizeof(pkt));
		notify_zone(a->notify, &z->apex, z->serial, pkt, len);
	}
}

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

/* The masters for masterN, as build() takes them. */
static void
env_masters(struct app *a)
{
	a->env.masters = a->src != NULL ?
	    sources_masters(a->src, &a->env.n_masters) : NULL;
	if (a->env.masters == NULL)
		a->env.n_masters = 0;
}

/* A generation from cl (NULL: the zone alone, not ready to answer for
 * tasks), which is freed here: before the builder is frozen, so that the
 * state and the freeze's own memory are not held at once.  NULL on
 * failure (logged). */
static struct table *
build(struct app *a, struct cluster *cl, struct gen_stats *st)
{
	char err[1024];
	struct cluster empty = { 0 };
	struct table_builder *b;
	struct table *t;
	bool ready = cl != NULL;

	/* masterN follows ZooKeeper's list when it is the source. */
	env_masters(a);
	b = generate_builder(cl ? cl : &empty, a->cfg, &a->env, st, err,
	    sizeof(err));
	state_cluster_free(cl);
	if (b == NULL) {
		log_err("record generation failed, nothing changes: %s", err);
		return NULL;
	}
	t = table_builder_finish(b, a->table, serial_clock(a));
	t->ready = ready;
	return t;
}

/* Take over cl: build, then print or publish.  parse: the seconds
 * parsing took (< 0: not known apart from the fetch). */
/* The journal of t, a generation about to follow a->table, when anyone
 * may transfer (allowTransfer or transferKey): the changes for IXFR. */
static void
keep_journal(struct app *a, struct table *t)
{
	if (a->cfg->allow_transfer.n == 0 && a->cfg->transfer_key[0] == '\0')
		return;
	t->journal = journal_next(a->table, t, (unsigned)a->cfg->ixfr_history,
	    JOURNAL_MAX_BYTES);
}

static void
use_state(struct app *a, struct cluster *cl, const char *from, double parse)
{
	char why[512], ptext[48] = "", leader[sizeof(a->leader)];
	struct table *t = NULL;
	struct timespec t0;
	struct gen_stats st;
	double gen = 0, publish;
	bool same;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a->refresh_attempts++;
	if (cl->ignored > 0)
		log_warn("state from %s: %u fields ignored (a JSON type other "
		    "than Mesos writes, or a string over %d bytes)", from,
		    cl->ignored, STATE_MAX_STRING);
	if (state_check_leader(cl, why, sizeof(why)) != 0) {
		log_err("state from %s refused, nothing changes: %s", from, why);
		set_error(a, "state from %s refused: %s", from, why);
	} else {
		snprintf(leader, sizeof(leader), "%s",
		    cl->leader != NULL ? cl->leader : "");
		t = build(a, cl, &st);
		cl = NULL;
		gen = source_since(&t0);
		if (t == NULL)
			set_error(a, "record generation failed");
	}
	if (t != NULL)
		snprintf(a->leader, sizeof(a->leader), "%s", leader);
	state_cluster_free(cl);
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
	same = a->table != NULL && a->table->ready &&
	    t->serial == a->table->serial;
	keep_journal(a, t);
	if (a->srv != NULL)
		server_publish(a->srv, t);
	table_unref(a->table);
	a->table = t;
	reverse_update(a);
	publish = source_since(&t0) - gen;
	a->refresh_seconds = source_since(&t0) + (parse > 0 ? parse : 0);
	if (parse >= 0)
		snprintf(ptext, sizeof(ptext), "parse %.3f s, ", parse);
	if (st.capped > 0)
		log_warn("%u records dropped over maxRecordsPerName (%d), first "
		    "on %s", st.capped, a->cfg->max_records_per_name,
		    st.capped_name);
	log_info("generation serial %u from %s: %u records, %u tasks%s "
	    "(%sgenerate %.3f s, publish %.3f s)", t->serial, from, t->n_recs,
	    st.tasks, same ? ", record set unchanged" : "", ptext, gen,
	    publish);
	a->last_ok = time(NULL);
	a->last_error[0] = '\0';
}

static void
src_state_cb(void *arg, struct cluster *cl, const char *from, double parse)
{
	use_state(arg, cl, from, parse);
}

/* The stream's model changed: the next generation patched from the one
 * served (its cost follows the change), or when it cannot be, built in
 * full from the whole model. */
static void
use_model(struct app *a, struct model *m, const char *leader,
    const char *from)
{
	struct timespec t0;
	struct incr_stats ist;
	struct table *t = NULL, *was = a->table;
	char why[256] = "no generation of the stream yet";
	double took;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (a->incr == NULL)
		a->incr = incr_new();
	if (!a->print && a->table != NULL && a->table->ready) {
		env_masters(a);
		t = incr_patch(a->incr, a->table, m, leader, a->cfg, &a->env,
		    serial_clock(a), &ist, why, sizeof(why));
	}
	if (t == NULL) {
		log_debug("generation from %s built in full: %s", from, why);
		use_state(a, model_cluster(m, leader), from, -1);
		if (a->table != was && a->table != NULL) {
			env_masters(a);
			if (incr_base(a->incr, m, leader, a->cfg, &a->env) != 0)
				log_warn("the records of frameworks and agents "
				    "could not be kept: each event builds in "
				    "full");
			model_mark(m);
		}
		return;
	}
	a->refresh_attempts++;
	keep_journal(a, t);
	if (a->srv != NULL)
		server_publish(a->srv, t);
	table_unref(a->table);
	a->table = t;
	reverse_update(a);
	model_mark(m);
	snprintf(a->leader, sizeof(a->leader), "%s", leader);
	took = source_since(&t0);
	a->refresh_seconds = took;
	a->last_ok = time(NULL);
	a->last_error[0] = '\0';
	log_debug("generation serial %u patched from %s: %u records, %u "
	    "tasks; %u tasks looked at, %u records added or removed, %u "
	    "shards written (%.3f ms)", t->serial, from, t->n_recs, t->n_tasks,
	    ist.tasks, ist.records, ist.shards, took * 1e3);
}

static void
src_model_cb(void *arg, struct model *m, const char *leader,
    const char *from)
{
	use_model(arg, m, leader, from);
}

/* For /v1/enumerate: a generation that keeps which task made which
 * record.  A patched one does not: it is built in full from the stream's
 * model, with the same records and serial as the one served. */
static struct table *
enumerated(void *arg)
{
	struct app *a = arg;
	const char *leader = NULL;
	struct model *m;
	struct gen_stats st;
	struct table *t;

	if (a->table == NULL || a->table->enumeration != NULL ||
	    a->src == NULL || (m = sources_model(a->src, &leader)) == NULL)
		return table_ref(a->table);
	t = build(a, model_cluster(m, leader), &st);
	return t != NULL ? t : table_ref(a->table);
}

/* A refresh that failed (logged by the source, or said by why). */
static void
src_failed_cb(void *arg, const char *why)
{
	struct app *a = arg;

	a->refresh_attempts++;
	a->refresh_failures++;
	set_error(a, "%s", why);
	if (a->print) {
		log_err("no state: %s", why);
		a->rc = 1;
		event_base_loopexit(a->base, NULL);
	}
}

/* The state file is as it was when last served: the records are fresh. */
static void
src_unchanged_cb(void *arg)
{
	struct app *a = arg;

	if (a->last_error[0] == '\0' && a->last_ok != 0)
		a->last_ok = time(NULL);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct app *a = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(a->base, NULL);
}

static void reload(struct app *a);

static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	reload(arg);
}

/* Where states come from (a file, the masters, ZooKeeper): sources.c. */
static int
start_sources(struct app *a)
{
	static const struct sources_cbs cbs = { src_state_cb, src_failed_cb,
	    src_unchanged_cb, src_model_cb };

	a->src = sources_new(a->base, a->cfg, a->print, &cbs, a);
	return a->src != NULL ? 0 : -1;
}

static void
stop_sources(struct app *a)
{
	sources_free(a->src);
	a->src = NULL;
}

/* The journal of z, a new version of a zone served (by its apex), not yet
 * published: the changes since, for IXFR. */
static void
keep_zone_journal(struct app *a, struct szone *z)
{
	const struct szone *old = NULL;

	if ((a->cfg->allow_transfer.n == 0 && a->cfg->transfer_key[0] ==
	    '\0') || z->journal != NULL)
		return;
	for (unsigned i = 0; a->zs != NULL && i < a->zs->n; i++)
		if (dname_equal(&a->zs->zones[i]->apex, &z->apex))
			old = a->zs->zones[i];
	if (old != NULL && old != z)
		z->journal = journal_next_szone(old, z,
		    (unsigned)a->cfg->ixfr_history, JOURNAL_MAX_BYTES);
}

/* The static zones and the reverse zones, one set, to the workers. */
static void
publish_zones(struct app *a)
{
	const struct zoneset *st = a->szs;
	unsigned n = (st != NULL ? st->n : 0) + a->n_rev;
	struct szone **v = xcalloc(n ? n : 1, sizeof(*v));

	for (unsigned i = 0; st != NULL && i < st->n; i++)
		v[i] = st->zones[i];
	for (unsigned i = 0; i < a->n_rev; i++)
		v[n - a->n_rev + i] = a->rev[i];
	for (unsigned i = 0; i < n; i++)
		keep_zone_journal(a, v[i]);
	zoneset_unref(a->zs);
	a->zs = zoneset_new(v, n);
	free(v);
	if (a->srv != NULL)
		server_publish_zones(a->srv, a->zs);
	notify_all(a);
}

/* The reverse zones made again from the PTRs (after a publish). */
static void
reverse_update(struct app *a)
{
	zones_note_shadows(a->zones, a->table);
	if (a->table != NULL && a->table->ready && a->cfg->serial_file[0] &&
	    !a->print)
		serial_save(a->cfg->serial_file, a->table->serial,
		    (uint32_t)time(NULL), &a->serial_saved);
	notify_all(a);
	if (a->rptrs == NULL || a->table == NULL)
		return;
	for (unsigned i = 0; i < a->n_rev; i++)
		szone_unref(a->rev[i]);
	free(a->rev);
	a->n_rev = rptrs_zones(a->rptrs, a->cfg, a->table->serial, &a->rev);
	publish_zones(a);
}

/* reverseZones given or taken away by a reload (the refetch that follows
 * fills the PTRs). */
static void
reverse_config(struct app *a)
{
	if (a->cfg->reverse_zones.n > 0 && a->rptrs == NULL) {
		a->rptrs = rptrs_new();
		a->env.ptr = rptrs_cb;
		a->env.ptr_arg = a->rptrs;
	} else if (a->cfg->reverse_zones.n == 0 && a->rptrs != NULL) {
		rptrs_free(a->rptrs);
		a->rptrs = NULL;
		a->env.ptr = NULL;
		for (unsigned i = 0; i < a->n_rev; i++)
			szone_unref(a->rev[i]);
		a->n_rev = 0;
		publish_zones(a);
	}
}

/* A new set of zone files: to the workers. */
static void
zones_cb(void *arg, struct zoneset *zs)
{
	struct app *a = arg;

	zoneset_unref(a->szs);
	a->szs = zoneset_ref(zs);
	publish_zones(a);
	if (!a->zones_loading)
		zones_note_shadows(a->zones, a->table);
}

/* A started server on a->cfg's address, or NULL (logged). */
static struct server *
new_server(struct app *a, struct server_opts *so)
{
	struct server *srv;
	char err[512];

	srv = server_new(so, a->table, err, sizeof(err));
	if (srv == NULL) {
		log_err("%s", err);
		return NULL;
	}
	server_publish_zones(srv, a->zs);
	if (server_reap_on(srv, a->base) != 0 || server_start(srv) != 0) {
		log_err("cannot start the DNS workers");
		server_free(srv);
		return NULL;
	}
	return srv;
}

static int
start_server(struct app *a)
{
	struct server_opts so;
	char addrs[1024];

	tsig_init();
	if (cookie_init() != 0) {
		log_err("cannot initialise libsodium (DNS cookies)");
		return -1;
	}
	options_server(&a->opts, a->cfg, &so);
	a->srv = new_server(a, &so);
	if (a->srv == NULL)
		return -1;
	if (a->cfg->notify.n > 0) {
		char err[256];

		a->notify = notify_new(a->base, a->cfg->notify.v,
		    a->cfg->notify.n, err, sizeof(err));
		if (a->notify == NULL)
			log_err("%s", err);
		notify_set_key(a->notify, a->opts.xfr_key);
		notify_all(a);
	}
	server_addrs(a->srv, addrs, sizeof(addrs));
	log_info("ready: zone %s. on %s port %d (udp, tcp), %d workers, "
	    "serial %u%s", a->cfg->domain, addrs, so.port, so.workers,
	    a->table->serial, a->table->ready ? "" :
	    "; answering SERVFAIL until a state arrives");
	return 0;
}

/* The host's addresses, for the SOA name server's records, when a DNS
 * listener is a wildcard. */
static void
local_ips(struct app *a)
{
	free(a->local_ips);
	a->local_ips = NULL;
	a->env.n_local_ips = 0;
	if (config_has_wildcard(a->cfg))
		a->env.n_local_ips = source_local_ips(&a->local_ips);
	a->env.local_ips = a->local_ips;
}

/* logLevel (-v wins) and logTo (records printed go to stdout and their
 * errors to stderr whatever logTo says). */
static void
apply_logging(const struct app *a)
{
	if (!a->args.verbose)
		log_level = log_level_parse(a->cfg->log_level);
	if (strcmp(a->cfg->log_to, "syslog") == 0 && !a->print)
		log_to_syslog();
	else
		log_to_stderr();
}

static void
api_state_cb(void *arg, struct api_state *out)
{
	struct app *a = arg;

	out->table = a->table;
	out->enumerated = enumerated;
	out->enum_arg = a;
	out->refresh_attempts = a->refresh_attempts;
	out->refresh_failures = a->refresh_failures;
	out->refresh_seconds = a->refresh_seconds;
	out->last_ok = a->last_ok;
	out->leader = a->leader;
	out->reloads = a->reloads;
	out->reload_failures = a->reload_failures;
	out->last_error = a->last_error;
	out->zk_lost = a->src != NULL && sources_zk_lost(a->src);
	out->state_api = a->src != NULL ? sources_api(a->src) : "file";
	out->stream = a->src != NULL ? sources_stream(a->src) : NULL;
	notify_stats(a->notify, &out->notify);
}

static void
api_opts(struct app *a, struct api_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cfg = a->cfg;
	o->srv = a->srv;
	o->stale_seconds = a->cfg->health_stale_seconds > 0 ?
	    (unsigned)a->cfg->health_stale_seconds :
	    3u * (unsigned)a->cfg->refresh_seconds;
}

/* The API on a->cfg's address, or NULL (logged). */
static struct api *
new_api(struct app *a)
{
	struct api_opts o;
	struct api *api;
	char err[512];

	api_opts(a, &o);
	api = api_new(a->base, &o, api_state_cb, a, err, sizeof(err));
	if (api == NULL) {
		log_err("%s", err);
		return NULL;
	}
	log_info("HTTP API on %s port %d", a->cfg->http_listener,
	    a->cfg->http_port);
	return api;
}

static int
start_api(struct app *a)
{
	a->api = new_api(a);
	return a->api != NULL ? 0 : -1;
}

/* The config file read again for SIGHUP, or NULL (the reason logged and
 * counted).  Its warnings are logged; workers keeps its running value. */
static struct config *
reload_config(struct app *a)
{
	struct config *nc;
	char err[8192];

	log_info("SIGHUP: reading %s again", a->args.config);
	nc = source_load_config(a->args.config, a->args.state_file, err,
	    sizeof(err));
	if (nc != NULL && nc->zk[0] != '\0' && !zk_supported()) {
		snprintf(err, sizeof(err), "zk: this taskdns was built "
		    "--without-zookeeper");
		config_free(nc);
		nc = NULL;
	}
	if (nc == NULL) {
		/* One line: "file:\nerror\nerror" -> "file: error; error". */
		for (char *p = err; (p = strchr(p, '\n')) != NULL; p++)
			*p = p > err && p[-1] == ':' ? ' ' : ';';
		log_err("config reload refused, the running config stays: %s",
		    err);
		a->reload_failures++;
		return NULL;
	}
	for (char *l = nc->warnings, *nl; (nl = strchr(l, '\n')); l = nl + 1)
		log_warn("%s: %.*s", a->args.config, (int)(nl - l), l);
	if (nc->workers != a->cfg->workers) {
		log_warn("workers changes at the next restart; %d stay",
		    a->cfg->workers);
		nc->workers = a->cfg->workers;
	}
	return nc;
}

/* After a reload to a->cfg from old (freed here): the state source
 * started again if it changed, else the state fetched again at once. */
static void
refetch(struct app *a, struct config *old)
{
	const struct config *nc = a->cfg;

	if (config_differ(nc, old, CONFIG_RELOAD_SOURCES)) {
		log_info("the state source changed: starting it again");
		stop_sources(a);
		config_free(old);
		if (start_sources(a) != 0)
			log_err("the new state source cannot start: the last "
			    "records keep serving");
		return;
	}
	config_free(old);
	sources_reload(a->src, nc);
}

/* SIGHUP: read the config file again.  A config that does not load, or
 * whose new listeners cannot be bound, is refused and nothing changes.
 * Otherwise the listeners that moved are bound anew (before the old ones
 * close), the rest keep their sockets and take the new settings between
 * two queries, and the state is fetched again to build records under the
 * new config. */
static void
reload(struct app *a)
{
	struct config *old = a->cfg, *nc;
	struct server *nsrv = NULL;
	struct api *napi = NULL;
	struct server_opts so;
	bool dns_move, http_move;

	if (a->print || (nc = reload_config(a)) == NULL)
		return;
	dns_move = nc->dns_on != old->dns_on || (nc->dns_on &&
	    config_differ(nc, old, CONFIG_RELOAD_LISTENERS));
	http_move = nc->http_on != old->http_on || (nc->http_on &&
	    config_differ(nc, old, CONFIG_RELOAD_HTTP));

	/* Bind what moves first: failing there changes nothing. */
	a->cfg = nc;
	if (nc->dns_on) {
		options_server(&a->opts, a->cfg, &so);
		if (dns_move && (nsrv = new_server(a, &so)) == NULL)
			goto refuse;
	}
	if (http_move && nc->http_on && (napi = new_api(a)) == NULL)
		goto refuse;

	/* Commit. */
	apply_logging(a);
	if (dns_move) {
		server_free(a->srv);
		a->srv = nsrv;
		if (nsrv != NULL) {
			char list[1024];

			server_addrs(nsrv, list, sizeof(list));
			log_info("DNS now on %s port %d", list, nc->port);
		}
		else
			log_info("DNS off (dnsOn is false)");
	} else if (nc->dns_on)
		server_reconfigure(a->srv, &so);
	notify_set_key(a->notify, a->opts.xfr_key);
	if (http_move) {
		api_free(a->api);
		a->api = napi;
	} else if (a->api != NULL) {
		struct api_opts ao;

		api_opts(a, &ao);
		api_set_opts(a->api, &ao);
	}
	if (a->api != NULL)
		api_set_server(a->api, a->srv);
	if (config_differ(nc, old, CONFIG_RELOAD_LISTENERS))
		local_ips(a);
	a->zones_loading = true;
	a->zones = zones_reload(a->zones, a->base, nc, a->args.config, zones_cb,
	    a);
	a->zones_loading = false;
	zones_note_shadows(a->zones, a->table);
	reverse_config(a);
	refetch(a, old);
	a->reloads++;
	log_info("config %s reloaded%s%s", a->args.config,
	    dns_move ? "; DNS listeners rebound" : "; DNS listeners kept",
	    http_move ? "; HTTP listener rebound" : "");
	return;

refuse:
	a->cfg = old;
	server_free(nsrv);
	options_free(&a->opts);	/* they pointed into nc */
	config_free(nc);
	a->reload_failures++;
	log_err("config reload refused, the running config stays: the new "
	    "listeners cannot be bound");
}

static void
app_free(struct app *a)
{
	api_free(a->api);
	stop_sources(a);
	notify_free(a->notify);
	server_free(a->srv);
	zones_free(a->zones);
	zoneset_unref(a->zs);
	zoneset_unref(a->szs);
	for (unsigned i = 0; i < a->n_rev; i++)
		szone_unref(a->rev[i]);
	free(a->rev);
	rptrs_free(a->rptrs);
	for (int i = 0; i < 3; i++)
		if (a->sig[i] != NULL)
			event_free(a->sig[i]);
	if (a->base != NULL)
		event_base_free(a->base);
	table_unref(a->table);
	incr_free(a->incr);
	options_free(&a->opts);
	free(a->local_ips);
	source_resolver_free(a->resolver);
	config_free(a->cfg);
	libevent_global_shutdown();
}

int
app_run(struct config *cfg, const struct app_args *args)
{
	struct app a = { 0 };
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	bool print = args->print;
	struct gen_stats st;

	a.cfg = cfg;
	a.args = *args;
	a.print = print;
	apply_logging(&a);
	if (cfg->serial_file[0] != '\0' && !print) {
		a.serial_saved = serial_load(cfg->serial_file);
		a.serial_floor = a.serial_saved != 0 ? a.serial_saved + 1 : 0;
	} else if (!print && (cfg->notify.n > 0 || cfg->allow_transfer.n > 0 ||
	    cfg->transfer_key[0] != '\0'))
		log_warn("zone transfers are on and serialFile is not set: a "
		    "restart within a second of the last serial, or with the "
		    "clock set back, can give a serial the secondaries hold "
		    "to other records");
	a.env.resolve = source_resolve;
	if (cfg->reverse_zones.n > 0 && !print) {
		a.rptrs = rptrs_new();
		a.env.ptr = rptrs_cb;
		a.env.ptr_arg = a.rptrs;
	}
	a.env.resolve_arg = a.resolver = source_resolver_new();
	local_ips(&a);
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	if (fwd_library_init() != 0) {
		log_err("cannot initialise c-ares");
		config_free(cfg);
		return 1;
	}
	a.base = event_base_new();
	a.table = build(&a, NULL, &st);
	if (a.base == NULL || a.table == NULL)
		a.rc = 1;
	for (int i = 0; i < 3 && a.rc == 0; i++) {
		a.sig[i] = evsignal_new(a.base, sigs[i],
		    sigs[i] == SIGHUP ? hup_cb : stop_cb, &a);
		event_add(a.sig[i], NULL);
	}
	if (a.rc == 0 && !print && cfg->n_zone_files > 0) {
		a.zones_loading = true;
		a.zones = zones_new(a.base, cfg, args->config, zones_cb, &a);
		a.zones_loading = false;
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
