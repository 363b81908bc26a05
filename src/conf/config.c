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
#include "conf/config.h"
#include "conf/syntax.h"
#include "conf/ratelimit.h"
#include "conf/strlist.h"
#include "conf/tsigkeys.h"
#include "util/ipaddr.h"
#include "util/arena.h"
#include "util/jsonw.h"

enum ktype { T_STR, T_INT, T_BOOL, T_STRLIST, T_ZONES, T_CREDS, T_FILES,
    T_TSIG, T_RRL };

/* Output forms in /v1/config: as it is, with a trailing dot (the SOA
 * names, as mesos-dns shows them), or "<redacted>" when set. */
enum kout { OUT_PLAIN, OUT_DOTTED, OUT_SECRET };

/* One config key: its name in config.json, type, where it lives in
 * struct config, limits (T_INT), default, its name in /v1/config (NULL:
 * not shown), how it is shown, and what a reload of it restarts.  used:
 * false for keys this version reads and checks but does not act on yet;
 * a file that sets one is told so.  Adding a key is one row here, and
 * its field in struct config. */
struct key {
	const char *name;
	enum ktype type;
	size_t off;
	long min, max;
	bool used;
	const char *sdef;		/* T_STR default */
	long idef;			/* T_INT, T_BOOL default */
	const char *const *ldef;	/* T_STRLIST default, NULL-ended */
	const char *out;
	enum kout show;
	enum config_reload reload;
};

#define INTMAX_CFG 2147483647L
#define O(f) offsetof(struct config, f)
#define R(r) CONFIG_RELOAD_##r
#define KS(n, f, d, out, r) \
	{ n, T_STR, O(f), 0, 0, true, d, 0, NULL, out, OUT_PLAIN, R(r) }
#define KI(n, f, lo, hi, d, out, r) \
	{ n, T_INT, O(f), lo, hi, true, NULL, d, NULL, out, OUT_PLAIN, R(r) }
#define KB(n, f, d, out, r) \
	{ n, T_BOOL, O(f), 0, 0, true, NULL, d, NULL, out, OUT_PLAIN, R(r) }
#define KL(n, f, d, out, r) \
	{ n, T_STRLIST, O(f), 0, 0, true, NULL, 0, d, out, OUT_PLAIN, R(r) }

static const char *const def_resolvers[] = { "8.8.8.8", NULL };
static const char *const def_ip_sources[] = { "netinfo", "mesos", "host",
    NULL };

