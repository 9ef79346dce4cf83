// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: RISC-V G-stage entries, Sv39x4 and Sv48x4 (privileged spec,
 * "Hypervisor Extension", "Two-Stage Address Translation").  Plain bit
 * manipulation: builds on every architecture.
 */

#include <linux/bitfield.h>
#include "npt_priv.h"

#define SV_V			BIT_ULL(0)
#define SV_R			BIT_ULL(1)
#define SV_W			BIT_ULL(2)
#define SV_X			BIT_ULL(3)
#define SV_RWX			(SV_R | SV_W | SV_X)
#define SV_U			BIT_ULL(4)
#define SV_A			BIT_ULL(6)
#define SV_D			BIT_ULL(7)
#define SV_RSW_OWNED		BIT_ULL(8)	/* RSW: software use */
#define SV_RSW_FULL		BIT_ULL(9)	/* RSW, in non-leaf entries */
#define SV_RSW_LOG_WP		BIT_ULL(9)	/* RSW, in leaves */
#define SV_PPN			GENMASK_ULL(53, 10)
#define SV_RSVD			GENMASK_ULL(60, 54)
#define SV_PBMT			GENMASK_ULL(62, 61)
#define SV_N			BIT_ULL(63)

#define SV_PBMT_NC		1
#define SV_PBMT_IO		2
#define SV_PBMT_RESERVED	3

/* An entry holds PPN << 10, that is the address >> 2. */
#define SV_PA_SHIFT		2
#define SV39X4_IA_BITS		41
#define SV48X4_IA_BITS		50

/* scause of guest-page faults; htval holds the GPA shifted right by 2. */
#define SCAUSE_FETCH_ACCESS		1
#define SCAUSE_LOAD_ACCESS		5
#define SCAUSE_STORE_ACCESS		7
#define SCAUSE_FETCH_GUEST_PAGE_FAULT	20
#define SCAUSE_LOAD_GUEST_PAGE_FAULT	21
#define SCAUSE_STORE_GUEST_PAGE_FAULT	23
#define HTVAL_SHIFT			2

#define HGATP_MODE		GENMASK_ULL(63, 60)
#define HGATP_VMID		GENMASK_ULL(57, 44)
#define HGATP_PPN		GENMASK_ULL(43, 0)
#define HGATP_MODE_SV39X4	8
#define HGATP_MODE_SV48X4	9

static void sv_info(u32 format, struct npt_format_info *fi)
{
	fi->options = NPT_OPT_RV_SVPBMT | NPT_OPT_RV_HWAD;
	fi->prot = NPT_PROT_R | NPT_PROT_W | NPT_PROT_X;
	/* NC and DEVICE need Svpbmt. */
	fi->memtypes = BIT(NPT_MT_WB) | BIT(NPT_MT_NC) | BIT(NPT_MT_DEVICE);
	fi->ia_min = format == NPT_FORMAT_SV48X4 ? SV48X4_IA_BITS :
						   SV39X4_IA_BITS;
	fi->ia_max = fi->ia_min;
	fi->oa_min = 32;
	fi->oa_max = 56;
}

static const struct npt_translator *sv_translator(const struct npt_table *t);

