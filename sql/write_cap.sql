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
