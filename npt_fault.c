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
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/limits.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "npt_priv.h"

/* Whether @access is an access kind of the table. */
static bool npt_access_ok(const struct npt_table *t, u32 access)
{
	return access <= NPT_ACC_MAX && (t->accesses & BIT(access));
}

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

/* The checks on the leaf once the walk reached it; 0 or a fault kind. */
static u32 npt_access_leaf(struct npt_table *t, u32 access,
			   npt_pte_t *const *ptes, const npt_pte_t *walk,
			   int n, int lvl, bool update, u32 *updated)
{
	npt_pte_t leaf = walk[n - 1];
	u32 prot, attr;
	bool perm;
	bool young = !t->acc_bit || (leaf & t->acc_bit);
	bool dirty = !t->dirty_bit || access != NPT_ACC_WRITE ||
		     (leaf & t->dirty_bit);
	npt_pte_t set = 0;
	int i;

	if (t->fmt->walk_prot)
		prot = t->fmt->walk_prot(t, walk, n);
	else
		t->fmt->decode(t, leaf, lvl, &prot, &attr);
	perm = prot & npt_access_needs(access);
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
	if (!update)
		return NPT_FAULT_NONE;

	if (!young)
		set |= t->acc_bit;
	if (!dirty)
		set |= t->dirty_bit;
	if (set)
		npt_pte_mod(ptes[n - 1], set, 0);
	if (t->acc_tables && t->acc_bit)
		for (i = 0; i < n - 1; i++)
			if (!(walk[i] & t->acc_bit)) {
				npt_pte_mod(ptes[i], t->acc_bit, 0);
				set |= t->acc_bit;
			}
	*updated = ((set & t->acc_bit) ? NPT_UPD_ACCESSED : 0) |
		   ((set & t->dirty_bit) ? NPT_UPD_DIRTY : 0);
	return NPT_FAULT_NONE;
}

/*
 * The access walk, table lock held.  Fills @r, and @ptes / @walk / @n with
 * the entries walked for the caller's resolution.  With @update, a
 * successful access sets the A/D or AF flags the hardware would; without,
 * the walk only finds out whether the access would fault.
 */
