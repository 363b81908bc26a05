/* zk.h - leader detection through ZooKeeper (Mesos 0.23+ json.info_
 * znodes).
 *
 * Watches the children of the Mesos path; each master holds an ephemeral
 * sequential znode json.info_NNNNNNNNNN whose payload is MasterInfo JSON.
 * The lowest sequence is the leader; address.ip and address.port say where
 * it listens.  The client library calls back on its own thread: results
 * are gathered under a lock and handed to the main loop through an event,
 * so the callback below always runs on the main thread.
 */
#ifndef TASKDNS_ZK_H
#define TASKDNS_ZK_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

/* leader: "ip:port" or NULL when none; masters: every master, leader
 * first, then by sequence (mesos-dns's order for masterN). */
typedef void (*zk_leader_fn)(void *arg, const char *leader,
    char *const *masters, size_t n_masters);

struct zk;

/* Parse "zk://[user:pass@]host:port[,host:port...]/path" and start.  NULL
 * with errbuf filled on a malformed URL. */
struct zk *zk_new(struct event_base *base, const char *url, zk_leader_fn cb,
    void *arg, char *errbuf, size_t errlen);
void zk_free(struct zk *z);

/* Was this taskdns built with ZooKeeper?  Without it (zk_none.c), zk_new
 * fails saying so and a config naming zk is refused. */
bool zk_supported(void);

#endif
