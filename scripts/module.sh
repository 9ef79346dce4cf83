#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make / make module: build npt.ko out of tree against KDIR from a copy of
# the sources, and put it at the top of the repo.  KDIR defaults to the
# running kernel's build dir if it has one, else to Debian's 6.12 amd64
# headers.  Extra arguments go to kbuild.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

running=/lib/modules/$(uname -r)/build
if [ -n "${KDIR:-}" ]; then
	kdir=$KDIR
elif [ -d "$running" ]; then
	kdir=$running
else
	kdir=$(deb_kdir 6.12)
fi
have_module || die "no module sources (npt_*.c) yet"
step "building npt.ko against $kdir"
ko=$(build_module "$(basename "$(dirname "$kdir")")-$(basename "$kdir")" \
	"$kdir" "$@")
cp "$ko" "$NPT_TOP/npt.ko"
step "built $NPT_TOP/npt.ko"
