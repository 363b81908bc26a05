/* server.c - DNS workers on libevent: UDP, the table and configuration
 * they follow, forwarding (see server.h); TCP connections are tcp.c. */
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
#include "tcp.h"
#include "worker.h"

const char *const server_qtype_names[SERVER_QT_N] = { "A", "AAAA", "SRV",
    "SOA", "NS", "ANY", "PTR", "MX", "TXT", "other" };
static const uint16_t qtype_codes[SERVER_QT_N - 1] = { 1, 28, 33, 6, 2, 255,
    12, 15, 16 };
const char *const server_rcode_names[SERVER_RC_N] = { "NOERROR", "FORMERR",
    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other" };

void
worker_count_type(struct worker *w, uint16_t qtype)
{
	unsigned i = 0;

	while (i < SERVER_QT_N - 1 && qtype_codes[i] != qtype)
		i++;
	atomic_fetch_add_explicit(&w->by_type[i], 1, memory_order_relaxed);
}

void
worker_count_rcode(struct worker *w, unsigned rcode)
{
	unsigned i = rcode <= 5 ? rcode : rcode == 16 ? 6 : 7;

	atomic_fetch_add_explicit(&w->by_rcode[i], 1, memory_order_relaxed);
}

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
		atomic_fetch_add_explicit(&w->dropped, 1, memory_order_relaxed);
		return;
	}
	worker_count_rcode(w, info->rcode);
	if (info->truncated)
		atomic_fetch_add_explicit(&w->truncated, 1,
		    memory_order_relaxed);
	if (info->rcode == RCODE_REFUSED)
		atomic_fetch_add_explicit(&w->refused, 1, memory_order_relaxed);
}

/* A name outside our zone: forward it, or leave the REFUSED answer_query
 * wrote.  True when forwarded (the answer comes later). */
bool
worker_try_forward(struct worker *w, const uint8_t *pkt, size_t len,
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
			    worker_rand(w), &olen, &info);
			if (k != ANSWER_DROP)
				worker_count_type(w, info.qtype);
			if (k == ANSWER_NOT_OURS) {
				struct fwd_client cl;

				cl.tcp = false;
				cl.conn = NULL;
				memcpy(&cl.addr, &w->from[i], sizeof(cl.addr));
				cl.addrlen = h->msg_namelen;
				if (worker_try_forward(w, w->qbuf[i], n,
				    w->conf->o.recurse_from != NULL &&
				    acl_match(w->conf->o.recurse_from,
				    (struct sockaddr *)&w->from[i]), &cl))
					continue;
			}
			worker_count(w, k, &info);
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

/* A forwarded query's answer (resp NULL: none will come). */
static void
fwd_done(void *arg, const struct fwd_client *cl, const uint8_t *resp,
    size_t len)
{
	struct worker *w = arg;

	if (resp != NULL && len >= MSG_HDR_LEN)
		worker_count_rcode(w, resp[3] & 0xf);
	if (!cl->tcp) {
		if (resp != NULL)
			(void)sendto(w->udp_fd, resp, len, 0,
			    (const struct sockaddr *)&cl->addr, cl->addrlen);
		return;
	}
	tcp_fwd_answer(cl->conn, resp, len);
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
	w->listener = evconnlistener_new(w->base, tcp_accept_cb, w,
	    LEV_OPT_CLOSE_ON_FREE, -1, w->tcp_fd);
	w->accept_ev = evtimer_new(w->base, tcp_accept_resume_cb, w);
	if (w->udp_ev == NULL || w->swap_ev == NULL || w->stop_ev == NULL ||
	    w->listener == NULL || w->accept_ev == NULL) {
		snprintf(errbuf, errlen, "cannot create listener events");
		return -1;
	}
	w->tcp_fd = -1;		/* the listener owns it now */
	evconnlistener_set_error_cb(w->listener, tcp_accept_error_cb);
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
		tcp_conns_free_all(w);
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
