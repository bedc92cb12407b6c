-- Scale sweep: the same case or suite measured on fixtures of growing size,
-- one run per size, and the growth of each case fitted (O(1), O(log n),
-- O(n), O(n log n), O(n^2)) with its goodness of fit; or with clients, on
-- the data as it is with each number of concurrent clients, and throughput
-- fitted against clients.

-- The seed plan's published targets for get_next_ready_tasks, in ms by fixture size.
CREATE FUNCTION tasker_bench.scale_target_ms(case_name text, size integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN case_name LIKE 'get_next_ready_tasks/%' THEN
               CASE WHEN size <= 1000 THEN 2 WHEN size <= 5000 THEN 3
                    WHEN size <= 10000 THEN 5 WHEN size <= 100000 THEN 10 END
           END
$$;

COMMENT ON FUNCTION tasker_bench.scale_target_ms(text, integer) IS
    'The seed plan''s target (ms) of a case at a fixture size, or NULL (tasker_bench_scale''s target_ms)';

-- The sizes of a sweep (at least p_min of them), and may their data go?
CREATE FUNCTION tasker_bench._check_scale_sizes(p_sizes integer[], p_min integer, p_schema text,
                                                p_replace boolean) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_sizes IS NULL OR cardinality(p_sizes) < p_min THEN
        RAISE EXCEPTION 'a scale sweep needs at least % size%', p_min, CASE WHEN p_min = 1 THEN '' ELSE 's' END
            USING ERRCODE = '22023', HINT = 'e.g. sizes => ''{1000,5000,10000,100000}''.';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_sizes) s WHERE s IS NULL OR s <= 0 OR s > 10000000) THEN
        RAISE EXCEPTION 'sizes must be between 1 and 10000000 tasks' USING ERRCODE = '22023',
            HINT = 'Give fixture sizes in tasks, e.g. sizes => ''{1000,5000,10000,100000}''.';
    END IF;
    IF (SELECT count(DISTINCT s) FROM unnest(p_sizes) s) <> cardinality(p_sizes) THEN
        RAISE EXCEPTION 'sizes must be distinct' USING ERRCODE = '22023',
            HINT = 'Each size is measured once; remove the repeated ones.';
    END IF;
    IF NOT p_replace AND NOT EXISTS (SELECT 1 FROM tasker_bench.models m
                                      WHERE m.schema_name = p_schema AND m.created_by = current_user) THEN
        RAISE EXCEPTION 'schema "%" is not a reference model made by tasker_bench_setup()', p_schema
            USING ERRCODE = '42501',
            HINT = 'A scale sweep replaces the schema''s data with fixtures of each size; on a schema tasker_bench_setup() did not make (a real tasker database) pass replace => true if every row of its tasker tables may go.';
    END IF;
END
$$;

COMMENT ON FUNCTION tasker_bench._check_scale_sizes(integer[], integer, text, boolean) IS
    'Errors unless the sizes of a scale sweep are valid (at least p_min, distinct, 1..10000000) and the schema''s data may be replaced';

