-- Issue 16: concurrent clients (clients => N).
-- The functions, types and comments of sql_src/55_clients.sql are re-created
-- by the generated part of the upgrade; here: the table, and the old
-- signatures that gained a clients argument (or an OUT column) dropped.

DROP FUNCTION IF EXISTS @extschema@.tasker_bench_run(text, bigint, interval, interval, text, boolean);
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_measure(text, text, bigint, interval, interval, text, boolean, text, text);
DROP PROCEDURE IF EXISTS @extschema@.tasker_bench_run_suite(text, bigint, interval, interval, text, text);
DROP FUNCTION IF EXISTS tasker_bench._measure_case(bigint, tasker_bench.cases, integer, integer, bigint,
                                                   interval, interval, boolean);
DROP FUNCTION IF EXISTS tasker_bench._store_case(tasker_bench.results, tasker_bench.phase_results[], jsonb);
DROP FUNCTION IF EXISTS tasker_bench._execute(text, text, text, tasker_bench.cases[], bigint, interval,
                                              interval, text, boolean);

CREATE TABLE tasker_bench.client_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    clients     integer NOT NULL CHECK (clients >= 1),
    ops_per_s   float8 NOT NULL,
    min_client_ops bigint NOT NULL,
    max_client_ops bigint NOT NULL,
    client_ops  bigint[] NOT NULL,
    client_histograms tasker_bench.histogram[] NOT NULL,
    wait_samples bigint NOT NULL,
    wait_events jsonb NOT NULL,
    claims_checked bigint,
    claims_overlapped bigint,
    run_by      name NOT NULL DEFAULT current_user,
    client_detail jsonb,
    PRIMARY KEY (run_id, case_name),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);
COMMENT ON TABLE tasker_bench.client_results IS
    'Per case run with clients => N: total throughput, fairness, per-client histograms, wait-event shares, claims that overlapped';
COMMENT ON COLUMN tasker_bench.client_results.ops_per_s IS
    'Total throughput: the sum over the clients of their measured iterations per second of their measured time';
COMMENT ON COLUMN tasker_bench.client_results.wait_events IS
    'Shares (0..1) of the samples of the clients'' wait_event_info, every interval_ms ms of the measured phase: by_class (CPU = not waiting, LWLock, Lock, IO, IPC, ...) and by_event (class:name)';
COMMENT ON COLUMN tasker_bench.client_results.client_detail IS
    'One object per client (client 1 first): its n, wall_s, p50_us, p99_us, block_medians_ns and probe_medians_ns (raw ns, one per block of its measured phase), phases ([{phase, n, mean_us, p50_us, p95_us, p99_us}]) and counters (per call)';
COMMENT ON COLUMN tasker_bench.client_results.claims_overlapped IS
    'Rows returned to more than one client by iterations that overlapped in time (keyed by the first column); NULL for a read-only case';
ALTER TABLE tasker_bench.client_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_results_own ON tasker_bench.client_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.client_results', '');

-- the clients a case runs with, and the built-in suite 'tasker_concurrency'
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_register(text, text, text, text, text, boolean, text, float8, text, boolean);
ALTER TABLE tasker_bench.cases ADD COLUMN clients integer CHECK (clients BETWEEN 1 AND 64);
INSERT INTO tasker_bench.cases (name, suite, sql, search_path, rollback, category, description, builtin, clients)
SELECT format('get_next_ready_tasks/batch_10/clients_%s', n), 'tasker_concurrency',
       'SELECT * FROM get_next_ready_tasks(10)', '{schema}, public', NULL, 'sql',
       format('%s orchestrators discovering and claiming a batch of 10 at once (rolled back)', n), true, n
  FROM unnest(ARRAY[2, 4, 8]) n
UNION ALL
SELECT 'e2e/diamond4/clients_4', 'tasker_concurrency', 'SELECT tasker_bench.lifecycle_e2e(''diamond4'')',
       '{schema}, public', true, 'e2e',
       'Whole diamond4 workflows run by 4 clients at once: orchestration and worker steps with the queue (rolled back)',
       true, 4;

-- tasker_bench_scale(clients => '{1,2,4,8}'): sweeps of concurrent clients
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_scale(text, integer[], bigint, interval, interval, text, integer, text,
                                           boolean, jsonb, text[]);
ALTER TABLE tasker_bench.scales ADD COLUMN axis text NOT NULL DEFAULT 'tasks' CHECK (axis IN ('tasks', 'clients', 'grid'));
-- tasker_bench_scale(sizes => ..., clients => ...): every (size, clients) pair
ALTER TABLE tasker_bench.scales ADD COLUMN clients integer[];
