/* v1.c - the v1 operator API reader (see v1.h).
 *
 * As state.c: yajl events, a stack of frames, a frame's kind from its
 * parent's and the key that opened it; what naming does not use is F_SKIP
 * and costs only the walk.  An entity (task, agent, framework) is
 * collected in the record's scratch arena and handed over when its object
 * closes, then the scratch is rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "mesos/status.h"
#include "mesos/v1.h"
#include "util/arena.h"

const char *const v1_type_names[V1_TYPES] = {
	"UNKNOWN", "SUBSCRIBED", "GET_STATE", "TASK_ADDED", "TASK_UPDATED",
	"AGENT_ADDED", "AGENT_REMOVED", "FRAMEWORK_ADDED", "FRAMEWORK_UPDATED",
	"FRAMEWORK_REMOVED", "HEARTBEAT",
};

enum frame {
	F_ROOT, F_SUBSCRIBED, F_GETSTATE, F_GTASKS, F_TASKS, F_TASK, F_TADD,
	F_TUPD, F_ID, F_RESOURCES, F_RESOURCE, F_RANGES, F_RANGE_ARR, F_RANGE,
	F_DISC, F_DPORTSOBJ, F_DPORTS, F_DPORT, F_STATUSES, F_STATUS,
	F_SLABELSOBJ, F_SLABELS, F_SLABEL, F_CSTATUS, F_NETINFOS, F_NETINFO,
	F_IPADDRS, F_IPADDR, F_GFWS, F_FWS, F_FW, F_FADD, F_FREM, F_FINFO,
	F_GAGENTS, F_AGENTS, F_AGENT, F_AADD, F_AREM, F_AINFO, F_SKIP,
};

#define V1_MAX_DEPTH 128
#define V1_MAX_PORTS_TEXT 65536

struct v1_reader {
	struct v1_cbs cbs;
	void *arg;
	yajl_handle h;
	struct arena *scratch;
	struct arena_mark mark;	/* the scratch before the open entity */
	enum frame frames[V1_MAX_DEPTH];
	const char **slot[V1_MAX_DEPTH];	/* an F_ID's destination */
	int depth;
	char key[64];
	bool key_ok;
	bool failed;
	char err[160];
	enum v1_type type;	/* from "type" */
	enum v1_type payload;	/* from the payload's key */
	double heartbeat;

	struct v1_task t;
	bool in_task;
	double best_ts, health_ts;
	struct ipvec ips[IPSRC_N];	/* the kept status's */
	struct status_reader st;	/* the status being read */
	/* Resources: a resource's name and ranges; the ports text. */
	const char *res_name;
	char *ports;
	size_t ports_len;
	char *res_ranges;
	size_t res_len;
	long long rbegin, rend;
	/* Discovery ports. */
	struct disc_port dport;
	struct disc_port *dports;
	uint32_t n_dports, cap_dports;

	struct v1_agent a;
	struct v1_framework f;
	const char *removed_id;
};

static void
fail(struct v1_reader *r, const char *why)
{
	if (!r->failed)
		snprintf(r->err, sizeof(r->err), "%s", why);
	r->failed = true;
}

static enum frame
top(const struct v1_reader *r)
{
	return r->frames[r->depth - 1];
}

static enum status_part
status_part(enum frame f)
{
	return f == F_SLABEL ? SP_LABEL : f == F_NETINFO ? SP_NETINFO :
	    f == F_IPADDR ? SP_IPADDR : SP_STATUS;
}

static bool
key_is(const struct v1_reader *r, const char *k)
{
	return r->key_ok && strcmp(r->key, k) == 0;
}

static const char *
keep(struct v1_reader *r, const unsigned char *s, size_t n)
{
	if (n > STATE_MAX_STRING)
		return NULL;
	return arena_strndup(r->scratch, (const char *)s, n);
}

