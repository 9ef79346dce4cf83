// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt KUnit: random layouts for the hardware-walker suites.  A layout is a
 * table built with npt's own API whose mappings (4 KiB pages, 2 MiB and
 * 1 GiB or 512 GiB blocks, holes) all lead into two 2 MiB chunks of host
 * memory that the test owns and fills with a known pattern, so that the
 * hardware may read and write through any of them.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include "hw_kunit.h"

#define HW_REGION_LVL		2	/* regions are 1 GiB entries */
#define HW_MAX_MAPS		1024
#define HW_SLOTS_PER_REGION	6
#define HW_PAGES_PER_SLOT	16
#define HW_HOLES_PER_SLOT	4

/* What a never-written word of owned memory at @hpa holds. */
u64 hw_pattern(u64 hpa)
{
	return (hpa ^ 0x6e70745f68775f30ULL) * 0x9e3779b97f4a7c15ULL;
}

u32 hw_rand(struct hw_layout *l, u32 n)
{
	return prandom_u32_state(&l->rnd) % n;
}

static u64 hw_rand64(struct hw_layout *l)
{
	return ((u64)prandom_u32_state(&l->rnd) << 32) |
	       prandom_u32_state(&l->rnd);
}

static void hw_free_chunk(void *va)
{
	free_pages((unsigned long)va, HW_CHUNK_ORDER);
}

/**
 * hw_layout_init() - own the host memory of a layout and seed it
 * @l:		The layout; its table (@l->t) is set by the caller later.
 * @test:	The test; the memory is freed when it ends.
 * @seed:	Seed of the layout's random choices.
 *
 * Return: 0 or -ENOMEM.
 */
int hw_layout_init(struct hw_layout *l, struct kunit *test, u64 seed)
{
	unsigned long i;
	int c;

	memset(l, 0, sizeof(*l));
	l->test = test;
	l->big_lvl = HW_REGION_LVL;
	prandom_seed_state(&l->rnd, seed);
	l->max_maps = HW_MAX_MAPS;
	l->maps = kunit_kcalloc(test, l->max_maps, sizeof(*l->maps),
				GFP_KERNEL);
	if (!l->maps)
		return -ENOMEM;
	for (c = 0; c < HW_CHUNKS; c++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
						HW_CHUNK_ORDER);
		u64 *w;

		if (!page)
			return -ENOMEM;
		l->va[c] = page_address(page);
		l->pa[c] = page_to_phys(page);
		if (kunit_add_action_or_reset(test, hw_free_chunk, l->va[c]))
			return -ENOMEM;
		w = l->va[c];
		for (i = 0; i < HW_CHUNK_SIZE / sizeof(u64); i++)
			w[i] = hw_pattern(l->pa[c] + i * sizeof(u64));
	}
	return 0;
}

bool hw_owned(const struct hw_layout *l, u64 hpa, u64 len)
{
	int c;

	for (c = 0; c < HW_CHUNKS; c++)
		if (hpa >= l->pa[c] && hpa + len <= l->pa[c] + HW_CHUNK_SIZE)
			return true;
	return false;
}

void *hw_owned_va(const struct hw_layout *l, u64 hpa)
{
	int c;

	for (c = 0; c < HW_CHUNKS; c++)
		if (hpa >= l->pa[c] && hpa < l->pa[c] + HW_CHUNK_SIZE)
			return l->va[c] + (hpa - l->pa[c]);
	return NULL;
}

/* Words of owned memory that no longer hold their pattern. */
unsigned long hw_check_patterns(const struct hw_layout *l)
{
	unsigned long i, bad = 0;
	int c;

	for (c = 0; c < HW_CHUNKS; c++) {
		const u64 *w = l->va[c];

		for (i = 0; i < HW_CHUNK_SIZE / sizeof(u64); i++)
			if (w[i] != hw_pattern(l->pa[c] + i * sizeof(u64)))
				bad++;
	}
	return bad;
}

static bool hw_overlaps(const struct hw_layout *l, u64 gpa, u64 size)
{
	unsigned int i;

	for (i = 0; i < l->nr_maps; i++)
		if (gpa < l->maps[i].gpa + l->maps[i].size &&
		    l->maps[i].gpa < gpa + size)
			return true;
	return false;
}

static void hw_add(struct hw_layout *l, u64 gpa, u64 size, u64 hpa, u32 prot,
		   int chunk)
{
	struct hw_map *m;

	if (l->nr_maps == l->max_maps)
		return;
	m = &l->maps[l->nr_maps++];
	m->gpa = gpa;
	m->size = size;
	m->hpa = hpa;
	m->prot = prot;
	m->chunk = chunk;
}

