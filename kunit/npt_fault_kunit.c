// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite npt_fault: simulated accesses (npt_access()) and their
 * resolution (npt_handle_fault()) on EPT 4-level (plain, A/D, MBEC), Arm
 * stage 2 (without and with hardware AF) and RISC-V Sv39x4 (Svade, Svadu).
 * Every fault kind at every level where it occurs, with the syndrome and
 * faulting-address register the CPU reports, written out from the SDM
 * (vol. 3C, "EPT Violations", "EPT Misconfigurations"), the Arm ARM
 * (ESR_EL2 ISS for data and instruction aborts, HPFAR_EL2) and the RISC-V
 * privileged spec (guest-page faults, htval); the A/D and AF updates of
 * successful accesses; lazy mapping, flag setting, spurious and
 * unresolvable faults; and page-cache shortage, injected allocation
 * failure and the page limit leaving the table untouched.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/string.h>
#include "npt_kunit.h"

#define R	NPT_PROT_R
#define W	NPT_PROT_W
#define X	NPT_PROT_X
#define UX	NPT_PROT_UX

#define RD	NPT_ACC_READ
#define WR	NPT_ACC_WRITE
#define EX	NPT_ACC_EXEC
#define UEX	NPT_ACC_UEXEC
#define HLVX	NPT_ACC_HLVX

/* Lazy regions of the resolution cases: 16 MiB at 8 GiB. */
#define FLT_LAZY	0x200000000ULL
#define FLT_LAZY_SIZE	0x1000000ULL

/*
 * A configuration and what a write to FLT_LAZY + 0x1234 meets in its
 * empty table: a missing entry at the root.
 */
struct flt_cfg {
	struct npt_kt_cfg cfg;
	u32 foreign;
	u64 lazy_syndrome;
	u64 lazy_addr;
	u64 lazy_exit;
};

enum {
	FLT_EPT4,
	FLT_EPT4_AD,
	FLT_EPT4_MBEC,
	FLT_S2_48,
	FLT_S2_40_HA,
	FLT_SV39,
	FLT_SV39_HWAD,
	FLT_SV39_PA40,
};

