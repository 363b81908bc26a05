/* state.c - streaming parser of /master/state (see state.h).
 *
 * yajl delivers events; a stack of frames says where in the document each
 * event falls.  A frame's kind comes from its parent's kind and the key
 * that opened it, so anything the naming convention does not use becomes a
 * F_SKIP frame and costs nothing but the walk over its bytes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "util/arena.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "mesos/state.h"
#include "mesos/status.h"

enum frame {
	F_TOP, F_SLAVES, F_SLAVE, F_FWS, F_FW, F_TASKS, F_TASK, F_RES,
	F_STATUSES, F_STATUS, F_SLABELS, F_SLABEL, F_CSTATUS, F_NETINFOS,
	F_NETINFO, F_IPADDRS, F_IPADDR, F_DISC, F_DPORTSOBJ, F_DPORTS, F_DPORT,
	F_SKIP,
};

struct state_parser {
	yajl_handle h;
	struct cluster *c;
	enum frame frames[STATE_MAX_DEPTH];
	int depth;
	char key[64];
	bool key_ok;		/* key fits in key[] */
	bool seen;		/* a top-level Mesos field was seen */
	bool failed;
	char err[256];
	uint32_t max_tasks;	/* 0: no cap */

	struct framework *fw, *fw_tail;
	struct agent *agent, *agent_tail;
	struct state_task *task, *task_tail;
	struct arena_mark task_mark;
	bool task_running;
	double best_ts;

	struct status_reader st;	/* the status being read */
	double health_ts;	/* of the latest status saying it */

	struct disc_port dport;
	struct disc_port *dports;
	uint32_t n_dports, cap_dports;

	/* The strings tasks share (agent ids, task names), each kept once
	 * in the cluster's shared arena: open addressing, NULL = free. */
	const char **shared;
	uint32_t shared_mask, n_shared;
};

static void
fail(struct state_parser *p, const char *msg)
{
	if (!p->failed) {
		p->failed = true;
		snprintf(p->err, sizeof(p->err), "%s", msg);
	}
}

static enum frame
top(const struct state_parser *p)
{
	return p->frames[p->depth - 1];
}

/* The status part a frame is. */
static enum status_part
status_part(enum frame f)
{
	return f == F_SLABEL ? SP_LABEL : f == F_NETINFO ? SP_NETINFO :
	    f == F_IPADDR ? SP_IPADDR : SP_STATUS;
}

static bool
key_is(const struct state_parser *p, const char *k)
{
	return p->key_ok && strcmp(p->key, k) == 0;
}

/* A kept string, or NULL when it is over the size cap. */
static const char *
keep(struct state_parser *p, const unsigned char *s, size_t n)
{
	if (n > STATE_MAX_STRING) {
		p->c->ignored++;
		return NULL;
	}
	return arena_strndup(p->c->arena, (const char *)s, n);
}

/* A kept string that many tasks share: the one copy, made when it is
 * first seen.  A task given back (arena_reset) leaves the shared arena
 * alone, and the copies are bounded by the document's size. */
static const char *
keep_shared(struct state_parser *p, const unsigned char *s, size_t n)
{
	uint32_t i;

	if (n > STATE_MAX_STRING) {
		p->c->ignored++;
		return NULL;
	}
	if (p->n_shared * 2 >= p->shared_mask) {
		uint32_t mask = p->shared_mask ? p->shared_mask * 2 + 1 : 255;
		const char **v = xcalloc((size_t)mask + 1, sizeof(*v));

		for (uint32_t k = 0; k <= p->shared_mask && p->shared; k++) {
			const char *x = p->shared[k];

			if (x == NULL)
				continue;
			for (i = dname_hash((const uint8_t *)x, strlen(x)) &
			    mask; v[i] != NULL; i = (i + 1) & mask)
				;
			v[i] = x;
		}
		free(p->shared);
		p->shared = v;
		p->shared_mask = mask;
	}
	for (i = dname_hash(s, n) & p->shared_mask; p->shared[i] != NULL;
	    i = (i + 1) & p->shared_mask)
		if (strncmp(p->shared[i], (const char *)s, n) == 0 &&
		    p->shared[i][n] == '\0')
			return p->shared[i];
	p->n_shared++;
	return p->shared[i] = arena_strndup(p->c->shared, (const char *)s, n);
}

