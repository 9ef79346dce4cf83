// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: minimal reproducers of core bugs the runner
 * found, and of the races it cannot make, one function each, so that a
 * fix is checked in a second and stays fixed.  Every case prints "ok" or
 * "BUG" and what it saw; the exit status is the number of cases that show
 * their bug.
 *
 * A bug that is reported and not fixed yet is marked open in main(): it
 * prints "OPEN" instead of "BUG" and does not count, and the runner
 * tolerates exactly that deviation where it says so.  Drop the mark (and
 * the tolerance) once the core is fixed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/array_size.h>
#include "host.h"

#define G	(1ULL << 30)
#define RW	(NPT_PROT_R | NPT_PROT_W)
#define S2_AF_BIT	(1ULL << 10)	/* Arm stage-2 descriptor AF */

static struct npt_test_mm mm;

/* A table of @cfg over fresh fake memory from 4 GiB (@cfg gets its mm). */
static struct npt_table *table_cfg(struct npt_config *cfg)
{
	struct npt_table *t;

	cfg->mm = &npt_test_mm_ops;
	cfg->mm_arg = &mm;
	npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 16);
	if (npt_table_create(cfg, &t))
		abort();
	return t;
}

static struct npt_table *table(u32 format)
{
	return table_cfg(&(struct npt_config){ .format = format });
}

static void done(struct npt_table *t)
{
	npt_table_destroy(t);
	npt_test_mm_fini(&mm);
}

/*
 * An interruptible map that crosses a 1 GiB line maps every chunk after
 * the first at the host address of the first: npt_op_run() moves op->gpa
 * to each chunk but not op->hpa, and npt_map_leaf() adds gpa - op->gpa.
 */
static int interruptible_hpa(void)
{
	struct npt_table *t = table(NPT_FORMAT_EPT4);
	struct npt_op_result res;
	struct npt_translation tr;
	u64 hpa = 0x100000000ULL;
	int ret, bug;

	ret = npt_map(t, G - 4096, hpa, 8192, RW, NPT_MT_WB,
		      NPT_OP_INTERRUPTIBLE, &res);
	npt_translate(t, G, &tr);
	bug = ret || tr.hpa != hpa + 4096;
	printf("%s interruptible-hpa: map(1G - 4K, %#llx, 8K) = %d; "
	       "translate(1G) = %#llx, expected %#llx\n", bug ? "BUG" : "ok",
	       (unsigned long long)hpa, ret, (unsigned long long)tr.hpa,
	       (unsigned long long)(hpa + 4096));
	done(t);
	return bug;
}

/*
 * An interruptible call that fails for another reason than a stop
 * (EEXIST, ENOENT, ENOSPC, ENOMEM) in its second 1 GiB chunk keeps the
 * first chunk done and reports done != 0: the errno table promises that
 * only -EINTR leaves a prefix.
 */
static int interruptible_atomic(void)
{
	struct npt_table *t = table(NPT_FORMAT_SV39X4);
	struct npt_op_result res;
	struct npt_translation tr;
	int ret, tret, bug;

	npt_map(t, G, 0x200000000ULL, 4096, RW, NPT_MT_WB, 0, &res);
	ret = npt_map(t, G - 4096, 0x300000000ULL, 8192, RW, NPT_MT_WB,
		      NPT_OP_INTERRUPTIBLE, &res);
	tret = npt_translate(t, G - 4096, &tr);
	bug = ret != -EEXIST || res.done || !tret;
	printf("%s interruptible-atomic: map over a conflict in the second "
	       "chunk = %d, done %#llx, translate(1G - 4K) = %d (expected "
	       "-EEXIST, 0, -ENOENT)\n", bug ? "BUG" : "ok", ret,
	       (unsigned long long)res.done, tret);
	done(t);
	return bug;
}

/*
 * npt_visitor_fn says "0 continues", but a LEAF visit that returns 0 makes
 * npt_walk_lvl() advance by 0 entries: the walk visits the same entry
 * forever.  The visitor here gives up after 1000 visits.
 */
static int visits;

static int leaf_zero(const struct npt_visit_ctx *ctx, enum npt_walk_flags v)
{
	return ++visits > 1000 ? -E2BIG : 0;
}

static int walk_leaf_zero(void)
{
	struct npt_table *t = table(NPT_FORMAT_ARM64_S2);
	struct npt_walker w = { .cb = leaf_zero, .flags = NPT_WALK_LEAF };
	int ret, bug;

	spin_lock(&t->lock);
	ret = npt_walk(t, 0, 4096, &w);
	spin_unlock(&t->lock);
	bug = ret || visits != 1;
	printf("%s walk-leaf-zero: a LEAF visitor returning 0 over one page:"
	       " %d visits, npt_walk() = %d (expected 1 visit, 0)\n",
	       bug ? "BUG" : "ok", visits, ret);
	done(t);
	return bug;
}

/*
 * An interruptible map works in 1 GiB chunks, so it never uses a leaf
 * larger than 1 GiB: a 512 GiB-aligned 512 GiB map on Sv48x4 becomes 512
 * 1 GiB leaves and a table instead of one leaf (largest fit).
 */
static int interruptible_fit(void)
{
	struct npt_table *t = table(NPT_FORMAT_SV48X4);
	struct npt_op_result res;
	struct npt_translation tr = { 0 };
	int ret, bug;

	ret = npt_map(t, 0, 512 * G, 512 * G, RW, NPT_MT_WB,
		      NPT_OP_INTERRUPTIBLE, &res);
	npt_translate(t, 0, &tr);
	bug = ret || tr.lvl != 3;
	printf("%s interruptible-fit: interruptible map of 512 GiB on Sv48x4 "
	       "= %d, leaf level %d (expected 0, 3 as without the flag)\n",
	       bug ? "BUG" : "ok", ret, tr.lvl);
	done(t);
	return bug;
}

/* The entry that translates @gpa (a leaf, or the first hole). */
static npt_pte_t *leaf_ptep(struct npt_table *t, u64 gpa)
{
	npt_pte_t *table = t->root, *ptep = NULL;
	int lvl;

	for (lvl = npt_root_lvl(t); lvl >= 0; lvl--) {
		ptep = &table[(gpa >> npt_lvl_shift(lvl)) &
			      (npt_lvl_entries(t, lvl) - 1)];
		if (!npt_pte_is_table(t, *ptep, lvl))
			break;
		table = npt_test_pa_to_va(&mm, npt_pte_pa(t, *ptep));
	}
	return ptep;
}

static npt_pte_t *racing_ptep;

/* A guest write through another CPU's TLB, as npt splits the block. */
static void write_while_split(struct npt_test_mm *m, void *va,
			      unsigned int order)
{
	__atomic_fetch_or(racing_ptep, BIT_ULL(8) | BIT_ULL(9),
			  __ATOMIC_SEQ_CST);
}

