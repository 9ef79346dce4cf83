// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the host seam (npt_host_zalloc / npt_host_free /
 * npt_host_should_stop) and the fake-physical-memory provider.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "host.h"

long npt_test_fail_nth;
u64 npt_test_allocs;
long npt_test_host_live;
long npt_test_stop_at;
u64 npt_test_stop_calls;
u64 npt_test_resched_calls;
unsigned long npt_test_warnings;
int npt_test_locks_held;
void (*npt_test_lock_hook)(void);
void (*npt_test_xchg_hook)(void *ptr);
int npt_test_rcu_nesting;
static bool npt_test_fast;

#define QUARANTINE	256

void npt_test_warn(const char *file, int line, const char *cond)
{
	npt_test_warnings++;
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
}

static bool npt_test_fail_now(void)
{
	npt_test_allocs++;
	if (npt_test_fail_nth > 0 && --npt_test_fail_nth == 0)
		return true;
	return false;
}

void *npt_host_zalloc(size_t size)
{
	void *p;

	if (npt_test_locks_held)
		npt_test_warn(__FILE__, __LINE__, "allocation under a lock");
	if (npt_test_fail_now())
		return NULL;
	p = calloc(1, size);
	if (p)
		npt_test_host_live++;
	return p;
}

void npt_host_free(void *p)
{
	if (p)
		npt_test_host_live--;
	free(p);
}

bool npt_host_should_stop(void)
{
	npt_test_stop_calls++;
	return npt_test_stop_at && (long)npt_test_stop_calls >= npt_test_stop_at;
}

void npt_host_resched(void)
{
	npt_test_resched_calls++;
}

/* Nothing reads tables concurrently here: free at once. */
void npt_host_free_table(struct npt_table *t, void *va)
{
	t->mm->free(t->mm_arg, va, 0);
}

void npt_host_quiesce(struct npt_table *t)
{
	if (npt_test_rcu_nesting)
		npt_test_warn(__FILE__, __LINE__, "quiesce in an RCU section");
}

/* What npt_host_caps() reports; the default is a host without a walker. */
struct npt_host_caps npt_test_caps;
int npt_test_caps_ret = -EOPNOTSUPP;

int npt_host_caps(struct npt_host_caps *caps)
{
	*caps = npt_test_caps;
	return npt_test_caps_ret;
}

u64 npt_live_pages(void)
{
	return 0;
}

void npt_test_mm_set_fast(bool fast)
{
	npt_test_fast = fast;
}

static void mm_error(struct npt_test_mm *mm, const char *what, u64 v)
{
	mm->errors++;
	if (mm->errors == 1)
		snprintf(mm->error, sizeof(mm->error), "%s %#llx", what,
			 (unsigned long long)v);
	fprintf(stderr, "provider misuse: %s %#llx\n", what,
		(unsigned long long)v);
}

static u64 hslot(struct npt_test_mm *mm, uintptr_t key)
{
	return (key * 0x9e3779b97f4a7c15ULL >> 20) & (mm->hcap - 1);
}

static void hput(struct npt_test_mm *mm, uintptr_t key, u64 val);

static void hgrow(struct npt_test_mm *mm)
{
	uintptr_t *okey = mm->hkey;
	u64 *oval = mm->hval, ocap = mm->hcap, i;

	mm->hcap = ocap ? ocap * 2 : 1024;
	mm->hkey = calloc(mm->hcap, sizeof(*mm->hkey));
	mm->hval = calloc(mm->hcap, sizeof(*mm->hval));
	if (!mm->hkey || !mm->hval)
		abort();
	mm->hused = 0;
	for (i = 0; i < ocap; i++)
		if (okey[i] && okey[i] != 1)
			hput(mm, okey[i], oval[i]);
	free(okey);
	free(oval);
}

/* Keys are page numbers + 2, so 0 is empty and 1 a tombstone. */
static void hput(struct npt_test_mm *mm, uintptr_t key, u64 val)
{
	u64 i;

	if ((mm->hused + 1) * 2 > mm->hcap)
		hgrow(mm);
	for (i = hslot(mm, key);; i = (i + 1) & (mm->hcap - 1)) {
		if (!mm->hkey[i] || mm->hkey[i] == 1) {
			mm->hkey[i] = key;
			mm->hval[i] = val;
			mm->hused++;
			return;
		}
	}
}

static long hfind(struct npt_test_mm *mm, uintptr_t key)
{
	u64 i;

	if (!mm->hcap)
		return -1;
	for (i = hslot(mm, key); mm->hkey[i]; i = (i + 1) & (mm->hcap - 1))
		if (mm->hkey[i] == key)
			return i;
	return -1;
}

void npt_test_mm_init(struct npt_test_mm *mm, u64 base, u64 limit)
{
	memset(mm, 0, sizeof(*mm));
	mm->base = base;
	mm->limit = limit;
}

