-- Runs as files, dashboard output, and assertions for users' tests.
--
--   tasker_bench_export(run_id)                 a run as one JSON document (a baseline file)
--   tasker_bench_import(doc, baseline)          that document as a run of yours (optionally named)
--   tasker_bench_dashboard(run_id, format)      github-action-benchmark or Bencher (BMF) JSON
--   tasker_bench.within(what, quantile, max_us) true when every case's quantile is within max_us
--   tasker_bench.no_regression(what, baseline)  true when no case regressed against the baseline
--   tasker_bench.assert_within / assert_no_regression: the same, raising an error instead of false
--
-- The export carries every column of the run's rows generically (to_jsonb
-- of the row), so a column added to runs, results, phase_results,
-- statement_results, client_results or ab_results later is exported and imported without
-- edits here.  Histograms travel in their text form, which round-trips
-- exactly (src/histogram.h); the import checks it like any histogram input.

COMMENT ON COLUMN tasker_bench.runs.imported_from IS
    'Set on a run made by tasker_bench_import: the origin the file records (database, run id, role, versions) and when it was imported';

/* The version of the export document this extension writes; it reads 1 .. this. */
CREATE FUNCTION tasker_bench.export_format_version() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1 $$;
COMMENT ON FUNCTION tasker_bench.export_format_version() IS
    'Version of the document tasker_bench_export writes (key format_version); tasker_bench_import reads versions up to it';

/* The tables with rows of a run, in the order an import writes them. */
CREATE FUNCTION tasker_bench._export_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['results', 'phase_results', 'statement_results', 'client_results', 'ab_results']
$$;

CREATE FUNCTION tasker_bench_export(run_id bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_id bigint := coalesce(tasker_bench_export.run_id, tasker_bench._latest_run(NULL, true));
    v_run tasker_bench.runs;
    v_doc jsonb;
    v_rows jsonb;
    v_table text;
BEGIN
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'you have no completed run to export' USING ERRCODE = '42704',
            HINT = 'Run a case or suite first (tasker_bench_run), or pass run_id.';
    END IF;
    SELECT * INTO v_run FROM tasker_bench.runs r WHERE r.id = v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run % does not exist or is not yours', v_id USING ERRCODE = '42704',
            HINT = 'SELECT id, kind, what, label, status FROM tasker_bench.runs ORDER BY id DESC lists your runs.';
    END IF;
    IF v_run.status = 'running' THEN
        RAISE EXCEPTION 'run % is still running', v_id USING ERRCODE = '55000',
            HINT = 'Export it when it has finished.';
    END IF;
    v_doc := jsonb_build_object(
        'format', 'tasker_bench.run',
        'format_version', tasker_bench.export_format_version(),
        'extension_version', (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'tasker_bench'),
        'origin', jsonb_build_object(
            'run_id', v_run.id,
            'database', current_database(),
            'server_version', current_setting('server_version'),
            'run_by', v_run.run_by,
            'exported_at', now(),
            'imported_from', v_run.imported_from),
        'run', to_jsonb(v_run) - 'id' - 'run_by' - 'imported_from',
        -- for offline comparisons (tasker-bench compare): the tolerances and
        -- noise floors this database would use with this run as the baseline
        'comparison_settings', jsonb_build_object(
            'noise_threshold_pct', coalesce(
                (SELECT ss.noise_threshold_pct FROM tasker_bench.suite_settings ss
                  WHERE ss.suite = v_run.suite AND ss.owner = current_user),
                tasker_bench.compare_noise_threshold()),
            'noise_floor_pct', (SELECT jsonb_object_agg(r.case_name,
                                    coalesce(ss.noise_threshold_pct,
                                             greatest(tasker_bench.compare_noise_threshold(), hf.floor_pct)))
                                  FROM tasker_bench.results r
                                  LEFT JOIN tasker_bench.suite_settings ss
                                    ON ss.suite = r.suite AND ss.owner = current_user
                                  LEFT JOIN LATERAL tasker_bench._history_floor(r.case_name, r.sql, r.params, v_id) hf
                                    ON true
                                 WHERE r.run_id = v_id),
            'tolerance_pct', (SELECT jsonb_object_agg(x.case_name, x.tol)
                                FROM (SELECT r.case_name,
                                             coalesce(cs.tolerance_pct, ss.tolerance_pct) AS tol
                                        FROM tasker_bench.results r
                                        LEFT JOIN tasker_bench.cases cs ON cs.name = r.case_name
                                        LEFT JOIN tasker_bench.suite_settings ss
                                          ON ss.suite = r.suite AND ss.owner = current_user
                                       WHERE r.run_id = v_id) x
                               WHERE x.tol IS NOT NULL)));
    FOREACH v_table IN ARRAY tasker_bench._export_tables() LOOP
        -- the table names are this function's own constants
        EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(t) - ''run_id'' - ''run_by''
                                          ORDER BY to_jsonb(t)->''ordinal'', to_jsonb(t)->>''case_name'', to_jsonb(t)::text), ''[]'')
                          FROM tasker_bench.%I t WHERE t.run_id = $1', v_table)
           INTO v_rows USING v_id;
        v_doc := v_doc || jsonb_build_object(v_table, v_rows);
    END LOOP;
    RETURN v_doc;
