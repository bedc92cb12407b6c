#!/usr/bin/env bash
# make test: every test of tasker_bench on a throwaway cluster.
#   1. the C unit tests of the pure-C parts under ASan+UBSan, and a short fuzz run;
#      the SQL half checked for dependency order
#   2. pg_regress (make installcheck) against the throwaway cluster
#   3. the integration tests in tests/integration (several sessions, a shell)
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

bash tools/ensure-deps.sh || exit 1
make -s clean >/dev/null 2>&1
make -s >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
source tools/cluster.sh
trap 'tb_private_remove' EXIT
tb_private_install || { echo "install failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()

count_tap() {		# name, file
	local p f
	p=$(grep -cE '^ok ' "$2")
	f=$(grep -cE '^not ok ' "$2")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$1: $(grep -E '^not ok ' "$2" | head -5 | tr '\n' ';')")
	fi
}

log=$(mktemp -d -t tasker_bench_test.XXXXXX)

echo "== unit tests (ASan + UBSan)"
if make -s -C tests/unit clean all >"$log/unit-build.txt" 2>&1; then
	for t in test_histogram test_stats test_client_json; do
		tests/unit/$t >"$log/$t.tap" 2>&1
		rc=$?
		count_tap "$t" "$log/$t.tap"
		if [ $rc -ne 0 ] && ! grep -qE '^not ok ' "$log/$t.tap"; then
			failed=$((failed + 1)); failures+=("$t exited $rc: $(tail -3 "$log/$t.tap" | tr '\n' ' ')")
		fi
		echo "   $t: $(grep -cE '^ok ' "$log/$t.tap") ok, $(grep -cE '^not ok ' "$log/$t.tap") not ok"
	done
	if make -s -C tests/unit fuzz_histogram >>"$log/unit-build.txt" 2>&1 &&
		(cd tests/unit && ./fuzz_histogram -max_total_time="${FUZZ_SECONDS:-15}" -max_len=4096 >"$log/fuzz.txt" 2>&1); then
		passed=$((passed + 1)); echo "   fuzz_histogram: clean for ${FUZZ_SECONDS:-15} s"
	else
		failed=$((failed + 1)); failures+=("fuzz_histogram: $(tail -5 "$log/fuzz.txt" 2>/dev/null | tr '\n' ' ')")
		echo "   fuzz_histogram: FAILED"
	fi
else
	failed=$((failed + 1)); failures+=("unit test build: $(tail -5 "$log/unit-build.txt" | tr '\n' ' ')")
fi

echo "== the SQL half in dependency order (tools/check-sql-order.pl)"
if perl tools/check-sql-order.pl sql_src/*.sql >"$log/sql-order.txt" 2>&1; then
	passed=$((passed + 1)); echo "   no statement names an object created later"
else
	failed=$((failed + 1)); failures+=("sql order: $(head -3 "$log/sql-order.txt" | tr '\n' ' ')")
	echo "   FAILED: $(tail -1 "$log/sql-order.txt")"
fi

if ! cluster_start; then
	echo "could not start a throwaway cluster"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
trap 'cluster_stop' EXIT

echo "== pg_regress"
make -s installcheck >"$log/regress.txt" 2>&1
grep -E '^(test | +)?[a-z_]+ +\.\.\. ' "$log/regress.txt" | sed 's/^/   /'
p=$(grep -cE '\.\.\. ok' "$log/regress.txt")
f=$(grep -cE '\.\.\. FAILED' "$log/regress.txt")
passed=$((passed + p)); failed=$((failed + f))
if [ "$f" -gt 0 ] || [ "$p" -eq 0 ]; then
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
	failures+=("pg_regress: see regression.diffs")
	[ -f regression.diffs ] && head -60 regression.diffs
fi

echo "== integration tests"
for t in tests/integration/*.sh; do
	name=$(basename "$t" .sh)
	timeout 600 bash "$t" >"$log/$name.tap" 2>&1
	rc=$?
	count_tap "$name" "$log/$name.tap"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok ' "$log/$name.tap"; then
		failed=$((failed + 1)); failures+=("$name exited $rc: $(tail -3 "$log/$name.tap" | tr '\n' ' ')")
	fi
	echo "   $name: $(grep -cE '^ok ' "$log/$name.tap") ok, $(grep -cE '^not ok ' "$log/$name.tap") not ok"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "== failures"
	printf '   %s\n' "${failures[@]}"
	echo "   (logs in $log)"
else
	rm -rf "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
