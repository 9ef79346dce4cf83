/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space stand-in for <linux/bitfield.h>.  As in the kernel, the mask
 * must be a nonzero constant; a value that does not fit a constant field
 * is a build error.
 */
#ifndef _NPT_TEST_LINUX_BITFIELD_H
#define _NPT_TEST_LINUX_BITFIELD_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/byteorder.h>

#define __bf_shf(x)	(__builtin_ffsll(x) - 1)

#define __BF_FIELD_CHECK(_mask, _reg, _val, _pfx)			\
	({								\
		BUILD_BUG_ON_MSG(!__builtin_constant_p(_mask),		\
				 _pfx "mask is not constant");		\
		BUILD_BUG_ON_MSG((_mask) == 0, _pfx "mask is zero");	\
		BUILD_BUG_ON_MSG(__builtin_constant_p(_val) ?		\
				 ~((_mask) >> __bf_shf(_mask)) &	\
				 (0 + (_val)) : 0,			\
				 _pfx "value too large for the field");	\
	})

#define FIELD_MAX(_mask)						\
	({								\
		__BF_FIELD_CHECK(_mask, 0ULL, 0ULL, "FIELD_MAX: ");	\
		(typeof(_mask))((_mask) >> __bf_shf(_mask));		\
	})

#define FIELD_FIT(_mask, _val)						\
	({								\
		__BF_FIELD_CHECK(_mask, 0ULL, 0ULL, "FIELD_FIT: ");	\
		!((((typeof(_mask))_val) << __bf_shf(_mask)) & ~(_mask)); \
	})

#define FIELD_PREP(_mask, _val)						\
	({								\
		__BF_FIELD_CHECK(_mask, 0ULL, _val, "FIELD_PREP: ");	\
		((typeof(_mask))(_val) << __bf_shf(_mask)) & (_mask);	\
	})

#define FIELD_PREP_CONST(_mask, _val)					\
	((typeof(_mask))(_val) << __bf_shf(_mask) & (_mask))

#define FIELD_GET(_mask, _reg)						\
	({								\
		__BF_FIELD_CHECK(_mask, _reg, 0U, "FIELD_GET: ");	\
		(typeof(_mask))(((_reg) & (_mask)) >> __bf_shf(_mask));	\
	})

#define ____MAKE_OP(type, base)						\
static __always_inline base type##_encode_bits(base v, base field)	\
{									\
	return (v & (field >> __bf_shf(field))) << __bf_shf(field);	\
}									\
static __always_inline base type##_get_bits(base v, base field)		\
{									\
	return (v & field) >> __bf_shf(field);				\
}									\
static __always_inline base type##_replace_bits(base old, base val,	\
						base field)		\
{									\
	return (old & ~field) | type##_encode_bits(val, field);		\
}

____MAKE_OP(u8, u8)
____MAKE_OP(u16, u16)
____MAKE_OP(u32, u32)
____MAKE_OP(u64, u64)
#undef ____MAKE_OP

#endif /* _NPT_TEST_LINUX_BITFIELD_H */
