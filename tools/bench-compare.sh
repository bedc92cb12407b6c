#!/usr/bin/env bash
# Figures for people (make bench calls this; nothing here is pass/fail):
# how often tasker_bench_compare and tasker_bench_ab cry wolf on A/A, and how
# often they find a function made 5 % and 10 % slower.
#
# 1. A/A over whole suites: the tasker suite at default settings on a
#    BENCH_TASKS-task fixture (default 5000) after VACUUM ANALYZE, run
#    BENCH_SUITE_PAIRS + 1 times back to back (default 10 pairs: run i is the
#    baseline of run i + 1).  Per pair, the cases tasker_bench_compare calls
#    regressed or improved, (a) as it is (the noise floor of a case is the
#    larger of the default and the case's run-to-run spread in the runs up to
#    the baseline, so the later pairs have history) and (b) with the default
#    floor only (no history).  Then, per pair, every case of the suite as an
#    interleaved A/A through tasker_bench_ab (10 rounds, each side about 10 ms
#    per round).
# 2. Detection: work(n) sums generate_series(1, n); the original does n = 1000
#    (about 60 us); "5 %", "10 %" and "15 % slower" are the same case SQL
#    with the function's body changed to 6 %, 12 % and 18 % more rows (the
#    call itself costs the same).  BENCH_TRIALS trials each (default 10):
#      compare:  tasker_bench_run (RUN_ITERATIONS iterations), the body
#                changed, tasker_bench_run again, tasker_bench_compare (no
#                history: earlier trials' runs are deleted first)
#      A/B:      the two bodies as two functions, 20 rounds x AB_ITERATIONS
# Roughly 15 minutes on 2 idle cores with the defaults, part 1 about 12 of
# them (an estimate: it prints its own time); BENCH_SUITE_PAIRS=0 skips part 1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
make -s >/dev/null
source tools/cluster.sh
tb_private_install
cluster_start
trap cluster_stop EXIT
export PGDATABASE=postgres
TRIALS=${BENCH_TRIALS:-10}
PAIRS=${BENCH_SUITE_PAIRS:-10}
TASKS=${BENCH_TASKS:-5000}
AB_ITERATIONS=${AB_ITERATIONS:-300}
RUN_ITERATIONS=${RUN_ITERATIONS:-3000}
t_all=$(date +%s)

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION tasker_bench;
CREATE FUNCTION work(n int) RETURNS bigint LANGUAGE sql STABLE
AS 'SELECT sum(g) FROM generate_series(1, n) g';
CREATE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work(1000)';
CREATE TABLE trials (method text, slowdown int, trial int, run_id bigint, ratio float8, ci_low float8,
                     ci_high float8, verdict text, wall_s float8);
CREATE TABLE suite_runs (i int, run_id bigint, wall_s float8);
CREATE TABLE suite_ab (pair int, case_name text, verdict text, ratio float8);
CREATE TABLE suite_ab_wall (pair int, wall_s float8);
SELECT tasker_bench_register('bench/work', 'SELECT work_case()', suite => 'bench') \g /dev/null
SQL

if [ "$PAIRS" -gt 0 ]; then
	echo
	echo "== A/A over whole suites: the tasker suite, default settings, ${TASKS} tasks after VACUUM ANALYZE, ${PAIRS} back-to-back pairs"
	psql -X -q -c "SET client_min_messages = warning" -c "SELECT tasker_bench_setup()" \
		-c "SELECT tasker_bench_fixture($TASKS)" >/dev/null
	psql -X -q -c "VACUUM ANALYZE"
	for i in $(seq 0 "$PAIRS"); do
		psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "
DO \$\$
DECLARE t0 timestamptz := clock_timestamp(); r bigint;
BEGIN
    SELECT DISTINCT run_id INTO r FROM tasker_bench_run('tasker');
    INSERT INTO suite_runs VALUES ($i, r, extract(epoch FROM clock_timestamp() - t0));
END \$\$"
	done
	psql -X -At -q <<'SQL'
