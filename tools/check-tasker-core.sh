#!/usr/bin/env bash
# Checks the suite `tasker` against tasker-core's own schema: loads tasker-core's
# migrations (not shipped with tasker_bench: you give their folder) into a
# throwaway cluster the way the README describes for a real database, runs the
# suite on it, and prints one line per tasker-core function the suite lists:
# its result (cases measured, p50 range), or the failure.  Then the same suite
# on a reference model (tasker_bench_setup), where the functions the model
# lacks are skipped with a note, and a scale sweep on a schema that is not
# `tasker`.  Nothing is downloaded; not part of `make test`.
#
#   tools/check-tasker-core.sh [options] MIGRATIONS_DIR PGMQ_SQL
#
#   MIGRATIONS_DIR  tasker-core's migrations folder (*.sql, applied in name order,
#                   each in one transaction, as sqlx does; *.down.sql skipped)
#   PGMQ_SQL        pgmq's SQL install script (pgmq-extension/sql/pgmq.sql), loaded
#                   as plain SQL before the migrations (pgmq supports that), or
#                   "extension" to run CREATE EXTENSION pgmq on a server that has it
#   --tasks N       tasks of the fixture on tasker-core's schema (default 2000)
#   --duration D    measured time per case (default '200 milliseconds')
#   --ext-schema S  schema of CREATE EXTENSION tasker_bench ... SCHEMA S (default public)
#   --keep          leave the cluster running (prints how to connect) instead of removing it
#
# The cluster is the system's PostgreSQL with this checkout's build installed
# privately (tools/cluster.sh; TB_PG_CONFIG / TB_PG_HOME choose another
# version).  On a server without uuidv7() (before PostgreSQL 18) and without the
# pg_uuidv7 extension, a uuidv7() is created in public first, so that
# tasker-core's migrations, which alias uuid_generate_v7() to it, load.
# The database gets search_path = tasker, public, as tasker-core's databases have.
# Exit status: 0 when every listed function present in tasker-core's schema has a
# result, 1 when one failed or has none, 2 on a setup error.
set -uo pipefail
cd "$(dirname "$0")/.."

tasks=2000
duration='200 milliseconds'
ext_schema=public
keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--tasks) tasks=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--ext-schema) ext_schema=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 2 ]; then
	echo "usage: $0 [--tasks N] [--duration D] [--ext-schema S] [--keep] MIGRATIONS_DIR PGMQ_SQL" >&2
	exit 2
fi
migrations=$(cd "$1" 2>/dev/null && pwd) || { echo "no folder $1" >&2; exit 2; }
pgmq=$2
if [ "$pgmq" != extension ]; then
	pgmq=$(cd "$(dirname "$pgmq")" 2>/dev/null && pwd)/$(basename "$pgmq")
	[ -r "$pgmq" ] || { echo "cannot read the pgmq script $2" >&2; exit 2; }
