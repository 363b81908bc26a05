/* test_patch.c - a patched generation holds what a full build of the same
 * records holds: records and their adders, names, empty non-terminals,
 * content and serial; and it shares the shards it did not change. */
#include "helpers.h"
#include "zone/builder.h"
#include "zone/patch.h"
#include "zone/shard.h"
#include "zone/table.h"

/* A record multiset over a small namespace: owner i (of NAMES), type, a
 * value (an A's last octet, or an SRV target's number), how many adds. */
#define NAMES 300
#define VALUES 6
#define SLOTS (NAMES * 2 * VALUES)

static struct dname names[NAMES];

static void
make_names(void)
{
	static const char *const l[] = { "a", "b", "c", "d", "e", "f" };
	char text[64];

	for (int i = 0; i < NAMES; i++) {
		int x = i % 6, y = (i / 6) % 6, z = (i / 36) % 6;

		/* one, two and three labels under the apex */
		if (i < 6)
			snprintf(text, sizeof(text), "%s.mesos", l[x]);
		else if (i < 42)
			snprintf(text, sizeof(text), "%s.%s.mesos", l[x], l[y]);
		else
			snprintf(text, sizeof(text), "%s%d.%s.%s.mesos", l[x], i,
			    l[y], l[z]);
		assert_int_equal(dname_from_text(text, strlen(text), &names[i]),
		    0);
		dname_lower(&names[i]);
	}
}

/* The rdata of slot s into rd; its type and owner. */
static uint16_t
slot_rdata(int s, uint8_t *rd, uint16_t *type, int *owner)
{
	int v = s % VALUES, kind = (s / VALUES) % 2;

	*owner = s / (VALUES * 2);
	if (kind == 0) {
		*type = RR_A;
		rd[0] = 10;
		rd[1] = 0;
		rd[2] = 0;
		rd[3] = (uint8_t)v;
		return 4;
	}
	*type = RR_SRV;
	memset(rd, 0, 6);
	rd[5] = (uint8_t)v;
	/* Targets anywhere, in other shards too. */
	memcpy(rd + 6, names[(*owner * 7 + v * 31) % NAMES].data,
	    names[(*owner * 7 + v * 31) % NAMES].len);
	return (uint16_t)(6 + names[(*owner * 7 + v * 31) % NAMES].len);
}

static struct table *
full(const uint8_t *count, uint32_t now, const struct table *prev)
{
	struct dname apex;
	struct table_soa soa = { 0 };
	struct table_builder *b;

	dname_from_text("mesos", 5, &apex);
	b = table_builder_new(&apex, 60, &soa);
	for (int s = 0; s < SLOTS; s++) {
		uint8_t rd[TABLE_RDATA_MAX];
		uint16_t type, len = 0;
		int owner;

		len = slot_rdata(s, rd, &type, &owner);
		for (int k = 0; k < count[s]; k++)
			assert_int_equal(table_builder_add(b, &names[owner],
			    type, rd, len), 0);
	}
	return table_builder_finish(b, prev, now);
}

static int
cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record as text with its adders, sorted. */
static char **
texts(const struct table *t)
{
	char **v = calloc(t->n_recs + 1, sizeof(*v)), buf[600];

	for (uint32_t i = 0; i < t->n_recs; i++) {
		int n = table_record_text(t, i, buf, sizeof(buf) - 16);

		assert_true(n > 0);
		snprintf(buf + n, 16, " x%u", table_rec_at(t, i)->refs);
		v[i] = strdup(buf);
	}
	qsort(v, t->n_recs, sizeof(*v), cmp_text);
	return v;
}

