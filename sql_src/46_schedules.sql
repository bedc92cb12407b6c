-- Schedules through pg_cron: tasker_bench_schedule / tasker_bench_unschedule,
-- the view tasker_bench.schedules, and the event trigger that unschedules the
-- jobs when the extension is dropped.

-- The last run of a pg_cron job as pg_cron recorded it (cron.job_run_details,
-- which shows each role its own jobs); NULLs when pg_cron is not in this
-- database or the role cannot read it.
CREATE FUNCTION tasker_bench._cron_last_run(p_jobid bigint,
    OUT status text, OUT message text, OUT started_at timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_cron text;
BEGIN
    SELECT n.nspname INTO v_cron
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = 'job_run_details' AND c.relkind = 'r'
       AND n.nspname = 'cron' AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
       AND pg_catalog.has_table_privilege(c.oid, 'SELECT');
    IF v_cron IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT d.status, d.return_message, d.start_time FROM %I.job_run_details d
                     WHERE d.jobid = $1 ORDER BY d.runid DESC LIMIT 1', v_cron)
       INTO status, message, started_at USING p_jobid;
END
$$;

CREATE VIEW tasker_bench.schedules WITH (security_invoker = true) AS
SELECT j.job_name, j.jobid, j.what, j.baseline, j.schedule, j.created_by, j.created_at,
       (tasker_bench._cron_last_run(j.jobid)).status AS last_status,
       (tasker_bench._cron_last_run(j.jobid)).message AS last_message,
       (tasker_bench._cron_last_run(j.jobid)).started_at AS last_started_at,
       j.schema
  FROM tasker_bench.schedule_jobs j;

-- (one table: INSERT and DELETE through the view reach schedule_jobs)
COMMENT ON VIEW tasker_bench.schedules IS
    'Your scheduled jobs (tasker_bench_schedule) with the status, message and start of each one''s last run as '
    'pg_cron recorded it (e.g. failed / connection failed when pg_cron cannot connect: see cron.host)';

/*
 * A light check of a cron expression before pg_cron sees it (pg_cron checks
 * it fully too): five fields (minute hour day-of-month month day-of-week)
 * of numbers in range, *, lists, ranges, steps (and month or day names),
 * or @yearly/@annually/@monthly/@weekly/@daily/@hourly/@reboot, or
 * 'N seconds' (1-59).
 */
CREATE FUNCTION tasker_bench._check_cron(p_schedule text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v text := btrim(regexp_replace(coalesce(p_schedule, ''), '\s+', ' ', 'g'));
    v_fields text[];
    v_names constant text[] := ARRAY['minute', 'hour', 'day of month', 'month', 'day of week'];
    v_lo constant integer[] := ARRAY[0, 0, 1, 1, 0];
    v_hi constant integer[] := ARRAY[59, 23, 31, 12, 7];
    v_problem text;
    v_pattern text;
    v_num text;
BEGIN
    IF v ~* '^@(yearly|annually|monthly|weekly|daily|hourly|reboot)$' THEN
        RETURN;
    END IF;
    IF v ~* '^[0-9]+ seconds?$' THEN
        IF split_part(v, ' ', 1)::numeric NOT BETWEEN 1 AND 59 THEN
            v_problem := 'an interval in seconds must be 1 to 59 seconds';
        END IF;
    ELSE
        v_fields := string_to_array(v, ' ');
        IF v = '' OR cardinality(v_fields) <> 5 THEN
            v_problem := format('it has %s field%s, a cron expression has 5', coalesce(cardinality(v_fields), 0),
                                CASE WHEN cardinality(v_fields) = 1 THEN '' ELSE 's' END);
        ELSE
            FOR i IN 1 .. 5 LOOP
                -- names (jan, mon, ...) in month and day of week; $ (last day) in day of month
                v_pattern := CASE WHEN i >= 4 THEN '^[0-9*,/A-Za-z-]+$'
                                  WHEN i = 3 THEN '^[0-9*,/$-]+$'
                                  ELSE '^[0-9*,/-]+$' END;
                IF v_fields[i] !~ v_pattern THEN
                    v_problem := format('the %s field "%s" is not a number, *, a list, a range or a step',
                                        v_names[i], v_fields[i]);
                    EXIT;
                END IF;
                FOR v_num IN SELECT m[1] FROM regexp_matches(v_fields[i], '(?:^|[^/0-9])([0-9]+)', 'g') m LOOP
                    IF v_num::numeric NOT BETWEEN v_lo[i] AND v_hi[i] THEN
                        v_problem := format('the %s field has %s, outside %s-%s', v_names[i], v_num,
                                            v_lo[i], v_hi[i]);
                        EXIT;
                    END IF;
                END LOOP;
                EXIT WHEN v_problem IS NOT NULL;
            END LOOP;
        END IF;
    END IF;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'invalid cron schedule "%"', p_schedule USING ERRCODE = '22023',
            DETAIL = initcap(left(v_problem, 1)) || substr(v_problem, 2) || '.',
            HINT = 'Use five fields, minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *'' (every 5 minutes) or ''0 3 * * *'' (daily at 03:00).';
    END IF;
END
$$;

-- pg_cron runs a job by connecting to cron.host (unless it uses background
-- workers): on a server that listens on no TCP address, a host name there
-- fails every run with "connection failed".  Warn when that is the case.
CREATE FUNCTION tasker_bench._check_cron_reach() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_bgw text;
    v_host text;
    v_listen text;
BEGIN
    BEGIN
        v_bgw := current_setting('cron.use_background_workers', true);
        v_host := current_setting('cron.host', true);
        v_listen := current_setting('listen_addresses');
    EXCEPTION WHEN insufficient_privilege THEN
        RETURN;             -- settings this role cannot read: nothing to say
    END;
    IF v_bgw = 'on' OR v_host IS NULL OR left(v_host, 1) = '/' THEN
        RETURN;             -- no connection, or a socket directory
    END IF;
    IF btrim(coalesce(v_listen, '')) = '' THEN
        RAISE WARNING 'pg_cron cannot reach this server: it connects to cron.host = "%" over TCP, but listen_addresses is empty', v_host
            USING DETAIL = 'Every run of the job will fail with "connection failed" (tasker_bench.schedules shows it in last_status and last_message).',
                  HINT = 'Set cron.host to the server''s socket directory (one of unix_socket_directories), or cron.use_background_workers = on, and restart.';
    END IF;
END
$$;

-- DROP EXTENSION tasker_bench takes its pg_cron jobs with it (else they
-- would stay and fail every time).  An event trigger of the extension does
-- not fire for the DROP that removes it, so this one runs before: at the
-- start of a DROP EXTENSION naming tasker_bench.
CREATE FUNCTION tasker_bench._unschedule_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_cron text;
    v_jobid bigint;
BEGIN
    IF current_query() !~* 'drop\s+extension\s+(if\s+exists\s+)?([[:alnum:]_"]+\s*,\s*)*"?tasker_bench"?\s*(,|;|cascade|restrict|$)' THEN
        RETURN;
    END IF;
    SELECT n.nspname INTO v_cron
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'cron' AND p.proname = 'unschedule' LIMIT 1;
    IF v_cron IS NULL THEN
        RETURN;
    END IF;
    FOR v_jobid IN EXECUTE format('SELECT j.jobid FROM tasker_bench.schedule_jobs s JOIN %I.job j ON j.jobid = s.jobid', v_cron) LOOP
        EXECUTE format('SELECT %I.unschedule($1)', v_cron) USING v_jobid;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER tasker_bench_unschedule_on_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION tasker_bench._unschedule_on_drop();

-- pg_cron must be installed in this database; its schema.
CREATE FUNCTION tasker_bench._cron_schema() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_schema text;
    v_db text;
BEGIN
    BEGIN
        v_db := current_setting('cron.database_name', true);
    EXCEPTION WHEN insufficient_privilege THEN
        v_db := '';         -- a superuser-only setting: unknown to others
    END;
    -- pg_cron's objects live in the schema cron (whatever its extnamespace says)
    SELECT n.nspname INTO v_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
                                 AND d.refobjid = e.oid AND d.deptype = 'e'
                                 AND d.classid = 'pg_catalog.pg_class'::regclass
      JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relname = 'job' AND c.relkind = 'r'
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE e.extname = 'pg_cron';
    IF v_schema IS NULL THEN
        IF v_db = '' THEN
            RAISE EXCEPTION 'pg_cron is not installed in this database' USING ERRCODE = '0A000',
                HINT = 'Ask a superuser where pg_cron lives (cron.database_name): install tasker_bench there, or schedule from there with cron.schedule_in_database(job_name, schedule, ''CALL ...tasker_bench_run_suite(...)'', <this database>).';
        END IF;
        IF v_db IS NULL THEN
            RAISE EXCEPTION 'pg_cron is not available: it is not loaded, and not installed in this database'
                USING ERRCODE = '0A000',
                HINT = 'Add pg_cron to shared_preload_libraries (restart), set cron.database_name, CREATE EXTENSION pg_cron in that database, and install tasker_bench there to schedule its suites.';
        END IF;
        RAISE EXCEPTION 'pg_cron is not installed in this database' USING ERRCODE = '0A000',
            HINT = format('pg_cron''s extension lives in the database cron.database_name = "%s". Either install tasker_bench there, or schedule from there into this database: SELECT cron.schedule_in_database(job_name, schedule, ''CALL %I.tasker_bench_run_suite(...)'', %L) (the job then runs as you, here).',
                          v_db, tasker_bench._ext_schema(), pg_catalog.current_database());
    END IF;
    RETURN v_schema;
END
$$;

CREATE FUNCTION tasker_bench_schedule(job_name text, schedule text, what text, baseline text DEFAULT NULL,
                                      schema text DEFAULT 'tasker')
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_job text := tasker_bench_schedule.job_name;
    v_cron text;
    v_exists boolean;
    v_jobid bigint;
    v_command text;
    v_state text;
    v_msg text;
    v_detail text;
BEGIN
    IF v_job IS NULL OR btrim(v_job) = '' THEN
        RAISE EXCEPTION 'job_name must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Name the job, e.g. tasker_bench_schedule(''tasker-nightly'', ''0 3 * * *'', ''tasker'').';
    END IF;
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'schedule must not be NULL' USING ERRCODE = '22004',
            HINT = 'Give a cron expression, e.g. ''*/5 * * * *'' (every 5 minutes).';
    END IF;
    -- the cases as the job will run them: on that schema (it must exist when they name it)
    PERFORM tasker_bench._cases_for(what, tasker_bench_schedule.schema);
    PERFORM tasker_bench._check_baseline(baseline);
    PERFORM tasker_bench._check_cron(schedule);
    IF EXISTS (SELECT 1 FROM tasker_bench.schedule_jobs s WHERE s.job_name = v_job) THEN
        RAISE EXCEPTION 'a job named "%" is already scheduled', v_job USING ERRCODE = '42710',
            HINT = 'tasker_bench_unschedule(job_name) removes it; or choose another name.';
    END IF;
    v_cron := tasker_bench._cron_schema();
    -- cron.schedule would silently replace a job of the same name
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.job j WHERE j.jobname = $1 AND j.username = current_user)', v_cron)
      INTO v_exists USING v_job;
    IF v_exists THEN
        RAISE EXCEPTION 'a pg_cron job named "%" already exists', v_job USING ERRCODE = '42710',
            HINT = 'SELECT jobid, jobname, schedule, command FROM cron.job lists the jobs; choose another name.';
    END IF;
    v_command := format('CALL %I.tasker_bench_run_suite(%L, baseline => %L, label => %L, schema => %L)',
                        tasker_bench._ext_schema(), what, baseline, 'scheduled:' || v_job,
                        tasker_bench_schedule.schema);
    BEGIN
        -- as the calling role, in this database
        IF to_regprocedure(format('%I.schedule_in_database(text,text,text,text,text,boolean)', v_cron)) IS NOT NULL
           AND has_function_privilege(format('%I.schedule_in_database(text,text,text,text,text,boolean)', v_cron),
                                      'EXECUTE') THEN
            -- username NULL: the current role (pg_cron lets only superusers name another)
            EXECUTE format('SELECT %I.schedule_in_database($1, $2, $3, $4, NULL, true)', v_cron) INTO v_jobid
              USING v_job, schedule, v_command, pg_catalog.current_database();
        ELSE
            EXECUTE format('SELECT %I.schedule($1, $2, $3)', v_cron) INTO v_jobid USING v_job, schedule, v_command;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
        IF v_msg ILIKE '%schedule%' THEN
            RAISE EXCEPTION 'invalid cron schedule "%"', schedule USING ERRCODE = '22023',
                DETAIL = 'pg_cron: ' || v_msg,
                HINT = 'Use five fields, minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *'' (every 5 minutes) or ''0 3 * * *'' (daily at 03:00).';
        END IF;
        RAISE;
    END;
    BEGIN
        INSERT INTO tasker_bench.schedule_jobs (job_name, jobid, what, baseline, schedule, schema)
        VALUES (v_job, v_jobid, what, baseline, schedule, tasker_bench_schedule.schema);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'job name "%" is taken by another role', v_job USING ERRCODE = '42710',
            HINT = 'Job names are shared by all roles; choose another name.';
    END;
    PERFORM tasker_bench._check_cron_reach();
    RETURN v_jobid;
END
$$;

COMMENT ON FUNCTION tasker_bench_schedule(text, text, text, text, text) IS
    'Schedules a case or suite through pg_cron (installed in this database), run as the calling role on a tasker schema (default tasker): '
    'CALL tasker_bench_run_suite(what, baseline => ..., label => ''scheduled:<job_name>'', schema => ...); returns the cron job id';

CREATE FUNCTION tasker_bench_unschedule(job_name text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_job text := tasker_bench_unschedule.job_name;
    v_cron text;
    v_row tasker_bench.schedule_jobs;
    v_exists boolean;
BEGIN
    IF v_job IS NULL THEN
        RAISE EXCEPTION 'job_name must not be NULL' USING ERRCODE = '22004',
            HINT = 'SELECT job_name, schedule, what FROM tasker_bench.schedules lists your jobs.';
    END IF;
    v_cron := tasker_bench._cron_schema();
    DELETE FROM tasker_bench.schedule_jobs s
     WHERE s.job_name = v_job AND s.created_by = current_user RETURNING * INTO v_row;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.job j WHERE j.jobid = $1)', v_cron)
      INTO v_exists USING v_row.jobid;
    IF v_exists THEN
        EXECUTE format('SELECT %I.unschedule($1::bigint)', v_cron) USING v_row.jobid;
    END IF;
    RETURN true;
END
$$;

COMMENT ON FUNCTION tasker_bench_unschedule(text) IS
    'Removes a job made by tasker_bench_schedule (and its pg_cron job); false when you have no job of that name';
