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
	CachedPlanSource *plansource;	/* unsaved: lives in the caller's context */
	int			nargs;
	Oid		   *argtypes;
	int			nsets;			/* >= 1 */
	ParamListInfo *sets;		/* nsets entries; NULL when nargs = 0 */
	bool		read_only;		/* plain SELECT: no writes, row locks or volatile calls */
} TbTarget;

/*
 * Parse, analyse and plan-cache sql (exactly one plannable statement, $n
 * parameter types inferred from their use) and materialise the rows of
 * params_sql (may be NULL) as parameter sets, converting each column to the
 * type its parameter needs.  Everything is allocated in CurrentMemoryContext.
 * Errors (syntax, unknown objects, parameter mismatches) are raised here,
 * before anything is measured.
 */
extern TbTarget *tb_target_prepare(const char *sql, const char *params_sql);

#endif							/* TB_TARGET_H */