END
$$;
COMMENT ON FUNCTION tasker_bench_export(bigint) IS
    'One of your runs (default: your latest completed) as a JSON document: every column of the run, its results '
    '(histograms exact), phases, nested statements and A/B outcome, the origin and format_version; '
    'tasker_bench_import reads it back, tasker-bench compare compares two such files offline';

/* Insert rows of one table from the document, setting run_id and run_by; only columns the file has. */
CREATE FUNCTION tasker_bench._import_rows(p_table text, p_rows jsonb, p_run bigint) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    v_cols text[];
    v_unknown text[];
    v_rows jsonb;
BEGIN
    IF p_rows IS NULL OR jsonb_typeof(p_rows) = 'null' THEN
        RETURN '{}';
    END IF;
    IF jsonb_typeof(p_rows) <> 'array' THEN
        RAISE EXCEPTION 'the file''s "%" is a JSON %, not an array', p_table, jsonb_typeof(p_rows)
            USING ERRCODE = '22023', HINT = 'Import a document written by tasker_bench_export, unchanged.';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_rows) e WHERE jsonb_typeof(e) <> 'object') THEN
        RAISE EXCEPTION 'the file''s "%" holds something other than objects', p_table
            USING ERRCODE = '22023', HINT = 'Import a document written by tasker_bench_export, unchanged.';
    END IF;
    IF jsonb_array_length(p_rows) = 0 THEN
        RETURN '{}';
    END IF;
    SELECT coalesce(jsonb_agg(e || jsonb_build_object('run_id', p_run, 'run_by', current_user)), '[]')
      INTO v_rows FROM jsonb_array_elements(p_rows) e;
    -- the table's columns that the file has (others take their defaults)
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a
     WHERE a.attrelid = format('tasker_bench.%I', p_table)::regclass
       AND a.attnum > 0 AND NOT a.attisdropped
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(v_rows) e WHERE e ? a.attname);
    SELECT array_agg(DISTINCT k ORDER BY k) INTO v_unknown
      FROM jsonb_array_elements(v_rows) e, jsonb_object_keys(e) k
     WHERE k <> ALL (v_cols);
    -- identifiers from the catalog, values as a parameter
    EXECUTE format('INSERT INTO tasker_bench.%I (%s) SELECT %s FROM jsonb_populate_recordset(NULL::tasker_bench.%I, $1)',
                   p_table,
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_cols) c),
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_cols) c),
                   p_table)
      USING v_rows;
    RETURN coalesce((SELECT array_agg(p_table || '.' || u) FROM unnest(v_unknown) u), '{}');
END
$$;

