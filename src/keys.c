/*
 * keys.c
 *		Keys of the extension's tables come only from their sequences.
 *
 * A role that may insert into tasker_bench.runs could otherwise insert rows
 * with the ids the sequence will hand out next, and every other role's
 * runs would then fail with a duplicate key after measuring.  The trigger
 * tasker_bench._key_from_sequence(column, sequence) (BEFORE INSERT OR
 * UPDATE OF column, FOR EACH ROW) accepts a new key only when it is the
 * value this session's last nextval of that sequence returned: the column
 * default always is (it is evaluated just before the row's trigger), and
 * so is an id a function reserved with nextval and inserts later.  A key
 * never changes.  Superusers (restores of a dump) and the failure
 * recorder's worker, which writes the id its caller reserved and checked
 * (tb_key_is_current), are let through.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "compat.h"
#include "keys.h"

PG_FUNCTION_INFO_V1(tb_key_from_sequence);

bool		tb_trusted_key_insert = false;

/* The sequence named in a trigger argument (cached for the statement). */
static Oid
sequence_oid(FunctionCallInfo fcinfo, const char *name)
{
	Oid		   *cached = (Oid *) fcinfo->flinfo->fn_extra;

	if (cached == NULL)
	{
		const char *dot = strchr(name, '.');
		char	   *nsp;

		cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Oid));
		if (dot == NULL)
			elog(ERROR, "tasker_bench._key_from_sequence: give the sequence as schema.name");
		nsp = pnstrdup(name, dot - name);
		*cached = get_relname_relid(dot + 1, get_namespace_oid(nsp, false));
		if (!OidIsValid(*cached))
			elog(ERROR, "tasker_bench._key_from_sequence: no sequence %s", name);
		fcinfo->flinfo->fn_extra = cached;
	}
	return *cached;
}

bool
tb_key_is_current(Oid seq, int64 key)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool known = true;
	volatile int64 last = 0;

	PG_TRY();
	{
		last = DatumGetInt64(DirectFunctionCall1(currval_oid, ObjectIdGetDatum(seq)));
	}
	PG_CATCH();
	{
		ErrorData  *e;

		/* no nextval of it in this session: the key cannot be ours */
		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		if (e->sqlerrcode != ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE)
			PG_RE_THROW();
		FreeErrorData(e);
		FlushErrorState();
		known = false;
	}
	PG_END_TRY();
	return known && last == key;
}

Oid
tb_runs_sequence(void)
{
	Oid			nsp = get_namespace_oid("tasker_bench", false);

	return get_relname_relid("runs_id_seq", nsp);
}

Datum
tb_key_from_sequence(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Trigger    *tg;
	TupleDesc	desc;
	HeapTuple	row;
	int			attno;
	bool		isnull;
	Datum		key;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "tasker_bench._key_from_sequence must be a BEFORE ... FOR EACH ROW trigger");
	tg = td->tg_trigger;
	if (tg->tgnargs != 2)
		elog(ERROR, "tasker_bench._key_from_sequence takes a column and a sequence");
	desc = RelationGetDescr(td->tg_relation);
	attno = SPI_fnumber(desc, tg->tgargs[0]);
	if (attno <= 0)
		elog(ERROR, "tasker_bench._key_from_sequence: no column \"%s\"", tg->tgargs[0]);

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		bool		oldnull;
		Datum		old = tb_heap_getattr(td->tg_trigtuple, attno, desc, &oldnull);

		row = td->tg_newtuple;
		key = tb_heap_getattr(row, attno, desc, &isnull);
		if (isnull != oldnull || (!isnull && DatumGetInt64(key) != DatumGetInt64(old)))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s.%s cannot be changed", RelationGetRelationName(td->tg_relation),
							tg->tgargs[0]),
					 errhint("Keys of tasker_bench's tables come from their sequences and stay as they are.")));
		return PointerGetDatum(row);
	}

	row = td->tg_trigtuple;
	if (tb_trusted_key_insert || superuser())
		return PointerGetDatum(row);
	key = tb_heap_getattr(row, attno, desc, &isnull);
	if (isnull || !tb_key_is_current(sequence_oid(fcinfo, tg->tgargs[1]), DatumGetInt64(key)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s.%s comes from the sequence %s, not from the INSERT",
						RelationGetRelationName(td->tg_relation), tg->tgargs[0], tg->tgargs[1]),
				 errhint("Leave the column out of the INSERT so that its default assigns it.")));
	return PointerGetDatum(row);
}
