/*
 * clients.c
 *		Concurrent clients: a case run at once by N dynamic background
 *		workers, each the same measuring loop (runner.c) in its own backend.
 *
 * The leader (the backend that called tasker_bench._measure_clients):
 *
 *	  validates the case with its driver (bad input fails here, before any
 *	  worker starts);
 *	  creates a DSM segment (shm_toc) holding the case, the budget, the
 *	  caller's settings, one slot per client (state, error, the client's
 *	  measurement row and histogram) and one claim buffer per client;
 *	  registers N workers (BGW_NEVER_RESTART, notify pid = leader), each
 *	  connecting to this database as the role running the case;
 *	  waits until every client has prepared the case with the case's driver,
 *	  then releases them at once (a flag and a condition variable);
 *	  while they run, samples every client's wait_event_info from its PGPROC
 *	  every TB_WAIT_SAMPLE_MS ms (measured phase only), and watches for a
 *	  client that failed or vanished;
 *	  merges the clients' measurement rows column by column, counts claims
 *	  that overlapped, and waits until every worker has exited.
 *
 * A client runs the one measuring loop (tb_measure_case) through a driver
 * that wraps the case's own: it starts the parameter rotation at the
 * client's share of the parameter sets and, for claims, notes when each measured iteration
 * started and ended.
 *
 * A client's error (message, detail, hint, SQLSTATE) is copied into its
 * slot and raised again by the leader.  Any error or exit of the leader
 * (cancel, statement_timeout, a failed client, FATAL) terminates every
 * worker and waits for them to be gone (PG_ENSURE_ERROR_CLEANUP), so no
 * worker outlives its run.  Workers take SIGTERM through die(), i.e. at
 * their next CHECK_FOR_INTERRUPTS, which the runner reaches inside and
 * between iterations.
 *
 * Claims: when the case is not read-only, every row a client's measured
 * iteration returns is recorded as (hash of its first column, start and
 * end of the iteration).  Two records of the same key from different
 * clients whose intervals overlap are a row claimed by two clients at once.
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/condition_variable.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/wait_event.h"

#include "clients.h"
#include "clock.h"
#include "compat.h"
#include "driver.h"
#include "histogram_type.h"
#include "measure.h"
#include "runner.h"
#include "target.h"
#include "tasker_bench.h"

PG_FUNCTION_INFO_V1(tb_measure_clients);

PGDLLEXPORT void tb_client_worker_main(Datum arg);

#define TB_CLIENTS_MAGIC	0x74624331
#define KEY_SHARED			1
#define KEY_SQL				2
#define KEY_PARAMS			3
#define KEY_GUC				4
#define KEY_SLOTS			5
#define KEY_CLAIMS			6
#define KEY_OPTIONS			7

#define NRESULT_COLS		10
#define MAX_MCOLS			64		/* columns of tasker_bench.measurement a client passes back */
#define MAX_WAIT_KINDS		128
#define ERRTEXT_LEN			1024
#define STARTUP_POLL_MS		5
#define LOCK_CHECK_NS		INT64CONST(1000000000)

typedef enum ClientState
{
	CLIENT_STARTING = 0,
	CLIENT_READY,				/* case prepared, waiting for the start */
	CLIENT_RUNNING,
	CLIENT_DONE,				/* results in the slot */
	CLIENT_FAILED				/* error in the slot */
} ClientState;

typedef struct ClaimRecord
{
	uint64		key;			/* hash of the row's first column */
	int64		start_ns;		/* the iteration that returned it */
	int64		end_ns;
} ClaimRecord;

typedef struct ClientSlot
{
	volatile int state;			/* ClientState */
	volatile int pid;
	volatile int pgprocno;		/* for wait-event sampling */
	/*
	 * results (CLIENT_DONE): the client's tasker_bench.measurement row, its
	 * numeric and boolean columns by position, its histogram in hist
	 */
	int			ncols;
	bool		colnull[MAX_MCOLS];
	double		fval[MAX_MCOLS];	/* float8 columns */
	int64		ival[MAX_MCOLS];	/* bigint, integer and boolean columns */
	char		measured[TB_CLIENT_DETAIL_LEN];	/* tasker_bench._client_detail, as text */
	int64		nclaims;		/* records in this client's claim buffer */
	int64		claims_dropped; /* rows beyond the buffer */
	/* error (CLIENT_FAILED) */
	int			sqlerrcode;
	char		message[ERRTEXT_LEN];
	char		detail[ERRTEXT_LEN];
	char		hint[ERRTEXT_LEN];
	TbHist		hist;
} ClientSlot;

typedef struct ClientsShared
{
	Oid			dboid;
	Oid			login_user;		/* the worker connects as this role */
	Oid			current_user;	/* and runs the case as this one */
	int			nclients;
	int64		iterations;
	int64		duration_ns;
	int64		warmup_ns;
	int			rollback;		/* -1: the driver decides; else 0 / 1 */
	bool		track_claims;
	Oid			mtype;			/* tasker_bench.measurement */
	Oid			htype;			/* tasker_bench.histogram */
	char		driver[NAMEDATALEN];
	int64		start_ns;		/* set by the leader before go */
	pg_atomic_uint32 go;		/* 0 wait, 1 start, 2 stop */
	ConditionVariable cv;
	char		label[NAMEDATALEN * 2];
} ClientsShared;

/* What the leader's cleanup needs. */
typedef struct LeaderState
{
	int			nregistered;
	BackgroundWorkerHandle **handles;
	ClientsShared *shared;
} LeaderState;

/* ---------------------------------------------------------------- worker */

typedef struct ClaimTracker
{
	ClientSlot *slot;
	ClaimRecord *claims;
	int64		pending;		/* first record of the current iteration */
} ClaimTracker;

