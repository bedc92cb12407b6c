/*
 * runner.h
 *		The measurement loop.
 */
#ifndef TB_RUNNER_H
#define TB_RUNNER_H

#include "postgres.h"

#include "executor/instrument.h"
#include "executor/tuptable.h"
#include "utils/resowner.h"

#include "histogram.h"
#include "phases.h"
#include "target.h"

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
	bool		rollback;		/* each iteration in a subtransaction rolled back */
	const char *label;			/* shown in pg_stat_activity while running */
	/*
	 * Optional, for concurrent clients (clients.c): row_hook sees each row a
	 * measured iteration returns; iteration_hook is called after each
	 * measured iteration with its start and end (clock ns, the
	 * subtransaction included).  hook_arg is passed to both.
	 */
	void		(*row_hook) (TupleTableSlot *slot, void *arg);
	void		(*iteration_hook) (int64 start_ns, int64 end_ns, void *arg);
	void	   *hook_arg;
} TbRunSpec;

typedef struct TbRunResult
{
	TbHist	   *hist;			/* raw timed-region durations, ns */
	int64		warmup_n;		/* iterations run as warmup */
	uint64		rows;			/* rows produced by the measured iterations */
	int64		plan_ns;		/* total time getting the plan (outside timing) */
	int64		wall_ns;		/* wall-clock time of the measured phase */
	BufferUsage buffers;		/* inside the timed regions, summed */
	WalUsage	wal;			/* inside the timed regions, summed */
	double		cpu_user_us;	/* getrusage over the measured phase */
	double		cpu_sys_us;
	TbPhaseSet	phases;			/* phases and counters the statement marked */
	int			nblocks;		/* the measured phase cut in up to TB_BLOCKS blocks */
	double		block_medians[TB_BLOCKS];	/* median (raw ns) of each block */
	double		probe_medians[TB_BLOCKS];	/* machine speed probe before each block */
} TbRunResult;

/*
 * Run the target: warmup, then the measured iterations; parameter sets
 * rotated in order.  Only executor start/run/finish/end of the prepared
 * plan is timed.  Raises the target's error (after undoing its own
 * subtransaction) if an iteration fails, and honours cancel and
 * statement_timeout between and inside iterations.
 */
extern void tb_run_target(TbTarget *t, const TbRunSpec *spec, TbRunResult *out);

/*
 * In a PG_CATCH block inside a subtransaction we began: roll it back, restore
 * the caller's memory context and resource owner, and raise the error again
 * (so a caller's own exception handling sees its own subtransaction on top).
 */
extern void tb_rollback_subxact_and_rethrow(MemoryContext caller, ResourceOwner owner) pg_attribute_noreturn();

#endif							/* TB_RUNNER_H */
