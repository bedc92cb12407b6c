/*
 * explain.c
 *		The plan of a case, captured once: EXPLAIN (ANALYZE, BUFFERS, FORMAT
 *		JSON) of the statement with its first parameter set, executed in a
 *		subtransaction that is always rolled back (ANALYZE runs the
 *		statement, and a case must leave the data as it found it).
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "case_context.h"
#include "runner.h"
#include "target.h"

PG_FUNCTION_INFO_V1(tb_explain);

/* tasker_bench._explain(sql text, params text) returns text (JSON) */
Datum
tb_explain(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	TbTarget   *t;
	char	   *sql;
	Datum	   *values;
	char	   *nulls;
	char	   *result = NULL;
	int			i;
	TbCaseContext cctx;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	tb_case_context_push(&cctx, NULL, "tasker_bench: EXPLAIN ANALYZE of the measured statement");
	t = tb_target_prepare(text_to_cstring(PG_GETARG_TEXT_PP(0)),
						  PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	sql = psprintf("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", t->sql);
	values = palloc0(sizeof(Datum) * Max(t->nargs, 1));
	nulls = palloc0(Max(t->nargs, 1) + 1);
	for (i = 0; i < t->nargs; i++)
	{
		ParamExternData *p = &t->sets[0]->params[i];

		values[i] = p->value;
		nulls[i] = p->isnull ? 'n' : ' ';
	}

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args(sql, t->nargs, t->argtypes, values, nulls, false, 0) < 0 ||
			SPI_processed != 1)
			elog(ERROR, "EXPLAIN returned no plan");
		{
			char	   *plan = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			MemoryContext old = MemoryContextSwitchTo(caller);

			result = pstrdup(plan);
			MemoryContextSwitchTo(old);
		}
		SPI_finish();
	}
	PG_CATCH();
	{
		tb_rollback_subxact_and_rethrow(caller, owner);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	tb_case_context_pop(&cctx);

	PG_RETURN_TEXT_P(cstring_to_text(result));
}
