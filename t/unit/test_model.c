/* test_model.c - the v1 reader and the event model, against the oracle:
 * after any sequence of events, the records of the model are those of
 * the equivalent v0 /master/state.
 *
 * A small cluster (agents, frameworks, tasks) is changed at random, step
 * by step; each change is sent as the v1 event Mesos would send, framed
 * as RecordIO and cut at random, through the reader into the model.  After
 * every step the model's records are compared with those generated from a
 * v0 state written from the same cluster, with healthAware off and on. */
#include "helpers.h"

#include <stdarg.h>

#include "conf/config.h"
#include "mesos/generate.h"
#include "mesos/incr.h"
#include "mesos/model.h"
#include "mesos/recordio.h"
#include "mesos/state.h"
#include "mesos/v1.h"
#include "util/arena.h"

/* --- text buffers --- */

struct buf {
	char *p;
	size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap -
		    b->len : 0, fmt, ap);
		va_end(ap);
		if (b->p != NULL && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	b->len += (size_t)n;
}

/* --- the cluster the test changes --- */

#define N_AGENTS 4
#define N_FWS 3
#define N_TASKS 24

static const char *const fw_names[N_FWS] = { "marathon", "Chronos Jobs",
    "web.svc" };
static const char *const task_names[] = { "web", "api.v2", "Cache_Node",
    "db", "web" };

struct ttask {
	bool exists;		/* added and not yet gone */
	int fw, agent;
	const char *name;
	char state[24];
	int n_ips;		/* of the kept TASK_RUNNING status */
	int ip;			/* its IPs: 10.9.<ip>.1, .2 */
	int health;		/* -1 unsaid, 0, 1 */
	int port;		/* resources.ports from here, 0: none */
	bool disc;
};

struct cluster_truth {
	bool agent[N_AGENTS], fw[N_FWS];
	struct ttask t[N_TASKS];
};

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

/* --- v0: the equivalent /master/state --- */

static void
v0_state(const struct cluster_truth *c, struct buf *b)
{
	bool first = true;

	bprintf(b, "{\"leader\":\"master@127.0.0.1:5050\",\"slaves\":[");
	for (int a = 0; a < N_AGENTS; a++)
		if (c->agent[a]) {
			bprintf(b, "%s{\"id\":\"S%d\",\"pid\":\"slave(1)@10.0.0."
			    "%d:5051\",\"hostname\":\"agent%d\"}", first ? "" :
			    ",", a, a + 1, a);
			first = false;
		}
	bprintf(b, "],\"frameworks\":[");
	first = true;
	for (int f = 0; f < N_FWS; f++) {
		bool tfirst = true;

		if (!c->fw[f])
			continue;
		bprintf(b, "%s{\"id\":\"fw-%d\",\"name\":\"%s\",\"pid\":"
		    "\"scheduler@10.1.0.%d:8080\",\"hostname\":\"h%d\","
		    "\"tasks\":[", first ? "" : ",", f, fw_names[f], f + 1, f);
		first = false;
		for (int i = 0; i < N_TASKS; i++) {
			const struct ttask *t = &c->t[i];

			if (!t->exists || t->fw != f)
				continue;
			bprintf(b, "%s{\"id\":\"task-%d\",\"name\":\"%s\","
			    "\"slave_id\":\"S%d\",\"state\":\"%s\"",
			    tfirst ? "" : ",", i, t->name, t->agent, t->state);
			tfirst = false;
			if (t->port)
				bprintf(b, ",\"resources\":{\"ports\":\"[%d-%d, "
				    "%d-%d]\"}", t->port, t->port + 1,
				    t->port + 5, t->port + 5);
			if (t->disc)
				bprintf(b, ",\"discovery\":{\"name\":\"disc-%s\","
				    "\"ports\":{\"ports\":[{\"number\":80,"
				    "\"name\":\"http\",\"protocol\":\"tcp\"}]}}",
				    t->name);
			bprintf(b, ",\"statuses\":[{\"state\":\"TASK_RUNNING\","
			    "\"timestamp\":1");
			if (t->health >= 0)
				bprintf(b, ",\"healthy\":%s", t->health ? "true" :
				    "false");
			bprintf(b, ",\"container_status\":{\"network_infos\":"
			    "[{\"ip_addresses\":[");
			for (int k = 0; k < t->n_ips; k++)
				bprintf(b, "%s{\"ip_address\":\"10.9.%d.%d\"}",
				    k ? "," : "", t->ip, k + 1);
			bprintf(b, "]}]}}]}");
		}
		bprintf(b, "]}");
	}
	bprintf(b, "]}");
}

