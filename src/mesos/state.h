/* state.h - a Mesos master's /master/state (v0 JSON) as plain C structs.
 *
 * The parser is a stream: bytes go in as they arrive (state_parser_feed) and
 * only what naming needs is kept; the document is never held as a tree.
 * Only frameworks[].tasks[] in TASK_RUNNING are kept, each with the IPs of
 * its latest TASK_RUNNING status, per IP source.  Fields of the wrong JSON
 * type are treated as absent, as are strings over STATE_MAX_STRING octets
 * (counted in cluster->ignored).  Everything lives in the cluster's arena.
 */
#ifndef TASKDNS_STATE_H
#define TASKDNS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipaddr.h"

#define STATE_MAX_STRING 4096
#define STATE_MAX_DEPTH 128

struct iplist {
	const struct ipaddr *v;
	uint32_t n;
};

enum ipsrc { IPSRC_NETINFO, IPSRC_MESOS, IPSRC_DOCKER, IPSRC_N };

struct disc_port {
	int number;		/* -1 when absent or invalid: dropped */
	const char *name;	/* NULL when absent */
	const char *protocol;	/* NULL when absent */
};

struct state_task {
	const char *id, *name, *slave_id;
	const char *ports;		/* resources.ports, NULL if absent */
	const char *disc_name;		/* discovery.name, NULL if absent */
	struct disc_port *dports;
	/* The IPs of the latest running status, by source in enum ipsrc
	 * order: n_ips[IPSRC_NETINFO] first, then the others (see
	 * state_task_iplist()). */
	const struct ipaddr *ipv;
	struct state_task *next;
	uint32_t n_dports;
	uint16_t n_ips[IPSRC_N];
	/* Its latest status that says healthy or not says not
	 * (healthAware leaves such a task out). */
	bool unhealthy;
};

/* One source's IPs of a task. */
static inline struct iplist
state_task_iplist(const struct state_task *t, enum ipsrc k)
{
	struct iplist l = { t->ipv, t->n_ips[k] };

	for (int i = 0; i < (int)k; i++)
		l.v += t->n_ips[i];
	return l;
}

struct framework {
	const char *id, *name, *pid, *hostname;
	struct state_task *tasks;
	uint32_t n_tasks;
	struct framework *next;
};

struct agent {
	const char *id, *pid, *hostname;
	struct agent *next;
};

struct cluster {
	struct arena *arena;
	/* Strings kept once however often they occur (agent ids, task
	 * names): equal strings are the same pointer. */
	struct arena *shared;
	const char *leader, *pid, *hostname, *version;
	struct framework *frameworks;
	struct agent *agents;
	uint32_t n_frameworks, n_agents, n_tasks;
	uint32_t ignored;	/* fields dropped for type or size */
};

struct state_parser;

struct state_parser *state_parser_new(void);
/* Refuse a state with more than max running tasks (0: no cap): parsing
 * stops there, so a huge state costs no more memory than max tasks. */
void state_parser_set_max_tasks(struct state_parser *p, uint32_t max);
/* Feed the next bytes.  Returns 0, or -E_FORMAT with the reason in errbuf
 * (the parser is then finished: only state_parser_free is allowed). */
int state_parser_feed(struct state_parser *p, const void *buf, size_t len,
    char *errbuf, size_t errlen);
/* End of document: returns the cluster (caller owns it, free with
 * state_cluster_free) or NULL with the reason in errbuf when the bytes were not
 * a complete Mesos state. */
struct cluster *state_parser_finish(struct state_parser *p, char *errbuf,
    size_t errlen);
void state_parser_free(struct state_parser *p);

/* Parse a whole document held in memory. */
struct cluster *state_parse(const void *buf, size_t len, char *errbuf,
    size_t errlen);

/* Check that a parsed state comes from a leading master: a leader is named,
 * and when pid is present it equals leader.  0, or -E_FORMAT with why. */
int state_check_leader(const struct cluster *c, char *errbuf, size_t errlen);

void state_cluster_free(struct cluster *c);

#endif