/*
 * EPT with A/D logs by dirty flags.  A write that sets the flag of a
 * 2 MiB block while an unmap of one of its pages splits it was lost: the
 * split built the 512 leaves from the block as it read it, then stored
 * the table over the block.
 */
static int split_dirty(void)
{
	struct npt_config cfg = {
		.format = NPT_FORMAT_EPT4, .options = NPT_OPT_EPT_AD,
		.mm = &npt_test_mm_ops, .mm_arg = &mm,
	};
	struct npt_region rg = {
		.gpa = G, .size = 2 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_DIRTY_LOG | NPT_REGION_LAZY_BLOCKS,
	};
	unsigned long bm[512 / BITS_PER_LONG];
	struct npt_fault_result fr;
	struct npt_op_result res;
	struct npt_table *t;
	int ret, n = 0, bug, i;

	npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 16);
	if (npt_table_create(&cfg, &t) || npt_set_region(t, &rg) ||
	    npt_topup_blocks(t, 1) || npt_topup(t, 8) ||
	    npt_handle_fault(t, G, NPT_ACC_READ, &fr) || fr.lvl != 1)
		abort();
	racing_ptep = leaf_ptep(t, G);
	mm.on_split = write_while_split;
	ret = npt_unmap(t, G + 7 * 4096, 4096, 0, &res);
	mm.on_split = NULL;
	if (ret || npt_get_dirty_log(t, G, 2 << 20, bm, false, &res))
		abort();
	for (i = 0; i < 512; i++)
		n += !!(bm[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG)));
	bug = n != 512;
	printf("%s split-dirty: a write during the split of a lazy block; "
	       "%d of its 512 pages logged\n", bug ? "BUG" : "ok", n);
	done(t);
	return bug;
}

static npt_pte_t *break_ptep, break_make;

/* The writer that broke the entry makes it again and drops the lock. */
static void make_on_lock(void)
{
	WRITE_ONCE(*break_ptep, break_make);
}

/*
 * A lockless translate that meets an Arm break-before-make waits for the
 * make: it looks again under the table lock, which the writer holds from
 * the break to the make.  Over both kinds of provider, which have
 * separate fast paths; and so does npt_translate_many().
 */
static int translate_break(void)
{
	struct npt_config cfg = { .format = NPT_FORMAT_ARM64_S2, .mm_arg = &mm };
	const u64 gpas[3] = { G + 0x20, G + 0x10, G + 0xfff };
	struct npt_translation tr, many[3];
	struct npt_op_result res;
	struct npt_table *t;
	int ret, bug = 0, linear, b;
	unsigned int got;

	for (linear = 0; linear < 2; linear++) {
		cfg.mm = linear ? &npt_test_mm_linear_ops : &npt_test_mm_ops;
		if (linear)
			npt_test_mm_init_linear(&mm, 1ULL << 32, 1ULL << 8);
		else
			npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 8);
		if (npt_table_create(&cfg, &t) ||
		    npt_map(t, G, 0x200000000ULL, 4096, RW, NPT_MT_WB, 0, &res))
			abort();
		break_ptep = leaf_ptep(t, G);
		break_make = *break_ptep;
		WRITE_ONCE(*break_ptep, t->break_val);
		npt_test_lock_hook = make_on_lock;
		ret = npt_translate(t, G + 0x10, &tr);
		b = ret || tr.hpa != 0x200000010ULL || npt_test_lock_hook;
		printf("%s translate-break: %s provider, translate through a "
		       "break = %d, hpa %#llx (expected 0, 0x200000010), the "
		       "make %s\n", b ? "BUG" : "ok",
		       linear ? "linear" : "other", ret,
		       (unsigned long long)tr.hpa,
		       npt_test_lock_hook ? "not waited for" : "waited for");
		bug |= b;

		WRITE_ONCE(*break_ptep, t->break_val);
		npt_test_lock_hook = make_on_lock;
		got = npt_translate_many(t, gpas, many, 3);
		b = got != 3 || many[0].hpa != 0x200000020ULL ||
		    many[1].hpa != 0x200000010ULL ||
		    many[2].hpa != 0x200000fffULL || npt_test_lock_hook;
		printf("%s translate-many-break: %s provider, 3 addresses "
		       "through a break: %u translated, hpa %#llx %#llx %#llx "
		       "(expected 3, 0x200000020 0x200000010 0x200000fff), "
		       "the make %s\n", b ? "BUG" : "ok",
		       linear ? "linear" : "other", got,
		       (unsigned long long)many[0].hpa,
		       (unsigned long long)many[1].hpa,
		       (unsigned long long)many[2].hpa,
		       npt_test_lock_hook ? "not waited for" : "waited for");
		bug |= b;
		npt_test_lock_hook = NULL;
		done(t);
	}
	return bug;
}

/* A table with one 4 KiB page at G mapped old (no A/D, AF). */
static struct npt_table *old_page_table(u32 format, u32 options)
{
	struct npt_table *t = table_cfg(&(struct npt_config){
		.format = format, .options = options,
	});
	struct npt_op_result res;

	if (npt_map(t, G, 0x200000000ULL, 4096, RW, NPT_MT_WB, NPT_OP_OLD,
		    &res))
		abort();
	return t;
}

/* The CPU sets the access flag of the leaf just before the break. */
static void access_before_break(void *ptr)
{
	*(npt_pte_t *)ptr |= S2_AF_BIT;
}

/*
 * An Arm protect that changes the memory type breaks the leaf first.  With
 * HA, the CPU may set AF between the protect's read of the leaf and the
 * break: the new leaf keeps it, as it would keep it without a break.
 */
static int protect_break_af(void)
{
	struct npt_table *t = old_page_table(NPT_FORMAT_ARM64_S2,
					     NPT_OPT_S2_HA);
	struct npt_op_result res;
	npt_pte_t *ptep;
	int bug;

	ptep = leaf_ptep(t, G);
	if (*ptep & S2_AF_BIT)
		abort();
	npt_test_xchg_hook = access_before_break;
	if (npt_protect(t, G, 4096, RW, NPT_MT_NC, 0, &res) ||
	    npt_test_xchg_hook)
		abort();
	bug = !(*ptep & S2_AF_BIT);
	printf("%s protect-break-af: AF set by the CPU before an Arm protect's "
	       "break is %s\n", bug ? "BUG" : "ok", bug ? "lost" : "kept");
	done(t);
	return bug;
}

#define EPT_AD_BITS	(3ULL << 8)	/* EPT accessed, dirty */

/* The CPU sets A and D in the leaf between protect's read and cmpxchg. */
static void access_before_cmpxchg(void *ptr)
{
	*(npt_pte_t *)ptr |= EPT_AD_BITS;
}

/*
 * A protect on EPT with A/D that loses its cmpxchg to the CPU setting A/D
 * tries again from what the CPU wrote: the write permission goes, the
 * flags stay.
 */
