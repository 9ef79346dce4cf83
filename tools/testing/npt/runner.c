// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the differential runner.
 *
 * Random operations (seeded, or driven by fuzzer input) run against a
 * table and against the model.  Every call's errno must be one the errno
 * table of npt_uapi.h allows for its arguments and the model's state;
 * after every step the touched and sampled addresses must translate as the
 * model says, every entry on their walks must pass npt_validate() and the
 * independent reading of kunit/npt_ref.c, and the invalidation plan must
 * cover every translation that changed.  Every few steps an audit walks
 * the whole table: every leaf against the model and the model against the
 * leaves, the counters, emptied tables, and the pages the provider holds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kernel.h>
#include "runner.h"

const u32 npt_test_formats[] = {
	NPT_FORMAT_EPT4, NPT_FORMAT_EPT5, NPT_FORMAT_ARM64_S2,
	NPT_FORMAT_SV39X4, NPT_FORMAT_SV48X4,
};

const unsigned int npt_test_nr_formats = ARRAY_SIZE(npt_test_formats);

enum {
	OP_MAP, OP_UNMAP, OP_PROTECT, OP_COLLAPSE, OP_TRANSLATE, OP_WALK,
	OP_ACCESS, OP_HWACCESS, OP_FAULT, OP_GUEST, OP_DIRTY, OP_AGE, OP_NR
};

static_assert(OP_NR == NPT_TEST_OPS);

const char *const npt_test_op_name[] = {
	"map", "unmap", "protect", "collapse", "translate", "walk", "set-ad",
	"npt_access", "handle_fault", "guest-rw", "dirty-log", "age",
};

static bool is_ept(u32 format)
{
	return format == NPT_FORMAT_EPT4 || format == NPT_FORMAT_EPT5;
}

static bool is_rv(u32 format)
{
	return format == NPT_FORMAT_SV39X4 || format == NPT_FORMAT_SV48X4;
}

/* Acceptable outcomes of a call, one bit each. */
enum {
	A_OK = 1 << 0, A_EINVAL = 1 << 1, A_EOVERFLOW = 1 << 2,
	A_ERANGE = 1 << 3, A_EEXIST = 1 << 4, A_ENOENT = 1 << 5,
	A_ENOSPC = 1 << 6, A_ENOMEM = 1 << 7, A_EINTR = 1 << 8,
	A_EOPNOTSUPP = 1 << 9,
};

static u32 outcome_bit(int ret)
{
	switch (ret) {
	case 0: return A_OK;
	case -EINVAL: return A_EINVAL;
	case -EOVERFLOW: return A_EOVERFLOW;
	case -ERANGE: return A_ERANGE;
	case -EEXIST: return A_EEXIST;
	case -ENOENT: return A_ENOENT;
	case -ENOSPC: return A_ENOSPC;
	case -ENOMEM: return A_ENOMEM;
	case -EINTR: return A_EINTR;
	case -EOPNOTSUPP: return A_EOPNOTSUPP;
	}
	return 0;
}

#define MAX_FLUSHES	256
#define MAX_FREES	1024

/* Addresses one check_many() call translates at most. */
#define MAX_MANY	96

struct runner {
	struct rsrc *rs;
	struct npt_test_mm mm;
	long host_live;		/* npt_host_zalloc() objects before create */
	struct npt_config cfg;
	struct npt_table *t;
	struct ref_fmt rf;
	struct model m;
	struct model old;
	u64 ia_size;
	u64 oa_size;
	int levels;
	u32 leaf_lvls;
	npt_pte_t ad_bits;	/* bits the simulated hardware sets */
	u64 win[8];
	int nwin;
	struct npt_region rg;	/* a region, if rg.size */
	/* with NPT_REGION_DIRTY_LOG: what the next harvest must report */
	unsigned long *dirty;	/* pages of rg written since the last clear */
	bool log_hw;		/* the hardware sets the dirty flag it reads */
	bool accessed;
	/* flushes and frees of the current call */
	bool in_op;
	u64 op_born;
	u32 nflush;
	struct npt_flush_plan flush[MAX_FLUSHES];
	bool flush_overflow;
	u32 nfree_table;
	u32 free_before_flush;
	u64 op_table_pages;
	/* flushed ranges whose first page was not mapped then (a break) */
	u32 nbroken;
	u64 broken[MAX_FLUSHES][2];
	/* the audit's visit marks */
	u32 *mark;
	u64 mark_cap;
	u32 epoch;
	/* addresses check_gpa() translated, for check_many() */
	u32 nmany;
	u64 many[MAX_MANY];
	/* report */
	bool failed;
	char what[256];
	u64 step;
	u64 seed;
	struct runner_stats *st;
};

/* ---- randomness ------------------------------------------------------- */

static u64 rs_u64(struct rsrc *rs)
{
	u64 z;

	if (rs->fuzz) {
		u64 v = 0;
		int i;

		for (i = 0; i < 8 && rs->pos < rs->len; i++)
			v |= (u64)rs->data[rs->pos++] << (8 * i);
		return v;
	}
	z = (rs->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); fuzzer input spends one or two bytes when it can. */
static u64 rnd(struct runner *r, u64 n)
{
	struct rsrc *rs = r->rs;

	if (!n)
		return 0;
	if (rs->fuzz && n <= 256) {
		if (rs->pos >= rs->len)
			return 0;
		return rs->data[rs->pos++] % n;
	}
	if (rs->fuzz && n <= 65536) {
		u64 v = 0;

		if (rs->pos < rs->len)
			v = rs->data[rs->pos++];
		if (rs->pos < rs->len)
			v |= (u64)rs->data[rs->pos++] << 8;
		return v % n;
	}
	return rs_u64(rs) % n;
}

static bool chance(struct runner *r, u32 percent)
{
	return rnd(r, 100) < percent;
}

static bool rs_done(struct runner *r)
{
	return r->rs->fuzz && r->rs->pos >= r->rs->len;
}

/* ---- failure reports -------------------------------------------------- */

static __printf(2, 3) void fail(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	fprintf(stderr, "FAIL %s seed=%llu step=%llu: %s\n  ",
		ref_name(r->cfg.format), (unsigned long long)r->seed,
		(unsigned long long)r->step, r->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  table: options=%#x ia=%u oa=%u max_pages=%llu "
		"vmid=%u flush=%s pa_base=%#llx\n", r->cfg.options,
		r->t ? npt_ia_bits(r->t) : r->cfg.ia_bits,
		r->t ? npt_oa_bits(r->t) : r->cfg.oa_bits,
		(unsigned long long)r->cfg.max_pages, r->cfg.vmid,
		r->cfg.flush ? "callback" : "none",
		(unsigned long long)r->mm.base);
}

#define CHECK(r, cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			fail(r, "%s:%d: %s: " fmt, __FILE__, __LINE__,	\
			     #cond, ##__VA_ARGS__);			\
	} while (0)

/* ---- host hooks ------------------------------------------------------- */

/* Whether @gpa has a present leaf now, read without the lock. */
static bool mapped_now(struct runner *r, u64 gpa)
{
	npt_pte_t *table = r->t->root;
	int lvl;

	for (lvl = npt_root_lvl(r->t); lvl >= 0; lvl--) {
		u64 idx = (gpa >> npt_lvl_shift(lvl)) &
			  (npt_lvl_entries(r->t, lvl) - 1);
		npt_pte_t pte = table[idx];

		if (!npt_pte_present(r->t, pte))
			return false;
		if (!npt_pte_is_table(r->t, pte, lvl))
			return true;
		table = npt_test_pa_to_va(&r->mm, npt_pte_pa(r->t, pte));
		if (!table)
			return false;
	}
	return false;
}

static void flush_cb(void *arg, const struct npt_flush_plan *plan)
{
	struct runner *r = arg;
	u32 i;

	for (i = 0; i < plan->nr && i < NPT_PLAN_RANGES; i++) {
		if (r->nbroken == MAX_FLUSHES)
			break;
		if (!mapped_now(r, plan->range[i].gpa)) {
			r->broken[r->nbroken][0] = plan->range[i].gpa;
			r->broken[r->nbroken][1] = plan->range[i].size;
			r->nbroken++;
		}
	}

	if (!npt_test_locks_held)
		fail(r, "flush callback called without the table lock");
	if (!r->in_op)
		fail(r, "flush callback outside a mutation");
	if (r->nflush == MAX_FLUSHES) {
		r->flush_overflow = true;
		return;
	}
	r->flush[r->nflush++] = *plan;
}

static void on_free(struct npt_test_mm *mm, u64 pa, unsigned int order)
{
	struct runner *r = mm->priv;

	if (!r->in_op)
		return;
	/* Older than the call: a table page, not a cache page topped up. */
	if (npt_test_pa_born(mm, pa) <= r->op_born) {
		r->nfree_table++;
		if (r->cfg.flush && !r->nflush)
			r->free_before_flush++;
	}
}

/* ---- the dirty log ---------------------------------------------------- */

static bool logging(const struct runner *r)
{
	return r->rg.size && (r->rg.flags & NPT_REGION_DIRTY_LOG);
}

/* The part [*s, *e) of [gpa, gpa + size) in a dirty-logged region. */
static bool log_part(const struct runner *r, u64 gpa, u64 size, u64 *s,
		     u64 *e)
{
	if (!logging(r))
		return false;
	*s = max(gpa, r->rg.gpa);
	*e = min(gpa + size, r->rg.gpa + r->rg.size);
	return *s < *e;
}

/* [gpa, gpa + size) was written: its logged pages are dirty. */
static void log_write(struct runner *r, u64 gpa, u64 size)
{
	u64 s, e;

	if (!log_part(r, gpa, size, &s, &e))
		return;
	for (; s < e; s += 4096)
		__set_bit((s - r->rg.gpa) >> 12, r->dirty);
}

/*
 * Where the log write-protects (no hardware dirty flag), the logged leaves
 * of [gpa, gpa + size) lose write permission: a map or protect makes them
 * so, and a clearing harvest makes them so again.  Only those give it back
 * on a write fault; a leaf the caller made read-only stays so.
 */
static void log_wp(struct runner *r, u64 gpa, u64 size)
{
	u64 s, e;

	if (!r->log_hw && log_part(r, gpa, size, &s, &e))
		model_log_wp(&r->m, s, e - s, true);
}

/* Whether a block [b, b + bs) would cross the edge of a logged region. */
static bool log_edge(const struct runner *r, u64 b, u64 bs)
{
	u64 s, e;

	return log_part(r, b, bs, &s, &e) && (s != b || e != b + bs);
}

/* ---- the audit: a walk of the whole table, independent of npt_walk() --- */

struct audit {
	u64 tables[NPT_MAX_LEVELS];
	u64 leaves[NPT_MAX_LEVELS];
	u64 mapped;
	u64 hash;
	u8 *dump;		/* if not NULL: every table page, in order */
	size_t dump_len;
	size_t dump_cap;
	bool leaves_vs_model;
};

static void audit_page(struct audit *a, u64 pa, const void *va, size_t len)
{
	const u64 *w = va;
	size_t i;

	a->hash = (a->hash ^ pa) * 0x100000001b3ULL;
	for (i = 0; i < len / 8; i++)
		a->hash = (a->hash ^ w[i]) * 0x100000001b3ULL;
	if (a->dump) {
		if (a->dump_len + len + 8 > a->dump_cap) {
			a->dump_cap = (a->dump_len + len + 8) * 2;
			a->dump = realloc(a->dump, a->dump_cap);
			if (!a->dump)
				abort();
		}
		memcpy(a->dump + a->dump_len, &pa, 8);
		memcpy(a->dump + a->dump_len + 8, va, len);
		a->dump_len += len + 8;
	}
}

static bool mark_page(struct runner *r, u64 pa)
{
	u64 slot = (pa - r->mm.base) >> 12;

	if (slot >= r->mark_cap) {
		u64 cap = r->mm.nr_slots + 1024;

		r->mark = realloc(r->mark, cap * sizeof(*r->mark));
		if (!r->mark)
			abort();
		memset(r->mark + r->mark_cap, 0,
		       (cap - r->mark_cap) * sizeof(*r->mark));
		r->mark_cap = cap;
	}
	if (r->mark[slot] == r->epoch)
		return false;
	r->mark[slot] = r->epoch;
	return true;
}

static void check_leaf(struct runner *r, u64 gpa, int lvl, npt_pte_t pte,
		       const struct ref_entry *re)
{
	u64 hpa;
	u32 prot, attr, st;
	u64 size = npt_lvl_size(lvl);

	CHECK(r, r->leaf_lvls & BIT(lvl), "leaf at level %d", lvl);
	/* A logged leaf is write-protected whole: none crosses the edge. */
	CHECK(r, !log_edge(r, gpa, size), "leaf %#llx at gpa %#llx level %d "
	      "crosses the edge of the logged region", (unsigned long long)pte,
	      (unsigned long long)gpa, lvl);
	if (!model_uniform(&r->m, gpa, size, &hpa, &prot, &attr, NULL)) {
		fail(r, "leaf %#llx at level %d over gpa %#llx: the model "
		     "does not map that block uniformly",
		     (unsigned long long)pte, lvl, (unsigned long long)gpa);
		return;
	}
	CHECK(r, re->pa == hpa && re->prot == prot && re->attr == attr,
	      "gpa %#llx lvl %d pte %#llx reads as pa %#llx prot %#x attr %#x,"
	      " model %#llx %#x %#x", (unsigned long long)gpa, lvl,
	      (unsigned long long)pte, (unsigned long long)re->pa, re->prot,
	      re->attr, (unsigned long long)hpa, prot, attr);
	/* Leaves folded across different states: the flags are unknown. */
	if (!model_uniform(&r->m, gpa, size, &hpa, &prot, &attr, &st))
		st = MODEL_ST_ACCESSED;
	if (!(st & MODEL_ST_ACCESSED) && !r->accessed) {
		bool young = !(st & MODEL_ST_OLD);

		if (is_ept(r->cfg.format) &&
		    !(r->cfg.options & NPT_OPT_EPT_AD))
			young = false;
		CHECK(r, re->young == young,
		      "gpa %#llx pte %#llx: accessed bit %d, expected %d",
		      (unsigned long long)gpa, (unsigned long long)pte,
		      re->young, young);
	}
}

