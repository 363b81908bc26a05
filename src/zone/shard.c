/* shard.c - writing and reading one shard of a generation (see shard.h). */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/shard.h"

/* Names per shard a generation aims at: small enough that writing one
 * again is cheap, large enough that the shards' headers stay a small
 * part of the memory. */
#define NAMES_PER_SHARD 48
#define MAX_SHARD_BITS 16

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Hash of n octets, eight at a time, chained from h. */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;
	size_t i = 0;

	h ^= n * 0x9e3779b97f4a7c15ULL;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, b + i, n - i);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	return h;
}

unsigned
shard_bits_for(uint32_t n_names)
{
	unsigned bits = 0;

	while (bits < MAX_SHARD_BITS &&
	    ((uint64_t)NAMES_PER_SHARD << bits) < n_names)
		bits++;
	return bits;
}

static void *
grow(void *v, uint32_t n, uint32_t *cap, size_t sz, uint32_t least)
{
	if (n + least <= *cap)
		return v;
	while (*cap < n + least)
		*cap = *cap ? *cap * 2 : 64;
	return xrealloc(v, (size_t)*cap * sz);
}

void
draft_reset(struct shard_draft *d)
{
	d->n_nodes = d->n_recs = d->n_bytes = 0;
}

void
draft_free(struct shard_draft *d)
{
	free(d->nodes);
	free(d->recs);
	free(d->bytes);
	free(d->set);
	free(d->target);
	memset(d, 0, sizeof(*d));
}

void
draft_node(struct shard_draft *d, const uint8_t *name, uint8_t len,
    uint32_t hash, uint32_t children)
{
	struct draft_node *n;

	d->nodes = grow(d->nodes, d->n_nodes, &d->cap_nodes, sizeof(*n), 1);
	n = &d->nodes[d->n_nodes++];
	n->name = name;
	n->len = len;
	n->flags = 0;
	n->hash = hash;
	n->children = children;
	n->first = d->n_recs;
	n->count = 0;
}

void
draft_rec(struct shard_draft *d, uint16_t type, const uint8_t *rd,
    uint16_t rdlen, uint32_t refs)
{
	struct draft_rec *r;

	d->recs = grow(d->recs, d->n_recs, &d->cap_recs, sizeof(*r), 1);
	d->bytes = grow(d->bytes, d->n_bytes, &d->cap_bytes, 1, rdlen);
	r = &d->recs[d->n_recs++];
	r->type = type;
	r->rdlen = rdlen;
	r->refs = refs;
	r->off = d->n_bytes;
	if (rdlen > 0)
		memcpy(d->bytes + d->n_bytes, rd, rdlen);
	d->n_bytes += rdlen;
	d->nodes[d->n_nodes - 1].count++;
}

/* The draft node named name (len octets, hash h) through the set
 * (mask), or UINT32_MAX; *slot gets where it is or would go. */
static uint32_t
set_find(const struct shard_draft *d, uint32_t mask, const uint8_t *name,
    uint8_t len, uint32_t h, uint32_t *slot)
{
	uint32_t s = mix64(h) & mask;

	for (; d->set[s] != 0; s = (s + 1) & mask) {
		const struct draft_node *n = &d->nodes[d->set[s] - 1];

		if (n->hash == h && n->len == len &&
		    memcmp(n->name, name, len) == 0)
			return d->set[s] - 1;
	}
	*slot = s;
	return UINT32_MAX;
}

/* Each SRV's target as a draft node: a name of the draft, or a target
 * node added for it.  Returns how many names there are (the rest are
 * targets). */
static uint32_t
resolve_targets(struct shard_draft *d)
{
	uint32_t mask = 63, names = d->n_nodes, slot = 0;

	while (mask + 1 < 2 * (d->n_nodes + d->n_recs))
		mask = mask * 2 + 1;
	if (d->set_cap < mask + 1) {
		free(d->set);
		d->set_cap = mask + 1;
		d->set = xmalloc((size_t)d->set_cap * sizeof(uint32_t));
	}
	memset(d->set, 0, ((size_t)mask + 1) * sizeof(uint32_t));
	d->target = grow(d->target, 0, &d->target_cap, sizeof(uint32_t),
	    d->n_recs);
	for (uint32_t i = 0; i < names; i++) {
		const struct draft_node *n = &d->nodes[i];

		if (set_find(d, mask, n->name, n->len, n->hash, &slot) ==
		    UINT32_MAX)
			d->set[slot] = i + 1;
	}
	for (uint32_t i = 0; i < d->n_recs; i++) {
		const struct draft_rec *r = &d->recs[i];
		const uint8_t *t = d->bytes + r->off + 6;
		uint8_t tlen;
		uint32_t h, id;

		d->target[i] = UINT32_MAX;
		if (r->type != RR_SRV || r->rdlen <= 6)
			continue;
		tlen = (uint8_t)(r->rdlen - 6);
		h = dname_hash(t, tlen);
		id = set_find(d, mask, t, tlen, h, &slot);
		if (id == UINT32_MAX) {
			struct draft_node *n;

			d->nodes = grow(d->nodes, d->n_nodes, &d->cap_nodes,
			    sizeof(*n), 1);
			id = d->n_nodes++;
			n = &d->nodes[id];
			/* The bytes do not move while the shard is written. */
			n->name = t;
			n->len = tlen;
			n->flags = NODE_TARGET;
			n->hash = h;
			n->children = 0;
			n->first = d->n_recs;
			n->count = 0;
			d->set[slot] = id + 1;
		}
		d->target[i] = id;
	}
	return names;
}

