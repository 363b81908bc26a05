/* test_table.c - generations: dedupe, empty non-terminals, serials. */
#include "helpers.h"
#include "zone/builder.h"
#include "dns/err.h"
#include "zone/table.h"

static struct table_builder *
builder(void)
{
	struct dname apex;
	struct table_soa soa = { 0 };

	dname_from_text("Mesos", 5, &apex);
	return table_builder_new(&apex, 60, &soa);
}

/* Add an A record; fresh: whether the builder must not have it yet. */
static void
add_a(struct table_builder *b, const char *owner, uint8_t last, int fresh)
{
	struct dname n;
	uint8_t ip[4] = { 10, 0, 0, last };

	assert_int_equal(dname_from_text(owner, strlen(owner), &n), 0);
	assert_int_equal(table_builder_contains(b, &n, RR_A, ip, 4), !fresh);
	assert_int_equal(table_builder_add(b, &n, RR_A, ip, 4), 0);
}

static const struct table_node *
look(const struct table *t, const char *name)
{
	struct dname n;

	dname_from_text(name, strlen(name), &n);
	dname_lower(&n);
	return table_lookup(t, &n);
}

static void
stores_each_triple_once_and_groups_by_type(void **state)
{
	struct table_builder *b = builder();
	struct table *t;
	const struct table_node *n;
	uint32_t cnt;
	struct dname o;
	uint8_t ip6[16] = { 0xfd };

	(void)state;
	add_a(b, "web.marathon.mesos", 1, 1);
	add_a(b, "WEB.marathon.mesos", 1, 0);	/* same, other case */
	add_a(b, "web.marathon.mesos", 2, 1);
	dname_from_text("web.marathon.mesos", 18, &o);
	assert_int_equal(table_builder_add(b, &o, RR_AAAA, ip6, 16), 0);
	add_a(b, "web.marathon.mesos", 3, 1);
	t = table_builder_finish(b, NULL, 1000);
	assert_int_equal(t->n_recs, 4);
	n = look(t, "Web.Marathon.Mesos");
	assert_non_null(n);
	assert_non_null(table_rrset(t, n, RR_A, &cnt));
	assert_int_equal(cnt, 3);
	table_rrset(t, n, RR_AAAA, &cnt);
	assert_int_equal(cnt, 1);
	assert_null(table_rrset(t, n, RR_SRV, &cnt));
	assert_int_equal(cnt, 0);
	table_unref(t);
}

static void
empty_non_terminals_exist_without_records(void **state)
{
	struct table_builder *b = builder();
	struct table *t;
	const struct table_node *n;

	(void)state;
	add_a(b, "_http._web._tcp.marathon.mesos", 1, 1);
	add_a(b, "elsewhere.example", 1, 1);
	t = table_builder_finish(b, NULL, 1);
	n = look(t, "_tcp.marathon.mesos");
	assert_non_null(n);
	assert_int_equal(n->count, 0);
	assert_non_null(look(t, "marathon.mesos"));
	assert_non_null(look(t, "mesos"));		/* the apex */
	assert_null(look(t, "tcp.marathon.mesos"));
	/* Names outside the zone get no ancestors. */
	assert_non_null(look(t, "elsewhere.example"));
	assert_null(look(t, "example"));
	table_unref(t);
}

static void
serial_changes_only_with_the_record_set(void **state)
{
	struct table_builder *b = builder();
	struct table *t1, *t2, *t3, *t4;

	(void)state;
	add_a(b, "a.mesos", 1, 1);
	add_a(b, "b.mesos", 2, 1);
	t1 = table_builder_finish(b, NULL, 5000);
	assert_int_equal(t1->serial, 5000);
	/* Same set, built in another order, later. */
	b = builder();
	add_a(b, "b.mesos", 2, 1);
	add_a(b, "a.mesos", 1, 1);
	t2 = table_builder_finish(b, t1, 9000);
	assert_int_equal(t2->serial, 5000);
	/* A change: max(prev + 1, now). */
	b = builder();
	add_a(b, "a.mesos", 1, 1);
	t3 = table_builder_finish(b, t2, 9000);
	assert_int_equal(t3->serial, 9000);
	b = builder();
	add_a(b, "c.mesos", 1, 1);
	t4 = table_builder_finish(b, t3, 10);	/* clock went back */
	assert_int_equal(t4->serial, 9001);
	table_unref(t1);
	table_unref(t2);
	table_unref(t3);
	table_unref(t4);
}

static void
references_keep_a_generation_alive(void **state)
{
	struct table_builder *b = builder();
	struct table *t;

	(void)state;
	add_a(b, "a.mesos", 1, 1);
	t = table_builder_finish(b, NULL, 1);
	assert_ptr_equal(table_ref(t), t);
	assert_int_equal(atomic_load(&t->refs), 2);
	table_unref(t);
	assert_non_null(look(t, "a.mesos"));	/* still alive */
	table_unref(t);				/* freed (ASan checks) */
	table_unref(NULL);
}

