-- Regression checks of the tasker_bench reference model (model/tasker_model.sql).
--
-- Run after the model has been loaded into an otherwise empty schema that is
-- first on the search_path:
--   CREATE SCHEMA tasker; SET search_path = tasker, public;
--   \i model/tasker_model.sql
--   \i sql/include/model_test.sql
--
-- Checks are DO blocks with ASSERT (silent when they pass) and a few plain
-- SELECTs that print names, states and numbers only.  All data is created
-- inside one transaction that is rolled back at the end, so the database is
-- left as it was found; inside that transaction now() is constant, which
-- makes every time-based rule exact.  The only objects that live outside
-- it are a few rows created and removed again by the optional two-phase-commit
-- lock check near the end.

SET client_min_messages = warning;

BEGIN;
SET LOCAL timezone = 'UTC';

-- ---------------------------------------------------------------------------
-- Test helpers (temporary functions, gone with the rollback)
-- ---------------------------------------------------------------------------

-- now() minus an interval, as the model's timestamp without time zone
CREATE FUNCTION pg_temp.ago(p interval) RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT (now() - p)::timestamp $$;

-- A task with its own named task (the name is what discovery reports).
-- p_state NULL: no transition at all; 'pending': one transition at creation;
-- any other state: pending at creation, then p_state entered p_in_state ago.
CREATE FUNCTION pg_temp.mk_task(p_name text,
                                p_priority int DEFAULT 0,
                                p_age interval DEFAULT '0',
                                p_state text DEFAULT 'pending',
                                p_in_state interval DEFAULT '0',
                                p_processor uuid DEFAULT NULL)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    v_ns uuid;
    v_nt uuid;
    v_t  uuid;
BEGIN
    SELECT task_namespace_uuid INTO v_ns FROM task_namespaces WHERE name = 'model_test';
    IF v_ns IS NULL THEN
        INSERT INTO task_namespaces (name, created_at, updated_at)
        VALUES ('model_test', pg_temp.ago('0'), pg_temp.ago('0'))
        RETURNING task_namespace_uuid INTO v_ns;
    END IF;
    INSERT INTO named_tasks (task_namespace_uuid, name, created_at, updated_at)
    VALUES (v_ns, p_name, pg_temp.ago('0'), pg_temp.ago('0'))
    RETURNING named_task_uuid INTO v_nt;
    INSERT INTO tasks (named_task_uuid, requested_at, identity_hash, priority,
                       correlation_id, created_at, updated_at)
    VALUES (v_nt, pg_temp.ago(p_age), 'model_test:' || p_name, p_priority,
            uuid_generate_v7(), pg_temp.ago(p_age), pg_temp.ago(p_age))
    RETURNING task_uuid INTO v_t;
    IF p_state IS NOT NULL THEN
        INSERT INTO task_transitions (task_uuid, to_state, sort_key, most_recent,
                                      created_at, updated_at)
        VALUES (v_t, 'pending', 1, p_state = 'pending', pg_temp.ago(p_age), pg_temp.ago(p_age));
        IF p_state <> 'pending' THEN
            INSERT INTO task_transitions (task_uuid, from_state, to_state, sort_key,
                                          most_recent, processor_uuid, created_at, updated_at)
            VALUES (v_t, 'pending', p_state, 2, true, p_processor,
                    pg_temp.ago(p_in_state), pg_temp.ago(p_in_state));
        END IF;
    END IF;
    RETURN v_t;
END $$;

