/* sanswer.c - answers from a static zone (see sanswer.h). */
#include <string.h>

#include "dns/rr.h"
#include "zone/sanswer.h"

/* CNAMEs followed for one query: a loop or a long chain ends there. */
#define MAX_CHAIN 8
/* Names given addresses in additional, at most, for one rrset. */
#define MAX_GLUE 32
/* put_rrset_ttl: keep each record's TTL. */
#define NO_TTL UINT32_MAX

struct sctx {
	struct msg_builder *b;
	const struct szone *z;
	const struct msg_query *q;
	bool set_tc;
	bool full;		/* an answer or authority rrset did not fit */
	/* The query's data was found (not a referral, a negative answer,
	 * nor a CNAME leaving the zone), and it is not the apex's NS: the
	 * apex NS then go in authority, as NSD does. */
	bool positive, apex_ns;
	bool child_apex;	/* the query's name is a child zone's apex */
	bool overlay;		/* SANSWER_OVERLAY */
	struct dname *next;	/* a CNAME target outside the zone */
	/* The answer rrset whose targets get addresses in additional, once
	 * authority is written. */
	const struct szone_rrset *more;
	/* Address rrsets written so far (names and types), so that none
	 * goes out twice. */
	struct {
		struct dname name;
		uint16_t type;
	} addr[MAX_GLUE * 2];
	unsigned n_addr;
};

/* Whether the address rrset (name, type) is written already; noted as
 * written when not. */
static bool
addr_seen(struct sctx *c, const struct dname *name, uint16_t type)
{
	for (unsigned i = 0; i < c->n_addr; i++)
		if (c->addr[i].type == type && dname_equal(&c->addr[i].name,
		    name))
			return true;
	if (c->n_addr < sizeof(c->addr) / sizeof(c->addr[0])) {
		c->addr[c->n_addr].name = *name;
		dname_lower(&c->addr[c->n_addr].name);
		c->addr[c->n_addr++].type = type;
	}
	return false;
}

static void
truncated(struct sctx *c)
{
	c->full = true;
	if (c->set_tc)
		message_set_tc(c->b);
}

/* A whole rrset into sec, or nothing (false) when it does not fit;
 * ttl0 (not NO_TTL) replaces the TTL (the negative SOA's). */
static bool
put_rrset_ttl(struct sctx *c, enum msg_section sec,
    const struct dname *owner, const struct szone_rrset *rs, uint32_t ttl0)
{
	size_t mark = wire_mark(&c->b->w);
	uint16_t count = c->b->count[sec];
	unsigned n_comp = c->b->n_comp;

	for (uint16_t i = 0; i < rs->n; i++) {
		uint16_t len;
		const uint8_t *rd = szone_rdata(c->z, rs, i, &len);

		uint32_t ttl = ttl0 != NO_TTL ? ttl0 : szone_ttl(c->z, rs, i);

		if (message_put_rr(c->b, sec, owner, rs->type, ttl, rd,
		    len) != 0) {
			wire_rewind(&c->b->w, mark);
			c->b->count[sec] = count;
			c->b->n_comp = n_comp;
			return false;
		}
	}
	return true;
}

static bool
put_rrset(struct sctx *c, enum msg_section sec, const struct dname *owner,
    const struct szone_rrset *rs)
{
	return put_rrset_ttl(c, sec, owner, rs, NO_TTL);
}

static void
put_soa(struct sctx *c)
{
	const struct szone_node *apex = szone_lookup(c->z, &c->z->apex);
	const struct szone_rrset *soa = apex != NULL ? szone_rrset(c->z, apex,
	    RR_SOA) : NULL;
	struct szone_rrset neg;

	if (soa == NULL)
		return;		/* a Mesos-domain file may have none */
	neg = *soa;

	neg.n = 1;
	if (!put_rrset_ttl(c, SEC_AUTHORITY, &c->z->apex, &neg,
	    szone_negative_ttl(c->z)))
		truncated(c);
}

/* A and AAAA of the names rs's records point to, where the zone holds
 * them, in additional (which never sets TC, RFC 2181 9). */
