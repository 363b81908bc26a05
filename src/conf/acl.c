/* acl.c - CIDR prefix lists (see acl.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/acl.h"
#include "util/arena.h"

const char *const acl_default_text[] = {
	"127.0.0.0/8", "::1/128",		/* loopback */
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",	/* RFC 1918 */
	"fc00::/7",				/* RFC 4193 */
	NULL,
};

static bool
parse_bits(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

int
acl_parse_entry(const char *text, struct acl_entry *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned bits, max, alen;

	memset(out, 0, sizeof(*out));
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	bits = max;
	if (slash != NULL && !parse_bits(slash + 1, max, &bits))
		return -EINVAL;
	out->bits = (uint8_t)bits;
	alen = max / 8;
	for (unsigned i = 0; i < alen; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8 :
		    bits > i * 8 ? bits - i * 8 : 0;
		uint8_t mask = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));

		if ((out->addr[i] & ~mask) != 0)
			return -EINVAL;	/* host bits set */
	}
	return 0;
}

int
acl_parse(const char *const *texts, size_t n, struct acl *a, size_t *bad)
{
	a->v = n > 0 ? xcalloc(n, sizeof(*a->v)) : NULL;
	a->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (acl_parse_entry(texts[i], &a->v[a->n]) != 0) {
			*bad = i;
			acl_free(a);
			return -1;
		}
		a->n++;
	}
	return 0;
}

static bool
prefix_eq(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ net[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
acl_match_raw(const struct acl *a, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (family == 6 && memcmp(addr, mapped, sizeof(mapped)) == 0) {
		family = 4;
		addr += 12;
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].family == family &&
		    prefix_eq(addr, a->v[i].addr, a->v[i].bits))
			return true;
	return false;
}

bool
acl_match(const struct acl *a, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)
		    (const void *)sa;

		return acl_match_raw(a, 4, (const uint8_t *)&s4->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)
		    (const void *)sa;

		return acl_match_raw(a, 6, s6->sin6_addr.s6_addr);
	}
	return false;
}

void
acl_free(struct acl *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}