static void
same_as_full(const struct table *p, const struct table *f)
{
	char **a, **b;

	assert_int_equal(p->n_recs, f->n_recs);
	assert_true(p->content == f->content);
	a = texts(p);
	b = texts(f);
	for (uint32_t i = 0; i < f->n_recs; i++) {
		assert_string_equal(a[i], b[i]);
		free(a[i]);
		free(b[i]);
	}
	free(a);
	free(b);
	/* The same names, empty non-terminals included. */
	for (int i = 0; i < NAMES; i++) {
		struct dname n = names[i];

		while (n.len > 0) {
			const struct table_node *x = table_lookup(p, &n);
			const struct table_node *y = table_lookup(f, &n);
			size_t off;

			assert_int_equal(x != NULL, y != NULL);
			if (x != NULL) {
				assert_int_equal(x->count, y->count);
				assert_int_equal(x->children, y->children);
			}
			off = dname_suffix_off(&n, 1);
			memmove(n.data, n.data + off, n.len - off);
			n.len = (uint8_t)(n.len - off);
			if (n.len == 1)
				break;
		}
	}
}

/* Patch prev from the counts it has (was) to the ones it gets (now). */
static struct table *
patched(const struct table *prev, const uint8_t *was, const uint8_t *now,
    uint32_t when, char *why, size_t len)
{
	struct table_patch *p = table_patch_new(prev, 0);

	for (int s = 0; s < SLOTS; s++) {
		uint8_t rd[TABLE_RDATA_MAX];
		uint16_t type, rl;
		int owner, d = now[s] - was[s];

		rl = slot_rdata(s, rd, &type, &owner);
		for (; d > 0; d--)
			table_patch_add(p, &names[owner], type, rd, rl, 1);
		for (; d < 0; d++)
			table_patch_add(p, &names[owner], type, rd, rl, -1);
	}
	return table_patch_finish(p, when, 0, why, len);
}

static void
random_steps_match_full_builds(void **state)
{
	static uint8_t cur[SLOTS], next[SLOTS];
	struct table *t;
	unsigned seed = 12345;
	char why[256];

	(void)state;
	make_names();
	for (int s = 0; s < SLOTS; s++)
		cur[s] = (uint8_t)(rand_r(&seed) % 4 == 0 ? 1 +
		    rand_r(&seed) % 2 : 0);
	t = full(cur, 100, NULL);
	assert_true(t->shard_bits >= 2);
	for (int step = 0; step < 40; step++) {
		struct table *p, *f;
		uint32_t shared = 0;
		/* Small steps mostly, now and then a large one or all gone. */
		int changes = step % 10 == 9 ? SLOTS : step % 5 == 4 ? 200 :
		    1 + rand_r(&seed) % 8;

		memcpy(next, cur, sizeof(cur));
		for (int c = 0; c < changes; c++) {
			int s = (int)(rand_r(&seed) % SLOTS);

			next[s] = step == 19 ? 0 : (uint8_t)(rand_r(&seed) % 3);
		}
		p = patched(t, cur, next, 100 + (uint32_t)step, why,
		    sizeof(why));
		assert_non_null(p);
		f = full(next, 100 + (uint32_t)step, t);
		same_as_full(p, f);
		assert_int_equal(p->serial, f->serial);
		for (uint32_t k = 0; k < (1u << t->shard_bits); k++)
			shared += table_shard(p, k) == table_shard(t, k) &&
			    table_shard(t, k) != NULL;
		/* A few names changed: most shards are the old ones. */
		if (changes <= 8)
			assert_true(shared + 16 >= (1u << t->shard_bits));
		table_unref(f);
		table_unref(t);
		t = p;
		memcpy(cur, next, sizeof(cur));
	}
	table_unref(t);
}

static void
unchanged_keeps_the_serial_and_bad_removals_fail(void **state)
{
	static uint8_t cur[SLOTS], next[SLOTS];
	struct table *t, *p;
	char why[256];

	(void)state;
	make_names();
	cur[0] = 1;
	cur[13] = 2;
	t = full(cur, 100, NULL);
	/* One adder less of a record added twice: the same records. */
	memcpy(next, cur, sizeof(cur));
	next[13] = 1;
	p = patched(t, cur, next, 200, why, sizeof(why));
	assert_non_null(p);
	assert_int_equal(p->serial, t->serial);
	table_unref(p);
	/* A record it does not hold cannot go. */
	next[13] = 2;
	next[5] = 0;
	cur[5] = 1;
	p = patched(t, cur, next, 200, why, sizeof(why));
	assert_null(p);
	assert_non_null(strstr(why, "not held"));
	table_unref(t);
}

