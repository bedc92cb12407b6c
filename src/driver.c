/*
 * driver.c
 *		The registered drivers, the result row (columns set by name), and
 *		one measurement of a case: prepare, the loop, the row, teardown.
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

static int
row_column(TbRow *row, const char *column)
{
	int			i;

	for (i = 0; i < row->tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(row->tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return i;
	}
	elog(ERROR, "tasker_bench: the result row type has no column \"%s\"", column);
	return -1;					/* keep the compiler quiet */
}

void
tb_row_set(TbRow *row, const char *column, Datum value)
{
	int			i = row_column(row, column);

	row->values[i] = value;
	row->nulls[i] = false;
}

void
tb_row_set_float8(TbRow *row, const char *column, double value)
{
	tb_row_set(row, column, Float8GetDatum(value));
}

Oid
tb_row_element_type(TbRow *row, const char *column)
{
	return get_element_type(TupleDescAttr(row->tupdesc, row_column(row, column))->atttypid);
}

/* The figures the loop took, whatever the driver. */
static void
report_common(const TbRunResult *res, double clock_ns, TbRow *row)
{
	int			i;

	tb_row_set(row, "histogram", tb_hist_to_datum(res->hist));
	tb_row_set(row, "n", Int64GetDatum((int64) res->hist->count));
	tb_row_set(row, "warmup_n", Int64GetDatum(res->warmup_n));
	tb_row_set_float8(row, "clock_ns", clock_ns);
	tb_row_set_float8(row, "wall_s", (double) res->wall_ns / 1e9);
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
	int			i;
	TbCaseContext cctx;

	memset(&res, 0, sizeof(res));
	row.tupdesc = tupdesc;
	row.values = palloc0(sizeof(Datum) * tupdesc->natts);
	row.nulls = palloc(sizeof(bool) * tupdesc->natts);
	for (i = 0; i < tupdesc->natts; i++)
		row.nulls[i] = true;

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
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, row.values, row.nulls));
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
