/* tcp.c - DNS over TCP for a worker (see tcp.h): connections, RFC 7766
 * framing, limits, and the accept backoff. */
#include <stdatomic.h>
#include <stdbool.h>
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
#include "util/log.h"
#include "dns/message.h"
#include "net/tcp.h"
#include "net/worker.h"
#include "net/xfr.h"

struct tcp_conn {
	struct worker *w;
	struct bufferevent *bev;
	/* When the message now being read began; a query must arrive whole
	 * within the idle time of its first byte, so a client trickling
	 * bytes cannot hold a connection forever.  0: between messages. */
	struct timeval msg_start;
	struct tcp_conn *prev, *next;	/* the worker's open connections */
	bool may_recurse;	/* the client is in recurseFrom */
	struct sockaddr_storage peer;
	/* A zone transfer being written: no query is read meanwhile. */
	struct xfr *xfr;
	bool closed;		/* kept only for answers being forwarded */
	unsigned n_fwd;		/* queries being forwarded for it */
};

/* Close c; its memory stays while answers are being forwarded for it. */
static void
conn_free(struct tcp_conn *c)
{
	struct worker *w = c->w;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->n_conns--;
	xfr_free(c->xfr);
	c->xfr = NULL;
	bufferevent_free(c->bev);
	c->bev = NULL;
	c->closed = true;
	if (c->n_fwd == 0)
		free(c);
}

/* Read queries again unless the client is behind on its answers or has
 * too many being forwarded; a whole query already buffered is handled. */
static void
conn_resume(struct tcp_conn *c)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
	    TCP_OUT_HIGH || c->n_fwd >= TCP_FWD_MAX || c->xfr != NULL ||
	    (bufferevent_get_enabled(c->bev) & EV_READ))
		return;
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS |
		    BEV_TRIG_IGNORE_WATERMARKS);
}

/* Has the message being read taken longer than the idle time? */
static bool
too_slow(struct tcp_conn *c)
{
	struct timeval now, d;
	unsigned ms;

	event_base_gettimeofday_cached(c->w->base, &now);
	timersub(&now, &c->msg_start, &d);
	ms = (unsigned)d.tv_sec * 1000u + (unsigned)(d.tv_usec / 1000);
	return ms >= c->w->conf->o.tcp_idle_ms;
}

/* A forwarded query's answer for its connection (resp NULL: none will
 * come). */
