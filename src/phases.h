/*
 * phases.h
 *		Phases and counters inside one iteration: a case's statement (an
 *		end-to-end workflow, say) calls tasker_bench.phase('discovery'),
 *		tasker_bench.phase('enqueue'), ... and tasker_bench.count('db_ops');
 *		the runner turns the time between marks into one histogram per phase,
 *		and the counts into per-call averages.
 *
 * The runner brackets every measured iteration with begin/end; marks made
 * outside a measured iteration (warmup, or no benchmark at all) are ignored,
 * so instrumented functions work the same when nobody is measuring.
 */
#ifndef TB_PHASES_H
#define TB_PHASES_H

#include "postgres.h"

#include "histogram.h"

#define TB_MAX_PHASES	32
#define TB_MAX_COUNTERS	32
#define TB_PHASE_NAMELEN 64
#define TB_OTHER_PHASE	"other"		/* time of an iteration before its first mark */

typedef struct TbPhaseSet
{
	int			nphases;
	char		names[TB_MAX_PHASES][TB_PHASE_NAMELEN];
	TbHist	   *hists[TB_MAX_PHASES];
	int			ncounters;
	char		counter_names[TB_MAX_COUNTERS][TB_PHASE_NAMELEN];
	int64		counters[TB_MAX_COUNTERS];
} TbPhaseSet;

/* Start collecting into set; its histograms are allocated in CurrentMemoryContext. */
extern void tb_phases_start(TbPhaseSet *set);

/* Stop collecting (also safe to call when not started, e.g. on error). */
extern void tb_phases_stop(void);

/* Bracket one measured iteration; t0/t1 are the timed region's clock reads. */
extern void tb_phases_begin_iteration(void);
extern void tb_phases_end_iteration(int64 t0, int64 t1);

#endif							/* TB_PHASES_H */
