/* test_cookie.c - server cookies (net/cookie.c) against RFC 9018's test
 * vectors (Appendix A.1, A.2), and their checks: in time, out of time,
 * another address, another secret, another length. */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dns/message.h"
#include "net/cookie.h"

static const uint8_t secret[16] = { 0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2,
    0xa4, 0x3f, 0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf };
static const uint8_t client[8] = { 0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10,
    0xc9, 0x57 };

static struct sockaddr_in
addr4(const char *text)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &sin.sin_addr), 1);
	return sin;
}

static void
hex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
rfc9018_vectors(void **state)
{
	struct sockaddr_in c = addr4("198.51.100.100");
	uint8_t opt[MSG_COOKIE_OPT], want[16];

	(void)state;
	assert_int_equal(cookie_init(), 0);
	/* A.1: learning a new server cookie */
	cookie_option(secret, client, (struct sockaddr *)&c, 1559731985, opt);
	assert_int_equal(opt[1], EDNS_COOKIE);
	assert_int_equal(opt[3], 24);
	assert_memory_equal(opt + 4, client, 8);
	hex("010000005cf79f111f8130c3eee29480", want, 16);
	assert_memory_equal(opt + 12, want, 16);
	/* A.2: the same client, 40 minutes on */
	cookie_option(secret, client, (struct sockaddr *)&c, 1559734385, opt);
	hex("010000005cf7a871d4a564a1442aca77", want, 16);
	assert_memory_equal(opt + 12, want, 16);
}

static void
checks(void **state)
{
	struct sockaddr_in c = addr4("198.51.100.100");
	struct sockaddr_in other = addr4("198.51.100.101");
	uint8_t opt[MSG_COOKIE_OPT], secret2[16];
	const uint8_t *ck = opt + 4;
	uint32_t t = 1559731985;

	(void)state;
	cookie_option(secret, client, (struct sockaddr *)&c, t, opt);
	assert_int_equal(cookie_check(secret, ck, 24, (struct sockaddr *)&c,
	    t), COOKIE_GOOD);
	assert_int_equal(cookie_check(secret, ck, 24, (struct sockaddr *)&c,
	    t + 3600), COOKIE_GOOD);
	assert_int_equal(cookie_check(secret, ck, 24, (struct sockaddr *)&c,
	    t + 3601), COOKIE_BAD);		/* older than an hour */
	assert_int_equal(cookie_check(secret, ck, 24, (struct sockaddr *)&c,
	    t - 300), COOKIE_GOOD);
	assert_int_equal(cookie_check(secret, ck, 24, (struct sockaddr *)&c,
	    t - 301), COOKIE_BAD);		/* from too far ahead */
	assert_int_equal(cookie_check(secret, ck, 24,
	    (struct sockaddr *)&other, t), COOKIE_BAD);
	memcpy(secret2, secret, 16);
	secret2[0] ^= 1;
	assert_int_equal(cookie_check(secret2, ck, 24, (struct sockaddr *)&c,
	    t), COOKIE_BAD);
	assert_int_equal(cookie_check(secret, ck, 8, (struct sockaddr *)&c, t),
	    COOKIE_CLIENT);
	assert_int_equal(cookie_check(secret, ck, 0, (struct sockaddr *)&c, t),
	    COOKIE_NONE);
	assert_int_equal(cookie_check(secret, ck, 16, (struct sockaddr *)&c,
	    t), COOKIE_BAD);		/* another server's 8 octets */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc9018_vectors),
		cmocka_unit_test(checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
