/* table.c - record generations (see table.h). */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "table.h"

/* Hard ceiling on one generation, whatever the state says. */
#define TABLE_MAX_RECORDS (64u * 1024 * 1024)

/* How many recent owners and rdata an add looks at before the index. */
#define RECENT 8
/* brec.rdata of a duplicate dropped at finish. */
#define DROPPED NULL

struct brec {
	uint32_t node;
	uint16_t type;
	uint16_t rdlen;
	const uint8_t *rdata;
	uint32_t seq;
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
	/* The nodes and rdata of the last few adds: a task's records come
	 * in runs on a handful of names, and its SRV records share targets,
	 * so most adds find their owner here without probing the index and
	 * store no second copy of their rdata. */
	uint32_t recent_node[RECENT];
	struct {
		const uint8_t *p;
		uint16_t len;
	} recent_rd[RECENT];
	unsigned recent_n, recent_r;
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

static uint32_t
mix(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
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
	for (unsigned i = 0; i < RECENT; i++)
		b->recent_node[i] = UINT32_MAX;
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

/* Index of the node for a lower-case name, created when missing (then
 * *created is set, when created is not NULL). */
static uint32_t
node_get(struct table_builder *b, const uint8_t *name, uint8_t len,
    bool *created)
{
	uint32_t h = dname_hash(name, len), s = h & b->nmask;
	struct table_node *n;

	while (b->nindex[s] != 0) {
		if ((uint32_t)(b->nindex[s] >> 32) == h) {
			uint32_t id = (uint32_t)b->nindex[s] - 1;

			n = &b->nodes[id];
			if (n->name_len == len && memcmp(n->name, name, len) == 0)
				return id;
		}
		s = (s + 1) & b->nmask;
	}
	if (b->n_nodes == b->cap_nodes) {
		b->cap_nodes = b->cap_nodes ? b->cap_nodes * 2 : 1024;
		b->nodes = xrealloc(b->nodes,
		    (size_t)b->cap_nodes * sizeof(*b->nodes));
	}
	if (created != NULL)
		*created = true;
	n = &b->nodes[b->n_nodes];
	memset(n, 0, sizeof(*n));
	n->name = arena_bytes(b->arena, name, len);
	n->name_len = len;
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
node_with_ancestors(struct table_builder *b, const struct dname *owner)
{
	bool created = false;
	uint32_t id = node_get(b, owner->data, owner->len, &created);

	if (created && dname_is_subdomain(owner, &b->apex)) {
		unsigned extra = dname_labels(owner) - dname_labels(&b->apex);

		for (unsigned i = 1; i <= extra && created; i++) {
			size_t off = dname_suffix_off(owner, i);

			created = false;
			node_get(b, owner->data + off,
			    (uint8_t)(owner->len - off), &created);
		}
	}
	return id;
}

/* The node of a lower-case owner: one of the last few, or from the
 * index (created with its ancestors when missing). */
static uint32_t
owner_node(struct table_builder *b, const struct dname *low)
{
	uint32_t id;

	for (unsigned i = 0; i < RECENT; i++) {
		const struct table_node *n;

		id = b->recent_node[i];
		if (id == UINT32_MAX)
			break;
		n = &b->nodes[id];
		if (n->name_len == low->len &&
		    memcmp(n->name, low->data, low->len) == 0)
			return id;
	}
	id = node_with_ancestors(b, low);
	b->recent_node[b->recent_n++ % RECENT] = id;
	return id;
}

/* rdata stored once for a run of records that share it. */
static const uint8_t *
rdata_copy(struct table_builder *b, const void *rdata, uint16_t rdlen)
{
	const uint8_t *p;

	for (unsigned i = 0; i < RECENT; i++)
		if (b->recent_rd[i].p != NULL &&
		    b->recent_rd[i].len == rdlen &&
		    memcmp(b->recent_rd[i].p, rdata, rdlen) == 0)
			return b->recent_rd[i].p;
	p = arena_bytes(b->arena, rdata, rdlen);
	b->recent_rd[b->recent_r % RECENT].p = p;
	b->recent_rd[b->recent_r++ % RECENT].len = rdlen;
	return p;
}

uint32_t
table_builder_node(struct table_builder *b, const struct dname *owner_lower)
{
	return node_with_ancestors(b, owner_lower);
}

int
table_builder_add_at(struct table_builder *b, uint32_t node, uint16_t type,
    const void *rdata, uint16_t rdlen)
{
	struct brec *r;

	if (b->n_recs >= TABLE_MAX_RECORDS)
		return -E_LIMIT;
	if (b->name_cap != 0 && b->nodes[node].count >= b->name_cap) {
		if (b->n_capped++ == 0)
			b->first_capped = node;
		return 0;
	}
	if (b->n_recs == b->cap_recs) {
		b->cap_recs = b->cap_recs ? b->cap_recs * 2 : 1024;
		b->recs = xrealloc(b->recs,
		    (size_t)b->cap_recs * sizeof(*b->recs));
	}
	r = &b->recs[b->n_recs];
	r->node = node;
	r->type = type;
	r->rdlen = rdlen;
	r->rdata = rdata_copy(b, rdata, rdlen);
	r->seq = b->n_recs++;
	b->nodes[node].count++;
	if (b->enum_on && b->n_etask > 0 && b->n_efw > 0 &&
	    b->efw[b->n_efw - 1].n_tasks > 0) {
		b->etask[b->n_etask - 1].n_recs++;
	}
	return 1;
}

int
table_builder_add(struct table_builder *b, const struct dname *owner,
    uint16_t type, const void *rdata, uint16_t rdlen)
{
	struct dname low = *owner;

	if (b->n_recs >= TABLE_MAX_RECORDS)
		return -E_LIMIT;
	dname_lower(&low);
	return table_builder_add_at(b, owner_node(b, &low), type, rdata,
	    rdlen);
}

bool
table_builder_contains(const struct table_builder *b,
    const struct dname *owner, uint16_t type, const void *rdata,
    uint16_t rdlen)
{
	struct dname low = *owner;
	uint32_t h, s;

	dname_lower(&low);
	h = dname_hash(low.data, low.len);
	for (s = h & b->nmask; b->nindex[s] != 0; s = (s + 1) & b->nmask) {
		uint32_t id = (uint32_t)b->nindex[s] - 1;
		const struct table_node *n = &b->nodes[id];

		if (n->name_len != low.len ||
		    memcmp(n->name, low.data, low.len) != 0)
			continue;
		for (uint32_t i = 0; i < b->n_recs; i++) {
			const struct brec *r = &b->recs[i];

			if (r->node == id && r->type == type &&
			    r->rdlen == rdlen &&
			    memcmp(r->rdata, rdata, rdlen) == 0)
				return true;
		}
		return false;
	}
	return false;
}

/* Order within one node: by type, then as added. */
static int
brec_cmp(const void *pa, const void *pb)
{
	const struct brec *a = pa, *b = pb;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
sort_range(struct brec *v, uint32_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof(*v), brec_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		struct brec x = v[i];
		uint32_t j = i;

		while (j > 0 && brec_cmp(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* The records grouped by node in place, each node's in (type, order
 * added): every node's range from the counts, records swapped along
 * cycles into their ranges (one pass, no second array), then each range
 * sorted (they are short). */
static void
group_by_node(struct table_builder *b)
{
	uint32_t *next = xmalloc((size_t)(b->n_nodes ? b->n_nodes : 1) *
	    sizeof(uint32_t));
	uint32_t acc = 0;

	/* Counted as added (table_builder_add_at). */
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		b->nodes[k].first = acc;
		next[k] = acc;
		acc += b->nodes[k].count;
	}
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		uint32_t end = b->nodes[k].first + b->nodes[k].count;

		while (next[k] < end) {
			struct brec r = b->recs[next[k]];

			while (r.node != k) {
				uint32_t d = next[r.node]++;
				struct brec t = b->recs[d];

				b->recs[d] = r;
				r = t;
			}
			b->recs[next[k]++] = r;
		}
		sort_range(b->recs + b->nodes[k].first, b->nodes[k].count);
	}
	free(next);
}

static bool
same_rdata(const struct brec *x, const struct brec *y)
{
	return x->rdlen == y->rdlen && (x->rdata == y->rdata ||
	    memcmp(x->rdata, y->rdata, x->rdlen) == 0);
}

/* Mark the later copies of a triple DROPPED in one (node, type) run
 * (sorted as added, so the first copy stays): pairwise when short,
 * through a scratch hash set (*set, *cap slots) when long. */
static void
drop_duplicates(struct brec *v, uint32_t n, uint32_t **set, uint32_t *cap)
{
	uint32_t mask;

	if (n <= 16) {
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = 0; j < i; j++)
				if (v[j].rdata != DROPPED &&
				    same_rdata(&v[i], &v[j])) {
					v[i].rdata = DROPPED;
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
		uint32_t s = mix(2166136261u, v[i].rdata, v[i].rdlen) & mask;

		for (; (*set)[s] != 0; s = (s + 1) & mask)
			if (same_rdata(&v[i], &v[(*set)[s] - 1])) {
				v[i].rdata = DROPPED;
				break;
			}
		if (v[i].rdata != DROPPED)
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

struct table *
table_builder_finish(struct table_builder *b, const struct table *prev,
    uint32_t now)
{
	struct table *t = xcalloc(1, sizeof(*t));
	uint64_t content = 0;
	uint32_t *pos = NULL, *set = NULL, set_cap = 0, w = 0;
	uint32_t last = UINT32_MAX, nh = 0;

	/* The apex always exists: SOA and NS live there. */
	node_get(b, b->apex.data, b->apex.len, NULL);
	group_by_node(b);
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		struct brec *v = b->recs + b->nodes[k].first;
		uint32_t i = 0, n = b->nodes[k].count;

		while (i < n) {
			uint32_t j = i + 1;

			while (j < n && v[j].type == v[i].type)
				j++;
			drop_duplicates(v + i, j - i, &set, &set_cap);
			i = j;
		}
	}
	free(set);
	if (b->enum_on)
		pos = xmalloc((size_t)(b->n_recs ? b->n_recs : 1) *
		    sizeof(uint32_t));
	/* The records become the table's in place, the dropped ones left
	 * out: a table_rec is smaller than a brec and w never passes i, so
	 * writing record w never reaches a brec not yet read. */
	t->recs = (struct table_rec *)(void *)b->recs;
	for (uint32_t k = 0; k < b->n_nodes; k++)
		b->nodes[k].count = 0;
	for (uint32_t i = 0; i < b->n_recs; i++) {
		const struct brec r = b->recs[i];
		struct table_node *n = &b->nodes[r.node];
		uint64_t h;

		if (r.rdata == DROPPED) {
			if (pos != NULL)
				pos[r.seq] = UINT32_MAX;
			continue;
		}
		if (pos != NULL)
			pos[r.seq] = w;
		if (n->count == 0)
			n->first = w;
		n->count++;
		t->recs[w].node = r.node;
		t->recs[w].type = r.type;
		t->recs[w].rdlen = r.rdlen;
		t->recs[w].rdata = r.rdata;
		w++;
		/* The node hash does not depend on insertion order, so the
		 * sum identifies the set whatever order built it. */
		if (r.node != last) {
			last = r.node;
			nh = mix(n->hash, n->name, n->name_len);
		}
		h = mix(nh ^ r.type, r.rdata, r.rdlen);
		content += mix64((uint64_t)h << 32 | r.rdlen) ^ h;
	}
	if (pos != NULL) {
		t->enumeration = enum_finish(b, pos);
		free(pos);
	}
	t->recs = xrealloc(t->recs, (size_t)(w ? w : 1) * sizeof(*t->recs));
	b->recs = NULL;
	t->n_recs = w;
	t->nodes = xrealloc(b->nodes, (size_t)(b->n_nodes ? b->n_nodes : 1) *
	    sizeof(*b->nodes));
	b->nodes = NULL;
	t->n_nodes = b->n_nodes;
	/* The table's index: the same slots, without the hashes. */
	t->index = xmalloc(((size_t)b->nmask + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i <= b->nmask; i++)
		t->index[i] = (uint32_t)b->nindex[i];
	free(b->nindex);
	b->nindex = NULL;
	t->index_mask = b->nmask;
	t->content = content ^ mix64(w);
	t->apex = b->apex;
	t->ttl = b->ttl;
	t->soa = b->soa;
	t->n_tasks = b->n_tasks;
	if (prev != NULL && prev->content == t->content &&
	    prev->n_recs == t->n_recs && prev->ttl == t->ttl &&
	    dname_equal(&prev->apex, &t->apex) && soa_equal(&prev->soa, &t->soa))
		t->serial = prev->serial;
	else if (prev != NULL && prev->serial + 1 > now)
		t->serial = prev->serial + 1;
	else
		t->serial = now;
	t->ready = true;
	atomic_init(&t->refs, 1);
	t->arena = b->arena;
	b->arena = NULL;
	table_builder_free(b);
	return t;
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
	arena_free(t->arena);
	free(t->recs);
	free(t->nodes);
	free(t->index);
	free(t);
}

const struct table_node *
table_lookup(const struct table *t, const struct dname *name)
{
	uint32_t h = dname_hash(name->data, name->len), s = h & t->index_mask;

	while (t->index[s] != 0) {
		const struct table_node *n = &t->nodes[t->index[s] - 1];

		if (n->hash == h && n->name_len == name->len &&
		    memcmp(n->name, name->data, name->len) == 0)
			return n;
		s = (s + 1) & t->index_mask;
	}
	return NULL;
}

const struct table_rec *
table_rrset(const struct table *t, const struct table_node *node,
    uint16_t type, uint32_t *n)
{
	uint32_t i = node->first, end = node->first + node->count;

	*n = 0;
	if (node->count == 0)
		return NULL;
	while (i < end && t->recs[i].type != type)
		i++;
	if (i == end)
		return NULL;
	while (i + *n < end && t->recs[i + *n].type == type)
		(*n)++;
	return &t->recs[i];
}

int
table_record_text(const struct table *t, uint32_t i, char *buf, size_t len)
{
	const struct table_rec *r = &t->recs[i];
	const struct table_node *n = &t->nodes[r->node];
	char owner[DNAME_TEXT_MAX], data[DNAME_TEXT_MAX + 32];
	struct dname name;
	int w;

	name.len = n->name_len;
	memcpy(name.data, n->name, n->name_len);
	if (dname_to_text(&name, owner, sizeof(owner)) < 0)
		return -E_SPACE;
	switch (r->type) {
	case RR_A:
		inet_ntop(AF_INET, r->rdata, data, sizeof(data));
		w = snprintf(buf, len, "A %s %s", owner, data);
		break;
	case RR_AAAA:
		inet_ntop(AF_INET6, r->rdata, data, sizeof(data));
		w = snprintf(buf, len, "AAAA %s %s", owner, data);
		break;
	case RR_SRV: {
		struct dname target;
		char tt[DNAME_TEXT_MAX];

		target.len = (uint8_t)(r->rdlen - 6);
		memcpy(target.data, r->rdata + 6, target.len);
		if (dname_to_text(&target, tt, sizeof(tt)) < 0)
			return -E_SPACE;
		w = snprintf(buf, len, "SRV %s %u %u %u %s", owner,
		    (unsigned)r->rdata[0] << 8 | r->rdata[1],
		    (unsigned)r->rdata[2] << 8 | r->rdata[3],
		    (unsigned)r->rdata[4] << 8 | r->rdata[5], tt);
		break;
	}
	default:
		w = snprintf(buf, len, "TYPE%u %s", r->type, owner);
		break;
	}
	return (w < 0 || (size_t)w >= len) ? -E_SPACE : w;
}
