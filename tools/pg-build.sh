#!/usr/bin/env bash
# Builds tasker_bench against PostgreSQL VERSION (17, 18: fetched by
# tools/pg-versions.sh) in a copy of the source tree, so the build in the
# checkout (against the system's PostgreSQL 15) is left as it is.
#
#   tools/pg-build.sh VERSION BUILD_DIR
#
# BUILD_DIR receives the copy and its build; `make PG_CONFIG=...` there
# installs it.  Prints the PG_CONFIG to use on the last line of stdout.
# The compiler flags are PGXS's, less those this machine's compiler does not
# know (the packages are built with a newer gcc); the project's own
# -Wall -Wextra -Werror stay.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
v=$1
build=$2

bash "$top/tools/pg-versions.sh" "$v"
pgc=$(bash "$top/tools/pg-versions.sh" --pg-config "$v")
global=$(dirname "$("$pgc" --pgxs)")/../Makefile.global

cc=${CC:-gcc}
cflags=
for f in $(sed -n 's/^CFLAGS = //p' "$global"); do
	if echo 'int x;' | "$cc" -Werror "$f" -fsyntax-only -x c - >/dev/null 2>&1; then
		cflags="$cflags $f"
	fi
done

rm -rf "$build"
mkdir -p "$build"
(cd "$top" && tar --exclude=./.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
	--exclude=./results --exclude=./regression.diffs --exclude=./regression.out -cf - .) | tar -C "$build" -xf -
make -s -C "$build" clean >/dev/null 2>&1 || true
make -s -C "$build" PG_CONFIG="$pgc" CC="$cc" CFLAGS="${cflags# }" >"$build/build.log" 2>&1 || {
	cat "$build/build.log" >&2
	echo "pg-build: the build against PostgreSQL $v failed" >&2
	exit 1
}
if grep -qi 'warning' "$build/build.log"; then
	cat "$build/build.log" >&2
	echo "pg-build: the build against PostgreSQL $v printed warnings" >&2
	exit 1
fi
echo "$pgc"