static void
the_cap_and_growth_fall_back(void **state)
{
	struct dname apex, o;
	struct table_soa soa = { 0 };
	struct table_builder *b;
	struct table *t;
	struct table_patch *p;
	uint8_t ip[4] = { 10, 0, 0, 1 };
	char why[256], text[64];

	(void)state;
	dname_from_text("mesos", 5, &apex);
	dname_from_text("web.mesos", 9, &o);
	b = table_builder_new(&apex, 60, &soa);
	table_builder_add(b, &o, RR_A, ip, 4);
	t = table_builder_finish(b, NULL, 1);
	p = table_patch_new(t, 2);
	ip[3] = 2;
	table_patch_add(p, &o, RR_A, ip, 4, 1);
	ip[3] = 3;
	table_patch_add(p, &o, RR_A, ip, 4, 1);
	assert_null(table_patch_finish(p, 2, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "more than 2"));
	/* Thousands of names on a one-shard generation: build again. */
	p = table_patch_new(t, 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "n%d.mesos", i);
		dname_from_text(text, strlen(text), &o);
		table_patch_add(p, &o, RR_A, ip, 4, 1);
	}
	assert_null(table_patch_finish(p, 2, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "outgrew"));
	table_unref(t);
}

/* A shard of 65535 names or more indexes them in 32 bits: every name is
 * still found, and one not held is not.  SRV targets are shared by
 * reference: a shard written from another's records holds the same. */
static void
wide_shards_find_every_name(void **state)
{
	struct shard_draft d = { 0 };
	struct table_shard *s, *s2;
	struct table_name *tn = tname_new((const uint8_t *)"\1t\5mesos\0", 9,
	    dname_hash((const uint8_t *)"\1t\5mesos\0", 9));
	static uint8_t wire[70000][8];
	uint8_t rd[TABLE_SRV_STORED] = { 0, 1, 0, 2, 0, 80 };
	const uint32_t n = 70000;

	(void)state;
	memcpy(rd + 6, &tn, sizeof(tn));
	for (uint32_t i = 0; i < n; i++) {
		wire[i][0] = 6;
		snprintf((char *)wire[i] + 1, 7, "%06u", i);
		wire[i][7] = 0;
		draft_node(&d, wire[i], 8, dname_hash(wire[i], 8), 0);
		if (i % 1000 == 0)
			draft_rec(&d, RR_SRV, rd, sizeof(rd), 1);
	}
	s = shard_write(&d, 0, 0);
	assert_non_null(s);
	assert_true(s->wide);
	for (uint32_t i = 0; i < n; i++)
		assert_ptr_equal(shard_find(s, wire[i], 8, dname_hash(wire[i],
		    8)), &s->nodes[i]);
	assert_null(shard_find(s, (const uint8_t *)"\1x\0", 3,
	    dname_hash((const uint8_t *)"\1x\0", 3)));
	/* 1 (ours) + 70 records. */
	assert_int_equal(atomic_load(&tn->refs), 71);
	draft_reset(&d);
	draft_node(&d, wire[0], 8, dname_hash(wire[0], 8), 0);
	draft_rec(&d, RR_SRV, shard_rdata(&s->recs[0]), s->recs[0].rdlen, 1);
	s2 = shard_write(&d, 0, 0);
	assert_false(s2->wide);
	assert_ptr_equal(tname_of(shard_rdata(&s2->recs[0])), tn);
	assert_true(stored_equal(RR_SRV, rd, sizeof(rd),
	    shard_rdata(&s2->recs[0]), s2->recs[0].rdlen));
	shard_unref(s);
	assert_int_equal(atomic_load(&tn->refs), 2);
	shard_unref(s2);
	tname_unref(tn);
	draft_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_steps_match_full_builds),
		cmocka_unit_test(unchanged_keeps_the_serial_and_bad_removals_fail),
		cmocka_unit_test(the_cap_and_growth_fall_back),
		cmocka_unit_test(wide_shards_find_every_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
