/* ares_ev.h - one c-ares channel driven by a libevent loop: the sockets
 * c-ares opens are watched with events, its timeouts with a timer.  One
 * channel talks to one upstream over one transport (ARES_OPT_TRIES 1, no
 * rotation): forward.c chooses the upstream. */
#ifndef TASKDNS_ARES_EV_H
#define TASKDNS_ARES_EV_H

#include <stdbool.h>

#include <ares.h>

struct event;
struct event_base;
struct sockev;

struct ares_ev {
	ares_channel ch;
	bool ok;
	struct event_base *base;
	const bool *closing;	/* true: its owner is being freed */
	struct event *timer;
	struct sockev *socks;
};

/* A channel to srv alone, over TCP or UDP, each attempt timed out after
 * timeout_ms; while *closing, timeouts are no longer rearmed.  Returns an
 * ARES_ status; on failure ares_ev_free() still applies. */
int ares_ev_init(struct ares_ev *c, struct event_base *base, const bool *closing,
    unsigned timeout_ms, const struct ares_addr_port_node *srv, bool tcp);
/* After anything that may have changed c-ares's timeouts (a query sent). */
void ares_ev_rearm(struct ares_ev *c);
/* Destroy the channel (its queries get ARES_EDESTRUCTION) and its
 * events. */
void ares_ev_free(struct ares_ev *c);

#endif
