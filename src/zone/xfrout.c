/* xfrout.c - a zone as the messages of a zone transfer (see xfrout.h). */
#include <string.h>

#include "dns/err.h"
#include "zone/answer.h"
#include "zone/shard.h"
#include "zone/xfrout.h"

enum {
	PH_SOA, PH_NS, PH_RECS, PH_LAST_SOA, PH_DONE,
	PH_IX_OLD, PH_IX_DEL, PH_IX_NEW, PH_IX_ADD	/* IXFR */
};

/* Our EDNS payload size, in the first message's OPT when the query had
 * one. */
#define XFROUT_EDNS 1232

void
xfrout_init(struct xfrout *x, const struct table *t, const struct szone *z,
    const struct msg_query *q)
{
	memset(x, 0, sizeof(*x));
	x->t = t;
	x->z = t != NULL ? NULL : z;
	x->q = *q;
	x->q.tsig = false;
}

void
xfrout_init_ixfr(struct xfrout *x, const struct table *t,
    const struct szone *z, const struct jdiff *d, const struct msg_query *q)
{
	xfrout_init(x, t, z, q);
	x->d = d;
}

uint32_t
xfrout_serial(const struct xfrout *x)
{
	return x->t != NULL ? x->t->serial : x->z->serial;
}

/* A static zone's SOA record. */
static int
szone_soa(struct msg_builder *b, const struct szone *z)
{
	const struct szone_node *n = szone_lookup(z, &z->apex);
	const struct szone_rrset *rs = n != NULL ? szone_rrset(z, n, RR_SOA) :
	    NULL;
	const uint8_t *rd;
	uint16_t len;

	if (rs == NULL)
		return -E_FORMAT;
	rd = szone_rdata(z, rs, 0, &len);
	return message_put_rr(b, SEC_ANSWER, &z->apex, RR_SOA,
	    szone_ttl(z, rs, 0), rd, len);
}

/* The zone's SOA at another serial: an IXFR's old version. */
static int
put_soa_at(struct xfrout *x, struct msg_builder *b, uint32_t serial)
{
	const struct szone_node *n;
	const struct szone_rrset *rs;
	const uint8_t *rd;
	uint8_t buf[2 * DNAME_MAX + 20];
	uint16_t len;
	int off;

	if (x->t != NULL)
		return answer_put_soa_at(b, x->t, SEC_ANSWER, &x->t->apex,
		    serial);
	n = szone_lookup(x->z, &x->z->apex);
	rs = n != NULL ? szone_rrset(x->z, n, RR_SOA) : NULL;
	if (rs == NULL)
		return -E_FORMAT;
	rd = szone_rdata(x->z, rs, 0, &len);
	off = journal_soa_serial_off(rd, len);
	if (off < 0 || len > sizeof(buf))
		return -E_FORMAT;
	memcpy(buf, rd, len);
	buf[off] = (uint8_t)(serial >> 24);
	buf[off + 1] = (uint8_t)(serial >> 16);
	buf[off + 2] = (uint8_t)(serial >> 8);
	buf[off + 3] = (uint8_t)serial;
	return message_put_rr(b, SEC_ANSWER, &x->z->apex, RR_SOA,
	    szone_ttl(x->z, rs, 0), buf, len);
}

static int
put_soa(struct xfrout *x, struct msg_builder *b)
{
	return x->t != NULL ? answer_put_soa(b, x->t, SEC_ANSWER, &x->t->apex) :
	    szone_soa(b, x->z);
}

/* The Mesos zone's next record from (k, i, j), or NULL past the last. */
static const struct table_rec *
table_next(struct xfrout *x, struct dname *owner)
{
	uint32_t n = 1u << x->t->shard_bits;

	for (; x->k < n; x->k++, x->i = 0, x->j = 0) {
		const struct table_shard *s = table_shard(x->t, x->k);

		for (; s != NULL && x->i < s->n_nodes; x->i++, x->j = 0) {
			const struct table_node *nd = &s->nodes[x->i];

			if (x->j >= nd->count)
				continue;
			owner->len = nd->name_len;
			memcpy(owner->data, nd->name, nd->name_len);
			return &s->recs[nd->first + x->j];
		}
	}
	return NULL;
}

