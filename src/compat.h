/*
 * compat.h
 *		Every difference between the PostgreSQL versions tasker_bench builds
 *		against (15, 16, 17, 18), keyed on PG_VERSION_NUM.  The rest of the
 *		code calls only what this header names and has no version tests.
 *
 * What differs, and what the code uses instead:
 *
 *	  noreturn functions	15-17: pg_attribute_noreturn() after the
 *							declarator; 18: pg_noreturn before it (the old
 *							macro is gone).  Use tb_noreturn before the
 *							return type: extern tb_noreturn void f(void);
 *	  ExecutorRun()			15-17: (queryDesc, direction, count, execute_once);
 *							18: execute_once is gone (always once).  Use
 *							tb_executor_run(queryDesc, direction, count).
 *	  CreateWaitEventSet()	15-16: (memory context, nevents), the set lives in
 *							that context; 17-18: (resource owner, nevents), the
 *							set lives in TopMemoryContext and, given an owner,
 *							is released with it.  tasker_bench keeps its wait
 *							event sets across calls and frees them itself, so
 *							they belong to no resource owner: passing a memory
 *							context where 17 expects an owner (the 15 call
 *							compiled with a warning) made 17 treat it as an
 *							owner and fail with "ResourceOwnerEnlarge called
 *							after release started".  Use
 *							tb_create_wait_event_set(nevents): TopMemoryContext
 *							on 15-16, no owner on 17-18.
 *	  a PGPROC's number		15-16: the field proc->pgprocno; 17-18: the field
 *							is gone, GetNumberFromPGProc(proc).  Use
 *							tb_proc_number(proc) (GetPGProcByNumber() is the
 *							same on every version).
 *	  DatumGetHeapTupleHeader()  a macro (detoast) up to the minor releases
 *							of 2026, an exported server function from them on
 *							(e.g. 15.20, 17.12): a module built against such
 *							headers does not load into an older minor release
 *							of the same major version ("undefined symbol").
 *							Use tb_datum_get_heap_tuple_header(d): the detoast
 *							of the macro, which loads into every minor release
 *							(a composite datum we get back from the executor).
 *	  heap_getattr()		an inline function that, from the same minor
 *							releases on, calls the server function
 *							heap_datum_check(), missing in older minors of
 *							the same major version.  Use
 *							tb_heap_getattr(tuple, attnum, desc, &isnull):
 *							SPI_getbinval, exported by every release (no SPI
 *							connection needed).
 *	  uuidv7()				18 only (native); SQL tests for it with
 *							to_regprocedure('uuidv7()') at run time, so the
 *							install script is the same for every version.
 */
#ifndef TB_COMPAT_H
#define TB_COMPAT_H

#include "postgres.h"

#include "access/htup_details.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 180000
#include "storage/waiteventset.h"
#else
#include "storage/latch.h"
#endif

#if PG_VERSION_NUM < 150000
#error "tasker_bench needs PostgreSQL 15 or later"
#endif

/* noreturn: a specifier before the declaration on every version */
#if PG_VERSION_NUM >= 180000
#define tb_noreturn pg_noreturn
#else
#define tb_noreturn pg_attribute_noreturn()
#endif

/* ExecutorRun: the plan runs once (tasker_bench never re-runs a portal) */
#if PG_VERSION_NUM >= 180000
#define tb_executor_run(qd, dir, count) ExecutorRun((qd), (dir), (count))
#else
#define tb_executor_run(qd, dir, count) ExecutorRun((qd), (dir), (count), true)
#endif

/* A wait event set owned by the caller (FreeWaitEventSet), in TopMemoryContext */
#if PG_VERSION_NUM >= 170000
#define tb_create_wait_event_set(nevents) CreateWaitEventSet(NULL, (nevents))
#else
#define tb_create_wait_event_set(nevents) CreateWaitEventSet(TopMemoryContext, (nevents))
#endif

/* a PGPROC's number (index into ProcGlobal->allProcs) */
#if PG_VERSION_NUM >= 170000
#define tb_proc_number(proc) GetNumberFromPGProc(proc)
#else
#define tb_proc_number(proc) ((proc)->pgprocno)
#endif

/* a composite Datum's tuple header, without the server function of newer minors */
#define tb_datum_get_heap_tuple_header(d) ((HeapTupleHeader) PG_DETOAST_DATUM(d))

/* an attribute of a heap tuple, without heap_datum_check() of newer minors */
#define tb_heap_getattr(tup, attnum, desc, isnull) SPI_getbinval((tup), (desc), (attnum), (isnull))

#endif							/* TB_COMPAT_H */
