// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt KUnit tests: the conformance cases every format suite runs for each
 * of its configurations (struct npt_kt_cfg as the parameter): geometry,
 * leaves at every level, boundaries, every rejection, splits, collapses,
 * allocation failures, flush ordering and randomized sequences against a
 * flat shadow model.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "npt_kunit.h"

#define RWX	(NPT_PROT_R | NPT_PROT_W | NPT_PROT_X)
#define RW	(NPT_PROT_R | NPT_PROT_W)

static const struct npt_kt_cfg *conf_cfg(struct kunit *test)
{
	return test->param_value;
}

/* The highest level that holds leaves (the root may be lower). */
static int conf_top_leaf(const struct npt_kt_cfg *cfg)
{
	return min_t(int, fls(cfg->leaf_lvls) - 1, cfg->levels - 1);
}

/* A host address aligned to every leaf size, well inside the PA width. */
static u64 conf_hpa(const struct npt_kt_cfg *cfg)
{
	return BIT_ULL(min(cfg->oa_bits - 2, 40U));
}

/*
 * Counters, table pages, npt_validate() and the reading of the manuals
 * agree with the table's memory.
 */
static void conf_check(struct kunit *test, struct npt_table *t,
		       struct npt_kt_env *env)
{
	u64 leaves[NPT_MAX_LEVELS], tables[NPT_MAX_LEVELS], sum = 0;
	struct npt_kt_bad bad;
	struct npt_stats st;
	int lvl;

	npt_kt_count(t, leaves, tables, &bad);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ_MSG(test, bad.n, 0, "first: %s, entry %#llx at level %d",
			    bad.why, (u64)bad.pte, bad.lvl);
	for (lvl = 0; lvl < NPT_MAX_LEVELS; lvl++) {
		KUNIT_EXPECT_EQ_MSG(test, st.leaves[lvl], leaves[lvl],
				    "leaves at level %d", lvl);
		KUNIT_EXPECT_EQ_MSG(test, st.tables[lvl], tables[lvl],
				    "tables at level %d", lvl);
		sum += tables[lvl];
	}
	KUNIT_EXPECT_EQ(test, st.table_pages, sum);
	KUNIT_EXPECT_EQ(test, env->live, sum);
}

static void conf_expect_map(struct kunit *test, struct npt_table *t, u64 gpa,
			    u64 hpa, int lvl, u32 prot, u32 attr)
{
	struct npt_translation tr;
	int ret = npt_translate(t, gpa, &tr);

	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "gpa %#llx", gpa);
	if (ret)
		return;
	KUNIT_EXPECT_EQ_MSG(test, tr.hpa, hpa, "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, tr.lvl, lvl, "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, tr.prot, prot, "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, tr.attr, attr, "gpa %#llx", gpa);
}

static void conf_expect_hole(struct kunit *test, struct npt_table *t, u64 gpa)
{
	struct npt_translation tr;

	KUNIT_EXPECT_EQ_MSG(test, npt_translate(t, gpa, &tr), -ENOENT,
			    "gpa %#llx", gpa);
}

static int conf_map(struct npt_table *t, u64 gpa, u64 hpa, u64 size,
		    u32 flags)
{
	struct npt_op_result res;

	return npt_map(t, gpa, hpa, size, RWX, NPT_MT_WB, flags, &res);
}

void npt_conf_geometry(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	size_t i, words = cfg->root_pages * NPT_PTRS;
	struct npt_stats st;

	KUNIT_EXPECT_TRUE(test, npt_format_supported(cfg->format));
	KUNIT_EXPECT_EQ(test, npt_format(t), cfg->format);
	KUNIT_EXPECT_EQ(test, npt_levels(t), cfg->levels);
	KUNIT_EXPECT_EQ(test, npt_root_pages(t), cfg->root_pages);
	KUNIT_EXPECT_EQ(test, npt_ia_bits(t), cfg->ia_bits);
	KUNIT_EXPECT_EQ(test, npt_oa_bits(t), cfg->oa_bits);
	KUNIT_EXPECT_EQ(test, t->leaf_lvls, cfg->leaf_lvls);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(npt_root_pa(t),
					   cfg->root_pages * NPT_PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, npt_kt_va(t, npt_root_pa(t)),
			    (void *)t->root);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.table_pages, cfg->root_pages);
	KUNIT_EXPECT_EQ(test, st.tables[cfg->levels - 1], cfg->root_pages);
	KUNIT_EXPECT_EQ(test, st.max_pages, NPT_DEFAULT_MAX_PAGES);
	for (i = 0; i < words; i++)
		if (t->root[i])
			break;
	KUNIT_EXPECT_EQ(test, i, words);
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* One leaf at every level that may hold one, translated back. */
void npt_conf_map_levels(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_walk_info wi;
	struct npt_stats st;
	int lvl;

	for (lvl = 0; lvl < cfg->levels; lvl++) {
		u64 size = npt_lvl_size(lvl), gpa = 3 * size;
		u64 hpa = conf_hpa(cfg) + 5 * size;

		if (lvl > conf_top_leaf(cfg) + 1)
			break;
		if (!(cfg->leaf_lvls & BIT(lvl))) {
			/* No leaf here: the same map uses the level below. */
			KUNIT_EXPECT_EQ(test, conf_map(t, gpa, 0, size, 0), 0);
			conf_expect_map(test, t, gpa + size - 1, size - 1,
					lvl - 1, RWX, NPT_MT_WB);
			continue;
		}
		KUNIT_ASSERT_EQ(test, conf_map(t, gpa, hpa, size, 0), 0);
		conf_expect_map(test, t, gpa, hpa, lvl, RWX, NPT_MT_WB);
		conf_expect_map(test, t, gpa + size / 2 + 0x123,
				hpa + size / 2 + 0x123, lvl, RWX, NPT_MT_WB);
		conf_expect_map(test, t, gpa + size - 1, hpa + size - 1, lvl,
				RWX, NPT_MT_WB);
		conf_expect_hole(test, t, gpa + size);
		conf_expect_hole(test, t, gpa - 1);
		KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, gpa, &wi), 0);
		KUNIT_EXPECT_EQ(test, wi.levels, cfg->levels - lvl);
		KUNIT_EXPECT_EQ(test, npt_validate(t, wi.pte[wi.levels - 1],
						   lvl), NPT_BAD_NONE);
		npt_get_stats(t, &st);
		KUNIT_EXPECT_EQ(test, st.leaves[lvl], 1);
	}
	conf_check(test, t, env);
}

void npt_conf_translate_offset(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 hpa = conf_hpa(cfg) + 0x7000;
	struct npt_translation tr;

	KUNIT_ASSERT_EQ(test, conf_map(t, 0x5000, hpa, SZ_4K_ULL, 0), 0);
	conf_expect_map(test, t, 0x5abc, hpa + 0xabc, 0, RWX, NPT_MT_WB);
	conf_expect_map(test, t, 0x5fff, hpa + 0xfff, 0, RWX, NPT_MT_WB);
	conf_expect_hole(test, t, 0x4fff);
	conf_expect_hole(test, t, 0x6000);
	KUNIT_EXPECT_EQ(test, npt_translate(t, BIT_ULL(cfg->ia_bits), &tr),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, tr.hpa, 0);
	KUNIT_EXPECT_EQ(test, npt_translate(t, U64_MAX, &tr), -ERANGE);
}

#define CONF_MANY	40

/*
 * npt_translate_many() of @n addresses returns @expect; npt_translate()
 * agrees, and fails with @err at @expect.
 */
static void conf_expect_many(struct kunit *test, struct npt_table *t,
			     const u64 *gpa, unsigned int n,
			     unsigned int expect, int err)
{
	struct npt_translation many[CONF_MANY], one;
	unsigned int i;

	memset(many, 0xa5, sizeof(many));
	KUNIT_ASSERT_EQ(test, npt_translate_many(t, gpa, many, n), expect);
	for (i = 0; i < n && i <= expect; i++) {
		KUNIT_EXPECT_EQ_MSG(test, npt_translate(t, gpa[i], &one),
				    i < expect ? 0 : err,
				    "address %u, %#llx", i, gpa[i]);
		KUNIT_EXPECT_EQ_MSG(test, many[i].hpa, one.hpa, "address %u", i);
		KUNIT_EXPECT_EQ_MSG(test, many[i].lvl, one.lvl, "address %u", i);
		KUNIT_EXPECT_EQ_MSG(test, many[i].pte, one.pte, "address %u", i);
		KUNIT_EXPECT_EQ_MSG(test, many[i].prot, one.prot, "address %u", i);
		KUNIT_EXPECT_EQ_MSG(test, many[i].attr, one.attr, "address %u", i);
	}
}

