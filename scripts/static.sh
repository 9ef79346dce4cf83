#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks; each is one test of the "static: N passed, N failed" line:
#   w1-sparse     W=1 C=1 (sparse) build against Debian's 6.12 headers,
#                 no warnings
#   debian-6.1    the module builds, without warnings, against Debian's
#                 6.1 headers (Debian 12's other kernel)
#   dkms          dkms add + dkms build of dkms.conf against the 6.12
#                 headers, without warnings
#   checkpatch    checkpatch.pl --strict over every .c/.h in the repo
#   kernel-doc    kernel-doc -none -Wall over the module's .c/.h, clean
#   errnos        every errno the module returns is in the errno table of
#                 npt_uapi.h and in Documentation/api.rst (check-errnos.sh)
# Logs: $NPT_CACHE/logs/static-*.log.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

passed=0
failed=0

# Record one check: check NAME CMD...; CMD's output is its log, and any
# output line matching "warning:" or "error:" fails it like a bad exit.
# The output is read from a file of this run's own, then moved to the
# shared log: another checkout's run cannot truncate it meanwhile.
check() {
	local name=$1 log=$NPT_LOGS/static-$1.log rc=0 bad out
	shift
	mkdir -p "$NPT_LOGS"
	out=$(mktemp "$NPT_LOGS/.static-$name.XXXXXX")
	"$@" >"$out" 2>&1 || rc=$?
	bad=$(grep -ciE '(warning|error):' "$out" || true)
	mv "$out" "$log"
	if [ "$rc" = 0 ] && [ "$bad" = 0 ]; then
		passed=$((passed + 1))
		step "static: $name ok"
	else
		failed=$((failed + 1))
		grep -iE '(warning|error):' "$log" | head -n 20 >&2 || true
		step "static: $name FAILED (exit $rc, $bad warnings; log: $log)"
	fi
}

# A full (not incremental) module build, so every warning shows each time.
clean_build() {
	local name=$1 kdir=$2 dir=$NPT_WORK/mod-$1
	shift 2
	sync_module_sources "$dir" || return 1
	make -C "$kdir" M="$dir" clean >/dev/null
	make -C "$kdir" M="$dir" -j"$JOBS" "$@" modules
}

c_files() {
	(cd "$NPT_TOP" && find . -path ./.git -prune -o \
		-name '*.[ch]' -type f -print | sed 's|^\./||' | sort)
}

# User-space programs follow kernel style too, less what only the kernel
# has (__printf, u32, BIT(), ...) and what user-space messages and libFuzzer
# need.
# Stand-ins for kernel headers (tools/testing/*/include/) imitate the
# kernel's own macros and types, so the checks on macro shape are off there.
USER_IGNORE=BIT_MACRO,PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,STATIC_CONST_CHAR_ARRAY,SPLIT_STRING,AVOID_EXTERNS,CAMELCASE
SHIM_IGNORE=$USER_IGNORE,NEW_TYPEDEFS,VOLATILE,MEMORY_BARRIER,EXPORT_SYMBOL,COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_ARG_UNUSED,MACRO_ARG_PRECEDENCE,BIT_MACRO,SINGLE_STATEMENT_DO_WHILE_MACRO,MACRO_WITH_FLOW_CONTROL,INLINE,MINMAX,USE_LOCKDEP,DATA_RACE,PRINTK_WITHOUT_KERN_LEVEL,IS_ENABLED_CONFIG,AVOID_BUG

checkpatch() {
	local f kernel=() user=() shim=() rc=0
	local cp=("$NPT_SRC/scripts/checkpatch.pl" --strict --no-tree --terse
		--show-types --no-summary -f)
	while read -r f; do
		case $f in
		tools/testing/*/include/*) shim+=("$f") ;;
		tools/* | selftests/* | scripts/*) user+=("$f") ;;
		*) kernel+=("$f") ;;
		esac
	done < <(c_files)
	cd "$NPT_TOP"
	[ ${#kernel[@]} = 0 ] || "${cp[@]}" "${kernel[@]}" || rc=1
	[ ${#user[@]} = 0 ] || "${cp[@]}" --ignore "$USER_IGNORE" "${user[@]}" ||
		rc=1
	[ ${#shim[@]} = 0 ] || "${cp[@]}" --ignore "$SHIM_IGNORE" "${shim[@]}" ||
		rc=1
	return $rc
}

# The module built from dkms.conf as a user's `dkms add` and `dkms build`
# would build it, in a private dkms tree under the cache; the kernel
# build's log is the check's log (dkms's own output has harmless readelf
# warnings).  The first run lets dkms create its module-signing key in
# /var/lib/dkms, as any dkms build does.
dkms_build() {
	local top=$NPT_WORK/dkms kver ver arch=x86_64
	local args=(-m npt --sourcetree "$top/src" --dkmstree "$top/tree")
	kver=$(deb_kver 6.12)
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$NPT_TOP/dkms.conf")
	[ -n "$ver" ] || { echo "error: no PACKAGE_VERSION in dkms.conf"; return 1; }
	rm -rf "$top"
	sync_module_sources "$top/src/npt-$ver" || return 1
	mkdir -p "$top/tree"
	if ! { dkms add "${args[@]}" -v "$ver" &&
	       dkms build "${args[@]}" -v "$ver" -k "$kver" \
		       --kernelsourcedir "$(deb_kdir 6.12)"; } >"$top/dkms.log" 2>&1; then
		cat "$top/dkms.log"
		return 1
	fi
	cat "$top/tree/npt/$ver/$kver/$arch/log/make.log"
	ls "$top/tree/npt/$ver/$kver/$arch/module/"npt.ko*
}

# kernel-doc prints its warnings; the module's own files only.
kernel_doc() {
	cd "$NPT_TOP"
	"$NPT_SRC/scripts/kernel-doc" -none -Wall ./*.[ch]
}

main() {
	local t0=$SECONDS
	if have_module; then
		check w1-sparse clean_build static-6.12 "$(deb_kdir 6.12)" W=1 C=1
		check debian-6.1 clean_build static-6.1 "$(deb_kdir 6.1)"
		check dkms dkms_build
		check kernel-doc kernel_doc
		check errnos "$NPT_TOP/scripts/check-errnos.sh" "$NPT_TOP"
	else
		step "static: no module sources yet, only checkpatch runs"
	fi
	check checkpatch checkpatch
	step "static: $((SECONDS - t0)) s"
	summary static "$passed" "$failed"
	[ "$failed" = 0 ]
}

main