static void
claim_row(TupleTableSlot *tslot, void *arg)
{
	ClaimTracker *ct = (ClaimTracker *) arg;
	Form_pg_attribute att;
	Datum		d;
	bool		isnull;
	uint64		key;

	if (tslot->tts_tupleDescriptor->natts < 1)
		return;
	d = slot_getattr(tslot, 1, &isnull);
	if (isnull)
		return;
	if (ct->slot->nclaims >= TB_CLAIMS_PER_CLIENT)
	{
		ct->slot->claims_dropped++;
		return;
	}
	att = TupleDescAttr(tslot->tts_tupleDescriptor, 0);
	if (att->attbyval)
		key = hash_bytes_extended((const unsigned char *) &d, sizeof(Datum), 0);
	else if (att->attlen > 0)
		key = hash_bytes_extended((const unsigned char *) DatumGetPointer(d), att->attlen, 0);
	else if (att->attlen == -1)
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(d);

		key = hash_bytes_extended((const unsigned char *) VARDATA_ANY(v),
								  VARSIZE_ANY_EXHDR(v), 0);
	}
	else
	{
		const char *s = DatumGetCString(d);

		key = hash_bytes_extended((const unsigned char *) s, strlen(s), 0);
	}
	ct->claims[ct->slot->nclaims].key = key;
	ct->slot->nclaims++;
}

static void
claim_iteration(int64 start_ns, int64 end_ns, void *arg)
{
	ClaimTracker *ct = (ClaimTracker *) arg;
	int64		i;

	for (i = ct->pending; i < ct->slot->nclaims; i++)
	{
		ct->claims[i].start_ns = start_ns;
		ct->claims[i].end_ns = end_ns;
	}
	ct->pending = ct->slot->nclaims;
}

/*
 * The leader's settings, as "name\0value\0...\0": every setting a session
 * may change (user or superuser context) that is not at its default, except
 * the ones that describe the session itself.  Values are current_setting's
 * text (with units), read from the catalogs, not from anything stored.
 */
char *
tb_clients_settings(Size *len)
{
	StringInfoData buf;
	uint64		i;

	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT name, pg_catalog.current_setting(name) FROM pg_catalog.pg_settings"
					" WHERE context IN ('user', 'superuser') AND source NOT IN ('default', 'override')"
					" AND name NOT IN ('session_authorization', 'role', 'client_encoding',"
					" 'transaction_isolation', 'transaction_read_only', 'transaction_deferrable')",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "tasker_bench: could not read the session's settings");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *value = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		appendBinaryStringInfo(&buf, name, strlen(name) + 1);
		appendBinaryStringInfo(&buf, value ? value : "", strlen(value ? value : "") + 1);
	}
	appendStringInfoChar(&buf, '\0');
	SPI_finish();
	*len = buf.len + 1;
	return buf.data;
}

void
tb_clients_restore_settings(const char *p)
{
	while (*p)
	{
		const char *name = p;
		const char *value = name + strlen(name) + 1;

		(void) set_config_option(name, value, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SET,
								 true, 0, false);
		p = value + strlen(value) + 1;
	}
}

static void
copy_text(char *dst, const char *src)
{
	strlcpy(dst, src ? src : "", ERRTEXT_LEN);
}

/*
 * Where client idx of nclients starts its parameter rotation: the clients
 * spread evenly over the nsets parameter sets (client k at k * nsets / N),
 * so that with few sets they do not all start on the same one.
 */
static int64
rotation_start(int idx, int nclients, int nsets)
{
	return (int64) idx * Max(nsets, 1) / Max(nclients, 1);
}

/*
 * What a client measured beyond the merged figures (its block and probe
 * medians, its phases and counters), as tasker_bench._client_detail gives
 * it, into its slot.  Runs in the client's transaction, as its role.
 */
static void
keep_detail(ClientSlot *slot, Datum measurement, Oid mtype, int idx)
{
	Oid			argtypes[2] = {mtype, INT4OID};
	Datum		args[2] = {measurement, Int32GetDatum(idx + 1)};
	char	   *text;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT tasker_bench._client_detail($1, $2)::text", 2, argtypes, args,
							  NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "tasker_bench client: could not describe what it measured");
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (text == NULL || strlen(text) >= TB_CLIENT_DETAIL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the detail of concurrent client %d is %zu bytes, more than %d", idx + 1,
						text ? strlen(text) : 0, TB_CLIENT_DETAIL_LEN - 1)));
	strlcpy(slot->measured, text, TB_CLIENT_DETAIL_LEN);
	SPI_finish();
}

/*
 * The driver a client runs: the case's own driver, its parameter rotation
 * shifted to the client's start (rotation_start), each measured iteration's start and end
 * closing the claims of its rows.  One per worker process.
 */
typedef struct ClientWrap
{
	const TbDriver *inner;
	void	   *inner_state;
	int64		offset;
	ClaimTracker *claims;		/* NULL: claims not tracked */
} ClientWrap;

static ClientWrap wrap;

static void *
wrap_prepare(const TbCaseSpec *c)
{
	/* prepared before the start, so every client starts measuring at once */
	return &wrap;
}

static void
wrap_begin_measured(void *state)
{
	if (wrap.inner->begin_measured)
		wrap.inner->begin_measured(wrap.inner_state);
}

static int64
wrap_iterate(void *state, int64 i, bool measured)
{
	bool		claims = measured && wrap.claims != NULL;
	int64		t0 = claims ? tb_clock_ns() : 0;
	int64		d = wrap.inner->iterate(wrap.inner_state, i + wrap.offset, measured);

	if (claims)
		claim_iteration(t0, tb_clock_ns(), wrap.claims);
	return d;
}