/*
 * npt_translate_many() is npt_translate() of each address, over the test
 * provider and over the kernel's, whose linear map takes the overlapped
 * walks: pages and a block in any order, across batches, up to the first
 * address not mapped or beyond the width, whose index it returns.
 */
void npt_conf_translate_many(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_config kc = {
		.format = cfg->format, .options = cfg->options,
		.ia_bits = cfg->ia_bits, .oa_bits = cfg->oa_bits,
		.leaf_lvls = cfg->cfg_leaf_lvls,
		.mm = npt_kernel_mm_for(cfg->oa_bits),
	};
	u64 hpa = conf_hpa(cfg), gpa[CONF_MANY];
	struct npt_table *t;
	unsigned int i;
	int kernel;

	for (i = 0; i < CONF_MANY; i++)
		gpa[i] = (i % 3 ? 0x5000 + (i * 7 % 8) * SZ_4K_ULL : SZ_2M_ULL +
			  i * 0x1234) + i * 8;
	for (kernel = 0; kernel < 2; kernel++) {
		if (kernel)
			KUNIT_ASSERT_EQ(test, npt_table_create(&kc, &t), 0);
		else
			t = npt_kt_create(test, env, cfg, 0);
		KUNIT_ASSERT_EQ(test, conf_map(t, 0x5000, hpa, 8 * SZ_4K_ULL, 0),
				0);
		KUNIT_ASSERT_EQ(test, conf_map(t, SZ_2M_ULL, hpa + SZ_2M_ULL,
					       SZ_2M_ULL, 0), 0);
		conf_expect_many(test, t, gpa, CONF_MANY, CONF_MANY, 0);
		conf_expect_many(test, t, gpa, 0, 0, 0);
		gpa[23] = 0x4fff;
		conf_expect_many(test, t, gpa, CONF_MANY, 23, -ENOENT);
		gpa[3] = BIT_ULL(cfg->ia_bits);
		conf_expect_many(test, t, gpa, CONF_MANY, 3, -ERANGE);
		gpa[3] = 0x5000;
		gpa[23] = 0x5000;
		if (kernel)
			npt_table_destroy(t);
		else
			npt_kt_destroy(test, t);
	}
}

/* The largest leaf the alignment of gpa, hpa and the range allows. */
static int conf_ref_lvl(const struct npt_kt_cfg *cfg, u64 gpa, u64 hpa,
			u64 start, u64 end)
{
	int lvl;

	for (lvl = conf_top_leaf(cfg); lvl > 0; lvl--) {
		u64 size = npt_lvl_size(lvl);

		if ((cfg->leaf_lvls & BIT(lvl)) && IS_ALIGNED(gpa | hpa, size) &&
		    gpa >= start && gpa + size <= end)
			return lvl;
	}
	return 0;
}

void npt_conf_largest_fit(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 start = SZ_1G_ULL - SZ_2M_ULL - 2 * SZ_4K_ULL;
	u64 end = 2 * SZ_1G_ULL + 2 * SZ_2M_ULL + SZ_4K_ULL;
	u64 hpa0 = conf_hpa(cfg) + start, want[NPT_MAX_LEVELS] = { };
	struct npt_stats st;
	u64 gpa;
	int lvl;

	KUNIT_ASSERT_EQ(test, conf_map(t, start, hpa0, end - start, 0), 0);
	for (gpa = start; gpa < end; gpa += npt_lvl_size(lvl)) {
		lvl = conf_ref_lvl(cfg, gpa, hpa0 + gpa - start, start, end);
		want[lvl]++;
		conf_expect_map(test, t, gpa, hpa0 + gpa - start, lvl, RWX,
				NPT_MT_WB);
	}
	npt_get_stats(t, &st);
	for (lvl = 0; lvl < NPT_MAX_LEVELS; lvl++)
		KUNIT_EXPECT_EQ_MSG(test, st.leaves[lvl], want[lvl],
				    "level %d", lvl);
	/* 2 + 1 pages, 1 + 2 blocks of 2 MiB and one of 1 GiB. */
	KUNIT_EXPECT_EQ(test, want[0], 3);
	if (conf_top_leaf(cfg) >= 2) {
		KUNIT_EXPECT_EQ(test, want[1], 3);
		KUNIT_EXPECT_EQ(test, want[2], 1);
	} else {
		KUNIT_EXPECT_EQ(test, want[1], 3 + NPT_PTRS);
	}
	conf_check(test, t, env);

	/* An hpa aligned only to 4 KiB allows nothing but pages. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 4 * SZ_1G_ULL - 4 * SZ_2M_ULL,
				       conf_hpa(cfg) + SZ_4K_ULL,
				       2 * SZ_2M_ULL, 0), 0);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.leaves[0], want[0] + 1024);
	KUNIT_EXPECT_EQ(test, st.leaves[1], want[1]);
	conf_check(test, t, env);
}

void npt_conf_no_blocks(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_stats st;

	KUNIT_ASSERT_EQ(test, conf_map(t, SZ_1G_ULL, conf_hpa(cfg),
				       2 * SZ_2M_ULL, NPT_OP_NO_BLOCKS), 0);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.leaves[0], 1024);
	KUNIT_EXPECT_EQ(test, st.leaves[1], 0);
	KUNIT_EXPECT_EQ(test, st.tables[0], 2);
	conf_expect_map(test, t, SZ_1G_ULL + SZ_2M_ULL,
			conf_hpa(cfg) + SZ_2M_ULL, 0, RWX, NPT_MT_WB);
	conf_check(test, t, env);
}

/* GPA 0, the last GPA of the width and the first beyond it. */
void npt_conf_boundaries(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 top = BIT_ULL(cfg->ia_bits), otop = BIT_ULL(cfg->oa_bits);
	u64 hpa = conf_hpa(cfg);
	struct npt_op_result res;
	struct npt_translation tr;
	struct npt_walk_info wi;
	struct npt_kt_snap *snap;

	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, SZ_4K_ULL, 0), 0);
	conf_expect_map(test, t, 0, hpa, 0, RWX, NPT_MT_WB);
	KUNIT_ASSERT_EQ(test, conf_map(t, top - SZ_4K_ULL, otop - SZ_4K_ULL,
				       SZ_4K_ULL, 0), 0);
	conf_expect_map(test, t, top - 1, otop - 1, 0, RWX, NPT_MT_WB);
	KUNIT_ASSERT_EQ(test, conf_map(t, top - 2 * SZ_2M_ULL,
				       otop - 2 * SZ_2M_ULL, SZ_2M_ULL, 0), 0);
	conf_expect_map(test, t, top - SZ_2M_ULL - 1, otop - SZ_2M_ULL - 1, 1,
			RWX, NPT_MT_WB);
	conf_check(test, t, env);

	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, conf_map(t, top, hpa, SZ_4K_ULL, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, conf_map(t, top - SZ_4K_ULL, hpa, 2 * SZ_4K_ULL,
				       NPT_OP_REPLACE), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, top, SZ_4K_ULL, 0, &res), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, top - SZ_4K_ULL, 2 * SZ_4K_ULL, 0,
					&res), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_protect(t, top, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, top, SZ_2M_ULL, &res), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_translate(t, top, &tr), -ERANGE);
	KUNIT_EXPECT_EQ(test, npt_walk_gpa(t, top, &wi), -ERANGE);
	KUNIT_EXPECT_EQ(test, wi.levels, 0);
	/* Host addresses: the last page of the output width, not beyond. */
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, otop, SZ_4K_ULL, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, otop - SZ_4K_ULL,
				       2 * SZ_4K_ULL, 0), -ERANGE);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

