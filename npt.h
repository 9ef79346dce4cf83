/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt: nested (second-stage) page tables in the hardware formats of Intel
 * EPT, Arm64 VMSAv8-64 stage 2 and RISC-V G-stage - in-kernel API.
 */
#ifndef _NPT_H
#define _NPT_H

#include <linux/bits.h>
#include <linux/types.h>
#include "npt_uapi.h"

typedef u64 npt_pte_t;

#define NPT_PAGE_SHIFT		12
#define NPT_PAGE_SIZE		BIT_ULL(NPT_PAGE_SHIFT)
#define NPT_LVL_BITS		9
#define NPT_PTRS		BIT(NPT_LVL_BITS)

/* Table-page limit of a table whose configuration asks for none (1 GiB). */
#define NPT_DEFAULT_MAX_PAGES	BIT_ULL(18)

/*
 * Levels are counted from the leaf upwards, the same way for every format:
 * level 0 holds 4 KiB pages, level 1 maps 2 MiB per entry, level 2 1 GiB,
 * level 3 512 GiB and level 4 256 TiB.  The root is level (levels - 1).
 * Arm's level n is npt level (3 - n); EPT's PTE/PDE/PDPTE/PML4E/PML5E are
 * npt levels 0..4; RISC-V's level i is npt level i.
 */
static inline unsigned int npt_lvl_shift(int lvl)
{
	return NPT_PAGE_SHIFT + NPT_LVL_BITS * lvl;
}

static inline u64 npt_lvl_size(int lvl)
{
	return BIT_ULL(npt_lvl_shift(lvl));
}

/**
 * struct npt_mm_ops - host memory provider of a table
 * @alloc:		Return the kernel virtual address of 2^@order zeroed,
 *			physically contiguous pages aligned to their size, or
 *			NULL.  Called without the table lock held; may sleep.
 *			Pages at or above 2^(the table's output width) go
 *			back to @free and fail the allocation: no entry
 *			could hold their address.
 * @free:		Free pages returned by @alloc.  May be called with the
 *			table lock held; must not sleep.
 * @virt_to_phys:	Physical address of a page returned by @alloc.
 * @phys_to_virt:	Inverse of @virt_to_phys for table pages.
 * @split:		Optional: make the 2^@order pages at @va, from @alloc,
 *			freeable one page at a time.  npt splits a 2 MiB
 *			lazy block it owns this way when only part of it
 *			stays mapped; without @split, regions cannot ask
 *			for blocks.
 * @linear:		Every page the provider hands out lies at the same
 *			offset between its virtual and physical address, as
 *			in the kernel's direct map: walks then compute table
 *			addresses instead of calling @phys_to_virt.
 *
 * The provider must outlive every table created with it.  A table page
 * that an operation unlinks reaches @free only after the invalidation
 * that makes it unreachable by hardware and, in the kernel, after an RCU
 * grace period (lockless lookups may still read it until then), which the
 * operation waits for before it returns; meanwhile npt keeps the page on a
 * list through the lru field of its struct page, so table pages must come
 * from the page allocator and lie in the direct map.
 */
struct npt_mm_ops {
	void *(*alloc)(void *arg, unsigned int order);
	void (*free)(void *arg, void *va, unsigned int order);
	phys_addr_t (*virt_to_phys)(void *arg, void *va);
	void *(*phys_to_virt)(void *arg, phys_addr_t pa);
	void (*split)(void *arg, void *va, unsigned int order);
	bool linear;
};

/**
 * struct npt_flush_plan - guest-physical ranges whose translations changed
 * @all:	The whole table must be invalidated (too many ranges).
 * @tables:	A table entry changed in one of the ranges (a table was
 *		unlinked, or folded into a block): cached walks of those
 *		ranges must go too, not only their leaves.  Arm: TLBI
 *		IPAS2E1IS without a level hint; RISC-V: HFENCE.GVMA with
 *		rs1 = x0 (the whole VMID), as a fence by address need not
 *		reach non-leaf entries; EPT: INVEPT always does.
 * @nr:		Valid entries in @range.
 * @range:	Ranges, each with the level of the leaves it covered (a hint
 *		for TTL-style invalidation where @tables is false).
 * @range.gpa:	Start of the range.
 * @range.size:	Size of the range in bytes.
 * @range.lvl:	npt level of the leaves or tables that changed.
 */
struct npt_flush_plan {
	bool all;
	bool tables;
	u32 nr;
	struct {
		u64 gpa;
		u64 size;
		s32 lvl;
	} range[NPT_PLAN_RANGES];
};

