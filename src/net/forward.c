/* forward.c - c-ares forwarding on a libevent loop (see forward.h).
 *
 * There is one channel (ares_ev.h) per upstream and transport, so the
 * channel's own server rotation is unused (ARES_OPT_TRIES 1): the choice
 * of upstream, hedging and backoff are ours.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ares.h>
#include <event2/event.h>

#include "dns/err.h"
#include "util/arena.h"
#include "net/ares_ev.h"
#include "dns/dname.h"
#include "net/forward.h"
#include "util/log.h"

#define MAX_ATTEMPTS 4		/* upstreams asked for one query */
#define MAX_UPSTREAMS 32	/* per group (a bit mask of tried ones) */
#define HEDGE_UNKNOWN_MS 200	/* hedge delay before any RTT is known */
#define HEDGE_MIN_MS 30
#define HEDGE_MAX_MS 1000
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 60000
#define CARES_UDP_MAX 4096

/* What every worker knows of one upstream.  Relaxed atomics: these are
 * estimates, and a lost update among racing workers costs nothing. */
struct fwd_health {
	_Atomic unsigned srtt_ms;	/* smoothed RTT; 0 until known */
	_Atomic unsigned fails;		/* consecutive failures */
	_Atomic uint64_t retry_at;	/* avoided until then (ms) */
};

struct fwd_shared {
	struct fwd_health **g;	/* per group, per upstream */
	size_t n_groups;
};

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define ST(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

struct upstream {
	char name[64];		/* for logs */
	struct ares_ev udp, tcp;
	struct fwd_health *h;
};

struct group {
	bool is_default;
	struct dname zone;
	struct upstream *u;
	size_t n;
};

struct attempt {
	struct fq *q;
	struct upstream *u;
	uint64_t sent;		/* ms */
	bool pending;
};

/* A query being forwarded. */
struct fq {
	struct fwd *f;
	struct fq *prev, *next;
	struct group *g;
	struct fwd_client cl;
	struct msg_query q;
	struct event *timer;	/* next hedge, then the deadline */
	uint64_t deadline;	/* ms */
	uint32_t tried;		/* bit i: g->u[i] asked */
	unsigned n_att, outstanding;
	bool done;
	struct attempt att[MAX_ATTEMPTS];
	size_t len;
	uint8_t pkt[];
};

struct fwd {
	struct event_base *base;
	struct fwd_opts o;
	fwd_done_fn *done;
	void *arg;
	struct group *g;
	size_t n_groups;
	struct fwd_shared *sh;
	bool own_sh;
	struct fq *live;
	unsigned n_live;
	bool closing;
	uint64_t overflow_logged;	/* ms; the cap is logged every 10 s */
	_Atomic uint64_t c[FWD_COUNTERS];	/* enum fwd_counter */
	_Atomic uint64_t in_flight;
	uint8_t out[MSG_MAX];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
bump(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* --- upstream choice --- */

int
fwd_parse_server(const char *text, int *family, uint8_t addr[16],
    uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *p = NULL, *colon;
	size_t hlen;
	unsigned long v = 0;

	*port = 53;
	if (inet_pton(AF_INET6, text, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -E_FORMAT;
		hlen = (size_t)(close - text - 1);
		if (hlen >= sizeof(host))
			return -E_FORMAT;
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, addr) != 1)
			return -E_FORMAT;
		*family = AF_INET6;
		p = close + 2;
	} else {
		colon = strchr(text, ':');
		hlen = colon != NULL ? (size_t)(colon - text) : strlen(text);
		if (hlen >= sizeof(host))
			return -E_FORMAT;
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, addr) != 1)
			return -E_FORMAT;
		*family = AF_INET;
		if (colon == NULL)
			return 0;
		p = colon + 1;
	}
	if (*p == '\0' || strlen(p) > 5)
		return -E_FORMAT;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -E_FORMAT;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -E_FORMAT;
	*port = (uint16_t)v;
	return 0;
}

