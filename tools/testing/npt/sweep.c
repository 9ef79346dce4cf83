// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: table creation checks and the allocation-failure
 * sweep.
 *
 * The sweep runs scripted operations that need table pages (new tables,
 * splits of 1 GiB and 2 MiB blocks, ranges across table and root-page
 * boundaries, the last GPA) and fails their first, second, ... allocation
 * until they succeed.  After each failure the table must be byte for byte
 * what it was (every page reachable from the root, dumped through a walk)
 * and the provider must hold as many pages as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kernel.h>
#include "runner.h"

struct dump {
	u8 *buf;
	size_t len, cap;
};

static void dump_add(struct dump *d, u64 pa, const void *va, size_t len)
{
	if (d->len + len + 8 > d->cap) {
		d->cap = (d->len + len + 8) * 2;
		d->buf = realloc(d->buf, d->cap);
		if (!d->buf)
			abort();
	}
	memcpy(d->buf + d->len, &pa, 8);
	memcpy(d->buf + d->len + 8, va, len);
	d->len += len + 8;
}

static void dump_lvl(struct npt_table *t, struct npt_test_mm *mm,
		     struct dump *d, npt_pte_t *table, int lvl, u64 nr)
{
	u64 i;

	for (i = 0; i < nr; i++) {
		npt_pte_t pte = table[i];
		u64 pa = npt_pte_pa(t, pte);
		npt_pte_t *child;

		if (!npt_pte_is_table(t, pte, lvl))
			continue;
		child = npt_test_pa_to_va(mm, pa);
		if (!child) {
			fprintf(stderr, "dump: table entry %#llx points to no "
				"page\n", (unsigned long long)pte);
			dump_add(d, ~0ULL, &pte, 8);
			continue;
		}
		dump_add(d, pa, child, 4096);
		dump_lvl(t, mm, d, child, lvl - 1, NPT_PTRS);
	}
}

static void table_dump(struct npt_table *t, struct npt_test_mm *mm,
		       struct dump *d)
{
	int root = npt_root_lvl(t);

	d->len = 0;
	dump_add(d, t->root_pa, t->root, 4096 * npt_root_pages(t));
	dump_lvl(t, mm, d, t->root, root, npt_lvl_entries(t, root));
}

enum { S_MAP, S_UNMAP, S_PROTECT, S_COLLAPSE };

struct sop {
	int kind;
	u64 gpa;	/* negative values count from the top of the width */
	u64 size;
	u64 hpa;	/* offset from the top GiB-aligned hpa window */
	u32 prot;
	u32 flags;
	const char *what;
};

#define G	(1ULL << 30)
#define M2	(1ULL << 21)
#define K4	4096ULL
#define TOP(x)	((u64)-(s64)(x))
#define RW	(NPT_PROT_R | NPT_PROT_W)

static const struct sop sops[] = {
	{ S_MAP, 0, 4 << 20, 0, RW, NPT_OP_NO_BLOCKS, "4 MiB of 4 KiB pages at GPA 0" },
	{ S_MAP, G - M2, 4 << 20, G - M2, RW, 0, "2 MiB blocks across a 1 GiB line" },
	{ S_MAP, 2 * G, G, 2 * G, RW | NPT_PROT_X, 0, "a 1 GiB block" },
	{ S_UNMAP, 2 * G + 5 * K4, K4, 0, 0, 0, "4 KiB out of a 1 GiB block" },
	{ S_PROTECT, 2 * G + (4 << 20) + 2 * K4, 2 * K4, 0, NPT_PROT_R, 0,
	  "protect inside a 2 MiB block" },
	{ S_MAP, 2 * G + (6 << 20), K4, 7 * K4, NPT_PROT_R, NPT_OP_REPLACE,
	  "replace 4 KiB inside a block" },
	{ S_MAP, TOP(M2 + K4), M2 + K4, TOP(M2 + K4), RW, 0, "the last GPA" },
	{ S_MAP, 512 * G - K4, 3 * K4, 5 * G, RW, 0, "across root pages / 512 GiB" },
	{ S_MAP, 8 * G - M2, G + 2 * M2, 8 * G - M2, RW, NPT_OP_INTERRUPTIBLE,
	  "interruptible, 3 chunks" },
	{ S_COLLAPSE, 0, 4 << 20, 0, 0, 0, "collapse" },
	{ S_UNMAP, G, 2 * G, 0, 0, 0, "unmap freeing tables" },
	{ S_PROTECT, 0, 4 << 20, 0, NPT_PROT_R, NPT_OP_HOLES_OK, "protect 4 KiB pages" },
	{ S_MAP, 0, 4 << 20, 64 * G, RW, NPT_OP_REPLACE, "replace 4 KiB pages" },
};

