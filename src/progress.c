/*
 * progress.c
 *		tasker_bench._activity(label, what): shows what a run is doing in
 *		pg_stat_activity.query of its backend ("tasker_bench: <label>:
 *		<what>"), for the steps of a case outside the measuring loop
 *		(preparing parameters, EXPLAIN, nested statements); the loop reports
 *		its own (runner.c).  NULL restores the caller's query text.  The
 *		view tasker_bench.progress reads these lines back for any session.
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"

#include "runner.h"

PG_FUNCTION_INFO_V1(tb_activity);

Datum
tb_activity(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
	{
		if (debug_query_string)
			pgstat_report_activity(STATE_RUNNING, debug_query_string);
	}
	else
		tb_report_activity(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
						   text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}