static enum frame
child(const struct state_parser *p, bool is_map)
{
	enum frame parent = top(p);

	switch (parent) {
	case F_TOP:
		if (!is_map && key_is(p, "slaves"))
			return F_SLAVES;
		if (!is_map && key_is(p, "frameworks"))
			return F_FWS;
		break;
	case F_SLAVES:
		return is_map ? F_SLAVE : F_SKIP;
	case F_FWS:
		return is_map ? F_FW : F_SKIP;
	case F_FW:
		if (!is_map && key_is(p, "tasks"))
			return F_TASKS;
		break;
	case F_TASKS:
		return is_map ? F_TASK : F_SKIP;
	case F_TASK:
		if (is_map && key_is(p, "resources"))
			return F_RES;
		if (!is_map && key_is(p, "statuses"))
			return F_STATUSES;
		if (is_map && key_is(p, "discovery"))
			return F_DISC;
		break;
	case F_STATUSES:
		return is_map ? F_STATUS : F_SKIP;
	case F_STATUS:
		if (!is_map && key_is(p, "labels"))
			return F_SLABELS;
		if (is_map && key_is(p, "container_status"))
			return F_CSTATUS;
		break;
	case F_SLABELS:
		return is_map ? F_SLABEL : F_SKIP;
	case F_CSTATUS:
		if (!is_map && key_is(p, "network_infos"))
			return F_NETINFOS;
		break;
	case F_NETINFOS:
		return is_map ? F_NETINFO : F_SKIP;
	case F_NETINFO:
		if (!is_map && key_is(p, "ip_addresses"))
			return F_IPADDRS;
		break;
	case F_IPADDRS:
		return is_map ? F_IPADDR : F_SKIP;
	case F_DISC:
		if (is_map && key_is(p, "ports"))
			return F_DPORTSOBJ;
		break;
	case F_DPORTSOBJ:
		if (!is_map && key_is(p, "ports"))
			return F_DPORTS;
		break;
	case F_DPORTS:
		return is_map ? F_DPORT : F_SKIP;
	default:
		break;
	}
	return F_SKIP;
}

static void
enter(struct state_parser *p, enum frame f)
{
	struct arena *a = p->c->arena;

	switch (f) {
	case F_SLAVE:
		p->agent = arena_calloc(a, sizeof(*p->agent));
		break;
	case F_FW:
		p->fw = arena_calloc(a, sizeof(*p->fw));
		p->task_tail = NULL;
		break;
	case F_TASK:
		p->task_mark = arena_mark(a);
		p->task = arena_calloc(a, sizeof(*p->task));
		p->task_running = false;
		p->best_ts = -1.0;
		p->health_ts = -1.0;
		p->n_dports = 0;
		break;
	case F_STATUS:
	case F_SLABEL:
	case F_NETINFO:
	case F_IPADDR:
		status_enter(&p->st, status_part(f));
		break;
	case F_DPORTS:
		p->n_dports = 0;
		break;
	case F_DPORT:
		/* A port without a usable number makes no SRV record. */
		p->dport.number = -1;
		p->dport.name = NULL;
		p->dport.protocol = NULL;
		break;
	default:
		break;
	}
}

static void
leave_task(struct state_parser *p)
{
	struct state_task *t = p->task;

	if (!p->task_running || t->id == NULL || t->slave_id == NULL ||
	    p->fw == NULL) {
		/* Not kept: give its memory back. */
		arena_reset(p->c->arena, p->task_mark);
		p->task = NULL;
		return;
	}
	if (p->n_dports > 0) {
		t->dports = arena_memdup(p->c->arena, p->dports,
		    p->n_dports * sizeof(*p->dports));
		t->n_dports = p->n_dports;
	}
	if (p->task_tail == NULL)
		p->fw->tasks = t;
	else
		p->task_tail->next = t;
	p->task_tail = t;
	p->fw->n_tasks++;
	p->c->n_tasks++;
	p->task = NULL;
	if (p->max_tasks != 0 && p->c->n_tasks > p->max_tasks) {
		char msg[128];

		snprintf(msg, sizeof(msg), "more than %u running tasks "
		    "(maxTasks): refused, not cut short", p->max_tasks);
		fail(p, msg);
	}
}