static int
upstream_init(struct fwd *f, struct upstream *u, const char *text)
{
	struct ares_addr_port_node srv;
	uint8_t a[16];
	uint16_t port;
	int fam, r;

	memset(&srv, 0, sizeof(srv));
	if (fwd_parse_server(text, &fam, a, &port) != 0)
		return ARES_EBADSTR;
	srv.udp_port = srv.tcp_port = port;
	srv.family = fam;
	if (fam == AF_INET)
		memcpy(&srv.addr.addr4, a, 4);
	else
		memcpy(&srv.addr.addr6, a, 16);
	snprintf(u->name, sizeof(u->name), "%s", text);
	if ((r = ares_ev_init(&u->udp, f->base, &f->closing, f->o.timeout_ms,
	    &srv, false)) != ARES_SUCCESS)
		return r;
	return ares_ev_init(&u->tcp, f->base, &f->closing, f->o.timeout_ms, &srv,
	    true);
}

/* Is u free of recent failures (or due for another try)? */
static bool
eligible(const struct upstream *u, uint64_t now)
{
	return LD(u->h->fails) == 0 || now >= LD(u->h->retry_at);
}

/* The untried upstream to ask next: the eligible one with the lowest RTT
 * (an unknown RTT counts as lowest, so every upstream gets measured; ties
 * keep the configured order).  any: also those avoided for failing, the
 * one whose wait ends soonest first.  -1 when none is left. */
static int
pick(const struct fq *q, uint64_t now, bool any)
{
	const struct group *g = q->g;
	int best = -1;

	for (size_t i = 0; i < g->n; i++) {
		const struct upstream *u = &g->u[i];

		if (q->tried & (1u << i) || !eligible(u, now))
			continue;
		if (best < 0 || LD(u->h->srtt_ms) < LD(g->u[best].h->srtt_ms))
			best = (int)i;
	}
	if (best >= 0 || !any)
		return best;
	for (size_t i = 0; i < g->n; i++) {
		if (q->tried & (1u << i))
			continue;
		if (best < 0 ||
		    LD(g->u[i].h->retry_at) < LD(g->u[best].h->retry_at))
			best = (int)i;
	}
	return best;
}

static unsigned
hedge_delay(const struct upstream *u)
{
	unsigned d = LD(u->h->srtt_ms);

	if (d == 0)
		return HEDGE_UNKNOWN_MS;
	d *= 2;
	if (d < HEDGE_MIN_MS)
		d = HEDGE_MIN_MS;
	return d > HEDGE_MAX_MS ? HEDGE_MAX_MS : d;
}

static unsigned
backoff(unsigned fails)
{
	unsigned shift = fails > 8 ? 7 : fails == 0 ? 0 : fails - 1;
	unsigned ms = BACKOFF_MIN_MS << shift;

	return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void
upstream_ok(struct upstream *u, unsigned rtt)
{
	struct fwd_health *h = u->h;
	unsigned srtt = LD(h->srtt_ms);
	unsigned was = atomic_exchange_explicit(&h->fails, 0,
	    memory_order_relaxed);

	if (rtt == 0)
		rtt = 1;
	if (was > 0) {
		srtt = rtt;	/* the old value was a penalty */
		if (was >= 2)
			log_info("forward: upstream %s answers again",
			    u->name);
	} else if (srtt == 0) {
		srtt = rtt;
	} else {
		srtt = (srtt * 7 + rtt) / 8;
		if (srtt == 0)
			srtt = 1;
	}
	ST(h->srtt_ms, srtt);
}

static void
upstream_failed(struct fwd *f, struct upstream *u, int status, uint64_t now)
{
	struct fwd_health *h = u->h;
	unsigned srtt = LD(h->srtt_ms), fails;
	unsigned pen = srtt == 0 ? HEDGE_UNKNOWN_MS : srtt * 2;

	bump(&f->c[FWD_UPSTREAM_ERRORS]);
	pen = pen > f->o.timeout_ms ? f->o.timeout_ms : pen;
	ST(h->srtt_ms, pen == 0 ? 1 : pen);
	fails = atomic_fetch_add_explicit(&h->fails, 1, memory_order_relaxed) +
	    1;
	ST(h->retry_at, now + backoff(fails));
	/* Once per outage (one lost packet is not news), by one worker. */
	if (fails == 2)
		log_warn("forward: upstream %s failed (%s); asking others "
		    "first until it answers", u->name, ares_strerror(status));
}

/* Raise u's RTT estimate to at least waited (a slow answer still out). */
static void
upstream_slow(struct upstream *u, unsigned waited)
{
	if (LD(u->h->srtt_ms) < waited)
		ST(u->h->srtt_ms, waited);
}

/* --- queries --- */

static void fq_timer_cb(evutil_socket_t fd, short what, void *arg);
static void attempt_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen);

