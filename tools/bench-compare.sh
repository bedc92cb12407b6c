#!/usr/bin/env bash
# Figures for people (make bench calls this; nothing here is pass/fail):
# how often tasker_bench_ab and tasker_bench_compare cry wolf on A/A, and
# how often they detect a function made 3 %, 5 % and 10 % slower.
#
# The function: work(n) sums generate_series(1, n); the original does
# n = 1000 (about 60 us), the slower ones the same work on 3, 5 and 10 %
# more rows (a little less than that in time: the call itself costs the same).
#   tasker_bench_ab:          20 rounds x AB_ITERATIONS iterations per statement
#   two runs + compare:       tasker_bench_run (RUN_ITERATIONS iterations), the slower
#                             function swapped in, tasker_bench_run again, tasker_bench_compare
# Each cell is BENCH_TRIALS trials (default 20).  Takes about 2-3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
make -s >/dev/null
source tools/cluster.sh
tb_private_install
cluster_start
trap cluster_stop EXIT
export PGDATABASE=postgres
TRIALS=${BENCH_TRIALS:-20}
AB_ITERATIONS=${AB_ITERATIONS:-300}
RUN_ITERATIONS=${RUN_ITERATIONS:-3000}

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION tasker_bench;
CREATE FUNCTION work(n int) RETURNS bigint LANGUAGE sql STABLE
AS 'SELECT sum(g) FROM generate_series(1, n) g';
CREATE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work(1000)';
CREATE TABLE trials (method text, slowdown int, trial int, run_id bigint, ratio float8, ci_low float8,
                     ci_high float8, verdict text);
SELECT tasker_bench_register('bench/work', 'SELECT work_case()', suite => 'bench') \g /dev/null
SQL

echo
echo "== A/A false positives and detection of slower functions (${TRIALS} trials each; noise threshold: A/B 2 %, compare 3 %)"
echo "   the original: SELECT work(1000), about $(psql -X -At -q -c "SET client_min_messages = warning" \
	-c "SELECT round(p50_us::numeric) FROM tasker_bench_measure('SELECT work(1000)', iterations => 2000)") us"
s=$(date +%s)
for pct in 0 3 5 10; do
	rows=$((1000 + 10 * pct))
	psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "
DO \$\$
DECLARE v record; r1 bigint; r2 bigint;
BEGIN
    FOR i IN 1 .. $TRIALS LOOP
        SELECT * INTO v FROM tasker_bench_ab('SELECT work(1000)', 'SELECT work($rows)', rounds => 20,
                                             iterations => $AB_ITERATIONS, warmup => '20 ms');
        INSERT INTO trials VALUES ('ab', $pct, i, v.run_id, v.ratio, v.ci_low, v.ci_high, v.verdict);

        CREATE OR REPLACE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work(1000)';
        SELECT run_id INTO r1 FROM tasker_bench_run('bench', iterations => $RUN_ITERATIONS, warmup => '50 ms');
        PERFORM tasker_bench_baseline('before', r1, move => true);
        CREATE OR REPLACE FUNCTION work_case() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT work($rows)';
        SELECT run_id INTO r2 FROM tasker_bench_run('bench', iterations => $RUN_ITERATIONS, warmup => '50 ms');
        SELECT * INTO v FROM tasker_bench_compare('before', r2);
        INSERT INTO trials VALUES ('compare', $pct, i, r2, 1 + v.change_pct / 100, 1 + v.ci_low_pct / 100,
                                   1 + v.ci_high_pct / 100, v.verdict);
    END LOOP;
END \$\$"
done
psql -X -At -q <<SQL
-- the same A/B rounds judged by the mean of the log ratios and a t interval (stored beside them)
INSERT INTO trials
SELECT 'ab_t', t.slowdown, t.trial, t.run_id, x.t_ratio, x.t_ci_low, x.t_ci_high,
       tasker_bench.verdict(100 * (x.t_ratio - 1), 100 * (x.t_ci_low - 1), 100 * (x.t_ci_high - 1),
                             x.t_p_value, x.alpha, x.noise_threshold_pct)
  FROM trials t JOIN tasker_bench.ab_results x ON x.run_id = t.run_id
 WHERE t.method = 'ab';
SELECT format('   %-10s %-30s %18s %18s %16s %15s', 'more work', 'method', 'regressed', 'improved',
              'CI excludes 1.0', 'median ratio');
SELECT format('   %-10s %-30s %18s %18s %16s %15s',
              CASE WHEN slowdown = 0 THEN 'none (A/A)' ELSE '+' || slowdown || ' %' END,
              CASE method WHEN 'ab' THEN 'tasker_bench_ab'
                          WHEN 'ab_t' THEN '  (same rounds, t interval)'
                          ELSE 'two runs + tasker_bench_compare' END,
              count(*) FILTER (WHERE verdict = 'regressed') || ' / ' || count(*)
                  || CASE WHEN slowdown = 0 THEN ' (FP)' ELSE '' END,
              count(*) FILTER (WHERE verdict = 'improved') || ' / ' || count(*)
                  || CASE WHEN slowdown = 0 THEN ' (FP)' ELSE '' END,
              count(*) FILTER (WHERE ci_low > 1 OR ci_high < 1) || ' / ' || count(*),
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio))::numeric, 4))
  FROM trials GROUP BY slowdown, method ORDER BY slowdown, method = 'compare', method;
SELECT format('   A/A false positives (regressed or improved): tasker_bench_ab %s / %s, two runs + compare %s / %s',
              count(*) FILTER (WHERE method = 'ab' AND verdict IN ('regressed', 'improved')),
              count(*) FILTER (WHERE method = 'ab'),
              count(*) FILTER (WHERE method = 'compare' AND verdict IN ('regressed', 'improved')),
              count(*) FILTER (WHERE method = 'compare'))
  FROM trials WHERE slowdown = 0;
SELECT format('   detection rate (regressed): %s',
              string_agg(format('+%s %% ab %s / %s, compare %s / %s', slowdown,
                                count_ab, n_ab, count_cmp, n_cmp), '; ' ORDER BY slowdown))
  FROM (SELECT slowdown,
               count(*) FILTER (WHERE method = 'ab' AND verdict = 'regressed') AS count_ab,
               count(*) FILTER (WHERE method = 'ab') AS n_ab,
               count(*) FILTER (WHERE method = 'compare' AND verdict = 'regressed') AS count_cmp,
               count(*) FILTER (WHERE method = 'compare') AS n_cmp
          FROM trials WHERE slowdown > 0 GROUP BY slowdown) s;
SQL
echo "   ($(($(date +%s) - s)) s; A/B: 20 rounds x ${AB_ITERATIONS} iterations per statement, alternating order;"
echo "    compare: two runs of ${RUN_ITERATIONS} iterations; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
