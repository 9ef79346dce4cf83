// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: Arm VMSAv8-64 stage-2 descriptors, 4 KiB granule (Arm ARM D8,
 * "Stage 2 translation").  Plain bit manipulation: builds on every
 * architecture.
 */

#include <linux/bitfield.h>
#include "npt_priv.h"

#define S2_VALID		BIT_ULL(0)
#define S2_TABLE		BIT_ULL(1)	/* table at L0-L2, page at L3 */
#define S2_MEMATTR		GENMASK_ULL(5, 2)
#define S2_AP_R			BIT_ULL(6)
#define S2_AP_W			BIT_ULL(7)
#define S2_SH			GENMASK_ULL(9, 8)
#define S2_AF			BIT_ULL(10)
#define S2_RES0_11		BIT_ULL(11)
#define S2_ADDR			GENMASK_ULL(47, 12)
#define S2_RES0_HI		GENMASK_ULL(50, 48)
#define S2_XN			BIT_ULL(54)
#define S2_SW_OWNED		BIT_ULL(55)	/* software use, 58:55 */
#define S2_TBL_FULL		BIT_ULL(56)	/* in table descriptors */
#define S2_LOG_WP		BIT_ULL(57)	/* software use, in leaves */
/* An invalid descriptor ignores bits 63:1: one marks a break in progress. */
#define S2_BREAK		BIT_ULL(10)

#define S2_SH_INNER		3
#define S2_SH_RESERVED		1

/* MemAttr[3:0] without and with FEAT_S2FWB. */
#define S2_MEMATTR_DEVICE	0x1
#define S2_MEMATTR_NC		0x5
#define S2_MEMATTR_WB		0xf
#define S2_MEMATTR_FWB_WB	0x6

/* ESR_EL2 of a stage-2 abort taken from a lower EL, and HPFAR_EL2. */
#define ESR_EC			GENMASK_ULL(31, 26)
#define ESR_EC_IABT_LOW		0x20
#define ESR_EC_DABT_LOW		0x24
#define ESR_IL			BIT_ULL(25)
#define ESR_WNR			BIT_ULL(6)
#define ESR_FSC			GENMASK_ULL(5, 0)
#define FSC_ADDR_SIZE		0x00
#define FSC_TRANS		0x04
#define FSC_ACCESS		0x08
#define FSC_PERM		0x0c
#define HPFAR_FIPA		GENMASK_ULL(43, 4)

#define VTCR_T0SZ		GENMASK_ULL(5, 0)
#define VTCR_SL0		GENMASK_ULL(7, 6)
#define VTCR_IRGN0		GENMASK_ULL(9, 8)
#define VTCR_ORGN0		GENMASK_ULL(11, 10)
#define VTCR_SH0		GENMASK_ULL(13, 12)
#define VTCR_TG0		GENMASK_ULL(15, 14)
#define VTCR_PS			GENMASK_ULL(18, 16)
#define VTCR_VS			BIT_ULL(19)
#define VTCR_HA			BIT_ULL(21)
#define VTCR_RES1		BIT_ULL(31)
#define VTCR_RGN_WBWA		1
#define VTTBR_VMID		GENMASK_ULL(63, 48)

/* PARange / VTCR_EL2.PS encodings, indexed by value. */
static const u8 s2_pa_bits[] = { 32, 36, 40, 42, 44, 48 };

static int s2_ps(u32 oa_bits)
{
	int i;

	for (i = 0; i < (int)sizeof(s2_pa_bits); i++)
		if (s2_pa_bits[i] == oa_bits)
			return i;
	return -EINVAL;
}

static void s2_info(u32 format, struct npt_format_info *fi)
{
	fi->options = NPT_OPT_S2_FWB | NPT_OPT_S2_HA;
	fi->prot = NPT_PROT_R | NPT_PROT_W | NPT_PROT_X;
	fi->memtypes = BIT(NPT_MT_WB) | BIT(NPT_MT_NC) | BIT(NPT_MT_DEVICE);
	/* 4 KiB granule without LPA2; output widths are PARange values. */
	fi->ia_min = 32;
	fi->ia_max = 48;
	fi->oa_min = s2_pa_bits[0];
	fi->oa_max = s2_pa_bits[sizeof(s2_pa_bits) - 1];
}

static const struct npt_translator *s2_translator(const struct npt_table *t);

