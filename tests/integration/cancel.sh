#!/usr/bin/env bash
# Cancel and statement_timeout stop a run at once; the server and every
# earlier run stay intact; nothing of the cancelled run is written.
source "$(dirname "$0")/../lib.sh"
psql -X -q -c "CREATE DATABASE tb_cancel" >/dev/null
export PGDATABASE=tb_cancel
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench" >/dev/null
q "SELECT n FROM tasker_bench_measure('SELECT 1', iterations => 1000)" >/dev/null
before=$(q "SELECT count(*) FROM tasker_bench.runs")

# statement_timeout on a 10-second run
start=$(date +%s%N)
out=$(psql -X -At -v VERBOSITY=verbose -c "SET statement_timeout = '300ms'" \
	-c "SELECT n FROM tasker_bench_measure('SELECT 1', duration => '10 s')" 2>&1)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "statement_timeout ends a 10 s run with SQLSTATE 57014" grep -q "57014" <<<"$out"
check "... within a second (took ${ms} ms)" test "$ms" -lt 1000

# the same while rolling back a writing statement in subtransactions
# (uncapped: tasker_bench.max_write_iterations would end it before the timeout)
q "CREATE TABLE t (x int)" >/dev/null
out=$(psql -X -At -v VERBOSITY=verbose -c "SET statement_timeout = '300ms'" -c "SET tasker_bench.max_write_iterations = 0" \
	-c "SELECT n FROM tasker_bench_measure('INSERT INTO t VALUES (1)', duration => '10 s')" 2>&1)
check "statement_timeout stops a rolled-back writing run (57014)" grep -q "57014" <<<"$out"
check "... and leaves the table as it was" test "$(q 'SELECT count(*) FROM t')" = 0

# pg_cancel_backend from a second session
psql -X -At -v VERBOSITY=verbose -c "SELECT n FROM tasker_bench_measure('SELECT pg_sleep(0.001)', duration => '20 s', label => 'to cancel')" >"$TB_DIR/cancel.out" 2>&1 &
bg=$!
pid=
for _ in $(seq 1 50); do
	pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: %measuring%' AND datname = 'tb_cancel' LIMIT 1")
	[ -n "$pid" ] && break
	sleep 0.1
done
check "a running case shows its progress in pg_stat_activity.query" test -n "$pid"
start=$(date +%s%N)
q "SELECT pg_cancel_backend($pid)" >/dev/null
wait $bg
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "pg_cancel_backend stops the run (57014)" grep -q "57014" "$TB_DIR/cancel.out"
check "... within a second (took ${ms} ms)" test "$ms" -lt 1000

# the server is alive and earlier runs are intact; nothing was added
check "server still answers" test "$(q 'SELECT 1')" = 1
check "earlier runs intact, cancelled runs not written" test "$(q 'SELECT count(*) FROM tasker_bench.runs')" = "$before"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_cancel" >/dev/null
finish