static void
wrap_end_measured(void *state)
{
	if (wrap.inner->end_measured)
		wrap.inner->end_measured(wrap.inner_state);
}

static void
wrap_report(void *state, const TbRunResult *res, TbRow *row)
{
	wrap.inner->report(wrap.inner_state, res, row);
}

static void
wrap_teardown(void *state)
{
	if (wrap.inner->teardown && wrap.inner_state)
		wrap.inner->teardown(wrap.inner_state);
	wrap.inner_state = NULL;
}

static const TbDriver client_driver = {
	.name = "client",
	.prepare = wrap_prepare,
	.begin_measured = wrap_begin_measured,
	.iterate = wrap_iterate,
	.end_measured = wrap_end_measured,
	.report = wrap_report,
	.teardown = wrap_teardown,
};

/* The client's measurement row into its slot: numbers by position, the histogram. */
static void
keep_measurement(ClientSlot *slot, TupleDesc mdesc, Datum row, Oid htype)
{
	HeapTupleHeader th = tb_datum_get_heap_tuple_header(row);
	HeapTupleData tup;
	Datum	   *values = palloc(sizeof(Datum) * mdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * mdesc->natts);
	int			i;

	tup.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = InvalidOid;
	tup.t_data = th;
	heap_deform_tuple(&tup, mdesc, values, nulls);
	slot->ncols = Min(mdesc->natts, MAX_MCOLS);
	tbh_init(&slot->hist);
	for (i = 0; i < slot->ncols; i++)
	{
		Oid			t = TupleDescAttr(mdesc, i)->atttypid;

		slot->colnull[i] = nulls[i];
		if (nulls[i])
			continue;
		if (t == FLOAT8OID)
			slot->fval[i] = DatumGetFloat8(values[i]);
		else if (t == INT8OID)
			slot->ival[i] = DatumGetInt64(values[i]);
		else if (t == INT4OID)
			slot->ival[i] = DatumGetInt32(values[i]);
		else if (t == BOOLOID)
			slot->ival[i] = DatumGetBool(values[i]);
		else if (t == htype)
		{
			TbHist	   *h = tb_hist_from_datum(values[i]);

			memcpy(&slot->hist, h, sizeof(TbHist));
		}
		else
			slot->colnull[i] = true;	/* arrays, jsonb: not merged */
	}
}

void
tb_client_worker_main(Datum arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	ClientsShared *sh;
	ClientSlot *slot;
	ClaimTracker ct;
	int			idx;
	char	   *sql;
	char	   *params;
	MemoryContext ctx;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	memcpy(&idx, MyBgworkerEntry->bgw_extra, sizeof(int));

#ifdef __GLIBC__

	/*
	 * A fresh process: the executor's memory of each iteration sits at the
	 * top of the heap, and when the iteration frees it glibc gives it back
	 * to the kernel (brk), only to take it again in the next iteration.
	 * Each round trip costs page faults and a TLB shootdown across the
	 * CPUs: a 100 us function took 300 us in two clients at once.  A
	 * backend that has run for a while (the caller's, pgbench's) does not
	 * pay this; keep the memory, as it would.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
#endif

	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tasker_bench client: its run has already ended")));
	toc = shm_toc_attach(TB_CLIENTS_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		elog(ERROR, "tasker_bench client: bad shared memory segment");
	sh = shm_toc_lookup(toc, KEY_SHARED, false);
	slot = &((ClientSlot *) shm_toc_lookup(toc, KEY_SLOTS, false))[idx];
	sql = shm_toc_lookup(toc, KEY_SQL, false);
	params = shm_toc_lookup(toc, KEY_PARAMS, true);

	BackgroundWorkerInitializeConnectionByOid(sh->dboid, sh->login_user, 0);
	slot->pid = MyProcPid;
	slot->pgprocno = tb_proc_number(MyProc);

	ctx = AllocSetContextCreate(TopMemoryContext, "tasker_bench client", ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		TbRunSpec	spec;
		TbCaseSpec	cs;
		TupleDesc	mdesc;
		Datum		measurement;
		char	   *options;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* the leader's settings: search_path, plan_cache_mode, work_mem, ... */
		tb_clients_restore_settings(shm_toc_lookup(toc, KEY_GUC, false));
		CommitTransactionCommand();

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SetUserIdAndSecContext(sh->current_user, SECURITY_LOCAL_USERID_CHANGE);

		/*
		 * The outer snapshot a SQL function call has in the leader (its
		 * portal's): the drivers run queries with SPI while preparing (the
		 * params query, the case's checks), which needs one.
		 */
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, psprintf("tasker_bench: %s, client %d/%d: preparing",
													   sh->label, idx + 1, sh->nclients));
		MemoryContextSwitchTo(ctx);

		memset(&cs, 0, sizeof(cs));
		cs.sql = sql;
		cs.params = params;
		options = shm_toc_lookup(toc, KEY_OPTIONS, true);
		cs.options = options ? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(options))) : NULL;
		cs.rollback = sh->rollback;
		cs.label = sh->label;
		memset(&wrap, 0, sizeof(wrap));
		wrap.inner = tb_driver_lookup(sh->driver);

		memset(&spec, 0, sizeof(spec));
		spec.iterations = sh->iterations;
		spec.duration_ns = sh->duration_ns;
		spec.warmup_ns = sh->warmup_ns;
		spec.label = psprintf("%s, client %d/%d", sh->label, idx + 1, sh->nclients);
		if (sh->track_claims)
		{
			ct.slot = slot;
			ct.claims = ((ClaimRecord *) shm_toc_lookup(toc, KEY_CLAIMS, false)) +
				(Size) idx * TB_CLAIMS_PER_CLIENT;
			ct.pending = 0;
			cs.row_hook = claim_row;
			cs.row_hook_arg = &ct;
			wrap.claims = &ct;
		}
		mdesc = lookup_rowtype_tupdesc_copy(sh->mtype, -1);

		/* prepared; ready; wait for the start */
		wrap.inner_state = wrap.inner->prepare(&cs);
		/* each client starts its parameter rotation at its own set */
		wrap.offset = rotation_start(idx, sh->nclients,
									 wrap.inner->param_sets ? wrap.inner->param_sets(wrap.inner_state) : 1);
		pg_write_barrier();
		slot->state = CLIENT_READY;
		ConditionVariablePrepareToSleep(&sh->cv);
		while (pg_atomic_read_u32(&sh->go) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			(void) ConditionVariableTimedSleep(&sh->cv, 100, PG_WAIT_EXTENSION);
		}
		ConditionVariableCancelSleep();
		if (pg_atomic_read_u32(&sh->go) != 1)
			proc_exit(0);
		slot->state = CLIENT_RUNNING;

		measurement = tb_measure_case(&client_driver, &cs, &spec, mdesc);
		keep_measurement(slot, mdesc, measurement, sh->htype);
		keep_detail(slot, measurement, sh->mtype, idx);
		PopActiveSnapshot();

		/* kept only when the case was told not to roll back */
		if (sh->rollback == 0)
			CommitTransactionCommand();
		else
			AbortCurrentTransaction();
		pg_write_barrier();
		slot->state = CLIENT_DONE;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		slot->sqlerrcode = edata->sqlerrcode;
		copy_text(slot->message, edata->message);
		copy_text(slot->detail, edata->detail);
		copy_text(slot->hint, edata->hint);
		pg_write_barrier();
		slot->state = CLIENT_FAILED;
		PG_RE_THROW();
	}
	PG_END_TRY();

	pgstat_report_activity(STATE_IDLE, NULL);
	dsm_detach(seg);
	proc_exit(0);
}

