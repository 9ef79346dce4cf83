// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite npt_sv39: RISC-V G-stage Sv39x4 and Sv48x4.  Golden entries
 * with values from the privileged spec ("Hypervisor Extension",
 * "Two-Stage Address Translation"), checked on riscv against the kernel's
 * _PAGE_* and HGATP_* too; hgatp; the 16 KiB wide root; flushes after new
 * leaves; rejected permissions; validate() verdicts; and the conformance
 * cases for each configuration.
 */

#include <kunit/test.h>
#include "npt_kunit.h"

#ifdef CONFIG_RISCV
#include <asm/csr.h>
#include <asm/pgtable.h>
#include <asm/pgtable-bits.h>
#endif

#define R	NPT_PROT_R
#define W	NPT_PROT_W
#define X	NPT_PROT_X

static const struct npt_kt_cfg sv_cfgs[] = {
	{ .desc = "sv39x4", .format = NPT_FORMAT_SV39X4, .ia_bits = 41,
	  .oa_bits = 56, .levels = 3, .root_pages = 4, .leaf_lvls = 0x7 },
	{ .desc = "sv39x4-svpbmt-svadu-pa44", .format = NPT_FORMAT_SV39X4,
	  .options = NPT_OPT_RV_SVPBMT | NPT_OPT_RV_HWAD, .ia_bits = 41,
	  .oa_bits = 44, .levels = 3, .root_pages = 4, .leaf_lvls = 0x7 },
	{ .desc = "sv48x4", .format = NPT_FORMAT_SV48X4, .ia_bits = 50,
	  .oa_bits = 56, .levels = 4, .root_pages = 4, .leaf_lvls = 0xf },
};

KUNIT_ARRAY_PARAM_DESC(sv_cfg, sv_cfgs, desc);

static const struct npt_kt_cfg sv39 = {
	.desc = "sv39x4", .format = NPT_FORMAT_SV39X4, .ia_bits = 41,
	.oa_bits = 56, .levels = 3, .root_pages = 4, .leaf_lvls = 0x7,
};

static struct npt_kt_cfg sv_with(u32 format, u32 options)
{
	struct npt_kt_cfg cfg = sv39;

	cfg.format = format;
	cfg.ia_bits = format == NPT_FORMAT_SV48X4 ? 50 : 41;
	cfg.options = options;
	return cfg;
}

/*
 * Bit 0 V, 1 R, 2 W, 3 X, 4 U (set in every G-stage leaf), 5 G (0),
 * 6 A, 7 D, 53:10 PPN, 62:61 PBMT.
 */
struct sv_golden {
	const char *desc;
	u32 format;
	u32 options;
	int lvl;
	u32 prot;
	u32 attr;
	u32 flags;
	u64 hpa;
	u64 pte;
};

