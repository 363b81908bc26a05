/* test_answer.c - responses built from a table, checked on the wire. */
#include "helpers.h"
#include "zone/answer.h"
#include "zone/builder.h"
#include "dns/message.h"
#include "zone/table.h"

static struct table *tab;
static const struct answer_cfg cfg = { true, true, 1232, false, 0 };

struct resp {
	uint16_t id, flags, qd, an, ns, ar;
	uint8_t rcode;
	size_t len;
	enum answer_kind kind;
	uint8_t buf[65536];
};

static void
add(struct table_builder *b, const char *owner, uint16_t type,
    const void *rd, uint16_t len)
{
	struct dname n;

	assert_int_equal(dname_from_text(owner, strlen(owner), &n), 0);
	assert_true(table_builder_add(b, &n, type, rd, len) >= 0);
}

static int
setup(void **state)
{
	struct dname apex;
	struct table_soa soa = { 0 };
	struct table_builder *b;
	uint8_t srv[64] = { 0, 0, 0, 1, 0x7a, 0x69 };
	struct dname target;

	(void)state;
	dname_from_text("mesos", 5, &apex);
	dname_from_text("ns1.mesos", 9, &soa.mname);
	dname_from_text("root.ns1.mesos", 14, &soa.rname);
	soa.refresh = 60;
	soa.retry = 600;
	soa.expire = 86400;
	soa.minimum = soa.ttl = 60;
	b = table_builder_new(&apex, 60, &soa);
	add(b, "web.marathon.mesos", RR_A, "\x0a\x00\x00\x01", 4);
	add(b, "web.marathon.mesos", RR_A, "\x0a\x00\x00\x02", 4);
	add(b, "web.marathon.mesos", RR_A, "\x0a\x00\x00\x03", 4);
	add(b, "web.marathon.mesos", RR_AAAA,
	    "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	add(b, "ns1.mesos", RR_A, "\x7f\x00\x00\x01", 4);
	dname_from_text("web-x-s0.marathon.slave.mesos", 29, &target);
	memcpy(srv + 6, target.data, target.len);
	add(b, "_web._tcp.marathon.mesos", RR_SRV, srv,
	    (uint16_t)(6 + target.len));
	srv[5] = 0x6a;	/* a second port, same target */
	add(b, "_web._tcp.marathon.mesos", RR_SRV, srv,
	    (uint16_t)(6 + target.len));
	add(b, "web-x-s0.marathon.slave.mesos", RR_A, "\x0a\x01\x01\x01", 4);
	for (int i = 0; i < 100; i++) {
		uint8_t ip[4] = { 10, 9, 0, (uint8_t)i };

		add(b, "big.marathon.mesos", RR_A, ip, 4);
	}
	tab = table_builder_finish(b, NULL, 12345);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	table_unref(tab);
	return 0;
}

static void
ask_raw(const uint8_t *q, size_t qlen, bool tcp, uint32_t rnd,
    const struct answer_cfg *c, struct resp *r)
{
	struct answer_info info;
	struct msg_query parsed;

	memset(r, 0, sizeof(*r));
	r->kind = answer_query(tab, NULL, c, q, qlen, r->buf, sizeof(r->buf), tcp,
	    rnd, &r->len, &info, &parsed);
	if (r->kind == ANSWER_DROP)
		return;
	r->id = (uint16_t)(r->buf[0] << 8 | r->buf[1]);
	r->flags = (uint16_t)(r->buf[2] << 8 | r->buf[3]);
	r->rcode = r->buf[3] & 0xf;
	r->qd = (uint16_t)(r->buf[4] << 8 | r->buf[5]);
	r->an = (uint16_t)(r->buf[6] << 8 | r->buf[7]);
	r->ns = (uint16_t)(r->buf[8] << 8 | r->buf[9]);
	r->ar = (uint16_t)(r->buf[10] << 8 | r->buf[11]);
	assert_int_equal(info.rcode & 0xf, r->rcode);
}

static void
ask(const char *name, uint16_t type, uint16_t edns, bool tcp,
    struct resp *r)
{
	uint8_t q[512];
	size_t n = make_query(q, sizeof(q), 0xbeef, name, type, edns, 0);

	ask_raw(q, n, tcp, 0, &cfg, r);
}

#define AA 0x0400
#define TC 0x0200

static void
a_records_authoritatively(void **state)
{
	struct resp r;

	(void)state;
	ask("web.marathon.mesos", RR_A, 0, false, &r);
	assert_int_equal(r.kind, ANSWER_SEND);
	assert_int_equal(r.id, 0xbeef);
	assert_int_equal(r.rcode, RCODE_NOERROR);
	assert_true(r.flags & AA);
	assert_true(r.flags & 0x8000);	/* QR */
	assert_true(r.flags & 0x0080);	/* RA from recurseOn */
	assert_int_equal(r.an, 3);
	assert_int_equal(r.ns, 0);
	ask("web.marathon.mesos", RR_AAAA, 0, false, &r);
	assert_int_equal(r.an, 1);
}

static void
question_case_is_kept(void **state)
{
	struct resp r;

	(void)state;
	ask("WEB.Marathon.MESOS", RR_A, 0, false, &r);
	assert_int_equal(r.an, 3);
	assert_memory_equal(r.buf + 12, "\3WEB\10Marathon\5MESOS", 20);
}

static void
nxdomain_and_nodata_carry_the_soa(void **state)
{
	struct resp r;
	uint16_t types[] = { RR_A, RR_AAAA, RR_SRV, RR_TXT };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		ask("nope.marathon.mesos", types[i], 0, false, &r);
		assert_int_equal(r.rcode, RCODE_NXDOMAIN);
		assert_true(r.flags & AA);
		assert_int_equal(r.an, 0);
		assert_int_equal(r.ns, 1);
	}
	ask("web.marathon.mesos", RR_MX, 0, false, &r);
	assert_int_equal(r.rcode, RCODE_NOERROR);
	assert_int_equal(r.an, 0);
	assert_int_equal(r.ns, 1);
	/* An empty non-terminal exists: NODATA, not NXDOMAIN. */
	ask("_tcp.marathon.mesos", RR_A, 0, false, &r);
	assert_int_equal(r.rcode, RCODE_NOERROR);
	assert_int_equal(r.ns, 1);
	ask("marathon.mesos", RR_SRV, 0, false, &r);
	assert_int_equal(r.rcode, RCODE_NOERROR);
}

