/*
 * driver.c
 *		The registered drivers, and one measurement of a case: prepare, the
 *		loop, the result row (the loop's figures, the summary, the driver's
 *		own), teardown.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "case_context.h"
#include "clock.h"
#include "driver.h"
#include "histogram_type.h"

static const TbDriver *const drivers[] = {
#define TB_DRIVER(n) &tb_##n##_driver,
#include "driver_list.h"
#undef TB_DRIVER
	NULL
};

const TbDriver *
tb_driver_lookup(const char *name)
{
	StringInfoData known;
	int			i;

	for (i = 0; drivers[i] != NULL; i++)
		if (name != NULL && strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	initStringInfo(&known);
	for (i = 0; drivers[i] != NULL; i++)
		appendStringInfo(&known, "%s%s", i > 0 ? ", " : "", drivers[i]->name);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown driver \"%s\"", name ? name : "(null)"),
			 errhint("The drivers are %s.", known.data)));
	return NULL;				/* keep the compiler quiet */
}

void
tb_drivers_define_gucs(void)
{
	int			i;

	for (i = 0; drivers[i] != NULL; i++)
		if (drivers[i]->define_gucs)
			drivers[i]->define_gucs();
}

/* The figures the loop took, whatever the driver. */
static void
report_common(const TbRunResult *res, double clock_ns, TbRow *row)
{
	int			i;

	tb_row_set(row, "histogram", tb_hist_to_datum(res->hist));
	/* the measurement type of version 0.1 has no summary, only n */
	if (tb_row_has(row, "p50_us"))
		tb_row_set_summary(row, res->hist, clock_ns);
	else
		tb_row_set(row, "n", Int64GetDatum((int64) res->hist->count));
	tb_row_set(row, "warmup_n", Int64GetDatum(res->warmup_n));
	tb_row_set_float8(row, "clock_ns", clock_ns);
	tb_row_set_float8(row, "wall_s", (double) res->wall_ns / 1e9);
	/*
	 * What a driver that runs no statement of its own would report: no rows,
	 * nothing written or rolled back, one parameter set.  The driver's report
	 * runs after this and sets what differs.
	 */
	tb_row_set_float8(row, "rows_per_call", 0.0);
	tb_row_set(row, "read_only", BoolGetDatum(true));
	tb_row_set(row, "rolled_back", BoolGetDatum(false));
	tb_row_set(row, "param_sets", Int32GetDatum(1));
	if (res->nblocks > 0)
	{
		Datum		blocks[TB_BLOCKS];
		Datum		probes[TB_BLOCKS];

		for (i = 0; i < res->nblocks; i++)
		{
			blocks[i] = Float8GetDatum(res->block_medians[i]);
			probes[i] = Float8GetDatum(res->probe_medians[i]);
		}
		tb_row_set(row, "block_medians_ns",
				   PointerGetDatum(construct_array(blocks, res->nblocks, FLOAT8OID, sizeof(float8),
												   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)));
		tb_row_set(row, "probe_medians_ns",
				   PointerGetDatum(construct_array(probes, res->nblocks, FLOAT8OID, sizeof(float8),
												   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)));
	}
}

Datum
tb_measure_case(const TbDriver *d, const TbCaseSpec *c, const TbRunSpec *spec, TupleDesc tupdesc)
{
	TbRunResult res;
	TbRow		row;
	double		clock_ns;
	void	   *state;
	TbCaseContext cctx;

	memset(&res, 0, sizeof(res));
	tb_row_init(&row, tupdesc);

	tb_case_context_push(&cctx, c->sql,
						 psprintf("tasker_bench: measuring %s", c->label ? c->label : "the statement"));
	state = d->prepare(c);
	PG_TRY();
	{
		clock_ns = tb_clock_read_cost_ns();
		res.hist = tb_hist_new();
		tb_run(d, state, spec, &res);
		report_common(&res, clock_ns, &row);
		d->report(state, &res, &row);
	}
	PG_CATCH();
	{
		if (d->teardown)
			d->teardown(state);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (d->teardown)
		d->teardown(state);
	tb_case_context_pop(&cctx);
	return tb_row_datum(&row);
}

void
tb_validate_case(const TbDriver *d, const TbCaseSpec *c)
{
	TbCaseSpec	v = *c;
	void	   *state;
	TbCaseContext cctx;

	v.validate_only = true;
	tb_case_context_push(&cctx, c->sql, "tasker_bench: checking the statement before measuring");
	state = d->prepare(&v);
	if (d->teardown)
		d->teardown(state);
	tb_case_context_pop(&cctx);
}
