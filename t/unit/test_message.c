/* test_message.c - query parsing and response building. */
#include "helpers.h"
#include "dns/err.h"
#include "dns/message.h"

static void
parses_a_query_with_edns(void **state)
{
	uint8_t pkt[512];
	size_t n = make_query(pkt, sizeof(pkt), 0x4242, "Web.Mesos", 33, 4096, 1);
	struct msg_query q;
	char text[64];

	(void)state;
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	assert_int_equal(q.id, 0x4242);
	assert_int_equal(q.qtype, 33);
	assert_int_equal(q.qclass, 1);
	assert_true(q.edns);
	assert_int_equal(q.edns_size, 4096);
	assert_true(q.edns_do);
	dname_to_text(&q.qname, text, sizeof(text));
	assert_string_equal(text, "Web.Mesos.");	/* case kept */
	/* Where things are, for the forwarder: the question ends after
	 * 12 + 11 + 4 bytes; the OPT's size follows its root owner and type. */
	assert_int_equal(q.question_end, 27);
	assert_int_equal(q.edns_size_off, 30);
	assert_int_equal(pkt[q.edns_size_off] << 8 | pkt[q.edns_size_off + 1],
	    4096);
	n = make_query(pkt, sizeof(pkt), 1, "a.mesos", 1, 0, 0);
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	assert_int_equal(q.edns_size_off, 0);
	assert_int_equal(q.question_end, n);
}

static void
verdicts_for_bad_packets(void **state)
{
	uint8_t pkt[512];
	size_t n;
	struct msg_query q;

	(void)state;
	n = make_query(pkt, sizeof(pkt), 1, "a.mesos", 1, 0, 0);
	assert_int_equal(message_parse_query(pkt, 11, &q), MSG_DROP);
	pkt[2] |= 0x80;		/* QR: a response */
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_DROP);
	pkt[2] = 0x10;		/* opcode 2 (STATUS) */
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_NOTIMP);
	assert_true(q.has_question);
	pkt[2] = 0x01;
	pkt[5] = 2;		/* QDCOUNT 2 */
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_FORMERR);
	pkt[5] = 1;
	assert_int_equal(message_parse_query(pkt, n - 1, &q), MSG_FORMERR);
	/* EDNS version 1 -> BADVERS. */
	n = make_query(pkt, sizeof(pkt), 1, "a.mesos", 1, 1232, 0);
	pkt[n - 5] = 1;
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_BADVERS);
}

static void
two_opt_records_are_formerr(void **state)
{
	uint8_t pkt[512];
	size_t n = make_query(pkt, sizeof(pkt), 1, "a.mesos", 1, 1232, 0);
	struct msg_query q;

	(void)state;
	memcpy(pkt + n, pkt + n - 11, 11);
	n += 11;
	pkt[11] = 2;
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_FORMERR);
}

static void
builds_compressed_records_and_undoes_what_does_not_fit(void **state)
{
	uint8_t pkt[512], out[100];
	size_t n = make_query(pkt, sizeof(pkt), 7, "x.example", 1, 0, 0);
	struct msg_builder b;
	struct msg_query q;
	struct dname owner;
	const uint8_t ip[4] = { 10, 0, 0, 1 };
	size_t len, before;
	int added = 0;

	(void)state;
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	message_begin(&b, &q, out, sizeof(out), sizeof(out), 0, true, false);
	dname_from_text("x.example", 9, &owner);
	while (message_put_rr(&b, SEC_ANSWER, &owner, 1, 60, ip, 4) == 0)
		added++;
	/* Header 12 + question 15; each compressed A record is 16. */
	assert_int_equal(added, (100 - 27) / 16);
	before = b.w.pos;
	assert_int_equal(before, 27u + 16u * (unsigned)added);
	len = message_finish(&b, 1232);
	assert_int_equal(len, before);
	assert_int_equal(out[7], added);	/* ANCOUNT */
	assert_int_equal(out[2] & 0x04, 0x04);	/* AA */
	assert_int_equal(out[27], 0xC0);	/* owner points at the question */
	assert_int_equal(out[28], 12);
}

static void
opt_is_echoed_with_do_and_extended_rcode(void **state)
{
	uint8_t pkt[512], out[512];
	size_t n = make_query(pkt, sizeof(pkt), 9, "a.mesos", 1, 1400, 1);
	struct msg_builder b;
	struct msg_query q;
	size_t len;

	(void)state;
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	message_begin(&b, &q, out, sizeof(out), 512, 0, false, true);
	message_set_rcode(&b, RCODE_BADVERS);
	len = message_finish(&b, 1232);
	assert_int_equal(out[11], 1);			/* ARCOUNT */
	assert_int_equal(out[3] & 0xf, 0);		/* 16 & 0xf */
	assert_int_equal(out[len - 11], 0);		/* root owner */
	assert_int_equal(out[len - 9], 41);		/* OPT */
	assert_int_equal(out[len - 8] << 8 | out[len - 7], 1232);
	assert_int_equal(out[len - 6], 1);		/* 16 >> 4 */
	assert_int_equal(out[len - 4], 0x80);		/* DO echoed */
	assert_int_equal(out[3] & 0x80, 0x80);		/* RA */
}

