-- Pictures: the charts of a run (tasker_bench_svg) and the self-contained
-- HTML report (tasker_bench_report(format => 'html')), drawn with
-- tasker_bench._svg_chart and tasker_bench._svg_flame (56_charts.sql).

-- ---------------------------------------------------------------------------
-- Chart specs (data for tasker_bench._svg_chart)
-- ---------------------------------------------------------------------------
/* Time ticks for an axis of epoch seconds, labelled in the session's time zone. */
CREATE FUNCTION tasker_bench._time_ticks(lo float8, hi float8) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_step float8;
    v_fmt text;
    v float8;
    t jsonb := '[]';
BEGIN
    SELECT s INTO v_step FROM unnest(ARRAY[1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
                                           10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000]::float8[]) s
     WHERE (hi - lo) / s <= 6 ORDER BY s LIMIT 1;
    v_step := coalesce(v_step, 31536000);
    v_fmt := CASE WHEN v_step < 60 THEN 'HH24:MI:SS' WHEN v_step < 86400 AND hi - lo < 86400 THEN 'HH24:MI'
                  WHEN v_step < 86400 THEN 'MM-DD HH24:MI' ELSE 'YYYY-MM-DD' END;
    v := ceil(lo / v_step) * v_step;
    WHILE v <= hi LOOP
        t := t || jsonb_build_object('v', v, 'label', to_char(to_timestamp(v), v_fmt));
        v := v + v_step;
    END LOOP;
    RETURN t;
END
$$;

/* Log-spaced bins (µs, clock read cost subtracted) of a histogram over [lo, hi] ns, empty ones too: [[low_us, high_us, count], ...]. */
CREATE FUNCTION tasker_bench._log_bins(h tasker_bench.histogram, clock_ns float8, lo float8, hi float8, bins integer)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    WITH b AS (
        SELECT least(greatest(floor(bins * ln(greatest((bk.low_ns + bk.high_ns) / 2.0 - clock_ns, lo) / lo)
                                    / greatest(ln(hi / lo), 1e-9))::int, 0), bins - 1) AS i,
               bk.count
          FROM tasker_bench.hbuckets(h) bk
    )
    SELECT jsonb_agg(jsonb_build_array(lo * (hi / lo) ^ (g::float8 / bins) / 1000,
                                       lo * (hi / lo) ^ ((g + 1)::float8 / bins) / 1000,
                                       coalesce((SELECT sum(b.count) FROM b WHERE b.i = g), 0)) ORDER BY g)
      FROM generate_series(0, bins - 1) g
$$;

/* The histogram of a case (log axis), the baseline's outline over it. */
CREATE FUNCTION tasker_bench._chart_histogram(p_run bigint, p_case text, p_base bigint, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r tasker_bench.results;
    b tasker_bench.results;
    lo float8; hi float8;
    v_bins integer := 40;
    v_series jsonb := '[]';
    v_outline jsonb;
BEGIN
    SELECT * INTO r FROM tasker_bench.results x WHERE x.run_id = p_run AND x.case_name = p_case;
    IF NOT FOUND OR r.n = 0 THEN
        RETURN NULL;
    END IF;
    SELECT * INTO b FROM tasker_bench.results x WHERE x.run_id = p_base AND x.case_name = p_case;
    lo := greatest(least(tasker_bench.hmin(r.histogram) - r.clock_ns,
                         coalesce(tasker_bench.hmin(b.histogram) - b.clock_ns, 'Infinity')), 1);
    hi := greatest(tasker_bench.hmax(r.histogram) - r.clock_ns, coalesce(tasker_bench.hmax(b.histogram) - b.clock_ns, 0), lo * 1.01);
    hi := hi * 1.0001;
    IF b.run_id IS NOT NULL THEN
        SELECT jsonb_agg(p ORDER BY o) INTO v_outline
          FROM (SELECT jsonb_build_array(lo / 1000, 0) AS p, 0 AS o
                UNION ALL
                SELECT jsonb_build_array(hi / 1000, 0), 1000000
                UNION ALL
                SELECT jsonb_build_array(e->0, e->2) AS p, 2 * o AS o FROM jsonb_array_elements(tasker_bench._log_bins(b.histogram, b.clock_ns, lo, hi, v_bins)) WITH ORDINALITY t(e, o)
                UNION ALL
                SELECT jsonb_build_array(e->1, e->2), 2 * o + 1 FROM jsonb_array_elements(tasker_bench._log_bins(b.histogram, b.clock_ns, lo, hi, v_bins)) WITH ORDINALITY t(e, o)) s;
    END IF;
    v_series := jsonb_build_array(jsonb_build_object('name', format('run %s (n = %s)', p_run, r.n), 'kind', 'rects', 'color', '#2e6da4',
                                                     'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1, 0, e->2)) FILTER (WHERE (e->>2)::bigint > 0)
                                                                FROM jsonb_array_elements(tasker_bench._log_bins(r.histogram, r.clock_ns, lo, hi, v_bins)) e)));
    IF v_outline IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', format('baseline run %s (n = %s)', p_base, b.n), 'kind', 'line',
                                                   'color', '#e67e22', 'data', v_outline, 'stroke_width', '1.5');
    END IF;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'histogram', 'width', 400, 'height', 270,
        'title', 'Latency histogram',
        'note', format('n = %s; %s log-spaced bins', r.n, v_bins),
        'x', jsonb_build_object('label', 'latency (µs)', 'log', true, 'min', lo / 1000 / 1.1, 'max', hi / 1000 * 1.1),
        'y', jsonb_build_object('label', 'samples per bin', 'zero', true, 'integer', true),
        'series', v_series);
END
$$;

