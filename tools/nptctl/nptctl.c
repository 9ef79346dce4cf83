// SPDX-License-Identifier: GPL-2.0-only
/*
 * nptctl - drive /dev/npt from the command line or from a script.
 *
 * A table lives as long as its fd, so one invocation works on one table at
 * a time: either the commands given as arguments (separated by ";") or a
 * script of them, one per line (-f FILE, "-" for stdin).  A line starting
 * with "!" is expected to fail: its error is printed and the script goes
 * on.  See "nptctl help".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "npt_uapi.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS	32
#define MAX_BATCH	256
#define NR_OPTIONS	7

static const char *dev_path = "/dev/npt";
static bool json;
static int dev_fd = -1;
static int table_fd = -1;
static __u32 table_format;
static unsigned int lineno;

static const char *const format_names[] = {
	[NPT_FORMAT_EPT4] = "ept4",
	[NPT_FORMAT_EPT5] = "ept5",
	[NPT_FORMAT_ARM64_S2] = "arm64",
	[NPT_FORMAT_SV39X4] = "sv39x4",
	[NPT_FORMAT_SV48X4] = "sv48x4",
};

static const char *const option_names[NR_OPTIONS] = {
	"ad", "xo", "mbec", "fwb", "ha", "svpbmt", "hwad",
};

static const char *const mt_names[] = {
	[NPT_MT_WB] = "wb", [NPT_MT_NC] = "nc", [NPT_MT_DEVICE] = "device",
	[NPT_MT_WT] = "wt", [NPT_MT_WP] = "wp",
};

/* Names of each format's levels, by npt level (0 = 4 KiB leaves). */
static const char *const lvl_names[][NPT_MAX_LEVELS] = {
	[NPT_FORMAT_EPT4] = { "PTE", "PDE", "PDPTE", "PML4E", "PML5E" },
	[NPT_FORMAT_EPT5] = { "PTE", "PDE", "PDPTE", "PML4E", "PML5E" },
	[NPT_FORMAT_ARM64_S2] = { "L3", "L2", "L1", "L0", "L-1" },
	[NPT_FORMAT_SV39X4] = { "L0", "L1", "L2", "L3", "L4" },
	[NPT_FORMAT_SV48X4] = { "L0", "L1", "L2", "L3", "L4" },
};

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
	{ EBADF, "EBADF" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
	{ E2BIG, "E2BIG" }, { EOVERFLOW, "EOVERFLOW" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
};

static const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "E?";
}

/* JSON output: one object per line, built field by field. */
static void j_begin(const char *cmd)
{
	printf("{\"cmd\":\"%s\"", cmd);
}

static void j_str(const char *key, const char *val)
{
	printf(",\"%s\":\"%s\"", key, val);
}

static void j_hex(const char *key, __u64 val)
{
	printf(",\"%s\":\"0x%llx\"", key, val);
}

static void j_num(const char *key, __u64 val)
{
	printf(",\"%s\":%llu", key, val);
}

static void j_bool(const char *key, bool val)
{
	printf(",\"%s\":%s", key, val ? "true" : "false");
}

static void j_end(void)
{
	printf("}\n");
}

/* Print "nptctl: line N: what: strerror (ENAME)"; return -1. */
static int __attribute__((format(printf, 2, 3)))
fail_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "nptctl: ");
	if (lineno)
		fprintf(stderr, "line %u: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s (%s)", strerror(err), errno_name(err));
	fprintf(stderr, "\n");
	if (json && err) {
		j_begin("error");
		j_str("error", errno_name(err));
		j_num("errno", err);
		j_end();
	}
	return -1;
}

#define fail(...)	fail_errno(0, __VA_ARGS__)

/* Numbers: decimal or 0x hex, with an optional K, M, G, T or P suffix. */
static int parse_u64(const char *s, __u64 *v)
{
	static const char units[] = "KMGTP";
	unsigned int shift = 0;
	const char *u;
	char *end;

	if (!*s || *s == '-')
		return fail("bad number '%s'", s);
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno)
		return fail("bad number '%s'", s);
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || end[1])
			return fail("bad number '%s'", s);
		shift = 10 * (u - units + 1);
		if (*v >> (64 - shift))
			return fail("number '%s' too large", s);
		*v <<= shift;
	}
	return 0;
}

/* "rwx", "r-x", "rwxu" (u: user execute, EPT MBEC), "-" for none. */
static int parse_prot(const char *s, __u32 *prot)
{
	static const char letters[] = "rwxu";
	const char *l;

	*prot = 0;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		l = strchr(letters, *s);
		if (!l)
			return fail("bad permission '%c' (use r, w, x, u)", *s);
		*prot |= 1U << (l - letters);
	}
	return 0;
}

static const char *prot_str(__u32 prot)
{
	static char buf[4][8];
	static int n;
	char *b = buf[n++ & 3];

	snprintf(b, 8, "%c%c%c%s", prot & NPT_PROT_R ? 'r' : '-',
		 prot & NPT_PROT_W ? 'w' : '-', prot & NPT_PROT_X ? 'x' : '-',
		 prot & NPT_PROT_UX ? "u" : "");
	return b;
}

static const char *attr_str(__u32 attr)
{
	static char buf[4][32];
	static int n;
	char *b = buf[n++ & 3];
	__u32 mt = attr & NPT_ATTR_MT_MASK;

	snprintf(b, 32, "%s%s", mt <= NPT_MT_MAX ? mt_names[mt] : "mt?",
		 attr & NPT_ATTR_IPAT ? "+ipat" : "");
	return b;
}

static const char *size_str(__u64 size)
{
	static const char units[] = "KMGTP";
	static char buf[4][32];
	static int n;
	char *b = buf[n++ & 3];
	int u = -1;

	while (size >= 1024 && !(size & 1023) && u < 4) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(b, 32, "%llu B", size);
	else
		snprintf(b, 32, "%llu %ciB", size, units[u]);
	return b;
}

static const char *format_str(__u32 format)
{
	if (format && format <= NPT_FORMAT_MAX)
		return format_names[format];
	return "?";
}

static const char *lvl_str(__u32 lvl)
{
	if (table_format && table_format <= NPT_FORMAT_MAX &&
	    lvl < NPT_MAX_LEVELS)
		return lvl_names[table_format][lvl];
	return "?";
}

static __u64 lvl_size(unsigned int lvl)
{
	return 1ULL << (12 + 9 * lvl);
}

/* Keyword arguments of map, unmap and protect. */
struct op_args {
	__u32 flags;
	__u32 attr;
};

