/* incr.c - a generation patched from the one before (see incr.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesos/incr.h"
#include "zone/builder.h"
#include "zone/patch.h"

struct incr {
	struct table_builder *others;	/* the last generation's records
					 * other than tasks' */
	uint64_t who;			/* the leader and masters of those */
};

struct incr *
incr_new(void)
{
	return calloc(1, sizeof(struct incr));
}

void
incr_free(struct incr *in)
{
	if (in == NULL)
		return;
	table_builder_free(in->others);
	free(in);
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* What the master records are made from: the leader and the masters. */
static uint64_t
who(const char *leader, const struct gen_env *env)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, leader);

	for (size_t i = 0; i < env->n_masters; i++)
		h = fnv(h, env->masters[i]);
	return h;
}

/* A builder for records to patch with: the zone's, with no cap (the
 * patch applies it). */
static struct table_builder *
scratch(const struct config *cfg)
{
	struct dname apex;
	struct table_soa soa;

	if (generate_zone(cfg, &apex, &soa) != 0)
		return NULL;
	return table_builder_new(&apex, (uint32_t)cfg->ttl, &soa);
}

static struct table_builder *
part(const struct cluster *cl, unsigned parts, const struct config *cfg,
    const struct gen_env *env, struct gen_stats *st, char *why, size_t len)
{
	struct table_builder *b = scratch(cfg);

	if (b == NULL) {
		snprintf(why, len, "domain or SOA names are not valid");
		return NULL;
	}
	if (generate_part(cl, cfg, env, parts, b, st, why, len) != 0) {
		table_builder_free(b);
		return NULL;
	}
	return b;
}

static struct table_builder *
others_of(struct model *m, const char *leader, const struct config *cfg,
    const struct gen_env *env, char *why, size_t len)
{
	struct cluster *cl = model_cluster_others(m, leader);
	struct gen_stats st;
	struct table_builder *b = part(cl, GEN_OTHERS, cfg, env, &st, why,
	    len);

	state_cluster_free(cl);
	return b;
}

int
incr_base(struct incr *in, struct model *m, const char *leader,
    const struct config *cfg, const struct gen_env *env)
{
	char why[256];

	table_builder_free(in->others);
	in->others = others_of(m, leader, cfg, env, why, sizeof(why));
	in->who = who(leader, env);
	return in->others != NULL ? 0 : -1;
}

struct feed {
	struct table_patch *p;
	int delta;
	uint32_t n;
};

static void
feed(void *arg, const struct dname *owner, uint16_t type, const uint8_t *rd,
    uint16_t rdlen)
{
	struct feed *f = arg;

	table_patch_add(f->p, owner, type, rd, rdlen, f->delta);
	f->n++;
}

static void
feed_all(struct table_patch *p, const struct table_builder *b, int delta,
    uint32_t *n)
{
	struct feed f = { p, delta, 0 };

	table_builder_each(b, feed, &f);
	*n += f.n;
}

struct table *
incr_patch(struct incr *in, const struct table *prev, struct model *m,
    const char *leader, const struct config *cfg, const struct gen_env *env,
    uint32_t now, struct incr_stats *st, char *why, size_t len)
{
	struct model_delta d;
	struct gen_stats sb, sa;
	struct table_builder *bb = NULL, *ba = NULL, *bo = NULL;
	struct table_patch *p;
	struct table *t = NULL;
	struct gen_env neg;
	/* Past some tasks a full build costs less than the patch. */
	uint32_t max = 4096 + prev->n_tasks / 8;

	memset(st, 0, sizeof(*st));
	if (in->others == NULL) {
		snprintf(why, len, "no generation to patch");
		return NULL;
	}
	if (model_delta(m, max, &d) != 0) {
		snprintf(why, len, "a new snapshot, or changes to more than "
		    "%u tasks", max);
		return NULL;
	}
	st->tasks = d.tasks;
	/* The tasks as they were: their PTRs go. */
	neg = *env;
	neg.ptr_sign = -1;
	bb = part(d.before, GEN_TASKS, cfg, &neg, &sb, why, len);
	ba = bb != NULL ? part(d.after, GEN_TASKS, cfg, env, &sa, why, len) :
	    NULL;
	if (d.others || who(leader, env) != in->who)
		bo = ba != NULL ? others_of(m, leader, cfg, env, why, len) :
		    NULL;
	model_delta_free(&d);
	if (ba == NULL || ((d.others || who(leader, env) != in->who) &&
	    bo == NULL))
		goto out;
	p = table_patch_new(prev, (uint32_t)cfg->max_records_per_name);
	feed_all(p, bb, -1, &st->records);
	feed_all(p, ba, 1, &st->records);
	if (bo != NULL) {
		feed_all(p, in->others, -1, &st->records);
		feed_all(p, bo, 1, &st->records);
	}
	t = table_patch_finish(p, now, prev->n_tasks - sb.tasks + sa.tasks,
	    why, len);
	if (t == NULL)
		goto out;
	st->shards = table_shards_changed(t, prev);
	if (bo != NULL) {
		table_builder_free(in->others);
		in->others = bo;
		in->who = who(leader, env);
		bo = NULL;
	}
out:
	table_builder_free(bb);
	table_builder_free(ba);
	table_builder_free(bo);
	return t;
}
