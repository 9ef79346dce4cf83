/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt: internals shared by the core, the format encoders and the tests.
 *
 * npt_core.c and the encoders include only this header and the kernel
 * headers below, so that tools/testing/npt can build them in user space
 * with stand-ins for those headers.  Everything else the core needs from
 * its host goes through the npt_host_*() functions.
 */
#ifndef _NPT_PRIV_H
#define _NPT_PRIV_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/prefetch.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "npt.h"

struct npt_table;

typedef int (*npt_translate_fn)(struct npt_table *t, u64 gpa,
				struct npt_translation *tr);
typedef unsigned int (*npt_translate_many_fn)(struct npt_table *t,
					      const u64 *gpa,
					      struct npt_translation *tr,
					      unsigned int n);

/**
 * struct npt_translator - the lookups of one format instance
 * @one:	npt_translate().
 * @many:	npt_translate_many().
 */
struct npt_translator {
	npt_translate_fn one;
	npt_translate_many_fn many;
};

#define NPT_MAX_REGIONS		16

/**
 * struct npt_region_state - a region and its dirty log
 * @rg:		The region.
 * @dirty:	One bit per page of the region, or NULL without dirty
 *		logging.
 * @wp_changing: The log's write-protection is being put on or taken off,
 *		a chunk at a time, and that may be undone: faults map
 *		pages writable and log them as written, so that none is
 *		left write-protected once the log is gone.
 */
struct npt_region_state {
	struct npt_region rg;
	unsigned long *dirty;
	bool wp_changing;
};

/* Why an entry would not be walked as the caller meant (encoder verdicts). */
enum npt_bad {
	NPT_BAD_NONE = 0,
	NPT_BAD_W_NO_R,		/* write without read (EPT, RISC-V) */
	NPT_BAD_XO,		/* execute-only without the EPT capability */
	NPT_BAD_MEMTYPE,	/* reserved memory type / PBMT */
	NPT_BAD_RSVD,		/* reserved bits set */
	NPT_BAD_LEVEL,		/* leaf or table where the level forbids it */
	NPT_BAD_ALIGN,		/* block output address not aligned */
	NPT_BAD_OA,		/* output address beyond the output width */
	NPT_BAD_NO_USER,	/* RISC-V G-stage leaf without U: never usable */
};

/**
 * struct npt_fmt - one hardware format
 * @name:	Short name ("ept4", "s2", "sv39x4", ...).
 * @info:	What @format (one this encoder serves) accepts.
 * @init:	Check @cfg and set the table's geometry and entry facts
 *		(levels, widths, root size, masks below).  -EINVAL for an
 *		option, width or VMID the format cannot use.
 * @leaf:	Attribute bits (no address) of a leaf at @lvl with @prot,
 *		@attr and the NPT_OP_OLD bit of @flags, or -EINVAL for a
 *		combination the format cannot encode or the hardware would
 *		refuse.
 * @table:	A table entry pointing to the table page at @pa.
 * @decode:	NPT_PROT_* and memory attributes of the present leaf @pte.
 * @validate:	Why present @pte at @lvl is not an entry the hardware walks
 *		as intended, or %NPT_BAD_NONE.
 * @root_regs:	The root register values for the table.
 * @walk_prot:	NPT_PROT_* an access through the @n entries of @walk gets
 *		(the last one a present leaf) where permissions are
 *		hierarchical (EPT: the AND over the walk); NULL when the
 *		leaf alone decides.
 * @syndrome:	Fill @r's syndrome, address register and exit reason for
 *		the fault in @r->fault at @r->lvl of an @access to @gpa.
 */
struct npt_fmt {
	const char *name;
	void (*info)(u32 format, struct npt_format_info *fi);
	int (*init)(struct npt_table *t, const struct npt_config *cfg);
	int (*leaf)(const struct npt_table *t, u32 prot, u32 attr, u32 flags,
		    int lvl, npt_pte_t *bits);
	npt_pte_t (*table)(const struct npt_table *t, phys_addr_t pa);
	void (*decode)(const struct npt_table *t, npt_pte_t pte, int lvl,
		       u32 *prot, u32 *attr);
	enum npt_bad (*validate)(const struct npt_table *t, npt_pte_t pte,
				 int lvl);
	void (*root_regs)(const struct npt_table *t,
			  struct npt_root_regs *regs);
	u32 (*walk_prot)(const struct npt_table *t, const npt_pte_t *walk,
			 int n);
	void (*syndrome)(const struct npt_table *t, u64 gpa, u32 access,
			 const npt_pte_t *walk, int n,
			 struct npt_access_result *r);
};