static int parse_op_word(const char *w, struct op_args *a, __u32 valid)
{
	static const struct {
		const char *name;
		__u32 flag;
	} words[] = {
		{ "replace", NPT_OP_REPLACE }, { "noblocks", NPT_OP_NO_BLOCKS },
		{ "old", NPT_OP_OLD }, { "holes", NPT_OP_HOLES_OK },
		{ "intr", NPT_OP_INTERRUPTIBLE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcmp(w, words[i].name) && (words[i].flag & valid)) {
			a->flags |= words[i].flag;
			return 0;
		}
	}
	if (valid & NPT_OP_HOLES_OK || valid & NPT_OP_REPLACE) {
		if (!strcmp(w, "ipat")) {
			a->attr |= NPT_ATTR_IPAT;
			return 0;
		}
		for (i = 0; i <= NPT_MT_MAX; i++) {
			if (!strcmp(w, mt_names[i])) {
				a->attr = (a->attr & ~NPT_ATTR_MT_MASK) | i;
				return 0;
			}
		}
	}
	return fail("unknown word '%s'", w);
}

/* The plan's fields of a JSON object. */
static void j_plan(const struct npt_plan *p)
{
	__u32 i, nr = p->nr < NPT_PLAN_RANGES ? p->nr : NPT_PLAN_RANGES;

	j_bool("plan_all", p->flags & NPT_PLAN_ALL);
	j_bool("plan_tables", p->flags & NPT_PLAN_TABLES);
	printf(",\"plan\":[");
	for (i = 0; i < nr; i++) {
		printf("%s{\"lvl\":%u", i ? "," : "", p->range[i].lvl);
		j_hex("gpa", p->range[i].gpa);
		j_hex("length", p->range[i].length);
		printf("}");
	}
	printf("]");
}

/* What a mutation did: how far it got and what it asks to invalidate. */
static void print_plan(const char *cmd, __u64 done, const struct npt_plan *p)
{
	__u32 i, nr = p->nr < NPT_PLAN_RANGES ? p->nr : NPT_PLAN_RANGES;

	if (json) {
		j_begin(cmd);
		j_hex("done", done);
		j_plan(p);
		j_end();
		return;
	}
	if (strcmp(cmd, "fault"))
		printf("  done %s; invalidate:", size_str(done));
	else
		printf("  invalidate:");
	if (p->flags & NPT_PLAN_ALL)
		printf(" the whole table");
	else if (!nr)
		printf(" nothing");
	for (i = 0; i < nr; i++)
		printf(" [0x%llx +%s L%u]", p->range[i].gpa,
		       size_str(p->range[i].length), p->range[i].lvl);
	if (p->flags & NPT_PLAN_TABLES)
		printf(", tables too");
	printf("\n");
}

static int need_table(const char *cmd)
{
	if (table_fd < 0)
		return fail("%s: no table (use create first)", cmd);
	return 0;
}

static int open_dev(void)
{
	if (dev_fd >= 0)
		return 0;
	dev_fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		return fail_errno(errno, "open %s", dev_path);
	return 0;
}

static int get_info(struct npt_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(table_fd, NPT_INFO, info))
		return fail_errno(errno, "info");
	return 0;
}

static int parse_format(const char *s, __u32 *format)
{
	__u32 f;

	for (f = 1; f <= NPT_FORMAT_MAX; f++) {
		if (!strcmp(s, format_names[f])) {
			*format = f;
			return 0;
		}
	}
	if (!strcmp(s, "s2")) {
		*format = NPT_FORMAT_ARM64_S2;
		return 0;
	}
	return fail("unknown format '%s' (ept4 ept5 arm64 sv39x4 sv48x4)", s);
}

static void print_bits(const char *const *names, size_t n, __u32 bits)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bits & (1U << i) && names[i])
			printf(" %s", names[i]);
}

/* caps [FORMAT] */
static int cmd_caps(int argc, char **argv)
{
	struct npt_caps c = { .size = sizeof(c) };
	__u32 f, i = 0;

	if (open_dev())
		return -1;
	if (argc > 1 && parse_format(argv[1], &c.format))
		return -1;
	if (ioctl(dev_fd, NPT_GET_CAPS, &c))
		return fail_errno(errno, "caps");
	if (json) {
		j_begin("caps");
		printf(",\"formats\":[");
		for (f = 1; f <= NPT_FORMAT_MAX; f++)
			if (c.formats & (1U << f))
				printf("%s\"%s\"", i++ ? "," : "",
				       format_names[f]);
		printf("]");
		j_num("max_table_pages", c.max_table_pages);
		j_hex("host_formats", c.host_formats);
		j_hex("host_leaf_lvls", c.host_leaf_lvls);
		j_hex("host_options", c.host_options);
		j_num("host_oa_bits", c.host_oa_bits);
		j_num("host_vmid_bits", c.host_vmid_bits);
		if (c.format) {
			j_hex("options", c.options);
			j_hex("prot", c.prot);
			j_hex("memtypes", c.memtypes);
			j_num("min_ia_bits", c.min_ia_bits);
			j_num("max_ia_bits", c.max_ia_bits);
			j_num("max_oa_bits", c.max_oa_bits);
		}
		j_end();
		return 0;
	}
	printf("formats:");
	print_bits(format_names, ARRAY_SIZE(format_names), c.formats);
	printf("\nthis CPU's walker:");
	print_bits(format_names, ARRAY_SIZE(format_names), c.host_formats);
	if (c.host_formats) {
		printf(", options:");
		print_bits(option_names, NR_OPTIONS, c.host_options);
		printf(", %u-bit HPA, leaf levels %#x, %u-bit VMID",
		       c.host_oa_bits, c.host_leaf_lvls, c.host_vmid_bits);
	} else {
		printf(" none (no VMX, EL2 or H extension visible)");
	}
	printf("\nlargest table: %llu pages; %u plan ranges\n",
	       c.max_table_pages, c.plan_ranges);
	if (!c.format)
		return 0;
	printf("%s: GPA %u..%u bits, HPA up to %u bits, prot %s, options:",
	       format_names[c.format], c.min_ia_bits, c.max_ia_bits,
	       c.max_oa_bits, prot_str(c.prot));
	print_bits(option_names, NR_OPTIONS, c.options);
	printf(", memory types:");
	print_bits(mt_names, ARRAY_SIZE(mt_names), c.memtypes);
	printf("\n");
	return 0;
}

static int create_word(struct npt_create_table *c, char *w)
{
	char *eq = strchr(w, '=');
	__u64 v;
	size_t o;

	if (!strcmp(w, "host")) {
		c->flags |= NPT_CREATE_CHECK_HOST;
		return 0;
	}
	if (!eq) {
		for (o = 0; o < NR_OPTIONS; o++) {
			if (!strcmp(w, option_names[o])) {
				c->options |= 1U << o;
				return 0;
			}
		}
		return fail("create: unknown option '%s'", w);
	}
	*eq = '\0';
	if (parse_u64(eq + 1, &v))
		return -1;
	if (!strcmp(w, "ia"))
		c->ia_bits = v;
	else if (!strcmp(w, "oa"))
		c->oa_bits = v;
	else if (!strcmp(w, "max"))
		c->max_pages = v;
	else if (!strcmp(w, "vmid"))
		c->vmid = v;
	else
		return fail("create: unknown '%s='", w);
	return 0;
}