/* The current status's IPs become the task's, in one array; a source
 * keeps its first 65535. */
static void
keep_ips(struct state_parser *p)
{
	struct state_task *t = p->task;
	struct ipaddr *v;
	size_t total = 0;

	for (int i = 0; i < IPSRC_N; i++) {
		t->n_ips[i] = p->st.ips[i].n > UINT16_MAX ? UINT16_MAX :
		    (uint16_t)p->st.ips[i].n;
		total += t->n_ips[i];
	}
	t->ipv = NULL;
	if (total == 0)
		return;
	v = arena_alloc(p->c->arena, total * sizeof(*v));
	t->ipv = v;
	for (int i = 0; i < IPSRC_N; i++) {
		if (t->n_ips[i] > 0)
			memcpy(v, p->st.ips[i].v, t->n_ips[i] * sizeof(*v));
		v += t->n_ips[i];
	}
}

static void
leave(struct state_parser *p, enum frame f)
{
	struct cluster *c = p->c;

	switch (f) {
	case F_SLAVE:
		if (p->agent_tail == NULL)
			c->agents = p->agent;
		else
			p->agent_tail->next = p->agent;
		p->agent_tail = p->agent;
		c->n_agents++;
		p->agent = NULL;
		break;
	case F_FW:
		if (p->fw_tail == NULL)
			c->frameworks = p->fw;
		else
			p->fw_tail->next = p->fw;
		p->fw_tail = p->fw;
		c->n_frameworks++;
		p->fw = NULL;
		break;
	case F_TASK:
		leave_task(p);
		break;
	case F_STATUS:
		/* The latest TASK_RUNNING status wins, the first on a tie. */
		if (p->task != NULL && p->st.running && p->st.ts > p->best_ts) {
			p->best_ts = p->st.ts;
			keep_ips(p);
		}
		/* The latest status that says healthy or not decides. */
		if (p->task != NULL && p->st.health >= 0 &&
		    p->st.ts >= p->health_ts) {
			p->health_ts = p->st.ts;
			p->task->unhealthy = p->st.health == 0;
		}
		break;
	case F_SLABEL:
	case F_NETINFO:
		status_leave(&p->st, status_part(f));
		break;
	case F_DPORT:
		if (p->dport.number < 0)
			break;
		if (p->n_dports == p->cap_dports) {
			p->cap_dports = p->cap_dports ? p->cap_dports * 2 : 8;
			p->dports = xrealloc(p->dports,
			    p->cap_dports * sizeof(*p->dports));
		}
		p->dports[p->n_dports++] = p->dport;
		break;
	default:
		break;
	}
}

static int
push(struct state_parser *p, bool is_map)
{
	enum frame f;

	if (p->depth == 0) {
		if (!is_map) {
			fail(p, "not a Mesos state: the document is not a JSON "
			    "object");
			return 0;
		}
		f = F_TOP;
	} else
		f = top(p) == F_SKIP ? F_SKIP : child(p, is_map);
	if (p->depth >= STATE_MAX_DEPTH) {
		fail(p, "not a Mesos state: nesting deeper than 128 levels");
		return 0;
	}
	if (p->depth == 1 && (key_is(p, "frameworks") || key_is(p, "slaves")))
		p->seen = true;
	p->frames[p->depth++] = f;
	p->key_ok = false;
	enter(p, f);
	return 1;
}

static int
pop(void *ctx)
{
	struct state_parser *p = ctx;

	if (p->depth == 0)
		return 0;
	leave(p, p->frames[--p->depth]);
	p->key_ok = false;
	return !p->failed;
}

