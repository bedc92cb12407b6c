-- Concurrent clients (src/clients.c): a case run at once by N background
-- workers, each connected as the role running the case.  clients => N on
-- tasker_bench_run, tasker_bench_measure and tasker_bench_run_suite; what
-- the clients did together is stored in tasker_bench.client_results.

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
