-- tasker_bench_run_suite: a procedure that runs a case or suite and commits
-- after each case, so a long suite keeps what it measured, then compares and
-- alerts.

/*
 * Runs a case or suite like tasker_bench_run, but as a procedure that
 * commits after each case: the run's row is written first (status
 * 'running'), then each case's results as soon as it is measured, so a
 * crash or cancel loses at most the case in progress and no snapshot is
 * held for the whole suite.  Call it outside a transaction block
 * (CALL tasker_bench_run_suite('tasker')); pg_cron jobs of
 * tasker_bench_schedule call it.
 *
 * A failing case: the run is marked 'failed' (error, SQLSTATE, case),
 * committed, and the error is raised.  A cancel or statement_timeout: the
 * run is marked 'interrupted', committed, and the cancel is raised.  A run
 * whose backend ends (terminate, crash) stays 'running' until the next run
 * (or tasker_bench_prune) marks it 'interrupted'.  At the end the run is
 * 'completed' and compared (tasker_bench._check_history) with its baseline
 * or recent runs; regressions go to tasker_bench.alerts and NOTIFY
 * tasker_bench_alerts.
 */
CREATE PROCEDURE tasker_bench_run_suite(
    what text, iterations bigint DEFAULT NULL, duration interval DEFAULT '1 second',
    warmup interval DEFAULT '200 milliseconds', label text DEFAULT NULL, baseline text DEFAULT NULL,
    clients integer DEFAULT 1, schema text DEFAULT 'tasker')
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
    v_run bigint;
    v_env jsonb;
    v_case tasker_bench.cases;
    v_n integer;
    v_i integer := 0;
    v_one record;
    v_state text;
    v_msg text;
    v_detail text;
    v_hint text;
    v_outcome text;
    v_alerts integer;
BEGIN
    PERFORM tasker_bench._check_budget(iterations, duration, warmup);
    PERFORM tasker_bench._enter_run();
    PERFORM tasker_bench._check_clients(clients);
    SELECT c.cases, c.suite INTO v_cases, v_suite FROM tasker_bench._cases_for(what, tasker_bench_run_suite.schema) c;
    PERFORM tasker_bench._check_baseline(baseline);
    PERFORM tasker_bench._validate_cases(v_cases);
    PERFORM tasker_bench._mark_interrupted_runs();
    v_n := cardinality(v_cases);
    v_env := tasker_bench._environment();
    v_run := tasker_bench._write_run(jsonb_build_object(
        'kind', 'run', 'what', what, 'suite', v_suite, 'label', label, 'status', 'running',
        'settings', tasker_bench._settings(iterations, duration, warmup, NULL)
                    || jsonb_build_object('procedure', true, 'baseline', baseline)
                    || CASE WHEN clients > 1 THEN jsonb_build_object('clients', clients) ELSE '{}' END,
        'environment', v_env, 'dataset', tasker_bench._dataset_for(v_cases)));
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: run % of "%": % case%, backend PID %, committing after each case',
            v_run, what, v_n, CASE WHEN v_n = 1 THEN '' ELSE 's' END, pg_backend_pid();
    END IF;
    COMMIT;

    FOREACH v_case IN ARRAY v_cases LOOP
        v_i := v_i + 1;
        v_outcome := NULL;
        BEGIN
            -- each case runs in a transaction of its own: mark it as part of the run
            PERFORM tasker_bench._enter_run(false);
            SELECT * INTO STRICT v_one
              FROM tasker_bench._measure_case(v_run, v_case, v_i, v_n, iterations, duration, warmup, NULL,
                                              clients);
            PERFORM tasker_bench._store_case(v_one.result, v_one.phases, v_one.statements, v_one.clients);
            UPDATE tasker_bench.runs SET cases_done = v_i WHERE id = v_run;
        EXCEPTION
            WHEN query_canceled THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
                v_outcome := 'interrupted';
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
                v_outcome := 'failed';
        END;
        IF v_outcome IS NOT NULL THEN
            UPDATE tasker_bench.runs
               SET status = v_outcome, finished_at = clock_timestamp(), error = v_msg,
                   error_sqlstate = v_state, failed_case = v_case.name
             WHERE id = v_run;
            COMMIT;
            v_detail := concat_ws(E'\n', nullif(v_detail, ''),
                                  format('Run %s is %s; the %s case%s before "%s" are stored.', v_run, v_outcome,
                                         v_i - 1, CASE WHEN v_i - 1 = 1 THEN '' ELSE 's' END, v_case.name));
            IF coalesce(v_hint, '') <> '' THEN
                RAISE EXCEPTION USING MESSAGE = v_msg, ERRCODE = v_state, DETAIL = v_detail, HINT = v_hint;
            END IF;
            RAISE EXCEPTION USING MESSAGE = v_msg, ERRCODE = v_state, DETAIL = v_detail;
        END IF;
        COMMIT;
    END LOOP;
    -- the run's prepared cases go (a failed case's error aborts, which drops them too)
    PERFORM tasker_bench._leave_run();

    UPDATE tasker_bench.runs SET status = 'completed', finished_at = clock_timestamp() WHERE id = v_run;
    COMMIT;

    BEGIN
        v_alerts := tasker_bench._check_history(v_run, baseline);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
        RAISE WARNING 'tasker_bench: run % completed but could not be compared: % (SQLSTATE %)',
            v_run, v_msg, v_state;
    END;
    COMMIT;
END
$$;

COMMENT ON PROCEDURE tasker_bench_run_suite(text, bigint, interval, interval, text, text, integer, text) IS
    'Runs a case or suite, committing after each case (status running -> completed / failed / interrupted); '
    'then compares it with its baseline (alerting on a regression the previous run or a change point confirms) '
    'or the rolling median of recent runs and alerts on regressions';