static int audit_lvl(struct runner *r, struct audit *a, npt_pte_t *table,
		     int lvl, u64 base, u64 nr)
{
	u64 i, present = 0;

	for (i = 0; i < nr && !r->failed; i++) {
		npt_pte_t pte = table[i];
		u64 gpa = base + (i << npt_lvl_shift(lvl));
		struct ref_entry re;
		enum npt_bad bad;
		npt_pte_t *child;
		int n;

		if (!pte)
			continue;
		ref_decode(&r->rf, pte, lvl, &re);
		if (!re.present) {
			CHECK(r, !npt_pte_present(r->t, pte),
			      "pte %#llx: npt and the manual disagree on "
			      "presence", (unsigned long long)pte);
			CHECK(r, !pte, "non-present entry %#llx at gpa %#llx "
			      "lvl %d is not zero", (unsigned long long)pte,
			      (unsigned long long)gpa, lvl);
			continue;
		}
		present++;
		bad = npt_validate(r->t, pte, lvl);
		CHECK(r, bad == NPT_BAD_NONE, "npt_validate(%#llx, lvl %d) = %d"
		      " at gpa %#llx", (unsigned long long)pte, lvl, bad,
		      (unsigned long long)gpa);
		CHECK(r, !re.bad, "pte %#llx lvl %d gpa %#llx: %s",
		      (unsigned long long)pte, lvl, (unsigned long long)gpa,
		      re.bad);
		CHECK(r, npt_pte_is_table(r->t, pte, lvl) == re.table,
		      "pte %#llx lvl %d: npt and the manual disagree on "
		      "table vs leaf", (unsigned long long)pte, lvl);
		if (!re.table) {
			a->leaves[lvl]++;
			a->mapped += npt_lvl_size(lvl);
			if (a->leaves_vs_model)
				check_leaf(r, gpa, lvl, pte, &re);
			continue;
		}
		child = npt_test_pa_to_va(&r->mm, re.pa);
		if (!child || (re.pa & 4095)) {
			fail(r, "table entry %#llx at gpa %#llx lvl %d points "
			     "to no live page", (unsigned long long)pte,
			     (unsigned long long)gpa, lvl);
			return -1;
		}
		if (!mark_page(r, re.pa)) {
			fail(r, "table page %#llx linked twice",
			     (unsigned long long)re.pa);
			return -1;
		}
		a->tables[lvl - 1]++;
		audit_page(a, re.pa, child, 4096);
		n = audit_lvl(r, a, child, lvl - 1, gpa, NPT_PTRS);
		if (!n)
			fail(r, "empty table at gpa %#llx lvl %d was not freed",
			     (unsigned long long)gpa, lvl - 1);
		if (pte & r->t->tbl_full)
			r->st->full_tables++;
		CHECK(r, !(pte & r->t->tbl_full) || (lvl == 1 && n == NPT_PTRS),
		      "table entry %#llx at gpa %#llx lvl %d says full, but "
		      "%d of its entries are present", (unsigned long long)pte,
		      (unsigned long long)gpa, lvl, n);
	}
	return present;
}

static void audit(struct runner *r, struct audit *a, bool full)
{
	struct npt_table *t = r->t;
	int root = npt_root_lvl(t);
	u32 rp = npt_root_pages(t);
	struct npt_stats st;
	u64 total = 0;
	size_t i;
	int lvl;

	memset(a->tables, 0, sizeof(a->tables));
	memset(a->leaves, 0, sizeof(a->leaves));
	a->mapped = 0;
	a->hash = 0xcbf29ce484222325ULL;
	a->leaves_vs_model = full;
	r->epoch++;
	CHECK(r, npt_test_pa_to_va(&r->mm, t->root_pa) == t->root,
	      "root pa %#llx is not the root page", (unsigned long long)t->root_pa);
	for (i = 0; i < rp; i++)
		mark_page(r, t->root_pa + 4096 * i);
	a->tables[root] = rp;
	audit_page(a, t->root_pa, t->root, 4096 * rp);
	audit_lvl(r, a, t->root, root, 0, npt_lvl_entries(t, root));
	if (!full || r->failed)
		return;
	r->st->audits++;
	npt_get_stats(t, &st);
	for (lvl = 0; lvl < NPT_MAX_LEVELS; lvl++) {
		CHECK(r, st.tables[lvl] == a->tables[lvl],
		      "stats: %llu tables at level %d, found %llu",
		      (unsigned long long)st.tables[lvl], lvl,
		      (unsigned long long)a->tables[lvl]);
		CHECK(r, st.leaves[lvl] == a->leaves[lvl],
		      "stats: %llu leaves at level %d, found %llu",
		      (unsigned long long)st.leaves[lvl], lvl,
		      (unsigned long long)a->leaves[lvl]);
		total += a->tables[lvl];
	}
	CHECK(r, st.table_pages == total, "stats: %llu table pages, found %llu",
	      (unsigned long long)st.table_pages, (unsigned long long)total);
	CHECK(r, st.table_pages <= st.max_pages, "%llu table pages over the "
	      "limit %llu", (unsigned long long)st.table_pages,
	      (unsigned long long)st.max_pages);
	CHECK(r, (u64)r->mm.live == total + t->cache.nr + st.data_pages +
	      (t->blocks.nr << NPT_BLOCK_ORDER),
	      "provider holds %ld pages, table %llu + cache %lu + data %llu "
	      "+ %lu reserved blocks", r->mm.live, (unsigned long long)total,
	      t->cache.nr, (unsigned long long)st.data_pages, t->blocks.nr);
	for (i = 0, total = 0; i < r->m.n; i++)
		total += r->m.e[i].size;
	CHECK(r, a->mapped == total, "leaves map %#llx bytes, the model %#llx",
	      (unsigned long long)a->mapped, (unsigned long long)total);
	if (st.table_pages > r->st->max_pages)
		r->st->max_pages = st.table_pages;
}

/* ---- checking one address --------------------------------------------- */

static void check_gpa(struct runner *r, u64 gpa)
{
	struct npt_walk_info wi;
	struct npt_translation tr;
	const struct model_ext *e;
	struct ref_entry re = { 0 };
	u64 off = rnd(r, 4096), bsize, bhpa;
	u32 i, bprot, battr;
	int ret, lvl = 0;

	if (r->failed)
		return;
	gpa &= ~4095ULL;
	r->st->gpa_checks++;
	if (r->nmany < MAX_MANY)
		r->many[r->nmany++] = gpa + off;
	ret = npt_walk_gpa(r->t, gpa, &wi);
	if (gpa >= r->ia_size) {
		CHECK(r, ret == -ERANGE, "walk_gpa(%#llx) beyond the width = %d",
		      (unsigned long long)gpa, ret);
		ret = npt_translate(r->t, gpa + off, &tr);
		CHECK(r, ret == -ERANGE, "translate(%#llx) beyond the width ="
		      " %d", (unsigned long long)gpa + off, ret);
		return;
	}
	CHECK(r, !ret && wi.levels >= 1 && wi.levels <= (u32)r->levels &&
	      wi.root_lvl == r->levels - 1, "walk_gpa(%#llx) = %d, %u levels,"
	      " root %d", (unsigned long long)gpa, ret, wi.levels, wi.root_lvl);
	if (r->failed)
		return;
	for (i = 0; i < wi.levels; i++) {
		npt_pte_t pte = wi.pte[i];
		enum npt_bad bad;

		lvl = wi.root_lvl - i;
		ref_decode(&r->rf, pte, lvl, &re);
		if (!re.present) {
			CHECK(r, i == wi.levels - 1, "walk went on below a "
			      "non-present entry");
			break;
		}
		bad = npt_validate(r->t, pte, lvl);
		CHECK(r, bad == NPT_BAD_NONE, "walk of %#llx: npt_validate("
		      "%#llx, lvl %d) = %d", (unsigned long long)gpa,
		      (unsigned long long)pte, lvl, bad);
		CHECK(r, !re.bad, "walk of %#llx: pte %#llx lvl %d: %s",
		      (unsigned long long)gpa, (unsigned long long)pte, lvl,
		      re.bad);
		CHECK(r, re.table == (i < wi.levels - 1), "walk of %#llx: "
		      "pte %#llx lvl %d: table %d at step %u of %u",
		      (unsigned long long)gpa, (unsigned long long)pte, lvl,
		      re.table, i, wi.levels);
	}
	ret = npt_translate(r->t, gpa + off, &tr);
	e = model_find(&r->m, gpa);
	if (!e) {
		CHECK(r, ret == -ENOENT, "translate(%#llx) = %d (hpa %#llx "
		      "lvl %d pte %#llx), the model has no mapping",
		      (unsigned long long)gpa + off, ret,
		      (unsigned long long)tr.hpa, tr.lvl,
		      (unsigned long long)tr.pte);
		CHECK(r, !re.present, "walk of unmapped %#llx ends at a "
		      "present entry", (unsigned long long)gpa);
		return;
	}
	CHECK(r, !ret, "translate(%#llx) = %d, the model maps it to %#llx",
	      (unsigned long long)gpa + off, ret,
	      (unsigned long long)(e->hpa + gpa - e->gpa));
	if (r->failed)
		return;
	CHECK(r, tr.hpa == e->hpa + (gpa - e->gpa) + off && tr.prot == e->prot &&
	      tr.attr == e->attr, "translate(%#llx) = hpa %#llx prot %#x "
	      "attr %#x lvl %d, the model %#llx %#x %#x",
	      (unsigned long long)gpa + off, (unsigned long long)tr.hpa,
	      tr.prot, tr.attr, tr.lvl,
	      (unsigned long long)(e->hpa + gpa - e->gpa + off), e->prot,
	      e->attr);
	CHECK(r, tr.lvl == lvl && tr.pte == wi.pte[wi.levels - 1],
	      "translate and walk_gpa disagree on %#llx",
	      (unsigned long long)gpa);
	bsize = npt_lvl_size(lvl);
	CHECK(r, re.pa == ((tr.hpa - off) & ~(bsize - 1)) &&
	      re.prot == tr.prot && re.attr == tr.attr,
	      "pte %#llx lvl %d reads (manual) as pa %#llx prot %#x attr "
	      "%#x; npt says hpa %#llx prot %#x attr %#x",
	      (unsigned long long)tr.pte, lvl, (unsigned long long)re.pa,
	      re.prot, re.attr, (unsigned long long)tr.hpa, tr.prot,
	      tr.attr);
	CHECK(r, r->leaf_lvls & BIT(lvl), "leaf at level %d", lvl);
	CHECK(r, model_uniform(&r->m, gpa & ~(bsize - 1), bsize, &bhpa,
			       &bprot, &battr, NULL),
	      "gpa %#llx is in a level-%d leaf but the model does not map "
	      "its block uniformly", (unsigned long long)gpa, lvl);
}

/*
 * npt_translate_many() of the addresses check_gpa() translated since
 * r->nmany was reset, in a random order, equals npt_translate() of each
 * (held to the model there): the same translations up to the first
 * address that fails, whose index it returns, and at that one what
 * npt_translate() leaves.
 */
static void check_many(struct runner *r)
{
	struct npt_translation many[MAX_MANY], one[MAX_MANY];
	u32 i, n = r->nmany, first = n, got;

	r->nmany = 0;
	if (r->failed)
		return;
	for (i = n; i > 1; i--) {
		u32 j = rnd(r, i);
		u64 x = r->many[i - 1];

		r->many[i - 1] = r->many[j];
		r->many[j] = x;
	}
	for (i = 0; i < n && first == n; i++)
		if (npt_translate(r->t, r->many[i], &one[i]))
			first = i;
	memset(many, 0xa5, sizeof(many));
	got = npt_translate_many(r->t, r->many, many, n);
	CHECK(r, got == first, "translate_many of %u addresses = %u, "
	      "translate fails first at %u", n, got, first);
	for (i = 0; i <= got && i < n && !r->failed; i++)
		CHECK(r, one[i].hpa == many[i].hpa &&
		      one[i].prot == many[i].prot &&
		      one[i].attr == many[i].attr &&
		      one[i].lvl == many[i].lvl && one[i].pte == many[i].pte,
		      "translate_many, address %u of %u (%#llx): hpa %#llx lvl "
		      "%d pte %#llx, translate hpa %#llx lvl %d pte %#llx", i,
		      n, (unsigned long long)r->many[i],
		      (unsigned long long)many[i].hpa, many[i].lvl,
		      (unsigned long long)many[i].pte,
		      (unsigned long long)one[i].hpa, one[i].lvl,
		      (unsigned long long)one[i].pte);
	r->st->many_checks++;
}

