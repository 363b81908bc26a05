/* app.h - the running daemon: the current table, where states come from
 * (a state file, the masters, ZooKeeper), building and publishing each
 * generation, signals, and the order of start-up and shutdown. */
#ifndef TASKDNS_APP_H
#define TASKDNS_APP_H

#include "conf/config.h"

/* How the daemon was started: what SIGHUP reads again. */
struct app_args {
	const char *config;	/* the config file */
	const char *state_file;	/* --state-file, or NULL */
	bool print;		/* --print-records */
	bool verbose;		/* -v: debug logging whatever logLevel says */
};

/* Run with cfg (taken over and freed).  print: build the records once from
 * the configured source, print them and return; otherwise serve until
 * SIGTERM/SIGINT, reloading the config on SIGHUP.  Returns the process exit
 * code. */
int app_run(struct config *cfg, const struct app_args *args);

#endif
