-- Security: who runs what.  Two LOGIN roles with exactly the README's
-- grants try what a hostile user would; the superuser runs suites they
-- planted cases in.  Each attempt must be a clear error or have no effect.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

CREATE ROLE regress_tb_alice LOGIN;
CREATE ROLE regress_tb_bob LOGIN;
CREATE ROLE regress_tb_nobody LOGIN;
-- the README's grants for a benchmarking role
GRANT USAGE ON SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;

-- ---- the catalog: rules that hold for every object ----

-- no SECURITY DEFINER function
SELECT p.proname FROM pg_proc p
  JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'tasker_bench'
 WHERE p.prosecdef;
-- every table has row level security, enabled and forced
SELECT c.relname AS without_forced_rls FROM pg_class c
  JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'tasker_bench'
 WHERE c.relkind IN ('r', 'p') AND NOT (c.relrowsecurity AND c.relforcerowsecurity);
-- no internal function is executable by PUBLIC
SELECT p.oid::regprocedure AS public_internal FROM pg_proc p
 WHERE p.pronamespace = 'tasker_bench'::regnamespace AND p.proname LIKE '\_%'
   AND has_function_privilege('regress_tb_nobody', p.oid, 'EXECUTE');
-- the SQL and PL/pgSQL routines, internal and user-facing, that keep the
-- caller's search_path: they run the user's statements (or are a procedure
-- that commits, or are called per iteration); every other one pins it
SELECT p.proname AS keeps_callers_search_path FROM pg_proc p
  JOIN pg_language l ON l.oid = p.prolang AND l.lanname IN ('sql', 'plpgsql')
  JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'tasker_bench'
 WHERE (p.proname LIKE '\_%' OR p.proname LIKE 'tasker\_bench\_%')
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=pg\_catalog,%')
 ORDER BY 1;
SELECT count(*) > 50 AS many_pinned FROM pg_proc p
 WHERE EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=pg\_catalog,%pg\_temp');

-- ---- 1. planted cases do not run in another role's run ----

-- bob plants cases in the built-in suite, in the admin's suite "adm", and
-- a case named like the admin's suite "slow"
SET SESSION AUTHORIZATION regress_tb_bob;
SELECT tasker_bench_register('zzz_trojan', $$UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'regress_tb_bob'$$,
                             suite => 'tasker', rollback => false);
SELECT tasker_bench_register('zzz_trojan_adm', $$UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'regress_tb_bob'$$,
                             suite => 'adm', rollback => false);
SELECT tasker_bench_register('slow', $$UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'regress_tb_bob'$$,
                             rollback => false);
\set VERBOSITY terse
-- a built-in suite's or case's name is not his to take, nor to replace
SELECT tasker_bench_register('tasker', 'SELECT 1');
SELECT tasker_bench_register('bob/x', 'SELECT 1', suite => 'get_next_ready_tasks/batch_1');
SELECT tasker_bench_register('get_next_ready_tasks/batch_1', 'SELECT 1', replace => true);
SELECT tasker_bench_unregister('get_next_ready_tasks/batch_1');
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- the superuser's own suites "adm" and "slow" run only the superuser's cases
SELECT tasker_bench_register('adm/one', 'SELECT 1', suite => 'adm');
SELECT tasker_bench_register('adm/slow', 'SELECT 2', suite => 'slow');
SELECT case_name FROM tasker_bench_run('adm', iterations => 1);
SELECT case_name FROM tasker_bench_run('slow', iterations => 1);
CALL tasker_bench_run_suite('adm', iterations => 1);
SELECT r.case_name FROM tasker_bench.results r
 WHERE r.run_id = (SELECT max(id) FROM tasker_bench.runs WHERE run_by = current_user);
-- built-in cases cannot be replaced or removed by the superuser either
\set VERBOSITY terse
SELECT tasker_bench_register('get_next_ready_tasks/batch_1', 'SELECT 1', replace => true);
SELECT tasker_bench_unregister('get_next_ready_tasks/batch_1');
\set VERBOSITY default
-- and bob is no superuser
SELECT rolsuper AS bob_is_superuser FROM pg_roles WHERE rolname = 'regress_tb_bob';

