// SPDX-License-Identifier: GPL-2.0-only
/*
 * npt: /dev/npt and table fds - the user-space face of the in-kernel API.
 *
 * A thin layer: every ioctl copies its structure in with
 * copy_struct_from_user(), checks the fields only the ABI has (flags,
 * reserved fields, pointers), calls one npt_*() function and copies the
 * result back.  The table itself checks addresses, sizes, permissions and
 * limits, and serialises concurrent callers.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "npt.h"

static unsigned long max_table_pages = 262144;

static int npt_set_max_table_pages(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long v;
	int ret;

	ret = kstrtoul(val, 0, &v);
	if (ret)
		return ret;
	if (!v)
		return -EINVAL;
	WRITE_ONCE(max_table_pages, v);
	return 0;
}

static const struct kernel_param_ops npt_max_table_pages_ops = {
	.set = npt_set_max_table_pages,
	.get = param_get_ulong,
};

module_param_cb(max_table_pages, &npt_max_table_pages_ops, &max_table_pages,
		0644);
MODULE_PARM_DESC(max_table_pages,
		 "Default and largest table-page limit of a table created through /dev/npt");

/**
 * struct npt_file - what a table fd owns
 * @t:		The table; destroyed when the fd's last reference goes.
 * @memcg:	Memory cgroup of the task that created it: its table and
 *		lazy pages are charged there, whoever calls the ioctls.
 */
struct npt_file {
	struct npt_table *t;
	struct mem_cgroup *memcg;
};

/**
 * struct npt_ucmd - one ioctl call
 * @file:	The fd's file.
 * @nf:		Its table, or NULL on /dev/npt.
 * @ubuf:	The caller's structure.
 * @user_size:	Its size as the caller gave it.
 * @size:	Size of the kernel's structure.
 * @cmd:	The kernel's copy of the structure.
 */
struct npt_ucmd {
	struct file *file;
	struct npt_file *nf;
	void __user *ubuf;
	u32 user_size;
	u32 size;
	void *cmd;
};

/* Copy the (updated) structure back, up to what both sides know. */
static int npt_respond(const struct npt_ucmd *uc)
{
	if (copy_to_user(uc->ubuf, uc->cmd, min(uc->user_size, uc->size)))
		return -EFAULT;
	return 0;
}

/*
 * Addresses of kernel memory (the root, table pages) go only to a caller
 * that has CAP_SYS_ADMIN and got the fd from someone who had it too, so
 * that a privileged program handed an fd does not leak them.
 */
