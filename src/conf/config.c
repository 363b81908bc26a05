/* config.c - mesos-dns compatible configuration (see config.h). */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "conf/acl.h"
#include "util/arena.h"
#include "conf/config.h"

enum ktype { T_STR, T_INT, T_BOOL, T_STRLIST, T_ZONES, T_CREDS };

/* used: false for keys this version reads and checks but does not act on
 * yet; a file that sets one is told so. */
struct key {
	const char *name;
	enum ktype type;
	size_t off;
	long min, max;
	bool used;
};

#define K(n, t, f, lo, hi, u) { n, t, offsetof(struct config, f), lo, hi, u }
#define INTMAX_CFG 2147483647L

static const struct key keys[] = {
	K("zk", T_STR, zk, 0, 0, true),
	K("masters", T_STRLIST, masters, 0, 0, true),
	K("zkDetectionTimeout", T_INT, zk_detection_timeout, 0, INTMAX_CFG, true),
	K("refreshSeconds", T_INT, refresh_seconds, 1, INTMAX_CFG, true),
	K("stateTimeoutSeconds", T_INT, state_timeout_seconds, 1, INTMAX_CFG, true),
	K("ttl", T_INT, ttl, 0, INTMAX_CFG, true),
	K("domain", T_STR, domain, 0, 0, true),
	K("port", T_INT, port, 1, 65535, true),
	K("listener", T_STR, listener, 0, 0, true),
	K("listeners", T_STRLIST, listeners, 0, 0, true),
	K("httpListener", T_STR, http_listener, 0, 0, true),
	K("httpPort", T_INT, http_port, 1, 65535, true),
	K("dnsOn", T_BOOL, dns_on, 0, 0, true),
	K("httpOn", T_BOOL, http_on, 0, 0, true),
	K("externalOn", T_BOOL, external_on, 0, 0, true),
	K("recurseOn", T_BOOL, recurse_on, 0, 0, true),
	K("resolvers", T_STRLIST, resolvers, 0, 0, true),
	K("zoneResolvers", T_ZONES, zone_resolvers, 0, 0, true),
	K("timeout", T_INT, timeout, 0, 3600, true),
	K("SOAMname", T_STR, soa_mname, 0, 0, true),
	K("SOARname", T_STR, soa_rname, 0, 0, true),
	K("SOARefresh", T_INT, soa_refresh, 0, INTMAX_CFG, true),
	K("SOARetry", T_INT, soa_retry, 0, INTMAX_CFG, true),
	K("SOAExpire", T_INT, soa_expire, 0, INTMAX_CFG, true),
	K("SOAMinttl", T_INT, soa_minttl, 0, INTMAX_CFG, true),
	K("SRVRecordDefaultWeight", T_INT, srv_weight, 0, 65535, true),
	K("IPSources", T_STRLIST, ip_sources, 0, 0, true),
	K("EnforceRFC952", T_BOOL, enforce_rfc952, 0, 0, true),
	K("setTruncateBit", T_BOOL, set_truncate_bit, 0, 0, true),
	K("enumerationOn", T_BOOL, enumeration_on, 0, 0, true),
	K("mesosHTTPSOn", T_BOOL, mesos_https_on, 0, 0, true),
	K("CACertFile", T_STR, ca_cert_file, 0, 0, true),
	K("certFile", T_STR, cert_file, 0, 0, true),
	K("keyFile", T_STR, key_file, 0, 0, true),
	K("mesosAuthentication", T_STR, mesos_authentication, 0, 0, true),
	K("mesosCredentials", T_CREDS, mesos_principal, 0, 0, true),
	K("IAMConfigFile", T_STR, iam_config_file, 0, 0, false),
	K("stateFile", T_STR, state_file, 0, 0, true),
	K("hostLookup", T_BOOL, host_lookup, 0, 0, true),
	K("workers", T_INT, workers, 0, 256, true),
	K("tcpIdleSeconds", T_INT, tcp_idle_seconds, 1, 3600, true),
	K("tcpMaxConnections", T_INT, tcp_max_connections, 1, 65535, true),
	K("stateMaxBytes", T_INT, state_max_bytes, 1024, INTMAX_CFG, true),
	K("maxTasks", T_INT, max_tasks, 1, INTMAX_CFG, true),
	K("maxRecordsPerName", T_INT, max_records_per_name, 1, INTMAX_CFG,
	    true),
	K("recurseFrom", T_STRLIST, recurse_from, 0, 0, true),
	K("forwardMaxInFlight", T_INT, forward_max_in_flight, 1, 1000000, true),
	K("healthStaleSeconds", T_INT, health_stale_seconds, 0, INTMAX_CFG, true),
	K("logLevel", T_STR, log_level, 0, 0, true),
	K("logTo", T_STR, log_to, 0, 0, true),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

struct msgs {
	char *buf;
	size_t len, cap;
	int count;
};

static void msg_add(struct msgs *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
msg_add(struct msgs *m, const char *fmt, ...)
{
	va_list ap;
	char line[768];
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (m->len + n + 2 > m->cap) {
		m->cap = (m->len + n + 2) * 2;
		m->buf = xrealloc(m->buf, m->cap);
	}
	memcpy(m->buf + m->len, line, n);
	m->len += n;
	m->buf[m->len++] = '\n';
	m->buf[m->len] = '\0';
	m->count++;
}

static void
strlist_free(struct config_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
strlist_add(struct config_strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = xstrdup(s);
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static void
zones_free(struct config *c)
{
	for (size_t i = 0; i < c->n_zone_resolvers; i++) {
		free(c->zone_resolvers[i].zone);
		strlist_free(&c->zone_resolvers[i].servers);
	}
	free(c->zone_resolvers);
	c->zone_resolvers = NULL;
	c->n_zone_resolvers = 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->zk);
	strlist_free(&c->masters);
	free(c->domain);
	free(c->listener);
	strlist_free(&c->listeners);
	free(c->http_listener);
	strlist_free(&c->resolvers);
	zones_free(c);
	free(c->soa_mname);
	free(c->soa_rname);
	strlist_free(&c->ip_sources);
	free(c->ca_cert_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->mesos_authentication);
	free(c->mesos_principal);
	free(c->mesos_secret);
	free(c->iam_config_file);
	free(c->state_file);
	strlist_free(&c->recurse_from);
	free(c->log_level);
	free(c->log_to);
	free(c->warnings);
	free(c);
}

struct config *
config_default(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->zk = xstrdup("");
	c->zk_detection_timeout = 30;
	c->refresh_seconds = 60;
	c->state_timeout_seconds = 300;
	c->ttl = 60;
	c->domain = xstrdup("mesos");
	c->port = 53;
	c->listener = xstrdup("0.0.0.0");
	c->http_listener = xstrdup("0.0.0.0");
	c->http_port = 8123;
	c->dns_on = c->http_on = c->external_on = c->recurse_on = true;
	strlist_add(&c->resolvers, "8.8.8.8");
	c->timeout = 5;
	c->soa_mname = xstrdup("ns1.mesos");
	c->soa_rname = xstrdup("root.ns1.mesos");
	c->soa_refresh = 60;
	c->soa_retry = 600;
	c->soa_expire = 86400;
	c->soa_minttl = 60;
	c->srv_weight = 1;
	strlist_add(&c->ip_sources, "netinfo");
	strlist_add(&c->ip_sources, "mesos");
	strlist_add(&c->ip_sources, "host");
	c->set_truncate_bit = true;
	c->enumeration_on = true;
	c->ca_cert_file = xstrdup("");
	c->cert_file = xstrdup("");
	c->key_file = xstrdup("");
	c->mesos_authentication = xstrdup("");
	c->mesos_principal = xstrdup("");
	c->mesos_secret = xstrdup("");
	c->iam_config_file = xstrdup("");
	c->state_file = xstrdup("");
	c->host_lookup = true;
	c->tcp_idle_seconds = 10;
	c->tcp_max_connections = 512;
	c->state_max_bytes = 512 << 20;
	c->max_tasks = 250000;
	c->max_records_per_name = 10000;
	for (size_t i = 0; acl_default_text[i] != NULL; i++)
		strlist_add(&c->recurse_from, acl_default_text[i]);
	c->forward_max_in_flight = 4096;
	c->log_level = xstrdup("info");
	c->log_to = xstrdup("stderr");
	c->warnings = xstrdup("");
	return c;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Short text of a value for messages. */
static void
value_text(const json_t *v, char *buf, size_t len)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (s == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (strlen(s) > 80)
		snprintf(buf, len, "%.77s...", s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

static void
bad_type(struct msgs *e, const char *key, const json_t *v, const char *want)
{
	char t[96];

	value_text(v, t, sizeof(t));
	msg_add(e, "%s: expected %s, got %s (%s)", key, want, type_name(v), t);
}

static bool
strlist_from(struct msgs *e, const char *key, const json_t *v,
    struct config_strlist *out)
{
	size_t i;
	json_t *it;

	if (!json_is_array(v)) {
		bad_type(e, key, v, "an array of strings");
		return false;
	}
	json_array_foreach(v, i, it) {
		if (!json_is_string(it)) {
			bad_type(e, key, it, "an array of strings");
			return false;
		}
	}
	strlist_free(out);
	json_array_foreach(v, i, it)
		strlist_add(out, json_string_value(it));
	return true;
}

static void
apply_zones(struct msgs *e, struct config *c, const char *key, const json_t *v)
{
	const char *zone;
	json_t *list;

	if (!json_is_object(v)) {
		bad_type(e, key, v, "an object of zone: [servers]");
		return;
	}
	zones_free(c);
	json_object_foreach((json_t *)(uintptr_t)v, zone, list) {
		struct config_zone z = { 0 };

		if (!strlist_from(e, key, list, &z.servers))
			continue;
		z.zone = xstrdup(zone);
		c->zone_resolvers = xrealloc(c->zone_resolvers,
		    (c->n_zone_resolvers + 1) * sizeof(z));
		c->zone_resolvers[c->n_zone_resolvers++] = z;
	}
}

static void
apply_creds(struct msgs *e, struct config *c, const char *key, const json_t *v)
{
	const char *k;
	json_t *it;

	if (!json_is_object(v)) {
		bad_type(e, key, v, "an object {principal, secret}");
		return;
	}
	json_object_foreach((json_t *)(uintptr_t)v, k, it) {
		char **dst;

		if (strcasecmp(k, "principal") == 0)
			dst = &c->mesos_principal;
		else if (strcasecmp(k, "secret") == 0)
			dst = &c->mesos_secret;
		else
			continue;
		if (!json_is_string(it)) {
			/* Never echo what may be a secret. */
			msg_add(e, "%s.%s: expected a string, got %s", key, k,
			    type_name(it));
			continue;
		}
		set_str(dst, json_string_value(it));
	}
}

static void
apply(struct msgs *e, struct config *c, const struct key *k, const json_t *v)
{
	char *base = (char *)c;
	char t[96];

	switch (k->type) {
	case T_STR:
		if (!json_is_string(v))
			bad_type(e, k->name, v, "a string");
		else
			set_str((char **)(void *)(base + k->off),
			    json_string_value(v));
		break;
	case T_INT: {
		json_int_t n;

		if (json_is_real(v)) {
			/* Go decoded 60.0 as 60; check the range before the
			 * cast, which is undefined for a double out of it. */
			double d = json_real_value(v);

			if (!(d >= (double)k->min && d <= (double)k->max)) {
				value_text(v, t, sizeof(t));
				msg_add(e, "%s: %s is out of range (%ld to %ld)",
				    k->name, t, k->min, k->max);
				break;
			}
			if (d != (double)(json_int_t)d) {
				bad_type(e, k->name, v, "an integer");
				break;
			}
			n = (json_int_t)d;
		} else if (json_is_integer(v))
			n = json_integer_value(v);
		else {
			bad_type(e, k->name, v, "an integer");
			break;
		}
		if (n < k->min || n > k->max) {
			value_text(v, t, sizeof(t));
			msg_add(e, "%s: %s is out of range (%ld to %ld)",
			    k->name, t, k->min, k->max);
			break;
		}
		*(int *)(void *)(base + k->off) = (int)n;
		break;
	}
	case T_BOOL:
		if (!json_is_boolean(v))
			bad_type(e, k->name, v, "true or false");
		else
			*(bool *)(void *)(base + k->off) = json_is_true(v);
		break;
	case T_STRLIST:
		strlist_from(e, k->name, v,
		    (struct config_strlist *)(void *)(base + k->off));
		break;
	case T_ZONES:
		apply_zones(e, c, k->name, v);
		break;
	case T_CREDS:
		apply_creds(e, c, k->name, v);
		break;
	}
}

static bool
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

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

/* listeners: IP addresses, each once, at most CONFIG_MAX_LISTENERS; when
 * empty, listener alone. */
static void
validate_listeners(struct msgs *e, struct config *c)
{
	struct config_strlist *l = &c->listeners;

	if (l->n > CONFIG_MAX_LISTENERS)
		msg_add(e, "listeners: %zu addresses, at most %d", l->n,
		    CONFIG_MAX_LISTENERS);
	for (size_t i = 0; i < l->n; i++) {
		unsigned char a[16], b[16];
		int fa = strchr(l->v[i], ':') ? AF_INET6 : AF_INET;

		if (inet_pton(fa, l->v[i], a) != 1) {
			msg_add(e, "listeners: \"%s\" is not an IP address",
			    l->v[i]);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			int fb = strchr(l->v[j], ':') ? AF_INET6 : AF_INET;

			if (fa == fb && inet_pton(fb, l->v[j], b) == 1 &&
			    memcmp(a, b, fa == AF_INET ? 4 : 16) == 0)
				msg_add(e, "listeners: \"%s\" is listed twice",
				    l->v[i]);
		}
	}
	if (l->n == 0)
		strlist_add(l, c->listener);
}

static bool
parse_port(const char *s, long *out)
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

/* "host:port" or "[v6]:port"; host must be non-empty. */
static bool
is_hostport(const char *s)
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
		return is_ip(h) && parse_port(close + 2, &port);
	}
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s || strchr(s, ':') != colon)
		return false;
	return parse_port(colon + 1, &port);
}

/* A resolver: "ip", "ip:port", "[v6]:port". */
static bool
is_resolver(const char *s)
{
	char h[64];
	const char *colon;

	if (is_ip(s))
		return true;
	if (!is_hostport(s))
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

/* ^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$, each label at most 63 octets. */
static bool
is_domain(const char *s)
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

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void
strip_dot(char *s)
{
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
}

static bool
zone_nests(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcasecmp(a, b) == 0;
	if (la > lb)
		return a[la - lb - 1] == '.' && strcasecmp(a + la - lb, b) == 0;
	return zone_nests(b, a);
}

static void
validate(struct msgs *e, struct config *c, bool have_source)
{
	strip_dot(c->domain);
	if (!is_domain(c->domain))
		msg_add(e, "domain: \"%s\" is not a valid domain name",
		    c->domain);
	lower(c->domain);
	if (!is_ip(c->listener))
		msg_add(e, "listener: \"%s\" is not an IP address", c->listener);
	validate_listeners(e, c);
	if (!is_ip(c->http_listener))
		msg_add(e, "httpListener: \"%s\" is not an IP address",
		    c->http_listener);
	if (!c->dns_on && !c->http_on)
		msg_add(e, "dnsOn, httpOn: at least one must be true");
	for (size_t i = 0; i < c->masters.n; i++) {
		if (!is_hostport(c->masters.v[i]))
			msg_add(e, "masters: \"%s\" is not host:port",
			    c->masters.v[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->masters.v[i], c->masters.v[j]) == 0)
				msg_add(e, "masters: \"%s\" is listed twice",
				    c->masters.v[i]);
	}
	if (c->zk[0] != '\0' && strncmp(c->zk, "zk://", 5) != 0)
		msg_add(e, "zk: \"%s\" does not start with zk://", c->zk);
	if (c->zk[0] == '\0' && c->masters.n == 0 && c->state_file[0] == '\0' &&
	    !have_source)
		msg_add(e, "zk, masters, stateFile: one of them is required");
	if (c->timeout == 0)
		c->timeout = 5;
	for (size_t i = 0; i < c->resolvers.n; i++)
		if (!is_resolver(c->resolvers.v[i]))
			msg_add(e, "resolvers: \"%s\" is not ip or ip:port",
			    c->resolvers.v[i]);
	for (size_t i = 0; i < c->n_zone_resolvers; i++) {
		struct config_zone *z = &c->zone_resolvers[i];

		strip_dot(z->zone);
		lower(z->zone);
		if (!is_domain(z->zone))
			msg_add(e, "zoneResolvers: \"%s\" is not a valid zone",
			    z->zone);
		else if (zone_nests(z->zone, c->domain))
			msg_add(e, "zoneResolvers: zone \"%s\" equals or nests "
			    "with domain \"%s\"", z->zone, c->domain);
		for (size_t j = 0; j < z->servers.n; j++)
			if (!is_resolver(z->servers.v[j]))
				msg_add(e, "zoneResolvers: \"%s\" for zone "
				    "\"%s\" is not ip or ip:port",
				    z->servers.v[j], z->zone);
	}
	for (size_t i = 0; i < c->recurse_from.n; i++) {
		struct acl_entry ent;

		if (acl_parse_entry(c->recurse_from.v[i], &ent) != 0)
			msg_add(e, "recurseFrom: \"%s\" is not an address or "
			    "address/prefix (host bits must be zero)",
			    c->recurse_from.v[i]);
	}
	strip_dot(c->soa_mname);
	if (!is_domain(c->soa_mname))
		msg_add(e, "SOAMname: \"%s\" is not a valid name", c->soa_mname);
	for (char *p = c->soa_rname; *p; p++)
		if (*p == '@')
			*p = '.';
	strip_dot(c->soa_rname);
	if (!is_domain(c->soa_rname))
		msg_add(e, "SOARname: \"%s\" is not a valid mailbox name",
		    c->soa_rname);
	if (c->ip_sources.n == 0)
		msg_add(e, "IPSources: must not be empty");
	for (size_t i = 0; i < c->ip_sources.n; i++) {
		const char *s = c->ip_sources.v[i];

		if (strcmp(s, "host") != 0 && strcmp(s, "mesos") != 0 &&
		    strcmp(s, "docker") != 0 && strcmp(s, "netinfo") != 0)
			msg_add(e, "IPSources: \"%s\" is not one of host, "
			    "mesos, docker, netinfo", s);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s, c->ip_sources.v[j]) == 0)
				msg_add(e, "IPSources: \"%s\" is listed twice",
				    s);
	}
	if (strcmp(c->mesos_authentication, "") != 0 &&
	    strcmp(c->mesos_authentication, "basic") != 0 &&
	    strcmp(c->mesos_authentication, "iam") != 0)
		msg_add(e, "mesosAuthentication: \"%s\" is not \"\", \"basic\" "
		    "or \"iam\"", c->mesos_authentication);
	if (strcmp(c->log_level, "error") != 0 &&
	    strcmp(c->log_level, "warning") != 0 &&
	    strcmp(c->log_level, "info") != 0 &&
	    strcmp(c->log_level, "debug") != 0)
		msg_add(e, "logLevel: \"%s\" is not error, warning, info or "
		    "debug", c->log_level);
	if (strcmp(c->log_to, "stderr") != 0 && strcmp(c->log_to, "syslog") != 0)
		msg_add(e, "logTo: \"%s\" is not stderr or syslog", c->log_to);
	if ((c->cert_file[0] != '\0') != (c->key_file[0] != '\0'))
		msg_add(e, "certFile, keyFile: a client certificate needs both");
}

static const struct key *
find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

struct config *
config_parse(const char *text, size_t len, const char *name,
    const char *state_file, char *errbuf, size_t errlen)
{
	struct msgs e = { 0 }, w = { 0 };
	struct config *c;
	json_error_t jerr;
	json_t *root, *v;
	const char *k;

	root = json_loadb(text, len, 0, &jerr);
	if (root == NULL) {
		snprintf(errbuf, errlen, "%s: line %d column %d: %s", name,
		    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(errbuf, errlen, "%s: the config must be a JSON object",
		    name);
		json_decref(root);
		return NULL;
	}
	c = config_default();
	json_object_foreach(root, k, v) {
		const struct key *key = find_key(k);

		if (key == NULL) {
			msg_add(&w, "unknown key \"%s\" ignored", k);
			continue;
		}
		apply(&e, c, key, v);
		if (!key->used)
			msg_add(&w, "key \"%s\" is accepted but not acted on by "
			    "this version yet", key->name);
		else if (key->type == T_INT &&
		    strcmp(key->name, "SOAMinttl") == 0)
			msg_add(&w, "key \"SOAMinttl\" is ignored as mesos-dns "
			    "ignores it: the SOA minimum is ttl");
	}
	json_decref(root);
	if (state_file != NULL)
		set_str(&c->state_file, state_file);
	validate(&e, c, state_file != NULL);
	if (e.count > 0) {
		snprintf(errbuf, errlen, "%s", e.buf);
		/* No trailing newline in the message. */
		if (strlen(errbuf) > 0 && errbuf[strlen(errbuf) - 1] == '\n')
			errbuf[strlen(errbuf) - 1] = '\0';
		free(e.buf);
		free(w.buf);
		config_free(c);
		return NULL;
	}
	free(c->warnings);
	c->warnings = w.buf != NULL ? w.buf : xstrdup("");
	return c;
}
