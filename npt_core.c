// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: the generic table core - lifetime, the walker and range operations.
 *
 * Nothing here knows a format's bits: entries are built and read through
 * struct npt_fmt and the entry facts each encoder sets in struct npt_table.
 * Nothing here calls a kernel allocator or sleeps either: table pages come
 * from the table's host-memory provider, and only npt_topup() calls it,
 * without the table lock held.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "npt_priv.h"

/* Deferred frees are batched: flush once, then free the batch. */
#define NPT_FREE_BATCH		64

/* An interruptible range operation works (and may stop) per 1 GiB. */
#define NPT_CHUNK_SHIFT		30

static const struct npt_fmt *npt_fmt_get(u32 format)
{
	switch (format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		return IS_ENABLED(CONFIG_NPT_EPT) ? &npt_fmt_ept : NULL;
	case NPT_FORMAT_ARM64_S2:
		return IS_ENABLED(CONFIG_NPT_STAGE2) ? &npt_fmt_stage2 : NULL;
	case NPT_FORMAT_SV39X4:
	case NPT_FORMAT_SV48X4:
		return IS_ENABLED(CONFIG_NPT_SV39) ? &npt_fmt_sv : NULL;
	default:
		return NULL;
	}
}

/**
 * npt_format_supported() - whether this build has a format's encoder
 * @format:	NPT_FORMAT_* value.
 *
 * Context: any.
 * Return: true when npt_table_create() can build tables of @format.
 */
bool npt_format_supported(u32 format)
{
	return npt_fmt_get(format);
}
EXPORT_SYMBOL_GPL(npt_format_supported);

/**
 * npt_format_info() - what a format accepts
 * @format:	NPT_FORMAT_* value.
 * @fi:		Filled with its options, permissions, memory types and widths.
 *
 * Context: any.
 * Return: 0, -EINVAL for an unknown format, -EOPNOTSUPP for one this build
 * lacks.
 */
int npt_format_info(u32 format, struct npt_format_info *fi)
{
	const struct npt_fmt *fmt = npt_fmt_get(format);

	memset(fi, 0, sizeof(*fi));
	if (!format || format > NPT_FORMAT_MAX)
		return -EINVAL;
	if (!fmt)
		return -EOPNOTSUPP;
	fmt->info(format, fi);
	return 0;
}
EXPORT_SYMBOL_GPL(npt_format_info);

/* ---- table pages ------------------------------------------------------ */

void *npt_cache_take(struct npt_table *t, struct npt_page_cache *c)
{
	void **page = c->head;

	t->changes++;
	if (WARN_ON_ONCE(!page))
		return NULL;
	c->head = *page;
	*page = NULL;
	c->nr--;
	return page;
}

void npt_cache_put(struct npt_table *t, struct npt_page_cache *c, void *va)
{
	void **page = va;

	*page = c->head;
	c->head = page;
	c->nr++;
}

/* Free cached pages until at most @keep remain.  Table lock held. */
static void npt_cache_trim(struct npt_table *t, unsigned long keep)
{
	while (t->cache.nr > keep)
		t->mm->free(t->mm_arg, npt_cache_take(t, &t->cache), 0);
}

/*
 * Whether the 2^@order pages at @va, from the provider, lie below
 * 2^@t->oa_bits: an entry can hold their address, and the hardware
 * walker reach them.
 */
static bool npt_page_reachable(const struct npt_table *t, void *va,
			       unsigned int order)
{
	phys_addr_t pa = t->mm->virt_to_phys(t->mm_arg, va);

	return !((pa + (NPT_PAGE_SIZE << order) - 1) >> t->oa_bits);
}

/*
 * Fill @c with 2^@order-page allocations up to @nr.  An allocation that
 * finds @c filled meanwhile by a concurrent caller goes back: concurrent
 * fills to one target hold @nr between them, not one more each.  One
 * beyond the table's output width fails the fill (-ENOMEM): no entry
 * could hold its address.
 */
static int npt_cache_fill(struct npt_table *t, struct npt_page_cache *c,
			  unsigned int order, unsigned long nr)
{
	for (;;) {
		bool full;
		void *va;

		spin_lock(&t->lock);
		full = c->nr >= nr;
		spin_unlock(&t->lock);
		if (full)
			return 0;

		va = t->mm->alloc(t->mm_arg, order);
		if (!va)
			return -ENOMEM;
		if (!npt_page_reachable(t, va, order)) {
			t->mm->free(t->mm_arg, va, order);
			return -ENOMEM;
		}

		spin_lock(&t->lock);
		full = c->nr >= nr;
		if (!full)
			npt_cache_put(t, c, va);
		spin_unlock(&t->lock);
		if (full) {
			t->mm->free(t->mm_arg, va, order);
			return 0;
		}
	}
}

/**
 * npt_topup() - reserve table pages for operations that cannot allocate
 * @t:		The table.
 * @nr:		Pages the cache must hold.
 *
 * Fills the table's page cache from the host-memory provider, like KVM's
 * memory caches: the fault path takes pages from it where it may not
 * sleep.  Pages stay in the cache until used, until a range operation or
 * the dirty log trims the cache back to what it reserves for itself, or
 * until the table is destroyed: top up right before the faults that need
 * the pages.
 *
 * Context: process context, may sleep; takes and drops the table lock.
 * Return: 0, or -ENOMEM with the pages allocated so far kept in the cache.
 */
int npt_topup(struct npt_table *t, unsigned long nr)
{
	return npt_cache_fill(t, &t->cache, 0, nr);
}
EXPORT_SYMBOL_GPL(npt_topup);

/**
 * npt_topup_blocks() - reserve 2 MiB blocks for lazy regions
 * @t:		The table.
 * @nr:		Blocks the reserve must hold.
 *
 * A fault in a region with %NPT_REGION_LAZY_BLOCKS maps a whole 2 MiB
 * block when one is reserved here (and it fits: the region covers the
 * aligned 2 MiB, nothing is mapped in it, the page limit allows 512 more
 * pages); otherwise it maps a 4 KiB page.  Reserved blocks are freed with
 * the table.
 *
 * Context: process context, may sleep; takes and drops the table lock.
 * Return: 0; -EOPNOTSUPP when the host-memory provider cannot split
 * blocks; -ENOMEM with the blocks allocated so far kept.
 */
int npt_topup_blocks(struct npt_table *t, unsigned long nr)
{
	if (!t->mm->split)
		return -EOPNOTSUPP;
	return npt_cache_fill(t, &t->blocks, NPT_BLOCK_ORDER, nr);
}
EXPORT_SYMBOL_GPL(npt_topup_blocks);

/* ---- the walker ------------------------------------------------------- */

static int npt_walk_lvl(struct npt_table *t, npt_pte_t *table, int lvl,
			u64 addr, u64 end, const struct npt_walker *w);

/* Visit one entry; return how many entries of its table were handled. */
static int npt_visit(struct npt_table *t, npt_pte_t *ptep, int lvl, u64 start,
		     u64 addr, u64 end, const struct npt_walker *w)
{
	struct npt_visit_ctx ctx = {
		.t = t,
		.ptep = ptep,
		.old = READ_ONCE(*ptep),
		.addr = addr,
		.start = start,
		.end = end,
		.lvl = lvl,
		.arg = w->arg,
	};
	bool table = npt_pte_is_table(t, ctx.old, lvl);
	int ret;

	if (table && (w->flags & NPT_WALK_TABLE_PRE)) {
		ret = w->cb(&ctx, NPT_WALK_TABLE_PRE);
		if (ret)
			return ret < 0 ? ret : 1;
		ctx.old = READ_ONCE(*ptep);
		table = npt_pte_is_table(t, ctx.old, lvl);
	} else if (!table && (w->flags & NPT_WALK_LEAF)) {
		ret = w->cb(&ctx, NPT_WALK_LEAF);
		if (ret)
			return ret;
		/* The visitor may have installed a table: descend into it. */
		ctx.old = READ_ONCE(*ptep);
		table = npt_pte_is_table(t, ctx.old, lvl);
	}

	if (!table)
		return 1;

	ret = npt_walk_lvl(t, npt_table_va(t, ctx.old), lvl - 1, addr, end, w);
	if (ret < 0)
		return ret;

	if (w->flags & NPT_WALK_TABLE_POST) {
		ctx.old = READ_ONCE(*ptep);
		ret = w->cb(&ctx, NPT_WALK_TABLE_POST);
		if (ret < 0)
			return ret;
	}
	return 1;
}

static int npt_walk_lvl(struct npt_table *t, npt_pte_t *table, int lvl,
			u64 addr, u64 end, const struct npt_walker *w)
{
	unsigned int shift = npt_lvl_shift(lvl);
	u64 nr = npt_lvl_entries(t, lvl);
	u64 idx = (addr >> shift) & (nr - 1);

	if (WARN_ON_ONCE(lvl < 0))
		return -EINVAL;

	while (addr < end && idx < nr) {
		u64 start = addr & ~(BIT_ULL(shift) - 1);
		u64 next = start + BIT_ULL(shift);
		int ret;

		ret = npt_visit(t, &table[idx], lvl, start, addr,
				min(next, end), w);
		if (ret < 0)
			return ret;
		idx += ret;
		addr = start + ((u64)ret << shift);
	}
	return 0;
}

/* The errno of the range [@addr, @addr + @size) in @t, or 0. */
int npt_check_range(const struct npt_table *t, u64 addr, u64 size)
{
	if (!size || !IS_ALIGNED(addr | size, NPT_PAGE_SIZE))
		return -EINVAL;
	if (addr + size < addr)
		return -EOVERFLOW;
	if (addr + size > BIT_ULL(t->ia_bits))
		return -ERANGE;
	return 0;
}

/**
 * npt_walk() - visit the entries of a table over a range
 * @t:		The table.
 * @addr:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @w:		The walk.
 *
 * Not part of the API of npt.h: exported, through npt_priv.h, for npt's
 * own KUnit tests, which hold the table lock.
 *
 * Context: with the table lock held by the caller.
 * Return: 0, the first negative return of the visitor, or a range error
 * from the errno table.
 */
int npt_walk(struct npt_table *t, u64 addr, u64 size,
	     const struct npt_walker *w)
{
	int ret = npt_check_range(t, addr, size);

	if (ret)
		return ret;
	return npt_walk_lvl(t, t->root, npt_root_lvl(t), addr, addr + size,
			    w);
}
EXPORT_SYMBOL_GPL(npt_walk);