/* Misaligned, empty, wrapping: -EINVAL / -EOVERFLOW, nothing changes. */
void npt_conf_range_errors(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 hpa = conf_hpa(cfg), wrap = 0ULL - SZ_4K_ULL;
	static const u64 bad_addr[] = { 0x800, 0x1, 0xfff };
	struct npt_op_result res;
	struct npt_kt_snap *snap;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, SZ_2M_ULL, 0), 0);
	snap = npt_kt_snap(test, t, env);
	npt_kt_log_reset(env, NULL);
	for (i = 0; i < ARRAY_SIZE(bad_addr); i++) {
		u64 a = SZ_2M_ULL + bad_addr[i];

		KUNIT_EXPECT_EQ(test, conf_map(t, a, hpa, SZ_4K_ULL, 0),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, hpa + bad_addr[i],
					       SZ_4K_ULL, 0), -EINVAL);
		KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, hpa,
					       SZ_4K_ULL + bad_addr[i], 0),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, npt_unmap(t, bad_addr[i], SZ_4K_ULL, 0,
						&res), -EINVAL);
		KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, bad_addr[i], 0, &res),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, npt_protect(t, bad_addr[i], SZ_4K_ULL,
						  NPT_PROT_R, NPT_MT_WB, 0,
						  &res), -EINVAL);
		KUNIT_EXPECT_EQ(test, npt_collapse(t, bad_addr[i], SZ_2M_ULL,
						   &res), -EINVAL);
	}
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, hpa, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, 0, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, 0, NPT_PROT_R, NPT_MT_WB, 0,
					  &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, 0, 0, &res), -EINVAL);

	/* gpa + size and hpa + size wrap around 2^64. */
	KUNIT_EXPECT_EQ(test, conf_map(t, wrap, hpa, 2 * SZ_4K_ULL, 0),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, wrap, 2 * SZ_4K_ULL, 0),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, wrap, 2 * SZ_4K_ULL, 0, &res),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, npt_protect(t, wrap, 2 * SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, wrap, 2 * SZ_4K_ULL, &res),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, res.done, 0);
	KUNIT_EXPECT_EQ(test, res.plan.nr, 0);
	KUNIT_EXPECT_FALSE(test, res.plan.all);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
}

/* Unknown flags, permissions and attributes, bad configurations. */
/*
 * One 4 KiB leaf with @prot and @attr: accepted or refused as the reading
 * of the manuals says (either, where they allow both), and if accepted,
 * translating to exactly what was asked for.  Return: whether accepted.
 */
static bool conf_leaf_combo(struct kunit *test, struct npt_table *t,
			    struct npt_kt_env *env, const struct ref_fmt *f,
			    u32 prot, u32 attr)
{
	const u64 hpa = conf_hpa(conf_cfg(test)), g = SZ_2M_ULL;
	int want = ref_leaf_ok(f, prot, attr, 0);
	struct npt_op_result res;
	int ret;

	ret = npt_map(t, g, hpa, SZ_4K_ULL, prot, attr, 0, &res);
	KUNIT_EXPECT_TRUE_MSG(test, ret == want ||
			      (want == 1 && (!ret || ret == -EINVAL)),
			      "%s: prot %#x attr %#x: %d, the manuals %d",
			      ref_name(f->format), prot, attr, ret, want);
	if (ret)
		return false;
	conf_expect_map(test, t, g, hpa, 0, prot, attr);
	conf_check(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, g, SZ_4K_ULL, 0, &res), 0);
	return true;
}

/*
 * Every permission set (one unknown bit included) and memory type (one
 * unknown type included), with and without IPAT: conf_leaf_combo().
 */
void npt_conf_leaf_combos(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	const struct ref_fmt f = npt_kt_ref_fmt(t);
	unsigned int ok = 0;
	u32 prot, mt;

	for (prot = 0; prot <= 2 * NPT_PROT_ALL + 1; prot++) {
		for (mt = 0; mt <= NPT_MT_MAX + 1; mt++) {
			ok += conf_leaf_combo(test, t, env, &f, prot, mt);
			ok += conf_leaf_combo(test, t, env, &f, prot,
					      mt | NPT_ATTR_IPAT);
		}
	}
	/* Each format maps read-write write-back memory at least. */
	KUNIT_EXPECT_GT(test, ok, 0);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
	npt_kt_destroy(test, t);
}

void npt_conf_bad_args(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0), *t2;
	u64 hpa = conf_hpa(cfg), g = SZ_2M_ULL;
	struct npt_kt_cfg bad = *cfg;
	struct npt_op_result res;
	struct npt_kt_snap *snap;
	struct npt_config c = { };
	u32 f;

	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, SZ_4K_ULL, 0), 0);
	snap = npt_kt_snap(test, t, env);
	for (f = BIT(5); f; f <<= 1) {
		KUNIT_EXPECT_EQ(test, conf_map(t, g, hpa, SZ_4K_ULL, f),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, SZ_4K_ULL, f, &res),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, NPT_PROT_R,
						  NPT_MT_WB, f, &res), -EINVAL);
	}
	/* Flags another operation knows. */
	KUNIT_EXPECT_EQ(test, conf_map(t, g, hpa, SZ_4K_ULL, NPT_OP_HOLES_OK),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, SZ_4K_ULL, NPT_OP_REPLACE, &res),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, SZ_4K_ULL, NPT_OP_HOLES_OK,
					&res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, NPT_OP_REPLACE, &res),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, NPT_OP_NO_BLOCKS, &res),
			-EINVAL);
	/* No permission, unknown permission or attribute bits, memtypes. */
	KUNIT_EXPECT_EQ(test, npt_map(t, g, hpa, SZ_4K_ULL, 0, NPT_MT_WB, 0,
				      &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_map(t, g, hpa, SZ_4K_ULL, NPT_PROT_R | BIT(4),
				      NPT_MT_WB, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_map(t, g, hpa, SZ_4K_ULL, NPT_PROT_R,
				      BIT(9), 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_map(t, g, hpa, SZ_4K_ULL, NPT_PROT_R,
				      NPT_MT_MAX + 1, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, 0, NPT_MT_WB, 0,
					  &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_MAX + 1, 0, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, BIT(7), NPT_MT_WB,
					  0, &res), -EINVAL);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* Configurations: format, options, widths, no host memory. */
	bad.format = 0;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	KUNIT_EXPECT_NULL(test, t2);
	bad.format = NPT_FORMAT_MAX + 1;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	bad = *cfg;
	bad.options |= BIT(7);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	bad.options = cfg->options | (cfg->format == NPT_FORMAT_ARM64_S2 ?
				      NPT_OPT_EPT_AD : NPT_OPT_S2_FWB);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	bad = *cfg;
	bad.ia_bits = cfg->format == NPT_FORMAT_ARM64_S2 ? 49 : cfg->ia_bits + 1;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	bad.ia_bits = cfg->format == NPT_FORMAT_ARM64_S2 ? 31 : cfg->ia_bits - 1;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	bad = *cfg;
	bad.oa_bits = 57;
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, &bad, 0, 0, &t2), -EINVAL);
	c.format = cfg->format;
	c.ia_bits = cfg->ia_bits;
	KUNIT_EXPECT_EQ(test, npt_table_create(&c, &t2), -EINVAL);
	KUNIT_EXPECT_NULL(test, t2);
	KUNIT_EXPECT_EQ(test, env->live, snap->live);
}

void npt_conf_exist_replace(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 hpa = conf_hpa(cfg), g = SZ_1G_ULL;
	struct npt_kt_snap *snap;

	KUNIT_ASSERT_EQ(test, conf_map(t, g + SZ_4K_ULL, hpa, SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, g + 2 * SZ_2M_ULL, hpa, SZ_2M_ULL,
				       0), 0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, conf_map(t, g + SZ_4K_ULL, hpa, SZ_4K_ULL, 0),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, conf_map(t, g, hpa, SZ_2M_ULL, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, conf_map(t, g, hpa, SZ_1G_ULL, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, conf_map(t, g + 2 * SZ_2M_ULL + SZ_4K_ULL, hpa,
				       SZ_4K_ULL, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, conf_map(t, g + 2 * SZ_2M_ULL - SZ_4K_ULL, hpa,
				       2 * SZ_4K_ULL, 0), -EEXIST);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* Replace the page, then a page inside the block (split). */
	KUNIT_EXPECT_EQ(test, conf_map(t, g + SZ_4K_ULL, hpa + SZ_1G_ULL,
				       SZ_4K_ULL, NPT_OP_REPLACE), 0);
	conf_expect_map(test, t, g + SZ_4K_ULL, hpa + SZ_1G_ULL, 0, RWX,
			NPT_MT_WB);
	KUNIT_EXPECT_EQ(test, conf_map(t, g + 2 * SZ_2M_ULL + SZ_4K_ULL,
				       hpa + SZ_1G_ULL, SZ_4K_ULL,
				       NPT_OP_REPLACE), 0);
	conf_expect_map(test, t, g + 2 * SZ_2M_ULL + SZ_4K_ULL,
			hpa + SZ_1G_ULL, 0, RWX, NPT_MT_WB);
	conf_expect_map(test, t, g + 2 * SZ_2M_ULL, hpa, 0, RWX, NPT_MT_WB);
	conf_expect_map(test, t, g + 3 * SZ_2M_ULL - SZ_4K_ULL,
			hpa + SZ_2M_ULL - SZ_4K_ULL, 0, RWX, NPT_MT_WB);
	/* Replace a block by a block at a new address. */
	KUNIT_EXPECT_EQ(test, conf_map(t, g + 4 * SZ_2M_ULL, hpa, SZ_2M_ULL,
				       0), 0);
	KUNIT_EXPECT_EQ(test, conf_map(t, g + 4 * SZ_2M_ULL, hpa + SZ_1G_ULL,
				       SZ_2M_ULL, NPT_OP_REPLACE), 0);
	conf_expect_map(test, t, g + 5 * SZ_2M_ULL - 1,
			hpa + SZ_1G_ULL + SZ_2M_ULL - 1, 1, RWX, NPT_MT_WB);
	conf_check(test, t, env);
}

/*
 * A leaf that a split of a conf_map() block made at @lvl for @gpa has the
 * bits, all but its address, of the leaf that conf_map() itself makes at
 * @lvl: one mapped, read and unmapped again at GPA 0, which the callers
 * leave free.
 */
static void conf_expect_inherit(struct kunit *test, struct npt_table *t,
				u64 hpa, u64 gpa, int lvl)
{
	npt_pte_t *ptep = npt_kt_ptep(t, gpa, lvl), *ref;
	u64 size = npt_lvl_size(lvl);
	struct npt_op_result res;

	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, size, 0), 0);
	ref = npt_kt_ptep(t, 0, lvl);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_EXPECT_EQ_MSG(test, *ptep & ~t->addr_mask, *ref & ~t->addr_mask,
			    "lvl %d", lvl);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, 0, size, 0, &res), 0);
}