/* Content hash of a record, independent of where it is stored: the
 * name enters as its hash and length, as an SRV target does. */
static uint64_t
rec_hash(const struct draft_node *n, uint16_t type, const uint8_t *rd,
    uint16_t rdlen, const struct draft_node *target)
{
	uint64_t nh = mix64((uint64_t)n->hash << 8 | n->len), h;

	if (target != NULL) {
		h = mix(nh ^ type, rd, 6);
		h = mix(h, &target->hash, 4);
		h = mix(h, &target->len, 1);
		rdlen = 10;
	} else
		h = mix(nh ^ type, rd, rdlen);
	return mix64(h ^ rdlen);
}

struct table_shard *
shard_write(struct shard_draft *d, uint16_t id, unsigned shift)
{
	uint32_t names, mask = 15;
	size_t off_nodes, off_recs, off_index, off_rd, off_names, total;
	size_t rd_bytes = 0, name_bytes = 0, rd_at, name_at;
	struct table_shard *s;
	uint8_t *block;

	if (d->n_nodes == 0)
		return NULL;
	names = resolve_targets(d);
	for (uint32_t i = 0; i < d->n_nodes; i++)
		name_bytes += d->nodes[i].len;
	for (uint32_t i = 0; i < d->n_recs; i++)
		rd_bytes += d->target[i] != UINT32_MAX ? 10 : d->recs[i].rdlen;
	while (mask + 1 < 2 * names)
		mask = mask * 2 + 1;
	off_nodes = (sizeof(*s) + 7) & ~(size_t)7;
	off_recs = off_nodes + (size_t)d->n_nodes * sizeof(struct table_node);
	off_index = off_recs + (size_t)d->n_recs * sizeof(struct table_rec);
	off_rd = off_index + ((size_t)mask + 1) * sizeof(uint32_t);
	off_names = off_rd + rd_bytes;
	total = off_names + name_bytes;
	block = xcalloc(1, total);
	s = (struct table_shard *)block;
	atomic_init(&s->refs, 1);
	s->id = id;
	s->shift = (uint8_t)shift;
	s->n_nodes = d->n_nodes;
	s->n_recs = d->n_recs;
	s->index_mask = mask;
	s->bytes = total;
	s->nodes = (struct table_node *)(block + off_nodes);
	s->recs = (struct table_rec *)(block + off_recs);
	s->index = (uint32_t *)(block + off_index);
	name_at = off_names;
	for (uint32_t i = 0; i < d->n_nodes; i++) {
		const struct draft_node *dn = &d->nodes[i];
		struct table_node *n = &s->nodes[i];

		memcpy(block + name_at, dn->name, dn->len);
		n->name = block + name_at;
		name_at += dn->len;
		n->name_len = dn->len;
		n->flags = dn->flags;
		n->shard = id;
		n->hash = dn->hash;
		n->first = dn->first;
		n->count = dn->count;
		n->children = dn->children;
		if (i < names) {
			uint32_t k = (dn->hash >> shift) & mask;

			while (s->index[k] != 0)
				k = (k + 1) & mask;
			s->index[k] = i + 1;
		}
	}
	rd_at = off_rd;
	for (uint32_t i = 0; i < names; i++) {
		const struct draft_node *dn = &d->nodes[i];

		for (uint32_t j = dn->first; j < dn->first + dn->count; j++) {
			const struct draft_rec *dr = &d->recs[j];
			struct table_rec *r = &s->recs[j];
			const uint8_t *rd = d->bytes + dr->off;
			const struct draft_node *tn = d->target[j] !=
			    UINT32_MAX ? &d->nodes[d->target[j]] : NULL;

			r->type = dr->type;
			r->refs = dr->refs;
			r->off = (uint32_t)(block + rd_at - (uint8_t *)r);
			if (tn != NULL) {
				int32_t rel = (int32_t)((uint8_t *)&s->nodes[
				    d->target[j]] - (block + rd_at));

				memcpy(block + rd_at, rd, 6);
				memcpy(block + rd_at + 6, &rel, 4);
				r->rdlen = 10;
			} else {
				memcpy(block + rd_at, rd, dr->rdlen);
				r->rdlen = dr->rdlen;
			}
			rd_at += r->rdlen;
			s->content += rec_hash(dn, dr->type, rd, dr->rdlen, tn);
		}
	}
	return s;
}

struct table_shard *
shard_ref(struct table_shard *s)
{
	if (s != NULL)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void
shard_unref(struct table_shard *s)
{
	if (s == NULL)
		return;
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		free(s);
}

const struct table_node *
shard_find(const struct table_shard *s, const uint8_t *name, uint8_t len,
    uint32_t hash)
{
	uint32_t k;

	if (s == NULL)
		return NULL;
	for (k = (hash >> s->shift) & s->index_mask; s->index[k] != 0;
	    k = (k + 1) & s->index_mask) {
		const struct table_node *n = &s->nodes[s->index[k] - 1];

		if (n->hash == hash && n->name_len == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	}
	return NULL;
}

const struct table_node *
shard_srv_node(const struct table_rec *r)
{
	const uint8_t *rd = shard_rdata(r);
	int32_t rel;

	if (r->type != RR_SRV || r->rdlen != 10)
		return NULL;
	memcpy(&rel, rd + 6, 4);
	return (const struct table_node *)(rd + rel);
}