static const struct sv_golden sv_goldens[] = {
	{ "4K R", NPT_FORMAT_SV39X4, 0, 0, R, NPT_MT_WB, 0, 0x80201000,
	  0x20080453 },
	{ "4K RW", NPT_FORMAT_SV39X4, 0, 0, R | W, NPT_MT_WB, 0, 0x80201000,
	  0x200804d7 },
	{ "4K RWX", NPT_FORMAT_SV39X4, 0, 0, R | W | X, NPT_MT_WB, 0,
	  0x80201000, 0x200804df },
	{ "4K RX", NPT_FORMAT_SV39X4, 0, 0, R | X, NPT_MT_WB, 0, 0x80201000,
	  0x2008045b },
	{ "4K X only", NPT_FORMAT_SV39X4, 0, 0, X, NPT_MT_WB, 0, 0x80201000,
	  0x20080459 },
	{ "2M RW", NPT_FORMAT_SV39X4, 0, 1, R | W, NPT_MT_WB, 0, 0x80200000,
	  0x200800d7 },
	{ "1G RWX", NPT_FORMAT_SV39X4, 0, 2, R | W | X, NPT_MT_WB, 0,
	  0xc0000000, 0x300000df },
	{ "1G R, A and D clear", NPT_FORMAT_SV39X4, 0, 2, R, NPT_MT_WB,
	  NPT_OP_OLD, 0x40000000, 0x10000013 },
	{ "4K RW, A and D clear", NPT_FORMAT_SV39X4, 0, 0, R | W, NPT_MT_WB,
	  NPT_OP_OLD, 0x80201000, 0x20080417 },
	{ "4K RW Svpbmt NC", NPT_FORMAT_SV39X4, NPT_OPT_RV_SVPBMT, 0, R | W,
	  NPT_MT_NC, 0, 0x80201000, 0x20000000200804d7ULL },
	{ "4K RW Svpbmt IO", NPT_FORMAT_SV39X4, NPT_OPT_RV_SVPBMT, 0, R | W,
	  NPT_MT_DEVICE, 0, 0x80201000, 0x40000000200804d7ULL },
	{ "4K RW last 56-bit page", NPT_FORMAT_SV39X4, 0, 0, R | W, NPT_MT_WB,
	  0, 0xfffffffffff000ULL, 0x3ffffffffffcd7ULL },
	{ "4K RW Sv48x4", NPT_FORMAT_SV48X4, 0, 0, R | W, NPT_MT_WB, 0,
	  0x80201000, 0x200804d7 },
	{ "1G RW Sv48x4", NPT_FORMAT_SV48X4, 0, 2, R | W, NPT_MT_WB, 0,
	  0xc0000000, 0x300000d7 },
	{ "512G RW Sv48x4", NPT_FORMAT_SV48X4, 0, 3, R | W, NPT_MT_WB, 0,
	  0x8000000000ULL, 0x20000000d7ULL },
};

KUNIT_ARRAY_PARAM_DESC(sv_golden, sv_goldens, desc);

static void npt_sv_golden_leaf(struct kunit *test)
{
	const struct sv_golden *g = test->param_value;
	struct npt_kt_cfg cfg = sv_with(g->format, g->options);
	u64 size = npt_lvl_size(g->lvl);
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_table *t;

	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &cfg,
					  size, g->hpa, size, g->prot, g->attr,
					  g->flags), g->pte);
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, 3 * size, g->hpa, size, g->prot,
				      g->attr, g->flags, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, 4 * size - 1, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.pte, g->pte);
	KUNIT_EXPECT_EQ(test, tr.hpa, g->hpa + size - 1);
	KUNIT_EXPECT_EQ(test, tr.lvl, g->lvl);
	KUNIT_EXPECT_EQ(test, tr.prot, g->prot);
	KUNIT_EXPECT_EQ(test, tr.attr, g->attr);
}

/* Non-leaf entries: PPN of the next table and V only. */
static void npt_sv_golden_table(struct kunit *test)
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
		/* PPN in bits 53:10, only V set in a table entry. */
		u64 pa = ((e >> 10) & GENMASK_ULL(43, 0)) << 12;

		KUNIT_EXPECT_EQ_MSG(test, e, (pa >> 2) | 0x1, "level %d", lvl);
		KUNIT_EXPECT_TRUE_MSG(test, npt_kt_handed_out(env, pa),
				      "level %d: %#llx", lvl, pa);
		KUNIT_EXPECT_EQ(test, npt_kt_pa(t, npt_kt_ptep(t, g, lvl - 1)) &
				~0xfffULL, pa);
	}
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, 0), 0x1453);
}

struct sv_hgatp {
	const char *desc;
	u32 format;
	u32 vmid;
	u64 high;
};

/* hgatp: MODE 63:60 (8 Sv39x4, 9 Sv48x4), VMID 57:44, PPN 43:0. */
static const struct sv_hgatp sv_hgatps[] = {
	{ "Sv39x4 VMID 0", NPT_FORMAT_SV39X4, 0, 0x8000000000000000ULL },
	{ "Sv39x4 VMID 1", NPT_FORMAT_SV39X4, 1, 0x8000100000000000ULL },
	{ "Sv39x4 VMID 0x3fff", NPT_FORMAT_SV39X4, 0x3fff,
	  0x83fff00000000000ULL },
	{ "Sv48x4 VMID 0", NPT_FORMAT_SV48X4, 0, 0x9000000000000000ULL },
	{ "Sv48x4 VMID 0x2a5", NPT_FORMAT_SV48X4, 0x2a5,
	  0x902a500000000000ULL },
};

