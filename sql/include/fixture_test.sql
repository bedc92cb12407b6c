-- tasker_bench fixture test.
--
-- Run with psql after the reference model is loaded into schema tasker and
-- tasker_bench's functions are installed:
--     psql -X -v ON_ERROR_STOP=1 -f sql/include/fixture_test.sql
-- The output is deterministic (counts, states, SQLSTATEs; no ids, no times):
-- diff it against the expected output.  The fixture's progress NOTICEs are
-- suppressed (client_min_messages = warning); the bad-input checks catch
-- each error in a DO block and list its SQLSTATE and message.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET search_path = tasker, public;

-- ---------------------------------------------------------------------------
-- Invariants of a fixture in schema tasker: one row per rule, the number of
-- rows breaking it (0 expected).
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.fixture_checks()
RETURNS TABLE (rule text, violations bigint)
LANGUAGE sql
AS $$
WITH tcur AS (
    SELECT t.task_uuid, t.complete, t.completed_at, tt.to_state AS st, tt.processor_uuid
      FROM tasker.tasks t
      LEFT JOIN tasker.task_transitions tt ON tt.task_uuid = t.task_uuid AND tt.most_recent
),
scur AS (
    SELECT s.workflow_step_uuid, s.task_uuid, s.processed, s.processed_at, s.in_process, s.attempts,
           s.last_attempted_at, s.backoff_request_seconds, s.retryable, s.max_attempts, tr.to_state AS st
      FROM tasker.workflow_steps s
      LEFT JOIN tasker.workflow_step_transitions tr
             ON tr.workflow_step_uuid = s.workflow_step_uuid AND tr.most_recent
),
per_task AS (
    SELECT tc.task_uuid, tc.st,
           count(*) AS n,
           count(*) FILTER (WHERE sc.st = 'complete') AS n_complete,
           count(*) FILTER (WHERE sc.st = 'pending') AS n_pending,
           count(*) FILTER (WHERE sc.st = 'enqueued') AS n_enqueued,
           count(*) FILTER (WHERE sc.st IN ('enqueued', 'in_progress', 'enqueued_for_orchestration')) AS n_flight,
           count(*) FILTER (WHERE sc.st = 'waiting_for_retry') AS n_wfr,
           count(*) FILTER (WHERE sc.st = 'waiting_for_retry' AND sc.attempts BETWEEN 1 AND 2
                              AND sc.last_attempted_at IS NOT NULL
                              AND sc.backoff_request_seconds IS NOT NULL) AS n_wfr_ok,
           count(*) FILTER (WHERE sc.st = 'error') AS n_error,
           count(*) FILTER (WHERE sc.st = 'resolved_manually') AS n_resolved,
           count(*) FILTER (WHERE sc.st IN ('complete', 'cancelled')) AS n_closed
      FROM tcur tc JOIN scur sc ON sc.task_uuid = tc.task_uuid
     GROUP BY tc.task_uuid, tc.st
)
SELECT 'task: exactly one most_recent transition', count(*)
  FROM (SELECT t.task_uuid FROM tasker.tasks t
          LEFT JOIN tasker.task_transitions tt ON tt.task_uuid = t.task_uuid
         GROUP BY t.task_uuid HAVING count(*) FILTER (WHERE tt.most_recent) <> 1) x
UNION ALL
SELECT 'step: exactly one most_recent transition', count(*)
  FROM (SELECT s.workflow_step_uuid FROM tasker.workflow_steps s
          LEFT JOIN tasker.workflow_step_transitions tr ON tr.workflow_step_uuid = s.workflow_step_uuid
         GROUP BY s.workflow_step_uuid HAVING count(*) FILTER (WHERE tr.most_recent) <> 1) x
UNION ALL
SELECT 'task: sort_key 1..n, most_recent on n', count(*)
  FROM (SELECT task_uuid FROM tasker.task_transitions GROUP BY task_uuid
         HAVING min(sort_key) <> 1 OR max(sort_key) <> count(*) OR count(DISTINCT sort_key) <> count(*)
             OR max(sort_key) FILTER (WHERE most_recent) IS DISTINCT FROM max(sort_key)) x
