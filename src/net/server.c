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

#include "util/arena.h"
#include "conf/config.h"
#include "util/log.h"
#include "dns/message.h"
#include "net/server.h"
#include "net/tcp.h"
#include "net/worker.h"

const char *const server_qtype_names[SERVER_QT_N] = { "A", "AAAA", "SRV",
    "SOA", "NS", "ANY", "PTR", "MX", "TXT", "other" };
static const uint16_t qtype_codes[SERVER_QT_N - 1] = { RR_A, RR_AAAA,
    RR_SRV, RR_SOA, RR_NS, RR_ANY, RR_PTR, RR_MX, RR_TXT };
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
static struct sconf *
sconf_new(const struct server_opts *o)
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
udp_flush(int fd, struct mmsghdr *msgs, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(fd, msgs + done, n - done, 0);

		/* A failed send loses one answer; the client retries. */
		done += r > 0 ? (unsigned)r : 1;
	}
}

/* The source for the answer to a query received with h: the local
 * address it came to (RFC 1122 4.1.3.5: a reply leaves from the address
 * the request was sent to), as a control message for sendmsg.  For IPv4,
 * ipi_spec_dst is that address and the route picks the interface; for
 * IPv6 the interface stays, as a link-local address needs. */
static void
reply_source(const struct msghdr *h, struct fwd_pktinfo *out)
{
	struct cmsghdr *c;

	out->len = 0;
	for (c = CMSG_FIRSTHDR(h); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)(uintptr_t)h, c)) {
		struct cmsghdr *o = (struct cmsghdr *)(void *)out->buf;

		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_ifindex = 0;
			memset(&pi.ipi_addr, 0, sizeof(pi.ipi_addr));
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			out->len = CMSG_SPACE(sizeof(pi));
			return;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(o), CMSG_DATA(c),
			    sizeof(struct in6_pktinfo));
			out->len = CMSG_SPACE(sizeof(struct in6_pktinfo));
			return;
		}
	}
}

/* Point m at an answer of len bytes to the sender of query i. */
static void
udp_reply_msg(struct worker *w, unsigned ns, unsigned i, uint8_t *buf,
    size_t len, const struct fwd_pktinfo *from)
{
	struct msghdr *m = &w->smsg[ns].msg_hdr;

	w->siov[ns].iov_base = buf;
	w->siov[ns].iov_len = len;
	memset(m, 0, sizeof(*m));
	m->msg_name = &w->from[i];
	m->msg_namelen = w->rmsg[i].msg_hdr.msg_namelen;
	m->msg_iov = &w->siov[ns];
	m->msg_iovlen = 1;
	if (from->len > 0) {
		w->sctl[ns] = *from;
		m->msg_control = w->sctl[ns].buf;
		m->msg_controllen = from->len;
	}
}

static void
udp_recv_setup(struct worker *w, bool pktinfo)
{
	for (int i = 0; i < UDP_VLEN; i++) {
		struct msghdr *h = &w->rmsg[i].msg_hdr;

		w->riov[i].iov_base = w->qbuf[i];
		w->riov[i].iov_len = UDP_QMAX;
		memset(h, 0, sizeof(*h));
		h->msg_name = &w->from[i];
		h->msg_namelen = sizeof(w->from[i]);
		h->msg_iov = &w->riov[i];
		h->msg_iovlen = 1;
		if (pktinfo) {
			h->msg_control = w->rctl[i].buf;
			h->msg_controllen = sizeof(w->rctl[i].buf);
		}
	}
}