static void
apex_soa_and_ns(void **state)
{
	struct resp r;
	size_t o;

	(void)state;
	ask("mesos", RR_SOA, 0, false, &r);
	assert_int_equal(r.an, 1);
	assert_int_equal(r.ns, 0);
	/* Serial is the table's: the last 20 bytes are serial and timers. */
	o = r.len - 20;
	assert_int_equal((uint32_t)r.buf[o] << 24 | (uint32_t)r.buf[o + 1] << 16
	    | (uint32_t)r.buf[o + 2] << 8 | r.buf[o + 3], 12345);
	ask("Mesos", RR_NS, 0, false, &r);
	assert_int_equal(r.an, 1);
	assert_true(r.flags & AA);
	/* ANY: over TCP every rrset; over UDP one (RFC 8482), TC clear. */
	ask("mesos", RR_ANY, 0, true, &r);
	assert_int_equal(r.an, 2);
	ask("mesos", RR_ANY, 0, false, &r);
	assert_int_equal(r.an, 1);
	assert_false(r.flags & TC);
	ask("web.marathon.mesos", RR_ANY, 0, true, &r);
	assert_int_equal(r.an, 4);	/* three A, one AAAA */
	ask("web.marathon.mesos", RR_ANY, 0, false, &r);
	assert_true(r.an == 3 || r.an == 1);	/* one rrset */
	assert_false(r.flags & TC);
	assert_int_equal(r.rcode, RCODE_NOERROR);
}

static void
srv_with_target_addresses(void **state)
{
	struct resp r;

	(void)state;
	ask("_web._tcp.marathon.mesos", RR_SRV, 0, false, &r);
	assert_int_equal(r.an, 2);
	assert_int_equal(r.ar, 1);	/* one target, glued once */
	ask("_web._tcp.marathon.mesos", RR_SRV, 1232, false, &r);
	assert_int_equal(r.ar, 2);	/* the glue and OPT */
}

static void
udp_truncation_keeps_whole_records(void **state)
{
	struct resp r;
	struct answer_cfg notc = cfg;

	(void)state;
	ask("big.marathon.mesos", RR_A, 0, false, &r);
	assert_true(r.flags & TC);
	/* 12 + question 24, then 16 per record within 512. */
	assert_int_equal(r.an, (512 - 36) / 16);
	assert_true(r.len <= 512);
	/* 36 + 100 * 16 + OPT 11 = 1647: fits 4096, not 1232. */
	ask("big.marathon.mesos", RR_A, 1232, false, &r);
	assert_true(r.flags & TC);
	assert_int_equal(r.an, (1232 - 11 - 36) / 16);
	ask("big.marathon.mesos", RR_A, 4096, false, &r);
	assert_false(r.flags & TC);
	assert_int_equal(r.an, 100);
	assert_int_equal(r.ar, 1);	/* OPT echoed */
	ask("big.marathon.mesos", RR_A, 600, false, &r);
	assert_true(r.flags & TC);
	assert_true(r.len <= 600);
	assert_int_equal(r.ar, 1);
	ask("big.marathon.mesos", RR_A, 0, true, &r);
	assert_false(r.flags & TC);
	assert_int_equal(r.an, 100);
	/* setTruncateBit false: cut, but no TC. */
	{
		uint8_t q[512];
		size_t n = make_query(q, sizeof(q), 1, "big.marathon.mesos",
		    RR_A, 0, 0);

		notc.set_truncate_bit = false;
		ask_raw(q, n, false, 0, &notc, &r);
		assert_false(r.flags & TC);
		assert_true(r.len <= 512);
	}
}

