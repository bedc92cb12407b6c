-- Baselines, comparisons, interleaved A/B and reports.  Comparisons run on
-- runs built here from generated data (so every figure and verdict is
-- deterministic); real A/B runs print only facts that do not depend on timing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

-- A run of suite 'cmp' with one result per element of p_cases:
-- {"name", "category", "scale", "n", "spread"}; the values of a case are
-- (50000 + (g * 7919) % spread) * scale ns for g = 1..n.
CREATE FUNCTION pg_temp.fake_run(p_cases jsonb, p_status text DEFAULT 'completed',
                                 p_what text DEFAULT 'cmp') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_run bigint;
    v_c jsonb;
    v_h tasker_bench.histogram;
    v_i int := 0;
BEGIN
    INSERT INTO tasker_bench.runs (kind, what, suite, label, started_at, finished_at, status,
                                   error, error_sqlstate, failed_case, cases_done, settings, environment)
    VALUES ('run', p_what, 'cmp', 'generated', '2024-01-02 03:04:05+00',
            CASE WHEN p_status <> 'running' THEN timestamptz '2024-01-02 03:04:07.5+00' END, p_status,
            CASE WHEN p_status = 'failed' THEN 'division by zero' END,
            CASE WHEN p_status = 'failed' THEN '22012' END,
            CASE WHEN p_status = 'failed' THEN 'cmp/broken' END,
            CASE WHEN p_status = 'failed' THEN 1 ELSE jsonb_array_length(p_cases) END,
            '{"iterations": 2000, "warmup": "00:00:00.2"}',
            '{"server_version": "15.0", "cpu_count": 4, "clock_read_ns": 20, "extension_version": "0.1"}')
    RETURNING id INTO v_run;
    FOR v_c IN SELECT x FROM jsonb_array_elements(p_cases) x LOOP
        v_i := v_i + 1;
        SELECT tasker_bench.histogram_agg(((50000 + (g * 7919) % coalesce((v_c->>'spread')::int, 5000))
                                           * coalesce((v_c->>'scale')::numeric, 1))::bigint)
          INTO v_h
          FROM generate_series(1, coalesce((v_c->>'n')::int, 2000)) g;
        INSERT INTO tasker_bench.results (run_id, case_name, ordinal, suite, category, sql, n, warmup_n,
                                          min_us, mean_us, stddev_us, p50_us, p90_us, p95_us, p99_us,
                                          p999_us, max_us, ops_per_s, clock_ns, histogram, rows_per_call,
                                          read_only, rolled_back, wall_s, param_sets,
                                          outliers_low_severe, outliers_low_mild,
                                          outliers_high_mild, outliers_high_severe)
        SELECT v_run, v_c->>'name', v_i, 'cmp', coalesce(v_c->>'category', 'sql'), 'SELECT 1', s.n, 10,
               s.min_us, s.mean_us, s.stddev_us, s.p50_us, s.p90_us, s.p95_us, s.p99_us,
               s.p999_us, s.max_us, s.ops_per_s, 20, v_h, 1, true, false, 0.1, 1,
               s.outliers_low_severe, s.outliers_low_mild, s.outliers_high_mild, s.outliers_high_severe
          FROM tasker_bench.hsummary(v_h, 20) s;
    END LOOP;
    RETURN v_run;
END $$;

SELECT pg_temp.fake_run('[{"name": "cmp/same"}, {"name": "cmp/slow10"}, {"name": "cmp/fast10"},
                          {"name": "cmp/tiny1"}, {"name": "cmp/e2e5", "category": "e2e"},
                          {"name": "cmp/life15", "category": "lifecycle"},
                          {"name": "cmp/life25", "category": "lifecycle"},
                          {"name": "cmp/few", "n": 6, "spread": 50000},
                          {"name": "cmp/removed"}]') AS base_run \gset