static void hw_map(struct hw_layout *l, u64 gpa, u64 hpa, u64 size, int chunk)
{
	u32 prot = l->prots[hw_rand(l, l->nr_prots)];
	u32 flags = hw_rand(l, 4) ? 0 : l->map_flags;
	struct npt_op_result res;
	int ret;

	ret = npt_map(l->t, gpa, hpa, size, prot, NPT_MT_WB, flags, &res);
	KUNIT_EXPECT_EQ_MSG(l->test, ret, 0,
			    "map gpa %#llx hpa %#llx size %#llx prot %#x",
			    gpa, hpa, size, prot);
	if (!ret)
		hw_add(l, gpa, size, hpa, prot, chunk);
}

static u64 hw_owned_page(struct hw_layout *l)
{
	return l->pa[hw_rand(l, HW_CHUNKS)] +
	       ((u64)hw_rand(l, 1U << HW_CHUNK_ORDER) << PAGE_SHIFT);
}

/* One 2 MiB slot of a mixed region: pages and holes. */
static void hw_fill_slot(struct hw_layout *l, u64 slot)
{
	DECLARE_BITMAP(used, NPT_PTRS);
	unsigned int i, n = 0;

	bitmap_zero(used, NPT_PTRS);
	for (i = 0; i < HW_PAGES_PER_SLOT; i++) {
		unsigned int p = hw_rand(l, NPT_PTRS);

		if (__test_and_set_bit(p, used))
			continue;
		hw_map(l, slot + ((u64)p << PAGE_SHIFT), hw_owned_page(l),
		       PAGE_SIZE, -1);
	}
	while (n < HW_HOLES_PER_SLOT) {
		unsigned int p = hw_rand(l, NPT_PTRS);

		if (__test_and_set_bit(p, used))
			continue;
		hw_add(l, slot + ((u64)p << PAGE_SHIFT), PAGE_SIZE, 0, 0, -1);
		n++;
	}
}

static void hw_fill_region(struct hw_layout *l, u64 region)
{
	DECLARE_BITMAP(used, NPT_PTRS);
	u64 slot_size = npt_lvl_size(1);
	unsigned int i;

	bitmap_zero(used, NPT_PTRS);
	for (i = 0; i < HW_SLOTS_PER_REGION; i++) {
		unsigned int s = hw_rand(l, NPT_PTRS);
		u64 slot = region + s * slot_size;
		int c = hw_rand(l, HW_CHUNKS);

		if (__test_and_set_bit(s, used))
			continue;
		switch (hw_rand(l, 6)) {
		case 0:
		case 1:
			hw_map(l, slot, l->pa[c], slot_size, -1);
			break;
		case 5:
			hw_add(l, slot, slot_size, 0, 0, -1);
			break;
		default:
			hw_fill_slot(l, slot);
			break;
		}
	}
}

/**
 * hw_layout_build() - map random regions of the table
 * @l:		The layout, with its table, permissions and flags set.
 * @regions:	Regions to make: 1 GiB (or, up to @l->big_lvl, larger)
 *		blocks, and 1 GiB areas of 2 MiB blocks, 4 KiB pages and
 *		holes.
 */
void hw_layout_build(struct hw_layout *l, unsigned int regions)
{
	u64 ia = BIT_ULL(npt_ia_bits(l->t));
	unsigned int r, tries;

	for (r = 0; r < regions; r++) {
		int lvl = HW_REGION_LVL;
		bool block = !hw_rand(l, 4);
		u64 size, gpa;
		int c;

		if (block && l->big_lvl > lvl && !hw_rand(l, 2))
			lvl = l->big_lvl;
		size = npt_lvl_size(lvl);
		if (size >= ia)
			continue;
		for (tries = 0; tries < 64; tries++) {
			gpa = hw_rand64(l) & (ia - 1) & ~(size - 1) & ~l->avoid;
			if (!hw_overlaps(l, gpa, size))
				break;
		}
		if (tries == 64)
			continue;
		if (!block) {
			hw_fill_region(l, gpa);
			continue;
		}
		c = hw_rand(l, HW_CHUNKS);
		hw_map(l, gpa, l->pa[c] & ~(size - 1), size, c);
	}
}

/**
 * hw_pick() - a guest-physical address worth an access
 * @l:		The layout.
 * @align:	Alignment of the address (the access size).
 *
 * Mostly an address inside one of the layout's mappings or holes (inside
 * the owned chunk for a block larger than a chunk), sometimes any address
 * of the input range that does not lead outside the owned memory.
 *
 * Return: the address.
 */
u64 hw_pick(struct hw_layout *l, unsigned int align)
{
	u64 ia = BIT_ULL(npt_ia_bits(l->t));
	const struct hw_map *m;
	u64 gpa;
	int tries;

	if (!hw_rand(l, 10) || !l->nr_maps) {
		for (tries = 0; tries < 64; tries++) {
			struct npt_translation tr;

			gpa = hw_rand64(l) & (ia - 1) & ~l->avoid;
			gpa &= ~(u64)(align - 1);
			if (npt_translate(l->t, gpa, &tr) ||
			    hw_owned(l, tr.hpa, align))
				return gpa;
		}
	}
	m = &l->maps[hw_rand(l, l->nr_maps)];
	if (m->chunk >= 0)
		gpa = m->gpa + (l->pa[m->chunk] - m->hpa) +
		      (hw_rand64(l) & (HW_CHUNK_SIZE - 1));
	else
		gpa = m->gpa + (hw_rand64(l) & (m->size - 1));
	return gpa & ~(u64)(align - 1);
}

