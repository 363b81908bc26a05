/* worker.c - a DNS worker's own state (see worker.h): the generation and
 * settings it follows, switched between callbacks, its counters, and the
 * forwarding of names outside our zones.  The transports (udp.c, tcp.c)
 * answer through it; it names neither. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <event2/event.h>

#include "dns/message.h"
#include "util/arena.h"
#include "util/log.h"
#include "net/worker.h"

static const uint16_t qtype_codes[SERVER_QT_N - 1] = { RR_A, RR_AAAA,
    RR_SRV, RR_SOA, RR_NS, RR_ANY, RR_PTR, RR_MX, RR_TXT };

void
worker_count_type(struct worker *w, uint16_t qtype)
{
	unsigned i = 0;

	while (i < SERVER_QT_N - 1 && qtype_codes[i] != qtype)
		i++;
	atomic_fetch_add_explicit(&w->by_type[i], 1, memory_order_relaxed);
}

void
worker_count_zone(struct worker *w, const struct dname *apex)
{
	unsigned n = atomic_load_explicit(&w->n_zq, memory_order_relaxed);

	if (apex == NULL)
		return;
	for (unsigned i = 0; i < n; i++)
		if (w->zq[i].apex.len == apex->len &&
		    memcmp(w->zq[i].apex.data, apex->data, apex->len) == 0) {
			atomic_fetch_add_explicit(&w->zq[i].n, 1,
			    memory_order_relaxed);
			return;
		}
	if (n == SERVER_ZONES_MAX)
		return;
	w->zq[n].apex = *apex;
	atomic_store_explicit(&w->zq[n].n, 1, memory_order_relaxed);
	atomic_store_explicit(&w->n_zq, n + 1, memory_order_release);
}

void
worker_count_rcode(struct worker *w, unsigned rcode)
{
	unsigned i = rcode <= RCODE_REFUSED ? rcode : rcode == RCODE_BADVERS ?
	    6 : 7;

	atomic_fetch_add_explicit(&w->by_rcode[i], 1, memory_order_relaxed);
}

static char *
dup_str(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Copy o with everything it points to. */
struct sconf *
worker_conf_new(const struct server_opts *o)
{
	struct sconf *c = xcalloc(1, sizeof(*c));
	size_t n;

	atomic_init(&c->refs, 1);
	c->o = *o;
	c->o.addrs = NULL;
	c->o.n_addrs = 0;
	c->o.recurse_from = NULL;
	if (o->recurse_from != NULL && o->recurse_from->n > 0) {
		c->acl.n = o->recurse_from->n;
		c->acl.v = xcalloc(c->acl.n, sizeof(*c->acl.v));
		memcpy(c->acl.v, o->recurse_from->v,
		    c->acl.n * sizeof(*c->acl.v));
	}
	if (o->recurse_from != NULL)
		c->o.recurse_from = &c->acl;
	c->o.allow_transfer = NULL;
	if (o->allow_transfer != NULL && o->allow_transfer->n > 0) {
		c->acl_xfr.n = o->allow_transfer->n;
		c->acl_xfr.v = xcalloc(c->acl_xfr.n, sizeof(*c->acl_xfr.v));
		memcpy(c->acl_xfr.v, o->allow_transfer->v,
		    c->acl_xfr.n * sizeof(*c->acl_xfr.v));
		c->o.allow_transfer = &c->acl_xfr;
	}
	c->o.rrl.exempt = NULL;
	if (o->rrl.exempt != NULL && o->rrl.exempt->n > 0) {
		c->rrl_exempt.n = o->rrl.exempt->n;
		c->rrl_exempt.v = xcalloc(c->rrl_exempt.n,
		    sizeof(*c->rrl_exempt.v));
		memcpy(c->rrl_exempt.v, o->rrl.exempt->v,
		    c->rrl_exempt.n * sizeof(*c->rrl_exempt.v));
		c->o.rrl.exempt = &c->rrl_exempt;
	}
	c->o.tsig_keys = NULL;
	c->o.xfr_key = NULL;
	if (o->tsig_keys != NULL && o->tsig_keys->n > 0) {
		c->keys.n = o->tsig_keys->n;
		c->keys.v = xcalloc(c->keys.n, sizeof(*c->keys.v));
		memcpy(c->keys.v, o->tsig_keys->v,
		    c->keys.n * sizeof(*c->keys.v));
		c->o.tsig_keys = &c->keys;
		for (size_t i = 0; o->xfr_key != NULL && i < c->keys.n; i++)
			if (o->xfr_key == &o->tsig_keys->v[i])
				c->xfr_key = &c->keys.v[i];
		c->o.xfr_key = c->xfr_key;
	}
	c->o.fwd.groups = NULL;
	if (!o->forward)
		return c;
	n = o->fwd.n_groups ? o->fwd.n_groups : 1;
	c->groups = xcalloc(n, sizeof(*c->groups));
	c->zones = xcalloc(n, sizeof(*c->zones));
	c->servers = xcalloc(n, sizeof(*c->servers));
	for (size_t i = 0; i < o->fwd.n_groups; i++) {
		const struct fwd_group_cfg *g = &o->fwd.groups[i];

		c->servers[i] = xcalloc(g->n ? g->n : 1, sizeof(char *));
		for (size_t j = 0; j < g->n; j++)
			c->servers[i][j] = xstrdup(g->servers[j]);
		c->zones[i] = dup_str(g->zone);
		c->groups[i].zone = c->zones[i];
		c->groups[i].servers = c->servers[i];
		c->groups[i].n = g->n;
	}
	c->o.fwd.groups = c->groups;
	c->fwd_shared = fwd_shared_new(&c->o.fwd);
	return c;
}

