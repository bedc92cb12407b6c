-- Baselines, comparisons of two runs, interleaved A/B runs and reports.
--
--   tasker_bench_baseline(name, run_id, move)         name a run (e.g. 'pre-refactor')
--   tasker_bench_drop_baseline(name)                  remove a name (the run stays)
--   tasker_bench_suite_settings(suite, ...)           tolerance / noise threshold of a suite
--   tasker_bench_compare(baseline, run_id, ...)       one row per case: change, CI, p, verdict
--   tasker_bench_ab(a, b, ...)                        two statements in alternating rounds
--   tasker_bench_report(run_id, baseline, format)     text, markdown or json
--
-- Comparisons work on the raw histograms of tasker_bench.results (the clock
-- read cost, results.clock_ns, is not subtracted from them).  The cost is
-- the same tens of nanoseconds for both sides on one machine, so it shifts
-- both medians alike; the *_us figures shown next to the change are the
-- clock-corrected ones of the results.  Against statements of a few
-- hundred nanoseconds the raw change is therefore slightly smaller than the
-- change of the corrected figures.

-- ---------------------------------------------------------------------------
-- Settings
-- ---------------------------------------------------------------------------

/*
 * The noise threshold (percent) below which a change counts as unchanged:
 * the setting tasker_bench.noise_threshold (default 2).
 */
CREATE FUNCTION tasker_bench.default_noise_threshold() RETURNS float8
LANGUAGE sql STABLE AS $$
    SELECT tasker_bench.noise_threshold()
