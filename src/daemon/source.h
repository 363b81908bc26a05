/* source.h - I/O around the core: reading the config and state files,
 * resolving host names and listing interface addresses for the generator.
 * The masters are polled by poller.h, ZooKeeper watched by zk.h.
 */
#ifndef TASKDNS_SOURCE_H
#define TASKDNS_SOURCE_H

#include <stddef.h>

#include "conf/config.h"
#include "mesos/generate.h"
#include "mesos/state.h"

/* Read a whole small file (at most max bytes) into a NUL-terminated
 * buffer the caller frees.  0 or -errno / -E_LIMIT. */
int source_read_file(const char *path, size_t max, char **out, size_t *len);

/* Read and check the config file at path (config_parse); state_file, if
 * not NULL, overrides stateFile.  A relative stateFile from the file names
 * a file beside the config.  NULL with every error in errbuf. */
struct config *source_load_config(const char *path, const char *state_file,
    char *errbuf, size_t errlen);

/* Stream a state file through the parser, refusing one over cfg's
 * stateMaxBytes or maxTasks.  NULL with the reason (naming the file) in
 * errbuf on failure. */
struct cluster *source_load_state(const char *path, const struct config *cfg,
    char *errbuf, size_t errlen);

/* Host lookups for the generator, cached across refreshes: getaddrinfo
 * blocks the main loop, so each name is asked at most every 5 minutes
 * (a failure is remembered for 1 minute). */
struct source_resolver;
struct source_resolver *source_resolver_new(void);
void source_resolver_free(struct source_resolver *r);

/* gen_resolve_fn over getaddrinfo (arg: a source_resolver): one IPv4 and
 * one IPv6 at most. */
int source_resolve(void *arg, const char *host, struct ipaddr *out, int max);

/* Every non-loopback interface address, for a 0.0.0.0 listener.  Caller
 * frees *out. */
size_t source_local_ips(struct ipaddr **out);

/* Seconds from t0 (CLOCK_MONOTONIC) to now. */
struct timespec;
double source_since(const struct timespec *t0);

#endif