/* Unmap one page out of a block at every level: a chain of splits. */
void npt_conf_split_unmap(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	int top, lvl, l;

	for (top = 1; top < cfg->levels; top++) {
		u64 size = npt_lvl_size(top), g = size, hpa = conf_hpa(cfg);
		u64 off = size / 2 + SZ_4K_ULL, mid;
		struct npt_table *t;
		struct npt_op_result res;
		struct npt_stats st;

		if (!(cfg->leaf_lvls & BIT(top)))
			continue;
		/* Neighbours one step away at each level share its parent. */
		for (l = 1; l < top; l++)
			off += npt_lvl_size(l);
		mid = g + off;
		t = npt_kt_create(test, env, cfg, 0);
		KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, size, 0), 0);
		KUNIT_ASSERT_EQ(test, npt_unmap(t, mid, SZ_4K_ULL, 0, &res), 0);
		KUNIT_EXPECT_EQ(test, res.done, SZ_4K_ULL);
		KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, mid,
							   SZ_4K_ULL));
		/* A split replaces a leaf, the block: no table entry changed. */
		KUNIT_EXPECT_FALSE(test, res.plan.tables);
		conf_expect_hole(test, t, mid);
		npt_get_stats(t, &st);
		for (l = 0; l < top; l++) {
			u64 ls = npt_lvl_size(l);

			KUNIT_EXPECT_EQ_MSG(test, st.leaves[l], NPT_PTRS - 1,
					    "split of %d, level %d", top, l);
			conf_expect_map(test, t, mid - ls, hpa + off - ls, l,
					RWX, NPT_MT_WB);
			conf_expect_map(test, t, mid + ls, hpa + off + ls, l,
					RWX, NPT_MT_WB);
			conf_expect_inherit(test, t, hpa, mid - ls, l);
			conf_expect_inherit(test, t, hpa, mid + ls, l);
		}
		KUNIT_EXPECT_EQ(test, st.leaves[top], 0);
		conf_expect_map(test, t, g, hpa, top - 1, RWX, NPT_MT_WB);
		conf_expect_map(test, t, g + size - 1, hpa + size - 1, top - 1,
				RWX, NPT_MT_WB);
		conf_check(test, t, env);

		/* The rest of the block: every split table is freed again. */
		KUNIT_EXPECT_EQ(test, npt_unmap(t, g, size, 0, &res), 0);
		KUNIT_EXPECT_TRUE(test, res.plan.tables);
		KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
		for (lvl = 0; lvl < NPT_MAX_LEVELS; lvl++)
			KUNIT_EXPECT_EQ(test, t->st.leaves[lvl], 0);
		conf_check(test, t, env);
		npt_kt_destroy(test, t);
		KUNIT_EXPECT_EQ(test, env->live, 0);
	}
}

/* Protect one page inside a block, then restore and collapse it. */
void npt_conf_split_protect(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	int top, l;

	for (top = 1; top < cfg->levels; top++) {
		u64 size = npt_lvl_size(top), g = 2 * size, hpa = conf_hpa(cfg);
		u64 mid = g + size / 2 + SZ_4K_ULL;
		struct npt_op_result res;
		struct npt_table *t;
		npt_pte_t block;
		u64 before;

		if (!(cfg->leaf_lvls & BIT(top)))
			continue;
		t = npt_kt_create(test, env, cfg, 0);
		KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, size, 0), 0);
		block = *npt_kt_ptep(t, g, top);
		before = env->live;
		KUNIT_ASSERT_EQ(test, npt_protect(t, mid, SZ_4K_ULL, NPT_PROT_R,
						  NPT_MT_WB, 0, &res), 0);
		KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, mid,
							   SZ_4K_ULL));
		conf_expect_map(test, t, mid, hpa + size / 2 + SZ_4K_ULL, 0,
				NPT_PROT_R, NPT_MT_WB);
		for (l = 0; l < top; l++) {
			u64 ls = npt_lvl_size(l);

			conf_expect_map(test, t, mid + ls,
					hpa + size / 2 + SZ_4K_ULL + ls, l,
					RWX, NPT_MT_WB);
			conf_expect_inherit(test, t, hpa, mid + ls, l);
		}
		conf_check(test, t, env);

		KUNIT_ASSERT_EQ(test, npt_protect(t, g, size, RWX, NPT_MT_WB, 0,
						  &res), 0);
		KUNIT_ASSERT_EQ(test, npt_collapse(t, g, size, &res), 0);
		KUNIT_EXPECT_TRUE(test, res.plan.tables);
		KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, top), block);
		KUNIT_EXPECT_EQ(test, env->live, before);
		conf_check(test, t, env);
		npt_kt_destroy(test, t);
	}
}

/* 512 leaves one level down, one map each, fold into one leaf. */
void npt_conf_collapse(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_op_result res;
	int top;
	u32 i;

	for (top = 1; top < cfg->levels; top++) {
		u64 size = npt_lvl_size(top), cs = npt_lvl_size(top - 1);
		u64 g = size * 3, hpa = conf_hpa(cfg);
		npt_pte_t direct;

		if (!(cfg->leaf_lvls & BIT(top)))
			continue;
		for (i = 0; i < NPT_PTRS; i++)
			KUNIT_ASSERT_EQ(test, conf_map(t, g + i * cs,
						       hpa + i * cs, cs, 0), 0);
		KUNIT_EXPECT_EQ(test, t->st.leaves[top - 1], NPT_PTRS);
		npt_kt_log_reset(env, NULL);
		KUNIT_ASSERT_EQ(test, npt_collapse(t, g, size, &res), 0);
		KUNIT_EXPECT_EQ(test, res.done, size);
		KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, g, size));
		conf_expect_map(test, t, g + size - 1, hpa + size - 1, top,
				RWX, NPT_MT_WB);
		KUNIT_EXPECT_EQ(test, t->st.leaves[top], 1);
		KUNIT_EXPECT_EQ(test, t->st.leaves[top - 1], 0);
		/* Bit for bit the leaf a single map would have written. */
		direct = npt_kt_leaf(test, npt_kt_env(test), cfg, g, hpa, size,
				     RWX, NPT_MT_WB, 0);
		KUNIT_EXPECT_EQ(test, *npt_kt_ptep(t, g, top), direct);
		KUNIT_EXPECT_EQ(test, npt_unmap(t, g, size, 0, &res), 0);
		conf_check(test, t, env);
	}

	/* 4 KiB pages all the way up to one 1 GiB leaf. */
	if (conf_top_leaf(cfg) < 2)
		return;
	KUNIT_ASSERT_EQ(test, conf_map(t, SZ_1G_ULL, conf_hpa(cfg), SZ_1G_ULL,
				       NPT_OP_NO_BLOCKS), 0);
	KUNIT_EXPECT_EQ(test, t->st.leaves[0], SZ_1G_ULL / SZ_4K_ULL);
	KUNIT_ASSERT_EQ(test, npt_collapse(t, 0, 4 * SZ_1G_ULL, &res), 0);
	conf_expect_map(test, t, SZ_1G_ULL + 0x12345678,
			conf_hpa(cfg) + 0x12345678, 2, RWX, NPT_MT_WB);
	KUNIT_EXPECT_EQ(test, t->st.leaves[0], 0);
	KUNIT_EXPECT_EQ(test, t->st.leaves[2], 1);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages + cfg->levels - 3);
	conf_check(test, t, env);
}

