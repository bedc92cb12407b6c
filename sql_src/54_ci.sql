-- For CI: dashboard output and assertions for users' tests.
--   tasker_bench_dashboard(run_id, format)      github-action-benchmark or Bencher (BMF) JSON
--   tasker_bench.within(what, quantile, max_us) true when every case's quantile is within max_us
--   tasker_bench.no_regression(what, baseline)  true when no case regressed against the baseline
--   tasker_bench.assert_within / assert_no_regression: the same, raising an error instead of false

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
