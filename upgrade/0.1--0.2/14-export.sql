-- issue 14: runs imported from a file (tasker_bench_import) remember where they came from.
ALTER TABLE tasker_bench.runs ADD COLUMN imported_from jsonb;
