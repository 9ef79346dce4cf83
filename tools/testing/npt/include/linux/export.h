/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space stand-in for <linux/export.h>: exports are plain symbols. */
#ifndef _NPT_TEST_LINUX_EXPORT_H
#define _NPT_TEST_LINUX_EXPORT_H

#include <linux/compiler.h>
#include <linux/stringify.h>

#define EXPORT_SYMBOL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns)	extern typeof(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern typeof(sym) sym
#define EXPORT_SYMBOL_IF_KUNIT(sym)	extern typeof(sym) sym
#define VISIBLE_IF_KUNIT

#endif /* _NPT_TEST_LINUX_EXPORT_H */