SELECT pg_temp.fake_run('[{"name": "cmp/same"}, {"name": "cmp/slow10", "scale": 1.10},
                          {"name": "cmp/fast10", "scale": 0.90}, {"name": "cmp/tiny1", "scale": 1.01},
                          {"name": "cmp/e2e5", "category": "e2e", "scale": 1.05},
                          {"name": "cmp/life15", "category": "lifecycle", "scale": 1.15},
                          {"name": "cmp/life25", "category": "lifecycle", "scale": 1.25},
                          {"name": "cmp/few", "n": 6, "spread": 50000, "scale": 1.05},
                          {"name": "cmp/added"}]') AS cur_run \gset
SELECT pg_temp.fake_run('[]', 'failed') AS failed_run \gset
SELECT pg_temp.fake_run('[]', 'running') AS running_run \gset
SELECT pg_temp.fake_run('[{"name": "cmp/same"}]', p_what => 'cmp-other') AS other_run \gset

-- ---- baselines ----
SELECT name, run_id = :base_run AS is_base_run, previous_run_id, what, label, moved_at
  FROM tasker_bench_baseline('cmp-pre', :base_run);
-- naming the same run again changes nothing
SELECT name, run_id = :base_run AS is_base_run, moved_at FROM tasker_bench_baseline('cmp-pre', :base_run);
-- an existing name moves only with move => true
SELECT pg_temp.err(format('SELECT tasker_bench_baseline(%L, %s)', 'cmp-pre', :cur_run));
SELECT name, run_id = :cur_run AS is_cur_run, previous_run_id = :base_run AS was_base_run,
       moved_at IS NOT NULL AS moved
  FROM tasker_bench_baseline('cmp-pre', :cur_run, move => true);
SELECT run_id = :base_run AS back_on_base FROM tasker_bench_baseline('cmp-pre', :base_run, move => true);
-- default: your latest completed run
SELECT run_id = :other_run AS latest_completed FROM tasker_bench_baseline('cmp-latest');
SELECT name, run_id = :base_run AS is_base_run, moved_at IS NOT NULL AS moved
  FROM tasker_bench.baselines WHERE name LIKE 'cmp-%' ORDER BY name;
-- a run a baseline names cannot be deleted (ON DELETE RESTRICT: SQLSTATE 23503
-- up to PostgreSQL 17, 23001 restrict_violation from 18 on)
SELECT regexp_replace(pg_temp.err(format('DELETE FROM tasker_bench.runs WHERE id = %s', :base_run)),
                      '^(23503|23001) update or delete on table "runs" violates (RESTRICT setting of )?foreign key',
                      'refused: foreign key') AS err;
