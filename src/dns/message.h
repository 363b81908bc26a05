/* message.h - DNS message parse and build (RFC 1035 4.1, RFC 6891).
 *
 * message_parse_query() reads the header, the one question and any EDNS0
 * OPT record of a query.  The builder writes a response into a caller's
 * buffer: the header and question first, then records section by section,
 * each wrapped in mark/rewind so that one that does not fit is undone whole.
 * Owner names and names inside NS and SOA data are compressed; SRV targets
 * are not (RFC 2782).
 */
#ifndef TASKDNS_MESSAGE_H
#define TASKDNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/rr.h"
#include "dns/wire.h"

#define MSG_HDR_LEN 12
#define MSG_UDP_MIN 512
#define MSG_UDP_MAX 65507	/* the largest UDP payload over IPv4 */
#define MSG_MAX 65535

/* What to do with a received packet. */
enum msg_verdict {
	MSG_OK,		/* a well-formed query */
	MSG_DROP,	/* no usable header, or a response: send nothing */
	MSG_FORMERR,	/* answer FORMERR */
	MSG_NOTIMP,	/* answer NOTIMP */
	MSG_BADVERS,	/* answer BADVERS (EDNS version > 0) */
};

struct msg_query {
	uint16_t id;
	uint16_t flags;		/* as received */
	uint8_t opcode;
	bool has_question;
	struct dname qname;	/* as received: the case is kept */
	uint16_t qtype, qclass;
	bool edns;
	uint16_t edns_size;	/* advertised UDP payload size */
	uint8_t edns_version;
	bool edns_do;
	uint16_t edns_size_off;	/* offset of the OPT's size field, or 0 */
	bool nsid;		/* NSID asked (RFC 5001) */
	uint8_t cookie_len;	/* COOKIE (RFC 7873): 0, 8 or 16 to 40 */
	uint8_t cookie[40];	/* client cookie, then server cookie */
	/* Octets the transport will add to the answer's OPT (its cookie,
	 * NSID): set by the answerer, kept free by message_begin. */
	uint16_t opt_extra;
	uint16_t question_end;	/* offset just past the question, or 0 */
	/* A TSIG record, the last of additional (RFC 8945 4.2): what an
	 * unsigned error reply needs of it. */
	bool tsig;
	struct dname tsig_key, tsig_alg;
	uint64_t tsig_time;	/* 48 bits */
	uint16_t tsig_fudge, tsig_orig_id;
};

#define MSG_FLAG_QR 0x8000u
#define MSG_FLAG_RA 0x0080u

