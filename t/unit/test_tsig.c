/* test_tsig.c - TSIG (net/tsig.c, on libdnssec's HMACs): keys made from
 * the config's text; a signed query checked and cut back to what it was;
 * BADKEY, BADSIG and BADTIME answers; answers signed one after another;
 * an answer too big for its TSIG cut to its question; and no change of a
 * signed query (but its ID) that still passes, no cut that crashes. */
#include "helpers.h"

#include "dns/message.h"
#include "dns/rr.h"
#include "net/tsig.h"

#define NOW 1800000000ull
/* base64 of 32 octets 0x01..0x20 */
#define SECRET "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

static struct tsig_key keyv[2];
static struct tsig_keys keys = { keyv, 2 };

static int
setup(void **state)
{
	char err[256];

	(void)state;
	tsig_init();
	assert_int_equal(tsig_key_make(&keyv[0], "xfr-key.", "hmac-sha256",
	    SECRET, err, sizeof(err)), 0);
	assert_int_equal(tsig_key_make(&keyv[1], "Other.Key", "hmac-sha512",
	    SECRET, err, sizeof(err)), 0);
	return 0;
}

/* A query for mesos SOA, id 0x1234, in buf: its length. */
static size_t
query(uint8_t *buf)
{
	static const uint8_t q[] = { 0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0,
	    0, 0, 5, 'm', 'e', 's', 'o', 's', 0, 0, 6, 0, 1 };

	memcpy(buf, q, sizeof(q));
	return sizeof(q);
}

static uint16_t
u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The TSIG error of a message ending in a TSIG: its last 6 octets are
 * Error, Other Len (0) when there is no Other Data. */
static uint16_t
tsig_error_of(const uint8_t *m, size_t len, uint16_t other_len)
{
	return u16(m + len - 4 - other_len);
}

static void
test_keys(void **state)
{
	struct tsig_key k;
	char err[256];

	(void)state;
	assert_int_equal(keyv[0].secret_len, 32);
	assert_int_equal(keyv[1].name.data[1], 'o');	/* lower case */
	assert_int_equal(tsig_key_make(&k, "k", "hmac-md5", SECRET, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "hmac-sha1"));
	assert_int_equal(tsig_key_make(&k, "k", "hmac-whatever", SECRET, err,
	    sizeof(err)), -1);
	assert_int_equal(tsig_key_make(&k, "k", "hmac-sha1", "not base64!",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "base64"));
	assert_int_equal(tsig_key_make(&k, "k", "hmac-sha1", "", err,
	    sizeof(err)), -1);
}

static void
test_round_trip(void **state)
{
	uint8_t pkt[1024], out[1024], ans[1024];
	struct tsig_ctx ctx;
	size_t len = query(pkt), signed_len, qlen = 0, olen = 7;
	uint8_t mac1[TSIG_MAC_MAX];

	(void)state;
	signed_len = tsig_sign_request(&keyv[0], pkt, len, sizeof(pkt), NOW);
	assert_true(signed_len > len);
	assert_int_equal(u16(pkt + 10), 1);	/* ARCOUNT: the TSIG */
	assert_int_equal(tsig_check(&keys, pkt, signed_len, &qlen, &ctx,
	    NOW + 10, out, sizeof(out), 512, &olen), TSIG_OK);
	assert_int_equal(qlen, len);
	assert_int_equal(u16(pkt + 10), 0);	/* as before it was signed */
	assert_ptr_equal(ctx.key, &keyv[0]);
	assert_int_equal(ctx.mac_len, 32);

	/* Three answers: each signed, each MAC over the one before. */
	for (int i = 0; i < 3; i++) {
		size_t n;

		memcpy(ans, pkt, len);
		ans[2] |= 0x80;
		n = tsig_sign(&ctx, ans, len, sizeof(ans), NOW + 11);
		assert_true(n > len);
		assert_int_equal(u16(ans + 10), 1);
		assert_int_equal(tsig_error_of(ans, n, 0), 0);
		if (i > 0)
			assert_memory_not_equal(mac1, ctx.mac, 32);
		memcpy(mac1, ctx.mac, 32);
	}
	assert_int_equal(ctx.signed_msgs, 3);
}