CREATE FUNCTION tasker_bench_import(doc jsonb, baseline text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_doc jsonb := tasker_bench_import.doc;
    v_version jsonb;
    v_run bigint;
    v_runrow jsonb;
    v_cols text[];
    v_unknown text[] := '{}';
    v_table text;
BEGIN
    IF v_doc IS NULL OR jsonb_typeof(v_doc) <> 'object' THEN
        RAISE EXCEPTION 'the document to import must be a JSON object, got %',
            coalesce(jsonb_typeof(v_doc), 'NULL') USING ERRCODE = '22023',
            HINT = 'Pass the output of tasker_bench_export, e.g. tasker_bench_import(pg_read_file(''run.json'')::jsonb).';
    END IF;
    IF v_doc->>'format' IS DISTINCT FROM 'tasker_bench.run' THEN
        RAISE EXCEPTION 'this is not a tasker_bench run file (its "format" is %, expected "tasker_bench.run")',
            coalesce(v_doc->>'format', 'missing') USING ERRCODE = '22023',
            HINT = 'Files are written by tasker_bench_export or tasker-bench run --save.';
    END IF;
    v_version := v_doc->'format_version';
    IF v_version IS NULL OR jsonb_typeof(v_version) <> 'number' THEN
        RAISE EXCEPTION 'the run file has no numeric format_version' USING ERRCODE = '22023',
            HINT = 'Files are written by tasker_bench_export; do not edit its header.';
    END IF;
    IF (v_version)::numeric > tasker_bench.export_format_version() THEN
        RAISE EXCEPTION 'the run file has format_version %, this tasker_bench reads format_version 1 to %',
            v_version, tasker_bench.export_format_version()
            USING ERRCODE = '0A000',
                  DETAIL = format('It was written by tasker_bench %s.', coalesce(v_doc->>'extension_version', '(unknown)')),
                  HINT = 'Update the extension (ALTER EXTENSION tasker_bench UPDATE), or export the run again with this version.';
    END IF;
    IF (v_version)::numeric < 1 OR (v_version)::numeric <> trunc((v_version)::numeric) THEN
        RAISE EXCEPTION 'the run file has an invalid format_version %', v_version USING ERRCODE = '22023',
            HINT = 'Files are written by tasker_bench_export; do not edit its header.';
    END IF;
    v_runrow := v_doc->'run';
    IF v_runrow IS NULL OR jsonb_typeof(v_runrow) <> 'object' THEN
        RAISE EXCEPTION 'the run file has no "run" object' USING ERRCODE = '22023',
            HINT = 'Import a document written by tasker_bench_export, unchanged.';
    END IF;

    v_run := nextval('tasker_bench.runs_id_seq');
    v_runrow := v_runrow || jsonb_build_object(
        'id', v_run, 'run_by', current_user,
        'imported_from', coalesce(v_doc->'origin', '{}')
                         || jsonb_build_object('imported_at', now(),
                                               'format_version', v_version,
                                               'extension_version', v_doc->'extension_version'));
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a
     WHERE a.attrelid = 'tasker_bench.runs'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND v_runrow ? a.attname;
    SELECT coalesce(array_agg('runs.' || k ORDER BY k), '{}') INTO v_unknown
      FROM jsonb_object_keys(v_runrow) k WHERE k <> ALL (v_cols);
    EXECUTE format('INSERT INTO tasker_bench.runs (%s) SELECT %s FROM jsonb_populate_record(NULL::tasker_bench.runs, $1)',
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_cols) c),
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_cols) c))
      USING v_runrow;
    FOREACH v_table IN ARRAY tasker_bench._export_tables() LOOP
        v_unknown := v_unknown || tasker_bench._import_rows(v_table, v_doc->v_table, v_run);
    END LOOP;
    IF cardinality(v_unknown) > 0 THEN
        RAISE NOTICE 'tasker_bench_import: the file''s columns % are not in this version''s tables; left out',
            array_to_string(v_unknown, ', ');
    END IF;
    IF tasker_bench_import.baseline IS NOT NULL THEN
        -- (the user-facing functions live in the extension's schema, wherever that is)
        EXECUTE format('SELECT %I.tasker_bench_baseline($1, $2, move => true)', tasker_bench._ext_schema())
          USING tasker_bench_import.baseline, v_run;
    END IF;
    RETURN v_run;
END
$$;
COMMENT ON FUNCTION tasker_bench_import(jsonb, text) IS
    'Stores a run file (tasker_bench_export) as a new run of yours and returns its id; runs.imported_from keeps '
    'the origin; with baseline, names the run as that baseline (moving the name if it exists). '
    'A file of a newer format_version is refused';

-- ---------------------------------------------------------------------------
-- Dashboard output
-- ---------------------------------------------------------------------------

/* Per case of a run: p50 and the 95 % interval of the median, microseconds, clock read cost subtracted. */
CREATE FUNCTION tasker_bench._case_intervals(p_run bigint)
RETURNS TABLE (case_name text, ordinal integer, n bigint, p50_us float8, lo_us float8, hi_us float8,
               p95_us float8, p99_us float8)
LANGUAGE sql STABLE AS $$
    -- the interval is widened to hold the shown p50 (rounded to 3 digits)
    SELECT r.case_name, r.ordinal, r.n, r.p50_us,
           least(greatest(ci.low - r.clock_ns, 0) / 1000.0, r.p50_us),
           greatest(greatest(ci.high - r.clock_ns, 0) / 1000.0, r.p50_us),
           r.p95_us, r.p99_us
      FROM tasker_bench.results r
      LEFT JOIN LATERAL tasker_bench.hmedian_ci(r.histogram, 0.95) ci(low, high) ON true
     WHERE r.run_id = p_run
     ORDER BY r.ordinal
$$;

CREATE FUNCTION tasker_bench_dashboard(run_id bigint DEFAULT NULL, format text DEFAULT 'github')
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_run tasker_bench.runs;
    v_format text := lower(tasker_bench_dashboard.format);
BEGIN
    IF v_format IS NULL OR v_format NOT IN ('github', 'bencher') THEN
        RAISE EXCEPTION 'unknown dashboard format "%"', coalesce(tasker_bench_dashboard.format, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Use github (github-action-benchmark, tool customSmallerIsBetter) or bencher (Bencher Metric Format).';
    END IF;
    IF coalesce(tasker_bench_dashboard.run_id, tasker_bench._latest_run(NULL, true)) IS NULL THEN
        RAISE EXCEPTION 'you have no completed run' USING ERRCODE = '42704',
            HINT = 'Run a case or suite first (tasker_bench_run), or pass run_id.';
    END IF;
    v_run := tasker_bench._completed_run(
        coalesce(tasker_bench_dashboard.run_id, tasker_bench._latest_run(NULL, true)), 'run');
    IF v_format = 'github' THEN
        -- [{"name", "unit", "value", "range", "extra"}]: smaller is better
        RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'name', c.case_name,
                    'unit', 'us',
                    'value', round(c.p50_us::numeric, 3),
                    'range', CASE WHEN c.lo_us IS NOT NULL
                                  THEN '± ' || round(((c.hi_us - c.lo_us) / 2)::numeric, 3) END,
                    'extra', format('median of %s iterations; 95%% CI %s..%s us; p95 %s us, p99 %s us',
                                    c.n, round(c.lo_us::numeric, 3), round(c.hi_us::numeric, 3),
                                    round(c.p95_us::numeric, 3), round(c.p99_us::numeric, 3)))
                    ORDER BY c.ordinal), '[]')
                  FROM tasker_bench._case_intervals(v_run.id) c);
    END IF;
    -- Bencher Metric Format: {"case": {"latency": {"value", "lower_value", "upper_value"}}}, nanoseconds
    RETURN (SELECT coalesce(jsonb_object_agg(c.case_name, jsonb_build_object('latency',
                jsonb_strip_nulls(jsonb_build_object(
                    'value', round((c.p50_us * 1000)::numeric, 1),
                    'lower_value', round((c.lo_us * 1000)::numeric, 1),
                    'upper_value', round((c.hi_us * 1000)::numeric, 1))))), '{}')
              FROM tasker_bench._case_intervals(v_run.id) c);
