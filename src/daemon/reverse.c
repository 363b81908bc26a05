/* reverse.c - the PTR set and its reverse zones (see reverse.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/reverse.h"
#include "dns/rr.h"
#include "util/arena.h"
#include "util/log.h"
#include "zone/reverse.h"

/* One (address, name) pair, with how many times the tasks' records and
 * the others' (agents, leader, masters) give it. */
struct pent {
	uint32_t hash;
	struct ipaddr ip;
	uint8_t len;
	uint8_t *name;
	int32_t tasks, others;
};

struct rptrs {
	struct pent *v;
	uint32_t mask, n, dead;	/* slots - 1, used, used with no count */
};

static uint32_t
pent_hash(const struct ipaddr *ip, const struct dname *name)
{
	uint32_t h = dname_hash(name->data, name->len);

	for (int i = 0; i < (ip->family == 4 ? 4 : 16); i++)
		h = (h ^ ip->addr[i]) * 16777619u;
	return h | 1;		/* 0 marks a free slot */
}

struct rptrs *
rptrs_new(void)
{
	struct rptrs *r = xcalloc(1, sizeof(*r));

	r->mask = 1023;
	r->v = xcalloc(r->mask + 1, sizeof(*r->v));
	return r;
}

static void
clear(struct rptrs *r)
{
	for (uint32_t i = 0; i <= r->mask; i++)
		free(r->v[i].name);
	memset(r->v, 0, ((size_t)r->mask + 1) * sizeof(*r->v));
	r->n = r->dead = 0;
}

void
rptrs_free(struct rptrs *r)
{
	if (r == NULL)
		return;
	clear(r);
	free(r->v);
	free(r);
}

/* The table rebuilt at mask, the pairs no count holds left out. */
static void
rehash(struct rptrs *r, uint32_t mask)
{
	struct pent *old = r->v;
	uint32_t omask = r->mask;

	r->v = xcalloc((size_t)mask + 1, sizeof(*r->v));
	r->mask = mask;
	r->n = r->dead = 0;
	for (uint32_t i = 0; i <= omask; i++) {
		struct pent *e = &old[i];
		uint32_t s;

		if (e->hash == 0)
			continue;
		if (e->tasks <= 0 && e->others <= 0) {
			free(e->name);
			continue;
		}
		for (s = e->hash & mask; r->v[s].hash != 0; s = (s + 1) & mask)
			;
		r->v[s] = *e;
		r->n++;
	}
	free(old);
}

static struct pent *
find(struct rptrs *r, const struct ipaddr *ip, const struct dname *name)
{
	uint32_t h = pent_hash(ip, name), s;

	for (s = h & r->mask; r->v[s].hash != 0; s = (s + 1) & r->mask) {
		struct pent *e = &r->v[s];

		if (e->hash == h && e->len == name->len &&
		    ipaddr_equal(&e->ip, ip) &&
		    memcmp(e->name, name->data, name->len) == 0)
			return e;
	}
	if ((r->n + 1) * 2 > r->mask) {
		rehash(r, r->dead * 2 > r->n ? r->mask : r->mask * 2 + 1);
		return find(r, ip, name);
	}
	r->v[s].hash = h;
	r->v[s].ip = *ip;
	r->v[s].len = name->len;
	r->v[s].name = xmalloc(name->len);
	memcpy(r->v[s].name, name->data, name->len);
	r->n++;
	r->dead++;
	return &r->v[s];
}

void
rptrs_cb(void *arg, const struct ipaddr *ip, const struct dname *name,
    int sign, bool task)
{
	struct rptrs *r = arg;
	struct pent *e;
	bool was;

	if (ip == NULL) {
		if (task) {
			clear(r);
			return;
		}
		for (uint32_t i = 0; i <= r->mask; i++)
			if (r->v[i].hash != 0 && r->v[i].others > 0) {
				r->v[i].others = 0;
				if (r->v[i].tasks <= 0)
					r->dead++;
			}
		return;
	}
	e = find(r, ip, name);
	was = e->tasks > 0 || e->others > 0;
	if (task)
		e->tasks += sign;
	else
		e->others += sign;
	if (was != (e->tasks > 0 || e->others > 0))
		r->dead += was ? 1 : (uint32_t)-1;
}

static int
by_ip(const void *pa, const void *pb)
{
	const struct pent *a = *(const struct pent *const *)pa;
	const struct pent *b = *(const struct pent *const *)pb;
	int c = (int)a->ip.family - (int)b->ip.family;

	if (c != 0)
		return c;
	c = memcmp(a->ip.addr, b->ip.addr, a->ip.family == 4 ? 4 : 16);
	if (c != 0)
		return c;
	if (a->len != b->len)
		return (int)a->len - (int)b->len;
	return memcmp(a->name, b->name, a->len);
}