/* --- v1: the events --- */

static void
v1_task_json(const struct cluster_truth *c, int i, struct buf *b)
{
	const struct ttask *t = &c->t[i];

	bprintf(b, "{\"name\":\"%s\",\"task_id\":{\"value\":\"task-%d\"},"
	    "\"framework_id\":{\"value\":\"fw-%d\"},\"agent_id\":{\"value\":"
	    "\"S%d\"},\"state\":\"%s\"", t->name, i, t->fw, t->agent, t->state);
	if (t->port)
		bprintf(b, ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR"
		    "\",\"scalar\":{\"value\":0.1}},{\"name\":\"ports\",\"type\":"
		    "\"RANGES\",\"ranges\":{\"range\":[{\"begin\":%d,\"end\":%d},"
		    "{\"begin\":%d,\"end\":%d}]}}]", t->port, t->port + 1,
		    t->port + 5, t->port + 5);
	if (t->disc)
		bprintf(b, ",\"discovery\":{\"visibility\":\"FRAMEWORK\",\"name\":"
		    "\"disc-%s\",\"ports\":{\"ports\":[{\"number\":80,\"name\":"
		    "\"http\",\"protocol\":\"tcp\",\"labels\":{\"labels\":[]}}]}}",
		    t->name);
	if (strcmp(t->state, "TASK_RUNNING") == 0) {
		bprintf(b, ",\"statuses\":[{\"task_id\":{\"value\":\"task-%d\"},"
		    "\"state\":\"TASK_RUNNING\",\"timestamp\":1.5", i);
		if (t->health >= 0)
			bprintf(b, ",\"healthy\":%s", t->health ? "true" :
			    "false");
		bprintf(b, ",\"container_status\":{\"network_infos\":[{"
		    "\"ip_addresses\":[");
		for (int k = 0; k < t->n_ips; k++)
			bprintf(b, "%s{\"protocol\":\"IPv4\",\"ip_address\":"
			    "\"10.9.%d.%d\"}", k ? "," : "", t->ip, k + 1);
		bprintf(b, "]}]}}]");
	}
	bprintf(b, "}");
}

static void
v1_agent_json(int a, struct buf *b)
{
	bprintf(b, "{\"agent_info\":{\"hostname\":\"agent%d\",\"port\":5051,"
	    "\"id\":{\"value\":\"S%d\"}},\"active\":true,\"pid\":"
	    "\"slave(1)@10.0.0.%d:5051\"}", a, a, a + 1);
}

static void
v1_fw_json(int f, struct buf *b)
{
	bprintf(b, "{\"framework_info\":{\"user\":\"root\",\"name\":\"%s\","
	    "\"id\":{\"value\":\"fw-%d\"},\"hostname\":\"h%d\"},\"active\":"
	    "true}", fw_names[f], f, f);
}

static void
v1_subscribed(const struct cluster_truth *c, struct buf *b)
{
	bool first = true;

	bprintf(b, "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"get_state\":{"
	    "\"get_tasks\":{\"tasks\":[");
	for (int i = 0; i < N_TASKS; i++)
		if (c->t[i].exists && c->fw[c->t[i].fw]) {
			bprintf(b, "%s", first ? "" : ",");
			v1_task_json(c, i, b);
			first = false;
		}
	bprintf(b, "],\"completed_tasks\":[]},\"get_frameworks\":{"
	    "\"frameworks\":[");
	first = true;
	for (int f = 0; f < N_FWS; f++)
		if (c->fw[f]) {
			bprintf(b, "%s", first ? "" : ",");
			v1_fw_json(f, b);
			first = false;
		}
	bprintf(b, "]},\"get_agents\":{\"agents\":[");
	first = true;
	for (int a = 0; a < N_AGENTS; a++)
		if (c->agent[a]) {
			bprintf(b, "%s", first ? "" : ",");
			v1_agent_json(a, b);
			first = false;
		}
	bprintf(b, "],\"recovered_agents\":[]}},\"heartbeat_interval_seconds\":"
	    "15.0}}");
}

