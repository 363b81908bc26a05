/* forward.h - relaying queries for names outside our zones to upstream
 * resolvers with c-ares, one forwarder per DNS worker on its event loop.
 *
 * The client's query goes upstream as it came (only the ID is c-ares's
 * own), so its question case, RD and CD bits and EDNS0 record (DO bit, UDP
 * size) reach the upstream; the upstream's answer comes back unchanged but
 * for the ID.  A UDP client is forwarded over UDP (a truncated answer is
 * passed on with TC, and the client's TCP retry is forwarded over TCP).
 *
 * Each upstream has its own c-ares channel (one for UDP, one for TCP), so
 * this module, not c-ares, chooses whom to ask: the upstream with the
 * lowest smoothed round-trip time first, a second one when the first is
 * slower than twice its usual time (hedging), the next at once when one
 * fails, and an upstream that failed is avoided for a growing while but
 * probed again.  Every query is answered within the timeout: the first
 * upstream answer, or SERVFAIL.
 */
#ifndef TASKDNS_FORWARD_H
#define TASKDNS_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dns/message.h"

struct event_base;

/* One set of upstreams: the default (zone NULL) or one zoneResolvers zone. */
struct fwd_group_cfg {
	const char *zone;		/* lower-case, no trailing dot */
	char *const *servers;		/* "ip", "ip:port", "[v6]:port" */
	size_t n;
};

struct fwd_opts {
	const struct fwd_group_cfg *groups;
	size_t n_groups;
	unsigned timeout_ms;		/* a client's answer within this */
	unsigned max_in_flight;		/* queries held at once */
	bool recurse_on;		/* RA on our own SERVFAIL */
	uint16_t edns_size;		/* our UDP size on our own SERVFAIL */
};

/* The local address a UDP answer leaves from, as the control message of
 * its sendmsg (IP_PKTINFO or IPV6_PKTINFO); len 0: the socket's own. */
struct fwd_pktinfo {
	_Alignas(struct cmsghdr) unsigned char buf[CMSG_SPACE(
	    sizeof(struct in6_pktinfo))];
	size_t len;
};

struct fwd_client;

/* How an answer reaches its client: set by the transport the query came
 * by (resp NULL: none will come). */
typedef void fwd_reply_fn(const struct fwd_client *cl, const uint8_t *resp,
    size_t len);

/* Where an answer goes: through reply.  UDP: addr, from socket fd and the
 * local address in from; TCP: conn, the server's connection. */
struct fwd_client {
	fwd_reply_fn *reply;
	bool tcp;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	struct fwd_pktinfo from;
	void *conn;
};

/* Called once per forwarded query: with the response, or with resp NULL
 * when the forwarder is freed before one came.  It may be called from
 * inside fwd_query (SERVFAIL at once). */
typedef void fwd_done_fn(void *arg, const struct fwd_client *cl,
    const uint8_t *resp, size_t len);

/* A forwarder's counters, each an index of fwd_stats.c (only ever
 * growing; summed over the workers and shown by /metrics). */
enum fwd_counter {
	FWD_QUERIES,		/* handed to fwd_query */
	FWD_ANSWERED,		/* upstream answers relayed */
	FWD_TIMEOUTS,		/* SERVFAIL: no answer within the timeout */
	FWD_FAILED,		/* SERVFAIL: every upstream tried failed */
	FWD_OVERFLOW,		/* SERVFAIL: max_in_flight reached */
	FWD_HEDGED,		/* second upstream asked because of a slow one */
	FWD_UPSTREAM_ERRORS,	/* upstream timeouts and errors */
	FWD_COUNTERS
};

struct fwd_stats {
	uint64_t c[FWD_COUNTERS];
	uint64_t in_flight;	/* held now (a gauge) */
};

struct fwd;
/* What the forwarders of all workers learn about the upstreams (round-trip
 * times, failures), shared so that one worker's lesson serves all. */
struct fwd_shared;

struct fwd_shared *fwd_shared_new(const struct fwd_opts *o);
/* After every forwarder using it is freed.  NULL ok. */
void fwd_shared_free(struct fwd_shared *sh);

/* Parse "ip", "ip:port" (IPv4), "[v6]:port" or a bare IPv6 address;
 * 0 or -E_FORMAT. */
int fwd_parse_server(const char *text, int *family, uint8_t addr[16],
    uint16_t *port);

/* A forwarder on base, learning into sh (NULL: its own).  NULL with
 * errbuf filled when a server does not parse or c-ares cannot start. */
struct fwd *fwd_new(struct event_base *base, const struct fwd_opts *o,
    struct fwd_shared *sh, fwd_done_fn *done, void *arg, char *errbuf,
    size_t errlen);

/* Forward the query pkt (len bytes; q is its parse).  The answer arrives
 * through done. */
void fwd_query(struct fwd *f, const uint8_t *pkt, size_t len,
    const struct msg_query *q, const struct fwd_client *cl);

/* Counters; may be read from any thread. */
void fwd_stats(struct fwd *f, struct fwd_stats *out);

/* Abandon what is in flight (done with NULL for each) and free.  NULL ok.
 * On the forwarder's own thread, or after its loop stopped. */
void fwd_free(struct fwd *f);

/* c-ares's process-wide set-up and tear-down, before any thread starts
 * and after all have stopped.  0 or -1. */
int fwd_library_init(void);
void fwd_library_cleanup(void);

/* The nameservers of /etc/resolv.conf as "ip:port" / "[v6]:port", loopback
 * and unspecified addresses left out.  The caller frees each and the
 * array; the count is returned (0 when there are none or on error). */
size_t fwd_system_resolvers(char ***out);

#endif
