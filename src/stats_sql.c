/*
 * stats_sql.c
 *		SQL wrappers of the pure-C statistics (stats.h): the summary of a
 *		result, median intervals, the comparison of two histograms, the
 *		complexity fit, Student t and Wilcoxon signed-rank figures of paired
 *		rounds, and the verdict rule.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "histogram_type.h"
#include "row.h"
#include "stats.h"

static double *float8_array(ArrayType *a, const char *what, int *n);
static Datum reason_datum(TbsReason reason, uint64_t n_a, uint64_t n_b);
static void comparison_figures(const TbsComparison *cmp, Datum *values, bool *nulls);
static void block_args(FunctionCallInfo fcinfo, int first, double **blocks_a, int *na,
					   double **probes_a, double **blocks_b, int *nb, double **probes_b);
static void check_finite(const double *x, int n, const char *what);

/* The arguments hcompare and _compare_case share (compare_args). */
typedef struct CompareArgs
{
	TbHist	   *a;				/* baseline */
	TbHist	   *b;				/* current */
	double		pct;			/* noise threshold or floor, percent */
	double		alpha;
	double	   *blocks_a;
	double	   *blocks_b;
	double	   *probes_a;
	double	   *probes_b;
	int			nblocks_a;
	int			nblocks_b;
	double	   *work;			/* scratch of the comparison */
} CompareArgs;

static bool compare_args(FunctionCallInfo fcinfo, int nstrict, const char *pct_what,
						 int conf_arg, int blocks_arg, CompareArgs *c);

PG_FUNCTION_INFO_V1(tb_hsummary);
PG_FUNCTION_INFO_V1(tb_hmedian_ci);
PG_FUNCTION_INFO_V1(tb_hcompare);
PG_FUNCTION_INFO_V1(tb_fit_complexity);
PG_FUNCTION_INFO_V1(tb_t_quantile);
PG_FUNCTION_INFO_V1(tb_mean_ci);
PG_FUNCTION_INFO_V1(tb_t_test_p);
PG_FUNCTION_INFO_V1(tb_signed_rank);
PG_FUNCTION_INFO_V1(tb_verdict);
PG_FUNCTION_INFO_V1(tb_judge);
PG_FUNCTION_INFO_V1(tb_noise_floor);
PG_FUNCTION_INFO_V1(tb_round_figure);
PG_FUNCTION_INFO_V1(tb_quantile_min_n);
PG_FUNCTION_INFO_V1(tb_round_p);
PG_FUNCTION_INFO_V1(tb_change_points);
PG_FUNCTION_INFO_V1(tb_compare_case);
PG_FUNCTION_INFO_V1(tb_category_tolerance);

static TupleDesc
result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	return BlessTupleDesc(tupdesc);
}

/* corrected figure in microseconds: raw ns minus the clock read cost, >= 0 */
static double
corrected_us(double raw_ns, double clock_ns)
{
	double		v = raw_ns - clock_ns;

	return (v > 0 ? v : 0) / 1000.0;
}

static void
check_conf(double conf)
{
	if (isnan(conf) || conf <= 0.0 || conf >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("confidence level %g is outside (0, 1)", conf),
				 errhint("Use 0.95 for a 95 %% interval.")));
}

static void
check_alpha(double alpha)
{
	if (isnan(alpha) || alpha <= 0 || alpha >= 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("significance level %g is outside (0, 1)", alpha),
				 errhint("Use 0.05 for a 5 %% significance level.")));
}

/*
 * hsummary(h histogram, clock_ns float8) -> n, min_us, mean_us, stddev_us,
 * p50_us, p90_us, p95_us, p99_us, p999_us, max_us, ops_per_s, and the Tukey
 * outlier counts.  Figures have the clock read cost subtracted and are
 * rounded to 3 significant digits (never finer than 0.001 us); a
 * percentile is NULL when n is too small to support it
 * (tbs_quantile_min_n: p90 10, p95 20, p99 100, p99.9 1000 samples).
 */