static int
table_put(struct xfrout *x, struct msg_builder *b)
{
	struct dname owner;
	const struct table_rec *r = table_next(x, &owner);
	uint8_t buf[TABLE_RDATA_MAX];
	const uint8_t *rd;
	uint16_t len;

	if (r == NULL)
		return 1;
	rd = table_rdata(x->t, r, buf, &len);
	return message_put_rr(b, SEC_ANSWER, &owner, r->type, x->t->ttl, rd,
	    len);
}

/* A static zone's next rrset holding record j from (k = node, i =
 * rrset), the apex SOA passed over; NULL past the last. */
static const struct szone_rrset *
szone_next(struct xfrout *x, struct dname *owner)
{
	const struct szone *z = x->z;

	for (; x->k < z->n_nodes; x->k++, x->i = 0, x->j = 0) {
		const struct szone_node *nd = &z->nodes[x->k];

		for (; x->i < nd->n_rrsets; x->i++, x->j = 0) {
			const struct szone_rrset *rs =
			    &z->rrsets[nd->first_rrset + x->i];

			if (x->j >= rs->n)
				continue;
			szone_name(z, nd, owner);
			if (rs->type == RR_SOA && dname_equal(owner, &z->apex))
				continue;
			return rs;
		}
	}
	return NULL;
}

static int
szone_put(struct xfrout *x, struct msg_builder *b)
{
	struct dname owner;
	const struct szone_rrset *rs = szone_next(x, &owner);
	const uint8_t *rd;
	uint16_t len;

	if (rs == NULL)
		return 1;
	rd = szone_rdata(x->z, rs, (uint16_t)x->j, &len);
	return message_put_rr(b, SEC_ANSWER, &owner, rs->type,
	    szone_ttl(x->z, rs, (uint16_t)x->j), rd, len);
}

/* An IXFR's next record of run (len octets): 0 (written, passed), 1 at
 * the run's end, or -E_SPACE. */
static int
ix_put(struct xfrout *x, struct msg_builder *b, const uint8_t *run,
    size_t len)
{
	struct jrec r;
	size_t pos = x->pos;
	int e;

	if (!jdiff_read(run, len, &pos, &r))
		return 1;
	e = message_put_rr(b, SEC_ANSWER, &r.owner, r.type, r.ttl, r.rdata,
	    r.rdlen);
	if (e == 0) {
		x->pos = pos;
		x->records++;
	}
	return e;
}

/* The IXFR phases: the old SOA, deletions, the new SOA, additions. */
static int
ix_one(struct xfrout *x, struct msg_builder *b)
{
	int r;

	switch (x->phase) {
	case PH_IX_OLD:
	case PH_IX_NEW:
		r = x->phase == PH_IX_OLD ? put_soa_at(x, b, x->d->from) :
		    put_soa(x, b);
		if (r == 0)
			x->phase = x->phase == PH_IX_OLD ? PH_IX_DEL :
			    PH_IX_ADD;
		return r;
	default:
		r = x->phase == PH_IX_DEL ? ix_put(x, b, x->d->del,
		    x->d->del_len) : ix_put(x, b, x->d->add, x->d->add_len);
		if (r == 1) {
			x->phase = x->phase == PH_IX_DEL ? PH_IX_NEW :
			    PH_LAST_SOA;
			x->pos = 0;
			return 0;
		}
		return r;
	}
}

/* Write the record the transfer stands at and move past it: 0; -E_SPACE
 * when it does not fit (nothing written). */
static int
put_one(struct xfrout *x, struct msg_builder *b)
{
	int r;

	if (x->phase > PH_DONE)
		return ix_one(x, b);
	switch (x->phase) {
	case PH_SOA:
	case PH_LAST_SOA:
		if ((r = put_soa(x, b)) == 0 || r != -E_SPACE)
			x->phase = x->phase == PH_LAST_SOA ? PH_DONE :
			    x->d != NULL ? PH_IX_OLD :
			    x->t != NULL ? PH_NS : PH_RECS;
		return r == -E_SPACE ? r : 0;
	case PH_NS:
		if ((r = answer_put_ns(b, x->t, &x->t->apex)) == 0)
			x->phase = PH_RECS;
		return r;
	default:
		r = x->t != NULL ? table_put(x, b) : szone_put(x, b);
		if (r == 1) {
			x->phase = PH_LAST_SOA;
			return 0;
		}
		if (r == 0) {
			x->j++;
			x->records++;
		}
		return r;
	}
}