/* A query's OPT with options opts (n octets) in pkt: its length. */
static size_t
query_with_options(uint8_t *pkt, const uint8_t *opts, size_t n)
{
	size_t len = make_query(pkt, 512, 7, "a.mesos", 1, 1232, 0);

	pkt[len - 2] = (uint8_t)(n >> 8);
	pkt[len - 1] = (uint8_t)n;
	memcpy(pkt + len, opts, n);
	return len + n;
}

/* EDNS options read (NSID, COOKIE; bad cookie lengths FORMERR), the room
 * kept for them, and options added to the answer's OPT. */
static void
edns_options(void **state)
{
	static const uint8_t both[] = { 0, 3, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5,
	    6, 7, 8 };
	static const uint8_t short_cookie[] = { 0, 10, 0, 2, 1, 2 };
	static const uint8_t overrun[] = { 0, 10, 0, 9, 1, 2 };
	static const uint8_t nsid[] = { 0, 3, 0, 2, 'h', 'i' };
	uint8_t pkt[512], out[512];
	struct msg_query q;
	struct msg_builder b;
	size_t n, len, with;

	(void)state;
	n = query_with_options(pkt, both, sizeof(both));
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	assert_true(q.nsid);
	assert_int_equal(q.cookie_len, 8);
	assert_int_equal(q.cookie[7], 8);
	n = query_with_options(pkt, short_cookie, sizeof(short_cookie));
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_FORMERR);
	n = query_with_options(pkt, overrun, sizeof(overrun));
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_FORMERR);
	/* Room kept: an answer limited to 100 octets stops 6 short. */
	n = query_with_options(pkt, both, sizeof(both));
	assert_int_equal(message_parse_query(pkt, n, &q), MSG_OK);
	q.opt_extra = sizeof(nsid);
	message_begin(&b, &q, out, sizeof(out), 100, 0, true, false);
	assert_int_equal(b.w.lim, 100 - 11 - sizeof(nsid));
	len = message_finish(&b, 1232);
	assert_true(b.opt_at > 0);
	with = message_add_options(out, len, 100, b.opt_at, nsid, sizeof(nsid));
	assert_int_equal(with, len + sizeof(nsid));
	assert_int_equal(out[b.opt_at + 10], sizeof(nsid));	/* RDLEN */
	assert_memory_equal(out + len, nsid, sizeof(nsid));
	/* Not an OPT there, or no room: unchanged. */
	assert_int_equal(message_add_options(out, with, 512, b.opt_at + 1,
	    nsid, sizeof(nsid)), with);
	assert_int_equal(message_add_options(out, with, with, b.opt_at,
	    nsid, sizeof(nsid)), with);
	/* An OPT put on a message cut to its question: BADCOOKIE. */
	len = message_cut_to_question(out, with);
	assert_int_equal(out[11], 0);
	len = message_put_opt(out, len, sizeof(out), 1232, RCODE_BADCOOKIE,
	    nsid, sizeof(nsid));
	assert_int_equal(out[11], 1);
	assert_int_equal(out[3] & 0x0f, RCODE_BADCOOKIE & 0x0f);
	assert_int_equal(out[len - sizeof(nsid) - 6], RCODE_BADCOOKIE >> 4);
}

/* The accessors the rest of taskdns reads and patches packets with. */
static void
header_accessors(void **state)
{
	uint8_t q[512], a[512];
	size_t n = make_query(q, sizeof(q), 0x1234, "Web.Marathon.mesos", 1,
	    5000, 0);
	struct msg_header h;
	struct msg_query pq;

	(void)state;
	assert_int_equal(message_read_header(q, n, &h), 0);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.arcount, 1);
	assert_int_equal(message_read_header(q, 11, &h), -E_SHORT);
	assert_int_equal(message_peek_rcode(q, 11), -1);
	memcpy(a, q, n);
	a[3] = 0x83;	/* RA, NXDOMAIN */
	assert_int_equal(message_peek_rcode(a, n), 3);
	message_set_id(a, n, 0xbeef);
	assert_int_equal(a[0], 0xbe);
	assert_int_equal(a[1], 0xef);
	assert_int_equal(message_parse_query(q, n, &pq), MSG_OK);
	/* The same question whatever the case; another name is not. */
	a[13] = 'w';
	assert_true(message_same_question(a, n, q, pq.question_end));
	a[14] = 'x';
	assert_false(message_same_question(a, n, q, pq.question_end));
	assert_false(message_same_question(a, pq.question_end - 1, q,
	    pq.question_end));
	message_set_edns_size(q, n, &pq, 4096);
	assert_int_equal(message_parse_query(q, n, &pq), MSG_OK);
	assert_int_equal(pq.edns_size, 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_accessors),
		cmocka_unit_test(parses_a_query_with_edns),
		cmocka_unit_test(verdicts_for_bad_packets),
		cmocka_unit_test(two_opt_records_are_formerr),
		cmocka_unit_test(builds_compressed_records_and_undoes_what_does_not_fit),
		cmocka_unit_test(opt_is_echoed_with_do_and_extended_rcode),
		cmocka_unit_test(edns_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
