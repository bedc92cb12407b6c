-- Event propagation (notify/... cases): LISTEN/NOTIFY latency over the
-- extension's loopback connections.  The regression run is a superuser, so
-- the loopback needs no password.  Figures depend on the machine: only
-- counts, booleans and errors are shown.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
LOAD 'tasker_bench';

-- SQLSTATE and message of an error (with the caller's role and database as <role>, <db>)
\i sql/include/expect_error.sql

-- The loopback's backends end when their connections close, a moment later.
CREATE FUNCTION pg_temp.loopbacks_gone() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..100 LOOP
        PERFORM pg_stat_clear_snapshot();
        IF NOT EXISTS (SELECT 1 FROM pg_stat_activity
                        WHERE application_name = 'tasker_bench loopback') THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;

CREATE FUNCTION pg_temp.queue_rows() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM tasker_bench.queue_messages WHERE queue_name = 'tasker_bench_notify'
$$;

-- the built-in cases
SELECT name, suite, category, driver, options, sql
  FROM tasker_bench.cases WHERE driver = 'notify' ORDER BY name;

-- each runs (a few iterations) and is stored like any case
SELECT case_name, n FROM tasker_bench_run('notify/pg_notify_0b', iterations => 20, warmup => '0');
SELECT case_name, n FROM tasker_bench_run('notify/pg_notify_1kb', iterations => 20, warmup => '0');
SELECT case_name, n FROM tasker_bench_run('notify/pg_notify_7900b', iterations => 20, warmup => '0');
SELECT case_name, n FROM tasker_bench_run('notify/send_with_notify_0b', iterations => 20, warmup => '0');
SELECT r.case_name, r.category, r.n, r.warmup_n, r.read_only, r.rolled_back, r.param_sets,
       r.rows_per_call, tasker_bench.hcount(r.histogram) = r.n AS hist_n,
       r.min_us >= 0 AND r.p50_us >= r.min_us AND r.max_us >= coalesce(r.p99_us, r.p50_us) AS ordered,
       r.plan_us IS NULL AS no_plan, r.explain IS NULL AS no_explain,
       r.counters ?& ARRAY['statement_us', 'waited'] AS counters,
       (r.counters->>'statement_us')::float8 > 0 AS statement_timed,
       s.status, s.kind
  FROM tasker_bench.results r JOIN tasker_bench.runs s ON s.id = r.run_id
 WHERE r.case_name LIKE 'notify/%'
 ORDER BY r.case_name;
SELECT pg_temp.queue_rows() AS queue_rows_left, pg_temp.loopbacks_gone();

-- two cases in one run (one validation each, then each measured)
INSERT INTO tasker_bench.cases (name, suite, sql, driver, options)
VALUES ('mine/notify_a', 'mine_notify', 'SELECT pg_notify($1, $2)', 'notify', '{"channel": "mine a"}'),
       ('mine/notify_b', 'mine_notify', 'SELECT pg_notify($1, $2 || ''!'')', 'notify',
        '{"channel": "Mixed Case \"quoted\" channel", "payload_bytes": 100}');
SELECT case_name, n FROM tasker_bench_run('mine_notify', iterations => 5, warmup => '0');

-- the measuring function itself: warmup, time budget, iterations winning
SELECT n, warmup_n > 0 AS warmed_up, rows_per_call, wall_s > 0 AS wall
  FROM tasker_bench._measure_notify(NULL, NULL, NULL, 10, NULL, '20 ms', 'direct');
SELECT n > 0 AS some, warmup_n
  FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": 10}', NULL, '50 ms', NULL, NULL);
SELECT n FROM tasker_bench._measure_notify(NULL, NULL, '{}', 7, '1 hour', NULL, NULL);
SELECT n, rows_per_call FROM tasker_bench._measure_notify(
    'SELECT tasker_bench.queue_send_with_notify($1, $2::jsonb)', NULL,
    '{"mode": "send_with_notify", "payload_bytes": 7000}', 10, NULL, NULL, NULL);
-- a custom statement: notify, returning several rows
SELECT n, rows_per_call FROM tasker_bench._measure_notify(
    'SELECT pg_notify($1, $2) FROM generate_series(1, 3)', NULL, '{"channel": "three"}', 5, NULL, NULL, NULL);
SELECT tasker_bench._validate_notify(NULL, NULL, '{"mode": "send_with_notify"}');
SELECT pg_temp.queue_rows() AS queue_rows_left, pg_temp.loopbacks_gone();

-- bad input: a clear error before anything is opened
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": 8000}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": 8001}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": -1}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": 1.5}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"payload_bytes": "10"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"channel": ""}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"channel": "a123456789b123456789c123456789d123456789e123456789f123456789g123"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"channel": 5}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"chanel": "x"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '[1, 2]', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '"x"', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"mode": "listen"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"queue": "tasker_bench_notify"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"mode": "send_with_notify", "channel": "x"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"mode": "send_with_notify", "queue": "Bad Queue"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"mode": "send_with_notify", "queue": "no_such_queue"}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{"timeout_ms": 0}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, 'SELECT 1', NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELEC pg_notify($1, $2)', NULL, NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1, $2); SELECT 1', NULL, NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, NULL, 0, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, NULL, NULL, '-1 s', NULL, NULL)$$);
-- ... found on the loopback: the statement does not resolve, or takes other parameters
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1, $2, 3)', NULL, NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1, ''x'')', NULL, NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1, $3)', NULL, NULL, 10, NULL, NULL, NULL)$$);
-- ... while measuring: the statement fails, or does not notify the channel
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1, $2), 1 / 0', NULL, NULL, 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT $1::text || $2', NULL, '{"timeout_ms": 100}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify('SELECT pg_notify($1 || ''x'', $2)', NULL, '{"timeout_ms": 100}', 10, NULL, NULL, NULL)$$);
SELECT pg_temp.queue_rows() AS queue_rows_left, pg_temp.loopbacks_gone();

