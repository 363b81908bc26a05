/* answer.c - authoritative answers from a table (see answer.h). */
#include <string.h>

#include "zone/answer.h"
#include "dns/err.h"
#include "dns/message.h"
#include "zone/sanswer.h"

/* Additional records for SRV targets: enough for any real answer, and a
 * bound on the work one query can cause. */
#define MAX_GLUE_TARGETS 64

struct ctx {
	const struct table *t;
	const struct answer_cfg *cfg;
	struct msg_builder b;
	const struct msg_query *q;
	const struct dname *owner;	/* of the answer: the question's, or
					 * a CNAME's target chased here */
	uint32_t rnd;
	bool full;		/* an answer record did not fit */
	bool tcp;
};

int
answer_put_soa(struct msg_builder *b, const struct table *t,
    enum msg_section sec, const struct dname *owner)
{
	return answer_put_soa_at(b, t, sec, owner, t->serial);
}

int
answer_put_soa_at(struct msg_builder *b, const struct table *t,
    enum msg_section sec, const struct dname *owner, uint32_t serial)
{
	const struct table_soa *s = &t->soa;
	uint32_t ttl = s->ttl < s->minimum ? s->ttl : s->minimum;
	size_t mark = message_rr_begin(b, owner, RR_SOA, ttl);

	message_put_name(b, &s->mname, true);
	message_put_name(b, &s->rname, true);
	wire_put_u32(&b->w, serial);
	wire_put_u32(&b->w, s->refresh);
	wire_put_u32(&b->w, s->retry);
	wire_put_u32(&b->w, s->expire);
	wire_put_u32(&b->w, s->minimum);
	return message_rr_end(b, mark, sec);
}

int
answer_put_ns(struct msg_builder *b, const struct table *t,
    const struct dname *owner)
{
	size_t mark = message_rr_begin(b, owner, RR_NS, t->ttl);

	message_put_name(b, &t->soa.mname, true);
	return message_rr_end(b, mark, SEC_ANSWER);
}

static int
put_soa(struct ctx *c, enum msg_section sec, const struct dname *owner)
{
	return answer_put_soa(&c->b, c->t, sec, owner);
}

static int
put_ns(struct ctx *c, const struct dname *owner)
{
	return answer_put_ns(&c->b, c->t, owner);
}

static int
put_rec(struct ctx *c, enum msg_section sec, const struct dname *owner,
    const struct table_rec *r)
{
	uint8_t buf[TABLE_RDATA_MAX];
	uint16_t len;
	const uint8_t *rd = table_rdata(c->t, r, buf, &len);

	return message_put_rr(&c->b, sec, owner, r->type, c->t->ttl, rd, len);
}

/* Put an rrset, rotated by rnd; false when one did not fit.
 *
 * A whole rrset goes out rotated.  One that does not fit goes out from its
 * first record, as many as fit: a truncated answer then carries the same
 * records every time while the rrset is the same.  Clients that use what a
 * truncated answer holds (HAProxy's SRV discovery with its default 512
 * octets) would otherwise see servers come and go with every answer. */
static bool
put_rrset(struct ctx *c, enum msg_section sec, const struct dname *owner,
    const struct table_rec *rs, uint32_t n)
{
	uint32_t start = n > 1 ? c->rnd % n : 0;
	size_t mark = wire_mark(&c->b.w);
	uint16_t count = c->b.count[sec];
	unsigned n_comp = c->b.n_comp;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (put_rec(c, sec, owner, &rs[(start + i) % n]) != 0)
			break;
	if (i == n)
		return true;
	if (start != 0) {
		wire_rewind(&c->b.w, mark);
		c->b.count[sec] = count;
		c->b.n_comp = n_comp;
		for (i = 0; i < n; i++)
			if (put_rec(c, sec, owner, &rs[i]) != 0)
				break;
	}
	return false;
}

/* The A and AAAA records of node tn (named name) in additional; false when
 * the message is full. */
static bool
put_addresses(struct ctx *c, const struct table_node *tn,
    const struct dname *name)
{
	static const uint16_t types[2] = { RR_A, RR_AAAA };

	for (int k = 0; k < 2; k++) {
		uint32_t m;
		const struct table_rec *g = table_rrset(c->t, tn, types[k],
		    &m);

		if (m > 0 && !put_rrset(c, SEC_ADDITIONAL, name, g, m))
			return false;
	}
	return true;
}

