/* rrl.c - response rate limiting (see rrl.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/util.h>

#include "dns/message.h"
#include "net/rrl.h"
#include "util/arena.h"
#include "util/mix.h"

/* A slot: tag (32 bits) | second (12 bits) | count (20 bits). */
#define SEC_BITS 12
#define CNT_BITS 20
#define CNT_MAX ((1u << CNT_BITS) - 1)
#define CAS_TRIES 8

struct rrl *
rrl_new(void)
{
	struct rrl *r = xcalloc(1, sizeof(*r));

	evutil_secure_rng_get_bytes(r->key, sizeof(r->key));
	for (size_t i = 0; i < RRL_SLOTS; i++)
		atomic_init(&r->slot[i], 0);
	atomic_init(&r->limited, 0);
	atomic_init(&r->logged_minute, 0);
	atomic_init(&r->limited_logged, 0);
	return r;
}

void
rrl_free(struct rrl *r)
{
	free(r);
}

static uint64_t
mix(uint64_t h, uint8_t b)
{
	return (h ^ b) * 0x100000001b3ull;
}

/* The hash of (class, the peer's prefix, the name in lower case). */
static uint64_t
key_of(const struct rrl *r, const struct rrl_opts *o,
    const struct sockaddr *peer, enum rrl_class cls, const uint8_t *name,
    size_t len)
{
	uint64_t h = r->key[0] ^ 0xcbf29ce484222325ull;
	const uint8_t *a;
	unsigned bits, n;

	if (peer->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)
		    peer)->sin_addr;
		bits = o->v4_prefix;
		n = 4;
	} else {
		a = ((const struct sockaddr_in6 *)(const void *)peer)->
		    sin6_addr.s6_addr;
		bits = o->v6_prefix;
		n = 16;
	}
	h = mix(h, (uint8_t)cls);
	h = mix(h, (uint8_t)n);
	for (unsigned i = 0; i < n && i * 8 < bits; i++) {
		unsigned keep = bits - i * 8 >= 8 ? 8 : bits - i * 8;

		h = mix(h, (uint8_t)(a[i] & (0xff00u >> keep)));
	}
	for (size_t i = 0; name != NULL && i < len; i++) {
		uint8_t c = name[i];

		h = mix(h, c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c);
	}
	return mix64(h ^ r->key[1]);
}

/* The peer's prefix: IPv4 as the address | 1 << 32 (never 0), IPv6 its
 * first 8 octets (a prefix longer than 64 bits is kept to 64). */
static uint64_t
prefix_key(const struct rrl_opts *o, const struct sockaddr *peer, bool *v6)
{
	const uint8_t *a;
	unsigned bits, n;
	uint64_t k = 0;

	*v6 = peer->sa_family == AF_INET6;
	if (*v6) {
		a = ((const struct sockaddr_in6 *)(const void *)peer)->
		    sin6_addr.s6_addr;
		bits = o->v6_prefix > 64 ? 64 : o->v6_prefix;
		n = 8;
	} else {
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)peer)->sin_addr;
		bits = o->v4_prefix;
		n = 4;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned keep = i * 8 >= bits ? 0 : bits - i * 8 >= 8 ? 8 :
		    bits - i * 8;

		k = k << 8 | (uint8_t)(a[i] & (0xff00u >> keep));
	}
	return *v6 ? k : k | 1ull << 32;
}

/* Remember peer's prefix for the next log line (RRL_SEEN at most). */
static void
note_prefix(struct rrl *r, const struct rrl_opts *o,
    const struct sockaddr *peer)
{
	bool v6;
	uint64_t k = prefix_key(o, peer, &v6);
	_Atomic uint64_t *seen = v6 ? r->seen6 : r->seen4;

	if (k == 0)
		return;
	for (unsigned i = 0; i < RRL_SEEN; i++) {
		uint64_t v = atomic_load_explicit(&seen[i], memory_order_relaxed);

		if (v == k)
			return;
		if (v == 0 && atomic_compare_exchange_strong_explicit(&seen[i],
		    &v, k, memory_order_relaxed, memory_order_relaxed))
			return;
		if (v == k)
			return;
	}
}

void
rrl_prefixes(struct rrl *r, const struct rrl_opts *o, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int fam = 0; fam < 2; fam++)
		for (unsigned i = 0; i < RRL_SEEN; i++) {
			uint64_t k = atomic_exchange_explicit(fam ? &r->seen6[i] :
			    &r->seen4[i], 0, memory_order_relaxed);
			uint8_t a[16] = { 0 };
			char text[INET6_ADDRSTRLEN];

			if (k == 0)
				continue;
			for (int b = 0; b < (fam ? 8 : 4); b++)
				a[b] = (uint8_t)(k >> (8 * ((fam ? 7 : 3) - b)));
			if (inet_ntop(fam ? AF_INET6 : AF_INET, a, text,
			    sizeof(text)) == NULL || used >= len)
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%s/%u",
			    used > 0 ? ", " : "", text, fam ? o->v6_prefix :
			    o->v4_prefix);
		}
}