WITH p AS (
    SELECT b.i AS pair, b.run_id AS base, c.run_id AS cur, c.wall_s
      FROM suite_runs b JOIN suite_runs c ON c.i = b.i + 1
), v AS (
    SELECT p.pair, p.wall_s,
           (SELECT count(*) FROM tasker_bench._compare(p.base, p.cur, NULL, 0.05, NULL) x
             WHERE x.verdict IN ('regressed', 'improved')) AS flagged,
           (SELECT count(*) FROM tasker_bench._compare(p.base, p.cur, NULL, 0.05, NULL) x
             WHERE x.verdict = 'inconclusive') AS inconclusive,
           (SELECT count(*) FROM tasker_bench._compare(p.base, p.cur, NULL, 0.05, NULL) x
             WHERE x.noise_floor_from LIKE 'history%') AS from_history,
           (SELECT count(*) FROM tasker_bench._compare(p.base, p.cur, NULL, 0.05,
                                                       tasker_bench.compare_noise_threshold()) x
             WHERE x.verdict IN ('regressed', 'improved')) AS flagged_default,
           (SELECT count(*) FROM tasker_bench._compare(p.base, p.cur, NULL, 0.05, NULL)) AS cases
      FROM p
)
SELECT format('   pair %2s: %2s of %s cases regressed/improved (%s inconclusive, %s floors from history); '
              'default floor only: %s; run %s s',
              pair + 1, flagged, cases, inconclusive, from_history, flagged_default, round(wall_s::numeric, 1))
  FROM v ORDER BY pair;
SQL
	psql -X -At -q <<'SQL'
SELECT format('   noise floors of the last pair: %s from history (median %s %%, max %s %%), %s the default (%s %%); '
              'inconclusive: %s',
              count(*) FILTER (WHERE x.noise_floor_from LIKE 'history%'),
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x.noise_threshold_pct)
                     FILTER (WHERE x.noise_floor_from LIKE 'history%'))::numeric, 1),
              round((max(x.noise_threshold_pct) FILTER (WHERE x.noise_floor_from LIKE 'history%'))::numeric, 1),
              count(*) FILTER (WHERE x.noise_floor_from = 'default'), tasker_bench.compare_noise_threshold(),
              coalesce((SELECT string_agg(format('%s %s', n, reason), ', ' ORDER BY n DESC)
                          FROM (SELECT y.verdict_reason AS reason, count(*) AS n
                                  FROM suite_runs b JOIN suite_runs c ON c.i = b.i + 1,
                                       LATERAL tasker_bench._compare(b.run_id, c.run_id, NULL, 0.05, NULL) y
                                 WHERE y.verdict = 'inconclusive' GROUP BY 1) r), 'none in any pair'))
  FROM (SELECT max(i) AS last FROM suite_runs) l
  JOIN suite_runs b ON b.i = l.last - 1 JOIN suite_runs c ON c.i = l.last,
       LATERAL tasker_bench._compare(b.run_id, c.run_id, NULL, 0.05, NULL) x;
WITH p AS (
    SELECT b.run_id AS base, c.run_id AS cur
      FROM suite_runs b JOIN suite_runs c ON c.i = b.i + 1
), x AS (
    SELECT p.base, c.* FROM p, LATERAL tasker_bench._compare(p.base, p.cur, NULL, 0.05, NULL) c
), d AS (
    SELECT p.base, c.* FROM p, LATERAL tasker_bench._compare(p.base, p.cur, NULL, 0.05,
                                                             tasker_bench.compare_noise_threshold()) c
)
SELECT format('   compare, A/A false verdicts per pair of whole-suite runs: mean %s of %s cases (max %s); '
              'default floor only: mean %s (max %s)',
              round(avg(a.f), 2), max(a.n), max(a.f), round(avg(b.f), 2), max(b.f))
  FROM (SELECT base, count(*) FILTER (WHERE verdict IN ('regressed', 'improved')) AS f, count(*) AS n
          FROM x GROUP BY base) a
  JOIN (SELECT base, count(*) FILTER (WHERE verdict IN ('regressed', 'improved')) AS f
          FROM d GROUP BY base) b USING (base);
SQL

	# the same suite as interleaved A/A runs: each case against itself
	for pair in $(seq 1 "$PAIRS"); do
		psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "
DO \$\$
DECLARE c record; v record; t0 timestamptz := clock_timestamp(); p50 float8;
BEGIN
    -- the suite's cases as a run sees them: {schema} resolved to tasker, the
    -- cases whose function the schema lacks left out
    FOR c IN SELECT * FROM unnest(tasker_bench._resolve_cases(
                 ARRAY(SELECT x FROM tasker_bench.cases x WHERE x.suite = 'tasker' ORDER BY x.name), 'tasker'))
             ORDER BY name LOOP
        SELECT r.p50_us INTO p50 FROM tasker_bench.results r
         WHERE r.case_name = c.name ORDER BY r.run_id DESC LIMIT 1;
        SELECT * INTO v FROM tasker_bench_ab(c.sql, c.sql, params => c.params, search_path => c.search_path,
                                             rollback => c.rollback, rounds => 10, warmup => '10 ms',
                                             iterations => greatest(5, least(2000, (10000 / greatest(p50, 1))::bigint)));
        INSERT INTO suite_ab VALUES ($pair, c.name, v.verdict, v.ratio);
    END LOOP;
    INSERT INTO suite_ab_wall VALUES ($pair, extract(epoch FROM clock_timestamp() - t0));
