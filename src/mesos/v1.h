/* v1.h - one record of the Mesos v1 operator API (JSON), read as a
 * stream: a SUBSCRIBED snapshot (or a GET_STATE answer) or one event.
 *
 * The v1 shapes are not v0's: ids are objects ({"value":...}), a task
 * names its agent_id, resources are arrays with ranges, labels are
 * wrapped in an object, a framework's fields are under framework_info and
 * an agent's under agent_info.  The reader knows them and hands each
 * task, agent and framework it finishes to the caller (struct v1_cbs):
 * the caller keeps the cluster model (mesos/model.h).  Nothing is held
 * as a tree: a 40 MB snapshot costs what its entities cost, one at a
 * time.  Strings handed over live until the callback returns. */
#ifndef TASKDNS_V1_H
#define TASKDNS_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesos/state.h"

enum v1_type {
	V1_UNKNOWN, V1_SUBSCRIBED, V1_GET_STATE, V1_TASK_ADDED,
	V1_TASK_UPDATED, V1_AGENT_ADDED, V1_AGENT_REMOVED, V1_FRAMEWORK_ADDED,
	V1_FRAMEWORK_UPDATED, V1_FRAMEWORK_REMOVED, V1_HEARTBEAT, V1_TYPES
};

extern const char *const v1_type_names[V1_TYPES];

/* A status's health: none said, or what the latest status said. */
enum v1_health { V1_HEALTH_UNSAID, V1_HEALTHY, V1_UNHEALTHY };

/* A task (snapshot, TASK_ADDED), or what a TASK_UPDATED says of one. */
struct v1_task {
	const char *id, *name, *framework_id, *agent_id;
	const char *state;		/* NULL: not said */
	const char *ports;		/* as v0 writes it: "[b-e, b-e]" */
	const char *disc_name;
	const struct disc_port *dports;
	uint32_t n_dports;
	/* The IPs of the latest TASK_RUNNING status, by source (none:
	 * no such status, or one without IPs). */
	const struct ipaddr *ips[IPSRC_N];
	uint32_t n_ips[IPSRC_N];
	enum v1_health health;	/* of the latest status saying it */
};

struct v1_agent {
	const char *id, *pid, *hostname;
	int port;		/* agent_info.port, 0 when absent */
};

struct v1_framework {
	const char *id, *name, *hostname;
};

struct v1_cbs {
	/* A SUBSCRIBED (or GET_STATE) snapshot starts: what follows is the
	 * whole cluster. */
	void (*snapshot)(void *arg);
	/* A task of a snapshot or TASK_ADDED (added), or a TASK_UPDATED. */
	void (*task)(void *arg, const struct v1_task *t, bool update);
	void (*agent)(void *arg, const struct v1_agent *a);
	void (*agent_removed)(void *arg, const char *id);
	void (*framework)(void *arg, const struct v1_framework *f);
	void (*framework_removed)(void *arg, const char *id);
};

struct v1_reader;

struct v1_reader *v1_reader_new(const struct v1_cbs *cbs, void *arg);
/* Start the next record (the reader is reused record after record). */
void v1_reader_begin(struct v1_reader *r);
/* Its next bytes.  0, or -1 with the reason in errbuf: not JSON, or not
 * an operator API record. */
int v1_reader_feed(struct v1_reader *r, const void *p, size_t n,
    char *errbuf, size_t errlen);
/* Its end: the record's type (never V1_UNKNOWN), or -1 with the reason:
 * incomplete, or no known type.  heartbeat: SUBSCRIBED's
 * heartbeat_interval_seconds (0 when it says none). */
int v1_reader_end(struct v1_reader *r, enum v1_type *type, double *heartbeat,
    char *errbuf, size_t errlen);
void v1_reader_free(struct v1_reader *r);

#endif
