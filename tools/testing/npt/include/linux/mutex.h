/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/mutex.h>.  The harness is single
 * threaded: a mutex checks that it is not taken twice or released unheld.
 * Unlike a spinlock it does not count in npt_test_locks_held: the core may
 * allocate while it holds one.
 */
#ifndef _NPT_TEST_LINUX_MUTEX_H
#define _NPT_TEST_LINUX_MUTEX_H

#include <linux/bug.h>

struct mutex {
	int locked;
};

static inline void mutex_init(struct mutex *m)
{
	m->locked = 0;
}

static inline void mutex_destroy(struct mutex *m)
{
	WARN_ON(m->locked);
}

static inline void mutex_lock(struct mutex *m)
{
	WARN_ON(__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE));
}

static inline void mutex_unlock(struct mutex *m)
{
	WARN_ON(!m->locked);
	__atomic_store_n(&m->locked, 0, __ATOMIC_RELEASE);
}

#endif /* _NPT_TEST_LINUX_MUTEX_H */