/* The addresses a call over [gpa, gpa + size) touched, and its edges. */
static void check_range(struct runner *r, u64 gpa, u64 size)
{
	u64 end = gpa + size, p, b;
	int i;

	r->nmany = 0;

	if (size <= 64 * 4096) {
		for (p = gpa; p < end && !r->failed; p += 4096)
			check_gpa(r, p);
	} else {
		check_gpa(r, gpa);
		check_gpa(r, gpa + 4096);
		check_gpa(r, end - 4096);
		check_gpa(r, end - 8192);
		for (b = 1ULL << 21; b <= 1ULL << 30; b <<= 9) {
			p = (gpa + b - 1) & ~(b - 1);
			if (p > gpa && p < end) {
				check_gpa(r, p - 4096);
				check_gpa(r, p);
			}
			p = end & ~(b - 1);
			if (p > gpa && p < end) {
				check_gpa(r, p - 4096);
				check_gpa(r, p);
			}
		}
		for (i = 0; i < 16; i++)
			check_gpa(r, gpa + (rnd(r, size >> 12) << 12));
	}
	if (gpa)
		check_gpa(r, gpa - 4096);
	if (end < r->ia_size)
		check_gpa(r, end);
	check_many(r);
}

static void check_samples(struct runner *r, int n)
{
	int i;

	for (i = 0; i < n && !r->failed; i++) {
		if (r->m.n && chance(r, 70)) {
			const struct model_ext *e = &r->m.e[rnd(r, r->m.n)];

			check_gpa(r, e->gpa + (rnd(r, e->size >> 12) << 12));
		} else {
			u64 w = r->win[rnd(r, r->nwin)];

			check_gpa(r, (w + (rnd(r, 1 << 20) << 12) -
				      (1ULL << 31)) & (r->ia_size - 1));
		}
	}
}

/* ---- the invalidation plan -------------------------------------------- */

static bool plan_covers(const struct npt_flush_plan *p, u64 a, u64 b)
{
	bool moved = true;
	u32 i;

	if (p->all)
		return true;
	while (a < b && moved) {
		moved = false;
		for (i = 0; i < p->nr; i++) {
			u64 s = p->range[i].gpa, e = s + p->range[i].size;

			if (s <= a && a < e) {
				a = e;
				moved = true;
			}
		}
	}
	return a >= b;
}

static bool flushes_cover(struct runner *r, u64 a, u64 b)
{
	bool moved = true;
	u32 i, j;

	if (r->flush_overflow)
		return true;
	while (a < b && moved) {
		moved = false;
		for (j = 0; j < r->nflush; j++) {
			const struct npt_flush_plan *p = &r->flush[j];

			if (p->all)
				return true;
			for (i = 0; i < p->nr; i++) {
				u64 s = p->range[i].gpa;
				u64 e = s + p->range[i].size;

				if (s <= a && a < e) {
					a = e;
					moved = true;
				}
			}
		}
	}
	return a >= b;
}

/* Arm: a flush while [a, b) was invalid, between the break and the make. */
static bool broken_cover(struct runner *r, u64 a, u64 b)
{
	bool moved = true;
	u32 i;

	if (r->nbroken == MAX_FLUSHES)
		return true;
	while (a < b && moved) {
		moved = false;
		for (i = 0; i < r->nbroken; i++) {
			u64 s = r->broken[i][0], e = s + r->broken[i][1];

			if (s <= a && a < e) {
				a = e;
				moved = true;
			}
		}
	}
	return a >= b;
}

static void check_plan_shape(struct runner *r, const struct npt_flush_plan *p)
{
	u32 i;

	CHECK(r, p->nr <= NPT_PLAN_RANGES, "plan with %u ranges", p->nr);
	if (p->all)
		return;
	for (i = 0; i < p->nr && i < NPT_PLAN_RANGES; i++) {
		u64 s = p->range[i].gpa, z = p->range[i].size;

		CHECK(r, z && !((s | z) & 4095) && s + z > s &&
		      s + z <= r->ia_size && p->range[i].lvl >= 0 &&
		      p->range[i].lvl < r->levels,
		      "plan range %u: gpa %#llx size %#llx lvl %d", i,
		      (unsigned long long)s, (unsigned long long)z,
		      p->range[i].lvl);
	}
}

/* Every translation in [a, b) that differs between r->old and r->m. */
static void check_flushed(struct runner *r, const struct npt_op_result *res,
			  u64 a, u64 b)
{
	u64 cur = a;

	check_plan_shape(r, &res->plan);
	while (cur < b && !r->failed) {
		const struct model_ext *o = model_find(&r->old, cur);
		const struct model_ext *n = model_find(&r->m, cur);
		const struct model_ext *on = model_next(&r->old, cur);
		const struct model_ext *nn = model_next(&r->m, cur);
		u64 next = b;
		bool changed;

		/* The next boundary of either map. */
		if (o)
			next = min(next, o->gpa + o->size);
		else if (on)
			next = min(next, max(on->gpa, cur + 4096));
		if (n)
			next = min(next, n->gpa + n->size);
		else if (nn)
			next = min(next, max(nn->gpa, cur + 4096));

		if (o && n) {
			bool moved = o->hpa + (cur - o->gpa) !=
				     n->hpa + (cur - n->gpa) ||
				     o->attr != n->attr;

			changed = moved || o->prot != n->prot;
			/*
			 * Arm changes output or memory type only through an
			 * invalid entry, flushed before the new one is made.
			 */
			if (moved && r->cfg.flush &&
			    r->cfg.format == NPT_FORMAT_ARM64_S2)
				CHECK(r, broken_cover(r, cur, next), "Arm: "
				      "[%#llx, %#llx) changed output or memory "
				      "type without break-before-make",
				      (unsigned long long)cur,
				      (unsigned long long)next);
		} else if (o) {
			changed = true;
		} else {
			/* RISC-V without Svvptc may cache the invalid entry. */
			changed = n && is_rv(r->cfg.format);
		}
		if (changed) {
			CHECK(r, plan_covers(&res->plan, cur, next),
			      "the plan misses changed [%#llx, %#llx)",
			      (unsigned long long)cur, (unsigned long long)next);
			if (r->cfg.flush)
				CHECK(r, flushes_cover(r, cur, next),
				      "no flush callback covered changed "
				      "[%#llx, %#llx)", (unsigned long long)cur,
				      (unsigned long long)next);
		}
		cur = next;
	}
	if (r->cfg.flush)
		CHECK(r, !r->free_before_flush, "%u table pages freed before "
		      "any flush", r->free_before_flush);
	else if (r->nfree_table)
		CHECK(r, res->plan.all || res->plan.nr, "table pages freed "
		      "with an empty plan");
	/* Fewer tables: one was unlinked, its cached walks must go too. */
	CHECK(r, r->t->st.table_pages >= r->op_table_pages || res->plan.tables,
	      "table pages %llu -> %llu, the plan says no table changed",
	      (unsigned long long)r->op_table_pages,
	      (unsigned long long)r->t->st.table_pages);
	CHECK(r, !res->plan.tables || r->nfree_table,
	      "the plan says a table changed, none was freed");
}

/* ---- generating arguments --------------------------------------------- */

static u64 gen_size(struct runner *r)
{
	static const u64 sizes[] = {
		4096, 8192, 3 << 12, 16 << 12, 511 << 12, 512 << 12,
		513 << 12, (1 << 21) - 4096, 1 << 21, (1 << 21) + 4096,
		2 << 21, 3 << 21, (1ULL << 30) - 4096, 1ULL << 30,
		(1ULL << 30) + 4096, (1ULL << 30) + (1 << 21), 2ULL << 30,
	};

	switch (rnd(r, 10)) {
	case 0:
	case 1:
	case 2:
		return (1 + rnd(r, 16)) << 12;
	case 3:
		return (1 + rnd(r, 1024)) << 12;
	case 4:
		if (chance(r, 10) && r->cfg.format == NPT_FORMAT_SV48X4)
			return 1ULL << 39;
		if (chance(r, 20))
			return (1 + rnd(r, 4)) << 30;
		return (1 + rnd(r, 64)) << 21;
	default:
		return sizes[rnd(r, ARRAY_SIZE(sizes))];
	}
}

static u64 gen_gpa(struct runner *r, u64 size)
{
	u64 g, b;

	switch (rnd(r, 12)) {
	case 0:
		return 0;
	case 1:
		return size < r->ia_size ? r->ia_size - size : 0;
	case 2:
		return r->ia_size - 4096;
	case 3:
		return r->m.n ? r->m.e[rnd(r, r->m.n)].gpa : 0;
	case 4:
		if (r->m.n) {
			const struct model_ext *e = &r->m.e[rnd(r, r->m.n)];

			return e->gpa + (rnd(r, e->size >> 12) << 12);
		}
		fallthrough;
	case 5:
		/* Into the region and across its edges. */
		if (r->rg.size)
			return r->rg.gpa + (rnd(r, r->rg.size >> 12) << 12);
		fallthrough;
	default:
		g = r->win[rnd(r, r->nwin)];
		b = 1ULL << (12 + 9 * rnd(r, 3));
		g += (rnd(r, 64) * b) - 32 * b;
		if (chance(r, 30))
			g += (rnd(r, 5) - 2) << 12;
		return g & (r->ia_size - 1) & ~4095ULL;
	}
}

static u64 gen_hpa(struct runner *r, u64 gpa, u64 size)
{
	u64 h;

	switch (rnd(r, 8)) {
	case 0:
		/* congruent with gpa modulo 1 GiB: blocks everywhere */
		h = (rnd(r, r->oa_size >> 30) << 30) | (gpa & ((1 << 30) - 1));
		break;
	case 1:
		h = r->oa_size > size ? r->oa_size - size : 0;
		break;
	case 2:
		h = rnd(r, r->oa_size >> 12) << 12;
		break;
	case 3:
		h = 0;
		break;
	default:
		h = (rnd(r, r->oa_size >> 21) << 21) | (gpa & ((1 << 21) - 1));
		break;
	}
	if (h + size > r->oa_size && h >= size && chance(r, 80))
		h = (r->oa_size - size) & ~((1ULL << 21) - 1);
	/* 4 KiB leaves only for ranges of moderate size: keep it fast. */
	if (size > (64ULL << 20) && ((h ^ gpa) & ((1 << 21) - 1)) &&
	    chance(r, 95))
		h = (h & ~((1ULL << 21) - 1)) | (gpa & ((1 << 21) - 1));
	return h;
}

static void gen_prot(struct runner *r, u32 *prot, u32 *attr)
{
	static const u32 good[] = {
		NPT_PROT_R, NPT_PROT_R | NPT_PROT_W,
		NPT_PROT_R | NPT_PROT_W | NPT_PROT_X, NPT_PROT_R | NPT_PROT_X,
		NPT_PROT_X,
	};

	bool ept = is_ept(r->cfg.format);

	*prot = chance(r, 88) ? good[rnd(r, ARRAY_SIZE(good))] : rnd(r, 17);
	if (chance(r, 60))
		*attr = NPT_MT_WB;
	else if (ept || chance(r, 20))
		*attr = rnd(r, NPT_MT_MAX + 1);
	else
		*attr = rnd(r, NPT_MT_DEVICE + 1);
	if (chance(r, ept ? 15 : 2))
		*attr |= NPT_ATTR_IPAT;
	if (chance(r, 3))
		*attr = rnd(r, 1024);
	/* Arm never executes device memory: mostly ask for what works. */
	if (r->cfg.format == NPT_FORMAT_ARM64_S2 && (*attr & 0xff) &&
	    chance(r, 70))
		*prot &= ~NPT_PROT_X;
}

/* Valid flags mostly; sometimes one the call does not take. */
u32 npt_test_avoid_flags;

static u32 gen_flags(struct runner *r, u32 valid)
{
	u32 f = rnd(r, 32) & valid & ~npt_test_avoid_flags;

	if (chance(r, 3))
		f |= (1U << rnd(r, 32)) & ~npt_test_avoid_flags;
	return f;
}

static u32 range_errs(struct runner *r, u64 gpa, u64 size, u64 width)
{
	u32 acc = 0;

	if (!size || ((gpa | size) & 4095))
		acc |= A_EINVAL;
	if (gpa + size < gpa)
		acc |= A_EOVERFLOW | A_ERANGE;
	else if (gpa + size > width)
		acc |= A_ERANGE;
	return acc;
}

/* Sometimes break an argument on purpose. */
static void mangle(struct runner *r, u64 *gpa, u64 *size)
{
	switch (rnd(r, 80)) {
	case 0:
		*size = 0;
		break;
	case 1:
		*gpa |= 1 + rnd(r, 4095);
		break;
	case 2:
		*size |= 1 + rnd(r, 4095);
		break;
	case 3:
		*gpa = r->ia_size + (rnd(r, 4) << 12);
		break;
	case 4:
		*gpa = ~0ULL - 4095 - (rnd(r, 4) << 12);
		break;
	case 5:
		*size = ~0ULL - 4095;
		break;
	case 6:
		*gpa = r->ia_size - 4096;
		*size = 8192;
		break;
	}
}

