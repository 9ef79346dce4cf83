/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt user-space harness: the host seam of npt_priv.h and a host-memory
 * provider with a fake physical address space, allocation-failure
 * injection and page accounting.
 */
#ifndef _NPT_TEST_HOST_H
#define _NPT_TEST_HOST_H

#include "../../../npt_priv.h"

/*
 * A provider hands out pages from aligned_alloc() and gives each a fake
 * physical address: pa = base + slot * 4 KiB, where slot indexes @page.
 * So a table never sees its own pointers as physical addresses, and an
 * entry holding a stale or invented address is caught at phys_to_virt().
 * Freed slots wait in a FIFO quarantine before reuse.
 *
 * A linear provider (npt_test_mm_init_linear(), npt_test_mm_linear_ops)
 * takes its pages from one reserved arena instead, so that va - pa is the
 * same for every page; a free page is kept inaccessible (PROT_NONE), so
 * that a stale access faults as ASan would report it in the other mode.
 */
struct npt_test_mm {
	u64 base;		/* fake PA of slot 0, 64 KiB aligned */
	u64 limit;		/* slots the PA window can hold */
	void **page;		/* slot -> VA of that page, NULL if free */
	u8 *order;		/* slot -> order of the allocation it heads */
	u64 *born;		/* slot -> npt_test_allocs when allocated */
	u64 nr_slots;		/* slots used so far (bump) */
	u64 cap;		/* slots allocated in @page/@order */
	u64 *quar;		/* FIFO of free order-0 slots */
	u64 quar_head, quar_tail, quar_cap;
	/* VA page -> slot, open addressing */
	uintptr_t *hkey;
	u64 *hval;
	u64 hcap, hused;
	long live;		/* pages allocated and not freed */
	long peak;
	u64 allocs, frees;
	u64 errors;		/* misuse: bad free, unknown PA, lock held */
	char error[256];
	char *arena;		/* linear: page of slot n at arena + n * 4 KiB */
	void (*on_free)(struct npt_test_mm *mm, u64 pa, unsigned int order);
	/*
	 * Called as npt splits an allocation (a lazy block), before the
	 * table that replaces it is linked.
	 */
	void (*on_split)(struct npt_test_mm *mm, void *va, unsigned int order);
	void *priv;
};

void npt_test_mm_init(struct npt_test_mm *mm, u64 base, u64 limit);
void npt_test_mm_init_linear(struct npt_test_mm *mm, u64 base, u64 limit);
void npt_test_mm_fini(struct npt_test_mm *mm);
void *npt_test_pa_to_va(struct npt_test_mm *mm, u64 pa);
u64 npt_test_pa_born(struct npt_test_mm *mm, u64 pa);
bool npt_test_pa_is_page(struct npt_test_mm *mm, u64 pa);

extern const struct npt_mm_ops npt_test_mm_ops;
extern const struct npt_mm_ops npt_test_mm_linear_ops;

/*
 * Allocation-failure injection, over npt_host_zalloc() and every
 * provider: when npt_test_fail_nth is N > 0, the N-th allocation from
 * now fails (and N is reset to 0).  npt_test_allocs counts them all.
 */
extern long npt_test_fail_nth;
extern u64 npt_test_allocs;
extern long npt_test_host_live;		/* npt_host_zalloc() objects */

/*
 * npt_host_should_stop(): returns true from the npt_test_stop_at-th call
 * on (counting from 1; 0 never stops).
 */
extern long npt_test_stop_at;
extern u64 npt_test_stop_calls;
/* npt_host_resched() calls: one between two chunks of an operation. */
extern u64 npt_test_resched_calls;

/* npt_host_caps() returns npt_test_caps_ret and npt_test_caps. */
extern struct npt_host_caps npt_test_caps;
extern int npt_test_caps_ret;

extern unsigned long npt_test_warnings;
extern int npt_test_locks_held;
extern int npt_test_rcu_nesting;

/* Fast path for the benchmark: no checks, PA = base + slot. */
void npt_test_mm_set_fast(bool fast);

#endif /* _NPT_TEST_HOST_H */
