/* Picking the root filesystem driver: the one asked for, or the first that works. */
#include "storage/rootfs.h"
#include "core/base/log.h"
#include "core/base/util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const struct rootfs_driver *const drivers[] = {
    &rootfs_overlay,
    &rootfs_fuse_overlayfs,
    &rootfs_vfs,
};

const struct rootfs_driver *rootfs_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

int rootfs_mount(const char *name, const struct rootfs_layout *layout, struct holt_err *err)
{
	/* A container that has its own copy was made with vfs; its files are there. */
	if (!name && layout->copy && access(layout->copy, F_OK) == 0)
		name = "vfs";
	if (name) {
		const struct rootfs_driver *d = rootfs_driver_find(name);
		if (!d)
			return holt_err_set(err, 0, "storage driver \"%s\": unknown", name);
		holt_debug("rootfs: %s, as asked or as the container was made", name);
		return d->mount(layout, err);
	}
	/* Each failure says why; keep the first driver's, it is the one users expect. */
	struct holt_err first = {0};
	for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++) {
		struct holt_err e = {0};
		if (drivers[i]->mount(layout, &e) == 0) {
			holt_debug("rootfs: %s", drivers[i]->name);
			holt_err_release(&first);
			return 0;
		}
		holt_debug("rootfs: %s did not mount: %s", drivers[i]->name, e.msg);
		if (!first.msg)
			first = e;
		else
			holt_err_release(&e);
	}
	*err = first;
	return -1;
}

/* lower relative to base when it lies under it, else as it is. */
static const char *relative_to(const char *lower, const char *base)
{
	size_t n = base ? strlen(base) : 0;
	if (n && strncmp(lower, base, n) == 0 && lower[n] == '/' && lower[n + 1])
		return lower + n + 1;
	return lower;
}

int rootfs_enter_lower_base(const struct rootfs_layout *layout, struct holt_err *err)
{
	if (layout->lower_base && chdir(layout->lower_base) < 0)
		return holt_err_set(err, errno, "enter \"%s\"", layout->lower_base);
	return 0;
}

char *rootfs_lowerdir_option(const struct rootfs_layout *layout)
{
	size_t len = 1;
	for (size_t i = 0; i < layout->n_lower; i++)
		len += strlen(layout->lower[i]) + 1;
	char *opt = xmalloc(len), *p = opt;
	for (size_t i = layout->n_lower; i-- > 0;) {
		const char *dir = relative_to(layout->lower[i], layout->lower_base);
		size_t l = strlen(dir);
		memcpy(p, dir, l);
		p += l;
		*p++ = i ? ':' : '\0';
	}
	if (layout->n_lower == 0)
		*p = '\0';
	return opt;
}
