/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * npt: nested (second-stage) page tables - user-space ABI of /dev/npt.
 *
 * The constants in the first half are shared by the ABI and the in-kernel
 * API (npt.h), so that both speak the same formats, permissions, memory
 * types and flags.
 */
#ifndef _UAPI_NPT_H
#define _UAPI_NPT_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: Errors
 *
 * The in-kernel API and every ioctl share one errno table:
 *
 *  - EINVAL: a misaligned address or size, a zero size, an unknown flag or
 *    option, a nonzero reserved field, a structure smaller than its first
 *    version, an access kind the table does not have (%NPT_ACC_UEXEC
 *    without MBEC, %NPT_ACC_HLVX off RISC-V), a length beyond the limit
 *    of a dirty log, aging or guest copy, or a permission / memory-type
 *    combination the format cannot encode or that the hardware would
 *    treat as a misconfiguration (for example write without read on EPT
 *    or RISC-V, execute on Arm device memory).
 *  - EOVERFLOW: gpa + size (or hpa + size) wraps around 2^64.
 *  - ERANGE: an address beyond the table's guest-physical width, or a host
 *    address beyond the table's output-address width.
 *  - EEXIST: map over a present mapping without %NPT_OP_REPLACE, or a
 *    region that overlaps another.
 *  - ENOENT: protect over a hole without %NPT_OP_HOLES_OK, translate or a
 *    guest copy of an address that is not mapped, removing a region that
 *    does not exist, or a dirty log of a range that is not inside one
 *    dirty-logged region.
 *  - ENOSPC: the operation would exceed the table's page limit (table
 *    pages and pages of lazy regions together), the table has its
 *    maximum of regions, or a dirty log would be too large (the logs of a
 *    table cover 1 TiB at most, together).
 *  - ENOMEM: allocating a table page, a lazy page or a dirty log failed.
 *  - EPERM: a guest copy through a page the table does not own.
 *  - EINTR: an operation with %NPT_OP_INTERRUPTIBLE stopped early on a
 *    fatal signal; a whole prefix of the range (reported as done) is
 *    complete, the rest is untouched.  (A batch of NPT_TRANSLATE, which
 *    changes nothing, stops so whatever its flags.)
 *  - EOPNOTSUPP: aging a table that has no accessed flag (EPT without
 *    %NPT_OPT_EPT_AD).
 *
 * The ioctl layer adds only: ENOTTY (unknown ioctl), E2BIG (nonzero bytes
 * past the end of the structure this kernel knows, or a size above 4096),
 * EFAULT (bad user pointer), EOPNOTSUPP (a format this build lacks, or
 * with %NPT_CREATE_CHECK_HOST what this CPU lacks) and, from
 * NPT_CREATE_TABLE, EMFILE / ENFILE (no free fd or file for the new
 * table).  A caller
 * without the privilege to see kernel addresses gets zeroes in their
 * place, not an error.
 *
 * Every operation that fails leaves the table exactly as it was, bit for
 * bit, apart from the documented done prefixes: a mutation's after EINTR
 * or after a fault resolved between its chunks (&struct npt_plan), and
 * those of NPT_GET_DIRTY_LOG, NPT_AGE and the guest copies; and a dirty
 * log that failed to start (NPT_SET_REGION) keeps the blocks it split as
 * tables, and the pages that faults mapped meanwhile.
 */

/* Table formats. */
#define NPT_FORMAT_EPT4		1	/* Intel EPT, 4-level, 48-bit GPA */
#define NPT_FORMAT_EPT5		2	/* Intel EPT, 5-level, 57-bit GPA */
#define NPT_FORMAT_ARM64_S2	3	/* Arm VMSAv8-64 stage 2, 4 KiB granule */
#define NPT_FORMAT_SV39X4	4	/* RISC-V G-stage Sv39x4, 41-bit GPA */
#define NPT_FORMAT_SV48X4	5	/* RISC-V G-stage Sv48x4, 50-bit GPA */
#define NPT_FORMAT_MAX		NPT_FORMAT_SV48X4

/* Table options, chosen at creation. */
#define NPT_OPT_EPT_AD		_BITUL(0)	/* EPTP[6]: accessed/dirty flags */
#define NPT_OPT_EPT_XO		_BITUL(1)	/* execute-only leaves allowed */
#define NPT_OPT_EPT_MBEC	_BITUL(2)	/* user-execute bit 10 */
#define NPT_OPT_S2_FWB		_BITUL(3)	/* HCR_EL2.FWB memory attributes */
#define NPT_OPT_S2_HA		_BITUL(4)	/* VTCR_EL2.HA: hardware AF */
#define NPT_OPT_RV_SVPBMT	_BITUL(5)	/* Svpbmt NC / IO memory types */
#define NPT_OPT_RV_HWAD		_BITUL(6)	/* Svadu: hardware A/D update */
#define NPT_OPT_ALL		(_BITUL(7) - 1)

/* Access permissions of a leaf. */
#define NPT_PROT_R		_BITUL(0)
#define NPT_PROT_W		_BITUL(1)
#define NPT_PROT_X		_BITUL(2)	/* (supervisor) execute */
#define NPT_PROT_UX		_BITUL(3)	/* user execute, EPT with MBEC */
#define NPT_PROT_ALL		(_BITUL(4) - 1)

