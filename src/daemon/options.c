/* options.c - what the DNS server is told, from the config (see
 * options.h): listeners, limits, and forwarding (upstreams, zone
 * resolvers, resolv.conf's servers for resolvers [], recurseFrom). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/options.h"
#include "conf/tsigkeys.h"
#include "daemon/source.h"
#include "util/arena.h"
#include "util/log.h"

/* Is the "ip:port" text one of this host's own addresses? */
static bool
is_local(const char *text, const struct ipaddr *ips, size_t n)
{
	uint8_t addr[16];
	uint16_t port;
	int fam;

	if (fwd_parse_server(text, &fam, addr, &port) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((ips[i].family == 4) == (fam == AF_INET) &&
		    memcmp(ips[i].addr, addr, fam == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

/* resolvers [] means the nameservers of /etc/resolv.conf that are not
 * this host (as mesos-dns): forwarding to ourselves would loop. */
static void
system_resolvers(struct options *o, const char *domain)
{
	struct ipaddr *ips = NULL;
	size_t n_ips = source_local_ips(&ips), n;
	char **all = NULL;

	n = fwd_system_resolvers(&all);
	for (size_t i = 0; i < n; i++) {
		if (is_local(all[i], ips, n_ips)) {
			free(all[i]);
			continue;
		}
		o->sys_resolvers = xrealloc(o->sys_resolvers,
		    (o->n_sys_resolvers + 1) * sizeof(char *));
		o->sys_resolvers[o->n_sys_resolvers++] = all[i];
	}
	free(all);
	free(ips);
	if (o->n_sys_resolvers == 0)
		log_warn("resolvers is [] and /etc/resolv.conf names no "
		    "nameserver but this host: names outside %s get SERVFAIL",
		    domain);
}

static void
join(char *buf, size_t cap, char *const *v, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (n == 0)
		snprintf(buf, cap, "nobody (SERVFAIL)");
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
		    i > 0 ? ", " : "", v[i]);
}

void
options_free(struct options *o)
{
	free(o->groups);
	o->groups = NULL;
	o->n_groups = 0;
	for (size_t i = 0; i < o->n_sys_resolvers; i++)
		free(o->sys_resolvers[i]);
	free(o->sys_resolvers);
	o->sys_resolvers = NULL;
	o->n_sys_resolvers = 0;
	acl_free(&o->recurse_from);
	acl_free(&o->allow_transfer);
	acl_free(&o->rrl_exempt);
	if (o->tsig.v != NULL)
		explicit_bzero(o->tsig.v, o->tsig.n * sizeof(*o->tsig.v));
	free(o->tsig.v);
	o->tsig.v = NULL;
	o->tsig.n = 0;
	o->xfr_key = NULL;
}

/* tsigKeys (checked when read) as keys for the server. */
static void
tsig_opts(struct options *o, const struct config *c, struct server_opts *so)
{
	char err[256];

	o->tsig.v = xcalloc(c->n_tsig_keys ? c->n_tsig_keys : 1,
	    sizeof(*o->tsig.v));
	for (size_t i = 0; i < c->n_tsig_keys; i++) {
		const struct config_tsig_key *k = &c->tsig_keys[i];

		if (tsig_key_make(&o->tsig.v[o->tsig.n], k->name,
		    k->algorithm, k->secret, err, sizeof(err)) != 0) {
			log_err("%s: key left out", err);
			continue;
		}
		if (c->transfer_key != NULL &&
		    tsigkeys_find(c, c->transfer_key) == k)
			o->xfr_key = &o->tsig.v[o->tsig.n];
		o->tsig.n++;
	}
	so->tsig_keys = &o->tsig;
	so->xfr_key = o->xfr_key;
	if (c->transfer_key != NULL && c->transfer_key[0] != '\0' &&
	    o->xfr_key == NULL) {
		/* Never open transfers up because a key was left out. */
		log_err("transferKey %s is not a usable key: transfers refused",
		    c->transfer_key);
		so->allow_transfer = NULL;
	}
}

static void
forward_opts(struct options *o, const struct config *c, struct server_opts *so)
{
	size_t bad = 0;
	char list[512];

	options_free(o);
	so->forward = c->external_on;
	if (acl_parse((const char *const *)c->recurse_from.v,
	    c->recurse_from.n, &o->recurse_from, &bad) != 0)
		o->recurse_from.n = 0;	/* validated already */
	so->recurse_from = &o->recurse_from;
	if (acl_parse((const char *const *)c->allow_transfer.v,
	    c->allow_transfer.n, &o->allow_transfer, &bad) != 0)
		o->allow_transfer.n = 0;
	so->allow_transfer = &o->allow_transfer;
	if (acl_parse((const char *const *)c->rrl.exempt, c->rrl.n_exempt,
	    &o->rrl_exempt, &bad) != 0)
		o->rrl_exempt.n = 0;
	so->rrl.rate = (unsigned)c->rrl.rate;
	so->rrl.slip = (unsigned)c->rrl.slip;
	so->rrl.v4_prefix = (unsigned)c->rrl.v4_prefix;
	so->rrl.v6_prefix = (unsigned)c->rrl.v6_prefix;
	so->rrl.exempt = &o->rrl_exempt;
	if (c->rrl.rate > 0)
		log_info("rate limit: %d responses a second per client /%d "
		    "(IPv6 /%d) and response class, UDP; slip %d",
		    c->rrl.rate, c->rrl.v4_prefix, c->rrl.v6_prefix,
		    c->rrl.slip);
	tsig_opts(o, c, so);
	if (!c->external_on)
		return;
	o->n_groups = 1 + c->n_zone_resolvers;
	o->groups = xcalloc(o->n_groups, sizeof(*o->groups));
	if (c->resolvers.n == 0) {
		system_resolvers(o, c->domain);
		o->groups[0].servers = o->sys_resolvers;
		o->groups[0].n = o->n_sys_resolvers;
	} else {
		o->groups[0].servers = c->resolvers.v;
		o->groups[0].n = c->resolvers.n;
	}
	for (size_t i = 0; i < c->n_zone_resolvers; i++) {
		o->groups[i + 1].zone = c->zone_resolvers[i].zone;
		o->groups[i + 1].servers = c->zone_resolvers[i].servers.v;
		o->groups[i + 1].n = c->zone_resolvers[i].servers.n;
	}
	so->fwd.groups = o->groups;
	so->fwd.n_groups = o->n_groups;
	so->fwd.timeout_ms = (unsigned)c->timeout * 1000u;
	so->fwd.max_in_flight = (unsigned)c->forward_max_in_flight;
	so->fwd.recurse_on = c->recurse_on;
	so->fwd.edns_size = so->answer.edns_size;
	join(list, sizeof(list), o->groups[0].servers, o->groups[0].n);
	log_info("forwarding other names to %s (timeout %d s)", list,
	    c->timeout);
	for (size_t i = 1; i < o->n_groups; i++) {
		join(list, sizeof(list), o->groups[i].servers, o->groups[i].n);
		log_info("forwarding zone %s to %s", o->groups[i].zone, list);
	}
}

/* Cookies (cookieSecret, or a random secret) and the NSID. */
static void
edns_opts(struct options *o, const struct config *c, struct server_opts *so)
{
	const char *nsid = c->nsid;
	char host[256];
	size_t n;

	so->answer.cookies = true;
	if (c->cookie_secret[0] != '\0') {
		for (size_t i = 0; i < COOKIE_SECRET_LEN; i++) {
			unsigned v;

			if (sscanf(c->cookie_secret + 2 * i, "%2x", &v) != 1)
				v = 0;	/* validated already */
			so->cookie_secret[i] = (uint8_t)v;
		}
	} else {
		if (!o->have_random)
			cookie_random_secret(o->random_secret);
		o->have_random = true;
		memcpy(so->cookie_secret, o->random_secret, COOKIE_SECRET_LEN);
	}
	if (strcmp(nsid, "hostname") == 0) {
		if (gethostname(host, sizeof(host)) != 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		nsid = host;
	}
	n = strlen(nsid);
	if (n > MSG_NSID_MAX)
		n = MSG_NSID_MAX;
	memcpy(so->nsid, nsid, n);
	so->nsid_len = (uint8_t)n;
	so->answer.nsid_len = (uint8_t)n;
}

void
options_server(struct options *o, const struct config *c,
    struct server_opts *so)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const struct config_strlist *l = config_dns_addrs(c, &o->one_listener);

	memset(so, 0, sizeof(*so));
	so->addrs = l->v;
	so->n_addrs = l->n;
	so->port = c->port;
	so->workers = c->workers > 0 ? c->workers :
	    ncpu > 0 ? (int)ncpu : 1;
	so->answer.recurse_on = c->recurse_on;
	so->answer.set_truncate_bit = c->set_truncate_bit;
	so->answer.edns_size = 1232;
	so->tcp_max_conns = (unsigned)c->tcp_max_connections;
	so->tcp_idle_ms = (unsigned)c->tcp_idle_seconds * 1000u;
	edns_opts(o, c, so);
	forward_opts(o, c, so);
}