/* A truncated answer holds the same records whatever the rotation (the
 * first that fit, in the rrset's order); a whole one still rotates. */
static void
truncated_answers_are_stable(void **state)
{
	uint8_t q[512];
	size_t n = make_query(q, sizeof(q), 1, "big.marathon.mesos", RR_A, 0,
	    0);
	struct resp r;
	uint8_t first[512];
	size_t first_len = 0;

	(void)state;
	for (uint32_t rnd = 0; rnd < 50; rnd++) {
		ask_raw(q, n, false, rnd * 7919u, &cfg, &r);
		assert_true(r.flags & TC);
		assert_int_equal(r.an, (512 - 36) / 16);
		if (rnd == 0) {
			memcpy(first, r.buf, r.len);
			first_len = r.len;
			continue;
		}
		assert_int_equal(r.len, first_len);
		assert_memory_equal(r.buf, first, r.len);
	}
	/* Over TCP the whole set, rotated: two draws differ. */
	ask_raw(q, n, true, 3, &cfg, &r);
	assert_int_equal(r.an, 100);
	memcpy(first, r.buf, 100);
	ask_raw(q, n, true, 4, &cfg, &r);
	assert_memory_not_equal(r.buf + 36, first + 36, 60);
}

/* The apex NS comes with its address (RFC 1035 3.3.11). */
static void
ns_has_glue(void **state)
{
	struct resp r;

	(void)state;
	ask("mesos", RR_NS, 0, false, &r);
	assert_int_equal(r.an, 1);
	assert_int_equal(r.ar, 1);
	assert_memory_equal(r.buf + r.len - 4, "\x7f\x00\x00\x01", 4);
	ask("mesos", RR_NS, 1232, false, &r);
	assert_int_equal(r.ar, 2);	/* the glue and OPT */
}

/* AXFR and IXFR: REFUSED, over UDP and TCP (RFC 5936 2.2.1). */
static void
transfers_are_refused(void **state)
{
	struct resp r;

	(void)state;
	ask("mesos", RR_AXFR, 0, true, &r);
	assert_int_equal(r.rcode, RCODE_REFUSED);
	assert_int_equal(r.an + r.ns, 0);
	/* The transport decides (net/xfr.c); REFUSED until it does. */
	assert_int_equal(r.kind, ANSWER_XFR);
	ask("mesos", RR_IXFR, 0, false, &r);
	assert_int_equal(r.rcode, RCODE_REFUSED);
	ask("marathon.mesos", RR_AXFR, 1232, true, &r);
	assert_int_equal(r.rcode, RCODE_REFUSED);
}

/* A query with a TSIG record and a key we do not hold: NOTAUTH, with an
 * unsigned TSIG whose error is BADKEY, after the OPT (RFC 8945 5.2). */
static void
tsig_with_unknown_key(void **state)
{
	uint8_t q[512];
	size_t n = make_query(q, sizeof(q), 0x4242, "web.marathon.mesos", RR_A,
	    1232, 0);
	static const uint8_t tsig[] =
	    "\3key\0" "\0\xfa\0\xff\0\0\0\0" "\0\x1f"
	    "\x0bhmac-sha256\0"
	    "\0\0\x65\x43\x21\x0f" "\x01\x2c" "\0\x02\xab\xcd"
	    "\x42\x42" "\0\0" "\0\0";
	struct resp r;
	const uint8_t *t;

	(void)state;
	memcpy(q + n, tsig, sizeof(tsig) - 1);
	n += sizeof(tsig) - 1;
	q[11] = 2;	/* OPT and TSIG */
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_NOTAUTH);
	assert_int_equal(r.an, 0);
	assert_int_equal(r.ar, 2);
	assert_false(r.flags & AA);
	/* The TSIG is last: owner, type 250, class ANY, ttl 0, rdata. */
	t = r.buf + r.len - (5 + 10 + 13 + 16);
	assert_memory_equal(t, "\3key\0\0\xfa\0\xff\0\0\0\0", 13);
	t += 15 + 13;
	assert_memory_equal(t, "\0\0\x65\x43\x21\x0f\x01\x2c\0\0\x42\x42"
	    "\0\x11\0\0", 16);
	/* Without EDNS, the same error. */
	n = make_query(q, sizeof(q), 0x4242, "elsewhere.example", RR_A, 0, 0);
	memcpy(q + n, tsig, sizeof(tsig) - 1);
	n += sizeof(tsig) - 1;
	q[11] = 1;
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_NOTAUTH);
	assert_int_equal(r.kind, ANSWER_SEND);
	assert_int_equal(r.ar, 1);
	/* A TSIG that is not the last record: FORMERR (RFC 8945 5.1). */
	n = make_query(q, sizeof(q), 0x4242, "web.marathon.mesos", RR_A, 0, 0);
	memcpy(q + n, tsig, sizeof(tsig) - 1);
	n += sizeof(tsig) - 1;
	memcpy(q + n, "\0\0\x29\x04\xd0\0\0\0\0\0\0", 11);
	n += 11;
	q[11] = 2;
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_FORMERR);
}

