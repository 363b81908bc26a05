/* ares_ev.c - a c-ares channel driven by a libevent loop (see ares_ev.h).
 *
 * c-ares 1.18 is driven by hand: ARES_OPT_SOCK_STATE_CB tells us which
 * sockets to watch, ares_process_fd() handles their events, and a timer
 * from ares_timeout() drives its retransmissions and timeouts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <event2/event.h>

#include "util/arena.h"
#include "net/ares_ev.h"
#include "util/log.h"

/* c-ares 1.18 reads UDP into 4096 bytes: room for bursts of answers. */
#define UPSTREAM_RCVBUF (1 << 20)

struct sockev {
	struct ares_ev *c;
	ares_socket_t fd;
	struct event *ev;
	struct sockev *next;
};

static void
sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sockev *se = arg;
	struct ares_ev *c = se->c;

	/* se may be freed inside ares_process_fd (the socket closed). */
	ares_process_fd(c->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	ares_ev_rearm(c);
}

static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct ares_ev *c = data;
	struct sockev **pp, *se = NULL;
	short ev = EV_PERSIST;

	for (pp = &c->socks; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->fd == fd) {
			se = *pp;
			break;
		}
	if (!readable && !writable) {
		if (se != NULL) {
			*pp = se->next;
			event_free(se->ev);
			free(se);
		}
		return;
	}
	if (se == NULL) {
		se = xcalloc(1, sizeof(*se));
		se->c = c;
		se->fd = fd;
		se->next = c->socks;
		c->socks = se;
	} else {
		event_free(se->ev);
	}
	if (readable)
		ev |= EV_READ;
	if (writable)
		ev |= EV_WRITE;
	se->ev = event_new(c->base, fd, ev, sock_cb, se);
	if (se->ev == NULL || event_add(se->ev, NULL) != 0)
		log_err("forward: cannot watch an upstream socket");
}

static void
chan_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ares_ev *c = arg;

	(void)fd;
	(void)what;
	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	ares_ev_rearm(c);
}

void
ares_ev_rearm(struct ares_ev *c)
{
	struct timeval tv, *p;

	if (*c->closing)
		return;
	p = ares_timeout(c->ch, NULL, &tv);
	if (p == NULL) {
		evtimer_del(c->timer);
		return;
	}
	evtimer_add(c->timer, p);
}

int
ares_ev_init(struct ares_ev *c, struct event_base *base, const bool *closing,
    unsigned timeout_ms, const struct ares_addr_port_node *srv, bool tcp)
{
	struct ares_options opt;
	int mask, r;

	memset(&opt, 0, sizeof(opt));
	c->base = base;
	c->closing = closing;
	/* NOCHECKRESP: SERVFAIL, REFUSED and NOTIMP are answers to pass on;
	 * IGNTC: a truncated answer goes back to the client with TC. */
	opt.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_IGNTC |
	    ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    (tcp ? ARES_FLAG_USEVC | ARES_FLAG_STAYOPEN : 0);
	opt.timeout = (int)timeout_ms;
	opt.tries = 1;
	opt.sock_state_cb = sock_state_cb;
	opt.sock_state_cb_data = c;
	/* Answers from a busy upstream arrive in bursts too. */
	opt.socket_receive_buffer_size = tcp ? 0 : UPSTREAM_RCVBUF;
	/* Our upstreams come from the config, never from the system's. */
	opt.resolvconf_path = (char *)(uintptr_t)"/dev/null";
	opt.nservers = 0;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_RESOLVCONF | ARES_OPT_NOROTATE |
	    (tcp ? 0 : ARES_OPT_SOCK_RCVBUF);
	r = ares_init_options(&c->ch, &opt, mask);
	if (r != ARES_SUCCESS)
		return r;
	c->ok = true;
	r = ares_set_servers_ports(c->ch, (struct ares_addr_port_node *)
	    (uintptr_t)srv);
	if (r != ARES_SUCCESS)
		return r;
	c->timer = evtimer_new(base, chan_timer_cb, c);
	return c->timer == NULL ? ARES_ENOMEM : ARES_SUCCESS;
}

void
ares_ev_free(struct ares_ev *c)
{
	if (c->ok)
		ares_destroy(c->ch);	/* callbacks: ARES_EDESTRUCTION */
	c->ok = false;
	while (c->socks != NULL) {
		struct sockev *se = c->socks;

		c->socks = se->next;
		event_free(se->ev);
		free(se);
	}
	if (c->timer != NULL)
		event_free(c->timer);
	c->timer = NULL;
}
