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
	bool packed;			/* id inside the entry's block */
};

struct map {
	struct entry **b;
	uint32_t mask, n;
	struct entry *head, *tail;
};

/* A task is one block: the struct, its discovery ports, then its
 * strings (id, name, ...), written once (task_pack): a cluster holds
 * 100,000 of them, and a malloc per string costs as much again as the
 * strings.  An agent_id learned later is its own allocation. */
struct mtask {
	struct entry e;
	const char *name, *framework_id, *agent_id, *ports, *disc_name;
	struct disc_port *dports;
	uint32_t n_dports;
	struct ipaddr *ipv;
	uint16_t n_ips[IPSRC_N];
	bool running;
	bool unhealthy;
	char *own_agent;	/* agent_id when malloc'd on its own */
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

/* What an entity was at the last model_mark(): a copy (NULL: it did not
 * exist then), kept from its first change after the mark. */
struct jentry {
	struct entry e;
	void *pre;
};

struct model {
	struct map tasks, agents, fws;
	uint32_t running;
	uint32_t max_tasks;	/* 0: no cap */
	/* The changes since the last mark (journal.c's delta reads them):
	 * tasks, agents and frameworks as they were. */
	struct map jtasks, jagents, jfws;
	bool replaced;		/* cleared since the mark: no delta */
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
	free(t->own_agent);
	free(t->ipv);
}

static void
entry_free(struct map *m, struct entry *e)
{
	if (m != NULL)
		map_unlink(m, e);
	if (!e->packed)
		free(e->id);
	free(e);
}

/* Length of s with its NUL, 0 for NULL. */
static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* A copy of s at *at (advanced), or NULL. */
static char *
sput(char **at, const char *s)
{
	size_t n = slen(s);
	char *r = *at;

	if (n == 0)
		return NULL;
	memcpy(r, s, n);
	*at += n;
	return r;
}

/* A task of one block, its strings and ports copied from the arguments
 * (the rest of it zero). */
static struct mtask *
task_pack(const char *id, const char *name, const char *framework_id,
    const char *agent_id, const char *ports, const char *disc_name,
    const struct disc_port *dports, uint32_t n_dports)
{
	size_t off_dp = (sizeof(struct mtask) + 7) & ~(size_t)7;
	size_t off_s = off_dp + (size_t)n_dports * sizeof(struct disc_port);
	size_t n = slen(id) + slen(name) + slen(framework_id) +
	    slen(agent_id) + slen(ports) + slen(disc_name);
	struct mtask *m;
	char *at;

	for (uint32_t i = 0; i < n_dports; i++)
		n += slen(dports[i].name) + slen(dports[i].protocol);
	m = xcalloc(1, off_s + n);
	at = (char *)m + off_s;
	m->e.packed = true;
	m->e.id = sput(&at, id);
	m->name = sput(&at, name);
	m->framework_id = sput(&at, framework_id);
	m->agent_id = sput(&at, agent_id);
	m->ports = sput(&at, ports);
	m->disc_name = sput(&at, disc_name);
	if (n_dports > 0) {
		m->dports = (struct disc_port *)((char *)m + off_dp);
		for (uint32_t i = 0; i < n_dports; i++) {
			m->dports[i].number = dports[i].number;
			m->dports[i].name = sput(&at, dports[i].name);
			m->dports[i].protocol = sput(&at, dports[i].protocol);
		}
		m->n_dports = n_dports;
	}
	return m;
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

static struct mtask *
task_copy(const struct mtask *t)
{
	struct mtask *c = task_pack(t->e.id, t->name, t->framework_id,
	    t->agent_id, t->ports, t->disc_name, t->dports, t->n_dports);

	if (t->ipv != NULL) {
		size_t n = 0;

		for (int i = 0; i < IPSRC_N; i++)
			n += t->n_ips[i];
		c->ipv = xmalloc(n * sizeof(*c->ipv));
		memcpy(c->ipv, t->ipv, n * sizeof(*c->ipv));
	}
	memcpy(c->n_ips, t->n_ips, sizeof(c->n_ips));
	c->running = t->running;
	c->unhealthy = t->unhealthy;
	return c;
}

static void
pre_task_free(void *p)
{
	if (p != NULL) {
		task_free_fields(p);
		free(p);
	}
}

static void
pre_agent_free(void *p)
{
	if (p != NULL) {
		agent_fields(p);
		free(((struct magent *)p)->e.id);
		free(p);
	}
}

static void
pre_fw_free(void *p)
{
	if (p != NULL) {
		fw_fields(p);
		free(((struct mfw *)p)->e.id);
		free(p);
	}
}

static void
jtask_fields(struct entry *e)
{
	pre_task_free(((struct jentry *)e)->pre);
}

static void
jagent_fields(struct entry *e)
{
	pre_agent_free(((struct jentry *)e)->pre);
}

static void
jfw_fields(struct entry *e)
{
	pre_fw_free(((struct jentry *)e)->pre);
}

/* Keep what id was before its first change since the mark. */
static bool
journal(struct map *j, const char *id, void *(*copy)(const void *),
    const void *cur)
{
	struct jentry *je;

	if (map_find(j, id) != NULL)
		return false;
	je = xcalloc(1, sizeof(*je));
	je->e.id = xstrdup(id);
	je->pre = cur != NULL ? copy(cur) : NULL;
	map_add(j, &je->e);
	return true;
}

static void *
copy_task(const void *p)
{
	return task_copy(p);
}

static void *
copy_agent(const void *p)
{
	const struct magent *a = p;
	struct magent *c = xcalloc(1, sizeof(*c));

	c->e.id = xstrdup(a->e.id);
	c->pid = dup(a->pid);
	c->hostname = dup(a->hostname);
	return c;
}

static void *
copy_fw(const void *p)
{
	const struct mfw *f = p;
	struct mfw *c = xcalloc(1, sizeof(*c));

	c->e.id = xstrdup(f->e.id);
	c->name = dup(f->name);
	c->hostname = dup(f->hostname);
	c->pid = dup(f->pid);
	return c;
}

/* A replaced model (cleared since the mark) has no delta: nothing to
 * keep for one, and a snapshot of 100,000 tasks would copy each. */
static void
touch_task(struct model *mo, const char *id)
{
	if (mo->replaced)
		return;
	journal(&mo->jtasks, id, copy_task, map_find(&mo->tasks, id));
}

static void
touch_agent(struct model *mo, const char *id)
{
	if (mo->replaced)
		return;
	journal(&mo->jagents, id, copy_agent, map_find(&mo->agents, id));
}

static void
touch_fw(struct model *mo, const char *id)
{
	if (mo->replaced)
		return;
	journal(&mo->jfws, id, copy_fw, map_find(&mo->fws, id));
}

static void
journal_clear(struct model *m)
{
	map_clear(&m->jtasks, jtask_fields);
	map_clear(&m->jagents, jagent_fields);
	map_clear(&m->jfws, jfw_fields);
}

void
model_mark(struct model *m)
{
	journal_clear(m);
	m->replaced = false;
}

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof(struct model));