/* The SOA and NS of a reverse zone, as the Mesos zone's. */
static int
apex_records(struct szone_builder *b, const struct dname *apex,
    const struct config *cfg, uint32_t serial)
{
	struct dname m, rn;
	uint8_t rd[2 * DNAME_MAX + 20];
	uint32_t v[5] = { serial, (uint32_t)cfg->soa_refresh,
	    (uint32_t)cfg->soa_retry, (uint32_t)cfg->soa_expire,
	    (uint32_t)cfg->ttl };
	size_t n = 0;
	char err[256];

	if (dname_from_text(cfg->soa_mname, strlen(cfg->soa_mname), &m) != 0 ||
	    dname_from_text(cfg->soa_rname, strlen(cfg->soa_rname), &rn) != 0)
		return -1;
	memcpy(rd, m.data, m.len);
	n = m.len;
	memcpy(rd + n, rn.data, rn.len);
	n += rn.len;
	for (int i = 0; i < 5; i++) {
		rd[n++] = (uint8_t)(v[i] >> 24);
		rd[n++] = (uint8_t)(v[i] >> 16);
		rd[n++] = (uint8_t)(v[i] >> 8);
		rd[n++] = (uint8_t)v[i];
	}
	if (szone_add(b, apex, RR_SOA, (uint32_t)cfg->ttl, rd, (uint16_t)n,
	    "reverse", 0, err, sizeof(err)) != 0 ||
	    szone_add(b, apex, RR_NS, (uint32_t)cfg->ttl, m.data, m.len,
	    "reverse", 0, err, sizeof(err)) != 0)
		return -1;
	return 0;
}

/* The apexes of cfg's reverseZones into *out: how many. */
static unsigned
apexes(const struct config *cfg, struct dname **out)
{
	unsigned n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < cfg->reverse_zones.n; i++) {
		struct dname z[REVERSE_MAX_SPLIT];
		struct ipaddr net;
		unsigned prefix;
		int k;

		if (ipaddr_parse_cidr(cfg->reverse_zones.v[i], &net,
		    &prefix) != 0 || (k = reverse_zones(&net, prefix, z)) < 0)
			continue;
		if (n + (unsigned)k > cap) {
			cap = (n + (unsigned)k) * 2;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		memcpy(*out + n, z, (size_t)k * sizeof(*z));
		n += (unsigned)k;
	}
	return n;
}

unsigned
rptrs_zones(struct rptrs *r, const struct config *cfg, uint32_t serial,
    struct szone ***out)
{
	struct dname *apex;
	unsigned n = apexes(cfg, &apex), made = 0;
	struct szone_builder **b = xcalloc(n ? n : 1, sizeof(*b));
	struct pent **live = xmalloc(((size_t)r->n + 1) * sizeof(*live));
	uint32_t k = 0, cap = (uint32_t)cfg->max_records_per_name, run = 0;
	char err[256];

	for (unsigned i = 0; i < n; i++) {
		b[i] = szone_builder_new(&apex[i], 0, "reverse");
		if (apex_records(b[i], &apex[i], cfg, serial) != 0) {
			szone_builder_free(b[i]);
			b[i] = NULL;
		}
	}
	for (uint32_t i = 0; i <= r->mask; i++)
		if (r->v[i].hash != 0 && (r->v[i].tasks > 0 ||
		    r->v[i].others > 0))
			live[k++] = &r->v[i];
	qsort(live, k, sizeof(*live), by_ip);
	for (uint32_t i = 0; i < k; i++) {
		struct dname rn;
		unsigned z;

		run = i > 0 && ipaddr_equal(&live[i]->ip, &live[i - 1]->ip) ?
		    run + 1 : 0;
		if (cap > 0 && run >= cap)
			continue;	/* maxRecordsPerName */
		reverse_name(&live[i]->ip, &rn);
		/* The longest apex that holds the name. */
		for (z = 0; z < n; z++)
			if (b[z] != NULL && dname_is_subdomain(&rn, &apex[z]))
				break;
		for (unsigned y = z + 1; z < n && y < n; y++)
			if (b[y] != NULL && dname_is_subdomain(&rn, &apex[y]) &&
			    apex[y].len > apex[z].len)
				z = y;
		if (z < n)
			(void)szone_add(b[z], &rn, RR_PTR, (uint32_t)cfg->ttl,
			    live[i]->name, live[i]->len, "reverse", 0, err,
			    sizeof(err));
	}
	free(live);
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (unsigned i = 0; i < n; i++) {
		struct szone *zn;

		if (b[i] == NULL)
			continue;
		zn = szone_finish(b[i], err, sizeof(err));
		if (zn == NULL)
			log_err("reverse zone: %s", err);
		else
			(*out)[made++] = zn;
	}
	free(b);
	free(apex);
	if (r->dead > r->n / 2 && r->dead > 1024)
		rehash(r, r->mask);
	return made;
}
