-- Verdicts that do not cry wolf (issue 13): the verdict rule and its reasons,
-- figures only where n supports them, rounding, plan fingerprints and
-- 'plan changed', SQL/params/suite changes, the noise floor from history,
-- change points.  Nothing here depends on timings.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
\i sql/include/expect_error.sql

-- the verdict rule with its reason
SELECT * FROM tasker_bench.judge(15, 12, 18, 0.001, 0.05, 5, 1000, 1000);
SELECT * FROM tasker_bench.judge(-15, -18, -12, 0.001, 0.05, 5, 1000, 1000);
SELECT * FROM tasker_bench.judge(15, 12, 18, 0.001, 0.05, 5, 1000, 12);
SELECT * FROM tasker_bench.judge(4, 3, 5, 0.001, 0.05, 5, 1000, 1000);
SELECT * FROM tasker_bench.judge(8, -1, 17, 0.2, 0.05, 5, 1000, 1000);
SELECT * FROM tasker_bench.judge(8, -1, 17, 0.01, 0.05, 5, 1000, 1000);
SELECT * FROM tasker_bench.judge(NULL, NULL, NULL, NULL, 0.05, 5, 1000, 1000);

-- figures: 3 significant digits, never finer than 0.001; percentiles only where n supports them
SELECT tasker_bench.round_figure(63.64) AS a, tasker_bench.round_figure(113.449) AS b,
       tasker_bench.round_figure(0.012345) AS c, tasker_bench.round_figure(123456) AS d;
SELECT n, p50_us IS NOT NULL AS p50, p90_us IS NOT NULL AS p90, p95_us IS NOT NULL AS p95,
       p99_us IS NOT NULL AS p99, p999_us IS NOT NULL AS p999
  FROM (VALUES (9), (10), (19), (20), (99), (100), (999), (1000)) v(k),
       LATERAL tasker_bench.hsummary((SELECT tasker_bench.histogram_agg(1000 + g)
                                        FROM generate_series(1, v.k) g)) s
 ORDER BY n;

-- noise floor from a history: 2 % alternating spread, too few runs
SELECT tasker_bench.noise_floor(ARRAY[100, 102, 100, 102, 100, 102]::float8[]) > 5 AS wide_enough,
       tasker_bench.noise_floor(ARRAY[100, 102, 100, 102]::float8[]) IS NULL AS too_few;

