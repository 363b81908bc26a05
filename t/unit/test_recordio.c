/* test_recordio.c - RecordIO frames cut from a byte stream. */
#include "helpers.h"

#include "mesos/recordio.h"

struct got {
	char text[4096];	/* records seen, each as "<record>|" */
	size_t len;
	unsigned begins, ends;
	uint64_t announced;
	bool refuse;
};

static int
on_begin(void *arg, uint64_t len)
{
	struct got *g = arg;

	g->begins++;
	g->announced = len;
	return g->refuse ? -1 : 0;
}

static int
on_data(void *arg, const char *p, size_t n)
{
	struct got *g = arg;

	assert_true(g->len + n < sizeof(g->text));
	memcpy(g->text + g->len, p, n);
	g->len += n;
	g->text[g->len] = '\0';
	return 0;
}

static int
on_end(void *arg)
{
	struct got *g = arg;

	g->ends++;
	return on_data(arg, "|", 1);
}

static const struct recordio_cbs cbs = { on_begin, on_data, on_end };

static const char stream[] = "5\nhello0\n12\n{\"type\":\"x\"}3\nabc";

/* However the bytes are cut, the same records come out. */
static void
any_chunking(void **state)
{
	size_t n = strlen(stream);

	(void)state;
	for (size_t a = 0; a <= n; a++)
		for (size_t b = a; b <= n; b++) {
			struct recordio r;
			struct got g = { .len = 0 };

			recordio_init(&r, 100, &cbs, &g);
			assert_int_equal(recordio_feed(&r, stream, a), 0);
			assert_int_equal(recordio_feed(&r, stream + a, b - a), 0);
			assert_int_equal(recordio_feed(&r, stream + b, n - b), 0);
			assert_string_equal(g.text, "hello||{\"type\":\"x\"}|abc|");
			assert_int_equal(g.ends, 4);
			assert_int_equal(r.records, 4);
			assert_true(recordio_at_boundary(&r));
		}
}

static void
byte_at_a_time(void **state)
{
	struct recordio r;
	struct got g = { .len = 0 };

	(void)state;
	recordio_init(&r, 100, &cbs, &g);
	for (size_t i = 0; i < strlen(stream); i++) {
		assert_int_equal(recordio_feed(&r, stream + i, 1), 0);
		/* Inside "hello", and past its end. */
		if (i == 4)
			assert_false(recordio_at_boundary(&r));
		if (i == 6)
			assert_true(recordio_at_boundary(&r));
	}
	assert_string_equal(g.text, "hello||{\"type\":\"x\"}|abc|");
}

static void
bad_lengths(void **state)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "x\n", "not a decimal number" },
		{ "5 \nhello", "not a decimal number" },
		{ "-1\n", "not a decimal number" },
		{ "\n", "an empty record length" },
		{ "101\n", "a record of 101 bytes, over the cap of 100" },
		{ "123456789012345678901\n", "over 20 digits" },
		{ "99999999999999999999\n", "past 64 bits" },
		{ "18446744073709551615\n", "over the cap" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct recordio r;
		struct got g = { .len = 0 };

		recordio_init(&r, 100, &cbs, &g);
		assert_int_equal(recordio_feed(&r, cases[i].in,
		    strlen(cases[i].in)), -1);
		assert_non_null(strstr(r.why, cases[i].why));
		assert_false(recordio_at_boundary(&r));
		/* Failed stays failed. */
		assert_int_equal(recordio_feed(&r, "1\na", 3), -1);
		assert_int_equal(g.ends, 0);
	}
}

static void
ends_mid_record_and_refusals(void **state)
{
	struct recordio r;
	struct got g = { .len = 0 };

	(void)state;
	recordio_init(&r, 100, &cbs, &g);
	assert_int_equal(recordio_feed(&r, "5\nhel", 5), 0);
	assert_false(recordio_at_boundary(&r));
	assert_int_equal(g.announced, 5);
	recordio_init(&r, 100, &cbs, &g);
	assert_int_equal(recordio_feed(&r, "12", 2), 0);
	assert_false(recordio_at_boundary(&r));	/* mid length */
	g.refuse = true;
	recordio_init(&r, 100, &cbs, &g);
	assert_int_equal(recordio_feed(&r, "1\na", 3), -1);
	assert_non_null(strstr(r.why, "refused"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(any_chunking),
		cmocka_unit_test(byte_at_a_time),
		cmocka_unit_test(bad_lengths),
		cmocka_unit_test(ends_mid_record_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