/*
 * Memory attributes of a leaf: a memory type in the low byte plus flags.
 * WB: normal write-back (EPT WB, Arm Normal-WB, RISC-V PMA).
 * NC: normal non-cacheable (EPT WC, Arm Normal-NC, RISC-V Svpbmt NC).
 * DEVICE: device memory (EPT UC, Arm Device-nGnRE, RISC-V Svpbmt IO).
 * WT, WP: EPT only.
 */
#define NPT_MT_WB		0
#define NPT_MT_NC		1
#define NPT_MT_DEVICE		2
#define NPT_MT_WT		3
#define NPT_MT_WP		4
#define NPT_MT_MAX		NPT_MT_WP
#define NPT_ATTR_MT_MASK	0xffU
#define NPT_ATTR_IPAT		_BITUL(8)	/* EPT: ignore guest PAT */
#define NPT_ATTR_ALL		(NPT_ATTR_MT_MASK | NPT_ATTR_IPAT)

/* Operation flags; each operation accepts the subset it documents. */
#define NPT_OP_REPLACE		_BITUL(0)	/* map: replace present leaves */
#define NPT_OP_NO_BLOCKS	_BITUL(1)	/* map: 4 KiB leaves only */
#define NPT_OP_OLD		_BITUL(2)	/* map: leaves without A/D/AF */
#define NPT_OP_HOLES_OK		_BITUL(3)	/* protect: skip holes */
#define NPT_OP_INTERRUPTIBLE	_BITUL(4)	/* may stop early with EINTR */

/* Accesses npt_access() and NPT_ACCESS simulate. */
#define NPT_ACC_READ		1	/* data read */
#define NPT_ACC_WRITE		2	/* data write */
#define NPT_ACC_EXEC		3	/* instruction fetch (supervisor) */
#define NPT_ACC_UEXEC		4	/* user-mode fetch (EPT with MBEC) */
#define NPT_ACC_HLVX		5	/* RISC-V HLVX: a read needing X */
#define NPT_ACC_MAX		NPT_ACC_HLVX

/* What an access met, with the level where it stopped. */
#define NPT_FAULT_NONE		0	/* translated */
#define NPT_FAULT_NOT_PRESENT	1	/* no entry at that level */
#define NPT_FAULT_PERMISSION	2	/* leaf lacks the permission */
#define NPT_FAULT_ACCESS_FLAG	3	/* Arm AF / RISC-V A clear (Svade) */
#define NPT_FAULT_DIRTY		4	/* RISC-V store with D clear (Svade) */
#define NPT_FAULT_MISCONFIG	5	/* an entry the hardware rejects */
#define NPT_FAULT_INPUT_RANGE	6	/* GPA beyond the input width */
#define NPT_FAULT_OUTPUT_RANGE	7	/* output beyond the output width */

/* Backing of a region (NPT_SET_REGION, npt_set_region()). */
#define NPT_BACKING_NONE	0	/* the caller maps host pages itself */
#define NPT_BACKING_LAZY	1	/* npt maps zeroed pages on faults */
#define NPT_REGION_DIRTY_LOG	_BITUL(0)	/* log writes to the region */
#define NPT_REGION_LAZY_BLOCKS	_BITUL(1)	/* lazy: 2 MiB where it fits */
#define NPT_REGION_FLAGS	(NPT_REGION_DIRTY_LOG | NPT_REGION_LAZY_BLOCKS)

/* What npt_handle_fault() / NPT_HANDLE_FAULT did. */
#define NPT_RESOLVED_NONE	0	/* unresolvable: the fault stands */
#define NPT_RESOLVED_SPURIOUS	1	/* no fault any more: nothing done */
#define NPT_RESOLVED_MAPPED	2	/* a lazy page was mapped */
#define NPT_RESOLVED_FLAGS	3	/* A/D or AF set */
#define NPT_RESOLVED_DIRTY	4	/* write allowed again, page logged */

/* Side effects of a successful access (hardware A/D / AF updates). */
#define NPT_UPD_ACCESSED	_BITUL(0)
#define NPT_UPD_DIRTY		_BITUL(1)

/*
 * The ioctl ABI of /dev/npt and of table fds.
 *
 * /dev/npt is a misc device (mode 0600 unless udev says otherwise).  Its
 * ioctls are %NPT_GET_CAPS and %NPT_CREATE_TABLE; the latter returns a new
 * file descriptor, the table fd, that owns one table: every other ioctl is
 * issued on a table fd, and closing its last reference destroys the table.
 * An ioctl on the wrong kind of fd fails with ENOTTY.
 *
 * Command numbers are _IO(NPT_TYPE, nr), as in iommufd: the size of the
 * argument travels in its first field, so a structure may grow without a
 * new command number.  Every structure starts with
 *
 *	__u32 size;	(in) sizeof the structure as the caller knows it
 *	__u32 flags;	(in) the flag bits the command documents, else 0
 *
 * uses only __u32 and __aligned_u64 fields and has no implicit padding.
 * The kernel reads min(size, its own size) bytes and requires any bytes it
 * does not know to be zero (else E2BIG); a size below the first version's
 * is EINVAL, one above 4096 E2BIG.  Output fields are written back up to
 * min(size, its own size).  A structure that has grown defines the size of
 * each of its versions (%NPT_CAPS_SIZE_VER0, ...).
 * Reserved fields must be zero (else EINVAL).  Pointers to user memory are
 * passed as __aligned_u64.
 *
 * NPT_TYPE 0xB9 is not used by any other in-tree ioctl (see
 * Documentation/userspace-api/ioctl/ioctl-number.rst); npt uses numbers
 * 0x00-0x1f.
 */