/* ---- operations ------------------------------------------------------- */

static void begin_op(struct runner *r)
{
	r->in_op = true;
	r->op_born = npt_test_allocs;
	r->nflush = 0;
	r->flush_overflow = false;
	r->nfree_table = 0;
	r->free_before_flush = 0;
	r->op_table_pages = r->t->st.table_pages;
	r->nbroken = 0;
	npt_test_stop_calls = 0;
}

static void end_op(struct runner *r)
{
	r->in_op = false;
	npt_test_stop_at = 0;
}

static u64 table_hash(struct runner *r, u64 gpa, u64 size);

/*
 * Check a mutation's outcome against @acc; on success or -EINTR apply
 * @apply to the model over the part done.  Returns the part done.
 */
static u64 settle(struct runner *r, int op, int ret, u32 acc,
		  const struct npt_op_result *res, u64 gpa, u64 size,
		  u64 pre_hash, bool have_hash)
{
	u32 bit = outcome_bit(ret);

	CHECK(r, bit && (acc & bit), "returned %d; allowed outcomes %#x",
	      ret, acc);
	if (!ret) {
		r->st->ok[op]++;
		CHECK(r, res->done == size, "success with done %#llx of %#llx",
		      (unsigned long long)res->done, (unsigned long long)size);
		return size;
	}
	r->st->err[op]++;
	if (ret == -EINTR) {
		r->st->eintr++;
		CHECK(r, res->done < size && !(res->done & 4095),
		      "-EINTR with done %#llx of %#llx",
		      (unsigned long long)res->done, (unsigned long long)size);
		return res->done;
	}
	if (ret == -ENOSPC)
		r->st->enospc++;
	CHECK(r, !res->done, "error %d with done %#llx (a failed call "
	      "must change nothing)", ret, (unsigned long long)res->done);
	if (have_hash && !r->failed)
		CHECK(r, table_hash(r, gpa, size) == pre_hash,
		      "error %d changed the table", ret);
	return 0;
}

/*
 * Whether a call over @size bytes may hit the page limit: a set limit, or
 * the default one when the worst case (a table per 2 MiB) exceeds it.
 */
static bool may_enospc(struct runner *r, u64 size)
{
	u64 worst = (size >> 21) + (size >> 30) + 2 * r->levels + 2;

	return r->cfg.max_pages ||
	       worst > r->t->st.max_pages - r->t->st.table_pages;
}

static bool want_hash(struct runner *r, u32 acc)
{
	return acc & (A_EEXIST | A_ENOENT | A_ENOSPC | A_ENOMEM);
}

/* Hash the table pages a call over [gpa, end) can reach. */
static void range_hash_lvl(struct runner *r, struct audit *a,
			   npt_pte_t *table, int lvl, u64 base, u64 nr,
			   u64 gpa, u64 end)
{
	unsigned int shift = npt_lvl_shift(lvl);
	u64 i = gpa > base ? (gpa - base) >> shift : 0;

	for (; i < nr && base + (i << shift) < end; i++) {
		npt_pte_t pte = table[i];
		npt_pte_t *child;

		if (!npt_pte_is_table(r->t, pte, lvl))
			continue;
		child = npt_test_pa_to_va(&r->mm, npt_pte_pa(r->t, pte));
		if (!child)
			continue;
		audit_page(a, npt_pte_pa(r->t, pte), child, 4096);
		range_hash_lvl(r, a, child, lvl - 1, base + (i << shift),
			       NPT_PTRS, gpa, end);
	}
}

static u64 table_hash(struct runner *r, u64 gpa, u64 size)
{
	struct audit a = { .hash = 0xcbf29ce484222325ULL };
	int root = npt_root_lvl(r->t);
	u64 end = gpa + size < gpa ? ~0ULL : gpa + size;

	audit_page(&a, r->t->root_pa, r->t->root,
		   4096 * npt_root_pages(r->t));
	range_hash_lvl(r, &a, r->t->root, root, 0,
		       npt_lvl_entries(r->t, root), gpa, end);
	return a.hash;
}

static void arm_stop(struct runner *r)
{
	npt_test_stop_at = chance(r, 50) ? 1 + rnd(r, 3) : 0;
}

static int expected_lvl(struct runner *r, u64 page, u64 gpa, u64 hpa,
			u64 size, u32 flags)
{
	int lvl;

	if (flags & NPT_OP_NO_BLOCKS)
		return 0;
	for (lvl = r->levels - 1; lvl > 0; lvl--) {
		u64 bs = npt_lvl_size(lvl), b = page & ~(bs - 1);

		if ((r->leaf_lvls & BIT(lvl)) && b >= gpa &&
		    b + bs <= gpa + size && !((gpa - hpa) & (bs - 1)) &&
		    !log_edge(r, b, bs))
			return lvl;
	}
	return 0;
}

static void check_fit(struct runner *r, u64 gpa, u64 hpa, u64 size, u32 flags)
{
	struct npt_translation tr;
	int i, want;

	for (i = 0; i < 8 && !r->failed; i++) {
		u64 p = gpa + (rnd(r, size >> 12) << 12);

		if (i == 0)
			p = gpa;
		if (npt_translate(r->t, p, &tr))
			continue;
		want = expected_lvl(r, p, gpa, hpa, size, flags);
		if (flags & NPT_OP_REPLACE)
			CHECK(r, tr.lvl <= want, "map: gpa %#llx in a level-%d "
			      "leaf, largest fit %d", (unsigned long long)p,
			      tr.lvl, want);
		else
			CHECK(r, tr.lvl == want, "map: gpa %#llx in a level-%d "
			      "leaf, largest fit is %d", (unsigned long long)p,
			      tr.lvl, want);
	}
}

/*
 * The state a map leaves in its leaves: NPT_OP_OLD, and a dirty flag set
 * when the leaf is writable where the format sets one at map time (EPT
 * with A/D, RISC-V).  Protect keeps it, so leaves of the same permissions
 * can differ in it, and collapse does not fold them.
 */
static u32 map_state(const struct runner *r, u32 prot, u32 flags)
{
	bool dirty = is_rv(r->cfg.format) ||
		     (is_ept(r->cfg.format) &&
		      (r->cfg.options & NPT_OPT_EPT_AD));

	if (flags & NPT_OP_OLD)
		return MODEL_ST_OLD;
	return dirty && (prot & NPT_PROT_W) ? MODEL_ST_DIRTY : 0;
}

static void do_map(struct runner *r)
{
	u64 size = gen_size(r), gpa = gen_gpa(r, size), hpa, done, pre = 0;
	u64 ls, le;
	u32 prot, attr, flags, acc, valid = NPT_OP_REPLACE | NPT_OP_NO_BLOCKS |
		NPT_OP_OLD | NPT_OP_INTERRUPTIBLE;
	struct npt_op_result res;
	bool hash, clean;
	int leaf, ret;

	flags = gen_flags(r, valid);
	/* No 4 KiB leaves over more than 64 MiB: they are slow. */
	if (size > (64ULL << 20))
		flags &= ~NPT_OP_NO_BLOCKS;
	mangle(r, &gpa, &size);
	hpa = gen_hpa(r, gpa, size);
	if (chance(r, 3))
		hpa |= 1 + rnd(r, 4095);
	if (chance(r, 3))
		hpa = r->oa_size - (rnd(r, 4) << 12);
	gen_prot(r, &prot, &attr);
	snprintf(r->what, sizeof(r->what), "map(gpa %#llx, hpa %#llx, size "
		 "%#llx, prot %#x, attr %#x, flags %#x)",
		 (unsigned long long)gpa, (unsigned long long)hpa,
		 (unsigned long long)size, prot, attr, flags);

	acc = range_errs(r, gpa, size, r->ia_size);
	if (flags & ~valid)
		acc |= A_EINVAL;
	if (hpa & 4095)
		acc |= A_EINVAL;
	if (hpa + size < hpa)
		acc |= A_EOVERFLOW | A_ERANGE;
	else if (hpa + size > r->oa_size)
		acc |= A_ERANGE;
	leaf = ref_leaf_ok(&r->rf, prot, attr, flags);
	if (leaf < 0)
		acc |= A_EINVAL;
	clean = !acc;
	if (!acc) {
		if (leaf == 1)
			acc |= A_EINVAL;
		if (!(flags & NPT_OP_REPLACE) && model_any(&r->m, gpa, size))
			acc |= A_EEXIST;
		else
			acc |= A_OK;
		if (may_enospc(r, size))
			acc |= A_ENOSPC;
		if (flags & NPT_OP_INTERRUPTIBLE)
			arm_stop(r);
		if (npt_test_stop_at)
			acc |= A_EINTR;
	}
	hash = want_hash(r, acc);
	if (hash)
		pre = table_hash(r, gpa, size);
	model_copy(&r->old, &r->m);
	begin_op(r);
	ret = npt_map(r->t, gpa, hpa, size, prot, attr, flags, &res);
	end_op(r);
	if (leaf == 1 && clean && (!ret || ret == -EINVAL))
		ret ? r->st->ambiguous_einval++ : r->st->ambiguous_ok++;
	done = settle(r, OP_MAP, ret, acc, &res, gpa, size, pre, hash);
	if (done)
		model_set(&r->m, gpa, done, hpa, prot, attr,
			  map_state(r, prot, flags));
	/* Logged leaves: not writable yet, or with the dirty flag clear. */
	if (done && log_part(r, gpa, done, &ls, &le)) {
		u32 lp = r->log_hw ? prot : prot & ~NPT_PROT_W;

		model_set(&r->m, ls, le - ls, hpa + (ls - gpa), lp, attr,
			  (map_state(r, lp, flags) & ~MODEL_ST_DIRTY) |
			  (lp != prot ? MODEL_ST_LOGWP : 0));
	}
	if (!r->failed && !ret)
		check_fit(r, gpa, hpa, size, flags);
	if (!r->failed && (acc & A_OK))
		check_flushed(r, &res, gpa, gpa + size);
	if (!(acc & (A_EINVAL | A_ERANGE | A_EOVERFLOW)))
		check_range(r, gpa, size);
}

static void do_unmap(struct runner *r)
{
	u64 size = gen_size(r), gpa = gen_gpa(r, size), done, pre = 0;
	u32 flags = gen_flags(r, NPT_OP_INTERRUPTIBLE), acc;
	struct npt_op_result res;
	bool hash;
	int ret;

	mangle(r, &gpa, &size);
	snprintf(r->what, sizeof(r->what), "unmap(gpa %#llx, size %#llx, "
		 "flags %#x)", (unsigned long long)gpa,
		 (unsigned long long)size, flags);
	acc = range_errs(r, gpa, size, r->ia_size);
	if (flags & ~NPT_OP_INTERRUPTIBLE)
		acc |= A_EINVAL;
	if (!acc) {
		acc = A_OK;
		if (may_enospc(r, size))
			acc |= A_ENOSPC;
		if (flags & NPT_OP_INTERRUPTIBLE)
			arm_stop(r);
		if (npt_test_stop_at)
			acc |= A_EINTR;
	}
	hash = want_hash(r, acc);
	if (hash)
		pre = table_hash(r, gpa, size);
	model_copy(&r->old, &r->m);
	begin_op(r);
	ret = npt_unmap(r->t, gpa, size, flags, &res);
	end_op(r);
	done = settle(r, OP_UNMAP, ret, acc, &res, gpa, size, pre, hash);
	if (done)
		model_clear(&r->m, gpa, done);
	if (!r->failed && (acc & A_OK))
		check_flushed(r, &res, gpa, gpa + size);
	if (!(acc & (A_EINVAL | A_ERANGE | A_EOVERFLOW)))
		check_range(r, gpa, size);
}

static void do_protect(struct runner *r)
{
	u64 size = gen_size(r), gpa = gen_gpa(r, size), done, pre = 0, cur;
	u32 valid = NPT_OP_HOLES_OK | NPT_OP_INTERRUPTIBLE;
	u32 flags = gen_flags(r, valid), acc, prot, attr;
	struct npt_op_result res;
	int leaf, ret;
	bool hash;

	mangle(r, &gpa, &size);
	gen_prot(r, &prot, &attr);
	snprintf(r->what, sizeof(r->what), "protect(gpa %#llx, size %#llx, "
		 "prot %#x, attr %#x, flags %#x)", (unsigned long long)gpa,
		 (unsigned long long)size, prot, attr, flags);
	acc = range_errs(r, gpa, size, r->ia_size);
	if (flags & ~valid)
		acc |= A_EINVAL;
	leaf = ref_leaf_ok(&r->rf, prot, attr, 0);
	if (leaf < 0)
		acc |= A_EINVAL;
	if (!acc) {
		if (leaf == 1)
			acc |= A_EINVAL;
		if (!(flags & NPT_OP_HOLES_OK) && !model_all(&r->m, gpa, size))
			acc |= A_ENOENT;
		else
			acc |= A_OK;
		if (may_enospc(r, size))
			acc |= A_ENOSPC;
		if (flags & NPT_OP_INTERRUPTIBLE)
			arm_stop(r);
		if (npt_test_stop_at)
			acc |= A_EINTR;
	}
	hash = want_hash(r, acc);
	if (hash)
		pre = table_hash(r, gpa, size);
	model_copy(&r->old, &r->m);
	begin_op(r);
	ret = npt_protect(r->t, gpa, size, prot, attr, flags, &res);
	end_op(r);
	done = settle(r, OP_PROTECT, ret, acc, &res, gpa, size, pre, hash);
	if (done && (acc & A_ENOENT)) {
		/* -EINTR after a prefix: the prefix had no hole. */
		CHECK(r, model_all(&r->m, gpa, done), "protect stopped with a"
		      " prefix that had a hole");
	}
	for (cur = gpa; done && cur < gpa + done;) {
		const struct model_ext *e = model_next(&r->m, cur);
		u64 s, z;

		if (!e || e->gpa >= gpa + done)
			break;
		s = max(e->gpa, cur);
		z = min(e->gpa + e->size, gpa + done) - s;
		model_protect(&r->m, s, z, prot, attr);
		model_unmark(&r->m, s, z, MODEL_ST_LOGWP);
		cur = s + z;
	}
	log_wp(r, gpa, done);
	if (!r->failed && (acc & A_OK))
		check_flushed(r, &res, gpa, gpa + size);
	if (!(acc & (A_EINVAL | A_ERANGE | A_EOVERFLOW)))
		check_range(r, gpa, size);
}

