/* szone.c - a static zone and its builder (see szone.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/rr.h"
#include "util/arena.h"
#include "zone/journal.h"
#include "zone/szone.h"

/* A record as added: its owner's node, where it came from. */
struct brr {
	uint32_t node;
	uint16_t type, len;
	uint32_t ttl;
	uint32_t off;		/* rdata in the builder's bytes */
	uint64_t line;
	uint32_t seq;		/* its place among all the adds */
};

struct bnode {
	uint32_t name_off;
	uint8_t name_len;
	uint32_t hash;
};

struct szone_builder {
	struct dname apex;
	uint32_t max_records;
	char *file;
	struct bnode *nodes;
	uint32_t n_nodes, cap_nodes;
	uint32_t *index;
	uint32_t mask;
	struct brr *rrs;
	uint32_t n_rrs, cap_rrs;
	uint8_t *bytes;
	size_t n_bytes, cap_bytes;
	bool dnssec;
	bool soa_optional;
};

static void
errf(char *err, size_t len, const char *file, uint64_t line,
    const char *why, const struct dname *name)
{
	char text[DNAME_TEXT_MAX];

	if (name == NULL || dname_to_text(name, text, sizeof(text)) < 0)
		text[0] = '\0';
	if (line > 0)
		snprintf(err, len, "%s:%llu: %s%s%s", file,
		    (unsigned long long)line, why, text[0] ? ": " : "", text);
	else
		snprintf(err, len, "%s: %s%s%s", file, why, text[0] ? ": " :
		    "", text);
}

static uint32_t
put_bytes(struct szone_builder *b, const void *p, size_t n)
{
	uint32_t off;

	if (b->n_bytes + n > b->cap_bytes) {
		while (b->n_bytes + n > b->cap_bytes)
			b->cap_bytes = b->cap_bytes ? b->cap_bytes * 2 : 4096;
		b->bytes = xrealloc(b->bytes, b->cap_bytes);
	}
	off = (uint32_t)b->n_bytes;
	if (n > 0)
		memcpy(b->bytes + off, p, n);
	b->n_bytes += n;
	return off;
}

struct szone_builder *
szone_builder_new(const struct dname *apex, uint32_t max_records,
    const char *file)
{
	struct szone_builder *b = xcalloc(1, sizeof(*b));

	b->apex = *apex;
	dname_lower(&b->apex);
	b->max_records = max_records;
	b->file = xstrdup(file != NULL ? file : "(zone)");
	b->mask = 63;
	b->index = xcalloc(b->mask + 1, sizeof(uint32_t));
	return b;
}

void
szone_builder_free(struct szone_builder *b)
{
	if (b == NULL)
		return;
	free(b->file);
	free(b->nodes);
	free(b->index);
	free(b->rrs);
	free(b->bytes);
	free(b);
}

static uint32_t
find(const uint32_t *index, uint32_t mask, const struct bnode *nodes,
    const uint8_t *bytes, const uint8_t *name, uint8_t len, uint32_t h,
    uint32_t *slot)
{
	uint32_t s = h & mask;

	for (; index[s] != 0; s = (s + 1) & mask) {
		const struct bnode *n = &nodes[index[s] - 1];

		if (n->hash == h && n->name_len == len &&
		    memcmp(bytes + n->name_off, name, len) == 0)
			return index[s] - 1;
	}
	*slot = s;
	return UINT32_MAX;
}

static void
grow_index(struct szone_builder *b)
{
	uint32_t mask = b->mask * 2 + 1;
	uint32_t *v = xcalloc((size_t)mask + 1, sizeof(uint32_t));

	for (uint32_t i = 0; i < b->n_nodes; i++) {
		uint32_t s = b->nodes[i].hash & mask;

		while (v[s] != 0)
			s = (s + 1) & mask;
		v[s] = i + 1;
	}
	free(b->index);
	b->index = v;
	b->mask = mask;
}

/* The node of a lower-case name, made when missing. */
static uint32_t
node_get(struct szone_builder *b, const uint8_t *name, uint8_t len,
    bool *fresh)
{
	uint32_t h = dname_hash(name, len), s = 0;
	uint32_t id = find(b->index, b->mask, b->nodes, b->bytes, name, len, h,
	    &s);
	struct bnode *n;

	*fresh = id == UINT32_MAX;
	if (id != UINT32_MAX)
		return id;
	if (b->n_nodes == b->cap_nodes) {
		b->cap_nodes = b->cap_nodes ? b->cap_nodes * 2 : 64;
		b->nodes = xrealloc(b->nodes, (size_t)b->cap_nodes *
		    sizeof(*b->nodes));
	}
	n = &b->nodes[b->n_nodes];
	n->name_off = put_bytes(b, name, len);
	n->name_len = len;
	n->hash = h;
	b->index[s] = ++b->n_nodes;
	if (b->n_nodes * 2 > b->mask)
		grow_index(b);
	return b->n_nodes - 1;
}

