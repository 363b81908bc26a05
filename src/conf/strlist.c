/* strlist.c - lists of strings in the config (see strlist.h). */
#include <stdlib.h>
#include <string.h>

#include "conf/strlist.h"
#include "util/arena.h"

void
strlist_free(struct config_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
strlist_add(struct config_strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = xstrdup(s);
}

bool
strlist_differ(const struct config_strlist *x, const struct config_strlist *y)
{
	if (x->n != y->n)
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->v[i], y->v[i]) != 0)
			return true;
	return false;
}

void
strlist_write(struct jsonw *w, const struct config_strlist *l)
{
	jsonw_array(w);
	for (size_t i = 0; i < l->n; i++)
		jsonw_string(w, l->v[i]);
	jsonw_end_array(w);
}