-- alice's suite procedure (the scheduled path: the job calls it as its
-- role) runs only her cases, though bob planted one in her suite
SET SESSION AUTHORIZATION regress_tb_bob;
SELECT tasker_bench_register('bob/in_alices', 'SELECT 3', suite => 'alice');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_tb_alice;
SELECT tasker_bench_register('alice/one', 'SELECT 1', suite => 'alice');
CALL tasker_bench_run_suite('alice', iterations => 1);
SELECT r.case_name, r.run_by FROM tasker_bench.results r;
SELECT case_name FROM tasker_bench_run('alice', iterations => 1);
RESET SESSION AUTHORIZATION;

-- bob sees none of alice's cases, runs or results, and changes none
SET SESSION AUTHORIZATION regress_tb_bob;
SELECT count(*) AS bob_sees_alices_cases FROM tasker_bench.cases WHERE owner = 'regress_tb_alice';
SELECT count(*) AS bob_sees_runs FROM tasker_bench.runs;
SELECT count(*) AS bob_sees_results FROM tasker_bench.results;
UPDATE tasker_bench.runs SET label = 'bob was here';
DELETE FROM tasker_bench.results;
DELETE FROM tasker_bench.cases WHERE owner = 'regress_tb_alice';
\set VERBOSITY terse
SELECT * FROM tasker_bench_run('alice/one', iterations => 1);
SELECT tasker_bench_register('alice/one', 'SELECT 2', replace => true);
SELECT tasker_bench_unregister('alice/one');
INSERT INTO tasker_bench.runs (kind, what, started_at, status, environment, run_by)
VALUES ('run', 'forged', now(), 'completed', '{}', 'regress_tb_alice');
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_tb_alice;
SELECT count(*) AS alice_runs, count(*) FILTER (WHERE label IS NOT NULL) AS labelled FROM tasker_bench.runs;
SELECT count(*) AS alice_results FROM tasker_bench.results;
RESET SESSION AUTHORIZATION;

-- ---- 2./3. models: nothing is executed from it, no guard can be planted ----

CREATE SCHEMA adm_model;
SELECT tasker_bench_setup('adm_model');
-- the superuser's lookup of the built-in suite finds the built-in cases and
-- none of bob's (who planted one in it above)
SELECT count(*) FILTER (WHERE NOT c.builtin) AS not_builtin, count(*) > 25 AS builtins
  FROM unnest((tasker_bench._cases_for('tasker', 'adm_model')).cases) c;
CREATE SCHEMA alice_real AUTHORIZATION regress_tb_alice;
SET SESSION AUTHORIZATION regress_tb_alice;
SELECT tasker_bench_setup('alice_real');
SET client_min_messages = error;
SELECT tasker_bench_fixture(10, schema => 'alice_real') IS NOT NULL AS alice_has_data;
SET client_min_messages = warning;
-- alice's schema is hers now, not a model: she forgets the model row
DELETE FROM tasker_bench.models;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_tb_bob;
-- bob sees no model rows of others and changes none
SELECT count(*) AS bob_sees_models FROM tasker_bench.models;
UPDATE tasker_bench.models SET objects = ARRAY['table adm_model.tasks CASCADE; ALTER ROLE regress_tb_bob SUPERUSER; --'];
\set VERBOSITY terse
-- cannot write rows in another role's name
INSERT INTO tasker_bench.models (schema_name, created_schema, objects, created_by)
VALUES ('alice_real', true, '{}', 'regress_tb_alice');
\set VERBOSITY default
-- rows of his own change nothing for anyone else
INSERT INTO tasker_bench.models (schema_name, created_schema, objects)
VALUES ('alice_real', true, '{}'),
       ('adm_model', false, ARRAY['table adm_model.tasks CASCADE; ALTER ROLE regress_tb_bob SUPERUSER; --']);
-- and his own teardown of them executes nothing of the text
\set VERBOSITY terse
SELECT tasker_bench_teardown('adm_model');
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
SELECT rolsuper AS bob_is_superuser FROM pg_roles WHERE rolname = 'regress_tb_bob';
SELECT to_regclass('adm_model.tasks') IS NOT NULL AS adm_tasks_still_there;

