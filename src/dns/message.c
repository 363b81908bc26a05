/* message.c - DNS message parse and build (see message.h). */
#include <string.h>

#include "dns/err.h"
#include "dns/message.h"

#define FLAG_AA 0x0400u
#define FLAG_TC 0x0200u
#define FLAG_RD 0x0100u
#define FLAG_CD 0x0010u
#define OPT_DO 0x8000u
#define OPT_LEN 11

/* The TSIG rdata (RFC 8945 4.2) of rdlen octets at the cursor into q. */
static enum msg_verdict
read_tsig(struct wbuf *w, struct msg_query *q, uint16_t rdlen)
{
	size_t end = w->pos + rdlen;
	uint16_t mac_len, other_len;

	if (dname_parse(w, &q->tsig_alg) != 0)
		return MSG_FORMERR;
	q->tsig_time = (uint64_t)wire_get_u16(w) << 32;
	q->tsig_time |= wire_get_u32(w);
	q->tsig_fudge = wire_get_u16(w);
	mac_len = wire_get_u16(w);
	wire_skip(w, mac_len);
	q->tsig_orig_id = wire_get_u16(w);
	(void)wire_get_u16(w);	/* error */
	other_len = wire_get_u16(w);
	wire_skip(w, other_len);
	if (wire_err(w) != 0 || w->pos != end)
		return MSG_FORMERR;
	q->tsig = true;
	return MSG_OK;
}

/* An OPT's options (rdata rd, len octets): NSID asked, a COOKIE's
 * octets; a COOKIE of a length RFC 7873 5.2.2 does not allow, or options
 * that overrun the rdata, are FORMERR. */
static enum msg_verdict
read_options(const uint8_t *rd, uint16_t len, struct msg_query *q)
{
	size_t p = 0;

	while (p < len) {
		uint16_t code, n;

		if (len - p < 4)
			return MSG_FORMERR;
		code = (uint16_t)(rd[p] << 8 | rd[p + 1]);
		n = (uint16_t)(rd[p + 2] << 8 | rd[p + 3]);
		p += 4;
		if (n > len - p)
			return MSG_FORMERR;
		if (code == EDNS_NSID)
			q->nsid = true;
		if (code == EDNS_COOKIE) {
			if (n < 8 || (n > 8 && n < 16) || n > 40)
				return MSG_FORMERR;
			q->cookie_len = (uint8_t)n;
			memcpy(q->cookie, rd + p, n);
		}
		p += n;
	}
	return MSG_OK;
}

/* Skip one resource record at the cursor; an OPT or a TSIG is read into
 * q.  last: the message's last record. */
static enum msg_verdict
skip_rr(struct wbuf *w, struct msg_query *q, bool additional, bool last)
{
	struct dname owner;
	uint16_t type, class, rdlen;
	uint32_t ttl;
	size_t class_off, rd_off;

	if (dname_parse(w, &owner) != 0)
		return MSG_FORMERR;
	type = wire_get_u16(w);
	class_off = w->pos;
	class = wire_get_u16(w);
	ttl = wire_get_u32(w);
	rdlen = wire_get_u16(w);
	if (wire_err(w) != 0)
		return MSG_FORMERR;
	if (type == RR_TSIG) {
		/* RFC 8945 5.1: only as the last record, class ANY. */
		if (!additional || !last || class != CLASS_ANY)
			return MSG_FORMERR;
		q->tsig_key = owner;
		return read_tsig(w, q, rdlen);
	}
	rd_off = w->pos;
	wire_skip(w, rdlen);
	if (wire_err(w) != 0)
		return MSG_FORMERR;
	if (type != RR_OPT)
		return MSG_OK;
	/* RFC 6891 6.1.1: one OPT, owner root, only in additional. */
	if (!additional || q->edns || owner.len != 1)
		return MSG_FORMERR;
	q->edns = true;
	q->edns_size = class;
	q->edns_size_off = (uint16_t)class_off;
	q->edns_version = (uint8_t)(ttl >> 16 & 0xff);
	q->edns_do = (ttl & OPT_DO) != 0;
	return read_options(w->base + rd_off, rdlen, q);
}

