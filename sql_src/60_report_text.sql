-- Text reports: the compact text / markdown table of a run (the default of
-- tasker_bench_report) and the detailed text form.

CREATE FUNCTION tasker_bench._report_settings_line(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('%s %s', k, v), ', ' ORDER BY k)
      FROM jsonb_each_text(CASE WHEN jsonb_typeof(j->'run'->'settings') = 'object'
                                THEN j->'run'->'settings' ELSE '{}' END) e(k, v)
     WHERE v IS NOT NULL
$$;

/* The text lines shared by the text and markdown formats. */
CREATE FUNCTION tasker_bench._report_env_line(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(', ',
               'PostgreSQL ' || (j->'run'->'environment'->>'server_version'),
               (j->'run'->'environment'->>'cpu_count') || ' CPUs',
               'clock read ' || tasker_bench._fmt((j->'run'->'environment'->>'clock_read_ns')::float8) || ' ns',
               'tasker_bench ' || (j->'run'->'environment'->>'extension_version'))
$$;

CREATE FUNCTION tasker_bench._report_dataset_line(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN j->'run'->'dataset' IS NULL OR jsonb_typeof(j->'run'->'dataset') <> 'object' THEN NULL
                ELSE concat_ws(': ', 'schema ' || (j->'run'->'dataset'->>'schema'),
                               (SELECT string_agg(format('%s %s', k, v), ', ' ORDER BY k)
                                  FROM jsonb_each_text(j->'run'->'dataset'->'row_counts') e(k, v)))
           END
$$;

CREATE FUNCTION tasker_bench._report_hist_lines(c jsonb, p_indent text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    WITH b AS (
        SELECT (x->>'low_us')::float8 AS lo, (x->>'high_us')::float8 AS hi, (x->>'count')::bigint AS n, o
          FROM jsonb_array_elements(c->'histogram_bins') WITH ORDINALITY AS t(x, o)
    ), m AS (
        SELECT greatest(max(b.n), 1) AS maxn, greatest(sum(b.n), 1) AS total,
               max(length(tasker_bench._fmt(b.lo))) AS wl, max(length(tasker_bench._fmt(b.hi))) AS wh,
               max(length(b.n::text)) AS wn
          FROM b
    )
    SELECT coalesce(array_agg(format('%s%s .. %s us |%s| %s %s',
                                     p_indent,
                                     lpad(tasker_bench._fmt(b.lo), m.wl::int),
                                     lpad(tasker_bench._fmt(b.hi), m.wh::int),
                                     rpad(repeat('█', CASE WHEN b.n = 0 THEN 0
                                                           ELSE greatest(round(40.0 * b.n / m.maxn)::int, 1) END),
                                          40),
                                     lpad(b.n::text, m.wn::int),
                                     lpad(round(100.0 * b.n / m.total, 1)::text, 5) || ' %')
                              ORDER BY b.o), '{}')
      FROM b, m
$$;

-- Resources, counters, phases and nested statements of one case, as text lines.
CREATE FUNCTION tasker_bench._report_detail_lines(c jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    l text[] := '{}';
    r jsonb := c->'resources';
    x jsonb;
    v_total float8;
BEGIN
    IF r IS NOT NULL AND r->>'shared_blks_hit' IS NOT NULL THEN
        l := l || format('  per call: cpu %s us user + %s us sys, buffers %s hit / %s read / %s dirtied, wal %s records / %s bytes',
                         tasker_bench._fmt((r->>'cpu_user_us')::float8), tasker_bench._fmt((r->>'cpu_sys_us')::float8),
                         tasker_bench._fmt((r->>'shared_blks_hit')::float8), tasker_bench._fmt((r->>'shared_blks_read')::float8),
                         tasker_bench._fmt((r->>'shared_blks_dirtied')::float8),
                         tasker_bench._fmt((r->>'wal_records')::float8), tasker_bench._fmt((r->>'wal_bytes')::float8));
    END IF;
    IF jsonb_typeof(c->'clients') = 'object' THEN
        l := l || ('  ' || tasker_bench._report_clients_line('concurrent', c->'clients'));
    END IF;
    IF jsonb_typeof(c->'counters') = 'object' THEN
        l := l || ('  counters per call: ' ||
                   (SELECT string_agg(format('%s %s', k, tasker_bench._fmt(v::text::float8)), ', ' ORDER BY k)
                      FROM jsonb_each(c->'counters') AS e(k, v)));
    END IF;
    IF jsonb_typeof(c->'phases') = 'array' THEN
        SELECT sum((p->>'mean_us')::float8) INTO v_total FROM jsonb_array_elements(c->'phases') p;
        l := l || '  phases (mean us, share of the iteration):'::text;
        FOR x IN SELECT p FROM jsonb_array_elements(c->'phases') p LOOP
            l := l || format('    %-22s %12s  %5s %%  (p50 %s, p95 %s)', x->>'phase',
                             tasker_bench._fmt((x->>'mean_us')::float8),
                             round((100 * (x->>'mean_us')::float8 / nullif(v_total, 0))::numeric, 1),
                             tasker_bench._fmt((x->>'p50_us')::float8), tasker_bench._fmt((x->>'p95_us')::float8));
        END LOOP;
    END IF;
    IF jsonb_typeof(c->'statements') = 'array' THEN
        l := l || '  top nested statements (total ms, calls):'::text;
        FOR x IN SELECT s FROM jsonb_array_elements(c->'statements') s LOOP
            l := l || format('    %10s ms %8s  %s', tasker_bench._fmt((x->>'total_ms')::float8), x->>'calls',
                             left(regexp_replace(x->>'query', '\s+', ' ', 'g'), 90));
        END LOOP;
    END IF;
    RETURN l;
END
$$;

CREATE FUNCTION tasker_bench._report_text(j jsonb, p_markdown boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r jsonb := j->'run';
    l text[] := '{}';
    c jsonb;
    v_line text;
    v_w int;
    v_tol text;
BEGIN
    -- header
    IF p_markdown THEN
        l := l || format('## tasker_bench run %s: %s', r->>'id', replace(r->>'what', '|', '\|'));
        l := l || ''::text || '| | |'::text || '|---|---|'::text;
        l := l || format('| status | %s |', r->>'status');
        l := l || format('| kind | %s |', r->>'kind');
        IF r->>'suite' IS NOT NULL THEN
            l := l || format('| suite | %s |', replace(r->>'suite', '|', '\|'));
        END IF;
        IF r->>'label' IS NOT NULL THEN
            l := l || format('| label | %s |', replace(r->>'label', '|', '\|'));
        END IF;
        l := l || format('| started | %s |', tasker_bench._fmt_ts(r->>'started_at'));
        l := l || format('| finished | %s (%s s) |', tasker_bench._fmt_ts(r->>'finished_at'),
                         tasker_bench._fmt((r->>'duration_s')::float8));
        IF tasker_bench._report_settings_line(j) IS NOT NULL THEN
            l := l || format('| settings | %s |', replace(tasker_bench._report_settings_line(j), '|', '\|'));
        END IF;
        l := l || format('| environment | %s |', tasker_bench._report_env_line(j));
        IF tasker_bench._report_dataset_line(j) IS NOT NULL THEN
            l := l || format('| dataset | %s |', tasker_bench._report_dataset_line(j));
        END IF;
        IF r->>'status' = 'failed' THEN
            l := l || format('| error | %s %s (case %s, after %s cases) |', r->>'error_sqlstate',
                             replace(r->>'error', '|', '\|'), replace(coalesce(r->>'failed_case', '-'), '|', '\|'),
                             r->>'cases_done');
        END IF;
    ELSE
        l := l || format('tasker_bench report: run %s (%s)', r->>'id', r->>'status');
        l := l || format('  what         %s (%s)', r->>'what',
                         concat_ws(', ', 'kind ' || (r->>'kind'), 'suite ' || (r->>'suite')));
        IF r->>'label' IS NOT NULL THEN
            l := l || format('  label        %s', r->>'label');
        END IF;
        l := l || format('  when         %s, finished %s (%s s)', tasker_bench._fmt_ts(r->>'started_at'),
                         tasker_bench._fmt_ts(r->>'finished_at'), tasker_bench._fmt((r->>'duration_s')::float8));
        IF tasker_bench._report_settings_line(j) IS NOT NULL THEN
            l := l || format('  settings     %s', tasker_bench._report_settings_line(j));
        END IF;
        l := l || format('  environment  %s', tasker_bench._report_env_line(j));
        IF tasker_bench._report_dataset_line(j) IS NOT NULL THEN
            l := l || format('  dataset      %s', tasker_bench._report_dataset_line(j));
        END IF;
        IF r->>'status' = 'failed' THEN
            l := l || format('  error        %s %s', r->>'error_sqlstate', r->>'error');
            l := l || format('               in case "%s", after %s completed cases',
                             coalesce(r->>'failed_case', '-'), r->>'cases_done');
        END IF;
    END IF;

    -- A/B outcome
    IF j->'ab' IS NOT NULL AND jsonb_typeof(j->'ab') = 'object' THEN
        l := l || ''::text;
        IF p_markdown THEN
            l := l || '### A/B'::text || ''::text
                   || '| | statement | p50 us |'::text || '|---|---|--:|'::text;
            l := l || format('| a: %s | `%s` | %s |', j->'ab'->>'a_name', replace(j->'ab'->>'a_sql', '|', '\|'),
                             tasker_bench._fmt((j->'ab'->>'a_p50_us')::float8));
            l := l || format('| b: %s | `%s` | %s |', j->'ab'->>'b_name', replace(j->'ab'->>'b_sql', '|', '\|'),
                             tasker_bench._fmt((j->'ab'->>'b_p50_us')::float8));
            l := l || ''::text;
            l := l || format('**b/a = %s** (%s %% CI %s .. %s), p %s, **%s** (noise threshold %s %%, %s rounds of %s iterations)',
                             round((j->'ab'->>'ratio')::numeric, 4),
                             round(100 * (1 - (j->'ab'->>'alpha')::numeric)),
                             coalesce(round((j->'ab'->>'ci_low')::numeric, 4)::text, '-'),
                             coalesce(round((j->'ab'->>'ci_high')::numeric, 4)::text, '-'),
                             tasker_bench._fmt_p_is((j->'ab'->>'p_value')::float8), j->'ab'->>'verdict',
                             tasker_bench._fmt_thr((j->'ab'->>'noise_threshold_pct')::float8),
                             j->'ab'->>'rounds', j->'ab'->>'iterations');
        ELSE
            l := l || format('A/B  a = %s: %s', j->'ab'->>'a_name', j->'ab'->>'a_sql');
            l := l || format('     b = %s: %s', j->'ab'->>'b_name', j->'ab'->>'b_sql');
            l := l || format('  p50 a %s us, b %s us; b/a = %s, %s %% CI %s .. %s, p %s: %s',
                             tasker_bench._fmt((j->'ab'->>'a_p50_us')::float8),
                             tasker_bench._fmt((j->'ab'->>'b_p50_us')::float8),
                             round((j->'ab'->>'ratio')::numeric, 4),
                             round(100 * (1 - (j->'ab'->>'alpha')::numeric)),
                             coalesce(round((j->'ab'->>'ci_low')::numeric, 4)::text, '-'),
                             coalesce(round((j->'ab'->>'ci_high')::numeric, 4)::text, '-'),
                             tasker_bench._fmt_p_is((j->'ab'->>'p_value')::float8), j->'ab'->>'verdict');
            l := l || format('  %s rounds of %s iterations each, alternating order; noise threshold %s %%',
                             j->'ab'->>'rounds', j->'ab'->>'iterations',
                             tasker_bench._fmt_thr((j->'ab'->>'noise_threshold_pct')::float8));
        END IF;
    END IF;

    -- cases
    l := l || ''::text;
    IF jsonb_array_length(j->'cases') = 0 THEN
        l := l || CASE WHEN r->>'status' = 'failed' THEN 'No results: the run failed.'
                       ELSE 'No results.' END;
    ELSIF p_markdown THEN
        l := l || '### Cases'::text || ''::text
               || '| case | n | p50 us | p95 us | p99 us | mean us | stddev us | min us | max us | rows/call | ops/s | outliers low/high |'::text
               || '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'::text;
        FOR c IN SELECT x FROM jsonb_array_elements(j->'cases') x LOOP
            l := l || format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |',
                             replace(c->>'case_name', '|', '\|'), c->>'n',
                             tasker_bench._fmt((c->>'p50_us')::float8), tasker_bench._fmt((c->>'p95_us')::float8),
                             tasker_bench._fmt((c->>'p99_us')::float8), tasker_bench._fmt((c->>'mean_us')::float8),
                             tasker_bench._fmt((c->>'stddev_us')::float8), tasker_bench._fmt((c->>'min_us')::float8),
                             tasker_bench._fmt((c->>'max_us')::float8), tasker_bench._fmt((c->>'rows_per_call')::float8),
                             tasker_bench._fmt((c->>'ops_per_s')::float8),
                             (c->'outliers'->>'low_severe')::bigint + (c->'outliers'->>'low_mild')::bigint,
                             (c->'outliers'->>'high_mild')::bigint + (c->'outliers'->>'high_severe')::bigint);
        END LOOP;
        l := l || ''::text || '<details><summary>Latency histograms</summary>'::text || ''::text || '```text'::text;
        FOR c IN SELECT x FROM jsonb_array_elements(j->'cases') x LOOP
            l := l || (c->>'case_name') || tasker_bench._report_hist_lines(c, '  ');
        END LOOP;
        l := l || '```'::text || ''::text || '</details>'::text;
    ELSE
        FOR c IN SELECT x FROM jsonb_array_elements(j->'cases') x LOOP
            l := l || (c->>'case_name');
            l := l || format('  p50 %s us  p95 %s us  p99 %s us  mean %s us (stddev %s us)  n %s  rows/call %s  ops/s %s',
                             tasker_bench._fmt((c->>'p50_us')::float8), tasker_bench._fmt((c->>'p95_us')::float8),
                             tasker_bench._fmt((c->>'p99_us')::float8), tasker_bench._fmt((c->>'mean_us')::float8),
                             tasker_bench._fmt((c->>'stddev_us')::float8), c->>'n',
                             tasker_bench._fmt((c->>'rows_per_call')::float8),
                             tasker_bench._fmt((c->>'ops_per_s')::float8));
            l := l || format('  min %s us  max %s us  outliers: low %s severe + %s mild, high %s mild + %s severe',
                             tasker_bench._fmt((c->>'min_us')::float8), tasker_bench._fmt((c->>'max_us')::float8),
                             c->'outliers'->>'low_severe', c->'outliers'->>'low_mild',
                             c->'outliers'->>'high_mild', c->'outliers'->>'high_severe');
            l := l || tasker_bench._report_hist_lines(c, '    ');
            l := l || tasker_bench._report_detail_lines(c);
            l := l || ''::text;
        END LOOP;
        l := l[1 : cardinality(l) - 1];
    END IF;

    -- comparison with the baseline
    IF j->'baseline' IS NOT NULL AND jsonb_typeof(j->'baseline') = 'object' THEN
        l := l || ''::text;
        v_line := format('Comparison with baseline "%s" (run %s%s)', j->'baseline'->>'name',
                         j->'baseline'->>'run_id',
                         coalesce(', ' || (j->'baseline'->>'label'), ''));
        IF p_markdown THEN
            l := l || ('### ' || replace(v_line, '"', '`'));
        ELSE
            l := l || v_line;
        END IF;
        IF j->>'comparison_skipped' IS NOT NULL THEN
            l := l || (CASE WHEN p_markdown THEN '' ELSE '  ' END || 'Not compared: ' || (j->>'comparison_skipped'));
        ELSIF p_markdown THEN
            l := l || ''::text
                   || '| case | baseline p50 us | current p50 us | change | 95 % CI | p | verdict | tolerance | within | p95 us (base → cur) | p99 us (base → cur) | mean us (base → cur) |'::text
                   || '|---|--:|--:|--:|---|--:|---|---|---|---|---|---|'::text;
            FOR c IN SELECT x FROM jsonb_array_elements(j->'comparison') x LOOP
                l := l || format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s → %s | %s → %s | %s → %s |',
                                 replace(c->>'case_name', '|', '\|'),
                                 tasker_bench._fmt((c->>'baseline_p50_us')::float8),
                                 tasker_bench._fmt((c->>'current_p50_us')::float8),
                                 tasker_bench._fmt_pct((c->>'change_pct')::float8),
                                 CASE WHEN c->>'ci_low_pct' IS NULL THEN '-'
                                      ELSE tasker_bench._fmt_pct((c->>'ci_low_pct')::float8) || ' .. '
                                           || tasker_bench._fmt_pct((c->>'ci_high_pct')::float8) END,
                                 tasker_bench._fmt_p((c->>'p_value')::float8),
                                 CASE WHEN (c->>'regression_signal')::boolean THEN '**' || (c->>'verdict') || '** (> 20 %)'
                                      ELSE c->>'verdict' END
                                 || format(' (%s; n %s / %s, floor %s %% %s)', c->>'verdict_reason',
                                           coalesce(c->>'baseline_n', '—'), coalesce(c->>'current_n', '—'),
                                           tasker_bench._fmt_thr((c->>'noise_threshold_pct')::float8), c->>'noise_floor_from')
                                 || coalesce(', **' || (c->>'notes') || '**', ''),
                                 format('%s %% (%s)', tasker_bench._fmt_thr((c->>'tolerance_pct')::float8), c->>'tolerance_from'),
                                 CASE (c->>'within_tolerance')::boolean WHEN true THEN 'yes' WHEN false THEN '**no**' ELSE '-' END,
                                 tasker_bench._fmt((c->>'baseline_p95_us')::float8), tasker_bench._fmt((c->>'current_p95_us')::float8),
                                 tasker_bench._fmt((c->>'baseline_p99_us')::float8), tasker_bench._fmt((c->>'current_p99_us')::float8),
                                 tasker_bench._fmt((c->>'baseline_mean_us')::float8), tasker_bench._fmt((c->>'current_mean_us')::float8));
            END LOOP;
        ELSE
            SELECT greatest(max(length(x->>'case_name')), 4) INTO v_w FROM jsonb_array_elements(j->'comparison') x;
            l := l || format('  %s  %12s  %12s  %9s  %-21s  %7s  %-12s  %-18s  %s',
                             rpad('case', v_w), 'base p50 us', 'cur p50 us', 'change', '95 % CI', 'p',
                             'verdict', 'tolerance', 'within');
            FOR c IN SELECT x FROM jsonb_array_elements(j->'comparison') x LOOP
                v_tol := format('%s %% (%s)', tasker_bench._fmt_thr((c->>'tolerance_pct')::float8), c->>'tolerance_from');
                l := l || rtrim(format('  %s  %12s  %12s  %9s  %-21s  %7s  %-12s  %-18s  %s%s',
                                 rpad(c->>'case_name', v_w),
                                 tasker_bench._fmt((c->>'baseline_p50_us')::float8),
                                 tasker_bench._fmt((c->>'current_p50_us')::float8),
                                 tasker_bench._fmt_pct((c->>'change_pct')::float8),
                                 CASE WHEN c->>'ci_low_pct' IS NULL THEN '-'
                                      ELSE tasker_bench._fmt_pct((c->>'ci_low_pct')::float8) || ' .. '
                                           || tasker_bench._fmt_pct((c->>'ci_high_pct')::float8) END,
                                 tasker_bench._fmt_p((c->>'p_value')::float8),
                                 c->>'verdict', v_tol,
                                 CASE (c->>'within_tolerance')::boolean WHEN true THEN 'yes' WHEN false THEN 'NO' ELSE '-' END,
                                 CASE WHEN (c->>'regression_signal')::boolean THEN '  regression signal (> 20 %)' ELSE '' END));
            END LOOP;
            l := l || '  (p95 / p99 / mean, baseline -> current, us; samples; why the verdict)'::text;
            FOR c IN SELECT x FROM jsonb_array_elements(j->'comparison') x LOOP
                l := l || format('  %s  p95 %s -> %s  p99 %s -> %s  mean %s -> %s  n %s -> %s  %s, floor %s %% (%s)%s',
                                 rpad(c->>'case_name', v_w),
                                 tasker_bench._fmt((c->>'baseline_p95_us')::float8), tasker_bench._fmt((c->>'current_p95_us')::float8),
                                 tasker_bench._fmt((c->>'baseline_p99_us')::float8), tasker_bench._fmt((c->>'current_p99_us')::float8),
                                 tasker_bench._fmt((c->>'baseline_mean_us')::float8), tasker_bench._fmt((c->>'current_mean_us')::float8),
                                 coalesce(c->>'baseline_n', '—'), coalesce(c->>'current_n', '—'), c->>'verdict_reason',
                                 tasker_bench._fmt_thr((c->>'noise_threshold_pct')::float8), c->>'noise_floor_from',
                                 coalesce('; ' || upper(c->>'notes'), ''));
            END LOOP;
        END IF;
        IF j->>'comparison_skipped' IS NULL THEN
            l := l || format('%schange: Hodges-Lehmann shift of the two runs'' block medians, each relative to the probe before it '
                             '(without blocks: the histograms'' medians), with its 95 %% interval and a Mann-Whitney p; '
                             'regressed/improved when p < 0.05 and the whole interval lies beyond the case''s noise floor '
                             '(%s %%: the larger of tasker_bench.compare_noise_threshold and the case''s run-to-run spread in its history, '
                             'unless set per suite or call), and the change in time alone agrees (else inconclusive: the machine''s speed differed); '
                             'inconclusive below 30 samples a side; percentiles shown only where n supports them (p99: 100, p99.9: 1000)',
                             CASE WHEN p_markdown THEN E'\n' ELSE '  ' END,
                             coalesce((SELECT string_agg(DISTINCT tasker_bench._fmt_thr((x->>'noise_threshold_pct')::float8), '/')
                                         FROM jsonb_array_elements(j->'comparison') x), '-'));
        END IF;
    END IF;
    RETURN array_to_string(l, E'\n');
END
$$;

/* The dataset in a few words: tasks, steps and transitions of a tasker schema, else every table's rows. */
CREATE FUNCTION tasker_bench._report_dataset_short(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN j->'run'->'dataset'->'row_counts' ? 'tasks' THEN
                    format('schema %s: %s tasks, %s steps, %s transitions', j->'run'->'dataset'->>'schema',
                           j->'run'->'dataset'->'row_counts'->>'tasks',
                           coalesce(j->'run'->'dataset'->'row_counts'->>'workflow_steps', '-'),
                           coalesce((j->'run'->'dataset'->'row_counts'->>'task_transitions')::bigint
                                    + (j->'run'->'dataset'->'row_counts'->>'workflow_step_transitions')::bigint, 0))
                ELSE tasker_bench._report_dataset_line(j) END
$$;

/*
 * The rows of the compact table of a report (json of tasker_bench._report_json):
 * one per case (and per case only in the baseline), figures formatted (a
 * percentile the run did not store, because n does not support it, is '-').
 * Columns of the comparison are read by name, so added ones do not disturb it.
 */
CREATE FUNCTION tasker_bench._report_rows(j jsonb)
RETURNS TABLE (ord integer, case_name text, n text, p50 text, p95 text, p99 text, p999 text, ops text,
               change text, ci text, verdict text, flags text, reason text)
LANGUAGE sql IMMUTABLE AS $$
    WITH c AS (
        SELECT x, o::int AS o FROM jsonb_array_elements(coalesce(j->'cases', '[]')) WITH ORDINALITY t(x, o)
    ), cmp AS (
        SELECT y, o::int AS o FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j->'comparison') = 'array'
                                                            THEN j->'comparison' ELSE '[]' END) WITH ORDINALITY t(y, o)
    )
    SELECT coalesce(c.o, 100000 + cmp.o),
           coalesce(c.x->>'case_name', cmp.y->>'case_name'),
           coalesce(c.x->>'n', '-'),
           tasker_bench._fmt_sig((c.x->>'p50_us')::float8),
           CASE WHEN c.x IS NOT NULL AND c.x->>'p95_us' IS NULL THEN '—' ELSE tasker_bench._fmt_sig((c.x->>'p95_us')::float8) END,
           CASE WHEN c.x IS NOT NULL AND c.x->>'p99_us' IS NULL THEN '—' ELSE tasker_bench._fmt_sig((c.x->>'p99_us')::float8) END,
           CASE WHEN c.x IS NOT NULL AND c.x->>'p999_us' IS NULL THEN '—' ELSE tasker_bench._fmt_sig((c.x->>'p999_us')::float8) END,
           tasker_bench._fmt_sig((c.x->>'ops_per_s')::float8),
           CASE WHEN cmp.y IS NULL THEN NULL ELSE tasker_bench._fmt_pct_short((cmp.y->>'change_pct')::float8) END,
           CASE WHEN cmp.y IS NULL THEN NULL
                WHEN cmp.y->>'ci_low_pct' IS NULL THEN '-'
                ELSE replace(tasker_bench._fmt_pct_short((cmp.y->>'ci_low_pct')::float8), ' %', '') || ' .. '
                     || tasker_bench._fmt_pct_short((cmp.y->>'ci_high_pct')::float8) END,
           cmp.y->>'verdict',
           nullif(concat_ws(', ',
                            CASE WHEN (cmp.y->>'regression_signal')::boolean THEN '> 20 %' END,
                            CASE WHEN (cmp.y->>'within_tolerance')::boolean IS FALSE
                                      AND cmp.y->>'verdict' NOT IN ('added', 'removed') THEN 'beyond tolerance' END,
                            CASE WHEN (cmp.y->>'plan_changed')::boolean THEN 'plan changed' END,
                            CASE WHEN (cmp.y->>'sql_changed')::boolean THEN 'SQL changed' END,
                            CASE WHEN (cmp.y->>'params_changed')::boolean THEN 'params changed' END,
                            CASE WHEN cmp.y->>'notes' LIKE '%baseline from suite%'
                                 THEN substring(cmp.y->>'notes' FROM 'baseline from suite .*$') END), ''),
           cmp.y->>'verdict_reason'
      FROM c FULL JOIN cmp ON cmp.y->>'case_name' = c.x->>'case_name'
     ORDER BY 1
$$;

/* The header lines of a compact report. */
CREATE FUNCTION tasker_bench._report_head_lines(j jsonb) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_remove(ARRAY[
        format('run %s: %s (%s%s), %s, %s, %s s', j->'run'->>'id', j->'run'->>'what',
               concat_ws(', ', 'kind ' || (j->'run'->>'kind'), 'suite ' || (j->'run'->>'suite')),
               coalesce(', label ' || (j->'run'->>'label'), ''), j->'run'->>'status',
               tasker_bench._fmt_ts(j->'run'->>'started_at'),
               tasker_bench._fmt_sig((j->'run'->>'duration_s')::float8)),
        tasker_bench._report_env_line(j) || coalesce('; dataset ' || tasker_bench._report_dataset_short(j), ''),
        CASE WHEN jsonb_typeof(j->'baseline') = 'object' THEN
            format('baseline "%s": run %s%s', j->'baseline'->>'name', j->'baseline'->>'run_id',
                   coalesce(' (' || (j->'baseline'->>'label') || ')', '')) END,
        CASE WHEN j->'run'->>'status' = 'failed' THEN
            format('error %s %s (case %s, after %s cases)', j->'run'->>'error_sqlstate', j->'run'->>'error',
                   coalesce(j->'run'->>'failed_case', '-'), j->'run'->>'cases_done') END,
        CASE WHEN jsonb_typeof(j->'ab') = 'object' THEN
            format('A/B  a = %s: %s | b = %s: %s', j->'ab'->>'a_name', j->'ab'->>'a_sql', j->'ab'->>'b_name', j->'ab'->>'b_sql') END,
        CASE WHEN jsonb_typeof(j->'ab') = 'object' THEN
            format('     b/a = %s (%s %% CI %s .. %s), p %s: %s, %s rounds', round((j->'ab'->>'ratio')::numeric, 3),
                   round(100 * (1 - (j->'ab'->>'alpha')::numeric)),
                   coalesce(round((j->'ab'->>'ci_low')::numeric, 3)::text, '-'),
                   coalesce(round((j->'ab'->>'ci_high')::numeric, 3)::text, '-'),
                   tasker_bench._fmt_p_is((j->'ab'->>'p_value')::float8), j->'ab'->>'verdict', j->'ab'->>'rounds') END
    ], NULL)
$$;

/* The notes under a compact table: at most four lines. */
CREATE FUNCTION tasker_bench._report_note_lines(j jsonb) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_remove(ARRAY[
        'µs per call, clock read cost subtracted, 3 significant digits'
            || CASE WHEN EXISTS (SELECT 1 FROM tasker_bench._report_rows(j) r WHERE r.p999 = '—' AND r.n <> '-')
                    THEN format('; "—": too few samples (p95 needs %s, p99 %s, p99.9 %s)',
                                tasker_bench._quantile_min_n(0.95), tasker_bench._quantile_min_n(0.99),
                                tasker_bench._quantile_min_n(0.999)) ELSE '' END,
        CASE WHEN jsonb_typeof(j->'comparison') = 'array' THEN
            format('change: Hodges-Lehmann shift of the block medians against the baseline''s, each relative to the probe, '
                   'with its %s %% interval; regressed/improved when significant, the whole interval lies beyond '
                   'the case''s noise floor (%s %%: the default or its run-to-run spread in history) and the change in '
                   'time alone agrees (else inconclusive: the machine''s speed differed); inconclusive below 30 samples a side',
                   round(100 * (1 - coalesce((j->'baseline'->>'alpha')::numeric, 0.05))),
                   coalesce((SELECT string_agg(DISTINCT tasker_bench._fmt_thr((x->>'noise_threshold_pct')::float8), '/')
                               FROM jsonb_array_elements(j->'comparison') x), '-')) END,
        CASE WHEN j->>'comparison_skipped' IS NOT NULL THEN 'not compared: ' || (j->>'comparison_skipped') END,
        (SELECT string_agg(tasker_bench._report_clients_line(c->>'case_name', c->'clients'), E'\n')
           FROM jsonb_array_elements(j->'cases') c WHERE jsonb_typeof(c->'clients') = 'object'),
        'detail => true adds per case histograms, resources, phases and nested statements; format => ''html'' draws them'
    ], NULL)
$$;

/* The compact report: a header, one table line per case, a few notes (text or markdown). */
CREATE FUNCTION tasker_bench._report_compact(j jsonb, p_markdown boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    l text[] := '{}';
    r record;
    v_cmp boolean := jsonb_typeof(j->'comparison') = 'array';
    w int[];
    v_head text[] := ARRAY['case', 'n', 'p50 µs', 'p95 µs', 'p99 µs', 'p99.9 µs', 'ops/s', 'change', 'interval', 'verdict', ''];
BEGIN
    IF p_markdown THEN
        l := l || ('**' || (tasker_bench._report_head_lines(j))[1] || '**');
        l := l || (tasker_bench._report_head_lines(j))[2:];
        l := l || ''::text;
        IF v_cmp THEN
            l := l || '| case | n | p50 µs | p95 µs | p99 µs | p99.9 µs | ops/s | change | interval | verdict |'::text
                   || '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|'::text;
        ELSE
            l := l || '| case | n | p50 µs | p95 µs | p99 µs | p99.9 µs | ops/s |'::text
                   || '|---|--:|--:|--:|--:|--:|--:|'::text;
        END IF;
        FOR r IN SELECT * FROM tasker_bench._report_rows(j) LOOP
            l := l || (format('| %s | %s | %s | %s | %s | %s | %s |', replace(r.case_name, '|', '\|'), r.n, r.p50,
                              r.p95, r.p99, r.p999, r.ops)
                       || CASE WHEN v_cmp THEN format(' %s | %s | %s |', r.change, r.ci,
                                                      CASE WHEN r.verdict IN ('regressed', 'improved') THEN '**' || r.verdict || '**'
                                                           ELSE r.verdict END || coalesce(' (' || r.flags || ')', ''))
                               ELSE '' END);
        END LOOP;
        l := l || ''::text;
        l := l || (SELECT array_agg('- ' || x) FROM unnest(tasker_bench._report_note_lines(j)) x);
        RETURN array_to_string(l, E'\n');
    END IF;

    l := l || tasker_bench._report_head_lines(j);
    l := l || ''::text;
    IF NOT EXISTS (SELECT 1 FROM tasker_bench._report_rows(j)) THEN
        l := l || CASE WHEN j->'run'->>'status' = 'failed' THEN 'No results: the run failed.' ELSE 'No results.' END;
        RETURN array_to_string(l, E'\n');
    END IF;
    SELECT ARRAY[greatest(max(length(x.case_name)), 4), greatest(max(length(x.n)), 1), 6, 6, 6, 8,
                 greatest(max(length(x.ops)), 5), greatest(max(length(x.change)), 6),
                 greatest(max(length(x.ci)), 8), greatest(max(length(x.verdict)), 7)]
      INTO w FROM tasker_bench._report_rows(j) x;
    SELECT ARRAY[w[1], w[2], greatest(w[3], max(length(x.p50))), greatest(w[4], max(length(x.p95))),
                 greatest(w[5], max(length(x.p99))), greatest(w[6], max(length(x.p999))), w[7], w[8], w[9], w[10]]
      INTO w FROM tasker_bench._report_rows(j) x;
    FOR r IN SELECT NULL::int AS ord, v_head[1] AS case_name, v_head[2] AS n, v_head[3] AS p50, v_head[4] AS p95,
                    v_head[5] AS p99, v_head[6] AS p999, v_head[7] AS ops, v_head[8] AS change, v_head[9] AS ci,
                    v_head[10] AS verdict, NULL::text AS flags, NULL::text AS reason
             UNION ALL
             SELECT * FROM (SELECT * FROM tasker_bench._report_rows(j) ORDER BY 1) x LOOP
        l := l || rtrim(format('%s  %s  %s  %s  %s  %s  %s', rpad(r.case_name, w[1]), lpad(r.n, w[2]),
                               lpad(r.p50, w[3]), lpad(r.p95, w[4]), lpad(r.p99, w[5]), lpad(r.p999, w[6]),
                               lpad(r.ops, w[7]))
                        || CASE WHEN v_cmp THEN format('  %s  %s  %s%s', lpad(coalesce(r.change, '-'), w[8]),
                                                       rpad(coalesce(r.ci, '-'), w[9]), rpad(coalesce(r.verdict, '-'), w[10]),
                                                       coalesce('  ' || r.flags, ''))
                                ELSE '' END);
    END LOOP;
    l := l || ''::text;
    l := l || tasker_bench._report_note_lines(j);
    RETURN array_to_string(l, E'\n');
END
$$;