/* ---- flush plans and deferred frees ----------------------------------- */

/*
 * Add a range to @plan: dropped when a range of its level holds it, merged
 * into one it extends, else appended, degrading to "all" past the last.
 */
void npt_plan_add(struct npt_flush_plan *plan, u64 gpa, u64 size, int lvl)
{
	u32 i;

	if (plan->all)
		return;
	/* A range of the level that holds it, else one that it extends. */
	for (i = 0; i < plan->nr; i++)
		if (plan->range[i].lvl == lvl && gpa >= plan->range[i].gpa &&
		    gpa + size <= plan->range[i].gpa + plan->range[i].size)
			return;
	for (i = 0; i < plan->nr; i++) {
		typeof(plan->range[0]) *r = &plan->range[i];

		if (r->lvl != lvl)
			continue;
		if (r->gpa + r->size == gpa) {
			r->size += size;
			return;
		}
		if (gpa + size == r->gpa) {
			r->gpa = gpa;
			r->size += size;
			return;
		}
	}
	if (plan->nr == NPT_PLAN_RANGES) {
		plan->all = true;
		plan->nr = 0;
		return;
	}
	plan->range[plan->nr].gpa = gpa;
	plan->range[plan->nr].size = size;
	plan->range[plan->nr].lvl = lvl;
	plan->nr++;
}

/* npt_plan_add() for a table entry that changed (see @tables). */
static void npt_plan_add_table(struct npt_flush_plan *plan, u64 gpa,
			       u64 size, int lvl)
{
	plan->tables = true;
	npt_plan_add(plan, gpa, size, lvl);
}

/**
 * npt_plan_merge() - add one invalidation plan to another
 * @dst:	The plan to grow, for example a zeroed one before a series
 *		of operations.
 * @src:	The plan to add.
 *
 * A range that one of @dst's of the same level holds adds nothing, and
 * adjacent ranges of the same level merge; past %NPT_PLAN_RANGES ranges
 * @dst becomes a whole-table invalidation (@all, no ranges).  @dst's
 * @tables is set when @src's is.
 *
 * Context: any.
 */
void npt_plan_merge(struct npt_flush_plan *dst,
		    const struct npt_flush_plan *src)
{
	u32 i;

	dst->tables |= src->tables;
	if (src->all) {
		dst->all = true;
		dst->nr = 0;
		return;
	}
	for (i = 0; i < src->nr; i++)
		npt_plan_add(dst, src->range[i].gpa, src->range[i].size,
			     src->range[i].lvl);
}
EXPORT_SYMBOL_GPL(npt_plan_merge);

enum npt_op_kind {
	NPT_KIND_MAP,
	NPT_KIND_UNMAP,
	NPT_KIND_PROTECT,
	NPT_KIND_WRPROTECT,
	NPT_KIND_WRUNPROTECT,
	NPT_KIND_COLLAPSE,
};

/**
 * struct npt_op - one range operation in progress
 * @t:		The table.
 * @kind:	What it does.
 * @gpa:	Start of the range.
 * @end:	End of the range (exclusive).
 * @hpa:	Map: host-physical address of @gpa.
 * @flags:	NPT_OP_* flags.
 * @tmpl:	Leaf attribute bits per level (map, protect).
 * @tmpl_ro:	The same for leaves inside a dirty-logged region, whose
 *		first write must fault (no write permission) or, with
 *		@dirty_log_hw, set the dirty flag (left clear).
 * @logged:	Bit i set when region i is dirty-logged and overlaps the
 *		operation (map, protect, collapse; unmap where the hardware
 *		keeps the dirty flag, @t->dirty_log_hw).
 * @need:	Table pages the operation needs (planning pass).
 * @planned:	The table's @changes when the plan of the whole range was
 *		last known to hold (0: plan each chunk).
 * @res:	The caller's result.
 * @pending:	Invalidations owed before @free can be freed.
 * @free:	Pages to free after @pending is flushed: table pages, tagged
 *		with %NPT_FREE_TABLE, and pages the table owned, tagged with
 *		their order (npt_free_tag()).
 * @nr_free:	Pages in @free.
 */
struct npt_op {
	struct npt_table *t;
	enum npt_op_kind kind;
	u64 gpa;
	u64 end;
	u64 hpa;
	u32 flags;
	npt_pte_t tmpl[NPT_MAX_LEVELS];
	npt_pte_t tmpl_ro[NPT_MAX_LEVELS];
	u32 logged;
	unsigned long need;
	u64 planned;
	struct npt_op_result *res;
	struct npt_flush_plan pending;
	uintptr_t free[NPT_FREE_BATCH];
	unsigned int nr_free;
};

/*
 * In npt_op.free, below the page address: a table page, which lockless
 * lookups may still read, or the order of a page the table owned.
 */
#define NPT_FREE_TABLE		1UL
#define NPT_FREE_ORDER_SHIFT	1
#define NPT_FREE_ORDER_MASK	(0x1fUL << NPT_FREE_ORDER_SHIFT)

static uintptr_t npt_free_tag(unsigned int order)
{
	return (uintptr_t)order << NPT_FREE_ORDER_SHIFT;
}

static void npt_flush(struct npt_op *op, const struct npt_flush_plan *plan)
{
	struct npt_table *t = op->t;

	if (!plan->all && !plan->nr)
		return;
	if (t->flush)
		t->flush(t->flush_arg, plan);
	npt_plan_merge(&op->res->plan, plan);
}

/* Flush what is owed, then free the pages that waited for it. */
static void npt_op_settle(struct npt_op *op)
{
	struct npt_table *t = op->t;

	npt_flush(op, &op->pending);
	memset(&op->pending, 0, sizeof(op->pending));
	while (op->nr_free) {
		uintptr_t v = op->free[--op->nr_free];
		void *va = (void *)(v & ~(uintptr_t)(NPT_PAGE_SIZE - 1));

		if (v & NPT_FREE_TABLE)
			npt_host_free_table(t, va);
		else
			t->mm->free(t->mm_arg, va,
				    (v & NPT_FREE_ORDER_MASK) >>
				    NPT_FREE_ORDER_SHIFT);
	}
}

static void npt_op_defer_free(struct npt_op *op, void *va, uintptr_t tag)
{
	if (op->nr_free == NPT_FREE_BATCH)
		npt_op_settle(op);
	op->free[op->nr_free++] = (uintptr_t)va | tag;
}

static void npt_op_free_table(struct npt_op *op, void *va, int lvl)
{
	struct npt_table *t = op->t;

	t->st.table_pages--;
	t->st.tables[lvl]--;
	npt_op_defer_free(op, va, NPT_FREE_TABLE);
}

/*
 * A leaf at @lvl that maps memory the table owns (lazy backing: a page, or
 * a block at %NPT_BLOCK_LVL) gives it back.
 */
static void npt_op_free_owned(struct npt_op *op, npt_pte_t old, int lvl)
{
	struct npt_table *t = op->t;
	unsigned int order = lvl * NPT_LVL_BITS;

	if (!(old & t->sw_owned))
		return;
	t->st.data_pages -= 1UL << order;
	npt_op_defer_free(op, npt_table_va(t, old), npt_free_tag(order));
}

/*
 * Arm's break: make a live entry at @lvl invalid and flush it before the
 * make.  @leaf_lvl is the level of the leaves it translated through: @lvl
 * for a leaf, one below for a table about to become a block, whose leaves
 * the TLBs may hold too.  Lockless lookups that meet the break wait for the
 * make (npt_translate()).  Return: the entry as the break took it, with an
 * access flag the hardware (HA) may have set since the caller read it.
 */
static npt_pte_t npt_break(struct npt_op *op, npt_pte_t *ptep, u64 gpa,
			   int lvl, int leaf_lvl)
{
	struct npt_flush_plan plan = {};
	npt_pte_t old;

	if (leaf_lvl != lvl)
		npt_plan_add(&plan, gpa, npt_lvl_size(lvl), leaf_lvl);
	/* A table broken for a collapse: its walks are cached too. */
	if (npt_pte_is_table(op->t, READ_ONCE(*ptep), lvl))
		npt_plan_add_table(&plan, gpa, npt_lvl_size(lvl), lvl);
	else
		npt_plan_add(&plan, gpa, npt_lvl_size(lvl), lvl);
	old = xchg(ptep, op->t->break_val);
	npt_flush(op, &plan);
	return old;
}

/* Replace live leaf @old at @ptep by @new; both are leaves at @lvl. */
static void npt_change_leaf(struct npt_op *op, npt_pte_t *ptep, npt_pte_t old,
			    npt_pte_t new, u64 gpa, int lvl)
{
	struct npt_table *t = op->t;

	if ((old ^ new) & t->bbm) {
		npt_pte_t cur = npt_break(op, ptep, gpa, lvl, lvl);

		/* A protect keeps what the hardware set meanwhile; a map not. */
		if (op->kind != NPT_KIND_MAP)
			new |= cur & t->state;
		/* The make: seen only after the flush of the break. */
		smp_store_release(ptep, new);
		return;
	}
	WRITE_ONCE(*ptep, new);
	npt_plan_add(&op->pending, gpa, npt_lvl_size(lvl), lvl);
}

/*
 * Replace the leaf at @ptep (level @lvl, mapping @gpa) with @new where
 * the hardware keeps the dirty flag that dirty logging reads
 * (@t->dirty_log_hw): the flag would go with the leaf, so log the leaf's
 * pages, as a harvest would.  The exchange is atomic, so a
 * write that sets the flag meanwhile is logged too.  (The formats that
 * keep such a flag, EPT and RISC-V, need no break-before-make.)  Return:
 * the leaf as it was replaced.
 */
static npt_pte_t npt_replace_logged(struct npt_op *op, npt_pte_t *ptep,
				    npt_pte_t new, u64 gpa, int lvl)
{
	struct npt_table *t = op->t;
	npt_pte_t old = xchg(ptep, new);

	if (old & t->dirty_bit)
		npt_log_dirty(t, gpa, npt_lvl_size(lvl));
	npt_plan_add(&op->pending, gpa, npt_lvl_size(lvl), lvl);
	return old;
}