/* create FORMAT [OPTION...] [ia=N] [oa=N] [max=N] [vmid=N] */
static int cmd_create(int argc, char **argv)
{
	struct npt_create_table c = { .size = sizeof(c) };
	struct npt_info in;
	const char *root;
	int i, fd;

	if (argc < 2)
		return fail("usage: create FORMAT [OPTION...] [ia=N] [oa=N] [max=N] [vmid=N]");
	if (open_dev() || parse_format(argv[1], &c.format))
		return -1;
	for (i = 2; i < argc; i++)
		if (create_word(&c, argv[i]))
			return -1;
	fd = ioctl(dev_fd, NPT_CREATE_TABLE, &c);
	if (fd < 0)
		return fail_errno(errno, "create %s", argv[1]);
	if (table_fd >= 0)
		close(table_fd);
	table_fd = fd;
	table_format = c.format;
	if (get_info(&in))
		return -1;
	if (json) {
		j_begin("create");
		j_str("format", format_names[c.format]);
		j_num("levels", in.levels);
		j_num("ia_bits", in.ia_bits);
		j_num("oa_bits", in.oa_bits);
		j_num("root_pages", in.root_pages);
		j_num("max_pages", in.max_pages);
		j_end();
		return 0;
	}
	if (in.root_pages == 1)
		root = "";
	else if (c.format == NPT_FORMAT_ARM64_S2)
		root = "s, concatenated";
	else
		root = "s, one wide x4 root";
	printf("created %s table: %u levels, %u-bit GPA, %u-bit HPA, ",
	       format_names[c.format], in.levels, in.ia_bits, in.oa_bits);
	printf("root %u page%s, limit %llu pages\n", in.root_pages, root,
	       in.max_pages);
	return 0;
}

/* map GPA HPA LENGTH PROT [MEMTYPE] [ipat] [replace] [noblocks] [old] [intr] */
static int cmd_map(int argc, char **argv)
{
	struct npt_map m = { .size = sizeof(m) };
	struct op_args a = { 0 };
	__u64 gpa, hpa, len;
	int i, err;

	if (argc < 5)
		return fail("usage: map GPA HPA LENGTH PROT [MEMTYPE] [FLAG...]");
	if (need_table(argv[0]) || parse_u64(argv[1], &gpa) ||
	    parse_u64(argv[2], &hpa) || parse_u64(argv[3], &len) ||
	    parse_prot(argv[4], &m.prot))
		return -1;
	for (i = 5; i < argc; i++)
		if (parse_op_word(argv[i], &a, NPT_OP_REPLACE |
				  NPT_OP_NO_BLOCKS | NPT_OP_OLD |
				  NPT_OP_INTERRUPTIBLE))
			return -1;
	m.gpa = gpa;
	m.hpa = hpa;
	m.length = len;
	m.attr = a.attr;
	m.flags = a.flags;
	if (!json)
		printf("map 0x%llx -> 0x%llx (%s) %s %s\n", gpa, hpa,
		       size_str(len), prot_str(m.prot), attr_str(m.attr));
	if (ioctl(table_fd, NPT_MAP, &m)) {
		err = errno;
		if (m.done)	/* a prefix was done (EINTR, ...) */
			print_plan("map", m.done, &m.plan);
		return fail_errno(err, "map");
	}
	print_plan("map", m.done, &m.plan);
	return 0;
}

/* unmap GPA LENGTH [intr] */
static int cmd_unmap(int argc, char **argv)
{
	struct npt_unmap u = { .size = sizeof(u) };
	struct op_args a = { 0 };
	__u64 gpa, len;
	int i, err;

	if (argc < 3)
		return fail("usage: unmap GPA LENGTH [intr]");
	if (need_table(argv[0]) || parse_u64(argv[1], &gpa) ||
	    parse_u64(argv[2], &len))
		return -1;
	for (i = 3; i < argc; i++)
		if (parse_op_word(argv[i], &a, NPT_OP_INTERRUPTIBLE))
			return -1;
	u.gpa = gpa;
	u.length = len;
	u.flags = a.flags;
	if (!json)
		printf("unmap 0x%llx (%s)\n", gpa, size_str(len));
	if (ioctl(table_fd, NPT_UNMAP, &u)) {
		err = errno;
		if (u.done)	/* a prefix was done (EINTR, ...) */
			print_plan("unmap", u.done, &u.plan);
		return fail_errno(err, "unmap");
	}
	print_plan("unmap", u.done, &u.plan);
	return 0;
}

/* protect GPA LENGTH PROT [MEMTYPE] [ipat] [holes] [intr] */
static int cmd_protect(int argc, char **argv)
{
	struct npt_protect p = { .size = sizeof(p) };
	struct op_args a = { 0 };
	__u64 gpa, len;
	int i, err;

	if (argc < 4)
		return fail("usage: protect GPA LENGTH PROT [MEMTYPE] [ipat] [holes] [intr]");
	if (need_table(argv[0]) || parse_u64(argv[1], &gpa) ||
	    parse_u64(argv[2], &len) || parse_prot(argv[3], &p.prot))
		return -1;
	for (i = 4; i < argc; i++)
		if (parse_op_word(argv[i], &a, NPT_OP_HOLES_OK |
				  NPT_OP_INTERRUPTIBLE))
			return -1;
	p.gpa = gpa;
	p.length = len;
	p.attr = a.attr;
	p.flags = a.flags;
	if (!json)
		printf("protect 0x%llx (%s) %s %s\n", gpa, size_str(len),
		       prot_str(p.prot), attr_str(p.attr));
	if (ioctl(table_fd, NPT_PROTECT, &p)) {
		err = errno;
		if (p.done)	/* a prefix was done (EINTR, ...) */
			print_plan("protect", p.done, &p.plan);
		return fail_errno(err, "protect");
	}
	print_plan("protect", p.done, &p.plan);
	return 0;
}

/* collapse GPA LENGTH */
static int cmd_collapse(int argc, char **argv)
{
	struct npt_collapse c = { .size = sizeof(c) };
	__u64 gpa, len;

	if (argc != 3)
		return fail("usage: collapse GPA LENGTH");
	if (need_table(argv[0]) || parse_u64(argv[1], &gpa) ||
	    parse_u64(argv[2], &len))
		return -1;
	c.gpa = gpa;
	c.length = len;
	if (!json)
		printf("collapse 0x%llx (%s)\n", gpa, size_str(len));
	if (ioctl(table_fd, NPT_COLLAPSE, &c))
		return fail_errno(errno, "collapse");
	print_plan("collapse", c.done, &c.plan);
	return 0;
}