static void npt_access_locked(struct npt_table *t, u64 gpa, u32 access,
			      bool update, struct npt_access_result *r,
			      npt_pte_t **ptes, npt_pte_t *walk, int *n)
{
	npt_pte_t *table = t->root;
	int lvl = npt_root_lvl(t);
	bool oa_late = false;

	*n = 0;
	if (gpa >> t->ia_bits) {
		r->fault = NPT_FAULT_INPUT_RANGE;
		goto out;
	}
	for (;; lvl--) {
		u64 idx = (gpa >> npt_lvl_shift(lvl)) &
			  (npt_lvl_entries(t, lvl) - 1);
		npt_pte_t pte;

		ptes[*n] = &table[idx];
		pte = READ_ONCE(table[idx]);
		walk[(*n)++] = pte;
		if (!npt_pte_present(t, pte)) {
			r->fault = NPT_FAULT_NOT_PRESENT;
			goto out;
		}
		r->reason = t->fmt->validate(t, pte, lvl);
		if (r->reason == NPT_BAD_OA && t->oa_late &&
		    !npt_pte_is_table(t, pte, lvl)) {
			oa_late = true;
			r->reason = NPT_BAD_NONE;
			break;
		}
		if (r->reason != NPT_BAD_NONE) {
			r->fault = r->reason == NPT_BAD_OA ?
				   NPT_FAULT_OUTPUT_RANGE : NPT_FAULT_MISCONFIG;
			goto out;
		}
		if (!npt_pte_is_table(t, pte, lvl))
			break;
		table = npt_table_va(t, pte);
	}

	/*
	 * A late output-range fault comes after the leaf's checks.  (With
	 * Svadu the CPU sets A/D before the final access faults; npt keeps
	 * to "a fault changes nothing" and does not.)
	 */
	r->fault = npt_access_leaf(t, access, ptes, walk, *n, lvl,
				   update && !oa_late, &r->updated);
	if (r->fault == NPT_FAULT_NONE && oa_late) {
		r->fault = NPT_FAULT_OUTPUT_RANGE;
		r->reason = NPT_BAD_OA;
	}
	if (r->fault == NPT_FAULT_NONE)
		r->hpa = npt_pte_pa(t, walk[*n - 1]) +
			 (gpa & (npt_lvl_size(lvl) - 1));
out:
	r->lvl = lvl;
	if (r->fault != NPT_FAULT_NONE)
		t->fmt->syndrome(t, gpa, access, walk, *n, r);
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
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock; never allocates.
 * Return: 0 when @r describes the access (a fault is a result, not an
 * error), -EINVAL for an access kind the table does not have.
 */
int npt_access(struct npt_table *t, u64 gpa, u32 access,
	       struct npt_access_result *r)
{
	npt_pte_t walk[NPT_MAX_LEVELS];
	npt_pte_t *ptes[NPT_MAX_LEVELS];
	int n;

	memset(r, 0, sizeof(*r));
	if (!npt_access_ok(t, access))
		return -EINVAL;
	spin_lock(&t->lock);
	npt_access_locked(t, gpa, access, true, r, ptes, walk, &n);
	spin_unlock(&t->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(npt_access);

/* ---- regions and resolution ------------------------------------------ */

static struct npt_region_state *npt_region_find(struct npt_table *t, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < t->nr_regions; i++)
		if (gpa - t->regions[i].rg.gpa < t->regions[i].rg.size)
			return &t->regions[i];
	return NULL;
}

/**
 * npt_region_blocks() - whether a fault at an address may map a block
 * @t:		The table.
 * @gpa:	The faulting address.
 * @access:	The faulting access, NPT_ACC_*.
 *
 * For callers of npt_handle_fault() that keep a block reserved
 * (npt_topup_blocks()) only where it can be used, so that a fault
 * npt_handle_fault() refuses reserves nothing.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 * Return: true when @access is one of the table's, @gpa lies in a region
 * with %NPT_REGION_LAZY_BLOCKS whose maximum permissions allow @access,
 * and the table has leaves at the 2 MiB level.
 */
bool npt_region_blocks(struct npt_table *t, u64 gpa, u32 access)
{
	struct npt_region_state *rs;
	bool ret;

	if (!npt_access_ok(t, access))
		return false;
	spin_lock(&t->lock);
	rs = npt_region_find(t, gpa);
	ret = rs && (rs->rg.flags & NPT_REGION_LAZY_BLOCKS) &&
	      (rs->rg.max_prot & npt_access_needs(access)) &&
	      (t->leaf_lvls & BIT(NPT_BLOCK_LVL));
	spin_unlock(&t->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_region_blocks);

/*
 * Largest dirty log, and most a table's logs may hold together: one bit
 * per page of 1 TiB (32 MiB of bitmap).
 */
#define NPT_DIRTY_MAX_PAGES	BIT_ULL(28)

static int npt_region_check(struct npt_table *t, const struct npt_region *rg)
{
	npt_pte_t bits;

	if (!IS_ALIGNED(rg->gpa | rg->size, NPT_PAGE_SIZE) ||
	    rg->backing > NPT_BACKING_LAZY ||
	    (rg->flags & ~NPT_REGION_FLAGS) ||
	    ((rg->flags & NPT_REGION_LAZY_BLOCKS) &&
	     rg->backing != NPT_BACKING_LAZY) ||
	    !npt_prot_attr_known(rg->max_prot, rg->attr))
		return -EINVAL;
	if ((rg->flags & NPT_REGION_LAZY_BLOCKS) && !t->mm->split)
		return -EOPNOTSUPP;
	if (rg->gpa + rg->size < rg->gpa)
		return -EOVERFLOW;
	if (rg->gpa + rg->size > BIT_ULL(t->ia_bits))
		return -ERANGE;
	if ((rg->flags & NPT_REGION_DIRTY_LOG) &&
	    rg->size >> NPT_PAGE_SHIFT > NPT_DIRTY_MAX_PAGES)
		return -ENOSPC;
	return t->fmt->leaf(t, rg->max_prot, rg->attr, 0, 0, &bits);
}

/*
 * Remove the region @rs, with the operation mutex held, after giving the
 * write permission back to the leaves its log took it from in [start,
 * start + @wp_done), a chunk at a time, the region serving faults
 * meanwhile (@rs->wp_changing: pages mapped writable).  Those are whole
 * chunks after the split of a block at the region's start, and no block
 * crosses the edge of a logged region (its start split those, and nothing
 * maps one since), so giving it back splits nothing and cannot fail.
 */
static void npt_region_drop(struct npt_table *t, struct npt_region_state *rs,
			    u64 wp_done)
{
	struct npt_op_result res;

	lockdep_assert_held(&t->op_lock);
	if (wp_done)
		WARN_ON_ONCE(npt_log_wrprotect(t, rs->rg.gpa, wp_done, false,
					       &res));
	spin_lock(&t->lock);
	*rs = t->regions[--t->nr_regions];
	spin_unlock(&t->lock);
}

/*
 * Remove the region at @gpa; a log that write-protected gives the write
 * permission it took away back first (npt_region_drop()).
 */
static int npt_region_remove(struct npt_table *t, u64 gpa)
{
	struct npt_region_state *rs;
	unsigned long *dirty;

	mutex_lock(&t->op_lock);
	spin_lock(&t->lock);
	rs = npt_region_find(t, gpa);
	if (!rs || rs->rg.gpa != gpa) {
		spin_unlock(&t->lock);
		mutex_unlock(&t->op_lock);
		return -ENOENT;
	}
	rs->wp_changing = rs->dirty && !t->dirty_log_hw;
	spin_unlock(&t->lock);
	/* Regions change only under the operation mutex: @rs stays. */
	dirty = rs->dirty;
	npt_region_drop(t, rs, rs->wp_changing ? rs->rg.size : 0);
	mutex_unlock(&t->op_lock);
	npt_host_free(dirty);
	return 0;
}

/* Whether @rg can join the table's regions; lock held. */
static int npt_region_fits(struct npt_table *t, const struct npt_region *rg)
{
	u64 logged = 0;
	unsigned int i;

	if (t->nr_regions == NPT_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < t->nr_regions; i++) {
		const struct npt_region *o = &t->regions[i].rg;

		if (rg->gpa < o->gpa + o->size && o->gpa < rg->gpa + rg->size)
			return -EEXIST;
		if (t->regions[i].dirty)
			logged += o->size >> NPT_PAGE_SHIFT;
	}
	/* The bitmaps are not table pages: bound them on their own. */
	if ((rg->flags & NPT_REGION_DIRTY_LOG) &&
	    logged + (rg->size >> NPT_PAGE_SHIFT) > NPT_DIRTY_MAX_PAGES)
		return -ENOSPC;
	return 0;
}

static void npt_mark_dirty(struct npt_region_state *rs, u64 gpa, u64 size)
{
	u64 end = min(gpa + size, rs->rg.gpa + rs->rg.size);

	if (!rs->dirty)
		return;
	for (gpa = max(gpa, rs->rg.gpa); gpa < end; gpa += NPT_PAGE_SIZE)
		__set_bit((gpa - rs->rg.gpa) >> NPT_PAGE_SHIFT, rs->dirty);
}

/*
 * Log the pages of [@gpa, @gpa + @size) in every dirty-logged region they
 * reach: a leaf whose dirty flag is read or removed (a block mapped before
 * the regions may reach into two, and the flag is all either has).  Table
 * lock held.
 */
void npt_log_dirty(struct npt_table *t, u64 gpa, u64 size)
{
	unsigned int i;

	for (i = 0; i < t->nr_regions; i++)
		npt_mark_dirty(&t->regions[i], gpa, size);
}

/* A walk over the dirty flags of a dirty-logged range. */
struct npt_harvest {
	bool clear;
	struct npt_flush_plan plan;
};

/* A leaf the hardware marked dirty: log its pages; clear the flag. */
static int npt_harvest_visit(const struct npt_visit_ctx *ctx,
			     enum npt_walk_flags visit)
{
	struct npt_harvest *h = ctx->arg;
	struct npt_table *t = ctx->t;
	u64 size = npt_lvl_size(ctx->lvl);
	npt_pte_t old = ctx->old;

	if (!npt_pte_present(t, old) || !(old & t->dirty_bit))
		return 0;
	npt_log_dirty(t, ctx->start, size);
	if (!h->clear)
		return 0;
	/* The hardware may set the accessed flag meanwhile: keep it. */
	npt_pte_mod(ctx->ptep, 0, t->dirty_bit);
	npt_plan_add(&h->plan, ctx->start, size, ctx->lvl);
	return 0;
}

/*
 * With @t->dirty_log_hw: fold the dirty flags of [@gpa, @gpa + @size)
 * into the logs of the table's regions and, with @clear, clear them and
 * flush, so that the next write through any CPU's TLB sets them again.
 * A write that races with the harvest either set the flag before it was
 * read (and is logged now) or sets it again after the flush.  Table lock
 * held.
 */
static int npt_harvest_locked(struct npt_table *t, u64 gpa, u64 size,
			      bool clear, struct npt_op_result *res)
{
	struct npt_harvest h = { .clear = clear };
	struct npt_walker w = {
		.cb = npt_harvest_visit,
		.arg = &h,
		.flags = NPT_WALK_LEAF,
	};
	int ret = npt_walk(t, gpa, size, &w);

	if (ret)
		return ret;
	if ((h.plan.all || h.plan.nr) && t->flush)
		t->flush(t->flush_arg, &h.plan);
	res->plan = h.plan;
	res->done = size;
	return 0;
}

/*
 * Clear the dirty flags in @rg, a region about to be logged by them, a
 * chunk at a time, with the operation mutex held.  A write between two
 * chunks sets a flag again, for the log's first harvest.
 */
static int npt_log_clear_hw(struct npt_table *t, const struct npt_region *rg)
{
	u64 gpa = rg->gpa, end = gpa + rg->size, next;
	/* The chunks of npt_log_wrprotect(): no leaf is cleared twice. */
	u64 chunk = max_t(u64, SZ_1G, npt_lvl_size(fls(t->leaf_lvls) - 1));
	struct npt_op_result res;
	int ret = 0;

	lockdep_assert_held(&t->op_lock);
	for (; !ret && gpa < end; gpa = next) {
		next = min(round_down(gpa, chunk) + chunk, end);
		spin_lock(&t->lock);
		ret = npt_harvest_locked(t, gpa, next - gpa, true, &res);
		spin_unlock(&t->lock);
		if (next < end)
			npt_host_resched();
	}
	return ret;
}

/**
 * npt_set_region() - declare or remove guest memory the fault path serves
 * @t:		The table.
 * @rg:		The region; @rg->size 0 removes the region at @rg->gpa.
 *
 * Like a KVM memslot.  Faults inside a %NPT_BACKING_LAZY region map fresh
 * zeroed pages that the table owns and frees on unmap or destroy, counted
 * against the table's page limit.  With %NPT_REGION_DIRTY_LOG the region's
 * leaves are write-protected (blocks partly inside it split) and writes
 * are logged by npt_handle_fault(); or, where the hardware sets a dirty
 * flag (EPT with A/D, RISC-V with Svadu), the leaves keep their
 * permissions, their dirty flags are cleared and npt_get_dirty_log()
 * harvests them.  Either is done a chunk at a time (1 GiB, or the
 * format's largest block), dropping the table lock in between; the
 * write-protection once the region serves faults, so that a write to
 * what it protected is logged, and a page a fault maps meanwhile is
 * mapped writable and logged as written (if the region's max_prot has
 * write).  A write in the region before this returns may be missing from
 * the log.  With
 * %NPT_REGION_LAZY_BLOCKS a lazy region's faults map 2 MiB blocks where
 * they fit and one is reserved (npt_topup_blocks()).
 * Regions do not overlap.  Removing a region unmaps nothing; a log that
 * write-protected gives back the write permission it took away, in such
 * chunks, the region serving faults (mapped writable and logged) until
 * the last is done.
 *
 * Context: process context, may sleep; takes the operation mutex and the
 * table lock.
 * Return: 0; -EEXIST when it overlaps a region; -ENOSPC when the table
 * has %NPT_MAX_REGIONS or its logs would cover more than 1 TiB together;
 * -ENOENT when there is no region to remove; -EOPNOTSUPP for blocks from
 * a provider that cannot split them; else an errno of the table.  A
 * removal fails only with -EINVAL (@rg->gpa not page aligned) or -ENOENT.
 * A declaration that fails declares nothing and changes no translation
 * that was there before: a block it split stays split (as tables), and
 * pages that faults mapped in the region while the log started stay
 * mapped, as after a removal.
 */
int npt_set_region(struct npt_table *t, const struct npt_region *rg)
{
	struct npt_region_state *rs;
	unsigned long *dirty = NULL;
	struct npt_op_result res;
	int ret;

	if (!rg->size)
		return IS_ALIGNED(rg->gpa, NPT_PAGE_SIZE) ?
		       npt_region_remove(t, rg->gpa) : -EINVAL;
	ret = npt_region_check(t, rg);
	if (ret)
		return ret;
	if (rg->flags & NPT_REGION_DIRTY_LOG) {
		/* A region refused allocates no bitmap (checked again below). */
		spin_lock(&t->lock);
		ret = npt_region_fits(t, rg);
		spin_unlock(&t->lock);
		if (ret)
			return ret;
		dirty = npt_host_zalloc(BITS_TO_LONGS(rg->size >>
						      NPT_PAGE_SHIFT) *
					sizeof(long));
		if (!dirty)
			return -ENOMEM;
	}

	mutex_lock(&t->op_lock);
	spin_lock(&t->lock);
	ret = npt_region_fits(t, rg);
	spin_unlock(&t->lock);
	/* Regions change only under the operation mutex: it still fits. */
	if (!ret && dirty && t->dirty_log_hw)
		ret = npt_log_clear_hw(t, rg);
	if (ret)
		goto out;
	spin_lock(&t->lock);
	rs = &t->regions[t->nr_regions++];
	rs->rg = *rg;
	rs->dirty = dirty;
	rs->wp_changing = dirty && !t->dirty_log_hw;
	spin_unlock(&t->lock);
	/*
	 * Write-protected once the region is in, so that the fault path logs
	 * a write to what the first chunks protected while the next run.
	 */
	if (rs->wp_changing) {
		ret = npt_log_wrprotect(t, rg->gpa, rg->size, true, &res);
		if (ret) {
			/* Give back what it took: the region is not declared. */
			npt_region_drop(t, rs, res.done);
			goto out;
		}
		spin_lock(&t->lock);
		rs->wp_changing = false;
		spin_unlock(&t->lock);
	}
	dirty = NULL;
out:
	mutex_unlock(&t->op_lock);
	npt_host_free(dirty);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_set_region);

void npt_regions_free(struct npt_table *t)
{
	while (t->nr_regions)
		npt_host_free(t->regions[--t->nr_regions].dirty);
}

/*
 * Whether a fault at @gpa in lazy region @rs, whose walk stopped at level
 * @stop, maps a block: the region asks for blocks and covers the aligned
 * 2 MiB, nothing is mapped there, a block is reserved and the page limit
 * has room for it.
 */
static bool npt_fault_block(struct npt_table *t, struct npt_region_state *rs,
			    u64 gpa, int stop)
{
	u64 size = npt_lvl_size(NPT_BLOCK_LVL), start = gpa & ~(size - 1);
	u64 room = t->st.max_pages - t->st.table_pages - t->st.data_pages;

	return (rs->rg.flags & NPT_REGION_LAZY_BLOCKS) && t->blocks.nr &&
	       stop >= NPT_BLOCK_LVL && (t->leaf_lvls & BIT(NPT_BLOCK_LVL)) &&
	       start >= rs->rg.gpa &&
	       start + size <= rs->rg.gpa + rs->rg.size &&
	       room >= stop - NPT_BLOCK_LVL + NPT_PTRS;
}

/*
 * Map fresh memory of a lazy region at @gpa: a 2 MiB block from the block
 * reserve where npt_fault_block() allows, else a page from the page cache.
 */
static int npt_fault_map(struct npt_table *t, struct npt_region_state *rs,
			 u64 gpa, u32 access, struct npt_fault_result *res)
{
	struct npt_page_cache *from = &t->cache;
	u32 prot = rs->rg.max_prot;
	int stop = res->fault.lvl, lvl = 0;
	struct npt_op_result opres;
	npt_pte_t bits;
	phys_addr_t pa;
	bool clean, wp;
	void *page;
	int ret;

	if (npt_fault_block(t, rs, gpa, stop)) {
		lvl = NPT_BLOCK_LVL;
		from = &t->blocks;
	} else if (t->st.table_pages + t->st.data_pages + stop + 1 >
		   t->st.max_pages) {
		/* The walk stopped at level stop: stop tables and the page. */
		return -ENOSPC;
	}
	/* Tables for the levels below the stop, and a page from the cache. */
	if (t->cache.nr < stop - lvl + !lvl)
		return -ENOMEM;
	gpa &= ~(npt_lvl_size(lvl) - 1);
	/*
	 * In a dirty log, memory first read is not yet written; while the
	 * log starts or stops, it is logged as written instead, and stays
	 * writable (a page mapped read-only is not written either way).
	 */
	clean = rs->dirty && !rs->wp_changing && access != NPT_ACC_WRITE;
	wp = clean && !t->dirty_log_hw && (prot & NPT_PROT_W);
	if (wp)
		prot &= ~NPT_PROT_W;
	ret = t->fmt->leaf(t, prot, rs->rg.attr, 0, lvl, &bits);
	if (ret)
		return ret;
	if (clean)
		bits &= ~t->dirty_bit;
	if (wp)
		bits |= t->log_wp;

	page = npt_cache_take(t, from);
	/*
	 * The page is zero, its free-list link cleared too, before a walker
	 * on another CPU can see the leaf (the leaf is a plain store).
	 */
	smp_wmb();
	pa = t->mm->virt_to_phys(t->mm_arg, page);
	ret = npt_map_leaf_locked(t, gpa, pa, lvl, bits | t->sw_owned, &opres);
	if (ret) {
		npt_cache_put(t, from, page);
		return ret;
	}
	t->st.data_pages += 1UL << (lvl * NPT_LVL_BITS);
	if (access == NPT_ACC_WRITE ||
	    (rs->wp_changing && (prot & NPT_PROT_W)))
		npt_mark_dirty(rs, gpa, npt_lvl_size(lvl));
	res->action = NPT_RESOLVED_MAPPED;
	res->lvl = lvl;
	res->hpa = pa;
	res->plan = opres.plan;
	return 0;
}

/*
 * Flush the leaf at @lvl that translates @gpa and faulted: the TLBs may
 * hold it as it was, and the vCPU would fault on it again.  Granting a
 * permission or setting a flag needs this only where faulting entries may
 * be cached (@t->flush_relax, @t->flush_new).
 */
static void npt_fault_flush(struct npt_table *t, u64 gpa, int lvl,
			    struct npt_fault_result *res)
{
	u64 size = npt_lvl_size(lvl);

	npt_plan_add(&res->plan, gpa & ~(size - 1), size, lvl);
	if (t->flush)
		t->flush(t->flush_arg, &res->plan);
}

/* A write to a leaf that the dirty log of its region write-protected. */
static int npt_fault_dirty(struct npt_table *t, struct npt_region_state *rs,
			   npt_pte_t *ptep, npt_pte_t old, u64 gpa,
			   struct npt_fault_result *res)
{
	int lvl = res->fault.lvl;
	u64 size = npt_lvl_size(lvl), start = gpa & ~(size - 1);
	npt_pte_t bits, new, cur;
	u32 prot, attr;
	int ret;

	t->fmt->decode(t, old, lvl, &prot, &attr);
	ret = t->fmt->leaf(t, prot | NPT_PROT_W, attr, 0, lvl, &bits);
	if (ret)
		return ret;
	for (;;) {
		/* The access is a write: the page is accessed and dirty. */
		new = (old & (t->addr_mask | t->state | t->sw_owned)) |
		      (bits & ~t->state) | t->acc_bit | t->dirty_bit;
		cur = cmpxchg(ptep, old, new);
		if (cur == old)
			break;
		old = cur;
	}
	if (t->flush_relax)
		npt_fault_flush(t, gpa, lvl, res);
	npt_mark_dirty(rs, start, size);
	res->action = NPT_RESOLVED_DIRTY;
	res->lvl = lvl;
	res->hpa = npt_pte_pa(t, new);
	return 0;
}

/**
 * npt_handle_fault() - resolve a fault as a hypervisor would
 * @t:		The table.
 * @gpa:	The faulting guest-physical address.
 * @access:	NPT_ACC_* kind of the faulting access.
 * @res:	Filled with the fault as found and what was done.
 *
 * Re-walks first: when the access no longer faults (another CPU resolved
 * it) the result is %NPT_RESOLVED_SPURIOUS and nothing changes; a present
 * mapping is never replaced.  Where a leaf that faulted may stay cached
 * (Arm permission faults, RISC-V), relaxing it or finding the fault
 * spurious also flushes it (@res->plan).  A missing page inside a
 * %NPT_BACKING_LAZY region whose max_prot allows the access is mapped
 * from the page cache; a clear access or dirty flag is set; a write to a
 * page that the dirty log of its region write-protected gets write
 * permission back and is logged (a page the caller made read-only stays
 * so).
 * Anything else stays a fault (%NPT_RESOLVED_NONE) with its syndrome in
 * @res->fault, and nothing changes.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock; never allocates:
 * tables and pages come from the page cache (npt_topup()).
 * Return: 0 when @res says what happened; -ENOMEM when the cache is
 * short (top it up and retry), -ENOSPC at the page limit, -EINVAL for an
 * access kind the table does not have.  On error nothing changed.
 */
int npt_handle_fault(struct npt_table *t, u64 gpa, u32 access,
		     struct npt_fault_result *res)
{
	npt_pte_t walk[NPT_MAX_LEVELS];
	npt_pte_t *ptes[NPT_MAX_LEVELS];
	struct npt_region_state *rs;
	npt_pte_t set;
	int n, ret = 0;

	memset(res, 0, sizeof(*res));
	if (!npt_access_ok(t, access))
		return -EINVAL;

	spin_lock(&t->lock);
	/* The CPU's retry sets the flags, not this look. */
	npt_access_locked(t, gpa, access, false, &res->fault, ptes, walk, &n);
	rs = npt_region_find(t, gpa);
	switch (res->fault.fault) {
	case NPT_FAULT_NONE:
		res->action = NPT_RESOLVED_SPURIOUS;
		res->lvl = res->fault.lvl;
		res->hpa = res->fault.hpa & ~(npt_lvl_size(res->lvl) - 1);
		if (t->flush_relax)
			npt_fault_flush(t, gpa, res->lvl, res);
		break;
	case NPT_FAULT_ACCESS_FLAG:
	case NPT_FAULT_DIRTY:
		set = t->acc_bit;
		if (access == NPT_ACC_WRITE)
			set |= t->dirty_bit;
		npt_pte_mod(ptes[n - 1], set, 0);
		res->action = NPT_RESOLVED_FLAGS;
		res->lvl = res->fault.lvl;
		res->hpa = npt_pte_pa(t, walk[n - 1]);
		/* Arm never caches an entry that faults on its AF. */
		if (t->flush_new)
			npt_fault_flush(t, gpa, res->lvl, res);
		break;
	case NPT_FAULT_NOT_PRESENT:
		if (rs && rs->rg.backing == NPT_BACKING_LAZY &&
		    (rs->rg.max_prot & npt_access_needs(access)))
			ret = npt_fault_map(t, rs, gpa, access, res);
		break;
	case NPT_FAULT_PERMISSION:
		/* The mark says the caller gave W: max_prot need not. */
		if (rs && rs->dirty && (walk[n - 1] & t->log_wp) &&
		    access == NPT_ACC_WRITE)
			ret = npt_fault_dirty(t, rs, ptes[n - 1], walk[n - 1],
					      gpa, res);
		break;
	default:
		break;
	}
	spin_unlock(&t->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_handle_fault);

static struct npt_region_state *npt_dirty_region(struct npt_table *t, u64 gpa,
						 u64 size)
{
	struct npt_region_state *rs = npt_region_find(t, gpa);

	if (!rs || !rs->dirty || gpa + size > rs->rg.gpa + rs->rg.size)
		return NULL;
	return rs;
}

/**
 * npt_dirty_log_range() - the errno of a dirty-log harvest of a range
 * @t:		The table.
 * @gpa:	First page.
 * @size:	Bytes.
 *
 * For callers that harvest a range in pieces, with npt_get_dirty_log() on
 * each: a range that is not inside one dirty-logged region fails here,
 * before any piece is read, though each piece alone may lie in one.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 * Return: 0; -EINVAL, -EOVERFLOW or -ERANGE for the range itself
 * (misaligned or empty, wrapping, beyond the table's width); -ENOENT when
 * it is not inside one dirty-logged region.
 */
int npt_dirty_log_range(struct npt_table *t, u64 gpa, u64 size)
{
	int ret = npt_check_range(t, gpa, size);

	if (ret)
		return ret;
	spin_lock(&t->lock);
	ret = npt_dirty_region(t, gpa, size) ? 0 : -ENOENT;
	spin_unlock(&t->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_dirty_log_range);

/**
 * npt_get_dirty_log() - read and optionally clear a region's dirty log
 * @t:		The table.
 * @gpa:	First page, inside a dirty-logged region.
 * @size:	Bytes, page aligned, inside the same region.
 * @bitmap:	Receives one bit per page, bit 0 for @gpa.
 * @clear:	Also clear the bits read and write-protect their pages again.
 * @res:	Filled with the invalidations of a clear.
 *
 * With @clear, the pages are write-protected (and flushed) before the
 * bits are read and cleared, under one hold of the table lock, so a write
 * racing with the harvest is either in this bitmap or faults and is
 * logged afterwards: none is lost.  Where the hardware sets a dirty flag
 * (EPT with A/D, RISC-V with Svadu) the flags are read into the log
 * instead and, with @clear, cleared and flushed.
 *
 * Context: process context, may sleep; takes the operation mutex and the
 * table lock.
 * Return: 0; the errno of npt_dirty_log_range() for the range; else an
 * errno of the table.
 */
int npt_get_dirty_log(struct npt_table *t, u64 gpa, u64 size,
		      unsigned long *bitmap, bool clear,
		      struct npt_op_result *res)
{
	struct npt_region_state *rs;
	u64 i, first, pages = size >> NPT_PAGE_SHIFT;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = npt_check_range(t, gpa, size);
	if (ret)
		return ret;

	mutex_lock(&t->op_lock);
	spin_lock(&t->lock);
	rs = npt_dirty_region(t, gpa, size);
	if (rs && t->dirty_log_hw) {
		ret = npt_harvest_locked(t, gpa, size, clear, res);
		if (ret)
			goto out;
	} else if (rs && clear) {
		/* May drop the spinlock to allocate: find the region again. */
		ret = npt_wrprotect_locked(t, gpa, size, true, res);
		if (ret)
			goto out;
		rs = npt_dirty_region(t, gpa, size);
	}
	if (!rs) {
		ret = -ENOENT;
		goto out;
	}
	first = (gpa - rs->rg.gpa) >> NPT_PAGE_SHIFT;
	for (i = 0; i < pages; i++) {
		bool d = clear ? __test_and_clear_bit(first + i, rs->dirty) :
				 test_bit(first + i, rs->dirty);

		if (d)
			__set_bit(i, bitmap);
		else
			__clear_bit(i, bitmap);
	}
out:
	spin_unlock(&t->lock);
	mutex_unlock(&t->op_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_get_dirty_log);

/* A walk that tests, and may clear, the accessed flags of a range. */
struct npt_aging {
	u64 gpa;
	unsigned long *bitmap;
	u64 clear_end;
	u64 young;
};

/* A leaf with its accessed flag set: its pages in the range are young. */
static int npt_age_visit(const struct npt_visit_ctx *ctx,
			 enum npt_walk_flags visit)
{
	struct npt_aging *a = ctx->arg;
	struct npt_table *t = ctx->t;
	u64 pages = (ctx->end - ctx->addr) >> NPT_PAGE_SHIFT;

	if (!npt_pte_present(t, ctx->old) || !(ctx->old & t->acc_bit))
		return 0;
	a->young += pages;
	if (a->bitmap)
		bitmap_set(a->bitmap, (ctx->addr - a->gpa) >> NPT_PAGE_SHIFT,
			   pages);
	/* The hardware may set the dirty flag meanwhile: keep it. */
	if (ctx->start + npt_lvl_size(ctx->lvl) <= a->clear_end)
		npt_pte_mod(ctx->ptep, 0, t->acc_bit);
	return 0;
}

/**
 * npt_age() - test, and clear, the accessed flags of a range
 * @t:		The table.
 * @gpa:	First page, 4 KiB aligned.
 * @size:	Bytes, a nonzero multiple of 4 KiB, at most %NPT_AGE_MAX.
 * @bitmap:	NULL, or one bit per 4 KiB page of the range (bit n for
 *		@gpa + n * 4 KiB), set for a young page and cleared for any
 *		other.
 * @flags:	%NPT_AGE_CLEAR: clear the flags found; %NPT_AGE_MORE: the
 *		caller ages a larger range in pieces and this is not the
 *		last (a leaf that goes on past this piece keeps its flag).
 * @young:	Set to the number of young pages.
 *
 * What the MMU notifiers' clear_young and test_young ask of a hypervisor:
 * which guest pages were accessed since they were last aged.  A page is
 * young when the leaf mapping it has its accessed flag (EPT A with A/D,
 * Arm AF, RISC-V A); the pages of a block are all young or all old, and a
 * block that the range covers in part is aged whole (with %NPT_AGE_MORE,
 * by a later piece).  Nothing is invalidated, as in KVM: a CPU may go on
 * using a cached translation without setting the flag again, which is
 * only a hint.  Where the hardware does not set the flag (Arm without
 * %NPT_OPT_S2_HA, RISC-V without %NPT_OPT_RV_HWAD) the next access
 * through a cleared leaf faults, and npt_handle_fault() sets the flag
 * again.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock for the whole range,
 * so a large one is better aged in pieces (the ioctl takes 128 MiB at a
 * time); never sleeps or allocates.
 * Return: 0; -EINVAL for an unknown flag, then -EINVAL, -EOVERFLOW or
 * -ERANGE for the range; -EOPNOTSUPP on a table without accessed flags
 * (EPT without %NPT_OPT_EPT_AD).  On error nothing changed.
 */
int npt_age(struct npt_table *t, u64 gpa, u64 size, unsigned long *bitmap,
	    u32 flags, u64 *young)
{
	struct npt_aging a = { .gpa = gpa, .bitmap = bitmap };
	struct npt_walker w = {
		.cb = npt_age_visit,
		.arg = &a,
		.flags = NPT_WALK_LEAF,
	};
	int ret;

	*young = 0;
	if ((flags & ~(NPT_AGE_CLEAR | NPT_AGE_MORE)) || size > NPT_AGE_MAX)
		return -EINVAL;
	ret = npt_check_range(t, gpa, size);
	if (ret)
		return ret;
	if (!t->acc_bit)
		return -EOPNOTSUPP;
	if (flags & NPT_AGE_CLEAR)
		a.clear_end = flags & NPT_AGE_MORE ? gpa + size : U64_MAX;
	if (bitmap)
		bitmap_zero(bitmap, size >> NPT_PAGE_SHIFT);
	spin_lock(&t->lock);
	ret = npt_walk(t, gpa, size, &w);
	spin_unlock(&t->lock);
	*young = a.young;
	return ret;
}
EXPORT_SYMBOL_GPL(npt_age);

/* Check (@buf NULL) or copy one pass over [gpa, gpa + len). */
static int npt_copy_guest(struct npt_table *t, u64 gpa, u8 *rbuf,
			  const u8 *wbuf, size_t len)
{
	while (len) {
		size_t off = gpa & (NPT_PAGE_SIZE - 1);
		size_t chunk = min_t(size_t, len, NPT_PAGE_SIZE - off);
		struct npt_region_state *rs;
		npt_pte_t pte;
		u64 in_leaf;
		u8 *va;
		int lvl;

		pte = npt_lookup_locked(t, gpa, &lvl);
		if (!pte)
			return -ENOENT;
		if (!(pte & t->sw_owned))
			return -EPERM;
		/* The 4 KiB page of the leaf (a page or a lazy block). */
		in_leaf = gpa & (npt_lvl_size(lvl) - 1) & ~(NPT_PAGE_SIZE - 1);
		va = t->mm->phys_to_virt(t->mm_arg,
					 npt_pte_pa(t, pte) + in_leaf);
		if (rbuf) {
			memcpy(rbuf, va + off, chunk);
			rbuf += chunk;
		} else if (wbuf) {
			memcpy(va + off, wbuf, chunk);
			wbuf += chunk;
			rs = npt_region_find(t, gpa);
			if (rs)
				npt_mark_dirty(rs, gpa, chunk);
		}
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

static int npt_rw_guest(struct npt_table *t, u64 gpa, void *rbuf,
			const void *wbuf, size_t len)
{
	int ret;

	if (!len)
		return -EINVAL;
	if (gpa + len < gpa)
		return -EOVERFLOW;
	if (gpa + len > BIT_ULL(t->ia_bits))
		return -ERANGE;
	spin_lock(&t->lock);
	/* Check the whole range first: a failed copy changes nothing. */
	ret = npt_copy_guest(t, gpa, NULL, NULL, len);
	if (!ret)
		ret = npt_copy_guest(t, gpa, rbuf, wbuf, len);
	spin_unlock(&t->lock);
	return ret;
}

/**
 * npt_read_guest() - read guest memory through the table
 * @t:		The table.
 * @gpa:	First guest-physical address.
 * @buf:	Kernel buffer of @len bytes.
 * @len:	Bytes, nonzero.
 *
 * Only pages the table owns (lazy regions) can be read: npt never touches
 * host pages the caller mapped.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 * Return: 0; -ENOENT for an unmapped page, -EPERM for a page the table
 * does not own, -EOVERFLOW / -ERANGE for a bad range; nothing is copied
 * on error.
 */
int npt_read_guest(struct npt_table *t, u64 gpa, void *buf, size_t len)
{
	return npt_rw_guest(t, gpa, buf, NULL, len);
}
EXPORT_SYMBOL_GPL(npt_read_guest);

/**
 * npt_write_guest() - write guest memory through the table
 * @t:		The table.
 * @gpa:	First guest-physical address.
 * @buf:	Kernel buffer of @len bytes.
 * @len:	Bytes, nonzero.
 *
 * As npt_read_guest(); the pages written are logged in a dirty-logged
 * region.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 * Return: as npt_read_guest(); nothing is written on error.
 */
int npt_write_guest(struct npt_table *t, u64 gpa, const void *buf,
		    size_t len)
{
	return npt_rw_guest(t, gpa, NULL, buf, len);
}
EXPORT_SYMBOL_GPL(npt_write_guest);
