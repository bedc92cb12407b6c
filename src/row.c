/*
 * row.c
 *		Result rows whose columns are set by name (row.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/lsyscache.h"

#include "row.h"

void
tb_row_init(TbRow *row, TupleDesc tupdesc)
{
	int			i;

	row->tupdesc = tupdesc;
	row->values = palloc0(sizeof(Datum) * tupdesc->natts);
	row->nulls = palloc(sizeof(bool) * tupdesc->natts);
	for (i = 0; i < tupdesc->natts; i++)
		row->nulls[i] = true;
}

static int
find_column(TbRow *row, const char *column)
{
	int			i;

	for (i = 0; i < row->tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(row->tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return i;
	}
	return -1;
}

bool
tb_row_has(TbRow *row, const char *column)
{
	return find_column(row, column) >= 0;
}

static int
row_column(TbRow *row, const char *column)
{
	int			i = find_column(row, column);

	if (i >= 0)
		return i;
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

double
tb_row_get_float8(TbRow *row, const char *column, double dflt)
{
	int			i = row_column(row, column);

	return row->nulls[i] ? dflt : DatumGetFloat8(row->values[i]);
}

Oid
tb_row_element_type(TbRow *row, const char *column)
{
	return get_element_type(TupleDescAttr(row->tupdesc, row_column(row, column))->atttypid);
}

Datum
tb_row_datum(TbRow *row)
{
	return HeapTupleGetDatum(heap_form_tuple(row->tupdesc, row->values, row->nulls));
}
