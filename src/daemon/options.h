/* options.h - the DNS server's options from a config.  The server_opts
 * made point into the config and into struct options (the forwarding
 * groups, resolv.conf's servers, the recurseFrom prefixes): both must
 * outlive the server (it copies what it keeps, but a reload builds the
 * next from the same storage). */
#ifndef TASKDNS_OPTIONS_H
#define TASKDNS_OPTIONS_H

#include <stddef.h>

#include "conf/acl.h"
#include "conf/config.h"
#include "net/server.h"
#include "net/tsig.h"

struct options {
	struct fwd_group_cfg *groups;
	size_t n_groups;
	char **sys_resolvers;		/* resolvers [] : resolv.conf's */
	size_t n_sys_resolvers;
	struct acl recurse_from;
	struct acl allow_transfer;
	struct acl rrl_exempt;
	struct config_strlist one_listener;	/* for config_dns_addrs */
	struct tsig_keys tsig;			/* tsigKeys */
	const struct tsig_key *xfr_key;		/* transferKey, in tsig */
	/* The cookie secret when cookieSecret is "": made once, so a
	 * reload keeps the cookies handed out good. */
	uint8_t random_secret[COOKIE_SECRET_LEN];
	bool have_random;
};

/* Fill so from c (what o held before is freed first); logs where names
 * outside the zone go. */
void options_server(struct options *o, const struct config *c,
    struct server_opts *so);
/* Free what options_server made (the struct itself is the caller's). */
void options_free(struct options *o);

#endif
