/* xfr.h - zone transfers out (AXFR, RFC 5936; IXFR, RFC 1995) for a
 * worker's TCP connections, and IXFR over UDP.
 *
 * Who may transfer: clients in allowTransfer (none by default: REFUSED,
 * RFC 5936 6); with transferKey, only queries signed with that key, from
 * any address when allowTransfer is empty.  A signed transfer has every
 * message signed (RFC 8945 5.3.1).  A transfer holds its own reference to the generation it
 * began on and writes its messages as the connection drains them (zone/
 * xfrout.h), so the worker answers other queries meanwhile and a large
 * zone is never held twice.  An IXFR is answered with the single SOA when
 * the client is current, with the changes since its serial when the
 * zone's journal holds that serial, and AXFR-style (the whole zone)
 * otherwise.
 * Private to src/net.
 */
#ifndef TASKDNS_XFR_H
#define TASKDNS_XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"
#include "net/tsig.h"

struct evbuffer;
struct sockaddr;
struct worker;
struct xfr;

/* A transfer asked on TCP for q (pkt, len: the query, unsigned) from
 * peer; tc: its TSIG (tc->key NULL: unsigned).  The transfer, which
 * the caller feeds with xfr_fill; or NULL when the answer is one message
 * (a refusal, a single SOA), then in out (MSG_MAX octets) with its
 * length in *olen. */
struct xfr *xfr_begin(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, const struct tsig_ctx *tc,
    const struct sockaddr *peer, uint8_t *out, size_t *olen);
/* Add messages, each with its length prefix, to out until it holds more
 * than high octets or the transfer is over: true once it is. */
bool xfr_fill(struct xfr *x, struct evbuffer *out, size_t high);
/* End a transfer (counted as aborted unless xfr_fill finished it). */
void xfr_free(struct xfr *x);
/* An IXFR over UDP (pkt, len: the query): the changes when they fit in
 * lim, else the single SOA, when peer may transfer (RFC 1995 2),
 * written over out (lim octets) with its length in *olen; otherwise out
 * stays as it is (the REFUSED answer_query wrote). */
void xfr_udp(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, const struct tsig_ctx *tc,
    const struct sockaddr *peer, uint8_t *out,
    size_t lim, size_t *olen);

#endif