SELECT tasker_bench_drop_baseline('cmp-latest');
-- bad input
SELECT pg_temp.err($$SELECT tasker_bench_baseline(NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_baseline('')$$);
SELECT pg_temp.err(format('SELECT tasker_bench_baseline(%L, %s)', 'cmp-x', :failed_run));
SELECT pg_temp.err(format('SELECT tasker_bench_baseline(%L, %s)', 'cmp-x', :running_run));
SELECT pg_temp.err($$SELECT tasker_bench_baseline('cmp-x', -1)$$);
SELECT pg_temp.err($$SELECT tasker_bench_drop_baseline('cmp-x')$$);

-- ---- compare: verdicts, tolerances by category, added and removed ----
SELECT case_name, round(change_pct::numeric, 1) AS change, ci_low_pct <= change_pct AND change_pct <= ci_high_pct AS ci_holds,
       p_value < 0.05 AS significant, verdict, tolerance_pct AS tol, tolerance_from AS tol_from,
       within_tolerance AS within, regression_signal AS signal, category
  FROM tasker_bench_compare('cmp-pre', :cur_run);
-- the p50/p95/p99/mean pairs are the results' figures; the runs compared are named
SELECT count(*) AS rows, bool_and(c.baseline_p50_us IS NOT DISTINCT FROM b.p50_us
                                   AND c.current_p50_us IS NOT DISTINCT FROM r.p50_us
                                   AND c.baseline_p95_us IS NOT DISTINCT FROM b.p95_us
                                   AND c.current_p95_us IS NOT DISTINCT FROM r.p95_us
                                   AND c.baseline_p99_us IS NOT DISTINCT FROM b.p99_us
                                   AND c.current_p99_us IS NOT DISTINCT FROM r.p99_us
                                   AND c.baseline_mean_us IS NOT DISTINCT FROM b.mean_us
                                   AND c.current_mean_us IS NOT DISTINCT FROM r.mean_us) AS figures_match,
       bool_and(c.baseline_run_id = :base_run AND c.current_run_id = :cur_run) AS runs_named,
       min(noise_threshold_pct) AS noise
  FROM tasker_bench_compare('cmp-pre', :cur_run) c
  LEFT JOIN tasker_bench.results b ON b.run_id = :base_run AND b.case_name = c.case_name
  LEFT JOIN tasker_bench.results r ON r.run_id = :cur_run AND r.case_name = c.case_name;
-- without run_id: your latest completed run of the same case or suite (not the failed, running or other ones)
SELECT DISTINCT current_run_id = :cur_run AS latest_of_cmp FROM tasker_bench_compare('cmp-pre');

-- per call: threshold_pct is every case's tolerance, noise_threshold_pct the noise threshold
SELECT case_name, verdict, tolerance_pct AS tol, tolerance_from AS tol_from, within_tolerance AS within
  FROM tasker_bench_compare('cmp-pre', :cur_run, threshold_pct => 12)
 WHERE case_name IN ('cmp/slow10', 'cmp/life15', 'cmp/life25');
SELECT case_name, verdict, noise_threshold_pct AS noise, tolerance_pct AS tol, within_tolerance AS within
  FROM tasker_bench_compare('cmp-pre', :cur_run, noise_threshold_pct => 12)
 WHERE case_name IN ('cmp/slow10', 'cmp/fast10', 'cmp/e2e5');
-- per case (cases.tolerance_pct) and per suite (tasker_bench_suite_settings)
SELECT tasker_bench_register('cmp/e2e5', 'SELECT 1', suite => 'cmp', category => 'e2e', tolerance_pct => 3);
SELECT suite, tolerance_pct, noise_threshold_pct FROM tasker_bench_suite_settings('cmp', tolerance_pct => 30);
SELECT case_name, verdict, tolerance_pct AS tol, tolerance_from AS tol_from, within_tolerance AS within
  FROM tasker_bench_compare('cmp-pre', :cur_run)
 WHERE case_name IN ('cmp/e2e5', 'cmp/life25', 'cmp/slow10');
SELECT suite, tolerance_pct, noise_threshold_pct FROM tasker_bench_suite_settings('cmp', noise_threshold_pct => 12);
SELECT case_name, verdict, noise_threshold_pct AS noise, tolerance_pct AS tol, tolerance_from AS tol_from
  FROM tasker_bench_compare('cmp-pre', :cur_run)
 WHERE case_name IN ('cmp/slow10', 'cmp/e2e5');
-- the call wins over case and suite
SELECT DISTINCT tolerance_pct, tolerance_from FROM tasker_bench_compare('cmp-pre', :cur_run, threshold_pct => 7)
 WHERE verdict NOT IN ('added', 'removed');
-- both NULL: back to the defaults
SELECT tasker_bench_suite_settings('cmp') IS NULL AS removed;
SELECT count(*) FROM tasker_bench.suite_settings WHERE suite = 'cmp';
SELECT tasker_bench_unregister('cmp/e2e5');

-- bad input
SELECT pg_temp.err($$SELECT * FROM tasker_bench_compare('no such baseline')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_compare(NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_compare('cmp-pre', -1)$$);
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s)', 'cmp-pre', :failed_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s)', 'cmp-pre', :running_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s)', 'cmp-pre', :base_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s, threshold_pct => -1)', 'cmp-pre', :cur_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s, threshold_pct => %L)', 'cmp-pre', :cur_run, 'NaN'));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s, alpha => 0)', 'cmp-pre', :cur_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s, alpha => NULL)', 'cmp-pre', :cur_run));
SELECT pg_temp.err(format('SELECT * FROM tasker_bench_compare(%L, %s, noise_threshold_pct => -2)', 'cmp-pre', :cur_run));
SELECT pg_temp.err($$SELECT tasker_bench_suite_settings(NULL, 5)$$);
SELECT pg_temp.err($$SELECT tasker_bench_suite_settings('no such suite', 5)$$);
SELECT pg_temp.err($$SELECT tasker_bench_suite_settings('cmp', -5)$$);
-- the baseline's run is the only completed run of its case or suite
SELECT name, what FROM tasker_bench_baseline('cmp-other', :other_run);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_compare('cmp-other')$$);

