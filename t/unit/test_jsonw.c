/* test_jsonw.c - the streaming JSON writer. */
#include "helpers.h"

#include <limits.h>

#include <jansson.h>

#include "util/jsonw.h"

struct sink {
	char buf[4096];
	size_t len;
	size_t calls;
};

static void
put_sink(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	assert_true(s->len + n < sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	s->calls++;
}

static void
commas_and_nesting(void **state)
{
	struct sink s = { .len = 0 };
	struct jsonw w;

	(void)state;
	jsonw_init(&w, put_sink, &s);
	jsonw_object(&w);
	jsonw_kint(&w, "a", 1);
	jsonw_key(&w, "empty");
	jsonw_object(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "list");
	jsonw_array(&w);
	jsonw_array(&w);
	jsonw_end_array(&w);
	jsonw_int(&w, -2);
	jsonw_object(&w);
	jsonw_key(&w, "n");
	jsonw_null(&w);
	jsonw_end_object(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_end_array(&w);
	jsonw_kstring(&w, "z", "");
	jsonw_end_object(&w);
	assert_string_equal(s.buf, "{\"a\":1,\"empty\":{},\"list\":[[],-2,"
	    "{\"n\":null},true,false],\"z\":\"\"}");
	assert_int_equal(w.depth, 0);
}

static void
strings_escaped(void **state)
{
	struct sink s = { .len = 0 };
	struct jsonw w;
	json_t *v;
	static const char raw[] = "q\"b\\s/\n\t\x01\x1f\x7f\xc3\xa9 end";

	(void)state;
	jsonw_init(&w, put_sink, &s);
	jsonw_array(&w);
	jsonw_string(&w, raw);
	jsonw_stringn(&w, "a\0b", 3);
	jsonw_end_array(&w);
	assert_string_equal(s.buf, "[\"q\\\"b\\\\s/\\u000a\\u0009\\u0001"
	    "\\u001f\x7f\xc3\xa9 end\",\"a\\u0000b\"]");
	/* What a JSON parser reads back is what was written. */
	v = json_loads(s.buf, JSON_ALLOW_NUL, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_array_get(v, 0)), raw);
	assert_int_equal(json_string_length(json_array_get(v, 1)), 3);
	json_decref(v);
}

static void
numbers(void **state)
{
	struct sink s = { .len = 0 };
	struct jsonw w;

	(void)state;
	jsonw_init(&w, put_sink, &s);
	jsonw_array(&w);
	jsonw_int(&w, 0);
	jsonw_int(&w, LLONG_MIN);
	jsonw_int(&w, LLONG_MAX);
	jsonw_end_array(&w);
	assert_string_equal(s.buf,
	    "[0,-9223372036854775808,9223372036854775807]");
}

/* A stream is written over several chunks: the writer keeps its place
 * while its output goes elsewhere. */
static void
chunks_keep_their_place(void **state)
{
	struct sink a = { .len = 0 }, b = { .len = 0 };
	struct jsonw w;

	(void)state;
	jsonw_init(&w, put_sink, &a);
	jsonw_object(&w);
	jsonw_key(&w, "x");
	jsonw_array(&w);
	jsonw_int(&w, 1);
	w.ctx = &b;
	jsonw_int(&w, 2);
	jsonw_end_array(&w);
	jsonw_kint(&w, "y", 3);
	jsonw_end_object(&w);
	assert_string_equal(a.buf, "{\"x\":[1");
	assert_string_equal(b.buf, ",2],\"y\":3}");
}

/* Deep nesting stays valid up to the limit. */
static void
deep(void **state)
{
	struct sink s = { .len = 0 };
	struct jsonw w;
	json_t *v;

	(void)state;
	jsonw_init(&w, put_sink, &s);
	for (int i = 0; i < JSONW_DEPTH_MAX - 1; i++) {
		jsonw_array(&w);
		jsonw_int(&w, i);
	}
	for (int i = 0; i < JSONW_DEPTH_MAX - 1; i++)
		jsonw_end_array(&w);
	assert_int_equal(w.depth, 0);
	v = json_loads(s.buf, 0, NULL);
	assert_non_null(v);
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commas_and_nesting),
		cmocka_unit_test(strings_escaped),
		cmocka_unit_test(numbers),
		cmocka_unit_test(chunks_keep_their_place),
		cmocka_unit_test(deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
