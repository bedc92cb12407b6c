-- Baselines: a name for a run (tasker_bench_baseline, e.g. 'pre-refactor'),
-- tasker_bench_drop_baseline (the run stays), and the lookups of the latest
-- and completed runs the comparisons use.


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
-- Checking a baseline name
-- ---------------------------------------------------------------------------

-- A baseline name must exist (baselines come from tasker_bench_baseline).
CREATE FUNCTION tasker_bench._check_baseline(p_baseline text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_found boolean := false;
BEGIN
    IF p_baseline IS NULL THEN
        RETURN;
    END IF;
    IF to_regclass('tasker_bench.baselines') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM tasker_bench.baselines b WHERE b.name = $1 AND b.run_by = current_user)'
          INTO v_found USING p_baseline;
    END IF;
    IF NOT v_found THEN
        RAISE EXCEPTION 'no baseline named "%"', p_baseline USING ERRCODE = '42704',
            HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines; tasker_bench_baseline(name) names a run. Leave baseline out to compare with the rolling median of recent runs.';
    END IF;
END
$$;
