/* syntax.c - the forms config values take (see syntax.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/config.h"
#include "conf/syntax.h"

bool
conf_is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

bool
conf_parse_port(const char *s, long *out)
{
	char *end;
	long p;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	p = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || p < 1 || p > 65535)
		return false;
	*out = p;
	return true;
}

bool
conf_is_hostport(const char *s)
{
	const char *colon;
	long port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		char h[64];

		if (close == NULL || close[1] != ':' ||
		    (size_t)(close - s - 1) >= sizeof(h))
			return false;
		memcpy(h, s + 1, (size_t)(close - s - 1));
		h[close - s - 1] = '\0';
		return conf_is_ip(h) && conf_parse_port(close + 2, &port);
	}
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s || strchr(s, ':') != colon)
		return false;
	return conf_parse_port(colon + 1, &port);
}

bool
conf_is_resolver(const char *s)
{
	char h[64];
	const char *colon;

	if (conf_is_ip(s))
		return true;
	if (!conf_is_hostport(s))
		return false;
	if (s[0] == '[')
		return true;
	colon = strrchr(s, ':');
	if ((size_t)(colon - s) >= sizeof(h))
		return false;
	memcpy(h, s, (size_t)(colon - s));
	h[colon - s] = '\0';
	return inet_pton(AF_INET, h, h + 32) == 1;
}

bool
conf_is_domain(const char *s)
{
	size_t lab = 0, total = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++, total++) {
		if (*s == '.') {
			if (lab == 0)
				return false;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
		if (++lab > 63)
			return false;
	}
	return lab > 0 && total < 254;
}

void
conf_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

void
conf_strip_dot(char *s)
{
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
}

bool
conf_zone_nests(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcasecmp(a, b) == 0;
	if (la > lb)
		return a[la - lb - 1] == '.' && strcasecmp(a + la - lb, b) == 0;
	return conf_zone_nests(b, a);
}

/* The listener helpers of config.h. */

bool
config_is_wildcard(const char *addr)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, addr, buf) == 1)
		return memcmp(buf, "\0\0\0\0", 4) == 0;
	if (inet_pton(AF_INET6, addr, buf) == 1)
		return memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0;
	return false;
}

const struct config_strlist *
config_dns_addrs(const struct config *c, struct config_strlist *one)
{
	if (c->listeners.n > 0)
		return &c->listeners;
	one->v = (char **)(uintptr_t)&c->listener;
	one->n = 1;
	return one;
}

bool
config_has_wildcard(const struct config *c)
{
	struct config_strlist one;
	const struct config_strlist *l = config_dns_addrs(c, &one);

	for (size_t i = 0; i < l->n; i++)
		if (config_is_wildcard(l->v[i]))
			return true;
	return false;
}

void
conf_add_err(char *err, size_t errlen, const char *fmt, ...)
{
	size_t n = strlen(err);
	va_list ap;

	va_start(ap, fmt);
	if (n + 1 < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}
