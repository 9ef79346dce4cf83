// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt KUnit suite npt_hw_arm64: stage-2 tables built by npt, walked by the
 * CPU.  A kernel running at EL2 with VHE borrows VTTBR_EL2/VTCR_EL2, turns
 * stage 1 of the EL1&0 regime off (so the address is the IPA) and asks the
 * CPU to translate with AT S12E1R / AT S12E1W.  Every result in PAR_EL1 is
 * compared with npt_access(): the output address, or the fault status code
 * (FST) with S=1 for a stage-2 fault.  AT does not check execute
 * permission.
 */

#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>
#include "hw_kunit.h"

#define ARM_ACCESSES		6000
#define ARM_REGIONS		12
#define ARM_MAX_REPORTS		10
#define ARM_OA_MASK		GENMASK_ULL(47, 12)
#define ARM_PAR_PTW		BIT_ULL(8)
#define ESR_FSC_MASK		GENMASK_ULL(5, 0)

/* Stage-2 descriptor bits the test writes by hand. */
#define S2_TABLE		BIT_ULL(1)

/**
 * struct arm_ipa - an IPA size under test
 * @description:	Parameter name.
 * @ia_bits:		IPA size.
 * @vmid:		VMID of the test's tables.
 */
struct arm_ipa {
	const char *description;
	u32 ia_bits;
	u32 vmid;
};

/* 2-, 3- and 4-level tables; 32, 40 and 42 bits have concatenated roots. */
static const struct arm_ipa arm_ipas[] = {
	{ .description = "ipa32", .ia_bits = 32, .vmid = 0x32 },
	{ .description = "ipa36", .ia_bits = 36, .vmid = 0x36 },
	{ .description = "ipa40", .ia_bits = 40, .vmid = 0x40 },
	{ .description = "ipa42", .ia_bits = 42, .vmid = 0x42 },
	{ .description = "ipa44", .ia_bits = 44, .vmid = 0x44 },
	{ .description = "ipa48", .ia_bits = 48, .vmid = 0x48 },
};

KUNIT_ARRAY_PARAM_DESC(arm_ipa, arm_ipas, description);

/**
 * struct arm_ctx - one test's table and what it saw
 * @test:	The test.
 * @l:		Layout: the table and the owned memory.
 * @regs:	npt's VTTBR_EL2 and VTCR_EL2 values for the table.
 * @pa_bits:	The CPU's physical address size (PARange).
 * @fence:	The flush callback executes TLBI (false: the control).
 * @in_session:	The test's stage 2 is loaded on this CPU right now.
 * @flushes:	Flush callbacks made.
 * @accesses:	AT translations compared with npt.
 * @mismatches:	Of which disagreed.
 * @faults:	Of which faulted (as predicted).
 */
struct arm_ctx {
	struct kunit *test;
	struct hw_layout l;
	struct npt_root_regs regs;
	u32 pa_bits;
	bool fence;
	bool in_session;
	unsigned int flushes;
	unsigned long accesses;
	unsigned long mismatches;
	unsigned long faults;
};

/* Registers the test borrows while the CPU walks its table. */
struct arm_saved {
	u64 hcr;
	u64 vttbr;
	u64 vtcr;
	u64 sctlr;
	u64 par;
};

/*
 * Interrupts off: load the test's stage 2 and leave the host regime
 * (TGE=0, VM=1), in the order of KVM's AT emulation (arch/arm64/kvm/at.c).
 */
static void arm_enter(struct arm_ctx *c, struct arm_saved *s)
{
	s->hcr = read_sysreg(hcr_el2);
	s->vttbr = read_sysreg(vttbr_el2);
	s->vtcr = read_sysreg(vtcr_el2);
	s->sctlr = read_sysreg_s(SYS_SCTLR_EL12);
	s->par = read_sysreg_par();
	write_sysreg(c->regs.ctrl, vtcr_el2);
	write_sysreg(c->regs.root, vttbr_el2);
	/* Stage 1 of EL1&0 off: the input address is the IPA. */
	write_sysreg_s(s->sctlr & ~SCTLR_ELx_M, SYS_SCTLR_EL12);
	isb();
	write_sysreg((s->hcr & ~(HCR_TGE | HCR_DC)) | HCR_VM, hcr_el2);
	isb();
	__tlbi(vmalls12e1);
	dsb(nsh);
	isb();
	c->in_session = true;
}

