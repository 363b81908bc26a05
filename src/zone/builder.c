/* builder.c - building a record generation (see builder.h). */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/builder.h"
#include "dns/err.h"

/* Hard ceiling on one generation, whatever the state says. */
#define TABLE_MAX_RECORDS (64u * 1024 * 1024)

/* How many recent owners and rdata an add looks at before the index. */
#define RECENT 8
/* brec.rdlen of a duplicate dropped at finish (no rdata is that long). */
#define DROPPED UINT16_MAX

/* A record as added: the table's record plus its node.  Records are
 * grouped by node only at finish. */
struct brec {
	uint32_t node;
	uint16_t type;
	uint16_t rdlen;
	uint32_t off;
};

struct table_builder {
	struct arena *arena;
	struct dname apex;
	uint32_t ttl;
	struct table_soa soa;
	struct table_node *nodes;
	uint32_t n_nodes, cap_nodes;
	/* Open addressing; a slot holds hash << 32 | (index + 1), 0 when
	 * free, so probing and growing never touch the items themselves. */
	uint64_t *nindex;
	uint32_t nmask;
	struct brec *recs;
	uint32_t n_recs, cap_recs;
	/* Stored rdata, one growing array (offsets stay valid). */
	uint8_t *rd;
	uint32_t rd_len, rd_cap;
	/* The nodes and rdata of the last few adds: a task's records come
	 * in runs on a handful of names, and its SRV records share targets,
	 * so most adds find their owner here without probing the index and
	 * store no second copy of their rdata. */
	uint32_t recent_node[RECENT];
	struct {
		uint32_t off;
		uint16_t len;
	} recent_rd[RECENT];
	unsigned recent_n, recent_r;
	/* The last SRV rdata added and its stored form. */
	uint8_t last_srv[TABLE_RDATA_MAX], last_stored[10];
	uint16_t last_srv_len;
	uint32_t name_cap;	/* records per node; 0: none */
	uint32_t n_capped, first_capped;
	uint32_t n_tasks;
	/* The enumeration, when kept (growing arrays, malloc'd). */
	bool enum_on;
	struct table_enum_fw *efw;
	uint32_t n_efw, cap_efw;
	struct table_enum_task *etask;
	uint32_t n_etask, cap_etask;
};

/* Grow *v (of *cap items of size sz) to hold n + 1. */
static void *
grow(void *v, uint32_t n, uint32_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return xrealloc(v, (size_t)*cap * sz);
}

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
}

void
table_builder_enum_framework(struct table_builder *b, const char *name)
{
	struct table_enum_fw *f;

	if (!b->enum_on)
		return;
	b->efw = grow(b->efw, b->n_efw, &b->cap_efw, sizeof(*b->efw));
	f = &b->efw[b->n_efw++];
	f->name = adup(b->arena, name);
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
	t->name = adup(b->arena, name);
	t->id = adup(b->arena, id);
	t->first_rec = b->n_recs;	/* its adds are consecutive */
	t->n_recs = 0;
	b->efw[b->n_efw - 1].n_tasks++;
}

/* The enumeration into the table's arena, record numbers mapped from
 * insertion order to table order (pos; UINT32_MAX for a dropped
 * duplicate, which its first adder already owns). */
static struct table_enum *
enum_finish(struct table_builder *b, const uint32_t *pos)
{
	struct table_enum *e = arena_alloc(b->arena, sizeof(*e));
	uint32_t w = 0;

	e->n_fws = b->n_efw;
	e->fws = arena_alloc(b->arena, (size_t)(b->n_efw ? b->n_efw : 1) *
	    sizeof(*e->fws));
	if (b->n_efw > 0)
		memcpy(e->fws, b->efw, (size_t)b->n_efw * sizeof(*e->fws));
	e->n_tasks = b->n_etask;
	e->tasks = arena_alloc(b->arena, (size_t)(b->n_etask ? b->n_etask :
	    1) * sizeof(*e->tasks));
	if (b->n_etask > 0)
		memcpy(e->tasks, b->etask, (size_t)b->n_etask *
		    sizeof(*e->tasks));
	e->recs = arena_alloc(b->arena, (size_t)(b->n_recs ? b->n_recs : 1) *
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

		for (unsigned i = 1; i <= extra && fresh; i++) {
			size_t off = dname_suffix_off(owner, i);

			fresh = false;
			node_get(b, owner->data + off,
			    (uint8_t)(owner->len - off), dname_hash(owner->data +
			    off, owner->len - off), false, &fresh);
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
				v[i].r.rdlen = DROPPED;
				break;
			}
		if (v[i].r.rdlen != DROPPED)
			(*set)[s] = i + 1;
	}
}

static bool
soa_equal(const struct table_soa *x, const struct table_soa *y)
{
	return dname_equal(&x->mname, &y->mname) &&
	    dname_equal(&x->rname, &y->rname) && x->refresh == y->refresh &&
	    x->retry == y->retry && x->expire == y->expire &&
	    x->minimum == y->minimum && x->ttl == y->ttl;
}

/* The records grouped by node, in the order added within each node (a
 * counting sort: stable, one sequential read, no comparisons).  at[i]
 * (when not NULL) gets where record i went.  The builder's array is
 * freed. */
static struct table_rec *
scatter(struct table_builder *b, uint32_t *at)
{
	struct table_rec *v = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
	    sizeof(*v));
	uint32_t *next = xmalloc((size_t)b->n_nodes * sizeof(uint32_t));
	uint32_t acc = 0;

	for (uint32_t k = 0; k < b->n_nodes; k++) {
		next[k] = acc;
		acc += b->nodes[k].count;
	}
	for (uint32_t i = 0; i < b->n_recs; i++) {
		const struct brec *r = &b->recs[i];
		uint32_t d = next[r->node]++;

		v[d].type = r->type;
		v[d].rdlen = r->rdlen;
		v[d].off = r->off;
		if (at != NULL)
			at[i] = d;
	}
	free(next);
	free(b->recs);
	b->recs = NULL;
	return v;
}

