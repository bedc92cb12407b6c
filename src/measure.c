/*
 * measure.c
 *		The SQL entry points of one measurement: argument checks, then
 *		target -> runner, returned as one composite row that the SQL layer
 *		summarises and stores.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "clock.h"
#include "case_context.h"
#include "histogram_type.h"
#include "measure.h"
#include "runner.h"
#include "target.h"
#include "tasker_bench.h"

PG_FUNCTION_INFO_V1(tb_check_budget);

#define NMEASURE_COLS 26
PG_FUNCTION_INFO_V1(tb_measure);
PG_FUNCTION_INFO_V1(tb_validate);

/* Interval as ns; months count 30 days.  Returns -1 when absurdly large. */
static int64
interval_ns(const Interval *iv)
{
	double		us = (double) iv->time +
		(double) iv->day * USECS_PER_DAY +
		(double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;

	if (us > (double) PG_INT64_MAX / 1000.0)
		return -1;
	return (int64) (us * 1000.0);
}

static void
check_interval(const char *what, const Interval *iv, bool allow_zero, int64 *ns)
{
	int64		v = interval_ns(iv);
	char	   *txt = DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv)));

	if (v == 0 && allow_zero)
	{
		*ns = 0;
		return;
	}
	if (v < 0 && iv->time >= 0 && iv->day >= 0 && iv->month >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s '%s' is longer than tasker_bench.max_duration (%d s)", what, txt,
						tb_max_duration_s),
				 errhint("Give a shorter %s, or raise tasker_bench.max_duration if you mean it.", what)));
	if (v < 0 || (v == 0 && !allow_zero) ||
		(iv->time < 0 || iv->day < 0 || iv->month < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s, got '%s'", what,
						allow_zero ? "zero or positive" : "positive", txt),
				 errhint("For example %s => '2 seconds'.", what)));
	if (v / 1000000000 > tb_max_duration_s)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s '%s' is longer than tasker_bench.max_duration (%d s)", what, txt,
						tb_max_duration_s),
				 errhint("Give a shorter %s, or raise tasker_bench.max_duration if you mean it.", what)));
	*ns = v;
}

/*
 * Shared checks of iterations / duration / warmup; the results in ns.
 * iterations wins over duration when both are given.
 */
void
tb_check_budget_args(FunctionCallInfo fcinfo, int argno, int64 *iterations,
					 int64 *duration_ns, int64 *warmup_ns)
{
	bool		have_iter = !PG_ARGISNULL(argno);
	bool		have_dur = !PG_ARGISNULL(argno + 1);

	if (!have_iter && !have_dur)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("neither iterations nor duration was given"),
				 errhint("Pass iterations => 10000 for a fixed count, or duration => '2 seconds' for a time budget.")));
	*iterations = 0;
	*duration_ns = 0;
	if (have_iter)
	{
		*iterations = PG_GETARG_INT64(argno);
		if (*iterations <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("iterations must be positive, got %lld", (long long) *iterations),
					 errhint("For example iterations => 10000, or leave it NULL and give a duration.")));
	}
	else
		check_interval("duration", PG_GETARG_INTERVAL_P(argno + 1), false, duration_ns);

	if (have_iter && have_dur)
	{
		int64		ignored;

		/* still reject a nonsensical duration, even though iterations wins */
		check_interval("duration", PG_GETARG_INTERVAL_P(argno + 1), false, &ignored);
	}

	if (PG_ARGISNULL(argno + 2))
		*warmup_ns = 0;
	else
		check_interval("warmup", PG_GETARG_INTERVAL_P(argno + 2), true, warmup_ns);
}

/* tasker_bench._check_budget(iterations bigint, duration interval, warmup interval) */
Datum
tb_check_budget(PG_FUNCTION_ARGS)
{
	int64		it;
	int64		d;
	int64		w;

	tb_check_budget_args(fcinfo, 0, &it, &d, &w);
	PG_RETURN_VOID();
}

/*
 * tasker_bench._measure(sql text, params text, iterations bigint,
 *		duration interval, warmup interval, rollback boolean, label text)
 */
