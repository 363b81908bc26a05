/* patch.h - a generation made from the one before it.
 *
 * A patch collects records added and removed (each add one more adder
 * of the record, each removal one less: a record stays while it has
 * one), then writes again only the shards (shard.h) of the names that
 * changed, and of the parents that became or stopped being empty
 * non-terminals; the new generation shares every other shard with the
 * one before.  What it holds is what a full build of the same records
 * holds; the order of records within an rrset may differ.
 *
 * A patch cannot be made (finish returns NULL, and the caller builds in
 * full) when a removal names a record the generation does not hold, a
 * name would pass the cap on records (the full build keeps the first
 * ones added, in an order a patch does not know), the previous
 * generation dropped records over the cap, or the names have outgrown
 * the shards.
 */
#ifndef TASKDNS_PATCH_H
#define TASKDNS_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "zone/table.h"

struct table_patch;

/* A patch of prev (borrowed until finish or free); at most cap records
 * on a name (0: none). */
struct table_patch *table_patch_new(const struct table *prev, uint32_t cap);
/* One more adder of a record (delta 1) or one less (-1).  owner and an
 * SRV's target lower-case, rdata in wire form. */
void table_patch_add(struct table_patch *p, const struct dname *owner,
    uint16_t type, const uint8_t *rd, uint16_t rdlen, int delta);
/* The records changed so far. */
uint32_t table_patch_count(const struct table_patch *p);
/* The new generation (one reference): serial against prev, now in
 * seconds since the epoch; n_tasks, enumeration NULL.  NULL with why
 * when it cannot be made.  The patch is freed either way. */
struct table *table_patch_finish(struct table_patch *p, uint32_t now,
    uint32_t n_tasks, char *why, size_t len);
void table_patch_free(struct table_patch *p);

#endif
