#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-callgrind: instruction counts per operation, which unlike
# times do not depend on what else the machine is doing.  Prints
# "bench-callgrind: FORMAT OP VALUE instr/UNIT".
set -eu
bin=$1
out=$2/callgrind
if ! command -v valgrind >/dev/null; then
	echo "bench-callgrind: valgrind is not installed"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" \
	"$bin" -c ${BENCH_FORMAT:+-f "$BENCH_FORMAT"} >"$out/bench.log" 2>"$out/valgrind.log"
for f in $(ls "$out"/cg.* | sort -t. -k3,3n); do
	desc=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	[ -n "$desc" ] || continue
	n=$(sed -n 's/^summary: //p;s/^totals: //p' "$f" | head -n 1 | awk '{ print $1 }')
	set -- $desc
	fmt=$1 size=$2 op=$3
	case $op in
	translate-*|walk-*|load-*) div=1048576 unit=lookup ;;
	*) if [ "$size" = 4k ]; then div=262144 unit=page; else div=512 unit=block; fi ;;
	esac
	awk -v f="$fmt" -v o="$op$size" -v n="$n" -v d="$div" -v u="$unit" \
		'BEGIN { printf "bench-callgrind: %s %s %.1f instr/%s\n", f, o, n / d, u }'
done
