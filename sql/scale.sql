-- Scale sweeps: one run per fixture size, a fitted growth per case.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
SELECT tasker_bench_setup();

SELECT case_name, size, n, target_ms, growth IS NOT NULL AS fitted, r2 BETWEEN 0 AND 1 AS r2_in_range
  FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{100,50,200}', iterations => 5,
                          warmup => '0');
SELECT what, sizes, cardinality(run_ids) AS runs, fits ? 'get_next_ready_tasks/batch_1' AS has_fit
  FROM tasker_bench.scales;
SELECT kind, label, (dataset->'row_counts'->>'tasks')::int AS tasks
  FROM tasker_bench.runs WHERE kind = 'scale' ORDER BY id;

-- the fixtures of a sweep take the fixture's state_mix and shapes
SELECT size, n FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{20,40}', iterations => 3,
                                       warmup => '0', state_mix => '{"pending": 1}', shapes => '{linear_3}');
SELECT (dataset->'row_counts'->>'tasks')::int AS tasks, dataset->'task_states' AS task_states,
       dataset->'shapes' AS shapes
  FROM tasker_bench.runs WHERE kind = 'scale' ORDER BY id DESC LIMIT 1;

-- bad input
\i sql/include/expect_error.sql
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{100}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{100,-1}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{100,100}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('no such case', sizes => '{10,20}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale(NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{10,20}', iterations => 0)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{10,20}', schema => 'public')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{10,20}', state_mix => '{"nope": 1}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_scale('get_next_ready_tasks/batch_1', sizes => '{10,20}', shapes => '{nope}')$$);
SELECT count(*) AS sweeps_after_bad_input FROM tasker_bench.scales;

DELETE FROM tasker_bench.scales;
DELETE FROM tasker_bench.runs WHERE kind = 'scale';
SELECT tasker_bench_teardown();
