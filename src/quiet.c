/*
 * quiet.c
 *		The setting tasker_bench.quiet: when on, the extension does not
 *		raise the NOTICEs of its runs (run ids, backend PIDs, per-case
 *		figures), so the output of a test script that runs benchmarks stays
 *		the same from one run to the next.  The SQL side reads it through
 *		tasker_bench._quiet().
 */
#include "postgres.h"

#include "utils/guc.h"

#include "tasker_bench.h"

bool		tb_quiet = false;

void
tb_quiet_init(void)
{
	DefineCustomBoolVariable("tasker_bench.quiet",
							 "Keeps tasker_bench from raising the NOTICEs of its runs (run ids, backend PIDs, figures).",
							 "For test scripts whose output must not change from run to run; warnings and errors are still raised.",
							 &tb_quiet,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}
