/* sha1.h - SHA-1 (FIPS 180-4), used only to name tasks the way mesos-dns
 * does (a 5-character zbase32 prefix of the task id's digest).  Not for
 * security. */
#ifndef TASKDNS_SHA1_H
#define TASKDNS_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20

void sha1_digest(const void *data, size_t len, uint8_t out[SHA1_LEN]);

#endif