/*
 * The benchmark's fast mode maps one arena in at once and keeps it for
 * every table after, as the kernel's direct map is mapped (in huge pages)
 * before any table is: its page allocations do not fault, and each run
 * works on memory in the same state.
 */
static void *fast_arena;
static u64 fast_limit;

void npt_test_mm_init_linear(struct npt_test_mm *mm, u64 base, u64 limit)
{
	npt_test_mm_init(mm, base, limit);
	if (npt_test_fast && fast_arena && fast_limit == limit) {
		mm->arena = fast_arena;
		return;
	}
	mm->arena = mmap(NULL, limit * 4096,
			 npt_test_fast ? PROT_READ | PROT_WRITE : PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mm->arena == MAP_FAILED)
		abort();
	if (npt_test_fast) {
		madvise(mm->arena, limit * 4096, MADV_HUGEPAGE);
		madvise(mm->arena, limit * 4096, MADV_POPULATE_WRITE);
		if (!fast_arena) {
			fast_arena = mm->arena;
			fast_limit = limit;
		}
	}
}

void npt_test_mm_fini(struct npt_test_mm *mm)
{
	u64 i;

	if (mm->arena && mm->arena != fast_arena)
		munmap(mm->arena, mm->limit * 4096);
	for (i = 0; !mm->arena && i < mm->nr_slots; i++)
		if (mm->page[i] && mm->order[i] != 0xff)
			free(mm->page[i]);
	free(mm->page);
	free(mm->order);
	free(mm->born);
	free(mm->quar);
	free(mm->hkey);
	free(mm->hval);
	memset(mm, 0, sizeof(*mm));
}

static void mm_reserve(struct npt_test_mm *mm, u64 slots)
{
	u64 cap = mm->cap;

	if (slots <= cap)
		return;
	while (cap < slots)
		cap = cap ? cap * 2 : 4096;
	mm->page = realloc(mm->page, cap * sizeof(*mm->page));
	mm->order = realloc(mm->order, cap * sizeof(*mm->order));
	mm->born = realloc(mm->born, cap * sizeof(*mm->born));
	if (!mm->page || !mm->order || !mm->born)
		abort();
	memset(mm->page + mm->cap, 0, (cap - mm->cap) * sizeof(*mm->page));
	memset(mm->order + mm->cap, 0xff, cap - mm->cap);
	mm->cap = cap;
}

static void *mm_alloc(void *arg, unsigned int order)
{
	struct npt_test_mm *mm = arg;
	u64 n = 1ULL << order, slot, i;
	void *va;

	if (!npt_test_fast && npt_test_locks_held)
		mm_error(mm, "alloc with a lock held, order", order);
	if (npt_test_fail_now())
		return NULL;
	if (order > 4 && order != NPT_BLOCK_ORDER) {
		mm_error(mm, "alloc of an order npt does not use:", order);
		return NULL;
	}
	if (!order && mm->quar_tail - mm->quar_head > QUARANTINE) {
		slot = mm->quar[mm->quar_head++ % mm->quar_cap];
	} else {
		/* Aligned to its size in fake physical memory. */
		slot = ((mm->base >> 12) + mm->nr_slots + n - 1) & ~(n - 1);
		slot -= mm->base >> 12;
		if (slot + n > mm->limit)
			return NULL;
		mm_reserve(mm, slot + n);
		mm->nr_slots = slot + n;
	}
	if (mm->arena) {
		va = mm->arena + slot * 4096;
		if (!npt_test_fast &&
		    mprotect(va, 4096 * n, PROT_READ | PROT_WRITE))
			abort();
	} else {
		va = aligned_alloc(4096 * n, 4096 * n);
		if (!va)
			return NULL;
	}
	memset(va, 0, 4096 * n);
	for (i = 0; i < n; i++) {
		mm->page[slot + i] = (char *)va + 4096 * i;
		mm->order[slot + i] = i ? 0xfe : order;
		mm->born[slot + i] = npt_test_allocs;
	}
	hput(mm, ((uintptr_t)va >> 12) + 2, slot);
	mm->live += n;
	if (mm->live > mm->peak)
		mm->peak = mm->live;
	mm->allocs++;
	return va;
}

