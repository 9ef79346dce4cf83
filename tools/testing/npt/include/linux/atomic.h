/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for the parts of <linux/atomic.h> and the arch
 * cmpxchg headers that work on plain integers: xchg(), cmpxchg() and
 * try_cmpxchg() with full ordering, and a minimal atomic_t / atomic64_t.
 * npt_test_xchg_hook, when set, runs once as the next xchg() or cmpxchg()
 * begins, with the address exchanged: it plays a CPU that writes the word
 * (a hardware walker setting an access flag) between the caller's read
 * and its exchange.
 */
#ifndef _NPT_TEST_LINUX_ATOMIC_H
#define _NPT_TEST_LINUX_ATOMIC_H

#include <linux/compiler.h>
#include <linux/types.h>

extern void (*npt_test_xchg_hook)(void *ptr);

static inline void npt_test_before_xchg(void *ptr)
{
	void (*hook)(void *ptr) = npt_test_xchg_hook;

	if (hook) {
		npt_test_xchg_hook = NULL;
		hook(ptr);
	}
}

#define xchg(ptr, v) ({							\
	typeof(ptr) __xp = (ptr);					\
	npt_test_before_xchg(__xp);					\
	__atomic_exchange_n(__xp, v, __ATOMIC_SEQ_CST);			\
})
#define xchg_relaxed(ptr, v)	__atomic_exchange_n(ptr, v, __ATOMIC_RELAXED)

#define cmpxchg(ptr, old, new) ({					\
	typeof(*(ptr)) __old = (old);					\
	npt_test_before_xchg(ptr);					\
	__atomic_compare_exchange_n(ptr, &__old, new, false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	__old;								\
})
#define cmpxchg64(ptr, old, new)	cmpxchg(ptr, old, new)
#define cmpxchg_relaxed(ptr, old, new)	cmpxchg(ptr, old, new)
#define try_cmpxchg(ptr, oldp, new)					\
	__atomic_compare_exchange_n(ptr, oldp, new, false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg64(ptr, oldp, new)	try_cmpxchg(ptr, oldp, new)

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, i, __ATOMIC_RELAXED)
#define atomic_inc(v)		((void)__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec(v)		((void)__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_add(i, v)	((void)__atomic_add_fetch(&(v)->counter, i, __ATOMIC_SEQ_CST))
#define atomic_sub(i, v)	((void)__atomic_sub_fetch(&(v)->counter, i, __ATOMIC_SEQ_CST))
#define atomic_inc_return(v)	__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_return(v)	__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic64_read(v)	atomic_read(v)
#define atomic64_set(v, i)	atomic_set(v, i)
#define atomic64_add(i, v)	atomic_add(i, v)
#define atomic64_sub(i, v)	atomic_sub(i, v)
#define atomic64_inc(v)		atomic_inc(v)
#define atomic64_dec(v)		atomic_dec(v)

#endif /* _NPT_TEST_LINUX_ATOMIC_H */
