-- Plan fingerprints that do not cry wolf (issue 13): the fingerprint of a case whose statement
-- calls a PL/pgSQL function does not depend on what the session ran before (the nested
-- statement's cached plan source is shared by every caller, and with plan_cache_mode = auto
-- its choice between a custom and the generic plan depends on all the custom plans built
-- before), while a real plan change (an index dropped, enable_indexscan off, plans forced
-- generic where the generic plan differs) changes it.  Nothing here depends on timings.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
CREATE SCHEMA ps;
-- skewed: v = 0 in 90 % of the rows, 1..1000 in the rest; a custom plan for 0 scans the
-- table, one for a rare value and the generic plan use the index
CREATE TABLE ps.t (id int PRIMARY KEY, v int, pad text);
INSERT INTO ps.t SELECT g, CASE WHEN g % 10 = 0 THEN g % 1000 + 1 ELSE 0 END, repeat('x', 50)
  FROM generate_series(1, 20000) g;
CREATE INDEX ps_t_v ON ps.t (v);
ANALYZE ps.t;
CREATE FUNCTION ps.f(x int) RETURNS bigint LANGUAGE plpgsql STABLE
AS $$ BEGIN RETURN (SELECT count(*) FROM ps.t WHERE v = x); END $$;
SELECT tasker_bench_register('ps/common', 'SELECT ps.f(0)', suite => 'ps');
SELECT tasker_bench_register('ps/rare', 'SELECT ps.f(7)', suite => 'ps');

-- three runs on unchanged data, the session's plan cache stirred between them with calls of
-- other values (as other cases calling the same function would): one fingerprint per case
SELECT count(*) FROM tasker_bench_run('ps', iterations => 20, warmup => '0');
SELECT count(ps.f(g % 1000 + 1)) FROM generate_series(1, 50) g;
SELECT count(*) FROM tasker_bench_run('ps', iterations => 7, warmup => '0');
SELECT count(ps.f(0)) FROM generate_series(1, 30) g;
SELECT count(*) FROM tasker_bench_run('ps', iterations => 40, warmup => '0');
SELECT case_name, count(*) AS runs,
       count(DISTINCT tasker_bench._plan_fingerprint(explain)) AS fingerprints
  FROM tasker_bench.results r JOIN tasker_bench.runs ru ON ru.id = r.run_id
 WHERE ru.what = 'ps' GROUP BY case_name ORDER BY case_name;
-- the shape: node types, relations, indexes (sorted), no costs or rows; the common value's
-- custom plan differs from the generic one, so both are named
SELECT case_name,
       explain->0->>'Plan Shape' LIKE 'custom plans:%generic plans:%' AS both_named,
       explain->0->>'Plan Shape' LIKE '%SeqScan t%' AS seqscan,
       explain->0->>'Plan Shape' LIKE '%using ps_t_v%' AS index,
       explain->0->>'Plan Shape' !~ 'cost|rows|[0-9]\.[0-9]' AS no_costs
  FROM tasker_bench.results WHERE run_id = (SELECT max(id) FROM tasker_bench.runs WHERE what = 'ps')
 ORDER BY case_name;
SELECT (tasker_bench_baseline('ps-base')).name;

-- real plan changes: plans forced generic (the common value's plan is then the index's),
-- index scans off (enable_indexscan, enable_indexonlyscan, enable_bitmapscan), the index dropped
SET plan_cache_mode = force_generic_plan;
SELECT count(*) FROM tasker_bench_run('ps', iterations => 20, warmup => '0');
RESET plan_cache_mode;
SELECT case_name, plan_changed FROM tasker_bench_compare_plans('ps-base') ORDER BY case_name;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
-- (a cached generic plan keeps its shape after a SET until something invalidates it; and so
-- does the measured loop, so the fingerprint shows it as it is; DISCARD PLANS replans)
DISCARD PLANS;
SELECT count(*) FROM tasker_bench_run('ps', iterations => 20, warmup => '0');
RESET enable_indexscan;
RESET enable_indexonlyscan;
RESET enable_bitmapscan;
SELECT case_name, plan_changed FROM tasker_bench_compare_plans('ps-base') ORDER BY case_name;
DROP INDEX ps.ps_t_v;
SELECT count(*) FROM tasker_bench_run('ps', iterations => 20, warmup => '0');
SELECT case_name, plan_changed, current_shape LIKE '%ps_t_v%' AS index_named
  FROM tasker_bench_compare_plans('ps-base') ORDER BY case_name;

-- clean up
DELETE FROM tasker_bench.baselines WHERE name = 'ps-base';
DELETE FROM tasker_bench.runs WHERE what = 'ps';
SELECT tasker_bench_unregister(name) FROM tasker_bench.cases WHERE suite = 'ps' ORDER BY name;
DROP SCHEMA ps CASCADE;
