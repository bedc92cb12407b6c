#!/usr/bin/env bash
# make demo: install what is missing, build, start a throwaway cluster,
# create the reference model of tasker's schema with a generated fixture,
# run the built-in suites 'tasker' and 'lifecycle', print their compact
# reports and write the HTML report (with charts) to a file; then stop the
# cluster.
#   DEMO_TASKS     fixture size (default 10000)
#   DEMO_DURATION  measured time per case (default '300 ms')
#   DEMO_HTML      where to write the HTML report (default: a new temporary file)
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

runs=$(psql -X -At -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM tasker_bench.runs")
psql -X -At -c "SELECT tasker_bench_report(runs => '{$runs}')"
html=${DEMO_HTML:-$(mktemp -t tasker_bench_report.XXXXXX --suffix=.html)}
psql -X -At -v ON_ERROR_STOP=1 -c "SELECT tasker_bench_report(runs => '{$runs}', format => 'html')" >"$html"
echo
echo "== HTML report (charts; open it in a browser): $html"
