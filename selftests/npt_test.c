// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt_test: the /dev/npt ABI, probed the way selftests/iommu probes
 * iommufd, and round trips through every table format.
 *
 * Every TEST_F runs once per format (FIXTURE_VARIANT).  Needs root and the
 * npt module loaded; skips otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "npt_uapi.h"
#include "kselftest_harness.h"

#define DEV_PATH	"/dev/npt"
#define LIVE_PAGES	"/sys/module/npt/parameters/live_pages"
#define MAX_PAGES_PARAM	"/sys/module/npt/parameters/max_table_pages"

#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_128M		0x8000000ULL
#define SZ_1G		0x40000000ULL
#define HPA_BASE	0x100000000ULL	/* 4 GiB: fits every output width */
#define RW		(NPT_PROT_R | NPT_PROT_W)
#define RWX		(NPT_PROT_R | NPT_PROT_W | NPT_PROT_X)

#define EXPECT_ERRNO(expected, call)				\
	({							\
		errno = 0;					\
		EXPECT_EQ(-1, (call));				\
		EXPECT_EQ(expected, errno);			\
	})

#define ASSERT_ERRNO(expected, call)				\
	({							\
		errno = 0;					\
		ASSERT_EQ(-1, (call));				\
		ASSERT_EQ(expected, errno);			\
	})

static uint64_t lvl_size(unsigned int lvl)
{
	return 1ULL << (12 + 9 * lvl);
}

static uint64_t live_pages(void)
{
	unsigned long long v = ~0ULL;
	FILE *f = fopen(LIVE_PAGES, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = ~0ULL;
		fclose(f);
	}
	return v;
}

static int open_dev(void)
{
	return open(DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* 0 or the errno of the ioctl; the helpers below all work this way. */
static int create(int dev, uint32_t format, uint32_t options,
		  uint32_t ia_bits, uint64_t max_pages, int *fd)
{
	struct npt_create_table c = {
		.size = sizeof(c), .format = format, .options = options,
		.ia_bits = ia_bits, .max_pages = max_pages,
	};

	*fd = ioctl(dev, NPT_CREATE_TABLE, &c);
	return *fd < 0 ? errno : 0;
}

static int map_ex(int fd, uint64_t gpa, uint64_t hpa, uint64_t len,
		  uint32_t prot, uint32_t attr, uint32_t flags,
		  struct npt_map *out)
{
	struct npt_map m = {
		.size = sizeof(m), .flags = flags, .gpa = gpa, .hpa = hpa,
		.length = len, .prot = prot, .attr = attr,
	};
	int ret = ioctl(fd, NPT_MAP, &m) ? errno : 0;

	if (out)
		*out = m;
	return ret;
}

static int map(int fd, uint64_t gpa, uint64_t hpa, uint64_t len,
	       uint32_t prot, uint32_t flags)
{
	return map_ex(fd, gpa, hpa, len, prot, 0, flags, NULL);
}

static int unmap_ex(int fd, uint64_t gpa, uint64_t len, uint32_t flags,
		    struct npt_unmap *out)
{
	struct npt_unmap u = {
		.size = sizeof(u), .flags = flags, .gpa = gpa, .length = len,
	};
	int ret = ioctl(fd, NPT_UNMAP, &u) ? errno : 0;

	if (out)
		*out = u;
	return ret;
}

static int unmap(int fd, uint64_t gpa, uint64_t len)
{
	return unmap_ex(fd, gpa, len, 0, NULL);
}

static int protect(int fd, uint64_t gpa, uint64_t len, uint32_t prot,
		   uint32_t attr, uint32_t flags)
{
	struct npt_protect p = {
		.size = sizeof(p), .flags = flags, .gpa = gpa, .length = len,
		.prot = prot, .attr = attr,
	};

	return ioctl(fd, NPT_PROTECT, &p) ? errno : 0;
}

static int collapse(int fd, uint64_t gpa, uint64_t len)
{
	struct npt_collapse c = {
		.size = sizeof(c), .gpa = gpa, .length = len,
	};

	return ioctl(fd, NPT_COLLAPSE, &c) ? errno : 0;
}

static int translate(int fd, uint64_t gpa, struct npt_xlate *x)
{
	struct npt_translate t = { .size = sizeof(t), .x.gpa = gpa };
	int ret = ioctl(fd, NPT_TRANSLATE, &t) ? errno : 0;

	*x = t.x;
	return ret;
}

static int walk(int fd, uint64_t gpa, struct npt_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->gpa = gpa;
	return ioctl(fd, NPT_WALK, w) ? errno : 0;
}

static int info(int fd, struct npt_info *in)
{
	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	return ioctl(fd, NPT_INFO, in) ? errno : 0;
}

/* Does the plan invalidate all of [gpa, gpa + len)? */
static bool plan_covers(const struct npt_plan *p, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;
	bool progress = true;

	if (p->flags & NPT_PLAN_ALL)
		return true;
	while (gpa < end && progress) {
		progress = false;
		for (uint32_t i = 0; i < p->nr && i < NPT_PLAN_RANGES; i++) {
			uint64_t s = p->range[i].gpa;
			uint64_t e = s + p->range[i].length;

			if (s <= gpa && gpa < e) {
				gpa = e;
				progress = true;
			}
		}
	}
	return gpa >= end;
}

static int access_gpa(int fd, uint64_t gpa, uint32_t acc,
		      struct npt_fault_info *r)
{
	struct npt_access a = { .size = sizeof(a), .gpa = gpa, .access = acc };
	int ret = ioctl(fd, NPT_ACCESS, &a) ? errno : 0;

	*r = a.result;
	return ret;
}

static int handle_fault(int fd, uint64_t gpa, uint32_t acc,
			struct npt_handle_fault *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->gpa = gpa;
	out->access = acc;
	return ioctl(fd, NPT_HANDLE_FAULT, out) ? errno : 0;
}

static int set_region(int fd, uint64_t gpa, uint64_t len, uint32_t prot,
		      uint32_t backing, uint32_t flags)
{
	struct npt_set_region r = {
		.size = sizeof(r), .flags = flags, .gpa = gpa, .length = len,
		.max_prot = prot, .backing = backing,
	};

	return ioctl(fd, NPT_SET_REGION, &r) ? errno : 0;
}

static int dirty_log(int fd, uint64_t gpa, uint64_t len, uint64_t *bitmap,
		     bool clear, struct npt_dirty_log *out)
{
	struct npt_dirty_log d = {
		.size = sizeof(d), .flags = clear ? NPT_DIRTY_LOG_CLEAR : 0,
		.gpa = gpa, .length = len, .bitmap = (uintptr_t)bitmap,
	};
	int ret = ioctl(fd, NPT_GET_DIRTY_LOG, &d) ? errno : 0;

	if (out)
		*out = d;
	return ret;
}

static int age(int fd, uint64_t gpa, uint64_t len, uint64_t *bitmap,
	       bool clear, struct npt_age_range *out)
{
	struct npt_age_range a = {
		.size = sizeof(a), .flags = clear ? NPT_AGE_CLEAR : 0,
		.gpa = gpa, .length = len, .bitmap = (uintptr_t)bitmap,
	};
	int ret = ioctl(fd, NPT_AGE, &a) ? errno : 0;

	if (out)
		*out = a;
	return ret;
}

/* What NPT_AGE returns on a table: EPT without A/D has no accessed flag. */
static int age_errno(uint32_t format, uint32_t options)
{
	bool ept = format == NPT_FORMAT_EPT4 || format == NPT_FORMAT_EPT5;

	return ept && !(options & NPT_OPT_EPT_AD) ? EOPNOTSUPP : 0;
}

static int guest_rw(int fd, bool write, uint64_t gpa, void *buf,
		    uint64_t len)
{
	struct npt_guest_rw g = {
		.size = sizeof(g), .gpa = gpa, .buf = (uintptr_t)buf,
		.length = len,
	};

	return ioctl(fd, write ? NPT_WRITE_GUEST : NPT_READ_GUEST, &g) ?
	       errno : 0;
}

FIXTURE(npt) {
	int dev;
	int fd;
	uint64_t live0;		/* live pages before the fixture's table */
};

FIXTURE_VARIANT(npt) {
	uint32_t format;
	uint32_t options;
	uint32_t ia_bits;	/* asked for at creation (0: default) */
	uint32_t gpa_bits;	/* the resulting width */
	uint32_t levels;
	uint32_t root_pages;
	uint32_t alt_attr;	/* a non-WB memory type the format encodes */
	bool wo_invalid;	/* write without read is refused */
};

FIXTURE_VARIANT_ADD(npt, ept4) {
	.format = NPT_FORMAT_EPT4, .gpa_bits = 48, .levels = 4,
	.root_pages = 1, .alt_attr = NPT_MT_DEVICE, .wo_invalid = true,
};

FIXTURE_VARIANT_ADD(npt, ept5) {
	.format = NPT_FORMAT_EPT5, .gpa_bits = 57, .levels = 5,
	.root_pages = 1, .alt_attr = NPT_MT_WT, .wo_invalid = true,
};

FIXTURE_VARIANT_ADD(npt, arm64_40bit) {
	.format = NPT_FORMAT_ARM64_S2, .ia_bits = 40, .gpa_bits = 40,
	.levels = 3, .root_pages = 2, .alt_attr = NPT_MT_NC,
};

FIXTURE_VARIANT_ADD(npt, sv39x4) {
	.format = NPT_FORMAT_SV39X4, .options = NPT_OPT_RV_SVPBMT,
	.gpa_bits = 41, .levels = 3, .root_pages = 4,
	.alt_attr = NPT_MT_NC, .wo_invalid = true,
};

FIXTURE_VARIANT_ADD(npt, sv48x4) {
	.format = NPT_FORMAT_SV48X4, .options = NPT_OPT_RV_SVPBMT,
	.gpa_bits = 50, .levels = 4, .root_pages = 4,
	.alt_attr = NPT_MT_DEVICE, .wo_invalid = true,
};

FIXTURE_SETUP(npt)
{
	struct npt_caps caps = { .size = sizeof(caps) };

	self->fd = -1;
	self->dev = open_dev();
	if (self->dev < 0 && (errno == ENOENT || errno == ENODEV))
		SKIP(return, DEV_PATH " missing: is the npt module loaded?");
	if (self->dev < 0 && errno == EACCES)
		SKIP(return, DEV_PATH ": needs root");
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &caps));
	if (!(caps.formats & (1U << variant->format)))
		SKIP(return, "format %u not built in", variant->format);
	self->live0 = live_pages();
	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, 0, &self->fd));
}

FIXTURE_TEARDOWN(npt)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* Size of the first version of @req's structure, now @size bytes. */
static size_t first_size(unsigned long req, size_t size)
{
	return req == NPT_GET_CAPS ? NPT_CAPS_SIZE_VER0 : size;
}

/*
 * Size probes, as selftests/iommu does them: a valid argument of @size
 * bytes is refused one byte short of its first version (EINVAL), accepted
 * with 8 more zero bytes, and refused with a nonzero byte past its end
 * or a size past a page, zeroes or not (E2BIG).
 */
static void probe_sizes_errno(struct __test_metadata *_metadata, int fd,
			      unsigned long req, const void *arg, size_t size,
			      int ok_errno)
{
	uint8_t *big = calloc(1, 2 * 4096);
	uint64_t buf[128];
	uint32_t *usize = (uint32_t *)buf;
	int ret;

	ASSERT_NE(NULL, big);
	memcpy(big, arg, size);
	*(uint32_t *)big = 4096 + 1;
	EXPECT_ERRNO(E2BIG, ioctl(fd, req, big));
	free(big);

	ASSERT_LE(size + 16, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);

	*usize = first_size(req, size) - 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, req, buf));
	*usize = 0;
	EXPECT_ERRNO(EINVAL, ioctl(fd, req, buf));
	*usize = 8;
	EXPECT_ERRNO(EINVAL, ioctl(fd, req, buf));

	*usize = size + 8;
	errno = 0;
	ret = ioctl(fd, req, buf);
	EXPECT_TRUE(ok_errno ? errno == ok_errno : ret >= 0);
	if (req == NPT_CREATE_TABLE && ret > 0)
		close(ret);

	((uint8_t *)buf)[size + 7] = 1;
	EXPECT_ERRNO(E2BIG, ioctl(fd, req, buf));
	((uint8_t *)buf)[size + 7] = 0;
	((uint8_t *)buf)[size] = 0x80;
	*usize = size + 1;
	EXPECT_ERRNO(E2BIG, ioctl(fd, req, buf));

	/* The exact size still works after all that. */
	memcpy(buf, arg, size);
	errno = 0;
	ret = ioctl(fd, req, buf);
	EXPECT_TRUE(ok_errno ? errno == ok_errno : ret >= 0);
	if (req == NPT_CREATE_TABLE && ret > 0)
		close(ret);
}

static void probe_sizes(struct __test_metadata *_metadata, int fd,
			unsigned long req, const void *arg, size_t size)
{
	probe_sizes_errno(_metadata, fd, req, arg, size, 0);
}

/* Every flag bit outside @valid is EINVAL. */
static void probe_flags(struct __test_metadata *_metadata, int fd,
			unsigned long req, const void *arg, size_t size,
			uint32_t valid)
{
	uint64_t buf[128];

	for (int bit = 0; bit < 32; bit++) {
		if (valid & (1U << bit))
			continue;
		memcpy(buf, arg, size);
		((uint32_t *)buf)[1] = 1U << bit;
		EXPECT_EQ(-1, ioctl(fd, req, buf));
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("flag bit %d of ioctl 0x%lx", bit, req);
		}
	}
}

/* Valid arguments for every ioctl, on a table where 0..2M is mapped. */
struct valid_args {
	struct npt_caps caps;
	struct npt_create_table create;
	struct npt_map map;
	struct npt_unmap unmap;
	struct npt_protect protect;
	struct npt_collapse collapse;
	struct npt_translate translate;
	struct npt_walk walk;
	struct npt_info info;
	struct npt_access access;
	struct npt_handle_fault handle_fault;
	struct npt_set_region set_region;
	struct npt_dirty_log dirty_log;
	struct npt_guest_rw read_guest;
	struct npt_guest_rw write_guest;
	struct npt_age_range age;
	uint64_t bitmap;
	uint64_t age_bitmap[SZ_2M / SZ_4K / 64];
	uint8_t data[16];
};

/* The lazy, dirty-logged region of valid_args(), at 4 GiB. */
#define VALID_REGION	(4 * SZ_1G)

static void valid_args(uint32_t format, uint32_t options, uint32_t ia_bits,
		       struct valid_args *a)
{
	uint64_t far = 8 * SZ_1G;	/* mapped and unmapped again */

	memset(a, 0, sizeof(*a));
	a->caps = (struct npt_caps){ .size = sizeof(a->caps),
				     .format = format };
	a->create = (struct npt_create_table){
		.size = sizeof(a->create), .format = format,
		.options = options, .ia_bits = ia_bits };
	a->map = (struct npt_map){ .size = sizeof(a->map),
		.flags = NPT_OP_REPLACE, .gpa = far, .hpa = HPA_BASE,
		.length = SZ_4K, .prot = RW };
	a->unmap = (struct npt_unmap){ .size = sizeof(a->unmap),
		.gpa = far, .length = SZ_4K };
	a->protect = (struct npt_protect){ .size = sizeof(a->protect),
		.flags = NPT_OP_HOLES_OK, .gpa = 0, .length = SZ_4K,
		.prot = RW };
	a->collapse = (struct npt_collapse){ .size = sizeof(a->collapse),
		.gpa = 0, .length = SZ_2M };
	a->translate = (struct npt_translate){
		.size = sizeof(a->translate), .x.gpa = 0x1234 };
	a->walk = (struct npt_walk){ .size = sizeof(a->walk), .gpa = 0x1234 };
	a->info = (struct npt_info){ .size = sizeof(a->info) };
	a->access = (struct npt_access){ .size = sizeof(a->access),
		.gpa = 0x1234, .access = NPT_ACC_READ };
	a->handle_fault = (struct npt_handle_fault){
		.size = sizeof(a->handle_fault), .gpa = VALID_REGION,
		.access = NPT_ACC_READ };
	/* Adds a region, then (with the same size) removes it. */
	a->set_region = (struct npt_set_region){
		.size = sizeof(a->set_region), .gpa = 8 * SZ_1G };
	a->dirty_log = (struct npt_dirty_log){ .size = sizeof(a->dirty_log),
		.flags = NPT_DIRTY_LOG_CLEAR, .gpa = VALID_REGION,
		.length = 64 * SZ_4K, .bitmap = (uintptr_t)&a->bitmap };
	a->read_guest = (struct npt_guest_rw){ .size = sizeof(a->read_guest),
		.gpa = VALID_REGION + 8, .buf = (uintptr_t)a->data,
		.length = sizeof(a->data) };
	a->write_guest = a->read_guest;
	a->age = (struct npt_age_range){ .size = sizeof(a->age),
		.flags = NPT_AGE_CLEAR, .gpa = 0, .length = SZ_2M,
		.bitmap = (uintptr_t)a->age_bitmap };
}