static bool npt_may_see_addresses(const struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/* What this CPU could walk, read once at load (probing it may touch CSRs). */
static struct npt_host_caps npt_host;

static int npt_get_caps(struct npt_ucmd *uc)
{
	struct npt_caps *cmd = uc->cmd;
	struct npt_format_info fi;
	u32 f;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	/* The per-format fields; all 0 for @format 0. */
	memset(&fi, 0, sizeof(fi));
	if (cmd->format) {
		ret = npt_format_info(cmd->format, &fi);
		if (ret)
			return ret;
	}

	cmd->formats = 0;
	for (f = 1; f <= NPT_FORMAT_MAX; f++)
		if (npt_format_supported(f))
			cmd->formats |= BIT(f);
	cmd->op_flags = NPT_OP_REPLACE | NPT_OP_NO_BLOCKS | NPT_OP_OLD |
			NPT_OP_HOLES_OK | NPT_OP_INTERRUPTIBLE;
	cmd->plan_ranges = NPT_PLAN_RANGES;
	cmd->max_levels = NPT_MAX_LEVELS;
	cmd->max_table_pages = READ_ONCE(max_table_pages);
	cmd->host_formats = npt_host.formats;
	cmd->host_options = npt_host.options;
	cmd->host_oa_bits = npt_host.oa_bits;
	cmd->host_ia_bits_max = npt_host.ia_bits_max;
	cmd->host_leaf_lvls = npt_host.leaf_lvls;
	cmd->host_vmid_bits = npt_host.vmid_bits;

	cmd->options = fi.options;
	cmd->prot = fi.prot;
	cmd->memtypes = fi.memtypes;
	cmd->min_ia_bits = fi.ia_min;
	cmd->max_ia_bits = fi.ia_max;
	cmd->max_oa_bits = fi.oa_max;
	return npt_respond(uc);
}

static int npt_table_release(struct inode *inode, struct file *file)
{
	struct npt_file *nf = file->private_data;

	npt_table_destroy(nf->t);
	mem_cgroup_put(nf->memcg);
	kfree(nf);
	return 0;
}

static long npt_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

static const struct file_operations npt_table_fops = {
	.owner		= THIS_MODULE,
	.release	= npt_table_release,
	.unlocked_ioctl	= npt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static int npt_create_table(struct npt_ucmd *uc)
{
	const struct npt_create_table *cmd = uc->cmd;
	unsigned long limit = READ_ONCE(max_table_pages);
	struct npt_config cfg = {
		.format		= cmd->format,
		.options	= cmd->options,
		.ia_bits	= cmd->ia_bits,
		.oa_bits	= cmd->oa_bits,
		.max_pages	= cmd->max_pages ? cmd->max_pages : limit,
		.vmid		= cmd->vmid,
		.leaf_lvls	= cmd->leaf_lvls,
		.mm		= npt_kernel_mm_for(cmd->oa_bits),
		/* No CPU ever walks a table built from user-chosen HPAs. */
		.flush		= NULL,
		.flags		= cmd->flags & NPT_CREATE_CHECK_HOST ?
				  NPT_CFG_CHECK_HOST : 0,
	};
	struct npt_file *nf;
	struct file *file;
	int fd, ret;

	if ((cmd->flags & ~NPT_CREATE_CHECK_HOST) || !cmd->format ||
	    cmd->format > NPT_FORMAT_MAX || (cmd->options & ~NPT_OPT_ALL) ||
	    cmd->max_pages > limit)
		return -EINVAL;
	if (!npt_format_supported(cmd->format))
		return -EOPNOTSUPP;

	nf = kzalloc(sizeof(*nf), GFP_KERNEL_ACCOUNT);
	if (!nf)
		return -ENOMEM;
	nf->memcg = get_mem_cgroup_from_mm(current->mm);
	ret = npt_table_create(&cfg, &nf->t);
	if (ret)
		goto out_free;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_destroy;
	}

	file = anon_inode_getfile("[npt-table]", &npt_table_fops, nf, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_put_fd;
	}

	/* From here on npt_table_release() owns nf; nothing can fail. */
	fd_install(fd, file);
	return fd;

out_put_fd:
	put_unused_fd(fd);
out_destroy:
	npt_table_destroy(nf->t);
out_free:
	mem_cgroup_put(nf->memcg);
	kfree(nf);
	return ret;
}

static void npt_plan_to_user(struct npt_plan *up,
			     const struct npt_flush_plan *plan)
{
	u32 i, nr = min_t(u32, plan->nr, NPT_PLAN_RANGES);

	memset(up, 0, sizeof(*up));
	up->flags = (plan->all ? NPT_PLAN_ALL : 0) |
		    (plan->tables ? NPT_PLAN_TABLES : 0);
	up->nr = nr;
	for (i = 0; i < nr; i++) {
		up->range[i].gpa = plan->range[i].gpa;
		up->range[i].length = plan->range[i].size;
		up->range[i].lvl = plan->range[i].lvl;
	}
}

/*
 * The result of a mutation goes back on success and whenever part of the
 * range was done: after -EINTR, or when another caller changed the table
 * between two chunks of an interruptible operation.  Any other error left
 * the table unchanged.
 */
static int npt_op_respond(struct npt_ucmd *uc, int ret,
			  const struct npt_op_result *res, __u64 *done,
			  struct npt_plan *plan)
{
	int err;

	if (ret && ret != -EINTR && !res->done)
		return ret;
	*done = res->done;
	npt_plan_to_user(plan, &res->plan);
	err = npt_respond(uc);
	return ret ? ret : err;
}

#define NPT_MAP_FLAGS	(NPT_OP_REPLACE | NPT_OP_NO_BLOCKS | NPT_OP_OLD | \
			 NPT_OP_INTERRUPTIBLE)

static int npt_map_ioctl(struct npt_ucmd *uc)
{
	struct npt_map *cmd = uc->cmd;
	struct npt_op_result res = {};
	int ret;

	if (cmd->flags & ~NPT_MAP_FLAGS)
		return -EINVAL;
	ret = npt_map(uc->nf->t, cmd->gpa, cmd->hpa, cmd->length, cmd->prot,
		      cmd->attr, cmd->flags, &res);
	return npt_op_respond(uc, ret, &res, &cmd->done, &cmd->plan);
}

static int npt_unmap_ioctl(struct npt_ucmd *uc)
{
	struct npt_unmap *cmd = uc->cmd;
	struct npt_op_result res = {};
	int ret;

	if (cmd->flags & ~NPT_OP_INTERRUPTIBLE)
		return -EINVAL;
	ret = npt_unmap(uc->nf->t, cmd->gpa, cmd->length, cmd->flags, &res);
	return npt_op_respond(uc, ret, &res, &cmd->done, &cmd->plan);
}

