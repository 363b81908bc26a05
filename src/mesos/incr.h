/* incr.h - a generation patched from the one before, for the event
 * stream: its cost follows the tasks that changed, not the cluster.
 *
 * The model's delta (model.h) gives the changed tasks as they were and
 * as they are; their records are generated (generate_part, GEN_TASKS)
 * both ways, the first removed from the previous generation and the
 * second added (zone/patch.h: records are counted by adder, so one two
 * tasks share stays while either has it).  When agents, frameworks, the
 * leader or the masters changed, the records other than tasks' are made
 * again from the whole model and replace the ones kept from last time.
 * The result holds what a full build of the model holds.
 */
#ifndef TASKDNS_INCR_H
#define TASKDNS_INCR_H

#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "mesos/generate.h"
#include "mesos/model.h"
#include "zone/table.h"

struct incr;

struct incr *incr_new(void);
void incr_free(struct incr *in);

/* A full build from the model was published: keep the records other
 * than tasks' it holds, to patch against.  0, or -1 (nothing kept: the
 * next patch fails and a full build follows). */
int incr_base(struct incr *in, struct model *m, const char *leader,
    const struct config *cfg, const struct gen_env *env);

struct incr_stats {
	uint32_t tasks;		/* tasks whose records were made again */
	uint32_t records;	/* records added and removed */
	uint32_t shards;	/* shards written again */
};

/* The next generation from prev and the model's changes since its last
 * mark (the caller marks the model once it is published), or NULL with
 * why: the caller builds in full.  now: seconds since the epoch. */
struct table *incr_patch(struct incr *in, const struct table *prev,
    struct model *m, const char *leader, const struct config *cfg,
    const struct gen_env *env, uint32_t now, struct incr_stats *st,
    char *why, size_t len);

#endif
