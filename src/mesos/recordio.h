/* recordio.h - the RecordIO framing of the Mesos operator API's event
 * stream: "<decimal length>\n" then that many bytes of record, repeated,
 * nothing between (stout's recordio.hpp, Mesos docs/recordio.md).
 *
 * Bytes go in as they arrive, cut wherever HTTP cut them; a record comes
 * out in pieces as its bytes arrive (begin, data..., end), so a record of
 * 40 MB (a SUBSCRIBED snapshot) is never held whole here.  A length line
 * that is not a number, a record over the cap, or a callback's refusal
 * stops the reader: it stays failed, with the reason, until it is reset. */
#ifndef TASKDNS_RECORDIO_H
#define TASKDNS_RECORDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct recordio_cbs {
	/* A record of len bytes starts; nonzero refuses it (and stops). */
	int (*begin)(void *arg, uint64_t len);
	/* The next n bytes of it; nonzero stops. */
	int (*data)(void *arg, const char *p, size_t n);
	/* Its last byte came; nonzero stops. */
	int (*end)(void *arg);
};

/* A length line has at most 20 digits (a uint64), and no record may be
 * longer than max. */
struct recordio {
	struct recordio_cbs cbs;
	void *arg;
	uint64_t max;
	uint64_t left;		/* bytes of the current record still to come */
	uint64_t len;		/* the length being read */
	unsigned digits;
	bool in_record;
	bool failed;
	uint64_t records;	/* whole records so far */
	char why[96];
};

void recordio_init(struct recordio *r, uint64_t max,
    const struct recordio_cbs *cbs, void *arg);

/* Feed the next bytes.  0, or -1 once the reader has failed (why says
 * what); every later feed is -1 too. */
int recordio_feed(struct recordio *r, const char *p, size_t n);

/* The stream ended: true when it ended between records. */
bool recordio_at_boundary(const struct recordio *r);

#endif