/* ---- planning: how many table pages an operation needs ---------------- */

/*
 * Whether [addr, end) overlaps a dirty-logged region of the operation;
 * @straddles is set when it also reaches outside that region.
 */
static bool npt_logged(const struct npt_op *op, u64 addr, u64 end,
		       bool *straddles)
{
	unsigned long logged = op->logged;
	bool in = false;
	unsigned int i;

	*straddles = false;
	for_each_set_bit(i, &logged, NPT_MAX_REGIONS) {
		const struct npt_region *rg = &op->t->regions[i].rg;

		if (addr < rg->gpa + rg->size && rg->gpa < end) {
			in = true;
			if (addr < rg->gpa || end > rg->gpa + rg->size)
				*straddles = true;
		}
	}
	return in;
}

/* Leaf bits for a leaf at @lvl starting at @gpa. */
static npt_pte_t npt_op_bits(const struct npt_op *op, u64 gpa, int lvl)
{
	bool straddles;

	if (op->logged &&
	    npt_logged(op, gpa, gpa + npt_lvl_size(lvl), &straddles))
		return op->tmpl_ro[lvl];
	return op->tmpl[lvl];
}

/*
 * Whether the leaf at @lvl from @gpa that the operation removes or
 * replaces carries a dirty flag that a logged region must keep.
 */
static bool npt_op_logs(const struct npt_op *op, u64 gpa, int lvl)
{
	bool straddles;

	return op->t->dirty_log_hw && op->logged &&
	       npt_logged(op, gpa, gpa + npt_lvl_size(lvl), &straddles);
}

/* Whether [addr, end) inside one entry at @lvl is done at that level. */
static bool npt_fits(const struct npt_op *op, int lvl, u64 addr, u64 end)
{
	const struct npt_table *t = op->t;
	u64 size = npt_lvl_size(lvl);

	if (end - addr != size)
		return false;
	if (op->kind != NPT_KIND_MAP || !lvl)
		return true;
	if (!(t->leaf_lvls & BIT(lvl)) || (op->flags & NPT_OP_NO_BLOCKS))
		return false;
	/* A block is write-protected whole: none across a logged edge. */
	if (op->logged) {
		bool straddles;

		npt_logged(op, addr, end, &straddles);
		if (straddles)
			return false;
	}
	return IS_ALIGNED(op->hpa + (addr - op->gpa), size);
}

/*
 * Table pages needed below an entry at @lvl + 1 that becomes a new table
 * (empty, or split from a block) to do [addr, end) inside it; exact up to
 * @cap, and past it some number above @cap: counting stops there, as the
 * operation cannot have that many (a 4 KiB map of 2^52 bytes would count
 * 2^31 tables under the table lock).
 */
static unsigned long npt_count_new(const struct npt_op *op, int lvl,
				   u64 addr, u64 end, unsigned long cap)
{
	u64 size = npt_lvl_size(lvl);
	unsigned long n = 0;

	if (!lvl)
		return 0;
	while (addr < end && n <= cap) {
		u64 next = min((addr | (size - 1)) + 1, end);

		if (!npt_fits(op, lvl, addr, next))
			n += 1 + npt_count_new(op, lvl - 1, addr, next,
					       cap - n);
		addr = next;
	}
	return n;
}

/* Table pages the limit leaves an operation beyond those it counted. */
static unsigned long npt_op_room(const struct npt_op *op)
{
	const struct npt_stats *st = &op->t->st;
	u64 left = st->max_pages - st->table_pages - st->data_pages;

	return left > op->need ? left - op->need : 0;
}

/* Entries of the level-0 table from @ctx's on that the range covers. */
static int npt_run_len(const struct npt_op *op, const struct npt_visit_ctx *ctx)
{
	u64 left = (op->end - ctx->addr) >> NPT_PAGE_SHIFT;
	u64 room = NPT_PTRS - ((ctx->addr >> NPT_PAGE_SHIFT) & (NPT_PTRS - 1));

	return min(left, room);
}

/* Whether any of the @n entries from @ptep has any of @bits. */
static bool npt_run_any_bits(const npt_pte_t *ptep, int n, npt_pte_t bits)
{
	npt_pte_t any = 0;
	int i;

	for (i = 0; i < n; i++)
		any |= READ_ONCE(ptep[i]);
	return any & bits;
}

/*
 * Whether any of the @n entries from @ptep is not present.  An entry
 * without any present bit makes (pte & present) - 1 negative (the present
 * bits are below bit 63); four entries a step, as protect scans the whole
 * range this way before it changes anything.
 */
static bool npt_run_any_hole(const struct npt_table *t, const npt_pte_t *ptep,
			     int n)
{
	const npt_pte_t present = t->present;
	npt_pte_t miss = 0;
	int i;

	for (i = 0; i + 4 <= n; i += 4)
		miss |= ((READ_ONCE(ptep[i]) & present) - 1) |
			((READ_ONCE(ptep[i + 1]) & present) - 1) |
			((READ_ONCE(ptep[i + 2]) & present) - 1) |
			((READ_ONCE(ptep[i + 3]) & present) - 1);
	for (; i < n; i++)
		miss |= (READ_ONCE(ptep[i]) & present) - 1;
	return miss >> 63;
}

static int npt_plan_visit(const struct npt_visit_ctx *ctx,
			  enum npt_walk_flags visit)
{
	struct npt_op *op = ctx->arg;
	struct npt_table *t = ctx->t;
	bool present = npt_pte_present(t, ctx->old);
	int n;

	/* A protect needs no scan of a level-0 table known to be full. */
	if (visit == NPT_WALK_TABLE_PRE)
		return ctx->lvl == 1 && (ctx->old & t->tbl_full);
	if (!ctx->lvl) {
		/* A run of 4 KiB entries: they never need a table. */
		n = npt_run_len(op, ctx);
		if (op->kind == NPT_KIND_MAP && !(op->flags & NPT_OP_REPLACE) &&
		    npt_run_any_bits(ctx->ptep, n, t->present))
			return -EEXIST;
		if (op->kind == NPT_KIND_PROTECT &&
		    !(op->flags & NPT_OP_HOLES_OK) &&
		    npt_run_any_hole(t, ctx->ptep, n))
			return -ENOENT;
		return n;
	}

	switch (op->kind) {
	case NPT_KIND_MAP:
		if (present && !(op->flags & NPT_OP_REPLACE))
			return -EEXIST;
		break;
	case NPT_KIND_PROTECT:
		if (!present && !(op->flags & NPT_OP_HOLES_OK))
			return -ENOENT;
		fallthrough;
	default:
		if (!present)
			return 0;
		break;
	}
	if (!npt_fits(op, ctx->lvl, ctx->addr, ctx->end))
		op->need += 1 + npt_count_new(op, ctx->lvl - 1, ctx->addr,
					      ctx->end, npt_op_room(op));
	return 0;
}

/* ---- applying: cannot fail, pages come from the cache ----------------- */

/* Count @child as a table at @lvl - 1; return the entry that links it. */
static npt_pte_t npt_new_table(struct npt_table *t, int lvl, npt_pte_t *child)
{
	t->st.table_pages++;
	t->st.tables[lvl - 1]++;
	return t->fmt->table(t, t->mm->virt_to_phys(t->mm_arg, child));
}

static void npt_install_table(struct npt_op *op, npt_pte_t *ptep, int lvl,
			      npt_pte_t *child)
{
	/* The child's entries are visible before the entry that links it. */
	smp_store_release(ptep, npt_new_table(op->t, lvl, child));
}

/* The 512 leaves at @lvl - 1 that map what the block @old at @lvl maps. */
static void npt_split_fill(const struct npt_table *t, npt_pte_t *child,
			   npt_pte_t old, int lvl)
{
	npt_pte_t bits = (old & ~t->addr_mask & ~t->lvl_bits) |
			 t->lvl_val[lvl - 1];
	phys_addr_t pa = npt_pte_pa(t, old);
	u64 csize = npt_lvl_size(lvl - 1);
	unsigned int i;

	for (i = 0; i < NPT_PTRS; i++)
		child[i] = bits | npt_pa_bits(t, pa + i * csize);
}

/*
 * Split the block @old at @ptep (level @lvl) into a table of 512 leaves one
 * level down that map exactly what it mapped, with the same attributes.
 */
static void npt_split(struct npt_op *op, npt_pte_t *ptep, npt_pte_t old,
		      u64 start, int lvl)
{
	struct npt_table *t = op->t;
	npt_pte_t *child = npt_cache_take(t, &t->cache);
	npt_pte_t link, cur;

	/* A lazy block's pages are freed one by one from now on. */
	if (old & t->sw_owned)
		t->mm->split(t->mm_arg, npt_table_va(t, old),
			     lvl * NPT_LVL_BITS);
	t->st.leaves[lvl]--;
	t->st.leaves[lvl - 1] += NPT_PTRS;
	npt_split_fill(t, child, old, lvl);

	/*
	 * The translations stay the same, so only Arm, which allows a block
	 * to become a table only through an invalid entry, flushes here.
	 */
	if (t->bbm || !t->hw_ad) {
		/* With HA, the CPU may have set the block's AF meanwhile. */
		if (t->bbm) {
			cur = npt_break(op, ptep, start, lvl, lvl);
			if (cur != old)
				npt_split_fill(t, child, cur, lvl);
		}
		npt_install_table(op, ptep, lvl, child);
		return;
	}
	/*
	 * The hardware may set the block's accessed or dirty flag until the
	 * table replaces it: the leaves carry the flags the block had then,
	 * or a write would be lost to the dirty log.  cmpxchg() is fully
	 * ordered, so the leaves are visible before the link.
	 */
	link = npt_new_table(t, lvl, child);
	while ((cur = cmpxchg(ptep, old, link)) != old) {
		old = cur;
		npt_split_fill(t, child, old, lvl);
	}
}

static npt_pte_t npt_map_leaf(const struct npt_op *op, u64 gpa, int lvl)
{
	return npt_op_bits(op, gpa, lvl) |
	       npt_pa_bits(op->t, op->hpa + (gpa - op->gpa));
}

/*
 * The leaf @old becomes under protect or write-protect.  Its A/D/AF bits
 * stay as they are, whoever set them: a leaf made writable keeps D clear,
 * and where the hardware does not set D itself its first write faults and
 * npt_handle_fault() sets it.
 */