static void arm_exit(struct arm_ctx *c, const struct arm_saved *s)
{
	c->in_session = false;
	__tlbi(vmalls12e1);
	dsb(nsh);
	isb();
	/* HCR first (TGE back to 1), then the EL1 and stage-2 state. */
	write_sysreg(s->hcr, hcr_el2);
	isb();
	write_sysreg_s(s->sctlr, SYS_SCTLR_EL12);
	write_sysreg(s->vttbr, vttbr_el2);
	write_sysreg(s->vtcr, vtcr_el2);
	write_sysreg(s->par, par_el1);
	isb();
}

/* Inside arm_enter()/arm_exit(): AT S12E1R or S12E1W; returns PAR_EL1. */
static u64 arm_at(u64 ipa, bool write)
{
	if (write)
		asm volatile("at s12e1w, %0" : : "r" (ipa) : "memory");
	else
		asm volatile("at s12e1r, %0" : : "r" (ipa) : "memory");
	isb();
	return read_sysreg_par();
}

static u64 arm_translate(struct arm_ctx *c, u64 ipa, bool write)
{
	struct arm_saved s;
	unsigned long flags;
	u64 par;

	local_irq_save(flags);
	arm_enter(c, &s);
	par = arm_at(ipa, write);
	arm_exit(c, &s);
	local_irq_restore(flags);
	return par;
}

/* TLBI for a plan, as KVM invalidates a stage-2 IPA; in the session. */
static void arm_tlbi(const struct npt_flush_plan *plan)
{
	u32 i;

	dsb(ishst);
	for (i = 0; !plan->all && i < plan->nr; i++) {
		u64 step = npt_lvl_size(plan->range[i].lvl);
		u64 ipa = plan->range[i].gpa, end = ipa + plan->range[i].size;

		if (plan->range[i].size / step > 64)
			break;
		for (; ipa < end; ipa += step)
			__tlbi(ipas2e1is, ipa >> NPT_PAGE_SHIFT);
	}
	if (plan->all || i < plan->nr)
		__tlbi(vmalls12e1is);
	dsb(ish);
	__tlbi(vmalle1is);
	dsb(ish);
	isb();
}

/* The flush callback: TLBI of what changed, unless disabled. */
static void arm_flush(void *arg, const struct npt_flush_plan *plan)
{
	struct arm_ctx *c = arg;
	struct arm_saved s;
	unsigned long flags;

	c->flushes++;
	if (!c->fence)
		return;
	if (c->in_session) {
		arm_tlbi(plan);
		return;
	}
	/* The TLBIs act on the VMID in VTTBR_EL2 and need TGE=0. */
	local_irq_save(flags);
	arm_enter(c, &s);
	arm_tlbi(plan);
	arm_exit(c, &s);
	local_irq_restore(flags);
}

static void arm_destroy(void *t)
{
	npt_table_destroy(t);
}

static void arm_unpin(void *unused)
{
	migrate_enable();
}

static u32 arm_pa_bits(void)
{
	u64 mmfr0 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1);
	int parange = cpuid_feature_extract_unsigned_field(mmfr0,
				ID_AA64MMFR0_EL1_PARANGE_SHIFT);

	return id_aa64mmfr0_parange_to_phys_shift(parange);
}

/* A table with @ia_bits and @oa_bits, empty, and owned memory. */
static struct arm_ctx *arm_setup(struct kunit *test, u32 ia_bits, u32 oa_bits,
				 u32 vmid, u64 seed)
{
	struct npt_config cfg = {
		.format = NPT_FORMAT_ARM64_S2,
		.ia_bits = ia_bits,
		.oa_bits = oa_bits,
		.vmid = vmid,
		.mm = &npt_kernel_mm,
		.flush = arm_flush,
	};
	struct arm_ctx *c;

	if (!is_kernel_in_hyp_mode())
		kunit_skip(test,
			   "kernel not at EL2 with VHE: no stage-2 walker to borrow (QEMU: -machine virt,virtualization=on -cpu max)");

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->fence = true;
	c->pa_bits = min(arm_pa_bits(), 48U);
	if (ia_bits > c->pa_bits)
		kunit_skip(test, "IPA size %u beyond the CPU's PARange (%u bits)",
			   ia_bits, c->pa_bits);
	KUNIT_ASSERT_EQ(test, hw_layout_init(&c->l, test, seed), 0);
	cfg.flush_arg = c;
	KUNIT_ASSERT_EQ(test, npt_table_create(&cfg, &c->l.t), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, arm_destroy,
							c->l.t), 0);
	npt_root_regs(c->l.t, &c->regs);
	/* One CPU: the session's TLBIs and ATs must meet the same TLB. */
	migrate_disable();
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, arm_unpin, NULL),
			0);
	return c;
}

