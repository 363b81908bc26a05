/* patch.c - a generation from the one before it (see patch.h). */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/patch.h"
#include "zone/shard.h"

/* A record of an edited name. */
struct erec {
	uint16_t type, rdlen;
	uint32_t refs;
	const uint8_t *rd;	/* stored form (table.h) */
};

/* A name the patch changes: its records and children as they will be. */
struct edit {
	struct dname name;
	uint32_t hash;
	const struct table_node *old;	/* its node before, or NULL */
	struct erec *recs;
	uint32_t n_recs, cap_recs;
	uint32_t children;
	bool exists;		/* a name of the zone, as last decided */
	bool queued, written;
};

struct op {
	struct dname *owner;
	const uint8_t *rd;
	uint16_t type, rdlen;
	int delta;
};

struct table_patch {
	const struct table *prev;
	uint32_t cap;
	struct arena *arena;
	struct op *ops;
	uint32_t n_ops, cap_ops;
	struct edit *edits;
	uint32_t n_edits, cap_edits;
	uint32_t *index, mask;	/* edit + 1; 0: free */
	uint32_t *queue;
	uint32_t n_queue, cap_queue;
	/* The SRV target names the ops reference (open addressing). */
	struct table_name **names;
	uint32_t n_names, names_mask;
};

static void *
grow(void *v, uint32_t n, uint32_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, (size_t)*cap * sz);
}

struct table_patch *
table_patch_new(const struct table *prev, uint32_t cap)
{
	struct table_patch *p = xcalloc(1, sizeof(*p));

	p->prev = prev;
	p->cap = cap;
	p->arena = arena_new(1u << 14);
	p->mask = 63;
	p->index = xcalloc(p->mask + 1, sizeof(uint32_t));
	return p;
}

void
table_patch_free(struct table_patch *p)
{
	if (p == NULL)
		return;
	for (uint32_t i = 0; i < p->n_edits; i++)
		free(p->edits[i].recs);
	free(p->edits);
	free(p->index);
	free(p->ops);
	free(p->queue);
	for (uint32_t i = 0; p->names != NULL && i <= p->names_mask; i++)
		tname_unref(p->names[i]);
	free(p->names);
	arena_free(p->arena);
	free(p);
}

/* The patch's target name for a lower-case name, made when new. */
static struct table_name *
name_of(struct table_patch *p, const uint8_t *name, uint8_t len)
{
	uint32_t h = dname_hash(name, len), s;
	struct table_name *n;

	if (p->names == NULL || (p->n_names + 1) * 2 > p->names_mask) {
		uint32_t mask = p->names ? p->names_mask * 2 + 1 : 63;
		struct table_name **v = xcalloc((size_t)mask + 1, sizeof(*v));

		for (uint32_t i = 0; p->names != NULL && i <= p->names_mask;
		    i++) {
			if (p->names[i] == NULL)
				continue;
			for (s = p->names[i]->hash & mask; v[s] != NULL;
			    s = (s + 1) & mask)
				;
			v[s] = p->names[i];
		}
		free(p->names);
		p->names = v;
		p->names_mask = mask;
	}
	for (s = h & p->names_mask; (n = p->names[s]) != NULL;
	    s = (s + 1) & p->names_mask)
		if (n->hash == h && n->len == len &&
		    memcmp(n->data, name, len) == 0)
			return n;
	p->n_names++;
	return p->names[s] = tname_new(name, len, h);
}