/* Content hash of one record, independent of the order it was added in:
 * an SRV's target enters as its name's hash, not its node's number. */
static uint64_t
rec_hash(const struct table_builder *b, uint64_t nh, const struct table_rec *r)
{
	const uint8_t *rd = b->rd + r->off;
	uint64_t h;

	if (r->type == RR_SRV && r->rdlen == 10) {
		uint32_t id;

		memcpy(&id, rd + 6, 4);
		h = mix(nh ^ r->type, rd, 6);
		h = mix(h, &b->nodes[id].hash, 4);
		h = mix(h, &b->nodes[id].name_len, 1);
	} else
		h = mix(nh ^ r->type, rd, r->rdlen);
	return mix64(h ^ r->rdlen);
}

/* Grouping a scattered record array by name, in place (finish's pass). */
struct grouping {
	struct table_rec *v;	/* the records, each node's together */
	uint32_t *where;	/* per record: its new index (enumeration) */
	struct item *items;	/* one node's records, for sorting */
	uint32_t n_items;
	uint32_t *set, set_cap;	/* drop_duplicates' scratch */
	uint32_t d, w;		/* the next record read, and written */
	uint32_t ahead;		/* SRV targets prefetched up to here */
	uint64_t content;	/* the content hash so far */
};

/* An SRV's content hash reads its target's node, anywhere in the array:
 * fetched some records ahead of the one being grouped. */
static inline void
prefetch_targets(const struct table_builder *b, struct grouping *g,
    uint32_t upto)
{
	for (; g->ahead < b->n_recs && g->ahead < upto; g->ahead++) {
		const struct table_rec *r = &g->v[g->ahead];

		if (r->type == RR_SRV && r->rdlen == 10) {
			uint32_t id;

			memcpy(&id, b->rd + r->off + 6, 4);
			__builtin_prefetch(&b->nodes[id]);
		}
	}
}

/* Node n's c records (at g->d): by type, duplicates dropped, moved down
 * to g->w (never past the range being read, which is copied out first),
 * each added to the content hash. */
static void
group_node(struct table_builder *b, struct grouping *g, struct table_node *n)
{
	uint32_t c = n->count, first = g->w;
	/* The name enters the content hash as its index hash and length,
	 * as an SRV target does. */
	uint64_t nh = mix64((uint64_t)n->hash << 8 | n->name_len);
	struct item *items;

	n->first = g->w;
	if (c == 0)
		return;
	prefetch_targets(b, g, g->d + c + 32);
	if (c == 1) {
		/* Most names hold one record: nothing to order. */
		if (g->where != NULL)
			g->where[g->d] = g->w;
		g->v[g->w] = g->v[g->d];
		g->content += rec_hash(b, nh, &g->v[g->w]);
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
		g->content += rec_hash(b, nh, &g->v[g->w]);
		g->w++;
	}
	n->count = g->w - first;
	g->d += c;
}

/* The builder's arrays become t's: the records (n of them), rdata, nodes
 * and the index (the same slots, without the hashes). */
static void
hand_over(struct table_builder *b, struct table *t, struct table_rec *v,
    uint32_t n)
{
	t->recs = xrealloc(v, (size_t)(n ? n : 1) * sizeof(*t->recs));
	t->n_recs = n;
	t->rdata = xrealloc(b->rd, b->rd_len ? b->rd_len : 1);
	t->rdata_len = b->rd_len;
	b->rd = NULL;
	t->nodes = xrealloc(b->nodes, (size_t)(b->n_nodes ? b->n_nodes : 1) *
	    sizeof(*b->nodes));
	b->nodes = NULL;
	t->n_nodes = b->n_nodes;
	t->index = xmalloc(((size_t)b->nmask + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i <= b->nmask; i++)
		t->index[i] = (uint32_t)b->nindex[i];
	free(b->nindex);
	b->nindex = NULL;
	t->index_mask = b->nmask;
	t->arena = b->arena;
	b->arena = NULL;
}

/* STYLE 6: the serial changes only with the records, max(prev + 1, now). */
static uint32_t
serial_for(const struct table *prev, const struct table *t, uint32_t now)
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
table_builder_finish(struct table_builder *b, const struct table *prev,
    uint32_t now)
{
	struct table *t = xcalloc(1, sizeof(*t));
	struct grouping g = { 0 };
	uint32_t *at = NULL;

	/* The apex always exists: SOA and NS live there. */
	node_get(b, b->apex.data, b->apex.len, dname_hash(b->apex.data,
	    b->apex.len), false, NULL);
	if (b->enum_on)
		at = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
		    sizeof(uint32_t));
	g.v = scatter(b, at);
	if (at != NULL)
		g.where = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
		    sizeof(uint32_t));
	for (uint32_t k = 0; k < b->n_nodes; k++)
		group_node(b, &g, &b->nodes[k]);
	free(g.items);
	free(g.set);
	if (at != NULL) {
		for (uint32_t i = 0; i < b->n_recs; i++)
			at[i] = g.where[at[i]];
		free(g.where);
		t->enumeration = enum_finish(b, at);
		free(at);
	}
	hand_over(b, t, g.v, g.w);
	t->content = g.content ^ mix64(g.w);
	t->apex = b->apex;
	t->ttl = b->ttl;
	t->soa = b->soa;
	t->n_tasks = b->n_tasks;
	t->serial = serial_for(prev, t, now);
	t->ready = true;
	atomic_init(&t->refs, 1);
	table_builder_free(b);
	return t;
}