Datum
tb_hsummary(PG_FUNCTION_ARGS)
{
	TbRow		row;
	double		c = PG_ARGISNULL(1) ? 0.0 : PG_GETARG_FLOAT8(1);

	if (isnan(c) || isinf(c) || c < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clock_ns must be a finite number of nanoseconds, zero or more, got %g", c),
				 errhint("Pass the run's clock read cost (results.clock_ns), or 0.")));
	tb_row_init(&row, result_desc(fcinfo));
	tb_row_set_summary(&row, tb_hist_from_datum(PG_GETARG_DATUM(0)), c);
	PG_RETURN_DATUM(tb_row_datum(&row));
}

/* a figure for people: 3 significant digits, never finer than 1 ns */
static void
set_figure(TbRow *row, const char *column, double v)
{
	tb_row_set_float8(row, column, tbs_round_figure(v));
}

void
tb_row_set_summary(TbRow *row, const TbHist *h, double c)
{
	static const struct
	{
		double		q;
		const char *column;
	}			quantiles[] = {
		{0.50, "p50_us"}, {0.90, "p90_us"}, {0.95, "p95_us"}, {0.99, "p99_us"}, {0.999, "p999_us"}
	};
	TbsOutliers o;
	double		mean_us;
	int			i;

	tb_row_set(row, "n", Int64GetDatum((int64) h->count));
	if (h->count == 0)
		return;
	mean_us = corrected_us(tbh_mean(h), c);
	tbs_outliers(h, &o);
	set_figure(row, "min_us", corrected_us((double) h->min, c));
	set_figure(row, "mean_us", mean_us);
	set_figure(row, "stddev_us", tbh_stddev(h) / 1000.0);
	for (i = 0; i < lengthof(quantiles); i++)
	{
		/* a percentile only where n supports it (p99: 100 samples) */
		if (h->count >= tbs_quantile_min_n(quantiles[i].q))
			set_figure(row, quantiles[i].column, corrected_us(tbh_percentile(h, quantiles[i].q), c));
	}
	set_figure(row, "max_us", corrected_us((double) h->max, c));
	if (mean_us > 0)
		set_figure(row, "ops_per_s", 1e6 / mean_us);
	tb_row_set(row, "outliers_low_severe", Int64GetDatum((int64) o.low_severe_n));
	tb_row_set(row, "outliers_low_mild", Int64GetDatum((int64) o.low_mild_n));
	tb_row_set(row, "outliers_high_mild", Int64GetDatum((int64) o.high_mild_n));
	tb_row_set(row, "outliers_high_severe", Int64GetDatum((int64) o.high_severe_n));
}

/* hmedian_ci(h, conf) -> (low, high) in ns */
Datum
tb_hmedian_ci(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = result_desc(fcinfo);
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	double		conf = PG_GETARG_FLOAT8(1);
	Datum		values[2];
	bool		nulls[2] = {false, false};
	double		lo;
	double		hi;

	check_conf(conf);
	if (tbs_median_ci(h, conf, &lo, &hi))
	{
		values[0] = Float8GetDatum(lo);
		values[1] = Float8GetDatum(hi);
	}
	else
		nulls[0] = nulls[1] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * hcompare(baseline h, current h, threshold_pct, alpha, conf
 *			[, baseline_blocks float8[], current_blocks float8[]]) ->
 * change_pct, ci_low_pct, ci_high_pct, p_value, verdict
 *
 * NULL in any of the first five arguments gives NULL (as if strict); the
 * block medians are optional.
 */
Datum
tb_hcompare(PG_FUNCTION_ARGS)
{
	CompareArgs c;
	TbsComparison cmp;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (!compare_args(fcinfo, 5, "noise threshold", 4, 5, &c))
		PG_RETURN_NULL();
	/* the same procedure as the offline compare of the client (stats.c) */
	tbs_compare_runs(c.a, c.b, c.blocks_a, c.nblocks_a, c.probes_a, c.blocks_b, c.nblocks_b, c.probes_b,
					 c.pct, c.alpha, PG_GETARG_FLOAT8(4), c.work, &cmp);
	comparison_figures(&cmp, values, nulls);
	values[4] = CStringGetTextDatum(tbs_verdict_name(cmp.verdict));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc(fcinfo), values, nulls)));
}

