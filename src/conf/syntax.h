/* syntax.h - the forms config values take: addresses, ports, host:port,
 * domain names (pure string checks, no lookups). */
#ifndef TASKDNS_SYNTAX_H
#define TASKDNS_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>

/* An IPv4 or IPv6 literal. */
bool conf_is_ip(const char *s);
/* A decimal port 1-65535 into *out. */
bool conf_parse_port(const char *s, long *out);
/* host:port, [v6]:port. */
bool conf_is_hostport(const char *s);
/* ip or ip:port (a resolver). */
bool conf_is_resolver(const char *s);
/* Letters, digits and hyphens in dot-separated labels. */
bool conf_is_domain(const char *s);
void conf_lower(char *s);
/* A trailing dot removed (not from "."). */
void conf_strip_dot(char *s);
/* Whether two zones are equal or one is inside the other. */
bool conf_zone_nests(const char *a, const char *b);

/* Append a line made as printf does to err (errlen octets in all). */
void conf_add_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
