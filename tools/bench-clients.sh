#!/usr/bin/env bash
# Figures for people (make bench calls this; nothing here is pass/fail):
# concurrent clients.  For SELECT 1, a ~100 us function and
# get_next_ready_tasks(10) on a 5000-task fixture, at 1, 2 and 4 clients:
# tasker_bench's throughput and p50/p99 (clients => N, background workers,
# no client round trip) beside pgbench -c N -j N -M prepared on the same
# statement, and their ratios (throughput, p50, p99: tasker_bench / pgbench),
# each from one run of CLIENT_SECONDS seconds; then per statement the
# scaling x(4 clients / 1 client) of each tool's throughput.
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

ratio() {	# a b -> a / b with 2 decimals, or "-"
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}

echo
echo "== concurrent clients: tasker_bench clients => N vs pgbench -c N -j N -M prepared (${SECS} s each)"
echo "   (ratios: tasker_bench / pgbench; latencies in us)"
printf '%-40s %3s %12s %9s %9s %12s %9s %9s %7s %7s %7s\n' statement N "tb ops/s" "tb p50" "tb p99" \
	"pgbench tps" "pgb p50" "pgb p99" "ops" "p50" "p99"
scaling=()
for stmt in "SELECT 1" "SELECT bench_work()" "SELECT * FROM get_next_ready_tasks(10)"; do
	declare -A tb_at=() pgb_at=()
	for n in 1 2 4; do
		read -r tops tp50 tp99 <<<"$(tb_figures "$stmt" "$n")"
		read -r ptps pp50 pp99 <<<"$(pgbench_figures "$stmt;" "$n")"
		tb_at[$n]=$tops
		pgb_at[$n]=$ptps
		printf '%-40s %3s %12s %9s %9s %12s %9s %9s %7s %7s %7s\n' "$stmt" "$n" "$tops" "$tp50" "$tp99" \
			"$ptps" "$pp50" "$pp99" "$(ratio "$tops" "$ptps")" "$(ratio "$tp50" "$pp50")" "$(ratio "$tp99" "$pp99")"
	done
	scaling+=("$(printf '   %-40s tasker_bench x%s   pgbench x%s' "$stmt" "$(ratio "${tb_at[4]}" "${tb_at[1]}")" \
		"$(ratio "${pgb_at[4]}" "${pgb_at[1]}")")")
	unset tb_at pgb_at
done
echo "== throughput scaling x(4 clients / 1 client), from the rows above (2 cores: about x2 at best)"
printf '%s\n' "${scaling[@]}"
psql -X -At -c "SELECT format('   get_next_ready_tasks(10), 4 clients: %s of %s returned rows were returned to another client at the same time; waits %s',
                       c.claims_overlapped, c.claims_checked, c.wait_events->'by_class')
                  FROM tasker_bench.client_results c JOIN tasker_bench.results r USING (run_id, case_name)
                 WHERE r.sql LIKE '%get_next_ready_tasks%' AND c.clients = 4"
echo "(tasker_bench times the executor only, in the server; pgbench's latencies include the client round"
echo " trip; throughput at 1 client is the caller's own backend, at N > 1 N background workers)"
rm -rf "$work"
