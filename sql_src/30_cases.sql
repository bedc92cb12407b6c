-- Registering cases: a named statement, its params query, suite, category,
-- driver and options (tasker_bench_register / tasker_bench_unregister), and
-- the two ways to run: tasker_bench_run (registered cases) and
-- tasker_bench_measure (a statement given inline).

-- (VOLATILE, so it sees the rows the calling function has just written)

-- Names of cases and suites end up in keys (results' primary key) and
-- notices: refuse a name too long before anything is measured.
CREATE FUNCTION tasker_bench._check_case_name(p_name text, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF octet_length(p_name) > 1000 THEN
        RAISE EXCEPTION '% is too long (% bytes, at most 1000)', p_what, octet_length(p_name)
            USING ERRCODE = '22001',
            HINT = 'Give a shorter name (tasker_bench_measure names a statement by its text unless name => is given).';
    END IF;
END
$$;

-- ---- user-facing ----
CREATE FUNCTION tasker_bench_register(
    name text, sql text, params text DEFAULT NULL, suite text DEFAULT 'default',
    search_path text DEFAULT NULL, rollback boolean DEFAULT NULL,
    category text DEFAULT 'sql', tolerance_pct float8 DEFAULT NULL,
    description text DEFAULT NULL, replace boolean DEFAULT false, clients integer DEFAULT NULL,
    driver text DEFAULT 'executor', options jsonb DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF clients IS NOT NULL THEN
        PERFORM tasker_bench._check_clients(clients);
    END IF;
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'case name must not be NULL or empty'
            USING ERRCODE = '22004', HINT = 'Name cases function/variant, e.g. ''get_next_ready_tasks/batch_10''.';
    END IF;
    PERFORM tasker_bench._check_case_name(name, 'case name');
    IF replace IS NULL THEN
        RAISE EXCEPTION 'replace must be true or false, not NULL' USING ERRCODE = '22004',
            HINT = 'Leave it out (false) or pass replace => true to redefine your case.';
    END IF;
    IF tolerance_pct = 'NaN' OR tolerance_pct < 0 OR tolerance_pct = 'Infinity' THEN
        RAISE EXCEPTION 'tolerance_pct must be a finite percentage, zero or more, got %', tolerance_pct
            USING ERRCODE = '22023', HINT = 'Give it in percent, e.g. 10 for 10 %, or leave it out for the category''s default.';
    END IF;
    IF sql IS NULL THEN
        RAISE EXCEPTION 'the statement of case "%" is NULL', name
            USING ERRCODE = '22004', HINT = 'Give one SQL statement; $1..$n take values from params.';
    END IF;
    IF suite IS NULL OR suite = '' THEN
        RAISE EXCEPTION 'suite must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Leave it out to use the suite ''default''.';
    END IF;
    PERFORM tasker_bench._check_case_name(suite, 'suite name');
    IF category IS NULL OR category NOT IN ('sql', 'lifecycle', 'e2e') THEN
        RAISE EXCEPTION 'unknown category "%"', category USING ERRCODE = '22023',
            HINT = 'Use sql, lifecycle or e2e; the category sets the default tolerance of comparisons.';
    END IF;
    PERFORM tasker_bench._check_driver(driver);
    IF options IS NOT NULL AND jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'the options of case "%" must be a JSON object, got %', name, jsonb_typeof(options)
            USING ERRCODE = '22023', HINT = 'For example options => ''{"payload_bytes": 1024}'' (see the driver in the README).';
    END IF;
    -- another driver may give its statement a meaning of its own (or none)
    IF driver = 'executor' OR btrim(sql) <> '' THEN
        PERFORM tasker_bench._check_syntax(sql, 'the statement');
    END IF;
    IF params IS NOT NULL THEN
        PERFORM tasker_bench._check_syntax(params, 'params');
    END IF;
    -- names resolve among the caller's own and the built-in cases
    IF EXISTS (SELECT 1 FROM tasker_bench.cases c
                WHERE c.suite = tasker_bench_register.name AND (c.builtin OR c.owner = current_user)) THEN
        RAISE EXCEPTION 'a suite is already named "%"', name USING ERRCODE = '42710',
            HINT = 'Case and suite names share one namespace in tasker_bench_run(); pick another case name.';
    END IF;
    IF EXISTS (SELECT 1 FROM tasker_bench.cases c
                WHERE c.name = tasker_bench_register.suite AND (c.builtin OR c.owner = current_user)) THEN
        RAISE EXCEPTION 'a case is already named "%"', suite USING ERRCODE = '42710',
            HINT = 'Case and suite names share one namespace in tasker_bench_run(); pick another suite name.';
    END IF;
    IF EXISTS (SELECT 1 FROM tasker_bench.cases c WHERE c.name = tasker_bench_register.name AND c.builtin) THEN
        RAISE EXCEPTION 'case "%" is built in', name USING ERRCODE = '42501',
            HINT = 'Built-in cases cannot be replaced; register your own case under another name.';
    END IF;
    IF EXISTS (SELECT 1 FROM tasker_bench.cases c
                WHERE c.name = tasker_bench_register.name AND c.owner = current_user) THEN
        IF NOT replace THEN
            RAISE EXCEPTION 'case "%" is already registered', name USING ERRCODE = '42710',
                HINT = 'Pass replace => true to redefine it, or choose another name.';
        END IF;
        DELETE FROM tasker_bench.cases c
         WHERE c.name = tasker_bench_register.name AND c.owner = current_user AND NOT c.builtin;
        IF FOUND IS FALSE THEN
            RAISE EXCEPTION 'case "%" belongs to another role or is built in', name
                USING ERRCODE = '42501', HINT = 'Register your own case under another name.';
        END IF;
    END IF;
    BEGIN
        INSERT INTO tasker_bench.cases (name, suite, sql, params, search_path, rollback, category,
                                        tolerance_pct, description, clients, driver, options)
        VALUES (tasker_bench_register.name, tasker_bench_register.suite, tasker_bench_register.sql,
                tasker_bench_register.params, tasker_bench_register.search_path,
                tasker_bench_register.rollback, tasker_bench_register.category,
                tasker_bench_register.tolerance_pct, tasker_bench_register.description,
                tasker_bench_register.clients, tasker_bench_register.driver,
                tasker_bench_register.options);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'case name "%" is taken by another role', name USING ERRCODE = '42710',
            HINT = 'Case names are shared by all roles; choose another name.';
    END;
    RETURN name;
END
$$;

COMMENT ON FUNCTION tasker_bench_register(text, text, text, text, text, boolean, text, float8, text, boolean, integer, text, jsonb) IS
    'Registers a benchmark case: a statement, an optional params query feeding $1..$n, its suite '
    '(clients: run by N concurrent clients), the driver that measures it and the driver''s options';

CREATE FUNCTION tasker_bench_unregister(name text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tasker_bench.cases c
     WHERE c.name = tasker_bench_unregister.name AND c.owner = current_user AND NOT c.builtin;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no case of yours is named "%"', name USING ERRCODE = '42704',
            HINT = 'SELECT name, suite FROM tasker_bench.cases lists the cases you can see; built-in cases cannot be removed.';
    END IF;
    RETURN true;
END
$$;

COMMENT ON FUNCTION tasker_bench_unregister(text) IS
    'Removes a case of yours (built-in cases cannot be removed)';

CREATE FUNCTION tasker_bench_run(
    what text, iterations bigint DEFAULT NULL, duration interval DEFAULT '1 second',
    warmup interval DEFAULT '200 milliseconds', label text DEFAULT NULL,
    rollback boolean DEFAULT NULL, schema text DEFAULT 'tasker', clients integer DEFAULT 1)
RETURNS TABLE (run_id bigint, case_name text, n bigint, min_us float8, mean_us float8,
               stddev_us float8, p50_us float8, p90_us float8, p95_us float8, p99_us float8,
               p999_us float8, max_us float8, ops_per_s float8)
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
    v_run bigint;
BEGIN
    PERFORM tasker_bench._check_budget(iterations, duration, warmup);
    PERFORM tasker_bench._check_clients(clients);
    SELECT * INTO v_cases, v_suite FROM tasker_bench._cases_for(what, tasker_bench_run.schema);
    v_run := tasker_bench._execute('run', what, v_suite, v_cases, iterations, duration, warmup,
                                   label, rollback, clients);
    RETURN QUERY SELECT * FROM tasker_bench._results_of(v_run);
END
$$;

COMMENT ON FUNCTION tasker_bench_run(text, bigint, interval, interval, text, boolean, text, integer) IS
    'Runs a case or a whole suite by name on a tasker schema (default tasker; clients => N: in N concurrent backends), stores the run, returns one row per case (microseconds)';

CREATE FUNCTION tasker_bench_measure(
    sql text, params text DEFAULT NULL, iterations bigint DEFAULT NULL,
    duration interval DEFAULT '1 second', warmup interval DEFAULT '200 milliseconds',
    label text DEFAULT NULL, rollback boolean DEFAULT NULL, name text DEFAULT NULL,
    search_path text DEFAULT NULL, clients integer DEFAULT 1)
RETURNS TABLE (run_id bigint, case_name text, n bigint, min_us float8, mean_us float8,
               stddev_us float8, p50_us float8, p90_us float8, p95_us float8, p99_us float8,
               p999_us float8, max_us float8, ops_per_s float8)
LANGUAGE plpgsql AS $$
DECLARE
    v_case tasker_bench.cases;
    v_run bigint;
BEGIN
    IF sql IS NULL THEN
        RAISE EXCEPTION 'the statement to measure is NULL' USING ERRCODE = '22004',
            HINT = 'Give one SQL statement, e.g. tasker_bench_measure(''SELECT 1'').';
    END IF;
    PERFORM tasker_bench._check_budget(iterations, duration, warmup);
    PERFORM tasker_bench._check_clients(clients);
    v_case.name := coalesce(name, sql);
    PERFORM tasker_bench._check_case_name(v_case.name, 'the name of the measured statement');
    v_case.sql := sql;
    v_case.params := params;
    v_case.search_path := search_path;
    v_case.category := 'sql';
    v_case.driver := 'executor';
    v_run := tasker_bench._execute('measure', v_case.name, NULL, ARRAY[v_case], iterations,
                                   duration, warmup, label, rollback, clients);
    RETURN QUERY SELECT * FROM tasker_bench._results_of(v_run);
END
$$;

COMMENT ON FUNCTION tasker_bench_measure(text, text, bigint, interval, interval, text, boolean, text, text, integer) IS
    'Measures an ad-hoc statement (stored as a run of kind measure; clients => N: in N concurrent backends)';