static void check_collapsed(struct runner *r, u64 gpa, u64 size)
{
	struct npt_translation tr;
	u64 ls, le;
	int lvl, n;

	for (lvl = r->levels - 1; lvl > 0; lvl--) {
		u64 bs = npt_lvl_size(lvl), b, hpa;
		u32 prot, attr, st;

		if (!(r->leaf_lvls & BIT(lvl)))
			continue;
		for (b = (gpa + bs - 1) & ~(bs - 1), n = 0;
		     b >= gpa && b + bs <= gpa + size && n < 1024 && !r->failed;
		     b += bs, n++) {
			if (!model_uniform(&r->m, b, bs, &hpa, &prot, &attr,
					   &st) || (hpa & (bs - 1)))
				continue;
			/* Nor in a log the hardware's dirty flags keep. */
			if (st & (MODEL_ST_ACCESSED | MODEL_ST_OWNED) ||
			    log_edge(r, b, bs) ||
			    (r->log_hw && log_part(r, b, bs, &ls, &le)))
				continue;
			if (npt_translate(r->t, b, &tr))
				continue;
			CHECK(r, tr.lvl >= lvl, "collapse left uniform block "
			      "%#llx (level %d) as a level-%d leaf",
			      (unsigned long long)b, lvl, tr.lvl);
			if (tr.lvl >= lvl)
				r->st->collapsed++;
		}
	}
}

static void do_collapse(struct runner *r)
{
	u64 size = gen_size(r), gpa = gen_gpa(r, size), pre = 0;
	struct npt_op_result res;
	u32 acc;
	int ret;

	if (chance(r, 30) && r->m.n) {
		const struct model_ext *e = &r->m.e[rnd(r, r->m.n)];

		gpa = e->gpa & ~((1ULL << 30) - 1);
		size = 1ULL << 30;
		if (gpa + size > r->ia_size)
			size = r->ia_size - gpa;
	}
	mangle(r, &gpa, &size);
	snprintf(r->what, sizeof(r->what), "collapse(gpa %#llx, size %#llx)",
		 (unsigned long long)gpa, (unsigned long long)size);
	acc = range_errs(r, gpa, size, r->ia_size);
	if (!acc)
		acc = A_OK;
	model_copy(&r->old, &r->m);
	begin_op(r);
	ret = npt_collapse(r->t, gpa, size, &res);
	end_op(r);
	settle(r, OP_COLLAPSE, ret, acc, &res, gpa, size, pre, false);
	if (!r->failed && !ret) {
		check_flushed(r, &res, gpa, gpa + size);
		check_collapsed(r, gpa, size);
		check_range(r, gpa, size);
	}
}

static void do_translate(struct runner *r)
{
	struct npt_translation tr;
	u64 gpa;
	int ret;

	switch (rnd(r, 4)) {
	case 0:
		gpa = r->ia_size + rnd(r, 1 << 20);
		break;
	case 1:
		gpa = ~0ULL - rnd(r, 1 << 20);
		break;
	default:
		gpa = gen_gpa(r, 4096) + rnd(r, 4096);
		break;
	}
	snprintf(r->what, sizeof(r->what), "translate(%#llx)",
		 (unsigned long long)gpa);
	ret = npt_translate(r->t, gpa, &tr);
	if (gpa >= r->ia_size) {
		CHECK(r, ret == -ERANGE, "beyond the width: %d", ret);
		r->st->err[OP_TRANSLATE]++;
	} else {
		ret ? r->st->err[OP_TRANSLATE]++ : r->st->ok[OP_TRANSLATE]++;
		check_gpa(r, gpa);
	}
}

struct walk_rec {
	struct runner *r;
	u64 leaf[64];	/* present leaves met, checked after the walk */
	u32 nleaf;
	u64 next;	/* where the next LEAF visit must start */
	u64 visits;
	u64 stop_at;	/* return -E2BIG at this visit */
	npt_pte_t *stack[NPT_MAX_LEVELS + 1];
	int depth;
	u32 flags;
};

static int walk_cb(const struct npt_visit_ctx *ctx, enum npt_walk_flags visit)
{
	struct walk_rec *w = ctx->arg;
	struct runner *r = w->r;
	u64 span = npt_lvl_size(ctx->lvl);

	if (++w->visits == w->stop_at)
		return -E2BIG;
	CHECK(r, visit & w->flags, "visit %d not asked for", visit);
	CHECK(r, ctx->t == r->t && ctx->old == *ctx->ptep &&
	      ctx->lvl >= 0 && ctx->lvl < r->levels &&
	      !(ctx->start & (span - 1)) && ctx->start <= ctx->addr &&
	      ctx->addr < ctx->end && ctx->end <= ctx->start + span,
	      "visit %d: lvl %d start %#llx addr %#llx end %#llx", visit,
	      ctx->lvl, (unsigned long long)ctx->start,
	      (unsigned long long)ctx->addr, (unsigned long long)ctx->end);
	switch (visit) {
	case NPT_WALK_LEAF:
		CHECK(r, !npt_pte_is_table(r->t, ctx->old, ctx->lvl),
		      "LEAF visit of a table entry");
		CHECK(r, ctx->addr == w->next, "LEAF visit at %#llx, expected"
		      " %#llx", (unsigned long long)ctx->addr,
		      (unsigned long long)w->next);
		w->next = ctx->end;
		if (npt_pte_present(r->t, ctx->old)) {
			if (w->nleaf < ARRAY_SIZE(w->leaf))
				w->leaf[w->nleaf++] = ctx->addr;
		} else {
			CHECK(r, !model_any(&r->m, ctx->addr,
					    ctx->end - ctx->addr),
			      "hole [%#llx, %#llx) that the model maps",
			      (unsigned long long)ctx->addr,
			      (unsigned long long)ctx->end);
		}
		return 1;
	case NPT_WALK_TABLE_PRE:
		CHECK(r, npt_pte_is_table(r->t, ctx->old, ctx->lvl),
		      "TABLE_PRE visit of a leaf");
		if (w->flags & NPT_WALK_TABLE_POST)
			w->stack[w->depth++] = ctx->ptep;
		return 0;
	default:
		CHECK(r, npt_pte_is_table(r->t, ctx->old, ctx->lvl),
		      "TABLE_POST visit of a leaf");
		if (w->flags & NPT_WALK_TABLE_PRE)
			CHECK(r, w->depth > 0 &&
			      w->stack[--w->depth] == ctx->ptep,
			      "TABLE_POST without its TABLE_PRE");
		return 0;
	}
}

static void do_walk(struct runner *r)
{
	u64 size = gen_size(r), gpa = gen_gpa(r, size);
	struct walk_rec w = { .r = r };
	struct npt_walker walker = { .cb = walk_cb, .arg = &w };
	u32 acc, i;
	int ret;

	if (size > (64ULL << 20))
		size = 64ULL << 20;
	mangle(r, &gpa, &size);
	w.flags = 1 + rnd(r, 7);
	walker.flags = w.flags;
	w.next = gpa;
	w.stop_at = chance(r, 20) ? 1 + rnd(r, 64) : 0;
	snprintf(r->what, sizeof(r->what), "npt_walk(gpa %#llx, size %#llx, "
		 "flags %#x, stop at visit %llu)", (unsigned long long)gpa,
		 (unsigned long long)size, w.flags,
		 (unsigned long long)w.stop_at);
	acc = range_errs(r, gpa, size, r->ia_size);
	spin_lock(&r->t->lock);
	ret = npt_walk(r->t, gpa, size, &walker);
	spin_unlock(&r->t->lock);
	for (i = 0; i < w.nleaf; i++) {
		CHECK(r, model_find(&r->m, w.leaf[i]), "present leaf at %#llx "
		      "that the model does not map",
		      (unsigned long long)w.leaf[i]);
		check_gpa(r, w.leaf[i]);
	}
	if (acc) {
		CHECK(r, outcome_bit(ret) & acc, "returned %d, allowed %#x",
		      ret, acc);
		r->st->err[OP_WALK]++;
		return;
	}
	r->st->ok[OP_WALK]++;
	if (w.stop_at && w.visits >= w.stop_at) {
		CHECK(r, ret == -E2BIG, "the visitor's error became %d", ret);
		return;
	}
	CHECK(r, !ret, "returned %d", ret);
	if (w.flags & NPT_WALK_LEAF)
		CHECK(r, w.next == gpa + size, "LEAF visits ended at %#llx "
		      "of [%#llx, %#llx)", (unsigned long long)w.next,
		      (unsigned long long)gpa, (unsigned long long)(gpa + size));
	if ((w.flags & 6) == 6)
		CHECK(r, !w.depth, "%d TABLE_PRE without TABLE_POST", w.depth);
}

/* What the hardware does on an access: set A (and D on a writable leaf). */
static void do_access(struct runner *r)
{
	struct npt_walk_info wi;
	const struct model_ext *e;
	npt_pte_t *table = r->t->root, *ptep = NULL, pte, set;
	u64 gpa, bs;
	int lvl;

	if (!r->ad_bits || !r->m.n)
		return;
	e = &r->m.e[rnd(r, r->m.n)];
	gpa = e->gpa + (rnd(r, e->size >> 12) << 12);
	snprintf(r->what, sizeof(r->what), "access(%#llx)",
		 (unsigned long long)gpa);
	npt_walk_gpa(r->t, gpa, &wi);
	for (lvl = npt_root_lvl(r->t); lvl >= 0; lvl--) {
		u64 idx = (gpa >> npt_lvl_shift(lvl)) &
			  (npt_lvl_entries(r->t, lvl) - 1);

		ptep = &table[idx];
		if (!npt_pte_is_table(r->t, *ptep, lvl))
			break;
		table = npt_test_pa_to_va(&r->mm, npt_pte_pa(r->t, *ptep));
	}
	if (!ptep || !npt_pte_present(r->t, *ptep))
		return;
	pte = *ptep;
	set = r->ad_bits;
	if (!(e->prot & NPT_PROT_W))
		set &= ~(BIT_ULL(9) | BIT_ULL(7));	/* EPT D, RISC-V D */
	if (r->cfg.format == NPT_FORMAT_ARM64_S2)
		set = BIT_ULL(10);
	__atomic_fetch_or(ptep, set, __ATOMIC_SEQ_CST);
	bs = npt_lvl_size(lvl);
	/* The hardware sets the dirty flag on a write: EPT bit 9, RISC-V 7. */
	if (set & (BIT_ULL(9) | BIT_ULL(7)))
		log_write(r, gpa & ~(bs - 1), bs);
	if (*ptep != pte) {
		model_mark(&r->m, gpa & ~(bs - 1), bs, MODEL_ST_ACCESSED);
		r->accessed = true;
	}
	r->st->ok[OP_ACCESS]++;
	check_gpa(r, gpa);
}

