-- tasker_bench.max_write_iterations: a statement that writes stops after
-- that many iterations of a time budget; one that only reads does not.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
CREATE TABLE wc (id int PRIMARY KEY, v int);
INSERT INTO wc SELECT g, 0 FROM generate_series(1, 10) g;
CREATE FUNCTION wc_read() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT sum(v)::int FROM wc';

-- a write, rolled back after each iteration: capped (warmup too), and blocks by count
SET tasker_bench.max_write_iterations = 40;
SELECT n <= 40 AS capped
  FROM tasker_bench_measure('UPDATE wc SET v = v + 1 WHERE id = 1', duration => '300 ms', warmup => '50 ms');
SELECT rolled_back, warmup_n <= 40 AS warmup_capped, cardinality(block_medians_ns) >= 5 AS blocks, cardinality(probe_medians_ns) = cardinality(block_medians_ns) AS probes
  FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;
-- rows locked count as writing
SELECT n <= 40 AS capped FROM tasker_bench_measure('SELECT * FROM wc WHERE id = 2 FOR UPDATE', duration => '300 ms', warmup => '0');
-- a volatile function that only reads is not capped
SELECT n > 40 AS not_capped FROM tasker_bench_measure('SELECT wc_read()', duration => '300 ms', warmup => '0');
-- an explicit count is honoured
SELECT n FROM tasker_bench_measure('UPDATE wc SET v = v + 1 WHERE id = 1', iterations => 100, warmup => '0');
-- 0: no cap
SET tasker_bench.max_write_iterations = 0;
SELECT n > 40 AS not_capped FROM tasker_bench_measure('UPDATE wc SET v = v + 1 WHERE id = 1', duration => '300 ms', warmup => '0');
RESET tasker_bench.max_write_iterations;
-- the data is as it was
SELECT sum(v) AS unchanged FROM wc;
SHOW tasker_bench.max_write_iterations;
DROP FUNCTION wc_read();
DROP TABLE wc;

-- tasker_bench.vacuum_written: the tables a case's rolled-back writes grew
-- are vacuumed after it, so the planner sees them as the last VACUUM left
-- them (its page count current, every page all-visible); off, they are not
CREATE TABLE wv (id int PRIMARY KEY, pad text);
INSERT INTO wv SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g;
VACUUM ANALYZE wv;
CREATE VIEW wv_state AS
SELECT c.relpages = pg_relation_size('wv') / current_setting('block_size')::int AS page_count_current,
       c.relallvisible = c.relpages AS all_visible
  FROM pg_class c WHERE c.oid = 'wv'::regclass;
SELECT * FROM wv_state;
SELECT n FROM tasker_bench_measure('INSERT INTO wv SELECT g, repeat(''y'', 100) FROM generate_series(100001, 100500) g',
                                   iterations => 5, warmup => '0');
SELECT * FROM wv_state;
SELECT count(*) AS rows_unchanged FROM wv;
SET tasker_bench.vacuum_written = off;
SELECT n FROM tasker_bench_measure('INSERT INTO wv SELECT g, repeat(''y'', 100) FROM generate_series(100001, 100500) g',
                                   iterations => 20, warmup => '0');
SELECT page_count_current AS vacuumed FROM wv_state;
RESET tasker_bench.vacuum_written;
-- the worker's input: NULL, no OID, an OID of nothing: nothing to do, no error
SELECT pg_typeof(tasker_bench._vacuum(NULL)) AS null_ok, pg_typeof(tasker_bench._vacuum('{}')) AS empty_ok,
       pg_typeof(tasker_bench._vacuum('{0,NULL}')) AS invalid_ok,
       pg_typeof(tasker_bench._vacuum('{4294967000}')) AS missing_ok;
SELECT tasker_bench._vacuum_written('{}') >= 0 AS counted;
DROP VIEW wv_state;
DROP TABLE wv;