/* The payload keys of the root, and the type each says. */
static const struct {
	const char *key;
	enum v1_type type;
	enum frame frame;
} payloads[] = {
	{ "subscribed", V1_SUBSCRIBED, F_SUBSCRIBED },
	{ "get_state", V1_GET_STATE, F_GETSTATE },
	{ "task_added", V1_TASK_ADDED, F_TADD },
	{ "task_updated", V1_TASK_UPDATED, F_TUPD },
	{ "agent_added", V1_AGENT_ADDED, F_AADD },
	{ "agent_removed", V1_AGENT_REMOVED, F_AREM },
	{ "framework_added", V1_FRAMEWORK_ADDED, F_FADD },
	{ "framework_updated", V1_FRAMEWORK_UPDATED, F_FADD },
	{ "framework_removed", V1_FRAMEWORK_REMOVED, F_FREM },
};

static enum frame
root_child(struct v1_reader *r, bool is_map)
{
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
		if (is_map && key_is(r, payloads[i].key)) {
			r->payload = payloads[i].type;
			return payloads[i].frame;
		}
	return F_SKIP;
}

/* An id object's destination, by where it is. */
static const char **
id_slot(struct v1_reader *r, enum frame parent)
{
	switch (parent) {
	case F_TASK:
	case F_TUPD:
	case F_STATUS:
		if (key_is(r, "task_id"))
			return &r->t.id;
		if (key_is(r, "framework_id"))
			return &r->t.framework_id;
		if (key_is(r, "agent_id") || key_is(r, "slave_id"))
			return &r->t.agent_id;
		break;
	case F_FINFO:
		return key_is(r, "id") ? &r->f.id : NULL;
	case F_AINFO:
		return key_is(r, "id") ? &r->a.id : NULL;
	case F_AREM:
		return key_is(r, "agent_id") ? &r->removed_id : NULL;
	default:
		break;
	}
	return NULL;
}

static enum frame
map_child(struct v1_reader *r, enum frame parent)
{
	const char **slot = id_slot(r, parent);

	if (slot != NULL) {
		r->slot[r->depth] = slot;
		return F_ID;
	}
	switch (parent) {
	case F_ROOT:
		return root_child(r, true);
	case F_SUBSCRIBED:
		return key_is(r, "get_state") ? F_GETSTATE : F_SKIP;
	case F_GETSTATE:
		if (key_is(r, "get_tasks"))
			return F_GTASKS;
		if (key_is(r, "get_frameworks"))
			return F_GFWS;
		if (key_is(r, "get_agents"))
			return F_GAGENTS;
		break;
	case F_TASKS:
		return F_TASK;
	case F_TADD:
		return key_is(r, "task") ? F_TASK : F_SKIP;
	case F_TUPD:
		return key_is(r, "status") ? F_STATUS : F_SKIP;
	case F_TASK:
		return key_is(r, "discovery") ? F_DISC : F_SKIP;
	case F_RESOURCES:
		return F_RESOURCE;
	case F_RESOURCE:
		return key_is(r, "ranges") ? F_RANGES : F_SKIP;
	case F_RANGE_ARR:
		return F_RANGE;
	case F_DISC:
		return key_is(r, "ports") ? F_DPORTSOBJ : F_SKIP;
	case F_DPORTS:
		return F_DPORT;
	case F_STATUSES:
		return F_STATUS;
	case F_STATUS:
		if (key_is(r, "labels"))
			return F_SLABELSOBJ;
		return key_is(r, "container_status") ? F_CSTATUS : F_SKIP;
	case F_SLABELS:
		return F_SLABEL;
	case F_NETINFOS:
		return F_NETINFO;
	case F_IPADDRS:
		return F_IPADDR;
	case F_FWS:
		return F_FW;
	case F_FADD:
		return key_is(r, "framework") ? F_FW : F_SKIP;
	case F_FW:
	case F_FREM:
		return key_is(r, "framework_info") ? F_FINFO : F_SKIP;
	case F_AGENTS:
		return F_AGENT;
	case F_AADD:
		return key_is(r, "agent") ? F_AGENT : F_SKIP;
	case F_AGENT:
		return key_is(r, "agent_info") ? F_AINFO : F_SKIP;
	default:
		break;
	}
	return F_SKIP;
}

