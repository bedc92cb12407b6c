/*
 * explain.c
 *		The plan of a case, captured once: EXPLAIN (ANALYZE, BUFFERS, FORMAT
 *		JSON) of the statement with its first parameter set, executed in a
 *		subtransaction that is always rolled back (ANALYZE runs the
 *		statement, and a case must leave the data as it found it).
 *
 *		While that execution runs, an ExecutorStart hook records the shape of
 *		every plan the executor starts: the statement's own and those of the
 *		statements nested in the functions it calls (which are what changes
 *		when, e.g., a PL/pgSQL function's cached plan turns generic).  A shape
 *		is node types, relations, indexes, join types and the order of the
 *		nodes, without costs or row estimates.  The distinct shapes, sorted,
 *		are added to the plan's JSON as "Plan Shape", with "Plan
 *		Fingerprint" (md5 of the shape text): two results with the same
 *		fingerprint ran the same plans.  With plan_cache_mode = auto the
 *		statement is explained with custom and with generic plans forced
 *		(see tb_explain), so that the fingerprint does not depend on the
 *		plan cache's history in the session.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/md5.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/resowner.h"

#include "case_context.h"
#include "runner.h"
#include "target.h"

PG_FUNCTION_INFO_V1(tb_explain);

/* distinct shapes kept per case, and their total length */
#define TB_SHAPES_MAX		64
#define TB_SHAPE_TEXT_MAX	(64 * 1024)

static ExecutorStart_hook_type prev_executor_start = NULL;
static StringInfo shapes = NULL;	/* non-NULL while capturing */
static int	nshapes = 0;
static MemoryContext scratch = NULL;	/* one shape at a time, reset after each */

static const char *
plan_node_name(const Plan *plan)
{
	switch (nodeTag(plan))
	{
		case T_Result: return "Result";
		case T_ProjectSet: return "ProjectSet";
		case T_ModifyTable: return "ModifyTable";
		case T_Append: return "Append";
		case T_MergeAppend: return "MergeAppend";
		case T_RecursiveUnion: return "RecursiveUnion";
		case T_BitmapAnd: return "BitmapAnd";
		case T_BitmapOr: return "BitmapOr";
		case T_SeqScan: return "SeqScan";
		case T_SampleScan: return "SampleScan";
		case T_IndexScan: return "IndexScan";
		case T_IndexOnlyScan: return "IndexOnlyScan";
		case T_BitmapIndexScan: return "BitmapIndexScan";
		case T_BitmapHeapScan: return "BitmapHeapScan";
		case T_TidScan: return "TidScan";
		case T_TidRangeScan: return "TidRangeScan";
		case T_SubqueryScan: return "SubqueryScan";
		case T_FunctionScan: return "FunctionScan";
		case T_ValuesScan: return "ValuesScan";
		case T_TableFuncScan: return "TableFuncScan";
		case T_CteScan: return "CteScan";
		case T_NamedTuplestoreScan: return "NamedTuplestoreScan";
		case T_WorkTableScan: return "WorkTableScan";
		case T_ForeignScan: return "ForeignScan";
		case T_CustomScan: return "CustomScan";
		case T_NestLoop: return "NestLoop";
		case T_MergeJoin: return "MergeJoin";
		case T_HashJoin: return "HashJoin";
		case T_Material: return "Material";
		case T_Memoize: return "Memoize";
		case T_Sort: return "Sort";
		case T_IncrementalSort: return "IncrementalSort";
		case T_Group: return "Group";
		case T_Agg: return "Agg";
		case T_WindowAgg: return "WindowAgg";
		case T_Unique: return "Unique";
		case T_Gather: return "Gather";
		case T_GatherMerge: return "GatherMerge";
		case T_Hash: return "Hash";
		case T_SetOp: return "SetOp";
		case T_LockRows: return "LockRows";
		case T_Limit: return "Limit";
		default: return "Plan";
	}
}

static void
append_rel(StringInfo s, const PlannedStmt *stmt, Index rti)
{
	RangeTblEntry *rte;
	char	   *name;

	if (rti == 0 || rti > (Index) list_length(stmt->rtable))
		return;
	rte = rt_fetch(rti, stmt->rtable);
	if (rte->rtekind != RTE_RELATION)
		return;
	name = get_rel_name(rte->relid);
	appendStringInfo(s, " %s", name ? name : "?");
}

static void
append_index(StringInfo s, Oid indexid)
{
	char	   *name = get_rel_name(indexid);

	appendStringInfo(s, " using %s", name ? name : "?");
}

