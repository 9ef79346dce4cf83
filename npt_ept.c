// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: Intel EPT entries, 4- and 5-level (SDM vol. 3C, "EPT Translation
 * Mechanism").  Plain bit manipulation: builds on every architecture.
 */

#include <linux/bitfield.h>
#include "npt_priv.h"

#define EPT_R			BIT_ULL(0)
#define EPT_W			BIT_ULL(1)
#define EPT_X			BIT_ULL(2)
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
#define EPT_MT			GENMASK_ULL(5, 3)
#define EPT_IPAT		BIT_ULL(6)
#define EPT_PS			BIT_ULL(7)
#define EPT_A			BIT_ULL(8)
#define EPT_D			BIT_ULL(9)
#define EPT_UX			BIT_ULL(10)
#define EPT_ADDR		GENMASK_ULL(51, 12)
#define EPT_SW_OWNED		BIT_ULL(52)	/* ignored by the CPU */
#define EPT_TBL_FULL		BIT_ULL(53)	/* ignored by the CPU */
#define EPT_LOG_WP		BIT_ULL(54)	/* ignored by the CPU */

/* Guest-physical width of each depth. */
#define EPT4_IA_BITS		48
#define EPT5_IA_BITS		57

/* EPT memory types (SDM "EPT and Memory Typing"); 2, 3 and 7 reserved. */
#define EPT_MT_UC		0
#define EPT_MT_WC		1
#define EPT_MT_WT		4
#define EPT_MT_WP		5
#define EPT_MT_WB		6

/* Exit qualification of an EPT violation and the basic exit reasons. */
#define EPT_QUAL_READ		BIT_ULL(0)
#define EPT_QUAL_WRITE		BIT_ULL(1)
#define EPT_QUAL_FETCH		BIT_ULL(2)
#define EPT_QUAL_RWX		GENMASK_ULL(5, 3)	/* AND of R/W/X */
#define EPT_QUAL_UX		BIT_ULL(6)		/* AND of bit 10 */
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49

/* EPTP: memory type, page-walk length - 1, A/D enable. */
#define EPTP_MT			GENMASK_ULL(2, 0)
#define EPTP_PWL		GENMASK_ULL(5, 3)
#define EPTP_AD			BIT_ULL(6)

static const u8 ept_mt_of[] = {
	[NPT_MT_WB] = EPT_MT_WB,
	[NPT_MT_NC] = EPT_MT_WC,
	[NPT_MT_DEVICE] = EPT_MT_UC,
	[NPT_MT_WT] = EPT_MT_WT,
	[NPT_MT_WP] = EPT_MT_WP,
};

static void ept_info(u32 format, struct npt_format_info *fi)
{
	fi->options = NPT_OPT_EPT_AD | NPT_OPT_EPT_XO | NPT_OPT_EPT_MBEC;
	fi->prot = NPT_PROT_ALL;
	fi->memtypes = BIT(NPT_MT_WB) | BIT(NPT_MT_NC) | BIT(NPT_MT_DEVICE) |
		       BIT(NPT_MT_WT) | BIT(NPT_MT_WP);
	fi->ia_min = format == NPT_FORMAT_EPT5 ? EPT5_IA_BITS : EPT4_IA_BITS;
	fi->ia_max = fi->ia_min;
	/* MAXPHYADDR */
	fi->oa_min = 36;
	fi->oa_max = 52;
}

static const struct npt_translator *ept_translator(const struct npt_table *t);

