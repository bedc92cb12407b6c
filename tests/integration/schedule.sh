#!/usr/bin/env bash
# Schedules through pg_cron (in the database postgres, cron.database_name):
# bad input schedules nothing; a job every minute produces runs; a slowdown
# injected between two scheduled runs gives an alert row and a NOTIFY on
# tasker_bench_alerts that a listener receives; tasker_bench_unschedule stops
# the job.  Takes about two to three minutes (pg_cron runs jobs on minute
# boundaries).
source "$(dirname "$0")/../lib.sh"
export PGDATABASE=postgres
tmp=$(mktemp -d -t tb_schedule.XXXXXX)
job=tb_sched_test

had_cron=$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")
had_pgss=$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")
q "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_cron; CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION tasker_bench" >/dev/null
check "pg_cron and tasker_bench are installed in postgres" \
	test "$(q "SELECT count(*) FROM pg_extension WHERE extname IN ('pg_cron', 'tasker_bench')")" = 2

# the workload: a function the case calls, made 3x slower between two runs
q "CREATE TABLE tb_sched_t AS SELECT g AS x FROM generate_series(1, 20000) g" >/dev/null
q "CREATE FUNCTION tb_sched_work() RETURNS bigint LANGUAGE plpgsql AS \$\$
   DECLARE v bigint;
   BEGIN
       SELECT count(*) INTO v FROM tb_sched_t WHERE x % 7 = 0;
       RETURN v;
   END \$\$" >/dev/null
q "SELECT tasker_bench_register('sched/work', 'SELECT tb_sched_work()', suite => 'sched')" >/dev/null

# ---- bad input: clear errors, nothing scheduled ----
jobs_before=$(q "SELECT count(*) FROM cron.job")
err() { psql -X -At -v VERBOSITY=verbose -c "$1" 2>&1 | grep -E '^ERROR' | head -1; }
e=$(err "SELECT tasker_bench_schedule('$job', 'every minute', 'sched')")
check "a malformed cron expression is refused (22023): $e" grep -q "22023" <<<"$e"
e=$(err "SELECT tasker_bench_schedule('$job', '* * * foo *', 'sched')")
check "an expression pg_cron refuses is refused (22023): $e" grep -q "22023" <<<"$e"
e=$(err "SELECT tasker_bench_schedule('$job', '* * * * *', 'no such suite')")
check "an unknown suite is refused (42704): $e" grep -q "42704" <<<"$e"
e=$(err "SELECT tasker_bench_schedule('$job', '* * * * *', 'sched', baseline => 'no such baseline')")
check "an unknown baseline is refused (42704): $e" grep -q "42704" <<<"$e"
q "SELECT cron.schedule('tb_sched_taken', '0 0 1 1 *', 'SELECT 1')" >/dev/null
e=$(err "SELECT tasker_bench_schedule('tb_sched_taken', '* * * * *', 'sched')")
check "a pg_cron job name that exists is refused (42710): $e" grep -q "42710" <<<"$e"
check "... and that job is left as it was" \
	test "$(q "SELECT command FROM cron.job WHERE jobname = 'tb_sched_taken'")" = "SELECT 1"
q "SELECT cron.unschedule('tb_sched_taken')" >/dev/null
check "nothing was scheduled" test "$(q "SELECT count(*) FROM cron.job")" = "$jobs_before"
check "... nor recorded" test "$(q "SELECT count(*) FROM tasker_bench.schedules")" = 0

# ---- a non-superuser with the README's grants for a scheduling role ----
q "DROP ROLE IF EXISTS tb_sched_r; CREATE ROLE tb_sched_r LOGIN;
   DROP ROLE IF EXISTS tb_sched_other; CREATE ROLE tb_sched_other LOGIN;
   GRANT USAGE ON SCHEMA tasker_bench TO tb_sched_r, tb_sched_other;
   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO tb_sched_r, tb_sched_other;
   GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO tb_sched_r, tb_sched_other;
   GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO tb_sched_r, tb_sched_other;
   GRANT USAGE ON SCHEMA cron TO tb_sched_r;
   GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO tb_sched_r" >/dev/null
qr() { psql -X -At -U tb_sched_r -c "$1" 2>&1; }
qo() { psql -X -At -U tb_sched_other -c "$1" 2>&1; }
qr "SELECT tasker_bench_register('sched_r/one', 'SELECT 1', suite => 'sched_r')" >/dev/null
# another role plants a case in that suite: it must not run in the role's job
qo "SELECT tasker_bench_register('sched_r/planted', \$\$SELECT pg_catalog.set_config('application_name', 'planted', false)\$\$, suite => 'sched_r')" >/dev/null
rjob=$(qr "SELECT tasker_bench_schedule('tb_sched_role', '* * * * *', 'sched_r')")
check "a non-superuser with the README's grants schedules a suite (job $rjob)" grep -qE '^[0-9]+$' <<<"$rjob"
check "... and the job runs as that role" \
	test "$(q "SELECT username || '@' || database FROM cron.job WHERE jobname = 'tb_sched_role'")" = "tb_sched_r@postgres"

