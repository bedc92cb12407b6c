-- issue 13: a case's history is read by case name (the noise floor of
-- tasker_bench_compare, tasker_bench.change_points).
CREATE INDEX IF NOT EXISTS results_case_run ON tasker_bench.results (case_name, run_id);
