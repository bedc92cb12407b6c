#!/usr/bin/env bash
# Event propagation (notify/... cases): the latency of LISTEN/NOTIFY over the
# extension's loopback connections.  Figures, bad input, nothing left behind
# (no loopback backends, no queue rows) after runs, errors, a cancel, a
# statement_timeout and a terminated backend; and that no one acts as
# another role through the loopback: on the harness's trust cluster a
# non-superuser is refused (2F003), and on an extra cluster of our own with
# password authentication the loopback authenticates as the calling role only.
source "$(dirname "$0")/../lib.sh"
# for TB_BINDIR, _tb_as_owner and _tb_free_port only (starts nothing)
source "$(dirname "$0")/../../tools/cluster.sh"

DB=tb_notify
psql -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -c "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench" >/dev/null

# e: run SQL, print "SQLSTATE message" of its error (or "no error")
e() {
	local out
	out=$(psql -X -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$@" 2>&1 >/dev/null)
	out=$(grep -m1 -E '^(ERROR|FATAL|psql)' <<<"$out" | sed -E 's/^(ERROR|FATAL): +//')
	echo "${out:-no error}"
}
loopbacks() { q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tasker_bench loopback'"; }
# the loopback's backends end when their connections close: allow them 5 s
no_loopbacks() {
	for _ in $(seq 1 50); do
		[ "$(loopbacks)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# rows of the notify cases' queue (tasker_bench.queue_send_with_notify, sql_src/66_queue.sql)
queue_rows() { q "SELECT count(*) FROM tasker_bench.queue_messages WHERE queue_name = 'tasker_bench_notify'"; }

# ---- figures: every built-in notify case, 2 s each
for c in notify/pg_notify_0b notify/pg_notify_1kb notify/pg_notify_7900b notify/send_with_notify_0b; do
	run=$(q "SET client_min_messages = warning;
	         SELECT run_id FROM tasker_bench_run('$c', duration => '2 s', warmup => '200 ms')" | tail -1)
	row=$(q "SELECT n, round(p50_us::numeric, 1), round(p99_us::numeric, 1),
	                round((counters->>'statement_us')::numeric, 1), counters->>'waited'
	           FROM tasker_bench.results WHERE run_id = '${run:-0}'")
	IFS='|' read -r n p50 p99 stmt waited <<<"$row"
	echo "# $c: n=$n p50 ${p50} us p99 ${p99} us (send -> notification held); send -> commit returned ${stmt} us; waited for the socket in ${waited} of iterations"
	check "$c measures (n=$n)" test "${n:-0}" -gt 100
	check "$c p50 under 5000 us (${p50} us)" awk -v p="${p50:-99999}" 'BEGIN { exit !(p < 5000) }'
done
check "the run leaves no loopback backend" no_loopbacks
check "send_with_notify leaves no queue rows" test "$(queue_rows)" = 0
check "the result says how the notify case ran" \
	test "$(q "SELECT read_only, rolled_back, param_sets, plan_us IS NULL, counters ? 'statement_us'
	             FROM tasker_bench.results WHERE case_name = 'notify/pg_notify_0b' LIMIT 1")" = "f|f|1|t|t"

# ---- bad input: a clear error, nothing opened, nothing written
runs=$(q "SELECT count(*) FROM tasker_bench.runs WHERE status = 'completed'")
q "INSERT INTO tasker_bench.cases (name, suite, sql, driver, options)
   VALUES ('mine/notify_8001', 'mine', 'SELECT pg_notify(\$1, \$2)', 'notify', '{\"payload_bytes\": 8001}'),
          ('mine/notify_badchannel', 'mine', 'SELECT pg_notify(\$1, \$2)', 'notify', '{\"channel\": \"\"}'),
          ('mine/notify_nonotify', 'mine', 'SELECT \$1::text || \$2', 'notify', '{\"timeout_ms\": 300}')" >/dev/null
# with a loopback that cannot connect, a 22023 proves nothing was opened first
out=$(e -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 port=1'" -c "SELECT * FROM tasker_bench_run('mine/notify_8001', iterations => 10)")
check "payload of 8001 bytes: 22023 before any connection" grep -q "^22023: payload_bytes 8001 is over PostgreSQL's limit" <<<"$out"
out=$(e -c "SELECT * FROM tasker_bench_run('mine/notify_badchannel', iterations => 10)")
check "empty channel: 22023" grep -q "^22023: the notify channel must not be empty" <<<"$out"
out=$(e -c "SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{\"channel\": \"$(printf 'c%.0s' {1..64})\"}', 10, NULL, NULL, NULL)")
check "channel over 63 bytes: 22023" grep -q "^22023: notify channel \"c*\" is too long" <<<"$out"
out=$(e -c "SELECT * FROM tasker_bench_run('mine/notify_nonotify', iterations => 10)")
check "a statement that does not notify: 55000 after timeout_ms" grep -q "^55000: no notification arrived on channel" <<<"$out"
out=$(e -c "SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{\"mode\": \"send_with_notify\", \"queue\": \"no_such_queue\"}', 10, NULL, NULL, NULL)")
check "a queue that is not there: 42P01" grep -q '^42P01: queue "no_such_queue" does not exist' <<<"$out"
out=$(e -c "SELECT tasker_bench._validate_notify(NULL, NULL, '{\"mode\": \"send_with_notify\", \"queue\": \"no_such_queue\"}')")
check "... found by the validation before a run" grep -q '^42P01' <<<"$out"
out=$(e -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 port=1'" -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)")
check "a loopback that cannot connect: 08001" grep -q "^08001: could not open the tasker_bench loopback connection" <<<"$out"
hint=$(psql -X -At -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 port=1'" -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)" 2>&1)
check "... with a hint naming tasker_bench.loopback_conninfo" grep -q "HINT: .*tasker_bench.loopback_conninfo" <<<"$hint"
check "bad input completes no run" test "$(q "SELECT count(*) FROM tasker_bench.runs WHERE status = 'completed'")" = "$runs"
check "no loopback backend after the errors" no_loopbacks
check "no queue rows after the errors" test "$(queue_rows)" = 0

# ---- cancel, statement_timeout, terminate: stop at once, leave nothing
start=$(date +%s%N)
out=$(e -c "SET statement_timeout = '300ms'" -c "SELECT * FROM tasker_bench_run('notify/send_with_notify_0b', duration => '10 s')")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "statement_timeout stops a notify run (57014)" grep -q "^57014" <<<"$out"
check "... within a second (took ${ms} ms)" test "$ms" -lt 1000

for c in notify/pg_notify_0b notify/send_with_notify_0b; do
	psql -X -At -v VERBOSITY=verbose -c "SELECT * FROM tasker_bench_run('$c', duration => '20 s', label => 'to cancel')" >"$TB_DIR/notify_cancel.out" 2>&1 &
	bg=$!
	pid=
	for _ in $(seq 1 100); do
		pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: $c%measuring%' AND datname = '$DB' LIMIT 1")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	check "$c shows its progress in pg_stat_activity" test -n "$pid"
	sleep 0.3
	start=$(date +%s%N)
	q "SELECT pg_cancel_backend($pid)" >/dev/null
	wait $bg
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	check "pg_cancel_backend stops $c (57014)" grep -q "57014" "$TB_DIR/notify_cancel.out"
	check "... within a second (took ${ms} ms)" test "$ms" -lt 1000
	check "... and leaves no loopback backend" no_loopbacks
	check "... and no queue rows" test "$(queue_rows)" = 0
done

# many cancels at random moments of send_with_notify (mid-statement, mid-wait, mid-delete)
for i in $(seq 1 20); do
	psql -X -At -c "SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{\"mode\": \"send_with_notify\"}', NULL, '20 s', NULL, 'random cancel')" >/dev/null 2>&1 &
	bg=$!
	sleep "0.$((RANDOM % 4 + 1))$((RANDOM % 10))"
	q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'tasker_bench: random cancel%'" >/dev/null
	wait $bg
done
check "20 cancels at random moments leave no loopback backend" no_loopbacks
check "... and no queue rows" test "$(queue_rows)" = 0

psql -X -At -c "SELECT * FROM tasker_bench._measure_notify(NULL, NULL, '{\"mode\": \"send_with_notify\"}', NULL, '20 s', NULL, 'to terminate')" >"$TB_DIR/notify_term.out" 2>&1 &
bg=$!
for _ in $(seq 1 100); do
	pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: to terminate%measuring%' LIMIT 1")
	[ -n "$pid" ] && break
	sleep 0.05
done
q "SELECT pg_terminate_backend($pid)" >/dev/null
wait $bg
check "pg_terminate_backend ends a notify run" grep -q "terminating connection" "$TB_DIR/notify_term.out"
check "... and the exiting backend closes its loopback" no_loopbacks
check "... and deletes its queue message" test "$(queue_rows)" = 0

# ---- security on the harness's cluster (trust authentication)
q "DROP ROLE IF EXISTS tb_notify_r1; CREATE ROLE tb_notify_r1 LOGIN PASSWORD 'r1pw';
   GRANT USAGE ON SCHEMA tasker_bench TO tb_notify_r1;
   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO tb_notify_r1;
   GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO tb_notify_r1;
   GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO tb_notify_r1" >/dev/null
# r1: as tb_notify_r1, with the library loaded (any C function of it loads it)
r1() { e -U tb_notify_r1 -c "SELECT tasker_bench.percentile(NULL, 0.5)" "$@"; }
out=$(r1 -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1'")
check "a non-superuser cannot set tasker_bench.loopback_conninfo (42501)" grep -q "^42501" <<<"$out"
out=$(psql -X -At -U tb_notify_r1 -c "SET tasker_bench.loopback_conninfo = 'user=postgres'" \
	-c "SELECT tasker_bench.percentile(NULL, 0.5)" -c "SELECT '[' || current_setting('tasker_bench.loopback_conninfo') || ']'" 2>&1)
check "... a value SET before the library loaded is dropped when it loads" \
	test "$(printf '%s\n' "$out" | grep -c 'WARNING:  permission denied to set parameter "tasker_bench.loopback_conninfo"')|$(printf '%s\n' "$out" | tail -1)" = "1|[]"
q "GRANT SET ON PARAMETER tasker_bench.loopback_conninfo TO tb_notify_r1" >/dev/null
for bad in "user=postgres" "options='-c role=postgres'" "dbname=postgres" "service=x" "replication=database" "password=x" "host=127.0.0.1 user=postgres"; do
	out=$(r1 -c "SET tasker_bench.loopback_conninfo = \$\$$bad\$\$")
	check "even when granted SET, '$bad' is refused (22023)" grep -q "^22023: tasker_bench.loopback_conninfo may not set" <<<"$out"
done
out=$(e -c "LOAD 'tasker_bench'" -c "ALTER ROLE tb_notify_r1 SET tasker_bench.loopback_conninfo = 'user=postgres'")
check "a superuser cannot give a role 'user=postgres' either (22023)" grep -q "^22023" <<<"$out"
check "a harmless setting is accepted" test "$(r1 -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 connect_timeout=5'")" = "no error"
out=$(r1 -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)")
check "with trust authentication a non-superuser is refused (2F003)" grep -q "^2F003: password is required" <<<"$out"
hint=$(psql -X -At -U tb_notify_r1 -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)" 2>&1)
check "... with a hint naming tasker_bench.loopback_conninfo" grep -q "HINT: .*tasker_bench.loopback_conninfo" <<<"$hint"
check "... and nothing left behind" no_loopbacks
q "REVOKE SET ON PARAMETER tasker_bench.loopback_conninfo FROM tb_notify_r1" >/dev/null

# ---- an extra cluster of our own with password authentication
X=$(mktemp -d -t tasker_bench_pw.XXXXXX)
chmod 755 "$X"
[ "$(id -u)" -eq 0 ] && chown postgres: "$X"
XPORT=$(_tb_free_port)
[ "$XPORT" = "$PGPORT" ] && XPORT=$((XPORT + 1))
xstarted=
if _tb_as_owner "$TB_BINDIR/initdb" -D "$X/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$X/initdb.log" 2>&1; then
	cat >>"$X/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $XPORT
unix_socket_directories = '$X'
password_encryption = 'scram-sha-256'
fsync = off
CONF
	cat >"$X/data/pg_hba.conf" <<HBA
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
HBA
	_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$X/data" -l "$X/server.log" -w -t 60 start >/dev/null && xstarted=1
fi
check "an extra cluster with password authentication starts" test -n "$xstarted"
if [ -n "$xstarted" ]; then
	xq() { PGHOST=$X PGPORT=$XPORT PGUSER=postgres q "$@"; }
	xas() {	# role password SQL...: as that role, over the password-authenticated socket
		local role=$1 pw=$2
		shift 2
		PGHOST=$X PGPORT=$XPORT PGUSER=$role PGPASSWORD=$pw PGDATABASE=$DB e "$@"
	}
	PGHOST=$X PGPORT=$XPORT PGDATABASE=postgres psql -X -q -U postgres -c "CREATE DATABASE $DB" >/dev/null
	xdb() { PGHOST=$X PGPORT=$XPORT PGUSER=postgres PGDATABASE=$DB q "$@"; }
	xdb "SET client_min_messages = warning; CREATE EXTENSION tasker_bench;
	     CREATE ROLE r1 LOGIN PASSWORD 'r1-secret'; CREATE ROLE r2 LOGIN PASSWORD 'r2-secret';
	     GRANT r2 TO r1;
	     GRANT USAGE ON SCHEMA tasker_bench TO r1, r2;
	     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO r1, r2;
	     GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO r1, r2;
	     GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO r1, r2" >/dev/null
	# a password file on the server holding r1's password only
	printf '127.0.0.1:%s:*:r1:r1-secret\n' "$XPORT" >"$X/pgpass"
	chmod 600 "$X/pgpass"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$X/pgpass"
	xdb "ALTER ROLE r1 SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=$X/pgpass'" >/dev/null

	# r1's loopback runs as r1 (the statement fails unless session_user is r1)
	stmt="SELECT pg_catalog.pg_notify(\$1, \$2), 1 / (session_user = 'r1' AND current_user = 'r1')::int"
	out=$(PGHOST=$X PGPORT=$XPORT PGUSER=r1 PGPASSWORD=r1-secret PGDATABASE=$DB \
		psql -X -At -c "SELECT n FROM tasker_bench._measure_notify(\$\$$stmt\$\$, NULL, '{}', 50, NULL, NULL, NULL)" 2>&1)
	check "with a password (server-side passfile set by a superuser) r1's loopback works, as r1 (n=$out)" test "$out" = 50
	out=$(xas r1 r1-secret -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 50)")
	check "... and runs the built-in case" test "$out" = "no error"
	# r1 may SET ROLE r2 (a member), but the loopback then needs r2's password, which it does not have
	out=$(xas r1 r1-secret -c "SET ROLE r2" -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)")
	check "r1 after SET ROLE r2: the loopback connects as r2 and needs r2's password (28P01)" grep -q "^28P01" <<<"$out"
	out=$(xas r1 r1-secret -c "SELECT tasker_bench.percentile(NULL, 0.5)" -c "SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=$X/pgpass user=postgres'")
	check "r1 cannot change its loopback settings (42501)" grep -q "^42501" <<<"$out"
	out=$(xas r1 r1-secret -c "SELECT tasker_bench.percentile(NULL, 0.5)" -c "RESET tasker_bench.loopback_conninfo")
	check "... nor reset them (42501)" grep -q "^42501" <<<"$out"
	# r2 has no password file: the default loopback (unix socket, scram) cannot authenticate
	out=$(xas r2 r2-secret -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)")
	check "r2 without a password for its loopback: 28P01" grep -q "^28P01: the tasker_bench loopback connection could not authenticate as role \"r2\"" <<<"$out"
	hint=$(PGHOST=$X PGPORT=$XPORT PGUSER=r2 PGPASSWORD=r2-secret PGDATABASE=$DB psql -X -At \
		-c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)" 2>&1)
	check "... with a hint saying what to set" grep -q "HINT: .*tasker_bench.loopback_conninfo.*passfile" <<<"$hint"
	# a forbidden setting stored while the library was not loaded (so not checked then) is
	# refused when it loads: r2 does not get r1's loopback through 'user=r1'
	xdb "ALTER ROLE r2 SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=$X/pgpass user=r1'" >/dev/null
	out=$(xas r2 r2-secret -c "SELECT * FROM tasker_bench_run('notify/pg_notify_0b', iterations => 10)")
	check "a role setting 'user=r1' stored unchecked is not used (r2 is refused: $out)" grep -qE "^(28P01|22023)" <<<"$out"
	xdb "ALTER ROLE r2 RESET tasker_bench.loopback_conninfo" >/dev/null
	# a superuser's loopback needs no password (as dblink): trust on the socket for postgres
	out=$(PGHOST=$X PGPORT=$XPORT PGUSER=postgres PGDATABASE=$DB psql -X -At -c "SELECT n FROM tasker_bench._measure_notify(NULL, NULL, '{}', 20, NULL, NULL, NULL)" 2>&1)
	check "a superuser's loopback works without a password (n=$out)" test "$out" = 20
	xleft=$(xdb "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tasker_bench loopback'")
	for _ in $(seq 1 50); do
		[ "$xleft" = 0 ] && break
		sleep 0.1
		xleft=$(xdb "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tasker_bench loopback'")
	done
	check "no loopback backend left on the extra cluster" test "$xleft" = 0
	_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$X/data" -m fast -w -t 60 stop >/dev/null 2>&1
fi
rm -rf "$X"

q "DROP OWNED BY tb_notify_r1; DROP ROLE tb_notify_r1" >/dev/null 2>&1
export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE $DB" >/dev/null
psql -X -q -c "DROP OWNED BY tb_notify_r1; DROP ROLE IF EXISTS tb_notify_r1" >/dev/null 2>&1
finish