static double *
float8_array(ArrayType *a, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *out;
	int			i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	out = palloc(sizeof(double) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
		out[i] = DatumGetFloat8(elems[i]);
	}
	return out;
}

/* change_pct, ci_low_pct, ci_high_pct, p of a comparison into values[0..3] (NULL without figures) */
static void
comparison_figures(const TbsComparison *cmp, Datum *values, bool *nulls)
{
	if (!cmp->valid)
		nulls[0] = nulls[1] = nulls[2] = nulls[3] = true;
	else
	{
		values[0] = Float8GetDatum(cmp->change_pct);
		values[1] = Float8GetDatum(cmp->ci_low_pct);
		values[2] = Float8GetDatum(cmp->ci_high_pct);
		values[3] = Float8GetDatum(cmp->p);
	}
}

/*
 * The optional block medians and probes of a comparison, from arguments
 * first .. first + 3 (baseline_blocks, current_blocks, baseline_probes,
 * current_probes): blocks only when both are given, probes only when both
 * are given with one per block (else NULL); NaN or infinity is an error.
 */
static void
block_args(FunctionCallInfo fcinfo, int first, double **blocks_a, int *na,
		   double **probes_a, double **blocks_b, int *nb, double **probes_b)
{
	*blocks_a = *blocks_b = *probes_a = *probes_b = NULL;
	*na = *nb = 0;
	if (PG_NARGS() > first + 1 && !PG_ARGISNULL(first) && !PG_ARGISNULL(first + 1))
	{
		*blocks_a = float8_array(PG_GETARG_ARRAYTYPE_P(first), "baseline_blocks", na);
		*blocks_b = float8_array(PG_GETARG_ARRAYTYPE_P(first + 1), "current_blocks", nb);
		if (PG_NARGS() > first + 3 && !PG_ARGISNULL(first + 2) && !PG_ARGISNULL(first + 3))
		{
			int			npa;
			int			npb;

			*probes_a = float8_array(PG_GETARG_ARRAYTYPE_P(first + 2), "baseline_probes", &npa);
			*probes_b = float8_array(PG_GETARG_ARRAYTYPE_P(first + 3), "current_probes", &npb);
			if (npa != *na || npb != *nb)
				*probes_a = *probes_b = NULL;
		}
	}
	check_finite(*blocks_a, *na, "baseline_blocks");
	check_finite(*blocks_b, *nb, "current_blocks");
	if (*probes_a)
	{
		check_finite(*probes_a, *na, "baseline_probes");
		check_finite(*probes_b, *nb, "current_probes");
	}
}

/*
 * The arguments of a comparison of two histograms: baseline and current
 * histogram (arguments 0, 1), the noise threshold or floor in percent (2,
 * named pct_what in errors), alpha (3), the confidence level (conf_arg; -1:
 * none) and the block and probe medians from blocks_arg on (block_args).
 * False when one of the first nstrict arguments is NULL (the function
 * returns NULL, as if strict); errors on bad input.
 */
static bool
compare_args(FunctionCallInfo fcinfo, int nstrict, const char *pct_what, int conf_arg,
			 int blocks_arg, CompareArgs *c)
{
	int			i;

	for (i = 0; i < nstrict; i++)
		if (PG_ARGISNULL(i))
			return false;
	c->a = tb_hist_from_datum(PG_GETARG_DATUM(0));
	c->b = tb_hist_from_datum(PG_GETARG_DATUM(1));
	c->pct = PG_GETARG_FLOAT8(2);
	c->alpha = PG_GETARG_FLOAT8(3);
	if (isnan(c->pct) || c->pct < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be zero or positive, got %g", pct_what, c->pct),
				 errhint("Give it in percent, e.g. 2 for 2 %%.")));
	check_alpha(c->alpha);
	if (conf_arg >= 0)
		check_conf(PG_GETARG_FLOAT8(conf_arg));
	block_args(fcinfo, blocks_arg, &c->blocks_a, &c->nblocks_a, &c->probes_a,
			   &c->blocks_b, &c->nblocks_b, &c->probes_b);
	c->work = palloc(sizeof(double) * (c->nblocks_a + c->nblocks_b + c->nblocks_a * c->nblocks_b + 1));
	return true;
}

