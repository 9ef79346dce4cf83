// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite npt_ept: Intel EPT, 4- and 5-level.  Golden entries with
 * values from the SDM (vol. 3C, "EPT Translation Mechanism"), checked on
 * x86_64 against the kernel's VMX_EPT_* definitions too; EPTP; rejected
 * permissions and configurations; validate() verdicts; flushes; and the
 * conformance cases for each configuration.
 */

#include <kunit/test.h>
#include "npt_kunit.h"

#if IS_ENABLED(CONFIG_X86_64) && !IS_ENABLED(CONFIG_UML)
#include <asm/msr-index.h>
#include <asm/vmx.h>
#endif

#define R	NPT_PROT_R
#define W	NPT_PROT_W
#define X	NPT_PROT_X
#define UX	NPT_PROT_UX

static const struct npt_kt_cfg ept_cfgs[] = {
	{ .desc = "ept4", .format = NPT_FORMAT_EPT4, .ia_bits = 48,
	  .oa_bits = 52, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ept4-ad", .format = NPT_FORMAT_EPT4,
	  .options = NPT_OPT_EPT_AD, .ia_bits = 48, .oa_bits = 52,
	  .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ept4-xo-mbec-pa40", .format = NPT_FORMAT_EPT4,
	  .options = NPT_OPT_EPT_XO | NPT_OPT_EPT_MBEC, .ia_bits = 48,
	  .oa_bits = 40, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	/* A CPU without 1 GiB pages (IA32_VMX_EPT_VPID_CAP bit 17 clear). */
	{ .desc = "ept4-no1g", .format = NPT_FORMAT_EPT4, .ia_bits = 48,
	  .oa_bits = 52, .levels = 4, .root_pages = 1, .leaf_lvls = 0x3,
	  .cfg_leaf_lvls = 0x3 },
	{ .desc = "ept5", .format = NPT_FORMAT_EPT5, .ia_bits = 57,
	  .oa_bits = 52, .levels = 5, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ept5-ad-pa46", .format = NPT_FORMAT_EPT5,
	  .options = NPT_OPT_EPT_AD, .ia_bits = 57, .oa_bits = 46,
	  .levels = 5, .root_pages = 1, .leaf_lvls = 0x7 },
};

KUNIT_ARRAY_PARAM_DESC(ept_cfg, ept_cfgs, desc);

static const struct npt_kt_cfg ept4 = {
	.desc = "ept4", .format = NPT_FORMAT_EPT4, .ia_bits = 48,
	.oa_bits = 52, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7,
};

static struct npt_kt_cfg ept_with(u32 options)
{
	struct npt_kt_cfg cfg = ept4;

	cfg.options = options;
	return cfg;
}

/* One leaf as the SDM lays it out: bits 2:0 RWX, 5:3 MT, 6 IPAT, 7 PS. */
struct ept_golden {
	const char *desc;
	u32 options;
	int lvl;
	u32 prot;
	u32 attr;
	u32 flags;
	u64 hpa;
	u64 pte;
};

static const struct ept_golden ept_goldens[] = {
	{ "4K R WB", 0, 0, R, NPT_MT_WB, 0, 0x123456000, 0x123456031 },
	{ "4K RW WB", 0, 0, R | W, NPT_MT_WB, 0, 0x123456000, 0x123456033 },
	{ "4K RWX WB", 0, 0, R | W | X, NPT_MT_WB, 0, 0x123456000,
	  0x123456037 },
	{ "4K RX WC", 0, 0, R | X, NPT_MT_NC, 0, 0x123456000, 0x12345600d },
	{ "4K RW UC", 0, 0, R | W, NPT_MT_DEVICE, 0, 0x123456000,
	  0x123456003 },
	{ "4K R WT", 0, 0, R, NPT_MT_WT, 0, 0x123456000, 0x123456021 },
	{ "4K RW WP IPAT", 0, 0, R | W, NPT_MT_WP | NPT_ATTR_IPAT, 0,
	  0x123456000, 0x12345606b },
	{ "4K RW WB IPAT", 0, 0, R | W, NPT_MT_WB | NPT_ATTR_IPAT, 0,
	  0x123456000, 0x123456073 },
	{ "2M RWX WB", 0, 1, R | W | X, NPT_MT_WB, 0, 0x1234600000,
	  0x12346000b7 },
	{ "1G RW WB", 0, 2, R | W, NPT_MT_WB, 0, 0x3c0000000, 0x3c00000b3 },
	{ "1G RWX UC IPAT", 0, 2, R | W | X, NPT_MT_DEVICE | NPT_ATTR_IPAT, 0,
	  0x40000000, 0x400000c7 },
	{ "4K RW WB A/D", NPT_OPT_EPT_AD, 0, R | W, NPT_MT_WB, 0, 0x123456000,
	  0x123456333 },
	{ "4K R WB A", NPT_OPT_EPT_AD, 0, R, NPT_MT_WB, 0, 0x123456000,
	  0x123456131 },
	{ "2M RW WB A/D old", NPT_OPT_EPT_AD, 1, R | W, NPT_MT_WB, NPT_OP_OLD,
	  0x1234600000, 0x12346000b3 },
	{ "4K X WB exec-only", NPT_OPT_EPT_XO, 0, X, NPT_MT_WB, 0, 0x123456000,
	  0x123456034 },
	{ "4K RX+UX WB MBEC", NPT_OPT_EPT_MBEC, 0, R | X | UX, NPT_MT_WB, 0,
	  0x123456000, 0x123456435 },
	{ "4K R UX WB MBEC", NPT_OPT_EPT_MBEC, 0, R | UX, NPT_MT_WB, 0,
	  0x123456000, 0x123456431 },
	{ "4K RW WB last 52-bit page", 0, 0, R | W, NPT_MT_WB, 0,
	  0xffffffffff000, 0xffffffffff033 },
	{ "1G R WB last 52-bit block", 0, 2, R, NPT_MT_WB, 0,
	  0xfffffc0000000, 0xfffffc00000b1 },
};

KUNIT_ARRAY_PARAM_DESC(ept_golden, ept_goldens, desc);

static void npt_ept_golden_leaf(struct kunit *test)
{
	const struct ept_golden *g = test->param_value;
	struct npt_kt_cfg cfg = ept_with(g->options);
	u64 size = npt_lvl_size(g->lvl);
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_table *t;

	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &cfg,
					  7 * size, g->hpa, size, g->prot,
					  g->attr, g->flags), g->pte);

	/* The 5-level format, and decoded back. */
	cfg.format = NPT_FORMAT_EPT5;
	cfg.ia_bits = 57;
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