/* The largest answer the client takes: 65535 on TCP, else 512 or its
 * EDNS size (at most the largest UDP payload). */
static size_t
client_limit(const struct msg_query *q, bool tcp)
{
	if (tcp)
		return MSG_MAX;
	if (q->edns && q->edns_size > MSG_UDP_MIN)
		return q->edns_size < MSG_UDP_MAX ? q->edns_size : MSG_UDP_MAX;
	return MSG_UDP_MIN;
}

static void
fq_free(struct fq *q)
{
	struct fwd *f = q->f;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		f->live = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	f->n_live--;
	atomic_fetch_sub_explicit(&f->in_flight, 1, memory_order_relaxed);
	if (q->timer != NULL)
		event_free(q->timer);
	free(q);
}

static void
fq_finish(struct fq *q, const uint8_t *resp, size_t len)
{
	q->done = true;
	if (q->timer != NULL)
		evtimer_del(q->timer);
	q->f->done(q->f->arg, &q->cl, resp, len);
}

/* SERVFAIL (or another code) of our own for q. */
static void
reply_code(struct fwd *f, const struct msg_query *qq, const struct fwd_client *cl,
    size_t lim, unsigned rcode)
{
	struct msg_builder b;
	size_t n;

	message_begin(&b, qq, f->out, sizeof(f->out), lim, rcode, false,
	    f->o.recurse_on);
	n = message_finish(&b, f->o.edns_size);
	f->done(f->arg, cl, f->out, n);
}

static void
fq_servfail(struct fq *q)
{
	q->done = true;
	if (q->timer != NULL)
		evtimer_del(q->timer);
	reply_code(q->f, &q->q, &q->cl, client_limit(&q->q, q->cl.tcp), RCODE_SERVFAIL);
}

/* Relay an upstream answer: the client's ID, the client's question bytes
 * (c-ares matched them ignoring case), and TC when it exceeds what a UDP
 * client can take. */
static void
fq_relay(struct fq *q, const uint8_t *abuf, size_t alen)
{
	struct fwd *f = q->f;
	size_t qend = q->q.question_end, lim = client_limit(&q->q, q->cl.tcp);

	if (alen > lim) {
		struct msg_builder b;
		struct msg_header h;
		size_t n;

		(void)message_read_header(abuf, alen, &h);
		message_begin(&b, &q->q, f->out, sizeof(f->out), lim,
		    h.flags & 0xf, false, (h.flags & MSG_FLAG_RA) != 0);
		message_set_tc(&b);
		n = message_finish(&b, f->o.edns_size);
		fq_finish(q, f->out, n);
		return;
	}
	memcpy(f->out, abuf, alen);
	message_set_id(f->out, alen, q->q.id);
	if (message_same_question(abuf, alen, q->pkt, qend))
		memcpy(f->out + MSG_HDR_LEN, q->pkt + MSG_HDR_LEN,
		    qend - MSG_HDR_LEN);
	fq_finish(q, f->out, alen);
}

/* Ask g->u[idx] (a failure c-ares sees at once arrives through
 * attempt_cb before this returns). */
static void
fq_send(struct fq *q, int idx, uint64_t now)
{
	struct upstream *u = &q->g->u[idx];
	struct attempt *a = &q->att[q->n_att++];
	struct ares_ev *c = q->cl.tcp ? &u->tcp : &u->udp;

	q->tried |= 1u << idx;
	a->q = q;
	a->u = u;
	a->sent = now;
	a->pending = true;
	q->outstanding++;
	/* The callback may run inside ares_send. */
	ares_send(c->ch, q->pkt, (int)q->len, attempt_cb, a);
	ares_ev_rearm(c);
}

