/* tsigkeys.c - the config's TSIG keys (see tsigkeys.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/config.h"
#include "conf/syntax.h"
#include "conf/tsigkeys.h"
#include "util/arena.h"

static const char *const algorithms[] = { "hmac-sha1", "hmac-sha224",
    "hmac-sha256", "hmac-sha384", "hmac-sha512" };

/* Base64 in its padded form, whole quanta (RFC 4648 4). */
static bool
is_base64(const char *s)
{
	size_t n = strlen(s), pad = 0;

	if (n == 0 || n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '=') {
			if (i < n - 2)
				return false;
			pad++;
		} else if (pad > 0 || !(isalnum(ch) || ch == '+' || ch == '/')) {
			return false;
		}
	}
	return true;
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static void
one_key(struct config *c, const char *key, const char *name, json_t *o,
    char *err, size_t errlen)
{
	json_t *alg = json_object_get(o, "algorithm");
	json_t *sec = json_object_get(o, "secret");
	struct config_tsig_key k;
	bool known = false;
	size_t n;

	if (!json_is_string(alg) || !json_is_string(sec)) {
		conf_add_err(err, errlen, "%s.%s: expected {\"algorithm\": "
		    "\"hmac-sha256\", \"secret\": \"BASE64\"}\n", key, name);
		return;
	}
	for (size_t i = 0; i < sizeof(algorithms) / sizeof(*algorithms); i++)
		known |= strcasecmp(json_string_value(alg), algorithms[i]) == 0;
	if (!known)
		conf_add_err(err, errlen, "%s.%s: algorithm not hmac-sha1, "
		    "hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512\n",
		    key, name);
	if (!is_base64(json_string_value(sec)))
		conf_add_err(err, errlen, "%s.%s: the secret is not base64\n", key,
		    name);
	k.name = lower_dup(name);
	n = strlen(k.name);
	if (n > 1 && k.name[n - 1] == '.')
		k.name[n - 1] = '\0';
	if (!conf_is_domain(k.name))
		conf_add_err(err, errlen, "%s: \"%s\" is not a key name\n", key, name);
	k.algorithm = lower_dup(json_string_value(alg));
	k.secret = xstrdup(json_string_value(sec));
	c->tsig_keys = xrealloc(c->tsig_keys, (c->n_tsig_keys + 1) *
	    sizeof(k));
	c->tsig_keys[c->n_tsig_keys++] = k;
}

void
tsigkeys_apply(struct config *c, const char *key, const json_t *v, char *err,
    size_t errlen)
{
	const char *name;
	json_t *o;

	if (!json_is_object(v)) {
		conf_add_err(err, errlen, "%s: expected an object of key name: "
		    "{\"algorithm\", \"secret\"}\n", key);
		return;
	}
	tsigkeys_free(c);
	json_object_foreach((json_t *)(uintptr_t)v, name, o) {
		if (!json_is_object(o)) {
			conf_add_err(err, errlen, "%s.%s: expected an object\n", key,
			    name);
			continue;
		}
		one_key(c, key, name, o, err, errlen);
	}
}

void
tsigkeys_free(struct config *c)
{
	for (size_t i = 0; i < c->n_tsig_keys; i++) {
		free(c->tsig_keys[i].name);
		free(c->tsig_keys[i].algorithm);
		free(c->tsig_keys[i].secret);
	}
	free(c->tsig_keys);
	c->tsig_keys = NULL;
	c->n_tsig_keys = 0;
}

bool
tsigkeys_differ(const struct config *x, const struct config *y)
{
	if (x->n_tsig_keys != y->n_tsig_keys)
		return true;
	for (size_t i = 0; i < x->n_tsig_keys; i++)
		if (strcmp(x->tsig_keys[i].name, y->tsig_keys[i].name) != 0 ||
		    strcmp(x->tsig_keys[i].algorithm,
		    y->tsig_keys[i].algorithm) != 0 ||
		    strcmp(x->tsig_keys[i].secret, y->tsig_keys[i].secret) != 0)
			return true;
	return false;
}

void
tsigkeys_write(struct jsonw *w, const struct config *c)
{
	jsonw_object(w);
	for (size_t i = 0; i < c->n_tsig_keys; i++) {
		jsonw_key(w, c->tsig_keys[i].name);
		jsonw_object(w);
		jsonw_kstring(w, "algorithm", c->tsig_keys[i].algorithm);
		jsonw_kstring(w, "secret", "<redacted>");
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
}

const struct config_tsig_key *
tsigkeys_find(const struct config *c, const char *name)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < c->n_tsig_keys; i++)
		if (strlen(c->tsig_keys[i].name) == n &&
		    strncasecmp(c->tsig_keys[i].name, name, n) == 0)
			return &c->tsig_keys[i];
	return NULL;
}
