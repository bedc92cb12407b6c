-- Workflow lifecycle: task initialization, the end-to-end lifecycle of a
-- workflow, its orchestration and worker cycles, and table checksums proving a
-- run leaves the data as it was.  (Run with the tasker schema first on
-- search_path, like tasker's functions; the lifecycle cases set it.)
--   tasker_bench.lifecycle_task_init(shape, priority)   -> task_uuid
--   tasker_bench.lifecycle_run(shape, mode)             -> summary (jsonb)
--   tasker_bench.lifecycle_e2e(shape)                   = lifecycle_run(shape, 'e2e')
--   tasker_bench.lifecycle_orchestration_cycle(shape)   = lifecycle_run(shape, 'orchestration_cycle')
--   tasker_bench.lifecycle_worker_cycle(shape)          = lifecycle_run(shape, 'worker_cycle')
--   tasker_bench.lifecycle_noop_handler(message)        the step handler: does nothing
--   table tasker_bench.lifecycle_templates              steps and edges of the named shapes
--   view tasker_bench.framework_overhead                worker cycle minus handler, per step
--   tasker_bench.table_checksums(schema, include_queues)
--
-- The lifecycle writes: it is meant for the runner, which rolls every
-- iteration back (the cases say rollback = true), or for a transaction you
-- roll back.  Called and committed, lifecycle_e2e leaves one more complete
-- task; the cycle modes leave a task in flight and messages in the queues.

-- Workflow templates: the step names and dependency edges of a shape, from
-- tasker_bench.fixture_shape(), and which steps exist only once the task runs
-- (tasker_bench.fixture_shape_dynamic()): created_after[i] is the step whose
-- completion creates step i (0: created with the task), branch_group[i] > 0
-- puts it among the alternatives of a decision point (one is chosen, the
-- others are never created); both are empty for a shape whose steps all exist
-- from the start.  In tasker-core a template is configuration the
-- orchestrator holds in memory, not a database operation; here the named
-- shapes are one key lookup in lifecycle_templates, and other shapes
-- (linear_N, fanout_N) are computed from fixture_shape() on each call.
CREATE FUNCTION tasker_bench._lc_template(p_shape text,
    OUT step_names text[], OUT edge_from integer[], OUT edge_to integer[],
    OUT created_after integer[], OUT branch_group integer[])
LANGUAGE sql STABLE AS $fn$
    SELECT (SELECT array_agg(f.step_name ORDER BY f.idx) FROM tasker_bench.fixture_shape(p_shape) f),
           (SELECT coalesce(array_agg(p ORDER BY f.idx, p), '{}')
              FROM tasker_bench.fixture_shape(p_shape) f CROSS JOIN LATERAL unnest(f.parents) p),
           (SELECT coalesce(array_agg(f.idx ORDER BY f.idx, p), '{}')
              FROM tasker_bench.fixture_shape(p_shape) f CROSS JOIN LATERAL unnest(f.parents) p),
           (SELECT CASE WHEN bool_or(d.idx IS NOT NULL)
                        THEN array_agg(coalesce(d.created_after, 0) ORDER BY f.idx) ELSE '{}' END
              FROM tasker_bench.fixture_shape(p_shape) f
              LEFT JOIN tasker_bench.fixture_shape_dynamic(p_shape) d ON d.idx = f.idx),
           (SELECT CASE WHEN bool_or(d.idx IS NOT NULL)
                        THEN array_agg(coalesce(d.branch_group, 0) ORDER BY f.idx) ELSE '{}' END
              FROM tasker_bench.fixture_shape(p_shape) f
              LEFT JOIN tasker_bench.fixture_shape_dynamic(p_shape) d ON d.idx = f.idx)
$fn$;

INSERT INTO tasker_bench.lifecycle_templates (shape, step_names, edge_from, edge_to, created_after, branch_group)
SELECT s.shape, t.step_names, t.edge_from, t.edge_to, t.created_after, t.branch_group
  FROM unnest(ARRAY['linear4', 'diamond4', 'complex_dag7', 'tree8', 'conditional5', 'batch7']) s(shape)
 CROSS JOIN LATERAL tasker_bench._lc_template(s.shape) t;

-- The lifecycle names tasker's tables unqualified, as tasker's functions do.
CREATE FUNCTION tasker_bench._lc_check_schema() RETURNS void
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    IF to_regclass('tasks') IS NULL OR to_regclass('workflow_step_transitions') IS NULL
       OR to_regprocedure('get_task_ready_info(uuid)') IS NULL
       OR to_regprocedure('get_step_readiness_status_batch(uuid[],uuid[])') IS NULL THEN
        RAISE EXCEPTION 'no tasker schema on the search_path (%)', current_setting('search_path')
            USING ERRCODE = '42P01',
            HINT = 'Run tasker_bench_setup() (and tasker_bench_fixture()), then SET search_path = tasker, public; the lifecycle cases set it themselves.';
    END IF;
END
$fn$;

-- One step transition as tasker's state machine writes it: read the next
-- sort_key, clear most_recent, insert the new current transition (3 operations).
CREATE FUNCTION tasker_bench._lc_step_transition(p_step uuid, p_from text, p_to text,
                                                 p_metadata jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_key integer;
    v_cur text;
BEGIN
    SELECT coalesce(max(t.sort_key), 0) + 1 INTO v_key
      FROM workflow_step_transitions t
     WHERE t.workflow_step_uuid = p_step;
    UPDATE workflow_step_transitions t
       SET most_recent = false, updated_at = now()
     WHERE t.workflow_step_uuid = p_step AND t.most_recent
    RETURNING t.to_state INTO v_cur;
    IF v_cur IS DISTINCT FROM p_from THEN
        RAISE EXCEPTION 'lifecycle: step % is in state %, not %', p_step, coalesce(v_cur, '(none)'), p_from
            USING ERRCODE = '55000';
    END IF;
    INSERT INTO workflow_step_transitions (workflow_step_uuid, to_state, from_state, metadata, sort_key,
                                           most_recent, created_at, updated_at)
    VALUES (p_step, p_to, p_from, p_metadata, v_key, true, now(), now());
END
$fn$;

-- One task transition as tasker-core's Rust writes it today (its task state
-- machine's persistence, not transition_task_state_atomic): read the next
-- sort_key, clear most_recent, insert the new current transition with the
-- processor (3 operations).  It must succeed (the lifecycle owns its task).
CREATE FUNCTION tasker_bench._lc_task_transition(p_task uuid, p_from text, p_to text, p_processor uuid)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_key integer;
    v_cur text;
BEGIN
    SELECT coalesce(max(t.sort_key), 0) + 1 INTO v_key
      FROM task_transitions t
     WHERE t.task_uuid = p_task;
    UPDATE task_transitions t
       SET most_recent = false, updated_at = now()
     WHERE t.task_uuid = p_task AND t.most_recent
    RETURNING t.to_state INTO v_cur;
    IF v_cur IS DISTINCT FROM p_from THEN
        RAISE EXCEPTION 'lifecycle: task % is in state %, not %', p_task, coalesce(v_cur, '(none)'), p_from
            USING ERRCODE = '55000';
    END IF;
    INSERT INTO task_transitions (task_uuid, to_state, from_state, metadata, transition_metadata,
                                  processor_uuid, sort_key, most_recent, created_at, updated_at)
    VALUES (p_task, p_to, p_from, '{}', '{}', p_processor, v_key, true, now(), now());
END
$fn$;

-- Task initialization, as tasker's task initializer does it: find (or create)
-- the namespace, the named task and its named steps, then insert the task, one
-- workflow step per template step, the edges, and the initial transitions
-- (task pending; every step pending).  The template is the fixture's shape;
-- steps a decision or batch point creates later are left out (step_uuids has
-- NULL at their place; tasker_bench._lc_create_steps makes them).
-- db_ops counts the statements on tasker's tables (7 when the catalog exists).
-- Generic plans: several statements take arrays, for which PostgreSQL's plan
-- cache would otherwise plan every call anew (a custom plan looks cheaper),
-- which is our statements' artefact, not a cost of task initialization.
CREATE FUNCTION tasker_bench._lc_task_init(p_shape text, p_priority integer,
    OUT task uuid, OUT correlation uuid, OUT namespace_name text, OUT worker_queue text,
    OUT step_count integer, OUT db_ops integer,
    OUT step_names text[], OUT edge_from integer[], OUT edge_to integer[],
    OUT created_after integer[], OUT branch_group integer[], OUT step_uuids uuid[])
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    v_now     timestamp := now();
    v_nsname  text := tasker_bench._lc_namespace(p_shape);
    v_names   text[];
    v_from    integer[];
    v_to      integer[];
    v_after   integer[];
    v_ns      uuid;
    v_nt      uuid;
    v_nsteps  uuid[];
    v_retry   boolean[];
    v_maxatt  integer[];
    v_missing boolean;
    v_steps   uuid[];
    v_try     integer;
BEGIN
    -- the template (configuration, not a database operation of tasker)
    SELECT t.step_names, t.edge_from, t.edge_to, t.created_after, t.branch_group
      INTO v_names, v_from, v_to, v_after, branch_group
      FROM tasker_bench.lifecycle_templates t
     WHERE t.shape = p_shape;
    IF NOT FOUND THEN
        SELECT t.step_names, t.edge_from, t.edge_to, t.created_after, t.branch_group
          INTO v_names, v_from, v_to, v_after, branch_group
          FROM tasker_bench._lc_template(p_shape) t;
    END IF;
    IF v_names IS NULL THEN
        RAISE EXCEPTION 'unknown workflow shape "%"', coalesce(p_shape, 'NULL') USING ERRCODE = '22023',
            HINT = 'Valid shapes: linear4, diamond4, complex_dag7, tree8, tree7, parallel_merge4, conditional5, batch7, linear_N (N = 2..1000), fanout_N (N = 1..1000).';
    END IF;
    db_ops := 0;

    -- namespace and named task
    SELECT ns.task_namespace_uuid, nt.named_task_uuid INTO v_ns, v_nt
      FROM task_namespaces ns
      LEFT JOIN named_tasks nt ON nt.task_namespace_uuid = ns.task_namespace_uuid
                              AND nt.name = p_shape AND nt.version = '0.1.0'
     WHERE ns.name = v_nsname;
    db_ops := db_ops + 1;
    IF v_ns IS NULL THEN
        INSERT INTO task_namespaces (name, description, created_at, updated_at)
        VALUES (v_nsname, 'tasker_bench lifecycle namespace', v_now, v_now)
        RETURNING task_namespace_uuid INTO v_ns;
        db_ops := db_ops + 1;
    END IF;
    IF v_nt IS NULL THEN
        INSERT INTO named_tasks (task_namespace_uuid, name, description, version, configuration,
                                 created_at, updated_at)
        VALUES (v_ns, p_shape, 'tasker_bench lifecycle workflow ' || p_shape, '0.1.0', '{}', v_now, v_now)
        RETURNING named_task_uuid INTO v_nt;
        db_ops := db_ops + 1;
    END IF;

    -- named steps and their links to the named task (created when missing)
    FOR v_try IN 1 .. 2 LOOP
        SELECT array_agg(s.named_step_uuid ORDER BY o.i),
               array_agg(coalesce(l.default_retryable, true) ORDER BY o.i),
               array_agg(coalesce(l.default_max_attempts, 3) ORDER BY o.i),
               bool_or(l.ntns_uuid IS NULL)
          INTO v_nsteps, v_retry, v_maxatt, v_missing
          FROM unnest(v_names) WITH ORDINALITY o(name, i)
          LEFT JOIN named_steps s ON s.name = p_shape || '.' || o.name
          LEFT JOIN named_tasks_named_steps l ON l.named_task_uuid = v_nt
                                             AND l.named_step_uuid = s.named_step_uuid;
        db_ops := db_ops + 1;
        EXIT WHEN NOT v_missing;
        IF v_try = 2 THEN
            RAISE EXCEPTION 'lifecycle: the named steps of "%" could not be created', p_shape
                USING ERRCODE = '55000';
        END IF;
        INSERT INTO named_steps (name, description, created_at, updated_at)
        SELECT p_shape || '.' || o.name, 'tasker_bench lifecycle step', v_now, v_now
          FROM unnest(v_names) o(name)
        ON CONFLICT DO NOTHING;
        INSERT INTO named_tasks_named_steps (named_task_uuid, named_step_uuid, default_retryable,
                                             default_max_attempts, created_at, updated_at)
        SELECT v_nt, s.named_step_uuid, true, 3, v_now, v_now
          FROM unnest(v_names) o(name)
          JOIN named_steps s ON s.name = p_shape || '.' || o.name
        ON CONFLICT DO NOTHING;
        db_ops := db_ops + 2;
    END LOOP;

    -- the task
    task := uuid_generate_v7();
    correlation := uuid_generate_v7();
    INSERT INTO tasks (task_uuid, named_task_uuid, complete, requested_at, initiator, source_system, reason,
                       tags, context, identity_hash, priority, correlation_id, created_at, updated_at)
    VALUES (task, v_nt, false, v_now, 'tasker_bench', 'tasker_bench_lifecycle', 'lifecycle benchmark',
            '{"lifecycle": "tasker_bench"}', jsonb_build_object('shape', p_shape),
            md5(v_nt::text || ':' || task::text), p_priority, correlation, v_now, v_now);

    -- its steps (those that exist from the start) and the edges between them
    v_steps := ARRAY(SELECT CASE WHEN coalesce(v_after[i], 0) = 0 THEN uuid_generate_v7() END
                       FROM generate_series(1, cardinality(v_names)) i);
    INSERT INTO workflow_steps (workflow_step_uuid, task_uuid, named_step_uuid, retryable, max_attempts,
                                in_process, processed, attempts, priority, created_at, updated_at)
    SELECT v_steps[o.i], task, v_nsteps[o.i], v_retry[o.i], v_maxatt[o.i], false, false, 0, 0, v_now, v_now
      FROM generate_subscripts(v_steps, 1) o(i)
     WHERE v_steps[o.i] IS NOT NULL;
    db_ops := db_ops + 2;
    IF cardinality(v_from) > 0 THEN
        INSERT INTO workflow_step_edges (from_step_uuid, to_step_uuid, name, created_at, updated_at)
        SELECT v_steps[e.f], v_steps[e.t], 'provides', v_now, v_now
          FROM unnest(v_from, v_to) e(f, t)
         WHERE v_steps[e.f] IS NOT NULL AND v_steps[e.t] IS NOT NULL;
        db_ops := db_ops + 1;
    END IF;

    -- initial transitions: the task and every step pending
    INSERT INTO task_transitions (task_uuid, to_state, from_state, metadata, transition_metadata, sort_key,
                                  most_recent, created_at, updated_at)
    VALUES (task, 'pending', NULL, '{}', '{}', 1, true, v_now, v_now);
    INSERT INTO workflow_step_transitions (workflow_step_uuid, to_state, from_state, metadata, sort_key,
                                           most_recent, created_at, updated_at)
    SELECT s, 'pending', NULL, '{}', 1, true, v_now, v_now FROM unnest(v_steps) s WHERE s IS NOT NULL;
    db_ops := db_ops + 2;

    namespace_name := v_nsname;
    worker_queue := 'worker_' || v_nsname || '_queue';
    step_count := cardinality(array_remove(v_steps, NULL));
    step_names := v_names;
    edge_from := v_from;
    edge_to := v_to;
    created_after := v_after;
    step_uuids := v_steps;
END
$fn$;

-- ---------------------------------------------------------------------------
-- User-facing lifecycle functions
-- ---------------------------------------------------------------------------
CREATE FUNCTION tasker_bench.lifecycle_task_init(shape text, priority integer DEFAULT 0) RETURNS uuid
LANGUAGE plpgsql AS $fn$
DECLARE
    v record;
BEGIN
    PERFORM tasker_bench._lc_check_schema();
    SELECT * INTO v FROM tasker_bench._lc_task_init(lifecycle_task_init.shape,
                                                    coalesce(lifecycle_task_init.priority, 0));
    PERFORM tasker_bench.count('db_ops', v.db_ops);
    PERFORM tasker_bench.count('steps', v.step_count);
    RETURN v.task;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_task_init(text, integer) IS
    'Creates one task of a workflow shape with its steps, edges and initial transitions (task and steps pending); returns its task_uuid';

-- The step handler of the lifecycle: does nothing, returns a success result
-- (STABLE like jsonb_build_object, so that it is inlined: a call costs next to
-- nothing).  For a decision point (the message's step_type 'decision') it
-- chooses the first of the branches the message lists, always the same
-- (decision_point_outcome, as tasker-core's decision handlers return it); for
-- a batchable step it asks for as many workers as the message offers
-- (batch_processing_outcome).
CREATE FUNCTION tasker_bench.lifecycle_noop_handler(step_message jsonb) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
    SELECT jsonb_build_object('success', true, 'step_uuid', step_message -> 'step_uuid')
           || CASE step_message ->> 'step_type'
                  WHEN 'decision' THEN
                      jsonb_build_object('decision_point_outcome',
                                         jsonb_build_object('type', 'create_steps',
                                                            'step_names', jsonb_build_array(step_message -> 'branches' -> 0)))
                  WHEN 'batchable' THEN
                      jsonb_build_object('batch_processing_outcome',
                                         jsonb_build_object('type', 'create_batches',
                                                            'worker_count', step_message -> 'batch_workers'))
                  ELSE '{}'::jsonb
              END
$fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_noop_handler(jsonb) IS
    'The no-op step handler of the lifecycle cases (framework overhead = worker cycle minus its time); a decision point chooses its first branch, a batchable step all the template''s workers';

-- Steps a decision or batch point creates when it completes, as tasker-core's
-- orchestration does when it processes that step's result: a decision's
-- result names the branch to create (decision_point_outcome.step_names; the
-- other alternatives are never created), a batchable step's result the number
-- of workers (batch_processing_outcome.worker_count; the first that many
-- workers of the template).  A convergence step created at the same point is
-- deferred: it depends on those of its template parents that exist, so it is
-- ready once the created ones finish.  step_uuids (per template step, NULL
-- where not created) gains the new steps; db_ops: the named steps, the
-- steps, their edges and their initial transitions (4).
CREATE FUNCTION tasker_bench._lc_create_steps(p_task uuid, p_shape text, p_point integer, p_result jsonb,
    p_names text[], p_from integer[], p_to integer[], p_after integer[], p_group integer[],
    INOUT step_uuids uuid[], OUT created integer, OUT db_ops integer)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    v_now     timestamp := now();
    v_chosen  jsonb := p_result -> 'decision_point_outcome' -> 'step_names';
    v_workers integer := (p_result -> 'batch_processing_outcome' ->> 'worker_count')::integer;
    v_kids    integer[];
    v_new     integer[];
    v_nsteps  uuid[];
    v_retry   boolean[];
    v_maxatt  integer[];
    v_k       integer;
BEGIN
    created := 0;
    db_ops := 0;
    -- the point's direct children among the steps it creates
    SELECT coalesce(array_agg(k ORDER BY k), '{}') INTO v_kids
      FROM generate_subscripts(p_names, 1) k
     WHERE p_after[k] = p_point
       AND EXISTS (SELECT 1 FROM unnest(p_from, p_to) e(f, t) WHERE e.f = p_point AND e.t = k);
    IF v_chosen IS NOT NULL THEN
        IF jsonb_typeof(v_chosen) <> 'array' THEN
            v_chosen := jsonb_build_array(v_chosen);
        END IF;
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_chosen) c(v)
                    WHERE NOT EXISTS (SELECT 1 FROM unnest(v_kids) k
                                       WHERE to_jsonb(p_names[k]) = c.v AND p_group[k] > 0)) THEN
            RAISE EXCEPTION 'lifecycle: decision point % of "%" chose %, which is not among its branches',
                p_names[p_point], p_shape, v_chosen USING ERRCODE = '55000';
        END IF;
        v_new := ARRAY(SELECT k FROM unnest(v_kids) k WHERE p_group[k] = 0 OR v_chosen ? p_names[k] ORDER BY k);
    ELSIF v_workers IS NOT NULL THEN
        IF v_workers < 0 OR v_workers > (SELECT count(*) FROM unnest(v_kids) k WHERE p_group[k] = 0) THEN
            RAISE EXCEPTION 'lifecycle: batchable step % of "%" asked for % workers, the template has %',
                p_names[p_point], p_shape, v_workers,
                (SELECT count(*) FROM unnest(v_kids) k WHERE p_group[k] = 0) USING ERRCODE = '55000';
        END IF;
        v_new := ARRAY(SELECT k FROM unnest(v_kids) k WHERE p_group[k] = 0 ORDER BY k LIMIT v_workers);
    ELSE
        v_new := ARRAY(SELECT k FROM unnest(v_kids) k WHERE p_group[k] = 0 ORDER BY k);
    END IF;
    -- deferred convergence: created when one of its template parents exists
    v_new := v_new || ARRAY(SELECT k FROM generate_subscripts(p_names, 1) k
                             WHERE p_after[k] = p_point AND k <> ALL (v_kids)
                               AND EXISTS (SELECT 1 FROM unnest(p_from, p_to) e(f, t)
                                            WHERE e.t = k AND (step_uuids[e.f] IS NOT NULL OR e.f = ANY (v_new)))
                             ORDER BY k);
    IF cardinality(v_new) = 0 THEN
        RETURN;
    END IF;
    FOREACH v_k IN ARRAY v_new LOOP
        step_uuids[v_k] := uuid_generate_v7();
    END LOOP;

    SELECT array_agg(s.named_step_uuid ORDER BY o.i),
           array_agg(coalesce(l.default_retryable, true) ORDER BY o.i),
           array_agg(coalesce(l.default_max_attempts, 3) ORDER BY o.i)
      INTO v_nsteps, v_retry, v_maxatt
      FROM unnest(v_new) WITH ORDINALITY o(k, i)
      JOIN tasks t ON t.task_uuid = p_task
      JOIN named_steps s ON s.name = p_shape || '.' || p_names[o.k]
      LEFT JOIN named_tasks_named_steps l ON l.named_task_uuid = t.named_task_uuid
                                         AND l.named_step_uuid = s.named_step_uuid;
    IF cardinality(v_nsteps) IS DISTINCT FROM cardinality(v_new) THEN
        RAISE EXCEPTION 'lifecycle: the named steps of "%" are missing', p_shape USING ERRCODE = '55000';
    END IF;
    INSERT INTO workflow_steps (workflow_step_uuid, task_uuid, named_step_uuid, retryable, max_attempts,
                                in_process, processed, attempts, priority, created_at, updated_at)
    SELECT step_uuids[o.k], p_task, v_nsteps[o.i], v_retry[o.i], v_maxatt[o.i], false, false, 0, 0, v_now, v_now
      FROM unnest(v_new) WITH ORDINALITY o(k, i);
    INSERT INTO workflow_step_edges (from_step_uuid, to_step_uuid, name, created_at, updated_at)
    SELECT step_uuids[e.f], step_uuids[e.t], 'provides', v_now, v_now
      FROM unnest(p_from, p_to) e(f, t)
     WHERE e.t = ANY (v_new) AND step_uuids[e.f] IS NOT NULL;
    INSERT INTO workflow_step_transitions (workflow_step_uuid, to_state, from_state, metadata, sort_key,
                                           most_recent, created_at, updated_at)
    SELECT step_uuids[k], 'pending', NULL, '{}', 1, true, v_now, v_now FROM unnest(v_new) k;
    created := cardinality(v_new);
    db_ops := 4;
END
$fn$;

-- The queue the lifecycle uses for a shape: 'pgmq' when pgmq is installed
-- with what the lifecycle calls (pgmq.read with a condition, pgmq.delete,
-- tasker-core's pgmq_send_with_notify on the search_path) and has the two
-- queues the shape's workflow uses (worker_<namespace>_queue,
-- orchestration_step_results) and the role may use them; else
-- 'tasker_bench' (the model of pgmq in schema tasker_bench).  The one place
-- the choice is made: the lifecycle cases call it once per run (their params
-- query) and pass the answer to every call.
CREATE FUNCTION tasker_bench.lifecycle_queue(shape text) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_fns constant text[] := ARRAY['pgmq.read(text,integer,integer,jsonb)', 'pgmq.delete(text,bigint)',
                                   'pgmq_send_with_notify(text,jsonb,integer)'];
    v_fn  text;
    v_n   integer;
BEGIN
    IF to_regclass('pgmq.meta') IS NULL
       OR NOT has_table_privilege('pgmq.meta', 'SELECT') THEN
        RETURN 'tasker_bench';
    END IF;
    FOREACH v_fn IN ARRAY v_fns LOOP
        IF to_regprocedure(v_fn) IS NULL OR NOT has_function_privilege(to_regprocedure(v_fn), 'EXECUTE') THEN
            RETURN 'tasker_bench';
        END IF;
    END LOOP;
    -- pgmq.meta exists (checked above): a static query, planned only now
    SELECT count(*) INTO v_n
      FROM pgmq.meta m
     WHERE m.queue_name IN ('worker_' || tasker_bench._lc_namespace(lifecycle_queue.shape) || '_queue',
                            'orchestration_step_results');
    RETURN CASE WHEN v_n = 2 THEN 'pgmq' ELSE 'tasker_bench' END;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_queue(text) IS
    'The queue the lifecycle of a shape uses: pgmq (installed, with tasker-core''s pgmq_send_with_notify and the queues worker_<namespace>_queue and orchestration_step_results) or tasker_bench (the model)';

/*
 * One workflow through the database, step by step.  Modes:
 *
 *   e2e                  the whole workflow until the task is complete
 *   orchestration_cycle  setup (task_init), then the first orchestration cycle:
 *                        discovery, enqueue, message_send
 *   worker_cycle         setup (task_init and the first orchestration cycle), then
 *                        the worker cycle of the first ready step: worker_claim,
 *                        worker_transition, handler, result_submission
 *
 * queue: 'pgmq' (pgmq.read, pgmq.delete and tasker-core's
 * pgmq_send_with_notify), 'tasker_bench' (the model: queue_read, queue_delete,
 * queue_send_with_notify) or NULL (tasker_bench.lifecycle_queue(shape) decides,
 * once for this call; the lifecycle cases decide once per run and pass it).
 *
 * Phases (tasker_bench.phase; they add up to the iteration's time) and the
 * database operations each one counts:
 *
 *   task_init          the task, its steps, edges, initial transitions (7)
 *   discovery          get_task_ready_info (tasker-core's immediate enqueue of a new task)
 *                      and get_step_readiness_status_batch (viable steps) (2, once)
 *   enqueue            claim: pending -> initializing -> enqueuing_steps (2 task transitions
 *                      of 3 operations each: next sort_key, clear most_recent, insert, as
 *                      tasker-core's task state machine writes them: 6, once); per step:
 *                      read the correlation id (1), pending -> enqueued (3), mark the step
 *                      in process (1); per wave: enqueuing_steps -> steps_in_process (3)
 *   message_send       per step: send with notify to worker_<namespace>_queue (1)
 *   worker_claim       per step: read with a 30 s visibility timeout (1)
 *   worker_transition  per step: enqueued -> in_progress (3), attempts and last_attempted_at (1)
 *   handler            per step: lifecycle_noop_handler (0)
 *   result_submission  per step: store results (1), in_progress -> enqueued_for_orchestration
 *                      (3, plus the audit trigger's insert: 1), completion message to
 *                      orchestration_step_results with notify (1), delete the step message (1)
 *   result_processing  per step: claim the completion message (1), read the step state (1),
 *                      -> complete (3), mark the step processed (1), delete the message (1)
 *   step_creation      per decision or batch point (conditional5, batch7): the steps its
 *                      result asks for and their deferred convergence (4,
 *                      tasker_bench._lc_create_steps)
 *   coordination       per wave: steps_in_process -> evaluating_results (3), readiness of the
 *                      task's steps (1), then get_task_ready_info and evaluating_results ->
 *                      enqueuing_steps (1 + 3, tasker-core's re-enqueue in finalization), or
 *                      -> complete (3) and the task marked complete (1)
 *   instrumentation    the counters below and the return (no database operation)
 *
 * In the cycle modes everything before the cycle is the phase 'setup'.
 * Counters (tasker_bench.count, per call in results.counters): db_ops (the
 * operations of the phases after task_init / setup), steps (steps the
 * measured part handled), steps_created (created at a decision or batch
 * point), waves, discovered (1 when discovery returned the task), pgmq (1
 * when the queue was pgmq), db_ops/<phase>, and db_ops/per_step (the
 * operations each step costs, 25 per step: tasker-core's documented ~19 plus
 * the four step bookkeeping updates -- in_process, attempts, results,
 * processed -- the worker's delete of the step message and the
 * orchestrator's claim of the result message) and db_ops/per_task
 * (discovery, task transitions, step creation, coordination: the rest).
 */
CREATE FUNCTION tasker_bench.lifecycle_run(shape text, mode text DEFAULT 'e2e', queue text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    c_orchestrator constant uuid := '00000000-0000-7000-8000-0000000e2e01';
    c_worker       constant uuid := '00000000-0000-7000-8000-0000000e2e02';
    c_results      constant text := 'orchestration_step_results';
    c_vt           constant integer := 30;
    c_priority     constant integer := 1000;
    c_phases       constant text[] := ARRAY['setup', 'task_init', 'discovery', 'enqueue', 'message_send',
                                            'worker_claim', 'worker_transition', 'handler',
                                            'result_submission', 'result_processing', 'coordination',
                                            'step_creation'];
    v_mode    text := lifecycle_run.mode;
    v_queue_kind text := coalesce(lifecycle_run.queue, tasker_bench.lifecycle_queue(lifecycle_run.shape));
    v_pgmq    boolean;
    v_setup   boolean;
    v_ph      integer;
    v_ops     integer[] := array_fill(0, ARRAY[12]);
    v_init    record;
    v_task    uuid;
    v_corr    uuid;
    v_queue   text;
    v_ready   uuid[];
    v_step    uuid;
    v_mid     bigint;
    v_msg     jsonb;
    v_result  jsonb;
    v_state   text;
    v_left    bigint;
    v_hit     integer := 0;
    v_waves   integer := 0;
    v_sent    integer := 0;
    v_worked  integer := 0;
    v_done    integer := 0;
    v_final   text;
    v_i       integer;
    v_total   integer;
    v_per_step integer := 0;
    v_by      jsonb;
    -- steps created while the task runs (decision and batch points)
    v_dynamic boolean;
    v_uuids   uuid[];
    v_extra   jsonb[];
    v_k       integer;
    v_made    record;
    v_created integer := 0;
BEGIN
    IF v_mode IS NULL OR v_mode NOT IN ('e2e', 'orchestration_cycle', 'worker_cycle') THEN
        RAISE EXCEPTION 'unknown lifecycle mode "%"', coalesce(v_mode, 'NULL') USING ERRCODE = '22023',
            HINT = 'Use e2e (the whole workflow), orchestration_cycle (discovery, enqueue, notify) or worker_cycle (claim, execute, submit).';
    END IF;
    IF v_queue_kind NOT IN ('pgmq', 'tasker_bench') THEN
        RAISE EXCEPTION 'unknown lifecycle queue "%"', v_queue_kind USING ERRCODE = '22023',
            HINT = 'Use pgmq, tasker_bench (the model of pgmq), or NULL (tasker_bench.lifecycle_queue(shape) decides).';
    END IF;
    -- (queue => 'pgmq' is taken as given: checking it here would cost every
    -- iteration the catalog look-ups that lifecycle_queue does once per run)
    v_pgmq := v_queue_kind = 'pgmq';
    PERFORM tasker_bench._lc_check_schema();
    v_setup := v_mode <> 'e2e';

    -- ---- task initialization
    v_ph := CASE WHEN v_setup THEN 1 ELSE 2 END;
    PERFORM tasker_bench.phase(c_phases[v_ph]);
    SELECT * INTO v_init FROM tasker_bench._lc_task_init(lifecycle_run.shape, c_priority);
    v_ops[v_ph] := v_ops[v_ph] + v_init.db_ops;
    v_task := v_init.task;
    v_queue := v_init.worker_queue;
    v_dynamic := cardinality(v_init.created_after) > 0;
    IF v_dynamic THEN
        -- what the step message of a decision or batchable step tells its handler
        v_uuids := v_init.step_uuids;
        v_extra := ARRAY(
            SELECT CASE
                       WHEN bool_or(c.g > 0) THEN
                           jsonb_build_object('step_type', 'decision',
                                              'branches', jsonb_agg(v_init.step_names[c.k] ORDER BY c.k)
                                                          FILTER (WHERE c.g > 0))
                       WHEN count(c.k) > 0 THEN
                           jsonb_build_object('step_type', 'batchable', 'batch_workers', count(c.k))
                   END
              FROM generate_subscripts(v_init.step_names, 1) p
              LEFT JOIN LATERAL (
                   SELECT e.t AS k, v_init.branch_group[e.t] AS g
                     FROM unnest(v_init.edge_from, v_init.edge_to) e(f, t)
                    WHERE e.f = p AND v_init.created_after[e.t] = p) c ON true
             GROUP BY p ORDER BY p);
    END IF;
    IF v_mode = 'orchestration_cycle' THEN
        v_setup := false;
    END IF;

    -- ---- discovery: the orchestrator finds the task and its ready steps
    v_ph := CASE WHEN v_setup THEN 1 ELSE 3 END;
    PERFORM tasker_bench.phase(c_phases[v_ph]);
    SELECT count(*) FILTER (WHERE g.task_uuid = v_task) INTO v_hit FROM get_task_ready_info(v_task) g;
    SELECT array_agg(r.workflow_step_uuid ORDER BY r.workflow_step_uuid) FILTER (WHERE r.ready_for_execution)
      INTO v_ready
      FROM get_step_readiness_status_batch(ARRAY[v_task]) r;
    v_ops[v_ph] := v_ops[v_ph] + 2;

    -- ---- claim the task
    v_ph := CASE WHEN v_setup THEN 1 ELSE 4 END;
    PERFORM tasker_bench.phase(c_phases[v_ph]);
    PERFORM tasker_bench._lc_task_transition(v_task, 'pending', 'initializing', c_orchestrator);
    PERFORM tasker_bench._lc_task_transition(v_task, 'initializing', 'enqueuing_steps', c_orchestrator);
    v_ops[v_ph] := v_ops[v_ph] + 6;

    LOOP
        v_waves := v_waves + 1;
        IF v_ready IS NULL THEN
            RAISE EXCEPTION 'lifecycle: task % has unfinished steps but none is ready', v_task
                USING ERRCODE = '55000';
        END IF;

        -- ---- enqueue every ready step and send its message
        FOREACH v_step IN ARRAY v_ready LOOP
            v_ph := CASE WHEN v_setup THEN 1 ELSE 4 END;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            SELECT t.correlation_id INTO v_corr FROM tasks t WHERE t.task_uuid = v_task;
            PERFORM tasker_bench._lc_step_transition(v_step, 'pending', 'enqueued');
            UPDATE workflow_steps ws SET in_process = true, updated_at = now()
             WHERE ws.workflow_step_uuid = v_step;
            v_ops[v_ph] := v_ops[v_ph] + 5;
            v_per_step := v_per_step + CASE WHEN v_ph = 1 THEN 0 ELSE 5 END;

            v_ph := CASE WHEN v_setup THEN 1 ELSE 5 END;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            v_msg := jsonb_build_object('task_uuid', v_task, 'step_uuid', v_step, 'correlation_id', v_corr,
                                        'namespace', v_init.namespace_name, 'task_name', lifecycle_run.shape);
            IF v_dynamic THEN
                v_msg := v_msg || coalesce(v_extra[array_position(v_uuids, v_step)], '{}');
            END IF;
            IF v_pgmq THEN
                PERFORM pgmq_send_with_notify(v_queue, v_msg, 0);
            ELSE
                PERFORM tasker_bench.queue_send_with_notify(v_queue, v_msg);
            END IF;
            v_ops[v_ph] := v_ops[v_ph] + 1;
            v_per_step := v_per_step + CASE WHEN v_ph = 1 THEN 0 ELSE 1 END;
            v_sent := v_sent + 1;
        END LOOP;
        v_ph := CASE WHEN v_setup THEN 1 ELSE 4 END;
        PERFORM tasker_bench.phase(c_phases[v_ph]);
        PERFORM tasker_bench._lc_task_transition(v_task, 'enqueuing_steps', 'steps_in_process', c_orchestrator);
        v_ops[v_ph] := v_ops[v_ph] + 3;
        IF v_mode = 'orchestration_cycle' THEN
            v_final := 'steps_in_process';
            EXIT;
        END IF;
        IF v_mode = 'worker_cycle' THEN
            v_setup := false;
        END IF;

        -- ---- workers: claim, start, execute, submit
        FOR v_i IN 1 .. cardinality(v_ready) LOOP
            v_ph := 6;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            IF v_pgmq THEN
                SELECT m.msg_id, m.message INTO v_mid, v_msg
                  FROM pgmq.read(v_queue, c_vt, 1, jsonb_build_object('task_uuid', v_task)) m;
            ELSE
                SELECT m.msg_id, m.message INTO v_mid, v_msg
                  FROM tasker_bench.queue_read(v_queue, c_vt, 1, jsonb_build_object('task_uuid', v_task)) m;
            END IF;
            IF v_mid IS NULL THEN
                RAISE EXCEPTION 'lifecycle: no message of task % in queue %', v_task, v_queue
                    USING ERRCODE = '55000';
            END IF;
            v_step := (v_msg ->> 'step_uuid')::uuid;
            v_ops[v_ph] := v_ops[v_ph] + 1;
            v_per_step := v_per_step + 1;

            v_ph := 7;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            PERFORM tasker_bench._lc_step_transition(v_step, 'enqueued', 'in_progress');
            UPDATE workflow_steps ws
               SET attempts = coalesce(ws.attempts, 0) + 1, last_attempted_at = now(), updated_at = now()
             WHERE ws.workflow_step_uuid = v_step;
            v_ops[v_ph] := v_ops[v_ph] + 4;
            v_per_step := v_per_step + 4;

            v_ph := 8;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            v_result := tasker_bench.lifecycle_noop_handler(v_msg);

            v_ph := 9;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            UPDATE workflow_steps ws SET results = v_result, updated_at = now()
             WHERE ws.workflow_step_uuid = v_step;
            PERFORM tasker_bench._lc_step_transition(v_step, 'in_progress', 'enqueued_for_orchestration',
                jsonb_build_object('worker_uuid', c_worker, 'correlation_id', v_msg -> 'correlation_id',
                                   'event', jsonb_build_object('success', true,
                                                               'metadata', jsonb_build_object('execution_time_ms', 0))::text));
            v_msg := jsonb_build_object('task_uuid', v_task, 'step_uuid', v_step, 'status', 'success',
                                        'results', v_result, 'correlation_id', v_msg -> 'correlation_id',
                                        'worker_uuid', c_worker, 'execution_time_ms', 0);
            IF v_pgmq THEN
                PERFORM pgmq_send_with_notify(c_results, v_msg, 0);
                PERFORM pgmq.delete(v_queue, v_mid);
            ELSE
                PERFORM tasker_bench.queue_send_with_notify(c_results, v_msg);
                PERFORM tasker_bench.queue_delete(v_queue, v_mid);
            END IF;
            v_ops[v_ph] := v_ops[v_ph] + 7;
            v_per_step := v_per_step + 7;
            v_worked := v_worked + 1;
            v_mid := NULL;
            EXIT WHEN v_mode = 'worker_cycle';
        END LOOP;
        IF v_mode = 'worker_cycle' THEN
            v_final := 'steps_in_process';
            EXIT;
        END IF;

        -- ---- result processing by the orchestrator
        FOR v_i IN 1 .. cardinality(v_ready) LOOP
            v_ph := 10;
            PERFORM tasker_bench.phase(c_phases[v_ph]);
            IF v_pgmq THEN
                SELECT m.msg_id, m.message INTO v_mid, v_msg
                  FROM pgmq.read(c_results, c_vt, 1, jsonb_build_object('task_uuid', v_task)) m;
            ELSE
                SELECT m.msg_id, m.message INTO v_mid, v_msg
                  FROM tasker_bench.queue_read(c_results, c_vt, 1, jsonb_build_object('task_uuid', v_task)) m;
            END IF;
            IF v_mid IS NULL THEN
                RAISE EXCEPTION 'lifecycle: no result of task % in queue %', v_task, c_results
                    USING ERRCODE = '55000';
            END IF;
            v_step := (v_msg ->> 'step_uuid')::uuid;
            SELECT t.to_state INTO v_state
              FROM workflow_step_transitions t
             WHERE t.workflow_step_uuid = v_step AND t.most_recent;
            IF v_state IS DISTINCT FROM 'enqueued_for_orchestration' THEN
                RAISE EXCEPTION 'lifecycle: step % is in state %, not enqueued_for_orchestration', v_step, v_state
                    USING ERRCODE = '55000';
            END IF;
            PERFORM tasker_bench._lc_step_transition(v_step, 'enqueued_for_orchestration', 'complete');
            UPDATE workflow_steps ws
               SET processed = true, in_process = false, processed_at = now(), updated_at = now()
             WHERE ws.workflow_step_uuid = v_step;
            IF v_pgmq THEN
                PERFORM pgmq.delete(c_results, v_mid);
            ELSE
                PERFORM tasker_bench.queue_delete(c_results, v_mid);
            END IF;
            v_ops[v_ph] := v_ops[v_ph] + 7;
            v_per_step := v_per_step + 7;
            v_done := v_done + 1;
            v_mid := NULL;

            -- ---- a decision or batch point: its result creates the next steps
            IF v_dynamic THEN
                v_k := array_position(v_uuids, v_step);
                IF v_k = ANY (v_init.created_after) THEN
                    v_ph := 12;
                    PERFORM tasker_bench.phase(c_phases[v_ph]);
                    SELECT * INTO v_made
                      FROM tasker_bench._lc_create_steps(v_task, lifecycle_run.shape, v_k, v_msg -> 'results',
                                                         v_init.step_names, v_init.edge_from, v_init.edge_to,
                                                         v_init.created_after, v_init.branch_group, v_uuids);
                    v_uuids := v_made.step_uuids;
                    v_created := v_created + v_made.created;
                    v_ops[v_ph] := v_ops[v_ph] + v_made.db_ops;
                END IF;
            END IF;
        END LOOP;

        -- ---- task coordination: re-evaluate readiness, move the task on
        v_ph := 11;
        PERFORM tasker_bench.phase(c_phases[v_ph]);
        PERFORM tasker_bench._lc_task_transition(v_task, 'steps_in_process', 'evaluating_results', c_orchestrator);
        SELECT count(*) FILTER (WHERE r.current_state NOT IN ('complete', 'resolved_manually')),
               array_agg(r.workflow_step_uuid ORDER BY r.workflow_step_uuid) FILTER (WHERE r.ready_for_execution)
          INTO v_left, v_ready
          FROM get_step_readiness_status_batch(ARRAY[v_task]) r;
        v_ops[v_ph] := v_ops[v_ph] + 4;
        IF v_left = 0 THEN
            PERFORM tasker_bench._lc_task_transition(v_task, 'evaluating_results', 'complete', c_orchestrator);
            UPDATE tasks t SET complete = true, completed_at = now(), updated_at = now()
             WHERE t.task_uuid = v_task;
            v_ops[v_ph] := v_ops[v_ph] + 4;
            v_final := 'complete';
            EXIT;
        END IF;
        PERFORM 1 FROM get_task_ready_info(v_task);
        PERFORM tasker_bench._lc_task_transition(v_task, 'evaluating_results', 'enqueuing_steps', c_orchestrator);
        v_ops[v_ph] := v_ops[v_ph] + 4;
    END LOOP;

    -- ---- counters (their cost is a phase of its own); simple expressions only
    PERFORM tasker_bench.phase('instrumentation');
    v_total := 0;
    v_by := '{}';
    FOR v_i IN 1 .. cardinality(c_phases) LOOP
        CONTINUE WHEN v_ops[v_i] = 0;
        IF v_i >= 3 THEN
            v_total := v_total + v_ops[v_i];
        END IF;
        PERFORM tasker_bench.count('db_ops/' || c_phases[v_i], v_ops[v_i]);
        v_by := v_by || jsonb_build_object(c_phases[v_i], v_ops[v_i]);
    END LOOP;
    PERFORM tasker_bench.count('db_ops', v_total);
    PERFORM tasker_bench.count('db_ops/per_step', v_per_step);
    PERFORM tasker_bench.count('db_ops/per_task', v_total - v_per_step);
    PERFORM tasker_bench.count('steps', CASE v_mode WHEN 'e2e' THEN v_done
                                                    WHEN 'worker_cycle' THEN v_worked ELSE v_sent END);
    IF v_created > 0 THEN
        PERFORM tasker_bench.count('steps_created', v_created);
    END IF;
    PERFORM tasker_bench.count('waves', v_waves);
    PERFORM tasker_bench.count('discovered', v_hit);
    PERFORM tasker_bench.count('pgmq', CASE WHEN v_pgmq THEN 1 ELSE 0 END);
    RETURN jsonb_build_object(
        'shape', lifecycle_run.shape, 'mode', v_mode, 'queue', v_queue_kind, 'task_uuid', v_task,
        'task_state', v_final, 'steps', v_init.step_count + v_created, 'steps_created', v_created,
        'steps_enqueued', v_sent, 'steps_executed', v_worked,
        'steps_completed', v_done, 'waves', v_waves, 'discovered', v_hit = 1, 'db_ops', v_total,
        'db_ops_per_step', v_per_step, 'db_ops_per_task', v_total - v_per_step,
        'db_ops_by_phase', v_by);
END
$fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_run(text, text, text) IS
    'One workflow of a shape through the database with a queue (pgmq or the model; NULL: lifecycle_queue(shape) decides) and a no-op handler: mode e2e, orchestration_cycle or worker_cycle; steps of decision and batch points created when they complete; phases and counters marked for the runner';

CREATE FUNCTION tasker_bench.lifecycle_e2e(shape text, queue text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $fn$ SELECT tasker_bench.lifecycle_run(shape, 'e2e', queue) $fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_e2e(text, text) IS
    'A whole workflow of a shape, step by step, until its task is complete (phases: task_init, discovery, enqueue, message_send, worker_claim, worker_transition, handler, result_submission, result_processing, step_creation, coordination); queue: pgmq, tasker_bench or NULL (automatic)';

CREATE FUNCTION tasker_bench.lifecycle_orchestration_cycle(shape text, queue text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $fn$ SELECT tasker_bench.lifecycle_run(shape, 'orchestration_cycle', queue) $fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_orchestration_cycle(text, text) IS
    'Setup (a new task), then the orchestration cycle: discovery, enqueue, message_send (with notify); queue: pgmq, tasker_bench or NULL (automatic)';

CREATE FUNCTION tasker_bench.lifecycle_worker_cycle(shape text, queue text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $fn$ SELECT tasker_bench.lifecycle_run(shape, 'worker_cycle', queue) $fn$;

COMMENT ON FUNCTION tasker_bench.lifecycle_worker_cycle(text, text) IS
    'Setup (a new task, its first steps enqueued), then the worker cycle of one step: worker_claim, worker_transition, handler, result_submission; queue: pgmq, tasker_bench or NULL (automatic)';

-- Framework overhead per step: the worker cycle (claim, transition, handler,
-- submission) minus the no-op handler's own time, from the phase means.
CREATE VIEW tasker_bench.framework_overhead WITH (security_invoker = true) AS
SELECT p.run_id, p.case_name,
       p.cycle_us / s.steps AS worker_cycle_us,
       p.handler_us / s.steps AS handler_us,
       (p.cycle_us - p.handler_us) / s.steps AS overhead_us,
       s.steps
  FROM (SELECT pr.run_id, pr.case_name,
               sum(pr.mean_us) FILTER (WHERE pr.phase IN ('worker_claim', 'worker_transition', 'handler',
                                                          'result_submission')) AS cycle_us,
               sum(pr.mean_us) FILTER (WHERE pr.phase = 'handler') AS handler_us
          FROM tasker_bench.phase_results pr
         GROUP BY pr.run_id, pr.case_name
        HAVING bool_or(pr.phase = 'handler')) p
  JOIN tasker_bench.results r ON r.run_id = p.run_id AND r.case_name = p.case_name
 CROSS JOIN LATERAL (SELECT greatest(coalesce((r.counters ->> 'steps')::float8, 1), 1) AS steps) s;

COMMENT ON VIEW tasker_bench.framework_overhead IS
    'Per step of each lifecycle result with a handler phase: worker cycle (claim + transition + handler + submission), the handler, and the overhead (their difference), in microseconds';

-- ---------------------------------------------------------------------------
-- Checksums of tables: proof that a run left them as they were
-- ---------------------------------------------------------------------------
CREATE FUNCTION tasker_bench.table_checksums(schema text DEFAULT 'tasker', include_queues boolean DEFAULT true)
RETURNS TABLE (table_name text, row_count bigint, checksum text)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_schema text := table_checksums.schema;
    r record;
BEGIN
    IF v_schema IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = v_schema) THEN
        RAISE EXCEPTION 'schema "%" does not exist', coalesce(v_schema, 'NULL') USING ERRCODE = '3F000',
            HINT = 'Name the schema holding the tasker tables, e.g. tasker.';
    END IF;
    FOR r IN
        SELECT n.nspname, c.relname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND (n.nspname = v_schema
                OR (coalesce(include_queues, true) AND n.nspname = 'tasker_bench'
                    AND c.relname IN ('queues', 'queue_messages', 'queue_archive')))
         ORDER BY n.nspname = v_schema DESC, n.nspname, c.relname
    LOOP
        table_name := r.nspname || '.' || r.relname;
        -- md5 of the sorted md5s of the rows' text: independent of physical order
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(h, '''' ORDER BY h COLLATE "C"), ''''))
                          FROM (SELECT md5(t::text) AS h FROM %I.%I t) s', r.nspname, r.relname)
           INTO row_count, checksum;
        RETURN NEXT;
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.table_checksums(text, boolean) IS
    'Row count and an order-independent md5 of every table of a schema (and of the queue tables): equal before and after a rolled-back run';
