/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/overflow.h>. */
#ifndef _NPT_TEST_LINUX_OVERFLOW_H
#define _NPT_TEST_LINUX_OVERFLOW_H

#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/const.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#define size_mul(a, b) ({						\
	size_t __r;							\
	check_mul_overflow((size_t)(a), (size_t)(b), &__r) ? SIZE_MAX : __r; })
#define size_add(a, b) ({						\
	size_t __r;							\
	check_add_overflow((size_t)(a), (size_t)(b), &__r) ? SIZE_MAX : __r; })
#define array_size(a, b)	size_mul(a, b)
#define struct_size(p, member, count)					\
	size_add(sizeof(*(p)), size_mul(sizeof(*(p)->member), count))
#define flex_array_size(p, member, count)				\
	size_mul(count, sizeof(*(p)->member))

#endif /* _NPT_TEST_LINUX_OVERFLOW_H */
