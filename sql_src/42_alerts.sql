-- Regression alerts: a scheduled or suite run that regressed against its
-- baseline, or whose history shows a sustained shift, is recorded in
-- tasker_bench.alerts and announced with NOTIFY tasker_bench_alerts.

-- Write an alert and signal it on the channel tasker_bench_alerts (delivered
-- at commit).  The channel is shared by every role of the database, so the
-- payload carries only the run id: a listener reads the alerts of that run
-- from tasker_bench.alerts, where it sees only its own; a NOTIFY anyone
-- sends creates no alert row.
CREATE FUNCTION tasker_bench._alert(p_run bigint, p_case text, p_baseline text, p_change float8,
                                    p_verdict text, p_details jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tasker_bench.alerts (run_id, case_name, baseline, change_pct, verdict, details)
    VALUES (p_run, p_case, p_baseline, p_change, p_verdict, coalesce(p_details, '{}'));
    PERFORM pg_notify('tasker_bench_alerts', json_build_object('run_id', p_run)::text);
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: run %, case %: % by % %% against %', p_run, p_case, p_verdict,
            round(p_change::numeric, 1), p_baseline;
    END IF;
END
$$;

/*
 * After a run of tasker_bench_run_suite: compare it and write an alert per
 * regressed case.
 *  - With a baseline: tasker_bench_compare(baseline, run); a case
 *    regressed when its verdict is 'regressed' and the change is beyond its
 *    tolerance.  One such run is not yet an alert (a single noisy run):
 *    the alert needs a confirmation, named in its details (confirmed_by):
 *    'previous_run', the previous completed run of the same what (not the
 *    baseline's own run) regressed against the baseline too; or
 *    'change_point', the case's latest change point
 *    (tasker_bench.change_points) is upwards, after the baseline's run.
 *    An unconfirmed regression gives a NOTICE only.
 *  - Without: the rolling median of the p50 of the case in the last N
 *    completed runs of the same what (N: tasker_bench.history_runs, default
 *    5; at least one is needed).  A case regressed when its p50 exceeds
 *    that median by more than its tolerance (cases.tolerance_pct, else 10 %
 *    for e2e, 20 % for lifecycle, else the noise threshold
 *    tasker_bench.noise_threshold()) AND hcompare of the previous run's
 *    histogram with this run's says 'regressed' (median change beyond the
 *    tolerance, significant, CI above zero).  The median guards against one
 *    noisy earlier run, hcompare against a noisy current one; the tolerance
 *    is never below the case's own run-to-run noise floor
 *    (tasker_bench._history_floor), so one run as noisy as the case usually
 *    is gives no alert.  Then a sustained shift: a change point upwards
 *    (tasker_bench.change_points) that this run confirms as the third run
 *    at the new level, beyond the tolerance, not alerted before.
 * Returns the number of alerts written.
 */
CREATE FUNCTION tasker_bench._check_history(p_run bigint, p_baseline text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_run tasker_bench.runs;
    v_ext text := tasker_bench._ext_schema();
    v_n integer := 0;
    v_hist integer := tasker_bench._history_runs();
    v_tol float8;
    v_change float8;
    v_hc record;
    v_now jsonb;
    v_before jsonb := '{}';
    v_prev bigint;
    v_base_run bigint;
    v_why jsonb;
    r record;
BEGIN
    SELECT * INTO STRICT v_run FROM tasker_bench.runs WHERE id = p_run;
    IF p_baseline IS NOT NULL THEN
        -- the cases this run regressed against the baseline, beyond their tolerance
        EXECUTE format('SELECT coalesce(jsonb_object_agg(c.case_name, to_jsonb(c)), ''{}'')
                          FROM %I.tasker_bench_compare($1, $2) c
                         WHERE c.verdict = ''regressed'' AND c.within_tolerance IS NOT TRUE', v_ext)
           INTO v_now USING p_baseline, p_run;
        IF v_now = '{}' THEN
            RETURN 0;
        END IF;
        -- confirmation 1: the previous completed run of the same what regressed too
        SELECT b.run_id INTO STRICT v_base_run FROM tasker_bench.baselines b WHERE b.name = p_baseline;
        SELECT p.id INTO v_prev FROM tasker_bench.runs p
         WHERE p.what = v_run.what AND p.kind = v_run.kind AND p.status = 'completed'
           AND p.run_by = v_run.run_by AND p.id < p_run
         ORDER BY p.id DESC
         LIMIT 1;
        IF v_prev IS NOT NULL AND v_prev <> v_base_run THEN
            EXECUTE format('SELECT coalesce(jsonb_object_agg(c.case_name, to_jsonb(c)), ''{}'')
                              FROM %I.tasker_bench_compare($1, $2) c
                             WHERE c.verdict = ''regressed'' AND c.within_tolerance IS NOT TRUE', v_ext)
               INTO v_before USING p_baseline, v_prev;
        END IF;
        FOR r IN SELECT x.key AS case_name, x.value AS j, res.ordinal
                   FROM jsonb_each(v_now) x
                   JOIN tasker_bench.results res ON res.run_id = p_run AND res.case_name = x.key
                  ORDER BY res.ordinal LOOP
            v_why := NULL;
            IF v_before ? r.case_name THEN
                v_why := jsonb_build_object('confirmed_by', 'previous_run', 'previous_run_id', v_prev,
                                            'previous_change_pct', v_before->r.case_name->'change_pct');
            ELSE
                -- confirmation 2: the case's latest change point is upwards, after the
                -- baseline's run, and this run is at its new level
                SELECT jsonb_build_object('confirmed_by', 'change_point', 'change_point_run_id', cp.run_id,
                                          'before_p50_us', cp.before_p50_us, 'after_p50_us', cp.after_p50_us,
                                          'change_point_change_pct', cp.change_pct, 'p_value', cp.p_value)
                  INTO v_why
                  FROM (SELECT * FROM tasker_bench.change_points x
                         WHERE x.case_name = r.case_name AND x.run_id <= p_run
                         ORDER BY x.started_at DESC, x.run_id DESC LIMIT 1) cp
                 WHERE cp.change_pct > 0 AND cp.run_id > v_base_run;
            END IF;
            IF v_why IS NULL THEN
                -- one regressed run is not yet a regression: the next run (or a change point) confirms it
                IF NOT tasker_bench._quiet() THEN
                    RAISE NOTICE 'tasker_bench: run %, case %: regressed by % %% against %, not confirmed (no alert until the next run regresses too)',
                        p_run, r.case_name, round((r.j->>'change_pct')::numeric, 1), p_baseline;
                END IF;
                CONTINUE;
            END IF;
            PERFORM tasker_bench._alert(p_run, r.case_name, p_baseline,
                                        (r.j->>'change_pct')::float8, 'regressed',
                                        jsonb_build_object('method', 'baseline') || v_why || r.j);
            v_n := v_n + 1;
        END LOOP;
        RETURN v_n;
    END IF;

    FOR r IN
        WITH prev AS (
            SELECT p.id FROM tasker_bench.runs p
             WHERE p.what = v_run.what AND p.kind = v_run.kind AND p.status = 'completed'
               AND p.run_by = v_run.run_by AND p.id < p_run
             ORDER BY p.id DESC
             LIMIT v_hist
        ), med AS (
            SELECT x.case_name,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY x.p50_us) AS median_p50,
                   count(*) AS k, max(x.run_id) AS last_run,
                   array_agg(x.run_id ORDER BY x.run_id) AS runs
              FROM tasker_bench.results x
             WHERE x.run_id IN (SELECT id FROM prev)
             GROUP BY x.case_name
        )
        SELECT c.case_name, c.p50_us, c.histogram, c.category, c.sql, c.params, m.median_p50, m.k, m.runs, m.last_run,
               l.histogram AS last_h, cs.tolerance_pct,
               l.block_medians_ns AS last_blocks, c.block_medians_ns AS blocks,
               l.probe_medians_ns AS last_probes, c.probe_medians_ns AS probes
          FROM tasker_bench.results c
          JOIN med m ON m.case_name = c.case_name
          JOIN tasker_bench.results l ON l.run_id = m.last_run AND l.case_name = c.case_name
          LEFT JOIN tasker_bench.cases cs ON cs.name = c.case_name
         WHERE c.run_id = p_run
         ORDER BY c.ordinal
    LOOP
        v_tol := coalesce(r.tolerance_pct,
                          CASE r.category WHEN 'e2e' THEN 10.0 WHEN 'lifecycle' THEN 20.0 END,
                          tasker_bench.compare_noise_threshold());
        -- never within the case's own run-to-run noise (one noisy run is no regression)
        v_tol := greatest(v_tol, (SELECT hf.floor_pct FROM tasker_bench._history_floor(
                                      r.case_name, r.sql, r.params, r.last_run) hf));
        v_change := 100.0 * (r.p50_us / nullif(r.median_p50, 0) - 1);
        CONTINUE WHEN v_change IS NULL OR v_change <= v_tol;
        SELECT * INTO v_hc FROM tasker_bench.hcompare(r.last_h, r.histogram, v_tol, 0.05, 0.95,
                                                      r.last_blocks, r.blocks, r.last_probes, r.probes);
        IF v_hc.verdict = 'regressed' THEN
            PERFORM tasker_bench._alert(p_run, r.case_name, format('rolling median of %s', r.k), v_change,
                                        'regressed',
                                        jsonb_build_object('method', 'rolling_median', 'runs', to_jsonb(r.runs),
                                                           'median_p50_us', r.median_p50,
                                                           'current_p50_us', r.p50_us,
                                                           'tolerance_pct', v_tol,
                                                           'previous_run_id', r.last_run,
                                                           'hcompare_previous', to_jsonb(v_hc)));
            v_n := v_n + 1;
        END IF;
    END LOOP;

    -- a sustained shift: a change point (tasker_bench.change_points) upwards that this run
    -- confirms as the third at the new level, beyond the case's tolerance, not yet alerted
    FOR r IN
        SELECT cp.*, c.category, cs.tolerance_pct
          FROM tasker_bench.change_points cp
          JOIN tasker_bench.results c ON c.run_id = p_run AND c.case_name = cp.case_name
          LEFT JOIN tasker_bench.cases cs ON cs.name = cp.case_name
         WHERE cp.runs_at_new_level = 3 AND cp.change_pct > 0
           AND NOT EXISTS (SELECT 1 FROM tasker_bench.alerts a
                            WHERE a.case_name = cp.case_name AND a.run_id >= cp.run_id)
    LOOP
        CONTINUE WHEN r.change_pct <= coalesce(r.tolerance_pct,
                                               CASE r.category WHEN 'e2e' THEN 10.0 WHEN 'lifecycle' THEN 20.0 END,
                                               tasker_bench.compare_noise_threshold());
        PERFORM tasker_bench._alert(p_run, r.case_name, format('change point at run %s', r.run_id),
                                    r.change_pct, 'regressed',
                                    jsonb_build_object('method', 'change_point', 'change_point_run_id', r.run_id,
                                                       'before_p50_us', r.before_p50_us,
                                                       'after_p50_us', r.after_p50_us,
                                                       'p_value', r.p_value));
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