static npt_pte_t npt_protect_leaf(const struct npt_op *op, npt_pte_t old,
				  u64 gpa, int lvl)
{
	const struct npt_table *t = op->t;
	npt_pte_t bits = npt_op_bits(op, gpa, lvl);

	/* A dirty log's write-protection, and its end. */
	if (op->kind == NPT_KIND_WRPROTECT) {
		u32 prot, attr;

		t->fmt->decode(t, old, lvl, &prot, &attr);
		if (!(prot & NPT_PROT_W) ||
		    t->fmt->leaf(t, prot & ~NPT_PROT_W, attr, 0, lvl, &bits))
			return old;
		bits |= t->log_wp;
	} else if (op->kind == NPT_KIND_WRUNPROTECT) {
		u32 prot, attr;

		t->fmt->decode(t, old, lvl, &prot, &attr);
		if (!(old & t->log_wp) ||
		    t->fmt->leaf(t, prot | NPT_PROT_W, attr, 0, lvl, &bits))
			return old;
	}
	return (old & (t->addr_mask | t->state | t->sw_owned)) |
	       (bits & ~t->state);
}

/* Apply the operation to one present or empty leaf slot that it covers. */
static void npt_apply_leaf(struct npt_op *op, npt_pte_t *ptep, npt_pte_t old,
			   u64 gpa, int lvl)
{
	struct npt_table *t = op->t;
	bool present = npt_pte_present(t, old);
	npt_pte_t new;

	switch (op->kind) {
	case NPT_KIND_MAP:
		new = npt_map_leaf(op, gpa, lvl);
		if (present) {
			if (npt_op_logs(op, gpa, lvl))
				old = npt_replace_logged(op, ptep, new, gpa,
							 lvl);
			else
				npt_change_leaf(op, ptep, old, new, gpa, lvl);
			npt_op_free_owned(op, old, lvl);
			return;
		}
		t->st.leaves[lvl]++;
		WRITE_ONCE(*ptep, new);
		if (t->flush_new)
			npt_plan_add(&op->pending, gpa, npt_lvl_size(lvl), lvl);
		return;
	case NPT_KIND_UNMAP:
		if (!present)
			return;
		t->st.leaves[lvl]--;
		if (npt_op_logs(op, gpa, lvl)) {
			old = npt_replace_logged(op, ptep, 0, gpa, lvl);
		} else {
			WRITE_ONCE(*ptep, 0);
			npt_plan_add(&op->pending, gpa, npt_lvl_size(lvl),
				     lvl);
		}
		npt_op_free_owned(op, old, lvl);
		return;
	case NPT_KIND_PROTECT:
	case NPT_KIND_WRPROTECT:
	case NPT_KIND_WRUNPROTECT:
		if (!present)
			return;
		if (t->state && t->hw_ad) {
			/* Keep A/D/AF bits the hardware may set meanwhile. */
			for (;;) {
				npt_pte_t cur;

				new = npt_protect_leaf(op, old, gpa, lvl);
				if (new == old)
					return;
				if ((old ^ new) & t->bbm)
					break;
				cur = cmpxchg(ptep, old, new);
				if (cur == old) {
					npt_plan_add(&op->pending, gpa,
						     npt_lvl_size(lvl), lvl);
					return;
				}
				old = cur;
			}
		}
		new = npt_protect_leaf(op, old, gpa, lvl);
		if (new != old)
			npt_change_leaf(op, ptep, old, new, gpa, lvl);
		return;
	default:
		return;
	}
}

/* Entry @i of the run from @ptep that maps @addr on, the general way. */
static void npt_apply_nth(struct npt_op *op, npt_pte_t *ptep, int i, u64 addr)
{
	npt_apply_leaf(op, ptep + i, READ_ONCE(ptep[i]),
		       addr + ((u64)i << NPT_PAGE_SHIFT), 0);
}

/* Entries [@first, @end) of a run that maps @addr on changed: plan them. */
static inline void npt_run_plan(struct npt_op *op, u64 addr, int first,
				int end)
{
	if (first < end)
		npt_plan_add(&op->pending,
			     addr + ((u64)first << NPT_PAGE_SHIFT),
			     (u64)(end - first) << NPT_PAGE_SHIFT, 0);
}

/* npt_apply_run() for a protect, with @bbm the table's break bits. */
static __always_inline void npt_protect_run(struct npt_op *op,
					    npt_pte_t *ptep, u64 addr, int n,
					    npt_pte_t bbm)
{
	const struct npt_table *t = op->t;
	const npt_pte_t present = t->present;
	const npt_pte_t keep = t->addr_mask | t->state | t->sw_owned;
	const npt_pte_t bits = op->tmpl[0] & ~t->state;
	npt_pte_t *p, old, new;
	int i, first = 0;

	for (p = ptep; p < ptep + n; p++) {
		old = READ_ONCE(*p);
		new = (old & keep) | bits;
		if (likely((old & present) && new != old &&
			   !((old ^ new) & bbm))) {
			WRITE_ONCE(*p, new);
			continue;
		}
		i = p - ptep;
		npt_run_plan(op, addr, first, i);
		if ((old & present) && new != old)
			npt_apply_nth(op, ptep, i, addr);
		first = i + 1;
	}
	npt_run_plan(op, addr, first, n);
}

/*
 * The common cases of a run of @n level-0 entries from @ptep (mapping
 * @addr on), one table at a time with the leaf bits composed once: a map
 * into holes, an unmap, a protect where the hardware sets no A/D bits.
 * Entries that need more (a replaced or owned page, a break) go through
 * npt_apply_leaf(), and so do entries the operation leaves alone; each of
 * them ends a stretch of changed entries, which is planned as one range.
 * Return: false when the whole run needs npt_apply_leaf().
 */
static bool npt_apply_run(struct npt_op *op, npt_pte_t *ptep, u64 addr, int n)
{
	struct npt_table *t = op->t;
	/* In locals: a store to an entry could alias the table's fields. */
	const npt_pte_t present = t->present, owned = t->sw_owned;
	npt_pte_t *p, old, new, inc;
	int i, other = 0, first = 0;
	bool straddles;

	if (op->logged &&
	    npt_logged(op, addr, addr + ((u64)n << NPT_PAGE_SHIFT), &straddles))
		return false;
	switch (op->kind) {
	case NPT_KIND_MAP:
		new = op->tmpl[0] | npt_pa_bits(t, op->hpa + (addr - op->gpa));
		inc = npt_pa_bits(t, NPT_PAGE_SIZE);
		for (p = ptep; p < ptep + n; p++, new += inc) {
			old = READ_ONCE(*p);
			if (likely(!(old & present))) {
				WRITE_ONCE(*p, new);
				continue;
			}
			i = p - ptep;
			if (t->flush_new)
				npt_run_plan(op, addr, first, i);
			npt_apply_nth(op, ptep, i, addr);
			first = i + 1;
			other++;
		}
		t->st.leaves[0] += n - other;
		if (!t->flush_new)
			return true;
		break;
	case NPT_KIND_UNMAP:
		for (p = ptep; p < ptep + n; p++) {
			old = READ_ONCE(*p);
			if (likely((old & present) && !(old & owned))) {
				WRITE_ONCE(*p, 0);
				continue;
			}
			i = p - ptep;
			npt_run_plan(op, addr, first, i);
			if (old & present)
				npt_apply_nth(op, ptep, i, addr);
			first = i + 1;
			other++;
		}
		t->st.leaves[0] -= n - other;
		break;
	case NPT_KIND_PROTECT:
		if (t->state && t->hw_ad)
			return false;
		/* Without break-before-make the loop need not look for it. */
		if (t->bbm)
			npt_protect_run(op, ptep, addr, n, t->bbm);
		else
			npt_protect_run(op, ptep, addr, n, 0);
		return true;
	default:
		return false;
	}
	npt_run_plan(op, addr, first, n);
	return true;
}

/*
 * Unmap a level-0 table the range covers whole by unlinking it, without
 * clearing its entries, when they are all present and none maps a page
 * the table owns; the plan is the one clearing them would make.  Return:
 * whether it did.
 */
static bool npt_unmap_table(struct npt_op *op, const struct npt_visit_ctx *ctx)
{
	struct npt_table *t = ctx->t;
	npt_pte_t *child = npt_table_va(t, ctx->old);
	bool straddles;

	if ((op->logged && npt_logged(op, ctx->addr, ctx->end, &straddles)) ||
	    !npt_fits(op, ctx->lvl, ctx->addr, ctx->end) ||
	    (!(ctx->old & t->tbl_full) &&
	     npt_run_any_hole(t, child, NPT_PTRS)))
		return false;
	/* Only a table that owns pages has entries marked as owned. */
	if (t->st.data_pages &&
	    npt_run_any_bits(child, NPT_PTRS, t->sw_owned))
		return false;
	WRITE_ONCE(*ctx->ptep, 0);
	npt_plan_add(&op->pending, ctx->start, npt_lvl_size(1), 0);
	npt_plan_add_table(&op->pending, ctx->start, npt_lvl_size(1), 1);
	t->st.leaves[0] -= NPT_PTRS;
	npt_op_free_table(op, child, 0);
	return true;
}

static int npt_apply_visit(const struct npt_visit_ctx *ctx,
			   enum npt_walk_flags visit)
{
	struct npt_op *op = ctx->arg;
	struct npt_table *t = ctx->t;
	int i, n;

	/* An unmap entering a level-0 table: unlink it, or it is not full. */
	if (visit == NPT_WALK_TABLE_PRE) {
		if (ctx->lvl == 1 && !npt_unmap_table(op, ctx))
			npt_pte_mod(ctx->ptep, 0, t->tbl_full);
		return 0;
	}
	if (visit == NPT_WALK_TABLE_POST) {
		npt_pte_t *child = npt_table_va(t, ctx->old);

		/*
		 * A map, or a protect that found no hole, that covered a
		 * level-0 table leaves all its entries present.
		 */
		if (op->kind == NPT_KIND_MAP ||
		    (op->kind == NPT_KIND_PROTECT &&
		     !(op->flags & NPT_OP_HOLES_OK))) {
			if (ctx->lvl == 1 &&
			    ctx->end - ctx->addr == npt_lvl_size(1))
				npt_pte_mod(ctx->ptep, t->tbl_full, 0);
			return 0;
		}
		/* Free a table an unmap emptied. */
		if (op->kind != NPT_KIND_UNMAP)
			return 0;
		if (!npt_fits(op, ctx->lvl, ctx->addr, ctx->end)) {
			for (i = 0; i < NPT_PTRS; i++)
				if (READ_ONCE(child[i]))
					return 0;
		}
		WRITE_ONCE(*ctx->ptep, 0);
		npt_plan_add_table(&op->pending, ctx->start,
				   npt_lvl_size(ctx->lvl), ctx->lvl);
		npt_op_free_table(op, child, ctx->lvl - 1);
		return 0;
	}

