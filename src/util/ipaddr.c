/* ipaddr.c - IP literals (see ipaddr.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/ipaddr.h"

bool
ipaddr_parse(const char *s, size_t n, struct ipaddr *out)
{
	char buf[64];
	struct in6_addr a6;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		out->family = 4;
		memcpy(out->addr, a6.s6_addr + 12, 4);
	} else {
		out->family = 6;
		memcpy(out->addr, a6.s6_addr, 16);
	}
	return true;
}

int
ipaddr_parse_cidr(const char *s, struct ipaddr *net, unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	char *end;
	long p;

	if (slash == NULL || !ipaddr_parse(s, (size_t)(slash - s), net))
		return -1;
	p = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || p < 0 ||
	    p > (net->family == 4 ? 32 : 128))
		return -1;
	*prefix = (unsigned)p;
	return 0;
}