int
message_read_header(const uint8_t *pkt, size_t len, struct msg_header *h)
{
	struct wbuf w;

	wire_init_read(&w, pkt, len);
	h->id = wire_get_u16(&w);
	h->flags = wire_get_u16(&w);
	h->qdcount = wire_get_u16(&w);
	h->ancount = wire_get_u16(&w);
	h->nscount = wire_get_u16(&w);
	h->arcount = wire_get_u16(&w);
	return wire_err(&w);
}

int
message_peek_rcode(const uint8_t *pkt, size_t len)
{
	struct msg_header h;

	return message_read_header(pkt, len, &h) != 0 ? -1 : h.flags & 0xf;
}

void
message_set_id(uint8_t *pkt, size_t len, uint16_t id)
{
	if (len < 2)
		return;
	pkt[0] = (uint8_t)(id >> 8);
	pkt[1] = (uint8_t)(id & 0xff);
}

bool
message_same_question(const uint8_t *a, size_t alen, const uint8_t *q,
    size_t question_end)
{
	struct msg_header h;

	return question_end > MSG_HDR_LEN && alen >= question_end &&
	    message_read_header(a, alen, &h) == 0 && h.qdcount == 1 &&
	    dname_bytes_caseeq(a + MSG_HDR_LEN, q + MSG_HDR_LEN,
	    question_end - MSG_HDR_LEN);
}

void
message_set_edns_size(uint8_t *pkt, size_t len, const struct msg_query *q,
    uint16_t size)
{
	if (!q->edns || q->edns_size_off == 0 ||
	    q->edns_size_off + 2u > len)
		return;
	pkt[q->edns_size_off] = (uint8_t)(size >> 8);
	pkt[q->edns_size_off + 1] = (uint8_t)(size & 0xff);
}

unsigned
message_rcode(const struct msg_builder *b)
{
	struct wbuf w = b->w;
	uint16_t flags;

	w.err = 0;
	flags = wire_get_u16_at(&w, 2);
	return (unsigned)(flags & 0xf) | (unsigned)b->ext_rcode << 4;
}

enum msg_verdict
message_parse_query(const uint8_t *pkt, size_t len, struct msg_query *q)
{
	struct wbuf w;
	uint16_t qd, an, ns, ar;
	enum msg_verdict v;

	memset(q, 0, sizeof(*q));
	if (len < MSG_HDR_LEN)
		return MSG_DROP;
	wire_init_read(&w, pkt, len);
	q->id = wire_get_u16(&w);
	q->flags = wire_get_u16(&w);
	qd = wire_get_u16(&w);
	an = wire_get_u16(&w);
	ns = wire_get_u16(&w);
	ar = wire_get_u16(&w);
	if (q->flags & MSG_FLAG_QR)
		return MSG_DROP;
	q->opcode = (uint8_t)(q->flags >> 11 & 0xf);
	if (qd == 1) {
		if (dname_parse(&w, &q->qname) != 0)
			return MSG_FORMERR;
		q->qtype = wire_get_u16(&w);
		q->qclass = wire_get_u16(&w);
		if (wire_err(&w) != 0)
			return MSG_FORMERR;
		q->has_question = true;
		q->question_end = (uint16_t)w.pos;
	}
	if (q->opcode != OPCODE_QUERY)
		return MSG_NOTIMP;
	if (qd != 1)
		return MSG_FORMERR;
	for (unsigned i = 0; i < (unsigned)an + ns; i++)
		if ((v = skip_rr(&w, q, false, false)) != MSG_OK)
			return v;
	for (unsigned i = 0; i < ar; i++)
		if ((v = skip_rr(&w, q, true, i + 1 == ar)) != MSG_OK)
			return v;
	if (q->edns && q->edns_version != 0)
		return MSG_BADVERS;
	return MSG_OK;
}

/* Register every suffix of n written literally at message offset at, up to
 * (not including) the suffix starting at n->data[lit_end]. */
