/*
 * environment.c
 *		Facts about the machine a run is measured on, for the run's
 *		environment record: CPU count and the cost of a clock read.
 */
#include "postgres.h"

#include <unistd.h>

#include "fmgr.h"
#include "parser/parser.h"
#include "utils/builtins.h"

#include "clock.h"

PG_FUNCTION_INFO_V1(tb_cpu_count);
PG_FUNCTION_INFO_V1(tb_clock_read_cost);
PG_FUNCTION_INFO_V1(tb_check_syntax);

Datum
tb_cpu_count(PG_FUNCTION_ARGS)
{
	long		n = sysconf(_SC_NPROCESSORS_ONLN);

	PG_RETURN_INT32(n > 0 ? (int32) n : 1);
}

Datum
tb_clock_read_cost(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(tb_clock_read_cost_ns());
}

/*
 * tasker_bench._check_syntax(sql text, what text): raise a syntax error now
 * (at registration) rather than at run time; names are not resolved, so a
 * case may be registered before the tables it reads exist.
 */
Datum
tb_check_syntax(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	List	   *raw = raw_parser(sql, RAW_PARSE_DEFAULT);

	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be exactly one SQL statement, got %d", what, list_length(raw)),
				 errhint("Register each statement as its own case, or wrap them in a function.")));
	PG_RETURN_VOID();
}
