/* table.c - record generations: lookups and references (see table.h).
 * Building one is builder.c. */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "dns/err.h"
#include "zone/table.h"

size_t
table_bytes(const struct table *t)
{
	return sizeof(*t) + (size_t)t->n_recs * sizeof(*t->recs) +
	    (size_t)t->rdata_len + (size_t)t->n_nodes * sizeof(*t->nodes) +
	    ((size_t)t->index_mask + 1) * sizeof(*t->index) +
	    arena_size(t->arena);
}

struct table *
table_ref(struct table *t)
{
	if (t != NULL)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void
table_unref(struct table *t)
{
	if (t == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	arena_free(t->arena);
	free(t->recs);
	free(t->rdata);
	free(t->nodes);
	free(t->index);
	free(t);
}

const struct table_node *
table_lookup(const struct table *t, const struct dname *name)
{
	uint32_t h = dname_hash(name->data, name->len), s = h & t->index_mask;

	while (t->index[s] != 0) {
		const struct table_node *n = &t->nodes[t->index[s] - 1];

		if (n->hash == h && n->name_len == name->len &&
		    memcmp(n->name, name->data, name->len) == 0)
			return (n->flags & NODE_TARGET) ? NULL : n;
		s = (s + 1) & t->index_mask;
	}
	return NULL;
}

const struct table_rec *
table_rrset(const struct table *t, const struct table_node *node,
    uint16_t type, uint32_t *n)
{
	uint32_t i = node->first, end = node->first + node->count;

	*n = 0;
	if (node->count == 0)
		return NULL;
	while (i < end && t->recs[i].type != type)
		i++;
	if (i == end)
		return NULL;
	while (i + *n < end && t->recs[i + *n].type == type)
		(*n)++;
	return &t->recs[i];
}

const uint8_t *
table_rdata(const struct table *t, const struct table_rec *r,
    uint8_t buf[TABLE_RDATA_MAX], uint16_t *len)
{
	const uint8_t *p = t->rdata + r->off;
	const struct table_node *n = table_srv_target(t, r);

	if (n == NULL) {
		*len = r->rdlen;
		return p;
	}
	memcpy(buf, p, 6);
	memcpy(buf + 6, n->name, n->name_len);
	*len = (uint16_t)(6 + n->name_len);
	return buf;
}

uint16_t
table_srv_port(const struct table *t, const struct table_rec *r)
{
	const uint8_t *p = t->rdata + r->off;

	if (r->type != RR_SRV || r->rdlen < 6)
		return 0;
	return (uint16_t)(p[4] << 8 | p[5]);
}

const struct table_node *
table_srv_target(const struct table *t, const struct table_rec *r)
{
	uint32_t id;

	if (r->type != RR_SRV || r->rdlen != 10)
		return NULL;
	memcpy(&id, t->rdata + r->off + 6, 4);
	return &t->nodes[id];
}

const struct table_node *
table_rec_node(const struct table *t, uint32_t i)
{
	/* Nodes hold consecutive ranges in node order (an empty one starts
	 * where the next begins): the last node starting at or before i. */
	uint32_t lo = 0, hi = t->n_nodes;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->nodes[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &t->nodes[lo];
}

int
table_record_text(const struct table *t, uint32_t i, char *buf, size_t len)
{
	const struct table_rec *r = &t->recs[i];
	const struct table_node *n = table_rec_node(t, i);
	char owner[DNAME_TEXT_MAX], data[DNAME_TEXT_MAX + 32];
	uint8_t rb[TABLE_RDATA_MAX];
	const uint8_t *rd;
	uint16_t rdlen;
	struct dname name;
	int w;

	name.len = n->name_len;
	memcpy(name.data, n->name, n->name_len);
	if (dname_to_text(&name, owner, sizeof(owner)) < 0)
		return -E_SPACE;
	rd = table_rdata(t, r, rb, &rdlen);
	switch (r->type) {
	case RR_A:
		inet_ntop(AF_INET, rd, data, sizeof(data));
		w = snprintf(buf, len, "A %s %s", owner, data);
		break;
	case RR_AAAA:
		inet_ntop(AF_INET6, rd, data, sizeof(data));
		w = snprintf(buf, len, "AAAA %s %s", owner, data);
		break;
	case RR_SRV: {
		struct dname target;
		char tt[DNAME_TEXT_MAX];

		target.len = (uint8_t)(rdlen - 6);
		memcpy(target.data, rd + 6, target.len);
		if (dname_to_text(&target, tt, sizeof(tt)) < 0)
			return -E_SPACE;
		w = snprintf(buf, len, "SRV %s %u %u %u %s", owner,
		    (unsigned)rd[0] << 8 | rd[1],
		    (unsigned)rd[2] << 8 | rd[3],
		    (unsigned)rd[4] << 8 | rd[5], tt);
		break;
	}
	default:
		w = snprintf(buf, len, "TYPE%u %s", r->type, owner);
		break;
	}
	return (w < 0 || (size_t)w >= len) ? -E_SPACE : w;
}