/* Whether PAR_EL1 @par is what npt_access() predicted in @r. */
static bool arm_par_agrees(const struct npt_access_result *r, u64 par)
{
	if (r->fault == NPT_FAULT_NONE)
		return !(par & SYS_PAR_EL1_F) &&
		       (par & ARM_OA_MASK) == (r->hpa & ARM_OA_MASK);
	return (par & SYS_PAR_EL1_F) && (par & SYS_PAR_EL1_S) &&
	       !(par & ARM_PAR_PTW) &&
	       FIELD_GET(SYS_PAR_EL1_FST, par) == (r->syndrome & ESR_FSC_MASK);
}

static void arm_mismatch(struct arm_ctx *c, u64 ipa, bool write,
			 const struct npt_access_result *r, u64 par)
{
	c->mismatches++;
	if (c->mismatches > ARM_MAX_REPORTS)
		return;
	if (r->fault == NPT_FAULT_NONE)
		KUNIT_FAIL(c->test, "AT S12E1%c %#llx: npt predicts pa %#llx; PAR_EL1 %#llx",
			   write ? 'W' : 'R', ipa, r->hpa, par);
	else
		KUNIT_FAIL(c->test,
			   "AT S12E1%c %#llx: npt predicts fault %u at level %d, FSC %#llx, S=1; PAR_EL1 %#llx (FST %#lx S %d)",
			   write ? 'W' : 'R', ipa, r->fault, r->lvl,
			   r->syndrome & ESR_FSC_MASK, par,
			   (unsigned long)FIELD_GET(SYS_PAR_EL1_FST, par),
			   !!(par & SYS_PAR_EL1_S));
	hw_report_walk(c->test, c->l.t, ipa);
}

/* Predict with npt_access(), translate with AT, compare. */
static bool arm_check(struct arm_ctx *c, u64 ipa, bool write)
{
	struct npt_access_result r;
	u64 par;

	KUNIT_ASSERT_EQ(c->test, npt_access(c->l.t, ipa,
					    write ? NPT_ACC_WRITE :
						    NPT_ACC_READ, &r), 0);
	par = arm_translate(c, ipa, write);
	c->accesses++;
	if (arm_par_agrees(&r, par)) {
		c->faults += r.fault != NPT_FAULT_NONE;
		return true;
	}
	arm_mismatch(c, ipa, write, &r, par);
	return false;
}

static const u32 arm_prots[] = {
	NPT_PROT_R,
	NPT_PROT_W,
	NPT_PROT_X,
	NPT_PROT_R | NPT_PROT_W,
	NPT_PROT_R | NPT_PROT_X,
	NPT_PROT_R | NPT_PROT_W | NPT_PROT_X,
};

/*
 * Random 4 KiB / 2 MiB / 1 GiB mappings with read-only, write-only, no
 * data access (execute-only), RW and RWX permissions, AF=0, holes and IPAs
 * beyond the input range: thousands of AT S12E1R / AT S12E1W, each compared
 * with npt_access().
 */
