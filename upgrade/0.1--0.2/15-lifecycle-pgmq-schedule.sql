-- issue 15: the lifecycle creates the steps of decision and batch points when
-- they complete (lifecycle_templates gains created_after and branch_group;
-- its rows, now with conditional5 and batch7, are refreshed by the generated
-- part), its queue calls go to pgmq when it is installed (lifecycle_run and
-- its wrappers gain a queue argument), and a schedule names the tasker schema
-- its runs measure.
ALTER TABLE tasker_bench.lifecycle_templates
    ADD COLUMN created_after integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN branch_group integer[] NOT NULL DEFAULT '{}';
ALTER TABLE tasker_bench.schedule_jobs ADD COLUMN schema text NOT NULL DEFAULT 'tasker';
-- signatures that gained an argument or changed their result (a leftover
-- overload would make calls ambiguous)
DROP FUNCTION IF EXISTS tasker_bench.lifecycle_run(text, text);
DROP FUNCTION IF EXISTS tasker_bench.lifecycle_e2e(text);
DROP FUNCTION IF EXISTS tasker_bench.lifecycle_orchestration_cycle(text);
DROP FUNCTION IF EXISTS tasker_bench.lifecycle_worker_cycle(text);
DROP FUNCTION IF EXISTS tasker_bench._lc_template(text);
DROP FUNCTION IF EXISTS tasker_bench._lc_task_init(text, integer);
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_schedule(text, text, text, text);
