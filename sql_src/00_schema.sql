-- The extension's own schema: the histogram type, the tables of cases,
-- runs and results, and internal functions.  User-facing functions are
-- created in the schema CREATE EXTENSION installs into (normally public),
-- so they are callable unqualified.

CREATE SCHEMA tasker_bench;

COMMENT ON SCHEMA tasker_bench IS 'tasker_bench: cases, runs, results and the histogram type';

-- Where the user-facing functions (tasker_bench_*) go: the schema named by
-- CREATE EXTENSION ... SCHEMA, else public, whatever the session's
-- search_path says.  (Without SCHEMA, PostgreSQL installs into the first
-- schema of the search_path: with tasker-core's "search_path = tasker,
-- public" set on the database that would be the schema tasker.)  Everything
-- created unqualified below lands in the schema chosen here; the extension's
-- own objects are all qualified with tasker_bench.  On an update, the schema
-- the functions are already in is kept.  tasker_bench._ext_schema() finds it.
DO $tbschema$
DECLARE
    v_target text := '@extschema@';
BEGIN
    SELECT n.nspname INTO v_target
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_proc p ON p.oid = d.objid AND d.classid = 'pg_catalog.pg_proc'::regclass
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_extension'::regclass
     WHERE e.extname = 'tasker_bench' AND d.deptype = 'e' AND p.proname = 'tasker_bench_run'
     LIMIT 1;
    IF v_target IS NULL THEN
        v_target := '@extschema@';
        IF v_target <> 'public'
           AND pg_catalog.current_query() !~* '\mextension\s+(if\s+not\s+exists\s+)?"?tasker_bench"?(\s[^;]*)?\mschema\M'
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
            v_target := 'public';
        END IF;
    END IF;
    PERFORM pg_catalog.set_config('search_path', pg_catalog.quote_ident(v_target), true);
END
$tbschema$;