/* The table state valid_args() needs: 0..2M mapped, a lazy region. */
static void valid_table(struct __test_metadata *_metadata, int fd)
{
	struct npt_handle_fault h;

	ASSERT_EQ(0, map(fd, 0, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, set_region(fd, VALID_REGION, 64 * SZ_4K, RW,
				NPT_BACKING_LAZY, NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, handle_fault(fd, VALID_REGION, NPT_ACC_WRITE, &h));
	ASSERT_EQ(NPT_RESOLVED_MAPPED, h.action);
}

TEST_F(npt, ioctl_sizes)
{
	struct valid_args a;

	valid_args(variant->format, variant->options, variant->ia_bits, &a);
	valid_table(_metadata, self->fd);
	probe_sizes(_metadata, self->dev, NPT_GET_CAPS, &a.caps, sizeof(a.caps));
	probe_sizes(_metadata, self->dev, NPT_CREATE_TABLE, &a.create,
		    sizeof(a.create));
	probe_sizes(_metadata, self->fd, NPT_MAP, &a.map, sizeof(a.map));
	probe_sizes(_metadata, self->fd, NPT_UNMAP, &a.unmap, sizeof(a.unmap));
	probe_sizes(_metadata, self->fd, NPT_PROTECT, &a.protect,
		    sizeof(a.protect));
	probe_sizes(_metadata, self->fd, NPT_COLLAPSE, &a.collapse,
		    sizeof(a.collapse));
	probe_sizes(_metadata, self->fd, NPT_TRANSLATE, &a.translate,
		    sizeof(a.translate));
	probe_sizes(_metadata, self->fd, NPT_WALK, &a.walk, sizeof(a.walk));
	probe_sizes(_metadata, self->fd, NPT_INFO, &a.info, sizeof(a.info));
	probe_sizes(_metadata, self->fd, NPT_ACCESS, &a.access,
		    sizeof(a.access));
	probe_sizes(_metadata, self->fd, NPT_HANDLE_FAULT, &a.handle_fault,
		    sizeof(a.handle_fault));
	/* Removing a region that does not exist: ENOENT passes the probe. */
	probe_sizes_errno(_metadata, self->fd, NPT_SET_REGION, &a.set_region,
			  sizeof(a.set_region), ENOENT);
	probe_sizes(_metadata, self->fd, NPT_GET_DIRTY_LOG, &a.dirty_log,
		    sizeof(a.dirty_log));
	probe_sizes(_metadata, self->fd, NPT_READ_GUEST, &a.read_guest,
		    sizeof(a.read_guest));
	probe_sizes(_metadata, self->fd, NPT_WRITE_GUEST, &a.write_guest,
		    sizeof(a.write_guest));
	/* EPT without A/D has no accessed flag to age. */
	probe_sizes_errno(_metadata, self->fd, NPT_AGE, &a.age, sizeof(a.age),
			  age_errno(variant->format, variant->options));
}

TEST_F(npt, ioctl_flags)
{
	struct npt_set_region add;
	struct valid_args a;

	valid_args(variant->format, variant->options, variant->ia_bits, &a);
	valid_table(_metadata, self->fd);
	probe_flags(_metadata, self->dev, NPT_GET_CAPS, &a.caps,
		    sizeof(a.caps), 0);
	probe_flags(_metadata, self->dev, NPT_CREATE_TABLE, &a.create,
		    sizeof(a.create), NPT_CREATE_CHECK_HOST);
	probe_flags(_metadata, self->fd, NPT_MAP, &a.map, sizeof(a.map),
		    NPT_OP_REPLACE | NPT_OP_NO_BLOCKS | NPT_OP_OLD |
		    NPT_OP_INTERRUPTIBLE);
	probe_flags(_metadata, self->fd, NPT_UNMAP, &a.unmap, sizeof(a.unmap),
		    NPT_OP_INTERRUPTIBLE);
	probe_flags(_metadata, self->fd, NPT_PROTECT, &a.protect,
		    sizeof(a.protect), NPT_OP_HOLES_OK | NPT_OP_INTERRUPTIBLE);
	probe_flags(_metadata, self->fd, NPT_COLLAPSE, &a.collapse,
		    sizeof(a.collapse), 0);
	/* A single translation takes no flag at all. */
	probe_flags(_metadata, self->fd, NPT_TRANSLATE, &a.translate,
		    sizeof(a.translate), 0);
	probe_flags(_metadata, self->fd, NPT_WALK, &a.walk, sizeof(a.walk), 0);
	probe_flags(_metadata, self->fd, NPT_INFO, &a.info, sizeof(a.info), 0);
	probe_flags(_metadata, self->fd, NPT_ACCESS, &a.access,
		    sizeof(a.access), 0);
	probe_flags(_metadata, self->fd, NPT_HANDLE_FAULT, &a.handle_fault,
		    sizeof(a.handle_fault), 0);
	probe_flags(_metadata, self->fd, NPT_SET_REGION, &a.set_region,
		    sizeof(a.set_region), NPT_REGION_FLAGS);
	/* A removal refuses every flag: probe the add form too. */
	add = a.set_region;
	add.length = SZ_2M;
	add.max_prot = RW;
	add.backing = NPT_BACKING_LAZY;
	probe_flags(_metadata, self->fd, NPT_SET_REGION, &add, sizeof(add),
		    NPT_REGION_FLAGS);
	probe_flags(_metadata, self->fd, NPT_GET_DIRTY_LOG, &a.dirty_log,
		    sizeof(a.dirty_log), NPT_DIRTY_LOG_CLEAR);
	probe_flags(_metadata, self->fd, NPT_READ_GUEST, &a.read_guest,
		    sizeof(a.read_guest), 0);
	probe_flags(_metadata, self->fd, NPT_WRITE_GUEST, &a.write_guest,
		    sizeof(a.write_guest), 0);
	probe_flags(_metadata, self->fd, NPT_AGE, &a.age, sizeof(a.age),
		    NPT_AGE_CLEAR);
}

TEST_F(npt, ioctl_reserved)
{
	struct valid_args a;
	struct npt_translate t;
	uint64_t gpa = 0;
	struct npt_xlate x;

	valid_args(variant->format, variant->options, variant->ia_bits, &a);
	/*
	 * leaf_lvls without the 4 KiB level, or with a gap: 1 GiB without
	 * 2 MiB, a level-5 bit above 4 KiB alone.
	 */
	a.create.leaf_lvls = 0x2;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &a.create));
	a.create.leaf_lvls = 0x5;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &a.create));
	a.create.leaf_lvls = 1U << NPT_MAX_LEVELS | 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &a.create));
	a.create.leaf_lvls = 0;
	a.translate.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &a.translate));
	a.access.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_ACCESS, &a.access));
	a.handle_fault.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_HANDLE_FAULT,
				   &a.handle_fault));
	a.set_region.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_SET_REGION, &a.set_region));
	/* Removal names the region by gpa alone. */
	a.set_region.__reserved = 0;
	a.set_region.backing = NPT_BACKING_LAZY;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_SET_REGION, &a.set_region));

	/* Fields of the other mode of TRANSLATE count as reserved. */
	t = (struct npt_translate){ .size = sizeof(t), .entry_size = 40 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &t));
	t = (struct npt_translate){ .size = sizeof(t), .x.hpa = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &t));
	t = (struct npt_translate){ .size = sizeof(t), .count = 1,
		.entry_size = sizeof(x), .gpas = (uintptr_t)&gpa,
		.results = (uintptr_t)&x, .x.gpa = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &t));
	t.x.gpa = 0;
	t.entry_size = sizeof(x) - 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &t));
	/* A huge entry would have the kernel clear gigabytes per result. */
	t.entry_size = NPT_XLATE_ENTRY_MAX + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, NPT_TRANSLATE, &t));
	t.entry_size = sizeof(x);
	EXPECT_EQ(0, ioctl(self->fd, NPT_TRANSLATE, &t));
	EXPECT_EQ(1, t.done);
	EXPECT_EQ(ENOENT, x.error);
}

TEST_F(npt, ioctl_efault)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *mem = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static const unsigned long table_cmds[] = {
		NPT_MAP, NPT_UNMAP, NPT_PROTECT, NPT_COLLAPSE, NPT_TRANSLATE,
		NPT_WALK, NPT_INFO, NPT_ACCESS, NPT_HANDLE_FAULT,
		NPT_SET_REGION, NPT_GET_DIRTY_LOG, NPT_READ_GUEST,
		NPT_WRITE_GUEST, NPT_AGE,
	};
	struct npt_translate t;
	struct npt_xlate x[2];
	uint64_t gpas[2] = { 0, SZ_4K };
	uint32_t *tail;
	int err;

	ASSERT_TRUE(mem != MAP_FAILED);
	ASSERT_EQ(0, munmap(mem + pg, pg));
	/* A size field that reads fine, followed by an unmapped page. */
	tail = (uint32_t *)(mem + pg - 4);
	*tail = 4096;

	EXPECT_ERRNO(EFAULT, ioctl(self->dev, NPT_GET_CAPS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->dev, NPT_CREATE_TABLE, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->dev, NPT_CREATE_TABLE, mem + pg));
	EXPECT_ERRNO(EFAULT, ioctl(self->dev, NPT_GET_CAPS, tail));
	for (size_t i = 0; i < ARRAY_SIZE(table_cmds); i++) {
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, table_cmds[i], NULL));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, table_cmds[i], mem + pg));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, table_cmds[i], tail));
	}

	/* Batch arrays: bad input array, bad output array. */
	t = (struct npt_translate){ .size = sizeof(t), .count = 2,
		.entry_size = sizeof(x[0]), .gpas = (uintptr_t)(mem + pg),
		.results = (uintptr_t)x };
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, NPT_TRANSLATE, &t));
	EXPECT_EQ(0, t.done);
	t.gpas = (uintptr_t)gpas;
	t.results = (uintptr_t)(mem + pg - sizeof(x[0]));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, NPT_TRANSLATE, &t));
	EXPECT_EQ(1, t.done);

	/* Guest copies and dirty logs: bad buffers, nothing lost. */
	valid_table(_metadata, self->fd);
	EXPECT_EQ(EFAULT, guest_rw(self->fd, true, VALID_REGION, mem + pg, 8));
	EXPECT_EQ(EFAULT, guest_rw(self->fd, false, VALID_REGION, mem + pg,
				   8));
	EXPECT_EQ(EFAULT, dirty_log(self->fd, VALID_REGION, 64 * SZ_4K,
				    (uint64_t *)(mem + pg), true, NULL));
	EXPECT_EQ(EFAULT, dirty_log(self->fd, VALID_REGION, 64 * SZ_4K,
				    (uint64_t *)(mem + pg - 4), true, NULL));
	gpas[0] = 0;
	ASSERT_EQ(0, dirty_log(self->fd, VALID_REGION, 64 * SZ_4K, gpas,
			       false, NULL));
	EXPECT_EQ(1, gpas[0]);
	/* Aging: a bitmap that cannot be written, before anything ages. */
	err = age_errno(variant->format, variant->options) ?: EFAULT;
	EXPECT_EQ(err, age(self->fd, 0, 64 * SZ_4K, (uint64_t *)(mem + pg),
			   true, NULL));
	EXPECT_EQ(err, age(self->fd, 0, 128 * SZ_4K,
			   (uint64_t *)(mem + pg - 8), true, NULL));
	if (err == EFAULT) {
		ASSERT_EQ(0, age(self->fd, 0, 64 * SZ_4K, gpas, false, NULL));
		EXPECT_EQ(~0ULL, gpas[0]);
	}
	munmap(mem, pg);
}

TEST_F(npt, ioctl_enotty)
{
	static const unsigned long table_cmds[] = {
		NPT_MAP, NPT_UNMAP, NPT_PROTECT, NPT_COLLAPSE, NPT_TRANSLATE,
		NPT_WALK, NPT_INFO, NPT_ACCESS, NPT_HANDLE_FAULT,
		NPT_SET_REGION, NPT_GET_DIRTY_LOG, NPT_READ_GUEST,
		NPT_WRITE_GUEST, NPT_AGE,
	};
	struct valid_args a;
	uint64_t buf[64] = { 0 };
	int null_fd;

	valid_args(variant->format, variant->options, variant->ia_bits, &a);
	buf[0] = 64;
	/* Table ioctls on /dev/npt, /dev/npt ioctls on a table. */
	for (size_t i = 0; i < ARRAY_SIZE(table_cmds); i++)
		EXPECT_ERRNO(ENOTTY, ioctl(self->dev, table_cmds[i], buf));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, NPT_GET_CAPS, &a.caps));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, NPT_CREATE_TABLE, &a.create));
	/* Numbers npt does not use, other encodings. */
	for (unsigned int nr = NPT_CMD_AGE + 1; nr < 0x20; nr++) {
		EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPT_TYPE, nr), buf));
		EXPECT_ERRNO(ENOTTY, ioctl(self->dev, _IO(NPT_TYPE, nr), buf));
	}
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPT_TYPE, 0xff), buf));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPT_TYPE + 1, NPT_CMD_INFO),
				   &a.info));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
				   _IOWR(NPT_TYPE, NPT_CMD_INFO, struct npt_info),
				   &a.info));
	/* An npt ioctl on another kind of fd. */
	null_fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null_fd);
	EXPECT_ERRNO(ENOTTY, ioctl(null_fd, NPT_INFO, &a.info));
	close(null_fd);
}

TEST_F(npt, closed_and_replaced_fd)
{
	struct npt_info in;
	int fd2, null_fd;

	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, 0, &fd2));
	ASSERT_EQ(0, map(fd2, 0, HPA_BASE, 4 * SZ_2M, RW, NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, info(fd2, &in));
	EXPECT_LT(self->live0 + variant->root_pages, live_pages());

	/* dup2() over the table fd closes the table. */
	null_fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null_fd);
	ASSERT_EQ(fd2, dup2(null_fd, fd2));
	EXPECT_ERRNO(ENOTTY, ioctl(fd2, NPT_INFO, &in));
	close(fd2);
	EXPECT_ERRNO(EBADF, ioctl(fd2, NPT_INFO, &in));
	close(null_fd);
	/* Only the fixture's table is left. */
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

TEST_F(npt, caps)
{
	struct npt_caps c = { .size = sizeof(c), .format = variant->format };
	struct npt_caps none = { .size = sizeof(none) };
	unsigned long long param = 0;
	FILE *f;

	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &c));
	EXPECT_TRUE(c.formats & (1U << variant->format));
	EXPECT_EQ(0, c.formats & 1);
	EXPECT_EQ(variant->options, c.options & variant->options);
	EXPECT_TRUE(c.min_ia_bits <= variant->gpa_bits);
	EXPECT_TRUE(c.max_ia_bits >= variant->gpa_bits);
	EXPECT_NE(0, c.max_oa_bits);
	EXPECT_EQ(NPT_PLAN_RANGES, c.plan_ranges);
	EXPECT_EQ(NPT_MAX_LEVELS, c.max_levels);
	EXPECT_TRUE(c.prot & NPT_PROT_R);
	EXPECT_TRUE(c.memtypes & (1U << NPT_MT_WB));
	EXPECT_TRUE(c.memtypes & (1U << (variant->alt_attr & 0xff)));
	f = fopen(MAX_PAGES_PARAM, "r");
	if (f) {
		EXPECT_EQ(1, fscanf(f, "%llu", &param));
		fclose(f);
		EXPECT_EQ(param, c.max_table_pages);
	}

	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &none));
	EXPECT_EQ(c.formats, none.formats);
	EXPECT_EQ(0, none.options);
	EXPECT_EQ(0, none.max_ia_bits);

	/* A format number this ABI does not know, as the core says. */
	none.format = NPT_FORMAT_MAX + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_GET_CAPS, &none));

	/* The VMID width: none on x86 or without a walker, 8 or 16 on Arm. */
	if (!c.host_formats ||
	    (c.host_formats & ((1U << NPT_FORMAT_EPT4) |
			       (1U << NPT_FORMAT_EPT5)))) {
		EXPECT_EQ(0, c.host_vmid_bits);
	} else if (c.host_formats & (1U << NPT_FORMAT_ARM64_S2)) {
		EXPECT_TRUE(c.host_vmid_bits == 8 || c.host_vmid_bits == 16);
	} else {
		EXPECT_TRUE(c.host_vmid_bits <= 14);
	}
	c.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_GET_CAPS, &c));
}

/*
 * A caller built before host_vmid_bits passes NPT_CAPS_SIZE_VER0: it gets
 * the same answers, and nothing past its structure is written.
 */
TEST_F(npt, caps_versions)
{
	struct npt_caps full = { .size = sizeof(full),
				 .format = variant->format };
	union {
		struct npt_caps c;
		uint8_t b[sizeof(struct npt_caps)];
	} old;
	size_t i;

	ASSERT_EQ(NPT_CAPS_SIZE_VER1, sizeof(full));
	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &full));
	memset(&old, 0xa5, sizeof(old));
	memset(&old, 0, NPT_CAPS_SIZE_VER0);
	old.c.size = NPT_CAPS_SIZE_VER0;
	old.c.format = variant->format;
	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &old));
	EXPECT_EQ(NPT_CAPS_SIZE_VER0, old.c.size);
	EXPECT_EQ(0, memcmp(old.b + 4, (uint8_t *)&full + 4,
			    NPT_CAPS_SIZE_VER0 - 4));
	for (i = NPT_CAPS_SIZE_VER0; i < sizeof(old); i++)
		EXPECT_EQ(0xa5, old.b[i]);

	old.c.size = NPT_CAPS_SIZE_VER0 - 4;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_GET_CAPS, &old));
}

TEST_F(npt, create_checks)
{
	struct npt_create_table c = { .size = sizeof(c),
		.format = variant->format, .ia_bits = variant->ia_bits };
	struct npt_caps caps = { .size = sizeof(caps) };
	int fd, flags;

	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	ASSERT_LE(0, fd);
	flags = fcntl(fd, F_GETFD);
	EXPECT_TRUE(flags & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);

	c.format = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.format = NPT_FORMAT_MAX + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.format = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.format = variant->format;
	c.options = NPT_OPT_ALL + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	/* Options of another format. */
	c.options = variant->format <= NPT_FORMAT_EPT5 ? NPT_OPT_S2_FWB :
							 NPT_OPT_EPT_AD;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.options = 0;
	c.ia_bits = 64;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.ia_bits = variant->ia_bits;
	/* An output width past the format's, a VMID it cannot hold. */
	caps.format = variant->format;
	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &caps));
	c.oa_bits = caps.max_oa_bits + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.oa_bits = 0;
	c.vmid = variant->format <= NPT_FORMAT_EPT5 ? 1 :
		 variant->format == NPT_FORMAT_ARM64_S2 ? 1U << 16 : 1U << 14;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.vmid = 0;
	caps.format = 0;
	ASSERT_EQ(0, ioctl(self->dev, NPT_GET_CAPS, &caps));
	c.max_pages = caps.max_table_pages + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.max_pages = caps.max_table_pages;
	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	EXPECT_LE(0, fd);
	close(fd);
	/* A limit below the root's own pages. */
	c.max_pages = variant->root_pages - 1;
	if (c.max_pages)
		EXPECT_ERRNO(ENOSPC, ioctl(self->dev, NPT_CREATE_TABLE, &c));
	c.max_pages = 0;

	/*
	 * CHECK_HOST, with the host's widths and leaf levels: created exactly
	 * when this CPU walks the format with the variant's options.
	 */
	c.flags = NPT_CREATE_CHECK_HOST;
	c.options = variant->options;
	if (caps.host_formats & (1U << variant->format)) {
		c.oa_bits = caps.host_oa_bits;
		c.leaf_lvls = caps.host_leaf_lvls;
		if (caps.host_ia_bits_max && c.ia_bits > caps.host_ia_bits_max)
			c.ia_bits = caps.host_ia_bits_max;
	}
	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	if ((caps.host_formats & (1U << variant->format)) &&
	    !(variant->options & ~caps.host_options)) {
		EXPECT_LE(0, fd);
	} else {
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	if (fd >= 0)
		close(fd);

	/*
	 * CHECK_HOST and the VMID, with the options the host has: the widest
	 * VMID the host has is taken, one bit more is EOPNOTSUPP unless the
	 * format cannot hold it (EINVAL).
	 */
	if ((caps.host_formats & (1U << variant->format)) &&
	    variant->format > NPT_FORMAT_EPT5) {
		uint32_t vmid_max = variant->format == NPT_FORMAT_ARM64_S2 ?
				    0xffff : 0x3fff;

		c.options &= caps.host_options;
		c.vmid = (1U << caps.host_vmid_bits) - 1;
		fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
		c.vmid = 1U << caps.host_vmid_bits;
		EXPECT_ERRNO(c.vmid > vmid_max ? EINVAL : EOPNOTSUPP,
			     ioctl(self->dev, NPT_CREATE_TABLE, &c));
	}
}

/*
 * leaf_lvls keeps leaves off the levels it leaves out: a 1 GiB map with
 * 2 MiB and 4 KiB leaves only, and 4 KiB only, through map and collapse.
 */
