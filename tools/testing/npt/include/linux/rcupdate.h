/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/rcupdate.h>.  The harness has no
 * concurrent readers: a read-side section only counts its nesting, so
 * that the harness can check that none is left open.
 */
#ifndef _NPT_TEST_LINUX_RCUPDATE_H
#define _NPT_TEST_LINUX_RCUPDATE_H

extern int npt_test_rcu_nesting;

#ifdef NPT_TEST_BENCH
/* The benchmark times a non-preemptible kernel's read-side section. */
static inline void rcu_read_lock(void)
{
	barrier();
}

static inline void rcu_read_unlock(void)
{
	barrier();
}
#else
static inline void rcu_read_lock(void)
{
	npt_test_rcu_nesting++;
}

static inline void rcu_read_unlock(void)
{
	npt_test_rcu_nesting--;
}
#endif

#endif /* _NPT_TEST_LINUX_RCUPDATE_H */