/* ---------------------------------------------------------------- leader */

/* Stop every worker and wait (bounded) until they are gone. */
static void
stop_workers(LeaderState *ls)
{
	int			i;
	int64		deadline = tb_clock_ns() + INT64CONST(10000000000);

	if (ls->shared != NULL)
	{
		pg_atomic_write_u32(&ls->shared->go, 2);
		ConditionVariableBroadcast(&ls->shared->cv);
	}
	for (i = 0; i < ls->nregistered; i++)
		TerminateBackgroundWorker(ls->handles[i]);
	for (i = 0; i < ls->nregistered; i++)
	{
		pid_t		pid;

		while (GetBackgroundWorkerPid(ls->handles[i], &pid) != BGWH_STOPPED &&
			   tb_clock_ns() < deadline)
			pg_usleep(1000L);
	}
	ls->nregistered = 0;
}

static void
leader_cleanup(int code, Datum arg)
{
	stop_workers((LeaderState *) DatumGetPointer(arg));
}

/* Raise the error a client reported. */
static void
raise_client_error(ClientSlot *slot, int idx, int n)
{
	ereport(ERROR,
			(errcode(slot->sqlerrcode ? slot->sqlerrcode : ERRCODE_INTERNAL_ERROR),
			 errmsg("%s", slot->message),
			 slot->detail[0] ? errdetail("%s", slot->detail) : 0,
			 slot->hint[0] ? errhint("%s", slot->hint) : 0,
			 errcontext("tasker_bench concurrent client %d of %d", idx + 1, n)));
}

/* Is one of the clients blocked by a lock this backend holds? */
static void
check_lock_on_leader(ClientsShared *sh, ClientSlot *slots)
{
	int			i;

	for (i = 0; i < sh->nclients; i++)
	{
		ArrayType  *blockers;
		Datum	   *elems;
		int			nelems;
		int			j;

		if (slots[i].state != CLIENT_RUNNING && slots[i].state != CLIENT_READY)
			continue;
		blockers = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids,
														  Int32GetDatum(slots[i].pid)));
		deconstruct_array(blockers, INT4OID, 4, true, TYPALIGN_INT, &elems, NULL, &nelems);
		for (j = 0; j < nelems; j++)
			if (DatumGetInt32(elems[j]) == MyProcPid)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
						 errmsg("concurrent client %d waits for a lock this transaction holds", i + 1),
						 errhint("Concurrent clients run in transactions of their own: commit what this transaction wrote or locked before measuring with clients.")));
	}
}

typedef struct WaitTally
{
	int			nkinds;
	uint32		info[MAX_WAIT_KINDS];
	int64		count[MAX_WAIT_KINDS];
	int64		other;			/* kinds beyond MAX_WAIT_KINDS */
	int64		samples;
} WaitTally;

static void
tally_wait(WaitTally *wt, uint32 info)
{
	int			i;

	wt->samples++;
	for (i = 0; i < wt->nkinds; i++)
		if (wt->info[i] == info)
		{
			wt->count[i]++;
			return;
		}
	if (wt->nkinds < MAX_WAIT_KINDS)
	{
		wt->info[wt->nkinds] = info;
		wt->count[wt->nkinds++] = 1;
	}
	else
		wt->other++;
}

static const char *
wait_class(uint32 info)
{
	const char *t = info == 0 ? "CPU" : pgstat_get_wait_event_type(info);

	return t ? t : "???";
}

/*
 * {"interval_ms": 10, "samples": n, "by_class": {"CPU": share, ...},
 *  "by_event": {"CPU": share, "LWLock:WALWrite": share, ...}}; shares of
 * all samples, 0..1.
 */
