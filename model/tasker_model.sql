-- tasker_bench reference model of tasker-core's orchestration schema.
--
-- Written for tasker_bench from the interface facts of tasker-core (table,
-- column, index and function names, signatures, result columns, semantics);
-- it is not tasker-core's own code.
--
-- How to run: once, into an EMPTY schema, with search_path set to that schema
-- followed by public, e.g.  SET search_path = tasker, public;
-- Every object name below is unqualified, so everything lands in the first
-- schema of the search_path.  Like tasker-core, the functions name their
-- tables unqualified and resolve them through the caller's search_path; they
-- deliberately do not pin a search_path of their own.
--
-- The text contains plain SQL statements only (no psql meta-commands, no
-- transaction control, no SET), so it can also be run as one string through
-- PL/pgSQL EXECUTE.  Messaging (pgmq) is not part of this file.

-- ===========================================================================
-- UUID v7 generator
-- ===========================================================================
-- tasker-core's column defaults call uuid_generate_v7() (pg_uuidv7 on PG17,
-- an alias of the native uuidv7() on PG18).  Where the server has uuidv7()
-- (PostgreSQL 18) the model's uuid_generate_v7() is that alias too.
-- PostgreSQL 15 to 17 have no native one, so there the model builds one from
-- core functions only: the first 48 bits are the Unix time in milliseconds
-- (big endian), the rest comes from a random v4 uuid whose version nibble is
-- rewritten from 4 (0100) to 7 (0111); the RFC 4122 variant bits of the v4
-- uuid are already right.  Ids are therefore ordered by millisecond; within
-- one millisecond the order is random, as with pg_uuidv7.  (The native one
-- also orders ids within a millisecond.)  Both are SQL functions the planner
-- inlines.

DO $uuidv7$
BEGIN
    IF pg_catalog.to_regprocedure('pg_catalog.uuidv7()') IS NOT NULL THEN
        CREATE FUNCTION uuid_generate_v7() RETURNS uuid
        LANGUAGE sql VOLATILE PARALLEL SAFE
        AS $fn$ SELECT pg_catalog.uuidv7() $fn$;
        COMMENT ON FUNCTION uuid_generate_v7() IS
            'tasker_bench model: time-ordered UUID v7, the server''s native uuidv7() (PostgreSQL 18 and later)';
    ELSE
        CREATE FUNCTION uuid_generate_v7() RETURNS uuid
        LANGUAGE sql VOLATILE PARALLEL SAFE
        AS $fn$
            SELECT encode(
                       set_bit(
                           set_bit(
                               overlay(uuid_send(gen_random_uuid())
                                       PLACING substring(
                                           int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                                           FROM 3)
                                       FROM 1 FOR 6),
                               52, 1),
                           53, 1),
                       'hex')::uuid
        $fn$;
        COMMENT ON FUNCTION uuid_generate_v7() IS
            'tasker_bench model: time-ordered UUID v7 (48-bit ms timestamp + random) for PostgreSQL 15 to 17, no extension needed';
    END IF;
END
$uuidv7$;

-- ===========================================================================
-- Types
-- ===========================================================================

CREATE TYPE identity_strategy AS ENUM ('strict', 'caller_provided', 'always_unique');

-- ===========================================================================
-- Tables
-- ===========================================================================

CREATE TABLE task_namespaces (
    task_namespace_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    name                varchar(64) NOT NULL,
    description         varchar(255),
    created_at          timestamp(6) without time zone NOT NULL,
    updated_at          timestamp(6) without time zone NOT NULL,
    CONSTRAINT task_namespaces_pkey PRIMARY KEY (task_namespace_uuid),
    CONSTRAINT task_namespaces_name_key UNIQUE (name),
    CONSTRAINT task_namespaces_name_unique UNIQUE (name)
);

CREATE TABLE named_tasks (
    named_task_uuid     uuid NOT NULL DEFAULT uuid_generate_v7(),
    task_namespace_uuid uuid NOT NULL,
    name                varchar(64) NOT NULL,
    description         varchar(255),
    version             varchar(16) NOT NULL DEFAULT '0.1.0',
    configuration       jsonb DEFAULT '{}'::jsonb,
    created_at          timestamp(6) without time zone NOT NULL,
    updated_at          timestamp(6) without time zone NOT NULL,
    identity_strategy   identity_strategy NOT NULL DEFAULT 'strict',
    CONSTRAINT named_tasks_pkey PRIMARY KEY (named_task_uuid),
    CONSTRAINT named_tasks_namespace_name_version_unique UNIQUE (task_namespace_uuid, name, version),
    CONSTRAINT named_tasks_task_namespace_uuid_fkey FOREIGN KEY (task_namespace_uuid)
        REFERENCES task_namespaces (task_namespace_uuid)
);

CREATE TABLE named_steps (
    named_step_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    name            varchar(128) NOT NULL,
    description     varchar(255),
    created_at      timestamp(6) without time zone NOT NULL,
    updated_at      timestamp(6) without time zone NOT NULL,
    CONSTRAINT named_steps_pkey PRIMARY KEY (named_step_uuid),
    CONSTRAINT named_steps_name_unique UNIQUE (name)
);

CREATE TABLE named_tasks_named_steps (
    ntns_uuid            uuid NOT NULL DEFAULT uuid_generate_v7(),
    named_task_uuid      uuid NOT NULL,
    named_step_uuid      uuid NOT NULL,
    default_retryable    boolean NOT NULL DEFAULT true,
    default_max_attempts integer NOT NULL DEFAULT 3,
    created_at           timestamp(6) without time zone NOT NULL,
    updated_at           timestamp(6) without time zone NOT NULL,
    CONSTRAINT named_tasks_named_steps_pkey PRIMARY KEY (ntns_uuid),
    CONSTRAINT named_tasks_named_steps_unique UNIQUE (named_task_uuid, named_step_uuid),
    CONSTRAINT named_tasks_named_steps_named_task_uuid_fkey FOREIGN KEY (named_task_uuid)
        REFERENCES named_tasks (named_task_uuid),
    CONSTRAINT named_tasks_named_steps_named_step_uuid_fkey FOREIGN KEY (named_step_uuid)
        REFERENCES named_steps (named_step_uuid)
);

CREATE TABLE tasks (
    task_uuid             uuid NOT NULL DEFAULT uuid_generate_v7(),
    named_task_uuid       uuid NOT NULL,
    complete              boolean NOT NULL DEFAULT false,
    requested_at          timestamp without time zone NOT NULL,
    completed_at          timestamp without time zone,
    initiator             varchar(128),
    source_system         varchar(128),
    reason                varchar(128),
    tags                  jsonb,
    context               jsonb,
    identity_hash         varchar(128) NOT NULL,
    created_at            timestamp(6) without time zone NOT NULL,
    updated_at            timestamp(6) without time zone NOT NULL,
    priority              integer NOT NULL DEFAULT 0,
    correlation_id        uuid NOT NULL,
    parent_correlation_id uuid,
    CONSTRAINT tasks_pkey PRIMARY KEY (task_uuid),
    CONSTRAINT tasks_named_task_uuid_fkey FOREIGN KEY (named_task_uuid)
        REFERENCES named_tasks (named_task_uuid)
);

