// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite npt_stage2: Arm VMSAv8-64 stage 2, 4 KiB granule.  Golden
 * descriptors with values from the Arm ARM (D8, "Stage 2 translation"),
 * checked on arm64 against KVM's KVM_PTE_LEAF_ATTR_* and MT_S2_* too;
 * VTTBR_EL2 / VTCR_EL2 for every IPA size; concatenated roots;
 * break-before-make; rejected attributes; validate() verdicts; and the
 * conformance cases for each configuration.
 */

#include <kunit/test.h>
#include "npt_kunit.h"

#ifdef CONFIG_ARM64
#include <linux/bitfield.h>
#include <asm/kvm_arm.h>
#include <asm/kvm_pgtable.h>
#include <asm/memory.h>
#include <asm/pgtable-hwdef.h>
#endif

#define R	NPT_PROT_R
#define W	NPT_PROT_W
#define X	NPT_PROT_X

/*
 * An entry between break and make: invalid (bit 0 clear, every other bit
 * ignored by the walker), with bit 10 set so that lockless lookups wait.
 */
#define S2_KT_BREAK	0x400ULL

static const struct npt_kt_cfg s2_cfgs[] = {
	{ .desc = "ipa32", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 32,
	  .oa_bits = 48, .levels = 2, .root_pages = 4, .leaf_lvls = 0x7 },
	{ .desc = "ipa36", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 36,
	  .oa_bits = 48, .levels = 3, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ipa40", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 40,
	  .oa_bits = 48, .levels = 3, .root_pages = 2, .leaf_lvls = 0x7 },
	{ .desc = "ipa43", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 43,
	  .oa_bits = 44, .levels = 3, .root_pages = 16, .leaf_lvls = 0x7 },
	{ .desc = "ipa44", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 44,
	  .oa_bits = 48, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ipa48-fwb-ha", .format = NPT_FORMAT_ARM64_S2,
	  .options = NPT_OPT_S2_FWB | NPT_OPT_S2_HA, .ia_bits = 48,
	  .oa_bits = 48, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
};

KUNIT_ARRAY_PARAM_DESC(s2_cfg, s2_cfgs, desc);

static const struct npt_kt_cfg s2_40 = {
	.desc = "ipa40", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 40,
	.oa_bits = 48, .levels = 3, .root_pages = 2, .leaf_lvls = 0x7,
};

static struct npt_kt_cfg s2_with(u32 options)
{
	struct npt_kt_cfg cfg = s2_40;

	cfg.options = options;
	return cfg;
}

/*
 * Bits 1:0 0b11 page / 0b01 block, 5:2 MemAttr, 7:6 S2AP, 9:8 SH, 10 AF,
 * 54 XN.
 */
struct s2_golden {
	const char *desc;
	u32 options;
	int lvl;
	u32 prot;
	u32 attr;
	u32 flags;
	u64 hpa;
	u64 pte;
};

static const struct s2_golden s2_goldens[] = {
	{ "page RW Normal-WB", 0, 0, R | W, NPT_MT_WB, 0, 0x123456000,
	  0x00400001234567ffULL },
	{ "page RWX Normal-WB", 0, 0, R | W | X, NPT_MT_WB, 0, 0x123456000,
	  0x00000001234567ffULL },
	{ "page R Normal-WB", 0, 0, R, NPT_MT_WB, 0, 0x123456000,
	  0x004000012345677fULL },
	{ "page RX Normal-WB", 0, 0, R | X, NPT_MT_WB, 0, 0x123456000,
	  0x000000012345677fULL },
	{ "page W (S2AP 10) Normal-WB", 0, 0, W, NPT_MT_WB, 0, 0x123456000,
	  0x00400001234567bfULL },
	{ "page X only Normal-WB", 0, 0, X, NPT_MT_WB, 0, 0x123456000,
	  0x000000012345673fULL },
	{ "page RW Normal-NC", 0, 0, R | W, NPT_MT_NC, 0, 0x123456000,
	  0x00400001234567d7ULL },
	{ "page RW Device-nGnRE", 0, 0, R | W, NPT_MT_DEVICE, 0, 0x123456000,
	  0x00400001234567c7ULL },
	{ "2M block RWX Normal-WB", 0, 1, R | W | X, NPT_MT_WB, 0,
	  0x1234600000, 0x00000012346007fdULL },
	{ "2M block RW Device-nGnRE", 0, 1, R | W, NPT_MT_DEVICE, 0,
	  0x1234600000, 0x00400012346007c5ULL },
	{ "1G block RW Normal-WB", 0, 2, R | W, NPT_MT_WB, 0, 0x3c0000000,
	  0x00400003c00007fdULL },
	{ "page RW Normal-WB, AF clear", 0, 0, R | W, NPT_MT_WB, NPT_OP_OLD,
	  0x123456000, 0x00400001234563ffULL },
	{ "page RW Normal-WB FWB", NPT_OPT_S2_FWB, 0, R | W, NPT_MT_WB, 0,
	  0x123456000, 0x00400001234567dbULL },
	{ "page RWX Normal-WB FWB", NPT_OPT_S2_FWB, 0, R | W | X, NPT_MT_WB, 0,
	  0x123456000, 0x00000001234567dbULL },
	{ "page RW Normal-NC FWB", NPT_OPT_S2_FWB, 0, R | W, NPT_MT_NC, 0,
	  0x123456000, 0x00400001234567d7ULL },
	{ "page RW Device-nGnRE FWB", NPT_OPT_S2_FWB, 0, R | W, NPT_MT_DEVICE,
	  0, 0x123456000, 0x00400001234567c7ULL },
	{ "page RW last 48-bit page", 0, 0, R | W, NPT_MT_WB, 0,
	  0xfffffffff000ULL, 0x0040fffffffff7ffULL },
	{ "1G block R last 48-bit block", 0, 2, R, NPT_MT_WB, 0,
	  0xffffc0000000ULL, 0x0040ffffc000077dULL },
};

KUNIT_ARRAY_PARAM_DESC(s2_golden, s2_goldens, desc);

static void npt_s2_golden_leaf(struct kunit *test)
{
	const struct s2_golden *g = test->param_value;
	struct npt_kt_cfg cfg = s2_with(g->options);
	u64 size = npt_lvl_size(g->lvl);
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_table *t;

	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &cfg,
					  5 * size, g->hpa, size, g->prot,
					  g->attr, g->flags), g->pte);
	/* A 4-level table writes the same, and decodes it back. */
	cfg.ia_bits = 48;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, 9 * size, g->hpa, size, g->prot,
				      g->attr, g->flags, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, 9 * size + size - 1, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.pte, g->pte);
	KUNIT_EXPECT_EQ(test, tr.hpa, g->hpa + size - 1);
	KUNIT_EXPECT_EQ(test, tr.lvl, g->lvl);
	KUNIT_EXPECT_EQ(test, tr.prot, g->prot);
	KUNIT_EXPECT_EQ(test, tr.attr, g->attr);
}

