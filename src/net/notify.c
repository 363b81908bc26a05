/* notify.c - NOTIFY to the secondaries (see notify.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>

#include "dns/message.h"
#include "dns/rr.h"
#include "net/forward.h"
#include "net/notify.h"
#include "util/arena.h"
#include "util/log.h"

#define NOTIFY_PKT_MAX 512
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 60000
#define TRIES_BEFORE_LOG 5

struct nzone;

/* One zone at one secondary. */
struct nslot {
	struct notify *n;
	struct nzone *z;
	unsigned target;
	struct event *timer;
	uint16_t id;
	bool flying;		/* sent, not yet answered */
	uint32_t sent;		/* the serial in flight */
	unsigned tries;
	unsigned wait_ms;
};

struct nzone {
	struct dname apex;
	uint32_t serial;
	uint8_t pkt[NOTIFY_PKT_MAX];
	size_t len;
	struct nslot *slots;	/* one per target */
};

struct ntarget {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];
};

struct notify {
	struct event_base *base;
	struct ntarget *t;
	size_t n_t;
	struct nzone **z;
	size_t n_z;
	int fd[2];		/* IPv4, IPv6; -1: none */
	struct tsig_key key;
	bool signed_;		/* key is set */
	struct event *rd[2];
	struct notify_stats st;
};

static void send_slot(struct nslot *s);

static int
fam_index(int family)
{
	return family == AF_INET ? 0 : 1;
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
}

/* An answer: the slot it is for, when its id, source and opcode match. */
static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	uint8_t buf[NOTIFY_PKT_MAX];
	struct sockaddr_storage from;

	(void)what;
	for (int k = 0; k < 64; k++) {
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		struct msg_header h;

		if (r < 0)
			return;
		if (message_read_header(buf, (size_t)r, &h) != 0 ||
		    !(h.flags & MSG_FLAG_QR) ||
		    ((h.flags >> 11) & 0xf) != OPCODE_NOTIFY)
			continue;
		for (size_t i = 0; i < n->n_z; i++)
			for (size_t j = 0; j < n->n_t; j++) {
				struct nslot *s = &n->z[i]->slots[j];

				if (!s->flying || s->id != h.id ||
				    !same_addr(&from, &n->t[j].ss))
					continue;
				s->flying = false;
				s->tries = 0;
				s->wait_ms = 0;
				n->st.answered++;
				evtimer_del(s->timer);
				if ((h.flags & 0xf) != RCODE_NOERROR)
					log_warn("NOTIFY of %u to %s: rcode %u",
					    s->sent, n->t[j].text,
					    h.flags & 0xf);
				if (s->sent != s->z->serial)
					send_slot(s);
			}
	}
}

static int
open_fd(struct notify *n, int family)
{
	int k = fam_index(family);

	if (n->fd[k] >= 0)
		return n->fd[k];
	n->fd[k] = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd[k] < 0)
		return -1;
	n->rd[k] = event_new(n->base, n->fd[k], EV_READ | EV_PERSIST, read_cb,
	    n);
	if (n->rd[k] == NULL || event_add(n->rd[k], NULL) != 0) {
		close(n->fd[k]);
		n->fd[k] = -1;
		return -1;
	}
	return n->fd[k];
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nslot *s = arg;

	(void)fd;
	(void)what;
	if (s->tries == TRIES_BEFORE_LOG) {
		char zone[DNAME_TEXT_MAX];

		if (dname_to_text(&s->z->apex, zone, sizeof(zone)) < 0)
			snprintf(zone, sizeof(zone), "?");
		log_warn("NOTIFY of %s serial %u to %s: no answer after %u "
		    "tries; trying on", zone, s->sent, s->n->t[s->target].text,
		    s->tries);
		s->n->st.failed++;
	}
	s->flying = false;
	send_slot(s);
}

/* Send the zone's newest serial to the slot's secondary; the retry timer
 * runs until it answers. */
