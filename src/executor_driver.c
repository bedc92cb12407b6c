/*
 * executor_driver.c
 *		The executor driver: a statement's prepared plan, executed in this
 *		backend, parameter sets rotated in order.
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
 *
 * Only the executor calls are inside the timed region.  Rows go to a
 * DestReceiver that counts and discards them.  The loop (runner.c) resets
 * the iteration's memory and checks for interrupts.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "clock.h"
#include "compat.h"
#include "driver.h"
#include "histogram_type.h"
#include "phases.h"
#include "target.h"

typedef struct CountingDest
{
	DestReceiver pub;
	uint64		rows;
	bool		measured;		/* a measured iteration is running */
	void		(*row_hook) (TupleTableSlot *slot, void *arg);
	void	   *row_hook_arg;
} CountingDest;

static bool
counting_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CountingDest *d = (CountingDest *) self;

	d->rows++;
	if (d->row_hook != NULL && d->measured)
		d->row_hook(slot, d->row_hook_arg);
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

typedef struct ExecState
{
	TbTarget   *target;
	CountingDest dest;
	bool		rollback;
	bool		wrote;			/* an iteration wrote (or locked rows): it had a transaction id */
	int64		plan_ns;		/* measured phase: getting the plan (outside timing) */
	BufferUsage buffers;		/* measured phase: inside the timed regions, summed */
	WalUsage	wal;
	TbPhaseSet	phases;			/* phases and counters the statement marked */
} ExecState;

static void *
exec_prepare(const TbCaseSpec *c)
{
	ExecState  *s = palloc0(sizeof(ExecState));

	if (c->sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the statement to measure is NULL"),
				 errhint("Give one SQL statement, e.g. 'SELECT 1'.")));
	if (c->options != NULL && !(JB_ROOT_IS_OBJECT(c->options) && JB_ROOT_COUNT(c->options) == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the executor driver takes no options"),
				 errhint("Leave options NULL; rollback and params are arguments of their own.")));
	s->target = tb_target_get(c->sql, c->params);
	s->rollback = c->rollback < 0 ? !s->target->read_only : c->rollback != 0;
	s->dest.pub.receiveSlot = counting_receive;
	s->dest.pub.rStartup = counting_startup;
	s->dest.pub.rShutdown = counting_shutdown;
	s->dest.pub.rDestroy = counting_destroy;
	s->dest.pub.mydest = DestNone;
	s->dest.row_hook = c->row_hook;
	s->dest.row_hook_arg = c->row_hook_arg;
	return s;
}

static void
exec_begin_measured(void *state)
{
	ExecState  *s = (ExecState *) state;

	s->dest.rows = 0;
	s->plan_ns = 0;
	tb_phases_start(&s->phases);
}

static void
exec_end_measured(void *state)
{
	tb_phases_stop();
}

/* The statement once; the timed ns. */
static int64
run_statement(ExecState *s, ParamListInfo params, bool measured)
{
	CachedPlan *cplan;
	ListCell   *lc;
	int64		elapsed = 0;
	int64		p0;
	bool		first = true;
	BufferUsage buf0;
	WalUsage	wal0;

	/* a run's saved plan: its use is tracked, so an error releases it */
	ResourceOwner owner = s->target->plansource->is_saved ? CurrentResourceOwner : NULL;

	s->dest.measured = measured;
	PushActiveSnapshot(GetTransactionSnapshot());
	p0 = tb_clock_ns();
	cplan = GetCachedPlan(s->target->plansource, params, owner, NULL);
	if (measured)
		s->plan_ns += tb_clock_ns() - p0;

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
		qd = CreateQueryDesc(stmt, s->target->sql, GetActiveSnapshot(),
							 InvalidSnapshot, &s->dest.pub, params, NULL, 0);
		if (measured)
		{
			buf0 = pgBufferUsage;
			wal0 = pgWalUsage;
			tb_phases_begin_iteration();
		}

		t0 = tb_clock_ns();
		ExecutorStart(qd, 0);
		tb_executor_run(qd, ForwardScanDirection, 0);
		ExecutorFinish(qd);
		ExecutorEnd(qd);
		t1 = tb_clock_ns();

		if (measured)
		{
			tb_phases_end_iteration(t0, t1);
			BufferUsageAccumDiff(&s->buffers, &pgBufferUsage, &buf0);
			WalUsageAccumDiff(&s->wal, &pgWalUsage, &wal0);
		}
		elapsed += t1 - t0;
		FreeQueryDesc(qd);
	}
	ReleaseCachedPlan(cplan, owner);
	PopActiveSnapshot();
	return elapsed;
}

