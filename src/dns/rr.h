/* rr.h - the DNS numbers taskdns speaks: RR types, classes, opcodes and
 * response codes (RFC 1035 3.2, 4.1.1; RFC 6891; RFC 8945; IANA's DNS
 * parameters registry).  Constants only. */
#ifndef TASKDNS_RR_H
#define TASKDNS_RR_H

/* RR types (and QTYPEs). */
enum {
	RR_A = 1,
	RR_NS = 2,
	RR_CNAME = 5,
	RR_SOA = 6,
	RR_PTR = 12,
	RR_MX = 15,
	RR_TXT = 16,
	RR_AAAA = 28,
	RR_SRV = 33,
	RR_DNAME = 39,
	RR_OPT = 41,
	RR_DS = 43,
	RR_RRSIG = 46,
	RR_NSEC = 47,
	RR_DNSKEY = 48,
	RR_NSEC3 = 50,
	RR_NSEC3PARAM = 51,
	RR_TSIG = 250,
	RR_IXFR = 251,
	RR_AXFR = 252,
	RR_ANY = 255,
};

enum { CLASS_IN = 1, CLASS_ANY = 255 };

enum { OPCODE_QUERY = 0, OPCODE_NOTIFY = 4 };

/* RCODEs; those above 15 travel partly in the OPT record. */
enum {
	RCODE_NOERROR = 0,
	RCODE_FORMERR = 1,
	RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3,
	RCODE_NOTIMP = 4,
	RCODE_REFUSED = 5,
	RCODE_YXDOMAIN = 6,	/* RFC 6672: a DNAME made a name too long */
	RCODE_NOTAUTH = 9,
	RCODE_BADVERS = 16,	/* extended, needs OPT */
	RCODE_BADCOOKIE = 23,	/* RFC 7873, extended */
};

/* TSIG error field (RFC 8945 5.2) */
enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18 };

#endif
