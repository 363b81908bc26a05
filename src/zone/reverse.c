/* reverse.c - reverse-mapping names and zones (see reverse.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/reverse.h"

static const char hex[] = "0123456789abcdef";

/* Labels for the first n units (octets of IPv4, nibbles of IPv6) of ip,
 * least significant first, then the family's suffix. */
static void
name_of(const struct ipaddr *ip, unsigned units, struct dname *out)
{
	static const uint8_t v4[] = "\7in-addr\4arpa";
	static const uint8_t v6[] = "\3ip6\4arpa";
	size_t pos = 0;

	for (unsigned i = units; i-- > 0;) {
		if (ip->family == 4) {
			char t[4];
			int n = snprintf(t, sizeof(t), "%u", ip->addr[i]);

			out->data[pos++] = (uint8_t)n;
			memcpy(out->data + pos, t, (size_t)n);
			pos += (size_t)n;
		} else {
			uint8_t b = ip->addr[i / 2];

			out->data[pos++] = 1;
			out->data[pos++] = (uint8_t)hex[i % 2 ? b & 15 : b >> 4];
		}
	}
	if (ip->family == 4) {
		memcpy(out->data + pos, v4, sizeof(v4));
		pos += sizeof(v4);
	} else {
		memcpy(out->data + pos, v6, sizeof(v6));
		pos += sizeof(v6);
	}
	out->len = (uint8_t)pos;	/* the suffix's NUL is the root */
}

void
reverse_name(const struct ipaddr *ip, struct dname *out)
{
	name_of(ip, ip->family == 4 ? 4 : 32, out);
}

int
reverse_zones(const struct ipaddr *net, unsigned prefix, struct dname *out)
{
	unsigned unit = net->family == 4 ? 8 : 4;
	unsigned max = net->family == 4 ? 32 : 128;
	unsigned units = (prefix + unit - 1) / unit, extra;
	int n;

	if (prefix > max)
		return -1;
	extra = units * unit - prefix;
	n = 1 << extra;
	for (int k = 0; k < n; k++) {
		struct ipaddr ip = *net;

		/* The host bits of the last unit run over every value. */
		if (extra > 0) {
			unsigned bit = units * unit - 1;	/* last unit's low bit */

			for (unsigned b = 0; b < extra; b++) {
				unsigned pos = bit - b, byte = pos / 8;
				uint8_t mask = (uint8_t)(0x80u >> (pos % 8));

				if ((unsigned)k & (1u << b))
					ip.addr[byte] |= mask;
				else
					ip.addr[byte] &= (uint8_t)~mask;
			}
		}
		name_of(&ip, units, &out[k]);
	}
	return n;
}