static enum frame
array_child(struct v1_reader *r, enum frame parent)
{
	switch (parent) {
	case F_GTASKS:
		return key_is(r, "tasks") || key_is(r, "launched_tasks") ?
		    F_TASKS : F_SKIP;
	case F_TASK:
		if (key_is(r, "resources"))
			return F_RESOURCES;
		return key_is(r, "statuses") ? F_STATUSES : F_SKIP;
	case F_RANGES:
		return key_is(r, "range") ? F_RANGE_ARR : F_SKIP;
	case F_DPORTSOBJ:
		return key_is(r, "ports") ? F_DPORTS : F_SKIP;
	case F_SLABELSOBJ:
		return key_is(r, "labels") ? F_SLABELS : F_SKIP;
	case F_CSTATUS:
		return key_is(r, "network_infos") ? F_NETINFOS : F_SKIP;
	case F_NETINFO:
		return key_is(r, "ip_addresses") ? F_IPADDRS : F_SKIP;
	case F_GFWS:
		return key_is(r, "frameworks") ? F_FWS : F_SKIP;
	case F_GAGENTS:
		return key_is(r, "agents") ? F_AGENTS : F_SKIP;
	default:
		break;
	}
	return F_SKIP;
}

static void
enter_task(struct v1_reader *r)
{
	r->mark = arena_mark(r->scratch);
	memset(&r->t, 0, sizeof(r->t));
	r->in_task = true;
	r->best_ts = -1.0;
	r->health_ts = -1.0;
	for (int i = 0; i < IPSRC_N; i++)
		r->ips[i].n = 0;
	r->ports_len = 0;
	r->n_dports = 0;
}

static void
enter(struct v1_reader *r, enum frame f)
{
	switch (f) {
	case F_TASK:
	case F_TUPD:
		enter_task(r);
		break;
	case F_STATUS:
	case F_SLABEL:
	case F_NETINFO:
	case F_IPADDR:
		status_enter(&r->st, status_part(f));
		break;
	case F_RESOURCE:
		r->res_name = NULL;
		r->res_len = 0;
		break;
	case F_RANGE:
		r->rbegin = r->rend = -1;
		break;
	case F_DPORTS:
		r->n_dports = 0;
		break;
	case F_DPORT:
		r->dport.number = -1;
		r->dport.name = NULL;
		r->dport.protocol = NULL;
		break;
	case F_FW:
	case F_FREM:
		r->mark = arena_mark(r->scratch);
		memset(&r->f, 0, sizeof(r->f));
		break;
	case F_AGENT:
		r->mark = arena_mark(r->scratch);
		memset(&r->a, 0, sizeof(r->a));
		break;
	case F_AREM:
		r->removed_id = NULL;
		break;
	default:
		break;
	}
}

/* Append text to a growable buffer (resources' ranges). */
static void
append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > V1_MAX_PORTS_TEXT)
		return;
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

static void
leave_range(struct v1_reader *r)
{
	char text[48];

	if (r->rbegin < 0 || r->rend < r->rbegin || r->rend > 65535)
		return;
	snprintf(text, sizeof(text), "%s%lld-%lld", r->res_len ? ", " : "",
	    r->rbegin, r->rend);
	append(&r->res_ranges, &r->res_len, text);
}

