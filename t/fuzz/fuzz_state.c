/* fuzz_state.c - the streaming state parser, fed in chunk sizes taken
 * from the input's first byte, then the generator on whatever it kept. */
#include "conf/config.h"
#include "fuzz.h"
#include "mesos/generate.h"
#include "mesos/state.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *cfg;
	struct state_parser *p;
	struct cluster *c;
	char err[512];
	size_t chunk, off = 1;

	if (size < 1)
		return 0;
	if (cfg == NULL) {
		static const char js[] = "{\"hostLookup\":false,\"masters\":"
		    "[\"10.0.0.1:5050\"]}";

		cfg = config_parse(js, sizeof(js) - 1, "fuzz", NULL, err,
		    sizeof(err));
	}
	chunk = (size_t)data[0] + 1;
	p = state_parser_new();
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (state_parser_feed(p, data + off, n, err, sizeof(err)) != 0)
			break;
		off += n;
	}
	c = off >= size ? state_parser_finish(p, err, sizeof(err)) : NULL;
	state_parser_free(p);
	if (c != NULL) {
		struct gen_env env = { 0 };
		struct gen_stats st;
		struct table *t = generate_table(c, cfg, &env, NULL, 1, &st, err,
		    sizeof(err));

		table_unref(t);
		state_cluster_free(c);
	}
	return 0;
}
