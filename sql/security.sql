-- Security: functions run with the caller's rights; a role sees and
-- changes only its own cases, runs and results; a role without grants
-- can use nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

CREATE ROLE regress_tb_alice;
CREATE ROLE regress_tb_bob;
CREATE ROLE regress_tb_nobody;
GRANT USAGE ON SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO regress_tb_alice, regress_tb_bob;

-- no SECURITY DEFINER function without a pinned search_path
SELECT p.proname FROM pg_proc p
  JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'tasker_bench'
 WHERE p.prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');

SET ROLE regress_tb_alice;
SELECT tasker_bench_register('alice/one', 'SELECT 1', suite => 'alice');
SELECT case_name, n FROM tasker_bench_run('alice', iterations => 10);
SELECT count(*) AS alice_sees_runs FROM tasker_bench.runs;
RESET ROLE;

SET ROLE regress_tb_bob;
-- bob sees none of alice's cases, runs or results
SELECT count(*) AS bob_sees_cases FROM tasker_bench.cases WHERE NOT builtin;
SELECT count(*) AS bob_sees_runs FROM tasker_bench.runs;
SELECT count(*) AS bob_sees_results FROM tasker_bench.results;
-- and changes none of them
UPDATE tasker_bench.runs SET label = 'bob was here';
DELETE FROM tasker_bench.results;
DELETE FROM tasker_bench.cases;
\set VERBOSITY terse
-- cannot run her case, replace or remove it, nor write rows in her name
SELECT * FROM tasker_bench_run('alice/one', iterations => 1);
SELECT tasker_bench_register('alice/one', 'SELECT 2', replace => true);
SELECT tasker_bench_unregister('alice/one');
INSERT INTO tasker_bench.runs (kind, what, started_at, status, environment, run_by)
VALUES ('run', 'forged', now(), 'completed', '{}', 'regress_tb_alice');
\set VERBOSITY default
RESET ROLE;

SET ROLE regress_tb_alice;
SELECT label, status FROM tasker_bench.runs;
SELECT count(*) AS alice_results FROM tasker_bench.results;
RESET ROLE;

-- a role without grants can read nothing and run nothing
SET ROLE regress_tb_nobody;
\set VERBOSITY terse
SELECT count(*) FROM tasker_bench.runs;
SELECT count(*) FROM tasker_bench.results;
SELECT * FROM tasker_bench_measure('SELECT 1', iterations => 1);
\set VERBOSITY default
RESET ROLE;

-- clean up
DELETE FROM tasker_bench.runs WHERE run_by LIKE 'regress_tb_%';
DELETE FROM tasker_bench.cases WHERE owner LIKE 'regress_tb_%';
REVOKE ALL ON ALL TABLES IN SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
REVOKE ALL ON SCHEMA tasker_bench FROM regress_tb_alice, regress_tb_bob;
DROP ROLE regress_tb_alice;
DROP ROLE regress_tb_bob;
DROP ROLE regress_tb_nobody;
