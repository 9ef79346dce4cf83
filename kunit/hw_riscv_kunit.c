// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt KUnit suite npt_hw_riscv: G-stage tables built by npt, walked by the
 * CPU.  In HS-mode the hypervisor loads and stores (HLV.D, HSV.D, HLVX.WU)
 * go through VS-stage translation (Bare here, so the address is the GPA)
 * and then through the G-stage table that hgatp points at.  Every access
 * is compared with what npt_access() predicts: the bytes read, the host
 * page written, or the guest-page fault with its scause, stval and htval.
 */

#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <asm/cpufeature.h>
#include <asm/csr.h>
#include "hw_kunit.h"
#include "hw_riscv.h"

#define SV_R			BIT_ULL(1)
#define SV_X			BIT_ULL(3)
#define SV_A			BIT_ULL(6)
#define SV_D			BIT_ULL(7)

/* sstatus.MXR: loads may read execute-only pages. */
#define RV_SR_MXR		BIT(19)

#define RV_ACCESSES		8000
#define RV_REGIONS		12
#define RV_MAX_REPORTS		10
#define RV_SCAUSE_LOAD_GPF	21

/**
 * struct rv_fmt - a G-stage format under test
 * @description:	Parameter name.
 * @format:		NPT_FORMAT_*.
 * @vmid:		VMID of the test's tables.
 * @big_lvl:		Largest block level.
 */
struct rv_fmt {
	const char *description;
	u32 format;
	u32 vmid;
	int big_lvl;
};

static const struct rv_fmt rv_fmts[] = {
	{ .description = "sv39x4", .format = NPT_FORMAT_SV39X4, .vmid = 0x39,
	  .big_lvl = 2 },
	{ .description = "sv48x4", .format = NPT_FORMAT_SV48X4, .vmid = 0x48,
	  .big_lvl = 3 },
};

KUNIT_ARRAY_PARAM_DESC(rv_fmt, rv_fmts, description);

/**
 * struct rv_ctx - one test's table and what it saw
 * @test:	The test.
 * @l:		Layout: the table and the owned memory.
 * @hgatp:	npt's hgatp value for the table.
 * @vmid:	Its VMID.
 * @fence:	The flush callback executes HFENCE.GVMA (false: the control).
 * @flushes:	Flush callbacks made.
 * @accesses:	Hardware accesses compared with npt.
 * @mismatches:	Of which disagreed.
 * @faults:	Of which faulted (as predicted).
 */
struct rv_ctx {
	struct kunit *test;
	struct hw_layout l;
	u64 hgatp;
	u32 vmid;
	bool fence;
	unsigned int flushes;
	unsigned long accesses;
	unsigned long mismatches;
	unsigned long faults;
};

/* CSRs the test borrows while the CPU walks its table. */
struct rv_saved {
	unsigned long sstatus;
	unsigned long hstatus;
	unsigned long vsatp;
	unsigned long hgatp;
	unsigned long stvec;
};

/* Interrupts off: make the CPU's G-stage walker use the test's table. */
static void rv_enter(struct rv_saved *s, u64 hgatp)
{
	s->sstatus = csr_read(CSR_SSTATUS);
	/* MXR would make execute-only pages readable at both stages. */
	csr_clear(CSR_SSTATUS, RV_SR_MXR);
	s->hstatus = csr_read(CSR_HSTATUS);
	csr_write(CSR_HSTATUS, s->hstatus | HSTATUS_SPVP);
	s->vsatp = csr_swap(CSR_VSATP, 0);
	s->hgatp = csr_swap(CSR_HGATP, hgatp);
	s->stvec = csr_swap(CSR_STVEC, (unsigned long)npt_hw_rv_trap);
}

static void rv_exit(const struct rv_saved *s)
{
	csr_write(CSR_STVEC, s->stvec);
	csr_write(CSR_HGATP, s->hgatp);
	csr_write(CSR_VSATP, s->vsatp);
	csr_write(CSR_HSTATUS, s->hstatus);
	csr_write(CSR_SSTATUS, s->sstatus);
}

/* One hypervisor access, inside rv_enter()/rv_exit(); true if it trapped. */
static bool rv_do(u32 acc, u64 gpa, u64 *val, struct hw_rv_trap *trap)
{
	memset(trap, 0, sizeof(*trap));
	switch (acc) {
	case NPT_ACC_READ:
		*val = npt_hw_rv_hlv_d(gpa, trap);
		break;
	case NPT_ACC_HLVX:
		*val = npt_hw_rv_hlvx_wu(gpa, trap);
		break;
	case NPT_ACC_WRITE:
		npt_hw_rv_hsv_d(gpa, *val, trap);
		break;
	}
	return trap->sepc;
}

static bool rv_access(struct rv_ctx *c, u32 acc, u64 gpa, u64 *val,
		      struct hw_rv_trap *trap)
{
	struct rv_saved s;
	unsigned long flags;
	bool trapped;

	local_irq_save(flags);
	rv_enter(&s, c->hgatp);
	trapped = rv_do(acc, gpa, val, trap);
	rv_exit(&s);
	local_irq_restore(flags);
	return trapped;
}