CREATE TABLE workflow_steps (
    workflow_step_uuid      uuid NOT NULL DEFAULT uuid_generate_v7(),
    task_uuid               uuid NOT NULL,
    named_step_uuid         uuid NOT NULL,
    retryable               boolean NOT NULL DEFAULT true,
    max_attempts            integer DEFAULT 3,
    in_process              boolean NOT NULL DEFAULT false,
    processed               boolean NOT NULL DEFAULT false,
    processed_at            timestamp without time zone,
    attempts                integer,
    last_attempted_at       timestamp without time zone,
    backoff_request_seconds integer,
    inputs                  jsonb,
    results                 jsonb,
    created_at              timestamp(6) without time zone NOT NULL,
    updated_at              timestamp(6) without time zone NOT NULL,
    priority                integer NOT NULL DEFAULT 0,
    checkpoint              jsonb,
    CONSTRAINT workflow_steps_pkey PRIMARY KEY (workflow_step_uuid),
    CONSTRAINT uq_workflow_step_task_named_step UNIQUE (task_uuid, named_step_uuid),
    CONSTRAINT workflow_steps_task_uuid_fkey FOREIGN KEY (task_uuid)
        REFERENCES tasks (task_uuid),
    CONSTRAINT workflow_steps_named_step_uuid_fkey FOREIGN KEY (named_step_uuid)
        REFERENCES named_steps (named_step_uuid)
);

-- An edge from A to B means: B depends on A (A is a parent of B).
CREATE TABLE workflow_step_edges (
    workflow_step_edge_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    from_step_uuid          uuid NOT NULL,
    to_step_uuid            uuid NOT NULL,
    name                    varchar NOT NULL,
    created_at              timestamp(6) without time zone NOT NULL,
    updated_at              timestamp(6) without time zone NOT NULL,
    CONSTRAINT workflow_step_edges_pkey PRIMARY KEY (workflow_step_edge_uuid),
    CONSTRAINT unique_edge_per_step_pair UNIQUE (from_step_uuid, to_step_uuid, name),
    CONSTRAINT workflow_step_edges_from_step_uuid_fkey FOREIGN KEY (from_step_uuid)
        REFERENCES workflow_steps (workflow_step_uuid),
    CONSTRAINT workflow_step_edges_to_step_uuid_fkey FOREIGN KEY (to_step_uuid)
        REFERENCES workflow_steps (workflow_step_uuid)
);

CREATE TABLE task_transitions (
    task_transition_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    task_uuid            uuid NOT NULL,
    to_state             varchar NOT NULL,
    from_state           varchar,
    metadata             jsonb DEFAULT '{}'::jsonb,
    sort_key             integer NOT NULL,
    most_recent          boolean NOT NULL DEFAULT false,
    created_at           timestamp(6) without time zone NOT NULL,
    updated_at           timestamp(6) without time zone NOT NULL,
    processor_uuid       uuid,
    transition_metadata  jsonb DEFAULT '{}'::jsonb,
    CONSTRAINT task_transitions_pkey PRIMARY KEY (task_transition_uuid),
    CONSTRAINT task_transitions_task_uuid_fkey FOREIGN KEY (task_uuid)
        REFERENCES tasks (task_uuid),
    CONSTRAINT chk_task_transitions_to_state CHECK (
        to_state IN ('pending', 'initializing', 'enqueuing_steps', 'steps_in_process',
                     'evaluating_results', 'waiting_for_dependencies', 'waiting_for_retry',
                     'blocked_by_failures', 'complete', 'error', 'cancelled',
                     'resolved_manually')),
    CONSTRAINT chk_task_transitions_from_state CHECK (
        from_state IS NULL
        OR from_state IN ('pending', 'initializing', 'enqueuing_steps', 'steps_in_process',
                          'evaluating_results', 'waiting_for_dependencies', 'waiting_for_retry',
                          'blocked_by_failures', 'complete', 'error', 'cancelled',
                          'resolved_manually'))
);

CREATE TABLE workflow_step_transitions (
    workflow_step_transition_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    workflow_step_uuid            uuid NOT NULL,
    to_state                      varchar NOT NULL,
    from_state                    varchar,
    metadata                      jsonb DEFAULT '{}'::jsonb,
    sort_key                      integer NOT NULL,
    most_recent                   boolean NOT NULL DEFAULT false,
    created_at                    timestamp(6) without time zone NOT NULL,
    updated_at                    timestamp(6) without time zone NOT NULL,
    CONSTRAINT workflow_step_transitions_pkey PRIMARY KEY (workflow_step_transition_uuid),
    CONSTRAINT workflow_step_transitions_workflow_step_uuid_fkey FOREIGN KEY (workflow_step_uuid)
        REFERENCES workflow_steps (workflow_step_uuid),
    CONSTRAINT chk_workflow_step_transitions_to_state CHECK (
        to_state IN ('pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                     'enqueued_as_error_for_orchestration', 'waiting_for_retry', 'complete',
                     'error', 'cancelled', 'resolved_manually')),
    CONSTRAINT chk_workflow_step_transitions_from_state CHECK (
        from_state IS NULL
        OR from_state IN ('pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                          'enqueued_as_error_for_orchestration', 'waiting_for_retry', 'complete',
                          'error', 'cancelled', 'resolved_manually'))
);

-- One row per worker result transition (written by trg_step_result_audit).
CREATE TABLE workflow_step_result_audit (
    workflow_step_result_audit_uuid uuid NOT NULL DEFAULT uuid_generate_v7(),
    workflow_step_uuid              uuid NOT NULL,
    workflow_step_transition_uuid   uuid NOT NULL,
    task_uuid                       uuid NOT NULL,
    recorded_at                     timestamp(6) without time zone NOT NULL DEFAULT now(),
    worker_uuid                     uuid,
    correlation_id                  uuid,
    success                         boolean NOT NULL,
    execution_time_ms               bigint,
    created_at                      timestamp(6) without time zone NOT NULL DEFAULT now(),
    updated_at                      timestamp(6) without time zone NOT NULL DEFAULT now(),
    CONSTRAINT workflow_step_result_audit_pkey PRIMARY KEY (workflow_step_result_audit_uuid),
    CONSTRAINT uq_audit_step_transition UNIQUE (workflow_step_uuid, workflow_step_transition_uuid),
    CONSTRAINT workflow_step_result_audit_workflow_step_uuid_fkey FOREIGN KEY (workflow_step_uuid)
        REFERENCES workflow_steps (workflow_step_uuid),
    CONSTRAINT workflow_step_result_audit_step_transition_uuid_fkey FOREIGN KEY (workflow_step_transition_uuid)
        REFERENCES workflow_step_transitions (workflow_step_transition_uuid),
    CONSTRAINT workflow_step_result_audit_task_uuid_fkey FOREIGN KEY (task_uuid)
        REFERENCES tasks (task_uuid)
);