static void hw_arm_random(struct kunit *test)
{
	const struct arm_ipa *p = test->param_value;
	struct arm_ctx *c = arm_setup(test, p->ia_bits, 0, p->vmid,
				      0xa7000000 + p->ia_bits);
	unsigned long n, beyond = 0;
	struct npt_stats st;

	c->l.prots = arm_prots;
	c->l.nr_prots = ARRAY_SIZE(arm_prots);
	c->l.map_flags = NPT_OP_OLD;
	hw_layout_build(&c->l, ARM_REGIONS);
	npt_get_stats(c->l.t, &st);
	kunit_info(test, "%s: %u levels, root of %u page(s), %llu table pages, leaves 4K %llu 2M %llu 1G %llu\n",
		   p->description, npt_levels(c->l.t),
		   npt_root_pages(c->l.t), st.table_pages, st.leaves[0],
		   st.leaves[1], st.leaves[2]);

	for (n = 0; n < ARM_ACCESSES; n++) {
		bool write = hw_rand(&c->l, 2);
		u64 ipa;

		if (p->ia_bits < c->pa_bits && !hw_rand(&c->l, 50)) {
			ipa = BIT_ULL(p->ia_bits +
				      hw_rand(&c->l, c->pa_bits - p->ia_bits)) |
			      hw_pick(&c->l, 8);
			beyond++;
		} else {
			ipa = hw_pick(&c->l, 8);
		}
		arm_check(c, ipa, write);
	}

	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_GE(test, c->accesses, HW_MIN_ACCESSES);
	kunit_info(test, "%s: %lu AT-checked translations (%lu faults, %lu beyond the IPA size), %lu mismatches\n",
		   p->description, c->accesses, c->faults, beyond,
		   c->mismatches);
	kunit_info(test, "execute permission (XN) is not checked by this walker: AT S12E1R/W ignore it; the XN bit is covered by the golden-encoding tests\n");
}

/* One translation of the flush test, before and after a change. */
struct arm_probe {
	bool write;
	u64 ipa;
	u64 old_pa;	/* where the translation led before the change */
};

struct arm_seen {
	bool as_npt;
	bool stale;
};

/* Inside arm_enter()/arm_exit(). */
static struct arm_seen arm_probe(struct arm_ctx *c, const struct arm_probe *p)
{
	struct arm_seen seen = {};
	struct npt_access_result r;
	u64 par;

	npt_access(c->l.t, p->ipa, p->write ? NPT_ACC_WRITE : NPT_ACC_READ,
		   &r);
	par = arm_at(p->ipa, p->write);
	c->accesses++;
	seen.as_npt = arm_par_agrees(&r, par);
	seen.stale = !seen.as_npt && !(par & SYS_PAR_EL1_F) &&
		     (par & ARM_OA_MASK) == (p->old_pa & ARM_OA_MASK);
	return seen;
}

/*
 * Unmap, protect, split + protect and replace, then the same translations,
 * in one session on one CPU.  @fence: whether the flush callback issues the
 * TLBIs.  Returns how many probes still saw the old translation.
 */
static unsigned int arm_flush_pass(struct arm_ctx *c, u64 base, bool fence)
{
	struct kunit *test = c->test;
	u64 block = base + npt_lvl_size(1);
	u64 p_old = c->l.pa[0] + 0x10000, p_new = c->l.pa[0] + 0x11000;
	const struct arm_probe probes[] = {
		/* unmapped */
		{ false, base + 0x1008, p_old },
		/* made read-only */
		{ true, base + 0x2010, p_old + 0x4000 },
		/* made read-only after a split of its 2 MiB block */
		{ true, block + 0x5018, c->l.pa[1] + 0x5000 },
		/* replaced by another page */
		{ false, base + 0x4020, p_old },
		/* the split page's neighbour: unchanged */
		{ true, block + 0x6028, c->l.pa[1] + 0x6000 },
	};
	struct arm_seen fill[ARRAY_SIZE(probes)], seen[ARRAY_SIZE(probes)];
	struct arm_seen after[ARRAY_SIZE(probes)] = {};
	unsigned int stale = 0, before, i;
	struct arm_saved s;
	unsigned long flags;

	hw_flush_setup(&c->l, base, p_old, c->l.pa[1]);

	local_irq_save(flags);
	arm_enter(c, &s);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		fill[i] = arm_probe(c, &probes[i]);

	c->fence = fence;
	before = c->flushes;
	hw_flush_change(&c->l, base, p_new);
	c->fence = true;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		seen[i] = arm_probe(c, &probes[i]);
	if (!fence) {
		__tlbi(vmalls12e1is);
		dsb(ish);
		isb();
		for (i = 0; i < ARRAY_SIZE(probes); i++)
			after[i] = arm_probe(c, &probes[i]);
	}
	arm_exit(c, &s);
	local_irq_restore(flags);

	KUNIT_EXPECT_GT(test, c->flushes, before);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		KUNIT_EXPECT_TRUE_MSG(test, fill[i].as_npt, "probe %u before",
				      i);
		if (!fence)
			KUNIT_EXPECT_TRUE_MSG(test, after[i].as_npt,
					      "probe %u after TLBI", i);
		else
			KUNIT_EXPECT_TRUE_MSG(test, seen[i].as_npt,
					      "probe %u with TLBI", i);
		stale += seen[i].stale;
	}
	KUNIT_EXPECT_TRUE(test, seen[ARRAY_SIZE(probes) - 1].as_npt);
	return stale;
}