	m->replaced = true;
	return m;
}

void
model_clear(struct model *m)
{
	map_clear(&m->tasks, task_fields);
	map_clear(&m->agents, agent_fields);
	map_clear(&m->fws, fw_fields);
	m->running = 0;
	journal_clear(m);
	m->replaced = true;
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

	touch_task(mo, t->id);
	if (old != NULL) {
		seen = ((struct mtask *)old)->running;
		task_remove(mo, (struct mtask *)old);
	}
	if (t->state != NULL && terminal(t->state))
		return seen;
	m = task_pack(t->id, t->name, t->framework_id, t->agent_id, t->ports,
	    t->disc_name, t->dports, t->n_dports);
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
	touch_task(mo, t->id);
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
	if (m->agent_id == NULL && t->agent_id != NULL) {
		m->own_agent = xstrdup(t->agent_id);
		m->agent_id = m->own_agent;
	}
	return was || m->running;
}

void
model_agent(struct model *mo, const struct v1_agent *a)
{
	struct magent *m;
	char pid[STATE_MAX_STRING + 32];

	touch_agent(mo, a->id);
	m = (struct magent *)map_find(&mo->agents, a->id);
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
		touch_agent(mo, id);
		agent_fields(e);
		entry_free(&mo->agents, e);
	}
}

