/* zonefile.h - an RFC 1035 master file into a static zone (szone.h),
 * through libzscanner, Knot DNS's zone parser: every standard type,
 * $ORIGIN, $TTL, $INCLUDE, relative names, TTL and class defaults.
 *
 * Pure: the files are read by the caller's function (the daemon reads
 * them from disk, a test or fuzzer from memory).  An $INCLUDE is taken
 * relative to the including file's folder and only below the zone
 * file's own folder; includes nest at most ZONEFILE_MAX_DEPTH deep.
 */
#ifndef TASKDNS_ZONEFILE_H
#define TASKDNS_ZONEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "zone/szone.h"

#define ZONEFILE_MAX_DEPTH 8

/* Read the file at path into *text (malloc'd, *len octets): 0, or -1
 * with the reason in err. */
typedef int (*zonefile_read_fn)(void *arg, const char *path, char **text,
    size_t *len, char *err, size_t errlen);

/* The zone at apex from the file at path (at most max_records, 0: no
 * cap), or NULL with "file:line: reason" in err.  *warn (may be NULL)
 * gets a note an operator should see once (DNSSEC records served
 * without proofs), or "". */
struct szone *zonefile_load(const struct dname *apex, const char *path,
    uint32_t max_records, zonefile_read_fn rd, void *arg, char *err,
    size_t errlen, char *warn, size_t warnlen);
/* The same for a file that adds to the generated zone of its apex: an
 * SOA is not needed. */
struct szone *zonefile_load_overlay(const struct dname *apex,
    const char *path, uint32_t max_records, zonefile_read_fn rd, void *arg,
    char *err, size_t errlen, char *warn, size_t warnlen);

/* Whether path (an $INCLUDE's, already joined to its folder) stays
 * below the folder dir: no "..", no escape by an absolute path. */
int zonefile_path_below(const char *dir, const char *path);

#endif