END \$\$"
	done
	psql -X -At -q <<'SQL'
SELECT format('   A/B,     A/A false verdicts per whole suite (each case against itself, 10 rounds): mean %s of %s cases (max %s); %s s per suite',
              round(avg(f), 2), max(n), max(f), round(avg(w.wall_s)::numeric, 1))
  FROM (SELECT pair, count(*) FILTER (WHERE verdict IN ('regressed', 'improved')) AS f, count(*) AS n
          FROM suite_ab GROUP BY pair) s
  JOIN suite_ab_wall w USING (pair);
SQL
fi

echo
echo "== Detection of one function made slower (same case SQL, changed body), ${TRIALS} trials each; A/A beside them"
echo "   the original: SELECT work(1000), about $(psql -X -At -q -c "SET client_min_messages = warning" \
	-c "SELECT round(p50_us::numeric) FROM tasker_bench_measure('SELECT work(1000)', iterations => 2000)") us"
for pct in 0 5 10 15; do
	rows=$((1000 + pct * 12))
	psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "
DO \$\$
DECLARE v record; r1 bigint; r2 bigint; t0 timestamptz;
BEGIN
    FOR i IN 1 .. $TRIALS LOOP
        t0 := clock_timestamp();
        SELECT * INTO v FROM tasker_bench_ab('SELECT work(1000)', 'SELECT work($rows)', rounds => 20,
                                             iterations => $AB_ITERATIONS, warmup => '20 ms');
        INSERT INTO trials VALUES ('ab', $pct, i, v.run_id, v.ratio, v.ci_low, v.ci_high, v.verdict,
                                   extract(epoch FROM clock_timestamp() - t0));

        t0 := clock_timestamp();
        DELETE FROM tasker_bench.baselines WHERE name = 'before';
        DELETE FROM tasker_bench.runs WHERE what = 'bench';
        CREATE OR REPLACE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work(1000)';
        SELECT run_id INTO r1 FROM tasker_bench_run('bench', iterations => $RUN_ITERATIONS, warmup => '50 ms');
        PERFORM tasker_bench_baseline('before', r1);
        CREATE OR REPLACE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work($rows)';
        SELECT run_id INTO r2 FROM tasker_bench_run('bench', iterations => $RUN_ITERATIONS, warmup => '50 ms');
        SELECT * INTO v FROM tasker_bench_compare('before', r2);
        INSERT INTO trials VALUES ('compare', $pct, i, r2, 1 + v.change_pct / 100, 1 + v.ci_low_pct / 100,
                                   1 + v.ci_high_pct / 100, v.verdict, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
END \$\$"
done
psql -X -At -q <<SQL
SELECT format('   %-10s %-32s %14s %14s %16s %13s %12s', 'slowdown', 'method', 'regressed', 'improved',
              'CI excludes 1.0', 'median ratio', 's / trial');
SELECT format('   %-10s %-32s %14s %14s %16s %13s %12s',
              CASE WHEN slowdown = 0 THEN 'none (A/A)' ELSE '+' || slowdown || ' %' END,
              CASE method WHEN 'ab' THEN 'tasker_bench_ab' ELSE 'two runs + tasker_bench_compare' END,
              count(*) FILTER (WHERE verdict = 'regressed') || ' / ' || count(*),
              count(*) FILTER (WHERE verdict = 'improved') || ' / ' || count(*),
              count(*) FILTER (WHERE ci_low > 1 OR ci_high < 1) || ' / ' || count(*),
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio))::numeric, 4),
              round(avg(wall_s)::numeric, 2))
  FROM trials GROUP BY slowdown, method ORDER BY slowdown, method = 'compare', method;
SQL
echo "   (A/B: 20 rounds x ${AB_ITERATIONS} iterations per statement, alternating order;"
echo "    compare: two runs of ${RUN_ITERATIONS} iterations, default noise floor, no history)"
echo "   bench-compare took $(($(date +%s) - t_all)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
