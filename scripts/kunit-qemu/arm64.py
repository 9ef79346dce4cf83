# SPDX-License-Identifier: GPL-2.0-only
#
# kunit.py --qemu_config for arm64 with the virtualization extensions: the
# kernel boots at EL2 (VHE, always built in 6.12), so tests can drive the CPU's stage-2 walker.
# Modeled on tools/testing/kunit/qemu_configs/arm64.py.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image.gz',
			   kernel_command_line='console=ttyAMA0',
			   extra_qemu_params=['-machine', 'virt,virtualization=on',
					      '-cpu', 'max,pauth-impdef=on'])
