#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a QEMU (TCG) guest with npt.ko, the selftests and nptctl.
#
#   guest.sh GUEST test   run every selftest, print
#                         "selftests-GUEST: N passed, N failed"
#   guest.sh GUEST run    run the nptctl demo session (make run)
#
# GUEST: x86_64 (Debian's own 6.12 kernel), arm64, riscv (small kernels
# built from the 6.12 source) or debug (x86_64 with KASAN, UBSAN, lockdep,
# kmemleak and fault injection).  Everything built is kept under $NPT_CACHE;
# guest logs go to $NPT_CACHE/logs/guest-GUEST-MODE.log.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

guest=${1:?usage: guest.sh x86_64|arm64|riscv|debug test|run}
mode=${2:?usage: guest.sh x86_64|arm64|riscv|debug test|run}
case $guest in x86_64 | arm64 | riscv | debug) ;; *) die "unknown guest $guest" ;; esac
case $mode in test | run) ;; *) die "unknown mode $mode" ;; esac

karch=$(kbuild_arch "$guest")
cross=$(cross_prefix "$guest")
kout=$NPT_CACHE/guest-$guest		# O= dir of a kernel built from source
work=$NPT_WORK/guest-$guest		# init, selftests, nptctl, initramfs
log=$NPT_LOGS/guest-$guest-$mode.log
user_fail=0				# user-space builds that failed

# Kernel built from $NPT_SRC: tinyconfig + scripts/guest-configs fragments.
config_fragments() {
	local d=$NPT_TOP/scripts/guest-configs
	echo "$d/common.config"
	case $guest in
	debug) echo "$d/x86_64.config" "$d/debug.config" ;;
	*) echo "$d/$guest.config" ;;
	esac
}

kmake() {
	make -C "$NPT_SRC" O="$kout" ARCH="$karch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" -j"$JOBS" "$@"
}

configure_kernel() {
	local frags stamp missing
	mapfile -t frags < <(config_fragments | tr ' ' '\n')
	stamp=$(cat "${frags[@]}" | sha1sum | cut -c1-40)
	[ "$(cat "$kout/.npt-config" 2>/dev/null)" = "$stamp" ] && return
	step "guest-$guest: configuring the kernel (tinyconfig + ${frags[*]##*/})"
	mkdir -p "$kout"
	logged "$NPT_LOGS/kernel-$guest-config.log" kmake tinyconfig
	logged "$NPT_LOGS/kernel-$guest-config.log" env ARCH="$karch" \
		CROSS_COMPILE="$cross" "$NPT_SRC/scripts/kconfig/merge_config.sh" \
		-m -O "$kout" "$kout/.config" "${frags[@]}"
	logged "$NPT_LOGS/kernel-$guest-config.log" kmake olddefconfig
	missing=$(grep -h '^CONFIG_.*=y' "${frags[@]}" |
		grep -vxFf "$kout/.config" || true)
	[ -z "$missing" ] || die "guest-$guest kernel lacks: $missing"
	echo "$stamp" >"$kout/.npt-config"
}

kernel_image() {
	case $guest in
	x86_64) echo "/boot/vmlinuz-$(deb_kver 6.12)" ;;
	debug) echo "$kout/arch/x86/boot/bzImage" ;;
	arm64 | riscv) echo "$kout/arch/$karch/boot/Image" ;;
	esac
}

# Prints the kernel image to boot and the dir to build modules against.
prepare_kernel() {
	local t0=$SECONDS img
	if [ "$guest" = x86_64 ]; then
		img=$(kernel_image)
		if [ ! -r "$img" ]; then	# Debian makes it 0600 on some hosts
			mkdir -p "$work"
			sudo install -m 0644 "$img" "$work/vmlinuz"
			img=$work/vmlinuz
		fi
		echo "$img" "$(deb_kdir 6.12)"
		return
	fi
	configure_kernel
	step "guest-$guest: building the kernel in $kout"
	logged "$NPT_LOGS/kernel-$guest.log" kmake all || return 1
	step "guest-$guest: kernel ready in $((SECONDS - t0)) s"
	echo "$(kernel_image)" "$kout"
}

# One make argument a line.
module_make_args() {
	[ "$guest" = x86_64 ] && return
	printf '%s\n' ARCH="$karch" CROSS_COMPILE="$cross" CC="ccache ${cross}gcc"
}

# Build one user-space program directory with the contract
# make -C DIR OUTPUT=OUT CC=CC [...]; on failure count it and go on.
build_user() {
	local name=$1 dir=$2 out=$3 cc=$4
	shift 4
	[ -f "$NPT_TOP/$dir/Makefile" ] || return 0
	mkdir -p "$out"
	logged "$NPT_LOGS/user-$guest-$name.log" \
		make -C "$NPT_TOP/$dir" OUTPUT="$out" CC="$cc" "$@" && return 0
	user_fail=$((user_fail + 1))
	return 1
}

