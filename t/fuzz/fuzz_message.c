/* fuzz_message.c - parse a query, answer it from a fixed generation, and
 * check our own answer: it must parse record by record to its last byte,
 * keep the query's ID, and carry the query's question. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zone/answer.h"
#include "conf/config.h"
#include "check.h"
#include "fuzz.h"
#include "mesos/generate.h"
#include "dns/message.h"
#include "mesos/state.h"
#include "zone/journal.h"
#include "zone/xfrout.h"

static const char state_json[] =
    "{\"leader\":\"master@10.0.0.1:5050\",\"pid\":\"master@10.0.0.1:5050\","
    "\"slaves\":[{\"id\":\"a-S0\",\"pid\":\"slave(1)@10.0.1.1:5051\"},"
    "{\"id\":\"a-S1\",\"pid\":\"slave(1)@[fd00::1]:5051\"}],"
    "\"frameworks\":[{\"name\":\"marathon\",\"pid\":\"s@10.0.0.2:1\","
    "\"tasks\":[{\"id\":\"w.1\",\"name\":\"web\",\"slave_id\":\"a-S0\","
    "\"state\":\"TASK_RUNNING\",\"resources\":{\"ports\":\"[31000-31040]\"},"
    "\"discovery\":{\"name\":\"Web\",\"ports\":{\"ports\":[{\"number\":80,"
    "\"name\":\"http\"}]}}},{\"id\":\"w.2\",\"name\":\"web\",\"slave_id\":"
    "\"a-S1\",\"state\":\"TASK_RUNNING\",\"resources\":{\"ports\":"
    "\"[32000-32001]\"}}]}]}";

/* The generation answering: serial 2, its journal holding the step from
 * serial 1 (the same state, task w.2 under another ID). */
static struct table *
fixed_table(void)
{
	static struct table *t;
	struct table *t0;
	struct config *cfg;
	struct cluster *cl;
	struct gen_env env = { 0 };
	struct gen_stats st;
	char err[512], before[sizeof(state_json)];
	char *p;

	if (t != NULL)
		return t;
	cfg = config_parse("{}", 2, "fuzz", "x", err, sizeof(err));
	memcpy(before, state_json, sizeof(state_json));
	if ((p = strstr(before, "w.2")) == NULL)
		abort();
	p[2] = '9';
	cl = state_parse(before, sizeof(before) - 1, err, sizeof(err));
	if (cfg == NULL || cl == NULL)
		abort();
	t0 = generate_table(cl, cfg, &env, NULL, 1, &st, err, sizeof(err));
	state_cluster_free(cl);
	cl = state_parse(state_json, sizeof(state_json) - 1, err, sizeof(err));
	if (t0 == NULL || cl == NULL)
		abort();
	t = generate_table(cl, cfg, &env, t0, 2, &st, err, sizeof(err));
	if (t == NULL || t->serial == t0->serial)
		abort();
	t->journal = journal_next(t0, t, 100, JOURNAL_MAX_BYTES);
	if (t->journal == NULL)
		abort();
	table_unref(t0);
	state_cluster_free(cl);
	config_free(cfg);
	return t;
}

/* The IXFR of step d for q: its messages within bounds, the first an
 * answer to the query. */
static void
fuzz_ixfr(const struct table *t, const struct jdiff *d,
    const struct msg_query *q)
{
	static uint8_t msg[MSG_MAX];
	struct xfrout x;
	size_t n;
	unsigned msgs = 0;

	xfrout_init_ixfr(&x, t, NULL, d, q);
	while ((n = xfrout_next(&x, msg)) > 0) {
		if (n > MSG_MAX || ++msgs > 4)
			abort();
		if (msgs == 1)
			fuzz_check_answer(msg, n, q);
	}
	xfrout_init_ixfr(&x, t, NULL, d, q);
	n = xfrout_one(&x, msg, 512);
	if (n > 512)
		abort();
}

/* A transfer asked for: the IXFR's serial read (bounded), the zone
 * written whole, its first message an answer to the query. */
static void
fuzz_xfr(const struct table *t, const uint8_t *data, size_t size,
    const struct msg_query *q)
{
	static uint8_t msg[MSG_MAX];
	struct xfrout x;
	uint32_t serial;
	size_t n;
	unsigned msgs = 0;

	if (q->qtype == RR_IXFR) {
		struct jdiff *d;

		/* The serial the query asks from (a step when it is 1),
		 * and the step the journal holds either way. */
		if (xfrout_ixfr_serial(data, size, q, &serial) == 0 &&
		    (d = journal_since(t->journal, serial)) != NULL) {
			fuzz_ixfr(t, d, q);
			jdiff_unref(d);
		}
		if ((d = journal_since(t->journal, 1)) == NULL)
			abort();
		fuzz_ixfr(t, d, q);
		jdiff_unref(d);
	}
	xfrout_init(&x, t, NULL, q);
	while ((n = xfrout_next(&x, msg)) > 0) {
		if (n > MSG_MAX || ++msgs > 16)
			abort();
		if (msgs == 1)
			fuzz_check_answer(msg, n, q);
	}
	if (msgs == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	static const struct answer_cfg cfg = { true, true, 1232, true, 8 };
	struct table *t = fixed_table();
	struct answer_info info;
	struct msg_query q, parsed;
	size_t len;

	for (int tcp = 0; tcp < 2; tcp++) {
		enum answer_kind k = answer_query(t, NULL, &cfg, data, size, out,
		    sizeof(out), tcp, (uint32_t)size, &len, &info, &parsed);

		if (k == ANSWER_DROP)
			continue;
		message_parse_query(data, size, &q);
		if (k == ANSWER_XFR)
			fuzz_xfr(t, data, size, &parsed);
		/* A name handed back for forwarding is the query parsed. */
		if (k == ANSWER_NOT_OURS && (parsed.id != q.id ||
		    parsed.qtype != q.qtype || !dname_equal(&parsed.qname,
		    &q.qname)))
			abort();
		if (!tcp && (len > MSG_UDP_MAX ||
		    (len > 512 && !(q.edns && len <= q.edns_size))))
			abort();	/* over the client's or UDP's limit */
		fuzz_check_answer(out, len, &q);
	}
	return 0;
}
