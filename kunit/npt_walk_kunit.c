// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite npt_walk: the generic walker npt_walk() with a recording
 * visitor - visit order (TABLE_PRE, LEAF, TABLE_POST), the visit context,
 * flag filtering, error propagation, re-reading an entry after a visit,
 * runs of level-0 entries, range errors, and a mock format whose present
 * bit is not bit 0.  Runs for one configuration of every format.
 */

#include <kunit/test.h>
#include <linux/bitfield.h>
#include "npt_kunit.h"

static const struct npt_kt_cfg walk_cfgs[] = {
	{ .desc = "ept4", .format = NPT_FORMAT_EPT4, .ia_bits = 48,
	  .oa_bits = 52, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "ept5", .format = NPT_FORMAT_EPT5, .ia_bits = 57,
	  .oa_bits = 52, .levels = 5, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "s2-ipa32", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 32,
	  .oa_bits = 48, .levels = 2, .root_pages = 4, .leaf_lvls = 0x7 },
	{ .desc = "s2-ipa40", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 40,
	  .oa_bits = 48, .levels = 3, .root_pages = 2, .leaf_lvls = 0x7 },
	{ .desc = "s2-ipa48", .format = NPT_FORMAT_ARM64_S2, .ia_bits = 48,
	  .oa_bits = 48, .levels = 4, .root_pages = 1, .leaf_lvls = 0x7 },
	{ .desc = "sv39x4", .format = NPT_FORMAT_SV39X4, .ia_bits = 41,
	  .oa_bits = 56, .levels = 3, .root_pages = 4, .leaf_lvls = 0x7 },
	{ .desc = "sv48x4", .format = NPT_FORMAT_SV48X4, .ia_bits = 50,
	  .oa_bits = 56, .levels = 4, .root_pages = 4, .leaf_lvls = 0xf },
};

KUNIT_ARRAY_PARAM_DESC(walk_cfg, walk_cfgs, desc);

#define WALK_RECS	2100

struct walk_rec {
	enum npt_walk_flags visit;
	int lvl;
	npt_pte_t *ptep;
	npt_pte_t old;
	u64 addr;
	u64 start;
	u64 end;
};

/*
 * A recording visitor.  The @fail_at-th visit returns @fail_ret; LEAF
 * visits at level 0 return @run (0: continue); a LEAF visit at
 * @install_lvl installs @install as a table; a PRE visit at @zap_lvl
 * clears the entry, and one at @skip_lvl returns 1.
 */
struct walk_log {
	unsigned int nr;
	unsigned int total;
	unsigned int fail_at;
	int fail_ret;
	int run;
	int install_lvl;
	npt_pte_t install;
	int zap_lvl;
	int skip_lvl;
	struct walk_rec rec[WALK_RECS];
};

static int walk_record(const struct npt_visit_ctx *ctx,
		       enum npt_walk_flags visit)
{
	struct walk_log *log = ctx->arg;

	if (log->nr < WALK_RECS) {
		struct walk_rec *r = &log->rec[log->nr++];

		r->visit = visit;
		r->lvl = ctx->lvl;
		r->ptep = ctx->ptep;
		r->old = ctx->old;
		r->addr = ctx->addr;
		r->start = ctx->start;
		r->end = ctx->end;
	}
	if (++log->total == log->fail_at)
		return log->fail_ret;
	if (visit == NPT_WALK_TABLE_PRE && ctx->lvl == log->zap_lvl)
		WRITE_ONCE(*ctx->ptep, 0);
	if (visit == NPT_WALK_TABLE_PRE && ctx->lvl == log->skip_lvl)
		return 1;
	if (visit != NPT_WALK_LEAF)
		return 0;
	if (ctx->lvl == log->install_lvl && log->install)
		WRITE_ONCE(*ctx->ptep, log->install);
	return ctx->lvl ? 0 : log->run;
}

