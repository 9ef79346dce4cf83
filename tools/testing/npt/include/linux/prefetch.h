/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/prefetch.h>. */
#ifndef _NPT_TEST_LINUX_PREFETCH_H
#define _NPT_TEST_LINUX_PREFETCH_H

#define prefetch(x)	__builtin_prefetch(x)

#endif