/* Non-leaf entries: the next table's address and R, W, X (and UX). */
static void npt_ept_golden_table(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = 0x123456789000ULL & (BIT_ULL(cfg->ia_bits) - 1);
	npt_pte_t ux = (cfg->options & NPT_OPT_EPT_MBEC) ? 0x400 : 0;
	struct npt_op_result res;
	int lvl;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x5000, SZ_4K_ULL, R, NPT_MT_WB,
				      0, &res), 0);
	for (lvl = cfg->levels - 1; lvl > 0; lvl--) {
		npt_pte_t e = *npt_kt_ptep(t, g, lvl);
		u64 pa = e & GENMASK_ULL(51, 12);	/* SDM: bits 51:12 */

		KUNIT_EXPECT_EQ_MSG(test, e, pa | 0x7 | ux, "level %d", lvl);
		KUNIT_EXPECT_TRUE_MSG(test, npt_kt_handed_out(env, pa),
				      "level %d: %#llx", lvl, pa);
		KUNIT_EXPECT_EQ(test, npt_kt_pa(t, npt_kt_ptep(t, g, lvl - 1)) &
				~0xfffULL, pa);
	}
	/* R, WB; A set at map time when the table has A/D flags on. */
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, 0),
			(cfg->options & NPT_OPT_EPT_AD) ? 0x5131 : 0x5031);
}