static void
record_text_is_presentation_form(void **state)
{
	struct table_builder *b = builder();
	struct table *t;
	struct dname o;
	char buf[512];
	uint8_t srv[64] = { 0, 0, 0, 1, 0x7a, 0x69 };
	struct dname target;

	(void)state;
	dname_from_text("Big Dog.marathon.mesos", 22, &o);
	dname_from_text("big.mesos", 9, &target);
	memcpy(srv + 6, target.data, target.len);
	table_builder_add(b, &o, RR_SRV, srv, (uint16_t)(6 + target.len));
	t = table_builder_finish(b, NULL, 1);
	assert_true(table_record_text(t, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "SRV big\\032dog.marathon.mesos. 0 1 31337 "
	    "big.mesos.");
	table_unref(t);
}

/* Add an SRV on owner to target, port p; returns the add's result. */
static int
add_srv(struct table_builder *b, const char *owner, const char *target,
    uint16_t p)
{
	struct dname o, tn;
	uint8_t rd[6 + DNAME_MAX] = { 0, 0, 0, 1, (uint8_t)(p >> 8),
		(uint8_t)p };

	assert_int_equal(dname_from_text(owner, strlen(owner), &o), 0);
	assert_int_equal(dname_from_text(target, strlen(target), &tn), 0);
	memcpy(rd + 6, tn.data, tn.len);
	return table_builder_add(b, &o, RR_SRV, rd, (uint16_t)(6 + tn.len));
}

/* An SRV holds its target as a node: a target without records is no
 * name of the zone, one that gets records later (or becomes an
 * ancestor) is, and the wire rdata reads back as it was added. */
static void
srv_targets_are_nodes(void **state)
{
	struct table_builder *b = builder();
	struct table *t, *t2;
	const struct table_node *n;
	const struct table_rec *r;
	uint8_t buf[TABLE_RDATA_MAX], bad[8] = { 0, 0, 0, 1, 0, 80, 3, 'a' };
	const uint8_t *rd;
	uint16_t len;
	uint32_t cnt, i;
	struct dname o;
	char text[512];

	(void)state;
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "Lone.Host.mesos", 80),
	    0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "later.y.mesos", 81), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "up.mesos", 82), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "later.y.mesos", 81), 0);
	add_a(b, "later.y.mesos", 7, 1);
	add_a(b, "down.up.mesos", 8, 1);
	/* Not an SRV rdata: a label running past the end. */
	dname_from_text("_b._tcp.x.mesos", 15, &o);
	assert_int_equal(table_builder_add(b, &o, RR_SRV, bad, sizeof(bad)),
	    -E_FORMAT);
	assert_int_equal(table_builder_add(b, &o, RR_SRV, bad, 6), -E_FORMAT);
	t = table_builder_finish(b, NULL, 1);

	assert_null(look(t, "lone.host.mesos"));	/* NXDOMAIN */
	assert_null(look(t, "host.mesos"));		/* no ancestors */
	assert_non_null(look(t, "y.mesos"));		/* an owner's ENT */
	n = look(t, "up.mesos");			/* made an ENT */
	assert_non_null(n);
	assert_int_equal(n->count, 0);
	n = look(t, "later.y.mesos");
	assert_non_null(n);
	table_rrset(t, n, RR_A, &cnt);
	assert_int_equal(cnt, 1);

	n = look(t, "_a._tcp.x.mesos");
	r = table_rrset(t, n, RR_SRV, &cnt);
	assert_int_equal(cnt, 3);			/* one dropped */
	rd = table_rdata(t, &r[0], buf, &len);
	assert_int_equal(len, 6 + 17);
	assert_int_equal(rd[5], 80);
	assert_memory_equal(rd + 6, "\4lone\4host\5mesos", 17);
	assert_ptr_equal(table_srv_target(t, &r[1]), look(t, "later.y.mesos"));
	assert_null(table_srv_target(t, table_rrset(t, look(t,
	    "later.y.mesos"), RR_A, &cnt)));
	for (i = 0; table_rec_at(t, i) != &r[2]; i++)
		;
	assert_true(table_record_text(t, i, text, sizeof(text)) > 0);
	assert_string_equal(text, "SRV _a._tcp.x.mesos. 0 1 82 up.mesos.");

	/* The same set added in another order: the same content. */
	b = builder();
	add_a(b, "down.up.mesos", 8, 1);
	add_a(b, "later.y.mesos", 7, 1);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "up.mesos", 82), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "later.y.mesos", 81), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "lone.host.mesos", 80),
	    0);
	t2 = table_builder_finish(b, t, 2);
	assert_int_equal(t2->serial, t->serial);
	table_unref(t2);
	/* And one target changed: not the same. */
	b = builder();
	add_a(b, "down.up.mesos", 8, 1);
	add_a(b, "later.y.mesos", 7, 1);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "up.mesos", 82), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "later.y.mesos", 81), 0);
	assert_int_equal(add_srv(b, "_a._tcp.x.mesos", "lone.hosT.meso", 80),
	    0);
	t2 = table_builder_finish(b, t, 2);
	assert_int_equal(t2->serial, 2);
	table_unref(t2);
	table_unref(t);
}

/* The enumeration: each task owns the records it added first, mapped to
 * the table's (sorted) record order. */
