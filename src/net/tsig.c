/* tsig.c - TSIG records read and written around libdnssec's HMACs (see
 * tsig.h). */
#include <stdio.h>
#include <string.h>

#include <libdnssec/binary.h>
#include <libdnssec/crypto.h>
#include <libdnssec/error.h>
#include <libdnssec/tsig.h>

#include "dns/err.h"
#include "dns/message.h"
#include "dns/rr.h"
#include "dns/wire.h"
#include "net/tsig.h"

#define CLASS_ANY 255

/* The TSIG record of a query, as read. */
struct tsig_rr {
	size_t start;		/* offset of the record */
	struct dname key, alg;
	uint64_t time;
	uint32_t ttl;		/* 0 as sent; covered by the MAC */
	uint16_t fudge, mac_len, orig_id, error, other_len;
	const uint8_t *mac, *other;
};

void
tsig_init(void)
{
	dnssec_crypto_init();
}

int
tsig_key_make(struct tsig_key *k, const char *name, const char *alg,
    const char *secret_b64, char *err, size_t errlen)
{
	dnssec_binary_t in, out = { 0 };
	const uint8_t *an;
	dnssec_tsig_algorithm_t a;

	memset(k, 0, sizeof(*k));
	if (dname_from_text(name, strlen(name), &k->name) != 0) {
		snprintf(err, errlen, "tsigKeys: \"%s\" is not a key name", name);
		return -1;
	}
	dname_lower(&k->name);
	a = dnssec_tsig_algorithm_from_name(alg);
	if (a == DNSSEC_TSIG_UNKNOWN || a == DNSSEC_TSIG_HMAC_MD5) {
		snprintf(err, errlen, "tsigKeys.%s: algorithm \"%s\" is not "
		    "hmac-sha1, -sha224, -sha256, -sha384 or -sha512", name, alg);
		return -1;
	}
	k->algorithm = (int)a;
	an = dnssec_tsig_algorithm_to_dname(a);
	k->alg.len = 0;
	while (an[k->alg.len] != 0)
		k->alg.len = (uint8_t)(k->alg.len + an[k->alg.len] + 1);
	memcpy(k->alg.data, an, ++k->alg.len);
	dname_lower(&k->alg);
	in.data = (uint8_t *)(uintptr_t)secret_b64;
	in.size = strlen(secret_b64);
	if (dnssec_binary_from_base64(&in, &out) != DNSSEC_EOK ||
	    out.size == 0 || out.size > TSIG_SECRET_MAX) {
		dnssec_binary_free(&out);
		snprintf(err, errlen, "tsigKeys.%s: the secret is not base64 of "
		    "1 to %d octets", name, TSIG_SECRET_MAX);
		return -1;
	}
	memcpy(k->secret, out.data, out.size);
	k->secret_len = out.size;
	dnssec_binary_free(&out);
	return 0;
}

/* Find the TSIG record, the last of the message: 1 when there is one
 * (read into rr), 0 when there is none, -1 when the message is malformed
 * around it. */
