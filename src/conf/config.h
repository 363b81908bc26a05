/* config.h - the mesos-dns config.json, read unchanged.
 *
 * Keys are matched case-insensitively, as Go's decoder did for mesos-dns;
 * when a file names one key twice in different cases, the last one wins.
 * Every key of mesos-dns is known, with its default; taskdns adds a few
 * (stateFile, hostLookup, workers, tcpIdleSeconds,
 * tcpMaxConnections, stateMaxBytes, recurseFrom, forwardMaxInFlight).  config_parse() reports every error it finds,
 * one per line, naming the key and the value.
 */
#ifndef TASKDNS_CONFIG_H
#define TASKDNS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_strlist {
	char **v;
	size_t n;
};

struct config_zone {
	char *zone;			/* lower-case, no trailing dot */
	struct config_strlist servers;
};

/* A zone file served beside the Mesos zone (`zones`). */
struct config_tsig_key;

/* rateLimit (ratelimit.h). */
struct config_rrl {
	int rate;		/* responses a second per class; 0: off */
	int slip;		/* every slip-th limited one goes truncated */
	int v4_prefix, v6_prefix;
	char **exempt;		/* CIDR prefixes never limited */
	size_t n_exempt;
};

struct config_zonefile {
	char *apex;			/* lower-case, no trailing dot */
	char *file;			/* as written; relative to the config */
};

struct config {
	char *zk;
	struct config_strlist masters;
	int zk_detection_timeout;
	int refresh_seconds;
	int state_timeout_seconds;
	int ttl;
	char *domain;			/* lower-case, no trailing dot */
	int port;
	char *listener;
	/* The DNS addresses: the listeners key, or listener alone when it is
	 * not given; never empty once parsed.  A wildcard (0.0.0.0, ::)
	 * answers IPv4 and IPv6. */
	struct config_strlist listeners;
	char *http_listener;
	int http_port;
	bool dns_on, http_on, external_on, recurse_on;
	struct config_strlist resolvers;
	struct config_zone *zone_resolvers;
	size_t n_zone_resolvers;
	struct config_zonefile *zone_files;
	size_t n_zone_files;
	int zone_max_records;
	struct config_strlist reverse_zones;	/* CIDR prefixes */
	int timeout;
	char *soa_mname;		/* with a trailing dot */
	char *soa_rname;		/* '@' replaced by '.', trailing dot */
	int soa_refresh, soa_retry, soa_expire, soa_minttl;
	int srv_weight;
	struct config_strlist ip_sources;
	bool enforce_rfc952;
	bool set_truncate_bit;
	bool enumeration_on;
	bool mesos_https_on;
	char *ca_cert_file, *cert_file, *key_file;
	char *mesos_authentication;
	char *mesos_principal, *mesos_secret;
	char *iam_config_file;
	/* taskdns keys */
	char *state_file;
	bool host_lookup;
	int workers;			/* 0: one per core */
	int tcp_idle_seconds;
	int tcp_max_connections;	/* per worker */
	int state_max_bytes;		/* cap on one /master/state body */
	int max_tasks;			/* running tasks in one state */
	int max_records_per_name;	/* records added on one owner */
	struct config_strlist recurse_from;	/* CIDRs that may forward */
	struct config_strlist allow_transfer;	/* CIDRs that may AXFR/IXFR */
	struct config_strlist notify;		/* secondaries: ip[:port] */
	char *serial_file;		/* "": serials not kept over restarts */
	struct config_tsig_key *tsig_keys;	/* tsigkeys.h */
	size_t n_tsig_keys;
	char *transfer_key;		/* "": transfers need no key */
	int ixfr_history;		/* generations kept for IXFR */
	struct config_rrl rrl;		/* rateLimit */
	char *cookie_secret;		/* 32 hex digits; "": random */
	char *nsid;			/* "": none; "hostname": ours */
	int forward_max_in_flight;	/* forwarded queries per worker */
	int health_stale_seconds;	/* /healthz; 0: 3 x refreshSeconds */
	char *state_api;		/* auto, stream, poll */
	bool health_aware;		/* no records for unhealthy tasks */
	int coalesce_ms;		/* events gathered into one publish */
	char *log_level;		/* error, warning, info, debug */
	char *log_to;			/* stderr, syslog */

	/* Warnings found while loading (unknown keys, keys not acted on yet),
	 * one per line; empty when none.  Owned by the config. */
	char *warnings;
};

/* A config holding every default (no masters, no state file). */
struct config *config_default(void);

/* Parse a config from JSON text (name is used in messages).  Returns NULL
 * and fills errbuf with every error, one per line, when the text is not a
 * valid config.  state_file, when not NULL, overrides the stateFile key.
 * Caller owns the result. */
struct config *config_parse(const char *text, size_t len, const char *name,
    const char *state_file, char *errbuf, size_t errlen);

void config_free(struct config *c);

/* What a reload of a key changes or starts again. */
enum config_reload {
	CONFIG_RELOAD_RECORDS,	/* the records: a new generation */
	CONFIG_RELOAD_SERVER,	/* the workers' settings, between queries */
	CONFIG_RELOAD_SOURCES,	/* the state source starts again */
	CONFIG_RELOAD_LISTENERS,	/* the DNS sockets are bound anew */
	CONFIG_RELOAD_HTTP,	/* the HTTP API is bound anew */
	CONFIG_RELOAD_NOW,	/* read where it is used, at once */
	CONFIG_RELOAD_RESTART,	/* only at the next start */
};

/* Does any key whose reload is r differ between x and y? */
bool config_differ(const struct config *x, const struct config *y,
    enum config_reload r);

/* The config as /v1/config shows it (mesos-dns's names, secrets
 * redacted): its members, written into the object w has open. */
struct jsonw;
void config_write_json(const struct config *c, struct jsonw *w);

#define CONFIG_MAX_LISTENERS 16

/* Is addr (an IP literal) 0.0.0.0 or ::, every address of the host? */
bool config_is_wildcard(const char *addr);

/* The DNS addresses of c: its listeners, or (for a config made by
 * config_default and not parsed) listener alone, through *one.  Borrowed
 * from c and one. */
const struct config_strlist *config_dns_addrs(const struct config *c,
    struct config_strlist *one);

/* Does any DNS address of c listen on every address of the host? */
bool config_has_wildcard(const struct config *c);

#endif