static int npt_protect_ioctl(struct npt_ucmd *uc)
{
	struct npt_protect *cmd = uc->cmd;
	struct npt_op_result res = {};
	int ret;

	if (cmd->flags & ~(NPT_OP_HOLES_OK | NPT_OP_INTERRUPTIBLE))
		return -EINVAL;
	ret = npt_protect(uc->nf->t, cmd->gpa, cmd->length, cmd->prot,
			  cmd->attr, cmd->flags, &res);
	return npt_op_respond(uc, ret, &res, &cmd->done, &cmd->plan);
}

static int npt_collapse_ioctl(struct npt_ucmd *uc)
{
	struct npt_collapse *cmd = uc->cmd;
	struct npt_op_result res = {};
	int ret;

	if (cmd->flags)
		return -EINVAL;
	ret = npt_collapse(uc->nf->t, cmd->gpa, cmd->length, &res);
	return npt_op_respond(uc, ret, &res, &cmd->done, &cmd->plan);
}

/*
 * One lookup; a failed one is all zeroes but for gpa and error.  With
 * @hide, a leaf the core hides (one that holds a kernel address) is shown
 * without its address, and without the host address it translates to.
 */
static int npt_xlate_one(struct npt_table *t, u64 gpa, bool hide,
			 struct npt_xlate *x)
{
	struct npt_translation tr;
	int ret;

	memset(x, 0, sizeof(*x));
	x->gpa = gpa;
	ret = npt_translate(t, gpa, &tr);
	if (ret) {
		x->error = -ret;
		return ret;
	}
	x->hpa = tr.hpa;
	x->pte = tr.pte;
	if (hide) {
		x->pte = npt_pte_hide_table(t, tr.pte, tr.lvl);
		if (x->pte != tr.pte)
			x->hpa = 0;
	}
	x->prot = tr.prot;
	x->attr = tr.attr;
	x->lvl = tr.lvl;
	return 0;
}

/* Lookups per copy_from_user() of a batch, between cond_resched()s. */
#define NPT_XLATE_CHUNK	32

