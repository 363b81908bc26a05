/* status.h - what the two streaming readers (state.c, v0; v1.c, the
 * operator API) share: a task status as naming reads it, and the text of
 * a yajl error.
 *
 * A status has the same shape in v0 and v1 but for its labels (a bare
 * array in v0, wrapped in {"labels": [...]} in v1): state, timestamp,
 * healthy, labels (Docker.NetworkSettings.IPAddress,
 * MesosContainerizer.NetworkSettings.IPAddress), and
 * container_status.network_infos[] with ip_addresses[].ip_address (or,
 * Mesos 0.25, one ip_address).  Each reader keeps its own frames and
 * calls these at the status's parts. */
#ifndef TASKDNS_STATUS_H
#define TASKDNS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesos/state.h"

/* A growable vector of IPs, reused across statuses. */
struct ipvec {
	struct ipaddr *v;
	uint32_t n, cap;
};

void ipvec_push(struct ipvec *v, const struct ipaddr *ip);

/* The parts of a status the readers walk into. */
enum status_part { SP_STATUS, SP_LABEL, SP_NETINFO, SP_IPADDR };

struct status_reader {
	bool running;		/* state is TASK_RUNNING */
	double ts;		/* timestamp */
	int health;		/* -1 unsaid, 0 unhealthy, 1 healthy */
	struct ipvec ips[IPSRC_N];	/* by source */
	int lbl_kind;		/* the label being read: 0 other, 1 docker,
				 * 2 mesos */
	struct ipaddr lbl_ip;
	bool lbl_ip_ok;
	uint32_t ni_count;	/* ip_addresses entries of the netinfo */
	struct ipvec ni_ips;
	struct ipaddr ni_single;
	bool ni_single_ok;
};

/* A part opens, or closes (what it held joins the status). */
void status_enter(struct status_reader *s, enum status_part p);
void status_leave(struct status_reader *s, enum status_part p);
/* A string, number or boolean under key in part p. */
void status_string(struct status_reader *s, enum status_part p,
    const char *key, const char *v, size_t n);
void status_number(struct status_reader *s, const char *key, double v);
void status_bool(struct status_reader *s, const char *key, bool v);
void status_free(struct status_reader *s);

/* yajl's error for the bytes p..n as one line ("not valid JSON: ...")
 * into out.  h is a yajl_handle. */
void status_json_error(void *h, const void *p, size_t n, char *out,
    size_t len);

#endif