/**
 * typedef npt_flush_fn - invalidate the TLBs of a table
 * @arg:	The @flush_arg of the table's configuration.
 * @plan:	What to invalidate.
 *
 * Called with the table lock held, so it must not sleep.  It returns only
 * when no CPU can use a translation covered by @plan: INVEPT on EPT, TLBI
 * IPAS2E1IS + VMALLE1IS (or VMALLS12E1IS) and DSB on Arm, HFENCE.GVMA on
 * RISC-V (by address, or for the whole VMID when @plan->tables is set,
 * see &struct npt_flush_plan).  The core calls it between break and make
 * on Arm, after clearing or changing present entries and before freeing
 * any page they referenced, and (RISC-V) after installing new leaves.
 */
typedef void (*npt_flush_fn)(void *arg, const struct npt_flush_plan *plan);

/**
 * struct npt_config - parameters of a new table
 * @format:	One of NPT_FORMAT_*.
 * @options:	NPT_OPT_* bits valid for @format.
 * @ia_bits:	Guest-physical (input) address width.  Arm: 32..48, the IPA
 *		size; EPT and RISC-V: 0 or the format's fixed width.
 *		0 selects the default (Arm: 40).
 * @oa_bits:	Output (host-physical) address width: EPT MAXPHYADDR
 *		(36..52), Arm PARange (32, 36, 40, 42, 44 or 48), RISC-V up to
 *		56.  0 selects the format's maximum.
 * @max_pages:	Limit on table pages, root included; 0 selects the default.
 * @vmid:	VMID for the root register (Arm VTTBR_EL2, RISC-V hgatp).
 * @leaf_lvls:	Levels that may hold a leaf, bit n for level n (0: 4 KiB,
 *		1: 2 MiB, 2: 1 GiB, ...): 0 for every level the format
 *		allows, else levels 0 to some top (0x1, 0x3, 0x7, ...), of
 *		which the table uses those the format has: for a CPU that
 *		walks fewer block sizes (EPT without 1 GiB pages), pass
 *		&struct npt_host_caps.leaf_lvls.
 * @mm:		Host memory provider.
 * @mm_arg:	Argument of every @mm call.
 * @flush:	TLB invalidation callback, or NULL for a table that no CPU
 *		ever uses (for example one built from user space).
 * @flush_arg:	Argument of @flush.
 * @flags:	%NPT_CFG_CHECK_HOST or 0.
 */
struct npt_config {
	u32 format;
	u32 options;
	u32 ia_bits;
	u32 oa_bits;
	u64 max_pages;
	u32 vmid;
	u32 leaf_lvls;
	const struct npt_mm_ops *mm;
	void *mm_arg;
	npt_flush_fn flush;
	void *flush_arg;
	u32 flags;
};

/* npt_table_create() refuses what this CPU's walker cannot walk. */
#define NPT_CFG_CHECK_HOST	BIT(0)

/*
 * npt_age(), besides %NPT_AGE_CLEAR: more of the caller's range follows
 * this call, so a leaf that goes on past its end keeps its flag for the
 * next call to report and clear.
 */
#define NPT_AGE_MORE		BIT(31)

/**
 * struct npt_host_caps - what this CPU's second-stage walker supports
 * @formats:	Bit n set when format n (NPT_FORMAT_*) can be loaded.
 * @options:	NPT_OPT_* the CPU implements.
 * @oa_bits:	Output address width: MAXPHYADDR, the PARange size, or 56.
 * @ia_bits_max: Largest input width of a format with a configurable one
 *		(the Arm IPA size); 0 otherwise.
 * @leaf_lvls:	Levels whose leaves the walker takes, bit n for level n,
 *		levels 0 to a top: on x86 4 KiB pages and, as
 *		IA32_VMX_EPT_VPID_CAP says, 2 MiB and then 1 GiB pages;
 *		every level elsewhere.
 * @vmid_bits:	VMID width of the root register: 8 or 16 on Arm
 *		(ID_AA64MMFR1_EL1.VMIDBits), the bits of hgatp.VMID that
 *		stick on RISC-V, 0 on x86 (EPTP has none).
 */
struct npt_host_caps {
	u32 formats;
	u32 options;
	u32 oa_bits;
	u32 ia_bits_max;
	u32 leaf_lvls;
	u32 vmid_bits;
};

