/* test_config.c - mesos-dns config.json, keys and validation. */
#include "helpers.h"
#include "conf/config.h"
#include "conf/tsigkeys.h"
#include "util/jsonw.h"

#include <jansson.h>

static struct config *
parse(const char *json, char *err, size_t errlen)
{
	return config_parse(json, strlen(json), "c.json", NULL, err, errlen);
}

static void
defaults_are_mesos_dns_defaults(void **state)
{
	char err[2048];
	struct config *c = parse("{\"masters\":[\"10.0.0.1:5050\"]}", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->domain, "mesos");
	assert_int_equal(c->port, 53);
	assert_int_equal(c->ttl, 60);
	assert_int_equal(c->refresh_seconds, 60);
	assert_int_equal(c->state_timeout_seconds, 300);
	assert_int_equal(c->http_port, 8123);
	assert_string_equal(c->listener, "0.0.0.0");
	assert_string_equal(c->soa_mname, "ns1.mesos");
	assert_string_equal(c->soa_rname, "root.ns1.mesos");
	assert_int_equal(c->soa_expire, 86400);
	assert_int_equal(c->srv_weight, 1);
	assert_int_equal(c->ip_sources.n, 3);
	assert_string_equal(c->ip_sources.v[0], "netinfo");
	assert_string_equal(c->resolvers.v[0], "8.8.8.8");
	assert_true(c->dns_on && c->http_on && c->external_on);
	assert_true(c->set_truncate_bit && c->enumeration_on);
	assert_false(c->enforce_rfc952);
	assert_int_equal(c->timeout, 5);
	/* taskdns: loopback and the private ranges may use forwarding. */
	assert_int_equal(c->recurse_from.n, 6);
	assert_string_equal(c->recurse_from.v[0], "127.0.0.0/8");
	assert_int_equal(c->forward_max_in_flight, 4096);
	assert_string_equal(c->warnings, "");
	config_free(c);
}

static void
forwarding_keys(void **state)
{
	char err[2048];
	struct config *c = parse("{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"RecurseFrom\":[\"0.0.0.0/0\", \"::/0\", \"203.0.113.9\"],"
	    "\"forwardMaxInFlight\":100,\"timeout\":0,"
	    "\"resolvers\":[\"10.0.0.53\",\"10.0.0.54:5353\",\"[fd00::1]:53\","
	    "\"fd00::2\"]}", err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->recurse_from.n, 3);
	assert_int_equal(c->forward_max_in_flight, 100);
	assert_int_equal(c->timeout, 5);	/* 0 means 5, as mesos-dns */
	assert_int_equal(c->resolvers.n, 4);
	/* Forwarding keys are acted on now: no "not acted on" warning. */
	assert_null(strstr(c->warnings, "resolvers"));
	assert_null(strstr(c->warnings, "timeout"));
	config_free(c);
	/* An empty list: nobody may use forwarding. */
	c = parse("{\"masters\":[\"10.0.0.1:5050\"],\"recurseFrom\":[]}",
	    err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->recurse_from.n, 0);
	config_free(c);
	assert_null(parse("{\"masters\":[\"10.0.0.1:5050\"],\"recurseFrom\":"
	    "[\"10.1.0.0/8\",\"lan\",\"10.0.0.0/33\"],"
	    "\"forwardMaxInFlight\":0,\"timeout\":86400}", err, sizeof(err)));
	assert_non_null(strstr(err, "recurseFrom: \"10.1.0.0/8\" is not"));
	assert_non_null(strstr(err, "recurseFrom: \"lan\" is not"));
	assert_non_null(strstr(err, "recurseFrom: \"10.0.0.0/33\" is not"));
	assert_non_null(strstr(err, "forwardMaxInFlight: 0 is out of range"));
	assert_non_null(strstr(err, "timeout: 86400 is out of range"));
	assert_null(parse("{\"masters\":[\"10.0.0.1:5050\"],\"recurseFrom\":"
	    "\"10.0.0.0/8\"}", err, sizeof(err)));
	assert_non_null(strstr(err, "recurseFrom: expected an array"));
}

