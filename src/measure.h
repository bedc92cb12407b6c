/*
 * measure.h
 *		Argument checks shared by the measuring entry points.
 */
#ifndef TB_MEASURE_H
#define TB_MEASURE_H

#include "postgres.h"
#include "fmgr.h"

/*
 * Check the arguments argno (iterations bigint), argno + 1 (duration
 * interval) and argno + 2 (warmup interval) of fcinfo; errors on bad input.
 * iterations wins when both it and duration are given; *iterations = 0
 * means "run for *duration_ns".
 */
extern void tb_check_budget_args(FunctionCallInfo fcinfo, int argno, int64 *iterations,
								 int64 *duration_ns, int64 *warmup_ns);

#endif							/* TB_MEASURE_H */