	if (!ctx->lvl) {
		n = npt_run_len(op, ctx);
		if (!npt_apply_run(op, ctx->ptep, ctx->addr, n))
			for (i = 0; i < n; i++)
				npt_apply_nth(op, ctx->ptep, i, ctx->addr);
		return n;
	}

	if (npt_fits(op, ctx->lvl, ctx->addr, ctx->end)) {
		npt_apply_leaf(op, ctx->ptep, ctx->old, ctx->addr, ctx->lvl);
		return 0;
	}
	if (npt_pte_present(t, ctx->old))
		npt_split(op, ctx->ptep, ctx->old, ctx->start, ctx->lvl);
	else if (op->kind == NPT_KIND_MAP)
		npt_install_table(op, ctx->ptep, ctx->lvl,
				  npt_cache_take(t, &t->cache));
	return 0;
}

/* ---- collapse --------------------------------------------------------- */

/* The block the level-(@lvl - 1) table @child folds into, or 0. */
static npt_pte_t npt_collapsed(const struct npt_table *t, npt_pte_t *child,
			       int lvl)
{
	npt_pte_t first = READ_ONCE(child[0]);
	npt_pte_t bits = first & ~t->addr_mask;
	phys_addr_t pa = npt_pte_pa(t, first);
	u64 csize = npt_lvl_size(lvl - 1);
	unsigned int i;

	if (!(t->leaf_lvls & BIT(lvl)) || !npt_pte_present(t, first) ||
	    npt_pte_is_table(t, first, lvl - 1) || (first & t->sw_owned) ||
	    !IS_ALIGNED(pa, npt_lvl_size(lvl)))
		return 0;
	for (i = 1; i < NPT_PTRS; i++)
		if (READ_ONCE(child[i]) != (bits | npt_pa_bits(t, pa + i * csize)))
			return 0;
	return (bits & ~t->lvl_bits) | t->lvl_val[lvl] | npt_pa_bits(t, pa);
}

static int npt_collapse_visit(const struct npt_visit_ctx *ctx,
			      enum npt_walk_flags visit)
{
	struct npt_op *op = ctx->arg;
	struct npt_table *t = ctx->t;
	npt_pte_t *child = npt_table_va(t, ctx->old);
	npt_pte_t block;
	bool straddles;
	unsigned int i;

	if (!npt_fits(op, ctx->lvl, ctx->addr, ctx->end))
		return 0;
	/*
	 * As a map makes none, no block across the edge of a logged region;
	 * and none in a region logged by the hardware's dirty flags, which a
	 * write could set in a leaf after the fold read it.
	 */
	if (op->logged && npt_logged(op, ctx->addr, ctx->end, &straddles) &&
	    (straddles || t->dirty_log_hw))
		return 0;
	block = npt_collapsed(t, child, ctx->lvl);
	if (!block)
		return 0;

	/*
	 * After Arm's break and its flush no CPU reaches the children: an
	 * access flag one got (HA) since the fold read them goes to the block.
	 */
	if (t->bbm)
		npt_break(op, ctx->ptep, ctx->start, ctx->lvl, ctx->lvl - 1);
	if (t->bbm && t->hw_ad)
		for (i = 0; i < NPT_PTRS; i++)
			block |= READ_ONCE(child[i]) & t->state;
	WRITE_ONCE(*ctx->ptep, block);
	/* The TLBs may hold the children's leaves, one level down. */
	npt_plan_add(&op->pending, ctx->start, npt_lvl_size(ctx->lvl),
		     ctx->lvl - 1);
	npt_plan_add_table(&op->pending, ctx->start, npt_lvl_size(ctx->lvl),
			   ctx->lvl);
	t->st.leaves[ctx->lvl - 1] -= NPT_PTRS;
	t->st.leaves[ctx->lvl]++;
	npt_op_free_table(op, child, ctx->lvl - 1);
	return 0;
}

/* ---- running an operation -------------------------------------------- */

/*
 * Plan [op->gpa, op->end), table lock held: conflicts, holes, the page
 * limit, and a cache holding every page the plan needs.  With @may_sleep
 * the lock is dropped to top the cache up and the plan is made again;
 * without, a short cache is -ENOMEM.  Nothing changes in the table.
 */
static int npt_op_prepare(struct npt_op *op, bool may_sleep)
{
	struct npt_walker plan = {
		.cb = npt_plan_visit,
		.arg = op,
		.flags = NPT_WALK_LEAF,
	};
	struct npt_table *t = op->t;
	int ret;

	if (op->kind == NPT_KIND_COLLAPSE)
		return 0;
	if (op->kind == NPT_KIND_PROTECT && !(op->flags & NPT_OP_HOLES_OK))
		plan.flags |= NPT_WALK_TABLE_PRE;
	for (;;) {
		op->need = 0;
		ret = npt_walk(t, op->gpa, op->end - op->gpa, &plan);
		if (ret)
			return ret;
		if (op->need > t->st.max_pages - t->st.table_pages -
			       t->st.data_pages)
			return -ENOSPC;
		if (t->cache.nr >= op->need)
			return 0;
		if (!may_sleep)
			return -ENOMEM;
		spin_unlock(&t->lock);
		ret = npt_topup(t, op->need);
		spin_lock(&t->lock);
		if (ret)
			return ret;
	}
}

/*
 * One all-or-nothing pass over [op->gpa, op->end), table lock held: plan,
 * then apply a pass that cannot fail, then flush and free what it freed.
 */
static int npt_op_locked(struct npt_op *op, bool may_sleep)
{
	struct npt_walker apply = {
		.cb = npt_apply_visit,
		.arg = op,
		.flags = NPT_WALK_LEAF | NPT_WALK_TABLE_POST,
	};
	struct npt_walker collapse = {
		.cb = npt_collapse_visit,
		.arg = op,
		.flags = NPT_WALK_TABLE_POST,
	};
	struct npt_table *t = op->t;
	u64 size = op->end - op->gpa;
	int ret;

	/* An unmap may unlink a whole level-0 table before descending. */
	if (op->kind == NPT_KIND_UNMAP)
		apply.flags |= NPT_WALK_TABLE_PRE;
	/*
	 * The plan of the whole range holds while nothing else changed.  Once
	 * something did (a fault between two chunks), each chunk plans and
	 * provisions for itself.
	 */
	if (!op->planned || op->planned != t->changes) {
		op->planned = 0;
		ret = npt_op_prepare(op, may_sleep);
		if (ret)
			return ret;
	}
	ret = npt_walk(t, op->gpa, size,
		       op->kind == NPT_KIND_COLLAPSE ? &collapse : &apply);
	WARN_ON_ONCE(ret);
	npt_op_settle(op);
	op->res->done += size;
	t->changes++;
	if (op->planned)
		op->planned = t->changes;
	return 0;
}

/*
 * Where the run of empty entries from the widest empty entry on the walk
 * to @gpa ends, if that entry spans at least @min bytes (so chunks stay
 * aligned to them); else 0.  An operation with nothing to do where there
 * is no entry passes the run in one step: an unmap of a 57-bit EPT space
 * with two pages is a few chunks, not 2^27.  Table lock held.
 */
static u64 npt_empty_end(struct npt_table *t, u64 gpa, u64 min)
{
	const npt_pte_t *table = t->root;
	int lvl;

	for (lvl = npt_root_lvl(t); lvl > 0 && npt_lvl_size(lvl) >= min;
	     lvl--) {
		u64 n = npt_lvl_entries(t, lvl), size = npt_lvl_size(lvl);
		u64 i = (gpa >> npt_lvl_shift(lvl)) & (n - 1), first = i;
		npt_pte_t pte = READ_ONCE(table[i]);

		if (!npt_pte_present(t, pte)) {
			while (i + 1 < n &&
			       !npt_pte_present(t, READ_ONCE(table[i + 1])))
				i++;
			return (gpa & ~(size - 1)) + (i + 1 - first) * size;
		}
		if (!npt_pte_is_table(t, pte, lvl))
			return 0;
		table = npt_table_va(t, pte);
	}
	return 0;
}

/*
 * A range operation, with the operation mutex held: planned and provisioned
 * for its whole range first, so that conflicts, holes, the limit and
 * allocation failures fail it before anything changes; then applied 1 GiB
 * (or one of the format's largest blocks, if larger) at a time under the
 * table lock, dropping it between chunks to reschedule and, when
 * interruptible, to stop on a fatal signal.  Only a stop, or a fault
 * resolved in the range between two chunks, leaves a prefix done.
 */
static int npt_op_chunked(struct npt_op *op)
{
	struct npt_table *t = op->t;
	u64 start = op->gpa, end = op->end, hpa = op->hpa, gpa = start;
	/* Chunks never cut the largest block the format has. */
	u64 chunk = max_t(u64, BIT_ULL(NPT_CHUNK_SHIFT),
			  npt_lvl_size(fls(t->leaf_lvls) - 1));
	unsigned long keep;
	int ret;

	spin_lock(&t->lock);
	keep = t->cache.nr;
	ret = npt_op_prepare(op, true);
	op->planned = ++t->changes;
	spin_unlock(&t->lock);

	while (!ret && gpa < end) {
		u64 next = min((gpa | (chunk - 1)) + 1, end);

		spin_lock(&t->lock);
		/* Only a map has work where there is no entry. */
		if (op->kind != NPT_KIND_MAP)
			next = max(next, min(npt_empty_end(t, gpa, chunk), end));
		op->gpa = gpa;
		op->end = next;
		op->hpa = hpa + (gpa - start);
		ret = npt_op_locked(op, true);
		spin_unlock(&t->lock);
		gpa = next;
		if (ret || gpa == end)
			break;
		if (!(op->flags & NPT_OP_INTERRUPTIBLE))
			npt_host_resched();
		else if (npt_host_should_stop())
			ret = -EINTR;
	}

	spin_lock(&t->lock);
	npt_cache_trim(t, keep);
	spin_unlock(&t->lock);
	return ret;
}