UNION ALL
SELECT 'step: sort_key 1..n, most_recent on n', count(*)
  FROM (SELECT workflow_step_uuid FROM tasker.workflow_step_transitions GROUP BY workflow_step_uuid
         HAVING min(sort_key) <> 1 OR max(sort_key) <> count(*) OR count(DISTINCT sort_key) <> count(*)
             OR max(sort_key) FILTER (WHERE most_recent) IS DISTINCT FROM max(sort_key)) x
UNION ALL
SELECT 'task: from_state = previous to_state', count(*)
  FROM tasker.task_transitions a
  LEFT JOIN tasker.task_transitions b ON b.task_uuid = a.task_uuid AND b.sort_key = a.sort_key - 1
 WHERE a.from_state IS DISTINCT FROM b.to_state
UNION ALL
SELECT 'step: from_state = previous to_state', count(*)
  FROM tasker.workflow_step_transitions a
  LEFT JOIN tasker.workflow_step_transitions b
         ON b.workflow_step_uuid = a.workflow_step_uuid AND b.sort_key = a.sort_key - 1
 WHERE a.from_state IS DISTINCT FROM b.to_state
UNION ALL
SELECT 'task: transitions in time order', count(*)
  FROM tasker.task_transitions a
  JOIN tasker.task_transitions b ON b.task_uuid = a.task_uuid AND b.sort_key = a.sort_key + 1
 WHERE b.created_at < a.created_at
UNION ALL
SELECT 'step: transitions in time order', count(*)
  FROM tasker.workflow_step_transitions a
  JOIN tasker.workflow_step_transitions b
    ON b.workflow_step_uuid = a.workflow_step_uuid AND b.sort_key = a.sort_key + 1
 WHERE b.created_at < a.created_at
UNION ALL
SELECT 'task transition allowed by the task state machine', count(*)
  FROM tasker.task_transitions
 WHERE (coalesce(from_state, '-'), to_state) NOT IN (
        ('-', 'pending'), ('pending', 'initializing'), ('initializing', 'enqueuing_steps'),
        ('enqueuing_steps', 'steps_in_process'), ('steps_in_process', 'evaluating_results'),
        ('steps_in_process', 'waiting_for_retry'), ('evaluating_results', 'enqueuing_steps'),
        ('evaluating_results', 'waiting_for_dependencies'), ('evaluating_results', 'complete'),
        ('evaluating_results', 'blocked_by_failures'), ('waiting_for_retry', 'enqueuing_steps'),
        ('blocked_by_failures', 'error'), ('blocked_by_failures', 'resolved_manually'),
        ('pending', 'cancelled'), ('steps_in_process', 'cancelled'))
UNION ALL
SELECT 'step transition allowed by the step state machine', count(*)
  FROM tasker.workflow_step_transitions
 WHERE (coalesce(from_state, '-'), to_state) NOT IN (
        ('-', 'pending'), ('pending', 'enqueued'), ('enqueued', 'in_progress'),
        ('in_progress', 'enqueued_for_orchestration'), ('enqueued_for_orchestration', 'complete'),
        ('in_progress', 'enqueued_as_error_for_orchestration'),
        ('enqueued_as_error_for_orchestration', 'waiting_for_retry'),
        ('enqueued_as_error_for_orchestration', 'error'), ('waiting_for_retry', 'pending'),
        ('pending', 'cancelled'), ('error', 'resolved_manually'))
UNION ALL
SELECT 'complete task: all steps complete, complete flag and completed_at', count(*)
  FROM per_task p JOIN tcur tc USING (task_uuid)
 WHERE (p.st = 'complete') <> (p.n_complete = p.n AND tc.complete AND tc.completed_at IS NOT NULL)
    OR (p.st <> 'complete' AND (tc.complete OR tc.completed_at IS NOT NULL))
UNION ALL
SELECT 'pending/initializing task: all steps pending', count(*)
  FROM per_task WHERE st IN ('pending', 'initializing') AND n_pending <> n
