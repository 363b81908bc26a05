/* ratelimit.c - the config's rateLimit object (see ratelimit.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/acl.h"
#include "conf/config.h"
#include "conf/ratelimit.h"
#include "conf/syntax.h"
#include "util/arena.h"

/* The integer members: name, where, bounds, default. */
static const struct {
	const char *name;
	size_t off;
	int min, max, def;
} ints[] = {
	{ "responsesPerSecond", offsetof(struct config_rrl, rate), 0, 1000000,
	    0 },
	{ "slip", offsetof(struct config_rrl, slip), 0, 10, 2 },
	{ "ipv4PrefixLength", offsetof(struct config_rrl, v4_prefix), 8, 32,
	    24 },
	{ "ipv6PrefixLength", offsetof(struct config_rrl, v6_prefix), 16, 128,
	    56 },
};
#define N_INTS (sizeof(ints) / sizeof(ints[0]))

static int *
int_at(struct config_rrl *r, size_t i)
{
	return (int *)(void *)((char *)r + ints[i].off);
}

void
ratelimit_defaults(struct config *c)
{
	for (size_t i = 0; i < N_INTS; i++)
		*int_at(&c->rrl, i) = ints[i].def;
}

void
ratelimit_free(struct config *c)
{
	for (size_t i = 0; i < c->rrl.n_exempt; i++)
		free(c->rrl.exempt[i]);
	free(c->rrl.exempt);
	c->rrl.exempt = NULL;
	c->rrl.n_exempt = 0;
}

static void
apply_exempt(struct config *c, const char *key, json_t *v, char *err,
    size_t errlen)
{
	size_t i;
	json_t *it;

	if (!json_is_array(v)) {
		conf_add_err(err, errlen, "%s.exempt: expected a list of CIDR "
		    "prefixes\n", key);
		return;
	}
	json_array_foreach(v, i, it) {
		struct acl_entry ent;

		if (!json_is_string(it) ||
		    acl_parse_entry(json_string_value(it), &ent) != 0) {
			conf_add_err(err, errlen, "%s.exempt: item %zu is not an "
			    "address or address/prefix\n", key, i);
			continue;
		}
		c->rrl.exempt = xrealloc(c->rrl.exempt, (c->rrl.n_exempt + 1) *
		    sizeof(char *));
		c->rrl.exempt[c->rrl.n_exempt++] =
		    xstrdup(json_string_value(it));
	}
}

void
ratelimit_apply(struct config *c, const char *key, const json_t *v,
    char *err, size_t errlen)
{
	const char *name;
	json_t *m;

	if (!json_is_object(v)) {
		conf_add_err(err, errlen, "%s: expected an object "
		    "{\"responsesPerSecond\", \"slip\", \"ipv4PrefixLength\", "
		    "\"ipv6PrefixLength\", \"exempt\"}\n", key);
		return;
	}
	ratelimit_free(c);
	ratelimit_defaults(c);
	json_object_foreach((json_t *)(uintptr_t)v, name, m) {
		size_t i;

		if (strcasecmp(name, "exempt") == 0) {
			apply_exempt(c, key, m, err, errlen);
			continue;
		}
		for (i = 0; i < N_INTS && strcasecmp(name, ints[i].name); i++)
			;
		if (i == N_INTS) {
			conf_add_err(err, errlen, "%s.%s: not a member of %s\n", key,
			    name, key);
			continue;
		}
		if (!json_is_integer(m) || json_integer_value(m) < ints[i].min ||
		    json_integer_value(m) > ints[i].max) {
			conf_add_err(err, errlen, "%s.%s: expected an integer from "
			    "%d to %d\n", key, ints[i].name, ints[i].min,
			    ints[i].max);
			continue;
		}
		*int_at(&c->rrl, i) = (int)json_integer_value(m);
	}
}

bool
ratelimit_differ(const struct config *x, const struct config *y)
{
	if (x->rrl.rate != y->rrl.rate || x->rrl.slip != y->rrl.slip ||
	    x->rrl.v4_prefix != y->rrl.v4_prefix ||
	    x->rrl.v6_prefix != y->rrl.v6_prefix ||
	    x->rrl.n_exempt != y->rrl.n_exempt)
		return true;
	for (size_t i = 0; i < x->rrl.n_exempt; i++)
		if (strcmp(x->rrl.exempt[i], y->rrl.exempt[i]) != 0)
			return true;
	return false;
}

void
ratelimit_write(struct jsonw *w, const struct config *c)
{
	jsonw_object(w);
	for (size_t i = 0; i < N_INTS; i++)
		jsonw_kint(w, ints[i].name, *(const int *)(const void *)
		    ((const char *)&c->rrl + ints[i].off));
	jsonw_key(w, "exempt");
	jsonw_array(w);
	for (size_t i = 0; i < c->rrl.n_exempt; i++)
		jsonw_string(w, c->rrl.exempt[i]);
	jsonw_end_array(w);
	jsonw_end_object(w);
}