static int s2_init(struct npt_table *t, const struct npt_config *cfg)
{
	u32 ia = cfg->ia_bits ?: 40;
	u32 oa = cfg->oa_bits ?: 48;
	struct npt_format_info fi;
	int root_bits;

	s2_info(cfg->format, &fi);
	if ((cfg->options & ~fi.options) || ia < fi.ia_min ||
	    ia > fi.ia_max || s2_ps(oa) < 0 || cfg->vmid > 0xffff)
		return -EINVAL;

	/* As KVM's stage2_pgtable_levels(): 2, 3 or 4 levels. */
	t->levels = (ia - 8) / 9;
	t->ia_bits = ia;
	t->oa_bits = oa;
	/* A root indexing more than 512 entries is concatenated, <= 16. */
	root_bits = ia - npt_lvl_shift(t->levels - 1);
	t->root_order = root_bits > NPT_LVL_BITS ? root_bits - NPT_LVL_BITS : 0;
	t->leaf_lvls = BIT(0) | BIT(1) | BIT(2);
	t->present = S2_VALID;
	t->addr_mask = S2_ADDR;
	t->pa_shift = 0;
	t->tbl_mask = S2_TABLE;
	t->tbl_val = S2_TABLE;
	t->break_val = S2_BREAK;
	t->lvl_bits = S2_TABLE;
	t->lvl_val[0] = S2_TABLE;
	t->state = S2_AF;
	t->bbm = S2_ADDR | S2_TABLE | S2_MEMATTR | S2_SH;
	t->flush_new = false;
	t->flush_relax = true;
	t->oa_late = false;
	t->accesses = BIT(NPT_ACC_READ) | BIT(NPT_ACC_WRITE) |
		      BIT(NPT_ACC_EXEC);
	t->acc_bit = S2_AF;
	t->dirty_bit = 0;
	t->hw_ad = t->options & NPT_OPT_S2_HA;
	t->acc_tables = false;
	t->af_first = true;
	t->sw_owned = S2_SW_OWNED;
	t->tbl_full = S2_TBL_FULL;
	t->log_wp = S2_LOG_WP;
	npt_set_translator(t, s2_translator(t));
	return 0;
}

static npt_pte_t s2_table(const struct npt_table *t, phys_addr_t pa)
{
	return pa | S2_TABLE | S2_VALID;
}

static int s2_leaf(const struct npt_table *t, u32 prot, u32 attr, u32 flags,
		   int lvl, npt_pte_t *bits)
{
	bool fwb = t->options & NPT_OPT_S2_FWB;
	npt_pte_t pte = S2_VALID | FIELD_PREP(S2_SH, S2_SH_INNER);
	u32 memattr;

	switch (attr & NPT_ATTR_MT_MASK) {
	case NPT_MT_WB:
		memattr = fwb ? S2_MEMATTR_FWB_WB : S2_MEMATTR_WB;
		break;
	case NPT_MT_NC:
		memattr = S2_MEMATTR_NC;
		break;
	case NPT_MT_DEVICE:
		memattr = S2_MEMATTR_DEVICE;
		break;
	default:
		return -EINVAL;
	}
	if ((attr & NPT_ATTR_IPAT) || (prot & NPT_PROT_UX))
		return -EINVAL;
	/* Never executable device or non-cacheable memory. */
	if ((prot & NPT_PROT_X) && (attr & NPT_ATTR_MT_MASK) != NPT_MT_WB)
		return -EINVAL;

	pte |= FIELD_PREP(S2_MEMATTR, memattr);
	if (prot & NPT_PROT_R)
		pte |= S2_AP_R;
	if (prot & NPT_PROT_W)
		pte |= S2_AP_W;
	if (!(prot & NPT_PROT_X))
		pte |= S2_XN;
	if (!(flags & NPT_OP_OLD))
		pte |= S2_AF;
	*bits = pte | t->lvl_val[lvl];
	return 0;
}

/*
 * The memory type of each MemAttr value npt writes; the others, which npt
 * never writes, read as write-back.
 */
static const u8 s2_memattr_to_npt[16] = {
	[S2_MEMATTR_DEVICE] = NPT_MT_DEVICE,
	[S2_MEMATTR_NC] = NPT_MT_NC,
};

static_assert(NPT_MT_WB == 0);

static void s2_decode(const struct npt_table *t, npt_pte_t pte, int lvl,
		      u32 *prot, u32 *attr)
{
	*prot = ((pte & S2_AP_R) ? NPT_PROT_R : 0) |
		((pte & S2_AP_W) ? NPT_PROT_W : 0) |
		((pte & S2_XN) ? 0 : NPT_PROT_X);
	*attr = s2_memattr_to_npt[FIELD_GET(S2_MEMATTR, pte)];
}

/* The walk facts of a stage-2 table whose root is at npt level @root_lvl. */
static __always_inline struct npt_walk_facts
s2_walk_facts(const struct npt_table *t, int root_lvl)
{
	return (struct npt_walk_facts){
		.ia_bits = t->ia_bits,
		.root_lvl = root_lvl,
		.present = S2_VALID,
		.tbl_mask = S2_TABLE,
		.tbl_val = S2_TABLE,
		.addr_mask = S2_ADDR,
		.pa_shift = 0,
	};
}

