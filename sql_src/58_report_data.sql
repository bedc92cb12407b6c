-- The figures of a report, one source for every format: tasker_bench._report_json
-- (a run, its cases, their comparison with a baseline, phases, statements,
-- clients) and the number formatting shared by the text and HTML reports.

/* A figure for people: 3 significant-ish decimals, '—' for unknown (e.g. a p99 of fewer than 100 samples). */
CREATE FUNCTION tasker_bench._fmt(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
             WHEN x IS NULL OR x = 'NaN' THEN '—'
             WHEN abs(x) = 'Infinity' THEN x::text
             WHEN abs(x) < 10 THEN round(x::numeric, 3)::text
             WHEN abs(x) < 1000 THEN round(x::numeric, 2)::text
             WHEN abs(x) < 100000 THEN round(x::numeric, 1)::text
             ELSE round(x::numeric)::text
           END
$$;

CREATE FUNCTION tasker_bench._fmt_pct(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN x IS NULL OR x = 'NaN' THEN '-'
                ELSE CASE WHEN x > 0 THEN '+' ELSE '' END || round(x::numeric, 1)::text || ' %' END
$$;

CREATE FUNCTION tasker_bench._fmt_p(p float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p IS NULL OR p = 'NaN' THEN '-'
                WHEN p < 0.001 THEN '<0.001'
                ELSE round(p::numeric, 3)::text END
$$;

/* A p-value in a sentence: "< 0.001" or "= 0.123". */
CREATE FUNCTION tasker_bench._fmt_p_is(p float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p IS NULL OR p = 'NaN' THEN '-'
                WHEN p < 0.001 THEN '< 0.001'
                ELSE '= ' || round(p::numeric, 3)::text END
$$;

/* A threshold in percent: at most 2 decimals, no trailing zeros. */
CREATE FUNCTION tasker_bench._fmt_thr(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN x IS NULL OR x = 'NaN' THEN '-' ELSE trim_scale(round(x::numeric, 2))::text END
$$;

/* A timestamp of the json report, for people: to the second, in the session's time zone. */
CREATE FUNCTION tasker_bench._fmt_ts(x text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(x::timestamptz(0)::text, '-')
$$;

-- ---------------------------------------------------------------------------
-- Figures for people
-- ---------------------------------------------------------------------------
/* A measured figure for a table: tasker_bench.round_figure (3 significant digits) as text; '-' for unknown. */
CREATE FUNCTION tasker_bench._fmt_sig(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
             WHEN x IS NULL OR x = 'NaN' THEN '-'
             WHEN abs(x) = 'Infinity' THEN x::text
             ELSE trim_scale(tasker_bench.round_figure(x)::numeric)::text
           END
$$;

/* A change in percent for a table: one decimal, '>+999 %' / '<-999 %' beyond that. */
CREATE FUNCTION tasker_bench._fmt_pct_short(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN x > 999 THEN '>+999 %' WHEN x < -999 THEN '<-999 %' ELSE tasker_bench._fmt_pct(x) END
$$;

CREATE FUNCTION tasker_bench._verdict_color(verdict text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE verdict WHEN 'regressed' THEN '#c0392b' WHEN 'improved' THEN '#1e8449'
                        WHEN 'unchanged' THEN '#707b7c' WHEN 'inconclusive' THEN '#b9770e'
                        ELSE '#5d6d7e' END
$$;

-- ---------------------------------------------------------------------------
-- Reports
-- ---------------------------------------------------------------------------
/*
 * A histogram in bins for people: log-spaced between the minimum and the
 * maximum, in microseconds with the clock read cost subtracted.  When a few
 * outliers stretch the range (max > 2 * p99), the first bins-1 bins span
 * min .. p99 and the last one holds everything above p99.  Every bin is
 * returned, empty ones too.  A bucket of the histogram falls in the bin of
 * its midpoint.
 */
CREATE FUNCTION tasker_bench.report_bins(h tasker_bench.histogram, clock_ns float8 DEFAULT 0,
                                         bins integer DEFAULT 10)
RETURNS TABLE (bin integer, low_us float8, high_us float8, count bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH s AS (
        SELECT greatest(tasker_bench.hmin(h), 1)::float8 AS lo,
               greatest(tasker_bench.hmax(h), 1)::float8 AS hi,
               tasker_bench.percentile(h, 0.99) AS p99,
               greatest(least(bins, 60), 2) AS nb
    ), e AS (
        SELECT s.lo, s.hi, s.nb,
               CASE WHEN s.hi > 2 * s.p99 AND s.p99 > s.lo THEN s.p99 ELSE s.hi END AS top,
               CASE WHEN s.hi > 2 * s.p99 AND s.p99 > s.lo THEN s.nb - 1 ELSE s.nb END AS k
          FROM s
    ), edges AS (
        SELECT i AS bin,
               CASE WHEN i > e.k THEN e.top ELSE e.lo * (e.top / e.lo) ^ ((i - 1)::float8 / e.k) END AS low_ns,
               CASE WHEN i > e.k THEN e.hi ELSE e.lo * (e.top / e.lo) ^ (i::float8 / e.k) END AS high_ns
          FROM e, generate_series(1, e.nb) i
         WHERE e.hi > e.lo OR i = 1
    ), placed AS (
        SELECT CASE WHEN e.hi <= e.lo THEN 1
                    WHEN v.x > e.top THEN e.k + 1
                    WHEN e.top <= e.lo THEN 1
                    ELSE least(greatest(floor(e.k * ln(v.x / e.lo) / ln(e.top / e.lo))::integer + 1, 1), e.k)
               END AS bin,
               v.count
          FROM e, LATERAL (SELECT least(greatest((bk.low_ns + bk.high_ns) / 2.0, e.lo), e.hi)::float8 AS x,
                                  bk.count
                             FROM tasker_bench.hbuckets(h) bk) v
    )
    SELECT ed.bin,
           greatest(ed.low_ns - clock_ns, 0) / 1000.0,
           greatest(CASE WHEN ed.bin = 1 AND (SELECT e.hi <= e.lo FROM e) THEN (SELECT e.hi FROM e)
                         ELSE ed.high_ns END - clock_ns, 0) / 1000.0,
           coalesce((SELECT sum(p.count) FROM placed p WHERE p.bin = ed.bin), 0)::bigint
      FROM edges ed
     ORDER BY ed.bin
$$;

COMMENT ON FUNCTION tasker_bench.report_bins(tasker_bench.histogram, float8, integer) IS
    'Log-spaced bins (us, clock_ns subtracted) of a histogram for reports; the last bin holds the tail above p99 when max > 2 p99';

/*
 * The report of a run as jsonb: the single source of all three formats,
 * so the json one carries every figure of the text and markdown ones.
 * Keys (stable, format_version 1):
 *   format_version
 *   run        {id, kind, what, suite, label, status, started_at, finished_at, duration_s,
 *               error, error_sqlstate, failed_case, cases_done, settings, environment, dataset}
 *   cases      [{case_name, ordinal, category, sql, params, n, warmup_n, min_us, mean_us,
 *                stddev_us, p50_us, p90_us, p95_us, p99_us, p999_us, max_us, ops_per_s,
 *                rows_per_call, clock_ns, plan_us, wall_s, read_only, rolled_back, param_sets,
 *                outliers {low_severe, low_mild, high_mild, high_severe},
 *                histogram_bins [{low_us, high_us, count}],
 *                resources {cpu_user_us, cpu_sys_us, shared_blks_hit, shared_blks_read,
 *                           shared_blks_dirtied, shared_blks_written, temp_blks_read,
 *                           temp_blks_written, wal_records, wal_bytes, wal_fpi} (per call),
 *                counters {name: per call} or null,
 *                phases [{phase, n, mean_us, p50_us, p95_us, p99_us}] or null,
 *                statements [{query, calls, total_ms, mean_us, rows}] (top 5) or null}]
 *   ab         (runs of kind ab) {a_name, b_name, a_sql, b_sql, rounds, iterations, ratio,
 *               ci_low, ci_high, p_value, verdict, noise_threshold_pct, alpha,
 *               a_p50_us, b_p50_us, a_medians_us, b_medians_us,
 *               t_ratio, t_ci_low, t_ci_high, t_p_value}; else null
 *   baseline   (when given) {name, run_id, what, label, started_at, alpha}; else null
 *   comparison (when given) [the columns of tasker_bench_compare]; else null
 *   comparison_skipped (text) why a baseline was given but not compared (a failed run); else null
 */
-- The top nested statements of a case, for reports (tasker_bench.statement_results).
CREATE FUNCTION tasker_bench._report_statements(p_run bigint, p_case text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v jsonb;
BEGIN
    EXECUTE $q$SELECT jsonb_agg(jsonb_build_object('query', s.query, 'calls', s.calls,
                                                   'total_ms', s.total_ms, 'mean_us', s.mean_us,
                                                   'rows', s.rows) ORDER BY s.total_ms DESC)
                 FROM (SELECT * FROM tasker_bench.statement_results
                        WHERE run_id = $1 AND case_name = $2
                        ORDER BY total_ms DESC LIMIT 5) s$q$
      INTO v USING p_run, p_case;
    RETURN v;
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

CREATE FUNCTION tasker_bench._report_json(p_run bigint, p_baseline text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_run tasker_bench.runs;
    v_bl tasker_bench.baselines;
    v_cases jsonb;
    v_ab jsonb;
    v_base jsonb;
    v_cmp jsonb;
    v_skip text;
BEGIN
    IF p_run IS NULL THEN
        p_run := tasker_bench._latest_run(NULL, false);
        IF p_run IS NULL THEN
            RAISE EXCEPTION 'you have no run to report' USING ERRCODE = '42704',
                HINT = 'Run a case or suite first (tasker_bench_run), or pass run_id.';
        END IF;
    END IF;
    SELECT * INTO v_run FROM tasker_bench.runs r WHERE r.id = p_run;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run % does not exist or is not yours', p_run USING ERRCODE = '42704',
            HINT = 'SELECT id, kind, what, label, status FROM tasker_bench.runs ORDER BY id DESC lists your runs.';
    END IF;

    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'case_name', r.case_name, 'ordinal', r.ordinal, 'category', r.category,
               'sql', r.sql, 'params', r.params, 'n', r.n, 'warmup_n', r.warmup_n,
               'min_us', r.min_us, 'mean_us', r.mean_us, 'stddev_us', r.stddev_us,
               'p50_us', r.p50_us, 'p90_us', r.p90_us, 'p95_us', r.p95_us, 'p99_us', r.p99_us,
               'p999_us', r.p999_us, 'max_us', r.max_us, 'ops_per_s', r.ops_per_s,
               'rows_per_call', r.rows_per_call, 'clock_ns', r.clock_ns, 'plan_us', r.plan_us,
               'wall_s', r.wall_s, 'read_only', r.read_only, 'rolled_back', r.rolled_back,
               'param_sets', r.param_sets,
               'outliers', jsonb_build_object('low_severe', r.outliers_low_severe,
                                              'low_mild', r.outliers_low_mild,
                                              'high_mild', r.outliers_high_mild,
                                              'high_severe', r.outliers_high_severe),
               'histogram_bins', (SELECT jsonb_agg(jsonb_build_object('low_us', rb.low_us,
                                                                      'high_us', rb.high_us,
                                                                      'count', rb.count) ORDER BY rb.bin)
                                    FROM tasker_bench.report_bins(r.histogram, r.clock_ns) rb),
               'resources', jsonb_build_object('cpu_user_us', r.cpu_user_us, 'cpu_sys_us', r.cpu_sys_us,
                                               'shared_blks_hit', r.shared_blks_hit,
                                               'shared_blks_read', r.shared_blks_read,
                                               'shared_blks_dirtied', r.shared_blks_dirtied,
                                               'shared_blks_written', r.shared_blks_written,
                                               'temp_blks_read', r.temp_blks_read,
                                               'temp_blks_written', r.temp_blks_written,
                                               'wal_records', r.wal_records, 'wal_bytes', r.wal_bytes,
                                               'wal_fpi', r.wal_fpi),
               'counters', r.counters,
               'phases', (SELECT jsonb_agg(jsonb_build_object('phase', ph.phase, 'n', ph.n,
                                                              'mean_us', ph.mean_us, 'p50_us', ph.p50_us,
                                                              'p95_us', ph.p95_us, 'p99_us', ph.p99_us)
                                           ORDER BY ph.ordinal)
                            FROM tasker_bench.phase_results ph
                           WHERE ph.run_id = r.run_id AND ph.case_name = r.case_name),
               'statements', CASE WHEN to_regclass('tasker_bench.statement_results') IS NOT NULL THEN
                                  tasker_bench._report_statements(r.run_id, r.case_name) END,
               'clients', tasker_bench._report_clients(r.run_id, r.case_name))
               ORDER BY r.ordinal), '[]')
      INTO v_cases
      FROM tasker_bench.results r WHERE r.run_id = p_run;

    SELECT jsonb_build_object('a_name', x.a_name, 'b_name', x.b_name, 'a_sql', x.a_sql, 'b_sql', x.b_sql,
                              'params', x.params, 'rounds', x.rounds, 'iterations', x.iterations,
                              'ratio', x.ratio, 'ci_low', x.ci_low, 'ci_high', x.ci_high,
                              'p_value', x.p_value, 'verdict', x.verdict,
                              'noise_threshold_pct', x.noise_threshold_pct, 'alpha', x.alpha,
                              'a_p50_us', x.a_p50_us, 'b_p50_us', x.b_p50_us,
                              'a_medians_us', x.a_medians_us, 'b_medians_us', x.b_medians_us,
                              't_ratio', x.t_ratio, 't_ci_low', x.t_ci_low, 't_ci_high', x.t_ci_high,
                              't_p_value', x.t_p_value)
      INTO v_ab
      FROM tasker_bench.ab_results x WHERE x.run_id = p_run;

    IF p_baseline IS NOT NULL THEN
        SELECT * INTO v_bl FROM tasker_bench.baselines bl WHERE bl.name = p_baseline AND bl.run_by = current_user;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no baseline named "%"', p_baseline USING ERRCODE = '42704',
                HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines; tasker_bench_baseline(name) names a run.';
        END IF;
        SELECT jsonb_build_object('name', v_bl.name, 'run_id', v_bl.run_id, 'what', r.what,
                                  'label', r.label, 'started_at', r.started_at, 'alpha', 0.05)
          INTO v_base
          FROM tasker_bench.runs r WHERE r.id = v_bl.run_id;
        IF v_run.status = 'completed' THEN
            SELECT coalesce(jsonb_agg(to_jsonb(c)), '[]') INTO v_cmp
              FROM tasker_bench._compare_checked(p_baseline, p_run, NULL, 0.05, NULL) c;
        ELSE
            v_skip := format('run %s %s: nothing to compare', p_run,
                             CASE WHEN v_run.status = 'failed' THEN 'failed' ELSE 'is still running' END);
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'format_version', 1,
        'run', jsonb_build_object(
            'id', v_run.id, 'kind', v_run.kind, 'what', v_run.what, 'suite', v_run.suite,
            'label', v_run.label, 'status', v_run.status, 'started_at', v_run.started_at,
            'finished_at', v_run.finished_at,
            'duration_s', extract(epoch FROM v_run.finished_at - v_run.started_at)::float8,
            'error', v_run.error, 'error_sqlstate', v_run.error_sqlstate,
            'failed_case', v_run.failed_case, 'cases_done', v_run.cases_done,
            'settings', v_run.settings, 'environment', v_run.environment, 'dataset', v_run.dataset),
        'cases', v_cases,
        'ab', v_ab,
        'baseline', v_base,
        'comparison', v_cmp,
        'comparison_skipped', v_skip);
END
$$;
