-- Progress of runs for any session: pg_stat_activity.query of a running
-- backend reads "tasker_bench: CASE (i/N) of run R: PHASE[, details]" (the
-- measuring loop in runner.c, the other steps of a case through
-- tasker_bench._activity), and the view tasker_bench.progress splits it
-- into columns, like pg_stat_progress_*.

CREATE FUNCTION tasker_bench._activity(label text, what text) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_activity' LANGUAGE C VOLATILE;

COMMENT ON FUNCTION tasker_bench._activity(text, text) IS
    'Internal: shows "tasker_bench: <label>: <what>" in pg_stat_activity.query; what NULL restores the caller''s query';

CREATE VIEW tasker_bench.progress WITH (security_invoker = true) AS
    SELECT a.pid, a.datname, a.usename,
           m[4]::bigint AS run_id,
           m[1] AS case_name,
           m[2]::integer AS case_index,
           m[3]::integer AS case_count,
           m[5] AS phase,
           coalesce(t[1], i[1])::bigint AS iterations,
           t[2]::float8 AS phase_elapsed_s,
           t[3]::float8 AS phase_budget_s,
           round((100.0 * ((m[2]::integer - 1) + f.case_fraction) / m[3]::integer)::numeric, 1) AS percent,
           a.query_start AS run_started_at
      FROM pg_catalog.pg_stat_activity a
     CROSS JOIN LATERAL regexp_match(a.query,
                '^tasker_bench: (.*) \(([0-9]+)/([0-9]+)\) of run ([0-9]+): ([^,]*)(, .*)?$') m
      LEFT JOIN LATERAL regexp_match(m[6], '^, ([0-9]+) iterations, ([0-9.]+) of ([0-9.]+) s$') t ON true
      LEFT JOIN LATERAL regexp_match(m[6], '^, ([0-9]+) of ([0-9]+) iterations$') i ON true
     CROSS JOIN LATERAL (SELECT CASE
                WHEN m[5] = 'measuring' AND t IS NOT NULL AND t[3]::float8 > 0
                    THEN least(t[2]::float8 / t[3]::float8, 1.0)
                WHEN m[5] = 'measuring' AND i IS NOT NULL AND i[2]::float8 > 0
                    THEN least(i[1]::float8 / i[2]::float8, 1.0)
                WHEN m[5] IN ('EXPLAIN', 'collecting nested statements') THEN 1.0
                ELSE 0.0 END AS case_fraction) f
     WHERE m IS NOT NULL;

COMMENT ON VIEW tasker_bench.progress IS
    'Runs in progress (any session whose query text you may see, as pg_stat_activity): run, case i of N, phase '
    '(preparing parameters, warmup, probing the machine''s speed, measuring, EXPLAIN, collecting nested statements), '
    'iterations, elapsed and budget of the phase, percent of the run';