KUNIT_ARRAY_PARAM_DESC(sv_hgatp, sv_hgatps, desc);

static void npt_sv_hgatp(struct kunit *test)
{
	const struct sv_hgatp *h = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_kt_cfg cfg = sv_with(h->format, 0);
	struct npt_root_regs regs;
	struct npt_table *t;

	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, h->vmid, &t), 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, h->high | (npt_root_pa(t) >> 12));
	/* A 16 KiB aligned root: the PPN's two low bits are zero. */
	KUNIT_EXPECT_EQ(test, regs.root & 0x3, 0);
	KUNIT_EXPECT_EQ(test, regs.ctrl, 0);
	npt_table_destroy(t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* Root indices beyond 511 land in the second and later root pages. */
static void npt_sv_wide_root(struct kunit *test)
{
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &sv39, 0);
	struct npt_kt_cfg cfg48 = sv_with(NPT_FORMAT_SV48X4, 0);
	u64 *root = npt_kt_va(t, npt_root_pa(t));
	struct npt_op_result res;
	u64 *page;

	KUNIT_ASSERT_EQ(test, npt_map(t, 1500 * SZ_1G_ULL, 0x3c0000000,
				      SZ_1G_ULL, R | W | X, NPT_MT_WB, 0,
				      &res), 0);
	page = (u64 *)((u8 *)root + 2 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, page[476], 0xf00000df);
	KUNIT_ASSERT_EQ(test, npt_map(t, BIT_ULL(41) - SZ_1G_ULL, 0x40000000,
				      SZ_1G_ULL, R, NPT_MT_WB, 0, &res), 0);
	page = (u64 *)((u8 *)root + 3 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, page[511], 0x10000053);
	KUNIT_ASSERT_EQ(test, npt_map(t, 512 * SZ_1G_ULL, 0x40000000,
				      SZ_1G_ULL, R, NPT_MT_WB, 0, &res), 0);
	page = (u64 *)((u8 *)root + 1 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, page[0], 0x10000053);
	KUNIT_EXPECT_EQ(test, root[0], 0);
	KUNIT_EXPECT_EQ(test, root[476], 0);

	/* Sv48x4: index 1800 of the 512 GiB level is word 264 of page 3. */
	t = npt_kt_create(test, npt_kt_env(test), &cfg48, 0);
	root = npt_kt_va(t, npt_root_pa(t));
	KUNIT_ASSERT_EQ(test, npt_map(t, 1800 * SZ_512G_ULL, 0x40000000,
				      SZ_4K_ULL, R, NPT_MT_WB, 0, &res), 0);
	page = (u64 *)((u8 *)root + 3 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, page[264] & 0x3ff, 0x1);
	KUNIT_EXPECT_EQ(test, (page[264] >> 10) << 12,
			npt_kt_pa(t, npt_kt_ptep(t, 1800 * SZ_512G_ULL, 2)));
}

/*
 * Without Svvptc the hart may cache the invalid entry: every new leaf is
 * flushed (HFENCE.GVMA) after it is written.
 */