-- Add a step (named steps are shared by name across tasks)
CREATE FUNCTION pg_temp.add_step(p_task uuid, p_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    v_ns uuid;
    v_s  uuid;
BEGIN
    SELECT named_step_uuid INTO v_ns FROM named_steps WHERE name = p_name;
    IF v_ns IS NULL THEN
        INSERT INTO named_steps (name, created_at, updated_at)
        VALUES (p_name, pg_temp.ago('0'), pg_temp.ago('0'))
        RETURNING named_step_uuid INTO v_ns;
    END IF;
    INSERT INTO workflow_steps (task_uuid, named_step_uuid, created_at, updated_at)
    VALUES (p_task, v_ns, pg_temp.ago('0'), pg_temp.ago('0'))
    RETURNING workflow_step_uuid INTO v_s;
    RETURN v_s;
END $$;

-- The step of a task by name
CREATE FUNCTION pg_temp.st(p_task uuid, p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT ws.workflow_step_uuid
      FROM workflow_steps ws JOIN named_steps n USING (named_step_uuid)
     WHERE ws.task_uuid = p_task AND n.name = p_name
$$;

-- Build one of the benchmark shapes (an edge A -> B: B depends on A)
CREATE FUNCTION pg_temp.mk_shape(p_task uuid, p_shape text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_edges text[];
    v_names text[];
    i int;
BEGIN
    v_edges := CASE p_shape
        WHEN 'linear4' THEN
            ARRAY[['s1','s2'], ['s2','s3'], ['s3','s4']]
        WHEN 'diamond4' THEN
            ARRAY[['start','b'], ['start','c'], ['b','end'], ['c','end']]
        WHEN 'complex_dag7' THEN
            ARRAY[['init','left'], ['init','right'],
                  ['left','validate'], ['right','validate'],
                  ['left','transform'], ['right','analyze'],
                  ['validate','finalize'], ['transform','finalize'], ['analyze','finalize']]
    END;
    SELECT array_agg(DISTINCT x) INTO v_names FROM unnest(v_edges) x;
    FOR i IN 1 .. array_length(v_names, 1) LOOP
        PERFORM pg_temp.add_step(p_task, v_names[i]);
    END LOOP;
    FOR i IN 1 .. array_length(v_edges, 1) LOOP
        INSERT INTO workflow_step_edges (from_step_uuid, to_step_uuid, name, created_at, updated_at)
        VALUES (pg_temp.st(p_task, v_edges[i][1]), pg_temp.st(p_task, v_edges[i][2]),
                'provides', pg_temp.ago('0'), pg_temp.ago('0'));
    END LOOP;
END $$;

-- Move a step to a state (next sort_key, becomes the only most_recent row)
CREATE FUNCTION pg_temp.step_to(p_step uuid, p_state text,
                                p_at interval DEFAULT '0', p_meta jsonb DEFAULT '{}')
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    v_from text;
    v_key  int;
    v_id   uuid;
BEGIN
    SELECT to_state INTO v_from FROM workflow_step_transitions
     WHERE workflow_step_uuid = p_step AND most_recent;
    SELECT coalesce(max(sort_key), 0) + 1 INTO v_key FROM workflow_step_transitions
     WHERE workflow_step_uuid = p_step;
    UPDATE workflow_step_transitions SET most_recent = false
     WHERE workflow_step_uuid = p_step AND most_recent;
    INSERT INTO workflow_step_transitions (workflow_step_uuid, from_state, to_state, metadata,
                                           sort_key, most_recent, created_at, updated_at)
    VALUES (p_step, v_from, p_state, p_meta, v_key, true, pg_temp.ago(p_at), pg_temp.ago(p_at))
    RETURNING workflow_step_transition_uuid INTO v_id;
    RETURN v_id;
END $$;

-- Same, by task and step name
CREATE FUNCTION pg_temp.move(p_task uuid, p_name text, p_state text, p_at interval DEFAULT '0')
RETURNS uuid LANGUAGE sql AS $$
    SELECT pg_temp.step_to(pg_temp.st(p_task, p_name), p_state, p_at)
$$;

-- ---------------------------------------------------------------------------
-- 1. uuid_generate_v7: version 7, RFC variant, millisecond timestamp prefix
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    ms_before bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    u         uuid   := uuid_generate_v7();
    ms_after  bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    hex       text   := replace(u::text, '-', '');
    ms        bigint;
BEGIN
    ms := ('x' || lpad(substr(hex, 1, 12), 16, '0'))::bit(64)::bigint;
    ASSERT substr(hex, 13, 1) = '7', 'version nibble must be 7: ' || u;
    ASSERT substr(hex, 17, 1) IN ('8', '9', 'a', 'b'), 'variant bits must be 10: ' || u;
    ASSERT ms BETWEEN ms_before AND ms_after, 'timestamp prefix must be the current ms';
    ASSERT uuid_generate_v7() <> uuid_generate_v7(), 'ids must differ';
    ASSERT (SELECT count(DISTINCT uuid_generate_v7()) FROM generate_series(1, 1000)) = 1000;
END $$;

DO $$
DECLARE
    a uuid;
    b uuid;
    i int;
BEGIN
    -- ids of later milliseconds sort after earlier ones
    FOR i IN 1 .. 5 LOOP
        a := uuid_generate_v7();
        PERFORM pg_sleep(0.002);
        b := uuid_generate_v7();
        ASSERT a < b, 'v7 ids must be time ordered across milliseconds';
    END LOOP;
END $$;

-- column defaults use the generator
SELECT c.relname, a.attname
  FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  JOIN pg_class c ON c.oid = d.adrelid
 WHERE c.relnamespace = current_schema()::regnamespace
   AND pg_get_expr(d.adbin, d.adrelid) LIKE '%uuid_generate_v7()%'
 ORDER BY 1, 2;

-- ---------------------------------------------------------------------------
-- 2. Constraints: state checks and a single most_recent row per owner
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    t uuid := pg_temp.mk_task('constraints', p_state => NULL);
    s uuid := pg_temp.add_step(t, 'c_step');
    ok boolean;
BEGIN
    ok := false;
    BEGIN
        INSERT INTO task_transitions (task_uuid, to_state, sort_key, created_at, updated_at)
        VALUES (t, 'bogus', 1, now(), now());
    EXCEPTION WHEN check_violation THEN ok := true;
    END;
    ASSERT ok, 'task to_state must be checked';

    ok := false;
    BEGIN
        INSERT INTO task_transitions (task_uuid, from_state, to_state, sort_key, created_at, updated_at)
        VALUES (t, 'enqueued', 'pending', 1, now(), now());   -- a step state, not a task state
    EXCEPTION WHEN check_violation THEN ok := true;
    END;
    ASSERT ok, 'task from_state must be checked';

    ok := false;
    BEGIN
        INSERT INTO workflow_step_transitions (workflow_step_uuid, to_state, sort_key, created_at, updated_at)
        VALUES (s, 'steps_in_process', 1, now(), now());     -- a task state, not a step state
    EXCEPTION WHEN check_violation THEN ok := true;
    END;
    ASSERT ok, 'step to_state must be checked';

    ok := false;
    BEGIN
        INSERT INTO workflow_step_transitions (workflow_step_uuid, from_state, to_state, sort_key, created_at, updated_at)
        VALUES (s, 'initializing', 'pending', 1, now(), now());
    EXCEPTION WHEN check_violation THEN ok := true;
    END;
    ASSERT ok, 'step from_state must be checked';

    INSERT INTO task_transitions (task_uuid, to_state, sort_key, most_recent, created_at, updated_at)
    VALUES (t, 'pending', 1, true, now(), now());
    ok := false;
    BEGIN
        INSERT INTO task_transitions (task_uuid, to_state, sort_key, most_recent, created_at, updated_at)
        VALUES (t, 'initializing', 2, true, now(), now());
    EXCEPTION WHEN unique_violation THEN ok := true;
    END;
    ASSERT ok, 'only one most_recent task transition per task';
    -- any number of historical rows is fine
    INSERT INTO task_transitions (task_uuid, to_state, sort_key, most_recent, created_at, updated_at)
    VALUES (t, 'initializing', 2, false, now(), now()), (t, 'error', 3, false, now(), now());

    PERFORM pg_temp.step_to(s, 'pending');
    ok := false;
    BEGIN
        INSERT INTO workflow_step_transitions (workflow_step_uuid, to_state, sort_key, most_recent, created_at, updated_at)
        VALUES (s, 'enqueued', 2, true, now(), now());
    EXCEPTION WHEN unique_violation THEN ok := true;
    END;
    ASSERT ok, 'only one most_recent step transition per step';

    ok := false;
    BEGIN
        PERFORM pg_temp.mk_task('constraints', p_state => NULL);
    EXCEPTION WHEN unique_violation THEN ok := true;
    END;
    ASSERT ok, 'named task (namespace, name, version) and identity_hash are unique';

    ok := false;
    BEGIN
        PERFORM pg_temp.add_step(t, 'c_step');
    EXCEPTION WHEN unique_violation THEN ok := true;
    END;
    ASSERT ok, 'one workflow step per (task, named step)';
END $$;

-- ---------------------------------------------------------------------------
-- 3. Dependencies: every parent complete or resolved_manually (diamond4)
-- ---------------------------------------------------------------------------
SELECT pg_temp.mk_shape(pg_temp.mk_task('diamond'), 'diamond4');

CREATE TEMP VIEW diamond_readiness AS
SELECT r.name, r.current_state, r.dependencies_satisfied, r.ready_for_execution,
       r.total_parents, r.completed_parents
  FROM get_step_readiness_status(
           (SELECT t.task_uuid FROM tasks t JOIN named_tasks n USING (named_task_uuid)
             WHERE n.name = 'diamond')) r;

-- no transitions at all: every step is pending, only the root is ready
SELECT * FROM diamond_readiness ORDER BY name;

SELECT pg_temp.move(t.task_uuid, 'start', 'complete') IS NOT NULL AS moved
  FROM tasks t JOIN named_tasks n USING (named_task_uuid) WHERE n.name = 'diamond';
-- root complete: both branches ready, the join step still waits for both
SELECT * FROM diamond_readiness ORDER BY name;

SELECT pg_temp.move(t.task_uuid, 'b', 'complete') IS NOT NULL AS moved
  FROM tasks t JOIN named_tasks n USING (named_task_uuid) WHERE n.name = 'diamond';
-- one of two parents complete: not enough
SELECT * FROM diamond_readiness WHERE name = 'end';

SELECT pg_temp.move(t.task_uuid, 'c', 'resolved_manually') IS NOT NULL AS moved
  FROM tasks t JOIN named_tasks n USING (named_task_uuid) WHERE n.name = 'diamond';
-- complete + resolved_manually: satisfied
SELECT * FROM diamond_readiness WHERE name = 'end';

DO $$
DECLARE
    t uuid := (SELECT t.task_uuid FROM tasks t JOIN named_tasks n USING (named_task_uuid)
                WHERE n.name = 'diamond');
    st text;
BEGIN
    -- any other parent state blocks the child
    FOREACH st IN ARRAY ARRAY['pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                              'enqueued_as_error_for_orchestration', 'waiting_for_retry',
                              'error', 'cancelled'] LOOP
        PERFORM pg_temp.move(t, 'c', st);
        ASSERT NOT (SELECT dependencies_satisfied FROM diamond_readiness WHERE name = 'end'),
               'parent in ' || st || ' must not satisfy the dependency';
        ASSERT (SELECT completed_parents FROM diamond_readiness WHERE name = 'end') = 1;
    END LOOP;
    PERFORM pg_temp.move(t, 'c', 'complete');
    ASSERT (SELECT dependencies_satisfied AND ready_for_execution
              FROM diamond_readiness WHERE name = 'end');

    -- current_state of a step is its most_recent transition
    ASSERT (SELECT current_state FROM diamond_readiness WHERE name = 'c') = 'complete';
    -- step_uuids restricts the rows returned
    ASSERT (SELECT count(*) FROM get_step_readiness_status(t, ARRAY[pg_temp.st(t, 'b'), pg_temp.st(t, 'c')])) = 2;
    ASSERT (SELECT count(*) FROM get_step_readiness_status(t)) = 4;
    ASSERT (SELECT count(*) FROM get_step_readiness_status(t, ARRAY[]::uuid[])) = 0;
    -- upstream quirk kept on purpose: with a step filter, parents are looked
    -- up among the filtered steps only, so a parent outside the filter counts
    -- as unfinished
    ASSERT (SELECT NOT dependencies_satisfied AND total_parents = 2 AND completed_parents = 0
              FROM get_step_readiness_status(t, ARRAY[pg_temp.st(t, 'end')]));
    ASSERT (SELECT dependencies_satisfied
              FROM get_step_readiness_status(t, ARRAY[pg_temp.st(t, 'end'), pg_temp.st(t, 'b'),
                                                      pg_temp.st(t, 'c')])
             WHERE workflow_step_uuid = pg_temp.st(t, 'end'));
    -- rows come ordered by task, then step
    ASSERT (SELECT array_agg(r.workflow_step_uuid ORDER BY r.ordinality)
                   = array_agg(r.workflow_step_uuid ORDER BY r.task_uuid, r.workflow_step_uuid)
              FROM get_step_readiness_status(t) WITH ORDINALITY AS r);
END $$;

-- ---------------------------------------------------------------------------
-- 4. Retry eligibility, backoff and the readiness gate
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    t uuid := pg_temp.mk_task('retries');
    s uuid;
    r record;
BEGIN
    -- single independent steps, one per situation
    -- first attempt is always eligible, even when not retryable and max_attempts = 0
    s := pg_temp.add_step(t, 'r_first');
    UPDATE workflow_steps SET attempts = 0, retryable = false, max_attempts = 0 WHERE workflow_step_uuid = s;
    -- NULL attempts / max_attempts behave as 0 / 3
    s := pg_temp.add_step(t, 'r_nulls');
    UPDATE workflow_steps SET attempts = NULL, max_attempts = NULL WHERE workflow_step_uuid = s;
    -- retryable with attempts left
    s := pg_temp.add_step(t, 'r_left');
    UPDATE workflow_steps SET attempts = 2, max_attempts = 3 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '10 minutes');
    -- attempts exhausted
    s := pg_temp.add_step(t, 'r_exhausted');
    UPDATE workflow_steps SET attempts = 3, max_attempts = 3 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '10 minutes');
    -- not retryable after a first attempt
    s := pg_temp.add_step(t, 'r_not_retryable');
    UPDATE workflow_steps SET attempts = 1, retryable = false, max_attempts = 5 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '10 minutes');

    FOR r IN SELECT * FROM get_step_readiness_status(t) LOOP
        CASE r.name
            WHEN 'r_first' THEN
                ASSERT r.retry_eligible AND r.ready_for_execution AND r.max_attempts = 0;
            WHEN 'r_nulls' THEN
                ASSERT r.retry_eligible AND r.ready_for_execution
                       AND r.attempts = 0 AND r.max_attempts = 3;
            WHEN 'r_left' THEN
                ASSERT r.retry_eligible AND r.ready_for_execution AND r.current_state = 'waiting_for_retry';
            WHEN 'r_exhausted' THEN
                ASSERT NOT r.retry_eligible AND NOT r.ready_for_execution;
            WHEN 'r_not_retryable' THEN
                ASSERT NOT r.retry_eligible AND NOT r.ready_for_execution;
        END CASE;
    END LOOP;
