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
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "npt_priv.h"

static atomic64_t npt_live = ATOMIC64_INIT(0);

static void *npt_kernel_alloc_gfp(gfp_t gfp, unsigned int order)
{
	struct page *page;

	/* A lazy block is optional: fail fast, the fault maps a page. */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		gfp |= __GFP_NORETRY | __GFP_NOWARN;
	page = alloc_pages(gfp, order);

	if (!page)
		return NULL;
	atomic64_add(1 << order, &npt_live);
	return page_address(page);
}

static void *npt_kernel_alloc(void *arg, unsigned int order)
{
	return npt_kernel_alloc_gfp(GFP_KERNEL_ACCOUNT | __GFP_ZERO, order);
}

static void *npt_kernel_alloc_dma32(void *arg, unsigned int order)
{
	return npt_kernel_alloc_gfp(GFP_KERNEL_ACCOUNT | __GFP_ZERO | GFP_DMA32,
				    order);
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

static void npt_kernel_split(void *arg, void *va, unsigned int order)
{
	split_page(virt_to_page(va), order);
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
	.split = npt_kernel_split,
	.linear = true,
};
EXPORT_SYMBOL_GPL(npt_kernel_mm);

/*
 * npt_kernel_mm with every page below 4 GiB (ZONE_DMA32), for tables
 * whose output width the host's memory exceeds: npt refuses pages it could
 * not point to.
 */
const struct npt_mm_ops npt_kernel_mm_dma32 = {
	.alloc = npt_kernel_alloc_dma32,
	.free = npt_kernel_free,
	.virt_to_phys = npt_kernel_virt_to_phys,
	.phys_to_virt = npt_kernel_phys_to_virt,
	.split = npt_kernel_split,
	.linear = true,
};
EXPORT_SYMBOL_GPL(npt_kernel_mm_dma32);

/**
 * npt_kernel_mm_for() - the kernel's provider for a table's output width
 * @oa_bits:	The table's output-address width; 0 for the format's
 *		largest.
 *
 * Table pages and lazy pages must lie below 2^@oa_bits, or the table
 * refuses them (-ENOMEM).  When the host's memory reaches that far, the
 * pages come from below 4 GiB (every format's output width is at least
 * 32 bits); memory added later above 2^@oa_bits is never used.
 *
 * Context: any.
 * Return: &npt_kernel_mm or &npt_kernel_mm_dma32.
 */
const struct npt_mm_ops *npt_kernel_mm_for(u32 oa_bits)
{
	if (oa_bits && oa_bits < 64 && (__pa(high_memory - 1) >> oa_bits))
		return &npt_kernel_mm_dma32;
	return &npt_kernel_mm;
}
EXPORT_SYMBOL_GPL(npt_kernel_mm_for);

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

/* Dirty-log bitmaps reach 32 MiB (a 1 TiB region): vmalloc beyond a page. */
void *npt_host_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

void npt_host_free(void *p)
{
	kvfree(p);
}

bool npt_host_should_stop(void)
{
	cond_resched();
	return fatal_signal_pending(current);
}

void npt_host_resched(void)
{
	cond_resched();
}

/* Table lock held: queue the page until npt_host_quiesce(). */
void npt_host_free_table(struct npt_table *t, void *va)
{
	list_add_tail(&virt_to_page(va)->lru, &t->rcu_wait);
}

/*
 * Operation mutex held, table lock not: after a grace period no lockless
 * lookup (npt_translate()) can still be reading the queued pages.
 */
void npt_host_quiesce(struct npt_table *t)
{
	struct page *page, *next;
	LIST_HEAD(done);

	spin_lock(&t->lock);
	list_splice_init(&t->rcu_wait, &done);
	spin_unlock(&t->lock);
	if (list_empty(&done))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(page, next, &done, lru) {
		list_del(&page->lru);
		t->mm->free(t->mm_arg, page_address(page), 0);
		cond_resched();
	}
}

#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#include <asm/msr.h>
#include <asm/vmx.h>

static int npt_arch_caps(struct npt_host_caps *caps)
{
	u32 lo, hi, ctl2_lo, ctl2_hi;
	u64 ept;

	if (!boot_cpu_has(X86_FEATURE_VMX) ||
	    rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &lo, &hi) ||
	    rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &ctl2_lo, &ctl2_hi))
		return -EOPNOTSUPP;
	ept = (u64)hi << 32 | lo;
	if (ept & VMX_EPT_PAGE_WALK_4_BIT)
		caps->formats |= BIT(NPT_FORMAT_EPT4);
	if (ept & VMX_EPT_PAGE_WALK_5_BIT)
		caps->formats |= BIT(NPT_FORMAT_EPT5);
	if (ept & VMX_EPT_AD_BIT)
		caps->options |= NPT_OPT_EPT_AD;
	if (ept & VMX_EPT_EXECUTE_ONLY_BIT)
		caps->options |= NPT_OPT_EPT_XO;
	/* Levels 0 to a top, as tables take them (no 1 GiB without 2 MiB). */
	caps->leaf_lvls = BIT(0);
	if (ept & VMX_EPT_2MB_PAGE_BIT) {
		caps->leaf_lvls |= BIT(1);
		if (ept & VMX_EPT_1GB_PAGE_BIT)
			caps->leaf_lvls |= BIT(2);
	}
	/* The allowed-1 settings of the secondary controls. */
	if (ctl2_hi & SECONDARY_EXEC_MODE_BASED_EPT_EXEC)
		caps->options |= NPT_OPT_EPT_MBEC;
	caps->oa_bits = boot_cpu_data.x86_phys_bits;
	return caps->formats ? 0 : -EOPNOTSUPP;
}
#elif defined(CONFIG_ARM64)
#include <asm/cpufeature.h>
#include <asm/virt.h>