static const struct flt_cfg flt_cfgs[] = {
	/* Exit qualification 0x2: a write, R/W/X of the walk 0. */
	[FLT_EPT4] = {
		{ .desc = "ept4", .format = NPT_FORMAT_EPT4, .ia_bits = 48,
		  .oa_bits = 52, .levels = 4, .root_pages = 1,
		  .leaf_lvls = 0x7 },
		HLVX, 0x2, 0x200001234, 48 },
	[FLT_EPT4_AD] = {
		{ .desc = "ept4-ad", .format = NPT_FORMAT_EPT4,
		  .options = NPT_OPT_EPT_AD, .ia_bits = 48, .oa_bits = 52,
		  .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
		HLVX, 0x2, 0x200001234, 48 },
	[FLT_EPT4_MBEC] = {
		{ .desc = "ept4-mbec", .format = NPT_FORMAT_EPT4,
		  .options = NPT_OPT_EPT_MBEC, .ia_bits = 48, .oa_bits = 52,
		  .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
		HLVX, 0x2, 0x200001234, 48 },
	/* DABT_LOW, IL, WnR, translation fault L0; HPFAR = IPA[47:12] << 4. */
	[FLT_S2_48] = {
		{ .desc = "s2-ipa48", .format = NPT_FORMAT_ARM64_S2,
		  .ia_bits = 48, .oa_bits = 48, .levels = 4, .root_pages = 1,
		  .leaf_lvls = 0x7 },
		UEX, 0x92000044, 0x2000010, 0 },
	/* The same at L1, the start level of a 40-bit IPA. */
	[FLT_S2_40_HA] = {
		{ .desc = "s2-ipa40-pa40-ha", .format = NPT_FORMAT_ARM64_S2,
		  .options = NPT_OPT_S2_HA, .ia_bits = 40, .oa_bits = 40,
		  .levels = 3, .root_pages = 2, .leaf_lvls = 0x7 },
		UEX, 0x92000045, 0x2000010, 0 },
	/* scause 23, store guest-page fault; htval = GPA >> 2. */
	[FLT_SV39] = {
		{ .desc = "sv39x4", .format = NPT_FORMAT_SV39X4, .ia_bits = 41,
		  .oa_bits = 56, .levels = 3, .root_pages = 4,
		  .leaf_lvls = 0x7 },
		UEX, 23, 0x8000048d, 0 },
	[FLT_SV39_HWAD] = {
		{ .desc = "sv39x4-svadu", .format = NPT_FORMAT_SV39X4,
		  .options = NPT_OPT_RV_HWAD, .ia_bits = 41, .oa_bits = 56,
		  .levels = 3, .root_pages = 4, .leaf_lvls = 0x7 },
		UEX, 23, 0x8000048d, 0 },
	/* A platform with 40 physical address bits. */
	[FLT_SV39_PA40] = {
		{ .desc = "sv39x4-pa40", .format = NPT_FORMAT_SV39X4,
		  .ia_bits = 41, .oa_bits = 40, .levels = 3, .root_pages = 4,
		  .leaf_lvls = 0x7 },
		UEX, 23, 0x8000048d, 0 },
};

KUNIT_ARRAY_PARAM_DESC(flt_cfg, flt_cfgs, cfg.desc);

#define EPT4		(&flt_cfgs[FLT_EPT4])
#define EPT4_AD		(&flt_cfgs[FLT_EPT4_AD])
#define EPT4_MBEC	(&flt_cfgs[FLT_EPT4_MBEC])
#define S2_48		(&flt_cfgs[FLT_S2_48])
#define S2_40_HA	(&flt_cfgs[FLT_S2_40_HA])
#define SV39		(&flt_cfgs[FLT_SV39])
#define SV39_HWAD	(&flt_cfgs[FLT_SV39_HWAD])
#define SV39_PA40	(&flt_cfgs[FLT_SV39_PA40])

struct flt_map {
	u64 gpa;
	u64 size;
	u32 prot;
	u32 flags;
};

/*
 * The layout every access case starts from, each leaf mapping its own
 * address.  Missing on purpose: 0x8000000000 (a root entry), 0xc0000000
 * (a 1 GiB entry), 0x80600000 (a 2 MiB entry), 0x80403000 (a page).
 * "Old" leaves have no A/D or AF.  0x80404000 and 0x80800000 are made
 * writable after the map: A is set, D is not.
 */
static const struct flt_map flt_layout[] = {
	{ 0x40000000, SZ_1G_ULL, R, 0 },
	{ 0x100000000, SZ_1G_ULL, R | W, NPT_OP_OLD },
	{ 0x80000000, SZ_2M_ULL, R, 0 },
	{ 0x80200000, SZ_2M_ULL, R | W, NPT_OP_OLD },
	{ 0x80800000, SZ_2M_ULL, R, 0 },
	{ 0x80400000, SZ_4K_ULL, R, 0 },
	{ 0x80401000, SZ_4K_ULL, R | W, NPT_OP_OLD },
	{ 0x80402000, SZ_4K_ULL, R | X, 0 },
	{ 0x80404000, SZ_4K_ULL, R, 0 },
};

/* With MBEC: user-executable pages. */
static const struct flt_map flt_layout_mbec[] = {
	{ 0x80405000, SZ_4K_ULL, R | X | UX, 0 },
	{ 0x80406000, SZ_4K_ULL, R | UX, 0 },
};

static void flt_map_all(struct kunit *test, struct npt_table *t,
			const struct flt_map *m, unsigned int nr)
{
	struct npt_op_result res;
	unsigned int i;

	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ_MSG(test, npt_map(t, m[i].gpa, m[i].gpa,
						  m[i].size, m[i].prot,
						  NPT_MT_WB, m[i].flags, &res),
				    0, "map %#llx", m[i].gpa);
}

static struct npt_table *flt_table(struct kunit *test, struct npt_kt_env *env,
				   const struct flt_cfg *fc)
{
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	struct npt_op_result res;

	flt_map_all(test, t, flt_layout, ARRAY_SIZE(flt_layout));
	if (fc->cfg.options & NPT_OPT_EPT_MBEC)
		flt_map_all(test, t, flt_layout_mbec,
			    ARRAY_SIZE(flt_layout_mbec));
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0x80404000, SZ_4K_ULL, R | W,
					  NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_protect(t, 0x80800000, SZ_2M_ULL, R | W,
					  NPT_MT_WB, 0, &res), 0);
	return t;
}

static void flt_expect(struct kunit *test, const struct npt_access_result *r,
		       const struct npt_access_result *want)
{
	KUNIT_EXPECT_EQ(test, r->fault, want->fault);
	KUNIT_EXPECT_EQ(test, r->lvl, want->lvl);
	KUNIT_EXPECT_EQ(test, r->reason, want->reason);
	KUNIT_EXPECT_EQ(test, r->updated, want->updated);
	KUNIT_EXPECT_EQ(test, r->hpa, want->hpa);
	KUNIT_EXPECT_EQ(test, r->syndrome, want->syndrome);
	KUNIT_EXPECT_EQ(test, r->addr, want->addr);
	KUNIT_EXPECT_EQ(test, r->exit_reason, want->exit_reason);
}

/*
 * One access to the layout; when @clear or @set is nonzero, the entry at
 * @poke_lvl on the walk is first rewritten as (entry & ~@clear) | @set,
 * an entry the API would not write.
 */
struct flt_case {
	const char *desc;
	const struct flt_cfg *fc;
	u64 gpa;
	u32 access;
	int poke_lvl;
	npt_pte_t clear;
	npt_pte_t set;
	struct npt_access_result want;
};

#define NP	NPT_FAULT_NOT_PRESENT
#define PERM	NPT_FAULT_PERMISSION
#define AF	NPT_FAULT_ACCESS_FLAG
#define DIRTY	NPT_FAULT_DIRTY
#define MISC	NPT_FAULT_MISCONFIG
#define IN	NPT_FAULT_INPUT_RANGE
#define OUT	NPT_FAULT_OUTPUT_RANGE

/*
 * EPT: exit reason 48 (violation) with the qualification, bits 0-2 the
 * access (read, write, fetch), 3-5 the AND of R/W/X over the entries
 * walked (the missing one included), 6 the AND of bit 10 under MBEC, and
 * the full GPA; 49 (misconfiguration) with no qualification.
 * Arm: ESR_EL2 EC 0x24 (0x92000000 with IL) for data, 0x20 (0x82000000)
 * for instruction aborts, WnR 0x40, DFSC 0x00+n address size, 0x04+n
 * translation, 0x08+n access flag, 0x0c+n permission at Arm level n (npt
 * level 3 - n); HPFAR_EL2 = IPA[47:12] << 4.
 * RISC-V: scause 21 load (HLVX too), 23 store, 20 fetch guest-page fault;
 * htval = GPA >> 2.
 */
static const struct flt_case flt_cases[] = {
	/* EPT 4-level: PML4E, PDPTE, PDE, PTE are npt levels 3..0. */
	{ "ept4 read, no PML4E", EPT4, 0x8000000123, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 3, .syndrome = 0x1, .addr = 0x8000000123,
	    .exit_reason = 48 } },
	{ "ept4 write, no PDPTE", EPT4, 0xc0000010, WR, 0, 0, 0,
	  { .fault = NP, .lvl = 2, .syndrome = 0x2, .addr = 0xc0000010,
	    .exit_reason = 48 } },
	{ "ept4 fetch, no PDE", EPT4, 0x80600000, EX, 0, 0, 0,
	  { .fault = NP, .lvl = 1, .syndrome = 0x4, .addr = 0x80600000,
	    .exit_reason = 48 } },
	{ "ept4 read, no PTE", EPT4, 0x80403fff, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 0x1, .addr = 0x80403fff,
	    .exit_reason = 48 } },
	/* Read-only leaves: qualification bit 3 (readable). */
	{ "ept4 write, 1G R", EPT4, 0x40000008, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 0xa, .addr = 0x40000008,
	    .exit_reason = 48 } },
	{ "ept4 fetch, 2M R", EPT4, 0x80000000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 1, .syndrome = 0xc, .addr = 0x80000000,
	    .exit_reason = 48 } },
	{ "ept4 write, 4K R", EPT4, 0x80400008, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0xa, .addr = 0x80400008,
	    .exit_reason = 48 } },
	{ "ept4 write, 4K RX", EPT4, 0x80402000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x2a, .addr = 0x80402000,
	    .exit_reason = 48 } },
	/* The AND over the walk: a PDE without X denies the fetch. */
	{ "ept4 fetch, RX page under an RW PDE", EPT4, 0x80402000, EX, 1,
	  0x4, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0xc, .addr = 0x80402000,
	    .exit_reason = 48 } },
	/* Bits 51:48 of the GPA set: no entry is used, bits 3-5 are 0. */
	{ "ept4 read, GPA bit 48", EPT4, 0x1000000000000, RD, 0, 0, 0,
	  { .fault = IN, .lvl = 3, .syndrome = 0x1, .addr = 0x1000000000000,
	    .exit_reason = 48 } },
	/* Misconfigurations: bits 2:0 010b / 110b at every level, MT 7. */
	{ "ept4 read, W-only PML4E", EPT4, 0x80400000, RD, 3, 0x7, 0x2,
	  { .fault = MISC, .lvl = 3, .reason = NPT_BAD_W_NO_R,
	    .addr = 0x80400000, .exit_reason = 49 } },
	{ "ept4 write, WX PDPTE", EPT4, 0x80400000, WR, 2, 0x1, 0,
	  { .fault = MISC, .lvl = 2, .reason = NPT_BAD_W_NO_R,
	    .addr = 0x80400000, .exit_reason = 49 } },
	{ "ept4 fetch, W-only PDE", EPT4, 0x80400000, EX, 1, 0x7, 0x2,
	  { .fault = MISC, .lvl = 1, .reason = NPT_BAD_W_NO_R,
	    .addr = 0x80400000, .exit_reason = 49 } },
	{ "ept4 read, WX PTE", EPT4, 0x80400000, RD, 0, 0x7, 0x6,
	  { .fault = MISC, .lvl = 0, .reason = NPT_BAD_W_NO_R,
	    .addr = 0x80400000, .exit_reason = 49 } },
	/* Before the permission check: a write to a read-only leaf. */
	{ "ept4 write, 2M R with MT 7", EPT4, 0x80000000, WR, 1, 0, 0x38,
	  { .fault = MISC, .lvl = 1, .reason = NPT_BAD_MEMTYPE,
	    .addr = 0x80000000, .exit_reason = 49 } },
	{ "ept4 read, X-only PTE without the capability", EPT4, 0x80402000,
	  RD, 0, 0x1, 0,
	  { .fault = MISC, .lvl = 0, .reason = NPT_BAD_XO,
	    .addr = 0x80402000, .exit_reason = 49 } },

	/* A/D flags never fault. */
	{ "ept4-ad write, no PDE", EPT4_AD, 0x80600000, WR, 0, 0, 0,
	  { .fault = NP, .lvl = 1, .syndrome = 0x2, .addr = 0x80600000,
	    .exit_reason = 48 } },
	{ "ept4-ad write, 1G R", EPT4_AD, 0x40000000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 0xa, .addr = 0x40000000,
	    .exit_reason = 48 } },
	{ "ept4-ad fetch, old 4K RW", EPT4_AD, 0x80401000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x1c, .addr = 0x80401000,
	    .exit_reason = 48 } },

	/* MBEC: table entries have bit 10; qualification bit 6 its AND. */
	{ "ept4-mbec user fetch, no PML4E", EPT4_MBEC, 0x8000000000, UEX, 0,
	  0, 0,
	  { .fault = NP, .lvl = 3, .syndrome = 0x4, .addr = 0x8000000000,
	    .exit_reason = 48 } },
	{ "ept4-mbec read, no PTE", EPT4_MBEC, 0x80403000, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 0x1, .addr = 0x80403000,
	    .exit_reason = 48 } },
	{ "ept4-mbec user fetch, 4K R", EPT4_MBEC, 0x80400000, UEX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0xc, .addr = 0x80400000,
	    .exit_reason = 48 } },
	{ "ept4-mbec user fetch, 4K RX", EPT4_MBEC, 0x80402000, UEX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x2c, .addr = 0x80402000,
	    .exit_reason = 48 } },
	{ "ept4-mbec write, 4K RX UX", EPT4_MBEC, 0x80405000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x6a, .addr = 0x80405000,
	    .exit_reason = 48 } },
	{ "ept4-mbec fetch, 4K R UX", EPT4_MBEC, 0x80406000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x4c, .addr = 0x80406000,
	    .exit_reason = 48 } },
	{ "ept4-mbec user fetch, RX UX page under a PDE without UX",
	  EPT4_MBEC, 0x80405000, UEX, 1, 0x400, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x2c, .addr = 0x80405000,
	    .exit_reason = 48 } },
	{ "ept4-mbec user fetch, GPA bit 48", EPT4_MBEC, 0x1000000000000, UEX,
	  0, 0, 0,
	  { .fault = IN, .lvl = 3, .syndrome = 0x4, .addr = 0x1000000000000,
	    .exit_reason = 48 } },

	/* Arm, 48-bit IPA: npt levels 3..0 are Arm levels 0..3. */
	{ "s2-ipa48 read, no L0 entry", S2_48, 0x8000000123, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 3, .syndrome = 0x92000004,
	    .addr = 0x80000000 } },
	{ "s2-ipa48 write, no L1 entry", S2_48, 0xc0000010, WR, 0, 0, 0,
	  { .fault = NP, .lvl = 2, .syndrome = 0x92000045,
	    .addr = 0xc00000 } },
	{ "s2-ipa48 fetch, no L2 entry", S2_48, 0x80600000, EX, 0, 0, 0,
	  { .fault = NP, .lvl = 1, .syndrome = 0x82000006,
	    .addr = 0x806000 } },
	{ "s2-ipa48 read, no L3 entry", S2_48, 0x80403fff, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 0x92000007,
	    .addr = 0x804030 } },
	{ "s2-ipa48 write, L1 block R", S2_48, 0x40000008, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 0x9200004d,
	    .addr = 0x400000 } },
	{ "s2-ipa48 fetch, L2 block XN", S2_48, 0x80000000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 1, .syndrome = 0x8200000e,
	    .addr = 0x800000 } },
	{ "s2-ipa48 write, L3 page R", S2_48, 0x80400008, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x9200004f,
	    .addr = 0x804000 } },
	{ "s2-ipa48 read, old L1 block", S2_48, 0x100000000, RD, 0, 0, 0,
	  { .fault = AF, .lvl = 2, .syndrome = 0x92000009,
	    .addr = 0x1000000 } },
	{ "s2-ipa48 write, old L2 block", S2_48, 0x80200000, WR, 0, 0, 0,
	  { .fault = AF, .lvl = 1, .syndrome = 0x9200004a,
	    .addr = 0x802000 } },
	/* The access flag is checked before the permissions (XN here). */
	{ "s2-ipa48 fetch, old L3 page XN", S2_48, 0x80401000, EX, 0, 0, 0,
	  { .fault = AF, .lvl = 0, .syndrome = 0x8200000b,
	    .addr = 0x804010 } },
	/* Descriptor 0b01 at L3 and a block at L0: translation faults. */
	{ "s2-ipa48 read, L3 descriptor 0b01", S2_48, 0x80400000, RD, 0, 0x2,
	  0,
	  { .fault = MISC, .lvl = 0, .reason = NPT_BAD_LEVEL,
	    .syndrome = 0x92000007, .addr = 0x804000 } },
	{ "s2-ipa48 write, L0 block", S2_48, 0x80400000, WR, 3, 0x2, 0,
	  { .fault = MISC, .lvl = 3, .reason = NPT_BAD_LEVEL,
	    .syndrome = 0x92000044, .addr = 0x804000 } },
	{ "s2-ipa48 read, IPA bit 48", S2_48, 0x1000000000000, RD, 0, 0, 0,
	  { .fault = IN, .lvl = 3, .syndrome = 0x92000004,
	    .addr = 0x10000000000 } },

	/* Arm, 40-bit IPA and PA, hardware AF: npt 2..0 are Arm 1..3. */
	{ "s2-ipa40-ha read, no L1 entry", S2_40_HA, 0x8000000123, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 2, .syndrome = 0x92000005,
	    .addr = 0x80000000 } },
	{ "s2-ipa40-ha fetch, no L3 entry", S2_40_HA, 0x80403000, EX, 0, 0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 0x82000007,
	    .addr = 0x804030 } },
	{ "s2-ipa40-ha write, L2 block R", S2_40_HA, 0x80000000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 1, .syndrome = 0x9200004e,
	    .addr = 0x800000 } },
	/* No access-flag fault with HA, and no AF set by a fault. */
	{ "s2-ipa40-ha fetch, old L3 page XN", S2_40_HA, 0x80401000, EX, 0, 0,
	  0,
	  { .fault = PERM, .lvl = 0, .syndrome = 0x8200000f,
	    .addr = 0x804010 } },
	{ "s2-ipa40-ha fetch, old L1 block XN", S2_40_HA, 0x100000000, EX, 0,
	  0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 0x8200000d,
	    .addr = 0x1000000 } },
	/* Output address bit 40 with a 40-bit PS: address size faults. */
	{ "s2-ipa40-ha read, L1 block beyond PS", S2_40_HA, 0x40000000, RD, 2,
	  0, BIT_ULL(40),
	  { .fault = OUT, .lvl = 2, .reason = NPT_BAD_OA,
	    .syndrome = 0x92000001, .addr = 0x400000 } },
	{ "s2-ipa40-ha write, L2 block beyond PS", S2_40_HA, 0x80000000, WR,
	  1, 0, BIT_ULL(40),
	  { .fault = OUT, .lvl = 1, .reason = NPT_BAD_OA,
	    .syndrome = 0x92000042, .addr = 0x800000 } },
	{ "s2-ipa40-ha read, L3 page beyond PS", S2_40_HA, 0x80400000, RD, 0,
	  0, BIT_ULL(40),
	  { .fault = OUT, .lvl = 0, .reason = NPT_BAD_OA,
	    .syndrome = 0x92000003, .addr = 0x804000 } },
	{ "s2-ipa40-ha write, IPA bit 40", S2_40_HA, 0x10000000000, WR, 0, 0,
	  0,
	  { .fault = IN, .lvl = 2, .syndrome = 0x92000044,
	    .addr = 0x100000000 } },

	/*
	 * An output address beyond the platform's (PA bit 40, entry bit 38)
	 * fails the PMA check: scause 1 fetch, 5 load, 7 store access fault,
	 * htval 0.  In a leaf, only after its permissions and A/D pass.
	 */
	{ "sv39x4-pa40 read, 1G leaf beyond the PA width", SV39_PA40,
	  0x40000000, RD, 2, 0, BIT_ULL(38),
	  { .fault = OUT, .lvl = 2, .reason = NPT_BAD_OA, .syndrome = 5 } },
	{ "sv39x4-pa40 HLVX, 4K leaf beyond the PA width", SV39_PA40,
	  0x80400000, HLVX, 0, 0, BIT_ULL(38) | 0x8,
	  { .fault = OUT, .lvl = 0, .reason = NPT_BAD_OA, .syndrome = 5 } },
	{ "sv39x4-pa40 write, dirty 4K leaf beyond the PA width", SV39_PA40,
	  0x80404000, WR, 0, 0, BIT_ULL(38) | 0x80,
	  { .fault = OUT, .lvl = 0, .reason = NPT_BAD_OA, .syndrome = 7 } },
	{ "sv39x4-pa40 fetch, 2M RX leaf beyond the PA width", SV39_PA40,
	  0x80000000, EX, 1, 0, BIT_ULL(38) | 0x8,
	  { .fault = OUT, .lvl = 1, .reason = NPT_BAD_OA, .syndrome = 1 } },
	{ "sv39x4-pa40 write, 1G R leaf beyond: permission first", SV39_PA40,
	  0x40000000, WR, 2, 0, BIT_ULL(38),
	  { .fault = PERM, .lvl = 2, .syndrome = 23, .addr = 0x10000000 } },
	{ "sv39x4-pa40 read, old 4K beyond: A first", SV39_PA40, 0x80401000,
	  RD, 0, 0, BIT_ULL(38),
	  { .fault = AF, .lvl = 0, .syndrome = 21, .addr = 0x20100400 } },
	/* A misaligned superpage is a guest-page fault, whatever its PA. */
	{ "sv39x4-pa40 read, misaligned 2M leaf beyond", SV39_PA40,
	  0x80000000, RD, 1, 0, BIT_ULL(38) | BIT_ULL(10),
	  { .fault = MISC, .lvl = 1, .reason = NPT_BAD_ALIGN, .syndrome = 21,
	    .addr = 0x20000000 } },

	/* Sv39x4 under Svade: levels 2..0 are RISC-V levels 2..0. */
	{ "sv39x4 read, no level-2 entry", SV39, 0x8000000123, RD, 0, 0, 0,
	  { .fault = NP, .lvl = 2, .syndrome = 21, .addr = 0x2000000048 } },
	{ "sv39x4 write, no level-2 entry", SV39, 0xc0000010, WR, 0, 0, 0,
	  { .fault = NP, .lvl = 2, .syndrome = 23, .addr = 0x30000004 } },
	{ "sv39x4 fetch, no level-1 entry", SV39, 0x80600000, EX, 0, 0, 0,
	  { .fault = NP, .lvl = 1, .syndrome = 20, .addr = 0x20180000 } },
	{ "sv39x4 HLVX, no level-0 entry", SV39, 0x80403000, HLVX, 0, 0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 21, .addr = 0x20100c00 } },
	{ "sv39x4 write, 1G R", SV39, 0x40000000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 23, .addr = 0x10000000 } },
	{ "sv39x4 fetch, 2M R", SV39, 0x80000000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 1, .syndrome = 20, .addr = 0x20000000 } },
	{ "sv39x4 write, 4K R", SV39, 0x80400008, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 23, .addr = 0x20100002 } },
	/* HLVX needs X, not R. */
	{ "sv39x4 HLVX, 4K R", SV39, 0x80400000, HLVX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 21, .addr = 0x20100000 } },
	{ "sv39x4 read, old 1G", SV39, 0x100000000, RD, 0, 0, 0,
	  { .fault = AF, .lvl = 2, .syndrome = 21, .addr = 0x40000000 } },
	{ "sv39x4 write, old 2M", SV39, 0x80200000, WR, 0, 0, 0,
	  { .fault = AF, .lvl = 1, .syndrome = 23, .addr = 0x20080000 } },
	{ "sv39x4 read, old 4K", SV39, 0x80401000, RD, 0, 0, 0,
	  { .fault = AF, .lvl = 0, .syndrome = 21, .addr = 0x20100400 } },
	{ "sv39x4 write, 4K with A, without D", SV39, 0x80404000, WR, 0, 0, 0,
	  { .fault = DIRTY, .lvl = 0, .syndrome = 23, .addr = 0x20101000 } },
	{ "sv39x4 write, 2M with A, without D", SV39, 0x80800008, WR, 0, 0, 0,
	  { .fault = DIRTY, .lvl = 1, .syndrome = 23, .addr = 0x20200002 } },
	/* Permissions are checked before A. */
	{ "sv39x4 fetch, old 4K RW", SV39, 0x80401000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 20, .addr = 0x20100400 } },
	{ "sv39x4 read, W-only leaf", SV39, 0x80400000, RD, 0, 0x2, 0x4,
	  { .fault = MISC, .lvl = 0, .reason = NPT_BAD_W_NO_R, .syndrome = 21,
	    .addr = 0x20100000 } },
	{ "sv39x4 write, W-only level-2 entry", SV39, 0x80400000, WR, 2, 0,
	  0x4,
	  { .fault = MISC, .lvl = 2, .reason = NPT_BAD_W_NO_R, .syndrome = 23,
	    .addr = 0x20100000 } },
	{ "sv39x4 read, leaf without U", SV39, 0x80400000, RD, 0, 0x10, 0,
	  { .fault = MISC, .lvl = 0, .reason = NPT_BAD_NO_USER, .syndrome = 21,
	    .addr = 0x20100000 } },
	{ "sv39x4 read, misaligned 2M", SV39, 0x80000000, RD, 1, 0, 0x400,
	  { .fault = MISC, .lvl = 1, .reason = NPT_BAD_ALIGN, .syndrome = 21,
	    .addr = 0x20000000 } },
	{ "sv39x4 read, GPA bit 41", SV39, 0x20000000000, RD, 0, 0, 0,
	  { .fault = IN, .lvl = 2, .syndrome = 21, .addr = 0x8000000000 } },
	{ "sv39x4 fetch, GPA bit 63", SV39, 0x8000000000000004, EX, 0, 0, 0,
	  { .fault = IN, .lvl = 2, .syndrome = 20,
	    .addr = 0x2000000000000001 } },

	/* Svadu: no A/D fault; a fault sets neither. */
	{ "sv39x4-svadu write, no level-0 entry", SV39_HWAD, 0x80403000, WR, 0,
	  0, 0,
	  { .fault = NP, .lvl = 0, .syndrome = 23, .addr = 0x20100c00 } },
	{ "sv39x4-svadu fetch, old 4K RW", SV39_HWAD, 0x80401000, EX, 0, 0, 0,
	  { .fault = PERM, .lvl = 0, .syndrome = 20, .addr = 0x20100400 } },
	{ "sv39x4-svadu write, 1G R", SV39_HWAD, 0x40000000, WR, 0, 0, 0,
	  { .fault = PERM, .lvl = 2, .syndrome = 23, .addr = 0x10000000 } },
	{ "sv39x4-svadu HLVX, GPA bit 41", SV39_HWAD, 0x20000000000, HLVX, 0,
	  0, 0,
	  { .fault = IN, .lvl = 2, .syndrome = 21, .addr = 0x8000000000 } },
};