static void npt_sv_flush_new(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &sv39, 0);
	u64 g = 3 * SZ_1G_ULL + 5 * SZ_4K_ULL;
	struct npt_op_result res;
	npt_pte_t *ptep;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x80201000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, g, SZ_4K_ULL));
	ptep = npt_kt_ptep(t, g + SZ_4K_ULL, 0);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_map(t, g + SZ_4K_ULL, 0x80202000, SZ_4K_ULL,
				      R | W, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, env->nr_ev, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].kind, NPT_KT_EV_FLUSH);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, 0x200808d7);
	KUNIT_ASSERT_EQ(test, env->ev[0].plan.nr, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].gpa, g + SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].size, SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].lvl, 0);

	/* A 1 GiB leaf in the wide root. */
	ptep = npt_kt_ptep(t, 7 * SZ_1G_ULL, 2);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_map(t, 7 * SZ_1G_ULL, 0xc0000000, SZ_1G_ULL,
				      R | X, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, env->nr_ev, 1);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, 0x3000005b);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].gpa, 7 * SZ_1G_ULL);
	KUNIT_EXPECT_EQ(test, env->ev[0].plan.range[0].lvl, 2);

	/* Unmap: the entry is clear when the flush runs, freed after. */
	ptep = npt_kt_ptep(t, g, 0);
	npt_kt_log_reset(env, ptep);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, 2 * SZ_4K_ULL, 0, &res), 0);
	KUNIT_ASSERT_GE(test, env->nr_ev, 2);
	KUNIT_EXPECT_EQ(test, env->ev[0].kind, NPT_KT_EV_FLUSH);
	KUNIT_EXPECT_EQ(test, env->ev[0].watched, 0);
	KUNIT_EXPECT_EQ(test, env->ev[1].kind, NPT_KT_EV_FREE);
}

struct sv_reject {
	const char *desc;
	u32 options;
	u32 prot;
	u32 attr;
};

static const struct sv_reject sv_rejects[] = {
	{ "W", 0, W, NPT_MT_WB },
	{ "WX", 0, W | X, NPT_MT_WB },
	{ "W with Svpbmt", NPT_OPT_RV_SVPBMT, W, NPT_MT_WB },
	{ "EPT user execute", 0, R | NPT_PROT_UX, NPT_MT_WB },
	{ "EPT IPAT", 0, R, NPT_MT_WB | NPT_ATTR_IPAT },
	{ "NC without Svpbmt", 0, R, NPT_MT_NC },
	{ "IO without Svpbmt", 0, R | W, NPT_MT_DEVICE },
	{ "EPT WT with Svpbmt", NPT_OPT_RV_SVPBMT, R, NPT_MT_WT },
	{ "EPT WP with Svpbmt", NPT_OPT_RV_SVPBMT, R, NPT_MT_WP },
};

KUNIT_ARRAY_PARAM_DESC(sv_reject, sv_rejects, desc);

static void npt_sv_reject(struct kunit *test)
{
	const struct sv_reject *r = test->param_value;
	struct npt_kt_cfg cfg = sv_with(NPT_FORMAT_SV39X4, r->options);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &cfg, 0);
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0, SZ_2M_ULL, R, NPT_MT_WB, 0,
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

static void npt_sv_create(struct kunit *test)
{
	static const u32 foreign[] = {
		NPT_OPT_EPT_AD, NPT_OPT_EPT_XO, NPT_OPT_EPT_MBEC,
		NPT_OPT_S2_FWB, NPT_OPT_S2_HA,
	};
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_kt_cfg cfg = sv39;
	struct npt_table *t;
	unsigned int i;

	cfg.ia_bits = 0;
	cfg.oa_bits = 0;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), 41);
	KUNIT_EXPECT_EQ(test, npt_oa_bits(t), 56);
	npt_table_destroy(t);
	cfg.format = NPT_FORMAT_SV48X4;
	cfg.oa_bits = 32;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), 50);
	KUNIT_EXPECT_EQ(test, npt_levels(t), 4);
	npt_table_destroy(t);

	cfg = sv39;
	cfg.ia_bits = 39;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg.ia_bits = 50;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg = sv39;
	cfg.oa_bits = 31;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg.oa_bits = 57;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &sv39, 0, 0x4000, &t),
			-EINVAL);
	for (i = 0; i < ARRAY_SIZE(foreign); i++) {
		cfg = sv_with(NPT_FORMAT_SV48X4, foreign[i]);
		KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t),
				-EINVAL);
	}
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

struct sv_verdict {
	const char *desc;
	u32 options;
	u32 oa_bits;
	int lvl;
	npt_pte_t pte;
	enum npt_bad bad;
};

