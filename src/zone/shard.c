/* shard.c - writing and reading one shard of a generation (see shard.h). */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/mix.h"
#include "zone/shard.h"

/* Names per shard a generation aims at: small enough that writing one
 * again is cheap, large enough that the shards' headers stay a small
 * part of the memory. */
#define NAMES_PER_SHARD 48
#define MAX_SHARD_BITS 16

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

struct table_name *
tname_new(const uint8_t *name, uint8_t len, uint32_t hash)
{
	struct table_name *n = xmalloc(sizeof(*n) + len);

	atomic_init(&n->refs, 1);
	n->hash = hash;
	n->len = len;
	memcpy(n->data, name, len);
	return n;
}

struct table_name *
tname_ref(struct table_name *n)
{
	if (n != NULL)
		atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
	return n;
}

void
tname_unref(struct table_name *n)
{
	if (n != NULL && atomic_fetch_sub_explicit(&n->refs, 1,
	    memory_order_acq_rel) == 1)
		free(n);
}

bool
stored_equal(uint16_t type, const uint8_t *a, uint16_t alen,
    const uint8_t *b, uint16_t blen)
{
	const struct table_name *x, *y;

	if (alen != blen)
		return false;
	if (!stored_srv(type, alen))
		return alen == 0 || memcmp(a, b, alen) == 0;
	if (memcmp(a, b, 6) != 0)
		return false;
	x = tname_of(a);
	y = tname_of(b);
	return x == y || (x->hash == y->hash && x->len == y->len &&
	    memcmp(x->data, y->data, x->len) == 0);
}

const uint8_t *
stored_wire(uint16_t type, const uint8_t *rd, uint16_t rdlen,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len)
{
	const struct table_name *n;

	if (!stored_srv(type, rdlen)) {
		*len = rdlen;
		return rd;
	}
	n = tname_of(rd);
	memcpy(buf, rd, 6);
	memcpy(buf + 6, n->data, n->len);
	*len = (uint16_t)(6 + n->len);
	return buf;
}

/* Content hash of a record, independent of where it is stored: the
 * name enters as its hash and length, as an SRV target does. */
static uint64_t
rec_hash(const struct draft_node *n, uint16_t type, const uint8_t *rd,
    uint16_t rdlen)
{
	uint64_t nh = mix64((uint64_t)n->hash << 8 | n->len), h;

	if (stored_srv(type, rdlen)) {
		const struct table_name *t = tname_of(rd);

		h = mix(nh ^ type, rd, 6);
		h = mix(h, &t->hash, 4);
		h = mix(h, &t->len, 1);
		rdlen = 10;
	} else
		h = mix(nh ^ type, rd, rdlen);
	return mix64(h ^ rdlen);
}

