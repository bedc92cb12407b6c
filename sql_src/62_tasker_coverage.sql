-- The tasker suite covers every SQL function of tasker-core, on any schema.
--
--   tasker_bench.tasker_functions()           tasker-core's callable SQL functions and their group
--   tasker_bench._resolve_cases(cases, schema) a run's cases for one tasker schema
--   tasker_bench._tasker_coverage_cases()     the built-in cases added here (install and upgrade)
--
-- Built-in cases name their schema with the placeholder {schema} in
-- search_path ('{schema}, public'); a run replaces it with the schema it
-- measures (tasker_bench_run(..., schema => 'other'), tasker_bench_scale,
-- default tasker).  A case whose options carry "requires": [function, ...]
-- runs only where the schema has those functions (requires and group are the
-- case's own keys: the driver gets the options without them); in a suite, a case whose
-- function is missing is left out with a NOTICE (the reference model lacks
-- the staleness, DLQ, summary and analytics functions but
-- get_system_health_counts; a real tasker-core
-- database has them all), and the run's dataset lists it under "skipped".
-- options.group says which part of tasker-core the function belongs to:
-- hot_path, staleness_dlq, analytics or summaries.

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

-- ---- the cases added to the suite 'tasker' ----
-- Samples: tasker_bench.sample_tasks / sample_steps (sql_src/60_tasker.sql).
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
