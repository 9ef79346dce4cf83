/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt KUnit: the hypervisor loads and stores of suite npt_hw_riscv, and the
 * trap stub that records their guest-page faults.
 *
 * Each access function loads t0 with the address of a struct hw_rv_trap
 * and executes one 4-byte HLV/HSV instruction.  While the test runs it, the
 * test points stvec at npt_hw_rv_trap: a fault there lands in the stub,
 * which fills the record, steps sepc over the instruction and returns.  The
 * stub uses only t0 and t1, which the C caller treats as clobbered.
 */

#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/csr.h>

/* struct hw_rv_trap */
#define HW_TRAP_SEPC	0
#define HW_TRAP_SCAUSE	8
#define HW_TRAP_STVAL	16
#define HW_TRAP_HTVAL	24
#define HW_TRAP_HTINST	32

	.text
	.balign 4
SYM_CODE_START(npt_hw_rv_trap)
	csrr	t1, CSR_SEPC
	REG_S	t1, HW_TRAP_SEPC(t0)
	addi	t1, t1, 4
	csrw	CSR_SEPC, t1
	csrr	t1, CSR_SCAUSE
	REG_S	t1, HW_TRAP_SCAUSE(t0)
	csrr	t1, CSR_STVAL
	REG_S	t1, HW_TRAP_STVAL(t0)
	csrr	t1, CSR_HTVAL
	REG_S	t1, HW_TRAP_HTVAL(t0)
	csrr	t1, CSR_HTINST
	REG_S	t1, HW_TRAP_HTINST(t0)
	sret
SYM_CODE_END(npt_hw_rv_trap)

/* u64 npt_hw_rv_hlv_d(u64 gpa, struct hw_rv_trap *trap): HLV.D a0, (a0) */
SYM_FUNC_START(npt_hw_rv_hlv_d)
	mv	t0, a1
	.insn	r 0x73, 0x4, 0x36, a0, a0, x0
	ret
SYM_FUNC_END(npt_hw_rv_hlv_d)

/* u64 npt_hw_rv_hlvx_wu(u64 gpa, struct hw_rv_trap *trap): HLVX.WU */
SYM_FUNC_START(npt_hw_rv_hlvx_wu)
	mv	t0, a1
	.insn	r 0x73, 0x4, 0x34, a0, a0, x3
	ret
SYM_FUNC_END(npt_hw_rv_hlvx_wu)

/* void npt_hw_rv_hsv_d(u64 gpa, u64 val, struct hw_rv_trap *trap): HSV.D */
SYM_FUNC_START(npt_hw_rv_hsv_d)
	mv	t0, a2
	.insn	r 0x73, 0x4, 0x37, x0, a0, a1
	ret
SYM_FUNC_END(npt_hw_rv_hsv_d)

/* void npt_hw_rv_hfence_gpa(unsigned long gpa, unsigned long vmid) */
SYM_FUNC_START(npt_hw_rv_hfence_gpa)
	srli	a0, a0, 2
	.insn	r 0x73, 0x0, 0x31, x0, a0, a1
	ret
SYM_FUNC_END(npt_hw_rv_hfence_gpa)

/* void npt_hw_rv_hfence_vmid(unsigned long vmid) */
SYM_FUNC_START(npt_hw_rv_hfence_vmid)
	.insn	r 0x73, 0x0, 0x31, x0, x0, a0
	ret
SYM_FUNC_END(npt_hw_rv_hfence_vmid)

/* void npt_hw_rv_hfence_all(void) */
SYM_FUNC_START(npt_hw_rv_hfence_all)
	.insn	r 0x73, 0x0, 0x31, x0, x0, x0
	ret
SYM_FUNC_END(npt_hw_rv_hfence_all)