static void print_xlate(const struct npt_xlate *x)
{
	if (json) {
		j_begin("translate");
		j_hex("gpa", x->gpa);
		if (x->error) {
			j_str("error", errno_name(x->error));
		} else {
			j_hex("hpa", x->hpa);
			j_str("prot", prot_str(x->prot));
			j_str("attr", attr_str(x->attr));
			j_num("lvl", x->lvl);
			j_hex("pte", x->pte);
		}
		j_end();
		return;
	}
	if (x->error) {
		printf("  0x%llx: %s (%s)\n", x->gpa,
		       x->error == ENOENT ? "not mapped" : strerror(x->error),
		       errno_name(x->error));
		return;
	}
	printf("  0x%llx -> 0x%llx %s %s, ", x->gpa, x->hpa,
	       prot_str(x->prot), attr_str(x->attr));
	printf("%s leaf (%s), pte 0x%016llx\n", lvl_str(x->lvl),
	       size_str(lvl_size(x->lvl)), x->pte);
}

/* translate GPA...: one GPA per ioctl, or all of them in one batch. */
static int cmd_translate(int argc, char **argv)
{
	struct npt_translate t = { .size = sizeof(t) };
	static struct npt_xlate res[MAX_BATCH];
	static __u64 gpas[MAX_BATCH];
	int i, n = argc - 1;

	if (n < 1 || n > MAX_BATCH)
		return fail("usage: translate GPA... (at most %d)", MAX_BATCH);
	if (need_table(argv[0]))
		return -1;
	for (i = 0; i < n; i++)
		if (parse_u64(argv[i + 1], &gpas[i]))
			return -1;
	if (!json)
		printf("translate%s\n", n > 1 ? " (one batch ioctl)" : "");
	if (n == 1) {
		t.x.gpa = gpas[0];
		if (ioctl(table_fd, NPT_TRANSLATE, &t)) {
			res[0] = (struct npt_xlate){ .gpa = gpas[0],
						     .error = errno };
			print_xlate(&res[0]);
			return fail_errno(res[0].error, "translate 0x%llx",
					  gpas[0]);
		}
		print_xlate(&t.x);
		return 0;
	}
	t.count = n;
	t.entry_size = sizeof(res[0]);
	t.gpas = (unsigned long)gpas;
	t.results = (unsigned long)res;
	if (ioctl(table_fd, NPT_TRANSLATE, &t))
		return fail_errno(errno, "translate");
	for (i = 0; i < n; i++)
		print_xlate(&res[i]);
	return 0;
}

/* walk GPA: the raw entry at every level. */
static int cmd_walk(int argc, char **argv)
{
	struct npt_translate t = { .size = sizeof(t) };
	struct npt_walk w = { .size = sizeof(w) };
	__u32 i, lvl;
	bool leaf;
	__u64 gpa;

	if (argc != 2)
		return fail("usage: walk GPA");
	if (need_table(argv[0]) || parse_u64(argv[1], &gpa))
		return -1;
	w.gpa = gpa;
	if (ioctl(table_fd, NPT_WALK, &w))
		return fail_errno(errno, "walk 0x%llx", gpa);
	t.x.gpa = gpa;
	leaf = !ioctl(table_fd, NPT_TRANSLATE, &t);
	if (json) {
		j_begin("walk");
		j_hex("gpa", gpa);
		j_num("root_lvl", w.root_lvl);
		j_bool("mapped", leaf);
		printf(",\"pte\":[");
		for (i = 0; i < w.levels && i < NPT_MAX_LEVELS; i++)
			printf("%s\"0x%016llx\"", i ? "," : "",
			       w.pte[i]);
		printf("]");
		j_end();
		return 0;
	}
	printf("walk 0x%llx:\n", gpa);
	for (i = 0; i < w.levels && i < NPT_MAX_LEVELS; i++) {
		bool last = i + 1 == w.levels;

		lvl = w.root_lvl - i;
		printf("  %-5s 0x%016llx  %s", lvl_str(lvl), w.pte[i],
		       !last ? "table" : leaf ? "leaf" : "not present");
		if (last && leaf)
			printf(" -> 0x%llx %s %s (%s)", t.x.hpa,
			       prot_str(t.x.prot), attr_str(t.x.attr),
			       size_str(lvl_size(lvl)));
		printf("\n");
	}
	return 0;
}

static void print_levels(const char *key, const __u64 *v)
{
	int l;

	printf(",\"%s\":[", key);
	for (l = 0; l < NPT_MAX_LEVELS; l++)
		printf("%s%llu", l ? "," : "", v[l]);
	printf("]");
}

static void print_root(const struct npt_info *in)
{
	if (!(in->info_flags & NPT_INFO_ROOT_VALID)) {
		printf("  root registers hidden (needs CAP_SYS_ADMIN)\n");
		return;
	}
	if (in->format == NPT_FORMAT_ARM64_S2)
		printf("  VTTBR_EL2 0x%016llx VTCR_EL2 0x%llx", in->root,
		       in->ctrl);
	else if (in->format <= NPT_FORMAT_EPT5)
		printf("  EPTP 0x%016llx", in->root);
	else
		printf("  hgatp 0x%016llx", in->root);
	printf(", root at 0x%llx\n", in->root_pa);
}

static int cmd_info(int argc, char **argv)
{
	struct npt_info in;
	__u32 l;

	if (need_table(argv[0]) || get_info(&in))
		return -1;
	if (json) {
		j_begin("info");
		j_str("format", format_str(in.format));
		j_hex("options", in.options);
		j_num("levels", in.levels);
		j_num("ia_bits", in.ia_bits);
		j_num("oa_bits", in.oa_bits);
		j_num("root_pages", in.root_pages);
		j_num("vmid", in.vmid);
		j_num("table_pages", in.table_pages);
		j_num("data_pages", in.data_pages);
		j_num("max_pages", in.max_pages);
		print_levels("tables", in.tables);
		print_levels("leaves", in.leaves);
		if (in.info_flags & NPT_INFO_ROOT_VALID) {
			j_hex("root", in.root);
			j_hex("ctrl", in.ctrl);
			j_hex("root_pa", in.root_pa);
		}
		j_end();
		return 0;
	}
	printf("info: %s, %u levels, %u-bit GPA, %u-bit HPA, ",
	       format_str(in.format), in.levels, in.ia_bits, in.oa_bits);
	printf("root %u page%s, vmid %u\n", in.root_pages,
	       in.root_pages > 1 ? "s" : "", in.vmid);
	printf("  table pages %llu of %llu; per level:",
	       in.table_pages, in.max_pages);
	for (l = 0; l < in.levels && l < NPT_MAX_LEVELS; l++)
		printf(" %s=%llu", lvl_str(l), in.tables[l]);
	if (in.data_pages)
		printf("\n  data pages of lazy regions: %llu", in.data_pages);
	printf("\n  leaves:");
	for (l = 0; l < in.levels && l < NPT_MAX_LEVELS; l++)
		if (in.leaves[l])
			printf(" %llu x %s", in.leaves[l],
			       size_str(lvl_size(l)));
	printf("\n");
	print_root(&in);
	return 0;
}

/* One coalesced run of leaves. */
struct run {
	__u64 gpa, end, hpa, nr;
	__u32 prot, attr, lvl;
};

