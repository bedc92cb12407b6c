-- Runs as files (tasker_bench_export / tasker_bench_import), dashboard
-- output, and the assertions for users' tests.  Runs use fixed iteration
-- counts and tasker_bench.quiet, so nothing here depends on timing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

CREATE ROLE regress_tb_exp_a;
CREATE ROLE regress_tb_exp_b;
GRANT USAGE ON SCHEMA tasker_bench TO regress_tb_exp_a, regress_tb_exp_b;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO regress_tb_exp_a, regress_tb_exp_b;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO regress_tb_exp_a, regress_tb_exp_b;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO regress_tb_exp_a, regress_tb_exp_b;

SET ROLE regress_tb_exp_a;
-- the run's NOTICEs (run id, backend PID, figures) are not raised when quiet
SET client_min_messages = notice;
SET tasker_bench.quiet = on;
SELECT tasker_bench_register('exp/sum', 'SELECT sum(g) FROM generate_series(1, 20) g', suite => 'exp'),
       tasker_bench_register('exp/phased', 'SELECT tasker_bench.phase(''inner''), 1', suite => 'exp');
SELECT case_name, n FROM tasker_bench_run('exp', iterations => 300, warmup => '0 s');
SET client_min_messages = warning;
SELECT max(id) AS orig FROM tasker_bench.runs \gset

-- export: the header, one entry per result and phase, histograms in text form
SELECT tasker_bench_export(:orig) AS doc \gset
SELECT d->>'format' AS format, d->'format_version' AS format_version,
       d->'origin'->>'run_id' = :'orig' AS origin_run,
       jsonb_array_length(d->'results') AS results, jsonb_array_length(d->'phase_results') AS phases,
       d->'run'->>'what' AS what, d->'run' ? 'id' AS has_id, d->'results'->0 ? 'run_id' AS result_has_run_id,
       d->'results'->0->>'histogram' LIKE 'n=300;%' AS histogram_text
  FROM (SELECT :'doc'::jsonb AS d) x;
-- the latest completed run by default
SELECT (tasker_bench_export() - 'origin') = (:'doc'::jsonb - 'origin') AS latest_by_default;

-- import: a new run of the importing role that equals the original
SELECT tasker_bench_import(:'doc') AS imp \gset
SELECT :imp > :orig AS new_id, r.run_by = current_user AS mine, r.imported_from->>'run_id' = :'orig' AS origin,
       r.imported_from ? 'imported_at' AS stamped
  FROM tasker_bench.runs r WHERE r.id = :imp;
-- every column of the run and its rows equals the original's (histograms byte for byte)
SELECT (to_jsonb(a) - 'id' - 'imported_from') = (to_jsonb(b) - 'id' - 'imported_from') AS run_equal
  FROM tasker_bench.runs a, tasker_bench.runs b WHERE a.id = :orig AND b.id = :imp;
SELECT a.case_name, (to_jsonb(a) - 'run_id') = (to_jsonb(b) - 'run_id') AS result_equal,
       tasker_bench.histogram_send(a.histogram) = tasker_bench.histogram_send(b.histogram) AS histogram_bytes_equal
  FROM tasker_bench.results a JOIN tasker_bench.results b USING (case_name)
 WHERE a.run_id = :orig AND b.run_id = :imp ORDER BY a.ordinal;
SELECT count(*) AS phases_equal
  FROM tasker_bench.phase_results a JOIN tasker_bench.phase_results b USING (case_name, phase)
 WHERE a.run_id = :orig AND b.run_id = :imp
   AND (to_jsonb(a) - 'run_id') = (to_jsonb(b) - 'run_id')
   AND tasker_bench.histogram_send(a.histogram) = tasker_bench.histogram_send(b.histogram);
-- exporting the imported run gives the same document apart from its origin
SELECT (tasker_bench_export(:imp) - 'origin') = (:'doc'::jsonb - 'origin') AS round_trip,
       tasker_bench_export(:imp)->'origin'->'imported_from'->>'run_id' = :'orig' AS keeps_chain;

-- an imported run serves as a baseline: compare and report accept it
SELECT tasker_bench_import(:'doc', baseline => 'exp-file') AS imp2 \gset
SELECT name, run_id = :imp2 AS is_imported FROM tasker_bench.baselines WHERE name = 'exp-file';
SELECT case_name, change_pct, verdict FROM tasker_bench_compare('exp-file', :orig);
SELECT tasker_bench_report(:orig, 'exp-file') LIKE '%exp-file%' AS report_names_baseline;
-- importing again under the same name moves it
SELECT tasker_bench_import(:'doc', baseline => 'exp-file') AS imp3 \gset
SELECT run_id = :imp3 AS moved FROM tasker_bench.baselines WHERE name = 'exp-file';