static struct walk_log *walk_log(struct kunit *test)
{
	struct walk_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	log->install_lvl = -1;
	log->zap_lvl = -1;
	log->skip_lvl = -1;
	return log;
}

static int walk_run(struct npt_table *t, u64 addr, u64 size,
		    enum npt_walk_flags flags, struct walk_log *log)
{
	struct npt_walker w = {
		.cb = walk_record,
		.arg = log,
		.flags = flags,
	};
	int ret;

	log->nr = 0;
	log->total = 0;
	spin_lock(&t->lock);
	ret = npt_walk(t, addr, size, &w);
	spin_unlock(&t->lock);
	return ret;
}

static struct npt_table *walk_table(struct kunit *test,
				    struct npt_kt_env **envp, u64 page)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_op_result res;

	if (page)
		KUNIT_ASSERT_EQ(test, npt_map(t, page, BIT_ULL(30), SZ_4K_ULL,
					      NPT_PROT_R, NPT_MT_WB, 0, &res),
				0);
	if (envp)
		*envp = env;
	return t;
}

static const u64 walk_page = SZ_1G_ULL + 3 * SZ_2M_ULL + 5 * SZ_4K_ULL;

/* PRE from the root down, the leaf, POST from the bottom up. */
static void npt_walk_order(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, walk_page);
	struct walk_log *log = walk_log(test);
	int rl = cfg->levels - 1, lvl;
	unsigned int i = 0;

	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL,
				       NPT_WALK_LEAF | NPT_WALK_TABLE_PRE |
				       NPT_WALK_TABLE_POST, log), 0);
	KUNIT_ASSERT_EQ(test, log->nr, 2 * rl + 1);
	for (lvl = rl; lvl >= 0; lvl--, i++) {
		const struct walk_rec *r = &log->rec[i];

		KUNIT_EXPECT_EQ(test, r->visit, lvl ? NPT_WALK_TABLE_PRE :
						     NPT_WALK_LEAF);
		KUNIT_EXPECT_EQ(test, r->lvl, lvl);
		KUNIT_EXPECT_PTR_EQ(test, r->ptep, npt_kt_ptep(t, walk_page,
							       lvl));
		KUNIT_EXPECT_EQ(test, r->old, *r->ptep);
		KUNIT_EXPECT_EQ(test, r->addr, walk_page);
		KUNIT_EXPECT_EQ(test, r->end, walk_page + SZ_4K_ULL);
		KUNIT_EXPECT_EQ(test, r->start,
				ALIGN_DOWN(walk_page, npt_lvl_size(lvl)));
	}
	for (lvl = 1; lvl <= rl; lvl++, i++) {
		KUNIT_EXPECT_EQ(test, log->rec[i].visit, NPT_WALK_TABLE_POST);
		KUNIT_EXPECT_EQ(test, log->rec[i].lvl, lvl);
		KUNIT_EXPECT_PTR_EQ(test, log->rec[i].ptep,
				    npt_kt_ptep(t, walk_page, lvl));
	}
}

/* Each flag selects its visits and nothing else. */
static void npt_walk_flags(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, walk_page);
	struct walk_log *log = walk_log(test);
	unsigned int i, rl = cfg->levels - 1;

	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL, NPT_WALK_LEAF,
				       log), 0);
	KUNIT_EXPECT_EQ(test, log->nr, 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].lvl, 0);
	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL,
				       NPT_WALK_TABLE_PRE, log), 0);
	KUNIT_ASSERT_EQ(test, log->nr, rl);
	for (i = 0; i < rl; i++) {
		KUNIT_EXPECT_EQ(test, log->rec[i].visit, NPT_WALK_TABLE_PRE);
		KUNIT_EXPECT_EQ(test, log->rec[i].lvl, rl - i);
	}
	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL,
				       NPT_WALK_TABLE_POST, log), 0);
	KUNIT_ASSERT_EQ(test, log->nr, rl);
	for (i = 0; i < rl; i++) {
		KUNIT_EXPECT_EQ(test, log->rec[i].visit, NPT_WALK_TABLE_POST);
		KUNIT_EXPECT_EQ(test, log->rec[i].lvl, i + 1);
	}
	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL, 0, log), 0);
	KUNIT_EXPECT_EQ(test, log->nr, 0);
}

