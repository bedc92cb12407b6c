/*
 * runner.h
 *		The one measuring loop, whatever the driver (driver.h).
 */
#ifndef TB_RUNNER_H
#define TB_RUNNER_H

#include "postgres.h"

#include "utils/resowner.h"

#include "compat.h"
#include "histogram.h"

/*
 * The measured phase is cut into this many consecutive blocks (by iteration
 * count, or by time with a time budget); each block's median is kept, so a
 * comparison of two runs can see how much the figure drifts over time.
 */
#define TB_BLOCKS 20

/* the probe of the machine's speed taken before each block */
#define TB_PROBE_SQL	"SELECT sum(g) FROM generate_series(1, 200) g /* tasker_bench_probe */"
#define TB_PROBE_RUNS	25

typedef struct TbRunSpec
{
	int64		iterations;		/* > 0: exactly this many; 0: run for duration_ns */
	int64		duration_ns;	/* time budget when iterations = 0 */
	int64		warmup_ns;		/* >= 0 */
	const char *label;			/* shown in pg_stat_activity while running */
} TbRunSpec;

/* What the loop measured, whatever the driver. */
typedef struct TbRunResult
{
	TbHist	   *hist;			/* raw timed-region durations, ns */
	int64		warmup_n;		/* iterations run as warmup */
	int64		wall_ns;		/* wall-clock time of the measured phase */
	double		cpu_user_us;	/* getrusage of this backend over the measured phase */
	double		cpu_sys_us;
	int			nblocks;		/* the measured phase cut in up to TB_BLOCKS blocks */
	double		block_medians[TB_BLOCKS];	/* median (raw ns) of each block */
	double		probe_medians[TB_BLOCKS];	/* machine speed probe before each block */
} TbRunResult;

struct TbDriver;

/*
 * Run a prepared case: warmup, then the measured iterations (the i-th gets
 * i, for parameter rotation), a probe of the machine's speed before each
 * block.  Each iteration runs in a memory context reset after it.  Honours
 * cancel and statement_timeout between iterations; a driver's error
 * propagates (end_measured has been called).
 */
extern void tb_run(const struct TbDriver *d, void *state, const TbRunSpec *spec, TbRunResult *out);

/* Show "tasker_bench: <label>: <what>" in pg_stat_activity. */
extern void tb_report_activity(const char *label, const char *what);

/*
 * In a PG_CATCH block inside a subtransaction we began: roll it back, restore
 * the caller's memory context and resource owner, and raise the error again
 * (so a caller's own exception handling sees its own subtransaction on top).
 */
extern tb_noreturn void tb_rollback_subxact_and_rethrow(MemoryContext caller, ResourceOwner owner);

#endif							/* TB_RUNNER_H */
