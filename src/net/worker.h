/* worker.h - a DNS worker: its state, shared by the modules of the DNS
 * workers (server.c makes and runs them, udp.c and tcp.c are their
 * transports), and the helpers every transport answers with.  Private to
 * src/net; the rest of taskdns sees server.h. */
#ifndef TASKDNS_WORKER_H
#define TASKDNS_WORKER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <event2/util.h>

#include "conf/acl.h"
#include "zone/answer.h"
#include "net/forward.h"
#include "dns/message.h"
#include "net/server.h"
#include "zone/table.h"

#define UDP_BATCH 64		/* datagrams per callback before yielding */
#define UDP_VLEN 32		/* datagrams per recvmmsg / sendmmsg */
#define UDP_QMAX 4096		/* a larger UDP query is dropped */
#define UDP_OUT (UDP_VLEN * 2048 + MSG_UDP_MAX)	/* answers of a batch */
#define TCP_OUT_HIGH (256u * 1024)	/* stop reading past this backlog */
#define TCP_FWD_MAX 64		/* forwarded queries one connection holds */
#define UDP_RCVBUF (4 << 20)	/* the UDP socket's receive buffer */


struct event;
struct event_base;
struct evconnlistener;
struct tcp_conn;

/* What the workers follow besides the table: a deep copy of the options,
 * replaced as a whole by server_reconfigure() and freed by its last
 * holder (the server, a worker, a retired forwarder). */
struct sconf {
	atomic_uint refs;
	struct server_opts o;	/* o.fwd.groups, o.recurse_from: below */
	struct fwd_group_cfg *groups;
	char **zones, ***servers;	/* what groups points to, owned */
	struct acl acl;
	struct acl acl_xfr;	/* allowTransfer (o.allow_transfer) */
	struct acl rrl_exempt;	/* o.rrl.exempt */
	struct tsig_keys keys;	/* o.tsig_keys */
	const struct tsig_key *xfr_key;	/* in keys; NULL: none */
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

/* One UDP socket of a worker.  pktinfo: bound to a wildcard, so each
 * query's destination is read with it and its answer sent from there. */
struct udp_sock {
	struct worker *w;
	int fd;
	bool pktinfo;
	struct event *ev;
};

struct worker {
	struct server *srv;
	pthread_t thread;
	bool started;
	struct event_base *base;
	struct udp_sock udp[SERVER_MAX_SOCKETS];
	unsigned n_udp;
	struct evconnlistener *tcp[SERVER_MAX_SOCKETS];
	unsigned n_tcp;
	struct event *swap_ev, *stop_ev;
	/* accept() failing (out of descriptors): the listener rests for
	 * accept_backoff_ms, doubled while it keeps failing, instead of
	 * spinning on a connection it cannot take. */
	struct event *accept_ev;
	unsigned accept_backoff_ms;
	pthread_mutex_t mu;
	struct table *pending;	/* under mu */
	struct sconf *pending_conf;	/* under mu */
	struct zoneset *pending_zones;	/* under mu */
	bool zones_pending;		/* under mu: pending_zones is news */
	struct table *cur;	/* this thread only */
	/* Tables this worker is done with, for the main thread to drop
	 * (under mu): the last reference to a patched generation walks
	 * every shard it shares, which must not hold up answers. */
	struct table *done[8];
	unsigned n_done;
	struct sconf *conf;	/* this thread only */
	struct zoneset *zones;	/* this thread only; NULL: none */
	struct fwd *fwd;	/* NULL: forwarding off */
	struct fwd *_Atomic fwd_pub;	/* fwd, for server_stats() */
	struct retired *retired;	/* this thread only */
	unsigned n_conns;
	struct tcp_conn *conns;
	uint32_t rng;
	time_t tsig_logged;	/* the last TSIG failure logged */
	unsigned tsig_unlogged;	/* failures since, not logged */
	uint8_t in[MSG_MAX + 2];
	uint8_t out[MSG_MAX + 2];
	/* UDP batches: queries in, answers out, one system call each way. */
	struct mmsghdr rmsg[UDP_VLEN], smsg[UDP_VLEN];
	struct iovec riov[UDP_VLEN], siov[UDP_VLEN];
	struct sockaddr_storage from[UDP_VLEN];
	struct fwd_pktinfo rctl[UDP_VLEN];	/* as received */
	struct fwd_pktinfo sctl[UDP_VLEN];	/* each answer's source */
	uint8_t qbuf[UDP_VLEN][UDP_QMAX];
	uint8_t abuf[UDP_OUT];
	_Atomic uint64_t c[SERVER_COUNTERS];	/* enum server_counter */
	/* Queries answered per zone (written by this worker only; an entry
	 * is filled before n_zq counts it). */
	struct {
		struct dname apex;
		_Atomic uint64_t n;
	} zq[SERVER_ZONES_MAX];
	_Atomic unsigned n_zq;
	_Atomic uint64_t by_type[SERVER_QT_N], by_rcode[SERVER_RC_N];
	/* Counts of forwarders no longer current, so totals never fall. */
	_Atomic uint64_t fwd_old[FWD_COUNTERS];
};

/* An address to bind.  implicit: the other family's half of a wildcard,
 * given up (with a warning) where the host has no such family. */
struct bind_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool any, implicit;
	char text[48];
};