/* A range over a table and a hole: clipped addresses, one visit each. */
static void npt_walk_span(struct kunit *test)
{
	struct npt_table *t = walk_table(test, NULL, walk_page);
	u64 g = ALIGN_DOWN(walk_page, SZ_2M_ULL);
	struct walk_log *log = walk_log(test);
	unsigned int i, l0 = 0, l1 = 0, present = 0;

	KUNIT_ASSERT_EQ(test, walk_run(t, g + SZ_4K_ULL,
				       2 * SZ_2M_ULL - 2 * SZ_4K_ULL,
				       NPT_WALK_LEAF, log), 0);
	for (i = 0; i < log->nr; i++) {
		const struct walk_rec *r = &log->rec[i];

		if (npt_pte_present(t, r->old)) {
			present++;
			KUNIT_EXPECT_EQ(test, r->addr, walk_page);
		}
		if (r->lvl == 0) {
			KUNIT_EXPECT_EQ(test, r->addr, g + (l0 + 1) * SZ_4K_ULL);
			KUNIT_EXPECT_EQ(test, r->end, r->addr + SZ_4K_ULL);
			l0++;
		} else {
			KUNIT_EXPECT_EQ(test, r->lvl, 1);
			KUNIT_EXPECT_EQ(test, r->start, g + SZ_2M_ULL);
			KUNIT_EXPECT_EQ(test, r->addr, g + SZ_2M_ULL);
			KUNIT_EXPECT_EQ(test, r->end, g + 2 * SZ_2M_ULL -
					SZ_4K_ULL);
			l1++;
		}
	}
	KUNIT_EXPECT_EQ(test, l0, NPT_PTRS - 1);
	KUNIT_EXPECT_EQ(test, l1, 1);
	KUNIT_EXPECT_EQ(test, present, 1);
}

/* A negative return stops the walk at once and is returned. */
static void npt_walk_error(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, walk_page);
	u64 g = ALIGN_DOWN(walk_page, SZ_2M_ULL);
	struct walk_log *log = walk_log(test);

	log->fail_at = 3;
	log->fail_ret = -E2BIG;
	KUNIT_EXPECT_EQ(test, walk_run(t, g, SZ_2M_ULL, NPT_WALK_LEAF |
				       NPT_WALK_TABLE_POST, log), -E2BIG);
	KUNIT_EXPECT_EQ(test, log->nr, 3);
	KUNIT_EXPECT_EQ(test, log->rec[2].visit, NPT_WALK_LEAF);

	log->fail_at = 1;
	log->fail_ret = -EBADMSG;
	KUNIT_EXPECT_EQ(test, walk_run(t, g, SZ_2M_ULL, NPT_WALK_LEAF |
				       NPT_WALK_TABLE_PRE |
				       NPT_WALK_TABLE_POST, log), -EBADMSG);
	KUNIT_EXPECT_EQ(test, log->nr, 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].lvl, cfg->levels - 1);

	/* An error from POST, after the whole subtree was visited. */
	log->fail_at = NPT_PTRS + 1;
	log->fail_ret = -EDOM;
	KUNIT_EXPECT_EQ(test, walk_run(t, g, SZ_2M_ULL, NPT_WALK_LEAF |
				       NPT_WALK_TABLE_POST, log), -EDOM);
	KUNIT_EXPECT_EQ(test, log->rec[NPT_PTRS].visit, NPT_WALK_TABLE_POST);
	KUNIT_EXPECT_EQ(test, log->nr, NPT_PTRS + 1);
}