static int ept_init(struct npt_table *t, const struct npt_config *cfg)
{
	struct npt_format_info fi;
	int lvl;

	ept_info(cfg->format, &fi);
	if ((cfg->options & ~fi.options) ||
	    (cfg->ia_bits && cfg->ia_bits != fi.ia_max) ||
	    (cfg->oa_bits && (cfg->oa_bits < fi.oa_min ||
			      cfg->oa_bits > fi.oa_max)) ||
	    cfg->vmid)
		return -EINVAL;

	t->levels = cfg->format == NPT_FORMAT_EPT5 ? 5 : 4;
	t->ia_bits = fi.ia_max;
	t->oa_bits = cfg->oa_bits ?: fi.oa_max;
	t->root_order = 0;
	t->leaf_lvls = BIT(0) | BIT(1) | BIT(2);
	t->present = EPT_RWX;
	if (t->options & NPT_OPT_EPT_MBEC)
		t->present |= EPT_UX;
	t->addr_mask = EPT_ADDR;
	t->pa_shift = 0;
	t->tbl_mask = EPT_PS;
	t->tbl_val = 0;
	t->lvl_bits = EPT_PS;
	for (lvl = 1; lvl < NPT_MAX_LEVELS; lvl++)
		t->lvl_val[lvl] = EPT_PS;
	t->state = (t->options & NPT_OPT_EPT_AD) ? EPT_A | EPT_D : 0;
	t->bbm = 0;
	t->flush_new = false;
	/* An EPT violation invalidates what the TLBs held for the GPA. */
	t->flush_relax = false;
	t->oa_late = false;
	t->accesses = BIT(NPT_ACC_READ) | BIT(NPT_ACC_WRITE) |
		      BIT(NPT_ACC_EXEC);
	if (t->options & NPT_OPT_EPT_MBEC)
		t->accesses |= BIT(NPT_ACC_UEXEC);
	/* With A/D on, the CPU sets them; EPT never faults on them. */
	t->acc_bit = (t->options & NPT_OPT_EPT_AD) ? EPT_A : 0;
	t->dirty_bit = (t->options & NPT_OPT_EPT_AD) ? EPT_D : 0;
	t->hw_ad = true;
	t->acc_tables = true;
	t->af_first = false;
	t->sw_owned = EPT_SW_OWNED;
	t->tbl_full = EPT_TBL_FULL;
	t->log_wp = EPT_LOG_WP;
	npt_set_translator(t, ept_translator(t));
	return 0;
}

/* The execute bits of an entry: X, and user X (bit 10) with MBEC. */
static npt_pte_t ept_exec_bits(const struct npt_table *t)
{
	return EPT_X | ((t->options & NPT_OPT_EPT_MBEC) ? EPT_UX : 0);
}

static npt_pte_t ept_table(const struct npt_table *t, phys_addr_t pa)
{
	/* Permissions AND over the walk: non-leaf entries allow all. */
	return pa | EPT_R | EPT_W | ept_exec_bits(t);
}

static int ept_leaf(const struct npt_table *t, u32 prot, u32 attr, u32 flags,
		    int lvl, npt_pte_t *bits)
{
	u32 mt = attr & NPT_ATTR_MT_MASK;
	npt_pte_t pte = 0;

	if ((prot & NPT_PROT_W) && !(prot & NPT_PROT_R))
		return -EINVAL;
	if (!(prot & (NPT_PROT_R | NPT_PROT_W)) &&
	    !(t->options & NPT_OPT_EPT_XO))
		return -EINVAL;
	if ((prot & NPT_PROT_UX) && !(t->options & NPT_OPT_EPT_MBEC))
		return -EINVAL;

	if (prot & NPT_PROT_R)
		pte |= EPT_R;
	if (prot & NPT_PROT_W)
		pte |= EPT_W;
	if (prot & NPT_PROT_X)
		pte |= EPT_X;
	if (prot & NPT_PROT_UX)
		pte |= EPT_UX;
	pte |= FIELD_PREP(EPT_MT, ept_mt_of[mt]);
	if (attr & NPT_ATTR_IPAT)
		pte |= EPT_IPAT;
	pte |= t->lvl_val[lvl];
	if ((t->options & NPT_OPT_EPT_AD) && !(flags & NPT_OP_OLD))
		pte |= EPT_A | ((prot & NPT_PROT_W) ? EPT_D : 0);
	*bits = pte;
	return 0;
}

/*
 * The attr of each value of a leaf's bits 6:3, its EPT_MT and EPT_IPAT;
 * the reserved memory types 2, 3 and 7, which no entry of npt holds
 * (ept_validate()), read as write-back.
 */