static void
udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock *us = arg;
	struct worker *w = us->w;
	int got;

	(void)what;
	for (int round = 0; round < UDP_BATCH / UDP_VLEN; round++) {
		unsigned ns = 0;
		size_t used = 0;

		udp_recv_setup(w, us->pktinfo);
		got = recvmmsg(fd, w->rmsg, UDP_VLEN, MSG_DONTWAIT, NULL);
		if (got <= 0)
			return;	/* EAGAIN, or an error for an old send */
		for (int i = 0; i < got; i++) {
			struct msghdr *h = &w->rmsg[i].msg_hdr;
			size_t n = w->rmsg[i].msg_len, olen = 0;
			struct answer_info info;
			struct fwd_pktinfo src = { .len = 0 };
			enum answer_kind k;

			atomic_fetch_add_explicit(&w->udp_q, 1,
			    memory_order_relaxed);
			if (h->msg_flags & MSG_TRUNC) {
				atomic_fetch_add_explicit(&w->dropped, 1,
				    memory_order_relaxed);
				continue;
			}
			if (us->pktinfo)
				reply_source(h, &src);
			if (UDP_OUT - used < MSG_UDP_MAX) {
				udp_flush(fd, w->smsg, ns);
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
				cl.fd = fd;
				cl.from = src;
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
			udp_reply_msg(w, ns, (unsigned)i, w->abuf + used, olen,
			    &src);
			ns++;
			used += (olen + 15) & ~(size_t)15;
		}
		udp_flush(fd, w->smsg, ns);
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
		struct fwd_client c = *cl;	/* sendmsg's pointers are not const */
		struct iovec iov = { (void *)(uintptr_t)resp, len };
		struct msghdr m = { 0 };

		if (resp == NULL)
			return;
		m.msg_name = &c.addr;
		m.msg_namelen = c.addrlen;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (c.from.len > 0) {
			m.msg_control = c.from.buf;
			m.msg_controllen = c.from.len;
		}
		(void)sendmsg(c.fd, &m, 0);
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

/* Add addr (text) to what s binds, once; false when it is not an IP
 * literal. */
static bool
add_bind(struct server *s, const char *addr, int port, bool implicit)
{
	struct bind_addr b;

	memset(&b, 0, sizeof(b));
	if (make_addr(addr, port, &b.ss, &b.len) != 0)
		return false;
	for (unsigned i = 0; i < s->n_binds; i++)
		if (s->binds[i].len == b.len &&
		    memcmp(&s->binds[i].ss, &b.ss, b.len) == 0) {
			s->binds[i].implicit &= implicit;
			return true;
		}
	if (s->n_binds == SERVER_MAX_SOCKETS)
		return true;
	b.any = config_is_wildcard(addr);
	b.implicit = implicit;
	snprintf(b.text, sizeof(b.text), "%s", addr);
	s->binds[s->n_binds++] = b;
	return true;
}

/* The sockets behind o's addresses: each address, a wildcard as both
 * 0.0.0.0 and :: (mesos-dns's 0.0.0.0 was dual-stack). */
static int
plan_binds(struct server *s, const struct server_opts *o, char *errbuf,
    size_t errlen)
{
	for (size_t i = 0; i < o->n_addrs; i++) {
		const char *a = o->addrs[i];
		bool ok;

		if (config_is_wildcard(a))
			ok = add_bind(s, "0.0.0.0", o->port,
			    strchr(a, ':') != NULL) &&
			    add_bind(s, "::", o->port, strchr(a, ':') == NULL);
		else
			ok = add_bind(s, a, o->port, false);
		if (!ok) {
			snprintf(errbuf, errlen, "cannot listen on \"%s\": not "
			    "an IP address", a);
			return -1;
		}
	}
	if (s->n_binds == 0) {
		snprintf(errbuf, errlen, "no address to listen on");
		return -1;
	}
	return 0;
}

static int
bind_socket(const struct bind_addr *b, int type, bool reuseport)
{
	int fd, on = 1, r;

	fd = socket(b->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (type == SOCK_DGRAM) {
		/* Room for a burst: the kernel's default holds only a few
		 * hundred datagrams.  Capped by net.core.rmem_max. */
		int sz = UDP_RCVBUF;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		/* A wildcard socket learns each query's destination, so the
		 * answer can leave from it (udp_cb). */
		if (b->any && b->ss.ss_family == AF_INET &&
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
		    sizeof(on)) != 0)
			goto fail;
		if (b->any && b->ss.ss_family == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on)) != 0)
			goto fail;
	}
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
		goto fail;
	/* IPv4 has sockets of its own: :: takes IPv6 alone. */
	if (b->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&b->ss, b->len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 1024) != 0))
		goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

/* Is this failure to bind the implicit half of a wildcard one that means
 * the host has no such family (IPv6 turned off)? */
static bool
is_family_missing(const struct bind_addr *b, int err)
{
	return b->implicit && (err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL ||
	    err == -EPROTONOSUPPORT);
}

/* Bind w's UDP and TCP sockets for every planned address.  The first
 * worker drops an implicit half the host cannot have, so the workers
 * after it do not try. */
