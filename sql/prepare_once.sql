-- A case is prepared once per run: validation, the measurement and the
-- EXPLAIN share one prepared statement and its parameter sets
-- (src/target.c); tasker_bench._prepare_count() counts the preparations
-- of this session and the prepared cases a run keeps.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
SET tasker_bench.explain = on;

-- internal: not for PUBLIC
SELECT has_function_privilege('public', 'tasker_bench._prepare_count()', 'EXECUTE') AS public_may;

CREATE TABLE once_items (id int PRIMARY KEY, grp int);
INSERT INTO once_items SELECT g, g % 10 FROM generate_series(1, 100) g;
-- counts how often the params query runs (its initplan once per execution)
CREATE SEQUENCE once_params_runs;
SELECT tasker_bench_register('once/by_id', 'SELECT * FROM once_items WHERE id = $1',
                             params => 'SELECT id FROM once_items WHERE id <= 5 AND (SELECT nextval(''once_params_runs'')) > 0 ORDER BY id',
                             suite => 'once');
SELECT tasker_bench_register('once/count', 'SELECT count(*) FROM once_items', suite => 'once');

-- a two-case run: one preparation per case (validation; the measurement and
-- the EXPLAIN take the prepared case) and one of the machine-speed probe
-- (src/runner.c), which every measurement of the run shares; the params
-- query once; nothing kept after the run
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT case_name, n FROM tasker_bench_run('once', iterations => 50, warmup => '0');
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();
SELECT last_value AS params_query_runs FROM once_params_runs;
SELECT case_name, param_sets, jsonb_typeof(explain->0->'Plan') = 'object' AS explained
  FROM tasker_bench.results WHERE run_id = (SELECT max(id) FROM tasker_bench.runs) ORDER BY ordinal;

-- a second run in the same session prepares afresh, once per case and the probe
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT case_name, n FROM tasker_bench_run('once', iterations => 20, warmup => '0');
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();
SELECT last_value AS params_query_runs FROM once_params_runs;

-- outside a run nothing is kept: every call prepares
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT tasker_bench._validate('SELECT 1', NULL), tasker_bench._validate('SELECT 1', NULL);
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();

-- an A/B run: each statement prepared once for its validation, every round and
-- its EXPLAIN, and the probe once
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT rounds FROM tasker_bench_ab('SELECT count(*) FROM once_items', 'SELECT count(id) FROM once_items',
                                   rounds => 3, iterations => 20, warmup => '0');
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();

-- a case that fails its checks still reports against its own statement
SELECT tasker_bench_register('once_bad/nocol', 'SELECT nocol FROM once_items', suite => 'once_bad');
\set VERBOSITY default
SELECT * FROM tasker_bench_run('once_bad/nocol', iterations => 10, warmup => '0');
\set VERBOSITY terse
SELECT kept FROM tasker_bench._prepare_count();

-- a run aborted by an error of its statement (division by zero at id 3)
-- leaves no prepared case behind, at the top level ...
SELECT tasker_bench_register('once_fail/div', 'SELECT 1 / (id - 3) FROM once_items WHERE id = $1',
                             params => 'SELECT id FROM once_items WHERE id <= 5 ORDER BY id', suite => 'once_fail');
SELECT * FROM tasker_bench_run('once_fail', iterations => 50, warmup => '0');
SELECT kept FROM tasker_bench._prepare_count();
-- ... and in a subtransaction that catches the error
DO $$
BEGIN
    PERFORM tasker_bench_run('once_fail', iterations => 50, warmup => '0');
EXCEPTION WHEN division_by_zero THEN
    RAISE WARNING 'the run failed: %', SQLERRM;
END
$$;
SELECT kept FROM tasker_bench._prepare_count();
-- and the next run works
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT case_name, n FROM tasker_bench_run('once', iterations => 20, warmup => '0');
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();

-- concurrent clients: the caller prepares the case once (the clients, being
-- background workers, prepare it and the probe in their own backends)
SELECT prepares AS before FROM tasker_bench._prepare_count() \gset
SELECT case_name, n FROM tasker_bench_run('once/count', iterations => 20, warmup => '0', clients => 2);
SELECT prepares - :before AS prepares, kept FROM tasker_bench._prepare_count();

SELECT tasker_bench_unregister(name) FROM tasker_bench.cases
 WHERE name IN ('once/by_id', 'once/count', 'once_bad/nocol', 'once_fail/div') ORDER BY name;
DROP TABLE once_items;
DROP SEQUENCE once_params_runs;
