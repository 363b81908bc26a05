/* table.c - record generations: lookups and references (see table.h).
 * Building one is builder.c. */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/mix.h"
#include "dns/err.h"
#include "zone/journal.h"
#include "zone/shard.h"
#include "zone/table.h"

size_t
table_bytes(const struct table *t)
{
	size_t n = sizeof(*t) + t->n_blocks * (sizeof(*t->blocks) +
	    2 * sizeof(uint32_t));

	for (uint32_t b = 0; b < t->n_blocks; b++)
		n += t->blocks[b]->bytes;
	return n + (t->arena != NULL ? arena_size(t->arena) : 0);
}

struct table *
table_of_blocks(struct table_block **blocks, unsigned bits)
{
	struct table *t = xcalloc(1, sizeof(*t));
	uint32_t n = (1u << bits) > TABLE_BLOCK ?
	    (1u << bits) / TABLE_BLOCK : 1;
	uint32_t nodes = 0, recs = 0;
	uint64_t content = 0;

	t->shard_bits = bits;
	t->blocks = blocks;
	t->n_blocks = n;
	t->node_at = xmalloc(((size_t)n + 1) * sizeof(uint32_t));
	t->rec_at = xmalloc(((size_t)n + 1) * sizeof(uint32_t));
	for (uint32_t b = 0; b < n; b++) {
		const struct table_block *k = blocks[b];

		t->node_at[b] = nodes;
		t->rec_at[b] = recs;
		nodes += k->node_at[k->n];
		recs += k->rec_at[k->n];
		content += k->content;
	}
	t->node_at[n] = t->n_nodes = nodes;
	t->rec_at[n] = t->n_recs = recs;
	t->content = content ^ mix64(recs);
	atomic_init(&t->refs, 1);
	return t;
}

struct table *
table_of_shards(struct table_shard **shards, unsigned bits)
{
	uint32_t n = 1u << bits, per = n < TABLE_BLOCK ? n : TABLE_BLOCK;
	struct table_block **blocks = xmalloc((n / per) * sizeof(*blocks));

	for (uint32_t b = 0; b < n / per; b++) {
		blocks[b] = block_new(per);
		memcpy(blocks[b]->shards, shards + (size_t)b * per,
		    per * sizeof(*shards));
		block_seal(blocks[b]);
	}
	free(shards);
	return table_of_blocks(blocks, bits);
}

uint32_t
table_shards_changed(const struct table *t, const struct table *prev)
{
	uint32_t n = 0;

	if (t->n_blocks != prev->n_blocks)
		return 1u << t->shard_bits;
	for (uint32_t b = 0; b < t->n_blocks; b++) {
		const struct table_block *x = t->blocks[b], *y = prev->blocks[b];

		for (uint32_t i = 0; x != y && i < x->n; i++)
			n += x->shards[i] != y->shards[i];
	}
	return n;
}

static bool
soa_equal(const struct table_soa *x, const struct table_soa *y)
{
	return dname_equal(&x->mname, &y->mname) &&
	    dname_equal(&x->rname, &y->rname) && x->refresh == y->refresh &&
	    x->retry == y->retry && x->expire == y->expire &&
	    x->minimum == y->minimum && x->ttl == y->ttl;
}

uint32_t
table_serial_for(const struct table *prev, const struct table *t,
    uint32_t now)
{
	if (prev != NULL && prev->content == t->content &&
	    prev->n_recs == t->n_recs && prev->ttl == t->ttl &&
	    dname_equal(&prev->apex, &t->apex) && soa_equal(&prev->soa, &t->soa))
		return prev->serial;
	if (prev != NULL && prev->serial + 1 > now)
		return prev->serial + 1;
	return now;
}

