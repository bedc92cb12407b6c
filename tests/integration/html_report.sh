#!/usr/bin/env bash
# The HTML report of real runs, rendered in headless Chromium (offline, a
# fresh profile): the tasker and lifecycle suites, a comparison with a
# baseline, a scale sweep, a history of several runs with an alert, an A/B
# run and a sweep over concurrent clients.  Checks: no console errors, the expected number of SVG charts of
# each kind, every chart with both axis labels, no two text elements of a
# chart overlapping and none outside its chart, nothing loaded from
# elsewhere; writes screenshots (the top of the page at 1280 px and the
# first chart of each kind) and a PDF print into TB_SCREENSHOT_DIR (default:
# a temporary folder, printed).
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${TB_SCREENSHOT_DIR:-$(mktemp -d -t tasker_bench_html.XXXXXX)}
mkdir -p "$out"

if ! bash "$here/tools/ensure-deps.sh" browser >"$out/ensure-deps.txt" 2>&1 ||
	! command -v chromium >/dev/null || ! command -v node >/dev/null; then
	echo "ok 1 # skip chromium or node is not installed and could not be: $(tail -2 "$out/ensure-deps.txt" | tr '\n' ' ')"
	echo "1..1"
	exit 0
fi

psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS tb_html_report" \
	-c "CREATE DATABASE tb_html_report" >/dev/null
export PGDATABASE=tb_html_report
errfile=$out/setup-errors.txt
psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$errfile" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION tasker_bench;
SELECT tasker_bench_setup();
SELECT count(*) FROM tasker_bench_scale('get_next_ready_tasks/batch_10', sizes => '{200,500,1000}',
                                        duration => '40 ms', warmup => '10 ms');
SELECT tasker_bench_fixture(1000);
VACUUM ANALYZE;
SELECT count(*) FROM tasker_bench_run('tasker', duration => '30 ms', warmup => '10 ms', label => 'before');
SELECT tasker_bench_baseline('before');
SELECT count(*) FROM tasker_bench_run('tasker', duration => '30 ms', warmup => '10 ms', label => 'second');
-- an alert on the second run, as tasker_bench_run_suite writes one after a regression
INSERT INTO tasker_bench.alerts (run_id, case_name, baseline, change_pct, verdict)
SELECT max(id), 'get_next_ready_tasks/batch_10', 'before', 25, 'regressed' FROM tasker_bench.runs;
SELECT count(*) FROM tasker_bench_run('tasker', duration => '30 ms', warmup => '10 ms', label => 'third');
SELECT count(*) FROM tasker_bench_run('lifecycle', duration => '40 ms', warmup => '10 ms', label => 'lifecycle');
SELECT count(*) FROM tasker_bench_ab('SELECT 1', 'SELECT 1 + 1', rounds => 6, iterations => 200, warmup => '0');
-- a case run once, and swept over concurrent clients
SELECT tasker_bench_register('html/clients', 'SELECT count(*) FROM generate_series(1, 2000)', suite => 'html');
SELECT count(*) FROM tasker_bench_run('html', iterations => 300, warmup => '10 ms');
SELECT count(*) FROM tasker_bench_scale('html', clients => '{1,2}', iterations => 300, warmup => '10 ms');
SQL
if [ -s "$errfile" ]; then
	not_ok "runs for the report" "$(head -5 "$errfile" | tr '\n' ' ')"
	finish
	exit 1
fi
ok "runs for the report: scale sweep, 3 tasker runs with a baseline and an alert, lifecycle, A/B, clients sweep"