/**
 * struct npt_page_cache - table pages reserved ahead of use
 * @head:	First free page; each free page holds the next one's
 *		address in its first word (cleared again when taken).
 * @nr:		Pages in the cache.
 */
struct npt_page_cache {
	void *head;
	unsigned long nr;
};

/* A lazy block: one leaf at level 1 mapping 2 MiB the table owns. */
#define NPT_BLOCK_LVL		1
#define NPT_BLOCK_ORDER		NPT_LVL_BITS

/**
 * struct npt_table - one nested page table
 * @fmt:	Its format's encoder.
 * @linear:	@mm->linear, read on every walk: table addresses are
 *		computed, and @translate is @fmt's.
 * @format:	NPT_FORMAT_* value.
 * @options:	NPT_OPT_* the table was created with.
 * @levels:	Number of levels; the root is level @levels - 1.
 * @ia_bits:	Guest-physical address width.
 * @oa_bits:	Output address width.
 * @root_order:	The root spans 2^@root_order pages (concatenated Arm roots,
 *		the 16 KiB RISC-V xx4 root).
 * @leaf_lvls:	Bit n set when level n may hold a leaf.
 * @vmid:	VMID for the root register.
 * @present:	An entry is present when it has any of these bits.
 * @addr_mask:	Address bits of an entry.
 * @pa_shift:	An entry holds an address as (pa >> @pa_shift).
 * @tbl_mask:	A present entry above level 0 points to a table when its
 *		@tbl_mask bits equal @tbl_val.
 * @tbl_val:	See @tbl_mask.
 * @break_val:	What a break-before-make leaves in an entry until the make:
 *		not present to the hardware, and telling lockless lookups
 *		to wait for the new value (Arm).
 * @lvl_bits:	Bits that a leaf has only at one level (EPT PS, Arm page);
 *		@lvl_val[n] is their value at level n.
 * @lvl_val:	See @lvl_bits.
 * @state:	Bits the hardware may set in a leaf (A/D, AF): kept by
 *		protect, compared by nothing else.
 * @bbm:	Bits whose change in a live Arm leaf needs break-before-make.
 * @flush_new:	New leaves must be flushed too (RISC-V without Svvptc).
 * @oa_late:	A leaf's output address beyond @oa_bits faults only after
 *		its permissions and flags pass, on the final access (RISC-V:
 *		a PMA access fault); elsewhere the walk stops at the entry
 *		(Arm: an address size fault).
 * @flush_relax: A leaf that faulted may stay cached: a fault resolved by
 *		relaxing it, or found spurious, flushes it (Arm permission
 *		faults; RISC-V, any fault).
 * @accesses:	Bit n set when NPT_ACC_* value n is an access of the table.
 * @acc_bit:	Accessed flag of a leaf (EPT A with A/D, Arm AF, RISC-V A).
 * @dirty_bit:	Dirty flag of a leaf (EPT D with A/D, RISC-V D).
 * @hw_ad:	Accesses set @acc_bit and @dirty_bit instead of faulting.
 * @dirty_log_hw: Dirty logging reads and clears @dirty_bit, which the
 *		hardware sets on a write, instead of write-protecting (EPT
 *		with A/D, RISC-V with Svadu).
 * @acc_tables:	Accesses also set @acc_bit in table entries (EPT).
 * @af_first:	An access-flag fault takes priority over a permission
 *		fault (Arm).
 * @sw_owned:	Software bit marking a leaf whose page the table owns.
 * @log_wp:	Software bit of a leaf that a dirty log write-protected
 *		(its caller gave it write permission): a write fault in the
 *		logged region gives the permission back and logs the write.
 *		A leaf the caller made read-only has it clear and stays so.
 * @tbl_full:	Software bit of a table entry at level 1: all 512 entries of
 *		the level-0 table below it are present.  A map or a protect
 *		that covered the table whole sets it; an unmap that enters
 *		the table clears it.  The plan of a protect skips a table
 *		with it instead of scanning it for holes.
 * @translate:	What npt_translate() calls: over a linear provider,
 *		npt_translate_fmt() instantiated with @fmt's decode and
 *		entry facts for the table's depth and options, which @fmt's
 *		init chooses (npt_set_translator()).
 * @translate_many: What npt_translate_many() calls, chosen with it.
 * @root:	Root table (virtual address).
 * @root_pa:	Its physical address.
 * @va_off:	Virtual minus physical address of every table page, when
 *		the provider is linear.
 * @mm:		Host memory provider; @mm_arg its argument.
 * @mm_arg:	See @mm.
 * @flush:	TLB invalidation callback; @flush_arg its argument.
 * @flush_arg:	See @flush.
 * @rcu_wait:	Unlinked table pages waiting for an RCU grace period
 *		before they are freed (kernel).
 * @op_lock:	Serialises the operations that may sleep (range operations,
 *		regions, dirty logs), across the chunks they work in.
 * @lock:	Serialises every access to the entries, the cache and the
 *		counters; held by each chunk of a range operation and by the
 *		operations that may not sleep.
 * @cache:	Reserved pages (see npt_topup()).
 * @blocks:	Reserved 2 MiB blocks for lazy regions (npt_topup_blocks()).
 * @changes:	Counts changes to the entries and takes from @cache, so that
 *		a range operation knows whether its plan still holds after
 *		it dropped the lock between two chunks.
 * @st:		Counters.
 * @regions:	Regions the fault path resolves in; @nr_regions of them.
 * @nr_regions:	See @regions.
 */
