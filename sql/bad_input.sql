-- Bad input: every user-facing function answers with an error that says
-- what was wrong (SQLSTATE, message, hint) and writes nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

CREATE TEMP TABLE counts_before AS
SELECT (SELECT count(*) FROM tasker_bench.runs) AS runs,
       (SELECT count(*) FROM tasker_bench.results) AS results,
       (SELECT count(*) FROM tasker_bench.cases) AS cases;

SELECT tasker_bench_register('bad/ok', 'SELECT 1', suite => 'bad');

-- tasker_bench_measure
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure(NULL, iterations => 10)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 0)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', iterations => -5)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', duration => '0')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', duration => '-1 s')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', duration => '3 days')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', duration => '1000 years')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', iterations => NULL, duration => NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', warmup => '-1 s')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELEC 1', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1; SELECT 2', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('VACUUM', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT * FROM no_such_table', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1', params => 'SELECT 1', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'SELECT 1 WHERE false', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'SELECT 1, 2', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'SELECT ''x''', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'SELEC', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'CREATE TABLE x (a int)', iterations => 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT $1::int', params => 'SELECT g FROM generate_series(1, 1000001) g', iterations => 1)$$);

-- tasker_bench_run
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run(NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('no such thing')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('bad', iterations => 0)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('bad', duration => NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('bad', warmup => '2 days')$$);

-- tasker_bench_register / unregister
SELECT pg_temp.err($$SELECT tasker_bench_register(NULL, 'SELECT 1')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('', 'SELECT 1')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', 'SELEC 1')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', 'SELECT 1; SELECT 2')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', 'SELECT $1', params => 'SELEC')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', 'SELECT 1', suite => NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('x', 'SELECT 1', category => 'fast')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('bad/ok', 'SELECT 2', suite => 'bad')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('bad', 'SELECT 2')$$);
SELECT pg_temp.err($$SELECT tasker_bench_register('y', 'SELECT 2', suite => 'bad/ok')$$);
SELECT pg_temp.err($$SELECT tasker_bench_unregister('no such case')$$);

-- a suite with one broken case fails before any case runs
SELECT tasker_bench_register('bad/broken', 'SELECT * FROM no_such_table', suite => 'bad');
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('bad', iterations => 10)$$);
SELECT tasker_bench_unregister('bad/broken');
SELECT tasker_bench_unregister('bad/ok');

-- nothing was written by any of it
SELECT (SELECT count(*) FROM tasker_bench.runs) - runs AS new_runs,
       (SELECT count(*) FROM tasker_bench.results) - results AS new_results,
       (SELECT count(*) FROM tasker_bench.cases) - cases AS new_cases
  FROM counts_before;

-- a statement that fails while running is recorded as a failed run (in a
-- transaction of its own, so the record survives the error), and the
-- error reaches the caller
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1 / (random() * 0)::int', iterations => 10, name => 'fails')$$);
SELECT kind, what, status, error, error_sqlstate, failed_case, cases_done
  FROM tasker_bench.runs WHERE status = 'failed' ORDER BY id DESC LIMIT 1;
SELECT count(*) AS results_of_failed_run FROM tasker_bench.results
 WHERE run_id = (SELECT max(id) FROM tasker_bench.runs WHERE status = 'failed');
-- the failure of a later iteration, after successful ones, too
CREATE TEMP SEQUENCE fail_seq;
SELECT pg_temp.err($$SELECT * FROM tasker_bench_measure('SELECT 1 / (100 - nextval(''fail_seq''))::int', iterations => 1000, warmup => '0', name => 'fails later')$$);
SELECT what, status, error FROM tasker_bench.runs WHERE status = 'failed' ORDER BY id DESC LIMIT 1;
-- earlier runs are untouched
SELECT count(*) FILTER (WHERE status = 'completed') = (SELECT runs FROM counts_before) AS earlier_runs_intact
  FROM tasker_bench.runs;
DELETE FROM tasker_bench.runs WHERE status = 'failed';