static void
additional(struct sctx *c, const struct szone_rrset *rs)
{
	static const uint16_t types[2] = { RR_A, RR_AAAA };
	struct dname seen[MAX_GLUE];
	unsigned n_seen = 0;

	for (uint16_t i = 0; i < rs->n && n_seen < MAX_GLUE; i++) {
		uint16_t len;
		const uint8_t *rd = szone_rdata(c->z, rs, i, &len);
		const struct szone_node *tn;
		struct dname t;
		bool dup = false;

		if (szone_rdata_name(rs->type, rd, len, &t) != 0 ||
		    !dname_is_subdomain(&t, &c->z->apex))
			continue;
		for (unsigned k = 0; k < n_seen && !dup; k++)
			dup = dname_equal(&seen[k], &t);
		if (dup || (tn = szone_lookup(c->z, &t)) == NULL)
			continue;
		seen[n_seen++] = t;
		for (int k = 0; k < 2; k++) {
			const struct szone_rrset *g = szone_rrset(c->z, tn,
			    types[k]);

			if (g == NULL || addr_seen(c, &t, types[k]))
				continue;
			if (!put_rrset(c, SEC_ADDITIONAL, &t, g))
				return;
		}
	}
}

static bool
wants_additional(uint16_t type)
{
	return type == RR_NS || type == RR_MX || type == RR_SRV;
}

/* name with strip labels taken off its front into out; where that
 * suffix starts in name. */
static size_t
suffix(const struct dname *name, unsigned strip, struct dname *out)
{
	size_t off = dname_suffix_off(name, strip);

	out->len = (uint8_t)(name->len - off);
	memcpy(out->data, name->data + off, out->len);
	return off;
}

/* The cut at or above name (below the apex), or NULL: the delegation a
 * name under it is referred to.  A DS query for the cut itself is the
 * parent's to answer. */
static const struct szone_node *
find_cut(const struct sctx *c, const struct dname *name)
{
	unsigned extra = dname_labels(name) - dname_labels(&c->z->apex);

	for (unsigned i = extra; i-- > 0;) {
		struct dname a;
		const struct szone_node *n;

		(void)suffix(name, i, &a);
		n = szone_lookup(c->z, &a);
		if (n == NULL)
			return NULL;
		if ((n->flags & SZ_CUT) && !(i == 0 && c->q->qtype == RR_DS))
			return n;
	}
	return NULL;
}

/* A DNAME at a proper ancestor of name (the apex included), above any
 * cut, or NULL (RFC 6672 3.2).  *at: where its owner starts in name. */
static const struct szone_node *
find_dname(const struct sctx *c, const struct dname *name, size_t *at)
{
	unsigned extra = dname_labels(name) - dname_labels(&c->z->apex);

	for (unsigned i = extra + 1; i-- > 1;) {
		struct dname a;
		size_t off = suffix(name, i, &a);
		const struct szone_node *n;

		n = szone_lookup(c->z, &a);
		if (n == NULL || (i < extra && (n->flags & SZ_CUT)))
			return NULL;
		if (szone_rrset(c->z, n, RR_DNAME) != NULL) {
			*at = off;
			return n;
		}
	}
	return NULL;
}

static void resolve(struct sctx *c, const struct dname *name,
    const struct dname *owner, unsigned depth);

/* Name under the DNAME at node d (its owner at offset at of name): the
 * DNAME, the CNAME it synthesizes to the name it maps to, and that name
 * followed (RFC 6672 3.2); YXDOMAIN when the new name is too long. */
static void
synthesize(struct sctx *c, const struct szone_node *d, const struct dname *name,
    size_t at, const struct dname *owner, unsigned depth)
{
	const struct szone_rrset *rs = szone_rrset(c->z, d, RR_DNAME);
	struct dname dn, target, nn;
	uint16_t len;
	const uint8_t *rd = szone_rdata(c->z, rs, 0, &len);

	szone_name(c->z, d, &dn);
	if (!put_rrset(c, SEC_ANSWER, &dn, rs)) {
		truncated(c);
		return;
	}
	if (szone_rdata_name(RR_DNAME, rd, len, &target) != 0)
		return;
	if (at + target.len > DNAME_MAX) {
		message_set_rcode(c->b, RCODE_YXDOMAIN);
		return;
	}
	memcpy(nn.data, name->data, at);
	memcpy(nn.data + at, target.data, target.len);
	nn.len = (uint8_t)(at + target.len);
	if (message_put_rr(c->b, SEC_ANSWER, owner, RR_CNAME,
	    szone_ttl(c->z, rs, 0), nn.data, nn.len) != 0) {
		truncated(c);
		return;
	}
	if (c->q->qtype == RR_CNAME || depth + 1 >= MAX_CHAIN)
		return;
	if (dname_is_subdomain(&nn, &c->z->apex))
		resolve(c, &nn, &nn, depth + 1);
	else
		*c->next = nn;
}