KUNIT_ARRAY_PARAM_DESC(flt_case, flt_cases, desc);

/*
 * The access faults exactly as the CPU would and changes nothing; with
 * no region, npt_handle_fault() resolves nothing but a flag fault.
 */
static void npt_flt_access(struct kunit *test)
{
	const struct flt_case *c = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = flt_table(test, env, c->fc);
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_kt_snap *snap;
	npt_pte_t *ptep = NULL;
	npt_pte_t old = 0;

	if (c->clear | c->set) {
		ptep = npt_kt_ptep(t, c->gpa, c->poke_lvl);
		KUNIT_ASSERT_NOT_NULL(test, ptep);
		old = *ptep;
		KUNIT_ASSERT_NE(test, (old & ~c->clear) | c->set, old);
		WRITE_ONCE(*ptep, (old & ~c->clear) | c->set);
	}
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_access(t, c->gpa, c->access, &r), 0);
	flt_expect(test, &r, &c->want);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, c->gpa, c->access, &fr), 0);
	flt_expect(test, &fr.fault, &c->want);
	if (c->want.fault == AF || c->want.fault == DIRTY) {
		u64 page = c->gpa & ~(SZ_4K_ULL - 1);

		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_FLAGS);
		/* RISC-V may keep the faulting leaf cached: flush it. */
		if (c->fc->cfg.format == NPT_FORMAT_SV39X4)
			KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&fr.plan, page,
								   SZ_4K_ULL));
		else
			KUNIT_EXPECT_EQ(test, fr.plan.nr, 0);
	} else {
		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_NONE);
		KUNIT_EXPECT_EQ(test, fr.lvl, 0);
		KUNIT_EXPECT_EQ(test, fr.hpa, 0);
		KUNIT_EXPECT_EQ(test, fr.plan.nr, 0);
		KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	}
	if (ptep)
		WRITE_ONCE(*ptep, old);
}

