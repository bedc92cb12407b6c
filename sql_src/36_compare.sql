-- Comparing two runs: tasker_bench_compare (one row per case: change, CI,
-- p, noise floor, verdict and its reason, plan changed) and
-- tasker_bench_compare_plans (both plans), with the per-suite tolerance and
-- noise threshold (tasker_bench_suite_settings).
--
-- Comparisons work on the raw histograms of tasker_bench.results (the clock
-- read cost, results.clock_ns, is not subtracted from them).  The cost is
-- the same tens of nanoseconds for both sides on one machine, so it shifts
-- both medians alike; the *_us figures shown next to the change are the
-- clock-corrected ones of the results.  Against statements of a few
-- hundred nanoseconds the raw change is therefore slightly smaller than the
-- change of the corrected figures.

-- ---------------------------------------------------------------------------
-- Thresholds
-- ---------------------------------------------------------------------------
CREATE FUNCTION tasker_bench._check_pct(p_value float8, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_value IS NOT NULL AND NOT (p_value >= 0 AND p_value < 'Infinity') THEN
        RAISE EXCEPTION '% must be zero or a positive number of percent, got %', p_what, p_value
            USING ERRCODE = '22023', HINT = format('For example %s => 5 for 5 %%.', p_what);
    END IF;
END
$$;

CREATE FUNCTION tasker_bench._check_alpha(p_alpha float8) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_alpha IS NULL OR NOT (p_alpha > 0 AND p_alpha < 1) THEN
        RAISE EXCEPTION 'alpha must be a significance level in (0, 1), got %', coalesce(p_alpha::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'For example alpha => 0.05 (the confidence intervals are then 95 %).';
    END IF;
END
$$;

CREATE FUNCTION tasker_bench_suite_settings(suite text, tolerance_pct float8 DEFAULT NULL,
                                            noise_threshold_pct float8 DEFAULT NULL)
RETURNS tasker_bench.suite_settings
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_suite text := tasker_bench_suite_settings.suite;
    v_tol float8 := tasker_bench_suite_settings.tolerance_pct;
    v_noise float8 := tasker_bench_suite_settings.noise_threshold_pct;
    v_row tasker_bench.suite_settings;
BEGIN
    IF v_suite IS NULL OR v_suite = '' THEN
        RAISE EXCEPTION 'suite must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Name a suite, e.g. tasker_bench_suite_settings(''tasker'', tolerance_pct => 10).';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tasker_bench.cases c
                    WHERE c.suite = v_suite AND (c.builtin OR c.owner = current_user))
       AND NOT EXISTS (SELECT 1 FROM tasker_bench.runs r WHERE r.suite = v_suite AND r.run_by = current_user) THEN
        RAISE EXCEPTION 'no suite named "%"', v_suite USING ERRCODE = '42704',
            HINT = 'SELECT DISTINCT suite FROM tasker_bench.cases lists the suites.';
    END IF;
    PERFORM tasker_bench._check_pct(v_tol, 'tolerance_pct');
    PERFORM tasker_bench._check_pct(v_noise, 'noise_threshold_pct');
    IF v_tol IS NULL AND v_noise IS NULL THEN
        -- nothing left to set: back to the defaults
        DELETE FROM tasker_bench.suite_settings s WHERE s.suite = v_suite AND s.owner = current_user;
        RETURN NULL;
    END IF;
    INSERT INTO tasker_bench.suite_settings AS s (suite, tolerance_pct, noise_threshold_pct)
    VALUES (v_suite, v_tol, v_noise)
    ON CONFLICT (suite, owner) DO UPDATE
       SET tolerance_pct = excluded.tolerance_pct,
           noise_threshold_pct = excluded.noise_threshold_pct,
           updated_at = now()
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION tasker_bench_suite_settings(text, float8, float8) IS
    'Sets (for your role) the tolerance and noise threshold comparisons use for a suite; both NULL removes them';

-- ---------------------------------------------------------------------------
-- Comparison of two runs
-- ---------------------------------------------------------------------------
/*
 * The noise floor of a case learned from its own history: its level in the
 * caller's completed runs of kind 'run' started up to the baseline p_base
 * (the code as it was then: runs after the baseline may hold the very
 * change being judged; an imported baseline keeps its start time, not its
 * run id) that measured the same statement and params (at most the last
 * 20), through tasker_bench.noise_floor (z = 3).  The level is what the
 * comparison compares: the median of its blocks each relative to the probe
 * before it (tasker_bench._relative_level) when every such run has them,
 * else its median in raw ns; so the machine's speed, which a comparison
 * takes out, does not widen the floor.  NULL with fewer than 5 such runs.  Returns the floor and the
 * number of runs it was learned from.
 */
CREATE FUNCTION tasker_bench._relative_level(p_blocks float8[], p_probes float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT exp(percentile_cont(0.5) WITHIN GROUP (ORDER BY ln(u.b / u.p)))
      FROM unnest(p_blocks, p_probes) AS u(b, p)
     WHERE cardinality(p_blocks) >= 5 AND cardinality(p_probes) = cardinality(p_blocks)
       AND u.b > 0 AND u.p > 0
$$;

CREATE FUNCTION tasker_bench._history_floor(p_case text, p_sql text, p_params text, p_base bigint,
                                            OUT floor_pct float8, OUT runs integer)
LANGUAGE sql STABLE AS $$
    -- relative levels when every run has one (never a mix of the two kinds)
    SELECT tasker_bench.noise_floor(CASE WHEN count(h.rel) = count(*) THEN array_agg(h.rel ORDER BY h.run_id)
                                         ELSE array_agg(h.raw ORDER BY h.run_id) END),
           count(*)::integer
      FROM (SELECT row_number() OVER (ORDER BY r.started_at, r.id) AS run_id,
                   tasker_bench._relative_level(x.block_medians_ns, x.probe_medians_ns) AS rel,
                   tasker_bench.percentile(x.histogram, 0.5) AS raw
              FROM tasker_bench.results x
              JOIN tasker_bench.runs r ON r.id = x.run_id
             WHERE x.case_name = p_case AND r.status = 'completed'
               AND r.started_at <= (SELECT b.started_at FROM tasker_bench.runs b WHERE b.id = p_base)
               AND r.kind = 'run' AND x.sql = p_sql AND x.params IS NOT DISTINCT FROM p_params
               AND x.n > 0
             ORDER BY r.started_at DESC, r.id DESC
             LIMIT 20) h
$$;

/* The plan fingerprint a result stored (tasker_bench._explain adds it to the plan). */
CREATE FUNCTION tasker_bench._plan_fingerprint(p_explain jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p_explain) = 'array' THEN p_explain->0->>'Plan Fingerprint' END
$$;

/*
 * One row per case of either run.  Tolerance of a case, first found:
 * p_threshold (the call), cases.tolerance_pct, suite_settings.tolerance_pct,
 * the category default (e2e 10 %, lifecycle 20 %, sql: the noise floor,
 * i.e. "unchanged").  Noise floor: p_noise (the call), else
 * suite_settings.noise_threshold_pct, else the larger of
 * compare_noise_threshold() and the floor learned from the case's own
 * history (tasker_bench._history_floor).  The verdict is tasker_bench.judge
 * of the change (hcompare) against that floor, with the samples of both
 * sides.
 */
CREATE FUNCTION tasker_bench._compare(p_base bigint, p_cur bigint, p_threshold float8,
                                      p_alpha float8, p_noise float8)
RETURNS SETOF tasker_bench.comparison
LANGUAGE sql STABLE AS $$
    WITH j AS (
        SELECT coalesce(c.case_name, bs.case_name) AS case_name,
               CASE WHEN c.case_name IS NOT NULL THEN c.ordinal ELSE 1000000 + bs.ordinal END AS ord,
               coalesce(c.category, bs.category) AS category,
               coalesce(c.suite, bs.suite) AS suite,
               bs.histogram AS bh, c.histogram AS ch,
               bs.block_medians_ns AS bblocks, c.block_medians_ns AS cblocks,
               bs.probe_medians_ns AS bprobes, c.probe_medians_ns AS cprobes,
               bs.p50_us AS b50, c.p50_us AS c50, bs.p95_us AS b95, c.p95_us AS c95,
               bs.p99_us AS b99, c.p99_us AS c99, bs.mean_us AS bmean, c.mean_us AS cmean,
               bs.n AS bn, c.n AS cn, c.sql AS csql, c.params AS cparams,
               bs.sql <> c.sql AS sql_changed,
               bs.params IS DISTINCT FROM c.params AS params_changed,
               CASE WHEN tasker_bench._plan_fingerprint(bs.explain) IS NOT NULL
                     AND tasker_bench._plan_fingerprint(c.explain) IS NOT NULL
                    THEN tasker_bench._plan_fingerprint(bs.explain)
                         <> tasker_bench._plan_fingerprint(c.explain) END AS plan_changed
          FROM (SELECT * FROM tasker_bench.results r WHERE r.run_id = p_base) bs
          FULL JOIN (SELECT * FROM tasker_bench.results r WHERE r.run_id = p_cur) c
            ON c.case_name = bs.case_name
    ), runs AS (
        SELECT (SELECT r.suite FROM tasker_bench.runs r WHERE r.id = p_base) AS bsuite,
               (SELECT r.suite FROM tasker_bench.runs r WHERE r.id = p_cur) AS csuite
    ), t AS (
        SELECT j.*, runs.bsuite, runs.csuite, hf.floor_pct AS hfloor, hf.runs AS hruns,
               ss.noise_threshold_pct AS suite_noise,
               cs.tolerance_pct AS case_tol, ss.tolerance_pct AS suite_tol
          FROM j CROSS JOIN runs
          LEFT JOIN tasker_bench.cases cs ON cs.name = j.case_name
          LEFT JOIN tasker_bench.suite_settings ss ON ss.suite = j.suite AND ss.owner = current_user
          LEFT JOIN LATERAL tasker_bench._history_floor(j.case_name, j.csql, j.cparams, p_base) hf
            ON p_noise IS NULL AND j.bh IS NOT NULL AND j.ch IS NOT NULL
    ), f AS (
        SELECT t.*,
               CASE WHEN p_noise IS NOT NULL THEN p_noise
                    WHEN t.suite_noise IS NOT NULL THEN t.suite_noise
                    ELSE greatest(tasker_bench.compare_noise_threshold(), t.hfloor) END AS noise,
               CASE WHEN p_noise IS NOT NULL THEN 'call'
                    WHEN t.suite_noise IS NOT NULL THEN 'suite'
                    WHEN t.hfloor > tasker_bench.compare_noise_threshold()
                    THEN format('history (%s runs)', t.hruns)
                    ELSE 'default' END AS noise_from
          FROM t
    ), g AS (
        SELECT f.*,
               CASE WHEN p_threshold IS NOT NULL THEN p_threshold
                    WHEN f.case_tol IS NOT NULL THEN f.case_tol
                    WHEN f.suite_tol IS NOT NULL THEN f.suite_tol
                    ELSE tasker_bench._category_tolerance(f.category, f.noise) END AS tol,
               CASE WHEN p_threshold IS NOT NULL THEN 'call'
                    WHEN f.case_tol IS NOT NULL THEN 'case'
                    WHEN f.suite_tol IS NOT NULL THEN 'suite'
                    ELSE 'category' END AS tol_from
          FROM f
    ), v AS (
        -- figures, verdict and tolerance met: tbs_compare_case, as the client's offline compare
        SELECT g.*, cc.change_pct, cc.ci_low_pct, cc.ci_high_pct, cc.p_value, cc.verdict, cc.reason,
               cc.within_tolerance
          FROM g
          LEFT JOIN LATERAL tasker_bench._compare_case(g.bh, g.ch, g.noise, p_alpha, g.tol, g.bn, g.cn,
                                                       g.bblocks, g.cblocks, g.bprobes, g.cprobes) cc
            ON g.bh IS NOT NULL AND g.ch IS NOT NULL
    )
    SELECT ROW(v.case_name, v.b50, v.c50, v.change_pct, v.ci_low_pct, v.ci_high_pct, v.p_value,
               CASE WHEN v.bh IS NULL THEN 'added' WHEN v.ch IS NULL THEN 'removed' ELSE v.verdict END,
               v.within_tolerance, v.tol,
               v.b95, v.c95, v.b99, v.c99, v.bmean, v.cmean,
               v.change_pct > 20.0, v.category, v.tol_from, tasker_bench.round_figure(v.noise),
               p_base, p_cur,
               CASE WHEN v.bh IS NULL THEN 'only in the current run'
                    WHEN v.ch IS NULL THEN 'only in the baseline' ELSE v.reason END,
               v.noise_from, v.bn, v.cn, v.plan_changed, v.sql_changed, v.params_changed, v.bsuite,
               nullif(concat_ws('; ',
                          CASE WHEN v.plan_changed THEN 'plan changed' END,
                          CASE WHEN v.sql_changed THEN 'SQL changed' END,
                          CASE WHEN v.params_changed THEN 'params changed' END,
                          CASE WHEN v.bsuite IS DISTINCT FROM v.csuite
                               THEN format('baseline from suite %s', coalesce(v.bsuite, '(none)')) END),
                      '')
           )::tasker_bench.comparison
      FROM v
     ORDER BY v.ord, v.case_name
$$;

CREATE FUNCTION tasker_bench._compare_checked(p_baseline text, p_run bigint, p_threshold float8,
                                              p_alpha float8, p_noise float8)
RETURNS SETOF tasker_bench.comparison
LANGUAGE plpgsql AS $$
DECLARE
    v_bl tasker_bench.baselines;
    v_base tasker_bench.runs;
    v_cur bigint := p_run;
BEGIN
    IF p_baseline IS NULL THEN
        RAISE EXCEPTION 'baseline must name a baseline, not NULL' USING ERRCODE = '22004',
            HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines.';
    END IF;
    PERFORM tasker_bench._check_pct(p_threshold, 'threshold_pct');
    PERFORM tasker_bench._check_pct(p_noise, 'noise_threshold_pct');
    PERFORM tasker_bench._check_alpha(p_alpha);
    SELECT * INTO v_bl FROM tasker_bench.baselines bl WHERE bl.name = p_baseline AND bl.run_by = current_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no baseline named "%"', p_baseline USING ERRCODE = '42704',
            HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines; tasker_bench_baseline(name) names a run.';
    END IF;
    v_base := tasker_bench._completed_run(v_bl.run_id, format('baseline "%s": run', p_baseline));
    IF v_cur IS NULL THEN
        -- your latest completed run of the same case or suite
        v_cur := tasker_bench._latest_run(v_base.what, true);
    ELSE
        PERFORM tasker_bench._completed_run(v_cur, 'run');
    END IF;
    IF v_cur = v_base.id THEN
        RAISE EXCEPTION 'run % is the baseline "%" itself', v_cur, p_baseline USING ERRCODE = '22023',
            HINT = format('Run "%s" again (tasker_bench_run) and compare that run, or pass another run_id.', v_base.what);
    END IF;
    RETURN QUERY SELECT * FROM tasker_bench._compare(v_base.id, v_cur, p_threshold, p_alpha, p_noise);
END
$$;

CREATE FUNCTION tasker_bench_compare(
    baseline text, run_id bigint DEFAULT NULL, threshold_pct float8 DEFAULT NULL,
    alpha float8 DEFAULT 0.05, noise_threshold_pct float8 DEFAULT NULL)
RETURNS SETOF tasker_bench.comparison
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM tasker_bench._compare_checked(baseline, run_id, threshold_pct, alpha, noise_threshold_pct)
$$;

COMMENT ON FUNCTION tasker_bench_compare(text, bigint, float8, float8, float8) IS
    'Compares a run (default: your latest completed run of the baseline''s case or suite) with a baseline. '
    'Per case: the change of the median as the Hodges-Lehmann shift of the two runs'' block medians (each '
    'relative to the probe timed before it; without blocks, the medians of the histograms with a delta-method '
    'interval), its interval (1 - alpha) and Mann-Whitney p-value; the verdict (tasker_bench.judge) against '
    'the case''s noise floor (noise_threshold_pct from the call, the suite, else the larger of '
    'tasker_bench.compare_noise_threshold and the case''s run-to-run spread in its history) with its reason: '
    'regressed/improved only when the whole interval lies beyond the floor and the change in time alone '
    '(blocks without probes) is judged the same, else inconclusive; inconclusive below 30 samples a side; '
    'plan, SQL, params and suite changes; tolerance met. '
    'threshold_pct overrides every tolerance, noise_threshold_pct the noise floor';

/*
 * Both plans of the cases of a comparison (or of one case): the plan
 * shapes, their fingerprints and the stored EXPLAIN of each side.
 */
CREATE FUNCTION tasker_bench_compare_plans(baseline text, run_id bigint DEFAULT NULL,
                                           only_case text DEFAULT NULL)
RETURNS TABLE (case_name text, plan_changed boolean, baseline_shape text, current_shape text,
               baseline_fingerprint text, current_fingerprint text,
               baseline_explain jsonb, current_explain jsonb)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    v_cmp record;
BEGIN
    SELECT c.baseline_run_id AS b, c.current_run_id AS r INTO v_cmp
      FROM tasker_bench._compare_checked(tasker_bench_compare_plans.baseline,
                                         tasker_bench_compare_plans.run_id, NULL, 0.05, 0) c
     LIMIT 1;
    RETURN QUERY
    SELECT coalesce(c.case_name, b.case_name),
           tasker_bench._plan_fingerprint(b.explain) <> tasker_bench._plan_fingerprint(c.explain),
           b.explain->0->>'Plan Shape', c.explain->0->>'Plan Shape',
           tasker_bench._plan_fingerprint(b.explain), tasker_bench._plan_fingerprint(c.explain),
           b.explain, c.explain
      FROM (SELECT * FROM tasker_bench.results x WHERE x.run_id = v_cmp.b) b
      FULL JOIN (SELECT * FROM tasker_bench.results x WHERE x.run_id = v_cmp.r) c
        ON c.case_name = b.case_name
     WHERE tasker_bench_compare_plans.only_case IS NULL
        OR coalesce(c.case_name, b.case_name) = tasker_bench_compare_plans.only_case
     ORDER BY coalesce(c.ordinal, 1000000 + b.ordinal);
END
$$;

COMMENT ON FUNCTION tasker_bench_compare_plans(text, bigint, text) IS
    'Both plans of each case (or of only_case) of a comparison with a baseline: plan shapes (every plan the '
    'execution started, nested statements included, without costs), fingerprints and the stored EXPLAIN';
