// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the check program.  Runs, per format, the
 * creation checks, the differential runner and the allocation-failure
 * sweep, and prints one "PASS name" / "FAIL name" line per test case.
 *
 * Usage: npt_check [-s SEED] [-n STEPS] [-t TABLES] [-f FORMAT] [-p PREFIX]
 *                  [-x NPT_OP_FLAGS_TO_LEAVE_OUT] [-S TABLE_SEED]
 *
 * -S reruns the one table a FAIL line names (its seed= value) for -n
 * steps; use it with -f.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runner.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	u64 seed = 0, steps = 20000, table_seed = 0;
	u32 tables = 20, only = 0, i, op;
	const char *prefix = "";
	int c, failed = 0, passed = 0;

	/* A sanitizer report ends the process: keep every line before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "s:n:t:f:p:x:S:")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			steps = strtoull(optarg, NULL, 0);
			break;
		case 't':
			tables = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			for (i = 0; i < npt_test_nr_formats; i++)
				if (!strcmp(optarg, ref_name(npt_test_formats[i])))
					only = npt_test_formats[i];
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'S':
			table_seed = strtoull(optarg, NULL, 0);
			break;
		case 'x':
			npt_test_avoid_flags = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s seed] [-n steps] "
				"[-t tables] [-f format] [-p prefix]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seed)
		seed = (u64)time(NULL) * 1000003ULL ^ (u64)getpid();
	printf("seed %llu (rerun with -s %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	if (tables < 1)
		tables = 1;

	for (i = 0; i < npt_test_nr_formats; i++) {
		u32 fmt = npt_test_formats[i], cases = 0;
		const char *name = ref_name(fmt);
		struct runner_stats st = { 0 };
		double t0;
		int ret;

		if (only && fmt != only)
			continue;
		ret = create_format(fmt, &cases);
		printf("%s %screate-%s (%u configurations)\n",
		       ret ? "FAIL" : "PASS", prefix, name, cases);
		ret ? failed++ : passed++;

		t0 = now();
		if (table_seed)
			ret = runner_format(fmt, table_seed, steps, 1, &st);
		else
			ret = runner_format(fmt, seed + 1000 * fmt, steps,
					    tables, &st);
		printf("%s %srunner-%s: %llu steps on %llu tables in %.1f s, "
		       "seed %llu; %llu audits, %llu address checks, %llu "
		       "translate_many checks, max %llu "
		       "table pages, %llu EINTR, %llu ENOSPC, %llu blocks "
		       "folded, %llu lazy pages, %llu lazy blocks, %llu full "
		       "tables audited, %llu logged writes resolved, %llu "
		       "dirty pages harvested, %llu regions removed\n",
		       ret ? "FAIL" : "PASS", prefix, name,
		       (unsigned long long)st.steps,
		       (unsigned long long)st.tables, now() - t0,
		       (unsigned long long)(table_seed ?: seed + 1000 * fmt),
		       (unsigned long long)st.audits,
		       (unsigned long long)st.gpa_checks,
		       (unsigned long long)st.many_checks,
		       (unsigned long long)st.max_pages,
		       (unsigned long long)st.eintr,
		       (unsigned long long)st.enospc,
		       (unsigned long long)st.collapsed,
		       (unsigned long long)st.lazy,
		       (unsigned long long)st.lazy_blocks,
		       (unsigned long long)st.full_tables,
		       (unsigned long long)st.log_resolved,
		       (unsigned long long)st.log_harvested,
		       (unsigned long long)st.regions_ended);
		printf("     ops (ok/error):");
		for (op = 0; op < NPT_TEST_OPS; op++)
			printf(" %s %llu/%llu", npt_test_op_name[op],
			       (unsigned long long)st.ok[op],
			       (unsigned long long)st.err[op]);
		if (st.ambiguous_ok || st.ambiguous_einval)
			printf("; write-only leaves accepted %llu, refused %llu",
			       (unsigned long long)st.ambiguous_ok,
			       (unsigned long long)st.ambiguous_einval);
		printf("\n");
		ret ? failed++ : passed++;

		cases = 0;
		ret = sweep_format(fmt, &cases);
		printf("%s %ssweep-%s (%u failure points)\n",
		       ret ? "FAIL" : "PASS", prefix, name, cases);
		ret ? failed++ : passed++;
		fflush(stdout);
	}
	printf("%s%d passed, %d failed\n", prefix, passed, failed);
	return failed ? 1 : 0;
}