/* Table descriptors: next-level address, bits 1:0 = 0b11, nothing else. */
static void npt_s2_golden_table(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = 0x123456789000ULL & (BIT_ULL(cfg->ia_bits) - 1);
	struct npt_op_result res;
	int lvl;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x5000, SZ_4K_ULL, R, NPT_MT_WB,
				      0, &res), 0);
	for (lvl = cfg->levels - 1; lvl > 0; lvl--) {
		npt_pte_t e = *npt_kt_ptep(t, g, lvl);
		u64 pa = e & GENMASK_ULL(47, 12);	/* table address */

		KUNIT_EXPECT_EQ_MSG(test, e, pa | 0x3, "level %d", lvl);
		KUNIT_EXPECT_TRUE_MSG(test, npt_kt_handed_out(env, pa),
				      "level %d: %#llx", lvl, pa);
		KUNIT_EXPECT_EQ(test, npt_kt_pa(t, npt_kt_ptep(t, g, lvl - 1)) &
				~0xfffULL, pa);
	}
	/* The page: R, Normal-WB (MemAttr 0b0110 with FWB), XN. */
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, 0),
			cfg->options & NPT_OPT_S2_FWB ? 0x004000000000575bULL :
							0x004000000000577fULL);
}

struct s2_vtcr {
	const char *desc;
	u32 ia_bits;
	u32 oa_bits;
	u32 levels;
	u32 root_pages;
	u64 vtcr;
};

/*
 * VTCR_EL2: T0SZ = 64 - IPA bits, SL0 (4K: 0 = level 2, 1 = level 1,
 * 2 = level 0), IRGN0 = ORGN0 = 01, SH0 = 11, TG0 = 00, PS, RES1 bit 31.
 * The root concatenates up to 16 tables at the start level.
 */
