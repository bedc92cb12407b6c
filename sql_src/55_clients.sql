-- Concurrent clients (src/clients.c): a case run at once by N background
-- workers, each connected as the role running the case.  clients => N on
-- tasker_bench_run, tasker_bench_measure and tasker_bench_run_suite; what
-- the clients did together is stored in tasker_bench.client_results.

-- What a concurrent measurement gives: the merged measurement of all
-- clients, and what only concurrency has.
CREATE TYPE tasker_bench.client_measurement AS (
    measurement tasker_bench.measurement,
    clients integer,
    ops_per_s float8,                       -- sum over the clients of ops / their measured time
    client_ops bigint[],                    -- measured iterations of each client
    client_histograms tasker_bench.histogram[],
    wait_samples bigint,
    wait_events jsonb,                      -- {"interval_ms", "samples", "by_class", "by_event"}
    claims_checked bigint,                  -- NULL for a read-only case
    claims_overlapped bigint,
    client_detail jsonb                     -- per client, _client_detail of its measurement
);

-- What one client measured beyond the merged figures, as it is stored in
-- client_results.client_detail; called by each client (src/clients.c) on
-- its own measurement, in its own backend.
CREATE FUNCTION tasker_bench._client_detail(m tasker_bench.measurement, client integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'client', client, 'n', m.n, 'wall_s', m.wall_s, 'p50_us', m.p50_us, 'p99_us', m.p99_us,
        'block_medians_ns', to_jsonb(m.block_medians_ns), 'probe_medians_ns', to_jsonb(m.probe_medians_ns),
        'phases', coalesce((SELECT jsonb_agg(jsonb_build_object('phase', p.name)
                                             || tasker_bench._phase_figures(p.h) ORDER BY p.ord)
                              FROM unnest(m.phase_names, m.phase_histograms) WITH ORDINALITY AS p(name, h, ord)),
                           '[]'),
        'counters', m.counters)
$$;
COMMENT ON FUNCTION tasker_bench._client_detail(tasker_bench.measurement, integer) IS
    'What one concurrent client measured (its block and probe medians, phases, counters) as client_results.client_detail keeps it';

CREATE FUNCTION tasker_bench._measure_clients(
    driver text, sql text, params text, options jsonb, iterations bigint, duration interval,
    warmup interval, rollback boolean, label text, clients integer)
    RETURNS tasker_bench.client_measurement
    AS 'MODULE_PATHNAME', 'tb_measure_clients' LANGUAGE C;
COMMENT ON FUNCTION tasker_bench._measure_clients(text, text, text, jsonb, bigint, interval, interval, boolean, text, integer) IS
    'Measures one case with the named driver in N concurrent background workers; stores nothing';

CREATE TABLE tasker_bench.client_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    clients     integer NOT NULL CHECK (clients >= 1),
    ops_per_s   float8 NOT NULL,
    min_client_ops bigint NOT NULL,
    max_client_ops bigint NOT NULL,
    client_ops  bigint[] NOT NULL,
    client_histograms tasker_bench.histogram[] NOT NULL,
    wait_samples bigint NOT NULL,
    wait_events jsonb NOT NULL,
    claims_checked bigint,
    claims_overlapped bigint,
    run_by      name NOT NULL DEFAULT current_user,
    client_detail jsonb,
    PRIMARY KEY (run_id, case_name),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);
COMMENT ON TABLE tasker_bench.client_results IS
    'Per case run with clients => N: total throughput, fairness, per-client histograms, wait-event shares, claims that overlapped';
COMMENT ON COLUMN tasker_bench.client_results.ops_per_s IS
    'Total throughput: the sum over the clients of their measured iterations per second of their measured time';
COMMENT ON COLUMN tasker_bench.client_results.wait_events IS
    'Shares (0..1) of the samples of the clients'' wait_event_info, every interval_ms ms of the measured phase: by_class (CPU = not waiting, LWLock, Lock, IO, IPC, ...) and by_event (class:name)';
COMMENT ON COLUMN tasker_bench.client_results.client_detail IS
    'One object per client (client 1 first): its n, wall_s, p50_us, p99_us, block_medians_ns and probe_medians_ns (raw ns, one per block of its measured phase), phases ([{phase, n, mean_us, p50_us, p95_us, p99_us}]) and counters (per call)';
COMMENT ON COLUMN tasker_bench.client_results.claims_overlapped IS
    'Rows returned to more than one client by iterations that overlapped in time (keyed by the first column); NULL for a read-only case';
ALTER TABLE tasker_bench.client_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_results_own ON tasker_bench.client_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.client_results', '');