/* A LEAF visitor that installs a table: the walk descends into it. */
static void npt_walk_descend_new(struct kunit *test)
{
	struct npt_kt_env *env;
	struct npt_table *t = walk_table(test, &env, walk_page);
	struct walk_log *log = walk_log(test);
	u64 g = ALIGN_DOWN(walk_page, SZ_2M_ULL) + SZ_2M_ULL;
	npt_pte_t *child = t->mm->alloc(t->mm_arg, 0);
	unsigned int i, l0 = 0;

	KUNIT_ASSERT_NOT_NULL(test, child);
	log->install_lvl = 1;
	log->install = t->fmt->table(t, t->mm->virt_to_phys(t->mm_arg, child));
	KUNIT_ASSERT_EQ(test, walk_run(t, g, SZ_2M_ULL, NPT_WALK_LEAF |
				       NPT_WALK_TABLE_POST, log), 0);
	/* The new entry, its 512 entries, POST from level 1 to the root. */
	KUNIT_ASSERT_EQ(test, log->nr, 1 + NPT_PTRS + npt_levels(t) - 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].lvl, 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].old, 0);
	for (i = 1; i <= NPT_PTRS; i++) {
		KUNIT_EXPECT_EQ(test, log->rec[i].lvl, 0);
		KUNIT_EXPECT_PTR_EQ(test, log->rec[i].ptep, &child[i - 1]);
		l0 += log->rec[i].addr == g + (i - 1) * SZ_4K_ULL;
	}
	KUNIT_EXPECT_EQ(test, l0, NPT_PTRS);
	KUNIT_EXPECT_EQ(test, log->rec[i].visit, NPT_WALK_TABLE_POST);
	KUNIT_EXPECT_EQ(test, log->rec[i].lvl, 1);
	KUNIT_EXPECT_EQ(test, log->rec[i].old, log->install);
	/* The table now owns the page: destroy frees it. */
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/*
 * A PRE visitor that clears the entry, or returns 1: the walk does not
 * descend, and visits no POST for it.
 */
static void npt_walk_reread(struct kunit *test)
{
	struct npt_kt_env *env;
	struct npt_table *t = walk_table(test, &env, walk_page);
	struct walk_log *log = walk_log(test);
	npt_pte_t *ptep = npt_kt_ptep(t, walk_page, 1);
	npt_pte_t saved = *ptep;
	unsigned int i;

	log->zap_lvl = 1;
	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL,
				       NPT_WALK_LEAF | NPT_WALK_TABLE_PRE |
				       NPT_WALK_TABLE_POST, log), 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0);
	/* PRE down to level 1 and POST above it; nothing below, no leaf. */
	KUNIT_EXPECT_EQ(test, log->nr, 2 * (npt_levels(t) - 1) - 1);
	KUNIT_EXPECT_EQ(test, log->rec[npt_levels(t) - 2].lvl, 1);
	if (npt_levels(t) > 2)
		KUNIT_EXPECT_EQ(test, log->rec[npt_levels(t) - 1].lvl, 2);
	WRITE_ONCE(*ptep, saved);
	log->zap_lvl = -1;

	log->skip_lvl = 1;
	KUNIT_ASSERT_EQ(test, walk_run(t, ALIGN_DOWN(walk_page, SZ_2M_ULL),
				       SZ_2M_ULL, NPT_WALK_LEAF |
				       NPT_WALK_TABLE_PRE |
				       NPT_WALK_TABLE_POST, log), 0);
	KUNIT_EXPECT_EQ(test, *ptep, saved);
	KUNIT_ASSERT_EQ(test, log->nr, 2 * (npt_levels(t) - 1) - 1);
	for (i = 0; i < log->nr; i++) {
		KUNIT_EXPECT_NE(test, log->rec[i].lvl, 0);
		if (log->rec[i].lvl == 1)
			KUNIT_EXPECT_EQ(test, log->rec[i].visit,
					NPT_WALK_TABLE_PRE);
	}
	log->skip_lvl = -1;

	KUNIT_ASSERT_EQ(test, walk_run(t, walk_page, SZ_4K_ULL, NPT_WALK_LEAF,
				       log), 0);
	KUNIT_EXPECT_EQ(test, log->nr, 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].lvl, 0);
}

