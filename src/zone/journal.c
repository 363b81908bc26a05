/* journal.c - differences between generations, for IXFR (see journal.h). */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "zone/journal.h"
#include "dns/rr.h"
#include "zone/shard.h"
#include "zone/szone.h"
#include "zone/table.h"

/* Records gathered to be sorted: their bytes, then where each is. */
struct rref {
	const uint8_t *p;
	uint32_t len;
	int sign;		/* condensing: -1 deleted, +1 added */
};

struct rset {
	uint8_t *b;
	size_t len, cap;
	struct rref *v;
	uint32_t n, cap_v;
	uint32_t *off;		/* each record's offset, while b grows */
};

static void
rset_free(struct rset *s)
{
	free(s->b);
	free(s->v);
	free(s->off);
	memset(s, 0, sizeof(*s));
}

static void
rset_bytes(struct rset *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2 + 256;
		s->b = xrealloc(s->b, s->cap);
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void
rset_begin(struct rset *s)
{
	if (s->n == s->cap_v) {
		s->cap_v = s->cap_v * 2 + 64;
		s->off = xrealloc(s->off, s->cap_v * sizeof(*s->off));
	}
	s->off[s->n++] = (uint32_t)s->len;
}

static void
put_u16(struct rset *s, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	rset_bytes(s, b, 2);
}

static void
put_u32(struct rset *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	rset_bytes(s, b, 4);
}

static void
rset_rec(struct rset *s, const uint8_t *owner, uint8_t olen, uint16_t type,
    uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	rset_begin(s);
	rset_bytes(s, &olen, 1);
	rset_bytes(s, owner, olen);
	put_u16(s, type);
	put_u32(s, ttl);
	put_u16(s, rdlen);
	rset_bytes(s, rd, rdlen);
}

/* A shard's records into s. */
static void
shard_recs(const struct table *t, const struct table_shard *sh,
    struct rset *s)
{
	uint8_t buf[TABLE_RDATA_MAX];

	for (uint32_t i = 0; sh != NULL && i < sh->n_nodes; i++) {
		const struct table_node *nd = &sh->nodes[i];

		for (uint32_t j = 0; j < nd->count; j++) {
			const struct table_rec *r = &sh->recs[nd->first + j];
			uint16_t len;
			const uint8_t *rd = table_rdata(t, r, buf, &len);

			rset_rec(s, nd->name, nd->name_len, r->type, t->ttl,
			    rd, len);
		}
	}
}

static int
cmp_rref(const void *a, const void *b)
{
	const struct rref *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The records' places, sorted by their bytes. */
static void
rset_sort(struct rset *s, int sign)
{
	s->v = xrealloc(s->v, (s->n ? s->n : 1) * sizeof(*s->v));
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t end = i + 1 < s->n ? s->off[i + 1] : (uint32_t)s->len;

		s->v[i].p = s->b + s->off[i];
		s->v[i].len = end - s->off[i];
		s->v[i].sign = sign;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_rref);
}

static void
add_to(uint8_t **run, size_t *len, size_t *cap, uint32_t *n,
    const struct rref *r)
{
	if (*len + r->len > *cap) {
		*cap = (*len + r->len) * 2 + 256;
		*run = xrealloc(*run, *cap);
	}
	memcpy(*run + *len, r->p, r->len);
	*len += r->len;
	(*n)++;
}

struct runs {
	struct jdiff *d;
	size_t del_cap, add_cap;
};

static void
out_del(struct runs *o, const struct rref *r)
{
	add_to(&o->d->del, &o->d->del_len, &o->del_cap, &o->d->n_del, r);
}

static void
out_add(struct runs *o, const struct rref *r)
{
	add_to(&o->d->add, &o->d->add_len, &o->add_cap, &o->d->n_add, r);
}

/* What a holds that b does not (deleted), and b that a does not. */
static void
merge(const struct rset *a, const struct rset *b, struct runs *o)
{
	uint32_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 :
		    cmp_rref(&a->v[i], &b->v[j]);

		if (c < 0)
			out_del(o, &a->v[i++]);
		else if (c > 0)
			out_add(o, &b->v[j++]);
		else {
			i++;
			j++;
		}
	}
}

/* Shard k of prev against next's. */
static void
diff_shard(const struct table *prev, const struct table *next, uint32_t k,
    struct rset *a, struct rset *b, struct runs *o)
{
	const struct table_shard *x = table_shard(prev, k);
	const struct table_shard *y = table_shard(next, k);

	if (x == y || (x != NULL && y != NULL && x->content == y->content &&
	    x->n_recs == y->n_recs))
		return;
	a->len = b->len = 0;
	a->n = b->n = 0;
	shard_recs(prev, x, a);
	shard_recs(next, y, b);
	rset_sort(a, -1);
	rset_sort(b, 1);
	merge(a, b, o);
}

static bool
soa_same(const struct table_soa *x, const struct table_soa *y)
{
	return dname_equal(&x->mname, &y->mname) &&
	    dname_equal(&x->rname, &y->rname) && x->refresh == y->refresh &&
	    x->retry == y->retry && x->expire == y->expire &&
	    x->minimum == y->minimum && x->ttl == y->ttl;
}

