/*
 * case_context.c
 *		Errors in a case's own SQL are reported against that SQL.
 *
 * The user's statement is parsed and run several calls below the SQL the
 * user typed, inside the extension's PL/pgSQL.  Left alone, a syntax error
 * in it was shown as "LINE 1: SELECT tasker_bench._validate(...)" (the
 * position converted into the PL/pgSQL statement that called us) followed
 * by four to six CONTEXT lines of internal functions.  While a case's SQL
 * is prepared or measured, this error context stands in for the whole
 * context stack above it: the position (when the statement's own parser
 * set one) is shown inside the case's statement, and the only CONTEXT line
 * names the case.  Errors of the params query keep the position SPI gives
 * them inside the params query.  The stack is restored on return, and by
 * PG_TRY/PG_CATCH (which save and restore it) when an error propagates.
 */
#include "postgres.h"

#include "case_context.h"

static void
case_error_context(void *arg)
{
	TbCaseContext *c = (TbCaseContext *) arg;
	int			pos = geterrposition();

	if (pos > 0 && c->sql != NULL)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(c->sql);
	}
	errcontext("%s", c->what);
}

void
tb_case_context_push(TbCaseContext *c, const char *sql, const char *what)
{
	c->sql = sql;
	c->what = what;
	c->saved = error_context_stack;
	c->cb.callback = case_error_context;
	c->cb.arg = c;
	c->cb.previous = NULL;		/* the extension's own frames are not the user's business */
	error_context_stack = &c->cb;
}

void
tb_case_context_pop(TbCaseContext *c)
{
	error_context_stack = c->saved;
}
