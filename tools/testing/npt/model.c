// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt user-space harness: the model.  Slow and obvious on purpose: every
 * change rebuilds the affected runs.
 */
#include <stdlib.h>
#include <string.h>
#include "../../../npt_uapi.h"
#include "model.h"

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

void model_fini(struct model *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static void model_reserve(struct model *m, size_t n)
{
	if (n <= m->cap)
		return;
	m->cap = n < 64 ? 64 : n * 2;
	m->e = realloc(m->e, m->cap * sizeof(*m->e));
	if (!m->e)
		abort();
}

void model_copy(struct model *dst, const struct model *src)
{
	dst->n = 0;
	model_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->e, src->e, src->n * sizeof(*src->e));
	dst->n = src->n;
}

/* Index of the first run ending after @gpa. */
static size_t model_lower(const struct model *m, u64 gpa)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->e[mid].gpa + m->e[mid].size <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Split the run holding @gpa (if any) so that a run starts at @gpa. */
static void model_cut(struct model *m, u64 gpa)
{
	size_t i = model_lower(m, gpa);
	struct model_ext *e;
	u64 off;

	if (i == m->n || m->e[i].gpa >= gpa)
		return;
	model_reserve(m, m->n + 1);
	e = &m->e[i];
	memmove(e + 1, e, (m->n - i) * sizeof(*e));	/* i < m->n */
	m->n++;
	off = gpa - e->gpa;
	e[1].gpa = gpa;
	e[1].size = e->size - off;
	e[1].hpa = e->hpa + off;
	e->size = off;
}

void model_clear(struct model *m, u64 gpa, u64 size)
{
	size_t i, j;

	model_cut(m, gpa);
	model_cut(m, gpa + size);
	i = model_lower(m, gpa);
	for (j = i; j < m->n && m->e[j].gpa < gpa + size; j++)
		;
	if (j > i && j < m->n)
		memmove(&m->e[i], &m->e[j], (m->n - j) * sizeof(*m->e));
	m->n -= j - i;
}

void model_set(struct model *m, u64 gpa, u64 size, u64 hpa, u32 prot,
	       u32 attr, u32 st)
{
	size_t i;

	model_clear(m, gpa, size);
	i = model_lower(m, gpa);
	model_reserve(m, m->n + 1);
	if (i < m->n)
		memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
	m->n++;
	m->e[i] = (struct model_ext){ gpa, size, hpa, prot, attr, st };
}

void model_protect(struct model *m, u64 gpa, u64 size, u32 prot, u32 attr)
{
	size_t i;

	model_cut(m, gpa);
	model_cut(m, gpa + size);
	for (i = model_lower(m, gpa); i < m->n && m->e[i].gpa < gpa + size; i++) {
		m->e[i].prot = prot;
		m->e[i].attr = attr;
	}
}

void model_mark(struct model *m, u64 gpa, u64 size, u32 st)
{
	size_t i;

	model_cut(m, gpa);
	model_cut(m, gpa + size);
	for (i = model_lower(m, gpa); i < m->n && m->e[i].gpa < gpa + size; i++)
		m->e[i].st |= st;
}

void model_unmark(struct model *m, u64 gpa, u64 size, u32 st)
{
	size_t i;

	model_cut(m, gpa);
	model_cut(m, gpa + size);
	for (i = model_lower(m, gpa); i < m->n && m->e[i].gpa < gpa + size; i++)
		m->e[i].st &= ~st;
}

void model_log_wp(struct model *m, u64 gpa, u64 size, bool wp)
{
	size_t i;

	model_cut(m, gpa);
	model_cut(m, gpa + size);
	for (i = model_lower(m, gpa); i < m->n && m->e[i].gpa < gpa + size;
	     i++) {
		struct model_ext *x = &m->e[i];

		if (wp && (x->prot & NPT_PROT_W)) {
			x->prot &= ~NPT_PROT_W;
			x->st |= MODEL_ST_LOGWP;
		} else if (!wp && (x->st & MODEL_ST_LOGWP)) {
			x->prot |= NPT_PROT_W;
			x->st &= ~MODEL_ST_LOGWP;
		}
	}
}

const struct model_ext *model_find(const struct model *m, u64 gpa)
{
	size_t i = model_lower(m, gpa);

	if (i < m->n && m->e[i].gpa <= gpa)
		return &m->e[i];
	return NULL;
}

const struct model_ext *model_next(const struct model *m, u64 gpa)
{
	size_t i = model_lower(m, gpa);

	return i < m->n ? &m->e[i] : NULL;
}

bool model_any(const struct model *m, u64 gpa, u64 size)
{
	const struct model_ext *e = model_next(m, gpa);

	return e && e->gpa < gpa + size;
}

bool model_all(const struct model *m, u64 gpa, u64 size)
{
	size_t i = model_lower(m, gpa);
	u64 cur = gpa, end = gpa + size;

	for (; i < m->n && cur < end; i++) {
		if (m->e[i].gpa > cur)
			return false;
		cur = m->e[i].gpa + m->e[i].size;
	}
	return cur >= end;
}

bool model_uniform(const struct model *m, u64 gpa, u64 size, u64 *hpa,
		   u32 *prot, u32 *attr, u32 *st)
{
	size_t i = model_lower(m, gpa);
	u64 cur = gpa, end = gpa + size;
	const struct model_ext *f;

	if (i == m->n || m->e[i].gpa > gpa)
		return false;
	f = &m->e[i];
	*hpa = f->hpa + (gpa - f->gpa);
	*prot = f->prot;
	*attr = f->attr;
	for (; i < m->n && cur < end; i++) {
		const struct model_ext *e = &m->e[i];

		if (e->gpa != cur && e->gpa > cur)
			return false;
		if (e->hpa + (cur - e->gpa) != *hpa + (cur - gpa) ||
		    e->prot != *prot || e->attr != *attr ||
		    (st && e->st != f->st))
			return false;
		cur = e->gpa + e->size;
	}
	if (st)
		*st = f->st;
	return cur >= end;
}
