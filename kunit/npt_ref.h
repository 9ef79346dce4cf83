/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt tests: an independent reading of the three formats, written from
 * the manuals, not from the encoders (npt_ref.c).
 */
#ifndef _NPT_REF_H
#define _NPT_REF_H

#include <linux/types.h>

struct ref_fmt {
	u32 format;
	u32 options;
	u32 oa_bits;
	u32 levels;
};

struct ref_entry {
	bool present;
	bool table;
	u64 pa;		/* table or output address */
	u32 prot;
	u32 attr;
	bool young;	/* A / AF set */
	bool dirty;	/* D set (EPT, RISC-V) */
	const char *bad;	/* why hardware would not walk it as meant */
};

void ref_decode(const struct ref_fmt *f, u64 pte, int lvl,
		struct ref_entry *r);
/* Levels that may hold a leaf, as the manuals say. */
u32 ref_leaf_lvls(const struct ref_fmt *f);
/*
 * The errno a leaf with @prot / @attr gets: 0, -EINVAL, or 1 when the
 * manuals allow either answer.
 */
int ref_leaf_ok(const struct ref_fmt *f, u32 prot, u32 attr, u32 flags);
const char *ref_name(u32 format);

#endif /* _NPT_REF_H */