/* The flush callback: HFENCE.GVMA of what changed, unless disabled. */
static void rv_flush(void *arg, const struct npt_flush_plan *plan)
{
	struct rv_ctx *c = arg;
	u32 i;

	c->flushes++;
	if (!c->fence)
		return;
	/* A fence by address need not reach an unlinked table's walks. */
	if (plan->all || plan->tables) {
		npt_hw_rv_hfence_vmid(c->vmid);
		return;
	}
	for (i = 0; i < plan->nr; i++) {
		u64 step = npt_lvl_size(plan->range[i].lvl);
		u64 gpa = plan->range[i].gpa, end = gpa + plan->range[i].size;

		if (plan->range[i].size / step > 64) {
			npt_hw_rv_hfence_vmid(c->vmid);
			return;
		}
		for (; gpa < end; gpa += step)
			npt_hw_rv_hfence_gpa(gpa, c->vmid);
	}
}

static void rv_destroy(void *t)
{
	npt_table_destroy(t);
}

static void rv_unpin(void *unused)
{
	unsigned long flags;

	/* Nothing of the test's tables may stay in the TLB. */
	local_irq_save(flags);
	npt_hw_rv_hfence_all();
	local_irq_restore(flags);
	migrate_enable();
}

/*
 * A table of @fmt with @options, empty, and owned memory; the test stays on
 * this CPU (the flush callback fences only the local hart).
 */
static struct rv_ctx *rv_setup(struct kunit *test, u32 options, u64 seed)
{
	const struct rv_fmt *f = test->param_value;
	struct npt_config cfg = {
		.format = f->format,
		.options = options,
		.vmid = f->vmid,
		.mm = &npt_kernel_mm,
		.flush = rv_flush,
	};
	struct npt_root_regs regs;
	struct rv_saved s;
	unsigned long flags, back;
	struct rv_ctx *c;
	int ret;

	if (!riscv_isa_extension_available(NULL, h))
		kunit_skip(test,
			   "no H extension: the CPU has no G-stage walker (QEMU: -cpu rv64,h=true)");

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->fence = true;
	c->vmid = f->vmid;
	KUNIT_ASSERT_EQ(test, hw_layout_init(&c->l, test, seed), 0);
	c->l.big_lvl = f->big_lvl;
	cfg.flush_arg = c;
	ret = npt_table_create(&cfg, &c->l.t);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rv_destroy,
							c->l.t), 0);
	npt_root_regs(c->l.t, &regs);
	c->hgatp = regs.root;

	migrate_disable();
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rv_unpin, NULL),
			0);
	local_irq_save(flags);
	rv_enter(&s, c->hgatp);
	back = csr_read(CSR_HGATP);
	npt_hw_rv_hfence_all();
	rv_exit(&s);
	local_irq_restore(flags);
	KUNIT_ASSERT_EQ_MSG(test, back, c->hgatp,
			    "hgatp does not hold npt's value (mode or VMID unsupported)");
	return c;
}

static const char *rv_acc_name(u32 acc)
{
	return acc == NPT_ACC_WRITE ? "HSV.D" :
	       acc == NPT_ACC_HLVX ? "HLVX.WU" : "HLV.D";
}

static void rv_mismatch(struct rv_ctx *c, u32 acc, u64 gpa,
			const struct npt_access_result *r,
			const struct hw_rv_trap *trap, u64 val, u64 expect)
{
	struct kunit *test = c->test;

	c->mismatches++;
	if (c->mismatches > RV_MAX_REPORTS)
		return;
	if (r->fault == NPT_FAULT_NONE)
		KUNIT_FAIL(test,
			   "%s gpa %#llx: npt predicts hpa %#llx (value %#llx); CPU: %s scause %lu stval %#lx htval %#lx value %#llx",
			   rv_acc_name(acc), gpa, r->hpa, expect,
			   trap->sepc ? "fault" : "no fault", trap->scause,
			   trap->stval, trap->htval, val);
	else
		KUNIT_FAIL(test,
			   "%s gpa %#llx: npt predicts fault %u at level %d, scause %llu htval %#llx; CPU: %s scause %lu stval %#lx htval %#lx",
			   rv_acc_name(acc), gpa, r->fault, r->lvl,
			   r->syndrome, r->addr,
			   trap->sepc ? "fault" : "no fault", trap->scause,
			   trap->stval, trap->htval);
	hw_report_walk(test, c->l.t, gpa);
}

/*
 * Whether the hardware's outcome of @acc at @gpa (@trapped, @trap, @val)
 * is what npt predicted in @r.  For a store, @val is the value stored and
 * the owned memory is checked (and put back to @orig).
 */
static bool rv_agree(struct rv_ctx *c, u32 acc, u64 gpa,
		     const struct npt_access_result *r, bool trapped,
		     const struct hw_rv_trap *trap, u64 val, u64 orig)
{
	unsigned int len = acc == NPT_ACC_HLVX ? 4 : 8;
	u64 expect = 0;
	void *va;
	bool ok;

	if (r->fault != NPT_FAULT_NONE) {
		ok = trapped && trap->scause == r->syndrome &&
		     trap->htval == r->addr && trap->stval == gpa;
		if (ok)
			c->faults++;
		else
			rv_mismatch(c, acc, gpa, r, trap, val, 0);
		return ok;
	}
	va = hw_owned_va(&c->l, r->hpa);
	if (!va || !hw_owned(&c->l, r->hpa, len)) {
		KUNIT_FAIL(c->test, "gpa %#llx: npt translates to %#llx, outside the test's memory",
			   gpa, r->hpa);
		return false;
	}
	if (acc == NPT_ACC_WRITE) {
		expect = val;
		val = *(u64 *)va;
		*(u64 *)va = orig;
	} else {
		expect = len == 8 ? *(u64 *)va : *(u32 *)va;
	}
	ok = !trapped && val == expect;
	if (!ok)
		rv_mismatch(c, acc, gpa, r, trap, val, expect);
	return ok;
}

