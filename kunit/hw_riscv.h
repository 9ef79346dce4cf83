/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt KUnit: the assembly side of suite npt_hw_riscv (hw_riscv_trap.S).
 */
#ifndef _NPT_HW_RISCV_H
#define _NPT_HW_RISCV_H

#include <linux/types.h>

/**
 * struct hw_rv_trap - what the trap stub records (layout shared with
 *		       hw_riscv_trap.S)
 * @sepc:	Address of the faulting instruction; 0 when nothing trapped.
 * @scause:	Cause.
 * @stval:	Faulting (guest-virtual) address.
 * @htval:	Faulting guest-physical address >> 2.
 * @htinst:	Transformed instruction or 0.
 */
struct hw_rv_trap {
	unsigned long sepc;
	unsigned long scause;
	unsigned long stval;
	unsigned long htval;
	unsigned long htinst;
};

/* stvec while an access runs. */
extern const char npt_hw_rv_trap[];

/* HLV.D, HLVX.WU and HSV.D at @gpa; a fault is recorded in @trap. */
u64 npt_hw_rv_hlv_d(u64 gpa, struct hw_rv_trap *trap);
u64 npt_hw_rv_hlvx_wu(u64 gpa, struct hw_rv_trap *trap);
void npt_hw_rv_hsv_d(u64 gpa, u64 val, struct hw_rv_trap *trap);

/* HFENCE.GVMA: one address and VMID, one VMID, everything. */
void npt_hw_rv_hfence_gpa(unsigned long gpa, unsigned long vmid);
void npt_hw_rv_hfence_vmid(unsigned long vmid);
void npt_hw_rv_hfence_all(void);

#endif /* _NPT_HW_RISCV_H */