/*
 * A successful access: the bits it sets in each entry of the walk (root
 * first) and NPT_UPD_* it reports; a second identical access sets none.
 */
struct flt_ok {
	const char *desc;
	const struct flt_cfg *fc;
	u64 gpa;
	u32 access;
	int lvl;
	u32 updated;
	npt_pte_t set[NPT_MAX_LEVELS];
};

#define ACC	NPT_UPD_ACCESSED
#define DRT	NPT_UPD_DIRTY

static const struct flt_ok flt_oks[] = {
	/* No A/D: nothing changes. */
	{ "ept4 read, old 4K", EPT4, 0x80401234, RD, 0, 0, { 0 } },
	{ "ept4 write, old 2M", EPT4, 0x80200010, WR, 1, 0, { 0 } },
	{ "ept4 fetch, 4K RX", EPT4, 0x80402000, EX, 0, 0, { 0 } },
	/* A/D: A (bit 8) on every entry walked, D (bit 9) on the leaf. */
	{ "ept4-ad read, 4K R", EPT4_AD, 0x80400000, RD, 0, ACC,
	  { 0x100, 0x100, 0x100, 0 } },
	{ "ept4-ad read, old 4K", EPT4_AD, 0x80401000, RD, 0, ACC,
	  { 0x100, 0x100, 0x100, 0x100 } },
	{ "ept4-ad write, old 4K", EPT4_AD, 0x80401000, WR, 0, ACC | DRT,
	  { 0x100, 0x100, 0x100, 0x300 } },
	{ "ept4-ad write, 4K with A, without D", EPT4_AD, 0x80404000, WR, 0,
	  ACC | DRT, { 0x100, 0x100, 0x100, 0x200 } },
	{ "ept4-ad fetch, 4K RX", EPT4_AD, 0x80402000, EX, 0, ACC,
	  { 0x100, 0x100, 0x100, 0 } },
	{ "ept4-ad write, old 2M", EPT4_AD, 0x80200000, WR, 1, ACC | DRT,
	  { 0x100, 0x100, 0x300 } },
	{ "ept4-ad write, 2M with A, without D", EPT4_AD, 0x80800000, WR, 1,
	  ACC | DRT, { 0x100, 0x100, 0x200 } },
	{ "ept4-ad read, old 1G", EPT4_AD, 0x100000000, RD, 2, ACC,
	  { 0x100, 0x100 } },
	{ "ept4-mbec user fetch, 4K RX UX", EPT4_MBEC, 0x80405000, UEX, 0, 0,
	  { 0 } },
	{ "ept4-mbec user fetch, 4K R UX", EPT4_MBEC, 0x80406000, UEX, 0, 0,
	  { 0 } },
	/* Arm without HA: young leaves only; nothing changes. */
	{ "s2-ipa48 read, L1 block", S2_48, 0x40000000, RD, 2, 0, { 0 } },
	{ "s2-ipa48 write, L3 page", S2_48, 0x80404000, WR, 0, 0, { 0 } },
	/* HA: AF (bit 10) in the leaf only; no dirty state without HD. */
	{ "s2-ipa40-ha read, old L3 page", S2_40_HA, 0x80401000, RD, 0, ACC,
	  { 0, 0, 0x400 } },
	{ "s2-ipa40-ha write, old L2 block", S2_40_HA, 0x80200000, WR, 1, ACC,
	  { 0, 0x400 } },
	{ "s2-ipa40-ha write, old L1 block", S2_40_HA, 0x100000000, WR, 2, ACC,
	  { 0x400 } },
	{ "s2-ipa40-ha fetch, L3 page", S2_40_HA, 0x80402000, EX, 0, 0, { 0 } },
	/* Svade: young and dirty leaves only; nothing changes. */
	{ "sv39x4 read, 1G", SV39, 0x40000000, RD, 2, 0, { 0 } },
	{ "sv39x4 HLVX, 4K RX", SV39, 0x80402000, HLVX, 0, 0, { 0 } },
	/* Svadu: A (bit 6), and D (bit 7) for a store, in the leaf. */
	{ "sv39x4-svadu read, old 4K", SV39_HWAD, 0x80401000, RD, 0, ACC,
	  { 0, 0, 0x40 } },
	{ "sv39x4-svadu write, old 4K", SV39_HWAD, 0x80401000, WR, 0,
	  ACC | DRT, { 0, 0, 0xc0 } },
	{ "sv39x4-svadu write, 4K with A, without D", SV39_HWAD, 0x80404000,
	  WR, 0, DRT, { 0, 0, 0x80 } },
	{ "sv39x4-svadu write, old 2M", SV39_HWAD, 0x80200000, WR, 1,
	  ACC | DRT, { 0, 0xc0 } },
	{ "sv39x4-svadu write, 2M with A, without D", SV39_HWAD, 0x80800000,
	  WR, 1, DRT, { 0, 0x80 } },
	{ "sv39x4-svadu read, old 1G", SV39_HWAD, 0x100000000, RD, 2, ACC,
	  { 0x40 } },
};

KUNIT_ARRAY_PARAM_DESC(flt_ok, flt_oks, desc);

static void npt_flt_updates(struct kunit *test)
{
	const struct flt_ok *c = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = flt_table(test, env, c->fc);
	struct npt_access_result want = {
		.fault = NPT_FAULT_NONE, .lvl = c->lvl, .updated = c->updated,
		.hpa = c->gpa,
	};
	struct npt_walk_info before, after;
	struct npt_access_result r;
	struct npt_kt_snap *snap;
	u32 i;

	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, c->gpa, &before), 0);
	KUNIT_ASSERT_EQ(test, before.levels, c->fc->cfg.levels - c->lvl);
	snap = npt_kt_snap(test, t, env);
	KUNIT_ASSERT_EQ(test, npt_access(t, c->gpa, c->access, &r), 0);
	flt_expect(test, &r, &want);
	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, c->gpa, &after), 0);
	KUNIT_ASSERT_EQ(test, after.levels, before.levels);
	for (i = 0; i < before.levels; i++) {
		KUNIT_EXPECT_EQ_MSG(test, before.pte[i] & c->set[i], 0,
				    "entry %u", i);
		KUNIT_EXPECT_EQ_MSG(test, after.pte[i],
				    before.pte[i] | c->set[i], "entry %u", i);
	}
	if (!c->updated)
		KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* Once set, the flags stay: the same access changes nothing. */
	snap = npt_kt_snap(test, t, env);
	want.updated = 0;
	KUNIT_ASSERT_EQ(test, npt_access(t, c->gpa, c->access, &r), 0);
	flt_expect(test, &r, &want);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

/* A flag fault, the bits npt_handle_fault() sets, and the access after. */
struct flt_flag {
	const char *desc;
	const struct flt_cfg *fc;
	u64 gpa;
	u32 access;
	u64 syndrome;
	u64 addr;
	u32 fault;
	int lvl;
	npt_pte_t set;
	u32 then;
};