/* Predict with npt_access(), access with the CPU, compare. */
static bool rv_check(struct rv_ctx *c, u32 acc, u64 gpa)
{
	struct npt_access_result r;
	struct hw_rv_trap trap;
	u64 val = 0, orig = 0;
	bool trapped;
	void *va;

	KUNIT_ASSERT_EQ(c->test, npt_access(c->l.t, gpa, acc, &r), 0);
	if (acc == NPT_ACC_WRITE) {
		/* Store only into owned memory (or where npt says it faults). */
		va = r.fault ? NULL : hw_owned_va(&c->l, r.hpa);
		if (!r.fault && (!va || !hw_owned(&c->l, r.hpa, 8))) {
			KUNIT_FAIL(c->test,
				   "gpa %#llx: npt translates to %#llx, outside the test's memory",
				   gpa, r.hpa);
			return false;
		}
		orig = va ? *(u64 *)va : 0;
		val = get_random_u64();
	}
	trapped = rv_access(c, acc, gpa, &val, &trap);
	c->accesses++;
	return rv_agree(c, acc, gpa, &r, trapped, &trap, val, orig);
}

/* Whether HLVX at @gpa meets a leaf where R and X differ (QEMU 7.2). */
static bool rv_hlvx_deviates(struct rv_ctx *c, u64 gpa)
{
	struct npt_translation tr;

	if (npt_translate(c->l.t, gpa, &tr))
		return false;
	return !(tr.prot & NPT_PROT_R) != !(tr.prot & NPT_PROT_X);
}

static const u32 rv_prots[] = {
	NPT_PROT_R,
	NPT_PROT_R | NPT_PROT_W,
	NPT_PROT_R | NPT_PROT_X,
	NPT_PROT_R | NPT_PROT_W | NPT_PROT_X,
	NPT_PROT_X,
};

/* The upper half of the x4 space: QEMU 7.2 wants it sign-extended. */
static u64 rv_upper_half(struct rv_ctx *c)
{
	return BIT_ULL(npt_ia_bits(c->l.t) - 1);
}

static void rv_print_stats(struct kunit *test, struct npt_table *t)
{
	struct npt_stats st;

	npt_get_stats(t, &st);
	kunit_info(test, "table: %llu pages, leaves 4K %llu 2M %llu 1G %llu 512G %llu\n",
		   st.table_pages, st.leaves[0], st.leaves[1], st.leaves[2],
		   st.leaves[3]);
}

/*
 * Random 4 KiB / 2 MiB / 1 GiB (and 512 GiB on Sv48x4) mappings with
 * read-only, execute-only, RW and RWX permissions, holes and addresses
 * beyond the input range; thousands of HLV.D / HSV.D / HLVX.WU accesses at
 * random addresses, each compared with npt_access().
 */
static void hw_rv_random(struct kunit *test)
{
	const struct rv_fmt *f = test->param_value;
	unsigned long n, hlvx_skipped = 0, beyond = 0;
	struct rv_ctx *c = rv_setup(test, 0, 0x5eed0000 + f->format);
	u32 ia = npt_ia_bits(c->l.t);

	c->l.prots = rv_prots;
	c->l.nr_prots = ARRAY_SIZE(rv_prots);
	/* A/D are preset (QEMU 7.2 sets them itself: see hw_rv_ad). */
	c->l.map_flags = 0;
	c->l.avoid = rv_upper_half(c);
	hw_layout_build(&c->l, RV_REGIONS);
	rv_print_stats(test, c->l.t);

	for (n = 0; n < RV_ACCESSES; n++) {
		u32 roll = hw_rand(&c->l, 100);
		u32 acc = roll < 45 ? NPT_ACC_READ :
			  roll < 80 ? NPT_ACC_WRITE : NPT_ACC_HLVX;
		u64 gpa;

		if (hw_rand(&c->l, 50) == 0) {
			/* Beyond the input range, never sign-extended. */
			gpa = BIT_ULL(ia + hw_rand(&c->l, 62 - ia)) |
			      (hw_pick(&c->l, 8) & ~rv_upper_half(c));
			beyond++;
		} else {
			gpa = hw_pick(&c->l, acc == NPT_ACC_HLVX ? 4 : 8);
		}
		if (acc == NPT_ACC_HLVX && rv_hlvx_deviates(c, gpa)) {
			/* Checked as a deviation in hw_rv_deviations. */
			acc = NPT_ACC_READ;
			gpa &= ~7ULL;
			hlvx_skipped++;
		}
		rv_check(c, acc, gpa);
	}

	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
	KUNIT_EXPECT_GE(test, c->accesses, HW_MIN_ACCESSES);
	kunit_info(test, "%s: %lu hardware-checked accesses (%lu faults, %lu beyond the input range), %lu mismatches\n",
		   f->description, c->accesses, c->faults, beyond,
		   c->mismatches);
	kunit_info(test, "%s: %lu HLVX.WU on leaves with R != X done as HLV.D (QEMU 7.2 deviation, see hw_rv_deviations)\n",
		   f->description, hlvx_skipped);
	kunit_info(test, "execute permission is not checked by this walker: QEMU 7.2's HLVX.WU checks R, not X, at the G-stage; the X bit is covered by the golden-encoding tests\n");
}