struct sconf *
worker_conf_ref(struct sconf *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void
worker_conf_unref(struct sconf *c)
{
	if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; c->groups != NULL && i < c->o.fwd.n_groups; i++) {
		for (size_t j = 0; j < c->groups[i].n; j++)
			free(c->servers[i][j]);
		free(c->servers[i]);
		free(c->zones[i]);
	}
	free(c->groups);
	free(c->zones);
	free(c->servers);
	acl_free(&c->acl);
	acl_free(&c->acl_xfr);
	acl_free(&c->rrl_exempt);
	if (c->keys.v != NULL)
		explicit_bzero(c->keys.v, c->keys.n * sizeof(*c->keys.v));
	free(c->keys.v);
	fwd_shared_free(c->fwd_shared);
	free(c);
}

uint32_t
worker_rand(struct worker *w)
{
	/* xorshift32: shuffling needs variety, not secrecy. */
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	w->rng = x;
	return x;
}

void
worker_count(struct worker *w, enum answer_kind k, const struct answer_info *info)
{
	if (k == ANSWER_DROP) {
		worker_bump(w, SERVER_DROPPED);
		return;
	}
	worker_count_rcode(w, info->rcode);
	if (info->truncated)
		worker_bump(w, SERVER_TRUNCATED);
}

/* A name outside our zone: forward it, or leave the REFUSED answer_query
 * wrote.  True when forwarded (the answer comes later). */
bool
worker_try_forward(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, bool may_recurse, struct fwd_client *cl)
{
	if (w->fwd == NULL)
		return false;
	if (!may_recurse) {
		worker_bump(w, SERVER_NOT_RECURSED);
		return false;
	}
	if (q->qtype == RR_AXFR || q->qtype == RR_IXFR)
		return false;	/* zone transfers are not relayed */
	fwd_query(w->fwd, pkt, len, q, cl);
	return true;
}

/* A forwarded query's answer (resp NULL: none will come): counted, then
 * handed to the transport the query came by. */
void
worker_fwd_done(void *arg, const struct fwd_client *cl, const uint8_t *resp,
    size_t len)
{
	struct worker *w = arg;
	int rcode = resp != NULL ? message_peek_rcode(resp, len) : -1;

	if (rcode >= 0)
		worker_count_rcode(w, (unsigned)rcode);
	cl->reply(cl, resp, len);
}