-- ===========================================================================
-- Indexes (tasker-core's set for these tables, so that write costs match)
-- ===========================================================================

-- task_namespaces / named_tasks
CREATE INDEX idx_task_namespaces_name ON task_namespaces (name);
CREATE INDEX idx_named_tasks_namespace_uuid ON named_tasks (task_namespace_uuid);
CREATE INDEX idx_named_tasks_identity_strategy ON named_tasks (identity_strategy);
CREATE INDEX idx_named_tasks_lifecycle_config ON named_tasks USING gin ((configuration -> 'lifecycle'))
    WHERE (configuration -> 'lifecycle') IS NOT NULL;

-- tasks
CREATE UNIQUE INDEX idx_tasks_identity_hash ON tasks (identity_hash);
CREATE INDEX idx_tasks_active_with_priority_covering ON tasks (complete, priority, task_uuid)
    INCLUDE (named_task_uuid, requested_at) WHERE complete = false;
CREATE INDEX idx_tasks_complete ON tasks (complete);
CREATE INDEX idx_tasks_completed_at ON tasks (completed_at);
CREATE INDEX idx_tasks_correlation_id ON tasks (correlation_id);
CREATE INDEX idx_tasks_correlation_hierarchy ON tasks (parent_correlation_id, correlation_id)
    WHERE parent_correlation_id IS NOT NULL;
CREATE INDEX idx_tasks_parent_correlation_id ON tasks (parent_correlation_id)
    WHERE parent_correlation_id IS NOT NULL;
CREATE INDEX idx_tasks_named_task_uuid ON tasks (named_task_uuid);
CREATE INDEX idx_tasks_priority ON tasks (priority);
CREATE INDEX idx_tasks_requested_at ON tasks (requested_at);
CREATE INDEX idx_tasks_source_system ON tasks (source_system);
CREATE INDEX idx_tasks_tags_gin ON tasks USING gin (tags);
CREATE INDEX idx_tasks_tags_gin_path ON tasks USING gin (tags jsonb_path_ops);
CREATE INDEX idx_tasks_uuid_temporal ON tasks (task_uuid, created_at);

-- workflow_steps
CREATE INDEX idx_workflow_steps_task_uuid ON workflow_steps (task_uuid);
CREATE INDEX idx_workflow_steps_named_step_uuid ON workflow_steps (named_step_uuid);
CREATE INDEX idx_workflow_steps_task_covering ON workflow_steps (task_uuid)
    INCLUDE (workflow_step_uuid, processed, in_process, attempts, max_attempts);
CREATE INDEX idx_workflow_steps_ready_covering ON workflow_steps (task_uuid, processed, in_process)
    INCLUDE (workflow_step_uuid, attempts, max_attempts, retryable) WHERE processed = false;
CREATE INDEX idx_workflow_steps_processing_status ON workflow_steps (task_uuid, processed, in_process);
CREATE INDEX idx_workflow_steps_task_readiness ON workflow_steps (task_uuid, processed, workflow_step_uuid)
    WHERE processed = false;
CREATE INDEX idx_workflow_steps_task_grouping_active ON workflow_steps (task_uuid, workflow_step_uuid)
    WHERE processed = false OR processed IS NULL;
CREATE INDEX idx_workflow_steps_active_operations ON workflow_steps (workflow_step_uuid, task_uuid)
    WHERE processed = false OR processed IS NULL;
CREATE INDEX idx_workflow_steps_transitive_deps ON workflow_steps (workflow_step_uuid, named_step_uuid)
    INCLUDE (task_uuid, processed);
CREATE INDEX idx_workflow_steps_retry_logic ON workflow_steps (attempts, max_attempts, retryable);
CREATE INDEX idx_workflow_steps_retry_status ON workflow_steps (attempts, max_attempts);
CREATE INDEX idx_workflow_steps_processed_at ON workflow_steps (processed_at);
CREATE INDEX idx_workflow_steps_checkpoint_exists ON workflow_steps (workflow_step_uuid)
    WHERE checkpoint IS NOT NULL;
CREATE INDEX idx_workflow_steps_checkpoint_cursor ON workflow_steps ((checkpoint ->> 'cursor'))
    WHERE checkpoint IS NOT NULL;

-- workflow_step_edges
CREATE INDEX idx_workflow_step_edges_from_step ON workflow_step_edges (from_step_uuid);
CREATE INDEX idx_workflow_step_edges_to_step ON workflow_step_edges (to_step_uuid);
CREATE INDEX idx_workflow_step_edges_from_step_name ON workflow_step_edges (from_step_uuid, name);

-- task_transitions: at most one current (most_recent) row per task
CREATE UNIQUE INDEX idx_task_transitions_uuid_most_recent ON task_transitions (task_uuid, most_recent)
    WHERE most_recent = true;
CREATE INDEX idx_task_transitions_state_lookup ON task_transitions (task_uuid, to_state, most_recent)
    WHERE most_recent = true;
CREATE INDEX idx_task_transitions_uuid_sort_key ON task_transitions (task_uuid, sort_key);
CREATE INDEX idx_task_transitions_task_uuid ON task_transitions (task_uuid);
CREATE INDEX idx_task_transitions_most_recent ON task_transitions (most_recent) WHERE most_recent = true;
CREATE INDEX idx_task_transitions_processor ON task_transitions (processor_uuid)
    WHERE processor_uuid IS NOT NULL;
CREATE INDEX idx_task_transitions_timeout ON task_transitions ((transition_metadata ->> 'timeout_at'))
    WHERE most_recent = true;
CREATE INDEX idx_task_transitions_uuid_temporal ON task_transitions (task_transition_uuid, created_at);

-- workflow_step_transitions: at most one current (most_recent) row per step
CREATE UNIQUE INDEX idx_workflow_step_transitions_uuid_most_recent
    ON workflow_step_transitions (workflow_step_uuid, most_recent) WHERE most_recent = true;
CREATE INDEX idx_workflow_step_transitions_state_lookup
    ON workflow_step_transitions (workflow_step_uuid, to_state, most_recent) WHERE most_recent = true;
CREATE INDEX idx_workflow_step_transitions_uuid_sort_key ON workflow_step_transitions (workflow_step_uuid, sort_key);
CREATE INDEX idx_workflow_step_transitions_step_uuid ON workflow_step_transitions (workflow_step_uuid);
CREATE INDEX idx_workflow_step_transitions_most_recent ON workflow_step_transitions (most_recent)
    WHERE most_recent = true;
CREATE INDEX idx_workflow_step_transitions_uuid_temporal
    ON workflow_step_transitions (workflow_step_transition_uuid, created_at);

-- workflow_step_result_audit
CREATE INDEX idx_audit_step_uuid ON workflow_step_result_audit (workflow_step_uuid);
CREATE INDEX idx_audit_task_uuid ON workflow_step_result_audit (task_uuid);
CREATE INDEX idx_audit_recorded_at ON workflow_step_result_audit (recorded_at);
CREATE INDEX idx_audit_success ON workflow_step_result_audit (success);
CREATE INDEX idx_audit_worker_uuid ON workflow_step_result_audit (worker_uuid) WHERE worker_uuid IS NOT NULL;
CREATE INDEX idx_audit_correlation_id ON workflow_step_result_audit (correlation_id)
    WHERE correlation_id IS NOT NULL;

-- ===========================================================================
-- Audit trigger: one workflow_step_result_audit row per worker result
-- ===========================================================================
-- Fires for every inserted step transition; only transitions into
-- enqueued_for_orchestration / enqueued_as_error_for_orchestration are
-- recorded.  Attribution comes from the transition's metadata: worker_uuid,
-- correlation_id, and the serialized step event in metadata->'event'
-- (success, metadata.execution_time_ms).  A value that cannot be read is
-- recorded as NULL; success then falls back to "the worker reported
-- enqueued_for_orchestration".  Each read is guarded separately, as upstream
-- does, so the trigger costs the same number of subtransactions.

CREATE FUNCTION create_step_result_audit() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_task      uuid;
    v_worker    uuid;
    v_corr      uuid;
    v_event     jsonb;
    v_success   boolean;
    v_exec_ms   bigint;
BEGIN
    IF NEW.to_state <> 'enqueued_for_orchestration'
       AND NEW.to_state <> 'enqueued_as_error_for_orchestration' THEN
        RETURN NEW;
    END IF;

    SELECT s.task_uuid INTO v_task
      FROM workflow_steps s
     WHERE s.workflow_step_uuid = NEW.workflow_step_uuid;

    BEGIN
        v_worker := (NEW.metadata ->> 'worker_uuid')::uuid;
    EXCEPTION WHEN others THEN
        v_worker := NULL;
    END;

    BEGIN
        v_corr := (NEW.metadata ->> 'correlation_id')::uuid;
    EXCEPTION WHEN others THEN
        v_corr := NULL;
    END;

    BEGIN
        -- the event is stored as serialized JSON text; an embedded object works too
        v_event   := (NEW.metadata ->> 'event')::jsonb;
        v_success := (v_event ->> 'success')::boolean;
        v_exec_ms := (v_event #>> '{metadata,execution_time_ms}')::bigint;
    EXCEPTION WHEN others THEN
        v_success := NULL;
        v_exec_ms := NULL;
    END;

    INSERT INTO workflow_step_result_audit
        (workflow_step_uuid, workflow_step_transition_uuid, task_uuid,
         worker_uuid, correlation_id, success, execution_time_ms)
    VALUES
        (NEW.workflow_step_uuid, NEW.workflow_step_transition_uuid, v_task,
         v_worker, v_corr,
         coalesce(v_success, NEW.to_state = 'enqueued_for_orchestration'),
         v_exec_ms);

    RETURN NEW;
END;
$fn$;

CREATE TRIGGER trg_step_result_audit
    AFTER INSERT ON workflow_step_transitions
    FOR EACH ROW EXECUTE FUNCTION create_step_result_audit();

-- ===========================================================================
-- Scalar helpers
-- ===========================================================================

-- When a failed or backed-off step may run again.
--   * the worker asked for a backoff: last_attempted_at + backoff_request_seconds
--   * otherwise, after a failure: failure_time + min(multiplier ^ attempts s, max s)
--     (attempts NULL counts as 1)
--   * otherwise NULL (no restriction)
CREATE FUNCTION calculate_step_next_retry_time(
    backoff_request_seconds integer,
    last_attempted_at       timestamp without time zone,
    failure_time            timestamp without time zone,
    attempts                integer,
    p_max_backoff_seconds   integer DEFAULT 60,
    p_backoff_multiplier    numeric DEFAULT 2.0
) RETURNS timestamp without time zone
LANGUAGE sql STABLE
AS $fn$
    SELECT CASE
             WHEN $1 IS NOT NULL AND $2 IS NOT NULL
               THEN $2 + make_interval(secs => $1)
             WHEN $3 IS NOT NULL
               THEN $3 + least(interval '1 second' * power($6, coalesce($4, 1)),
                               interval '1 second' * $5)
           END
$fn$;

-- Whether a step can be handed to a worker now.
CREATE FUNCTION evaluate_step_state_readiness(
    current_state          text,
    processed              boolean,
    in_process             boolean,
    dependencies_satisfied boolean,
    retry_eligible         boolean,
    retryable              boolean,
    next_retry_time        timestamp without time zone
) RETURNS boolean
LANGUAGE sql STABLE
AS $fn$
    SELECT coalesce($1, 'pending') IN ('pending', 'waiting_for_retry')
       AND coalesce($2, false) = false
       AND coalesce($3, false) = false
       AND $4
       AND $5
       AND ($7 IS NULL OR $7 <= now())
$fn$;

-- ===========================================================================
-- Step readiness
-- ===========================================================================
-- Per step of the given tasks (optionally only the listed steps):
--   current_state           most_recent transition, 'pending' when there is none
--   dependencies_satisfied  no parents, or every parent is complete/resolved_manually
--                           (parents are looked up among the steps in scope, so
--                           with a step_uuids filter a parent outside the filter
--                           counts as not finished -- the upstream behaviour)
--   retry_eligible          first attempt, or retryable and attempts < max_attempts
--   ready_for_execution     see evaluate_step_state_readiness
--   last_failure_at         latest transition into 'error'
--   next_retry_at           see calculate_step_next_retry_time

CREATE FUNCTION get_step_readiness_status_batch(
    input_task_uuids uuid[],
    step_uuids       uuid[] DEFAULT NULL
) RETURNS TABLE (
    workflow_step_uuid      uuid,
    task_uuid               uuid,
    named_step_uuid         uuid,
    name                    text,
    current_state           text,
    dependencies_satisfied  boolean,
    retry_eligible          boolean,
    ready_for_execution     boolean,
    last_failure_at         timestamp without time zone,
    next_retry_at           timestamp without time zone,
    total_parents           integer,
    completed_parents       integer,
    attempts                integer,
    max_attempts            integer,
    backoff_request_seconds integer,
    last_attempted_at       timestamp without time zone
)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY
    WITH scope AS (
        SELECT ws.workflow_step_uuid AS step_id
          FROM workflow_steps ws
         WHERE ws.task_uuid = ANY (input_task_uuids)
           AND (step_uuids IS NULL OR ws.workflow_step_uuid = ANY (step_uuids))
    ),
    now_state AS (
        SELECT tr.workflow_step_uuid AS step_id, tr.to_state
          FROM workflow_step_transitions tr
          JOIN scope sc ON sc.step_id = tr.workflow_step_uuid
         WHERE tr.most_recent = true
    ),
    failed AS (
        SELECT tr.workflow_step_uuid AS step_id, max(tr.created_at) AS failed_at
          FROM workflow_step_transitions tr
          JOIN scope sc ON sc.step_id = tr.workflow_step_uuid
         WHERE tr.to_state = 'error'
         GROUP BY tr.workflow_step_uuid
    ),
    parents AS (
        SELECT ed.to_step_uuid AS step_id,
               count(*) AS n_all,
               count(*) FILTER (WHERE ps.to_state IN ('complete', 'resolved_manually')) AS n_done
          FROM workflow_step_edges ed
          JOIN scope sc ON sc.step_id = ed.to_step_uuid
          LEFT JOIN now_state ps ON ps.step_id = ed.from_step_uuid
         GROUP BY ed.to_step_uuid
    )
    SELECT ws.workflow_step_uuid,
           ws.task_uuid,
           ws.named_step_uuid,
           nst.name::text,
           coalesce(cs.to_state, 'pending')::text,
           f.deps_ok,
           f.retry_ok,
           evaluate_step_state_readiness(coalesce(cs.to_state, 'pending'),
                                         ws.processed, ws.in_process,
                                         f.deps_ok, f.retry_ok,
                                         coalesce(ws.retryable, true),
                                         f.retry_at),
           fl.failed_at,
           f.retry_at,
           coalesce(pa.n_all, 0)::integer,
           coalesce(pa.n_done, 0)::integer,
           coalesce(ws.attempts, 0)::integer,
           coalesce(ws.max_attempts, 3),
           ws.backoff_request_seconds,
           ws.last_attempted_at
      FROM scope sc
      JOIN workflow_steps ws ON ws.workflow_step_uuid = sc.step_id
      JOIN named_steps nst ON nst.named_step_uuid = ws.named_step_uuid
      LEFT JOIN now_state cs ON cs.step_id = sc.step_id
      LEFT JOIN failed fl ON fl.step_id = sc.step_id
      LEFT JOIN parents pa ON pa.step_id = sc.step_id
     CROSS JOIN LATERAL (
           SELECT (pa.n_all IS NULL OR pa.n_done = pa.n_all) AS deps_ok,
                  (coalesce(ws.attempts, 0) = 0
                   OR (coalesce(ws.retryable, true)
                       AND coalesce(ws.attempts, 0) < coalesce(ws.max_attempts, 3))) AS retry_ok,
                  calculate_step_next_retry_time(ws.backoff_request_seconds,
                                                 ws.last_attempted_at,
                                                 fl.failed_at,
                                                 ws.attempts) AS retry_at
       ) f
     ORDER BY ws.task_uuid, ws.workflow_step_uuid;
END;
$fn$;

CREATE FUNCTION get_step_readiness_status(
    input_task_uuid uuid,
    step_uuids      uuid[] DEFAULT NULL
) RETURNS TABLE (
    workflow_step_uuid      uuid,
    task_uuid               uuid,
    named_step_uuid         uuid,
    name                    text,
    current_state           text,
    dependencies_satisfied  boolean,
    retry_eligible          boolean,
    ready_for_execution     boolean,
    last_failure_at         timestamp without time zone,
    next_retry_at           timestamp without time zone,
    total_parents           integer,
    completed_parents       integer,
    attempts                integer,
    max_attempts            integer,
    backoff_request_seconds integer,
    last_attempted_at       timestamp without time zone
)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    -- the single-task form is the batch form with a one-element array
    RETURN QUERY
    SELECT r.* FROM get_step_readiness_status_batch(ARRAY[input_task_uuid], step_uuids) r;
END;
$fn$;

-- ===========================================================================
-- Task execution context
-- ===========================================================================
-- Step counts of one task and what the orchestrator should do next:
--   execution_status       recommended_action     when (first match wins)
--   blocked_by_failures    handle_failures        a step is in 'error'
--   has_ready_steps        execute_ready_steps    a step is ready_for_execution
--   processing             wait_for_completion    a step is enqueued / in_progress /
--                                                 enqueued_for_orchestration /
--                                                 enqueued_as_error_for_orchestration
--   all_complete           finalize_task          every step complete/resolved_manually
--                                                 (and there is at least one)
--   waiting_for_dependencies wait_for_dependencies otherwise
-- health_status: blocked when a step is in 'error', healthy when none failed,
-- otherwise recovering.  As upstream counts failed and blocked steps the same
-- way ('error'), 'recovering' cannot actually occur.
-- completed_steps counts complete and resolved_manually; in_progress_steps
-- counts only 'in_progress'; enqueued_steps counts the three enqueued states.

CREATE FUNCTION get_task_execution_context(input_task_uuid uuid)
RETURNS TABLE (
    task_uuid             uuid,
    named_task_uuid       uuid,
    status                text,
    total_steps           bigint,
    pending_steps         bigint,
    in_progress_steps     bigint,
    completed_steps       bigint,
    failed_steps          bigint,
    ready_steps           bigint,
    execution_status      text,
    recommended_action    text,
    completion_percentage numeric,
    health_status         text,
    enqueued_steps        bigint
)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY
    WITH steps AS (
        SELECT r.current_state, r.ready_for_execution
          FROM get_step_readiness_status(input_task_uuid, NULL) r
    ),
    counts AS (
        SELECT count(*) AS n_total,
               count(*) FILTER (WHERE s.current_state = 'pending') AS n_pending,
               count(*) FILTER (WHERE s.current_state = 'in_progress') AS n_in_progress,
               count(*) FILTER (WHERE s.current_state IN ('enqueued', 'enqueued_for_orchestration',
                                                          'enqueued_as_error_for_orchestration')) AS n_enqueued,
               count(*) FILTER (WHERE s.current_state IN ('complete', 'resolved_manually')) AS n_done,
               count(*) FILTER (WHERE s.current_state = 'error') AS n_error,
               count(*) FILTER (WHERE s.ready_for_execution) AS n_ready
          FROM steps s
    )
    SELECT t.task_uuid,
           t.named_task_uuid,
           coalesce(tt.to_state, 'pending')::text,
           c.n_total,
           c.n_pending,
           c.n_in_progress,
           c.n_done,
           c.n_error,
           c.n_ready,
           x.exec_status,
           CASE x.exec_status
               WHEN 'blocked_by_failures' THEN 'handle_failures'
               WHEN 'has_ready_steps'     THEN 'execute_ready_steps'
               WHEN 'processing'          THEN 'wait_for_completion'
               WHEN 'all_complete'        THEN 'finalize_task'
               ELSE 'wait_for_dependencies'
           END,
           CASE WHEN c.n_total = 0 THEN 0.0
                ELSE round(c.n_done::numeric * 100 / c.n_total, 2)
           END,
           CASE WHEN c.n_error > 0 THEN 'blocked'
                WHEN c.n_error = 0 THEN 'healthy'
                ELSE 'recovering'
           END,
           c.n_enqueued
      FROM tasks t
      LEFT JOIN task_transitions tt
             ON tt.task_uuid = t.task_uuid AND tt.most_recent = true
     CROSS JOIN counts c
     CROSS JOIN LATERAL (
           SELECT CASE
                      WHEN c.n_error > 0 THEN 'blocked_by_failures'
                      WHEN c.n_ready > 0 THEN 'has_ready_steps'
                      WHEN c.n_in_progress > 0 OR c.n_enqueued > 0 THEN 'processing'
                      WHEN c.n_total > 0 AND c.n_done = c.n_total THEN 'all_complete'
                      ELSE 'waiting_for_dependencies'
                  END AS exec_status
       ) x
     WHERE t.task_uuid = input_task_uuid;
END;
$fn$;

-- Same result for many tasks (one row per existing task, unordered).  Step
-- data is collected task by task through get_step_readiness_status, as
-- upstream does.
CREATE FUNCTION get_task_execution_contexts_batch(input_task_uuids uuid[])
RETURNS TABLE (
    task_uuid             uuid,
    named_task_uuid       uuid,
    status                text,
    total_steps           bigint,
    pending_steps         bigint,
    in_progress_steps     bigint,
    completed_steps       bigint,
    failed_steps          bigint,
    ready_steps           bigint,
    execution_status      text,
    recommended_action    text,
    completion_percentage numeric,
    health_status         text,
    enqueued_steps        bigint
)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY
    WITH steps AS (
        SELECT r.task_uuid AS tid, r.current_state, r.ready_for_execution
          FROM unnest(input_task_uuids) AS req(tid)
         CROSS JOIN LATERAL get_step_readiness_status(req.tid, NULL) r
    ),
    counts AS (
        SELECT s.tid,
               count(*) AS n_total,
               count(*) FILTER (WHERE s.current_state = 'pending') AS n_pending,
               count(*) FILTER (WHERE s.current_state = 'in_progress') AS n_in_progress,
               count(*) FILTER (WHERE s.current_state IN ('enqueued', 'enqueued_for_orchestration',
                                                          'enqueued_as_error_for_orchestration')) AS n_enqueued,
               count(*) FILTER (WHERE s.current_state IN ('complete', 'resolved_manually')) AS n_done,
               count(*) FILTER (WHERE s.current_state = 'error') AS n_error,
               count(*) FILTER (WHERE s.ready_for_execution) AS n_ready
          FROM steps s
         GROUP BY s.tid
    )
    SELECT t.task_uuid,
           t.named_task_uuid,
           coalesce(tt.to_state, 'pending')::text,
           k.n_total,
           k.n_pending,
           k.n_in_progress,
           k.n_done,
           k.n_error,
           k.n_ready,
           x.exec_status,
           CASE x.exec_status
               WHEN 'blocked_by_failures' THEN 'handle_failures'
               WHEN 'has_ready_steps'     THEN 'execute_ready_steps'
               WHEN 'processing'          THEN 'wait_for_completion'
               WHEN 'all_complete'        THEN 'finalize_task'
               ELSE 'wait_for_dependencies'
           END,
           CASE WHEN k.n_total = 0 THEN 0.0
                ELSE round(k.n_done::numeric * 100 / k.n_total, 2)
           END,
           CASE WHEN k.n_error > 0 THEN 'blocked'
                WHEN k.n_error = 0 THEN 'healthy'
                ELSE 'recovering'
           END,
           k.n_enqueued
      FROM tasks t
      LEFT JOIN task_transitions tt
             ON tt.task_uuid = t.task_uuid AND tt.most_recent = true
      LEFT JOIN counts c ON c.tid = t.task_uuid
     CROSS JOIN LATERAL (
           SELECT coalesce(c.n_total, 0)       AS n_total,
                  coalesce(c.n_pending, 0)     AS n_pending,
                  coalesce(c.n_in_progress, 0) AS n_in_progress,
                  coalesce(c.n_enqueued, 0)    AS n_enqueued,
                  coalesce(c.n_done, 0)        AS n_done,
                  coalesce(c.n_error, 0)       AS n_error,
                  coalesce(c.n_ready, 0)       AS n_ready
       ) k
     CROSS JOIN LATERAL (
           SELECT CASE
                      WHEN k.n_error > 0 THEN 'blocked_by_failures'
                      WHEN k.n_ready > 0 THEN 'has_ready_steps'
                      WHEN k.n_in_progress > 0 OR k.n_enqueued > 0 THEN 'processing'
                      WHEN k.n_total > 0 AND k.n_done = k.n_total THEN 'all_complete'
                      ELSE 'waiting_for_dependencies'
                  END AS exec_status
       ) x
     WHERE t.task_uuid = ANY (input_task_uuids);
END;
$fn$;

-- ===========================================================================
-- Task discovery
-- ===========================================================================
-- Candidates: tasks whose current state is
--   pending (always), waiting_for_dependencies (<= 60 min in that state) or
--   waiting_for_retry (<= 30 min in that state),
-- and that are not claimed (no current transition with a processor in
-- initializing / enqueuing_steps / steps_in_process / evaluating_results).
-- computed_priority (age measured from the task's current transition):
--   under 1 h in state   priority + hours since task creation * 0.1
--   1 h .. 24 h          priority * exp(-seconds in state / 12 h)
--   24 h and more        0.1
-- The best p_limit * 10 candidates (older task first on equal priority) are
-- examined; pending ones are kept, the others only when their execution
-- context says has_ready_steps; the best p_limit are returned.
--
-- The final SELECT carries FOR UPDATE SKIP LOCKED, placed as upstream places
-- it: on a query whose only FROM item is a WITH query.  PostgreSQL applies an
-- unqualified locking clause to base tables and sub-selects of the FROM list
-- only and ignores WITH-query references, so -- exactly as upstream -- no row
-- is actually locked or skipped here.

CREATE FUNCTION get_next_ready_tasks(p_limit integer DEFAULT 5)
RETURNS TABLE (
    task_uuid         uuid,
    task_name         character varying,
    priority          integer,
    namespace_name    character varying,
    ready_steps_count bigint,
    computed_priority numeric,
    current_state     character varying
)
LANGUAGE plpgsql
AS $fn$
DECLARE
    c_deps_wait_minutes  constant numeric := 60;    -- waiting_for_dependencies window
    c_retry_wait_minutes constant numeric := 30;    -- waiting_for_retry window
    c_fresh_seconds      constant numeric := 3600;  -- decay starts after 1 h in state
    c_stale_seconds      constant numeric := 86400; -- floor priority after 24 h in state
    c_decay_seconds      constant numeric := 43200; -- exp(-t / 12 h)
    c_floor_priority     constant numeric := 0.1;
BEGIN
    RETURN QUERY
    WITH candidates AS (
        SELECT t.task_uuid                 AS tid,
               nt.name                     AS tname,
               t.priority                  AS prio,
               ns.name                     AS nsname,
               cur.to_state                AS state,
               t.created_at                AS task_created,
               CASE
                   WHEN age.in_state < c_fresh_seconds
                       THEN t.priority + age.since_created / 3600 * 0.1
                   WHEN age.in_state < c_stale_seconds
                       THEN t.priority * exp(-age.in_state / c_decay_seconds)
                   ELSE c_floor_priority
               END                         AS cprio
          FROM task_transitions cur
          JOIN tasks t            ON t.task_uuid = cur.task_uuid
          JOIN named_tasks nt     ON nt.named_task_uuid = t.named_task_uuid
          JOIN task_namespaces ns ON ns.task_namespace_uuid = nt.task_namespace_uuid
         CROSS JOIN LATERAL (
               SELECT extract(epoch FROM now() - cur.created_at) AS in_state,
                      extract(epoch FROM now() - t.created_at)   AS since_created
           ) age
         WHERE cur.most_recent = true
           AND (cur.to_state = 'pending'
                OR (cur.to_state = 'waiting_for_dependencies'
                    AND age.in_state / 60 <= c_deps_wait_minutes)
                OR (cur.to_state = 'waiting_for_retry'
                    AND age.in_state / 60 <= c_retry_wait_minutes))
           AND NOT EXISTS (
                   SELECT 1
                     FROM task_transitions claim
                    WHERE claim.task_uuid = t.task_uuid
                      AND claim.most_recent = true
                      AND claim.processor_uuid IS NOT NULL
                      AND claim.to_state IN ('initializing', 'enqueuing_steps',
                                             'steps_in_process', 'evaluating_results'))
         ORDER BY cprio DESC, t.created_at ASC
         LIMIT p_limit * 10
    ),
    eligible AS (
        SELECT cd.tid, cd.tname, cd.prio, cd.nsname, cd.state, cd.cprio,
               ctx.ready_steps AS n_ready
          FROM candidates cd
         CROSS JOIN LATERAL get_task_execution_context(cd.tid) ctx
         WHERE cd.state = 'pending'
            OR ctx.execution_status = 'has_ready_steps'
    )
    SELECT e.tid, e.tname, e.prio, e.nsname, coalesce(e.n_ready, 0), e.cprio, e.state
      FROM eligible e
     ORDER BY e.cprio DESC
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED;
END;
$fn$;

CREATE FUNCTION get_next_ready_task()
RETURNS TABLE (
    task_uuid         uuid,
    task_name         character varying,
    priority          integer,
    namespace_name    character varying,
    ready_steps_count bigint,
    computed_priority numeric,
    current_state     character varying
)
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY SELECT r.* FROM get_next_ready_tasks(1) r;
END;
$fn$;

-- The discovery row of one task, whatever its state.  Priority here is the
-- plain age escalation (priority + hours since creation * 0.1), without decay.
CREATE FUNCTION get_task_ready_info(p_task_uuid uuid)
RETURNS TABLE (
    task_uuid         uuid,
    task_name         character varying,
    priority          integer,
    namespace_name    character varying,
    ready_steps_count bigint,
    computed_priority numeric,
    current_state     character varying
)
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY
    SELECT t.task_uuid,
           nt.name,
           t.priority,
           ns.name,
           coalesce(ctx.ready_steps, 0),
           t.priority + extract(epoch FROM now() - t.created_at) / 3600 * 0.1,
           cur.to_state
      FROM tasks t
      JOIN task_transitions cur   ON cur.task_uuid = t.task_uuid AND cur.most_recent = true
      JOIN named_tasks nt         ON nt.named_task_uuid = t.named_task_uuid
      JOIN task_namespaces ns     ON ns.task_namespace_uuid = nt.task_namespace_uuid
     CROSS JOIN LATERAL get_task_execution_context(p_task_uuid) ctx
     WHERE t.task_uuid = p_task_uuid;
END;
$fn$;

-- ===========================================================================
-- DAG helpers
-- ===========================================================================

-- Every ancestor of a step, with its distance (1 = direct parent), following
-- edges backwards for at most 50 levels.  Like upstream this walks every
-- path: an ancestor reachable along several paths is listed once per path.
CREATE FUNCTION get_step_transitive_dependencies(target_step_uuid uuid)
RETURNS TABLE (
    workflow_step_uuid uuid,
    task_uuid          uuid,
    named_step_uuid    uuid,
    step_name          character varying,
    results            jsonb,
    processed          boolean,
    distance           integer
)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY
    WITH RECURSIVE up (step_id, dist) AS (
        SELECT ed.from_step_uuid, 1
          FROM workflow_step_edges ed
         WHERE ed.to_step_uuid = target_step_uuid
        UNION ALL
        SELECT ed.from_step_uuid, up.dist + 1
          FROM up
          JOIN workflow_step_edges ed ON ed.to_step_uuid = up.step_id
         WHERE up.dist < 50
    )
    SELECT ws.workflow_step_uuid, ws.task_uuid, ws.named_step_uuid, nst.name,
           ws.results, ws.processed, up.dist
      FROM up
      JOIN workflow_steps ws ON ws.workflow_step_uuid = up.step_id
      JOIN named_steps nst   ON nst.named_step_uuid = ws.named_step_uuid
     ORDER BY up.dist, ws.workflow_step_uuid;
END;
$fn$;

-- Longest distance of every step of a task from a root step (a step nobody
-- points to); roots are level 0.
CREATE FUNCTION calculate_dependency_levels(input_task_uuid uuid)
RETURNS TABLE (workflow_step_uuid uuid, dependency_level integer)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY
    WITH RECURSIVE walk (step_id, lvl) AS (
        SELECT ws.workflow_step_uuid, 0
          FROM workflow_steps ws
         WHERE ws.task_uuid = input_task_uuid
           AND NOT EXISTS (SELECT 1 FROM workflow_step_edges ed
                            WHERE ed.to_step_uuid = ws.workflow_step_uuid)
        UNION ALL
        SELECT ed.to_step_uuid, walk.lvl + 1
          FROM walk
          JOIN workflow_step_edges ed ON ed.from_step_uuid = walk.step_id
          JOIN workflow_steps ch      ON ch.workflow_step_uuid = ed.to_step_uuid
         WHERE ch.task_uuid = input_task_uuid
    )
    SELECT walk.step_id, max(walk.lvl)
      FROM walk
     GROUP BY walk.step_id
     ORDER BY 2, 1;
END;
$fn$;

-- ===========================================================================
-- State helpers
-- ===========================================================================

CREATE FUNCTION get_current_task_state(p_task_uuid uuid) RETURNS character varying
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_state character varying;
BEGIN
    SELECT tt.to_state INTO v_state
      FROM task_transitions tt
     WHERE tt.task_uuid = p_task_uuid
       AND tt.most_recent = true;
    RETURN v_state;
END;
$fn$;

-- Compare-and-swap of a task's state.  The current (most_recent) transition
-- is locked; only when it is in p_from_state does it lose most_recent, and
-- a new most_recent transition p_from_state -> p_to_state is written with the
-- next sort_key, p_processor_uuid (kept for audit only, not checked) and
-- p_metadata as transition_metadata.  Returns whether the swap happened.  A
-- concurrent caller that waited for the lock re-reads the row, finds it no
-- longer most_recent and gets false.
CREATE FUNCTION transition_task_state_atomic(
    p_task_uuid      uuid,
    p_from_state     character varying,
    p_to_state       character varying,
    p_processor_uuid uuid,
    p_metadata       jsonb DEFAULT '{}'::jsonb
) RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_next_key integer;
    v_done     integer;
BEGIN
    SELECT coalesce(max(tt.sort_key), 0) + 1 INTO v_next_key
      FROM task_transitions tt
     WHERE tt.task_uuid = p_task_uuid;

    -- the current row is locked whether or not it matches (a refused caller
    -- keeps that lock until it ends, as upstream); only a match is retired
    WITH current_row AS (
        SELECT tt.task_transition_uuid, tt.to_state
          FROM task_transitions tt
         WHERE tt.task_uuid = p_task_uuid
           AND tt.most_recent = true
           FOR UPDATE
    ),
    retired AS (
        UPDATE task_transitions tt
           SET most_recent = false
          FROM current_row cr
         WHERE tt.task_transition_uuid = cr.task_transition_uuid
           AND cr.to_state = p_from_state
        RETURNING tt.task_uuid
    )
    INSERT INTO task_transitions
        (task_uuid, from_state, to_state, processor_uuid, transition_metadata,
         sort_key, most_recent, created_at, updated_at)
    SELECT p_task_uuid, p_from_state, p_to_state, p_processor_uuid, p_metadata,
           v_next_key, true, now(), now()
      FROM retired;

    GET DIAGNOSTICS v_done = ROW_COUNT;
    RETURN v_done > 0;
END;
$fn$;

-- Record the backoff a worker asked for; the step's last_attempted_at becomes now.
CREATE FUNCTION set_step_backoff_atomic(p_step_uuid uuid, p_backoff_seconds integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE workflow_steps ws
       SET backoff_request_seconds = p_backoff_seconds,
           last_attempted_at       = now(),
           updated_at              = now()
     WHERE ws.workflow_step_uuid = p_step_uuid;
    RETURN FOUND;
END;
$fn$;

-- Number of tasks and steps in each current state, system wide.  Tasks or
-- steps without a transition are only in the totals.
CREATE FUNCTION get_system_health_counts()
RETURNS TABLE (
    pending_tasks                             bigint,
    initializing_tasks                        bigint,
    enqueuing_steps_tasks                     bigint,
    steps_in_process_tasks                    bigint,
    evaluating_results_tasks                  bigint,
    waiting_for_dependencies_tasks            bigint,
    waiting_for_retry_tasks                   bigint,
    blocked_by_failures_tasks                 bigint,
    complete_tasks                            bigint,
    error_tasks                               bigint,
    cancelled_tasks                           bigint,
    resolved_manually_tasks                   bigint,
    total_tasks                               bigint,
    pending_steps                             bigint,
    enqueued_steps                            bigint,
    in_progress_steps                         bigint,
    enqueued_for_orchestration_steps          bigint,
    enqueued_as_error_for_orchestration_steps bigint,
    waiting_for_retry_steps                   bigint,
    complete_steps                            bigint,
    error_steps                               bigint,
    cancelled_steps                           bigint,
    resolved_manually_steps                   bigint,
    total_steps                               bigint
)
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY
    SELECT tc.*, sc.*
      FROM (SELECT count(*) FILTER (WHERE cur.to_state = 'pending'),
                   count(*) FILTER (WHERE cur.to_state = 'initializing'),
                   count(*) FILTER (WHERE cur.to_state = 'enqueuing_steps'),
                   count(*) FILTER (WHERE cur.to_state = 'steps_in_process'),
                   count(*) FILTER (WHERE cur.to_state = 'evaluating_results'),
                   count(*) FILTER (WHERE cur.to_state = 'waiting_for_dependencies'),
                   count(*) FILTER (WHERE cur.to_state = 'waiting_for_retry'),
                   count(*) FILTER (WHERE cur.to_state = 'blocked_by_failures'),
                   count(*) FILTER (WHERE cur.to_state = 'complete'),
                   count(*) FILTER (WHERE cur.to_state = 'error'),
                   count(*) FILTER (WHERE cur.to_state = 'cancelled'),
                   count(*) FILTER (WHERE cur.to_state = 'resolved_manually'),
                   count(*)
              FROM tasks t
              LEFT JOIN task_transitions cur
                     ON cur.task_uuid = t.task_uuid AND cur.most_recent = true) tc,
           (SELECT count(*) FILTER (WHERE cur.to_state = 'pending'),
                   count(*) FILTER (WHERE cur.to_state = 'enqueued'),
                   count(*) FILTER (WHERE cur.to_state = 'in_progress'),
                   count(*) FILTER (WHERE cur.to_state = 'enqueued_for_orchestration'),
                   count(*) FILTER (WHERE cur.to_state = 'enqueued_as_error_for_orchestration'),
                   count(*) FILTER (WHERE cur.to_state = 'waiting_for_retry'),
                   count(*) FILTER (WHERE cur.to_state = 'complete'),
                   count(*) FILTER (WHERE cur.to_state = 'error'),
                   count(*) FILTER (WHERE cur.to_state = 'cancelled'),
                   count(*) FILTER (WHERE cur.to_state = 'resolved_manually'),
                   count(*)
              FROM workflow_steps ws
              LEFT JOIN workflow_step_transitions cur
                     ON cur.workflow_step_uuid = ws.workflow_step_uuid AND cur.most_recent = true) sc;
END;
$fn$;