static const struct s2_vtcr s2_vtcrs[] = {
	{ "ipa32", 32, 48, 2, 4, 0x80053520 },
	{ "ipa33", 33, 48, 2, 8, 0x8005351f },
	{ "ipa34", 34, 48, 2, 16, 0x8005351e },
	{ "ipa35", 35, 48, 3, 1, 0x8005355d },
	{ "ipa36", 36, 48, 3, 1, 0x8005355c },
	{ "ipa37", 37, 48, 3, 1, 0x8005355b },
	{ "ipa38", 38, 48, 3, 1, 0x8005355a },
	{ "ipa39", 39, 48, 3, 1, 0x80053559 },
	{ "ipa40", 40, 48, 3, 2, 0x80053558 },
	{ "ipa41", 41, 48, 3, 4, 0x80053557 },
	{ "ipa42", 42, 48, 3, 8, 0x80053556 },
	{ "ipa43", 43, 48, 3, 16, 0x80053555 },
	{ "ipa44", 44, 48, 4, 1, 0x80053594 },
	{ "ipa45", 45, 48, 4, 1, 0x80053593 },
	{ "ipa46", 46, 48, 4, 1, 0x80053592 },
	{ "ipa47", 47, 48, 4, 1, 0x80053591 },
	{ "ipa48", 48, 48, 4, 1, 0x80053590 },
	{ "ipa40 pa32", 40, 32, 3, 2, 0x80003558 },
	{ "ipa40 pa36", 40, 36, 3, 2, 0x80013558 },
	{ "ipa40 pa40", 40, 40, 3, 2, 0x80023558 },
	{ "ipa40 pa42", 40, 42, 3, 2, 0x80033558 },
	{ "ipa40 pa44", 40, 44, 3, 2, 0x80043558 },
	{ "ipa32 pa32", 32, 32, 2, 4, 0x80003520 },
};

KUNIT_ARRAY_PARAM_DESC(s2_vtcr, s2_vtcrs, desc);

static void npt_s2_vtcr(struct kunit *test)
{
	const struct s2_vtcr *v = test->param_value;
	struct npt_kt_cfg cfg = s2_40;
	struct npt_root_regs regs;
	struct npt_table *t;

	cfg.ia_bits = v->ia_bits;
	cfg.oa_bits = v->oa_bits;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.ctrl, v->vtcr);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t));
	KUNIT_EXPECT_EQ(test, npt_levels(t), v->levels);
	KUNIT_EXPECT_EQ(test, npt_root_pages(t), v->root_pages);
	/* The concatenated root is aligned to its size (BADDR). */
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(npt_root_pa(t),
					   v->root_pages * SZ_4K_ULL));
}

/* VTTBR_EL2.VMID in bits 63:48; 16-bit VMIDs set VTCR_EL2.VS; HA. */
static void npt_s2_vttbr(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_kt_cfg cfg = s2_40;
	struct npt_root_regs regs;
	struct npt_table *t;

	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0xab, &t), 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | 0x00ab000000000000ULL);
	KUNIT_EXPECT_EQ(test, regs.ctrl, 0x80053558);
	npt_table_destroy(t);
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0xfedc, &t), 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | 0xfedc000000000000ULL);
	KUNIT_EXPECT_EQ(test, regs.ctrl, 0x800d3558);
	npt_table_destroy(t);
	cfg.options = NPT_OPT_S2_HA;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 1, &t), 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | BIT_ULL(48));
	KUNIT_EXPECT_EQ(test, regs.ctrl, 0x80253558);
	npt_table_destroy(t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* A 1 GiB block at index 600 of a 40-bit root: page 1, word 88. */
static void npt_s2_concat_root(struct kunit *test)
{
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &s2_40, 0);
	u64 *page1 = npt_kt_va(t, npt_root_pa(t) + SZ_4K_ULL);
	u64 *page0 = npt_kt_va(t, npt_root_pa(t));
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, 600 * SZ_1G_ULL, 0x3c0000000,
				      SZ_1G_ULL, R | W, NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, page1[88], 0x00400003c00007fdULL);
	KUNIT_EXPECT_EQ(test, page0[88], 0);
	/* The last IPA of the 40-bit space: page 1, word 511. */
	KUNIT_ASSERT_EQ(test, npt_map(t, BIT_ULL(40) - SZ_1G_ULL, 0x40000000,
				      SZ_1G_ULL, R | W | X, NPT_MT_WB, 0, &res),
			0);
	KUNIT_EXPECT_EQ(test, page1[511], 0x00000000400007fdULL);
	KUNIT_ASSERT_EQ(test, npt_map(t, 511 * SZ_1G_ULL, 0x40000000,
				      SZ_1G_ULL, R | W | X, NPT_MT_WB, 0, &res),
			0);
	KUNIT_EXPECT_EQ(test, page0[511], 0x00000000400007fdULL);
	KUNIT_EXPECT_EQ(test, page1[0], 0);
}