/* Add what f counted since *seen to the worker's fwd_old. */
static void
fwd_count_old(struct worker *w, struct fwd *f, struct fwd_stats *seen)
{
	struct fwd_stats n;

	fwd_stats(f, &n);
	for (int i = 0; i < FWD_COUNTERS; i++)
		atomic_fetch_add_explicit(&w->fwd_old[i], n.c[i] - seen->c[i],
		    memory_order_relaxed);
	*seen = n;
}

static void
retired_free(struct retired *r)
{
	fwd_count_old(r->w, r->fwd, &r->seen);
	fwd_free(r->fwd);
	if (r->timer != NULL)
		event_free(r->timer);
	worker_conf_unref(r->conf);
	free(r);
}

static void
retired_cb(evutil_socket_t fd, short what, void *arg)
{
	struct retired *r = arg, **pp;

	(void)fd;
	(void)what;
	for (pp = &r->w->retired; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	retired_free(r);
}

/* Follow conf: a new forwarder for it, the old one retired until its
 * queries are answered.  When the new forwarder cannot start, the old
 * settings stay. */
static void
worker_use_conf(struct worker *w, struct sconf *conf)
{
	char err[256];
	struct fwd *f = NULL;

	if (conf->o.forward) {
		f = fwd_new(w->base, &conf->o.fwd, conf->fwd_shared, worker_fwd_done,
		    w, err, sizeof(err));
		if (f == NULL) {
			log_err("reconfiguration not applied: %s", err);
			worker_conf_unref(conf);
			return;
		}
	}
	if (w->fwd != NULL) {
		struct retired *r = xcalloc(1, sizeof(*r));
		unsigned ms = w->conf->o.fwd.timeout_ms + 1000;
		struct timeval tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

		r->w = w;
		r->fwd = w->fwd;
		fwd_count_old(w, r->fwd, &r->seen);
		r->conf = worker_conf_ref(w->conf);
		r->timer = evtimer_new(w->base, retired_cb, r);
		r->next = w->retired;
		w->retired = r;
		evtimer_add(r->timer, &tv);
	}
	w->fwd = f;
	atomic_store(&w->fwd_pub, f);
	worker_conf_unref(w->conf);
	w->conf = conf;
}

void
worker_swap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct table *t, *old = NULL;
	struct sconf *conf;
	struct zoneset *zs = NULL;
	bool handed = false, new_zones;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mu);
	t = w->pending;
	w->pending = NULL;
	conf = w->pending_conf;
	w->pending_conf = NULL;
	new_zones = w->zones_pending;
	if (new_zones) {
		zs = w->zones;
		w->zones = w->pending_zones;
		w->pending_zones = NULL;
		w->zones_pending = false;
	}
	if (t != NULL) {
		/* Between callbacks: no query holds the old table now. */
		old = w->cur;
		w->cur = t;
		if (w->srv->reap_ev != NULL && w->n_done < 8) {
			w->done[w->n_done++] = old;
			handed = true;
		}
	}
	pthread_mutex_unlock(&w->mu);
	if (conf != NULL)
		worker_use_conf(w, conf);
	if (handed)
		event_active(w->srv->reap_ev, EV_READ, 0);
	else
		table_unref(old);
	zoneset_unref(zs);
}

void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(w->base);
}


void
worker_stop_forwarding(struct worker *w)
{
	/* Answers still upstream are dropped; closed connections waiting
	 * for them go with them. */
	fwd_free(w->fwd);
	w->fwd = NULL;
	atomic_store(&w->fwd_pub, NULL);
	while (w->retired != NULL) {
		struct retired *r = w->retired;

		w->retired = r->next;
		retired_free(r);
	}
}

void
worker_release(struct worker *w)
{
	table_unref(w->pending);
	table_unref(w->cur);
	zoneset_unref(w->pending_zones);
	zoneset_unref(w->zones);
	worker_conf_unref(w->pending_conf);
	worker_conf_unref(w->conf);
	pthread_mutex_destroy(&w->mu);
}