/**
 * struct npt_op_result - what a mutation did
 * @done:	Bytes of the range completed from its start: all of it on
 *		success; a whole prefix after -EINTR, or when a fault
 *		resolved between two chunks (1 GiB, or the format's
 *		largest leaf) made a later one fail; 0 on other errors.
 * @plan:	Union of every invalidation the operation asked for.
 */
struct npt_op_result {
	u64 done;
	struct npt_flush_plan plan;
};

/**
 * struct npt_translation - result of npt_translate()
 * @hpa:	Host-physical address, page offset included.
 * @prot:	NPT_PROT_* of the leaf.
 * @attr:	NPT_MT_* memory type and NPT_ATTR_* flags of the leaf.
 * @lvl:	npt level of the leaf (0: 4 KiB, 1: 2 MiB, ...).
 * @pte:	The raw leaf entry.
 */
struct npt_translation {
	u64 hpa;
	u32 prot;
	u32 attr;
	s32 lvl;
	npt_pte_t pte;
};

/**
 * struct npt_walk_info - raw entries on the walk of one address
 * @levels:	Levels walked (entries in @pte), the root's first.
 * @root_lvl:	npt level of the root.
 * @pte:	The entry read at each level, @pte[0] at the root.
 */
struct npt_walk_info {
	u32 levels;
	s32 root_lvl;
	npt_pte_t pte[NPT_MAX_LEVELS];
};

/**
 * struct npt_root_regs - values to load so that hardware walks a table
 * @root:	EPTP, VTTBR_EL2 or hgatp.
 * @ctrl:	VTCR_EL2 on Arm; 0 for the other formats.
 */
struct npt_root_regs {
	u64 root;
	u64 ctrl;
};

/**
 * struct npt_stats - counters of a table
 * @table_pages:	Table pages in use, root included.
 * @max_pages:		The table's page limit.
 * @tables:		Table pages per npt level (the root's level counts
 *			its pages).
 * @leaves:		Present leaves per npt level.
 * @data_pages:		Pages of lazy regions the table owns; they count
 *			against @max_pages with the table pages.
 */
struct npt_stats {
	u64 table_pages;
	u64 data_pages;
	u64 max_pages;
	u64 tables[NPT_MAX_LEVELS];
	u64 leaves[NPT_MAX_LEVELS];
};

/**
 * struct npt_access_result - what a simulated access met
 * @fault:	NPT_FAULT_* (NPT_FAULT_NONE: translated).
 * @lvl:	npt level of the leaf, or of the entry where the walk stopped.
 * @reason:	For NPT_FAULT_MISCONFIG and NPT_FAULT_OUTPUT_RANGE, the
 *		encoder's verdict on the entry (enum npt_bad in npt_priv.h).
 * @updated:	NPT_UPD_* flags the access set, as the hardware would.
 * @hpa:	Host-physical address accessed (no fault).
 * @syndrome:	What the CPU reports: the EPT exit qualification (0 for a
 *		misconfiguration), the Arm ESR_EL2 value, the RISC-V scause.
 * @addr:	The faulting address register: EPT guest-physical address,
 *		Arm HPFAR_EL2, RISC-V htval.
 * @exit_reason: EPT basic exit reason (48 EPT violation, 49 EPT
 *		misconfiguration); 0 for the other formats.
 */
struct npt_access_result {
	u32 fault;
	s32 lvl;
	u32 reason;
	u32 updated;
	u64 hpa;
	u64 syndrome;
	u64 addr;
	u64 exit_reason;
};

/**
 * struct npt_region - guest memory the fault path may resolve, like a memslot
 * @gpa:	Start, page aligned.
 * @size:	Bytes, page aligned; 0 in npt_set_region() removes the region
 *		starting at @gpa.
 * @max_prot:	NPT_PROT_* that lazy faults in the region map with (a dirty
 *		log gives back the write permission it took away whatever
 *		this says).
 * @attr:	Memory type and flags of pages mapped by faults.
 * @backing:	NPT_BACKING_*.
 * @flags:	%NPT_REGION_DIRTY_LOG, %NPT_REGION_LAZY_BLOCKS.
 */
struct npt_region {
	u64 gpa;
	u64 size;
	u32 max_prot;
	u32 attr;
	u32 backing;
	u32 flags;
};

/**
 * struct npt_fault_result - what npt_handle_fault() found and did
 * @fault:	The access as it stood before any resolution.
 * @action:	NPT_RESOLVED_*.
 * @lvl:	npt level of the leaf that now translates the address.
 * @hpa:	Host-physical base of the leaf (page or block) that now
 *		translates the address.
 * @plan:	Invalidations the resolution made.
 */
