/*
 * tasker_bench.c
 *		Module entry point and settings (GUCs), and their getters for SQL;
 *		nothing else.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "driver.h"
#include "tasker_bench.h"

PG_MODULE_MAGIC;

int			tb_max_duration_s = 86400;
int			tb_progress_interval_ms = 250;
bool		tb_record_failures = true;
bool		tb_explain_enabled = true;
bool		tb_vacuum_written = true;
double		tb_noise_threshold = 2.0;
double		tb_compare_noise_threshold = 8.0;
int			tb_statements_top = 10;
int			tb_history_runs = 5;
bool		tb_in_run = false;
static int	tb_sampler = 0;

/* tasker_bench.sampler: how the tasker suite picks its sample steps */
static const struct config_enum_entry tb_sampler_options[] = {
	{"diverse", 0, false},
	{"tasker_core", 1, false},
	{NULL, 0, false}
};

void		_PG_init(void);

PG_FUNCTION_INFO_V1(tb_statements_top_get);
PG_FUNCTION_INFO_V1(tb_history_runs_get);
PG_FUNCTION_INFO_V1(tb_noise_threshold_get);
PG_FUNCTION_INFO_V1(tb_compare_noise_threshold_get);

/* the settings as SQL sees them, read through the loaded module */
Datum
tb_noise_threshold_get(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(tb_noise_threshold);
}

Datum
tb_compare_noise_threshold_get(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(tb_compare_noise_threshold);
}

Datum
tb_statements_top_get(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(tb_statements_top);
}

Datum
tb_history_runs_get(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(tb_history_runs);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("tasker_bench.max_duration",
							"Longest duration or warmup a single case may be given.",
							"A larger value is rejected as a likely mistake (e.g. '10 hours' meant as '10 seconds').",
							&tb_max_duration_s,
							86400, 1, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tasker_bench.progress_interval",
							"How often a running case updates pg_stat_activity.query.",
							NULL,
							&tb_progress_interval_ms,
							250, 10, 60000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("tasker_bench.record_failures",
							 "Record a run that fails as a failed run, in a transaction of its own.",
							 "The record is written by a short-lived background worker, so it survives the error that aborts the caller's transaction.",
							 &tb_record_failures,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tasker_bench.vacuum_written",
							 "VACUUM the tables a case's rolled-back writes left dead rows in, after the case.",
							 "So every case and every run plans against the tables as the last VACUUM left them; a short-lived background worker runs VACUUM (INDEX_CLEANUP ON, TRUNCATE OFF, SKIP_LOCKED) as the caller's role.",
							 &tb_vacuum_written,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("tasker_bench.explain",
							 "Capture EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) once per case and store it with the result.",
							 "The statement runs once more for it, in a subtransaction that is rolled back.",
							 &tb_explain_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("tasker_bench.noise_threshold",
							 "Change of the median, in percent, that comparisons treat as noise.",
							 "A change within this threshold is reported as unchanged; SQL functions use it as their tolerance.",
							 &tb_noise_threshold,
							 2.0, 0.0, 1000.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("tasker_bench.compare_noise_threshold",
							 "Smallest noise floor, in percent, of comparisons of two separate runs.",
							 "A case's floor is this or, with enough history, the spread of its own figure from run to run, whichever is larger; separate runs are exposed to shifts of the machine's speed that interleaved A/B runs cancel, so this is higher than tasker_bench.noise_threshold.",
							 &tb_compare_noise_threshold,
							 8.0, 0.0, 1000.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("tasker_bench.statements_top",
							"How many nested statements (from pg_stat_statements) are kept per case.",
							"The ones with the most total time; 0 keeps none.",
							&tb_statements_top,
							10, 0, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("tasker_bench.history_runs",
							"How many earlier completed runs form the rolling median a run without a baseline is compared with.",
							NULL,
							&tb_history_runs,
							5, 1, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("tasker_bench.in_run",
							 "Set while a run measures (a run cannot start inside another); not for users to set.",
							 NULL,
							 &tb_in_run,
							 false,
							 PGC_USERSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("tasker_bench.sampler",
							 "How the tasker suite picks the steps it samples.",
							 "diverse: per sampled task its deepest step and one from the middle; "
							 "tasker_core: per sampled task its first two steps by uuid, as tasker-core's benchmarks do.",
							 &tb_sampler,
							 0, tb_sampler_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/* each driver defines its own settings */
	tb_drivers_define_gucs();
	tb_quiet_init();

	MarkGUCPrefixReserved("tasker_bench");
}
