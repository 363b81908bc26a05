/* test_wire.c - the bounded cursor. */
#include "helpers.h"
#include "dns/err.h"

static void
reads_in_order_and_stops_at_the_end(void **state)
{
	const uint8_t data[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
	struct wbuf w;

	(void)state;
	wire_init_read(&w, data, sizeof(data));
	assert_int_equal(wire_get_u16(&w), 0x1234);
	assert_int_equal(wire_get_u32(&w), 0x56789abc);
	assert_int_equal(w.lim - w.pos, 1);
	assert_int_equal(wire_err(&w), 0);
	/* Past the end: zero, sticky -E_SHORT, cursor unmoved. */
	assert_int_equal(wire_get_u16(&w), 0);
	assert_int_equal(wire_err(&w), -E_SHORT);
	assert_int_equal(wire_get_u32(&w), 0);
	assert_int_equal(w.pos, 6);
	wire_skip(&w, 1);
	assert_int_equal(w.pos, 6);
}

static void
writes_respect_the_limit_not_the_capacity(void **state)
{
	uint8_t mem[16];
	struct wbuf w;

	(void)state;
	memset(mem, 0xee, sizeof(mem));
	wire_init_write(&w, mem, sizeof(mem), 5);
	wire_put_u32(&w, 0x01020304);
	wire_put_u16(&w, 0xffff);	/* 2 bytes, 1 left */
	assert_int_equal(wire_err(&w), -E_SPACE);
	assert_int_equal(w.pos, 4);
	assert_int_equal(mem[4], 0xee);	/* nothing written past the cut */
	wire_put_u8(&w, 9);		/* sticky: still nothing */
	assert_int_equal(w.pos, 4);
}

static void
rewind_undoes_and_clears_the_error(void **state)
{
	uint8_t mem[8];
	struct wbuf w;
	size_t m;

	(void)state;
	wire_init_write(&w, mem, sizeof(mem), sizeof(mem));
	wire_put_u16(&w, 0xaaaa);
	m = wire_mark(&w);
	wire_put_u32(&w, 1);
	wire_put_u32(&w, 2);		/* overflows */
	assert_int_equal(wire_err(&w), -E_SPACE);
	wire_rewind(&w, m);
	assert_int_equal(wire_err(&w), 0);
	assert_int_equal(w.pos, 2);
	wire_put_u16(&w, 0x0102);
	wire_put_u16_at(&w, 0, 0xbeef);
	assert_int_equal(mem[0], 0xbe);
	assert_int_equal(mem[1], 0xef);
	assert_int_equal(mem[2], 0x01);
	/* Back-patching past what was written is an error. */
	wire_put_u16_at(&w, 3, 1);
	assert_int_equal(wire_err(&w), -E_SPACE);
}

static void
skip_and_peek_are_bounded(void **state)
{
	const uint8_t data[] = { 1, 2, 3 };
	struct wbuf w;

	(void)state;
	wire_init_read(&w, data, sizeof(data));
	assert_int_equal(wire_peek_at(&w, 2), 3);
	wire_skip(&w, 1);
	assert_int_equal(wire_get_u16(&w), 0x0203);
	assert_int_equal(wire_peek_at(&w, 3), 0);
	assert_int_equal(wire_err(&w), -E_SHORT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_in_order_and_stops_at_the_end),
		cmocka_unit_test(writes_respect_the_limit_not_the_capacity),
		cmocka_unit_test(rewind_undoes_and_clears_the_error),
		cmocka_unit_test(skip_and_peek_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