/* Find the first recorded flush; -1 if none. */
static int s2_first_flush(const struct npt_kt_env *env, unsigned int from)
{
	unsigned int i;

	for (i = from; i < env->nr_ev; i++)
		if (env->ev[i].kind == NPT_KT_EV_FLUSH)
			return i;
	return -1;
}

/*
 * Changing the output address or memory type of a live entry: break
 * (write an invalid entry), flush the old translation, make (write the new
 * entry).
 */
static void npt_s2_bbm_replace(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &s2_40, 0);
	u64 g = SZ_1G_ULL + 5 * SZ_4K_ULL;
	struct npt_op_result res;
	npt_pte_t *ptep;
	int i;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x123456000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	ptep = npt_kt_ptep(t, g, 0);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x777777000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, NPT_OP_REPLACE, &res), 0);
	KUNIT_ASSERT_EQ(test, env->nr_ev, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].kind, NPT_KT_EV_FLUSH);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, S2_KT_BREAK);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.nr, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].gpa, g);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].size, SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].lvl, 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0x00400007777777ffULL);

	/* Normal-WB to Device: MemAttr changes, so break-before-make too. */
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_protect(t, g, SZ_4K_ULL, R | W,
					  NPT_MT_DEVICE, 0, &res), 0);
	i = s2_first_flush(env, 0);
	KUNIT_ASSERT_EQ(test, i, 0);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, S2_KT_BREAK);
	KUNIT_EXPECT_EQ(test, *ptep, 0x00400007777777c7ULL);

	/* A 2 MiB block replaced by another. */
	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0x40000000, SZ_2M_ULL, R,
				      NPT_MT_WB, 0, &res), 0);
	ptep = npt_kt_ptep(t, 0, 1);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0x40200000, SZ_2M_ULL, R,
				      NPT_MT_WB, NPT_OP_REPLACE, &res), 0);
	KUNIT_ASSERT_EQ(test, env->nr_ev, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, S2_KT_BREAK);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].lvl, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].size, SZ_2M_ULL);
	KUNIT_EXPECT_EQ(test, *ptep, 0x004000004020077dULL);
}

/* Splitting a live block: break, flush, then the table is made. */
static void npt_s2_bbm_split(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &s2_40, 0);
	u64 g = 3 * SZ_2M_ULL;
	struct npt_op_result res;
	npt_pte_t *ptep;
	int i;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x40000000, SZ_2M_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	ptep = npt_kt_ptep(t, g, 1);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g + SZ_4K_ULL, SZ_4K_ULL, 0, &res),
			0);
	i = s2_first_flush(env, 0);
	KUNIT_ASSERT_EQ(test, i, 0);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, S2_KT_BREAK);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].gpa, g);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].size, SZ_2M_ULL);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].lvl, 1);
	/* The break took a block, a leaf: its level is a good hint. */
	KUNIT_EXPECT_FALSE(test, env->ev[0].plan.tables);
	/* Then the unmapped page's flush, with the table already made. */
	i = s2_first_flush(env, 1);
	KUNIT_ASSERT_EQ(test, i, 1);
	KUNIT_EXPECT_EQ(test, env->ev[1].watched & 0x3, 0x3);
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&env->ev[1].plan,
						   g + SZ_4K_ULL, SZ_4K_ULL));
	KUNIT_EXPECT_EQ(test, env->nr_ev, 2);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, 0), 0x00400000400007ffULL);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g + 2 * SZ_4K_ULL, 0),
			0x00400000400027ffULL);
}

