/* test_dname.c - names on the wire, in text, and label sanitising. */
#include "helpers.h"
#include "dns/err.h"

static int
parse(const uint8_t *pkt, size_t len, size_t at, struct dname *n,
    size_t *end)
{
	struct wbuf w;
	int r;

	wire_init_read(&w, pkt, len);
	w.pos = at;
	r = dname_parse(&w, n);
	*end = w.pos;
	return r;
}

static void
follows_backward_pointers(void **state)
{
	/* "www.example.com" at 0, then "ftp" + pointer to "example". */
	const uint8_t pkt[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p',
		'l', 'e', 3, 'c', 'o', 'm', 0, 3, 'f', 't', 'p', 0xC0, 4 };
	struct dname n;
	char text[64];
	size_t end;

	(void)state;
	assert_int_equal(parse(pkt, sizeof(pkt), 17, &n, &end), 0);
	assert_int_equal(end, sizeof(pkt));	/* just past the pointer */
	dname_to_text(&n, text, sizeof(text));
	assert_string_equal(text, "ftp.example.com.");
}

static void
rejects_loops_forward_pointers_and_bad_labels(void **state)
{
	const uint8_t self[] = { 0xC0, 0 };
	const uint8_t fwd[] = { 0xC0, 2, 1, 'a', 0 };
	const uint8_t ext[] = { 0x41, 'a', 0 };
	const uint8_t cut[] = { 5, 'a', 'b' };
	const uint8_t loop[] = { 1, 'a', 0xC0, 0, 0xC0, 2 };
	struct dname n;
	size_t end;

	(void)state;
	assert_int_equal(parse(self, sizeof(self), 0, &n, &end), -E_LOOP);
	assert_int_equal(parse(fwd, sizeof(fwd), 0, &n, &end), -E_LOOP);
	assert_int_equal(parse(ext, sizeof(ext), 0, &n, &end), -E_FORMAT);
	assert_int_equal(parse(cut, sizeof(cut), 0, &n, &end), -E_SHORT);
	/* 4 -> 2 -> 0 -> 2: the jump to 2 is not below 0. */
	assert_int_equal(parse(loop, sizeof(loop), 4, &n, &end), -E_LOOP);
}

static void
rejects_names_over_255(void **state)
{
	uint8_t pkt[300];
	size_t o = 0, end;
	struct dname n;

	(void)state;
	for (int i = 0; i < 5; i++) {	/* 5 * 52 = 260 octets */
		pkt[o++] = 51;
		memset(pkt + o, 'x', 51);
		o += 51;
	}
	pkt[o++] = 0;
	assert_int_equal(parse(pkt, o, 0, &n, &end), -E_TOOLONG);
}

static void
text_names_and_escapes(void **state)
{
	struct dname n;
	char text[DNAME_TEXT_MAX];
	char big[300];

	(void)state;
	assert_int_equal(dname_from_text("some box.Fw_1.mesos.", 20, &n), 0);
	assert_int_equal(dname_labels(&n), 3);
	dname_to_text(&n, text, sizeof(text));
	assert_string_equal(text, "some\\032box.Fw_1.mesos.");
	assert_int_equal(dname_from_text("a..b", 4, &n), -E_FORMAT);
	assert_int_equal(dname_from_text(".a", 2, &n), -E_FORMAT);
	memset(big, 'a', 64);
	assert_int_equal(dname_from_text(big, 64, &n), -E_TOOLONG);
	assert_int_equal(dname_from_text(big, 63, &n), 0);
	assert_int_equal(dname_from_text("", 0, &n), 0);
	assert_int_equal(n.len, 1);
}

static void
compares_without_case(void **state)
{
	struct dname a, b, zone;

	(void)state;
	dname_from_text("WeB.Marathon.MESOS", 18, &a);
	dname_from_text("web.marathon.mesos", 18, &b);
	dname_from_text("mesos", 5, &zone);
	assert_true(dname_equal(&a, &b));
	assert_int_equal(dname_hash(a.data, a.len), dname_hash(b.data, b.len));
	/* Every octet folds as itself lower-cased would, and only A-Z. */
	for (unsigned c = 0; c < 256; c++) {
		uint8_t x[9] = { 7, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 0 };
		uint8_t y[9];
		uint8_t lc = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);

		for (unsigned at = 1; at < 8; at++) {
			memcpy(y, x, sizeof(y));
			y[at] = (uint8_t)c;
			x[at] = lc;
			assert_int_equal(dname_hash(x, 9), dname_hash(y, 9));
			y[at] = lc == 'q' ? 'r' : 'q';
			assert_true(dname_hash(x, 9) != dname_hash(y, 9));
			x[at] = (uint8_t)('a' + at - 1);
		}
	}
	assert_true(dname_is_subdomain(&a, &zone));
	assert_true(dname_is_subdomain(&zone, &zone));
	dname_from_text("notmesos", 8, &b);
	assert_false(dname_is_subdomain(&b, &zone));
	dname_lower(&a);
	assert_memory_equal(a.data, "\3web", 4);
}

static void
labels_follow_mesos_dns(void **state)
{
	char out[DNAME_LABEL_MAX + 1];
	const char *s;

	(void)state;
	/* NAMING.md's RFC 952 example. */
	s = "89fdgsf---gs7-fgs--d7fddg-123";
	dname_spec_label(s, strlen(s), true, out);
	assert_string_equal(out, "fdgsf---gs7-fgs--d7fddg1");
	s = "--My_App.v2!";
	dname_spec_label(s, strlen(s), false, out);
	assert_string_equal(out, "my-app-v2");
	s = "chronos with a space AND MIXED CASE-2";
	dname_spec_label(s, strlen(s), false, out);
	assert_string_equal(out, "chronoswithaspaceandmixedcase-2");
	s = "---";
	assert_int_equal(dname_spec_label(s, 3, false, out), 0);
	/* RFC 1123: cut to 63, then trailing '-' stripped. */
	{
		char in[80];

		memset(in, 'a', 62);
		in[62] = '-';
		memcpy(in + 63, "-bcd", 4);
		assert_int_equal(dname_spec_label(in, 67, false, out), 63);
		assert_int_equal(out[62], 'b');
	}
}

static void
fragments_keep_dots(void **state)
{
	char out[256];
	const char *s = "chronos with a space AND MIXED CASE-2.0.1";

	(void)state;
	dname_frag(s, strlen(s), false, out, sizeof(out));
	assert_string_equal(out, "chronoswithaspaceandmixedcase-2.0.1");
	s = "..Marathon_Prod..EU.";
	dname_frag(s, strlen(s), false, out, sizeof(out));
	assert_string_equal(out, "marathon-prod.eu");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(follows_backward_pointers),
		cmocka_unit_test(rejects_loops_forward_pointers_and_bad_labels),
		cmocka_unit_test(rejects_names_over_255),
		cmocka_unit_test(text_names_and_escapes),
		cmocka_unit_test(compares_without_case),
		cmocka_unit_test(labels_follow_mesos_dns),
		cmocka_unit_test(fragments_keep_dots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
