-- pgTAP tests that use tasker_bench's assertions, as a user's test suite
-- would (tests/integration/pgtap.sh runs this file twice with psql and
-- checks that both outputs are the same byte for byte).  Everything runs in
-- one transaction that is rolled back.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
\pset pager off
-- one setting keeps the runs' NOTICEs (run ids, PIDs, figures) out of the output
SET tasker_bench.quiet = on;
BEGIN;
SELECT plan(9);

SELECT lives_ok($$SELECT tasker_bench_register('tap/sum', 'SELECT sum(g) FROM generate_series(1, 20) g',
                                                suite => 'tap', tolerance_pct => 1000)$$,
                'a case is registered');
SELECT ok(tasker_bench.within('tap/sum', 0.95, 1e9, iterations => 200, warmup => '0 s'),
          'tap/sum: p95 within a second');
SELECT ok(NOT tasker_bench.within('tap/sum', 0.5, 0.0001, iterations => 50, warmup => '0 s'),
          'nothing is faster than 0.1 ns');
SELECT lives_ok($$SELECT tasker_bench.assert_within('tap', 0.99, 1e9, iterations => 50, warmup => '0 s')$$,
                'assert_within passes quietly');
SELECT throws_ok($$SELECT tasker_bench.assert_within('tap/sum', 0.5, 0.0001, iterations => 50, warmup => '0 s')$$,
                 'P0004', 'tasker_bench: case "tap/sum" is slower than 0.0001 us at quantile 0.5',
                 'assert_within raises for a case over its limit');

-- a baseline, then the same suite against it: within the case's tolerance
SELECT isnt((SELECT count(*) FROM tasker_bench_run('tap', iterations => 200, warmup => '0 s')), 0::bigint,
            'the baseline run has results');
SELECT is((tasker_bench_baseline('tap-base')).name, 'tap-base', 'the run is named as baseline');
SELECT ok(tasker_bench.no_regression('tap', 'tap-base', fail_on => 'tolerance', iterations => 200, warmup => '0 s'),
          'no case of tap is outside its tolerance');

-- a case 2 ms slower than its baseline is a regression
SELECT tasker_bench_register('tap/sleepy',
    'SELECT pg_sleep(coalesce(nullif(current_setting(''tap.sleep'', true), ''''), ''0'')::float8)',
    suite => 'tap-sleepy') \g /dev/null
SELECT count(*) FROM tasker_bench_run('tap-sleepy', iterations => 60, warmup => '0 s') \g /dev/null
SELECT tasker_bench_baseline('tap-sleepy-base') \g /dev/null
SET LOCAL tap.sleep = '0.002';
SELECT ok(NOT tasker_bench.no_regression('tap-sleepy', 'tap-sleepy-base', iterations => 60, warmup => '0 s'),
          'a 2 ms slower case is caught');

SELECT * FROM finish();
ROLLBACK;
