/* test_state.c - the streaming /master/state parser. */
#include "helpers.h"
#include "dns/err.h"
#include "mesos/state.h"

static struct cluster *
parse_chunked(const char *buf, size_t len, size_t chunk, char *err,
    size_t errlen)
{
	struct state_parser *p = state_parser_new();
	struct cluster *c = NULL;
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (state_parser_feed(p, buf + off, n, err, errlen) != 0)
			goto out;
		off += n;
	}
	c = state_parser_finish(p, err, errlen);
out:
	state_parser_free(p);
	return c;
}

static const struct state_task *
find_task(const struct cluster *c, const char *id)
{
	for (const struct framework *f = c->frameworks; f; f = f->next)
		for (const struct state_task *t = f->tasks; t; t = t->next)
			if (strcmp(t->id, id) == 0)
				return t;
	return NULL;
}

static const struct state_task *
must_task(const struct cluster *c, const char *id)
{
	const struct state_task *t = find_task(c, id);

	if (t == NULL) {
		fail_msg("no task %s", id);
		abort();
	}
	return t;
}

static struct cluster *
must(struct cluster *c, const char *err)
{
	if (c == NULL) {
		fail_msg("state refused: %s", err);
		abort();
	}
	return c;
}

static void
keeps_what_naming_needs(void **state)
{
	size_t len;
	char *buf = read_all(src_path("t/fixtures/edge-state.json"), &len);
	char err[256];
	struct cluster *c = must(state_parse(buf, len, err, sizeof(err)), err);
	const struct state_task *t;
	const struct agent *a;
	unsigned n;

	(void)state;
	assert_string_equal(c->leader, "master@10.1.0.1:5050");
	assert_int_equal(c->n_agents, 4);
	a = c->agents;
	for (int i = 0; i < 3 && a != NULL; i++)
		a = a->next;
	if (a == NULL)
		fail();
	else
		assert_null(a->id);	/* "id": 42 */
	assert_int_equal(c->n_frameworks, 4);
	assert_string_equal(c->frameworks->name, "Marathon_Prod.EU");
	/* Running tasks only, none from completed_tasks. */
	assert_int_equal(c->n_tasks, 5);
	assert_null(find_task(c, "staged.1"));
	assert_null(find_task(c, "gone"));
	t = must_task(c, "app.1");
	assert_string_equal(t->ports, "[31000-31001, 31005-31005]");
	/* The latest running status: 172.16.0.2, fd01::2, then 0.3 from the
	 * second network; "bogus" is dropped; the KILLED one ignored. */
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).n, 3);
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).v[0].addr[3], 2);
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).v[1].family, 6);
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).v[2].addr[3], 3);
	/* 0.25's single ip_address when ip_addresses is empty. */
	t = must_task(c, "legacy.1");
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).n, 1);
	assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).v[0].addr[2], 1);
	/* Labels in either key order; discovery ports, a bad one dropped. */
	t = must_task(c, "svc.1");
	assert_int_equal(state_task_iplist(t, IPSRC_MESOS).n, 1);
	assert_int_equal(state_task_iplist(t, IPSRC_DOCKER).n, 1);
	assert_int_equal(state_task_iplist(t, IPSRC_DOCKER).v[0].addr[3], 2);
	assert_string_equal(t->disc_name, "Svc.Front");
	assert_int_equal(t->n_dports, 2);
	assert_int_equal(t->dports[0].number, 80);
	assert_string_equal(t->dports[0].name, "HTTP");
	assert_null(t->dports[1].name);
	/* Wrong JSON types are treated as absent. */
	t = must_task(c, "typed.1");
	assert_null(t->name);
	assert_null(t->ports);
	/* An agent id is kept once for the agent and all its tasks, a
	 * task given back (staged.1, on the same agent) notwithstanding. */
	assert_ptr_equal(must_task(c, "app.1")->slave_id,
	    must_task(c, "svc.1")->slave_id);
	assert_ptr_equal(t->slave_id, must_task(c, "app.1")->slave_id);
	n = 0;
	for (a = c->agents; a; a = a->next)
		if (a->id != NULL && strcmp(a->id, "AG-S0") == 0) {
			assert_ptr_equal(a->id, t->slave_id);
			n++;
		}
	assert_int_equal(n, 1);
	state_cluster_free(c);
	free(buf);
}

