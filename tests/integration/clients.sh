#!/usr/bin/env bash
# Concurrent clients (clients => N): the workers run as the role running the
# case; cancel and statement_timeout of the leader stop every worker at once
# and leave none behind; too few worker slots is a clear error.
source "$(dirname "$0")/../lib.sh"
psql -X -q -c "CREATE DATABASE tb_clients" >/dev/null
export PGDATABASE=tb_clients
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench" >/dev/null
q "CREATE ROLE tb_clients_user LOGIN; GRANT USAGE ON SCHEMA tasker_bench TO tb_clients_user;
   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tasker_bench TO tb_clients_user;
   GRANT USAGE ON ALL SEQUENCES IN SCHEMA tasker_bench TO tb_clients_user;
   GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker_bench TO tb_clients_user" >/dev/null

workers() {	# the clients' backends now: "usename ..." one a line
	q "SELECT usename FROM pg_stat_activity WHERE backend_type = 'tasker_bench client' AND datname = 'tb_clients' ORDER BY pid"
}

wait_for_workers() {	# n -> waits until n clients are measuring (at most 10 s)
	local i
	for i in $(seq 1 100); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench client' AND query LIKE 'tasker_bench: %measuring%'")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# a role without superuser runs a 2-client case; its workers are that role
PGUSER=tb_clients_user psql -X -At -c "SELECT n > 0 FROM tasker_bench_measure('SELECT pg_sleep(0.001)', duration => '4 s', warmup => '0', clients => 2)" >"$TB_DIR/user.out" 2>&1 &
bg=$!
check "two clients of a non-superuser role start" wait_for_workers 2
users=$(workers | sort -u | tr '\n' ' ')
check "... and run as that role in pg_stat_activity (got: $users)" test "$users" = "tb_clients_user "
wait $bg
check "... and the run completes" grep -qx t "$TB_DIR/user.out"
check "... stored for that role" test "$(PGUSER=tb_clients_user q "SELECT clients FROM tasker_bench.client_results")" = 2

# SET ROLE from a superuser session: the workers log in as the role, not as the superuser
psql -X -At -c "SET ROLE tb_clients_user" -c "SELECT n > 0 FROM tasker_bench_measure('SELECT pg_sleep(0.001)', duration => '3 s', warmup => '0', clients => 2)" >"$TB_DIR/setrole.out" 2>&1 &
bg=$!
wait_for_workers 2
users=$(workers | sort -u | tr '\n' ' ')
check "after SET ROLE the workers run as the role, not the superuser (got: $users)" test "$users" = "tb_clients_user "
wait $bg

# pg_cancel_backend of a 4-client 30-second run
psql -X -At -v VERBOSITY=verbose -c "SELECT n FROM tasker_bench_measure('SELECT pg_sleep(0.0005)', duration => '30 s', clients => 4, label => 'to cancel')" >"$TB_DIR/cancel.out" 2>&1 &
bg=$!
check "four clients start" wait_for_workers 4
pid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND query LIKE 'tasker_bench: %: 4 clients, %' LIMIT 1")
# timed in the server (a psql start alone takes most of a second on a loaded machine): from the
# cancel until the leader is no longer active and no client backend is left
ms=$(q "DO \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    PERFORM pg_cancel_backend($pid);
    LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
                               WHERE (pid = $pid AND state = 'active') OR backend_type = 'tasker_bench client')
               OR clock_timestamp() - t0 > interval '20 s';
        PERFORM pg_sleep(0.005);
    END LOOP;
    RAISE NOTICE 'ms=%', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
END \$\$" | sed -n 's/.*ms=\([0-9]*\).*/\1/p')
wait $bg
left=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench client'")
check "pg_cancel_backend stops a 4-client run (57014)" grep -q "57014" "$TB_DIR/cancel.out"
check "... within a second (took ${ms} ms)" test "${ms:-99999}" -lt 1000
check "... and no client is left in pg_stat_activity (found $left)" test "$left" = 0

# statement_timeout of the leader, with a writing case rolled back per iteration
q "CREATE TABLE t (x int)" >/dev/null
out=$(psql -X -At -v VERBOSITY=verbose -c "SET statement_timeout = '1500ms'" -c '\timing on' \
	-c "SELECT n FROM tasker_bench_measure('INSERT INTO t VALUES (1)', duration => '30 s', clients => 4)" 2>&1)
# psql's own timing of the statement (without its connection start)
ms=$(sed -n 's/^Time: \([0-9]*\).*/\1/p' <<<"$out" | tail -1)
left=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench client'")
check "statement_timeout stops a 4-client run (57014)" grep -q "57014" <<<"$out"
check "... within a second of the 1.5 s timeout (took ${ms} ms)" test "${ms:-99999}" -lt 2500
check "... no client left (found $left)" test "$left" = 0
check "... and the table is as it was" test "$(q 'SELECT count(*) FROM t')" = 0

# more clients than free worker slots: a clear error saying how many are free
out=$(psql -X -At -v VERBOSITY=verbose -c "SELECT n FROM tasker_bench_measure('SELECT 1', iterations => 10, clients => 16)" 2>&1)
check "too few worker slots: SQLSTATE 53400 and how many are free" grep -q "53400.*too few background worker slots for 16 concurrent clients: [0-9]* free, 16 needed" <<<"$out"
left=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench client'")
check "... and no client is left (found $left)" test "$left" = 0

# a sweep over sizes and clients runs its steps in a background worker: cancelling the caller
# stops that worker and its clients
q "SET client_min_messages = warning; SELECT tasker_bench_setup()" >/dev/null
psql -X -At -v VERBOSITY=verbose -c "SELECT count(*) FROM tasker_bench_scale('get_next_ready_tasks/batch_10', sizes => '{50,100}', clients => '{2,3}', duration => '20 s', warmup => '0')" >"$TB_DIR/grid.out" 2>&1 &
bg=$!
check "a sweep over sizes and clients starts its clients" wait_for_workers 2
sweepers=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench scale sweep'")
check "... from its own background worker (found $sweepers)" test "$sweepers" = 1
pid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND query LIKE 'tasker_bench: scale sweep:%' LIMIT 1")
ms=$(q "DO \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    PERFORM pg_cancel_backend($pid);
    LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
                               WHERE (pid = $pid AND state = 'active')
                                  OR backend_type IN ('tasker_bench client', 'tasker_bench scale sweep'))
               OR clock_timestamp() - t0 > interval '20 s';
        PERFORM pg_sleep(0.005);
    END LOOP;
    RAISE NOTICE 'ms=%', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
END \$\$" | sed -n 's/.*ms=\([0-9]*\).*/\1/p')
wait $bg
check "pg_cancel_backend stops the sweep (57014)" grep -q "57014" "$TB_DIR/grid.out"
check "... its worker and clients gone within two seconds (took ${ms} ms)" test "${ms:-99999}" -lt 2000
left=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type IN ('tasker_bench client', 'tasker_bench scale sweep')")
check "... and none is left (found $left)" test "$left" = 0

check "server still answers" test "$(q 'SELECT 1')" = 1
export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_clients" -c "DROP ROLE tb_clients_user" >/dev/null
finish