static int
find_tsig(const uint8_t *pkt, size_t len, struct tsig_rr *rr)
{
	struct msg_header h;
	struct wbuf w;
	struct dname n;
	unsigned total;
	uint16_t rdlen;
	size_t end;

	if (message_read_header(pkt, len, &h) != 0 || h.arcount == 0)
		return 0;
	wire_init_read(&w, pkt, len);
	wire_skip(&w, MSG_HDR_LEN);
	for (unsigned i = 0; i < h.qdcount; i++) {
		if (dname_parse(&w, &n) != 0)
			return -1;
		wire_skip(&w, 4);
	}
	total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i + 1 < total; i++) {
		if (dname_parse(&w, &n) != 0)
			return -1;
		wire_skip(&w, 8);
		wire_skip(&w, wire_get_u16(&w));
		if (wire_err(&w) != 0)
			return -1;
	}
	rr->start = w.pos;
	if (dname_parse(&w, &rr->key) != 0)
		return -1;
	if (wire_get_u16(&w) != RR_TSIG)
		return 0;
	if (wire_get_u16(&w) != CLASS_ANY)
		return -1;
	rr->ttl = wire_get_u32(&w);
	rdlen = wire_get_u16(&w);
	end = w.pos + rdlen;
	if (wire_err(&w) != 0 || end != len || dname_parse(&w, &rr->alg) != 0)
		return -1;
	rr->time = (uint64_t)wire_get_u16(&w) << 32;
	rr->time |= wire_get_u32(&w);
	rr->fudge = wire_get_u16(&w);
	rr->mac_len = wire_get_u16(&w);
	rr->mac = pkt + w.pos;
	wire_skip(&w, rr->mac_len);
	rr->orig_id = wire_get_u16(&w);
	rr->error = wire_get_u16(&w);
	rr->other_len = wire_get_u16(&w);
	rr->other = pkt + w.pos;
	wire_skip(&w, rr->other_len);
	if (wire_err(&w) != 0 || w.pos != end)
		return -1;
	dname_lower(&rr->key);
	dname_lower(&rr->alg);
	return 1;
}

static void
put_time(struct wbuf *w, uint64_t t)
{
	wire_put_u16(w, (uint16_t)(t >> 32));
	wire_put_u32(w, (uint32_t)t);
}

/* The TSIG variables (RFC 8945 4.3.3), or the timers alone (4.3.1). */
static size_t
variables(uint8_t *buf, size_t cap, const struct tsig_key *k, uint32_t ttl,
    uint64_t time, uint16_t fudge, uint16_t error, const uint8_t *other, uint16_t other_len,
    bool timers)
{
	struct wbuf w;

	wire_init_write(&w, buf, cap, cap);
	if (!timers) {
		wire_put_bytes(&w, k->name.data, k->name.len);
		wire_put_u16(&w, CLASS_ANY);
		wire_put_u32(&w, ttl);
		wire_put_bytes(&w, k->alg.data, k->alg.len);
	}
	put_time(&w, time);
	wire_put_u16(&w, fudge);
	if (!timers) {
		wire_put_u16(&w, error);
		wire_put_u16(&w, other_len);
		wire_put_bytes(&w, other, other_len);
	}
	return wire_err(&w) != 0 ? 0 : w.pos;
}

/* The MAC of: the prior MAC (with its length; none when prior_len is 0),
 * hdr (12 octets standing for msg's header), the rest of msg, vars. */
static size_t
mac_of(const struct tsig_key *k, const uint8_t *prior, size_t prior_len,
    const uint8_t *hdr, const uint8_t *msg, size_t len, const uint8_t *vars,
    size_t vars_len, uint8_t mac[TSIG_MAC_MAX])
{
	dnssec_tsig_ctx_t *c = NULL;
	dnssec_binary_t key = { .size = k->secret_len,
	    .data = (uint8_t *)(uintptr_t)k->secret };
	dnssec_binary_t d;
	uint8_t pl[2] = { (uint8_t)(prior_len >> 8), (uint8_t)prior_len };
	size_t n = 0;

	if (dnssec_tsig_new(&c, (dnssec_tsig_algorithm_t)k->algorithm,
	    &key) != DNSSEC_EOK)
		return 0;
#define ADD(p, l) do { d.data = (uint8_t *)(uintptr_t)(p); d.size = (l); \
	(void)dnssec_tsig_add(c, &d); } while (0)
	if (prior_len > 0) {
		ADD(pl, 2);
		ADD(prior, prior_len);
	}
	ADD(hdr, MSG_HDR_LEN);
	ADD(msg + MSG_HDR_LEN, len - MSG_HDR_LEN);
	ADD(vars, vars_len);
#undef ADD
	n = dnssec_tsig_size(c);
	if (n > TSIG_MAC_MAX || dnssec_tsig_write(c, mac) != DNSSEC_EOK)
		n = 0;
	dnssec_tsig_free(c);
	return n;
}

