/* test_generate.c - the mesos-dns naming convention. */
#include "helpers.h"
#include "conf/config.h"
#include "mesos/generate.h"
#include "util/sha1.h"
#include "mesos/state.h"
#include "zone/table.h"

/* A resolver that knows one name and counts its calls. */
static int resolves;

static int
fake_resolve(void *arg, const char *host, struct ipaddr *out, int max)
{
	(void)arg;
	resolves++;
	if (strcmp(host, "fw.example.invalid") != 0 || max < 1)
		return 0;
	return ipaddr_parse("192.0.2.7", 9, out) ? 1 : 0;
}

static struct config *
cfg_from(const char *json)
{
	char err[2048];
	struct config *c = config_parse(json, strlen(json), "test", "x.json",
	    err, sizeof(err));

	if (c == NULL)
		fail_msg("config: %s", err);
	return c;
}

static struct table *
build(const char *state_json, size_t len, const struct config *cfg)
{
	char err[256];
	struct cluster *cl = state_parse(state_json, len, err, sizeof(err));
	struct gen_env env = { .resolve = fake_resolve };
	struct gen_stats st;
	struct table *t;

	if (cl == NULL)
		fail_msg("state: %s", err);
	t = generate_table(cl, cfg, &env, NULL, 1, &st, err, sizeof(err));
	assert_non_null(t);
	state_cluster_free(cl);
	return t;
}

static struct table *
build_edge(const char *cfg_json)
{
	size_t len;
	char *buf = read_all(src_path("t/fixtures/edge-state.json"), &len);
	struct config *cfg = cfg_from(cfg_json);
	struct table *t = build(buf, len, cfg);

	config_free(cfg);
	free(buf);
	return t;
}

static bool
has(const struct table *t, const char *line)
{
	char buf[2048];

	for (uint32_t i = 0; i < t->n_recs; i++)
		if (table_record_text(t, i, buf, sizeof(buf)) > 0 &&
		    strcmp(buf, line) == 0)
			return true;
	return false;
}