static int npt_op_run(struct npt_op *op, struct npt_op_result *res)
{
	struct npt_table *t = op->t;
	int ret;

	memset(res, 0, sizeof(*res));
	op->res = res;
	mutex_lock(&t->op_lock);
	if (op->kind == NPT_KIND_MAP || op->kind == NPT_KIND_PROTECT ||
	    op->kind == NPT_KIND_COLLAPSE ||
	    (op->kind == NPT_KIND_UNMAP && t->dirty_log_hw)) {
		unsigned int i;

		/* Regions change only under the operation mutex. */
		for (i = 0; i < t->nr_regions; i++) {
			const struct npt_region *rg = &t->regions[i].rg;

			if (t->regions[i].dirty && op->gpa < rg->gpa + rg->size &&
			    rg->gpa < op->end)
				op->logged |= BIT(i);
		}
	}
	ret = npt_op_chunked(op);
	/* Free the table pages it unlinked once lockless lookups are done. */
	npt_host_quiesce(t);
	mutex_unlock(&t->op_lock);
	return ret;
}

static int npt_op_init(struct npt_op *op, struct npt_table *t,
		       enum npt_op_kind kind, u64 gpa, u64 size, u32 flags,
		       u32 valid)
{
	memset(op, 0, sizeof(*op));
	op->t = t;
	op->kind = kind;
	op->gpa = gpa;
	op->end = gpa + size;
	op->flags = flags;
	if (flags & ~valid)
		return -EINVAL;
	return npt_check_range(t, gpa, size);
}

static int npt_op_tmpl(struct npt_op *op, u32 prot, u32 attr)
{
	struct npt_table *t = op->t;
	int lvl, ret;

	if (!npt_prot_attr_known(prot, attr))
		return -EINVAL;
	for (lvl = 0; lvl < t->levels; lvl++) {
		if (!(t->leaf_lvls & BIT(lvl)))
			continue;
		ret = t->fmt->leaf(t, prot, attr, op->flags, lvl,
				   &op->tmpl[lvl]);
		if (ret)
			return ret;
		/* A logged leaf's first write must fault, or set D. */
		op->tmpl_ro[lvl] = op->tmpl[lvl] & ~t->dirty_bit;
		if (!(prot & NPT_PROT_W) || t->dirty_log_hw)
			continue;
		if (t->fmt->leaf(t, prot & ~NPT_PROT_W, attr, op->flags, lvl,
				 &op->tmpl_ro[lvl]))
			return -EINVAL;
		op->tmpl_ro[lvl] |= t->log_wp;
	}
	return 0;
}

/**
 * npt_map_leaf_locked() - map one leaf into a hole from the page cache
 * @t:		The table, lock held.
 * @gpa:	Guest-physical address, aligned to the leaf, not mapped.
 * @hpa:	Host-physical address, aligned to the leaf.
 * @lvl:	Level of the leaf: 0 for a page, %NPT_BLOCK_LVL for a block.
 * @bits:	Leaf attribute bits for @lvl (from the encoder), plus
 *		@t->sw_owned when the table owns the page.
 * @res:	Filled with what was done and invalidated.
 *
 * The fault path's map: never sleeps, takes the tables it needs from the
 * page cache and fails with -ENOMEM, changing nothing, when the cache is
 * short (the caller tops it up with npt_topup() and retries).
 *
 * Return: 0, -EEXIST, -ENOSPC or -ENOMEM.
 */
int npt_map_leaf_locked(struct npt_table *t, u64 gpa, u64 hpa, int lvl,
			npt_pte_t bits, struct npt_op_result *res)
{
	u32 flags = lvl ? 0 : NPT_OP_NO_BLOCKS;
	struct npt_op op;
	int ret;

	ret = npt_op_init(&op, t, NPT_KIND_MAP, gpa, npt_lvl_size(lvl), flags,
			  flags);
	if (ret)
		return ret;
	memset(res, 0, sizeof(*res));
	op.res = res;
	op.hpa = hpa;
	op.tmpl[lvl] = bits;
	return npt_op_locked(&op, false);
}

/**
 * npt_wrprotect_locked() - a dirty log's write-protection of a range
 * @t:		The table, operation mutex and lock held.
 * @gpa:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @wp:		Remove write permission from the leaves that have it, and
 *		mark them with @t->log_wp; or, when false, give it back to
 *		the leaves so marked (the log ends).
 * @res:	Filled with what was done and invalidated.
 *
 * Holes are skipped; blocks partly inside the range are split first.  The
 * lock is dropped only to top the page cache up, before anything changes;
 * the change itself and the flush happen under the lock the caller holds
 * when this returns.
 *
 * Context: process context, may sleep.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_wrprotect_locked(struct npt_table *t, u64 gpa, u64 size, bool wp,
			 struct npt_op_result *res)
{
	struct npt_op op;
	unsigned long keep = t->cache.nr;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = npt_op_init(&op, t, wp ? NPT_KIND_WRPROTECT :
			  NPT_KIND_WRUNPROTECT, gpa, size, 0, 0);
	if (ret)
		return ret;
	op.res = res;
	ret = npt_op_locked(&op, true);
	npt_cache_trim(t, keep);
	return ret;
}

/**
 * npt_log_wrprotect() - a dirty log's write-protection of a range, in chunks
 * @t:		The table.
 * @gpa:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @wp:		Remove write permission, or give it back, as for
 *		npt_wrprotect_locked().
 * @res:	Filled with what was done (@res->done) and invalidated.
 *
 * npt_wrprotect_locked(), planned and provisioned for the whole range
 * first (which may fail with nothing done), then applied 1 GiB (or the
 * format's largest block) at a time, dropping the table lock in between
 * as every range operation does.  Only a fault resolved between two
 * chunks, after which a chunk must provision again, can fail it with a
 * prefix done, and only when it removes write permission: giving it back
 * splits nothing.
 *
 * Context: process context, may sleep; the operation mutex held, the
 * table lock not.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_log_wrprotect(struct npt_table *t, u64 gpa, u64 size, bool wp,
		      struct npt_op_result *res)
{
	struct npt_op op;
	int ret;

	lockdep_assert_held(&t->op_lock);
	memset(res, 0, sizeof(*res));
	ret = npt_op_init(&op, t, wp ? NPT_KIND_WRPROTECT :
			  NPT_KIND_WRUNPROTECT, gpa, size, 0, 0);
	if (ret)
		return ret;
	op.res = res;
	return npt_op_chunked(&op);
}

/*
 * npt_lookup_fmt() over a provider that is not linear: the table's own
 * entry facts, and its phys_to_virt op for every table page.
 */
npt_pte_t npt_lookup_slow(const struct npt_table *t, u64 gpa, int *lvlp)
{
	const npt_pte_t *table = t->root;
	int lvl = npt_root_lvl(t);
	u64 idx = gpa >> npt_lvl_shift(lvl);
	npt_pte_t pte;

	for (;;) {
		pte = READ_ONCE(table[idx]);
		if (!npt_pte_is_table(t, pte, lvl))
			break;
		table = npt_table_va(t, pte);
		lvl--;
		idx = (gpa >> npt_lvl_shift(lvl)) & (NPT_PTRS - 1);
	}
	*lvlp = lvl;
	return pte;
}

/**
 * npt_lookup_locked() - the leaf translating an address
 * @t:		The table, lock held.
 * @gpa:	The address, below 2^@t->ia_bits.
 * @lvl:	Set to the leaf's level.
 *
 * Return: the leaf, or 0 when @gpa is not mapped.
 */
npt_pte_t npt_lookup_locked(struct npt_table *t, u64 gpa, int *lvl)
{
	npt_pte_t pte;

	if (t->linear)
		pte = npt_lookup_fmt(t, gpa, lvl, npt_walk_facts_of(t));
	else
		pte = npt_lookup_slow(t, gpa, lvl);
	return npt_pte_present(t, pte) ? pte : 0;
}

/* npt_translate() over a provider that is not linear, out of its way. */
static noinline int npt_translate_slow(struct npt_table *t, u64 gpa,
				       struct npt_translation *tr)
{
	return npt_translate_fmt(t, gpa, tr, t->fmt->decode, false,
				 npt_walk_facts_of(t));
}

static unsigned int npt_translate_many_slow(struct npt_table *t,
					    const u64 *gpa,
					    struct npt_translation *tr,
					    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && !npt_translate_slow(t, gpa[i], &tr[i]); i++)
		;
	return i;
}

static const struct npt_translator npt_slow_translator = {
	.one = npt_translate_slow,
	.many = npt_translate_many_slow,
};