static int npt_arch_caps(struct npt_host_caps *caps)
{
	u64 mmfr0 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1);
	u64 mmfr1 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR1_EL1);
	u64 mmfr2 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR2_EL1);
	int parange, ha, fwb;

	parange = cpuid_feature_extract_unsigned_field(mmfr0,
						       ID_AA64MMFR0_EL1_PARANGE_SHIFT);
	ha = cpuid_feature_extract_unsigned_field(mmfr1,
						  ID_AA64MMFR1_EL1_HAFDBS_SHIFT);
	fwb = cpuid_feature_extract_unsigned_field(mmfr2,
						   ID_AA64MMFR2_EL1_FWB_SHIFT);

	/* Only a kernel running at EL2 (VHE) can load VTTBR_EL2 itself. */
	if (!is_kernel_in_hyp_mode())
		return -EOPNOTSUPP;
	caps->formats = BIT(NPT_FORMAT_ARM64_S2);
	caps->leaf_lvls = GENMASK(NPT_MAX_LEVELS - 1, 0);
	caps->vmid_bits = get_vmid_bits(mmfr1);
	caps->oa_bits = min(id_aa64mmfr0_parange_to_phys_shift(parange), 48U);
	caps->ia_bits_max = caps->oa_bits;
	if (ha)
		caps->options |= NPT_OPT_S2_HA;
	if (fwb)
		caps->options |= NPT_OPT_S2_FWB;
	return 0;
}
#elif defined(CONFIG_RISCV)
#include <linux/once.h>
#include <asm/cpufeature.h>
#include <asm/csr.h>
#include <asm/insn-def.h>

/*
 * What hgatp (WARL) keeps of @mode with every VMID bit set: the mode is
 * implemented when it sticks, and so are the VMID bits that do.
 */
static unsigned long npt_hgatp_probe(unsigned long mode)
{
	unsigned long old = csr_read(CSR_HGATP), val;

	csr_write(CSR_HGATP, (mode << HGATP_MODE_SHIFT) | HGATP_VMID);
	val = csr_read(CSR_HGATP);
	csr_write(CSR_HGATP, old);
	/* A mode changed for a VMID: its translations go, as KVM's probe. */
	asm volatile(HFENCE_GVMA(zero, zero) : : : "memory");
	return val;
}

static bool npt_hgatp_mode(unsigned long mode, u32 *vmid_bits)
{
	unsigned long val = npt_hgatp_probe(mode);

	if (val >> HGATP_MODE_SHIFT != mode)
		return false;
	*vmid_bits = fls_long((val & HGATP_VMID) >> HGATP_VMID_SHIFT);
	return true;
}

/*
 * The modes and VMID bits hgatp keeps, probed once: they do not change,
 * and a probe flushes the G-stage TLB of every VMID.
 */
static u32 npt_rv_formats, npt_rv_vmid_bits;

static void npt_rv_probe(void)
{
	preempt_disable();
	if (npt_hgatp_mode(HGATP_MODE_SV39X4, &npt_rv_vmid_bits))
		npt_rv_formats |= BIT(NPT_FORMAT_SV39X4);
	if (npt_hgatp_mode(HGATP_MODE_SV48X4, &npt_rv_vmid_bits))
		npt_rv_formats |= BIT(NPT_FORMAT_SV48X4);
	preempt_enable();
}

static int npt_arch_caps(struct npt_host_caps *caps)
{
	if (!riscv_isa_extension_available(NULL, h))
		return -EOPNOTSUPP;
	DO_ONCE_SLEEPABLE(npt_rv_probe);
	caps->formats = npt_rv_formats;
	caps->vmid_bits = npt_rv_vmid_bits;
	if (riscv_has_extension_unlikely(RISCV_ISA_EXT_SVPBMT))
		caps->options |= NPT_OPT_RV_SVPBMT;
	caps->oa_bits = 56;
	caps->leaf_lvls = GENMASK(NPT_MAX_LEVELS - 1, 0);
	return caps->formats ? 0 : -EOPNOTSUPP;
}
#else
static int npt_arch_caps(struct npt_host_caps *caps)
{
	return -EOPNOTSUPP;
}
#endif

/**
 * npt_host_caps() - what this CPU's second-stage walker supports
 * @caps:	Filled with the formats, options and widths it can walk.
 *
 * Reads what the architecture makes readable: IA32_VMX_EPT_VPID_CAP and
 * the secondary-control MSR on x86 (with VMX), ID_AA64MMFR0/1/2_EL1 on
 * arm64 (when the kernel runs at EL2, with VHE), and the hgatp modes and
 * VMID bits that stick on RISC-V (with the H extension; probed at the
 * first call only, which restores hgatp and flushes the G-stage TLB, so
 * make that call while no guest of this CPU runs: npt's own module init
 * makes it).
 * Options that cannot be read (RISC-V Svadu) are not reported.
 *
 * Context: process context.
 * Return: 0, or -EOPNOTSUPP when this CPU walks no npt format.
 */
int npt_host_caps(struct npt_host_caps *caps)
{
	int ret;

	memset(caps, 0, sizeof(*caps));
	ret = npt_arch_caps(caps);
	if (ret)
		memset(caps, 0, sizeof(*caps));
	return ret;
}
EXPORT_SYMBOL_GPL(npt_host_caps);
