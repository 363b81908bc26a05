/* notify.h - NOTIFY to the secondaries (RFC 1996), from the main loop.
 *
 * For each zone and each address of `notify`: a NOTIFY when the zone's
 * serial changes (and at start), sent again until the secondary answers
 * (after 1 s, then twice as long each time, 60 s at most).  One NOTIFY
 * per zone and secondary is in flight at a time: serials that change
 * meanwhile are coalesced, and once it is answered (or times out) the
 * newest serial goes, so a burst of generations sends one NOTIFY more,
 * not one each.
 */
#ifndef TASKDNS_NOTIFY_H
#define TASKDNS_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "net/tsig.h"

struct event_base;
struct notify;

struct notify_stats {
	uint64_t sent;		/* NOTIFY messages sent, retries included */
	uint64_t answered;	/* answers from a secondary */
	uint64_t failed;	/* secondaries given up on for a serial */
};

/* A notifier for the targets ("ip", "ip:port", "[v6]:port"; port 53 by
 * default) on base; NULL with the reason in err. */
struct notify *notify_new(struct event_base *base, char *const *targets,
    size_t n, char *err, size_t errlen);
void notify_free(struct notify *n);
/* Sign every NOTIFY from now on with key (copied; NULL: unsigned). */
void notify_set_key(struct notify *n, const struct tsig_key *key);
/* Zone apex is at serial now; pkt (len octets, at most 512) is the
 * NOTIFY to send, its id rewritten per message.  Nothing when the serial
 * is the one last told. */
void notify_zone(struct notify *n, const struct dname *apex, uint32_t serial,
    const uint8_t *pkt, size_t len);
void notify_stats(const struct notify *n, struct notify_stats *out);

#endif
