/* status.c - a task status as both readers read it (see status.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "mesos/status.h"
#include "util/arena.h"

void
ipvec_push(struct ipvec *v, const struct ipaddr *ip)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = *ip;
}

void
status_enter(struct status_reader *s, enum status_part p)
{
	switch (p) {
	case SP_STATUS:
		s->running = false;
		s->ts = 0;
		s->health = -1;
		for (int i = 0; i < IPSRC_N; i++)
			s->ips[i].n = 0;
		break;
	case SP_LABEL:
		s->lbl_kind = 0;
		s->lbl_ip_ok = false;
		break;
	case SP_NETINFO:
		s->ni_count = 0;
		s->ni_ips.n = 0;
		s->ni_single_ok = false;
		break;
	case SP_IPADDR:
		s->ni_count++;
		break;
	}
}

void
status_leave(struct status_reader *s, enum status_part p)
{
	switch (p) {
	case SP_LABEL:
		if (s->lbl_ip_ok && s->lbl_kind == 1)
			ipvec_push(&s->ips[IPSRC_DOCKER], &s->lbl_ip);
		else if (s->lbl_ip_ok && s->lbl_kind == 2)
			ipvec_push(&s->ips[IPSRC_MESOS], &s->lbl_ip);
		break;
	case SP_NETINFO:
		/* Mesos 0.26+ lists ip_addresses; 0.25 had one ip_address. */
		if (s->ni_count > 0) {
			for (uint32_t i = 0; i < s->ni_ips.n; i++)
				ipvec_push(&s->ips[IPSRC_NETINFO],
				    &s->ni_ips.v[i]);
		} else if (s->ni_single_ok)
			ipvec_push(&s->ips[IPSRC_NETINFO], &s->ni_single);
		break;
	default:
		break;
	}
}

void
status_string(struct status_reader *s, enum status_part p, const char *key,
    const char *v, size_t n)
{
	struct ipaddr ip;

	switch (p) {
	case SP_STATUS:
		if (strcmp(key, "state") == 0)
			s->running = n == 12 && memcmp(v, "TASK_RUNNING", 12) == 0;
		break;
	case SP_LABEL:
		if (strcmp(key, "key") == 0)
			s->lbl_kind = n == 32 && memcmp(v,
			    "Docker.NetworkSettings.IPAddress", 32) == 0 ? 1 :
			    n == 44 && memcmp(v, "MesosContainerizer."
			    "NetworkSettings.IPAddress", 44) == 0 ? 2 : 0;
		else if (strcmp(key, "value") == 0)
			s->lbl_ip_ok = ipaddr_parse(v, n, &s->lbl_ip);
		break;
	case SP_NETINFO:
		if (strcmp(key, "ip_address") == 0)
			s->ni_single_ok = ipaddr_parse(v, n, &s->ni_single);
		break;
	case SP_IPADDR:
		if (strcmp(key, "ip_address") == 0 && ipaddr_parse(v, n, &ip))
			ipvec_push(&s->ni_ips, &ip);
		break;
	}
}

void
status_number(struct status_reader *s, const char *key, double v)
{
	if (strcmp(key, "timestamp") == 0)
		s->ts = v;
}

void
status_bool(struct status_reader *s, const char *key, bool v)
{
	if (strcmp(key, "healthy") == 0)
		s->health = v ? 1 : 0;
}

void
status_free(struct status_reader *s)
{
	for (int i = 0; i < IPSRC_N; i++)
		free(s->ips[i].v);
	free(s->ni_ips.v);
}

void
status_json_error(void *h, const void *p, size_t n, char *out, size_t len)
{
	unsigned char *msg = yajl_get_error(h, 0, p, n);
	size_t k;

	snprintf(out, len, "not valid JSON: %s",
	    msg != NULL ? (const char *)msg : "parse error");
	/* yajl ends its message with a newline. */
	k = strlen(out);
	while (k > 0 && (out[k - 1] == '\n' || out[k - 1] == ' '))
		out[--k] = '\0';
	if (msg != NULL)
		yajl_free_error(h, msg);
}
