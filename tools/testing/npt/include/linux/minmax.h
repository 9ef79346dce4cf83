/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/minmax.h>.  min()/max() evaluate their
 * arguments once; the kernel's signedness check is left to the kernel
 * build (W=1), this one only has to compile the same code.
 */
#ifndef _NPT_TEST_LINUX_MINMAX_H
#define _NPT_TEST_LINUX_MINMAX_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/const.h>
#include <linux/types.h>

#define __cmp_op_min(x, y)	((x) < (y))
#define __cmp_op_max(x, y)	((x) > (y))
#define __cmp(op, x, y)	(__cmp_op_##op(x, y) ? (x) : (y))

#define __careful_cmp_once(op, x, y, ux, uy) ({				\
	__auto_type ux = (x); __auto_type uy = (y);			\
	__cmp(op, ux, uy); })
#define __careful_cmp(op, x, y)						\
	__careful_cmp_once(op, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))

#define min(x, y)	__careful_cmp(min, x, y)
#define max(x, y)	__careful_cmp(max, x, y)
#define umin(x, y)	__careful_cmp(min, (x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define umax(x, y)	__careful_cmp(max, (x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define min3(x, y, z)	min((typeof(x))min(x, y), z)
#define max3(x, y, z)	max((typeof(x))max(x, y), z)

#define min_t(type, x, y)	__careful_cmp(min, (type)(x), (type)(y))
#define max_t(type, x, y)	__careful_cmp(max, (type)(x), (type)(y))

#define clamp(val, lo, hi)	min((typeof(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi)	min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(typeof(val), val, lo, hi)

#define swap(a, b)							\
	do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)

#endif /* _NPT_TEST_LINUX_MINMAX_H */