static void
referral(struct sctx *c, const struct szone_node *cut)
{
	const struct szone_rrset *ns = szone_rrset(c->z, cut, RR_NS);
	struct dname owner;

	if (c->b->count[SEC_ANSWER] == 0)
		message_set_aa(c->b, false);
	szone_name(c->z, cut, &owner);
	if (!put_rrset(c, SEC_AUTHORITY, &owner, ns)) {
		truncated(c);
		return;
	}
	additional(c, ns);
}

/* The closest encloser's wildcard of name, or NULL (RFC 4592 3.3.1). */
static const struct szone_node *
wildcard(const struct sctx *c, const struct dname *name)
{
	unsigned extra = dname_labels(name) - dname_labels(&c->z->apex);

	for (unsigned i = 1; i <= extra; i++) {
		struct dname ce, w;

		(void)suffix(name, i, &ce);
		if (szone_lookup(c->z, &ce) == NULL)
			continue;
		if ((size_t)ce.len + 2 > DNAME_MAX)
			return NULL;
		w.data[0] = 1;
		w.data[1] = '*';
		memcpy(w.data + 2, ce.data, ce.len);
		w.len = (uint8_t)(ce.len + 2);
		return szone_lookup(c->z, &w);
	}
	return NULL;
}


/* ANY: one rrset, the first the file gives at the name, and nothing in
 * authority or additional (as NSD; RFC 8482 4.1 allows a subset). */
static void
answer_any(struct sctx *c, const struct szone_node *n,
    const struct dname *owner)
{
	const struct szone_rrset *rs = &c->z->rrsets[n->first_rrset];

	if (n->n_rrsets == 0) {
		put_soa(c);
		return;
	}
	if (!put_rrset(c, SEC_ANSWER, owner, rs))
		truncated(c);
	else if (wants_additional(rs->type))
		c->more = rs;
}

/* The answer at node n (the name's own, or its wildcard's), written
 * under owner. */
static void
at_node(struct sctx *c, const struct szone_node *n,
    const struct dname *owner, unsigned depth)
{
	uint16_t qtype = c->q->qtype;
	const struct szone_rrset *rs;

	if (qtype == RR_ANY) {
		answer_any(c, n, owner);
		return;
	}
	rs = szone_rrset(c->z, n, RR_CNAME);
	if (rs != NULL && qtype != RR_CNAME) {
		struct dname target;
		uint16_t len;
		const uint8_t *rd = szone_rdata(c->z, rs, 0, &len);

		if (!put_rrset(c, SEC_ANSWER, owner, rs)) {
			truncated(c);
			return;
		}
		if (szone_rdata_name(RR_CNAME, rd, len, &target) != 0 ||
		    depth + 1 >= MAX_CHAIN)
			return;
		if (dname_is_subdomain(&target, &c->z->apex))
			resolve(c, &target, &target, depth + 1);
		else
			*c->next = target;
		return;
	}
	rs = qtype == RR_CNAME ? rs : szone_rrset(c->z, n, qtype);
	if (rs == NULL && c->overlay && depth > 0) {
		*c->next = *owner;	/* the generated zone may have it */
		return;
	}
	if (rs == NULL) {
		put_soa(c);
		return;
	}
	if (!put_rrset(c, SEC_ANSWER, owner, rs)) {
		truncated(c);
		return;
	}
	c->positive = true;
	c->apex_ns = qtype == RR_NS && n == szone_lookup(c->z, &c->z->apex);
	if (qtype == RR_A || qtype == RR_AAAA)
		(void)addr_seen(c, owner, qtype);
	if (wants_additional(qtype))
		c->more = rs;
}

