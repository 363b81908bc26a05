/* zones.c - zone files read, watched and published (see zones.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/zones.h"
#include "util/arena.h"
#include "util/log.h"
#include "zone/table.h"
#include "zone/zonefile.h"

/* A zone file (or an include) larger than this is refused unread. */
#define ZONE_MAX_BYTES (256u << 20)
/* Files one zone may read, its includes with it. */
#define MAX_FILES 64

/* What a file was when read: a change of any is a change. */
struct stamp {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool missing;
};

struct zentry {
	char *apex;
	char *path;		/* the zone file, joined to the config's folder */
	struct szone *good;	/* the last version that loaded */
	struct stamp stamps[MAX_FILES];
	unsigned n_stamps;
};

struct zones {
	char *domain;		/* the Mesos domain: its file is an overlay */
	struct zentry *v;
	unsigned n;
	uint32_t max_records;
	struct zoneset *cur;
	/* Names whose shadowing was logged (zones_note_shadows). */
	char **said;
	unsigned n_said;
	struct event *tick;
	zones_publish_fn fn;
	void *arg;
};

/* Reading one zone: the files it reads, each checked below the zone
 * file's real folder. */
struct reader {
	struct zentry *e;
	char top[PATH_MAX];
	bool toomany;
};

static void
stamp_of(struct stamp *s, const char *path)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	if (stat(path, &st) != 0) {
		s->missing = true;
		return;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
}

static bool
stamp_changed(const struct stamp *s)
{
	struct stat st;

	if (stat(s->path, &st) != 0)
		return !s->missing;
	return s->missing || st.st_dev != s->dev || st.st_ino != s->ino ||
	    st.st_size != s->size || st.st_mtim.tv_sec != s->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != s->mtime.tv_nsec;
}

static void
stamps_clear(struct zentry *e)
{
	for (unsigned i = 0; i < e->n_stamps; i++)
		free(e->stamps[i].path);
	e->n_stamps = 0;
}

