// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt KUnit tests: host-memory provider, recording flush, raw table walks
 * and snapshots shared by every suite.
 */

#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include "npt_kunit.h"

static struct npt_kt_event *npt_kt_event(struct npt_kt_env *env,
					 enum npt_kt_ev_kind kind)
{
	struct npt_kt_event *ev;

	if (env->nr_ev == NPT_KT_EVENTS) {
		env->lost_ev++;
		return NULL;
	}
	ev = &env->ev[env->nr_ev++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->watched = env->watch ? READ_ONCE(*env->watch) : 0;
	return ev;
}

static void *npt_kt_alloc(void *arg, unsigned int order)
{
	struct npt_kt_env *env = arg;
	struct page *page;

	if (++env->allocs == env->fail_at)
		return NULL;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return NULL;
	env->live += 1 << order;
	if (env->nr_pa < NPT_KT_EVENTS)
		env->pa[env->nr_pa++] = page_to_phys(page);
	return page_address(page);
}

/*
 * Whether @pa is the first page of an allocation the provider handed out
 * (among the first NPT_KT_EVENTS): a check of an entry's address field
 * that does not go through npt's own decoding.
 */
bool npt_kt_handed_out(struct npt_kt_env *env, phys_addr_t pa)
{
	unsigned int i;

	for (i = 0; i < env->nr_pa; i++)
		if (env->pa[i] == pa)
			return true;
	return false;
}

static void npt_kt_free(void *arg, void *va, unsigned int order)
{
	struct npt_kt_env *env = arg;
	struct npt_kt_event *ev = npt_kt_event(env, NPT_KT_EV_FREE);

	if (ev)
		ev->va = va;
	env->live -= 1 << order;
	free_pages((unsigned long)va, order);
}

static phys_addr_t npt_kt_virt_to_phys(void *arg, void *va)
{
	return virt_to_phys(va);
}

static void *npt_kt_phys_to_virt(void *arg, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

/*
 * The split of a lazy block, before npt links the table that replaces it:
 * set env->split_bits in *env->split_ptep there, as a CPU could.
 */
static void npt_kt_split(void *arg, void *va, unsigned int order)
{
	struct npt_kt_env *env = arg;

	if (env->split_ptep)
		WRITE_ONCE(*env->split_ptep,
			   READ_ONCE(*env->split_ptep) | env->split_bits);
	split_page(virt_to_page(va), order);
}

static const struct npt_mm_ops npt_kt_mm = {
	.alloc = npt_kt_alloc,
	.free = npt_kt_free,
	.virt_to_phys = npt_kt_virt_to_phys,
	.phys_to_virt = npt_kt_phys_to_virt,
	.split = npt_kt_split,
};

static void npt_kt_flush(void *arg, const struct npt_flush_plan *plan)
{
	struct npt_kt_env *env = arg;
	struct npt_kt_event *ev = npt_kt_event(env, NPT_KT_EV_FLUSH);

	env->flushes++;
	if (ev)
		ev->plan = *plan;
	if (env->flush_ptep) {
		WRITE_ONCE(*env->flush_ptep,
			   READ_ONCE(*env->flush_ptep) | env->flush_bits);
		env->flush_ptep = NULL;
	}
}

/* A fresh provider and recorder, freed with the test. */
struct npt_kt_env *npt_kt_env(struct kunit *test)
{
	struct npt_kt_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->test = test;
	return env;
}

/* Make the @n-th allocation from now fail (1: the next one). */
void npt_kt_fail_nth(struct npt_kt_env *env, u64 n)
{
	env->fail_at = n ? env->allocs + n : 0;
}

/* Forget recorded events; record the value of @watch at each event. */
void npt_kt_log_reset(struct npt_kt_env *env, npt_pte_t *watch)
{
	env->nr_ev = 0;
	env->lost_ev = 0;
	env->flushes = 0;
	env->watch = watch;
}

int npt_kt_try_create(struct npt_kt_env *env, const struct npt_kt_cfg *cfg,
		      u64 max_pages, u32 vmid, struct npt_table **out)
{
	struct npt_config c;

	/* Poisoned first: every field must be set below. */
	memset(&c, 0xff, sizeof(c));
	c.format = cfg->format;
	c.options = cfg->options;
	c.ia_bits = cfg->ia_bits;
	c.oa_bits = cfg->oa_bits;
	c.max_pages = max_pages;
	c.vmid = vmid;
	c.leaf_lvls = cfg->cfg_leaf_lvls;
	c.mm = &npt_kt_mm;
	c.mm_arg = env;
	c.flush = npt_kt_flush;
	c.flush_arg = env;
	c.flags = 0;
	return npt_table_create(&c, out);
}

KUNIT_DEFINE_ACTION_WRAPPER(npt_kt_destroy_action, npt_table_destroy,
			    struct npt_table *);

/* A table of @cfg, destroyed with the test unless npt_kt_destroy()ed. */
struct npt_table *npt_kt_create(struct kunit *test, struct npt_kt_env *env,
				const struct npt_kt_cfg *cfg, u64 max_pages)
{
	struct npt_table *t;
	int ret;

	ret = npt_kt_try_create(env, cfg, max_pages, 0, &t);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "create %s", cfg->desc);
	ret = kunit_add_action_or_reset(test, npt_kt_destroy_action, t);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return t;
}

void npt_kt_destroy(struct kunit *test, struct npt_table *t)
{
	kunit_release_action(test, npt_kt_destroy_action, t);
}

void *npt_kt_va(struct npt_table *t, phys_addr_t pa)
{
	return t->mm->phys_to_virt(t->mm_arg, pa);
}

phys_addr_t npt_kt_pa(struct npt_table *t, void *va)
{
	return t->mm->virt_to_phys(t->mm_arg, va);
}

/* The entry at @lvl on the walk of @gpa, read from the table's memory. */
npt_pte_t *npt_kt_ptep(struct npt_table *t, u64 gpa, int lvl)
{
	npt_pte_t *table = t->root;
	int l;

	for (l = npt_root_lvl(t); l >= 0; l--) {
		u64 idx = (gpa >> npt_lvl_shift(l)) &
			  (npt_lvl_entries(t, l) - 1);

		if (l == lvl)
			return &table[idx];
		if (!npt_pte_is_table(t, table[idx], l))
			return NULL;
		table = npt_kt_va(t, npt_pte_pa(t, table[idx]));
	}
	return NULL;
}

struct npt_kt_raw {
	u64 *leaves;
	u64 *tables;
	struct npt_kt_bad *bad;
	unsigned long present;
	struct npt_kt_snap *snap;
};

static void npt_kt_bad_add(struct npt_kt_bad *bad, npt_pte_t pte, int lvl,
			   const char *why)
{
	if (!bad->n++) {
		bad->pte = pte;
		bad->lvl = lvl;
		bad->why = why;
	}
}

/* What the reading of the manuals (npt_ref.c) needs to know of @t. */
struct ref_fmt npt_kt_ref_fmt(const struct npt_table *t)
{
	return (struct ref_fmt){
		.format = t->format,
		.options = t->options,
		.oa_bits = t->oa_bits,
		.levels = t->levels,
	};
}

/*
 * Why the independent reading of the formats (npt_ref.c) disagrees with
 * the present entry @pte at @lvl, or NULL: it must find nothing wrong,
 * the same kind of entry, the same address and, for a leaf, a level that
 * may hold one and the permissions and attributes npt decodes.
 */
static const char *npt_kt_ref_check(struct npt_table *t, npt_pte_t pte,
				    int lvl)
{
	const struct ref_fmt f = npt_kt_ref_fmt(t);
	struct ref_entry re;
	u32 prot, attr;

	ref_decode(&f, pte, lvl, &re);
	if (!re.present)
		return "ref: not present";
	if (re.bad)
		return re.bad;
	if (re.table != npt_pte_is_table(t, pte, lvl))
		return "ref: table and leaf mixed up";
	if (re.pa != npt_pte_pa(t, pte))
		return "ref: another address";
	if (re.table)
		return NULL;
	if (!(ref_leaf_lvls(&f) & BIT(lvl)))
		return "ref: a leaf at a level without leaves";
	t->fmt->decode(t, pte, lvl, &prot, &attr);
	if (re.prot != prot || re.attr != attr)
		return "ref: other permissions or attributes";
	return NULL;
}

static void npt_kt_raw_table(struct npt_table *t, npt_pte_t *table, int lvl,
			     size_t len, struct npt_kt_raw *r)
{
	u64 i, nr = npt_lvl_entries(t, lvl);
	struct npt_kt_snap *s = r->snap;

	if (r->tables)
		r->tables[lvl] += len / NPT_PAGE_SIZE;
	if (s && s->nr < ARRAY_SIZE(s->va)) {
		s->va[s->nr] = table;
		s->len[s->nr] = len;
		s->copy[s->nr] = kmemdup(table, len, GFP_KERNEL);
		s->nr++;
	}
	for (i = 0; i < nr; i++) {
		npt_pte_t pte = READ_ONCE(table[i]);

		if (!npt_pte_present(t, pte))
			continue;
		r->present++;
		if (r->bad) {
			const char *why = npt_kt_ref_check(t, pte, lvl);

			if (npt_validate(t, pte, lvl) != NPT_BAD_NONE)
				why = "npt_validate()";
			if (why)
				npt_kt_bad_add(r->bad, pte, lvl, why);
		}
		if (npt_pte_is_table(t, pte, lvl)) {
			unsigned long below = r->present;

			npt_kt_raw_table(t, npt_kt_va(t, npt_pte_pa(t, pte)),
					 lvl - 1, NPT_PAGE_SIZE, r);
			/* A full hint: only at level 1, over 512 leaves. */
			if (r->bad && (pte & t->tbl_full) &&
			    (lvl != 1 || r->present - below != NPT_PTRS))
				npt_kt_bad_add(r->bad, pte, lvl, "full hint");
		} else if (r->leaves) {
			r->leaves[lvl]++;
		}
	}
}

static void npt_kt_raw(struct npt_table *t, struct npt_kt_raw *r)
{
	npt_kt_raw_table(t, t->root, npt_root_lvl(t),
			 NPT_PAGE_SIZE << t->root_order, r);
}

/*
 * Count what the table's memory holds: leaves and table pages per level
 * (arrays of NPT_MAX_LEVELS, may be NULL), and present entries that
 * npt_validate() refuses, that the reading of the manuals (npt_ref.c)
 * disagrees with, or whose full hint (@t->tbl_full) does not hold.
 * Return: present entries.
 */
unsigned long npt_kt_count(struct npt_table *t, u64 *leaves, u64 *tables,
			   struct npt_kt_bad *bad)
{
	struct npt_kt_raw r = {
		.leaves = leaves,
		.tables = tables,
		.bad = bad,
	};