#define EPT_MT_IPAT		(EPT_MT | EPT_IPAT)
#define EPT_ATTR_IPAT		BIT(3)	/* EPT_IPAT in the index */

static const u16 ept_attr_to_npt[16] = {
	[EPT_MT_UC] = NPT_MT_DEVICE,
	[EPT_MT_WC] = NPT_MT_NC,
	[2] = NPT_MT_WB,
	[3] = NPT_MT_WB,
	[EPT_MT_WT] = NPT_MT_WT,
	[EPT_MT_WP] = NPT_MT_WP,
	[EPT_MT_WB] = NPT_MT_WB,
	[7] = NPT_MT_WB,
	[EPT_ATTR_IPAT | EPT_MT_UC] = NPT_MT_DEVICE | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | EPT_MT_WC] = NPT_MT_NC | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | 2] = NPT_MT_WB | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | 3] = NPT_MT_WB | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | EPT_MT_WT] = NPT_MT_WT | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | EPT_MT_WP] = NPT_MT_WP | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | EPT_MT_WB] = NPT_MT_WB | NPT_ATTR_IPAT,
	[EPT_ATTR_IPAT | 7] = NPT_MT_WB | NPT_ATTR_IPAT,
};

/* The prot and attr of the EPT leaf @pte, with @mbec a constant. */
static __always_inline void ept_decode_leaf(npt_pte_t pte, bool mbec,
					    u32 *prot, u32 *attr)
{
	*prot = ((pte & EPT_R) ? NPT_PROT_R : 0) |
		((pte & EPT_W) ? NPT_PROT_W : 0) |
		((pte & EPT_X) ? NPT_PROT_X : 0) |
		((mbec && (pte & EPT_UX)) ? NPT_PROT_UX : 0);
	*attr = ept_attr_to_npt[FIELD_GET(EPT_MT_IPAT, pte)];
}

static void ept_decode_plain(const struct npt_table *t, npt_pte_t pte,
			     int lvl, u32 *prot, u32 *attr)
{
	ept_decode_leaf(pte, false, prot, attr);
}

static void ept_decode_mbec(const struct npt_table *t, npt_pte_t pte,
			    int lvl, u32 *prot, u32 *attr)
{
	ept_decode_leaf(pte, true, prot, attr);
}

static void ept_decode(const struct npt_table *t, npt_pte_t pte, int lvl,
		       u32 *prot, u32 *attr)
{
	ept_decode_leaf(pte, t->options & NPT_OPT_EPT_MBEC, prot, attr);
}

/* The walk facts of an EPT table @levels deep, with or without MBEC. */
static __always_inline struct npt_walk_facts ept_walk_facts(int levels,
							    bool mbec)
{
	return (struct npt_walk_facts){
		.ia_bits = levels == 5 ? EPT5_IA_BITS : EPT4_IA_BITS,
		.root_lvl = levels - 1,
		.present = EPT_RWX | (mbec ? EPT_UX : 0),
		.tbl_mask = EPT_PS,
		.tbl_val = 0,
		.addr_mask = EPT_ADDR,
		.pa_shift = 0,
	};
}

/*
 * One instance per depth and MBEC setting, so that the walk knows where
 * it starts and which bits make an entry present.
 */
NPT_DEFINE_TRANSLATOR(ept4, ept_decode_plain, ept_walk_facts(4, false));
NPT_DEFINE_TRANSLATOR(ept4_mbec, ept_decode_mbec, ept_walk_facts(4, true));
NPT_DEFINE_TRANSLATOR(ept5, ept_decode_plain, ept_walk_facts(5, false));
NPT_DEFINE_TRANSLATOR(ept5_mbec, ept_decode_mbec, ept_walk_facts(5, true));

static const struct npt_translator *ept_translator(const struct npt_table *t)
{
	bool mbec = t->options & NPT_OPT_EPT_MBEC;

	if (t->levels == 5)
		return mbec ? &ept5_mbec_translator : &ept5_translator;
	return mbec ? &ept4_mbec_translator : &ept4_translator;
}