UNION ALL
SELECT 'enqueuing_steps task: one step enqueued', count(*)
  FROM per_task WHERE st = 'enqueuing_steps' AND n_enqueued <> 1
UNION ALL
SELECT 'steps_in_process task: a step enqueued/in_progress/enqueued_for_orchestration', count(*)
  FROM per_task WHERE st = 'steps_in_process' AND n_flight = 0
UNION ALL
SELECT 'waiting_for_retry task: one step waiting_for_retry with attempts, last_attempted_at, backoff', count(*)
  FROM per_task WHERE st = 'waiting_for_retry' AND (n_wfr <> 1 OR n_wfr_ok <> 1)
UNION ALL
SELECT 'waiting_for_retry step only in a waiting_for_retry task', count(*)
  FROM per_task WHERE st <> 'waiting_for_retry' AND n_wfr > 0
UNION ALL
SELECT 'blocked_by_failures/error task: one step in error', count(*)
  FROM per_task WHERE st IN ('blocked_by_failures', 'error') AND n_error <> 1
UNION ALL
SELECT 'error step only in a blocked_by_failures/error task', count(*)
  FROM per_task WHERE st NOT IN ('blocked_by_failures', 'error') AND n_error > 0
UNION ALL
SELECT 'resolved_manually task: one step resolved_manually', count(*)
  FROM per_task WHERE st = 'resolved_manually' AND n_resolved <> 1
UNION ALL
SELECT 'cancelled task: every step complete or cancelled', count(*)
  FROM per_task WHERE st = 'cancelled' AND n_closed <> n
UNION ALL
SELECT 'step started only after all its parents completed', count(*)
  FROM tasker.workflow_step_edges e
  JOIN scur c ON c.workflow_step_uuid = e.to_step_uuid
  JOIN scur p ON p.workflow_step_uuid = e.from_step_uuid
 WHERE c.st NOT IN ('pending', 'cancelled') AND p.st NOT IN ('complete', 'resolved_manually')
UNION ALL
SELECT 'step flags match state (processed, in_process, attempts, retryable)', count(*)
  FROM scur
 WHERE processed <> (st IN ('complete', 'resolved_manually'))
    OR (processed_at IS NOT NULL) <> processed
    OR in_process <> (st IN ('enqueued', 'in_progress', 'enqueued_for_orchestration'))
    OR (attempts > 0) <> (last_attempted_at IS NOT NULL)
    OR attempts > max_attempts
    OR (st = 'pending' AND attempts <> 0)
UNION ALL
SELECT 'claimed states carry a processor_uuid, others none', count(*)
  FROM tcur
 WHERE (processor_uuid IS NOT NULL)
       <> (st IN ('initializing', 'enqueuing_steps', 'steps_in_process', 'evaluating_results'))
UNION ALL
SELECT 'edge endpoints exist and belong to one task', count(*)
  FROM tasker.workflow_step_edges e
  LEFT JOIN tasker.workflow_steps a ON a.workflow_step_uuid = e.from_step_uuid
  LEFT JOIN tasker.workflow_steps b ON b.workflow_step_uuid = e.to_step_uuid
 WHERE a.task_uuid IS NULL OR b.task_uuid IS NULL OR a.task_uuid <> b.task_uuid
UNION ALL
SELECT 'rows point at existing parents (steps, transitions, tasks)', (
       (SELECT count(*) FROM tasker.workflow_steps s
         WHERE NOT EXISTS (SELECT 1 FROM tasker.tasks t WHERE t.task_uuid = s.task_uuid)
            OR NOT EXISTS (SELECT 1 FROM tasker.named_steps n WHERE n.named_step_uuid = s.named_step_uuid))
     + (SELECT count(*) FROM tasker.task_transitions tt
         WHERE NOT EXISTS (SELECT 1 FROM tasker.tasks t WHERE t.task_uuid = tt.task_uuid))
     + (SELECT count(*) FROM tasker.workflow_step_transitions tr
         WHERE NOT EXISTS (SELECT 1 FROM tasker.workflow_steps s WHERE s.workflow_step_uuid = tr.workflow_step_uuid))
     + (SELECT count(*) FROM tasker.tasks t
         WHERE NOT EXISTS (SELECT 1 FROM tasker.named_tasks n WHERE n.named_task_uuid = t.named_task_uuid)))
