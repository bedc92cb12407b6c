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
# The module must load into the server it is for: every symbol it needs from
# the server must be exported by that server's binary (headers of a newer
# minor release can name functions an older one lacks).
so=$(ls "$build"/*.so | head -1)
postgres=$("$pgc" --bindir)/postgres
missing=$(comm -23 \
	<(nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//' | sort -u) \
	<({ nm -D --defined-only "$postgres"
	    { ldd "$so"; ldd "$postgres"; } | awk '$3 ~ /^\// {print $3}' | sort -u | xargs -r nm -D --defined-only; } | awk '{print $3}' | sed 's/@.*//' | sort -u) |
	grep -vE '^(_ITM_|__gmon_start__|__cxa_finalize)' || true)
if [ -n "$missing" ]; then
	echo "pg-build: $so needs symbols the PostgreSQL $v server does not export: $missing" >&2
	echo "pg-build: (headers of a newer minor release than the server? guard it in src/compat.h)" >&2
	exit 1
fi
echo "$pgc"