/* Permissions may change in place: one flush, after the new value. */
static void npt_s2_perm_in_place(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &s2_40, 0);
	struct npt_op_result res;
	npt_pte_t *ptep;

	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0x123456000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	ptep = npt_kt_ptep(t, 0, 0);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, R | X, NPT_MT_WB, 0,
					  &res), 0);
	KUNIT_ASSERT_EQ(test, env->nr_ev, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, 0x000000012345677fULL);
	KUNIT_EXPECT_EQ(test, *ptep, 0x000000012345677fULL);
}

/* Filling an invalid entry needs no TLB maintenance. */
static void npt_s2_no_flush_new(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &s2_40, 0);
	struct npt_op_result res;

	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_1G_ULL, 0x40000000, 3 * SZ_1G_ULL,
				      R | W, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, 5 * SZ_4K_ULL, 0x5000, SZ_4K_ULL, R,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
	KUNIT_EXPECT_EQ(test, res.plan.nr, 0);
}

/* Collapse: break the table entry, flush, make the block, free later. */
static void npt_s2_collapse_bbm(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &s2_40, 0);
	struct npt_op_result res;
	unsigned int i, freed = 0;
	npt_pte_t *ptep;
	void *child;

	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_2M_ULL, 0x40200000, SZ_2M_ULL,
				      R | W, NPT_MT_WB, NPT_OP_NO_BLOCKS, &res),
			0);
	ptep = npt_kt_ptep(t, SZ_2M_ULL, 1);
	child = npt_kt_ptep(t, SZ_2M_ULL, 0);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_collapse(t, 0, SZ_1G_ULL, &res), 0);
	KUNIT_ASSERT_GE(test, env->nr_ev, 2);
	KUNIT_EXPECT_EQ(test, env->ev[0].kind, NPT_KT_EV_FLUSH);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, S2_KT_BREAK);
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&env->ev[0].plan,
						   SZ_2M_ULL, SZ_2M_ULL));
	/* The break took a table entry: no TTL hint may narrow the TLBI. */
	KUNIT_EXPECT_TRUE(test, env->ev[0].plan.tables);
	KUNIT_EXPECT_TRUE(test, res.plan.tables);
	for (i = 1; i < env->nr_ev; i++) {
		if (env->ev[i].kind != NPT_KT_EV_FREE)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, env->ev[i].va, child);
		KUNIT_EXPECT_EQ(test, env->ev[i].watched, 0x00400000402007fdULL);
		freed++;
	}
	KUNIT_EXPECT_EQ(test, freed, 1);
	KUNIT_EXPECT_EQ(test, *ptep, 0x00400000402007fdULL);
}

struct s2_reject {
	const char *desc;
	u32 options;
	u32 prot;
	u32 attr;
};

static const struct s2_reject s2_rejects[] = {
	{ "X on Device", 0, R | X, NPT_MT_DEVICE },
	{ "X only on Device", 0, X, NPT_MT_DEVICE },
	{ "X on Normal-NC", 0, R | W | X, NPT_MT_NC },
	{ "X on Device FWB", NPT_OPT_S2_FWB, R | X, NPT_MT_DEVICE },
	{ "X on Normal-NC FWB", NPT_OPT_S2_FWB, X, NPT_MT_NC },
	{ "EPT WT", 0, R, NPT_MT_WT },
	{ "EPT WP", 0, R, NPT_MT_WP },
	{ "EPT IPAT", 0, R, NPT_MT_WB | NPT_ATTR_IPAT },
	{ "EPT user execute", 0, R | NPT_PROT_UX, NPT_MT_WB },
};

KUNIT_ARRAY_PARAM_DESC(s2_reject, s2_rejects, desc);

static void npt_s2_reject(struct kunit *test)
{
	const struct s2_reject *r = test->param_value;
	struct npt_kt_cfg cfg = s2_with(r->options);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &cfg, 0);
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0, SZ_2M_ULL, R, NPT_MT_DEVICE, 0,
				      &res), 0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_map(t, SZ_1G_ULL, 0, SZ_4K_ULL, r->prot,
				      r->attr, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_map(t, 0, 0, SZ_2M_ULL, r->prot, r->attr,
				      NPT_OP_REPLACE, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, r->prot, r->attr,
					  0, &res), -EINVAL);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

