/*
 * case_context.h
 *		Errors in a case's own SQL are reported against that SQL (case_context.c).
 */
#ifndef TB_CASE_CONTEXT_H
#define TB_CASE_CONTEXT_H

typedef struct TbCaseContext
{
	ErrorContextCallback cb;
	ErrorContextCallback *saved;
	const char *sql;
	const char *what;
} TbCaseContext;

/* from here on errors name what and point into sql, not into our code */
extern void tb_case_context_push(TbCaseContext *c, const char *sql, const char *what);

/* the caller's error context again (an error restores it by itself) */
extern void tb_case_context_pop(TbCaseContext *c);

#endif							/* TB_CASE_CONTEXT_H */
