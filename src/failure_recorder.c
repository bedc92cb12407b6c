/*
 * failure_recorder.c
 *		Recording a failed run in a transaction of its own.
 *
 * When a case fails, its error aborts the caller's transaction, and with it
 * anything written there.  So the record of the failure (the run row with
 * status 'failed', the message and SQLSTATE) is written by a short-lived
 * dynamic background worker: it connects to the same database as the
 * caller's session user, takes the caller's current role, calls
 * tasker_bench._insert_failed_run(jsonb) and commits.  The caller waits
 * for it, then raises the original error.
 *
 * The worker runs one fixed statement with the caller's privileges, so it
 * lets no one do anything they could not do in their own session.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"

#include "keys.h"
#include "tasker_bench.h"

PG_FUNCTION_INFO_V1(tb_record_failure);

PGDLLEXPORT void tb_failure_worker_main(Datum arg);

typedef struct FailurePayload
{
	Oid			dboid;
	Oid			session_user;
	Oid			current_user;
	volatile int status;		/* set to 1 by the worker on commit */
	Size		len;
	char		json[FLEXIBLE_ARRAY_MEMBER];
} FailurePayload;

void
tb_failure_worker_main(Datum arg)
{
	dsm_segment *seg;
	FailurePayload *p;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tasker_bench: could not attach the failure record's shared memory")));
	p = (FailurePayload *) dsm_segment_address(seg);

	BackgroundWorkerInitializeConnectionByOid(p->dboid, p->session_user, 0);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SetUserIdAndSecContext(p->current_user, SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "tasker_bench: recording a failed run");

	args[0] = CStringGetTextDatum(p->json);
	/* the caller checked that the id is the one its run reserved */
	tb_trusted_key_insert = true;
	if (SPI_execute_with_args("SELECT tasker_bench._insert_failed_run($1::jsonb)",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "tasker_bench: recording the failed run did not run its SELECT");

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	p->status = 1;
	dsm_detach(seg);
	proc_exit(0);
}

/* whether the record's id is the run id this session reserved last */
static bool
run_is_reserved(const char *json)
{
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
	JsonbValue	k;
	JsonbValue *v;

	if (!JB_ROOT_IS_OBJECT(jb))
		return false;
	k.type = jbvString;
	k.val.string.val = "id";
	k.val.string.len = 2;
	v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &k);
	if (v == NULL || v->type != jbvNumeric)
		return false;
	return tb_key_is_current(tb_runs_sequence(),
							 DatumGetInt64(DirectFunctionCall1(numeric_int8,
															   NumericGetDatum(v->val.numeric))));
}

/*
 * tasker_bench._record_failure(run text) returns boolean
 *
 * Writes the run (the text of a jsonb object of tasker_bench.runs columns) through the
 * worker.  Returns whether it was recorded; never raises for a failure to
 * record (a WARNING says why), so the caller can go on to raise the error
 * that matters.
 */
Datum
tb_record_failure(PG_FUNCTION_ARGS)
{
	char	   *json;
	Size		len;
	dsm_segment *seg;
	FailurePayload *p;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;
	bool		ok;

	if (PG_ARGISNULL(0) || !tb_record_failures)
		PG_RETURN_BOOL(false);
	json = text_to_cstring(PG_GETARG_TEXT_PP(0));
	len = strlen(json);
	if (!run_is_reserved(json))
	{
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("tasker_bench records only the failure of the run this session is running"),
				 errhint("Its id must be the last value of tasker_bench.runs_id_seq this session took.")));
		PG_RETURN_BOOL(false);
	}

	seg = dsm_create(offsetof(FailurePayload, json) + len + 1, 0);
	p = (FailurePayload *) dsm_segment_address(seg);
	p->dboid = MyDatabaseId;
	p->session_user = GetSessionUserId();
	p->current_user = GetUserId();
	p->status = 0;
	p->len = len;
	memcpy(p->json, json, len + 1);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "tasker_bench");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "tb_failure_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "tasker_bench failure recorder");
	snprintf(worker.bgw_type, BGW_MAXLEN, "tasker_bench failure recorder");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		dsm_detach(seg);
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("tasker_bench could not record the failed run: no background worker slot is free"),
				 errhint("Raise max_worker_processes, or set tasker_bench.record_failures = off to silence this.")));
		PG_RETURN_BOOL(false);
	}
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
		(void) WaitForBackgroundWorkerShutdown(handle);
	ok = (p->status == 1);
	dsm_detach(seg);
	if (!ok)
		ereport(WARNING,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("tasker_bench could not record the failed run"),
				 errhint("The server log has the background worker's error.")));
	PG_RETURN_BOOL(ok);
}