user_cc() {
	case $guest in
	debug | x86_64) echo gcc ;;
	*) echo "${cross}gcc" ;;
	esac
}

# Selftests (npt_*) into $work/tests, nptctl into $work/bin.
build_user_space() {
	local cc ksft=$NPT_SRC/tools/testing/selftests f hdr
	cc=$(user_cc)
	hdr=$(uapi_headers "$karch")
	rm -rf "$work/tests" "$work/bin"
	mkdir -p "$work/tests" "$work/bin"
	if build_user selftests selftests "$work/out/selftests" "$cc" \
		KSFT_DIR="$ksft" KHDR_INCLUDES="-isystem $hdr"; then
		find "$work/out/selftests" -maxdepth 1 -type f -perm -u+x \
			-name 'npt_*' -exec cp {} "$work/tests/" \;
	fi
	if [ "$karch" = x86_64 ] && [ -f "$NPT_TOP/selftests/Makefile" ]; then
		# 32-bit build: proves the compat ioctl path and struct
		# layouts; a failure to build counts like any other.
		if build_user selftests-32 selftests "$work/out/selftests-32" \
			"gcc -m32" KSFT_DIR="$ksft" KHDR_INCLUDES="-isystem $hdr"; then
			for f in $(find "$work/out/selftests-32" -maxdepth 1 \
				-type f -perm -u+x -name 'npt_*'); do
				cp "$f" "$work/tests/$(basename "$f")-32"
			done
		fi
	fi
	build_user nptctl tools/nptctl "$work/out/nptctl" "$cc" \
		KHDR_INCLUDES="-isystem $hdr" &&
		[ -x "$work/out/nptctl/nptctl" ] &&
		cp "$work/out/nptctl/nptctl" "$work/bin/"
	return 0
}

gen_init_cpio() {
	local bin=$NPT_CACHE/bin/gen_init_cpio
	[ -x "$bin" ] || { mkdir -p "${bin%/*}" &&
		gcc -O2 -o "$bin" "$NPT_SRC/usr/gen_init_cpio.c"; }
	"$bin" "$@"
}

