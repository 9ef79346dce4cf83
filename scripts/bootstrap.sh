#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what npt's build and tests need and prepare the kernel source cache.
# Idempotent: every step checks before it acts.  Uses Debian's mirror only.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

# Two checkouts bootstrapping at once take turns (apt and the extraction).
mkdir -p "$NPT_CACHE"
exec 8>"$NPT_CACHE/bootstrap.lock"
flock 8

pkgs=(linux-source-6.12 qemu-system-x86 qemu-system-arm qemu-system-misc
      qemu-system-data
      gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross
      libc6-dev-riscv64-cross busybox-static ccache clang libclang-rt-14-dev
      valgrind perl
      libc6-dev-i386 lib32gcc-12-dev flex bison bc libelf-dev libssl-dev cpio sparse
      make gcc python3 rsync kmod xz-utils dkms)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

# Debian replaces kernel package versions over time: take the newest
# 6.12 and 6.1 amd64 image/headers the mirror offers right now.
# (gcc-multilib is not used: Debian makes it conflict with the cross
# compilers; clang -m32 with libc6-dev-i386 builds the 32-bit tests.)
newest_kver() {
	apt-cache search --names-only "^linux-image-$1" | awk '{print $1}' |
		sed 's/^linux-image-//' | grep -E "^$2\$" | sort -V | tail -n 1
}

need_update=0
[ ${#missing[@]} -gt 0 ] && need_update=1
[ -n "$(deb_kver 6.12)" ] && [ -f "/boot/vmlinuz-$(deb_kver 6.12)" ] || need_update=1
[ -n "$(deb_kver 6.1)" ] || need_update=1

if [ "$need_update" = 1 ]; then
	step "apt-get update"
	apt-get update -qq
	k612=$(newest_kver 6.12 '6\.12\.[0-9]+\+deb12-amd64')
	k61=$(newest_kver 6.1 '6\.1\.0-[0-9]+-amd64')
	[ -n "$k612" ] && [ -n "$k61" ] || die "no 6.12/6.1 amd64 kernel on the mirror"
	ls "/boot/vmlinuz-$k612" >/dev/null 2>&1 ||
		missing+=("linux-image-$k612" "linux-headers-$k612")
	[ -d "/usr/src/linux-headers-$k61" ] || missing+=("linux-headers-$k61")
	if [ ${#missing[@]} -gt 0 ]; then
		step "apt-get install ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o DPkg::Lock::Timeout=600 --no-install-recommends \
			"${missing[@]}" >/dev/null
	fi
fi

# One pristine extracted source tree, shared by every build dir; extracted
# beside it and moved into place whole, so that an interrupted extraction
# leaves nothing that looks done.
if [ ! -f "$NPT_SRC/.npt-extracted" ]; then
	step "extracting the 6.12 source into $NPT_SRC"
	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
	rm -rf "$NPT_SRC" "$NPT_SRC.tmp"
	mkdir -p "$NPT_SRC.tmp"
	tar -xf "$tarball" -C "$NPT_SRC.tmp" --strip-components=1
	touch "$NPT_SRC.tmp/.npt-extracted"
	mv "$NPT_SRC.tmp" "$NPT_SRC"
fi