static int protect_cmpxchg_race(void)
{
	struct npt_table *t = old_page_table(NPT_FORMAT_EPT4, NPT_OPT_EPT_AD);
	struct npt_translation tr;
	struct npt_op_result res;
	int bug;

	npt_test_xchg_hook = access_before_cmpxchg;
	if (npt_protect(t, G, 4096, NPT_PROT_R, NPT_MT_WB, 0, &res) ||
	    npt_test_xchg_hook || npt_translate(t, G, &tr))
		abort();
	bug = tr.prot != NPT_PROT_R || (tr.pte & EPT_AD_BITS) != EPT_AD_BITS;
	printf("%s protect-cmpxchg-race: A/D set by the CPU during a protect: "
	       "prot %#x (expected %#x), A/D %s\n", bug ? "BUG" : "ok",
	       tr.prot, (u32)NPT_PROT_R,
	       (tr.pte & EPT_AD_BITS) == EPT_AD_BITS ? "kept" : "lost");
	done(t);
	return bug;
}

static struct npt_table *replan_t;
static bool replan_fired;

/* Once the first 1 GiB chunk is in, a vCPU faults in a lazy region. */
static void fault_between_chunks(void)
{
	struct npt_fault_result fr;

	if (replan_t->st.leaves[0] < 262144) {
		npt_test_lock_hook = fault_between_chunks;
		return;
	}
	replan_fired = true;
	if (npt_handle_fault(replan_t, 600 * G, NPT_ACC_WRITE, &fr) ||
	    fr.action != NPT_RESOLVED_MAPPED)
		abort();
}

/*
 * A range operation plans and provisions its whole range, then applies it
 * 1 GiB at a time, dropping the table lock in between.  A fault resolved
 * in that gap takes pages from the same cache, so the next chunk plans
 * again; the chunks after it must plan too, or they run the cache dry and
 * link a table that is not there.
 */
static int chunk_replan(void)
{
	struct npt_config cfg = {
		.format = NPT_FORMAT_EPT4, .mm = &npt_test_mm_ops,
		.mm_arg = &mm,
	};
	struct npt_region rg = {
		.gpa = 600 * G, .size = 2 << 20, .max_prot = RW,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
	};
	unsigned long warnings = npt_test_warnings;
	struct npt_translation tr;
	struct npt_op_result res;
	int ret, bug;

	npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 16);
	if (npt_table_create(&cfg, &replan_t) ||
	    npt_set_region(replan_t, &rg))
		abort();
	replan_fired = false;
	npt_test_lock_hook = fault_between_chunks;
	ret = npt_map(replan_t, 0, 0x100000000ULL, 3 * G, RW, NPT_MT_WB,
		      NPT_OP_NO_BLOCKS, &res);
	npt_test_lock_hook = NULL;
	bug = ret || res.done != 3 * G || !replan_fired ||
	      npt_test_warnings != warnings ||
	      npt_translate(replan_t, 3 * G - 4096, &tr) ||
	      tr.hpa != 0x100000000ULL + 3 * G - 4096;
	printf("%s chunk-replan: a 3 GiB map with a fault after its first "
	       "chunk = %d, done %#llx, %lu warnings (expected 0, 0xc0000000, "
	       "0)\n", bug ? "BUG" : "ok", ret, (unsigned long long)res.done,
	       npt_test_warnings - warnings);
	done(replan_t);
	return bug;
}

static bool flushed_lvl0;

/* A flush that invalidates [G, G + 2M) with TTL-style level 0. */
static void note_lvl0(void *arg, const struct npt_flush_plan *plan)
{
	u32 i;

	for (i = 0; i < plan->nr; i++)
		flushed_lvl0 |= plan->range[i].gpa <= G &&
				plan->range[i].gpa + plan->range[i].size >=
				G + (2 << 20) && !plan->range[i].lvl;
	flushed_lvl0 |= plan->all;
}

/*
 * A collapse replaces a table of 4 KiB leaves by a 2 MiB block.  The TLBs
 * may hold any of those leaves, and a flusher that steps by the level of
 * a range (TTL hints, one HFENCE per entry) invalidates them only if the
 * plan names level 0: the plan, and on Arm the break's flush, must.
 */
static int collapse_plan_level(void)
{
	static const u32 formats[] = {
		NPT_FORMAT_EPT4, NPT_FORMAT_ARM64_S2, NPT_FORMAT_SV39X4,
	};
	struct npt_config cfg = {
		.mm = &npt_test_mm_ops, .mm_arg = &mm, .flush = note_lvl0,
	};
	struct npt_translation tr;
	struct npt_op_result res;
	struct npt_table *t;
	int bug = 0, b, i;
	bool in_plan;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		cfg.format = formats[i];
		npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 8);
		if (npt_table_create(&cfg, &t) ||
		    npt_map(t, G, 0x200000000ULL, 2 << 20, RW, NPT_MT_WB,
			    NPT_OP_NO_BLOCKS, &res))
			abort();
		flushed_lvl0 = false;
		if (npt_collapse(t, G, 2 << 20, &res) ||
		    npt_translate(t, G, &tr) || tr.lvl != 1)
			abort();
		in_plan = flushed_lvl0;
		flushed_lvl0 = false;
		note_lvl0(NULL, &res.plan);
		b = !flushed_lvl0 || (formats[i] == NPT_FORMAT_ARM64_S2 &&
				      !in_plan);
		/* Eight blocks more: their ranges merge, two levels, not "all". */
		if (npt_map(t, G + (2 << 20), 0x200000000ULL + (2 << 20),
			    8 << 20, RW, NPT_MT_WB, NPT_OP_NO_BLOCKS, &res) ||
		    npt_collapse(t, G + (2 << 20), 8 << 20, &res))
			abort();
		b |= res.plan.all || res.plan.nr != 2;
		printf("%s collapse-plan-level: format %u, 2 MiB of pages "
		       "collapsed; level 0 in the plan: %s, in the flushes: "
		       "%s; then 8 MiB: %u ranges%s (expected 2)\n",
		       b ? "BUG" : "ok", formats[i],
		       flushed_lvl0 ? "yes" : "no", in_plan ? "yes" : "no",
		       res.plan.nr, res.plan.all ? ", all" : "");
		bug |= b;
		done(t);
	}
	return bug;
}

/*
 * A range operation goes 1 GiB at a time; over empty space it must not:
 * an unmap of a whole 57-bit EPT space took 2^27 chunks (seconds, with
 * the operation mutex held and no way to stop it).  It passes an empty
 * entry of 1 GiB or more in one step.
 */