static const struct key keys[] = {
	KL("masters", masters, NULL, "Masters", SOURCES),
	KS("zk", zk, "", "Zk", SOURCES),
	KI("zkDetectionTimeout", zk_detection_timeout, 0, INTMAX_CFG, 30,
	    "ZkDetectionTimeout", SOURCES),
	KI("refreshSeconds", refresh_seconds, 1, INTMAX_CFG, 60,
	    "RefreshSeconds", SOURCES),
	KI("stateTimeoutSeconds", state_timeout_seconds, 1, INTMAX_CFG, 300,
	    "StateTimeoutSeconds", SOURCES),
	KI("ttl", ttl, 0, INTMAX_CFG, 60, "TTL", RECORDS),
	KI("port", port, 1, 65535, 53, "Port", LISTENERS),
	KS("domain", domain, "mesos", "Domain", RECORDS),
	KL("resolvers", resolvers, def_resolvers, "Resolvers", SERVER),
	{ "zoneResolvers", T_ZONES, O(zone_resolvers), 0, 0, true, NULL, 0,
	    NULL, "ZoneResolvers", OUT_PLAIN, R(SERVER) },
	KI("timeout", timeout, 0, 3600, 5, "Timeout", SERVER),
	{ "SOAMname", T_STR, O(soa_mname), 0, 0, true, "ns1.mesos", 0, NULL,
	    "SOAMname", OUT_DOTTED, R(RECORDS) },
	{ "SOARname", T_STR, O(soa_rname), 0, 0, true, "root.ns1.mesos", 0,
	    NULL, "SOARname", OUT_DOTTED, R(RECORDS) },
	KI("SOARefresh", soa_refresh, 0, INTMAX_CFG, 60, "SOARefresh", RECORDS),
	KI("SOARetry", soa_retry, 0, INTMAX_CFG, 600, "SOARetry", RECORDS),
	KI("SOAExpire", soa_expire, 0, INTMAX_CFG, 86400, "SOAExpire",
	    RECORDS),
	KI("SOAMinttl", soa_minttl, 0, INTMAX_CFG, 60, "SOAMinttl", RECORDS),
	KB("recurseOn", recurse_on, true, "RecurseOn", SERVER),
	/* listener counts through listeners, which it fills when unset. */
	KS("listener", listener, "0.0.0.0", "Listener", RECORDS),
	KL("listeners", listeners, NULL, "Listeners", LISTENERS),
	KS("httpListener", http_listener, "0.0.0.0", "HTTPListener", HTTP),
	KI("httpPort", http_port, 1, 65535, 8123, "HttpPort", HTTP),
	KB("dnsOn", dns_on, true, "DnsOn", LISTENERS),
	KB("httpOn", http_on, true, "HttpOn", HTTP),
	KB("externalOn", external_on, true, "ExternalOn", SERVER),
	KI("SRVRecordDefaultWeight", srv_weight, 0, 65535, 1,
	    "SRVRecordDefaultWeight", RECORDS),
	KL("IPSources", ip_sources, def_ip_sources, "IPSources", RECORDS),
	KB("EnforceRFC952", enforce_rfc952, false, "EnforceRFC952", RECORDS),
	KB("setTruncateBit", set_truncate_bit, true, "SetTruncateBit", SERVER),
	KB("enumerationOn", enumeration_on, true, "EnumerationOn", NOW),
	KB("mesosHTTPSOn", mesos_https_on, false, "MesosHTTPSOn", SOURCES),
	KS("CACertFile", ca_cert_file, "", "CACertFile", SOURCES),
	KS("certFile", cert_file, "", "CertFile", SOURCES),
	{ "keyFile", T_STR, O(key_file), 0, 0, true, "", 0, NULL, "KeyFile",
	    OUT_SECRET, R(SOURCES) },
	KS("mesosAuthentication", mesos_authentication, "",
	    "MesosAuthentication", SOURCES),
	/* principal and secret; the secret is shown redacted. */
	{ "mesosCredentials", T_CREDS, O(mesos_principal), 0, 0, true, NULL, 0,
	    NULL, "MesosCredentials", OUT_SECRET, R(SOURCES) },
	{ "IAMConfigFile", T_STR, O(iam_config_file), 0, 0, false, "", 0, NULL,
	    "IAMConfigFile", OUT_SECRET, R(SOURCES) },
	/* taskdns's own keys */
	KS("stateFile", state_file, "", "StateFile", SOURCES),
	KL("recurseFrom", recurse_from, acl_default_text, "RecurseFrom",
	    SERVER),
	KL("allowTransfer", allow_transfer, NULL, "AllowTransfer", SERVER),
	KL("notify", notify, NULL, "Notify", RESTART),
	KS("serialFile", serial_file, "", "SerialFile", RESTART),
	{ "tsigKeys", T_TSIG, O(tsig_keys), 0, 0, true, NULL, 0, NULL,
	    "TSIGKeys", OUT_SECRET, R(SERVER) },
	KS("transferKey", transfer_key, "", "TransferKey", SERVER),
	KI("ixfrHistory", ixfr_history, 0, 10000, 100, "IXFRHistory", NOW),
	{ "rateLimit", T_RRL, O(rrl), 0, 0, true, NULL, 0, NULL, "RateLimit",
	    OUT_PLAIN, R(SERVER) },
	{ "cookieSecret", T_STR, O(cookie_secret), 0, 0, true, "", 0, NULL,
	    "CookieSecret", OUT_SECRET, R(SERVER) },
	KS("nsid", nsid, "", "NSID", SERVER),
	KI("workers", workers, 0, 256, 0, "Workers", RESTART),
	KB("hostLookup", host_lookup, true, "HostLookup", RECORDS),
	KI("tcpIdleSeconds", tcp_idle_seconds, 1, 3600, 10, "TCPIdleSeconds",
	    SERVER),
	KI("tcpMaxConnections", tcp_max_connections, 1, 65535, 512,
	    "TCPMaxConnections", SERVER),
	KI("stateMaxBytes", state_max_bytes, 1024, INTMAX_CFG, 512 << 20,
	    "StateMaxBytes", NOW),
	KI("maxTasks", max_tasks, 1, INTMAX_CFG, 250000, "MaxTasks", RECORDS),
	KI("maxRecordsPerName", max_records_per_name, 1, INTMAX_CFG, 10000,
	    "MaxRecordsPerName", RECORDS),
	KI("forwardMaxInFlight", forward_max_in_flight, 1, 1000000, 4096,
	    "ForwardMaxInFlight", SERVER),
	KI("healthStaleSeconds", health_stale_seconds, 0, INTMAX_CFG, 0,
	    "HealthStaleSeconds", NOW),
	KS("stateAPI", state_api, "auto", "StateAPI", SOURCES),
	KB("healthAware", health_aware, false, "HealthAware", RECORDS),
	KI("coalesceMs", coalesce_ms, 0, 60000, 50, "CoalesceMs", NOW),
	{ "zones", T_FILES, O(zone_files), 0, 0, true, NULL, 0, NULL, "Zones",
	    OUT_PLAIN, R(NOW) },
	KI("zoneMaxRecords", zone_max_records, 1, INTMAX_CFG, 1000000,
	    "ZoneMaxRecords", NOW),
	KL("reverseZones", reverse_zones, NULL, "ReverseZones", RECORDS),
	KS("logLevel", log_level, "info", "LogLevel", NOW),
	KS("logTo", log_to, "stderr", "LogTo", NOW),
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

static void
files_free(struct config *c)
{
	for (size_t i = 0; i < c->n_zone_files; i++) {
		free(c->zone_files[i].apex);
		free(c->zone_files[i].file);
	}
	free(c->zone_files);
	c->zone_files = NULL;
	c->n_zone_files = 0;
}

/* Where key k lives in c. */
#define AT(c, k, T) ((T *)(void *)((char *)(c) + (k)->off))
#define CAT(c, k, T) \
	((const T *)(const void *)((const char *)(c) + (k)->off))

/* Key k's string in c (T_STR). */
static const char *
key_str(const struct config *c, const struct key *k)
{
	return *(char *const *)(const void *)((const char *)c + k->off);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];

		switch (k->type) {
		case T_STR:
			free(*AT(c, k, char *));
			break;
		case T_STRLIST:
			strlist_free(AT(c, k, struct config_strlist));
			break;
		case T_ZONES:
			zones_free(c);
			break;
		case T_FILES:
			files_free(c);
			break;
		case T_TSIG:
			tsigkeys_free(c);
			break;
		case T_RRL:
			ratelimit_free(c);
			break;
		case T_CREDS:
			free(c->mesos_principal);
			free(c->mesos_secret);
			break;
		default:
			break;
		}
	}
	free(c->warnings);
	free(c);
}