static const struct sv_verdict sv_verdicts[] = {
	{ "invalid", 0, 56, 0, 0x0, NPT_BAD_NONE },
	{ "invalid with R W X", 0, 56, 0, 0x200804de, NPT_BAD_NONE },
	{ "4K RW", 0, 56, 0, 0x200804d7, NPT_BAD_NONE },
	{ "W only", 0, 56, 0, 0x200804d5, NPT_BAD_W_NO_R },
	{ "WX", 0, 56, 0, 0x200804dd, NPT_BAD_W_NO_R },
	{ "reserved bit 54", 0, 56, 0, 0x00400000200804d7ULL, NPT_BAD_RSVD },
	{ "reserved bit 60", 0, 56, 0, 0x10000000200804d7ULL, NPT_BAD_RSVD },
	{ "N without Svnapot", 0, 56, 0, 0x80000000200804d7ULL,
	  NPT_BAD_RSVD },
	{ "PBMT NC without Svpbmt", 0, 56, 0, 0x20000000200804d7ULL,
	  NPT_BAD_MEMTYPE },
	{ "PBMT NC with Svpbmt", NPT_OPT_RV_SVPBMT, 56, 0,
	  0x20000000200804d7ULL, NPT_BAD_NONE },
	{ "PBMT 3", NPT_OPT_RV_SVPBMT, 56, 0, 0x60000000200804d7ULL,
	  NPT_BAD_MEMTYPE },
	{ "pointer at level 0", 0, 56, 0, 0x20080401, NPT_BAD_LEVEL },
	{ "pointer", 0, 56, 2, 0x20080401, NPT_BAD_NONE },
	{ "pointer with U", 0, 56, 1, 0x20080411, NPT_BAD_RSVD },
	{ "pointer with A", 0, 56, 1, 0x20080441, NPT_BAD_RSVD },
	{ "pointer with D", 0, 56, 2, 0x20080481, NPT_BAD_RSVD },
	{ "pointer with PBMT IO", NPT_OPT_RV_SVPBMT, 56, 1,
	  0x4000000020080401ULL, NPT_BAD_RSVD },
	{ "2M leaf at 4K", 0, 56, 1, 0x200804d7, NPT_BAD_ALIGN },
	{ "1G leaf at 2M", 0, 56, 2, 0x200800d7, NPT_BAD_ALIGN },
	{ "1G leaf aligned", 0, 56, 2, 0x300000df, NPT_BAD_NONE },
	{ "PA bit 44 beyond 44", 0, 44, 0, 0x400000000d7ULL, NPT_BAD_OA },
	{ "PA bit 43 within 44", 0, 44, 0, 0x200000000d7ULL, NPT_BAD_NONE },
};

KUNIT_ARRAY_PARAM_DESC(sv_verdict, sv_verdicts, desc);

static void npt_sv_validate(struct kunit *test)
{
	const struct sv_verdict *v = test->param_value;
	struct npt_kt_cfg cfg = sv_with(NPT_FORMAT_SV39X4, v->options);
	struct npt_table *t;

	cfg.oa_bits = v->oa_bits;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	KUNIT_EXPECT_EQ(test, npt_validate(t, v->pte, v->lvl), v->bad);
}

/* A split keeps U, A, D and the permissions in every child. */
static void npt_sv_split_golden(struct kunit *test)
{
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &sv39, 0);
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_2M_ULL, 0x80200000, SZ_2M_ULL,
				      R | W, NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_2M_ULL, 1), 0x200800d7);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, SZ_2M_ULL, SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_2M_ULL, 0), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_2M_ULL + SZ_4K_ULL, 0),
			0x200804d7);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, 2 * SZ_2M_ULL - SZ_4K_ULL, 0),
			0x200ffcd7);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_2M_ULL, 1) & 0x3ff, 0x1);
}

/*
 * Protect keeps A and D as they are: a leaf made writable stays clean, so
 * under Svade its first store faults and npt_handle_fault() sets D.
 */
