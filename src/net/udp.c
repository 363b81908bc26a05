/* udp.c - DNS over UDP for a worker (see udp.h): batches of queries in
 * and answers out, one system call each way, each answer from the address
 * its query came to. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <time.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "dns/message.h"
#include "util/log.h"
#include "net/udp.h"
#include "net/worker.h"
#include "net/xfr.h"

/* A forwarded query's answer, sent as the query's own would have been. */
static void
fwd_reply(const struct fwd_client *cl, const uint8_t *resp, size_t len)
{
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

/* The UDP size a query allows its answer (512, or its EDNS size). */
static size_t
udp_limit(const uint8_t *pkt, size_t len)
{
	struct msg_query q;

	if (message_parse_query(pkt, len, &q) == MSG_DROP || !q.edns ||
	    q.edns_size <= MSG_UDP_MIN)
		return MSG_UDP_MIN;
	return q.edns_size < MSG_UDP_MAX ? q.edns_size : MSG_UDP_MAX;
}

/* An answer cut to its question for rate limiting, with our cookie
 * when the query had one (RFC 7873 5.2.3: a client can come back with
 * it, and is not limited then); rcode BADCOOKIE for a bad server cookie
 * (TC clear: the client retries with the new one), else TC. */
static size_t
cut_with_cookie(struct worker *w, const struct answer_info *info,
    const struct sockaddr *peer, uint8_t *out, size_t len, bool badcookie)
{
	uint8_t opt[MSG_COOKIE_OPT];

	len = message_cut_to_question(out, len);
	if (len == 0 || !info->edns || info->cookie_len < 8 ||
	    !w->conf->o.answer.cookies)
		return len;
	if (badcookie)
		out[2] &= (uint8_t)~0x02;
	cookie_option(w->conf->o.cookie_secret, info->cookie, peer,
	    (uint32_t)time(NULL), opt);
	return message_put_opt(out, len, info->lim, w->conf->o.answer.edns_size,
	    badcookie ? RCODE_BADCOOKIE : RCODE_NOERROR, opt, sizeof(opt));
}

enum rrl_do { RRL_DO_DROP, RRL_DO_ANSWER, RRL_DO_CUT };

/* Rate limiting of the answer in out (*olen octets) to query i: drop it,
 * answer, or send it cut to its question, with TC (it slipped); a query
 * with a server cookie of ours is not limited, one with a bad one gets
 * BADCOOKIE where it would have been limited. */
static enum rrl_do
udp_rrl(struct worker *w, unsigned i, const struct answer_info *info,
    uint8_t *out, size_t *olen)
{
	const struct sockaddr *peer = (const struct sockaddr *)&w->from[i];
	const struct rrl_opts *o = &w->conf->o.rrl;
	const uint8_t *name;
	size_t nlen;
	struct timeval tv;
	enum rrl_class cls;
	enum rrl_verdict v;
	uint64_t n;
	enum cookie_state cs = worker_cookie(w, info, peer);

	if (cs == COOKIE_GOOD)
		return RRL_DO_ANSWER;
	event_base_gettimeofday_cached(w->base, &tv);
	cls = rrl_classify(out, *olen, &name, &nlen, info->zone != NULL ?
	    info->zone->data : NULL, info->zone != NULL ? info->zone->len : 0);
	v = rrl_check(w->srv->rrl, o, peer, cls, name, nlen,
	    (uint32_t)tv.tv_sec);
	if (v == RRL_PASS)
		return RRL_DO_ANSWER;
	if (rrl_should_log(w->srv->rrl, (uint32_t)tv.tv_sec, &n)) {
		char p[RRL_SEEN * 2 * (INET6_ADDRSTRLEN + 6)];

		rrl_prefixes(w->srv->rrl, o, p, sizeof(p));
		log_warn("rate limit: answers to %s over %u a second, dropped "
		    "or slipped (%llu answers limited since the last such line)",
		    p, o->rate, (unsigned long long)n);
	}
	if (cs == COOKIE_BAD) {
		worker_bump(w, SERVER_RRL_SLIPPED);
		*olen = cut_with_cookie(w, info, peer, out, *olen, true);
		return *olen > 0 ? RRL_DO_CUT : RRL_DO_DROP;
	}
	if (v == RRL_DROP) {
		worker_bump(w, SERVER_RRL_DROPPED);
		return RRL_DO_DROP;
	}
	worker_bump(w, SERVER_RRL_SLIPPED);
	*olen = cut_with_cookie(w, info, peer, out, *olen, false);
	return *olen > 0 ? RRL_DO_CUT : RRL_DO_DROP;
}

/* Answer query i of the batch into out (MSG_UDP_MAX octets): true when
 * the answer, *olen long, is to be sent now (false: dropped, or the
 * forwarder answers later). */
static bool
udp_one(struct worker *w, int fd, unsigned i, const struct fwd_pktinfo *src,
    uint8_t *out, size_t *olen)
{
	struct msghdr *h = &w->rmsg[i].msg_hdr;
	size_t n = w->rmsg[i].msg_len;
	struct answer_info info;
	struct msg_query q;
	struct tsig_ctx tc;
	enum answer_kind k;

	*olen = 0;
	if (worker_tsig_check(w, w->qbuf[i], &n,
	    (const struct sockaddr *)&w->from[i], &tc, out, MSG_UDP_MAX,
	    olen) == TSIG_FAIL)
		return *olen > 0;
	k = answer_query(w->cur, w->zones, &w->conf->o.answer, w->qbuf[i], n,
	    out, MSG_UDP_MAX, false, worker_rand(w), olen, &info, &q);
	if (k != ANSWER_DROP) {
		worker_count_type(w, info.qtype);
		worker_count_zone(w, info.zone);
	}
	if (k == ANSWER_XFR)
		xfr_udp(w, w->qbuf[i], n, &q, &tc,
		    (struct sockaddr *)&w->from[i], out,
		    udp_limit(w->qbuf[i], n), olen);
	if (k == ANSWER_NOT_OURS && tc.key == NULL) {
		/* A signed query is not forwarded: its REFUSED is signed. */
		struct fwd_client cl;

		cl.tcp = false;
		cl.conn = NULL;
		cl.reply = fwd_reply;
		cl.fd = fd;
		cl.from = *src;
		memcpy(&cl.addr, &w->from[i], sizeof(cl.addr));
		cl.addrlen = h->msg_namelen;
		if (worker_try_forward(w, w->qbuf[i], n, &q,
		    w->conf->o.recurse_from != NULL &&
		    acl_match(w->conf->o.recurse_from,
		    (struct sockaddr *)&w->from[i]), &cl))
			return false;
	}
	worker_count(w, k, &info);
	if (k == ANSWER_DROP)
		return false;
	/* A signed query is no forgery: never limited. */
	if (tc.key == NULL && w->conf->o.rrl.rate > 0) {
		enum rrl_do d = udp_rrl(w, i, &info, out, olen);

		if (d != RRL_DO_ANSWER)
			return d == RRL_DO_CUT;
	}
	*olen = worker_edns(w, &info, (const struct sockaddr *)&w->from[i],
	    out, *olen, info.lim);
	if (tc.key != NULL)
		*olen = worker_tsig_sign(w, &tc, out, *olen,
		    udp_limit(w->qbuf[i], n));
	return true;
}

void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
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
			struct fwd_pktinfo src = { .len = 0 };
			size_t olen;

			worker_bump(w, SERVER_UDP_QUERIES);
			if (h->msg_flags & MSG_TRUNC) {
				worker_bump(w, SERVER_DROPPED);
				continue;
			}
			if (us->pktinfo)
				reply_source(h, &src);
			if (UDP_OUT - used < MSG_UDP_MAX) {
				udp_flush(fd, w->smsg, ns);
				ns = 0;
				used = 0;
			}
			if (!udp_one(w, fd, (unsigned)i, &src, w->abuf + used,
			    &olen))
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
