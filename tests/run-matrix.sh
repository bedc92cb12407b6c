#!/usr/bin/env bash
# make test-matrix: tasker_bench on PostgreSQL 17 and 18 (beside the 15 of
# make test).  For each version:
#   1. fetch its headers, PGXS and server (tools/pg-versions.sh, cached
#      outside the repository: a second run downloads nothing)
#   2. build the extension in a copy of the tree, warning-free with -Werror
#      (tools/pg-build.sh), and install it into a private copy of the server
#   3. on a throwaway cluster of that server (tools/cluster.sh, as the
#      postgres OS user, pg_stat_statements preloaded): every pg_regress test
#      and every integration test that does not need pg_cron, and
#      tests/matrix/drivers.sh (each driver runs and stores its results)
# then tests/matrix/histogram_io.sh: histograms stored on 15 read back
# identically on 18 (COPY binary and text), and back again.
# Skipped on 17/18: tests that create an extension those servers lack
# (pg_cron, pgTAP: Debian 12 packages them for its own PostgreSQL 15 only, the
# embedded servers have contrib): they run in make test.
# Prints one line per version and ends with "N passed, N failed"; exits
# non-zero on any failure.  TB_MATRIX_VERSIONS="17 18" chooses the versions.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
versions=${TB_MATRIX_VERSIONS:-17 18}

passed=0
failed=0
failures=()
summary=()
log=$(mktemp -d -t tasker_bench_matrix.XXXXXX)
chmod 755 "$log"

# missing_ext FILE: the extensions FILE creates that the servers under test
# lack (pg_cron and pgTAP are Debian packages for the system's PostgreSQL
# only; the embedded servers have contrib): such a test is skipped
missing_ext() {
	local e v home
	for e in $(grep -vE '^[[:space:]]*(#|--)' "$1" | grep -oiE 'CREATE EXTENSION +(IF NOT EXISTS +)?[a-z_0-9]+' |
		awk '{print tolower($NF)}' | sort -u); do
		[ "$e" = tasker_bench ] && continue
		for v in $versions; do
			home=$(dirname "$("$(bash tools/pg-versions.sh --pg-config "$v")" --sharedir)")
			if [ ! -f "$home/postgresql/extension/$e.control" ]; then
				echo "$e"
				break
			fi
		done
	done
}

tap_count() {		# file -> "ok not_ok"
	echo "$(grep -cE '^ok ' "$1") $(grep -cE '^not ok ' "$1")"
}

bash tools/ensure-deps.sh || exit 1
if ! bash tools/pg-versions.sh $versions >"$log/fetch.txt" 2>&1; then
	cat "$log/fetch.txt"
	echo "fetching PostgreSQL $versions failed"
	echo "0 passed, 1 failed"
	exit 1
fi
# the system's build (15), for the cross-version histogram test
make -s >"$log/build-system.txt" 2>&1 || { cat "$log/build-system.txt"; echo "0 passed, 1 failed"; exit 1; }

# the regression tests of the Makefile and the integration tests, less those
# creating an extension the servers lack
all_regress=$(make -s --no-print-directory -f Makefile -f - print-regress <<<'print-regress: ; @echo $(REGRESS)' 2>/dev/null)
regress=()
skipped=()
for t in $all_regress; do
	m=$(missing_ext "sql/$t.sql" | tr '\n' ' ')
	if [ -n "$m" ]; then skipped+=("$t (needs ${m% })"); else regress+=("$t"); fi
