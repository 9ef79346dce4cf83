# SPDX-License-Identifier: GPL-2.0-only
#
# kunit.py --qemu_config for riscv with the hypervisor extension (H) on, so
# tests can drive the CPU's G-stage walker.  Modeled on
# tools/testing/kunit/qemu_configs/riscv.py.
from ..qemu_config import QemuArchParams

OPENSBI_PATH = '/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin'

QEMU_ARCH = QemuArchParams(linux_arch='riscv',
			   kconfig='''
CONFIG_ARCH_VIRT=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_RISCV_SBI_V01=y
CONFIG_SERIAL_EARLYCON_RISCV_SBI=y''',
			   qemu_arch='riscv64',
			   kernel_path='arch/riscv/boot/Image',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-machine', 'virt',
					      '-cpu', 'rv64,h=true',
					      '-bios', OPENSBI_PATH])
