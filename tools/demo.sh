#!/usr/bin/env bash
# make demo: install what is missing, build, start a throwaway cluster,
# create the reference model of tasker's schema with a generated fixture,
# run the built-in suites 'tasker' and 'lifecycle' and print their reports;
# then stop the cluster.
#   DEMO_TASKS     fixture size (default 10000)
#   DEMO_DURATION  measured time per case (default '300 ms')
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
make -s >/dev/null
source tools/cluster.sh
tb_private_install
cluster_start
trap cluster_stop EXIT
TASKS=${DEMO_TASKS:-10000}
DURATION=${DEMO_DURATION:-300 ms}

echo "== throwaway cluster on port $PGPORT; fixture of $TASKS tasks"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION tasker_bench;
SELECT tasker_bench_setup() \g /dev/null
SELECT tasker_bench_fixture($TASKS) \g /dev/null
SQL

for suite in tasker lifecycle; do
	echo "== running the suite '$suite' ($DURATION per case)"
	psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "SELECT count(*) AS cases FROM tasker_bench_run('$suite', duration => '$DURATION', warmup => '100 ms', label => 'make demo')" >/dev/null
done

if psql -X -At -c "SELECT to_regprocedure('tasker_bench_report(bigint,text,text)') IS NOT NULL" | grep -q t; then
	for run in $(psql -X -At -c "SELECT id FROM tasker_bench.runs ORDER BY id"); do
		psql -X -At -c "SELECT tasker_bench_report($run)"
	done
else
	for run in $(psql -X -At -c "SELECT id FROM tasker_bench.runs ORDER BY id"); do
		psql -X -P pager=off <<SQL
SELECT r.id AS run, r.what, r.dataset->'row_counts'->>'tasks' AS tasks,
       round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 1) AS seconds
  FROM tasker_bench.runs r WHERE r.id = $run;
SELECT case_name, n, round(p50_us::numeric, 1) AS p50_us, round(p95_us::numeric, 1) AS p95_us,
       round(p99_us::numeric, 1) AS p99_us, round(mean_us::numeric, 1) AS mean_us,
       round(rows_per_call::numeric, 1) AS rows, rolled_back
  FROM tasker_bench.results WHERE run_id = $run ORDER BY ordinal;
SQL
	done
fi
