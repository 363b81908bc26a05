/* acl.h - who may use forwarding: a list of CIDR prefixes (recurseFrom).
 *
 * An entry is an IPv4 or IPv6 address, alone (a single host) or with a
 * prefix length ("10.0.0.0/8", "fc00::/7").  An IPv4-mapped IPv6 client
 * (::ffff:a.b.c.d) is matched as the IPv4 address it carries.  Pure: no
 * I/O.
 */
#ifndef TASKDNS_ACL_H
#define TASKDNS_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct acl_entry {
	uint8_t family;		/* 4 or 6 */
	uint8_t bits;		/* prefix length */
	uint8_t addr[16];	/* network order, host bits cleared */
};

struct acl {
	struct acl_entry *v;
	size_t n;
};

/* The default of recurseFrom: loopback and the private ranges. */
extern const char *const acl_default_text[];

/* Parse one entry; 0, or -EINVAL when text is not an address or prefix.  A
 * prefix with host bits set ("10.1.2.3/8") is refused: it is more likely a
 * typing error than meant. */
int acl_parse_entry(const char *text, struct acl_entry *out);

/* Parse a list; on failure the index of the bad entry is in *bad and -1
 * returned.  The caller frees a->v. */
int acl_parse(const char *const *texts, size_t n, struct acl *a,
    size_t *bad);

/* Does addr (AF_INET or AF_INET6 sockaddr) fall in any entry? */
bool acl_match(const struct acl *a, const struct sockaddr *addr);
/* The same on raw bytes: family 4 (4 bytes) or 6 (16 bytes). */
bool acl_match_raw(const struct acl *a, int family, const uint8_t *addr);

void acl_free(struct acl *a);

#endif
