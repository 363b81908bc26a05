/* helpers.h - shared by the cmocka unit tests. */
#ifndef TASKDNS_TEST_HELPERS_H
#define TASKDNS_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/wire.h"
#include "dns/dname.h"

/* Read a whole file; the test fails if it cannot. */
static inline char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Path of a file under the source tree. */
static inline const char *
src_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", TOP_SRCDIR, rel);
	return buf;
}

/* ../shared/fixtures, or NULL (said once) when it is absent. */
static inline const char *
shared_fixtures(void)
{
	static char buf[4096];
	const char *env = getenv("TASKDNS_SHARED");
	FILE *f;

	if (env != NULL && env[0] != '\0')
		snprintf(buf, sizeof(buf), "%s/fixtures", env);
	else
		snprintf(buf, sizeof(buf), "%s/../shared/fixtures", TOP_SRCDIR);
	{
		char probe[4200];

		snprintf(probe, sizeof(probe), "%s/README.md", buf);
		f = fopen(probe, "r");
	}
	if (f == NULL) {
		printf("# ../shared/fixtures is absent (set TASKDNS_SHARED): "
		    "conformance checks on captured states not run\n");
		return NULL;
	}
	fclose(f);
	return buf;
}

/* A query for name/qtype; edns_size 0 means no OPT. Returns its length. */
static inline size_t
make_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
    uint16_t qtype, uint16_t edns_size, int do_bit)
{
	struct wbuf w;
	struct dname n;

	assert_int_equal(dname_from_text(name, strlen(name), &n), 0);
	wire_init_write(&w, buf, cap, cap);
	wire_put_u16(&w, id);
	wire_put_u16(&w, 0x0100);	/* RD */
	wire_put_u16(&w, 1);
	wire_put_u16(&w, 0);
	wire_put_u16(&w, 0);
	wire_put_u16(&w, edns_size ? 1 : 0);
	wire_put_bytes(&w, n.data, n.len);
	wire_put_u16(&w, qtype);
	wire_put_u16(&w, 1);
	if (edns_size) {
		wire_put_u8(&w, 0);
		wire_put_u16(&w, 41);
		wire_put_u16(&w, edns_size);
		wire_put_u32(&w, do_bit ? 0x8000u : 0);
		wire_put_u16(&w, 0);
	}
	assert_int_equal(wire_err(&w), 0);
	return w.pos;
}

#endif
