/* freeze.c - a builder's records grouped by name and written into the
 * shards of a table (table_builder_finish; see builder.h). */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/builder.h"
#include "zone/builder_impl.h"
#include "zone/shard.h"

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

/* The enumeration into the table's arena, record numbers mapped from
 * insertion order to table order (pos; UINT32_MAX for a dropped
 * duplicate, which its first adder already owns). */
static struct table_enum *
enum_finish(struct table_builder *b, const uint32_t *pos)
{
	struct table_enum *e = arena_alloc(b->earena, sizeof(*e));
	uint32_t w = 0;

	e->n_fws = b->n_efw;
	e->fws = arena_alloc(b->earena, (size_t)(b->n_efw ? b->n_efw : 1) *
	    sizeof(*e->fws));
	if (b->n_efw > 0)
		memcpy(e->fws, b->efw, (size_t)b->n_efw * sizeof(*e->fws));
	e->n_tasks = b->n_etask;
	e->tasks = arena_alloc(b->earena, (size_t)(b->n_etask ? b->n_etask :
	    1) * sizeof(*e->tasks));
	if (b->n_etask > 0)
		memcpy(e->tasks, b->etask, (size_t)b->n_etask *
		    sizeof(*e->tasks));
	e->recs = arena_alloc(b->earena, (size_t)(b->n_recs ? b->n_recs : 1) *
	    sizeof(*e->recs));
	/* Each task's records are a range of insertion numbers. */
	for (uint32_t k = 0; k < b->n_etask; k++) {
		struct table_enum_task *t = &e->tasks[k];
		uint32_t end = t->first_rec + t->n_recs;

		t->first_rec = w;
		for (uint32_t i = end - t->n_recs; i < end; i++)
			if (pos[i] != UINT32_MAX)
				e->recs[w++] = pos[i];
		t->n_recs = w - t->first_rec;
	}
	e->n_recs = w;
	return e;
}

/* One record of a node while it is put in order at finish: the record,
 * and where the scatter put it (its order among the node's adds). */
struct item {
	struct table_rec r;
	uint32_t at;
};

static int
item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->r.type != b->r.type)
		return a->r.type < b->r.type ? -1 : 1;
	return a->at < b->at ? -1 : a->at > b->at;
}

