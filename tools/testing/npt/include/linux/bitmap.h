/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/bitmap.h>: what the core uses of it. */
#ifndef _NPT_TEST_LINUX_BITMAP_H
#define _NPT_TEST_LINUX_BITMAP_H

#include <string.h>
#include <linux/bitops.h>

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nbits)
{
	unsigned int i;

	for (i = start; i < start + nbits; i++)
		__set_bit(i, map);
}

#endif /* _NPT_TEST_LINUX_BITMAP_H */
