/* tcp.h - DNS over TCP for a worker: each accepted connection reads
 * length-prefixed queries (RFC 7766) and answers them in order, within
 * the worker's limits (connections, idle time, answers waiting, queries
 * being forwarded). */
#ifndef TASKDNS_TCP_H
#define TASKDNS_TCP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/listener.h>
#include <event2/util.h>

struct tcp_conn;
struct worker;

/* The listener's callbacks (arg: the worker): a new connection; accept()
 * failing (counted, the listener rested 10 ms doubling to 1 s); the end
 * of that rest. */
void tcp_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);
void tcp_accept_error_cb(struct evconnlistener *l, void *arg);
void tcp_accept_resume_cb(evutil_socket_t fd, short what, void *arg);
/* Close every connection of the worker. */
void tcp_conns_free_all(struct worker *w);

#endif
