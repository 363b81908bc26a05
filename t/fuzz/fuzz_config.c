/* fuzz_config.c - config.json parsing and validation. */
#include "conf/config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[8192];
	struct config *c = config_parse((const char *)data, size, "fuzz", NULL,
	    err, sizeof(err));

	config_free(c);
	return 0;
}
