// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the libFuzzer target.  The input chooses the
 * format, the table's configuration and every operation of the
 * differential runner; any failed check aborts.  NPT_AVOID in the
 * environment names NPT_OP_* flags the runner leaves out.
 */
#include <stdlib.h>
#include "runner.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *avoid = getenv("NPT_AVOID");

	if (avoid)
		npt_test_avoid_flags = strtoul(avoid, NULL, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	if (runner_fuzz_one(data, len))
		abort();
	return 0;
}