END
$$;
COMMENT ON FUNCTION tasker_bench_dashboard(bigint, text) IS
    'A run (default: your latest completed) for benchmark dashboards: github = github-action-benchmark''s '
    'customSmallerIsBetter list (p50 in us, range = half the 95 % CI of the median), bencher = Bencher Metric '
    'Format (latency in ns with the CI as lower/upper value); one entry per case';

-- ---------------------------------------------------------------------------
-- Assertions
-- ---------------------------------------------------------------------------

/* The setting tasker_bench.quiet (src/quiet.c): the extension's NOTICEs of runs are not raised. */
CREATE FUNCTION tasker_bench._quiet() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('tasker_bench.quiet', true), 'off')::boolean
$$;

CREATE FUNCTION tasker_bench._assert_args(p_quantile float8, p_max_us float8) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_quantile IS NULL OR NOT (p_quantile > 0 AND p_quantile < 1) THEN
        RAISE EXCEPTION 'quantile must lie in (0, 1), got %', coalesce(p_quantile::text, 'NULL')
            USING ERRCODE = '22003', HINT = 'Give e.g. 0.95 for the 95th percentile.';
    END IF;
    IF p_max_us IS NULL OR NOT (p_max_us > 0 AND p_max_us < 'Infinity') THEN
        RAISE EXCEPTION 'max_us must be a positive number of microseconds, got %', coalesce(p_max_us::text, 'NULL')
            USING ERRCODE = '22003', HINT = 'E.g. 500 for half a millisecond.';
    END IF;
