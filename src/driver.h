/*
 * driver.h
 *		What a way of measuring (a driver) supplies to the one measuring loop
 *		(runner.c), and the row builder through which it reports its own
 *		figures.
 *
 * The loop owns everything a measurement has in common: warmup, iterations
 * or a time budget, block medians and machine-speed probes, progress in
 * pg_stat_activity, interrupts, the histogram and the result row.  A driver
 * owns only what differs:
 *
 *	  prepare	  check the case (statement, params query, options) and get it
 *				  ready; raise every error of bad input here
 *	  iterate	  one iteration; return its timed duration in ns
 *	  report	  fill the driver's own columns of the result row, by name (the
 *				  loop has set rows_per_call 0, read_only true, rolled_back false,
 *				  param_sets 1: a driver sets what differs)
 *	  teardown	  release what prepare took; called on every path (also on
 *				  error and cancel) and must not raise
 *
 * Adding a driver: one C file defining a TbDriver named tb_<name>_driver, and
 * one TB_DRIVER(<name>) line in driver_list.h.
 */
#ifndef TB_DRIVER_H
#define TB_DRIVER_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "utils/jsonb.h"

#include "row.h"
#include "runner.h"

/* One case as a driver gets it. */
typedef struct TbCaseSpec
{
	const char *sql;			/* may be NULL: a driver may have a default */
	const char *params;			/* the params query, or NULL */
	Jsonb	   *options;		/* the driver's options, or NULL */
	int			rollback;		/* -1: the driver decides; else 0 / 1 */
	const char *label;			/* shown in pg_stat_activity */
	bool		validate_only;	/* prepare only to check; nothing will be iterated */
	/* optional (concurrent clients): sees each row a measured iteration returns */
	void		(*row_hook) (TupleTableSlot *slot, void *arg);
	void	   *row_hook_arg;
} TbCaseSpec;

typedef struct TbDriver
{
	const char *name;

	/* define the driver's settings (GUCs); called from _PG_init; may be NULL */
	void		(*define_gucs) (void);

	/* check and get ready; errors on bad input; the state lives in CurrentMemoryContext */
	void	   *(*prepare) (const TbCaseSpec *c);

	/* the measured phase starts (after warmup); may be NULL */
	void		(*begin_measured) (void *state);

	/*
	 * One iteration, the i-th of its phase (parameter rotation); measured is
	 * false during warmup and for probes.  Returns the timed duration, ns.
	 * Runs in a short-lived memory context reset after every iteration.
	 */
	int64		(*iterate) (void *state, int64 i, bool measured);

	/* the measured phase has ended (also on error); may be NULL; must not raise */
	void		(*end_measured) (void *state);

	/* fill the driver's own columns of the result row; n = measured iterations */
	void		(*report) (void *state, const TbRunResult *res, TbRow *row);

	/* release everything prepare took; every path; must not raise; may be NULL */
	void		(*teardown) (void *state);

	/*
	 * With a time budget, stop after this many iterations (warmup and
	 * measured phase each); 0 or NULL: no cap.  A driver whose iterations
	 * leave dead rows behind caps them, so that one run does not change the
	 * data the next run measures.
	 */
	int64		(*max_iterations) (void *state);

	/*
	 * how many parameter sets iterate rotates through (the i-th iteration
	 * uses set i modulo this); concurrent clients spread their starts over
	 * them.  May be NULL: one.
	 */
	int			(*param_sets) (void *state);
} TbDriver;

/* The registered drivers (driver_list.h). */
#define TB_DRIVER(n) extern PGDLLIMPORT const TbDriver tb_##n##_driver;
#include "driver_list.h"
#undef TB_DRIVER
extern const TbDriver *tb_driver_lookup(const char *name);
extern void tb_drivers_define_gucs(void);

/*
 * Measure one case with a driver: prepare, the loop, the row (every column
 * the loop and the driver did not set is NULL), teardown on every path.
 */
extern Datum tb_measure_case(const TbDriver *d, const TbCaseSpec *c, const TbRunSpec *spec,
							 TupleDesc tupdesc);

/* Prepare and tear down again: every error of bad input, nothing measured. */
extern void tb_validate_case(const TbDriver *d, const TbCaseSpec *c);

#endif							/* TB_DRIVER_H */
