#!/usr/bin/env bash
# Figures for people (make bench calls this; nothing here is pass/fail):
# concurrent clients.  For SELECT 1, a ~100 us function and
# get_next_ready_tasks(10) on a 5000-task fixture, at 1, 2 and 4 clients:
# tasker_bench's throughput and p50/p99 (clients => N, background workers,
# no client round trip) beside pgbench -c N -j N -M prepared on the same
# statement, and their ratios, each from one run of CLIENT_SECONDS seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
make -s >/dev/null
source tools/cluster.sh
tb_private_install
cluster_start
trap cluster_stop EXIT
export PGDATABASE=postgres
PGBENCH="$(pg_config --bindir)/pgbench"
SECS=${CLIENT_SECONDS:-5}

psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION tasker_bench;
CREATE FUNCTION bench_work() RETURNS bigint LANGUAGE sql STABLE
AS 'SELECT sum(g * g % 7) FROM generate_series(1, 1500) g';
SELECT tasker_bench_setup();
SELECT tasker_bench_fixture(5000);
SQL

work=$(mktemp -d)
pgbench_figures() {	# statement clients -> "tps p50_us p99_us" from pgbench's per-transaction log
	local f=$work/stmt.sql
	echo "$1" >"$f"
	rm -f "$work"/pgb*
	(cd "$work" && PGOPTIONS='-c search_path=tasker,public' "$PGBENCH" -n -M prepared -c "$2" -j "$2" \
		-T "$SECS" -l --log-prefix=pgb -f "$f" 2>/dev/null) | awk '/^tps/ {printf "%s ", $3}'
	cat "$work"/pgb* | awk '{print $3}' | sort -n |
		awk '{a[NR] = $1} END {i50 = int(NR * 0.5); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
			printf "%.1f %.1f\n", a[i50], a[i99]}'
}

tb_figures() {	# statement clients -> "ops/s p50_us p99_us" (ops/s: measured iterations per second of measured time;
	# "-": too few samples for the percentile)
	# (the stored row is read by a second statement: the first one's snapshot predates it)
	psql -X -q -At -F ' ' -c "SET client_min_messages = warning" \
		-c "CREATE TEMP TABLE m AS SELECT * FROM tasker_bench_measure(\$q\$$1\$q\$, duration => '$SECS s',
		                                     clients => $2, search_path => 'tasker, public')" \
		-c "SELECT round((CASE WHEN $2 = 1 THEN r.n / r.wall_s ELSE m.ops_per_s END)::numeric, 1),
		           coalesce(round(m.p50_us::numeric, 1)::text, '-'), coalesce(round(m.p99_us::numeric, 1)::text, '-')
		      FROM m JOIN tasker_bench.results r USING (run_id, case_name)"
}

echo
echo "== concurrent clients: tasker_bench clients => N vs pgbench -c N -j N -M prepared (${SECS} s each)"
printf '%-40s %3s %14s %10s %10s %14s %10s %10s %8s\n' statement N "tb ops/s" "tb p50" "tb p99" \
	"pgbench tps" "pgb p50" "pgb p99" "tb/pgb"
for stmt in "SELECT 1" "SELECT bench_work()" "SELECT * FROM get_next_ready_tasks(10)"; do
	for n in 1 2 4; do
		read -r tops tp50 tp99 <<<"$(tb_figures "$stmt" "$n")"
		read -r ptps pp50 pp99 <<<"$(pgbench_figures "$stmt;" "$n")"
		ratio=$(awk -v a="$tops" -v b="$ptps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		printf '%-40s %3s %14s %10s %10s %14s %10s %10s %8s\n' "$stmt" "$n" "$tops" "$tp50" "$tp99" \
			"$ptps" "$pp50" "$pp99" "$ratio"
	done
done
psql -X -At -c "SELECT format('   scaling of the ~100 us function: %s ops/s at 1 client (in the leader), %s at 4 clients: x%s',
                       round(a.ops_per_s::numeric), round(b.ops_per_s::numeric), round((b.ops_per_s / a.ops_per_s)::numeric, 2))
                  FROM (SELECT n / wall_s AS ops_per_s FROM tasker_bench.results WHERE sql = 'SELECT bench_work()' ORDER BY run_id LIMIT 1) a,
                       (SELECT c.ops_per_s FROM tasker_bench.client_results c JOIN tasker_bench.results r USING (run_id, case_name)
                         WHERE r.sql = 'SELECT bench_work()' AND c.clients = 4) b"
psql -X -At -c "SELECT format('   get_next_ready_tasks(10), 4 clients: %s of %s returned rows were returned to another client at the same time; waits %s',
                       c.claims_overlapped, c.claims_checked, c.wait_events->'by_class')
                  FROM tasker_bench.client_results c JOIN tasker_bench.results r USING (run_id, case_name)
                 WHERE r.sql LIKE '%get_next_ready_tasks%' AND c.clients = 4"
echo "(tasker_bench times the executor only, in the server; pgbench's latencies include the client round"
echo " trip; throughput at 1 client is the caller's own backend, at N > 1 N background workers)"
rm -rf "$work"