static const struct flt_flag flt_flags[] = {
	/* Arm: AF (bit 10); DFSC 0x08 + Arm level. */
	{ "s2-ipa48 read, old L3 page", S2_48, 0x80401000, RD, 0x9200000b,
	  0x804010, AF, 0, 0x400, NPT_FAULT_NONE },
	{ "s2-ipa48 write, old L2 block", S2_48, 0x80200000, WR, 0x9200004a,
	  0x802000, AF, 1, 0x400, NPT_FAULT_NONE },
	/* AF set, then the XN permission fault (IFSC 0x0d). */
	{ "s2-ipa48 fetch, old L1 block XN", S2_48, 0x100000000, EX,
	  0x82000009, 0x1000000, AF, 2, 0x400, PERM },
	/* RISC-V: A (bit 6) for any access, D (bit 7) for a store. */
	{ "sv39x4 read, old 4K", SV39, 0x80401000, RD, 21, 0x20100400, AF, 0,
	  0x40, NPT_FAULT_NONE },
	{ "sv39x4 write, old 4K", SV39, 0x80401000, WR, 23, 0x20100400, AF, 0,
	  0xc0, NPT_FAULT_NONE },
	{ "sv39x4 write, 4K with A, without D", SV39, 0x80404000, WR, 23,
	  0x20101000, DIRTY, 0, 0x80, NPT_FAULT_NONE },
	{ "sv39x4 write, old 1G", SV39, 0x100000000, WR, 23, 0x40000000, AF,
	  2, 0xc0, NPT_FAULT_NONE },
	{ "sv39x4 write, 2M with A, without D", SV39, 0x80800000, WR, 23,
	  0x20200000, DIRTY, 1, 0x80, NPT_FAULT_NONE },
	/* Reading sets A only: the first store still faults on D. */
	{ "sv39x4 read, old 2M", SV39, 0x80200000, RD, 21, 0x20080000, AF, 1,
	  0x40, NPT_FAULT_NONE },
};

KUNIT_ARRAY_PARAM_DESC(flt_flag, flt_flags, desc);

static void npt_flt_set_flags(struct kunit *test)
{
	const struct flt_flag *c = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = flt_table(test, env, c->fc);
	struct npt_walk_info before, after;
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_kt_snap *snap;
	u32 i, n;

	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, c->gpa, &before), 0);
	n = before.levels;
	KUNIT_ASSERT_EQ(test, n, c->fc->cfg.levels - c->lvl);
	KUNIT_ASSERT_EQ(test, before.pte[n - 1] & c->set, 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, c->gpa, c->access, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.fault.fault, c->fault);
	KUNIT_EXPECT_EQ(test, fr.fault.lvl, c->lvl);
	KUNIT_EXPECT_EQ(test, fr.fault.syndrome, c->syndrome);
	KUNIT_EXPECT_EQ(test, fr.fault.addr, c->addr);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_FLAGS);
	KUNIT_EXPECT_EQ(test, fr.lvl, c->lvl);
	KUNIT_EXPECT_EQ(test, fr.hpa, c->gpa);

	/* The leaf gained exactly those bits; nothing else changed. */
	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, c->gpa, &after), 0);
	KUNIT_ASSERT_EQ(test, after.levels, n);
	for (i = 0; i < n - 1; i++)
		KUNIT_EXPECT_EQ(test, after.pte[i], before.pte[i]);
	KUNIT_EXPECT_EQ(test, after.pte[n - 1], before.pte[n - 1] | c->set);

	snap = npt_kt_snap(test, t, env);
	KUNIT_ASSERT_EQ(test, npt_access(t, c->gpa, c->access, &r), 0);
	KUNIT_EXPECT_EQ(test, r.fault, c->then);
	KUNIT_EXPECT_EQ(test, r.updated, 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* Resolved: spurious now, or the fault that remains, unresolved. */
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, c->gpa, c->access, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.fault.fault, c->then);
	KUNIT_EXPECT_EQ(test, fr.action, c->then == NPT_FAULT_NONE ?
			NPT_RESOLVED_SPURIOUS : NPT_RESOLVED_NONE);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	if (c->then != NPT_FAULT_NONE)
		return;
	KUNIT_EXPECT_EQ(test, fr.lvl, c->lvl);
	KUNIT_EXPECT_EQ(test, fr.hpa, c->gpa);

	/* A store after a read's A: D is still clear. */
	if (c->access == RD && c->fc->cfg.format == NPT_FORMAT_SV39X4) {
		KUNIT_ASSERT_EQ(test, npt_handle_fault(t, c->gpa, WR, &fr), 0);
		KUNIT_EXPECT_EQ(test, fr.fault.fault, DIRTY);
		KUNIT_EXPECT_EQ(test, fr.fault.syndrome, 23);
		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_FLAGS);
		KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, c->gpa, &after), 0);
		KUNIT_EXPECT_EQ(test, after.pte[n - 1],
				before.pte[n - 1] | 0xc0);
	}
}

static void flt_lazy_region(struct kunit *test, struct npt_table *t,
			    u32 max_prot)
{
	struct npt_region rg = {
		.gpa = FLT_LAZY, .size = FLT_LAZY_SIZE, .max_prot = max_prot,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
	};

	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
}

/*
 * A write to an empty table inside a lazy region maps a fresh zeroed page
 * the table owns; the fault is spurious after that and changes nothing.
 */
static void npt_flt_lazy(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	u32 levels = fc->cfg.levels, root = fc->cfg.root_pages;
	const u64 gpa = FLT_LAZY + 0x1234;
	struct npt_access_result want = {
		.fault = NP, .lvl = levels - 1, .syndrome = fc->lazy_syndrome,
		.addr = fc->lazy_addr, .exit_reason = fc->lazy_exit,
	};
	static const u8 zero[64];
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_kt_snap *snap;
	struct npt_stats st;
	u8 buf[64];
	u64 page;

	flt_lazy_region(test, t, R | W);
	KUNIT_ASSERT_EQ(test, npt_topup(t, levels), 0);
	KUNIT_EXPECT_EQ(test, env->live, root + levels);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, gpa, WR, &fr), 0);
	flt_expect(test, &fr.fault, &want);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_MAPPED);
	KUNIT_EXPECT_EQ(test, fr.lvl, 0);
	page = fr.hpa;
	KUNIT_EXPECT_NE(test, page, 0);
	KUNIT_EXPECT_EQ(test, page & (SZ_4K_ULL - 1), 0);
	/* Only RISC-V (no Svvptc) may cache the invalid entry: flush it. */
	if (fc->cfg.format == NPT_FORMAT_SV39X4)
		KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&fr.plan,
							   FLT_LAZY + SZ_4K_ULL,
							   SZ_4K_ULL));
	else
		KUNIT_EXPECT_EQ(test, fr.plan.nr, 0);

	KUNIT_ASSERT_EQ(test, npt_translate(t, gpa, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.hpa, page + 0x234);
	KUNIT_EXPECT_EQ(test, tr.lvl, 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);
	KUNIT_EXPECT_EQ(test, tr.attr, NPT_MT_WB);
	/* Every page came from the cache: tables, and the data page. */
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.table_pages, root + levels - 1);
	KUNIT_EXPECT_EQ(test, st.data_pages, 1);
	KUNIT_EXPECT_EQ(test, env->live, root + levels);
	KUNIT_ASSERT_EQ(test, npt_read_guest(t, gpa, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, zero, sizeof(buf));

	/* The guest's retry translates (and sets A/D or AF as it may). */
	KUNIT_ASSERT_EQ(test, npt_access(t, gpa, WR, &r), 0);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
	KUNIT_EXPECT_EQ(test, r.hpa, page + 0x234);

	/* Another vCPU's fault on the same page is spurious. */
	snap = npt_kt_snap(test, t, env);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, gpa, RD, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_SPURIOUS);
	KUNIT_EXPECT_EQ(test, fr.fault.fault, NPT_FAULT_NONE);
	KUNIT_EXPECT_EQ(test, fr.fault.updated, 0);
	KUNIT_EXPECT_EQ(test, fr.lvl, 0);
	KUNIT_EXPECT_EQ(test, fr.hpa, page);
	/*
	 * The other vCPU may fault on a leaf its TLB keeps (Arm, RISC-V): the
	 * resolution flushes it.  EPT's violation did already.
	 */
	if (fc->cfg.format == NPT_FORMAT_EPT4)
		KUNIT_EXPECT_EQ(test, fr.plan.nr, 0);
	else
		KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&fr.plan, gpa &
							   ~(SZ_4K_ULL - 1),
							   SZ_4K_ULL));
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* Faults no region resolves: the fault stands and nothing changes. */
static void npt_flt_unresolvable(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = flt_table(test, env, fc);
	struct npt_region none = {
		.gpa = FLT_LAZY + FLT_LAZY_SIZE, .size = SZ_2M_ULL,
		.max_prot = R | W | X, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_NONE,
	};
	static const struct {
		u64 gpa;
		u32 access;
		u32 fault;
	} cases[] = {
		{ FLT_LAZY, WR, NP },			/* beyond max_prot R */
		{ FLT_LAZY + 0x5000, EX, NP },		/* beyond max_prot R */
		{ FLT_LAZY + SZ_1M_ULL, WR, PERM },	/* mapped R */
		{ FLT_LAZY + FLT_LAZY_SIZE, RD, NP },	/* not lazy */
		{ 0x80403000, RD, NP },			/* no region */
	};
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_op_result res;
	struct npt_kt_snap *snap;
	unsigned int i;

	flt_lazy_region(test, t, R);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &none), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, FLT_LAZY + SZ_1M_ULL, 0x80400000,
				      SZ_4K_ULL, R, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	snap = npt_kt_snap(test, t, env);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_ASSERT_EQ(test, npt_access(t, cases[i].gpa,
						 cases[i].access, &r), 0);
		KUNIT_EXPECT_EQ_MSG(test, r.fault, cases[i].fault, "case %u", i);
		KUNIT_ASSERT_EQ(test, npt_handle_fault(t, cases[i].gpa,
						       cases[i].access, &fr),
				0);
		KUNIT_EXPECT_EQ_MSG(test, fr.action, NPT_RESOLVED_NONE,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&fr.fault, &r, sizeof(r)), 0,
				    "case %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, npt_kt_snap_same(t, env, snap),
				      "case %u", i);
	}

	/* An access kind the table does not have. */
	KUNIT_EXPECT_EQ(test, npt_access(t, 0x80400000, fc->foreign, &r),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, fc->foreign, &fr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, NPT_ACC_MAX + 1,
					       &fr), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, 0, &fr), -EINVAL);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

