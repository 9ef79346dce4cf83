/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt KUnit tests: the test host-memory provider with a live page counter
 * and allocation-failure injection, the recording flush callback, raw
 * table walks and snapshots, and the conformance cases that every format
 * suite runs for each of its configurations.
 */
#ifndef _NPT_KUNIT_H
#define _NPT_KUNIT_H

#include <kunit/test.h>
#include "../npt_priv.h"
#include "npt_ref.h"

#define SZ_4K_ULL	BIT_ULL(12)
#define SZ_1M_ULL	BIT_ULL(20)
#define SZ_2M_ULL	BIT_ULL(21)
#define SZ_1G_ULL	BIT_ULL(30)
#define SZ_512G_ULL	BIT_ULL(39)

/* Events kept per test; later ones are only counted. */
#define NPT_KT_EVENTS	64

enum npt_kt_ev_kind {
	NPT_KT_EV_FLUSH,
	NPT_KT_EV_FREE,
};

/*
 * One call of the provider's free or of the flush callback, with the value
 * the watched entry had at that moment.
 */
struct npt_kt_event {
	enum npt_kt_ev_kind kind;
	struct npt_flush_plan plan;
	void *va;
	npt_pte_t watched;
};

/*
 * The host-memory provider and flush recorder of one test.  @fail_at is
 * the value of @allocs whose allocation fails (0: none).  When npt splits
 * a lazy block, @split_bits are set in *@split_ptep (if not NULL) first;
 * at the next flush, @flush_bits in *@flush_ptep (once), as a CPU could
 * until the flush completes.
 */
struct npt_kt_env {
	struct kunit *test;
	u64 live;
	u64 allocs;
	u64 fail_at;
	u64 flushes;
	npt_pte_t *watch;
	npt_pte_t *split_ptep;
	npt_pte_t split_bits;
	npt_pte_t *flush_ptep;
	npt_pte_t flush_bits;
	unsigned int nr_ev;
	unsigned int lost_ev;
	struct npt_kt_event ev[NPT_KT_EVENTS];
	unsigned int nr_pa;
	phys_addr_t pa[NPT_KT_EVENTS];
};

/* One table configuration, with its geometry as the manuals give it. */
struct npt_kt_cfg {
	const char *desc;
	u32 format;
	u32 options;
	u32 ia_bits;
	u32 oa_bits;
	u32 levels;
	u32 root_pages;
	u32 leaf_lvls;
	u32 cfg_leaf_lvls;	/* npt_config.leaf_lvls: 0 for the format's */
};

/* A copy of every table page reachable from the root, and the counters. */
struct npt_kt_snap {
	unsigned int nr;
	void *va[64];
	void *copy[64];
	size_t len[64];
	struct npt_stats st;
	u64 live;
};

struct npt_kt_env *npt_kt_env(struct kunit *test);
bool npt_kt_handed_out(struct npt_kt_env *env, phys_addr_t pa);
struct npt_table *npt_kt_create(struct kunit *test, struct npt_kt_env *env,
				const struct npt_kt_cfg *cfg, u64 max_pages);
int npt_kt_try_create(struct npt_kt_env *env, const struct npt_kt_cfg *cfg,
		      u64 max_pages, u32 vmid, struct npt_table **out);
void npt_kt_destroy(struct kunit *test, struct npt_table *t);
void npt_kt_fail_nth(struct npt_kt_env *env, u64 n);
void npt_kt_log_reset(struct npt_kt_env *env, npt_pte_t *watch);

npt_pte_t *npt_kt_ptep(struct npt_table *t, u64 gpa, int lvl);
void *npt_kt_va(struct npt_table *t, phys_addr_t pa);
phys_addr_t npt_kt_pa(struct npt_table *t, void *va);
/* Entries npt_kt_count() found wrong, and the first of them. */
struct npt_kt_bad {
	unsigned long n;
	npt_pte_t pte;
	int lvl;
	const char *why;
};

unsigned long npt_kt_count(struct npt_table *t, u64 *leaves, u64 *tables,
			   struct npt_kt_bad *bad);
struct ref_fmt npt_kt_ref_fmt(const struct npt_table *t);
struct npt_kt_snap *npt_kt_snap(struct kunit *test, struct npt_table *t,
				struct npt_kt_env *env);
bool npt_kt_snap_same(struct npt_table *t, struct npt_kt_env *env,
		      const struct npt_kt_snap *s);
bool npt_kt_plan_covers(const struct npt_flush_plan *plan, u64 gpa, u64 size);

npt_pte_t npt_kt_leaf(struct kunit *test, struct npt_kt_env *env,
		      const struct npt_kt_cfg *cfg, u64 gpa, u64 hpa, u64 size,
		      u32 prot, u32 attr, u32 flags);

/* Conformance cases (conformance.c); the parameter is a npt_kt_cfg. */
void npt_conf_geometry(struct kunit *test);
void npt_conf_map_levels(struct kunit *test);
void npt_conf_translate_offset(struct kunit *test);
void npt_conf_translate_many(struct kunit *test);
void npt_conf_largest_fit(struct kunit *test);
void npt_conf_no_blocks(struct kunit *test);
void npt_conf_boundaries(struct kunit *test);
void npt_conf_range_errors(struct kunit *test);
void npt_conf_bad_args(struct kunit *test);
void npt_conf_leaf_combos(struct kunit *test);
void npt_conf_exist_replace(struct kunit *test);
void npt_conf_split_unmap(struct kunit *test);
void npt_conf_split_protect(struct kunit *test);
void npt_conf_collapse(struct kunit *test);
void npt_conf_collapse_refused(struct kunit *test);
void npt_conf_unmap_frees(struct kunit *test);
void npt_conf_protect_holes(struct kunit *test);
void npt_conf_enospc(struct kunit *test);
void npt_conf_fail_create(struct kunit *test);
void npt_conf_fail_map(struct kunit *test);
void npt_conf_fail_split(struct kunit *test);
void npt_conf_flush_before_free(struct kunit *test);
void npt_conf_plan_overflow(struct kunit *test);
void npt_conf_root_index(struct kunit *test);
void npt_conf_walk_gpa(struct kunit *test);
void npt_conf_full_hint(struct kunit *test);
void npt_conf_interruptible(struct kunit *test);
void npt_conf_random(struct kunit *test);
void npt_conf_interruptible_map(struct kunit *test);
void npt_conf_interruptible_error(struct kunit *test);

#endif /* _NPT_KUNIT_H */
