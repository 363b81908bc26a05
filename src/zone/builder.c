/* builder.c - building a record generation (see builder.h). */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/builder.h"
#include "zone/builder_impl.h"
#include "zone/shard.h"
#include "dns/err.h"

/* Hard ceiling on one generation, whatever the state says. */
#define TABLE_MAX_RECORDS (64u * 1024 * 1024)

/* Grow *v (of *cap items of size sz) to hold n + 1. */
static void *
grow(void *v, uint32_t n, uint32_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return xrealloc(v, (size_t)*cap * sz);
}

struct table_builder *
table_builder_new(const struct dname *apex, uint32_t ttl,
    const struct table_soa *soa)
{
	struct table_builder *b = xcalloc(1, sizeof(*b));

	b->arena = arena_new(1u << 16);
	b->apex = *apex;
	dname_lower(&b->apex);
	b->ttl = ttl;
	b->soa = *soa;
	b->nmask = 1023;
	b->nindex = xcalloc(b->nmask + 1, sizeof(uint64_t));
	for (unsigned i = 0; i < RECENT; i++) {
		b->recent_node[i] = UINT32_MAX;
		b->recent_rd[i].len = DROPPED;
	}
	return b;
}

void
table_builder_free(struct table_builder *b)
{
	if (b == NULL)
		return;
	arena_free(b->arena);
	arena_free(b->earena);
	if (b->tnames != NULL)
		for (uint32_t i = 0; i < b->n_nodes; i++)
			tname_unref(b->tnames[i]);
	free(b->tnames);
	free(b->nodes);
	free(b->nindex);
	free(b->recs);
	free(b->rd);
	free(b->efw);
	free(b->etask);
	free(b);
}

static const char *
adup(struct arena *a, const char *s)
{
	return s != NULL ? arena_strndup(a, s, strlen(s)) : "";
}

void
table_builder_enum_on(struct table_builder *b)
{
	b->enum_on = true;
	if (b->earena == NULL)
		b->earena = arena_new(1u << 16);
}

void
table_builder_enum_framework(struct table_builder *b, const char *name)
{
	struct table_enum_fw *f;

	if (!b->enum_on)
		return;
	b->efw = grow(b->efw, b->n_efw, &b->cap_efw, sizeof(*b->efw));
	f = &b->efw[b->n_efw++];
	f->name = adup(b->earena, name);
	f->first_task = b->n_etask;
	f->n_tasks = 0;
}

void
table_builder_enum_task(struct table_builder *b, const char *name,
    const char *id)
{
	struct table_enum_task *t;

	if (!b->enum_on || b->n_efw == 0)
		return;
	b->etask = grow(b->etask, b->n_etask, &b->cap_etask, sizeof(*b->etask));
	t = &b->etask[b->n_etask++];
	t->name = adup(b->earena, name);
	t->id = adup(b->earena, id);
	t->first_rec = b->n_recs;	/* its adds are consecutive */
	t->n_recs = 0;
	b->efw[b->n_efw - 1].n_tasks++;
}

void
table_builder_set_name_cap(struct table_builder *b, uint32_t cap)
{
	b->name_cap = cap;
}

uint32_t
table_builder_capped(const struct table_builder *b, struct dname *first)
{
	if (b->n_capped > 0 && first != NULL) {
		first->len = b->nodes[b->first_capped].name_len;
		memcpy(first->data, b->nodes[b->first_capped].name, first->len);
	}
	return b->n_capped;
}

uint32_t
table_builder_count(const struct table_builder *b)
{
	return b->n_recs;
}

void
table_builder_set_tasks(struct table_builder *b, uint32_t n)
{
	b->n_tasks = n;
}

/* The index *idx grown to hold n items at under half load (never
 * shrunk): slots are moved by the hash they carry. */
static void
reindex(uint64_t **idx, uint32_t *mask, uint32_t n)
{
	uint32_t m = *mask, old = *mask;
	uint64_t *v;

	while ((uint64_t)n * 2 > m)
		m = m * 2 + 1;
	if (m == old)
		return;
	v = xcalloc((size_t)m + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i <= old; i++) {
		uint32_t s;

		if ((*idx)[i] == 0)
			continue;
		for (s = (uint32_t)((*idx)[i] >> 32) & m; v[s] != 0;
		    s = (s + 1) & m)
			;
		v[s] = (*idx)[i];
	}
	free(*idx);
	*idx = v;
	*mask = m;
}

void
table_builder_reserve(struct table_builder *b, uint32_t recs, uint32_t nodes)
{
	reindex(&b->nindex, &b->nmask, nodes);
	if (recs > b->cap_recs) {
		b->cap_recs = recs;
		b->recs = xrealloc(b->recs,
		    (size_t)b->cap_recs * sizeof(*b->recs));
	}
	if (nodes > b->cap_nodes) {
		b->cap_nodes = nodes;
		b->nodes = xrealloc(b->nodes,
		    (size_t)b->cap_nodes * sizeof(*b->nodes));
	}
}

