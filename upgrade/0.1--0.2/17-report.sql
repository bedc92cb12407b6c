-- Issue 17: tasker_bench_report gained detail and runs (format html); the
-- three-argument function of 0.1 goes, the generated part creates the new one.
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_report(bigint, text, text);