/* Ask the next upstream; false when none is left. */
static bool
fq_next(struct fq *q, uint64_t now, bool any)
{
	int idx;

	if (q->n_att >= MAX_ATTEMPTS)
		return false;
	idx = pick(q, now, any);
	if (idx < 0)
		return false;
	fq_send(q, idx, now);
	return true;
}

static void
fq_arm(struct fq *q, uint64_t now, const struct upstream *last)
{
	uint64_t at = q->deadline;
	struct timeval tv;

	if (last != NULL && q->n_att < MAX_ATTEMPTS &&
	    now + hedge_delay(last) < at)
		at = now + hedge_delay(last);
	at = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(at / 1000);
	tv.tv_usec = (suseconds_t)(at % 1000) * 1000;
	evtimer_add(q->timer, &tv);
}

static void
attempt_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct attempt *a = arg;
	struct fq *q = a->q;
	struct fwd *f = q->f;
	uint64_t now = now_ms();

	(void)timeouts;
	a->pending = false;
	q->outstanding--;
	if (status == ARES_EDESTRUCTION || f->closing) {
		if (q->outstanding == 0) {
			if (!q->done)
				fq_finish(q, NULL, 0);
			fq_free(q);
		}
		return;
	}
	if (status == ARES_SUCCESS && abuf != NULL && alen >= MSG_HDR_LEN &&
	    alen <= MSG_MAX) {
		upstream_ok(a->u, (unsigned)(now - a->sent));
		if (!q->done) {
			bump(&f->c[FWD_ANSWERED]);
			fq_relay(q, abuf, (size_t)alen);
		}
	} else {
		upstream_failed(f, a->u, status, now);
		/* Fail over at once; a timed-out attempt means the deadline
		 * is here anyway. */
		if (!q->done && !fq_next(q, now, true) && q->outstanding == 0) {
			bump(&f->c[FWD_FAILED]);
			fq_servfail(q);
		}
	}
	if (q->done && q->outstanding == 0)
		fq_free(q);
}

static void
fq_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fq *q = arg;
	uint64_t now = now_ms();

	(void)fd;
	(void)what;
	if (q->done)
		return;
	if (now + 1 >= q->deadline) {
		bump(&q->f->c[FWD_TIMEOUTS]);
		fq_servfail(q);
		if (q->outstanding == 0)
			fq_free(q);
		return;
	}
	/* Hedge: whoever was asked is slower than usual; count the wait as
	 * a lower bound of its RTT, and ask another. */
	for (unsigned i = 0; i < q->n_att; i++) {
		struct attempt *a = &q->att[i];
		unsigned waited = (unsigned)(now - a->sent);

		if (a->pending)
			upstream_slow(a->u, waited);
	}
	if (fq_next(q, now, false)) {
		bump(&q->f->c[FWD_HEDGED]);
		fq_arm(q, now, q->att[q->n_att - 1].u);
	} else {
		fq_arm(q, now, NULL);
	}
}

static struct group *
route(struct fwd *f, const struct dname *qname)
{
	struct group *best = NULL;
	struct dname lower = *qname;

	dname_lower(&lower);
	for (size_t i = 0; i < f->n_groups; i++) {
		struct group *g = &f->g[i];

		if (g->is_default) {
			if (best == NULL)
				best = g;
			continue;
		}
		if (dname_is_subdomain(&lower, &g->zone) &&
		    (best == NULL || best->is_default ||
		    g->zone.len > best->zone.len))
			best = g;
	}
	return best;
}

