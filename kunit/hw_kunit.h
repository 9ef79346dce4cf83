/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt KUnit: what the hardware-walker suites (npt_hw_riscv, npt_hw_arm64)
 * share - host pages the test owns and random layouts of mappings onto them.
 */
#ifndef _NPT_HW_KUNIT_H
#define _NPT_HW_KUNIT_H

#include <kunit/test.h>
#include <linux/prandom.h>
#include "../npt_priv.h"

/* Owned host memory: two naturally aligned 2 MiB chunks. */
#define HW_CHUNKS		2
#define HW_CHUNK_ORDER		9
#define HW_CHUNK_SIZE		(PAGE_SIZE << HW_CHUNK_ORDER)

/* Accesses each table must get checked by the hardware walker. */
#define HW_MIN_ACCESSES		5000

/**
 * struct hw_map - one mapping (or hole) of a layout
 * @gpa:	First guest-physical address.
 * @size:	Bytes.
 * @hpa:	Host-physical address of @gpa (0 for a hole).
 * @prot:	NPT_PROT_* it was mapped with (0 for a hole).
 * @chunk:	Owned chunk that accesses through a block larger than a
 *		chunk are aimed at; -1 otherwise.
 */
struct hw_map {
	u64 gpa;
	u64 size;
	u64 hpa;
	u32 prot;
	int chunk;
};

/**
 * struct hw_layout - a table under test and what the test mapped in it
 * @test:	The test.
 * @t:		The table, built with npt's API.
 * @va:		Kernel address of each owned chunk.
 * @pa:		Physical address of each owned chunk.
 * @rnd:	Random state (seeded, so a run can be repeated).
 * @maps:	Mappings and holes made.
 * @nr_maps:	Entries used in @maps.
 * @max_maps:	Entries allocated in @maps.
 * @prots:	Permissions to draw from.
 * @nr_prots:	Entries in @prots.
 * @map_flags:	NPT_OP_* flags to draw from for each mapping (0 always
 *		included).
 * @avoid:	GPA bits no random mapping may have set.
 * @big_lvl:	Largest npt level used for blocks (2: 1 GiB, 3: 512 GiB).
 */
struct hw_layout {
	struct kunit *test;
	struct npt_table *t;
	void *va[HW_CHUNKS];
	phys_addr_t pa[HW_CHUNKS];
	struct rnd_state rnd;
	struct hw_map *maps;
	unsigned int nr_maps;
	unsigned int max_maps;
	const u32 *prots;
	unsigned int nr_prots;
	u32 map_flags;
	u64 avoid;
	int big_lvl;
};

int hw_layout_init(struct hw_layout *l, struct kunit *test, u64 seed);
void hw_layout_build(struct hw_layout *l, unsigned int regions);
u64 hw_pick(struct hw_layout *l, unsigned int align);
bool hw_owned(const struct hw_layout *l, u64 hpa, u64 len);
void *hw_owned_va(const struct hw_layout *l, u64 hpa);
u64 hw_pattern(u64 hpa);
unsigned long hw_check_patterns(const struct hw_layout *l);
u32 hw_rand(struct hw_layout *l, u32 n);
void hw_report_walk(struct kunit *test, struct npt_table *t, u64 gpa);
npt_pte_t *hw_entry_ptr(struct npt_table *t, u64 gpa, int lvl);
void hw_flush_setup(struct hw_layout *l, u64 base, u64 p_old, u64 block_hpa);
void hw_flush_change(struct hw_layout *l, u64 base, u64 p_new);
npt_pte_t *hw_leaf_ptr(struct npt_table *t, u64 gpa, int *lvl);

#endif /* _NPT_HW_KUNIT_H */