#define NPT_TYPE		0xB9

enum {
	NPT_CMD_GET_CAPS	= 0x00,
	NPT_CMD_CREATE_TABLE	= 0x01,
	NPT_CMD_MAP		= 0x02,
	NPT_CMD_UNMAP		= 0x03,
	NPT_CMD_PROTECT		= 0x04,
	NPT_CMD_TRANSLATE	= 0x05,
	NPT_CMD_WALK		= 0x06,
	NPT_CMD_INFO		= 0x07,
	NPT_CMD_COLLAPSE	= 0x08,
	NPT_CMD_ACCESS		= 0x09,
	NPT_CMD_HANDLE_FAULT	= 0x0a,
	NPT_CMD_SET_REGION	= 0x0b,
	NPT_CMD_GET_DIRTY_LOG	= 0x0c,
	NPT_CMD_READ_GUEST	= 0x0d,
	NPT_CMD_WRITE_GUEST	= 0x0e,
	NPT_CMD_AGE		= 0x0f,
};

/* Ranges in the TLB-invalidation plan of a mutation. */
#define NPT_PLAN_RANGES		8
/* Most levels of any format (EPT5); the size of per-level arrays. */
#define NPT_MAX_LEVELS		5

/**
 * struct npt_caps - ioctl(NPT_GET_CAPS) on /dev/npt
 * @size:		(in) sizeof(struct npt_caps) as the caller knows it, at
 *			least %NPT_CAPS_SIZE_VER0.
 * @flags:		(in) Must be 0.
 * @format:		(in) A format to describe, or 0 for none.
 * @formats:		(out) Bit n set: NPT_FORMAT n can be created.
 * @options:		(out) NPT_OPT_* bits @format accepts.
 * @prot:		(out) NPT_PROT_* bits @format can encode.
 * @memtypes:		(out) Bit n set: memory type NPT_MT n is encodable
 *			(some need an option, e.g. %NPT_OPT_RV_SVPBMT).
 * @min_ia_bits:	(out) Smallest guest-physical width of @format.
 * @max_ia_bits:	(out) Largest guest-physical width of @format.
 * @max_oa_bits:	(out) Largest host-physical width of @format.
 * @op_flags:		(out) NPT_OP_* bits known to this kernel.
 * @plan_ranges:	(out) %NPT_PLAN_RANGES.
 * @max_levels:		(out) %NPT_MAX_LEVELS.
 * @host_leaf_lvls:	(out) Levels whose leaves this CPU's walker takes
 *			(bit n: level n; 0 with no walker), levels 0 to a
 *			top.  On x86, 4 KiB and the 2 MiB, then 1 GiB,
 *			pages IA32_VMX_EPT_VPID_CAP reports; every level
 *			elsewhere.
 * @max_table_pages:	(out) Largest table-page limit a table may have
 *			(the module parameter max_table_pages).
 * @host_formats:	(out) Bit n set: this CPU's second-stage walker can
 *			load NPT_FORMAT n (0 without VMX / VHE at EL2 / the H
 *			extension).  Read once when the module loads.
 * @host_options:	(out) NPT_OPT_* this CPU implements.
 * @host_oa_bits:	(out) This CPU's output-address width.
 * @host_ia_bits_max:	(out) Largest Arm IPA size this CPU supports, else 0.
 * @host_vmid_bits:	(out) VMID width of this CPU's root register: 8 or 16
 *			(Arm ID_AA64MMFR1_EL1.VMIDBits), the hgatp.VMID bits
 *			that stick on RISC-V (0 to 14), 0 on x86 and when
 *			the CPU walks no format.  Added in the second
 *			version of the structure (%NPT_CAPS_SIZE_VER1).
 * @__reserved:		Must be 0.
 *
 * With @format 0 the per-format fields (@options to @max_oa_bits) read as
 * 0.  A @format above %NPT_FORMAT_MAX fails with EINVAL, one this build
 * lacks with EOPNOTSUPP.  Which formats this kernel can create (@formats)
 * and which the CPU could walk (@host_formats) are independent: tables
 * built through /dev/npt are never loaded into the CPU.
 */
struct npt_caps {
	__u32 size;
	__u32 flags;
	__u32 format;
	__u32 formats;
	__u32 options;
	__u32 prot;
	__u32 memtypes;
	__u32 min_ia_bits;
	__u32 max_ia_bits;
	__u32 max_oa_bits;
	__u32 op_flags;
	__u32 plan_ranges;
	__u32 max_levels;
	__u32 host_leaf_lvls;
	__aligned_u64 max_table_pages;
	__u32 host_formats;
	__u32 host_options;
	__u32 host_oa_bits;
	__u32 host_ia_bits_max;
	__u32 host_vmid_bits;
	__u32 __reserved;
};

/* Sizes of the versions of struct npt_caps; a smaller size is EINVAL. */
#define NPT_CAPS_SIZE_VER0	80
#define NPT_CAPS_SIZE_VER1	88

#define NPT_GET_CAPS		_IO(NPT_TYPE, NPT_CMD_GET_CAPS)

