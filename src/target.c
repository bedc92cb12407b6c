/*
 * target.c
 *		A case becomes a prepared plan plus its parameter sets.
 *
 * The statement goes through the same steps as a protocol-level prepared
 * statement (parse, analyse with inferred parameter types, plan cache), so
 * plan_cache_mode and the custom/generic plan choice behave as they do for
 * a client's prepared statement.  The params query is run once, up front;
 * its rows are converted to the parameter types and kept, so nothing of
 * it happens inside the measurement loop.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "target.h"
#include "tasker_bench.h"

/* upper bound of parameter sets kept in memory */
#define TB_MAX_PARAM_SETS 1000000

typedef struct ConvertContext
{
	uint64		row;
	int			col;
	Oid			from;
	Oid			to;
} ConvertContext;

static void
convert_error_callback(void *arg)
{
	ConvertContext *c = (ConvertContext *) arg;

	errcontext("converting params row %llu, column %d (%s) to parameter $%d (%s)",
			   (unsigned long long) c->row, c->col,
			   format_type_be(c->from), c->col, format_type_be(c->to));
}

static bool
query_is_read_only(Query *q)
{
	if (q->commandType != CMD_SELECT)
		return false;
	if (q->hasModifyingCTE || q->rowMarks != NIL)
		return false;
	return !contain_volatile_functions((Node *) q);
}

static void
load_param_sets(TbTarget *t, const char *params_sql)
{
	MemoryContext outer = CurrentMemoryContext;
	SPITupleTable *tt;
	TupleDesc	desc;
	uint64		nrows;
	uint64		r;
	int			j;
	int			ret;
	ConvertContext cc;
	ErrorContextCallback errcb;

	/* only a query that returns rows: SELECT, VALUES, TABLE */
	{
		List	   *raw = raw_parser(params_sql, RAW_PARSE_DEFAULT);

		if (list_length(raw) != 1 ||
			!IsA(linitial_node(RawStmt, raw)->stmt, SelectStmt))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("params must be one query that returns rows (SELECT, VALUES or TABLE)"),
					 errhint("Give a SELECT whose columns feed $1..$n, e.g. 'SELECT task_uuid FROM tasker.tasks ORDER BY 1 LIMIT 5'.")));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	ret = SPI_execute(params_sql, true, TB_MAX_PARAM_SETS + 1);
	if (ret != SPI_OK_SELECT || SPI_tuptable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("params must be a query that returns rows"),
				 errhint("Give a SELECT whose columns feed $1..$n, e.g. 'SELECT task_uuid FROM tasker.tasks ORDER BY 1 LIMIT 5'.")));
	tt = SPI_tuptable;
	desc = tt->tupdesc;
	nrows = SPI_processed;

	if (desc->natts != t->nargs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("params query returns %d column%s but the statement has %d parameter%s",
						desc->natts, desc->natts == 1 ? "" : "s",
						t->nargs, t->nargs == 1 ? "" : "s"),
				 errhint("Return one column per parameter, in the order $1..$n.")));
	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("params query returned no rows"),
				 errhint("The statement needs at least one parameter set; check that the data the params query reads exists (for the tasker suite: tasker_bench_fixture()).")));
	if (nrows > TB_MAX_PARAM_SETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("params query returned more than %d rows", TB_MAX_PARAM_SETS),
				 errhint("Add a LIMIT; parameter sets are rotated, so a few hundred are plenty.")));

	MemoryContextSwitchTo(outer);
	t->nsets = (int) nrows;
	t->sets = palloc0(sizeof(ParamListInfo) * nrows);

	errcb.callback = convert_error_callback;
	errcb.arg = &cc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	for (r = 0; r < nrows; r++)
	{
		ParamListInfo pl = makeParamList(t->nargs);

		CHECK_FOR_INTERRUPTS();
		pl->numParams = t->nargs;
		for (j = 0; j < t->nargs; j++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, j);
			ParamExternData *p = &pl->params[j];
			bool		isnull;
			Datum		v = SPI_getbinval(tt->vals[r], desc, j + 1, &isnull);
			Oid			to = t->argtypes[j];
			int16		typlen;
			bool		typbyval;

			cc.row = r + 1;
			cc.col = j + 1;
			cc.from = att->atttypid;
			cc.to = to;

			p->ptype = to;
			p->pflags = PARAM_FLAG_CONST;
			p->isnull = isnull;
			p->value = (Datum) 0;
			if (isnull)
				continue;
			if (att->atttypid == to)
			{
				get_typlenbyval(to, &typlen, &typbyval);
				p->value = datumCopy(v, typbyval, typlen);
			}
			else
			{
				Oid			outfunc;
				bool		isvarlena;
				Oid			infunc;
				Oid			ioparam;
				char	   *s;

				getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
				s = OidOutputFunctionCall(outfunc, v);
				getTypeInputInfo(to, &infunc, &ioparam);
				p->value = OidInputFunctionCall(infunc, s, ioparam, -1);
			}
		}
		t->sets[r] = pl;
	}
	error_context_stack = errcb.previous;

	SPI_finish();
	MemoryContextSwitchTo(outer);
}