	if (leaves)
		memset(leaves, 0, NPT_MAX_LEVELS * sizeof(*leaves));
	if (tables)
		memset(tables, 0, NPT_MAX_LEVELS * sizeof(*tables));
	if (bad)
		memset(bad, 0, sizeof(*bad));
	npt_kt_raw(t, &r);
	return r.present;
}

static void npt_kt_snap_free(void *data)
{
	struct npt_kt_snap *s = data;
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		kfree(s->copy[i]);
}

/* Copy every page reachable from the root, the counters and live pages. */
struct npt_kt_snap *npt_kt_snap(struct kunit *test, struct npt_table *t,
				struct npt_kt_env *env)
{
	struct npt_kt_snap *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct npt_kt_raw r = { .snap = s };
	unsigned int i;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, s);
	npt_kt_raw(t, &r);
	ret = kunit_add_action_or_reset(test, npt_kt_snap_free, s);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_LT(test, s->nr, ARRAY_SIZE(s->va));
	for (i = 0; i < s->nr; i++)
		KUNIT_ASSERT_NOT_NULL(test, s->copy[i]);
	npt_get_stats(t, &s->st);
	s->live = env->live;
	return s;
}

/* Whether the table is bit for bit what npt_kt_snap() saw. */
bool npt_kt_snap_same(struct npt_table *t, struct npt_kt_env *env,
		      const struct npt_kt_snap *s)
{
	struct npt_kt_snap *now;
	struct npt_stats st;
	struct npt_kt_raw r;
	unsigned int i;
	bool same;

	now = kzalloc(sizeof(*now), GFP_KERNEL);
	if (!now)
		return false;
	r = (struct npt_kt_raw){ .snap = now };
	npt_kt_raw(t, &r);
	npt_get_stats(t, &st);
	same = now->nr == s->nr && env->live == s->live &&
	       !memcmp(&st, &s->st, sizeof(st));
	for (i = 0; same && i < s->nr; i++)
		same = now->va[i] == s->va[i] && now->len[i] == s->len[i] &&
		       now->copy[i] && !memcmp(now->copy[i], s->copy[i],
					       s->len[i]);
	npt_kt_snap_free(now);
	kfree(now);
	return same;
}

