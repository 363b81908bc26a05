/* app.h - the running daemon: the current table, where states come from
 * (a state file, the poller, later ZooKeeper), building and publishing each
 * generation, signals, and the order of start-up and shutdown. */
#ifndef TASKDNS_APP_H
#define TASKDNS_APP_H

#include "config.h"

/* Run with cfg (taken over and freed).  print: build the records once from
 * the configured source, print them and return; otherwise serve until
 * SIGTERM/SIGINT.  Returns the process exit code. */
int app_run(struct config *cfg, bool print);

#endif