-- files that cannot be read get a clear error
SELECT pg_temp.err($$SELECT tasker_bench_import('[1, 2]')$$);
SELECT pg_temp.err($$SELECT tasker_bench_import(NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_import('{"format": "something else"}')$$);
SELECT pg_temp.err($$SELECT tasker_bench_import('{"format": "tasker_bench.run"}')$$);
SELECT pg_temp.err($$SELECT tasker_bench_import('{"format": "tasker_bench.run", "format_version": 99, "extension_version": "9.9", "run": {}}')$$);
SELECT pg_temp.err($$SELECT tasker_bench_import('{"format": "tasker_bench.run", "format_version": 1}')$$);
SELECT pg_temp.err(format('SELECT tasker_bench_import(%L)',
    jsonb_set(:'doc'::jsonb, '{results}', '{"not": "an array"}')));
SELECT pg_temp.err(format('SELECT tasker_bench_import(%L)',
    jsonb_set(:'doc'::jsonb, '{results,0,histogram}', '"n=5;min=1"')));
SELECT pg_temp.err(format('SELECT tasker_bench_import(%L)',
    jsonb_set(:'doc'::jsonb, '{run,status}', '"exploded"')));
-- a failed import leaves nothing behind
SELECT count(*) AS runs_now FROM tasker_bench.runs;
-- columns this version does not have are left out with a notice
SET client_min_messages = notice;
SELECT tasker_bench_import(jsonb_set(:'doc'::jsonb, '{results,0,from_the_future}', '1')) > 0 AS imported;
SET client_min_messages = warning;
SELECT pg_temp.err($$SELECT tasker_bench_export(-1)$$);

-- another role cannot export the run; its import belongs to it
RESET ROLE;
SET ROLE regress_tb_exp_b;
SELECT pg_temp.err(format('SELECT tasker_bench_export(%s)', :orig));
SELECT tasker_bench_import(:'doc') AS bimp \gset
SELECT count(*) AS b_sees_runs, min(run_by) AS owner FROM tasker_bench.runs;
RESET ROLE;
SET ROLE regress_tb_exp_a;
SELECT count(*) AS a_sees_b_import FROM tasker_bench.runs WHERE id = :bimp;

-- dashboard JSON: one entry per case
SELECT e->>'name' AS name, e->>'unit' AS unit, (e->>'value')::float8 > 0 AS value,
       e->>'range' LIKE '± %' AS range, e->>'extra' LIKE 'median of 300 iterations%' AS extra
  FROM jsonb_array_elements(tasker_bench_dashboard(:orig, 'github')) e;
SELECT k AS name, (v->'latency'->>'value')::float8 > 0 AS value,
       (v->'latency'->>'lower_value')::float8 <= (v->'latency'->>'value')::float8 AS lower,
       (v->'latency'->>'upper_value')::float8 >= (v->'latency'->>'value')::float8 AS upper
  FROM jsonb_each(tasker_bench_dashboard(:orig, 'bencher')) AS x(k, v) ORDER BY k;
SELECT pg_temp.err($$SELECT tasker_bench_dashboard(NULL, 'csv')$$);

-- assertions: booleans, no output unless asked
SET client_min_messages = notice;
SELECT tasker_bench.within('exp', 0.95, 1e9, iterations => 50) AS fast_enough;
SELECT tasker_bench.within('exp/sum', 0.5, 0.0001, iterations => 50) AS impossibly_fast;
-- a case whose cost depends on a setting: a baseline, then the same case 2 ms slower
SELECT tasker_bench_register('exp/sleepy',
    'SELECT pg_sleep(coalesce(nullif(current_setting(''regress_tb.sleep'', true), ''''), ''0'')::float8)',
    suite => 'sleepy');
SET regress_tb.sleep = '0';
SELECT count(*) FROM tasker_bench_run('sleepy', iterations => 60, warmup => '0 s');
SELECT (tasker_bench_baseline('exp-sleepy')).name;
SELECT tasker_bench.no_regression('sleepy', 'exp-sleepy', iterations => 60, warmup => '0 s',
                                  fail_on => 'tolerance', duration => NULL) IS NOT NULL AS answers;
SET regress_tb.sleep = '0.002';
SELECT tasker_bench.no_regression('sleepy', 'exp-sleepy', iterations => 60, warmup => '0 s') AS no_regression;
\set VERBOSITY terse
SELECT tasker_bench.assert_within('exp/sum', 0.5, 0.0001, iterations => 50);
SELECT tasker_bench.assert_no_regression('sleepy', 'exp-sleepy', iterations => 60, warmup => '0 s');
\set VERBOSITY default
SET client_min_messages = warning;
SELECT pg_temp.err($$SELECT tasker_bench.within('exp', 1.5, 10)$$);
SELECT pg_temp.err($$SELECT tasker_bench.within('exp', 0.5, -1)$$);
SELECT pg_temp.err($$SELECT tasker_bench.no_regression('exp', 'no-such-baseline')$$);
SELECT pg_temp.err($$SELECT tasker_bench.no_regression('exp', 'exp-file', fail_on => 'sometimes')$$);

RESET ROLE;
RESET tasker_bench.quiet;
DELETE FROM tasker_bench.baselines WHERE run_by IN ('regress_tb_exp_a', 'regress_tb_exp_b');
DELETE FROM tasker_bench.runs WHERE run_by IN ('regress_tb_exp_a', 'regress_tb_exp_b');
DELETE FROM tasker_bench.cases WHERE owner IN ('regress_tb_exp_a', 'regress_tb_exp_b');
DROP OWNED BY regress_tb_exp_a, regress_tb_exp_b;
DROP ROLE regress_tb_exp_a, regress_tb_exp_b;