static void
answers_are_rotated(void **state)
{
	uint8_t q[512];
	size_t n = make_query(q, sizeof(q), 1, "web.marathon.mesos", RR_A, 0,
	    0);
	struct resp r;
	int firsts[3] = { 0 };

	(void)state;
	for (uint32_t rnd = 0; rnd < 3; rnd++) {
		ask_raw(q, n, false, rnd, &cfg, &r);
		/* Header 12 + question 24 + owner 2, type, class, ttl,
		 * rdlen: the first address ends at byte 52. */
		firsts[r.buf[51] - 1]++;
	}
	assert_int_equal(firsts[0], 1);
	assert_int_equal(firsts[1], 1);
	assert_int_equal(firsts[2], 1);
}

static void
outside_the_zone_is_refused(void **state)
{
	struct resp r;

	(void)state;
	ask("example.com", RR_A, 0, false, &r);
	assert_int_equal(r.kind, ANSWER_NOT_OURS);
	assert_int_equal(r.rcode, RCODE_REFUSED);
	assert_false(r.flags & AA);
	ask("notmesos", RR_A, 0, false, &r);
	assert_int_equal(r.rcode, RCODE_REFUSED);
}

static void
bad_queries(void **state)
{
	uint8_t q[512];
	size_t n = make_query(q, sizeof(q), 77, "web.marathon.mesos", RR_A, 0,
	    0);
	struct resp r;

	(void)state;
	q[2] |= 0x80;	/* a response: never answered */
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.kind, ANSWER_DROP);
	q[2] = 0x01 | (4 << 3);	/* NOTIFY */
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_NOTIMP);
	assert_int_equal(r.id, 77);
	/* Unknown opcodes, RD and CD set: QR, the opcode and NOTIMP only
	 * (RA, RD and CD are QUERY's), with EDNS or without. */
	for (unsigned op = 1; op < 16; op++) {
		uint8_t p[512];
		size_t m = make_query(p, sizeof(p), 78, "web.marathon.mesos",
		    RR_A, op & 1 ? 1232 : 0, 0);

		p[2] = (uint8_t)(op << 3 | 0x01);
		p[3] = 0x10;	/* CD */
		ask_raw(p, m, false, 0, &cfg, &r);
		assert_int_equal(r.flags, 0x8000 | op << 11 | RCODE_NOTIMP);
	}
	q[2] = 0x01;
	ask_raw(q, n - 3, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_FORMERR);
	ask_raw(q, 5, false, 0, &cfg, &r);
	assert_int_equal(r.kind, ANSWER_DROP);
	/* Class CH is not ours, nor for forwarding: our zone is IN only. */
	q[n - 1] = 3;
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, RCODE_REFUSED);
	assert_int_equal(r.kind, ANSWER_SEND);
	/* EDNS version 1: BADVERS (16) with OPT. */
	n = make_query(q, sizeof(q), 1, "web.marathon.mesos", RR_A, 1232, 0);
	q[n - 5] = 1;
	ask_raw(q, n, false, 0, &cfg, &r);
	assert_int_equal(r.rcode, 0);
	assert_int_equal(r.ar, 1);
	assert_int_equal(r.buf[r.len - 6], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_records_authoritatively),
		cmocka_unit_test(question_case_is_kept),
		cmocka_unit_test(nxdomain_and_nodata_carry_the_soa),
		cmocka_unit_test(apex_soa_and_ns),
		cmocka_unit_test(srv_with_target_addresses),
		cmocka_unit_test(udp_truncation_keeps_whole_records),
		cmocka_unit_test(answers_are_rotated),
		cmocka_unit_test(truncated_answers_are_stable),
		cmocka_unit_test(ns_has_glue),
		cmocka_unit_test(transfers_are_refused),
		cmocka_unit_test(tsig_with_unknown_key),
		cmocka_unit_test(outside_the_zone_is_refused),
		cmocka_unit_test(bad_queries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