Datum
tb_measure(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	char	   *sql;
	char	   *params = NULL;
	TbRunSpec	spec;
	TbRunResult res;
	TbTarget   *target;
	double		clock_ns;
	Datum		values[NMEASURE_COLS];
	bool		nulls[NMEASURE_COLS];
	int64		n;
	double		dn;
	TbCaseContext cctx;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "tasker_bench._measure must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the statement to measure is NULL"),
				 errhint("Give one SQL statement, e.g. 'SELECT 1'.")));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(1))
		params = text_to_cstring(PG_GETARG_TEXT_PP(1));

	memset(&spec, 0, sizeof(spec));
	tb_check_budget_args(fcinfo, 2, &spec.iterations, &spec.duration_ns, &spec.warmup_ns);
	spec.label = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));

	tb_case_context_push(&cctx, sql,
						 psprintf("tasker_bench: measuring %s", spec.label ? spec.label : "the statement"));
	target = tb_target_prepare(sql, params);
	spec.rollback = PG_ARGISNULL(5) ? !target->read_only : PG_GETARG_BOOL(5);

	clock_ns = tb_clock_read_cost_ns();
	res.hist = tb_hist_new();
	tb_run_target(target, &spec, &res);
	tb_case_context_pop(&cctx);
	n = (int64) res.hist->count;

	memset(nulls, 0, sizeof(nulls));
	dn = n > 0 ? (double) n : 1.0;
	values[0] = tb_hist_to_datum(res.hist);
	values[1] = Int64GetDatum(n);
	values[2] = Int64GetDatum(res.warmup_n);
	values[3] = Float8GetDatum(clock_ns);
	values[4] = Float8GetDatum((double) res.rows / dn);
	values[5] = BoolGetDatum(target->read_only);
	values[6] = BoolGetDatum(spec.rollback);
	values[7] = Float8GetDatum((double) res.plan_ns / dn / 1000.0);
	values[8] = Float8GetDatum((double) res.wall_ns / 1e9);
	values[9] = Int32GetDatum(target->nsets);
	/* resource use per call */
	values[10] = Float8GetDatum(res.cpu_user_us / dn);
	values[11] = Float8GetDatum(res.cpu_sys_us / dn);
	values[12] = Float8GetDatum((double) res.buffers.shared_blks_hit / dn);
	values[13] = Float8GetDatum((double) res.buffers.shared_blks_read / dn);
	values[14] = Float8GetDatum((double) res.buffers.shared_blks_dirtied / dn);
	values[15] = Float8GetDatum((double) res.buffers.shared_blks_written / dn);
	values[16] = Float8GetDatum((double) res.buffers.temp_blks_read / dn);
	values[17] = Float8GetDatum((double) res.buffers.temp_blks_written / dn);
	values[18] = Float8GetDatum((double) res.wal.wal_records / dn);
	values[19] = Float8GetDatum((double) res.wal.wal_bytes / dn);
	values[20] = Float8GetDatum((double) res.wal.wal_fpi / dn);
	/* phases and counters */
	if (res.phases.nphases > 0)
	{
		Datum	   *names = palloc(sizeof(Datum) * res.phases.nphases);
		Datum	   *hists = palloc(sizeof(Datum) * res.phases.nphases);
		Oid			histtype = get_element_type(TupleDescAttr(tupdesc, 22)->atttypid);
		int			i;

		for (i = 0; i < res.phases.nphases; i++)
		{
			names[i] = CStringGetTextDatum(res.phases.names[i]);
			hists[i] = tb_hist_to_datum(res.phases.hists[i]);
		}
		values[21] = PointerGetDatum(construct_array(names, res.phases.nphases, TEXTOID,
													 -1, false, TYPALIGN_INT));
		values[22] = PointerGetDatum(construct_array(hists, res.phases.nphases, histtype,
													 -1, false, TYPALIGN_INT));
	}
	else
		nulls[21] = nulls[22] = true;
	if (res.phases.ncounters > 0)
	{
		StringInfoData js;
		int			i;

		initStringInfo(&js);
		appendStringInfoChar(&js, '{');
		for (i = 0; i < res.phases.ncounters; i++)
		{
			if (i > 0)
				appendStringInfoString(&js, ", ");
			escape_json(&js, res.phases.counter_names[i]);
			appendStringInfo(&js, ": %.6g", (double) res.phases.counters[i] / dn);
		}
		appendStringInfoChar(&js, '}');
		values[23] = DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data));
	}
	else
		nulls[23] = true;
	if (res.nblocks > 0)
	{
		Datum		blocks[TB_BLOCKS];
		int			i;

		for (i = 0; i < res.nblocks; i++)
			blocks[i] = Float8GetDatum(res.block_medians[i]);
		values[24] = PointerGetDatum(construct_array(blocks, res.nblocks, FLOAT8OID, sizeof(float8),
													 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
	else
		nulls[24] = true;
	if (res.nblocks > 0)
	{
		Datum		probes[TB_BLOCKS];
		int			i;

		for (i = 0; i < res.nblocks; i++)
			probes[i] = Float8GetDatum(res.probe_medians[i]);
		values[25] = PointerGetDatum(construct_array(probes, res.nblocks, FLOAT8OID, sizeof(float8),
													 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
	else
		nulls[25] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * tasker_bench._validate(sql text, params text) returns integer
 *
 * Everything tb_measure does before the first iteration: parse, resolve,
 * plan-cache, fetch and convert the parameter sets.  Lets a suite reject
 * bad input before any case runs.  Returns the number of parameter sets.
 */
Datum
tb_validate(PG_FUNCTION_ARGS)
{
	TbTarget   *target;
	char	   *sql;
	TbCaseContext cctx;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the statement to measure is NULL"),
				 errhint("Give one SQL statement, e.g. 'SELECT 1'.")));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	tb_case_context_push(&cctx, sql, "tasker_bench: checking the statement before measuring");
	target = tb_target_prepare(sql, PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	tb_case_context_pop(&cctx);
	PG_RETURN_INT32(target->nsets);
}
