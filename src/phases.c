/*
 * phases.c
 *		Per-phase timing and counters inside an iteration (see phases.h).
 *
 * A mark costs one clock read and a short name lookup.  Within an
 * iteration the time from one mark to the next is added to the earlier
 * mark's phase; the time from the start of the timed region to the first
 * mark goes to the phase "other", and the last phase runs to the end of the
 * timed region, so an iteration's phases add up to its timed duration.
 * Each phase's total per iteration is recorded once into its histogram
 * (zero for a known phase the iteration did not enter).
 */
#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "clock.h"
#include "phases.h"

PG_FUNCTION_INFO_V1(tb_phase);
PG_FUNCTION_INFO_V1(tb_count);

static TbPhaseSet *current_set = NULL;
static MemoryContext set_context = NULL;	/* where histograms are allocated */
static bool in_iteration = false;
static int	cur_phase = -1;		/* -1: no mark yet in this iteration */
static int64 first_mark = 0;
static int64 last_mark = 0;
static int64 acc[TB_MAX_PHASES];
static bool marked = false;

static TbHist *
new_hist(void)
{
	TbHist	   *h = MemoryContextAlloc(set_context, sizeof(TbHist));

	tbh_init(h);
	return h;
}

void
tb_phases_start(TbPhaseSet *set)
{
	memset(set, 0, sizeof(TbPhaseSet));
	current_set = set;
	set_context = CurrentMemoryContext;
	in_iteration = false;
}

void
tb_phases_stop(void)
{
	current_set = NULL;
	set_context = NULL;
	in_iteration = false;
}

void
tb_phases_begin_iteration(void)
{
	if (current_set == NULL)
		return;
	in_iteration = true;
	cur_phase = -1;
	marked = false;
	memset(acc, 0, sizeof(acc));
}

static int
phase_id(const char *name)
{
	TbPhaseSet *s = current_set;
	int			i;

	for (i = 0; i < s->nphases; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	if (s->nphases >= TB_MAX_PHASES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a case may mark at most %d distinct phases", TB_MAX_PHASES - 1)));
	strlcpy(s->names[s->nphases], name, TB_PHASE_NAMELEN);
	s->hists[s->nphases] = NULL;	/* allocated at the end of the iteration */
	return s->nphases++;
}

void
tb_phases_end_iteration(int64 t0, int64 t1)
{
	TbPhaseSet *s = current_set;
	int			other;
	int			i;

	if (s == NULL || !in_iteration)
		return;
	in_iteration = false;
	if (!marked && s->nphases == 0)
		return;					/* the case does not use phases */

	if (marked)
	{
		acc[cur_phase] += t1 - last_mark;
		other = phase_id(TB_OTHER_PHASE);
		acc[other] += first_mark - t0;
	}
	else
	{
		other = phase_id(TB_OTHER_PHASE);
		acc[other] += t1 - t0;
	}
	for (i = 0; i < s->nphases; i++)
	{
		if (s->hists[i] == NULL)
			s->hists[i] = new_hist();
		tbh_record_fast(s->hists[i], acc[i] > 0 ? acc[i] : 0);
	}
}

/* tasker_bench.phase(name text): the iteration enters this phase now */
Datum
tb_phase(PG_FUNCTION_ARGS)
{
	int64		now = tb_clock_ns();
	char	   *name;
	int			id;

	if (current_set == NULL || !in_iteration || PG_ARGISNULL(0))
		PG_RETURN_VOID();
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0' || strlen(name) >= TB_PHASE_NAMELEN || strcmp(name, TB_OTHER_PHASE) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid phase name \"%s\"", name),
				 errhint("Phase names are 1 to %d bytes and \"%s\" is reserved.",
						 TB_PHASE_NAMELEN - 1, TB_OTHER_PHASE)));
	id = phase_id(name);
	if (marked)
		acc[cur_phase] += now - last_mark;
	else
	{
		first_mark = now;
		marked = true;
	}
	cur_phase = id;
	last_mark = now;
	PG_RETURN_VOID();
}

/* tasker_bench.count(name text, n bigint): add n to a per-run counter */
Datum
tb_count(PG_FUNCTION_ARGS)
{
	TbPhaseSet *s = current_set;
	char	   *name;
	int			i;

	if (s == NULL || !in_iteration || PG_ARGISNULL(0))
		PG_RETURN_VOID();
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (i = 0; i < s->ncounters; i++)
		if (strcmp(s->counter_names[i], name) == 0)
			break;
	if (i == s->ncounters)
	{
		if (s->ncounters >= TB_MAX_COUNTERS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a case may use at most %d counters", TB_MAX_COUNTERS)));
		strlcpy(s->counter_names[i], name, TB_PHASE_NAMELEN);
		s->counters[i] = 0;
		s->ncounters++;
	}
	if (pg_add_s64_overflow(s->counters[i], PG_ARGISNULL(1) ? 1 : PG_GETARG_INT64(1),
							&s->counters[i]))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("counter \"%s\" is out of range of bigint", name),
				 errhint("tasker_bench.count adds to a bigint total over the whole measurement; count in larger units.")));
	PG_RETURN_VOID();
}