/* how many times this backend prepared a case (tasker_bench._prepare_count) */
static int64 prepare_count = 0;

/* Prepare the case into CurrentMemoryContext (tb_target_get, target.h). */
static TbTarget *
tb_target_prepare(const char *sql, const char *params_sql)
{
	TbTarget   *t = palloc0(sizeof(TbTarget));
	List	   *raw;
	RawStmt    *rs;
	List	   *queries;
	ListCell   *lc;
	Oid		   *types = NULL;
	int			ntypes = 0;
	int			i;

	prepare_count++;
	t->sql = pstrdup(sql);
	raw = raw_parser(t->sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the statement to measure is empty"),
				 errhint("Give one SQL statement, e.g. 'SELECT 1'.")));
	if (list_length(raw) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tasker_bench measures one statement per case, got %d", list_length(raw)),
				 errhint("Register each statement as its own case, or wrap them in a function.")));
	rs = linitial_node(RawStmt, raw);

	t->plansource = CreateCachedPlan(rs, t->sql, CreateCommandTag(rs->stmt));
	queries = pg_analyze_and_rewrite_varparams(rs, t->sql, &types, &ntypes, NULL);

	for (i = 0; i < ntypes; i++)
		if (types[i] == InvalidOid || types[i] == UNKNOWNOID)
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the data type of parameter $%d", i + 1),
					 errhint("Add a cast in the statement, e.g. $%d::uuid.", i + 1)));

	if (queries == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the statement rewrites to nothing to execute")));

	t->read_only = true;
	foreach(lc, queries)
	{
		Query	   *q = lfirst_node(Query, lc);

		if (q->commandType == CMD_UTILITY)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("utility statements cannot be measured: %s",
							GetCommandTagName(CreateCommandTag(q->utilityStmt))),
					 errhint("Measure a SELECT, INSERT, UPDATE, DELETE or MERGE; wrap anything else (CALL, DDL) in a function and SELECT it.")));
		if (!query_is_read_only(q))
			t->read_only = false;
	}

	CompleteCachedPlan(t->plansource, queries, NULL, types, ntypes,
					   NULL, NULL, CURSOR_OPT_PARALLEL_OK, true);
	t->nargs = ntypes;
	t->argtypes = palloc0(sizeof(Oid) * Max(ntypes, 1));
	if (ntypes > 0)
		memcpy(t->argtypes, types, sizeof(Oid) * ntypes);

	if (params_sql != NULL)
	{
		if (t->nargs == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a params query was given but the statement has no parameters"),
					 errhint("Use $1..$n in the statement where the params columns go, or drop params.")));
		load_param_sets(t, params_sql);
	}
	else
	{
		if (t->nargs > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the statement uses %d parameter%s but no params query was given",
							t->nargs, t->nargs == 1 ? "" : "s"),
					 errhint("Pass params => 'SELECT ...' returning one column per parameter.")));
		t->nsets = 1;
		t->sets = palloc0(sizeof(ParamListInfo));
	}
	return t;
}

/*
 * A case is prepared once per run.  A run validates its cases before any
 * is measured, then measures each and takes its EXPLAIN: while the run is
 * in progress in this backend, the first of these prepares the case
 * (tb_target_prepare: parse, plan cache, the params query and its
 * parameter sets) and saves it here; the others take it from here.  Cases
 * are told apart by statement, params query, search_path and user: two
 * cases of one run that agree in all four are one prepared statement.
 *
 * The prepared plan is saved (SaveCachedPlan), so the plan cache
 * invalidates and re-plans it when what it depends on changes, as for a
 * client's prepared statement; the rest of the target lives in a memory
 * context of its own under run_targets_cxt.  Everything is dropped when
 * the run ends (tasker_bench._run_targets_reset, called by _enter_run and
 * _leave_run) and when the transaction or subtransaction in which the run
 * started aborts, so nothing outlives a failed run.
 *
 * Not shared: the concurrent clients are background workers, each of
 * which prepares the case in its own backend (a plan cannot cross
 * backends); there run_level is 0 and nothing is kept.  The notify driver
 * does not prepare here at all: its statement is prepared by the session
 * at the other end of its loopback connection.
 */
