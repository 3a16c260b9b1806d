/* A container's changes: from its overlay upper dir, or, when it ran on the vfs driver,
 * from its private copy compared file by file with the image. */
#include "core/container_changes.h"
#include "core/base/util.h"
#include "core/keep_id_view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

/* What core/mounts.c mounts or binds over in every container: not the container's own
 * change (docker keeps these in an init layer that diff and commit leave out). */
static char *const mount_points[] = {
    "/dev", "/proc", "/sys", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", NULL,
};

int container_changes(const struct container *c, const struct image *img, struct id_shift *shift,
		      struct changes *out, char **top, struct holt_err *err)
{
	bool shifted;
	if (keep_id_view_shift(c, shift, &shifted, err) < 0)
		return -1;
	/* The vfs driver makes the copy at the first start and uses nothing else after. */
	cleanup_free char *copy = xasprintf("%s/rootfs", c->dir);
	bool vfs = access(copy, F_OK) == 0;
	cleanup_free char *dir = vfs ? steal_pointer(&copy) : xasprintf("%s/upper", c->dir);
	/* Absolute: the commit's layer is read on a thread while unpacking moves the cwd. */
	cleanup_free char *abs = realpath(dir, NULL);
	if (!abs)
		return holt_err_set(err, errno, "container \"%s\": read \"%s\"", c->name, dir);

	struct changes_request req = {
	    .lower = img->layer_dirs,
	    .n_lower = img->n_layers,
	    .top = abs,
	    .format = vfs ? CHANGES_COPY : CHANGES_UPPER,
	    .ignore = mount_points,
	    .shift = shifted ? shift : NULL,
	};
	if (changes_walk(&req, out, err) < 0)
		return holt_err_wrap(err, "container \"%s\"", c->name);
	*top = steal_pointer(&abs);
	return 0;
}