/* A TSIG failure in the log, at most one a second. */
static void
tsig_log(struct worker *w, const struct sockaddr *peer,
    const struct tsig_ctx *ctx, size_t olen)
{
	char host[INET6_ADDRSTRLEN] = "?", key[DNAME_TEXT_MAX] = "?";
	time_t now = time(NULL);
	const void *a;

	if (now == w->tsig_logged) {
		w->tsig_unlogged++;
		return;
	}
	w->tsig_logged = now;
	a = peer->sa_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)peer)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr;
	(void)inet_ntop(peer->sa_family, a, host, sizeof(host));
	if (ctx->name.len > 0)
		(void)dname_to_text(&ctx->name, key, sizeof(key));
	log_warn("TSIG: query from %s with key %s: %s%s (%u more not logged)",
	    host, key, ctx->error == TSIG_BADKEY ? "BADKEY (not a key of "
	    "tsigKeys)" : ctx->error == TSIG_BADSIG ? "BADSIG (the MAC is "
	    "wrong: another secret?)" : ctx->error == TSIG_BADTIME ?
	    "BADTIME (clocks apart by more than the fudge)" : "malformed",
	    olen == 0 ? ", dropped" : "", w->tsig_unlogged);
	w->tsig_unlogged = 0;
}

enum tsig_result
worker_tsig_check(struct worker *w, uint8_t *pkt, size_t *len,
    const struct sockaddr *peer, struct tsig_ctx *ctx, uint8_t *out,
    size_t cap, size_t *olen)
{
	enum tsig_result r;

	ctx->key = NULL;
	if (w->conf->keys.n == 0 || *len < MSG_HDR_LEN ||
	    (pkt[10] == 0 && pkt[11] == 0))
		return TSIG_NONE;
	r = tsig_check(&w->conf->keys, pkt, *len, len, ctx,
	    (uint64_t)time(NULL), out, cap, MSG_UDP_MIN, olen);
	if (r == TSIG_FAIL) {
		ctx->key = NULL;
		worker_bump(w, SERVER_TSIG_BAD);
		tsig_log(w, peer, ctx, *olen);
		if (*olen >= MSG_HDR_LEN)
			worker_count_rcode(w, out[3] & 0x0f);
	} else if (r == TSIG_OK)
		worker_bump(w, SERVER_TSIG_GOOD);
	return r;
}

size_t
worker_tsig_sign(struct worker *w, struct tsig_ctx *ctx, uint8_t *out,
    size_t len, size_t lim)
{
	size_t n;

	(void)w;
	n = tsig_sign_within(ctx, out, len, lim, (uint64_t)time(NULL));
	return n > 0 ? n : len;
}

size_t
worker_edns(struct worker *w, const struct answer_info *info,
    const struct sockaddr *peer, uint8_t *out, size_t len, size_t lim)
{
	const struct server_opts *o = &w->conf->o;
	uint8_t opts[MSG_COOKIE_OPT + 4 + MSG_NSID_MAX];
	size_t n = 0;

	if (!info->edns || (info->cookie_len == 0 && !info->nsid))
		return len;
	if (info->cookie_len >= 8 && o->answer.cookies) {
		cookie_option(o->cookie_secret, info->cookie, peer,
		    (uint32_t)time(NULL), opts);
		n += MSG_COOKIE_OPT;
	}
	if (info->nsid && o->nsid_len > 0) {
		opts[n] = 0;
		opts[n + 1] = EDNS_NSID;
		opts[n + 2] = 0;
		opts[n + 3] = o->nsid_len;
		memcpy(opts + n + 4, o->nsid, o->nsid_len);
		n += 4u + o->nsid_len;
	}
	return n > 0 ? message_add_options(out, len, lim, info->opt_at, opts,
	    n) : len;
}

enum cookie_state
worker_cookie(struct worker *w, const struct answer_info *info,
    const struct sockaddr *peer)
{
	if (info->cookie_len == 0 || !w->conf->o.answer.cookies)
		return COOKIE_NONE;
	return cookie_check(w->conf->o.cookie_secret, info->cookie,
	    info->cookie_len, peer, (uint32_t)time(NULL));
}
