/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/compiler_types.h> and
 * <linux/compiler_attributes.h>.  glibc defines some of these names too,
 * so each one is defined only when missing.
 */
#ifndef _NPT_TEST_LINUX_COMPILER_TYPES_H
#define _NPT_TEST_LINUX_COMPILER_TYPES_H

#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#ifndef noinline
#define noinline		__attribute__((__noinline__))
#endif
#ifndef __noinline
#define __noinline		__attribute__((__noinline__))
#endif
#ifndef __maybe_unused
#define __maybe_unused		__attribute__((__unused__))
#endif
#ifndef __always_unused
#define __always_unused		__attribute__((__unused__))
#endif
#ifndef __used
#define __used			__attribute__((__used__))
#endif
#ifndef __must_check
#define __must_check		__attribute__((__warn_unused_result__))
#endif
#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef __pure
#define __pure			__attribute__((__pure__))
#endif
#ifndef __cold
#define __cold			__attribute__((__cold__))
#endif
#ifndef __hot
#define __hot			__attribute__((__hot__))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((__noreturn__))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#endif
#ifndef __section
#define __section(s)		__attribute__((__section__(s)))
#endif
#ifndef __attribute_const__
#define __attribute_const__	__attribute__((__const__))
#endif
#ifndef __flatten
#define __flatten		__attribute__((__flatten__))
#endif
#ifndef __cleanup
#define __cleanup(func)		__attribute__((__cleanup__(func)))
#endif
#ifndef __nonstring
#define __nonstring
#endif
#ifndef __counted_by
#define __counted_by(m)
#endif

#if defined(__clang__) || __GNUC__ >= 7
#define fallthrough		__attribute__((__fallthrough__))
#else
#define fallthrough		do {} while (0)
#endif

/* Sparse annotations: nothing in user space. */
#define __user
#define __kernel
#define __iomem
#define __percpu
#define __rcu
#define __force
#define __bitwise
#define __private
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __cond_lock(x, c)	(c)

#ifndef __inline
#define __inline		inline
#endif
#define __init
#define __exit
#define __initdata
#define __ro_after_init
#define __read_mostly
#define notrace
#define noinstr

#endif /* _NPT_TEST_LINUX_COMPILER_TYPES_H */
