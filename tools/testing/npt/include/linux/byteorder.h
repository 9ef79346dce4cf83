/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for the little-endian <asm/byteorder.h> helpers. */
#ifndef _NPT_TEST_LINUX_BYTEORDER_H
#define _NPT_TEST_LINUX_BYTEORDER_H

#include <linux/types.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npt tables are little-endian; the harness assumes a little-endian host"
#endif

#define cpu_to_le64(x)	((__le64)(u64)(x))
#define le64_to_cpu(x)	((u64)(__le64)(x))
#define cpu_to_le32(x)	((__le32)(u32)(x))
#define le32_to_cpu(x)	((u32)(__le32)(x))

#endif /* _NPT_TEST_LINUX_BYTEORDER_H */
