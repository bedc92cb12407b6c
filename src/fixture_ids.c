/*
 * fixture_ids.c
 *		Row ids of the tasker fixture: UUIDs with the version 7 layout, built
 *		from numbers so that the same arguments always give the same id.
 *
 * tasker_bench._fx_uuid(ms bigint, tag integer, a bigint, b integer,
 * c integer) returns uuid.  The 128 bits, most significant first:
 *
 *   48 bits   ms, the row's creation time in Unix milliseconds
 *    4 bits   version 7
 *   12 bits   0: the rows of one millisecond are ordered by the bits below
 *    2 bits   variant 10
 *    3 bits   tag (which table)
 *   24 bits   a (task number)
 *   11 bits   b (step number)
 *   12 bits   c (sort key, or the other step of an edge)
 *   12 bits   scatter: (a * 97 + b * 31 + c * 7919) mod 4096
 *
 * So ids sort by (ms, tag, a, b, c): the fixture writes each table's rows in
 * that order, which keeps the maintenance of an index on the id append-only,
 * and the transitions of one task or step ascend with their sort_key.  The
 * low 12 bits only make the ids look less regular.
 *
 * The fixture calls it once per row it writes (millions of times), which is
 * why it is C: the equivalent SQL (to_hex, lpad, a text-to-uuid cast) cost
 * about 0.4 µs a call.  The caller keeps the fields in their widths; a wider
 * value is not an error but spills into the neighbouring field, exactly as
 * the bit operations would.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(tb_fixture_uuid);

static void
put_be64(unsigned char *out, uint64 v)
{
	for (int i = 7; i >= 0; i--)
	{
		out[i] = (unsigned char) (v & 0xff);
		v >>= 8;
	}
}

Datum
tb_fixture_uuid(PG_FUNCTION_ARGS)
{
	uint64		ms = (uint64) PG_GETARG_INT64(0);
	uint64		tag = (uint64) (int64) PG_GETARG_INT32(1);
	uint64		a = (uint64) PG_GETARG_INT64(2);
	uint64		b = (uint64) (int64) PG_GETARG_INT32(3);
	uint64		c = (uint64) (int64) PG_GETARG_INT32(4);
	uint64		hi;
	uint64		lo;
	pg_uuid_t  *uuid = (pg_uuid_t *) palloc(sizeof(pg_uuid_t));

	hi = (ms << 16) | UINT64CONST(0x7000);
	lo = (UINT64CONST(1) << 63) | (tag << 59) | (a << 35) | (b << 24) | (c << 12) |
		((a * 97 + b * 31 + c * 7919) & 4095);
	put_be64(uuid->data, hi);
	put_be64(uuid->data + 8, lo);
	PG_RETURN_UUID_P(uuid);
}