-- alice's fixture does not take bob's row for hers: her tasks stay
SET SESSION AUTHORIZATION regress_tb_alice;
\set VERBOSITY terse
SELECT tasker_bench_fixture(10, schema => 'alice_real');
\set VERBOSITY default
SELECT count(*) > 0 AS alice_tasks_kept FROM alice_real.tasks;
RESET SESSION AUTHORIZATION;
-- the admin's teardown drops by the catalogs
SELECT tasker_bench_teardown('adm_model');
SELECT to_regclass('adm_model.tasks') IS NULL AS adm_model_tables_gone;
SELECT rolsuper AS bob_is_superuser FROM pg_roles WHERE rolname = 'regress_tb_bob';

-- ---- 4. keys only from their sequences ----

SET SESSION AUTHORIZATION regress_tb_bob;
\set VERBOSITY terse
-- ids the sequence will hand out next cannot be taken
INSERT INTO tasker_bench.runs (id, kind, what, started_at, status, environment)
SELECT n + i, 'run', 'squat', now(), 'completed', '{}'
  FROM (SELECT nextval('tasker_bench.runs_id_seq') AS n) s, generate_series(1, 1000) i;
INSERT INTO tasker_bench.alerts (id, run_id, case_name, baseline, verdict)
SELECT 1000000, max(id), 'x', 'y', 'regressed' FROM tasker_bench.runs;
INSERT INTO tasker_bench.queue_messages (msg_id, queue_name, vt, message)
OVERRIDING SYSTEM VALUE VALUES (1000000, 'orchestration_step_results', now(), '{}');
-- a run of his own gets its id from the default, and keeps it
INSERT INTO tasker_bench.runs (kind, what, started_at, status, environment)
VALUES ('run', 'bob by hand', now(), 'completed', '{}');
UPDATE tasker_bench.runs SET id = id + 1000 WHERE what = 'bob by hand';
-- the failure recorder writes only the run this session is running
SELECT tasker_bench._record_failure('{"id": 999999, "kind": "run", "what": "forged", "started_at": "2020-01-01"}');
\set VERBOSITY default
SELECT count(*) AS bob_runs_by_hand FROM tasker_bench.runs WHERE what = 'bob by hand';
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_tb_alice;
SELECT count(*) AS alice_runs_fine FROM tasker_bench_run('alice/one', iterations => 1);
-- no row of bob's can go into alice's runs
RESET SESSION AUTHORIZATION;
SELECT max(id) AS alice_run FROM tasker_bench.runs WHERE run_by = 'regress_tb_alice' \gset
SET SESSION AUTHORIZATION regress_tb_bob;
\set VERBOSITY terse
INSERT INTO tasker_bench.alerts (run_id, case_name, baseline, verdict) VALUES (:alice_run, 'x', 'y', 'regressed');
INSERT INTO tasker_bench.phase_results (run_id, case_name, phase, ordinal, n, histogram)
VALUES (:alice_run, 'alice/one', 'p', 1, 0, 'n=0');
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- ---- 5. queues, templates, alerts, internal functions ----

SET SESSION AUTHORIZATION regress_tb_alice;
SELECT tasker_bench.queue_create('alice_q');
SELECT tasker_bench.queue_send('alice_q', '{"secret": 1}') > 0 AS sent;
SELECT tasker_bench.queue_send('orchestration_step_results', '{"secret": 2}') > 0 AS sent_builtin;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_tb_bob;
SELECT count(*) AS bob_sees_messages FROM tasker_bench.queue_messages;
SELECT count(*) AS bob_reads_builtin FROM tasker_bench.queue_read('orchestration_step_results', 30, 10);
SELECT tasker_bench.queue_purge('orchestration_step_results') AS bob_purged;
DELETE FROM tasker_bench.queues;
\set VERBOSITY terse
SELECT tasker_bench.queue_read('alice_q', 30);
SELECT tasker_bench.queue_drop('alice_q');
SELECT tasker_bench.queue_drop('orchestration_step_results');
INSERT INTO tasker_bench.lifecycle_templates VALUES ('evil', '{a}', '{}', '{}');
\set VERBOSITY default
UPDATE tasker_bench.lifecycle_templates SET step_names = '{evil}';
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_tb_alice;
SELECT count(*) AS alice_messages FROM tasker_bench.queue_messages;
SELECT tasker_bench.queue_drop('alice_q');
RESET SESSION AUTHORIZATION;
SELECT count(*) FILTER (WHERE 'evil' = ANY (step_names)) AS templates_changed FROM tasker_bench.lifecycle_templates;

