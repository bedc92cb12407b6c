-- Statistics over histograms and series (src/stats.c through
-- src/stats_sql.c): summaries, confidence intervals, tests, verdicts, noise
-- floors, growth fits, change points, rounding of figures.

CREATE FUNCTION tasker_bench.hsummary(h tasker_bench.histogram, clock_ns float8 DEFAULT 0,
    OUT n bigint, OUT min_us float8, OUT mean_us float8, OUT stddev_us float8,
    OUT p50_us float8, OUT p90_us float8, OUT p95_us float8, OUT p99_us float8,
    OUT p999_us float8, OUT max_us float8, OUT ops_per_s float8,
    OUT outliers_low_severe bigint, OUT outliers_low_mild bigint,
    OUT outliers_high_mild bigint, OUT outliers_high_severe bigint)
    AS 'MODULE_PATHNAME', 'tb_hsummary' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.hsummary(tasker_bench.histogram, float8) IS
    'Summary in microseconds with clock_ns (the cost of a clock read) subtracted, rounded to 3 significant digits '
    '(never finer than 0.001 us); a percentile only where n supports it (p90: 10, p95: 20, p99: 100, p99.9: 1000 '
    'samples), else NULL; Tukey outlier counts';

CREATE FUNCTION tasker_bench.hmedian_ci(h tasker_bench.histogram, conf float8 DEFAULT 0.95,
    OUT low_ns float8, OUT high_ns float8)
    AS 'MODULE_PATHNAME', 'tb_hmedian_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.hmedian_ci(tasker_bench.histogram, float8) IS
    'Distribution-free confidence interval (level conf) of the median, in ns; NULLs when n is too small';

CREATE FUNCTION tasker_bench.hcompare(baseline tasker_bench.histogram, current tasker_bench.histogram,
    threshold_pct float8 DEFAULT 2, alpha float8 DEFAULT 0.05, conf float8 DEFAULT 0.95,
    baseline_blocks float8[] DEFAULT NULL, current_blocks float8[] DEFAULT NULL,
    baseline_probes float8[] DEFAULT NULL, current_probes float8[] DEFAULT NULL,
    OUT change_pct float8, OUT ci_low_pct float8, OUT ci_high_pct float8,
    OUT p_value float8, OUT verdict text)
    AS 'MODULE_PATHNAME', 'tb_hcompare' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.hcompare(tasker_bench.histogram, tasker_bench.histogram, float8, float8, float8, float8[], float8[], float8[], float8[]) IS
    'Change of the median from baseline to current with an interval, p-value and verdict (tasker_bench.judge against threshold_pct as the noise floor: inconclusive below 30 samples a side); with both runs'' block medians (results.block_medians_ns, relative to probe_medians_ns when given) the Hodges-Lehmann shift and Mann-Whitney test of the blocks, else of the histograms';

CREATE FUNCTION tasker_bench.fit_complexity(sizes float8[], vals float8[],
    OUT complexity text, OUT r2 float8, OUT a float8, OUT b float8)
    AS 'MODULE_PATHNAME', 'tb_fit_complexity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.fit_complexity(float8[], float8[]) IS
    'The growth class (O(1), O(log n), O(n), O(n log n), O(n^2)) that best fits vals over sizes, its r2 and coefficients';

