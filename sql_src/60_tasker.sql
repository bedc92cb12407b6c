-- The tasker workload: setting up our reference model of tasker-core's
-- orchestration schema (model/tasker_model.sql, embedded as
-- tasker_bench._model_ddl()), recognising a real tasker database, and the
-- built-in suite 'tasker' of the seed plan's SQL function benchmarks.

-- Schemas whose model tasker_bench_setup() created; teardown removes only
-- these.  Each role sees and uses only its own rows, and nothing here is
-- executed: teardown and the fixture take the objects from the catalogs.
CREATE TABLE tasker_bench.models (
    schema_name    name NOT NULL,
    created_schema boolean NOT NULL,
    objects        text[] NOT NULL,        -- what setup created (a list to read; teardown goes by the catalogs)
    created_by     name NOT NULL DEFAULT current_user,
    created_at     timestamptz NOT NULL DEFAULT now(),
    schema_oid     oid,                    -- the schema's OID when setup ran (NULL: set up by 0.1)
    PRIMARY KEY (schema_name, created_by)
);
COMMENT ON TABLE tasker_bench.models IS 'Schemas holding a reference model created by tasker_bench_setup()';
ALTER TABLE tasker_bench.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_own ON tasker_bench.models FOR ALL
    USING (created_by = current_user) WITH CHECK (created_by = current_user);
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.models', '');

-- Whether a model row still describes its schema: the schema exists and is
-- the one setup saw (its OID), so a schema dropped and made again (say, a
-- real tasker database restored under the same name) is not taken for a model.
CREATE FUNCTION tasker_bench._model_intact(m tasker_bench.models) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n
                    WHERE n.nspname = m.schema_name AND (m.schema_oid IS NULL OR n.oid = m.schema_oid))
$$;

-- The tables and functions the built-in suite needs.
CREATE FUNCTION tasker_bench._tasker_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['task_namespaces', 'named_tasks', 'named_steps', 'named_tasks_named_steps',
                 'tasks', 'workflow_steps', 'workflow_step_edges', 'task_transitions',
                 'workflow_step_transitions']
$$;
CREATE FUNCTION tasker_bench._tasker_functions() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['get_next_ready_tasks', 'get_next_ready_task', 'get_step_readiness_status',
                 'get_step_readiness_status_batch', 'get_task_execution_context',
                 'get_task_execution_contexts_batch', 'get_step_transitive_dependencies',
                 'transition_task_state_atomic']
$$;

-- Which of the tasker tables / functions are missing from a schema.
CREATE FUNCTION tasker_bench._tasker_missing(p_schema text, OUT tables text[], OUT functions text[])
LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(array_agg(t ORDER BY t), '{}')
              FROM unnest(tasker_bench._tasker_tables()) t
             WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                WHERE n.nspname = p_schema AND c.relname = t
                                  AND c.relkind IN ('r', 'p', 'v'))),
           (SELECT coalesce(array_agg(f ORDER BY f), '{}')
              FROM unnest(tasker_bench._tasker_functions()) f
             WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                                WHERE n.nspname = p_schema AND p.proname = f))
$$;

CREATE FUNCTION tasker_bench_setup(schema text DEFAULT 'tasker') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_exists boolean;
    v_objects int;
    v_missing record;
    v_path text := current_setting('search_path');
    v_created text[];
