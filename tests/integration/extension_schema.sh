#!/usr/bin/env bash
# Where the extension's functions land and which schema its runs measure:
#   - with search_path = tasker, public set on the database (as tasker-core
#     does), CREATE EXTENSION puts the tasker_bench_* functions into public;
#   - CREATE EXTENSION ... SCHEMA bench puts them into bench, and the suites,
#     tasker_bench_scale and the lifecycle work from there on any tasker schema.
source "$(dirname "$0")/../lib.sh"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# 1. the database's search_path starts with the tasker schema
db=tb_ext_path
psql -X -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -X -q -d $db -c "ALTER DATABASE $db SET search_path = tasker, public" -c "CREATE SCHEMA tasker" >/dev/null
PGDATABASE=$db q "CREATE EXTENSION tasker_bench" >/dev/null
out=$(PGDATABASE=$db q "SELECT string_agg(DISTINCT pronamespace::regnamespace::text, ',') FROM pg_proc WHERE proname LIKE 'tasker_bench\_%'")
check "search_path = tasker, public: the functions land in public ($out)" test "$out" = public
out=$(PGDATABASE=$db q "SELECT tasker_bench._ext_schema()")
check "... and the extension finds them there" test "$out" = public
PGDATABASE=$db q "SELECT tasker_bench_setup()" >/dev/null
PGDATABASE=$db q "SELECT tasker_bench_fixture(30)" >/dev/null
out=$(PGDATABASE=$db q "SELECT count(*) FROM tasker_bench_run('get_next_ready_tasks/batch_1', iterations => 2, warmup => '0')")
check "... and a case runs on the schema tasker" test "$out" = 1
psql -X -q -c "DROP DATABASE $db" >/dev/null 2>&1

# 2. the extension in schema bench, the tasker data in schema other
db=tb_ext_bench
psql -X -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
export PGDATABASE=$db
q "CREATE SCHEMA bench" >/dev/null
q "CREATE EXTENSION tasker_bench SCHEMA bench" >/dev/null
out=$(q "SELECT string_agg(DISTINCT pronamespace::regnamespace::text, ',') FROM pg_proc WHERE proname LIKE 'tasker_bench\_%'")
check "CREATE EXTENSION ... SCHEMA bench: the functions land in bench ($out)" test "$out" = bench
out=$(q "SELECT bench.tasker_bench_setup('other')")
check "setup of a model in schema other" test "$out" = "model created"
out=$(q "SELECT string_agg(size || ':' || n, ',' ORDER BY size)
           FROM bench.tasker_bench_scale('get_step_readiness_status_batch/tasks_5', sizes => '{20,50}',
                                         iterations => 2, warmup => '0', schema => 'other')")
check "tasker_bench_scale(schema => 'other') from schema bench ($out)" test "$out" = "20:2,50:2"
out=$(q "SELECT string_agg(ru.dataset->>'schema' || ':' || (ru.dataset->'row_counts'->>'tasks'), ',' ORDER BY ru.id)
           FROM tasker_bench.runs ru WHERE ru.kind = 'scale'")
check "... measured schema other at each size ($out)" test "$out" = "other:20,other:50"
out=$(q "SELECT count(*) FROM bench.tasker_bench_run('tasker', iterations => 2, warmup => '0', schema => 'other')")
check "the suite tasker runs from schema bench on schema other ($out cases)" test "$out" -ge 30 2>/dev/null
out=$(q "SELECT count(*) FROM bench.tasker_bench_run('lifecycle', iterations => 2, warmup => '0', schema => 'other')
          WHERE case_name NOT LIKE 'notify/%'")
check "the lifecycle cases run from schema bench on schema other ($out cases)" test "$out" -ge 16 2>/dev/null
q "SELECT bench.tasker_bench_register('one', 'SELECT 1')" >/dev/null
out=$(q "SELECT tasker_bench.within('one', 0.5, 1000000, iterations => 10, warmup => '0')")
check "an assertion (tasker_bench.within) finds tasker_bench_run in schema bench ($out)" test "$out" = t
unset PGDATABASE
psql -X -q -c "DROP DATABASE $db" >/dev/null 2>&1
finish
