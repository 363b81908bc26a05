/* test_journal.c - the differences between generations (zone/journal.c)
 * are exactly what one holds and the other does not, whether the next
 * was built in full or patched; steps condense (a record gone and back
 * is in neither run); the journal keeps its last steps and starts again
 * when generations cannot be compared; an IXFR written from a step reads
 * back as RFC 1995 has it. */
#include "helpers.h"

#include "dns/message.h"
#include "dns/rr.h"
#include "zone/builder.h"
#include "zone/journal.h"
#include "zone/patch.h"
#include "zone/szone.h"
#include "zone/table.h"
#include "zone/xfrout.h"

#define N 3000

static struct dname
name_of(int i)
{
	char text[64];
	struct dname n;

	snprintf(text, sizeof(text), "task-%d.marathon.mesos", i);
	assert_int_equal(dname_from_text(text, strlen(text), &n), 0);
	return n;
}

static void
ip_of(int i, int v, uint8_t ip[4])
{
	ip[0] = 10;
	ip[1] = (uint8_t)v;
	ip[2] = (uint8_t)(i >> 8);
	ip[3] = (uint8_t)i;
}

/* A full build of the tasks in[] (each one A, value v[i]). */
static struct table *
full(const bool *in, const uint8_t *v, uint32_t ttl, const struct table *prev,
    uint32_t now)
{
	struct dname apex;
	struct table_soa soa = { 0 };
	struct table_builder *b;

	dname_from_text("mesos", 5, &apex);
	dname_from_text("ns1.mesos", 9, &soa.mname);
	soa.ttl = soa.minimum = 60;
	b = table_builder_new(&apex, ttl, &soa);
	for (int i = 0; i < N; i++) {
		struct dname n = name_of(i);
		uint8_t ip[4];

		if (!in[i])
			continue;
		ip_of(i, v[i], ip);
		assert_true(table_builder_add(b, &n, RR_A, ip, 4) >= 0);
	}
	return table_builder_finish(b, prev, now);
}