/* Glue for the apex NS (RFC 1035 3.3.11: the addresses of the name
 * server, in additional), when its name is in the zone. */
static void
ns_glue(struct ctx *c)
{
	const struct table_node *tn = table_lookup(c->t, &c->t->soa.mname);

	if (tn != NULL && tn->count > 0)
		(void)put_addresses(c, tn, &c->t->soa.mname);
}

/* A/AAAA for each SRV target we hold (RFC 2782: "the additional data
 * section ... may contain A records").  Stops quietly when full: additional
 * data never sets TC (RFC 2181 9). */
static void
srv_glue(struct ctx *c, const struct table_rec *rs, uint32_t n)
{
	/* Targets already glued: the duplicate check costs at most 64
	 * compares per record, whatever the rrset's size. */
	const struct table_node *seen[MAX_GLUE_TARGETS];
	uint32_t done = 0;

	for (uint32_t i = 0; i < n && done < MAX_GLUE_TARGETS; i++) {
		const struct table_node *tn = table_srv_target(c->t, &rs[i]);
		struct dname target;
		bool dup = false;

		/* A target without records (or outside the zone) gets none. */
		if (tn == NULL || tn->count == 0)
			continue;
		for (uint32_t k = 0; k < done && !dup; k++)
			dup = seen[k] == tn;
		if (dup)
			continue;
		seen[done++] = tn;
		target.len = tn->name_len;
		memcpy(target.data, tn->name, tn->name_len);
		if (!put_addresses(c, tn, &target))
			return;
	}
}

static void
truncated(struct ctx *c)
{
	c->full = true;
	if (c->cfg->set_truncate_bit)
		message_set_tc(&c->b);
}

static bool
answer_type(struct ctx *c, const struct table_node *node, uint16_t type,
    bool apex)
{
	const struct dname *qn = c->owner;
	const struct table_rec *rs;
	uint32_t n;

	if (apex && type == RR_SOA) {
		if (put_soa(c, SEC_ANSWER, qn) != 0)
			truncated(c);
		return true;
	}
	if (apex && type == RR_NS) {
		if (put_ns(c, qn) != 0)
			truncated(c);
		else
			ns_glue(c);
		return true;
	}
	rs = table_rrset(c->t, node, type, &n);
	if (n == 0)
		return false;
	if (!put_rrset(c, SEC_ANSWER, qn, rs, n)) {
		truncated(c);
		return true;
	}
	if (type == RR_SRV)
		srv_glue(c, rs, n);
	return true;
}

/* ANY: over TCP every rrset at the name; over UDP one (RFC 8482 4.1:
 * the SOA at the apex, else the name's first), so a 40-octet query
 * cannot draw kilobytes to a forged address. */
static bool
answer_any(struct ctx *c, const struct table_node *node, bool apex)
{
	bool any = false;

	if (!c->tcp) {
		if (apex)
			return answer_type(c, node, RR_SOA, true);
		return node->count > 0 && answer_type(c, node,
		    table_node_recs(c->t, node)[0].type, false);
	}
	if (apex) {
		any = answer_type(c, node, RR_SOA, true);
		if (!c->full)
			answer_type(c, node, RR_NS, true);
	}
	for (uint32_t i = 0; i < node->count && !c->full; i++) {
		if (put_rec(c, SEC_ANSWER, c->owner,
		    &table_node_recs(c->t, node)[i]) != 0)
			truncated(c);
		any = true;
	}
	return any;
}

static void
authoritative(struct ctx *c, const struct dname *lower)
{
	const struct table_node *node = table_lookup(c->t, lower);
	bool apex = dname_equal(lower, &c->t->apex), found;
	struct dname apex_name;

	if (node == NULL) {
		message_set_rcode(&c->b, RCODE_NXDOMAIN);
		found = false;
	} else if (c->q->qtype == RR_ANY)
		found = answer_any(c, node, apex);
	else
		found = answer_type(c, node, c->q->qtype, apex);
	if (found || c->full)
		return;
	/* NXDOMAIN or NODATA: the SOA, so resolvers can cache it (RFC 2308
	 * 3).  Compression points its owner into the question. */
	apex_name = c->t->apex;
	if (put_soa(c, SEC_AUTHORITY, &apex_name) != 0)
		truncated(c);
}