/*
 * A lazy fault with the page cache empty or short, after an injected
 * allocation failure, and at the page limit: an error, nothing changed,
 * no page lost; the retry after a top-up maps the page.
 */
static void npt_flt_nomem(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	u32 levels = fc->cfg.levels, root = fc->cfg.root_pages;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_kt_snap *snap;

	flt_lazy_region(test, t, R | W);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, RD, &fr), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_EXPECT_EQ(test, env->live, root);

	/* The provider fails the second page: the first stays cached. */
	npt_kt_fail_nth(env, 2);
	KUNIT_EXPECT_EQ(test, npt_topup(t, levels), -ENOMEM);
	npt_kt_fail_nth(env, 0);
	KUNIT_EXPECT_EQ(test, env->live, root + 1);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, WR, &fr), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* One page short: levels - 1 tables and the page are needed. */
	KUNIT_ASSERT_EQ(test, npt_topup(t, levels - 1), 0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, WR, &fr), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_EXPECT_EQ(test, npt_translate(t, FLT_LAZY, &tr), -ENOENT);
	KUNIT_EXPECT_EQ(test, env->live, root + levels - 1);

	KUNIT_ASSERT_EQ(test, npt_topup(t, levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, FLT_LAZY, WR, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_MAPPED);
	KUNIT_EXPECT_EQ(test, env->live, root + levels);

	/* The next page of the same table needs one page: the cache is dry. */
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY + SZ_4K_ULL, RD,
					       &fr), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_ASSERT_EQ(test, npt_topup(t, 1), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, FLT_LAZY + SZ_4K_ULL, RD,
					       &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_MAPPED);
	KUNIT_EXPECT_EQ(test, fr.fault.lvl, 0);
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);

	/* The limit leaves room for the tables but not for the page. */
	t = npt_kt_create(test, env, &fc->cfg, root + levels - 1);
	flt_lazy_region(test, t, R | W);
	KUNIT_ASSERT_EQ(test, npt_topup(t, levels), 0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_handle_fault(t, FLT_LAZY, WR, &fr), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* A dirty-logged region of pages the caller maps, read-write. */
static struct npt_region flt_log_region(u64 gpa, u64 size)
{
	return (struct npt_region){
		.gpa = gpa, .size = size, .max_prot = R | W,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_NONE,
		.flags = NPT_REGION_DIRTY_LOG,
	};
}

/*
 * A dirty log over pages the caller mapped: write-protection and write
 * faults, or, where the hardware sets a dirty flag (EPT with A/D: bit 9;
 * RISC-V with Svadu: bit 7), the flag cleared, set by a write without a
 * fault, and harvested.  Either way a write is logged once and a clearing
 * harvest flushes the page it re-arms.
 */
static void npt_flt_dirty_log(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	bool hw = fc->cfg.options & (NPT_OPT_EPT_AD | NPT_OPT_RV_HWAD);
	npt_pte_t d = fc->cfg.format == NPT_FORMAT_EPT4 ? 0x200 : 0x80;
	const u64 g = 0x300000000ULL;
	struct npt_region rg = flt_log_region(g, 16 * SZ_4K_ULL);
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_op_result res;
	unsigned long bm[1];

	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, 4 * SZ_4K_ULL, R | W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, hw ? R | W : R);
	if (hw)
		KUNIT_EXPECT_EQ(test, tr.pte & d, 0);

	KUNIT_ASSERT_EQ(test, npt_access(t, g + SZ_4K_ULL, WR, &r), 0);
	if (hw) {
		KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
		KUNIT_EXPECT_TRUE(test, r.updated & NPT_UPD_DIRTY);
	} else {
		KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_PERMISSION);
		KUNIT_ASSERT_EQ(test, npt_handle_fault(t, g + SZ_4K_ULL, WR,
						       &fr), 0);
		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_DIRTY);
	}
	KUNIT_ASSERT_EQ(test, npt_access(t, g + SZ_4K_ULL, WR, &r), 0);
	KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);

	bm[0] = ~0UL;
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, g, 16 * SZ_4K_ULL, bm,
						true, &res), 0);
	/* One bit per page of the range; the bits past it are untouched. */
	KUNIT_EXPECT_EQ(test, bm[0], ~0UL << 16 | 0x2);
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, g + SZ_4K_ULL,
						   SZ_4K_ULL));
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, hw ? R | W : R);
	if (hw)
		KUNIT_EXPECT_EQ(test, tr.pte & d, 0);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, g, 16 * SZ_4K_ULL, bm,
						true, &res), 0);
	KUNIT_EXPECT_EQ(test, bm[0], ~0UL << 16);
}

/* A write to @gpa as the CPU makes it, resolved as a hypervisor would. */
static void flt_write(struct kunit *test, struct npt_table *t, u64 gpa)
{
	struct npt_access_result r;
	struct npt_fault_result fr;

	KUNIT_ASSERT_EQ(test, npt_access(t, gpa, WR, &r), 0);
	if (r.fault == NPT_FAULT_NONE)
		return;
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, gpa, WR, &fr), 0);
	KUNIT_ASSERT_EQ(test, npt_access(t, gpa, WR, &r), 0);
	KUNIT_ASSERT_EQ(test, r.fault, NPT_FAULT_NONE);
}

/*
 * A page written and then unmapped, or replaced, before the harvest is
 * still in the log: where the hardware keeps the dirty flag, the flag
 * leaves with the leaf and npt logs it then.  A written 2 MiB block logs
 * all its pages, also when a page of it is unmapped first (a split).
 */
static void npt_flt_dirty_log_gone(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	const u64 g = 0x300000000ULL, blk = g + SZ_2M_ULL;
	struct npt_region rg = flt_log_region(g, 2 * SZ_2M_ULL);
	struct npt_op_result res;
	struct npt_stats st;
	unsigned long *bm;

	bm = kunit_kzalloc(test, BITS_TO_LONGS(1024) * sizeof(long),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, 4 * SZ_4K_ULL, R | W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	flt_write(test, t, g + SZ_4K_ULL);
	flt_write(test, t, g + 2 * SZ_4K_ULL);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g + SZ_4K_ULL, SZ_4K_ULL, 0, &res),
			0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g + 2 * SZ_4K_ULL, 2 * g, SZ_4K_ULL,
				      R | W, NPT_MT_WB, NPT_OP_REPLACE, &res),
			0);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, g, 4 * SZ_4K_ULL, bm, true,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bm[0] & 0xf, 0x6);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, g, 4 * SZ_4K_ULL, bm, true,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bm[0] & 0xf, 0);

	KUNIT_ASSERT_EQ(test, npt_map(t, blk, blk, SZ_2M_ULL, R | W, NPT_MT_WB,
				      0, &res), 0);
	npt_get_stats(t, &st);
	KUNIT_ASSERT_EQ(test, st.leaves[1], 1);
	flt_write(test, t, blk + 5 * SZ_4K_ULL);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, blk + 7 * SZ_4K_ULL, SZ_4K_ULL, 0,
					&res), 0);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, blk, SZ_2M_ULL, bm, true,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, NPT_PTRS), NPT_PTRS);
}

/* The accessed flag: EPT A (bit 8), Arm AF (bit 10), RISC-V A (bit 6). */
static npt_pte_t flt_acc_bit(u32 format)
{
	return format == NPT_FORMAT_EPT4 ? BIT_ULL(8) :
	       format == NPT_FORMAT_ARM64_S2 ? BIT_ULL(10) : BIT_ULL(6);
}

/* npt_age() over [@gpa, @gpa + @size), which must succeed. */
static u64 flt_age(struct kunit *test, struct npt_table *t, u64 gpa,
		   u64 size, unsigned long *bm, u32 flags)
{
	u64 young;

	KUNIT_EXPECT_EQ(test, npt_age(t, gpa, size, bm, flags, &young), 0);
	return young;
}

/*
 * npt_age() that must fail with @err, reporting nothing and writing no
 * bitmap (one word, given only where it would hold the range).
 */
static void flt_age_err(struct kunit *test, struct npt_table *t, u64 gpa,
			u64 size, u32 flags, int err)
{
	unsigned long bm[1] = { ~0UL };
	bool fits = size <= BITS_PER_LONG * SZ_4K_ULL;
	u64 young = 1;

	KUNIT_EXPECT_EQ(test, npt_age(t, gpa, size, fits ? bm : NULL, flags,
				      &young), err);
	KUNIT_EXPECT_EQ(test, young, 0);
	KUNIT_EXPECT_EQ(test, bm[0], ~0UL);
}

/*
 * Aging: the accessed flag of each leaf (EPT A, bit 8, with A/D; Arm AF,
 * bit 10; RISC-V A, bit 6) reported per page, and cleared with nothing
 * else: the dirty flag (EPT bit 9, RISC-V bit 7) stays.  A test alone
 * changes nothing, and a block is aged whole: by this call, or with
 * NPT_AGE_MORE by the call that covers its end.  An access sets the flag
 * again: by itself where the hardware manages it, else through an
 * access-flag fault that npt_handle_fault() resolves.  EPT without A/D has
 * no flag: EOPNOTSUPP.  Bad arguments come first and change nothing.
 */
