/* model.h - the cluster as the operator API event stream keeps it.
 *
 * A SUBSCRIBED snapshot fills the model (model_clear first: a snapshot
 * replaces, never merges); each event then changes a task, an agent or a
 * framework in place.  Tasks are kept whatever their state until it is a
 * terminal one (finished, failed, killed, error, dropped, gone), so that
 * a TASK_UPDATED to TASK_RUNNING finds the task TASK_ADDED described; only
 * running tasks reach the records.  model_cluster() gives the generator the
 * same struct cluster a v0 /master/state would: the records of a model
 * and of the equivalent v0 state are the same (t/unit/test_model checks
 * it on random event sequences). */
#ifndef TASKDNS_MODEL_H
#define TASKDNS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesos/state.h"
#include "mesos/v1.h"

struct model;

struct model *model_new(void);
void model_free(struct model *m);
/* Forget everything: a snapshot starts. */
void model_clear(struct model *m);

/* Refuse a new task once the model holds max (0: no cap), whatever their
 * states: the memory a stream can take is bounded as a state's is. */
void model_set_max_tasks(struct model *m, uint32_t max);

/* A task of a snapshot or TASK_ADDED (update false), or a TASK_UPDATED:
 * its state, IPs (kept when a later TASK_RUNNING status has none) and
 * health.  1 when the records may change (the task ran before or runs
 * now), 0 when they cannot (a task that is not running changed state:
 * staging, starting...), -1 with why for an update of a task not known
 * or a task past the cap. */
int model_task(struct model *m, const struct v1_task *t, bool update,
    char *why, size_t len);
void model_agent(struct model *m, const struct v1_agent *a);
void model_agent_removed(struct model *m, const char *id);
/* A framework added or updated (its pid, which v1 does not carry, is
 * kept); removed, with its tasks. */
void model_framework(struct model *m, const struct v1_framework *f);
void model_framework_removed(struct model *m, const char *id);
/* The pid of a framework, from v0's /master/frameworks (NULL: none). */
void model_framework_pid(struct model *m, const char *id, const char *pid);

struct model_counts {
	uint32_t tasks, running, agents, frameworks;
};
void model_counts(const struct model *m, struct model_counts *out);

/* The running tasks with their frameworks and the agents, as a v0 state
 * parses (leader: "master@ip:port", or NULL).  Its tasks' strings and IPs
 * are the model's: use it before the model changes again, and free it
 * with state_cluster_free. */
struct cluster *model_cluster(struct model *m, const char *leader);

/* The frameworks and agents alone, for their records (no tasks). */
struct cluster *model_cluster_others(struct model *m, const char *leader);

/* A generation was made from the model as it is: the changes start
 * again from here. */
void model_mark(struct model *m);

/* The changes since the mark, for a generation patched from the one
 * made then: the tasks whose records may differ, as they were (before:
 * with their frameworks and agents as they were) and as they are
 * (after).  A changed agent or framework brings all its tasks.  others:
 * agents or frameworks changed, so may their own records. */
struct model_delta {
	struct cluster *before, *after;
	uint32_t tasks;		/* tasks looked at */
	bool others;
};
/* 0, or -1 when there is no delta to give: nothing was marked since the
 * model was last cleared, or the changes bring more than max tasks.  The
 * clusters borrow the model's strings: use them before it changes. */
int model_delta(struct model *m, uint32_t max, struct model_delta *d);
void model_delta_free(struct model_delta *d);

#endif