struct npt_table {
	const struct npt_fmt *fmt;
	bool linear;
	u32 format;
	u32 options;
	u8 levels;
	u8 ia_bits;
	u8 oa_bits;
	u8 root_order;
	u32 leaf_lvls;
	u32 vmid;
	npt_pte_t present;
	npt_pte_t addr_mask;
	u8 pa_shift;
	npt_pte_t tbl_mask;
	npt_pte_t tbl_val;
	npt_pte_t break_val;
	npt_pte_t lvl_bits;
	npt_pte_t lvl_val[NPT_MAX_LEVELS];
	npt_pte_t state;
	npt_pte_t bbm;
	bool flush_new;
	bool flush_relax;
	bool oa_late;
	u32 accesses;
	npt_pte_t acc_bit;
	npt_pte_t dirty_bit;
	bool hw_ad;
	bool dirty_log_hw;
	bool acc_tables;
	bool af_first;
	npt_pte_t sw_owned;
	npt_pte_t log_wp;
	npt_pte_t tbl_full;
	npt_translate_fn translate;
	npt_translate_many_fn translate_many;
	npt_pte_t *root;
	phys_addr_t root_pa;
	uintptr_t va_off;
	const struct npt_mm_ops *mm;
	void *mm_arg;
	npt_flush_fn flush;
	void *flush_arg;
	struct list_head rcu_wait;
	struct mutex op_lock;	/* sleeping operations, across chunks */
	spinlock_t lock;	/* entries, cache and counters */
	struct npt_page_cache cache;
	struct npt_page_cache blocks;
	u64 changes;
	struct npt_stats st;
	struct npt_region_state regions[NPT_MAX_REGIONS];
	unsigned int nr_regions;
};

static inline int npt_root_lvl(const struct npt_table *t)
{
	return t->levels - 1;
}

/* Entries of the table at @lvl: 512, except a wide or narrow root. */
static inline u64 npt_lvl_entries(const struct npt_table *t, int lvl)
{
	if (lvl == npt_root_lvl(t))
		return BIT_ULL(t->ia_bits - npt_lvl_shift(lvl));
	return NPT_PTRS;
}

/* Whether @prot and @attr use only known bits (encodable or not). */
static inline bool npt_prot_attr_known(u32 prot, u32 attr)
{
	return prot && !(prot & ~NPT_PROT_ALL) && !(attr & ~NPT_ATTR_ALL) &&
	       (attr & NPT_ATTR_MT_MASK) <= NPT_MT_MAX;
}

static inline bool npt_pte_present(const struct npt_table *t, npt_pte_t pte)
{
	return pte & t->present;
}

static inline phys_addr_t npt_pte_pa(const struct npt_table *t, npt_pte_t pte)
{
	return (pte & t->addr_mask) << t->pa_shift;
}

static inline npt_pte_t npt_pa_bits(const struct npt_table *t, phys_addr_t pa)
{
	return pa >> t->pa_shift;
}

