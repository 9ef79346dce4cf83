// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt tests: the formats read back from the manuals, for KUnit and the
 * user-space harness alike.  Bit positions are spelled out here on purpose
 * instead of shared with the encoders, so that a wrong bit in one is
 * caught by the other.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/string.h>
#include "../npt_uapi.h"
#include "npt_ref.h"

const char *ref_name(u32 format)
{
	switch (format) {
	case NPT_FORMAT_EPT4:
		return "ept4";
	case NPT_FORMAT_EPT5:
		return "ept5";
	case NPT_FORMAT_ARM64_S2:
		return "s2";
	case NPT_FORMAT_SV39X4:
		return "sv39x4";
	case NPT_FORMAT_SV48X4:
		return "sv48x4";
	}
	return "?";
}

u32 ref_leaf_lvls(const struct ref_fmt *f)
{
	switch (f->format) {
	case NPT_FORMAT_SV39X4:
		return 0x7;		/* 4K, 2M, 1G (the root) */
	case NPT_FORMAT_SV48X4:
		return 0xf;		/* ... and 512G */
	case NPT_FORMAT_ARM64_S2:
		/* L3 pages, L2 and L1 blocks, never L0 */
		return 0x7 & ((1U << f->levels) - 1);
	default:
		return 0x7;		/* PTE, PDE and PDPTE; no PML4E/5E */
	}
}

int ref_leaf_ok(const struct ref_fmt *f, u32 prot, u32 attr, u32 flags)
{
	u32 mt = attr & 0xff;
	bool r = prot & NPT_PROT_R, w = prot & NPT_PROT_W;
	bool x = prot & NPT_PROT_X, ux = prot & NPT_PROT_UX;

	if (!prot || (prot & ~NPT_PROT_ALL) || (attr & ~NPT_ATTR_ALL) ||
	    mt > NPT_MT_MAX)
		return -EINVAL;
	switch (f->format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		if (ux && !(f->options & NPT_OPT_EPT_MBEC))
			return -EINVAL;
		if (w && !r)
			return -EINVAL;		/* misconfiguration */
		if (!r && (x || ux) && !(f->options & NPT_OPT_EPT_XO))
			return -EINVAL;		/* execute-only */
		return 0;
	case NPT_FORMAT_ARM64_S2:
		if (ux || (attr & NPT_ATTR_IPAT) || mt > NPT_MT_DEVICE)
			return -EINVAL;
		if (x && mt != NPT_MT_WB)
			return -EINVAL;		/* executable device / NC */
		if (w && !r)
			return 1;		/* S2AP 0b10 is legal */
		return 0;
	default:
		if (ux || (attr & NPT_ATTR_IPAT) || mt > NPT_MT_DEVICE)
			return -EINVAL;
		if (mt != NPT_MT_WB && !(f->options & NPT_OPT_RV_SVPBMT))
			return -EINVAL;
		if (w && !r)
			return -EINVAL;		/* reserved encoding */
		return 0;
	}
}

static void ref_ept(const struct ref_fmt *f, u64 pte, int lvl,
		    struct ref_entry *r)
{
	bool mbec = f->options & NPT_OPT_EPT_MBEC;
	u64 pa = pte & GENMASK_ULL(51, 12);
	u32 mt = (pte >> 3) & 7;

	r->present = (pte & 7) || (mbec && (pte & BIT_ULL(10)));
	if (!r->present)
		return;
	r->table = lvl > 0 && (lvl > 2 || !(pte & BIT_ULL(7)));
	r->pa = pa;
	if (pa >> f->oa_bits)
		r->bad = "address beyond MAXPHYADDR";
	if ((pte & 3) == 2)
		r->bad = "write without read";
	if (r->table) {
		if ((pte & 7) != 7 || (mbec && !(pte & BIT_ULL(10))))
			r->bad = "non-leaf entry restricts permissions";
		if (pte & GENMASK_ULL(7, 3))
			r->bad = "non-leaf reserved bits 7:3";
		if (pte & BIT_ULL(9))
			r->bad = "non-leaf D bit";
		return;
	}
	r->prot = ((pte & 1) ? NPT_PROT_R : 0) | ((pte & 2) ? NPT_PROT_W : 0) |
		  ((pte & 4) ? NPT_PROT_X : 0) |
		  ((mbec && (pte & BIT_ULL(10))) ? NPT_PROT_UX : 0);
	switch (mt) {
	case 0:
		r->attr = NPT_MT_DEVICE;
		break;
	case 1:
		r->attr = NPT_MT_NC;
		break;
	case 4:
		r->attr = NPT_MT_WT;
		break;
	case 5:
		r->attr = NPT_MT_WP;
		break;
	case 6:
		r->attr = NPT_MT_WB;
		break;
	default:
		r->bad = "reserved EPT memory type";
	}
	if (pte & BIT_ULL(6))
		r->attr |= NPT_ATTR_IPAT;
	r->young = pte & BIT_ULL(8);
	r->dirty = pte & BIT_ULL(9);
	if (!(pte & 3) && !(f->options & NPT_OPT_EPT_XO))
		r->bad = "execute-only without the capability";
	if (!mbec && (pte & BIT_ULL(10)))
		r->bad = "bit 10 without MBEC";
	if (lvl > 0 && !(pte & BIT_ULL(7)))
		r->bad = "block without PS";
	if (lvl == 0 && (pte & BIT_ULL(7)))
		r->bad = "PS set in a PTE";
	if (pa & (BIT_ULL(12 + 9 * lvl) - 1))
		r->bad = "misaligned block";
	if (!(f->options & NPT_OPT_EPT_AD) && (pte & (BIT_ULL(8) | BIT_ULL(9))))
		r->bad = "A/D bits without EPTP A/D enable";
}

