#include "core/keep_id_view.h"
#include "core/base/util.h"
#include "core/ns_holder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

char *keep_id_view_mark_path(const struct container *c)
{
	return xasprintf("%s/upper-nested-ids", c->dir);
}

bool keep_id_view_marked(const struct container *c)
{
	cleanup_free char *mark = keep_id_view_mark_path(c);
	return access(mark, F_OK) == 0;
}

/* Nothing in it: no file of the container's is stored with holt's own ids yet. */
static bool upper_empty(const struct container *c)
{
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	cleanup_dir DIR *d = opendir(upper);
	struct dirent *e;
	if (!d)
		return errno == ENOENT;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			return false;
	return true;
}

int keep_id_view_choose(const struct container *c, const char *driver, bool possible, bool *view,
			struct holt_err *err)
{
	bool fuse = driver && strcmp(driver, "fuse-overlayfs") == 0;
	bool overlay = driver && strcmp(driver, "overlay") == 0;

	if (driver && !fuse && !(overlay && possible))
		return holt_err_set(
		    err, 0, "--userns %s needs the %s storage driver, not \"%s\"", c->config.userns,
		    possible ? "overlay or fuse-overlayfs" : "fuse-overlayfs", driver);
	if (keep_id_view_marked(c)) {
		*view = true;
		return fuse ? holt_err_set(err, 0,
					   "container \"%s\": its files are stored with the ids of "
					   "its own user namespace (it ran on overlay), which "
					   "fuse-overlayfs cannot show",
					   c->name)
			    : 0;
	}
	*view = possible && !fuse && upper_empty(c);
	if (!*view && overlay)
		return holt_err_set(err, 0,
				    "container \"%s\": its files are stored by fuse-overlayfs (it "
				    "ran on that driver), which overlay cannot show",
				    c->name);
	return 0;
}

int keep_id_view_join(struct store *s, const struct image *img, const struct keep_id_maps *keep,
		      struct layer_view *v, struct holt_err *err)
{
	struct layer_view_request req = {
	    .runroot = store_runroot(s),
	    .lower = img->layer_dirs,
	    .n_lower = img->n_layers,
	    .uidmapping = keep->fuse_uidmapping,
	    .gidmapping = keep->fuse_gidmapping,
	    .open_watch = ns_holder_pidfd,
	};

	if (layer_view_get(&req, v, err) < 0)
		return -1;
	/* setns moves the working directory to the namespace's root. A descriptor keeps the
	 * caller's, and works from any namespace: the view's may lack it (mounted later, on a
	 * host whose mounts are private). One holt cannot open (a user's FUSE mount) it could
	 * not use before either. */
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (setns(v->mntns, CLONE_NEWNS) < 0)
		return holt_err_set(err, errno, "keep-id view: join the mount namespace of \"%s\"",
				    v->merged);
	if (cwd >= 0 && fchdir(cwd) < 0)
		return holt_err_set(err, errno, "keep-id view: return to the working directory");
	return 0;
}

static int copy_lines(const struct keep_id_line *in, int n, struct id_shift_line *out)
{
	for (int i = 0; i < n; i++)
		out[i] = (struct id_shift_line){in[i].inside, in[i].outside, in[i].count};
	return n;
}

int keep_id_view_shift(const struct container *c, struct id_shift *out, bool *shifted,
		       struct holt_err *err)
{
	struct keep_id k;
	struct keep_id_line lines[3];
	unsigned long n_uids, n_gids;
	uid_t uid;
	gid_t gid;

	*shifted = keep_id_view_marked(c);
	if (!*shifted)
		return 0;
	if (keep_id_parse(c->config.userns, &k, err) < 0 || keep_id_ids(&k, &uid, &gid, err) < 0 ||
	    keep_id_own_counts(&n_uids, &n_gids, err) < 0)
		return holt_err_wrap(err, "container \"%s\": its owners", c->name);
	out->n_uid = copy_lines(lines, keep_id_lines(uid, n_uids, lines), out->uid);
	out->n_gid = copy_lines(lines, keep_id_lines(gid, n_gids, lines), out->gid);
	return 0;
}