$$;
COMMENT ON FUNCTION tasker_bench.default_noise_threshold() IS
    'Noise threshold in percent for verdicts: the setting tasker_bench.noise_threshold, else 2';

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE tasker_bench.baselines (
    name        text PRIMARY KEY CHECK (name <> ''),
    -- RESTRICT: a run a baseline names cannot be deleted (retention, by hand)
    run_id      bigint NOT NULL REFERENCES tasker_bench.runs (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now(),
    moved_at    timestamptz,
    run_by      name NOT NULL DEFAULT current_user
);
CREATE INDEX ON tasker_bench.baselines (run_id);
COMMENT ON TABLE tasker_bench.baselines IS
    'Named runs to compare against (tasker_bench_baseline); a run named here cannot be deleted';

CREATE TABLE tasker_bench.suite_settings (
    suite       text NOT NULL CHECK (suite <> ''),
    tolerance_pct float8 CHECK (tolerance_pct >= 0 AND tolerance_pct < 'Infinity'),
    noise_threshold_pct float8 CHECK (noise_threshold_pct >= 0 AND noise_threshold_pct < 'Infinity'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    owner       name NOT NULL DEFAULT current_user,
    PRIMARY KEY (suite, owner)
);
COMMENT ON TABLE tasker_bench.suite_settings IS
    'Per suite (and role): the tolerance and the noise threshold of comparisons (tasker_bench_suite_settings)';

CREATE TABLE tasker_bench.ab_results (
    run_id      bigint PRIMARY KEY REFERENCES tasker_bench.runs (id) ON DELETE CASCADE,
    a_name      text NOT NULL,
    b_name      text NOT NULL,
    a_sql       text NOT NULL,
    b_sql       text NOT NULL,
    params      text,
    search_path text,
    rounds      integer NOT NULL CHECK (rounds > 0),
    iterations  bigint NOT NULL CHECK (iterations > 0),
    a_p50_us    float8,
    b_p50_us    float8,
    ratio       float8,
    ci_low      float8,
    ci_high     float8,
    p_value     float8,
    verdict     text NOT NULL CHECK (verdict IN ('improved', 'regressed', 'unchanged', 'inconclusive')),
    noise_threshold_pct float8 NOT NULL,
    alpha       float8 NOT NULL,
    a_medians_us float8[] NOT NULL,
    b_medians_us float8[] NOT NULL,
    -- the same from the mean of the log ratios, Student's t (not robust to disturbed rounds)
    t_ratio     float8,
    t_ci_low    float8,
    t_ci_high   float8,
    t_p_value   float8,
    run_by      name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE tasker_bench.ab_results IS
    'Outcome of an interleaved A/B run (tasker_bench_ab): ratio b/a of the medians, its CI, p-value, verdict, per-round medians';
COMMENT ON COLUMN tasker_bench.ab_results.ratio IS
    'b/a: exp of the Hodges-Lehmann estimate of the per-round log(median b / median a), clock read cost subtracted';
COMMENT ON COLUMN tasker_bench.ab_results.ci_low IS
    'Confidence interval (1 - alpha) of ratio from the Wilcoxon signed-rank statistic; NULL with too few rounds (< 6 at 95 %)';
COMMENT ON COLUMN tasker_bench.ab_results.p_value IS
    'Two-sided Wilcoxon signed-rank test of the per-round log ratios against 0';
COMMENT ON COLUMN tasker_bench.ab_results.t_ratio IS
    'exp of the mean per-round log ratio; t_ci_* its Student t interval, t_p_value the one-sample t-test (for comparison)';

ALTER TABLE tasker_bench.baselines ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.suite_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.ab_results ENABLE ROW LEVEL SECURITY;

-- a baseline may only name a run its role can see
CREATE POLICY baselines_own ON tasker_bench.baselines FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
CREATE POLICY suite_settings_own ON tasker_bench.suite_settings FOR ALL
    USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY ab_results_own ON tasker_bench.ab_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.baselines', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.suite_settings', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.ab_results', '');

-- Row types of the user-facing functions (their argument names would clash
-- with output columns of the same name in RETURNS TABLE).
CREATE TYPE tasker_bench.baseline_info AS (
    name            text,
    run_id          bigint,
    previous_run_id bigint,         -- where a moved name pointed before; NULL otherwise
    what            text,
    label           text,
    run_started_at  timestamptz,
    created_at      timestamptz,
    moved_at        timestamptz
);

CREATE TYPE tasker_bench.comparison AS (
    case_name         text,
    baseline_p50_us   float8,
    current_p50_us    float8,
    change_pct        float8,       -- of the median, from the raw histograms
    ci_low_pct        float8,
    ci_high_pct       float8,
    p_value           float8,       -- Mann-Whitney, two-sided
    verdict           text,         -- improved, regressed, unchanged, inconclusive, added, removed
    within_tolerance  boolean,      -- change_pct <= tolerance_pct
    tolerance_pct     float8,
    baseline_p95_us   float8,
    current_p95_us    float8,
    baseline_p99_us   float8,
    current_p99_us    float8,
    baseline_mean_us  float8,
    current_mean_us   float8,
    regression_signal boolean,      -- change_pct > 20
    category          text,
    tolerance_from    text,         -- call, case, suite or category
    noise_threshold_pct float8,     -- the noise floor of this case's verdict
    baseline_run_id   bigint,
    current_run_id    bigint,
    verdict_reason    text,         -- why the verdict (tasker_bench.judge)
    noise_floor_from  text,         -- call, suite, history (k runs) or default
    baseline_n        bigint,       -- samples behind each side
    current_n         bigint,
    plan_changed      boolean,      -- plan fingerprints differ (NULL: not captured)
    sql_changed       boolean,      -- the case's statement differs from the baseline's
    params_changed    boolean,      -- its params query differs
    baseline_suite    text,         -- suite of the baseline run
    notes             text          -- plan changed; SQL changed; params changed; baseline from suite x
);

CREATE TYPE tasker_bench.ab_outcome AS (
    run_id      bigint,
    a_p50_us    float8,
    b_p50_us    float8,
    ratio       float8,
    ci_low      float8,
    ci_high     float8,
    p_value     float8,
    verdict     text,
    rounds      integer,
    noise_threshold_pct float8
);

-- ---------------------------------------------------------------------------
-- Statistics
-- ---------------------------------------------------------------------------

-- The statistics of the A/B are those of src/stats.c (sql_src/20_stats.sql):
-- tasker_bench.signed_rank (Hodges-Lehmann, Wilcoxon signed rank),
-- tasker_bench.mean_ci and tasker_bench.t_test_p (Student t) and
-- tasker_bench.verdict (the verdict rule of tasker_bench.hcompare).


-- ---------------------------------------------------------------------------
-- Finding runs
-- ---------------------------------------------------------------------------

/* The caller's latest run (of what, when given), completed ones only if asked. */
CREATE FUNCTION tasker_bench._latest_run(p_what text, p_completed boolean) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT r.id FROM tasker_bench.runs r
     WHERE r.run_by = current_user
       AND (p_what IS NULL OR r.what = p_what)
       AND (NOT p_completed OR r.status = 'completed')
     ORDER BY r.id DESC
     LIMIT 1
$$;

/* A run that exists, is visible, and completed; else a clear error. */
CREATE FUNCTION tasker_bench._completed_run(p_run bigint, p_role text) RETURNS tasker_bench.runs
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_run tasker_bench.runs;
BEGIN
    SELECT * INTO v_run FROM tasker_bench.runs r WHERE r.id = p_run;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% % does not exist or is not yours', p_role, p_run USING ERRCODE = '42704',
            HINT = 'SELECT id, kind, what, label, status FROM tasker_bench.runs ORDER BY id DESC lists your runs.';
    END IF;
    IF v_run.status = 'failed' THEN
        RAISE EXCEPTION '% % failed, it has no results to compare', p_role, p_run
            USING ERRCODE = '55000',
                  DETAIL = format('Case "%s" failed: %s', v_run.failed_case, v_run.error),
                  HINT = 'Use a completed run; tasker_bench_report(run_id) shows the failure.';
    END IF;
    IF v_run.status <> 'completed' THEN
        RAISE EXCEPTION '% % is still running', p_role, p_run USING ERRCODE = '55000',
            HINT = 'Wait for it to finish, or use another run.';
    END IF;
    RETURN v_run;
END
$$;

-- ---------------------------------------------------------------------------
-- Baselines
-- ---------------------------------------------------------------------------

CREATE FUNCTION tasker_bench._baseline_info(p_name text, p_previous bigint)
RETURNS tasker_bench.baseline_info
LANGUAGE sql STABLE AS $$
    SELECT ROW(bl.name, bl.run_id, p_previous, r.what, r.label, r.started_at,
               bl.created_at, bl.moved_at)::tasker_bench.baseline_info
      FROM tasker_bench.baselines bl JOIN tasker_bench.runs r ON r.id = bl.run_id
     WHERE bl.name = p_name
$$;

CREATE FUNCTION tasker_bench_baseline(name text, run_id bigint DEFAULT NULL, move boolean DEFAULT false)
RETURNS tasker_bench.baseline_info
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_name text := tasker_bench_baseline.name;
    v_run_id bigint := tasker_bench_baseline.run_id;
    v_move boolean := coalesce(tasker_bench_baseline.move, false);
    v_run tasker_bench.runs;
    v_old tasker_bench.baselines;
BEGIN
    IF v_name IS NULL OR v_name = '' THEN
        RAISE EXCEPTION 'baseline name must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Name the run, e.g. tasker_bench_baseline(''pre-refactor'').';
    END IF;
    IF v_run_id IS NULL THEN
        v_run_id := tasker_bench._latest_run(NULL, true);
        IF v_run_id IS NULL THEN
            RAISE EXCEPTION 'you have no completed run to name "%"', v_name USING ERRCODE = '42704',
                HINT = 'Run a case or suite first (tasker_bench_run), or pass run_id.';
        END IF;
    END IF;
    v_run := tasker_bench._completed_run(v_run_id, 'run');
    IF v_run.run_by <> current_user THEN
        RAISE EXCEPTION 'run % is not yours', v_run.id USING ERRCODE = '42501',
            HINT = 'A baseline names one of your own runs.';
    END IF;

    SELECT * INTO v_old FROM tasker_bench.baselines bl WHERE bl.name = v_name AND bl.run_by = current_user;
    IF FOUND THEN
        IF v_old.run_id = v_run.id THEN
            RETURN tasker_bench._baseline_info(v_name, NULL);
        END IF;
        IF NOT v_move THEN
            RAISE EXCEPTION 'baseline "%" already names run %', v_name, v_old.run_id
                USING ERRCODE = '42710',
                      HINT = format('Pass move => true to point it at run %s, or choose another name.', v_run.id);
        END IF;
    END IF;

    BEGIN
        IF v_old.name IS NOT NULL THEN
            UPDATE tasker_bench.baselines bl SET run_id = v_run.id, moved_at = now()
             WHERE bl.name = v_name AND bl.run_by = current_user;
        ELSE
            INSERT INTO tasker_bench.baselines (name, run_id) VALUES (v_name, v_run.id);
        END IF;
    EXCEPTION
        WHEN unique_violation THEN
            RAISE EXCEPTION 'baseline name "%" is taken by another role', v_name USING ERRCODE = '42710',
                HINT = 'Baseline names are shared by all roles; choose another name.';
        WHEN foreign_key_violation OR restrict_violation THEN
            RAISE EXCEPTION 'run % was deleted (tasker_bench_prune?) while the baseline was being made', v_run.id
                USING ERRCODE = '40001', HINT = 'Name another run.';
    END;
    IF v_old.name IS NOT NULL THEN
        RETURN tasker_bench._baseline_info(v_name, v_old.run_id);
    END IF;
    RETURN tasker_bench._baseline_info(v_name, NULL);
END
$$;
COMMENT ON FUNCTION tasker_bench_baseline(text, bigint, boolean) IS
    'Names a completed run (default: your latest) as a baseline; move => true points an existing name at another run';

CREATE FUNCTION tasker_bench_drop_baseline(name text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tasker_bench.baselines bl
     WHERE bl.name = tasker_bench_drop_baseline.name AND bl.run_by = current_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no baseline of yours is named "%"', name USING ERRCODE = '42704',
            HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines.';
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION tasker_bench_drop_baseline(text) IS
    'Removes a baseline name (the run itself stays)';

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
 * The noise floor of a case learned from its own history: its median (raw
 * ns) in the caller's completed runs of kind 'run' started up to the
 * baseline p_base (the code as it was then: runs after the baseline may
 * hold the very change being judged; an imported baseline keeps its start
 * time, not its run id) that measured the same statement and
 * params (at most the last 20), through
 * tasker_bench.noise_floor (z = 3).  NULL with fewer than 5 such runs.
 * Returns the floor and the number of runs it was learned from.
 */
CREATE FUNCTION tasker_bench._history_floor(p_case text, p_sql text, p_params text, p_base bigint,
                                            OUT floor_pct float8, OUT runs integer)
LANGUAGE sql STABLE AS $$
    SELECT tasker_bench.noise_floor(array_agg(h.level ORDER BY h.run_id)), count(*)::integer
      FROM (SELECT row_number() OVER (ORDER BY r.started_at, r.id) AS run_id,
                   tasker_bench.percentile(x.histogram, 0.5) AS level
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
    'tasker_bench.compare_noise_threshold and the case''s run-to-run spread in its history) with its reason, '
    'inconclusive below 30 samples a side; plan, SQL, params and suite changes; tolerance met. '
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

-- ---------------------------------------------------------------------------
-- Interleaved A/B
-- ---------------------------------------------------------------------------

/*
 * One side of an A/B as a results row and its phase rows: the histograms
 * of all rounds merged and summarised (clock read cost: the mean of the
 * rounds' calibrations), the per-call figures of the rounds (resource use,
 * counters) averaged, wall_s summed.
 */
CREATE FUNCTION tasker_bench._ab_side(
    p_run bigint, p_name text, p_ordinal integer, p_sql text, p_params text,
    p_hists tasker_bench.histogram[], p_rounds jsonb[], p_warmup_n bigint,
    p_phase_names text[], p_phase_hists tasker_bench.histogram[], p_explain jsonb,
    OUT result tasker_bench.results, OUT phases tasker_bench.phase_results[])
LANGUAGE plpgsql AS $$
DECLARE
    v_h tasker_bench.histogram;
    v_avg jsonb;
    v_counters jsonb;
    v_clock float8;
    v_last jsonb := p_rounds[cardinality(p_rounds)];
BEGIN
    SELECT tasker_bench.histogram_merge(x) INTO v_h FROM unnest(p_hists) x;
    SELECT jsonb_object_agg(e.key, e.v) INTO v_avg
      FROM (SELECT f.key, avg((f.value #>> '{}')::float8) AS v
              FROM unnest(p_rounds) x, jsonb_each(x) f
             WHERE jsonb_typeof(f.value) = 'number'
             GROUP BY f.key) e;
    SELECT jsonb_object_agg(e.key, e.v) INTO v_counters
      FROM (SELECT f.key, avg((f.value #>> '{}')::float8) AS v
              FROM unnest(p_rounds) x, jsonb_each(CASE WHEN jsonb_typeof(x->'counters') = 'object'
                                                       THEN x->'counters' ELSE '{}' END) f
             WHERE jsonb_typeof(f.value) = 'number'
             GROUP BY f.key) e;
    v_clock := (v_avg->>'clock_ns')::float8;
    result := jsonb_populate_record(NULL::tasker_bench.results,
                  coalesce(v_avg, '{}')
                  || to_jsonb(tasker_bench.hsummary(v_h, v_clock))
                  || jsonb_build_object(
                         'run_id', p_run, 'case_name', p_name, 'ordinal', p_ordinal,
                         'suite', NULL, 'category', 'sql', 'sql', p_sql, 'params', p_params,
                         'warmup_n', p_warmup_n,
                         'wall_s', (SELECT sum((x->>'wall_s')::float8) FROM unnest(p_rounds) x),
                         'param_sets', v_last->'param_sets', 'read_only', v_last->'read_only',
                         'rolled_back', v_last->'rolled_back', 'counters', v_counters,
                         'explain', p_explain, 'run_by', current_user));
    result.histogram := v_h;
    phases := ARRAY(
        SELECT jsonb_populate_record(NULL::tasker_bench.phase_results,
                   jsonb_build_object('run_id', p_run, 'case_name', p_name, 'phase', q.name,
                                      'ordinal', row_number() OVER (ORDER BY q.first),
                                      'histogram', q.h::text, 'run_by', current_user)
                   || tasker_bench._phase_figures(q.h))
          FROM (SELECT p.name, min(p.ord) AS first, tasker_bench.histogram_merge(p.h) AS h
                  FROM unnest(p_phase_names, p_phase_hists) WITH ORDINALITY AS p(name, h, ord)
                 GROUP BY p.name) q
         ORDER BY q.first);
END
$$;

/* 'a', or 'a ("old")' when the side has a name of its own (for messages). */
CREATE FUNCTION tasker_bench._ab_side_name(p_side integer, p_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_name = chr(96 + p_side) THEN p_name
                ELSE format('%s ("%s")', chr(96 + p_side), p_name) END
$$;

CREATE FUNCTION tasker_bench_ab(
    a text, b text, params text DEFAULT NULL, rounds integer DEFAULT 20,
    iterations bigint DEFAULT 2000, warmup interval DEFAULT '100 milliseconds',
    label text DEFAULT NULL, rollback boolean DEFAULT NULL, search_path text DEFAULT NULL,
    a_name text DEFAULT 'a', b_name text DEFAULT 'b',
    noise_threshold_pct float8 DEFAULT NULL, alpha float8 DEFAULT 0.05,
    driver text DEFAULT 'executor', a_options jsonb DEFAULT NULL, b_options jsonb DEFAULT NULL)
RETURNS tasker_bench.ab_outcome
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_sql       text[] := ARRAY[tasker_bench_ab.a, tasker_bench_ab.b];
    v_names     text[] := ARRAY[tasker_bench_ab.a_name, tasker_bench_ab.b_name];
    v_params    text := tasker_bench_ab.params;
    v_rounds    integer := tasker_bench_ab.rounds;
    v_iter      bigint := tasker_bench_ab.iterations;
    v_warmup    interval := tasker_bench_ab.warmup;
    v_label     text := tasker_bench_ab.label;
    v_rollback  boolean := tasker_bench_ab.rollback;
    v_path_arg  text := tasker_bench_ab.search_path;
    v_alpha     float8 := tasker_bench_ab.alpha;
    v_noise     float8 := tasker_bench_ab.noise_threshold_pct;
    v_driver    text := tasker_bench_ab.driver;
    v_case      tasker_bench.cases[];      -- the two sides as cases (driver, options, params)
    v_run       bigint;
    v_started   timestamptz;
    v_env       jsonb;
    v_path      text;
    v_order     integer[];
    v_side      integer;
    v_m         tasker_bench.measurement;
    v_state     text;
    v_msg       text;
    v_detail    text;
    v_hint      text;
    -- side 1 = a, 2 = b; per round, in round order
    v_hists_a   tasker_bench.histogram[] := '{}';
    v_hists_b   tasker_bench.histogram[] := '{}';
    v_rounds_a  jsonb[] := '{}';
    v_rounds_b  jsonb[] := '{}';
    v_pn_a      text[] := '{}';
    v_pn_b      text[] := '{}';
    v_ph_a      tasker_bench.histogram[] := '{}';
    v_ph_b      tasker_bench.histogram[] := '{}';
    v_med_a     float8[] := '{}';          -- per-round medians in us, clock read cost subtracted
    v_med_b     float8[] := '{}';
    v_med       float8;
    v_warm_n    bigint[] := ARRAY[0, 0];
    v_explain   jsonb[] := ARRAY[NULL, NULL]::jsonb[];
    v_side_a    record;
    v_side_b    record;
    v_lr        float8[];                  -- per-round log(median b / median a)
    v_t         record;
    v_t_p       float8;
    v_sr        record;
    v_p         float8;
    v_ratio     float8;
    v_lo        float8;
    v_hi        float8;
    v_verdict   text;
BEGIN
    IF v_sql[1] IS NULL OR v_sql[2] IS NULL THEN
        RAISE EXCEPTION 'statement % of the A/B is NULL', CASE WHEN v_sql[1] IS NULL THEN 'a' ELSE 'b' END
            USING ERRCODE = '22004',
                  HINT = 'Give two statements, e.g. tasker_bench_ab(''SELECT f_old($1)'', ''SELECT f_new($1)'', params => ...).';
    END IF;
    IF v_rounds IS NULL OR v_rounds <= 0 THEN
        RAISE EXCEPTION 'rounds must be positive, got %', coalesce(v_rounds::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'For example rounds => 20: each round measures both statements, alternating which goes first.';
    END IF;
    IF v_iter IS NULL OR v_iter <= 0 THEN
        RAISE EXCEPTION 'iterations must be positive, got %', coalesce(v_iter::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'iterations counts per statement and round, for example iterations => 2000.';
    END IF;
    PERFORM tasker_bench._check_budget(v_iter, NULL, v_warmup);
    IF v_names[1] IS NULL OR v_names[1] = '' OR v_names[2] IS NULL OR v_names[2] = ''
       OR v_names[1] = v_names[2] THEN
        RAISE EXCEPTION 'a_name and b_name must be two different non-empty names' USING ERRCODE = '22023',
            HINT = 'Leave them out to store the two results as ''a'' and ''b''.';
    END IF;
    PERFORM tasker_bench._check_pct(v_noise, 'noise_threshold_pct');
    PERFORM tasker_bench._check_alpha(v_alpha);
    v_noise := coalesce(v_noise, tasker_bench.default_noise_threshold());
    v_warmup := coalesce(v_warmup, interval '0');
    PERFORM tasker_bench._check_driver(v_driver);
    FOR v_side IN 1 .. 2 LOOP
        v_case[v_side] := jsonb_populate_record(NULL::tasker_bench.cases, jsonb_build_object(
            'name', v_names[v_side], 'sql', v_sql[v_side], 'params', v_params, 'driver', v_driver,
            'options', CASE v_side WHEN 1 THEN tasker_bench_ab.a_options ELSE tasker_bench_ab.b_options END,
            'search_path', v_path_arg, 'rollback', v_rollback, 'category', 'sql'));
    END LOOP;

    v_started := clock_timestamp();
    v_env := tasker_bench._environment();
    v_path := tasker_bench._set_search_path(v_path_arg);

    PERFORM tasker_bench._enter_run();
    -- both statements and the params must be usable before anything runs
    FOR v_side IN 1 .. 2 LOOP
        BEGIN
            PERFORM tasker_bench._validate_driver(v_driver, v_sql[v_side], v_params, v_case[v_side].options);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                    v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
            RAISE EXCEPTION 'A/B statement %: %', tasker_bench._ab_side_name(v_side, v_names[v_side]), v_msg
                USING ERRCODE = v_state, DETAIL = v_detail, HINT = v_hint;
        END;
    END LOOP;

    PERFORM tasker_bench._mark_interrupted_runs();
    v_run := nextval('tasker_bench.runs_id_seq');
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: A/B run % of "%" vs "%": % rounds of % iterations each, backend PID %',
            v_run, v_names[1], v_names[2], v_rounds, v_iter, pg_backend_pid();
    END IF;

    -- round 0 warms both up (not recorded); rounds 1.. alternate the order: a b, b a, ...
    FOR v_r IN 0 .. v_rounds LOOP
        IF v_r = 0 AND v_warmup = interval '0' THEN
            CONTINUE;
        END IF;
        v_order := CASE WHEN v_r > 0 AND v_r % 2 = 0 THEN ARRAY[2, 1] ELSE ARRAY[1, 2] END;
        FOREACH v_side IN ARRAY v_order LOOP
            BEGIN
                v_m := tasker_bench._measure_once(v_case[v_side],
                                                  CASE WHEN v_r = 0 THEN 1 ELSE v_iter END, NULL,
                                                  CASE WHEN v_r = 0 THEN v_warmup ELSE interval '0' END,
                                                  NULL,
                                                  CASE WHEN v_r = 0 THEN format('%s: warmup', v_names[v_side])
                                                       ELSE format('%s (round %s/%s)', v_names[v_side], v_r, v_rounds) END);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
                RAISE EXCEPTION 'A/B statement % failed in %: %', tasker_bench._ab_side_name(v_side, v_names[v_side]),
                    CASE WHEN v_r = 0 THEN 'the warmup' ELSE format('round %s', v_r) END, v_msg
                    USING ERRCODE = v_state, DETAIL = v_detail, HINT = v_hint;
            END;
            IF v_r = 0 THEN
                v_warm_n[v_side] := v_m.warmup_n;
                CONTINUE;
            END IF;
            -- never below 1 ns, so the log ratio exists
            v_med := greatest(tasker_bench.percentile(v_m.histogram, 0.5) - v_m.clock_ns, 1.0) / 1000.0;
            IF v_side = 1 THEN
                v_hists_a := v_hists_a || v_m.histogram;
                v_rounds_a := v_rounds_a || (to_jsonb(v_m) - 'histogram' - 'phase_names' - 'phase_histograms');
                v_pn_a := v_pn_a || coalesce(v_m.phase_names, '{}');
                v_ph_a := v_ph_a || coalesce(v_m.phase_histograms, '{}');
                v_med_a[v_r] := v_med;
            ELSE
                v_hists_b := v_hists_b || v_m.histogram;
                v_rounds_b := v_rounds_b || (to_jsonb(v_m) - 'histogram' - 'phase_names' - 'phase_histograms');
                v_pn_b := v_pn_b || coalesce(v_m.phase_names, '{}');
                v_ph_b := v_ph_b || coalesce(v_m.phase_histograms, '{}');
                v_med_b[v_r] := v_med;
            END IF;
        END LOOP;
    END LOOP;

    IF v_driver = 'executor' AND current_setting('tasker_bench.explain', true) IS DISTINCT FROM 'off' THEN
        FOR v_side IN 1 .. 2 LOOP
            v_explain[v_side] := tasker_bench._explain(v_sql[v_side], v_params)::jsonb;
        END LOOP;
    END IF;
    PERFORM tasker_bench._set_search_path(v_path);

    /*
     * The per-round log ratios log(median b / median a).  Their location,
     * interval and test are rank-based (Hodges-Lehmann, Wilcoxon signed
     * rank): a round in which a burst of other load hit one side only is
     * a wild value that a mean and a t interval follow, but ranks do not.
     * The t figures are kept beside them in ab_results.
     */
    v_lr := ARRAY(SELECT ln(mb / ma) FROM unnest(v_med_a, v_med_b) AS m(ma, mb));
    SELECT * INTO STRICT v_sr FROM tasker_bench.signed_rank(v_lr, 1.0 - v_alpha);
    v_ratio := exp(v_sr.estimate);
    v_lo := exp(v_sr.low);
    v_hi := exp(v_sr.high);
    v_p := v_sr.p_value;
    IF v_lo IS NULL THEN
        RAISE NOTICE 'tasker_bench: % rounds are too few for a % %% confidence interval, give at least % rounds',
            v_rounds, trim_scale(round(100 * (1 - v_alpha)::numeric, 1)), ceil(log(2, (2 / v_alpha)::numeric));
    END IF;

    -- mean of the log ratios, its Student t interval (NULL below 2 rounds) and t-test
    SELECT * INTO STRICT v_t FROM tasker_bench.mean_ci(v_lr, 1.0 - v_alpha);
    v_t_p := tasker_bench.t_test_p(v_lr, 0);

    v_verdict := tasker_bench.verdict(100.0 * (v_ratio - 1.0), 100.0 * (v_lo - 1.0), 100.0 * (v_hi - 1.0),
                                      v_p, v_alpha, v_noise);

    SELECT * INTO STRICT v_side_a
      FROM tasker_bench._ab_side(v_run, v_names[1], 1, v_sql[1], v_params, v_hists_a, v_rounds_a,
                                 v_warm_n[1], v_pn_a, v_ph_a, v_explain[1]);
    SELECT * INTO STRICT v_side_b
      FROM tasker_bench._ab_side(v_run, v_names[2], 2, v_sql[2], v_params, v_hists_b, v_rounds_b,
                                 v_warm_n[2], v_pn_b, v_ph_b, v_explain[2]);

    PERFORM tasker_bench._write_run(jsonb_build_object(
        'id', v_run, 'kind', 'ab', 'what', format('%s vs %s', v_names[1], v_names[2]), 'label', v_label,
        'started_at', v_started, 'finished_at', clock_timestamp(), 'status', 'completed',
        'cases_done', 2,
        'settings', jsonb_build_object('rounds', v_rounds, 'iterations', v_iter, 'warmup', v_warmup::text,
                                       'rollback', v_rollback, 'search_path', v_path_arg,
                                       'noise_threshold_pct', v_noise, 'alpha', v_alpha)
                    || CASE WHEN v_driver <> 'executor'
                            THEN jsonb_build_object('driver', v_driver, 'a_options', v_case[1].options,
                                                    'b_options', v_case[2].options)
                            ELSE '{}' END,
        'environment', v_env, 'dataset', tasker_bench._dataset_for(ARRAY[v_case[1]])));
    PERFORM tasker_bench._store_case(v_side_a.result, v_side_a.phases, NULL);
    PERFORM tasker_bench._store_case(v_side_b.result, v_side_b.phases, NULL);
    INSERT INTO tasker_bench.ab_results (run_id, a_name, b_name, a_sql, b_sql, params, search_path,
                                         rounds, iterations, a_p50_us, b_p50_us, ratio, ci_low, ci_high,
                                         p_value, verdict, noise_threshold_pct, alpha,
                                         a_medians_us, b_medians_us, t_ratio, t_ci_low, t_ci_high, t_p_value)
    VALUES (v_run, v_names[1], v_names[2], v_sql[1], v_sql[2], v_params, v_path_arg,
            v_rounds, v_iter, (v_side_a.result).p50_us, (v_side_b.result).p50_us, v_ratio, v_lo, v_hi,
            v_p, v_verdict, v_noise, v_alpha, v_med_a, v_med_b, exp(v_t.mean), exp(v_t.low), exp(v_t.high),
            v_t_p);

    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: A/B run %: b/a = % (CI % .. %), %', v_run, round(v_ratio::numeric, 4),
            coalesce(round(v_lo::numeric, 4)::text, '-'), coalesce(round(v_hi::numeric, 4)::text, '-'), v_verdict;
    END IF;
    PERFORM tasker_bench._leave_run();
    RETURN ROW(v_run, (v_side_a.result).p50_us, (v_side_b.result).p50_us, v_ratio, v_lo, v_hi, v_p,
               v_verdict, v_rounds, v_noise)::tasker_bench.ab_outcome;
END
$$;
COMMENT ON FUNCTION tasker_bench_ab(text, text, text, integer, bigint, interval, text, boolean, text, text, text, float8, float8, text, jsonb, jsonb) IS
    'Measures two statements in alternating rounds in one session (a b, b a, ...); returns the ratio b/a of the '
    'medians (Hodges-Lehmann over the per-round log ratios) with a Wilcoxon signed-rank interval (1 - alpha) and '
    'p-value, and a verdict; stores a run of kind ab (results a and b, tasker_bench.ab_results); any driver '
    '(driver, a_options, b_options)';

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
                             'regressed/improved when p < 0.05, the interval excludes 0 and the change is beyond the case''s noise floor '
                             '(%s %%: the larger of tasker_bench.compare_noise_threshold and the case''s run-to-run spread in its history, '
                             'unless set per suite or call); inconclusive below 30 samples a side; percentiles shown only where n supports them (p99: 100, p99.9: 1000)',
                             CASE WHEN p_markdown THEN E'\n' ELSE '  ' END,
                             coalesce((SELECT string_agg(DISTINCT tasker_bench._fmt_thr((x->>'noise_threshold_pct')::float8), '/')
                                         FROM jsonb_array_elements(j->'comparison') x), '-'));
        END IF;
    END IF;
    RETURN array_to_string(l, E'\n');
END
$$;

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