static int
on_start_map(void *ctx)
{
	return push(ctx, true);
}

static int
on_start_array(void *ctx)
{
	return push(ctx, false);
}

static int
on_key(void *ctx, const unsigned char *k, size_t n)
{
	struct state_parser *p = ctx;

	/* Nothing in a skipped subtree is looked at: most of a real
	 * state's keys are there. */
	p->key_ok = n < sizeof(p->key) && p->depth > 0 && top(p) != F_SKIP;
	if (p->key_ok) {
		memcpy(p->key, k, n);
		p->key[n] = '\0';
	}
	return 1;
}

static int
scalar_at_root(struct state_parser *p)
{
	if (p->depth == 0) {
		fail(p, "not a Mesos state: the document is not a JSON object");
		return 1;
	}
	return 0;
}

static int
on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct state_parser *p = ctx;
	const char *cs = (const char *)s;

	if (scalar_at_root(p))
		return 0;
	switch (top(p)) {
	case F_TOP:
		if (key_is(p, "leader")) {
			p->c->leader = keep(p, s, n);
			p->seen = true;
		} else if (key_is(p, "pid"))
			p->c->pid = keep(p, s, n);
		else if (key_is(p, "hostname"))
			p->c->hostname = keep(p, s, n);
		else if (key_is(p, "version"))
			p->c->version = keep(p, s, n);
		break;
	case F_SLAVE:
		if (key_is(p, "id"))
			p->agent->id = keep_shared(p, s, n);
		else if (key_is(p, "pid"))
			p->agent->pid = keep(p, s, n);
		else if (key_is(p, "hostname"))
			p->agent->hostname = keep(p, s, n);
		break;
	case F_FW:
		if (key_is(p, "id"))
			p->fw->id = keep(p, s, n);
		else if (key_is(p, "name"))
			p->fw->name = keep(p, s, n);
		else if (key_is(p, "pid"))
			p->fw->pid = keep(p, s, n);
		else if (key_is(p, "hostname"))
			p->fw->hostname = keep(p, s, n);
		break;
	case F_TASK:
		if (key_is(p, "id"))
			p->task->id = keep(p, s, n);
		else if (key_is(p, "name"))
			p->task->name = keep_shared(p, s, n);
		else if (key_is(p, "slave_id"))
			p->task->slave_id = keep_shared(p, s, n);
		else if (key_is(p, "state"))
			p->task_running = n == 12 &&
			    memcmp(s, "TASK_RUNNING", 12) == 0;
		break;
	case F_RES:
		if (key_is(p, "ports"))
			p->task->ports = keep(p, s, n);
		break;
	case F_STATUS:
	case F_SLABEL:
	case F_NETINFO:
	case F_IPADDR:
		status_string(&p->st, status_part(top(p)), p->key_ok ? p->key :
		    "", cs, n);
		break;
	case F_DISC:
		if (key_is(p, "name"))
			p->task->disc_name = keep(p, s, n);
		break;
	case F_DPORT:
		if (key_is(p, "name"))
			p->dport.name = keep(p, s, n);
		else if (key_is(p, "protocol"))
			p->dport.protocol = keep(p, s, n);
		break;
	default:
		break;
	}
	p->key_ok = false;
	return 1;
}

