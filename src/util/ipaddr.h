/* ipaddr.h - an IPv4 or IPv6 address as its octets. */
#ifndef TASKDNS_IPADDR_H
#define TASKDNS_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipaddr {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];
};

/* Parse an IP literal of n characters (not NUL-terminated); IPv4-mapped
 * IPv6 becomes IPv4.  False if it is not one. */
bool ipaddr_parse(const char *s, size_t n, struct ipaddr *out);

/* "10.0.0.0/8", "fd00::/8" into net and prefix: 0, or -1. */
int ipaddr_parse_cidr(const char *s, struct ipaddr *net, unsigned *prefix);

/* Whether a and b are the same address. */
static inline bool
ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	if (a->family != b->family)
		return false;
	for (size_t i = 0; i < n; i++)
		if (a->addr[i] != b->addr[i])
			return false;
	return true;
}

#endif
