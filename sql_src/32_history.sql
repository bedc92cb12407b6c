-- History of each case across runs (tasker_bench.history) and the change
-- points in it (tasker_bench.change_points: E-Divisive means on the log of the
-- median, Welch's t-test, each level at least 3 runs long, so one noisy run
-- is not a change point).

CREATE VIEW tasker_bench.history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.started_at, r.what, r.label, res.case_name,
       res.p50_us, res.p95_us, res.p99_us, res.mean_us, res.n
  FROM tasker_bench.runs r
  JOIN tasker_bench.results res ON res.run_id = r.id
 WHERE r.status = 'completed';

COMMENT ON VIEW tasker_bench.history IS
    'Each case''s figures (microseconds) in every completed run, over time: ORDER BY case_name, started_at';

CREATE FUNCTION tasker_bench._history_runs() RETURNS integer
    AS 'MODULE_PATHNAME', 'tb_history_runs_get' LANGUAGE C STABLE PARALLEL SAFE;

CREATE VIEW tasker_bench.change_points WITH (security_invoker = true) AS
WITH h AS (
    SELECT res.case_name,
           array_agg(r.id ORDER BY r.started_at, r.id) AS runs,
           array_agg(r.started_at ORDER BY r.started_at, r.id) AS started,
           array_agg(greatest(tasker_bench.percentile(res.histogram, 0.5), 1.0)
                     ORDER BY r.started_at, r.id) AS levels
      FROM tasker_bench.runs r
      JOIN tasker_bench.results res ON res.run_id = r.id
     WHERE r.status = 'completed' AND r.kind = 'run' AND res.n > 0
     GROUP BY res.case_name
)
SELECT h.case_name,
       h.runs[cp.index] AS run_id,
       h.started[cp.index] AS started_at,
       h.runs[cp.index - 1] AS previous_run_id,
       tasker_bench.round_figure(cp.before / 1000.0) AS before_p50_us,
       tasker_bench.round_figure(cp.after / 1000.0) AS after_p50_us,
       cp.change_pct,
       cp.p_value,
       cardinality(h.runs) - cp.index + 1 AS runs_at_new_level
  FROM h,
       LATERAL tasker_bench.change_points_of(h.levels, 3, 0.01, tasker_bench.compare_noise_threshold()) cp;

COMMENT ON VIEW tasker_bench.change_points IS
    'Where a case''s median shifted and stayed, over your completed runs of kind run in time order: '
    'E-Divisive means on the log of the median with Welch''s t-test (p < 0.01), at least 3 runs on each side '
    'and a change of at least tasker_bench.compare_noise_threshold percent; run_id is the first run at the new level';