/* Latency by percentile, HdrHistogram style (x: log of 1/(1-q)), drawn only as far as n supports. */
CREATE FUNCTION tasker_bench._chart_percentiles(p_run bigint, p_case text, p_base bigint, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r tasker_bench.results;
    b tasker_bench.results;
    v_series jsonb := '[]';
    v_xmax float8;
    v_ticks jsonb;
BEGIN
    SELECT * INTO r FROM tasker_bench.results x WHERE x.run_id = p_run AND x.case_name = p_case;
    IF NOT FOUND OR r.n = 0 THEN
        RETURN NULL;
    END IF;
    SELECT * INTO b FROM tasker_bench.results x WHERE x.run_id = p_base AND x.case_name = p_case;
    v_xmax := greatest(log(greatest(r.n, coalesce(b.n, 0))::float8), 0.302);
    SELECT jsonb_agg(jsonb_build_object('v', v, 'label', l) ORDER BY v) INTO v_ticks
      FROM (VALUES (0::float8, '0 %'), (0.30103, '50 %'), (1, '90 %'), (2, '99 %'), (3, '99.9 %'),
                   (4, '99.99 %'), (5, '99.999 %'), (6, '99.9999 %')) t(v, l)
     WHERE v <= v_xmax + 1e-9;
    v_series := jsonb_build_array(jsonb_build_object(
        'name', format('run %s (n = %s)', p_run, r.n), 'kind', 'line', 'color', '#2e6da4',
        'data', (SELECT jsonb_agg(jsonb_build_array(x, greatest(p - r.clock_ns, 0) / 1000) ORDER BY x)
                   FROM (SELECT x, tasker_bench.percentile(r.histogram, 1 - 10 ^ (-x)) AS p
                           FROM (SELECT k * log(r.n::float8) / 60 AS x FROM generate_series(0, 60) k) g
                          WHERE r.n > 1) s)));
    IF b.run_id IS NOT NULL AND b.n > 1 THEN
        v_series := v_series || jsonb_build_object(
            'name', format('baseline run %s (n = %s)', p_base, b.n), 'kind', 'line', 'color', '#e67e22', 'dash', '5,3',
            'data', (SELECT jsonb_agg(jsonb_build_array(x, greatest(p - b.clock_ns, 0) / 1000) ORDER BY x)
                       FROM (SELECT x, tasker_bench.percentile(b.histogram, 1 - 10 ^ (-x)) AS p
                               FROM (SELECT k * log(b.n::float8) / 60 AS x FROM generate_series(0, 60) k) g) s));
    END IF;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'percentiles', 'width', 400, 'height', 270,
        'title', 'Latency by percentile',
        'note', format('n = %s; drawn up to the %s percentile (1 - 1/n)', r.n,
                       CASE WHEN r.n > 1 THEN round((100 * (1 - 1.0 / r.n))::numeric, greatest(0, ceil(log(r.n::numeric))::int - 2))::text || ' %' ELSE '-' END),
        'x', jsonb_build_object('label', 'percentile (1/(1-q) on a log axis)', 'min', 0, 'max', v_xmax, 'ticks', v_ticks),
        'y', jsonb_build_object('label', 'latency (µs)', 'log', true),
        'series', v_series);
END
$$;

/*
 * Every case's change against the baseline with its interval, the noise
 * threshold shaded (one row per case).  The axis spans the changes (at
 * least twice the noise threshold); an interval reaching beyond it is cut at
 * the edge and marked by a triangle.
 */
CREATE FUNCTION tasker_bench._chart_comparison(j jsonb, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_rows jsonb;
    v_n integer;
    v_thr float8;
    v_lim float8;
    v_series jsonb := '[]';
    v_cut jsonb;
    v text;
BEGIN
    IF jsonb_typeof(j->'comparison') <> 'array' THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_agg(x ORDER BY o), count(*) INTO v_rows, v_n
      FROM jsonb_array_elements(j->'comparison') WITH ORDINALITY t(x, o)
     WHERE x->>'change_pct' IS NOT NULL;
    IF coalesce(v_n, 0) = 0 THEN
        RETURN NULL;
    END IF;
    SELECT max((x->>'noise_threshold_pct')::float8) INTO v_thr FROM jsonb_array_elements(v_rows) x;
    SELECT greatest(max(abs((x->>'change_pct')::float8)) * 1.3, 2 * coalesce(v_thr, 0), 5) INTO v_lim
      FROM jsonb_array_elements(v_rows) x;
    IF v_thr IS NOT NULL THEN
        -- each case's own noise floor (they differ when set per suite or learned from history)
        v_series := v_series || jsonb_build_object(
            'name', CASE WHEN (SELECT count(DISTINCT x->>'noise_threshold_pct') FROM jsonb_array_elements(v_rows) x) = 1
                         THEN format('noise threshold ±%s %%', tasker_bench._fmt_thr(v_thr)) ELSE 'noise threshold of the case' END,
            'kind', 'rects', 'color', '#95a5a6', 'opacity', '0.3',
            'data', (SELECT jsonb_agg(jsonb_build_array(-(x->>'noise_threshold_pct')::float8, (x->>'noise_threshold_pct')::float8,
                                                        v_n - o + 1 - 0.45, v_n - o + 1 + 0.45))
                       FROM jsonb_array_elements(v_rows) WITH ORDINALITY t(x, o) WHERE x->>'noise_threshold_pct' IS NOT NULL));
    END IF;
    v_series := v_series || jsonb_build_object('kind', 'vlines', 'color', '#333333', 'data', '[0]'::jsonb, 'stroke_width', '1');
    FOR v IN SELECT DISTINCT x->>'verdict' FROM jsonb_array_elements(v_rows) x ORDER BY 1 LOOP
        v_series := v_series
            || jsonb_build_object('kind', 'segments', 'color', tasker_bench._verdict_color(v), 'stroke_width', '2',
                                  'data', (SELECT coalesce(jsonb_agg(jsonb_build_array(greatest((x->>'ci_low_pct')::float8, -v_lim), v_n - o + 1,
                                                                                       least((x->>'ci_high_pct')::float8, v_lim), v_n - o + 1)), '[]')
                                             FROM jsonb_array_elements(v_rows) WITH ORDINALITY t(x, o)
                                            WHERE x->>'verdict' = v AND x->>'ci_low_pct' IS NOT NULL))
            || jsonb_build_object('name', v, 'kind', 'points', 'color', tasker_bench._verdict_color(v), 'r', '3.5',
                                  'data', (SELECT jsonb_agg(jsonb_build_array((x->>'change_pct')::float8, v_n - o + 1))
                                             FROM jsonb_array_elements(v_rows) WITH ORDINALITY t(x, o)
                                            WHERE x->>'verdict' = v));
    END LOOP;
    FOREACH v IN ARRAY ARRAY['left', 'right'] LOOP
        SELECT jsonb_agg(jsonb_build_array(CASE WHEN v = 'left' THEN -v_lim ELSE v_lim END, v_n - o + 1)) INTO v_cut
          FROM jsonb_array_elements(v_rows) WITH ORDINALITY t(x, o)
         WHERE CASE WHEN v = 'left' THEN (x->>'ci_low_pct')::float8 < -v_lim ELSE (x->>'ci_high_pct')::float8 > v_lim END;
        IF v_cut IS NOT NULL THEN
            v_series := v_series || jsonb_build_object('name', CASE WHEN v = 'right' THEN 'interval beyond the axis' END,
                                                       'kind', 'points', 'shape', v, 'color', '#34495e', 'data', v_cut);
        END IF;
    END LOOP;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'comparison', 'width', 1200, 'height', 110 + 17 * v_n,
        'title', format('Change of the median against baseline "%s" (run %s)', j->'baseline'->>'name', j->'baseline'->>'run_id'),
        'note', format('%s cases; point: change, bar: its %s %% interval', v_n,
                       round(100 * (1 - coalesce((j->'baseline'->>'alpha')::numeric, 0.05)))),
        'x', jsonb_build_object('label', 'change of the median (%)', 'min', -v_lim, 'max', v_lim,
                                'ticks', tasker_bench._svg_ticks(-v_lim, v_lim, false, 8)),
        'y', jsonb_build_object('label', 'case', 'min', 0.4, 'max', v_n + 0.6, 'category', true,
                                'ticks', (SELECT jsonb_agg(jsonb_build_object('v', v_n - o + 1, 'label', x->>'case_name'))
                                            FROM jsonb_array_elements(v_rows) WITH ORDINALITY t(x, o))),
        'series', v_series);