static void
comp_add(struct msg_builder *b, const struct dname *n, size_t at,
    size_t lit_end)
{
	size_t i = 0;

	while (i < lit_end && n->data[i] != 0 && b->n_comp < MSG_COMP_MAX) {
		if (at + i >= 0x4000)
			break;
		b->comp[b->n_comp].off = (uint16_t)(at + i);
		b->comp[b->n_comp].len = (uint8_t)(n->len - i);
		b->n_comp++;
		i += 1 + (size_t)n->data[i];
	}
}

/* Does the name written at off equal the uncompressed suffix s (case
 * folded)?  Only bytes already written are read. */
static bool
written_eq(const struct msg_builder *b, size_t off, const uint8_t *s,
    size_t slen)
{
	const uint8_t *buf = b->w.base;
	size_t end = b->w.pos, i = 0;
	unsigned hops = 0;

	while (off < end) {
		uint8_t c = buf[off];

		if ((c & 0xC0) == 0xC0) {
			if (off + 1 >= end || ++hops > 32)
				return false;
			off = (size_t)(c & 0x3F) << 8 | buf[off + 1];
			continue;
		}
		if (i >= slen || c != s[i])
			return false;
		if (c == 0)
			return i + 1 == slen;
		if (off + 1 + c > end || i + 1 + c > slen)
			return false;
		for (size_t k = 1; k <= c; k++)
			if (dname_fold(buf[off + k]) != dname_fold(s[i + k]))
				return false;
		i += 1 + (size_t)c;
		off += 1 + (size_t)c;
	}
	return false;
}

void
message_put_name(struct msg_builder *b, const struct dname *n, bool compress)
{
	size_t i = 0, start = b->w.pos;

	if (compress) {
		while (i < n->len && n->data[i] != 0) {
			size_t sl = n->len - i;

			for (unsigned k = 0; k < b->n_comp; k++) {
				const struct msg_comp *c = &b->comp[k];

				if (c->len != sl ||
				    !written_eq(b, c->off, n->data + i, sl))
					continue;
				wire_put_bytes(&b->w, n->data, i);
				wire_put_u16(&b->w,
				    (uint16_t)(0xC000u | c->off));
				if (wire_err(&b->w) == 0)
					comp_add(b, n, start, i);
				return;
			}
			i += 1 + (size_t)n->data[i];
		}
	}
	wire_put_bytes(&b->w, n->data, n->len);
	if (compress && wire_err(&b->w) == 0)
		comp_add(b, n, start, n->len);
}

void
message_begin(struct msg_builder *b, const struct msg_query *q, uint8_t *buf,
    size_t cap, size_t lim, unsigned rcode, bool aa, bool ra)
{
	uint16_t flags = MSG_FLAG_QR | (uint16_t)(q->opcode << 11);

	memset(b, 0, sizeof(*b));
	b->q = q;
	wire_init_write(&b->w, buf, cap, lim);
	/* RD and CD are QUERY's bits; for other opcodes they mean nothing
	 * and are not echoed (as NSD). */
	if (q->opcode == OPCODE_QUERY)
		flags |= q->flags & (FLAG_RD | FLAG_CD);
	if (aa)
		flags |= FLAG_AA;
	if (ra)
		flags |= MSG_FLAG_RA;
	flags |= (uint16_t)(rcode & 0xf);
	b->ext_rcode = (uint8_t)(rcode >> 4);
	wire_put_u16(&b->w, q->id);
	wire_put_u16(&b->w, flags);
	wire_put_u16(&b->w, q->has_question ? 1 : 0);
	wire_put_u16(&b->w, 0);
	wire_put_u16(&b->w, 0);
	wire_put_u16(&b->w, 0);
	if (q->has_question) {
		message_put_name(b, &q->qname, true);
		wire_put_u16(&b->w, q->qtype);
		wire_put_u16(&b->w, q->qclass);
	}
	if (q->edns) {
		b->reserve = OPT_LEN + (size_t)q->opt_extra;
		if (b->w.lim >= b->reserve)
			b->w.lim -= b->reserve;
	}
}

size_t
message_rr_begin(struct msg_builder *b, const struct dname *owner,
    uint16_t type, uint32_t ttl)
{
	size_t mark = wire_mark(&b->w);

	message_put_name(b, owner, true);
	wire_put_u16(&b->w, type);
	wire_put_u16(&b->w, CLASS_IN);
	wire_put_u32(&b->w, ttl);
	b->rdlen_pos = b->w.pos;
	wire_put_u16(&b->w, 0);
	return mark;
}

