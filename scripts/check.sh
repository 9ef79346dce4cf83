#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every part, one line each ("PART: N passed, N failed"), then
# "total: N passed, N failed".  Exits non-zero if anything failed.
# PARTS="kunit-um static ..." runs only those parts.  Progress goes to
# stderr, logs to $NPT_CACHE/logs.  The parts share a time budget,
# NPT_CHECK_BUDGET seconds (85 minutes, under CI's 90): a part still
# running when it is spent is stopped, and the parts after it are not
# started; each counts as one failure, and every line still prints.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

ALL_PARTS="kunit-um kunit-x86_64 kunit-arm64 kunit-riscv selftests-x86_64
selftests-arm64 selftests-riscv selftests-debug static userspace"
S=$NPT_TOP/scripts

part_cmd() {
	case $1 in
	kunit-*) echo "$S/kunit.sh" "${1#kunit-}" ;;
	selftests-*) echo "$S/guest.sh" "${1#selftests-}" test ;;
	static | userspace) echo "$S/$1.sh" ;;
	*) die "unknown part '$1' (parts: $(echo $ALL_PARTS))" ;;
	esac
}

BUDGET=${NPT_CHECK_BUDGET:-5100}
passed=0
failed=0

# Run one part and print its line; add it to the totals.  A part that
# crashed without printing its line counts as one failure.
run_part() {
	local part=$1 cmd line p f t0=$SECONDS left=$((BUDGET - SECONDS))
	cmd=$(part_cmd "$part")
	if [ "$left" -le 0 ]; then
		step "$part: not started, the budget of $BUDGET s is spent"
		line=
	else
		step "$part: starting"
		# timeout signals the part's whole process group (QEMU too).
		line=$(timeout -k 30 "$left" $cmd |
			grep -E "^$part: [0-9]+ passed, [0-9]+ failed$" |
			tail -n 1) || true
	fi
	[ -n "$line" ] || line="$part: 0 passed, 1 failed"
	echo "$line"
	step "$part: finished in $((SECONDS - t0)) s"
	read -r p f < <(echo "$line" | awk '{ print $2, $4 }')
	passed=$((passed + p))
	failed=$((failed + f))
}

main() {
	local parts part t0=$SECONDS
	parts=${PARTS:-$ALL_PARTS}
	for part in $parts; do part_cmd "$part" >/dev/null; done
	step "bootstrap"
	"$S/bootstrap.sh"
	for part in $parts; do
		run_part "$part"
	done
	step "make check: $((SECONDS - t0)) s"
	summary total "$passed" "$failed"
	[ "$failed" = 0 ]
}

main
