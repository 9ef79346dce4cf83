/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/bits.h>. */
#ifndef _NPT_TEST_LINUX_BITS_H
#define _NPT_TEST_LINUX_BITS_H

#include <linux/const.h>
#include <linux/build_bug.h>
#include <linux/overflow.h>

#define BITS_PER_LONG		(__SIZEOF_LONG__ * 8)
#define BITS_PER_LONG_LONG	64
#define BITS_PER_BYTE		8

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_ULL_MASK(nr)	(1ULL << ((nr) % BITS_PER_LONG_LONG))
#define BIT_ULL_WORD(nr)	((nr) / BITS_PER_LONG_LONG)

/* Like the kernel's, a reversed mask is a build error when constant. */
#define GENMASK_INPUT_CHECK(h, l)					\
	(BUILD_BUG_ON_ZERO(__builtin_choose_expr(			\
		__is_constexpr((l) > (h)), (l) > (h), 0)))

#define __GENMASK(h, l)							\
	(((~0UL) - (1UL << (l)) + 1) &					\
	 (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define __GENMASK_ULL(h, l)						\
	(((~0ULL) - (1ULL << (l)) + 1) &				\
	 (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))

#define GENMASK(h, l)		(GENMASK_INPUT_CHECK(h, l) + __GENMASK(h, l))
#define GENMASK_ULL(h, l)	(GENMASK_INPUT_CHECK(h, l) + __GENMASK_ULL(h, l))

#endif /* _NPT_TEST_LINUX_BITS_H */