/**
 * npt_map() - map a guest-physical range onto a host-physical range
 * @t:		The table.
 * @gpa:	First guest-physical address, page aligned.
 * @hpa:	Host-physical address it maps to, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @prot:	NPT_PROT_* permissions, nonzero.
 * @attr:	NPT_MT_* memory type and NPT_ATTR_* flags.
 * @flags:	%NPT_OP_REPLACE, %NPT_OP_NO_BLOCKS, %NPT_OP_OLD,
 *		%NPT_OP_INTERRUPTIBLE.
 * @res:	Filled with what was done and invalidated.
 *
 * Uses the largest blocks that @gpa, @hpa and the size allow (unless
 * %NPT_OP_NO_BLOCKS).  Missing tables are allocated first; if that fails
 * nothing changes.  Without %NPT_OP_REPLACE, any present leaf in the range
 * fails the whole call with -EEXIST.  The host pages belong to the caller,
 * who keeps them valid while they are mapped; npt never touches them.
 *
 * Context: process context, may sleep; takes the operation mutex, then the
 * table lock one chunk at a time.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_map(struct npt_table *t, u64 gpa, u64 hpa, u64 size, u32 prot,
	    u32 attr, u32 flags, struct npt_op_result *res)
{
	struct npt_op op;
	int ret;

	ret = npt_op_init(&op, t, NPT_KIND_MAP, gpa, size, flags,
			  NPT_OP_REPLACE | NPT_OP_NO_BLOCKS | NPT_OP_OLD |
			  NPT_OP_INTERRUPTIBLE);
	if (!ret && !IS_ALIGNED(hpa, NPT_PAGE_SIZE))
		ret = -EINVAL;
	if (!ret && hpa + size < hpa)
		ret = -EOVERFLOW;
	if (!ret && hpa + size > BIT_ULL(t->oa_bits))
		ret = -ERANGE;
	if (!ret)
		ret = npt_op_tmpl(&op, prot, attr);
	if (ret) {
		memset(res, 0, sizeof(*res));
		return ret;
	}
	op.hpa = hpa;
	return npt_op_run(&op, res);
}
EXPORT_SYMBOL_GPL(npt_map);

/**
 * npt_unmap() - remove every mapping in a guest-physical range
 * @t:		The table.
 * @gpa:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @flags:	%NPT_OP_INTERRUPTIBLE or 0.
 * @res:	Filled with what was done and invalidated.
 *
 * Holes are skipped.  A block only partly inside the range is first split
 * into leaves that map exactly what it mapped; tables left empty are freed
 * after the invalidation that makes them unreachable.
 *
 * Context: process context, may sleep; takes the operation mutex, then the
 * table lock one chunk at a time.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_unmap(struct npt_table *t, u64 gpa, u64 size, u32 flags,
	      struct npt_op_result *res)
{
	struct npt_op op;
	int ret;

	ret = npt_op_init(&op, t, NPT_KIND_UNMAP, gpa, size, flags,
			  NPT_OP_INTERRUPTIBLE);
	if (ret) {
		memset(res, 0, sizeof(*res));
		return ret;
	}
	return npt_op_run(&op, res);
}
EXPORT_SYMBOL_GPL(npt_unmap);

/**
 * npt_protect() - change permissions and memory attributes of a range
 * @t:		The table.
 * @gpa:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @prot:	New NPT_PROT_* permissions, nonzero.
 * @attr:	New NPT_MT_* memory type and NPT_ATTR_* flags.
 * @flags:	%NPT_OP_HOLES_OK, %NPT_OP_INTERRUPTIBLE.
 * @res:	Filled with what was done and invalidated.
 *
 * Output addresses and the A/D/AF bits stay.  A block only partly inside
 * the range is split first.  A hole fails the call with -ENOENT unless
 * %NPT_OP_HOLES_OK.
 *
 * Context: process context, may sleep; takes the operation mutex, then the
 * table lock one chunk at a time.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_protect(struct npt_table *t, u64 gpa, u64 size, u32 prot, u32 attr,
		u32 flags, struct npt_op_result *res)
{
	struct npt_op op;
	int ret;

	ret = npt_op_init(&op, t, NPT_KIND_PROTECT, gpa, size, flags,
			  NPT_OP_HOLES_OK | NPT_OP_INTERRUPTIBLE);
	if (!ret)
		ret = npt_op_tmpl(&op, prot, attr);
	if (ret) {
		memset(res, 0, sizeof(*res));
		return ret;
	}
	return npt_op_run(&op, res);
}
EXPORT_SYMBOL_GPL(npt_protect);

/**
 * npt_collapse() - fold tables of uniform leaves back into blocks
 * @t:		The table.
 * @gpa:	First guest-physical address, page aligned.
 * @size:	Bytes, page aligned, nonzero.
 * @res:	Filled with what was done and invalidated.
 *
 * A table entirely inside the range whose 512 entries are leaves mapping
 * one contiguous, block-aligned run with identical attributes becomes one
 * block, where the format allows a block at that level.  Works bottom-up,
 * so 4 KiB pages can end as a 1 GiB block.  On Arm the block gets an
 * access flag that a CPU set in a page until the break's flush; on EPT
 * with A/D and RISC-V with Svadu an accessed or dirty flag that a CPU sets
 * in a page while the collapse runs may be lost, as when KVM recovers huge
 * pages: outside dirty-logged regions, whose pages are never folded, the
 * flags are hints.
 *
 * Context: process context, may sleep; takes the operation mutex, then the
 * table lock one chunk at a time.
 * Return: 0 or an errno of the table in npt_uapi.h.
 */
int npt_collapse(struct npt_table *t, u64 gpa, u64 size,
		 struct npt_op_result *res)
{
	struct npt_op op;
	int ret;

	ret = npt_op_init(&op, t, NPT_KIND_COLLAPSE, gpa, size, 0, 0);
	if (ret) {
		memset(res, 0, sizeof(*res));
		return ret;
	}
	return npt_op_run(&op, res);
}
EXPORT_SYMBOL_GPL(npt_collapse);

/* ---- reading ---------------------------------------------------------- */

/*
 * npt_translate() out of its fast path, for @gpa beyond the table's width
 * (@pte 0) or whose lockless walk ended at @pte, which is not present.
 * An Arm break-before-make in progress is waited for by looking again
 * under the lock: the make follows the break before the lock is dropped.
 * Return: npt_translate()'s, with @tr cleared on failure.
 */
noinline int npt_translate_failed(struct npt_table *t, u64 gpa,
				  struct npt_translation *tr, npt_pte_t pte)
{
	int lvl;

	if (gpa >> t->ia_bits) {
		memset(tr, 0, sizeof(*tr));
		return -ERANGE;
	}
	if (pte && pte == t->break_val) {
		spin_lock(&t->lock);
		pte = npt_lookup_slow(t, gpa, &lvl);
		spin_unlock(&t->lock);
		if (npt_pte_present(t, pte)) {
			npt_translation_set(t, gpa, pte, lvl, tr,
					    t->fmt->decode,
					    npt_walk_facts_of(t));
			return 0;
		}
	}
	memset(tr, 0, sizeof(*tr));
	return -ENOENT;
}

/**
 * npt_translate() - look up one guest-physical address
 * @t:		The table.
 * @gpa:	The address; need not be aligned.
 * @tr:		Filled with the translation.
 *
 * Lockless, like a hardware walker: an operation running concurrently on
 * @gpa is seen either before or after each entry it changes.  Only an
 * Arm break-before-make in progress on the walk is waited for, by taking
 * the table lock.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); never allocates.
 * Return: 0, -ENOENT when @gpa is not mapped, -ERANGE when it is beyond the
 * table's width.
 */
int npt_translate(struct npt_table *t, u64 gpa, struct npt_translation *tr)
{
	return t->translate(t, gpa, tr);
}
EXPORT_SYMBOL_GPL(npt_translate);

/**
 * npt_translate_many() - look up several guest-physical addresses
 * @t:		The table.
 * @gpa:	@n addresses, in any order; need not be aligned.
 * @tr:		Filled with their @n translations.
 * @n:		How many.
 *
 * npt_translate() of each, in less time: the walks of up to 16
 * addresses are overlapped, so that their last loads, which miss the
 * caches over a large table, wait together.  Each result is what
 * npt_translate() would give at some moment during the call; with the
 * table changing meanwhile, not necessarily in the order of @gpa.  For
 * a hypervisor that translates a list of guest pages (a descriptor
 * ring's buffers, a migration's dirty pages) rather than one address at
 * a time.
 *
 * Context: as npt_translate().
 * Return: how many were translated, from the first: @n, or the index of
 * the first address npt_translate() fails on, for which @tr holds what
 * npt_translate() leaves (a second call on it gives the errno).  @tr after
 * that index is undefined.
 */
unsigned int npt_translate_many(struct npt_table *t, const u64 *gpa,
				struct npt_translation *tr, unsigned int n)
{
	return t->translate_many(t, gpa, tr, n);
}
EXPORT_SYMBOL_GPL(npt_translate_many);

/**
 * npt_walk_gpa() - the raw entries on the walk of one address
 * @t:		The table.
 * @gpa:	The address.
 * @wi:		Filled with one entry per level, from the root down to the
 *		leaf or the first non-present entry.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 * Return: 0, or -ERANGE when @gpa is beyond the table's width.
 */
