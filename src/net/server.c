/* server.c - the DNS workers (see server.h): their sockets and threads,
 * and handing them new generations and settings.  What a worker does
 * with a query is worker.c, udp.c and tcp.c. */
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
#include "net/udp.h"
#include "net/worker.h"

const char *const server_qtype_names[SERVER_QT_N] = { "A", "AAAA", "SRV",
    "SOA", "NS", "ANY", "PTR", "MX", "TXT", "other" };
const char *const server_rcode_names[SERVER_RC_N] = { "NOERROR", "FORMERR",
    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other" };

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
		 * answer can leave from it (udp_read_cb). */
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
	w->conf = worker_conf_ref(s->conf);
	w->base = event_base_new();
	if (w->base == NULL) {
		snprintf(errbuf, errlen, "cannot create an event base");
		return -1;
	}
	if (worker_bind(s, w, idx == 0, errbuf, errlen) != 0)
		return -1;
	w->swap_ev = event_new(w->base, -1, 0, worker_swap_cb, w);
	w->stop_ev = event_new(w->base, -1, 0, worker_stop_cb, w);
	w->accept_ev = evtimer_new(w->base, tcp_accept_resume_cb, w);
	if (w->swap_ev == NULL || w->stop_ev == NULL || w->accept_ev == NULL) {
		snprintf(errbuf, errlen, "cannot create listener events");
		return -1;
	}
	for (unsigned i = 0; i < w->n_udp; i++) {
		w->udp[i].ev = event_new(w->base, w->udp[i].fd,
		    EV_READ | EV_PERSIST, udp_read_cb, &w->udp[i]);
		if (w->udp[i].ev == NULL) {
			snprintf(errbuf, errlen, "cannot create UDP events");
			return -1;
		}
		event_add(w->udp[i].ev, NULL);
	}
	if (w->conf->o.forward) {
		w->fwd = fwd_new(w->base, &w->conf->o.fwd,
		    w->conf->fwd_shared, worker_fwd_done, w, errbuf, errlen);
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
	s->conf = worker_conf_new(o);
	s->rrl = rrl_new();
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
server_publish_zones(struct server *s, struct zoneset *zs)
{
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct zoneset *old;

		pthread_mutex_lock(&w->mu);
		old = w->pending_zones;
		w->pending_zones = zoneset_ref(zs);
		w->zones_pending = true;
		pthread_mutex_unlock(&w->mu);
		zoneset_unref(old);
		event_active(w->swap_ev, EV_READ, 0);
	}
}

void
server_reconfigure(struct server *s, const struct server_opts *o)
{
	worker_conf_unref(s->conf);
	s->conf = worker_conf_new(o);
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct sconf *old;

		pthread_mutex_lock(&w->mu);
		old = w->pending_conf;
		w->pending_conf = worker_conf_ref(s->conf);
		pthread_mutex_unlock(&w->mu);
		worker_conf_unref(old);
		event_active(w->swap_ev, EV_READ, 0);
	}
}

/* The sum over n slots of one counter array per worker. */
static void
sum(uint64_t *out, const _Atomic uint64_t *in, int n)
{
	for (int k = 0; k < n; k++)
		out[k] += atomic_load_explicit(&in[k], memory_order_relaxed);
}

/* A worker's per-zone counts added to out's, by apex. */
static void
zone_sum(struct server_stats *out, struct worker *w)
{
	unsigned n = atomic_load_explicit(&w->n_zq, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		char text[DNAME_TEXT_MAX];
		unsigned k;

		if (dname_to_text(&w->zq[i].apex, text, sizeof(text)) < 0)
			continue;
		for (k = 0; k < out->n_zones; k++)
			if (strcmp(out->zone[k].apex, text) == 0)
				break;
		if (k == out->n_zones) {
			if (k == SERVER_ZONES_MAX)
				continue;
			snprintf(out->zone[k].apex, sizeof(out->zone[k].apex),
			    "%.255s", text);
			out->n_zones++;
		}
		out->zone[k].n += atomic_load_explicit(&w->zq[i].n,
		    memory_order_relaxed);
	}
}

void
server_stats(struct server *s, struct server_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct fwd *fw = atomic_load(&w->fwd_pub);

		sum(out->c, w->c, SERVER_COUNTERS);
		zone_sum(out, w);
		sum(out->by_type, w->by_type, SERVER_QT_N);
		sum(out->by_rcode, w->by_rcode, SERVER_RC_N);
		sum(out->fwd.c, w->fwd_old, FWD_COUNTERS);
		if (fw != NULL) {
			struct fwd_stats f;

			/* A replaced forwarder lives a second at least. */
			fwd_stats(fw, &f);
			for (int k = 0; k < FWD_COUNTERS; k++)
				out->fwd.c[k] += f.c[k];
			out->fwd.in_flight += f.in_flight;
		}
	}
}

/* The tables the workers are done with, dropped here. */
static void
reap(struct server *s)
{
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		struct table *done[8];
		unsigned n;

		pthread_mutex_lock(&w->mu);
		n = w->n_done;
		memcpy(done, w->done, n * sizeof(done[0]));
		w->n_done = 0;
		pthread_mutex_unlock(&w->mu);
		for (unsigned k = 0; k < n; k++)
			table_unref(done[k]);
	}
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	reap(arg);
}

int
server_reap_on(struct server *s, struct event_base *base)
{
	s->reap_ev = event_new(base, -1, 0, reap_cb, s);
	return s->reap_ev != NULL ? 0 : -ENOMEM;
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
	reap(s);
	if (s->reap_ev != NULL)
		event_free(s->reap_ev);
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];

		worker_stop_forwarding(w);
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
		worker_release(w);
	}
	free(s->w);
	worker_conf_unref(s->conf);
	rrl_free(s->rrl);
	free(s);
}