/* By type, then as added: insertion sort when short. */
static void
sort_items(struct item *v, uint32_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof(*v), item_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		struct item x = v[i];
		uint32_t j = i;

		while (j > 0 && item_cmp(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static bool
same_rdata(const uint8_t *rd, const struct item *x, const struct item *y)
{
	return x->r.rdlen == y->r.rdlen && (x->r.off == y->r.off ||
	    memcmp(rd + x->r.off, rd + y->r.off, x->r.rdlen) == 0);
}

/* Mark the later copies of a triple DROPPED in one (node, type) run
 * (in the order added, so the first copy stays): pairwise when short,
 * through a scratch hash set (*set, *cap slots) when long. */
static void
drop_duplicates(const uint8_t *rd, struct item *v, uint32_t n,
    uint32_t **set, uint32_t *cap)
{
	uint32_t mask;

	if (n <= 16) {
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = 0; j < i; j++)
				if (v[j].r.rdlen != DROPPED &&
				    same_rdata(rd, &v[i], &v[j])) {
					v[j].r.refs++;
					v[i].r.rdlen = DROPPED;
					break;
				}
		return;
	}
	if (*cap < 2 * n) {
		while (*cap < 2 * n)
			*cap = *cap ? *cap * 2 : 64;
		free(*set);
		*set = xmalloc((size_t)*cap * sizeof(uint32_t));
	}
	for (mask = 63; mask + 1 < 2 * n; mask = mask * 2 + 1)
		;
	memset(*set, 0, ((size_t)mask + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = (uint32_t)mix(0, rd + v[i].r.off, v[i].r.rdlen) &
		    mask;

		for (; (*set)[s] != 0; s = (s + 1) & mask)
			if (same_rdata(rd, &v[i], &v[(*set)[s] - 1])) {
				v[(*set)[s] - 1].r.refs++;
				v[i].r.rdlen = DROPPED;
				break;
			}
		if (v[i].r.rdlen != DROPPED)
			(*set)[s] = i + 1;
	}
}

/* The records grouped by node, in the order added within each node (a
 * counting sort: stable, one sequential read, no comparisons), the
 * nodes in the order ids gives.  at[i]
 * (when not NULL) gets where record i went.  The builder's array is
 * freed. */
static struct table_rec *
scatter(struct table_builder *b, uint32_t *at, const uint32_t *ids)
{
	struct table_rec *v = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
	    sizeof(*v));
	uint32_t *next = xmalloc((size_t)b->n_nodes * sizeof(uint32_t));
	uint32_t acc = 0;

	for (uint32_t k = 0; k < b->n_nodes; k++) {
		next[ids[k]] = acc;
		acc += b->nodes[ids[k]].count;
	}
	for (uint32_t i = 0; i < b->n_recs; i++) {
		const struct brec *r = &b->recs[i];
		uint32_t d = next[r->node]++;

		v[d].type = r->type;
		v[d].rdlen = r->rdlen;
		v[d].off = r->off;
		v[d].refs = 1;
		if (at != NULL)
			at[i] = d;
	}
	free(next);
	free(b->recs);
	b->recs = NULL;
	return v;
}

/* Grouping a scattered record array by name, in place (finish's pass). */
struct grouping {
	struct table_rec *v;	/* the records, each node's together */
	uint32_t *where;	/* per record: its new index (enumeration) */
	struct item *items;	/* one node's records, for sorting */
	uint32_t n_items;
	uint32_t *set, set_cap;	/* drop_duplicates' scratch */
	uint32_t d, w;		/* the next record read, and written */
};

/* Node n's c records (at g->d): by type, duplicates dropped, moved down
 * to g->w (never past the range being read, which is copied out first),
 * a copy dropped counted on the one kept. */
static void
group_node(struct table_builder *b, struct grouping *g, struct table_node *n)
{
	uint32_t c = n->count, first = g->w;
	struct item *items;

	n->first = g->w;
	if (c == 0)
		return;
	if (c == 1) {
		/* Most names hold one record: nothing to order. */
		if (g->where != NULL)
			g->where[g->d] = g->w;
		g->v[g->w] = g->v[g->d];
		g->w++;
		g->d++;
		return;
	}
	if (c > g->n_items) {
		g->n_items = c > 64 ? c : 64;
		free(g->items);
		g->items = xmalloc((size_t)g->n_items * sizeof(*g->items));
	}
	items = g->items;
	for (uint32_t i = 0; i < c; i++) {
		items[i].r = g->v[g->d + i];
		items[i].at = g->d + i;
	}
	sort_items(items, c);
	for (uint32_t i = 0, j; i < c; i = j) {
		for (j = i + 1; j < c && items[j].r.type == items[i].r.type; j++)
			;
		drop_duplicates(b->rd, items + i, j - i, &g->set, &g->set_cap);
	}
	for (uint32_t i = 0; i < c; i++) {
		if (items[i].r.rdlen == DROPPED) {
			if (g->where != NULL)
				g->where[items[i].at] = UINT32_MAX;
			continue;
		}
		if (g->where != NULL)
			g->where[items[i].at] = g->w;
		g->v[g->w] = items[i].r;
		g->w++;
	}
	n->count = g->w - first;
	g->d += c;
}

/* The records are read in order, their rdata and an SRV's target node
 * and name far apart: each fetched some records before it is read, in
 * three steps, as each names the next. */
static inline void
prefetch_srv(const struct table_builder *b, const struct grouping *g,
    uint32_t j)
{
	const struct table_rec *r;
	uint32_t id;

	if (j + 24 < g->w)
		__builtin_prefetch(b->rd + g->v[j + 24].off);
	if (j + 12 < g->w) {
		r = &g->v[j + 12];
		if (r->type == RR_SRV && r->rdlen == 10) {
			memcpy(&id, b->rd + r->off + 6, 4);
			__builtin_prefetch(&b->tnames[id]);
		}
	}
	if (j + 4 < g->w) {
		r = &g->v[j + 4];
		if (r->type == RR_SRV && r->rdlen == 10) {
			memcpy(&id, b->rd + r->off + 6, 4);
			if (b->tnames[id] != NULL)
				__builtin_prefetch(b->tnames[id]);
			else
				__builtin_prefetch(&b->nodes[id]);
		}
	}
}

/* One shard's draft from the grouped records: its names (ids, n of
 * them; nodes that are only SRV targets are left out), each record's number in the table
 * into where[] (grouped index -> table number) when kept. */
static void
draft_shard(struct table_builder *b, const struct grouping *g,
    const uint32_t *ids, uint32_t n, struct shard_draft *d, uint32_t *where,
    uint32_t base)
{
	uint8_t rd[TABLE_RDATA_MAX];

	draft_reset(d);
	for (uint32_t i = 0; i < n; i++) {
		const struct table_node *nd = &b->nodes[ids[i]];

		/* Far apart, and so are their names and SRV targets. */
		if (i + 8 < n)
			__builtin_prefetch(&b->nodes[ids[i + 8]]);
		if (i + 4 < n)
			__builtin_prefetch(b->nodes[ids[i + 4]].name);

		if (nd->flags & NODE_TARGET)
			continue;
		draft_node(d, nd->name, nd->name_len, nd->hash, nd->children);
		for (uint32_t j = nd->first; j < nd->first + nd->count; j++) {
			const struct table_rec *r = &g->v[j];
			const uint8_t *p = b->rd + r->off;
			uint16_t len = r->rdlen;

			prefetch_srv(b, g, j);
			if (r->type == RR_SRV && r->rdlen == 10) {
				const struct table_node *tn;
				struct table_name *nm;
				uint32_t id;

				memcpy(&id, p + 6, 4);
				nm = b->tnames[id];
				if (nm == NULL) {
					tn = &b->nodes[id];
					nm = tname_new(tn->name, tn->name_len,
					    tn->hash);
					b->tnames[id] = nm;
				}
				memcpy(rd, p, 6);
				memcpy(rd + 6, &nm, sizeof(nm));
				p = rd;
				len = TABLE_SRV_STORED;
			}
			if (where != NULL)
				where[j] = base + d->n_recs;
			draft_rec(d, r->type, p, len, r->refs);
		}
	}
}

/* The nodes in shard order (a stable counting sort by hash): ids, and
 * where each shard's start (1 << bits + 1 of them). */
static void
shard_order(const struct table_builder *b, unsigned bits, uint32_t **ids,
    uint32_t **start)
{
	uint32_t n = 1u << bits, mask = n - 1;
	uint32_t *st = xcalloc((size_t)n + 1, sizeof(uint32_t));
	uint32_t *v = xmalloc((size_t)(b->n_nodes ? b->n_nodes : 1) *
	    sizeof(uint32_t));

	for (uint32_t k = 0; k < b->n_nodes; k++)
		st[(b->nodes[k].hash & mask) + 1]++;
	for (uint32_t k = 0; k < n; k++)
		st[k + 1] += st[k];
	for (uint32_t k = 0; k < b->n_nodes; k++)
		v[st[b->nodes[k].hash & mask]++] = k;
	for (uint32_t k = n; k > 0; k--)
		st[k] = st[k - 1];
	st[0] = 0;
	*ids = v;
	*start = st;
}

/* The grouped records into their shards: a table of them. */
static struct table *
shard_out(struct table_builder *b, const struct grouping *g, unsigned bits,
    const uint32_t *ids, const uint32_t *start, uint32_t *where)
{
	uint32_t n = 1u << bits, total = 0;
	struct table_shard **shards = xcalloc(n, sizeof(*shards));
	struct shard_draft d = { 0 };

	for (uint32_t k = 0; k < n; k++) {
		if (k + 1 < n && start[k + 1] < b->n_nodes)
			__builtin_prefetch(&b->nodes[ids[start[k + 1]]]);
		draft_shard(b, g, ids + start[k], start[k + 1] - start[k], &d,
		    where, total);
		total += d.n_recs;
		shards[k] = shard_write(&d, (uint16_t)k, bits);
	}
	draft_free(&d);
	return table_of_shards(shards, bits);
}

struct table *
table_builder_finish(struct table_builder *b, const struct table *prev,
    uint32_t now)
{
	struct grouping g = { 0 };
	struct table *t;
	uint32_t *at = NULL, *ids, *start, *num = NULL;
	unsigned bits;

	/* The apex always exists: SOA and NS live there. */
	builder_apex(b);
	/* No more lookups: the index goes before the shards take memory. */
	free(b->nindex);
	b->nindex = NULL;
	/* The nodes and rdata grew by doubling: give back what they will
	 * not use (for a large array, realloc returns the pages). */
	if (b->n_nodes > 0 && b->cap_nodes > b->n_nodes) {
		b->nodes = xrealloc(b->nodes, (size_t)b->n_nodes *
		    sizeof(*b->nodes));
		b->cap_nodes = b->n_nodes;
	}
	if (b->rd_len > 0 && b->rd_cap > b->rd_len) {
		b->rd = xrealloc(b->rd, b->rd_len);
		b->rd_cap = b->rd_len;
	}
	bits = shard_bits_for(b->n_nodes);
	shard_order(b, bits, &ids, &start);
	b->tnames = xcalloc(b->n_nodes ? b->n_nodes : 1, sizeof(*b->tnames));
	if (b->enum_on)
		at = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
		    sizeof(uint32_t));
	g.v = scatter(b, at, ids);
	if (at != NULL)
		g.where = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
		    sizeof(uint32_t));
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		/* The nodes are read in shard order, far apart. */
		if (k + 16 < b->n_nodes)
			__builtin_prefetch(&b->nodes[ids[k + 16]]);
		group_node(b, &g, &b->nodes[ids[k]]);
	}
	free(g.items);
	free(g.set);
	if (at != NULL) {
		/* Inserted -> grouped now, before the shards take memory. */
		for (uint32_t i = 0; i < b->n_recs; i++)
			at[i] = g.where[at[i]];
		free(g.where);
		num = xmalloc((size_t)(g.w ? g.w : 1) * sizeof(uint32_t));
	}
	t = shard_out(b, &g, bits, ids, start, num);
	free(ids);
	free(start);
	free(g.v);
	if (at != NULL) {
		/* Grouped -> the table's numbers. */
		for (uint32_t i = 0; i < b->n_recs; i++)
			if (at[i] != UINT32_MAX)
				at[i] = num[at[i]];
		free(num);
		t->enumeration = enum_finish(b, at);
		t->arena = b->earena;
		b->earena = NULL;
		free(at);
	}
	t->apex = b->apex;
	t->ttl = b->ttl;
	t->soa = b->soa;
	t->n_tasks = b->n_tasks;
	t->capped = b->n_capped;
	t->serial = table_serial_for(prev, t, now);
	t->ready = true;
	table_builder_free(b);
	return t;
}