struct config *
config_default(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];

		switch (k->type) {
		case T_STR:
			*AT(c, k, char *) = xstrdup(k->sdef);
			break;
		case T_INT:
			*AT(c, k, int) = (int)k->idef;
			break;
		case T_BOOL:
			*AT(c, k, bool) = k->idef != 0;
			break;
		case T_STRLIST:
			for (size_t j = 0; k->ldef != NULL && k->ldef[j]; j++)
				strlist_add(AT(c, k, struct config_strlist),
				    k->ldef[j]);
			break;
		case T_CREDS:
			c->mesos_principal = xstrdup("");
			c->mesos_secret = xstrdup("");
			break;
		case T_RRL:
			ratelimit_defaults(c);
			break;
		case T_ZONES:
		case T_FILES:
		case T_TSIG:
			break;
		}
	}
	c->warnings = xstrdup("");
	return c;
}

static bool
zones_differ(const struct config *x, const struct config *y)
{
	if (x->n_zone_resolvers != y->n_zone_resolvers)
		return true;
	for (size_t i = 0; i < x->n_zone_resolvers; i++)
		if (strcmp(x->zone_resolvers[i].zone,
		    y->zone_resolvers[i].zone) != 0 ||
		    strlist_differ(&x->zone_resolvers[i].servers,
		    &y->zone_resolvers[i].servers))
			return true;
	return false;
}