/* Tables that must not fold: each one differs from a block somehow. */
void npt_conf_collapse_refused(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 hpa = conf_hpa(cfg), g = SZ_1G_ULL;
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	/* 0: one page read-only; 1: one page elsewhere; 2: a hole. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, 3 * SZ_2M_ULL,
				       NPT_OP_NO_BLOCKS), 0);
	KUNIT_ASSERT_EQ(test, npt_protect(t, g + 0x5000, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, g + SZ_2M_ULL + 0x7000,
				       hpa + SZ_1G_ULL, SZ_4K_ULL,
				       NPT_OP_REPLACE), 0);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g + 2 * SZ_2M_ULL + 0x1ff000,
					SZ_4K_ULL, 0, &res), 0);
	/* 3: contiguous, but the run starts off a 2 MiB boundary. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g + 3 * SZ_2M_ULL,
				       hpa + 3 * SZ_2M_ULL + SZ_4K_ULL,
				       SZ_2M_ULL, 0), 0);
	/* 4: a clean table, but the collapse range covers only half. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g + 4 * SZ_2M_ULL,
				       hpa + 4 * SZ_2M_ULL, SZ_2M_ULL,
				       NPT_OP_NO_BLOCKS), 0);
	snap = npt_kt_snap(test, t, env);
	npt_kt_log_reset(env, NULL);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, g, 4 * SZ_2M_ULL, &res), 0);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, g + 4 * SZ_2M_ULL, SZ_1M_ULL,
					   &res), 0);
	KUNIT_EXPECT_EQ(test, npt_collapse(t, g + 4 * SZ_2M_ULL + SZ_4K_ULL,
					   SZ_2M_ULL, &res), 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
	/* The whole table: it folds. */
	KUNIT_EXPECT_EQ(test, npt_collapse(t, g + 4 * SZ_2M_ULL, SZ_2M_ULL,
					   &res), 0);
	KUNIT_EXPECT_EQ(test, t->st.leaves[1], 1);

	/*
	 * 512 leaves of the top leaf level where no leaf may be above, at
	 * 2 * size, clear of what the cases above mapped below 2 GiB.
	 */
	if (conf_top_leaf(cfg) + 1 < cfg->levels) {
		int top = conf_top_leaf(cfg) + 1;
		u64 size = npt_lvl_size(top), cs = npt_lvl_size(top - 1);
		u32 i;

		for (i = 0; i < NPT_PTRS; i++)
			KUNIT_ASSERT_EQ(test, conf_map(t, 2 * size + i * cs,
						       BIT_ULL(cfg->oa_bits - 1)
						       + i * cs, cs, 0), 0);
		snap = npt_kt_snap(test, t, env);
		KUNIT_EXPECT_EQ(test, npt_collapse(t, 2 * size, size, &res),
				0);
		KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	}
	conf_check(test, t, env);
}

void npt_conf_unmap_frees(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = 5 * SZ_1G_ULL - SZ_2M_ULL - SZ_4K_ULL, hpa = conf_hpa(cfg);
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	if (g + SZ_1G_ULL > BIT_ULL(cfg->ia_bits))
		g -= 2 * SZ_1G_ULL;
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, 2 * SZ_4K_ULL, 0), 0);
	/* One table per level, and a second one at level 0. */
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages + cfg->levels);
	conf_check(test, t, env);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, 2 * SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, g, SZ_4K_ULL));
	KUNIT_EXPECT_TRUE(test, npt_kt_plan_covers(&res.plan, g + SZ_4K_ULL,
						   SZ_4K_ULL));
	conf_check(test, t, env);

	/* A hole: nothing to do, nothing to flush. */
	snap = npt_kt_snap(test, t, env);
	npt_kt_log_reset(env, NULL);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, g, SZ_1G_ULL, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, res.done, SZ_1G_ULL);
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
	KUNIT_EXPECT_EQ(test, res.plan.nr, 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	/* A table that keeps one leaf stays. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, 4 * SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, SZ_4K_ULL, 3 * SZ_4K_ULL, 0, &res),
			0);
	conf_expect_map(test, t, 0, hpa, 0, RWX, NPT_MT_WB);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages + cfg->levels - 1);
	conf_check(test, t, env);
}

void npt_conf_protect_holes(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_2M_ULL, hpa = conf_hpa(cfg);
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, 2 * SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, g + 3 * SZ_4K_ULL, hpa, SZ_4K_ULL, 0),
			0);
	snap = npt_kt_snap(test, t, env);
	npt_kt_log_reset(env, NULL);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g, 4 * SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.done, 0);
	KUNIT_EXPECT_EQ(test, npt_protect(t, SZ_1G_ULL, SZ_2M_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g - SZ_4K_ULL, 2 * SZ_4K_ULL,
					  NPT_PROT_R, NPT_MT_WB, 0, &res),
			-ENOENT);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	KUNIT_EXPECT_EQ(test, env->flushes, 0);
	KUNIT_EXPECT_EQ(test, npt_protect(t, SZ_1G_ULL, SZ_1G_ULL, NPT_PROT_R,
					  NPT_MT_WB, NPT_OP_HOLES_OK, &res), 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));

	KUNIT_EXPECT_EQ(test, npt_protect(t, g, 4 * SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, NPT_OP_HOLES_OK, &res), 0);
	KUNIT_EXPECT_EQ(test, res.done, 4 * SZ_4K_ULL);
	conf_expect_map(test, t, g, hpa, 0, NPT_PROT_R, NPT_MT_WB);
	conf_expect_map(test, t, g + SZ_4K_ULL, hpa + SZ_4K_ULL, 0, NPT_PROT_R,
			NPT_MT_WB);
	conf_expect_hole(test, t, g + 2 * SZ_4K_ULL);
	conf_expect_map(test, t, g + 3 * SZ_4K_ULL, hpa, 0, NPT_PROT_R,
			NPT_MT_WB);
	conf_check(test, t, env);
}

void npt_conf_enospc(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	u64 hpa = conf_hpa(cfg), need = cfg->levels - 1;
	struct npt_op_result res;
	struct npt_kt_snap *snap;
	struct npt_table *t;

	t = npt_kt_create(test, env, cfg, cfg->root_pages + need - 1);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, conf_map(t, 0, hpa, SZ_4K_ULL, 0), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	/* A 2 MiB block needs one table less; splitting it one more. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, SZ_2M_ULL, 0), 0);
	KUNIT_EXPECT_EQ(test, t->st.table_pages, t->st.max_pages);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_unmap(t, 0, SZ_4K_ULL, 0, &res), -ENOSPC);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, SZ_4K_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	npt_kt_destroy(test, t);

	t = npt_kt_create(test, env, cfg, cfg->root_pages + need);
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, SZ_4K_ULL, 0), 0);
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_4K_ULL, hpa, SZ_4K_ULL, 0), 0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, conf_map(t, SZ_2M_ULL, hpa, SZ_4K_ULL, 0),
			-ENOSPC);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
	npt_kt_destroy(test, t);

	/* A root larger than the limit. */
	if (cfg->root_pages > 1) {
		KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, cfg,
							cfg->root_pages - 1, 0,
							&t), -ENOSPC);
		KUNIT_EXPECT_NULL(test, t);
	}
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

