/* recordio.c - RecordIO frames cut from a byte stream (see recordio.h). */
#include <stdio.h>
#include <string.h>

#include "mesos/recordio.h"

void
recordio_init(struct recordio *r, uint64_t max, const struct recordio_cbs *cbs,
    void *arg)
{
	memset(r, 0, sizeof(*r));
	r->cbs = *cbs;
	r->arg = arg;
	r->max = max;
}

static int
fail(struct recordio *r, const char *why)
{
	if (!r->failed)
		snprintf(r->why, sizeof(r->why), "%s", why);
	r->failed = true;
	return -1;
}

/* One byte of a length line. */
static int
length_byte(struct recordio *r, char c)
{
	char why[96];

	if (c >= '0' && c <= '9') {
		uint64_t d = (uint64_t)(c - '0');

		if (r->digits == 20)
			return fail(r, "a record length of over 20 digits");
		if (r->len > (UINT64_MAX - d) / 10)
			return fail(r, "a record length past 64 bits");
		r->len = r->len * 10 + d;
		r->digits++;
		return 0;
	}
	if (c != '\n')
		return fail(r, "a record length that is not a decimal number");
	if (r->digits == 0)
		return fail(r, "an empty record length");
	if (r->len > r->max) {
		snprintf(why, sizeof(why), "a record of %llu bytes, over the "
		    "cap of %llu", (unsigned long long)r->len,
		    (unsigned long long)r->max);
		return fail(r, why);
	}
	if (r->cbs.begin(r->arg, r->len) != 0)
		return fail(r, "the record was refused");
	r->left = r->len;
	r->in_record = true;
	r->len = 0;
	r->digits = 0;
	return 0;
}

int
recordio_feed(struct recordio *r, const char *p, size_t n)
{
	size_t i = 0;

	if (r->failed)
		return -1;
	while (i < n) {
		if (!r->in_record) {
			if (length_byte(r, p[i++]) != 0)
				return -1;
		} else if (r->left > 0) {
			size_t take = n - i;

			if ((uint64_t)take > r->left)
				take = (size_t)r->left;
			if (r->cbs.data(r->arg, p + i, take) != 0)
				return fail(r, "the record was refused");
			i += take;
			r->left -= take;
		}
		/* A record ends as soon as its last byte is in (an empty
		 * record at once). */
		if (r->in_record && r->left == 0) {
			r->in_record = false;
			r->records++;
			if (r->cbs.end(r->arg) != 0)
				return fail(r, "the record was refused");
		}
	}
	return 0;
}

bool
recordio_at_boundary(const struct recordio *r)
{
	return !r->failed && !r->in_record && r->digits == 0;
}