static inline bool npt_pte_is_table(const struct npt_table *t, npt_pte_t pte,
				    int lvl)
{
	return lvl > 0 && npt_pte_present(t, pte) &&
	       (pte & t->tbl_mask) == t->tbl_val;
}

/* Kernel virtual address of the table page an entry points to. */
static inline void *npt_table_va(const struct npt_table *t, npt_pte_t pte)
{
	if (t->linear)
		return (void *)(uintptr_t)(npt_pte_pa(t, pte) + t->va_off);
	return t->mm->phys_to_virt(t->mm_arg, npt_pte_pa(t, pte));
}

/*
 * Set @set and clear @clear in a live entry atomically, against the
 * hardware walker setting A/D or AF meanwhile.
 */
static inline void npt_pte_mod(npt_pte_t *ptep, npt_pte_t set, npt_pte_t clear)
{
	npt_pte_t old = READ_ONCE(*ptep);

	while ((~old & set) || (old & clear)) {
		npt_pte_t cur = cmpxchg(ptep, old, (old | set) & ~clear);

		if (cur == old)
			break;
		old = cur;
	}
}

typedef void (*npt_decode_fn)(const struct npt_table *t, npt_pte_t pte,
			      int lvl, u32 *prot, u32 *attr);

npt_pte_t npt_lookup_slow(const struct npt_table *t, u64 gpa, int *lvlp);
int npt_check_range(const struct npt_table *t, u64 addr, u64 size);

/**
 * struct npt_walk_facts - what a lockless walk needs of a table's format
 * @ia_bits:	Guest-physical address width.
 * @root_lvl:	npt level of the root, npt_root_lvl().
 * @present:	Bits of which one makes an entry present.
 * @tbl_mask:	With @tbl_val: a present entry below level 0 is a table
 *		when (entry & @tbl_mask) == @tbl_val.
 * @tbl_val:	See @tbl_mask.
 * @addr_mask:	Output address bits of an entry.
 * @pa_shift:	Left shift from (entry & @addr_mask) to the address.
 *
 * The walkers below take them by value: an encoder passes its constants
 * (equal to the table's own, npt_walk_facts_of()), which the compiler
 * folds into one instance of the walk per format and depth.
 */
struct npt_walk_facts {
	unsigned int ia_bits;
	int root_lvl;
	npt_pte_t present;
	npt_pte_t tbl_mask;
	npt_pte_t tbl_val;
	npt_pte_t addr_mask;
	unsigned int pa_shift;
};

/* The walk facts of @t, read from the table. */
static __always_inline struct npt_walk_facts
npt_walk_facts_of(const struct npt_table *t)
{
	return (struct npt_walk_facts){
		.ia_bits = t->ia_bits,
		.root_lvl = npt_root_lvl(t),
		.present = t->present,
		.tbl_mask = t->tbl_mask,
		.tbl_val = t->tbl_val,
		.addr_mask = t->addr_mask,
		.pa_shift = t->pa_shift,
	};
}

/*
 * The entry for @gpa at @lvl, a constant, in the table that the table
 * entry @pte points to, @va_off the direct map's offset.  The entry's
 * offset in the table and the direct map's are added first, off the
 * chain of dependent loads, so that a walk's step costs one mask and one
 * add before its load.
 */
static __always_inline const npt_pte_t *
npt_next_entry(npt_pte_t pte, u64 gpa, int lvl, uintptr_t va_off,
	       const struct npt_walk_facts f)
{
	uintptr_t off = va_off + sizeof(npt_pte_t) *
			((gpa >> npt_lvl_shift(lvl)) & (NPT_PTRS - 1));

	return (const npt_pte_t *)((uintptr_t)((pte & f.addr_mask) <<
					       f.pa_shift) + off);
}

/*
 * One step of npt_lookup_fmt() below the root: *@ptep, a table entry,
 * is replaced by the entry for @gpa at @lvl, a constant, in the table it
 * points to.  Return: whether the walk goes on.
 */
static __always_inline bool npt_lookup_step(u64 gpa, int lvl,
					    npt_pte_t *ptep, int *lvlp,
					    uintptr_t va_off,
					    const struct npt_walk_facts f)
{
	npt_pte_t pte = READ_ONCE(*npt_next_entry(*ptep, gpa, lvl, va_off, f));

	*ptep = pte;
	*lvlp = lvl;
	return lvl && (pte & f.present) && (pte & f.tbl_mask) == f.tbl_val;
}

