-- Cases, suites and tasker_bench_run.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

CREATE TABLE run_items (id int PRIMARY KEY, grp int);
INSERT INTO run_items SELECT g, g % 10 FROM generate_series(1, 1000) g;

SELECT tasker_bench_register('items/by_id', 'SELECT * FROM run_items WHERE id = $1',
                             params => 'SELECT id FROM run_items ORDER BY id LIMIT 20', suite => 'items');
SELECT tasker_bench_register('items/by_grp', 'SELECT count(*) FROM run_items WHERE grp = $1',
                             params => 'SELECT DISTINCT grp FROM run_items ORDER BY 1', suite => 'items');
SELECT tasker_bench_register('items/all', 'SELECT count(*) FROM run_items', suite => 'items',
                             description => 'a full scan');
SELECT name, suite, params IS NOT NULL AS has_params, category, description FROM tasker_bench.cases WHERE NOT builtin ORDER BY name;

-- a suite runs every case, in name order, as one run
SELECT case_name, n FROM tasker_bench_run('items', iterations => 200, label => 'suite run');
SELECT kind, what, suite, label, status, cases_done FROM tasker_bench.runs ORDER BY id DESC LIMIT 1;
SELECT case_name, ordinal, suite, param_sets, rows_per_call FROM tasker_bench.results
 WHERE run_id = (SELECT max(id) FROM tasker_bench.runs) ORDER BY ordinal;

-- one case by name
SELECT case_name, n FROM tasker_bench_run('items/all', iterations => 10);

-- a duration budget
SELECT case_name, n > 0 AS ran FROM tasker_bench_run('items/by_id', duration => '100 ms', warmup => '10 ms');

-- replace
SELECT tasker_bench_register('items/all', 'SELECT count(*) FROM run_items WHERE id > 500', suite => 'items',
                             replace => true);
SELECT sql FROM tasker_bench.cases WHERE name = 'items/all';

-- unregister
SELECT tasker_bench_unregister('items/all');
SELECT count(*) FROM tasker_bench.cases WHERE NOT builtin;

SELECT tasker_bench_unregister('items/by_id');
SELECT tasker_bench_unregister('items/by_grp');
DROP TABLE run_items;