/* A TASK_UPDATED: the 1.1+ shape, or (old) 1.0's. */
static void
v1_updated(const struct cluster_truth *c, int i, bool with_ips, bool old,
    struct buf *b)
{
	const struct ttask *t = &c->t[i];

	if (old) {
		bprintf(b, "{\"type\":\"TASK_UPDATED\",\"task_updated\":{"
		    "\"task_id\":{\"value\":\"task-%d\"},\"framework_id\":{"
		    "\"value\":\"fw-%d\"},\"agent_id\":{\"value\":\"S%d\"},"
		    "\"state\":\"%s\"}}", i, t->fw, t->agent, t->state);
		return;
	}
	bprintf(b, "{\"type\":\"TASK_UPDATED\",\"task_updated\":{\"framework_id"
	    "\":{\"value\":\"fw-%d\"},\"status\":{\"task_id\":{\"value\":"
	    "\"task-%d\"},\"state\":\"%s\",\"source\":\"SOURCE_EXECUTOR\","
	    "\"agent_id\":{\"value\":\"S%d\"},\"timestamp\":9.5", t->fw, i,
	    t->state, t->agent);
	if (t->health >= 0)
		bprintf(b, ",\"healthy\":%s", t->health ? "true" : "false");
	if (with_ips) {
		bprintf(b, ",\"container_status\":{\"network_infos\":[{"
		    "\"ip_addresses\":[");
		for (int k = 0; k < t->n_ips; k++)
			bprintf(b, "%s{\"ip_address\":\"10.9.%d.%d\"}",
			    k ? "," : "", t->ip, k + 1);
		bprintf(b, "]}]}");
	}
	bprintf(b, "},\"state\":\"%s\"}}", t->state);
}

/* --- the model fed through RecordIO and the reader --- */

struct feed {
	struct model *m;
	struct v1_reader *r;
	struct recordio rio;
	char err[256];
	bool bad;
	bool visible;		/* a task change said the records may change */
	enum v1_type last;
	char *prev[2];		/* the records after the last step */
	/* The generation patched step by step (under one of the two
	 * configs: the model's journal serves one chain). */
	int inc_ha;
	struct incr *incr;
	struct table *inc;
	uint32_t patches, fulls;
};

static void
cb_snapshot(void *arg)
{
	struct feed *f = arg;

	model_clear(f->m);
}

static void
cb_task(void *arg, const struct v1_task *t, bool update)
{
	struct feed *f = arg;
	char why[160];

	int r = model_task(f->m, t, update, why, sizeof(why));

	if (r > 0)
		f->visible = true;
	if (r < 0) {
		f->bad = true;
		snprintf(f->err, sizeof(f->err), "%s", why);
	}
}

static void
cb_agent(void *arg, const struct v1_agent *a)
{
	model_agent(((struct feed *)arg)->m, a);
}

static void
cb_agent_removed(void *arg, const char *id)
{
	model_agent_removed(((struct feed *)arg)->m, id);
}

static void
cb_fw(void *arg, const struct v1_framework *fw)
{
	struct feed *f = arg;
	char pid[64];
	int k = atoi(fw->id + 3);

	model_framework(f->m, fw);
	/* What the daemon reads from v0's /master/frameworks. */
	snprintf(pid, sizeof(pid), "scheduler@10.1.0.%d:8080", k + 1);
	model_framework_pid(f->m, fw->id, pid);
}

static void
cb_fw_removed(void *arg, const char *id)
{
	model_framework_removed(((struct feed *)arg)->m, id);
}

static const struct v1_cbs v1cbs = { cb_snapshot, cb_task, cb_agent,
    cb_agent_removed, cb_fw, cb_fw_removed };

static int
rio_begin(void *arg, uint64_t len)
{
	struct feed *f = arg;

	(void)len;
	v1_reader_begin(f->r);
	return 0;
}

static int
rio_data(void *arg, const char *p, size_t n)
{
	struct feed *f = arg;

	return v1_reader_feed(f->r, p, n, f->err, sizeof(f->err));
}

static int
rio_end(void *arg)
{
	struct feed *f = arg;
	double hb;

	return v1_reader_end(f->r, &f->last, &hb, f->err, sizeof(f->err));
}

static const struct recordio_cbs riocbs = { rio_begin, rio_data, rio_end };

