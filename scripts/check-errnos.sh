#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every errno the module can return must be documented twice: in the
# "DOC: Errors" block of npt_uapi.h and in Documentation/api.rst.
#
# The errnos are every -EXXX literal in the module's C files, plus those
# that kernel helpers called by npt_dev.c return on their own (listed in
# IMPLICIT below, checked only while npt_dev.c calls the helper).
#
# Usage: scripts/check-errnos.sh [TOP]; exits 1 and names what is missing.
set -euo pipefail

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
uapi=$top/npt_uapi.h
api=$top/Documentation/api.rst

# helper:errno pairs for errnos that npt_dev.c returns without spelling
# them out.
IMPLICIT="copy_struct_from_user:E2BIG get_unused_fd_flags:EMFILE
anon_inode_getfile:ENFILE"

die() { echo "check-errnos: $*" >&2; exit 2; }

[ -f "$uapi" ] || die "no $uapi"
[ -f "$api" ] || die "no $api"
shopt -s nullglob
srcs=("$top"/npt_*.c)
[ ${#srcs[@]} -gt 0 ] || die "no npt_*.c in $top"

# -EXXX in code, not in comments.
errnos() {
	sed -e 's://.*$::' -e 's:/\*.*\*/::g' "$@" |
		grep -oE -- '-E[A-Z0-9]+\b' | sed 's/^-//'
	local pair
	for pair in $IMPLICIT; do
		grep -q "\b${pair%%:*}(" "$top/npt_dev.c" 2>/dev/null &&
			echo "${pair#*:}"
	done
	return 0
}

doc_block=$(sed -n '/DOC: Errors/,/\*\//p' "$uapi")
[ -n "$doc_block" ] || die "no 'DOC: Errors' block in $uapi"

missing=0
checked=0
for e in $(errnos "${srcs[@]}" | sort -u); do
	checked=$((checked + 1))
	if ! grep -qw -- "$e" <<<"$doc_block"; then
		echo "check-errnos: $e is returned but not in the DOC: Errors block of npt_uapi.h" >&2
		missing=$((missing + 1))
	fi
	if ! grep -qw -- "$e" "$api"; then
		echo "check-errnos: $e is returned but not in Documentation/api.rst" >&2
		missing=$((missing + 1))
	fi
done

if [ "$missing" != 0 ]; then
	echo "check-errnos: $missing missing of $checked errnos" >&2
	exit 1
fi
echo "check-errnos: all $checked errnos documented"
