/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt user-space harness: the differential runner, the allocation-failure
 * sweep and the table audit, shared by the check program and the fuzzer.
 */
#ifndef _NPT_TEST_RUNNER_H
#define _NPT_TEST_RUNNER_H

#include "host.h"
#include "model.h"
#include "../../../kunit/npt_ref.h"

/* Where random choices come from: a seeded generator or fuzzer input. */
struct rsrc {
	u64 s;
	const u8 *data;
	size_t len;
	size_t pos;
	bool fuzz;
};

/* Kinds of call the runner makes (npt_test_op_name[]). */
#define NPT_TEST_OPS	12

struct runner_stats {
	u64 steps;
	u64 tables;
	u64 ok[NPT_TEST_OPS];
	u64 err[NPT_TEST_OPS];
	u64 eintr;
	u64 enospc;
	u64 collapsed;
	u64 lazy;
	u64 lazy_blocks;
	u64 audits;
	u64 full_tables;
	u64 log_resolved;
	u64 log_harvested;
	u64 regions_ended;
	u64 gpa_checks;
	u64 many_checks;
	u64 max_pages;
	u64 ambiguous_ok;
	u64 ambiguous_einval;
};

extern const u32 npt_test_formats[];
extern const unsigned int npt_test_nr_formats;
extern const char *const npt_test_op_name[];
/* Flags the runner leaves out of the calls it makes (-x). */
extern u32 npt_test_avoid_flags;

/* All return 0 when every check passed. */
int runner_format(u32 format, u64 seed, u64 steps, u32 tables,
		  struct runner_stats *st);
int runner_fuzz_one(const u8 *data, size_t len);
int sweep_format(u32 format, u32 *cases);
int create_format(u32 format, u32 *cases);

#endif /* _NPT_TEST_RUNNER_H */
