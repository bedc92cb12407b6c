-- The extension's own schema: the histogram type, the tables of cases,
-- runs and results, and internal functions.  User-facing functions are
-- created in the schema CREATE EXTENSION installs into (normally public),
-- so they are callable unqualified.
CREATE SCHEMA tasker_bench;
COMMENT ON SCHEMA tasker_bench IS 'tasker_bench: cases, runs, results and the histogram type';