/* A level-0 LEAF visitor that handles 16 entries at a time. */
static void npt_walk_run_of_leaves(struct kunit *test)
{
	struct npt_table *t = walk_table(test, NULL, walk_page);
	u64 g = ALIGN_DOWN(walk_page, SZ_2M_ULL);
	struct walk_log *log = walk_log(test);
	unsigned int i;

	log->run = 16;
	KUNIT_ASSERT_EQ(test, walk_run(t, g, SZ_2M_ULL, NPT_WALK_LEAF, log),
			0);
	KUNIT_ASSERT_EQ(test, log->nr, NPT_PTRS / 16);
	for (i = 0; i < log->nr; i++)
		KUNIT_EXPECT_EQ(test, log->rec[i].addr, g + i * 16 * SZ_4K_ULL);
}

static void npt_walk_range_errors(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, 0);
	struct walk_log *log = walk_log(test);
	u64 top = BIT_ULL(cfg->ia_bits);

	KUNIT_EXPECT_EQ(test, walk_run(t, 0x800, SZ_4K_ULL, NPT_WALK_LEAF,
				       log), -EINVAL);
	KUNIT_EXPECT_EQ(test, walk_run(t, 0, 0x800, NPT_WALK_LEAF, log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, walk_run(t, 0, 0, NPT_WALK_LEAF, log), -EINVAL);
	KUNIT_EXPECT_EQ(test, walk_run(t, 0ULL - SZ_4K_ULL, 2 * SZ_4K_ULL,
				       NPT_WALK_LEAF, log), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, walk_run(t, top, SZ_4K_ULL, NPT_WALK_LEAF, log),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, walk_run(t, top - SZ_4K_ULL, 2 * SZ_4K_ULL,
				       NPT_WALK_LEAF, log), -ERANGE);
	KUNIT_EXPECT_EQ(test, log->total, 0);
	KUNIT_EXPECT_EQ(test, walk_run(t, top - SZ_4K_ULL, SZ_4K_ULL,
				       NPT_WALK_LEAF, log), 0);
	KUNIT_EXPECT_EQ(test, log->total, 1);
}

/* The whole width of an empty table: every root entry, once. */
static void npt_walk_whole_root(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, 0);
	struct walk_log *log = walk_log(test);
	int rl = cfg->levels - 1;
	u64 span = npt_lvl_size(rl), nr = BIT_ULL(cfg->ia_bits) / span;
	u8 *root = npt_kt_va(t, npt_root_pa(t));
	unsigned int i, bad = 0;

	KUNIT_ASSERT_EQ(test, walk_run(t, 0, BIT_ULL(cfg->ia_bits),
				       NPT_WALK_LEAF, log), 0);
	KUNIT_ASSERT_EQ(test, log->nr, nr);
	for (i = 0; i < nr; i++) {
		const struct walk_rec *r = &log->rec[i];
		void *want = root + (i / NPT_PTRS) * NPT_PAGE_SIZE +
			     (i % NPT_PTRS) * sizeof(npt_pte_t);

		bad += r->lvl != rl || r->addr != i * span ||
		       r->end != (i + 1) * span || (void *)r->ptep != want;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
}

static int walk_zero(const struct npt_visit_ctx *ctx,
		     enum npt_walk_flags visit)
{
	unsigned int *visits = ctx->arg;

	/* Stop a walk that keeps visiting the same entry. */
	return ++*visits > 8 ? -ELOOP : 0;
}