UNION ALL
SELECT 'audit: one row per worker result transition, right task', (
       (SELECT count(*) FROM tasker.workflow_step_transitions tr
         WHERE tr.to_state IN ('enqueued_for_orchestration', 'enqueued_as_error_for_orchestration')
           AND (SELECT count(*) FROM tasker.workflow_step_result_audit au
                 WHERE au.workflow_step_transition_uuid = tr.workflow_step_transition_uuid) <> 1)
     + (SELECT count(*) FROM tasker.workflow_step_result_audit au
         WHERE NOT EXISTS (SELECT 1 FROM tasker.workflow_step_transitions tr
                             JOIN tasker.workflow_steps s ON s.workflow_step_uuid = tr.workflow_step_uuid
                            WHERE tr.workflow_step_transition_uuid = au.workflow_step_transition_uuid
                              AND tr.workflow_step_uuid = au.workflow_step_uuid
                              AND s.task_uuid = au.task_uuid
                              AND au.success = (tr.to_state = 'enqueued_for_orchestration'))))
$$;

-- ---------------------------------------------------------------------------
-- 1. 200 tasks per shape: row counts, and every invariant holds
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE shape_counts (shape text, counts jsonb);
CREATE TEMP TABLE shape_checks (shape text, rule text, violations bigint);
DO $$
DECLARE
    s text;
    d jsonb;
BEGIN
    FOREACH s IN ARRAY ARRAY['linear4', 'diamond4', 'complex_dag7', 'tree8', 'linear_10', 'fanout_8'] LOOP
        d := tasker_bench_fixture(200, ARRAY[s], seed => 7);
        INSERT INTO shape_counts VALUES (s, d -> 'row_counts');
        INSERT INTO shape_checks SELECT s, c.rule, c.violations FROM pg_temp.fixture_checks() c;
    END LOOP;
END
$$;

SELECT shape,
       (counts ->> 'task_namespaces')::int AS namespaces,
       (counts ->> 'named_tasks')::int AS named_tasks,
       (counts ->> 'named_steps')::int AS named_steps,
       (counts ->> 'named_tasks_named_steps')::int AS ntns,
       (counts ->> 'tasks')::int AS tasks,
       (counts ->> 'workflow_steps')::int AS steps,
       (counts ->> 'workflow_step_edges')::int AS edges,
       (counts ->> 'task_transitions')::int AS task_tr,
       (counts ->> 'workflow_step_transitions')::int AS step_tr,
       (counts ->> 'workflow_step_result_audit')::int AS audit
  FROM shape_counts ORDER BY shape;

SELECT count(*) AS checks_run, count(*) FILTER (WHERE violations <> 0) AS checks_failed
  FROM shape_checks;
SELECT shape, rule, violations FROM shape_checks WHERE violations <> 0 ORDER BY shape, rule;

-- ---------------------------------------------------------------------------
-- 2. The default fixture (four named shapes, default state mix), 1000 tasks
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE d1 AS SELECT tasker_bench_fixture(1000) AS d;

SELECT key AS table_name, value::bigint AS row_count
  FROM d1, jsonb_each_text(d -> 'row_counts') ORDER BY key;
SELECT key AS task_state, value::bigint AS tasks
  FROM d1, jsonb_each_text(d -> 'task_states') ORDER BY key;
SELECT key AS step_state, value::bigint AS steps
  FROM d1, jsonb_each_text(d -> 'step_states') ORDER BY key;
SELECT key AS named_task, value::bigint AS tasks
  FROM d1, jsonb_each_text(d -> 'shapes') ORDER BY key;
SELECT rule, violations FROM pg_temp.fixture_checks() ORDER BY rule;

