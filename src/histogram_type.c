/*
 * histogram_type.c
 *		tasker_bench.histogram: text and binary I/O, accessors, aggregates.
 *
 * The stored form is a varlena holding the histogram's compact encoding
 * (histogram.h); every input path, text or binary, is validated strictly
 * by the pure-C decoder before a value is accepted.  Values are
 * nanoseconds.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "histogram_type.h"

PG_FUNCTION_INFO_V1(tb_histogram_in);
PG_FUNCTION_INFO_V1(tb_histogram_out);
PG_FUNCTION_INFO_V1(tb_histogram_recv);
PG_FUNCTION_INFO_V1(tb_histogram_send);
PG_FUNCTION_INFO_V1(tb_histogram_percentile);
PG_FUNCTION_INFO_V1(tb_histogram_percentiles);
PG_FUNCTION_INFO_V1(tb_histogram_count);
PG_FUNCTION_INFO_V1(tb_histogram_mean);
PG_FUNCTION_INFO_V1(tb_histogram_stddev);
PG_FUNCTION_INFO_V1(tb_histogram_min);
PG_FUNCTION_INFO_V1(tb_histogram_max);
PG_FUNCTION_INFO_V1(tb_histogram_buckets);
PG_FUNCTION_INFO_V1(tb_histogram_agg_trans);
PG_FUNCTION_INFO_V1(tb_histogram_merge_trans);
PG_FUNCTION_INFO_V1(tb_histogram_agg_final);
PG_FUNCTION_INFO_V1(tb_histogram_agg_combine);
PG_FUNCTION_INFO_V1(tb_histogram_agg_serialize);
PG_FUNCTION_INFO_V1(tb_histogram_agg_deserialize);

TbHist *
tb_hist_new(void)
{
	TbHist	   *h = palloc(sizeof(TbHist));

	tbh_init(h);
	return h;
}

TbHist *
tb_hist_from_datum(Datum d)
{
	bytea	   *v = DatumGetByteaPP(d);
	TbHist	   *h = palloc(sizeof(TbHist));
	const char *err = NULL;

	if (!tbh_decode(h, (const uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &err))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored tasker_bench.histogram value is corrupt: %s", err)));
	return h;
}

Datum
tb_hist_to_datum(const TbHist *h)
{
	size_t		bound = tbh_encoded_size(h);
	bytea	   *v = palloc(VARHDRSZ + bound);
	size_t		len = tbh_encode(h, (uint8_t *) VARDATA(v));

	Assert(len <= bound);
	SET_VARSIZE(v, VARHDRSZ + len);
	return PointerGetDatum(v);
}

Datum
tb_histogram_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	TbHist	   *h = palloc(sizeof(TbHist));
	const char *err = NULL;

	if (!tbh_from_text(h, str, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type tasker_bench.histogram: \"%s\"",
						str),
				 errdetail("%s.", err),
				 errhint("The form is \"n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1\" (b lists bucket:count); "
						 "build histograms with tasker_bench.histogram_agg(bigint) rather than by hand.")));
	PG_RETURN_DATUM(tb_hist_to_datum(h));
}

Datum
tb_histogram_out(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	size_t		size = tbh_text_size(h);
	char	   *buf = palloc(size);

	tbh_to_text(h, buf, size);
	PG_RETURN_CSTRING(buf);
}

Datum
tb_histogram_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	TbHist	   *h = palloc(sizeof(TbHist));
	const char *err = NULL;
	int			len = buf->len - buf->cursor;

	if (!tbh_decode(h, (const uint8_t *) buf->data + buf->cursor, len, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary input for type tasker_bench.histogram: %s", err),
				 errhint("Send the bytes that tasker_bench.histogram's send function produced, unchanged.")));
	buf->cursor = buf->len;
	PG_RETURN_DATUM(tb_hist_to_datum(h));
}

Datum
tb_histogram_send(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
check_quantile(double q)
{
	if (isnan(q) || q < 0.0 || q > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile %g is outside [0, 1]", q),
				 errhint("Give the quantile as a fraction: 0.5 for the median, 0.99 for p99.")));
}

Datum
tb_histogram_percentile(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	double		q = PG_GETARG_FLOAT8(1);

	check_quantile(q);
	if (h->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(tbh_percentile(h, q));
}

Datum
tb_histogram_percentiles(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	ArrayType  *qs = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_NDIM(qs) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("percentiles must be a one-dimensional array")));
	deconstruct_array(qs, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("percentiles must not contain NULL")));
		check_quantile(DatumGetFloat8(elems[i]));
		if (h->count == 0)
			nulls[i] = true;
		else
			elems[i] = Float8GetDatum(tbh_percentile(h, DatumGetFloat8(elems[i])));
	}
	{
		int			dims[1];
		int			lbs[1];

		dims[0] = n;
		lbs[0] = 1;
		PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, FLOAT8OID,
												 sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
}

Datum
tb_histogram_count(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));

	PG_RETURN_INT64((int64) h->count);
}

Datum
tb_histogram_mean(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));

	if (h->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(tbh_mean(h));
}

Datum
tb_histogram_stddev(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));

	if (h->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(tbh_stddev(h));
}

Datum
tb_histogram_min(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));

	if (h->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(h->min);
}

Datum
tb_histogram_max(PG_FUNCTION_ARGS)
{
	TbHist	   *h = tb_hist_from_datum(PG_GETARG_DATUM(0));

	if (h->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(h->max);
}

/* hbuckets(h): one row per non-empty bucket (low, high, count). */
Datum
tb_histogram_buckets(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TbHist	   *h;
	TbHistBucket b;
	int			cursor = 0;

	InitMaterializedSRF(fcinfo, 0);
	h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	while (tbh_next_bucket(h, &cursor, &b))
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(b.low);
		values[1] = Int64GetDatum(b.high);
		values[2] = Int64GetDatum((int64) b.count);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- aggregates: the transition state is a palloc'd TbHist ---- */

static TbHist *
agg_state(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcontext;
	MemoryContext old;
	TbHist	   *h;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tasker_bench histogram aggregate called in a non-aggregate context")));
	if (!PG_ARGISNULL(argno))
		return (TbHist *) PG_GETARG_POINTER(argno);
	old = MemoryContextSwitchTo(aggcontext);
	h = tb_hist_new();
	MemoryContextSwitchTo(old);
	return h;
}

Datum
tb_histogram_agg_trans(PG_FUNCTION_ARGS)
{
	TbHist	   *h = agg_state(fcinfo, 0);
	int64		v;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(h);
	v = PG_GETARG_INT64(1);
	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("histogram value %lld is negative", (long long) v),
				 errhint("Histograms hold durations in nanoseconds, which are never negative.")));
	if (!tbh_record_n(h, v, 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("histogram count overflow")));
	PG_RETURN_POINTER(h);
}

