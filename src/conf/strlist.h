/* strlist.h - a list of strings as the config holds them (masters,
 * resolvers, CIDR lists): freed, added to, compared, written as JSON. */
#ifndef TASKDNS_STRLIST_H
#define TASKDNS_STRLIST_H

#include <stdbool.h>

#include "conf/config.h"
#include "util/jsonw.h"

void strlist_free(struct config_strlist *l);
void strlist_add(struct config_strlist *l, const char *s);
bool strlist_differ(const struct config_strlist *x,
    const struct config_strlist *y);
void strlist_write(struct jsonw *w, const struct config_strlist *l);

#endif