void npt_conf_fail_create(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t;

	npt_kt_fail_nth(env, 1);
	KUNIT_EXPECT_EQ(test, npt_kt_try_create(env, cfg, 0, 0, &t), -ENOMEM);
	KUNIT_EXPECT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
	KUNIT_EXPECT_EQ(test, env->allocs, 1);
	npt_kt_fail_nth(env, 0);
	KUNIT_ASSERT_EQ(test, npt_kt_try_create(env, cfg, 0, 0, &t), 0);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
	npt_table_destroy(t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/*
 * Fail the 1st, 2nd, ... allocation of @op until it succeeds: each failure
 * must leave the table bit for bit as it was.  Return: failures seen.
 */
static unsigned int conf_sweep(struct kunit *test, struct npt_table *t,
			       struct npt_kt_env *env,
			       int (*op)(struct npt_table *t, u64 arg),
			       u64 arg)
{
	struct npt_kt_snap *snap = npt_kt_snap(test, t, env);
	unsigned int n;
	int ret;

	for (n = 1; n < 64; n++) {
		npt_kt_fail_nth(env, n);
		ret = op(t, arg);
		npt_kt_fail_nth(env, 0);
		if (!ret)
			break;
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "fail %u", n);
		KUNIT_EXPECT_TRUE_MSG(test, npt_kt_snap_same(t, env, snap),
				      "fail %u", n);
	}
	return n - 1;
}

static int conf_op_map(struct npt_table *t, u64 gpa)
{
	/* Misaligned hpa: 4 KiB pages over three 2 MiB regions. */
	return conf_map(t, gpa, BIT_ULL(30) + SZ_4K_ULL,
			2 * SZ_2M_ULL + 2 * SZ_4K_ULL, 0);
}

static int conf_op_unmap(struct npt_table *t, u64 gpa)
{
	struct npt_op_result res;

	return npt_unmap(t, gpa, SZ_4K_ULL, 0, &res);
}

static int conf_op_protect(struct npt_table *t, u64 gpa)
{
	struct npt_op_result res;

	return npt_protect(t, gpa, SZ_4K_ULL, NPT_PROT_R, NPT_MT_WB, 0, &res);
}

static int conf_op_replace(struct npt_table *t, u64 gpa)
{
	return conf_map(t, gpa, BIT_ULL(31), SZ_4K_ULL, NPT_OP_REPLACE);
}

void npt_conf_fail_map(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL - SZ_2M_ULL - SZ_4K_ULL, before;
	unsigned int want;

	/* Tables exist on the way; the map needs a new one at every level. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, conf_hpa(cfg), SZ_4K_ULL, 0), 0);
	before = env->live;
	/* Four level-0 tables, one level-1 table below a 2-level root. */
	want = cfg->levels > 2 ? 5 : 4;
	KUNIT_EXPECT_EQ(test, conf_sweep(test, t, env, conf_op_map, g), want);
	KUNIT_EXPECT_EQ(test, env->live, before + want);
	conf_expect_map(test, t, g, BIT_ULL(30) + SZ_4K_ULL, 0, RWX, NPT_MT_WB);
	conf_check(test, t, env);
}

void npt_conf_fail_split(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 hpa = conf_hpa(cfg), g = 2 * SZ_1G_ULL;
	unsigned int big = min(conf_top_leaf(cfg), 2);

	/* A 1 GiB block (or 2 MiB): a split to one page needs a table each. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, SZ_1G_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, hpa, 3 * SZ_1G_ULL / 2, 0), 0);
	KUNIT_EXPECT_EQ(test, conf_sweep(test, t, env, conf_op_unmap,
					 g + 0x12345000), big);
	conf_expect_hole(test, t, g + 0x12345000);
	KUNIT_EXPECT_EQ(test, conf_sweep(test, t, env, conf_op_protect,
					 SZ_1G_ULL + 0x200000), 1);
	conf_expect_map(test, t, SZ_1G_ULL + 0x200000,
			hpa + SZ_1G_ULL + 0x200000, 0, NPT_PROT_R, NPT_MT_WB);
	KUNIT_EXPECT_EQ(test, conf_sweep(test, t, env, conf_op_replace,
					 0x3ff000), big);
	conf_expect_map(test, t, 0x3ff000, BIT_ULL(31), 0, RWX, NPT_MT_WB);
	conf_check(test, t, env);
}

/* Every table page freed by an operation is flushed before it is freed. */
static void conf_expect_flushed_free(struct kunit *test,
				     struct npt_kt_env *env, void *va,
				     u64 gpa, u64 size)
{
	unsigned int i;
	bool flushed = false;

	KUNIT_ASSERT_EQ(test, env->lost_ev, 0);
	for (i = 0; i < env->nr_ev; i++) {
		const struct npt_kt_event *ev = &env->ev[i];

		if (ev->kind == NPT_KT_EV_FLUSH &&
		    npt_kt_plan_covers(&ev->plan, gpa, size))
			flushed = true;
		if (ev->kind == NPT_KT_EV_FREE && ev->va == va) {
			KUNIT_EXPECT_TRUE(test, flushed);
			return;
		}
	}
	KUNIT_FAIL(test, "table page of %#llx not freed", gpa);
}

void npt_conf_flush_before_free(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL + 7 * SZ_2M_ULL + 9 * SZ_4K_ULL, hpa = conf_hpa(cfg);
	void *va[NPT_MAX_LEVELS];
	struct npt_op_result res;
	int lvl;

	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, SZ_4K_ULL, 0), 0);
	for (lvl = 0; lvl < cfg->levels - 1; lvl++)
		va[lvl] = (void *)ALIGN_DOWN((unsigned long)npt_kt_ptep(t, g,
									lvl),
					     NPT_PAGE_SIZE);
	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, SZ_4K_ULL, 0, &res), 0);
	for (lvl = 0; lvl < cfg->levels - 1; lvl++)
		conf_expect_flushed_free(test, env, va[lvl], g, SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);

	/* Collapse frees the folded table after flushing the block. */
	KUNIT_ASSERT_EQ(test, conf_map(t, SZ_1G_ULL, hpa, SZ_2M_ULL,
				       NPT_OP_NO_BLOCKS), 0);
	va[0] = npt_kt_ptep(t, SZ_1G_ULL, 0);
	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_collapse(t, SZ_1G_ULL, SZ_2M_ULL, &res), 0);
	conf_expect_flushed_free(test, env, va[0], SZ_1G_ULL, SZ_2M_ULL);
}

/* Ranges merge while adjacent and degrade to "all" past the plan's size. */
void npt_conf_plan_overflow(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_2M_ULL, hpa = conf_hpa(cfg);
	struct npt_op_result res;
	unsigned int i;

	/* A guard page keeps the table: only the leaves are invalidated. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g + SZ_1M_ULL, hpa, SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, 16 * SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, 16 * SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_FALSE(test, res.plan.all);
	KUNIT_ASSERT_EQ(test, res.plan.nr, 1);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].gpa, g);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].size, 16 * SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, res.plan.range[0].lvl, 0);

	for (i = 0; i < NPT_PLAN_RANGES; i++)
		KUNIT_ASSERT_EQ(test, conf_map(t, g + 2 * i * SZ_4K_ULL, hpa,
					       SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, 64 * SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_FALSE(test, res.plan.all);
	KUNIT_EXPECT_EQ(test, res.plan.nr, NPT_PLAN_RANGES);
	for (i = 0; i <= NPT_PLAN_RANGES; i++)
		KUNIT_ASSERT_EQ(test, conf_map(t, g + 2 * i * SZ_4K_ULL, hpa,
					       SZ_4K_ULL, 0), 0);
	npt_kt_log_reset(env, NULL);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, 64 * SZ_4K_ULL, 0, &res), 0);
	KUNIT_EXPECT_TRUE(test, res.plan.all);
	KUNIT_EXPECT_EQ(test, res.plan.nr, 0);
	KUNIT_EXPECT_EQ(test, env->flushes, 1);
	KUNIT_EXPECT_TRUE(test, env->ev[0].plan.all);
}

/* A map at root index i writes word i of the (wide) root's memory. */
void npt_conf_root_index(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	int rl = cfg->levels - 1;
	u64 nr = BIT_ULL(cfg->ia_bits - npt_lvl_shift(rl));
	u64 idx[] = { 0, 1, 511, 512, 513, 1023, 1024, 1536, 2047, nr - 1 };
	u8 *root = npt_kt_va(t, npt_root_pa(t));
	unsigned int i, mapped = 0, nonzero = 0;
	u64 w;

	/* A narrow root fills part of one page, a wide one every page. */
	KUNIT_EXPECT_LE(test, nr, cfg->root_pages * NPT_PTRS);
	KUNIT_EXPECT_GT(test, nr, (cfg->root_pages - 1) * NPT_PTRS);
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		u64 gpa = (idx[i] << npt_lvl_shift(rl)) + 5 * SZ_4K_ULL;
		u64 *page = (u64 *)(root + (idx[i] / NPT_PTRS) * NPT_PAGE_SIZE);
		npt_pte_t *ptep;
		int ret;

		if (idx[i] >= nr)
			continue;
		ret = conf_map(t, gpa, conf_hpa(cfg), SZ_4K_ULL, 0);
		if (ret == -EEXIST)
			continue;
		KUNIT_ASSERT_EQ(test, ret, 0);
		mapped++;
		ptep = npt_kt_ptep(t, gpa, rl);
		KUNIT_EXPECT_PTR_EQ(test, (void *)ptep,
				    (void *)&page[idx[i] % NPT_PTRS]);
		KUNIT_EXPECT_TRUE(test, npt_pte_is_table(t, *ptep, rl));
		conf_expect_map(test, t, gpa, conf_hpa(cfg), 0, RWX, NPT_MT_WB);
	}
	for (w = 0; w < cfg->root_pages * NPT_PTRS; w++)
		nonzero += ((u64 *)root)[w] != 0;
	KUNIT_EXPECT_EQ(test, nonzero, mapped);
	conf_check(test, t, env);
}

