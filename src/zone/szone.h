/* szone.h - a static zone: the records of one zone file, frozen.
 *
 * Unlike the generated Mesos zone (table.h), a static zone holds any
 * type, a TTL per rrset, delegations and wildcards; it is small (a zone
 * file, capped by zoneMaxRecords), so it is one block of arrays with a
 * hash index of its names.  Every ancestor of a name down to the apex is
 * a node too (empty non-terminals, RFC 8020), so the closest encloser of
 * any name is found by walking up its labels.
 *
 * Made by an szone_builder (zonefile.c feeds it from libzscanner), which
 * checks what a zone must be: an SOA at the apex, nothing outside it, a
 * CNAME alone at its name; a record that breaks a rule is refused with
 * its file and line.  Immutable once made; counted references.
 */
#ifndef TASKDNS_SZONE_H
#define TASKDNS_SZONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"

struct szone_rrset {
	uint16_t type;
	uint16_t n;		/* records */
	uint32_t first;		/* into the zone's rdata */
};

/* A record's data and TTL: each keeps the file's TTL, as NSD serves
 * them (RFC 2181 5.2 says an rrset's should agree; files do not). */
struct szone_rdata {
	uint32_t off;		/* into the zone's bytes */
	uint32_t ttl;
	uint16_t len;
};

enum {
	SZ_CUT = 1,		/* NS below the apex: a delegation */
};

struct szone_node {
	uint32_t name_off;	/* lower-case wire form, in bytes */
	uint8_t name_len;
	uint8_t flags;		/* SZ_* */
	uint16_t n_rrsets;
	uint32_t hash;
	uint32_t first_rrset;
};

struct szone {
	atomic_uint refs;
	struct dname apex;
	uint32_t serial;	/* the SOA's */
	uint32_t n_records;
	bool dnssec;		/* holds DNSSEC types (served as data) */
	struct szone_node *nodes;
	uint32_t n_nodes;
	uint32_t *index;	/* node + 1, 0: free */
	uint32_t mask;
	struct szone_rrset *rrsets;
	struct szone_rdata *rdata;
	uint8_t *bytes;
	/* The steps from older serials to this one, for IXFR (journal.h;
	 * NULL: none).  Set before the zone is published. */
	struct journal *journal;
};

struct szone_builder;

/* A builder for the zone at apex; at most max_records records (0: no
 * cap).  file names the zone in errors. */
struct szone_builder *szone_builder_new(const struct dname *apex,
    uint32_t max_records, const char *file);
void szone_builder_free(struct szone_builder *b);
/* One record from file:line (class IN; rdata in uncompressed wire
 * form).  0, or -1 with the reason in err ("file:line: why"). */
int szone_add(struct szone_builder *b, const struct dname *owner,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen,
    const char *file, uint64_t line, char *err, size_t errlen);
/* The zone (one reference; the builder is freed), or NULL with the
 * reason in err. */
struct szone *szone_finish(struct szone_builder *b, char *err,
    size_t errlen);
/* The zone may have no SOA (a file that adds to the generated zone of
 * its apex, whose SOA and NS are served instead). */
void szone_builder_soa_optional(struct szone_builder *b);

struct szone *szone_ref(struct szone *z);
void szone_unref(struct szone *z);

/* The node of a lower-case name, or NULL. */
const struct szone_node *szone_lookup(const struct szone *z,
    const struct dname *lower);
/* The rrset of type at n, or NULL. */
const struct szone_rrset *szone_rrset(const struct szone *z,
    const struct szone_node *n, uint16_t type);
/* Record i of rs: its rdata and length, and its TTL. */
const uint8_t *szone_rdata(const struct szone *z,
    const struct szone_rrset *rs, uint16_t i, uint16_t *len);
uint32_t szone_ttl(const struct szone *z, const struct szone_rrset *rs,
    uint16_t i);
/* The node's name. */
void szone_name(const struct szone *z, const struct szone_node *n,
    struct dname *out);
/* The name inside rdata of type (CNAME, DNAME, NS, PTR: all of it; MX:
 * after the preference; SRV: after priority, weight and port), lower
 * case; -1 when the type holds none or the rdata is not one. */
int szone_rdata_name(uint16_t type, const uint8_t *rd, uint16_t len,
    struct dname *out);
/* The TTL of a negative answer's SOA: the smaller of the SOA's TTL and
 * its MINIMUM (RFC 2308 5). */
uint32_t szone_negative_ttl(const struct szone *z);

#endif