struct server {
	struct bind_addr binds[SERVER_MAX_SOCKETS];
	unsigned n_binds;
	int port;
	struct sconf *conf;	/* the latest; workers switch to it */
	struct rrl *rrl;	/* the rate limiter's table, every worker's */
	struct worker *w;
	int n;
	struct event *reap_ev;	/* on the main base; NULL: workers drop */
};

/* The settings: a new one holding a deep copy of o (one reference), a
 * reference more, one fewer (the last frees it; NULL ok). */
struct sconf *worker_conf_new(const struct server_opts *o);
struct sconf *worker_conf_ref(struct sconf *c);
void worker_conf_unref(struct sconf *c);

/* The worker's event callbacks (arg: the worker): take what
 * server_publish / server_reconfigure left pending; leave the loop. */
void worker_swap_cb(evutil_socket_t fd, short what, void *arg);
void worker_stop_cb(evutil_socket_t fd, short what, void *arg);
/* The forwarder's answer callback (arg: the worker): counts the answer's
 * RCODE, then hands it to cl->reply. */
void worker_fwd_done(void *arg, const struct fwd_client *cl,
    const uint8_t *resp, size_t len);
/* Free the forwarders, current and retired (queries in flight get their
 * transport's reply with NULL); then the rest of the worker's own state
 * (tables, settings, lock), once its loop has stopped. */
void worker_stop_forwarding(struct worker *w);
void worker_release(struct worker *w);

/* A worker's shuffling randomness (xorshift32: variety, not secrecy). */
uint32_t worker_rand(struct worker *w);
/* Count an answer of kind k (its rcode, truncation, refusal). */
void worker_count(struct worker *w, enum answer_kind k,
    const struct answer_info *info);
void worker_count_type(struct worker *w, uint16_t qtype);
/* One query answered from the zone at apex (NULL: none). */
void worker_count_zone(struct worker *w, const struct dname *apex);
/* One more of counter k (read by other threads; relaxed). */
static inline void
worker_bump(struct worker *w, enum server_counter k)
{
	atomic_fetch_add_explicit(&w->c[k], 1, memory_order_relaxed);
}
/* n more of counter k. */
static inline void
worker_add(struct worker *w, enum server_counter k, uint64_t n)
{
	atomic_fetch_add_explicit(&w->c[k], n, memory_order_relaxed);
}
void worker_count_rcode(struct worker *w, unsigned rcode);
/* A name outside our zone (q: the query answer_query parsed): forward
 * it, or leave the REFUSED answer_query wrote.  True when forwarded (the
 * answer comes later). */
bool worker_try_forward(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, bool may_recurse, struct fwd_client *cl);

/* The TSIG of query pkt (*len octets, from peer) when we hold keys
 * (without keys answer_query answers a signed query BADKEY itself); a
 * failure is logged (one a second a worker, with a count of the rest).  TSIG_OK: *len is
 * the query unsigned, ctx ready for worker_tsig_sign.  TSIG_FAIL: the
 * error answer is in out (cap octets), *olen long (0: drop).  ctx->key
 * is NULL unless TSIG_OK. */
enum tsig_result worker_tsig_check(struct worker *w, uint8_t *pkt,
    size_t *len, const struct sockaddr *peer, struct tsig_ctx *ctx,
    uint8_t *out, size_t cap, size_t *olen);
/* The options of the answer in out (len octets, at most lim) the query
 * asked for: a fresh server cookie, the NSID.  The new length. */
size_t worker_edns(struct worker *w, const struct answer_info *info,
    const struct sockaddr *peer, uint8_t *out, size_t len, size_t lim);
/* The query's cookie, checked (COOKIE_NONE when it had none). */
enum cookie_state worker_cookie(struct worker *w,
    const struct answer_info *info, const struct sockaddr *peer);
/* Sign answer out (len octets) of a query ctx checked, within lim
 * octets (an answer too big for its TSIG is cut to its question, with
 * TC: RFC 8945 5.3): its new length (len when it cannot be signed). */
size_t worker_tsig_sign(struct worker *w, struct tsig_ctx *ctx, uint8_t *out,
    size_t len, size_t lim);

#endif