/**
 * hw_entry_ptr() - the entry at one level on the walk of an address
 * @t:		The table (not changed meanwhile).
 * @gpa:	The address.
 * @lvl:	The level wanted.
 *
 * Return: a pointer to the entry at @lvl, or NULL when the walk ends above
 * it.
 */
npt_pte_t *hw_entry_ptr(struct npt_table *t, u64 gpa, int lvl)
{
	npt_pte_t *table = t->root;
	int l;

	for (l = npt_root_lvl(t);; l--) {
		u64 idx = (gpa >> npt_lvl_shift(l)) &
			  (npt_lvl_entries(t, l) - 1);
		npt_pte_t pte = READ_ONCE(table[idx]);

		if (l == lvl)
			return &table[idx];
		if (!npt_pte_is_table(t, pte, l))
			return NULL;
		table = t->mm->phys_to_virt(t->mm_arg, npt_pte_pa(t, pte));
	}
}

/**
 * hw_leaf_ptr() - the entry where the walk of an address ends
 * @t:		The table (not changed meanwhile).
 * @gpa:	The address.
 * @lvl:	Set to the entry's level.
 *
 * Return: a pointer to the leaf, or to the first non-present entry, that
 * the walk of @gpa meets.
 */
npt_pte_t *hw_leaf_ptr(struct npt_table *t, u64 gpa, int *lvl)
{
	npt_pte_t *ptep;
	int l;

	for (l = npt_root_lvl(t); l > 0; l--) {
		ptep = hw_entry_ptr(t, gpa, l);
		if (!npt_pte_is_table(t, READ_ONCE(*ptep), l))
			break;
	}
	*lvl = l;
	return hw_entry_ptr(t, gpa, l);
}

/* Print the entries npt reads on the walk of @gpa. */
void hw_report_walk(struct kunit *test, struct npt_table *t, u64 gpa)
{
	struct npt_walk_info wi;
	u32 i;

	if (npt_walk_gpa(t, gpa, &wi)) {
		kunit_info(test, "  gpa %#llx is beyond the table's width\n",
			   gpa);
		return;
	}
	for (i = 0; i < wi.levels; i++)
		kunit_info(test, "  walk of %#llx: npt level %d entry %#llx\n",
			   gpa, wi.root_lvl - (int)i, wi.pte[i]);
}

/*
 * The flush test's starting point in @l's table: writable 4 KiB pages at
 * @base + 0x1000 (onto @p_old), + 0x2000 (@p_old + 0x4000) and + 0x4000
 * (@p_old), and a 2 MiB block at @base + 2 MiB onto @block_hpa; the cache
 * holds the pages a split of the block needs.
 */
void hw_flush_setup(struct hw_layout *l, u64 base, u64 p_old, u64 block_hpa)
{
	static const u32 rw = NPT_PROT_R | NPT_PROT_W;
	struct kunit *test = l->test;
	struct npt_op_result res;

	KUNIT_ASSERT_EQ(test, npt_map(l->t, base + 0x1000, p_old, PAGE_SIZE,
				      rw, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(l->t, base + 0x2000, p_old + 0x4000,
				      PAGE_SIZE, rw, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(l->t, base + 0x4000, p_old, PAGE_SIZE,
				      rw, NPT_MT_WB, 0, &res), 0);
	KUNIT_ASSERT_EQ(test, npt_map(l->t, base + npt_lvl_size(1), block_hpa,
				      npt_lvl_size(1), rw, NPT_MT_WB, 0,
				      &res), 0);
	/* The split must not allocate with interrupts off. */
	KUNIT_ASSERT_EQ(test, npt_topup(l->t, 4), 0);
}

/*
 * The changes the flush test makes after hw_flush_setup(): unmap the page
 * at @base + 0x1000, make @base + 0x2000 read-only, make a page of the
 * block read-only (splitting it), and replace @base + 0x4000 by @p_new.
 */
void hw_flush_change(struct hw_layout *l, u64 base, u64 p_new)
{
	struct npt_op_result res;

	npt_unmap(l->t, base + 0x1000, PAGE_SIZE, 0, &res);
	npt_protect(l->t, base + 0x2000, PAGE_SIZE, NPT_PROT_R, NPT_MT_WB, 0,
		    &res);
	npt_protect(l->t, base + npt_lvl_size(1) + 0x5000, PAGE_SIZE,
		    NPT_PROT_R, NPT_MT_WB, 0, &res);
	npt_map(l->t, base + 0x4000, p_new, PAGE_SIZE,
		NPT_PROT_R | NPT_PROT_W, NPT_MT_WB, NPT_OP_REPLACE, &res);
}
