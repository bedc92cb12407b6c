-- The tasker workload: setting up our reference model of tasker-core's
-- orchestration schema (model/tasker_model.sql, embedded as
-- tasker_bench._model_ddl()), recognising a real tasker database, and
-- removing only what setup made.

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