static Datum
wait_events_jsonb(const WaitTally *wt)
{
	StringInfoData js;
	const char *classes[MAX_WAIT_KINDS + 1];
	int64		ccount[MAX_WAIT_KINDS + 1];
	int			nclasses = 0;
	double		tot = wt->samples > 0 ? (double) wt->samples : 1.0;
	int			i;
	int			j;

	for (i = 0; i < wt->nkinds; i++)
	{
		const char *c = wait_class(wt->info[i]);

		for (j = 0; j < nclasses; j++)
			if (strcmp(classes[j], c) == 0)
				break;
		if (j == nclasses)
		{
			classes[nclasses] = c;
			ccount[nclasses++] = 0;
		}
		ccount[j] += wt->count[i];
	}
	initStringInfo(&js);
	appendStringInfo(&js, "{\"interval_ms\": %d, \"samples\": %lld, \"by_class\": {",
					 TB_WAIT_SAMPLE_MS, (long long) wt->samples);
	for (j = 0; j < nclasses; j++)
	{
		if (j > 0)
			appendStringInfoString(&js, ", ");
		escape_json(&js, classes[j]);
		appendStringInfo(&js, ": %.4f", (double) ccount[j] / tot);
	}
	if (wt->other > 0)
		appendStringInfo(&js, "%s\"other\": %.4f", nclasses > 0 ? ", " : "", (double) wt->other / tot);
	appendStringInfoString(&js, "}, \"by_event\": {");
	for (i = 0; i < wt->nkinds; i++)
	{
		const char *e = wt->info[i] == 0 ? NULL : pgstat_get_wait_event(wt->info[i]);

		if (i > 0)
			appendStringInfoString(&js, ", ");
		escape_json(&js, wt->info[i] == 0 ? "CPU" :
					psprintf("%s:%s", wait_class(wt->info[i]), e ? e : "???"));
		appendStringInfo(&js, ": %.4f", (double) wt->count[i] / tot);
	}
	if (wt->other > 0)
		appendStringInfo(&js, "%s\"other\": %.4f", wt->nkinds > 0 ? ", " : "", (double) wt->other / tot);
	appendStringInfoString(&js, "}}");
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data));
}

/* ---- claims that overlapped ---- */

typedef struct ClaimRef
{
	uint64		key;
	int64		start_ns;
	int64		end_ns;
	int			client;
	bool		overlapped;
} ClaimRef;

static int
claimref_cmp(const void *a, const void *b)
{
	const ClaimRef *x = a;
	const ClaimRef *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->client - y->client;
}

/* The best value of up to two distinct clients: best, and best of another client. */
typedef struct Best2
{
	int64		v1;
	int			c1;
	int64		v2;
} Best2;

static void
best2_add(Best2 *b, int64 v, int c, bool want_max)
{
#define BETTER(a, b_) (want_max ? (a) > (b_) : (a) < (b_))
	if (c == b->c1)
	{
		if (BETTER(v, b->v1))
			b->v1 = v;
	}
	else if (BETTER(v, b->v1))
	{
		b->v2 = b->v1;
		b->v1 = v;
		b->c1 = c;
	}
	else if (BETTER(v, b->v2))
		b->v2 = v;
#undef BETTER
}

/*
 * Records of one key, sorted by start: a record overlapped when another
 * client's record of the same key started before it ended and ended after
 * it started.
 */
static int64
count_overlaps(ClaimRef *r, int64 n)
{
	int64		lo = 0;
	int64		total = 0;

	while (lo < n)
	{
		int64		hi = lo;
		int64		i;
		Best2		b;

		while (hi < n && r[hi].key == r[lo].key)
			hi++;
		/* earlier records: the latest end of another client */
		b.v1 = b.v2 = PG_INT64_MIN;
		b.c1 = -1;
		for (i = lo; i < hi; i++)
		{
			int64		other = (r[i].client == b.c1) ? b.v2 : b.v1;

			if (other > r[i].start_ns)
				r[i].overlapped = true;
			best2_add(&b, r[i].end_ns, r[i].client, true);
		}
		/* later records: the earliest start of another client */
		b.v1 = b.v2 = PG_INT64_MAX;
		b.c1 = -1;
		for (i = hi - 1; i >= lo; i--)
		{
			int64		other = (r[i].client == b.c1) ? b.v2 : b.v1;

			if (other < r[i].end_ns)
				r[i].overlapped = true;
			best2_add(&b, r[i].start_ns, r[i].client, false);
		}
		for (i = lo; i < hi; i++)
			if (r[i].overlapped)
				total++;
		lo = hi;
	}
	return total;
}

static int64
claims_overlapped(ClientsShared *sh, ClientSlot *slots, ClaimRecord *claims, int64 *checked)
{
	int64		n = 0;
	int64		k = 0;
	int			c;
	ClaimRef   *refs;
	int64		result;

	for (c = 0; c < sh->nclients; c++)
		n += slots[c].nclaims;
	*checked = n;
	if (n == 0)
		return 0;
	refs = palloc_extended(sizeof(ClaimRef) * n, MCXT_ALLOC_HUGE);
	for (c = 0; c < sh->nclients; c++)
	{
		ClaimRecord *cr = claims + (Size) c * TB_CLAIMS_PER_CLIENT;
		int64		i;

		for (i = 0; i < slots[c].nclaims; i++, k++)
		{
			refs[k].key = cr[i].key;
			refs[k].start_ns = cr[i].start_ns;
			refs[k].end_ns = cr[i].end_ns;
			refs[k].client = c;
			refs[k].overlapped = false;
		}
	}
	qsort(refs, n, sizeof(ClaimRef), claimref_cmp);
	result = count_overlaps(refs, n);
	pfree(refs);
	return result;
}