static void
leave_status(struct v1_reader *r)
{
	/* The latest TASK_RUNNING status gives the IPs, the first on a
	 * tie (as state.c); what a TASK_UPDATED without IPs keeps is the
	 * model's business. */
	const struct status_reader *st = &r->st;

	if (st->running && st->ts > r->best_ts) {
		for (int i = 0; i < IPSRC_N; i++) {
			struct ipvec *d = &r->ips[i];

			d->n = 0;
			for (uint32_t k = 0; k < st->ips[i].n; k++)
				ipvec_push(d, &st->ips[i].v[k]);
		}
		r->best_ts = st->ts;
	}
	if (st->health >= 0 && st->ts >= r->health_ts) {
		r->health_ts = st->ts;
		r->t.health = st->health ? V1_HEALTHY : V1_UNHEALTHY;
	}
}

static void
leave_task(struct v1_reader *r, bool update)
{
	if (r->ports_len > 0)
		r->t.ports = arena_strndup(r->scratch, r->ports, r->ports_len);
	if (r->n_dports > 0) {
		r->t.dports = arena_memdup(r->scratch, r->dports,
		    r->n_dports * sizeof(*r->dports));
		r->t.n_dports = r->n_dports;
	}
	for (int i = 0; i < IPSRC_N; i++) {
		r->t.ips[i] = r->ips[i].v;
		r->t.n_ips[i] = r->ips[i].n;
	}
	if (r->t.id == NULL)
		fail(r, "a task without a task_id");
	else if (r->cbs.task != NULL)
		r->cbs.task(r->arg, &r->t, update);
	r->in_task = false;
	arena_reset(r->scratch, r->mark);
}

static void
leave(struct v1_reader *r, enum frame f)
{
	switch (f) {
	case F_TASK:
		leave_task(r, false);
		break;
	case F_TUPD:
		leave_task(r, true);
		break;
	case F_STATUS:
		leave_status(r);
		break;
	case F_SLABEL:
	case F_NETINFO:
		status_leave(&r->st, status_part(f));
		break;
	case F_RANGE:
		leave_range(r);
		break;
	case F_RESOURCE:
		if (r->res_name != NULL && strcmp(r->res_name, "ports") == 0 &&
		    r->res_len > 0) {
			append(&r->ports, &r->ports_len, r->ports_len ? ", " :
			    "[");
			append(&r->ports, &r->ports_len, r->res_ranges);
		}
		break;
	case F_RESOURCES:
		if (r->ports_len > 0)
			append(&r->ports, &r->ports_len, "]");
		break;
	case F_DPORT:
		if (r->dport.number < 0)
			break;
		if (r->n_dports == r->cap_dports) {
			r->cap_dports = r->cap_dports ? r->cap_dports * 2 : 8;
			r->dports = xrealloc(r->dports,
			    r->cap_dports * sizeof(*r->dports));
		}
		r->dports[r->n_dports++] = r->dport;
		break;
	case F_FW:
		if (r->f.id != NULL && r->cbs.framework != NULL)
			r->cbs.framework(r->arg, &r->f);
		arena_reset(r->scratch, r->mark);
		break;
	case F_FREM:
		if (r->f.id != NULL && r->cbs.framework_removed != NULL)
			r->cbs.framework_removed(r->arg, r->f.id);
		arena_reset(r->scratch, r->mark);
		break;
	case F_AGENT:
		if (r->a.id != NULL && r->cbs.agent != NULL)
			r->cbs.agent(r->arg, &r->a);
		arena_reset(r->scratch, r->mark);
		break;
	case F_AREM:
		if (r->removed_id != NULL && r->cbs.agent_removed != NULL)
			r->cbs.agent_removed(r->arg, r->removed_id);
		break;
	default:
		break;
	}
}

static int
push(struct v1_reader *r, bool is_map)
{
	enum frame f, parent;

	if (r->depth == 0) {
		if (!is_map) {
			fail(r, "not an operator API record: not a JSON object");
			return 0;
		}
		f = F_ROOT;
	} else {
		parent = top(r);
		f = parent == F_SKIP ? F_SKIP : is_map ? map_child(r, parent) :
		    array_child(r, parent);
	}
	if (r->depth >= V1_MAX_DEPTH) {
		fail(r, "not an operator API record: nesting deeper than 128");
		return 0;
	}
	if (f == F_SUBSCRIBED || f == F_GETSTATE) {
		if (r->depth == 1 && r->cbs.snapshot != NULL)
			r->cbs.snapshot(r->arg);
	}
	r->frames[r->depth++] = f;
	r->key_ok = false;
	enter(r, f);
	return !r->failed;
}