/* fit_complexity(sizes float8[], values float8[]) -> complexity, r2, a, b */
Datum
tb_fit_complexity(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = result_desc(fcinfo);
	int			nn;
	int			ny;
	double	   *n = float8_array(PG_GETARG_ARRAYTYPE_P(0), "sizes", &nn);
	double	   *y = float8_array(PG_GETARG_ARRAYTYPE_P(1), "values", &ny);
	TbsFit		fit;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			i;

	if (nn != ny)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sizes has %d elements but values has %d", nn, ny)));
	if (nn < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a growth fit needs at least 2 sizes, got %d", nn)));
	for (i = 0; i < nn; i++)
		if (!(n[i] > 0) || isinf(n[i]) || isnan(y[i]) || isinf(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sizes must be positive and values finite")));
	if (!tbs_fit_complexity(n, y, nn, &fit))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not fit a growth model to these points")));
	values[0] = CStringGetTextDatum(tbs_complexity_name(fit.best));
	values[1] = Float8GetDatum(fit.r2[fit.best]);
	values[2] = Float8GetDatum(fit.a[fit.best]);
	values[3] = Float8GetDatum(fit.b[fit.best]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* t_quantile(p, df): Student t inverse CDF */
Datum
tb_t_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(p) || p <= 0 || p >= 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("probability %g is outside (0, 1)", p)));
	if (isnan(df) || df < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("degrees of freedom must be at least 1, got %g", df)));
	PG_RETURN_FLOAT8(tbs_t_quantile(p, df));
}

/* mean_ci(x float8[], conf) -> (mean, low, high): Student t interval of the mean */
Datum
tb_mean_ci(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = result_desc(fcinfo);
	int			n;
	double	   *x = float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	double		conf = PG_GETARG_FLOAT8(1);
	double		mean;
	double		lo;
	double		hi;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	check_conf(conf);
	if (!tbs_mean_ci(x, n, conf, &mean, &lo, &hi))
	{
		nulls[1] = nulls[2] = true;
		if (n < 1)
			nulls[0] = true;
		else
			mean = x[0];
	}
	values[0] = Float8GetDatum(mean);
	values[1] = Float8GetDatum(lo);
	values[2] = Float8GetDatum(hi);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* t_test_p(x float8[], mu): two-sided one-sample t-test p-value */
Datum
tb_t_test_p(PG_FUNCTION_ARGS)
{
	int			n;
	double	   *x = float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	double		p;

	if (n < 2)
		PG_RETURN_NULL();
	p = tbs_t_test_p(x, n, PG_GETARG_FLOAT8(1));
	if (isnan(p))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}

/*
 * signed_rank(x float8[], conf) -> (estimate, low, high, p_value): the
 * Hodges-Lehmann estimate of the location of x, its signed-rank interval
 * at level conf (NULL when x has too few values for the level) and the
 * two-sided Wilcoxon signed-rank p-value of location 0.  An empty array
 * gives a row of NULLs.  Any number of values (scratch space from palloc).
 */
Datum
tb_signed_rank(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = result_desc(fcinfo);
	int			n;
	double	   *x = float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	double		conf = PG_GETARG_FLOAT8(1);
	TbsSignedRank sr;
	Datum		values[4];
	bool		nulls[4] = {true, true, true, true};
	int			i;

	check_conf(conf);
	for (i = 0; i < n; i++)
		if (isnan(x[i]) || isinf(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("values must be finite, element %d is %g", i + 1, x[i])));
	if (n > 0)
	{
		double	   *work = palloc(sizeof(double) * n);

		if (!tbs_signed_rank_work(x, n, conf, work, &sr))
			elog(ERROR, "could not compute the signed-rank statistics of %d values", n);
		values[0] = Float8GetDatum(sr.estimate);
		values[1] = Float8GetDatum(sr.low);
		values[2] = Float8GetDatum(sr.high);
		values[3] = Float8GetDatum(sr.p);
		for (i = 0; i < 4; i++)
			nulls[i] = isnan(DatumGetFloat8(values[i]));
		pfree(work);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * verdict(change_pct, ci_low_pct, ci_high_pct, p, alpha, threshold_pct):
 * the verdict rule of tbs_verdict; a NULL argument counts as unknown.
 */
Datum
tb_verdict(PG_FUNCTION_ARGS)
{
	double		a[6];
	int			i;

	for (i = 0; i < 6; i++)
		a[i] = PG_ARGISNULL(i) ? NAN : PG_GETARG_FLOAT8(i);
	PG_RETURN_TEXT_P(cstring_to_text(tbs_verdict_name(tbs_verdict(a[0], a[1], a[2],
																	a[3], a[4], a[5]))));
}

/*
 * judge(change_pct, ci_low_pct, ci_high_pct, p, alpha, floor_pct, n_a, n_b)
 * -> (verdict, reason): the verdict rule of tbs_judge with its reason; a
 * NULL figure counts as unknown, a NULL n as too few.
 */
Datum
tb_judge(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc = result_desc(fcinfo);
	double		a[6];
	uint64_t	n[2];
	TbsReason	reason;
	TbsVerdict	v;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			i;

	for (i = 0; i < 6; i++)
		a[i] = PG_ARGISNULL(i) ? NAN : PG_GETARG_FLOAT8(i);
	for (i = 0; i < 2; i++)
		n[i] = (PG_ARGISNULL(6 + i) || PG_GETARG_INT64(6 + i) < 0) ? 0 : (uint64_t) PG_GETARG_INT64(6 + i);
	v = tbs_judge(a[0], a[1], a[2], a[3], a[4], a[5], n[0], n[1], TBS_VERDICT_MIN_N, &reason);
	values[0] = CStringGetTextDatum(tbs_verdict_name(v));
	values[1] = reason_datum(reason, n[0], n[1]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* The reason of a verdict as text; too few samples says how many. */
static Datum
reason_datum(TbsReason reason, uint64_t n_a, uint64_t n_b)
{
	if (reason == TBS_R_TOO_FEW)
		return CStringGetTextDatum(psprintf("%s (n %llu, a verdict needs %d)",
											tbs_reason_text(reason),
											(unsigned long long) Min(n_a, n_b),
											TBS_VERDICT_MIN_N));
	return CStringGetTextDatum(tbs_reason_text(reason));
}

/*
 * _compare_case(baseline, current, floor_pct, alpha, tolerance_pct, n_a, n_b,
 *               baseline_blocks, current_blocks, baseline_probes, current_probes)
 * -> (change_pct, ci_low_pct, ci_high_pct, p_value, verdict, reason,
 *     within_tolerance): one case of tasker_bench_compare, by
 * tbs_compare_case (the client's offline compare calls the same).  NULL
 * when either histogram, the floor or alpha is NULL; a NULL n counts as
 * too few, a NULL tolerance leaves within_tolerance NULL.
 */
Datum
tb_compare_case(PG_FUNCTION_ARGS)
{
	CompareArgs c;
	double		tol;
	uint64_t	n[2];
	TbsComparison cmp;
	int			within;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};
	int			i;

	if (!compare_args(fcinfo, 4, "noise floor", -1, 7, &c))
		PG_RETURN_NULL();
	tol = PG_ARGISNULL(4) ? NAN : PG_GETARG_FLOAT8(4);
	for (i = 0; i < 2; i++)
		n[i] = (PG_ARGISNULL(5 + i) || PG_GETARG_INT64(5 + i) < 0) ? 0 : (uint64_t) PG_GETARG_INT64(5 + i);

	tbs_compare_case(c.a, c.b, c.blocks_a, c.nblocks_a, c.probes_a, c.blocks_b, c.nblocks_b, c.probes_b,
					 c.pct, c.alpha, n[0], n[1], tol, c.work, &cmp, &within);
	comparison_figures(&cmp, values, nulls);
	values[4] = CStringGetTextDatum(tbs_verdict_name(cmp.verdict));
	values[5] = reason_datum(cmp.reason, n[0], n[1]);
	if (within < 0)
		nulls[6] = true;
	else
		values[6] = BoolGetDatum(within == 1);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc(fcinfo), values, nulls)));
}

/* category_tolerance(category, floor_pct): e2e 10, lifecycle 20, else the floor */
Datum
tb_category_tolerance(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(tbs_category_tolerance(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
											PG_GETARG_FLOAT8(1)));
}

/* noise_floor(levels float8[], z float8) -> percent, NULL with too few levels */
Datum
tb_noise_floor(PG_FUNCTION_ARGS)
{
	int			k;
	double	   *lv = float8_array(PG_GETARG_ARRAYTYPE_P(0), "levels", &k);
	double		z = PG_GETARG_FLOAT8(1);
	double		f;

	if (!(z > 0) || isinf(z))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("z must be a positive number, got %g", z),
				 errhint("For example 3: noise alone exceeds the floor in about 0.3 %% of comparisons.")));
	if (!tbs_noise_floor(lv, k, z, palloc(sizeof(double) * Max(k, 1)), &f))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(f);
}

