/* zonefile.c - zone files through libzscanner (see zonefile.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzscanner/scanner.h>

#include "dns/rr.h"
#include "util/arena.h"
#include "zone/zonefile.h"

#define DEFAULT_TTL 3600
/* $INCLUDE directives one file may hold.  libzscanner 3.2 overruns its
 * own stack past about 16 of them in one input when the caller reads the
 * includes (fuzz_zone found it): refused well before. */
#define MAX_INCLUDES 12

struct load {
	struct szone_builder *b;
	zonefile_read_fn rd;
	void *arg;
	const char *top_dir;	/* the zone file's folder */
	char *err;
	size_t errlen;
};

/* The folder part of path ("." when it has none), into out. */
static void
dir_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, cap, ".");
	else if (slash == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

int
zonefile_path_below(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	const char *p;

	if (strncmp(path, dir, n) != 0 || (path[n] != '/' &&
	    !(n > 0 && dir[n - 1] == '/')))
		return 0;
	/* No ".." component anywhere after the folder. */
	for (p = path + n; *p != '\0'; p++) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' ||
		    p[2] == '\0') && (p == path || p[-1] == '/'))
			return 0;
	}
	return 1;
}

static int load_text(struct load *l, const char *path, const char *origin,
    uint32_t ttl, unsigned depth);

/* An $INCLUDE the scanner stopped at: its file, below the zone's
 * folder, read with the origin and TTL the scanner gives. */
static int
include(struct load *l, zs_scanner_t *s, const char *path, unsigned depth)
{
	char dir[4096], joined[4096 + ZS_MAX_RDATA_LENGTH];
	const char *inc = s->include_filename;

	if (depth + 1 >= ZONEFILE_MAX_DEPTH) {
		snprintf(l->err, l->errlen, "%s:%llu: $INCLUDE nested more "
		    "than %d deep", path, (unsigned long long)s->line_counter,
		    ZONEFILE_MAX_DEPTH);
		return -1;
	}
	/* In string input libzscanner writes a relative name as "./name". */
	while (inc[0] == '.' && inc[1] == '/')
		inc += 2;
	dir_of(path, dir, sizeof(dir));
	if (inc[0] == '/')
		snprintf(joined, sizeof(joined), "%s", inc);
	else
		snprintf(joined, sizeof(joined), "%s/%s", dir, inc);
	if (!zonefile_path_below(l->top_dir, joined)) {
		snprintf(l->err, l->errlen, "%s:%llu: $INCLUDE %.200s is not "
		    "below the zone file's folder %.200s", path,
		    (unsigned long long)s->line_counter, inc, l->top_dir);
		return -1;
	}
	return load_text(l, joined, (const char *)s->buffer, s->default_ttl,
	    depth + 1);
}

/* The scanner's current record into the builder. */
static int
record(struct load *l, zs_scanner_t *s, const char *path)
{
	struct dname owner;

	if (s->r_class != CLASS_IN) {
		snprintf(l->err, l->errlen, "%s:%llu: class %u: only IN is "
		    "served", path, (unsigned long long)s->line_counter,
		    s->r_class);
		return -1;
	}
	if (s->r_owner_length == 0 || s->r_owner_length > DNAME_MAX ||
	    s->r_data_length > UINT16_MAX) {
		snprintf(l->err, l->errlen, "%s:%llu: a record that cannot "
		    "be served", path, (unsigned long long)s->line_counter);
		return -1;
	}
	owner.len = (uint8_t)s->r_owner_length;
	memcpy(owner.data, s->r_owner, owner.len);
	return szone_add(l->b, &owner, s->r_type, s->r_ttl, s->r_data,
	    (uint16_t)s->r_data_length, path, s->line_counter, l->err,
	    l->errlen);
}

static int
scan(struct load *l, zs_scanner_t *s, const char *path, unsigned depth)
{
	unsigned includes = 0;

	for (;;) {
		if (zs_parse_record(s) != 0 || s->state == ZS_STATE_ERROR) {
			snprintf(l->err, l->errlen, "%s:%llu: %s", path,
			    (unsigned long long)s->line_counter,
			    zs_strerror(s->error.code));
			return -1;
		}
		switch (s->state) {
		case ZS_STATE_DATA:
			if (record(l, s, path) != 0)
				return -1;
			break;
		case ZS_STATE_INCLUDE:
			if (++includes > MAX_INCLUDES) {
				snprintf(l->err, l->errlen, "%s:%llu: more than "
				    "%d $INCLUDE directives in one file", path,
				    (unsigned long long)s->line_counter,
				    MAX_INCLUDES);
				return -1;
			}
			if (include(l, s, path, depth) != 0)
				return -1;
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			return 0;
		default:
			break;
		}
	}
}

static int
load_text(struct load *l, const char *path, const char *origin,
    uint32_t ttl, unsigned depth)
{
	zs_scanner_t *s;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (l->rd(l->arg, path, &text, &len, l->err, l->errlen) != 0)
		return -1;
	s = xmalloc(sizeof(*s));
	if (zs_init(s, origin, CLASS_IN, ttl) != 0 ||
	    zs_set_input_string(s, text, len) != 0) {
		snprintf(l->err, l->errlen, "%s: %s", path,
		    zs_strerror(s->error.code));
		zs_deinit(s);
		free(s);
		free(text);
		return -1;
	}
	r = scan(l, s, path, depth);
	zs_deinit(s);
	free(s);
	free(text);
	return r;
}

static struct szone *
load_zone(const struct dname *apex, const char *path, uint32_t max_records,
    bool overlay, zonefile_read_fn rd, void *arg, char *err, size_t errlen,
    char *warn, size_t warnlen)
{
	char origin[DNAME_TEXT_MAX], dir[4096];
	struct load l;
	struct szone *z;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (dname_to_text(apex, origin, sizeof(origin)) < 0) {
		snprintf(err, errlen, "%s: the apex cannot be written", path);
		return NULL;
	}
	dir_of(path, dir, sizeof(dir));
	memset(&l, 0, sizeof(l));
	l.b = szone_builder_new(apex, max_records, path);
	if (overlay)
		szone_builder_soa_optional(l.b);
	l.rd = rd;
	l.arg = arg;
	l.top_dir = dir;
	l.err = err;
	l.errlen = errlen;
	if (load_text(&l, path, origin, DEFAULT_TTL, 0) != 0) {
		szone_builder_free(l.b);
		return NULL;
	}
	z = szone_finish(l.b, err, errlen);
	if (z != NULL && z->dnssec && warn != NULL)
		snprintf(warn, warnlen, "%s: DNSSEC records are served as "
		    "data; answers carry no proofs (no signing, no NSEC "
		    "denial)", path);
	return z;
}

struct szone *
zonefile_load(const struct dname *apex, const char *path,
    uint32_t max_records, zonefile_read_fn rd, void *arg, char *err,
    size_t errlen, char *warn, size_t warnlen)
{
	return load_zone(apex, path, max_records, false, rd, arg, err, errlen,
	    warn, warnlen);
}

struct szone *
zonefile_load_overlay(const struct dname *apex, const char *path,
    uint32_t max_records, zonefile_read_fn rd, void *arg, char *err,
    size_t errlen, char *warn, size_t warnlen)
{
	return load_zone(apex, path, max_records, true, rd, arg, err, errlen,
	    warn, warnlen);
}