static void
any_chunking_gives_the_same_cluster(void **state)
{
	size_t len;
	char *buf = read_all(src_path("t/fixtures/edge-state.json"), &len);
	char err[256];

	(void)state;
	for (size_t chunk = 1; chunk < 64; chunk += 7) {
		struct cluster *c = must(parse_chunked(buf, len, chunk, err,
		    sizeof(err)), err);
		const struct state_task *t;

		assert_int_equal(c->n_tasks, 5);
		t = must_task(c, "app.1");
		assert_int_equal(state_task_iplist(t, IPSRC_NETINFO).n, 3);
		state_cluster_free(c);
	}
	free(buf);
}

static void
refuses_what_is_not_a_state(void **state)
{
	char err[256];
	static const char *bad[] = {
		"[1,2,3]", "\"leader\"", "{\"leader\": ", "{\"a\": 1}",
		"{\"leader\": \"x\"} trailing", "not json", "",
		"{\"frameworks\": [\"\xff\xfe\"]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cluster *c = state_parse(bad[i], strlen(bad[i]), err,
		    sizeof(err));

		assert_null(c);
		assert_true(strlen(err) > 0);
	}
	assert_null(state_parse("[]", 2, err, sizeof(err)));
	assert_non_null(strstr(err, "not a JSON object"));
	assert_null(state_parse("{\"x\":1}", 7, err, sizeof(err)));
	assert_non_null(strstr(err, "not a Mesos state"));
}

static void
refuses_absurd_nesting(void **state)
{
	char buf[2000], err[256];
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(buf, "{\"flags\":");
	for (int i = 0; i < 300; i++)
		buf[n++] = '[';
	for (int i = 0; i < 300; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_null(state_parse(buf, n, err, sizeof(err)));
	assert_non_null(strstr(err, "nesting"));
}

static void
leader_checks(void **state)
{
	char err[256];
	struct cluster *c;
	const char *non = "{\"pid\":\"master@10.0.0.2:5050\","
	    "\"leader\":\"master@10.0.0.1:5050\",\"frameworks\":[]}";

	(void)state;
	c = must(state_parse(non, strlen(non), err, sizeof(err)), err);
	assert_int_equal(state_check_leader(c, err, sizeof(err)), -E_FORMAT);
	assert_non_null(strstr(err, "not the leader"));
	state_cluster_free(c);
	c = must(state_parse("{\"slaves\":[]}", 13, err, sizeof(err)), err);
	assert_int_equal(state_check_leader(c, err, sizeof(err)), -E_FORMAT);
	state_cluster_free(c);
}

/* Every captured state parses, in one piece and in odd chunks, to the
 * same task count. */
static void
captured_states_parse(void **state)
{
	static const char *names[] = { "consul-test-0.24.0",
		"dcos-vagrant-1.0.0", "leader-0.19.1", "dcos-ssh-0.28.0",
		"dcos-production-0.27.0", "ovh-scale-0.22.0",
		"dcos-overlay-0.29.0", "nonleader-0.19.1", "dcos-pods-1.5.0",
		"mesosdns-fake-0.19" };
	const char *fx = shared_fixtures();

	(void)state;
	if (fx == NULL)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4200], err[256];
		size_t len;
		char *buf;
		struct cluster *a, *b;

		snprintf(path, sizeof(path), "%s/state/%s.json", fx, names[i]);
		buf = read_all(path, &len);
		a = must(state_parse(buf, len, err, sizeof(err)), err);
		b = must(parse_chunked(buf, len, 4093, err, sizeof(err)), err);
		assert_int_equal(a->n_tasks, b->n_tasks);
		assert_int_equal(a->n_agents, b->n_agents);
		if (strcmp(names[i], "ovh-scale-0.22.0") == 0)
			assert_int_equal(a->n_tasks, 131);
		if (strcmp(names[i], "dcos-production-0.27.0") == 0)
			assert_int_equal(a->n_tasks, 102);
		state_cluster_free(a);
		state_cluster_free(b);
		free(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_what_naming_needs),
		cmocka_unit_test(any_chunking_gives_the_same_cluster),
		cmocka_unit_test(refuses_what_is_not_a_state),
		cmocka_unit_test(refuses_absurd_nesting),
		cmocka_unit_test(leader_checks),
		cmocka_unit_test(captured_states_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