static int
pop(void *ctx)
{
	struct v1_reader *r = ctx;

	if (r->depth == 0)
		return 0;
	leave(r, r->frames[--r->depth]);
	r->key_ok = false;
	return !r->failed;
}

/* A scalar outside any object: no record. */
static bool
scalar_at_root(struct v1_reader *r)
{
	if (r->depth > 0)
		return false;
	fail(r, "not an operator API record: not a JSON object");
	return true;
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
	struct v1_reader *r = ctx;

	r->key_ok = n < sizeof(r->key) && r->depth > 0 && top(r) != F_SKIP;
	if (r->key_ok) {
		memcpy(r->key, k, n);
		r->key[n] = '\0';
	}
	return 1;
}

static void
root_string(struct v1_reader *r, const unsigned char *s, size_t n)
{
	if (!key_is(r, "type"))
		return;
	r->type = V1_UNKNOWN;
	for (int i = 1; i < V1_TYPES; i++)
		if (strlen(v1_type_names[i]) == n &&
		    memcmp(v1_type_names[i], s, n) == 0)
			r->type = (enum v1_type)i;
}

static int
on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct v1_reader *r = ctx;
	enum frame f;

	if (scalar_at_root(r))
		return 0;
	f = top(r);
	switch (f) {
	case F_ROOT:
		root_string(r, s, n);
		break;
	case F_ID:
		if (key_is(r, "value"))
			*r->slot[r->depth - 1] = keep(r, s, n);
		break;
	case F_TASK:
	case F_TUPD:
		if (key_is(r, "name") && f == F_TASK)
			r->t.name = keep(r, s, n);
		else if (key_is(r, "state"))
			r->t.state = keep(r, s, n);
		break;
	case F_RESOURCE:
		if (key_is(r, "name"))
			r->res_name = keep(r, s, n);
		break;
	case F_DISC:
		if (key_is(r, "name"))
			r->t.disc_name = keep(r, s, n);
		break;
	case F_DPORT:
		if (key_is(r, "name"))
			r->dport.name = keep(r, s, n);
		else if (key_is(r, "protocol"))
			r->dport.protocol = keep(r, s, n);
		break;
	case F_FINFO:
		if (key_is(r, "name"))
			r->f.name = keep(r, s, n);
		else if (key_is(r, "hostname"))
			r->f.hostname = keep(r, s, n);
		break;
	case F_AGENT:
		if (key_is(r, "pid"))
			r->a.pid = keep(r, s, n);
		break;
	case F_AINFO:
		if (key_is(r, "hostname"))
			r->a.hostname = keep(r, s, n);
		break;
	case F_STATUS:
	case F_SLABEL:
	case F_NETINFO:
	case F_IPADDR:
		status_string(&r->st, status_part(f), r->key_ok ? r->key : "",
		    (const char *)s, n);
		break;
	default:
		break;
	}
	r->key_ok = false;
	return 1;
}