/* Many names, long rrsets and duplicates far apart: the grouping moves
 * every record into its node's range, and only later copies go. */
static void
long_rrsets_and_scattered_duplicates(void **state)
{
	struct table_builder *b = builder();
	struct table *t;
	const struct table_node *n;
	const struct table_rec *r;
	uint32_t cnt, total = 0;
	char name[64];

	(void)state;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 200; i++) {
			struct dname o;
			uint8_t ip[4] = { 10, 1, (uint8_t)(i % 7), 0 };

			snprintf(name, sizeof(name), "n%d.marathon.mesos", i % 50);
			dname_from_text(name, strlen(name), &o);
			/* 40 distinct addresses on web, each added 10 times. */
			ip[3] = (uint8_t)(i % 40);
			table_builder_add(b, &o, RR_A, ip, 4);
			dname_from_text("web.mesos", 9, &o);
			ip[1] = 2;
			ip[2] = 0;
			table_builder_add(b, &o, RR_A, ip, 4);
		}
	t = table_builder_finish(b, NULL, 1);
	n = look(t, "web.mesos");
	r = table_rrset(t, n, RR_A, &cnt);
	assert_int_equal(cnt, 40);
	/* Kept in the order first added. */
	for (uint32_t i = 0; i < cnt; i++) {
		uint8_t rb[TABLE_RDATA_MAX];
		uint16_t rl;

		assert_int_equal(table_rdata(t, &r[i], rb, &rl)[3], i);
		/* Each added ten times: counted, for the patches. */
		assert_int_equal(r[i].refs, 10);
	}
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%d.marathon.mesos", i);
		n = look(t, name);
		assert_non_null(n);
		table_rrset(t, n, RR_A, &cnt);
		/* i, i+50, i+100, i+150: four distinct (i % 7, i % 40). */
		assert_int_equal(cnt, 4);
		total += cnt;
	}
	assert_int_equal(t->n_recs, total + 40);
	/* Every node's records are its own, all of them. */
	for (uint32_t k = 0; k < t->n_nodes; k++) {
		const struct table_node *nd = table_node_at(t, k);

		for (uint32_t i = 0; i < nd->count; i++)
			assert_ptr_equal(table_rec_node(t,
			    table_shard_first_rec(t, nd->shard) + nd->first + i), nd);
	}
	table_unref(t);
}

static void
enumeration_follows_first_insertion(void **state)
{
	struct table_builder *b = builder();
	const struct table_enum *e;
	struct table *t;
	char buf[256];

	(void)state;
	table_builder_enum_on(b);
	add_a(b, "master.mesos", 9, 1);		/* before any task */
	table_builder_enum_framework(b, "Marathon App");
	table_builder_enum_task(b, "web", "web.1");
	add_a(b, "zz.marathon.mesos", 1, 1);
	add_a(b, "aa.marathon.mesos", 1, 1);
	table_builder_enum_task(b, "web", "web.2");
	add_a(b, "aa.marathon.mesos", 1, 0);	/* web.1's already */
	table_builder_enum_task(b, NULL, NULL);
	add_a(b, "zz.marathon.mesos", 1, 0);
	table_builder_enum_framework(b, "idle");
	t = table_builder_finish(b, NULL, 1000);
	e = t->enumeration;
	assert_non_null(e);
	assert_int_equal(e->n_fws, 2);
	assert_string_equal(e->fws[0].name, "Marathon App");
	assert_int_equal(e->fws[0].n_tasks, 3);
	assert_int_equal(e->fws[1].n_tasks, 0);
	assert_string_equal(e->fws[1].name, "idle");
	assert_string_equal(e->tasks[1].id, "web.2");
	assert_string_equal(e->tasks[2].name, "");
	assert_int_equal(e->tasks[0].n_recs, 2);
	assert_int_equal(e->tasks[1].n_recs, 0);
	assert_int_equal(e->tasks[2].n_recs, 0);
	/* In the order added, whatever order the table keeps them in. */
	table_record_text(t, e->recs[e->tasks[0].first_rec], buf, sizeof(buf));
	assert_string_equal(buf, "A zz.marathon.mesos. 10.0.0.1");
	table_record_text(t, e->recs[e->tasks[0].first_rec + 1], buf,
	    sizeof(buf));
	assert_string_equal(buf, "A aa.marathon.mesos. 10.0.0.1");
	table_unref(t);

	b = builder();		/* not asked for: not kept */
	table_builder_enum_framework(b, "x");
	t = table_builder_finish(b, NULL, 1000);
	assert_null(t->enumeration);
	table_unref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stores_each_triple_once_and_groups_by_type),
		cmocka_unit_test(empty_non_terminals_exist_without_records),
		cmocka_unit_test(serial_changes_only_with_the_record_set),
		cmocka_unit_test(references_keep_a_generation_alive),
		cmocka_unit_test(record_text_is_presentation_form),
		cmocka_unit_test(long_rrsets_and_scattered_duplicates),
		cmocka_unit_test(enumeration_follows_first_insertion),
		cmocka_unit_test(srv_targets_are_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