-- the statistics of the A/B (src/stats.c): t critical values, the t interval and test
SELECT ARRAY(SELECT x - y FROM unnest('{1.83,0.50,1.62,2.48,1.68,1.88,1.55,3.06,1.30}'::float8[],
                                     '{0.878,0.647,0.598,2.05,1.06,1.29,1.06,3.14,1.29}'::float8[]) d(x, y))::text AS dep \gset
SELECT df, round(tasker_bench.t_quantile(0.975, df)::numeric, 3) AS t975
  FROM unnest('{1,2,3,4,9,19,30,100}'::int[]) df;
-- R: t.test(x, y, paired = TRUE) on Hollander & Wolfe's depression data: mean 0.4318889,
-- CI 0.1037787 .. 0.7599991, p = 0.01618
SELECT round(mean::numeric, 7) AS mean, round(low::numeric, 7) AS low, round(high::numeric, 7) AS high,
       round(tasker_bench.t_test_p(:'dep', 0)::numeric, 5) AS p_value
  FROM tasker_bench.mean_ci(:'dep', 0.95);
-- Hodges-Lehmann estimate, signed-rank interval and p (R: wilcox.test(x, y, paired = TRUE, conf.int = TRUE)
-- on the same data: V = 40, p = 0.03906, (pseudo)median 0.46, CI 0.010 .. 0.786)
SELECT round(estimate::numeric, 4) AS estimate, round(low::numeric, 4) AS low,
       round(high::numeric, 4) AS high, round(p_value::numeric, 5) AS p_value
  FROM tasker_bench.signed_rank(:'dep');
-- ties and zeros (normal approximation), a wild value does not move the estimate much, too few values for 95 %
SELECT round(estimate::numeric, 4) AS estimate, round(low::numeric, 4) AS low,
       round(high::numeric, 4) AS high, round(p_value::numeric, 4) AS p_value
  FROM tasker_bench.signed_rank('{0.05,0.05,0.05,0.04,0.06,0,0.05,0.05,0.04,0.06,0.05,0.05}', 0.95);
SELECT round(estimate::numeric, 4) AS estimate, round(low::numeric, 4) AS low,
       round(high::numeric, 4) AS high, round(p_value::numeric, 4) AS p_value
  FROM tasker_bench.signed_rank('{0.05,0.05,0.05,0.04,0.06,0.9,0.05,0.05,0.04,0.06,0.05,-0.7}', 0.95);
SELECT estimate, low IS NULL AS no_interval, round(p_value::numeric, 4) AS p_value
  FROM tasker_bench.signed_rank('{0.1,0.2,0.3,0.4,0.5}', 0.95);
