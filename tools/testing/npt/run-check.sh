#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the gcc and clang builds of the runner side by side, then
# a short libFuzzer run; every case prints PASS or FAIL, and the last line
# is "userspace: N passed, N failed".
set -u

B=${B:-build}
seed=$SEED
# Logs of this run only: another make check may share $B.
mkdir -p "$B"
L=$(mktemp -d "$B/run.XXXXXX")
[ "$seed" = 0 ] && seed=$(( $(date +%s) % 1000000000 ))
echo "npt user-space check: seed $seed, $STEPS steps per format and compiler"

$B/gcc/npt_check -s "$seed" -n "$STEPS" -t "$TABLES" -x "$AVOID" \
	-p gcc- >$L/gcc.log 2>&1 &
gcc_pid=$!
$B/clang/npt_check -s "$((seed + 7))" -n "$STEPS" -t "$TABLES" -x "$AVOID" \
	-p clang- >$L/clang.log 2>&1 &
clang_pid=$!
wait $gcc_pid; gcc_rc=$?
wait $clang_pid; clang_rc=$?
for log in $L/gcc.log $L/clang.log; do
	cat "$log"
done

$B/repro >$L/repro.log 2>&1
repro_rc=$?
if [ $repro_rc = 0 ]; then
	echo "PASS repro: $(grep -c '^ok' $L/repro.log) reproducers of fixed core bugs and races, $(grep -c '^OPEN' $L/repro.log) open"
	grep '^OPEN' $L/repro.log
else
	grep -E '^BUG|ERROR|runtime error' $L/repro.log
	echo "FAIL repro (log: $L/repro.log)"
fi
# A fresh corpus: replaying make fuzz's would not fit the time.
mkdir -p $L/corpus
NPT_AVOID=$AVOID $B/clang/npt_fuzz -max_total_time="$SMOKE_SECONDS" -print_final_stats=1 \
	-artifact_prefix=$L/ $L/corpus >$L/smoke.log 2>&1
smoke_rc=$?
sum=$(./fuzz-summary.sh $L/smoke.log)
if [ $smoke_rc = 0 ]; then
	echo "PASS fuzz-smoke: $sum"
else
	grep -E 'FAIL|ERROR|SUMMARY|runtime error' $L/smoke.log | head -n 20
	echo "FAIL fuzz-smoke: $sum (log and input: $L)"
fi

passed=$(cat $L/gcc.log $L/clang.log | grep -c '^PASS ')
failed=$(cat $L/gcc.log $L/clang.log | grep -c '^FAIL ')
[ $repro_rc = 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
[ $smoke_rc = 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
# A runner that died before its summary line (a sanitizer report exits 1,
# as a FAIL does) or exited nonzero without a FAIL line fails too.
for run in gcc:$gcc_rc clang:$clang_rc; do
	cc=${run%:*}
	rc=${run#*:}
	if ! tail -n 1 "$L/$cc.log" |
	     grep -qE "^$cc-[0-9]+ passed, [0-9]+ failed\$" ||
	   { [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$L/$cc.log"; }; then
		echo "FAIL $cc: the runner died, exit $rc (log: $L/$cc.log)"
		failed=$((failed + 1))
	fi
done
echo "userspace: $passed passed, $failed failed"
# Keep the logs of a failing run only.
[ "$failed" = 0 ] && rm -rf "$L"
[ "$failed" = 0 ]