TEST_F(npt, leaf_levels)
{
	struct npt_create_table c = {
		.size = sizeof(c), .format = variant->format,
		.options = variant->options, .ia_bits = variant->ia_bits,
		.leaf_lvls = 0x3,
	};
	struct npt_xlate x;
	int fd;

	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, map(fd, SZ_1G, 4 * SZ_1G, SZ_1G, RW, 0));
	ASSERT_EQ(0, translate(fd, SZ_1G + SZ_1G / 2 + 8, &x));
	EXPECT_EQ(1, x.lvl);
	EXPECT_EQ(4 * SZ_1G + SZ_1G / 2 + 8, x.hpa);
	ASSERT_EQ(0, collapse(fd, SZ_1G, SZ_1G));
	ASSERT_EQ(0, translate(fd, SZ_1G, &x));
	EXPECT_EQ(1, x.lvl);
	close(fd);

	c.leaf_lvls = 0x1;
	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, map(fd, SZ_2M, 4 * SZ_1G, SZ_2M, RW, 0));
	ASSERT_EQ(0, collapse(fd, SZ_2M, SZ_2M));
	ASSERT_EQ(0, translate(fd, SZ_2M + SZ_4K, &x));
	EXPECT_EQ(0, x.lvl);
	EXPECT_EQ(4 * SZ_1G + SZ_4K, x.hpa);
	close(fd);

	/* A host's set wider than the format: its levels stay. */
	c.leaf_lvls = 0x1f;
	fd = ioctl(self->dev, NPT_CREATE_TABLE, &c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, map(fd, SZ_1G, 4 * SZ_1G, SZ_1G, RW, 0));
	ASSERT_EQ(0, translate(fd, SZ_1G, &x));
	EXPECT_EQ(2, x.lvl);
	close(fd);
}

