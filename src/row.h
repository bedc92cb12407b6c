/*
 * row.h
 *		A result row under construction whose columns are set by name, so a
 *		renamed or missing column is an error, never a silently NULL or
 *		shifted figure.  Columns not set stay NULL.
 */
#ifndef TB_ROW_H
#define TB_ROW_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "histogram.h"

typedef struct TbRow
{
	TupleDesc	tupdesc;
	Datum	   *values;
	bool	   *nulls;
} TbRow;

/* A row of tupdesc with every column NULL. */
extern void tb_row_init(TbRow *row, TupleDesc tupdesc);

/* Set a column by name; errors if the row type has no such column. */
extern void tb_row_set(TbRow *row, const char *column, Datum value);
extern void tb_row_set_float8(TbRow *row, const char *column, double value);

/* A float8 column's value, or dflt when it is NULL. */
extern double tb_row_get_float8(TbRow *row, const char *column, double dflt);

/* Whether the row type has a column of that name. */
extern bool tb_row_has(TbRow *row, const char *column);

/* The element type of an array column (by name). */
extern Oid	tb_row_element_type(TbRow *row, const char *column);

extern Datum tb_row_datum(TbRow *row);

/*
 * The summary of a histogram (stats_sql.c): n, min_us, mean_us, stddev_us,
 * p50_us ... max_us, ops_per_s and the Tukey outlier counts, in
 * microseconds with clock_ns (the cost of a clock read) subtracted.
 */
extern void tb_row_set_summary(TbRow *row, const TbHist *h, double clock_ns);

#endif							/* TB_ROW_H */