static bool
files_differ(const struct config *x, const struct config *y)
{
	if (x->n_zone_files != y->n_zone_files)
		return true;
	for (size_t i = 0; i < x->n_zone_files; i++)
		if (strcmp(x->zone_files[i].apex, y->zone_files[i].apex) != 0 ||
		    strcmp(x->zone_files[i].file, y->zone_files[i].file) != 0)
			return true;
	return false;
}

static bool
key_differs(const struct key *k, const struct config *x,
    const struct config *y)
{
	switch (k->type) {
	case T_STR:
		return strcmp(key_str(x, k), key_str(y, k)) != 0;
	case T_INT:
		return *CAT(x, k, int) != *CAT(y, k, int);
	case T_BOOL:
		return *CAT(x, k, bool) != *CAT(y, k, bool);
	case T_STRLIST:
		return strlist_differ(CAT(x, k, struct config_strlist),
		    CAT(y, k, struct config_strlist));
	case T_ZONES:
		return zones_differ(x, y);
	case T_FILES:
		return files_differ(x, y);
	case T_TSIG:
		return tsigkeys_differ(x, y);
	case T_RRL:
		return ratelimit_differ(x, y);
	case T_CREDS:
		return strcmp(x->mesos_principal, y->mesos_principal) != 0 ||
		    strcmp(x->mesos_secret, y->mesos_secret) != 0;
	}
	return false;
}

bool
config_differ(const struct config *x, const struct config *y,
    enum config_reload r)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].reload == r && key_differs(&keys[i], x, y))
			return true;
	return false;
}

static void
str_write(struct jsonw *w, const char *s, enum kout show)
{
	size_t n = strlen(s);

	if (show == OUT_SECRET) {
		jsonw_string(w, n > 0 ? "<redacted>" : "");
	} else if (show == OUT_DOTTED && (n == 0 || s[n - 1] != '.')) {
		char *d = xmalloc(n + 2);

		memcpy(d, s, n);
		d[n] = '.';
		d[n + 1] = '\0';
		jsonw_string(w, d);
		free(d);
	} else {
		jsonw_string(w, s);
	}
}

static void
key_write(struct jsonw *w, const struct key *k, const struct config *c)
{
	switch (k->type) {
	case T_STR:
		str_write(w, key_str(c, k), k->show);
		return;
	case T_INT:
		jsonw_int(w, *CAT(c, k, int));
		return;
	case T_BOOL:
		jsonw_bool(w, *CAT(c, k, bool));
		return;
	case T_STRLIST:
		strlist_write(w, CAT(c, k, struct config_strlist));
		return;
	case T_ZONES:
		jsonw_object(w);
		for (size_t i = 0; i < c->n_zone_resolvers; i++) {
			jsonw_key(w, c->zone_resolvers[i].zone);
			strlist_write(w, &c->zone_resolvers[i].servers);
		}
		jsonw_end_object(w);
		return;
	case T_TSIG:
		tsigkeys_write(w, c);
		return;
	case T_RRL:
		ratelimit_write(w, c);
		return;
	case T_FILES:
		jsonw_object(w);
		for (size_t i = 0; i < c->n_zone_files; i++)
			jsonw_kstring(w, c->zone_files[i].apex,
			    c->zone_files[i].file);
		jsonw_end_object(w);
		return;
	case T_CREDS:
		jsonw_object(w);
		jsonw_kstring(w, "Principal", c->mesos_principal);
		jsonw_key(w, "Secret");
		str_write(w, c->mesos_secret, OUT_SECRET);
		jsonw_end_object(w);
		return;
	}
	jsonw_null(w);
}