/* The role the workers log in as: the current role when it may log in, else the session's. */
Oid
tb_clients_login_role(void)
{
	Oid			cur = GetUserId();
	HeapTuple	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(cur));
	bool		canlogin = false;

	if (HeapTupleIsValid(tup))
	{
		canlogin = ((Form_pg_authid) GETSTRUCT(tup))->rolcanlogin;
		ReleaseSysCache(tup);
	}
	return canlogin ? cur : GetSessionUserId();
}

static void
check_clients(int32 n)
{
	if (n < 1 || n > TB_MAX_CLIENTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clients must be between 1 and %d, got %d", TB_MAX_CLIENTS, n),
				 errhint("clients => 4 runs the case in 4 concurrent backends.")));
	if (n > max_worker_processes)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("clients => %d needs %d background workers, but max_worker_processes is %d",
						n, n, max_worker_processes),
				 errhint("Raise max_worker_processes (it needs a server restart), or use fewer clients.")));
}

/*
 * Start the clients, release them together, sample their wait events until
 * they are all done, and wait until every worker has exited.  Any error
 * (or exit) on the way stops every worker first.
 */
static void
run_clients(LeaderState *ls, dsm_segment *seg, ClientsShared *sh, ClientSlot *slots,
			const char *label, WaitTally *wt)
{
	int			nclients = sh->nclients;
	int64		warmup_ns = sh->warmup_ns;
	int			i;

	PG_ENSURE_ERROR_CLEANUP(leader_cleanup, PointerGetDatum(ls));
	{
		int64		measured_from;
		int64		next_report;
		int64		next_lock_check;
		int64		progress_ns = (int64) tb_progress_interval_ms * 1000000;
		PGPROC	   *procs[TB_MAX_CLIENTS];

		for (i = 0; i < nclients; i++)
		{
			BackgroundWorker w;

			memset(&w, 0, sizeof(w));
			w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
			w.bgw_start_time = BgWorkerStart_RecoveryFinished;
			w.bgw_restart_time = BGW_NEVER_RESTART;
			snprintf(w.bgw_library_name, BGW_MAXLEN, "tasker_bench");
			snprintf(w.bgw_function_name, BGW_MAXLEN, "tb_client_worker_main");
			snprintf(w.bgw_name, BGW_MAXLEN, "tasker_bench client %d/%d", i + 1, nclients);
			snprintf(w.bgw_type, BGW_MAXLEN, "tasker_bench client");
			w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
			memcpy(w.bgw_extra, &i, sizeof(int));
			w.bgw_notify_pid = MyProcPid;
			if (!RegisterDynamicBackgroundWorker(&w, &ls->handles[i]))
				ereport(ERROR,
						(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
						 errmsg("too few background worker slots for %d concurrent clients: %d free, %d needed",
								nclients, i, nclients),
						 errhint("max_worker_processes is %d and other background workers (parallel query, extensions) use some; raise it (a server restart) or use fewer clients.",
								 max_worker_processes)));
			ls->nregistered = i + 1;
		}
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("tasker_bench: %s: starting %d clients", label, nclients));

		/* every client prepared, or one failed */
		for (;;)
		{
			int			ready = 0;

			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < nclients; i++)
			{
				pid_t		pid;
				BgwHandleStatus st = GetBackgroundWorkerPid(ls->handles[i], &pid);

				pg_read_barrier();
				if (slots[i].state == CLIENT_FAILED)
					raise_client_error(&slots[i], i, nclients);
				if (slots[i].state == CLIENT_READY)
					ready++;
				else if (st == BGWH_STOPPED || st == BGWH_POSTMASTER_DIED)
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("concurrent client %d of %d ended before it started", i + 1, nclients),
							 errhint("The server log says why.")));
			}
			if (ready == nclients)
				break;
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 STARTUP_POLL_MS, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
		for (i = 0; i < nclients; i++)
		{
			procs[i] = &ProcGlobal->allProcs[slots[i].pgprocno];
		}

		/* go */
		sh->start_ns = tb_clock_ns();
		measured_from = sh->start_ns + warmup_ns;
		next_report = sh->start_ns;
		next_lock_check = sh->start_ns + LOCK_CHECK_NS;
		pg_write_barrier();
		pg_atomic_write_u32(&sh->go, 1);
		ConditionVariableBroadcast(&sh->cv);

		for (;;)
		{
			int			done = 0;
			int64		now;

			CHECK_FOR_INTERRUPTS();
			now = tb_clock_ns();
			for (i = 0; i < nclients; i++)
			{
				pid_t		pid;
				BgwHandleStatus st = GetBackgroundWorkerPid(ls->handles[i], &pid);
				int			state;

				pg_read_barrier();
				state = slots[i].state;
				if (state == CLIENT_FAILED)
					raise_client_error(&slots[i], i, nclients);
				if (state == CLIENT_DONE)
					done++;
				else if (st == BGWH_STOPPED || st == BGWH_POSTMASTER_DIED)
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("concurrent client %d of %d ended without a result", i + 1, nclients),
							 errhint("The server log says why.")));
				else if (state == CLIENT_RUNNING && now >= measured_from)
					tally_wait(wt, *((volatile uint32 *) &procs[i]->wait_event_info));
			}
			if (done == nclients)
				break;
			if (now >= next_lock_check)
			{
				check_lock_on_leader(sh, slots);
				next_lock_check = now + LOCK_CHECK_NS;
			}
			if (now >= next_report)
			{
				pgstat_report_activity(STATE_RUNNING,
									   psprintf("tasker_bench: %s: %d clients, %s, %.1f s, %d done",
												label, nclients,
												now < measured_from ? "warmup" : "measuring",
												(double) (now - sh->start_ns) / 1e9, done));
				next_report = now + progress_ns;
			}
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 TB_WAIT_SAMPLE_MS, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}

		/* every worker gone before the run returns */
		for (i = 0; i < nclients; i++)
			(void) WaitForBackgroundWorkerShutdown(ls->handles[i]);
		ls->nregistered = 0;
	}
	PG_END_ENSURE_ERROR_CLEANUP(leader_cleanup, PointerGetDatum(ls));
}

