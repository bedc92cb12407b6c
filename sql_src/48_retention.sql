-- Retention: tasker_bench_prune removes old runs, keeping baselines and
-- what they need.

-- ---------------------------------------------------------------------------
-- Retention
-- ---------------------------------------------------------------------------
CREATE FUNCTION tasker_bench_prune(keep interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_sql text;
    v_n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'keep must be zero or a positive interval, got %', coalesce(keep::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Runs started more than keep ago are deleted, e.g. tasker_bench_prune(''30 days'').';
    END IF;
    PERFORM tasker_bench._mark_interrupted_runs();
    v_sql := 'DELETE FROM tasker_bench.runs r
               WHERE r.started_at < now() - $1
                 AND r.run_by = current_user
                 AND r.status <> ''running''
                 AND NOT EXISTS (SELECT 1 FROM tasker_bench.alerts a WHERE a.run_id = r.id)';
    IF to_regclass('tasker_bench.baselines') IS NOT NULL THEN
        v_sql := v_sql || ' AND NOT EXISTS (SELECT 1 FROM tasker_bench.baselines b WHERE b.run_id = r.id)';
    END IF;
    BEGIN
        EXECUTE v_sql USING keep;
        GET DIAGNOSTICS v_n = ROW_COUNT;
    -- 23503 up to 17; 18 reports a RESTRICT foreign key as 23001
    EXCEPTION WHEN foreign_key_violation OR restrict_violation THEN
        RAISE EXCEPTION 'a baseline or an alert was made for one of the runs to prune while tasker_bench_prune ran'
            USING ERRCODE = '40001',
            HINT = 'Nothing was deleted; run tasker_bench_prune again (it keeps the runs baselines and alerts name).';
    END;
    RETURN v_n;
END
$$;

COMMENT ON FUNCTION tasker_bench_prune(interval) IS
    'Deletes your runs started more than keep ago (with their results, phases and statements), '
    'except runs a baseline or an alert points to and runs still running; returns how many';
