-- The built-in cases: the suite 'tasker' of the seed plan's SQL function
-- benchmarks, covering every SQL function of tasker-core present in the
-- schema (by group: hot_path, staleness_dlq, analytics, summaries), the
-- lifecycle, notify and concurrent-client cases, and the samplers their params
-- queries use.
--
-- Built-in cases name their schema with the placeholder {schema} in
-- search_path ('{schema}, public'); a run replaces it with the schema it
-- measures (tasker_bench_run(..., schema => 'other'), tasker_bench_scale,
-- default tasker).  A case whose options carry "requires": [function, ...]
-- runs only where the schema has those functions (requires and group are the
-- case's own keys: the driver gets the options without them); in a suite, a
-- case whose function is missing is left out with a NOTICE (the reference
-- model lacks the staleness, DLQ, analytics and summary functions; a real
-- tasker-core database has them all), and the run's dataset lists it under
-- "skipped".

-- ---- the built-in suite 'tasker_concurrency' ----
-- N orchestrators discovering and claiming at once, and whole workflows
-- (orchestration and worker steps with the queue) run by 4 clients at once,
-- as tasker-core's cluster tier.  Need a fixture (tasker_bench_fixture) and,
-- for 8 clients, max_worker_processes of at least 8 free.
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

-- ---- sampling for the built-in suite (run with the tasker schema first on search_path) ----

-- n sampled tasks with steps, in a fixed order: round robin over the named
-- tasks (the seed's "diverse samples across named-task types"), each type
-- taking a different current state in turn, so the first samples cover
-- several types and states.  state limits the sample to one current state.
CREATE FUNCTION tasker_bench.sample_tasks(n integer, state text DEFAULT NULL)
RETURNS TABLE (ordinal integer, task_uuid uuid)
LANGUAGE sql STABLE AS $$
    WITH cur AS (
        SELECT t.task_uuid, t.created_at, nt.name,
               coalesce((SELECT tt.to_state FROM task_transitions tt
                          WHERE tt.task_uuid = t.task_uuid AND tt.most_recent), 'pending') AS st
          FROM tasks t
          JOIN named_tasks nt ON nt.named_task_uuid = t.named_task_uuid
         WHERE EXISTS (SELECT 1 FROM workflow_steps ws WHERE ws.task_uuid = t.task_uuid)
    ), filtered AS (
        SELECT * FROM cur WHERE state IS NULL OR st = state
    ), ranked AS (
        SELECT f.task_uuid,
               row_number() OVER (PARTITION BY f.name, f.st ORDER BY f.created_at, f.task_uuid) AS within_state,
               dense_rank() OVER (ORDER BY f.name) AS type_no,
               dense_rank() OVER (ORDER BY f.st) AS state_no,
               (SELECT count(DISTINCT st) FROM filtered) AS nstates
          FROM filtered f
    )
    SELECT (row_number() OVER (ORDER BY within_state, (state_no + type_no) % nstates, type_no))::integer,
           ranked.task_uuid
      FROM ranked
     ORDER BY within_state, (state_no + type_no) % nstates, type_no
     LIMIT n
$$;

COMMENT ON FUNCTION tasker_bench.sample_tasks(integer, text) IS
    'n tasks with steps of the tasker schema on the search_path, round robin over named tasks and states (params of the tasker suite)';

-- k-th of n steps for transitive dependencies: from each sampled task its
-- deepest step (most ancestors) and one from the middle, at most 2 per task.
-- With SET tasker_bench.sampler = tasker_core: from each sampled task its
-- first two steps by uuid, as tasker-core's benchmarks pick them (with
-- time-ordered ids, its first steps: roots, few or no ancestors).
CREATE FUNCTION tasker_bench.sample_steps(n integer)
RETURNS TABLE (ordinal integer, workflow_step_uuid uuid)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE first_two AS (
        SELECT st.ordinal AS task_no, f.workflow_step_uuid, f.r
          FROM tasker_bench.sample_tasks((n + 1) / 2) st
         CROSS JOIN LATERAL (SELECT ws.workflow_step_uuid,
                                    row_number() OVER (ORDER BY ws.workflow_step_uuid) AS r
                               FROM workflow_steps ws WHERE ws.task_uuid = st.task_uuid
                              ORDER BY ws.workflow_step_uuid LIMIT 2) f
         WHERE current_setting('tasker_bench.sampler', true) = 'tasker_core'
    ), s AS (
        SELECT st.ordinal AS task_no, ws.workflow_step_uuid
          FROM tasker_bench.sample_tasks((n + 1) / 2) st
          JOIN workflow_steps ws ON ws.task_uuid = st.task_uuid
    ), anc AS (
        SELECT s.workflow_step_uuid AS step, e.from_step_uuid AS ancestor, 1 AS depth
          FROM s JOIN workflow_step_edges e ON e.to_step_uuid = s.workflow_step_uuid
        UNION
        SELECT anc.step, e.from_step_uuid, anc.depth + 1
          FROM anc JOIN workflow_step_edges e ON e.to_step_uuid = anc.ancestor
         WHERE anc.depth < 50
    ), depth AS (
        SELECT s.task_no, s.workflow_step_uuid,
               (SELECT count(DISTINCT a.ancestor) FROM anc a WHERE a.step = s.workflow_step_uuid) AS ancestors
          FROM s
    ), ranked AS (
        SELECT d.*, row_number() OVER (PARTITION BY d.task_no ORDER BY d.ancestors DESC, d.workflow_step_uuid) AS r,
               count(*) OVER (PARTITION BY d.task_no) AS steps
          FROM depth d
    )
    SELECT (row_number() OVER (ORDER BY task_no, r))::integer, workflow_step_uuid
      FROM (SELECT task_no, r, workflow_step_uuid
              FROM ranked
             WHERE (r = 1 OR (r = (steps + 1) / 2 + 1 AND steps > 1))
               AND current_setting('tasker_bench.sampler', true) IS DISTINCT FROM 'tasker_core'
            UNION ALL
            SELECT task_no, r, workflow_step_uuid FROM first_two) x
     ORDER BY task_no, r
     LIMIT n
$$;

COMMENT ON FUNCTION tasker_bench.sample_steps(integer) IS
    'n workflow steps of the sampled tasks (the deepest and a middle one of each; tasker-core''s pick with tasker_bench.sampler = tasker_core)';

-- The params of transition_task_state_atomic/sample_k: the k-th of 5 sampled
-- pending tasks, round and round when the dataset has fewer (a mostly
-- finished dataset such as the after_tests preset has few pending tasks).
CREATE FUNCTION tasker_bench._cas_sample_params(k integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($p$SELECT task_uuid, 'pending'::varchar, 'initializing'::varchar,
                             '00000000-0000-7000-8000-000000000001'::uuid
                        FROM tasker_bench.sample_tasks(5, 'pending')
                       WHERE ordinal = (%s - 1) %% nullif((SELECT count(*) FROM tasker_bench.sample_tasks(5, 'pending')), 0) + 1$p$, k)
$$;

-- ---- the built-in suite 'tasker' ----
INSERT INTO tasker_bench.cases (name, suite, sql, params, search_path, category, description, builtin)
SELECT c.name, 'tasker', c.sql, c.params, '{schema}, public', 'sql', c.description, true
  FROM (
    SELECT format('get_next_ready_tasks/batch_%s', b) AS name,
           format('SELECT * FROM get_next_ready_tasks(%s)', b) AS sql,
           NULL AS params,
           format('Task discovery and claim, batch of %s (rolled back)', b) AS description
      FROM unnest(ARRAY[1, 10, 50, 100]) b
    UNION ALL
    SELECT format('get_step_readiness_status/sample_%s', k),
           'SELECT * FROM get_step_readiness_status($1)',
           format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k),
           format('Step readiness of sampled task %s of 5 (one per named task, in order)', k)
      FROM generate_series(1, 5) k
    UNION ALL
    SELECT 'get_step_readiness_status_batch/tasks_5',
           'SELECT * FROM get_step_readiness_status_batch($1)',
           'SELECT array_agg(task_uuid ORDER BY ordinal) FROM tasker_bench.sample_tasks(5)',
           'Step readiness of the 5 sampled tasks in one call'
    UNION ALL
    SELECT format('get_task_execution_context/sample_%s', k),
           'SELECT * FROM get_task_execution_context($1)',
           format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k),
           format('Execution context of sampled task %s of 5', k)
      FROM generate_series(1, 5) k
    UNION ALL
    SELECT 'get_task_execution_contexts_batch/tasks_5',
           'SELECT * FROM get_task_execution_contexts_batch($1)',
           'SELECT array_agg(task_uuid ORDER BY ordinal) FROM tasker_bench.sample_tasks(5)',
           'Execution contexts of the 5 sampled tasks in one call'
    UNION ALL
    SELECT format('get_step_transitive_dependencies/sample_%s', k),
           'SELECT * FROM get_step_transitive_dependencies($1)',
           format('SELECT workflow_step_uuid FROM tasker_bench.sample_steps(10) WHERE ordinal = %s', k),
           format('Ancestors of sampled step %s of 10 (two per task, the deepest first)', k)
      FROM generate_series(1, 10) k
    UNION ALL
    SELECT format('transition_task_state_atomic/sample_%s', k),
           'SELECT transition_task_state_atomic($1, $2, $3, $4)',
           tasker_bench._cas_sample_params(k),
           format('Compare-and-swap pending -> initializing on pending task %s of 5 (rolled back)', k)
      FROM generate_series(1, 5) k
  ) c;