static int unmap_sparse(void)
{
	struct npt_table *t = table(NPT_FORMAT_EPT5);
	struct npt_translation tr;
	struct npt_op_result res;
	u64 calls;
	int ret, bug;

	if (npt_map(t, 0, 0x200000000ULL, 4096, RW, NPT_MT_WB, 0, &res) ||
	    npt_map(t, 1ULL << 56, 0x200000000ULL, 4096, RW, NPT_MT_WB, 0,
		    &res))
		abort();
	calls = npt_test_resched_calls;
	ret = npt_unmap(t, 0, 1ULL << 57, 0, &res);
	calls = npt_test_resched_calls - calls;
	bug = ret || res.done != 1ULL << 57 || calls > 64 ||
	      npt_translate(t, 0, &tr) != -ENOENT ||
	      npt_translate(t, 1ULL << 56, &tr) != -ENOENT;
	printf("%s unmap-sparse: unmap of a 57-bit space with two pages = %d "
	       "in %llu chunks (expected 0, at most 65)\n", bug ? "BUG" : "ok",
	       ret, (unsigned long long)calls + 1);
	done(t);
	return bug;
}

static struct npt_table *fill_t;
static u64 fill_allocs;

/* Once the first caller has its block, a second fills the reserve. */
static void fill_meanwhile(void)
{
	if (npt_test_allocs == fill_allocs) {
		npt_test_lock_hook = fill_meanwhile;
		return;
	}
	if (npt_topup_blocks(fill_t, 1))
		abort();
}

/*
 * Two vCPU threads top up the block reserve to one block at once: each
 * saw it empty and allocated.  The reserve holds one block after both,
 * not two (which nothing would use, count or free before the table).
 */
static int topup_race(void)
{
	unsigned long blocks;
	int bug;

	fill_t = table(NPT_FORMAT_EPT4);
	fill_allocs = npt_test_allocs;
	npt_test_lock_hook = fill_meanwhile;
	if (npt_topup_blocks(fill_t, 1))
		abort();
	npt_test_lock_hook = NULL;
	blocks = fill_t->blocks.nr;
	bug = blocks != 1;
	printf("%s topup-race: two concurrent top-ups to one reserved block "
	       "leave %lu (expected 1)\n", bug ? "BUG" : "ok", blocks);
	done(fill_t);
	return bug;
}

/* npt_table_create() with NPT_CFG_CHECK_HOST; the table goes at once. */
static int create_checked(u32 format, u32 ia_bits, u32 oa_bits,
			  u32 leaf_lvls, u32 vmid)
{
	struct npt_config cfg = {
		.format = format, .ia_bits = ia_bits, .oa_bits = oa_bits,
		.leaf_lvls = leaf_lvls, .vmid = vmid,
		.mm = &npt_test_mm_ops, .mm_arg = &mm,
		.flags = NPT_CFG_CHECK_HOST,
	};
	struct npt_table *t;
	int ret;

	npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 8);
	ret = npt_table_create(&cfg, &t);
	if (!ret)
		npt_table_destroy(t);
	npt_test_mm_fini(&mm);
	return ret;
}

/*
 * NPT_CFG_CHECK_HOST compares the widths the format chose, not the
 * configuration's: a zero width means the format's largest, which a host
 * with a narrower walker cannot take.
 */
static int check_host_widths(void)
{
	static const struct {
		u32 format, ia_bits, oa_bits, want_ia, want_oa;
	} c[] = {
		{ NPT_FORMAT_EPT4, 0, 0, 0, 39 },
		{ NPT_FORMAT_EPT4, 0, 40, 0, 39 },
		{ NPT_FORMAT_ARM64_S2, 0, 0, 36, 36 },
		{ NPT_FORMAT_ARM64_S2, 40, 36, 36, 36 },
		{ NPT_FORMAT_SV39X4, 0, 0, 0, 40 },
	};
	int bug = 0, ret, b, i;

	npt_test_caps_ret = 0;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		npt_test_caps = (struct npt_host_caps){
			.formats = BIT(c[i].format), .oa_bits = c[i].want_oa,
			.ia_bits_max = c[i].want_ia, .leaf_lvls = 0x1f,
		};
		ret = create_checked(c[i].format, c[i].ia_bits, c[i].oa_bits,
				     0, 0);
		printf("%s check-host-widths: format %u, ia_bits %u, oa_bits %u "
		       "on a host with %u/%u bits: %d (expected %d)\n",
		       ret != -EOPNOTSUPP ? "BUG" : "ok", c[i].format,
		       c[i].ia_bits, c[i].oa_bits, c[i].want_ia, c[i].want_oa,
		       ret, -EOPNOTSUPP);
		bug |= ret != -EOPNOTSUPP;
	}
	/* The widths the host has pass. */
	npt_test_caps.formats = BIT(NPT_FORMAT_EPT4);
	npt_test_caps.oa_bits = 52;
	ret = create_checked(NPT_FORMAT_EPT4, 0, 0, 0, 0);
	printf("%s check-host-widths: EPT4 with default widths on a 52-bit "
	       "host: %d (expected 0)\n", ret ? "BUG" : "ok", ret);
	bug |= !!ret;
	/* A host without 1 GiB pages takes a table without them only. */
	npt_test_caps.leaf_lvls = 0x3;
	ret = create_checked(NPT_FORMAT_EPT4, 0, 0, 0, 0);
	b = ret != -EOPNOTSUPP;
	ret = create_checked(NPT_FORMAT_EPT4, 0, 0, 0x3, 0);
	b |= ret;
	printf("%s check-host-widths: EPT4 on a host without 1 GiB pages: "
	       "refused with all leaf levels, created with leaf_lvls 0x3\n",
	       b ? "BUG" : "ok");
	bug |= b;
	/* An 8-bit VMID host: VMID 255 fits, 256 would alias VMID 0. */
	npt_test_caps = (struct npt_host_caps){
		.formats = BIT(NPT_FORMAT_ARM64_S2), .oa_bits = 48,
		.ia_bits_max = 48, .leaf_lvls = 0x1f, .vmid_bits = 8,
	};
	b = create_checked(NPT_FORMAT_ARM64_S2, 0, 0, 0, 255) ||
	    create_checked(NPT_FORMAT_ARM64_S2, 0, 0, 0, 256) != -EOPNOTSUPP;
	printf("%s check-host-widths: Arm with 8-bit VMIDs takes VMID 255, "
	       "refuses 256\n", b ? "BUG" : "ok");
	npt_test_caps_ret = -EOPNOTSUPP;
	return bug | b;
}

/*
 * A provider whose pages cross 2^oa_bits: npt linked table pages and
 * lazy pages wherever they lay, though no entry of a narrow table can
 * hold their address.  Arm tables of 32-bit output addresses over fake
 * memory from 4 GiB - 64 KiB: maps take table pages until the next one
 * lies at 4 GiB, then fail with -ENOMEM; a root at 4 GiB fails the
 * create.
 */