static int
read_file(void *arg, const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	struct reader *r = arg;
	char real[PATH_MAX];
	struct stat st;
	size_t got = 0;
	int fd;

	if (r->e->n_stamps < MAX_FILES)
		stamp_of(&r->e->stamps[r->e->n_stamps++], path);
	else {
		snprintf(err, errlen, "%s: more than %d files in one zone",
		    path, MAX_FILES);
		return -1;
	}
	if (realpath(path, real) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (r->e->n_stamps > 1 && !zonefile_path_below(r->top, real)) {
		snprintf(err, errlen, "%s: $INCLUDE leads out of the zone "
		    "file's folder %s", path, r->top);
		return -1;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > ZONE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ?
		    strerror(errno) : !S_ISREG(st.st_mode) ?
		    "not a regular file" : "larger than 256 MB");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*text = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

/* e's file read again: true when a new version loaded. */
static bool
load(struct zones *zs, struct zentry *e)
{
	char err[1024], warn[512], dir[PATH_MAX];
	struct reader r = { .e = e };
	struct dname apex;
	struct szone *z;
	char *slash;

	stamps_clear(e);
	snprintf(dir, sizeof(dir), "%s", e->path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (realpath(dir, r.top) == NULL)
		snprintf(r.top, sizeof(r.top), "%s", dir);
	if (dname_from_text(e->apex, strlen(e->apex), &apex) != 0) {
		log_err("zone %s: not a name", e->apex);
		return false;
	}
	if (strcmp(e->apex, zs->domain) == 0)
		z = zonefile_load_overlay(&apex, e->path, zs->max_records,
		    read_file, &r, err, sizeof(err), warn, sizeof(warn));
	else
		z = zonefile_load(&apex, e->path, zs->max_records, read_file,
		    &r, err, sizeof(err), warn, sizeof(warn));
	if (z == NULL) {
		if (e->good != NULL)
			log_err("zone %s. refused: %s; serial %u keeps serving",
			    e->apex, err, e->good->serial);
		else
			log_err("zone %s. refused: %s; the zone is not served",
			    e->apex, err);
		return false;
	}
	if (warn[0] != '\0')
		log_warn("zone %s.: %s", e->apex, warn);
	log_info("zone %s. loaded from %s: %u records, serial %u", e->apex,
	    e->path, z->n_records, z->serial);
	szone_unref(e->good);
	e->good = z;
	return true;
}

static void
publish(struct zones *zs)
{
	struct szone **v = xcalloc(zs->n ? zs->n : 1, sizeof(*v));
	unsigned n = 0;

	for (unsigned i = 0; i < zs->n; i++)
		if (zs->v[i].good != NULL)
			v[n++] = zs->v[i].good;
	zoneset_unref(zs->cur);
	zs->cur = zoneset_new(v, n);
	free(v);
	if (zs->fn != NULL)
		zs->fn(zs->arg, zs->cur);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zones *zs = arg;
	bool any = false;

	(void)fd;
	(void)what;
	for (unsigned i = 0; i < zs->n; i++) {
		struct zentry *e = &zs->v[i];
		bool changed = false;

		for (unsigned k = 0; k < e->n_stamps && !changed; k++)
			changed = stamp_changed(&e->stamps[k]);
		if (changed && load(zs, e))
			any = true;
	}
	if (any)
		publish(zs);
}

/* The zone file's path: as written when absolute, else joined to the
 * config file's folder. */
static char *
join(const char *config_path, const char *file)
{
	const char *slash = config_path != NULL ? strrchr(config_path, '/') :
	    NULL;
	size_t n;
	char *p;

	if (file[0] == '/' || slash == NULL)
		return xstrdup(file);
	n = (size_t)(slash - config_path) + 1 + strlen(file) + 1;
	p = xmalloc(n);
	snprintf(p, n, "%.*s/%s", (int)(slash - config_path), config_path,
	    file);
	return p;
}

static struct zentry *
find(struct zones *z, const char *apex)
{
	for (unsigned i = 0; z != NULL && i < z->n; i++)
		if (strcmp(z->v[i].apex, apex) == 0)
			return &z->v[i];
	return NULL;
}

struct zones *
zones_reload(struct zones *old, struct event_base *base,
    const struct config *cfg, const char *config_path, zones_publish_fn fn,
    void *arg)
{
	struct zones *zs;
	struct timeval sec = { 1, 0 };

	if (cfg->n_zone_files == 0) {
		zones_free(old);
		if (old != NULL && fn != NULL)
			fn(arg, NULL);
		return NULL;
	}
	zs = xcalloc(1, sizeof(*zs));
	zs->v = xcalloc(cfg->n_zone_files, sizeof(*zs->v));
	zs->n = (unsigned)cfg->n_zone_files;
	zs->max_records = (uint32_t)cfg->zone_max_records;
	zs->domain = xstrdup(cfg->domain);
	zs->fn = fn;
	zs->arg = arg;
	for (unsigned i = 0; i < zs->n; i++) {
		struct zentry *e = &zs->v[i], *was;

		e->apex = xstrdup(cfg->zone_files[i].apex);
		e->path = join(config_path, cfg->zone_files[i].file);
		was = find(old, e->apex);
		if (was != NULL)
			e->good = szone_ref(was->good);
		(void)load(zs, e);
	}
	zones_free(old);
	zs->tick = event_new(base, -1, EV_PERSIST, tick_cb, zs);
	if (zs->tick != NULL)
		event_add(zs->tick, &sec);
	publish(zs);
	return zs;
}

struct zones *
zones_new(struct event_base *base, const struct config *cfg,
    const char *config_path, zones_publish_fn fn, void *arg)
{
	return zones_reload(NULL, base, cfg, config_path, fn, arg);
}

/* Logged already; noted when not (at most 4096 names are kept). */
static bool
said_before(struct zones *z, const char *name)
{
	for (unsigned i = 0; i < z->n_said; i++)
		if (strcmp(z->said[i], name) == 0)
			return true;
	if (z->n_said < 4096) {
		z->said = xrealloc(z->said, (z->n_said + 1) * sizeof(char *));
		z->said[z->n_said++] = xstrdup(name);
	}
	return false;
}

void
zones_note_shadows(struct zones *z, const struct table *t)
{
	const struct szone *o = NULL;

	if (z == NULL || t == NULL || z->cur == NULL)
		return;
	for (unsigned i = 0; i < z->cur->n; i++)
		if (dname_equal(&z->cur->zones[i]->apex, &t->apex))
			o = z->cur->zones[i];
	for (uint32_t k = 0; o != NULL && k < o->n_nodes; k++) {
		const struct szone_node *n = &o->nodes[k];
		const struct table_node *tn;
		struct dname name;
		char text[DNAME_TEXT_MAX];

		szone_name(o, n, &name);
		if (n->n_rrsets == 0 || dname_equal(&name, &t->apex) ||
		    (tn = table_lookup(t, &name)) == NULL)
			continue;
		for (uint16_t r = 0; r < n->n_rrsets; r++) {
			uint32_t cnt;

			(void)table_rrset(t, tn, o->rrsets[n->first_rrset +
			    r].type, &cnt);
			if (cnt == 0 || dname_to_text(&name, text,
			    sizeof(text)) < 0 || said_before(z, text))
				continue;
			log_info("zone %s: %s is served from the zone file, "
			    "not as generated", z->domain, text);
			break;
		}
	}
}

struct zoneset *
zones_current(const struct zones *z)
{
	return z != NULL ? z->cur : NULL;
}

void
zones_free(struct zones *z)
{
	if (z == NULL)
		return;
	if (z->tick != NULL)
		event_free(z->tick);
	for (unsigned i = 0; i < z->n; i++) {
		stamps_clear(&z->v[i]);
		szone_unref(z->v[i].good);
		free(z->v[i].apex);
		free(z->v[i].path);
	}
	free(z->v);
	free(z->domain);
	for (unsigned i = 0; i < z->n_said; i++)
		free(z->said[i]);
	free(z->said);
	zoneset_unref(z->cur);
	free(z);
}
