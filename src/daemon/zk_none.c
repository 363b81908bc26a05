/* zk_none.c - zk.h for a taskdns built --without-zookeeper: nothing to
 * watch, and every attempt says why. */
#include <stdio.h>

#include "daemon/zk.h"

struct zk *
zk_new(struct event_base *base, const char *url, zk_leader_fn cb, void *arg,
    char *errbuf, size_t errlen)
{
	(void)base;
	(void)url;
	(void)cb;
	(void)arg;
	snprintf(errbuf, errlen, "zk: this taskdns was built "
	    "--without-zookeeper");
	return NULL;
}

void
zk_free(struct zk *z)
{
	(void)z;
}

bool
zk_supported(void)
{
	return false;
}
