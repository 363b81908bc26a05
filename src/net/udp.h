/* udp.h - DNS over UDP for a worker: each readable socket is drained in
 * recvmmsg batches, every query answered (or forwarded) and the answers
 * sent in one sendmmsg.  A socket bound to a wildcard reads each query's
 * destination (IP_PKTINFO, IPV6_PKTINFO) and answers from it, so a host
 * with several addresses answers from the one that was asked. */
#ifndef TASKDNS_UDP_H
#define TASKDNS_UDP_H

#include <event2/util.h>

/* The socket's read callback; arg: its struct udp_sock. */
void udp_read_cb(evutil_socket_t fd, short what, void *arg);

#endif
