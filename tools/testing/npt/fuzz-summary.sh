#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One line out of a libFuzzer log: executions, coverage, features, time.
log=$1
runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{ print $2 }' | tail -n 1)
secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | awk '{ print $5 }' | tail -n 1)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | awk '{ print $2 }')
ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | awk '{ print $2 }')
corp=$(echo "$last" | grep -oE 'corp: [0-9]+' | awk '{ print $2 }')
eps=$(echo "$last" | grep -oE 'exec/s: [0-9]+' | awk '{ print $2 }')
echo "executions ${runs:-?}, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?}, ${secs:-?} s, ${eps:-?} exec/s"
