// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: what the core needs from the kernel - table pages from the page
 * allocator, charged to the caller's memory cgroup and counted, and the
 * host seam of npt_priv.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "npt_priv.h"

static atomic64_t npt_live = ATOMIC64_INIT(0);

static void *npt_kernel_alloc(void *arg, unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, order);

	if (!page)
		return NULL;
	atomic64_add(1 << order, &npt_live);
	return page_address(page);
}

static void npt_kernel_free(void *arg, void *va, unsigned int order)
{
	free_pages((unsigned long)va, order);
	atomic64_sub(1 << order, &npt_live);
}

static phys_addr_t npt_kernel_virt_to_phys(void *arg, void *va)
{
	return virt_to_phys(va);
}

static void *npt_kernel_phys_to_virt(void *arg, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

/*
 * The host-memory provider for tables built in the kernel: zeroed pages
 * from the buddy allocator, charged to the memory cgroup of the task that
 * allocates them (GFP_KERNEL_ACCOUNT) and counted in npt_live_pages().
 */
const struct npt_mm_ops npt_kernel_mm = {
	.alloc = npt_kernel_alloc,
	.free = npt_kernel_free,
	.virt_to_phys = npt_kernel_virt_to_phys,
	.phys_to_virt = npt_kernel_phys_to_virt,
};
EXPORT_SYMBOL_GPL(npt_kernel_mm);

/**
 * npt_live_pages() - pages npt_kernel_mm holds right now
 *
 * Context: any.
 * Return: the number of pages allocated through npt_kernel_mm and not yet
 * freed, over every table.
 */
u64 npt_live_pages(void)
{
	return atomic64_read(&npt_live);
}
EXPORT_SYMBOL_GPL(npt_live_pages);

static int npt_live_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", npt_live_pages());
}

static const struct kernel_param_ops npt_live_ops = {
	.get = npt_live_get,
};
module_param_cb(live_pages, &npt_live_ops, NULL, 0444);
MODULE_PARM_DESC(live_pages, "Table pages allocated by npt and not yet freed");

void *npt_host_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void npt_host_free(void *p)
{
	kfree(p);
}

bool npt_host_should_stop(void)
{
	cond_resched();
	return fatal_signal_pending(current);
}