/* A static zone's CNAME chain that left its zone for another of ours:
 * followed there (a static zone, or the Mesos zone), the chain in the
 * answer, at most 8 zones. */
static void
chase(struct ctx *c, const struct zoneset *zs, struct dname *next)
{
	const struct table *t = c->t;

	for (int hop = 0; next->len > 0 && hop < 8; hop++) {
		const struct szone *sz = zoneset_find(zs, next, c->q->qtype,
		    NULL);
		bool mesos = t != NULL && t->ready &&
		    dname_is_subdomain(next, &t->apex);

		if (sz != NULL && (!mesos || sz->apex.len > t->apex.len)) {
			struct dname name = *next;

			sanswer_chain(&c->b, sz, c->q, &name,
			    c->cfg->set_truncate_bit, next);
			continue;
		}
		if (mesos) {
			c->owner = next;
			authoritative(c, next);
		}
		return;
	}
}

/* The Mesos zone with a zone file of its own apex over it: the file's
 * rrset where it has one (a CNAME from it followed into the generated
 * names), else the generated zone's; a name only the file holds, with
 * other types, is NODATA; SOA and NS are the generated zone's. */
static void
overlaid(struct ctx *c, const struct zoneset *zs, const struct szone *o,
    const struct dname *lower)
{
	struct dname next;
	struct dname apex = c->t->apex;

	if (sanswer_has(o, c->q, lower)) {
		sanswer(&c->b, o, c->q, lower, c->cfg->set_truncate_bit,
		    SANSWER_OVERLAY, &next);
		chase(c, zs, &next);
		return;
	}
	if (table_lookup(c->t, lower) == NULL && szone_lookup(o, lower) !=
	    NULL) {
		if (put_soa(c, SEC_AUTHORITY, &apex) != 0)
			truncated(c);
		return;
	}
	authoritative(c, lower);
}

/* A query for a name (class, type and opcode fine so far): which zone
 * answers, or REFUSED (ANSWER_NOT_OURS: the caller may forward). */
static enum answer_kind
answer_name(struct ctx *c, const struct zoneset *zs,
    const struct msg_query *q, uint8_t *out, size_t cap, size_t lim,
    const struct dname **zone)
{
	const struct table *t = c->t;
	const struct szone *sz, *overlay = NULL;
	struct dname lower, next;
	bool mesos, ds_parent;

	lower = q->qname;
	dname_lower(&lower);
	mesos = t != NULL && dname_is_subdomain(&lower, &t->apex);
	sz = zoneset_find(zs, &lower, q->qtype, &ds_parent);
	/* The longer apex answers; a zone file of the Mesos domain
	 * itself adds to the generated zone (overlay). */
	if (sz != NULL && mesos && sz->apex.len <= t->apex.len) {
		if (dname_equal(&sz->apex, &t->apex))
			overlay = sz;
		sz = NULL;
	}
	if (sz == NULL && !mesos) {
		/* The caller may forward it instead. */
		message_begin(&c->b, q, out, cap, lim, RCODE_REFUSED,
		    false, c->cfg->recurse_on);
		return ANSWER_NOT_OURS;
	}
	if (q->qclass != CLASS_IN && q->qclass != CLASS_ANY) {
		/* Our names exist in class IN only. */
		message_begin(&c->b, q, out, cap, lim, RCODE_REFUSED,
		    false, c->cfg->recurse_on);
		return ANSWER_SEND;
	}
	if (q->qtype == RR_AXFR || q->qtype == RR_IXFR) {
		/* A transfer is the transport's (net/xfr.c): who may, and
		 * the messages.  REFUSED stands until it says otherwise. */
		message_begin(&c->b, q, out, cap, lim, RCODE_REFUSED,
		    false, c->cfg->recurse_on);
		*zone = sz != NULL ? &sz->apex : &t->apex;
		return ANSWER_XFR;
	}
	if (sz != NULL) {
		message_begin(&c->b, q, out, cap, lim, RCODE_NOERROR,
		    true, c->cfg->recurse_on);
		if (wire_err(&c->b.w) != 0)
			return ANSWER_DROP;
		*zone = &sz->apex;
		sanswer(&c->b, sz, q, &lower, c->cfg->set_truncate_bit,
		    ds_parent ? SANSWER_CHILD_APEX : 0, &next);
		chase(c, zs, &next);
		return ANSWER_SEND;
	}
	if (!t->ready) {
		/* No state yet: let the resolver try elsewhere. */
		message_begin(&c->b, q, out, cap, lim, RCODE_SERVFAIL,
		    false, c->cfg->recurse_on);
		return ANSWER_SEND;
	}
	message_begin(&c->b, q, out, cap, lim, RCODE_NOERROR, true,
	    c->cfg->recurse_on);
	if (wire_err(&c->b.w) != 0)
		return ANSWER_DROP;	/* the question alone is too big */
	*zone = &t->apex;
	if (overlay != NULL)
		overlaid(c, zs, overlay, &lower);
	else
		authoritative(c, &lower);
	return ANSWER_SEND;
}

