#!/usr/bin/env bash
# The histogram's binary I/O round-trips and validates; a failed run is
# recorded even inside a transaction the caller rolls back.
source "$(dirname "$0")/../lib.sh"
psql -X -q -c "CREATE DATABASE tb_io" >/dev/null
export PGDATABASE=tb_io
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench" >/dev/null
q "CREATE TABLE h AS SELECT tasker_bench.histogram_agg((exp(g / 5000.0) * 1000)::bigint) AS h FROM generate_series(1, 50000) g" >/dev/null
q "CREATE TABLE h2 (h tasker_bench.histogram)" >/dev/null
q "\\copy h TO '$TB_DIR/h.bin' WITH (FORMAT binary)" >/dev/null
out=$(q "\\copy h2 FROM '$TB_DIR/h.bin' WITH (FORMAT binary)")
check "binary COPY out and back in" grep -q "COPY 1" <<<"$out"
check "binary round trip is identical" test "$(q 'SELECT (SELECT h::text FROM h) = (SELECT h::text FROM h2)')" = t
# corrupt one byte inside the histogram's payload (past the COPY header)
size=$(stat -c %s "$TB_DIR/h.bin")
cp "$TB_DIR/h.bin" "$TB_DIR/bad.bin"
printf '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$TB_DIR/bad.bin" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
out=$(q "\\copy h2 FROM '$TB_DIR/bad.bin' WITH (FORMAT binary)")
check "corrupt binary input is rejected with an error" grep -qE "ERROR:.*(invalid binary input|incorrect binary data format|insufficient data)" <<<"$out"
check "the server survives" test "$(q 'SELECT 1')" = 1

# a failure inside BEGIN ... ROLLBACK is still recorded
psql -X -q >/dev/null 2>&1 <<'SQL'
BEGIN;
SELECT * FROM tasker_bench_measure('SELECT 1 / (random() * 0)::int', iterations => 10, name => 'in a transaction');
ROLLBACK;
SQL
check "a failed run survives the caller's rollback" \
	test "$(q "SELECT status || ':' || error_sqlstate FROM tasker_bench.runs WHERE what = 'in a transaction'")" = "failed:22012"
check "no worker is left behind" \
	test "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'tasker_bench failure recorder'")" = 0

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_io" >/dev/null
finish