CREATE FUNCTION tasker_bench.t_quantile(p float8, df float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_t_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.t_quantile(float8, float8) IS 'Student t inverse CDF';

CREATE FUNCTION tasker_bench.mean_ci(x float8[], conf float8 DEFAULT 0.95,
    OUT mean float8, OUT low float8, OUT high float8)
    AS 'MODULE_PATHNAME', 'tb_mean_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.mean_ci(float8[], float8) IS 'Student t confidence interval of the mean';

CREATE FUNCTION tasker_bench.t_test_p(x float8[], mu float8 DEFAULT 0) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_t_test_p' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.t_test_p(float8[], float8) IS 'Two-sided one-sample t-test p-value of mean(x) = mu';

CREATE FUNCTION tasker_bench.signed_rank(x float8[], conf float8 DEFAULT 0.95,
    OUT estimate float8, OUT low float8, OUT high float8, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'tb_signed_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.signed_rank(float8[], float8) IS
    'Hodges-Lehmann estimate of the location of x (median of the Walsh averages), its Wilcoxon signed-rank '
    'interval at level conf (exact up to 50 values; NULL when too few for the level) and the two-sided '
    'signed-rank p-value of location 0';

CREATE FUNCTION tasker_bench.verdict(change_pct float8, ci_low_pct float8, ci_high_pct float8,
    p float8, alpha float8, threshold_pct float8) RETURNS text
    AS 'MODULE_PATHNAME', 'tb_verdict' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.verdict(float8, float8, float8, float8, float8, float8) IS
    'improved, regressed, unchanged or inconclusive: the verdict of a change (percent) with its interval, '
    'p-value, significance level and noise threshold (percent); NULL counts as unknown';

CREATE FUNCTION tasker_bench.noise_threshold() RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_noise_threshold_get' LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.noise_threshold() IS 'The setting tasker_bench.noise_threshold (percent)';

CREATE FUNCTION tasker_bench.compare_noise_threshold() RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_compare_noise_threshold_get' LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.compare_noise_threshold() IS
    'The setting tasker_bench.compare_noise_threshold (percent): noise threshold of comparisons of two separate runs';

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

CREATE FUNCTION tasker_bench.judge(change_pct float8, ci_low_pct float8, ci_high_pct float8,
    p float8, alpha float8, floor_pct float8, n_a bigint, n_b bigint,
    OUT verdict text, OUT reason text)
    AS 'MODULE_PATHNAME', 'tb_judge' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.judge(float8, float8, float8, float8, float8, float8, bigint, bigint) IS
    'Verdict of a comparison and its reason: inconclusive below 30 samples on either side; regressed/improved '
    'when p < alpha and the whole interval lies beyond the noise floor (percent); unchanged '
    'within the floor; else inconclusive (not significant, or the interval reaches into the floor)';

CREATE FUNCTION tasker_bench.noise_floor(levels float8[], z float8 DEFAULT 3) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_noise_floor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.noise_floor(float8[], float8) IS
    'Noise floor (percent) from a case''s figure in earlier runs, in time order: 100 (exp(z 1.4826 median '
    '|ln ratio of consecutive runs|) - 1); NULL with fewer than 5 runs';

CREATE FUNCTION tasker_bench.round_figure(x float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_round_figure' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.round_figure(float8) IS
    'x rounded to 3 significant digits, never to a step finer than 0.001';

CREATE FUNCTION tasker_bench._quantile_min_n(q float8) RETURNS bigint
    AS 'MODULE_PATHNAME', 'tb_quantile_min_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench._quantile_min_n(float8) IS
    'The fewest samples percentile q needs to be shown (the rule of hsummary: p95 20, p99 100, p99.9 1000)';

CREATE FUNCTION tasker_bench.round_p(p float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_round_p' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.round_p(float8) IS 'A p-value rounded to 3 significant digits (at any scale)';

CREATE FUNCTION tasker_bench._compare_case(baseline tasker_bench.histogram, current tasker_bench.histogram,
    floor_pct float8, alpha float8, tolerance_pct float8, n_a bigint, n_b bigint,
    baseline_blocks float8[], current_blocks float8[], baseline_probes float8[], current_probes float8[],
    OUT change_pct float8, OUT ci_low_pct float8, OUT ci_high_pct float8, OUT p_value float8,
    OUT verdict text, OUT reason text, OUT within_tolerance boolean)
    AS 'MODULE_PATHNAME', 'tb_compare_case' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench._compare_case(tasker_bench.histogram, tasker_bench.histogram, float8, float8,
                                               float8, bigint, bigint, float8[], float8[], float8[], float8[]) IS
    'One case of tasker_bench_compare (the client''s offline compare computes the same): hcompare''s figures, '
    'the verdict of tasker_bench.judge with the runs'' sample counts, figures rounded as shown, tolerance met';

CREATE FUNCTION tasker_bench._category_tolerance(category text, floor_pct float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_category_tolerance' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench._category_tolerance(text, float8) IS
    'Tolerance of a case without its own or its suite''s: e2e 10 %, lifecycle 20 %, else the noise floor';

CREATE FUNCTION tasker_bench.change_points_of(levels float8[], min_size integer DEFAULT 3,
    alpha float8 DEFAULT 0.01, min_shift_pct float8 DEFAULT 0,
    OUT index integer, OUT before float8, OUT after float8, OUT change_pct float8, OUT p_value float8)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'tb_change_points' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.change_points_of(float8[], integer, float8, float8) IS
    'Change points of a series (E-Divisive means on ln x, Welch t-test): index of the first value at the '
    'new level (1-based), geometric means before and after, change in percent, p-value; each level at '
    'least min_size values long, change at least min_shift_pct';

CREATE FUNCTION tasker_bench._phase_figures(h tasker_bench.histogram) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('n', s.n, 'mean_us', s.mean_us, 'p50_us', s.p50_us,
                              'p95_us', s.p95_us, 'p99_us', s.p99_us)
      FROM tasker_bench.hsummary(h) s
$$;

COMMENT ON FUNCTION tasker_bench._phase_figures(tasker_bench.histogram) IS
    'n, mean_us, p50_us, p95_us, p99_us of a phase histogram as the run writer stores them: rounded, '
    'a percentile only where n supports it (hsummary, no clock read cost subtracted)';
