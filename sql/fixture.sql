-- The fixture generator (sql/include/fixture_test.sql on the reference model), and
-- its refusal to empty a tasker schema tasker_bench_setup() did not make.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
SELECT tasker_bench_setup();
\i sql/include/fixture_test.sql
RESET search_path;

-- a schema holding tasker's tables that setup did not make (a real tasker
-- database, as far as the fixture can tell) is never emptied by default
SELECT tasker_bench_setup('not_ours');
DELETE FROM tasker_bench.models WHERE schema_name = 'not_ours';
SELECT f -> 'row_counts' ->> 'tasks' AS into_empty_schema, f -> 'fixture' ->> 'indexes_rebuilt' AS indexes_rebuilt
  FROM (SELECT tasker_bench_fixture(20, schema => 'not_ours') AS f) x;
DO $$
BEGIN
    PERFORM tasker_bench_fixture(20, schema => 'not_ours');
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING '%: %', SQLSTATE, SQLERRM;
END $$;
SELECT count(*) AS tasks_kept FROM not_ours.tasks;
SELECT (tasker_bench_fixture(30, schema => 'not_ours', replace => true)) -> 'row_counts' ->> 'tasks' AS replaced_when_asked;
DROP SCHEMA not_ours CASCADE;
SELECT tasker_bench_teardown();