/* The owner's node and its ancestors' down to the apex. */
static uint32_t
owner_node(struct szone_builder *b, const struct dname *owner)
{
	unsigned extra = dname_labels(owner) - dname_labels(&b->apex);
	bool fresh;
	uint32_t id = node_get(b, owner->data, owner->len, &fresh);

	for (unsigned i = 1; i <= extra && fresh; i++) {
		size_t off = dname_suffix_off(owner, i);

		(void)node_get(b, owner->data + off,
		    (uint8_t)(owner->len - off), &fresh);
	}
	return id;
}

static bool
dnssec_type(uint16_t t)
{
	return t == RR_DS || t == RR_RRSIG || t == RR_NSEC ||
	    t == RR_DNSKEY || t == RR_NSEC3 || t == RR_NSEC3PARAM;
}

int
szone_add(struct szone_builder *b, const struct dname *owner,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen,
    const char *file, uint64_t line, char *err, size_t errlen)
{
	struct dname low = *owner;
	struct brr *r;

	dname_lower(&low);
	if (!dname_is_subdomain(&low, &b->apex)) {
		errf(err, errlen, file, line, "out of the zone", owner);
		return -1;
	}
	if (type == RR_SOA && !dname_equal(&low, &b->apex)) {
		errf(err, errlen, file, line, "an SOA below the apex", owner);
		return -1;
	}
	if (b->max_records != 0 && b->n_rrs >= b->max_records) {
		char why[96];

		snprintf(why, sizeof(why), "more than %u records "
		    "(zoneMaxRecords)", b->max_records);
		errf(err, errlen, file, line, why, NULL);
		return -1;
	}
	if (b->n_rrs == b->cap_rrs) {
		b->cap_rrs = b->cap_rrs ? b->cap_rrs * 2 : 64;
		b->rrs = xrealloc(b->rrs, (size_t)b->cap_rrs * sizeof(*b->rrs));
	}
	r = &b->rrs[b->n_rrs++];
	r->node = owner_node(b, &low);
	r->type = type;
	r->len = rdlen;
	r->ttl = ttl;
	r->off = put_bytes(b, rdata, rdlen);
	r->line = line;
	r->seq = b->n_rrs - 1;
	if (dnssec_type(type))
		b->dnssec = true;
	return 0;
}

static int
rr_cmp(const void *pa, const void *pb)
{
	const struct brr *a = pa, *b = pb;

	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* What may stand beside a CNAME (RFC 2181 10.1, RFC 4035 2.5). */
static bool
cname_companion(uint16_t t)
{
	return t == RR_CNAME || t == RR_RRSIG || t == RR_NSEC;
}

/* Rules over one node's records (sorted by type): a CNAME alone, one
 * CNAME, one SOA. */
static int
check_node(const struct szone_builder *b, const struct brr *v, uint32_t n,
    char *err, size_t errlen)
{
	struct dname name;
	const struct bnode *nd = &b->nodes[v[0].node];
	uint32_t cnames = 0, soas = 0, other = 0;
	uint64_t line = 0;

	name.len = nd->name_len;
	memcpy(name.data, b->bytes + nd->name_off, nd->name_len);
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].type == RR_CNAME) {
			cnames++;
			if (line == 0 || v[i].line > line)
				line = v[i].line;
		} else if (v[i].type == RR_SOA) {
			soas++;
		}
		if (!cname_companion(v[i].type)) {
			other++;
			if (v[i].line > line)
				line = v[i].line;
		}
	}
	if (cnames > 1) {
		errf(err, errlen, b->file, line, "more than one CNAME", &name);
		return -1;
	}
	if (cnames > 0 && other > 0) {
		errf(err, errlen, b->file, line, "a CNAME and other data",
		    &name);
		return -1;
	}
	if (soas > 1) {
		errf(err, errlen, b->file, 0, "more than one SOA", &name);
		return -1;
	}
	return 0;
}

static bool
same_rdata(const struct szone_builder *b, const struct brr *x,
    const struct brr *y)
{
	return x->len == y->len && memcmp(b->bytes + x->off, b->bytes + y->off,
	    x->len) == 0;
}