/* round_figure(x): 3 significant digits, never finer than 0.001 */
Datum
tb_round_figure(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(tbs_round_figure(PG_GETARG_FLOAT8(0)));
}

/*
 * _quantile_min_n(q): the fewest samples a percentile q needs to be shown
 * (tbs_quantile_min_n, the rule tb_row_set_summary applies), for the SQL
 * that tells people why a percentile is missing.
 */
Datum
tb_quantile_min_n(PG_FUNCTION_ARGS)
{
	double		q = PG_GETARG_FLOAT8(0);

	if (isnan(q) || q < 0.0 || q >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("quantile %g is outside [0, 1)", q),
				 errhint("Pass a fraction, e.g. 0.99 for p99.")));
	PG_RETURN_INT64((int64) tbs_quantile_min_n(q));
}

/* round_p(p): a p-value to 3 significant digits (at any scale) */
Datum
tb_round_p(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(tbs_round_sig(PG_GETARG_FLOAT8(0), 3, 0.0));
}

/*
 * change_points(levels float8[], min_size, alpha, min_shift_pct) ->
 * SETOF (index, before, after, change_pct, p_value): index is 1-based, the
 * first level after the change.
 */
Datum
tb_change_points(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	TbsChangePoint *cps;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		int			n;
		double	   *x;
		int			min_size = PG_GETARG_INT32(1);
		double		alpha = PG_GETARG_FLOAT8(2);
		double		min_shift = PG_GETARG_FLOAT8(3);
		int			max_out;
		int			i;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		x = float8_array(PG_GETARG_ARRAYTYPE_P(0), "levels", &n);
		if (min_size < 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_size must be at least 2, got %d", min_size),
					 errhint("min_size is the fewest runs at a level: 3 keeps one noisy run from being a change point.")));
		check_alpha(alpha);
		if (isnan(min_shift) || min_shift < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_shift_pct must be zero or positive, got %g", min_shift)));
		for (i = 0; i < n; i++)
			if (!(x[i] > 0) || isinf(x[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("levels must be positive and finite, element %d is %g", i + 1, x[i])));
		max_out = Max(n / Max(min_size, 1), 1);
		cps = palloc(sizeof(TbsChangePoint) * max_out);
		funcctx->max_calls = tbs_change_points(x, n, min_size, alpha, min_shift,
											   palloc(sizeof(double) * (2 * n + 1)), cps, max_out);
		funcctx->user_fctx = cps;
		if (get_call_result_type(fcinfo, NULL, &funcctx->tuple_desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(funcctx->tuple_desc);
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	cps = funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		TbsChangePoint *c = &cps[funcctx->call_cntr];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(c->index + 1);
		values[1] = Float8GetDatum(c->before);
		values[2] = Float8GetDatum(c->after);
		values[3] = Float8GetDatum(tbs_round_figure(100.0 * (c->after / c->before - 1.0)));
		values[4] = Float8GetDatum(c->p);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/* block medians and probes are durations: NaN or infinity is bad input */
static void
check_finite(const double *x, int n, const char *what)
{
	int			i;

	for (i = 0; i < n; i++)
		if (isnan(x[i]) || isinf(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold finite numbers, element %d is %g", what, i + 1, x[i]),
					 errhint("Pass the block medians and probes a run stored (results.block_medians_ns, probe_medians_ns).")));
}