/*
 * The clients' measurement rows merged into one: histograms merged, counts
 * summed, per-call figures weighted by each client's iterations, wall_s the
 * longest, integer and boolean columns those of the first client; arrays
 * and jsonb (blocks, phases, counters) are per client and left NULL.
 */
static Datum
merge_measurements(TupleDesc mdesc, ClientsShared *sh, ClientSlot *slots, TbHist *merged)
{
	Datum	   *values = palloc0(sizeof(Datum) * mdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * mdesc->natts);
	double		total_n = 0;
	int			i;
	int			c;

	for (c = 0; c < sh->nclients; c++)
		total_n += (double) slots[c].hist.count;
	for (i = 0; i < mdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(mdesc, i);
		const char *name = NameStr(att->attname);
		double		f = 0;
		int64		v = 0;
		int			have = 0;

		nulls[i] = true;
		if (i >= MAX_MCOLS)
			continue;
		if (att->atttypid == sh->htype)
		{
			if (strcmp(name, "histogram") == 0)
			{
				values[i] = tb_hist_to_datum(merged);
				nulls[i] = false;
			}
			continue;
		}
		for (c = 0; c < sh->nclients; c++)
		{
			ClientSlot *s = &slots[c];

			if (i >= s->ncols || s->colnull[i])
				continue;
			if (att->atttypid == FLOAT8OID)
			{
				if (strcmp(name, "wall_s") == 0)
					f = Max(f, s->fval[i]);
				else if (strcmp(name, "clock_ns") == 0)
					f += s->fval[i] / sh->nclients;
				else
					f += s->fval[i] * (double) s->hist.count / Max(total_n, 1.0);
			}
			else if (att->atttypid == INT8OID)
				v += s->ival[i];
			else if (have == 0)
				v = s->ival[i];
			have++;
		}
		if (have == 0)
			continue;
		nulls[i] = false;
		if (att->atttypid == FLOAT8OID)
			values[i] = Float8GetDatum(f);
		else if (att->atttypid == INT8OID)
			values[i] = Int64GetDatum(v);
		else if (att->atttypid == INT4OID)
			values[i] = Int32GetDatum((int32) v);
		else if (att->atttypid == BOOLOID)
			values[i] = BoolGetDatum(v != 0);
		else
			nulls[i] = true;
	}
	/* the summary of the merged histogram, not a mix of the clients' */
	{
		TbRow		row = {mdesc, values, nulls};

		if (tb_row_has(&row, "p50_us"))
			tb_row_set_summary(&row, merged, tb_row_get_float8(&row, "clock_ns", 0.0));
	}
	return HeapTupleGetDatum(heap_form_tuple(mdesc, values, nulls));
}