static void npt_flt_age(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	u32 fmt = fc->cfg.format, opt = fc->cfg.options;
	bool ept = fmt == NPT_FORMAT_EPT4, arm = fmt == NPT_FORMAT_ARM64_S2;
	bool hw = opt & (NPT_OPT_EPT_AD | NPT_OPT_S2_HA | NPT_OPT_RV_HWAD);
	npt_pte_t a = flt_acc_bit(fmt);
	npt_pte_t d = ept ? BIT_ULL(9) : arm ? 0 : BIT_ULL(7);
	const u64 g = 0x300000000ULL, blk = g + SZ_2M_ULL, gib = 4 * SZ_1G_ULL;
	const u32 clr = NPT_AGE_CLEAR, more = NPT_AGE_MORE;
	const unsigned int nbits = 2 * NPT_PTRS;
	struct npt_access_result r;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_op_result res;
	unsigned long *bm;

	bm = kunit_kzalloc(test, BITS_TO_LONGS(nbits) * sizeof(long),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, 4 * SZ_4K_ULL, R | W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g + 4 * SZ_4K_ULL, g, 2 * SZ_4K_ULL,
				      R | W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS | NPT_OP_OLD, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, blk, blk, SZ_2M_ULL, R | W, NPT_MT_WB,
				      0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, gib, gib, SZ_1G_ULL, R | W, NPT_MT_WB,
				      0, &res), 0);
	flt_age_err(test, t, g, SZ_4K_ULL, BIT(5), -EINVAL);
	flt_age_err(test, t, g + 1, SZ_4K_ULL, clr, -EINVAL);
	flt_age_err(test, t, g, 0, clr, -EINVAL);
	flt_age_err(test, t, g, NPT_AGE_MAX + SZ_4K_ULL, clr, -EINVAL);
	flt_age_err(test, t, -SZ_4K_ULL, 2 * SZ_4K_ULL, clr, -EOVERFLOW);
	flt_age_err(test, t, BIT_ULL(fc->cfg.ia_bits) - SZ_4K_ULL,
		    2 * SZ_4K_ULL, clr, -ERANGE);
	if (ept && !(opt & NPT_OPT_EPT_AD)) {
		flt_age_err(test, t, g, 2 * SZ_4K_ULL, clr, -EOPNOTSUPP);
		return;
	}

	/* Young: pages 0-3 and the block at 512; 4-5 are old, 6-511 holes. */
	bitmap_fill(bm, nbits);
	KUNIT_EXPECT_EQ(test, flt_age(test, t, g, 2 * SZ_2M_ULL, bm, 0),
			4 + NPT_PTRS);
	KUNIT_EXPECT_EQ(test, bm[0] & 0xff, 0xf);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, nbits), 4 + NPT_PTRS);
	KUNIT_EXPECT_TRUE(test, test_bit(NPT_PTRS, bm));
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_NE(test, tr.pte & a, 0);

	/* The range takes one page of the block: the block is aged whole. */
	KUNIT_EXPECT_EQ(test, flt_age(test, t, g, SZ_2M_ULL + SZ_4K_ULL, bm,
				      clr), 4 + 1);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.pte & a, 0);
	if (d)
		KUNIT_EXPECT_NE(test, tr.pte & d, 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);
	KUNIT_ASSERT_EQ(test, npt_translate(t, blk + 8 * SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.pte & a, 0);
	KUNIT_EXPECT_EQ(test, flt_age(test, t, g, 2 * SZ_2M_ULL, bm, clr), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, nbits), 0);

	/* A 1 GiB block in two pieces: the piece with its end clears it. */
	KUNIT_EXPECT_EQ(test, flt_age(test, t, gib, SZ_2M_ULL, NULL,
				      clr | more), NPT_PTRS);
	KUNIT_ASSERT_EQ(test, npt_translate(t, gib, &tr), 0);
	KUNIT_EXPECT_NE(test, tr.pte & a, 0);
	KUNIT_EXPECT_EQ(test, flt_age(test, t, gib + SZ_2M_ULL,
				      SZ_1G_ULL - SZ_2M_ULL, NULL, clr),
			NPT_PTRS * NPT_PTRS - NPT_PTRS);
	KUNIT_ASSERT_EQ(test, npt_translate(t, gib, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.pte & a, 0);
	/* A block that ends where the piece ends is the piece's to clear. */
	KUNIT_ASSERT_EQ(test, npt_map(t, gib + SZ_1G_ULL, gib, SZ_2M_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, flt_age(test, t, gib + SZ_1G_ULL, SZ_2M_ULL, NULL,
				      clr | more), NPT_PTRS);
	KUNIT_ASSERT_EQ(test, npt_translate(t, gib + SZ_1G_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 1);
	KUNIT_EXPECT_EQ(test, tr.pte & a, 0);

	/* A read of page 1 makes it young again. */
	KUNIT_ASSERT_EQ(test, npt_access(t, g + SZ_4K_ULL, RD, &r), 0);
	if (hw) {
		KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_NONE);
		KUNIT_EXPECT_TRUE(test, r.updated & NPT_UPD_ACCESSED);
	} else {
		KUNIT_EXPECT_EQ(test, r.fault, NPT_FAULT_ACCESS_FLAG);
		KUNIT_ASSERT_EQ(test, npt_handle_fault(t, g + SZ_4K_ULL, RD,
						       &fr), 0);
		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_FLAGS);
	}
	KUNIT_EXPECT_EQ(test, flt_age(test, t, g, 2 * SZ_2M_ULL, bm, clr), 1);
	KUNIT_EXPECT_EQ(test, bm[0] & 0xff, 0x2);
}

/*
 * An accessed flag the CPU sets while a split or a collapse replaces the
 * entries it lands in is not lost to aging.  Split: the hook of a lazy
 * block's split sets it in the old block after npt read it; the 511
 * pages left must read young.  Collapse on Arm: a CPU may set it in a
 * page until the flush of the break of the table entry completes; the
 * block must read young.  Only where the hardware sets the flag.
 */
static void npt_flt_age_race(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	u32 fmt = fc->cfg.format;
	npt_pte_t a = flt_acc_bit(fmt);
	struct npt_region rg = {
		.gpa = FLT_LAZY, .size = SZ_2M_ULL, .max_prot = R | W,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_LAZY_BLOCKS,
	};
	const u64 g = 0x300000000ULL;
	struct npt_fault_result fr;
	struct npt_op_result res;
	u64 young;

	if (!(fc->cfg.options & (NPT_OPT_EPT_AD | NPT_OPT_S2_HA |
				 NPT_OPT_RV_HWAD)))
		kunit_skip(test, "no hardware sets the accessed flag");
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_topup_blocks(t, 1), 0);
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, FLT_LAZY, RD, &fr), 0);
	KUNIT_ASSERT_EQ(test, fr.lvl, 1);
	KUNIT_ASSERT_EQ(test, npt_age(t, FLT_LAZY, SZ_2M_ULL, NULL,
				      NPT_AGE_CLEAR, &young), 0);
	env->split_ptep = npt_kt_ptep(t, FLT_LAZY, 1);
	KUNIT_ASSERT_NOT_NULL(test, env->split_ptep);
	env->split_bits = a;
	KUNIT_ASSERT_EQ(test, npt_unmap(t, FLT_LAZY + 7 * SZ_4K_ULL, SZ_4K_ULL,
					0, &res), 0);
	env->split_ptep = NULL;
	KUNIT_ASSERT_EQ(test, npt_age(t, FLT_LAZY, SZ_2M_ULL, NULL, 0, &young),
			0);
	KUNIT_EXPECT_EQ(test, young, NPT_PTRS - 1);

	if (fmt != NPT_FORMAT_ARM64_S2)
		return;
	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, SZ_2M_ULL, R | W, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_age(t, g, SZ_2M_ULL, NULL, NPT_AGE_CLEAR,
				      &young), 0);
	env->flush_ptep = npt_kt_ptep(t, g + 5 * SZ_4K_ULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, env->flush_ptep);
	env->flush_bits = a;
	KUNIT_ASSERT_EQ(test, npt_collapse(t, g, SZ_2M_ULL, &res), 0);
	KUNIT_EXPECT_NULL(test, env->flush_ptep);
	env->flush_ptep = NULL;
	KUNIT_ASSERT_EQ(test, npt_age(t, g, SZ_2M_ULL, NULL, 0, &young), 0);
	KUNIT_EXPECT_EQ(test, young, NPT_PTRS);
}

/*
 * In a dirty-logged region only what the log write-protected gets write
 * permission back on a write fault: a page the caller mapped read-only, or
 * made read-only with a protect, stays read-only and the write stays a
 * fault.  A protect back to read-write is write-protected by the log again
 * (where the log write-protects), and a write fault then grants it.  The
 * removal of the region gives back what the log took, and only that.
 */
static void npt_flt_dirty_log_ro(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	bool hw = fc->cfg.options & (NPT_OPT_EPT_AD | NPT_OPT_RV_HWAD);
	const u64 g = 0x300000000ULL;
	struct npt_region rg = flt_log_region(g, 4 * SZ_4K_ULL);
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_kt_snap *snap;
	unsigned long bm[1];
	u64 p;

	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, SZ_4K_ULL, R, NPT_MT_WB, 0,
				      &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g + SZ_4K_ULL, g, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_protect(t, g + SZ_4K_ULL, SZ_4K_ULL, R,
					  NPT_MT_WB, 0, &res), 0);
	for (p = g; p < g + 2 * SZ_4K_ULL; p += SZ_4K_ULL) {
		snap = npt_kt_snap(test, t, env);
		KUNIT_ASSERT_EQ(test, npt_handle_fault(t, p, WR, &fr), 0);
		KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_NONE);
		KUNIT_EXPECT_EQ(test, fr.fault.fault, NPT_FAULT_PERMISSION);
		KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
		KUNIT_ASSERT_EQ(test, npt_translate(t, p, &tr), 0);
		KUNIT_EXPECT_EQ(test, tr.prot, R);
	}

	KUNIT_ASSERT_EQ(test, npt_protect(t, g + SZ_4K_ULL, SZ_4K_ULL, R | W,
					  NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, hw ? R | W : R);
	flt_write(test, t, g + SZ_4K_ULL);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, g, 4 * SZ_4K_ULL, bm, true,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bm[0] & 0xf, 0x2);

	/* The harvest took W again; the end of the log gives it back. */
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, hw ? R | W : R);
	rg.size = 0;
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_4K_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);

	/* W the caller gave comes back even where max_prot has none. */
	rg.gpa = g + 16 * SZ_4K_ULL;
	rg.size = SZ_4K_ULL;
	rg.max_prot = R;
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, rg.gpa, g, SZ_4K_ULL, R | W,
				      NPT_MT_WB, 0, &res), 0);
	flt_write(test, t, rg.gpa);
	KUNIT_ASSERT_EQ(test, npt_translate(t, rg.gpa, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.prot, R | W);
}

