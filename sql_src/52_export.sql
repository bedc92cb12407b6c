-- Runs as files: tasker_bench_export(run_id) gives a run as one JSON
-- document (a baseline file), tasker_bench_import(doc, baseline) makes it a
-- run of yours (optionally named).
--
-- The export carries every column of the run's rows generically (to_jsonb
-- of the row), so a column added to runs, results, phase_results,
-- statement_results, client_results or ab_results later is exported and
-- imported without edits here.  Histograms travel in their text form, which
-- round-trips exactly (src/histogram.h); the import checks it like any
-- histogram input.

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

    v_runrow := v_runrow || jsonb_build_object(
        'run_by', current_user,
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
    v_run := tasker_bench._write_run(v_runrow - 'id');
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