/* A message's header (RFC 1035 4.1.1), as numbers. */
struct msg_header {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

/* Read the header of a message of len octets: 0, or -E_SHORT. */
int message_read_header(const uint8_t *pkt, size_t len, struct msg_header *h);
/* The RCODE (the header's four bits) of a message, or -1 when it has no
 * whole header. */
int message_peek_rcode(const uint8_t *pkt, size_t len);
/* EDNS options (RFC 5001, RFC 7873): their codes; the longest NSID we
 * send; a COOKIE option as we send it (client 8 + server 16). */
#define EDNS_NSID 3
#define EDNS_COOKIE 10
#define MSG_NSID_MAX 64
#define MSG_COOKIE_OPT (4 + 8 + 16)

/* Add options opts (n octets, in wire form) to the OPT at offset at that
 * ends message msg (len octets, room for cap; message_finish's opt_at):
 * the new length; len when no OPT ends the message there, or no room. */
size_t message_add_options(uint8_t *msg, size_t len, size_t cap, size_t at,
    const uint8_t *opts, size_t n);
/* Append an OPT (our payload size, extended RCODE rcode's upper bits,
 * options opts) to msg, which has none, and set its RCODE: the new
 * length, or len when there is no room. */
size_t message_put_opt(uint8_t *msg, size_t len, size_t cap,
    uint16_t udp_size, unsigned rcode, const uint8_t *opts, size_t n);
/* Cut message msg (len octets) to its header and question, TC set and
 * the other counts 0 (an answer that cannot go whole, with a TSIG or
 * slipped by rate limiting): the new length, or 0 when it has no
 * readable question. */
size_t message_cut_to_question(uint8_t *msg, size_t len);
/* Write id into a message's header (len >= 2; nothing otherwise). */
void message_set_id(uint8_t *pkt, size_t len, uint16_t id);
/* Does message a hold one question equal, ignoring case, to the one of
 * query packet q (which ends at question_end, struct msg_query's)? */
bool message_same_question(const uint8_t *a, size_t alen, const uint8_t *q,
    size_t question_end);

/* Parse a received packet. */
enum msg_verdict message_parse_query(const uint8_t *pkt, size_t len,
    struct msg_query *q);
/* Change the UDP payload size advertised by pkt, the packet q was parsed
 * from (nothing when it has no OPT). */
void message_set_edns_size(uint8_t *pkt, size_t len, const struct msg_query *q,
    uint16_t size);

#define MSG_COMP_MAX 64

/* A name suffix already in the message, for compression. */
struct msg_comp {
	uint16_t off;		/* where it stands in the message */
	uint8_t len;		/* its uncompressed length */
};

enum msg_section { SEC_ANSWER, SEC_AUTHORITY, SEC_ADDITIONAL };

struct msg_builder {
	struct wbuf w;
	const struct msg_query *q;
	uint16_t count[3];
	bool tc;
	uint8_t ext_rcode;	/* RCODE bits above the header's four */
	bool tsig_error_set;
	uint16_t tsig_error;
	size_t rdlen_pos;	/* RDLENGTH of the record being written */
	size_t reserve;		/* kept free for the OPT record */
	size_t opt_at;		/* message_finish: where its OPT, the last
				 * record, begins; 0: none is last */
	struct msg_comp comp[MSG_COMP_MAX];
	unsigned n_comp;
};

/* Start a response to q in buf (cap bytes), at most lim bytes long.  The
 * question is echoed as received. */
void message_begin(struct msg_builder *b, const struct msg_query *q,
    uint8_t *buf, size_t cap, size_t lim, unsigned rcode, bool aa, bool ra);

/* Record helpers: begin writes owner, type, class IN, ttl and a length
 * placeholder; rdata goes through the put_* calls; end back-patches the
 * length.  begin returns the mark to pass to end or to undo. */
size_t message_rr_begin(struct msg_builder *b, const struct dname *owner,
    uint16_t type, uint32_t ttl);
void message_put_name(struct msg_builder *b, const struct dname *n,
    bool compress);
/* Finish the record: 0, or -E_SPACE after undoing it whole. */
int message_rr_end(struct msg_builder *b, size_t mark, enum msg_section s);

/* A whole record with opaque rdata. */
int message_put_rr(struct msg_builder *b, enum msg_section s,
    const struct dname *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen);

/* Set TC. */
void message_set_tc(struct msg_builder *b);

/* Write the counts and, for an EDNS query, the OPT record (RFC 6891 6.1)
 * with our payload size; returns the message length. */
size_t message_finish(struct msg_builder *b, uint16_t our_udp_size);

/* Finish with an unsigned TSIG record carrying error err (RFC 8945 5.3.2:
 * the query's key, algorithm, time and original id, an empty MAC), after
 * the OPT.  For a query with q->tsig only. */
void message_set_tsig_error(struct msg_builder *b, uint16_t err);

/* The RCODE written so far, extended bits included. */
unsigned message_rcode(const struct msg_builder *b);

/* Set or clear AA (a referral is not authoritative). */
void message_set_aa(struct msg_builder *b, bool aa);

/* Change the RCODE (extended codes go into OPT at finish). */
void message_set_rcode(struct msg_builder *b, unsigned rcode);

#endif
