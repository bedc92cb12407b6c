-- Concurrent clients (clients => N): N background workers run a case at
-- once; figures merged, per-client histograms, wait events, claims.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
\set VERBOSITY terse

-- bad clients values are refused before anything runs
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => 0);
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => -3);
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => 1000);
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => NULL);
SELECT * FROM tasker_bench_run('nonexistent', iterations => 10, clients => 0);
-- more than max_worker_processes (16 in the test cluster)
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => 64);
-- bad input of the case fails in the caller, before any worker starts
SELECT * FROM tasker_bench_measure('SELEC 1', iterations => 10, clients => 2);

SELECT tasker_bench_register('two_clients', 'SELECT 1');

-- two clients, 1000 iterations each: every figure merged
SELECT n, ops_per_s > 0 AS has_throughput
  FROM tasker_bench_measure('SELECT 1', iterations => 1000, warmup => '0', clients => 2, name => 'two');
SELECT c.clients, c.client_ops, c.min_client_ops, c.max_client_ops,
       cardinality(c.client_histograms) AS histograms,
       (SELECT sum(tasker_bench.hcount(h)) FROM unnest(c.client_histograms) h) = r.n AS merged,
       c.ops_per_s = r.ops_per_s AS total_throughput, c.wait_samples >= 0 AS sampled,
       c.wait_events ? 'by_class' AND c.wait_events ? 'by_event' AS wait_shape,
       c.claims_checked IS NULL AS read_only_no_claims, r.rolled_back, r.read_only,
       ru.settings->>'clients' AS settings_clients
  FROM tasker_bench.client_results c
  JOIN tasker_bench.results r USING (run_id, case_name)
  JOIN tasker_bench.runs ru ON ru.id = c.run_id
 WHERE c.case_name = 'two';

-- a failing client fails the run with its message and SQLSTATE
DO $$
BEGIN
    PERFORM * FROM tasker_bench_measure('SELECT 1 / (random() * 0)::int', iterations => 10, clients => 2);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'failed with % (%)', SQLERRM, SQLSTATE;
END $$;
SELECT status, error_sqlstate, error FROM tasker_bench.runs WHERE what LIKE 'SELECT 1 / (random()%';

-- writes: each client's iteration rolled back, the table unchanged
CREATE TABLE clients_t (x int);
SELECT n FROM tasker_bench_measure('INSERT INTO clients_t VALUES (1)', iterations => 200, warmup => '0',
                                   clients => 3, name => 'writes');
SELECT count(*) AS rows_left FROM clients_t;
SELECT claims_checked IS NOT NULL AS claims_tracked FROM tasker_bench.client_results WHERE case_name = 'writes';

-- four clients of get_next_ready_tasks(10) on a 5000-task fixture
SELECT tasker_bench_setup();
SELECT tasker_bench_fixture(5000) IS NOT NULL AS fixture;
CREATE TEMP TABLE fixture_before AS SELECT * FROM tasker_bench.table_checksums();
SELECT n > 0 AS ran FROM tasker_bench_run('get_next_ready_tasks/batch_10', iterations => 5, warmup => '0',
                                           clients => 4);
SELECT c.clients, cardinality(c.client_ops) AS per_client, c.min_client_ops,
       c.wait_samples > 0 AS sampled, (c.wait_events->'by_class') ? 'CPU' OR c.wait_samples = 0 AS classes,
       c.claims_checked > 0 AS claims_checked, c.claims_overlapped >= 0 AS claims_counted
  FROM tasker_bench.client_results c WHERE c.case_name = 'get_next_ready_tasks/batch_10';
SELECT count(*) AS tables_changed
  FROM (SELECT * FROM fixture_before EXCEPT SELECT * FROM tasker_bench.table_checksums()) x;
SELECT DISTINCT case_name, clients FROM tasker_bench_wait_events(
    (SELECT max(run_id) FROM tasker_bench.client_results));