void npt_conf_walk_gpa(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL + SZ_2M_ULL + 0x3000, hpa = conf_hpa(cfg);
	struct npt_translation tr;
	struct npt_walk_info wi;
	u32 k;

	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, g, &wi), 0);
	KUNIT_EXPECT_EQ(test, wi.levels, 1);
	KUNIT_EXPECT_EQ(test, wi.root_lvl, cfg->levels - 1);
	KUNIT_EXPECT_EQ(test, wi.pte[0], 0);

	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, SZ_4K_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, g, &wi), 0);
	KUNIT_ASSERT_EQ(test, wi.levels, cfg->levels);
	for (k = 0; k + 1 < wi.levels; k++) {
		int lvl = cfg->levels - 1 - k;
		npt_pte_t *next = npt_kt_ptep(t, g, lvl - 1);

		KUNIT_EXPECT_EQ(test, wi.pte[k], *npt_kt_ptep(t, g, lvl));
		KUNIT_EXPECT_TRUE(test, npt_pte_is_table(t, wi.pte[k], lvl));
		KUNIT_EXPECT_EQ(test, npt_pte_pa(t, wi.pte[k]),
				npt_kt_pa(t, next) & ~(NPT_PAGE_SIZE - 1));
		KUNIT_EXPECT_EQ(test, npt_validate(t, wi.pte[k], lvl),
				NPT_BAD_NONE);
	}
	KUNIT_ASSERT_EQ(test, npt_translate(t, g, &tr), 0);
	KUNIT_EXPECT_EQ(test, wi.pte[wi.levels - 1], tr.pte);
	KUNIT_EXPECT_EQ(test, npt_pte_pa(t, tr.pte), hpa);

	/* Under a 2 MiB block the walk stops one level up. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 4 * SZ_2M_ULL, hpa, SZ_2M_ULL, 0), 0);
	KUNIT_ASSERT_EQ(test, npt_walk_gpa(t, 4 * SZ_2M_ULL + 0x1234, &wi), 0);
	KUNIT_EXPECT_EQ(test, wi.levels, cfg->levels - 1);
}

/*
 * The full hint of a level-1 table entry: set by a map or a protect that
 * covered the level-0 table whole, cleared by an unmap that enters it,
 * trusted by the plan of a protect, which then does not look for holes.
 */
void npt_conf_full_hint(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL + SZ_2M_ULL, hpa = conf_hpa(cfg);
	struct npt_op_result res;
	struct npt_stats st;
	npt_pte_t *pde, *pte, saved;

	KUNIT_ASSERT_NE(test, t->tbl_full, 0);
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, SZ_2M_ULL - SZ_4K_ULL,
				       NPT_OP_NO_BLOCKS), 0);
	pde = npt_kt_ptep(t, g, 1);
	KUNIT_ASSERT_NOT_NULL(test, pde);
	KUNIT_EXPECT_FALSE(test, *pde & t->tbl_full);
	KUNIT_ASSERT_EQ(test, conf_map(t, g + SZ_2M_ULL - SZ_4K_ULL, hpa,
				       SZ_4K_ULL, 0), 0);
	KUNIT_EXPECT_FALSE(test, *pde & t->tbl_full);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g, SZ_2M_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_TRUE(test, *pde & t->tbl_full);
	KUNIT_EXPECT_TRUE(test, npt_pte_is_table(t, *pde, 1));
	conf_check(test, t, env);

	/* An unmap of one page clears it; a protect then finds the hole. */
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g + SZ_4K_ULL, SZ_4K_ULL, 0, &res),
			0);
	KUNIT_EXPECT_FALSE(test, *pde & t->tbl_full);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g, SZ_2M_ULL, RWX, NPT_MT_WB, 0,
					  &res), -ENOENT);
	KUNIT_EXPECT_FALSE(test, *pde & t->tbl_full);

	/* A map over the whole table sets it. */
	KUNIT_ASSERT_EQ(test, conf_map(t, g, hpa, SZ_2M_ULL,
				       NPT_OP_NO_BLOCKS | NPT_OP_REPLACE), 0);
	KUNIT_EXPECT_TRUE(test, *pde & t->tbl_full);
	conf_check(test, t, env);

	/* The plan trusts it: a hole it hides is not looked for. */
	pte = npt_kt_ptep(t, g + SZ_4K_ULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, pte);
	saved = *pte;
	WRITE_ONCE(*pte, 0);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g, SZ_2M_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), 0);
	WRITE_ONCE(*pde, *pde & ~t->tbl_full);
	KUNIT_EXPECT_EQ(test, npt_protect(t, g, SZ_2M_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), -ENOENT);
	WRITE_ONCE(*pte, saved);

	/* An unmap of the whole table unlinks it and frees its page. */
	KUNIT_ASSERT_EQ(test, npt_protect(t, g, SZ_2M_ULL, NPT_PROT_R,
					  NPT_MT_WB, 0, &res), 0);
	KUNIT_EXPECT_TRUE(test, *pde & t->tbl_full);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g, SZ_2M_ULL, 0, &res), 0);
	KUNIT_EXPECT_PTR_EQ(test, npt_kt_ptep(t, g, 0), NULL);
	npt_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.leaves[0], 0);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages);
	conf_check(test, t, env);
	npt_kt_destroy(test, t);
	KUNIT_EXPECT_EQ(test, env->live, 0);
}

/* Interruptible protect and unmap work chunk by chunk, to the end. */
void npt_conf_interruptible(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL - SZ_2M_ULL, size = 2 * SZ_1G_ULL + 2 * SZ_2M_ULL;
	u64 hpa = conf_hpa(cfg) + g;
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, hpa, size, RW, NPT_MT_WB, 0, &res),
			0);
	KUNIT_EXPECT_EQ(test, res.done, size);
	if (conf_top_leaf(cfg) >= 2) {
		KUNIT_EXPECT_EQ(test, t->st.leaves[2], 2);
		KUNIT_EXPECT_EQ(test, t->st.leaves[1], 2);
	} else {
		KUNIT_EXPECT_EQ(test, t->st.leaves[1], 2 + 2 * NPT_PTRS);
	}
	conf_expect_map(test, t, g + size - 1, hpa + size - 1, 1, RW,
			NPT_MT_WB);
	KUNIT_ASSERT_EQ(test, npt_protect(t, g, size, NPT_PROT_R, NPT_MT_WB,
					  NPT_OP_INTERRUPTIBLE, &res), 0);
	KUNIT_EXPECT_EQ(test, res.done, size);
	conf_expect_map(test, t, g + SZ_1G_ULL, hpa + SZ_1G_ULL,
			conf_top_leaf(cfg) >= 2 ? 2 : 1, NPT_PROT_R, NPT_MT_WB);
	KUNIT_ASSERT_EQ(test, npt_unmap(t, g + SZ_4K_ULL, size - SZ_4K_ULL,
					NPT_OP_INTERRUPTIBLE, &res), 0);
	KUNIT_EXPECT_EQ(test, res.done, size - SZ_4K_ULL);
	conf_expect_map(test, t, g, hpa, 0, NPT_PROT_R, NPT_MT_WB);
	KUNIT_EXPECT_EQ(test, env->live, cfg->root_pages + cfg->levels - 1);
	conf_check(test, t, env);
}

/* An interruptible map maps the same as a plain one, chunk after chunk. */
void npt_conf_interruptible_map(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	u64 g = SZ_1G_ULL - SZ_2M_ULL, size = 2 * SZ_1G_ULL + 2 * SZ_2M_ULL;
	u64 hpa = conf_hpa(cfg) + g;
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(t, g, hpa, size, RW, NPT_MT_WB,
				      NPT_OP_INTERRUPTIBLE, &res), 0);
	KUNIT_EXPECT_EQ(test, res.done, size);
	conf_expect_map(test, t, g, hpa, 1, RW, NPT_MT_WB);
	conf_expect_map(test, t, g + SZ_2M_ULL, hpa + SZ_2M_ULL,
			conf_top_leaf(cfg) >= 2 ? 2 : 1, RW, NPT_MT_WB);
	conf_expect_map(test, t, g + size - 1, hpa + size - 1, 1, RW,
			NPT_MT_WB);
}

/*
 * npt_op_result.done: "0 on other errors" than -EINTR, and a failed
 * operation leaves the table as it was - also with NPT_OP_INTERRUPTIBLE.
 */
