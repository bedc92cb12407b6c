/*
 * steps_worker.c
 *		Steps run in transactions of their own by one background worker,
 *		while the caller waits in its transaction: the steps of a sweep over
 *		sizes with concurrent clients, and the VACUUM of the tables a case's
 *		rolled-back writes left dead rows in.
 *
 * Sweeps.  Concurrent clients run in transactions of their own and see only
 * committed data, so a fixture built in the caller's transaction would be
 * invisible to them (and its TRUNCATE would lock them out).  So
 * tasker_bench_scale(sizes => ..., clients => ...) hands its steps (build
 * the fixture of a size; run the cases with N clients) to the worker, which
 * runs each as the fixed statement
 *
 *		SELECT tasker_bench._scale_step($1::jsonb)
 *
 * in a transaction that it commits: a fixture is committed before its
 * clients start, and each run is committed when it ends.  The caller
 * collects each step's result (a run id, or NULL), and goes on in its own
 * transaction, which sees what the steps committed (READ COMMITTED).
 *
 * VACUUM.  A case measured with its writes rolled back leaves the rows it
 * wrote behind as dead rows, and the pages they took: the tables grow, the
 * visibility map loses pages, and the planner, which reads both, plans the
 * next cases (and the next run) differently from the first run after a
 * VACUUM: index-only scans turn into index scans.  VACUUM cannot run in the
 * caller's transaction, so tasker_bench._vacuum(oid[]) has the worker run
 *
 *		VACUUM (INDEX_CLEANUP ON, TRUNCATE OFF, SKIP_LOCKED) the tables
 *
 * (by OID: no name is looked up or built).  Rows of aborted
 * (sub)transactions are removable at once, whatever the caller's
 * transaction still sees, so the tables are left as the VACUUM before the
 * run left them: every page all-visible again, the free space known.
 * TRUNCATE OFF because giving the empty pages back needs a lock the
 * caller's transaction may hold; SKIP_LOCKED because a table the caller's
 * transaction locked more strongly (or created) would make the worker wait
 * for the caller, which waits for the worker.  A table the caller's role
 * may not VACUUM is skipped with VACUUM's own warning in the server log.
 *
 * The worker connects to this database as the caller's role
 * (tb_clients_login_role) and takes the caller's settings.  Cancel,
 * statement_timeout or any error of the caller terminates the worker (which
 * stops its own clients on the way out) and waits until it is gone.  A
 * failed step's error is raised again by the caller with its message,
 * detail, hint and SQLSTATE.  A step (or one of its clients) that waits for
 * a lock the caller's transaction holds would wait for ever, so the caller
 * looks for such a waiter every second and fails instead.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/vacuum.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "clients.h"
#include "clock.h"
#include "tasker_bench.h"

PG_FUNCTION_INFO_V1(tb_scale_steps);
PG_FUNCTION_INFO_V1(tb_vacuum);

PGDLLEXPORT void tb_scale_steps_main(Datum arg);

#define TB_STEPS_MAGIC		0x74625331
#define KEY_SHARED			1
#define KEY_GUC				2
#define KEY_STEPS			3
#define STEPS_ERRLEN		1024
#define STEPS_POLL_MS		50
#define STEPS_LOCK_CHECK_NS INT64CONST(1000000000)

typedef enum StepsKind
{
	STEPS_SQL,					/* each step: SELECT tasker_bench._scale_step(step) */
	STEPS_VACUUM				/* one step: VACUUM the relations (an Oid array) */
} StepsKind;

typedef struct StepsShared
{
	StepsKind	kind;
	int			nrels;			/* STEPS_VACUUM: the Oids at KEY_STEPS */
	Oid			dboid;
	Oid			login_user;		/* the worker connects as this role */
	Oid			current_user;	/* and runs the steps as this one */
	int			nsteps;
	volatile int done;			/* steps committed */
	volatile int failed;		/* the error below is set */
	int			sqlerrcode;
	char		message[STEPS_ERRLEN];
	char		detail[STEPS_ERRLEN];
	char		hint[STEPS_ERRLEN];
	/* each step's result: a run id, or NULL */
	int64		result[FLEXIBLE_ARRAY_MEMBER];
	/* followed by nsteps bools: result is NULL */
} StepsShared;

#define STEPS_SHARED_SIZE(n)	(offsetof(StepsShared, result) + sizeof(int64) * (n) + sizeof(bool) * (n))
#define STEPS_ISNULL(sh)		((bool *) &(sh)->result[(sh)->nsteps])

/* ---------------------------------------------------------------- worker */