-- a run's level in a history is its blocks' median relative to their probes (the
-- machine's speed taken out, as compare does); fewer than 5 blocks: none
SELECT round(tasker_bench._relative_level('{10,20,30,40,50}', '{10,10,10,10,10}')::numeric, 6) AS three,
       round(tasker_bench._relative_level('{20,40,60,80,100}', '{20,20,20,20,20}')::numeric, 6) AS same_at_half_speed,
       tasker_bench._relative_level('{10,20,30,40}', '{10,10,10,10}') IS NULL AS too_few_blocks,
       tasker_bench._relative_level('{10,20,30,40,50}', NULL) IS NULL AS no_probes;

-- change points: a sustained 20 % shift after ten runs gives one, at run 11; none before it
SELECT index, round(before::numeric) AS before, round(after::numeric) AS after, p_value < 0.01 AS significant
  FROM tasker_bench.change_points_of(
         ARRAY(SELECT (CASE WHEN g <= 10 THEN 100 ELSE 120 END) * (1 + 0.02 * sin(g * 2.1))
                 FROM generate_series(1, 20) g));
-- one noisy run is not a change point
SELECT count(*) AS points
  FROM tasker_bench.change_points_of(
         ARRAY(SELECT CASE WHEN g = 12 THEN 160 ELSE 100 * (1 + 0.02 * sin(g * 2.1)) END
                 FROM generate_series(1, 20) g));
SELECT pg_temp.err($$SELECT * FROM tasker_bench.change_points_of(ARRAY[1, 2, -3]::float8[])$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.change_points_of(ARRAY[1, 2, 3]::float8[], min_size => 1)$$);

-- a plan that flips between baseline and run: 'plan changed'; few samples: inconclusive, no p99
CREATE SCHEMA vd;
CREATE TABLE vd.t (id int PRIMARY KEY, v int);
INSERT INTO vd.t SELECT g, g % 500 FROM generate_series(1, 5000) g;
ANALYZE vd.t;
CREATE FUNCTION vd.f(x int) RETURNS bigint LANGUAGE plpgsql STABLE
AS $$ BEGIN RETURN (SELECT count(*) FROM vd.t WHERE v = x); END $$;
SELECT tasker_bench_register('vd/flip', 'SELECT vd.f(7)', suite => 'vd');
SELECT n, p95_us IS NULL AS no_p95, p99_us IS NULL AS no_p99, p999_us IS NULL AS no_p999
  FROM tasker_bench_run('vd', iterations => 15, warmup => '0');
SELECT (tasker_bench_baseline('vd-before')).name;
CREATE INDEX vd_t_v ON vd.t (v);
SELECT n, p99_us IS NOT NULL AS p99, p999_us IS NULL AS no_p999
  FROM tasker_bench_run('vd', iterations => 200, warmup => '0');
SELECT case_name, verdict, verdict_reason, baseline_n, current_n, plan_changed, sql_changed,
       params_changed, notes, noise_floor_from, baseline_p99_us
  FROM tasker_bench_compare('vd-before');
SELECT case_name, plan_changed, baseline_shape LIKE '%SeqScan t%' AS before_seqscan,
       current_shape LIKE '%vd_t_v%' AS after_index
  FROM tasker_bench_compare_plans('vd-before');
-- the report shows the missing percentile as a dash and names the plan change
SELECT count(*) FILTER (WHERE line LIKE '%p99 — ->%') AS dash_p99,
       count(*) FILTER (WHERE line LIKE '%PLAN CHANGED%') AS plan_changed_line,
       count(*) FILTER (WHERE line LIKE '%noise floor%') AS method_footnote
  FROM regexp_split_to_table(tasker_bench_report(baseline => 'vd-before', detail => true), E'\n') AS line;

-- the case's SQL changes: flagged
SELECT tasker_bench_register('vd/flip', 'SELECT vd.f(8)', suite => 'vd', replace => true) IS NOT NULL AS replaced;
SELECT count(*) FROM tasker_bench_run('vd', iterations => 40, warmup => '0');
SELECT case_name, sql_changed, notes FROM tasker_bench_compare('vd-before');

-- clean up
DELETE FROM tasker_bench.baselines WHERE name = 'vd-before';
DELETE FROM tasker_bench.runs WHERE what = 'vd';
SELECT tasker_bench_unregister('vd/flip');
DROP SCHEMA vd CASCADE;

-- alerts: a sustained shift alerts once, when the third run at the new level confirms the change point
-- (tolerance 100 %: run-to-run noise of a loaded machine stays below it, the 10x shift does not)
CREATE SCHEMA vdcp;
CREATE FUNCTION vdcp.w(n int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(g) FROM generate_series(1, n) g';
CREATE FUNCTION vdcp.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdcp.w(1000)';
SELECT tasker_bench_register('vdcp/work', 'SELECT vdcp.f()', suite => 'vdcp', tolerance_pct => 100);
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
CREATE OR REPLACE FUNCTION vdcp.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdcp.w(10000)';
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
-- (the first slower run alerts against the rolling median; set that aside)
SELECT count(*) AS rolling_alerts FROM tasker_bench.alerts WHERE details->>'method' = 'rolling_median';
DELETE FROM tasker_bench.alerts;
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
SELECT count(*) AS before_confirmed FROM tasker_bench.alerts;
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
SELECT case_name, baseline ~ '^change point at run [0-9]+$' AS named, change_pct > 100 AS large,
       details->>'method' AS method
  FROM tasker_bench.alerts;
SELECT case_name, runs_at_new_level, change_pct > 100 AS large,
       run_id = (SELECT min(id) FROM (SELECT id FROM tasker_bench.runs WHERE what = 'vdcp' ORDER BY id DESC LIMIT 3) x) AS at_the_shift
  FROM tasker_bench.change_points WHERE case_name = 'vdcp/work';
CALL tasker_bench_run_suite('vdcp', iterations => 60, warmup => '0');
SELECT count(*) AS alerted_once FROM tasker_bench.alerts;
DELETE FROM tasker_bench.alerts;
DELETE FROM tasker_bench.runs WHERE what = 'vdcp';
SELECT tasker_bench_unregister('vdcp/work');
DROP SCHEMA vdcp CASCADE;

-- alerts against a baseline: one regressed run is not an alert; the next regressed run confirms
-- it (confirmed_by previous_run), and so does a change point after the baseline (change_point)
-- (tolerance 100 %: run-to-run noise of a loaded machine stays below it, the 10x shift does not)
CREATE SCHEMA vdba;
CREATE FUNCTION vdba.w(n int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(g) FROM generate_series(1, n) g';
CREATE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(1000)';
SELECT tasker_bench_register('vdba/work', 'SELECT vdba.f()', suite => 'vdba', tolerance_pct => 100);
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', label => 'vdba fast');
SELECT (tasker_bench_baseline('vdba-base', id)).name FROM tasker_bench.runs WHERE label = 'vdba fast';
CREATE OR REPLACE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(10000)';
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', baseline => 'vdba-base');
SELECT count(*) AS one_regressed_run FROM tasker_bench.alerts;
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', baseline => 'vdba-base');
SELECT case_name, baseline, verdict, change_pct > 100 AS large, details->>'method' AS method,
       details->>'confirmed_by' AS confirmed_by,
       (details->>'previous_run_id')::bigint = (SELECT max(id) FROM tasker_bench.runs WHERE what = 'vdba'
                                                 AND id < a.run_id) AS previous_run,
       (details->>'previous_change_pct')::float8 > 100 AS previous_large
  FROM tasker_bench.alerts a;
DELETE FROM tasker_bench.alerts;
-- back to the old speed, then a single slow run: no alert
CREATE OR REPLACE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(1000)';
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', baseline => 'vdba-base');
CREATE OR REPLACE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(10000)';
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', baseline => 'vdba-base');
SELECT count(*) AS one_noisy_run FROM tasker_bench.alerts;
-- a change point after the baseline confirms it: the history of the case (runs of the case alone,
-- another "what", so no previous run of the suite confirms) shifts after 4 fast runs and stays
DELETE FROM tasker_bench.runs WHERE what = 'vdba' AND id NOT IN (SELECT run_id FROM tasker_bench.baselines);
CREATE OR REPLACE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(1000)';
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
CREATE OR REPLACE FUNCTION vdba.f() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT vdba.w(10000)';
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
CALL tasker_bench_run_suite('vdba/work', iterations => 60, warmup => '0');
DELETE FROM tasker_bench.alerts;
CALL tasker_bench_run_suite('vdba', iterations => 60, warmup => '0', baseline => 'vdba-base');
SELECT case_name, baseline, details->>'confirmed_by' AS confirmed_by,
       (details->>'change_point_run_id')::bigint = (SELECT min(id) FROM (SELECT id FROM tasker_bench.runs
                                                     WHERE what = 'vdba/work' ORDER BY id DESC LIMIT 3) x) AS at_the_shift
  FROM tasker_bench.alerts;
DELETE FROM tasker_bench.alerts;
DELETE FROM tasker_bench.baselines WHERE name = 'vdba-base';
DELETE FROM tasker_bench.runs WHERE what IN ('vdba', 'vdba/work');
SELECT tasker_bench_unregister('vdba/work');
DROP SCHEMA vdba CASCADE;