struct ept_eptp {
	const char *desc;
	u32 format;
	u32 options;
	u64 low;
};

/* EPTP[2:0] = 6 (WB), [5:3] = levels - 1, [6] = A/D enable. */
static const struct ept_eptp ept_eptps[] = {
	{ "4-level", NPT_FORMAT_EPT4, 0, 0x1e },
	{ "4-level A/D", NPT_FORMAT_EPT4, NPT_OPT_EPT_AD, 0x5e },
	{ "4-level XO MBEC", NPT_FORMAT_EPT4,
	  NPT_OPT_EPT_XO | NPT_OPT_EPT_MBEC, 0x1e },
	{ "5-level", NPT_FORMAT_EPT5, 0, 0x26 },
	{ "5-level A/D", NPT_FORMAT_EPT5, NPT_OPT_EPT_AD, 0x66 },
};

KUNIT_ARRAY_PARAM_DESC(ept_eptp, ept_eptps, desc);

static void npt_ept_eptp(struct kunit *test)
{
	const struct ept_eptp *e = test->param_value;
	struct npt_kt_cfg cfg = ept_with(e->options);
	struct npt_root_regs regs;
	struct npt_table *t;

	cfg.format = e->format;
	cfg.ia_bits = e->format == NPT_FORMAT_EPT5 ? 57 : 48;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | e->low);
	KUNIT_EXPECT_EQ(test, regs.root & 0xfff, e->low);
	KUNIT_EXPECT_EQ(test, regs.ctrl, 0);
	KUNIT_EXPECT_EQ(test, npt_root_pa(t) & 0xfff, 0);
}

#if IS_ENABLED(CONFIG_X86_64) && !IS_ENABLED(CONFIG_UML)
/* The same entries from the kernel's own VMX definitions. */
static void npt_ept_kernel_defs(struct kunit *test)
{
	struct npt_kt_cfg ad = ept_with(NPT_OPT_EPT_AD);
	struct npt_root_regs regs;
	struct npt_table *t;
	u64 hpa = 0x123456000;
	npt_pte_t want;

	want = hpa | VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK |
	       (X86_MEMTYPE_WB << VMX_EPT_MT_EPTE_SHIFT) | VMX_EPT_IPAT_BIT;
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ept4,
					  0, hpa, SZ_4K_ULL, R | W | X,
					  NPT_MT_WB | NPT_ATTR_IPAT, 0), want);
	want = hpa | VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
	       (X86_MEMTYPE_WB << VMX_EPT_MT_EPTE_SHIFT) |
	       VMX_EPT_ACCESS_BIT | VMX_EPT_DIRTY_BIT;
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ad, 0, hpa,
					  SZ_4K_ULL, R | W, NPT_MT_WB, 0),
			want);
	want = hpa | VMX_EPT_READABLE_MASK |
	       (X86_MEMTYPE_UC << VMX_EPT_MT_EPTE_SHIFT);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ept4, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_DEVICE, 0),
			want);
	want = hpa | VMX_EPT_READABLE_MASK |
	       (X86_MEMTYPE_WC << VMX_EPT_MT_EPTE_SHIFT);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ept4, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_NC, 0),
			want);
	want = hpa | VMX_EPT_READABLE_MASK |
	       (X86_MEMTYPE_WT << VMX_EPT_MT_EPTE_SHIFT);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ept4, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_WT, 0),
			want);
	want = hpa | VMX_EPT_READABLE_MASK |
	       (X86_MEMTYPE_WP << VMX_EPT_MT_EPTE_SHIFT);
	KUNIT_EXPECT_EQ(test, npt_kt_leaf(test, npt_kt_env(test), &ept4, 0,
					  hpa, SZ_4K_ULL, R, NPT_MT_WP, 0),
			want);
	KUNIT_EXPECT_EQ(test, (u64)VMX_EPT_MT_MASK, 0x38);

	t = npt_kt_create(test, npt_kt_env(test), &ad, 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | VMX_EPTP_MT_WB |
			VMX_EPTP_PWL_4 | VMX_EPTP_AD_ENABLE_BIT);
	ad.format = NPT_FORMAT_EPT5;
	ad.ia_bits = 57;
	ad.options = 0;
	t = npt_kt_create(test, npt_kt_env(test), &ad, 0);
	npt_root_regs(t, &regs);
	KUNIT_EXPECT_EQ(test, regs.root, npt_root_pa(t) | VMX_EPTP_MT_WB |
			VMX_EPTP_PWL_5);
}
#endif

