/* test_acl.c - recurseFrom prefix lists. */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/acl.h"

static bool
match4(const struct acl *a, const char *ip)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return acl_match(a, (struct sockaddr *)&s);
}

static bool
match6(const struct acl *a, const char *ip)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return acl_match(a, (struct sockaddr *)&s);
}

static void
default_is_loopback_and_private(void **state)
{
	struct acl a;
	size_t bad = 99, n = 0;

	(void)state;
	while (acl_default_text[n] != NULL)
		n++;
	assert_int_equal(acl_parse(acl_default_text, n, &a, &bad), 0);
	assert_true(match4(&a, "127.0.0.1"));
	assert_true(match4(&a, "127.255.0.9"));
	assert_true(match4(&a, "10.1.2.3"));
	assert_true(match4(&a, "172.16.0.1"));
	assert_true(match4(&a, "172.31.255.255"));
	assert_false(match4(&a, "172.32.0.1"));
	assert_false(match4(&a, "172.15.255.255"));
	assert_true(match4(&a, "192.168.7.7"));
	assert_false(match4(&a, "192.169.0.1"));
	assert_false(match4(&a, "8.8.8.8"));
	assert_false(match4(&a, "100.64.0.1"));
	assert_true(match6(&a, "::1"));
	assert_false(match6(&a, "::2"));
	assert_true(match6(&a, "fd12:3456::1"));
	assert_true(match6(&a, "fc00::1"));
	assert_false(match6(&a, "fe00::1"));
	assert_false(match6(&a, "2001:db8::1"));
	/* An IPv4-mapped client is its IPv4 address. */
	assert_true(match6(&a, "::ffff:10.0.0.1"));
	assert_false(match6(&a, "::ffff:8.8.8.8"));
	acl_free(&a);
}

static void
prefixes_and_hosts(void **state)
{
	const char *in[] = { "203.0.113.7", "198.51.100.0/25", "0.0.0.0/0",
	    "2001:db8::/32" };
	struct acl a;
	size_t bad = 99;

	(void)state;
	assert_int_equal(acl_parse(in, 2, &a, &bad), 0);
	assert_true(match4(&a, "203.0.113.7"));
	assert_false(match4(&a, "203.0.113.8"));
	assert_true(match4(&a, "198.51.100.127"));
	assert_false(match4(&a, "198.51.100.128"));
	assert_false(match6(&a, "2001:db8::1"));
	acl_free(&a);
	/* 0.0.0.0/0 is everybody on IPv4, nobody on IPv6. */
	assert_int_equal(acl_parse(in + 2, 2, &a, &bad), 0);
	assert_true(match4(&a, "8.8.8.8"));
	assert_true(match6(&a, "2001:db8:ffff::1"));
	assert_false(match6(&a, "2001:db9::1"));
	acl_free(&a);
	/* Empty: nobody. */
	assert_int_equal(acl_parse(in, 0, &a, &bad), 0);
	assert_false(match4(&a, "127.0.0.1"));
	acl_free(&a);
}

static void
bad_entries(void **state)
{
	const char *bads[] = { "", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/8x",
	    "10.1.0.0/8", "::1/129", "fc00::1/7", "example.com", "10.0.0/8",
	    "/8", "10.0.0.0/-1", "10.0.0.0/0008", "1.2.3.4 " };
	struct acl_entry e;
	const char *list[] = { "10.0.0.0/8", "nope" };
	struct acl a;
	size_t bad = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		assert_int_not_equal(acl_parse_entry(bads[i], &e), 0);
	assert_int_equal(acl_parse_entry("10.0.0.0/8", &e), 0);
	assert_int_equal(e.bits, 8);
	assert_int_equal(acl_parse_entry("::/0", &e), 0);
	assert_int_equal(e.family, 6);
	assert_int_equal(acl_parse(list, 2, &a, &bad), -1);
	assert_int_equal(bad, 1);
	assert_null(a.v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_is_loopback_and_private),
		cmocka_unit_test(prefixes_and_hosts),
		cmocka_unit_test(bad_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