static void npt_s2_create(struct kunit *test)
{
	static const u32 ok_pa[] = { 32, 36, 40, 42, 44, 48 };
	static const u32 bad_pa[] = { 31, 34, 38, 46, 47, 49, 52 };
	static const u32 foreign[] = {
		NPT_OPT_EPT_AD, NPT_OPT_EPT_XO, NPT_OPT_EPT_MBEC,
		NPT_OPT_RV_SVPBMT, NPT_OPT_RV_HWAD,
	};
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_kt_cfg cfg = s2_40;
	struct npt_table *t;
	unsigned int i;

	cfg.ia_bits = 0;
	cfg.oa_bits = 0;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), 40);
	KUNIT_EXPECT_EQ(test, npt_oa_bits(t), 48);
	KUNIT_EXPECT_EQ(test, npt_root_pages(t), 2);
	npt_table_destroy(t);
	for (i = 0; i < ARRAY_SIZE(ok_pa); i++) {
		cfg.oa_bits = ok_pa[i];
		KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
		npt_table_destroy(t);
	}
	for (i = 0; i < ARRAY_SIZE(bad_pa); i++) {
		cfg.oa_bits = bad_pa[i];
		KUNIT_EXPECT_EQ_MSG(test, npt_kt_try_create(env, &cfg, 0, 0, &t),
				    -EINVAL, "PA %u", bad_pa[i]);
	}
	cfg = s2_40;
	cfg.ia_bits = 31;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg.ia_bits = 49;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &s2_40, 0, 0x10000, &t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &s2_40, 0, 0xffff, &t), 0);
	npt_table_destroy(t);
	for (i = 0; i < ARRAY_SIZE(foreign); i++) {
		cfg = s2_with(foreign[i]);
		KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t),
				-EINVAL);
	}
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

struct s2_verdict {
	const char *desc;
	u32 oa_bits;
	int lvl;
	npt_pte_t pte;
	enum npt_bad bad;
};

static const struct s2_verdict s2_verdicts[] = {
	{ "invalid", 48, 0, 0x0, NPT_BAD_NONE },
	{ "invalid with software bits", 48, 0, 0x7fe, NPT_BAD_NONE },
	{ "page RW WB", 48, 0, 0x00400001234567ffULL, NPT_BAD_NONE },
	{ "0b01 at level 3", 48, 0, 0x00400001234567fdULL, NPT_BAD_LEVEL },
	{ "block at level 0", 48, 3, 0x00400080000007fdULL, NPT_BAD_LEVEL },
	{ "table at level 0", 48, 3, 0x0000000123456003ULL, NPT_BAD_NONE },
	{ "RES0 bit 48", 48, 0, 0x00410001234567ffULL, NPT_BAD_RSVD },
	{ "RES0 bit 50 in a table", 48, 2, 0x0004000123456003ULL,
	  NPT_BAD_RSVD },
	{ "OA bit 45 beyond PA 40", 40, 0, 0x00402001234567ffULL,
	  NPT_BAD_OA },
	{ "table OA bit 44 beyond PA 40", 40, 2, 0x0000100000001003ULL,
	  NPT_BAD_OA },
	{ "OA bit 39 within PA 40", 40, 0, 0x00400081234567ffULL,
	  NPT_BAD_NONE },
	{ "bit 11 (FnXS) set", 48, 0, 0x0040000123456fffULL, NPT_BAD_RSVD },
	{ "SH 01", 48, 0, 0x00400001234565ffULL, NPT_BAD_RSVD },
	{ "SH 00 (non-shareable)", 48, 0, 0x00400001234564ffULL,
	  NPT_BAD_NONE },
	{ "2M block at 4K", 48, 1, 0x00400012346017fdULL, NPT_BAD_ALIGN },
	{ "1G block at 2M", 48, 2, 0x00400000402007fdULL, NPT_BAD_ALIGN },
	{ "1G block aligned", 48, 2, 0x00400000400007fdULL, NPT_BAD_NONE },
	{ "Normal, inner MemAttr 00", 48, 0, 0x00400001234567f3ULL,
	  NPT_BAD_MEMTYPE },
	{ "Device-nGnRnE", 48, 0, 0x00400001234567c3ULL, NPT_BAD_NONE },
};

KUNIT_ARRAY_PARAM_DESC(s2_verdict, s2_verdicts, desc);

static void npt_s2_validate(struct kunit *test)
{
	const struct s2_verdict *v = test->param_value;
	struct npt_kt_cfg cfg = s2_40;
	struct npt_table *t;

	cfg.ia_bits = 48;
	cfg.oa_bits = v->oa_bits;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	KUNIT_EXPECT_EQ(test, npt_validate(t, v->pte, v->lvl), v->bad);
}