BEGIN
    IF schema IS NULL OR schema = '' THEN
        RAISE EXCEPTION 'schema must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Leave it out to use the schema tasker, as tasker-core does.';
    END IF;
    IF EXISTS (SELECT 1 FROM tasker_bench.models m
                WHERE m.schema_name = schema AND m.created_by = current_user
                  AND tasker_bench._model_intact(m)) THEN
        RAISE NOTICE 'tasker_bench: the reference model is already set up in schema %', schema;
        RETURN 'model already set up';
    END IF;

    SELECT true INTO v_exists FROM pg_catalog.pg_namespace WHERE nspname = schema;
    IF v_exists THEN
        SELECT * INTO v_missing FROM tasker_bench._tasker_missing(schema);
        IF cardinality(v_missing.tables) = 0 THEN
            -- a real tasker database: touch nothing, check what the suite needs
            IF cardinality(v_missing.functions) > 0 THEN
                RAISE EXCEPTION 'schema "%" has tasker''s tables but lacks the function%: %', schema,
                    CASE WHEN cardinality(v_missing.functions) > 1 THEN 's' ELSE '' END,
                    array_to_string(v_missing.functions, ', ')
                    USING ERRCODE = '42883',
                    HINT = 'Run tasker-core''s migrations in full, or benchmark only the cases whose functions exist.';
            END IF;
            RAISE NOTICE 'tasker_bench: schema % holds a tasker database; using it as it is', schema;
            RETURN 'existing tasker schema';
        END IF;
        SELECT (SELECT count(*) FROM pg_catalog.pg_class c
                 WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = schema))
             + (SELECT count(*) FROM pg_catalog.pg_proc p
                 WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = schema))
             + (SELECT count(*) FROM pg_catalog.pg_type t
                 WHERE t.typnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = schema))
          INTO v_objects;
        IF v_objects > 0 THEN
            RAISE EXCEPTION 'schema "%" is neither empty nor a tasker database', schema
                USING ERRCODE = '42P06',
                DETAIL = format('Missing tasker tables: %s.', array_to_string(v_missing.tables, ', ')),
                HINT = 'Give an empty or new schema for the reference model, or the schema of a complete tasker database.';
        END IF;
    ELSE
        EXECUTE format('CREATE SCHEMA %I', schema);
    END IF;

    PERFORM set_config('search_path', format('%I, public', schema), true);
    EXECUTE tasker_bench._model_ddl();
    PERFORM set_config('search_path', v_path, true);

    SELECT array_agg(o ORDER BY o) INTO v_created FROM (
        SELECT 'table ' || format('%I.%I', schema, c.relname) AS o
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = schema AND c.relkind = 'r'
        UNION ALL
        SELECT 'function ' || p.oid::regprocedure::text
          FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = schema
        UNION ALL
        SELECT 'type ' || t.oid::regtype::text
          FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = schema AND t.typtype IN ('e', 'd')) s;
    DELETE FROM tasker_bench.models m WHERE m.schema_name = schema AND m.created_by = current_user;
    INSERT INTO tasker_bench.models (schema_name, created_schema, objects, schema_oid)
    VALUES (schema, NOT coalesce(v_exists, false), v_created,
            (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = schema));
    RAISE NOTICE 'tasker_bench: reference model created in schema % (% tables, % functions)', schema,
        (SELECT count(*) FROM unnest(v_created) o WHERE o LIKE 'table %'),
        (SELECT count(*) FROM unnest(v_created) o WHERE o LIKE 'function %');
    RETURN 'model created';
END
$$;
COMMENT ON FUNCTION tasker_bench_setup(text) IS
    'Creates the reference model of tasker''s schema (when the schema has no tasker tables), or checks a real tasker database';

CREATE FUNCTION tasker_bench_teardown(schema text DEFAULT 'tasker') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_model tasker_bench.models;
    v_nsp oid;
    v_ddl text[];
    v_stmt text;
BEGIN
    SELECT * INTO v_model FROM tasker_bench.models m
     WHERE m.schema_name = schema AND m.created_by = current_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema "%" was not created by your tasker_bench_setup()', schema
            USING ERRCODE = '42501',
            HINT = 'tasker_bench_teardown() removes only reference models you made; drop anything else yourself.';
    END IF;
    SELECT n.oid INTO v_nsp FROM pg_catalog.pg_namespace n WHERE n.nspname = schema;
    IF v_nsp IS NULL OR NOT tasker_bench._model_intact(v_model) THEN
        -- the schema is gone (or is another one now): only forget the model
        DELETE FROM tasker_bench.models m WHERE m.schema_name = schema AND m.created_by = current_user;
        RETURN 'model forgotten (its schema is gone)';
    END IF;
    -- Everything is named from the catalogs (%I), never from the stored text.
    IF v_model.created_schema THEN
        EXECUTE format('DROP SCHEMA %I CASCADE', (SELECT n.nspname FROM pg_catalog.pg_namespace n
                                                   WHERE n.oid = v_nsp));
    ELSE
        -- setup found the schema empty: drop what it created there, the
        -- objects of the schema whose kind and name the model lists
        SELECT array_agg(o.ddl ORDER BY o.ord) INTO v_ddl FROM (
            SELECT 1 AS ord, 'table' AS kind, c.relname::text AS name,
                   format('DROP TABLE IF EXISTS %I.%I CASCADE', n.nspname, c.relname) AS ddl
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relnamespace = v_nsp AND c.relkind = 'r'
            UNION ALL
            SELECT 2, 'function', p.proname::text,
                   format('DROP FUNCTION IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                          pg_catalog.pg_get_function_identity_arguments(p.oid))
              FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE p.pronamespace = v_nsp
            UNION ALL
            SELECT 3, 'type', t.typname::text, format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
              FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             WHERE t.typnamespace = v_nsp AND t.typtype IN ('e', 'd')) o
         WHERE (o.kind, o.name) IN (
                   -- 'table s.t', 'function s.f(args)', 'type s.t': kind and bare name
                   SELECT split_part(x, ' ', 1),
                          btrim(regexp_replace(split_part(substr(x, length(split_part(x, ' ', 1)) + 2), '(', 1),
                                               '^.*\.', ''), '"')
                     FROM unnest(v_model.objects) x);
        FOREACH v_stmt IN ARRAY coalesce(v_ddl, '{}') LOOP
            EXECUTE v_stmt;
        END LOOP;
    END IF;
    DELETE FROM tasker_bench.models m WHERE m.schema_name = schema AND m.created_by = current_user;
    RETURN 'model removed';
END
$$;
COMMENT ON FUNCTION tasker_bench_teardown(text) IS
    'Removes a reference model created by tasker_bench_setup(); refuses any other schema';

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