Datum
tb_histogram_merge_trans(PG_FUNCTION_ARGS)
{
	TbHist	   *h = agg_state(fcinfo, 0);
	TbHist	   *other;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(h);
	other = tb_hist_from_datum(PG_GETARG_DATUM(1));
	if (!tbh_merge(h, other))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("histogram count overflow while merging")));
	pfree(other);
	PG_RETURN_POINTER(h);
}

Datum
tb_histogram_agg_final(PG_FUNCTION_ARGS)
{
	TbHist	   *h;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	h = (TbHist *) PG_GETARG_POINTER(0);
	PG_RETURN_DATUM(tb_hist_to_datum(h));
}

Datum
tb_histogram_agg_combine(PG_FUNCTION_ARGS)
{
	TbHist	   *dst;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	dst = agg_state(fcinfo, 0);
	if (!tbh_merge(dst, (TbHist *) PG_GETARG_POINTER(1)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("histogram count overflow while merging")));
	PG_RETURN_POINTER(dst);
}

Datum
tb_histogram_agg_serialize(PG_FUNCTION_ARGS)
{
	TbHist	   *h = (TbHist *) PG_GETARG_POINTER(0);

	PG_RETURN_DATUM(tb_hist_to_datum(h));
}

Datum
tb_histogram_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext old;
	TbHist	   *h;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("tasker_bench histogram aggregate called in a non-aggregate context")));
	old = MemoryContextSwitchTo(aggcontext);
	h = tb_hist_from_datum(PG_GETARG_DATUM(0));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(h);
}
