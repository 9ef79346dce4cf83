// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the benchmark.  Per format, on 1 GiB at 4 KiB
 * pages and on 1 GiB of 2 MiB blocks: map, translate of 1M random GPAs,
 * one at a time and 64 at a time (npt_translate_many()), translate of
 * the same GPAs in ascending order, the generic walk of the
 * random GPAs inlined and a bare random load from the table pages (the
 * floor under translate on this machine at this moment), a read and a
 * write of one entry per page (the floor under protect), protect, unmap
 * and destroy; table pages used and the peak RSS of the process that ran
 * the format.  Each figure is the median of several runs, printed as
 * "bench: FORMAT OP VALUE UNIT".
 *
 * The core is built as the kernel builds it (see the Makefile), and a
 * read-side RCU section costs what it costs in a kernel without
 * preemption: nothing.
 *
 * -f runs one format only (its name as printed).  With -c the operations
 * run once each between callgrind client requests, so that
 * bench-callgrind.sh can read instruction counts per operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <valgrind/callgrind.h>
#include <linux/kernel.h>
#include "host.h"
#include "../../../kunit/npt_ref.h"

#define GIB		(1ULL << 30)
#define NR_LOOKUPS	(1U << 20)
/* Addresses per npt_translate_many() call. */
#define MANY		64
#define MAX_RUNS	31

static bool callgrind;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum {
	B_MAP, B_RAND, B_MANY, B_SEQ, B_WALK, B_LOAD, B_RMW, B_PROT, B_UNMAP,
	B_DESTROY, B_NR
};

static const char *const op_name[] = {
	"map", "translate-random", "translate-many-random", "translate-seq",
	"walk-random", "load-random", "rmw-seq", "protect", "unmap", "destroy",
};

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench: %s failed: %d\n", what, ret);
	exit(1);
}

static struct npt_table *make(u32 format, struct npt_test_mm *mm)
{
	struct npt_config cfg = {
		.format = format,
		.mm = &npt_test_mm_linear_ops,
		.mm_arg = mm,
	};
	struct npt_table *t;
	int ret;

	/* 32 MiB of fake physical memory: twice what 1 GiB at 4 KiB needs. */
	npt_test_mm_init_linear(mm, 1ULL << 32, 1ULL << 13);
	ret = npt_table_create(&cfg, &t);
	if (ret)
		die("npt_table_create", ret);
	return t;
}

#define CG_START()	do { if (callgrind) CALLGRIND_ZERO_STATS; } while (0)
#define CG_STOP(name)	do { if (callgrind) CALLGRIND_DUMP_STATS_AT(name); } while (0)

/*
 * One run over [gpa, gpa + 1 GiB): @blocks selects 2 MiB blocks (hpa
 * 2 MiB but not 1 GiB aligned) instead of NPT_OP_NO_BLOCKS.
 */