-- what the fixture puts in front of the discovery function
SELECT count(*) AS next_ready_tasks_10 FROM get_next_ready_tasks(10);
SELECT count(*) FILTER (WHERE cur.to_state = 'pending') > 0 AS has_pending,
       count(*) FILTER (WHERE cur.to_state = 'waiting_for_dependencies'
                          AND cur.created_at > now() - interval '60 minutes') > 0 AS has_fresh_wfd,
       count(*) FILTER (WHERE cur.to_state = 'waiting_for_dependencies'
                          AND cur.created_at < now() - interval '61 minutes') > 0 AS has_stale_wfd,
       count(*) FILTER (WHERE cur.to_state = 'waiting_for_retry'
                          AND cur.created_at > now() - interval '30 minutes') > 0 AS has_fresh_wfr,
       count(*) FILTER (WHERE cur.to_state = 'waiting_for_retry'
                          AND cur.created_at < now() - interval '31 minutes') > 0 AS has_stale_wfr,
       count(*) FILTER (WHERE cur.to_state = 'pending'
                          AND cur.created_at < now() - interval '25 hours') > 0 AS has_old_pending,
       count(DISTINCT t.priority) > 5 AS priorities_spread
  FROM tasker.tasks t JOIN tasker.task_transitions cur ON cur.task_uuid = t.task_uuid AND cur.most_recent;
-- execution status of the waiting candidates: both kinds occur
SELECT cur.to_state, ctx.execution_status = 'has_ready_steps' AS has_ready_steps, count(*) > 0 AS present
  FROM tasker.task_transitions cur
 CROSS JOIN LATERAL get_task_execution_context(cur.task_uuid) ctx
 WHERE cur.most_recent AND cur.to_state IN ('waiting_for_dependencies', 'waiting_for_retry')
 GROUP BY 1, 2 ORDER BY 1, 2;

-- ---------------------------------------------------------------------------
-- 3. Determinism: same arguments -> same dataset; another seed -> another one
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE runs (name text, d jsonb, ids text);
-- (the fixture truncates the tables: no other part of its statement may read them)
INSERT INTO runs SELECT 'seed 3 a', tasker_bench_fixture(500, seed => 3, as_of => '2025-06-01 12:00') - 'fixture';
UPDATE runs SET ids = (SELECT md5(string_agg(task_uuid::text || workflow_step_uuid::text, ',' ORDER BY workflow_step_uuid))
                         FROM tasker.workflow_steps) WHERE name = 'seed 3 a';
INSERT INTO runs SELECT 'seed 3 b', tasker_bench_fixture(500, seed => 3, as_of => '2025-06-01 12:00') - 'fixture';
UPDATE runs SET ids = (SELECT md5(string_agg(task_uuid::text || workflow_step_uuid::text, ',' ORDER BY workflow_step_uuid))
                         FROM tasker.workflow_steps) WHERE name = 'seed 3 b';
INSERT INTO runs SELECT 'seed 3 c', tasker_bench_fixture(500, seed => 3) - 'fixture';
INSERT INTO runs SELECT 'seed 4', tasker_bench_fixture(500, seed => 4) - 'fixture';
SELECT (SELECT d FROM runs WHERE name = 'seed 3 a') = (SELECT d FROM runs WHERE name = 'seed 3 b') AS same_description,
       (SELECT ids FROM runs WHERE name = 'seed 3 a') = (SELECT ids FROM runs WHERE name = 'seed 3 b') AS same_ids_same_as_of,
       (SELECT d FROM runs WHERE name = 'seed 3 a') = (SELECT d FROM runs WHERE name = 'seed 3 c') AS same_description_other_time,
       (SELECT d -> 'task_states' FROM runs WHERE name = 'seed 3 a')
         <> (SELECT d -> 'task_states' FROM runs WHERE name = 'seed 4') AS other_seed_other_task_states,
       (SELECT d -> 'step_states' FROM runs WHERE name = 'seed 3 a')
         <> (SELECT d -> 'step_states' FROM runs WHERE name = 'seed 4') AS other_seed_other_step_states;
SELECT tasker_bench.describe_dataset() = (SELECT d FROM runs WHERE name = 'seed 4') AS describe_matches_return;