struct ept_reject {
	const char *desc;
	u32 options;
	u32 prot;
	u32 attr;
};

/* What the CPU would take as a misconfiguration, or cannot encode. */
static const struct ept_reject ept_rejects[] = {
	{ "W", 0, W, NPT_MT_WB },
	{ "WX", 0, W | X, NPT_MT_WB },
	{ "W with XO", NPT_OPT_EPT_XO, W, NPT_MT_WB },
	{ "WX with XO", NPT_OPT_EPT_XO | NPT_OPT_EPT_MBEC, W | X | UX,
	  NPT_MT_WB },
	{ "X without XO", 0, X, NPT_MT_WB },
	{ "X without XO, with MBEC", NPT_OPT_EPT_MBEC, X | UX, NPT_MT_WB },
	{ "UX without MBEC", 0, R | X | UX, NPT_MT_WB },
	{ "UX without MBEC, with XO", NPT_OPT_EPT_XO, UX, NPT_MT_WB },
	{ "memtype 5 (beyond the NPT_MT range)", 0, R, NPT_MT_MAX + 1 },
	{ "memtype 0xff", 0, R, 0xff },
	{ "unknown attribute bit", 0, R, BIT(10) },
};

KUNIT_ARRAY_PARAM_DESC(ept_reject, ept_rejects, desc);

static void npt_ept_reject(struct kunit *test)
{
	const struct ept_reject *r = test->param_value;
	struct npt_kt_cfg cfg = ept_with(r->options);
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

/* Default widths and every configuration EPT refuses. */
static void npt_ept_create(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_kt_cfg cfg = ept4;
	static const u32 foreign[] = {
		NPT_OPT_S2_FWB, NPT_OPT_S2_HA, NPT_OPT_RV_SVPBMT,
		NPT_OPT_RV_HWAD,
	};
	struct npt_table *t;
	unsigned int i;

	cfg.ia_bits = 0;
	cfg.oa_bits = 0;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), 48);
	KUNIT_EXPECT_EQ(test, npt_oa_bits(t), 52);
	npt_table_destroy(t);
	cfg.format = NPT_FORMAT_EPT5;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), 57);
	KUNIT_EXPECT_EQ(test, npt_levels(t), 5);
	npt_table_destroy(t);
	cfg.oa_bits = 36;
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), 0);
	npt_table_destroy(t);

	cfg = ept4;
	cfg.oa_bits = 35;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg.oa_bits = 53;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg = ept4;
	cfg.ia_bits = 57;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	cfg.format = NPT_FORMAT_EPT5;
	cfg.ia_bits = 48;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	/* EPT has no VMID in its root register. */
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &ept4, 0, 1, &t), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(foreign); i++) {
		cfg = ept_with(foreign[i]);
		KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t),
				-EINVAL);
		KUNIT_EXPECT_NULL(test, t);
	}
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

struct ept_verdict {
	const char *desc;
	u32 options;
	u32 oa_bits;
	int lvl;
	npt_pte_t pte;
	enum npt_bad bad;
};

