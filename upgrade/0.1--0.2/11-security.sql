-- 0.1 -> 0.2, issue 11 (security): tables, policies, triggers and row level
-- security settings.  Functions, views and grants come from the generated
-- part of the upgrade; the few functions the DDL below needs are created
-- here first (the generated part replaces them with their definitions in
-- sql_src/, so it must use CREATE OR REPLACE for them: policies and
-- triggers depend on them).  This file renames tasker_bench.schedules to
-- schedule_jobs, so it runs before the generated views (one of which is the
-- new view tasker_bench.schedules).  At its end the upgrade runs
-- sql_src/99_privileges.sql again (FORCE row level security, REVOKE from
-- PUBLIC, pinned search_path).

CREATE OR REPLACE FUNCTION tasker_bench._key_from_sequence() RETURNS trigger
    AS 'MODULE_PATHNAME', 'tb_key_from_sequence' LANGUAGE C;
CREATE OR REPLACE FUNCTION tasker_bench._own_run(p_run bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM tasker_bench.runs r
                    WHERE r.id = p_run AND r.run_by = current_user)
$$;
-- placeholder body; the generated part gives the function its definition
CREATE OR REPLACE FUNCTION tasker_bench._unschedule_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$ BEGIN END $$;

-- runs, results, phases: keys from the sequence, rows only into one's own runs
CREATE TRIGGER runs_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.runs
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.runs_id_seq');
DROP POLICY results_own ON tasker_bench.results;
CREATE POLICY results_own ON tasker_bench.results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
DROP POLICY phase_results_own ON tasker_bench.phase_results;
CREATE POLICY phase_results_own ON tasker_bench.phase_results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

-- models: one row per schema and role, row level security, the schema's OID
ALTER TABLE tasker_bench.models ADD COLUMN schema_oid oid;
ALTER TABLE tasker_bench.models DROP CONSTRAINT models_pkey;
ALTER TABLE tasker_bench.models ADD CONSTRAINT models_pkey PRIMARY KEY (schema_name, created_by);
ALTER TABLE tasker_bench.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_own ON tasker_bench.models FOR ALL
    USING (created_by = current_user) WITH CHECK (created_by = current_user);

-- scales
CREATE TRIGGER scales_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.scales
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.scales_id_seq');

-- baselines and A/B results only for one's own runs
DROP POLICY baselines_own ON tasker_bench.baselines;
CREATE POLICY baselines_own ON tasker_bench.baselines FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
DROP POLICY ab_results_own ON tasker_bench.ab_results;
CREATE POLICY ab_results_own ON tasker_bench.ab_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

-- queues: built-in and own queues, own messages; existing messages become
-- the upgrading role's
ALTER TABLE tasker_bench.queue_messages ADD COLUMN sent_by name NOT NULL DEFAULT current_user;
ALTER TABLE tasker_bench.queue_archive ADD COLUMN sent_by name NOT NULL DEFAULT current_user;
ALTER TABLE tasker_bench.queue_archive DROP CONSTRAINT queue_archive_pkey;
ALTER TABLE tasker_bench.queue_archive ADD CONSTRAINT queue_archive_pkey PRIMARY KEY (msg_id, sent_by);
ALTER TABLE tasker_bench.queues ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.queue_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.queue_archive ENABLE ROW LEVEL SECURITY;
CREATE POLICY queues_read ON tasker_bench.queues FOR SELECT
    USING (builtin OR created_by = current_user);
CREATE POLICY queues_own ON tasker_bench.queues FOR ALL
    USING (created_by = current_user AND NOT builtin)
    WITH CHECK (created_by = current_user AND NOT builtin);
CREATE POLICY queue_messages_own ON tasker_bench.queue_messages FOR ALL
    USING (sent_by = current_user) WITH CHECK (sent_by = current_user);
CREATE POLICY queue_archive_own ON tasker_bench.queue_archive FOR ALL
    USING (sent_by = current_user) WITH CHECK (sent_by = current_user);
CREATE TRIGGER queue_messages_key BEFORE INSERT OR UPDATE OF msg_id ON tasker_bench.queue_messages
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('msg_id', 'tasker_bench.queue_messages_msg_id_seq');

-- lifecycle templates: read by all, written by none
ALTER TABLE tasker_bench.lifecycle_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY lifecycle_templates_read ON tasker_bench.lifecycle_templates FOR SELECT USING (true);

-- statements and alerts only for one's own runs; alert ids from the sequence
DROP POLICY statement_results_own ON tasker_bench.statement_results;
CREATE POLICY statement_results_own ON tasker_bench.statement_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
DROP POLICY alerts_own ON tasker_bench.alerts;
CREATE POLICY alerts_own ON tasker_bench.alerts FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
CREATE TRIGGER alerts_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.alerts
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.alerts_id_seq');

-- schedules: the table becomes schedule_jobs (its constraints keep their
-- names); the view tasker_bench.schedules adds pg_cron's last status
ALTER TABLE tasker_bench.schedules RENAME TO schedule_jobs;
-- PostgreSQL 18 keeps NOT NULL constraints in pg_constraint, named after the
-- table they were made on: give them the names a fresh install has
DO $rename$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.conname FROM pg_catalog.pg_constraint c
              WHERE c.conrelid = 'tasker_bench.schedule_jobs'::regclass AND c.contype = 'n'
                AND c.conname LIKE 'schedules\_%'
    LOOP
        EXECUTE format('ALTER TABLE tasker_bench.schedule_jobs RENAME CONSTRAINT %I TO %I',
                       r.conname, 'schedule_jobs' || substr(r.conname, length('schedules') + 1));
    END LOOP;
END
$rename$;
COMMENT ON TABLE tasker_bench.schedule_jobs IS
    'pg_cron jobs made by tasker_bench_schedule: each runs CALL tasker_bench_run_suite(what, baseline, '
    'label => ''scheduled:<job_name>'') on its cron schedule, as the role that scheduled it';
CREATE EVENT TRIGGER tasker_bench_unschedule_on_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION tasker_bench._unschedule_on_drop();

-- row level security forced on every table (99_privileges.sql does it
-- generically too)
ALTER TABLE tasker_bench.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.runs FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.results FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.phase_results FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.models FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.scales FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.baselines FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.suite_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.ab_results FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.queues FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.queue_messages FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.queue_archive FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.lifecycle_templates FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.statement_results FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.alerts FORCE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.schedule_jobs FORCE ROW LEVEL SECURITY;