# Prints the list gen_init_cpio turns into the initramfs.
initramfs_list() {
	local ko=$1 f
	printf '%s\n' 'dir /dev 0755 0 0' 'nod /dev/console 0600 0 0 c 5 1' \
		'dir /proc 0555 0 0' 'dir /sys 0555 0 0' 'dir /tmp 1777 0 0' \
		'dir /tests 0755 0 0' 'dir /bin 0755 0 0'
	echo "file /init $work/init 0755 0 0"
	echo "file /npt.ko $ko 0644 0 0"
	for f in "$work"/tests/* "$work"/bin/*; do
		[ -f "$f" ] && echo "file ${f#"$work"} $f 0755 0 0"
	done
	[ -f "$NPT_TOP/tools/nptctl/demo.npt" ] &&
		echo "file /demo.npt $NPT_TOP/tools/nptctl/demo.npt 0644 0 0"
	return 0
}

build_initramfs() {
	local ko=$1 cc
	cc=$(user_cc)
	mkdir -p "$work"
	logged "$NPT_LOGS/user-$guest-init.log" $cc -static -O2 -Wall \
		-o "$work/init" "$NPT_TOP/scripts/guest-init.c"
	build_user_space
	initramfs_list "$ko" >"$work/initramfs.list"
	gen_init_cpio "$work/initramfs.list" >"$work/initramfs.cpio"
}

qemu_cmd() {
	local console=ttyS0 mem=1024
	case $guest in
	x86_64) echo qemu-system-x86_64 -machine q35 ;;
	debug) echo qemu-system-x86_64 -machine q35 -cpu max; mem=2048 ;;
	arm64) echo qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on
		console=ttyAMA0 ;;
	riscv) echo qemu-system-riscv64 -machine virt -cpu rv64,h=true \
		-bios /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin ;;
	esac
	echo -m "$mem" -smp 2 -nographic -no-reboot -accel tcg
	echo -append "'console=$console panic=-1 npt_mode=$mode" \
		"$([ "$mode" = run ] && echo quiet)'"
}

boot() {
	local img=$1 limit=900 cmd
	[ "$guest" = debug ] && limit=1800
	cmd="$(qemu_cmd | tr '\n' ' ') -kernel $img -initrd $work/initramfs.cpio"
	step "guest-$guest: booting ($mode, log: $log)"
	mkdir -p "$NPT_LOGS"
	eval timeout "$limit" "$cmd" </dev/null | sed -u -e 's/\r//g' \
		-e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' | tee "$log" |
		if [ "$mode" = run ]; then show_session; else show_progress; fi ||
		true
}

show_progress() {
	sed -u -n 's/^npt-guest: begin \(.*\)/==> guest-'"$guest"': running \1/p' >&2
}

# make run: the guest's own lines from its start on, readable.
show_session() {
	awk '/npt-guest: start/ { on = 1 }
		/^npt-guest: end$/ { if (on) print "end: powering off"; on = 0 }
		!on || /^kmemleak\| / || /^npt-guest: end .* exit 0$/ { next }
		{ sub(/^npt-guest: begin /, "\n$ "); sub(/^npt-guest: klog <[0-9]>/, "dmesg: ")
		  sub(/^npt-guest: /, "")
		  print; fflush() }'
}

# Kernel splats: lines of the guest log that fail the run, matched
# anywhere in a line (the console interleaves them with test output).
splats() {
	grep -E -e '(BUG:|WARNING:|Oops|KASAN:|UBSAN:|INFO: |Kernel panic|kernel BUG|Unable to handle|general protection fault|possible circular locking|Internal error:|soft lockup|detected stalls|---\[ end trace)' \
		-e 'BUG [a-z0-9_-]+ \(' \
		-e 'kmemleak: [0-9]+ new suspected memory leaks' "$log" || true
}

# kmemleak records (dumped between markers) whose backtrace mentions npt.
npt_leaks() {
	sed -n 's/^kmemleak| //p' "$log" | awk '
		/^unreferenced object/ { if (rec ~ /npt/) n++; rec = "" }
		{ rec = rec $0 "\n" }
		END { if (rec ~ /npt/) n++; print n + 0 }'
}

# Sum the kselftest "# Totals:" lines; a binary that ended badly without
# reporting a failure counts as one failed test.
selftest_counts() {
	awk '
		/^npt-guest: begin / { fails = 0 }
		/^# Totals: / {
			for (i = 3; i <= NF; i++) {
				split($i, kv, ":")
				if (kv[1] == "pass") p += kv[2]
				if (kv[1] == "fail" || kv[1] == "error" || kv[1] == "xpass") {
					f += kv[2]; fails += kv[2]
				}
			}
		}
		/^npt-guest: end [^ ]+ / && !/ exit 0$/ && !/ exit 4$/ {
			if (!fails) f++
		}
		END { print p + 0, f + 0 }' "$log"
}

# Print one reason per problem found in the log.
problems() {
	local leaks live
	grep -q '^npt-guest: insmod ok' "$log" || echo "insmod failed or never ran"
	grep -q '^npt-guest: rmmod ok' "$log" || echo "rmmod failed or never ran"
	grep -q '^npt-guest: end$' "$log" || echo "the guest did not reach its end"
	splats | sed 's/^/kernel: /'
	leaks=$(npt_leaks)
	[ "$leaks" = 0 ] || echo "kmemleak: $leaks leaks allocated by npt"
	live=$(sed -n 's/^npt-guest: live_pages \([0-9-]*\) .*/\1/p' "$log")
	[ -z "$live" ] || [ "$live" = 0 ] ||
		echo "live_pages is $live after the last table was closed"
	grep '^npt-guest: end [^ ]* \(signal\|timeout\)' "$log" || true
	[ "$user_fail" = 0 ] || echo "$user_fail user-space build(s) failed"
}

report() {
	local passed failed bad
	read -r passed failed < <(selftest_counts)
	bad=$(problems)
	if [ -n "$bad" ]; then
		printf 'selftests-%s: %s\n' "$guest" "$bad" | head -n 20 >&2
		failed=$((failed + 1))
	fi
	if have_selftests && [ $((passed + failed)) = 0 ]; then
		echo "selftests-$guest: selftests/ exists but none ran" >&2
		failed=1
	fi
	summary "selftests-$guest" "$passed" "$failed"
	[ "$failed" = 0 ]
}

main() {
	local img kdir ko t0=$SECONDS
	if ! have_module; then
		[ "$mode" = test ] || die "no module sources (npt_*.c) yet"
		step "guest-$guest: no module sources yet"
		summary "selftests-$guest" 0 0
		return 0
	fi
	local out margs
	kbuild_lock
	out=$(prepare_kernel) ||
		{ summary "selftests-$guest" 0 1; return 1; }
	read -r img kdir <<<"$out"
	mapfile -t margs < <(module_make_args)
	ko=$(build_module "guest-$guest" "$kdir" "${margs[@]}") ||
		{ summary "selftests-$guest" 0 1; return 1; }
	build_initramfs "$ko"
	boot "$img"
	# TCG sometimes trips over the kernel's own text patching while it
	# boots (an int3 Oops in a timer); a crash before /init started is not
	# npt's: boot once more.
	if ! grep -q 'npt-guest: start' "$log" && [ -n "$(splats)" ]; then
		step "guest-$guest: the kernel died before /init ran: booting again"
		cp "$log" "$log.first"
		boot "$img"
	fi
	step "guest-$guest: done in $((SECONDS - t0)) s"
	if [ "$mode" = test ]; then
		report
	else
		[ -z "$(problems)" ] || { problems >&2; return 1; }
	fi
}

main