static void print_run(const struct run *r)
{
	if (!r->nr)
		return;
	if (json) {
		j_begin("dump");
		j_hex("gpa", r->gpa);
		j_hex("end", r->end);
		j_hex("hpa", r->hpa);
		j_str("prot", prot_str(r->prot));
		j_str("attr", attr_str(r->attr));
		j_num("lvl", r->lvl);
		j_num("leaves", r->nr);
		j_end();
		return;
	}
	printf("  0x%013llx-0x%013llx -> 0x%013llx ", r->gpa,
	       r->end - 1, r->hpa);
	printf("%s %-10s %llu x %s\n", prot_str(r->prot), attr_str(r->attr),
	       r->nr, size_str(lvl_size(r->lvl)));
}

/* Add the leaf at @gpa to @r, or print @r and start a new run. */
static void add_leaf(struct run *r, __u64 gpa, const struct npt_xlate *x,
		     __u64 sz, __u64 *runs)
{
	if (r->nr && r->end == gpa && r->hpa + (gpa - r->gpa) == x->hpa &&
	    r->prot == x->prot && r->attr == x->attr && r->lvl == x->lvl) {
		r->end += sz;
		r->nr++;
		return;
	}
	print_run(r);
	*runs += !!r->nr;
	*r = (struct run){ .gpa = gpa, .end = gpa + sz, .hpa = x->hpa,
			   .nr = 1, .prot = x->prot, .attr = x->attr,
			   .lvl = x->lvl };
}

/*
 * dump: every mapped range, coalesced (same attributes, contiguous HPA,
 * same leaf size), found with one WALK per non-present entry or leaf, so
 * the cost follows what is mapped, not the GPA width.  Concatenated and
 * wide roots are covered because the walk spans the whole GPA width.
 */
static int cmd_dump(int argc, char **argv)
{
	__u64 gpa = 0, limit, runs = 0;
	struct run r = { 0 };
	struct npt_info in;

	if (need_table(argv[0]) || get_info(&in))
		return -1;
	limit = in.ia_bits >= 64 ? ~0ULL : (1ULL << in.ia_bits);
	if (!json)
		printf("dump (%u-bit GPA, %u root page%s):\n", in.ia_bits,
		       in.root_pages, in.root_pages > 1 ? "s" : "");
	while (gpa < limit) {
		struct npt_walk w = { .size = sizeof(w), .gpa = gpa };
		struct npt_translate t = { .size = sizeof(t), .x.gpa = gpa };
		__u64 sz;

		if (ioctl(table_fd, NPT_WALK, &w) || !w.levels)
			return fail_errno(errno, "dump: walk 0x%llx", gpa);
		sz = lvl_size(w.root_lvl - (w.levels - 1));
		if (!ioctl(table_fd, NPT_TRANSLATE, &t))
			add_leaf(&r, gpa, &t.x, sz, &runs);
		else if (errno != ENOENT)
			return fail_errno(errno, "dump: translate 0x%llx",
					  gpa);
		if (gpa + sz < gpa)
			break;
		gpa = (gpa & ~(sz - 1)) + sz;
	}
	print_run(&r);
	runs += !!r.nr;
	if (!json && !runs)
		printf("  (nothing mapped)\n");
	return 0;
}

/* ---- simulated accesses, faults, regions, dirty logs, guest copies ---- */

static const char *const acc_names[] = {
	[NPT_ACC_READ] = "r", [NPT_ACC_WRITE] = "w", [NPT_ACC_EXEC] = "x",
	[NPT_ACC_UEXEC] = "ux", [NPT_ACC_HLVX] = "hlvx",
};

static const char *const acc_words[] = {
	[NPT_ACC_READ] = "read", [NPT_ACC_WRITE] = "write",
	[NPT_ACC_EXEC] = "fetch", [NPT_ACC_UEXEC] = "user fetch",
	[NPT_ACC_HLVX] = "HLVX read",
};

static const char *const fault_names[] = {
	[NPT_FAULT_NONE] = "none",
	[NPT_FAULT_NOT_PRESENT] = "not-present",
	[NPT_FAULT_PERMISSION] = "permission",
	[NPT_FAULT_ACCESS_FLAG] = "access-flag",
	[NPT_FAULT_DIRTY] = "dirty",
	[NPT_FAULT_MISCONFIG] = "misconfig",
	[NPT_FAULT_INPUT_RANGE] = "input-range",
	[NPT_FAULT_OUTPUT_RANGE] = "output-range",
};

static const char *const reason_names[] = {
	[NPT_REASON_NONE] = "none",
	[NPT_REASON_W_NO_R] = "write without read",
	[NPT_REASON_XO] = "execute-only without the capability",
	[NPT_REASON_MEMTYPE] = "reserved memory type",
	[NPT_REASON_RSVD] = "reserved bits set",
	[NPT_REASON_LEVEL] = "entry kind not allowed at this level",
	[NPT_REASON_ALIGN] = "misaligned block address",
	[NPT_REASON_OA] = "output address beyond the output width",
};

static const char *const resolved_names[] = {
	[NPT_RESOLVED_NONE] = "none",
	[NPT_RESOLVED_SPURIOUS] = "spurious",
	[NPT_RESOLVED_MAPPED] = "mapped",
	[NPT_RESOLVED_FLAGS] = "flags",
	[NPT_RESOLVED_DIRTY] = "dirty",
};

static const char *name_of(const char *const *tab, size_t n, __u32 i)
{
	return i < n && tab[i] ? tab[i] : "?";
}

static int parse_access(const char *s, __u32 *acc)
{
	__u32 i;

	for (i = 1; i < ARRAY_SIZE(acc_names); i++)
		if (!strcmp(s, acc_names[i]) || !strcmp(s, acc_words[i])) {
			*acc = i;
			return 0;
		}
	return fail("bad access '%s' (use r, w, x, ux, hlvx)", s);
}

static bool fmt_ept(void)
{
	return table_format == NPT_FORMAT_EPT4 ||
	       table_format == NPT_FORMAT_EPT5;
}

static bool fmt_rv(void)
{
	return table_format == NPT_FORMAT_SV39X4 ||
	       table_format == NPT_FORMAT_SV48X4;
}

/* ESR_EL2 fault status codes (Arm ARM, ISS encoding of aborts). */
static const char *arm_fsc(__u32 fsc, int *lvl)
{
	*lvl = fsc & 3;
	switch (fsc & 0x3c) {
	case 0x00:
		return "address size fault";
	case 0x04:
		return "translation fault";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	default:
		*lvl = -1;
		return "fault";
	}
}

static const char *rv_cause(__u64 scause)
{
	switch (scause) {
	case 20:
		return "instruction guest-page fault";
	case 21:
		return "load guest-page fault";
	case 23:
		return "store/AMO guest-page fault";
	default:
		return "?";
	}
}

