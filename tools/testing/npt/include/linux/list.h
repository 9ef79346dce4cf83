/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/list.h>: what the core uses of it.
 */
#ifndef _NPT_TEST_LINUX_LIST_H
#define _NPT_TEST_LINUX_LIST_H

#include <linux/types.h>

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

#endif /* _NPT_TEST_LINUX_LIST_H */