static int oa_reach(void)
{
	struct npt_config cfg = {
		.format = NPT_FORMAT_ARM64_S2, .ia_bits = 32, .oa_bits = 32,
		.mm = &npt_test_mm_ops, .mm_arg = &mm,
	};
	struct npt_op_result res;
	struct npt_table *t;
	int ret = 0, bug;
	u64 gpa;

	npt_test_mm_init(&mm, G * 4 - 0x10000, 1ULL << 8);
	if (npt_table_create(&cfg, &t))
		abort();
	/* Each 2 MiB region of its own needs a table page. */
	for (gpa = 0; gpa < G * 4 && !ret; gpa += 2ULL << 20)
		ret = npt_map(t, gpa, 0x80000000ULL, 4096, RW, NPT_MT_WB, 0,
			      &res);
	bug = ret != -ENOMEM || mm.live > 16;
	printf("%s oa-reach: maps into a 32-bit table over memory crossing "
	       "4 GiB end with %d (expected %d) and %llu pages (at most 16)\n",
	       bug ? "BUG" : "ok", ret, -ENOMEM,
	       (unsigned long long)mm.live);
	done(t);

	npt_test_mm_init(&mm, G * 4, 1ULL << 8);
	ret = npt_table_create(&cfg, &t);
	if (!ret)
		npt_table_destroy(t);
	printf("%s oa-reach: a 32-bit table whose root lies at 4 GiB: %d "
	       "(expected %d), %llu pages left\n",
	       ret != -ENOMEM || mm.live ? "BUG" : "ok", ret, -ENOMEM,
	       (unsigned long long)mm.live);
	bug |= ret != -ENOMEM || mm.live;
	npt_test_mm_fini(&mm);
	return bug;
}

/* Whether @plan holds a range at @lvl that covers [@gpa, @gpa + @size). */
static bool plan_has(const struct npt_flush_plan *plan, u64 gpa, u64 size,
		     int lvl)
{
	u32 i;

	if (plan->all)
		return true;
	for (i = 0; i < plan->nr; i++)
		if (plan->range[i].lvl == lvl && plan->range[i].gpa <= gpa &&
		    plan->range[i].gpa + plan->range[i].size >= gpa + size)
			return true;
	return false;
}

/*
 * An unmap that empties a table of 512 leaves names both levels in its
 * plan: the leaves (level 0), which a flusher stepping by level must
 * drop one by one, and the table entry above them (level 1), which walk
 * caches hold.  Nothing checked the levels of an unmap's plan.
 */
static int unmap_plan_level(void)
{
	static const u32 formats[] = {
		NPT_FORMAT_EPT4, NPT_FORMAT_ARM64_S2, NPT_FORMAT_SV39X4,
	};
	struct npt_op_result res;
	struct npt_table *t;
	int bug = 0, b;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		t = table(formats[i]);
		if (npt_map(t, G, 0x200000000ULL, 2 << 20, RW, NPT_MT_WB,
			    NPT_OP_NO_BLOCKS, &res) ||
		    npt_unmap(t, G, 2 << 20, 0, &res))
			abort();
		b = !plan_has(&res.plan, G, 2 << 20, 0) ||
		    !plan_has(&res.plan, G, 2 << 20, 1);
		printf("%s unmap-plan-level: format %u, a table of 4 KiB "
		       "leaves unmapped; level 0 in the plan: %s, level 1: "
		       "%s\n", b ? "BUG" : "ok", formats[i],
		       plan_has(&res.plan, G, 2 << 20, 0) ? "yes" : "no",
		       plan_has(&res.plan, G, 2 << 20, 1) ? "yes" : "no");
		bug |= b;
		done(t);
	}
	return bug;
}

/*
 * The 512 pages of a lazy block the table split and put back together
 * stay 4 KiB leaves: the provider split the block's allocation, so a
 * block that collapse made of them would go back as one order-9 free.
 */
static int collapse_owned(void)
{
	struct npt_table *t = table(NPT_FORMAT_SV39X4);
	struct npt_region rg = {
		.gpa = G, .size = 2 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_LAZY, .flags = NPT_REGION_LAZY_BLOCKS,
	};
	struct npt_translation tr = { 0 };
	struct npt_fault_result fr;
	struct npt_op_result res;
	int bug;

	if (npt_set_region(t, &rg) ||
	    npt_topup_blocks(t, 1) || npt_topup(t, 8) ||
	    npt_handle_fault(t, G, NPT_ACC_WRITE, &fr) || fr.lvl != 1 ||
	    npt_protect(t, G + 4096, 4096, NPT_PROT_R, NPT_MT_WB, 0, &res) ||
	    npt_protect(t, G + 4096, 4096, RW, NPT_MT_WB, 0, &res) ||
	    npt_collapse(t, G, 2 << 20, &res) || npt_translate(t, G, &tr))
		abort();
	npt_table_destroy(t);
	bug = tr.lvl != 0 || mm.errors || mm.live;
	printf("%s collapse-owned: a split lazy block after collapse is a "
	       "level-%d leaf (expected 0); provider errors %ld, %llu pages "
	       "left\n", bug ? "BUG" : "ok", tr.lvl, (long)mm.errors,
	       (unsigned long long)mm.live);
	npt_test_mm_fini(&mm);
	return bug;
}

/*
 * A region refused (it overlaps one already set) takes nothing with it:
 * it does not even allocate its dirty bitmap.  Objects of
 * npt_host_zalloc() and allocations are counted.
 */
static int region_refused(void)
{
	struct npt_region rg = {
		.gpa = G, .size = 4 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_NONE, .flags = NPT_REGION_DIRTY_LOG,
	};
	struct npt_table *t = table(NPT_FORMAT_EPT4);
	u64 allocs;
	long live;
	int ret, bug;

	if (npt_set_region(t, &rg))
		abort();
	live = npt_test_host_live;
	allocs = npt_test_allocs;
	rg.gpa += 2 << 20;
	ret = npt_set_region(t, &rg);
	/* Refused before its bitmap is even allocated. */
	bug = !ret || npt_test_host_live != live || npt_test_allocs != allocs;
	printf("%s region-refused: an overlapping dirty-logged region: %d, "
	       "%ld host objects more, %llu allocations (expected an error, "
	       "0 and 0)\n", bug ? "BUG" : "ok", ret,
	       npt_test_host_live - live,
	       (unsigned long long)(npt_test_allocs - allocs));
	done(t);
	return bug;
}

/*
 * No block folds inside a region logged by the hardware's dirty flags
 * (EPT A/D): a write the fold could not see would be lost, and a later
 * one would log 512 pages.
 */
