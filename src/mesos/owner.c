/* owner.c - owner names composed from fragments (see owner.h). */
#include <string.h>

#include "mesos/owner.h"

void
frag_text(struct frag *f, const char *a, const char *b)
{
	char text[DNAME_TEXT_MAX];
	size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
	struct dname d;

	f->ok = false;
	if (la + lb == 0 || la + lb >= sizeof(text))
		return;
	memcpy(text, a, la);
	if (lb > 0)
		memcpy(text + la, b, lb);
	/* A trailing dot would be an empty label once joined. */
	if (text[la + lb - 1] == '.' ||
	    dname_from_text(text, la + lb, &d) != 0)
		return;
	dname_lower(&d);
	f->len = (uint8_t)(d.len - 1);
	memcpy(f->data, d.data, f->len);
	f->ok = true;
}

void
owner_join(struct owners *os, struct owner *o,
    const struct frag *const *parts, int n)
{
	size_t len = 0;

	o->ok = false;
	o->node = UINT32_MAX;
	if (!os->zone_ok)
		return;
	for (int i = 0; i < n; i++) {
		if (!parts[i]->ok || len + parts[i]->len > DNAME_MAX)
			return;
		memcpy(o->n.data + len, parts[i]->data, parts[i]->len);
		len += parts[i]->len;
	}
	if (len + os->zone.len > DNAME_MAX)
		return;
	memcpy(o->n.data + len, os->zone.data, os->zone.len);
	o->n.len = (uint8_t)(len + os->zone.len);
	o->hash = table_builder_prefetch(os->b, &o->n);
	o->ok = true;
}

void
owners_warm(struct owners *os, struct owner *const *o, unsigned n)
{
	uint32_t h[8];
	unsigned k = 0;

	for (unsigned i = 0; i < n && i < 8; i++)
		if (o[i]->ok)
			h[k++] = o[i]->hash;
	table_builder_warm(os->b, h, k);
}
