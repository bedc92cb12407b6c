# Helpers for the integration tests (bash).  Each test prints TAP lines
# ("ok N - ...", "not ok N - ...") that tests/run-all.sh counts.
TB_T=0
TB_FAILED=0

ok() {
	TB_T=$((TB_T + 1))
	echo "ok $TB_T - $1"
}

not_ok() {
	TB_T=$((TB_T + 1))
	TB_FAILED=$((TB_FAILED + 1))
	echo "not ok $TB_T - $1"
	[ -n "${2:-}" ] && echo "#   $2"
	return 0
}

# check "description" test-expression...
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# q SQL: run as the test role, print unaligned tuples only
q() {
	psql -X -At -v ON_ERROR_STOP=1 -c "$1" 2>&1
}

finish() {
	echo "1..$TB_T"
	[ "$TB_FAILED" -eq 0 ]
}