static int
on_number(void *ctx, const char *s, size_t n)
{
	struct state_parser *p = ctx;
	char buf[64];
	char *end;

	if (scalar_at_root(p))
		return 0;
	if (n >= sizeof(buf) || !p->key_ok ||
	    (top(p) != F_STATUS && top(p) != F_DPORT)) {
		p->key_ok = false;
		return 1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (top(p) == F_STATUS) {
		status_number(&p->st, p->key, strtod(buf, &end));
	} else if (top(p) == F_DPORT && key_is(p, "number")) {
		long v = strtol(buf, &end, 10);

		p->dport.number = (*end == '\0' && v >= 0 && v <= 65535) ?
		    (int)v : -1;
	}
	p->key_ok = false;
	return 1;
}

static int
on_other(struct state_parser *p)
{
	if (scalar_at_root(p))
		return 0;
	p->key_ok = false;
	return 1;
}

static int
on_null(void *ctx)
{
	return on_other(ctx);
}

static int
on_bool(void *ctx, int b)
{
	struct state_parser *p = ctx;

	if (p->depth > 0 && top(p) == F_STATUS && p->key_ok)
		status_bool(&p->st, p->key, b != 0);
	return on_other(ctx);
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = pop,
	.yajl_start_array = on_start_array,
	.yajl_end_array = pop,
};

struct state_parser *
state_parser_new(void)
{
	struct state_parser *p = xcalloc(1, sizeof(*p));

	p->c = xcalloc(1, sizeof(*p->c));
	p->c->arena = arena_new(1u << 16);
	p->c->shared = arena_new(1u << 14);
	p->h = yajl_alloc(&callbacks, NULL, p);
	if (p->h == NULL) {
		fprintf(stderr, "taskdns: out of memory (yajl)\n");
		abort();
	}
	return p;
}

void
state_parser_set_max_tasks(struct state_parser *p, uint32_t max)
{
	p->max_tasks = max;
}

void
state_parser_free(struct state_parser *p)
{
	if (p == NULL)
		return;
	if (p->h != NULL)
		yajl_free(p->h);
	state_cluster_free(p->c);
	status_free(&p->st);
	free(p->dports);
	free(p->shared);
	free(p);
}

static void
yajl_reason(struct state_parser *p, const void *buf, size_t len,
    char *errbuf, size_t errlen)
{
	if (p->failed) {
		snprintf(errbuf, errlen, "%s", p->err);
		return;
	}
	status_json_error(p->h, buf, len, errbuf, errlen);
	p->failed = true;
}

int
state_parser_feed(struct state_parser *p, const void *buf, size_t len,
    char *errbuf, size_t errlen)
{
	if (p->failed) {
		snprintf(errbuf, errlen, "%s", p->err);
		return -E_FORMAT;
	}
	if (yajl_parse(p->h, buf, len) != yajl_status_ok) {
		yajl_reason(p, buf, len, errbuf, errlen);
		snprintf(p->err, sizeof(p->err), "%s", errbuf);
		return -E_FORMAT;
	}
	return 0;
}

struct cluster *
state_parser_finish(struct state_parser *p, char *errbuf, size_t errlen)
{
	struct cluster *c;

	if (p->failed) {
		snprintf(errbuf, errlen, "%s", p->err);
		return NULL;
	}
	if (yajl_complete_parse(p->h) != yajl_status_ok) {
		yajl_reason(p, NULL, 0, errbuf, errlen);
		return NULL;
	}
	if (!p->seen) {
		snprintf(errbuf, errlen, "not a Mesos state: none of leader, "
		    "frameworks, slaves is present");
		p->failed = true;
		return NULL;
	}
	c = p->c;
	p->c = NULL;
	return c;
}

struct cluster *
state_parse(const void *buf, size_t len, char *errbuf, size_t errlen)
{
	struct state_parser *p = state_parser_new();
	struct cluster *c = NULL;

	if (state_parser_feed(p, buf, len, errbuf, errlen) == 0)
		c = state_parser_finish(p, errbuf, errlen);
	state_parser_free(p);
	return c;
}

int
state_check_leader(const struct cluster *c, char *errbuf, size_t errlen)
{
	if (c->leader == NULL || c->leader[0] == '\0') {
		snprintf(errbuf, errlen, "the state names no leader");
		return -E_FORMAT;
	}
	if (c->pid != NULL && c->pid[0] != '\0' &&
	    strcmp(c->pid, c->leader) != 0) {
		snprintf(errbuf, errlen, "the state comes from %s, which is not "
		    "the leader (%s)", c->pid, c->leader);
		return -E_FORMAT;
	}
	return 0;
}

void
state_cluster_free(struct cluster *c)
{
	if (c == NULL)
		return;
	arena_free(c->arena);
	arena_free(c->shared);
	free(c);
}
