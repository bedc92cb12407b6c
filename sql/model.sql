-- The reference model of tasker's schema: setup, teardown, and the
-- semantics of its functions (sql/include/model_test.sql).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
RESET client_min_messages;

SELECT tasker_bench_setup();
-- idempotent
SELECT tasker_bench_setup('tasker');
SELECT schema_name, created_schema, cardinality(objects) > 20 AS recorded FROM tasker_bench.models;
-- the objects belong to the user, not to the extension
SELECT count(*) AS extension_members FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
 WHERE d.deptype = 'e' AND c.relnamespace = 'tasker'::regnamespace;

SET search_path = tasker, public;
\i sql/include/model_test.sql
RESET search_path;

-- a schema that is neither empty nor tasker-shaped is refused
CREATE SCHEMA not_tasker;
CREATE TABLE not_tasker.something (x int);
SELECT tasker_bench_setup('not_tasker');
-- an empty existing schema gets the model; teardown leaves the schema
CREATE SCHEMA empty_one;
SELECT tasker_bench_setup('empty_one');
SET client_min_messages = warning;
SELECT tasker_bench_teardown('empty_one');
RESET client_min_messages;
SELECT count(*) AS left_in_empty_one FROM pg_class WHERE relnamespace = 'empty_one'::regnamespace;
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = 'empty_one'::regnamespace;
-- a schema that holds tasker's tables but lacks a function is named as such
CREATE SCHEMA real_tasker;
SET client_min_messages = warning;
SELECT tasker_bench_setup('real_tasker');
RESET client_min_messages;
DELETE FROM tasker_bench.models WHERE schema_name = 'real_tasker';  -- pretend we did not make it
DROP FUNCTION real_tasker.get_step_transitive_dependencies(uuid);
SELECT tasker_bench_setup('real_tasker');
-- teardown refuses a schema it did not create
SELECT tasker_bench_teardown('real_tasker');
SELECT tasker_bench_teardown('not_tasker');
SELECT tasker_bench_setup(NULL);
SET client_min_messages = warning;
DROP SCHEMA real_tasker CASCADE;
DROP SCHEMA not_tasker CASCADE;
DROP SCHEMA empty_one;
SELECT tasker_bench_teardown();
SELECT count(*) AS models_left FROM tasker_bench.models;