static void run(u32 format, bool blocks, const u64 *rnd_gpa,
		const u64 *seq_gpa, double *ns, u64 *pages)
{
	const char *fmt = ref_name(format);
	u64 gpa = GIB, hpa = 5 * GIB + (blocks ? 2ULL << 20 : 0), sum = 0;
	u32 flags = blocks ? 0 : NPT_OP_NO_BLOCKS, i;
	struct npt_translation tr, many[MANY];
	struct npt_op_result res;
	struct npt_test_mm mm;
	struct npt_stats st;
	struct npt_table *t = make(format, &mm);
	char name[64];
	double t0;
	int ret;

	snprintf(name, sizeof(name), "%s %s map", fmt, blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	ret = npt_map(t, gpa, hpa, GIB, NPT_PROT_R | NPT_PROT_W, NPT_MT_WB,
		      flags, &res);
	ns[B_MAP] = now_ns() - t0;
	CG_STOP(name);
	if (ret)
		die("npt_map", ret);
	npt_get_stats(t, &st);
	*pages = st.table_pages;

	snprintf(name, sizeof(name), "%s %s translate-random", fmt,
		 blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < NR_LOOKUPS; i++) {
		npt_translate(t, rnd_gpa[i], &tr);
		sum += tr.hpa;
	}
	ns[B_RAND] = now_ns() - t0;
	CG_STOP(name);

	snprintf(name, sizeof(name), "%s %s translate-many-random", fmt,
		 blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < NR_LOOKUPS; i += MANY) {
		unsigned int j;

		if (npt_translate_many(t, rnd_gpa + i, many, MANY) != MANY)
			die("npt_translate_many", -ENOENT);
		for (j = 0; j < MANY; j++)
			sum += many[j].hpa;
	}
	ns[B_MANY] = now_ns() - t0;
	CG_STOP(name);

	snprintf(name, sizeof(name), "%s %s translate-seq", fmt,
		 blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < NR_LOOKUPS; i++) {
		npt_translate(t, seq_gpa[i], &tr);
		sum += tr.hpa;
	}
	ns[B_SEQ] = now_ns() - t0;
	CG_STOP(name);

	/*
	 * The same random walks inlined here, without the call, the RCU
	 * section, the decode and the result, but with the entry facts and
	 * the root level read from the table, where each format's translate
	 * has them as constants.
	 */
	snprintf(name, sizeof(name), "%s %s walk-random", fmt,
		 blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < NR_LOOKUPS; i++) {
		int lvl;

		sum += npt_lookup_fmt(t, rnd_gpa[i], &lvl,
				      npt_walk_facts_of(t));
	}
	ns[B_WALK] = now_ns() - t0;
	CG_STOP(name);

	/*
	 * The one access no walk avoids: a load from the leaf entry each
	 * random GPA would have if the leaf tables were one array at the
	 * start of the arena, where the table pages are.
	 */
	snprintf(name, sizeof(name), "%s %s load-random", fmt,
		 blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < NR_LOOKUPS; i++)
		sum += READ_ONCE(((u64 *)mm.arena)[(rnd_gpa[i] - gpa) >>
						   (blocks ? 21 : 12)]);
	ns[B_LOAD] = now_ns() - t0;
	CG_STOP(name);
	if (sum == 42)
		printf("\n");

	/*
	 * The floor under protect: one read and one write of an entry per
	 * page, in order, over as many entries at the start of the arena
	 * (each written back unchanged).
	 */
	snprintf(name, sizeof(name), "%s %s rmw-seq", fmt, blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	for (i = 0; i < GIB >> (blocks ? 21 : 12); i++) {
		u64 *e = (u64 *)mm.arena + i;

		WRITE_ONCE(*e, READ_ONCE(*e));
	}
	ns[B_RMW] = now_ns() - t0;
	CG_STOP(name);

	snprintf(name, sizeof(name), "%s %s protect", fmt, blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	ret = npt_protect(t, gpa, GIB, NPT_PROT_R, NPT_MT_WB, 0, &res);
	ns[B_PROT] = now_ns() - t0;
	CG_STOP(name);
	if (ret)
		die("npt_protect", ret);

	snprintf(name, sizeof(name), "%s %s unmap", fmt, blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	ret = npt_unmap(t, gpa, GIB, 0, &res);
	ns[B_UNMAP] = now_ns() - t0;
	CG_STOP(name);
	if (ret)
		die("npt_unmap", ret);

	/* Destroy a full table. */
	ret = npt_map(t, gpa, hpa, GIB, NPT_PROT_R | NPT_PROT_W, NPT_MT_WB,
		      flags, &res);
	if (ret)
		die("npt_map", ret);
	snprintf(name, sizeof(name), "%s %s destroy", fmt, blocks ? "2m" : "4k");
	CG_START();
	t0 = now_ns();
	npt_table_destroy(t);
	ns[B_DESTROY] = now_ns() - t0;
	CG_STOP(name);
	if (mm.live)
		die("live pages after destroy", (int)mm.live);
	npt_test_mm_fini(&mm);
}

static void bench_format(u32 format, int runs)
{
	const char *fmt = ref_name(format);
	u64 *rnd_gpa = malloc(NR_LOOKUPS * sizeof(u64));
	u64 *seq_gpa = malloc(NR_LOOKUPS * sizeof(u64));
	double ns[2][B_NR][MAX_RUNS];
	u64 pages[2] = { 0 }, x = 88172645463325252ULL;
	struct rusage ru;
	int b, r, op;
	u32 i;

	for (i = 0; i < NR_LOOKUPS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		rnd_gpa[i] = GIB + (x & (GIB - 1));
	}
	memcpy(seq_gpa, rnd_gpa, NR_LOOKUPS * sizeof(u64));
	qsort(seq_gpa, NR_LOOKUPS, sizeof(u64), cmp_u64);

	for (b = 0; b < 2; b++)
		for (r = 0; r < runs; r++) {
			double v[B_NR];

			run(format, b, rnd_gpa, seq_gpa, v, &pages[b]);
			for (op = 0; op < B_NR; op++)
				ns[b][op][r] = v[op];
		}
	if (callgrind)
		return;
	for (b = 0; b < 2; b++) {
		/* Per 4 KiB page, or per 2 MiB block. */
		double units = b ? 512 : GIB >> 12;

		for (op = 0; op < B_NR; op++) {
			double m = median(ns[b][op], runs);
			bool lookup = op == B_RAND || op == B_MANY ||
				      op == B_SEQ ||
				      op == B_WALK || op == B_LOAD;

			printf("bench: %s %s%s %.2f %s\n", fmt, op_name[op],
			       b ? "2m" : "4k",
			       m / (lookup ? NR_LOOKUPS : units),
			       lookup ? "ns" : b ? "ns/block" : "ns/page");
		}
		printf("bench: %s table-pages%s %llu pages\n", fmt,
		       b ? "2m" : "4k", (unsigned long long)pages[b]);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("bench: %s peak-rss %ld KiB\n", fmt, ru.ru_maxrss);
	fflush(stdout);
	free(rnd_gpa);
	free(seq_gpa);
}

int main(int argc, char **argv)
{
	static const u32 formats[] = {
		NPT_FORMAT_EPT4, NPT_FORMAT_EPT5, NPT_FORMAT_ARM64_S2,
		NPT_FORMAT_SV39X4, NPT_FORMAT_SV48X4,
	};
	const char *only = NULL;
	int runs = 5, c;
	unsigned int i;

	while ((c = getopt(argc, argv, "r:cf:")) != -1) {
		switch (c) {
		case 'r':
			runs = atoi(optarg);
			break;
		case 'f':
			only = optarg;
			break;
		case 'c':
			callgrind = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-r runs] [-c] [-f format]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs < 1 || callgrind)
		runs = 1;
	if (runs > MAX_RUNS)
		runs = MAX_RUNS;
	npt_test_mm_set_fast(true);
	printf("bench: %d runs per figure, median; 1 GiB at GPA 1 GiB; %u "
	       "lookups\n", runs, NR_LOOKUPS);
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		pid_t pid;
		int status;

		if (only && strcmp(only, ref_name(formats[i])))
			continue;
		if (callgrind) {
			bench_format(formats[i], 1);
			continue;
		}
		/* A process per format, so that its peak RSS is its own. */
		fflush(stdout);
		pid = fork();
		if (!pid) {
			bench_format(formats[i], runs);
			exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	return 0;
}
