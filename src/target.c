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

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
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

/*
 * The params query runs once per run.  A run validates its cases, measures
 * each and takes its EXPLAIN: three preparations of the same case.  While a
 * run is in progress (tasker_bench.in_run), the parameter sets are kept per
 * (statement, params query, search_path, parameter types) and the later preparations
 * take them from here.  A run starts with an empty cache
 * (tasker_bench._params_cache_reset(), called by _enter_run), and outside a
 * run nothing is kept or taken.
 */
#define TB_PARAMS_CACHE_ENTRIES 8

typedef struct ParamsCacheEntry
{
	char	   *sql;
	char	   *params_sql;
	char	   *search_path;
	int			nargs;
	Oid		   *argtypes;
	int			nsets;
	ParamListInfo *sets;
} ParamsCacheEntry;

static MemoryContext params_cache_cxt = NULL;
static ParamsCacheEntry params_cache[TB_PARAMS_CACHE_ENTRIES];
static int	params_cache_n = 0;

PG_FUNCTION_INFO_V1(tb_params_cache_reset);

Datum
tb_params_cache_reset(PG_FUNCTION_ARGS)
{
	if (params_cache_cxt != NULL)
		MemoryContextReset(params_cache_cxt);
	params_cache_n = 0;
	PG_RETURN_VOID();
}

static ParamsCacheEntry *
params_cache_find(const TbTarget *t, const char *params_sql, const char *path)
{
	int			i;

	for (i = 0; i < params_cache_n; i++)
	{
		ParamsCacheEntry *e = &params_cache[i];

		if (e->nargs == t->nargs && strcmp(e->sql, t->sql) == 0 &&
			strcmp(e->params_sql, params_sql) == 0 &&
			strcmp(e->search_path, path) == 0 &&
			memcmp(e->argtypes, t->argtypes, sizeof(Oid) * t->nargs) == 0)
			return e;
	}
	return NULL;
}

static bool
params_from_cache(TbTarget *t, const char *params_sql)
{
	const char *path = GetConfigOption("search_path", false, false);
	ParamsCacheEntry *e;

	if (!tb_in_run || path == NULL)
		return false;
	e = params_cache_find(t, params_sql, path);
	if (e == NULL)
		return false;
	t->nsets = e->nsets;
	t->sets = e->sets;			/* read only, kept until the next run starts */
	return true;
}

static void
params_to_cache(const TbTarget *t, const char *params_sql)
{
	const char *path = GetConfigOption("search_path", false, false);
	MemoryContext old;
	ParamsCacheEntry *e;
	int			i;

	if (!tb_in_run || path == NULL || params_cache_n >= TB_PARAMS_CACHE_ENTRIES)
		return;
	if (params_cache_cxt == NULL)
		params_cache_cxt = AllocSetContextCreate(TopMemoryContext, "tasker_bench params cache",
												 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(params_cache_cxt);
	e = &params_cache[params_cache_n];
	e->sql = pstrdup(t->sql);
	e->params_sql = pstrdup(params_sql);
	e->search_path = pstrdup(path);
	e->nargs = t->nargs;
	e->argtypes = palloc(sizeof(Oid) * Max(t->nargs, 1));
	memcpy(e->argtypes, t->argtypes, sizeof(Oid) * t->nargs);
	e->nsets = t->nsets;
	e->sets = palloc(sizeof(ParamListInfo) * t->nsets);
	for (i = 0; i < t->nsets; i++)
		e->sets[i] = copyParamList(t->sets[i]);
	MemoryContextSwitchTo(old);
	params_cache_n++;
}

TbTarget *
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
		if (!params_from_cache(t, params_sql))
		{
			load_param_sets(t, params_sql);
			params_to_cache(t, params_sql);
		}
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
