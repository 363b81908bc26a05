/* reverse.h - reverse-mapping names (RFC 1035 3.5 in-addr.arpa, RFC 3596
 * ip6.arpa): an address's name, and the zones a CIDR prefix is served
 * as (octet boundaries for IPv4, nibble boundaries for IPv6: a /12 is
 * sixteen /16 zones). */
#ifndef TASKDNS_REVERSE_H
#define TASKDNS_REVERSE_H

#include "dns/dname.h"
#include "util/ipaddr.h"

/* At most this many zones for one prefix. */
#define REVERSE_MAX_SPLIT 128

/* The reverse name of ip ("4.3.2.1.in-addr.arpa."). */
void reverse_name(const struct ipaddr *ip, struct dname *out);
/* The zones of net/prefix into out (REVERSE_MAX_SPLIT of them at most):
 * how many, or -1 when the prefix is too long for the family. */
int reverse_zones(const struct ipaddr *net, unsigned prefix,
    struct dname *out);

#endif