/* one node and its children, as "Type rel (child, child)" */
static void
append_shape(StringInfo s, const PlannedStmt *stmt, const Plan *plan)
{
	ListCell   *lc;
	bool		any = false;

	if (plan == NULL)
		return;
	check_stack_depth();
	appendStringInfoString(s, plan_node_name(plan));
	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
			append_rel(s, stmt, ((const Scan *) plan)->scanrelid);
			break;
		case T_IndexScan:
			append_rel(s, stmt, ((const Scan *) plan)->scanrelid);
			append_index(s, ((const IndexScan *) plan)->indexid);
			break;
		case T_IndexOnlyScan:
			append_rel(s, stmt, ((const Scan *) plan)->scanrelid);
			append_index(s, ((const IndexOnlyScan *) plan)->indexid);
			break;
		case T_BitmapIndexScan:
			append_index(s, ((const BitmapIndexScan *) plan)->indexid);
			break;
		case T_NestLoop:
		case T_MergeJoin:
		case T_HashJoin:
			appendStringInfo(s, " %d", (int) ((const Join *) plan)->jointype);
			break;
		case T_Agg:
			appendStringInfo(s, " %d", (int) ((const Agg *) plan)->aggstrategy);
			break;
		case T_ModifyTable:
			appendStringInfo(s, " %d", (int) ((const ModifyTable *) plan)->operation);
			break;
		default:
			break;
	}
	if (plan->lefttree || plan->righttree)
	{
		appendStringInfoString(s, " (");
		append_shape(s, stmt, plan->lefttree);
		any = true;
		if (plan->righttree)
		{
			appendStringInfoString(s, ", ");
			append_shape(s, stmt, plan->righttree);
		}
	}
	/* nodes with lists of children */
	{
		List	   *kids = NIL;

		if (IsA(plan, Append))
			kids = ((const Append *) plan)->appendplans;
		else if (IsA(plan, MergeAppend))
			kids = ((const MergeAppend *) plan)->mergeplans;
		else if (IsA(plan, BitmapAnd))
			kids = ((const BitmapAnd *) plan)->bitmapplans;
		else if (IsA(plan, BitmapOr))
			kids = ((const BitmapOr *) plan)->bitmapplans;
		foreach(lc, kids)
		{
			appendStringInfoString(s, any ? ", " : " (");
			append_shape(s, stmt, (const Plan *) lfirst(lc));
			any = true;
		}
	}
	if (IsA(plan, SubqueryScan))
	{
		appendStringInfoString(s, any ? ", " : " (");
		append_shape(s, stmt, ((const SubqueryScan *) plan)->subplan);
		any = true;
	}
	if (any)
		appendStringInfoChar(s, ')');
}