static void
test_errors(void **state)
{
	uint8_t pkt[1024], out[1024];
	struct tsig_ctx ctx;
	struct tsig_key wrong;
	size_t len, n, qlen, olen;
	char err[256];

	(void)state;
	/* The right name, another secret: BADSIG, unsigned (no MAC). */
	assert_int_equal(tsig_key_make(&wrong, "xfr-key", "hmac-sha256",
	    "c2VjcmV0IG9mIGFub3RoZXI=", err, sizeof(err)), 0);
	len = query(pkt);
	n = tsig_sign_request(&wrong, pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_FAIL);
	assert_true(olen > MSG_HDR_LEN);
	assert_int_equal(out[3] & 0x0f, RCODE_NOTAUTH);
	assert_int_equal(tsig_error_of(out, olen, 0), TSIG_BADSIG);
	assert_int_equal(u16(out + olen - 8), 0);	/* MAC size */
	assert_null(ctx.key);

	/* A key we do not hold: BADKEY. */
	assert_int_equal(tsig_key_make(&wrong, "nobody", "hmac-sha256",
	    SECRET, err, sizeof(err)), 0);
	len = query(pkt);
	n = tsig_sign_request(&wrong, pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_FAIL);
	assert_int_equal(tsig_error_of(out, olen, 0), TSIG_BADKEY);

	/* Right key, the same name under another algorithm: BADKEY. */
	assert_int_equal(tsig_key_make(&wrong, "xfr-key", "hmac-sha1",
	    SECRET, err, sizeof(err)), 0);
	len = query(pkt);
	n = tsig_sign_request(&wrong, pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_FAIL);
	assert_int_equal(tsig_error_of(out, olen, 0), TSIG_BADKEY);

	/* Outside the fudge: BADTIME, signed, our time in Other Data. */
	len = query(pkt);
	n = tsig_sign_request(&keyv[0], pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx,
	    NOW + TSIG_FUDGE + 1, out, sizeof(out), 512, &olen), TSIG_FAIL);
	assert_int_equal(out[3] & 0x0f, RCODE_NOTAUTH);
	assert_int_equal(tsig_error_of(out, olen, 6), TSIG_BADTIME);
	assert_int_equal(u16(out + olen - 6 - 2), 6);	/* Other Len */
	assert_int_equal(u16(out + olen - 6), 0);	/* our time: high */
	assert_int_equal((uint32_t)u16(out + olen - 4) << 16 |
	    u16(out + olen - 2), (uint32_t)(NOW + TSIG_FUDGE + 1));
	/* Within it, either way: fine. */
	len = query(pkt);
	n = tsig_sign_request(&keyv[0], pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx,
	    NOW - TSIG_FUDGE, out, sizeof(out), 512, &olen), TSIG_OK);
}

static void
test_unsigned_and_none(void **state)
{
	uint8_t pkt[512], out[512];
	struct tsig_ctx ctx;
	size_t len = query(pkt), qlen = 0, olen = 0;
	struct tsig_keys none = { NULL, 0 };

	(void)state;
	assert_int_equal(tsig_check(&keys, pkt, len, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_NONE);
	len = tsig_sign_request(&keyv[0], pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&none, pkt, len, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_FAIL);
	assert_int_equal(tsig_error_of(out, olen, 0), TSIG_BADKEY);
}

static void
test_truncate(void **state)
{
	uint8_t pkt[1024], ans[600];
	struct tsig_ctx ctx;
	size_t len = query(pkt), n, qlen, olen;

	(void)state;
	n = tsig_sign_request(&keyv[0], pkt, len, sizeof(pkt), NOW);
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, ans,
	    sizeof(ans), 512, &olen), TSIG_OK);
	/* A 500-octet answer (one big record's worth) within 512. */
	memset(ans, 0, sizeof(ans));
	memcpy(ans, pkt, len);
	ans[2] |= 0x80;
	ans[7] = 1;		/* ANCOUNT, its octets all zero: a stand-in */
	n = tsig_sign_within(&ctx, ans, 500, 512, NOW);
	assert_true(n > 0 && n <= 512);
	assert_true(ans[2] & 0x02);		/* TC */
	assert_int_equal(u16(ans + 6), 0);	/* no answer */
	assert_int_equal(u16(ans + 10), 1);	/* the TSIG alone */
	assert_memory_equal(ans + 12, pkt + 12, len - 12);	/* question */
}

/* Every one-octet change of a signed query but its ID fails, and every
 * cut of it is read safely (ASan watches the reads). */
static void
test_tamper(void **state)
{
	uint8_t pkt[1024], orig[1024], out[1024];
	struct tsig_ctx ctx;
	size_t len = query(orig), n, qlen, olen;

	(void)state;
	n = tsig_sign_request(&keyv[0], orig, len, sizeof(orig), NOW);
	for (size_t i = 2; i < n; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(pkt, orig, n);
			pkt[i] ^= (uint8_t)(1u << bit);
			if (bit == 5 && ((pkt[i] | 0x20) >= 'a' &&
			    (pkt[i] | 0x20) <= 'z'))
				continue;	/* names' case is not content */
			if (tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, out,
			    sizeof(out), 512, &olen) == TSIG_OK)
				fail_msg("octet %zu bit %u changed, still OK",
				    i, bit);
		}
	memcpy(pkt, orig, n);
	pkt[0] ^= 0xff;		/* a forwarder may change the ID */
	assert_int_equal(tsig_check(&keys, pkt, n, &qlen, &ctx, NOW, out,
	    sizeof(out), 512, &olen), TSIG_OK);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);

		memcpy(p, orig, cut);
		(void)tsig_check(&keys, p, cut, &qlen, &ctx, NOW, out,
		    sizeof(out), 512, &olen);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unsigned_and_none),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_tamper),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
