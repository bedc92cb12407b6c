-- The measurement engine through tasker_bench_measure.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

-- a fixed iteration count is honoured exactly; figures are ordered
SELECT n, min_us > 0 AS positive, min_us <= p50_us AND p50_us <= p90_us AND p90_us <= p95_us
       AND p95_us <= p99_us AND p99_us <= p999_us AND p999_us <= max_us AS ordered,
       ops_per_s > 0 AS has_rate, case_name
  FROM tasker_bench_measure('SELECT 1', iterations => 1000, warmup => '0');

-- what was stored matches what was returned
SELECT r.kind, r.status, r.what, s.n, tasker_bench.hcount(s.histogram) = s.n AS histogram_n,
       s.rows_per_call, s.read_only, s.rolled_back, s.param_sets, s.clock_ns > 0 AS clock_measured,
       s.warmup_n, r.environment ? 'clock_read_ns' AND r.environment ? 'cpu_count'
           AND r.environment ? 'server_version' AND r.environment ? 'extension_version' AS environment
  FROM tasker_bench.runs r JOIN tasker_bench.results s ON s.run_id = r.id
 ORDER BY r.id DESC LIMIT 1;

-- reported figures have the clock read cost subtracted; the histogram keeps raw ones
SELECT s.p50_us = tasker_bench.round_figure((tasker_bench.percentile(s.histogram, 0.5) - s.clock_ns) / 1000) AS p50_corrected
  FROM tasker_bench.results s ORDER BY run_id DESC LIMIT 1;

-- rows are produced and discarded, and counted
-- (results written by a call are read by the next statement: a statement
-- sees the data as it was when it started)
SELECT n FROM tasker_bench_measure('SELECT g FROM generate_series(1, 100) g', iterations => 50);
SELECT rows_per_call FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;

-- a time budget: at least one iteration, and about the time asked for
SELECT n > 0 AS ran FROM tasker_bench_measure('SELECT 1', duration => '300 ms', warmup => '0');
SELECT wall_s BETWEEN 0.3 AND 2.0 AS about_budget, warmup_n FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;

-- parameter sets are rotated in a fixed order (the measured iterations
-- start again at the first set after warmup), and a
-- write is kept when rollback => false
CREATE TABLE measure_log (id serial PRIMARY KEY, v int);
SELECT n FROM tasker_bench_measure('INSERT INTO measure_log (v) VALUES ($1)',
                                   params => 'SELECT g FROM generate_series(1, 3) g',
                                   iterations => 7, warmup => '0', rollback => false);
SELECT string_agg(v::text, ',' ORDER BY id) AS order_of_values FROM measure_log;

-- a writing statement is rolled back by default: the data is unchanged
SELECT count(*) AS rows_before FROM measure_log;
SELECT n FROM tasker_bench_measure('INSERT INTO measure_log (v) VALUES (42)', iterations => 500);
SELECT count(*) AS rows_after FROM measure_log;
SELECT read_only, rolled_back FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;
-- as is an UPDATE that touches every row, and a volatile function call
SELECT n FROM tasker_bench_measure('UPDATE measure_log SET v = v + 1', iterations => 100);
SELECT string_agg(v::text, ',' ORDER BY id) AS unchanged FROM measure_log;
SELECT read_only, rolled_back FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;
CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'UPDATE measure_log SET v = 0 RETURNING 1';
SELECT n FROM tasker_bench_measure('SELECT bump()', iterations => 100);
SELECT string_agg(v::text, ',' ORDER BY id) AS unchanged FROM measure_log;

-- parameters: inferred types, conversion from the params query's types, NULLs
SELECT n FROM tasker_bench_measure('SELECT * FROM measure_log WHERE id = $1 AND v IS DISTINCT FROM $2',
                                   params => 'SELECT g::text, NULL::int FROM generate_series(1, 5) g',
                                   iterations => 10);
SELECT param_sets, rows_per_call FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;

-- search_path for a case
CREATE SCHEMA other;
CREATE TABLE other.only_here (x int);
INSERT INTO other.only_here VALUES (1), (2);
SELECT n FROM tasker_bench_measure('SELECT * FROM only_here', iterations => 10, search_path => 'other');
SELECT rows_per_call FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;
SHOW search_path;

-- a name and a label
SELECT case_name FROM tasker_bench_measure('SELECT 2', iterations => 5, name => 'two', label => 'lbl');
SELECT label FROM tasker_bench.runs ORDER BY id DESC LIMIT 1;

-- outliers are classified and counted
SELECT outliers_low_severe + outliers_low_mild + outliers_high_mild + outliers_high_severe >= 0 AS counted
  FROM tasker_bench.results ORDER BY run_id DESC LIMIT 1;

DROP FUNCTION bump();
DROP TABLE measure_log;
DROP SCHEMA other CASCADE;