/* SDM 29.3.3.1: the misconfigurations, and entries that are fine. */
static const struct ept_verdict ept_verdicts[] = {
	{ "not present", 0, 52, 0, 0x0, NPT_BAD_NONE },
	{ "not present, MT 7", 0, 52, 0, 0x38, NPT_BAD_NONE },
	{ "4K R WB", 0, 52, 0, 0x123456031, NPT_BAD_NONE },
	{ "4K RWX WB A D, bit 63", 0, 52, 0, 0x8000000123456337ULL,
	  NPT_BAD_NONE },
	{ "4K, ignored bit 7", 0, 52, 0, 0x1234560b1, NPT_BAD_NONE },
	{ "W only (010b)", 0, 52, 0, 0x123456032, NPT_BAD_W_NO_R },
	{ "WX (110b, KVM's MMIO marker)", 0, 52, 0, 0x123456036,
	  NPT_BAD_W_NO_R },
	{ "WX table entry", 0, 52, 2, 0x123456006, NPT_BAD_W_NO_R },
	{ "X only without the capability", 0, 52, 0, 0x123456034,
	  NPT_BAD_XO },
	{ "X only with the capability", NPT_OPT_EPT_XO, 52, 0, 0x123456034,
	  NPT_BAD_NONE },
	{ "user X only (MBEC) without XO", NPT_OPT_EPT_MBEC, 52, 0,
	  0x123456430, NPT_BAD_XO },
	{ "X and user X without R (MBEC)", NPT_OPT_EPT_MBEC, 52, 0,
	  0x123456434, NPT_BAD_XO },
	{ "user X only (MBEC) with XO", NPT_OPT_EPT_MBEC | NPT_OPT_EPT_XO, 52,
	  0, 0x123456430, NPT_BAD_NONE },
	{ "bit 10 only without MBEC: not present", 0, 52, 0, 0x123456430,
	  NPT_BAD_NONE },
	{ "R and user X (MBEC)", NPT_OPT_EPT_MBEC, 52, 0, 0x123456431,
	  NPT_BAD_NONE },
	{ "MT 2", 0, 52, 0, 0x123456011, NPT_BAD_MEMTYPE },
	{ "MT 3", 0, 52, 0, 0x123456019, NPT_BAD_MEMTYPE },
	{ "MT 7", 0, 52, 0, 0x123456039, NPT_BAD_MEMTYPE },
	{ "2M MT 7", 0, 52, 1, 0x1234000b9, NPT_BAD_MEMTYPE },
	{ "bit 47 beyond MAXPHYADDR 46", 0, 46, 0, 0x800000000031ULL,
	  NPT_BAD_RSVD },
	{ "bit 51 beyond MAXPHYADDR 48", 0, 48, 1, 0x8000000000007ULL,
	  NPT_BAD_RSVD },
	{ "bit 45 within MAXPHYADDR 46", 0, 46, 0, 0x200000000031ULL,
	  NPT_BAD_NONE },
	{ "PS in a PML4E", 0, 52, 3, 0x1234000000b7ULL, NPT_BAD_LEVEL },
	{ "IPAT in a PML4E", 0, 52, 3, 0x123456047, NPT_BAD_RSVD },
	{ "MT in a PDE", 0, 52, 1, 0x123456037, NPT_BAD_RSVD },
	{ "table entry RWX", 0, 52, 3, 0x123456007, NPT_BAD_NONE },
	{ "table entry R with A", 0, 52, 1, 0x123456101, NPT_BAD_NONE },
	{ "2M block, bit 12 set", 0, 52, 1, 0x1234010b1, NPT_BAD_RSVD },
	{ "1G block at 2M", 0, 52, 2, 0x402000b1, NPT_BAD_RSVD },
	{ "1G block aligned", 0, 52, 2, 0x400000b1, NPT_BAD_NONE },
};

KUNIT_ARRAY_PARAM_DESC(ept_verdict, ept_verdicts, desc);