-- the alert channel carries only the run id; a NOTIFY anyone sends makes no alert
SELECT prosrc ~ 'pg_notify\(''tasker_bench_alerts'', json_build_object\(''run_id'', p_run\)::text\)' AS payload_is_run_id_only
  FROM pg_proc WHERE oid = 'tasker_bench._alert(bigint,text,text,float8,text,jsonb)'::regprocedure;
SET SESSION AUTHORIZATION regress_tb_bob;
NOTIFY tasker_bench_alerts, '{"run_id": 1, "case": "fake", "verdict": "regressed"}';
RESET SESSION AUTHORIZATION;
SELECT count(*) AS alerts FROM tasker_bench.alerts;

-- a role without the grants cannot start the failure recorder's worker
-- (even with USAGE on the schema)
GRANT USAGE ON SCHEMA tasker_bench TO regress_tb_nobody;
SET SESSION AUTHORIZATION regress_tb_nobody;
\set VERBOSITY terse
SELECT tasker_bench._record_failure('{}');
SELECT count(*) FROM tasker_bench.runs;
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 1);
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- ---- 6. robustness ----

SET SESSION AUTHORIZATION regress_tb_alice;
-- a case that runs itself: one clear error, one failed run
SELECT tasker_bench_register('alice/self', $$SELECT count(*) FROM tasker_bench_run('alice/self', iterations => 1)$$);
\set VERBOSITY terse
SELECT * FROM tasker_bench_run('alice/self', iterations => 1);
\set VERBOSITY default
SELECT status, failed_case, error FROM tasker_bench.runs WHERE what = 'alice/self';
-- names too long, replace => NULL, tolerance_pct => NaN: refused up front
\set VERBOSITY terse
SELECT tasker_bench_register(repeat('n', 1001), 'SELECT 1');
SELECT tasker_bench_register('alice/s', 'SELECT 1', suite => repeat('s', 1001));
SELECT * FROM tasker_bench_measure('SELECT 1 AS ' || repeat('x', 1001), iterations => 1);
SELECT tasker_bench_register('alice/one', 'SELECT 2', suite => 'alice', replace => NULL);
SELECT tasker_bench_register('alice/nan', 'SELECT 1', tolerance_pct => 'NaN');
SELECT tasker_bench_register('alice/inf', 'SELECT 1', tolerance_pct => 'Infinity');
\set VERBOSITY default
-- a run left 'running' by a backend that is gone is marked interrupted by the next run
INSERT INTO tasker_bench.runs (kind, what, started_at, status, environment)
VALUES ('run', 'crashed', now() - interval '1 minute', 'running', '{"backend_pid": 999999999}');
SELECT count(*) FROM tasker_bench_measure('SELECT 1', iterations => 1);
SELECT status, error FROM tasker_bench.runs WHERE what = 'crashed';
-- the params query runs once per run and case (validation, measurement
-- and EXPLAIN share its rows)
CREATE SEQUENCE pg_temp.params_calls;
SELECT count(*) FROM tasker_bench_measure('SELECT $1::bigint', params => 'SELECT nextval(''params_calls'') FROM generate_series(1, 3)',
                                          iterations => 5);
SELECT last_value AS params_rows_fetched FROM pg_temp.params_calls;
DROP SEQUENCE pg_temp.params_calls;
-- errors in the user's SQL point into the user's statement
\set VERBOSITY default
SELECT * FROM tasker_bench_measure('SELECT nocol FROM pg_class', iterations => 1);
SELECT tasker_bench_register('alice/div', 'SELECT 1/0', rollback => true);
SET tasker_bench.record_failures = off;
DO $$
DECLARE v_msg text; v_ctx text;
BEGIN
    PERFORM * FROM tasker_bench_run('alice/div', iterations => 1);
