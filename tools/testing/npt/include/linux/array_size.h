/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/array_size.h>. */
#ifndef _NPT_TEST_LINUX_ARRAY_SIZE_H
#define _NPT_TEST_LINUX_ARRAY_SIZE_H

#include <linux/compiler.h>

#define __must_be_array(a)						\
	BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))

#endif /* _NPT_TEST_LINUX_ARRAY_SIZE_H */