static int sweep_one(struct npt_table *t, struct npt_test_mm *mm,
		     const struct sop *s, u64 ia, u64 oa, u32 *points)
{
	struct dump before = { 0 }, after = { 0 };
	u64 gpa = s->gpa, hpa = s->hpa, size = s->size;
	struct npt_op_result res;
	long live = mm->live, n;
	int ret = -1, bad = 0;

	if ((s64)gpa < 0)
		gpa = ia + (s64)gpa;
	if ((s64)hpa < 0)
		hpa = oa + (s64)hpa;
	if (gpa >= ia || gpa + size > ia)
		return 0;	/* not in this width */
	hpa &= oa - 1;
	if (hpa + size > oa)
		hpa = (oa - size) & ~(G - 1);
	table_dump(t, mm, &before);
	for (n = 1; n <= 256; n++) {
		unsigned long warns = npt_test_warnings;

		npt_test_fail_nth = n;
		switch (s->kind) {
		case S_MAP:
			ret = npt_map(t, gpa, hpa, size, s->prot, NPT_MT_WB,
				      s->flags, &res);
			break;
		case S_UNMAP:
			ret = npt_unmap(t, gpa, size, s->flags, &res);
			break;
		case S_PROTECT:
			ret = npt_protect(t, gpa, size, s->prot, NPT_MT_WB,
					  s->flags, &res);
			break;
		default:
			ret = npt_collapse(t, gpa, size, &res);
			break;
		}
		npt_test_fail_nth = 0;
		if (npt_test_warnings != warns) {
			fprintf(stderr, "  %s: the core warned (fail %ld)\n",
				s->what, n);
			bad++;
		}
		if (!ret)
			break;
		(*points)++;
		if (ret != -ENOMEM) {
			fprintf(stderr, "  %s: failing allocation %ld gave %d\n",
				s->what, n, ret);
			bad++;
			break;
		}
		table_dump(t, mm, &after);
		if (after.len != before.len ||
		    memcmp(after.buf, before.buf, before.len)) {
			fprintf(stderr, "  %s: failing allocation %ld changed "
				"the table\n", s->what, n);
			bad++;
		}
		if (mm->live != live) {
			fprintf(stderr, "  %s: failing allocation %ld: %ld "
				"pages live, %ld before\n", s->what, n,
				mm->live, live);
			bad++;
		}
		if (res.done) {
			fprintf(stderr, "  %s: -ENOMEM with done %#llx\n",
				s->what, (unsigned long long)res.done);
			bad++;
		}
		if (bad)
			break;
	}
	if (ret && !bad) {
		fprintf(stderr, "  %s: never succeeded (%d)\n", s->what, ret);
		bad++;
	}
	free(before.buf);
	free(after.buf);
	return bad;
}

static struct npt_config sweep_cfg(u32 format, struct npt_test_mm *mm)
{
	return (struct npt_config){
		.format = format,
		.options = format == NPT_FORMAT_EPT4 ? NPT_OPT_EPT_AD :
			   format == NPT_FORMAT_ARM64_S2 ? NPT_OPT_S2_FWB : 0,
		.ia_bits = format == NPT_FORMAT_ARM64_S2 ? 40 : 0,
		.mm = &npt_test_mm_ops,
		.mm_arg = mm,
	};
}

int sweep_format(u32 format, u32 *cases)
{
	struct npt_test_mm mm;
	struct npt_config cfg;
	struct npt_table *t = NULL;
	u32 points = 0, i;
	int bad = 0, ret = -1;
	long n;
	u64 ia, oa;

	npt_test_mm_init(&mm, 1ULL << 32, 1ULL << 18);
	cfg = sweep_cfg(format, &mm);
	/* Creation itself. */
	for (n = 1; n <= 16; n++) {
		npt_test_fail_nth = n;
		ret = npt_table_create(&cfg, &t);
		npt_test_fail_nth = 0;
		if (!ret)
			break;
		points++;
		if (ret != -ENOMEM || mm.live || npt_test_host_live || t) {
			fprintf(stderr, "  create, failing allocation %ld: %d, "
				"%ld pages and %ld objects live\n", n, ret,
				mm.live, npt_test_host_live);
			bad++;
			break;
		}
	}
	if (ret || bad) {
		fprintf(stderr, "  create failed: %d\n", ret);
		npt_test_mm_fini(&mm);
		return -1;
	}
	ia = 1ULL << npt_ia_bits(t);
	oa = 1ULL << npt_oa_bits(t);
	for (i = 0; i < ARRAY_SIZE(sops); i++)
		bad += sweep_one(t, &mm, &sops[i], ia, oa, &points);
	npt_table_destroy(t);
	if (mm.live || npt_test_host_live || mm.errors) {
		fprintf(stderr, "  after destroy: %ld pages, %ld objects live,"
			" %llu provider errors %s\n", mm.live,
			npt_test_host_live, (unsigned long long)mm.errors,
			mm.error);
		bad++;
	}
	npt_test_mm_fini(&mm);
	*cases = points;
	return bad ? -1 : 0;
}

