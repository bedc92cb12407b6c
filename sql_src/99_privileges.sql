-- Privileges and search_path of everything the files before made (kept last,
-- so that it covers every table and function however they were added; an
-- upgrade script runs this block again at its end).
--
--  1. Row level security is forced on every table of the extension that
--     has it, so the owner of the tables obeys the policies too.
--     (Superusers bypass row level security whatever the table says: the
--     functions filter by owner themselves where a superuser must not see
--     another role's rows, e.g. the case lookup.)
--  2. Internal functions (tasker_bench._*) are not executable by PUBLIC; a
--     benchmarking role gets EXECUTE on them with the grants in the README.
--  3. Every internal (tasker_bench._*) and user-facing (tasker_bench_*) SQL
--     and PL/pgSQL routine pins its search_path to pg_catalog (and the
--     extension's schema when it calls the user-facing functions by name),
--     pg_temp last, so that objects planted earlier on a caller's path cannot
--     stand in for the ones it means.  Not pinned: the routines that run the
--     user's statements (they keep the case's or the caller's search_path,
--     as the README says), the procedure tasker_bench_run_suite (a SET clause
--     forbids its COMMITs), internal routines called per iteration or per
--     row (lifecycle _lc_*, fixture _fx_*), and the helpers in schema
--     tasker_bench made to be called from a case's statement
--     (tasker_bench.phase/count, queue_*, lifecycle_*, sample_*, ...): they
--     run in the case's search_path, and a SET clause would make every call
--     save and restore the setting and stop SQL functions from being
--     inlined, which would change what is measured.  C functions run no SQL
--     of their own but the user's statements and fully qualified internal
--     ones.
DO $privileges$
DECLARE
    v_ext oid := (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'tasker_bench');
    -- where the user-facing functions are (not always extnamespace: 00_schema.sql)
    v_extschema text := tasker_bench._ext_schema();
    v_keep_path constant text[] := ARRAY[
        -- run the user's statements, or parse them as the case would
        'tasker_bench_run', 'tasker_bench_measure', 'tasker_bench_run_suite', 'tasker_bench_ab',
        'tasker_bench_scale', 'tasker_bench_fixture', 'tasker_bench_setup',
        '_validate_cases', '_measure_case', '_execute', '_store_case', '_store_statements',
        '_query_id', '_statements_snapshot', '_statements_since', '_ab_side',
        '_measure_case_clients', '_scale_clients', '_scale_grid', '_scale_step', '_measure_once', '_measure_clients',
        '_validate_notify', '_measure_notify',
        -- sets the case's search_path for the caller (a SET clause would undo it on return)
        '_set_search_path',
        -- records the caller's search_path among the run's settings
        '_environment'];
    -- internal routines called per iteration or per row (lifecycle, fixture)
    v_hot_patterns constant text[] := ARRAY['\_lc\_%', '\_fx\_%'];
    r record;
BEGIN
    FOR r IN
        SELECT c.oid::regclass AS tbl
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_class c ON c.oid = d.objid
         WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_extension'::regclass
           AND d.refobjid = v_ext AND d.deptype = 'e' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
    LOOP
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', r.tbl);
    END LOOP;

    FOR r IN
        SELECT p.oid::regprocedure AS fn, p.proname, p.prokind, l.lanname, p.prosrc,
               n.nspname = 'tasker_bench' AND p.proname LIKE '\_%' AS internal,
               n.nspname <> 'tasker_bench' AND p.proname LIKE 'tasker\_bench\_%' AS user_facing
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_proc p ON p.oid = d.objid
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang
         WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.refclassid = 'pg_catalog.pg_extension'::regclass
           AND d.refobjid = v_ext AND d.deptype = 'e' AND p.prokind IN ('f', 'p')
    LOOP
        IF r.internal THEN
            EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM PUBLIC', r.fn);
        END IF;
        CONTINUE WHEN NOT (r.internal OR r.user_facing)
                   OR r.lanname NOT IN ('sql', 'plpgsql')
                   OR r.proname = ANY (v_keep_path)
                   OR r.proname LIKE ANY (v_hot_patterns)
                   OR r.prokind = 'p';
        EXECUTE format('ALTER ROUTINE %s SET search_path = %s', r.fn,
                       CASE WHEN v_extschema <> 'pg_catalog'
                                 AND r.prosrc ~ '(^|[^.[:alnum:]_])tasker_bench_[a-z_]+\s*\('
                            THEN format('pg_catalog, %I, pg_temp', v_extschema)
                            ELSE 'pg_catalog, pg_temp' END);
    END LOOP;
END
$privileges$;
