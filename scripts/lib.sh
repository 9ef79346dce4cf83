# SPDX-License-Identifier: GPL-2.0-only
# Shared settings for npt's scripts.  Source it; it defines no commands
# that act on their own.

NPT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NPT_CACHE=${NPT_CACHE:-$HOME/.cache/npt}
NPT_SRC=$NPT_CACHE/linux-6.12
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$NPT_CACHE/ccache}

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Newest installed Debian amd64 kernel headers of a series (6.12 or 6.1),
# as a version string; the headers live in /usr/src/linux-headers-<ver>.
deb_kver() {
	local re
	case $1 in
	6.12) re='6\.12\.[0-9]+\+deb12-amd64' ;;
	6.1) re='6\.1\.0-[0-9]+-amd64' ;;
	*) return 1 ;;
	esac
	ls /usr/src | sed -n 's/^linux-headers-//p' | grep -E "^$re\$" |
		sort -V | tail -n 1
}
