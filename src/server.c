/* server.c - UDP and TCP listeners on libevent (see server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "arena.h"
#include "log.h"
#include "message.h"
#include "server.h"

#define UDP_BATCH 64		/* datagrams per callback before yielding */
#define UDP_VLEN 32		/* datagrams per recvmmsg / sendmmsg */
#define UDP_QMAX 4096		/* a larger UDP query is dropped */
#define UDP_OUT (UDP_VLEN * 2048 + MSG_UDP_MAX)	/* answers of a batch */
#define TCP_OUT_HIGH (256u * 1024)	/* stop reading past this backlog */
#define TCP_FWD_MAX 64
#define UDP_RCVBUF (4 << 20)		/* forwarded queries one connection holds */

/* What the workers follow besides the table: a deep copy of the options,
 * replaced as a whole by server_reconfigure() and freed by its last
 * holder (the server, a worker, a retired forwarder). */
struct sconf {
	atomic_uint refs;
	struct server_opts o;	/* o.fwd.groups, o.recurse_from: below */
	struct fwd_group_cfg *groups;
	char **zones, ***servers;	/* what groups points to, owned */
	struct acl acl;
	struct fwd_shared *fwd_shared;	/* NULL: not forwarding */
};

/* A forwarder replaced by a reconfiguration: freed once every query it
 * holds has had its answer or its SERVFAIL (its own timeout bounds that). */
struct retired {
	struct worker *w;
	struct fwd *fwd;
	struct sconf *conf;
	struct event *timer;
	struct fwd_stats seen;	/* counted into the worker's fwd_old */
	struct retired *next;
};

struct worker {
	struct server *srv;
	pthread_t thread;
	bool started;
	struct event_base *base;
	int udp_fd, tcp_fd;
	struct event *udp_ev, *swap_ev, *stop_ev;
	struct evconnlistener *listener;
	/* accept() failing (out of descriptors): the listener rests for
	 * accept_backoff_ms, doubled while it keeps failing, instead of
	 * spinning on a connection it cannot take. */
	struct event *accept_ev;
	unsigned accept_backoff_ms;
	pthread_mutex_t mu;
	struct table *pending;	/* under mu */
	struct sconf *pending_conf;	/* under mu */
	struct table *cur;	/* this thread only */
	struct sconf *conf;	/* this thread only */
	struct fwd *fwd;	/* NULL: forwarding off */
	struct fwd *_Atomic fwd_pub;	/* fwd, for server_stats() */
	struct retired *retired;	/* this thread only */
	unsigned n_conns;
	struct conn *conns;
	uint32_t rng;
	uint8_t in[MSG_MAX + 2];
	uint8_t out[MSG_MAX + 2];
	/* UDP batches: queries in, answers out, one system call each way. */
	struct mmsghdr rmsg[UDP_VLEN], smsg[UDP_VLEN];
	struct iovec riov[UDP_VLEN], siov[UDP_VLEN];
	struct sockaddr_storage from[UDP_VLEN];
	uint8_t qbuf[UDP_VLEN][UDP_QMAX];
	uint8_t abuf[UDP_OUT];
	_Atomic uint64_t udp_q, tcp_q, dropped, truncated, refused, tcp_full,
	    not_recursed, accept_errors;
	_Atomic uint64_t by_type[SERVER_QT_N], by_rcode[SERVER_RC_N];
	/* Counts of forwarders no longer current, so totals never fall. */
	_Atomic uint64_t fwd_old[7];
};

const char *const server_qtype_names[SERVER_QT_N] = { "A", "AAAA", "SRV",
    "SOA", "NS", "ANY", "PTR", "MX", "TXT", "other" };
static const uint16_t qtype_codes[SERVER_QT_N - 1] = { 1, 28, 33, 6, 2, 255,
    12, 15, 16 };