/* Index of the node for a lower-case name, or UINT32_MAX; *slot gets
 * where the index holds it or would. */
static uint32_t
node_find(const struct table_builder *b, const uint8_t *name, uint8_t len,
    uint32_t h, uint32_t *slot)
{
	uint32_t s = h & b->nmask;

	while (b->nindex[s] != 0) {
		if ((uint32_t)(b->nindex[s] >> 32) == h) {
			uint32_t id = (uint32_t)b->nindex[s] - 1;
			const struct table_node *n = &b->nodes[id];

			if (n->name_len == len && memcmp(n->name, name, len) == 0)
				return id;
		}
		s = (s + 1) & b->nmask;
	}
	*slot = s;
	return UINT32_MAX;
}

/* Index of the node for a lower-case name, created when missing.  A
 * target node (target: named by an SRV only) is not a name of the zone;
 * asked for as an owner, it becomes one.  *fresh (when not NULL) is set
 * when the name is new to the zone: created as an owner, or a target
 * node made an owner. */
static uint32_t
node_get(struct table_builder *b, const uint8_t *name, uint8_t len,
    uint32_t h, bool target, bool *fresh)
{
	uint32_t s = 0;
	uint32_t id = node_find(b, name, len, h, &s);
	struct table_node *n;

	if (id != UINT32_MAX) {
		n = &b->nodes[id];
		if (!target && (n->flags & NODE_TARGET)) {
			n->flags &= (uint8_t)~NODE_TARGET;
			if (fresh != NULL)
				*fresh = true;
		}
		return id;
	}
	if (b->n_nodes == b->cap_nodes) {
		b->cap_nodes = b->cap_nodes ? b->cap_nodes * 2 : 1024;
		b->nodes = xrealloc(b->nodes,
		    (size_t)b->cap_nodes * sizeof(*b->nodes));
	}
	if (fresh != NULL && !target)
		*fresh = true;
	n = &b->nodes[b->n_nodes];
	memset(n, 0, sizeof(*n));
	n->name = arena_bytes(b->arena, name, len);
	n->name_len = len;
	n->flags = target ? NODE_TARGET : 0;
	n->hash = h;
	b->nindex[s] = (uint64_t)h << 32 | ++b->n_nodes;
	/* Keep the load under one half. */
	if (b->n_nodes * 2 > b->nmask)
		reindex(&b->nindex, &b->nmask, b->n_nodes);
	return b->n_nodes - 1;
}

void
builder_apex(struct table_builder *b)
{
	node_get(b, b->apex.data, b->apex.len, dname_hash(b->apex.data,
	    b->apex.len), false, NULL);
}

/* The owner's node, and every ancestor's down to the apex (empty
 * non-terminals, RFC 8020).  A node that already existed has its
 * ancestors already, so the walk stops at the first one found. */
static uint32_t
node_with_ancestors(struct table_builder *b, const struct dname *owner,
    uint32_t h)
{
	bool fresh = false;
	uint32_t id = node_get(b, owner->data, owner->len, h, false, &fresh);

	if (fresh && dname_is_subdomain(owner, &b->apex)) {
		unsigned extra = dname_labels(owner) - dname_labels(&b->apex);

		/* Each name new to the zone is one more child of its
		 * parent. */
		for (unsigned i = 1; i <= extra && fresh; i++) {
			size_t off = dname_suffix_off(owner, i);
			uint32_t parent;

			fresh = false;
			parent = node_get(b, owner->data + off,
			    (uint8_t)(owner->len - off), dname_hash(owner->data +
			    off, owner->len - off), false, &fresh);
			b->nodes[parent].children++;
		}
	}
	return id;
}

/* One of the last few nodes named low, or UINT32_MAX. */
static uint32_t
recent_node(const struct table_builder *b, const struct dname *low)
{
	for (unsigned i = 0; i < RECENT; i++) {
		uint32_t id = b->recent_node[i];
		const struct table_node *n;

		if (id == UINT32_MAX)
			break;
		n = &b->nodes[id];
		if (n->name_len == low->len &&
		    memcmp(n->name, low->data, low->len) == 0)
			return id;
	}
	return UINT32_MAX;
}

/* The node of a lower-case owner: one of the last few, or from the
 * index (created with its ancestors when missing). */