/*
 * One instance per depth, which the input width decides: 2 levels up to
 * 34 bits, 3 up to 43, 4 from 44.
 */
NPT_DEFINE_TRANSLATOR(s2_l1, s2_decode, s2_walk_facts(t, 1));
NPT_DEFINE_TRANSLATOR(s2_l2, s2_decode, s2_walk_facts(t, 2));
NPT_DEFINE_TRANSLATOR(s2_l3, s2_decode, s2_walk_facts(t, 3));

static const struct npt_translator *s2_translator(const struct npt_table *t)
{
	switch (npt_root_lvl(t)) {
	case 3:
		return &s2_l3_translator;
	case 2:
		return &s2_l2_translator;
	default:
		return &s2_l1_translator;
	}
}

static enum npt_bad s2_validate(const struct npt_table *t, npt_pte_t pte,
				int lvl)
{
	u32 memattr = FIELD_GET(S2_MEMATTR, pte);
	bool table = lvl && (pte & S2_TABLE);

	/* Bits [1:0] = 0b01 at level 3, or a level-0 block: reserved. */
	if ((!lvl && !(pte & S2_TABLE)) || (!table && lvl > 2))
		return NPT_BAD_LEVEL;
	if (pte & S2_RES0_HI)
		return NPT_BAD_RSVD;
	if (pte & S2_ADDR & ~GENMASK_ULL(t->oa_bits - 1, 0))
		return NPT_BAD_OA;
	if (table)
		return NPT_BAD_NONE;
	if ((pte & S2_RES0_11) || FIELD_GET(S2_SH, pte) == S2_SH_RESERVED)
		return NPT_BAD_RSVD;
	if (pte & S2_ADDR & GENMASK_ULL(npt_lvl_shift(lvl) - 1, 0))
		return NPT_BAD_ALIGN;
	/* Normal memory with a reserved inner cacheability. */
	if (!(t->options & NPT_OPT_S2_FWB) && (memattr & 0xc) &&
	    !(memattr & 0x3))
		return NPT_BAD_MEMTYPE;
	return NPT_BAD_NONE;
}

static void s2_root_regs(const struct npt_table *t, struct npt_root_regs *r)
{
	r->root = t->root_pa | FIELD_PREP(VTTBR_VMID, t->vmid);
	r->ctrl = FIELD_PREP(VTCR_T0SZ, 64 - t->ia_bits) |
		  FIELD_PREP(VTCR_SL0, t->levels - 2) |
		  FIELD_PREP(VTCR_IRGN0, VTCR_RGN_WBWA) |
		  FIELD_PREP(VTCR_ORGN0, VTCR_RGN_WBWA) |
		  FIELD_PREP(VTCR_SH0, S2_SH_INNER) |
		  FIELD_PREP(VTCR_TG0, 0) |
		  FIELD_PREP(VTCR_PS, s2_ps(t->oa_bits)) |
		  (t->vmid > 0xff ? VTCR_VS : 0) |
		  ((t->options & NPT_OPT_S2_HA) ? VTCR_HA : 0) |
		  VTCR_RES1;
}

static void s2_syndrome(const struct npt_table *t, u64 gpa, u32 access,
			const npt_pte_t *walk, int n,
			struct npt_access_result *r)
{
	int arm_lvl = 3 - r->lvl;
	u32 fsc;

	switch (r->fault) {
	case NPT_FAULT_INPUT_RANGE:
		/* An IPA beyond T0SZ: translation fault at level 0. */
		fsc = FSC_TRANS;
		break;
	case NPT_FAULT_OUTPUT_RANGE:
		fsc = FSC_ADDR_SIZE + arm_lvl;
		break;
	case NPT_FAULT_ACCESS_FLAG:
		fsc = FSC_ACCESS + arm_lvl;
		break;
	case NPT_FAULT_PERMISSION:
		fsc = FSC_PERM + arm_lvl;
		break;
	default:
		/* Missing entries and reserved encodings. */
		fsc = FSC_TRANS + arm_lvl;
		break;
	}
	r->syndrome = FIELD_PREP(ESR_EC, access == NPT_ACC_EXEC ?
				 ESR_EC_IABT_LOW : ESR_EC_DABT_LOW) |
		      ESR_IL | FIELD_PREP(ESR_FSC, fsc) |
		      (access == NPT_ACC_WRITE ? ESR_WNR : 0);
	r->addr = FIELD_PREP(HPFAR_FIPA, gpa >> NPT_PAGE_SHIFT);
}

const struct npt_fmt npt_fmt_stage2 = {
	.name = "stage2",
	.info = s2_info,
	.init = s2_init,
	.leaf = s2_leaf,
	.table = s2_table,
	.decode = s2_decode,
	.validate = s2_validate,
	.root_regs = s2_root_regs,
	.syndrome = s2_syndrome,
};