static void
keys_match_without_case(void **state)
{
	char err[2048];
	struct config *c = parse("{\"MASTERS\":[\"10.0.0.1:5050\"],"
	    "\"httpport\":9000,\"Domain\":\"Cluster.Local.\",\"soarname\":"
	    "\"admin@example.com\",\"ipsources\":[\"host\"]}", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->http_port, 9000);
	assert_string_equal(c->domain, "cluster.local");
	assert_string_equal(c->soa_rname, "admin.example.com");
	assert_int_equal(c->ip_sources.n, 1);
	/* Every key here is acted on: no warning. */
	assert_string_equal(c->warnings, "");
	config_free(c);
}

/* listeners: a list of IP addresses, each once; without it, listener
 * alone; wildcards known as such. */
static void
listeners_key(void **state)
{
	char err[2048];
	struct config *c = parse("{\"masters\":[\"10.0.0.1:5050\"]}", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->listeners.n, 1);
	assert_string_equal(c->listeners.v[0], "0.0.0.0");
	assert_true(config_has_wildcard(c));
	config_free(c);
	c = parse("{\"masters\":[\"10.0.0.1:5050\"],\"listener\":\"10.0.0.5\"}",
	    err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->listeners.n, 1);
	assert_string_equal(c->listeners.v[0], "10.0.0.5");
	assert_false(config_has_wildcard(c));
	config_free(c);
	c = parse("{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"listeners\":[\"10.0.0.5\",\"fd00::5\"]}", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->listeners.n, 2);
	assert_string_equal(c->listeners.v[1], "fd00::5");
	assert_string_equal(c->warnings, "");
	config_free(c);
	c = parse("{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"listeners\":[\"10.0.0.5\",\"fd00::0:5\",\"fd00::5\",\"nope\"]}",
	    err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "listeners: \"fd00::5\" is listed twice"));
	assert_non_null(strstr(err, "listeners: \"nope\" is not an IP address"));
	assert_true(config_is_wildcard("::"));
	assert_true(config_is_wildcard("0.0.0.0"));
	assert_true(config_is_wildcard("0:0::0"));
	assert_false(config_is_wildcard("::1"));
	assert_false(config_is_wildcard("127.0.0.1"));
	assert_false(config_is_wildcard("x"));
}

/* One key table: what a reload restarts, and /v1/config's view. */
static void
put_buf(void *ctx, const char *p, size_t n)
{
	char **buf = ctx;
	size_t have = strlen(*buf);

	*buf = realloc(*buf, have + n + 1);
	assert_non_null(*buf);
	memcpy(*buf + have, p, n);
	(*buf)[have + n] = '\0';
}

/* /v1/config's members as a JSON object, parsed back with jansson. */
static json_t *
config_json(const struct config *c)
{
	char *buf = calloc(1, 1);
	struct jsonw w;
	json_t *o;

	jsonw_init(&w, put_buf, &buf);
	jsonw_object(&w);
	config_write_json(c, &w);
	jsonw_end_object(&w);
	o = json_loads(buf, 0, NULL);
	assert_non_null(o);
	free(buf);
	return o;
}

static void
reload_classes_and_the_json_view(void **state)
{
	char err[2048];
	struct config *a = parse("{\"masters\":[\"10.0.0.1:5050\"]}", err,
	    sizeof(err));
	struct config *b = parse("{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"ttl\":5,\"httpPort\":9000,\"mesosCredentials\":"
	    "{\"principal\":\"p\",\"secret\":\"hush\"}}", err, sizeof(err));
	json_t *o;
	char *text;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_true(config_differ(a, b, CONFIG_RELOAD_RECORDS));	/* ttl */
	assert_true(config_differ(a, b, CONFIG_RELOAD_HTTP));	/* httpPort */
	assert_true(config_differ(a, b, CONFIG_RELOAD_SOURCES));	/* creds */
	assert_false(config_differ(a, b, CONFIG_RELOAD_LISTENERS));
	assert_false(config_differ(a, a, CONFIG_RELOAD_SOURCES));
	o = config_json(b);
	assert_int_equal(json_integer_value(json_object_get(o, "TTL")), 5);
	assert_string_equal(json_string_value(json_object_get(o, "SOAMname")),
	    "ns1.mesos.");
	text = json_dumps(o, JSON_COMPACT);
	assert_null(strstr(text, "hush"));	/* never the secret */
	assert_non_null(strstr(text, "\"Secret\":\"<redacted>\""));
	assert_non_null(strstr(text, "\"Principal\":\"p\""));
	free(text);
	json_decref(o);
	config_free(a);
	config_free(b);
}

