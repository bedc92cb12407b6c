/*
 * runner.c
 *		The one measuring loop: warmup, iterations or time budget, block
 *		medians and machine-speed probes, progress, per-iteration memory
 *		reset, interrupts.  What one iteration is belongs to the driver
 *		(driver.h); the loop never looks inside it.
 */
#include "postgres.h"

#include <sys/resource.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"

#include "clock.h"
#include "driver.h"
#include "runner.h"
#include "tasker_bench.h"

typedef struct Loop
{
	const TbDriver *d;
	void	   *state;
	MemoryContext iterctx;
	MemoryContext caller;
} Loop;

/* One iteration in the iteration context, reset after it; its timed ns. */
static int64
iterate(Loop *l, int64 i, bool measured)
{
	int64		d;

	MemoryContextSwitchTo(l->iterctx);
	d = l->d->iterate(l->state, i, measured);
	MemoryContextSwitchTo(l->caller);
	MemoryContextReset(l->iterctx);
	return d;
}

void
tb_report_activity(const char *label, const char *what)
{
	char		buf[512];

	snprintf(buf, sizeof(buf), "tasker_bench: %s: %s", label ? label : "case", what);
	pgstat_report_activity(STATE_RUNNING, buf);
}

static void
report_progress(const TbRunSpec *spec, const char *phase, int64 done, int64 start_ns, int64 now_ns)
{
	char		buf[256];

	if (spec->iterations > 0 && strcmp(phase, "measuring") == 0)
		snprintf(buf, sizeof(buf), "%s, %lld of %lld iterations",
				 phase, (long long) done, (long long) spec->iterations);
	else
		snprintf(buf, sizeof(buf), "%s, %lld iterations, %.1f of %.1f s",
				 phase, (long long) done, (double) (now_ns - start_ns) / 1e9,
				 (double) (strcmp(phase, "warmup") == 0 ? spec->warmup_ns : spec->duration_ns) / 1e9);
	tb_report_activity(spec->label, buf);
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

/*
 * The machine's speed now: the median of TB_PROBE_RUNS executions of a
 * fixed statement (TB_PROBE_SQL, by the executor driver).  Taken before
 * every block, so a comparison can tell a slower machine from a slower
 * statement.
 */
static double
probe_speed(Loop *probe, TbHist *h)
{
	int			i;

	tbh_init(h);
	for (i = 0; i < TB_PROBE_RUNS; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tbh_record_fast(h, iterate(probe, 0, false));
	}
	return tbh_percentile(h, 0.5);
}

/*
 * With a time budget, has the driver's cap on iterations (max_iterations)
 * been reached after i iterations?  Asked each time: a driver may learn only
 * from the iterations themselves whether they write.
 */
static bool
capped(const TbDriver *d, void *state, const TbRunSpec *spec, int64 i)
{
	int64		cap;

	if (spec->iterations > 0 || d->max_iterations == NULL)
		return false;
	cap = d->max_iterations(state);
	return cap > 0 && i >= cap;
}

void
tb_run(const TbDriver *d, void *state, const TbRunSpec *spec, TbRunResult *out)
{
	Loop		l;
	Loop		probe;
	TbCaseSpec	probe_case;
	TbHist	   *probe_hist = palloc(sizeof(TbHist));
	TbHist	   *block = palloc(sizeof(TbHist));
	MemoryContext caller = CurrentMemoryContext;
	int64		progress_ns = (int64) tb_progress_interval_ms * 1000000;
	bool		measuring = false;
	struct rusage ru0;
	struct rusage ru1;

	memset(&probe_case, 0, sizeof(probe_case));
	probe_case.sql = TB_PROBE_SQL;
	probe_case.rollback = 0;
	l.d = d;
	l.state = state;
	l.caller = caller;
	l.iterctx = AllocSetContextCreate(caller, "tasker_bench iteration", ALLOCSET_DEFAULT_SIZES);
	probe.d = &tb_executor_driver;
	probe.state = tb_executor_driver.prepare(&probe_case);
	probe.caller = caller;
	probe.iterctx = AllocSetContextCreate(caller, "tasker_bench probe", ALLOCSET_DEFAULT_SIZES);

	out->warmup_n = 0;
	out->wall_ns = 0;
	out->nblocks = 0;

	PG_TRY();
	{
		int64		start = tb_clock_ns();
		int64		now = start;
		int64		next_report = start;
		int64		i = 0;

		/* warmup: same work, nothing recorded */
		while (spec->warmup_ns > 0 && now - start < spec->warmup_ns &&
			   !(i > 0 && capped(d, state, spec, i)))
		{
			CHECK_FOR_INTERRUPTS();
			(void) iterate(&l, i, false);
			i++;
			now = tb_clock_ns();
			if (now >= next_report)
			{
				report_progress(spec, "warmup", i, start, now);
				next_report = now + progress_ns;
			}
		}
		out->warmup_n = i;

		/* measured phase: the iteration count (parameter rotation) restarts at 0 */
		if (d->begin_measured)
			d->begin_measured(state);
		measuring = true;
		getrusage(RUSAGE_SELF, &ru0);
		tbh_init(block);
		tb_report_activity(spec->label, "probing the machine's speed");
		out->probe_medians[0] = probe_speed(&probe, probe_hist);
		start = tb_clock_ns();
		now = start;
		next_report = start;
		for (i = 0;; i++)
		{
			int64		dur;
			bool		block_done;

			if (spec->iterations > 0 ? i >= spec->iterations
				: (i > 0 && (now - start >= spec->duration_ns || capped(d, state, spec, i))))
				break;
			CHECK_FOR_INTERRUPTS();
			dur = iterate(&l, i, true);
			tbh_record_fast(out->hist, dur);
			tbh_record_fast(block, dur);
			now = tb_clock_ns();
			if (spec->iterations > 0)
				block_done = (i + 1) % Max(spec->iterations / TB_BLOCKS, 1) == 0;
			else
			{
				/* by time, or by count when a cap may end the budget first */
				int64		cap = d->max_iterations ? d->max_iterations(state) : 0;

				block_done = now - start >= (out->nblocks + 1) * (spec->duration_ns / TB_BLOCKS) ||
					(cap > 0 && i + 1 >= (out->nblocks + 1) * Max(cap / TB_BLOCKS, 1));
			}
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
		measuring = false;
		if (d->end_measured)
			d->end_measured(state);
		out->cpu_user_us = (double) (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 +
			(double) (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec);
		out->cpu_sys_us = (double) (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 +
			(double) (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		if (measuring && d->end_measured)
			d->end_measured(state);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (tb_executor_driver.teardown)
		tb_executor_driver.teardown(probe.state);
	MemoryContextDelete(l.iterctx);
	MemoryContextDelete(probe.iterctx);
	pfree(block);
	pfree(probe_hist);
	if (debug_query_string)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
}
