-- Profiling and continuous benchmarking: nested statements from
-- pg_stat_statements (loaded with track = all in the test cluster), folded
-- stacks, the suite procedure, history, prune, and the bad input of
-- schedules (this database has no pg_cron: it can only be created in
-- cron.database_name, 'postgres').
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
-- nested statements need track = all; a superuser setting, so the test sets it for its session
SET pg_stat_statements.track = 'all';

\i sql/include/expect_error.sql

-- a function with nested statements, one of them calling another function
CREATE TABLE prof_t (x int PRIMARY KEY);
INSERT INTO prof_t SELECT generate_series(1, 2000);
CREATE FUNCTION prof_inner(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    SELECT count(*) INTO v FROM prof_t WHERE x <= n;
    RETURN v;
END $$;
CREATE FUNCTION prof_outer(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
    b bigint;
BEGIN
    SELECT sum(x) INTO a FROM prof_t WHERE x > n;
    SELECT prof_inner(n) + 1 INTO b;
    RETURN a + b;
END $$;
CREATE FUNCTION prof_phased() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
BEGIN
    PERFORM tasker_bench.phase('scan');
    SELECT count(*) INTO a FROM prof_t;
    PERFORM tasker_bench.phase('lookup');
    SELECT x INTO a FROM prof_t WHERE x = 7;
    RETURN a;
END $$;
SELECT tasker_bench_register('prof/outer', 'SELECT prof_outer($1)', params => 'SELECT 1000', suite => 'prof');
SELECT tasker_bench_register('prof/phased', 'SELECT prof_phased()', suite => 'prof');
SELECT tasker_bench_register('prof/semi;colon', 'SELECT 1', suite => 'prof');

-- ---- nested statements ----
SELECT case_name, n FROM tasker_bench_run('prof', iterations => 50, warmup => '0');
CREATE TEMP TABLE prof_run AS SELECT max(id) AS id FROM tasker_bench.runs;
-- prof/outer: its three nested statements (not its own statement), each run once per iteration
SELECT regexp_replace(s.query, '\s+', ' ', 'g') AS query, s.calls, s.rows, s.in_function,
       regexp_replace(p.query, '\s+', ' ', 'g') AS called_from,
       abs(s.mean_us * s.calls - s.total_ms * 1000) < 1e-6 * s.total_ms * 1000 AS mean_is_total_over_calls,
       s.total_ms > 0 AS timed, s.shared_blks_hit > 0 AS buffers
  FROM tasker_bench.statement_results s
  LEFT JOIN tasker_bench.statement_results p
    ON p.run_id = s.run_id AND p.case_name = s.case_name AND p.queryid = s.parent_queryid
 WHERE s.run_id = (SELECT id FROM prof_run) AND s.case_name = 'prof/outer'
 ORDER BY 1;
-- ordinal ranks by total time; the caller has more time than what it calls
SELECT count(*) AS ranked_by_time
  FROM tasker_bench.statement_results s
 WHERE s.run_id = (SELECT id FROM prof_run)
   AND s.ordinal = (SELECT count(*) FROM tasker_bench.statement_results o
                     WHERE o.run_id = s.run_id AND o.case_name = s.case_name
                       AND (o.total_ms > s.total_ms OR (o.total_ms = s.total_ms AND o.queryid <= s.queryid)));
SELECT count(*) AS with_caller, count(*) FILTER (WHERE p.total_ms >= s.total_ms) AS caller_has_more_time
  FROM tasker_bench.statement_results s
  JOIN tasker_bench.statement_results p
    ON p.run_id = s.run_id AND p.case_name = s.case_name AND p.queryid = s.parent_queryid
 WHERE s.run_id = (SELECT id FROM prof_run);
-- the harness's own statements (tasker_bench.phase, _measure, ...) are not stored
SELECT count(*) AS harness_statements FROM tasker_bench.statement_results WHERE query ~ 'tasker_bench';
SELECT case_name, count(*) AS statements FROM tasker_bench.statement_results
 WHERE run_id = (SELECT id FROM prof_run) GROUP BY case_name ORDER BY case_name;

-- ---- folded stacks ----
-- every line: frames without ';' or line breaks, a space, a non-negative integer
SELECT count(*) AS lines,
       count(*) FILTER (WHERE l ~ E'^[^;\n]+(;[^;\n]+)* [0-9]+$') AS well_formed
  FROM tasker_bench_folded((SELECT id FROM prof_run)) l;
SELECT regexp_replace(l, ' [0-9]+$', '') AS stack FROM tasker_bench_folded((SELECT id FROM prof_run)) l ORDER BY 1;
-- the lines of a case add up to its total time (mean x n, microseconds)
SELECT r.case_name,
       abs(f.us - r.mean_us * r.n) <= greatest(f.lines, 0.01 * r.mean_us * r.n) AS adds_up
  FROM tasker_bench.results r
  CROSS JOIN LATERAL (
        SELECT sum(substring(l FROM ' ([0-9]+)$')::numeric) AS us, count(*) AS lines
          FROM tasker_bench_folded(r.run_id) l
         WHERE split_part(regexp_replace(l, ' [0-9]+$', ''), ';', 2) = replace(r.case_name, ';', ',')) f
 WHERE r.run_id = (SELECT id FROM prof_run)
 ORDER BY r.ordinal;
-- the default is your latest completed run; an ad hoc measurement has the suite 'adhoc'
SELECT count(*) FROM tasker_bench_measure('SELECT 1', iterations => 10, name => E'  multi\nline\tname;x  ');
SELECT regexp_replace(l, ' [0-9]+$', '') AS stack FROM tasker_bench_folded() l;
-- frames: no ';', no line breaks or tabs, trimmed, at most 120 characters, never empty
SELECT tasker_bench._frame(E'  a;b\n\t c  ') AS frame, tasker_bench._frame('') AS empty,
       tasker_bench._frame(NULL) AS null_frame, tasker_bench._frame(E' \n ') AS blank,
       length(tasker_bench._frame(repeat('x', 500))) AS long_len,
       right(tasker_bench._frame(repeat('x', 500)), 3) AS long_end;
SELECT pg_temp.err($$SELECT * FROM tasker_bench_folded(-1)$$);

-- ---- the tasker suite: nested statements of get_next_ready_tasks, resource use of every case ----
SELECT tasker_bench_setup();
SELECT tasker_bench_fixture(1000) IS NOT NULL AS fixture;
SELECT count(*) AS cases FROM tasker_bench_run('tasker', iterations => 3, warmup => '0');
SELECT r.case_name, count(s.queryid) >= 2 AS two_or_more_nested
  FROM tasker_bench.results r
  LEFT JOIN tasker_bench.statement_results s ON s.run_id = r.run_id AND s.case_name = r.case_name
 WHERE r.run_id = (SELECT max(id) FROM tasker_bench.runs) AND r.case_name LIKE 'get_next_ready_tasks/%'
 GROUP BY r.case_name, r.ordinal ORDER BY r.ordinal;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE cpu_user_us IS NOT NULL AND cpu_sys_us IS NOT NULL
                          AND shared_blks_hit IS NOT NULL AND shared_blks_read IS NOT NULL
                          AND shared_blks_dirtied IS NOT NULL AND shared_blks_written IS NOT NULL
                          AND temp_blks_read IS NOT NULL AND temp_blks_written IS NOT NULL
                          AND wal_records IS NOT NULL AND wal_bytes IS NOT NULL AND wal_fpi IS NOT NULL
                          AND rows_per_call IS NOT NULL) AS with_resources
  FROM tasker_bench.results WHERE run_id = (SELECT max(id) FROM tasker_bench.runs);
SELECT count(*) FILTER (WHERE l ~ E'^[^;\n]+(;[^;\n]+)* [0-9]+$') = count(*) AS well_formed,
       count(*) FILTER (WHERE l LIKE 'tasker;get_next_ready_tasks/batch_10;%') >= 2 AS nested_frames
  FROM tasker_bench_folded() l;
SELECT tasker_bench_teardown();

-- ---- the suite procedure (commits after each case) and history ----
SELECT tasker_bench_register('proc/a', 'SELECT count(*) FROM prof_t', suite => 'proc', tolerance_pct => 1000);
SELECT tasker_bench_register('proc/b', 'SELECT prof_outer(10)', suite => 'proc', tolerance_pct => 1000);
CALL tasker_bench_run_suite('proc', iterations => 20, label => 'proc 1');
CALL tasker_bench_run_suite('proc', iterations => 20, label => 'proc 2');
SELECT label, kind, status, cases_done, finished_at IS NOT NULL AS finished,
       settings->>'procedure' AS procedure
  FROM tasker_bench.runs WHERE what = 'proc' ORDER BY id;
SELECT label, case_name, n FROM tasker_bench.history WHERE what = 'proc' ORDER BY run_id, case_name;
SELECT count(*) AS proc_statements FROM tasker_bench.statement_results s
  JOIN tasker_bench.runs r ON r.id = s.run_id WHERE r.what = 'proc';
SELECT count(*) AS alerts FROM tasker_bench.alerts;   -- within the (large) tolerance: no alert
-- a failing case: the run is failed, the cases before it are stored
SELECT tasker_bench_register('proc/c', 'SELECT 1 / (random() * 0)::int', suite => 'proc');
\set VERBOSITY terse
CALL tasker_bench_run_suite('proc', iterations => 20, label => 'proc 3');
\set VERBOSITY default
SELECT label, status, cases_done, failed_case, error_sqlstate, error,
       (SELECT count(*) FROM tasker_bench.results r WHERE r.run_id = runs.id) AS results
  FROM tasker_bench.runs WHERE label = 'proc 3';
SELECT tasker_bench_unregister('proc/c');
-- bad input, checked before anything is written
SELECT pg_temp.err($$CALL tasker_bench_run_suite('no such suite')$$);
SELECT pg_temp.err($$CALL tasker_bench_run_suite('proc', baseline => 'no such baseline')$$);
SELECT pg_temp.err($$CALL tasker_bench_run_suite('proc', iterations => 0)$$);
SELECT pg_temp.err($$CALL tasker_bench_run_suite(NULL)$$);
SELECT count(*) AS proc_runs FROM tasker_bench.runs WHERE what = 'proc';
-- alerts on a regression: against the rolling median of earlier runs, and against a baseline
SELECT tasker_bench_register('proc/slow', 'SELECT count(*) FROM generate_series(1, 100)', suite => 'slow');
CALL tasker_bench_run_suite('slow', iterations => 200, warmup => '0', label => 'slow 1');
SELECT (tasker_bench_baseline('slow-base', id)).name FROM tasker_bench.runs WHERE label = 'slow 1';
SELECT tasker_bench_register('proc/slow', 'SELECT count(*) FROM generate_series(1, 3000)', suite => 'slow', replace => true);
CALL tasker_bench_run_suite('slow', iterations => 200, warmup => '0', label => 'slow 2');
CALL tasker_bench_run_suite('slow', iterations => 200, warmup => '0', label => 'slow 3', baseline => 'slow-base');
SELECT r.label, a.case_name, a.baseline, a.verdict, a.change_pct > 100 AS large, a.details->>'method' AS method
  FROM tasker_bench.alerts a JOIN tasker_bench.runs r ON r.id = a.run_id
 ORDER BY a.id;

-- ---- without pg_stat_statements: a run still works, one NOTICE per session says why ----
DROP EXTENSION pg_stat_statements;
SET client_min_messages = notice;
SELECT tasker_bench._pgss_schema() IS NULL AS unavailable;
SELECT tasker_bench._pgss_schema() IS NULL AS unavailable_again;
SET client_min_messages = warning;
SELECT case_name, n FROM tasker_bench_run('prof/outer', iterations => 10);
SELECT count(*) AS statements FROM tasker_bench.statement_results
 WHERE run_id = (SELECT max(id) FROM tasker_bench.runs);

-- ---- prune ----
SELECT count(m.*) FROM generate_series(1, 5) g,
       LATERAL tasker_bench_measure('SELECT 1', iterations => 10, label => 'prune ' || g) m;
UPDATE tasker_bench.runs SET started_at = started_at - interval '10 days'
 WHERE label IN ('prune 1', 'prune 2', 'prune 3', 'prune 4');
SELECT (tasker_bench_baseline('prune-base', id)).name FROM tasker_bench.runs WHERE label = 'prune 2';
INSERT INTO tasker_bench.alerts (run_id, case_name, baseline, change_pct, verdict)
SELECT id, 'SELECT 1', 'a test', 50, 'regressed' FROM tasker_bench.runs WHERE label = 'prune 3';
-- a run left 'running' by a backend that is gone is marked interrupted, then pruned
UPDATE tasker_bench.runs SET status = 'running', environment = environment || '{"backend_pid": 0}'
 WHERE label = 'prune 4';
CREATE TEMP TABLE prune_ids AS SELECT id, label FROM tasker_bench.runs WHERE label LIKE 'prune %';
SELECT tasker_bench_prune('1 day') AS pruned;
SELECT p.label, r.id IS NOT NULL AS kept
  FROM prune_ids p LEFT JOIN tasker_bench.runs r ON r.id = p.id ORDER BY p.label;
SELECT count(*) AS orphan_results FROM tasker_bench.results r
 WHERE r.run_id IN (SELECT id FROM prune_ids) AND NOT EXISTS (SELECT 1 FROM tasker_bench.runs x WHERE x.id = r.run_id);
SELECT tasker_bench_prune('1 day') AS pruned_again;
SELECT pg_temp.err($$SELECT tasker_bench_prune('-1 day')$$);
SELECT pg_temp.err($$SELECT tasker_bench_prune(NULL)$$);

-- ---- schedules: bad input (nothing is scheduled) ----
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * * *', 'no such suite')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', 'every minute', 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '61 * * * *', 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * *', 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '*/5 * * * *', 'prof', baseline => 'no such baseline')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule(NULL, '* * * * *', 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', NULL, 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * * *', NULL)$$);
-- the schema the job's runs measure: it must exist when the cases name it
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * * *', 'tasker', schema => 'no_such_schema')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * * *', 'tasker', schema => NULL)$$);
-- a job name that exists
INSERT INTO tasker_bench.schedules (job_name, jobid, what, schedule) VALUES ('prof-job', 0, 'prof', '* * * * *');
SELECT job_name, schema FROM tasker_bench.schedules;
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '* * * * *', 'prof')$$);
DELETE FROM tasker_bench.schedules;
-- valid input, but no pg_cron in this database
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '*/5 * * * *', 'prof')$$);
SELECT pg_temp.err($$SELECT tasker_bench_schedule('prof-job', '@daily', 'prof/outer')$$);
SELECT pg_temp.err($$SELECT tasker_bench_unschedule('prof-job')$$);
SELECT count(*) AS schedules FROM tasker_bench.schedules;

-- ---- clean up ----
DELETE FROM tasker_bench.baselines WHERE name IN ('prune-base', 'slow-base');
DELETE FROM tasker_bench.alerts;
SELECT tasker_bench_unregister(name) FROM tasker_bench.cases WHERE suite IN ('prof', 'proc', 'slow') ORDER BY name;
DROP FUNCTION prof_outer(int);
DROP FUNCTION prof_inner(int);
DROP FUNCTION prof_phased();
DROP TABLE prof_t;