/* npt_visitor_fn: a LEAF visitor returning 0 continues the walk. */
static void npt_walk_leaf_zero(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = test->param_value;
	struct npt_table *t = walk_table(test, NULL, 0);
	struct npt_walker w = {
		.cb = walk_zero,
		.flags = NPT_WALK_LEAF,
	};
	unsigned int visits = 0;
	int ret;

	w.arg = &visits;
	spin_lock(&t->lock);
	ret = npt_walk(t, 0, 4 * npt_lvl_size(cfg->levels - 1), &w);
	spin_unlock(&t->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, visits, 4);
}

/* ---- a mock format: present is bit 63, table is bit 62 ------------- */

#define MOCK_PRESENT	BIT_ULL(63)
#define MOCK_TABLE	BIT_ULL(62)
#define MOCK_ADDR	GENMASK_ULL(51, 12)

static const struct npt_fmt mock_fmt = {
	.name = "mock",
};

/*
 * The walker only asks the format: an entry with bit 0 set but not the
 * mock present bit is not descended, and entries are found through the
 * format's address mask.
 */
static void npt_walk_mock_format(struct kunit *test)
{
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	const struct npt_mm_ops *mm;
	struct walk_log *log = walk_log(test);
	npt_pte_t *root, *child;

	KUNIT_ASSERT_NOT_NULL(test, t);
	/* Borrow the test provider from a real table. */
	mm = npt_kt_create(test, env, &walk_cfgs[0], 0)->mm;
	root = mm->alloc(env, 0);
	child = mm->alloc(env, 0);
	KUNIT_ASSERT_NOT_NULL(test, root);
	KUNIT_ASSERT_NOT_NULL(test, child);
	t->fmt = &mock_fmt;
	t->levels = 2;
	t->ia_bits = 30;
	t->present = MOCK_PRESENT;
	t->tbl_mask = MOCK_TABLE;
	t->tbl_val = MOCK_TABLE;
	t->addr_mask = MOCK_ADDR;
	t->root = root;
	t->mm = mm;
	t->mm_arg = env;
	spin_lock_init(&t->lock);
	root[1] = MOCK_PRESENT | MOCK_TABLE | mm->virt_to_phys(env, child);
	root[2] = BIT_ULL(0) | BIT_ULL(1) | mm->virt_to_phys(env, child);
	child[7] = MOCK_PRESENT | 0xabc000;

	KUNIT_ASSERT_EQ(test, walk_run(t, SZ_2M_ULL, 2 * SZ_2M_ULL,
				       NPT_WALK_LEAF | NPT_WALK_TABLE_PRE |
				       NPT_WALK_TABLE_POST, log), 0);
	KUNIT_ASSERT_EQ(test, log->nr, 1 + NPT_PTRS + 1 + 1);
	KUNIT_EXPECT_EQ(test, log->rec[0].visit, NPT_WALK_TABLE_PRE);
	KUNIT_EXPECT_EQ(test, log->rec[8].old, child[7]);
	KUNIT_EXPECT_PTR_EQ(test, log->rec[8].ptep, &child[7]);
	KUNIT_EXPECT_EQ(test, log->rec[NPT_PTRS + 1].visit,
			NPT_WALK_TABLE_POST);
	/* Bit 0 set, mock present bit clear: a leaf visit, no descent. */
	KUNIT_EXPECT_EQ(test, log->rec[NPT_PTRS + 2].visit, NPT_WALK_LEAF);
	KUNIT_EXPECT_EQ(test, log->rec[NPT_PTRS + 2].lvl, 1);
	KUNIT_EXPECT_EQ(test, log->rec[NPT_PTRS + 2].old, root[2]);
	mm->free(env, child, 0);
	mm->free(env, root, 0);
	KUNIT_EXPECT_EQ(test, env->live, 1);
}

/*
 * npt_plan_merge(): adjacent ranges of one level merge at either end and a
 * range already held adds nothing; other levels and gaps do not merge;
 * past NPT_PLAN_RANGES ranges, and from an "all" plan, the result is
 * "all" with no ranges.
 */
