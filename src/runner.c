/*
 * runner.c
 *		The measurement loop: warmup, iterations or time budget, parameter
 *		rotation, subtransaction rollback, interrupts, memory reset.
 *
 * One iteration:
 *
 *	  [subtransaction begin]  snapshot  get cached plan  buffer/WAL counters
 *	  t0 = clock
 *		  ExecutorStart / ExecutorRun / ExecutorFinish / ExecutorEnd
 *	  t1 = clock
 *	  buffer/WAL counters, phases marked by the statement
 *	  free query desc, release plan, pop snapshot
 *	  [subtransaction rollback | command counter increment]
 *	  record t1 - t0, reset iteration memory, check for interrupts
 *
 * Only the executor calls are inside the timed region.  Rows go to a
 * DestReceiver that counts and discards them.
 */
#include "postgres.h"

#include <sys/resource.h>

#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "clock.h"
#include "runner.h"
#include "tasker_bench.h"

typedef struct CountingDest
{
	DestReceiver pub;
	uint64		rows;
	const TbRunSpec *spec;		/* its row_hook, when measuring */
} CountingDest;

static bool
counting_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CountingDest *d = (CountingDest *) self;

	d->rows++;
	if (d->spec != NULL && d->spec->row_hook != NULL)
		d->spec->row_hook(slot, d->spec->hook_arg);
	return true;
}

static void
counting_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
counting_shutdown(DestReceiver *self)
{
}

static void
counting_destroy(DestReceiver *self)
{
}

typedef struct LoopState
{
	TbTarget   *target;
	CountingDest dest;
	MemoryContext iterctx;
	bool		rollback;
	bool		in_subxact;
	bool		measured;		/* false during warmup */
	int64		plan_ns;
	BufferUsage buffers;
	WalUsage	wal;
} LoopState;

/* One iteration; returns the timed duration in ns. */
static int64
run_once(LoopState *ls, ParamListInfo params)
{
	MemoryContext caller = MemoryContextSwitchTo(ls->iterctx);
	ResourceOwner owner = CurrentResourceOwner;
	CachedPlan *cplan;
	ListCell   *lc;
	int64		elapsed = 0;
	int64		p0;
	bool		first = true;
	BufferUsage buf0;
	WalUsage	wal0;
	int64		it0 = (ls->dest.spec != NULL) ? tb_clock_ns() : 0;

	if (ls->rollback)
	{
		BeginInternalSubTransaction(NULL);
		ls->in_subxact = true;
		MemoryContextSwitchTo(ls->iterctx);
	}

	PushActiveSnapshot(GetTransactionSnapshot());
	p0 = tb_clock_ns();
	cplan = GetCachedPlan(ls->target->plansource, params, NULL, NULL);
	ls->plan_ns += tb_clock_ns() - p0;

	foreach(lc, cplan->stmt_list)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);
		QueryDesc  *qd;
		int64		t0;
		int64		t1;

		if (!first)
		{
			CommandCounterIncrement();
			UpdateActiveSnapshotCommandId();
		}
		first = false;
		qd = CreateQueryDesc(stmt, ls->target->sql, GetActiveSnapshot(),
							 InvalidSnapshot, &ls->dest.pub, params, NULL, 0);
		if (ls->measured)
		{
			buf0 = pgBufferUsage;
			wal0 = pgWalUsage;
			tb_phases_begin_iteration();
		}

		t0 = tb_clock_ns();
		ExecutorStart(qd, 0);
		ExecutorRun(qd, ForwardScanDirection, 0, true);
		ExecutorFinish(qd);
		ExecutorEnd(qd);
		t1 = tb_clock_ns();

		if (ls->measured)
		{
			tb_phases_end_iteration(t0, t1);
			BufferUsageAccumDiff(&ls->buffers, &pgBufferUsage, &buf0);
			WalUsageAccumDiff(&ls->wal, &pgWalUsage, &wal0);
		}
		elapsed += t1 - t0;
		FreeQueryDesc(qd);
	}
	ReleaseCachedPlan(cplan, NULL);
	PopActiveSnapshot();

	if (ls->rollback)
	{
		RollbackAndReleaseCurrentSubTransaction();
		ls->in_subxact = false;
		CurrentResourceOwner = owner;
	}
	else
		CommandCounterIncrement();
	if (ls->dest.spec != NULL && ls->dest.spec->iteration_hook != NULL)
		ls->dest.spec->iteration_hook(it0, tb_clock_ns(), ls->dest.spec->hook_arg);

	MemoryContextSwitchTo(caller);
	MemoryContextReset(ls->iterctx);
	return elapsed;
}

static void
report_progress(const TbRunSpec *spec, const char *phase, int64 done, int64 start_ns, int64 now_ns)
{
	char		buf[512];

	if (spec->iterations > 0 && strcmp(phase, "measuring") == 0)
		snprintf(buf, sizeof(buf), "tasker_bench: %s: %s, %lld of %lld iterations",
				 spec->label ? spec->label : "case", phase,
				 (long long) done, (long long) spec->iterations);
	else
		snprintf(buf, sizeof(buf), "tasker_bench: %s: %s, %lld iterations, %.1f of %.1f s",
				 spec->label ? spec->label : "case", phase, (long long) done,
				 (double) (now_ns - start_ns) / 1e9,
				 (double) (strcmp(phase, "warmup") == 0 ? spec->warmup_ns : spec->duration_ns) / 1e9);
	pgstat_report_activity(STATE_RUNNING, buf);
}