/*
 * After unmap, protect (with a split of a 2 MiB block) and replace, with
 * the flush callback's TLBI IPAS2E1IS / VMALLE1IS, AT sees the change.  The
 * control leaves the TLBIs out and reports what AT saw.
 */
static void hw_arm_flush(struct kunit *test)
{
	struct arm_ctx *c = arm_setup(test, 40, 0, 0x77, 0xa7f00000);
	unsigned int stale, i;

	stale = arm_flush_pass(c, 0x40000000, true);
	KUNIT_EXPECT_EQ(test, stale, 0);
	kunit_info(test, "with TLBI in the flush callback AT saw unmap, protect, split + protect and replace at once\n");

	stale = arm_flush_pass(c, 0x80000000, false);
	if (stale)
		kunit_info(test, "control: without TLBI, AT still used %u of 4 old translations; after TLBI, none\n",
			   stale);
	else
		kunit_info(test, "control: without TLBI, AT saw the changes anyway (QEMU 7.2's AT walks the tables without its TLB): the TLBIs' effect cannot be observed with AT here\n");

	for (i = 0; i < 256; i++)
		arm_check(c, (hw_rand(&c->l, 2) ? 0x40000000 : 0x80000000) +
			  ((u64)hw_rand(&c->l, 1024) << 12) +
			  (hw_rand(&c->l, 512) << 3), hw_rand(&c->l, 2));
	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	kunit_info(test, "%lu AT-checked translations\n", c->accesses);
}

/*
 * Entries npt never writes, written by hand: a page descriptor with an
 * output address beyond the PS size (address-size fault) and a level-3
 * entry with bits[1:0] = 0b01 (reserved: translation fault).
 */
static void hw_arm_bad_entries(struct kunit *test)
{
	struct arm_ctx *c = arm_setup(test, 40, 40, 0x78, 0xa7b00000);
	static const u32 rw = NPT_PROT_R | NPT_PROT_W;
	struct npt_access_result r;
	struct npt_op_result res;
	npt_pte_t *ptep, old;
	unsigned int i, w;
	u64 page = 0x1000, block = 0x400000;
	int lvl;
	const struct {
		const char *what;
		u64 ipa;
		npt_pte_t set, clear;
	} cases[] = {
		{ "output address beyond PS", page, BIT_ULL(42), 0 },
		{ "level-3 entry 0b01", page, 0, S2_TABLE },
	};

	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, page, c->l.pa[0], PAGE_SIZE, rw,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, block, c->l.pa[1],
				      npt_lvl_size(1), rw, NPT_MT_WB, 0,
				      &res), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ptep = hw_leaf_ptr(c->l.t, cases[i].ipa, &lvl);
		old = READ_ONCE(*ptep);
		WRITE_ONCE(*ptep, (old | cases[i].set) & ~cases[i].clear);
		for (w = 0; w < 2; w++) {
			u64 ipa = cases[i].ipa + 0x10 + w * 0x8;
			u64 par;

			npt_access(c->l.t, ipa,
				   w ? NPT_ACC_WRITE : NPT_ACC_READ, &r);
			par = arm_translate(c, ipa, w);
			c->accesses++;
			if (arm_par_agrees(&r, par))
				kunit_info(test, "%s (entry %#llx): AT and npt agree, PAR_EL1 %#llx\n",
					   cases[i].what, READ_ONCE(*ptep),
					   par);
			else
				arm_mismatch(c, ipa, w, &r, par);
		}
		WRITE_ONCE(*ptep, old);
	}
	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
}

static struct kunit_case npt_hw_arm64_cases[] = {
	KUNIT_CASE_PARAM(hw_arm_random, arm_ipa_gen_params),
	KUNIT_CASE(hw_arm_flush),
	KUNIT_CASE(hw_arm_bad_entries),
	{}
};

static struct kunit_suite npt_hw_arm64_suite = {
	.name = "npt_hw_arm64",
	.test_cases = npt_hw_arm64_cases,
};

kunit_test_suite(npt_hw_arm64_suite);

MODULE_DESCRIPTION("npt: stage-2 tables checked by the CPU's walker");
MODULE_LICENSE("GPL");
