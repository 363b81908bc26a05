/* fuzz_zone.c - zone text into the loader (libzscanner, the zone's
 * rules) and, when it loads, every name of the zone and its neighbours
 * into the answer path, each answer checked (check.h).  The input up to
 * its first NUL is the zone file; what follows is what any $INCLUDE
 * reads. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fuzz.h"
#include "dns/message.h"
#include "dns/rr.h"
#include "zone/answer.h"
#include "zone/zonefile.h"
#include "zone/zoneset.h"

struct input {
	const uint8_t *main, *inc;
	size_t main_len, inc_len;
};

static int
rd(void *arg, const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	const struct input *in = arg;
	bool top = strcmp(path, "/fz/main.zone") == 0;
	const uint8_t *p = top ? in->main : in->inc;
	size_t n = top ? in->main_len : in->inc_len;

	(void)err;
	(void)errlen;
	*text = malloc(n + 1);
	if (*text == NULL)
		abort();
	if (n > 0)
		memcpy(*text, p, n);
	*len = n;
	return 0;
}

/* A query for name and type, answered over UDP and TCP, checked. */
static void
ask(const struct zoneset *zs, const struct dname *name, uint16_t type)
{
	static uint8_t out[65536];
	static const struct answer_cfg cfg = { true, true, 1232, false, 0 };
	uint8_t pkt[512];
	struct answer_info info;
	struct msg_query q, parsed;
	size_t len, n = 12;

	memset(pkt, 0, 12);
	pkt[0] = 0x12;
	pkt[1] = 0x34;
	pkt[5] = 1;
	memcpy(pkt + n, name->data, name->len);
	n += name->len;
	pkt[n++] = (uint8_t)(type >> 8);
	pkt[n++] = (uint8_t)type;
	pkt[n++] = 0;
	pkt[n++] = 1;
	if (message_parse_query(pkt, n, &q) != MSG_OK)
		return;
	for (int tcp = 0; tcp < 2; tcp++) {
		enum answer_kind k = answer_query(NULL, zs, &cfg, pkt, n, out,
		    sizeof(out), tcp, 7, &len, &info, &parsed);

		if (k == ANSWER_DROP)
			continue;
		if (!tcp && len > 512)
			abort();
		fuzz_check_answer(out, len, &q);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { RR_A, RR_NS, 5, RR_SOA, RR_MX,
	    RR_TXT, RR_AAAA, RR_SRV, 43, RR_ANY };
	const uint8_t *nul = memchr(data, 0, size);
	struct input in = { data, NULL, size, 0 };
	char err[1024], warn[512];
	struct dname apex;
	struct szone *z;
	struct zoneset *zs;

	if (nul != NULL) {
		in.main_len = (size_t)(nul - data);
		in.inc = nul + 1;
		in.inc_len = size - in.main_len - 1;
	}
	if (dname_from_text("fz.test", 7, &apex) != 0)
		abort();
	z = zonefile_load(&apex, "/fz/main.zone", 2000, rd, &in, err,
	    sizeof(err), warn, sizeof(warn));
	if (z == NULL)
		return 0;
	zs = zoneset_new(&z, 1);
	for (uint32_t i = 0; i < z->n_nodes && i < 64; i++) {
		struct dname name, below;

		szone_name(z, &z->nodes[i], &name);
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			ask(zs, &name, types[k]);
		if (name.len + 3 <= DNAME_MAX) {
			below.data[0] = 2;
			below.data[1] = 'n';
			below.data[2] = 'x';
			memcpy(below.data + 3, name.data, name.len);
			below.len = (uint8_t)(name.len + 3);
			ask(zs, &below, RR_A);
			ask(zs, &below, RR_TXT);
		}
	}
	zoneset_unref(zs);
	szone_unref(z);
	return 0;
}