/*
 * VACUUM (INDEX_CLEANUP ON, TRUNCATE OFF, SKIP_LOCKED) the relations, as
 * the statement would from a client: outside a transaction block, in
 * transactions of VACUUM's own.
 */
static void
vacuum_relations(const Oid *rels, int n, Oid as_user)
{
	VacuumStmt *stmt = makeNode(VacuumStmt);
	int			i;

	stmt->is_vacuumcmd = true;
	stmt->options = list_make3(makeDefElem("index_cleanup", (Node *) makeString(pstrdup("on")), -1),
							   makeDefElem("truncate", (Node *) makeString(pstrdup("off")), -1),
							   makeDefElem("skip_locked", (Node *) makeString(pstrdup("on")), -1));
	for (i = 0; i < n; i++)
		stmt->rels = lappend(stmt->rels, makeVacuumRelation(NULL, rels[i], NIL));

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SetUserIdAndSecContext(as_user, SECURITY_LOCAL_USERID_CHANGE);
	pgstat_report_activity(STATE_RUNNING, "tasker_bench: VACUUM of the tables a case wrote");
	ExecVacuum(make_parsestate(NULL), stmt, true);
	CommitTransactionCommand();
}

void
tb_scale_steps_main(Datum arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	StepsShared *sh;
	const char *step;
	int			i;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tasker_bench scale steps: the sweep has already ended")));
	toc = shm_toc_attach(TB_STEPS_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		elog(ERROR, "tasker_bench scale steps: bad shared memory segment");
	sh = shm_toc_lookup(toc, KEY_SHARED, false);
	step = shm_toc_lookup(toc, KEY_STEPS, false);

	BackgroundWorkerInitializeConnectionByOid(sh->dboid, sh->login_user, 0);

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		tb_clients_restore_settings(shm_toc_lookup(toc, KEY_GUC, false));
		CommitTransactionCommand();

		if (sh->kind == STEPS_VACUUM)
		{
			vacuum_relations((const Oid *) step, sh->nrels, sh->current_user);
			STEPS_ISNULL(sh)[0] = true;
			pg_write_barrier();
			sh->done = 1;
		}
		for (i = 0; sh->kind == STEPS_SQL && i < sh->nsteps; i++)
		{
			Oid			argtypes[1] = {TEXTOID};
			Datum		args[1];
			bool		isnull = true;
			Datum		v = (Datum) 0;

			CHECK_FOR_INTERRUPTS();
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			SetUserIdAndSecContext(sh->current_user, SECURITY_LOCAL_USERID_CHANGE);
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING,
								   psprintf("tasker_bench: scale sweep, step %d of %d", i + 1, sh->nsteps));
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			args[0] = CStringGetTextDatum(step);
			if (SPI_execute_with_args("SELECT tasker_bench._scale_step($1::jsonb)", 1, argtypes, args,
									  NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "tasker_bench scale steps: step %d did not return its result", i + 1);
			v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			sh->result[i] = isnull ? 0 : DatumGetInt64(v);
			STEPS_ISNULL(sh)[i] = isnull;
			SPI_finish();
			PopActiveSnapshot();
			CommitTransactionCommand();
			pg_write_barrier();
			sh->done = i + 1;
			step += strlen(step) + 1;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		sh->sqlerrcode = edata->sqlerrcode;
		strlcpy(sh->message, edata->message ? edata->message : "", STEPS_ERRLEN);
		strlcpy(sh->detail, edata->detail ? edata->detail : "", STEPS_ERRLEN);
		strlcpy(sh->hint, edata->hint ? edata->hint : "", STEPS_ERRLEN);
		pg_write_barrier();
		sh->failed = 1;
		PG_RE_THROW();
	}
	PG_END_TRY();

	pgstat_report_activity(STATE_IDLE, NULL);
	dsm_detach(seg);
	proc_exit(0);
}

/* ---------------------------------------------------------------- caller */

typedef struct StepsLeader
{
	BackgroundWorkerHandle *handle; /* NULL: none running */
} StepsLeader;

static void
steps_cleanup(int code, Datum arg)
{
	StepsLeader *sl = (StepsLeader *) DatumGetPointer(arg);
	int64		deadline = tb_clock_ns() + INT64CONST(10000000000);
	pid_t		pid;

	if (sl->handle == NULL)
		return;
	TerminateBackgroundWorker(sl->handle);
	while (GetBackgroundWorkerPid(sl->handle, &pid) != BGWH_STOPPED && tb_clock_ns() < deadline)
		pg_usleep(1000L);
	sl->handle = NULL;
}

/* Does a backend wait for a lock this one holds?  (It would wait for ever.) */
static bool
someone_waits_for_me(void)
{
	uint32		i;

	for (i = 0; i < ProcGlobal->allProcCount; i++)
	{
		PGPROC	   *proc = &ProcGlobal->allProcs[i];
		int			pid = proc->pid;
		ArrayType  *blockers;
		Datum	   *elems;
		int			nelems;
		int			j;

		/* an unlocked look first: only backends waiting for a lock are asked about */
		if (pid == 0 || pid == MyProcPid || proc->waitLock == NULL)
			continue;
		blockers = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids, Int32GetDatum(pid)));
		deconstruct_array(blockers, INT4OID, 4, true, TYPALIGN_INT, &elems, NULL, &nelems);
		for (j = 0; j < nelems; j++)
			if (DatumGetInt32(elems[j]) == MyProcPid)
				return true;
	}
	return false;
}

