/* generate.c - the mesos-dns naming convention (see generate.h).
 *
 * Where each of NAMING.md's rules is:
 *   Labels: spec() and frag()          dns/dname.c (dname_spec_label,
 *                                      dname_frag)
 *   every framework, _framework._tcp   framework_records
 *   every agent: slave.D., _slave._tcp agent_records
 *   the DNS listener (SOAMname)        listener_records
 *   leader, master, masterN            master_records
 *   Tasks: which tasks, T, H, S, C     task_records, generate_task_hash
 *   Tasks: owners and their data       task_rules (a row per owner)
 *   Tasks: discovery ports' SRVs       task_discovery_srvs
 *   Task IPs (IPSources)               task_ips
 *   resources.ports                    generate_parse_ports
 *
 * The few records of frameworks, agents and masters are composed as
 * text, as NAMING.md writes them.  A task's owners are joined from
 * fragments, their slots prefetched one task ahead (mesos/owner.h): the
 * tasks are where the time goes. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "dns/err.h"
#include "mesos/generate.h"
#include "mesos/owner.h"
#include "util/sha1.h"

/* Longest owner text we compose; longer ones cannot be names anyway. */
#define TEXT_MAX 1024
#define MAX_TASK_PORTS 65536

struct gen {
	const struct config *cfg;
	const struct gen_env *env;
	struct table_builder *b;
	struct gen_stats *st;
	bool rfc952;
	const char *dom;
	struct owners os;	/* the tasks' owners; os.err: the first error */
	struct frag f_slave, f_proto[2];	/* slave, _tcp, _udp */
	bool quiet;		/* the records of frameworks, agents and
				 * masters are not wanted (GEN_TASKS) */
};

struct agent_ips {
	const char *id;
	struct ipaddr ips[2];
	int n;
};

void
generate_task_hash(const char *id, char out[6])
{
	static const char zb32[] = "ybndrfg8ejkmcpqxot1uwisza345h769";
	uint8_t d[SHA1_LEN];

	sha1_digest(id, strlen(id), d);
	/* 25 bits, five at a time, most significant first. */
	for (int i = 0; i < 5; i++) {
		unsigned bit = (unsigned)i * 5, v = 0;

		for (unsigned k = 0; k < 5; k++, bit++)
			v = v << 1 | ((d[bit / 8] >> (7 - bit % 8)) & 1u);
		out[i] = zb32[v];
	}
	out[5] = '\0';
}