/* One record, framed, fed in random pieces. */
static void
send(struct feed *f, const struct buf *rec)
{
	char head[32];
	struct buf all = { NULL, 0, 0 };
	size_t at = 0;

	f->visible = false;
	snprintf(head, sizeof(head), "%zu\n", rec->len);
	bprintf(&all, "%s%s", head, rec->p);
	while (at < all.len) {
		size_t n = 1 + rnd(64);

		if (n > all.len - at)
			n = all.len - at;
		if (recordio_feed(&f->rio, all.p + at, n) != 0)
			fail_msg("record refused: %s (%s)\n%s", f->rio.why,
			    f->err, rec->p);
		at += n;
	}
	assert_true(recordio_at_boundary(&f->rio));
	assert_false(f->bad);
	free(all.p);
}

/* --- records --- */

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The sorted, deduplicated record lines of cl, one string. */
static char *
records(struct cluster *cl, const struct config *cfg)
{
	char err[256], line[2048];
	struct gen_env env = { .resolve = NULL };
	struct gen_stats st;
	struct table *t = generate_table(cl, cfg, &env, NULL, 1, &st, err,
	    sizeof(err));
	char **lines;
	struct buf out = { NULL, 0, 0 };
	uint32_t n = 0;

	assert_non_null(t);
	lines = calloc(t->n_recs + 1, sizeof(*lines));
	for (uint32_t i = 0; i < t->n_recs; i++)
		if (table_record_text(t, i, line, sizeof(line)) > 0)
			lines[n++] = strdup(line);
	qsort(lines, n, sizeof(*lines), cmp_str);
	bprintf(&out, "%s", "");
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || strcmp(lines[i], lines[i - 1]) != 0)
			bprintf(&out, "%s\n", lines[i]);
	for (uint32_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	table_unref(t);
	return out.p;
}