TEST_F(npt, info_fresh)
{
	struct npt_info in;

	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(variant->format, in.format);
	EXPECT_EQ(variant->options, in.options);
	EXPECT_EQ(variant->levels, in.levels);
	EXPECT_EQ(variant->gpa_bits, in.ia_bits);
	EXPECT_EQ(variant->root_pages, in.root_pages);
	EXPECT_EQ(variant->root_pages, in.table_pages);
	EXPECT_EQ(0, in.data_pages);
	EXPECT_EQ(variant->root_pages, in.tables[variant->levels - 1]);
	for (unsigned int l = 0; l < NPT_MAX_LEVELS; l++) {
		EXPECT_EQ(0, in.leaves[l]);
		if (l != variant->levels - 1)
			EXPECT_EQ(0, in.tables[l]);
	}
	EXPECT_NE(0, in.max_pages);
	/* The tests run as root: the root register is visible. */
	EXPECT_EQ(NPT_INFO_ROOT_VALID, in.info_flags);
	EXPECT_NE(0, in.root);
	EXPECT_NE(0, in.root_pa);
	EXPECT_EQ(0, in.root_pa & (variant->root_pages * SZ_4K - 1));
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

TEST_F(npt, map_translate_roundtrip)
{
	static const uint32_t prots[] = { NPT_PROT_R, RW, RWX,
					  NPT_PROT_R | NPT_PROT_X };
	uint64_t gpa = 3 * SZ_1G + 5 * SZ_4K;
	struct npt_xlate x;

	for (size_t i = 0; i < ARRAY_SIZE(prots); i++) {
		uint64_t g = gpa + i * 3 * SZ_4K;
		uint64_t h = HPA_BASE + 0x7000 * (i + 1);

		ASSERT_EQ(0, map(self->fd, g, h, 3 * SZ_4K, prots[i], 0));
		for (uint64_t off = 0; off < 3 * SZ_4K; off += 0x567) {
			ASSERT_EQ(0, translate(self->fd, g + off, &x));
			EXPECT_EQ(g + off, x.gpa);
			EXPECT_EQ(h + off, x.hpa);
			EXPECT_EQ(prots[i], x.prot);
			EXPECT_EQ(NPT_MT_WB, x.attr);
			EXPECT_EQ(0, x.lvl);
			EXPECT_EQ(0, x.error);
			EXPECT_NE(0, x.pte);
		}
	}
	/* Another memory type. */
	ASSERT_EQ(0, map_ex(self->fd, SZ_1G, HPA_BASE, SZ_4K, RW,
			    variant->alt_attr, 0, NULL));
	ASSERT_EQ(0, translate(self->fd, SZ_1G + 8, &x));
	EXPECT_EQ(variant->alt_attr, x.attr);
	EXPECT_EQ(RW, x.prot);
	EXPECT_EQ(HPA_BASE + 8, x.hpa);

	/* Neighbours stay unmapped. */
	EXPECT_EQ(ENOENT, translate(self->fd, gpa - 1, &x));
	EXPECT_EQ(ENOENT, translate(self->fd, gpa + 12 * SZ_4K, &x));
	EXPECT_EQ(ENOENT, translate(self->fd, 0, &x));
	EXPECT_EQ(ERANGE, translate(self->fd, 1ULL << variant->gpa_bits, &x));
	EXPECT_EQ(ERANGE, translate(self->fd, ~0ULL, &x));
}

TEST_F(npt, map_blocks)
{
	uint64_t gpa = 2 * SZ_1G;
	struct npt_xlate x;
	struct npt_info in;
	struct npt_map m;

	/* 1 GiB + 2 MiB + 4 KiB, all aligned: one leaf of each size. */
	ASSERT_EQ(0, map_ex(self->fd, gpa, 4 * SZ_1G, SZ_1G + SZ_2M + SZ_4K,
			    RWX, 0, 0, &m));
	EXPECT_EQ(SZ_1G + SZ_2M + SZ_4K, m.done);
	ASSERT_EQ(0, translate(self->fd, gpa + 0x12345678, &x));
	EXPECT_EQ(2, x.lvl);
	EXPECT_EQ(4 * SZ_1G + 0x12345678, x.hpa);
	ASSERT_EQ(0, translate(self->fd, gpa + SZ_1G + 0x1234, &x));
	EXPECT_EQ(1, x.lvl);
	ASSERT_EQ(0, translate(self->fd, gpa + SZ_1G + SZ_2M + 0x10, &x));
	EXPECT_EQ(0, x.lvl);
	EXPECT_EQ(4 * SZ_1G + SZ_1G + SZ_2M + 0x10, x.hpa);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(1, in.leaves[2]);
	EXPECT_EQ(1, in.leaves[1]);
	EXPECT_EQ(1, in.leaves[0]);

	/* The HPA's alignment limits the block size. */
	ASSERT_EQ(0, map(self->fd, 16 * SZ_1G, HPA_BASE + SZ_4K, SZ_2M, RW, 0));
	ASSERT_EQ(0, translate(self->fd, 16 * SZ_1G + SZ_2M - 1, &x));
	EXPECT_EQ(0, x.lvl);
	/* NO_BLOCKS: 4 KiB leaves only. */
	ASSERT_EQ(0, map(self->fd, 20 * SZ_1G, HPA_BASE, SZ_2M, RW,
			 NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, translate(self->fd, 20 * SZ_1G, &x));
	EXPECT_EQ(0, x.lvl);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(1 + 512 + 512, in.leaves[0]);
}

TEST_F(npt, map_errors)
{
	uint64_t top = 1ULL << variant->gpa_bits;
	struct npt_info before, after;
	struct npt_xlate x;

	ASSERT_EQ(0, map(self->fd, SZ_2M, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, info(self->fd, &before));

	EXPECT_EQ(EINVAL, map(self->fd, 0x800, HPA_BASE, SZ_4K, RW, 0));
	EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE + 1, SZ_4K, RW, 0));
	EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE, 0, RW, 0));
	EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE, 100, RW, 0));
	EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE, SZ_4K, 0, 0));
	EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE, SZ_4K,
			      NPT_PROT_ALL + 1, 0));
	EXPECT_EQ(EINVAL, map_ex(self->fd, 0, HPA_BASE, SZ_4K, RW,
				 NPT_MT_MAX + 1, 0, NULL));
	EXPECT_EQ(EINVAL, map_ex(self->fd, 0, HPA_BASE, SZ_4K, RW,
				 NPT_ATTR_ALL + 1, 0, NULL));
	if (variant->wo_invalid)
		EXPECT_EQ(EINVAL, map(self->fd, 0, HPA_BASE, SZ_4K,
				      NPT_PROT_W, 0));
	EXPECT_EQ(EOVERFLOW, map(self->fd, ~0ULL - SZ_4K + 1, HPA_BASE,
				 2 * SZ_4K, RW, 0));
	EXPECT_EQ(ERANGE, map(self->fd, top - SZ_4K, HPA_BASE, 2 * SZ_4K,
			      RW, 0));
	EXPECT_EQ(ERANGE, map(self->fd, top, HPA_BASE, SZ_4K, RW, 0));
	EXPECT_EQ(ERANGE, map(self->fd, 0, 1ULL << 60, SZ_4K, RW, 0));
	EXPECT_EQ(EEXIST, map(self->fd, 0, HPA_BASE, SZ_2M + SZ_4K, RW, 0));

	/* None of that changed anything. */
	ASSERT_EQ(0, info(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(ENOENT, translate(self->fd, 0, &x));

	/* The top page itself is fine. */
	EXPECT_EQ(0, map(self->fd, top - SZ_4K, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, translate(self->fd, top - 1, &x));
	EXPECT_EQ(HPA_BASE + SZ_4K - 1, x.hpa);
}

/*
 * The range calls refuse a misaligned range (EINVAL), one that wraps
 * (EOVERFLOW), one past the width (ERANGE), and an age past
 * NPT_AGE_MAX (EINVAL), changing nothing; so does a map whose host range
 * wraps.
 */
TEST_F(npt, range_errors)
{
	uint64_t top = 1ULL << variant->gpa_bits, wrap = ~0ULL - SZ_4K + 1;
	struct npt_info before, after;
	uint64_t bm = 0;

	ASSERT_EQ(0, map(self->fd, SZ_2M, HPA_BASE, SZ_2M, RW,
			 NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, info(self->fd, &before));

	EXPECT_EQ(EOVERFLOW, map(self->fd, 0, wrap, 2 * SZ_4K, RW, 0));
	EXPECT_EQ(EINVAL, protect(self->fd, SZ_2M + 0x800, SZ_4K, NPT_PROT_R,
				  0, 0));
	EXPECT_EQ(EINVAL, protect(self->fd, SZ_2M, SZ_4K + 1, NPT_PROT_R, 0,
				  0));
	EXPECT_EQ(EOVERFLOW, protect(self->fd, wrap, 2 * SZ_4K, NPT_PROT_R, 0,
				     NPT_OP_HOLES_OK));
	EXPECT_EQ(ERANGE, protect(self->fd, top - SZ_4K, 2 * SZ_4K,
				  NPT_PROT_R, 0, NPT_OP_HOLES_OK));
	EXPECT_EQ(EINVAL, collapse(self->fd, SZ_2M + 0x800, SZ_2M));
	EXPECT_EQ(EOVERFLOW, collapse(self->fd, wrap, 2 * SZ_4K));
	EXPECT_EQ(ERANGE, collapse(self->fd, top - SZ_4K, 2 * SZ_4K));
	EXPECT_EQ(EINVAL, age(self->fd, SZ_2M + 0x800, SZ_4K, &bm, false,
			      NULL));
	EXPECT_EQ(EINVAL, age(self->fd, 0, NPT_AGE_MAX + SZ_4K, NULL, false,
			      NULL));
	EXPECT_EQ(EOVERFLOW, age(self->fd, wrap, 2 * SZ_4K, &bm, false, NULL));
	EXPECT_EQ(ERANGE, age(self->fd, top - SZ_4K, 2 * SZ_4K, &bm, false,
			      NULL));

	ASSERT_EQ(0, info(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(0, bm);
}

TEST_F(npt, map_replace)
{
	struct npt_xlate x;
	struct npt_map m;

	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_2M, RW, 0));
	EXPECT_EQ(EEXIST, map(self->fd, SZ_4K, 2 * HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, translate(self->fd, SZ_4K, &x));
	EXPECT_EQ(HPA_BASE + SZ_4K, x.hpa);

	ASSERT_EQ(0, map_ex(self->fd, SZ_4K, 2 * HPA_BASE, SZ_4K,
			    NPT_PROT_R, 0, NPT_OP_REPLACE, &m));
	EXPECT_TRUE(plan_covers(&m.plan, SZ_4K, SZ_4K));
	ASSERT_EQ(0, translate(self->fd, SZ_4K, &x));
	EXPECT_EQ(2 * HPA_BASE, x.hpa);
	EXPECT_EQ(NPT_PROT_R, x.prot);
	ASSERT_EQ(0, translate(self->fd, 0, &x));
	EXPECT_EQ(HPA_BASE, x.hpa);
	EXPECT_EQ(RW, x.prot);
	ASSERT_EQ(0, translate(self->fd, 2 * SZ_4K, &x));
	EXPECT_EQ(HPA_BASE + 2 * SZ_4K, x.hpa);
}

TEST_F(npt, protect_split)
{
	uint64_t gpa = 6 * SZ_1G;
	struct npt_protect p = {
		.size = sizeof(p), .gpa = gpa + 5 * SZ_4K, .length = SZ_4K,
		.prot = NPT_PROT_R,
	};
	struct npt_info in;
	struct npt_xlate x;

	ASSERT_EQ(0, map(self->fd, gpa, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, translate(self->fd, gpa, &x));
	ASSERT_EQ(1, x.lvl);

	ASSERT_EQ(0, ioctl(self->fd, NPT_PROTECT, &p));
	EXPECT_EQ(SZ_4K, p.done);
	EXPECT_TRUE(plan_covers(&p.plan, gpa + 5 * SZ_4K, SZ_4K));
	for (uint64_t off = 0; off < SZ_2M; off += SZ_4K) {
		ASSERT_EQ(0, translate(self->fd, gpa + off, &x));
		EXPECT_EQ(0, x.lvl);
		EXPECT_EQ(HPA_BASE + off, x.hpa);
		EXPECT_EQ(off == 5 * SZ_4K ? NPT_PROT_R : RW, x.prot);
	}
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(512, in.leaves[0]);
	EXPECT_EQ(0, in.leaves[1]);

	/* A memory-type change of the whole range. */
	ASSERT_EQ(0, protect(self->fd, gpa, SZ_2M, RW, variant->alt_attr, 0));
	ASSERT_EQ(0, translate(self->fd, gpa + 5 * SZ_4K, &x));
	EXPECT_EQ(RW, x.prot);
	EXPECT_EQ(variant->alt_attr, x.attr);
}

TEST_F(npt, protect_holes)
{
	struct npt_info before, after;
	struct npt_xlate x;

	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, map(self->fd, 2 * SZ_4K, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, info(self->fd, &before));
	EXPECT_EQ(ENOENT, protect(self->fd, 0, 3 * SZ_4K, NPT_PROT_R, 0, 0));
	ASSERT_EQ(0, info(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	ASSERT_EQ(0, translate(self->fd, 0, &x));
	EXPECT_EQ(RW, x.prot);

	EXPECT_EQ(0, protect(self->fd, 0, 3 * SZ_4K, NPT_PROT_R, 0,
			     NPT_OP_HOLES_OK));
	ASSERT_EQ(0, translate(self->fd, 0, &x));
	EXPECT_EQ(NPT_PROT_R, x.prot);
	ASSERT_EQ(0, translate(self->fd, 2 * SZ_4K, &x));
	EXPECT_EQ(NPT_PROT_R, x.prot);
	EXPECT_EQ(ENOENT, translate(self->fd, SZ_4K, &x));
	EXPECT_EQ(EINVAL, protect(self->fd, 0, SZ_4K, 0, 0, 0));
}

TEST_F(npt, unmap_split)
{
	uint64_t gpa = SZ_1G;
	struct npt_info in;
	struct npt_xlate x;
	struct npt_unmap u;

	ASSERT_EQ(0, map(self->fd, gpa, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, unmap_ex(self->fd, gpa + SZ_4K, SZ_4K, 0, &u));
	EXPECT_EQ(SZ_4K, u.done);
	EXPECT_TRUE(plan_covers(&u.plan, gpa + SZ_4K, SZ_4K));
	/* A split changes leaves only: the block, then one page. */
	EXPECT_FALSE(u.plan.flags & NPT_PLAN_TABLES);
	EXPECT_EQ(ENOENT, translate(self->fd, gpa + SZ_4K, &x));
	ASSERT_EQ(0, translate(self->fd, gpa, &x));
	EXPECT_EQ(0, x.lvl);
	ASSERT_EQ(0, translate(self->fd, gpa + 2 * SZ_4K, &x));
	EXPECT_EQ(HPA_BASE + 2 * SZ_4K, x.hpa);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(511, in.leaves[0]);

	/* Holes are fine; unmapping everything frees every table page. */
	ASSERT_EQ(0, unmap_ex(self->fd, 0, 4 * SZ_1G, 0, &u));
	EXPECT_EQ(4 * SZ_1G, u.done);
	EXPECT_TRUE(plan_covers(&u.plan, gpa, SZ_2M));
	EXPECT_TRUE(u.plan.flags & NPT_PLAN_TABLES);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(variant->root_pages, in.table_pages);
	EXPECT_EQ(0, in.leaves[0]);
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
	EXPECT_EQ(EINVAL, unmap(self->fd, 0, 0));
	EXPECT_EQ(EINVAL, unmap(self->fd, 0x10, SZ_4K));
	EXPECT_EQ(EOVERFLOW, unmap(self->fd, ~0ULL - SZ_4K + 1, 2 * SZ_4K));
	EXPECT_EQ(ERANGE, unmap(self->fd, 0, (1ULL << variant->gpa_bits) +
					      SZ_4K));
}

TEST_F(npt, collapse)
{
	uint64_t gpa = 2 * SZ_1G;
	struct npt_collapse c = {
		.size = sizeof(c), .gpa = gpa, .length = SZ_1G,
	};
	struct npt_info before, after;
	struct npt_xlate x;

	ASSERT_EQ(0, map(self->fd, gpa, HPA_BASE, SZ_2M, RW,
			 NPT_OP_NO_BLOCKS));
	/* A second 2 MiB that cannot collapse: attributes differ. */
	ASSERT_EQ(0, map(self->fd, gpa + SZ_2M, HPA_BASE + SZ_2M, SZ_2M, RW,
			 NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, protect(self->fd, gpa + SZ_2M, SZ_4K, NPT_PROT_R, 0, 0));
	ASSERT_EQ(0, info(self->fd, &before));
	ASSERT_EQ(1024, before.leaves[0]);

	ASSERT_EQ(0, ioctl(self->fd, NPT_COLLAPSE, &c));
	EXPECT_EQ(SZ_1G, c.done);
	EXPECT_TRUE(plan_covers(&c.plan, gpa, SZ_2M));
	EXPECT_TRUE(c.plan.flags & NPT_PLAN_TABLES);
	ASSERT_EQ(0, translate(self->fd, gpa + 0x1234, &x));
	EXPECT_EQ(1, x.lvl);
	EXPECT_EQ(HPA_BASE + 0x1234, x.hpa);
	EXPECT_EQ(RW, x.prot);
	ASSERT_EQ(0, translate(self->fd, gpa + SZ_2M + SZ_4K, &x));
	EXPECT_EQ(0, x.lvl);
	ASSERT_EQ(0, info(self->fd, &after));
	EXPECT_EQ(1, after.leaves[1]);
	EXPECT_EQ(512, after.leaves[0]);
	EXPECT_EQ(before.table_pages - 1, after.table_pages);
	EXPECT_EQ(EINVAL, collapse(self->fd, gpa, 0));
}

TEST_F(npt, translate_batch)
{
	enum { N = 300 };	/* more than one kernel chunk */
	uint64_t gpas[N];
	struct npt_xlate res[N];
	struct { struct npt_xlate x; uint64_t extra[3]; } wide[4];
	struct npt_translate t = {
		.size = sizeof(t), .count = N, .entry_size = sizeof(res[0]),
		.gpas = (uintptr_t)gpas, .results = (uintptr_t)res,
	};

	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_2M, RWX, 0));
	ASSERT_EQ(0, map(self->fd, SZ_1G, 2 * HPA_BASE, 16 * SZ_4K,
			 NPT_PROT_R, NPT_OP_NO_BLOCKS));
	srand(1);
	for (int i = 0; i < N; i++) {
		switch (i % 4) {
		case 0:
			gpas[i] = (uint64_t)rand() % SZ_2M;
			break;
		case 1:
			gpas[i] = SZ_1G + (uint64_t)rand() % (32 * SZ_4K);
			break;
		case 2:
			gpas[i] = (uint64_t)rand() << 12;
			break;
		default:
			gpas[i] = (1ULL << variant->gpa_bits) + i;
			break;
		}
	}
	memset(res, 0xaa, sizeof(res));
	ASSERT_EQ(0, ioctl(self->fd, NPT_TRANSLATE, &t));
	EXPECT_EQ(N, t.done);
	for (int i = 0; i < N; i++) {
		struct npt_xlate one;
		int err = translate(self->fd, gpas[i], &one);

		EXPECT_EQ(err, res[i].error);
		EXPECT_EQ(gpas[i], res[i].gpa);
		if (!err) {
			EXPECT_EQ(0, memcmp(&one, &res[i], sizeof(one)));
		} else {
			EXPECT_EQ(0, res[i].hpa | res[i].pte | res[i].prot |
				     res[i].lvl);
		}
	}

	/* A larger entry: the kernel zeroes what it does not know. */
	memset(wide, 0xaa, sizeof(wide));
	t.count = 4;
	t.entry_size = sizeof(wide[0]);
	t.results = (uintptr_t)wide;
	ASSERT_EQ(0, ioctl(self->fd, NPT_TRANSLATE, &t));
	EXPECT_EQ(4, t.done);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(gpas[i], wide[i].x.gpa);
		EXPECT_EQ(0, wide[i].extra[0] | wide[i].extra[1] |
			     wide[i].extra[2]);
	}
	/* INTERRUPTIBLE is accepted by batches. */
	t.flags = NPT_OP_INTERRUPTIBLE;
	EXPECT_EQ(0, ioctl(self->fd, NPT_TRANSLATE, &t));
}

TEST_F(npt, walk_levels)
{
	uint64_t gpa = 5 * SZ_1G;
	struct npt_walk w;
	struct npt_xlate x;

	/* One GPA per leaf level: 4 KiB, 2 MiB, 1 GiB. */
	ASSERT_EQ(0, map(self->fd, gpa, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, map(self->fd, gpa + SZ_2M, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, map(self->fd, 7 * SZ_1G, 4 * SZ_1G, SZ_1G, RW, 0));
	for (unsigned int lvl = 0; lvl < 3; lvl++) {
		uint64_t g = lvl == 0 ? gpa : lvl == 1 ? gpa + SZ_2M : 7 * SZ_1G;

		ASSERT_EQ(0, walk(self->fd, g + 0x10, &w));
		ASSERT_EQ(0, translate(self->fd, g + 0x10, &x));
		EXPECT_EQ(variant->levels - 1, w.root_lvl);
		EXPECT_EQ(variant->levels - lvl, w.levels);
		EXPECT_EQ(x.pte, w.pte[w.levels - 1]);
		for (unsigned int i = 0; i < w.levels; i++)
			EXPECT_NE(0, w.pte[i]);
		for (unsigned int i = w.levels; i < NPT_MAX_LEVELS; i++)
			EXPECT_EQ(0, w.pte[i]);
	}
	/* An empty root entry (the second one): one level, zero. */
	ASSERT_EQ(0, walk(self->fd, lvl_size(variant->levels - 1), &w));
	EXPECT_EQ(1, w.levels);
	EXPECT_EQ(0, w.pte[0]);
	/* The last root entry, in the last page of a wide root. */
	ASSERT_EQ(0, walk(self->fd, (1ULL << variant->gpa_bits) - 1, &w));
	EXPECT_EQ(1, w.levels);
	EXPECT_EQ(ERANGE, walk(self->fd, 1ULL << variant->gpa_bits, &w));
}

TEST_F(npt, info_counters)
{
	uint32_t root = variant->levels - 1;
	struct npt_info in;
	uint64_t sum = 0;

	/* Far apart: each 4 KiB page needs its own tables below the root. */
	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, map(self->fd, lvl_size(root) * 1 + SZ_2M, HPA_BASE,
			 SZ_4K, RW, 0));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(variant->root_pages, in.tables[root]);
	for (unsigned int l = 0; l < root; l++)
		EXPECT_EQ(2, in.tables[l]);
	for (unsigned int l = 0; l < NPT_MAX_LEVELS; l++)
		sum += in.tables[l];
	EXPECT_EQ(sum, in.table_pages);
	EXPECT_EQ(2, in.leaves[0]);
	EXPECT_EQ(self->live0 + in.table_pages, live_pages());
}

TEST_F(npt, limit_enospc)
{
	uint32_t tables = variant->levels - 1;	/* below the root */
	struct npt_info before, after;
	struct npt_xlate x;
	int fd;

	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, variant->root_pages + tables,
			    &fd));
	ASSERT_EQ(0, map(fd, 0, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, info(fd, &before));
	EXPECT_EQ(before.max_pages, before.table_pages);

	/* Needs a new level-0 table: one page too many. */
	EXPECT_EQ(ENOSPC, map(fd, SZ_2M, HPA_BASE, SZ_4K, RW, 0));
	/* Needs several, across a range: nothing at all happens. */
	EXPECT_EQ(ENOSPC, map(fd, 4 * SZ_2M, HPA_BASE, 8 * SZ_2M, RW,
			      NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, info(fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(ENOENT, translate(fd, 4 * SZ_2M, &x));
	EXPECT_EQ(ENOENT, translate(fd, SZ_2M, &x));
	/* Blocks need no table: still fine. */
	EXPECT_EQ(0, map(fd, SZ_2M, HPA_BASE, SZ_2M, RW, 0));
	/* Splitting it would need one. */
	EXPECT_EQ(ENOSPC, protect(fd, SZ_2M, SZ_4K, NPT_PROT_R, 0, 0));
	ASSERT_EQ(0, translate(fd, SZ_2M, &x));
	EXPECT_EQ(1, x.lvl);
	EXPECT_EQ(RW, x.prot);
	/* Unmapping frees; then it fits again. */
	EXPECT_EQ(0, unmap(fd, 0, SZ_4K));
	EXPECT_EQ(0, protect(fd, SZ_2M, SZ_4K, NPT_PROT_R, 0, 0));
	close(fd);
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

TEST_F(npt, live_pages_after_close)
{
	uint64_t start = live_pages();
	int fds[4];

	ASSERT_NE(~0ULL, start);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, create(self->dev, variant->format,
				    variant->options, variant->ia_bits, 0,
				    &fds[i]));
		ASSERT_EQ(0, map(fds[i], (uint64_t)i * SZ_1G, HPA_BASE,
				 4 * SZ_2M + 3 * SZ_4K, RW, NPT_OP_NO_BLOCKS));
		ASSERT_EQ(0, map(fds[i], 5 * SZ_1G, HPA_BASE, SZ_1G, RW, 0));
	}
	EXPECT_LT(start + 4 * variant->root_pages, live_pages());
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	EXPECT_EQ(start, live_pages());
}

TEST_F(npt, interruptible_completes)
{
	struct npt_map m;
	struct npt_unmap u;

	ASSERT_EQ(0, map_ex(self->fd, 0, HPA_BASE, 64 * SZ_2M, RW, 0,
			    NPT_OP_INTERRUPTIBLE | NPT_OP_NO_BLOCKS, &m));
	EXPECT_EQ(64 * SZ_2M, m.done);
	/* 1 TiB (or the whole width): 1024 chunks, one fatal-signal check each. */
	ASSERT_EQ(0, unmap_ex(self->fd, 0, 1024 * SZ_1G,
			      NPT_OP_INTERRUPTIBLE, &u));
	EXPECT_EQ(1024 * SZ_1G, u.done);
	EXPECT_TRUE(plan_covers(&u.plan, 0, 64 * SZ_2M));
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

/*
 * A fatal signal stops an interruptible map between 1 GiB chunks: what is
 * left is a whole prefix of chunks, each fully mapped, and nothing after.
 * The child shares the table fd; when the kill lands does not matter.
 */
TEST_F(npt, interrupted_map_is_a_prefix)
{
	const uint64_t chunks = 256;
	uint64_t mapped = 0;
	struct npt_info in;
	struct npt_xlate x;
	int status;
	pid_t pid;

	for (int round = 0; round < 4; round++) {
		ASSERT_EQ(0, unmap(self->fd, 0, chunks * SZ_1G));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			/* HPA 2 MiB-aligned only: 512 blocks per chunk. */
			map(self->fd, 0, SZ_2M, chunks * SZ_1G, RW,
			    NPT_OP_INTERRUPTIBLE | NPT_OP_REPLACE);
			_exit(0);
		}
		usleep(round * round * 1000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));

		mapped = 0;
		for (uint64_t c = 0; c < chunks; c++) {
			uint64_t g = c * SZ_1G;
			bool first = !translate(self->fd, g, &x);
			bool last = !translate(self->fd, g + SZ_1G - 1, &x);

			EXPECT_EQ(first, last);
			if (first) {
				EXPECT_EQ(mapped, c);
				EXPECT_EQ(SZ_2M + g + SZ_1G - 1, x.hpa);
				mapped++;
			}
		}
		ASSERT_EQ(0, info(self->fd, &in));
		EXPECT_EQ(mapped * 512, in.leaves[1]);
		TH_LOG("round %d: %llu of %llu chunks mapped", round,
		       (unsigned long long)mapped, (unsigned long long)chunks);
	}
}

/*
 * Privilege: /dev/npt is 0600, so nobody cannot open it; handed an fd,
 * nobody can build tables but sees no kernel addresses.
 */
TEST_F(npt, unprivileged)
{
	/* The address field of a leaf: bits 51:12, 47:12, RISC-V's PPN. */
	uint32_t f = variant->format;
	uint64_t addr = f <= NPT_FORMAT_EPT5 ? 0x000ffffffffff000ULL :
			f == NPT_FORMAT_ARM64_S2 ? 0x0000fffffffff000ULL :
						   0x003ffffffffffc00ULL;
	struct npt_handle_fault h;
	struct npt_fault_info r;
	struct npt_xlate x;
	struct npt_info in;
	struct npt_walk w;
	struct npt_walk w_root;
	struct stat st;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to drop privileges");
	ASSERT_EQ(0, stat(DEV_PATH, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_4K, RW, 0));
	ASSERT_EQ(0, walk(self->fd, 0, &w_root));
	ASSERT_EQ(0, set_region(self->fd, VALID_REGION, SZ_2M, RW,
				NPT_BACKING_LAZY, 0));

	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_ERRNO(EACCES, open(DEV_PATH, O_RDWR));

	/* The fd opened by root: info hides the root, walk table addresses. */
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.info_flags);
	EXPECT_EQ(0, in.root | in.ctrl | in.root_pa);
	EXPECT_EQ(variant->root_pages, in.root_pages);
	ASSERT_EQ(0, walk(self->fd, 0, &w));
	ASSERT_EQ(variant->levels, w.levels);
	for (unsigned int i = 0; i + 1 < w.levels; i++) {
		EXPECT_NE(0, w.pte[i]);
		EXPECT_NE(w_root.pte[i], w.pte[i]);
	}
	EXPECT_EQ(w_root.pte[w.levels - 1], w.pte[w.levels - 1]);

	/* Lazy pages are kernel memory: their addresses stay hidden. */
	ASSERT_EQ(0, handle_fault(self->fd, VALID_REGION, NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
	EXPECT_EQ(0, h.hpa);
	ASSERT_EQ(0, handle_fault(self->fd, VALID_REGION, NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_SPURIOUS, h.action);
	EXPECT_EQ(0, h.hpa | h.fault.hpa);
	ASSERT_EQ(0, access_gpa(self->fd, VALID_REGION + 8, NPT_ACC_READ, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	EXPECT_EQ(0, r.hpa);
	ASSERT_EQ(0, translate(self->fd, VALID_REGION + 8, &x));
	EXPECT_EQ(0, x.hpa);
	EXPECT_NE(0, x.pte);
	EXPECT_EQ(0, x.pte & addr);
	ASSERT_EQ(0, walk(self->fd, VALID_REGION, &w));
	ASSERT_EQ(variant->levels, w.levels);
	EXPECT_NE(0, w.pte[w.levels - 1]);
	EXPECT_EQ(0, w.pte[w.levels - 1] & addr);
	ASSERT_EQ(0, guest_rw(self->fd, true, VALID_REGION, &w, 8));

	/* Tables made by nobody through root's /dev/npt fd work. */
	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, 0, &fd));
	EXPECT_EQ(0, map(fd, 0, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, info(fd, &in));
	EXPECT_EQ(0, in.info_flags);
	EXPECT_EQ(0, in.root | in.root_pa);
	close(fd);
}

/*
 * Threads on one fd: writers map and unmap disjoint and overlapping
 * ranges (each writer with its own HPA offset and permissions), readers
 * translate (and check that each translation is one writer's mapping),
 * and one thread keeps closing and reopening the fd (with close() and with
 * dup2()).  Afterwards every GPA is unmapped or carries exactly one
 * writer's mapping, and INFO agrees with a full walk.
 */
#define THR_WRITERS	3
#define THR_READERS	2
#define THR_SPAN	(8 * SZ_2M)
#define THR_ITERS	400

struct thr_ctx {
	int dev;
	int fd;
	uint32_t format;
	uint32_t options;
	uint32_t ia_bits;
	bool stop;		/* read and written with __atomic builtins */
	int errors;
	uint64_t live0;
};

static bool stopped(struct thr_ctx *ctx)
{
	return __atomic_load_n(&ctx->stop, __ATOMIC_RELAXED);
}

static uint64_t writer_hpa(int w)
{
	return HPA_BASE + (uint64_t)(w + 1) * 64 * SZ_1G;
}

static uint32_t writer_prot(int w)
{
	return w == 1 ? NPT_PROT_R : RW;
}

struct thr_arg {
	struct thr_ctx *ctx;
	int id;
};

static void *writer_fn(void *p)
{
	struct thr_arg *a = p;
	unsigned int seed = a->id * 7919 + 1;

	for (int i = 0; i < THR_ITERS && !stopped(a->ctx); i++) {
		/* Writer 0 owns [0, SPAN), 1 and 2 share [SPAN, 2 SPAN). */
		uint64_t base = a->id == 0 ? 0 : THR_SPAN;
		uint64_t off = (rand_r(&seed) % (THR_SPAN / SZ_4K)) * SZ_4K;
		uint64_t len = ((rand_r(&seed) % 600) + 1) * SZ_4K;
		int ret;

		if (off + len > THR_SPAN)
			len = THR_SPAN - off;
		if (rand_r(&seed) % 3)
			ret = map(a->ctx->fd, base + off,
				  writer_hpa(a->id) + base + off, len,
				  writer_prot(a->id), NPT_OP_REPLACE |
				  (rand_r(&seed) % 2 ? NPT_OP_NO_BLOCKS : 0));
		else
			ret = unmap(a->ctx->fd, base + off, len);
		/* EBADF: the fd was closed for a moment. */
		if (ret && ret != EBADF && ret != ENOMEM)
			__atomic_add_fetch(&a->ctx->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *reader_fn(void *p)
{
	struct thr_arg *a = p;
	unsigned int seed = a->id * 104729 + 3;
	struct npt_xlate x;

	while (!stopped(a->ctx)) {
		uint64_t gpa = rand_r(&seed) % (2 * THR_SPAN);
		int ret = translate(a->ctx->fd, gpa, &x);
		bool known = false;

		if (ret && ret != ENOENT && ret != EBADF)
			__atomic_add_fetch(&a->ctx->errors, 1, __ATOMIC_RELAXED);
		/*
		 * Translation takes no lock: what it returns must still be
		 * exactly one writer's mapping of this GPA, never a mix.
		 */
		for (int w = 0; !ret && w < THR_WRITERS; w++)
			known |= x.hpa == writer_hpa(w) + gpa &&
				       x.prot == writer_prot(w) &&
				       (w == 0) == (gpa < THR_SPAN);
		if (!ret && !known)
			__atomic_add_fetch(&a->ctx->errors, 1, __ATOMIC_RELAXED);
		sched_yield();
	}
	return NULL;
}

static void *replacer_fn(void *p)
{
	struct thr_arg *a = p;
	int fd;

	for (int i = 0; i < 20 && !stopped(a->ctx); i++) {
		usleep(2000);
		/*
		 * Odd rounds close the fd first: until the new table takes
		 * its number, the others get EBADF.  Even rounds replace
		 * the table under the number atomically with dup2().
		 */
		if (i & 1)
			close(a->ctx->fd);
		if (create(a->ctx->dev, a->ctx->format, a->ctx->options,
			   a->ctx->ia_bits, 0, &fd)) {
			__atomic_add_fetch(&a->ctx->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		if (fd == a->ctx->fd)
			continue;
		if (dup2(fd, a->ctx->fd) < 0)
			__atomic_add_fetch(&a->ctx->errors, 1, __ATOMIC_RELAXED);
		close(fd);
	}
	return NULL;
}

TEST_F_TIMEOUT(npt, threads, 300)
{
	struct thr_ctx ctx = {
		.dev = self->dev, .fd = self->fd, .format = variant->format,
		.options = variant->options, .ia_bits = variant->ia_bits,
	};
	struct thr_arg args[THR_WRITERS + THR_READERS + 1];
	pthread_t th[THR_WRITERS + THR_READERS + 1];
	uint64_t last_table[NPT_MAX_LEVELS] = { 0 };
	uint64_t tables[NPT_MAX_LEVELS] = { 0 };
	uint64_t leaves[NPT_MAX_LEVELS] = { 0 };
	struct npt_info in;
	int n = 0;

	for (int i = 0; i < THR_WRITERS; i++, n++) {
		args[n] = (struct thr_arg){ &ctx, i };
		ASSERT_EQ(0, pthread_create(&th[n], NULL, writer_fn, &args[n]));
	}
	for (int i = 0; i < THR_READERS; i++, n++) {
		args[n] = (struct thr_arg){ &ctx, i };
		ASSERT_EQ(0, pthread_create(&th[n], NULL, reader_fn, &args[n]));
	}
	args[n] = (struct thr_arg){ &ctx, 0 };
	ASSERT_EQ(0, pthread_create(&th[n], NULL, replacer_fn, &args[n]));
	n++;
	/* Writers first, then stop the readers and the replacer. */
	for (int i = 0; i < THR_WRITERS; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&ctx.stop, true, __ATOMIC_RELAXED);
	for (int i = THR_WRITERS; i < n; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(0, ctx.errors);

	/*
	 * Every GPA: unmapped, or exactly one writer's mapping.  The walk
	 * of each page also counts the table pages met below the root (a
	 * new table entry value at a level is a new table).
	 */
	for (uint64_t gpa = 0; gpa < 2 * THR_SPAN;) {
		struct npt_xlate x;
		int ret = translate(self->fd, gpa, &x);
		uint64_t sz = SZ_4K;
		struct npt_walk w;

		ASSERT_EQ(0, walk(self->fd, gpa, &w));
		for (unsigned int i = 0; i + 1 < w.levels; i++) {
			unsigned int below = w.root_lvl - i - 1;

			if (w.pte[i] != last_table[below]) {
				last_table[below] = w.pte[i];
				tables[below]++;
			}
		}

		if (!ret) {
			int w;

			for (w = 0; w < THR_WRITERS; w++)
				if (x.hpa == writer_hpa(w) + gpa)
					break;
			EXPECT_GT(THR_WRITERS, w)
				TH_LOG("gpa 0x%llx -> 0x%llx",
				       (unsigned long long)gpa,
				       (unsigned long long)x.hpa);
			if (w < THR_WRITERS) {
				EXPECT_EQ(writer_prot(w), x.prot);
				EXPECT_EQ(w == 0, gpa < THR_SPAN);
			}
			sz = lvl_size(x.lvl);
			EXPECT_EQ(0, gpa & (sz - 1));
			leaves[x.lvl]++;
		} else {
			EXPECT_EQ(ENOENT, ret);
		}
		gpa += sz;
	}
	ASSERT_EQ(0, info(self->fd, &in));
	tables[variant->levels - 1] = variant->root_pages;
	for (int l = 0; l < NPT_MAX_LEVELS; l++) {
		EXPECT_EQ(leaves[l], in.leaves[l]) {
			TH_LOG("leaves at level %d", l);
		}
		EXPECT_EQ(tables[l], in.tables[l]) {
			TH_LOG("tables at level %d", l);
		}
	}
	EXPECT_EQ(self->live0 + in.table_pages, live_pages());
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/* ---- simulated accesses, faults, regions, dirty logs, guest copies ---- */

#define SZ_64K		0x10000ULL
#define EPT_VIOLATION	48	/* SDM Appendix C, basic exit reasons */
#define ESR_DABT_LOW	0x92000000ULL	/* EC 0x24 << 26 | IL */
#define ESR_IABT_LOW	0x82000000ULL	/* EC 0x20 << 26 | IL */
#define ESR_WNR		0x40ULL
#define DFSC_TRANS	0x04	/* + Arm level */
#define DFSC_AF		0x08
#define DFSC_PERM	0x0c
#define SCAUSE_FETCH	20	/* instruction guest-page fault */
#define SCAUSE_LOAD	21	/* load guest-page fault */
#define SCAUSE_STORE	23	/* store/AMO guest-page fault */
#define EPT_A		0x100ULL	/* bit 8 */
#define EPT_D		0x200ULL	/* bit 9 */
#define S2_AF		0x400ULL	/* bit 10 */
#define SV_A		0x40ULL		/* bit 6 */
#define SV_D		0x80ULL		/* bit 7 */

static bool is_ept(uint32_t f)
{
	return f == NPT_FORMAT_EPT4 || f == NPT_FORMAT_EPT5;
}

static bool is_rv(uint32_t f)
{
	return f == NPT_FORMAT_SV39X4 || f == NPT_FORMAT_SV48X4;
}

/* The option under which the hardware sets A/D, or Arm's AF, itself. */
static uint32_t hw_ad_opt(uint32_t f)
{
	return is_ept(f) ? NPT_OPT_EPT_AD :
	       is_rv(f) ? NPT_OPT_RV_HWAD : NPT_OPT_S2_HA;
}

/*
 * The syndrome each format reports, written from the manuals (SDM 28.3.3.2
 * and Table 28-7; Arm ARM D19 ESR_EL2, HPFAR_EL2; RISC-V privileged spec
 * 8.6.3 and the htval definition), not from npt's encoders.
 * @perm_and: EPT only, the R/W/X AND over the walk (bits 3-5).
 */
struct want {
	uint32_t fault;
	uint32_t lvl;		/* npt level */
	uint32_t perm_and;
};

static void expect_syndrome(struct __test_metadata *_metadata,
			    uint32_t format, uint64_t gpa, uint32_t acc,
			    const struct want *w,
			    const struct npt_fault_info *r)
{
	uint64_t syn, addr, reason = 0;

	EXPECT_EQ(w->fault, r->fault);
	EXPECT_EQ(w->lvl, r->lvl);
	if (is_ept(format)) {
		syn = acc == NPT_ACC_READ ? 1 : acc == NPT_ACC_WRITE ? 2 : 4;
		syn |= (uint64_t)w->perm_and << 3;
		addr = gpa;
		reason = EPT_VIOLATION;
	} else if (format == NPT_FORMAT_ARM64_S2) {
		uint32_t arm_lvl = 3 - w->lvl;
		uint32_t fsc;

		switch (w->fault) {
		case NPT_FAULT_PERMISSION:
			fsc = DFSC_PERM + arm_lvl;
			break;
		case NPT_FAULT_ACCESS_FLAG:
			fsc = DFSC_AF + arm_lvl;
			break;
		case NPT_FAULT_INPUT_RANGE:
			/* Translation fault at level 0. */
			fsc = DFSC_TRANS;
			break;
		default:
			fsc = DFSC_TRANS + arm_lvl;
			break;
		}
		syn = (acc == NPT_ACC_EXEC ? ESR_IABT_LOW : ESR_DABT_LOW) |
		      (acc == NPT_ACC_WRITE ? ESR_WNR : 0) | fsc;
		/* HPFAR_EL2.FIPA, bits 43:4, holds IPA[51:12]. */
		addr = ((gpa >> 12) << 4) & ((1ULL << 44) - 1);
	} else {
		syn = acc == NPT_ACC_EXEC ? SCAUSE_FETCH :
		      acc == NPT_ACC_WRITE ? SCAUSE_STORE : SCAUSE_LOAD;
		addr = gpa >> 2;
	}
	EXPECT_EQ(syn, r->syndrome) {
		TH_LOG("gpa 0x%llx access %u fault %u: syndrome 0x%llx, want 0x%llx",
		       (unsigned long long)gpa, acc, r->fault,
		       (unsigned long long)r->syndrome,
		       (unsigned long long)syn);
	}
	EXPECT_EQ(addr, r->addr);
	EXPECT_EQ(reason, r->exit_reason);
	EXPECT_EQ(0, r->reason);
	EXPECT_EQ(0, r->updated);
	EXPECT_EQ(0, r->hpa);
}

/* Access @gpa, expect fault @w; then handle it and expect @action. */
static void fault_case(struct __test_metadata *_metadata, int fd,
		       uint32_t format, uint64_t gpa, uint32_t acc,
		       struct want w, uint32_t action)
{
	struct npt_handle_fault h;
	struct npt_fault_info r;

	ASSERT_EQ(0, access_gpa(fd, gpa, acc, &r));
	expect_syndrome(_metadata, format, gpa, acc, &w, &r);
	ASSERT_EQ(0, handle_fault(fd, gpa, acc, &h));
	EXPECT_EQ(action, h.action);
	expect_syndrome(_metadata, format, gpa, acc, &w, &h.fault);
}

TEST_F(npt, fault_not_present)
{
	uint32_t root = variant->levels - 1;
	uint32_t acc[] = { NPT_ACC_READ, NPT_ACC_WRITE, NPT_ACC_EXEC };
	uint64_t gpa = 0x40000000ULL + 0x123;	/* 1 GiB: under every root */

	/* Empty table: the walk stops at the root. */
	for (int i = 0; i < 3; i++)
		fault_case(_metadata, self->fd, variant->format, gpa, acc[i],
			   (struct want){ NPT_FAULT_NOT_PRESENT, root },
			   NPT_RESOLVED_NONE);
	/* A 4 KiB page at 1 GiB: every level down to 0 has tables. */
	ASSERT_EQ(0, map(self->fd, 0x40000000ULL, HPA_BASE, SZ_4K, RWX, 0));
	fault_case(_metadata, self->fd, variant->format, 0x40001000ULL,
		   NPT_ACC_READ, (struct want){ NPT_FAULT_NOT_PRESENT, 0 },
		   NPT_RESOLVED_NONE);
	fault_case(_metadata, self->fd, variant->format, 0x40200000ULL,
		   NPT_ACC_WRITE, (struct want){ NPT_FAULT_NOT_PRESENT, 1 },
		   NPT_RESOLVED_NONE);
	if (root > 2)
		fault_case(_metadata, self->fd, variant->format,
			   0x80000000ULL, NPT_ACC_EXEC,
			   (struct want){ NPT_FAULT_NOT_PRESENT, 2 },
			   NPT_RESOLVED_NONE);
	if (is_rv(variant->format)) {
		struct npt_fault_info r;

		/* HLVX is a load needing X: reported as a load. */
		ASSERT_EQ(0, access_gpa(self->fd, gpa + SZ_4K, NPT_ACC_HLVX,
					&r));
		EXPECT_EQ(NPT_FAULT_NOT_PRESENT, r.fault);
		EXPECT_EQ(SCAUSE_LOAD, r.syndrome);
	}
}

TEST_F(npt, fault_permission)
{
	uint32_t lvls[] = { 0, 1, 2 };

	for (int i = 0; i < 3; i++) {
		uint64_t sz = lvl_size(lvls[i]);
		uint64_t gpa = 4 * SZ_1G + lvls[i] * SZ_1G;

		ASSERT_EQ(0, map(self->fd, gpa, HPA_BASE + 4 * SZ_1G, sz,
				 NPT_PROT_R, 0));
		/* Write to a read-only leaf; EPT ANDs R/W/X: R only. */
		fault_case(_metadata, self->fd, variant->format, gpa + 8,
			   NPT_ACC_WRITE,
			   (struct want){ NPT_FAULT_PERMISSION, lvls[i], 1 },
			   NPT_RESOLVED_NONE);
		fault_case(_metadata, self->fd, variant->format, gpa + sz - 1,
			   NPT_ACC_EXEC,
			   (struct want){ NPT_FAULT_PERMISSION, lvls[i], 1 },
			   NPT_RESOLVED_NONE);
	}
	/* Read-write page: a fetch sees R and W in the AND. */
	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_4K, RW, 0));
	fault_case(_metadata, self->fd, variant->format, 0x10, NPT_ACC_EXEC,
		   (struct want){ NPT_FAULT_PERMISSION, 0, 3 },
		   NPT_RESOLVED_NONE);
}

TEST_F(npt, fault_input_range)
{
	uint64_t gpa = 1ULL << variant->gpa_bits;

	fault_case(_metadata, self->fd, variant->format, gpa, NPT_ACC_READ,
		   (struct want){ NPT_FAULT_INPUT_RANGE, variant->levels - 1 },
		   NPT_RESOLVED_NONE);
	fault_case(_metadata, self->fd, variant->format, ~0ULL & ~0xfffULL,
		   NPT_ACC_WRITE,
		   (struct want){ NPT_FAULT_INPUT_RANGE, variant->levels - 1 },
		   NPT_RESOLVED_NONE);
}

/*
 * NPT_AGE: which pages have their leaf's accessed flag, one bit each, and
 * the flags cleared with the dirty flag kept; a read makes a page young
 * again, through an access-flag fault where no hardware sets the flag.
 * A 1 GiB block, aged in 128 MiB chunks, is young in all its pages once
 * and then old.  EPT without A/D has no flag (EOPNOTSUPP, the bitmap
 * untouched): the test goes on with A/D.
 */
TEST_F(npt, age)
{
	uint32_t f = variant->format;
	uint64_t a = is_ept(f) ? EPT_A : is_rv(f) ? SV_A : S2_AF;
	uint64_t d = is_ept(f) ? EPT_D : is_rv(f) ? SV_D : 0;
	uint64_t bm[2 * SZ_2M / SZ_4K / 64], *gbm;
	struct npt_age_range out;
	struct npt_handle_fault h;
	struct npt_fault_info r;
	struct npt_walk w;
	int fd = self->fd;

	if (is_ept(f)) {
		ASSERT_EQ(0, map(fd, 0, HPA_BASE, SZ_4K, RW, 0));
		memset(bm, 0xff, sizeof(bm));
		EXPECT_EQ(EOPNOTSUPP, age(fd, 0, SZ_4K, bm, true, &out));
		EXPECT_EQ(~0ULL, bm[0]);
		ASSERT_EQ(0, create(self->dev, f,
				    variant->options | NPT_OPT_EPT_AD,
				    variant->ia_bits, 0, &fd));
	}
	ASSERT_EQ(0, map(fd, 0, HPA_BASE, 8 * SZ_4K, RW, NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, map(fd, 8 * SZ_4K, HPA_BASE, 8 * SZ_4K, RW,
			 NPT_OP_NO_BLOCKS | NPT_OP_OLD));
	ASSERT_EQ(0, map(fd, SZ_2M, HPA_BASE, SZ_2M, RW, 0));

	memset(bm, 0xff, sizeof(bm));
	EXPECT_EQ(EINVAL, age(fd, 0, 0, bm, true, &out));
	EXPECT_EQ(ERANGE, age(fd, (1ULL << variant->gpa_bits) - SZ_4K,
			      2 * SZ_4K, bm, true, &out));
	EXPECT_EQ(~0ULL, bm[0]);

	/* 8 young pages, 8 old ones, holes, then a young 2 MiB block. */
	ASSERT_EQ(0, age(fd, 0, 2 * SZ_2M, bm, false, &out));
	EXPECT_EQ(8 + 512, out.young);
	EXPECT_EQ(2 * SZ_2M, out.done);
	EXPECT_EQ(0xffULL, bm[0]);
	for (int i = 1; i < 16; i++)
		EXPECT_EQ(i < 8 ? 0 : ~0ULL, bm[i]);

	ASSERT_EQ(0, age(fd, 0, 2 * SZ_2M, bm, true, &out));
	EXPECT_EQ(8 + 512, out.young);
	ASSERT_EQ(0, walk(fd, 0, &w));
	EXPECT_EQ(0, w.pte[w.levels - 1] & a);
	EXPECT_EQ(d, w.pte[w.levels - 1] & d);
	ASSERT_EQ(0, age(fd, 0, 2 * SZ_2M, NULL, true, &out));
	EXPECT_EQ(0, out.young);

	ASSERT_EQ(0, access_gpa(fd, 3 * SZ_4K, NPT_ACC_READ, &r));
	if (is_ept(f)) {
		EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	} else {
		EXPECT_EQ(NPT_FAULT_ACCESS_FLAG, r.fault);
		ASSERT_EQ(0, handle_fault(fd, 3 * SZ_4K, NPT_ACC_READ, &h));
		EXPECT_EQ(NPT_RESOLVED_FLAGS, h.action);
	}
	ASSERT_EQ(0, age(fd, 0, SZ_2M, bm, true, &out));
	EXPECT_EQ(1, out.young);
	EXPECT_EQ(1ULL << 3, bm[0]);

	gbm = calloc(SZ_1G / SZ_4K / 64, sizeof(*gbm));
	ASSERT_NE(NULL, gbm);
	ASSERT_EQ(0, map(fd, SZ_1G, HPA_BASE, SZ_1G, RW, 0));
	ASSERT_EQ(0, age(fd, SZ_1G, SZ_1G, gbm, true, &out));
	EXPECT_EQ(SZ_1G / SZ_4K, out.young);
	EXPECT_EQ(SZ_1G, out.done);
	EXPECT_EQ(~0ULL, gbm[0] & gbm[SZ_1G / SZ_4K / 64 - 1]);
	ASSERT_EQ(0, age(fd, SZ_1G, SZ_1G, gbm, true, &out));
	EXPECT_EQ(0, out.young);
	EXPECT_EQ(0, gbm[0] | gbm[SZ_1G / SZ_4K / 64 - 1]);
	free(gbm);

	/*
	 * A bitmap whose first 4 KiB (128 MiB of pages) can be written and
	 * the rest not: EFAULT before any flag is cleared.
	 */
	ASSERT_EQ(0, unmap(fd, SZ_1G, SZ_1G));
	ASSERT_EQ(0, map(fd, SZ_1G, HPA_BASE, 2 * SZ_128M, RW,
			 NPT_OP_NO_BLOCKS));
	gbm = mmap(NULL, 2 * SZ_4K, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gbm);
	ASSERT_EQ(0, munmap((uint8_t *)gbm + SZ_4K, SZ_4K));
	EXPECT_EQ(EFAULT, age(fd, SZ_1G, 2 * SZ_128M, gbm, true, &out));
	ASSERT_EQ(0, age(fd, SZ_1G, 2 * SZ_128M, NULL, false, &out));
	EXPECT_EQ(2 * SZ_128M / SZ_4K, out.young);
	munmap(gbm, SZ_4K);
	if (fd != self->fd)
		close(fd);
}

/* Access-flag / A-D faults where the format has them (Arm, RISC-V). */
TEST_F(npt, fault_access_flag)
{
	struct npt_handle_fault h;
	struct npt_fault_info r;
	struct npt_walk w;

	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_4K, RW, NPT_OP_OLD));
	ASSERT_EQ(0, map(self->fd, SZ_2M, HPA_BASE, SZ_4K, NPT_PROT_R,
			 NPT_OP_OLD));
	ASSERT_EQ(0, access_gpa(self->fd, 0, NPT_ACC_READ, &r));
	if (is_ept(variant->format)) {
		/* Without A/D, EPT has no flags to fault on. */
		EXPECT_EQ(NPT_FAULT_NONE, r.fault);
		EXPECT_EQ(0, r.updated);
		return;
	}
	fault_case(_metadata, self->fd, variant->format, 0x10, NPT_ACC_READ,
		   (struct want){ NPT_FAULT_ACCESS_FLAG, 0 },
		   NPT_RESOLVED_FLAGS);
	ASSERT_EQ(0, walk(self->fd, 0, &w));
	EXPECT_TRUE(w.pte[w.levels - 1] &
		    (is_rv(variant->format) ? SV_A : S2_AF));
	ASSERT_EQ(0, access_gpa(self->fd, 0x10, NPT_ACC_READ, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);

	if (variant->format == NPT_FORMAT_ARM64_S2) {
		/* The access flag fault comes before the permission fault. */
		fault_case(_metadata, self->fd, variant->format, SZ_2M,
			   NPT_ACC_WRITE,
			   (struct want){ NPT_FAULT_ACCESS_FLAG, 0 },
			   NPT_RESOLVED_FLAGS);
		fault_case(_metadata, self->fd, variant->format, SZ_2M,
			   NPT_ACC_WRITE,
			   (struct want){ NPT_FAULT_PERMISSION, 0 },
			   NPT_RESOLVED_NONE);
		return;
	}
	/* RISC-V (Svade): A set, D clear: a store takes a fault. */
	fault_case(_metadata, self->fd, variant->format, 0x20, NPT_ACC_WRITE,
		   (struct want){ NPT_FAULT_DIRTY, 0 }, NPT_RESOLVED_FLAGS);
	ASSERT_EQ(0, walk(self->fd, 0, &w));
	EXPECT_EQ(SV_A | SV_D, w.pte[w.levels - 1] & (SV_A | SV_D));
	/* A store to a read-only old leaf: the permission check first. */
	fault_case(_metadata, self->fd, variant->format, SZ_2M,
		   NPT_ACC_WRITE, (struct want){ NPT_FAULT_PERMISSION, 0 },
		   NPT_RESOLVED_NONE);
	ASSERT_EQ(0, handle_fault(self->fd, SZ_2M + SZ_4K, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	EXPECT_EQ(NPT_FAULT_NOT_PRESENT, h.fault.fault);
}

/* Hardware A/D or AF updates: no fault, the flags get set. */
TEST_F(npt, access_hw_flags)
{
	uint32_t opt = hw_ad_opt(variant->format);
	uint64_t acc_bit = is_ept(variant->format) ? EPT_A :
			   is_rv(variant->format) ? SV_A : S2_AF;
	uint64_t dirty_bit = is_ept(variant->format) ? EPT_D :
			     is_rv(variant->format) ? SV_D : 0;
	struct npt_fault_info r;
	struct npt_walk w;
	int fd;

	ASSERT_EQ(0, create(self->dev, variant->format,
			    variant->options | opt, variant->ia_bits, 0, &fd));
	ASSERT_EQ(0, map(fd, 0, HPA_BASE, SZ_4K, RW, NPT_OP_OLD));
	ASSERT_EQ(0, walk(fd, 0, &w));
	EXPECT_EQ(0, w.pte[w.levels - 1] & (acc_bit | dirty_bit));

	ASSERT_EQ(0, access_gpa(fd, 0x123, NPT_ACC_READ, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	EXPECT_EQ(NPT_UPD_ACCESSED, r.updated);
	EXPECT_EQ(HPA_BASE + 0x123, r.hpa);
	ASSERT_EQ(0, walk(fd, 0, &w));
	EXPECT_EQ(acc_bit, w.pte[w.levels - 1] & (acc_bit | dirty_bit));
	/* EPT sets A in every entry walked. */
	if (is_ept(variant->format))
		for (unsigned int i = 0; i < w.levels; i++)
			EXPECT_TRUE(w.pte[i] & EPT_A);

	ASSERT_EQ(0, access_gpa(fd, 0x123, NPT_ACC_WRITE, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	EXPECT_EQ(dirty_bit ? NPT_UPD_DIRTY : 0, r.updated);
	ASSERT_EQ(0, walk(fd, 0, &w));
	EXPECT_EQ(acc_bit | dirty_bit,
		  w.pte[w.levels - 1] & (acc_bit | dirty_bit));
	/* A second access changes nothing. */
	ASSERT_EQ(0, access_gpa(fd, 0x123, NPT_ACC_WRITE, &r));
	EXPECT_EQ(0, r.updated);
	close(fd);
}

TEST_F(npt, access_translates)
{
	struct npt_fault_info r;
	struct npt_xlate x;

	ASSERT_EQ(0, map(self->fd, SZ_2M, HPA_BASE, SZ_2M, RWX, 0));
	ASSERT_EQ(0, access_gpa(self->fd, SZ_2M + 0x1234, NPT_ACC_EXEC, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	EXPECT_EQ(1, r.lvl);
	ASSERT_EQ(0, translate(self->fd, SZ_2M + 0x1234, &x));
	EXPECT_EQ(x.hpa, r.hpa);
	EXPECT_EQ(0, r.syndrome | r.addr | r.exit_reason | r.reason);
	/* Access kinds the format lacks. */
	EXPECT_EQ(EINVAL, access_gpa(self->fd, 0, NPT_ACC_UEXEC, &r));
	if (!is_rv(variant->format))
		EXPECT_EQ(EINVAL, access_gpa(self->fd, 0, NPT_ACC_HLVX, &r));
	EXPECT_EQ(EINVAL, access_gpa(self->fd, 0, 0, &r));
	EXPECT_EQ(EINVAL, access_gpa(self->fd, 0, NPT_ACC_MAX + 1, &r));
}

/*
 * A fault that is no longer there changes nothing, bit for bit.  Where the
 * TLBs may keep the leaf that faulted (Arm, RISC-V), the plan names it.
 */
TEST_F(npt, fault_spurious)
{
	uint32_t acc[] = { NPT_ACC_READ, NPT_ACC_WRITE, NPT_ACC_EXEC };
	struct npt_handle_fault h;
	struct npt_walk before, after;
	struct npt_info i0, i1;

	ASSERT_EQ(0, set_region(self->fd, 0, 4 * SZ_2M, RWX,
				NPT_BACKING_LAZY, 0));
	ASSERT_EQ(0, map(self->fd, SZ_2M, HPA_BASE, SZ_2M, RWX, 0));
	ASSERT_EQ(0, map(self->fd, 0x1000, HPA_BASE, SZ_4K, RWX, 0));
	for (int i = 0; i < 3; i++) {
		for (uint64_t gpa = 0x1000; gpa <= SZ_2M; gpa += SZ_2M - SZ_4K) {
			ASSERT_EQ(0, walk(self->fd, gpa, &before));
			ASSERT_EQ(0, info(self->fd, &i0));
			ASSERT_EQ(0, handle_fault(self->fd, gpa + 8, acc[i],
						  &h));
			EXPECT_EQ(NPT_RESOLVED_SPURIOUS, h.action);
			EXPECT_EQ(NPT_FAULT_NONE, h.fault.fault);
			EXPECT_EQ(HPA_BASE, h.hpa);
			if (is_ept(variant->format)) {
				EXPECT_EQ(0, h.plan.nr);
			} else {
				uint64_t size = gpa == SZ_2M ? SZ_2M : SZ_4K;

				ASSERT_EQ(1, h.plan.nr);
				EXPECT_EQ(gpa, h.plan.range[0].gpa);
				EXPECT_EQ(size, h.plan.range[0].length);
				EXPECT_EQ(gpa == SZ_2M, h.plan.range[0].lvl);
			}
			ASSERT_EQ(0, walk(self->fd, gpa, &after));
			EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
			ASSERT_EQ(0, info(self->fd, &i1));
			EXPECT_EQ(0, memcmp(&i0, &i1, sizeof(i0)));
		}
	}
}

TEST_F(npt, lazy_region_roundtrip)
{
	uint64_t base = 3 * SZ_1G, len = 16 * SZ_4K;
	uint8_t *buf = malloc(len), *back = malloc(len);
	struct npt_handle_fault h;
	struct npt_fault_info r;
	struct npt_info in;
	struct npt_xlate x;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, set_region(self->fd, base, len, RW, NPT_BACKING_LAZY, 0));
	ASSERT_EQ(EEXIST, set_region(self->fd, base + len - SZ_4K, SZ_4K, RW,
				     NPT_BACKING_LAZY, 0));
	/* Nothing is mapped until a fault. */
	EXPECT_EQ(ENOENT, guest_rw(self->fd, false, base, back, 1));
	for (uint64_t off = 0; off < len; off += SZ_4K) {
		uint32_t acc = (off / SZ_4K) % 2 ? NPT_ACC_WRITE : NPT_ACC_READ;

		ASSERT_EQ(0, handle_fault(self->fd, base + off + 5, acc, &h));
		EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
		EXPECT_EQ(NPT_FAULT_NOT_PRESENT, h.fault.fault);
		EXPECT_EQ(0, h.lvl);
		EXPECT_NE(0, h.hpa);	/* the tests run as root */
		ASSERT_EQ(0, access_gpa(self->fd, base + off, acc, &r));
		EXPECT_EQ(NPT_FAULT_NONE, r.fault);
		EXPECT_EQ(h.hpa, r.hpa);
		ASSERT_EQ(0, translate(self->fd, base + off, &x));
		EXPECT_EQ(RW, x.prot);
	}
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(16, in.data_pages);
	/* Fresh pages read as zero. */
	memset(back, 0xaa, len);
	ASSERT_EQ(0, guest_rw(self->fd, false, base, back, len));
	for (uint64_t i = 0; i < len; i++)
		ASSERT_EQ(0, back[i]);
	for (uint64_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 12));
	/* An unaligned write across pages, then everything back. */
	ASSERT_EQ(0, guest_rw(self->fd, true, base + 3, buf + 3, len - 10));
	ASSERT_EQ(0, guest_rw(self->fd, true, base, buf, 3));
	ASSERT_EQ(0, guest_rw(self->fd, true, base + len - 7, buf + len - 7,
			      7));
	ASSERT_EQ(0, guest_rw(self->fd, false, base, back, len));
	EXPECT_EQ(0, memcmp(buf, back, len));
	/* Beyond the region: not mapped; the whole copy fails. */
	memset(back, 0, len);
	EXPECT_EQ(ENOENT, guest_rw(self->fd, false, base + SZ_4K, back, len));
	EXPECT_EQ(0, back[0]);
	EXPECT_EQ(ENOENT, guest_rw(self->fd, true, base + SZ_4K, back, len));
	ASSERT_EQ(0, guest_rw(self->fd, false, base + SZ_4K, back, SZ_4K));
	EXPECT_EQ(0, memcmp(buf + SZ_4K, back, SZ_4K));

	/* Outside any region, faults stay. */
	ASSERT_EQ(0, handle_fault(self->fd, base + len, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	/* Unmap frees the pages; removal of the region unmaps nothing. */
	ASSERT_EQ(0, unmap(self->fd, base, 4 * SZ_4K));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(12, in.data_pages);
	ASSERT_EQ(EINVAL, set_region(self->fd, base, 0, RW, 0, 0));
	ASSERT_EQ(ENOENT, set_region(self->fd, base + SZ_4K, 0, 0, 0, 0));
	ASSERT_EQ(0, set_region(self->fd, base, 0, 0, 0, 0));
	ASSERT_EQ(0, guest_rw(self->fd, false, base + 4 * SZ_4K, back,
			      SZ_4K));
	ASSERT_EQ(0, handle_fault(self->fd, base, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
	free(buf);
	free(back);
}

/* Past max_prot, and in a NONE region: the fault stands. */
TEST_F(npt, region_limits)
{
	struct npt_handle_fault h;
	struct npt_info in;

	ASSERT_EQ(0, set_region(self->fd, 0, SZ_2M, NPT_PROT_R,
				NPT_BACKING_LAZY, 0));
	ASSERT_EQ(0, set_region(self->fd, SZ_2M, SZ_2M, RW,
				NPT_BACKING_NONE, 0));
	ASSERT_EQ(0, handle_fault(self->fd, 0, NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	ASSERT_EQ(0, handle_fault(self->fd, SZ_2M, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	ASSERT_EQ(0, handle_fault(self->fd, 0, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
	ASSERT_EQ(0, handle_fault(self->fd, 0, NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_NONE, h.action);
	EXPECT_EQ(NPT_FAULT_PERMISSION, h.fault.fault);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(1, in.data_pages);

	/* Field checks. */
	EXPECT_EQ(EINVAL, set_region(self->fd, 8 * SZ_2M + 1, SZ_4K, RW,
				     NPT_BACKING_LAZY, 0));
	/* A removal names the region by an aligned gpa. */
	EXPECT_EQ(EINVAL, set_region(self->fd, SZ_2M + SZ_4K / 2, 0, 0, 0, 0));
	EXPECT_EQ(ENOENT, set_region(self->fd, SZ_2M + SZ_4K, 0, 0, 0, 0));
	EXPECT_EQ(EINVAL, set_region(self->fd, 8 * SZ_2M, SZ_4K, 0,
				     NPT_BACKING_LAZY, 0));
	EXPECT_EQ(EINVAL, set_region(self->fd, 8 * SZ_2M, SZ_4K, RW, 2, 0));
	EXPECT_EQ(EINVAL, set_region(self->fd, 8 * SZ_2M, SZ_4K, RW,
				     NPT_BACKING_LAZY,
				     NPT_REGION_LAZY_BLOCKS << 1));
	EXPECT_EQ(ERANGE, set_region(self->fd, (1ULL << variant->gpa_bits) -
				     SZ_4K, 2 * SZ_4K, RW, NPT_BACKING_LAZY,
				     0));
	EXPECT_EQ(EOVERFLOW, set_region(self->fd, ~0ULL & ~0xfffULL,
					2 * SZ_4K, RW, NPT_BACKING_LAZY, 0));
	if (variant->wo_invalid)
		EXPECT_EQ(EINVAL, set_region(self->fd, 8 * SZ_2M, SZ_4K,
					     NPT_PROT_W, NPT_BACKING_LAZY, 0));
	/* At most 16 regions. */
	for (int i = 2; i < 16; i++)
		ASSERT_EQ(0, set_region(self->fd, SZ_1G + i * SZ_4K, SZ_4K,
					RW, NPT_BACKING_LAZY, 0));
	EXPECT_EQ(ENOSPC, set_region(self->fd, SZ_1G, SZ_4K, RW,
				     NPT_BACKING_LAZY, 0));
}

/* The page limit counts lazy pages with table pages. */
TEST_F(npt, lazy_limit)
{
	struct npt_handle_fault h;
	struct npt_info in;
	uint64_t n = 0;
	int fd, ret;

	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, variant->root_pages + 8, &fd));
	ASSERT_EQ(0, set_region(fd, 0, SZ_2M, RW, NPT_BACKING_LAZY, 0));
	for (;;) {
		ret = handle_fault(fd, n * SZ_4K, NPT_ACC_READ, &h);
		if (ret)
			break;
		ASSERT_EQ(NPT_RESOLVED_MAPPED, h.action);
		n++;
	}
	EXPECT_EQ(ENOSPC, ret);
	ASSERT_EQ(0, info(fd, &in));
	EXPECT_EQ(n, in.data_pages);
	EXPECT_EQ(in.max_pages, in.table_pages + in.data_pages);
	close(fd);
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

TEST_F(npt, guest_rw_user_pages)
{
	uint8_t b[16] = { 0 };
	struct npt_handle_fault h;

	/* Pages the caller mapped are never touched. */
	ASSERT_EQ(0, map(self->fd, 0, HPA_BASE, SZ_2M, RW, 0));
	EXPECT_EQ(EPERM, guest_rw(self->fd, false, 0x100, b, sizeof(b)));
	EXPECT_EQ(EPERM, guest_rw(self->fd, true, 0x100, b, sizeof(b)));
	/* Also inside a lazy region: the mapping is not the table's. */
	ASSERT_EQ(0, set_region(self->fd, 0, 2 * SZ_2M, RW,
				NPT_BACKING_LAZY, 0));
	EXPECT_EQ(EPERM, guest_rw(self->fd, false, 0x100, b, sizeof(b)));
	/* A copy across an owned and a user page fails as a whole. */
	ASSERT_EQ(0, handle_fault(self->fd, SZ_2M, NPT_ACC_WRITE, &h));
	ASSERT_EQ(NPT_RESOLVED_MAPPED, h.action);
	memset(b, 0x5a, sizeof(b));
	EXPECT_EQ(EPERM, guest_rw(self->fd, true, SZ_2M - 8, b, sizeof(b)));
	memset(b, 0, sizeof(b));
	ASSERT_EQ(0, guest_rw(self->fd, false, SZ_2M, b, 8));
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(0, b[i]);
	/* Length limits. */
	EXPECT_EQ(EINVAL, guest_rw(self->fd, false, SZ_2M, b, 0));
	EXPECT_EQ(EINVAL, guest_rw(self->fd, false, SZ_2M, b,
				   NPT_GUEST_RW_MAX + 1));
	EXPECT_EQ(EOVERFLOW, guest_rw(self->fd, false, ~0ULL - 2, b, 8));
	EXPECT_EQ(ERANGE, guest_rw(self->fd, false,
				   (1ULL << variant->gpa_bits) - 4, b, 8));
	EXPECT_EQ(EFAULT, guest_rw(self->fd, false, SZ_2M, NULL, 8));
}

/* A 2-page copy needs 1 MiB bounds checked page by page. */
TEST_F(npt, guest_rw_max)
{
	uint64_t len = NPT_GUEST_RW_MAX;
	uint8_t *buf = malloc(len), *back = malloc(len);
	struct npt_handle_fault h;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, set_region(self->fd, SZ_1G, len, RW, NPT_BACKING_LAZY,
				0));
	for (uint64_t off = 0; off < len; off += SZ_4K)
		ASSERT_EQ(0, handle_fault(self->fd, SZ_1G + off,
					  NPT_ACC_WRITE, &h));
	for (uint64_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i ^ (i >> 9));
	ASSERT_EQ(0, guest_rw(self->fd, true, SZ_1G, buf, len));
	ASSERT_EQ(0, guest_rw(self->fd, false, SZ_1G, back, len));
	EXPECT_EQ(0, memcmp(buf, back, len));
	free(buf);
	free(back);
}

static bool bit(const uint64_t *bm, uint64_t n)
{
	return bm[n / 64] >> (n % 64) & 1;
}

TEST_F(npt, dirty_log_basic)
{
	uint64_t base = SZ_1G, pages = 100, bm[2];
	struct npt_handle_fault h;
	struct npt_dirty_log d;
	struct npt_xlate x;
	uint8_t v = 1;

	/* A NONE region mapped by the caller: blocks get write-protected. */
	ASSERT_EQ(0, map(self->fd, base, HPA_BASE, SZ_2M, RW, 0));
	ASSERT_EQ(0, set_region(self->fd, base, pages * SZ_4K, RW,
				NPT_BACKING_NONE, NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, translate(self->fd, base, &x));
	EXPECT_EQ(NPT_PROT_R, x.prot);
	EXPECT_EQ(0, x.lvl);
	ASSERT_EQ(0, translate(self->fd, base + pages * SZ_4K, &x));
	EXPECT_EQ(RW, x.prot);

	memset(bm, 0xff, sizeof(bm));
	ASSERT_EQ(0, dirty_log(self->fd, base, pages * SZ_4K, bm, true, &d));
	EXPECT_EQ(0, bm[0]);
	EXPECT_EQ(0, bm[1]);
	EXPECT_EQ(0, d.dirty);
	EXPECT_EQ(pages * SZ_4K, d.done);

	/* A write to a write-protected page: W back, logged. */
	fault_case(_metadata, self->fd, variant->format, base + 5 * SZ_4K,
		   NPT_ACC_WRITE,
		   (struct want){ NPT_FAULT_PERMISSION, 0, 1 },
		   NPT_RESOLVED_DIRTY);
	ASSERT_EQ(0, handle_fault(self->fd, base + 99 * SZ_4K, NPT_ACC_WRITE,
				  &h));
	EXPECT_EQ(NPT_RESOLVED_DIRTY, h.action);
	ASSERT_EQ(0, translate(self->fd, base + 5 * SZ_4K, &x));
	EXPECT_EQ(RW, x.prot);
	/* A read changes nothing. */
	ASSERT_EQ(0, handle_fault(self->fd, base + 6 * SZ_4K, NPT_ACC_READ,
				  &h));
	EXPECT_EQ(NPT_RESOLVED_SPURIOUS, h.action);
	/* Guest copies are for owned pages only. */
	EXPECT_EQ(EPERM, guest_rw(self->fd, true, base, &v, 1));

	ASSERT_EQ(0, dirty_log(self->fd, base, pages * SZ_4K, bm, false, &d));
	EXPECT_EQ(2, d.dirty);
	EXPECT_EQ((1ULL << 5), bm[0]);
	EXPECT_EQ((1ULL << 35), bm[1]);	/* page 99; bits past 100 are 0 */
	/* A sub-range, its bit 0 at its own start. */
	ASSERT_EQ(0, dirty_log(self->fd, base + 4 * SZ_4K, 2 * SZ_4K, bm,
			       false, &d));
	EXPECT_EQ(2, bm[0]);
	ASSERT_EQ(0, dirty_log(self->fd, base, pages * SZ_4K, bm, true, &d));
	EXPECT_EQ(2, d.dirty);
	EXPECT_TRUE(plan_covers(&d.plan, base + 5 * SZ_4K, SZ_4K));
	ASSERT_EQ(0, translate(self->fd, base + 5 * SZ_4K, &x));
	EXPECT_EQ(NPT_PROT_R, x.prot);
	ASSERT_EQ(0, dirty_log(self->fd, base, pages * SZ_4K, bm, true, &d));
	EXPECT_EQ(0, d.dirty);
	EXPECT_EQ(0, bm[0] | bm[1]);

	/* Range errors. */
	EXPECT_EQ(ENOENT, dirty_log(self->fd, base, (pages + 1) * SZ_4K, bm,
				    true, NULL));
	EXPECT_EQ(ENOENT, dirty_log(self->fd, 0, SZ_4K, bm, false, NULL));
	EXPECT_EQ(EINVAL, dirty_log(self->fd, base + 1, SZ_4K, bm, false,
				    NULL));
	EXPECT_EQ(EINVAL, dirty_log(self->fd, base, 0, bm, false, NULL));
	EXPECT_EQ(EINVAL, dirty_log(self->fd, base, NPT_DIRTY_LOG_MAX + SZ_4K,
				    bm, false, NULL));
	EXPECT_EQ(EOVERFLOW, dirty_log(self->fd, ~0ULL & ~0xfffULL,
				       2 * SZ_4K, bm, false, NULL));
	EXPECT_EQ(EFAULT, dirty_log(self->fd, base, SZ_4K, NULL, false,
				    NULL));
}

/*
 * Where the hardware sets a dirty flag (EPT with A/D, RISC-V with Svadu),
 * a dirty log keeps write permission: starting the log clears the flags,
 * a write sets its leaf's flag without a fault, and a harvest reads the
 * flags into the log and, with CLEAR, clears and flushes them.
 */
/*
 * The largest logged region, 1 TiB, needs a 32 MiB bitmap: more than the
 * slab allocator gives.  A write in its last page is logged; one page
 * more is ENOSPC where the space has it.
 */
TEST_F(npt, dirty_log_largest)
{
	uint64_t len = 1ULL << 40, last = len - SZ_4K, bm = ~0ULL;
	struct npt_handle_fault h;
	struct npt_dirty_log d;

	if (variant->gpa_bits < 40)
		SKIP(return, "%u-bit guest-physical space", variant->gpa_bits);
	if (variant->gpa_bits > 40)
		EXPECT_EQ(ENOSPC, set_region(self->fd, 0, len + SZ_4K, RW,
					     NPT_BACKING_LAZY,
					     NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, set_region(self->fd, 0, len, RW, NPT_BACKING_LAZY,
				NPT_REGION_DIRTY_LOG));
	/* A table's logs cover 1 TiB together: one page more is too much. */
	if (variant->gpa_bits > 40)
		EXPECT_EQ(ENOSPC, set_region(self->fd, len, SZ_4K, RW,
					     NPT_BACKING_LAZY,
					     NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, handle_fault(self->fd, last, NPT_ACC_WRITE, &h));
	ASSERT_EQ(0, handle_fault(self->fd, last, NPT_ACC_WRITE, &h));
	ASSERT_EQ(0, dirty_log(self->fd, last - 63 * SZ_4K, 64 * SZ_4K, &bm,
			       true, &d));
	EXPECT_EQ(1ULL << 63, bm);
	EXPECT_EQ(1, d.dirty);
	ASSERT_EQ(0, set_region(self->fd, 0, 0, 0, 0, 0));
}

TEST_F(npt, dirty_log_hw)
{
	uint32_t opt = hw_ad_opt(variant->format);
	uint64_t dirty_bit = is_ept(variant->format) ? EPT_D : SV_D;
	uint64_t base = SZ_1G, blk = SZ_1G + SZ_2M, bm[8];
	struct npt_fault_info r;
	struct npt_dirty_log d;
	struct npt_xlate x;
	int fd;

	if (!is_ept(variant->format) && !is_rv(variant->format))
		SKIP(return, "Arm stage 2 logs by write protection only");
	ASSERT_EQ(0, create(self->dev, variant->format,
			    variant->options | opt, variant->ia_bits, 0, &fd));
	ASSERT_EQ(0, map(fd, base, HPA_BASE, 64 * SZ_4K, RW,
			 NPT_OP_NO_BLOCKS));
	ASSERT_EQ(0, map(fd, blk, HPA_BASE + SZ_2M, SZ_2M, RW, 0));
	ASSERT_EQ(0, translate(fd, base, &x));
	EXPECT_EQ(dirty_bit, x.pte & dirty_bit);
	ASSERT_EQ(0, set_region(fd, base, 2 * SZ_2M, RW, NPT_BACKING_NONE,
				NPT_REGION_DIRTY_LOG));
	/* Writable still, flags clear, the block whole. */
	ASSERT_EQ(0, translate(fd, base, &x));
	EXPECT_EQ(RW, x.prot);
	EXPECT_EQ(0, x.pte & dirty_bit);
	ASSERT_EQ(0, translate(fd, blk, &x));
	EXPECT_EQ(1, x.lvl);
	EXPECT_EQ(RW, x.prot);
	EXPECT_EQ(0, x.pte & dirty_bit);
	memset(bm, 0xff, sizeof(bm));
	ASSERT_EQ(0, dirty_log(fd, base, 64 * SZ_4K, bm, false, &d));
	EXPECT_EQ(0, d.dirty);
	EXPECT_EQ(0, bm[0]);

	/* Writes set the flag, no fault; a read does not. */
	ASSERT_EQ(0, access_gpa(fd, base + 5 * SZ_4K + 8, NPT_ACC_WRITE, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	EXPECT_TRUE(r.updated & NPT_UPD_DIRTY);
	ASSERT_EQ(0, access_gpa(fd, base + 9 * SZ_4K, NPT_ACC_READ, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);
	ASSERT_EQ(0, access_gpa(fd, blk + 70 * SZ_4K, NPT_ACC_WRITE, &r));
	EXPECT_EQ(NPT_FAULT_NONE, r.fault);

	/* Read without clearing: logged, the flag stays. */
	ASSERT_EQ(0, dirty_log(fd, base, 64 * SZ_4K, bm, false, &d));
	EXPECT_EQ(1, d.dirty);
	EXPECT_EQ(1ULL << 5, bm[0]);
	EXPECT_EQ(0, d.plan.nr);
	ASSERT_EQ(0, translate(fd, base + 5 * SZ_4K, &x));
	EXPECT_EQ(dirty_bit, x.pte & dirty_bit);

	/* Harvest: logged, the flag cleared and flushed, writable still. */
	ASSERT_EQ(0, dirty_log(fd, base, 64 * SZ_4K, bm, true, &d));
	EXPECT_EQ(1, d.dirty);
	EXPECT_EQ(1ULL << 5, bm[0]);
	ASSERT_EQ(1, d.plan.nr);
	EXPECT_EQ(base + 5 * SZ_4K, d.plan.range[0].gpa);
	EXPECT_EQ(SZ_4K, d.plan.range[0].length);
	ASSERT_EQ(0, translate(fd, base + 5 * SZ_4K, &x));
	EXPECT_EQ(0, x.pte & dirty_bit);
	EXPECT_EQ(RW, x.prot);
	ASSERT_EQ(0, dirty_log(fd, base, 64 * SZ_4K, bm, true, &d));
	EXPECT_EQ(0, d.dirty);

	/* A dirty block logs its 512 pages; a part read keeps the rest. */
	ASSERT_EQ(0, dirty_log(fd, blk, 64 * SZ_4K, bm, true, &d));
	EXPECT_EQ(64, d.dirty);
	EXPECT_EQ(~0ULL, bm[0]);
	ASSERT_EQ(0, translate(fd, blk, &x));
	EXPECT_EQ(0, x.pte & dirty_bit);
	ASSERT_EQ(0, dirty_log(fd, blk + 64 * SZ_4K, 128 * SZ_4K, bm, true,
			       &d));
	EXPECT_EQ(128, d.dirty);
	ASSERT_EQ(0, dirty_log(fd, blk, SZ_2M, bm, true, &d));
	EXPECT_EQ(512 - 192, d.dirty);
	EXPECT_EQ(0, bm[0] | bm[1] | bm[2]);
	EXPECT_EQ(~0ULL, bm[3] & bm[4] & bm[5] & bm[6] & bm[7]);
	EXPECT_EQ(0, d.plan.nr);
	close(fd);
}

/* A log larger than one 128 MiB chunk, checked whole before clearing. */
TEST_F(npt, dirty_log_chunks)
{
	uint64_t base = SZ_1G, len = 3 * 128 * 1024 * 1024ULL + 8 * SZ_4K;
	uint64_t pages = len / SZ_4K, words = (pages + 63) / 64;
	uint64_t *bm = calloc(words + 1, 8);
	uint64_t probe[] = { 0, 32767, 32768, 65536 + 3, pages - 1 };
	struct npt_handle_fault h;
	struct npt_dirty_log d;
	uint64_t *short_bm;

	ASSERT_NE(NULL, bm);
	ASSERT_EQ(0, set_region(self->fd, base, len, RW, NPT_BACKING_LAZY,
				NPT_REGION_DIRTY_LOG));
	for (size_t i = 0; i < ARRAY_SIZE(probe); i++) {
		ASSERT_EQ(0, handle_fault(self->fd, base + probe[i] * SZ_4K,
					  NPT_ACC_WRITE, &h));
		EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
	}
	/* One page too many: ENOENT, nothing cleared, the bitmap untouched. */
	bm[0] = 0x5a5a;
	EXPECT_EQ(ENOENT, dirty_log(self->fd, base, len + SZ_4K, bm, true,
				    NULL));
	EXPECT_EQ(0x5a5a, bm[0]);
	/*
	 * A bitmap that holds the first chunk's bits (4 KiB) and then ends:
	 * EFAULT, and again nothing was cleared.
	 */
	short_bm = mmap(NULL, 2 * SZ_4K, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, short_bm);
	ASSERT_EQ(0, munmap((uint8_t *)short_bm + SZ_4K, SZ_4K));
	EXPECT_EQ(EFAULT, dirty_log(self->fd, base, len, short_bm, true,
				    NULL));
	munmap(short_bm, SZ_4K);
	bm[words] = 0x1234;
	ASSERT_EQ(0, dirty_log(self->fd, base, len, bm, true, &d));
	EXPECT_EQ(ARRAY_SIZE(probe), d.dirty);
	EXPECT_EQ(len, d.done);
	EXPECT_EQ(0x1234, bm[words]);	/* nothing past the last word */
	for (uint64_t p = 0; p < pages; p++) {
		bool want = false;

		for (size_t i = 0; i < ARRAY_SIZE(probe); i++)
			want |= probe[i] == p;
		ASSERT_EQ(want, bit(bm, p)) TH_LOG("page %llu",
						   (unsigned long long)p);
	}
	ASSERT_EQ(0, dirty_log(self->fd, base, len, bm, true, &d));
	EXPECT_EQ(0, d.dirty);
	free(bm);
}

/*
 * Two adjacent dirty-logged regions of one chunk (128 MiB) each: a range
 * across both is refused as a whole (ENOENT) although each chunk lies in
 * one region, and nothing is written; a range beyond the width is
 * ERANGE.
 */
TEST_F(npt, dirty_log_one_region)
{
	const uint64_t chunk = 128 * 1024 * 1024ULL, base = 8 * SZ_1G;
	uint64_t words = 2 * chunk / SZ_4K / 64, top = 1ULL << variant->gpa_bits;
	uint64_t *bm = calloc(words, 8);
	struct npt_handle_fault h;

	ASSERT_NE(NULL, bm);
	ASSERT_EQ(0, set_region(self->fd, base, chunk, RW, NPT_BACKING_LAZY,
				NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, set_region(self->fd, base + chunk, chunk, RW,
				NPT_BACKING_LAZY, NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, handle_fault(self->fd, base, NPT_ACC_WRITE, &h));
	for (int clear = 0; clear < 2; clear++) {
		bm[0] = 0x5a5a;
		EXPECT_EQ(ENOENT, dirty_log(self->fd, base, 2 * chunk, bm,
					    clear, NULL));
		EXPECT_EQ(0x5a5a, bm[0]);
	}
	/* Each region alone still holds its dirty page. */
	ASSERT_EQ(0, dirty_log(self->fd, base, chunk, bm, true, NULL));
	EXPECT_EQ(1, bm[0]);
	EXPECT_EQ(ERANGE, dirty_log(self->fd, top - SZ_4K, 2 * SZ_4K, bm,
				    false, NULL));
	free(bm);
}

/*
 * A guest in user space: random accesses through NPT_ACCESS and
 * NPT_HANDLE_FAULT on a lazy, dirty-logged region, data through
 * NPT_WRITE_GUEST, and dirty logs taken now and then; every byte and
 * every dirty bit is checked against the model.
 */
#define GUEST_PAGES	96
#define GUEST_ITERS	3000

TEST_F_TIMEOUT(npt, dirty_log_guest, 300)
{
	uint64_t base = 5 * SZ_1G + 7 * SZ_2M;
	static uint8_t mem[GUEST_PAGES * 4096], back[4096];
	bool present[GUEST_PAGES] = { 0 }, writable[GUEST_PAGES] = { 0 };
	bool dirty[GUEST_PAGES] = { 0 };
	uint64_t bm[(GUEST_PAGES + 63) / 64];
	unsigned int seed = 12345 + variant->format;
	struct npt_handle_fault h;
	struct npt_fault_info r;
	struct npt_dirty_log d;
	struct npt_info in;

	memset(mem, 0, sizeof(mem));
	ASSERT_EQ(0, set_region(self->fd, base, GUEST_PAGES * SZ_4K, RW,
				NPT_BACKING_LAZY, NPT_REGION_DIRTY_LOG));
	for (int it = 0; it < GUEST_ITERS; it++) {
		uint32_t p = rand_r(&seed) % GUEST_PAGES;
		uint64_t gpa = base + p * SZ_4K + rand_r(&seed) % SZ_4K;
		bool wr = rand_r(&seed) % 2;
		uint32_t acc = wr ? NPT_ACC_WRITE : NPT_ACC_READ;
		uint32_t op = rand_r(&seed) % 16;

		if (op == 0) {
			bool clear = rand_r(&seed) % 4;
			int n = 0;

			ASSERT_EQ(0, dirty_log(self->fd, base,
					       GUEST_PAGES * SZ_4K, bm, clear,
					       &d));
			for (int i = 0; i < GUEST_PAGES; i++) {
				ASSERT_EQ(dirty[i], bit(bm, i)) {
					TH_LOG("iteration %d page %d", it, i);
				}
				n += dirty[i];
				if (clear) {
					dirty[i] = false;
					writable[i] = false;
				}
			}
			EXPECT_EQ(n, d.dirty);
			continue;
		}
		if (op == 1) {
			/* Read back a page and compare it. */
			int ret = guest_rw(self->fd, false, base + p * SZ_4K,
					   back, SZ_4K);

			if (!present[p]) {
				ASSERT_EQ(ENOENT, ret);
				continue;
			}
			ASSERT_EQ(0, ret);
			ASSERT_EQ(0, memcmp(back, mem + p * 4096, 4096)) {
				TH_LOG("iteration %d page %u", it, p);
			}
			continue;
		}

		/* The guest's access: fault, resolve, access again. */
		ASSERT_EQ(0, access_gpa(self->fd, gpa, acc, &r));
		ASSERT_EQ(!present[p] ? NPT_FAULT_NOT_PRESENT :
			  wr && !writable[p] ? NPT_FAULT_PERMISSION :
			  NPT_FAULT_NONE, r.fault);
		if (r.fault) {
			ASSERT_EQ(0, handle_fault(self->fd, gpa, acc, &h));
			ASSERT_EQ(present[p] ? NPT_RESOLVED_DIRTY :
					       NPT_RESOLVED_MAPPED, h.action);
			ASSERT_EQ(0, access_gpa(self->fd, gpa, acc, &r));
			ASSERT_EQ(NPT_FAULT_NONE, r.fault);
			present[p] = true;
			if (wr) {
				writable[p] = true;
				dirty[p] = true;
			}
		}
		if (wr && rand_r(&seed) % 4) {
			uint64_t len = 1 + rand_r(&seed) % 64;
			uint64_t off = gpa - base;
			uint8_t data[64];

			if (off + len > sizeof(mem))
				len = sizeof(mem) - off;
			for (uint64_t i = 0; i < len; i++)
				data[i] = (uint8_t)rand_r(&seed);
			/* The copy may run into a page not mapped yet. */
			if (!present[(off + len - 1) / 4096]) {
				ASSERT_EQ(ENOENT, guest_rw(self->fd, true, gpa,
							   data, len));
				continue;
			}
			ASSERT_EQ(0, guest_rw(self->fd, true, gpa, data, len));
			memcpy(mem + off, data, len);
			dirty[p] = true;
			dirty[(off + len - 1) / 4096] = true;
		}
	}
	/* Every byte of every page, then the counters. */
	for (int p = 0; p < GUEST_PAGES; p++) {
		if (!present[p])
			continue;
		ASSERT_EQ(0, guest_rw(self->fd, false, base + p * SZ_4K, back,
				      SZ_4K));
		ASSERT_EQ(0, memcmp(back, mem + p * 4096, 4096));
	}
	ASSERT_EQ(0, info(self->fd, &in));
	for (int p = 0; p < GUEST_PAGES; p++)
		in.data_pages -= present[p];
	EXPECT_EQ(0, in.data_pages);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/*
 * Writers fault and write pages of a dirty-logged region while a
 * harvester takes and clears the log: every write finished before a
 * harvest began is in that harvest or an earlier one.
 */
#define DL_WRITERS	3
#define DL_PAGES	64	/* per writer */
#define DL_HARVESTS	300

struct dl_ctx {
	int fd;
	uint64_t base;
	bool stop;
	int errors;
	/* per page: sequence numbers of writes started / finished */
	uint64_t started[DL_WRITERS * DL_PAGES];
	uint64_t finished[DL_WRITERS * DL_PAGES];
};

struct dl_arg {
	struct dl_ctx *ctx;
	int id;
};

static void *dl_writer(void *p)
{
	struct dl_arg *a = p;
	struct dl_ctx *c = a->ctx;
	unsigned int seed = a->id + 77;
	uint64_t seq = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		int pg = a->id * DL_PAGES + rand_r(&seed) % DL_PAGES;
		uint64_t gpa = c->base + pg * SZ_4K;
		struct npt_handle_fault h;
		struct npt_fault_info r;

		seq++;
		__atomic_store_n(&c->started[pg], seq, __ATOMIC_SEQ_CST);
		if (rand_r(&seed) % 2) {
			/* A simulated guest store. */
			if (access_gpa(c->fd, gpa, NPT_ACC_WRITE, &r))
				goto err;
			if (r.fault && (handle_fault(c->fd, gpa, NPT_ACC_WRITE,
						     &h) ||
					h.action == NPT_RESOLVED_NONE))
				goto err;
		} else {
			if (guest_rw(c->fd, true, gpa + seq % 4000, &seq, 8))
				goto err;
		}
		__atomic_store_n(&c->finished[pg], seq, __ATOMIC_SEQ_CST);
		continue;
err:
		__atomic_add_fetch(&c->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* The dirty_log_threads tests on @fd, which they close. */
static void dl_run(struct __test_metadata *_metadata, int fd)
{
	static struct dl_ctx c;
	struct dl_arg args[DL_WRITERS];
	pthread_t th[DL_WRITERS];
	uint64_t covered[DL_WRITERS * DL_PAGES] = { 0 };
	uint64_t before[DL_WRITERS * DL_PAGES];
	uint64_t bm[DL_WRITERS * DL_PAGES / 64];
	struct npt_handle_fault h;
	int npages = DL_WRITERS * DL_PAGES, lost = 0;
	uint64_t total = 0;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.base = 2 * SZ_1G;
	ASSERT_EQ(0, set_region(fd, c.base, npages * SZ_4K, RW,
				NPT_BACKING_LAZY, NPT_REGION_DIRTY_LOG));
	/* Map every page (read faults: clean, write-protected or D clear). */
	for (int p = 0; p < npages; p++) {
		ASSERT_EQ(0, handle_fault(fd, c.base + p * SZ_4K,
					  NPT_ACC_READ, &h));
		ASSERT_EQ(NPT_RESOLVED_MAPPED, h.action);
	}
	for (int i = 0; i < DL_WRITERS; i++) {
		args[i] = (struct dl_arg){ &c, i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, dl_writer, &args[i]));
	}
	for (int hv = 0; hv <= DL_HARVESTS; hv++) {
		if (hv == DL_HARVESTS) {
			__atomic_store_n(&c.stop, true, __ATOMIC_RELAXED);
			for (int i = 0; i < DL_WRITERS; i++)
				pthread_join(th[i], NULL);
		}
		for (int p = 0; p < npages; p++)
			before[p] = __atomic_load_n(&c.finished[p],
						    __ATOMIC_SEQ_CST);
		ASSERT_EQ(0, dirty_log(fd, c.base, npages * SZ_4K, bm, true,
				       NULL));
		for (int p = 0; p < npages; p++) {
			if (bit(bm, p)) {
				/* Writes started by now may be in it. */
				covered[p] = __atomic_load_n(&c.started[p],
							     __ATOMIC_SEQ_CST);
				total++;
			}
			if (before[p] > covered[p])
				lost++;
		}
		usleep(hv % 3 ? 100 : 0);
	}
	EXPECT_EQ(0, c.errors);
	EXPECT_EQ(0, lost);
	EXPECT_LT(DL_HARVESTS, total);
	close(fd);
}

TEST_F_TIMEOUT(npt, dirty_log_threads, 300)
{
	dl_run(_metadata, self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/* The same where the hardware sets dirty flags: harvested, not faulted. */
TEST_F_TIMEOUT(npt, dirty_log_threads_hw, 300)
{
	uint32_t opt = hw_ad_opt(variant->format);
	int fd;

	if (!is_ept(variant->format) && !is_rv(variant->format))
		SKIP(return, "Arm stage 2 logs by write protection only");
	ASSERT_EQ(0, create(self->dev, variant->format,
			    variant->options | opt, variant->ia_bits, 0, &fd));
	dl_run(_metadata, fd);
	EXPECT_EQ(self->live0 + variant->root_pages, live_pages());
}

/*
 * A lazy region that asks for blocks: a fault maps a whole 2 MiB block
 * the table owns where the region covers the aligned 2 MiB and nothing is
 * mapped there, a page elsewhere.  Unmapping part of a block splits it and
 * keeps the guest's data in the rest; unmapping all of it frees it.
 */
TEST_F(npt, lazy_blocks)
{
	uint64_t base = 2 * SZ_1G, bm[8], live;
	uint8_t buf[64], back[64];
	struct npt_handle_fault h;
	struct npt_dirty_log d;
	struct npt_info in;
	struct npt_xlate x;

	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = i * 7 + 1;
	/* One whole aligned 2 MiB, and 8 KiB after it. */
	ASSERT_EQ(0, set_region(self->fd, base, SZ_2M + 2 * SZ_4K, RW,
				NPT_BACKING_LAZY, NPT_REGION_LAZY_BLOCKS));
	/* A fault refused for its access reserves no block. */
	live = live_pages();
	EXPECT_EQ(EINVAL, handle_fault(self->fd, base, NPT_ACC_MAX + 1, &h));
	EXPECT_EQ(live, live_pages());
	ASSERT_EQ(0, handle_fault(self->fd, base + 5 * SZ_4K + 8,
				  NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
	EXPECT_EQ(1, h.lvl);
	ASSERT_EQ(0, translate(self->fd, base + SZ_2M - 1, &x));
	EXPECT_EQ(1, x.lvl);
	EXPECT_EQ(RW, x.prot);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(512, in.data_pages);
	ASSERT_EQ(0, handle_fault(self->fd, base + SZ_2M, NPT_ACC_READ, &h));
	EXPECT_EQ(NPT_RESOLVED_MAPPED, h.action);
	EXPECT_EQ(0, h.lvl);
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(513, in.data_pages);

	/* Data across two pages of the block survives a split. */
	ASSERT_EQ(0, guest_rw(self->fd, true, base + SZ_4K - 32, buf,
			      sizeof(buf)));
	ASSERT_EQ(0, guest_rw(self->fd, true, base + 100 * SZ_4K, buf,
			      sizeof(buf)));
	ASSERT_EQ(0, unmap(self->fd, base + 50 * SZ_4K, SZ_4K));
	ASSERT_EQ(0, translate(self->fd, base + SZ_4K, &x));
	EXPECT_EQ(0, x.lvl);
	EXPECT_EQ(ENOENT, translate(self->fd, base + 50 * SZ_4K, &x));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(512, in.data_pages);
	ASSERT_EQ(0, guest_rw(self->fd, false, base + SZ_4K - 32, back,
			      sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	ASSERT_EQ(0, guest_rw(self->fd, false, base + 100 * SZ_4K, back,
			      sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	/* The hole faults back in as a zeroed page. */
	ASSERT_EQ(0, handle_fault(self->fd, base + 50 * SZ_4K, NPT_ACC_READ,
				  &h));
	EXPECT_EQ(0, h.lvl);
	memset(back, 0xff, sizeof(back));
	ASSERT_EQ(0, guest_rw(self->fd, false, base + 50 * SZ_4K, back,
			      sizeof(back)));
	for (int i = 0; i < (int)sizeof(back); i++)
		EXPECT_EQ(0, back[i]);
	ASSERT_EQ(0, unmap(self->fd, base, 2 * SZ_2M));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.data_pages);

	/* A block unmapped whole; and a dirty-logged block. */
	ASSERT_EQ(0, set_region(self->fd, base + 2 * SZ_2M, SZ_2M, RW,
				NPT_BACKING_LAZY, NPT_REGION_LAZY_BLOCKS |
				NPT_REGION_DIRTY_LOG));
	ASSERT_EQ(0, handle_fault(self->fd, base + 2 * SZ_2M, NPT_ACC_READ,
				  &h));
	EXPECT_EQ(1, h.lvl);
	ASSERT_EQ(0, translate(self->fd, base + 2 * SZ_2M, &x));
	EXPECT_EQ(NPT_PROT_R, x.prot);
	ASSERT_EQ(0, handle_fault(self->fd, base + 2 * SZ_2M + 8,
				  NPT_ACC_WRITE, &h));
	EXPECT_EQ(NPT_RESOLVED_DIRTY, h.action);
	EXPECT_EQ(1, h.lvl);
	ASSERT_EQ(0, dirty_log(self->fd, base + 2 * SZ_2M, SZ_2M, bm, true,
			       &d));
	EXPECT_EQ(512, d.dirty);
	ASSERT_EQ(0, unmap(self->fd, base + 2 * SZ_2M, SZ_2M));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.data_pages);

	/* Blocks are for lazy regions only. */
	EXPECT_EQ(EINVAL, set_region(self->fd, 4 * SZ_1G, SZ_2M, RW,
				     NPT_BACKING_NONE,
				     NPT_REGION_LAZY_BLOCKS));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/* Protect keeps a lazy page the table's; unmap frees it. */
TEST_F(npt, lazy_protect_keeps_page)
{
	struct npt_handle_fault h;
	struct npt_info in;
	char b[4] = "abc", r[4] = { 0 };

	ASSERT_EQ(0, set_region(self->fd, SZ_1G, SZ_2M, RW, NPT_BACKING_LAZY,
				0));
	ASSERT_EQ(0, handle_fault(self->fd, SZ_1G, NPT_ACC_WRITE, &h));
	ASSERT_EQ(0, guest_rw(self->fd, true, SZ_1G, b, 4));
	ASSERT_EQ(0, protect(self->fd, SZ_1G, SZ_4K, NPT_PROT_R, 0, 0));
	EXPECT_EQ(0, guest_rw(self->fd, false, SZ_1G, r, 4));
	EXPECT_EQ(0, memcmp(b, r, 4));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(1, in.data_pages);
	ASSERT_EQ(0, unmap(self->fd, SZ_1G, SZ_4K));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.data_pages);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/* A caller's mapping over lazy pages frees them. */
TEST_F(npt, lazy_replace_frees_page)
{
	struct npt_handle_fault h;
	struct npt_info in;

	ASSERT_EQ(0, set_region(self->fd, SZ_1G, SZ_2M, RW, NPT_BACKING_LAZY,
				0));
	ASSERT_EQ(0, handle_fault(self->fd, SZ_1G, NPT_ACC_WRITE, &h));
	ASSERT_EQ(0, map(self->fd, SZ_1G, HPA_BASE, SZ_4K, RW,
			 NPT_OP_REPLACE));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.data_pages);
	ASSERT_EQ(0, handle_fault(self->fd, SZ_1G + SZ_4K, NPT_ACC_WRITE,
				  &h));
	ASSERT_EQ(0, map(self->fd, SZ_1G, HPA_BASE, SZ_2M, RW,
			 NPT_OP_REPLACE));
	ASSERT_EQ(0, info(self->fd, &in));
	EXPECT_EQ(0, in.data_pages);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->live0, live_pages());
}

/* Tests without a table. */
TEST(dev_node)
{
	struct stat st;
	int dev = open_dev();

	if (dev < 0)
		SKIP(return, DEV_PATH " not available");
	ASSERT_EQ(0, fstat(dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_TRUE(fcntl(dev, F_GETFD) & FD_CLOEXEC);
	close(dev);
}

/* Arm: every IPA size, with KVM's choice of levels and root pages. */
TEST(arm64_ipa_sizes)
{
	int dev = open_dev();

	if (dev < 0)
		SKIP(return, DEV_PATH " not available");
	for (uint32_t ia = 32; ia <= 48; ia++) {
		uint32_t levels = (ia - 8) / 9;
		int shift = ia - 12 - 9 * levels;
		uint32_t root_pages = shift > 0 ? 1U << shift : 1;
		uint64_t top = 1ULL << ia;
		struct npt_info in;
		struct npt_xlate x;
		int fd;

		ASSERT_EQ(0, create(dev, NPT_FORMAT_ARM64_S2, 0, ia, 0, &fd));
		ASSERT_EQ(0, info(fd, &in));
		EXPECT_EQ(ia, in.ia_bits);
		EXPECT_EQ(levels, in.levels);
		EXPECT_EQ(root_pages, in.root_pages);
		EXPECT_EQ(root_pages, in.table_pages);
		EXPECT_EQ(0, map(fd, top - SZ_4K, HPA_BASE, SZ_4K, RW, 0));
		EXPECT_EQ(0, translate(fd, top - 1, &x));
		EXPECT_EQ(HPA_BASE + SZ_4K - 1, x.hpa);
		EXPECT_EQ(ERANGE, map(fd, top, HPA_BASE, SZ_4K, RW, 0));
		close(fd);
	}
	for (uint32_t ia = 0; ia < 64; ia++) {
		int fd;

		if (!ia || (ia >= 32 && ia <= 48))
			continue;
		EXPECT_EQ(EINVAL, create(dev, NPT_FORMAT_ARM64_S2, 0, ia, 0,
					 &fd)) {
			TH_LOG("ia_bits %u", ia);
		}
	}
	close(dev);
}

/* The other formats have one width: 0 or that width, nothing else. */
TEST(fixed_widths)
{
	static const uint32_t fmt[] = { NPT_FORMAT_EPT4, NPT_FORMAT_EPT5,
					NPT_FORMAT_SV39X4, NPT_FORMAT_SV48X4 };
	static const uint32_t bits[] = { 48, 57, 41, 50 };
	int dev = open_dev();
	int fd;

	if (dev < 0)
		SKIP(return, DEV_PATH " not available");
	for (size_t i = 0; i < ARRAY_SIZE(fmt); i++) {
		EXPECT_EQ(0, create(dev, fmt[i], 0, bits[i], 0, &fd));
		if (fd >= 0)
			close(fd);
		EXPECT_EQ(EINVAL, create(dev, fmt[i], 0, bits[i] - 1, 0, &fd));
		EXPECT_EQ(EINVAL, create(dev, fmt[i], 0, bits[i] + 1, 0, &fd));
	}
	close(dev);
}

/* ---- memory cgroup charging ---- */

#define CG_ROOT		"/tmp/npt-cg"
#define CG_CHILD	CG_ROOT "/npt"
/* Per-CPU charge caches: up to 64 pages a CPU lag behind memory.current. */
#define CG_SLACK	(1ULL << 20)

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static uint64_t cg_current(const char *dir)
{
	unsigned long long v = ~0ULL;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = ~0ULL;
		fclose(f);
	}
	return v;
}

/*
 * Table pages are charged to the memory cgroup of the task that created
 * the table, whichever cgroup the task calling the ioctl is in by then,
 * and uncharged when the table is destroyed.  1 GiB at 4 KiB pages takes
 * 512 leaf tables (2 MiB).
 */
TEST_F(npt, memcg_charge)
{
	const uint64_t tables = 512 * SZ_4K;
	uint64_t before, mid, after;
	int fd;

	mkdir(CG_ROOT, 0700);
	if (mount("none", CG_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		SKIP(return, "no cgroup2 (%s)", strerror(errno));
	if (cg_write(CG_ROOT, "cgroup.subtree_control", "+memory"))
		SKIP(goto out_umount, "no memory controller");
	ASSERT_TRUE(!mkdir(CG_CHILD, 0700) || errno == EEXIST);
	ASSERT_EQ(0, cg_write(CG_CHILD, "cgroup.procs", "0"));
	ASSERT_EQ(0, create(self->dev, variant->format, variant->options,
			    variant->ia_bits, 0, &fd));
	before = cg_current(CG_CHILD);
	ASSERT_NE(~0ULL, before);
	ASSERT_EQ(0, map(fd, SZ_1G, HPA_BASE, SZ_1G, RW, NPT_OP_NO_BLOCKS));
	mid = cg_current(CG_CHILD);
	EXPECT_LE(before + tables, mid);

	/* Out of the cgroup, the same table still charges it. */
	ASSERT_EQ(0, cg_write(CG_ROOT, "cgroup.procs", "0"));
	ASSERT_EQ(0, map(fd, 2 * SZ_1G, HPA_BASE, SZ_1G, RW,
			 NPT_OP_NO_BLOCKS));
	after = cg_current(CG_CHILD);
	EXPECT_LE(mid + tables, after);

	close(fd);
	EXPECT_GE(before + CG_SLACK, cg_current(CG_CHILD));
	EXPECT_EQ(0, rmdir(CG_CHILD));
out_umount:
	umount(CG_ROOT);
}

TEST(abi_layout)
{
	/* The same numbers in 32- and 64-bit builds: compat needs no code. */
	EXPECT_EQ(88, sizeof(struct npt_caps));
	EXPECT_EQ(80, offsetof(struct npt_caps, host_vmid_bits));
	EXPECT_EQ(40, sizeof(struct npt_create_table));
	EXPECT_EQ(24, sizeof(struct npt_plan_range));
	EXPECT_EQ(200, sizeof(struct npt_plan));
	EXPECT_EQ(248, sizeof(struct npt_map));
	EXPECT_EQ(232, sizeof(struct npt_unmap));
	EXPECT_EQ(240, sizeof(struct npt_protect));
	EXPECT_EQ(232, sizeof(struct npt_collapse));
	EXPECT_EQ(40, sizeof(struct npt_xlate));
	EXPECT_EQ(80, sizeof(struct npt_translate));
	EXPECT_EQ(64, sizeof(struct npt_walk));
	EXPECT_EQ(168, sizeof(struct npt_info));
	EXPECT_EQ(48, sizeof(struct npt_fault_info));
	EXPECT_EQ(72, sizeof(struct npt_access));
	EXPECT_EQ(288, sizeof(struct npt_handle_fault));
	EXPECT_EQ(40, sizeof(struct npt_set_region));
	EXPECT_EQ(248, sizeof(struct npt_dirty_log));
	EXPECT_EQ(40, sizeof(struct npt_guest_rw));
	EXPECT_EQ(0xb909, NPT_ACCESS);
	EXPECT_EQ(0xb90e, NPT_WRITE_GUEST);
	EXPECT_EQ(0xb902, NPT_MAP);
	EXPECT_EQ(0xb901, NPT_CREATE_TABLE);
}

TEST_HARNESS_MAIN