static int64
exec_iterate(void *state, int64 i, bool measured)
{
	ExecState  *s = (ExecState *) state;
	ParamListInfo params = s->target->sets[i % s->target->nsets];
	MemoryContext iterctx = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int64		elapsed;

	if (!s->rollback)
	{
		elapsed = run_statement(s, params, measured);
		CommandCounterIncrement();
		return elapsed;
	}

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(iterctx);
	PG_TRY();
	{
		elapsed = run_statement(s, params, measured);
		if (TransactionIdIsValid(GetCurrentTransactionIdIfAny()))
			s->wrote = true;
	}
	PG_CATCH();
	{
		tb_rollback_subxact_and_rethrow(iterctx, owner);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	CurrentResourceOwner = owner;
	MemoryContextSwitchTo(iterctx);
	return elapsed;
}

static void
exec_report(void *state, const TbRunResult *res, TbRow *row)
{
	ExecState  *s = (ExecState *) state;
	TbPhaseSet *ph = &s->phases;
	double		dn = res->hist->count > 0 ? (double) res->hist->count : 1.0;

	tb_row_set_float8(row, "rows_per_call", (double) s->dest.rows / dn);
	tb_row_set(row, "read_only", BoolGetDatum(s->target->read_only));
	tb_row_set(row, "rolled_back", BoolGetDatum(s->rollback));
	tb_row_set_float8(row, "plan_us", (double) s->plan_ns / dn / 1000.0);
	tb_row_set(row, "param_sets", Int32GetDatum(s->target->nsets));
	/* resource use per call */
	tb_row_set_float8(row, "cpu_user_us", res->cpu_user_us / dn);
	tb_row_set_float8(row, "cpu_sys_us", res->cpu_sys_us / dn);
	tb_row_set_float8(row, "shared_blks_hit", (double) s->buffers.shared_blks_hit / dn);
	tb_row_set_float8(row, "shared_blks_read", (double) s->buffers.shared_blks_read / dn);
	tb_row_set_float8(row, "shared_blks_dirtied", (double) s->buffers.shared_blks_dirtied / dn);
	tb_row_set_float8(row, "shared_blks_written", (double) s->buffers.shared_blks_written / dn);
	tb_row_set_float8(row, "temp_blks_read", (double) s->buffers.temp_blks_read / dn);
	tb_row_set_float8(row, "temp_blks_written", (double) s->buffers.temp_blks_written / dn);
	tb_row_set_float8(row, "wal_records", (double) s->wal.wal_records / dn);
	tb_row_set_float8(row, "wal_bytes", (double) s->wal.wal_bytes / dn);
	tb_row_set_float8(row, "wal_fpi", (double) s->wal.wal_fpi / dn);

	/* phases and counters */
	if (ph->nphases > 0)
	{
		Datum	   *names = palloc(sizeof(Datum) * ph->nphases);
		Datum	   *hists = palloc(sizeof(Datum) * ph->nphases);
		int			i;

		for (i = 0; i < ph->nphases; i++)
		{
			names[i] = CStringGetTextDatum(ph->names[i]);
			hists[i] = tb_hist_to_datum(ph->hists[i]);
		}
		tb_row_set(row, "phase_names",
				   PointerGetDatum(construct_array(names, ph->nphases, TEXTOID, -1, false, TYPALIGN_INT)));
		tb_row_set(row, "phase_histograms",
				   PointerGetDatum(construct_array(hists, ph->nphases, tb_row_element_type(row, "phase_histograms"), -1, false,
												   TYPALIGN_INT)));
	}
	if (ph->ncounters > 0)
	{
		StringInfoData js;
		int			i;

		initStringInfo(&js);
		appendStringInfoChar(&js, '{');
		for (i = 0; i < ph->ncounters; i++)
		{
			if (i > 0)
				appendStringInfoString(&js, ", ");
			escape_json(&js, ph->counter_names[i]);
			appendStringInfo(&js, ": %.6g", (double) ph->counters[i] / dn);
		}
		appendStringInfoChar(&js, '}');
		tb_row_set(row, "counters", DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data)));
	}
}

/*
 * tasker_bench.max_write_iterations: a statement that writes (or locks rows)
 * stops after this many iterations of a time budget.  Each iteration's writes are rolled back
 * (or committed), but the rows and index entries they made stay behind as
 * dead ones until VACUUM: they slow what is measured after them, and when
 * autovacuum then cleans up, the new table sizes can change plans.  Capped,
 * a suite's writing cases leave little enough that two runs in a row measure
 * the same data.
 */
static int	max_write_iterations = 50;

static void
exec_define_gucs(void)
{
	DefineCustomIntVariable("tasker_bench.max_write_iterations",
							"Iterations after which a statement that writes stops within its time budget (0: no cap).",
							"Each iteration of a writing statement leaves dead rows until VACUUM; the cap keeps one run from changing the data the next one measures. An explicit iterations => count is not capped.",
							&max_write_iterations,
							50, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}

static int64
exec_max_iterations(void *state)
{
	ExecState  *s = (ExecState *) state;

	/*
	 * Rolled back, an iteration that wrote had its own transaction id;
	 * committed ones cannot be told apart from the run's own writes, so a
	 * statement that may write counts as writing.
	 */
	if (s->rollback ? s->wrote : !s->target->read_only)
		return max_write_iterations;
	return 0;
}

static int
exec_param_sets(void *state)
{
	return ((ExecState *) state)->target->nsets;
}

/*
 * Nothing to release: the prepared case lives in the caller's memory, or
 * (in a run) belongs to the run, which validation, this measurement and the
 * EXPLAIN share (target.c).
 */
const TbDriver tb_executor_driver = {
	.name = "executor",
	.define_gucs = exec_define_gucs,
	.prepare = exec_prepare,
	.begin_measured = exec_begin_measured,
	.iterate = exec_iterate,
	.end_measured = exec_end_measured,
	.report = exec_report,
	.max_iterations = exec_max_iterations,
	.param_sets = exec_param_sets,
};

