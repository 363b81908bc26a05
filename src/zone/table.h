/* table.h - one immutable generation of records.
 *
 * A table is made by a builder (builder.h), or from the one before it by
 * a patch (patch.h): nodes in hash-indexed shards, records grouped by
 * (node, type).  It never changes after that; readers hold references
 * (table_ref / table_unref, atomic counts) and the last unref frees it
 * and the shards no other generation shares.
 */
#ifndef TASKDNS_TABLE_H
#define TASKDNS_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/rr.h"


struct table_soa {
	struct dname mname, rname;
	uint32_t refresh, retry, expire, minimum, ttl;
};

/* An SRV target's name (lower-case wire form), held once for the records
 * that name it and shared, by counted references, by every shard and
 * generation that holds them: a patch that writes a shard again copies
 * the reference, not the name. */
struct table_name {
	atomic_uint refs;
	uint32_t hash;		/* dname_hash of the name */
	uint8_t len;
	uint8_t data[];
};

/* A record: its type and where its rdata is stored, in the record's
 * shard (shard.h): off is the distance from the record to it.  The
 * stored form is the wire form, except an SRV's: priority, weight and
 * port (6 octets), then a reference to its target's name (struct
 * table_name *, TABLE_SRV_STORED octets in all), so that a target is
 * held once however many records name it.  table_rdata() gives the wire
 * form of any record.  refs: how many times the generator added it (a
 * generation made from the one before removes a record when its last
 * adder goes). */
struct table_rec {
	uint16_t type;
	uint16_t rdlen;		/* of the stored form */
	uint32_t off;
	uint32_t refs;
};

#define TABLE_SRV_STORED (6 + sizeof(struct table_name *))

/* Longest wire rdata a table holds: an SRV with the longest target. */
#define TABLE_RDATA_MAX (6 + DNAME_MAX)

enum {
	/* Named only as an SRV target: no records, and not a name of the
	 * zone.  Only a builder holds such nodes; a table's are names. */
	NODE_TARGET = 1,
};

struct table_node {
	const uint8_t *name;	/* lower-case wire form */
	uint8_t name_len;
	uint8_t flags;		/* NODE_* */
	uint16_t shard;		/* the shard it is stored in */
	uint32_t hash;
	uint32_t first;		/* index of its first record, in its shard */
	uint32_t count;		/* records at this node, all types */
	uint32_t children;	/* names one label below it */
};

/* Which task made which records, for /v1/enumerate (mesos-dns's
 * EnumerationData): every framework in state order, its tasks with
 * records, and for each task the records it was first to add. */
struct table_enum_fw {
	const char *name;
	uint32_t first_task, n_tasks;	/* into tasks */
};

struct table_enum_task {
	const char *name, *id;
	uint32_t first_rec, n_recs;	/* into recs */
};

struct table_enum {
	struct table_enum_fw *fws;
	uint32_t n_fws;
	struct table_enum_task *tasks;
	uint32_t n_tasks;
	uint32_t *recs;		/* record numbers (table_rec_at) */
	uint32_t n_recs;
};

struct table_shard;
struct table_block;

/* A generation: its names split by hash into 1 << shard_bits shards
 * (shard.h), each immutable and shared by every generation that did not
 * change it, held in blocks of shards shared the same way.  Nodes and
 * records are also numbered across the shards, in shard order
 * (table_node_at, table_rec_at). */
struct table {
	atomic_uint refs;
	uint32_t serial;
	uint32_t ttl;
	struct dname apex;
	struct table_soa soa;
	unsigned shard_bits;
	struct table_block **blocks;	/* n_blocks of them (shard.h) */
	uint32_t n_blocks;
	uint32_t *node_at, *rec_at;	/* per block: its first number; one
					 * more at the end: the totals */
	uint32_t n_nodes;
	uint32_t n_recs;
	uint64_t content;	/* order-independent hash of the record set */
	uint32_t n_tasks;	/* informational, set by the generator */
	uint32_t capped;	/* records maxRecordsPerName dropped */
	/* False for the placeholder served before any state has loaded:
	 * names in the zone then get SERVFAIL, not a cacheable NXDOMAIN. */
	bool ready;
	struct table_enum *enumeration;	/* NULL: not kept */
	struct arena *arena;		/* the enumeration's */
	/* The steps from older serials to this one, for IXFR (journal.h;
	 * NULL: none).  Set before the table is published. */
	struct journal *journal;
};

/* A table of the given shards (taken over, 1 << bits of them): numbers,
 * totals and content from them; one reference.  The caller sets the
 * rest. */
struct table *table_of_shards(struct table_shard **shards, unsigned bits);
/* Record number of shard k's first record. */
uint32_t table_shard_first_rec(const struct table *t, uint32_t k);
/* How many shards t holds that prev does not share. */
uint32_t table_shards_changed(const struct table *t,
    const struct table *prev);
/* STYLE 6: the serial changes only with the records: prev's when t holds
 * what prev does, otherwise max(prev + 1, now). */
uint32_t table_serial_for(const struct table *prev, const struct table *t,
    uint32_t now);

/* Bytes the table holds: records, rdata, nodes, index and names. */
size_t table_bytes(const struct table *t);

/* Take and drop references; the last unref frees.  NULL is a no-op. */
struct table *table_ref(struct table *t);
void table_unref(struct table *t);

/* Node of a lower-cased name, or NULL.  Borrowed for the table's life. */
const struct table_node *table_lookup(const struct table *t,
    const struct dname *name_lower);
/* The same by a name's octets and dname_hash. */
const struct table_node *table_lookup_raw(const struct table *t,
    const uint8_t *name_lower, uint8_t len, uint32_t hash);
/* First record of the given type at node and how many there are (they are
 * consecutive); *n = 0 when none. */
const struct table_rec *table_rrset(const struct table *t,
    const struct table_node *node, uint16_t type, uint32_t *n);

/* The wire form of r's rdata: a pointer into the table, or for an SRV
 * composed in buf.  *len gets its length. */
const uint8_t *table_rdata(const struct table *t, const struct table_rec *r,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len);
/* Node's records, all types (node->count of them). */
const struct table_rec *table_node_recs(const struct table *t,
    const struct table_node *node);
/* The name an SRV record names as its target, or NULL when r is no
 * SRV. */
const struct table_name *table_srv_name(const struct table_rec *r);
/* The node holding the records of r's target: NULL when r is no SRV or
 * its target has no records in the zone. */
const struct table_node *table_srv_target(const struct table *t,
    const struct table_rec *r);
/* The port of SRV record r (0 when r is no SRV). */
uint16_t table_srv_port(const struct table *t, const struct table_rec *r);
/* Record number i (0 .. n_recs - 1), the node it belongs to, and node
 * number i (0 .. n_nodes - 1). */
const struct table_rec *table_rec_at(const struct table *t, uint32_t i);
const struct table_node *table_rec_node(const struct table *t, uint32_t i);
const struct table_node *table_node_at(const struct table *t, uint32_t i);

/* Text of record i: "A owner ip", "AAAA owner ip" or "SRV owner priority
 * weight port target", owner in presentation form.  Returns the length,
 * or -E_SPACE. */
int table_record_text(const struct table *t, uint32_t i, char *buf,
    size_t len);

#endif