static void
fwd_reply(const struct fwd_client *cl, const uint8_t *resp, size_t len)
{
	struct tcp_conn *c = cl->conn;
	uint8_t hdr[2];

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

/* Go on with c's transfer: true while it has more to write (the write
 * callback calls again), false once it is over. */
static bool
feed_xfr(struct tcp_conn *c)
{
	if (!xfr_fill(c->xfr, bufferevent_get_output(c->bev), TCP_OUT_HIGH))
		return true;
	xfr_free(c->xfr);
	c->xfr = NULL;
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	return false;
}

/* An AXFR or IXFR query: true when a transfer now streams (stop reading
 * queries); otherwise *olen is the length of the one answer in w->out
 * (0: a transfer already written whole). */
static bool
start_xfr(struct tcp_conn *c, size_t len, const struct msg_query *q,
    const struct tsig_ctx *tc, struct answer_info *info, size_t *olen)
{
	struct worker *w = c->w;

	c->xfr = xfr_begin(w, w->in, len, q, tc,
	    (const struct sockaddr *)&c->peer, w->out + 2, olen);
	if (c->xfr == NULL) {
		info->rcode = *olen >= MSG_HDR_LEN ? w->out[5] & 0x0f : 0;
		return false;
	}
	info->rcode = RCODE_NOERROR;
	worker_count(w, ANSWER_SEND, info);
	bufferevent_disable(c->bev, EV_READ);
	/* Refill while the kernel still holds a quarter of the backlog. */
	bufferevent_setwatermark(c->bev, EV_WRITE, TCP_OUT_HIGH / 4, 0);
	if (feed_xfr(c))
		return true;
	bufferevent_enable(c->bev, EV_READ);
	*olen = 0;
	return false;
}

/* What tcp_answer leaves the read loop to do. */
enum tcp_next {
	TCP_SEND,	/* send the answer in w->out */
	TCP_NEXT,	/* nothing to send: on to the next query */
	TCP_PAUSE,	/* forwarded, and enough are: stop reading */
	TCP_STREAM,	/* a transfer streams: reading is off */
	TCP_CLOSE,	/* a message we cannot use: close */
};

/* Answer the query in w->in (len octets) into w->out + 2, *olen long. */
static enum tcp_next
tcp_answer(struct tcp_conn *c, size_t len, size_t *olen)
{
	struct worker *w = c->w;
	struct answer_info info;
	struct msg_query q;
	struct tsig_ctx tc;
	enum answer_kind k;

	if (worker_tsig_check(w, w->in, &len,
	    (const struct sockaddr *)&c->peer, &tc, w->out + 2, MSG_MAX,
	    olen) == TSIG_FAIL)
		return *olen > 0 ? TCP_SEND : TCP_CLOSE;
	k = answer_query(w->cur, w->zones, &w->conf->o.answer, w->in, len,
	    w->out + 2, MSG_MAX, true, worker_rand(w), olen, &info, &q);
	if (k != ANSWER_DROP) {
		worker_count_type(w, info.qtype);
		worker_count_zone(w, info.zone);
	}
	if (k == ANSWER_XFR) {
		if (start_xfr(c, len, &q, &tc, &info, olen))
			return TCP_STREAM;
		if (c->xfr == NULL && *olen == 0)
			return TCP_NEXT;	/* a transfer written whole */
	}
	if (k == ANSWER_NOT_OURS && tc.key == NULL) {
		/* A signed query is not forwarded: its REFUSED is signed. */
		struct fwd_client cl;

		memset(&cl, 0, sizeof(cl));
		cl.tcp = true;
		cl.conn = c;
		cl.reply = fwd_reply;
		c->n_fwd++;
		if (worker_try_forward(w, w->in, len, &q, c->may_recurse,
		    &cl))
			return c->n_fwd >= TCP_FWD_MAX ? TCP_PAUSE : TCP_NEXT;
		c->n_fwd--;
	}
	worker_count(w, k, &info);
	/* RFC 7766 allows closing on a message we cannot use; it also
	 * stops a stream of garbage. */
	if (k == ANSWER_DROP)
		return TCP_CLOSE;
	*olen = worker_edns(w, &info, (const struct sockaddr *)&c->peer,
	    w->out + 2, *olen, MSG_MAX);
	if (tc.key != NULL)
		*olen = worker_tsig_sign(w, &tc, w->out + 2, *olen, MSG_MAX);
	return TCP_SEND;
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;
	struct worker *w = c->w;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);

	for (;;) {
		uint8_t hdr[2];
		size_t len, olen = 0;

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
		worker_bump(w, SERVER_TCP_QUERIES);
		switch (tcp_answer(c, len, &olen)) {
		case TCP_SEND:
			break;
		case TCP_NEXT:
			continue;
		case TCP_PAUSE:
			bufferevent_disable(bev, EV_READ);
			return;
		case TCP_STREAM:
			return;
		case TCP_CLOSE:
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
	struct tcp_conn *c = arg;

	(void)bev;
	/* Called when the output drained to the low watermark (0, or a
	 * quarter of the backlog while a transfer streams). */
	if (c->xfr != NULL && feed_xfr(c))
		return;
	conn_resume(c);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	if ((what & BEV_EVENT_TIMEOUT) && c->n_fwd > 0 &&
	    !(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))) {
		/* Idle only because its answers are still upstream. */
		bufferevent_enable(bev, what & (EV_READ | EV_WRITE));
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

void
tcp_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct worker *w = arg;
	struct tcp_conn *c;
	struct timeval tv;

	(void)l;
	(void)salen;
	w->accept_backoff_ms = 0;
	if (w->n_conns >= w->conf->o.tcp_max_conns) {
		worker_bump(w, SERVER_TCP_REFUSED_CONNS);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->w = w;
	c->may_recurse = w->conf->o.recurse_from != NULL &&
	    acl_match(w->conf->o.recurse_from, sa);
	if ((size_t)salen <= sizeof(c->peer))
		memcpy(&c->peer, sa, (size_t)salen);
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

void
tcp_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	for (unsigned i = 0; i < w->n_tcp; i++)
		evconnlistener_enable(w->tcp[i]);
}

/* accept() failed for a reason other than a connection gone before it
 * was taken (libevent handles those): count it, and rest the listener
 * 10 ms, then twice as long each time until an accept succeeds, 1 s at
 * most.  The connections waiting stay in the kernel's backlog. */
void
tcp_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct worker *w = arg;
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	worker_bump(w, SERVER_TCP_ACCEPT_ERRORS);
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

void
tcp_conns_free_all(struct worker *w)
{
	while (w->conns != NULL)
		conn_free(w->conns);
}