/* ---- creation --------------------------------------------------------- */

struct ccase {
	u32 options, ia, oa, vmid;
	u64 max_pages;
	int ret;	/* expected; 1: either 0 or -EINVAL */
};

/* PARange / VTCR_EL2.PS: the output widths Arm knows, by encoding. */
static const u32 s2_pa_bits[] = { 32, 36, 40, 42, 44, 48 };

static int create_check_regs(u32 format, const struct npt_config *c,
			     struct npt_table *t)
{
	struct npt_root_regs rr;
	u32 ia = npt_ia_bits(t), oa = npt_oa_bits(t), lv = npt_levels(t);
	u64 pa = npt_root_pa(t), want, ctrl = 0;
	u32 pages, levels;
	int ps;

	npt_root_regs(t, &rr);
	switch (format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		levels = format == NPT_FORMAT_EPT5 ? 5 : 4;
		pages = 1;
		want = pa | 6 | (levels - 1) << 3 |
		       ((c->options & NPT_OPT_EPT_AD) ? 1 << 6 : 0);
		if (ia != (levels == 5 ? 57 : 48) ||
		    oa != (c->oa_bits ?: 52))
			return -1;
		break;
	case NPT_FORMAT_ARM64_S2:
		levels = (ia - 16 + 8) / 9;	/* ceil((ia - 16) / 9) */
		pages = ia > 12 + 9 * levels ?
			1U << (ia - 12 - 9 * levels) : 1;
		want = pa | (u64)c->vmid << 48;
		for (ps = 0; ps < 6; ps++)
			if (s2_pa_bits[ps] == oa)
				break;
		ctrl = (64 - ia) | (u64)(levels - 2) << 6 | 1 << 8 |
		       1 << 10 | 3 << 12 | (u64)ps << 16 |
		       (c->vmid > 0xff ? 1 << 19 : 0) |
		       ((c->options & NPT_OPT_S2_HA) ? 1 << 21 : 0) |
		       1ULL << 31;
		if (ia != (c->ia_bits ?: 40) || oa != (c->oa_bits ?: 48))
			return -1;
		break;
	default:
		levels = format == NPT_FORMAT_SV48X4 ? 4 : 3;
		pages = 4;
		want = (u64)(levels == 4 ? 9 : 8) << 60 |
		       (u64)c->vmid << 44 | pa >> 12;
		if (ia != (levels == 4 ? 50 : 41) || oa != (c->oa_bits ?: 56))
			return -1;
		break;
	}
	if (lv != levels || npt_root_pages(t) != pages) {
		fprintf(stderr, "  ia %u: %u levels, %u root pages; expected "
			"%u, %u\n", ia, lv, npt_root_pages(t), levels, pages);
		return -1;
	}
	if (pa & (4096ULL * pages - 1) || !pa) {
		fprintf(stderr, "  root pa %#llx not aligned to %u pages\n",
			(unsigned long long)pa, pages);
		return -1;
	}
	if (rr.root != want || rr.ctrl != ctrl) {
		fprintf(stderr, "  ia %u oa %u options %#x vmid %#x: root regs "
			"%#llx/%#llx, expected %#llx/%#llx\n", ia, oa,
			c->options, c->vmid, (unsigned long long)rr.root,
			(unsigned long long)rr.ctrl, (unsigned long long)want,
			(unsigned long long)ctrl);
		return -1;
	}
	return 0;
}

