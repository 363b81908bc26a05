/* model.c - the cluster kept from the event stream (see model.h).
 *
 * Tasks, agents and frameworks each in a map by id (chained buckets)
 * and a list in the order they came, which is the order model_cluster
 * gives them: a snapshot's order, then each addition at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "mesos/model.h"
#include "util/arena.h"

struct entry {
	char *id;
	struct entry *hnext;		/* bucket chain */
	struct entry *prev, *next;	/* arrival order */
};

struct map {
	struct entry **b;
	uint32_t mask, n;
	struct entry *head, *tail;
};

struct mport {
	int number;
	char *name, *protocol;
};

struct mtask {
	struct entry e;
	char *name, *framework_id, *agent_id, *ports, *disc_name;
	struct mport *dports;
	uint32_t n_dports;
	struct ipaddr *ipv;
	uint16_t n_ips[IPSRC_N];
	bool running;
	bool unhealthy;
};

struct magent {
	struct entry e;
	char *pid, *hostname;
};

struct mfw {
	struct entry e;
	char *name, *hostname, *pid;
	uint32_t idx;		/* its place, while model_cluster runs */
};

struct model {
	struct map tasks, agents, fws;
	uint32_t running;
	uint32_t max_tasks;	/* 0: no cap */
};

static char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static uint32_t
hash(const char *id)
{
	return dname_hash((const uint8_t *)id, strlen(id));
}