void
config_write_json(const struct config *c, struct jsonw *w)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].out != NULL) {
			jsonw_key(w, keys[i].out);
			key_write(w, &keys[i], c);
		}
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
apply_files(struct msgs *e, struct config *c, const char *key, const json_t *v)
{
	const char *apex;
	json_t *file;

	if (!json_is_object(v)) {
		bad_type(e, key, v, "an object of apex: \"zone file\"");
		return;
	}
	files_free(c);
	json_object_foreach((json_t *)(uintptr_t)v, apex, file) {
		struct config_zonefile z;

		if (!json_is_string(file) || json_string_length(file) == 0) {
			msg_add(e, "%s.%s: expected the path of a zone file, "
			    "got %s", key, apex, type_name(file));
			continue;
		}
		z.apex = xstrdup(apex);
		z.file = xstrdup(json_string_value(file));
		c->zone_files = xrealloc(c->zone_files,
		    (c->n_zone_files + 1) * sizeof(z));
		c->zone_files[c->n_zone_files++] = z;
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
	case T_FILES:
		apply_files(e, c, k->name, v);
		break;
	case T_TSIG:
	case T_RRL: {
		char err[1024] = "";

		if (k->type == T_TSIG)
			tsigkeys_apply(c, k->name, v, err, sizeof(err));
		else
			ratelimit_apply(c, k->name, v, err, sizeof(err));
		if (err[0] != '\0')
			msg_add(e, "%.*s", (int)strlen(err) - 1, err);
		break;
	}
	case T_CREDS:
		apply_creds(e, c, k->name, v);
		break;
	}
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

/* "host:port" or "[v6]:port"; host must be non-empty. */

/* A resolver: "ip", "ip:port", "[v6]:port". */

/* ^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$, each label at most 63 octets. */

/* The keys that take one of a few words. */
static void
validate_words(const struct config *c, struct msgs *e)
{
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
	if (strcmp(c->state_api, "auto") != 0 &&
	    strcmp(c->state_api, "stream") != 0 &&
	    strcmp(c->state_api, "poll") != 0)
		msg_add(e, "stateAPI: \"%s\" is not auto, stream or poll",
		    c->state_api);
}

/* zones: each apex a name, given once, not the Mesos domain itself;
 * reverseZones: each an address/prefix. */
static void
validate_zone_files(struct msgs *e, struct config *c)
{
	for (size_t i = 0; i < c->n_zone_files; i++) {
		struct config_zonefile *z = &c->zone_files[i];

		conf_strip_dot(z->apex);
		conf_lower(z->apex);
		if (!conf_is_domain(z->apex)) {
			msg_add(e, "zones: \"%s\" is not a valid zone apex",
			    z->apex);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->zone_files[j].apex, z->apex) == 0)
				msg_add(e, "zones: \"%s\" is given twice",
				    z->apex);
	}
	for (size_t i = 0; i < c->reverse_zones.n; i++) {
		struct ipaddr net;
		unsigned prefix;

		if (ipaddr_parse_cidr(c->reverse_zones.v[i], &net,
		    &prefix) != 0)
			msg_add(e, "reverseZones: \"%s\" is not an address/"
			    "prefix", c->reverse_zones.v[i]);
		else if (prefix < (net.family == 4 ? 1u : 4u))
			msg_add(e, "reverseZones: \"%s\": a prefix under /%u "
			    "is not served", c->reverse_zones.v[i],
			    net.family == 4 ? 1 : 4);
	}
}

