/*
 * measure.c
 *		The SQL entry points of one measurement: argument checks, then
 *		driver -> loop (driver.c, runner.c), returned as one composite row
 *		that the SQL layer stores.
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
#include "driver.h"
#include "measure.h"
#include "tasker_bench.h"

PG_FUNCTION_INFO_V1(tb_check_budget);

PG_FUNCTION_INFO_V1(tb_measure_driver);
PG_FUNCTION_INFO_V1(tb_validate_driver);

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

static TupleDesc
result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "tasker_bench: a measuring function must return a composite");
	return BlessTupleDesc(tupdesc);
}

static const char *
arg_text(FunctionCallInfo fcinfo, int argno)
{
	return argno < 0 || PG_ARGISNULL(argno) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* Where an entry point has each argument of a case (-1: it has none). */
typedef struct ArgMap
{
	int			sql;
	int			params;
	int			options;
	int			budget;			/* iterations, then duration and warmup */
	int			rollback;
	int			label;
} ArgMap;

/* The case (and, with a budget, the run spec) from fcinfo's arguments. */
static void
case_from_args(FunctionCallInfo fcinfo, const ArgMap *m, TbCaseSpec *c, TbRunSpec *spec)
{
	memset(c, 0, sizeof(*c));
	c->sql = arg_text(fcinfo, m->sql);
	c->params = arg_text(fcinfo, m->params);
	c->options = m->options < 0 || PG_ARGISNULL(m->options) ? NULL : PG_GETARG_JSONB_P(m->options);
	c->rollback = m->rollback < 0 || PG_ARGISNULL(m->rollback) ? -1 : (int) PG_GETARG_BOOL(m->rollback);
	c->label = arg_text(fcinfo, m->label);
	if (spec == NULL)
		return;
	memset(spec, 0, sizeof(*spec));
	tb_check_budget_args(fcinfo, m->budget, &spec->iterations, &spec->duration_ns, &spec->warmup_ns);
	spec->label = c->label;
}

static Datum
measure_entry(FunctionCallInfo fcinfo, const TbDriver *d, const ArgMap *m)
{
	TbCaseSpec	c;
	TbRunSpec	spec;

	case_from_args(fcinfo, m, &c, &spec);
	return tb_measure_case(d, &c, &spec, result_desc(fcinfo));
}

static void
validate_entry(FunctionCallInfo fcinfo, const TbDriver *d, const ArgMap *m)
{
	TbCaseSpec	c;

	case_from_args(fcinfo, m, &c, NULL);
	tb_validate_case(d, &c);
}

/*
 * tasker_bench._measure_driver(driver text, sql text, params text,
 *		options jsonb, iterations bigint, duration interval, warmup interval,
 *		rollback boolean, label text) returns tasker_bench.measurement
 *
 * Measures one case with the named driver; stores nothing.
 */
Datum
tb_measure_driver(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {1, 2, 3, 4, 7, 8};

	PG_RETURN_DATUM(measure_entry(fcinfo, tb_driver_lookup(arg_text(fcinfo, 0)), &m));
}

/*
 * tasker_bench._validate_driver(driver text, sql text, params text,
 *		options jsonb) returns void
 *
 * Everything a measurement does before its first iteration (for the
 * executor: parse, resolve, plan-cache, fetch and convert the parameter
 * sets; for notify: the options, the loopback and the statement), so a
 * suite rejects bad input before any case runs.
 */
Datum
tb_validate_driver(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {1, 2, 3, -1, -1, -1};

	validate_entry(fcinfo, tb_driver_lookup(arg_text(fcinfo, 0)), &m);
	PG_RETURN_VOID();
}

/*
 * The entry points of version 0.1, each one driver with fixed arguments
 * (the 0.1 install script names them, so they stay in the library).
 */
PG_FUNCTION_INFO_V1(tb_measure);
PG_FUNCTION_INFO_V1(tb_measure_notify);
PG_FUNCTION_INFO_V1(tb_validate);
PG_FUNCTION_INFO_V1(tb_validate_notify);

/* tasker_bench._measure(sql, params, iterations, duration, warmup, rollback, label) */
Datum
tb_measure(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {0, 1, -1, 2, 5, 6};

	PG_RETURN_DATUM(measure_entry(fcinfo, &tb_executor_driver, &m));
}

/* tasker_bench._measure_notify(sql, params, options, iterations, duration, warmup, label) */
Datum
tb_measure_notify(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {0, 1, 2, 3, -1, 6};

	PG_RETURN_DATUM(measure_entry(fcinfo, &tb_notify_driver, &m));
}

/* tasker_bench._validate(sql, params) returns integer (1) */
Datum
tb_validate(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {0, 1, -1, -1, -1, -1};

	validate_entry(fcinfo, &tb_executor_driver, &m);
	PG_RETURN_INT32(1);
}

/* tasker_bench._validate_notify(sql, params, options) returns integer (1) */
Datum
tb_validate_notify(PG_FUNCTION_ARGS)
{
	static const ArgMap m = {0, 1, 2, -1, -1, -1};

	validate_entry(fcinfo, &tb_notify_driver, &m);
	PG_RETURN_INT32(1);
}