static int sv_init(struct npt_table *t, const struct npt_config *cfg)
{
	struct npt_format_info fi;

	sv_info(cfg->format, &fi);
	if ((cfg->options & ~fi.options) ||
	    (cfg->ia_bits && cfg->ia_bits != fi.ia_max) ||
	    (cfg->oa_bits && (cfg->oa_bits < fi.oa_min ||
			      cfg->oa_bits > fi.oa_max)) ||
	    cfg->vmid > FIELD_MAX(HGATP_VMID))
		return -EINVAL;

	t->levels = cfg->format == NPT_FORMAT_SV48X4 ? 4 : 3;
	t->ia_bits = fi.ia_max;
	t->oa_bits = cfg->oa_bits ?: fi.oa_max;
	/* The x4 root: 2048 entries, 16 KiB, 16 KiB aligned. */
	t->root_order = 2;
	t->leaf_lvls = GENMASK(t->levels - 1, 0);
	t->present = SV_V;
	t->addr_mask = SV_PPN;
	t->pa_shift = SV_PA_SHIFT;
	t->tbl_mask = SV_RWX;
	t->tbl_val = 0;
	t->lvl_bits = 0;
	t->state = SV_A | SV_D;
	t->bbm = 0;
	/* Without Svvptc the hardware may cache invalid entries. */
	t->flush_new = true;
	t->flush_relax = true;
	t->oa_late = true;
	t->accesses = BIT(NPT_ACC_READ) | BIT(NPT_ACC_WRITE) |
		      BIT(NPT_ACC_EXEC) | BIT(NPT_ACC_HLVX);
	t->acc_bit = SV_A;
	t->dirty_bit = SV_D;
	t->hw_ad = t->options & NPT_OPT_RV_HWAD;
	t->acc_tables = false;
	t->af_first = false;
	t->sw_owned = SV_RSW_OWNED;
	t->tbl_full = SV_RSW_FULL;
	t->log_wp = SV_RSW_LOG_WP;
	npt_set_translator(t, sv_translator(t));
	return 0;
}

static npt_pte_t sv_table(const struct npt_table *t, phys_addr_t pa)
{
	return (pa >> SV_PA_SHIFT) | SV_V;
}

static int sv_leaf(const struct npt_table *t, u32 prot, u32 attr, u32 flags,
		   int lvl, npt_pte_t *bits)
{
	/* Every G-stage access is a user access: U=1, G=0 in every leaf. */
	npt_pte_t pte = SV_V | SV_U;
	u32 mt = attr & NPT_ATTR_MT_MASK;

	if ((prot & NPT_PROT_W) && !(prot & NPT_PROT_R))
		return -EINVAL;
	if ((prot & NPT_PROT_UX) || (attr & NPT_ATTR_IPAT))
		return -EINVAL;
	if (mt != NPT_MT_WB && (!(t->options & NPT_OPT_RV_SVPBMT) ||
				(mt != NPT_MT_NC && mt != NPT_MT_DEVICE)))
		return -EINVAL;

	if (prot & NPT_PROT_R)
		pte |= SV_R;
	if (prot & NPT_PROT_W)
		pte |= SV_W;
	if (prot & NPT_PROT_X)
		pte |= SV_X;
	if (mt == NPT_MT_NC)
		pte |= FIELD_PREP(SV_PBMT, SV_PBMT_NC);
	else if (mt == NPT_MT_DEVICE)
		pte |= FIELD_PREP(SV_PBMT, SV_PBMT_IO);
	/* As KVM does: A always, D with write, unless asked for old. */
	if (!(flags & NPT_OP_OLD))
		pte |= SV_A | ((prot & NPT_PROT_W) ? SV_D : 0);
	*bits = pte;
	return 0;
}

/* The memory type of each PBMT value; the reserved 3 reads as PMA. */
static const u8 sv_pbmt_to_npt[4] = {
	[0] = NPT_MT_WB,
	[SV_PBMT_NC] = NPT_MT_NC,
	[SV_PBMT_IO] = NPT_MT_DEVICE,
	[SV_PBMT_RESERVED] = NPT_MT_WB,
};

static void sv_decode(const struct npt_table *t, npt_pte_t pte, int lvl,
		      u32 *prot, u32 *attr)
{
	*prot = ((pte & SV_R) ? NPT_PROT_R : 0) |
		((pte & SV_W) ? NPT_PROT_W : 0) |
		((pte & SV_X) ? NPT_PROT_X : 0);
	*attr = sv_pbmt_to_npt[FIELD_GET(SV_PBMT, pte)];
}

/* The walk facts of a G-stage table @levels deep. */
static __always_inline struct npt_walk_facts sv_walk_facts(int levels)
{
	return (struct npt_walk_facts){
		.ia_bits = levels == 4 ? SV48X4_IA_BITS : SV39X4_IA_BITS,
		.root_lvl = levels - 1,
		.present = SV_V,
		.tbl_mask = SV_RWX,
		.tbl_val = 0,
		.addr_mask = SV_PPN,
		.pa_shift = SV_PA_SHIFT,
	};
}

