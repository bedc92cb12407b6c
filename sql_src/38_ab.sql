-- Interleaved A/B runs: two statements (or two registered cases, any driver)
-- measured in alternating rounds in one session, so drift hits both alike
-- (tasker_bench_ab).
--
-- The statistics of the A/B are those of src/stats.c (sql_src/08_statistics.sql):
-- tasker_bench.signed_rank (Hodges-Lehmann, Wilcoxon signed rank),
-- tasker_bench.mean_ci and tasker_bench.t_test_p (Student t) and
-- tasker_bench.verdict (the verdict rule of tasker_bench.hcompare).

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
