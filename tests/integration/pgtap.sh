#!/usr/bin/env bash
# The assertions under pgTAP (tests/pgtap/assertions.sql, run with psql as
# pg_prove would): every test passes, twice in a row with byte-identical
# output; and the raising form fails a psql script run with ON_ERROR_STOP.
source "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
psql -X -q -c "CREATE DATABASE tb_pgtap" >/dev/null
export PGDATABASE=tb_pgtap
q "SET client_min_messages = warning; CREATE EXTENSION pgtap; CREATE EXTENSION tasker_bench" >/dev/null

psql -X -q -f "$top/tests/pgtap/assertions.sql" >"$TB_DIR/tap1.out" 2>&1
rc1=$?
psql -X -q -f "$top/tests/pgtap/assertions.sql" >"$TB_DIR/tap2.out" 2>&1
rc2=$?
sed 's/^/#   /' "$TB_DIR/tap1.out"
check "the pgTAP file runs (psql exit 0, twice)" test "$rc1" -eq 0 -a "$rc2" -eq 0
check "every planned pgTAP test passes" \
	test "$(grep -c '^ok ' "$TB_DIR/tap1.out")" -eq "$(sed -n 's/^1\.\.//p' "$TB_DIR/tap1.out")" -a \
	"$(grep -c '^not ok' "$TB_DIR/tap1.out")" -eq 0
check "the two outputs are byte-identical" cmp -s "$TB_DIR/tap1.out" "$TB_DIR/tap2.out"
check "no run ids, PIDs or timings in the output" \
	bash -c "! grep -qiE 'run [0-9]+|PID|[0-9]+\.[0-9]+ us|NOTICE' '$TB_DIR/tap1.out'"

# the raising form stops a psql script
cat >"$TB_DIR/gate.sql" <<'SQL'
SET tasker_bench.quiet = on;
SELECT tasker_bench_register('gate/sum', 'SELECT sum(g) FROM generate_series(1, 20) g') \g /dev/null
SELECT tasker_bench.assert_within('gate/sum', 0.5, 0.0001, iterations => 50, warmup => '0 s');
SELECT 'not reached';
SQL
psql -X -q -v ON_ERROR_STOP=1 -f "$TB_DIR/gate.sql" >"$TB_DIR/gate.out" 2>&1
rc=$?
check "assert_within fails a script run with ON_ERROR_STOP (psql exit 3)" test "$rc" -eq 3
check "... and the script stops there" bash -c "! grep -q 'not reached' '$TB_DIR/gate.out'"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_pgtap" >/dev/null
finish