static int collapse_hw_log(void)
{
	struct npt_table *t = table_cfg(&(struct npt_config){
		.format = NPT_FORMAT_EPT4, .options = NPT_OPT_EPT_AD,
	});
	struct npt_region rg = {
		.gpa = G, .size = 4 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_NONE, .flags = NPT_REGION_DIRTY_LOG,
	};
	struct npt_translation tr;
	struct npt_op_result res;
	int bug;

	if (npt_set_region(t, &rg) ||
	    npt_map(t, G, 0x200000000ULL, 2 << 20, RW, NPT_MT_WB,
		    NPT_OP_NO_BLOCKS, &res) ||
	    npt_collapse(t, G, 2 << 20, &res) || npt_translate(t, G, &tr))
		abort();
	bug = tr.lvl != 0;
	printf("%s collapse-hw-log: 2 MiB of pages in a region EPT A/D logs, "
	       "collapsed: level %d (expected 0)\n", bug ? "BUG" : "ok",
	       tr.lvl);
	done(t);
	return bug;
}

/*
 * A write fault that ends a dirty log's write protection flushes the leaf
 * where the hardware may cache entries that faulted (Arm, RISC-V): else
 * the vCPU faults again on the cached read-only entry.
 */
static int dirty_resolve_flush(void)
{
	static const u32 formats[] = {
		NPT_FORMAT_ARM64_S2, NPT_FORMAT_SV39X4,
	};
	struct npt_region rg = {
		.gpa = G, .size = 2 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_NONE, .flags = NPT_REGION_DIRTY_LOG,
	};
	struct npt_fault_result fr;
	struct npt_op_result res;
	struct npt_table *t;
	int bug = 0, b;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		t = table(formats[i]);
		if (npt_map(t, G, 0x200000000ULL, 4096, RW, NPT_MT_WB, 0,
			    &res) || npt_set_region(t, &rg) ||
		    npt_handle_fault(t, G, NPT_ACC_WRITE, &fr))
			abort();
		b = fr.action != NPT_RESOLVED_DIRTY ||
		    !plan_has(&fr.plan, G, 4096, 0);
		printf("%s dirty-resolve-flush: format %u, a logged write "
		       "resolved (action %u, expected %u); the leaf in its "
		       "plan: %s\n", b ? "BUG" : "ok", formats[i], fr.action,
		       NPT_RESOLVED_DIRTY,
		       plan_has(&fr.plan, G, 4096, 0) ? "yes" : "no");
		bug |= b;
		done(t);
	}
	return bug;
}

/*
 * A lazy block needs 512 pages and its tables under the page limit; one
 * short, the fault maps a page.  And a table without 2 MiB leaves never
 * maps a reserved block.
 */
static int lazy_block_limits(void)
{
	struct npt_config cfg = {
		.format = NPT_FORMAT_EPT4, .max_pages = 1 + 2 + 512 - 1,
	};
	struct npt_region rg = {
		.gpa = G, .size = 2 << 20, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_LAZY, .flags = NPT_REGION_LAZY_BLOCKS,
	};
	struct npt_table *t = table_cfg(&cfg);
	struct npt_fault_result fr;
	struct npt_stats st;
	int bug, b;

	if (npt_set_region(t, &rg) ||
	    npt_topup_blocks(t, 1) || npt_topup(t, 8) ||
	    npt_handle_fault(t, G, NPT_ACC_WRITE, &fr))
		abort();
	npt_get_stats(t, &st);
	bug = fr.lvl != 0 || st.table_pages + st.data_pages > st.max_pages;
	printf("%s lazy-block-limits: a block one page over the limit: level "
	       "%d (expected 0), %llu of %llu pages\n", bug ? "BUG" : "ok",
	       fr.lvl, (unsigned long long)(st.table_pages + st.data_pages),
	       (unsigned long long)st.max_pages);
	done(t);

	cfg.max_pages = 0;
	cfg.leaf_lvls = 0x1;
	t = table_cfg(&cfg);
	if (npt_set_region(t, &rg) || npt_topup_blocks(t, 1) ||
	    npt_topup(t, 8) || npt_handle_fault(t, G, NPT_ACC_WRITE, &fr))
		abort();
	b = fr.lvl != 0;
	printf("%s lazy-block-limits: a reserved block on a table of 4 KiB "
	       "leaves only: level %d (expected 0)\n", b ? "BUG" : "ok",
	       fr.lvl);
	done(t);
	return bug | b;
}

/*
 * The in-kernel API at its edges: an age of exactly NPT_AGE_MAX, and a
 * failed translate that clears its result.
 */
static int api_edges(void)
{
	struct npt_table *t = table_cfg(&(struct npt_config){
		.format = NPT_FORMAT_EPT4, .options = NPT_OPT_EPT_AD,
	});
	struct npt_translation tr, zero = { 0 };
	int ret, bug, b;
	u64 young;

	ret = npt_age(t, 0, NPT_AGE_MAX, NULL, 0, &young);
	bug = ret != 0;
	printf("%s api-edges: npt_age() of NPT_AGE_MAX bytes: %d (expected "
	       "0)\n", bug ? "BUG" : "ok", ret);
	memset(&tr, 0xa5, sizeof(tr));
	ret = npt_translate(t, G, &tr);
	b = ret != -ENOENT || memcmp(&tr, &zero, sizeof(tr));
	printf("%s api-edges: a translate of a hole: %d (expected %d), the "
	       "result %s\n", b ? "BUG" : "ok", ret, -ENOENT,
	       memcmp(&tr, &zero, sizeof(tr)) ? "not cleared" : "cleared");
	done(t);
	return bug | b;
}

/*
 * Planning stops counting at the page limit: a map of 2^51 bytes at 4 KiB
 * (its host address not 2 MiB aligned) on a table of 64 pages fails with
 * -ENOSPC, unchanged.  The case checks that outcome only; its time shows
 * the bound (0.07 s, and 13 s counting all 2^30 tables, in the ASan
 * build).
 */
static int plan_bounded(void)
{
	struct npt_table *t = table_cfg(&(struct npt_config){
		.format = NPT_FORMAT_EPT5, .max_pages = 64,
	});
	struct npt_op_result res;
	long live = mm.live;
	int ret, bug;

	ret = npt_map(t, 0, 4096, 1ULL << 51, RW, NPT_MT_WB, 0, &res);
	bug = ret != -ENOSPC || mm.live != live;
	printf("%s plan-bounded: a 4 KiB map of 2^51 bytes, 64 pages: %d "
	       "(expected %d), %ld pages more\n", bug ? "BUG" : "ok", ret,
	       -ENOSPC, mm.live - live);
	done(t);
	return bug;
}

/* A 2 MiB hole in the mapping under a logged region, in its last 1 GiB. */
#define LOG_HOLE	(2 * G + (512 << 20))

static struct npt_table *log_t;
static bool log_fired;
static long log_fail_nth;

/*
 * For a lock hook @hook: whether the first chunk of a change to the
 * log's write-protection is done, GPA 0 @writable as it leaves it; if
 * not, the next spin_lock() runs @hook again, and the caller returns.
 */
static bool log_first_chunk_done(void (*hook)(void), bool writable)
{
	struct npt_translation tr;

	if (!npt_translate(log_t, 0, &tr) &&
	    !(tr.prot & NPT_PROT_W) == !writable)
		return true;
	npt_test_lock_hook = hook;
	return false;
}