void npt_conf_interruptible_error(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct npt_kt_env *env = npt_kt_env(test);
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_op_result res;
	struct npt_kt_snap *snap;

	/* The first GiB mapped, the second one with a hole at its end. */
	KUNIT_ASSERT_EQ(test, conf_map(t, 0, 0, 2 * SZ_1G_ULL - SZ_2M_ULL, 0),
			0);
	snap = npt_kt_snap(test, t, env);
	KUNIT_EXPECT_EQ(test, npt_protect(t, 0, 2 * SZ_1G_ULL, NPT_PROT_R,
					  NPT_MT_WB, NPT_OP_INTERRUPTIBLE,
					  &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.done, 0);
	KUNIT_EXPECT_TRUE(test, npt_kt_snap_same(t, env, snap));
}

/* ---- randomized sequences against a flat shadow model ---------------- */

#define RND_PAGES	2048	/* an 8 MiB window */
#define RND_STEPS	160

struct rnd_page {
	u64 hpa;
	u32 prot;
	u32 attr;
	bool present;
};

struct rnd_pa {
	u32 prot;
	u32 attr;
};

/* Encodable permissions and attributes of each format. */
static const struct rnd_pa rnd_ept[] = {
	{ NPT_PROT_R, NPT_MT_WB }, { RW, NPT_MT_WB }, { RWX, NPT_MT_WB },
	{ NPT_PROT_R | NPT_PROT_X, NPT_MT_WB }, { RW, NPT_MT_NC },
	{ RW, NPT_MT_DEVICE }, { NPT_PROT_R, NPT_MT_WT },
	{ RW, NPT_MT_WP | NPT_ATTR_IPAT },
};

static const struct rnd_pa rnd_s2[] = {
	{ NPT_PROT_R, NPT_MT_WB }, { RW, NPT_MT_WB }, { RWX, NPT_MT_WB },
	{ NPT_PROT_R | NPT_PROT_X, NPT_MT_WB }, { RW, NPT_MT_NC },
	{ RW, NPT_MT_DEVICE }, { NPT_PROT_W, NPT_MT_WB },
	{ NPT_PROT_X, NPT_MT_WB },
};

static const struct rnd_pa rnd_sv[] = {
	{ NPT_PROT_R, NPT_MT_WB }, { RW, NPT_MT_WB }, { RWX, NPT_MT_WB },
	{ NPT_PROT_R | NPT_PROT_X, NPT_MT_WB }, { NPT_PROT_X, NPT_MT_WB },
};

struct rnd {
	struct kunit *test;
	struct npt_table *t;
	struct npt_kt_env *env;
	struct rnd_state rs;
	const struct rnd_pa *pa;
	unsigned int nr_pa;
	u64 base;
	u64 hpa;
	struct rnd_page page[RND_PAGES];
};

static u32 rnd_u32(struct rnd *r, u32 n)
{
	return prandom_u32_state(&r->rs) % n;
}

/* A page-aligned range inside the window, often 2 MiB aligned. */
static void rnd_range(struct rnd *r, u32 *first, u32 *nr)
{
	if (rnd_u32(r, 3) == 0) {
		*first = rnd_u32(r, RND_PAGES / NPT_PTRS) * NPT_PTRS;
		*nr = NPT_PTRS * (1 + rnd_u32(r, 2));
	} else {
		*first = rnd_u32(r, RND_PAGES);
		*nr = 1 + rnd_u32(r, rnd_u32(r, 4) ? 16 : 1100);
	}
	*nr = min(*nr, RND_PAGES - *first);
}

static void rnd_check(struct rnd *r, unsigned int step)
{
	struct kunit *test = r->test;
	struct npt_translation tr;
	unsigned int i;

	for (i = 0; i < RND_PAGES; i++) {
		const struct rnd_page *p = &r->page[i];
		u64 gpa = r->base + i * SZ_4K_ULL;
		int ret = npt_translate(r->t, gpa + 0x10, &tr);

		if (!p->present) {
			KUNIT_ASSERT_EQ_MSG(test, ret, -ENOENT,
					    "step %u page %u", step, i);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "step %u page %u", step, i);
		KUNIT_ASSERT_EQ_MSG(test, tr.hpa, p->hpa + 0x10,
				    "step %u page %u", step, i);
		KUNIT_ASSERT_EQ_MSG(test, tr.prot, p->prot, "step %u page %u",
				    step, i);
		KUNIT_ASSERT_EQ_MSG(test, tr.attr, p->attr, "step %u page %u",
				    step, i);
	}
	conf_expect_hole(test, r->t, r->base - SZ_4K_ULL);
	conf_check(test, r->t, r->env);
}

static void rnd_step(struct rnd *r, unsigned int step)
{
	struct kunit *test = r->test;
	const struct rnd_pa *pa = &r->pa[rnd_u32(r, r->nr_pa)];
	u32 first, nr, i, kind = rnd_u32(r, 10), flags = 0;
	bool any = false, hole = false;
	struct npt_op_result res;
	u64 gpa, size, hpa;
	int ret, want = 0;

	rnd_range(r, &first, &nr);
	gpa = r->base + first * SZ_4K_ULL;
	size = nr * SZ_4K_ULL;
	for (i = first; i < first + nr; i++) {
		any |= r->page[i].present;
		hole |= !r->page[i].present;
	}
	npt_kt_log_reset(r->env, NULL);

	if (kind < 4) {
		/* Map, half the time with gpa and hpa alike modulo 2 MiB. */
		hpa = r->hpa + rnd_u32(r, 1024) * SZ_2M_ULL;
		hpa += rnd_u32(r, 2) ? gpa % SZ_2M_ULL :
				       rnd_u32(r, NPT_PTRS) * SZ_4K_ULL;
		if (kind == 3)
			flags |= NPT_OP_REPLACE;
		if (rnd_u32(r, 8) == 0)
			flags |= NPT_OP_NO_BLOCKS;
		if (any && !(flags & NPT_OP_REPLACE))
			want = -EEXIST;
		ret = npt_map(r->t, gpa, hpa, size, pa->prot, pa->attr, flags,
			      &res);
		for (i = 0; !want && i < nr; i++) {
			r->page[first + i].present = true;
			r->page[first + i].hpa = hpa + i * SZ_4K_ULL;
			r->page[first + i].prot = pa->prot;
			r->page[first + i].attr = pa->attr;
		}
	} else if (kind < 7) {
		ret = npt_unmap(r->t, gpa, size, 0, &res);
		for (i = first; i < first + nr; i++) {
			u64 pg = r->base + i * SZ_4K_ULL;
			bool cov = npt_kt_plan_covers(&res.plan, pg, SZ_4K_ULL);

			if (r->page[i].present)
				KUNIT_EXPECT_TRUE_MSG(test, cov, "step %u page %u",
						      step, i);
			r->page[i].present = false;
		}
	} else if (kind < 9) {
		if (rnd_u32(r, 2))
			flags |= NPT_OP_HOLES_OK;
		else if (hole)
			want = -ENOENT;
		ret = npt_protect(r->t, gpa, size, pa->prot, pa->attr, flags,
				  &res);
		for (i = first; !want && i < first + nr; i++) {
			r->page[i].prot = pa->prot;
			r->page[i].attr = pa->attr;
		}
	} else {
		ret = npt_collapse(r->t, gpa, size, &res);
	}
	KUNIT_ASSERT_EQ_MSG(test, ret, want, "step %u kind %u [%#llx, +%#llx)",
			    step, kind, gpa, size);
	KUNIT_EXPECT_EQ(test, res.done, want ? 0 : size);
	rnd_check(r, step);
}

void npt_conf_random(struct kunit *test)
{
	const struct npt_kt_cfg *cfg = conf_cfg(test);
	struct rnd *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int step;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->env = npt_kt_env(test);
	r->t = npt_kt_create(test, r->env, cfg, 0);
	prandom_seed_state(&r->rs, 0x6e7074ULL + cfg->format * 131 +
			   cfg->ia_bits);
	switch (cfg->format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		r->pa = rnd_ept;
		r->nr_pa = ARRAY_SIZE(rnd_ept);
		break;
	case NPT_FORMAT_ARM64_S2:
		r->pa = rnd_s2;
		r->nr_pa = ARRAY_SIZE(rnd_s2);
		break;
	default:
		r->pa = rnd_sv;
		r->nr_pa = ARRAY_SIZE(rnd_sv);
		break;
	}
	/* The window ends at the top of the width, across a root entry. */
	r->base = BIT_ULL(cfg->ia_bits) - RND_PAGES * SZ_4K_ULL;
	r->hpa = BIT_ULL(cfg->oa_bits) - 4 * SZ_1G_ULL;
	for (step = 0; step < RND_STEPS; step++)
		rnd_step(r, step);
	npt_kt_destroy(test, r->t);
	KUNIT_EXPECT_EQ(test, r->env->live, 0);
}