void
table_patch_add(struct table_patch *p, const struct dname *owner,
    uint16_t type, const uint8_t *rd, uint16_t rdlen, int delta)
{
	uint8_t stored[TABLE_SRV_STORED];
	struct op *o;

	if (type == RR_SRV && rdlen > 6 && rdlen - 6 <= DNAME_MAX) {
		struct dname target;
		struct table_name *n;

		target.len = (uint8_t)(rdlen - 6);
		memcpy(target.data, rd + 6, target.len);
		dname_lower(&target);
		n = name_of(p, target.data, target.len);
		memcpy(stored, rd, 6);
		memcpy(stored + 6, &n, sizeof(n));
		rd = stored;
		rdlen = TABLE_SRV_STORED;
	}
	p->ops = grow(p->ops, p->n_ops, &p->cap_ops, sizeof(*p->ops));
	o = &p->ops[p->n_ops++];
	o->owner = arena_memdup(p->arena, owner, sizeof(*owner));
	o->rd = rdlen > 0 ? arena_memdup(p->arena, rd, rdlen) : NULL;
	o->type = type;
	o->rdlen = rdlen;
	o->delta = delta;
}

uint32_t
table_patch_count(const struct table_patch *p)
{
	return p->n_ops;
}

static void
reindex(struct table_patch *p)
{
	uint32_t mask = p->mask * 2 + 1;
	uint32_t *v = xcalloc((size_t)mask + 1, sizeof(uint32_t));

	for (uint32_t i = 0; i < p->n_edits; i++) {
		uint32_t s = p->edits[i].hash & mask;

		while (v[s] != 0)
			s = (s + 1) & mask;
		v[s] = i + 1;
	}
	free(p->index);
	p->index = v;
	p->mask = mask;
}

/* Copy the records of the previous generation's node into e. */
static void
load_old(struct table_patch *p, struct edit *e)
{
	const struct table_node *n = e->old;
	const struct table_rec *v;

	if (n == NULL || n->count == 0)
		return;
	v = table_node_recs(p->prev, n);
	e->cap_recs = n->count + 4;
	e->recs = xmalloc((size_t)e->cap_recs * sizeof(*e->recs));
	for (uint32_t i = 0; i < n->count; i++) {
		e->recs[i].type = v[i].type;
		e->recs[i].rdlen = v[i].rdlen;
		e->recs[i].refs = v[i].refs;
		e->recs[i].rd = shard_rdata(&v[i]);
	}
	e->n_recs = n->count;
}

/* The edit of a lower-case name, made (with its records as they were)
 * when new. */
static struct edit *
edit_of(struct table_patch *p, const struct dname *name)
{
	uint32_t h = dname_hash(name->data, name->len), s = h & p->mask;
	struct edit *e;

	for (; p->index[s] != 0; s = (s + 1) & p->mask) {
		e = &p->edits[p->index[s] - 1];
		if (e->hash == h && dname_equal(&e->name, name))
			return e;
	}
	p->edits = grow(p->edits, p->n_edits, &p->cap_edits,
	    sizeof(*p->edits));
	e = &p->edits[p->n_edits];
	memset(e, 0, sizeof(*e));
	e->name = *name;
	e->hash = h;
	e->old = table_lookup(p->prev, name);
	if (e->old != NULL) {
		e->exists = true;
		e->children = e->old->children;
		load_old(p, e);
	}
	p->index[s] = ++p->n_edits;
	if (p->n_edits * 2 > p->mask)
		reindex(p);
	return &p->edits[p->n_edits - 1];
}

/* Apply one op to its name's records: refs counted, a record removed
 * with its last adder, a new one after the others of its type. */
static int
apply(struct table_patch *p, const struct op *o, char *why, size_t len)
{
	struct edit *e = edit_of(p, o->owner);
	uint32_t i, at;

	for (i = 0; i < e->n_recs; i++) {
		const struct erec *r = &e->recs[i];

		if (r->type == o->type && stored_equal(o->type, r->rd, r->rdlen,
		    o->rd, o->rdlen))
			break;
	}
	if (o->delta < 0) {
		if (i == e->n_recs) {
			char text[DNAME_TEXT_MAX];

			if (dname_to_text(&e->name, text, sizeof(text)) < 0)
				text[0] = '\0';
			snprintf(why, len, "a record of %s to remove is not "
			    "held", text);
			return -1;
		}
		if (--e->recs[i].refs == 0) {
			memmove(&e->recs[i], &e->recs[i + 1],
			    (size_t)(e->n_recs - i - 1) * sizeof(*e->recs));
			e->n_recs--;
		}
		return 0;
	}
	if (i < e->n_recs) {
		e->recs[i].refs++;
		return 0;
	}
	for (at = 0; at < e->n_recs && e->recs[at].type <= o->type; at++)
		;
	e->recs = grow(e->recs, e->n_recs, &e->cap_recs, sizeof(*e->recs));
	memmove(&e->recs[at + 1], &e->recs[at], (size_t)(e->n_recs - at) *
	    sizeof(*e->recs));
	e->recs[at].type = o->type;
	e->recs[at].rdlen = o->rdlen;
	e->recs[at].refs = 1;
	e->recs[at].rd = o->rd;
	e->n_recs++;
	return 0;
}