-- a sweep over clients: one run per number of clients, throughput fitted against clients
SELECT case_name, client_count AS clients, n, growth IS NULL AS no_size_fit,
       clients_growth IS NOT NULL AS fitted, ops_per_s > 0 AS has_throughput
  FROM tasker_bench_scale('two_clients', clients => '{1,2}', iterations => 50, warmup => '0');
SELECT axis, sizes, clients, cardinality(run_ids) AS runs FROM tasker_bench.scales WHERE axis = 'clients';
SELECT * FROM tasker_bench_scale('two_clients', clients => '{2}');
SELECT * FROM tasker_bench_scale('two_clients', clients => '{2,2}');
SELECT * FROM tasker_bench_scale('two_clients', clients => '{1,65}');

-- cases with a params query: each client reads its parameter sets itself
-- (the worker needs an outer snapshot for that, as a SQL function call has)
SELECT params IS NOT NULL AS has_params FROM tasker_bench.cases
 WHERE name = 'get_step_readiness_status/sample_1';
SELECT n FROM tasker_bench_run('get_step_readiness_status/sample_1', iterations => 50, warmup => '0',
                               clients => 2);
SELECT size, client_count AS clients, n FROM tasker_bench_scale('get_step_readiness_status/sample_1', clients => '{1,2}',
                                                  iterations => 20, warmup => '0');
SELECT tasker_bench_register('params_clients', 'SELECT $1::int + $2::int',
                             params => 'SELECT g, g * 2 FROM generate_series(1, 10) g');
SELECT n FROM tasker_bench_run('params_clients', iterations => 100, warmup => '0', clients => 2);
SELECT clients, client_ops FROM tasker_bench.client_results WHERE case_name = 'params_clients';

-- a registered case with clients of its own, and the built-in suite tasker_concurrency
SELECT tasker_bench_register('own_clients', 'SELECT 1', clients => 0);
SELECT tasker_bench_register('own_clients', 'SELECT 1', clients => 3);
SELECT n FROM tasker_bench_run('own_clients', iterations => 100, warmup => '0');
SELECT clients, client_ops FROM tasker_bench.client_results WHERE case_name = 'own_clients';
SELECT name, clients, builtin FROM tasker_bench.cases WHERE suite = 'tasker_concurrency' ORDER BY name;

-- reports show what the clients did; an export carries it
SELECT count(*) AS report_lines
  FROM regexp_split_to_table(tasker_bench_report((SELECT run_id FROM tasker_bench.client_results
                                                   WHERE case_name = 'two')), E'\n') line
 WHERE line LIKE 'two: 2 clients, % ops/s in total, 1000..1000 iterations per client; waited (share of % samples): %';
SELECT jsonb_array_length(tasker_bench_export((SELECT run_id FROM tasker_bench.client_results
                                               WHERE case_name = 'two'))->'client_results') AS exported;

-- each client's own block medians, phases and counters are kept (client_detail, client 1 first)
SELECT n FROM tasker_bench_measure(
    'SELECT tasker_bench.phase(''first''), tasker_bench.count(''ops'', 2), tasker_bench.phase(''second'')',
    iterations => 60, warmup => '0', clients => 2, name => 'detail');
SELECT jsonb_array_length(c.client_detail) AS clients_detailed,
       array_agg((d->>'client')::int ORDER BY k) AS client,
       array_agg((d->>'n')::bigint ORDER BY k) AS n,
       bool_and(jsonb_array_length(d->'block_medians_ns') BETWEEN 1 AND 20
                AND jsonb_array_length(d->'probe_medians_ns') = jsonb_array_length(d->'block_medians_ns'))
           AS blocks,
       array_agg((SELECT string_agg(format('%s:%s', p->>'phase', p->>'n'), ',' ORDER BY pk)
                    FROM jsonb_array_elements(d->'phases') WITH ORDINALITY AS q(p, pk)) ORDER BY k) AS phases,
       array_agg(d->'counters'->>'ops' ORDER BY k) AS ops_per_call
  FROM tasker_bench.client_results c, jsonb_array_elements(c.client_detail) WITH ORDINALITY AS e(d, k)
 WHERE c.case_name = 'detail'
 GROUP BY c.client_detail;