/* what the caller's messages call the worker's work */
static const char *
steps_what(const StepsShared *sh)
{
	return sh->kind == STEPS_VACUUM ? "the VACUUM after a case" : "the sweep";
}

static void
wait_for_steps(StepsLeader *sl, StepsShared *sh)
{
	int64		next_lock_check = tb_clock_ns() + STEPS_LOCK_CHECK_NS;
	int			shown = -1;

	for (;;)
	{
		pid_t		pid;
		BgwHandleStatus st;

		CHECK_FOR_INTERRUPTS();
		st = GetBackgroundWorkerPid(sl->handle, &pid);
		pg_read_barrier();
		if (sh->failed)
			ereport(ERROR,
					(errcode(sh->sqlerrcode ? sh->sqlerrcode : ERRCODE_INTERNAL_ERROR),
					 errmsg("%s", sh->message),
					 sh->detail[0] ? errdetail("%s", sh->detail) : 0,
					 sh->hint[0] ? errhint("%s", sh->hint) : 0,
					 sh->kind == STEPS_VACUUM
					 ? errcontext("tasker_bench: VACUUM of the tables a case wrote (in a background worker)")
					 : errcontext("tasker_bench_scale, step %d of %d (in a transaction of its own)",
								  sh->done + 1, sh->nsteps)));
		if (st == BGWH_STOPPED || st == BGWH_POSTMASTER_DIED)
		{
			if (sh->done == sh->nsteps)
				break;
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the background worker of %s ended after %d of %d steps", steps_what(sh),
							sh->done, sh->nsteps),
					 errhint("The server log says why.")));
		}
		if (tb_clock_ns() >= next_lock_check)
		{
			if (someone_waits_for_me())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
						 errmsg("a step of %s waits for a lock this transaction holds", steps_what(sh)),
						 sh->kind == STEPS_VACUUM
						 ? errhint("Set tasker_bench.vacuum_written to off to leave the tables a run wrote to autovacuum.")
						 : errhint("A sweep over sizes with clients builds each fixture and runs each number of clients in transactions of their own: call it in a transaction that has not read or written the schema's tables (on its own, outside BEGIN ... COMMIT).")));
			next_lock_check = tb_clock_ns() + STEPS_LOCK_CHECK_NS;
		}
		if (sh->done != shown && sh->kind == STEPS_SQL)
		{
			shown = sh->done;
			pgstat_report_activity(STATE_RUNNING,
								   psprintf("tasker_bench: scale sweep: %d of %d steps done", shown,
											sh->nsteps));
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, STEPS_POLL_MS,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * Start the worker on nsteps steps of the kind (payload: the steps, or the
 * Oids to VACUUM), wait until it has done them all, and return the shared
 * state (in the segment, which the caller detaches).
 */
static StepsShared *
run_steps(StepsKind kind, int nsteps, int nrels, const void *payload, Size payload_len,
		  dsm_segment **segp)
{
	char	   *settings;
	Size		gucsize;
	shm_toc_estimator e;
	Size		segsize;
	dsm_segment *seg;
	shm_toc    *toc;
	StepsShared *sh;
	char	   *p;
	BackgroundWorker w;
	StepsLeader *sl;

	settings = tb_clients_settings(&gucsize);
	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, STEPS_SHARED_SIZE(nsteps));
	shm_toc_estimate_chunk(&e, gucsize);
	shm_toc_estimate_chunk(&e, payload_len);
	shm_toc_estimate_keys(&e, 3);
	segsize = shm_toc_estimate(&e);

	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(TB_STEPS_MAGIC, dsm_segment_address(seg), segsize);
	sh = shm_toc_allocate(toc, STEPS_SHARED_SIZE(nsteps));
	memset(sh, 0, STEPS_SHARED_SIZE(nsteps));
	sh->kind = kind;
	sh->nrels = nrels;
	sh->dboid = MyDatabaseId;
	sh->login_user = tb_clients_login_role();
	sh->current_user = GetUserId();
	sh->nsteps = nsteps;
	shm_toc_insert(toc, KEY_SHARED, sh);
	p = shm_toc_allocate(toc, gucsize);
	memcpy(p, settings, gucsize);
	shm_toc_insert(toc, KEY_GUC, p);
	p = shm_toc_allocate(toc, payload_len);
	memcpy(p, payload, payload_len);
	shm_toc_insert(toc, KEY_STEPS, p);

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "tasker_bench");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "tb_scale_steps_main");
	snprintf(w.bgw_name, BGW_MAXLEN, kind == STEPS_VACUUM ? "tasker_bench vacuum" : "tasker_bench scale sweep");
	snprintf(w.bgw_type, BGW_MAXLEN, kind == STEPS_VACUUM ? "tasker_bench vacuum" : "tasker_bench scale sweep");
	w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	w.bgw_notify_pid = MyProcPid;

	sl = palloc0(sizeof(StepsLeader));
	PG_ENSURE_ERROR_CLEANUP(steps_cleanup, PointerGetDatum(sl));
	{
		if (!RegisterDynamicBackgroundWorker(&w, &sl->handle))
		{
			sl->handle = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("no background worker slot is free for %s", steps_what(sh)),
					 kind == STEPS_VACUUM
					 ? errhint("The VACUUM after a case that wrote needs one background worker; max_worker_processes is %d (or set tasker_bench.vacuum_written to off).",
							   max_worker_processes)
					 : errhint("A sweep over sizes with clients needs one background worker besides its clients; max_worker_processes is %d.",
							   max_worker_processes)));
		}
		wait_for_steps(sl, sh);
		sl->handle = NULL;
	}
	PG_END_ENSURE_ERROR_CLEANUP(steps_cleanup, PointerGetDatum(sl));
	if (debug_query_string)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
	*segp = seg;
	return sh;
}