const char *const server_rcode_names[SERVER_RC_N] = { "NOERROR", "FORMERR",
    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other" };

static void
count_type(struct worker *w, uint16_t qtype)
{
	unsigned i = 0;

	while (i < SERVER_QT_N - 1 && qtype_codes[i] != qtype)
		i++;
	atomic_fetch_add_explicit(&w->by_type[i], 1, memory_order_relaxed);
}

static void
count_rcode(struct worker *w, unsigned rcode)
{
	unsigned i = rcode <= 5 ? rcode : rcode == 16 ? 6 : 7;

	atomic_fetch_add_explicit(&w->by_rcode[i], 1, memory_order_relaxed);
}

struct server {
	char *addr;
	int port;
	struct sconf *conf;	/* the latest; workers switch to it */
	struct worker *w;
	int n;
};

static char *
dup_str(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Copy o with everything it points to. */
static struct sconf *
sconf_new(const struct server_opts *o)
{
	struct sconf *c = xcalloc(1, sizeof(*c));
	size_t n;

	atomic_init(&c->refs, 1);
	c->o = *o;
	c->o.addr = NULL;
	c->o.recurse_from = NULL;
	if (o->recurse_from != NULL && o->recurse_from->n > 0) {
		c->acl.n = o->recurse_from->n;
		c->acl.v = xcalloc(c->acl.n, sizeof(*c->acl.v));
		memcpy(c->acl.v, o->recurse_from->v,
		    c->acl.n * sizeof(*c->acl.v));
	}
	if (o->recurse_from != NULL)
		c->o.recurse_from = &c->acl;
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

static struct sconf *
sconf_ref(struct sconf *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

static void
sconf_unref(struct sconf *c)
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
	fwd_shared_free(c->fwd_shared);
	free(c);
}

struct conn {
	struct worker *w;
	struct bufferevent *bev;
	/* When the message now being read began; a query must arrive whole
	 * within the idle time of its first byte, so a client trickling
	 * bytes cannot hold a connection forever.  0: between messages. */
	struct timeval msg_start;
	struct conn *prev, *next;	/* the worker's open connections */
	bool may_recurse;	/* the client is in recurseFrom */
	bool closed;		/* kept only for answers being forwarded */
	unsigned n_fwd;		/* queries being forwarded for it */
};

static uint32_t
next_rand(struct worker *w)
{
	/* xorshift32: shuffling needs variety, not secrecy. */
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	w->rng = x;
	return x;
}

static void
count(struct worker *w, enum answer_kind k, const struct answer_info *info)
{
	if (k == ANSWER_DROP) {
		atomic_fetch_add_explicit(&w->dropped, 1, memory_order_relaxed);
		return;
	}
	count_rcode(w, info->rcode);
	if (info->truncated)
		atomic_fetch_add_explicit(&w->truncated, 1,
		    memory_order_relaxed);
	if (info->rcode == RCODE_REFUSED)
		atomic_fetch_add_explicit(&w->refused, 1, memory_order_relaxed);
}

/* A name outside our zone: forward it, or leave the REFUSED answer_query
 * wrote.  True when forwarded (the answer comes later). */
static bool
try_forward(struct worker *w, const uint8_t *pkt, size_t len,
    bool may_recurse, struct fwd_client *cl)
{
	struct query q;

	if (w->fwd == NULL)
		return false;
	if (!may_recurse) {
		atomic_fetch_add_explicit(&w->not_recursed, 1,
		    memory_order_relaxed);
		return false;
	}
	if (message_parse_query(pkt, len, &q) != MSG_OK ||
	    q.qtype == RR_AXFR || q.qtype == RR_IXFR)
		return false;	/* zone transfers are not relayed */
	fwd_query(w->fwd, pkt, len, &q, cl);
	return true;
}

/* Send the answers gathered in smsg[0..n). */
static void
udp_flush(struct worker *w, int fd, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(fd, w->smsg + done, n - done, 0);

		/* A failed send loses one answer; the client retries. */
		done += r > 0 ? (unsigned)r : 1;
	}
}

static void
udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	int got;

	(void)what;
	for (int round = 0; round < UDP_BATCH / UDP_VLEN; round++) {
		unsigned ns = 0;
		size_t used = 0;

		for (int i = 0; i < UDP_VLEN; i++) {
			w->riov[i].iov_base = w->qbuf[i];
			w->riov[i].iov_len = UDP_QMAX;
			memset(&w->rmsg[i].msg_hdr, 0, sizeof(struct msghdr));
			w->rmsg[i].msg_hdr.msg_name = &w->from[i];
			w->rmsg[i].msg_hdr.msg_namelen = sizeof(w->from[i]);
			w->rmsg[i].msg_hdr.msg_iov = &w->riov[i];
			w->rmsg[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(fd, w->rmsg, UDP_VLEN, MSG_DONTWAIT, NULL);
		if (got <= 0)
			return;	/* EAGAIN, or an error for an old send */
		for (int i = 0; i < got; i++) {
			struct msghdr *h = &w->rmsg[i].msg_hdr;
			size_t n = w->rmsg[i].msg_len, olen = 0;
			struct answer_info info;
			enum answer_kind k;

			atomic_fetch_add_explicit(&w->udp_q, 1,
			    memory_order_relaxed);
			if (h->msg_flags & MSG_TRUNC) {
				atomic_fetch_add_explicit(&w->dropped, 1,
				    memory_order_relaxed);
				continue;
			}
			if (UDP_OUT - used < MSG_UDP_MAX) {
				udp_flush(w, fd, ns);
				ns = 0;
				used = 0;
			}
			k = answer_query(w->cur, &w->conf->o.answer, w->qbuf[i],
			    n, w->abuf + used, MSG_UDP_MAX, false,
			    next_rand(w), &olen, &info);
			if (k != ANSWER_DROP)
				count_type(w, info.qtype);
			if (k == ANSWER_NOT_OURS) {
				struct fwd_client cl;

				cl.tcp = false;
				cl.conn = NULL;
				memcpy(&cl.addr, &w->from[i], sizeof(cl.addr));
				cl.addrlen = h->msg_namelen;
				if (try_forward(w, w->qbuf[i], n,
				    w->conf->o.recurse_from != NULL &&
				    acl_match(w->conf->o.recurse_from,
				    (struct sockaddr *)&w->from[i]), &cl))
					continue;
			}
			count(w, k, &info);
			if (k == ANSWER_DROP)
				continue;
			w->siov[ns].iov_base = w->abuf + used;
			w->siov[ns].iov_len = olen;
			memset(&w->smsg[ns].msg_hdr, 0, sizeof(struct msghdr));
			w->smsg[ns].msg_hdr.msg_name = &w->from[i];
			w->smsg[ns].msg_hdr.msg_namelen = h->msg_namelen;
			w->smsg[ns].msg_hdr.msg_iov = &w->siov[ns];
			w->smsg[ns].msg_hdr.msg_iovlen = 1;
			ns++;
			used += (olen + 15) & ~(size_t)15;
		}
		udp_flush(w, fd, ns);
		if (got < UDP_VLEN)
			return;
	}
}

/* Close c; its memory stays while answers are being forwarded for it. */
static void
conn_free(struct conn *c)
{
	struct worker *w = c->w;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->n_conns--;
	bufferevent_free(c->bev);
	c->bev = NULL;
	c->closed = true;
	if (c->n_fwd == 0)
		free(c);
}

/* Read queries again unless the client is behind on its answers or has
 * too many being forwarded; a whole query already buffered is handled. */
static void
conn_resume(struct conn *c)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
	    TCP_OUT_HIGH || c->n_fwd >= TCP_FWD_MAX ||
	    (bufferevent_get_enabled(c->bev) & EV_READ))
		return;
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS |
		    BEV_TRIG_IGNORE_WATERMARKS);
}

