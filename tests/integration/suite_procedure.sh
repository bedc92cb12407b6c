#!/usr/bin/env bash
# CALL tasker_bench_run_suite commits after each case: a cancel in the middle
# keeps every case finished before it, a failing case leaves a failed run with
# the earlier cases' results, a run whose backend is gone is marked
# interrupted by the next run; on the tasker suite it stores the nested
# statements of get_next_ready_tasks.
source "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d -t tb_suite_proc.XXXXXX)
psql -X -q -c "DROP DATABASE IF EXISTS tb_suite_proc" >/dev/null 2>&1
psql -X -q -c "CREATE DATABASE tb_suite_proc" >/dev/null
export PGDATABASE=tb_suite_proc
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench; CREATE EXTENSION pg_stat_statements" >/dev/null
for k in 1 2 3 4 5; do
	q "SELECT tasker_bench_register('p/c$k', 'SELECT pg_sleep(0.0002)', suite => 'p')" >/dev/null
done

# wait_for SQL [tries]: poll (every 0.1 s) until SQL returns a non-empty value; print it
wait_for() {
	local v i
	for i in $(seq 1 "${2:-100}"); do
		v=$(q "$1")
		if [ -n "$v" ]; then
			echo "$v"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ---- cancel while case 3 of 5 runs ----
# (3 s a case: the checks below run before the cancel, and must not outlast case 3 on a busy machine)
psql -X -At -v VERBOSITY=verbose -c "CALL tasker_bench_run_suite('p', duration => '3 s', warmup => '0', label => 'to cancel')" \
	>"$tmp/cancel.out" 2>&1 &
bg=$!
pid=$(wait_for "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: p/c3 (3/5)%' AND datname = 'tb_suite_proc' LIMIT 1" 100)
check "pg_stat_activity.query shows 'tasker_bench: p/c3 (3/5)' while case 3 runs" test -n "$pid"
run=$(q "SELECT id FROM tasker_bench.runs WHERE label = 'to cancel'")
check "another session sees the running run (committed at its start)" \
	test "$(q "SELECT status FROM tasker_bench.runs WHERE label = 'to cancel'")" = running
check "... and the results of cases 1 and 2 (committed after each case)" \
	test "$(q "SELECT string_agg(case_name, ',' ORDER BY ordinal) FROM tasker_bench.results WHERE run_id = ${run:-0}")" = "p/c1,p/c2"
check "the procedure's transaction began after the run started (no snapshot held for the suite)" \
	test "$(q "SELECT a.xact_start > r.started_at + interval '1 second' FROM pg_stat_activity a, tasker_bench.runs r WHERE a.pid = ${pid:-0} AND r.id = ${run:-0}")" = t
[ -n "$pid" ] && q "SELECT pg_cancel_backend($pid)" >/dev/null
wait $bg
check "the cancel stops the procedure (57014)" grep -q "57014" "$tmp/cancel.out"
check "the cancelled run keeps cases 1 and 2" \
	test "$(q "SELECT string_agg(case_name, ',' ORDER BY ordinal) FROM tasker_bench.results WHERE run_id = ${run:-0}")" = "p/c1,p/c2"
st=$(q "SELECT status || ':' || cases_done || ':' || failed_case FROM tasker_bench.runs WHERE id = ${run:-0}")
check "the cancelled run is interrupted in case 3 (got $st)" test "$st" = "interrupted:2:p/c3"

# ---- a failing case ----
q "SELECT tasker_bench_register('f/c1', 'SELECT 1', suite => 'f')" >/dev/null
q "SELECT tasker_bench_register('f/c2', 'SELECT 2', suite => 'f')" >/dev/null
q "SELECT tasker_bench_register('f/c3', 'SELECT 1 / (random() * 0)::int', suite => 'f')" >/dev/null
q "SELECT tasker_bench_register('f/c4', 'SELECT 4', suite => 'f')" >/dev/null
out=$(psql -X -At -v VERBOSITY=verbose -c "CALL tasker_bench_run_suite('f', iterations => 100, warmup => '0', label => 'to fail')" 2>&1)
check "a failing case raises its error (22012)" grep -q "22012" <<<"$out"
check "... saying which run keeps which cases" grep -q "the 2 cases before \"f/c3\" are stored" <<<"$out"
st=$(q "SELECT status || ':' || cases_done || ':' || failed_case || ':' || error_sqlstate || ':' || (SELECT count(*) FROM tasker_bench.results r WHERE r.run_id = runs.id) FROM tasker_bench.runs WHERE label = 'to fail'")
check "the run is failed in f/c3 with the results of f/c1 and f/c2 (got $st)" test "$st" = "failed:2:f/c3:22012:2"

# ---- a backend that is gone: the next run marks its run interrupted ----
psql -X -At -c "CALL tasker_bench_run_suite('p', duration => '1 s', warmup => '0', label => 'to terminate')" \
	>"$tmp/terminate.out" 2>&1 &
bg=$!
pid=$(wait_for "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: p/c2 (2/5)%' AND datname = 'tb_suite_proc' LIMIT 1" 100)
[ -n "$pid" ] && q "SELECT pg_terminate_backend($pid)" >/dev/null
wait $bg
sleep 0.5
check "a terminated procedure leaves its run running" \
	test "$(q "SELECT status FROM tasker_bench.runs WHERE label = 'to terminate'")" = running
q "CALL tasker_bench_run_suite('p/c1', iterations => 10, warmup => '0')" >/dev/null
check "... until the next run marks it interrupted" \
	test "$(q "SELECT status || ':' || cases_done FROM tasker_bench.runs WHERE label = 'to terminate'")" = "interrupted:1"

# ---- the tasker suite through the procedure (the 56 cases whose functions the reference model has) ----
q "SET client_min_messages = warning; SELECT tasker_bench_setup(); SELECT tasker_bench_fixture(1000)" >/dev/null
out=$(psql -X -At -c "CALL tasker_bench_run_suite('tasker', duration => '100 ms', warmup => '20 ms', label => 'tasker proc')" 2>&1)
tr=$(q "SELECT id FROM tasker_bench.runs WHERE label = 'tasker proc'")
check "the tasker suite completes through the procedure" \
	test "$(q "SELECT status || ':' || cases_done FROM tasker_bench.runs WHERE id = ${tr:-0}")" = "completed:56"
check "every get_next_ready_tasks case stores at least two nested statements" \
	test "$(q "SELECT count(*) FROM (SELECT r.case_name FROM tasker_bench.results r JOIN tasker_bench.statement_results s USING (run_id, case_name) WHERE r.run_id = ${tr:-0} AND r.case_name LIKE 'get_next_ready_tasks/%' GROUP BY 1 HAVING count(*) >= 2) x")" = 4
check "every case has its resource figures" \
	test "$(q "SELECT count(*) FROM tasker_bench.results WHERE run_id = ${tr:-0} AND cpu_user_us IS NOT NULL AND shared_blks_hit IS NOT NULL AND wal_bytes IS NOT NULL AND temp_blks_written IS NOT NULL")" = 56
q "SELECT l FROM tasker_bench_folded(${tr:-0}) l" >"$tmp/tasker.folded"
check "its folded stacks are well formed ($(wc -l <"$tmp/tasker.folded") lines)" \
	test "$(grep -cvE '^[^;]+(;[^;]+)* [0-9]+$' "$tmp/tasker.folded")" = 0
if command -v flamegraph.pl >/dev/null 2>&1; then
	flamegraph.pl "$tmp/tasker.folded" >"$tmp/tasker.svg" 2>"$tmp/flamegraph.err"
	check "flamegraph.pl renders them" grep -q "<svg" "$tmp/tasker.svg"
fi
echo "# nested statements of get_next_ready_tasks (total ms over warmup and measured iterations):"
q "SELECT '#   ' || case_name || ': ' || string_agg(round(total_ms::numeric, 1) || ' ms ' || left(regexp_replace(query, '\s+', ' ', 'g'), 40), ' | ' ORDER BY ordinal) FROM tasker_bench.statement_results WHERE run_id = ${tr:-0} AND case_name LIKE 'get_next_ready_tasks/%' GROUP BY case_name"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_suite_proc" >/dev/null
rm -rf "$tmp"
finish