runs=$(q "SELECT string_agg(id::text, ',' ORDER BY id)
            FROM (SELECT DISTINCT ON (what) id FROM tasker_bench.runs WHERE kind IN ('run', 'ab') ORDER BY what, id DESC) r")
# the charts expected: per case a histogram and a percentile plot, a history where the case has
# two or more runs, per run a flame graph and its comparison / phases / A/B chart, one scale chart,
# throughput and p99 against clients
expected=$(q "SELECT (SELECT 2 * count(*) FROM tasker_bench.results WHERE run_id IN ($runs))
                   + (SELECT count(*) FROM tasker_bench.results r
                       WHERE r.run_id IN ($runs)
                         AND (SELECT count(*) FROM tasker_bench.history h JOIN tasker_bench.runs ru ON ru.id = r.run_id
                                JOIN tasker_bench.runs hr ON hr.id = h.run_id
                               WHERE h.what = ru.what AND h.case_name = r.case_name AND hr.kind = ru.kind
                                 AND coalesce(hr.settings->>'clients', '1') = coalesce(ru.settings->>'clients', '1')) >= 2)
                   + (SELECT count(*) FROM unnest('{$runs}'::bigint[]) x WHERE EXISTS (SELECT 1 FROM tasker_bench_folded(x)))
                   + 3 + 1 + 2")
html=$out/report.html
t0=$(date +%s)
psql -X -At -v ON_ERROR_STOP=1 -c "SELECT tasker_bench_report(runs => '{$runs}', baseline => 'before', format => 'html')" \
	>"$html" 2>"$errfile"
if [ -s "$html" ] && [ ! -s "$errfile" ]; then
	ok "HTML report written ($(wc -c <"$html") bytes, $(($(date +%s) - t0)) s)"
else
	not_ok "HTML report written" "$(head -5 "$errfile" | tr '\n' ' ')"
	finish
	exit 1
fi

timeout 240 node "$here/tests/browser/check_report.js" "$html" "$out" >"$out/check.json" 2>"$out/check-errors.txt"
rc=$?
if [ $rc -ne 0 ]; then
	not_ok "chromium rendered the report" "exit $rc: $(tail -5 "$out/check-errors.txt" | tr '\n' ' ')"
	finish
	exit 1
fi
ok "chromium rendered the report"

field() {	# a figure of check.json, by a JavaScript expression over it (d)
	node -e "const d = JSON.parse(require('fs').readFileSync('$out/check.json', 'utf8')); console.log($1)"
}
check "no console errors ($(field "d.console.length"))" test "$(field "d.console.length")" = 0
[ "$(field "d.console.length")" = 0 ] || field "d.console.slice(0, 5).join('\n')" | sed 's/^/#   /'
check "$(field "d.charts") SVG charts, $expected expected ($(field "JSON.stringify(d.kinds)"))" \
	test "$(field "d.charts")" = "$expected"
check "every kind of chart drawn" \
	test "$(field "['histogram','percentiles','history','comparison','phases','ab','scale','flame','concurrency'].every(k => d.kinds[k] > 0)")" = true
check "every chart has both axis labels" test "$(field "d.problems.filter(p => p.includes('axis label')).length")" = 0
check "no two text elements of a chart overlap ($(field "d.texts") texts)" \
	test "$(field "d.problems.filter(p => p.includes('overlaps')).length")" = 0
check "no text outside its chart" test "$(field "d.problems.filter(p => p.includes('outside')).length")" = 0
[ "$(field "d.problems.length")" = 0 ] || field "d.problems.slice(0, 10).join('\n')" | sed 's/^/#   /'
check "self-contained: no scripts, nothing loaded from elsewhere" \
	test "$(field "d.scripts + d.external.length")" = 0
check "screenshots and a PDF print written" \
	test -s "$out/report-top.png" -a -s "$out/chart-flame.png" -a -s "$out/chart-histogram.png" -a -s "$out/report.pdf"
echo "# screenshots, PDF and report in $out"

# the command-line client writes the same HTML report
if [ -x "${TB_BINDIR:-}/tasker-bench" ]; then
	"$TB_BINDIR/tasker-bench" run get_step_readiness_status/sample_1 --duration '20 ms' --warmup '0' -q \
		--report html -o "$out/client.html" >"$out/client.txt" 2>&1
	check "tasker-bench run --report html -o FILE writes the HTML report" \
		grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="histogram"' "$out/client.html"
fi

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS tb_html_report" >/dev/null 2>&1
finish