/*
 * Write-without-read, which npt refuses to map: written by hand into a
 * 4 KiB leaf and a 2 MiB block, the CPU must fault as npt_access() says.
 */
static void hw_rv_w_no_r(struct kunit *test)
{
	struct rv_ctx *c = rv_setup(test, 0, 0x3000);
	struct npt_op_result res;
	static const u32 accs[] = { NPT_ACC_READ, NPT_ACC_WRITE, NPT_ACC_HLVX };
	u64 gpas[] = { 0x40201000, 0x40400000 };
	u64 sizes[] = { PAGE_SIZE, HW_CHUNK_SIZE };
	unsigned int i, a, k;

	KUNIT_EXPECT_EQ(test, npt_map(c->l.t, 0x1000, c->l.pa[0], PAGE_SIZE,
				      NPT_PROT_W, NPT_MT_WB, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_map(c->l.t, 0x1000, c->l.pa[0], PAGE_SIZE,
				      NPT_PROT_W | NPT_PROT_X, NPT_MT_WB, 0,
				      &res), -EINVAL);

	for (i = 0; i < ARRAY_SIZE(gpas); i++) {
		npt_pte_t *ptep, old;
		unsigned long flags;
		struct rv_saved s;
		int lvl;

		KUNIT_ASSERT_EQ(test, npt_map(c->l.t, gpas[i], c->l.pa[1],
					      sizes[i], NPT_PROT_R | NPT_PROT_W,
					      NPT_MT_WB, 0, &res), 0);
		/* It works as mapped ... */
		for (a = 0; a < 2; a++)
			rv_check(c, accs[a], gpas[i] + 0x18);
		/* ... and faults once R is taken away by hand. */
		ptep = hw_leaf_ptr(c->l.t, gpas[i], &lvl);
		KUNIT_ASSERT_EQ(test, lvl, i);
		old = READ_ONCE(*ptep);
		local_irq_save(flags);
		rv_enter(&s, c->hgatp);
		WRITE_ONCE(*ptep, old & ~SV_R);
		npt_hw_rv_hfence_all();
		rv_exit(&s);
		local_irq_restore(flags);
		for (a = 0; a < ARRAY_SIZE(accs); a++)
			for (k = 0; k < 8; k++)
				rv_check(c, accs[a], gpas[i] + k * 0x208);
		kunit_info(test, "W without R by hand at npt level %d (entry %#llx): the CPU faulted as npt predicts\n",
			   lvl, old & ~SV_R);
		local_irq_save(flags);
		rv_enter(&s, c->hgatp);
		WRITE_ONCE(*ptep, old);
		npt_hw_rv_hfence_all();
		rv_exit(&s);
		local_irq_restore(flags);
	}
	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
	kunit_info(test, "%lu hardware-checked accesses, %lu faults\n",
		   c->accesses, c->faults);
}

/* HFENCE.GVMA of everything: the CPU walks the table again. */
static void rv_fence(struct rv_ctx *c)
{
	unsigned long flags;
	struct rv_saved s;

	local_irq_save(flags);
	rv_enter(&s, c->hgatp);
	npt_hw_rv_hfence_all();
	rv_exit(&s);
	local_irq_restore(flags);
}

/* Rewrite the entry the walk of @gpa ends at (or its parent) by hand. */
static void rv_poke(struct rv_ctx *c, npt_pte_t *ptep, npt_pte_t val)
{
	WRITE_ONCE(*ptep, val);
	rv_fence(c);
}

/*
 * Other entries npt never writes, written by hand: a misaligned 2 MiB
 * superpage, a leaf with a reserved bit (54) set and a non-leaf entry with
 * A set.  The spec makes each a guest-page fault, as npt_access() says.
 */
static void hw_rv_bad_entries(struct kunit *test)
{
	struct rv_ctx *c = rv_setup(test, 0, 0x3100);
	static const u32 rw = NPT_PROT_R | NPT_PROT_W;
	struct npt_op_result res;
	u64 page = 0x40201000, block = 0x40400000;
	npt_pte_t *table, old;
	unsigned int i, k;
	int lvl;
	struct {
		const char *what;
		u64 gpa;
		bool parent;
		npt_pte_t set;
	} cases[] = {
		{ "misaligned 2 MiB superpage", block, false, 0x1000 >> 2 },
		{ "reserved bit 54 in a leaf", page, false, BIT_ULL(54) },
		{ "A set in a non-leaf entry", page, true, SV_A },
	};

	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, page, c->l.pa[0], PAGE_SIZE, rw,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, block, c->l.pa[1],
				      npt_lvl_size(1), rw, NPT_MT_WB, 0,
				      &res), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long before = c->mismatches;

		if (cases[i].parent)
			table = hw_entry_ptr(c->l.t, cases[i].gpa, 1);
		else
			table = hw_leaf_ptr(c->l.t, cases[i].gpa, &lvl);
		KUNIT_ASSERT_NOT_NULL(test, table);
		old = READ_ONCE(*table);
		rv_poke(c, table, old | cases[i].set);
		for (k = 0; k < 6; k++)
			rv_check(c, k & 1 ? NPT_ACC_WRITE : NPT_ACC_READ,
				 cases[i].gpa + 0x100 + k * 8);
		if (c->mismatches == before)
			kunit_info(test, "%s (entry %#llx): the CPU faults as npt predicts\n",
				   cases[i].what, old | cases[i].set);
		rv_poke(c, table, old);
	}
	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
}

