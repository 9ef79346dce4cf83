/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/string.h>: the C library's functions. */
#ifndef _NPT_TEST_LINUX_STRING_H
#define _NPT_TEST_LINUX_STRING_H

#include <string.h>
#include <linux/array_size.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/types.h>

static inline void memzero_explicit(void *s, size_t count)
{
	memset(s, 0, count);
	barrier();
}

static inline void *memset64(u64 *s, u64 v, size_t count)
{
	u64 *p = s;

	while (count--)
		*p++ = v;
	return s;
}

#endif /* _NPT_TEST_LINUX_STRING_H */
