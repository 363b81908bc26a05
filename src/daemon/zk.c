/* zk.c - ZooKeeper leader detection (see zk.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zookeeper/zookeeper.h>

#include "util/arena.h"
#include "util/log.h"
#include "daemon/zk.h"

#define PREFIX "json.info_"
#define SESSION_MS 10000

struct found {
	unsigned long long seq;
	char *hostport;		/* NULL: the payload had no address */
};

struct zk {
	struct event_base *base;
	struct event *notify;
	zk_leader_fn cb;
	void *arg;
	char *hosts, *path, *auth;
	zhandle_t *zh;

	pthread_mutex_t mu;	/* guards what follows */
	unsigned gen;		/* bumps on every children listing */
	size_t waiting;
	struct found *found;
	size_t n_found;
	bool have_result, expired;
	char *leader;
	char **masters;
	size_t n_masters;
	char *last_leader;	/* main thread only: what cb last got */
};

struct get_ctx {
	struct zk *z;
	unsigned gen;
	unsigned long long seq;
};

static void list_children(struct zk *z);

static void
exists_done(int rc, const struct Stat *st, const void *data)
{
	(void)rc;
	(void)st;
	(void)data;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Under mu: publish the gathered masters to the main thread. */
static void
finish_locked(struct zk *z)
{
	struct found *f = z->found;
	size_t n = z->n_found;

	/* Lowest sequence first: the leader, then the others. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && f[j].seq < f[j - 1].seq; j--) {
			struct found t = f[j];

			f[j] = f[j - 1];
			f[j - 1] = t;
		}
	free(z->leader);
	free_list(z->masters, z->n_masters);
	z->leader = NULL;
	z->masters = xcalloc(n + 1, sizeof(char *));
	z->n_masters = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].hostport == NULL)
			continue;
		if (z->n_masters == 0 && i == 0)
			z->leader = xstrdup(f[i].hostport);
		z->masters[z->n_masters++] = f[i].hostport;
		f[i].hostport = NULL;
	}
	free(z->found);
	z->found = NULL;
	z->n_found = 0;
	z->have_result = true;
	event_active(z->notify, EV_READ, 0);
}

/* MasterInfo JSON -> "ip:port" from address.ip / address.port. */
static char *
master_addr(const char *data, int len)
{
	json_t *root, *addr;
	const char *ip;
	json_int_t port;
	char buf[128];

	if (data == NULL || len <= 0)
		return NULL;
	root = json_loadb(data, (size_t)len, 0, NULL);
	addr = json_object_get(root, "address");
	ip = json_string_value(json_object_get(addr, "ip"));
	port = json_integer_value(json_object_get(addr, "port"));
	if (ip == NULL || port <= 0 || port > 65535) {
		json_decref(root);
		return NULL;
	}
	snprintf(buf, sizeof(buf), strchr(ip, ':') ? "[%s]:%lld" : "%s:%lld",
	    ip, (long long)port);
	json_decref(root);
	return xstrdup(buf);
}

static void
data_done(int rc, const char *value, int len, const struct Stat *st,
    const void *data)
{
	struct get_ctx *c = (struct get_ctx *)(uintptr_t)data;
	struct zk *z = c->z;

	(void)st;
	pthread_mutex_lock(&z->mu);
	if (c->gen == z->gen) {
		struct found *f;

		z->found = xrealloc(z->found, (z->n_found + 1) * sizeof(*f));
		f = &z->found[z->n_found++];
		f->seq = c->seq;
		/* A znode gone since the listing counts as no master. */
		f->hostport = rc == ZOK ? master_addr(value, len) : NULL;
		if (--z->waiting == 0)
			finish_locked(z);
	}
	pthread_mutex_unlock(&z->mu);
	free(c);
}

static void
children_done(int rc, const struct String_vector *names, const void *data)
{
	struct zk *z = (struct zk *)(uintptr_t)data;
	unsigned gen;
	size_t n = 0;

	if (rc != ZOK) {
		if (rc == ZNONODE)	/* no master has ever registered */
			zoo_aexists(z->zh, z->path, 1, exists_done, NULL);
		return;
	}
	pthread_mutex_lock(&z->mu);
	gen = ++z->gen;
	for (int i = 0; i < names->count; i++)
		if (strncmp(names->data[i], PREFIX, strlen(PREFIX)) == 0)
			n++;
	z->waiting = n;
	z->n_found = 0;
	free(z->found);
	z->found = NULL;
	if (n == 0)
		finish_locked(z);
	pthread_mutex_unlock(&z->mu);
	for (int i = 0; i < names->count; i++) {
		const char *name = names->data[i];
		struct get_ctx *c;
		char full[1024];

		if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		c = xcalloc(1, sizeof(*c));
		c->z = z;
		c->gen = gen;
		c->seq = strtoull(name + strlen(PREFIX), NULL, 10);
		snprintf(full, sizeof(full), "%s/%s", z->path, name);
		if (zoo_aget(z->zh, full, 0, data_done, c) != ZOK)
			data_done(ZCONNECTIONLOSS, NULL, 0, NULL, c);
	}
}

static void
list_children(struct zk *z)
{
	/* watch = 1: the global watcher hears of the next change. */
	zoo_aget_children(z->zh, z->path, 1, children_done, z);
}

static void
watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	struct zk *z = ctx;

	(void)zh;
	(void)path;
	if (type == ZOO_SESSION_EVENT) {
		if (state == ZOO_CONNECTED_STATE)
			list_children(z);
		else if (state == ZOO_EXPIRED_SESSION_STATE) {
			pthread_mutex_lock(&z->mu);
			z->expired = true;
			event_active(z->notify, EV_READ, 0);
			pthread_mutex_unlock(&z->mu);
		}
		return;
	}
	/* A child came or went, or the path appeared. */
	list_children(z);
}

static int
connect_zk(struct zk *z)
{
	z->zh = zookeeper_init(z->hosts, watcher, SESSION_MS, NULL, z, 0);
	if (z->zh == NULL)
		return -1;
	if (z->auth != NULL)
		zoo_add_auth(z->zh, "digest", z->auth, (int)strlen(z->auth),
		    NULL, NULL);
	return 0;
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zk *z = arg;
	char *leader = NULL, **masters = NULL;
	size_t n = 0;
	bool result, expired;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&z->mu);
	result = z->have_result;
	expired = z->expired;
	z->have_result = z->expired = false;
	if (result) {
		leader = z->leader;
		masters = z->masters;
		n = z->n_masters;
		z->leader = NULL;
		z->masters = NULL;
		z->n_masters = 0;
	}
	pthread_mutex_unlock(&z->mu);
	if (expired) {
		log_warn("ZooKeeper session expired: reconnecting");
		zookeeper_close(z->zh);
		if (connect_zk(z) != 0)
			log_err("ZooKeeper: cannot start a new session");
	}
	if (!result)
		return;
	if (!same(leader, z->last_leader)) {
		if (leader != NULL)
			log_info("ZooKeeper: the leading master is %s (%zu "
			    "master%s)", leader, n, n == 1 ? "" : "s");
		else
			log_warn("ZooKeeper: no master is registered");
		free(z->last_leader);
		z->last_leader = leader ? xstrdup(leader) : NULL;
	}
	z->cb(z->arg, leader, masters, n);
	free(leader);
	free_list(masters, n);
}

