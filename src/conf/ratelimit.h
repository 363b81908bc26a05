/* ratelimit.h - the config's response rate limiting (rateLimit):
 * {"responsesPerSecond": 0, "slip": 2, "ipv4PrefixLength": 24,
 *  "ipv6PrefixLength": 56, "exempt": []}.  Read and checked here; the
 * limiter is net/rrl.c.  responsesPerSecond 0 (the default) is off. */
#ifndef TASKDNS_RATELIMIT_H
#define TASKDNS_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/jsonw.h"

#include "conf/config.h"

/* rateLimit from v into c (defaults for members not given); each problem
 * appended to err, one a line. */
void ratelimit_apply(struct config *c, const char *key, const json_t *v,
    char *err, size_t errlen);
void ratelimit_defaults(struct config *c);
void ratelimit_free(struct config *c);
bool ratelimit_differ(const struct config *x, const struct config *y);
void ratelimit_write(struct jsonw *w, const struct config *c);

#endif
