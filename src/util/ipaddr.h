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

#endif
