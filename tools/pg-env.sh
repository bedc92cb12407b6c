#!/usr/bin/env bash
# Source before tools/cluster.sh to run a throwaway cluster of another
# PostgreSQL version:  source tools/pg-env.sh VERSION [BUILD_DIR]
#   VERSION    15 (or the system's version): the system's PostgreSQL and the
#              build in this checkout; 17, 18: the versions fetched by
#              tools/pg-versions.sh, the build in BUILD_DIR (tools/pg-build.sh)
# Sets TB_PG_CONFIG, TB_PG_HOME, TB_BUILD_DIR, TB_PRELOAD and TB_BINDIR for
# tools/cluster.sh.  pg_cron is preloaded only where Debian 12 has it (15).
tb_pg_env() {
	local v=$1 build=${2:-} top sysv
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	sysv=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	unset TB_BINDIR TB_PG_HOME
	if [ "$v" = "$sysv" ]; then
		TB_PG_CONFIG=pg_config
		TB_BUILD_DIR=${build:-$top}
		TB_PRELOAD=pg_stat_statements,pg_cron
		export TB_PG_CONFIG TB_BUILD_DIR TB_PRELOAD
	else
		TB_PG_CONFIG=$(bash "$top/tools/pg-versions.sh" --pg-config "$v") || return 1
		[ -x "$TB_PG_CONFIG" ] || { echo "PostgreSQL $v is not fetched: run tools/pg-versions.sh $v" >&2; return 1; }
		TB_PG_HOME=$(dirname "$("$TB_PG_CONFIG" --bindir)")
		TB_BUILD_DIR=${build:?the build directory of PostgreSQL $v (tools/pg-build.sh)}
		TB_PRELOAD=pg_stat_statements
		export TB_PG_CONFIG TB_PG_HOME TB_BUILD_DIR TB_PRELOAD
	fi
	TB_BINDIR=$("$TB_PG_CONFIG" --bindir)
	export TB_BINDIR
}
tb_pg_env "$@"