static enum npt_bad ept_validate(const struct npt_table *t, npt_pte_t pte,
				 int lvl)
{
	bool leaf = !lvl || (pte & EPT_PS);
	u32 mt = FIELD_GET(EPT_MT, pte);

	if ((pte & EPT_W) && !(pte & EPT_R))
		return NPT_BAD_W_NO_R;
	/* Execute-only: X, or user X under MBEC, without R. */
	if (!(pte & EPT_R) && (pte & ept_exec_bits(t)) &&
	    !(t->options & NPT_OPT_EPT_XO))
		return NPT_BAD_XO;
	if (pte & EPT_ADDR & ~GENMASK_ULL(t->oa_bits - 1, 0))
		return NPT_BAD_RSVD;
	if (!leaf)
		return (pte & GENMASK_ULL(7, 3)) ? NPT_BAD_RSVD : NPT_BAD_NONE;
	/* No leaf above the PDPTE; PS is reserved in PML4E and PML5E. */
	if (lvl > 2)
		return NPT_BAD_LEVEL;
	/* PS is reserved too where the CPU has no pages of that size. */
	if (!(t->leaf_lvls & BIT(lvl)))
		return NPT_BAD_RSVD;
	if (mt == 2 || mt == 3 || mt == 7)
		return NPT_BAD_MEMTYPE;
	if (pte & EPT_ADDR & GENMASK_ULL(npt_lvl_shift(lvl) - 1, 0))
		return NPT_BAD_RSVD;
	return NPT_BAD_NONE;
}

static void ept_root_regs(const struct npt_table *t, struct npt_root_regs *r)
{
	r->root = t->root_pa | FIELD_PREP(EPTP_MT, EPT_MT_WB) |
		  FIELD_PREP(EPTP_PWL, t->levels - 1) |
		  ((t->options & NPT_OPT_EPT_AD) ? EPTP_AD : 0);
}

/* Permissions are the AND of bits 2:0 (and 10) over every entry walked. */
static u32 ept_walk_prot(const struct npt_table *t, const npt_pte_t *walk,
			 int n)
{
	u32 prot = NPT_PROT_ALL, p, attr;
	int i;

	for (i = 0; i < n; i++) {
		ept_decode(t, walk[i], 0, &p, &attr);
		prot &= p;
	}
	return prot;
}

static void ept_syndrome(const struct npt_table *t, u64 gpa, u32 access,
			 const npt_pte_t *walk, int n,
			 struct npt_access_result *r)
{
	npt_pte_t and = n ? ~0ULL : 0;
	u64 qual;
	int i;

	r->addr = gpa;
	if (r->fault == NPT_FAULT_MISCONFIG) {
		r->exit_reason = EXIT_REASON_EPT_MISCONFIG;
		return;
	}
	/* The AND includes the entry that stopped the walk. */
	for (i = 0; i < n; i++)
		and &= walk[i];
	switch (access) {
	case NPT_ACC_READ:
		qual = EPT_QUAL_READ;
		break;
	case NPT_ACC_WRITE:
		qual = EPT_QUAL_WRITE;
		break;
	default:
		qual = EPT_QUAL_FETCH;
		break;
	}
	qual |= FIELD_PREP(EPT_QUAL_RWX, and & EPT_RWX);
	if ((t->options & NPT_OPT_EPT_MBEC) && (and & EPT_UX))
		qual |= EPT_QUAL_UX;
	r->syndrome = qual;
	r->exit_reason = EXIT_REASON_EPT_VIOLATION;
}

const struct npt_fmt npt_fmt_ept = {
	.name = "ept",
	.info = ept_info,
	.init = ept_init,
	.leaf = ept_leaf,
	.table = ept_table,
	.decode = ept_decode,
	.validate = ept_validate,
	.root_regs = ept_root_regs,
	.walk_prot = ept_walk_prot,
	.syndrome = ept_syndrome,
};
