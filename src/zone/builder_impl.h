/* builder_impl.h - the builder's state, shared by its two halves:
 * builder.c collects the records, freeze.c groups them and writes the
 * shards.  Private to src/zone. */
#ifndef TASKDNS_BUILDER_IMPL_H
#define TASKDNS_BUILDER_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/builder.h"

/* How many recent owners and rdata an add looks at before the index. */
#define RECENT 8
/* brec.rdlen of a duplicate dropped at finish (no rdata is that long). */
#define DROPPED UINT16_MAX

/* A record as added: the table's record plus its node.  Records are
 * grouped by node only at finish. */
struct brec {
	uint32_t node;
	uint16_t type;
	uint16_t rdlen;
	uint32_t off;
};

struct table_builder {
	struct arena *arena;
	struct dname apex;
	uint32_t ttl;
	struct table_soa soa;
	struct table_node *nodes;
	uint32_t n_nodes, cap_nodes;
	/* Open addressing; a slot holds hash << 32 | (index + 1), 0 when
	 * free, so probing and growing never touch the items themselves. */
	uint64_t *nindex;
	uint32_t nmask;
	struct brec *recs;
	uint32_t n_recs, cap_recs;
	/* Stored rdata, one growing array (offsets stay valid). */
	uint8_t *rd;
	uint32_t rd_len, rd_cap;
	/* The nodes and rdata of the last few adds: a task's records come
	 * in runs on a handful of names, and its SRV records share targets,
	 * so most adds find their owner here without probing the index and
	 * store no second copy of their rdata. */
	uint32_t recent_node[RECENT];
	struct {
		uint32_t off;
		uint16_t len;
	} recent_rd[RECENT];
	unsigned recent_n, recent_r;
	/* The last SRV rdata added and its stored form. */
	uint8_t last_srv[TABLE_RDATA_MAX], last_stored[10];
	uint16_t last_srv_len;
	/* Per node, the name its SRV records' stored form references in
	 * the table (made at finish, for the nodes some SRV names). */
	struct table_name **tnames;
	uint32_t name_cap;	/* records per node; 0: none */
	uint32_t n_capped, first_capped;
	uint32_t n_tasks;
	/* The enumeration, when kept (growing arrays, malloc'd; its strings
	 * in an arena of its own, which the table keeps). */
	bool enum_on;
	struct arena *earena;
	struct table_enum_fw *efw;
	uint32_t n_efw, cap_efw;
	struct table_enum_task *etask;
	uint32_t n_etask, cap_etask;
};

/* Make sure the apex has its node (SOA and NS live there). */
void builder_apex(struct table_builder *b);

#endif