typedef struct RunTarget
{
	char	   *sql;
	char	   *params_sql;		/* NULL: none */
	char	   *search_path;
	Oid			userid;
	TbTarget   *target;
} RunTarget;

static MemoryContext run_targets_cxt = NULL;
static List *run_targets = NIL;	/* of RunTarget, in run_targets_cxt */

/* transaction nesting level at which the run in progress started; 0: none */
static int	run_level = 0;
static bool callbacks_registered = false;

static void
run_targets_drop(void)
{
	ListCell   *lc;

	foreach(lc, run_targets)
		DropCachedPlan(((RunTarget *) lfirst(lc))->target->plansource);
	run_targets = NIL;
	if (run_targets_cxt != NULL)
		MemoryContextReset(run_targets_cxt);	/* and every target's own context */
}

static void
run_targets_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		run_targets_drop();
		run_level = 0;
	}
}

static void
run_targets_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	/* the subtransaction the run started in (or one around it) aborts */
	if (event == SUBXACT_EVENT_ABORT_SUB && run_level > 0 &&
		GetCurrentTransactionNestLevel() <= run_level)
	{
		run_targets_drop();
		run_level = 0;
	}
}

PG_FUNCTION_INFO_V1(tb_run_targets_reset);
PG_FUNCTION_INFO_V1(tb_prepare_count);

/*
 * tasker_bench._run_targets_reset(run_starts boolean): drop every prepared
 * case; run_starts: a run starts here (cases are kept from now on), else
 * the run has ended (nothing is kept).
 */
Datum
tb_run_targets_reset(PG_FUNCTION_ARGS)
{
	run_targets_drop();
	run_level = (!PG_ARGISNULL(0) && PG_GETARG_BOOL(0)) ? GetCurrentTransactionNestLevel() : 0;
	if (run_level > 0 && !callbacks_registered)
	{
		RegisterXactCallback(run_targets_xact_callback, NULL);
		RegisterSubXactCallback(run_targets_subxact_callback, NULL);
		callbacks_registered = true;
	}
	PG_RETURN_VOID();
}

/*
 * tasker_bench._prepare_count(OUT prepares bigint, OUT kept integer): how
 * many times this backend has prepared a case, and how many prepared cases
 * the run in progress keeps (for the tests)
 */
Datum
tb_prepare_count(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "tasker_bench._prepare_count must return a composite");
	values[0] = Int64GetDatum(prepare_count);
	values[1] = Int32GetDatum(list_length(run_targets));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

TbTarget *
tb_target_get(const char *sql, const char *params_sql)
{
	const char *path = GetConfigOption("search_path", false, false);
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	ListCell   *lc;
	RunTarget  *e;
	TbTarget   *t;

	if (run_level == 0 || !tb_in_run || sql == NULL || path == NULL)
		return tb_target_prepare(sql, params_sql);

	foreach(lc, run_targets)
	{
		e = (RunTarget *) lfirst(lc);
		if (e->userid == GetUserId() && strcmp(e->sql, sql) == 0 &&
			strcmp(e->search_path, path) == 0 &&
			((e->params_sql == NULL && params_sql == NULL) ||
			 (e->params_sql != NULL && params_sql != NULL && strcmp(e->params_sql, params_sql) == 0)))
			return e->target;
	}

	if (run_targets_cxt == NULL)
		run_targets_cxt = AllocSetContextCreate(TopMemoryContext, "tasker_bench prepared cases",
												ALLOCSET_SMALL_SIZES);
	cxt = AllocSetContextCreate(run_targets_cxt, "tasker_bench prepared case", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		t = tb_target_prepare(sql, params_sql);
	}
	PG_CATCH();
	{
		/* the plan is not saved yet: it goes with the context */
		MemoryContextSwitchTo(caller);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SaveCachedPlan(t->plansource);

	e = palloc(sizeof(RunTarget));
	e->sql = pstrdup(sql);
	e->params_sql = params_sql ? pstrdup(params_sql) : NULL;
	e->search_path = pstrdup(path);
	e->userid = GetUserId();
	e->target = t;
	MemoryContextSwitchTo(run_targets_cxt);
	run_targets = lappend(run_targets, e);
	MemoryContextSwitchTo(caller);
	return t;
}