static void
enqueue(struct table_patch *p, uint32_t i)
{
	if (p->edits[i].queued)
		return;
	p->queue = grow(p->queue, p->n_queue, &p->cap_queue,
	    sizeof(*p->queue));
	p->queue[p->n_queue++] = i;
	p->edits[i].queued = true;
}

/* Names that became names of the zone or stopped being one, up to the
 * apex: a name is one while it holds records or has children (empty
 * non-terminals, RFC 8020); each change is its parent's child more or
 * less. */
static void
settle(struct table_patch *p)
{
	const struct dname *apex = &p->prev->apex;

	for (uint32_t i = 0; i < p->n_edits; i++)
		enqueue(p, i);
	while (p->n_queue > 0) {
		uint32_t i = p->queue[--p->n_queue];
		struct edit *e = &p->edits[i];
		bool inside = dname_is_subdomain(&e->name, apex) &&
		    !dname_equal(&e->name, apex), now;
		struct dname parent;
		struct edit *pe;
		size_t off;

		e->queued = false;
		now = e->n_recs > 0 || e->children > 0 ||
		    dname_equal(&e->name, apex);
		if (now == e->exists)
			continue;
		e->exists = now;
		if (!inside)
			continue;
		off = dname_suffix_off(&e->name, 1);
		parent.len = (uint8_t)(e->name.len - off);
		memcpy(parent.data, e->name.data + off, parent.len);
		pe = edit_of(p, &parent);	/* may move the edits */
		pe->children += now ? 1 : (uint32_t)-1;
		enqueue(p, (uint32_t)(pe - p->edits));
	}
}

static struct edit *
edit_find(struct table_patch *p, const uint8_t *name, uint8_t len,
    uint32_t h)
{
	for (uint32_t s = h & p->mask; p->index[s] != 0; s = (s + 1) & p->mask) {
		struct edit *e = &p->edits[p->index[s] - 1];

		if (e->hash == h && e->name.len == len &&
		    memcmp(e->name.data, name, len) == 0)
			return e;
	}
	return NULL;
}

static void
draft_edit(struct shard_draft *d, struct edit *e)
{
	e->written = true;
	if (!e->exists)
		return;
	draft_node(d, e->name.data, e->name.len, e->hash, e->children);
	for (uint32_t i = 0; i < e->n_recs; i++)
		draft_rec(d, e->recs[i].type, e->recs[i].rd, e->recs[i].rdlen,
		    e->recs[i].refs);
}

/* Shard k again: its names in their order, edited, then its new ones
 * (first the edits, in order, that are new to it). */
static struct table_shard *
rewrite(struct table_patch *p, uint32_t k, const uint32_t *ids, uint32_t n,
    struct shard_draft *d)
{
	const struct table *t = p->prev;
	const struct table_shard *s = table_shard(t, k);

	draft_reset(d);
	for (uint32_t i = 0; s != NULL && i < s->n_nodes; i++) {
		const struct table_node *nd = &s->nodes[i];
		const struct table_rec *v = &s->recs[nd->first];
		struct edit *e;

		e = edit_find(p, nd->name, nd->name_len, nd->hash);
		if (e != NULL) {
			draft_edit(d, e);
			continue;
		}
		draft_node(d, nd->name, nd->name_len, nd->hash, nd->children);
		for (uint32_t j = 0; j < nd->count; j++)
			draft_rec(d, v[j].type, shard_rdata(&v[j]), v[j].rdlen,
			    v[j].refs);
	}
	for (uint32_t i = 0; i < n; i++)
		if (!p->edits[ids[i]].written)
			draft_edit(d, &p->edits[ids[i]]);
	return shard_write(d, (uint16_t)k, t->shard_bits);
}