#ifdef CONFIG_ARM64
/* The same descriptors and registers from KVM's definitions. */
static void npt_s2_kernel_defs(struct kunit *test)
{
	struct npt_kt_cfg fwb = s2_with(NPT_OPT_S2_FWB);
	npt_pte_t common = KVM_PTE_VALID | BIT(1) |
			   FIELD_PREP(KVM_PTE_LEAF_ATTR_LO_S2_SH,
				      KVM_PTE_LEAF_ATTR_LO_S2_SH_IS) |
			   KVM_PTE_LEAF_ATTR_LO_S2_AF;
	struct npt_root_regs regs;
	u64 hpa = 0x123456000;
	struct npt_table *t;

	KUNIT_EXPECT_EQ(test, hpa & KVM_PTE_ADDR_MASK, hpa);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &s2_40, 0,
					  hpa, SZ_4K_ULL, R | W, NPT_MT_WB, 0),
			hpa | common | PTE_S2_MEMATTR(MT_S2_NORMAL) |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_W |
			KVM_PTE_LEAF_ATTR_HI_S2_XN);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &s2_40, 0,
					  hpa, SZ_4K_ULL, R | X, NPT_MT_WB, 0),
			hpa | common | PTE_S2_MEMATTR(MT_S2_NORMAL) |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &s2_40, 0,
					  hpa, SZ_4K_ULL, R | W, NPT_MT_NC, 0),
			hpa | common | PTE_S2_MEMATTR(MT_S2_NORMAL_NC) |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_W |
			KVM_PTE_LEAF_ATTR_HI_S2_XN);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &fwb, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_WB, 0),
			hpa | common | PTE_S2_MEMATTR(MT_S2_FWB_NORMAL) |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R |
			KVM_PTE_LEAF_ATTR_HI_S2_XN);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &fwb, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_NC, 0),
			hpa | common | PTE_S2_MEMATTR(MT_S2_FWB_NORMAL_NC) |
			KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R |
			KVM_PTE_LEAF_ATTR_HI_S2_XN);

	t = npt_kt_create(test, npt_kt_env(test), &s2_40, 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.ctrl,
			VTCR_EL2_T0SZ(40) | (1 << VTCR_EL2_SL0_SHIFT) |
			VTCR_EL2_COMMON_BITS | VTCR_EL2_TG0_4K |
			(5ULL << VTCR_EL2_PS_SHIFT) | VTCR_EL2_RES1);
	KUNIT_EXPECT_EQ(test, regs.root & ~VTTBR_VMID_MASK(16),
			npt_root_pa(t));
}
#endif

static struct kunit_case npt_stage2_cases[] = {
	KUNIT_CASE_PARAM(npt_s2_golden_leaf, s2_golden_gen_params),
	KUNIT_CASE_PARAM(npt_s2_golden_table, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_s2_vtcr, s2_vtcr_gen_params),
	KUNIT_CASE(npt_s2_vttbr),
	KUNIT_CASE(npt_s2_concat_root),
	KUNIT_CASE(npt_s2_bbm_replace),
	KUNIT_CASE(npt_s2_bbm_split),
	KUNIT_CASE(npt_s2_perm_in_place),
	KUNIT_CASE(npt_s2_no_flush_new),
	KUNIT_CASE(npt_s2_collapse_bbm),
	KUNIT_CASE_PARAM(npt_s2_reject, s2_reject_gen_params),
	KUNIT_CASE(npt_s2_create),
	KUNIT_CASE_PARAM(npt_s2_validate, s2_verdict_gen_params),
#ifdef CONFIG_ARM64
	KUNIT_CASE(npt_s2_kernel_defs),
#endif
	KUNIT_CASE_PARAM(npt_conf_geometry, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_map_levels, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_offset, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_many, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_largest_fit, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_no_blocks, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_boundaries, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_range_errors, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_bad_args, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_leaf_combos, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_exist_replace, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_unmap, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_protect, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse_refused, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_unmap_frees, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_protect_holes, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_enospc, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_create, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_map, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_split, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_flush_before_free, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_plan_overflow, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_root_index, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_walk_gpa, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_full_hint, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_random, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_map, s2_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_error, s2_cfg_gen_params),
	{}
};

static struct kunit_suite npt_stage2_suite = {
	.name = "npt_stage2",
	.test_cases = npt_stage2_cases,
};

kunit_test_suite(npt_stage2_suite);