/* Has the message being read taken longer than the idle time? */
static bool
too_slow(struct conn *c)
{
	struct timeval now, d;
	unsigned ms;

	event_base_gettimeofday_cached(c->w->base, &now);
	timersub(&now, &c->msg_start, &d);
	ms = (unsigned)d.tv_sec * 1000u + (unsigned)(d.tv_usec / 1000);
	return ms >= c->w->conf->o.tcp_idle_ms;
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct worker *w = c->w;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);

	for (;;) {
		uint8_t hdr[2];
		size_t len, olen = 0;
		struct answer_info info;
		enum answer_kind k;

		if (evbuffer_get_length(in) == 0) {
			timerclear(&c->msg_start);
			break;
		}
		if (!timerisset(&c->msg_start))
			event_base_gettimeofday_cached(w->base, &c->msg_start);
		if (evbuffer_copyout(in, hdr, 2) < 2 || evbuffer_get_length(in) <
		    ((size_t)hdr[0] << 8 | hdr[1]) + 2u) {
			if (too_slow(c)) {
				conn_free(c);
				return;
			}
			break;
		}
		timerclear(&c->msg_start);
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (len == 0) {
			conn_free(c);
			return;
		}
		evbuffer_drain(in, 2);
		evbuffer_remove(in, w->in, len);
		atomic_fetch_add_explicit(&w->tcp_q, 1, memory_order_relaxed);
		k = answer_query(w->cur, &w->conf->o.answer, w->in, len,
		    w->out + 2, MSG_MAX, true, next_rand(w), &olen, &info);
		if (k != ANSWER_DROP)
			count_type(w, info.qtype);
		if (k == ANSWER_NOT_OURS) {
			struct fwd_client cl;

			memset(&cl, 0, sizeof(cl));
			cl.tcp = true;
			cl.conn = c;
			c->n_fwd++;
			if (try_forward(w, w->in, len, c->may_recurse, &cl)) {
				if (c->n_fwd >= TCP_FWD_MAX) {
					bufferevent_disable(bev, EV_READ);
					break;
				}
				continue;
			}
			c->n_fwd--;
		}
		count(w, k, &info);
		if (k == ANSWER_DROP) {
			/* RFC 7766 allows closing on a message we cannot
			 * use; it also stops a stream of garbage. */
			conn_free(c);
			return;
		}
		w->out[0] = (uint8_t)(olen >> 8);
		w->out[1] = (uint8_t)(olen & 0xff);
		evbuffer_add(out, w->out, olen + 2);
		if (evbuffer_get_length(out) > TCP_OUT_HIGH) {
			/* The client is not reading: stop reading its
			 * queries until it drains its answers. */
			bufferevent_disable(bev, EV_READ);
			break;
		}
	}
}