enum rrl_verdict
rrl_check(struct rrl *r, const struct rrl_opts *o, const struct sockaddr *peer,
    enum rrl_class cls, const uint8_t *name, size_t name_len, uint32_t now)
{
	uint64_t h, v, nv = 0;
	uint32_t tag, cnt = 1, over;
	_Atomic uint64_t *slot;

	if (r == NULL || o->rate == 0 || (peer->sa_family != AF_INET &&
	    peer->sa_family != AF_INET6))
		return RRL_PASS;
	if (o->exempt != NULL && o->exempt->n > 0 && acl_match(o->exempt, peer))
		return RRL_PASS;
	h = key_of(r, o, peer, cls, name, name_len);
	tag = (uint32_t)(h >> 32);
	slot = &r->slot[h & (RRL_SLOTS - 1)];
	now &= (1u << SEC_BITS) - 1;
	v = atomic_load_explicit(slot, memory_order_relaxed);
	for (int i = 0; i < CAS_TRIES; i++) {
		uint32_t c = (uint32_t)v & CNT_MAX;
		uint32_t sec = (uint32_t)v >> CNT_BITS;
		/* The slot's second is ours, or the next one, which another
		 * worker's clock has reached already: count there (the
		 * count is never set back by a clock a little behind). */
		bool current = (uint32_t)(v >> 32) == tag &&
		    ((sec - now) & ((1u << SEC_BITS) - 1)) < 2;

		cnt = current ? (c < CNT_MAX ? c + 1 : c) : 1;
		if (!current)
			sec = now;
		nv = (uint64_t)tag << 32 | (uint64_t)sec << CNT_BITS | cnt;
		if (atomic_compare_exchange_weak_explicit(slot, &v, nv,
		    memory_order_relaxed, memory_order_relaxed))
			break;
	}
	if (cnt <= o->rate)
		return RRL_PASS;
	atomic_fetch_add_explicit(&r->limited, 1, memory_order_relaxed);
	note_prefix(r, o, peer);
	over = cnt - o->rate;
	return o->slip > 0 && over % o->slip == 0 ? RRL_SLIP : RRL_DROP;
}

/* The length of the question's name at msg + 12, or 0. */
static size_t
qname_len(const uint8_t *msg, size_t len)
{
	size_t p = MSG_HDR_LEN;

	while (p < len && msg[p] != 0) {
		if (msg[p] & 0xc0)
			return 0;
		p += msg[p] + 1u;
	}
	return p < len ? p + 1 - MSG_HDR_LEN : 0;
}

enum rrl_class
rrl_classify(const uint8_t *msg, size_t len, const uint8_t **name,
    size_t *name_len, const uint8_t *apex, size_t apex_len)
{
	unsigned rcode, an, ns;
	bool aa;

	*name = NULL;
	*name_len = 0;
	if (len < MSG_HDR_LEN)
		return RRL_ERROR;
	rcode = msg[3] & 0x0f;
	aa = (msg[2] & 0x04) != 0;
	an = (unsigned)(msg[6] << 8 | msg[7]);
	ns = (unsigned)(msg[8] << 8 | msg[9]);
	if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN)
		return RRL_ERROR;
	if (rcode == RCODE_NXDOMAIN || (!aa && an == 0 && ns > 0)) {
		if (apex != NULL) {
			*name = apex;
			*name_len = apex_len;
		} else if ((*name_len = qname_len(msg, len)) > 0)
			*name = msg + MSG_HDR_LEN;
		return rcode == RCODE_NXDOMAIN ? RRL_NXDOMAIN : RRL_REFERRAL;
	}
	if ((*name_len = qname_len(msg, len)) > 0)
		*name = msg + MSG_HDR_LEN;
	return RRL_ANSWER;
}

bool
rrl_should_log(struct rrl *r, uint32_t now, uint64_t *n)
{
	uint32_t minute = now / 60, last;
	uint64_t all;

	last = atomic_load_explicit(&r->logged_minute, memory_order_relaxed);
	if (last == minute || !atomic_compare_exchange_strong_explicit(
	    &r->logged_minute, &last, minute, memory_order_relaxed,
	    memory_order_relaxed))
		return false;
	all = atomic_load_explicit(&r->limited, memory_order_relaxed);
	*n = all - atomic_exchange_explicit(&r->limited_logged, all,
	    memory_order_relaxed);
	return true;
}
