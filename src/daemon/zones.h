/* zones.h - the zone files of `zones`: read at start, read again within a
 * second of a change (each file an $INCLUDE reads is watched too) and on
 * SIGHUP, each published as one immutable zone set.  A file that does
 * not load is refused with file:line and the reason, once; its zone
 * keeps serving the last version that loaded (none at start: its names
 * are not ours then). */
#ifndef TASKDNS_ZONES_H
#define TASKDNS_ZONES_H

#include "conf/config.h"
#include "zone/zoneset.h"

struct event_base;
struct zones;

/* Called on the main loop with each new set (borrowed: take a
 * reference to keep it). */
typedef void (*zones_publish_fn)(void *arg, struct zoneset *zs);

/* The zones of cfg, their files relative to config_path's folder, loaded
 * now (failures logged); fn is told of every later set.  NULL when cfg
 * has none. */
struct zones *zones_new(struct event_base *base, const struct config *cfg,
    const char *config_path, zones_publish_fn fn, void *arg);
/* SIGHUP: every file read again, under cfg's list (a zone kept keeps its
 * last good version if its file fails now). */
struct zones *zones_reload(struct zones *z, struct event_base *base,
    const struct config *cfg, const char *config_path, zones_publish_fn fn,
    void *arg);
/* A zone file of the Mesos domain itself adds to the generated zone t;
 * where one of its rrsets and a generated one share name and type, the
 * file's is served: logged once per name. */
struct table;
void zones_note_shadows(struct zones *z, const struct table *t);
/* The set now (borrowed; NULL when there are no zones). */
struct zoneset *zones_current(const struct zones *z);
void zones_free(struct zones *z);

#endif