/* Every record of t with its adders, sorted, one string. */
static char *
counted(const struct table *t)
{
	char **lines = calloc(t->n_recs + 1, sizeof(*lines)), line[2048];
	struct buf out = { NULL, 0, 0 };

	for (uint32_t i = 0; i < t->n_recs; i++) {
		int n = table_record_text(t, i, line, sizeof(line) - 16);

		assert_true(n > 0);
		snprintf(line + n, 16, " x%u", table_rec_at(t, i)->refs);
		lines[i] = strdup(line);
	}
	qsort(lines, t->n_recs, sizeof(*lines), cmp_str);
	bprintf(&out, "%s", "");
	for (uint32_t i = 0; i < t->n_recs; i++) {
		bprintf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return out.p;
}

/* The next generation of the chain, patched when it can be (as the
 * daemon does), and the same as a full build of the model. */
static void
patch_step(struct feed *f, const struct config *k, int step)
{
	static const char leader[] = "master@127.0.0.1:5050";
	struct gen_env env = { .resolve = NULL };
	struct incr_stats ist;
	struct gen_stats st;
	struct cluster *cl;
	struct table *t = NULL, *full;
	char why[256], *a, *b;

	if (f->inc != NULL)
		t = incr_patch(f->incr, f->inc, f->m, leader, k, &env,
		    100 + (uint32_t)step, &ist, why, sizeof(why));
	cl = model_cluster(f->m, leader);
	full = generate_table(cl, k, &env, f->inc, 100 + (uint32_t)step, &st,
	    why, sizeof(why));
	assert_non_null(full);
	state_cluster_free(cl);
	if (t == NULL) {
		t = table_ref(full);
		assert_int_equal(incr_base(f->incr, f->m, leader, k, &env), 0);
		f->fulls++;
	} else
		f->patches++;
	model_mark(f->m);
	a = counted(t);
	b = counted(full);
	if (strcmp(a, b) != 0)
		fail_msg("step %d: the patched generation differs from a full "
		    "build\npatched:\n%sfull:\n%s", step, a, b);
	assert_true(t->content == full->content);
	assert_int_equal(t->serial, full->serial);
	assert_int_equal(t->n_tasks, full->n_tasks);
	free(a);
	free(b);
	table_unref(full);
	table_unref(f->inc);
	f->inc = t;
}

static struct config *
cfg(bool health_aware)
{
	char err[1024];
	const char *json = health_aware ?
	    "{\"masters\":[\"127.0.0.1:5050\"],\"healthAware\":true}" :
	    "{\"masters\":[\"127.0.0.1:5050\"]}";
	struct config *c = config_parse(json, strlen(json), "test", NULL, err,
	    sizeof(err));

	if (c == NULL)
		fail_msg("config: %s", err);
	return c;
}

static void
compare(struct feed *f, const struct cluster_truth *c, int step)
{
	struct buf v0 = { NULL, 0, 0 };
	char err[256];

	v0_state(c, &v0);
	for (int ha = 0; ha < 2; ha++) {
		struct config *k = cfg(ha == 1);
		struct cluster *want = state_parse(v0.p, v0.len, err,
		    sizeof(err));
		struct cluster *got = model_cluster(f->m,
		    "master@127.0.0.1:5050");
		char *w, *g;

		if (want == NULL)
			fail_msg("v0 state: %s\n%s", err, v0.p);
		w = records(want, k);
		g = records(got, k);
		if (strcmp(w, g) != 0)
			fail_msg("step %d (healthAware %d): the model's records "
			    "differ from the v0 state's\nwant:\n%sgot:\n%s",
			    step, ha, w, g);
		/* A task event model_task called invisible changes nothing
		 * (the daemon publishes no generation for it). */
		if (f->prev[ha] != NULL && !f->visible &&
		    (f->last == V1_TASK_ADDED || f->last == V1_TASK_UPDATED) &&
		    strcmp(f->prev[ha], g) != 0)
			fail_msg("step %d: an event said invisible changed the "
			    "records", step);
		if (ha == f->inc_ha)
			patch_step(f, k, step);
		free(f->prev[ha]);
		f->prev[ha] = g;
		free(w);
		state_cluster_free(want);
		state_cluster_free(got);
		config_free(k);
	}
	free(v0.p);
}

/* One random change of c, sent as its event. */
static void
step(struct feed *f, struct cluster_truth *c)
{
	struct buf e = { NULL, 0, 0 };
	int i = (int)rnd(N_TASKS), a = (int)rnd(N_AGENTS), k = (int)rnd(N_FWS);
	struct ttask *t = &c->t[i];
	uint32_t what = rnd(100);

	if (what < 25 && !t->exists && c->fw[k]) {
		/* TASK_ADDED, staging. */
		memset(t, 0, sizeof(*t));
		t->exists = true;
		t->fw = k;
		t->agent = a;
		t->name = task_names[rnd(5)];
		snprintf(t->state, sizeof(t->state), "TASK_STAGING");
		t->health = -1;
		t->port = rnd(2) ? 31000 + (int)rnd(100) * 10 : 0;
		t->disc = rnd(3) == 0;
		bprintf(&e, "{\"type\":\"TASK_ADDED\",\"task_added\":{\"task\":");
		v1_task_json(c, i, &e);
		bprintf(&e, "}}");
	} else if (what < 50 && t->exists) {
		/* To running: with new IPs, or (a status without any) keeping
		 * those it had. */
		bool old = rnd(8) == 0, with_ips = !old && rnd(4) != 0;
		int n = (int)rnd(3);

		snprintf(t->state, sizeof(t->state), "TASK_RUNNING");
		if (with_ips && n > 0) {
			t->n_ips = n;
			t->ip = (int)rnd(200);
		} else
			with_ips = false;
		v1_updated(c, i, with_ips, old, &e);
	} else if (what < 60 && t->exists) {
		static const char *const states[] = { "TASK_KILLED",
		    "TASK_FINISHED", "TASK_FAILED", "TASK_LOST",
		    "TASK_UNREACHABLE", "TASK_KILLING" };
		const char *s = states[rnd(6)];

		snprintf(t->state, sizeof(t->state), "%s", s);
		v1_updated(c, i, false, rnd(8) == 0, &e);
		if (strcmp(s, "TASK_LOST") != 0 &&
		    strcmp(s, "TASK_UNREACHABLE") != 0 &&
		    strcmp(s, "TASK_KILLING") != 0)
			t->exists = false;
	} else if (what < 72 && t->exists &&
	    strcmp(t->state, "TASK_RUNNING") == 0) {
		t->health = (int)rnd(2);
		v1_updated(c, i, false, false, &e);
	} else if (what < 80) {
		if (c->agent[a]) {
			c->agent[a] = false;
			bprintf(&e, "{\"type\":\"AGENT_REMOVED\",\"agent_removed\":"
			    "{\"agent_id\":{\"value\":\"S%d\"}}}", a);
		} else {
			c->agent[a] = true;
			bprintf(&e, "{\"type\":\"AGENT_ADDED\",\"agent_added\":{"
			    "\"agent\":");
			v1_agent_json(a, &e);
			bprintf(&e, "}}");
		}
	} else if (what < 86) {
		if (c->fw[k]) {
			c->fw[k] = false;
			for (int j = 0; j < N_TASKS; j++)
				if (c->t[j].fw == k)
					c->t[j].exists = false;
			bprintf(&e, "{\"type\":\"FRAMEWORK_REMOVED\","
			    "\"framework_removed\":{\"framework_info\":{\"name\":"
			    "\"%s\",\"id\":{\"value\":\"fw-%d\"}}}}",
			    fw_names[k], k);
		} else {
			c->fw[k] = true;
			bprintf(&e, "{\"type\":\"FRAMEWORK_ADDED\","
			    "\"framework_added\":{\"framework\":");
			v1_fw_json(k, &e);
			bprintf(&e, "}}");
		}
	} else if (what < 90) {
		v1_subscribed(c, &e);
	} else {
		bprintf(&e, "{\"type\":\"HEARTBEAT\"}");
	}
	if (e.p != NULL)
		send(f, &e);
	free(e.p);
}

static void
random_events_match_v0(void **state)
{
	uint32_t patches = 0, fulls = 0;

	(void)state;
	for (int run = 0; run < 20; run++) {
		struct cluster_truth c;
		struct feed f = { .bad = false };
		struct buf e = { NULL, 0, 0 };

		memset(&c, 0, sizeof(c));
		for (int a = 0; a < N_AGENTS; a++)
			c.agent[a] = a != 3;
		c.fw[0] = c.fw[1] = true;
		f.m = model_new();
		f.inc_ha = run % 2;
		f.incr = incr_new();
		f.r = v1_reader_new(&v1cbs, &f);
		recordio_init(&f.rio, 1 << 20, &riocbs, &f);
		v1_subscribed(&c, &e);
		send(&f, &e);
		free(e.p);
		assert_int_equal(f.last, V1_SUBSCRIBED);
		compare(&f, &c, 0);
		for (int s = 1; s <= 150; s++) {
			step(&f, &c);
			compare(&f, &c, s);
		}
		/* Most steps patch; a snapshot builds in full. */
		assert_true(f.patches > 2 * f.fulls);
		patches += f.patches;
		fulls += f.fulls;
		table_unref(f.inc);
		incr_free(f.incr);
		v1_reader_free(f.r);
		model_free(f.m);
		free(f.prev[0]);
		free(f.prev[1]);
	}
	print_message("%u generations patched, %u built in full\n", patches,
	    fulls);
}

/* An update of a task the model never saw is an error (the daemon
 * subscribes again). */
static void
unknown_task_is_refused(void **state)
{
	struct model *m = model_new();
	struct v1_task t = { .id = "nope", .state = "TASK_RUNNING" };
	char why[160];

	(void)state;
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not known: nope"));
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), 1);
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), 1);
	model_free(m);
}

