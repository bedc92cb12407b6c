#!/usr/bin/env bash
# pg_cron on a server that listens only on a Unix socket (listen_addresses
# = ''), with cron.host left at its default (localhost), as a user would
# have it: tasker_bench_schedule warns that pg_cron cannot reach the
# server, and after the next minute boundary tasker_bench.schedules shows
# the job's failed run and pg_cron's message.  Then with cron.host set to
# the socket directory: no warning.  An extra cluster of its own; about a
# minute (pg_cron runs jobs on minute boundaries).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../../tools/cluster.sh"

X=$(mktemp -d -t tasker_bench_cron.XXXXXX)
chmod 755 "$X"
[ "$(id -u)" -eq 0 ] && chown postgres: "$X"
XPORT=$(_tb_free_port)
[ "$XPORT" = "${PGPORT:-}" ] && XPORT=$((XPORT + 1))
xstarted=
xconf() {	# extra settings, then (re)start
	cat >>"$X/data/postgresql.conf" <<CONF
$1
CONF
}
if _tb_as_owner "$TB_BINDIR/initdb" -D "$X/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$X/initdb.log" 2>&1; then
	xconf "listen_addresses = ''
port = $XPORT
unix_socket_directories = '$X'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
fsync = off"
	_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$X/data" -l "$X/server.log" -w -t 60 start >/dev/null && xstarted=1
fi
check "an extra socket-only cluster with pg_cron starts" test -n "$xstarted"
if [ -n "$xstarted" ]; then
	xq() { PGHOST=$X PGPORT=$XPORT PGUSER=postgres PGDATABASE=postgres psql -X -At -c "$1" 2>&1; }
	xq "SET client_min_messages = warning; CREATE EXTENSION pg_cron; CREATE EXTENSION tasker_bench" >/dev/null
	xq "SELECT tasker_bench_register('sock/one', 'SELECT 1', suite => 'sock')" >/dev/null
	out=$(xq "SELECT tasker_bench_schedule('sock-job', '* * * * *', 'sock')")
	check "tasker_bench_schedule warns that pg_cron cannot reach the server" \
		grep -q 'WARNING:  pg_cron cannot reach this server' <<<"$out"
	# past the next minute boundary, and a few seconds for pg_cron to try
	sleep $((62 - $(date +%-S)))
	st=
	for _ in $(seq 1 20); do
		st=$(xq "SELECT last_status || ': ' || coalesce(last_message, '') FROM tasker_bench.schedules WHERE job_name = 'sock-job'")
		[ -n "$st" ] && [ "$st" != ": " ] && break
		sleep 1
	done
	check "tasker_bench.schedules shows the failed run and pg_cron's message (got '$st')" \
		grep -q '^failed: connection failed' <<<"$st"
	xq "SELECT tasker_bench_unschedule('sock-job')" >/dev/null

	# cron.host = the socket directory: nothing to warn about
	xconf "cron.host = '$X'"
	_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$X/data" -l "$X/server.log" -w -t 60 restart >/dev/null
	out=$(xq "SELECT tasker_bench_schedule('sock-job2', '0 0 1 1 *', 'sock')")
	check "with cron.host set to the socket directory, no warning" \
		bash -c "! grep -q WARNING <<<'$out'"
	xq "SELECT tasker_bench_unschedule('sock-job2')" >/dev/null
	_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$X/data" -m fast -w -t 60 stop >/dev/null 2>&1
fi
rm -rf "$X"
finish