static struct jdiff *
jdiff_new(uint32_t from, uint32_t to)
{
	struct jdiff *d = xcalloc(1, sizeof(*d));

	atomic_init(&d->refs, 1);
	d->from = from;
	d->to = to;
	return d;
}

/* The step prev -> next, or NULL when they cannot be compared. */
static struct jdiff *
diff_tables(const struct table *prev, const struct table *next)
{
	struct rset a = { 0 }, b = { 0 };
	struct runs o = { 0 };
	uint32_t n = 1u << next->shard_bits;

	if (prev->shard_bits != next->shard_bits || prev->ttl != next->ttl ||
	    !dname_equal(&prev->apex, &next->apex) ||
	    !soa_same(&prev->soa, &next->soa))
		return NULL;
	o.d = jdiff_new(prev->serial, next->serial);
	for (uint32_t blk = 0; blk < next->n_blocks; blk++) {
		uint32_t k0 = blk << TABLE_BLOCK_BITS;

		if (prev->blocks[blk] == next->blocks[blk])
			continue;
		for (uint32_t k = k0; k < k0 + TABLE_BLOCK && k < n; k++)
			diff_shard(prev, next, k, &a, &b, &o);
	}
	rset_free(&a);
	rset_free(&b);
	return o.d;
}

struct journal *
journal_ref(struct journal *j)
{
	if (j != NULL)
		atomic_fetch_add_explicit(&j->refs, 1, memory_order_relaxed);
	return j;
}