-- parameter rotation: client k of N starts at set k * nsets / N, so 2 clients
-- of 2 iterations each use each of 4 parameter sets once (nextval is not rolled back)
SET tasker_bench.explain = off;
CREATE SEQUENCE rot_s1; CREATE SEQUENCE rot_s2; CREATE SEQUENCE rot_s3; CREATE SEQUENCE rot_s4;
SELECT n FROM tasker_bench_measure('SELECT nextval($1::regclass)',
                                   params => 'SELECT ''rot_s'' || g FROM generate_series(1, 4) g',
                                   iterations => 2, warmup => '0', clients => 2, name => 'rotation');
SELECT array_agg(coalesce(pg_sequence_last_value(('rot_s' || g)::regclass), 0) ORDER BY g) AS calls_per_set
  FROM generate_series(1, 4) g;
RESET tasker_bench.explain;

-- sizes and clients together: a fixture per size, then a run per number of
-- clients, each committed on its own, so the clients see the fixture (a
-- statement returning one row per task returns size rows a call)
SELECT tasker_bench_register('grid_tasks', 'SELECT 1 FROM tasks', search_path => '{schema}, public');
CREATE TEMP TABLE grid AS
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{60,30}', clients => '{2,1}', iterations => 20,
                                 warmup => '0');
-- (what the sweep committed is seen by the statements after it, not by the one that called it)
SELECT s.case_name, s.size, s.client_count, s.n, r.rows_per_call, s.growth IS NOT NULL AS size_fit,
       s.clients_growth IS NOT NULL AS clients_fit, s.ops_per_s > 0 AS has_throughput
  FROM grid s JOIN tasker_bench.results r USING (run_id, case_name)
 ORDER BY s.size, s.client_count;
SELECT s.axis, s.sizes, s.clients, cardinality(s.run_ids) AS runs,
       jsonb_object_keys(s.fits->'grid_tasks'->'clients') AS fitted_sizes,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s.fits->'grid_tasks'->'tasks') k) AS fitted_clients,
       (SELECT array_agg(status ORDER BY id) FROM tasker_bench.runs WHERE id = ANY (s.run_ids)) AS committed
  FROM tasker_bench.scales s WHERE s.axis = 'grid' ORDER BY 5;
-- one size is a sweep over clients on a fresh fixture
SELECT size, client_count, growth, clients_growth IS NOT NULL AS clients_fit
  FROM tasker_bench_scale('grid_tasks', sizes => '{40}', clients => '{1,2}', iterations => 10, warmup => '0');
-- invalid combinations are refused before anything runs
SELECT count(*) AS grids_before FROM tasker_bench.scales WHERE axis = 'grid';
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30}', clients => '{2}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{2,2}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{1,0}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,-60}', clients => '{1,2}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{1,16}');
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{1,2}', schema => 'public');
SELECT * FROM tasker_bench_scale('no such case', sizes => '{30,60}', clients => '{1,2}');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{1,2}');
ROLLBACK;
-- a transaction that read the tables would make the fixture's TRUNCATE wait for ever: refused
BEGIN;
SELECT count(*) > 0 AS read_tasks FROM tasker.tasks;
SELECT * FROM tasker_bench_scale('grid_tasks', sizes => '{30,60}', clients => '{1,2}', iterations => 5);
ROLLBACK;
SELECT count(*) AS grids_after FROM tasker_bench.scales WHERE axis = 'grid';

-- no client outlives its run
SELECT count(*) AS clients_left FROM pg_stat_activity
 WHERE backend_type IN ('tasker_bench client', 'tasker_bench scale sweep');