#define NPT_LOOKUP_STEP(lvl)						\
	npt_lookup_step(gpa, lvl, &pte, lvlp, va_off, f)

/*
 * The entry that decides @gpa's translation (@gpa below 2^@f.ia_bits): a
 * leaf, or the first entry on the walk that is not present, and its level
 * in *@lvlp.  Needs the table lock or an RCU read-side section: unlinked
 * table pages are freed only after a grace period.
 *
 * For linear providers only (the kernel's): each level is a few
 * instructions with its shift a constant.  Others take npt_lookup_slow().
 *
 * npt_lookup_to() is the walk from the table's @root, with @va_off its
 * virtual minus physical address.  With @leafp (a constant, as @f), a
 * walk that goes on to a level-0 table stops before it: *@leafp is set to
 * the entry for @gpa there, not read, and the level-1 table entry
 * returned.  Else *@leafp is left alone.
 */
static __always_inline npt_pte_t npt_lookup_to(const npt_pte_t *root,
					       uintptr_t va_off, u64 gpa,
					       int *lvlp,
					       const struct npt_walk_facts f,
					       const npt_pte_t **leafp)
{
	int lvl = f.root_lvl;
	npt_pte_t pte;

	/* The root, which may be wider or narrower than 512 entries. */
	pte = READ_ONCE(root[gpa >> npt_lvl_shift(lvl)]);
	*lvlp = lvl;
	if (!lvl || !(pte & f.present) || (pte & f.tbl_mask) != f.tbl_val)
		return pte;
	switch (lvl) {
	case 4:
		if (!NPT_LOOKUP_STEP(3))
			break;
		fallthrough;
	case 3:
		if (!NPT_LOOKUP_STEP(2))
			break;
		fallthrough;
	case 2:
		if (!NPT_LOOKUP_STEP(1))
			break;
		fallthrough;
	default:
		if (leafp)
			*leafp = npt_next_entry(pte, gpa, 0, va_off, f);
		else
			NPT_LOOKUP_STEP(0);
	}
	return pte;
}

#undef NPT_LOOKUP_STEP

static __always_inline npt_pte_t npt_lookup_fmt(const struct npt_table *t,
						u64 gpa, int *lvlp,
						const struct npt_walk_facts f)
{
	return npt_lookup_to(t->root, t->va_off, gpa, lvlp, f, NULL);
}

int npt_translate_failed(struct npt_table *t, u64 gpa,
			 struct npt_translation *tr, npt_pte_t pte);

/* Fill @tr with the translation of @gpa by the leaf @pte at @lvl. */
static __always_inline void npt_translation_set(const struct npt_table *t,
						u64 gpa, npt_pte_t pte,
						int lvl,
						struct npt_translation *tr,
						npt_decode_fn decode,
						const struct npt_walk_facts f)
{
	tr->hpa = ((pte & f.addr_mask) << f.pa_shift) +
		  (gpa & (npt_lvl_size(lvl) - 1));
	tr->lvl = lvl;
	tr->pte = pte;
	decode(t, pte, lvl, &tr->prot, &tr->attr);
}

/* npt_translation_set() with @lvl a constant in each case, its size folded. */
static __always_inline void npt_translation_fill(const struct npt_table *t,
						 u64 gpa, npt_pte_t pte,
						 int lvl,
						 struct npt_translation *tr,
						 npt_decode_fn decode,
						 const struct npt_walk_facts f)
{
	switch (lvl) {
	case 0:
		npt_translation_set(t, gpa, pte, 0, tr, decode, f);
		break;
	case 1:
		npt_translation_set(t, gpa, pte, 1, tr, decode, f);
		break;
	default:
		npt_translation_set(t, gpa, pte, lvl, tr, decode, f);
	}
}

/*
 * npt_translate() instantiated for a format: @linear selects
 * npt_lookup_fmt() over npt_lookup_slow(); @decode is inlined, and the
 * walk facts @f are the encoder's constants.  What fails goes to
 * npt_translate_failed(), out of line.
 */