int
message_rr_end(struct msg_builder *b, size_t mark, enum msg_section s)
{
	size_t rdstart = b->rdlen_pos + 2;

	if (wire_err(&b->w) != 0 || b->w.pos - rdstart > 0xffff) {
		wire_rewind(&b->w, mark);
		/* Forget compression targets inside the undone bytes. */
		while (b->n_comp > 0 && b->comp[b->n_comp - 1].off >= mark)
			b->n_comp--;
		return -E_SPACE;
	}
	wire_put_u16_at(&b->w, b->rdlen_pos, (uint16_t)(b->w.pos - rdstart));
	b->count[s]++;
	return 0;
}

int
message_put_rr(struct msg_builder *b, enum msg_section s,
    const struct dname *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	size_t mark = message_rr_begin(b, owner, type, ttl);

	wire_put_bytes(&b->w, rdata, rdlen);
	return message_rr_end(b, mark, s);
}

void
message_set_tc(struct msg_builder *b)
{
	b->tc = true;
}

void
message_set_tsig_error(struct msg_builder *b, uint16_t err)
{
	b->tsig_error_set = true;
	b->tsig_error = err;
}

/* The unsigned error TSIG (RFC 8945 5.3.2), uncompressed, at the end.  The
 * reply it goes on is a header and a question, so the buffer's whole
 * capacity may take it. */
static void
put_tsig_error(struct msg_builder *b)
{
	const struct msg_query *q = b->q;
	size_t mark = wire_mark(&b->w), rdstart;

	b->w.lim = b->w.cap;
	wire_put_bytes(&b->w, q->tsig_key.data, q->tsig_key.len);
	wire_put_u16(&b->w, RR_TSIG);
	wire_put_u16(&b->w, CLASS_ANY);
	wire_put_u32(&b->w, 0);
	b->rdlen_pos = b->w.pos;
	wire_put_u16(&b->w, 0);
	rdstart = b->w.pos;
	wire_put_bytes(&b->w, q->tsig_alg.data, q->tsig_alg.len);
	wire_put_u16(&b->w, (uint16_t)(q->tsig_time >> 32));
	wire_put_u32(&b->w, (uint32_t)q->tsig_time);
	wire_put_u16(&b->w, q->tsig_fudge);
	wire_put_u16(&b->w, 0);		/* MAC size: unsigned */
	wire_put_u16(&b->w, q->tsig_orig_id);
	wire_put_u16(&b->w, b->tsig_error);
	wire_put_u16(&b->w, 0);		/* other length */
	if (wire_err(&b->w) != 0) {
		wire_rewind(&b->w, mark);
		b->w.err = 0;
		return;
	}
	wire_put_u16_at(&b->w, b->rdlen_pos, (uint16_t)(b->w.pos - rdstart));
	b->count[SEC_ADDITIONAL]++;
}

void
message_set_aa(struct msg_builder *b, bool aa)
{
	uint16_t flags;
	int err = b->w.err;

	b->w.err = 0;
	flags = wire_get_u16_at(&b->w, 2);
	flags = (uint16_t)(aa ? flags | FLAG_AA : flags & ~FLAG_AA);
	wire_put_u16_at(&b->w, 2, flags);
	b->w.err = err;
}

void
message_set_rcode(struct msg_builder *b, unsigned rcode)
{
	uint16_t flags;
	int err = b->w.err;

	b->w.err = 0;
	flags = wire_get_u16_at(&b->w, 2);
	flags = (uint16_t)((flags & ~0xfu) | (rcode & 0xf));
	wire_put_u16_at(&b->w, 2, flags);
	b->w.err = err;
	/* RFC 6891 6.1.3: the upper eight bits travel in OPT. */
	b->ext_rcode = (uint8_t)(rcode >> 4);
}