fi
case "$tasks" in ''|*[!0-9]*) echo "--tasks needs a number" >&2; exit 2 ;; esac
mapfile -t files < <(find "$migrations" -maxdepth 1 -name '*.sql' ! -name '*.down.sql' | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || { echo "no *.sql in $migrations" >&2; exit 2; }

make -s >/dev/null || { echo "build failed" >&2; exit 2; }
source tools/cluster.sh
tb_private_install || { echo "private install failed" >&2; exit 2; }
cluster_start || { tb_private_remove; exit 2; }
if [ $keep -eq 0 ]; then
	trap 'cluster_stop' EXIT
else
	trap 'echo "cluster left running: PGHOST=$PGHOST PGPORT=$PGPORT PGDATABASE=tasker; stop with: $TB_BINDIR/pg_ctl -D $TB_DIR/data stop"; tb_private_remove' EXIT
fi

psql_q() { "$TB_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -v ext="$ext_schema" "$@"; }
export PGDATABASE=tasker
psql_q -d postgres -c 'CREATE DATABASE tasker' || exit 2

# uuidv7() for tasker-core's alias, where the server has neither it nor pg_uuidv7
psql_q <<'SQL' || exit 2
DO $$
BEGIN
    IF to_regprocedure('pg_catalog.uuidv7()') IS NULL
       AND NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_uuidv7') THEN
        -- 48-bit Unix time in ms, version 7, variant 10, random rest
        CREATE FUNCTION public.uuidv7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
            SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                       PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                       FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
        $f$;
        RAISE NOTICE 'check-tasker-core: no uuidv7() on this server, created public.uuidv7()';
    END IF;
END $$;
SQL
echo "== pgmq"
if [ "$pgmq" = extension ]; then
	psql_q -c 'CREATE EXTENSION pgmq' || exit 2
else
	psql_q -1 -f "$pgmq" >/dev/null || exit 2
fi
echo "== tasker-core's migrations (${#files[@]})"
for f in "${files[@]}"; do
	echo "   $(basename "$f")"
	psql_q -1 -f "$f" >/dev/null || { echo "migration $(basename "$f") failed" >&2; exit 2; }
done
psql_q -c 'ALTER DATABASE tasker SET search_path = tasker, public' || exit 2

echo "== CREATE EXTENSION tasker_bench SCHEMA $ext_schema, fixture of $tasks tasks on schema tasker"
if [ "$ext_schema" = public ]; then
	# as a user would, with the database's search_path = tasker, public: it must land in public
	psql_q -c 'CREATE EXTENSION tasker_bench' || exit 2
else
	psql_q -c "CREATE SCHEMA IF NOT EXISTS \"$ext_schema\"" -c "CREATE EXTENSION tasker_bench SCHEMA \"$ext_schema\"" || exit 2
fi
# where the user-facing functions landed (pg_extension.extnamespace stays the
# session's first schema when CREATE EXTENSION names none)
got=$(psql_q -At -c "SELECT string_agg(DISTINCT n.nspname, ',') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'tasker_bench_run'")
echo "   tasker_bench_* functions in schema: $got"
[ "$got" = "$ext_schema" ] || { echo "tasker_bench's functions landed in schema $got, not $ext_schema" >&2; exit 2; }
psql_q <<'SQL' || exit 2
SET client_min_messages = warning;
SELECT :"ext".tasker_bench_setup('tasker') AS setup;
SQL
psql_q -v tasks="$tasks" >/dev/null <<'SQL' || exit 2
SET client_min_messages = warning;
SELECT :"ext".tasker_bench_fixture(:tasks, schema => 'tasker', replace => true);
SQL
psql_q -c 'VACUUM ANALYZE' || exit 2

# the suite on tasker-core's schema, as one run; if a case fails, each case on its own
echo "== suite tasker on tasker-core's schema (duration $duration a case)"
run_suite() {		# schema, label
	psql_q -v dur="$duration" -v schema="$1" -v label="$2" -At <<'SQL'
SELECT count(*) FROM :"ext".tasker_bench_run('tasker', duration => :'dur', warmup => '50 milliseconds',
                                             schema => :'schema', label => :'label');
SQL
}
if ! run_suite tasker check-real >/dev/null 2>"$TB_DIR/suite.err"; then
	echo "   the suite run failed: $(grep -m1 ERROR "$TB_DIR/suite.err"); running each case on its own"
	mapfile -t cases < <(psql_q -At -c "SELECT name FROM tasker_bench.cases WHERE suite = 'tasker' AND builtin ORDER BY name")
	for c in "${cases[@]}"; do
		psql_q -v dur="$duration" -v c="$c" -At >/dev/null 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT count(*) FROM :"ext".tasker_bench_run(:'c', duration => :'dur', warmup => '50 milliseconds',
                                             schema => 'tasker', label => 'check-real');
SQL
	done
fi

# one line per listed function: results of the runs labelled check-real
report() {		# label, schema
	psql_q -v label="$1" -v schema="$2" -P pager=off <<'SQL'
WITH runs AS (
    SELECT * FROM tasker_bench.runs WHERE label = :'label'
), res AS (
    SELECT split_part(r.case_name, '/', 1) AS fn, count(*) AS cases,
           round(min(r.p50_us)::numeric, 1) AS p50_min, round(max(r.p50_us)::numeric, 1) AS p50_max
      FROM tasker_bench.results r JOIN runs ON runs.id = r.run_id
     GROUP BY 1
), skipped AS (
    SELECT split_part(s ->> 'case', '/', 1) AS fn, count(*) AS cases
      FROM runs, jsonb_array_elements(coalesce(runs.dataset -> 'skipped', '[]')) s
     GROUP BY 1
), failed AS (
    SELECT split_part(runs.failed_case, '/', 1) AS fn,
           string_agg(DISTINCT runs.failed_case || ': ' || runs.error || ' (' || runs.error_sqlstate || ')', '; ') AS why
      FROM runs WHERE runs.status = 'failed' AND runs.failed_case IS NOT NULL
     GROUP BY 1
)
SELECT f.function_name AS function, f."group",
       EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE n.nspname = :'schema' AND p.proname = f.function_name) AS in_schema,
       CASE WHEN fl.fn IS NOT NULL THEN 'FAILED'
            WHEN res.fn IS NOT NULL THEN 'result'
            WHEN sk.fn IS NOT NULL THEN 'skipped'
            ELSE 'NONE' END AS outcome,
       coalesce(res.cases, sk.cases, 0) AS cases,
       CASE WHEN res.fn IS NOT NULL THEN res.p50_min || ' .. ' || res.p50_max END AS p50_us,
       coalesce(fl.why, CASE WHEN sk.fn IS NOT NULL THEN 'schema ' || :'schema' || ' lacks the function (NOTICE at the run)' END) AS note
  FROM tasker_bench.tasker_functions() f
  LEFT JOIN res ON res.fn = f.function_name
  LEFT JOIN skipped sk ON sk.fn = f.function_name
  LEFT JOIN failed fl ON fl.fn = f.function_name
 ORDER BY f."group" DESC, f.function_name;
SQL
}
report check-real tasker
bad=$(psql_q -At -v label=check-real <<'SQL'
SELECT count(*) FROM tasker_bench.tasker_functions() f
 WHERE EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'tasker' AND p.proname = f.function_name)
   AND NOT EXISTS (SELECT 1 FROM tasker_bench.results r JOIN tasker_bench.runs u ON u.id = r.run_id
                    WHERE u.label = :'label' AND split_part(r.case_name, '/', 1) = f.function_name)
SQL
)
absent=$(psql_q -At -c "SELECT string_agg(function_name, ', ') FROM tasker_bench.tasker_functions() f
 WHERE NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'tasker' AND p.proname = f.function_name)")
