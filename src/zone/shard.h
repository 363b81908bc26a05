/* shard.h - one shard of a record generation, and how one is written.
 *
 * A generation (table.h) is split by name hash into shards: the names
 * whose hash has the same low bits, with their records, in one immutable
 * block with its own index.  A new generation made from the one before
 * (patch.h) writes again only the shards whose names changed and shares
 * every other one, by reference.
 *
 * A shard is written from a draft: its names in order, each with its
 * records (rdata in stored form, table.h: an SRV's target as a reference
 * to a struct table_name, which the draft borrows and the shard takes
 * one of its own to), grouped by type.  The writer sums the records'
 * content hashes.
 */
#ifndef TASKDNS_SHARD_H
#define TASKDNS_SHARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zone/table.h"

struct table_shard {
	atomic_uint refs;
	uint16_t id;		/* its place in the generation */
	uint8_t shift;		/* index slot: hash >> shift */
	uint32_t n_nodes, n_recs, index_mask;
	uint64_t content;	/* sum of its records' content hashes */
	size_t bytes;
	struct table_node *nodes;
	struct table_rec *recs;
	/* Node index + 1 of its names, 0: free; 16 bits wide unless the
	 * shard holds 65535 names or more (wide). */
	void *index;
	bool wide;
};

struct draft_node {
	const uint8_t *name;	/* lower-case wire form, borrowed */
	uint8_t len, flags;
	uint32_t hash, children;
	uint32_t first, count;	/* into the draft's records */
};

struct draft_rec {
	uint16_t type, rdlen;
	uint32_t refs;
	uint32_t off;		/* into the draft's bytes */
};

struct shard_draft {
	struct draft_node *nodes;
	uint32_t n_nodes, cap_nodes;
	struct draft_rec *recs;
	uint32_t n_recs, cap_recs;
	uint8_t *bytes;
	uint32_t n_bytes, cap_bytes;
};

void draft_reset(struct shard_draft *d);
void draft_free(struct shard_draft *d);
/* Open a name; its records follow. */
void draft_node(struct shard_draft *d, const uint8_t *name, uint8_t len,
    uint32_t hash, uint32_t children);
/* A record of the open name (stored rdata copied; an SRV's target
 * borrowed). */
void draft_rec(struct shard_draft *d, uint16_t type, const uint8_t *rd,
    uint16_t rdlen, uint32_t refs);

/* The shard for a draft (NULL when it holds no name), id and shift as
 * the generation places it.  It holds one reference. */
struct table_shard *shard_write(struct shard_draft *d, uint16_t id,
    unsigned shift);
struct table_shard *shard_ref(struct table_shard *s);
void shard_unref(struct table_shard *s);

/* Node of a lower-case name in s, or NULL. */
const struct table_node *shard_find(const struct table_shard *s,
    const uint8_t *name, uint8_t len, uint32_t hash);

/* SRV target names: a new one holding one reference, and references
 * taken and dropped (the last frees it; NULL is a no-op). */
struct table_name *tname_new(const uint8_t *name, uint8_t len,
    uint32_t hash);
struct table_name *tname_ref(struct table_name *n);
void tname_unref(struct table_name *n);
/* Whether stored rdata of type holds a target name reference. */
static inline bool
stored_srv(uint16_t type, uint16_t rdlen)
{
	return type == RR_SRV && rdlen == TABLE_SRV_STORED;
}
/* The target name in an SRV's stored rdata (TABLE_SRV_STORED octets). */
static inline struct table_name *
tname_of(const uint8_t *stored)
{
	struct table_name *n;

	memcpy(&n, stored + 6, sizeof(n));
	return n;
}
/* Whether two stored rdata of type are the same record data. */
bool stored_equal(uint16_t type, const uint8_t *a, uint16_t alen,
    const uint8_t *b, uint16_t blen);
/* The wire form of stored rdata (a pointer to it, or composed in buf). */
const uint8_t *stored_wire(uint16_t type, const uint8_t *rd, uint16_t rdlen,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len);
static inline const uint8_t *
shard_rdata(const struct table_rec *r)
{
	return (const uint8_t *)r + r->off;
}

/* Shards for a generation of n names: a power of two, as bits. */
unsigned shard_bits_for(uint32_t n_names);

/* A generation holds its shards in blocks of up to TABLE_BLOCK, and a
 * generation made from the one before shares every block it did not
 * change, by one reference: a publish that changes a few names takes and
 * later drops a reference per block and per shard of a changed block,
 * not one per shard (at 100k tasks, 256 + 64 per change, not 16,384). */
#define TABLE_BLOCK_BITS 6
#define TABLE_BLOCK (1u << TABLE_BLOCK_BITS)

struct table_block {
	atomic_uint refs;
	uint32_t n;		/* shards: TABLE_BLOCK, or fewer in a small
				 * generation */
	/* Per shard, its first node and record number in the block; one
	 * more at the end: the block's totals (set by block_seal). */
	uint32_t node_at[TABLE_BLOCK + 1], rec_at[TABLE_BLOCK + 1];
	uint64_t content;
	size_t bytes;
	struct table_shard *shards[TABLE_BLOCK];	/* NULL: empty */
};

/* A block of n empty shards, one reference. */
struct table_block *block_new(uint32_t n);
/* A block holding b's shards, each with a reference of its own. */
struct table_block *block_copy(const struct table_block *b);
/* Totals and numbers from the shards, once they are all in. */
void block_seal(struct table_block *b);
struct table_block *block_ref(struct table_block *b);
void block_unref(struct table_block *b);

/* Shard k of t (NULL when it is empty). */
static inline struct table_shard *
table_shard(const struct table *t, uint32_t k)
{
	return t->blocks[k >> TABLE_BLOCK_BITS]->shards[k &
	    (TABLE_BLOCK - 1)];
}

/* A table of the given blocks (taken over, as many as 1 << bits shards
 * fill): numbers, totals and content from them; one reference. */
struct table *table_of_blocks(struct table_block **blocks, unsigned bits);

#endif