EXCEPTION WHEN division_by_zero THEN
    GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_ctx = PG_EXCEPTION_CONTEXT;
    -- the first CONTEXT line names the case (the run id varies: masked)
    RAISE WARNING '%: %', v_msg, regexp_replace(split_part(v_ctx, E'\n', 1), 'of run [0-9]+', 'of run N');
END $$;
RESET tasker_bench.record_failures;
RESET SESSION AUTHORIZATION;

-- a prune racing a baseline: the baseline another transaction made (here:
-- one alice cannot see) makes a clear error, nothing is deleted
SELECT min(id) AS alice_first FROM tasker_bench.runs WHERE run_by = 'regress_tb_alice' AND status = 'completed' \gset
INSERT INTO tasker_bench.baselines (name, run_id, run_by) VALUES ('raced', :alice_first, 'regress_tb_bob');
SET SESSION AUTHORIZATION regress_tb_alice;
\set VERBOSITY terse
SELECT tasker_bench_prune('0');
\set VERBOSITY default
SELECT count(*) > 0 AS alice_runs_kept FROM tasker_bench.runs;
RESET SESSION AUTHORIZATION;
DELETE FROM tasker_bench.baselines WHERE name = 'raced';

-- histograms: counts beyond bigint, an m2 beyond what min and max allow,
-- NaN for the clock cost or block medians: refused; merges keep m2
SELECT tasker_bench.hcount('n=18446744073709551615;min=5;max=5;sum=92233720368547758075;m2=0;b=5:18446744073709551615');
SELECT 'n=2;min=5;max=9;sum=14;m2=100000;b=5:1,9:1'::tasker_bench.histogram;
\set VERBOSITY terse
SELECT n FROM tasker_bench.hsummary('n=2;min=5;max=9;sum=14;m2=8;b=5:1,9:1', 'NaN');
SELECT verdict FROM tasker_bench.hcompare('n=2;min=5;max=9;sum=14;m2=8;b=5:1,9:1', 'n=2;min=5;max=9;sum=14;m2=8;b=5:1,9:1',
                                          2, 0.05, 0.95, ARRAY['NaN', 1, 1, 1, 1, 1]::float8[], ARRAY[1, 1, 1, 1, 1, 1]::float8[]);
\set VERBOSITY default
SELECT tasker_bench.hstddev(tasker_bench.histogram_merge(h)) > 0 AS merged_stddev_kept
  FROM (SELECT tasker_bench.histogram_agg(v) AS h
          FROM (VALUES (1::bigint), (9223372036854775000)) x(v), generate_series(1, 2)
         GROUP BY generate_series) s;
-- tasker_bench.count beyond bigint is an error, not a wrap
SET SESSION AUTHORIZATION regress_tb_alice;
\set VERBOSITY terse
SET tasker_bench.record_failures = off;
SELECT * FROM tasker_bench_measure('SELECT tasker_bench.count(''c'', 9223372036854775807)', iterations => 2, warmup => '0');
RESET tasker_bench.record_failures;
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- clean up
SET client_min_messages = warning;
DROP SCHEMA alice_real CASCADE;
DELETE FROM tasker_bench.runs WHERE run_by LIKE 'regress_tb_%' OR (run_by = current_user AND what IN ('adm', 'slow'));
DELETE FROM tasker_bench.cases WHERE NOT builtin AND (owner = current_user OR owner LIKE 'regress_tb_%');
DELETE FROM tasker_bench.models WHERE created_by LIKE 'regress_tb_%';
DELETE FROM tasker_bench.queue_messages WHERE sent_by LIKE 'regress_tb_%';
REVOKE ALL ON ALL TABLES IN SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
REVOKE ALL ON SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob, regress_tb_nobody;
DROP ROLE regress_tb_alice;
DROP ROLE regress_tb_bob;
DROP ROLE regress_tb_nobody;
