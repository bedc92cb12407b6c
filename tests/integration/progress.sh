#!/usr/bin/env bash
# While a run is going, pg_stat_activity.query of its backend says which
# case and how far; each case gives a NOTICE, and the run's start names the
# backend PID.
source "$(dirname "$0")/../lib.sh"
psql -X -q -c "CREATE DATABASE tb_progress" >/dev/null
export PGDATABASE=tb_progress
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench" >/dev/null
q "SELECT tasker_bench_register('p/one', 'SELECT pg_sleep(0.0005)', suite => 'p'),
          tasker_bench_register('p/two', 'SELECT 1', suite => 'p')" >/dev/null

psql -X -At -c "SELECT count(*) FROM tasker_bench_run('p', duration => '1.5 s', warmup => '0.5 s')" >"$TB_DIR/progress.out" 2>&1 &
bg=$!
seen=()
for _ in $(seq 1 60); do
	s=$(q "SELECT query FROM pg_stat_activity WHERE datname = 'tb_progress' AND query LIKE 'tasker_bench: %'")
	[ -n "$s" ] && seen+=("$s")
	sleep 0.1
done
wait $bg
all=$(printf '%s\n' "${seen[@]}")
check "progress names the first case and its place in the suite" grep -q "p/one (1/2)" <<<"$all"
check "progress names the second case" grep -q "p/two (2/2)" <<<"$all"
check "progress shows warmup" grep -q "warmup" <<<"$all"
check "progress shows how far the measured phase is" grep -qE "measuring, [0-9]+ iterations, [0-9.]+ of 1.5 s" <<<"$all"
check "a NOTICE per case" test "$(grep -c 'NOTICE:  tasker_bench: p/' "$TB_DIR/progress.out")" = 2
check "the run's NOTICE names the backend PID" grep -qE 'backend PID [0-9]+' "$TB_DIR/progress.out"
check "after the run the backend's query is the caller's again" \
	test -z "$(q "SELECT query FROM pg_stat_activity WHERE query LIKE 'tasker_bench: %'")"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_progress" >/dev/null
finish