/*
 * tasker_bench._scale_steps(steps jsonb[]) returns bigint[]
 *
 * Runs tasker_bench._scale_step(step) for each step in order, each in a
 * transaction of its own (committed), in one background worker running as
 * the caller's role; returns each step's result.
 */
Datum
tb_scale_steps(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *elemnulls;
	int			n;
	StringInfoData steps;
	dsm_segment *seg;
	StepsShared *sh;
	Datum	   *results;
	int			dims[1];
	int			lbs[1] = {1};
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the steps of a sweep must not be NULL")));
	arr = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(arr, JSONBOID, -1, false, TYPALIGN_INT, &elems, &elemnulls, &n);
	initStringInfo(&steps);
	for (i = 0; i < n; i++)
	{
		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("step %d of the sweep is NULL", i + 1)));
		appendStringInfoString(&steps, DatumGetCString(DirectFunctionCall1(jsonb_out, elems[i])));
		appendStringInfoChar(&steps, '\0');
	}
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT8OID));

	sh = run_steps(STEPS_SQL, n, 0, steps.data, steps.len + 1, &seg);
	results = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		results[i] = Int64GetDatum(sh->result[i]);
	dims[0] = n;
	arr = construct_md_array(results, STEPS_ISNULL(sh), 1, dims, lbs, INT8OID, 8, FLOAT8PASSBYVAL,
							 TYPALIGN_DOUBLE);
	dsm_detach(seg);
	PG_RETURN_ARRAYTYPE_P(arr);
}

/*
 * tasker_bench._vacuum(rels oid[]) returns void
 *
 * VACUUM (INDEX_CLEANUP ON, TRUNCATE OFF, SKIP_LOCKED) the relations in
 * the worker, as the caller's role; returns when it is done.  NULL or empty:
 * nothing to do.
 */
Datum
tb_vacuum(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *elemnulls;
	int			n;
	Oid		   *rels;
	int			nrels = 0;
	int			i;
	dsm_segment *seg;

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	arr = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(arr, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &elemnulls, &n);
	rels = palloc(sizeof(Oid) * Max(n, 1));
	/* NULL and InvalidOid are skipped (an OID VACUUM cannot open is skipped by VACUUM) */
	for (i = 0; i < n; i++)
		if (!elemnulls[i] && OidIsValid(DatumGetObjectId(elems[i])))
			rels[nrels++] = DatumGetObjectId(elems[i]);
	if (nrels == 0)
		PG_RETURN_VOID();
	(void) run_steps(STEPS_VACUUM, 1, nrels, rels, sizeof(Oid) * nrels, &seg);
	dsm_detach(seg);
	PG_RETURN_VOID();
}
