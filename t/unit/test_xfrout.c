/* test_xfrout.c - zone transfers out, read back off the wire: every
 * record once, the SOA first and last, the question in the first message
 * only, messages within their bounds; the serial an IXFR carries; the
 * NOTIFY request. */
#include "helpers.h"

#include "dns/message.h"
#include "dns/err.h"
#include "dns/rr.h"
#include "zone/builder.h"
#include "zone/xfrout.h"
#include "zone/zonefile.h"

#define NAMES 6000

static struct table *
big_table(void)
{
	struct dname apex, n;
	struct table_soa soa = { 0 };
	struct table_builder *b;
	char name[64];

	dname_from_text("mesos", 5, &apex);
	dname_from_text("ns1.mesos", 9, &soa.mname);
	dname_from_text("root.ns1.mesos", 14, &soa.rname);
	soa.refresh = 60;
	soa.retry = 600;
	soa.expire = 86400;
	soa.minimum = soa.ttl = 60;
	b = table_builder_new(&apex, 60, &soa);
	for (int i = 0; i < NAMES; i++) {
		uint8_t ip[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
		    (uint8_t)i };

		snprintf(name, sizeof(name), "task-%d.marathon.mesos", i);
		assert_int_equal(dname_from_text(name, strlen(name), &n), 0);
		assert_true(table_builder_add(b, &n, RR_A, ip, 4) >= 0);
	}
	return table_builder_finish(b, NULL, 777);
}

struct seen {
	uint32_t msgs, records, soas;
	uint16_t first_type, last_type;
	uint32_t last_serial;
};

/* Read one message of a transfer; the records into s. */
static void
read_msg(const uint8_t *m, size_t len, struct seen *s)
{
	struct msg_header h;
	struct wbuf w;
	struct dname name;

	assert_true(len >= MSG_HDR_LEN && len <= MSG_MAX);
	assert_int_equal(message_read_header(m, len, &h), 0);
	assert_true(h.flags & MSG_FLAG_QR);
	assert_true(h.flags & 0x0400);	/* AA */
	assert_int_equal(h.flags & 0xf, RCODE_NOERROR);
	assert_int_equal(h.qdcount, s->msgs == 0 ? 1 : 0);
	wire_init_read(&w, m, len);
	wire_skip(&w, MSG_HDR_LEN);
	if (h.qdcount == 1) {
		assert_int_equal(dname_parse(&w, &name), 0);
		wire_skip(&w, 4);
	}
	for (uint16_t i = 0; i < h.ancount; i++) {
		uint16_t type, rdlen;
		size_t at;

		assert_int_equal(dname_parse(&w, &name), 0);
		type = wire_get_u16(&w);
		wire_skip(&w, 6);
		rdlen = wire_get_u16(&w);
		at = w.pos;
		if (s->records == 0)
			s->first_type = type;
		s->last_type = type;
		if (type == RR_SOA) {
			s->soas++;
			assert_int_equal(dname_parse(&w, &name), 0);
			assert_int_equal(dname_parse(&w, &name), 0);
			s->last_serial = wire_get_u32(&w);
		}
		wire_skip(&w, rdlen - (w.pos - at));
		assert_int_equal(wire_err(&w), 0);
		s->records++;
	}
	assert_int_equal(w.pos, len);
	s->msgs++;
}

static void
axfr_of_a_table(void **state)
{
	struct table *t = big_table();
	struct msg_query q = { 0 };
	struct xfrout x;
	struct seen s = { 0 };
	static uint8_t buf[MSG_MAX];
	size_t n;

	(void)state;
	q.id = 7;
	q.has_question = true;
	dname_from_text("mesos", 5, &q.qname);
	q.qtype = RR_AXFR;
	q.qclass = CLASS_IN;
	xfrout_init(&x, t, NULL, &q);
	while ((n = xfrout_next(&x, buf)) > 0) {
		assert_true(n <= XFROUT_MSG_TARGET + 600);
		read_msg(buf, n, &s);
	}
	/* SOA, NS, every record, SOA. */
	assert_int_equal(s.records, t->n_recs + 3);
	assert_int_equal(s.first_type, RR_SOA);
	assert_int_equal(s.last_type, RR_SOA);
	assert_int_equal(s.soas, 2);
	assert_int_equal(s.last_serial, t->serial);
	assert_true(s.msgs > 3);
	assert_int_equal(xfrout_next(&x, buf), 0);
	table_unref(t);
}

