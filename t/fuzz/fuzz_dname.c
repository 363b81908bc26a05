/* fuzz_dname.c - wire names (from every offset of the input, so pointers
 * land anywhere), text names, and mesos-dns label sanitising. */
#include <string.h>

#include "dns/dname.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wbuf w;
	struct dname n, m;
	char text[DNAME_TEXT_MAX], lab[DNAME_LABEL_MAX + 1], frag[300];

	for (size_t off = 0; off < size && off < 64; off++) {
		wire_init_read(&w, data, size);
		w.pos = off;
		if (dname_parse(&w, &n) == 0) {
			if (n.len == 0 || n.data[n.len - 1] != 0)
				__builtin_trap();
			if (dname_to_text(&n, text, sizeof(text)) < 0)
				__builtin_trap();
		}
	}
	if (dname_from_text((const char *)data, size, &m) == 0) {
		if (m.len == 0 || m.data[m.len - 1] != 0)
			__builtin_trap();
		dname_lower(&m);
		(void)dname_labels(&m);
	}
	for (int r = 0; r < 2; r++) {
		size_t l = dname_spec_label((const char *)data, size, r, lab);

		if (l > (r ? 24u : 63u) || strlen(lab) != l ||
		    (l > 0 && (lab[0] == '-' || lab[l - 1] == '-')))
			__builtin_trap();
		dname_frag((const char *)data, size, r, frag, sizeof(frag));
	}
	return 0;
}