/**
 * struct npt_create_table - ioctl(NPT_CREATE_TABLE) on /dev/npt
 * @size:	(in) sizeof(struct npt_create_table).
 * @flags:	(in) %NPT_CREATE_CHECK_HOST or 0.
 * @format:	(in) NPT_FORMAT_*.
 * @options:	(in) NPT_OPT_* bits valid for @format.
 * @ia_bits:	(in) Guest-physical width: 0 for the format's default; on
 *		Arm 32..48 (the IPA size), elsewhere the format's own width.
 * @oa_bits:	(in) Host-physical width of the entries: 0 for the format's
 *		maximum.
 * @max_pages:	(in) Limit on table pages, root included: 0 for the module
 *		parameter max_table_pages, which is also the largest value
 *		accepted.
 * @vmid:	(in) VMID written into the root register (Arm, RISC-V); 0
 *		on EPT.
 * @leaf_lvls:	(in) Levels that may hold a leaf, bit n for level n (0:
 *		4 KiB, 1: 2 MiB, 2: 1 GiB, ...): 0 for every level the
 *		format allows, else levels 0 to some top (0x1, 0x3, 0x7,
 *		...), of which the table uses those the format has (for
 *		a CPU without the larger block sizes: @host_leaf_lvls of
 *		&struct npt_caps).
 *
 * Return: a new table fd (O_RDWR | O_CLOEXEC) on success.  EINVAL for a
 * bad field (@format 0 or above %NPT_FORMAT_MAX among them), EOPNOTSUPP
 * for a @format this build lacks (or, with %NPT_CREATE_CHECK_HOST, that
 * this CPU cannot walk with these options, widths and leaf levels, a zero
 * one being the format's default, or with this VMID), ENOSPC when the
 * root alone exceeds @max_pages, ENOMEM, EMFILE / ENFILE when no fd is
 * free.
 */
struct npt_create_table {
	__u32 size;
	__u32 flags;
	__u32 format;
	__u32 options;
	__u32 ia_bits;
	__u32 oa_bits;
	__aligned_u64 max_pages;
	__u32 vmid;
	__u32 leaf_lvls;
};

#define NPT_CREATE_TABLE	_IO(NPT_TYPE, NPT_CMD_CREATE_TABLE)

/* npt_create_table.flags: refuse what this CPU's walker could not walk. */
#define NPT_CREATE_CHECK_HOST	_BITUL(0)

/**
 * struct npt_plan_range - one range of a TLB-invalidation plan
 * @gpa:	Start of the range.
 * @length:	Length of the range in bytes.
 * @lvl:	npt level of the leaves or tables that changed (0: 4 KiB,
 *		1: 2 MiB, 2: 1 GiB, ...): a hint for range invalidation.
 * @__reserved:	Written as 0.
 */
struct npt_plan_range {
	__aligned_u64 gpa;
	__aligned_u64 length;
	__u32 lvl;
	__u32 __reserved;
};

/* The plan covers the whole table: invalidate everything. */
#define NPT_PLAN_ALL		_BITUL(0)
/*
 * A table entry changed in one of the ranges (a table unlinked or folded
 * into a block): cached walks go too, not only leaves, so no level hint.
 */
#define NPT_PLAN_TABLES		_BITUL(1)

/**
 * struct npt_plan - what a mutation asks to invalidate
 * @flags:	%NPT_PLAN_ALL, or 0 when @range lists every change; and
 *		%NPT_PLAN_TABLES when a table entry changed.
 * @nr:		Valid entries in @range (0 when nothing was invalidated).
 * @range:	The ranges.
 *
 * A hypervisor would issue these invalidations before reusing the freed
 * table pages; for a table fd they describe what the operation changed.
 *
 * A mutation writes back its done and plan fields on success and whenever
 * it completed part of its range: after EINTR, or when a fault resolved
 * between two of its chunks (1 GiB, or the format's largest leaf) made a
 * later chunk fail (EEXIST, ENOSPC, or ENOMEM planning it again), with or
 * without %NPT_OP_INTERRUPTIBLE.  Otherwise a failure left the table
 * unchanged and writes nothing back.
 */
struct npt_plan {
	__u32 flags;
	__u32 nr;
	struct npt_plan_range range[NPT_PLAN_RANGES];
};

/**
 * struct npt_map - ioctl(NPT_MAP) on a table fd
 * @size:	(in) sizeof(struct npt_map).
 * @flags:	(in) %NPT_OP_REPLACE, %NPT_OP_NO_BLOCKS, %NPT_OP_OLD,
 *		%NPT_OP_INTERRUPTIBLE.
 * @gpa:	(in) First guest-physical address, 4 KiB aligned.
 * @hpa:	(in) First host-physical address, 4 KiB aligned: a number
 *		written into the entries, never accessed.
 * @length:	(in) Bytes to map, a nonzero multiple of 4 KiB.
 * @prot:	(in) NPT_PROT_* of the new leaves.
 * @attr:	(in) NPT_MT_* memory type and NPT_ATTR_* flags.
 * @done:	(out) Bytes mapped from @gpa: @length on success, a whole
 *		prefix after EINTR (see &struct npt_plan for the rule).
 * @plan:	(out) The invalidations the operation asked for.
 *
 * Maps [@gpa, @gpa + @length) onto [@hpa, @hpa + @length), with the
 * largest blocks that alignment allows unless %NPT_OP_NO_BLOCKS.
 */
struct npt_map {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 hpa;
	__aligned_u64 length;
	__u32 prot;
	__u32 attr;
	__aligned_u64 done;
	struct npt_plan plan;
};

#define NPT_MAP			_IO(NPT_TYPE, NPT_CMD_MAP)