void
fwd_query(struct fwd *f, const uint8_t *pkt, size_t len,
    const struct msg_query *qq, const struct fwd_client *cl)
{
	struct group *g = route(f, &qq->qname);
	struct fq *q;
	uint64_t now;
	size_t lim = client_limit(qq, cl->tcp);

	bump(&f->c[FWD_QUERIES]);
	if (g == NULL || g->n == 0) {
		bump(&f->c[FWD_FAILED]);
		reply_code(f, qq, cl, lim, RCODE_SERVFAIL);
		return;
	}
	if (f->n_live >= f->o.max_in_flight) {
		bump(&f->c[FWD_OVERFLOW]);
		now = now_ms();
		if (f->overflow_logged == 0 ||
		    now >= f->overflow_logged + 10000) {
			f->overflow_logged = now;
			log_warn("forward: %u queries in flight "
			    "(forwardMaxInFlight): answering SERVFAIL to more",
			    f->n_live);
		}
		reply_code(f, qq, cl, lim, RCODE_SERVFAIL);
		return;
	}
	q = xcalloc(1, sizeof(*q) + len);
	q->f = f;
	q->g = g;
	q->cl = *cl;
	q->q = *qq;
	q->len = len;
	memcpy(q->pkt, pkt, len);
	/* c-ares cannot take a UDP answer over 4096 bytes: ask for no more
	 * (a bigger answer comes with TC, and the client retries on TCP). */
	if (!cl->tcp && qq->edns && qq->edns_size > CARES_UDP_MAX)
		message_set_edns_size(q->pkt, len, qq, CARES_UDP_MAX);
	q->timer = evtimer_new(f->base, fq_timer_cb, q);
	if (q->timer == NULL) {
		free(q);
		bump(&f->c[FWD_FAILED]);
		reply_code(f, qq, cl, lim, RCODE_SERVFAIL);
		return;
	}
	q->next = f->live;
	if (f->live != NULL)
		f->live->prev = q;
	f->live = q;
	f->n_live++;
	atomic_fetch_add_explicit(&f->in_flight, 1, memory_order_relaxed);
	now = now_ms();
	q->deadline = now + f->o.timeout_ms;
	q->outstanding++;	/* hold q while sending */
	if (!fq_next(q, now, true)) {
		q->outstanding--;
		bump(&f->c[FWD_FAILED]);
		fq_servfail(q);
		fq_free(q);
		return;
	}
	/* An upstream that failed and is due for another try is asked too,
	 * so that it can come back; its answer may win. */
	if (!q->done) {
		int first = (int)(q->att[0].u - g->u);

		for (size_t i = 0; i < g->n && q->n_att < 2; i++) {
			struct upstream *u = &g->u[i];

			unsigned fails = LD(u->h->fails);

			if ((int)i != first && fails > 0 &&
			    now >= LD(u->h->retry_at)) {
				ST(u->h->retry_at, now + backoff(fails));
				fq_send(q, (int)i, now);
			}
		}
	}
	q->outstanding--;
	if (q->done) {
		if (q->outstanding == 0)
			fq_free(q);
		return;
	}
	if (q->outstanding == 0) {
		/* Every send failed at once. */
		bump(&f->c[FWD_FAILED]);
		fq_servfail(q);
		fq_free(q);
		return;
	}
	fq_arm(q, now, q->att[q->n_att - 1].u);
}

/* --- set-up --- */

struct fwd_shared *
fwd_shared_new(const struct fwd_opts *o)
{
	struct fwd_shared *sh = xcalloc(1, sizeof(*sh));

	sh->n_groups = o->n_groups;
	sh->g = xcalloc(o->n_groups > 0 ? o->n_groups : 1, sizeof(*sh->g));
	for (size_t i = 0; i < o->n_groups; i++)
		sh->g[i] = xcalloc(o->groups[i].n > 0 ? o->groups[i].n : 1,
		    sizeof(**sh->g));
	return sh;
}

void
fwd_shared_free(struct fwd_shared *sh)
{
	if (sh == NULL)
		return;
	for (size_t i = 0; i < sh->n_groups; i++)
		free(sh->g[i]);
	free(sh->g);
	free(sh);
}