/*
 * Once the first 1 GiB of a dirty log's write-protection is in, a vCPU
 * writes to a page it protected, another reads a missing page of the
 * logged region, and a third faults in another lazy region: the faults
 * take the pages the log provisioned (and more); with @log_fail_nth, the
 * next allocation after that fails.
 */
static void write_between_chunks(void)
{
	struct npt_fault_result fr;

	if (!log_first_chunk_done(write_between_chunks, false))
		return;
	log_fired = true;
	if (npt_handle_fault(log_t, 4096, NPT_ACC_WRITE, &fr) ||
	    fr.action == NPT_RESOLVED_NONE || npt_topup(log_t, 6) ||
	    npt_handle_fault(log_t, LOG_HOLE, NPT_ACC_READ, &fr) ||
	    fr.action != NPT_RESOLVED_MAPPED ||
	    npt_handle_fault(log_t, 600 * G, NPT_ACC_WRITE, &fr) ||
	    fr.action != NPT_RESOLVED_MAPPED)
		abort();
	npt_test_fail_nth = log_fail_nth;
}

#define EPT_LOG_WP_BIT	(1ULL << 54)	/* npt's software bit, EPT */

/*
 * Starting a dirty log write-protects the region 1 GiB at a time, the
 * region serving faults from the start: a write between two chunks is
 * logged, a page mapped then is logged as written, and the chunks after
 * them plan again.  When one of them then fails (@fail: its block at the
 * region's end needs a table), the log has not started: the region is
 * gone and every leaf has its write permission, the page mapped in the
 * meantime too.
 */
static int log_start_chunks(bool fail)
{
	struct npt_region rg = {
		.gpa = 0, .size = 3 * G - (fail ? 1 << 20 : 0), .max_prot = RW,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_DIRTY_LOG,
	};
	struct npt_region lazy = {
		.gpa = 600 * G, .size = 2 << 20, .max_prot = RW,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
	};
	unsigned long warnings = npt_test_warnings, bm = 0;
	u64 resched, gpa, bad = 0;
	struct npt_fault_result fr;
	struct npt_translation tr;
	struct npt_op_result res;
	long live;
	int ret, bug;

	/* 2 MiB blocks: the host address is not 1 GiB aligned. */
	log_t = table(NPT_FORMAT_EPT4);
	if (npt_map(log_t, 0, 0x100200000ULL, 3 * G, RW, NPT_MT_WB, 0,
		    &res) || npt_unmap(log_t, LOG_HOLE, 2 << 20, 0, &res) ||
	    npt_set_region(log_t, &lazy))
		abort();
	log_fired = false;
	log_fail_nth = fail;
	live = npt_test_host_live;
	resched = npt_test_resched_calls;
	npt_test_lock_hook = write_between_chunks;
	ret = npt_set_region(log_t, &rg);
	npt_test_lock_hook = NULL;
	npt_test_fail_nth = 0;
	resched = npt_test_resched_calls - resched;

	/*
	 * Every 2 MiB block but the one written, and the page mapped in the
	 * hole: write-protected by the log when it started, writable when it
	 * did not.
	 */
	for (gpa = 2 << 20; gpa < 3 * G; gpa += 2 << 20) {
		bool wp = !fail;

		if (npt_translate(log_t, gpa, &tr) ||
		    !(tr.prot & NPT_PROT_W) != wp ||
		    !(tr.pte & EPT_LOG_WP_BIT) != !wp)
			bad++;
	}
	if (fail)
		bug = ret != -ENOMEM || npt_test_host_live != live ||
		      npt_set_region(log_t, &(struct npt_region){ .gpa = 0 }) !=
		      -ENOENT;
	else
		/* Once started, a page first read is clean again. */
		bug = ret || npt_get_dirty_log(log_t, 0, 64 << 12, &bm, false,
					       &res) || bm != ~0UL ||
		      npt_topup(log_t, 1) ||
		      npt_handle_fault(log_t, LOG_HOLE + 8192, NPT_ACC_READ,
				       &fr) ||
		      npt_get_dirty_log(log_t, LOG_HOLE, 64 << 12, &bm, false,
					&res) || bm != 1;
	bug |= !log_fired || resched < 2 || bad ||
	       npt_test_warnings != warnings;
	printf("%s log-start-%s: a 3 GiB dirty log, written between chunks%s: "
	       "%d, log %#lx, %llu reschedules, %llu blocks wrong, %lu "
	       "warnings (expected %s, 2 or more, 0, 0)\n", bug ? "BUG" : "ok",
	       fail ? "fails" : "chunks",
	       fail ? ", an allocation failing after" : "", ret, bm,
	       (unsigned long long)resched, (unsigned long long)bad,
	       npt_test_warnings - warnings,
	       fail ? "-12, log 0" : "0, log of the hole 0x1");
	done(log_t);
	return bug;
}

#define EPT_D_BIT	(1ULL << 9)

/* Once the first 1 GiB of dirty flags is clear, the CPU writes there. */
static void write_between_clears(void)
{
	npt_pte_t *ptep = leaf_ptep(log_t, 0);

	if (*ptep & EPT_D_BIT) {
		npt_test_lock_hook = write_between_clears;
		return;
	}
	log_fired = true;
	*ptep |= EPT_AD_BITS;
}

/*
 * Starting a log on EPT's dirty flags clears them 1 GiB at a time: what
 * was written before starts clean, and a write between two chunks is in
 * the first harvest.
 */
static int log_start_hw(void)
{
	struct npt_region rg = {
		.gpa = 0, .size = 3 * G, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_NONE, .flags = NPT_REGION_DIRTY_LOG,
	};
	unsigned long bm[2] = { 0 };
	struct npt_op_result res;
	u64 resched;
	int ret, bug;

	/* 2 MiB blocks, all dirty: a map on EPT with A/D sets D. */
	log_t = table_cfg(&(struct npt_config){
		.format = NPT_FORMAT_EPT4, .options = NPT_OPT_EPT_AD,
	});
	if (npt_map(log_t, 0, 0x100200000ULL, 3 * G, RW, NPT_MT_WB, 0, &res))
		abort();
	log_fired = false;
	resched = npt_test_resched_calls;
	npt_test_lock_hook = write_between_clears;
	ret = npt_set_region(log_t, &rg);
	npt_test_lock_hook = NULL;
	resched = npt_test_resched_calls - resched;
	/* The first page of the block written, and of the next block. */
	bug = ret || npt_get_dirty_log(log_t, 0, 64 << 12, &bm[0], false,
				       &res) ||
	      npt_get_dirty_log(log_t, 2 << 20, 64 << 12, &bm[1], false,
				&res) ||
	      bm[0] != ~0UL || bm[1] || !log_fired || resched < 2;
	printf("%s log-start-hw: a 3 GiB log of EPT dirty flags, written between "
	       "chunks: %d, logs %#lx %#lx, %llu reschedules (expected 0, all "
	       "set, 0, 2 or more)\n", bug ? "BUG" : "ok", ret, bm[0], bm[1],
	       (unsigned long long)resched);
	done(log_t);
	return bug;
}