/* The syndrome decoded as the CPU's registers read. */
static void print_syndrome(const struct npt_fault_info *r)
{
	if (fmt_ept()) {
		__u64 q = r->syndrome;

		if (r->exit_reason == NPT_EXIT_EPT_MISCONFIG) {
			printf("    EPT misconfiguration (exit reason %llu), GPA 0x%llx: %s\n",
			       r->exit_reason, r->addr,
			       name_of(reason_names, ARRAY_SIZE(reason_names), r->reason));
			return;
		}
		printf("    EPT violation (exit reason %llu), qual 0x%llx: ",
		       r->exit_reason, q);
		printf("%s%s%s, R/W/X of walk = %c%c%c", q & 1 ? "read" : "",
		       q & 2 ? "write" : "", q & 4 ? "fetch" : "",
		       q & 8 ? 'r' : '-', q & 16 ? 'w' : '-',
		       q & 32 ? 'x' : '-');
		if (q & 64)
			printf(", user-exec");
		printf(", GPA 0x%llx\n", r->addr);
	} else if (table_format == NPT_FORMAT_ARM64_S2) {
		__u64 esr = r->syndrome;
		__u32 ec = (esr >> 26) & 0x3f;
		int lvl;
		const char *what = arm_fsc(esr & 0x3f, &lvl);

		printf("    ESR_EL2 0x%llx: %s, %s", esr,
		       ec == 0x24 ? "DABT_LOW" : ec == 0x20 ? "IABT_LOW" :
		       "EC?", what);
		if (lvl >= 0)
			printf(" level %d", lvl);
		if (ec == 0x24)
			printf(", WnR=%llu", (esr >> 6) & 1);
		printf(", HPFAR 0x%llx (IPA 0x%llx)\n", r->addr,
		       (r->addr >> 4) << 12);
	} else if (fmt_rv()) {
		printf("    scause %llu (%s), htval 0x%llx (GPA 0x%llx)\n",
		       r->syndrome, rv_cause(r->syndrome), r->addr,
		       r->addr << 2);
	}
	if (r->reason)
		printf("    entry rejected: %s\n",
		       name_of(reason_names, ARRAY_SIZE(reason_names), r->reason));
}

static void j_fault(const struct npt_fault_info *r)
{
	j_str("fault", name_of(fault_names, ARRAY_SIZE(fault_names), r->fault));
	j_num("lvl", r->lvl);
	if (r->fault == NPT_FAULT_NONE) {
		j_hex("hpa", r->hpa);
		j_bool("accessed", r->updated & NPT_UPD_ACCESSED);
		j_bool("dirty", r->updated & NPT_UPD_DIRTY);
		return;
	}
	j_hex("syndrome", r->syndrome);
	j_hex("addr", r->addr);
	if (fmt_ept())
		j_num("exit_reason", r->exit_reason);
	if (r->reason)
		j_str("reason", name_of(reason_names, ARRAY_SIZE(reason_names), r->reason));
}

static void print_access(const struct npt_fault_info *r)
{
	if (r->fault == NPT_FAULT_NONE) {
		printf("  translated at %s -> 0x%llx", lvl_str(r->lvl),
		       r->hpa);
		if (r->updated)
			printf(", hardware set%s%s",
			       r->updated & NPT_UPD_ACCESSED ? " accessed" :
			       "",
			       r->updated & NPT_UPD_DIRTY ? " dirty" : "");
		printf("\n");
		return;
	}
	printf("  %s fault at %s\n", name_of(fault_names, ARRAY_SIZE(fault_names), r->fault),
	       lvl_str(r->lvl));
	print_syndrome(r);
}

/* access GPA ACCESS: one access as the CPU would make it. */
static int cmd_access(int argc, char **argv)
{
	struct npt_access a = { .size = sizeof(a) };

	if (argc != 3)
		return fail("usage: access GPA r|w|x|ux|hlvx");
	if (need_table(argv[0]) || parse_u64(argv[1], &a.gpa) ||
	    parse_access(argv[2], &a.access))
		return -1;
	if (ioctl(table_fd, NPT_ACCESS, &a))
		return fail_errno(errno, "access 0x%llx", a.gpa);
	if (json) {
		j_begin("access");
		j_hex("gpa", a.gpa);
		j_str("access", acc_names[a.access]);
		j_fault(&a.result);
		j_end();
		return 0;
	}
	printf("access 0x%llx %s:\n", a.gpa, acc_words[a.access]);
	print_access(&a.result);
	return 0;
}

/* fault GPA ACCESS: what a hypervisor's fault handler does with it. */
static int cmd_fault(int argc, char **argv)
{
	struct npt_handle_fault h = { .size = sizeof(h) };

	if (argc != 3)
		return fail("usage: fault GPA r|w|x|ux|hlvx");
	if (need_table(argv[0]) || parse_u64(argv[1], &h.gpa) ||
	    parse_access(argv[2], &h.access))
		return -1;
	if (ioctl(table_fd, NPT_HANDLE_FAULT, &h))
		return fail_errno(errno, "fault 0x%llx", h.gpa);
	if (json) {
		j_begin("fault");
		j_hex("gpa", h.gpa);
		j_str("access", acc_names[h.access]);
		j_str("action", name_of(resolved_names, ARRAY_SIZE(resolved_names), h.action));
		if (h.action != NPT_RESOLVED_NONE) {
			j_num("leaf_lvl", h.lvl);
			j_hex("leaf_hpa", h.hpa);
		}
		j_fault(&h.fault);
		j_plan(&h.plan);
		j_end();
		return 0;
	}
	printf("fault 0x%llx %s:\n", h.gpa, acc_words[h.access]);
	print_access(&h.fault);
	switch (h.action) {
	case NPT_RESOLVED_SPURIOUS:
		printf("  resolved: spurious - no fault any more, nothing changed\n");
		break;
	case NPT_RESOLVED_MAPPED:
		printf("  resolved: mapped a zeroed lazy %s, %s leaf",
		       h.lvl ? "2 MiB block" : "page", lvl_str(h.lvl));
		if (h.hpa)
			printf(" -> 0x%llx", h.hpa);
		printf("\n");
		break;
	case NPT_RESOLVED_FLAGS:
		printf("  resolved: set the accessed/dirty flag of the %s leaf\n",
		       lvl_str(h.lvl));
		break;
	case NPT_RESOLVED_DIRTY:
		printf("  resolved: write permission back, page logged dirty (%s leaf)\n",
		       lvl_str(h.lvl));
		break;
	default:
		printf("  unresolved: outside a region or beyond max_prot; ");
		printf("nothing changed\n");
		break;
	}
	if (h.action != NPT_RESOLVED_NONE && h.action != NPT_RESOLVED_SPURIOUS)
		print_plan("fault", 0, &h.plan);
	return 0;
}

