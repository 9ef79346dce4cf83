# SPDX-License-Identifier: GPL-2.0-only
# Shared settings and helpers for npt's scripts.  Source it; it defines no
# commands that act on their own.

NPT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NPT_CACHE=${NPT_CACHE:-$HOME/.cache/npt}
NPT_SRC=$NPT_CACHE/linux-6.12
NPT_LOGS=$NPT_CACHE/logs
# Copies of the sources and guest files of this checkout: two checkouts
# (or a CI clone) never share them.
NPT_WORK=$NPT_CACHE/work/$(printf '%s' "$NPT_TOP" | sha1sum | cut -c1-8)
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$NPT_CACHE/ccache}

step() { printf '==> %s\n' "$*" >&2; }

# Kernel builds and the dirs they use are shared by every checkout: one at
# a time.  Holds $NPT_CACHE/kbuild.lock until the calling script exits.
kbuild_lock() {
	mkdir -p "$NPT_CACHE"
	exec 9>"$NPT_CACHE/kbuild.lock"
	flock -n 9 && return
	step "waiting for another build using $NPT_CACHE"
	flock 9
}
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

# Headers of Debian's 6.12 amd64 kernel: the default module build target.
deb_kdir() {
	local ver
	ver=$(deb_kver "${1:-6.12}")
	[ -n "$ver" ] || die "no Debian ${1:-6.12} amd64 headers: run scripts/bootstrap.sh"
	echo "/usr/src/linux-headers-$ver"
}

# Guest names (x86_64 arm64 riscv debug) to kbuild's ARCH= and to the
# cross-compiler prefix.
kbuild_arch() {
	case $1 in
	x86_64 | debug) echo x86_64 ;;
	arm64 | riscv | um) echo "$1" ;;
	*) die "unknown arch '$1'" ;;
	esac
}

cross_prefix() {
	case $1 in
	arm64) echo aarch64-linux-gnu- ;;
	riscv) echo riscv64-linux-gnu- ;;
	*) echo "" ;;
	esac
}

# Does the tree have the module's C sources / tests of a kind yet?
have_module() { compgen -G "$NPT_TOP/npt_*.c" >/dev/null; }
have_kunit_tests() { compgen -G "$NPT_TOP/kunit/*.c" >/dev/null; }
have_selftests() { [ -f "$NPT_TOP/selftests/Makefile" ]; }

# Run a command with its output in a log file; on failure show the log's
# tail.  Usage: logged LOG CMD...
logged() {
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		printf 'error: %s failed, full log: %s\n' "$1" "$log" >&2
		return 1
	fi
}

# Copy the module's sources (not tests, tools or build products) into DIR.
# Contents are compared, so only changed files get a new mtime and kbuild
# rebuilds exactly what changed.  Build products already in DIR are kept.
sync_module_sources() {
	mkdir -p "$1"
	rsync -rlc --delete \
		--exclude=/.git --exclude=/.ci --exclude=/scripts \
		--exclude=/selftests --exclude=/tools --exclude=/Documentation \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' \
		--exclude=modules.order --exclude=Module.symvers \
		--exclude='.tmp*' \
		"$NPT_TOP/" "$1/"
}

# Build npt.ko out of tree from a copy of the sources in
# $NPT_WORK/mod-NAME (never in the repo: it is linked into the KUnit tree).
# Usage: build_module NAME KDIR [make args...]; prints the path of npt.ko.
build_module() {
	local name=$1 kdir=$2 dir=$NPT_WORK/mod-$1
	shift 2
	[ -d "$kdir" ] || die "no kernel build dir $kdir"
	sync_module_sources "$dir" || return 1
	logged "$NPT_LOGS/module-$name.log" \
		make -C "$kdir" M="$dir" -j"$JOBS" "$@" modules ||
		return 1
	echo "$dir/npt.ko"
}

# The 6.12 UAPI headers of a kbuild arch, for user-space test programs
# (kselftest's KHDR_INCLUDES).  Prints the include dir.
uapi_headers() {
	local out=$NPT_CACHE/uapi-$1
	if [ ! -f "$out/.npt-done" ]; then
		logged "$NPT_LOGS/uapi-$1.log" \
			make -C "$NPT_SRC" O="$out" ARCH="$1" headers >&2 || return 1
		touch "$out/.npt-done"
	fi
	echo "$out/usr/include"
}

# One result line of `make check`: PART: N passed, N failed.
summary() { printf '%s: %d passed, %d failed\n' "$1" "$2" "$3"; }