struct table *
table_ref(struct table *t)
{
	if (t != NULL)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void
table_unref(struct table *t)
{
	if (t == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (uint32_t b = 0; b < t->n_blocks; b++)
		block_unref(t->blocks[b]);
	journal_unref(t->journal);
	free(t->blocks);
	free(t->node_at);
	free(t->rec_at);
	arena_free(t->arena);
	free(t);
}

const struct table_node *
table_lookup_raw(const struct table *t, const uint8_t *name, uint8_t len,
    uint32_t hash)
{
	return shard_find(table_shard(t, hash & ((1u << t->shard_bits) - 1)), name,
	    len, hash);
}

const struct table_node *
table_lookup(const struct table *t, const struct dname *name)
{
	return table_lookup_raw(t, name->data, name->len,
	    dname_hash(name->data, name->len));
}

const struct table_rec *
table_node_recs(const struct table *t, const struct table_node *node)
{
	return &table_shard(t, node->shard)->recs[node->first];
}

const struct table_rec *
table_rrset(const struct table *t, const struct table_node *node,
    uint16_t type, uint32_t *n)
{
	const struct table_rec *v;
	uint32_t i = 0;

	*n = 0;
	if (node->count == 0)
		return NULL;
	v = table_node_recs(t, node);
	while (i < node->count && v[i].type != type)
		i++;
	if (i == node->count)
		return NULL;
	while (i + *n < node->count && v[i + *n].type == type)
		(*n)++;
	return &v[i];
}

const uint8_t *
table_rdata(const struct table *t, const struct table_rec *r,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len)
{
	(void)t;
	return stored_wire(r->type, shard_rdata(r), r->rdlen, buf, len);
}

uint16_t
table_srv_port(const struct table *t, const struct table_rec *r)
{
	const uint8_t *p = shard_rdata(r);

	(void)t;
	if (r->type != RR_SRV || r->rdlen < 6)
		return 0;
	return (uint16_t)(p[4] << 8 | p[5]);
}

const struct table_name *
table_srv_name(const struct table_rec *r)
{
	return stored_srv(r->type, r->rdlen) ? tname_of(shard_rdata(r)) :
	    NULL;
}

const struct table_node *
table_srv_target(const struct table *t, const struct table_rec *r)
{
	const struct table_name *n = table_srv_name(r);

	return n != NULL ? table_lookup_raw(t, n->data, n->len, n->hash) :
	    NULL;
}

/* The slot holding number i of at (n slots, n + 1 numbers): the last
 * whose first number is at or before i, and which holds some: at[lo] <= i
 * < at[lo + 1]. */
static uint32_t
slot_of(const uint32_t *at, uint32_t n, uint32_t i)
{
	uint32_t lo = 0, hi = n;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (at[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	while (at[lo + 1] <= i)
		lo++;
	return lo;
}

/* The shard holding record number i, and i's place in it. */
static const struct table_shard *
rec_shard(const struct table *t, uint32_t i, uint32_t *j)
{
	uint32_t b = slot_of(t->rec_at, t->n_blocks, i);
	const struct table_block *k = t->blocks[b];
	uint32_t s;

	i -= t->rec_at[b];
	s = slot_of(k->rec_at, k->n, i);
	*j = i - k->rec_at[s];
	return k->shards[s];
}

uint32_t
table_shard_first_rec(const struct table *t, uint32_t k)
{
	const struct table_block *b = t->blocks[k >> TABLE_BLOCK_BITS];

	return t->rec_at[k >> TABLE_BLOCK_BITS] +
	    b->rec_at[k & (TABLE_BLOCK - 1)];
}

const struct table_rec *
table_rec_at(const struct table *t, uint32_t i)
{
	uint32_t j;

	return &rec_shard(t, i, &j)->recs[j];
}

const struct table_node *
table_node_at(const struct table *t, uint32_t i)
{
	uint32_t b = slot_of(t->node_at, t->n_blocks, i), s;
	const struct table_block *k = t->blocks[b];

	i -= t->node_at[b];
	s = slot_of(k->node_at, k->n, i);
	return &k->shards[s]->nodes[i - k->node_at[s]];
}

const struct table_node *
table_rec_node(const struct table *t, uint32_t i)
{
	uint32_t j;
	const struct table_shard *s = rec_shard(t, i, &j);
	uint32_t lo = 0, hi = s->n_nodes;

	/* Nodes hold consecutive ranges in node order (an empty one starts
	 * where the next begins): the last node starting at or before j
	 * that holds j. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->nodes[mid].first <= j)
			lo = mid;
		else
			hi = mid;
	}
	while (s->nodes[lo].first + s->nodes[lo].count <= j)
		lo++;
	return &s->nodes[lo];
}

int
table_record_text(const struct table *t, uint32_t i, char *buf, size_t len)
{
	const struct table_rec *r = table_rec_at(t, i);
	const struct table_node *n = table_rec_node(t, i);
	char owner[DNAME_TEXT_MAX], data[DNAME_TEXT_MAX + 32];
	uint8_t rb[TABLE_RDATA_MAX];
	const uint8_t *rd;
	uint16_t rdlen;
	struct dname name;
	int w;

	name.len = n->name_len;
	memcpy(name.data, n->name, n->name_len);
	if (dname_to_text(&name, owner, sizeof(owner)) < 0)
		return -E_SPACE;
	rd = table_rdata(t, r, rb, &rdlen);
	switch (r->type) {
	case RR_A:
		inet_ntop(AF_INET, rd, data, sizeof(data));
		w = snprintf(buf, len, "A %s %s", owner, data);
		break;
	case RR_AAAA:
		inet_ntop(AF_INET6, rd, data, sizeof(data));
		w = snprintf(buf, len, "AAAA %s %s", owner, data);
		break;
	case RR_SRV: {
		struct dname target;
		char tt[DNAME_TEXT_MAX];

		target.len = (uint8_t)(rdlen - 6);
		memcpy(target.data, rd + 6, target.len);
		if (dname_to_text(&target, tt, sizeof(tt)) < 0)
			return -E_SPACE;
		w = snprintf(buf, len, "SRV %s %u %u %u %s", owner,
		    (unsigned)rd[0] << 8 | rd[1],
		    (unsigned)rd[2] << 8 | rd[3],
		    (unsigned)rd[4] << 8 | rd[5], tt);
		break;
	}
	default:
		w = snprintf(buf, len, "TYPE%u %s", r->type, owner);
		break;
	}
	return (w < 0 || (size_t)w >= len) ? -E_SPACE : w;
}