int npt_walk_gpa(struct npt_table *t, u64 gpa, struct npt_walk_info *wi)
{
	npt_pte_t *table = t->root;
	int lvl;

	memset(wi, 0, sizeof(*wi));
	wi->root_lvl = npt_root_lvl(t);
	if (gpa >> t->ia_bits)
		return -ERANGE;

	spin_lock(&t->lock);
	for (lvl = npt_root_lvl(t); lvl >= 0; lvl--) {
		u64 idx = (gpa >> npt_lvl_shift(lvl)) &
			  (npt_lvl_entries(t, lvl) - 1);
		npt_pte_t pte = READ_ONCE(table[idx]);

		wi->pte[wi->levels++] = pte;
		if (!npt_pte_is_table(t, pte, lvl))
			break;
		table = npt_table_va(t, pte);
	}
	spin_unlock(&t->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(npt_walk_gpa);

/**
 * npt_validate() - check one present entry as the hardware would
 * @t:		The table.
 * @pte:	The entry.
 * @lvl:	Its level.
 *
 * Not part of the API of npt.h: exported, through npt_priv.h, for npt's
 * own KUnit tests.
 *
 * Context: any.
 * Return: %NPT_BAD_NONE, or why the hardware would not walk @pte as a
 * valid entry (misconfiguration, reserved bits, misaligned block).
 */
enum npt_bad npt_validate(const struct npt_table *t, npt_pte_t pte, int lvl)
{
	if (!npt_pte_present(t, pte))
		return NPT_BAD_NONE;
	return t->fmt->validate(t, pte, lvl);
}
EXPORT_SYMBOL_GPL(npt_validate);

/**
 * npt_root_regs() - values that make hardware walk a table
 * @t:		The table.
 * @regs:	Filled with EPTP, VTTBR_EL2 + VTCR_EL2, or hgatp.
 *
 * Context: any.
 */
void npt_root_regs(const struct npt_table *t, struct npt_root_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	t->fmt->root_regs(t, regs);
}
EXPORT_SYMBOL_GPL(npt_root_regs);

/**
 * npt_root_pa() - physical address of a table's root
 * @t:		The table.
 *
 * Context: any.
 * Return: the root's physical address (aligned to its size).
 */
phys_addr_t npt_root_pa(const struct npt_table *t)
{
	return t->root_pa;
}
EXPORT_SYMBOL_GPL(npt_root_pa);

/**
 * npt_get_stats() - read a table's counters
 * @t:		The table.
 * @st:		Filled with the counters.
 *
 * Context: task context, atomic or not (not hard or soft interrupt: the
 * table lock is not irq-safe); takes the table lock.
 */
void npt_get_stats(struct npt_table *t, struct npt_stats *st)
{
	spin_lock(&t->lock);
	*st = t->st;
	spin_unlock(&t->lock);
}
EXPORT_SYMBOL_GPL(npt_get_stats);

/**
 * npt_ia_bits() - guest-physical address width of a table
 * @t:		The table.
 *
 * Context: any.
 * Return: the width in bits.
 */
u32 npt_ia_bits(const struct npt_table *t)
{
	return t->ia_bits;
}
EXPORT_SYMBOL_GPL(npt_ia_bits);

/**
 * npt_oa_bits() - output address width of a table
 * @t:		The table.
 *
 * Context: any.
 * Return: the width in bits.
 */
u32 npt_oa_bits(const struct npt_table *t)
{
	return t->oa_bits;
}
EXPORT_SYMBOL_GPL(npt_oa_bits);

/**
 * npt_levels() - number of levels of a table
 * @t:		The table.
 *
 * Context: any.
 * Return: the number of levels walked, root included.
 */
u32 npt_levels(const struct npt_table *t)
{
	return t->levels;
}
EXPORT_SYMBOL_GPL(npt_levels);

/**
 * npt_root_pages() - size of a table's root in pages
 * @t:		The table.
 *
 * Context: any.
 * Return: 1, or the number of concatenated / wide root pages.
 */
u32 npt_root_pages(const struct npt_table *t)
{
	return BIT(t->root_order);
}
EXPORT_SYMBOL_GPL(npt_root_pages);

/**
 * npt_options() - options of a table
 * @t:		The table.
 *
 * Context: any.
 * Return: the NPT_OPT_* it was created with.
 */
u32 npt_options(const struct npt_table *t)
{
	return t->options;
}
EXPORT_SYMBOL_GPL(npt_options);

/**
 * npt_vmid() - VMID in a table's root register
 * @t:		The table.
 *
 * Context: any.
 * Return: the VMID it was created with.
 */
u32 npt_vmid(const struct npt_table *t)
{
	return t->vmid;
}
EXPORT_SYMBOL_GPL(npt_vmid);

/**
 * npt_pte_hide_table() - an entry without the addresses npt chose
 * @t:		The table.
 * @pte:	An entry read at @lvl (from npt_walk_gpa()).
 * @lvl:	Its level.
 *
 * For showing walks to callers who may not see kernel addresses: a table
 * entry, and a leaf mapping a page the table owns (lazy regions), lose
 * their address bits; leaves whose output addresses the caller chose and
 * non-present entries are returned as they are.
 *
 * Context: any.
 * Return: the entry to show.
 */
npt_pte_t npt_pte_hide_table(const struct npt_table *t, npt_pte_t pte,
			     int lvl)
{
	if (npt_pte_is_table(t, pte, lvl) ||
	    (npt_pte_present(t, pte) && (pte & t->sw_owned)))
		return pte & ~t->addr_mask;
	return pte;
}
EXPORT_SYMBOL_GPL(npt_pte_hide_table);

/**
 * npt_format() - format of a table
 * @t:		The table.
 *
 * Context: any.
 * Return: its NPT_FORMAT_* value.
 */
u32 npt_format(const struct npt_table *t)
{
	return t->format;
}
EXPORT_SYMBOL_GPL(npt_format);

/* ---- lifetime --------------------------------------------------------- */

/*
 * Whether this CPU can walk @t, with the widths its format chose (a zero
 * width in the configuration means the format's largest).
 */
static int npt_host_fits(const struct npt_table *t)
{
	struct npt_host_caps caps;
	int ret = npt_host_caps(&caps);

	if (ret)
		return ret;
	if (!(caps.formats & BIT(t->format)) ||
	    (t->options & ~caps.options) || t->oa_bits > caps.oa_bits ||
	    (caps.ia_bits_max && t->ia_bits > caps.ia_bits_max) ||
	    (t->leaf_lvls & ~caps.leaf_lvls) || (t->vmid >> caps.vmid_bits))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * npt_table_create() - create an empty table
 * @cfg:	Format, options, widths, limit, host memory and flush.
 * @out:	Receives the table.
 *
 * With %NPT_CFG_CHECK_HOST the CPU is probed again, through
 * npt_host_caps(): on RISC-V that writes hgatp and fences the G-stage
 * TLB, so create such a table only while no guest runs on this CPU.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a bad configuration, -EOPNOTSUPP for a format
 * this build lacks (or, with %NPT_CFG_CHECK_HOST, that this CPU cannot
 * walk with the options, widths and leaf levels the table gets, or with
 * its VMID), -ENOSPC when the root alone exceeds the page limit, -ENOMEM
 * (also for a root the provider put beyond the output width).
 */
int npt_table_create(const struct npt_config *cfg, struct npt_table **out)
{
	const struct npt_fmt *fmt = npt_fmt_get(cfg->format);
	struct npt_table *t;
	int ret;

	*out = NULL;
	if (!cfg->format || cfg->format > NPT_FORMAT_MAX ||
	    (cfg->options & ~NPT_OPT_ALL) || !cfg->mm ||
	    (cfg->flags & ~NPT_CFG_CHECK_HOST))
		return -EINVAL;
	if (!fmt)
		return -EOPNOTSUPP;

	t = npt_host_zalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fmt = fmt;
	t->format = cfg->format;
	t->options = cfg->options;
	t->vmid = cfg->vmid;
	t->mm = cfg->mm;
	t->linear = cfg->mm->linear;
	t->mm_arg = cfg->mm_arg;
	t->flush = cfg->flush;
	t->flush_arg = cfg->flush_arg;
	t->st.max_pages = cfg->max_pages ?: NPT_DEFAULT_MAX_PAGES;
	mutex_init(&t->op_lock);
	spin_lock_init(&t->lock);
	INIT_LIST_HEAD(&t->rcu_wait);

	ret = fmt->init(t, cfg);
	if (ret)
		goto out_free;
	t->dirty_log_hw = t->hw_ad && t->dirty_bit;
	if (!t->linear)
		npt_set_translator(t, &npt_slow_translator);
	if (WARN_ON_ONCE(t->levels > NPT_MAX_LEVELS || t->levels < 2)) {
		ret = -EINVAL;
		goto out_free;
	}
	/*
	 * Levels 0 to some top, so that a split always lands on an allowed
	 * level; of those, the ones the format has (a host's set may be
	 * wider).
	 */
	if (cfg->leaf_lvls) {
		if (!(cfg->leaf_lvls & BIT(0)) ||
		    (cfg->leaf_lvls & (cfg->leaf_lvls + 1))) {
			ret = -EINVAL;
			goto out_free;
		}
		t->leaf_lvls &= cfg->leaf_lvls;
	}
	if (cfg->flags & NPT_CFG_CHECK_HOST) {
		ret = npt_host_fits(t);
		if (ret)
			goto out_free;
	}
	if (npt_root_pages(t) > t->st.max_pages) {
		ret = -ENOSPC;
		goto out_free;
	}

	t->root = t->mm->alloc(t->mm_arg, t->root_order);
	if (!t->root) {
		ret = -ENOMEM;
		goto out_free;
	}
	t->root_pa = t->mm->virt_to_phys(t->mm_arg, t->root);
	t->va_off = (uintptr_t)t->root - t->root_pa;
	if (WARN_ON_ONCE(!IS_ALIGNED(t->root_pa,
				     NPT_PAGE_SIZE << t->root_order))) {
		ret = -EINVAL;
		goto out_free_root;
	}
	if (!npt_page_reachable(t, t->root, t->root_order)) {
		ret = -ENOMEM;
		goto out_free_root;
	}
	t->st.table_pages = npt_root_pages(t);
	t->st.tables[npt_root_lvl(t)] = npt_root_pages(t);
	*out = t;
	return 0;

out_free_root:
	t->mm->free(t->mm_arg, t->root, t->root_order);
out_free:
	mutex_destroy(&t->op_lock);
	npt_host_free(t);
	return ret;
}
EXPORT_SYMBOL_GPL(npt_table_create);

static void npt_free_lvl(struct npt_table *t, npt_pte_t *table, int lvl)
{
	u64 i, nr = npt_lvl_entries(t, lvl);

	/* Level 0 holds no tables, and owned pages only if the table has any. */
	if (!lvl && !t->st.data_pages)
		return;
	for (i = 0; i < nr; i++) {
		npt_pte_t pte = table[i];

		if (npt_pte_is_table(t, pte, lvl)) {
			npt_pte_t *child = npt_table_va(t, pte);

			npt_free_lvl(t, child, lvl - 1);
			t->mm->free(t->mm_arg, child, 0);
			/* Up to the page limit of them: let others run. */
			npt_host_resched();
		} else if (npt_pte_present(t, pte) && (pte & t->sw_owned)) {
			t->mm->free(t->mm_arg, npt_table_va(t, pte),
				    lvl * NPT_LVL_BITS);
		}
	}
}

/**
 * npt_table_destroy() - free a table and every page it owns
 * @t:		The table, or NULL.
 *
 * The caller guarantees that no CPU walks the table any more: its root is
 * loaded nowhere and the TLBs hold nothing of it (for example after
 * INVEPT single-context, TLBI VMALLS12E1IS or HFENCE.GVMA of its VMID).
 * Host pages mapped by the table are the caller's and are not touched,
 * except the pages of lazy regions, which the table owns and frees.
 *
 * Context: process context; no other operation on @t may be running.
 */
void npt_table_destroy(struct npt_table *t)
{
	if (!t)
		return;
	npt_host_quiesce(t);
	npt_free_lvl(t, t->root, npt_root_lvl(t));
	t->mm->free(t->mm_arg, t->root, t->root_order);
	npt_regions_free(t);
	npt_cache_trim(t, 0);
	while (t->blocks.nr)
		t->mm->free(t->mm_arg, npt_cache_take(t, &t->blocks),
			    NPT_BLOCK_ORDER);
	mutex_destroy(&t->op_lock);
	npt_host_free(t);
}
EXPORT_SYMBOL_GPL(npt_table_destroy);