-- ---- the cases added to the suite 'tasker' ----
-- Samples: tasker_bench.sample_tasks / sample_steps (above).
-- Writes (set_step_backoff_atomic, the live staleness sweep, DLQ entry,
-- stale-task transition) are rolled back.
CREATE FUNCTION tasker_bench._tasker_coverage_cases()
RETURNS TABLE (name text, sql text, params text, rollback boolean, description text, options jsonb)
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.name, c.sql, c.params, c.rollback, c.description,
           jsonb_build_object('requires', jsonb_build_array(split_part(c.name, '/', 1)),
                              'group', (SELECT f."group" FROM tasker_bench.tasker_functions() f
                                         WHERE f.function_name = split_part(c.name, '/', 1)))
      FROM (
        SELECT format('get_task_ready_info/sample_%s', k) AS name,
               'SELECT * FROM get_task_ready_info($1)' AS sql,
               format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k) AS params,
               NULL::boolean AS rollback,
               format('Ready info of sampled task %s of 5 (the orchestration lifecycle''s per-task check)', k) AS description
          FROM generate_series(1, 5) k
        UNION ALL
        SELECT format('calculate_dependency_levels/sample_%s', k),
               'SELECT * FROM calculate_dependency_levels($1)',
               format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k), NULL,
               format('Dependency level of every step of sampled task %s of 5 (viable step discovery)', k)
          FROM generate_series(1, 5) k
        UNION ALL
        SELECT format('get_current_task_state/sample_%s', k),
               'SELECT get_current_task_state($1)',
               format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k), NULL,
               format('Current state of sampled task %s of 5', k)
          FROM generate_series(1, 5) k
        UNION ALL
        SELECT 'get_next_ready_task/single', 'SELECT * FROM get_next_ready_task()', NULL, NULL,
               'Discovery and claim of one task (get_next_ready_tasks(1)), rolled back'
        UNION ALL
        SELECT format('set_step_backoff_atomic/sample_%s', k),
               'SELECT set_step_backoff_atomic($1, 30)',
               format('SELECT workflow_step_uuid FROM tasker_bench.sample_steps(5) WHERE ordinal = %s', k), true,
               format('Backoff of 30 s on sampled step %s of 5 (rolled back)', k)
          FROM generate_series(1, 5) k
        UNION ALL
        SELECT 'calculate_step_next_retry_time/fallback',
               $q$SELECT calculate_step_next_retry_time(NULL::integer, NULL::timestamp, localtimestamp - interval '5 seconds', 2)$q$,
               NULL, NULL, 'Next retry time by exponential backoff after a failure (helper of the readiness functions)'
        UNION ALL
        SELECT 'evaluate_step_state_readiness/pending',
               $q$SELECT evaluate_step_state_readiness('pending', false, false, true, true, true, NULL::timestamp)$q$,
               NULL, NULL, 'Readiness rule of one pending step (helper of the readiness functions)'
        UNION ALL
        SELECT 'uuid_generate_v7/one', 'SELECT uuid_generate_v7()', NULL, NULL,
               'A time-ordered id, the default of every id column'
        UNION ALL
        SELECT 'find_stuck_tasks/default', 'SELECT * FROM find_stuck_tasks()', NULL, NULL,
               'Claimed tasks in a processing state for over 10 minutes'
        UNION ALL
        SELECT 'get_stale_tasks_for_dlq/default', 'SELECT * FROM get_stale_tasks_for_dlq()', NULL, NULL,
               'Discovery of stale tasks beyond their thresholds (batch of 100)'
        UNION ALL
        SELECT 'detect_and_transition_stale_tasks/dry_run', 'SELECT * FROM detect_and_transition_stale_tasks(true)',
               NULL, true, 'Staleness sweep, dry run (reports what it would move)'
        UNION ALL
        SELECT 'detect_and_transition_stale_tasks/live', 'SELECT * FROM detect_and_transition_stale_tasks(false)',
               NULL, true, 'Staleness sweep: DLQ entries and transitions to error for up to 100 tasks (rolled back)'
        UNION ALL
        SELECT 'calculate_staleness_threshold/waiting_for_retry',
               $q$SELECT calculate_staleness_threshold('waiting_for_retry', '{}'::jsonb)$q$, NULL, NULL,
               'Staleness threshold of a state from the template configuration'
        UNION ALL
        SELECT 'create_dlq_entry/sample_1',
               $q$SELECT create_dlq_entry($1, 'tasker_bench', 'sample', $2, 45, 30)$q$,
               $q$SELECT st.task_uuid,
                         coalesce((SELECT tt.to_state FROM task_transitions tt
                                    WHERE tt.task_uuid = st.task_uuid AND tt.most_recent), 'pending')::varchar
                    FROM tasker_bench.sample_tasks(1) st$q$, true,
               'DLQ entry with its task snapshot for a sampled task (rolled back)'
        UNION ALL
        SELECT 'transition_stale_task_to_error/sample_1',
               $q$SELECT transition_stale_task_to_error($1, $2, 'tasker_bench', 'sample')$q$,
               $q$SELECT st.task_uuid,
                         coalesce((SELECT tt.to_state FROM task_transitions tt
                                    WHERE tt.task_uuid = st.task_uuid AND tt.most_recent), 'pending')::varchar
                    FROM tasker_bench.sample_tasks(1) st$q$, true,
               'A sampled task moved from its current state to error (rolled back)'
        UNION ALL
        SELECT 'get_analytics_metrics/last_hour', 'SELECT * FROM get_analytics_metrics()', NULL, NULL,
               'System analytics of the last hour'
        UNION ALL
        SELECT 'get_system_health_counts/all', 'SELECT * FROM get_system_health_counts()', NULL, NULL,
               'Task and step counts per current state'
        UNION ALL
        SELECT 'get_slowest_steps/default', 'SELECT * FROM get_slowest_steps()', NULL, NULL,
               'The 10 slowest completed steps of the last 24 hours'
        UNION ALL
        SELECT 'get_slowest_tasks/default', 'SELECT * FROM get_slowest_tasks()', NULL, NULL,
               'The 10 slowest finished tasks of the last 24 hours'
        UNION ALL
        SELECT 'get_slowest_steps_aggregated/default', 'SELECT * FROM get_slowest_steps_aggregated()', NULL, NULL,
               'Step durations per template step (bottleneck analysis)'
        UNION ALL
        SELECT 'get_slowest_tasks_aggregated/default', 'SELECT * FROM get_slowest_tasks_aggregated()', NULL, NULL,
               'Task durations per template (bottleneck analysis)'
        UNION ALL
        SELECT format('get_task_summary/sample_%s', k), 'SELECT * FROM get_task_summary($1)',
               format('SELECT task_uuid FROM tasker_bench.sample_tasks(5) WHERE ordinal = %s', k), NULL,
               format('Summary (steps, execution context, DLQ status) of sampled task %s of 5', k)
          FROM generate_series(1, 5) k
        UNION ALL
        SELECT 'get_task_summaries/tasks_5', 'SELECT * FROM get_task_summaries($1)',
               'SELECT array_agg(task_uuid ORDER BY ordinal) FROM tasker_bench.sample_tasks(5)', NULL,
               'Summaries of the 5 sampled tasks in one call'
      ) c