done
integ=()
for t in tests/integration/*.sh; do
	m=$(missing_ext "$t" | tr '\n' ' ')
	if [ -n "$m" ]; then skipped+=("$(basename "$t" .sh) (needs ${m% })"); else integ+=("$t"); fi
done

for v in $versions; do
	build=$log/build-$v
	vp=0 vf=0
	vfail=()
	echo "== PostgreSQL $v"
	if ! bash tools/pg-build.sh "$v" "$build" >"$log/build-$v.txt" 2>&1; then
		failed=$((failed + 1))
		failures+=("PostgreSQL $v: build: $(tail -5 "$log/build-$v.txt" | tr '\n' ' ')")
		summary+=("PostgreSQL $v: build FAILED")
		echo "   build FAILED"
		continue
	fi
	echo "   build: no warnings with -Wall -Wextra -Werror"
	vp=$((vp + 1))
	# everything of one version in a subshell: its own cluster and settings
	(
		source tools/pg-env.sh "$v" "$build" || exit 1
		source tools/cluster.sh
		if ! tb_private_install; then echo "install failed" >"$log/v$v-fatal"; exit 1; fi
		if ! cluster_start; then echo "cluster did not start" >"$log/v$v-fatal"; tb_private_remove; exit 1; fi
		trap cluster_stop EXIT
		psql -X -At -c "SHOW server_version" >"$log/v$v-version" 2>&1
		# pg_regress of the system's PGXS (its psql talks to every version)
		make -s -C "$build" installcheck PG_CONFIG=pg_config REGRESS="${regress[*]}" >"$log/regress-$v.txt" 2>&1
		[ -f "$build/regression.diffs" ] && cp "$build/regression.diffs" "$log/regression-$v.diffs"
		for t in "${integ[@]}" tests/matrix/drivers.sh; do
			name=$(basename "$t" .sh)
			timeout 600 bash "$t" >"$log/$name-$v.tap" 2>&1
			echo $? >"$log/$name-$v.rc"
		done
	)
	if [ -f "$log/v$v-fatal" ]; then
		failed=$((failed + 1))
		failures+=("PostgreSQL $v: $(cat "$log/v$v-fatal")")
		summary+=("PostgreSQL $v: $(cat "$log/v$v-fatal")")
		continue
	fi
	grep -E '^(test | +)?[a-z_0-9]+ +\.\.\. ' "$log/regress-$v.txt" | sed 's/^/   /'
	p=$(grep -cE '\.\.\. ok' "$log/regress-$v.txt")
	f=$(grep -cE '\.\.\. FAILED' "$log/regress-$v.txt")
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1
	vp=$((vp + p)); vf=$((vf + f))
	[ "$f" -gt 0 ] && vfail+=("pg_regress: see $log/regression-$v.diffs")
	for t in "${integ[@]}" tests/matrix/drivers.sh; do
		name=$(basename "$t" .sh)
		read -r p f < <(tap_count "$log/$name-$v.tap")
		rc=$(cat "$log/$name-$v.rc")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			vfail+=("$name exited $rc: $(tail -3 "$log/$name-$v.tap" | tr '\n' ' ')")
		elif [ "$f" -gt 0 ]; then
			vfail+=("$name: $(grep -E '^not ok ' "$log/$name-$v.tap" | head -5 | tr '\n' ';')")
		fi
		vp=$((vp + p)); vf=$((vf + f))
		echo "   $name: $p ok, $f not ok"
	done
	passed=$((passed + vp)); failed=$((failed + vf))
	for x in "${vfail[@]}"; do failures+=("PostgreSQL $v: $x"); done
	summary+=("PostgreSQL $(cat "$log/v$v-version"): $vp passed, $vf failed (${#regress[@]} pg_regress, ${#integ[@]} integration tests + drivers)")
done

# a histogram stored on the system's version reads back identically on the newest
sysv=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
newest=$(echo $versions | tr ' ' '\n' | sort -n | tail -1)
if [ -d "$log/build-$newest" ]; then
	echo "== histogram I/O between PostgreSQL $sysv and $newest"
	timeout 600 bash tests/matrix/histogram_io.sh "$sysv" - "$newest" "$log/build-$newest" >"$log/histogram_io.tap" 2>&1
	rc=$?
	read -r p f < <(tap_count "$log/histogram_io.tap")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; failures+=("histogram_io exited $rc: $(tail -3 "$log/histogram_io.tap" | tr '\n' ' ')")
	elif [ "$f" -gt 0 ]; then
		failures+=("histogram_io: $(grep -E '^not ok ' "$log/histogram_io.tap" | head -5 | tr '\n' ';')")
	fi
	passed=$((passed + p)); failed=$((failed + f))
	echo "   histogram_io: $p ok, $f not ok"
	summary+=("PostgreSQL $sysv -> $newest histogram I/O: $p passed, $f failed")
fi

echo "== summary"
printf '   %s\n' "${summary[@]}"
if [ ${#skipped[@]} -gt 0 ]; then
	echo "   skipped on $versions: ${skipped[*]}: extensions that exist here only for PostgreSQL $sysv (Debian packages); make test runs them"
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo "== failures"
	printf '   %s\n' "${failures[@]}"
	echo "   (logs in $log)"
else
	rm -rf "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