int create_format(u32 format, u32 *cases)
{
	static const struct ccase ept[] = {
		{ 0, 0, 0, 0, 0, 0 }, { 7, 0, 36, 0, 0, 0 },
		{ NPT_OPT_EPT_AD, 0, 52, 0, 0, 0 }, { 0, 0, 35, 0, 0, -EINVAL },
		{ 0, 0, 53, 0, 0, -EINVAL }, { NPT_OPT_S2_FWB, 0, 0, 0, 0, -EINVAL },
		{ 1U << 7, 0, 0, 0, 0, -EINVAL }, { 0, 39, 0, 0, 0, -EINVAL },
		{ 0, 0, 0, 1, 0, 1 }, { 0, 0, 46, 0, 1, 0 },
		{ NPT_OPT_RV_HWAD, 0, 0, 0, 0, -EINVAL },
	};
	static const struct ccase s2[] = {
		{ 0, 0, 0, 0, 0, 0 }, { 0, 31, 0, 0, 0, -EINVAL },
		{ 0, 49, 0, 0, 0, -EINVAL }, { 0, 0, 39, 0, 0, -EINVAL },
		{ 0, 0, 52, 0, 0, -EINVAL }, { 0, 0, 0, 0x10000, 0, -EINVAL },
		{ NPT_OPT_S2_FWB | NPT_OPT_S2_HA, 0, 0, 0xffff, 0, 0 },
		{ NPT_OPT_EPT_AD, 0, 0, 0, 0, -EINVAL },
		{ 0, 32, 32, 0, 3, -ENOSPC }, { 0, 32, 32, 0, 4, 0 },
		{ 0, 43, 44, 0, 15, -ENOSPC }, { 0, 43, 44, 0, 16, 0 },
	};
	static const struct ccase sv[] = {
		{ 0, 0, 0, 0, 0, 0 }, { 0, 0, 57, 0, 0, -EINVAL },
		{ 0, 0, 0, 0x3fff, 0, 0 }, { 0, 0, 0, 0x4000, 0, -EINVAL },
		{ NPT_OPT_RV_SVPBMT | NPT_OPT_RV_HWAD, 0, 40, 7, 0, 0 },
		{ NPT_OPT_EPT_XO, 0, 0, 0, 0, -EINVAL },
		{ 0, 0, 0, 0, 3, -ENOSPC }, { 0, 0, 0, 0, 4, 0 },
	};
	const struct ccase *cc;
	struct npt_test_mm mm;
	u32 n, i, ia, sv_ia = format == NPT_FORMAT_SV48X4 ? 50 : 41;
	int bad = 0;

	switch (format) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		cc = ept;
		n = ARRAY_SIZE(ept);
		break;
	case NPT_FORMAT_ARM64_S2:
		cc = s2;
		n = ARRAY_SIZE(s2);
		break;
	default:
		cc = sv;
		n = ARRAY_SIZE(sv);
		break;
	}
	for (i = 0; i < n + 40; i++) {
		struct ccase c;
		struct npt_config cfg;
		struct npt_table *t = (void *)1;
		int ret;

		if (i < n) {
			c = cc[i];
		} else if (format == NPT_FORMAT_ARM64_S2 && i - n < 17) {
			/* Every IPA size. */
			c = (struct ccase){ 0, 32 + i - n, 48, 0, 0, 0 };
		} else if (i - n < 5) {
			/* The fixed width given explicitly, and a wrong one. */
			ia = format == NPT_FORMAT_EPT4 ? 48 :
			     format == NPT_FORMAT_EPT5 ? 57 : sv_ia;
			c = (struct ccase){ 0, ia + (i - n) * 3, 0, 0, 0,
					    i == n ? 0 : -EINVAL };
			if (format == NPT_FORMAT_ARM64_S2)
				continue;
		} else {
			continue;
		}
		npt_test_mm_init(&mm, 1ULL << 31, 1ULL << 12);
		memset(&cfg, 0xff, sizeof(cfg));
		cfg = (struct npt_config){
			.format = format, .options = c.options,
			.ia_bits = c.ia, .oa_bits = c.oa, .vmid = c.vmid,
			.max_pages = c.max_pages, .mm = &npt_test_mm_ops,
			.mm_arg = &mm,
		};
		ret = npt_table_create(&cfg, &t);
		(*cases)++;
		if (c.ret == 1 ? ret && ret != -EINVAL : ret != c.ret) {
			fprintf(stderr, "  create(options %#x ia %u oa %u vmid "
				"%#x max_pages %llu) = %d, expected %d\n",
				c.options, c.ia, c.oa, c.vmid,
				(unsigned long long)c.max_pages, ret, c.ret);
			bad++;
		}
		if (ret && t) {
			fprintf(stderr, "  failed create left *out set\n");
			bad++;
		}
		if (!ret && create_check_regs(format, &cfg, t))
			bad++;
		if (!ret)
			npt_table_destroy(t);
		if (mm.live || mm.errors) {
			fprintf(stderr, "  %ld pages live after destroy; %s\n",
				mm.live, mm.error);
			bad++;
		}
		npt_test_mm_fini(&mm);
	}
	/* Formats that do not exist; no provider. */
	{
		struct npt_config cfg = { .format = 0, .mm = &npt_test_mm_ops };
		struct npt_table *t;

		if (npt_table_create(&cfg, &t) != -EINVAL)
			bad++;
		cfg.format = NPT_FORMAT_MAX + 1;
		if (npt_table_create(&cfg, &t) != -EINVAL)
			bad++;
		cfg.format = format;
		cfg.mm = NULL;
		if (npt_table_create(&cfg, &t) != -EINVAL)
			bad++;
		*cases += 3;
	}
	return bad ? -1 : 0;
}