[ -n "$absent" ] && echo "   listed functions absent from tasker-core's schema: $absent"

# the same suite on a reference model: the functions it lacks are skipped with a note
echo "== suite tasker on a reference model (schema model, $((tasks / 4 + 1)) tasks)"
psql_q -v n=$((tasks / 4 + 1)) >/dev/null <<'SQL' || exit 2
SET client_min_messages = warning;
SELECT :"ext".tasker_bench_setup('model');
SELECT :"ext".tasker_bench_fixture(:n, schema => 'model');
ANALYZE;
SQL
run_suite model check-model 2>&1 >/dev/null | grep -o 'tasker_bench: [0-9]* cases\{0,1\} skipped.*' | sed 's/^/   NOTICE: /'
report check-model model

# a scale sweep on a schema that is not tasker: each size fills and measures it
echo "== tasker_bench_scale(..., schema => 'other')"
psql_q -P pager=off <<'SQL' || exit 2
SET client_min_messages = warning;
SELECT :"ext".tasker_bench_setup('other') AS setup;
CREATE TEMP TABLE sweep AS
SELECT * FROM :"ext".tasker_bench_scale('get_task_ready_info/sample_1', sizes => '{200,400}',
                                        duration => '100 milliseconds', warmup => '20 milliseconds',
                                        schema => 'other');
-- the runs a sweep wrote are seen by the next statement
SELECT s.case_name, s.size, s.n > 0 AS measured,
       (u.dataset ->> 'schema') AS dataset_schema,
       (u.dataset -> 'row_counts' ->> 'tasks')::int AS dataset_tasks
  FROM sweep s JOIN tasker_bench.runs u ON u.id = s.run_id
 ORDER BY s.size;
SQL

if [ "$bad" != 0 ]; then
	echo "FAIL: $bad function(s) of tasker-core's schema without a result"
	exit 1
fi
echo "OK: every listed function of tasker-core's schema has a result"
