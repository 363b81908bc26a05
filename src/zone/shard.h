/* shard.h - one shard of a record generation, and how one is written.
 *
 * A generation (table.h) is split by name hash into shards: the names
 * whose hash has the same low bits, with their records, in one immutable
 * block with its own index.  A new generation made from the one before
 * (patch.h) writes again only the shards whose names changed and shares
 * every other one, by reference.
 *
 * A shard is written from a draft: its names in order, each with its
 * records (rdata in wire form, an SRV's target as an uncompressed
 * lower-case name), grouped by type.  The writer stores each SRV target
 * once per shard, as a node of its own when the target is no name of
 * the shard, and sums the records' content hashes.
 */
#ifndef TASKDNS_SHARD_H
#define TASKDNS_SHARD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

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
	uint32_t *index;	/* node index + 1 of its names; 0: free */
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
	/* The writer's scratch: a name index and each SRV's target. */
	uint32_t *set, set_cap;
	uint32_t *target, target_cap;
};

void draft_reset(struct shard_draft *d);
void draft_free(struct shard_draft *d);
/* Open a name; its records follow. */
void draft_node(struct shard_draft *d, const uint8_t *name, uint8_t len,
    uint32_t hash, uint32_t children);
/* A record of the open name (rdata copied). */
void draft_rec(struct shard_draft *d, uint16_t type, const uint8_t *rd,
    uint16_t rdlen, uint32_t refs);

/* The shard for a draft (NULL when it holds no name), id and shift as
 * the generation places it.  It holds one reference. */
struct table_shard *shard_write(struct shard_draft *d, uint16_t id,
    unsigned shift);
struct table_shard *shard_ref(struct table_shard *s);
void shard_unref(struct table_shard *s);

/* Node of a lower-case name in s (names only, or target nodes too when
 * targets is set), or NULL. */
const struct table_node *shard_find(const struct table_shard *s,
    const uint8_t *name, uint8_t len, uint32_t hash);

/* The node an SRV record's stored form names (in the record's shard). */
const struct table_node *shard_srv_node(const struct table_rec *r);
static inline const uint8_t *
shard_rdata(const struct table_rec *r)
{
	return (const uint8_t *)r + r->off;
}

/* Shards for a generation of n names: a power of two, as bits. */
unsigned shard_bits_for(uint32_t n_names);

#endif