END $$;

DO $$
DECLARE
    t uuid := pg_temp.mk_task('backoff');
    s uuid;
    r record;
BEGIN
    -- worker-requested backoff still running: last_attempted_at + backoff, in the future
    s := pg_temp.add_step(t, 'b_requested_future');
    UPDATE workflow_steps SET attempts = 1, backoff_request_seconds = 30,
                              last_attempted_at = pg_temp.ago('10 seconds')
     WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '12 seconds');
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '11 seconds');
    -- worker-requested backoff over (it wins over the failure formula)
    s := pg_temp.add_step(t, 'b_requested_past');
    UPDATE workflow_steps SET attempts = 1, backoff_request_seconds = 5,
                              last_attempted_at = pg_temp.ago('10 seconds')
     WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '1 second');
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '1 second');
    -- no request: last failure + 2^attempts s; 2^3 = 8 s after a failure 5 s ago
    s := pg_temp.add_step(t, 'b_exponential');
    UPDATE workflow_steps SET attempts = 3, max_attempts = 5 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '20 seconds');        -- older failure, ignored
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '19 seconds');
    PERFORM pg_temp.step_to(s, 'error', '5 seconds');         -- latest failure
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '4 seconds');
    -- exponential part is capped at 60 s: 2^10 s -> 60 s
    s := pg_temp.add_step(t, 'b_capped');
    UPDATE workflow_steps SET attempts = 10, max_attempts = 20 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '59 seconds');
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '58 seconds');
    -- backoff request without last_attempted_at falls back to the failure formula
    s := pg_temp.add_step(t, 'b_half_request');
    UPDATE workflow_steps SET attempts = 2, backoff_request_seconds = 600,
                              last_attempted_at = NULL
     WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '10 seconds');
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '9 seconds');
    -- no failure, no request: no retry time
    s := pg_temp.add_step(t, 'b_none');
    UPDATE workflow_steps SET attempts = 1 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'waiting_for_retry', '1 second');
    -- a step in 'error' is never ready, whatever its retry time
    s := pg_temp.add_step(t, 'b_in_error');
    UPDATE workflow_steps SET attempts = 1 WHERE workflow_step_uuid = s;
    PERFORM pg_temp.step_to(s, 'error', '1 hour');
    -- processed / in_process steps are never ready
    s := pg_temp.add_step(t, 'b_processed');
    UPDATE workflow_steps SET processed = true WHERE workflow_step_uuid = s;
    s := pg_temp.add_step(t, 'b_in_process');
    UPDATE workflow_steps SET in_process = true WHERE workflow_step_uuid = s;

    FOR r IN SELECT * FROM get_step_readiness_status(t) LOOP
        CASE r.name
            WHEN 'b_requested_future' THEN
                ASSERT r.next_retry_at = pg_temp.ago('10 seconds') + interval '30 seconds';
                ASSERT r.last_failure_at = pg_temp.ago('12 seconds');
                ASSERT r.retry_eligible AND NOT r.ready_for_execution;
                ASSERT r.backoff_request_seconds = 30 AND r.last_attempted_at = pg_temp.ago('10 seconds');
            WHEN 'b_requested_past' THEN
                ASSERT r.next_retry_at = pg_temp.ago('5 seconds');
                ASSERT r.ready_for_execution;
            WHEN 'b_exponential' THEN
                ASSERT r.last_failure_at = pg_temp.ago('5 seconds');
                ASSERT r.next_retry_at = pg_temp.ago('5 seconds') + interval '8 seconds';
                ASSERT NOT r.ready_for_execution;
            WHEN 'b_capped' THEN
                ASSERT r.next_retry_at = pg_temp.ago('59 seconds') + interval '60 seconds';
                ASSERT NOT r.ready_for_execution;
            WHEN 'b_half_request' THEN
                ASSERT r.next_retry_at = pg_temp.ago('10 seconds') + interval '4 seconds';
                ASSERT r.ready_for_execution;
            WHEN 'b_none' THEN
                ASSERT r.next_retry_at IS NULL AND r.last_failure_at IS NULL;
                ASSERT r.ready_for_execution;
            WHEN 'b_in_error' THEN
                ASSERT r.current_state = 'error' AND r.retry_eligible AND NOT r.ready_for_execution;
            WHEN 'b_processed' THEN
                ASSERT r.current_state = 'pending' AND NOT r.ready_for_execution;
            WHEN 'b_in_process' THEN
                ASSERT r.current_state = 'pending' AND NOT r.ready_for_execution;
        END CASE;
    END LOOP;

    -- the helper on its own, including its optional parameters
    ASSERT calculate_step_next_retry_time(NULL, NULL, NULL, 3) IS NULL;
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', NULL)
           = '2024-01-01 00:00:02';                                   -- attempts NULL counts as 1
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', 0)
           = '2024-01-01 00:00:01';
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', 5)
           = '2024-01-01 00:00:32';
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', 6)
           = '2024-01-01 00:01:00';                                   -- 64 s capped to 60 s
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', 6, 100)
           = '2024-01-01 00:01:04';
    ASSERT calculate_step_next_retry_time(NULL, NULL, '2024-01-01 00:00:00', 2, 60, 3.0)
           = '2024-01-01 00:00:09';
    ASSERT calculate_step_next_retry_time(7, '2024-01-01 00:00:00', '2030-01-01', 9)
           = '2024-01-01 00:00:07';                                   -- request wins

    ASSERT evaluate_step_state_readiness(NULL, NULL, NULL, true, true, true, NULL);
    ASSERT NOT evaluate_step_state_readiness('enqueued', false, false, true, true, true, NULL);
    ASSERT NOT evaluate_step_state_readiness('pending', false, false, false, true, true, NULL);
    ASSERT NOT evaluate_step_state_readiness('pending', false, false, true, false, true, NULL);
    ASSERT NOT evaluate_step_state_readiness('pending', false, false, true, true, true,
                                             pg_temp.ago('-1 second'));
    ASSERT evaluate_step_state_readiness('waiting_for_retry', false, false, true, true, false,
                                         pg_temp.ago('0'));
