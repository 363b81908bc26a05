/* test_szone.c - static zones: the loader's rules (zonefile over
 * libzscanner, szone's checks) and the answers (sanswer through
 * answer_query with a zone set). */
#include "helpers.h"

#include "dns/rr.h"
#include "zone/answer.h"
#include "zone/zonefile.h"
#include "zone/zoneset.h"

/* Files a test serves to the loader: path -> text. */
struct files {
	const char *path[4];
	const char *text[4];
};

static int
rd(void *arg, const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	const struct files *f = arg;

	for (int i = 0; i < 4 && f->path[i] != NULL; i++)
		if (strcmp(f->path[i], path) == 0) {
			*len = strlen(f->text[i]);
			*text = malloc(*len + 1);
			memcpy(*text, f->text[i], *len + 1);
			return 0;
		}
	snprintf(err, errlen, "%s: no such file", path);
	return -1;
}

static struct szone *
load(const char *text, uint32_t max, char *err, size_t errlen)
{
	struct files f = { { "/z/t.zone" }, { text } };
	struct dname apex;
	char warn[256];

	assert_int_equal(dname_from_text("t.test", 6, &apex), 0);
	return zonefile_load(&apex, "/z/t.zone", max, rd, &f, err, errlen,
	    warn, sizeof(warn));
}

#define SOA "@ IN SOA ns hm 42 3600 600 86400 30\n@ IN NS ns\nns IN A 192.0.2.1\n"