/*
 * A and D.  npt's plain G-stage tables follow Svade (an access with A=0, a
 * store with D=0, faults); QEMU 7.2 updates A and D instead, as Svadu does.
 * With NPT_OPT_RV_HWAD npt models that update: there every access must set
 * exactly the bits npt_access() sets.
 */
static void hw_rv_ad(struct kunit *test)
{
	struct rv_ctx *c = rv_setup(test, 0, 0x4000);
	struct rv_ctx *h = rv_setup(test, NPT_OPT_RV_HWAD, 0x4100);
	struct npt_access_result r;
	struct npt_op_result res;
	struct hw_rv_trap trap;
	u64 gpa = 0x7000, val = 0;
	unsigned int i, agreed = 0;
	npt_pte_t *ptep, pte;
	bool trapped;
	int lvl;

	/* Plain table: the deviation. */
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, gpa, c->l.pa[0], PAGE_SIZE,
				      NPT_PROT_R | NPT_PROT_W, NPT_MT_WB,
				      NPT_OP_OLD, &res), 0);
	ptep = hw_leaf_ptr(c->l.t, gpa, &lvl);
	npt_access(c->l.t, gpa, NPT_ACC_READ, &r);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_ACCESS_FLAG);
	trapped = rv_access(c, NPT_ACC_READ, gpa, &val, &trap);
	pte = READ_ONCE(*ptep);
	if (!trapped && (pte & SV_A) && !(pte & SV_D))
		kunit_info(test, "deviation (QEMU 7.2): a load through a leaf with A=0 set A (as Svadu) instead of a guest-page fault (npt, Svade: scause %llu)\n",
			   r.syndrome);
	else if (trapped && trap.scause == r.syndrome && !(pte & SV_A))
		kunit_info(test, "the A=0 deviation is gone: the CPU faults as Svade requires\n");
	else
		KUNIT_FAIL(test, "load with A=0: CPU %s scause %lu, entry now %#llx",
			   trapped ? "fault" : "no fault", trap.scause, pte);
	npt_access(c->l.t, gpa, NPT_ACC_WRITE, &r);
	KUNIT_EXPECT_EQ(test, r.fault, pte & SV_A ? NPT_FAULT_DIRTY :
						    NPT_FAULT_ACCESS_FLAG);
	val = hw_pattern(c->l.pa[0]);
	trapped = rv_access(c, NPT_ACC_WRITE, gpa, &val, &trap);
	pte = READ_ONCE(*ptep);
	if (!trapped && (pte & SV_D))
		kunit_info(test, "deviation (QEMU 7.2): a store through a leaf with D=0 set D (as Svadu) instead of a guest-page fault (npt, Svade: scause %llu)\n",
			   r.syndrome);
	else if (trapped && trap.scause == r.syndrome && !(pte & SV_D))
		kunit_info(test, "the D=0 deviation is gone: the CPU faults as Svade requires\n");
	else
		KUNIT_FAIL(test, "store with D=0: CPU %s scause %lu, entry now %#llx",
			   trapped ? "fault" : "no fault", trap.scause, pte);

	/* Svadu table: npt's model of the update against the CPU's. */
	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, npt_map(h->l.t, 0x80000000ULL +
					      i * 0x201000ULL,
					      h->l.pa[i & 1] + i * PAGE_SIZE,
					      PAGE_SIZE,
					      NPT_PROT_R | NPT_PROT_W,
					      NPT_MT_WB, NPT_OP_OLD, &res), 0);
	for (i = 0; i < 512; i++) {
		u64 g = 0x80000000ULL + (i % 64) * 0x201000ULL + (i & 0xff8);
		u32 acc = hw_rand(&h->l, 3) ? NPT_ACC_READ : NPT_ACC_WRITE;
		npt_pte_t before, hw_after, npt_after;
		unsigned long flags;
		struct rv_saved s;
		u64 *va;

		ptep = hw_leaf_ptr(h->l.t, g, &lvl);
		before = READ_ONCE(*ptep);
		va = hw_owned_va(&h->l, npt_pte_pa(h->l.t, before) +
				 (g & 0xfff));
		val = acc == NPT_ACC_WRITE ? *va : 0;
		trapped = rv_access(h, acc, g, &val, &trap);
		h->accesses++;
		hw_after = READ_ONCE(*ptep);
		/* Back to the old entry, then npt's prediction of the update. */
		local_irq_save(flags);
		rv_enter(&s, h->hgatp);
		WRITE_ONCE(*ptep, before);
		npt_hw_rv_hfence_all();
		rv_exit(&s);
		local_irq_restore(flags);
		npt_access(h->l.t, g, acc, &r);
		npt_after = READ_ONCE(*ptep);
		if (!trapped && !r.fault && hw_after == npt_after &&
		    (acc == NPT_ACC_WRITE || val == *va)) {
			agreed++;
			continue;
		}
		KUNIT_FAIL(test,
			   "Svadu %s gpa %#llx entry %#llx: CPU %s, entry %#llx; npt fault %u, entry %#llx",
			   rv_acc_name(acc), g, before,
			   trapped ? "faulted" : "no fault", hw_after, r.fault,
			   npt_after);
	}
	KUNIT_EXPECT_EQ(test, agreed, 512);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&h->l), 0);
	kunit_info(test, "NPT_OPT_RV_HWAD: %u accesses set the same A/D bits on the CPU as in npt_access()\n",
		   agreed);
}

