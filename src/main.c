/* main.c - options, start-up and shutdown order, signals. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "arena.h"
#include "config.h"
#include "generate.h"
#include "log.h"
#include "server.h"
#include "source.h"

struct opts {
	const char *config, *state_file;
	bool check, print, version;
};

struct app {
	struct opts o;
	struct config *cfg;
	struct gen_env env;
	struct ipaddr *local_ips;
	struct table *table;
	struct server *srv;
	struct event_base *base;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: taskdns [-config FILE] [--state-file FILE] "
	    "[--check-config] [--print-records] [-v] [-version]\n");
}

/* mesos-dns's flags are single-dash Go flags; accept both spellings. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	o->config = "config.json";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] == '-')
			a++;
		if (!strcmp(a, "-config") || !strcmp(a, "-c") ||
		    !strcmp(a, "-state-file")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "taskdns: %s needs a file\n",
				    argv[i]);
				return -1;
			}
			if (!strcmp(a, "-state-file"))
				o->state_file = argv[++i];
			else
				o->config = argv[++i];
		} else if (!strncmp(a, "-config=", 8))
			o->config = a + 8;
		else if (!strcmp(a, "-check-config"))
			o->check = true;
		else if (!strcmp(a, "-print-records"))
			o->print = true;
		else if (!strcmp(a, "-version") || !strcmp(a, "-V"))
			o->version = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "-verbose"))
			log_level = LVL_DEBUG;
		else if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "taskdns: unknown option %s\n", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static struct config *
load_config(const struct opts *o)
{
	char err[8192];
	struct config *c = source_load_config(o->config, o->state_file, err,
	    sizeof(err));

	if (c == NULL) {
		fprintf(stderr, "taskdns: %s\n", err);
		return NULL;
	}
	for (char *l = c->warnings, *nl; (nl = strchr(l, '\n')); l = nl + 1)
		log_warn("%s: %.*s", o->config, (int)(nl - l), l);
	return c;
}

/* A new generation from the state file; NULL (logged) on failure. */
static struct table *
build(struct app *a, bool quiet_empty)
{
	char err[1024];
	struct gen_stats st;
	struct cluster empty = { 0 }, *cl = NULL;
	struct table *t;

	if (a->cfg->state_file[0] != '\0') {
		cl = source_load_state(a->cfg->state_file, err, sizeof(err));
		if (cl != NULL && state_check_leader(cl, err,
		    sizeof(err)) != 0) {
			cluster_free(cl);
			cl = NULL;
		}
		if (cl == NULL) {
			log_err("state refused, nothing changes: %s", err);
			return NULL;
		}
	} else if (!quiet_empty)
		log_warn("no stateFile: polling masters and ZooKeeper is not "
		    "in this version yet; serving the zone without tasks");
	t = generate_table(cl ? cl : &empty, a->cfg, &a->env, a->table,
	    (uint32_t)time(NULL), &st, err, sizeof(err));
	if (t == NULL)
		log_err("record generation failed, nothing changes: %s", err);
	else
		log_info("generation serial %u: %u records from %u tasks%s",
		    t->serial, st.records, st.tasks,
		    a->table && t->serial == a->table->serial ?
		    " (record set unchanged)" : "");
	cluster_free(cl);
	return t;
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
	struct table *t;

	(void)sig;
	(void)what;
	log_info("SIGHUP: re-reading the state");
	if ((t = build(a, true)) == NULL)
		return;
	server_publish(a->srv, t);
	table_unref(a->table);
	a->table = t;
}

static int
serve(struct app *a)
{
	struct server_opts so = { 0 };
	struct event *ev[3];
	char err[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 1;

	if (!a->cfg->dns_on) {
		log_err("dnsOn is false and this version has no HTTP API yet: "
		    "nothing to serve");
		return 1;
	}
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	so.addr = a->cfg->listener;
	so.port = a->cfg->port;
	so.workers = a->cfg->workers > 0 ? a->cfg->workers :
	    ncpu > 0 ? (int)ncpu : 1;
	so.answer.recurse_on = a->cfg->recurse_on;
	so.answer.set_truncate_bit = a->cfg->set_truncate_bit;
	so.answer.edns_size = 1232;
	so.tcp_max_conns = (unsigned)a->cfg->tcp_max_connections;
	so.tcp_idle_ms = (unsigned)a->cfg->tcp_idle_seconds * 1000u;
	a->base = event_base_new();
	a->srv = server_new(&so, a->table, err, sizeof(err));
	if (a->base == NULL || a->srv == NULL) {
		log_err("%s", a->srv ? "cannot create the event base" : err);
		goto out;
	}
	ev[0] = evsignal_new(a->base, SIGTERM, stop_cb, a);
	ev[1] = evsignal_new(a->base, SIGINT, stop_cb, a);
	ev[2] = evsignal_new(a->base, SIGHUP, hup_cb, a);
	for (int i = 0; i < 3; i++)
		event_add(ev[i], NULL);
	if (server_start(a->srv) != 0) {
		log_err("cannot start the DNS workers");
		goto out_ev;
	}
	log_info("ready: zone %s. on %s port %d (udp, tcp), %d workers, "
	    "serial %u", a->cfg->domain, so.addr, so.port, so.workers,
	    a->table->serial);
	event_base_dispatch(a->base);
	rc = 0;
out_ev:
	for (int i = 0; i < 3; i++)
		event_free(ev[i]);
out:
	server_free(a->srv);
	if (a->base != NULL)
		event_base_free(a->base);
	libevent_global_shutdown();
	return rc;
}

int
main(int argc, char **argv)
{
	struct app a = { 0 };
	int rc = 1;

	if (parse_args(argc, argv, &a.o) != 0)
		return 2;
	if (a.o.version) {
		printf("taskdns %s\n", PACKAGE_VERSION);
		return 0;
	}
	if ((a.cfg = load_config(&a.o)) == NULL)
		return 1;
	if (a.o.check) {
		printf("%s: config OK\n", a.o.config);
		config_free(a.cfg);
		return 0;
	}
	a.env.resolve = source_resolve;
	if (strcmp(a.cfg->listener, "0.0.0.0") == 0)
		a.env.n_local_ips = source_local_ips(&a.local_ips);
	a.env.local_ips = a.local_ips;
	a.table = build(&a, a.o.print);
	if (a.table == NULL && a.o.print)
		goto out;
	if (a.table == NULL) {
		/* Serve the zone itself until a good state arrives. */
		static char none[] = "";
		char *sf = a.cfg->state_file;

		a.cfg->state_file = none;
		a.table = build(&a, true);
		a.cfg->state_file = sf;
		if (a.table == NULL)
			goto out;
	}
	rc = a.o.print ? print_records(a.table) : serve(&a);
out:
	table_unref(a.table);
	free(a.local_ips);
	config_free(a.cfg);
	return rc;
}
