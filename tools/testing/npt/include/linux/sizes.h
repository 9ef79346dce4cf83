/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/sizes.h>. */
#ifndef _NPT_TEST_LINUX_SIZES_H
#define _NPT_TEST_LINUX_SIZES_H

#include <linux/const.h>

#define SZ_4K		0x00001000
#define SZ_8K		0x00002000
#define SZ_16K		0x00004000
#define SZ_64K		0x00010000
#define SZ_1M		0x00100000
#define SZ_2M		0x00200000
#define SZ_1G		0x40000000
#define SZ_4G		_AC(0x100000000, ULL)
#define SZ_512G		_AC(0x8000000000, ULL)

#endif /* _NPT_TEST_LINUX_SIZES_H */