/*
 * Aging against the CPU: npt_age() clears A (bit 6) in 16 leaves, the
 * test fences (aging does not: the flag is a hint), the CPU loads through
 * two of the pages and sets A there (the Svadu table, which is how QEMU
 * 7.2 behaves), and npt_age() then finds exactly those two young.
 */
static void hw_rv_age(struct kunit *test)
{
	struct rv_ctx *h = rv_setup(test, NPT_OPT_RV_HWAD, 0x4200);
	const u64 g = 0x80000000ULL;
	static const unsigned int read[] = { 3, 9 };
	struct npt_op_result res;
	struct hw_rv_trap trap;
	unsigned long bm[1];
	unsigned int i;
	u64 young, val, pa;

	KUNIT_ASSERT_EQ(test, npt_map(h->l.t, g, h->l.pa[0], 16 * PAGE_SIZE,
				      NPT_PROT_R | NPT_PROT_W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_age(h->l.t, g, 16 * PAGE_SIZE, bm,
				      NPT_AGE_CLEAR, &young), 0);
	KUNIT_EXPECT_EQ(test, young, 16);
	rv_fence(h);
	for (i = 0; i < ARRAY_SIZE(read); i++) {
		KUNIT_EXPECT_FALSE_MSG(test, rv_access(h, NPT_ACC_READ,
						       g + read[i] * PAGE_SIZE,
						       &val, &trap),
				       "HLV.D faulted: scause %lu",
				       trap.scause);
		pa = h->l.pa[0] + read[i] * PAGE_SIZE;
		KUNIT_EXPECT_EQ(test, val, *(u64 *)hw_owned_va(&h->l, pa));
	}
	KUNIT_ASSERT_EQ(test, npt_age(h->l.t, g, 16 * PAGE_SIZE, bm, 0, &young),
			0);
	KUNIT_EXPECT_EQ(test, young, ARRAY_SIZE(read));
	KUNIT_EXPECT_EQ(test, bm[0], BIT(3) | BIT(9));
	kunit_info(test, "the CPU set A in the %llu leaves it loaded through after npt_age() cleared it, and npt_age() found those\n",
		   young);
}

/* One access of the flush test, before and after a change. */
struct rv_probe {
	u32 acc;
	u64 gpa;
	u64 old_hpa;	/* where the translation led before the change */
};

/* What the CPU did for a probe: as npt says, or as before the change. */
struct rv_seen {
	bool as_npt;
	bool stale;
};

/* Inside rv_enter()/rv_exit(): access, compare with npt and the past. */
static struct rv_seen rv_probe(struct rv_ctx *c, const struct rv_probe *p)
{
	u64 *old = hw_owned_va(&c->l, p->old_hpa), *now = NULL;
	struct rv_seen seen = {};
	struct npt_access_result r;
	struct hw_rv_trap trap;
	u64 val = 0, keep = *old;
	bool trapped;

	npt_access(c->l.t, p->gpa, p->acc, &r);
	if (!r.fault)
		now = hw_owned_va(&c->l, r.hpa);
	if (p->acc == NPT_ACC_WRITE)
		val = get_random_u64();
	trapped = rv_do(p->acc, p->gpa, &val, &trap);
	c->accesses++;
	if (r.fault)
		seen.as_npt = trapped && trap.scause == r.syndrome &&
			      trap.htval == r.addr;
	else
		seen.as_npt = !trapped && now && *now == val;
	if (!trapped && !seen.as_npt)
		seen.stale = *old == val;
	if (p->acc == NPT_ACC_WRITE && !trapped) {
		*old = keep;
		if (now)
			*now = hw_pattern(r.hpa & ~7ULL);
	}
	return seen;
}

/*
 * Unmap, protect, split + protect and replace, then the same accesses: all
 * in one interrupts-off stretch on one CPU, so that its TLB is the one the
 * fence acts on.  @fence: whether the flush callback fences.  Returns how
 * many probes still saw the old translation.
 */
static unsigned int rv_flush_pass(struct rv_ctx *c, u64 base, bool fence)
{
	struct kunit *test = c->test;
	u64 block = base + npt_lvl_size(1);
	u64 p_old = c->l.pa[0] + 0x10000, p_new = c->l.pa[0] + 0x11000;
	const struct rv_probe probes[] = {
		/* unmapped */
		{ NPT_ACC_READ, base + 0x1008, p_old + 0x8 },
		/* made read-only */
		{ NPT_ACC_WRITE, base + 0x2010, p_old + 0x4010 },
		/* made read-only after a split of its 2 MiB block */
		{ NPT_ACC_WRITE, block + 0x5018, c->l.pa[1] + 0x5018 },
		/* replaced by another page */
		{ NPT_ACC_READ, base + 0x4020, p_old + 0x20 },
		/* the split page's neighbour: unchanged */
		{ NPT_ACC_WRITE, block + 0x6028, c->l.pa[1] + 0x6028 },
	};
	struct rv_seen fill[ARRAY_SIZE(probes)], seen[ARRAY_SIZE(probes)];
	struct rv_seen fenced[ARRAY_SIZE(probes)] = {};
	unsigned int stale = 0, before, i;
	unsigned long flags;
	struct rv_saved s;

	hw_flush_setup(&c->l, base, p_old, c->l.pa[1]);

	local_irq_save(flags);
	rv_enter(&s, c->hgatp);
	/* Fill the TLB: each probe once through the old translations. */
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		fill[i] = rv_probe(c, &probes[i]);

	c->fence = fence;
	before = c->flushes;
	hw_flush_change(&c->l, base, p_new);
	c->fence = true;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		seen[i] = rv_probe(c, &probes[i]);
	if (!fence) {
		/* The fence the callback left out: now the CPU must agree. */
		npt_hw_rv_hfence_all();
		for (i = 0; i < ARRAY_SIZE(probes); i++)
			fenced[i] = rv_probe(c, &probes[i]);
	}
	rv_exit(&s);
	local_irq_restore(flags);

	KUNIT_EXPECT_GT(test, c->flushes, before);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		KUNIT_EXPECT_TRUE_MSG(test, fill[i].as_npt, "probe %u before",
				      i);
		if (!fence)
			KUNIT_EXPECT_TRUE_MSG(test, fenced[i].as_npt,
					      "probe %u after the fence", i);
		stale += seen[i].stale;
		if (fence || i == ARRAY_SIZE(probes) - 1)
			KUNIT_EXPECT_TRUE_MSG(test, seen[i].as_npt,
					      "probe %u (fence %d)", i, fence);
	}
	return stale;
}