enum answer_kind
answer_query(const struct table *t, const struct zoneset *zs,
    const struct answer_cfg *cfg,
    const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, bool tcp,
    uint32_t rnd, size_t *out_len, struct answer_info *info,
    struct msg_query *query)
{
	struct msg_query q;
	struct ctx c;
	enum msg_verdict v = message_parse_query(pkt, len, &q);
	enum answer_kind kind = ANSWER_SEND;
	size_t lim;

	memset(info, 0, sizeof(*info));
	if (v == MSG_DROP)
		return ANSWER_DROP;
	info->qtype = q.qtype;
	info->edns = q.edns;
	if (q.edns && (q.nsid || q.cookie_len > 0)) {
		info->nsid = q.nsid;
		info->cookie_len = q.cookie_len;
		memcpy(info->cookie, q.cookie, q.cookie_len);
		q.opt_extra = (uint16_t)((q.cookie_len > 0 && cfg->cookies ?
		    MSG_COOKIE_OPT : 0) + (q.nsid && cfg->nsid_len > 0 ?
		    4 + cfg->nsid_len : 0));
	}
	if (tcp)
		lim = MSG_MAX;
	else if (q.edns && q.edns_size > MSG_UDP_MIN)
		lim = q.edns_size < MSG_UDP_MAX ? q.edns_size : MSG_UDP_MAX;
	else
		lim = MSG_UDP_MIN;
	if (lim > cap)
		lim = cap;
	info->lim = (uint16_t)(lim > 0xffff ? 0xffff : lim);
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.cfg = cfg;
	c.q = &q;
	c.owner = &q.qname;
	c.rnd = rnd;
	c.tcp = tcp;
	switch (v) {
	case MSG_FORMERR:
		/* A question we could not read is not echoed. */
		if (!q.has_question || q.qname.len == 0)
			q.has_question = false;
		message_begin(&c.b, &q, out, cap, lim, RCODE_FORMERR, false,
		    cfg->recurse_on);
		break;
	case MSG_NOTIMP:
		/* An opcode we do not implement: QR and the opcode alone (RA
		 * is QUERY's), as NSD. */
		message_begin(&c.b, &q, out, cap, lim, RCODE_NOTIMP, false,
		    false);
		break;
	case MSG_BADVERS:
		message_begin(&c.b, &q, out, cap, lim, RCODE_BADVERS, false,
		    cfg->recurse_on);
		break;
	default:
		if (q.tsig) {
			/* We hold no keys: RFC 8945 5.2, an unsigned NOTAUTH
			 * with TSIG error BADKEY, whatever the name. */
			message_begin(&c.b, &q, out, cap, lim, RCODE_NOTAUTH,
			    false, cfg->recurse_on);
			message_set_tsig_error(&c.b, TSIG_BADKEY);
			break;
		}
		kind = answer_name(&c, zs, &q, out, cap, lim, &info->zone);
		if (kind == ANSWER_DROP)
			return ANSWER_DROP;
		break;
	}
	if (wire_err(&c.b.w) != 0 && c.b.w.pos < MSG_HDR_LEN)
		return ANSWER_DROP;
	*out_len = message_finish(&c.b, cfg->edns_size);
	info->opt_at = (uint16_t)(c.b.opt_at <= 0xffff ? c.b.opt_at : 0);
	info->truncated = c.b.tc;
	info->rcode = (uint8_t)message_rcode(&c.b);
	if (kind == ANSWER_NOT_OURS || kind == ANSWER_XFR)
		*query = q;
	return kind;
}
