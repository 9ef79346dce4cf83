/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/spinlock.h>.  The harness is single
 * threaded: a lock checks that it is not taken twice or released unheld,
 * and npt_test_locks_held lets the harness check what may run under a
 * lock (an allocation may not, the flush callback must).
 * npt_test_lock_hook, when set, runs once as the next spin_lock() begins:
 * it plays what a writer holding the lock on another CPU does before
 * letting go.  Like the kernel's, this header also brings in bug.h,
 * atomic.h, cleanup.h and minmax.h.
 */
#ifndef _NPT_TEST_LINUX_SPINLOCK_H
#define _NPT_TEST_LINUX_SPINLOCK_H

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/stringify.h>
#include <linux/types.h>

extern int npt_test_locks_held;
extern void (*npt_test_lock_hook)(void);

typedef struct {
	int locked;
} spinlock_t;

typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ 0 }
#define DEFINE_SPINLOCK(x)		spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

static inline void spin_lock_init(spinlock_t *l)
{
	l->locked = 0;
}

/* An atomic exchange and a release store, as a real lock costs. */
static inline void spin_lock(spinlock_t *l)
{
	void (*hook)(void) = npt_test_lock_hook;

	if (hook) {
		npt_test_lock_hook = NULL;
		hook();
	}
	WARN_ON(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
	npt_test_locks_held++;
}

static inline void spin_unlock(spinlock_t *l)
{
	WARN_ON(!l->locked);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	npt_test_locks_held--;
}

static inline int spin_trylock(spinlock_t *l)
{
	if (l->locked)
		return 0;
	spin_lock(l);
	return 1;
}

static inline int spin_is_locked(spinlock_t *l)
{
	return l->locked;
}

#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)

#define lockdep_assert_held(l)		WARN_ON(!(l)->locked)
#define lockdep_assert_not_held(l)	WARN_ON((l)->locked)
#define assert_spin_locked(l)		WARN_ON(!(l)->locked)

DEFINE_GUARD(spinlock, spinlock_t *, spin_lock(_T), spin_unlock(_T))
DEFINE_GUARD(spinlock_irq, spinlock_t *, spin_lock(_T), spin_unlock(_T))

#endif /* _NPT_TEST_LINUX_SPINLOCK_H */