static uint32_t
owner_node(struct table_builder *b, const struct dname *low)
{
	uint32_t id = recent_node(b, low);

	if (id != UINT32_MAX && !(b->nodes[id].flags & NODE_TARGET))
		return id;
	id = node_with_ancestors(b, low, dname_hash(low->data, low->len));
	b->recent_node[b->recent_n++ % RECENT] = id;
	return id;
}

/* The node of a lower-case SRV target, created (as a target node, with
 * no ancestors) when missing. */
static uint32_t
target_node(struct table_builder *b, const struct dname *low)
{
	uint32_t id = recent_node(b, low);

	if (id != UINT32_MAX)
		return id;
	id = node_get(b, low->data, low->len, dname_hash(low->data, low->len),
	    true, NULL);
	b->recent_node[b->recent_n++ % RECENT] = id;
	return id;
}

/* The target of an SRV's wire rdata, lower-cased when lower is set (an
 * add_at caller's is already); -1 when the rdata is not priority,
 * weight, port and one whole uncompressed name. */
static int
srv_target(const uint8_t *rd, uint16_t rdlen, bool lower, struct dname *out)
{
	size_t pos = 6;

	if (rdlen < 7 || rdlen - 6 > DNAME_MAX)
		return -1;
	while (pos < rdlen && rd[pos] != 0) {
		if (rd[pos] > DNAME_LABEL_MAX)
			return -1;
		pos += (size_t)rd[pos] + 1;
	}
	if (pos != (size_t)rdlen - 1)
		return -1;
	out->len = (uint8_t)(rdlen - 6);
	memcpy(out->data, rd + 6, out->len);
	if (lower)
		dname_lower(out);
	return 0;
}

/* The stored form of an SRV's rdata (see table.h) into out, its target
 * lower-case.  A task adds the same SRV rdata under several owners: the
 * last one converted is kept and reused. */
static int
srv_store(struct table_builder *b, const uint8_t *rd, uint16_t rdlen,
    uint8_t out[10])
{
	struct dname target;
	uint32_t id;

	if (rdlen > 6 && rdlen == b->last_srv_len &&
	    memcmp(rd, b->last_srv, rdlen) == 0) {
		memcpy(out, b->last_stored, 10);
		return 0;
	}
	if (srv_target(rd, rdlen, false, &target) != 0)
		return -E_FORMAT;
	id = target_node(b, &target);
	memcpy(out, rd, 6);
	memcpy(out + 6, &id, 4);
	memcpy(b->last_srv, rd, rdlen);
	b->last_srv_len = rdlen;
	memcpy(b->last_stored, out, 10);
	return 0;
}

/* Offset of a copy of rdata: one stored once for a run of records that
 * share it; -E_LIMIT when the store is full. */
static int64_t
rdata_put(struct table_builder *b, const void *rdata, uint16_t rdlen)
{
	uint32_t off;

	if (rdlen == 0)
		return 0;
	for (unsigned i = 0; i < RECENT; i++)
		if (b->recent_rd[i].len == rdlen &&
		    memcmp(b->rd + b->recent_rd[i].off, rdata, rdlen) == 0)
			return b->recent_rd[i].off;
	if ((uint64_t)b->rd_len + rdlen > UINT32_MAX)
		return -E_LIMIT;
	if (b->rd_len + rdlen > b->rd_cap) {
		uint64_t cap = b->rd_cap ? b->rd_cap : 65536;

		while (cap < (uint64_t)b->rd_len + rdlen)
			cap *= 2;
		b->rd_cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
		b->rd = xrealloc(b->rd, b->rd_cap);
	}
	off = b->rd_len;
	if (rdlen > 0)
		memcpy(b->rd + off, rdata, rdlen);
	b->rd_len += rdlen;
	b->recent_rd[b->recent_r % RECENT].off = off;
	b->recent_rd[b->recent_r++ % RECENT].len = rdlen;
	return off;
}

uint32_t
table_builder_prefetch(const struct table_builder *b,
    const struct dname *owner_lower)
{
	uint32_t h = dname_hash(owner_lower->data, owner_lower->len);

	/* The index is the one large array a lookup reads at random: its
	 * slot is what a lookup waits for. */
	__builtin_prefetch(&b->nindex[h & b->nmask]);
	return h;
}