-- Runs its steps, each in a transaction of its own, in a background worker
-- (src/steps_worker.c): returns each step's result (_scale_step).
CREATE FUNCTION tasker_bench._scale_steps(steps jsonb[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'tb_scale_steps' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._scale_steps(jsonb[]) IS
    'Runs tasker_bench._scale_step of each step in a committed transaction of its own, in one background worker as the caller''s role; returns their results';

-- One step of a sweep over sizes and clients, in a transaction of its own:
-- {"kind": "fixture", "size", "schema", "seed", "state_mix", "shapes"}
-- builds a fixture (NULL); {"kind": "run", "what", "schema", "iterations",
-- "duration", "warmup", "label", "clients"} runs the cases (the run id).
CREATE FUNCTION tasker_bench._scale_step(step jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
BEGIN
    IF step->>'kind' = 'fixture' THEN
        EXECUTE format('SELECT %I.tasker_bench_fixture($1, schema => $2, seed => $3, replace => true, '
                       'state_mix => $4, shapes => $5)', tasker_bench._ext_schema())
          USING (step->>'size')::integer, step->>'schema', (step->>'seed')::integer,
                nullif(step->'state_mix', 'null'::jsonb),
                CASE WHEN jsonb_typeof(step->'shapes') = 'array'
                     THEN ARRAY(SELECT jsonb_array_elements_text(step->'shapes')) END;
        RETURN NULL;
    ELSIF step->>'kind' = 'run' THEN
        SELECT * INTO v_cases, v_suite FROM tasker_bench._cases_for(step->>'what', step->>'schema');
        RETURN tasker_bench._execute('scale', step->>'what', v_suite, v_cases, (step->>'iterations')::bigint,
                                     (step->>'duration')::interval, (step->>'warmup')::interval,
                                     step->>'label', NULL, (step->>'clients')::integer);
    END IF;
    RAISE EXCEPTION 'unknown step of a sweep: %', step USING ERRCODE = '22023';
END
$$;

COMMENT ON FUNCTION tasker_bench._scale_step(jsonb) IS
    'One step of tasker_bench_scale(sizes, clients): a fixture built, or the cases run with N clients (its run id)';

-- The measured points of a sweep over sizes and clients: one row per case
-- and (size, clients), from its steps and their results.
CREATE FUNCTION tasker_bench._scale_grid_points(p_steps jsonb[], p_results bigint[])
RETURNS TABLE (case_name text, size integer, clients integer, run_id bigint, ops_per_s float8)
LANGUAGE sql STABLE AS $$
    SELECT r.case_name, (s.step->>'size')::integer, (s.step->>'clients')::integer, r.run_id,
           coalesce(c.ops_per_s, r.n / nullif(r.wall_s, 0))
      FROM unnest(p_steps, p_results) AS s(step, rid)
      JOIN tasker_bench.results r ON r.run_id = s.rid
      LEFT JOIN tasker_bench.client_results c ON c.run_id = r.run_id AND c.case_name = r.case_name
     WHERE s.step->>'kind' = 'run'
$$;

COMMENT ON FUNCTION tasker_bench._scale_grid_points(jsonb[], bigint[]) IS
    'The measured points of a sweep over sizes and clients: case, size, clients, run and total throughput';

/*
 * tasker_bench_scale(what, sizes => ..., clients => ...): for each size
 * (ascending) a fixture, then a run with each number of clients
 * (ascending); each step is committed in a transaction of its own
 * (_scale_steps), since the clients see only committed data.  Fitted per
 * case: total throughput against clients at each size (fits->case->
 * 'clients'->'<size>') and p50 against size at each number of clients
 * (fits->case->'tasks'->'<clients>'), where that axis has 2 points or more.
 */
CREATE FUNCTION tasker_bench._scale_grid(
    p_what text, p_sizes integer[], p_clients integer[], p_iterations bigint, p_duration interval,
    p_warmup interval, p_schema text, p_seed integer, p_label text, p_replace boolean,
    p_state_mix jsonb, p_shapes text[])
RETURNS TABLE (case_name text, size integer, n bigint, p50_us float8, p95_us float8,
               p99_us float8, mean_us float8, target_ms float8, meets_target boolean,
               growth text, r2 float8, run_id bigint, scale_id bigint, ops_per_s float8,
               client_count integer, clients_growth text, clients_r2 float8)
LANGUAGE plpgsql AS $$
DECLARE
    v_sizes integer[] := (SELECT array_agg(s ORDER BY s) FROM unnest(p_sizes) s);
    v_clients integer[] := (SELECT array_agg(DISTINCT c ORDER BY c) FROM unnest(p_clients) c);
    v_steps jsonb[] := '{}';
    v_results bigint[];
    v_size integer;
    v_n integer;
    v_case text;
    v_fit record;
    v_by_size jsonb;
    v_by_clients jsonb;
    v_fits jsonb := '{}';
    v_scale bigint;
BEGIN
    IF cardinality(p_clients) < 1 OR EXISTS (SELECT 1 FROM unnest(p_clients) c WHERE c IS NULL)
       OR cardinality(v_clients) <> cardinality(p_clients) THEN
        RAISE EXCEPTION 'clients must be distinct numbers of clients, got %', p_clients USING ERRCODE = '22023',
            HINT = 'e.g. sizes => ''{1000,10000}'', clients => ''{1,2,4}''.';
    END IF;
    FOREACH v_n IN ARRAY v_clients LOOP
        PERFORM tasker_bench._check_clients(v_n);
    END LOOP;
    PERFORM tasker_bench._check_scale_sizes(p_sizes, 1, p_schema, p_replace);
    IF cardinality(v_sizes) < 2 AND cardinality(v_clients) < 2 THEN
        RAISE EXCEPTION 'a sweep over sizes and clients needs at least 2 sizes or 2 numbers of clients'
            USING ERRCODE = '22023', HINT = 'e.g. sizes => ''{1000,10000}'', clients => ''{1,2,4}''.';
    END IF;
    IF v_clients[cardinality(v_clients)] >= current_setting('max_worker_processes')::integer THEN
        RAISE EXCEPTION 'a sweep over sizes with % clients needs % background workers (one runs its steps), but max_worker_processes is %',
            v_clients[cardinality(v_clients)], v_clients[cardinality(v_clients)] + 1,
            current_setting('max_worker_processes')
            USING ERRCODE = '53400',
            HINT = 'Raise max_worker_processes (it needs a server restart), or use fewer clients.';
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'a sweep over sizes with clients needs READ COMMITTED, not %',
            upper(current_setting('transaction_isolation'))
            USING ERRCODE = '25000',
            HINT = 'Its steps commit in transactions of their own, and this transaction must see what they wrote; call it outside a REPEATABLE READ or SERIALIZABLE transaction.';
    END IF;
    PERFORM tasker_bench._check_budget(p_iterations, p_duration, p_warmup);
    -- the cases exist (the steps look them up again)
    PERFORM tasker_bench._cases_for(p_what, p_schema);

    FOREACH v_size IN ARRAY v_sizes LOOP
        v_steps := v_steps || jsonb_build_object('kind', 'fixture', 'size', v_size, 'schema', p_schema,
                                                 'seed', p_seed, 'state_mix', p_state_mix, 'shapes', p_shapes);
        FOREACH v_n IN ARRAY v_clients LOOP
            v_steps := v_steps || jsonb_build_object(
                'kind', 'run', 'size', v_size, 'clients', v_n, 'what', p_what, 'schema', p_schema,
                'iterations', p_iterations, 'duration', p_duration, 'warmup', p_warmup,
                'label', format('%s n=%s clients=%s', coalesce(p_label, 'scale'), v_size, v_n));
        END LOOP;
    END LOOP;
    RAISE NOTICE 'tasker_bench_scale: % fixtures and % runs, each committed in a transaction of its own',
        cardinality(v_sizes), cardinality(v_sizes) * cardinality(v_clients);
    v_results := tasker_bench._scale_steps(v_steps);

    FOR v_case IN SELECT DISTINCT p.case_name FROM tasker_bench._scale_grid_points(v_steps, v_results) p LOOP
        v_by_size := '{}';
        v_by_clients := '{}';
        IF cardinality(v_clients) >= 2 THEN
            FOREACH v_size IN ARRAY v_sizes LOOP
                SELECT * INTO v_fit FROM tasker_bench.fit_complexity(
                    (SELECT array_agg(p.clients::float8 ORDER BY p.clients)
                       FROM tasker_bench._scale_grid_points(v_steps, v_results) p
                      WHERE p.case_name = v_case AND p.size = v_size),
                    (SELECT array_agg(p.ops_per_s ORDER BY p.clients)
                       FROM tasker_bench._scale_grid_points(v_steps, v_results) p
                      WHERE p.case_name = v_case AND p.size = v_size));
                v_by_size := v_by_size || jsonb_build_object(v_size::text, to_jsonb(v_fit));
            END LOOP;
        END IF;
        IF cardinality(v_sizes) >= 2 THEN
            FOREACH v_n IN ARRAY v_clients LOOP
                SELECT * INTO v_fit FROM tasker_bench.fit_complexity(
                    (SELECT array_agg(p.size::float8 ORDER BY p.size)
                       FROM tasker_bench._scale_grid_points(v_steps, v_results) p
                      WHERE p.case_name = v_case AND p.clients = v_n),
                    (SELECT array_agg(r.p50_us ORDER BY p.size)
                       FROM tasker_bench._scale_grid_points(v_steps, v_results) p
                       JOIN tasker_bench.results r ON r.run_id = p.run_id AND r.case_name = p.case_name
                      WHERE p.case_name = v_case AND p.clients = v_n));
                v_by_clients := v_by_clients || jsonb_build_object(v_n::text, to_jsonb(v_fit));
            END LOOP;
        END IF;
        v_fits := v_fits || jsonb_build_object(v_case, jsonb_build_object('clients', v_by_size,
                                                                          'tasks', v_by_clients));
    END LOOP;
    INSERT INTO tasker_bench.scales (what, schema_name, sizes, run_ids, fits, axis, clients)
    VALUES (p_what, p_schema, v_sizes, (SELECT array_agg(x) FROM unnest(v_results) x WHERE x IS NOT NULL),
            v_fits, 'grid', v_clients)
    RETURNING id INTO v_scale;

    RETURN QUERY
    SELECT r.case_name, p.size, r.n, r.p50_us, r.p95_us, r.p99_us, r.mean_us,
           tasker_bench.scale_target_ms(r.case_name, p.size),
           r.p50_us / 1000 < tasker_bench.scale_target_ms(r.case_name, p.size),
           v_fits->r.case_name->'tasks'->(p.clients::text)->>'complexity',
           (v_fits->r.case_name->'tasks'->(p.clients::text)->>'r2')::float8, r.run_id, v_scale,
           p.ops_per_s, p.clients,
           v_fits->r.case_name->'clients'->(p.size::text)->>'complexity',
           (v_fits->r.case_name->'clients'->(p.size::text)->>'r2')::float8
      FROM tasker_bench._scale_grid_points(v_steps, v_results) p
      JOIN tasker_bench.results r ON r.run_id = p.run_id AND r.case_name = p.case_name
     ORDER BY r.ordinal, p.size, p.clients;
END
$$;

COMMENT ON FUNCTION tasker_bench._scale_grid(text, integer[], integer[], bigint, interval, interval, text, integer, text, boolean, jsonb, text[]) IS
    'tasker_bench_scale with sizes and clients: every (size, clients) pair, each step committed on its own, both fits';

/*
 * tasker_bench_scale(what, clients => '{1,2,4,8}'): one run per number of
 * clients on the data as it is, and the growth of each case's total
 * throughput against clients fitted (O(n): scales with clients; O(log n)
 * or O(1): saturates); rows with size = the data's tasks (NULL without a
 * tasker schema), client_count, and the fit in clients_growth.  Throughput at 1 client is measured iterations per
 * second of measured time, as for N clients.
 */
CREATE FUNCTION tasker_bench._scale_clients(
    p_what text, p_clients integer[], p_iterations bigint, p_duration interval, p_warmup interval,
    p_schema text, p_label text)
RETURNS TABLE (case_name text, size integer, n bigint, p50_us float8, p95_us float8,
               p99_us float8, mean_us float8, target_ms float8, meets_target boolean,
               growth text, r2 float8, run_id bigint, scale_id bigint, ops_per_s float8,
               client_count integer, clients_growth text, clients_r2 float8)
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
    v_n integer;
    v_runs bigint[] := '{}';
    v_fits jsonb := '{}';
    v_scale bigint;
    v_case text;
    v_fit record;
    v_sorted integer[] := (SELECT array_agg(DISTINCT c ORDER BY c) FROM unnest(p_clients) c);
BEGIN
    IF cardinality(p_clients) < 2 OR EXISTS (SELECT 1 FROM unnest(p_clients) c WHERE c IS NULL)
       OR cardinality(v_sorted) <> cardinality(p_clients) THEN
        RAISE EXCEPTION 'a clients sweep needs at least 2 distinct numbers of clients' USING ERRCODE = '22023',
            HINT = 'e.g. clients => ''{1,2,4,8}''.';
    END IF;
    FOREACH v_n IN ARRAY v_sorted LOOP
        PERFORM tasker_bench._check_clients(v_n);
    END LOOP;
    PERFORM tasker_bench._check_budget(p_iterations, p_duration, p_warmup);
    SELECT * INTO v_cases, v_suite FROM tasker_bench._cases_for(p_what, p_schema);

    FOREACH v_n IN ARRAY v_sorted LOOP
        RAISE NOTICE 'tasker_bench_scale: % client%', v_n, CASE WHEN v_n = 1 THEN '' ELSE 's' END;
        v_runs := v_runs || tasker_bench._execute('scale', p_what, v_suite, v_cases, p_iterations, p_duration,
                                                  p_warmup, coalesce(p_label, 'scale') || ' clients=' || v_n,
                                                  NULL, v_n);
    END LOOP;

    FOR v_case IN SELECT DISTINCT r.case_name FROM tasker_bench.results r WHERE r.run_id = ANY (v_runs) LOOP
        SELECT * INTO v_fit FROM tasker_bench.fit_complexity(
            (SELECT array_agg(coalesce(c.clients, 1)::float8 ORDER BY r.run_id)
               FROM tasker_bench.results r
               LEFT JOIN tasker_bench.client_results c USING (run_id, case_name)
              WHERE r.run_id = ANY (v_runs) AND r.case_name = v_case),
            (SELECT array_agg(coalesce(c.ops_per_s, r.n / nullif(r.wall_s, 0)) ORDER BY r.run_id)
               FROM tasker_bench.results r
               LEFT JOIN tasker_bench.client_results c USING (run_id, case_name)
              WHERE r.run_id = ANY (v_runs) AND r.case_name = v_case));
        v_fits := v_fits || jsonb_build_object(v_case, to_jsonb(v_fit));
    END LOOP;
    INSERT INTO tasker_bench.scales (what, schema_name, sizes, run_ids, fits, axis, clients)
    VALUES (p_what, p_schema, '{}', v_runs, v_fits, 'clients', v_sorted)
    RETURNING id INTO v_scale;

    RETURN QUERY
    SELECT r.case_name, (ru.dataset->'row_counts'->>'tasks')::integer, r.n, r.p50_us, r.p95_us, r.p99_us,
           r.mean_us, NULL::float8, NULL::boolean, NULL::text, NULL::float8, r.run_id, v_scale,
           coalesce(c.ops_per_s, r.n / nullif(r.wall_s, 0)), coalesce(c.clients, 1),
           v_fits->r.case_name->>'complexity', (v_fits->r.case_name->>'r2')::float8
      FROM tasker_bench.results r
      JOIN tasker_bench.runs ru ON ru.id = r.run_id
      LEFT JOIN tasker_bench.client_results c USING (run_id, case_name)
     WHERE r.run_id = ANY (v_runs)
     ORDER BY r.ordinal, r.run_id;
END
$$;

CREATE FUNCTION tasker_bench_scale(
    what text, sizes integer[] DEFAULT NULL,
    iterations bigint DEFAULT NULL, duration interval DEFAULT '1 second',
    warmup interval DEFAULT '200 milliseconds', schema text DEFAULT 'tasker',
    seed integer DEFAULT 1, label text DEFAULT NULL, replace boolean DEFAULT false,
    state_mix jsonb DEFAULT NULL, shapes text[] DEFAULT NULL, clients integer[] DEFAULT NULL)
RETURNS TABLE (case_name text, size integer, n bigint, p50_us float8, p95_us float8,
               p99_us float8, mean_us float8, target_ms float8, meets_target boolean,
               growth text, r2 float8, run_id bigint, scale_id bigint, ops_per_s float8,
               client_count integer, clients_growth text, clients_r2 float8)
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
    v_size integer;
    v_runs bigint[] := '{}';
    v_fits jsonb := '{}';
    v_scale bigint;
    v_case text;
    v_fit record;
BEGIN
    IF clients IS NOT NULL AND sizes IS NULL THEN
        -- a sweep over concurrent clients on the data as it is (sql_src/18_clients.sql)
        RETURN QUERY SELECT * FROM tasker_bench._scale_clients(what, clients, iterations, duration, warmup,
                                                               schema, label);
        RETURN;
    ELSIF clients IS NOT NULL THEN
        -- every (size, clients) pair, each step committed on its own
        RETURN QUERY SELECT * FROM tasker_bench._scale_grid(what, sizes, clients, iterations, duration, warmup,
                                                            schema, seed, label, replace, state_mix, shapes);
        RETURN;
    END IF;
    sizes := coalesce(sizes, '{1000,5000,10000,100000}');
    PERFORM tasker_bench._check_scale_sizes(sizes, 2, schema, replace);
    PERFORM tasker_bench._check_budget(iterations, duration, warmup);
    SELECT * INTO v_cases, v_suite FROM tasker_bench._cases_for(what, tasker_bench_scale.schema);

    FOREACH v_size IN ARRAY (SELECT array_agg(s ORDER BY s) FROM unnest(sizes) s) LOOP
        RAISE NOTICE 'tasker_bench_scale: fixture of % tasks', v_size;
        -- the fixture lives beside this function, wherever the extension was installed
        EXECUTE format('SELECT %I.tasker_bench_fixture($1, schema => $2, seed => $3, replace => true, '
                       'state_mix => $4, shapes => $5)', tasker_bench._ext_schema())
          USING v_size, tasker_bench_scale.schema, tasker_bench_scale.seed, tasker_bench_scale.state_mix,
                tasker_bench_scale.shapes;
        v_runs := v_runs || tasker_bench._execute('scale', what, v_suite, v_cases, iterations, duration,
                                                  warmup, coalesce(label, 'scale') || ' n=' || v_size,
                                                  NULL);
    END LOOP;

    FOR v_case IN SELECT DISTINCT r.case_name FROM tasker_bench.results r WHERE r.run_id = ANY (v_runs) LOOP
        SELECT * INTO v_fit FROM tasker_bench.fit_complexity(
            (SELECT array_agg((ru.dataset->'row_counts'->>'tasks')::float8 ORDER BY ru.id)
               FROM tasker_bench.results r JOIN tasker_bench.runs ru ON ru.id = r.run_id
              WHERE r.run_id = ANY (v_runs) AND r.case_name = v_case),
            (SELECT array_agg(r.p50_us ORDER BY r.run_id)
               FROM tasker_bench.results r WHERE r.run_id = ANY (v_runs) AND r.case_name = v_case));
        v_fits := v_fits || jsonb_build_object(v_case, to_jsonb(v_fit));
    END LOOP;
    INSERT INTO tasker_bench.scales (what, schema_name, sizes, run_ids, fits)
    VALUES (what, schema, (SELECT array_agg(s ORDER BY s) FROM unnest(sizes) s), v_runs, v_fits)
    RETURNING id INTO v_scale;

    RETURN QUERY
    SELECT r.case_name, (ru.dataset->'row_counts'->>'tasks')::integer, r.n, r.p50_us, r.p95_us,
           r.p99_us, r.mean_us,
           tasker_bench.scale_target_ms(r.case_name, (ru.dataset->'row_counts'->>'tasks')::integer),
           r.p50_us / 1000 < tasker_bench.scale_target_ms(r.case_name, (ru.dataset->'row_counts'->>'tasks')::integer),
           v_fits->r.case_name->>'complexity', (v_fits->r.case_name->>'r2')::float8, r.run_id, v_scale,
           r.ops_per_s, 1, NULL::text, NULL::float8
      FROM tasker_bench.results r JOIN tasker_bench.runs ru ON ru.id = r.run_id
     WHERE r.run_id = ANY (v_runs)
     ORDER BY r.ordinal, r.run_id;
END
$$;

COMMENT ON FUNCTION tasker_bench_scale(text, integer[], bigint, interval, interval, text, integer, text, boolean, jsonb, text[], integer[]) IS
    'Measures a case or suite on fixtures of each size (one run per size) and fits its growth; with clients and no sizes, on the data as it is with each number of concurrent clients, fitting throughput against clients; with both, every (size, clients) pair (each step committed on its own), fitting throughput against clients per size and growth against size per number of clients';
