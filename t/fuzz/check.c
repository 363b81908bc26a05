/* check.c - an answer of ours checked (see check.h). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns/dname.h"
#include "dns/wire.h"

void
fuzz_check_answer(const uint8_t *out, size_t len, const struct msg_query *q)
{
	struct wbuf w;
	uint16_t counts[4];
	struct dname n;

	wire_init_read(&w, out, len);
	if (wire_get_u16(&w) != q->id)
		abort();
	wire_skip(&w, 2);
	for (int i = 0; i < 4; i++)
		counts[i] = wire_get_u16(&w);
	if (counts[0] > 1)
		abort();
	if (counts[0] == 1) {
		if (dname_parse(&w, &n) != 0 || !q->has_question ||
		    n.len != q->qname.len ||
		    memcmp(n.data, q->qname.data, n.len) != 0 ||
		    wire_get_u16(&w) != q->qtype || wire_get_u16(&w) != q->qclass)
			abort();
	}
	for (unsigned i = 0; i < (unsigned)counts[1] + counts[2] + counts[3];
	    i++) {
		if (dname_parse(&w, &n) != 0)
			abort();
		wire_skip(&w, 8);
		wire_skip(&w, wire_get_u16(&w));
	}
	if (wire_err(&w) != 0 || w.pos != len)
		abort();
}