static void
unknown_keys_warn_by_name(void **state)
{
	char err[2048];
	struct config *c = parse("{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"email\":\"x\",\"frobnicate\":1}", err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_non_null(strstr(c->warnings, "\"email\""));
	assert_non_null(strstr(c->warnings, "\"frobnicate\""));
	config_free(c);
}

static void
every_error_is_reported_with_key_and_value(void **state)
{
	char err[4096];
	struct config *c = parse("{\"masters\":[\"10.0.0.1:5050\","
	    "\"10.0.0.1:5050\", \"nohost\"],\"port\":\"53\",\"ttl\":-1,"
	    "\"IPSources\":[\"magic\"],\"domain\":\"bad_domain\","
	    "\"listener\":\"localhost\",\"dnsOn\":\"yes\","
	    "\"resolvers\":[\"8.8.8.8:99999\"],"
	    "\"mesosAuthentication\":\"kerberos\"}", err, sizeof(err));

	(void)state;
	assert_null(c);
	assert_non_null(strstr(err, "masters: \"10.0.0.1:5050\" is listed twice"));
	assert_non_null(strstr(err, "masters: \"nohost\""));
	assert_non_null(strstr(err, "port: expected an integer, got a string "
	    "(\"53\")"));
	assert_non_null(strstr(err, "ttl: -1 is out of range"));
	assert_non_null(strstr(err, "IPSources: \"magic\""));
	assert_non_null(strstr(err, "domain: \"bad_domain\""));
	assert_non_null(strstr(err, "listener: \"localhost\""));
	assert_non_null(strstr(err, "dnsOn: expected true or false"));
	assert_non_null(strstr(err, "resolvers: \"8.8.8.8:99999\""));
	assert_non_null(strstr(err, "mesosAuthentication: \"kerberos\""));
}

static void
zone_resolvers_must_not_nest_with_the_domain(void **state)
{
	char err[2048];
	struct config *c;

	(void)state;
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"zoneResolvers\":"
	    "{\"sub.mesos\":[\"10.0.0.2\"],\"ok.example\":[\"bad\"]}}", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "zone \"sub.mesos\" equals or nests"));
	assert_non_null(strstr(err, "\"bad\" for zone \"ok.example\""));
	c = parse("{\"masters\":[\"1.2.3.4:5050\"],\"zoneResolvers\":"
	    "{\"Consul.\":[\"10.0.0.2:8600\", \"[::1]:53\"]}}", err,
	    sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->n_zone_resolvers, 1);
	assert_string_equal(c->zone_resolvers[0].zone, "consul");
	config_free(c);
}

static void
structural_errors(void **state)
{
	char err[2048];

	(void)state;
	assert_null(parse("[1]", err, sizeof(err)));
	assert_non_null(strstr(err, "JSON object"));
	assert_null(parse("{\"masters\": [", err, sizeof(err)));
	assert_non_null(strstr(err, "line 1"));
	assert_null(parse("{}", err, sizeof(err)));
	assert_non_null(strstr(err, "one of them is required"));
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"dnsOn\":false,"
	    "\"httpOn\":false}", err, sizeof(err)));
	assert_non_null(strstr(err, "at least one"));
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"mesosCredentials\":"
	    "{\"principal\":\"p\",\"secret\":42}}", err, sizeof(err)));
	assert_null(strstr(err, "42"));	/* a secret is never echoed */
}

/* Found by fuzz_config: a real far outside an int was cast before its
 * range was checked (undefined behaviour). */
static void
reals_are_range_checked_before_conversion(void **state)
{
	char err[2048];
	struct config *c;

	(void)state;
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"port\":"
	    "2.6666666666666666e62}", err, sizeof(err)));
	assert_non_null(strstr(err, "port: 2.666"));
	assert_non_null(strstr(err, "e62 is out of range (1 to 65535)"));
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"ttl\":-1e300}",
	    err, sizeof(err)));
	assert_non_null(strstr(err, "ttl:"));
	assert_null(parse("{\"masters\":[\"1.2.3.4:5050\"],\"port\":53.5}",
	    err, sizeof(err)));
	assert_non_null(strstr(err, "port: expected an integer"));
	c = parse("{\"masters\":[\"1.2.3.4:5050\"],\"port\":8053.0}", err,
	    sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->port, 8053);
	config_free(c);
}