void
table_builder_warm(const struct table_builder *b, const uint32_t *hash,
    unsigned n)
{
	uint32_t id[16];

	if (n > 16)
		n = 16;
	/* The slots (prefetched when the hashes were taken) name the
	 * nodes; the nodes name the names a lookup compares. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t slot = b->nindex[hash[i] & b->nmask];

		id[i] = UINT32_MAX;
		if (slot != 0 && (uint32_t)(slot >> 32) == hash[i]) {
			id[i] = (uint32_t)slot - 1;
			__builtin_prefetch(&b->nodes[id[i]]);
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (id[i] != UINT32_MAX)
			__builtin_prefetch(b->nodes[id[i]].name);
}

uint32_t
table_builder_node(struct table_builder *b, const struct dname *owner_lower,
    uint32_t hash)
{
	return node_with_ancestors(b, owner_lower, hash);
}

int
table_builder_add_at(struct table_builder *b, uint32_t node, uint16_t type,
    const void *rdata, uint16_t rdlen)
{
	uint8_t srv[10];
	struct brec *r;
	int64_t off;

	if (b->n_recs >= TABLE_MAX_RECORDS)
		return -E_LIMIT;
	if (b->name_cap != 0 && b->nodes[node].count >= b->name_cap) {
		if (b->n_capped++ == 0)
			b->first_capped = node;
		return 0;
	}
	if (type == RR_SRV) {
		if (srv_store(b, rdata, rdlen, srv) != 0)
			return -E_FORMAT;
		rdata = srv;
		rdlen = sizeof(srv);
	}
	if (rdlen == DROPPED)
		return -E_LIMIT;
	off = rdata_put(b, rdata, rdlen);
	if (off < 0)
		return (int)off;
	if (b->n_recs == b->cap_recs) {
		b->cap_recs = b->cap_recs ? b->cap_recs * 2 : 1024;
		b->recs = xrealloc(b->recs,
		    (size_t)b->cap_recs * sizeof(*b->recs));
	}
	r = &b->recs[b->n_recs++];
	r->node = node;
	r->type = type;
	r->rdlen = rdlen;
	r->off = (uint32_t)off;
	b->nodes[node].count++;
	if (b->enum_on && b->n_etask > 0 && b->n_efw > 0 &&
	    b->efw[b->n_efw - 1].n_tasks > 0) {
		b->etask[b->n_etask - 1].n_recs++;
	}
	return 0;
}

int
table_builder_add(struct table_builder *b, const struct dname *owner,
    uint16_t type, const void *rdata, uint16_t rdlen)
{
	struct dname low = *owner, target;
	uint8_t rd[TABLE_RDATA_MAX];

	if (b->n_recs >= TABLE_MAX_RECORDS)
		return -E_LIMIT;
	dname_lower(&low);
	if (type == RR_SRV) {
		if (srv_target(rdata, rdlen, true, &target) != 0)
			return -E_FORMAT;
		memcpy(rd, rdata, 6);
		memcpy(rd + 6, target.data, target.len);
		rdata = rd;
	}
	return table_builder_add_at(b, owner_node(b, &low), type, rdata,
	    rdlen);
}

bool
table_builder_contains(const struct table_builder *b,
    const struct dname *owner, uint16_t type, const void *rdata,
    uint16_t rdlen)
{
	struct dname low = *owner, target;
	uint8_t srv[10];
	uint32_t id, s;

	dname_lower(&low);
	id = node_find(b, low.data, low.len, dname_hash(low.data, low.len), &s);
	if (id == UINT32_MAX || (b->nodes[id].flags & NODE_TARGET))
		return false;
	if (type == RR_SRV) {
		uint32_t tid;

		if (srv_target(rdata, rdlen, true, &target) != 0)
			return false;
		tid = node_find(b, target.data, target.len,
		    dname_hash(target.data, target.len), &s);
		if (tid == UINT32_MAX)
			return false;
		memcpy(srv, rdata, 6);
		memcpy(srv + 6, &tid, 4);
		rdata = srv;
		rdlen = sizeof(srv);
	}
	for (uint32_t i = 0; i < b->n_recs; i++) {
		const struct brec *r = &b->recs[i];

		if (r->node == id && r->type == type && r->rdlen == rdlen &&
		    (rdlen == 0 || memcmp(b->rd + r->off, rdata, rdlen) == 0))
			return true;
	}
	return false;
}


void
table_builder_each(const struct table_builder *b, table_builder_each_fn fn,
    void *arg)
{
	for (uint32_t i = 0; i < b->n_recs; i++) {
		const struct brec *r = &b->recs[i];
		const struct table_node *n = &b->nodes[r->node];
		const uint8_t *rd = b->rd + r->off;
		uint8_t srv[TABLE_RDATA_MAX];
		uint16_t len = r->rdlen;
		struct dname owner;

		owner.len = n->name_len;
		memcpy(owner.data, n->name, n->name_len);
		if (r->type == RR_SRV && r->rdlen == 10) {
			const struct table_node *tn;
			uint32_t id;

			memcpy(&id, rd + 6, 4);
			tn = &b->nodes[id];
			memcpy(srv, rd, 6);
			memcpy(srv + 6, tn->name, tn->name_len);
			rd = srv;
			len = (uint16_t)(6 + tn->name_len);
		}
		fn(arg, &owner, r->type, rd, len);
	}
}
