#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run npt's KUnit tests with kunit.py on one arch (um, x86_64, arm64, riscv)
# and print "kunit-ARCH: N passed, N failed"; exit non-zero on any failure.
#
# The sources reach the kernel through a private hard-link copy of the
# extracted tree ($NPT_CACHE/tree-kunit) in which drivers/misc/npt links to
# this checkout.  Each arch has its own O= dir, $NPT_CACHE/kunit-ARCH.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

arch=${1:?usage: kunit.sh um|x86_64|arm64|riscv}
tree=$NPT_CACHE/tree-kunit
json=$NPT_LOGS/kunit-$arch.json
log=$NPT_LOGS/kunit-$arch.log
out=$NPT_CACHE/kunit-$arch
stamp=$out/.npt-checkout

prepare_tree() {
	local f
	if [ ! -f "$tree/.npt-tree" ]; then
		step "kunit: hard-link copy of the kernel tree at $tree"
		rm -rf "$tree"
		cp -al "$NPT_SRC" "$tree"
		for f in Kconfig Makefile; do
			cp --remove-destination "$NPT_SRC/drivers/misc/$f" \
				"$tree/drivers/misc/$f"
		done
		echo 'source "drivers/misc/npt/Kconfig"' >>"$tree/drivers/misc/Kconfig"
		echo 'obj-$(CONFIG_NPT) += npt/' >>"$tree/drivers/misc/Makefile"
		touch "$tree/.npt-tree"
	fi
	# Objects next to the sources would be taken for up to date by the
	# O= build: only ever build the module from a copy.
	if compgen -G "$NPT_TOP/*.o" >/dev/null ||
		compgen -G "$NPT_TOP/kunit/*.o" >/dev/null; then
		die "build products in $NPT_TOP: run 'make clean' first"
	fi
	ln -sfn "$NPT_TOP" "$tree/drivers/misc/npt"
	# kbuild trusts mtimes, and objects built from another checkout can
	# be newer than this one's sources: start npt's objects afresh
	# whenever the checkout changes.
	if [ "$(cat "$stamp" 2>/dev/null)" != "$NPT_TOP" ]; then
		rm -rf "$out/drivers/misc/npt"
		mkdir -p "$out"
		echo "$NPT_TOP" >"$stamp"
	fi
}

kunit_args() {
	local cross
	cross=$(cross_prefix "$arch")
	echo "--kunitconfig=$NPT_TOP/kunit/.kunitconfig"
	echo "--build_dir=$out"
	echo "--jobs=$JOBS"
	echo "--timeout=900"
	echo "--json=$json"
	echo "--make_options=CC=ccache ${cross}gcc"
	echo "--kconfig_add=CONFIG_PREEMPT=y"
	[ "$arch" = um ] && return
	echo "--kconfig_add=CONFIG_SMP=y"
	echo "--qemu_args=-smp 2"
	if [ -f "$NPT_TOP/scripts/kunit-qemu/$arch.py" ]; then
		echo "--qemu_config=$NPT_TOP/scripts/kunit-qemu/$arch.py"
	else
		echo "--arch=$arch"
	fi
	[ -z "$cross" ] || echo "--cross_compile=$cross"
}

# Suites that must run (not be skipped) on their own arch, if they exist.
required_suites() {
	grep -ho "\"npt_hw_$arch\"" "$NPT_TOP"/kunit/*.c 2>/dev/null |
		tr -d '"' | sort -u || true
}

main() {
	local args rc=0 passed failed skipped t0=$SECONDS
	if ! have_kunit_tests; then
		step "kunit-$arch: no tests in kunit/ yet"
		summary "kunit-$arch" 0 0
		return 0
	fi
	kbuild_lock
	prepare_tree
	mapfile -t args < <(kunit_args)
	step "kunit-$arch: building and running (log: $log)"
	rm -f "$json"
	mkdir -p "$NPT_LOGS"
	(cd "$tree" && timeout 3600 python3 tools/testing/kunit/kunit.py \
		run "${args[@]}") >"$log" 2>&1 || rc=$?
	if [ -s "$json" ]; then
		read -r passed failed skipped < <(python3 \
			"$NPT_TOP/scripts/kunit-results.py" "$json" $(required_suites))
	else
		tail -n 30 "$log" >&2
		passed=0 failed=0 skipped=0
	fi
	# kunit.py failed (build, crash, timeout) but no case says so.
	[ "$rc" = 0 ] || [ "$failed" -gt 0 ] || failed=1
	[ "$passed" -gt 0 ] || [ "$failed" -gt 0 ] || failed=1
	step "kunit-$arch: $((SECONDS - t0)) s, $skipped skipped, kunit.py exit $rc"
	summary "kunit-$arch" "$passed" "$failed"
	[ "$failed" = 0 ]
}

main