static void ref_s2(const struct ref_fmt *f, u64 pte, int lvl,
		   struct ref_entry *r)
{
	bool fwb = f->options & NPT_OPT_S2_FWB;
	u64 pa = pte & GENMASK_ULL(47, 12);
	u32 memattr = (pte >> 2) & 0xf;

	r->present = pte & 1;
	if (!r->present)
		return;
	r->pa = pa;
	if (pa >> f->oa_bits)
		r->bad = "address beyond PARange";
	if (pte & GENMASK_ULL(50, 48))
		r->bad = "RES0 bits 50:48";
	if (lvl == 0 && !(pte & 2)) {
		r->bad = "0b01 at level 3";
		return;
	}
	r->table = lvl > 0 && (pte & 2);
	if (r->table) {
		if (pte & GENMASK_ULL(63, 59))
			r->bad = "stage-2 table with bits 63:59";
		return;
	}
	if (lvl > 2)
		r->bad = "block at level 0";
	r->prot = ((pte & BIT_ULL(6)) ? NPT_PROT_R : 0) |
		  ((pte & BIT_ULL(7)) ? NPT_PROT_W : 0) |
		  ((pte & BIT_ULL(54)) ? 0 : NPT_PROT_X);
	if (memattr == (fwb ? 0x6 : 0xf)) {
		r->attr = NPT_MT_WB;
		if (((pte >> 8) & 3) != 3)
			r->bad = "normal memory not inner shareable";
	} else if (memattr == 0x5) {
		r->attr = NPT_MT_NC;
	} else if (memattr == 0x1) {
		r->attr = NPT_MT_DEVICE;
	} else {
		r->bad = "memory attribute npt never writes";
	}
	if (r->attr != NPT_MT_WB && !(pte & BIT_ULL(54)))
		r->bad = "executable device / non-cacheable memory";
	if (((pte >> 8) & 3) == 1)
		r->bad = "reserved shareability";
	if (pte & BIT_ULL(11))
		r->bad = "RES0 bit 11";
	if (pte & (BIT_ULL(51) | BIT_ULL(52)))
		r->bad = "DBM / contiguous never set by npt";
	r->young = pte & BIT_ULL(10);
	if (pa & (BIT_ULL(12 + 9 * lvl) - 1))
		r->bad = "misaligned block";
}

static void ref_sv(const struct ref_fmt *f, u64 pte, int lvl,
		   struct ref_entry *r)
{
	u64 pa = ((pte >> 10) & GENMASK_ULL(43, 0)) << 12;
	u32 pbmt = (pte >> 61) & 3;

	r->present = pte & 1;
	if (!r->present)
		return;
	r->pa = pa;
	if (pa >> f->oa_bits)
		r->bad = "address beyond the output width";
	if (pte & GENMASK_ULL(60, 54))
		r->bad = "reserved bits 60:54";
	if (pte & BIT_ULL(63))
		r->bad = "NAPOT never set by npt";
	if (pte & BIT_ULL(5))
		r->bad = "G set";
	r->table = !(pte & 0xe);
	if (r->table) {
		if (lvl == 0)
			r->bad = "non-leaf at level 0";
		if (pte & (BIT_ULL(4) | BIT_ULL(6) | BIT_ULL(7)) || pbmt)
			r->bad = "non-leaf with U / A / D / PBMT";
		return;
	}
	r->prot = ((pte & 2) ? NPT_PROT_R : 0) | ((pte & 4) ? NPT_PROT_W : 0) |
		  ((pte & 8) ? NPT_PROT_X : 0);
	if ((pte & 6) == 4)
		r->bad = "write without read";
	if (!(pte & BIT_ULL(4)))
		r->bad = "G-stage leaf without U";
	if (pbmt == 3 || (pbmt && !(f->options & NPT_OPT_RV_SVPBMT)))
		r->bad = "reserved PBMT";
	r->attr = pbmt == 1 ? NPT_MT_NC : pbmt == 2 ? NPT_MT_DEVICE :
		  NPT_MT_WB;
	r->young = pte & BIT_ULL(6);
	r->dirty = pte & BIT_ULL(7);
	if (pa & (BIT_ULL(12 + 9 * lvl) - 1))
		r->bad = "misaligned superpage";
}

void ref_decode(const struct ref_fmt *f, u64 pte, int lvl,
		struct ref_entry *r)
{
	memset(r, 0, sizeof(*r));
	switch (f->format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		ref_ept(f, pte, lvl, r);
		break;
	case NPT_FORMAT_ARM64_S2:
		ref_s2(f, pte, lvl, r);
		break;
	default:
		ref_sv(f, pte, lvl, r);
		break;
	}
}