size_t
xfrout_next(struct xfrout *x, uint8_t *buf)
{
	struct msg_builder b;
	struct msg_query q = x->q;

	if (x->phase == PH_DONE)
		return 0;
	if (x->msgs > 0) {
		/* QDCOUNT 1 in the first message only (RFC 5936 2.2). */
		q.has_question = false;
		q.edns = false;
	}
	message_begin(&b, &q, buf, MSG_MAX, MSG_MAX, RCODE_NOERROR, true,
	    false);
	while (x->phase != PH_DONE && b.w.pos < XFROUT_MSG_TARGET) {
		uint16_t had = b.count[SEC_ANSWER];

		if (put_one(x, &b) == 0)
			continue;
		if (had > 0)
			break;	/* the next message takes it */
		/* A record no message holds (a 64 KB TXT in a zone file):
		 * passed over rather than stall the transfer. */
		if (x->phase == PH_RECS)
			x->j++;
		else if (x->phase == PH_IX_DEL || x->phase == PH_IX_ADD) {
			struct jrec r;

			if (!jdiff_read(x->phase == PH_IX_DEL ? x->d->del :
			    x->d->add, x->phase == PH_IX_DEL ? x->d->del_len :
			    x->d->add_len, &x->pos, &r))
				x->phase = x->phase == PH_IX_DEL ? PH_IX_NEW :
				    PH_LAST_SOA;
		} else
			x->phase = x->phase == PH_LAST_SOA ? PH_DONE :
			    x->phase + 1;
	}
	x->msgs++;
	return message_finish(&b, XFROUT_EDNS);
}

size_t
xfrout_one(struct xfrout *x, uint8_t *buf, size_t lim)
{
	struct msg_builder b;

	message_begin(&b, &x->q, buf, lim, lim, RCODE_NOERROR, true, false);
	while (x->phase != PH_DONE)
		if (put_one(x, &b) != 0)
			return 0;
	x->msgs++;
	return message_finish(&b, XFROUT_EDNS);
}

size_t
xfrout_soa_only(const struct table *t, const struct szone *z,
    const struct msg_query *q, uint8_t *buf, size_t lim)
{
	struct xfrout x;
	struct msg_builder b;

	xfrout_init(&x, t, z, q);
	message_begin(&b, &x.q, buf, lim, lim, RCODE_NOERROR, true, false);
	(void)put_soa(&x, &b);
	return message_finish(&b, XFROUT_EDNS);
}

size_t
xfrout_notify(const struct table *t, const struct szone *z, uint8_t *buf,
    size_t lim)
{
	struct msg_query q;
	struct xfrout x;
	struct msg_builder b;
	size_t len;

	memset(&q, 0, sizeof(q));
	q.opcode = OPCODE_NOTIFY;
	q.has_question = true;
	q.qname = t != NULL ? t->apex : z->apex;
	q.qtype = RR_SOA;
	q.qclass = CLASS_IN;
	xfrout_init(&x, t, z, &q);
	message_begin(&b, &x.q, buf, lim, lim, RCODE_NOERROR, true, false);
	(void)put_soa(&x, &b);
	len = message_finish(&b, XFROUT_EDNS);
	if (len > 2)
		buf[2] &= (uint8_t)~(MSG_FLAG_QR >> 8);	/* a request */
	return len;
}

int
xfrout_ixfr_serial(const uint8_t *pkt, size_t len, const struct msg_query *q,
    uint32_t *serial)
{
	struct wbuf w;
	struct msg_header h;
	struct dname owner, qname, name;
	uint16_t type, rdlen;

	if (message_read_header(pkt, len, &h) != 0 || q->question_end == 0 ||
	    h.ancount != 0 || h.nscount < 1)
		return -E_FORMAT;
	wire_init_read(&w, pkt, len);
	wire_skip(&w, q->question_end);
	if (dname_parse(&w, &owner) != 0)
		return -E_FORMAT;
	type = wire_get_u16(&w);
	wire_skip(&w, 6);	/* class, TTL */
	rdlen = wire_get_u16(&w);
	qname = q->qname;
	dname_lower(&qname);
	dname_lower(&owner);
	if (wire_err(&w) != 0 || type != RR_SOA || rdlen < 22 ||
	    w.pos + rdlen > len ||
	    !dname_equal(&owner, &qname) || dname_parse(&w, &name) != 0 ||
	    dname_parse(&w, &name) != 0)
		return -E_FORMAT;
	*serial = wire_get_u32(&w);
	return wire_err(&w) != 0 ? -E_FORMAT : 0;
}