/**
 * struct npt_unmap - ioctl(NPT_UNMAP) on a table fd
 * @size:	(in) sizeof(struct npt_unmap).
 * @flags:	(in) %NPT_OP_INTERRUPTIBLE.
 * @gpa:	(in) First guest-physical address, 4 KiB aligned.
 * @length:	(in) Bytes to unmap, a nonzero multiple of 4 KiB.
 * @done:	(out) Bytes handled from @gpa.
 * @plan:	(out) The invalidations the operation asked for.
 *
 * Holes are allowed; blocks that straddle an end are split; table pages
 * left empty are freed.
 */
struct npt_unmap {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 done;
	struct npt_plan plan;
};

#define NPT_UNMAP		_IO(NPT_TYPE, NPT_CMD_UNMAP)

/**
 * struct npt_protect - ioctl(NPT_PROTECT) on a table fd
 * @size:	(in) sizeof(struct npt_protect).
 * @flags:	(in) %NPT_OP_HOLES_OK, %NPT_OP_INTERRUPTIBLE.
 * @gpa:	(in) First guest-physical address, 4 KiB aligned.
 * @length:	(in) Bytes to change, a nonzero multiple of 4 KiB.
 * @prot:	(in) New NPT_PROT_* of every leaf in the range.
 * @attr:	(in) New NPT_MT_* and NPT_ATTR_* of every leaf in the range.
 * @done:	(out) Bytes handled from @gpa.
 * @plan:	(out) The invalidations the operation asked for.
 *
 * Output addresses stay; blocks that straddle an end are split.
 */
struct npt_protect {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__u32 prot;
	__u32 attr;
	__aligned_u64 done;
	struct npt_plan plan;
};

#define NPT_PROTECT		_IO(NPT_TYPE, NPT_CMD_PROTECT)

/**
 * struct npt_collapse - ioctl(NPT_COLLAPSE) on a table fd
 * @size:	(in) sizeof(struct npt_collapse).
 * @flags:	(in) Must be 0.
 * @gpa:	(in) First guest-physical address, 4 KiB aligned.
 * @length:	(in) Bytes to consider, a nonzero multiple of 4 KiB.
 * @done:	(out) Bytes handled from @gpa.
 * @plan:	(out) The invalidations the operation asked for.
 *
 * Replaces every table in the range whose leaves map one aligned,
 * physically contiguous block with identical attributes by that block,
 * and frees the table pages.
 */
struct npt_collapse {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 done;
	struct npt_plan plan;
};

#define NPT_COLLAPSE		_IO(NPT_TYPE, NPT_CMD_COLLAPSE)

/**
 * struct npt_xlate - one translation
 * @gpa:	(in) Guest-physical address.
 * @hpa:	(out) Host-physical address, page offset included; 0 for a
 *		page of a lazy region (kernel memory) unless the caller
 *		may see kernel addresses (CAP_SYS_ADMIN, in the opener
 *		of the fd too).
 * @pte:	(out) The raw leaf entry; the address field of a lazy
 *		page's reads as 0 under the same rule.
 * @prot:	(out) NPT_PROT_* of the leaf.
 * @attr:	(out) NPT_MT_* and NPT_ATTR_* of the leaf.
 * @lvl:	(out) npt level of the leaf (0: 4 KiB, 1: 2 MiB, ...).
 * @error:	(out) 0, or the positive errno of this lookup in a batch
 *		(ENOENT: not mapped, ERANGE: beyond the table's width).
 *
 * Every output field is 0 when @error is nonzero.
 */
struct npt_xlate {
	__aligned_u64 gpa;
	__aligned_u64 hpa;
	__aligned_u64 pte;
	__u32 prot;
	__u32 attr;
	__u32 lvl;
	__u32 error;
};

/**
 * struct npt_translate - ioctl(NPT_TRANSLATE) on a table fd
 * @size:	(in) sizeof(struct npt_translate).
 * @flags:	(in) %NPT_OP_INTERRUPTIBLE (batches only; accepted for
 *		symmetry: a batch always stops on a fatal signal).
 * @x:		(in / out) The lookup when @count is 0.
 * @count:	(in) 0 for the single lookup in @x, else the number of
 *		addresses in @gpas and of results in @results.
 * @entry_size:	(in) With @count: sizeof(struct npt_xlate) as the caller
 *		knows it, at most %NPT_XLATE_ENTRY_MAX; bytes past the
 *		kernel's structure are zeroed.
 * @gpas:	(in) With @count: user pointer to __u64 gpas[@count].
 * @results:	(in) With @count: user pointer to @count results of
 *		@entry_size bytes each.
 * @done:	(out) Results written: @count on success, fewer after
 *		EINTR or EFAULT; 1 after a single lookup.
 * @__reserved:	Must be 0.
 *
 * A single lookup fails with ENOENT or ERANGE as the lookup does; a batch
 * reports those per entry in &struct npt_xlate.error and succeeds.
 */
struct npt_translate {
	__u32 size;
	__u32 flags;
	struct npt_xlate x;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 gpas;
	__aligned_u64 results;
	__u32 done;
	__u32 __reserved;
};

/* The largest result entry a batch translate writes. */
#define NPT_XLATE_ENTRY_MAX	4096

#define NPT_TRANSLATE		_IO(NPT_TYPE, NPT_CMD_TRANSLATE)