/* After a positive answer: the apex NS in authority, their addresses in
 * additional; dropped quietly when they do not fit. */
static void
apex_authority(struct sctx *c)
{
	const struct szone_node *apex = szone_lookup(c->z, &c->z->apex);
	const struct szone_rrset *ns = apex != NULL ? szone_rrset(c->z, apex,
	    RR_NS) : NULL;

	if (ns != NULL && !put_rrset(c, SEC_AUTHORITY, &c->z->apex, ns))
		ns = NULL;
	if (c->more != NULL)
		additional(c, c->more);
	if (ns != NULL)
		additional(c, ns);
}

/* name (lower case, in the zone) answered under owner: a referral, the
 * name's node, its wildcard, or NXDOMAIN. */
static void
resolve(struct sctx *c, const struct dname *name, const struct dname *owner,
    unsigned depth)
{
	const struct szone_node *n = find_cut(c, name);
	size_t at;

	if (n != NULL) {
		referral(c, n);
		return;
	}
	n = find_dname(c, name, &at);
	if (n != NULL) {
		synthesize(c, n, name, at, owner, depth);
		return;
	}
	n = szone_lookup(c->z, name);
	if (n == NULL && c->child_apex && depth == 0) {
		put_soa(c);	/* NODATA: the child's apex exists */
		return;
	}
	if (n == NULL)
		n = wildcard(c, name);
	if (n == NULL && c->overlay && depth > 0) {
		*c->next = *name;	/* the generated zone's, perhaps */
		return;
	}
	if (n != NULL) {
		at_node(c, n, owner, depth);
		return;
	}
	message_set_rcode(c->b, RCODE_NXDOMAIN);
	put_soa(c);
}

static void
ctx_init(struct sctx *c, struct msg_builder *b, const struct szone *z,
    const struct msg_query *q, bool set_tc, struct dname *next)
{
	next->len = 0;
	memset(c, 0, sizeof(*c));
	c->b = b;
	c->z = z;
	c->q = q;
	c->set_tc = set_tc;
	c->next = next;
}

void
sanswer(struct msg_builder *b, const struct szone *z,
    const struct msg_query *q, const struct dname *lower, bool set_tc,
    unsigned flags, struct dname *next)
{
	struct sctx c;

	ctx_init(&c, b, z, q, set_tc, next);
	c.child_apex = (flags & SANSWER_CHILD_APEX) != 0;
	c.overlay = (flags & SANSWER_OVERLAY) != 0;
	resolve(&c, lower, &q->qname, 0);
	/* A DS answer is the parent side's data: NSD adds no NS to it. */
	if (c.positive && !c.apex_ns && !c.full && q->qtype != RR_DS &&
	    !c.overlay)
		apex_authority(&c);
	else if (c.more != NULL && !c.full)
		additional(&c, c.more);
}

void
sanswer_chain(struct msg_builder *b, const struct szone *z,
    const struct msg_query *q, const struct dname *name, bool set_tc,
    struct dname *next)
{
	struct sctx c;

	ctx_init(&c, b, z, q, set_tc, next);
	resolve(&c, name, name, 1);
	if (c.more != NULL && !c.full)
		additional(&c, c.more);
}

bool
sanswer_has(const struct szone *z, const struct msg_query *q,
    const struct dname *lower)
{
	struct sctx c;
	struct dname next;
	const struct szone_node *n;

	ctx_init(&c, NULL, z, q, false, &next);
	if (find_cut(&c, lower) != NULL)
		return true;
	n = szone_lookup(z, lower);
	if (n == NULL)
		return wildcard(&c, lower) != NULL;
	if (dname_equal(lower, &z->apex) && (q->qtype == RR_SOA ||
	    q->qtype == RR_NS || q->qtype == RR_ANY))
		return false;
	if (q->qtype == RR_ANY)
		return n->n_rrsets > 0;
	return szone_rrset(z, n, q->qtype) != NULL ||
	    szone_rrset(z, n, RR_CNAME) != NULL;
}
