/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt user-space harness: the model, a flat map GPA page -> (HPA, prot,
 * attr), kept as a sorted array of runs of consecutive pages that map
 * consecutive host pages with equal prot and attr.
 */
#ifndef _NPT_TEST_MODEL_H
#define _NPT_TEST_MODEL_H

#include <linux/types.h>

struct model_ext {
	u64 gpa;	/* first page */
	u64 size;	/* bytes */
	u64 hpa;	/* host address of @gpa */
	u32 prot;
	u32 attr;
	u32 st;		/* MODEL_ST_*: what the harness did to its leaves */
};

#define MODEL_ST_OLD		1	/* mapped with NPT_OP_OLD */
#define MODEL_ST_ACCESSED	2	/* the harness set state bits */
#define MODEL_ST_OWNED		4	/* a lazy page the table owns */
#define MODEL_ST_DIRTY		8	/* dirty flag set by the map */
#define MODEL_ST_LOGWP		16	/* write-protected by a dirty log */

struct model {
	struct model_ext *e;
	size_t n, cap;
};

void model_init(struct model *m);
void model_fini(struct model *m);
void model_copy(struct model *dst, const struct model *src);
void model_clear(struct model *m, u64 gpa, u64 size);
void model_set(struct model *m, u64 gpa, u64 size, u64 hpa, u32 prot,
	       u32 attr, u32 st);
void model_protect(struct model *m, u64 gpa, u64 size, u32 prot, u32 attr);
void model_mark(struct model *m, u64 gpa, u64 size, u32 st);
void model_unmark(struct model *m, u64 gpa, u64 size, u32 st);
/*
 * A dirty log's write-protection of [gpa, gpa + size): with @wp, runs
 * with write permission lose it and are marked MODEL_ST_LOGWP; without,
 * the runs so marked get it back and lose the mark.
 */
void model_log_wp(struct model *m, u64 gpa, u64 size, bool wp);
/* The run holding @gpa, or NULL. */
const struct model_ext *model_find(const struct model *m, u64 gpa);
/* The first run that ends after @gpa, or NULL. */
const struct model_ext *model_next(const struct model *m, u64 gpa);
bool model_any(const struct model *m, u64 gpa, u64 size);
bool model_all(const struct model *m, u64 gpa, u64 size);
/*
 * Whether [gpa, gpa + size) is mapped entirely, to consecutive host
 * addresses, with one prot / attr (and, if @st is not NULL, one state).
 */
bool model_uniform(const struct model *m, u64 gpa, u64 size, u64 *hpa,
		   u32 *prot, u32 *attr, u32 *st);

#endif /* _NPT_TEST_MODEL_H */
