/* zoneset.c - the static zones of a publish (see zoneset.h). */
#include <stdlib.h>

#include "dns/rr.h"
#include "util/arena.h"
#include "zone/zoneset.h"

static int
longer_first(const void *pa, const void *pb)
{
	const struct szone *a = *(struct szone *const *)pa;
	const struct szone *b = *(struct szone *const *)pb;

	return (int)b->apex.len - (int)a->apex.len;
}

struct zoneset *
zoneset_new(struct szone *const *zones, unsigned n)
{
	struct zoneset *zs = xcalloc(1, sizeof(*zs));

	atomic_init(&zs->refs, 1);
	zs->zones = xcalloc(n ? n : 1, sizeof(*zs->zones));
	for (unsigned i = 0; i < n; i++)
		zs->zones[i] = szone_ref(zones[i]);
	zs->n = n;
	qsort(zs->zones, n, sizeof(*zs->zones), longer_first);
	return zs;
}

struct zoneset *
zoneset_ref(struct zoneset *zs)
{
	if (zs != NULL)
		atomic_fetch_add_explicit(&zs->refs, 1, memory_order_relaxed);
	return zs;
}

void
zoneset_unref(struct zoneset *zs)
{
	if (zs == NULL || atomic_fetch_sub_explicit(&zs->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	for (unsigned i = 0; i < zs->n; i++)
		szone_unref(zs->zones[i]);
	free(zs->zones);
	free(zs);
}

const struct szone *
zoneset_find(const struct zoneset *zs, const struct dname *lower,
    uint16_t qtype, bool *parent)
{
	const struct szone *found = NULL;

	if (parent != NULL)
		*parent = false;
	if (zs == NULL)
		return NULL;
	for (unsigned i = 0; i < zs->n; i++) {
		if (!dname_is_subdomain(lower, &zs->zones[i]->apex))
			continue;
		if (found != NULL) {
			/* The parent of a DS apex. */
			if (parent != NULL)
				*parent = true;
			return zs->zones[i];
		}
		found = zs->zones[i];
		if (qtype != RR_DS || !dname_equal(lower, &found->apex))
			return found;
	}
	return found;
}
