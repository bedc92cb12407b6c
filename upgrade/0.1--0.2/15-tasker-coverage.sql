-- issue 15: the suite tasker covers every tasker-core SQL function, built-in
-- cases name their schema with the placeholder {schema}, and runs take a
-- schema.  Needs the 0.2 functions of sql_src/62_tasker_coverage.sql
-- (created by the generated part of the upgrade before this file runs).
SELECT tasker_bench._refresh_tasker_cases();
-- signatures that gained an argument (a leftover overload would make calls ambiguous)
DROP FUNCTION IF EXISTS tasker_bench._cases_for(text);
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_run(text, bigint, interval, interval, text, boolean);