/* npt_access(): the fault the hardware takes, computed from the model. */
static void do_hwaccess(struct runner *r)
{
	static const u32 need[] = {
		[NPT_ACC_READ] = NPT_PROT_R, [NPT_ACC_WRITE] = NPT_PROT_W,
		[NPT_ACC_EXEC] = NPT_PROT_X, [NPT_ACC_UEXEC] = NPT_PROT_UX,
		[NPT_ACC_HLVX] = NPT_PROT_X,
	};
	u32 kind = rnd(r, NPT_ACC_MAX + 2), fmt = r->cfg.format, want, alt;
	bool ept = is_ept(fmt), rv = is_rv(fmt);
	bool arm = fmt == NPT_FORMAT_ARM64_S2, valid, hw, perm, young, dirty;
	struct npt_access_result ar;
	struct npt_walk_info wi;
	const struct model_ext *e;
	struct ref_entry re;
	u64 gpa, off = rnd(r, 4096);
	int ret, lvl;

	if (r->m.n && chance(r, 80)) {
		e = &r->m.e[rnd(r, r->m.n)];
		gpa = e->gpa + (rnd(r, e->size >> 12) << 12);
	} else if (chance(r, 10)) {
		gpa = r->ia_size + (rnd(r, 1024) << 12);
	} else {
		gpa = gen_gpa(r, 4096);
	}
	snprintf(r->what, sizeof(r->what), "npt_access(%#llx, kind %u)",
		 (unsigned long long)(gpa + off), kind);
	valid = kind >= NPT_ACC_READ && kind <= NPT_ACC_EXEC;
	if (kind == NPT_ACC_UEXEC)
		valid = ept && (r->cfg.options & NPT_OPT_EPT_MBEC);
	if (kind == NPT_ACC_HLVX)
		valid = rv;
	ret = npt_access(r->t, gpa + off, kind, &ar);
	if (!valid) {
		CHECK(r, ret == -EINVAL, "access kind %u: %d, expected -EINVAL",
		      kind, ret);
		r->st->err[OP_HWACCESS]++;
		return;
	}
	CHECK(r, !ret, "returned %d", ret);
	r->st->ok[OP_HWACCESS]++;
	if (gpa >= r->ia_size) {
		CHECK(r, ar.fault == NPT_FAULT_INPUT_RANGE, "fault %u beyond "
		      "the input width", ar.fault);
		return;
	}
	e = model_find(&r->m, gpa);
	if (!e) {
		CHECK(r, ar.fault == NPT_FAULT_NOT_PRESENT, "fault %u on an "
		      "unmapped address", ar.fault);
		return;
	}
	npt_walk_gpa(r->t, gpa, &wi);
	lvl = wi.root_lvl - (wi.levels - 1);
	ref_decode(&r->rf, wi.pte[wi.levels - 1], lvl, &re);
	perm = e->prot & need[kind];
	young = re.young;
	dirty = kind != NPT_ACC_WRITE || re.dirty;
	hw = ept || (arm && (r->cfg.options & NPT_OPT_S2_HA)) ||
	     (rv && (r->cfg.options & NPT_OPT_RV_HWAD));
	if (ept && !(r->cfg.options & NPT_OPT_EPT_AD)) {
		young = true;
		dirty = true;
	}
	if (arm)
		dirty = true;
	want = NPT_FAULT_NONE;
	alt = NPT_FAULT_NONE;
	if (arm && !young && !hw)
		want = NPT_FAULT_ACCESS_FLAG;	/* before permission (Arm ARM) */
	else if (!perm)
		want = NPT_FAULT_PERMISSION;
	else if (!hw && !young)
		want = NPT_FAULT_ACCESS_FLAG;
	else if (!hw && !dirty)
		want = NPT_FAULT_DIRTY;
	alt = want;
	if (rv && want == NPT_FAULT_ACCESS_FLAG && !dirty)
		alt = NPT_FAULT_DIRTY;	/* one guest-page fault either way */
	CHECK(r, ar.fault == want || ar.fault == alt, "fault %u, expected %u "
	      "(prot %#x, pte %#llx)", ar.fault, want, e->prot,
	      (unsigned long long)wi.pte[wi.levels - 1]);
	if (ar.fault == NPT_FAULT_NONE && kind == NPT_ACC_WRITE)
		log_write(r, gpa & ~(npt_lvl_size(lvl) - 1), npt_lvl_size(lvl));
	if (ar.fault == NPT_FAULT_NONE) {
		CHECK(r, ar.hpa == e->hpa + (gpa - e->gpa) + off &&
		      ar.lvl == lvl, "hpa %#llx lvl %d, expected %#llx lvl %d",
		      (unsigned long long)ar.hpa, ar.lvl,
		      (unsigned long long)(e->hpa + (gpa - e->gpa) + off),
		      lvl);
		if (ar.updated) {
			u64 bs = npt_lvl_size(lvl);

			model_mark(&r->m, gpa & ~(bs - 1), bs,
				   MODEL_ST_ACCESSED);
			r->accessed = true;
		}
	} else {
		CHECK(r, !ar.updated, "a fault updated A/D");
	}
	check_gpa(r, gpa);
}

/*
 * npt_handle_fault() on a table without regions: only a clear access or
 * dirty flag may be resolved; every translation stays as the model says.
 */
static void do_lazy(struct runner *r, u64 gpa, u32 kind, int ret,
		    const struct npt_fault_result *fr)
{
	/* In a log without a hardware dirty flag, a read maps it clean. */
	u32 prot = r->rg.max_prot;
	struct npt_translation tr;
	u64 size, base, off;
	const u64 *va;
	int i;

	if (logging(r) && !r->log_hw && kind != NPT_ACC_WRITE)
		prot &= ~NPT_PROT_W;
	CHECK(r, !ret || ret == -ENOMEM || ret == -ENOSPC, "returned %d", ret);
	if (ret) {
		r->st->err[OP_FAULT]++;
		check_gpa(r, gpa);
		return;
	}
	r->st->ok[OP_FAULT]++;
	CHECK(r, fr->action == NPT_RESOLVED_MAPPED &&
	      fr->fault.fault == NPT_FAULT_NOT_PRESENT, "a hole in a lazy "
	      "region: action %u, fault %u", fr->action, fr->fault.fault);
	/* A 2 MiB block only where the region asks and covers it. */
	size = npt_lvl_size(fr->lvl);
	base = gpa & ~(size - 1);
	CHECK(r, !fr->lvl || (fr->lvl == 1 &&
			      (r->rg.flags & NPT_REGION_LAZY_BLOCKS) &&
			      base >= r->rg.gpa &&
			      base + size <= r->rg.gpa + r->rg.size &&
			      !model_any(&r->m, base, size)),
	      "lazy leaf at level %d", fr->lvl);
	ret = npt_translate(r->t, gpa, &tr);
	CHECK(r, !ret && tr.lvl == fr->lvl && tr.prot == prot &&
	      tr.attr == r->rg.attr && tr.hpa == fr->hpa + (gpa - base),
	      "lazy page: %d, lvl %d prot %#x attr %#x hpa %#llx (resolved "
	      "to %#llx)", ret, tr.lvl, tr.prot, tr.attr,
	      (unsigned long long)tr.hpa, (unsigned long long)fr->hpa);
	if (r->failed)
		return;
	for (off = 0; off < size && !r->failed; off += 4096) {
		va = npt_test_pa_to_va(&r->mm, fr->hpa + off);
		CHECK(r, va, "lazy page %#llx is no page of the provider",
		      (unsigned long long)(fr->hpa + off));
		for (i = 0; va && i < 512; i++)
			CHECK(r, !va[i], "lazy page not zeroed");
	}
	model_set(&r->m, base, size, fr->hpa, tr.prot, tr.attr,
		  MODEL_ST_OWNED | (prot != r->rg.max_prot ? MODEL_ST_LOGWP : 0));
	if (kind == NPT_ACC_WRITE)
		log_write(r, base, size);
	if (fr->lvl)
		r->st->lazy_blocks++;
	else
		r->st->lazy++;
	check_plan_shape(r, &fr->plan);
	if (is_rv(r->cfg.format))
		CHECK(r, plan_covers(&fr->plan, base, base + size) &&
		      (!r->cfg.flush || flushes_cover(r, base, base + size)),
		      "RISC-V: the new lazy leaf was not flushed");
	check_gpa(r, gpa);
}

static void do_fault(struct runner *r)
{
	static const u32 need[] = {
		[NPT_ACC_READ] = NPT_PROT_R, [NPT_ACC_WRITE] = NPT_PROT_W,
		[NPT_ACC_EXEC] = NPT_PROT_X, [NPT_ACC_UEXEC] = NPT_PROT_UX,
		[NPT_ACC_HLVX] = NPT_PROT_X,
	};
	u32 kind = 1 + rnd(r, NPT_ACC_MAX), fmt = r->cfg.format;
	bool ept = is_ept(fmt), rv = is_rv(fmt);
	struct npt_fault_result fr;
	struct npt_access_result ar;
	const struct model_ext *e;
	struct model_ext ext;
	u64 gpa;
	int ret, aret;
	bool valid, lazy, wp_logged;

	/* Writes to a logged region fault until the log is cleared. */
	if (logging(r) && chance(r, 40))
		kind = NPT_ACC_WRITE;
	if (r->rg.size && chance(r, 70)) {
		gpa = r->rg.gpa + (rnd(r, r->rg.size >> 12) << 12);
	} else if (r->m.n && chance(r, 80)) {
		e = &r->m.e[rnd(r, r->m.n)];
		gpa = e->gpa + (rnd(r, e->size >> 12) << 12);
	} else {
		gpa = gen_gpa(r, 4096);
	}
	snprintf(r->what, sizeof(r->what), "npt_handle_fault(%#llx, kind %u)",
		 (unsigned long long)gpa, kind);
	valid = kind <= NPT_ACC_EXEC ||
		(kind == NPT_ACC_UEXEC && ept &&
		 (r->cfg.options & NPT_OPT_EPT_MBEC)) ||
		(kind == NPT_ACC_HLVX && rv);
	aret = npt_access(r->t, gpa, kind, &ar);
	if (!aret && ar.fault == NPT_FAULT_NONE && kind == NPT_ACC_WRITE)
		log_write(r, gpa & ~(npt_lvl_size(ar.lvl) - 1),
			  npt_lvl_size(ar.lvl));
	if (!aret && ar.updated) {
		/* The simulated access already set A/D: that is a change. */
		e = model_find(&r->m, gpa);
		if (e) {
			u64 bs = npt_lvl_size(ar.lvl);

			model_mark(&r->m, gpa & ~(bs - 1), bs,
				   MODEL_ST_ACCESSED);
		}
		r->accessed = true;
	}
	/* A hole of a lazy region; in a NONE region faults stay faults. */
	lazy = r->rg.size && r->rg.backing == NPT_BACKING_LAZY &&
	       gpa - r->rg.gpa < r->rg.size && !model_find(&r->m, gpa);
	if (lazy && chance(r, 70))
		CHECK(r, !npt_topup(r->t, r->levels + 1), "npt_topup failed");
	if (lazy && (r->rg.flags & NPT_REGION_LAZY_BLOCKS) && chance(r, 50))
		CHECK(r, !npt_topup_blocks(r->t, 1), "npt_topup_blocks failed");
	begin_op(r);
	ret = npt_handle_fault(r->t, gpa, kind, &fr);
	end_op(r);
	if (valid && lazy && (r->rg.max_prot & need[kind])) {
		do_lazy(r, gpa, kind, ret, &fr);
		return;
	}
	if (!valid) {
		CHECK(r, ret == -EINVAL, "access kind %u: %d", kind, ret);
		r->st->err[OP_FAULT]++;
		return;
	}
	CHECK(r, !ret, "returned %d", ret);
	r->st->ok[OP_FAULT]++;
	e = model_find(&r->m, gpa);
	if (e) {
		/* A copy: model_mark() below may move the runs. */
		ext = *e;
		e = &ext;
	}
	/* A write the log write-protected: a fault that logs and grants. */
	wp_logged = e && (e->st & MODEL_ST_LOGWP) && logging(r) &&
		    kind == NPT_ACC_WRITE && gpa - r->rg.gpa < r->rg.size;
	switch (fr.action) {
	case NPT_RESOLVED_SPURIOUS:
		CHECK(r, e && fr.fault.fault == NPT_FAULT_NONE,
		      "spurious, but the model maps %d, fault %u", !!e,
		      fr.fault.fault);
		break;
	case NPT_RESOLVED_FLAGS:
		CHECK(r, e && (fr.fault.fault == NPT_FAULT_ACCESS_FLAG ||
			       fr.fault.fault == NPT_FAULT_DIRTY),
		      "flags resolved for fault %u", fr.fault.fault);
		if (e) {
			u64 bs = npt_lvl_size(fr.lvl);

			model_mark(&r->m, gpa & ~(bs - 1), bs,
				   MODEL_ST_ACCESSED);
			r->accessed = true;
		}
		break;
	case NPT_RESOLVED_DIRTY:
		CHECK(r, e && wp_logged && fr.fault.fault ==
		      NPT_FAULT_PERMISSION, "a dirty-log resolution of fault %u"
		      " (model maps %d, logged write-protected %d)",
		      fr.fault.fault, !!e, wp_logged);
		if (e && !r->failed) {
			u64 bs = npt_lvl_size(fr.lvl), b = gpa & ~(bs - 1);

			/* The whole leaf is writable, accessed and dirty. */
			model_log_wp(&r->m, b, bs, false);
			model_mark(&r->m, b, bs, MODEL_ST_ACCESSED);
			r->st->log_resolved++;
			r->accessed = true;
			log_write(r, b, bs);
		}
		break;
	case NPT_RESOLVED_NONE:
		CHECK(r, !lazy || !(r->rg.max_prot & need[kind]),
		      "a hole of a lazy region left unresolved");
		CHECK(r, !wp_logged, "a write to a write-protected logged "
		      "page left unresolved (fault %u)", fr.fault.fault);
		CHECK(r, fr.fault.fault != NPT_FAULT_NONE &&
		      fr.fault.fault != NPT_FAULT_ACCESS_FLAG &&
		      fr.fault.fault != NPT_FAULT_DIRTY,
		      "fault %u left unresolved", fr.fault.fault);
		CHECK(r, !e || fr.fault.fault == NPT_FAULT_PERMISSION,
		      "mapped page, fault %u", fr.fault.fault);
		break;
	default:
		fail(r, "resolution %u outside a lazy region's holes",
		     fr.action);
	}
	if (e && fr.action != NPT_RESOLVED_NONE) {
		u64 page = (e->hpa + gpa - e->gpa) & ~4095ULL;
		u64 block = page & ~(npt_lvl_size(fr.lvl) - 1);

		/* "page base": of the 4 KiB page, or of the leaf's block */
		CHECK(r, fr.hpa == page || fr.hpa == block,
		      "resolved to %#llx, the model %#llx",
		      (unsigned long long)fr.hpa, (unsigned long long)page);
	}
	check_plan_shape(r, &fr.plan);
	CHECK(r, r->mm.live == (long)(r->t->st.table_pages + r->t->cache.nr +
				      r->t->st.data_pages +
				      (r->t->blocks.nr << NPT_BLOCK_ORDER)),
	      "handle_fault: %ld pages live", r->mm.live);
	check_gpa(r, gpa);
}

