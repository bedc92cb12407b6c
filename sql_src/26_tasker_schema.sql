-- The tasker schema a run measures: tasker-core's callable SQL functions and
-- their group (hot_path, staleness_dlq, analytics, summaries), the cases of a run
-- resolved for one schema (the placeholder {schema} in a built-in case's
-- search_path becomes the schema measured), and the cases left out because
-- the schema lacks their functions.

-- tasker-core's callable SQL functions (its two trigger functions,
-- create_step_result_audit and update_updated_at_column, are measured through
-- the writes that fire them).
CREATE FUNCTION tasker_bench.tasker_functions()
RETURNS TABLE (function_name text, "group" text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT f, g FROM (VALUES
        ('get_next_ready_tasks', 'hot_path'), ('get_next_ready_task', 'hot_path'),
        ('get_task_ready_info', 'hot_path'), ('get_step_readiness_status', 'hot_path'),
        ('get_step_readiness_status_batch', 'hot_path'), ('get_task_execution_context', 'hot_path'),
        ('get_task_execution_contexts_batch', 'hot_path'), ('get_step_transitive_dependencies', 'hot_path'),
        ('calculate_dependency_levels', 'hot_path'), ('get_current_task_state', 'hot_path'),
        ('transition_task_state_atomic', 'hot_path'), ('set_step_backoff_atomic', 'hot_path'),
        ('calculate_step_next_retry_time', 'hot_path'), ('evaluate_step_state_readiness', 'hot_path'),
        ('uuid_generate_v7', 'hot_path'),
        ('find_stuck_tasks', 'staleness_dlq'), ('get_stale_tasks_for_dlq', 'staleness_dlq'),
        ('detect_and_transition_stale_tasks', 'staleness_dlq'), ('calculate_staleness_threshold', 'staleness_dlq'),
        ('create_dlq_entry', 'staleness_dlq'), ('transition_stale_task_to_error', 'staleness_dlq'),
        ('get_analytics_metrics', 'analytics'), ('get_system_health_counts', 'analytics'),
        ('get_slowest_steps', 'analytics'), ('get_slowest_tasks', 'analytics'),
        ('get_slowest_steps_aggregated', 'analytics'), ('get_slowest_tasks_aggregated', 'analytics'),
        ('get_task_summary', 'summaries'), ('get_task_summaries', 'summaries')) v(f, g)
$$;

COMMENT ON FUNCTION tasker_bench.tasker_functions() IS
    'tasker-core''s callable SQL functions and their group (hot_path, staleness_dlq, analytics, summaries): the suite tasker has cases for each';

-- The cases of a run, for the tasker schema p_schema: {schema} in their
-- search_path replaced, and (when more than one case was asked for) those
-- whose required functions the schema lacks left out with a NOTICE.  A
-- single case asked for by name whose function is missing is an error.
CREATE FUNCTION tasker_bench._resolve_cases(p_cases tasker_bench.cases[], p_schema text)
RETURNS tasker_bench.cases[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_case tasker_bench.cases;
    v_out tasker_bench.cases[] := '{}';
    v_missing text[];
    v_skipped text[] := '{}';
BEGIN
    IF p_schema IS NULL OR p_schema = '' THEN
        RAISE EXCEPTION 'schema must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Name the schema holding the tasker tables, or leave it out for tasker.';
    END IF;
    FOREACH v_case IN ARRAY p_cases LOOP
        IF v_case.search_path LIKE '%{schema}%' THEN
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = p_schema) THEN
                RAISE EXCEPTION 'schema "%" does not exist', p_schema USING ERRCODE = '3F000',
                    HINT = format('Run tasker_bench_setup(%L) and tasker_bench_fixture(..., schema => %L) first, or name the schema holding the tasker tables.',
                                  p_schema, p_schema);
            END IF;
            v_case.search_path := replace(v_case.search_path, '{schema}', pg_catalog.quote_ident(p_schema));
        END IF;
        SELECT coalesce(array_agg(f ORDER BY f), '{}') INTO v_missing
          FROM jsonb_array_elements_text(coalesce(v_case.options -> 'requires', '[]')) f
         WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                             JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = p_schema AND p.proname = f);
        IF cardinality(v_missing) > 0 THEN
            IF cardinality(p_cases) = 1 THEN
                RAISE EXCEPTION 'case "%" needs the function % that schema "%" does not have',
                    v_case.name, array_to_string(v_missing, ', '), p_schema USING ERRCODE = '42883',
                    HINT = 'Run it on a tasker-core database that has the function (the reference model has only the hot-path functions and get_system_health_counts).';
            END IF;
            v_skipped := v_skipped || v_case.name;
            CONTINUE;
        END IF;
        -- requires and group describe the case; the driver gets the rest of its options
        v_case.options := nullif(v_case.options - 'requires' - 'group', '{}'::jsonb);
        v_out := v_out || v_case;
    END LOOP;
    IF cardinality(v_skipped) > 0 THEN
        RAISE NOTICE 'tasker_bench: % case% skipped, schema % lacks their functions: %',
            cardinality(v_skipped), CASE WHEN cardinality(v_skipped) > 1 THEN 's' ELSE '' END,
            p_schema, array_to_string(v_skipped, ', ');
    END IF;
    IF cardinality(v_out) = 0 THEN
        RAISE EXCEPTION 'no case can run on schema "%": it lacks the functions they need', p_schema
            USING ERRCODE = '42883', HINT = 'Name a schema holding tasker''s functions.';
    END IF;
    RETURN v_out;
END
$$;

-- The cases of a suite that a schema cannot run (for the run's dataset).
CREATE FUNCTION tasker_bench._skipped_cases(p_suite text, p_schema text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('case', c.name, 'missing', m.missing) ORDER BY c.name), '[]')
      FROM tasker_bench.cases c
     CROSS JOIN LATERAL (
           SELECT array_agg(f ORDER BY f) AS missing
             FROM jsonb_array_elements_text(coalesce(c.options -> 'requires', '[]')) f
            WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                                JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                               WHERE n.nspname = p_schema AND p.proname = f)) m
     WHERE c.suite = p_suite AND m.missing IS NOT NULL AND (c.builtin OR c.owner = current_user)
$$;