/*
 * Where the log reads dirty flags, a block mapped before two logged
 * regions may reach into both: a harvest of either clears the block's
 * flag and logs its pages in both, so that the other loses nothing.  So
 * does the start of a log over part of a written block.
 */
static void npt_flt_dirty_log_shared(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	const u64 blk = 0x300000000ULL, half = SZ_1M_ULL;
	struct npt_region a = flt_log_region(blk, half);
	struct npt_region b = flt_log_region(blk + half, half);
	struct npt_op_result res;
	unsigned long *bm;

	if (!(fc->cfg.options & (NPT_OPT_EPT_AD | NPT_OPT_RV_HWAD)))
		kunit_skip(test, "the log splits blocks at its edges");
	bm = kunit_kzalloc(test, BITS_TO_LONGS(NPT_PTRS) * sizeof(long),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	KUNIT_ASSERT_EQ(test, npt_map(t, blk, blk, SZ_2M_ULL, R | W, NPT_MT_WB,
				      0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &a), 0);
	/* A write in a's half; b's start clears the block's flag. */
	flt_write(test, t, blk + 8);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &b), 0);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, a.gpa, half, bm, true,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, NPT_PTRS / 2), NPT_PTRS / 2);
	/* A write in b's half; a's harvest clears the flag. */
	flt_write(test, t, b.gpa + 8);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, a.gpa, half, bm, true,
						&res), 0);
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, b.gpa, half, bm, false,
						&res), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, NPT_PTRS / 2), NPT_PTRS / 2);
}

/*
 * The log write-protects a leaf whole, so no block crosses the edge of a
 * logged region: a collapse leaves the pages of a 2 MiB range that the
 * edge cuts, and folds those of a range outside.
 */
static void npt_flt_dirty_log_edge(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	const u64 g = 0x300000000ULL;
	struct npt_region rg = flt_log_region(g + SZ_1M_ULL, SZ_2M_ULL);
	struct npt_translation tr;
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_map(t, g, g, 3 * SZ_2M_ULL, R, NPT_MT_WB,
				      NPT_OP_NO_BLOCKS, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_collapse(t, g, 3 * SZ_2M_ULL, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + SZ_2M_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, g + 2 * SZ_2M_ULL, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 1);
}

/*
 * Where the log reads dirty flags, a write that sets the flag of a block
 * while an unmap splits it (here: as npt splits the lazy block's pages)
 * is not lost: the 512 leaves carry it, and the harvest logs them all.
 */
static void npt_flt_dirty_log_split(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	bool ept = fc->cfg.format == NPT_FORMAT_EPT4;
	struct npt_region rg = {
		.gpa = FLT_LAZY, .size = SZ_2M_ULL, .max_prot = R | W,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_LAZY_BLOCKS | NPT_REGION_DIRTY_LOG,
	};
	struct npt_fault_result fr;
	struct npt_op_result res;
	unsigned long *bm;

	if (!(fc->cfg.options & (NPT_OPT_EPT_AD | NPT_OPT_RV_HWAD)))
		kunit_skip(test, "the log write-protects: no dirty flag");
	bm = kunit_kzalloc(test, BITS_TO_LONGS(NPT_PTRS) * sizeof(long),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	KUNIT_ASSERT_EQ(test, npt_topup_blocks(t, 1), 0);
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, FLT_LAZY, RD, &fr), 0);
	KUNIT_ASSERT_EQ(test, fr.lvl, 1);

	/* Accessed and dirty: EPT bits 8 and 9, RISC-V bits 6 and 7. */
	env->split_ptep = npt_kt_ptep(t, FLT_LAZY, 1);
	KUNIT_ASSERT_NOT_NULL(test, env->split_ptep);
	env->split_bits = ept ? 0x300 : 0xc0;
	KUNIT_ASSERT_EQ(test, npt_unmap(t, FLT_LAZY + 7 * SZ_4K_ULL, SZ_4K_ULL,
					0, &res), 0);
	env->split_ptep = NULL;
	KUNIT_ASSERT_EQ(test, npt_get_dirty_log(t, FLT_LAZY, SZ_2M_ULL, bm,
						false, &res), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bm, NPT_PTRS), NPT_PTRS);
}

/*
 * A region with NPT_REGION_LAZY_BLOCKS: without a reserved block, or where
 * a page is mapped in the aligned 2 MiB already, a fault maps a page; with
 * one, a 2 MiB leaf counted as 512 data pages.  A partial unmap splits it
 * and its pages are freed one by one; nothing leaks.
 */
static void npt_flt_lazy_block(struct kunit *test)
{
	const struct flt_cfg *fc = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, &fc->cfg, 0);
	struct npt_region rg = {
		.gpa = FLT_LAZY, .size = FLT_LAZY_SIZE, .max_prot = R | W,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_LAZY_BLOCKS,
	};
	const u64 page = FLT_LAZY + SZ_2M_ULL;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_stats st;
	u64 block;

	KUNIT_ASSERT_EQ(test, npt_set_region(t, &rg), 0);
	/* A block is wanted only for a fault the region resolves. */
	KUNIT_EXPECT_TRUE(test, npt_region_blocks(t, page, WR));
	KUNIT_EXPECT_FALSE(test, npt_region_blocks(t, page, EX));
	KUNIT_EXPECT_FALSE(test, npt_region_blocks(t, page, NPT_ACC_MAX + 1));
	KUNIT_EXPECT_FALSE(test, npt_region_blocks(t, FLT_LAZY - SZ_4K_ULL,
						   RD));
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, page, RD, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_MAPPED);
	KUNIT_EXPECT_EQ(test, fr.lvl, 0);

	KUNIT_ASSERT_EQ(test, npt_topup_blocks(t, 1), 0);
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, page + SZ_4K_ULL, RD, &fr),
			0);
	KUNIT_EXPECT_EQ(test, fr.lvl, 0);
	KUNIT_ASSERT_EQ(test, npt_topup(t, fc->cfg.levels), 0);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, FLT_LAZY + 0x1234, WR, &fr),
			0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_MAPPED);
	KUNIT_EXPECT_EQ(test, fr.lvl, 1);
	block = fr.hpa;
	KUNIT_EXPECT_EQ(test, block & (SZ_2M_ULL - 1), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, page - 8, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 1);
	KUNIT_EXPECT_EQ(test, tr.hpa, block + SZ_2M_ULL - 8);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.data_pages, 514);

	KUNIT_ASSERT_EQ(test, npt_unmap(t, FLT_LAZY + SZ_4K_ULL, SZ_4K_ULL, 0,
					&res), 0);
	KUNIT_ASSERT_EQ(test, npt_translate(t, FLT_LAZY + 8, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.lvl, 0);
	KUNIT_EXPECT_EQ(test, tr.hpa, block + 8);
	KUNIT_EXPECT_EQ(test, npt_translate(t, FLT_LAZY + SZ_4K_ULL, &tr),
			-ENOENT);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.data_pages, 513);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, FLT_LAZY, FLT_LAZY_SIZE, 0, &res),
			0);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.data_pages, 0);
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* The configurations whose read of 0x80401000 does not fault. */
static const struct flt_cfg *const flt_spurious_cfgs[] = {
	&flt_cfgs[FLT_EPT4], &flt_cfgs[FLT_EPT4_AD], &flt_cfgs[FLT_EPT4_MBEC],
	&flt_cfgs[FLT_S2_40_HA], &flt_cfgs[FLT_SV39_HWAD],
};

static void flt_spurious_desc(const struct flt_cfg *const *fc, char *desc)
{
	strscpy(desc, (*fc)->cfg.desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(flt_spurious, flt_spurious_cfgs, flt_spurious_desc);

/*
 * A fault the CPU would no longer take (another vCPU resolved it, or the
 * hardware sets the flags itself) is spurious and changes nothing: the
 * look does not set A/D or AF, the guest's retry does.
 */
static void npt_flt_spurious_old(struct kunit *test)
{
	const struct flt_cfg *const *p = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = flt_table(test, env, *p);
	struct npt_fault_result fr;
	struct npt_kt_snap *snap;

	snap = npt_kt_snap(test, t, env);
	KUNIT_ASSERT_EQ(test, npt_handle_fault(t, 0x80401000, RD, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.action, NPT_RESOLVED_SPURIOUS);
	KUNIT_EXPECT_EQ(test, fr.fault.fault, NPT_FAULT_NONE);
	KUNIT_EXPECT_EQ(test, fr.fault.updated, 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

static struct kunit_case npt_fault_cases[] = {
	KUNIT_CASE_PARAM(npt_flt_access, flt_case_gen_params),
	KUNIT_CASE_PARAM(npt_flt_updates, flt_ok_gen_params),
	KUNIT_CASE_PARAM(npt_flt_set_flags, flt_flag_gen_params),
	KUNIT_CASE_PARAM(npt_flt_lazy, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_unresolvable, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_nomem, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_spurious_old, flt_spurious_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log_gone, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log_ro, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log_edge, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log_split, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_dirty_log_shared, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_lazy_block, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_age, flt_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_flt_age_race, flt_cfg_gen_params),
	{}
};

static struct kunit_suite npt_fault_suite = {
	.name = "npt_fault",
	.test_cases = npt_fault_cases,
};

kunit_test_suite(npt_fault_suite);