/*
 * npt_read_guest() / npt_write_guest(): only pages the table owns; the
 * bytes land in the host page the model says, and a failed call copies
 * nothing.
 */
static void do_guest_rw(struct runner *r)
{
	u64 gpa, len = 1 + rnd(r, chance(r, 50) ? 64 : 3 * 4096), p, end;
	u8 buf[3 * 4096], back[3 * 4096], before[4 * 4096];
	const struct model_ext *e = NULL;
	u32 acc = 0, i;
	size_t n = 0;
	int ret;

	/* Mostly a page of a lazy region that a fault mapped. */
	for (i = 0; i < r->m.n; i++)
		n += !!(r->m.e[i].st & MODEL_ST_OWNED);
	if (n) {
		size_t k = rnd(r, n);

		for (i = 0; i < r->m.n; i++)
			if ((r->m.e[i].st & MODEL_ST_OWNED) && !k--)
				e = &r->m.e[i];
	} else if (r->m.n) {
		e = &r->m.e[rnd(r, r->m.n)];
	}
	n = 0;
	if (e && chance(r, 90))
		gpa = e->gpa + (rnd(r, e->size >> 12) << 12) + rnd(r, 4096);
	else
		gpa = gen_gpa(r, 4096) + rnd(r, 4096);
	if (chance(r, 3))
		gpa = r->ia_size - rnd(r, 64);
	end = gpa + len;
	snprintf(r->what, sizeof(r->what), "guest rw(%#llx, %llu)",
		 (unsigned long long)gpa, (unsigned long long)len);
	if (end > r->ia_size) {
		acc = A_ERANGE;
	} else {
		for (p = gpa & ~4095ULL; p < end; p += 4096) {
			const struct model_ext *x = model_find(&r->m, p);

			if (!x)
				acc |= A_ENOENT;
			else if (!(x->st & MODEL_ST_OWNED))
				acc |= 1U << 16;	/* -EPERM */
		}
	}
	/* Snapshot what the owned pages hold. */
	for (p = gpa & ~4095ULL; !(acc & A_ERANGE) && p < end; p += 4096, n++) {
		const struct model_ext *x = model_find(&r->m, p);

		if (x && (x->st & MODEL_ST_OWNED))
			memcpy(before + n * 4096,
			       npt_test_pa_to_va(&r->mm, x->hpa + (p - x->gpa)),
			       4096);
	}
	for (i = 0; i < len; i++)
		buf[i] = rnd(r, 256);
	ret = npt_write_guest(r->t, gpa, buf, len);
	if (acc) {
		u32 bit = ret == -EPERM ? 1U << 16 : outcome_bit(ret);

		CHECK(r, bit && (acc & bit), "write: %d, allowed %#x", ret, acc);
		ret = npt_read_guest(r->t, gpa, back, len);
		bit = ret == -EPERM ? 1U << 16 : outcome_bit(ret);
		CHECK(r, bit && (acc & bit), "read: %d, allowed %#x", ret, acc);
		for (p = gpa & ~4095ULL, n = 0; !(acc & A_ERANGE) && p < end;
		     p += 4096, n++) {
			const struct model_ext *x = model_find(&r->m, p);

			if (x && (x->st & MODEL_ST_OWNED))
				CHECK(r, !memcmp(npt_test_pa_to_va(&r->mm, x->hpa +
									    (p - x->gpa)),
						 before + n * 4096, 4096),
				      "a failed write changed %#llx",
				      (unsigned long long)p);
		}
		r->st->err[OP_GUEST]++;
		return;
	}
	CHECK(r, !ret, "write of owned pages: %d", ret);
	log_write(r, gpa & ~4095ULL,
		  ((end + 4095) & ~4095ULL) - (gpa & ~4095ULL));
	ret = npt_read_guest(r->t, gpa, back, len);
	CHECK(r, !ret && !memcmp(buf, back, len), "read back: %d, %s", ret,
	      ret ? "" : "other bytes");
	/* The bytes are where the model says, and nowhere else. */
	for (p = gpa & ~4095ULL, n = 0; !r->failed && p < end; p += 4096, n++) {
		const struct model_ext *x = model_find(&r->m, p);
		const u8 *va = npt_test_pa_to_va(&r->mm, x->hpa + (p - x->gpa));
		u64 a = max(p, gpa), b = min(p + 4096, end);

		memcpy(before + n * 4096 + (a - p), buf + (a - gpa), b - a);
		CHECK(r, !memcmp(va, before + n * 4096, 4096), "host page of "
		      "%#llx does not hold what was written",
		      (unsigned long long)p);
	}
	r->st->ok[OP_GUEST]++;
}

/* Pages of the largest logged region runner_open() makes. */
#define LOG_PAGES	4096

/*
 * The entry that decides @gpa's translation (0 beyond the width), its
 * level, and its reading from the manuals.  Return: whether it is a leaf.
 */
static bool leaf_at(struct runner *r, u64 gpa, npt_pte_t *pte, int *lvl,
		    struct ref_entry *re)
{
	struct npt_walk_info wi;

	*pte = 0;
	*lvl = 0;
	memset(re, 0, sizeof(*re));
	if (npt_walk_gpa(r->t, gpa, &wi) || !wi.levels)
		return false;
	*pte = wi.pte[wi.levels - 1];
	*lvl = wi.root_lvl - (wi.levels - 1);
	ref_decode(&r->rf, *pte, *lvl, re);
	return re->present && !re->table;
}

/* Whether the leaf translating @gpa has its dirty flag set. */
static bool leaf_dirty(struct runner *r, u64 gpa)
{
	struct ref_entry re;
	npt_pte_t pte;
	int lvl;

	return leaf_at(r, gpa, &pte, &lvl, &re) && re.dirty;
}

/*
 * npt_set_region() with size 0: the region goes, its mappings stay, and a
 * log that write-protected gives back the write permission it took away.
 */
static void do_region_end(struct runner *r)
{
	struct npt_region rg = { .gpa = r->rg.gpa };
	int ret;

	snprintf(r->what, sizeof(r->what), "remove region(%#llx, %#llx)",
		 (unsigned long long)r->rg.gpa,
		 (unsigned long long)r->rg.size);
	begin_op(r);
	ret = npt_set_region(r->t, &rg);
	end_op(r);
	CHECK(r, !ret, "returned %d", ret);
	if (ret)
		return;
	model_log_wp(&r->m, r->rg.gpa, r->rg.size, false);
	check_range(r, r->rg.gpa, r->rg.size);
	memset(&r->rg, 0, sizeof(r->rg));
	free(r->dirty);
	r->dirty = NULL;
	r->log_hw = false;
	r->st->regions_ended++;
}

/*
 * npt_get_dirty_log(): exactly the pages written since the last clear;
 * a clear write-protects them again, or clears and flushes their dirty
 * flags.
 */
static void do_dirty_log(struct runner *r)
{
	unsigned long bm[BITS_TO_LONGS(LOG_PAGES)];
	bool clear = chance(r, 50), flagged[LOG_PAGES];
	u64 gpa, size, i, first, pages;
	struct npt_op_result res;
	u32 acc, bit;
	int ret;

	if (r->rg.size && chance(r, 3)) {
		do_region_end(r);
		return;
	}
	if (logging(r) && chance(r, 85)) {
		first = rnd(r, r->rg.size >> 12);
		gpa = r->rg.gpa + (first << 12);
		size = (1 + rnd(r, (r->rg.size >> 12) - first)) << 12;
		if (chance(r, 30)) {
			gpa = r->rg.gpa;
			size = r->rg.size;
		}
	} else {
		size = gen_size(r);
		gpa = gen_gpa(r, size);
	}
	mangle(r, &gpa, &size);
	snprintf(r->what, sizeof(r->what), "dirty log(gpa %#llx, size %#llx, "
		 "clear %d)", (unsigned long long)gpa,
		 (unsigned long long)size, clear);
	if (!size || ((gpa | size) & 4095))
		acc = A_EINVAL;
	else if (gpa + size < gpa)
		acc = A_EOVERFLOW;
	else if (gpa + size > r->ia_size)
		acc = A_ERANGE;
	else if (!logging(r) || gpa < r->rg.gpa ||
		 gpa + size > r->rg.gpa + r->rg.size)
		acc = A_ENOENT;
	else if (clear && !r->log_hw && may_enospc(r, size))
		acc = A_OK | A_ENOSPC;	/* a block to split */
	else
		acc = A_OK;
	pages = acc & A_OK ? size >> 12 : 0;
	first = acc & A_OK ? (gpa - r->rg.gpa) >> 12 : 0;
	/* Leaves whose dirty flag a clear resets: it must flush them. */
	for (i = 0; r->log_hw && clear && i < pages; i++)
		flagged[i] = leaf_dirty(r, gpa + (i << 12));
	memset(bm, 0xa5, sizeof(bm));
	model_copy(&r->old, &r->m);
	begin_op(r);
	ret = npt_get_dirty_log(r->t, gpa, size, bm, clear, &res);
	end_op(r);
	bit = outcome_bit(ret);
	CHECK(r, bit && (acc & bit), "returned %d; allowed outcomes %#x", ret,
	      acc);
	if (ret) {
		r->st->err[OP_DIRTY]++;
		return;
	}
	r->st->ok[OP_DIRTY]++;
	for (i = 0; i < pages; i++)
		r->st->log_harvested += test_bit(i, bm);
	for (i = 0; i < pages && !r->failed; i++)
		CHECK(r, test_bit(i, bm) == test_bit(first + i, r->dirty),
		      "page %#llx: logged %d, written %d",
		      (unsigned long long)(gpa + (i << 12)), test_bit(i, bm),
		      test_bit(first + i, r->dirty));
	if (!clear)
		return;
	for (i = 0; i < pages; i++)
		__clear_bit(first + i, r->dirty);
	log_wp(r, gpa, size);
	check_flushed(r, &res, gpa, gpa + size);
	for (i = 0; r->log_hw && i < pages && !r->failed; i++) {
		u64 p = gpa + (i << 12);

		CHECK(r, !leaf_dirty(r, p), "page %#llx still dirty after "
		      "a clear", (unsigned long long)p);
		CHECK(r, !flagged[i] || (plan_covers(&res.plan, p, p + 4096) &&
					 (!r->cfg.flush ||
					  flushes_cover(r, p, p + 4096))),
		      "page %#llx: dirty flag cleared without a flush",
		      (unsigned long long)p);
	}
	check_range(r, gpa, size);
}

#define AGE_PAGES	1024

/*
 * npt_age(): the young pages are those whose leaf has the accessed flag as
 * the manuals read it, before the call; a clear removes that flag from
 * those leaves (blocks reaching out of the range included) and changes
 * no other bit and no other entry.  EPT without A/D has no flag.
 */