struct table_shard *
shard_write(struct shard_draft *d, uint16_t id, unsigned shift)
{
	uint32_t mask = 15;
	bool wide = d->n_nodes >= UINT16_MAX;
	size_t slot = wide ? sizeof(uint32_t) : sizeof(uint16_t);
	size_t off_nodes, off_recs, off_index, off_srv, off_rd, off_names;
	size_t name_bytes = 0, rd_at, srv_at, name_at, total, n_srv = 0;
	struct table_shard *s;
	uint8_t *block;

	if (d->n_nodes == 0)
		return NULL;
	for (uint32_t i = 0; i < d->n_nodes; i++)
		name_bytes += d->nodes[i].len;
	for (uint32_t i = 0; i < d->n_recs; i++)
		n_srv += stored_srv(d->recs[i].type, d->recs[i].rdlen);
	while (mask + 1 < 2 * d->n_nodes)
		mask = mask * 2 + 1;
	off_nodes = (sizeof(*s) + 7) & ~(size_t)7;
	off_recs = off_nodes + (size_t)d->n_nodes * sizeof(struct table_node);
	off_index = off_recs + (size_t)d->n_recs * sizeof(struct table_rec);
	/* SRV rdata in 16-octet slots whose target reference is aligned:
	 * loads stay aligned, and a leak checker scanning the block sees
	 * the reference. */
	off_srv = (off_index + ((size_t)mask + 1) * slot + 7) & ~(size_t)7;
	off_rd = off_srv + n_srv * 16;
	off_names = off_rd + d->n_bytes - n_srv * TABLE_SRV_STORED;
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
	s->index = block + off_index;
	s->wide = wide;
	name_at = off_names;
	rd_at = off_rd;
	srv_at = off_srv + 8 - 6;
	for (uint32_t i = 0; i < d->n_nodes; i++) {
		const struct draft_node *dn = &d->nodes[i];
		struct table_node *n = &s->nodes[i];
		uint32_t k = (dn->hash >> shift) & mask;

		memcpy(block + name_at, dn->name, dn->len);
		n->name = block + name_at;
		name_at += dn->len;
		n->name_len = dn->len;
		n->flags = 0;
		n->shard = id;
		n->hash = dn->hash;
		n->first = dn->first;
		n->count = dn->count;
		n->children = dn->children;
		if (wide) {
			uint32_t *x = s->index;

			while (x[k] != 0)
				k = (k + 1) & mask;
			x[k] = i + 1;
		} else {
			uint16_t *x = s->index;

			while (x[k] != 0)
				k = (k + 1) & mask;
			x[k] = (uint16_t)(i + 1);
		}
		for (uint32_t j = dn->first; j < dn->first + dn->count; j++) {
			const struct draft_rec *dr = &d->recs[j];
			struct table_rec *r = &s->recs[j];
			const uint8_t *rd = d->bytes + dr->off;

			r->type = dr->type;
			r->refs = dr->refs;
			r->rdlen = dr->rdlen;
			if (stored_srv(dr->type, dr->rdlen)) {
				r->off = (uint32_t)(block + srv_at -
				    (uint8_t *)r);
				memcpy(block + srv_at, rd, dr->rdlen);
				(void)tname_ref(tname_of(rd));
				srv_at += 16;
			} else {
				r->off = (uint32_t)(block + rd_at -
				    (uint8_t *)r);
				if (dr->rdlen > 0)
					memcpy(block + rd_at, rd, dr->rdlen);
				rd_at += dr->rdlen;
			}
			s->content += rec_hash(dn, dr->type, rd, dr->rdlen);
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
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (uint32_t i = 0; i < s->n_recs; i++)
		if (stored_srv(s->recs[i].type, s->recs[i].rdlen))
			tname_unref(tname_of(shard_rdata(&s->recs[i])));
	free(s);
}

const struct table_node *
shard_find(const struct table_shard *s, const uint8_t *name, uint8_t len,
    uint32_t hash)
{
	uint32_t k, at;

	if (s == NULL)
		return NULL;
	for (k = (hash >> s->shift) & s->index_mask;; k = (k + 1) &
	    s->index_mask) {
		const struct table_node *n;

		at = s->wide ? ((const uint32_t *)s->index)[k] :
		    ((const uint16_t *)s->index)[k];
		if (at == 0)
			return NULL;
		n = &s->nodes[at - 1];
		if (n->hash == hash && n->name_len == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	}
}

struct table_block *
block_new(uint32_t n)
{
	struct table_block *b = xcalloc(1, sizeof(*b));

	atomic_init(&b->refs, 1);
	b->n = n;
	return b;
}

struct table_block *
block_copy(const struct table_block *b)
{
	struct table_block *c = xmalloc(sizeof(*c));

	memcpy(c, b, sizeof(*c));
	atomic_init(&c->refs, 1);
	for (uint32_t i = 0; i < c->n; i++)
		shard_ref(c->shards[i]);
	return c;
}

void
block_seal(struct table_block *b)
{
	uint32_t nodes = 0, recs = 0;

	b->content = 0;
	b->bytes = sizeof(*b);
	for (uint32_t i = 0; i < b->n; i++) {
		const struct table_shard *s = b->shards[i];

		b->node_at[i] = nodes;
		b->rec_at[i] = recs;
		if (s == NULL)
			continue;
		nodes += s->n_nodes;
		recs += s->n_recs;
		b->content += s->content;
		b->bytes += s->bytes;
	}
	b->node_at[b->n] = nodes;
	b->rec_at[b->n] = recs;
}

struct table_block *
block_ref(struct table_block *b)
{
	if (b != NULL)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void
block_unref(struct table_block *b)
{
	if (b == NULL)
		return;
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (uint32_t i = 0; i < b->n; i++)
		shard_unref(b->shards[i]);
	free(b);
}
