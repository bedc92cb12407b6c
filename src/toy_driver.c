/*
 * toy_driver.c
 *		A driver that times an empty C function: the floor of the loop.
 */
#include "postgres.h"

#include "clock.h"
#include "driver.h"

static pg_noinline void
empty(void)
{
}

static void *
toy_prepare(const TbCaseSpec *c)
{
	return NULL;
}

static int64
toy_iterate(void *state, int64 i, bool measured)
{
	int64		t0 = tb_clock_ns();

	empty();
	return tb_clock_ns() - t0;
}

static void
toy_report(void *state, const TbRunResult *res, TbRow *row)
{
	tb_row_set(row, "read_only", BoolGetDatum(true));
	tb_row_set(row, "rolled_back", BoolGetDatum(false));
	tb_row_set_float8(row, "rows_per_call", 0.0);
	tb_row_set(row, "param_sets", Int32GetDatum(1));
}

const TbDriver tb_toy_driver = {
	.name = "toy",
	.prepare = toy_prepare,
	.iterate = toy_iterate,
	.report = toy_report,
};
