/* fuzz_tsig.c - a message, maybe signed, through net/tsig.c as a worker
 * takes it: checked against two keys (the first input octet picks the
 * clock: now, or far off for BADTIME), its answer signed twice as in a
 * transfer, and cut to fit a small limit.  Invariants: the query kept is
 * no longer than given, answers stay within their bounds, and a message
 * the check passed has its TSIG gone (ARCOUNT one less). */
#include <stdlib.h>
#include <string.h>

#include "dns/message.h"
#include "fuzz.h"
#include "net/tsig.h"

#define NOW 1800000000ull
#define SECRET "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

static struct tsig_key keyv[2];
static struct tsig_keys keys = { keyv, 2 };
static int ready;

static void
init(void)
{
	char err[256];

	tsig_init();
	if (tsig_key_make(&keyv[0], "xfr-key", "hmac-sha256", SECRET, err,
	    sizeof(err)) != 0 || tsig_key_make(&keyv[1], "k2", "hmac-sha1",
	    SECRET, err, sizeof(err)) != 0)
		abort();
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[MSG_MAX], out[MSG_MAX];
	struct tsig_ctx ctx;
	size_t len, qlen = 0, olen = 0, n;
	uint64_t now;
	unsigned ar;

	if (!ready)
		init();
	if (size < 1 || size - 1 > sizeof(pkt))
		return 0;
	now = data[0] & 1 ? NOW + 100000 : NOW;
	len = size - 1;
	memcpy(pkt, data + 1, len);
	ar = len >= MSG_HDR_LEN ? (unsigned)(pkt[10] << 8 | pkt[11]) : 0;
	switch (tsig_check(&keys, pkt, len, &qlen, &ctx, now, out, 4096, 512,
	    &olen)) {
	case TSIG_NONE:
		break;
	case TSIG_FAIL:
		if (olen > 4096)
			abort();
		break;
	case TSIG_OK:
		if (qlen > len || ar == 0 ||
		    (unsigned)(pkt[10] << 8 | pkt[11]) != ar - 1)
			abort();
		memcpy(out, pkt, qlen);
		out[2] |= 0x80;
		n = tsig_sign(&ctx, out, qlen, sizeof(out), now);
		if (n > sizeof(out) || (n != 0 && n <= qlen))
			abort();
		if (n > 0) {
			n = tsig_sign(&ctx, out, n, sizeof(out), now);
			if (n > sizeof(out))
				abort();
		}
		memcpy(out, pkt, qlen);
		n = tsig_sign_within(&ctx, out, qlen, 512, now);
		if (n > 512)
			abort();
		break;
	}
	return 0;
}