static void npt_sv_protect_dirty(struct kunit *test)
{
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &sv39, 0);
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0x80201000, SZ_4K_ULL, R,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, 0, 0), 0x20080453);
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, R | W, NPT_MT_WB,
					  0, &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, 0, 0), 0x20080457);
}

/* Every G-stage access is a U-mode access: a leaf without U never works. */
static void npt_sv_validate_user(struct kunit *test)
{
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &sv39, 0);

	KUNIT_EXPECT_NE(test, npt_validate(t, 0x200804c7, 0), NPT_BAD_NONE);
	KUNIT_EXPECT_NE(test, npt_validate(t, 0x300000cf, 2), NPT_BAD_NONE);
}

#ifdef CONFIG_RISCV
/* The same entries and hgatp from the kernel's definitions. */
static void npt_sv_kernel_defs(struct kunit *test)
{
	struct npt_kt_cfg pbmt = sv_with(NPT_FORMAT_SV39X4, NPT_OPT_RV_SVPBMT);
	u64 hpa = 0x80201000, pfn = (hpa >> 12) << _PAGE_PFN_SHIFT;
	npt_pte_t user = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_root_regs regs;
	struct npt_table *t;

	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, env, &sv39, 0, hpa, SZ_4K_ULL,
					  R | W, NPT_MT_WB, 0),
			pfn | user | _PAGE_READ | _PAGE_WRITE | _PAGE_DIRTY);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, env, &sv39, 0, hpa, SZ_4K_ULL,
					  R | X, NPT_MT_WB, 0),
			pfn | user | _PAGE_READ | _PAGE_EXEC);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, env, &pbmt, 0, hpa, SZ_4K_ULL,
					  R, NPT_MT_NC, 0),
			pfn | user | _PAGE_READ | _PAGE_NOCACHE_SVPBMT);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, env, &pbmt, 0, hpa, SZ_4K_ULL,
					  R, NPT_MT_DEVICE, 0),
			pfn | user | _PAGE_READ | _PAGE_IO_SVPBMT);

	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &sv39, 0, 5, &t), 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root,
			(HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) |
			(5UL << HGATP_VMID_SHIFT) |
			(npt_root_pa(t) >> HGATP_PAGE_SHIFT));
	npt_table_destroy(t);
}
#endif

static struct kunit_case npt_sv39_cases[] = {
	KUNIT_CASE_PARAM(npt_sv_golden_leaf, sv_golden_gen_params),
	KUNIT_CASE_PARAM(npt_sv_golden_table, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_sv_hgatp, sv_hgatp_gen_params),
	KUNIT_CASE(npt_sv_wide_root),
	KUNIT_CASE(npt_sv_flush_new),
	KUNIT_CASE_PARAM(npt_sv_reject, sv_reject_gen_params),
	KUNIT_CASE(npt_sv_create),
	KUNIT_CASE_PARAM(npt_sv_validate, sv_verdict_gen_params),
	KUNIT_CASE(npt_sv_split_golden),
	KUNIT_CASE(npt_sv_protect_dirty),
	KUNIT_CASE(npt_sv_validate_user),
#ifdef CONFIG_RISCV
	KUNIT_CASE(npt_sv_kernel_defs),
#endif
	KUNIT_CASE_PARAM(npt_conf_geometry, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_map_levels, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_offset, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_many, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_largest_fit, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_no_blocks, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_boundaries, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_range_errors, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_bad_args, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_leaf_combos, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_exist_replace, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_unmap, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_protect, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse_refused, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_unmap_frees, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_protect_holes, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_enospc, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_create, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_map, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_split, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_flush_before_free, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_plan_overflow, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_root_index, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_walk_gpa, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_full_hint, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_random, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_map, sv_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_error, sv_cfg_gen_params),
	{}
};

static struct kunit_suite npt_sv39_suite = {
	.name = "npt_sv39",
	.test_cases = npt_sv39_cases,
};

kunit_test_suite(npt_sv39_suite);