static void
capture_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (shapes != NULL && queryDesc->plannedstmt != NULL &&
		queryDesc->plannedstmt->commandType != CMD_UTILITY && nshapes < TB_SHAPES_MAX)
	{
		MemoryContext old = MemoryContextSwitchTo(scratch);
		StringInfoData one;
		ListCell   *lc;

		initStringInfo(&one);
		append_shape(&one, queryDesc->plannedstmt, queryDesc->plannedstmt->planTree);
		foreach(lc, queryDesc->plannedstmt->subplans)
		{
			appendStringInfoString(&one, " [sub ");
			append_shape(&one, queryDesc->plannedstmt, (const Plan *) lfirst(lc));
			appendStringInfoChar(&one, ']');
		}
		/* distinct shapes only: a statement run per row counts once */
		{
			char	   *have = shapes->data;
			bool		seen = false;

			while (*have)
			{
				char	   *end = strchr(have, '\n');
				size_t		len = end ? (size_t) (end - have) : strlen(have);

				if (len == (size_t) one.len && strncmp(have, one.data, len) == 0)
				{
					seen = true;
					break;
				}
				have += len + (end ? 1 : 0);
			}
			if (!seen && shapes->len + one.len < TB_SHAPE_TEXT_MAX)
			{
				appendStringInfo(shapes, "%s\n", one.data);
				nshapes++;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(scratch);
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

static void
capture_stop(void)
{
	ExecutorStart_hook = prev_executor_start;
	prev_executor_start = NULL;
	shapes = NULL;
	nshapes = 0;
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* the lines of s (each ending in '\n') in sorted order, in place */
static void
sort_lines(StringInfo s)
{
	char	  **lines;
	char	   *copy;
	char	   *p;
	int			n = 0;
	int			i;

	if (s->len == 0)
		return;
	copy = pstrdup(s->data);
	for (p = copy; *p; p++)
		n += (*p == '\n');
	lines = palloc(sizeof(char *) * (n + 1));
	n = 0;
	for (p = copy; *p;)
	{
		char	   *end = strchr(p, '\n');

		lines[n++] = p;
		if (end == NULL)
			break;
		*end = '\0';
		p = end + 1;
	}
	qsort(lines, n, sizeof(char *), cmp_lines);
	resetStringInfo(s);
	for (i = 0; i < n; i++)
		appendStringInfo(s, "%s\n", lines[i]);
	pfree(lines);
	pfree(copy);
}

/*
 * One EXPLAIN ANALYZE of the statement in a subtransaction that is rolled
 * back, with plan_cache_mode set to mode (NULL: as it is) for its duration;
 * the distinct shapes of the plans started go to *captured (sorted), the
 * JSON plan is returned (in the caller's context).
 */
static char *
explain_pass(TbTarget *t, const char *sql, Datum *values, const char *nulls,
			 const char *mode, StringInfo captured)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *result = NULL;
	volatile bool capturing = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		/* GUC_ACTION_LOCAL: the rollback of the subtransaction restores it */
		if (mode != NULL)
			(void) set_config_option("plan_cache_mode", mode, PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_LOCAL, true, 0, false);

		/*
		 * The shapes live in the caller's context, outside the
		 * subtransaction.  A statement that explains another one while it is
		 * being explained is not captured twice (the hook stays installed
		 * once).
		 */
		if (shapes == NULL)
		{
			scratch = AllocSetContextCreate(caller, "tasker_bench plan shapes", ALLOCSET_SMALL_SIZES);
			shapes = captured;
			nshapes = 0;
			prev_executor_start = ExecutorStart_hook;
			ExecutorStart_hook = capture_executor_start;
			capturing = true;
		}
		if (SPI_execute_with_args(sql, t->nargs, t->argtypes, values, (char *) nulls, false, 0) < 0 ||
			SPI_processed != 1)
			elog(ERROR, "EXPLAIN returned no plan");
		if (capturing)
			capture_stop();
		capturing = false;
		{
			char	   *plan = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			MemoryContext old = MemoryContextSwitchTo(caller);

			result = pstrdup(plan);
			MemoryContextSwitchTo(old);
		}
		SPI_finish();
	}
	PG_CATCH();
	{
		if (capturing)
			capture_stop();
		tb_rollback_subxact_and_rethrow(caller, owner);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	sort_lines(captured);
	return result;
}

/*
 * tasker_bench._explain(sql text, params text) returns text (JSON)
 *
 * The shape that is fingerprinted must not depend on what the session ran
 * before: a statement nested in a PL/pgSQL function keeps one cached plan
 * source per session, shared by every case that calls the function, and
 * with plan_cache_mode = auto the choice between a custom plan (for the
 * call's values) and the generic one depends on the costs of all the
 * custom plans built before in the session, by other cases and by as many
 * iterations as the clock allowed.  So with auto the statement is
 * explained twice, with custom plans forced and with generic plans forced:
 * the shape is those two sets of distinct shapes (one when they are the
 * same), each sorted (so the order in which per-row calls first met a
 * shape does not count).  With plan_cache_mode set to force a choice, that
 * choice alone.
 */
Datum
tb_explain(PG_FUNCTION_ARGS)
{
	TbTarget   *t;
	char	   *sql;
	Datum	   *values;
	char	   *nulls;
	char	   *result;
	StringInfoData captured;
	char		md5[33];
	const char *errstr = NULL;
	int			i;
	TbCaseContext cctx;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	tb_case_context_push(&cctx, NULL, "tasker_bench: EXPLAIN ANALYZE of the measured statement");
	t = tb_target_get(text_to_cstring(PG_GETARG_TEXT_PP(0)),
					  PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	sql = psprintf("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", t->sql);
	values = palloc0(sizeof(Datum) * Max(t->nargs, 1));
	nulls = palloc0(Max(t->nargs, 1) + 1);
	for (i = 0; i < t->nargs; i++)
	{
		ParamExternData *p = &t->sets[0]->params[i];

		values[i] = p->value;
		nulls[i] = p->isnull ? 'n' : ' ';
	}

	initStringInfo(&captured);
	if (plan_cache_mode == PLAN_CACHE_MODE_AUTO)
	{
		StringInfoData generic;

		initStringInfo(&generic);
		result = explain_pass(t, sql, values, nulls, "force_custom_plan", &captured);
		(void) explain_pass(t, sql, values, nulls, "force_generic_plan", &generic);
		if (strcmp(captured.data, generic.data) != 0)
		{
			StringInfoData both;

			initStringInfo(&both);
			appendStringInfo(&both, "custom plans:\n%sgeneric plans:\n%s", captured.data, generic.data);
			captured = both;
		}
	}
	else
		result = explain_pass(t, sql, values, nulls, NULL, &captured);
	tb_case_context_pop(&cctx);

	/* [ {"Plan": ...} ] -> [ {"Plan": ..., "Plan Shape": ..., "Plan Fingerprint": ...} ] */
	if (!pg_md5_hash(captured.data, captured.len, md5, &errstr))
		elog(ERROR, "could not compute the plan fingerprint: %s", errstr ? errstr : "out of memory");
	{
		char	   *close = strrchr(result, '}');

		if (close != NULL)
		{
			StringInfoData out;

			initStringInfo(&out);
			appendBinaryStringInfo(&out, result, close - result);
			appendStringInfoString(&out, ",\n    \"Plan Shape\": ");
			escape_json(&out, captured.data);
			appendStringInfo(&out, ",\n    \"Plan Fingerprint\": \"%s\"\n  %s", md5, close);
			result = out.data;
		}
	}
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