/* The owners' task numbers and A values of a run, as "i/v" sorted. */
static unsigned
run_items(const uint8_t *run, size_t len, int *items)
{
	size_t pos = 0;
	struct jrec r;
	unsigned n = 0;

	while (jdiff_read(run, len, &pos, &r)) {
		char text[DNAME_TEXT_MAX];
		int i;

		assert_int_equal(r.type, RR_A);
		assert_int_equal(r.rdlen, 4);
		assert_int_equal(r.ttl, 60);
		assert_true(dname_to_text(&r.owner, text, sizeof(text)) > 0);
		assert_int_equal(sscanf(text, "task-%d.", &i), 1);
		assert_int_equal(r.rdata[2] << 8 | r.rdata[3], i);
		items[n++] = i * 256 + r.rdata[1];
	}
	assert_int_equal(pos, len);
	return n;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* d is what takes (in0, v0) to (in1, v1), no more. */
static void
is_step(const struct jdiff *d, const bool *in0, const uint8_t *v0,
    const bool *in1, const uint8_t *v1)
{
	static int got[2 * N], want[2 * N];
	unsigned n, w;

	n = run_items(d->del, d->del_len, got);
	assert_int_equal(n, d->n_del);
	w = 0;
	for (int i = 0; i < N; i++)
		if (in0[i] && (!in1[i] || v1[i] != v0[i]))
			want[w++] = i * 256 + v0[i];
	qsort(got, n, sizeof(int), cmp_int);
	assert_int_equal(n, w);
	assert_memory_equal(got, want, w * sizeof(int));
	n = run_items(d->add, d->add_len, got);
	assert_int_equal(n, d->n_add);
	w = 0;
	for (int i = 0; i < N; i++)
		if (in1[i] && (!in0[i] || v1[i] != v0[i]))
			want[w++] = i * 256 + v1[i];
	qsort(got, n, sizeof(int), cmp_int);
	assert_int_equal(n, w);
	assert_memory_equal(got, want, w * sizeof(int));
}

static bool in[4][N];
static uint8_t val[4][N];

static void
states(void)
{
	for (int i = 0; i < N; i++) {
		in[0][i] = i % 3 != 0;
		val[0][i] = 1;
	}
	/* 1: some gone, some new, one moved */
	memcpy(in[1], in[0], sizeof(in[0]));
	memcpy(val[1], val[0], sizeof(val[0]));
	in[1][1] = in[1][2] = false;
	in[1][3] = in[1][6] = true;
	val[1][4] = 2;
	/* 2: task 1 back, task 3 gone again */
	memcpy(in[2], in[1], sizeof(in[1]));
	memcpy(val[2], val[1], sizeof(val[1]));
	in[2][1] = true;
	in[2][3] = false;
	/* 3: many */
	memcpy(in[3], in[2], sizeof(in[2]));
	memcpy(val[3], val[2], sizeof(val[2]));
	for (int i = 100; i < 400; i++)
		in[3][i] = !in[3][i];
}

static void
full_builds(void **state)
{
	struct table *t[4];
	struct jdiff *d;

	(void)state;
	states();
	t[0] = full(in[0], val[0], 60, NULL, 1000);
	assert_null(journal_next(NULL, t[0], 100, JOURNAL_MAX_BYTES));
	for (int k = 1; k < 4; k++) {
		t[k] = full(in[k], val[k], 60, t[k - 1], 1000 + (uint32_t)k);
		t[k]->journal = journal_next(t[k - 1], t[k], 100,
		    JOURNAL_MAX_BYTES);
		assert_non_null(t[k]->journal);
		assert_int_equal(t[k]->journal->n, k);
		d = t[k]->journal->steps[k - 1];
		assert_int_equal(d->from, t[k - 1]->serial);
		assert_int_equal(d->to, t[k]->serial);
		is_step(d, in[k - 1], val[k - 1], in[k], val[k]);
	}
	/* Condensed: 0 -> 3 in one step; task 1 and 3 (gone and back, back
	 * and gone) in neither run. */
	d = journal_since(t[3]->journal, t[0]->serial);
	assert_non_null(d);
	is_step(d, in[0], val[0], in[3], val[3]);
	jdiff_unref(d);
	d = journal_since(t[3]->journal, t[1]->serial);
	is_step(d, in[1], val[1], in[3], val[3]);
	jdiff_unref(d);
	assert_null(journal_since(t[3]->journal, 12345));
	assert_null(journal_since(t[3]->journal, t[3]->serial));
	for (int k = 0; k < 4; k++)
		table_unref(t[k]);
}

static void
patched(void **state)
{
	struct table *a, *b;
	struct table_patch *p;
	char why[128];

	(void)state;
	states();
	a = full(in[0], val[0], 60, NULL, 1000);
	p = table_patch_new(a, 0);
	for (int i = 0; i < N; i++) {
		struct dname n = name_of(i);
		uint8_t ip[4];

		dname_lower(&n);
		if (in[0][i] && (!in[1][i] || val[1][i] != val[0][i])) {
			ip_of(i, val[0][i], ip);
			table_patch_add(p, &n, RR_A, ip, 4, -1);
		}
		if (in[1][i] && (!in[0][i] || val[1][i] != val[0][i])) {
			ip_of(i, val[1][i], ip);
			table_patch_add(p, &n, RR_A, ip, 4, 1);
		}
	}
	b = table_patch_finish(p, 1001, 0, why, sizeof(why));
	assert_non_null(b);
	b->journal = journal_next(a, b, 100, JOURNAL_MAX_BYTES);
	assert_non_null(b->journal);
	is_step(b->journal->steps[0], in[0], val[0], in[1], val[1]);
	table_unref(a);
	table_unref(b);
}

static void
bounds_and_resets(void **state)
{
	struct table *t[4], *u;

	(void)state;
	states();
	t[0] = full(in[0], val[0], 60, NULL, 1000);
	for (int k = 1; k < 4; k++) {
		t[k] = full(in[k], val[k], 60, t[k - 1], 1000 + (uint32_t)k);
		t[k]->journal = journal_next(t[k - 1], t[k], 2,
		    JOURNAL_MAX_BYTES);
	}
	/* Two steps kept: 1 -> 2 -> 3; 0 is gone. */
	assert_int_equal(t[3]->journal->n, 2);
	assert_null(journal_since(t[3]->journal, t[0]->serial));
	assert_non_null(t[2]->journal->steps[0]);
	/* Bytes: a step over the bound is not kept. */
	assert_null(journal_next(t[2], t[3], 100, 10));
	/* History 0: none. */
	assert_null(journal_next(t[2], t[3], 0, JOURNAL_MAX_BYTES));
	/* The same records: the same journal. */
	u = full(in[3], val[3], 60, t[3], 2000);
	assert_int_equal(u->serial, t[3]->serial);
	u->journal = journal_next(t[3], u, 100, JOURNAL_MAX_BYTES);
	assert_ptr_equal(u->journal, t[3]->journal);
	table_unref(u);
	/* Another TTL: every record changes; start again. */
	u = full(in[3], val[3], 30, t[3], 2000);
	assert_null(journal_next(t[3], u, 100, JOURNAL_MAX_BYTES));
	table_unref(u);
	for (int k = 0; k < 4; k++)
		table_unref(t[k]);
}

/* The IXFR of a step: SOA new, SOA old, deletions, SOA new, additions,
 * SOA new; over UDP the same in one message when it fits. */
static void
ixfr_messages(void **state)
{
	struct table *a, *b;
	struct msg_query q;
	struct xfrout x;
	struct jdiff *d;
	static uint8_t buf[MSG_MAX];
	size_t len;
	struct msg_header h;

	(void)state;
	states();
	a = full(in[1], val[1], 60, NULL, 1000);
	b = full(in[2], val[2], 60, a, 1001);
	b->journal = journal_next(a, b, 100, JOURNAL_MAX_BYTES);
	d = journal_since(b->journal, a->serial);
	assert_non_null(d);
	assert_int_equal(d->n_del + d->n_add, 2);
	memset(&q, 0, sizeof(q));
	q.has_question = true;
	q.qname = b->apex;
	q.qtype = RR_IXFR;
	q.qclass = 1;
	xfrout_init_ixfr(&x, b, NULL, d, &q);
	len = xfrout_next(&x, buf);
	assert_true(len > MSG_HDR_LEN);
	assert_int_equal(message_read_header(buf, len, &h), 0);
	assert_int_equal(h.ancount, 4 + 2);
	assert_int_equal(xfrout_next(&x, buf), 0);
	/* One message within 512 octets */
	xfrout_init_ixfr(&x, b, NULL, d, &q);
	len = xfrout_one(&x, buf, 512);
	assert_true(len > 0 && len <= 512);
	xfrout_init_ixfr(&x, b, NULL, d, &q);
	assert_int_equal(xfrout_one(&x, buf, 100), 0);	/* too big */
	jdiff_unref(d);
	table_unref(a);
	table_unref(b);
}

/* An szone of apex t.test at serial, with A records 192.0.2.i for the
 * i of have[] (names h<i>), TTL 300. */
static struct szone *
szone_of(uint32_t serial, const bool *have, int n, uint32_t refresh)
{
	struct dname apex, owner;
	struct szone_builder *b;
	uint8_t soa[64], ip[4] = { 192, 0, 2, 0 };
	char err[256], text[32];
	size_t k = 0;
	struct szone *z;

	dname_from_text("t.test", 6, &apex);
	b = szone_builder_new(&apex, 0, "t.zone");
	memcpy(soa, "\2ns\1t\4test\0\2hm\1t\4test\0", 22);
	k = 22;
	for (int f = 0; f < 5; f++) {
		uint32_t v = f == 0 ? serial : f == 1 ? refresh : 600;

		soa[k++] = (uint8_t)(v >> 24);
		soa[k++] = (uint8_t)(v >> 16);
		soa[k++] = (uint8_t)(v >> 8);
		soa[k++] = (uint8_t)v;
	}
	assert_int_equal(szone_add(b, &apex, RR_SOA, 300, soa, (uint16_t)k,
	    "t.zone", 1, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		if (!have[i])
			continue;
		snprintf(text, sizeof(text), "h%d.t.test", i);
		dname_from_text(text, strlen(text), &owner);
		ip[3] = (uint8_t)i;
		assert_int_equal(szone_add(b, &owner, RR_A, 300, ip, 4,
		    "t.zone", 2, err, sizeof(err)), 0);
	}
	z = szone_finish(b, err, sizeof(err));
	assert_non_null(z);
	return z;
}

/* A zone of an szone: compared whole, the SOA aside; the old SOA of an
 * IXFR carries the old serial. */
static void
szone_steps(void **state)
{
	bool a[50], b[50];
	struct szone *x, *y, *w;
	struct jdiff *d;
	size_t pos = 0;
	struct jrec r;
	struct msg_query q;
	struct xfrout xo;
	static uint8_t buf[MSG_MAX];
	struct msg_header h;

	(void)state;
	for (int i = 0; i < 50; i++)
		a[i] = b[i] = i % 2 == 0;
	b[0] = false;
	b[1] = true;
	x = szone_of(10, a, 50, 3600);
	y = szone_of(11, b, 50, 3600);
	y->journal = journal_next_szone(x, y, 100, JOURNAL_MAX_BYTES);
	assert_non_null(y->journal);
	d = journal_since(y->journal, 10);
	assert_non_null(d);
	assert_int_equal(d->n_del, 1);
	assert_int_equal(d->n_add, 1);
	assert_true(jdiff_read(d->del, d->del_len, &pos, &r));
	assert_int_equal(r.rdata[3], 0);
	assert_int_equal(r.ttl, 300);
	memset(&q, 0, sizeof(q));
	q.has_question = true;
	q.qname = y->apex;
	q.qtype = RR_IXFR;
	q.qclass = 1;
	xfrout_init_ixfr(&xo, NULL, y, d, &q);
	assert_true(xfrout_next(&xo, buf) > 0);
	assert_int_equal(message_read_header(buf, MSG_MAX, &h), 0);
	assert_int_equal(h.ancount, 6);
	jdiff_unref(d);
	/* Another SOA (refresh): start again. */
	w = szone_of(12, b, 50, 7200);
	assert_null(journal_next_szone(y, w, 100, JOURNAL_MAX_BYTES));
	szone_unref(w);
	szone_unref(x);
	szone_unref(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_builds),
		cmocka_unit_test(patched),
		cmocka_unit_test(bounds_and_resets),
		cmocka_unit_test(ixfr_messages),
		cmocka_unit_test(szone_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
