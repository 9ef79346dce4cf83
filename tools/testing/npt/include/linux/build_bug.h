/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/build_bug.h>. */
#ifndef _NPT_TEST_LINUX_BUILD_BUG_H
#define _NPT_TEST_LINUX_BUILD_BUG_H

#include <linux/compiler.h>

#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG_ON_MSG(cond, msg)	BUILD_BUG_ON(cond)
#define BUILD_BUG_ON(cond)						\
	((void)sizeof(char[1 - 2 * !!(cond)]))
#define BUILD_BUG()		BUILD_BUG_ON(1)
#define BUILD_BUG_ON_NOT_POWER_OF_2(n)					\
	BUILD_BUG_ON((n) == 0 || (((n) & ((n) - 1)) != 0))

#define static_assert(expr, ...)	__static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...)	_Static_assert(expr, msg)

#endif /* _NPT_TEST_LINUX_BUILD_BUG_H */