END
$$;

/* Runs what and returns its cases whose quantile exceeds max_us: (case, figure). */
CREATE FUNCTION tasker_bench._within_failures(p_what text, p_quantile float8, p_max_us float8,
                                              p_duration interval, p_iterations bigint, p_warmup interval)
RETURNS TABLE (case_name text, value_us float8)
LANGUAGE plpgsql
SET tasker_bench.quiet = on AS $$
DECLARE
    v_run bigint;
BEGIN
    PERFORM tasker_bench._assert_args(p_quantile, p_max_us);
    EXECUTE format('SELECT min(t.run_id) FROM %I.tasker_bench_run($1, iterations => $2, duration => $3, '
                   'warmup => $4, label => ''assertion'') t', tasker_bench._ext_schema())
       INTO v_run USING p_what, p_iterations, p_duration, p_warmup;
    RETURN QUERY
        SELECT r.case_name,
               greatest(tasker_bench.percentile(r.histogram, p_quantile) - r.clock_ns, 0) / 1000.0
          FROM tasker_bench.results r
         WHERE r.run_id = v_run
           AND greatest(tasker_bench.percentile(r.histogram, p_quantile) - r.clock_ns, 0) / 1000.0 > p_max_us
         ORDER BY r.ordinal;
END
$$;

CREATE FUNCTION tasker_bench.within(what text, quantile float8, max_us float8,
                                    duration interval DEFAULT '1 second', iterations bigint DEFAULT NULL,
                                    warmup interval DEFAULT '200 milliseconds', verbose boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_fail record;
    v_ok boolean := true;
BEGIN
    FOR v_fail IN SELECT * FROM tasker_bench._within_failures(what, quantile, max_us, duration,
                                                              iterations, warmup) LOOP
        v_ok := false;
        IF $7 THEN  -- verbose
            RAISE NOTICE 'within: case "%": quantile % is % us, above % us', v_fail.case_name, quantile,
                round(v_fail.value_us::numeric, 3), max_us;
        END IF;
    END LOOP;
    RETURN v_ok;
END
$$;
COMMENT ON FUNCTION tasker_bench.within(text, float8, float8, interval, bigint, interval, boolean) IS
    'Runs a case or suite (stored as a run labelled assertion, NOTICEs silenced) and returns whether every case''s '
    'quantile (e.g. 0.95) is at most max_us microseconds; prints nothing unless verbose => true. For pg_regress and '
    'pgTAP: SELECT ok(tasker_bench.within(''case'', 0.95, 500), ''case p95 under 500 us'')';

CREATE FUNCTION tasker_bench.assert_within(what text, quantile float8, max_us float8,
                                           duration interval DEFAULT '1 second', iterations bigint DEFAULT NULL,
                                           warmup interval DEFAULT '200 milliseconds')
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_fail record;
BEGIN
    SELECT * INTO v_fail FROM tasker_bench._within_failures(what, quantile, max_us, duration,
                                                            iterations, warmup) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'tasker_bench: case "%" is slower than % us at quantile %', v_fail.case_name, max_us, quantile
            USING ERRCODE = 'P0004',
                  DETAIL = format('Measured %s us.', round(v_fail.value_us::numeric, 3));
    END IF;
END
$$;
COMMENT ON FUNCTION tasker_bench.assert_within(text, float8, float8, interval, bigint, interval) IS
    'tasker_bench.within that raises an error (SQLSTATE P0004) instead of returning false: fails a psql script '
    'run with ON_ERROR_STOP';

/* Runs what and compares it with the baseline: the cases that fail per fail_on. */
CREATE FUNCTION tasker_bench._regressions(p_what text, p_baseline text, p_fail_on text,
                                          p_duration interval, p_iterations bigint, p_warmup interval)
RETURNS SETOF tasker_bench.comparison
LANGUAGE plpgsql
SET tasker_bench.quiet = on AS $$
DECLARE
    v_run bigint;
BEGIN
    IF p_fail_on IS NULL OR p_fail_on NOT IN ('regressed', 'tolerance') THEN
        RAISE EXCEPTION 'fail_on must be regressed or tolerance, got %', coalesce(p_fail_on, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'regressed: a case got slower beyond the noise; tolerance: a case''s change exceeds its tolerance.';
    END IF;
    PERFORM tasker_bench._check_baseline(p_baseline);
    EXECUTE format('SELECT min(t.run_id) FROM %I.tasker_bench_run($1, iterations => $2, duration => $3, '
                   'warmup => $4, label => ''assertion'') t', tasker_bench._ext_schema())
       INTO v_run USING p_what, p_iterations, p_duration, p_warmup;
    RETURN QUERY EXECUTE format(
        'SELECT * FROM %I.tasker_bench_compare($1, $2) c
          WHERE CASE $3 WHEN ''regressed'' THEN c.verdict = ''regressed''
                        ELSE c.within_tolerance IS FALSE END', tasker_bench._ext_schema())
      USING p_baseline, v_run, p_fail_on;
END
$$;

CREATE FUNCTION tasker_bench.no_regression(what text, baseline text, fail_on text DEFAULT 'regressed',
                                           duration interval DEFAULT '1 second', iterations bigint DEFAULT NULL,
                                           warmup interval DEFAULT '200 milliseconds', verbose boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_c tasker_bench.comparison;
    v_ok boolean := true;
BEGIN
    FOR v_c IN SELECT * FROM tasker_bench._regressions(what, baseline, fail_on, duration, iterations, warmup) LOOP
        v_ok := false;
        IF $7 THEN  -- verbose
            RAISE NOTICE 'no_regression: case "%": % (change % %%, tolerance % %%)', v_c.case_name, v_c.verdict,
                round(v_c.change_pct::numeric, 1), round(v_c.tolerance_pct::numeric, 1);
        END IF;
    END LOOP;
    RETURN v_ok;
END
$$;
COMMENT ON FUNCTION tasker_bench.no_regression(text, text, text, interval, bigint, interval, boolean) IS
    'Runs a case or suite (NOTICEs silenced) and compares it with a baseline: false when a case regressed '
    '(fail_on => ''tolerance'': when a case''s change exceeds its tolerance); prints nothing unless verbose => true';

CREATE FUNCTION tasker_bench.assert_no_regression(what text, baseline text, fail_on text DEFAULT 'regressed',
                                                  duration interval DEFAULT '1 second', iterations bigint DEFAULT NULL,
                                                  warmup interval DEFAULT '200 milliseconds')
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_c tasker_bench.comparison;
BEGIN
    SELECT * INTO v_c FROM tasker_bench._regressions(what, baseline, fail_on, duration, iterations, warmup) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'tasker_bench: case "%" % against baseline "%"', v_c.case_name,
            CASE WHEN v_c.verdict = 'regressed' THEN 'regressed' ELSE 'is outside its tolerance' END, baseline
            USING ERRCODE = 'P0004',
                  DETAIL = format('Change of the median %s %% (CI %s .. %s), tolerance %s %%.',
                                  round(v_c.change_pct::numeric, 1), round(v_c.ci_low_pct::numeric, 1),
                                  round(v_c.ci_high_pct::numeric, 1), round(v_c.tolerance_pct::numeric, 1));
    END IF;
END
$$;
COMMENT ON FUNCTION tasker_bench.assert_no_regression(text, text, text, interval, bigint, interval) IS
    'tasker_bench.no_regression that raises an error (SQLSTATE P0004) instead of returning false: fails a psql '
    'script run with ON_ERROR_STOP';