/*
 * After unmap, protect (with a split of a 2 MiB block) and replace, the
 * flush callback's HFENCE.GVMA makes the CPU see the change; without the
 * fence (the control) QEMU 7.2 still uses the old translations, until a
 * fence.
 */
static void hw_rv_flush(struct kunit *test)
{
	struct rv_ctx *c = rv_setup(test, 0, 0x5000);
	unsigned int stale, i;

	stale = rv_flush_pass(c, 0x40000000, true);
	KUNIT_EXPECT_EQ(test, stale, 0);
	kunit_info(test, "with HFENCE.GVMA in the flush callback the CPU saw unmap, protect, split + protect and replace at once\n");

	stale = rv_flush_pass(c, 0x80000000, false);
	KUNIT_EXPECT_EQ_MSG(test, stale, 4,
			    "control: without a fence QEMU 7.2 keeps old translations");
	kunit_info(test, "control: without the fence the CPU still used %u of 4 old translations; after HFENCE.GVMA, none\n",
		   stale);

	/* Random accesses around the changes agree with npt again. */
	for (i = 0; i < 256; i++)
		rv_check(c, hw_rand(&c->l, 2) ? NPT_ACC_READ : NPT_ACC_WRITE,
			 (hw_rand(&c->l, 2) ? 0x40000000 : 0x80000000) +
			 ((u64)hw_rand(&c->l, 1024) << 12) +
			 (hw_rand(&c->l, 512) << 3));
	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
	kunit_info(test, "%lu hardware-checked accesses\n", c->accesses);
}

/*
 * Known deviations of QEMU 7.2, each checked so that the day it changes
 * the output says so, and what is known to work near them.
 */