END $$;

-- set_step_backoff_atomic records the request and stamps the attempt time
DO $$
DECLARE
    t uuid := pg_temp.mk_task('set_backoff');
    s uuid := pg_temp.add_step(t, 'sb_step');
BEGIN
    ASSERT set_step_backoff_atomic(s, 45);
    ASSERT (SELECT backoff_request_seconds = 45 AND last_attempted_at = now()::timestamp
              FROM workflow_steps WHERE workflow_step_uuid = s);
    ASSERT (SELECT next_retry_at = now()::timestamp + interval '45 seconds'
              FROM get_step_readiness_status(t));
    ASSERT NOT set_step_backoff_atomic(uuid_generate_v7(), 45);
END $$;

-- ---------------------------------------------------------------------------
-- 5. Task execution context: one task per situation
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    t uuid;
BEGIN
    -- blocked_by_failures: an 'error' step wins even over ready steps
    t := pg_temp.mk_task('ctx_blocked', p_state => 'steps_in_process', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    PERFORM pg_temp.move(t, 'start', 'complete');
    PERFORM pg_temp.move(t, 'b', 'error');
    -- has_ready_steps
    t := pg_temp.mk_task('ctx_ready', p_state => 'enqueuing_steps', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    PERFORM pg_temp.move(t, 's1', 'complete');
    -- processing: in flight, nothing ready
    t := pg_temp.mk_task('ctx_processing', p_state => 'steps_in_process', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    PERFORM pg_temp.move(t, 'start', 'complete');
    PERFORM pg_temp.move(t, 'b', 'in_progress');
    PERFORM pg_temp.move(t, 'c', 'enqueued_for_orchestration');
    -- processing through the enqueued states only
    t := pg_temp.mk_task('ctx_enqueued', p_state => 'steps_in_process', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    PERFORM pg_temp.move(t, 'start', 'complete');
    PERFORM pg_temp.move(t, 'b', 'enqueued');
    PERFORM pg_temp.move(t, 'c', 'enqueued_as_error_for_orchestration');
    -- all_complete (resolved_manually counts as complete)
    t := pg_temp.mk_task('ctx_all_complete', p_state => 'evaluating_results', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    PERFORM pg_temp.move(t, 's1', 'complete');
    PERFORM pg_temp.move(t, 's2', 'complete');
    PERFORM pg_temp.move(t, 's3', 'resolved_manually');
    PERFORM pg_temp.move(t, 's4', 'complete');
    -- waiting_for_dependencies: nothing ready, nothing in flight (backoff running)
    t := pg_temp.mk_task('ctx_waiting', p_state => 'waiting_for_retry', p_in_state => '1 minute');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    PERFORM pg_temp.move(t, 's1', 'complete');
    UPDATE workflow_steps SET attempts = 1, backoff_request_seconds = 300,
                              last_attempted_at = pg_temp.ago('1 minute')
     WHERE workflow_step_uuid = pg_temp.st(t, 's2');
    PERFORM pg_temp.move(t, 's2', 'waiting_for_retry');
    -- a task without steps and without transitions
    t := pg_temp.mk_task('ctx_empty', p_state => NULL);
END $$;

SELECT n.name AS task, c.status, c.total_steps AS total, c.pending_steps AS pending,
       c.in_progress_steps AS in_prog, c.completed_steps AS done, c.failed_steps AS failed,
       c.ready_steps AS ready, c.enqueued_steps AS enq, c.execution_status,
       c.recommended_action, c.completion_percentage AS pct, c.health_status
  FROM tasks t
  JOIN named_tasks n USING (named_task_uuid)
 CROSS JOIN LATERAL get_task_execution_context(t.task_uuid) c
 WHERE n.name LIKE 'ctx\_%'
 ORDER BY n.name;

DO $$
DECLARE
    ids uuid[] := (SELECT array_agg(task_uuid) FROM tasks);
BEGIN
    -- the batch forms agree with the single-task forms
    ASSERT NOT EXISTS (
        (SELECT b.* FROM get_task_execution_contexts_batch(ids) b
         EXCEPT
         SELECT c.* FROM unnest(ids) i CROSS JOIN LATERAL get_task_execution_context(i) c)
        UNION ALL
        (SELECT c.* FROM unnest(ids) i CROSS JOIN LATERAL get_task_execution_context(i) c
         EXCEPT
         SELECT b.* FROM get_task_execution_contexts_batch(ids) b));
    ASSERT (SELECT count(*) FROM get_task_execution_contexts_batch(ids)) = cardinality(ids);
    ASSERT NOT EXISTS (
        (SELECT b.* FROM get_step_readiness_status_batch(ids) b
         EXCEPT
         SELECT s.* FROM unnest(ids) i CROSS JOIN LATERAL get_step_readiness_status(i) s)
        UNION ALL
        (SELECT s.* FROM unnest(ids) i CROSS JOIN LATERAL get_step_readiness_status(i) s
         EXCEPT
         SELECT b.* FROM get_step_readiness_status_batch(ids) b));
    ASSERT (SELECT count(*) FROM get_step_readiness_status_batch(ids))
           = (SELECT count(*) FROM workflow_steps);
    -- unknown tasks produce no rows
    ASSERT NOT EXISTS (SELECT 1 FROM get_task_execution_context(uuid_generate_v7()));
    ASSERT NOT EXISTS (SELECT 1 FROM get_task_execution_contexts_batch(ARRAY[uuid_generate_v7()]));
    ASSERT NOT EXISTS (SELECT 1 FROM get_step_readiness_status(uuid_generate_v7()));
END $$;

-- ---------------------------------------------------------------------------
-- 6. Transitive dependencies and dependency levels
-- ---------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM pg_temp.mk_shape(pg_temp.mk_task('dag_diamond', p_state => NULL), 'diamond4');
    PERFORM pg_temp.mk_shape(pg_temp.mk_task('dag_complex', p_state => NULL), 'complex_dag7');
    PERFORM pg_temp.mk_shape(pg_temp.mk_task('dag_linear', p_state => NULL), 'linear4');
END $$;

-- ancestors with distance; an ancestor reachable along several paths is
-- listed once per path (upstream behaviour), hence the counts
SELECT n.name AS task, target.step AS target, d.step_name, d.distance, count(*) AS paths,
       bool_and(d.task_uuid = t.task_uuid) AS same_task
  FROM tasks t
  JOIN named_tasks n USING (named_task_uuid)
 CROSS JOIN LATERAL (VALUES ('end'), ('finalize'), ('validate'), ('s4'), ('start'), ('init')) AS target(step)
 CROSS JOIN LATERAL get_step_transitive_dependencies(pg_temp.st(t.task_uuid, target.step)) d
 WHERE n.name IN ('dag_diamond', 'dag_complex', 'dag_linear')
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 4, 3;

DO $$
DECLARE
    t uuid := (SELECT t.task_uuid FROM tasks t JOIN named_tasks n USING (named_task_uuid)
                WHERE n.name = 'dag_complex');
    prev record;
    r record;
BEGIN
    -- roots have no ancestors
    ASSERT NOT EXISTS (SELECT 1 FROM get_step_transitive_dependencies(pg_temp.st(t, 'init')));
    -- result carries the step columns and is ordered by distance, then uuid
    prev := NULL;
    FOR r IN SELECT * FROM get_step_transitive_dependencies(pg_temp.st(t, 'finalize')) LOOP
        ASSERT r.named_step_uuid = (SELECT named_step_uuid FROM named_steps WHERE name = r.step_name);
        ASSERT r.processed = false AND r.results IS NULL;
        IF prev IS NOT NULL THEN
            ASSERT (prev.distance, prev.workflow_step_uuid) <= (r.distance, r.workflow_step_uuid);
        END IF;
        prev := r;
    END LOOP;
    UPDATE workflow_steps SET results = '{"v": 1}', processed = true
     WHERE workflow_step_uuid = pg_temp.st(t, 'init');
    ASSERT (SELECT bool_and(results = '{"v": 1}' AND processed)
              FROM get_step_transitive_dependencies(pg_temp.st(t, 'finalize'))
             WHERE step_name = 'init');
END $$;

-- depth is capped at 50: a chain of 60 steps reports distances 1..50
DO $$
DECLARE
    t uuid := pg_temp.mk_task('dag_chain60', p_state => NULL);
    i int;
BEGIN
    FOR i IN 1 .. 60 LOOP
        PERFORM pg_temp.add_step(t, 'chain_' || i);
        IF i > 1 THEN
            INSERT INTO workflow_step_edges (from_step_uuid, to_step_uuid, name, created_at, updated_at)
            VALUES (pg_temp.st(t, 'chain_' || (i - 1)), pg_temp.st(t, 'chain_' || i), 'provides', now(), now());
        END IF;
    END LOOP;
    ASSERT (SELECT count(*) = 50 AND max(distance) = 50 AND min(distance) = 1
              FROM get_step_transitive_dependencies(pg_temp.st(t, 'chain_60')));
    ASSERT (SELECT step_name FROM get_step_transitive_dependencies(pg_temp.st(t, 'chain_60'))
             WHERE distance = 50) = 'chain_10';
    ASSERT (SELECT max(dependency_level) FROM calculate_dependency_levels(t)) = 59;
END $$;

-- longest path from a root
SELECT n.name AS task, s.name AS step, l.dependency_level
  FROM tasks t
  JOIN named_tasks n USING (named_task_uuid)
 CROSS JOIN LATERAL calculate_dependency_levels(t.task_uuid) l
  JOIN workflow_steps ws ON ws.workflow_step_uuid = l.workflow_step_uuid
  JOIN named_steps s ON s.named_step_uuid = ws.named_step_uuid
 WHERE n.name IN ('dag_complex', 'dag_diamond')
 ORDER BY 1, 3, 2;

-- ---------------------------------------------------------------------------
-- 7. transition_task_state_atomic: compare-and-swap
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    t    uuid := pg_temp.mk_task('cas');
    proc uuid := uuid_generate_v7();
    none uuid := pg_temp.mk_task('cas_no_transitions', p_state => NULL);
    r    record;
BEGIN
    ASSERT get_current_task_state(t) = 'pending';
    ASSERT transition_task_state_atomic(t, 'pending', 'initializing', proc, '{"why": "claim"}');
    ASSERT get_current_task_state(t) = 'initializing';
    SELECT * INTO r FROM task_transitions WHERE task_uuid = t AND most_recent;
    ASSERT r.sort_key = 2 AND r.from_state = 'pending' AND r.processor_uuid = proc
           AND r.transition_metadata = '{"why": "claim"}' AND r.metadata = '{}'
           AND r.created_at = now()::timestamp;

    -- refused: the task is not in the expected state; nothing is written
    ASSERT NOT transition_task_state_atomic(t, 'pending', 'initializing', proc);
    ASSERT NOT transition_task_state_atomic(t, 'enqueuing_steps', 'steps_in_process', proc);
    ASSERT (SELECT count(*) FROM task_transitions WHERE task_uuid = t) = 2;
    ASSERT get_current_task_state(t) = 'initializing';

    -- processor is recorded only, not enforced; metadata defaults to {}
    ASSERT transition_task_state_atomic(t, 'initializing', 'enqueuing_steps', NULL);
    ASSERT (SELECT transition_metadata = '{}' AND processor_uuid IS NULL
              FROM task_transitions WHERE task_uuid = t AND most_recent);
    ASSERT transition_task_state_atomic(t, 'enqueuing_steps', 'steps_in_process', uuid_generate_v7());

    -- a target state outside the check constraint fails loudly
    BEGIN
        PERFORM transition_task_state_atomic(t, 'steps_in_process', 'bogus', proc);
        ASSERT false, 'invalid to_state must raise';
    EXCEPTION WHEN check_violation THEN NULL;
    END;

    -- a task without any transition has no current state: always refused
    ASSERT get_current_task_state(none) IS NULL;
    ASSERT NOT transition_task_state_atomic(none, 'pending', 'initializing', proc);
    ASSERT NOT EXISTS (SELECT 1 FROM task_transitions WHERE task_uuid = none);
    ASSERT NOT transition_task_state_atomic(uuid_generate_v7(), 'pending', 'initializing', proc);
END $$;

SELECT tt.sort_key, tt.from_state, tt.to_state, tt.most_recent,
       tt.processor_uuid IS NOT NULL AS has_processor
  FROM task_transitions tt
  JOIN tasks t USING (task_uuid)
  JOIN named_tasks n USING (named_task_uuid)
 WHERE n.name = 'cas'
 ORDER BY tt.sort_key;

-- ---------------------------------------------------------------------------
-- 8. Audit trigger: one audit row per worker result transition
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    t    uuid := pg_temp.mk_task('audit');
    s    uuid := pg_temp.add_step(t, 'a_step');
    w    uuid := uuid_generate_v7();
    c    uuid := uuid_generate_v7();
    tr   uuid;
    r    record;
BEGIN
    PERFORM pg_temp.step_to(s, 'pending', '5 seconds');
    PERFORM pg_temp.step_to(s, 'enqueued', '4 seconds');
    PERFORM pg_temp.step_to(s, 'in_progress', '3 seconds');
    ASSERT NOT EXISTS (SELECT 1 FROM workflow_step_result_audit WHERE workflow_step_uuid = s),
           'no audit for non-result states';

    -- success result with the event serialized as a JSON string
    tr := pg_temp.step_to(s, 'enqueued_for_orchestration', '2 seconds',
            jsonb_build_object('worker_uuid', w, 'correlation_id', c,
                               'event', '{"success": true, "metadata": {"execution_time_ms": 42}}'));
    SELECT * INTO r FROM workflow_step_result_audit WHERE workflow_step_transition_uuid = tr;
    ASSERT r.workflow_step_uuid = s AND r.task_uuid = t AND r.worker_uuid = w
           AND r.correlation_id = c AND r.success AND r.execution_time_ms = 42
           AND r.recorded_at = now()::timestamp AND r.workflow_step_result_audit_uuid IS NOT NULL;

    -- the event's own success flag wins over the state
    tr := pg_temp.step_to(s, 'enqueued_for_orchestration', '1 second',
            jsonb_build_object('event', jsonb_build_object('success', false)));
    ASSERT (SELECT NOT success AND worker_uuid IS NULL AND execution_time_ms IS NULL
              FROM workflow_step_result_audit WHERE workflow_step_transition_uuid = tr);

    -- unreadable attribution is recorded as NULL, success falls back to the state
    tr := pg_temp.step_to(s, 'enqueued_as_error_for_orchestration', '0',
            '{"worker_uuid": "not-a-uuid", "correlation_id": 17, "event": "{broken"}');
    ASSERT (SELECT NOT success AND worker_uuid IS NULL AND correlation_id IS NULL
                   AND execution_time_ms IS NULL
              FROM workflow_step_result_audit WHERE workflow_step_transition_uuid = tr);
    tr := pg_temp.step_to(s, 'enqueued_for_orchestration', '0');
    ASSERT (SELECT success FROM workflow_step_result_audit WHERE workflow_step_transition_uuid = tr);

    -- orchestration's own follow-up transitions are not audited
    PERFORM pg_temp.step_to(s, 'complete', '0');
    ASSERT (SELECT count(*) FROM workflow_step_result_audit WHERE workflow_step_uuid = s) = 4;
END $$;

-- ---------------------------------------------------------------------------
-- 9. Task discovery: get_next_ready_tasks
-- ---------------------------------------------------------------------------
-- Discovery looks at every task in the schema, so each scenario runs on its
-- own data between a savepoint and a rollback to it, after removing the
-- tasks of the earlier sections (also rolled back).
CREATE FUNCTION pg_temp.clear_tasks() RETURNS void LANGUAGE sql AS $$
    DELETE FROM workflow_step_result_audit;
    DELETE FROM workflow_step_transitions;
    DELETE FROM workflow_step_edges;
    DELETE FROM workflow_steps;
    DELETE FROM task_transitions;
    DELETE FROM tasks;
$$;

SAVEPOINT discovery;
SELECT pg_temp.clear_tasks();

DO $$
DECLARE
    t uuid;
BEGIN
    -- pending tasks are always candidates, whatever their steps
    PERFORM pg_temp.mk_task('nrt_pending_fresh', 3, '10 minutes');          -- 3 + 1/6 h * 0.1
    PERFORM pg_temp.mk_task('nrt_pending_aging', 10, '2 hours');            -- 10 * exp(-7200/43200)
    PERFORM pg_temp.mk_task('nrt_pending_stale', 50, '25 hours');           -- 0.1
    -- waiting_for_dependencies with a ready step, 30 min in state: candidate
    t := pg_temp.mk_task('nrt_deps_ready', 1, '3 hours', 'waiting_for_dependencies', '30 minutes');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    PERFORM pg_temp.move(t, 's1', 'complete');
    -- same but 61 min in state: past the 60 min window
    t := pg_temp.mk_task('nrt_deps_too_long', 9, '3 hours', 'waiting_for_dependencies', '61 minutes');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    -- waiting_for_dependencies without ready steps (work in flight): not returned
    t := pg_temp.mk_task('nrt_deps_processing', 9, '1 hour', 'waiting_for_dependencies', '5 minutes');
    PERFORM pg_temp.mk_shape(t, 'linear4');
    PERFORM pg_temp.move(t, 's1', 'in_progress');
    -- waiting_for_retry, 20 min in state, retry due: candidate
    t := pg_temp.mk_task('nrt_retry_ready', 2, '1 hour', 'waiting_for_retry', '20 minutes');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    UPDATE workflow_steps SET attempts = 1 WHERE workflow_step_uuid = pg_temp.st(t, 'start');
    PERFORM pg_temp.move(t, 'start', 'error', '21 minutes');
    PERFORM pg_temp.move(t, 'start', 'waiting_for_retry', '20 minutes');
    -- waiting_for_retry 31 min in state: past the 30 min window
    t := pg_temp.mk_task('nrt_retry_too_long', 9, '1 hour', 'waiting_for_retry', '31 minutes');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    -- blocked by a failure although other steps are ready: not returned
    t := pg_temp.mk_task('nrt_deps_blocked', 9, '1 hour', 'waiting_for_dependencies', '5 minutes');
    PERFORM pg_temp.mk_shape(t, 'diamond4');
    PERFORM pg_temp.move(t, 'start', 'complete');
    PERFORM pg_temp.move(t, 'b', 'error');
    -- states that are never candidates, claimed or not
    PERFORM pg_temp.mk_task('nrt_claimed', 9, '1 hour', 'initializing', '1 minute', uuid_generate_v7());
    PERFORM pg_temp.mk_task('nrt_in_process', 9, '1 hour', 'steps_in_process', '1 minute');
    PERFORM pg_temp.mk_task('nrt_complete', 9, '1 hour', 'complete', '1 minute');
    PERFORM pg_temp.mk_task('nrt_error', 9, '1 hour', 'error', '1 minute');
    PERFORM pg_temp.mk_task('nrt_blocked_state', 9, '1 hour', 'blocked_by_failures', '1 minute');
    -- no transition at all: not a candidate (no current state)
    PERFORM pg_temp.mk_task('nrt_no_transition', 9, '1 hour', NULL);
END $$;

-- The locking clause: upstream puts FOR UPDATE SKIP LOCKED on a query over a
-- WITH query, which PostgreSQL applies to no table at all.  A row lock taken
-- in a subtransaction of ours rewrites the row's xmax (the foreign key checks
-- above already left a key-share lock of an earlier subtransaction there, so
-- a new lock turns it into a multixact).  Discovery leaves xmax unchanged;
-- the control query with a real FOR UPDATE shows the check can fail.  This
-- must run before any other discovery call of this scenario: a lock taken by
-- an earlier call in the same subtransaction would already be in place.
CREATE FUNCTION pg_temp.xmax_changed(p_query text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    before text[];
    after  text[];
BEGIN
    SELECT array_agg(xmax::text ORDER BY task_uuid) INTO before FROM tasks;
    BEGIN                   -- a block with a handler runs as its own subtransaction
        EXECUTE p_query;
    EXCEPTION WHEN others THEN
        RAISE;
    END;
    SELECT array_agg(xmax::text ORDER BY task_uuid) INTO after FROM tasks;
    RETURN before IS DISTINCT FROM after;
END $$;
SELECT pg_temp.xmax_changed('SELECT count(*) FROM get_next_ready_tasks(10)') AS discovery_locks_rows,
       pg_temp.xmax_changed('SELECT count(*) FROM (SELECT 1 FROM tasks FOR UPDATE SKIP LOCKED) x')
           AS control_locks_rows;

-- returned in computed_priority order; computed_priority follows the decay rules
SELECT r.task_name, r.priority, r.namespace_name, r.ready_steps_count,
       round(r.computed_priority, 6) AS computed_priority, r.current_state
  FROM get_next_ready_tasks(10) r;

DO $$
BEGIN
    ASSERT (SELECT computed_priority FROM get_next_ready_tasks(10) WHERE task_name = 'nrt_pending_fresh')
           = 3 + (600::numeric / 3600) * 0.1;
    ASSERT (SELECT computed_priority FROM get_next_ready_tasks(10) WHERE task_name = 'nrt_pending_aging')
           = 10 * exp(-7200::numeric / 43200);
    ASSERT (SELECT computed_priority FROM get_next_ready_tasks(10) WHERE task_name = 'nrt_pending_stale')
           = 0.1;
    -- fresh in state: age is measured from task creation (3 h), not from the state
    ASSERT (SELECT computed_priority FROM get_next_ready_tasks(10) WHERE task_name = 'nrt_deps_ready')
           = 1 + 3 * 0.1;
    -- default limit is 5, p_limit caps the result
    ASSERT (SELECT count(*) FROM get_next_ready_tasks()) = 5;
    ASSERT (SELECT count(*) FROM get_next_ready_tasks(2)) = 2;
    ASSERT (SELECT array_agg(task_name ORDER BY computed_priority DESC) FROM get_next_ready_tasks(2))
           = ARRAY['nrt_pending_aging', 'nrt_pending_fresh']::varchar[];
    -- get_next_ready_task is the p_limit = 1 form
    ASSERT (SELECT task_name FROM get_next_ready_task()) = 'nrt_pending_aging';
    ASSERT (SELECT count(*) FROM get_next_ready_task()) = 1;
    -- the per-task form reports any task, with undecayed priority
    ASSERT (SELECT current_state = 'steps_in_process' AND ready_steps_count = 0
                   AND computed_priority = 9 + 0.1
              FROM tasks t JOIN named_tasks n USING (named_task_uuid)
             CROSS JOIN LATERAL get_task_ready_info(t.task_uuid)
             WHERE n.name = 'nrt_in_process');
    ASSERT (SELECT ready_steps_count = 1 AND computed_priority = 1 + 0.3
              FROM tasks t JOIN named_tasks n USING (named_task_uuid)
             CROSS JOIN LATERAL get_task_ready_info(t.task_uuid)
             WHERE n.name = 'nrt_deps_ready');
    ASSERT NOT EXISTS (SELECT 1 FROM tasks t JOIN named_tasks n USING (named_task_uuid)
                        CROSS JOIN LATERAL get_task_ready_info(t.task_uuid)
                        WHERE n.name = 'nrt_no_transition');
END $$;

-- system wide counts by current state
SELECT * FROM get_system_health_counts();

ROLLBACK TO SAVEPOINT discovery;

-- Pre-filter: only the best p_limit * 10 candidates are examined, older task
-- first on equal priority.  Ten older tasks without ready steps, all with the
-- same computed priority 2.0 as one younger pending task, hide it from
-- p_limit = 1 but not from p_limit = 2.
SAVEPOINT prefilter;
SELECT pg_temp.clear_tasks();
DO $$
DECLARE
    t uuid;
    i int;
BEGIN
    FOR i IN 1 .. 10 LOOP
        -- priority 1 + 10 h * 0.1 = 2.0, but nothing ready (first step in flight)
        t := pg_temp.mk_task('pf_busy_' || i, 1, '10 hours', 'waiting_for_dependencies', '10 minutes');
        PERFORM pg_temp.mk_shape(t, 'linear4');
        PERFORM pg_temp.move(t, 's1', 'enqueued');
    END LOOP;
    -- priority 2 + 0 h * 0.1 = 2.0, created now
    PERFORM pg_temp.mk_task('pf_young_pending', 2, '0');
    -- same computed priority for all eleven
    ASSERT (SELECT count(DISTINCT i.computed_priority) = 1 AND min(i.computed_priority) = 2
              FROM tasks tk CROSS JOIN LATERAL get_task_ready_info(tk.task_uuid) i);
    ASSERT NOT EXISTS (SELECT 1 FROM get_next_ready_tasks(1)),
           'the 10 older candidates fill the p_limit * 10 window';
    ASSERT NOT EXISTS (SELECT 1 FROM get_next_ready_task());
    ASSERT (SELECT array_agg(task_name) FROM get_next_ready_tasks(2)) = ARRAY['pf_young_pending']::varchar[];
END $$;
ROLLBACK TO SAVEPOINT prefilter;

-- Claimed tasks: a current transition with a processor in an active state is
-- never a candidate (its state already excludes it; the explicit rule is
-- checked here too by a pending task that would otherwise win).
SAVEPOINT claimed;
SELECT pg_temp.clear_tasks();
DO $$
DECLARE
    t uuid := pg_temp.mk_task('cl_task', 5, '0');
BEGIN
    ASSERT (SELECT array_agg(task_name) FROM get_next_ready_tasks()) = ARRAY['cl_task']::varchar[];
    ASSERT transition_task_state_atomic(t, 'pending', 'initializing', uuid_generate_v7());
    ASSERT NOT EXISTS (SELECT 1 FROM get_next_ready_tasks());
    ASSERT transition_task_state_atomic(t, 'initializing', 'waiting_for_dependencies', NULL);
    -- no steps, not pending: nothing ready, so not returned
    ASSERT NOT EXISTS (SELECT 1 FROM get_next_ready_tasks());
    PERFORM pg_temp.add_step(t, 'cl_step');
    ASSERT (SELECT array_agg(task_name || ':' || current_state || ':' || ready_steps_count)
              FROM get_next_ready_tasks())
           = ARRAY['cl_task:waiting_for_dependencies:1'];
END $$;
ROLLBACK TO SAVEPOINT claimed;

ROLLBACK;

-- ---------------------------------------------------------------------------
-- 10. Row locks held by another transaction (needs max_prepared_transactions > 0)
-- ---------------------------------------------------------------------------
-- A second session is not available here.  A prepared transaction is the
-- closest substitute: it keeps its row locks after this session moves on.
-- The check confirms that discovery neither waits for nor skips a task row
-- locked elsewhere (the locking clause has no table to act on, see above).
-- Real two-session concurrency (claims racing, CAS under contention) is not
-- covered by this file.  Without prepared transactions the block is skipped
-- and the output is the same.
SELECT current_setting('max_prepared_transactions')::int > 0 AS have_2pc \gset
\if :have_2pc
BEGIN;
SET LOCAL timezone = 'UTC';
INSERT INTO task_namespaces (task_namespace_uuid, name, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-00000000a001', 'model_test_2pc', now(), now());
INSERT INTO named_tasks (named_task_uuid, task_namespace_uuid, name, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-00000000a002', '00000000-0000-7000-8000-00000000a001',
        'model_test_2pc_task', now(), now());
INSERT INTO tasks (task_uuid, named_task_uuid, requested_at, identity_hash, correlation_id,
                   created_at, updated_at)
VALUES ('00000000-0000-7000-8000-00000000a003', '00000000-0000-7000-8000-00000000a002',
        now(), 'model_test_2pc', uuid_generate_v7(), now(), now());
INSERT INTO task_transitions (task_uuid, to_state, sort_key, most_recent, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-00000000a003', 'pending', 1, true, now(), now());
COMMIT;

BEGIN;
DO $$
BEGIN
    PERFORM 1 FROM tasks WHERE task_uuid = '00000000-0000-7000-8000-00000000a003' FOR UPDATE;
END $$;
PREPARE TRANSACTION 'tasker_model_test_lock';

BEGIN;
SET LOCAL lock_timeout = '5s';
DO $$
BEGIN
    ASSERT EXISTS (SELECT 1 FROM get_next_ready_tasks(5)
                    WHERE task_uuid = '00000000-0000-7000-8000-00000000a003'),
           'a task row locked by another transaction is still returned (upstream behaviour)';
END $$;
ROLLBACK;

ROLLBACK PREPARED 'tasker_model_test_lock';
BEGIN;
DELETE FROM task_transitions WHERE task_uuid = '00000000-0000-7000-8000-00000000a003';
DELETE FROM tasks WHERE task_uuid = '00000000-0000-7000-8000-00000000a003';
DELETE FROM named_tasks WHERE named_task_uuid = '00000000-0000-7000-8000-00000000a002';
DELETE FROM task_namespaces WHERE task_namespace_uuid = '00000000-0000-7000-8000-00000000a001';
COMMIT;
\endif

-- nothing is left behind
SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM task_namespaces) AS namespaces,
       (SELECT count(*) FROM named_steps) AS named_steps,
       (SELECT count(*) FROM workflow_step_result_audit) AS audit_rows,
       (SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'tasker_model_test_lock') AS prepared;

RESET client_min_messages;