static __always_inline int npt_translate_fmt(struct npt_table *t, u64 gpa,
					     struct npt_translation *tr,
					     npt_decode_fn decode, bool linear,
					     const struct npt_walk_facts f)
{
	npt_pte_t pte;
	int lvl;

	if (unlikely(gpa >> f.ia_bits))
		return npt_translate_failed(t, gpa, tr, 0);
	rcu_read_lock();
	if (linear)
		pte = npt_lookup_fmt(t, gpa, &lvl, f);
	else
		pte = npt_lookup_slow(t, gpa, &lvl);
	rcu_read_unlock();
	if (unlikely(!(pte & f.present)))
		return npt_translate_failed(t, gpa, tr, pte);
	npt_translation_fill(t, gpa, pte, lvl, tr, decode, f);
	return 0;
}

/* Addresses whose walks npt_translate_many_fmt() overlaps. */
#define NPT_TRANSLATE_BATCH	16U

/*
 * npt_translate_many() instantiated for a format over a linear provider,
 * NPT_TRANSLATE_BATCH addresses at a time: their walks down to the leaf
 * tables first, each starting the load of its leaf entry, then the leaf
 * entries, which by then are on their way to the cache together.  The
 * first address that fails is translated again on its own, as
 * npt_translate() would, which waits for an Arm break-before-make.
 */
static __always_inline unsigned int
npt_translate_many_fmt(struct npt_table *t, const u64 *gpa,
		       struct npt_translation *tr, unsigned int n,
		       npt_decode_fn decode, const struct npt_walk_facts f)
{
	const npt_pte_t *leafp[NPT_TRANSLATE_BATCH], *root = t->root;
	npt_pte_t pte[NPT_TRANSLATE_BATCH], e;
	const uintptr_t va_off = t->va_off;
	int lvl[NPT_TRANSLATE_BATCH];
	unsigned int done = 0, want, walked, i;

	while (done < n) {
		const u64 *g = gpa + done;
		struct npt_translation *o = tr + done;

		want = min(n - done, NPT_TRANSLATE_BATCH);
		rcu_read_lock();
		for (walked = 0; walked < want; walked++) {
			const npt_pte_t *p = NULL;
			int l;

			if (unlikely(g[walked] >> f.ia_bits))
				break;
			e = npt_lookup_to(root, va_off, g[walked], &l, f, &p);
			leafp[walked] = p;
			if (p) {
				prefetch(p);
			} else {
				pte[walked] = e;
				lvl[walked] = l;
			}
		}
		e = 0;
		for (i = 0; i < walked; i++) {
			if (leafp[i]) {
				e = READ_ONCE(*leafp[i]);
				if (unlikely(!(e & f.present)))
					break;
				npt_translation_set(t, g[i], e, 0, &o[i],
						    decode, f);
				continue;
			}
			e = pte[i];
			if (unlikely(!(e & f.present)))
				break;
			npt_translation_fill(t, g[i], e, lvl[i], &o[i], decode,
					     f);
		}
		rcu_read_unlock();
		done += i;
		if (i < want) {
			/* Out of range (e is 0), or not present. */
			if (npt_translate_failed(t, g[i], &o[i],
						 i < walked ? e : 0))
				break;
			done++;
		}
	}
	return done;
}

/*
 * Define @name_translator, the struct npt_translator of a format
 * instance, from its @decode and its walk facts @facts, an expression
 * that may read the table @t.
 */
#define NPT_DEFINE_TRANSLATOR(name, decode, facts)			\
static __always_inline void name##_decode(const struct npt_table *t,	\
					  npt_pte_t pte, int lvl,	\
					  u32 *prot, u32 *attr)		\
{									\
	decode(t, pte, lvl, prot, attr);				\
}									\
static __always_inline struct npt_walk_facts				\
name##_facts(const struct npt_table *t)					\
{									\
	return facts;							\
}									\
static int name##_translate(struct npt_table *t, u64 gpa,		\
			    struct npt_translation *tr)			\
{									\
	return npt_translate_fmt(t, gpa, tr, name##_decode, true,	\
				 name##_facts(t));			\
}									\
static unsigned int name##_translate_many(struct npt_table *t,	\
					  const u64 *gpa,		\
					  struct npt_translation *tr,	\
					  unsigned int n)		\
{									\
	return npt_translate_many_fmt(t, gpa, tr, n, name##_decode,	\
				      name##_facts(t));			\
}									\
static const struct npt_translator name##_translator = {		\
	.one = name##_translate,					\
	.many = name##_translate_many,					\
}

/* Make @tr the lookups of @t, in its format's init. */
static inline void npt_set_translator(struct npt_table *t,
				      const struct npt_translator *tr)
{
	t->translate = tr->one;
	t->translate_many = tr->many;
}

