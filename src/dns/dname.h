/* dname.h - domain names in uncompressed wire form.
 *
 * A struct dname holds a name as length-prefixed labels ending with the root
 * label (RFC 1035 section 3.1), at most 255 octets.  Comparison and hashing
 * fold ASCII case (RFC 4343).  Also here: the label sanitising mesos-dns
 * applies to task and framework names (RFC 1123 / RFC 952 rules).
 */
#ifndef TASKDNS_DNAME_H
#define TASKDNS_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"

#define DNAME_MAX 255
#define DNAME_LABEL_MAX 63
/* Longest presentation text of a name: every octet as \DDD, plus dots. */
#define DNAME_TEXT_MAX (DNAME_MAX * 4 + 2)

struct dname {
	uint8_t len;		/* octets used in data, root label included */
	uint8_t data[DNAME_MAX];
};

/* Read a name at the cursor, following compression pointers (RFC 1035
 * 4.1.4) only backwards and at most 128 times; the cursor ends just past the
 * name as it appears in place.  Labels over 63, names over 255 and label
 * types 0x40/0x80 fail with -E_TOOLONG / -E_FORMAT / -E_LOOP / -E_SHORT. */
int dname_parse(struct wbuf *w, struct dname *out);

/* Name from text split on '.', label bytes taken as they are (no escapes):
 * the way mesos-dns composes owner names.  A trailing dot is optional.  An
 * empty label, a label over 63 octets or a name over 255 fails. */
int dname_from_text(const char *text, size_t n, struct dname *out);

/* Presentation form (RFC 1035 5.1) with a trailing dot: letters, digits,
 * '-' and '_' as they are, every other octet as \DDD.  Writes a NUL-ended
 * string; returns its length, or -E_SPACE. */
int dname_to_text(const struct dname *n, char *buf, size_t cap);

/* Lower-case ASCII letters in place. */
void dname_lower(struct dname *n);
bool dname_equal(const struct dname *a, const struct dname *b);
/* True when n equals zone or lies below it (case-insensitive). */
bool dname_is_subdomain(const struct dname *n, const struct dname *zone);
/* Number of labels, root excluded. */
unsigned dname_labels(const struct dname *n);
/* Offset in n->data of the suffix with the given number of labels removed
 * from the left; n->len - 1 (the root) when all are removed. */
size_t dname_suffix_off(const struct dname *n, unsigned strip);
/* Case-insensitive hash of the whole name. */
uint32_t dname_hash(const uint8_t *data, size_t len);
/* The root name. */
void dname_root(struct dname *n);

/* mesos-dns label rules: map A-Z to a-z, keep a-z 0-9, map '-' '.' '_' to
 * '-', drop other bytes; strip leading '-' (RFC 952: and digits); cut to 63
 * (RFC 952: 24); strip trailing '-', refilling once from what followed the
 * cut.  out must hold DNAME_LABEL_MAX + 1 bytes; returns the length (0 when
 * nothing is left), NUL-terminated. */
size_t dname_spec_label(const char *in, size_t n, bool rfc952, char *out);

/* Split on '.', spec each part, drop empty ones, join with '.'.  Returns the
 * length written (NUL-terminated), truncating at cap - 1. */
size_t dname_frag(const char *in, size_t n, bool rfc952, char *out,
    size_t cap);

/* ASCII case folding, the only kind DNS names have (RFC 4343): A-Z to
 * a-z, every other octet as it is. */
static inline uint8_t
dname_fold(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Are the n octets at a and b equal, ignoring ASCII case? */
bool dname_bytes_caseeq(const uint8_t *a, const uint8_t *b, size_t n);

#endif