static int
on_number(void *ctx, const char *s, size_t n)
{
	struct v1_reader *r = ctx;
	char buf[64];
	double v;

	if (scalar_at_root(r))
		return 0;
	if (n >= sizeof(buf) || !r->key_ok) {
		r->key_ok = false;
		return 1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, NULL);
	switch (top(r)) {
	case F_SUBSCRIBED:
		if (key_is(r, "heartbeat_interval_seconds"))
			r->heartbeat = v;
		break;
	case F_STATUS:
		status_number(&r->st, r->key, v);
		break;
	case F_RANGE:
		if (key_is(r, "begin"))
			r->rbegin = v >= 0 && v <= 65535 ? (long long)v : -1;
		else if (key_is(r, "end"))
			r->rend = v >= 0 && v <= 65535 ? (long long)v : -1;
		break;
	case F_DPORT:
		if (key_is(r, "number"))
			r->dport.number = v >= 0 && v <= 65535 &&
			    v == (double)(long)v ? (int)v : -1;
		break;
	case F_AINFO:
		if (key_is(r, "port"))
			r->a.port = v > 0 && v <= 65535 ? (int)v : 0;
		break;
	default:
		break;
	}
	r->key_ok = false;
	return 1;
}

static int
on_bool(void *ctx, int b)
{
	struct v1_reader *r = ctx;

	if (scalar_at_root(r))
		return 0;
	if (top(r) == F_STATUS && r->key_ok)
		status_bool(&r->st, r->key, b != 0);
	r->key_ok = false;
	return 1;
}

static int
on_null(void *ctx)
{
	struct v1_reader *r = ctx;

	if (scalar_at_root(r))
		return 0;
	r->key_ok = false;
	return 1;
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

struct v1_reader *
v1_reader_new(const struct v1_cbs *cbs, void *arg)
{
	struct v1_reader *r = xcalloc(1, sizeof(*r));

	r->cbs = *cbs;
	r->arg = arg;
	r->scratch = arena_new(1u << 14);
	return r;
}

void
v1_reader_begin(struct v1_reader *r)
{
	if (r->h != NULL)
		yajl_free(r->h);
	r->h = yajl_alloc(&callbacks, NULL, r);
	if (r->h == NULL) {
		fprintf(stderr, "taskdns: out of memory (yajl)\n");
		abort();
	}
	arena_reset(r->scratch, (struct arena_mark){ NULL, 0 });
	r->depth = 0;
	r->key_ok = false;
	r->failed = false;
	r->err[0] = '\0';
	r->type = r->payload = V1_UNKNOWN;
	r->heartbeat = 0;
	r->in_task = false;
}

static void
yajl_reason(struct v1_reader *r, const void *p, size_t n)
{
	char text[160];

	if (r->failed)
		return;
	status_json_error(r->h, p, n, text, sizeof(text));
	fail(r, text);
}

int
v1_reader_feed(struct v1_reader *r, const void *p, size_t n, char *errbuf,
    size_t errlen)
{
	if (!r->failed && yajl_parse(r->h, p, n) != yajl_status_ok)
		yajl_reason(r, p, n);
	if (r->failed) {
		snprintf(errbuf, errlen, "%s", r->err);
		return -1;
	}
	return 0;
}

int
v1_reader_end(struct v1_reader *r, enum v1_type *type, double *heartbeat,
    char *errbuf, size_t errlen)
{
	if (!r->failed && yajl_complete_parse(r->h) != yajl_status_ok)
		yajl_reason(r, NULL, 0);
	if (!r->failed && r->type == V1_UNKNOWN)
		fail(r, "not an operator API event: no known \"type\"");
	if (!r->failed && r->payload != V1_UNKNOWN && r->payload != r->type &&
	    !(r->type == V1_FRAMEWORK_UPDATED &&
	    r->payload == V1_FRAMEWORK_ADDED))
		fail(r, "an event whose payload is not of its type");
	if (r->failed) {
		snprintf(errbuf, errlen, "%s", r->err);
		return -1;
	}
	*type = r->type;
	*heartbeat = r->heartbeat;
	return 0;
}

void
v1_reader_free(struct v1_reader *r)
{
	if (r == NULL)
		return;
	if (r->h != NULL)
		yajl_free(r->h);
	arena_free(r->scratch);
	for (int i = 0; i < IPSRC_N; i++)
		free(r->ips[i].v);
	status_free(&r->st);
	free(r->ports);
	free(r->res_ranges);
	free(r->dports);
	free(r);
}