/* Each node's rrsets in the order the file first gives them (line[k]:
 * rrset k's first line), which is the one an ANY answer gives, as NSD. */
static void
file_order(struct szone *z, uint32_t n_nodes, uint64_t *line)
{
	for (uint32_t k = 0; k < n_nodes; k++) {
		struct szone_rrset *v = z->rrsets + z->nodes[k].first_rrset;
		uint64_t *l = line + z->nodes[k].first_rrset;

		for (uint16_t i = 1; i < z->nodes[k].n_rrsets; i++) {
			struct szone_rrset x = v[i];
			uint64_t xl = l[i];
			uint16_t j = i;

			for (; j > 0 && l[j - 1] > xl; j--) {
				v[j] = v[j - 1];
				l[j] = l[j - 1];
			}
			v[j] = x;
			l[j] = xl;
		}
	}
}

/* The sorted records into z's nodes, rrsets and rdata (duplicates
 * dropped). */
static void
freeze(struct szone_builder *b, struct szone *z)
{
	uint32_t nr = 0, ns = 0, i = 0;
	uint64_t *line = xcalloc(b->n_rrs ? b->n_rrs : 1, sizeof(uint64_t));

	z->nodes = xcalloc(b->n_nodes ? b->n_nodes : 1, sizeof(*z->nodes));
	z->rrsets = xcalloc(b->n_rrs ? b->n_rrs : 1, sizeof(*z->rrsets));
	z->rdata = xcalloc(b->n_rrs ? b->n_rrs : 1, sizeof(*z->rdata));
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		z->nodes[k].name_off = b->nodes[k].name_off;
		z->nodes[k].name_len = b->nodes[k].name_len;
		z->nodes[k].hash = b->nodes[k].hash;
	}
	while (i < b->n_rrs) {
		const struct brr *r = &b->rrs[i];
		struct szone_node *nd = &z->nodes[r->node];
		struct szone_rrset *rs = &z->rrsets[ns];
		uint32_t j;

		if (nd->n_rrsets == 0)
			nd->first_rrset = ns;
		nd->n_rrsets++;
		ns++;
		rs->type = r->type;
		rs->first = nr;
		line[ns - 1] = r->seq;
		for (j = i; j < b->n_rrs && b->rrs[j].node == r->node &&
		    b->rrs[j].type == r->type; j++) {
			bool dup = false;

			for (uint32_t k = i; k < j && !dup; k++)
				dup = same_rdata(b, &b->rrs[k], &b->rrs[j]);
			if (dup || rs->n == UINT16_MAX)
				continue;
			z->rdata[nr].off = b->rrs[j].off;
			z->rdata[nr].len = b->rrs[j].len;
			z->rdata[nr].ttl = b->rrs[j].ttl;
			nr++;
			rs->n++;
		}
		if (r->type == RR_NS && !(r->node < b->n_nodes &&
		    b->nodes[r->node].name_len == b->apex.len &&
		    memcmp(b->bytes + b->nodes[r->node].name_off,
		    b->apex.data, b->apex.len) == 0))
			nd->flags |= SZ_CUT;
		i = j;
	}
	z->n_records = nr;
	file_order(z, b->n_nodes, line);
	free(line);
}

struct szone *
szone_finish(struct szone_builder *b, char *err, size_t errlen)
{
	struct szone *z;
	const struct szone_node *apex;
	const struct szone_rrset *soa;

	if (b->n_rrs > 1)
		qsort(b->rrs, b->n_rrs, sizeof(*b->rrs), rr_cmp);
	for (uint32_t i = 0, j; i < b->n_rrs; i = j) {
		for (j = i + 1; j < b->n_rrs && b->rrs[j].node ==
		    b->rrs[i].node; j++)
			;
		if (check_node(b, b->rrs + i, j - i, err, errlen) != 0) {
			szone_builder_free(b);
			return NULL;
		}
	}
	z = xcalloc(1, sizeof(*z));
	atomic_init(&z->refs, 1);
	z->apex = b->apex;
	z->dnssec = b->dnssec;
	freeze(b, z);
	z->n_nodes = b->n_nodes;
	z->index = b->index;
	z->mask = b->mask;
	z->bytes = b->bytes;
	b->index = NULL;
	b->bytes = NULL;
	apex = szone_lookup(z, &z->apex);
	soa = apex != NULL ? szone_rrset(z, apex, RR_SOA) : NULL;
	if (soa == NULL && !b->soa_optional) {
		errf(err, errlen, b->file, 0, "no SOA at the apex", &b->apex);
		szone_builder_free(b);
		szone_unref(z);
		return NULL;
	}
	if (soa != NULL && soa->n > 0) {
		uint16_t len;
		const uint8_t *rd = szone_rdata(z, soa, 0, &len);

		/* MNAME, RNAME, then the serial (RFC 1035 3.3.13). */
		for (unsigned k = 0, pos = 0; k < 2 && pos < len; k++) {
			while (pos < len && rd[pos] != 0)
				pos += rd[pos] + 1u;
			pos++;
			if (k == 1 && pos + 20 <= len)
				z->serial = (uint32_t)rd[pos] << 24 |
				    (uint32_t)rd[pos + 1] << 16 |
				    (uint32_t)rd[pos + 2] << 8 | rd[pos + 3];
		}
	}
	szone_builder_free(b);
	return z;
}