-- no values, one value, all zeros
SELECT * FROM tasker_bench.signed_rank('{}');
SELECT * FROM tasker_bench.signed_rank('{0.25}');
SELECT * FROM tasker_bench.signed_rank('{0,0,0,0,0,0,0,0}');
SELECT pg_temp.err($$SELECT * FROM tasker_bench.signed_rank('{1,NaN,2}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.signed_rank('{1,NULL,2}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.signed_rank('{1,2,3}', 1)$$);
SELECT tasker_bench.verdict(5, 3, 9, 0.01, 0.05, 2) AS regressed,
       tasker_bench.verdict(-5, -9, -3, 0.01, 0.05, 2) AS improved,
       tasker_bench.verdict(5, 1, 9, 0.01, 0.05, 2) AS reaches_floor,
       tasker_bench.verdict(1, -1.5, 1.5, 0.5, 0.05, 2) AS unchanged,
       tasker_bench.verdict(1, 0.5, 1.5, 0.001, 0.05, 2) AS small_but_significant,
       tasker_bench.verdict(5, -3, 13, 0.3, 0.05, 2) AS inconclusive,
       tasker_bench.verdict(5, NULL, NULL, NULL, 0.05, 2) AS unknown,
       tasker_bench.verdict(1, NULL, NULL, 0.5, 0.05, 2) AS small_without_interval;

-- ---- rows a role cannot see do not exist for it ----
CREATE ROLE regress_tb_carol;
GRANT USAGE ON SCHEMA tasker_bench TO regress_tb_carol;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO regress_tb_carol;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO regress_tb_carol;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO regress_tb_carol;
SET ROLE regress_tb_carol;
SELECT count(*) AS carol_sees_baselines FROM tasker_bench.baselines;
SELECT pg_temp.err($$SELECT tasker_bench_baseline('carol')$$);
SELECT pg_temp.err(format('SELECT tasker_bench_baseline(%L, %s)', 'carol', :base_run));
SELECT pg_temp.err($$SELECT * FROM tasker_bench_compare('cmp-pre')$$);
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s)', :cur_run));
-- nor can a baseline row point at another role's run
SELECT pg_temp.err(format('INSERT INTO tasker_bench.baselines (name, run_id) VALUES (%L, %s)', 'carol', :base_run));
SELECT pg_temp.err($$SELECT tasker_bench_baseline('cmp-pre', move => true)$$);
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA tasker_bench FROM regress_tb_carol;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tasker_bench FROM regress_tb_carol;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tasker_bench FROM regress_tb_carol;
REVOKE ALL ON SCHEMA tasker_bench FROM regress_tb_carol;
DROP ROLE regress_tb_carol;

-- ---- reports ----
-- text: header, per case a summary and a histogram, the comparison
SELECT regexp_replace(line, 'run [0-9]+', 'run N', 'g') AS text_report
  FROM regexp_split_to_table(tasker_bench_report(:cur_run, 'cmp-pre', detail => true), E'\n') AS line;
-- markdown
SELECT count(*) AS markdown_lines,
       count(*) FILTER (WHERE line LIKE '| cmp/%') AS case_and_comparison_rows,
       count(*) FILTER (WHERE line LIKE '### %') AS sections
  FROM regexp_split_to_table(tasker_bench_report(:cur_run, 'cmp-pre', 'markdown', true), E'\n') AS line;
SELECT regexp_replace(line, 'run [0-9]+', 'run N', 'g') AS markdown_headers
  FROM regexp_split_to_table(tasker_bench_report(:cur_run, 'cmp-pre', 'markdown', true), E'\n') AS line
 WHERE line LIKE '#%' OR line LIKE '| case |%' OR line LIKE '| cmp/slow10 |%';
