#!/usr/bin/env bash
# make bench-versions: the same two figures on PostgreSQL 15, 17 and 18,
# measured back to back on this machine (one throwaway cluster at a time, the
# same settings, the same fixture): `SELECT 1` p50 and
# get_step_readiness_status p50 (the suite tasker's case
# get_step_readiness_status/sample_1 on a fixture of BENCH_TASKS tasks).
# Figures for people, not a test; run it on a quiet machine.
#   BENCH_SECONDS   measuring time per figure (default 5)
#   BENCH_TASKS     fixture size (default 10000)
#   BENCH_VERSIONS  default "15 17 18"
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
SECS=${BENCH_SECONDS:-5}
TASKS=${BENCH_TASKS:-10000}
VERSIONS=${BENCH_VERSIONS:-15 17 18}
sysv=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')

bash tools/ensure-deps.sh
work=$(mktemp -d -t tasker_bench_benchv.XXXXXX)
trap 'rm -rf "$work"' EXIT
for v in $VERSIONS; do
	if [ "$v" = "$sysv" ]; then
		make -s >/dev/null
	else
		bash tools/pg-build.sh "$v" "$work/build-$v" >/dev/null
	fi
done

printf '%-10s %14s %44s\n' "server" "SELECT 1 p50" "get_step_readiness_status/sample_1 p50"
for v in $VERSIONS; do
	build=
	[ "$v" = "$sysv" ] || build=$work/build-$v
	(
		source tools/pg-env.sh "$v" "$build"
		source tools/cluster.sh
		tb_private_install
		cluster_start
		trap cluster_stop EXIT
		export PGDATABASE=postgres PGOPTIONS="-c client_min_messages=warning"
		psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION tasker_bench" \
			-c "SELECT tasker_bench_setup()" -c "SELECT tasker_bench_fixture($TASKS)" >/dev/null
		ver=$(psql -X -At -c "SHOW server_version" | cut -d" " -f1)
		s1=$(psql -X -At -c "SELECT round(p50_us::numeric, 3) FROM tasker_bench_measure('SELECT 1', duration => '$SECS s')")
		gs=$(psql -X -At -c "SELECT round(p50_us::numeric, 1) FROM tasker_bench_run('get_step_readiness_status/sample_1', duration => '$SECS s')")
		printf '%-10s %11s µs %41s µs\n' "$ver" "$s1" "$gs"
	)
done
echo "(tasker_bench's own p50s, clock read cost subtracted; fixture of $TASKS tasks; $SECS s per figure)"