/*
 * The generic walker, in the style of KVM's arm64 stage-2 walker: a walk
 * visits every entry that overlaps [addr, end) with a visitor chosen by
 * flags.
 */

/**
 * enum npt_walk_flags - what a walk visits
 * @NPT_WALK_LEAF:		Entries that are not tables (leaves and
 *				non-present entries).
 * @NPT_WALK_TABLE_PRE:		Table entries, before descending.
 * @NPT_WALK_TABLE_POST:	Table entries, after descending.
 */
enum npt_walk_flags {
	NPT_WALK_LEAF		= BIT(0),
	NPT_WALK_TABLE_PRE	= BIT(1),
	NPT_WALK_TABLE_POST	= BIT(2),
};

/**
 * struct npt_visit_ctx - one visited entry
 * @t:		The table.
 * @ptep:	The entry.
 * @old:	Its value when visited.
 * @addr:	First address of the walk inside the entry's span.
 * @start:	First address of the entry's span.
 * @end:	End of the walk inside the entry's span (exclusive).
 * @lvl:	Level of the entry.
 * @arg:	The walker's @arg.
 */
struct npt_visit_ctx {
	struct npt_table *t;
	npt_pte_t *ptep;
	npt_pte_t old;
	u64 addr;
	u64 start;
	u64 end;
	int lvl;
	void *arg;
};

/**
 * typedef npt_visitor_fn - visitor of a walk
 * @ctx:	The entry.
 * @visit:	Why it is visited (one NPT_WALK_* bit).
 *
 * Return: a negative errno stops the walk and is returned by it.  0
 * continues: the walker re-reads the entry (a LEAF visitor may have
 * installed a table in it) and descends into a table it finds.  A LEAF
 * visitor may instead handle a run of entries itself, this one and the
 * siblings after it in the same table, and return how many (at least 1);
 * the walker moves past them without descending.  A positive return from
 * a TABLE_PRE visitor skips the table below (and its TABLE_POST visit).
 */
typedef int (*npt_visitor_fn)(const struct npt_visit_ctx *ctx,
			      enum npt_walk_flags visit);

/**
 * struct npt_walker - a walk
 * @cb:		The visitor.
 * @arg:	Passed in every @ctx.
 * @flags:	Which entries to visit.
 */
struct npt_walker {
	npt_visitor_fn cb;
	void *arg;
	enum npt_walk_flags flags;
};

int npt_walk(struct npt_table *t, u64 addr, u64 size,
	     const struct npt_walker *w);

/*
 * Host seam: npt_host.c in the kernel, the test harness in user space.
 * npt_host_free_table() frees an unlinked table page once lockless lookups
 * can no longer be reading it; npt_host_quiesce() waits for those frees
 * before the table itself goes away.
 */
void *npt_host_zalloc(size_t size);
void npt_host_free(void *p);
bool npt_host_should_stop(void);
void npt_host_resched(void);
void npt_host_free_table(struct npt_table *t, void *va);
void npt_host_quiesce(struct npt_table *t);

void npt_plan_add(struct npt_flush_plan *plan, u64 gpa, u64 size, int lvl);
int npt_wrprotect_locked(struct npt_table *t, u64 gpa, u64 size, bool wp,
			 struct npt_op_result *res);
int npt_log_wrprotect(struct npt_table *t, u64 gpa, u64 size, bool wp,
		      struct npt_op_result *res);
npt_pte_t npt_lookup_locked(struct npt_table *t, u64 gpa, int *lvl);
void *npt_cache_take(struct npt_table *t, struct npt_page_cache *c);
void npt_cache_put(struct npt_table *t, struct npt_page_cache *c, void *va);
int npt_map_leaf_locked(struct npt_table *t, u64 gpa, u64 hpa, int lvl,
			npt_pte_t bits, struct npt_op_result *res);
void npt_regions_free(struct npt_table *t);
void npt_log_dirty(struct npt_table *t, u64 gpa, u64 size);
enum npt_bad npt_validate(const struct npt_table *t, npt_pte_t pte, int lvl);

extern const struct npt_fmt npt_fmt_ept;
extern const struct npt_fmt npt_fmt_stage2;
extern const struct npt_fmt npt_fmt_sv;

#endif /* _NPT_PRIV_H */