-- json: parses, has the documented keys, and the text and markdown reports are rendered from it
SELECT tasker_bench_report(:cur_run, 'cmp-pre', 'json') AS j \gset
SELECT array_agg(k ORDER BY k) AS top_keys FROM jsonb_object_keys(:'j'::jsonb) k;
SELECT array_agg(k ORDER BY k) AS run_keys FROM jsonb_object_keys((:'j'::jsonb)->'run') k;
SELECT array_agg(k ORDER BY k) AS case_keys FROM jsonb_object_keys((:'j'::jsonb)->'cases'->0) k;
SELECT array_agg(k ORDER BY k) AS outlier_keys FROM jsonb_object_keys((:'j'::jsonb)->'cases'->0->'outliers') k;
SELECT array_agg(k ORDER BY k) AS bin_keys FROM jsonb_object_keys((:'j'::jsonb)->'cases'->0->'histogram_bins'->0) k;
SELECT array_agg(k ORDER BY k) AS comparison_keys FROM jsonb_object_keys((:'j'::jsonb)->'comparison'->0) k;
SELECT jsonb_array_length((:'j'::jsonb)->'cases') AS cases,
       jsonb_array_length((:'j'::jsonb)->'comparison') AS comparison_rows,
       (SELECT bool_and(jsonb_array_length(c->'histogram_bins') = 10
                        AND (SELECT sum((b->>'count')::bigint) FROM jsonb_array_elements(c->'histogram_bins') b)
                            = (c->>'n')::bigint)
          FROM jsonb_array_elements((:'j'::jsonb)->'cases') c) AS bins_hold_every_sample,
       (:'j'::jsonb)->'comparison' = (SELECT jsonb_agg(to_jsonb(c)) FROM tasker_bench_compare('cmp-pre', :cur_run) c)
           AS comparison_is_compare,
       (SELECT bool_and((c->>'p50_us')::float8 = r.p50_us AND (c->>'p99_us')::float8 = r.p99_us
                        AND (c->>'n')::bigint = r.n AND (c->>'ops_per_s')::float8 = r.ops_per_s)
          FROM jsonb_array_elements((:'j'::jsonb)->'cases') c
          JOIN tasker_bench.results r ON r.run_id = :cur_run AND r.case_name = c->>'case_name') AS cases_are_results,
       tasker_bench._report_text(:'j'::jsonb, false) = tasker_bench_report(:cur_run, 'cmp-pre', detail => true) AS text_from_json,
       tasker_bench._report_text(:'j'::jsonb, true) = tasker_bench_report(:cur_run, 'cmp-pre', 'markdown', true) AS markdown_from_json;
-- without a baseline the json has the same keys, null where nothing was compared
SELECT (j->'baseline') = 'null' AS no_baseline, (j->'comparison') = 'null' AS no_comparison, (j->'ab') = 'null' AS no_ab
  FROM (SELECT tasker_bench_report(:cur_run, format => 'json')::jsonb AS j) r;
-- a failed run: a report that says so, with the error
SELECT regexp_replace(line, 'run [0-9]+', 'run N', 'g') AS failed_report
  FROM regexp_split_to_table(tasker_bench_report(:failed_run, 'cmp-pre', detail => true), E'\n') AS line
 WHERE line NOT LIKE '  when%';
SELECT j->'run'->>'status' AS status, j->'run'->>'error' AS error, j->'run'->>'error_sqlstate' AS sqlstate,
       jsonb_array_length(j->'cases') AS cases, j->>'comparison_skipped' IS NOT NULL AS says_why_not_compared
  FROM (SELECT tasker_bench_report(:failed_run, 'cmp-pre', 'json')::jsonb AS j) r;
-- the bins of a histogram: log-spaced, every sample in one, the tail above p99 in the last
SELECT bin, round(low_us::numeric, 2) AS low_us, round(high_us::numeric, 2) AS high_us, count
  FROM tasker_bench.report_bins((SELECT tasker_bench.histogram_agg(v)
                                   FROM (SELECT 1000 + g % 100 AS v FROM generate_series(1, 990) g
                                         UNION ALL SELECT 1000000 FROM generate_series(1, 10)) s), 0, 8);
-- bad input
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s, format => %L)', :cur_run, 'pdf'));
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s, format => NULL)', :cur_run));
SELECT pg_temp.err($$SELECT tasker_bench_report(-1)$$);
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s, %L)', :cur_run, 'no such baseline'));
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s, %L)', :base_run, 'cmp-pre'));