# ---- a listener on tasker_bench_alerts ----
(
	echo "LISTEN tasker_bench_alerts;"
	while [ ! -e "$tmp/stop" ]; do
		echo "SELECT 1;"
		sleep 1
	done
) | psql -X -At >"$tmp/listen.out" 2>&1 &
listener=$!

# ---- a job every minute ----
jobid=$(q "SELECT tasker_bench_schedule('$job', '* * * * *', 'sched')")
check "tasker_bench_schedule returns the cron job id ($jobid)" \
	test "$(q "SELECT jobid FROM cron.job WHERE jobname = '$job'")" = "$jobid"
check "the job calls the suite procedure" \
	test "$(q "SELECT command FROM cron.job WHERE jobid = ${jobid:-0}")" = \
	"CALL public.tasker_bench_run_suite('sched', baseline => NULL, label => 'scheduled:$job', schema => 'tasker')"
e=$(err "SELECT tasker_bench_schedule('$job', '*/5 * * * *', 'sched')")
check "the same job name again is refused (42710)" grep -q "42710" <<<"$e"

# ---- a job on another tasker schema: its runs measure that schema ----
q "SELECT tasker_bench_setup('tb_sched_s')" >/dev/null
q "SELECT tasker_bench_register('sched_s/tasks', 'SELECT count(*) FROM tasks', suite => 'sched_s', search_path => '{schema}, public')" >/dev/null
e=$(err "SELECT tasker_bench_schedule('tb_sched_schema', '* * * * *', 'sched_s', schema => 'tb_sched_nope')")
check "a schema that does not exist is refused (3F000): $e" grep -q "3F000" <<<"$e"
sjob=$(q "SELECT tasker_bench_schedule('tb_sched_schema', '* * * * *', 'sched_s', schema => 'tb_sched_s')")
check "a job with schema => tb_sched_s is scheduled (job $sjob)" grep -qE '^[0-9]+$' <<<"$sjob"
check "... its command passes the schema to the suite procedure" \
	test "$(q "SELECT command FROM cron.job WHERE jobname = 'tb_sched_schema'")" = \
	"CALL public.tasker_bench_run_suite('sched_s', baseline => NULL, label => 'scheduled:tb_sched_schema', schema => 'tb_sched_s')"
check "... and tasker_bench.schedules shows it" \
	test "$(q "SELECT schema FROM tasker_bench.schedules WHERE job_name = 'tb_sched_schema'")" = tb_sched_s

# wait_run N: wait (up to 75 s) until N scheduled runs have completed
wait_run() {
	local i
	for i in $(seq 1 150); do
		[ "$(q "SELECT count(*) FROM tasker_bench.runs WHERE label = 'scheduled:$job' AND status = 'completed'")" -ge "$1" ] && return 0
		[ "$(q "SELECT count(*) FROM tasker_bench.runs WHERE label = 'scheduled:$job' AND status <> 'completed' AND status <> 'running'")" -gt 0 ] && return 1
		sleep 0.5
	done
	return 1
}
if wait_run 1; then ok "a scheduled run completes within 75 s"; else
	not_ok "a scheduled run completes within 75 s" \
		"$(q "SELECT status || ' ' || coalesce(return_message, '') FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")"
fi
first=$(q "SELECT max(id) FROM tasker_bench.runs WHERE label = 'scheduled:$job'")
check "it stored the case with its nested statements" \
	test "$(q "SELECT count(*) FROM tasker_bench.statement_results WHERE run_id = ${first:-0}")" -ge 1
check "no alert for the first run" test "$(q "SELECT count(*) FROM tasker_bench.alerts")" = 0

# inject a slowdown: three times the work
q "CREATE OR REPLACE FUNCTION tb_sched_work() RETURNS bigint LANGUAGE plpgsql AS \$\$
   DECLARE v bigint;
   BEGIN
       SELECT (SELECT count(*) FROM tb_sched_t WHERE x % 7 = 0)
            + (SELECT count(*) FROM tb_sched_t WHERE x % 7 = 1)
            + (SELECT count(*) FROM tb_sched_t WHERE x % 7 = 2) INTO v;
       RETURN v;
   END \$\$" >/dev/null
if wait_run 2; then ok "a second scheduled run completes a minute later"; else
	not_ok "a second scheduled run completes a minute later" \
		"$(q "SELECT status || ' ' || coalesce(return_message, '') FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")"
fi
second=$(q "SELECT max(id) FROM tasker_bench.runs WHERE label = 'scheduled:$job'")
a=$(q "SELECT case_name || ':' || baseline || ':' || verdict || ':' || (change_pct > 50) FROM tasker_bench.alerts WHERE run_id = ${second:-0}")
check "the slowdown gives an alert row for the second run (got '$a')" test "$a" = "sched/work:rolling median of 1:regressed:true"
change=$(q "SELECT round(change_pct) FROM tasker_bench.alerts WHERE run_id = ${second:-0}")
echo "# p50 change of the slowed-down run: +${change} %"
q "SELECT run_id || ' ' || started_at || ' p50 ' || round(p50_us::numeric, 1) || ' us' FROM tasker_bench.history WHERE case_name = 'sched/work' ORDER BY started_at" | sed 's/^/#   history: /'