/* region GPA LENGTH PROT [lazy|none] [dirty] [blocks] [MEMTYPE] [ipat]; LENGTH 0 removes */
static int cmd_region(int argc, char **argv)
{
	struct npt_set_region r = { .size = sizeof(r),
				    .backing = NPT_BACKING_LAZY };
	struct op_args a = { 0 };
	int i;

	if (argc < 3 || (argc < 4 && strcmp(argv[2], "0")))
		return fail("usage: region GPA LENGTH PROT [lazy|none] [dirty] [blocks]\n"
			    "       [MEMTYPE] [ipat]");
	if (need_table(argv[0]) || parse_u64(argv[1], &r.gpa) ||
	    parse_u64(argv[2], &r.length))
		return -1;
	if (!r.length) {
		r.backing = 0;
		if (argc > 3)
			return fail("region GPA 0 takes nothing more");
	} else if (parse_prot(argv[3], &r.max_prot)) {
		return -1;
	}
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "lazy"))
			r.backing = NPT_BACKING_LAZY;
		else if (!strcmp(argv[i], "none"))
			r.backing = NPT_BACKING_NONE;
		else if (!strcmp(argv[i], "dirty"))
			r.flags |= NPT_REGION_DIRTY_LOG;
		else if (!strcmp(argv[i], "blocks"))
			r.flags |= NPT_REGION_LAZY_BLOCKS;
		else if (parse_op_word(argv[i], &a, NPT_OP_HOLES_OK) ||
			 a.flags)
			return a.flags ? fail("unknown word '%s'", argv[i]) :
					 -1;
	}
	r.attr = a.attr;
	if (!json) {
		if (r.length)
			printf("region 0x%llx (%s) %s %s %s%s%s\n", r.gpa,
			       size_str(r.length), prot_str(r.max_prot),
			       attr_str(r.attr),
			       r.backing == NPT_BACKING_LAZY ? "lazy" : "none",
			       r.flags & NPT_REGION_LAZY_BLOCKS ?
			       ", 2 MiB blocks" : "",
			       r.flags & NPT_REGION_DIRTY_LOG ?
			       ", dirty-logged" : "");
		else
			printf("region 0x%llx removed\n", r.gpa);
	}
	if (ioctl(table_fd, NPT_SET_REGION, &r))
		return fail_errno(errno, "region");
	if (json) {
		j_begin("region");
		j_hex("gpa", r.gpa);
		j_hex("length", r.length);
		j_end();
	}
	return 0;
}

/* The pages of a bitmap from @gpa: all as a JSON array, or the first 16. */
static void print_pages(const __u64 *bm, __u64 gpa, __u64 pages)
{
	__u64 i, shown = 0;

	if (json)
		printf(",\"pages\":[");
	for (i = 0; i < pages; i++) {
		if (!(bm[i / 64] >> (i % 64) & 1))
			continue;
		if (json)
			printf("%s\"0x%llx\"", shown ? "," : "", gpa + i * 4096);
		else if (shown < 16)
			printf(" 0x%llx", gpa + i * 4096);
		shown++;
	}
	printf("%s", json ? "]" : shown > 16 ? " ...\n" : "\n");
}

/*
 * "CMD GPA LENGTH [clear]", LENGTH at most @max: the bitmap for its pages
 * (one spare word), or NULL after saying what is wrong.
 */
static __u64 *range_bitmap(int argc, char **argv, __u64 max, __u64 *gpa,
			   __u64 *length, bool *clear)
{
	__u64 *bm;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "clear"))) {
		fail("usage: %s GPA LENGTH [clear]", argv[0]);
		return NULL;
	}
	if (need_table(argv[0]) || parse_u64(argv[1], gpa) ||
	    parse_u64(argv[2], length))
		return NULL;
	if (*length > max) {
		fail("%s: at most %s", argv[0], size_str(max));
		return NULL;
	}
	*clear = argc == 4;
	bm = calloc(*length / 4096 / 64 + 2, sizeof(*bm));
	if (!bm)
		fail_errno(ENOMEM, "%s", argv[0]);
	return bm;
}

/* dirty GPA LENGTH [clear]: the pages written since the last clear. */
static int cmd_dirty(int argc, char **argv)
{
	struct npt_dirty_log d = { .size = sizeof(d) };
	__u64 *bm, pages;
	bool clear;

	bm = range_bitmap(argc, argv, NPT_DIRTY_LOG_MAX, &d.gpa, &d.length,
			  &clear);
	if (!bm)
		return -1;
	d.flags = clear ? NPT_DIRTY_LOG_CLEAR : 0;
	pages = d.length / 4096;
	d.bitmap = (unsigned long)bm;
	if (ioctl(table_fd, NPT_GET_DIRTY_LOG, &d)) {
		free(bm);
		return fail_errno(errno, "dirty 0x%llx", d.gpa);
	}
	if (json) {
		j_begin("dirty");
		j_hex("gpa", d.gpa);
		j_num("dirty_pages", d.dirty);
		print_pages(bm, d.gpa, pages);
		j_hex("done", d.done);
		j_plan(&d.plan);
		j_end();
	} else {
		printf("dirty log 0x%llx (%s)%s: %llu dirty page%s", d.gpa,
		       size_str(d.length), d.flags ? ", cleared" : "",
		       d.dirty, d.dirty == 1 ? "" : "s");
		print_pages(bm, d.gpa, pages);
	}
	free(bm);
	if (d.flags && !json)
		print_plan("dirty", d.done, &d.plan);
	return 0;
}

/* age GPA LENGTH [clear]: the pages accessed since they were last aged. */
static int cmd_age(int argc, char **argv)
{
	struct npt_age_range a = { .size = sizeof(a) };
	__u64 *bm, pages;
	bool clear;

	bm = range_bitmap(argc, argv, NPT_AGE_MAX, &a.gpa, &a.length, &clear);
	if (!bm)
		return -1;
	a.flags = clear ? NPT_AGE_CLEAR : 0;
	pages = a.length / 4096;
	a.bitmap = (unsigned long)bm;
	if (ioctl(table_fd, NPT_AGE, &a)) {
		free(bm);
		return fail_errno(errno, "age 0x%llx", a.gpa);
	}
	if (json) {
		j_begin("age");
		j_hex("gpa", a.gpa);
		j_num("young_pages", a.young);
		print_pages(bm, a.gpa, pages);
		j_hex("done", a.done);
		j_end();
	} else {
		printf("age 0x%llx (%s)%s: %llu young page%s", a.gpa,
		       size_str(a.length), a.flags ? ", cleared" : "",
		       a.young, a.young == 1 ? "" : "s");
		print_pages(bm, a.gpa, pages);
	}
	free(bm);
	return 0;
}