static int npt_translate_batch(struct npt_ucmd *uc)
{
	struct npt_translate *cmd = uc->cmd;
	u64 __user *gpas = u64_to_user_ptr(cmd->gpas);
	u8 __user *out = u64_to_user_ptr(cmd->results);
	u32 esz = cmd->entry_size;
	bool hide = !npt_may_see_addresses(uc->file);
	u64 chunk[NPT_XLATE_CHUNK];
	struct npt_xlate x;
	u32 i, n;
	int ret = 0;

	if (esz < sizeof(x) || esz > NPT_XLATE_ENTRY_MAX ||
	    memchr_inv(&cmd->x, 0, sizeof(cmd->x)))
		return -EINVAL;

	cmd->done = 0;
	while (cmd->done < cmd->count) {
		n = min_t(u32, cmd->count - cmd->done, NPT_XLATE_CHUNK);
		if (copy_from_user(chunk, gpas + cmd->done,
				   n * sizeof(chunk[0]))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n; i++) {
			u8 __user *dst = out + (u64)cmd->done * esz;

			npt_xlate_one(uc->nf->t, chunk[i], hide, &x);
			if (copy_to_user(dst, &x, sizeof(x)) ||
			    (esz > sizeof(x) &&
			     clear_user(dst + sizeof(x), esz - sizeof(x)))) {
				ret = -EFAULT;
				goto out;
			}
			cmd->done++;
		}
		/* Lookups change nothing: a dying task need not finish. */
		if (cmd->done < cmd->count && fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
out:
	/* done is worth reporting even after a fault in the arrays. */
	if (npt_respond(uc))
		return -EFAULT;
	return ret;
}

static int npt_translate_ioctl(struct npt_ucmd *uc)
{
	struct npt_translate *cmd = uc->cmd;
	int ret;

	if ((cmd->flags & ~NPT_OP_INTERRUPTIBLE) || cmd->__reserved)
		return -EINVAL;
	if (cmd->count)
		return npt_translate_batch(uc);
	if (cmd->flags || cmd->entry_size || cmd->gpas || cmd->results ||
	    cmd->x.hpa || cmd->x.pte || cmd->x.prot || cmd->x.attr ||
	    cmd->x.lvl || cmd->x.error)
		return -EINVAL;

	ret = npt_xlate_one(uc->nf->t, cmd->x.gpa,
			    !npt_may_see_addresses(uc->file), &cmd->x);
	if (ret)
		return ret;
	cmd->done = 1;
	return npt_respond(uc);
}

static int npt_walk_ioctl(struct npt_ucmd *uc)
{
	struct npt_walk *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	struct npt_walk_info wi = {};
	bool hide = !npt_may_see_addresses(uc->file);
	u32 i;
	int ret;

	if (cmd->flags)
		return -EINVAL;
	ret = npt_walk_gpa(t, cmd->gpa, &wi);
	if (ret)
		return ret;
	if (WARN_ON_ONCE(wi.levels > NPT_MAX_LEVELS))
		return -EINVAL;

	cmd->levels = wi.levels;
	cmd->root_lvl = wi.root_lvl;
	memset(cmd->pte, 0, sizeof(cmd->pte));
	for (i = 0; i < wi.levels; i++) {
		npt_pte_t pte = wi.pte[i];

		/* A table entry holds the address of a kernel page. */
		if (hide)
			pte = npt_pte_hide_table(t, pte, wi.root_lvl - i);
		cmd->pte[i] = pte;
	}
	return npt_respond(uc);
}

static int npt_info_ioctl(struct npt_ucmd *uc)
{
	struct npt_info *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	struct npt_root_regs regs = {};
	struct npt_stats st = {};
	int i;

	if (cmd->flags)
		return -EINVAL;

	npt_get_stats(t, &st);
	cmd->format = npt_format(t);
	cmd->options = npt_options(t);
	cmd->levels = npt_levels(t);
	cmd->ia_bits = npt_ia_bits(t);
	cmd->oa_bits = npt_oa_bits(t);
	cmd->root_pages = npt_root_pages(t);
	cmd->vmid = npt_vmid(t);
	cmd->table_pages = st.table_pages;
	cmd->data_pages = st.data_pages;
	cmd->max_pages = st.max_pages;
	for (i = 0; i < NPT_MAX_LEVELS; i++) {
		cmd->tables[i] = st.tables[i];
		cmd->leaves[i] = st.leaves[i];
	}

	cmd->info_flags = 0;
	cmd->root = 0;
	cmd->ctrl = 0;
	cmd->root_pa = 0;
	if (npt_may_see_addresses(uc->file)) {
		npt_root_regs(t, &regs);
		cmd->info_flags = NPT_INFO_ROOT_VALID;
		cmd->root = regs.root;
		cmd->ctrl = regs.ctrl;
		cmd->root_pa = npt_root_pa(t);
	}
	return npt_respond(uc);
}

static void npt_fault_to_user(struct npt_fault_info *fi,
			      const struct npt_access_result *r, bool addrs)
{
	memset(fi, 0, sizeof(*fi));
	fi->fault = r->fault;
	fi->lvl = r->lvl;
	fi->reason = r->reason;
	fi->updated = r->updated;
	fi->hpa = addrs ? r->hpa : 0;
	fi->syndrome = r->syndrome;
	fi->addr = r->addr;
	fi->exit_reason = r->exit_reason;
}

static int npt_access_ioctl(struct npt_ucmd *uc)
{
	struct npt_access *cmd = uc->cmd;
	struct npt_access_result r;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	ret = npt_access(uc->nf->t, cmd->gpa, cmd->access, &r);
	if (ret)
		return ret;
	npt_fault_to_user(&cmd->result, &r, npt_may_see_addresses(uc->file));
	return npt_respond(uc);
}

/*
 * npt_handle_fault() never allocates: on -ENOMEM its page cache was short.
 * A fault needs at most one table per level below the root and the page;
 * another caller may take the pages between the top-up and the retry, so
 * the retries are bounded.
 */
#define NPT_FAULT_TOPUP		(NPT_MAX_LEVELS + 1)
#define NPT_FAULT_TRIES		4

static int npt_handle_fault_ioctl(struct npt_ucmd *uc)
{
	struct npt_handle_fault *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	bool addrs = npt_may_see_addresses(uc->file);
	struct npt_fault_result *res;
	int i, ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	res = kmalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	/* Without a block reserved the fault maps a 4 KiB page instead. */
	if (npt_region_blocks(t, cmd->gpa, cmd->access))
		npt_topup_blocks(t, 1);
	for (i = 0; i < NPT_FAULT_TRIES; i++) {
		ret = npt_handle_fault(t, cmd->gpa, cmd->access, res);
		if (ret != -ENOMEM)
			break;
		ret = npt_topup(t, NPT_FAULT_TOPUP);
		if (ret)
			break;
		ret = -ENOMEM;
	}
	if (!ret) {
		cmd->action = res->action;
		cmd->lvl = res->lvl;
		cmd->hpa = addrs ? res->hpa : 0;
		npt_fault_to_user(&cmd->fault, &res->fault, addrs);
		npt_plan_to_user(&cmd->plan, &res->plan);
		ret = npt_respond(uc);
	}
	kfree(res);
	return ret;
}

static int npt_set_region_ioctl(struct npt_ucmd *uc)
{
	const struct npt_set_region *cmd = uc->cmd;
	struct npt_region rg = {
		.gpa		= cmd->gpa,
		.size		= cmd->length,
		.max_prot	= cmd->max_prot,
		.attr		= cmd->attr,
		.backing	= cmd->backing,
		.flags		= cmd->flags,
	};

	if ((cmd->flags & ~NPT_REGION_FLAGS) || cmd->__reserved)
		return -EINVAL;
	/* Removal names the region by its start and nothing else. */
	if (!cmd->length &&
	    (cmd->flags || cmd->max_prot || cmd->attr || cmd->backing))
		return -EINVAL;
	return npt_set_region(uc->nf->t, &rg);
}

/*
 * Dirty logs and aging go through a kernel bitmap of 4 KiB: 32768 pages
 * (128 MiB of guest memory) per chunk, each read and cleared atomically by
 * the core.  Chunks are whole __u64 words of the user's bitmap.
 */
#define NPT_DIRTY_CHUNK_BYTES	4096
#define NPT_DIRTY_CHUNK_PAGES	(NPT_DIRTY_CHUNK_BYTES * BITS_PER_BYTE)

/*
 * Zero the user's bitmap for a range of @length bytes, a chunk's words at
 * a time: a bitmap that cannot be written fails before the range changes.
 */
static int npt_bitmap_clear(u64 __user *ubm, u64 length)
{
	u64 off, pages;

	for (off = 0; off < length; off += pages << NPT_PAGE_SHIFT) {
		pages = min_t(u64, (length - off) >> NPT_PAGE_SHIFT,
			      NPT_DIRTY_CHUNK_PAGES);
		if (clear_user(ubm + (off >> NPT_PAGE_SHIFT) / 64,
			       DIV_ROUND_UP(pages, 64) * sizeof(u64)))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

/* Copy @bm out to the user's bitmap for @pages pages at byte @off. */
static int npt_chunk_to_user(u64 __user *ubm, u64 off, u64 pages,
			     const unsigned long *bm, u64 *words)
{
	bitmap_to_arr64(words, bm, pages);
	if (copy_to_user(ubm + (off >> NPT_PAGE_SHIFT) / 64, words,
			 DIV_ROUND_UP(pages, 64) * sizeof(u64)))
		return -EFAULT;
	return 0;
}

static int npt_dirty_log_ioctl(struct npt_ucmd *uc)
{
	struct npt_dirty_log *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	bool clear = cmd->flags & NPT_DIRTY_LOG_CLEAR;
	u64 __user *ubm = u64_to_user_ptr(cmd->bitmap);
	struct npt_op_result *res;
	struct npt_flush_plan *plan;
	unsigned long *bm;
	u64 *words;
	u64 off, pages, dirty = 0;
	int ret;

	if (cmd->flags & ~NPT_DIRTY_LOG_CLEAR)
		return -EINVAL;
	if (cmd->length > NPT_DIRTY_LOG_MAX)
		return -EINVAL;
	/* The whole range, not only each chunk, lies in one region. */
	ret = npt_dirty_log_range(t, cmd->gpa, cmd->length);
	if (ret)
		return ret;

	bm = kmalloc(NPT_DIRTY_CHUNK_BYTES, GFP_KERNEL);
	words = kmalloc(NPT_DIRTY_CHUNK_BYTES, GFP_KERNEL);
	res = kmalloc(sizeof(*res), GFP_KERNEL);
	plan = kzalloc(sizeof(*plan), GFP_KERNEL);
	if (!bm || !words || !res || !plan) {
		ret = -ENOMEM;
		goto out;
	}

	cmd->done = 0;
	/*
	 * A clear first zeroes the whole bitmap, so that a bitmap the caller
	 * cannot write fails before any bit is cleared; then the range is
	 * read (and cleared) chunk by chunk.
	 */
	if (clear)
		ret = npt_bitmap_clear(ubm, cmd->length);
	for (off = 0; !ret && off < cmd->length;
	     off += pages << NPT_PAGE_SHIFT) {
		pages = min_t(u64, (cmd->length - off) >> NPT_PAGE_SHIFT,
			      NPT_DIRTY_CHUNK_PAGES);
		ret = npt_get_dirty_log(t, cmd->gpa + off,
					pages << NPT_PAGE_SHIFT, bm, clear, res);
		if (ret)
			break;
		npt_plan_merge(plan, &res->plan);
		dirty += bitmap_weight(bm, pages);
		ret = npt_chunk_to_user(ubm, off, pages, bm, words);
		if (ret)
			break;
		cmd->done = off + (pages << NPT_PAGE_SHIFT);
		cond_resched();
	}
	if (!ret || cmd->done) {
		int err;

		cmd->dirty = dirty;
		npt_plan_to_user(&cmd->plan, plan);
		err = npt_respond(uc);
		ret = ret ?: err;
	}
out:
	kfree(plan);
	kfree(res);
	kfree(words);
	kfree(bm);
	return ret;
}

/*
 * Guest copies bounce through a kernel page, a page of the guest at a
 * time.  The whole range is checked first (a read changes nothing), so
 * that a copy that fails on a page it may not touch copies nothing.
 */
static int npt_guest_rw_ioctl(struct npt_ucmd *uc, bool write)
{
	struct npt_guest_rw *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	u8 __user *ubuf = u64_to_user_ptr(cmd->buf);
	u64 off, gpa, chunk;
	int pass, ret = 0;
	void *page;

	if (cmd->flags)
		return -EINVAL;
	if (!cmd->length || cmd->length > NPT_GUEST_RW_MAX)
		return -EINVAL;
	if (cmd->gpa + cmd->length < cmd->gpa)
		return -EOVERFLOW;
	if (cmd->gpa + cmd->length > BIT_ULL(npt_ia_bits(t)))
		return -ERANGE;
	page = kmalloc(NPT_PAGE_SIZE, GFP_KERNEL);
	if (!page)
		return -ENOMEM;

	cmd->done = 0;
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (off = 0; off < cmd->length; off += chunk) {
			gpa = cmd->gpa + off;
			chunk = min(cmd->length - off,
				    NPT_PAGE_SIZE - (gpa & (NPT_PAGE_SIZE - 1)));
			if (!pass || !write) {
				ret = npt_read_guest(t, gpa, page, chunk);
				if (ret)
					break;
				if (!pass)
					continue;
				if (copy_to_user(ubuf + off, page, chunk)) {
					ret = -EFAULT;
					break;
				}
			} else {
				if (copy_from_user(page, ubuf + off, chunk)) {
					ret = -EFAULT;
					break;
				}
				ret = npt_write_guest(t, gpa, page, chunk);
				if (ret)
					break;
			}
			if (pass)
				cmd->done = off + chunk;
			cond_resched();
		}
	}
	kfree(page);
	if (ret && !cmd->done)
		return ret;
	return npt_respond(uc) ?: ret;
}

static int npt_read_guest_ioctl(struct npt_ucmd *uc)
{
	return npt_guest_rw_ioctl(uc, false);
}

static int npt_write_guest_ioctl(struct npt_ucmd *uc)
{
	return npt_guest_rw_ioctl(uc, true);
}

/*
 * Every structure of the ABI, for the on-stack copy of the argument.  Its
 * layout rules (see npt_uapi.h) are checked here, once for every ABI.
 */
union npt_ucmd_buffer {
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
	struct npt_guest_rw guest_rw;
	struct npt_age_range age;
};

static_assert(sizeof(struct npt_caps) == NPT_CAPS_SIZE_VER1);
static_assert(offsetofend(struct npt_caps, host_ia_bits_max) ==
	      NPT_CAPS_SIZE_VER0);
static_assert(sizeof(struct npt_create_table) == 40);
static_assert(sizeof(struct npt_plan_range) == 24);
static_assert(sizeof(struct npt_plan) == 8 + 24 * NPT_PLAN_RANGES);
static_assert(sizeof(struct npt_map) == 48 + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_unmap) == 32 + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_protect) == 40 + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_collapse) == 32 + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_xlate) == 40);
static_assert(sizeof(struct npt_translate) == 80);
static_assert(sizeof(struct npt_walk) == 24 + 8 * NPT_MAX_LEVELS);
static_assert(sizeof(struct npt_info) == 56 + 16 * NPT_MAX_LEVELS + 32);
static_assert(sizeof(struct npt_fault_info) == 48);
static_assert(sizeof(struct npt_access) == 24 + sizeof(struct npt_fault_info));
static_assert(sizeof(struct npt_handle_fault) ==
	      40 + sizeof(struct npt_fault_info) + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_set_region) == 40);