void
jdiff_unref(struct jdiff *d)
{
	if (d == NULL || atomic_fetch_sub_explicit(&d->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	free(d->del);
	free(d->add);
	free(d);
}

void
journal_unref(struct journal *j)
{
	if (j == NULL || atomic_fetch_sub_explicit(&j->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	for (uint32_t i = 0; i < j->n; i++)
		jdiff_unref(j->steps[i]);
	free(j);
}

static size_t
step_bytes(const struct jdiff *d)
{
	return d->del_len + d->add_len;
}

/* A journal of old's steps (when they end at from) and d, the oldest
 * dropped past max_steps or max_bytes; d is taken over. */
static struct journal *
chain(const struct journal *old, uint32_t from, struct jdiff *d,
    unsigned max_steps, size_t max_bytes)
{
	struct journal *j;
	uint32_t first = 0, keep;
	size_t bytes;

	if (old != NULL && (old->n == 0 || old->steps[old->n - 1]->to != from))
		old = NULL;
	bytes = step_bytes(d) + (old != NULL ? old->bytes : 0);
	keep = old != NULL ? old->n : 0;
	while (keep > 0 && (keep + 1 > max_steps || bytes > max_bytes)) {
		bytes -= step_bytes(old->steps[first]);
		first++;
		keep--;
	}
	j = xcalloc(1, sizeof(*j) + (keep + 1) * sizeof(j->steps[0]));
	atomic_init(&j->refs, 1);
	for (uint32_t i = 0; i < keep; i++) {
		j->steps[i] = old->steps[first + i];
		atomic_fetch_add_explicit(&j->steps[i]->refs, 1,
		    memory_order_relaxed);
	}
	j->steps[keep] = d;
	j->n = keep + 1;
	j->bytes = bytes;
	return j;
}

struct journal *
journal_next(const struct table *prev, const struct table *next,
    unsigned max_steps, size_t max_bytes)
{
	struct jdiff *d;

	if (max_steps == 0 || prev == NULL || next == NULL || !prev->ready ||
	    !next->ready)
		return NULL;
	if (prev->serial == next->serial)
		return journal_ref(prev->journal);
	d = diff_tables(prev, next);
	if (d == NULL || step_bytes(d) > max_bytes) {
		jdiff_unref(d);
		return NULL;
	}
	return chain(prev->journal, prev->serial, d, max_steps, max_bytes);
}

int
journal_soa_serial_off(const uint8_t *rd, uint16_t len)
{
	uint32_t p = 0;

	for (int names = 0; names < 2; names++) {
		while (p < len && rd[p] != 0) {
			if (rd[p] & 0xc0)
				return -1;
			p += rd[p] + 1u;
		}
		if (p >= len)
			return -1;
		p++;
	}
	return p + 20 <= len ? (int)p : -1;
}

/* The apex SOA's rdata of z, or NULL. */
static const uint8_t *
szone_soa_rdata(const struct szone *z, uint16_t *len)
{
	const struct szone_node *n = szone_lookup(z, &z->apex);
	const struct szone_rrset *rs = n != NULL ? szone_rrset(z, n, RR_SOA) :
	    NULL;

	return rs != NULL ? szone_rdata(z, rs, 0, len) : NULL;
}

/* The same SOA but for its serial? */
static bool
szone_soa_same(const struct szone *a, const struct szone *b)
{
	uint16_t la, lb;
	const uint8_t *x = szone_soa_rdata(a, &la), *y = szone_soa_rdata(b, &lb);
	int o = x != NULL ? journal_soa_serial_off(x, la) : -1;

	return o >= 0 && y != NULL && la == lb && memcmp(x, y, (size_t)o) == 0 &&
	    memcmp(x + o + 4, y + o + 4, la - (size_t)o - 4) == 0;
}

/* Every record of z, the apex SOA aside, into s. */
static void
szone_recs(const struct szone *z, struct rset *s)
{
	struct dname owner;

	for (uint32_t k = 0; k < z->n_nodes; k++) {
		const struct szone_node *nd = &z->nodes[k];

		szone_name(z, nd, &owner);
		for (uint32_t i = 0; i < nd->n_rrsets; i++) {
			const struct szone_rrset *rs =
			    &z->rrsets[nd->first_rrset + i];

			if (rs->type == RR_SOA && dname_equal(&owner, &z->apex))
				continue;
			for (uint16_t j = 0; j < rs->n; j++) {
				uint16_t len;
				const uint8_t *rd = szone_rdata(z, rs, j, &len);

				rset_rec(s, owner.data, owner.len, rs->type,
				    szone_ttl(z, rs, j), rd, len);
			}
		}
	}
}

struct journal *
journal_next_szone(const struct szone *prev, const struct szone *next,
    unsigned max_steps, size_t max_bytes)
{
	struct rset a = { 0 }, b = { 0 };
	struct runs o = { 0 };

	if (max_steps == 0 || prev == NULL || next == NULL)
		return NULL;
	if (prev->serial == next->serial)
		return journal_ref(prev->journal);
	if (!dname_equal(&prev->apex, &next->apex) ||
	    !szone_soa_same(prev, next))
		return NULL;
	o.d = jdiff_new(prev->serial, next->serial);
	szone_recs(prev, &a);
	szone_recs(next, &b);
	rset_sort(&a, -1);
	rset_sort(&b, 1);
	merge(&a, &b, &o);
	rset_free(&a);
	rset_free(&b);
	if (step_bytes(o.d) > max_bytes) {
		jdiff_unref(o.d);
		return NULL;
	}
	return chain(prev->journal, prev->serial, o.d, max_steps, max_bytes);
}

bool
jdiff_read(const uint8_t *run, size_t len, size_t *pos, struct jrec *r)
{
	size_t p = *pos;
	uint8_t olen;

	if (p >= len)
		return false;
	olen = run[p++];
	if (olen == 0 || len - p < (size_t)olen + 8)
		return false;
	r->owner.len = olen;
	memcpy(r->owner.data, run + p, olen);
	p += olen;
	r->type = (uint16_t)(run[p] << 8 | run[p + 1]);
	r->ttl = (uint32_t)run[p + 2] << 24 | (uint32_t)run[p + 3] << 16 |
	    (uint32_t)run[p + 4] << 8 | run[p + 5];
	r->rdlen = (uint16_t)(run[p + 6] << 8 | run[p + 7]);
	p += 8;
	if (len - p < r->rdlen)
		return false;
	r->rdata = run + p;
	*pos = p + r->rdlen;
	return true;
}

/* A run's records into s, each signed. */
static void
run_refs(struct rset *s, const uint8_t *run, size_t len, int sign)
{
	size_t pos = 0, start;
	struct jrec r;

	for (start = pos; jdiff_read(run, len, &pos, &r); start = pos) {
		if (s->n == s->cap_v) {
			s->cap_v = s->cap_v * 2 + 64;
			s->v = xrealloc(s->v, s->cap_v * sizeof(*s->v));
		}
		s->v[s->n].p = run + start;
		s->v[s->n].len = (uint32_t)(pos - start);
		s->v[s->n].sign = sign;
		s->n++;
	}
}

struct jdiff *
journal_since(const struct journal *j, uint32_t from)
{
	struct rset s = { 0 };
	struct runs o = { 0 };
	uint32_t i;

	if (j == NULL)
		return NULL;
	for (i = 0; i < j->n && j->steps[i]->from != from; i++)
		;
	if (i == j->n)
		return NULL;
	if (i == j->n - 1) {
		atomic_fetch_add_explicit(&j->steps[i]->refs, 1,
		    memory_order_relaxed);
		return j->steps[i];
	}
	for (uint32_t k = i; k < j->n; k++) {
		run_refs(&s, j->steps[k]->del, j->steps[k]->del_len, -1);
		run_refs(&s, j->steps[k]->add, j->steps[k]->add_len, 1);
	}
	/* Each record's net change: a record is deleted only while held
	 * and added only while not, so it is -1, 0 or 1. */
	qsort(s.v, s.n, sizeof(*s.v), cmp_rref);
	o.d = jdiff_new(from, j->steps[j->n - 1]->to);
	for (uint32_t a = 0, b; a < s.n; a = b) {
		int net = 0;

		for (b = a; b < s.n && cmp_rref(&s.v[a], &s.v[b]) == 0; b++)
			net += s.v[b].sign;
		if (net < 0)
			out_del(&o, &s.v[a]);
		else if (net > 0)
			out_add(&o, &s.v[a]);
	}
	free(s.v);
	return o.d;
}
