#!/usr/bin/env bash
# A histogram stored on one PostgreSQL version reads back identically on
# another (the histogram's binary and text forms are the same everywhere):
# histograms made on version A are copied out with COPY ... TO in binary and
# in text, copied into version B with COPY ... FROM, compared there value by
# value, copied out again and compared byte for byte with A's files; then
# B's files are read back on A.
#   tests/matrix/histogram_io.sh A A_BUILD_DIR B B_BUILD_DIR
# (a build directory of "-" means this checkout's build of the system's
# PostgreSQL).  Starts and stops its own clusters (tools/cluster.sh).
top=$(cd "$(dirname "$0")/../.." && pwd)
source "$top/tests/lib.sh"
va=$1 ba=$2 vb=$3 bb=$4
[ "$ba" = - ] && ba=
[ "$bb" = - ] && bb=
files=$(mktemp -d -t tb_histio.XXXXXX)
chmod 777 "$files"

# the histograms: several shapes, one empty-ish, one with a huge range
make_sql="
CREATE TABLE h (id int PRIMARY KEY, h tasker_bench.histogram);
INSERT INTO h
SELECT 1, tasker_bench.histogram_agg((exp(g / 5000.0) * 1000)::bigint) FROM generate_series(1, 50000) g
UNION ALL SELECT 2, tasker_bench.histogram_agg(g) FROM generate_series(0, 300) g
UNION ALL SELECT 3, tasker_bench.histogram_agg(v) FROM (VALUES (42::bigint)) x(v)
UNION ALL SELECT 4, tasker_bench.histogram_agg(v) FROM (VALUES (0::bigint), (4611686018427387904), (123456789)) x(v);
SELECT count(*) FROM tasker_bench_measure('SELECT 1', iterations => 2000);
-- a statement of its own: the run's rows are visible to the next snapshot only
INSERT INTO h SELECT 5, r.histogram FROM tasker_bench.results r ORDER BY r.run_id DESC LIMIT 1;"
# what each side reads: every function of the type on every row
facts="SELECT string_agg(concat_ws(' ', id, tasker_bench.hcount(h), tasker_bench.hmin(h), tasker_bench.hmax(h),
                  tasker_bench.hmean(h), tasker_bench.hstddev(h),
                  tasker_bench.percentiles(h, '{0,0.5,0.9,0.99,0.999,1}')::text,
                  (SELECT count(*) FROM tasker_bench.hbuckets(h))), E'\n' ORDER BY id) FROM h"

# on_version V BUILD SCRIPT: runs the shell function SCRIPT on a throwaway
# cluster of version V (in a subshell: each cluster has its own settings)
on_version() {
	(
		source "$top/tools/pg-env.sh" "$1" "$2" || exit 1
		source "$top/tools/cluster.sh"
		tb_private_install || { echo "# install of $1 failed"; exit 1; }
		cluster_start || { echo "# cluster of $1 did not start"; tb_private_remove; exit 1; }
		trap cluster_stop EXIT
		export PGOPTIONS="-c client_min_messages=warning"
		q "CREATE EXTENSION tasker_bench" >/dev/null
		"$3" "$1"
	)
}

side_a() {
	q "$make_sql" >/dev/null
	q "\\copy h TO '$files/a.bin' WITH (FORMAT binary)" >/dev/null
	q "\\copy h TO '$files/a.txt'" >/dev/null
	q "$facts" >"$files/a.facts"
	q "SHOW server_version" >"$files/a.version"
}

side_b() {
	q "CREATE TABLE h (id int PRIMARY KEY, h tasker_bench.histogram); CREATE TABLE ht (LIKE h)" >/dev/null
	q "\\copy h FROM '$files/a.bin' WITH (FORMAT binary)" >"$files/b.in-bin.log"
	q "\\copy ht FROM '$files/a.txt'" >"$files/b.in-txt.log"
	q "SELECT count(*) FROM h JOIN ht USING (id) WHERE h.h::text = ht.h::text" >"$files/b.same"
	q "$facts" >"$files/b.facts"
	q "\\copy h TO '$files/b.bin' WITH (FORMAT binary)" >/dev/null
	q "\\copy h TO '$files/b.txt'" >/dev/null
	q "SHOW server_version" >"$files/b.version"
}

back_on_a() {
	q "CREATE TABLE h (id int PRIMARY KEY, h tasker_bench.histogram)" >/dev/null
	q "\\copy h FROM '$files/b.bin' WITH (FORMAT binary)" >"$files/a2.in.log"
	q "$facts" >"$files/a2.facts"
}

on_version "$va" "$ba" side_a
on_version "$vb" "$bb" side_b
on_version "$va" "$ba" back_on_a
a=$(cat "$files/a.version" 2>/dev/null)
b=$(cat "$files/b.version" 2>/dev/null)
echo "# from PostgreSQL $a to PostgreSQL $b"
check "five histograms made and copied out on $a" test "$(wc -l <"$files/a.facts" 2>/dev/null)" = 5
check "binary COPY FROM on $b reads them" grep -q "COPY 5" "$files/b.in-bin.log"
check "text COPY FROM on $b reads them" grep -q "COPY 5" "$files/b.in-txt.log"
check "binary and text input give the same histograms on $b" test "$(cat "$files/b.same")" = 5
check "count, min, max, mean, stddev, percentiles and buckets are identical on $a and $b" \
	cmp -s "$files/a.facts" "$files/b.facts"
check "binary COPY TO on $b gives the same bytes as on $a" cmp -s "$files/a.bin" "$files/b.bin"
check "text COPY TO on $b gives the same text as on $a" cmp -s "$files/a.txt" "$files/b.txt"
check "$b's binary output reads back identically on $a" cmp -s "$files/a.facts" "$files/a2.facts"
rm -rf "$files"
finish