/**
 * struct npt_walk - ioctl(NPT_WALK) on a table fd
 * @size:	(in) sizeof(struct npt_walk).
 * @flags:	(in) Must be 0.
 * @gpa:	(in) Guest-physical address to walk.
 * @levels:	(out) Entries read, the root's first: the walk stops at a
 *		leaf or at an entry that is not present.
 * @root_lvl:	(out) npt level of the root; @pte[i] is at level
 *		@root_lvl - i.
 * @pte:	(out) The raw entries.  Unless the caller may see kernel
 *		addresses (CAP_SYS_ADMIN, in the opener of the fd too),
 *		the address field of table entries and of lazy pages'
 *		leaves (kernel memory) reads as 0.
 */
struct npt_walk {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__u32 levels;
	__u32 root_lvl;
	__aligned_u64 pte[NPT_MAX_LEVELS];
};

#define NPT_WALK		_IO(NPT_TYPE, NPT_CMD_WALK)

/* npt_info.info_flags: @root, @ctrl and @root_pa hold real values. */
#define NPT_INFO_ROOT_VALID	_BITUL(0)

/**
 * struct npt_info - ioctl(NPT_INFO) on a table fd
 * @size:	(in) sizeof(struct npt_info).
 * @flags:	(in) Must be 0.
 * @format:	(out) NPT_FORMAT_*.
 * @options:	(out) NPT_OPT_* of the table.
 * @levels:	(out) Levels; the root is npt level @levels - 1.
 * @ia_bits:	(out) Guest-physical width.
 * @oa_bits:	(out) Host-physical width.
 * @root_pages:	(out) Pages of the root (concatenated or wide roots).
 * @vmid:	(out) VMID of the root register.
 * @info_flags:	(out) %NPT_INFO_ROOT_VALID.
 * @table_pages: (out) Table pages in use, root included.
 * @max_pages:	(out) The table's page limit.
 * @tables:	(out) Table pages per npt level.
 * @leaves:	(out) Present leaves per npt level.
 * @root:	(out) EPTP, VTTBR_EL2 or hgatp for this table.
 * @ctrl:	(out) VTCR_EL2 on Arm, else 0.
 * @root_pa:	(out) Physical address of the root.
 * @data_pages:	(out) Pages of lazily backed regions the table owns; they
 *		count against @max_pages together with @table_pages.
 *
 * @root, @ctrl and @root_pa are filled in (and %NPT_INFO_ROOT_VALID set)
 * only when both the caller and the opener of the table fd have
 * CAP_SYS_ADMIN; otherwise they read as 0.
 */
struct npt_info {
	__u32 size;
	__u32 flags;
	__u32 format;
	__u32 options;
	__u32 levels;
	__u32 ia_bits;
	__u32 oa_bits;
	__u32 root_pages;
	__u32 vmid;
	__u32 info_flags;
	__aligned_u64 table_pages;
	__aligned_u64 max_pages;
	__aligned_u64 tables[NPT_MAX_LEVELS];
	__aligned_u64 leaves[NPT_MAX_LEVELS];
	__aligned_u64 root;
	__aligned_u64 ctrl;
	__aligned_u64 root_pa;
	__aligned_u64 data_pages;
};

#define NPT_INFO		_IO(NPT_TYPE, NPT_CMD_INFO)

/*
 * Why an entry stopped a simulated access with %NPT_FAULT_MISCONFIG or
 * %NPT_FAULT_OUTPUT_RANGE (&struct npt_fault_info.reason).
 */
#define NPT_REASON_NONE		0
#define NPT_REASON_W_NO_R	1	/* write without read (EPT, RISC-V) */
#define NPT_REASON_XO		2	/* execute-only without EPT XO */
#define NPT_REASON_MEMTYPE	3	/* reserved memory type / PBMT */
#define NPT_REASON_RSVD		4	/* reserved bits set */
#define NPT_REASON_LEVEL	5	/* leaf or table the level forbids */
#define NPT_REASON_ALIGN	6	/* block output address misaligned */
#define NPT_REASON_OA		7	/* output beyond the output width */

/* EPT basic exit reasons in &struct npt_fault_info.exit_reason. */
#define NPT_EXIT_EPT_VIOLATION	48
#define NPT_EXIT_EPT_MISCONFIG	49

/**
 * struct npt_fault_info - what a simulated access met
 * @fault:	NPT_FAULT_* (%NPT_FAULT_NONE: translated).
 * @lvl:	npt level of the leaf, or of the entry where the walk
 *		stopped (the root's for %NPT_FAULT_INPUT_RANGE).
 * @reason:	NPT_REASON_* for %NPT_FAULT_MISCONFIG and
 *		%NPT_FAULT_OUTPUT_RANGE, else 0.
 * @updated:	NPT_UPD_* flags the access set in the table, as the
 *		hardware would (EPT A/D, Arm hardware AF, RISC-V Svadu).
 * @hpa:	Host-physical address accessed (no fault).  Reads as 0
 *		unless the caller may see kernel addresses (see
 *		&struct npt_info): pages of lazy regions are kernel memory.
 * @syndrome:	What the CPU reports: the EPT exit qualification (0 for a
 *		misconfiguration), ESR_EL2, or the RISC-V scause.
 * @addr:	The faulting-address register: the EPT guest-physical
 *		address, HPFAR_EL2, or htval (GPA >> 2).
 * @exit_reason: EPT basic exit reason (%NPT_EXIT_EPT_VIOLATION,
 *		%NPT_EXIT_EPT_MISCONFIG); 0 for the other formats.
 *
 * Every field but @fault, @lvl, @updated and @hpa is 0 when the access
 * translated.
 */