END
$$;

/* A/B: the ratio b/a of each round's medians, the estimate, its interval and the noise threshold. */
CREATE FUNCTION tasker_bench._chart_ab(j jsonb, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a jsonb := j->'ab';
    v_rounds integer;
    v_thr float8;
    v_series jsonb := '[]';
BEGIN
    IF jsonb_typeof(a) <> 'object' THEN
        RETURN NULL;
    END IF;
    v_rounds := jsonb_array_length(a->'a_medians_us');
    v_thr := (a->>'noise_threshold_pct')::float8;
    IF v_thr IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', format('noise threshold ±%s %%', tasker_bench._fmt_thr(v_thr)),
                                                   'kind', 'rects', 'color', '#95a5a6', 'opacity', '0.25',
                                                   'data', jsonb_build_array(jsonb_build_array(0.5, v_rounds + 0.5, 1 - v_thr / 100, 1 + v_thr / 100)));
    END IF;
    IF a->>'ci_low' IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', format('%s %% interval', round(100 * (1 - (a->>'alpha')::numeric))),
                                                   'kind', 'rects', 'color', '#2e6da4', 'opacity', '0.18',
                                                   'data', jsonb_build_array(jsonb_build_array(0.5, v_rounds + 0.5, (a->>'ci_low')::float8, (a->>'ci_high')::float8)));
    END IF;
    v_series := v_series
        || jsonb_build_object('name', format('b/a = %s', round((a->>'ratio')::numeric, 3)), 'kind', 'hlines',
                              'color', '#2e6da4', 'data', jsonb_build_array((a->>'ratio')::float8))
        || jsonb_build_object('name', 'round', 'kind', 'points', 'color', '#34495e',
                              'data', (SELECT jsonb_agg(jsonb_build_array(o, tasker_bench._jnum(bm) / nullif((a->'a_medians_us'->>(o::int - 1))::float8, 0)))
                                         FROM jsonb_array_elements(a->'b_medians_us') WITH ORDINALITY t(bm, o)));
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'ab', 'width', 600, 'height', 300,
        'title', format('A/B: ratio b/a per round (a: %s, b: %s)', a->>'a_name', a->>'b_name'),
        'note', format('%s rounds of %s iterations each; per round median b / median a; verdict %s',
                       v_rounds, a->>'iterations', a->>'verdict'),
        'x', jsonb_build_object('label', 'round', 'min', 0.5, 'max', v_rounds + 0.5,
                                'ticks', tasker_bench._svg_ticks(1, v_rounds, false, least(v_rounds, 10))),
        'y', jsonb_build_object('label', 'ratio b/a'),
        'series', v_series);
END
$$;

/* A scale sweep of one case: p50 against the fixture size, the fitted growth, the seed plan's targets. */
CREATE FUNCTION tasker_bench._chart_scale(p_scale bigint, p_case text, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s tasker_bench.scales;
    v_pts jsonb;
    v_fit jsonb;
    v_min float8; v_max float8;
    v_series jsonb := '[]';
    v_targets jsonb;
BEGIN
    SELECT * INTO s FROM tasker_bench.scales x WHERE x.id = p_scale AND x.axis = 'tasks';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_agg(jsonb_build_array((ru.dataset->'row_counts'->>'tasks')::float8, r.p50_us, r.n) ORDER BY ru.id),
           min((ru.dataset->'row_counts'->>'tasks')::float8), max((ru.dataset->'row_counts'->>'tasks')::float8)
      INTO v_pts, v_min, v_max
      FROM tasker_bench.results r JOIN tasker_bench.runs ru ON ru.id = r.run_id
     WHERE r.run_id = ANY (s.run_ids) AND r.case_name = p_case;
    IF v_pts IS NULL OR jsonb_array_length(v_pts) < 2 THEN
        RETURN NULL;
    END IF;
    v_fit := s.fits->p_case;
    SELECT jsonb_agg(jsonb_build_array(size, target_ms * 1000)) INTO v_targets
      FROM (SELECT (e->>0)::int AS size, tasker_bench.scale_target_ms(p_case, (e->>0)::int) AS target_ms
              FROM jsonb_array_elements(v_pts) e) t
     WHERE target_ms IS NOT NULL;
    IF v_fit IS NOT NULL AND (v_fit->>'a') IS NOT NULL AND (v_fit->>'b') IS NOT NULL
       AND (v_fit->>'a') <> 'NaN' AND (v_fit->>'b') <> 'NaN' THEN
        v_series := v_series || jsonb_build_object(
            'name', format('fit %s (R² %s)', v_fit->>'complexity', round((v_fit->>'r2')::numeric, 3)),
            'kind', 'line', 'color', '#7f8c8d', 'dash', '4,3',
            'data', (SELECT jsonb_agg(jsonb_build_array(x, (v_fit->>'a')::float8 + (v_fit->>'b')::float8 *
                                         CASE v_fit->>'complexity' WHEN 'O(1)' THEN 1 WHEN 'O(log n)' THEN ln(x)
                                              WHEN 'O(n)' THEN x WHEN 'O(n log n)' THEN x * ln(x) WHEN 'O(n^2)' THEN x * x END) ORDER BY x)
                       FROM (SELECT v_min * (v_max / v_min) ^ (k / 40.0) AS x FROM generate_series(0, 40) k) g));
    END IF;
    v_series := v_series || jsonb_build_object('name', 'p50 measured', 'kind', 'points', 'color', '#2e6da4', 'r', '4',
                                               'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1)) FROM jsonb_array_elements(v_pts) e));
    IF v_targets IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', 'seed plan target', 'kind', 'line', 'color', '#c0392b', 'dash', '2,2',
                                                   'data', v_targets)
                             || jsonb_build_object('kind', 'points', 'color', '#c0392b', 'data', v_targets, 'legend', false);
    END IF;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'scale', 'width', 600, 'height', 300,
        'title', format('Scale sweep %s: %s', s.id, p_case),
        'note', format('p50 by fixture size; n per size %s', (SELECT string_agg(e->>2, ', ') FROM jsonb_array_elements(v_pts) e)),
        'x', jsonb_build_object('label', 'fixture size (tasks)', 'log', true),
        'y', jsonb_build_object('label', 'p50 (µs)', 'log', true),
        'series', v_series);
