/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/errno.h>: the uAPI values from the system
 * header (glibc's <errno.h> includes this file too) plus the kernel-only
 * ones.
 */
#ifndef _NPT_TEST_LINUX_ERRNO_H
#define _NPT_TEST_LINUX_ERRNO_H

#include_next <linux/errno.h>

#define ERESTARTSYS	512
#define ERESTARTNOINTR	513
#define ENOIOCTLCMD	515
#define ENOTSUPP	524

#endif /* _NPT_TEST_LINUX_ERRNO_H */