static void
a_state_file_is_a_source(void **state)
{
	char err[2048];
	struct config *c = config_parse("{}", 2, "c.json", "/tmp/state.json",
	    err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->state_file, "/tmp/state.json");
	config_free(c);
	c = parse("{\"stateFile\":\"s.json\",\"timeout\":0}", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->timeout, 5);	/* 0 -> 5, as mesos-dns */
	config_free(c);
}

static void
shipped_samples_are_accepted(void **state)
{
	static const char *files[] = { "conf/taskdns.json",
		"contrib/secondaries/taskdns-primary.json",
		"conf/mesos-dns-config.json", "conf/demo.json" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char err[4096];
		size_t len;
		char *text = read_all(src_path(files[i]), &len);
		struct config *c = config_parse(text, len, files[i], NULL, err,
		    sizeof(err));

		if (c == NULL)
			fail_msg("%s: %s", files[i], err);
		config_free(c);
		free(text);
	}
}

/* tsigKeys: each key's name, algorithm and base64 secret checked;
 * transferKey names one of them; the JSON view redacts secrets. */
static void
tsig_keys(void **state)
{
	char err[2048];
	struct config *c, *d;
	const char *good = "{\"masters\":[\"10.0.0.1:5050\"],"
	    "\"tsigKeys\":{\"Xfr-Key.\":{\"algorithm\":\"HMAC-SHA256\","
	    "\"secret\":\"c2VjcmV0\"},\"k2\":{\"algorithm\":"
	    "\"hmac-sha512\",\"secret\":\"AAAA\"}},\"transferKey\":\"xfr-key\"}";

	(void)state;
	c = parse(good, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->n_tsig_keys, 2);
	assert_string_equal(c->tsig_keys[0].name, "xfr-key");
	assert_string_equal(c->tsig_keys[0].algorithm, "hmac-sha256");
	assert_string_equal(c->tsig_keys[0].secret, "c2VjcmV0");
	assert_string_equal(c->transfer_key, "xfr-key");
	{
		json_t *o = config_json(c);
		char *json = json_dumps(o, 0);

		assert_null(strstr(json, "c2VjcmV0"));
		assert_non_null(strstr(json, "redacted"));
		free(json);
		json_decref(o);
	}
	d = parse("{\"masters\":[\"10.0.0.1:5050\"]}", err, sizeof(err));
	assert_non_null(d);
	assert_true(config_differ(c, d, CONFIG_RELOAD_SERVER));
	config_free(d);
	config_free(c);

	c = parse("{\"masters\":[\"10.0.0.1:5050\"],\"tsigKeys\":{"
	    "\"k1\":{\"algorithm\":\"hmac-md5\",\"secret\":\"!!\"},"
	    "\"a..b\":{\"algorithm\":\"hmac-sha1\",\"secret\":\"AAAA\"},"
	    "\"k3\":\"AAAA\"},\"transferKey\":\"nokey\"}", err,
	    sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "tsigKeys.k1: algorithm"));
	assert_non_null(strstr(err, "tsigKeys.k1: the secret is not base64"));
	assert_non_null(strstr(err, "\"a..b\" is not a key name"));
	assert_non_null(strstr(err, "tsigKeys.k3"));
	assert_non_null(strstr(err, "transferKey: \"nokey\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_mesos_dns_defaults),
		cmocka_unit_test(listeners_key),
		cmocka_unit_test(reload_classes_and_the_json_view),
		cmocka_unit_test(keys_match_without_case),
		cmocka_unit_test(tsig_keys),
		cmocka_unit_test(forwarding_keys),
		cmocka_unit_test(unknown_keys_warn_by_name),
		cmocka_unit_test(every_error_is_reported_with_key_and_value),
		cmocka_unit_test(zone_resolvers_must_not_nest_with_the_domain),
		cmocka_unit_test(structural_errors),
		cmocka_unit_test(reals_are_range_checked_before_conversion),
		cmocka_unit_test(a_state_file_is_a_source),
		cmocka_unit_test(shipped_samples_are_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