-- ---- interleaved A/B ----
CREATE SCHEMA cmp_ab;
CREATE FUNCTION cmp_ab.f(n int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(g) FROM generate_series(1, n) g';
SELECT count(*) AS runs_before FROM tasker_bench.runs \gset
-- statements of different result shapes are fine
SELECT rounds, verdict IN ('improved', 'regressed', 'unchanged', 'inconclusive') AS has_verdict,
       ratio > 0 AS has_ratio, ci_low <= ratio AND ratio <= ci_high AS ci_holds,
       p_value BETWEEN 0 AND 1 AS has_p, a_p50_us > 0 AS has_a, b_p50_us > 0 AS has_b,
       noise_threshold_pct
  FROM tasker_bench_ab('SELECT 1', 'SELECT g, g::text FROM generate_series(1, 3) g',
                       rounds => 6, iterations => 50, warmup => '0');
SELECT kind, what, status, cases_done, settings->>'rounds' AS rounds FROM tasker_bench.runs ORDER BY id DESC LIMIT 1;
SELECT case_name, ordinal, n, rows_per_call, sql FROM tasker_bench.results
 WHERE run_id = (SELECT max(id) FROM tasker_bench.runs) ORDER BY ordinal;
SELECT a_name, b_name, rounds, iterations, cardinality(a_medians_us) AS a_rounds, cardinality(b_medians_us) AS b_rounds,
       a_p50_us = r.p50_us AS a_p50_is_result,
       t_ci_low <= t_ratio AND t_ratio <= t_ci_high AS t_ci_holds, t_p_value BETWEEN 0 AND 1 AS has_t_p
  FROM tasker_bench.ab_results x JOIN tasker_bench.results r ON r.run_id = x.run_id AND r.case_name = 'a'
 WHERE x.run_id = (SELECT max(id) FROM tasker_bench.runs);
-- names, params, search_path and a warmup
SELECT rounds FROM tasker_bench_ab('SELECT f($1)', 'SELECT f($1 + 5)', params => 'SELECT 10 UNION ALL SELECT 20',
                                   rounds => 2, iterations => 20, warmup => '1 ms', search_path => 'cmp_ab',
                                   a_name => 'old', b_name => 'new', label => 'names');
SELECT case_name, n, warmup_n > 0 AS warmed_up, param_sets FROM tasker_bench.results
 WHERE run_id = (SELECT max(id) FROM tasker_bench.runs) ORDER BY ordinal;
SELECT what, label FROM tasker_bench.runs ORDER BY id DESC LIMIT 1;
SELECT count(*) - :runs_before AS runs_added FROM tasker_bench.runs;
-- the report of an A/B run shows its outcome
SELECT count(*) FILTER (WHERE line LIKE 'A/B  a = old: SELECT f($1)') AS text_ab_line,
       count(*) FILTER (WHERE line LIKE '%b/a = %') AS text_ratio_line
  FROM regexp_split_to_table(tasker_bench_report(detail => true), E'\n') AS line;
SELECT (j->'ab'->>'rounds')::int AS rounds, j->'ab'->>'a_name' AS a_name,
       jsonb_array_length(j->'ab'->'b_medians_us') AS b_medians,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(j->'ab') k) AS ab_keys
  FROM (SELECT tasker_bench_report(format => 'json')::jsonb AS j) r;

-- bad input: errors say which statement, and nothing is stored
SELECT pg_temp.err($$SELECT tasker_bench_ab(NULL, 'SELECT 1')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', rounds => 0)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', rounds => -3)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', rounds => NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', iterations => 0)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', warmup => '-1 s')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', a_name => 'x', b_name => 'x')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', alpha => 1)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 2', noise_threshold_pct => -1)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELEC 1', 'SELECT 2')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT f(1)', iterations => 1, b_name => 'new')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1', 'SELECT 1 / (g - g) FROM generate_series(1, 1) g', rounds => 2, iterations => 5, warmup => '0')$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT 1 / (g - g) FROM generate_series(1, 1) g', 'SELECT 1', rounds => 2, iterations => 5)$$);
SELECT pg_temp.err($$SELECT tasker_bench_ab('SELECT $1::int', 'SELECT 1', params => 'SELECT ''x''', iterations => 1)$$);
SELECT count(*) - :runs_before AS runs_added FROM tasker_bench.runs;

-- clean up
DROP SCHEMA cmp_ab CASCADE;
DELETE FROM tasker_bench.baselines WHERE name LIKE 'cmp-%';
DELETE FROM tasker_bench.runs WHERE what LIKE 'cmp%' OR kind = 'ab';
SELECT count(*) AS left_over FROM tasker_bench.results r JOIN tasker_bench.runs u ON u.id = r.run_id WHERE u.what LIKE 'cmp%';