static void do_age(struct runner *r)
{
	const unsigned long pattern = ~0UL / 0xff * 0xa5;
	unsigned long bm[BITS_TO_LONGS(AGE_PAGES)];
	bool clear = chance(r, 60), with_bm = chance(r, 80);
	u32 flags = (clear ? NPT_AGE_CLEAR : 0) |
		    (chance(r, 30) ? NPT_AGE_MORE : 0), acc;
	bool was_young[AGE_PAGES], cleared;
	npt_pte_t before[AGE_PAGES], after, flag;
	u64 gpa, size, i, pages, young, want = 0, pre, bs, b;
	u8 before_lvl[AGE_PAGES];
	struct ref_entry re;
	int ret, lvl;

	size = (1 + rnd(r, chance(r, 70) ? 16 : AGE_PAGES)) << 12;
	gpa = gen_gpa(r, size);
	mangle(r, &gpa, &size);
	if (chance(r, 2))
		size = NPT_AGE_MAX + 4096;
	if (chance(r, 2))
		flags |= 1U << rnd(r, 32);
	snprintf(r->what, sizeof(r->what), "age(gpa %#llx, size %#llx, "
		 "flags %#x, bitmap %d)", (unsigned long long)gpa,
		 (unsigned long long)size, flags, with_bm);
	flag = is_ept(r->cfg.format) ? BIT_ULL(8) :
	       r->cfg.format == NPT_FORMAT_ARM64_S2 ? BIT_ULL(10) : BIT_ULL(6);
	clear = flags & NPT_AGE_CLEAR;
	if ((flags & ~(NPT_AGE_CLEAR | NPT_AGE_MORE)) || size > NPT_AGE_MAX)
		acc = A_EINVAL;
	else
		acc = range_errs(r, gpa, size, r->ia_size);
	pre = acc ? 0 : table_hash(r, gpa, size);
	if (!acc && is_ept(r->cfg.format) &&
	    !(r->cfg.options & NPT_OPT_EPT_AD))
		acc = A_EOPNOTSUPP;
	pages = acc ? 0 : size >> 12;
	for (i = 0; i < pages; i++) {
		was_young[i] = leaf_at(r, gpa + (i << 12), &before[i], &lvl,
				       &re) && re.young;
		before_lvl[i] = lvl;
		want += was_young[i];
	}
	memset(bm, 0xa5, sizeof(bm));
	begin_op(r);
	ret = npt_age(r->t, gpa, size, with_bm ? bm : NULL, flags, &young);
	end_op(r);
	CHECK(r, outcome_bit(ret) & (acc ?: A_OK), "returned %d; allowed "
	      "outcomes %#x", ret, acc ?: A_OK);
	/* No allocation, no invalidation: the flag is a hint. */
	CHECK(r, npt_test_allocs == r->op_born && !r->nflush,
	      "%llu allocations, %u flushes", (unsigned long long)
	      (npt_test_allocs - r->op_born), r->nflush);
	if (ret && pre)
		CHECK(r, table_hash(r, gpa, size) == pre,
		      "the table changed on error %d", ret);
	/* The bitmap's words past the range, all of it without one. */
	for (i = with_bm ? BITS_TO_LONGS(pages) : 0; i < ARRAY_SIZE(bm); i++)
		CHECK(r, bm[i] == pattern, "bitmap word %llu written",
		      (unsigned long long)i);
	if (ret) {
		CHECK(r, !young, "an error reported %llu young pages",
		      (unsigned long long)young);
		r->st->err[OP_AGE]++;
		return;
	}
	r->st->ok[OP_AGE]++;
	CHECK(r, young == want, "%llu young pages, the table had %llu",
	      (unsigned long long)young, (unsigned long long)want);
	for (i = 0; i < pages && !r->failed; i++) {
		u64 p = gpa + (i << 12);

		/* With NPT_AGE_MORE a leaf going on past the range is kept. */
		bs = npt_lvl_size(before_lvl[i]);
		b = p & ~(bs - 1);
		cleared = clear && was_young[i] &&
			  (!(flags & NPT_AGE_MORE) || b + bs <= gpa + size);
		if (with_bm)
			CHECK(r, test_bit(i, bm) == was_young[i], "page %#llx: "
			      "bit %d, leaf %#llx", (unsigned long long)p,
			      test_bit(i, bm), (unsigned long long)before[i]);
		leaf_at(r, p, &after, &lvl, &re);
		CHECK(r, after == (cleared ? before[i] & ~flag : before[i]),
		      "page %#llx: entry %#llx, was %#llx",
		      (unsigned long long)p, (unsigned long long)after,
		      (unsigned long long)before[i]);
		if (!cleared)
			continue;
		/*
		 * The leaf is old now, also where it reaches out of the range.
		 * A dirty flag an access set stays, unlike any leaf a map makes
		 * old: such a leaf stays marked, and folds with no other.
		 */
		if (!re.dirty)
			model_unmark(&r->m, b, bs, MODEL_ST_ACCESSED);
		model_mark(&r->m, b, bs, MODEL_ST_OLD);
	}
	check_range(r, gpa, size);
}

/* ---- one table -------------------------------------------------------- */

static u64 pick_base(struct runner *r, u32 oa)
{
	/* A fake physical window: low, or the top GiB of the output width. */
	if (chance(r, 50))
		return (1ULL << 28) + (rnd(r, 16) << 16);
	return (1ULL << oa) - (1ULL << 30);
}

static int runner_open(struct runner *r)
{
	static const u32 s2_oa[] = { 32, 36, 40, 42, 44, 48 };
	struct npt_config *c = &r->cfg;
	u32 fmt = c->format, oa;
	bool linear;
	int ret;

	c->options = 0;
	switch (fmt) {
	case NPT_FORMAT_EPT4:
	case NPT_FORMAT_EPT5:
		c->options = rnd(r, 8) & (NPT_OPT_EPT_AD | NPT_OPT_EPT_XO |
					   NPT_OPT_EPT_MBEC);
		c->oa_bits = chance(r, 30) ? 0 : 36 + rnd(r, 17);
		oa = c->oa_bits ?: 52;
		c->ia_bits = chance(r, 50) ? 0 : (fmt == NPT_FORMAT_EPT5 ? 57 : 48);
		break;
	case NPT_FORMAT_ARM64_S2:
		c->options = (rnd(r, 4) << 3) & (NPT_OPT_S2_FWB | NPT_OPT_S2_HA);
		c->oa_bits = chance(r, 20) ? 0 : s2_oa[rnd(r, 6)];
		oa = c->oa_bits ?: 48;
		c->ia_bits = chance(r, 20) ? 0 : 32 + rnd(r, 17);
		c->vmid = rnd(r, 0x10000);
		break;
	default:
		c->options = (rnd(r, 4) << 5) & (NPT_OPT_RV_SVPBMT |
						  NPT_OPT_RV_HWAD);
		c->oa_bits = chance(r, 30) ? 0 : 32 + rnd(r, 25);
		oa = c->oa_bits ?: 56;
		c->ia_bits = 0;
		c->vmid = rnd(r, 0x4000);
		break;
	}
	c->max_pages = chance(r, 15) ? 8 + rnd(r, 200) : 0;
	/* Now and then a CPU without the larger block sizes. */
	c->leaf_lvls = chance(r, 15) ? (2U << rnd(r, 3)) - 1 : 0;
	linear = chance(r, 50);
	c->mm = linear ? &npt_test_mm_linear_ops : &npt_test_mm_ops;
	c->mm_arg = &r->mm;
	c->flush = chance(r, 80) ? flush_cb : NULL;
	c->flush_arg = r;
	if (linear)
		npt_test_mm_init_linear(&r->mm, pick_base(r, oa), 1ULL << 18);
	else
		npt_test_mm_init(&r->mm, pick_base(r, oa), 1ULL << 18);
	r->mm.on_free = on_free;
	r->mm.priv = r;
	r->host_live = npt_test_host_live;
	ret = npt_table_create(c, &r->t);
	if (ret == -ENOSPC && c->max_pages < 16) {
		/* A concatenated root of more pages than the limit. */
		c->max_pages += 16;
		ret = npt_table_create(c, &r->t);
	}
	if (ret) {
		fail(r, "npt_table_create() = %d", ret);
		return ret;
	}
	r->levels = npt_levels(r->t);
	r->ia_size = 1ULL << npt_ia_bits(r->t);
	r->oa_size = 1ULL << npt_oa_bits(r->t);
	r->rf = (struct ref_fmt){ fmt, c->options, npt_oa_bits(r->t),
				  r->levels };
	r->leaf_lvls = ref_leaf_lvls(&r->rf) & ((1U << r->levels) - 1);
	if (c->leaf_lvls)
		r->leaf_lvls &= c->leaf_lvls;
	CHECK(r, (r->t->leaf_lvls & ((1U << r->levels) - 1)) == r->leaf_lvls,
	      "leaf levels %#x, the manuals say %#x", r->t->leaf_lvls,
	      r->leaf_lvls);
	r->ad_bits = 0;
	if (c->options & NPT_OPT_EPT_AD)
		r->ad_bits = BIT_ULL(8) | BIT_ULL(9);
	if (c->options & NPT_OPT_S2_HA)
		r->ad_bits = BIT_ULL(10);
	if (c->options & NPT_OPT_RV_HWAD)
		r->ad_bits = BIT_ULL(6) | BIT_ULL(7);
	model_init(&r->m);
	model_init(&r->old);
	r->nwin = 0;
	r->win[r->nwin++] = 0;
	r->win[r->nwin++] = r->ia_size - (1ULL << 30);
	r->win[r->nwin++] = (rs_u64(r->rs) & (r->ia_size - 1)) & ~((1ULL << 30) - 1);
	/* The second page of a wide or concatenated root, and the middle. */
	r->win[r->nwin++] = npt_lvl_size(npt_root_lvl(r->t)) * NPT_PTRS &
			    (r->ia_size - 1);
	r->win[r->nwin++] = r->ia_size / 2;
	r->win[r->nwin++] = 1ULL << 32;
	r->accessed = false;
	memset(&r->rg, 0, sizeof(r->rg));
	r->log_hw = false;
	if (chance(r, 40)) {
		static const u32 prots[] = {
			NPT_PROT_R, NPT_PROT_R | NPT_PROT_W,
			NPT_PROT_R | NPT_PROT_W | NPT_PROT_X,
		};
		struct npt_region *rg = &r->rg;

		rg->gpa = r->win[rnd(r, r->nwin)] + (rnd(r, 1024) << 12);
		rg->size = (1 + rnd(r, 1024)) << 12;
		rg->max_prot = prots[rnd(r, ARRAY_SIZE(prots))];
		rg->attr = NPT_MT_WB;
		rg->backing = chance(r, 80) ? NPT_BACKING_LAZY :
					      NPT_BACKING_NONE;
		if (rg->backing == NPT_BACKING_LAZY && chance(r, 50)) {
			/* Room for 2 MiB blocks, some of them aligned. */
			rg->flags = NPT_REGION_LAZY_BLOCKS;
			rg->size += rnd(r, 4) << 21;
		}
		if (chance(r, 50)) {
			rg->flags |= NPT_REGION_DIRTY_LOG;
			r->dirty = calloc(BITS_TO_LONGS(LOG_PAGES),
					  sizeof(long));
			if (!r->dirty)
				abort();
			r->log_hw = (is_ept(fmt) &&
				     (c->options & NPT_OPT_EPT_AD)) ||
				    (is_rv(fmt) && (c->options & NPT_OPT_RV_HWAD));
		}
		if (rg->gpa + rg->size > r->ia_size)
			rg->gpa = r->ia_size - rg->size;
		ret = npt_set_region(r->t, rg);
		CHECK(r, !ret, "npt_set_region(%#llx, %#llx) = %d",
		      (unsigned long long)rg->gpa,
		      (unsigned long long)rg->size, ret);
	}
	return 0;
}

static void runner_close(struct runner *r)
{
	struct audit a = { 0 };

	if (r->t && !r->failed)
		audit(r, &a, true);
	npt_table_destroy(r->t);
	r->t = NULL;
	CHECK(r, r->mm.live == 0, "%ld pages live after destroy", r->mm.live);
	CHECK(r, npt_test_host_live == r->host_live,
	      "%ld host objects live after destroy",
	      npt_test_host_live - r->host_live);
	CHECK(r, !r->mm.errors, "provider misuse: %s", r->mm.error);
	model_fini(&r->m);
	model_fini(&r->old);
	npt_test_mm_fini(&r->mm);
	free(r->mark);
	r->mark = NULL;
	r->mark_cap = 0;
	free(r->dirty);
	r->dirty = NULL;
}

static void runner_step(struct runner *r)
{
	unsigned long warns = npt_test_warnings;
	u32 k = rnd(r, 100);

	r->what[0] = 0;
	if (k < 34)
		do_map(r);
	else if (k < 54)
		do_unmap(r);
	else if (k < 68)
		do_protect(r);
	else if (k < 76)
		do_collapse(r);
	else if (k < 85)
		do_translate(r);
	else if (k < 86)
		do_age(r);
	else if (k < 89)
		do_walk(r);
	else if (k < 92)
		do_access(r);
	else if (k < 94)
		do_hwaccess(r);
	else if (k < 97)
		do_fault(r);
	else if (k < 99)
		do_dirty_log(r);
	else
		do_guest_rw(r);
	check_samples(r, 6);
	CHECK(r, npt_test_warnings == warns, "the core warned");
	CHECK(r, !r->mm.errors, "provider misuse: %s", r->mm.error);
	CHECK(r, !npt_test_locks_held, "a lock is still held");
	CHECK(r, !npt_test_rcu_nesting, "an RCU read-side section is open");
	r->st->steps++;
}

static int runner_table(struct rsrc *rs, u32 format, u64 seed, u64 steps,
			struct runner_stats *st)
{
	struct runner r = { .rs = rs, .seed = seed, .st = st };
	struct audit a = { 0 };
	u64 i, credit = 0;

	r.cfg.format = format;
	if (runner_open(&r))
		return -1;
	st->tables++;
	for (i = 0; i < steps && !r.failed && !rs_done(&r); i++) {
		r.step = i;
		runner_step(&r);
		/* Audits cost a walk of every page: about 16 pages a step. */
		credit += 16;
		if (!r.failed && credit >= max(r.t->st.table_pages, 64ULL)) {
			credit = 0;
			snprintf(r.what, sizeof(r.what), "audit");
			audit(&r, &a, true);
		}
	}
	snprintf(r.what, sizeof(r.what), "destroy");
	runner_close(&r);
	return r.failed ? -1 : 0;
}

int runner_format(u32 format, u64 seed, u64 steps, u32 tables,
		  struct runner_stats *st)
{
	u32 i;

	for (i = 0; i < tables; i++) {
		struct rsrc rs = { .s = seed + i };

		if (runner_table(&rs, format, seed + i, steps / tables, st))
			return -1;
	}
	return 0;
}

int runner_fuzz_one(const u8 *data, size_t len)
{
	struct rsrc rs = { .data = data, .len = len, .fuzz = true };
	struct runner_stats st = { 0 };
	u32 format;

	if (len < 2)
		return 0;
	format = npt_test_formats[data[0] % npt_test_nr_formats];
	rs.pos = 1;
	return runner_table(&rs, format, 0, 400, &st);
}
