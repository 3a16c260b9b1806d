/* Native overlayfs, mounted inside the user namespace (kernel >= 5.11) with userxattr so
 * that opaque dirs are read from user.overlay.opaque. */
#include "core/base/util.h"
#include "storage/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* overlayfs's own limit on the layers it stacks (OVL_MAX_STACK) */
#define OVERLAY_MAX_LAYERS 500

/* The mount data of mount(2) is one page: past it, the layers go one fsconfig call each
 * ("lowerdir+", kernel 6.8). Returns 1 when the kernel does not know lowerdir+. */
static int mount_layer_by_layer(const struct rootfs_layout *layout, struct holt_err *err)
{
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return holt_err_set(err, errno, "mount overlay on \"%s\"", layout->target);
	for (size_t i = layout->n_lower; i-- > 0;)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", layout->lower[i], 0) < 0)
			return errno == EINVAL && i == layout->n_lower - 1
				   ? 1
				   : holt_err_set(err, errno,
						  "mount overlay on \"%s\": layer \"%s\"",
						  layout->target, layout->lower[i]);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", layout->upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", layout->work, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return holt_err_set(err, errno, "mount overlay on \"%s\"", layout->target);
	cleanup_close int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0 || move_mount(mnt, "", AT_FDCWD, layout->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return holt_err_set(err, errno, "mount overlay on \"%s\"", layout->target);
	return 0;
}

static int overlay_mount(const struct rootfs_layout *layout, struct holt_err *err)
{
	cleanup_free char *lower = rootfs_lowerdir_option(layout);
	cleanup_free char *data = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower,
					    layout->upper, layout->work);

	if (layout->n_lower == 0)
		return holt_err_set(err, 0, "overlay on \"%s\": the image has no layers",
				    layout->target);
	if (layout->n_lower > OVERLAY_MAX_LAYERS)
		return holt_err_set(err, 0,
				    "overlay on \"%s\": the image has %zu layers, overlay "
				    "stacks %d at most",
				    layout->target, layout->n_lower, OVERLAY_MAX_LAYERS);
	if (rootfs_enter_lower_base(layout, err) < 0)
		return -1;
	if (strlen(data) >= (size_t)sysconf(_SC_PAGESIZE)) {
		int r = mount_layer_by_layer(layout, err);
		if (r <= 0)
			return r;
		return holt_err_set(err, 0,
				    "overlay on \"%s\": %zu layers do not fit in one page "
				    "of mount options, and this kernel has no lowerdir+ (6.8)",
				    layout->target, layout->n_lower);
	}
	if (mount("overlay", layout->target, "overlay", 0, data) < 0)
		return holt_err_set(err, errno, "mount overlay on \"%s\"", layout->target);
	return 0;
}

const struct rootfs_driver rootfs_overlay = {
    .name = "overlay",
    .mount = overlay_mount,
};
