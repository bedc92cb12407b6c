#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for demos, tests and benchmarks:
# a temporary directory, a private port and socket directory, run as the
# postgres OS user when invoked as root, with pg_stat_statements and pg_cron
# preloaded.  Source this file, then:
#   cluster_start        sets TB_DIR, PGHOST, PGPORT, PGUSER, PGDATABASE
#   cluster_stop         stops the server this shell started and removes TB_DIR
# Nothing outside TB_DIR is touched; only the server started here is stopped.
#
# By default the system's PostgreSQL (15, Debian) and the build in this
# checkout.  Another version (tests/run-matrix.sh) is chosen before sourcing:
#   TB_PG_CONFIG   its pg_config (default: pg_config on PATH)
#   TB_PG_HOME     a relocatable server's folder holding bin/, lib/, share/:
#                  copied whole by tb_private_install (default: none, the
#                  bindir, pkglibdir and sharedir of TB_PG_CONFIG are copied)
#   TB_BUILD_DIR   where the build to install is (default: this checkout)
#   TB_PRELOAD     shared_preload_libraries (default:
#                  pg_stat_statements,pg_cron)

TB_PG_CONFIG=${TB_PG_CONFIG:-pg_config}
TB_PRELOAD=${TB_PRELOAD:-pg_stat_statements,pg_cron}
TB_BINDIR=${TB_BINDIR:-$("$TB_PG_CONFIG" --bindir)}
export TB_BINDIR TB_PG_CONFIG TB_PRELOAD

# tb_private_install: the system's PostgreSQL laid out under a temporary
# folder (its bin, lib and share folders at the same relative places, so the
# server finds its files there) with this build installed into it, as
# PostgreSQL's own "make check" does.  Tests and demos never write into the
# system's PostgreSQL, and several checkouts can test at once.  Sets
# TB_BINDIR; cluster_stop (or tb_private_remove) removes the folder.
tb_private_install() {
	local root d
	root=$(mktemp -d -t tasker_bench_install.XXXXXX) || return 1
	chmod 755 "$root"
	TB_INSTALL=$root
	export TB_INSTALL
	if [ -n "${TB_PG_HOME:-}" ]; then
		set -- "$TB_PG_HOME"
	else
		set -- "$("$TB_PG_CONFIG" --bindir)" "$("$TB_PG_CONFIG" --pkglibdir)" "$("$TB_PG_CONFIG" --sharedir)"
	fi
	for d in "$@"; do
		mkdir -p "$root$d" && cp -a "$d/." "$root$d/" || return 1
	done
	make -s -C "${TB_BUILD_DIR:-.}" install DESTDIR="$root" PG_CONFIG="$TB_PG_CONFIG" >/dev/null || return 1
	chmod -R a+rX "$root"
	TB_BINDIR=$root$("$TB_PG_CONFIG" --bindir)
	export TB_BINDIR
}

_tb_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

_tb_free_port() {
	local p
	local start=$((55432 + RANDOM % 400))
	for p in $(seq "$start" 55932) $(seq 55432 "$start"); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

cluster_start() {
	TB_DIR=$(mktemp -d -t tasker_bench.XXXXXX)
	chmod 755 "$TB_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$TB_DIR"
	fi
	PGPORT=${TB_PORT:-$(_tb_free_port)}
	_tb_as_owner "$TB_BINDIR/initdb" -D "$TB_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$TB_DIR/initdb.log" 2>&1 || {
		cat "$TB_DIR/initdb.log" >&2
		return 1
	}
	cat >>"$TB_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$TB_DIR'
shared_preload_libraries = '$TB_PRELOAD'
cron.database_name = 'postgres'
pg_stat_statements.track = all
max_worker_processes = 16
fsync = off
log_min_messages = warning
CONF
	# A port free a moment ago can be taken meanwhile (another cluster, or the
	# local end of some loopback connection: the range overlaps the ephemeral
	# ports): then try another one.
	local try
	for try in 1 2 3 4 5 6; do
		if _tb_as_owner "$TB_BINDIR/pg_ctl" -D "$TB_DIR/data" -l "$TB_DIR/server.log" -w -t 60 start >/dev/null; then
			break
		fi
		if [ -n "${TB_PORT:-}" ] || [ "$try" -eq 6 ] || ! grep -q 'could not bind\|could not create any TCP/IP sockets\|lock file .* already exists' "$TB_DIR/server.log"; then
			cat "$TB_DIR/server.log" >&2
			return 1
		fi
		PGPORT=$(_tb_free_port)
		echo "port = $PGPORT" >>"$TB_DIR/data/postgresql.conf"
		: >"$TB_DIR/server.log"
	done
	TB_SERVER_PID=$(head -1 "$TB_DIR/data/postmaster.pid")
	export TB_DIR TB_SERVER_PID PGPORT
	export PGHOST=$TB_DIR PGUSER=postgres PGDATABASE=postgres
}

cluster_stop() {
	if [ -n "${TB_DIR:-}" ] && [ -d "$TB_DIR/data" ]; then
		_tb_as_owner "$TB_BINDIR/pg_ctl" -D "$TB_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			{ [ -n "${TB_SERVER_PID:-}" ] && kill -QUIT "$TB_SERVER_PID" 2>/dev/null; }
		rm -rf "$TB_DIR"
	fi
	TB_DIR=
	tb_private_remove
}

tb_private_remove() {
	if [ -n "${TB_INSTALL:-}" ] && [ -d "$TB_INSTALL" ]; then
		rm -rf "$TB_INSTALL"
	fi
	TB_INSTALL=
}
