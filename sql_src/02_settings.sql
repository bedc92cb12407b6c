-- What the SQL half reads from its surroundings: the setting
-- tasker_bench.quiet (src/quiet.c) and the schema of the user-facing functions.

/* The setting tasker_bench.quiet (src/quiet.c): the extension's NOTICEs of runs are not raised. */
CREATE FUNCTION tasker_bench._quiet() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('tasker_bench.quiet', true), 'off')::boolean
$$;

-- The schema tasker_bench's user-facing functions live in.
-- The schema holding the user-facing functions (tasker_bench_run...): the
-- extension's schema, or public when CREATE EXTENSION chose another schema
-- only because it came first on the search_path (see sql_src/00_schema.sql).
CREATE FUNCTION tasker_bench._ext_schema() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT n.nspname::text
           FROM pg_catalog.pg_depend d
           JOIN pg_catalog.pg_proc p ON p.oid = d.objid AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
           JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          WHERE e.extname = 'tasker_bench' AND d.deptype = 'e' AND p.proname = 'tasker_bench_run'
          LIMIT 1),
        (SELECT n.nspname::text FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'tasker_bench'))
$$;
