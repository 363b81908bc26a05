/* builder.h - building one generation of records (struct table).
 *
 * A builder collects (owner, type, rdata) triples, keeping each distinct
 * triple once, and creates the empty non-terminals between every owner and
 * the zone apex so that a lookup tells "no such name" from "name without
 * that type".  table_builder_finish() freezes it into a struct table
 * (table.h).
 */
#ifndef TASKDNS_BUILDER_H
#define TASKDNS_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/dname.h"
#include "zone/table.h"

struct table_builder;

/* New builder for the zone at apex (lower-cased).  Records get ttl. */
struct table_builder *table_builder_new(const struct dname *apex,
    uint32_t ttl, const struct table_soa *soa);
/* Discard a builder that was not finished.  NULL is a no-op. */
void table_builder_free(struct table_builder *b);
/* Add one record; owner is copied and lower-cased.  A triple added
 * twice is stored once: the later copies are dropped at finish (an add
 * does no lookup of its own).  An SRV's rdata is its wire form, target
 * uncompressed.  Returns 0, also when the owner has its
 * table_builder_set_name_cap() records already (the record is dropped and
 * counted: table_builder_capped), -E_FORMAT for an SRV rdata that is not
 * one, or -E_LIMIT past the builder's record cap. */
int table_builder_add(struct table_builder *b, const struct dname *owner,
    uint16_t type, const void *rdata, uint16_t rdlen);
/* The same in steps, for a caller adding many records on one name: the
 * name's hash (its index slot fetched into the cache meanwhile, so that
 * a caller with several names to look up waits for them at once), the
 * node of the owner already lower-cased (created, with its ancestors,
 * when new), then records on it (an SRV's target lower-cased too). */
uint32_t table_builder_prefetch(const struct table_builder *b,
    const struct dname *owner_lower);
uint32_t table_builder_node(struct table_builder *b,
    const struct dname *owner_lower, uint32_t hash);
/* After the prefetches of up to 16 names, given their hashes: fetch
 * the nodes and names their lookups will compare, all at once. */
void table_builder_warm(const struct table_builder *b, const uint32_t *hash,
    unsigned n);
int table_builder_add_at(struct table_builder *b, uint32_t node,
    uint16_t type, const void *rdata, uint16_t rdlen);
/* Whether the triple was added already.  A scan of every record so far:
 * for the few checks made before the bulk of a generation. */
bool table_builder_contains(const struct table_builder *b,
    const struct dname *owner, uint16_t type, const void *rdata,
    uint16_t rdlen);
/* At most cap records on one owner (0: no cap, the default): the adds
 * past it are dropped (add returns 0) and counted. */
void table_builder_set_name_cap(struct table_builder *b, uint32_t cap);
/* How many adds the cap dropped; *first (when not NULL and any were)
 * gets the first owner it dropped records of. */
uint32_t table_builder_capped(const struct table_builder *b,
    struct dname *first);
/* Records added so far, duplicates included. */
uint32_t table_builder_count(const struct table_builder *b);
/* Room for about recs records on nodes names, so that a large generation
 * grows its arrays and indexes once, not by repeated doubling. */
void table_builder_reserve(struct table_builder *b, uint32_t recs,
    uint32_t nodes);
/* Keep the enumeration: after table_builder_enum_framework(), each
 * table_builder_enum_task() opens a task that owns the records added
 * (newly) after it.  Names are copied.  Without enum_on these do
 * nothing. */
void table_builder_enum_on(struct table_builder *b);
void table_builder_enum_framework(struct table_builder *b, const char *name);
void table_builder_enum_task(struct table_builder *b, const char *name,
    const char *id);
void table_builder_set_tasks(struct table_builder *b, uint32_t n);

/* Each record added so far, duplicates included, in the order added
 * (owner lower-case, rdata in wire form, an SRV's target a lower-case
 * name): what a patch (patch.h) adds or removes. */
typedef void (*table_builder_each_fn)(void *arg, const struct dname *owner,
    uint16_t type, const uint8_t *rd, uint16_t rdlen);
void table_builder_each(const struct table_builder *b,
    table_builder_each_fn fn, void *arg);

/* Freeze into a table holding one reference, and free the builder.  The
 * serial is prev's when the record set is the same as prev's, otherwise
 * max(prev serial + 1, now) (now: seconds since the epoch, from the
 * caller: the core reads no clock).  prev may be NULL. */
struct table *table_builder_finish(struct table_builder *b,
    const struct table *prev, uint32_t now);

#endif