size_t
message_finish(struct msg_builder *b, uint16_t our_udp_size)
{
	uint16_t flags;

	b->w.err = 0;
	flags = wire_get_u16_at(&b->w, 2);
	if (b->tc)
		flags |= FLAG_TC;
	wire_put_u16_at(&b->w, 2, flags);
	wire_put_u16_at(&b->w, 6, b->count[SEC_ANSWER]);
	wire_put_u16_at(&b->w, 8, b->count[SEC_AUTHORITY]);
	b->opt_at = 0;
	if (b->q->edns) {
		b->w.lim += b->reserve;
		b->opt_at = b->w.pos;
		/* OPT: root owner, class = payload size, ttl = extended rcode,
		 * version 0, DO echoed (RFC 3225), no options. */
		wire_put_u8(&b->w, 0);
		wire_put_u16(&b->w, RR_OPT);
		wire_put_u16(&b->w, our_udp_size);
		wire_put_u8(&b->w, (uint8_t)(b->ext_rcode));
		wire_put_u8(&b->w, 0);
		wire_put_u16(&b->w, b->q->edns_do ? OPT_DO : 0);
		wire_put_u16(&b->w, 0);
		b->count[SEC_ADDITIONAL]++;
	}
	if (b->tsig_error_set && b->q->tsig) {
		put_tsig_error(b);
		b->opt_at = 0;
	}
	if (wire_err(&b->w) != 0)
		b->opt_at = 0;
	wire_put_u16_at(&b->w, 10, b->count[SEC_ADDITIONAL]);
	return b->w.pos;
}

size_t
message_cut_to_question(uint8_t *msg, size_t len)
{
	struct wbuf w;
	struct dname n;
	struct msg_header h;

	if (message_read_header(msg, len, &h) != 0)
		return 0;
	wire_init_read(&w, msg, len);
	wire_skip(&w, MSG_HDR_LEN);
	if (h.qdcount > 0) {
		if (dname_parse(&w, &n) != 0)
			return 0;
		wire_skip(&w, 4);
		if (wire_err(&w) != 0)
			return 0;
	}
	msg[2] |= 0x02;		/* TC */
	msg[4] = 0;
	msg[5] = h.qdcount > 0 ? 1 : 0;
	memset(msg + 6, 0, 6);
	return w.pos;
}

size_t
message_add_options(uint8_t *msg, size_t len, size_t cap, size_t at,
    const uint8_t *opts, size_t n)
{
	size_t rdlen;

	if (at < MSG_HDR_LEN || n == 0 || len + n > cap ||
	    len - at < OPT_LEN || msg[at] != 0 ||
	    (msg[at + 1] << 8 | msg[at + 2]) != RR_OPT ||
	    at + OPT_LEN + (size_t)(msg[at + 9] << 8 | msg[at + 10]) != len)
		return len;
	rdlen = (size_t)(msg[at + 9] << 8 | msg[at + 10]) + n;
	if (rdlen > 0xffff)
		return len;
	msg[at + 9] = (uint8_t)(rdlen >> 8);
	msg[at + 10] = (uint8_t)rdlen;
	memcpy(msg + len, opts, n);
	return len + n;
}

size_t
message_put_opt(uint8_t *msg, size_t len, size_t cap, uint16_t udp_size,
    unsigned rcode, const uint8_t *opts, size_t n)
{
	uint16_t ar;

	if (len < MSG_HDR_LEN || len + OPT_LEN + n > cap || n > 0xffff)
		return len;
	msg[len] = 0;
	msg[len + 1] = (uint8_t)(RR_OPT >> 8);
	msg[len + 2] = (uint8_t)RR_OPT;
	msg[len + 3] = (uint8_t)(udp_size >> 8);
	msg[len + 4] = (uint8_t)udp_size;
	msg[len + 5] = (uint8_t)(rcode >> 4);
	memset(msg + len + 6, 0, 3);
	msg[len + 9] = (uint8_t)(n >> 8);
	msg[len + 10] = (uint8_t)n;
	memcpy(msg + len + OPT_LEN, opts, n);
	msg[3] = (uint8_t)((msg[3] & 0xf0) | (rcode & 0x0f));
	ar = (uint16_t)((msg[10] << 8 | msg[11]) + 1);
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	return len + OPT_LEN + n;
}
