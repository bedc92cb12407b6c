/*
 * tasker_bench.h
 *		Settings (GUCs) shared by the extension's C files.
 */
#ifndef TASKER_BENCH_H
#define TASKER_BENCH_H

/* tasker_bench.max_duration: longest accepted duration, in seconds */
extern int	tb_max_duration_s;

/* tasker_bench.progress_interval: ms between pg_stat_activity updates */
extern int	tb_progress_interval_ms;

/* tasker_bench.record_failures: record failed runs in their own transaction */
extern bool tb_record_failures;

/* tasker_bench.explain: capture EXPLAIN ANALYZE once per case */
extern bool tb_explain_enabled;
extern bool tb_vacuum_written;

/* tasker_bench.noise_threshold: percent change treated as noise */
extern double tb_noise_threshold;

/* tasker_bench.compare_noise_threshold: the same for two separate runs */
extern double tb_compare_noise_threshold;

/* tasker_bench.statements_top: nested statements kept per case */
extern int	tb_statements_top;

/* tasker_bench.history_runs: runs in the rolling median of alerts */
extern int	tb_history_runs;

/* tasker_bench.in_run: a run is measuring in this session (no nested runs) */
extern bool tb_in_run;
/* tasker_bench.quiet: the extension raises no NOTICEs of runs (quiet.c) */
extern bool tb_quiet;
extern void tb_quiet_init(void);

#endif							/* TASKER_BENCH_H */
