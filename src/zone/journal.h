/* journal.h - the differences between the Mesos zone's generations, for
 * IXFR (RFC 1995).
 *
 * Each generation carries a journal: the steps (records deleted, records
 * added) from older serials up to its own, at most a number of steps
 * and of bytes.  A journal, like its steps, is immutable once made and
 * shared by counted references: the next generation's is a new list of
 * the same steps, the oldest dropped, one more at the end; a transfer
 * holds the generation, and with it the journal.
 *
 * The Mesos zone's steps are found by comparing two generations shard by
 * shard: shards a
 * patched generation shares with the one before are passed over, and so
 * are shards of a full build whose content hash is the one before's; the
 * others are compared record by record.  When the two cannot be compared
 * that way (another apex, TTL, SOA or shard count) the journal starts
 * again empty: older serials get the whole zone.  A zone of an szone (a
 * reverse zone, a zone file) is compared whole, record by record, the
 * apex SOA aside; another apex or SOA (but its serial) starts again.
 *
 * A diff is a run of records, each: owner length (1 octet), owner
 * (lower-case wire form), type (2), TTL (4), rdata length (2), rdata
 * (uncompressed wire form).  Pure: no I/O.
 */
#ifndef TASKDNS_JOURNAL_H
#define TASKDNS_JOURNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"

struct table;
struct szone;

/* The bytes of records a journal keeps at most, over all its steps. */
#define JOURNAL_MAX_BYTES ((size_t)64 << 20)

struct jdiff {
	atomic_uint refs;
	uint32_t from, to;	/* serials */
	uint8_t *del, *add;
	size_t del_len, add_len;
	uint32_t n_del, n_add;
};

struct journal {
	atomic_uint refs;
	uint32_t n;
	size_t bytes;		/* of the steps' records */
	struct jdiff *steps[];	/* oldest first, each to the next's from */
};

/* One record of a diff, as read. */
struct jrec {
	struct dname owner;
	uint16_t type, rdlen;
	uint32_t ttl;
	const uint8_t *rdata;
};

/* The journal for next, made from prev (the generation it follows, with
 * its journal): prev's steps and the step prev -> next, the oldest
 * dropped past max_steps or max_bytes.  NULL (no journal) when max_steps
 * is 0 or the two cannot be compared; prev's own journal when they hold
 * the same serial. */
struct journal *journal_next(const struct table *prev,
    const struct table *next, unsigned max_steps, size_t max_bytes);
/* The same for a zone of an szone and its version before. */
struct journal *journal_next_szone(const struct szone *prev,
    const struct szone *next, unsigned max_steps, size_t max_bytes);
/* The offset of the serial in SOA rdata rd (len octets), or -1. */
int journal_soa_serial_off(const uint8_t *rd, uint16_t len);
struct journal *journal_ref(struct journal *j);
void journal_unref(struct journal *j);

/* The changes from serial from to the journal's last, condensed into one
 * step (a record deleted and added again is in neither; RFC 1995 leaves
 * the condensing to the server): one reference, or NULL when the journal
 * does not go back to from. */
struct jdiff *journal_since(const struct journal *j, uint32_t from);
void jdiff_unref(struct jdiff *d);

/* The record at *pos of a run of len octets, *pos moved past it: false
 * at the end. */
bool jdiff_read(const uint8_t *run, size_t len, size_t *pos,
    struct jrec *r);

#endif