static void npt_walk_plan_merge(struct kunit *test)
{
	struct npt_flush_plan dst = {}, src = {};
	int i;

	src.nr = 1;
	src.range[0].gpa = SZ_1G_ULL;
	src.range[0].size = SZ_2M_ULL;
	src.range[0].lvl = 0;
	npt_plan_merge(&dst, &src);
	src.range[0].gpa = SZ_1G_ULL + SZ_2M_ULL;
	npt_plan_merge(&dst, &src);
	/* Below the first, and inside: one range still. */
	src.range[0].gpa = SZ_1G_ULL - SZ_2M_ULL;
	npt_plan_merge(&dst, &src);
	src.range[0].gpa = SZ_1G_ULL;
	npt_plan_merge(&dst, &src);
	KUNIT_EXPECT_FALSE(test, dst.all);
	KUNIT_ASSERT_EQ(test, dst.nr, 1);
	KUNIT_EXPECT_EQ(test, dst.range[0].gpa, SZ_1G_ULL - SZ_2M_ULL);
	KUNIT_EXPECT_EQ(test, dst.range[0].size, 3 * SZ_2M_ULL);
	src.range[0].gpa = SZ_1G_ULL + 2 * SZ_2M_ULL;
	src.range[0].lvl = 1;
	npt_plan_merge(&dst, &src);
	KUNIT_EXPECT_EQ(test, dst.nr, 2);

	for (i = 0; i < NPT_PLAN_RANGES - 2; i++) {
		src.range[0].gpa = 4 * SZ_1G_ULL + i * SZ_1G_ULL;
		npt_plan_merge(&dst, &src);
	}
	KUNIT_EXPECT_FALSE(test, dst.all);
	KUNIT_EXPECT_EQ(test, dst.nr, NPT_PLAN_RANGES);
	src.range[0].gpa = 64 * SZ_1G_ULL;
	npt_plan_merge(&dst, &src);
	KUNIT_EXPECT_TRUE(test, dst.all);
	KUNIT_EXPECT_EQ(test, dst.nr, 0);

	/* A range held by one range is dropped, not merged into another. */
	memset(&dst, 0, sizeof(dst));
	npt_plan_add(&dst, 0, SZ_4K_ULL, 0);
	npt_plan_add(&dst, 2 * SZ_4K_ULL, 2 * SZ_4K_ULL, 0);
	npt_plan_add(&dst, SZ_4K_ULL, SZ_4K_ULL, 0);
	npt_plan_add(&dst, 2 * SZ_4K_ULL, SZ_4K_ULL, 0);
	KUNIT_ASSERT_EQ(test, dst.nr, 2);
	KUNIT_EXPECT_EQ(test, dst.range[0].size, 2 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, dst.range[1].gpa, 2 * SZ_4K_ULL);

	memset(&dst, 0, sizeof(dst));
	memset(&src, 0, sizeof(src));
	src.all = true;
	npt_plan_merge(&dst, &src);
	KUNIT_EXPECT_TRUE(test, dst.all);
	KUNIT_EXPECT_EQ(test, dst.nr, 0);
}

static struct kunit_case npt_walk_cases[] = {
	KUNIT_CASE_PARAM(npt_walk_order, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_flags, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_span, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_error, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_descend_new, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_reread, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_run_of_leaves, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_range_errors, walk_cfg_gen_params),
	KUNIT_CASE_PARAM(npt_walk_whole_root, walk_cfg_gen_params),
	KUNIT_CASE(npt_walk_mock_format),
	KUNIT_CASE(npt_walk_plan_merge),
	KUNIT_CASE_PARAM(npt_walk_leaf_zero, walk_cfg_gen_params),
	{}
};

static struct kunit_suite npt_walk_suite = {
	.name = "npt_walk",
	.test_cases = npt_walk_cases,
};

kunit_test_suite(npt_walk_suite);