static bool
same_mac(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* An unsigned NOTAUTH with TSIG error err (BADKEY, BADSIG). */
static size_t
error_answer(const uint8_t *pkt, size_t len, uint16_t err, uint8_t *out,
    size_t cap, size_t lim)
{
	struct msg_query q;
	struct msg_builder b;

	if (message_parse_query(pkt, len, &q) == MSG_DROP)
		return 0;
	q.edns = false;
	message_begin(&b, &q, out, cap, lim, RCODE_NOTAUTH, false, false);
	if (q.tsig)
		message_set_tsig_error(&b, err);
	return message_finish(&b, 0);
}

static const struct tsig_key *
key_of(const struct tsig_keys *keys, const struct tsig_rr *rr)
{
	for (size_t i = 0; keys != NULL && i < keys->n; i++)
		if (dname_equal(&keys->v[i].name, &rr->key) &&
		    dname_equal(&keys->v[i].alg, &rr->alg))
			return &keys->v[i];
	return NULL;
}

enum tsig_result
tsig_check(const struct tsig_keys *keys, uint8_t *pkt, size_t len,
    size_t *qlen, struct tsig_ctx *ctx, uint64_t now, uint8_t *out,
    size_t cap, size_t lim, size_t *olen)
{
	struct tsig_rr rr;
	const struct tsig_key *k;
	uint8_t hdr[MSG_HDR_LEN], vars[2 * DNAME_MAX + 32 + 64];
	uint8_t mac[TSIG_MAC_MAX];
	size_t vl, ml;
	int r = find_tsig(pkt, len, &rr);

	memset(ctx, 0, sizeof(*ctx));
	if (r == 0)
		return TSIG_NONE;
	*olen = 0;
	if (r < 0 || rr.other_len > 6)
		return TSIG_FAIL;	/* dropped: nothing to answer */
	k = key_of(keys, &rr);
	if (k == NULL) {
		ctx->error = TSIG_BADKEY;
		ctx->name = rr.key;
		*olen = error_answer(pkt, len, TSIG_BADKEY, out, cap, lim);
		return TSIG_FAIL;
	}
	memcpy(hdr, pkt, MSG_HDR_LEN);
	hdr[0] = (uint8_t)(rr.orig_id >> 8);
	hdr[1] = (uint8_t)rr.orig_id;
	{
		uint16_t ar = (uint16_t)((hdr[10] << 8 | hdr[11]) - 1);

		hdr[10] = (uint8_t)(ar >> 8);
		hdr[11] = (uint8_t)ar;
	}
	vl = variables(vars, sizeof(vars), k, rr.ttl, rr.time, rr.fudge,
	    rr.error, rr.other, rr.other_len, false);
	ml = mac_of(k, NULL, 0, hdr, pkt, rr.start, vars, vl, mac);
	if (ml == 0 || rr.mac_len != ml || !same_mac(mac, rr.mac, ml)) {
		ctx->error = TSIG_BADSIG;
		ctx->name = rr.key;
		*olen = error_answer(pkt, len, TSIG_BADSIG, out, cap, lim);
		return TSIG_FAIL;
	}
	ctx->key = k;
	memcpy(ctx->mac, mac, ml);
	ctx->mac_len = ml;
	ctx->orig_id = rr.orig_id;
	ctx->time = rr.time;
	/* The query as it was before it was signed. */
	memcpy(pkt + 10, hdr + 10, 2);
	*qlen = rr.start;
	if ((now > rr.time ? now - rr.time : rr.time - now) > rr.fudge) {
		struct msg_query q;
		struct msg_builder b;

		ctx->error = TSIG_BADTIME;
		ctx->name = rr.key;
		if (message_parse_query(pkt, *qlen, &q) == MSG_DROP)
			return TSIG_FAIL;
		q.edns = false;
		message_begin(&b, &q, out, cap, lim, RCODE_NOTAUTH, false, false);
		*olen = tsig_sign(ctx, out, message_finish(&b, 0), cap, now);
		return TSIG_FAIL;
	}
	return TSIG_OK;
}

/* Append a TSIG record to msg (len octets, room for cap): the new length,
 * or 0. */
static size_t
append(const struct tsig_key *k, uint8_t *msg, size_t len, size_t cap,
    uint64_t time, const uint8_t *mac, size_t mac_len, uint16_t orig_id,
    uint16_t error, const uint8_t *other, uint16_t other_len)
{
	struct wbuf w;
	size_t rdpos;
	uint16_t ar;

	wire_init_write(&w, msg, cap, cap);
	w.pos = len;
	wire_put_bytes(&w, k->name.data, k->name.len);
	wire_put_u16(&w, RR_TSIG);
	wire_put_u16(&w, CLASS_ANY);
	wire_put_u32(&w, 0);
	rdpos = w.pos;
	wire_put_u16(&w, 0);
	wire_put_bytes(&w, k->alg.data, k->alg.len);
	put_time(&w, time);
	wire_put_u16(&w, TSIG_FUDGE);
	wire_put_u16(&w, (uint16_t)mac_len);
	wire_put_bytes(&w, mac, mac_len);
	wire_put_u16(&w, orig_id);
	wire_put_u16(&w, error);
	wire_put_u16(&w, other_len);
	wire_put_bytes(&w, other, other_len);
	if (wire_err(&w) != 0)
		return 0;
	wire_put_u16_at(&w, rdpos, (uint16_t)(w.pos - rdpos - 2));
	ar = (uint16_t)((msg[10] << 8 | msg[11]) + 1);
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	return w.pos;
}

size_t
tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t len, size_t cap,
    uint64_t now)
{
	uint8_t vars[2 * DNAME_MAX + 32 + 64], mac[TSIG_MAC_MAX], other[6];
	uint16_t other_len = 0;
	uint64_t t = now;
	size_t vl, ml;
	bool first = ctx->signed_msgs == 0;

	if (len < MSG_HDR_LEN || ctx->key == NULL)
		return 0;
	if (ctx->error == TSIG_BADTIME) {
		/* Our time in Other Data, the query's as signed (5.2.3). */
		struct wbuf w;

		wire_init_write(&w, other, sizeof(other), sizeof(other));
		put_time(&w, now);
		other_len = 6;
		t = ctx->time;
	}
	vl = variables(vars, sizeof(vars), ctx->key, 0, t, TSIG_FUDGE,
	    ctx->error, other, other_len, !first);
	ml = mac_of(ctx->key, ctx->mac, ctx->mac_len, msg, msg, len, vars, vl,
	    mac);
	if (ml == 0)
		return 0;
	len = append(ctx->key, msg, len, cap, t, mac, ml, ctx->orig_id,
	    ctx->error, other, other_len);
	if (len == 0)
		return 0;
	memcpy(ctx->mac, mac, ml);
	ctx->mac_len = ml;
	ctx->signed_msgs++;
	return len;
}

size_t
tsig_sign_within(struct tsig_ctx *ctx, uint8_t *msg, size_t len, size_t lim,
    uint64_t now)
{
	size_t n;

	if (len > lim)
		return 0;
	n = tsig_sign(ctx, msg, len, lim, now);
	if (n > 0)
		return n;
	len = message_cut_to_question(msg, len);
	return len == 0 ? 0 : tsig_sign(ctx, msg, len, lim, now);
}

size_t
tsig_sign_request(const struct tsig_key *key, uint8_t *msg, size_t len,
    size_t cap, uint64_t now)
{
	uint8_t vars[2 * DNAME_MAX + 32], mac[TSIG_MAC_MAX];
	size_t vl, ml;

	if (len < MSG_HDR_LEN)
		return 0;
	vl = variables(vars, sizeof(vars), key, 0, now, TSIG_FUDGE, 0, NULL, 0,
	    false);
	ml = mac_of(key, NULL, 0, msg, msg, len, vars, vl, mac);
	if (ml == 0)
		return 0;
	return append(key, msg, len, cap, now, mac, ml,
	    (uint16_t)(msg[0] << 8 | msg[1]), 0, NULL, 0);
}