void
szone_builder_soa_optional(struct szone_builder *b)
{
	b->soa_optional = true;
}

struct szone *
szone_ref(struct szone *z)
{
	if (z != NULL)
		atomic_fetch_add_explicit(&z->refs, 1, memory_order_relaxed);
	return z;
}

void
szone_unref(struct szone *z)
{
	if (z == NULL || atomic_fetch_sub_explicit(&z->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	free(z->nodes);
	free(z->index);
	free(z->rrsets);
	free(z->rdata);
	free(z->bytes);
	journal_unref(z->journal);
	free(z);
}

const struct szone_node *
szone_lookup(const struct szone *z, const struct dname *lower)
{
	uint32_t h = dname_hash(lower->data, lower->len);

	for (uint32_t s = h & z->mask; z->index[s] != 0; s = (s + 1) &
	    z->mask) {
		const struct szone_node *n = &z->nodes[z->index[s] - 1];

		if (n->hash == h && n->name_len == lower->len &&
		    memcmp(z->bytes + n->name_off, lower->data, lower->len) ==
		    0)
			return n;
	}
	return NULL;
}

const struct szone_rrset *
szone_rrset(const struct szone *z, const struct szone_node *n,
    uint16_t type)
{
	for (uint16_t i = 0; i < n->n_rrsets; i++)
		if (z->rrsets[n->first_rrset + i].type == type)
			return &z->rrsets[n->first_rrset + i];
	return NULL;
}

const uint8_t *
szone_rdata(const struct szone *z, const struct szone_rrset *rs, uint16_t i,
    uint16_t *len)
{
	const struct szone_rdata *d = &z->rdata[rs->first + i];

	*len = d->len;
	return z->bytes + d->off;
}

uint32_t
szone_ttl(const struct szone *z, const struct szone_rrset *rs, uint16_t i)
{
	return z->rdata[rs->first + i].ttl;
}

void
szone_name(const struct szone *z, const struct szone_node *n,
    struct dname *out)
{
	out->len = n->name_len;
	memcpy(out->data, z->bytes + n->name_off, n->name_len);
}

int
szone_rdata_name(uint16_t type, const uint8_t *rd, uint16_t len,
    struct dname *out)
{
	size_t pos, start;

	switch (type) {
	case RR_NS:
	case RR_CNAME:
	case RR_DNAME:
	case RR_PTR:
		start = 0;
		break;
	case RR_MX:
		start = 2;
		break;
	case RR_SRV:
		start = 6;
		break;
	default:
		return -1;
	}
	pos = start;
	while (pos < len && rd[pos] != 0) {
		if (rd[pos] > DNAME_LABEL_MAX)
			return -1;
		pos += (size_t)rd[pos] + 1;
	}
	if (pos >= len || pos + 1 - start > DNAME_MAX)
		return -1;
	out->len = (uint8_t)(pos + 1 - start);
	memcpy(out->data, rd + start, out->len);
	dname_lower(out);
	return 0;
}

uint32_t
szone_negative_ttl(const struct szone *z)
{
	const struct szone_node *apex = szone_lookup(z, &z->apex);
	const struct szone_rrset *soa = apex != NULL ? szone_rrset(z, apex,
	    RR_SOA) : NULL;
	uint16_t len;
	const uint8_t *rd;
	uint32_t min;

	uint32_t ttl;

	if (soa == NULL || soa->n == 0)
		return 0;
	rd = szone_rdata(z, soa, 0, &len);
	ttl = szone_ttl(z, soa, 0);
	if (len < 4)
		return ttl;
	min = (uint32_t)rd[len - 4] << 24 | (uint32_t)rd[len - 3] << 16 |
	    (uint32_t)rd[len - 2] << 8 | rd[len - 1];
	return min < ttl ? min : ttl;
}
