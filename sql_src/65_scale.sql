-- Scale sweep: the same case or suite measured on fixtures of growing size,
-- one run per size, and the growth of each case fitted (O(1), O(log n),
-- O(n), O(n log n), O(n^2)) with its goodness of fit.

CREATE TABLE tasker_bench.scales (
    id          bigserial PRIMARY KEY,
    what        text NOT NULL,
    schema_name name NOT NULL,
    sizes       integer[] NOT NULL,
    run_ids     bigint[] NOT NULL,
    fits        jsonb NOT NULL,            -- {case: {growth, r2, a, b}}
    created_at  timestamptz NOT NULL DEFAULT now(),
    run_by      name NOT NULL DEFAULT current_user,
    -- what sizes counts: fixture tasks, or concurrent clients (clients => '{1,2,4,8}')
    axis        text NOT NULL DEFAULT 'tasks' CHECK (axis IN ('tasks', 'clients'))
);
COMMENT ON TABLE tasker_bench.scales IS 'Scale sweeps (tasker_bench_scale): one run per fixture size, and the fitted growth';
ALTER TABLE tasker_bench.scales ENABLE ROW LEVEL SECURITY;
CREATE POLICY scales_own ON tasker_bench.scales FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user);
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.scales', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.scales_id_seq', '');
CREATE TRIGGER scales_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.scales
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.scales_id_seq');

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

CREATE FUNCTION tasker_bench_scale(
    what text, sizes integer[] DEFAULT '{1000,5000,10000,100000}',
    iterations bigint DEFAULT NULL, duration interval DEFAULT '1 second',
    warmup interval DEFAULT '200 milliseconds', schema text DEFAULT 'tasker',
    seed integer DEFAULT 1, label text DEFAULT NULL, replace boolean DEFAULT false,
    state_mix jsonb DEFAULT NULL, shapes text[] DEFAULT NULL, clients integer[] DEFAULT NULL)
RETURNS TABLE (case_name text, size integer, n bigint, p50_us float8, p95_us float8,
               p99_us float8, mean_us float8, target_ms float8, meets_target boolean,
               growth text, r2 float8, run_id bigint, scale_id bigint, ops_per_s float8)
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
    IF clients IS NOT NULL THEN
        -- a sweep over concurrent clients on the data as it is (src: 55_clients.sql)
        RETURN QUERY SELECT * FROM tasker_bench._scale_clients(what, clients, iterations, duration, warmup,
                                                               schema, label);
        RETURN;
    END IF;
    IF sizes IS NULL OR cardinality(sizes) < 2 THEN
        RAISE EXCEPTION 'a scale sweep needs at least 2 sizes' USING ERRCODE = '22023',
            HINT = 'e.g. sizes => ''{1000,5000,10000,100000}''.';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(sizes) s WHERE s IS NULL OR s <= 0 OR s > 10000000) THEN
        RAISE EXCEPTION 'sizes must be between 1 and 10000000 tasks' USING ERRCODE = '22023',
            HINT = 'Give fixture sizes in tasks, e.g. sizes => ''{1000,5000,10000,100000}''.';
    END IF;
    IF (SELECT count(DISTINCT s) FROM unnest(sizes) s) <> cardinality(sizes) THEN
        RAISE EXCEPTION 'sizes must be distinct' USING ERRCODE = '22023',
            HINT = 'Each size is measured once; remove the repeated ones.';
    END IF;
    IF NOT replace AND NOT EXISTS (SELECT 1 FROM tasker_bench.models m
                                    WHERE m.schema_name = schema AND m.created_by = current_user) THEN
        RAISE EXCEPTION 'schema "%" is not a reference model made by tasker_bench_setup()', schema
            USING ERRCODE = '42501',
            HINT = 'A scale sweep replaces the schema''s data with fixtures of each size; on a schema tasker_bench_setup() did not make (a real tasker database) pass replace => true if every row of its tasker tables may go.';
    END IF;
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
           r.ops_per_s
      FROM tasker_bench.results r JOIN tasker_bench.runs ru ON ru.id = r.run_id
     WHERE r.run_id = ANY (v_runs)
     ORDER BY r.ordinal, r.run_id;
END
$$;
COMMENT ON FUNCTION tasker_bench_scale(text, integer[], bigint, interval, interval, text, integer, text, boolean, jsonb, text[], integer[]) IS
    'Measures a case or suite on fixtures of each size (one run per size) and fits its growth; with clients, on the data as it is with each number of concurrent clients, and fits throughput against clients';