void
tb_rollback_subxact_and_rethrow(MemoryContext caller, ResourceOwner owner)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(caller);
	edata = CopyErrorData();
	FlushErrorState();
	RollbackAndReleaseCurrentSubTransaction();
	CurrentResourceOwner = owner;
	ReThrowError(edata);
}

static void
loop_init(LoopState *ls, TbTarget *t, bool rollback, MemoryContext parent)
{
	memset(ls, 0, sizeof(LoopState));
	ls->target = t;
	ls->rollback = rollback;
	ls->dest.pub.receiveSlot = counting_receive;
	ls->dest.pub.rStartup = counting_startup;
	ls->dest.pub.rShutdown = counting_shutdown;
	ls->dest.pub.rDestroy = counting_destroy;
	ls->dest.pub.mydest = DestNone;
	ls->iterctx = AllocSetContextCreate(parent, "tasker_bench iteration",
										ALLOCSET_DEFAULT_SIZES);
}

/*
 * The machine's speed now: the median of TB_PROBE_RUNS executions of a
 * fixed statement (TB_PROBE_SQL).  Taken before every block, so a
 * comparison can tell a slower machine from a slower statement.
 */
static double
probe_speed(LoopState *probe, TbHist *h)
{
	int			i;

	tbh_init(h);
	for (i = 0; i < TB_PROBE_RUNS; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tbh_record_fast(h, run_once(probe, NULL));
	}
	return tbh_percentile(h, 0.5);
}

void
tb_run_target(TbTarget *t, const TbRunSpec *spec, TbRunResult *out)
{
	LoopState	ls;
	LoopState	probe;
	TbHist	   *probe_hist = palloc(sizeof(TbHist));
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int64		progress_ns = (int64) tb_progress_interval_ms * 1000000;
	struct rusage ru0;
	struct rusage ru1;
	TbHist	   *block = palloc(sizeof(TbHist));

	loop_init(&ls, t, spec->rollback, caller);
	loop_init(&probe, tb_target_prepare(TB_PROBE_SQL, NULL), false, caller);

	out->warmup_n = 0;
	out->rows = 0;
	out->plan_ns = 0;
	out->wall_ns = 0;

	PG_TRY();
	{
		int64		start = tb_clock_ns();
		int64		now = start;
		int64		next_report = start;
		int64		i = 0;

		/* warmup: same work, nothing recorded */
		while (spec->warmup_ns > 0 && now - start < spec->warmup_ns)
		{
			CHECK_FOR_INTERRUPTS();
			(void) run_once(&ls, t->sets[i % t->nsets]);
			i++;
			now = tb_clock_ns();
			if (now >= next_report)
			{
				report_progress(spec, "warmup", i, start, now);
				next_report = now + progress_ns;
			}
		}
		out->warmup_n = i;

		/* measured phase: parameter rotation restarts at the first set */
		ls.dest.rows = 0;
		ls.plan_ns = 0;
		ls.measured = true;
		if (spec->row_hook != NULL || spec->iteration_hook != NULL)
			ls.dest.spec = spec;
		tb_phases_start(&out->phases);
		getrusage(RUSAGE_SELF, &ru0);
		start = tb_clock_ns();
		now = start;
		next_report = start;
		out->nblocks = 0;
		tbh_init(block);
		out->probe_medians[0] = probe_speed(&probe, probe_hist);
		start = tb_clock_ns();
		now = start;
		for (i = 0;; i++)
		{
			int64		d;
			bool		block_done;

			if (spec->iterations > 0 ? i >= spec->iterations
				: (i > 0 && now - start >= spec->duration_ns))
				break;
			CHECK_FOR_INTERRUPTS();
			d = run_once(&ls, t->sets[i % t->nsets]);
			tbh_record_fast(out->hist, d);
			tbh_record_fast(block, d);
			now = tb_clock_ns();
			if (spec->iterations > 0)
				block_done = (i + 1) % Max(spec->iterations / TB_BLOCKS, 1) == 0;
			else
				block_done = now - start >= (out->nblocks + 1) * (spec->duration_ns / TB_BLOCKS);
			if (block_done && out->nblocks < TB_BLOCKS - 1)
			{
				out->block_medians[out->nblocks++] = tbh_percentile(block, 0.5);
				tbh_init(block);
				out->probe_medians[out->nblocks] = probe_speed(&probe, probe_hist);
			}
			if (now >= next_report)
			{
				report_progress(spec, "measuring", i + 1, start, now);
				next_report = now + progress_ns;
			}
		}
		if (block->count > 0)
			out->block_medians[out->nblocks++] = tbh_percentile(block, 0.5);
		out->wall_ns = now - start;
		getrusage(RUSAGE_SELF, &ru1);
		tb_phases_stop();
		out->rows = ls.dest.rows;
		out->plan_ns = ls.plan_ns;
		out->buffers = ls.buffers;
		out->wal = ls.wal;
		out->cpu_user_us = (double) (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 +
			(double) (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec);
		out->cpu_sys_us = (double) (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 +
			(double) (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
	}
	PG_CATCH();
	{
		tb_phases_stop();
		if (ls.in_subxact)
			tb_rollback_subxact_and_rethrow(caller, owner);
		PG_RE_THROW();
	}
	PG_END_TRY();

	MemoryContextDelete(ls.iterctx);
	MemoryContextDelete(probe.iterctx);
	pfree(block);
	pfree(probe_hist);
	if (debug_query_string)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
}