static void
validate_acl(struct msgs *e, const char *key, const struct config_strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct acl_entry ent;

		if (acl_parse_entry(l->v[i], &ent) != 0)
			msg_add(e, "%s: \"%s\" is not an address or "
			    "address/prefix (host bits must be zero)", key,
			    l->v[i]);
	}
}

static void
validate(struct msgs *e, struct config *c, bool have_source)
{
	conf_strip_dot(c->domain);
	if (!conf_is_domain(c->domain))
		msg_add(e, "domain: \"%s\" is not a valid domain name",
		    c->domain);
	conf_lower(c->domain);
	if (!conf_is_ip(c->listener))
		msg_add(e, "listener: \"%s\" is not an IP address", c->listener);
	validate_listeners(e, c);
	if (!conf_is_ip(c->http_listener))
		msg_add(e, "httpListener: \"%s\" is not an IP address",
		    c->http_listener);
	if (!c->dns_on && !c->http_on)
		msg_add(e, "dnsOn, httpOn: at least one must be true");
	for (size_t i = 0; i < c->masters.n; i++) {
		if (!conf_is_hostport(c->masters.v[i]))
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
		if (!conf_is_resolver(c->resolvers.v[i]))
			msg_add(e, "resolvers: \"%s\" is not ip or ip:port",
			    c->resolvers.v[i]);
	for (size_t i = 0; i < c->n_zone_resolvers; i++) {
		struct config_zone *z = &c->zone_resolvers[i];

		conf_strip_dot(z->zone);
		conf_lower(z->zone);
		if (!conf_is_domain(z->zone))
			msg_add(e, "zoneResolvers: \"%s\" is not a valid zone",
			    z->zone);
		else if (conf_zone_nests(z->zone, c->domain))
			msg_add(e, "zoneResolvers: zone \"%s\" equals or nests "
			    "with domain \"%s\"", z->zone, c->domain);
		for (size_t j = 0; j < z->servers.n; j++)
			if (!conf_is_resolver(z->servers.v[j]))
				msg_add(e, "zoneResolvers: \"%s\" for zone "
				    "\"%s\" is not ip or ip:port",
				    z->servers.v[j], z->zone);
	}
	validate_zone_files(e, c);
	validate_acl(e, "recurseFrom", &c->recurse_from);
	validate_acl(e, "allowTransfer", &c->allow_transfer);
	if (c->transfer_key[0] != '\0' && tsigkeys_find(c, c->transfer_key) ==
	    NULL)
		msg_add(e, "transferKey: \"%s\" is not a key of tsigKeys",
		    c->transfer_key);
	if (c->cookie_secret[0] != '\0' && (strlen(c->cookie_secret) != 32 ||
	    strspn(c->cookie_secret, "0123456789abcdefABCDEF") != 32))
		msg_add(e, "cookieSecret: expected 32 hex digits (16 octets), "
		    "or \"\" for a random one");
	if (strlen(c->nsid) > 64)
		msg_add(e, "nsid: at most 64 octets");
	for (size_t i = 0; i < c->notify.n; i++)
		if (!conf_is_resolver(c->notify.v[i]))
			msg_add(e, "notify: \"%s\" is not ip or ip:port",
			    c->notify.v[i]);
	conf_strip_dot(c->soa_mname);
	if (!conf_is_domain(c->soa_mname))
		msg_add(e, "SOAMname: \"%s\" is not a valid name", c->soa_mname);
	for (char *p = c->soa_rname; *p; p++)
		if (*p == '@')
			*p = '.';
	conf_strip_dot(c->soa_rname);
	if (!conf_is_domain(c->soa_rname))
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
	if ((c->cert_file[0] != '\0') != (c->key_file[0] != '\0'))
		msg_add(e, "certFile, keyFile: a client certificate needs both");
	validate_words(c, e);
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