/* One instance per depth, so that the walk knows where it starts. */
NPT_DEFINE_TRANSLATOR(sv39x4, sv_decode, sv_walk_facts(3));
NPT_DEFINE_TRANSLATOR(sv48x4, sv_decode, sv_walk_facts(4));

static const struct npt_translator *sv_translator(const struct npt_table *t)
{
	return t->levels == 4 ? &sv48x4_translator : &sv39x4_translator;
}

static enum npt_bad sv_validate(const struct npt_table *t, npt_pte_t pte,
				int lvl)
{
	u32 pbmt = FIELD_GET(SV_PBMT, pte);

	if ((pte & SV_W) && !(pte & SV_R))
		return NPT_BAD_W_NO_R;
	if (pte & (SV_RSVD | SV_N))
		return NPT_BAD_RSVD;
	if (pbmt == SV_PBMT_RESERVED ||
	    (pbmt && !(t->options & NPT_OPT_RV_SVPBMT)))
		return NPT_BAD_MEMTYPE;
	if (!(pte & SV_RWX)) {
		/* Non-leaf: U, A, D and PBMT are reserved. */
		if (!lvl || (pte & (SV_U | SV_A | SV_D)) || pbmt)
			return !lvl ? NPT_BAD_LEVEL : NPT_BAD_RSVD;
	} else {
		/* G-stage accesses are user accesses: such a leaf faults. */
		if (!(pte & SV_U))
			return NPT_BAD_NO_USER;
		/* A superpage's low PPN fields must be zero. */
		if (npt_pte_pa(t, pte) & (npt_lvl_size(lvl) - 1))
			return NPT_BAD_ALIGN;
	}
	/*
	 * Last: the walk takes the entry, and the address only fails the
	 * PMA check when it is used (npt_access() orders it).
	 */
	if (npt_pte_pa(t, pte) >> t->oa_bits)
		return NPT_BAD_OA;
	return NPT_BAD_NONE;
}

static void sv_root_regs(const struct npt_table *t, struct npt_root_regs *r)
{
	u32 mode = t->format == NPT_FORMAT_SV48X4 ? HGATP_MODE_SV48X4 :
						     HGATP_MODE_SV39X4;

	r->root = FIELD_PREP(HGATP_MODE, mode) |
		  FIELD_PREP(HGATP_VMID, t->vmid) |
		  FIELD_PREP(HGATP_PPN, t->root_pa >> NPT_PAGE_SHIFT);
}

static void sv_syndrome(const struct npt_table *t, u64 gpa, u32 access,
			const npt_pte_t *walk, int n,
			struct npt_access_result *r)
{
	/*
	 * An address beyond the output width fails the PMA check: an access
	 * fault, which leaves htval 0.
	 */
	if (r->fault == NPT_FAULT_OUTPUT_RANGE) {
		r->syndrome = access == NPT_ACC_EXEC ? SCAUSE_FETCH_ACCESS :
			      access == NPT_ACC_WRITE ? SCAUSE_STORE_ACCESS :
			      SCAUSE_LOAD_ACCESS;
		r->addr = 0;
		return;
	}
	switch (access) {
	case NPT_ACC_EXEC:
		r->syndrome = SCAUSE_FETCH_GUEST_PAGE_FAULT;
		break;
	case NPT_ACC_WRITE:
		r->syndrome = SCAUSE_STORE_GUEST_PAGE_FAULT;
		break;
	default:
		/* Loads, HLVX included. */
		r->syndrome = SCAUSE_LOAD_GUEST_PAGE_FAULT;
		break;
	}
	r->addr = gpa >> HTVAL_SHIFT;
}

const struct npt_fmt npt_fmt_sv = {
	.name = "sv",
	.info = sv_info,
	.init = sv_init,
	.leaf = sv_leaf,
	.table = sv_table,
	.decode = sv_decode,
	.validate = sv_validate,
	.root_regs = sv_root_regs,
	.syndrome = sv_syndrome,
};