/* Which task changes can change the records: only those of a task that
 * ran or runs. */
static void
visible_changes(void **state)
{
	struct model *m = model_new();
	struct v1_task t = { .id = "t1", .state = "TASK_STAGING" };
	char why[160];

	(void)state;
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), 0);
	t.state = "TASK_STARTING";
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), 0);
	t.state = "TASK_RUNNING";
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), 1);
	t.state = "TASK_KILLING";
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), 1);
	t.state = "TASK_KILLED";
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), 0);
	assert_int_equal(model_task(m, &t, true, why, sizeof(why)), -1);
	model_free(m);
}

/* maxTasks bounds the model, whatever the tasks' states. */
static void
max_tasks(void **state)
{
	struct model *m = model_new();
	struct v1_task t = { .id = "a", .state = "TASK_STAGING" };
	char why[160];

	(void)state;
	model_set_max_tasks(m, 2);
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), 0);
	t.id = "b";
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), 0);
	t.id = "c";
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than 2 tasks (maxTasks)"));
	t.id = "a";	/* the same task again is no new one */
	assert_int_equal(model_task(m, &t, false, why, sizeof(why)), 0);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_events_match_v0),
		cmocka_unit_test(unknown_task_is_refused),
		cmocka_unit_test(visible_changes),
		cmocka_unit_test(max_tasks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
