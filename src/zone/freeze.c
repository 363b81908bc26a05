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

/* The shards are written from the names' nodes in shard order (target
 * nodes left out) and their names copied in the same order: so each
 * shard written, last first, gives back its part of these arrays and of
 * the grouped records, and the builder's memory shrinks as the table's
 * grows. */
struct ordered {
	struct table_node *nodes;
	uint32_t n_nodes;
	uint8_t *names;
	uint32_t *node_at;	/* per shard: its first node (2^bits + 1) */
	uint32_t *rec_at;	/* per shard: its first grouped record */
};

/* Every SRV target's name, made once (the builder's nodes are read for
 * the last time). */
static void
target_names(struct table_builder *b, const struct grouping *g)
{
	for (uint32_t j = 0; j < g->w; j++) {
		const struct table_rec *r = &g->v[j];
		const struct table_node *tn;
		uint32_t id;

		if (j + 8 < g->w && g->v[j + 8].type == RR_SRV)
			__builtin_prefetch(b->rd + g->v[j + 8].off);
		if (r->type != RR_SRV || r->rdlen != 10)
			continue;
		memcpy(&id, b->rd + r->off + 6, 4);
		if (b->tnames[id] != NULL)
			continue;
		tn = &b->nodes[id];
		b->tnames[id] = tname_new(tn->name, tn->name_len, tn->hash);
	}
}

/* The builder's names in shard order into o (ids: the nodes in that
 * order, start: where each shard's begin), then the builder's nodes,
 * names and ids freed. */
static void
order_nodes(struct table_builder *b, unsigned bits, uint32_t *ids,
    const uint32_t *start, struct ordered *o)
{
	uint32_t n = 1u << bits, w = 0, r = 0;
	size_t bytes = 0, at = 0;

	for (uint32_t k = 0; k < b->n_nodes; k++)
		if (!(b->nodes[k].flags & NODE_TARGET)) {
			bytes += b->nodes[k].name_len;
			w++;
		}
	o->n_nodes = w;
	o->nodes = xmalloc((size_t)(w ? w : 1) * sizeof(*o->nodes));
	o->names = xmalloc(bytes ? bytes : 1);
	o->node_at = xmalloc(((size_t)n + 1) * sizeof(uint32_t));
	o->rec_at = xmalloc(((size_t)n + 1) * sizeof(uint32_t));
	w = 0;
	for (uint32_t k = 0; k < n; k++) {
		o->node_at[k] = w;
		o->rec_at[k] = r;
		for (uint32_t i = start[k]; i < start[k + 1]; i++) {
			const struct table_node *nd = &b->nodes[ids[i]];

			if (i + 8 < start[k + 1])
				__builtin_prefetch(&b->nodes[ids[i + 8]]);
			if (i + 4 < start[k + 1])
				__builtin_prefetch(b->nodes[ids[i + 4]].name);
			if (nd->flags & NODE_TARGET)
				continue;
			o->nodes[w] = *nd;
			memcpy(o->names + at, nd->name, nd->name_len);
			o->nodes[w].name = o->names + at;
			at += nd->name_len;
			r += nd->count;
			w++;
		}
	}
	o->node_at[n] = w;
	o->rec_at[n] = r;
	free(b->nodes);
	b->nodes = NULL;
	arena_free(b->arena);
	b->arena = NULL;
	free(ids);
}

/* Shard k's draft: its names, each with its records, an SRV's target
 * as its name's reference. */
static void
draft_shard(const struct table_builder *b, const struct grouping *g,
    const struct ordered *o, uint32_t k, struct shard_draft *d)
{
	uint8_t rd[TABLE_RDATA_MAX];

	draft_reset(d);
	for (uint32_t i = o->node_at[k]; i < o->node_at[k + 1]; i++) {
		const struct table_node *nd = &o->nodes[i];

		draft_node(d, nd->name, nd->name_len, nd->hash, nd->children);
		for (uint32_t j = nd->first; j < nd->first + nd->count; j++) {
			const struct table_rec *r = &g->v[j];
			const uint8_t *p = b->rd + r->off;
			uint16_t len = r->rdlen;

			/* The rdata are far apart: fetched ahead. */
			if (j + 8 < o->rec_at[k + 1])
				__builtin_prefetch(b->rd + g->v[j + 8].off);
			if (r->type == RR_SRV && r->rdlen == 10) {
				struct table_name *nm;
				uint32_t id;

				memcpy(&id, p + 6, 4);
				nm = b->tnames[id];
				memcpy(rd, p, 6);
				memcpy(rd + 6, &nm, sizeof(nm));
				p = rd;
				len = TABLE_SRV_STORED;
			}
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

/* How many shards are written between two trims of the arrays. */
#define TRIM_EVERY 64

/* The grouped records into their shards, last first: a table of them.
 * Every TRIM_EVERY shards the ordered nodes, their names and the
 * grouped records give back what the shards written no longer need
 * (realloc to a shorter length returns the tail). */
static struct table *
shard_out(struct grouping *g, const struct table_builder *b,
    struct ordered *o, unsigned bits)
{
	uint32_t n = 1u << bits;
	struct table_shard **shards = xcalloc(n, sizeof(*shards));
	struct shard_draft d = { 0 };

	for (uint32_t k = n; k-- > 0;) {
		draft_shard(b, g, o, k, &d);
		shards[k] = shard_write(&d, (uint16_t)k, bits);
		if (k % TRIM_EVERY != 0 || k == 0)
			continue;
		if (o->node_at[k] > 0) {
			size_t names = (size_t)(o->nodes[o->node_at[k]].name -
			    o->names);

			o->nodes = xrealloc(o->nodes, (size_t)o->node_at[k] *
			    sizeof(*o->nodes));
			if (names > 0) {
				uintptr_t was = (uintptr_t)o->names;
				uint8_t *nm = xrealloc(o->names, names);

				/* Shrunk in place, as glibc does; moved, the
				 * nodes' name pointers follow. */
				if ((uintptr_t)nm != was)
					for (uint32_t i = 0; i < o->node_at[k];
					    i++)
						o->nodes[i].name = nm +
						    ((uintptr_t)o->nodes[i].name
						    - was);
				o->names = nm;
			}
		}
		if (o->rec_at[k] > 0)
			g->v = xrealloc(g->v, (size_t)o->rec_at[k] *
			    sizeof(*g->v));
	}
	draft_free(&d);
	return table_of_shards(shards, bits);
}

struct table *
table_builder_finish(struct table_builder *b, const struct table *prev,
    uint32_t now)
{
	struct grouping g = { 0 };
	struct ordered o = { 0 };
	struct table *t;
	uint32_t *at = NULL, *ids, *start;
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
		/* Inserted -> grouped, which is the table's numbering: the
		 * shards hold the grouped records in order, target nodes
		 * holding none. */
		for (uint32_t i = 0; i < b->n_recs; i++)
			at[i] = g.where[at[i]];
		free(g.where);
	}
	target_names(b, &g);
	order_nodes(b, bits, ids, start, &o);
	free(start);
	t = shard_out(&g, b, &o, bits);
	free(o.nodes);
	free(o.names);
	free(o.node_at);
	free(o.rec_at);
	free(g.v);
	if (at != NULL) {
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
