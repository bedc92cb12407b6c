-- Running cases: the one dispatcher and the one run writer.  A run checks
-- its arguments, finds its cases, validates them all, measures each through
-- its driver (tasker_bench._measure_case), stores each result as it comes
-- (_store_case) and the run once (_write_run).  tasker_bench_run,
-- tasker_bench_measure, tasker_bench_run_suite, tasker_bench_ab and
-- tasker_bench_scale all go through here.

-- The dataset a run measured: the tasker schema first on the cases' search_path.
CREATE FUNCTION tasker_bench._dataset_for(p_cases tasker_bench.cases[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_schema text;
BEGIN
    SELECT btrim(split_part(c.search_path, ',', 1), ' "') INTO v_schema
      FROM unnest(p_cases) c WHERE c.search_path IS NOT NULL LIMIT 1;
    IF v_schema IS NULL
       OR cardinality((tasker_bench._tasker_missing(v_schema)).tables) > 0 THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object('schema', v_schema) || tasker_bench.describe_dataset(v_schema)
           || CASE WHEN cardinality(p_cases) > 1   -- a suite (one case asked for skips nothing)
                   THEN jsonb_build_object('skipped', tasker_bench._skipped_cases(p_cases[1].suite, v_schema))
                   ELSE '{}' END;
END
$$;

/*
 * The one writer of a run's row, whoever runs it (tasker_bench_run and
 * _measure, tasker_bench_run_suite, tasker_bench_ab, tasker_bench_scale,
 * the failure recorder, tasker_bench_import).  r holds the columns by name
 * (keys that are no column are ignored, as are null values); id defaults to
 * the next of the sequence, started_at to now, environment to {}, the rest
 * to the column defaults.  Returns the run's id.
 */
CREATE FUNCTION tasker_bench._write_run(r jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_row jsonb;
    v_cols text;
    v_id bigint;
BEGIN
    SELECT jsonb_build_object('started_at', pg_catalog.clock_timestamp(), 'environment', '{}'::jsonb)
           || coalesce(jsonb_object_agg(e.key, e.value), '{}')
      INTO v_row
      FROM jsonb_each(r) e WHERE e.value <> 'null';
    -- an id the caller reserved with nextval is kept (the key trigger checks
    -- it is this session's); only a run without one takes the next
    IF NOT v_row ? 'id' THEN
        v_row := v_row || jsonb_build_object('id', pg_catalog.nextval('tasker_bench.runs_id_seq'));
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = 'tasker_bench.runs'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND v_row ? a.attname;
    EXECUTE format('INSERT INTO tasker_bench.runs (%s) SELECT %s FROM jsonb_populate_record(NULL::tasker_bench.runs, $1) RETURNING id',
                   v_cols, v_cols)
       INTO v_id USING v_row;
    RETURN v_id;
END
$$;

-- Written by the failure recorder's background worker (src/failure_recorder.c).
CREATE FUNCTION tasker_bench._insert_failed_run(r jsonb) RETURNS void
LANGUAGE sql AS $$
    SELECT tasker_bench._write_run(r || jsonb_build_object('finished_at', pg_catalog.clock_timestamp(),
                                                           'status', 'failed'));
$$;

-- Set the transaction's search_path to p_path unless it is NULL; returns
-- the previous one to set back, or NULL when nothing was changed.
CREATE FUNCTION tasker_bench._set_search_path(p_path text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_old text;
BEGIN
    IF p_path IS NULL THEN
        RETURN NULL;
    END IF;
    v_old := current_setting('search_path');
    PERFORM set_config('search_path', p_path, true);
    RETURN v_old;
END
$$;

-- Every case must parse, resolve and have usable parameter sets before
-- anything runs or is written: bad input fails here.
CREATE FUNCTION tasker_bench._validate_cases(p_cases tasker_bench.cases[], p_run bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_case tasker_bench.cases;
    v_path text;
    v_state text;
    v_msg text;
    v_detail text;
    v_hint text;
    v_i int := 0;
BEGIN
    FOREACH v_case IN ARRAY p_cases LOOP
        v_i := v_i + 1;
        v_path := tasker_bench._set_search_path(v_case.search_path);
        -- the case is prepared here and its params query runs here, once: the
        -- measurement and the EXPLAIN take both from the run (src/target.c);
        -- the progress view shows it under the run's id when there is one
        IF p_run IS NOT NULL THEN
            PERFORM tasker_bench._activity(format('%s (%s/%s) of run %s', v_case.name, v_i,
                                                  cardinality(p_cases), p_run),
                                           'preparing parameters');
        END IF;
        BEGIN
            PERFORM tasker_bench._validate_driver(v_case.driver, v_case.sql, v_case.params,
                                                  v_case.options);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                    v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
            IF cardinality(p_cases) = 1 THEN
                RAISE;
            END IF;
            RAISE EXCEPTION 'case "%": %', v_case.name, v_msg USING ERRCODE = v_state,
                DETAIL = v_detail, HINT = v_hint;
        END;
        PERFORM tasker_bench._set_search_path(v_path);
    END LOOP;
    IF p_run IS NOT NULL THEN
        PERFORM tasker_bench._activity(NULL, NULL);
    END IF;
END
$$;

/*
 * The one dispatcher: measure a case with its driver and its options;
 * stores nothing.  p_rollback overrides the case's own.  The caller sets
 * the case's search_path (tasker_bench._set_search_path), outside the
 * window in which the nested statements of the case are counted.
 */
CREATE FUNCTION tasker_bench._measure_once(
    p_case tasker_bench.cases, p_iterations bigint, p_duration interval, p_warmup interval,
    p_rollback boolean, p_label text)
RETURNS tasker_bench.measurement
LANGUAGE plpgsql AS $$
BEGIN
    RETURN tasker_bench._measure_driver(coalesce(p_case.driver, 'executor'), p_case.sql,
                                        p_case.params, p_case.options, p_iterations, p_duration,
                                        p_warmup, coalesce(p_rollback, p_case.rollback), p_label);
END
$$;

/*
 * The rows this transaction has written so far, per table, as its own
 * statistics count them (inserted, updated, deleted; in rolled-back
 * subtransactions too), for the ordinary tables outside the system schemas
 * and the extension's own; tables with none are left out.  Taken before a
 * case, so that _vacuum_written finds the tables the case wrote.
 */
CREATE FUNCTION tasker_bench._write_counts() RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(w.rel::text, w.n), '{}')
      FROM (SELECT c.oid AS rel,
                   pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
                   + pg_stat_get_xact_tuples_deleted(c.oid) AS n
              FROM pg_class c
             WHERE c.relkind = 'r' AND c.relpersistence <> 't'
               AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
                                          'pg_toast'::regnamespace, 'tasker_bench'::regnamespace)) w
     WHERE w.n > 0
$$;

/* VACUUM the relations in a background worker (src/steps_worker.c). */
CREATE FUNCTION tasker_bench._vacuum(rels oid[]) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_vacuum' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._vacuum(oid[]) IS
    'Internal: VACUUM (INDEX_CLEANUP ON, TRUNCATE OFF, SKIP_LOCKED) the tables, by OID, in a background worker as the caller''s role, and wait for it';

/*
 * After a case whose writes were rolled back: VACUUM the tables it wrote
 * (those whose count in _write_counts grew since p_before), so that the
 * dead rows and the pages they took do not change how the next cases, and
 * the next run, are planned (src/steps_worker.c says why).  Returns how
 * many tables.
 */
CREATE FUNCTION tasker_bench._vacuum_written(p_before jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_rels oid[];
BEGIN
    SELECT array_agg(w.key::oid ORDER BY w.key::oid) INTO v_rels
      FROM jsonb_each_text(tasker_bench._write_counts()) w
     WHERE w.value::bigint > coalesce((p_before->>w.key)::bigint, 0);
    IF v_rels IS NOT NULL THEN
        PERFORM tasker_bench._vacuum(v_rels);
    END IF;
    RETURN coalesce(cardinality(v_rels), 0);
END
$$;

/*
 * Measure one case of run p_run; stores nothing.  Returns
 * the results row, its phase rows and the nested statements it ran (when
 * the statement profiler, tasker_bench._statements_snapshot, is available).
 * Errors of the case propagate.
 */
CREATE FUNCTION tasker_bench._measure_case(
    p_run bigint, p_case tasker_bench.cases, p_ordinal integer, p_total integer,
    p_iterations bigint, p_duration interval, p_warmup interval, p_rollback boolean,
    p_clients integer DEFAULT 1,
    OUT result tasker_bench.results, OUT phases tasker_bench.phase_results[],
    OUT statements jsonb, OUT clients jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v_m tasker_bench.measurement;
    v_c record;
    v_path text;
    v_explain jsonb;
    v_label text := format('%s (%s/%s) of run %s', p_case.name, p_ordinal, p_total, p_run);
    v_before jsonb;
    v_writes jsonb;
    -- the run's clients => N, else the case's own
    v_clients integer := CASE WHEN p_clients > 1 THEN p_clients ELSE coalesce(p_case.clients, 1) END;
BEGIN
    v_path := tasker_bench._set_search_path(p_case.search_path);
    v_before := tasker_bench._statements_snapshot();
    IF v_clients = 1 AND current_setting('tasker_bench.vacuum_written', true) IS DISTINCT FROM 'off' THEN
        v_writes := tasker_bench._write_counts();
    END IF;
    PERFORM tasker_bench._activity(v_label, 'preparing parameters');
    IF v_clients > 1 THEN
        SELECT * INTO STRICT v_c
          FROM tasker_bench._measure_case_clients(p_run, p_case, p_iterations, p_duration, p_warmup,
                                                  p_rollback, v_label, v_clients);
        v_m := v_c.measurement;
        clients := v_c.clients;
    ELSE
        v_m := tasker_bench._measure_once(p_case, p_iterations, p_duration, p_warmup, p_rollback,
                                          v_label);
    END IF;
    IF v_before IS NOT NULL THEN
        PERFORM tasker_bench._activity(v_label, 'collecting nested statements');
    END IF;
    statements := tasker_bench._statements_since(v_before);
    IF p_case.driver = 'executor'
       AND current_setting('tasker_bench.explain', true) IS DISTINCT FROM 'off' THEN
        PERFORM tasker_bench._activity(v_label, 'EXPLAIN');
        v_explain := tasker_bench._explain(p_case.sql, p_case.params)::jsonb;
    END IF;
    IF v_writes IS NOT NULL AND v_m.rolled_back THEN
        PERFORM tasker_bench._activity(v_label, 'VACUUM of the tables it wrote');
        PERFORM tasker_bench._vacuum_written(v_writes);
    END IF;
    PERFORM tasker_bench._activity(NULL, NULL);
    PERFORM tasker_bench._set_search_path(v_path);

    result := jsonb_populate_record(NULL::tasker_bench.results,
                  to_jsonb(v_m) - 'histogram' - 'phase_names' - 'phase_histograms'
                  || jsonb_build_object(
                         'run_id', p_run, 'case_name', p_case.name, 'ordinal', p_ordinal,
                         'suite', p_case.suite, 'category', coalesce(p_case.category, 'sql'),
                         'sql', p_case.sql, 'params', p_case.params, 'explain', v_explain,
                         'run_by', current_user));
    result.histogram := v_m.histogram;
    IF clients IS NOT NULL THEN
        -- with concurrent clients, throughput is that of all clients together
        result.ops_per_s := (clients->>'ops_per_s')::float8;
    END IF;
    phases := ARRAY(
        SELECT jsonb_populate_record(NULL::tasker_bench.phase_results,
                   jsonb_build_object('run_id', p_run, 'case_name', p_case.name,
                                      'phase', p.name, 'ordinal', p.ord,
                                      'histogram', p.h::text, 'run_by', current_user)
                   || tasker_bench._phase_figures(p.h))
          FROM unnest(v_m.phase_names, v_m.phase_histograms) WITH ORDINALITY AS p(name, h, ord));
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: % (%/%): n=%, p50 % us, p99 % us',
            p_case.name, p_ordinal, p_total, v_m.n, v_m.p50_us, coalesce(v_m.p99_us::text, format('— (n < %s)', tasker_bench._quantile_min_n(0.99)));
    END IF;
END
$$;

-- Store what _measure_case returned (the run's row must exist).
CREATE FUNCTION tasker_bench._store_case(p_result tasker_bench.results,
                                         p_phases tasker_bench.phase_results[],
                                         p_statements jsonb,
                                         p_clients jsonb DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tasker_bench.results SELECT (p_result).*;
    INSERT INTO tasker_bench.phase_results SELECT * FROM unnest(p_phases);
    IF p_clients IS NOT NULL THEN
        PERFORM tasker_bench._store_clients(p_clients);
    END IF;
    IF p_statements IS NOT NULL THEN
        PERFORM tasker_bench._store_statements(p_result.run_id, p_result.case_name, p_statements);
    END IF;
END
$$;

-- The failure record of a run, for tasker_bench._record_failure.
CREATE FUNCTION tasker_bench._failure_record(
    p_run bigint, p_kind text, p_what text, p_suite text, p_label text, p_started timestamptz,
    p_error text, p_sqlstate text, p_case text, p_done integer, p_settings jsonb, p_env jsonb)
RETURNS text LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', p_run, 'kind', p_kind, 'what', p_what, 'suite', p_suite,
                              'label', p_label, 'started_at', p_started, 'error', p_error,
                              'error_sqlstate', p_sqlstate, 'failed_case', p_case,
                              'cases_done', p_done, 'settings', p_settings,
                              'environment', p_env)::text
$$;

CREATE FUNCTION tasker_bench._settings(p_iterations bigint, p_duration interval,
                                       p_warmup interval, p_rollback boolean)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('iterations', p_iterations, 'duration', p_duration::text,
                              'warmup', p_warmup::text, 'rollback', p_rollback)
$$;

/*
 * Runs left 'running' by a backend that is gone (crash, terminate, server
 * restart) or by this backend (a new run starts here, so the old one is
 * not running) become 'interrupted'.  Returns how many.
 */
CREATE FUNCTION tasker_bench._mark_interrupted_runs() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_n integer;
BEGIN
    UPDATE tasker_bench.runs r
       SET status = 'interrupted',
           finished_at = coalesce(r.finished_at, clock_timestamp()),
           error = coalesce(r.error, format('the backend running it (PID %s) ended before the run finished',
                                            coalesce(r.environment->>'backend_pid', '?')))
     WHERE r.status = 'running'
       AND (r.environment->>'backend_pid' IS NULL
            OR r.environment->>'backend_pid' !~ '^[0-9]+$'
            OR (r.environment->>'backend_pid')::integer = pg_backend_pid()
            OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                            WHERE a.pid = (r.environment->>'backend_pid')::integer
                              AND a.backend_start <= r.started_at));
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;

/*
 * Measure the given cases as one run and store it.  Nothing is written
 * until every case has been measured; if a case fails, the run is recorded
 * as failed (in its own transaction, by tasker_bench._record_failure) and
 * the case's error is raised.  (The procedure tasker_bench_run_suite
 * commits after each case instead.)
 */
CREATE FUNCTION tasker_bench._execute(
    p_kind text, p_what text, p_suite text, p_cases tasker_bench.cases[],
    p_iterations bigint, p_duration interval, p_warmup interval,
    p_label text, p_rollback boolean, p_clients integer DEFAULT 1)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_run bigint;
    v_started timestamptz := clock_timestamp();
    v_env jsonb;
    v_settings jsonb := tasker_bench._settings(p_iterations, p_duration, p_warmup, p_rollback)
                        || CASE WHEN p_clients > 1 THEN jsonb_build_object('clients', p_clients)
                                ELSE '{}' END;
    v_case tasker_bench.cases;
    v_n int := cardinality(p_cases);
    v_i int := 0;
    v_one record;
    v_done tasker_bench._measured[] := '{}';
    v_state text;
    v_msg text;
BEGIN
    PERFORM tasker_bench._enter_run();
    PERFORM tasker_bench._mark_interrupted_runs();
    v_run := nextval('tasker_bench.runs_id_seq');
    PERFORM tasker_bench._validate_cases(p_cases, v_run);
    v_env := tasker_bench._environment();
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: run % of "%": % case%, backend PID %',
            v_run, p_what, v_n, CASE WHEN v_n = 1 THEN '' ELSE 's' END, pg_backend_pid();
    END IF;
    FOREACH v_case IN ARRAY p_cases LOOP
        v_i := v_i + 1;
        BEGIN
            SELECT * INTO STRICT v_one
              FROM tasker_bench._measure_case(v_run, v_case, v_i, v_n, p_iterations, p_duration,
                                              p_warmup, p_rollback, p_clients);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
            PERFORM tasker_bench._record_failure(tasker_bench._failure_record(
                v_run, p_kind, p_what, p_suite, p_label, v_started, v_msg, v_state,
                v_case.name, v_i - 1, v_settings, v_env));
            RAISE;
        END;
        v_done := v_done || ROW(v_one.result, v_one.phases, v_one.statements,
                                     v_one.clients)::tasker_bench._measured;
    END LOOP;

    PERFORM tasker_bench._write_run(jsonb_build_object(
        'id', v_run, 'kind', p_kind, 'what', p_what, 'suite', p_suite, 'label', p_label,
        'started_at', v_started, 'finished_at', clock_timestamp(), 'status', 'completed',
        'cases_done', v_n, 'settings', v_settings, 'environment', v_env,
        'dataset', tasker_bench._dataset_for(p_cases)));
    FOR v_i IN 1 .. cardinality(v_done) LOOP
        PERFORM tasker_bench._store_case((v_done[v_i]).result, (v_done[v_i]).phases,
                                         (v_done[v_i]).statements, (v_done[v_i]).clients);
    END LOOP;
    PERFORM tasker_bench._leave_run();
    RETURN v_run;
END
$$;

CREATE FUNCTION tasker_bench._results_of(p_run bigint)
RETURNS TABLE (run_id bigint, case_name text, n bigint, min_us float8, mean_us float8,
               stddev_us float8, p50_us float8, p90_us float8, p95_us float8, p99_us float8,
               p999_us float8, max_us float8, ops_per_s float8)
LANGUAGE sql VOLATILE AS $$
    SELECT r.run_id, r.case_name, r.n, r.min_us, r.mean_us, r.stddev_us, r.p50_us, r.p90_us,
           r.p95_us, r.p99_us, r.p999_us, r.max_us, r.ops_per_s
      FROM tasker_bench.results r
     WHERE r.run_id = p_run
     ORDER BY r.ordinal
$$;

-- The cases a name stands for: the case of that name, or else the suite of
-- that name in name order, among the caller's own and the built-in cases
-- (a trailing number compared as a number, so
-- batch_10 comes after batch_5).  Errors when there is neither.  The cases
-- come resolved for the tasker schema named (tasker_bench._resolve_cases:
-- {schema} in search_path, cases needing a function the schema lacks left out).
CREATE FUNCTION tasker_bench._cases_for(what text, schema text DEFAULT 'tasker',
                                        OUT cases tasker_bench.cases[], OUT suite text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF what IS NULL THEN
        RAISE EXCEPTION 'what must name a case or a suite, not NULL' USING ERRCODE = '22004',
            HINT = 'SELECT name, suite FROM tasker_bench.cases lists what is registered.';
    END IF;
    -- only the caller's own cases and the built-in ones, whoever the caller
    -- is (superusers and the table owner bypass row level security)
    SELECT array_agg(c), min(c.suite) INTO cases, suite
      FROM tasker_bench.cases c WHERE c.name = what AND (c.builtin OR c.owner = current_user);
    IF cases IS NULL THEN
        SELECT array_agg(c ORDER BY regexp_replace(c.name, '[0-9]+$', ''),
                                    coalesce(substring(c.name FROM '([0-9]+)$')::numeric, -1), c.name),
               what
          INTO cases, suite
          FROM tasker_bench.cases c WHERE c.suite = what AND (c.builtin OR c.owner = current_user);
    END IF;
    IF cases IS NULL THEN
        RAISE EXCEPTION 'no case or suite named "%"', what USING ERRCODE = '42704',
            HINT = 'SELECT name, suite FROM tasker_bench.cases lists what is registered; tasker_bench_register() adds a case.';
    END IF;
    cases := tasker_bench._resolve_cases(cases, schema);
END
$$;