struct npt_fault_result {
	struct npt_access_result fault;
	u32 action;
	s32 lvl;
	u64 hpa;
	struct npt_flush_plan plan;
};

/**
 * struct npt_format_info - what one format accepts
 * @options:	NPT_OPT_* it knows.
 * @prot:	NPT_PROT_* it can encode.
 * @memtypes:	Bit n set when memory type n (NPT_MT_*) can be encoded
 *		(some only with an option, such as RISC-V Svpbmt).
 * @ia_min:	Smallest guest-physical width.
 * @ia_max:	Largest guest-physical width.
 * @oa_min:	Smallest output-address width.
 * @oa_max:	Largest output-address width.
 */
struct npt_format_info {
	u32 options;
	u32 prot;
	u32 memtypes;
	u32 ia_min;
	u32 ia_max;
	u32 oa_min;
	u32 oa_max;
};

struct npt_table;

int npt_table_create(const struct npt_config *cfg, struct npt_table **out);
void npt_table_destroy(struct npt_table *t);
int npt_map(struct npt_table *t, u64 gpa, u64 hpa, u64 size, u32 prot,
	    u32 attr, u32 flags, struct npt_op_result *res);
int npt_unmap(struct npt_table *t, u64 gpa, u64 size, u32 flags,
	      struct npt_op_result *res);
int npt_protect(struct npt_table *t, u64 gpa, u64 size, u32 prot, u32 attr,
		u32 flags, struct npt_op_result *res);
int npt_collapse(struct npt_table *t, u64 gpa, u64 size,
		 struct npt_op_result *res);
int npt_translate(struct npt_table *t, u64 gpa, struct npt_translation *tr);
unsigned int npt_translate_many(struct npt_table *t, const u64 *gpa,
				struct npt_translation *tr, unsigned int n);
int npt_walk_gpa(struct npt_table *t, u64 gpa, struct npt_walk_info *wi);
void npt_root_regs(const struct npt_table *t, struct npt_root_regs *regs);
phys_addr_t npt_root_pa(const struct npt_table *t);
void npt_get_stats(struct npt_table *t, struct npt_stats *st);
void npt_plan_merge(struct npt_flush_plan *dst,
		    const struct npt_flush_plan *src);
u32 npt_ia_bits(const struct npt_table *t);
u32 npt_oa_bits(const struct npt_table *t);
u32 npt_levels(const struct npt_table *t);
u32 npt_root_pages(const struct npt_table *t);
u32 npt_format(const struct npt_table *t);
bool npt_format_supported(u32 format);
int npt_format_info(u32 format, struct npt_format_info *fi);
u32 npt_options(const struct npt_table *t);
u32 npt_vmid(const struct npt_table *t);
npt_pte_t npt_pte_hide_table(const struct npt_table *t, npt_pte_t pte,
			     int lvl);
int npt_topup(struct npt_table *t, unsigned long nr);
int npt_topup_blocks(struct npt_table *t, unsigned long nr);
bool npt_region_blocks(struct npt_table *t, u64 gpa, u32 access);
int npt_host_caps(struct npt_host_caps *caps);
int npt_access(struct npt_table *t, u64 gpa, u32 access,
	       struct npt_access_result *r);
int npt_set_region(struct npt_table *t, const struct npt_region *rg);
int npt_handle_fault(struct npt_table *t, u64 gpa, u32 access,
		     struct npt_fault_result *res);
int npt_dirty_log_range(struct npt_table *t, u64 gpa, u64 size);
int npt_get_dirty_log(struct npt_table *t, u64 gpa, u64 size,
		      unsigned long *bitmap, bool clear,
		      struct npt_op_result *res);
int npt_age(struct npt_table *t, u64 gpa, u64 size, unsigned long *bitmap,
	    u32 flags, u64 *young);
int npt_read_guest(struct npt_table *t, u64 gpa, void *buf, size_t len);
int npt_write_guest(struct npt_table *t, u64 gpa, const void *buf,
		    size_t len);

/* The kernel's host-memory providers (npt_host.c) and their page counter. */
extern const struct npt_mm_ops npt_kernel_mm;
extern const struct npt_mm_ops npt_kernel_mm_dma32;
const struct npt_mm_ops *npt_kernel_mm_for(u32 oa_bits);
u64 npt_live_pages(void);

#endif /* _NPT_H */