static int
worker_bind(struct server *s, struct worker *w, bool first, char *errbuf,
    size_t errlen)
{
	bool multi = s->n > 1;

	for (unsigned i = 0; i < s->n_binds; i++) {
		const struct bind_addr *b = &s->binds[i];
		int u = bind_socket(b, SOCK_DGRAM, multi), t = -1;

		if (u >= 0 && (t = bind_socket(b, SOCK_STREAM, multi)) < 0)
			close(u);
		if (u < 0 || t < 0) {
			int e = u < 0 ? u : t;

			if (first && is_family_missing(b, e)) {
				log_warn("DNS: not listening on %s (%s): the "
				    "host has no such address family", b->text,
				    strerror(-e));
				memmove(&s->binds[i], &s->binds[i + 1],
				    (s->n_binds - i - 1) * sizeof(*b));
				s->n_binds--;
				i--;
				continue;
			}
			snprintf(errbuf, errlen, "cannot bind %s %s port %d: %s",
			    u < 0 ? "UDP" : "TCP", b->text, s->port,
			    strerror(-e));
			return -1;
		}
		w->udp[w->n_udp].w = w;
		w->udp[w->n_udp].fd = u;
		w->udp[w->n_udp].pktinfo = b->any;
		w->n_udp++;
		w->tcp[w->n_tcp] = evconnlistener_new(w->base, tcp_accept_cb, w,
		    LEV_OPT_CLOSE_ON_FREE, -1, t);
		if (w->tcp[w->n_tcp] == NULL) {
			close(t);
			snprintf(errbuf, errlen, "cannot create a TCP listener");
			return -1;
		}
		evconnlistener_set_error_cb(w->tcp[w->n_tcp],
		    tcp_accept_error_cb);
		w->n_tcp++;
	}
	return 0;
}

static int
worker_init(struct server *s, struct worker *w, unsigned idx,
    struct table *t, char *errbuf, size_t errlen)
{
	w->srv = s;
	w->rng = 0x9E3779B9u ^ (idx + 1) * 2654435761u;
	pthread_mutex_init(&w->mu, NULL);
	w->cur = table_ref(t);
	w->conf = sconf_ref(s->conf);
	w->base = event_base_new();
	if (w->base == NULL) {
		snprintf(errbuf, errlen, "cannot create an event base");
		return -1;
	}
	if (worker_bind(s, w, idx == 0, errbuf, errlen) != 0)
		return -1;
	w->swap_ev = event_new(w->base, -1, 0, swap_cb, w);
	w->stop_ev = event_new(w->base, -1, 0, stop_cb, w);
	w->accept_ev = evtimer_new(w->base, tcp_accept_resume_cb, w);
	if (w->swap_ev == NULL || w->stop_ev == NULL || w->accept_ev == NULL) {
		snprintf(errbuf, errlen, "cannot create listener events");
		return -1;
	}
	for (unsigned i = 0; i < w->n_udp; i++) {
		w->udp[i].ev = event_new(w->base, w->udp[i].fd,
		    EV_READ | EV_PERSIST, udp_cb, &w->udp[i]);
		if (w->udp[i].ev == NULL) {
			snprintf(errbuf, errlen, "cannot create UDP events");
			return -1;
		}
		event_add(w->udp[i].ev, NULL);
	}
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

	s->port = o->port;
	s->conf = sconf_new(o);
	s->n = o->workers < 1 ? 1 : o->workers;
	s->w = xcalloc((size_t)s->n, sizeof(*s->w));
	if (plan_binds(s, o, errbuf, errlen) != 0) {
		s->n = 0;
		server_free(s);
		return NULL;
	}
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

void
server_addrs(const struct server *s, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->n_binds && used < cap; i++) {
		int r = snprintf(buf + used, cap - used, "%s%s",
		    i > 0 ? ", " : "", s->binds[i].text);

		if (r < 0)
			break;
		used += (size_t)r;
	}
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
		for (unsigned j = 0; j < w->n_tcp; j++)
			evconnlistener_free(w->tcp[j]);
		for (unsigned j = 0; j < w->n_udp; j++) {
			if (w->udp[j].ev != NULL)
				event_free(w->udp[j].ev);
			close(w->udp[j].fd);
		}
		if (w->swap_ev != NULL)
			event_free(w->swap_ev);
		if (w->stop_ev != NULL)
			event_free(w->stop_ev);
		if (w->accept_ev != NULL)
			event_free(w->accept_ev);
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
	free(s);
}