static_assert(sizeof(struct npt_dirty_log) == 48 + sizeof(struct npt_plan));
static_assert(sizeof(struct npt_guest_rw) == 40);
static_assert(sizeof(struct npt_age_range) == 48);

/**
 * struct npt_ioctl_op - one command
 * @size:	sizeof its structure in this kernel.
 * @min_size:	sizeof its first version: smaller is -EINVAL.
 * @cmd:	The full command number.
 * @on_table:	Issued on a table fd (else on /dev/npt).
 * @fn:		The handler.
 */
struct npt_ioctl_op {
	u32 size;
	u32 min_size;
	unsigned int cmd;
	bool on_table;
	int (*fn)(struct npt_ucmd *uc);
};

/* A command whose structure has grown since its first version. */
#define NPT_IOCTL_VER(_nr, _cmd, _fn, _struct, _min, _table)		\
	[_nr] = {							\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union npt_ucmd_buffer) < \
					  sizeof(_struct)),		\
		.min_size = _min,					\
		.cmd = _cmd,						\
		.on_table = _table,					\
		.fn = _fn,						\
	}

#define NPT_IOCTL(_nr, _cmd, _fn, _struct, _table)			\
	NPT_IOCTL_VER(_nr, _cmd, _fn, _struct, sizeof(_struct), _table)