-- clients => N is a number from 1 to 64.
CREATE FUNCTION tasker_bench._check_clients(p_clients integer) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_clients IS NULL OR p_clients < 1 OR p_clients > 64 THEN
        RAISE EXCEPTION 'clients must be between 1 and 64, got %', coalesce(p_clients::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'clients => 4 runs each case in 4 concurrent backends; leave it out for one.';
    END IF;
END
$$;

-- The measurement of one case by p_clients concurrent clients, as
-- _measure_case uses it: the measurement, and the client_results row (jsonb).
CREATE FUNCTION tasker_bench._measure_case_clients(
    p_run bigint, p_case tasker_bench.cases, p_iterations bigint, p_duration interval,
    p_warmup interval, p_rollback boolean, p_label text, p_clients integer,
    OUT measurement tasker_bench.measurement, OUT clients jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v_c tasker_bench.client_measurement;
BEGIN
    v_c := tasker_bench._measure_clients(p_case.driver, p_case.sql, p_case.params, p_case.options,
                                         p_iterations, p_duration, p_warmup,
                                         coalesce(p_rollback, p_case.rollback), p_label, p_clients);
    measurement := v_c.measurement;
    clients := jsonb_build_object(
        'run_id', p_run, 'case_name', p_case.name, 'clients', v_c.clients,
        'ops_per_s', v_c.ops_per_s,
        'min_client_ops', (SELECT min(x) FROM unnest(v_c.client_ops) x),
        'max_client_ops', (SELECT max(x) FROM unnest(v_c.client_ops) x),
        'client_ops', v_c.client_ops, 'client_histograms', v_c.client_histograms::text[],
        'wait_samples', v_c.wait_samples, 'wait_events', v_c.wait_events,
        'claims_checked', v_c.claims_checked, 'claims_overlapped', v_c.claims_overlapped,
        'client_detail', v_c.client_detail, 'run_by', current_user);
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: %: % clients, % ops/s in total, client ops % .. %, CPU share %, claims overlapped %',
            p_case.name, v_c.clients, round(v_c.ops_per_s::numeric, 1),
            clients->'min_client_ops', clients->'max_client_ops',
            coalesce(v_c.wait_events->'by_class'->>'CPU', '-'), coalesce(v_c.claims_overlapped::text, '-');
    END IF;
END
$$;

CREATE FUNCTION tasker_bench._store_clients(p_clients jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO tasker_bench.client_results
    SELECT (jsonb_populate_record(NULL::tasker_bench.client_results, p_clients)).*
     WHERE p_clients IS NOT NULL
$$;

/*
 * Wait-event shares of a run's concurrent cases, one row per case and
 * class or event, largest share first.
 */
CREATE FUNCTION tasker_bench_wait_events(run_id bigint, by_event boolean DEFAULT false)
RETURNS TABLE (case_name text, clients integer, wait text, share float8)
LANGUAGE sql STABLE AS $$
    SELECT c.case_name, c.clients, e.key, e.value::float8
      FROM tasker_bench.client_results c,
           jsonb_each_text(c.wait_events -> CASE WHEN by_event THEN 'by_event' ELSE 'by_class' END) e
     WHERE c.run_id = tasker_bench_wait_events.run_id
     ORDER BY c.case_name, e.value::float8 DESC, e.key
$$;
COMMENT ON FUNCTION tasker_bench_wait_events(bigint, boolean) IS
    'What the concurrent clients of a run waited on: share of samples by wait class (or by event), per case';

-- ---- the built-in suite 'tasker_concurrency' ----
-- N orchestrators discovering and claiming at once, and whole workflows
-- (orchestration and worker steps with the queue) run by 4 clients at once,
-- as tasker-core's cluster tier.  Need a fixture (tasker_bench_fixture) and,
-- for 8 clients, max_worker_processes of at least 8 free.
INSERT INTO tasker_bench.cases (name, suite, sql, search_path, rollback, category, description, builtin, clients)
SELECT format('get_next_ready_tasks/batch_10/clients_%s', n), 'tasker_concurrency',
       'SELECT * FROM get_next_ready_tasks(10)', '{schema}, public', NULL, 'sql',
       format('%s orchestrators discovering and claiming a batch of 10 at once (rolled back)', n), true, n
  FROM unnest(ARRAY[2, 4, 8]) n
UNION ALL
SELECT 'e2e/diamond4/clients_4', 'tasker_concurrency', 'SELECT tasker_bench.lifecycle_e2e(''diamond4'')',
       '{schema}, public', true, 'e2e',
       'Whole diamond4 workflows run by 4 clients at once: orchestration and worker steps with the queue (rolled back)',
       true, 4;

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

-- For reports: what the clients of a case did, as the report's jsonb (NULL for one client).
CREATE FUNCTION tasker_bench._report_clients(p_run bigint, p_case text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('clients', c.clients, 'ops_per_s', c.ops_per_s,
                              'min_client_ops', c.min_client_ops, 'max_client_ops', c.max_client_ops,
                              'client_ops', c.client_ops, 'wait_samples', c.wait_samples,
                              'wait_events', c.wait_events, 'claims_checked', c.claims_checked,
                              'claims_overlapped', c.claims_overlapped)
      FROM tasker_bench.client_results c
     WHERE c.run_id = p_run AND c.case_name = p_case
$$;

-- One line of a report for a case run by concurrent clients (its 'clients' object), else NULL.
CREATE FUNCTION tasker_bench._report_clients_line(p_case_name text, c jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN (SELECT format('%s: %s clients, %s ops/s in total, %s..%s iterations per client; waited (share of %s samples): %s%s',
                  p_case_name, c->>'clients', tasker_bench._fmt_sig((c->>'ops_per_s')::float8),
                  c->>'min_client_ops', c->>'max_client_ops', c->>'wait_samples',
                  coalesce((SELECT string_agg(format('%s %s %%', e.key, round(100 * e.value::numeric, 1)), ', '
                                              ORDER BY e.value::numeric DESC, e.key)
                              FROM jsonb_each_text(c->'wait_events'->'by_class') e), '-'),
                  CASE WHEN c->>'claims_checked' IS NOT NULL THEN
                      format('; rows returned to two clients at once: %s of %s', c->>'claims_overlapped',
                             c->>'claims_checked') ELSE '' END)
             WHERE c IS NOT NULL);
END
$$;
