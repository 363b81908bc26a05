/* owner.h - owner names for the generator's hot path (the tasks).
 *
 * A state of 100k tasks makes a million records on half a million
 * names, and what the generation waits for is memory: the index slot
 * and node of each name.  So names are not formatted as text and parsed
 * per record.  A fragment (struct frag) is a text's labels in wire form,
 * lower-cased, without the root, made once; an owner is fragments
 * joined before the zone, its index slot prefetched as it is composed,
 * its node looked up once at its first record and reused for the rest.
 * Composing the owners of the next task while the records of this one
 * are added (generate.c's two-unit pipe) hides most of the wait.
 *
 * Which names there are is the generator's business (NAMING.md's rules,
 * in generate.c); this is only how they are put together fast. */
#ifndef TASKDNS_OWNER_H
#define TASKDNS_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/rr.h"
#include "util/ipaddr.h"
#include "zone/builder.h"

struct frag {
	bool ok;	/* false: the text can be no part of a name */
	uint8_t len;
	uint8_t data[DNAME_MAX];
};

/* The fragment of the texts a and b (b NULL: none) put end to end. */
void frag_text(struct frag *f, const char *a, const char *b);

/* What owners are added to: the builder, the zone every owner ends in,
 * the first builder error (after it nothing is added) and the count of
 * records skipped because their owner can be no name. */
struct owners {
	struct table_builder *b;
	struct dname zone;	/* lower-cased */
	bool zone_ok;
	int err;
	uint32_t *skipped;
};

struct owner {
	bool ok;
	uint32_t node, hash;
	struct dname n;
};

/* o = parts[0..n) joined, then the zone; its slot prefetched.  Not ok
 * when a part is not, or the name would be too long. */
void owner_join(struct owners *os, struct owner *o,
    const struct frag *const *parts, int n);

/* Fetch, all at once, what the lookups of up to 8 owners will touch;
 * owners not ok are passed over. */
void owners_warm(struct owners *os, struct owner *const *o, unsigned n);

/* A record on o (counted as skipped when o is not ok).  Inline: it is
 * called for every task record. */
static inline void
owner_add(struct owners *os, struct owner *o, uint16_t type, const void *rd,
    uint16_t rdlen)
{
	int r;

	if (os->err != 0)
		return;
	if (!o->ok) {
		(*os->skipped)++;
		return;
	}
	if (o->node == UINT32_MAX)
		o->node = table_builder_node(os->b, &o->n, o->hash);
	r = table_builder_add_at(os->b, o->node, type, rd, rdlen);
	if (r < 0)
		os->err = r;
}

#endif