/* Once the first 1 GiB of a log is write-protected, a vCPU reads a hole. */
static void read_between_chunks(void)
{
	struct npt_fault_result fr;

	if (!log_first_chunk_done(read_between_chunks, false))
		return;
	log_fired = true;
	if (npt_topup(log_t, 6) ||
	    npt_handle_fault(log_t, LOG_HOLE, NPT_ACC_READ, &fr) ||
	    fr.action != NPT_RESOLVED_MAPPED)
		abort();
}

/*
 * A page a read fault maps while a log starts is logged as written only
 * if it is mapped writable: in a region whose faults map read-only, it
 * cannot have been written.
 */
static int log_start_read_only(void)
{
	struct npt_region rg = {
		.gpa = 0, .size = 3 * G, .max_prot = NPT_PROT_R,
		.attr = NPT_MT_WB, .backing = NPT_BACKING_LAZY,
		.flags = NPT_REGION_DIRTY_LOG,
	};
	unsigned long bm = ~0UL;
	struct npt_translation tr;
	struct npt_op_result res;
	int ret, bug;

	log_t = table(NPT_FORMAT_EPT4);
	if (npt_map(log_t, 0, 0x100200000ULL, 3 * G, RW, NPT_MT_WB, 0,
		    &res) || npt_unmap(log_t, LOG_HOLE, 2 << 20, 0, &res))
		abort();
	log_fired = false;
	npt_test_lock_hook = read_between_chunks;
	ret = npt_set_region(log_t, &rg);
	npt_test_lock_hook = NULL;
	bug = ret || !log_fired ||
	      npt_translate(log_t, LOG_HOLE, &tr) || tr.prot != NPT_PROT_R ||
	      npt_get_dirty_log(log_t, LOG_HOLE, 64 << 12, &bm, false, &res) ||
	      bm;
	printf("%s log-start-read-only: a page read while a log of read-only "
	       "faults starts: %d, prot %#x, log %#lx (expected 0, 0x1, 0)\n",
	       bug ? "BUG" : "ok", ret, tr.prot, bm);
	done(log_t);
	return bug;
}

/* A 2 MiB hole under a logged region, in its first 1 GiB. */
#define STOP_HOLE	(512ULL << 20)

/*
 * Once the first 1 GiB of a dirty log's write permission is back, a vCPU
 * writes to a page the log still protects, in the last 1 GiB, and another
 * reads a missing page in the first.
 */
static void fault_between_stop_chunks(void)
{
	struct npt_fault_result fr;

	if (!log_first_chunk_done(fault_between_stop_chunks, true))
		return;
	log_fired = true;
	if (npt_handle_fault(log_t, 2 * G + 4096, NPT_ACC_WRITE, &fr) ||
	    fr.action == NPT_RESOLVED_NONE || npt_topup(log_t, 6) ||
	    npt_handle_fault(log_t, STOP_HOLE, NPT_ACC_READ, &fr) ||
	    fr.action != NPT_RESOLVED_MAPPED)
		abort();
}

/*
 * Removing a dirty-logged region gives the write permission back 1 GiB
 * at a time, the region serving faults until the end: a page a fault
 * maps meanwhile is writable, even where the write permission is back
 * already, and no leaf keeps the log's mark.
 */
static int log_stop_chunks(void)
{
	struct npt_region rg = {
		.gpa = 0, .size = 3 * G, .max_prot = RW, .attr = NPT_MT_WB,
		.backing = NPT_BACKING_LAZY, .flags = NPT_REGION_DIRTY_LOG,
	};
	unsigned long warnings = npt_test_warnings;
	struct npt_translation tr;
	struct npt_op_result res;
	u64 resched, gpa, bad = 0;
	long live;
	int ret, bug;

	log_t = table(NPT_FORMAT_EPT4);
	live = npt_test_host_live;
	if (npt_map(log_t, 0, 0x100200000ULL, 3 * G, RW, NPT_MT_WB, 0,
		    &res) || npt_unmap(log_t, STOP_HOLE, 2 << 20, 0, &res) ||
	    npt_set_region(log_t, &rg))
		abort();
	log_fired = false;
	resched = npt_test_resched_calls;
	npt_test_lock_hook = fault_between_stop_chunks;
	ret = npt_set_region(log_t, &(struct npt_region){ .gpa = 0 });
	npt_test_lock_hook = NULL;
	resched = npt_test_resched_calls - resched;

	/* Every block, and the page mapped in the hole. */
	for (gpa = 0; gpa < 3 * G; gpa += 2 << 20)
		if (npt_translate(log_t, gpa, &tr) ||
		    !(tr.prot & NPT_PROT_W) || (tr.pte & EPT_LOG_WP_BIT))
			bad++;
	bug = ret || !log_fired || resched < 2 || bad ||
	      npt_test_host_live != live || npt_test_warnings != warnings ||
	      npt_set_region(log_t, &(struct npt_region){ .gpa = 0 }) !=
	      -ENOENT;
	printf("%s log-stop-chunks: a 3 GiB dirty log removed, faults between "
	       "chunks: %d, %llu reschedules, %llu leaves not writable, %ld "
	       "objects and %lu warnings more (expected 0, 2 or more, 0, 0, "
	       "0)\n", bug ? "BUG" : "ok", ret, (unsigned long long)resched,
	       (unsigned long long)bad, npt_test_host_live - live,
	       npt_test_warnings - warnings);
	done(log_t);
	return bug;
}

int main(void)
{
	int bugs = 0;

	/* A sanitizer report ends the process: keep every line before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	bugs += interruptible_hpa();
	bugs += interruptible_atomic();
	bugs += walk_leaf_zero();
	bugs += interruptible_fit();
	bugs += split_dirty();
	bugs += translate_break();
	bugs += protect_break_af();
	bugs += protect_cmpxchg_race();
	bugs += check_host_widths();
	bugs += chunk_replan();
	bugs += collapse_plan_level();
	bugs += unmap_sparse();
	bugs += topup_race();
	bugs += oa_reach();
	bugs += unmap_plan_level();
	bugs += collapse_owned();
	bugs += region_refused();
	bugs += collapse_hw_log();
	bugs += dirty_resolve_flush();
	bugs += lazy_block_limits();
	bugs += api_edges();
	bugs += plan_bounded();
	bugs += log_start_chunks(false);
	bugs += log_start_chunks(true);
	bugs += log_start_hw();
	bugs += log_start_read_only();
	bugs += log_stop_chunks();
	return bugs;
}