void
model_framework(struct model *mo, const struct v1_framework *f)
{
	struct mfw *m;

	touch_fw(mo, f->id);
	m = (struct mfw *)map_find(&mo->fws, f->id);
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
	touch_fw(mo, id);
	fw_fields(e);
	entry_free(&mo->fws, e);
	for (t = mo->tasks.head; t != NULL; t = next) {
		struct mtask *mt = (struct mtask *)t;

		next = t->next;
		if (mt->framework_id != NULL &&
		    strcmp(mt->framework_id, id) == 0) {
			touch_task(mo, t->id);
			task_remove(mo, mt);
		}
	}
}

void
model_framework_pid(struct model *mo, const char *id, const char *pid)
{
	struct mfw *m = (struct mfw *)map_find(&mo->fws, id);

	if (m == NULL)
		return;
	if ((m->pid == NULL) != (pid == NULL) || (pid != NULL &&
	    strcmp(m->pid, pid) != 0))
		touch_fw(mo, id);
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

static struct cluster *cluster_of(struct model *m, const char *leader,
    bool tasks);

struct cluster *
model_cluster(struct model *m, const char *leader)
{
	return cluster_of(m, leader, true);
}

struct cluster *
model_cluster_others(struct model *m, const char *leader)
{
	return cluster_of(m, leader, false);
}

static struct cluster *
cluster_of(struct model *m, const char *leader, bool tasks)
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
	for (struct entry *e = tasks ? m->tasks.head : NULL; e; e = e->next) {
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

/* --- the changes since the mark, as two small clusters --- */

/* A cluster being put together: its frameworks and agents by id. */
struct cbuild {
	struct cluster *c;
	struct map fws, agents;	/* jentry: pre = the cluster's struct */
};

static void
cb_init(struct cbuild *b)
{
	memset(b, 0, sizeof(*b));
	b->c = xcalloc(1, sizeof(*b->c));
	b->c->arena = arena_new(1u << 14);
	b->c->shared = arena_new(1u << 10);
}

static void
cb_done(struct cbuild *b)
{
	map_clear(&b->fws, NULL);
	map_clear(&b->agents, NULL);
}

static void
cb_agent(struct cbuild *b, const struct magent *ma)
{
	struct jentry *je;
	struct agent *a;

	if (ma == NULL || map_find(&b->agents, ma->e.id) != NULL)
		return;
	a = arena_calloc(b->c->arena, sizeof(*a));
	a->id = adup(b->c->arena, ma->e.id);
	a->pid = adup(b->c->arena, ma->pid);
	a->hostname = adup(b->c->arena, ma->hostname);
	a->next = b->c->agents;
	b->c->agents = a;
	b->c->n_agents++;
	je = xcalloc(1, sizeof(*je));
	je->e.id = xstrdup(ma->e.id);
	map_add(&b->agents, &je->e);
}

static struct framework *
cb_fw(struct cbuild *b, const struct mfw *mf)
{
	struct jentry *je = (struct jentry *)map_find(&b->fws, mf->e.id);
	struct framework *f;

	if (je != NULL)
		return je->pre;
	f = arena_calloc(b->c->arena, sizeof(*f));
	f->id = adup(b->c->arena, mf->e.id);
	f->name = adup(b->c->arena, mf->name);
	f->pid = adup(b->c->arena, mf->pid);
	f->hostname = adup(b->c->arena, mf->hostname);
	f->next = b->c->frameworks;
	b->c->frameworks = f;
	b->c->n_frameworks++;
	je = xcalloc(1, sizeof(*je));
	je->e.id = xstrdup(mf->e.id);
	je->pre = f;
	map_add(&b->fws, &je->e);
	return f;
}

/* Task t, as model_cluster would give it, on framework mf and agent ma
 * (either NULL: none, and t gets no records). */
static void
cb_task(struct cbuild *b, const struct mtask *t, const struct mfw *mf,
    const struct magent *ma)
{
	struct framework *f;
	struct state_task *st;

	if (t == NULL || !t->running || t->agent_id == NULL || mf == NULL)
		return;
	f = cb_fw(b, mf);
	cb_agent(b, ma);
	st = cluster_task(b->c->arena, t);
	st->next = f->tasks;
	f->tasks = st;
	f->n_tasks++;
	b->c->n_tasks++;
}

/* What id was at the mark: its copy when it changed since, else what it
 * is (map: the current ones, j: the journal). */
static const void *
before(const struct map *map, const struct map *j, const char *id)
{
	const struct jentry *je = (const struct jentry *)map_find(j, id);

	if (je != NULL)
		return je->pre;
	return map_find(map, id);
}

/* Task id into both clusters: as it was, and as it is. */
static void
delta_task(struct model *m, struct cbuild *was, struct cbuild *now,
    const char *id)
{
	const struct mtask *b = before(&m->tasks, &m->jtasks, id);
	const struct mtask *a = (const struct mtask *)map_find(&m->tasks, id);

	if (b != NULL && b->agent_id != NULL && b->framework_id != NULL)
		cb_task(was, b, before(&m->fws, &m->jfws, b->framework_id),
		    before(&m->agents, &m->jagents, b->agent_id));
	if (a != NULL && a->agent_id != NULL && a->framework_id != NULL)
		cb_task(now, a, (const struct mfw *)map_find(&m->fws,
		    a->framework_id), (const struct magent *)map_find(
		    &m->agents, a->agent_id));
}

int
model_delta(struct model *m, uint32_t max, struct model_delta *d)
{
	struct cbuild was, now;
	uint32_t n = m->jtasks.n;

	memset(d, 0, sizeof(*d));
	if (m->replaced || n > max)
		return -1;
	d->others = m->jagents.n > 0 || m->jfws.n > 0;
	/* A changed agent or framework changes its tasks' records. */
	if (d->others)
		for (struct entry *e = m->tasks.head; e; e = e->next) {
			const struct mtask *t = (const struct mtask *)e;

			if (map_find(&m->jtasks, e->id) == NULL &&
			    ((t->agent_id && map_find(&m->jagents, t->agent_id)) ||
			    (t->framework_id && map_find(&m->jfws,
			    t->framework_id))) && ++n > max)
				return -1;
		}
	cb_init(&was);
	cb_init(&now);
	for (struct entry *e = m->jtasks.head; e; e = e->next)
		delta_task(m, &was, &now, e->id);
	if (d->others)
		for (struct entry *e = m->tasks.head; e; e = e->next) {
			const struct mtask *t = (const struct mtask *)e;

			if (map_find(&m->jtasks, e->id) == NULL &&
			    ((t->agent_id && map_find(&m->jagents, t->agent_id)) ||
			    (t->framework_id && map_find(&m->jfws,
			    t->framework_id))))
				delta_task(m, &was, &now, e->id);
		}
	cb_done(&was);
	cb_done(&now);
	d->before = was.c;
	d->after = now.c;
	d->tasks = n;
	return 0;
}

void
model_delta_free(struct model_delta *d)
{
	state_cluster_free(d->before);
	state_cluster_free(d->after);
	d->before = d->after = NULL;
}
