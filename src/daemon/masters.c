/* masters.c - the masters to ask, and the backoff (see masters.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/masters.h"
#include "util/arena.h"

static void
add(struct masters *m, const char *hostport)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i], hostport) == 0)
			return;
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(char *));
	m->v[m->n++] = xstrdup(hostport);
}

void
masters_clear(struct masters *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = m->idx = 0;
}

void
masters_free(struct masters *m)
{
	masters_clear(m);
	free(m->leader);
	m->leader = NULL;
}

bool
masters_set_leader(struct masters *m, const char *hostport)
{
	if ((m->leader == NULL && hostport == NULL) || (m->leader != NULL &&
	    hostport != NULL && strcmp(m->leader, hostport) == 0))
		return false;
	free(m->leader);
	m->leader = hostport != NULL ? xstrdup(hostport) : NULL;
	return hostport != NULL;
}

size_t
masters_round(struct masters *m, const struct config_strlist *list)
{
	masters_clear(m);
	if (m->leader != NULL)
		add(m, m->leader);
	for (size_t i = 0; i < list->n; i++)
		add(m, list->v[i]);
	return m->n;
}

const char *
masters_current(const struct masters *m)
{
	return m->idx < m->n ? m->v[m->idx] : NULL;
}

const char *
masters_next(struct masters *m)
{
	if (m->idx < m->n)
		m->idx++;
	return masters_current(m);
}

void
masters_url(const struct masters *m, const struct config *c,
    const char *path, char *buf, size_t len)
{
	const char *cur = masters_current(m);

	snprintf(buf, len, "%s://%s%s", c->mesos_https_on ? "https" : "http",
	    cur != NULL ? cur : "", path);
}

double
masters_backoff(struct masters *m, unsigned failures, double first,
    double cap)
{
	double d = first;

	for (unsigned i = 1; i < failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	m->rng = m->rng * 1103515245u + 12345u;
	return d * (0.5 + (double)(m->rng >> 16 & 0x7fff) / 65534.0);
}
