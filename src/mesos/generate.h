/* generate.h - Mesos state + config -> the mesos-dns record set.
 *
 * Follows ../shared/docs/NAMING.md: framework, agent, listener, master,
 * leader and task records, with mesos-dns's label rules and task hashes.
 * Owners that cannot be DNS names (empty label, label over 63 octets, name
 * over 255) are skipped.  The core does no I/O: resolving a host name that
 * is not an IP address, and the interface addresses for a 0.0.0.0
 * listener, come from the caller through struct gen_env.
 */
#ifndef TASKDNS_GENERATE_H
#define TASKDNS_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/builder.h"
#include "conf/config.h"
#include "mesos/state.h"
#include "zone/table.h"

/* Resolve host into at most max addresses (one IPv4 and one IPv6, as
 * mesos-dns keeps); returns how many were written. */
typedef int (*gen_resolve_fn)(void *arg, const char *host,
    struct ipaddr *out, int max);

/* The PTR records the naming gives (reverseZones; NAMING.md "Reverse
 * zones"): address ip -> name, sign +1 as records are added, -1 for a
 * patch's records taken away; task: a task's (else an agent's, the
 * leader's or a master's).  ip NULL: a new set begins (task false: the
 * others'; true: every one). */
typedef void (*gen_ptr_fn)(void *arg, const struct ipaddr *ip,
    const struct dname *name, int sign, bool task);

struct gen_env {
	gen_ptr_fn ptr;			/* NULL: no PTRs wanted */
	void *ptr_arg;
	int ptr_sign;			/* 0 or 1: +1; -1: records removed */
	gen_resolve_fn resolve;		/* NULL: names never resolve */
	void *resolve_arg;
	const struct ipaddr *local_ips;	/* for listener 0.0.0.0 */
	size_t n_local_ips;
	/* Masters list for master/masterN (ZooKeeper's or config's);
	 * NULL: the config's masters. */
	char *const *masters;
	size_t n_masters;
};

struct gen_stats {
	uint32_t records, tasks, skipped_names;
	/* Records dropped over maxRecordsPerName, and the first name that
	 * lost some (presentation form). */
	uint32_t capped;
	char capped_name[DNAME_TEXT_MAX];	/* records: added, duplicates
						 * included */
};

/* The zone apex, SOA and TTL the config gives. */
int generate_zone(const struct config *cfg, struct dname *apex,
    struct table_soa *soa);

/* Add every record for cluster to b.  0, or -E_LIMIT when the builder's
 * cap was reached (errbuf says so). */
int generate_records(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, struct table_builder *b,
    struct gen_stats *stats, char *errbuf, size_t errlen);

/* Part of them: a cluster's task records (GEN_TASKS: from its tasks,
 * on its agents and frameworks), or all but those (GEN_OTHERS: its
 * frameworks', agents', masters' and the listener's), for a generation
 * patched from the one before (mesos/incr.h). */
enum { GEN_TASKS = 1, GEN_OTHERS = 2, GEN_ALL = 3 };
int generate_part(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, unsigned parts, struct table_builder *b,
    struct gen_stats *stats, char *errbuf, size_t errlen);

/* The whole pipeline: a new generation for cl (zone from cfg), serial
 * decided against prev (may be NULL), now in seconds since the epoch.
 * NULL with errbuf filled on failure; prev is untouched either way. */
struct table *generate_table(const struct cluster *cl,
    const struct config *cfg, const struct gen_env *env,
    const struct table *prev, uint32_t now, struct gen_stats *stats,
    char *errbuf, size_t errlen);

/* The first half of generate_table: a builder holding every record, or
 * NULL with errbuf filled.  Nothing in it points into cl, so the caller
 * can free the state before table_builder_finish(), which needs memory
 * of its own. */
struct table_builder *generate_builder(const struct cluster *cl,
    const struct config *cfg, const struct gen_env *env,
    struct gen_stats *stats, char *errbuf, size_t errlen);

/* The 5-character zbase32 prefix of sha1(id), NUL-terminated. */
void generate_task_hash(const char *id, char out[6]);

/* Expand a Mesos ports string "[31000-31002, 31010-31010]" into out (at
 * most max ports); returns how many. */
size_t generate_parse_ports(const char *s, uint16_t *out, size_t max);

#endif
