/* table.h - one immutable generation of records.
 *
 * A table is made by a builder (builder.h): nodes in a hash index, records
 * grouped by (node, type), all memory in one arena.  It never changes
 * after that; readers hold references (table_ref / table_unref, atomic
 * counts) and the last unref frees it in one call.
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

/* A record: its type and where its rdata is stored.  The stored form is
 * the wire form, except an SRV's: priority, weight and port (6 octets),
 * then the index of its target's node (4 octets, host order), so that a
 * target is held once, in its node, however many records name it.
 * table_rdata() gives the wire form of any record.  Which node a record
 * belongs to follows from the nodes' ranges (table_rec_node()). */
struct table_rec {
	uint16_t type;
	uint16_t rdlen;		/* of the stored form */
	uint32_t off;		/* into table.rdata */
};

/* Longest wire rdata a table holds: an SRV with the longest target. */
#define TABLE_RDATA_MAX (6 + DNAME_MAX)

enum {
	/* Named only as an SRV target: no records, and not a name of the
	 * zone (a lookup does not find it). */
	NODE_TARGET = 1,
};

struct table_node {
	const uint8_t *name;	/* lower-case wire form */
	uint8_t name_len;
	uint8_t flags;		/* NODE_* */
	uint32_t hash;
	uint32_t first;		/* index of its first record */
	uint32_t count;		/* records at this node, all types */
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
	uint32_t *recs;		/* indexes into table.recs */
	uint32_t n_recs;
};

struct table {
	atomic_uint refs;
	uint32_t serial;
	uint32_t ttl;
	struct dname apex;
	struct table_soa soa;
	struct table_node *nodes;
	uint32_t n_nodes;
	struct table_rec *recs;
	uint32_t n_recs;
	uint8_t *rdata;		/* every record's stored rdata */
	uint32_t rdata_len;
	uint32_t *index;	/* open addressing, node index + 1, 0 = free */
	uint32_t index_mask;
	uint64_t content;	/* order-independent hash of the record set */
	uint32_t n_tasks;	/* informational, set by the generator */
	/* False for the placeholder served before any state has loaded:
	 * names in the zone then get SERVFAIL, not a cacheable NXDOMAIN. */
	bool ready;
	struct table_enum *enumeration;	/* NULL: not kept */
	struct arena *arena;
};

/* Bytes the table holds: records, rdata, nodes, index and names. */
size_t table_bytes(const struct table *t);

/* Take and drop references; the last unref frees.  NULL is a no-op. */
struct table *table_ref(struct table *t);
void table_unref(struct table *t);

/* Node of a lower-cased name, or NULL.  Borrowed for the table's life. */
const struct table_node *table_lookup(const struct table *t,
    const struct dname *name_lower);
/* First record of the given type at node and how many there are (they are
 * consecutive); *n = 0 when none. */
const struct table_rec *table_rrset(const struct table *t,
    const struct table_node *node, uint16_t type, uint32_t *n);

/* The wire form of r's rdata: a pointer into the table, or for an SRV
 * composed in buf.  *len gets its length. */
const uint8_t *table_rdata(const struct table *t, const struct table_rec *r,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len);
/* The node an SRV record names as its target (it may have no records),
 * or NULL when r is no SRV. */
const struct table_node *table_srv_target(const struct table *t,
    const struct table_rec *r);
/* The port of SRV record r (0 when r is no SRV). */
uint16_t table_srv_port(const struct table *t, const struct table_rec *r);
/* The node record i belongs to. */
const struct table_node *table_rec_node(const struct table *t, uint32_t i);

/* Text of record i: "A owner ip", "AAAA owner ip" or "SRV owner priority
 * weight port target", owner in presentation form.  Returns the length,
 * or -E_SPACE. */
int table_record_text(const struct table *t, uint32_t i, char *buf,
    size_t len);

#endif