static struct entry *
map_find(const struct map *m, const char *id)
{
	if (m->b == NULL || id == NULL)
		return NULL;
	for (struct entry *e = m->b[hash(id) & m->mask]; e; e = e->hnext)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

static void
map_grow(struct map *m)
{
	uint32_t mask = m->b ? m->mask * 2 + 1 : 63;
	struct entry **b = xcalloc((size_t)mask + 1, sizeof(*b));

	for (struct entry *e = m->head; e; e = e->next) {
		uint32_t i = hash(e->id) & mask;

		e->hnext = b[i];
		b[i] = e;
	}
	free(m->b);
	m->b = b;
	m->mask = mask;
}

/* e (its id set) at the end of m. */
static void
map_add(struct map *m, struct entry *e)
{
	uint32_t i;

	e->prev = m->tail;
	e->next = NULL;
	if (m->tail != NULL)
		m->tail->next = e;
	else
		m->head = e;
	m->tail = e;
	m->n++;
	if (m->b == NULL || m->n > m->mask) {
		map_grow(m);	/* rehashes e too */
		return;
	}
	i = hash(e->id) & m->mask;
	e->hnext = m->b[i];
	m->b[i] = e;
}

static void
map_unlink(struct map *m, struct entry *e)
{
	struct entry **pp = &m->b[hash(e->id) & m->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		m->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		m->tail = e->prev;
	m->n--;
}

static void
task_free_fields(struct mtask *t)
{
	for (uint32_t i = 0; i < t->n_dports; i++) {
		free(t->dports[i].name);
		free(t->dports[i].protocol);
	}
	free(t->dports);
	free(t->name);
	free(t->framework_id);
	free(t->agent_id);
	free(t->ports);
	free(t->disc_name);
	free(t->ipv);
}

static void
entry_free(struct map *m, struct entry *e)
{
	if (m != NULL)
		map_unlink(m, e);
	free(e->id);
	free(e);
}

static void
task_remove(struct model *mo, struct mtask *t)
{
	if (t->running)
		mo->running--;
	task_free_fields(t);
	entry_free(&mo->tasks, &t->e);
}

static void
map_clear(struct map *m, void (*fields)(struct entry *))
{
	struct entry *e = m->head, *next;

	for (; e != NULL; e = next) {
		next = e->next;
		if (fields != NULL)
			fields(e);
		entry_free(NULL, e);
	}
	free(m->b);
	memset(m, 0, sizeof(*m));
}

static void
task_fields(struct entry *e)
{
	task_free_fields((struct mtask *)e);
}

static void
agent_fields(struct entry *e)
{
	struct magent *a = (struct magent *)e;

	free(a->pid);
	free(a->hostname);
}

static void
fw_fields(struct entry *e)
{
	struct mfw *f = (struct mfw *)e;

	free(f->name);
	free(f->hostname);
	free(f->pid);
}

struct model *
model_new(void)
{
	return xcalloc(1, sizeof(struct model));
}

void
model_clear(struct model *m)
{
	map_clear(&m->tasks, task_fields);
	map_clear(&m->agents, agent_fields);
	map_clear(&m->fws, fw_fields);
	m->running = 0;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	model_clear(m);
	free(m);
}

/* A state after which the task never runs again. */
static bool
terminal(const char *state)
{
	static const char *const ends[] = {
		"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
		"TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR",
	};

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (strcmp(state, ends[i]) == 0)
			return true;
	return false;
}

static void
set_ips(struct mtask *m, const struct v1_task *t)
{
	size_t total = 0;
	struct ipaddr *v;

	for (int i = 0; i < IPSRC_N; i++)
		total += t->n_ips[i];
	free(m->ipv);
	m->ipv = NULL;
	memset(m->n_ips, 0, sizeof(m->n_ips));
	if (total == 0)
		return;
	v = m->ipv = xmalloc(total * sizeof(*v));
	for (int i = 0; i < IPSRC_N; i++) {
		m->n_ips[i] = (uint16_t)(t->n_ips[i] > UINT16_MAX ? UINT16_MAX :
		    t->n_ips[i]);
		if (m->n_ips[i] > 0)
			memcpy(v, t->ips[i], m->n_ips[i] * sizeof(*v));
		v += m->n_ips[i];
	}
}

static void
set_running(struct model *mo, struct mtask *m, bool running)
{
	if (m->running != running)
		mo->running += running ? 1 : (uint32_t)-1;
	m->running = running;
}

/* Whether the records can differ: the task ran before or runs now. */
static int
task_add(struct model *mo, const struct v1_task *t)
{
	struct mtask *m;
	struct entry *old = map_find(&mo->tasks, t->id);
	int seen = 0;

	if (old != NULL) {
		seen = ((struct mtask *)old)->running;
		task_remove(mo, (struct mtask *)old);
	}
	if (t->state != NULL && terminal(t->state))
		return seen;
	m = xcalloc(1, sizeof(*m));
	m->e.id = xstrdup(t->id);
	m->name = dup(t->name);
	m->framework_id = dup(t->framework_id);
	m->agent_id = dup(t->agent_id);
	m->ports = dup(t->ports);
	m->disc_name = dup(t->disc_name);
	if (t->n_dports > 0) {
		m->dports = xcalloc(t->n_dports, sizeof(*m->dports));
		for (uint32_t i = 0; i < t->n_dports; i++) {
			m->dports[i].number = t->dports[i].number;
			m->dports[i].name = dup(t->dports[i].name);
			m->dports[i].protocol = dup(t->dports[i].protocol);
		}
		m->n_dports = t->n_dports;
	}
	set_ips(m, t);
	m->unhealthy = t->health == V1_UNHEALTHY;
	map_add(&mo->tasks, &m->e);
	set_running(mo, m, t->state != NULL &&
	    strcmp(t->state, "TASK_RUNNING") == 0);
	return seen || m->running;
}

void
model_set_max_tasks(struct model *m, uint32_t max)
{
	m->max_tasks = max;
}

int
model_task(struct model *mo, const struct v1_task *t, bool update, char *why,
    size_t len)
{
	struct mtask *m;
	size_t total = 0;
	bool was;

	if (!update && mo->max_tasks != 0 && mo->tasks.n >= mo->max_tasks &&
	    map_find(&mo->tasks, t->id) == NULL) {
		snprintf(why, len, "more than %u tasks (maxTasks): refused",
		    mo->max_tasks);
		return -1;
	}
	if (!update)
		return task_add(mo, t);
	m = (struct mtask *)map_find(&mo->tasks, t->id);
	if (m == NULL) {
		snprintf(why, len, "TASK_UPDATED for a task not known: %.80s",
		    t->id);
		return -1;
	}
	was = m->running;
	if (t->state != NULL && terminal(t->state)) {
		task_remove(mo, m);
		return was;
	}
	if (t->state != NULL)
		set_running(mo, m, strcmp(t->state, "TASK_RUNNING") == 0);
	for (int i = 0; i < IPSRC_N; i++)
		total += t->n_ips[i];
	if (total > 0)
		set_ips(m, t);
	if (t->health != V1_HEALTH_UNSAID)
		m->unhealthy = t->health == V1_UNHEALTHY;
	if (m->agent_id == NULL && t->agent_id != NULL)
		m->agent_id = xstrdup(t->agent_id);
	return was || m->running;
}

void
model_agent(struct model *mo, const struct v1_agent *a)
{
	struct magent *m = (struct magent *)map_find(&mo->agents, a->id);
	char pid[STATE_MAX_STRING + 32];

	if (m == NULL) {
		m = xcalloc(1, sizeof(*m));
		m->e.id = xstrdup(a->id);
		map_add(&mo->agents, &m->e);
	}
	free(m->pid);
	free(m->hostname);
	m->hostname = dup(a->hostname);
	/* The pid gives the agent's records; an agent_info without one has
	 * its hostname and port. */
	if (a->pid != NULL)
		m->pid = xstrdup(a->pid);
	else if (a->hostname != NULL) {
		snprintf(pid, sizeof(pid), "slave(1)@%s:%d", a->hostname,
		    a->port > 0 ? a->port : 5051);
		m->pid = xstrdup(pid);
	} else
		m->pid = NULL;
}

void
model_agent_removed(struct model *mo, const char *id)
{
	struct entry *e = map_find(&mo->agents, id);

	if (e != NULL) {
		agent_fields(e);
		entry_free(&mo->agents, e);
	}
}

void
model_framework(struct model *mo, const struct v1_framework *f)
{
	struct mfw *m = (struct mfw *)map_find(&mo->fws, f->id);

	if (m == NULL) {
		m = xcalloc(1, sizeof(*m));
		m->e.id = xstrdup(f->id);
		map_add(&mo->fws, &m->e);
	}
	free(m->name);
	free(m->hostname);
	m->name = dup(f->name);
	m->hostname = dup(f->hostname);
}

void
model_framework_removed(struct model *mo, const char *id)
{
	struct entry *e = map_find(&mo->fws, id), *t, *next;

	if (e == NULL)
		return;
	fw_fields(e);
	entry_free(&mo->fws, e);
	for (t = mo->tasks.head; t != NULL; t = next) {
		struct mtask *mt = (struct mtask *)t;

		next = t->next;
		if (mt->framework_id != NULL && strcmp(mt->framework_id, id) == 0)
			task_remove(mo, mt);
	}
}

void
model_framework_pid(struct model *mo, const char *id, const char *pid)
{
	struct mfw *m = (struct mfw *)map_find(&mo->fws, id);

	if (m == NULL)
		return;
	free(m->pid);
	m->pid = dup(pid);
}

void
model_counts(const struct model *m, struct model_counts *out)
{
	out->tasks = m->tasks.n;
	out->running = m->running;
	out->agents = m->agents.n;
	out->frameworks = m->fws.n;
}

static const char *
adup(struct arena *a, const char *s)
{
	return s != NULL ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* A task of the cluster view: its strings and IPs are the model's own,
 * borrowed (the view is generated and freed before the model changes
 * again), so a 100k-task view costs its structs only. */
static struct state_task *
cluster_task(struct arena *a, const struct mtask *m)
{
	struct state_task *t = arena_calloc(a, sizeof(*t));

	t->id = m->e.id;
	t->name = m->name;
	t->slave_id = m->agent_id;
	t->ports = m->ports;
	t->disc_name = m->disc_name;
	t->unhealthy = m->unhealthy;
	if (m->n_dports > 0) {
		struct disc_port *d = arena_alloc(a, m->n_dports * sizeof(*d));

		for (uint32_t i = 0; i < m->n_dports; i++) {
			d[i].number = m->dports[i].number;
			d[i].name = m->dports[i].name;
			d[i].protocol = m->dports[i].protocol;
		}
		t->dports = d;
		t->n_dports = m->n_dports;
	}
	memcpy(t->n_ips, m->n_ips, sizeof(t->n_ips));
	t->ipv = m->ipv;
	return t;
}

struct cluster *
model_cluster(struct model *m, const char *leader)
{
	struct cluster *c = xcalloc(1, sizeof(*c));
	struct framework **fws, *ftail = NULL;
	struct state_task **tails;
	struct agent *atail = NULL;
	uint32_t k = 0;

	c->arena = arena_new(1u << 16);
	c->shared = arena_new(1u << 10);
	c->leader = adup(c->arena, leader);
	/* Frameworks in order; a task finds its framework's place through
	 * the map, and goes at the end of its list. */
	fws = xcalloc(m->fws.n + 1, sizeof(*fws));
	tails = xcalloc(m->fws.n + 1, sizeof(*tails));
	for (struct entry *e = m->fws.head; e; e = e->next, k++) {
		struct mfw *mf = (struct mfw *)e;
		struct framework *f = arena_calloc(c->arena, sizeof(*f));

		f->id = adup(c->arena, e->id);
		f->name = adup(c->arena, mf->name);
		f->pid = adup(c->arena, mf->pid);
		f->hostname = adup(c->arena, mf->hostname);
		if (ftail != NULL)
			ftail->next = f;
		else
			c->frameworks = f;
		ftail = f;
		fws[k] = f;
		mf->idx = k;
		c->n_frameworks++;
	}
	for (struct entry *e = m->tasks.head; e; e = e->next) {
		const struct mtask *mt = (const struct mtask *)e;
		const struct entry *fe;
		struct state_task *t;
		uint32_t i;

		if (!mt->running || mt->agent_id == NULL ||
		    (fe = map_find(&m->fws, mt->framework_id)) == NULL)
			continue;
		i = ((const struct mfw *)fe)->idx;
		t = cluster_task(c->arena, mt);
		if (tails[i] != NULL)
			tails[i]->next = t;
		else
			fws[i]->tasks = t;
		tails[i] = t;
		fws[i]->n_tasks++;
		c->n_tasks++;
	}
	for (struct entry *e = m->agents.head; e; e = e->next) {
		const struct magent *ma = (const struct magent *)e;
		struct agent *a = arena_calloc(c->arena, sizeof(*a));

		a->id = adup(c->arena, e->id);
		a->pid = adup(c->arena, ma->pid);
		a->hostname = adup(c->arena, ma->hostname);
		if (atail != NULL)
			atail->next = a;
		else
			c->agents = a;
		atail = a;
		c->n_agents++;
	}
	free(fws);
	free(tails);
	return c;
}
