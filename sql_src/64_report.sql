-- tasker_bench_report(run_id, baseline, format): text, markdown, json or html.

CREATE FUNCTION tasker_bench_report(run_id bigint DEFAULT NULL, baseline text DEFAULT NULL,
                                    format text DEFAULT 'text', detail boolean DEFAULT false,
                                    runs bigint[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_format text := lower(tasker_bench_report.format);
    v_runs bigint[] := tasker_bench_report.runs;
    v_json jsonb;
    v_out text[] := '{}';
    v_run bigint;
BEGIN
    IF v_format IS NULL OR v_format NOT IN ('text', 'markdown', 'json', 'html') THEN
        RAISE EXCEPTION 'unknown report format "%"', coalesce(tasker_bench_report.format, 'NULL')
            USING ERRCODE = '22023', HINT = 'Use text (for psql), markdown (for a pull request), json (for tools) or html (charts, for a browser).';
    END IF;
    IF v_runs IS NOT NULL AND (tasker_bench_report.run_id IS NOT NULL OR cardinality(v_runs) = 0
                               OR array_position(v_runs, NULL) IS NOT NULL) THEN
        RAISE EXCEPTION 'runs must list one or more run ids, without run_id' USING ERRCODE = '22023',
            HINT = 'Pass either run_id => 12 or runs => ''{12,13}''.';
    END IF;
    IF v_runs IS NULL THEN
        v_runs := ARRAY[tasker_bench_report.run_id];
    END IF;
    IF v_format = 'html' THEN
        IF v_runs[1] IS NULL THEN
            v_runs[1] := (tasker_bench._report_json(NULL, NULL)->'run'->>'id')::bigint;
        END IF;
        RETURN tasker_bench._report_html(v_runs, tasker_bench_report.baseline);
    END IF;
    IF v_format = 'json' AND cardinality(v_runs) > 1 THEN
        RETURN jsonb_pretty((SELECT jsonb_agg(tasker_bench._report_json_of(x, tasker_bench_report.baseline, true) ORDER BY o)
                               FROM unnest(v_runs) WITH ORDINALITY u(x, o)));
    END IF;
    FOREACH v_run IN ARRAY v_runs LOOP
        v_json := tasker_bench._report_json_of(v_run, tasker_bench_report.baseline, cardinality(v_runs) > 1);
        v_out := v_out || CASE WHEN v_format = 'json' THEN jsonb_pretty(v_json)
                               WHEN detail THEN tasker_bench._report_text(v_json, v_format = 'markdown')
                               ELSE tasker_bench._report_compact(v_json, v_format = 'markdown') END;
    END LOOP;
    RETURN array_to_string(v_out, E'\n\n');
END
$$;

COMMENT ON FUNCTION tasker_bench_report(bigint, text, text, boolean, bigint[]) IS
    'Report of a run (default: your latest) or of several (runs): text for psql and markdown for a pull request '
    '(one table line per case; detail => true adds per case histograms, resources, phases, statements), json for tools '
    '(keys: format_version, run, cases, ab, baseline, comparison, comparison_skipped), html (one self-contained document '
    'with charts); with a baseline, the comparison';