struct npt_fault_info {
	__u32 fault;
	__u32 lvl;
	__u32 reason;
	__u32 updated;
	__aligned_u64 hpa;
	__aligned_u64 syndrome;
	__aligned_u64 addr;
	__aligned_u64 exit_reason;
};

/**
 * struct npt_access - ioctl(NPT_ACCESS) on a table fd
 * @size:	(in) sizeof(struct npt_access).
 * @flags:	(in) Must be 0.
 * @gpa:	(in) Guest-physical address accessed.
 * @access:	(in) NPT_ACC_*: %NPT_ACC_UEXEC only on EPT with
 *		%NPT_OPT_EPT_MBEC, %NPT_ACC_HLVX only on RISC-V.
 * @__reserved:	Must be 0.
 * @result:	(out) The translation or the fault.
 *
 * Simulates one access the way the CPU's second-stage walker makes it.
 * A fault is a result, not an error: the ioctl succeeds.  A successful
 * access sets the accessed / dirty flags the hardware would set.
 */
struct npt_access {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__u32 access;
	__u32 __reserved;
	struct npt_fault_info result;
};

#define NPT_ACCESS		_IO(NPT_TYPE, NPT_CMD_ACCESS)

/**
 * struct npt_handle_fault - ioctl(NPT_HANDLE_FAULT) on a table fd
 * @size:	(in) sizeof(struct npt_handle_fault).
 * @flags:	(in) Must be 0.
 * @gpa:	(in) The faulting guest-physical address.
 * @access:	(in) NPT_ACC_* of the faulting access.
 * @action:	(out) NPT_RESOLVED_*.
 * @lvl:	(out) npt level of the leaf that now translates @gpa.
 * @__reserved:	Must be 0.
 * @hpa:	(out) Host-physical address of the start of the leaf that now
 *		translates @gpa (a block's base for a block); 0 unless
 *		the caller may see kernel addresses, as &struct
 *		npt_fault_info.hpa.
 * @fault:	(out) The fault as it stood before the resolution.
 * @plan:	(out) The invalidations the resolution made.
 *
 * Resolves a fault the way a hypervisor would: a fault that no longer
 * occurs is %NPT_RESOLVED_SPURIOUS and changes nothing; a missing page of
 * a lazy region is allocated and mapped; a clear access / dirty flag is
 * set; a write to a page that the dirty log of its region write-protected
 * gets write permission back and is logged (a page the caller made
 * read-only stays so).  Anything else is %NPT_RESOLVED_NONE and changes
 * nothing.
 */
struct npt_handle_fault {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__u32 access;
	__u32 action;
	__u32 lvl;
	__u32 __reserved;
	__aligned_u64 hpa;
	struct npt_fault_info fault;
	struct npt_plan plan;
};

#define NPT_HANDLE_FAULT	_IO(NPT_TYPE, NPT_CMD_HANDLE_FAULT)

/**
 * struct npt_set_region - ioctl(NPT_SET_REGION) on a table fd
 * @size:	(in) sizeof(struct npt_set_region).
 * @flags:	(in) %NPT_REGION_DIRTY_LOG, %NPT_REGION_LAZY_BLOCKS.
 * @gpa:	(in) Start of the region, 4 KiB aligned.
 * @length:	(in) Bytes, a multiple of 4 KiB; 0 removes the region that
 *		starts at @gpa (then every other field must be 0).
 * @max_prot:	(in) NPT_PROT_* that lazy faults map with; nonzero.  (A
 *		dirty log gives back the write permission it took away
 *		whatever this says: the caller gave it.)
 * @attr:	(in) NPT_MT_* and NPT_ATTR_* of pages mapped by faults.
 * @backing:	(in) NPT_BACKING_*.
 * @__reserved:	Must be 0.
 *
 * Declares guest memory that NPT_HANDLE_FAULT may resolve faults in, like
 * a KVM memslot.  Regions do not overlap.  With %NPT_REGION_DIRTY_LOG the
 * leaves already in the region are write-protected (pages faults map
 * while that runs are mapped writable, if @max_prot has write, and
 * logged as written); or, on a
 * table whose hardware sets a dirty flag (EPT with %NPT_OPT_EPT_AD,
 * RISC-V with %NPT_OPT_RV_HWAD), they keep their permissions and their
 * dirty flags are cleared, and NPT_GET_DIRTY_LOG harvests the flags.  With
 * %NPT_REGION_LAZY_BLOCKS (lazy regions only) a fault maps a whole 2 MiB
 * block where the region covers the aligned 2 MiB and nothing is mapped
 * in it yet, a 4 KiB page where not or when no block can be allocated;
 * unmapping or re-protecting part of a block splits it and keeps the
 * rest of its data.  Removing a region unmaps nothing; a log that
 * write-protected gives back the write permission it took away.
 */
struct npt_set_region {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__u32 max_prot;
	__u32 attr;
	__u32 backing;
	__u32 __reserved;
};

#define NPT_SET_REGION		_IO(NPT_TYPE, NPT_CMD_SET_REGION)

/*
 * npt_dirty_log.flags: clear the bits read and write-protect the pages
 * again (or, where the hardware sets a dirty flag, clear the flags).
 */
#define NPT_DIRTY_LOG_CLEAR	_BITUL(0)

/* Largest npt_dirty_log.length: one bit per page of 1 TiB. */
#define NPT_DIRTY_LOG_MAX	_BITULL(40)