static void npt_ept_validate(struct kunit *test)
{
	const struct ept_verdict *v = test->param_value;
	struct npt_kt_cfg cfg = ept_with(v->options);
	struct npt_table *t;

	cfg.oa_bits = v->oa_bits;
	t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	KUNIT_EXPECT_EQ(test, npt_validate(t, v->pte, v->lvl), v->bad);
}

/*
 * Without 1 GiB pages (leaf_lvls 0x3) PS is reserved in a PDPTE (SDM: a
 * misconfiguration), a 1 GiB map takes 2 MiB blocks, and leaf_lvls must
 * be levels 0 to a top, of which the table keeps those EPT has.
 */
static void npt_ept_no_1g(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_region rg = {
		.gpa = SZ_1G_ULL, .size = SZ_2M_ULL, .max_prot = R,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_LAZY_BLOCKS,
	};
	struct npt_kt_cfg cfg = ept4;
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_table *t;

	cfg.cfg_leaf_lvls = 0x3;
	t = npt_kt_create(test, env, &cfg, 0);
	KUNIT_EXPECT_EQ(test, npt_validate(t, 0x400000b1, 2), NPT_BAD_RSVD);
	KUNIT_EXPECT_EQ(test, npt_validate(t, 0x400000b1, 1), NPT_BAD_NONE);
	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_1G_ULL, SZ_1G_ULL, SZ_1G_ULL, R,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, SZ_1G_ULL + 0x12345, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 1);
	KUNIT_EXPECT_EQ(test, tr.hpa, SZ_1G_ULL + 0x12345);
	KUNIT_EXPECT_EQ(test, tr.pte & BIT_ULL(7), BIT_ULL(7));	/* PS */

	/* No 4 KiB level; gaps: 1 GiB without 2 MiB, 512 GiB above 4 KiB. */
	cfg.cfg_leaf_lvls = 0x2;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	KUNIT_EXPECT_NULL(test, t);
	cfg.cfg_leaf_lvls = 0x5;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	KUNIT_EXPECT_NULL(test, t);
	cfg.cfg_leaf_lvls = 0x9;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &cfg, 0, 0, &t), -EINVAL);
	KUNIT_EXPECT_NULL(test, t);

	/* 4 KiB only: a region's lazy blocks are never reserved. */
	cfg.cfg_leaf_lvls = 0x1;
	t = npt_kt_create(test, env, &cfg, 0);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_EXPECT_FALSE(test, npt_region_blocks(t, rg.gpa, NPT_ACC_READ));

	/* A host's wider set: the table keeps EPT's levels 0 to 2. */
	cfg.cfg_leaf_lvls = 0x1f;
	t = npt_kt_create(test, env, &cfg, 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0, SZ_512G_ULL, R, NPT_MT_WB, 0,
				      &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, SZ_1G_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 2);
}

/* Filling an empty entry needs no INVEPT; clearing or changing one does. */
static void npt_ept_flush(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &ept4, 0);
	u64 g = SZ_1G_ULL + 5 * SZ_4K_ULL;
	struct npt_op_result res;

	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, 0x5000, SZ_4K_ULL, R, NPT_MT_WB,
				      0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0, SZ_1G_ULL, R, NPT_MT_WB, 0,
				      &res), 0);
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
	KUNIT_EXPECT_EQ(test, res.plan.nr, 0);
	KUNIT_EXPECT_FALSE(test, res.plan.all);

	KUNIT_ASSERT_EQ(test, npt_protect(t, g, SZ_4K_ULL, R | W, NPT_MT_WB, 0,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, env->flushes, 1);
	KUNIT_ASSERT_EQ(test, res.plan.nr, 1);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].gpa, g);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].size, SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].lvl, 0);
	/* The write happened before the flush. */
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, 0), 0x5033);

	/* A split changes no translation: the one flush is for the unmap. */
	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, 0, SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, env->flushes, 1);
	KUNIT_ASSERT_EQ(test, res.plan.nr, 1);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].gpa, 0);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].size, SZ_4K_ULL);
}