size_t
generate_parse_ports(const char *s, uint16_t *out, size_t max)
{
	const char *p = strchr(s, '[');
	size_t n = 0;

	if (p == NULL)
		return 0;
	p++;
	while (*p != '\0' && *p != ']' && n < max) {
		char *end;
		long lo, hi;

		while (*p == ' ' || *p == ',')
			p++;
		lo = strtol(p, &end, 10);
		if (end == p)
			break;
		p = end;
		hi = lo;
		if (*p == '-') {
			p++;
			hi = strtol(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		if (lo < 0 || hi > 65535 || lo > hi)
			continue;
		for (long v = lo; v <= hi && n < max; v++)
			out[n++] = (uint16_t)v;
	}
	return n;
}

/* snprintf for owner and target text: text that does not fit becomes "..",
 * which is no name, so the record is skipped rather than cut short into a
 * different name. */
static void fmt_name(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fmt_name(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		snprintf(buf, len, "..");
}

/* Owner text -> name; false (and counted) when it cannot be a name. */
static bool
to_name(struct gen *g, const char *text, struct dname *out)
{
	if (dname_from_text(text, strlen(text), out) != 0) {
		g->st->skipped_names++;
		return false;
	}
	return true;
}

static void
add(struct gen *g, const char *owner, uint16_t type, const void *rd,
    uint16_t rdlen)
{
	struct dname n;
	int r;

	if (g->quiet || g->os.err != 0 || !to_name(g, owner, &n))
		return;
	r = table_builder_add(g->b, &n, type, rd, rdlen);
	if (r < 0)
		g->os.err = r;
}

static void
add_ip(struct gen *g, const char *owner, const struct ipaddr *ip)
{
	if (ip->family == 4)
		add(g, owner, RR_A, ip->addr, 4);
	else
		add(g, owner, RR_AAAA, ip->addr, 16);
}

static uint16_t srv_rdata(const struct gen *g, uint8_t *rd, unsigned port,
    const struct dname *target);

/* A PTR for ip to name, when the caller wants them. */
static void
ptr_name(struct gen *g, const struct ipaddr *ip, const struct dname *name,
    bool task)
{
	if (g->env->ptr != NULL)
		g->env->ptr(g->env->ptr_arg, ip, name, g->env->ptr_sign < 0 ?
		    -1 : 1, task);
}

/* The same for an owner given as text (not for GEN_TASKS' quiet run). */
static void
ptr_text(struct gen *g, const struct ipaddr *ip, const char *owner)
{
	struct dname n;

	if (g->env->ptr != NULL && !g->quiet && to_name(g, owner, &n)) {
		dname_lower(&n);
		ptr_name(g, ip, &n, false);
	}
}

static void
add_srv(struct gen *g, const char *owner, unsigned port, const char *target)
{
	uint8_t rd[6 + DNAME_MAX];
	struct dname t;

	if (!to_name(g, target, &t))
		return;
	dname_lower(&t);
	add(g, owner, RR_SRV, rd, srv_rdata(g, rd, port, &t));
}

/* Split "name@host:port" (host may be [v6]) into host and port text. */
static bool
split_pid(const char *pid, char *host, size_t hlen, char *port, size_t plen)
{
	const char *at = strchr(pid, '@'), *h, *colon;
	size_t n;

	if (at == NULL)
		return false;
	h = at + 1;
	if (*h == '[') {
		const char *close = strchr(h, ']');

		if (close == NULL || close[1] != ':')
			return false;
		n = (size_t)(close - h - 1);
		colon = close + 1;
		h++;
	} else {
		colon = strrchr(h, ':');
		if (colon == NULL)
			return false;
		n = (size_t)(colon - h);
	}
	if (n == 0 || n >= hlen || strlen(colon + 1) >= plen ||
	    colon[1] == '\0')
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	for (const char *q = port; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	return true;
}

/* IPs of a host: the literal, or up to one IPv4 and one IPv6 from the
 * caller's resolver. */
static int
host_ips(struct gen *g, const char *host, struct ipaddr out[2])
{
	if (host == NULL || host[0] == '\0')
		return 0;
	if (ipaddr_parse(host, strlen(host), &out[0]))
		return 1;
	if (g->env->resolve == NULL || !g->cfg->host_lookup)
		return 0;
	return g->env->resolve(g->env->resolve_arg, host, out, 2);
}

static void
framework_records(struct gen *g, const struct cluster *cl)
{
	for (const struct framework *f = cl->frameworks; f; f = f->next) {
		char host[256], port[16], fname[TEXT_MAX], a[TEXT_MAX];
		char srv[TEXT_MAX];
		struct ipaddr ips[2];
		bool has_pid;
		int n;

		has_pid = f->pid != NULL && split_pid(f->pid, host,
		    sizeof(host), port, sizeof(port));
		if (!has_pid) {
			fmt_name(host, sizeof(host), "%s",
			    f->hostname ? f->hostname : "");
			port[0] = '\0';
		}
		n = host_ips(g, host, ips);
		if (n == 0)
			continue;
		dname_frag(f->name ? f->name : "", f->name ? strlen(f->name) :
		    0, g->rfc952, fname, sizeof(fname));
		fmt_name(a, sizeof(a), "%s.%s.", fname, g->dom);
		for (int i = 0; i < n; i++)
			add_ip(g, a, &ips[i]);
		if (port[0] != '\0') {
			fmt_name(srv, sizeof(srv), "_framework._tcp.%s", a);
			add_srv(g, srv, (unsigned)atoi(port), a);
		}
	}
}

static struct agent_ips *
agent_records(struct gen *g, const struct cluster *cl)
{
	struct agent_ips *ai = xcalloc(cl->n_agents + 1, sizeof(*ai));
	char a[TEXT_MAX], srv[TEXT_MAX];
	size_t k = 0;

	fmt_name(a, sizeof(a), "slave.%s.", g->dom);
	fmt_name(srv, sizeof(srv), "_slave._tcp.%s.", g->dom);
	for (const struct agent *s = cl->agents; s; s = s->next, k++) {
		char host[256], port[16];

		ai[k].id = s->id;
		if (s->pid == NULL || !split_pid(s->pid, host, sizeof(host),
		    port, sizeof(port)))
			continue;
		ai[k].n = host_ips(g, host, ai[k].ips);
		for (int i = 0; i < ai[k].n; i++) {
			add_ip(g, a, &ai[k].ips[i]);
			ptr_text(g, &ai[k].ips[i], a);
		}
		if (ai[k].n > 0)
			add_srv(g, srv, (unsigned)atoi(port), a);
	}
	return ai;
}

static void
listener_records(struct gen *g)
{
	char owner[TEXT_MAX];
	struct ipaddr ip;
	struct config_strlist one;
	const struct config_strlist *l = config_dns_addrs(g->cfg, &one);
	bool local_done = false;

	/* The SOA's name server has the addresses DNS is served on: each
	 * listener's, every interface address for a wildcard. */
	fmt_name(owner, sizeof(owner), "%s.", g->cfg->soa_mname);
	for (size_t k = 0; k < l->n; k++) {
		if (config_is_wildcard(l->v[k])) {
			for (size_t i = 0; !local_done &&
			    i < g->env->n_local_ips; i++)
				add_ip(g, owner, &g->env->local_ips[i]);
			local_done = true;
		} else if (ipaddr_parse(l->v[k], strlen(l->v[k]), &ip))
			add_ip(g, owner, &ip);
	}
}

/* "ip:port" or "[v6]:port" -> ip text and port text. */
static bool
split_hostport(const char *s, char *ip, size_t iplen, char *port,
    size_t plen)
{
	char buf[300];

	/* Reuse the pid splitter by giving it an empty name. */
	fmt_name(buf, sizeof(buf), "@%s", s);
	return split_pid(buf, ip, iplen, port, plen);
}

static void
master_records(struct gen *g, const struct cluster *cl)
{
	char lip[256], lport[16], owner[TEXT_MAX], all[TEXT_MAX], lead[TEXT_MAX];
	const char *at, *laddr;
	char *const *masters = g->env->masters;
	size_t n_masters = g->env->n_masters;
	struct ipaddr leader_ip;
	bool leader_numbered = false;
	unsigned idx = 0;

	if (cl->leader == NULL)
		return;
	at = strchr(cl->leader, '@');
	if (at == NULL)
		return;
	laddr = at + 1;
	if (strchr(laddr, '@') != NULL)
		return;
	if (!split_hostport(laddr, lip, sizeof(lip), lport, sizeof(lport)) ||
	    !ipaddr_parse(lip, strlen(lip), &leader_ip))
		return;
	fmt_name(lead, sizeof(lead), "leader.%s.", g->dom);
	fmt_name(all, sizeof(all), "master.%s.", g->dom);
	add_ip(g, lead, &leader_ip);
	ptr_text(g, &leader_ip, lead);
	add_ip(g, all, &leader_ip);
	fmt_name(owner, sizeof(owner), "_leader._tcp.%s.", g->dom);
	add_srv(g, owner, (unsigned)atoi(lport), lead);
	fmt_name(owner, sizeof(owner), "_leader._udp.%s.", g->dom);
	add_srv(g, owner, (unsigned)atoi(lport), lead);

	if (masters == NULL) {
		masters = g->cfg->masters.v;
		n_masters = g->cfg->masters.n;
	}
	for (size_t i = 0; i < n_masters; i++) {
		char mip[256], mport[16];
		struct ipaddr ip;
		bool is_leader = strcmp(masters[i], laddr) == 0;

		if (!split_hostport(masters[i], mip, sizeof(mip), mport,
		    sizeof(mport)) || !ipaddr_parse(mip, strlen(mip), &ip))
			continue;
		if (!is_leader) {
			struct dname n;
			uint16_t type = ip.family == 4 ? RR_A : RR_AAAA;
			uint16_t len = ip.family == 4 ? 4 : 16;

			/* Only an IP not yet under master.D. gets a number. */
			if (!to_name(g, all, &n) ||
			    table_builder_contains(g->b, &n, type, ip.addr, len))
				continue;
			add(g, all, type, ip.addr, len);
			if (g->os.err != 0)
				continue;
		} else if (leader_numbered)
			continue;
		fmt_name(owner, sizeof(owner), "master%u.%s.", idx++, g->dom);
		add_ip(g, owner, &ip);
		ptr_text(g, &ip, owner);
		if (is_leader)
			leader_numbered = true;
	}
	if (!leader_numbered) {
		fmt_name(owner, sizeof(owner), "master%u.%s.", idx, g->dom);
		add_ip(g, owner, &leader_ip);
		ptr_text(g, &leader_ip, owner);
	}
}

/* The IPs of the first source that yields any. */
static void
task_ips(struct gen *g, const struct state_task *t, const struct agent_ips *ai,
    const struct ipaddr **v, uint32_t *n)
{
	const struct config_strlist *src = &g->cfg->ip_sources;

	*v = NULL;
	*n = 0;
	for (size_t i = 0; i < src->n; i++) {
		const char *s = src->v[i];
		int k = -1;

		if (strcmp(s, "host") == 0) {
			if (ai->n > 0) {
				*v = ai->ips;
				*n = (uint32_t)ai->n;
				return;
			}
			continue;
		}
		if (strcmp(s, "netinfo") == 0)
			k = IPSRC_NETINFO;
		else if (strcmp(s, "mesos") == 0)
			k = IPSRC_MESOS;
		else if (strcmp(s, "docker") == 0)
			k = IPSRC_DOCKER;
		if (k >= 0 && t->n_ips[k] > 0) {
			struct iplist l = state_task_iplist(t, k);

			*v = l.v;
			*n = l.n;
			return;
		}
	}
}

/* SRV rdata: priority 0, the configured weight, port, target. */
static uint16_t
srv_rdata(const struct gen *g, uint8_t *rd, unsigned port,
    const struct dname *target)
{
	rd[0] = 0;
	rd[1] = 0;
	rd[2] = (uint8_t)(g->cfg->srv_weight >> 8);
	rd[3] = (uint8_t)(g->cfg->srv_weight & 0xff);
	rd[4] = (uint8_t)(port >> 8);
	rd[5] = (uint8_t)(port & 0xff);
	memcpy(rd + 6, target->data, target->len);
	return (uint16_t)(6 + target->len);
}

/* --- tasks (NAMING.md "Tasks") --- */

/* What a task's owner names are joined from: T = spec(name), _T, the
 * canonical C = T-H-S, F = frag(framework name), and fixed labels. */
enum part { P_T, P_UT, P_C, P_F, P_SLAVE, P_TCP, P_UDP, P_N };

/* What records a task owner holds. */
enum data { D_TASK_IPS, D_AGENT_IPS, D_PORTS };

/* NAMING.md's task owners, a row each, but for the discovery ports'
 * (task_discovery_srvs).  Rows of one kind of data are in the order
 * their records are added, which /v1/enumerate shows. */
static const struct task_rule {
	uint8_t parts[4], n;
	uint8_t data;
	bool no_discovery;	/* only for a task without discovery info */
} task_rules[] = {
	/* T.F.D. and C.D.: A/AAAA for each task IP. */
	{ { P_T, P_F }, 2, D_TASK_IPS, false },
	{ { P_C, P_F }, 2, D_TASK_IPS, false },
	/* T.F.slave.D. and C.slave.D.: A/AAAA for each agent IP. */
	{ { P_T, P_F, P_SLAVE }, 3, D_AGENT_IPS, false },
	{ { P_C, P_F, P_SLAVE }, 3, D_AGENT_IPS, false },
	/* _T._tcp.F.slave.D., _T._udp.F.slave.D.: SRV to C.slave.D. for each
	 * port in resources.ports; _T._tcp.F.D. and _T._udp.F.D. the same,
	 * only when the task has no discovery info. */
	{ { P_UT, P_TCP, P_F, P_SLAVE }, 4, D_PORTS, false },
	{ { P_UT, P_TCP, P_F }, 3, D_PORTS, true },
	{ { P_UT, P_UDP, P_F, P_SLAVE }, 4, D_PORTS, false },
	{ { P_UT, P_UDP, P_F }, 3, D_PORTS, true },
};

enum {
	N_RULES = sizeof(task_rules) / sizeof(task_rules[0]),
	R_C = 1,		/* C.D.: the discovery SRVs' target */
	R_C_SLAVE = 3,		/* C.slave.D.: the port SRVs' target */
};

/* One task under one label, its owners composed and their index slots
 * prefetched (unit_prepare) one unit before its records are added
 * (unit_emit): the memory a unit's lookups wait for arrives while the
 * previous unit is added. */
struct unit {
	const struct state_task *t;
	bool first;		/* the task's first unit: opens it */
	bool disc;		/* the task has discovery info */
	const char *name;	/* the task's label: spec'd (label) or raw */
	char label[DNAME_LABEL_MAX + 1], hash[6], sid[256];
	const struct frag *fname;
	const struct ipaddr *ips;
	uint32_t n_ips;
	const struct agent_ips *agent;
	struct frag ut;		/* _T */
	struct owner o[N_RULES];	/* task_rules' owners */
};

static bool
rule_applies(const struct task_rule *r, const struct unit *u)
{
	return !(r->no_discovery && u->disc);
}

static void
unit_prepare(struct gen *g, struct unit *u)
{
	struct frag t, c;
	char ctext[DNAME_TEXT_MAX];
	const struct frag *part[P_N] = {
		[P_T] = &t, [P_UT] = &u->ut, [P_C] = &c, [P_F] = u->fname,
		[P_SLAVE] = &g->f_slave, [P_TCP] = &g->f_proto[0],
		[P_UDP] = &g->f_proto[1],
	};

	frag_text(&t, u->name, NULL);
	frag_text(&u->ut, "_", u->name);
	if (snprintf(ctext, sizeof(ctext), "%s-%s-%s", u->name, u->hash,
	    u->sid) >= (int)sizeof(ctext))
		ctext[0] = '\0';
	frag_text(&c, ctext, NULL);
	for (int i = 0; i < N_RULES; i++) {
		const struct task_rule *r = &task_rules[i];
		const struct frag *p[4];

		u->o[i].ok = false;
		if (!rule_applies(r, u) || (r->data == D_PORTS &&
		    (u->t->ports == NULL || !u->o[R_C_SLAVE].ok)))
			continue;
		for (int k = 0; k < r->n; k++)
			p[k] = part[r->parts[k]];
		owner_join(&g->os, &u->o[i], p, r->n);
	}
}

/* A record on every owner of u that holds data. */
static void
unit_add(struct gen *g, struct unit *u, enum data data, uint16_t type,
    const void *rd, uint16_t len)
{
	for (int i = 0; i < N_RULES; i++)
		if (task_rules[i].data == data &&
		    rule_applies(&task_rules[i], u))
			owner_add(&g->os, &u->o[i], type, rd, len);
}

static void
unit_add_ip(struct gen *g, struct unit *u, enum data data,
    const struct ipaddr *ip)
{
	if (ip->family == 4)
		unit_add(g, u, data, RR_A, ip->addr, 4);
	else
		unit_add(g, u, data, RR_AAAA, ip->addr, 16);
}

/* The discovery ports' SRVs, to C.D. on each port's number:
 * _T._spec(protocol).F.D. (no protocol: both _tcp and _udp), and
 * _spec(port name)._T._protocol.F.D. when the port has a name. */
static void
task_discovery_srvs(struct gen *g, struct unit *u)
{
	const struct state_task *t = u->t;
	uint8_t rd[6 + DNAME_MAX];
	struct frag dp_proto, dp_name;
	struct owner o;

	for (uint32_t i = 0; i < t->n_dports; i++) {
		const struct disc_port *dp = &t->dports[i];
		const struct frag *protos[2] = { &g->f_proto[0],
		    &g->f_proto[1] };
		bool named = dp->name != NULL && dp->name[0] != '\0';
		int np = 2;
		uint16_t len = srv_rdata(g, rd, (unsigned)dp->number,
		    &u->o[R_C].n);
		char l[DNAME_LABEL_MAX + 1];

		if (dp->protocol != NULL && dp->protocol[0] != '\0') {
			dname_spec_label(dp->protocol, strlen(dp->protocol),
			    g->rfc952, l);
			frag_text(&dp_proto, "_", l);
			protos[0] = &dp_proto;
			np = 1;
		}
		if (named) {
			dname_spec_label(dp->name, strlen(dp->name), g->rfc952,
			    l);
			frag_text(&dp_name, "_", l);
		}
		for (int k = 0; k < np; k++) {
			owner_join(&g->os, &o, (const struct frag *[]){ &u->ut,
			    protos[k], u->fname }, 3);
			owner_add(&g->os, &o, RR_SRV, rd, len);
			if (!named)
				continue;
			owner_join(&g->os, &o, (const struct frag *[]){
			    &dp_name, &u->ut, protos[k], u->fname }, 4);
			owner_add(&g->os, &o, RR_SRV, rd, len);
		}
	}
}

/* The records of one task under one label, by task_rules, then its
 * discovery ports'. */
/* A task's own addresses (not its agent's, IPSources host) -> C.D.,
 * and C.slave.D. for one that is also its agent's. */
static void
task_ptrs(struct gen *g, struct unit *u)
{
	for (uint32_t i = 0; i < u->n_ips; i++) {
		const struct ipaddr *ip = &u->ips[i];

		if (u->o[R_C].ok)
			ptr_name(g, ip, &u->o[R_C].n, true);
		for (int k = 0; k < u->agent->n && u->o[R_C_SLAVE].ok; k++)
			if (ipaddr_equal(ip, &u->agent->ips[k]))
				ptr_name(g, ip, &u->o[R_C_SLAVE].n, true);
	}
}

static void
unit_emit(struct gen *g, struct unit *u, uint16_t *ports)
{
	const struct state_task *t = u->t;
	struct owner *warm[N_RULES];
	uint8_t rd[6 + DNAME_MAX];
	size_t n_ports;

	if (u->first) {
		g->st->tasks++;
		table_builder_enum_task(g->b, t->name, t->id);
	}
	for (int i = 0; i < N_RULES; i++)
		warm[i] = &u->o[i];
	owners_warm(&g->os, warm, N_RULES);
	for (uint32_t i = 0; i < u->n_ips; i++)
		unit_add_ip(g, u, D_TASK_IPS, &u->ips[i]);
	if (g->env->ptr != NULL && u->ips != u->agent->ips)
		task_ptrs(g, u);
	for (int i = 0; i < u->agent->n; i++)
		unit_add_ip(g, u, D_AGENT_IPS, &u->agent->ips[i]);
	n_ports = t->ports ? generate_parse_ports(t->ports, ports,
	    MAX_TASK_PORTS) : 0;
	if (u->o[R_C_SLAVE].ok)
		for (size_t i = 0; i < n_ports; i++)
			unit_add(g, u, D_PORTS, RR_SRV, rd, srv_rdata(g, rd,
			    ports[i], &u->o[R_C_SLAVE].n));
	if (u->disc && u->o[R_C].ok)
		task_discovery_srvs(g, u);
}

/* Two units in turn: the one prepared last waits while the other is
 * emitted. */
struct pipe {
	struct unit u[2];
	unsigned next;		/* the slot to fill */
	bool pending;		/* the other slot waits to be emitted */
};

/* The slot to fill next (emit the prepared unit with pipe_push). */
static struct unit *
pipe_slot(struct pipe *pp)
{
	return &pp->u[pp->next];
}

static void
pipe_push(struct gen *g, struct pipe *pp, uint16_t *ports)
{
	unit_prepare(g, &pp->u[pp->next]);
	pp->next ^= 1;
	if (pp->pending)
		unit_emit(g, &pp->u[pp->next], ports);
	pp->pending = true;
}

static void
pipe_flush(struct gen *g, struct pipe *pp, uint16_t *ports)
{
	if (pp->pending)
		unit_emit(g, &pp->u[pp->next ^ 1], ports);
	pp->pending = false;
}

/* Agents by id: open addressing over ai's indexes + 1, the first agent
 * of an id in state order winning; agents without an id are never
 * found. */
struct agent_map {
	const struct agent_ips *ai;
	uint32_t *slot;
	uint32_t mask;
};

static uint32_t
id_hash(const char *s)
{
	return dname_hash((const uint8_t *)s, strlen(s));
}

static void
agent_map_init(struct agent_map *m, const struct agent_ips *ai, uint32_t n)
{
	m->ai = ai;
	for (m->mask = 15; m->mask < 2 * (uint64_t)n; m->mask = m->mask * 2 + 1)
		;
	m->slot = xcalloc((size_t)m->mask + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s;

		if (ai[i].id == NULL)
			continue;
		for (s = id_hash(ai[i].id) & m->mask; m->slot[s] != 0;
		    s = (s + 1) & m->mask)
			if (strcmp(ai[m->slot[s] - 1].id, ai[i].id) == 0)
				break;
		if (m->slot[s] == 0)
			m->slot[s] = i + 1;
	}
}

static const struct agent_ips *
find_agent(const struct agent_map *m, const char *id)
{
	if (id == NULL)
		return NULL;
	for (uint32_t s = id_hash(id) & m->mask; m->slot[s] != 0;
	    s = (s + 1) & m->mask) {
		const char *x = m->ai[m->slot[s] - 1].id;

		/* The parser keeps one copy of an id for agent and tasks. */
		if (x == id || strcmp(x, id) == 0)
			return &m->ai[m->slot[s] - 1];
	}
	return NULL;
}

static void
task_records(struct gen *g, const struct cluster *cl, struct agent_ips *ai,
    uint16_t *ports)
{
	struct agent_map am;
	struct pipe *pp = xcalloc(1, sizeof(*pp));

	agent_map_init(&am, ai, cl->n_agents);
	for (const struct framework *f = cl->frameworks; f; f = f->next) {
		char fname[TEXT_MAX];
		struct frag ffrag;

		dname_frag(f->name ? f->name : "", f->name ? strlen(f->name) :
		    0, g->rfc952, fname, sizeof(fname));
		frag_text(&ffrag, fname, NULL);
		table_builder_enum_framework(g->b, f->name);
		for (const struct state_task *t = f->tasks; t; t = t->next) {
			const struct agent_ips *a = find_agent(&am,
			    t->slave_id);
			const char *dash = strrchr(t->slave_id, '-');
			struct unit *u = pipe_slot(pp);

			/* healthAware: a failed health check, no records. */
			if (a == NULL || g->os.err != 0 ||
			    (t->unhealthy && g->cfg->health_aware))
				continue;
			u->t = t;
			u->first = true;
			u->disc = t->disc_name != NULL &&
			    t->disc_name[0] != '\0';
			generate_task_hash(t->id, u->hash);
			fmt_name(u->sid, sizeof(u->sid), "%s",
			    dash ? dash + 1 : t->slave_id);
			for (char *p = u->sid; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			u->fname = &ffrag;
			u->agent = a;
			task_ips(g, t, a, &u->ips, &u->n_ips);
			if (u->disc) {
				dname_spec_label(t->disc_name,
				    strlen(t->disc_name), g->rfc952, u->label);
				/* mesos-dns's legacy raw name first; when it
				 * is already a label, it adds nothing. */
				if (strcmp(u->label, t->disc_name) != 0) {
					struct unit *v;

					u->name = t->disc_name;
					pipe_push(g, pp, ports);
					v = pipe_slot(pp);
					*v = *u;
					u = v;
					u->first = false;
				}
			} else
				dname_spec_label(t->name ? t->name : "",
				    t->name ? strlen(t->name) : 0, g->rfc952,
				    u->label);
			u->name = u->label;
			pipe_push(g, pp, ports);
		}
		/* The framework's fragment goes out of scope, and the next
		 * framework's enumeration opens after these tasks. */
		pipe_flush(g, pp, ports);
	}
	free(pp);
	free(am.slot);
}

int
generate_zone(const struct config *cfg, struct dname *apex,
    struct table_soa *soa)
{
	int r;

	memset(soa, 0, sizeof(*soa));
	r = dname_from_text(cfg->domain, strlen(cfg->domain), apex);
	if (r == 0)
		r = dname_from_text(cfg->soa_mname, strlen(cfg->soa_mname),
		    &soa->mname);
	if (r == 0)
		r = dname_from_text(cfg->soa_rname, strlen(cfg->soa_rname),
		    &soa->rname);
	if (r != 0)
		return r;
	dname_lower(apex);
	dname_lower(&soa->mname);
	dname_lower(&soa->rname);
	soa->refresh = (uint32_t)cfg->soa_refresh;
	soa->retry = (uint32_t)cfg->soa_retry;
	soa->expire = (uint32_t)cfg->soa_expire;
	/* mesos-dns puts ttl in the SOA minimum, not SOAMinttl. */
	soa->minimum = (uint32_t)cfg->ttl;
	soa->ttl = (uint32_t)cfg->ttl;
	return 0;
}

int
generate_records(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, struct table_builder *b,
    struct gen_stats *stats, char *errbuf, size_t errlen)
{
	return generate_part(cl, cfg, env, GEN_ALL, b, stats, errbuf, errlen);
}

int
generate_part(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, unsigned parts, struct table_builder *b,
    struct gen_stats *stats, char *errbuf, size_t errlen)
{
	struct gen g = { .cfg = cfg, .env = env, .b = b, .st = stats,
		.rfc952 = cfg->enforce_rfc952, .dom = cfg->domain,
		.quiet = !(parts & GEN_OTHERS) };
	struct agent_ips *ai;
	uint16_t *ports = xmalloc(MAX_TASK_PORTS * sizeof(uint16_t));

	memset(stats, 0, sizeof(*stats));
	g.os.b = b;
	g.os.skipped = &stats->skipped_names;
	g.os.zone_ok = dname_from_text(cfg->domain, strlen(cfg->domain),
	    &g.os.zone) == 0;
	dname_lower(&g.os.zone);
	frag_text(&g.f_slave, "slave", NULL);
	frag_text(&g.f_proto[0], "_tcp", NULL);
	frag_text(&g.f_proto[1], "_udp", NULL);
	if (env->ptr != NULL && (parts & GEN_OTHERS))
		env->ptr(env->ptr_arg, NULL, NULL, 0, parts == GEN_ALL);
	if (parts & GEN_OTHERS)
		framework_records(&g, cl);
	/* The agents' addresses are the tasks' too. */
	ai = agent_records(&g, cl);
	if (parts & GEN_OTHERS) {
		listener_records(&g);
		master_records(&g, cl);
	}
	g.quiet = false;
	if (parts & GEN_TASKS)
		task_records(&g, cl, ai, ports);
	free(ports);
	free(ai);
	stats->records = table_builder_count(b);
	{
		struct dname first;

		stats->capped = table_builder_capped(b, &first);
		if (stats->capped > 0 &&
		    dname_to_text(&first, stats->capped_name,
		    sizeof(stats->capped_name)) < 0)
			stats->capped_name[0] = '\0';
	}
	table_builder_set_tasks(b, stats->tasks);
	if (g.os.err != 0) {
		snprintf(errbuf, errlen, "record table cap reached after %u "
		    "records", stats->records);
		return g.os.err;
	}
	return 0;
}

struct table_builder *
generate_builder(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, struct gen_stats *stats, char *errbuf,
    size_t errlen)
{
	struct dname apex;
	struct table_soa soa;
	struct table_builder *b;

	if (generate_zone(cfg, &apex, &soa) != 0) {
		snprintf(errbuf, errlen, "domain or SOA names are not valid");
		return NULL;
	}
	b = table_builder_new(&apex, (uint32_t)cfg->ttl, &soa);
	if (cfg->enumeration_on)
		table_builder_enum_on(b);
	table_builder_set_name_cap(b, (uint32_t)cfg->max_records_per_name);
	/* A task makes some 8 to 16 records on 4 to 8 names: reserve the
	 * low end, so a big state grows the indexes once at most. */
	table_builder_reserve(b, 8 * cl->n_tasks + 4 * cl->n_agents + 64,
	    4 * cl->n_tasks + cl->n_agents + 64);
	if (generate_records(cl, cfg, env, b, stats, errbuf, errlen) != 0) {
		table_builder_free(b);
		return NULL;
	}
	return b;
}

struct table *
generate_table(const struct cluster *cl, const struct config *cfg,
    const struct gen_env *env, const struct table *prev, uint32_t now,
    struct gen_stats *stats, char *errbuf, size_t errlen)
{
	struct table_builder *b = generate_builder(cl, cfg, env, stats,
	    errbuf, errlen);

	return b != NULL ? table_builder_finish(b, prev, now) : NULL;
}