/**
 * struct npt_dirty_log - ioctl(NPT_GET_DIRTY_LOG) on a table fd
 * @size:	(in) sizeof(struct npt_dirty_log).
 * @flags:	(in) %NPT_DIRTY_LOG_CLEAR or 0.
 * @gpa:	(in) First page, 4 KiB aligned.
 * @length:	(in) Bytes, a nonzero multiple of 4 KiB, at most
 *		%NPT_DIRTY_LOG_MAX; [@gpa, @gpa + @length) must lie inside
 *		one dirty-logged region.
 * @bitmap:	(in) User pointer to the bitmap: __u64 words, one bit per
 *		page, bit (n % 64) of word (n / 64) for page @gpa + n * 4 KiB;
 *		bits past the last page of the last word are written as 0.
 * @done:	(out) Bytes of the range whose bits were written to @bitmap
 *		(and, with %NPT_DIRTY_LOG_CLEAR, cleared).
 * @dirty:	(out) Dirty pages found.
 * @plan:	(out) The invalidations of the write-protection, or of the
 *		dirty flags cleared.
 *
 * Like KVM_GET_DIRTY_LOG with KVM_CLEAR_DIRTY_LOG in one call.  The range
 * is handled in chunks of up to 128 MiB; each chunk is read and cleared
 * atomically, and a write that races with the harvest is either in this
 * bitmap or logged for the next one.  With %NPT_DIRTY_LOG_CLEAR the whole
 * range is checked before any bit is cleared.
 */
struct npt_dirty_log {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 bitmap;
	__aligned_u64 done;
	__aligned_u64 dirty;
	struct npt_plan plan;
};

#define NPT_GET_DIRTY_LOG	_IO(NPT_TYPE, NPT_CMD_GET_DIRTY_LOG)

/* Largest npt_guest_rw.length. */
#define NPT_GUEST_RW_MAX	_BITUL(20)

/**
 * struct npt_guest_rw - ioctl(NPT_READ_GUEST / NPT_WRITE_GUEST) on a table fd
 * @size:	(in) sizeof(struct npt_guest_rw).
 * @flags:	(in) Must be 0.
 * @gpa:	(in) First guest-physical address (any alignment).
 * @buf:	(in) User pointer to @length bytes.
 * @length:	(in) Bytes, 1 to %NPT_GUEST_RW_MAX.
 * @done:	(out) Bytes copied.
 *
 * Copies guest memory through the table, a page at a time.  Only pages
 * the table owns (lazy regions) can be read or written: a page the
 * caller mapped is EPERM, an unmapped one ENOENT; the whole range is
 * checked before anything is copied.  Pages written in a dirty-logged
 * region are logged.  After EFAULT, or when another caller unmapped part
 * of the range meanwhile, @done bytes from @gpa were copied.
 */
struct npt_guest_rw {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 buf;
	__aligned_u64 length;
	__aligned_u64 done;
};

#define NPT_READ_GUEST		_IO(NPT_TYPE, NPT_CMD_READ_GUEST)
#define NPT_WRITE_GUEST		_IO(NPT_TYPE, NPT_CMD_WRITE_GUEST)

/* npt_age_range.flags: clear the accessed flags found (else only test). */
#define NPT_AGE_CLEAR		_BITUL(0)

/* Largest npt_age_range.length: one bit per page of 1 TiB. */
#define NPT_AGE_MAX		_BITULL(40)

/**
 * struct npt_age_range - ioctl(NPT_AGE) on a table fd
 * @size:	(in) sizeof(struct npt_age_range).
 * @flags:	(in) %NPT_AGE_CLEAR or 0.
 * @gpa:	(in) First page, 4 KiB aligned.
 * @length:	(in) Bytes, a nonzero multiple of 4 KiB, at most
 *		%NPT_AGE_MAX.
 * @bitmap:	(in) 0, or a user pointer to a bitmap laid out as
 *		&struct npt_dirty_log's, a bit set for each young page.
 * @done:	(out) Bytes of the range tested (and, with %NPT_AGE_CLEAR,
 *		aged).
 * @young:	(out) Young pages found.
 *
 * Which pages were accessed since they were last aged, as the MMU
 * notifiers' test_young and clear_young ask: a page is young when the
 * leaf mapping it has its accessed flag (EPT A, Arm AF, RISC-V A).  A
 * block's pages are all young or all old, and a block the range covers
 * in part is aged whole.  Nothing is invalidated: the flag is a hint.
 * Where no hardware sets it (Arm without %NPT_OPT_S2_HA, RISC-V without
 * %NPT_OPT_RV_HWAD) the next access through an aged leaf faults and
 * NPT_HANDLE_FAULT sets the flag again.  EOPNOTSUPP on EPT without
 * %NPT_OPT_EPT_AD, which has no accessed flag.  The range is handled in
 * chunks of up to 128 MiB, each atomically (a block that goes on into
 * the next chunk is cleared there).  The whole bitmap is zeroed first, so
 * a bitmap that cannot be written fails (EFAULT) before any flag is
 * cleared; one unmapped meanwhile stops the call after @done bytes from
 * @gpa, aged and reported, and may leave the next chunk aged too.
 */
struct npt_age_range {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 bitmap;
	__aligned_u64 done;
	__aligned_u64 young;
};

#define NPT_AGE			_IO(NPT_TYPE, NPT_CMD_AGE)

#endif /* _UAPI_NPT_H */