static int npt_age_ioctl(struct npt_ucmd *uc)
{
	struct npt_age_range *cmd = uc->cmd;
	struct npt_table *t = uc->nf->t;
	u64 __user *ubm = u64_to_user_ptr(cmd->bitmap);
	unsigned long *bm = NULL;
	u64 *words = NULL;
	u64 off, pages, young, total = 0;
	int ret = 0;

	if (cmd->flags & ~NPT_AGE_CLEAR)
		return -EINVAL;
	if (!cmd->length || cmd->length > NPT_AGE_MAX ||
	    !IS_ALIGNED(cmd->gpa | cmd->length, NPT_PAGE_SIZE))
		return -EINVAL;
	if (cmd->gpa + cmd->length < cmd->gpa)
		return -EOVERFLOW;
	/* The whole range first: a chunk beyond the width fails no later. */
	if (cmd->gpa + cmd->length > BIT_ULL(npt_ia_bits(t)))
		return -ERANGE;
	/* A table without accessed flags, before anything is written. */
	ret = npt_age(t, cmd->gpa, NPT_PAGE_SIZE, NULL, 0, &young);
	if (ret)
		return ret;

	if (cmd->bitmap) {
		bm = kmalloc(NPT_DIRTY_CHUNK_BYTES, GFP_KERNEL);
		words = kmalloc(NPT_DIRTY_CHUNK_BYTES, GFP_KERNEL);
		if (!bm || !words) {
			ret = -ENOMEM;
			goto out;
		}
		/* A bitmap the caller cannot write fails before any clear. */
		ret = npt_bitmap_clear(ubm, cmd->length);
		if (ret)
			goto out;
	}

	cmd->done = 0;
	for (off = 0; off < cmd->length; off += pages << NPT_PAGE_SHIFT) {
		pages = min_t(u64, (cmd->length - off) >> NPT_PAGE_SHIFT,
			      NPT_DIRTY_CHUNK_PAGES);
		/* A block that goes on into the next chunk is cleared there. */
		ret = npt_age(t, cmd->gpa + off, pages << NPT_PAGE_SHIFT, bm,
			      cmd->flags | (off + (pages << NPT_PAGE_SHIFT) <
					    cmd->length ? NPT_AGE_MORE : 0),
			      &young);
		if (!ret && bm)
			ret = npt_chunk_to_user(ubm, off, pages, bm, words);
		if (ret)
			break;
		total += young;
		cmd->done = off + (pages << NPT_PAGE_SHIFT);
		cond_resched();
	}
	if (!ret || cmd->done) {
		int err;

		cmd->young = total;
		err = npt_respond(uc);
		ret = ret ?: err;
	}
out:
	kfree(words);
	kfree(bm);
	return ret;
}

