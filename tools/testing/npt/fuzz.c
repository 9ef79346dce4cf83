// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the libFuzzer target.  The input chooses the
 * format, the table's configuration and every operation of the
 * differential runner; any failed check aborts.
 */
#include <stdlib.h>
#include "runner.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	if (runner_fuzz_one(data, len))
		abort();
	return 0;
}