static int
idcmp(const void *a, const void *b, void *arg)
{
	const struct table_patch *p = arg;
	uint32_t m = (1u << p->prev->shard_bits) - 1;
	uint32_t x = p->edits[*(const uint32_t *)a].hash & m;
	uint32_t y = p->edits[*(const uint32_t *)b].hash & m;

	if (x != y)
		return x < y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* The blocks of shards: prev's, shared, but for those holding an edit,
 * copied (a reference to each of their shards), and in them the shards
 * holding an edit, written again. */
static struct table *
write_shards(struct table_patch *p)
{
	const struct table *prev = p->prev;
	uint32_t mask = (1u << prev->shard_bits) - 1, nb = prev->n_blocks;
	struct table_block **blocks = xmalloc(nb * sizeof(*blocks));
	uint32_t *ids = xmalloc((size_t)(p->n_edits ? p->n_edits : 1) *
	    sizeof(uint32_t));
	struct shard_draft d = { 0 };

	for (uint32_t b = 0; b < nb; b++)
		blocks[b] = block_ref(prev->blocks[b]);
	for (uint32_t i = 0; i < p->n_edits; i++)
		ids[i] = i;
	qsort_r(ids, p->n_edits, sizeof(*ids), idcmp, p);
	for (uint32_t i = 0, j; i < p->n_edits; i = j) {
		uint32_t k = p->edits[ids[i]].hash & mask;
		uint32_t b = k >> TABLE_BLOCK_BITS, at = k & (TABLE_BLOCK - 1);

		for (j = i + 1; j < p->n_edits &&
		    (p->edits[ids[j]].hash & mask) == k; j++)
			;
		if (blocks[b] == prev->blocks[b]) {
			blocks[b] = block_copy(prev->blocks[b]);
			block_unref(prev->blocks[b]);
		}
		shard_unref(blocks[b]->shards[at]);
		blocks[b]->shards[at] = rewrite(p, k, ids + i, j - i, &d);
	}
	for (uint32_t b = 0; b < nb; b++)
		if (blocks[b] != prev->blocks[b])
			block_seal(blocks[b]);
	draft_free(&d);
	free(ids);
	return table_of_blocks(blocks, prev->shard_bits);
}

struct table *
table_patch_finish(struct table_patch *p, uint32_t now, uint32_t n_tasks,
    char *why, size_t len)
{
	const struct table *prev = p->prev;
	struct table *t = NULL;
	uint32_t names = 0;

	if (prev->capped > 0) {
		snprintf(why, len, "the generation before dropped records "
		    "over the cap");
		goto out;
	}
	for (uint32_t i = 0; i < p->n_ops; i++)
		if (apply(p, &p->ops[i], why, len) != 0)
			goto out;
	settle(p);
	for (uint32_t i = 0; i < p->n_edits; i++) {
		if (p->cap != 0 && p->edits[i].n_recs > p->cap) {
			snprintf(why, len, "a name would hold more than %u "
			    "records", p->cap);
			goto out;
		}
		names += p->edits[i].old == NULL && p->edits[i].exists;
	}
	if (shard_bits_for(prev->n_nodes + names) > prev->shard_bits + 2) {
		snprintf(why, len, "the names outgrew the shards");
		goto out;
	}
	t = write_shards(p);
	t->apex = prev->apex;
	t->ttl = prev->ttl;
	t->soa = prev->soa;
	t->n_tasks = n_tasks;
	t->ready = true;
	t->serial = table_serial_for(prev, t, now);
out:
	table_patch_free(p);
	return t;
}