static void mm_free(void *arg, void *va, unsigned int order)
{
	struct npt_test_mm *mm = arg;
	long h = hfind(mm, ((uintptr_t)va >> 12) + 2);
	u64 slot, i, n = 1ULL << order;

	if (h < 0 || (uintptr_t)va & 4095) {
		mm_error(mm, "free of an unknown page", (uintptr_t)va);
		return;
	}
	slot = mm->hval[h];
	if (mm->order[slot] != order) {
		mm_error(mm, "free with the wrong order", order);
		return;
	}
	if (mm->on_free)
		mm->on_free(mm, mm->base + slot * 4096, order);
	mm->hkey[h] = 1;
	mm->hused--;
	for (i = 0; i < n; i++) {
		mm->page[slot + i] = NULL;
		mm->order[slot + i] = 0xff;
	}
	if (!mm->arena)
		free(va);
	else if (!npt_test_fast && mprotect(va, 4096 * n, PROT_NONE))
		abort();
	mm->live -= n;
	mm->frees++;
	if (!order) {
		if (mm->quar_tail - mm->quar_head == mm->quar_cap) {
			u64 cap = mm->quar_cap ? mm->quar_cap * 2 : 1024;
			u64 *q = malloc(cap * sizeof(*q)), j, k = 0;

			if (!q)
				abort();
			for (j = mm->quar_head; j < mm->quar_tail; j++)
				q[k++] = mm->quar[j % mm->quar_cap];
			free(mm->quar);
			mm->quar = q;
			mm->quar_cap = cap;
			mm->quar_head = 0;
			mm->quar_tail = k;
		}
		mm->quar[mm->quar_tail++ % mm->quar_cap] = slot;
	}
}

/* Make each page of an allocation a page of its own. */
static void mm_split(void *arg, void *va, unsigned int order)
{
	struct npt_test_mm *mm = arg;
	long h = hfind(mm, ((uintptr_t)va >> 12) + 2);
	u64 slot, i, n = 1ULL << order;

	if (h < 0 || mm->order[mm->hval[h]] != order) {
		mm_error(mm, "split of an unknown allocation", (uintptr_t)va);
		return;
	}
	slot = mm->hval[h];
	if (mm->on_split)
		mm->on_split(mm, va, order);
	if (!mm->arena) {
		/*
		 * aligned_alloc() memory is freed whole: each page moves to
		 * its own allocation, at the same fake physical address, so
		 * that a stale pointer into the old one is caught.
		 */
		mm->hkey[h] = 1;
		mm->hused--;
		for (i = 0; i < n; i++) {
			void *p = aligned_alloc(4096, 4096);

			if (!p)
				abort();
			memcpy(p, mm->page[slot + i], 4096);
			mm->page[slot + i] = p;
		}
		free(va);
	}
	for (i = 0; i < n; i++) {
		mm->order[slot + i] = 0;
		if (i || !mm->arena)
			hput(mm, ((uintptr_t)mm->page[slot + i] >> 12) + 2,
			     slot + i);
	}
}

static phys_addr_t mm_virt_to_phys(void *arg, void *va)
{
	struct npt_test_mm *mm = arg;
	long h;

	if (npt_test_fast) {
		h = hfind(mm, ((uintptr_t)va >> 12) + 2);
		return mm->base + mm->hval[h] * 4096;
	}
	h = hfind(mm, ((uintptr_t)va >> 12) + 2);
	if (h < 0 || (uintptr_t)va & 4095) {
		mm_error(mm, "virt_to_phys of an unknown page", (uintptr_t)va);
		return 0;
	}
	return mm->base + mm->hval[h] * 4096;
}

void *npt_test_pa_to_va(struct npt_test_mm *mm, u64 pa)
{
	u64 slot = (pa - mm->base) >> 12;

	if (pa < mm->base || slot >= mm->nr_slots || !mm->page[slot])
		return NULL;
	return (char *)mm->page[slot] + (pa & 4095);
}

u64 npt_test_pa_born(struct npt_test_mm *mm, u64 pa)
{
	return mm->born[(pa - mm->base) >> 12];
}

bool npt_test_pa_is_page(struct npt_test_mm *mm, u64 pa)
{
	return !(pa & 4095) && npt_test_pa_to_va(mm, pa);
}

static void *mm_phys_to_virt(void *arg, phys_addr_t pa)
{
	struct npt_test_mm *mm = arg;
	void *va;

	if (npt_test_fast)
		return mm->page[(pa - mm->base) >> 12];
	va = npt_test_pa_to_va(mm, pa);
	if (!va || (pa & 4095))
		mm_error(mm, "phys_to_virt of a PA that is no live page", pa);
	return va;
}

const struct npt_mm_ops npt_test_mm_ops = {
	.alloc = mm_alloc,
	.free = mm_free,
	.virt_to_phys = mm_virt_to_phys,
	.phys_to_virt = mm_phys_to_virt,
	.split = mm_split,
};

/* The same provider over an arena: the core computes table addresses. */
const struct npt_mm_ops npt_test_mm_linear_ops = {
	.alloc = mm_alloc,
	.free = mm_free,
	.virt_to_phys = mm_virt_to_phys,
	.phys_to_virt = mm_phys_to_virt,
	.split = mm_split,
	.linear = true,
};
