# SPDX-License-Identifier: GPL-2.0-only
#
# Front end for npt's scripts.  kbuild itself reads Kbuild, so
# `make -C $KDIR M=...` still works on a copy of this tree.
#
#   make [KDIR=...]          npt.ko against KDIR, else the running kernel's
#                            build dir, else Debian's 6.12 headers
#   make run [GUEST=...]     boot a guest and run the nptctl demo session
#                            (GUEST: x86_64 (default), arm64, riscv, debug)
#   make check [PARTS=...]   every test; PARTS picks some of: kunit-um
#                            kunit-x86_64 kunit-arm64 kunit-riscv
#                            selftests-x86_64 selftests-arm64 selftests-riscv
#                            selftests-debug static userspace
#   make kunit [KUNIT_ARCH=um|x86_64|arm64|riscv]
#   make userspace           the core in user space: differential runner,
#                            allocation sweep, fuzz smoke (tools/testing/npt)
#   make fuzz [FUZZ_SECONDS=...]  libFuzzer on the runner (default 1800 s)
#   make bench, make bench-callgrind  timings / instruction counts
#   make clean               remove build products from the repo
# Caches live in $(NPT_CACHE) (default ~/.cache/npt).

GUEST ?= x86_64
KUNIT_ARCH ?= um
S := $(CURDIR)/scripts

.PHONY: all module run check kunit userspace fuzz bench bench-callgrind clean

all: module

module:
	@$(if $(KDIR),KDIR=$(KDIR)) $(S)/module.sh

run:
	@$(S)/bootstrap.sh
	@$(S)/guest.sh $(GUEST) run

check:
	@PARTS="$(PARTS)" $(S)/check.sh

kunit:
	@$(S)/bootstrap.sh
	@$(S)/kunit.sh $(KUNIT_ARCH)

userspace:
	@$(S)/bootstrap.sh
	@$(S)/userspace.sh

fuzz bench bench-callgrind:
	@$(S)/bootstrap.sh
	@$(MAKE) -C tools/testing/npt $@

clean:
	@rm -f npt.ko *.o *.mod *.mod.c .*.cmd modules.order Module.symvers \
		kunit/*.o kunit/.*.cmd
	@rm -rf .tmp_versions