static const struct npt_ioctl_op npt_ioctl_ops[] = {
	NPT_IOCTL_VER(NPT_CMD_GET_CAPS, NPT_GET_CAPS, npt_get_caps,
		      struct npt_caps, NPT_CAPS_SIZE_VER0, false),
	NPT_IOCTL(NPT_CMD_CREATE_TABLE, NPT_CREATE_TABLE, npt_create_table,
		  struct npt_create_table, false),
	NPT_IOCTL(NPT_CMD_MAP, NPT_MAP, npt_map_ioctl, struct npt_map, true),
	NPT_IOCTL(NPT_CMD_UNMAP, NPT_UNMAP, npt_unmap_ioctl,
		  struct npt_unmap, true),
	NPT_IOCTL(NPT_CMD_PROTECT, NPT_PROTECT, npt_protect_ioctl,
		  struct npt_protect, true),
	NPT_IOCTL(NPT_CMD_TRANSLATE, NPT_TRANSLATE, npt_translate_ioctl,
		  struct npt_translate, true),
	NPT_IOCTL(NPT_CMD_WALK, NPT_WALK, npt_walk_ioctl,
		  struct npt_walk, true),
	NPT_IOCTL(NPT_CMD_INFO, NPT_INFO, npt_info_ioctl,
		  struct npt_info, true),
	NPT_IOCTL(NPT_CMD_COLLAPSE, NPT_COLLAPSE, npt_collapse_ioctl,
		  struct npt_collapse, true),
	NPT_IOCTL(NPT_CMD_ACCESS, NPT_ACCESS, npt_access_ioctl,
		  struct npt_access, true),
	NPT_IOCTL(NPT_CMD_HANDLE_FAULT, NPT_HANDLE_FAULT,
		  npt_handle_fault_ioctl, struct npt_handle_fault, true),
	NPT_IOCTL(NPT_CMD_SET_REGION, NPT_SET_REGION, npt_set_region_ioctl,
		  struct npt_set_region, true),
	NPT_IOCTL(NPT_CMD_GET_DIRTY_LOG, NPT_GET_DIRTY_LOG,
		  npt_dirty_log_ioctl, struct npt_dirty_log, true),
	NPT_IOCTL(NPT_CMD_READ_GUEST, NPT_READ_GUEST, npt_read_guest_ioctl,
		  struct npt_guest_rw, true),
	NPT_IOCTL(NPT_CMD_WRITE_GUEST, NPT_WRITE_GUEST, npt_write_guest_ioctl,
		  struct npt_guest_rw, true),
	NPT_IOCTL(NPT_CMD_AGE, NPT_AGE, npt_age_ioctl, struct npt_age_range,
		  true),
};