static unsigned
count_prefix(const struct table *t, const char *prefix)
{
	char buf[2048];
	unsigned n = 0;

	for (uint32_t i = 0; i < t->n_recs; i++)
		if (table_record_text(t, i, buf, sizeof(buf)) > 0 &&
		    strncmp(buf, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* The SHA-1 of n octets in hex. */
static void
sha1_hex(const void *in, size_t n, char hex[2 * SHA1_LEN + 1])
{
	uint8_t d[SHA1_LEN];

	sha1_digest(in, n, d);
	for (int k = 0; k < SHA1_LEN; k++)
		snprintf(hex + 2 * k, 3, "%02x", d[k]);
}

/* FIPS 180-4's examples (one block, two blocks) and a million 'a's. */
static void
sha1_vectors(void **state)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		    "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	};
	char hex[2 * SHA1_LEN + 1];
	char *m = malloc(1000000);

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha1_hex(v[i].in, strlen(v[i].in), hex);
		assert_string_equal(hex, v[i].hex);
	}
	assert_non_null(m);
	memset(m, 'a', 1000000);
	sha1_hex(m, 1000000, hex);
	assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(m);
}

static void
task_hash_and_ports(void **state)
{
	char h[6];
	uint16_t p[16];

	(void)state;
	generate_task_hash("test", h);
	assert_string_equal(h, "iffe9");
	generate_task_hash("toy-store.b8db9f73-562f-11e4-a088-c20493233aa5", h);
	assert_string_equal(h, "go588");
	assert_int_equal(generate_parse_ports("[31000-31002, 31010-31010]", p,
	    16), 4);
	assert_int_equal(p[3], 31010);
	assert_int_equal(generate_parse_ports("[]", p, 16), 0);
	assert_int_equal(generate_parse_ports("[5-3, 70000-70001, 9]", p, 16),
	    1);
	assert_int_equal(p[0], 9);
	assert_int_equal(generate_parse_ports("[1-65535]", p, 16), 16);
}

static void
frameworks_agents_and_listener(void **state)
{
	struct table *t = build_edge("{\"listener\":\"127.0.0.1\","
	    "\"masters\":[\"10.1.0.1:5050\"]}");

	(void)state;
	assert_true(has(t, "A marathon-prod.eu.mesos. 10.1.0.2"));
	assert_true(has(t, "SRV _framework._tcp.marathon-prod.eu.mesos. 0 1 "
	    "15101 marathon-prod.eu.mesos."));
	/* No pid: the hostname, and no SRV. */
	assert_true(has(t, "A nopidatall.mesos. 10.1.0.3"));
	assert_int_equal(count_prefix(t, "SRV _framework._tcp.nopidatall"), 0);
	/* A pid naming a host goes through the resolver. */
	assert_true(has(t, "A hostpid.mesos. 192.0.2.7"));
	assert_true(has(t, "A slave.mesos. 10.1.1.1"));
	assert_true(has(t, "AAAA slave.mesos. fd00::11"));
	assert_true(has(t, "A slave.mesos. 10.1.1.9"));
	assert_true(has(t, "SRV _slave._tcp.mesos. 0 1 5051 slave.mesos."));
	assert_true(has(t, "A ns1.mesos. 127.0.0.1"));
	assert_true(has(t, "A leader.mesos. 10.1.0.1"));
	assert_true(has(t, "A master0.mesos. 10.1.0.1"));
	assert_true(has(t, "SRV _leader._udp.mesos. 0 1 5050 leader.mesos."));
	table_unref(t);
}

static void
host_lookup_can_be_turned_off(void **state)
{
	struct table *t;

	(void)state;
	resolves = 0;
	t = build_edge("{\"hostLookup\": false}");
	assert_int_equal(resolves, 0);
	assert_int_equal(count_prefix(t, "A hostpid.mesos."), 0);
	table_unref(t);
}

static void
task_records(void **state)
{
	struct table *t = build_edge("{}");
	char h[6], line[512];

	(void)state;
	generate_task_hash("app.1", h);
	/* All IPs of the latest running status, A and AAAA. */
	assert_true(has(t, "A my-app-v2.marathon-prod.eu.mesos. 172.16.0.2"));
	assert_true(has(t, "A my-app-v2.marathon-prod.eu.mesos. 172.16.0.3"));
	assert_true(has(t, "AAAA my-app-v2.marathon-prod.eu.mesos. fd01::2"));
	assert_int_equal(count_prefix(t, "A my-app-v2.marathon-prod.eu.mesos. "
	    "172.16.0.1"), 0);
	snprintf(line, sizeof(line), "A my-app-v2-%s-s0.marathon-prod.eu."
	    "slave.mesos. 10.1.1.1", h);
	assert_true(has(t, line));
	assert_true(has(t, "A my-app-v2.marathon-prod.eu.slave.mesos. "
	    "10.1.1.1"));
	snprintf(line, sizeof(line), "SRV _my-app-v2._udp.marathon-prod.eu."
	    "mesos. 0 1 31005 my-app-v2-%s-s0.marathon-prod.eu.slave.mesos.",
	    h);
	assert_true(has(t, line));
	assert_int_equal(count_prefix(t, "SRV _my-app-v2._tcp.marathon-prod."
	    "eu.slave.mesos."), 3);
	/* The IPv6 agent's address for tasks on it. */
	assert_true(has(t, "AAAA legacy.marathon-prod.eu.slave.mesos. "
	    "fd00::11"));
	assert_true(has(t, "A legacy.marathon-prod.eu.mesos. 172.16.1.1"));
	/* Unknown agent or not running: nothing. */
	assert_int_equal(count_prefix(t, "A orphan."), 0);
	assert_int_equal(count_prefix(t, "A staged."), 0);
	table_unref(t);
}

/* A state of thousands of tasks over two frameworks, a seventh with a
 * discovery name that is no label (two passes each): the names of
 * every kind as one task at a time would give them, and the
 * enumeration in state order, however the generator overlaps one
 * task's lookups with the next one's names. */
static void
large_state_in_state_order(void **state)
{
	enum { N = 5000 };
	size_t cap = (size_t)N * 320 + 1024, len = 0;
	char *js = malloc(cap), h[6], line[512];
	struct config *cfg = cfg_from("{}");
	const struct table_enum *e;
	struct table *t;

	(void)state;
	assert_non_null(js);
	len += (size_t)snprintf(js + len, cap - len, "{\"leader\": "
	    "\"master@10.0.0.1:5050\", \"frameworks\": [");
	for (int i = 0; i < N; i++) {
		if (i == 0 || i == N / 2)
			len += (size_t)snprintf(js + len, cap - len,
			    "%s{\"name\": \"%s\", \"tasks\": [", i ? "]}, " :
			    "", i ? "beta" : "alpha");
		len += (size_t)snprintf(js + len, cap - len, "%s{\"id\": "
		    "\"t%d.x\", \"name\": \"t%d\", \"slave_id\": \"S1\", "
		    "\"state\": \"TASK_RUNNING\", \"resources\": "
		    "{\"ports\": \"[%d-%d]\"}", i == 0 || i == N / 2 ? "" :
		    ", ", i, i, 2000 + i, 2000 + i);
		if (i % 7 == 0)
			len += (size_t)snprintf(js + len, cap - len,
			    ", \"discovery\": {\"name\": \"Disc.N%d\", "
			    "\"ports\": {\"ports\": [{\"number\": 80, "
			    "\"name\": \"http\"}]}}", i);
		len += (size_t)snprintf(js + len, cap - len, "}");
	}
	len += (size_t)snprintf(js + len, cap - len, "]}], \"slaves\": "
	    "[{\"id\": \"S1\", \"pid\": \"slave(1)@10.0.0.9:5051\", "
	    "\"hostname\": \"a1\"}]}");
	assert_true(len < cap);
	t = build(js, len, cfg);
	assert_int_equal(t->n_tasks, N);
	for (int i = 0; i < N; i += 701) {
		const char *fw = i < N / 2 ? "alpha" : "beta";

		snprintf(line, sizeof(line), "t%d.x", i);
		generate_task_hash(line, h);
		if (i % 7 == 0) {
			/* Both the legacy raw name and the label. */
			snprintf(line, sizeof(line), "A disc.n%d.%s.mesos. "
			    "10.0.0.9", i, fw);
			assert_true(has(t, line));
			snprintf(line, sizeof(line), "SRV _http._disc-n%d._tcp."
			    "%s.mesos. 0 1 80 disc-n%d-%s-s1.%s.mesos.", i, fw,
			    i, h, fw);
			assert_true(has(t, line));
		} else {
			snprintf(line, sizeof(line), "A t%d.%s.mesos. 10.0.0.9",
			    i, fw);
			assert_true(has(t, line));
			snprintf(line, sizeof(line), "SRV _t%d._tcp.%s.mesos. "
			    "0 1 %d t%d-%s-s1.%s.slave.mesos.", i, fw,
			    2000 + i, i, h, fw);
			assert_true(has(t, line));
		}
	}
	/* Frameworks, then their tasks, in state order. */
	e = t->enumeration;
	assert_non_null(e);
	assert_int_equal(e->n_fws, 2);
	assert_string_equal(e->fws[0].name, "alpha");
	assert_int_equal(e->fws[0].n_tasks, N / 2);
	assert_int_equal(e->fws[1].first_task, N / 2);
	assert_int_equal(e->n_tasks, N);
	for (int i = 0; i < N; i++) {
		snprintf(line, sizeof(line), "t%d.x", i);
		assert_string_equal(e->tasks[i].id, line);
		assert_true(e->tasks[i].n_recs > 0);
	}
	table_unref(t);
	config_free(cfg);
	free(js);
}

static void
discovery_records(void **state)
{
	struct table *t = build_edge("{}");
	char h[6], line[512];

	(void)state;
	generate_task_hash("svc.1", h);
	/* The mesos label IP (netinfo has none). */
	assert_true(has(t, "A svc-front.marathon-prod.eu.mesos. 10.200.0.1"));
	/* The legacy raw name too, dots and all (lower-cased). */
	assert_true(has(t, "A svc.front.marathon-prod.eu.mesos. 10.200.0.1"));
	/* Agent SRVs only under slave when the task has discovery info. */
	assert_int_equal(count_prefix(t, "SRV _svc-front._tcp.marathon-prod.eu."
	    "mesos. 0 1 32000"), 0);
	snprintf(line, sizeof(line), "SRV _svc-front._tcp.marathon-prod.eu."
	    "slave.mesos. 0 1 32000 svc-front-%s-s0.marathon-prod.eu.slave."
	    "mesos.", h);
	assert_true(has(t, line));
	/* Discovery ports: named, and unnamed without protocol (both). */
	snprintf(line, sizeof(line), "SRV _http._svc-front._tcp.marathon-prod."
	    "eu.mesos. 0 1 80 svc-front-%s-s0.marathon-prod.eu.mesos.", h);
	assert_true(has(t, line));
	snprintf(line, sizeof(line), "SRV _svc-front._udp.marathon-prod.eu."
	    "mesos. 0 1 53 svc-front-%s-s0.marathon-prod.eu.mesos.", h);
	assert_true(has(t, line));
	assert_int_equal(count_prefix(t, "SRV _svc-front._udp.marathon-prod."
	    "eu.mesos. 0 1 80"), 0);
	table_unref(t);
}

static void
ip_sources_order(void **state)
{
	struct table *t = build_edge("{\"IPSources\": [\"docker\"]}");

	(void)state;
	assert_true(has(t, "A svc-front.marathon-prod.eu.mesos. 10.200.0.2"));
	/* No docker IP and no host source: no task A records. */
	assert_int_equal(count_prefix(t, "A my-app-v2.marathon-prod.eu.mesos."),
	    0);
	assert_int_equal(count_prefix(t, "A my-app-v2.marathon-prod.eu.slave."),
	    1);
	table_unref(t);
	t = build_edge("{\"IPSources\": [\"host\", \"netinfo\"], "
	    "\"SRVRecordDefaultWeight\": 7, \"domain\": \"Dc1.Example\"}");
	assert_true(has(t, "A my-app-v2.marathon-prod.eu.dc1.example. "
	    "10.1.1.1"));
	assert_int_equal(count_prefix(t, "SRV _slave._tcp.dc1.example. 0 7 "),
	    1);
	table_unref(t);
}

static void
rfc952_labels(void **state)
{
	const char *st = "{\"leader\":\"master@10.0.0.1:5050\",\"slaves\":[{"
	    "\"id\":\"a-S1\",\"pid\":\"slave(1)@10.0.0.5:5051\"}],"
	    "\"frameworks\":[{\"name\":\"9fw\",\"pid\":\"s@10.0.0.2:1\","
	    "\"tasks\":[{\"id\":\"t1\",\"name\":\"89fdgsf---gs7-fgs--d7fddg-123\","
	    "\"slave_id\":\"a-S1\",\"state\":\"TASK_RUNNING\"}]}]}";
	struct config *cfg = cfg_from("{\"EnforceRFC952\": true}");
	struct table *t = build(st, strlen(st), cfg);

	(void)state;
	assert_true(has(t, "A fdgsf---gs7-fgs--d7fddg1.fw.mesos. 10.0.0.5"));
	config_free(cfg);
	table_unref(t);
}

static void
masters_numbering(void **state)
{
	const char *st = "{\"leader\":\"master@10.1.0.1:5050\",\"slaves\":[]}";
	struct config *cfg = cfg_from("{\"masters\": [\"10.1.0.9:5050\", "
	    "\"10.1.0.1:5050\", \"10.1.0.9:5051\"]}");
	struct table *t = build(st, strlen(st), cfg);

	(void)state;
	assert_true(has(t, "A master0.mesos. 10.1.0.9"));
	assert_true(has(t, "A master1.mesos. 10.1.0.1"));
	assert_int_equal(count_prefix(t, "A master2."), 0);
	assert_int_equal(count_prefix(t, "A master.mesos."), 2);
	config_free(cfg);
	table_unref(t);
	/* A leader missing from the list is appended. */
	cfg = cfg_from("{\"masters\": [\"10.1.0.9:5050\"]}");
	t = build(st, strlen(st), cfg);
	assert_true(has(t, "A master0.mesos. 10.1.0.9"));
	assert_true(has(t, "A master1.mesos. 10.1.0.1"));
	config_free(cfg);
	table_unref(t);
}

static void
malformed_leaders_make_no_master_records(void **state)
{
	static const char *leaders[] = { "", "@", "1@", "@2", "3@4",
		"master@host.example:5050", "a@b@10.0.0.1:1" };
	struct config *cfg = cfg_from("{\"masters\": [\"10.1.0.9:5050\"]}");

	(void)state;
	for (size_t i = 0; i < sizeof(leaders) / sizeof(leaders[0]); i++) {
		char st[256];
		struct table *t;

		snprintf(st, sizeof(st), "{\"leader\":\"%s\",\"slaves\":[]}",
		    leaders[i]);
		t = build(st, strlen(st), cfg);
		assert_int_equal(count_prefix(t, "A master"), 0);
		assert_int_equal(count_prefix(t, "A leader"), 0);
		assert_int_equal(count_prefix(t, "SRV _leader"), 0);
		table_unref(t);
	}
	config_free(cfg);
}

/* The captured fake state, against facts from its golden set. */
static void
captured_fake_state(void **state)
{
	const char *fx = shared_fixtures();
	char path[4200];
	size_t len;
	char *buf;
	struct config *cfg;
	struct table *t;

	(void)state;
	if (fx == NULL)
		return;
	snprintf(path, sizeof(path), "%s/state/mesosdns-fake-0.19.json", fx);
	buf = read_all(path, &len);
	cfg = cfg_from("{\"listener\":\"127.0.0.1\",\"masters\":"
	    "[\"1.2.3.4:5050\"]}");
	t = build(buf, len, cfg);
	assert_true(has(t, "A toy-store.ipv6-framework.mesos. 12.0.1.2"));
	assert_true(has(t, "AAAA toy-store-go588-3.ipv6-framework.mesos. "
	    "fd01:b::1:8000:2"));
	assert_true(has(t, "SRV _http._big.dog._tcp.marathon.mesos. 0 1 80 "
	    "big.dog-4dfjd-0.marathon.mesos."));
	assert_true(has(t, "A nginx.marathon.mesos. 10.3.0.3"));
	config_free(cfg);
	table_unref(t);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_vectors),
		cmocka_unit_test(task_hash_and_ports),
		cmocka_unit_test(frameworks_agents_and_listener),
		cmocka_unit_test(host_lookup_can_be_turned_off),
		cmocka_unit_test(task_records),
		cmocka_unit_test(large_state_in_state_order),
		cmocka_unit_test(discovery_records),
		cmocka_unit_test(ip_sources_order),
		cmocka_unit_test(rfc952_labels),
		cmocka_unit_test(masters_numbering),
		cmocka_unit_test(malformed_leaders_make_no_master_records),
		cmocka_unit_test(captured_fake_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