static void
refused(const char *text, uint32_t max, const char *want)
{
	char err[512] = "";
	struct szone *z = load(text, max, err, sizeof(err));

	assert_null(z);
	if (strstr(err, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, err);
}

static void
loader_rules(void **state)
{
	char err[512];
	struct szone *z;

	(void)state;
	z = load("$ORIGIN t.test.\n" SOA "a 77 IN A 192.0.2.2\n", 0, err,
	    sizeof(err));
	assert_non_null(z);
	assert_int_equal(z->serial, 42);
	assert_int_equal(z->n_records, 4);
	szone_unref(z);
	refused(SOA "x.other. IN A 192.0.2.3\n", 0, "t.zone:4: out of the zone");
	refused(SOA "a IN CNAME b\na IN TXT \"x\"\n", 0,
	    "t.zone:5: a CNAME and other data");
	refused(SOA "a IN CNAME b\na IN CNAME c\n", 0, "more than one CNAME");
	refused("@ IN NS ns\n", 0, "no SOA at the apex");
	refused(SOA "s IN SOA a b 1 2 3 4 5\n", 0, "t.zone:4: an SOA below");
	refused(SOA "a IN A 1.2.3\n", 0, "t.zone:4: ");
	refused(SOA "a CH A 192.0.2.1\n", 0, "t.zone:4: ");
	refused(SOA "a IN A 192.0.2.4\nb IN A 192.0.2.5\n", 4,
	    "t.zone:5: more than 4 records (zoneMaxRecords)");
	refused(SOA "$INCLUDE ../etc/passwd\n", 0,
	    "is not below the zone file's folder");
	refused(SOA "$INCLUDE /etc/passwd\n", 0,
	    "is not below the zone file's folder");
	/* A duplicate record is one record. */
	z = load(SOA "a IN A 192.0.2.9\na IN A 192.0.2.9\n", 0, err,
	    sizeof(err));
	assert_non_null(z);
	assert_int_equal(z->n_records, 4);
	szone_unref(z);
}

static void
includes(void **state)
{
	struct files f = { { "/z/t.zone", "/z/sub/inc.zone", "/z/loop.zone" },
	    { SOA "$INCLUDE sub/inc.zone x.t.test.\n$INCLUDE loop.zone\n",
	    "y IN A 192.0.2.7\n", "$INCLUDE loop.zone\n" } };
	struct dname apex, n;
	char err[512], warn[256];
	struct szone *z;

	(void)state;
	assert_int_equal(dname_from_text("t.test", 6, &apex), 0);
	z = zonefile_load(&apex, "/z/t.zone", 0, rd, &f, err, sizeof(err),
	    warn, sizeof(warn));
	/* An include that includes itself ends at the nesting limit. */
	assert_null(z);
	if (strstr(err, "nested more than 8 deep") == NULL)
		fail_msg("%s", err);
	f.text[0] = SOA "$INCLUDE sub/inc.zone x.t.test.\n";
	z = zonefile_load(&apex, "/z/t.zone", 0, rd, &f, err, sizeof(err),
	    warn, sizeof(warn));
	assert_non_null(z);
	/* The include's relative names take the origin it was given. */
	assert_int_equal(dname_from_text("y.x.t.test", 10, &n), 0);
	assert_non_null(szone_lookup(z, &n));
	szone_unref(z);
	assert_true(zonefile_path_below("/z", "/z/a/b.zone"));
	assert_false(zonefile_path_below("/z", "/z/../b.zone"));
	assert_false(zonefile_path_below("/z", "/zz/b.zone"));
}

/* An answer from the zone set {z}. */
struct resp {
	uint8_t buf[4096];
	size_t len;
	unsigned rcode, aa, an, ns, ar;
};

static void
ask(const struct zoneset *zs, const char *name, uint16_t type,
    struct resp *r)
{
	static const struct answer_cfg cfg = { false, true, 1232, false, 0 };
	uint8_t q[300];
	struct dname n;
	struct answer_info info;
	struct msg_query parsed;
	size_t len = 12;

	assert_int_equal(dname_from_text(name, strlen(name), &n), 0);
	memset(q, 0, 12);
	q[5] = 1;
	memcpy(q + len, n.data, n.len);
	len += n.len;
	q[len++] = (uint8_t)(type >> 8);
	q[len++] = (uint8_t)type;
	q[len++] = 0;
	q[len++] = 1;
	memset(r, 0, sizeof(*r));
	assert_int_equal(answer_query(NULL, zs, &cfg, q, len, r->buf,
	    sizeof(r->buf), false, 0, &r->len, &info, &parsed), ANSWER_SEND);
	r->rcode = r->buf[3] & 0xf;
	r->aa = (r->buf[2] >> 2) & 1;
	r->an = (unsigned)(r->buf[6] << 8 | r->buf[7]);
	r->ns = (unsigned)(r->buf[8] << 8 | r->buf[9]);
	r->ar = (unsigned)(r->buf[10] << 8 | r->buf[11]);
}

static void
answers(void **state)
{
	char err[512];
	struct szone *z = load(SOA
	    "www IN CNAME web\nweb IN A 192.0.2.80\n"
	    "*.w IN A 192.0.2.81\nx.y.w IN TXT \"ent\"\n"
	    "sub IN NS ns.sub\nns.sub IN A 192.0.2.53\nsub IN DS 1 13 2 00ff\n"
	    "l1 IN CNAME l2\nl2 IN CNAME l1\n", 0, err, sizeof(err));
	struct zoneset *zs;
	struct resp r;

	(void)state;
	assert_non_null(z);
	zs = zoneset_new(&z, 1);
	/* CNAME chased, apex NS in authority, its address in additional. */
	ask(zs, "www.t.test", RR_A, &r);
	assert_int_equal(r.rcode, RCODE_NOERROR);
	assert_int_equal(r.aa, 1);
	assert_int_equal(r.an, 2);
	assert_int_equal(r.ns, 1);
	assert_int_equal(r.ar, 1);
	/* A wildcard answers below its closest encloser... */
	ask(zs, "a.w.t.test", RR_A, &r);
	assert_int_equal(r.an, 1);
	/* ...but not below an empty non-terminal, which exists. */
	ask(zs, "y.w.t.test", RR_A, &r);
	assert_int_equal(r.rcode, RCODE_NOERROR);
	assert_int_equal(r.an, 0);
	assert_int_equal(r.ns, 1);
	ask(zs, "z.y.w.t.test", RR_A, &r);
	assert_int_equal(r.rcode, RCODE_NXDOMAIN);
	/* A referral: AA clear, NS in authority, glue. */
	ask(zs, "host.sub.t.test", RR_A, &r);
	assert_int_equal(r.aa, 0);
	assert_int_equal(r.an, 0);
	assert_int_equal(r.ns, 1);
	assert_int_equal(r.ar, 1);
	/* DS at the cut is ours to answer. */
	ask(zs, "sub.t.test", RR_DS, &r);
	assert_int_equal(r.aa, 1);
	assert_int_equal(r.an, 1);
	/* A CNAME loop ends, bounded. */
	ask(zs, "l1.t.test", RR_A, &r);
	assert_true(r.an >= 2 && r.an <= 8);
	/* NXDOMAIN with the SOA: its TTL the smaller of TTL and minimum. */
	ask(zs, "nope.t.test", RR_A, &r);
	assert_int_equal(r.rcode, RCODE_NXDOMAIN);
	assert_int_equal(r.ns, 1);
	zoneset_unref(zs);
	szone_unref(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loader_rules),
		cmocka_unit_test(includes),
		cmocka_unit_test(answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