static char *
arg_text(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * tasker_bench._measure_clients(driver text, sql text, params text,
 *		options jsonb, iterations bigint, duration interval, warmup interval,
 *		rollback boolean, label text, clients integer)
 *		returns tasker_bench.client_measurement
 */
Datum
tb_measure_clients(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	TupleDesc	mdesc;
	const TbDriver *d;
	TbCaseSpec	cs;
	char	   *sql;
	char	   *params;
	char	   *options = NULL;
	int32		nclients;
	int64		iterations;
	int64		duration_ns;
	int64		warmup_ns;
	const char *label;
	bool		track_claims = false;
	shm_toc_estimator e;
	char	   *settings;
	Size		gucsize;
	Size		segsize;
	dsm_segment *seg;
	shm_toc    *toc;
	ClientsShared *sh;
	ClientSlot *slots;
	ClaimRecord *claims = NULL;
	LeaderState *ls;
	WaitTally	wt;
	TbHist	   *merged;
	int64		claims_checked = 0;
	int64		overlapped = 0;
	double		ops_per_s = 0;
	Datum		values[NRESULT_COLS];
	bool		nulls[NRESULT_COLS];
	Datum	   *ops;
	Datum	   *hists;
	StringInfoData detail;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "tasker_bench._measure_clients must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);
	mdesc = lookup_rowtype_tupdesc_copy(TupleDescAttr(tupdesc, 0)->atttypid, -1);

	if (PG_ARGISNULL(9))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("clients must not be NULL"),
				 errhint("Leave it out for one client, or give clients => 4.")));
	nclients = PG_GETARG_INT32(9);
	check_clients(nclients);
	d = tb_driver_lookup(arg_text(fcinfo, 0));
	sql = arg_text(fcinfo, 1);
	params = arg_text(fcinfo, 2);
	if (!PG_ARGISNULL(3))
		options = DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(3)));
	tb_check_budget_args(fcinfo, 4, &iterations, &duration_ns, &warmup_ns);
	label = PG_ARGISNULL(8) ? "case" : arg_text(fcinfo, 8);

	/* bad input fails here, in the caller's backend, before any worker starts */
	memset(&cs, 0, sizeof(cs));
	cs.sql = sql;
	cs.params = params;
	cs.options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	cs.rollback = PG_ARGISNULL(7) ? -1 : (int) PG_GETARG_BOOL(7);
	cs.label = label;
	tb_validate_case(d, &cs);
	/* rows a statement returns are claims unless it only reads */
	if (d == &tb_executor_driver)
		track_claims = !tb_target_get(sql, params)->read_only;

	settings = tb_clients_settings(&gucsize);
	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(ClientsShared));
	shm_toc_estimate_chunk(&e, strlen(sql ? sql : "") + 1);
	if (params)
		shm_toc_estimate_chunk(&e, strlen(params) + 1);
	if (options)
		shm_toc_estimate_chunk(&e, strlen(options) + 1);
	shm_toc_estimate_chunk(&e, gucsize);
	shm_toc_estimate_chunk(&e, sizeof(ClientSlot) * nclients);
	if (track_claims)
		shm_toc_estimate_chunk(&e, sizeof(ClaimRecord) * TB_CLAIMS_PER_CLIENT * nclients);
	shm_toc_estimate_keys(&e, 7);
	segsize = shm_toc_estimate(&e);

	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(TB_CLIENTS_MAGIC, dsm_segment_address(seg), segsize);
	sh = shm_toc_allocate(toc, sizeof(ClientsShared));
	memset(sh, 0, sizeof(ClientsShared));
	sh->dboid = MyDatabaseId;
	sh->login_user = tb_clients_login_role();
	sh->current_user = GetUserId();
	sh->nclients = nclients;
	sh->iterations = iterations;
	sh->duration_ns = duration_ns;
	sh->warmup_ns = warmup_ns;
	sh->rollback = cs.rollback;
	sh->track_claims = track_claims;
	sh->mtype = TupleDescAttr(tupdesc, 0)->atttypid;
	sh->htype = get_element_type(TupleDescAttr(tupdesc, 4)->atttypid);
	strlcpy(sh->driver, d->name, sizeof(sh->driver));
	pg_atomic_init_u32(&sh->go, 0);
	ConditionVariableInit(&sh->cv);
	strlcpy(sh->label, label, sizeof(sh->label));
	shm_toc_insert(toc, KEY_SHARED, sh);
	{
		char	   *p = shm_toc_allocate(toc, strlen(sql ? sql : "") + 1);

		strcpy(p, sql ? sql : "");
		shm_toc_insert(toc, KEY_SQL, p);
		if (params)
		{
			p = shm_toc_allocate(toc, strlen(params) + 1);
			strcpy(p, params);
			shm_toc_insert(toc, KEY_PARAMS, p);
		}
		if (options)
		{
			p = shm_toc_allocate(toc, strlen(options) + 1);
			strcpy(p, options);
			shm_toc_insert(toc, KEY_OPTIONS, p);
		}
		p = shm_toc_allocate(toc, gucsize);
		memcpy(p, settings, gucsize);
		shm_toc_insert(toc, KEY_GUC, p);
	}
	slots = shm_toc_allocate(toc, sizeof(ClientSlot) * nclients);
	memset(slots, 0, sizeof(ClientSlot) * nclients);
	shm_toc_insert(toc, KEY_SLOTS, slots);
	if (track_claims)
	{
		claims = shm_toc_allocate(toc, sizeof(ClaimRecord) * TB_CLAIMS_PER_CLIENT * nclients);
		shm_toc_insert(toc, KEY_CLAIMS, claims);
	}

	ls = palloc0(sizeof(LeaderState));
	ls->handles = palloc0(sizeof(BackgroundWorkerHandle *) * nclients);
	ls->shared = sh;
	memset(&wt, 0, sizeof(wt));

	run_clients(ls, seg, sh, slots, label, &wt);

	/* merge */
	merged = tb_hist_new();
	initStringInfo(&detail);
	appendStringInfoChar(&detail, '[');
	ops = palloc(sizeof(Datum) * nclients);
	hists = palloc(sizeof(Datum) * nclients);
	for (i = 0; i < nclients; i++)
	{
		ClientSlot *s = &slots[i];
		int			w;

		if (!tbh_merge(merged, &s->hist))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the clients' histograms are too large to merge")));
		/* each client's own rate over its own measured time */
		for (w = 0; w < s->ncols; w++)
			if (strcmp(NameStr(TupleDescAttr(mdesc, w)->attname), "wall_s") == 0 &&
				!s->colnull[w] && s->fval[w] > 0)
				ops_per_s += (double) s->hist.count / s->fval[w];
		ops[i] = Int64GetDatum((int64) s->hist.count);
		hists[i] = tb_hist_to_datum(&s->hist);
		appendStringInfo(&detail, "%s%s", i > 0 ? ", " : "", s->measured[0] ? s->measured : "null");
	}
	appendStringInfoChar(&detail, ']');
	if (track_claims)
	{
		overlapped = claims_overlapped(sh, slots, claims, &claims_checked);
		for (i = 0; i < nclients; i++)
			if (slots[i].claims_dropped > 0)
				ereport(NOTICE,
						(errmsg("tasker_bench: claims of client %d were checked for its first %d rows only (%lld more)",
								i + 1, TB_CLAIMS_PER_CLIENT, (long long) slots[i].claims_dropped)));
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = merge_measurements(mdesc, sh, slots, merged);
	values[1] = Int32GetDatum(nclients);
	values[2] = Float8GetDatum(ops_per_s);
	values[3] = PointerGetDatum(construct_array(ops, nclients, INT8OID, 8, FLOAT8PASSBYVAL,
												TYPALIGN_DOUBLE));
	values[4] = PointerGetDatum(construct_array(hists, nclients, sh->htype, -1, false, TYPALIGN_INT));
	values[5] = Int64GetDatum(wt.samples);
	values[6] = wait_events_jsonb(&wt);
	if (track_claims)
	{
		values[7] = Int64GetDatum(claims_checked);
		values[8] = Int64GetDatum(overlapped);
	}
	else
		nulls[7] = nulls[8] = true;
	values[9] = DirectFunctionCall1(jsonb_in, CStringGetDatum(detail.data));

	dsm_detach(seg);
	if (debug_query_string)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
