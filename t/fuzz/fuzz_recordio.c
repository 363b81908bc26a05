/* fuzz_recordio.c - the event stream's pure path: RecordIO frames cut
 * from the input (in chunk sizes taken from its first byte), each record
 * through the v1 reader into the model, as the daemon does; after the
 * last byte, the model's cluster through the generator. */
#include <stdlib.h>

#include "conf/config.h"
#include "fuzz.h"
#include "mesos/generate.h"
#include "mesos/model.h"
#include "mesos/recordio.h"
#include "mesos/v1.h"

struct feed {
	struct model *m;
	struct v1_reader *r;
	char err[256];
	bool bad;
	bool snapshot;
};

static void
on_snapshot(void *arg)
{
	struct feed *f = arg;

	model_clear(f->m);
	f->snapshot = true;
}

static void
on_task(void *arg, const struct v1_task *t, bool update)
{
	struct feed *f = arg;

	if (model_task(f->m, t, update, f->err, sizeof(f->err)) < 0)
		f->bad = true;
}

static void
on_agent(void *arg, const struct v1_agent *a)
{
	model_agent(((struct feed *)arg)->m, a);
}

static void
on_agent_removed(void *arg, const char *id)
{
	model_agent_removed(((struct feed *)arg)->m, id);
}

static void
on_framework(void *arg, const struct v1_framework *fw)
{
	struct feed *f = arg;

	model_framework(f->m, fw);
	model_framework_pid(f->m, fw->id, "scheduler@10.0.0.1:8080");
}

static void
on_framework_removed(void *arg, const char *id)
{
	model_framework_removed(((struct feed *)arg)->m, id);
}

static const struct v1_cbs v1cbs = { on_snapshot, on_task, on_agent,
    on_agent_removed, on_framework, on_framework_removed };

static int
rec_begin(void *arg, uint64_t len)
{
	(void)len;
	v1_reader_begin(((struct feed *)arg)->r);
	return 0;
}

static int
rec_data(void *arg, const char *p, size_t n)
{
	struct feed *f = arg;

	if (v1_reader_feed(f->r, p, n, f->err, sizeof(f->err)) != 0)
		return -1;
	return f->bad ? -1 : 0;
}

static int
rec_end(void *arg)
{
	struct feed *f = arg;
	enum v1_type type;
	double hb;

	if (v1_reader_end(f->r, &type, &hb, f->err, sizeof(f->err)) != 0)
		return -1;
	if (type <= V1_UNKNOWN || type >= V1_TYPES)
		abort();	/* the reader's promise */
	return 0;
}

static const struct recordio_cbs riocbs = { rec_begin, rec_data, rec_end };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *cfg;
	struct feed f = { .bad = false };
	struct recordio rio;
	char err[512];
	size_t chunk, off = 1;

	if (size < 1)
		return 0;
	if (cfg == NULL) {
		static const char js[] = "{\"hostLookup\":false,\"masters\":"
		    "[\"10.0.0.1:5050\"],\"healthAware\":true}";

		cfg = config_parse(js, sizeof(js) - 1, "fuzz", NULL, err,
		    sizeof(err));
	}
	f.m = model_new();
	f.r = v1_reader_new(&v1cbs, &f);
	recordio_init(&rio, 1 << 20, &riocbs, &f);
	chunk = (size_t)data[0] + 1;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (recordio_feed(&rio, (const char *)data + off, n) != 0)
			break;
		off += n;
	}
	if (f.snapshot) {
		struct cluster *c = model_cluster(f.m, "master@10.0.0.1:5050");
		struct gen_env env = { 0 };
		struct gen_stats st;
		struct table *t = generate_table(c, cfg, &env, NULL, 1, &st, err,
		    sizeof(err));

		table_unref(t);
		state_cluster_free(c);
	}
	v1_reader_free(f.r);
	model_free(f.m);
	return 0;
}