$$;

-- Brings the built-in rows of the suites up to date: the cases above added,
-- every case of the suite tasker given its function and group, and the
-- built-in cases' schema made a placeholder ({schema}).  Run at install and
-- by the 0.1 -> 0.2 upgrade (upgrade/0.1--0.2/15-tasker-coverage.sql).
CREATE FUNCTION tasker_bench._refresh_tasker_cases() RETURNS void
LANGUAGE sql AS $$
    INSERT INTO tasker_bench.cases (name, suite, sql, params, search_path, rollback, category, options,
                                    description, builtin)
    SELECT c.name, 'tasker', c.sql, c.params, '{schema}, public', c.rollback, 'sql', c.options,
           c.description, true
      FROM tasker_bench._tasker_coverage_cases() c
    ON CONFLICT (name) DO NOTHING;
    UPDATE tasker_bench.cases c
       SET options = coalesce(c.options, '{}')
                     || jsonb_build_object('requires', jsonb_build_array(split_part(c.name, '/', 1)),
                                           'group', f."group")
      FROM tasker_bench.tasker_functions() f
     WHERE c.builtin AND c.suite = 'tasker' AND f.function_name = split_part(c.name, '/', 1)
       AND NOT coalesce(c.options, '{}') ? 'requires';
    UPDATE tasker_bench.cases c SET search_path = '{schema}, public'
     WHERE c.builtin AND c.search_path = 'tasker, public';
    UPDATE tasker_bench.cases c
       SET params = tasker_bench._cas_sample_params(substring(c.name FROM '_([0-9]+)$')::integer)
     WHERE c.builtin AND c.name ~ '^transition_task_state_atomic/sample_[0-9]+$';