static void hw_rv_deviations(struct kunit *test)
{
	const struct rv_fmt *f = test->param_value;
	struct rv_ctx *c = rv_setup(test, 0, 0x6000);
	u64 upper = rv_upper_half(c);
	u64 g_r = 0x3000, g_x = 0x4000, g_hi = upper | 0x40005000;
	u64 g_mid = (upper >> 1) | 0x40006000, g_ext;
	struct npt_access_result r;
	struct npt_op_result res;
	struct hw_rv_trap trap;
	u64 val;
	bool trapped;

	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, g_r, c->l.pa[0], PAGE_SIZE,
				      NPT_PROT_R, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, g_x, c->l.pa[0] + 0x1000,
				      PAGE_SIZE, NPT_PROT_X, NPT_MT_WB, 0,
				      &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, g_hi, c->l.pa[0] + 0x2000,
				      PAGE_SIZE, NPT_PROT_R | NPT_PROT_W,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(c->l.t, g_mid, c->l.pa[0] + 0x3000,
				      PAGE_SIZE, NPT_PROT_R | NPT_PROT_W,
				      NPT_MT_WB, 0, &res), 0);

	/* HLVX.WU on a readable, non-executable leaf. */
	npt_access(c->l.t, g_r + 8, NPT_ACC_HLVX, &r);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_PERMISSION);
	trapped = rv_access(c, NPT_ACC_HLVX, g_r + 8, &val, &trap);
	if (!trapped && (u32)val == *(u32 *)(c->l.va[0] + 8))
		kunit_info(test, "deviation (QEMU 7.2): HLVX.WU read a leaf without X (npt, spec: load guest-page fault %llu)\n",
			   r.syndrome);
	else if (trapped && trap.scause == r.syndrome && trap.htval == r.addr)
		kunit_info(test, "the HLVX deviation is gone: HLVX.WU faults on a leaf without X\n");
	else
		KUNIT_FAIL(test, "HLVX.WU without X: CPU %s scause %lu",
			   trapped ? "fault" : "no fault", trap.scause);

	/* HLVX.WU on an execute-only leaf. */
	npt_access(c->l.t, g_x + 8, NPT_ACC_HLVX, &r);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
	trapped = rv_access(c, NPT_ACC_HLVX, g_x + 8, &val, &trap);
	if (trapped && trap.scause == RV_SCAUSE_LOAD_GPF &&
	    trap.htval == (g_x + 8) >> 2)
		kunit_info(test, "deviation (QEMU 7.2): HLVX.WU faulted (scause %lu) on an execute-only leaf (npt, spec: it reads)\n",
			   trap.scause);
	else if (!trapped && (u32)val == *(u32 *)(c->l.va[0] + 0x1008))
		kunit_info(test, "the HLVX deviation is gone: HLVX.WU reads an execute-only leaf\n");
	else
		KUNIT_FAIL(test, "HLVX.WU on execute-only: CPU %s scause %lu",
			   trapped ? "fault" : "no fault", trap.scause);
	/* A plain load of an execute-only leaf faults everywhere. */
	rv_check(c, NPT_ACC_READ, g_x + 16);

	/* The second root page (indices 512-1023) works. */
	rv_check(c, NPT_ACC_READ, g_mid + 0x20);
	rv_check(c, NPT_ACC_WRITE, g_mid + 0x28);

	/* The upper half of the x4 space. */
	npt_access(c->l.t, g_hi + 0x30, NPT_ACC_READ, &r);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
	trapped = rv_access(c, NPT_ACC_READ, g_hi + 0x30, &val, &trap);
	if (trapped && trap.scause == RV_SCAUSE_LOAD_GPF)
		kunit_info(test, "deviation (QEMU 7.2): %s GPA %#llx (bit %u set, root index %llu) faults (htval %#lx): the upper half is taken as needing sign extension\n",
			   f->description, g_hi + 0x30,
			   npt_ia_bits(c->l.t) - 1,
			   (g_hi >> npt_lvl_shift(npt_levels(c->l.t) - 1)),
			   trap.htval);
	else if (!trapped && val == *(u64 *)(c->l.va[0] + 0x2030))
		kunit_info(test, "the upper-half deviation is gone: %s GPA %#llx translates\n",
			   f->description, g_hi + 0x30);
	else
		KUNIT_FAIL(test, "upper half: CPU %s scause %lu",
			   trapped ? "fault" : "no fault", trap.scause);

	/* Its sign-extended form is beyond the input range. */
	g_ext = g_hi | ~(upper | (upper - 1));
	npt_access(c->l.t, g_ext + 0x30, NPT_ACC_READ, &r);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_INPUT_RANGE);
	trapped = rv_access(c, NPT_ACC_READ, g_ext + 0x30, &val, &trap);
	if (!trapped)
		kunit_info(test, "deviation (QEMU 7.2): sign-extended GPA %#llx translates (read %#llx) instead of a guest-page fault\n",
			   g_ext + 0x30, val);
	else if (trap.scause == r.syndrome && trap.htval == r.addr)
		kunit_info(test, "sign-extended GPA %#llx faults as the spec says\n",
			   g_ext + 0x30);
	else
		KUNIT_FAIL(test, "sign-extended GPA: scause %lu htval %#lx, npt %llu %#llx",
			   trap.scause, trap.htval, r.syndrome, r.addr);

	KUNIT_EXPECT_EQ(test, c->mismatches, 0);
	KUNIT_EXPECT_EQ(test, hw_check_patterns(&c->l), 0);
	kunit_info(test, "execute permission: not checked here (no VS-mode instruction fetch; HLVX deviates); X encodings are covered by the golden-encoding tests\n");
}

static struct kunit_case npt_hw_riscv_cases[] = {
	KUNIT_CASE_PARAM(hw_rv_random, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_w_no_r, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_bad_entries, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_ad, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_age, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_flush, rv_fmt_gen_params),
	KUNIT_CASE_PARAM(hw_rv_deviations, rv_fmt_gen_params),
	{}
};

static struct kunit_suite npt_hw_riscv_suite = {
	.name = "npt_hw_riscv",
	.test_cases = npt_hw_riscv_cases,
};

kunit_test_suite(npt_hw_riscv_suite);

MODULE_DESCRIPTION("npt: G-stage tables checked by the CPU's walker");
MODULE_LICENSE("GPL");