END
$$;

/*
 * A case's p50 and p95 over the completed runs of the same what, kind and
 * number of clients, up to a run,
 * with alerts and, when tasker_bench.change_points exists, change points
 * (rows naming the case and a run_id or a time, read by column name).
 */
CREATE FUNCTION tasker_bench._chart_history(p_run bigint, p_case text, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_what text;
    v_at timestamptz;
    v_kind text;
    v_clients text;
    v_pts jsonb;
    v_lo float8; v_hi float8;
    v_alerts jsonb;
    v_cps jsonb;
    v_series jsonb := '[]';
BEGIN
    SELECT r.what, r.started_at, r.kind, coalesce(r.settings->>'clients', '1') INTO v_what, v_at, v_kind, v_clients
      FROM tasker_bench.runs r WHERE r.id = p_run;
    SELECT jsonb_agg(jsonb_build_array(t, p50_us, p95_us, n, run_id) ORDER BY t), min(t), max(t)
      INTO v_pts, v_lo, v_hi
      FROM (SELECT extract(epoch FROM h.started_at)::float8 AS t, h.p50_us,
                   h.p95_us, h.n, h.run_id
              FROM tasker_bench.history h JOIN tasker_bench.runs ru ON ru.id = h.run_id
             WHERE h.what = v_what AND h.case_name = p_case AND h.started_at <= v_at
               AND ru.kind = v_kind AND coalesce(ru.settings->>'clients', '1') = v_clients
             ORDER BY h.started_at DESC LIMIT 60) x;
    IF v_pts IS NULL OR jsonb_array_length(v_pts) < 2 OR v_hi <= v_lo THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_agg(DISTINCT extract(epoch FROM r.started_at)::float8) INTO v_alerts
      FROM tasker_bench.alerts a JOIN tasker_bench.runs r ON r.id = a.run_id
     WHERE a.case_name = p_case AND r.what = v_what
       AND r.started_at BETWEEN to_timestamp(v_lo) AND to_timestamp(v_hi);
    IF to_regclass('tasker_bench.change_points') IS NOT NULL THEN
        EXECUTE $q$
            SELECT jsonb_agg(DISTINCT t) FROM (
                SELECT coalesce(extract(epoch FROM (SELECT r.started_at FROM tasker_bench.runs r
                                                     WHERE r.id = (c->>'run_id')::bigint))::float8,
                                extract(epoch FROM coalesce(c->>'started_at', c->>'at', c->>'changed_at')::timestamptz)::float8) AS t
                  FROM (SELECT to_jsonb(cp) AS c FROM tasker_bench.change_points cp) x
                 WHERE c->>'case_name' = $1) y
             WHERE t BETWEEN $2 AND $3$q$
          INTO v_cps USING p_case, v_lo, v_hi;
    END IF;
    v_series := v_series
        || jsonb_build_object('name', 'p50', 'kind', 'line', 'color', '#2e6da4',
                              'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1)) FROM jsonb_array_elements(v_pts) e))
        || jsonb_build_object('kind', 'points', 'color', '#2e6da4', 'legend', false,
                              'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1)) FROM jsonb_array_elements(v_pts) e))
        || CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(v_pts) e WHERE jsonb_typeof(e->2) = 'number') THEN
               jsonb_build_object('name', 'p95', 'kind', 'line', 'color', '#8e44ad', 'dash', '5,3',
                                  'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->2)) FROM jsonb_array_elements(v_pts) e))
           ELSE '[]'::jsonb END;
    IF v_alerts IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', 'alert', 'kind', 'vlines', 'color', '#c0392b', 'data', v_alerts, 'stroke_width', '2');
    END IF;
    IF v_cps IS NOT NULL THEN
        v_series := v_series || jsonb_build_object('name', 'change point', 'kind', 'vlines', 'color', '#d35400', 'dash', '3,3',
                                                   'data', v_cps, 'stroke_width', '2');
    END IF;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'history', 'width', 400, 'height', 270,
        'title', 'History',
        'note', format('%s runs of %s; p95 where stored (n >= %s)', jsonb_array_length(v_pts), v_what,
                       tasker_bench._quantile_min_n(0.95)),
        'x', jsonb_build_object('label', 'run start (' || current_setting('TimeZone') || ')',
                                'min', v_lo - (v_hi - v_lo) * 0.04, 'max', v_hi + (v_hi - v_lo) * 0.04,
                                'ticks', tasker_bench._time_ticks(v_lo, v_hi)),
        'y', jsonb_build_object('label', 'latency (µs)', 'zero', true),
        'series', v_series);
END
$$;

/* The phases of the cases that mark phases: one stacked bar per case (mean µs per iteration). */
CREATE FUNCTION tasker_bench._chart_phases(j jsonb, p_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_cases jsonb;
    v_n integer;
    v_series jsonb := '[]';
    v_palette text[] := ARRAY['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
                              '#ff9da7', '#9c755f', '#bab0ac', '#1b9e77', '#d95f02', '#7570b3', '#66a61e'];
    p record;
BEGIN
    SELECT jsonb_agg(c ORDER BY o), count(*) INTO v_cases, v_n
      FROM jsonb_array_elements(coalesce(j->'cases', '[]')) WITH ORDINALITY t(c, o)
     WHERE jsonb_typeof(c->'phases') = 'array';
    IF coalesce(v_n, 0) = 0 THEN
        RETURN NULL;
    END IF;
    FOR p IN
        WITH ph AS (
            SELECT c.o AS co, e.po, e.x->>'phase' AS phase, coalesce((e.x->>'mean_us')::float8, 0) AS us
              FROM jsonb_array_elements(v_cases) WITH ORDINALITY c(c, o),
                   jsonb_array_elements(c.c->'phases') WITH ORDINALITY e(x, po)
        ), placed AS (
            SELECT co, po, phase, us, coalesce(sum(us) OVER (PARTITION BY co ORDER BY po ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS x0
              FROM ph
        )
        SELECT phase, min(co * 1000 + po) AS first_seen,
               jsonb_agg(jsonb_build_array(x0, x0 + us, v_n - co + 1 - 0.35, v_n - co + 1 + 0.35)) AS data
          FROM placed GROUP BY phase ORDER BY 2, 1
    LOOP
        v_series := v_series || jsonb_build_object('name', p.phase, 'kind', 'rects',
                                                   'color', v_palette[1 + jsonb_array_length(v_series) % cardinality(v_palette)],
                                                   'opacity', '0.95', 'data', p.data);
    END LOOP;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'phases', 'width', 1200, 'height', 150 + 22 * v_n,
        'title', 'Phases of each iteration (mean µs, stacked)',
        'note', format('%s cases; the phases of an iteration add up to its timed duration', v_n),
        'x', jsonb_build_object('label', 'mean time per iteration (µs)', 'zero', true),
        'y', jsonb_build_object('label', 'case', 'min', 0.4, 'max', v_n + 0.6, 'category', true,
                                'ticks', (SELECT jsonb_agg(jsonb_build_object('v', v_n - o + 1, 'label', c->>'case_name'))
                                            FROM jsonb_array_elements(v_cases) WITH ORDINALITY t(c, o))),
        'series', v_series);
END
$$;

/*
 * Concurrent clients of a case: total throughput or p99 (latency under load)
 * against the number of clients: from the runs of a sweep over clients
 * (tasker_bench_scale(..., clients => ...)) when given, else from the
 * latest completed result of the case for each number of clients
 * (tasker_bench.client_results; a result without one ran 1 client).
 */
CREATE FUNCTION tasker_bench._chart_concurrency(p_case text, p_metric text, p_id text, p_scale bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_pts jsonb;
    v_runs bigint[];
BEGIN
    IF p_scale IS NOT NULL THEN
        SELECT s.run_ids INTO v_runs FROM tasker_bench.scales s WHERE s.id = p_scale;
    END IF;
    SELECT jsonb_agg(jsonb_build_array(clients, v, n) ORDER BY clients) INTO v_pts
      FROM (SELECT DISTINCT ON (clients) clients, v, n
              FROM (SELECT coalesce(cr.clients, (ru.settings->>'clients')::int, 1) AS clients,
                           CASE WHEN p_metric = 'p99' THEN r.p99_us ELSE r.ops_per_s END AS v, r.n, r.run_id
                      FROM tasker_bench.results r
                      JOIN tasker_bench.runs ru ON ru.id = r.run_id
                      LEFT JOIN tasker_bench.client_results cr ON cr.run_id = r.run_id AND cr.case_name = r.case_name
                     WHERE r.case_name = p_case AND ru.status = 'completed'
                       AND (v_runs IS NULL OR r.run_id = ANY (v_runs))) a
             WHERE v IS NOT NULL
             ORDER BY clients, run_id DESC) b;
    IF v_pts IS NULL OR jsonb_array_length(v_pts) < 2 THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object(
        'id', p_id, 'kind', 'concurrency', 'width', 600, 'height', 280,
        'title', format('%s: %s against clients', p_case, CASE WHEN p_metric = 'p99' THEN 'p99' ELSE 'throughput' END),
        'note', format('n per point %s%s', (SELECT string_agg(e->>2, ', ') FROM jsonb_array_elements(v_pts) e),
                       CASE WHEN p_metric = 'p99' THEN format('; p99 where n >= %s, of all clients'' samples',
                                                              tasker_bench._quantile_min_n(0.99)) ELSE '' END),
        'x', jsonb_build_object('label', 'concurrent clients', 'zero', true, 'integer', true),
        'y', jsonb_build_object('label', CASE WHEN p_metric = 'p99' THEN 'p99 latency (µs)' ELSE 'calls/s (all clients)' END,
                                'zero', true),
        'series', jsonb_build_array(
            jsonb_build_object('name', CASE WHEN p_metric = 'p99' THEN 'p99' ELSE 'total throughput' END, 'kind', 'line', 'color', '#2e6da4',
                               'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1)) FROM jsonb_array_elements(v_pts) e)),
            jsonb_build_object('kind', 'points', 'color', '#2e6da4', 'legend', false,
                               'data', (SELECT jsonb_agg(jsonb_build_array(e->0, e->1)) FROM jsonb_array_elements(v_pts) e))));
END
$$;

/* The flame graph of a run's folded stacks (tasker_bench_folded), drawn here. */
CREATE FUNCTION tasker_bench._flame_of_run(p_run bigint, p_id text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_folded text[];
BEGIN
    EXECUTE format('SELECT array_agg(f) FROM %I.tasker_bench_folded($1) f', tasker_bench._ext_schema())
       INTO v_folded USING p_run;
    IF v_folded IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN tasker_bench._svg_flame(v_folded, format('Flame graph of run %s (tasker_bench_folded)', p_run), p_id);
END
$$;

-- ---------------------------------------------------------------------------
-- tasker_bench_svg: any one chart
-- ---------------------------------------------------------------------------
/* The report json of a run, compared with the baseline when given (and, for several runs, when it measured the same thing). */
CREATE FUNCTION tasker_bench._report_json_of(p_run bigint, p_baseline text, p_only_same_what boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    IF p_baseline IS NOT NULL AND p_only_same_what
       AND NOT EXISTS (SELECT 1 FROM tasker_bench.baselines bl JOIN tasker_bench.runs b ON b.id = bl.run_id
                         JOIN tasker_bench.runs r ON r.id = p_run AND r.what = b.what
                        WHERE bl.name = p_baseline) THEN
        p_baseline := NULL;
    END IF;
    RETURN tasker_bench._report_json(p_run, p_baseline);
END
$$;

CREATE FUNCTION tasker_bench_svg(chart text, run_id bigint DEFAULT NULL, case_name text DEFAULT NULL,
                                 baseline text DEFAULT NULL, scale_id bigint DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_chart text := lower(tasker_bench_svg.chart);
    v_run bigint := tasker_bench_svg.run_id;
    v_case text := tasker_bench_svg.case_name;
    v_scale bigint := tasker_bench_svg.scale_id;
    v_base bigint;
    v_spec jsonb;
    v_svg text;
BEGIN
    IF v_chart IS NULL OR v_chart NOT IN ('histogram', 'percentiles', 'history', 'comparison', 'ab', 'scale',
                                          'phases', 'concurrency_throughput', 'concurrency_p99', 'flame') THEN
        RAISE EXCEPTION 'unknown chart "%"', coalesce(tasker_bench_svg.chart, 'NULL') USING ERRCODE = '22023',
            HINT = 'Charts: histogram, percentiles, history, comparison, ab, scale, phases, concurrency_throughput, concurrency_p99, flame.';
    END IF;
    IF v_chart = 'scale' THEN
        IF v_scale IS NULL THEN
            SELECT s.id INTO v_scale FROM tasker_bench.scales s
             WHERE s.axis = 'tasks' AND (v_case IS NULL OR s.fits ? v_case) ORDER BY s.id DESC LIMIT 1;
        END IF;
        IF v_case IS NULL THEN
            SELECT k INTO v_case FROM tasker_bench.scales s, jsonb_object_keys(s.fits) k WHERE s.id = v_scale ORDER BY k LIMIT 1;
        END IF;
        v_spec := tasker_bench._chart_scale(v_scale, v_case, 'scale');
    ELSIF v_chart LIKE 'concurrency%' THEN
        IF v_case IS NULL THEN
            RAISE EXCEPTION 'chart "%" needs case_name', v_chart USING ERRCODE = '22004',
                HINT = 'Name the case measured with several client counts.';
        END IF;
        v_spec := tasker_bench._chart_concurrency(v_case, CASE WHEN v_chart = 'concurrency_p99' THEN 'p99' ELSE 'throughput' END,
                                                  v_chart, v_scale);
    ELSE
        IF v_run IS NULL THEN
            v_run := tasker_bench._latest_run(NULL, false);
        END IF;
        IF v_run IS NULL OR NOT EXISTS (SELECT 1 FROM tasker_bench.runs r WHERE r.id = v_run) THEN
            RAISE EXCEPTION 'run % does not exist or is not yours', coalesce(v_run::text, '(latest)') USING ERRCODE = '42704',
                HINT = 'SELECT id, kind, what, label, status FROM tasker_bench.runs ORDER BY id DESC lists your runs.';
        END IF;
        IF baseline IS NOT NULL THEN
            SELECT bl.run_id INTO v_base FROM tasker_bench.baselines bl WHERE bl.name = baseline;
            IF v_base IS NULL THEN
                RAISE EXCEPTION 'no baseline named "%"', baseline USING ERRCODE = '42704',
                    HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines.';
            END IF;
        END IF;
        IF v_chart IN ('histogram', 'percentiles', 'history') THEN
            IF v_case IS NULL THEN
                SELECT r.case_name INTO v_case FROM tasker_bench.results r WHERE r.run_id = v_run ORDER BY r.ordinal LIMIT 1;
            ELSIF NOT EXISTS (SELECT 1 FROM tasker_bench.results r WHERE r.run_id = v_run AND r.case_name = v_case) THEN
                RAISE EXCEPTION 'run % has no case "%"', v_run, v_case USING ERRCODE = '42704',
                    HINT = 'SELECT case_name FROM tasker_bench.results WHERE run_id = ... lists the cases of a run.';
            END IF;
            v_spec := CASE v_chart WHEN 'histogram' THEN tasker_bench._chart_histogram(v_run, v_case, v_base, v_chart)
                                   WHEN 'percentiles' THEN tasker_bench._chart_percentiles(v_run, v_case, v_base, v_chart)
                                   ELSE tasker_bench._chart_history(v_run, v_case, v_chart) END;
            IF v_spec IS NOT NULL THEN
                v_spec := jsonb_set(v_spec, '{title}', to_jsonb((v_spec->>'title') || ': ' || v_case));
            END IF;
        ELSIF v_chart = 'flame' THEN
            v_svg := tasker_bench._flame_of_run(v_run, 'flame');
        ELSIF v_chart = 'comparison' THEN
            IF baseline IS NULL THEN
                RAISE EXCEPTION 'chart "comparison" needs a baseline' USING ERRCODE = '22004',
                    HINT = 'Pass baseline => ''name'' (tasker_bench.baselines lists them).';
            END IF;
            v_spec := tasker_bench._chart_comparison(tasker_bench._report_json(v_run, baseline), v_chart);
        ELSIF v_chart = 'ab' THEN
            v_spec := tasker_bench._chart_ab(tasker_bench._report_json(v_run, NULL), v_chart);
        ELSE
            v_spec := tasker_bench._chart_phases(tasker_bench._report_json(v_run, NULL), v_chart);
        END IF;
    END IF;
    IF v_spec IS NOT NULL THEN
        v_svg := tasker_bench._svg_chart(v_spec);
    END IF;
    IF v_svg IS NULL THEN
        RAISE EXCEPTION 'nothing to draw for chart "%"', v_chart USING ERRCODE = '22023',
            HINT = CASE v_chart WHEN 'history' THEN 'History needs at least two completed runs of the same case or suite.'
                                WHEN 'ab' THEN 'Chart ab draws a run of tasker_bench_ab.'
                                WHEN 'phases' THEN 'Chart phases draws cases that mark phases (suite lifecycle).'
                                WHEN 'scale' THEN 'Chart scale draws a sweep of tasker_bench_scale.'
                                WHEN 'flame' THEN 'The run has no folded stacks (tasker_bench_folded).'
                                ELSE 'The run has no samples or results to draw.' END;
    END IF;
    RETURN v_svg;
END
$$;

COMMENT ON FUNCTION tasker_bench_svg(text, bigint, text, text, bigint) IS
    'One chart as SVG: histogram, percentiles, history (of a case of a run), comparison (with baseline), ab, phases, '
    'flame (of a run), scale (of a sweep), concurrency_throughput, concurrency_p99 (of a case)';

-- ---------------------------------------------------------------------------
-- The HTML report
-- ---------------------------------------------------------------------------
CREATE FUNCTION tasker_bench._html_css() RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT $css$
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 14px; color: #1c2833;
       max-width: 1240px; margin: 16px auto; padding: 0 12px; background: #ffffff; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #d5d8dc; }
h3 { font-size: 16px; margin: 20px 0 6px; } h4 { font-size: 14px; margin: 14px 0 4px; font-family: "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { padding: 2px 8px; border-bottom: 1px solid #e5e8e8; text-align: left; vertical-align: top; }
table.summary td.num, table.summary th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary td { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; white-space: nowrap; }
table.summary th { white-space: nowrap; }
table.summary td.flags { white-space: normal; font-family: inherit; font-size: 11px; color: #566573; }
table.kv th { color: #566573; font-weight: normal; white-space: nowrap; }
td.v-regressed { background: #fadbd8; color: #922b21; font-weight: bold; }
td.v-improved { background: #d5f5e3; color: #145a32; font-weight: bold; }
td.v-unchanged { color: #566573; }
td.v-inconclusive { background: #fdebd0; color: #7e5109; }
td.v-added, td.v-removed { color: #1a5276; font-style: italic; }
ul.notes { color: #566573; font-size: 12px; margin: 4px 0 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.case { break-inside: avoid; page-break-inside: avoid; }
svg.chart { border: 1px solid #e5e8e8; max-width: 100%; height: auto; }
p.missing { color: #566573; font-size: 12px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; }
  h2 { break-before: page; } .run:first-of-type h2 { break-before: auto; }
  svg.chart { break-inside: avoid; }
}
$css$
$$;

/* One table of label / value rows. */
CREATE FUNCTION tasker_bench._html_kv(rows text[][]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '<table class="kv">' || coalesce(string_agg(format('<tr><th>%s</th><td>%s</td></tr>',
                                                              tasker_bench._svg_esc(rows[i][1]), tasker_bench._svg_esc(rows[i][2])), '' ORDER BY i), '')
           || '</table>'
      FROM generate_subscripts(rows, 1) i
     WHERE rows[i][2] IS NOT NULL
$$;

CREATE FUNCTION tasker_bench._report_html(p_runs bigint[], p_baseline text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    o text[] := '{}';
    j jsonb;
    j0 jsonb;
    v_run bigint;
    v_base bigint;
    v_cmp boolean;
    c jsonb;
    r record;
    v_svg text;
    v_scale bigint;
    v_case text;
    v_cases text[] := '{}';
    v_k integer := 0;
BEGIN
    j0 := tasker_bench._report_json(p_runs[1], NULL);
    o := o || '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tasker_bench report</title><style>'::text
           || tasker_bench._html_css() || '</style></head><body>'::text;
    o := o || format('<h1>tasker_bench report: %s</h1>', tasker_bench._svg_esc(
                     (SELECT string_agg(format('run %s (%s)', x, ru.what), ', ' ORDER BY u.ord)
                        FROM unnest(p_runs) WITH ORDINALITY u(x, ord) JOIN tasker_bench.runs ru ON ru.id = u.x)));
    o := o || tasker_bench._html_kv(ARRAY[
        ARRAY['environment', tasker_bench._report_env_line(j0)],
        ARRAY['settings', tasker_bench._report_settings_line(j0)],
        ARRAY['dataset', tasker_bench._report_dataset_short(j0)],
        ARRAY['baseline', p_baseline],
        ARRAY['generated', now()::timestamptz(0)::text]]);

    FOREACH v_run IN ARRAY p_runs LOOP
        v_k := v_k + 1;
        j := tasker_bench._report_json_of(v_run, p_baseline, cardinality(p_runs) > 1);
        v_cmp := jsonb_typeof(j->'comparison') = 'array';
        v_base := CASE WHEN v_cmp THEN (j->'baseline'->>'run_id')::bigint END;
        o := o || format('<section class="run" id="run-%s"><h2>Run %s: %s</h2>', v_run, v_run, tasker_bench._svg_esc(j->'run'->>'what'));
        o := o || tasker_bench._html_kv(ARRAY[
            ARRAY['kind / suite', concat_ws(' / ', j->'run'->>'kind', j->'run'->>'suite')],
            ARRAY['label', j->'run'->>'label'],
            ARRAY['status', j->'run'->>'status'],
            ARRAY['when', format('%s, %s s', tasker_bench._fmt_ts(j->'run'->>'started_at'), tasker_bench._fmt_sig((j->'run'->>'duration_s')::float8))],
            ARRAY['settings', tasker_bench._report_settings_line(j)],
            ARRAY['dataset', tasker_bench._report_dataset_short(j)],
            ARRAY['baseline', CASE WHEN v_cmp THEN format('"%s": run %s%s', j->'baseline'->>'name', j->'baseline'->>'run_id',
                                                          coalesce(' (' || (j->'baseline'->>'label') || ')', '')) END],
            ARRAY['error', CASE WHEN j->'run'->>'status' = 'failed' THEN
                                format('%s %s (case %s)', j->'run'->>'error_sqlstate', j->'run'->>'error', j->'run'->>'failed_case') END]]);

        -- summary table
        o := o || ('<table class="summary"><tr><th>case</th><th class="num">n</th><th class="num">p50 µs</th><th class="num">p95 µs</th>'
                   || '<th class="num">p99 µs</th><th class="num">p99.9 µs</th><th class="num">ops/s</th>'
                   || CASE WHEN v_cmp THEN '<th class="num">change</th><th>interval</th><th>verdict</th><th>notes</th>' ELSE '' END || '</tr>');
        FOR r IN SELECT * FROM tasker_bench._report_rows(j) LOOP
            o := o || (format('<tr><td><a href="#r%s-c%s">%s</a></td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>',
                              v_run, r.ord, tasker_bench._svg_esc(r.case_name), r.n, r.p50, r.p95, r.p99, r.p999, r.ops)
                       || CASE WHEN v_cmp THEN format('<td class="num">%s</td><td>%s</td><td class="v-%s" title="%s">%s</td><td class="flags">%s</td>',
                                                      tasker_bench._svg_esc(r.change), tasker_bench._svg_esc(r.ci),
                                                      tasker_bench._svg_esc(r.verdict), tasker_bench._svg_esc(r.reason),
                                                      tasker_bench._svg_esc(r.verdict), tasker_bench._svg_esc(r.flags))
                               ELSE '' END || '</tr>');
        END LOOP;
        o := o || '</table><ul class="notes">'::text
               || (SELECT string_agg('<li>' || tasker_bench._svg_esc(x) || '</li>', '') FROM unnest(tasker_bench._report_note_lines(j)) x)
               || '</ul>'::text;

        -- run-wide charts
        o := o || '<div class="charts">'::text;
        FOREACH v_svg IN ARRAY ARRAY[
            tasker_bench._svg_chart(tasker_bench._chart_comparison(j, format('r%s-comparison', v_run))),
            tasker_bench._svg_chart(tasker_bench._chart_ab(j, format('r%s-ab', v_run))),
            tasker_bench._svg_chart(tasker_bench._chart_phases(j, format('r%s-phases', v_run)))] LOOP
            CONTINUE WHEN v_svg IS NULL;
            o := o || v_svg;
        END LOOP;
        o := o || '</div>'::text;

        -- per case
        IF jsonb_array_length(j->'cases') > 0 THEN
            o := o || '<h3>Cases</h3>'::text;
        END IF;
        FOR c IN SELECT x FROM jsonb_array_elements(j->'cases') x LOOP
            v_cases := v_cases || (c->>'case_name');
            o := o || format('<div class="case" id="r%s-c%s"><h4>%s</h4><div class="charts">', v_run, c->>'ordinal',
                             tasker_bench._svg_esc(c->>'case_name'));
            FOREACH v_svg IN ARRAY ARRAY[
                tasker_bench._svg_chart(tasker_bench._chart_histogram(v_run, c->>'case_name', v_base, format('r%s-c%s-histogram', v_run, c->>'ordinal'))),
                tasker_bench._svg_chart(tasker_bench._chart_percentiles(v_run, c->>'case_name', v_base, format('r%s-c%s-percentiles', v_run, c->>'ordinal'))),
                tasker_bench._svg_chart(tasker_bench._chart_history(v_run, c->>'case_name', format('r%s-c%s-history', v_run, c->>'ordinal')))] LOOP
                CONTINUE WHEN v_svg IS NULL;
                o := o || v_svg;
            END LOOP;
            o := o || '</div></div>'::text;
        END LOOP;

        -- flame graph
        v_svg := tasker_bench._flame_of_run(v_run, format('r%s-flame', v_run));
        IF v_svg IS NOT NULL THEN
            o := o || '<h3>Where the time goes</h3><div class="charts">'::text || v_svg || '</div>'::text;
        END IF;
        o := o || '</section>'::text;
    END LOOP;

    -- the latest scale sweep of any reported case
    SELECT s.id INTO v_scale FROM tasker_bench.scales s
     WHERE s.axis = 'tasks' AND EXISTS (SELECT 1 FROM jsonb_object_keys(s.fits) k WHERE k = ANY (v_cases))
     ORDER BY s.id DESC LIMIT 1;
    IF v_scale IS NOT NULL THEN
        o := o || format('<section class="scale"><h2>Scale sweep %s</h2><div class="charts">', v_scale);
        FOR v_case IN SELECT k FROM jsonb_object_keys((SELECT s.fits FROM tasker_bench.scales s WHERE s.id = v_scale)) k
                       WHERE k = ANY (v_cases) ORDER BY k LIMIT 8 LOOP
            v_svg := tasker_bench._svg_chart(tasker_bench._chart_scale(v_scale, v_case, format('scale%s-%s', v_scale, md5(v_case))));
            IF v_svg IS NOT NULL THEN
                o := o || v_svg;
            END IF;
        END LOOP;
        o := o || '</div></section>'::text;
    END IF;

    -- concurrent clients, where measured: the latest sweep over clients, else each case's results by clients
    v_svg := NULL;
    SELECT s.id INTO v_scale FROM tasker_bench.scales s
     WHERE s.axis = 'clients' AND EXISTS (SELECT 1 FROM jsonb_object_keys(s.fits) k WHERE k = ANY (v_cases))
     ORDER BY s.id DESC LIMIT 1;
    FOR v_case IN SELECT DISTINCT x FROM unnest(v_cases) x ORDER BY 1 LOOP
        FOREACH j IN ARRAY ARRAY[tasker_bench._chart_concurrency(v_case, 'throughput', format('conc-t-%s', md5(v_case)), v_scale),
                                 tasker_bench._chart_concurrency(v_case, 'p99', format('conc-p-%s', md5(v_case)), v_scale)] LOOP
            CONTINUE WHEN j IS NULL;
            IF v_svg IS NULL THEN
                v_svg := '';
                o := o || '<section class="concurrency"><h2>Concurrent clients</h2><div class="charts">'::text;
            END IF;
            o := o || tasker_bench._svg_chart(j);
        END LOOP;
    END LOOP;
    IF v_svg IS NOT NULL THEN
        o := o || '</div></section>'::text;
    END IF;
    o := o || '</body></html>'::text;
    RETURN array_to_string(o, E'\n');
END
$$;
