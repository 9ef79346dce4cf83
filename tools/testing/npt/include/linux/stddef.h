/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/stddef.h>. */
#ifndef _NPT_TEST_LINUX_STDDEF_H
#define _NPT_TEST_LINUX_STDDEF_H

#include_next <linux/stddef.h>
#include <stdbool.h>
#include <stddef.h>

#define sizeof_field(TYPE, MEMBER)	sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER)					\
	(offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))

#endif /* _NPT_TEST_LINUX_STDDEF_H */