/* A/D: set at map unless old, kept by protect, never set on tables. */
static void npt_ept_ad(struct kunit *test)
{
	struct npt_kt_cfg cfg = ept_with(NPT_OPT_EPT_AD);
	struct npt_table *t = npt_kt_create(test, npt_kt_env(test), &cfg, 0);
	struct npt_op_result res;
	npt_pte_t *ptep;

	KUNIT_ASSERT_EQ(test, npt_map(t, 0, 0x7000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	ptep = npt_kt_ptep(t, 0, 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0x7333);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, 0, 1) & 0x3f8, 0);
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, R, NPT_MT_WB, 0,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0x7331);
	/* The CPU clears nothing, but software may: protect keeps that. */
	WRITE_ONCE(*ptep, 0x7031);
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, R | X, NPT_MT_WB, 0,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0x7035);
	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_4K_ULL, 0x8000, SZ_4K_ULL, R | W,
				      NPT_MT_WB, NPT_OP_OLD, &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_4K_ULL, 0), 0x8033);
}

/* Splits write the SDM's bits: PS in 2M children of a 1G block only. */
static void npt_ept_split_golden(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &ept4, 0);
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, SZ_1G_ULL, 0x80000000, SZ_1G_ULL,
				      R | W | X, NPT_MT_WB | NPT_ATTR_IPAT, 0,
				      &res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL, 2), 0x800000f7);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, SZ_1G_ULL + SZ_2M_ULL, SZ_4K_ULL, 0,
					&res), 0);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL, 1), 0x800000f7);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL + 5 * SZ_2M_ULL, 1),
			0x80a000f7);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL + SZ_2M_ULL +
					   SZ_4K_ULL, 0), 0x80201077);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL + 2 * SZ_2M_ULL -
					   SZ_4K_ULL, 0), 0x803ff077);
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL + SZ_2M_ULL, 0), 0);
	/* Table entries on the way: R, W and X only. */
	KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, SZ_1G_ULL, 2) & 0xfff, 0x007);
}

static struct kunit_case npt_ept_cases[] = {
	KUNIT_CASE_PARAM(npt_ept_golden_leaf, ept_golden_gen_params),
	KUNIT_CASE_PARAM(npt_ept_golden_table, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_ept_eptp, ept_eptp_gen_params),
#if IS_ENABLED(CONFIG_X86_64) && !IS_ENABLED(CONFIG_UML)
	KUNIT_CASE(npt_ept_kernel_defs),
#endif
	KUNIT_CASE_PARAM(npt_ept_reject, ept_reject_gen_params),
	KUNIT_CASE(npt_ept_create),
	KUNIT_CASE_PARAM(npt_ept_validate, ept_verdict_gen_params),
	KUNIT_CASE(npt_ept_no_1g),
	KUNIT_CASE(npt_ept_flush),
	KUNIT_CASE(npt_ept_ad),
	KUNIT_CASE(npt_ept_split_golden),
	KUNIT_CASE_PARAM(npt_conf_geometry, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_map_levels, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_offset, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_translate_many, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_largest_fit, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_no_blocks, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_boundaries, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_range_errors, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_bad_args, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_leaf_combos, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_exist_replace, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_unmap, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_split_protect, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_collapse_refused, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_unmap_frees, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_protect_holes, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_enospc, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_create, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_map, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_fail_split, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_flush_before_free, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_plan_overflow, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_root_index, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_walk_gpa, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_full_hint, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_random, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_map, ept_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_conf_interruptible_error, ept_cfg_gen_params),
	{}
};

static struct kunit_suite npt_ept_suite = {
	.name = "npt_ept",
	.test_cases = npt_ept_cases,
};

kunit_test_suite(npt_ept_suite);