/* Whether @plan invalidates all of [gpa, gpa + size). */
bool npt_kt_plan_covers(const struct npt_flush_plan *plan, u64 gpa, u64 size)
{
	u32 i;

	if (plan->all)
		return true;
	for (i = 0; i < plan->nr; i++)
		if (plan->range[i].gpa <= gpa &&
		    gpa + size <= plan->range[i].gpa + plan->range[i].size)
			return true;
	return false;
}

/*
 * Map one range into a new table of @cfg and return the raw leaf that
 * maps @gpa, read from the table's memory.
 */
npt_pte_t npt_kt_leaf(struct kunit *test, struct npt_kt_env *env,
		      const struct npt_kt_cfg *cfg, u64 gpa, u64 hpa, u64 size,
		      u32 prot, u32 attr, u32 flags)
{
	struct npt_table *t = npt_kt_create(test, env, cfg, 0);
	struct npt_translation tr;
	struct npt_op_result res;
	npt_pte_t *ptep;
	int ret;

	ret = npt_map(t, gpa, hpa, size, prot, attr, flags, &res);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "map prot %#x attr %#x", prot, attr);
	KUNIT_ASSERT_EQ(test, npt_translate(t, gpa, &tr), 0);
	ptep = npt_kt_ptep(t, gpa, tr.lvl);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_EXPECT_EQ(test, tr.pte, *ptep);
	return *ptep;
}

MODULE_DESCRIPTION("KUnit tests for npt: walker and EPT, stage-2 and G-stage formats");
MODULE_LICENSE("GPL");