static void
send_slot(struct nslot *s)
{
	struct notify *n = s->n;
	struct ntarget *t = &n->t[s->target];
	uint8_t pkt[NOTIFY_PKT_MAX + TSIG_RR_MAX];
	struct timeval tv;
	int fd = open_fd(n, t->ss.ss_family);
	size_t len = s->z->len;

	evutil_secure_rng_get_bytes(&s->id, sizeof(s->id));
	memcpy(pkt, s->z->pkt, len);
	message_set_id(pkt, len, s->id);
	if (n->signed_)
		len = tsig_sign_request(&n->key, pkt, len, sizeof(pkt),
		    (uint64_t)time(NULL));
	s->sent = s->z->serial;
	s->flying = true;
	s->tries++;
	if (fd >= 0 && len > 0 && sendto(fd, pkt, len, 0,
	    (const struct sockaddr *)&t->ss, t->len) >= 0)
		n->st.sent++;
	s->wait_ms = s->wait_ms == 0 ? RETRY_FIRST_MS : s->wait_ms * 2;
	if (s->wait_ms > RETRY_MAX_MS)
		s->wait_ms = RETRY_MAX_MS;
	tv.tv_sec = s->wait_ms / 1000;
	tv.tv_usec = (suseconds_t)(s->wait_ms % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static int
parse_target(const char *text, struct ntarget *t)
{
	uint8_t a[16];
	uint16_t port;
	int fam;

	if (fwd_parse_server(text, &fam, a, &port) != 0)
		return -1;
	memset(t, 0, sizeof(*t));
	snprintf(t->text, sizeof(t->text), "%s", text);
	if (fam == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a, 4);
		t->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a, 16);
		t->len = sizeof(*sin6);
	}
	return 0;
}

struct notify *
notify_new(struct event_base *base, char *const *targets, size_t n,
    char *err, size_t errlen)
{
	struct notify *nt = xcalloc(1, sizeof(*nt));

	nt->base = base;
	nt->fd[0] = nt->fd[1] = -1;
	nt->t = xcalloc(n ? n : 1, sizeof(*nt->t));
	nt->n_t = n;
	for (size_t i = 0; i < n; i++)
		if (parse_target(targets[i], &nt->t[i]) != 0) {
			snprintf(err, errlen, "notify: \"%s\" is not ip, ip:port "
			    "or [v6]:port", targets[i]);
			notify_free(nt);
			return NULL;
		}
	return nt;
}

static struct nzone *
zone_for(struct notify *n, const struct dname *apex)
{
	struct nzone *z;

	for (size_t i = 0; i < n->n_z; i++)
		if (dname_equal(&n->z[i]->apex, apex))
			return n->z[i];
	z = xcalloc(1, sizeof(*z));
	z->apex = *apex;
	z->slots = xcalloc(n->n_t ? n->n_t : 1, sizeof(*z->slots));
	for (size_t j = 0; j < n->n_t; j++) {
		z->slots[j].n = n;
		z->slots[j].z = z;
		z->slots[j].target = (unsigned)j;
		z->slots[j].timer = evtimer_new(n->base, retry_cb,
		    &z->slots[j]);
	}
	n->z = xrealloc(n->z, (n->n_z + 1) * sizeof(*n->z));
	n->z[n->n_z++] = z;
	return z;
}

void
notify_zone(struct notify *n, const struct dname *apex, uint32_t serial,
    const uint8_t *pkt, size_t len)
{
	struct nzone *z;
	bool fresh;

	if (n == NULL || len > NOTIFY_PKT_MAX || len < MSG_HDR_LEN)
		return;
	fresh = true;
	for (size_t i = 0; i < n->n_z; i++)
		if (dname_equal(&n->z[i]->apex, apex))
			fresh = false;
	z = zone_for(n, apex);
	if (!fresh && z->serial == serial)
		return;
	z->serial = serial;
	memcpy(z->pkt, pkt, len);
	z->len = len;
	for (size_t j = 0; j < n->n_t; j++)
		if (!z->slots[j].flying && z->slots[j].timer != NULL) {
			z->slots[j].tries = 0;
			z->slots[j].wait_ms = 0;
			send_slot(&z->slots[j]);
		}
}

void
notify_stats(const struct notify *n, struct notify_stats *out)
{
	if (n == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = n->st;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n_z; i++) {
		for (size_t j = 0; j < n->n_t; j++)
			if (n->z[i]->slots[j].timer != NULL)
				event_free(n->z[i]->slots[j].timer);
		free(n->z[i]->slots);
		free(n->z[i]);
	}
	free(n->z);
	for (int k = 0; k < 2; k++) {
		if (n->rd[k] != NULL)
			event_free(n->rd[k]);
		if (n->fd[k] >= 0)
			close(n->fd[k]);
	}
	free(n->t);
	explicit_bzero(&n->key, sizeof(n->key));
	free(n);
}

void
notify_set_key(struct notify *n, const struct tsig_key *key)
{
	if (n == NULL)
		return;
	explicit_bzero(&n->key, sizeof(n->key));
	n->signed_ = key != NULL;
	if (key != NULL)
		n->key = *key;
}