# the listener got the NOTIFY
for _ in $(seq 1 10); do
	grep -q "tasker_bench_alerts" "$tmp/listen.out" && break
	sleep 0.5
done
check "a LISTEN tasker_bench_alerts session receives the alert, with the run id only" \
	grep -qE "notification \"tasker_bench_alerts\" with payload \"\\{\"run_id\" : ${second:-x}\\}\"" "$tmp/listen.out"
touch "$tmp/stop"
wait "$listener"

# ---- the role's job: its own case only, and its status in tasker_bench.schedules ----
rrun=$(q "SELECT max(id) FROM tasker_bench.runs WHERE label = 'scheduled:tb_sched_role' AND status = 'completed'")
check "the role's scheduled run completed, as that role" \
	test "$(q "SELECT run_by FROM tasker_bench.runs WHERE id = ${rrun:-0}")" = tb_sched_r
check "... and ran only the role's own case" \
	test "$(q "SELECT string_agg(case_name, ',') FROM tasker_bench.results WHERE run_id = ${rrun:-0}")" = "sched_r/one"
st=$(qr "SELECT last_status || ':' || (last_started_at IS NOT NULL) FROM tasker_bench.schedules WHERE job_name = 'tb_sched_role'")
check "tasker_bench.schedules shows the role its job's last pg_cron status (got '$st')" grep -qE '^(succeeded|running):true$' <<<"$st"
check "another role sees no job of it" test "$(qo "SELECT count(*) FROM tasker_bench.schedules")" = 0

# ---- the job on schema tb_sched_s measured that schema ----
for _ in $(seq 1 60); do
	[ "$(q "SELECT count(*) FROM tasker_bench.runs WHERE label = 'scheduled:tb_sched_schema' AND status <> 'running'")" -ge 1 ] && break
	sleep 1
done
ds=$(q "SELECT status || ':' || coalesce(dataset ->> 'schema', '-') FROM tasker_bench.runs WHERE label = 'scheduled:tb_sched_schema' AND status <> 'running' ORDER BY id LIMIT 1")
check "the scheduled run of the job with schema => tb_sched_s measured tb_sched_s (got '$ds')" test "$ds" = "completed:tb_sched_s"
check "tasker_bench_unschedule removes that job" test "$(q "SELECT tasker_bench_unschedule('tb_sched_schema')")" = t
q "SELECT tasker_bench_teardown('tb_sched_s')" >/dev/null

# ---- unschedule stops it ----
check "tasker_bench_unschedule returns true" test "$(q "SELECT tasker_bench_unschedule('$job')")" = t
check "the cron job is gone" test "$(q "SELECT count(*) FROM cron.job WHERE jobid = ${jobid:-0}")" = 0
check "... and so is the schedule" test "$(q "SELECT count(*) FROM tasker_bench.schedules WHERE job_name = '$job'")" = 0
check "unscheduling again returns false" test "$(q "SELECT tasker_bench_unschedule('$job')")" = f
runs=$(q "SELECT count(*) FROM tasker_bench.runs WHERE label = 'scheduled:$job'")
# past the next minute boundary, and a few seconds for a job to have started
sleep $((62 - $(date +%-S)))
sleep 3
check "no new run after unscheduling" \
	test "$(q "SELECT count(*) FROM tasker_bench.runs WHERE label = 'scheduled:$job'")" = "$runs"

# ---- DROP EXTENSION takes the remaining jobs with it ----
check "the role's job is still scheduled" test "$(q "SELECT count(*) FROM cron.job WHERE jobname = 'tb_sched_role'")" = 1
q "SET client_min_messages = warning; DROP EXTENSION tasker_bench; DROP FUNCTION tb_sched_work(); DROP TABLE tb_sched_t" >/dev/null
check "DROP EXTENSION tasker_bench removed its pg_cron jobs" \
	test "$(q "SELECT count(*) FROM cron.job WHERE jobname = 'tb_sched_role'")" = 0

# ---- clean up ----
q "DELETE FROM cron.job_run_details WHERE username = 'tb_sched_r'" >/dev/null
q "REVOKE ALL ON SCHEMA cron FROM tb_sched_r; REVOKE ALL ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) FROM tb_sched_r;
   DROP ROLE tb_sched_r; DROP ROLE tb_sched_other" >/dev/null
q "DELETE FROM cron.job_run_details WHERE jobid = ${jobid:-0}" >/dev/null
[ "$had_pgss" = 0 ] && q "DROP EXTENSION pg_stat_statements" >/dev/null
[ "$had_cron" = 0 ] && q "DROP EXTENSION pg_cron" >/dev/null
rm -rf "$tmp"
finish