static void
tcp_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	/* Called when the output drained to the low watermark (0). */
	conn_resume(arg);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if ((what & BEV_EVENT_TIMEOUT) && c->n_fwd > 0 &&
	    !(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))) {
		/* Idle only because its answers are still upstream. */
		bufferevent_enable(bev, what & (EV_READ | EV_WRITE));
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

/* A forwarded query's answer (resp NULL: none will come). */
static void
fwd_done(void *arg, const struct fwd_client *cl, const uint8_t *resp,
    size_t len)
{
	struct worker *w = arg;
	struct conn *c;
	uint8_t hdr[2];

	if (resp != NULL && len >= MSG_HDR_LEN)
		count_rcode(w, resp[3] & 0xf);
	if (!cl->tcp) {
		if (resp != NULL)
			(void)sendto(w->udp_fd, resp, len, 0,
			    (const struct sockaddr *)&cl->addr, cl->addrlen);
		return;
	}
	c = cl->conn;
	c->n_fwd--;
	if (c->closed) {
		if (c->n_fwd == 0)
			free(c);
		return;
	}
	if (resp != NULL) {
		hdr[0] = (uint8_t)(len >> 8);
		hdr[1] = (uint8_t)(len & 0xff);
		evbuffer_add(bufferevent_get_output(c->bev), hdr, 2);
		evbuffer_add(bufferevent_get_output(c->bev), resp, len);
	}
	conn_resume(c);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct worker *w = arg;
	struct conn *c;
	struct timeval tv;

	(void)l;
	(void)salen;
	w->accept_backoff_ms = 0;
	if (w->n_conns >= w->conf->o.tcp_max_conns) {
		atomic_fetch_add_explicit(&w->tcp_full, 1, memory_order_relaxed);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->w = w;
	c->may_recurse = w->conf->o.recurse_from != NULL &&
	    acl_match(w->conf->o.recurse_from, sa);
	c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	w->n_conns++;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	tv.tv_sec = w->conf->o.tcp_idle_ms / 1000;
	tv.tv_usec = (suseconds_t)(w->conf->o.tcp_idle_ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	/* Bound what one connection may queue: one message and a bit. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, MSG_MAX + 2 + 4096);
	bufferevent_setcb(c->bev, tcp_read_cb, tcp_write_cb, tcp_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

#define ACCEPT_BACKOFF_MIN_MS 10
#define ACCEPT_BACKOFF_MAX_MS 1000

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(w->listener);
}

/* accept() failed for a reason other than a connection gone before it
 * was taken (libevent handles those): count it, and rest the listener
 * 10 ms, then twice as long each time until an accept succeeds, 1 s at
 * most.  The connections waiting stay in the kernel's backlog. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct worker *w = arg;
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	atomic_fetch_add_explicit(&w->accept_errors, 1, memory_order_relaxed);
	if (w->accept_backoff_ms == 0)
		log_warn("TCP accept failed, pausing new connections: %s",
		    evutil_socket_error_to_string(e));
	w->accept_backoff_ms = w->accept_backoff_ms == 0 ?
	    ACCEPT_BACKOFF_MIN_MS : w->accept_backoff_ms * 2;
	if (w->accept_backoff_ms > ACCEPT_BACKOFF_MAX_MS)
		w->accept_backoff_ms = ACCEPT_BACKOFF_MAX_MS;
	evconnlistener_disable(l);
	tv.tv_sec = w->accept_backoff_ms / 1000;
	tv.tv_usec = (suseconds_t)(w->accept_backoff_ms % 1000) * 1000;
	evtimer_add(w->accept_ev, &tv);
}

/* Add what f counted since *seen to the worker's fwd_old. */
static void
fwd_count_old(struct worker *w, struct fwd *f, struct fwd_stats *seen)
{
	struct fwd_stats n;
	uint64_t d[7];

	fwd_stats(f, &n);
	d[0] = n.queries - seen->queries;
	d[1] = n.answered - seen->answered;
	d[2] = n.timeouts - seen->timeouts;
	d[3] = n.failed - seen->failed;
	d[4] = n.overflow - seen->overflow;
	d[5] = n.hedged - seen->hedged;
	d[6] = n.upstream_errors - seen->upstream_errors;
	for (int i = 0; i < 7; i++)
		atomic_fetch_add_explicit(&w->fwd_old[i], d[i],
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
	sconf_unref(r->conf);
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
		f = fwd_new(w->base, &conf->o.fwd, conf->fwd_shared, fwd_done,
		    w, err, sizeof(err));
		if (f == NULL) {
			log_err("reconfiguration not applied: %s", err);
			sconf_unref(conf);
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
		r->conf = sconf_ref(w->conf);
		r->timer = evtimer_new(w->base, retired_cb, r);
		r->next = w->retired;
		w->retired = r;
		evtimer_add(r->timer, &tv);
	}
	w->fwd = f;
	atomic_store(&w->fwd_pub, f);
	sconf_unref(w->conf);
	w->conf = conf;
}

static void
swap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct table *t;
	struct sconf *conf;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mu);
	t = w->pending;
	w->pending = NULL;
	conf = w->pending_conf;
	w->pending_conf = NULL;
	pthread_mutex_unlock(&w->mu);
	if (conf != NULL)
		worker_use_conf(w, conf);
	if (t == NULL)
		return;
	/* Between callbacks: no query holds the old table now. */
	table_unref(w->cur);
	w->cur = t;
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(w->base);
}

static int
make_addr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static int
bind_socket(const char *addr, int port, int type, bool reuseport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1, r;

	if ((r = make_addr(addr, port, &ss, &len)) != 0)
		return r;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (type == SOCK_DGRAM) {
		/* Room for a burst: the kernel's default holds only a few
		 * hundred datagrams.  Capped by net.core.rmem_max. */
		int sz = UDP_RCVBUF;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 1024) != 0)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int
worker_init(struct server *s, struct worker *w, unsigned idx,
    struct table *t, char *errbuf, size_t errlen)
{
	bool multi = s->n > 1;

	w->srv = s;
	w->udp_fd = w->tcp_fd = -1;
	w->rng = 0x9E3779B9u ^ (idx + 1) * 2654435761u;
	pthread_mutex_init(&w->mu, NULL);
	w->cur = table_ref(t);
	w->conf = sconf_ref(s->conf);
	w->udp_fd = bind_socket(s->addr, s->port, SOCK_DGRAM, multi);
	if (w->udp_fd < 0) {
		snprintf(errbuf, errlen, "cannot bind UDP %s port %d: %s",
		    s->addr, s->port, strerror(-w->udp_fd));
		return -1;
	}
	w->tcp_fd = bind_socket(s->addr, s->port, SOCK_STREAM, multi);
	if (w->tcp_fd < 0) {
		snprintf(errbuf, errlen, "cannot bind TCP %s port %d: %s",
		    s->addr, s->port, strerror(-w->tcp_fd));
		return -1;
	}
	w->base = event_base_new();
	if (w->base == NULL) {
		snprintf(errbuf, errlen, "cannot create an event base");
		return -1;
	}
	w->udp_ev = event_new(w->base, w->udp_fd, EV_READ | EV_PERSIST,
	    udp_cb, w);
	w->swap_ev = event_new(w->base, -1, 0, swap_cb, w);
	w->stop_ev = event_new(w->base, -1, 0, stop_cb, w);
	w->listener = evconnlistener_new(w->base, accept_cb, w,
	    LEV_OPT_CLOSE_ON_FREE, -1, w->tcp_fd);
	w->accept_ev = evtimer_new(w->base, accept_resume_cb, w);
	if (w->udp_ev == NULL || w->swap_ev == NULL || w->stop_ev == NULL ||
	    w->listener == NULL || w->accept_ev == NULL) {
		snprintf(errbuf, errlen, "cannot create listener events");
		return -1;
	}
	w->tcp_fd = -1;		/* the listener owns it now */
	evconnlistener_set_error_cb(w->listener, accept_error_cb);
	event_add(w->udp_ev, NULL);
	if (w->conf->o.forward) {
		w->fwd = fwd_new(w->base, &w->conf->o.fwd,
		    w->conf->fwd_shared, fwd_done, w, errbuf, errlen);
		if (w->fwd == NULL)
			return -1;
		atomic_store(&w->fwd_pub, w->fwd);
	}
	return 0;
}

struct server *
server_new(const struct server_opts *o, struct table *t, char *errbuf,
    size_t errlen)
{
	struct server *s = xcalloc(1, sizeof(*s));

	s->addr = xstrdup(o->addr);
	s->port = o->port;
	s->conf = sconf_new(o);
	s->n = o->workers < 1 ? 1 : o->workers;
	s->w = xcalloc((size_t)s->n, sizeof(*s->w));
	for (int i = 0; i < s->n; i++) {
		if (worker_init(s, &s->w[i], (unsigned)i, t, errbuf,
		    errlen) != 0) {
			s->n = i + 1;
			server_free(s);
			return NULL;
		}
	}
	return s;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

int
server_start(struct server *s)
{
	for (int i = 0; i < s->n; i++) {
		int r = pthread_create(&s->w[i].thread, NULL, worker_main,
		    &s->w[i]);

		if (r != 0)
			return -r;
		s->w[i].started = true;
	}
	return 0;
}

void
server_publish(struct server *s, struct table *t)
{
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct table *old;

		pthread_mutex_lock(&w->mu);
		old = w->pending;
		w->pending = table_ref(t);
		pthread_mutex_unlock(&w->mu);
		table_unref(old);
		event_active(w->swap_ev, EV_READ, 0);
	}
}

void
server_reconfigure(struct server *s, const struct server_opts *o)
{
	sconf_unref(s->conf);
	s->conf = sconf_new(o);
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct sconf *old;

		pthread_mutex_lock(&w->mu);
		old = w->pending_conf;
		w->pending_conf = sconf_ref(s->conf);
		pthread_mutex_unlock(&w->mu);
		sconf_unref(old);
		event_active(w->swap_ev, EV_READ, 0);
	}
}

void
server_stats(struct server *s, struct server_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];

		out->udp_queries += atomic_load(&w->udp_q);
		out->tcp_queries += atomic_load(&w->tcp_q);
		out->dropped += atomic_load(&w->dropped);
		out->truncated += atomic_load(&w->truncated);
		out->refused += atomic_load(&w->refused);
		out->tcp_refused_conns += atomic_load(&w->tcp_full);
		out->tcp_accept_errors += atomic_load(&w->accept_errors);
		out->not_recursed += atomic_load(&w->not_recursed);
		for (int j = 0; j < SERVER_QT_N; j++)
			out->by_type[j] += atomic_load(&w->by_type[j]);
		for (int j = 0; j < SERVER_RC_N; j++)
			out->by_rcode[j] += atomic_load(&w->by_rcode[j]);
		struct fwd *fw = atomic_load(&w->fwd_pub);

		if (fw != NULL) {
			struct fwd_stats f;

			/* A replaced forwarder lives a second at least. */
			fwd_stats(fw, &f);
			out->fwd.queries += f.queries;
			out->fwd.answered += f.answered;
			out->fwd.timeouts += f.timeouts;
			out->fwd.failed += f.failed;
			out->fwd.overflow += f.overflow;
			out->fwd.hedged += f.hedged;
			out->fwd.upstream_errors += f.upstream_errors;
			out->fwd.in_flight += f.in_flight;
		}
		out->fwd.queries += atomic_load(&w->fwd_old[0]);
		out->fwd.answered += atomic_load(&w->fwd_old[1]);
		out->fwd.timeouts += atomic_load(&w->fwd_old[2]);
		out->fwd.failed += atomic_load(&w->fwd_old[3]);
		out->fwd.overflow += atomic_load(&w->fwd_old[4]);
		out->fwd.hedged += atomic_load(&w->fwd_old[5]);
		out->fwd.upstream_errors += atomic_load(&w->fwd_old[6]);
	}
}

