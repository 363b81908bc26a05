/* xfr.c - zone transfers out, for a worker (see xfr.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>

#include "dns/rr.h"
#include "util/arena.h"
#include "util/log.h"
#include "net/worker.h"
#include "net/xfr.h"
#include "zone/xfrout.h"

struct xfr {
	struct worker *w;
	struct sconf *conf;	/* held: tsig.key points into it */
	struct tsig_ctx tsig;	/* tsig.key NULL: unsigned */
	struct table *t;	/* the reference held: t, or z */
	struct szone *z;
	struct jdiff *d;	/* an IXFR's changes: held */
	struct xfrout out;
	bool full, done;
};

/* Secondaries already named in the log (each once), across workers. */
#define XFR_SEEN_MAX 256
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sockaddr_storage seen[XFR_SEEN_MAX];
static unsigned n_seen;

static bool
same_host(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr,
		    sizeof(struct in_addr)) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

static void
host_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *addr = sa->sa_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)sa)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

	if (inet_ntop(sa->sa_family, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* Log a secondary the first time it transfers (or is refused). */
static void
note_peer(const struct sockaddr *peer, const struct dname *zone,
    const char *what)
{
	char host[INET6_ADDRSTRLEN], zname[DNAME_TEXT_MAX];
	bool fresh = true;

	pthread_mutex_lock(&seen_mu);
	for (unsigned i = 0; i < n_seen && fresh; i++)
		fresh = !same_host(peer, &seen[i]);
	if (fresh && n_seen < XFR_SEEN_MAX)
		memcpy(&seen[n_seen++], peer, peer->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	pthread_mutex_unlock(&seen_mu);
	if (!fresh)
		return;
	host_text(peer, host, sizeof(host));
	if (dname_to_text(zone, zname, sizeof(zname)) < 0)
		snprintf(zname, sizeof(zname), "?");
	log_info("zone transfer: %s %s %s (logged once per secondary)", host,
	    what, zname);
}

/* The zone whose apex is the lower-case name: the Mesos zone (*t) or a
 * static one (*z); false when the name is no apex of ours. */
static bool
find_zone(struct worker *w, const struct dname *lower, struct table **t,
    struct szone **z)
{
	*t = NULL;
	*z = NULL;
	if (w->cur != NULL && w->cur->ready &&
	    dname_equal(lower, &w->cur->apex)) {
		*t = w->cur;
		return true;
	}
	for (unsigned i = 0; w->zones != NULL && i < w->zones->n; i++)
		if (dname_equal(lower, &w->zones->zones[i]->apex)) {
			*z = w->zones->zones[i];
			return true;
		}
	return false;
}

static void
set_rcode(uint8_t *out, size_t olen, unsigned rcode)
{
	if (olen >= MSG_HDR_LEN)
		out[3] = (uint8_t)((out[3] & 0xf0) | (rcode & 0x0f));
}

/* May peer transfer, its query signed as tc says?  NULL, or why not. */
static const char *
refusal(struct worker *w, const struct sockaddr *peer,
    const struct tsig_ctx *tc)
{
	const struct sconf *c = w->conf;

	if (c->xfr_key != NULL && tc->key != c->xfr_key)
		return "refused (not signed with transferKey) for";
	if (c->acl_xfr.n == 0)
		return c->xfr_key != NULL ? NULL :
		    "refused (not in allowTransfer) for";
	return acl_match(&c->acl_xfr, peer) ? NULL :
	    "refused (not in allowTransfer) for";
}

struct xfr *
xfr_begin(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, const struct tsig_ctx *tc,
    const struct sockaddr *peer, uint8_t *out, size_t *olen)
{
	struct dname lower = q->qname;
	struct table *t;
	struct szone *z;
	struct xfr *x;
	uint32_t serial = 0, ours;
	const char *why = refusal(w, peer, tc);

	worker_bump(w, q->qtype == RR_IXFR ? SERVER_XFR_ASK_IXFR :
	    SERVER_XFR_ASK_AXFR);
	dname_lower(&lower);
	if (why != NULL) {
		worker_bump(w, SERVER_XFR_REFUSED);
		note_peer(peer, &lower, why);
		return NULL;
	}
	if (!find_zone(w, &lower, &t, &z)) {
		/* Inside a zone of ours, but no apex (RFC 5936 2.2.1). */
		worker_bump(w, SERVER_XFR_REFUSED);
		set_rcode(out, *olen, RCODE_NOTAUTH);
		return NULL;
	}
	ours = t != NULL ? t->serial : z->serial;
	if (q->qtype == RR_IXFR) {
		if (xfrout_ixfr_serial(pkt, len, q, &serial) != 0) {
			worker_bump(w, SERVER_XFR_REFUSED);
			set_rcode(out, *olen, RCODE_FORMERR);
			return NULL;
		}
		if ((int32_t)(serial - ours) >= 0) {
			/* Current (or ahead of us): the SOA alone. */
			*olen = xfrout_soa_only(t, z, q, out, MSG_MAX);
			worker_bump(w, SERVER_XFR_INCR);
			return NULL;
		}
	}
	note_peer(peer, &lower, "transfers");
	x = xcalloc(1, sizeof(*x));
	x->w = w;
	x->conf = worker_conf_ref(w->conf);
	x->tsig = *tc;
	x->t = table_ref(t);
	x->z = z != NULL ? szone_ref(z) : NULL;
	/* An IXFR from a serial the journal holds: the changes alone. */
	if (q->qtype == RR_IXFR)
		x->d = journal_since(t != NULL ? t->journal : z->journal,
		    serial);
	x->full = x->d == NULL;
	if (x->d != NULL)
		xfrout_init_ixfr(&x->out, x->t, x->z, x->d, q);
	else
		xfrout_init(&x->out, x->t, x->z, q);
	return x;
}

bool
xfr_fill(struct xfr *x, struct evbuffer *out, size_t high)
{
	struct worker *w = x->w;

	while (!x->done && evbuffer_get_length(out) <= high) {
		size_t n = xfrout_next(&x->out, w->out + 2);

		if (n > 0 && x->tsig.key != NULL) {
			n = tsig_sign(&x->tsig, w->out + 2, n, MSG_MAX,
			    (uint64_t)time(NULL));
			if (n == 0) {
				/* Cannot be: messages leave room for it. */
				x->done = true;
				worker_bump(w, SERVER_XFR_ABORTED);
				return true;
			}
		}
		if (n == 0) {
			x->done = true;
			worker_bump(w, x->full ? SERVER_XFR_FULL :
			    SERVER_XFR_INCR);
			break;
		}
		w->out[0] = (uint8_t)(n >> 8);
		w->out[1] = (uint8_t)(n & 0xff);
		evbuffer_add(out, w->out, n + 2);
		worker_add(w, SERVER_XFR_BYTES, n + 2);
	}
	return x->done;
}

void
xfr_free(struct xfr *x)
{
	if (x == NULL)
		return;
	if (!x->done)
		worker_bump(x->w, SERVER_XFR_ABORTED);
	jdiff_unref(x->d);
	table_unref(x->t);
	szone_unref(x->z);
	worker_conf_unref(x->conf);
	free(x);
}

void
xfr_udp(struct worker *w, const uint8_t *pkt, size_t len,
    const struct msg_query *q, const struct tsig_ctx *tc,
    const struct sockaddr *peer, uint8_t *out, size_t lim, size_t *olen)
{
	struct dname lower = q->qname;
	struct table *t;
	struct szone *z;
	struct jdiff *d;
	uint32_t serial;

	worker_bump(w, q->qtype == RR_IXFR ? SERVER_XFR_ASK_IXFR :
	    SERVER_XFR_ASK_AXFR);
	if (q->qtype != RR_IXFR || refusal(w, peer, tc) != NULL)
		return;
	dname_lower(&lower);
	if (!find_zone(w, &lower, &t, &z))
		return;
	worker_bump(w, SERVER_XFR_INCR);
	/* The changes when they fit; otherwise the SOA alone, and the
	 * client comes back over TCP (RFC 1995 2). */
	if (xfrout_ixfr_serial(pkt, len, q, &serial) == 0 &&
	    (int32_t)(serial - (t != NULL ? t->serial : z->serial)) < 0 &&
	    (d = journal_since(t != NULL ? t->journal : z->journal,
	    serial)) != NULL) {
		struct xfrout x;
		size_t n;

		xfrout_init_ixfr(&x, t, z, d, q);
		n = xfrout_one(&x, out, lim);
		jdiff_unref(d);
		if (n > 0) {
			*olen = n;
			return;
		}
	}
	*olen = xfrout_soa_only(t, z, q, out, lim);
}
