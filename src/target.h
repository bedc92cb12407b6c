/*
 * target.h
 *		Turning a case (a statement and its params query) into a prepared
 *		plan and the parameter sets it is executed with.
 */
#ifndef TB_TARGET_H
#define TB_TARGET_H

#include "postgres.h"

#include "nodes/params.h"
#include "utils/plancache.h"

typedef struct TbTarget
{
	const char *sql;
	CachedPlanSource *plansource;	/* saved while a run keeps it, else in the caller's context */
	int			nargs;
	Oid		   *argtypes;
	int			nsets;			/* >= 1 */
	ParamListInfo *sets;		/* nsets entries; NULL when nargs = 0 */
	bool		read_only;		/* plain SELECT: no writes, row locks or volatile calls */
} TbTarget;

/*
 * The case (sql: exactly one plannable statement, $n parameter types
 * inferred from their use; params_sql, may be NULL: a query whose rows are
 * the parameter sets, each column converted to the type its parameter
 * needs), prepared: parsed, analysed and plan-cached, the params query run.
 * Errors (syntax, unknown objects, parameter mismatches) are raised here,
 * before anything is measured.
 *
 * While a run is in progress in this backend, a case is prepared once per
 * run: the first call prepares and keeps it (its plan saved, the rest in
 * memory of the run's) and later calls with the same statement, params
 * query, search_path and user return the same target, which the caller must
 * treat as read-only; it is dropped when the run ends or aborts.  Outside a
 * run, every call prepares anew into CurrentMemoryContext (the plan
 * unsaved).
 */
extern TbTarget *tb_target_get(const char *sql, const char *params_sql);

#endif							/* TB_TARGET_H */
