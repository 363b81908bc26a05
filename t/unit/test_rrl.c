/* test_rrl.c - response rate limiting (net/rrl.c): the rate per prefix
 * and class, slip, exempt prefixes, seconds (and a worker's clock a
 * little behind), the response classes, the log once a minute. */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dns/rr.h"
#include "net/rrl.h"

static struct sockaddr_storage
peer(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

static const uint8_t web[] = "\3web\10marathon\5mesos";

static enum rrl_verdict
ask(struct rrl *r, const struct rrl_opts *o, const char *from,
    const uint8_t *name, uint32_t now)
{
	struct sockaddr_storage ss = peer(from);

	return rrl_check(r, o, (struct sockaddr *)&ss, RRL_ANSWER, name,
	    name != NULL ? strlen((const char *)name) + 1 : 0, now);
}

static void
rate_slip_prefix_class(void **state)
{
	struct rrl *r = rrl_new();
	struct rrl_opts o = { 5, 2, 24, 56, NULL };
	unsigned pass = 0, slip = 0, drop = 0;

	(void)state;
	for (int i = 0; i < 25; i++) {
		/* one /24: both addresses count together */
		enum rrl_verdict v = ask(r, &o, i % 2 ? "10.0.0.1" :
		    "10.0.0.200", web, 1000);

		pass += v == RRL_PASS;
		slip += v == RRL_SLIP;
		drop += v == RRL_DROP;
	}
	assert_int_equal(pass, 5);
	assert_int_equal(slip, 10);	/* every 2nd of the 20 over */
	assert_int_equal(drop, 10);
	/* another prefix, another name, IPv6: counts of their own */
	assert_int_equal(ask(r, &o, "10.0.1.1", web, 1000), RRL_PASS);
	assert_int_equal(ask(r, &o, "10.0.0.1",
	    (const uint8_t *)"\3WWW\5mesos", 1000), RRL_PASS);
	assert_int_equal(ask(r, &o, "fd00::1", web, 1000), RRL_PASS);
	/* the name's case is not another class */
	assert_int_not_equal(ask(r, &o, "10.0.0.1",
	    (const uint8_t *)"\3WEB\10MARATHON\5MESOS", 1000), RRL_PASS);
	/* the next second starts afresh */
	assert_int_equal(ask(r, &o, "10.0.0.1", web, 1001), RRL_PASS);
	/* a worker whose clock is a second behind does not set it back */
	for (int i = 0; i < 4; i++)
		assert_int_equal(ask(r, &o, "10.0.0.1", web, 1001), RRL_PASS);
	assert_int_not_equal(ask(r, &o, "10.0.0.1", web, 1000), RRL_PASS);
	assert_int_not_equal(ask(r, &o, "10.0.0.1", web, 1001), RRL_PASS);
	rrl_free(r);
}

static void
off_exempt_and_slip_zero(void **state)
{
	struct rrl *r = rrl_new();
	struct rrl_opts off = { 0, 2, 24, 56, NULL };
	struct rrl_opts none = { 1, 0, 24, 56, NULL };
	struct acl ex = { 0 };
	const char *list[] = { "192.0.2.0/24" };
	size_t bad = 0;
	struct rrl_opts o = { 1, 1, 24, 56, &ex };

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(ask(r, &off, "10.0.0.1", web, 5), RRL_PASS);
	assert_int_equal(ask(r, &none, "10.9.0.1", web, 5), RRL_PASS);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ask(r, &none, "10.9.0.1", web, 5), RRL_DROP);
	assert_int_equal(acl_parse(list, 1, &ex, &bad), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(ask(r, &o, "192.0.2.7", web, 5), RRL_PASS);
	assert_int_equal(ask(r, &o, "198.51.100.1", web, 5), RRL_PASS);
	assert_int_equal(ask(r, &o, "198.51.100.1", web, 5), RRL_SLIP);
	acl_free(&ex);
	rrl_free(r);
}

static void
classes(void **state)
{
	uint8_t m[64] = { 0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0,
	    3, 'w', 'e', 'b', 5, 'm', 'e', 's', 'o', 's', 0, 0, 1, 0, 1 };
	const uint8_t apex[] = "\5mesos";
	const uint8_t *name;
	size_t n;

	(void)state;
	assert_int_equal(rrl_classify(m, 27, &name, &n, apex, 7), RRL_ANSWER);
	assert_int_equal(n, 11);
	assert_ptr_equal(name, m + 12);
	m[3] = RCODE_NXDOMAIN;
	assert_int_equal(rrl_classify(m, 27, &name, &n, apex, 7),
	    RRL_NXDOMAIN);
	assert_ptr_equal(name, apex);	/* by the zone */
	m[3] = RCODE_REFUSED;
	assert_int_equal(rrl_classify(m, 27, &name, &n, apex, 7), RRL_ERROR);
	assert_null(name);
	/* no AA, no answer, authority: a referral, by the zone */
	m[2] = 0x80;
	m[3] = 0;
	m[7] = 0;
	m[9] = 1;
	assert_int_equal(rrl_classify(m, 27, &name, &n, apex, 7),
	    RRL_REFERRAL);
	assert_int_equal(rrl_classify(m, 5, &name, &n, NULL, 0), RRL_ERROR);
}

static void
log_once_a_minute(void **state)
{
	struct rrl *r = rrl_new();
	struct rrl_opts o = { 1, 0, 24, 56, NULL };
	uint64_t n = 0;
	char text[256];

	(void)state;

	for (int i = 0; i < 4; i++)
		(void)ask(r, &o, "10.0.0.1", web, 600);
	(void)ask(r, &o, "10.7.7.7", web, 600);
	(void)ask(r, &o, "10.7.7.8", web, 600);	/* the same /24 */
	(void)ask(r, &o, "2001:db8:1:2ff::1", web, 600);
	(void)ask(r, &o, "2001:db8:1:2ff::1", web, 600);
	assert_true(rrl_should_log(r, 600, &n));
	assert_int_equal(n, 5);
	rrl_prefixes(r, &o, text, sizeof(text));
	assert_string_equal(text, "10.0.0.0/24, 10.7.7.0/24, 2001:db8:1:200::/56");
	rrl_prefixes(r, &o, text, sizeof(text));
	assert_string_equal(text, "");		/* forgotten once named */
	assert_false(rrl_should_log(r, 659, &n));
	(void)ask(r, &o, "10.0.0.1", web, 600);
	assert_true(rrl_should_log(r, 660, &n));
	assert_int_equal(n, 1);
	rrl_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate_slip_prefix_class),
		cmocka_unit_test(off_exempt_and_slip_zero),
		cmocka_unit_test(classes),
		cmocka_unit_test(log_once_a_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
