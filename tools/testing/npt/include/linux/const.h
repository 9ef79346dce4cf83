/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/const.h>. */
#ifndef _NPT_TEST_LINUX_CONST_H
#define _NPT_TEST_LINUX_CONST_H

#include_next <linux/const.h>

#define UL(x)		(_UL(x))
#define ULL(x)		(_ULL(x))

#endif /* _NPT_TEST_LINUX_CONST_H */
