/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/bug.h>.  A WARN does not stop the test:
 * it is counted in npt_test_warnings, and the harness fails the case.
 * BUG() aborts.
 */
#ifndef _NPT_TEST_LINUX_BUG_H
#define _NPT_TEST_LINUX_BUG_H

#include <stdlib.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/printk.h>

extern unsigned long npt_test_warnings;
void npt_test_warn(const char *file, int line, const char *cond);

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		npt_test_warn(__FILE__, __LINE__, #condition);		\
	unlikely(__ret_warn_on);					\
})

#define WARN(condition, format, ...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on)) {					\
		fprintf(stderr, format, ##__VA_ARGS__);			\
		npt_test_warn(__FILE__, __LINE__, #condition);		\
	}								\
	unlikely(__ret_warn_on);					\
})

/* Every occurrence is counted, not only the first. */
#define WARN_ON_ONCE(condition)		WARN_ON(condition)
#define WARN_ONCE(condition, format, ...) WARN(condition, format, ##__VA_ARGS__)

#define BUG() do {							\
	fprintf(stderr, "BUG at %s:%d\n", __FILE__, __LINE__);		\
	abort();							\
} while (0)
#define BUG_ON(condition) do { if (unlikely(condition)) BUG(); } while (0)

#endif /* _NPT_TEST_LINUX_BUG_H */
