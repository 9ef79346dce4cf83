#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The user-space build of the core (tools/testing/npt), if it exists yet:
# runs its "check" target and passes on its "userspace: N passed, N failed"
# line.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

dir=$NPT_TOP/tools/testing/npt
log=$NPT_LOGS/userspace.log

if [ ! -f "$dir/Makefile" ]; then
	step "userspace: no tools/testing/npt yet"
	summary userspace 0 0
	exit 0
fi
step "userspace: make -C tools/testing/npt check (log: $log)"
mkdir -p "$NPT_LOGS"
rc=0
# This run's own file, moved to the shared log once complete.
out=$(mktemp "$NPT_LOGS/.userspace.XXXXXX")
timeout 1800 make -C "$dir" check >"$out" 2>&1 || rc=$?
line=$(grep -E '^userspace: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1 || true)
if [ -z "$line" ]; then
	tail -n 20 "$out" >&2
	mv "$out" "$log"
	summary userspace 0 1
	exit 1
fi
read -r passed failed < <(echo "$line" | awk '{ print $2, $4 }')
# A failing run that counted no failure, or one that ran nothing.
if [ "$rc" != 0 ] || [ $((passed + failed)) = 0 ]; then
	[ "$failed" -gt 0 ] || failed=1
	tail -n 20 "$out" >&2
fi
mv "$out" "$log"
summary userspace "$passed" "$failed"
[ "$failed" = 0 ]