-- through a run: the case's error, nothing completed
CREATE TEMP TABLE runs_before AS
SELECT count(*) AS n FROM tasker_bench.runs WHERE status = 'completed';
INSERT INTO tasker_bench.cases (name, suite, sql, driver, options)
VALUES ('mine/notify_8001', 'mine_bad', 'SELECT pg_notify($1, $2)', 'notify', '{"payload_bytes": 8001}'),
       ('mine/notify_ok', 'mine_bad', 'SELECT pg_notify($1, $2)', 'notify', NULL);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('mine/notify_8001', iterations => 5)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('mine_bad', iterations => 5)$$);
SELECT (SELECT count(*) FROM tasker_bench.runs WHERE status = 'completed') = n AS nothing_completed
  FROM runs_before;

-- the loopback's connection string: never the role, the database or startup options
SHOW tasker_bench.loopback_conninfo;
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'user=postgres'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 dbname=postgres'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'options=''-c role=postgres'''$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'service=mine'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'replication=database'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'password=secret'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'postgresql://postgres@localhost/postgres'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'host'$$);
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'nosuchkeyword=1'$$);
SHOW tasker_bench.loopback_conninfo;
SELECT pg_temp.err($$SET tasker_bench.loopback_conninfo = 'connect_timeout=5 application_name=mine'$$);
SELECT n FROM tasker_bench._measure_notify(NULL, NULL, NULL, 3, NULL, NULL, NULL);
-- a loopback that cannot connect
SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 port=1';
SELECT pg_temp.err($$SELECT * FROM tasker_bench._measure_notify(NULL, NULL, NULL, 3, NULL, NULL, NULL)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 3)$$);
-- (bad options are found before the connection is tried)
SELECT pg_temp.err($$SELECT * FROM tasker_bench_run('mine/notify_8001', iterations => 3)$$);
RESET tasker_bench.loopback_conninfo;
SELECT pg_temp.queue_rows() AS queue_rows_left, pg_temp.loopbacks_gone();

DELETE FROM tasker_bench.cases WHERE name LIKE 'mine/notify%';