-- the same data from one version to the next: what a fixture writes for fixed
-- arguments and as_of, as row counts and digests of the columns it fills
-- (the order of rows and the columns it leaves to their defaults do not
-- count).  A digest that changes means the fixture generates other data:
-- if that is meant, take the new digests into the expected output.
CREATE FUNCTION pg_temp.fixture_digest(tbl text, cols text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_n bigint;
    v_md5 text;
BEGIN
    EXECUTE format('SELECT count(*), md5(string_agg(r::text, '','' ORDER BY r::text COLLATE "C"))
                      FROM (SELECT %s FROM tasker.%I) r', cols, tbl) INTO v_n, v_md5;
    RETURN v_n || ' ' || v_md5;
END $$;
SET DateStyle = 'ISO, YMD';
SELECT tasker_bench_fixture(400, tasker_bench.fixture_shape_mix('e2e') || '{fanout_3,linear_6}'::text[], seed => 21,
                            as_of => '2025-06-01 12:00') -> 'fixture' ->> 'audit' AS golden_audit_by;
SELECT tbl, pg_temp.fixture_digest(tbl, cols) AS digest
  FROM (VALUES
    ('task_namespaces', 'task_namespace_uuid, name, description, created_at, updated_at'),
    ('named_tasks', 'named_task_uuid, task_namespace_uuid, name, description, version, configuration, created_at, updated_at'),
    ('named_steps', 'named_step_uuid, name, description, created_at, updated_at'),
    ('named_tasks_named_steps', 'ntns_uuid, named_task_uuid, named_step_uuid, default_retryable, default_max_attempts, created_at, updated_at'),
    ('tasks', 'task_uuid, named_task_uuid, complete, requested_at, completed_at, initiator, source_system, reason, tags, context,
               identity_hash, priority, correlation_id, parent_correlation_id, created_at, updated_at'),
    ('workflow_steps', 'workflow_step_uuid, task_uuid, named_step_uuid, retryable, max_attempts, in_process, processed, processed_at,
                        attempts, last_attempted_at, backoff_request_seconds, inputs, results, priority, created_at, updated_at'),
    ('workflow_step_edges', 'workflow_step_edge_uuid, from_step_uuid, to_step_uuid, name, created_at, updated_at'),
    ('task_transitions', 'task_transition_uuid, task_uuid, to_state, from_state, metadata, transition_metadata, processor_uuid,
                          sort_key, most_recent, created_at, updated_at'),
    ('workflow_step_transitions', 'workflow_step_transition_uuid, workflow_step_uuid, to_state, from_state, metadata, sort_key,
                                   most_recent, created_at, updated_at'),
    ('workflow_step_result_audit', 'workflow_step_result_audit_uuid, workflow_step_uuid, workflow_step_transition_uuid, task_uuid,
                                    recorded_at, success')
  ) x(tbl, cols)
 ORDER BY 1;
RESET DateStyle;

-- row by row (triggers and foreign key checks firing) gives the same dataset
SELECT tasker_bench_fixture(300, seed => 5, fast => false) -> 'fixture' ->> 'audit' AS audit_by_slow \gset
SELECT tasker_bench.describe_dataset() AS slow \gset
SELECT tasker_bench_fixture(300, seed => 5, fast => true) - 'fixture' = :'slow'::jsonb AS fast_equals_row_by_row;
SELECT :'audit_by_slow' AS audit_written_by;

-- fast mode drops the data tables' indexes (and the primary keys and unique
-- constraints no foreign key needs) and builds them again after the load:
-- afterwards the schema has the same indexes, constraints and comments, and
-- the constraints hold
COMMENT ON INDEX tasker.idx_tasks_priority IS 'fixture test: index comment';
COMMENT ON CONSTRAINT task_transitions_pkey ON tasker.task_transitions IS 'fixture test: constraint comment';
CREATE TEMP VIEW schema_objects AS
SELECT 'index' AS kind, c.relname::text AS tbl, ic.relname::text AS name, pg_get_indexdef(i.indexrelid) AS def,
       obj_description(i.indexrelid, 'pg_class') AS note
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'tasker'::regnamespace
UNION ALL
SELECT 'constraint', k.conrelid::regclass::text, k.conname::text, pg_get_constraintdef(k.oid),
       obj_description(k.oid, 'pg_constraint')
  FROM pg_constraint k WHERE k.connamespace = 'tasker'::regnamespace AND k.contype <> 'n'; -- not NOT NULL (18 lists it)
CREATE TEMP TABLE schema_before AS SELECT * FROM schema_objects;
SELECT f ->> 'fast' AS fast, f ->> 'indexes_rebuilt' AS indexes_rebuilt
  FROM (SELECT tasker_bench_fixture(200, seed => 6) -> 'fixture' AS f) x;
CREATE TEMP TABLE schema_after AS SELECT * FROM schema_objects;
SELECT (SELECT count(*) FROM schema_before) AS objects,
       (SELECT count(*) FROM (SELECT * FROM schema_before EXCEPT SELECT * FROM schema_after) x) AS lost,
       (SELECT count(*) FROM (SELECT * FROM schema_after EXCEPT SELECT * FROM schema_before) x) AS changed_or_new;
SELECT kind, name, note FROM schema_after WHERE note LIKE 'fixture test:%' ORDER BY 1, 2;
DROP VIEW schema_objects;
DO $$
BEGIN
    INSERT INTO tasker.task_transitions
    SELECT * FROM tasker.task_transitions WHERE most_recent = false LIMIT 1;
EXCEPTION WHEN unique_violation THEN
    RAISE WARNING 'rebuilt primary key holds: %', SQLSTATE;
END $$;
DO $$
BEGIN
    INSERT INTO tasker.workflow_step_edges (workflow_step_edge_uuid, from_step_uuid, to_step_uuid, name,
                                            created_at, updated_at)
    SELECT gen_random_uuid(), from_step_uuid, to_step_uuid, name, created_at, updated_at
      FROM tasker.workflow_step_edges LIMIT 1;
EXCEPTION WHEN unique_violation THEN
    RAISE WARNING 'rebuilt unique constraint holds: %', SQLSTATE;
END $$;
COMMENT ON INDEX tasker.idx_tasks_priority IS NULL;
COMMENT ON CONSTRAINT task_transitions_pkey ON tasker.task_transitions IS NULL;
-- a view grouping by task_transitions' primary key depends on that
-- constraint: the fixture leaves it in place and rebuilds the others
CREATE VIEW public.fixture_test_by_pk AS
SELECT task_transition_uuid, to_state FROM tasker.task_transitions GROUP BY task_transition_uuid;
SELECT tasker_bench_fixture(100, seed => 6) -> 'fixture' ->> 'indexes_rebuilt' AS indexes_rebuilt_with_view;
DROP VIEW public.fixture_test_by_pk;
-- the settings the fixture changes for its load are back afterwards, in the
-- caller's transaction too
BEGIN;
SET LOCAL maintenance_work_mem = '16MB';
SET LOCAL max_parallel_maintenance_workers = 2;
SELECT tasker_bench_fixture(50, seed => 6) -> 'fixture' ->> 'indexes_rebuilt' AS indexes_rebuilt;
SELECT current_setting('maintenance_work_mem') AS maintenance_work_mem,
       current_setting('max_parallel_maintenance_workers') AS parallel_workers,
       current_setting('session_replication_role') AS replication_role,
       current_setting('search_path') AS search_path,
       current_setting('jit') AS jit;
COMMIT;

-- ---------------------------------------------------------------------------
-- 4. state_mix and shape lists
-- ---------------------------------------------------------------------------
SELECT tasker_bench_fixture(400, '{linear4,fanout_3}', state_mix => '{"waiting_for_retry": 1}') -> 'task_states'
       AS only_waiting_for_retry;
SELECT rule, violations FROM pg_temp.fixture_checks() WHERE violations <> 0;
SELECT tasker_bench_fixture(300, '{linear4,linear4,tree8}', state_mix => '{"complete": 2, "error": 1}')
       -> 'shapes' AS shape_listed_twice;
SELECT rule, violations FROM pg_temp.fixture_checks() WHERE violations <> 0;
SELECT s.shape, count(*) AS steps, sum(cardinality(s.parents)) AS edges, max(s.lvl) + 1 AS levels
  FROM unnest(ARRAY['linear4', 'diamond4', 'complex_dag7', 'tree8', 'linear_2', 'linear_1000',
                    'fanout_1', 'fanout_1000']) sh(shape)
 CROSS JOIN LATERAL (SELECT sh.shape, f.* FROM tasker_bench.fixture_shape(sh.shape) f) s
 GROUP BY s.shape ORDER BY s.shape;

-- ---------------------------------------------------------------------------
-- 5. Bad input: SQLSTATE and message, and nothing written
-- ---------------------------------------------------------------------------
CREATE SCHEMA fixture_test_empty;
SELECT tasker_bench.describe_dataset() AS before_bad_input \gset
CREATE TEMP TABLE bad_input (n serial, call text, outcome text);
DO $$
DECLARE
    c text;
    h text;
BEGIN
    FOREACH c IN ARRAY ARRAY[
        'SELECT tasker_bench_fixture(NULL)',
        'SELECT tasker_bench_fixture(0)',
        'SELECT tasker_bench_fixture(-5)',
        'SELECT tasker_bench_fixture(10000001)',
        'SELECT tasker_bench_fixture(10, ''{linear4,hexagon9}'')',
        'SELECT tasker_bench_fixture(10, ''{}'')',
        'SELECT tasker_bench_fixture(10, ''{linear_1}'')',
        'SELECT tasker_bench_fixture(10, ''{linear_1001}'')',
        'SELECT tasker_bench_fixture(10, ''{fanout_0}'')',
        'SELECT tasker_bench_fixture(10, ARRAY[NULL])',
        'SELECT tasker_bench_fixture(10, seed => NULL)',
        'SELECT tasker_bench_fixture(10, schema => ''no_such_schema'')',
        'SELECT tasker_bench_fixture(10, schema => NULL)',
        'SELECT tasker_bench_fixture(10, schema => ''fixture_test_empty'')',
        'SELECT tasker_bench_fixture(10, state_mix => ''{"bogus": 1}'')',
        'SELECT tasker_bench_fixture(10, state_mix => ''{"pending": -1}'')',
        'SELECT tasker_bench_fixture(10, state_mix => ''{"pending": "x"}'')',
        'SELECT tasker_bench_fixture(10, state_mix => ''{"pending": 0}'')',
        'SELECT tasker_bench_fixture(10, state_mix => ''[1, 2]'')',
        'SELECT tasker_bench_fixture(10, replace => NULL)',
        'SELECT tasker_bench_fixture(10, replace => false)',
        'SELECT tasker_bench.describe_dataset(''no_such_schema'')',
        'SELECT tasker_bench.describe_dataset(''fixture_test_empty'')'
    ] LOOP
        BEGIN
            EXECUTE c;
            INSERT INTO bad_input (call, outcome) VALUES (c, 'no error');
        EXCEPTION WHEN others THEN
            GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
            INSERT INTO bad_input (call, outcome)
            VALUES (c, SQLSTATE || ': ' || SQLERRM || coalesce(nullif(' (hint: ' || h || ')', ' (hint: )'), ''));
        END;
    END LOOP;
END
$$;
SELECT call, outcome FROM bad_input ORDER BY n;
SELECT tasker_bench.describe_dataset() = :'before_bad_input'::jsonb AS unchanged_after_bad_input;
DROP SCHEMA fixture_test_empty;

-- replace => false works on a schema without tasks
TRUNCATE tasker.workflow_step_result_audit, tasker.workflow_step_transitions, tasker.task_transitions,
         tasker.workflow_step_edges, tasker.workflow_steps, tasker.tasks;
SELECT tasker_bench_fixture(50, replace => false) -> 'row_counts' ->> 'tasks' AS tasks_without_replace;
SELECT rule, violations FROM pg_temp.fixture_checks() WHERE violations <> 0;