static int
rd(void *arg, const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	(void)path;
	(void)err;
	(void)errlen;
	*len = strlen(arg);
	*text = malloc(*len + 1);
	memcpy(*text, arg, *len + 1);
	return 0;
}

static void
axfr_of_a_static_zone(void **state)
{
	char zone[] = "@ IN SOA ns hm 42 3600 600 86400 30\n@ IN NS ns\n"
	    "ns IN A 192.0.2.1\nwww 300 IN A 192.0.2.2\n"
	    "www IN TXT \"hello\"\n*.w IN A 192.0.2.3\n";
	char err[256], warn[256];
	struct dname apex;
	struct szone *z;
	struct msg_query q = { 0 };
	struct xfrout x;
	struct seen s = { 0 };
	static uint8_t buf[MSG_MAX];
	size_t n;

	(void)state;
	dname_from_text("t.test", 6, &apex);
	z = zonefile_load(&apex, "/z/t.zone", 0, rd, zone, err, sizeof(err),
	    warn, sizeof(warn));
	assert_non_null(z);
	q.has_question = true;
	q.qname = apex;
	q.qtype = RR_AXFR;
	q.qclass = CLASS_IN;
	xfrout_init(&x, NULL, z, &q);
	while ((n = xfrout_next(&x, buf)) > 0)
		read_msg(buf, n, &s);
	assert_int_equal(s.msgs, 1);
	/* The file's six records, the SOA twice. */
	assert_int_equal(s.records, 7);
	assert_int_equal(s.soas, 2);
	assert_int_equal(s.last_serial, 42);
	/* The SOA alone (an IXFR from the current serial). */
	n = xfrout_soa_only(NULL, z, &q, buf, 512);
	s = (struct seen){ 0 };
	read_msg(buf, n, &s);
	assert_int_equal(s.records, 1);
	assert_int_equal(s.first_type, RR_SOA);
	/* The NOTIFY: a request (QR clear), opcode 4, AA, the SOA. */
	n = xfrout_notify(NULL, z, buf, 512);
	assert_true(n > MSG_HDR_LEN);
	assert_int_equal(buf[2] & 0x80, 0);
	assert_int_equal((buf[2] >> 3) & 0xf, OPCODE_NOTIFY);
	assert_int_equal(buf[7], 1);	/* ANCOUNT: the SOA */
	szone_unref(z);
}

static void
ixfr_serial(void **state)
{
	uint8_t q[512];
	size_t n;
	struct msg_query mq;
	uint32_t serial = 0;
	/* SOA for "mesos" in authority: names "a." and "b.", serial 99. */
	static const uint8_t soa[] = "\xc0\x0c" "\0\x06\0\x01" "\0\0\0\0"
	    "\0\x1a" "\1a\0" "\1b\0" "\0\0\0\x63" "\0\0\0\1" "\0\0\0\1"
	    "\0\0\0\1" "\0\0\0\1";

	(void)state;
	n = make_query(q, sizeof(q), 1, "mesos", RR_IXFR, 0, 0);
	memcpy(q + n, soa, sizeof(soa) - 1);
	q[9] = 1;	/* NSCOUNT */
	n += sizeof(soa) - 1;
	assert_int_equal(message_parse_query(q, n, &mq), MSG_OK);
	assert_int_equal(xfrout_ixfr_serial(q, n, &mq, &serial), 0);
	assert_int_equal(serial, 99);
	/* Without the SOA, or cut short: refused. */
	assert_int_equal(xfrout_ixfr_serial(q, n - 3, &mq, &serial),
	    -E_FORMAT);
	q[9] = 0;
	assert_int_equal(xfrout_ixfr_serial(q, n, &mq, &serial), -E_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(axfr_of_a_table),
		cmocka_unit_test(axfr_of_a_static_zone),
		cmocka_unit_test(ixfr_serial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
