#!/usr/bin/env bash
# The suite 'lifecycle' on a 2000-task fixture leaves every tasker table and
# the queue tables exactly as they were (checksums); the phases of each e2e
# case add up to its end-to-end time; queue_send_with_notify notifies both
# channels at commit.  Prints db_ops per step and the e2e p50s as comments.
source "$(dirname "$0")/../lib.sh"
db=tb_lifecycle
psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
psql -X -q -c "CREATE DATABASE $db" >/dev/null
export PGDATABASE=$db
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
q "CREATE EXTENSION tasker_bench" >/dev/null
q "SELECT tasker_bench_setup()" >/dev/null
out=$(q "SELECT tasker_bench_fixture(2000) IS NOT NULL")
check "a 2000-task fixture" test "$out" = t

sums="SELECT table_name || ' ' || row_count || ' ' || checksum FROM tasker_bench.table_checksums() ORDER BY table_name"
before=$(q "$sums")
tables=$(wc -l <<<"$before")
check "checksums of the tasker tables and the queue tables ($tables tables)" \
	grep -q "tasker_bench.queue_messages" <<<"$before"

out=$(q "SELECT count(*) FROM tasker_bench_run('lifecycle', duration => '300 ms', label => 'lifecycle_checksum')")
check "the suite lifecycle runs ($out cases)" test "$out" -ge 24 2>/dev/null
run=$(q "SELECT max(id) FROM tasker_bench.runs WHERE label = 'lifecycle_checksum' AND status = 'completed'")
check "... and is stored as a completed run" test -n "$run"

after=$(q "$sums")
if [ "$before" = "$after" ]; then
	ok "every table identical after the suite (row counts and checksums)"
else
	not_ok "every table identical after the suite" "$(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
fi
check "no message left in the queues" \
	test "$(q 'SELECT count(*) FROM tasker_bench.queue_messages') $(q 'SELECT count(*) FROM tasker_bench.queue_archive')" = "0 0"

# every e2e case: per-phase rows whose means add up to the e2e mean within 5 %
rows=$(q "SELECT r.case_name, round(p.sum_us::numeric, 1), round(r.mean_us::numeric, 1),
                 abs(p.sum_us - r.mean_us) <= 0.05 * r.mean_us
            FROM tasker_bench.results r
            JOIN (SELECT case_name, sum(mean_us) AS sum_us FROM tasker_bench.phase_results
                   WHERE run_id = $run GROUP BY case_name) p USING (case_name)
           WHERE r.run_id = $run AND r.category = 'e2e' ORDER BY r.case_name")
check "six e2e cases with phase results" test "$(grep -c . <<<"$rows")" -eq 6
while IFS='|' read -r name sum mean within; do
	[ -z "$name" ] && continue
	check "$name: phase means add up to the e2e mean ($sum vs $mean us)" test "$within" = t
done <<<"$rows"
check "every e2e phase has its p50 stored" \
	test "$(q "SELECT count(*) FROM tasker_bench.phase_results WHERE run_id = $run AND case_name LIKE 'e2e/%' AND p50_us IS NULL")" = 0

# db_ops per step, e2e p50s, phase p50s, framework overhead
while IFS='|' read -r name steps ops per p50 p95; do
	echo "# $name: $ops db_ops / $steps steps = $per per step; e2e p50 $p50 us, p95 $p95 us"
done < <(q "SELECT case_name, counters ->> 'steps', counters ->> 'db_ops',
                   round((counters ->> 'db_ops')::numeric / (counters ->> 'steps')::numeric, 2),
                   round(p50_us::numeric, 1), round(p95_us::numeric, 1)
              FROM tasker_bench.results WHERE run_id = $run AND category = 'e2e' ORDER BY case_name")
while IFS='|' read -r name phases; do
	echo "# $name phase p50s (us): $phases"
done < <(q "SELECT case_name, string_agg(phase || ' ' || round(p50_us::numeric, 1), ', ' ORDER BY ordinal)
              FROM tasker_bench.phase_results WHERE run_id = $run AND case_name LIKE 'e2e/%'
             GROUP BY case_name ORDER BY case_name")
while IFS='|' read -r name p50; do
	echo "# $name p50 $p50 us"
done < <(q "SELECT case_name, round(p50_us::numeric, 1) FROM tasker_bench.results
             WHERE run_id = $run AND (case_name LIKE 'task_init/%' OR case_name LIKE '%cycle/%') ORDER BY case_name")
while IFS='|' read -r name cyc hnd ovh; do
	echo "# $name per step: worker cycle $cyc us = handler $hnd us + framework overhead $ovh us"
done < <(q "SELECT case_name, round(worker_cycle_us::numeric, 1), round(handler_us::numeric, 1),
                   round(overhead_us::numeric, 1)
              FROM tasker_bench.framework_overhead WHERE run_id = $run ORDER BY case_name")

# queue_send_with_notify notifies pgmq_message_ready.<namespace> and pgmq_message_ready at commit
out=$(psql -X -At 2>&1 <<'SQL'
LISTEN "pgmq_message_ready.worker_linear_workflow";
LISTEN pgmq_message_ready;
BEGIN;
SELECT tasker_bench.queue_send_with_notify('worker_linear_workflow_queue', '{"probe": "lifecycle_checksum"}') > 0;
COMMIT;
SELECT 1;
SQL
)
ns_line=$(grep -E '^Asynchronous notification "pgmq_message_ready.worker_linear_workflow" with payload' <<<"$out")
global_line=$(grep -E '^Asynchronous notification "pgmq_message_ready" with payload' <<<"$out")
check "send_with_notify: pgmq_message_ready.worker_linear_workflow receives message_with_payload and the message" \
	grep -q '"event_type": "message_with_payload".*"queue_name": "worker_linear_workflow_queue"' <<<"$ns_line"
check "... with the whole message in the payload" grep -q '"message": {"probe": "lifecycle_checksum"}' <<<"$ns_line"
check "send_with_notify: the global channel pgmq_message_ready receives the same payload" \
	test -n "$global_line" -a "${global_line#*payload}" = "${ns_line#*payload}"
out=$(q "SELECT tasker_bench.queue_purge('worker_linear_workflow_queue')")
check "... and the probe message was in the queue (purged: $out)" test "$out" = 1

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE $db" >/dev/null
finish