static void
conns_free_all(struct worker *w)
{
	while (w->conns != NULL)
		conn_free(w->conns);
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];

		if (w->started) {
			event_active(w->stop_ev, EV_READ, 0);
			pthread_join(w->thread, NULL);
		}
	}
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];

		/* Answers still upstream are dropped; closed connections
		 * waiting for them go with them. */
		fwd_free(w->fwd);
		while (w->retired != NULL) {
			struct retired *r = w->retired;

			w->retired = r->next;
			retired_free(r);
		}
		conns_free_all(w);
		if (w->listener != NULL)
			evconnlistener_free(w->listener);
		if (w->udp_ev != NULL)
			event_free(w->udp_ev);
		if (w->swap_ev != NULL)
			event_free(w->swap_ev);
		if (w->stop_ev != NULL)
			event_free(w->stop_ev);
		if (w->accept_ev != NULL)
			event_free(w->accept_ev);
		if (w->udp_fd >= 0)
			close(w->udp_fd);
		if (w->tcp_fd >= 0)
			close(w->tcp_fd);
		if (w->base != NULL)
			event_base_free(w->base);
		table_unref(w->pending);
		table_unref(w->cur);
		sconf_unref(w->pending_conf);
		sconf_unref(w->conf);
		pthread_mutex_destroy(&w->mu);
	}
	free(s->w);
	sconf_unref(s->conf);
	free(s->addr);
	free(s);
}