/* read GPA LENGTH: a hex dump of guest memory (pages npt owns). */
static int cmd_read(int argc, char **argv)
{
	struct npt_guest_rw g = { .size = sizeof(g) };
	unsigned char *buf;
	__u64 i;

	if (argc != 3)
		return fail("usage: read GPA LENGTH");
	if (need_table(argv[0]) || parse_u64(argv[1], &g.gpa) ||
	    parse_u64(argv[2], &g.length))
		return -1;
	if (!g.length || g.length > NPT_GUEST_RW_MAX)
		return fail("read: 1 to %s bytes", size_str(NPT_GUEST_RW_MAX));
	buf = malloc(g.length);
	if (!buf)
		return fail_errno(ENOMEM, "read");
	g.buf = (unsigned long)buf;
	if (ioctl(table_fd, NPT_READ_GUEST, &g)) {
		free(buf);
		return fail_errno(errno, "read 0x%llx", g.gpa);
	}
	if (json) {
		j_begin("read");
		j_hex("gpa", g.gpa);
		printf(",\"data\":\"");
		for (i = 0; i < g.length; i++)
			printf("%02x", buf[i]);
		printf("\"");
		j_end();
	} else {
		for (i = 0; i < g.length; i++) {
			if (!(i % 16))
				printf("  0x%llx:", g.gpa + i);
			printf(" %02x", buf[i]);
			if (i % 16 == 15 || i + 1 == g.length) {
				__u64 j = i - i % 16;

				printf("%*s  |", (int)(15 - i % 16) * 3, "");
				for (; j <= i; j++)
					putchar(isprint(buf[j]) ? buf[j] : '.');
				printf("|\n");
			}
		}
	}
	free(buf);
	return 0;
}

/* write GPA TEXT...: the bytes of TEXT (words joined by spaces). */
static int cmd_write(int argc, char **argv)
{
	struct npt_guest_rw g = { .size = sizeof(g) };
	char buf[1024] = "";
	size_t n = 0;
	int i;

	if (argc < 3)
		return fail("usage: write GPA TEXT...");
	if (need_table(argv[0]) || parse_u64(argv[1], &g.gpa))
		return -1;
	for (i = 2; i < argc; i++)
		n += snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0,
			      "%s%s", i > 2 ? " " : "", argv[i]);
	if (n >= sizeof(buf))
		return fail("write: text too long");
	g.buf = (unsigned long)buf;
	g.length = n;
	if (!json)
		printf("write 0x%llx: %zu bytes\n", g.gpa, n);
	if (ioctl(table_fd, NPT_WRITE_GUEST, &g))
		return fail_errno(errno, "write 0x%llx", g.gpa);
	if (json) {
		j_begin("write");
		j_hex("gpa", g.gpa);
		j_num("length", g.done);
		j_end();
	}
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	int i;

	if (json)
		return 0;
	for (i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	printf("\n");
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "caps", cmd_caps, "caps [FORMAT]" },
	{ "create", cmd_create,
	  "create FORMAT [OPTION...] [host] [ia=N] [oa=N] [max=N] [vmid=N]" },
	{ "map", cmd_map,
	  "map GPA HPA LENGTH PROT [MEMTYPE] [ipat] [replace] [noblocks] [old] [intr]" },
	{ "unmap", cmd_unmap, "unmap GPA LENGTH [intr]" },
	{ "protect", cmd_protect,
	  "protect GPA LENGTH PROT [MEMTYPE] [ipat] [holes] [intr]" },
	{ "collapse", cmd_collapse, "collapse GPA LENGTH" },
	{ "translate", cmd_translate,
	  "translate GPA... (several: one batch ioctl)" },
	{ "walk", cmd_walk, "walk GPA" },
	{ "access", cmd_access, "access GPA r|w|x|ux|hlvx" },
	{ "fault", cmd_fault, "fault GPA r|w|x|ux|hlvx (handle it)" },
	{ "region", cmd_region,
	  "region GPA LENGTH PROT [lazy|none] [dirty] [blocks] [MEMTYPE] [ipat];\n"
	  "    region GPA 0 removes" },
	{ "dirty", cmd_dirty, "dirty GPA LENGTH [clear]" },
	{ "age", cmd_age, "age GPA LENGTH [clear]" },
	{ "read", cmd_read, "read GPA LENGTH" },
	{ "write", cmd_write, "write GPA TEXT..." },
	{ "info", cmd_info, "info" },
	{ "dump", cmd_dump, "dump" },
	{ "echo", cmd_echo, "echo TEXT" },
	{ "help", cmd_help, "help" },
};

static int cmd_help(int argc, char **argv)
{
	size_t i;

	printf("usage: nptctl [--json] [-d DEVICE] COMMAND [ARGS] [; COMMAND ...]\n");
	printf("       nptctl [--json] [-d DEVICE] -f SCRIPT|-\n");
	printf("FORMAT: ept4 ept5 arm64 sv39x4 sv48x4\n");
	printf("OPTION: ad xo mbec fwb ha svpbmt hwad; host: refuse what this CPU cannot walk\n");
	printf("PROT: letters r w x u, or -; MEMTYPE: wb nc device wt wp\n");
	printf("Numbers: decimal or 0x hex, suffixes K M G T P.\n");
	printf("A script line starting with '!' must fail; '#' starts a comment.\n");
	printf("commands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %s\n", cmds[i].help);
	return 0;
}

/* Run one command; expect_fail inverts its outcome. */
static int run(int argc, char **argv, bool expect_fail)
{
	size_t i;
	int ret;

	if (!argc)
		return 0;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[0], cmds[i].name))
			continue;
		if (expect_fail && !json)
			printf("(expected to fail) ");
		ret = cmds[i].fn(argc, argv);
		fflush(stdout);
		if (!expect_fail)
			return ret;
		if (ret)
			return 0;
		return fail("%s: succeeded but was expected to fail", argv[0]);
	}
	return fail("unknown command '%s' (try help)", argv[0]);
}

static int run_line(char *line)
{
	char *argv[MAX_ARGS], *p, *tok;
	bool expect_fail = false;
	int argc = 0;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '!') {
		expect_fail = true;
		p++;
	}
	while ((tok = strsep(&p, " \t\r\n"))) {
		if (!*tok)
			continue;
		if (argc == MAX_ARGS)
			return fail("too many words");
		argv[argc++] = tok;
	}
	return run(argc, argv, expect_fail);
}

static int run_script(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (!f)
		return fail_errno(errno, "open %s", path);
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (run_line(line)) {
			ret = -1;
			break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	const char *script = NULL;
	int i, start, ret = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cmd_help(0, NULL);
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-f") && i + 1 < argc)
			script = argv[++i];
		else if (!strcmp(argv[i], "-d") && i + 1 < argc)
			dev_path = argv[++i];
		else
			break;
	}
	if (script && i < argc) {
		fail("-f takes no commands");
		return 2;
	}
	if (!script && i == argc) {
		cmd_help(0, NULL);
		return 2;
	}
	if (script)
		ret = run_script(script);
	/* Arguments: commands separated by ";" words. */
	for (start = i; !ret && i <= argc; i++) {
		if (i == argc || !strcmp(argv[i], ";")) {
			ret = run(i - start, argv + start, false);
			start = i + 1;
		}
	}
	if (table_fd >= 0)
		close(table_fd);
	if (dev_fd >= 0)
		close(dev_fd);
	return ret ? 1 : 0;
}