static long npt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	bool on_table = file->f_op == &npt_table_fops;
	const struct npt_ioctl_op *op;
	union npt_ucmd_buffer buf;
	struct npt_ucmd uc = {
		.file	= file,
		.nf	= on_table ? file->private_data : NULL,
		.ubuf	= (void __user *)arg,
		.cmd	= &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	struct mem_cgroup *memcg;
	int ret;

	if (nr >= ARRAY_SIZE(npt_ioctl_ops))
		return -ENOTTY;
	op = &npt_ioctl_ops[nr];
	if (!op->fn || op->cmd != cmd || op->on_table != on_table)
		return -ENOTTY;

	if (get_user(uc.user_size, (u32 __user *)uc.ubuf))
		return -EFAULT;
	if (uc.user_size < op->min_size)
		return -EINVAL;
	/* As openat2() and clone3(): no structure grows past 4 KiB. */
	if (uc.user_size > SZ_4K)
		return -E2BIG;
	uc.size = op->size;
	ret = copy_struct_from_user(&buf, op->size, uc.ubuf, uc.user_size);
	if (ret)
		return ret;
	if (!uc.nf)
		return op->fn(&uc);
	/* A table's pages are charged to its creator, as KVM's to the VM's. */
	memcg = set_active_memcg(uc.nf->memcg);
	ret = op->fn(&uc);
	set_active_memcg(memcg);
	return ret;
}

static const struct file_operations npt_misc_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= npt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice npt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "npt",
	.fops	= &npt_misc_fops,
	.mode	= 0600,
};

static int __init npt_init(void)
{
	int ret;

	/* -EOPNOTSUPP leaves it zero: this CPU walks no format. */
	npt_host_caps(&npt_host);
	ret = misc_register(&npt_misc);
	if (ret)
		pr_err("cannot register /dev/npt: %d\n", ret);
	return ret;
}

static void __exit npt_exit(void)
{
	misc_deregister(&npt_misc);
}

module_init(npt_init);
module_exit(npt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Nested (second-stage) page tables in hardware formats, and /dev/npt");
MODULE_AUTHOR("The npt authors");
