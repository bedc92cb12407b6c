#!/usr/bin/env bash
# Every driver on the server version under test (tests/run-matrix.sh runs
# this on each version's throwaway cluster): CREATE EXTENSION, the executor
# (tasker_bench_measure, the suite tasker on a 2000-task fixture), the notify
# driver (the suite lifecycle including every notify/... case, over loopback
# libpq connections) and the failure recorder (a background worker records a
# failed run that survives the caller's rollback).  Each must store its run.
source "$(dirname "$0")/../lib.sh"
db=tb_drivers
psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
psql -X -q -c "CREATE DATABASE $db" >/dev/null
export PGDATABASE=$db
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

server=$(q "SHOW server_version")
echo "# server $server"
check "CREATE EXTENSION tasker_bench" test "$(q 'CREATE EXTENSION tasker_bench' )" = "CREATE EXTENSION"
ext=$(q "SELECT extversion FROM pg_extension WHERE extname = 'tasker_bench'")
echo "# tasker_bench $ext"

# executor: a measured statement, stored
out=$(q "SELECT n FROM tasker_bench_measure('SELECT 1', iterations => 500, name => 'drivers/select1')")
check "tasker_bench_measure('SELECT 1') measures 500 iterations" test "$out" = 500
check "... and stores a completed run with its histogram" \
	test "$(q "SELECT count(*) FROM tasker_bench.runs u JOIN tasker_bench.results r ON r.run_id = u.id
	           WHERE u.what = 'drivers/select1' AND u.status = 'completed' AND r.n = 500 AND r.histogram IS NOT NULL")" = 1

# executor: the tasker suite on a 2000-task fixture
q "SELECT tasker_bench_setup()" >/dev/null
check "a 2000-task fixture" test "$(q "SELECT (tasker_bench_fixture(2000) -> 'row_counts' ->> 'tasks')")" = 2000
cases=$(q "SELECT count(*) FROM tasker_bench.cases WHERE suite = 'tasker'")
out=$(q "SELECT count(*) FROM tasker_bench_run('tasker', iterations => 20, warmup => '0', label => 'drivers/tasker')")
check "the suite tasker runs every case ($out of $cases)" test "$out" = "$cases" -a "$cases" -gt 0
check "... and stores them: one result per case, n = 20, in a completed run" \
	test "$(q "SELECT count(*) FILTER (WHERE r.n = 20 AND r.p50_us > 0) FROM tasker_bench.runs u
	           JOIN tasker_bench.results r ON r.run_id = u.id
	           WHERE u.label = 'drivers/tasker' AND u.status = 'completed'")" = "$cases"

# notify driver: the lifecycle suite, every notify/... case included
lcases=$(q "SELECT count(*) FROM tasker_bench.cases WHERE suite = 'lifecycle'")
ncases=$(q "SELECT string_agg(name, ' ' ORDER BY name) FROM tasker_bench.cases WHERE suite = 'lifecycle' AND name LIKE 'notify/%'")
out=$(q "SELECT count(*) FROM tasker_bench_run('lifecycle', iterations => 10, warmup => '0', label => 'drivers/lifecycle')")
check "the suite lifecycle runs every case ($out of $lcases)" test "$out" = "$lcases" -a "$lcases" -gt 0
check "... and stores them: one result per case, n = 10, in a completed run" \
	test "$(q "SELECT count(*) FILTER (WHERE r.n = 10) FROM tasker_bench.runs u
	           JOIN tasker_bench.results r ON r.run_id = u.id
	           WHERE u.label = 'drivers/lifecycle' AND u.status = 'completed'")" = "$lcases"
check "the lifecycle suite has notify cases ($ncases)" test -n "$ncases"
for c in $ncases; do
	got=$(q "SELECT r.n || ' ' || (r.p50_us > 0) FROM tasker_bench.runs u JOIN tasker_bench.results r ON r.run_id = u.id
	          WHERE u.label = 'drivers/lifecycle' AND r.case_name = '$c'")
	check "$c: 10 notifications received and timed (n, p50 > 0: $got)" test "$got" = "10 true"
done
check "no loopback connection left behind" \
	test "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")" = 0

# failure recorder: a background worker writes the failed run
psql -X -q >/dev/null 2>&1 <<'SQL'
BEGIN;
SELECT * FROM tasker_bench_measure('SELECT 1 / (random() * 0)::int', iterations => 10, name => 'drivers/failing');
ROLLBACK;
SQL
check "a failed run is recorded by the failure recorder despite the rollback" \
	test "$(q "SELECT status || ':' || error_sqlstate FROM tasker_bench.runs WHERE what = 'drivers/failing'")" = "failed:22012"
check "no failure recorder is left behind" \
	test "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench failure recorder'")" = 0

# the reference model uses the server's uuidv7() where it has one (18)
native=$(q "SELECT to_regprocedure('pg_catalog.uuidv7()') IS NOT NULL")
echo "# native uuidv7(): $native"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE $db" >/dev/null
finish
