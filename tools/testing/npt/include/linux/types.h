/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/types.h>: the uAPI types from the system
 * header plus the kernel's own names.
 */
#ifndef _NPT_TEST_LINUX_TYPES_H
#define _NPT_TEST_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef u64 resource_size_t;
typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;
typedef unsigned long uintptr_t_kernel;

struct list_head {
	struct list_head *next, *prev;
};

#endif /* _NPT_TEST_LINUX_TYPES_H */
