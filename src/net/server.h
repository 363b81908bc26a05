/* server.h - the DNS listeners: UDP and TCP on libevent, one or more worker
 * threads, each with its own event base, its own SO_REUSEPORT sockets and
 * its own reference to the current table.
 *
 * A new table reaches the workers through server_publish(): each worker
 * gets a reference handed over through its event loop and switches between
 * callbacks, so a query never sees two generations and the query path takes
 * no lock.  The last reference to an old table frees it.
 */
#ifndef TASKDNS_SERVER_H
#define TASKDNS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/acl.h"
#include "zone/answer.h"
#include "net/forward.h"
#include "net/cookie.h"
#include "net/rrl.h"
#include "net/tsig.h"
#include "zone/table.h"

/* Sockets a worker may have of each kind: every listener address, a
 * wildcard counting twice (IPv4 and IPv6). */
#define SERVER_MAX_SOCKETS 40

struct server_opts {
	/* IPv4 or IPv6 literals; 0.0.0.0 and :: each mean every address of
	 * both families (two sockets, IPv6 only on the second).  A UDP
	 * answer leaves from the address its query came to. */
	char *const *addrs;
	size_t n_addrs;
	int port;
	int workers;		/* >= 1 */
	struct answer_cfg answer;
	unsigned tcp_max_conns;	/* per worker */
	unsigned tcp_idle_ms;
	/* Forwarding of names outside our zone (externalOn); the server
	 * keeps pointers into fwd and recurse_from: they must outlive it. */
	bool forward;
	struct fwd_opts fwd;
	const struct acl *recurse_from;	/* who may use forwarding */
	const struct acl *allow_transfer;	/* who may AXFR/IXFR; NULL:
						 * nobody */
	/* TSIG: the keys a query may be signed with (NULL or none: a
	 * signed query is answered BADKEY), and the one of them transfers
	 * must be signed with (NULL: none needed; with allowTransfer empty,
	 * any address holding it may transfer).  Copied. */
	const struct tsig_keys *tsig_keys;
	const struct tsig_key *xfr_key;
	/* Response rate limiting of UDP answers (rrl.h; rate 0: off);
	 * rrl.exempt copied. */
	struct rrl_opts rrl;
	/* DNS cookies (answer.cookies on) with this secret; the NSID to
	 * answer with (nsid_len 0: none, answer.nsid_len the same). */
	uint8_t cookie_secret[COOKIE_SECRET_LEN];
	char nsid[MSG_NSID_MAX];
	uint8_t nsid_len;
};

/* Query types and response codes counted one by one; the rest are
 * "other" (the last slot). */
enum { SERVER_QT_N = 10, SERVER_RC_N = 8 };
extern const char *const server_qtype_names[SERVER_QT_N];
extern const char *const server_rcode_names[SERVER_RC_N];

/* The counters each worker keeps, an index of server_stats.c: one
 * atomic slot per worker, summed by server_stats(), each shown by one
 * row of daemon/metrics.c. */
enum server_counter {
	SERVER_UDP_QUERIES,
	SERVER_TCP_QUERIES,
	SERVER_DROPPED,		/* no usable header, a response, truncated */
	SERVER_TRUNCATED,	/* answers sent with TC */
	SERVER_TCP_REFUSED_CONNS,	/* closed at once: tcpMaxConnections */
	SERVER_TCP_ACCEPT_ERRORS,	/* accept() failures (backed off) */
	SERVER_NOT_RECURSED,	/* REFUSED: forwarding not for this client */
	SERVER_XFR_ASK_AXFR,	/* transfer queries, by type (UDP too) */
	SERVER_XFR_ASK_IXFR,
	SERVER_XFR_FULL,	/* transfers of a whole zone, done */
	SERVER_XFR_INCR,	/* IXFRs answered with the SOA alone or a diff */
	SERVER_XFR_REFUSED,	/* not in allowTransfer, not an apex, bad */
	SERVER_XFR_ABORTED,	/* connection gone mid-transfer */
	SERVER_XFR_BYTES,	/* octets of transfers sent (TCP) */
	SERVER_RRL_DROPPED,	/* UDP answers not sent: rateLimit */
	SERVER_RRL_SLIPPED,	/* ... sent truncated instead */
	SERVER_TSIG_GOOD,	/* signed queries answered signed */
	SERVER_TSIG_BAD,	/* signed queries answered with a TSIG error */
	SERVER_COUNTERS
};

/* Zones counted apart in server_stats (the first ones to be asked). */
#define SERVER_ZONES_MAX 32

struct server_stats {
	/* Queries answered per zone, by apex (presentation form). */
	struct {
		char apex[256];
		uint64_t n;
	} zone[SERVER_ZONES_MAX];
	unsigned n_zones;
	uint64_t c[SERVER_COUNTERS];
	uint64_t by_type[SERVER_QT_N];	/* queries by QTYPE */
	uint64_t by_rcode[SERVER_RC_N];	/* responses sent, by RCODE */
	struct fwd_stats fwd;	/* summed over the workers */
};

struct server;

/* Bind every socket (so a busy port fails here, before any thread).
 * table: the first generation; the server takes a reference.  NULL with
 * errbuf filled on failure. */
struct server *server_new(const struct server_opts *o, struct table *table,
    char *errbuf, size_t errlen);
/* The addresses bound, for messages: "0.0.0.0, ::" (truncated to cap). */
void server_addrs(const struct server *s, char *buf, size_t cap);
/* Hand the tables the workers are done with to base's thread (the
 * main loop), which drops them: without it, a worker drops its own.
 * Before server_start.  0 or -errno. */
struct event_base;
int server_reap_on(struct server *s, struct event_base *base);
/* Start the worker threads.  0 or -errno. */
int server_start(struct server *s);
/* Hand t (a new reference each) to every worker. */
void server_publish(struct server *s, struct table *t);
/* The static zones (NULL: none) to the workers, the same way. */
void server_publish_zones(struct server *s, struct zoneset *zs);
/* New settings for the running workers, on the sockets they have (o's
 * addr, port and workers are not looked at): each switches between
 * callbacks, as for a table.  Queries being forwarded finish with the
 * upstreams of the settings they started under.  o is copied (not its
 * addrs, port and workers). */
void server_reconfigure(struct server *s, const struct server_opts *o);
/* Sum of the workers' counters. */
void server_stats(struct server *s, struct server_stats *out);
/* Stop the workers, close the sockets, drop the tables, free.  NULL ok. */
void server_free(struct server *s);

#endif