$$;

SELECT tasker_bench._refresh_tasker_cases();

-- ---------------------------------------------------------------------------
-- The lifecycle cases (suite 'lifecycle'; the notify cases join it too)
-- ---------------------------------------------------------------------------

-- The queue (pgmq or the model) is chosen once per run: by the params query,
-- which the runner runs once before measuring, its answer passed to every call.
INSERT INTO tasker_bench.cases (name, suite, sql, params, search_path, rollback, category, description, builtin)
SELECT k.kind || '/' || s.shape, 'lifecycle', format(k.stmt, s.shape),
       CASE WHEN k.queue THEN format('SELECT tasker_bench.lifecycle_queue(%L)', s.shape) END,
       '{schema}, public', true, k.category, format(k.descr, s.shape), true
  FROM unnest(ARRAY['linear4', 'diamond4', 'complex_dag7', 'tree8', 'conditional5', 'batch7']) s(shape)
 CROSS JOIN (VALUES
    ('task_init', 'SELECT tasker_bench.lifecycle_task_init(%L)', false, 'lifecycle',
     'Task initialization of a %s workflow: task, steps, edges, named-task links, initial transitions (rolled back)'),
    ('e2e', 'SELECT tasker_bench.lifecycle_e2e(%L, $1)', true, 'e2e',
     'A whole %s workflow in the database, step by step, with the queue (pgmq when installed with the queues, else the model) and a no-op handler; phases in phase_results, db_ops and steps in counters (rolled back)'),
    ('orchestration_cycle', 'SELECT tasker_bench.lifecycle_orchestration_cycle(%L, $1)', true, 'lifecycle',
     'Orchestration cycle of a new %s task: phases discovery, enqueue, message_send after the phase setup (rolled back)'),
    ('worker_cycle', 'SELECT tasker_bench.lifecycle_worker_cycle(%L, $1)', true, 'lifecycle',
     'Worker cycle of the first step of a %s task: phases worker_claim, worker_transition, handler, result_submission after the phase setup (rolled back)')
 ) k(kind, stmt, queue, category, descr);

INSERT INTO tasker_bench.cases (name, suite, sql, category, driver, options, description, builtin)
VALUES
    ('notify/pg_notify_0b', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 0}',
     'LISTEN/NOTIFY latency, empty payload: sender''s commit returned -> listener holds the notification', true),
    ('notify/pg_notify_1kb', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 1024}',
     'LISTEN/NOTIFY latency, 1 KB payload', true),
    ('notify/pg_notify_7900b', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 7900}',
     'LISTEN/NOTIFY latency, 7900-byte payload (PostgreSQL''s limit is 8000)', true),
    ('notify/send_with_notify_0b', 'lifecycle', '', 'lifecycle', 'notify',
     '{"mode": "send_with_notify", "sender": "auto", "queue": "tasker_bench_notify", "payload_bytes": 0}',
     'Queue message and its notification in one transaction: tasker-core''s pgmq_send_with_notify when pgmq has the queue, else tasker_bench''s model of it; send -> listener holds the notification on pgmq_message_ready.<namespace>; the message is deleted after each iteration', true);
