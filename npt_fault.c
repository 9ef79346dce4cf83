// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: simulated accesses - the hardware walker in software.
 *
 * npt_access() walks a table the way the CPU does for one access and
 * reports either the translation, with the A/D or AF updates the hardware
 * would make, or the fault with the syndrome the CPU would deliver.  The
 * walk and the fault kinds are generic; the encoders say what permissions
 * a walk grants and how each format reports a fault.
 */

#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/string.h>
#include "npt_priv.h"

static u32 npt_access_needs(u32 access)
{
	switch (access) {
	case NPT_ACC_READ:
		return NPT_PROT_R;
	case NPT_ACC_WRITE:
		return NPT_PROT_W;
	case NPT_ACC_UEXEC:
		return NPT_PROT_UX;
	default:
		return NPT_PROT_X;
	}
}

/* Set @bits in a live entry, as the hardware walker does atomically. */
static void npt_pte_set(npt_pte_t *ptep, npt_pte_t bits)
{
	npt_pte_t old = READ_ONCE(*ptep);

	while (~old & bits) {
		npt_pte_t cur = cmpxchg(ptep, old, old | bits);

		if (cur == old)
			break;
		old = cur;
	}
}

/* The checks on the leaf once the walk reached it; 0 or a fault kind. */
static u32 npt_access_leaf(struct npt_table *t, u32 access,
			   npt_pte_t *const *ptes, const npt_pte_t *walk,
			   int n, u32 *updated)
{
	npt_pte_t leaf = walk[n - 1];
	bool perm = t->fmt->walk_prot(t, walk, n) & npt_access_needs(access);
	bool young = !t->acc_bit || (leaf & t->acc_bit);
	bool dirty = !t->dirty_bit || access != NPT_ACC_WRITE ||
		     (leaf & t->dirty_bit);
	npt_pte_t set = 0;
	int i;

	if (t->af_first && !young && !t->hw_ad)
		return NPT_FAULT_ACCESS_FLAG;
	if (!perm)
		return NPT_FAULT_PERMISSION;
	if (!t->hw_ad) {
		if (!young)
			return NPT_FAULT_ACCESS_FLAG;
		if (!dirty)
			return NPT_FAULT_DIRTY;
		return NPT_FAULT_NONE;
	}

	if (!young)
		set |= t->acc_bit;
	if (!dirty)
		set |= t->dirty_bit;
	if (set)
		npt_pte_set(ptes[n - 1], set);
	if (t->acc_tables && t->acc_bit)
		for (i = 0; i < n - 1; i++)
			if (!(walk[i] & t->acc_bit)) {
				npt_pte_set(ptes[i], t->acc_bit);
				set |= t->acc_bit;
			}
	*updated = ((set & t->acc_bit) ? NPT_UPD_ACCESSED : 0) |
		   ((set & t->dirty_bit) ? NPT_UPD_DIRTY : 0);
	return NPT_FAULT_NONE;
}

/**
 * npt_access() - simulate one access through a table, as the CPU would
 * @t:		The table.
 * @gpa:	The guest-physical address accessed.
 * @access:	NPT_ACC_* kind; %NPT_ACC_UEXEC needs an EPT table with MBEC,
 *		%NPT_ACC_HLVX a RISC-V table.
 * @r:		Filled with the translation or the fault and its syndrome.
 *
 * Walks like the hardware: an entry the hardware rejects is a
 * misconfiguration (EPT) or the fault the format reports for it, a missing
 * entry a not-present fault at its level, then the leaf's permissions
 * (ANDed over the walk on EPT), then the access flags.  Where the table has
 * hardware A/D or AF updates, a successful access sets them in the entries
 * as the CPU would (A on every EPT entry walked, D on the leaf for a
 * write).  Nothing else changes; a fault changes nothing.
 *
 * Context: any context but hard interrupt; takes the table lock; never
 * allocates.
 * Return: 0 when @r describes the access (a fault is a result, not an
 * error), -EINVAL for an access kind the table does not have.
 */
int npt_access(struct npt_table *t, u64 gpa, u32 access,
	       struct npt_access_result *r)
{
	npt_pte_t walk[NPT_MAX_LEVELS];
	npt_pte_t *ptes[NPT_MAX_LEVELS];
	npt_pte_t *table = t->root;
	int lvl, n = 0;

	memset(r, 0, sizeof(*r));
	if (access > NPT_ACC_MAX || !(t->accesses & BIT(access)))
		return -EINVAL;

	spin_lock(&t->lock);
	lvl = npt_root_lvl(t);
	if (gpa >> t->ia_bits) {
		r->fault = NPT_FAULT_INPUT_RANGE;
		goto out;
	}
	for (;; lvl--) {
		u64 idx = (gpa >> npt_lvl_shift(lvl)) &
			  (npt_lvl_entries(t, lvl) - 1);
		npt_pte_t pte;

		ptes[n] = &table[idx];
		pte = READ_ONCE(table[idx]);
		walk[n++] = pte;
		if (!npt_pte_present(t, pte)) {
			r->fault = NPT_FAULT_NOT_PRESENT;
			goto out;
		}
		r->reason = t->fmt->validate(t, pte, lvl);
		if (r->reason != NPT_BAD_NONE) {
			r->fault = r->reason == NPT_BAD_OA ?
				   NPT_FAULT_OUTPUT_RANGE : NPT_FAULT_MISCONFIG;
			goto out;
		}
		if (!npt_pte_is_table(t, pte, lvl))
			break;
		table = t->mm->phys_to_virt(t->mm_arg, npt_pte_pa(t, pte));
	}

	r->fault = npt_access_leaf(t, access, ptes, walk, n, &r->updated);
	if (r->fault == NPT_FAULT_NONE)
		r->hpa = npt_pte_pa(t, walk[n - 1]) +
			 (gpa & (npt_lvl_size(lvl) - 1));
out:
	r->lvl = lvl;
	if (r->fault != NPT_FAULT_NONE)
		t->fmt->syndrome(t, gpa, access, walk, n, r);
	spin_unlock(&t->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(npt_access);
