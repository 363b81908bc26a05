/* tsigkeys.h - the config's TSIG keys (tsigKeys, transferKey):
 * {"NAME": {"algorithm": "hmac-sha256", "secret": "BASE64"}}.  Read and
 * checked here (the name, the algorithm's name, the secret's base64
 * form); net/tsig.c makes keys of them.  Secrets are never written back
 * (/v1/config shows them redacted). */
#ifndef TASKDNS_TSIGKEYS_H
#define TASKDNS_TSIGKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/jsonw.h"

struct config;

struct config_tsig_key {
	char *name;			/* lower case, no trailing dot */
	char *algorithm;		/* lower case: hmac-sha256... */
	char *secret;			/* base64 */
};

/* tsigKeys from v (an object) into c, replacing what it held; each
 * problem appended to err (one per line). */
void tsigkeys_apply(struct config *c, const char *key, const json_t *v,
    char *err, size_t errlen);
void tsigkeys_free(struct config *c);
bool tsigkeys_differ(const struct config *x, const struct config *y);
void tsigkeys_write(struct jsonw *w, const struct config *c);
/* The key of that name, or NULL. */
const struct config_tsig_key *tsigkeys_find(const struct config *c,
    const char *name);

#endif
