/* Native overlayfs, mounted inside the user namespace (kernel >= 5.11) with userxattr so
 * that opaque dirs are read from user.overlay.opaque. */
#include "core/base/util.h"
#include "storage/rootfs.h"

#include <errno.h>
#include <sys/mount.h>

static int overlay_mount(const struct rootfs_layout *layout, struct holt_err *err)
{
	cleanup_free char *lower = rootfs_lowerdir_option(layout);
	cleanup_free char *data = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower,
					    layout->upper, layout->work);

	if (layout->n_lower == 0)
		return holt_err_set(err, 0, "overlay on \"%s\": the image has no layers",
				    layout->target);
	if (rootfs_enter_lower_base(layout, err) < 0)
		return -1;
	if (mount("overlay", layout->target, "overlay", 0, data) < 0)
		return holt_err_set(err, errno, "mount overlay on \"%s\"", layout->target);
	return 0;
}

const struct rootfs_driver rootfs_overlay = {
    .name = "overlay",
    .mount = overlay_mount,
};
