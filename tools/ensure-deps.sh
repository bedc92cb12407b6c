#!/usr/bin/env bash
# Installs the Debian packages tasker_bench needs, only those missing.
# Runs apt-get update once, and only when something has to be installed.
#   tools/ensure-deps.sh           what building, testing and the demo need
#   tools/ensure-deps.sh browser   what the HTML report's browser test needs
set -euo pipefail

need=(postgresql-15 postgresql-server-dev-15 postgresql-contrib postgresql-15-cron postgresql-15-pgtap libpq-dev
      make gcc clang libclang-rt-14-dev)
if [ "${1:-}" = browser ]; then
	need=(chromium nodejs fonts-dejavu-core)
fi
missing=()
for p in "${need[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "tasker_bench needs these Debian packages: ${missing[*]}" >&2
	echo "Install them as root (apt-get install ${missing[*]}) and run again." >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