struct fwd *
fwd_new(struct event_base *base, const struct fwd_opts *o,
    struct fwd_shared *sh, fwd_done_fn *done, void *arg, char *errbuf,
    size_t errlen)
{
	struct fwd *f = xcalloc(1, sizeof(*f));

	f->own_sh = sh == NULL;
	f->sh = sh != NULL ? sh : fwd_shared_new(o);

	f->base = base;
	f->o = *o;
	f->o.groups = NULL;
	if (f->o.timeout_ms == 0)
		f->o.timeout_ms = 5000;
	if (f->o.max_in_flight == 0)
		f->o.max_in_flight = 1;
	f->done = done;
	f->arg = arg;
	f->g = xcalloc(o->n_groups > 0 ? o->n_groups : 1, sizeof(*f->g));
	f->n_groups = o->n_groups;
	for (size_t i = 0; i < o->n_groups; i++) {
		const struct fwd_group_cfg *gc = &o->groups[i];
		struct group *g = &f->g[i];
		size_t n = gc->n > MAX_UPSTREAMS ? MAX_UPSTREAMS : gc->n;

		g->is_default = gc->zone == NULL;
		if (!g->is_default &&
		    dname_from_text(gc->zone, strlen(gc->zone), &g->zone) != 0) {
			snprintf(errbuf, errlen, "forward: bad zone \"%s\"",
			    gc->zone);
			goto fail;
		}
		dname_lower(&g->zone);
		g->u = xcalloc(n > 0 ? n : 1, sizeof(*g->u));
		g->n = n;
		for (size_t j = 0; j < n; j++) {
			int r;

			g->u[j].h = &f->sh->g[i][j];
			r = upstream_init(f, &g->u[j], gc->servers[j]);

			if (r != ARES_SUCCESS) {
				snprintf(errbuf, errlen, "forward: upstream "
				    "\"%s\": %s", gc->servers[j],
				    ares_strerror(r));
				goto fail;
			}
		}
	}
	return f;
fail:
	fwd_free(f);
	return NULL;
}

void
fwd_stats(struct fwd *f, struct fwd_stats *out)
{
	for (int i = 0; i < FWD_COUNTERS; i++)
		out->c[i] = atomic_load(&f->c[i]);
	out->in_flight = atomic_load(&f->in_flight);
}

void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	f->closing = true;
	/* Destroying a channel ends its queries (ARES_EDESTRUCTION), which
	 * frees each query once its last attempt is gone. */
	for (size_t i = 0; i < f->n_groups; i++) {
		struct group *g = &f->g[i];

		for (size_t j = 0; g->u != NULL && j < g->n; j++) {
			ares_ev_free(&g->u[j].udp);
			ares_ev_free(&g->u[j].tcp);
		}
	}
	while (f->live != NULL) {
		struct fq *q = f->live;

		if (!q->done)
			fq_finish(q, NULL, 0);
		fq_free(q);
	}
	for (size_t i = 0; i < f->n_groups; i++)
		free(f->g[i].u);
	free(f->g);
	if (f->own_sh)
		fwd_shared_free(f->sh);
	free(f);
}

int
fwd_library_init(void)
{
	return ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS ? 0 : -1;
}

void
fwd_library_cleanup(void)
{
	ares_library_cleanup();
}

size_t
fwd_system_resolvers(char ***out)
{
	struct ares_options opt;
	struct ares_addr_port_node *list = NULL;
	ares_channel ch;
	size_t n = 0;

	*out = NULL;
	memset(&opt, 0, sizeof(opt));
	if (ares_init_options(&ch, &opt, 0) != ARES_SUCCESS)
		return 0;
	if (ares_get_servers_ports(ch, &list) == ARES_SUCCESS) {
		for (struct ares_addr_port_node *s = list; s != NULL;
		    s = s->next) {
			char a[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 16];
			unsigned port = s->udp_port != 0 ? (unsigned)s->udp_port :
			    53u;

			if (s->family == AF_INET) {
				uint32_t v = ntohl(s->addr.addr4.s_addr);

				if ((v >> 24) == 127 || v == 0)
					continue;
				inet_ntop(AF_INET, &s->addr.addr4, a, sizeof(a));
				snprintf(buf, sizeof(buf), "%s:%u", a, port);
			} else if (s->family == AF_INET6) {
				static const uint8_t zero[16], one[16] = {
				    [15] = 1 };

				if (memcmp(&s->addr.addr6, zero, 16) == 0 ||
				    memcmp(&s->addr.addr6, one, 16) == 0)
					continue;
				inet_ntop(AF_INET6, &s->addr.addr6, a,
				    sizeof(a));
				snprintf(buf, sizeof(buf), "[%s]:%u", a, port);
			} else {
				continue;
			}
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = xstrdup(buf);
		}
		ares_free_data(list);
	}
	ares_destroy(ch);
	return n;
}
