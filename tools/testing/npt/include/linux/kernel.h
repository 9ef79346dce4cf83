/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/kernel.h>. */
#ifndef _NPT_TEST_LINUX_KERNEL_H
#define _NPT_TEST_LINUX_KERNEL_H

#include <linux/align.h>
#include <linux/array_size.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/stddef.h>
#include <linux/stringify.h>
#include <linux/types.h>

extern int npt_test_locks_held;

#define container_of(ptr, type, member)					\
	((type *)((char *)(ptr) - offsetof(type, member)))

#define might_sleep()		WARN_ON(npt_test_locks_held)
#define cond_resched()		do { might_sleep(); } while (0)
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))

#endif /* _NPT_TEST_LINUX_KERNEL_H */