static int
parse_url(struct zk *z, const char *url, char *errbuf, size_t errlen)
{
	const char *p, *slash, *at;

	if (strncmp(url, "zk://", 5) != 0) {
		snprintf(errbuf, errlen, "zk: \"%s\" does not start with zk://",
		    url);
		return -1;
	}
	p = url + 5;
	slash = strchr(p, '/');
	if (slash == NULL || slash == p || slash[1] == '\0') {
		snprintf(errbuf, errlen, "zk: \"%s\" has no hosts or no path",
		    url);
		return -1;
	}
	at = memchr(p, '@', (size_t)(slash - p));
	if (at != NULL) {
		z->auth = xmalloc((size_t)(at - p) + 1);
		memcpy(z->auth, p, (size_t)(at - p));
		z->auth[at - p] = '\0';
		p = at + 1;
	}
	z->hosts = xmalloc((size_t)(slash - p) + 1);
	memcpy(z->hosts, p, (size_t)(slash - p));
	z->hosts[slash - p] = '\0';
	z->path = xstrdup(slash);
	/* No trailing slash: children are path + "/" + name. */
	if (strlen(z->path) > 1 && z->path[strlen(z->path) - 1] == '/')
		z->path[strlen(z->path) - 1] = '\0';
	return 0;
}

struct zk *
zk_new(struct event_base *base, const char *url, zk_leader_fn cb, void *arg,
    char *errbuf, size_t errlen)
{
	struct zk *z = xcalloc(1, sizeof(*z));

	z->base = base;
	z->cb = cb;
	z->arg = arg;
	pthread_mutex_init(&z->mu, NULL);
	z->notify = event_new(base, -1, 0, notify_cb, z);
	if (parse_url(z, url, errbuf, errlen) != 0)
		goto fail;
	/* The library's own log is noisy (every refused member); -v shows
	 * it. */
	zoo_set_debug_level(log_level >= LVL_DEBUG ? ZOO_LOG_LEVEL_WARN :
	    (ZooLogLevel)0);
	if (connect_zk(z) != 0) {
		snprintf(errbuf, errlen, "zk: cannot start a session with %s",
		    z->hosts);
		goto fail;
	}
	log_info("ZooKeeper: watching %s on %s", z->path, z->hosts);
	return z;
fail:
	zk_free(z);
	return NULL;
}

void
zk_free(struct zk *z)
{
	if (z == NULL)
		return;
	if (z->zh != NULL)
		zookeeper_close(z->zh);	/* no callback runs after this */
	event_free(z->notify);
	pthread_mutex_destroy(&z->mu);
	for (size_t i = 0; i < z->n_found; i++)
		free(z->found[i].hostport);
	free(z->found);
	free(z->leader);
	free_list(z->masters, z->n_masters);
	free(z->last_leader);
	free(z->hosts);
	free(z->path);
	free(z->auth);
	free(z);
}

bool
zk_supported(void)
{
	return true;
}
