/* The change walker: one pass over the top dir, each entry looked up in the image as
 * overlay merges its layers (the topmost layer wins; whiteouts and opaque dirs hide what
 * is below them). Parent dirs of changes are listed as changed, as docker's naive diff
 * does, so that a layer made from the list carries their owners and modes. */
#include "storage/changes.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

/* Native overlay marks opaque dirs with user.overlay.opaque in a user namespace (trusted.
 * as real root); fuse-overlayfs with trusted.overlay.opaque or, rootless, its own xattr,
 * and with a .wh..wh..opq file besides. */
static const char *const opaque_xattrs[] = {"user.overlay.opaque", "trusted.overlay.opaque",
					    "user.fuseoverlayfs.opaque"};

/* One dir of the image: the same path in each layer that contributes to it, top first. */
struct lower_dir {
	char **dirs;
	size_t n;
};

static void lower_dir_release(struct lower_dir *ld)
{
	for (size_t i = 0; i < ld->n; i++)
		free(ld->dirs[i]);
	free(ld->dirs);
	memset(ld, 0, sizeof *ld);
}

/* An entry of a top dir, or a name only the image has (in_top false). */
struct entry {
	char *name;
	struct stat st;
	bool whiteout;
	bool in_top;
};

struct listing {
	struct entry *v;
	size_t n;
	bool opaque;
};

static void listing_release(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

struct walk {
	const struct changes_request *req;
	struct changes *out;
};

static bool dir_marked_opaque(const char *path)
{
	for (size_t i = 0; i < sizeof opaque_xattrs / sizeof *opaque_xattrs; i++) {
		char v[2];
		if (lgetxattr(path, opaque_xattrs[i], v, sizeof v) == 1 && v[0] == 'y')
			return true;
	}
	return false;
}

/* Overlay's whiteout is a char device 0/0; where mknod is refused, newer kernels read an
 * empty file carrying user.overlay.whiteout as one. */
static bool is_whiteout(const char *path, const struct stat *st)
{
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
		return true;
	return S_ISREG(st->st_mode) && st->st_size == 0 &&
	       lgetxattr(path, "user.overlay.whiteout", NULL, 0) >= 0;
}

/* Adds path (a dir of one layer) to ld; false when it hides the layers below. */
static bool lower_dir_add(struct lower_dir *ld, char *path)
{
	ld->dirs = xrealloc(ld->dirs, (ld->n + 1) * sizeof *ld->dirs);
	ld->dirs[ld->n++] = path;
	return !dir_marked_opaque(path);
}

/* Looks name up in the image dir ld. Returns 1 with *st (and *where, the path in the
 * layer that provides it, when not NULL) when the image has it, 0 when not. For a dir,
 * *child (when not NULL) gets the layers that merge into it. */
static int lower_find(const struct lower_dir *ld, const char *name, struct stat *st, char **where,
		      struct lower_dir *child, struct holt_err *err)
{
	bool found = false;
	for (size_t i = 0; i < ld->n; i++) {
		char *path = xasprintf("%s/%s", ld->dirs[i], name);
		struct stat s;
		if (lstat(path, &s) < 0) {
			int errsv = errno;
			free(path);
			if (errsv == ENOENT || errsv == ENOTDIR)
				continue;
			return holt_err_set(err, errsv, "read \"%s/%s\"", ld->dirs[i], name);
		}
		if (!found) {
			if (is_whiteout(path, &s)) {
				free(path);
				return 0;
			}
			found = true;
			*st = s;
			if (where)
				*where = xstrdup(path);
		} else if (!S_ISDIR(s.st_mode)) {
			/* a file or a whiteout under a dir ends the merge */
			free(path);
			break;
		}
		if (!S_ISDIR(s.st_mode) || !child) {
			free(path);
			break;
		}
		if (!lower_dir_add(child, path))
			break;
	}
	return found;
}

static void listing_push(struct listing *l, const char *name, const struct stat *st, bool whiteout,
			 bool in_top)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = (struct entry){xstrdup(name), *st, whiteout, in_top};
}

static int by_name_only(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = by_name_only(a, b);
	/* a fuse-overlayfs .wh.NAME beside a real NAME: the real one first */
	return c ? c : (int)x->whiteout - (int)y->whiteout;
}

/* Classifies one entry of a top dir in the upper format: whiteouts in any form, the
 * opaque marker file. */
static void add_upper_entry(struct listing *l, const char *dir, const char *name,
			    const struct stat *st)
{
	if (!strcmp(name, WH_OPAQUE)) {
		l->opaque = true;
		return;
	}
	if (!strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) && S_ISREG(st->st_mode)) {
		listing_push(l, name + strlen(WH_PREFIX), st, true, true);
		return;
	}
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	listing_push(l, name, st, is_whiteout(path, st), true);
}

static unsigned long shift_id(const struct id_shift_line *l, int n, unsigned long id)
{
	for (int i = 0; i < n; i++)
		if (id >= l[i].outside && id - l[i].outside < l[i].count)
			return l[i].inside + (id - l[i].outside);
	return id;
}

void id_shift_back(const struct id_shift *shift, struct stat *st)
{
	st->st_uid = (uid_t)shift_id(shift->uid, shift->n_uid, st->st_uid);
	st->st_gid = (gid_t)shift_id(shift->gid, shift->n_gid, st->st_gid);
}

static int list_top(const struct walk *w, const char *dir, struct listing *l, struct holt_err *err)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return holt_err_set(err, errno, "read \"%s\"", dir);
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			/* removed by the running container since readdir */
			if (errno == ENOENT)
				continue;
			return holt_err_set(err, errno, "read \"%s/%s\"", dir, de->d_name);
		}
		if (w->req->shift)
			id_shift_back(w->req->shift, &st);
		if (w->req->format == CHANGES_UPPER)
			add_upper_entry(l, dir, de->d_name, &st);
		else
			listing_push(l, de->d_name, &st, false, true);
	}
	if (errno)
		return holt_err_set(err, errno, "read \"%s\"", dir);
	if (w->req->format == CHANGES_UPPER && dir_marked_opaque(dir))
		l->opaque = true;
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, by_name);
	/* keep the first of equal names (see by_name) */
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (k && !strcmp(l->v[k - 1].name, l->v[i].name))
			free(l->v[i].name);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
	return 0;
}

struct lower_name {
	char *name;
	size_t layer;
	bool whiteout;
};

static int by_name_then_layer(const void *a, const void *b)
{
	const struct lower_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->layer > y->layer) - (x->layer < y->layer);
}

static int read_lower_names(const struct lower_dir *ld, struct lower_name **v, size_t *n,
			    struct holt_err *err)
{
	for (size_t i = 0; i < ld->n; i++) {
		cleanup_dir DIR *d = opendir(ld->dirs[i]);
		struct dirent *de;
		if (!d)
			return holt_err_set(err, errno, "read \"%s\"", ld->dirs[i]);
		while ((errno = 0, de = readdir(d))) {
			struct stat st;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return holt_err_set(err, errno, "read \"%s/%s\"", ld->dirs[i],
						    de->d_name);
			cleanup_free char *path = xasprintf("%s/%s", ld->dirs[i], de->d_name);
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] =
			    (struct lower_name){xstrdup(de->d_name), i, is_whiteout(path, &st)};
		}
		if (errno)
			return holt_err_set(err, errno, "read \"%s\"", ld->dirs[i]);
	}
	return 0;
}

/* Adds to l, as in_top false, each name the image shows in ld that l lacks. */
static int add_lower_names(const struct lower_dir *ld, struct listing *l, struct holt_err *err)
{
	struct lower_name *v = NULL;
	size_t n = 0, in_top = l->n;
	int ret = read_lower_names(ld, &v, &n, err);

	if (ret == 0 && n) {
		qsort(v, n, sizeof *v, by_name_then_layer);
		for (size_t i = 0; i < n; i++) {
			/* the topmost layer's entry decides */
			if ((i && !strcmp(v[i - 1].name, v[i].name)) || v[i].whiteout)
				continue;
			struct entry key = {.name = v[i].name};
			if (!in_top || !bsearch(&key, l->v, in_top, sizeof *l->v, by_name_only))
				listing_push(l, v[i].name, &(struct stat){0}, false, false);
		}
		if (l->n)
			qsort(l->v, l->n, sizeof *l->v, by_name);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return ret;
}

static size_t push_change(struct walk *w, char *path, enum change_kind kind, bool under_opaque)
{
	struct changes *c = w->out;
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	c->v[c->n] = (struct change){path, kind, false, under_opaque};
	return c->n++;
}

static bool ignored(const struct walk *w, const char *path)
{
	for (char *const *p = w->req->ignore; p && *p; p++) {
		size_t len = strlen(*p);
		if (!strncmp(path, *p, len) && (path[len] == '/' || path[len] == '\0'))
			return true;
	}
	return false;
}

static bool owner_or_mode_differ(const struct stat *a, const struct stat *b)
{
	return a->st_mode != b->st_mode || a->st_uid != b->st_uid || a->st_gid != b->st_gid;
}

static bool link_targets_differ(const char *a, const char *b)
{
	char ta[4096], tb[4096];
	ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);
	return na < 0 || na != nb || memcmp(ta, tb, (size_t)na) != 0;
}

/* For a copy: whether a file differs from the image's. Copies keep mtimes, so a write
 * shows; a symlink's own times are not kept, so its target is compared instead. */
static bool file_differs(const char *top, const struct stat *t, const char *lower,
			 const struct stat *l)
{
	if (owner_or_mode_differ(t, l))
		return true;
	if (S_ISLNK(t->st_mode))
		return link_targets_differ(top, lower);
	if (S_ISCHR(t->st_mode) || S_ISBLK(t->st_mode))
		return t->st_rdev != l->st_rdev;
	return t->st_size != l->st_size || t->st_mtim.tv_sec != l->st_mtim.tv_sec ||
	       t->st_mtim.tv_nsec != l->st_mtim.tv_nsec;
}

static int walk_dir(struct walk *w, const char *rel, const char *top, const struct lower_dir *ld,
		    size_t self, struct holt_err *err);

/* One entry of a top dir that the top has (not a whiteout). */
static int walk_entry(struct walk *w, const struct entry *e, char *path, const char *top,
		      const struct lower_dir *ld, struct holt_err *err)
{
	cleanup_free char *top_path = xasprintf("%s/%s", top, e->name);
	cleanup_free char *where = NULL;
	struct lower_dir child = {0};
	struct stat l;
	bool dir = S_ISDIR(e->st.st_mode);
	int found = lower_find(ld, e->name, &l, &where, dir ? &child : NULL, err);

	if (found < 0) {
		lower_dir_release(&child);
		free(path);
		return -1;
	}
	if (!dir) {
		if (!found)
			push_change(w, path, CHANGE_ADD, false);
		else if (w->req->format == CHANGES_UPPER ||
			 file_differs(top_path, &e->st, where, &l))
			push_change(w, path, CHANGE_MODIFY, false);
		else
			free(path);
		return 0;
	}
	size_t idx = push_change(w, path, found ? CHANGE_MODIFY : CHANGE_ADD, false);
	int ret = walk_dir(w, w->out->v[idx].path, top_path, &child, idx, err);
	lower_dir_release(&child);
	if (ret < 0)
		return -1;
	/* A dir the image has, unchanged itself, with nothing changed below: no change. Its
	 * mtime is not compared: making holt's mount points in it changes that. */
	if (found && S_ISDIR(l.st_mode) && w->out->n == idx + 1 && !w->out->v[idx].opaque &&
	    !owner_or_mode_differ(&e->st, &l)) {
		free(w->out->v[idx].path);
		w->out->n--;
	}
	return 0;
}

/* Walks the top dir top (rel in the container: "" for the root) against the image dir
 * ld; self is the index of the dir's own change, SIZE_MAX for the root. */
static int walk_dir(struct walk *w, const char *rel, const char *top, const struct lower_dir *ld,
		    size_t self, struct holt_err *err)
{
	struct listing l = {0};
	int ret = list_top(w, top, &l, err);
	bool opaque = l.opaque && ld->n > 0;

	if (ret == 0 && opaque && self != SIZE_MAX)
		w->out->v[self].opaque = true;
	if (ret == 0 && (opaque || w->req->format == CHANGES_COPY))
		ret = add_lower_names(ld, &l, err);
	for (size_t i = 0; ret == 0 && i < l.n; i++) {
		const struct entry *e = &l.v[i];
		char *path = xasprintf("%s/%s", rel, e->name);
		if (ignored(w, path)) {
			free(path);
			continue;
		}
		if (!e->in_top) {
			push_change(w, path, CHANGE_DELETE, w->req->format == CHANGES_UPPER);
			continue;
		}
		if (!e->whiteout) {
			ret = walk_entry(w, e, path, top, ld, err);
			continue;
		}
		struct stat st;
		int found = lower_find(ld, e->name, &st, NULL, NULL, err);
		/* fuse-overlayfs may leave whiteouts of names the image never had */
		if (found > 0)
			push_change(w, path, CHANGE_DELETE, false);
		else
			free(path);
		ret = found < 0 ? -1 : 0;
	}
	listing_release(&l);
	return ret;
}

int changes_walk(const struct changes_request *req, struct changes *out, struct holt_err *err)
{
	struct walk w = {req, out};
	struct lower_dir root = {0};

	memset(out, 0, sizeof *out);
	out->shift = req->shift;
	for (size_t i = req->n_lower; i > 0; i--)
		if (!lower_dir_add(&root, xstrdup(req->lower[i - 1])))
			break;
	int ret = walk_dir(&w, "", req->top, &root, SIZE_MAX, err);
	lower_dir_release(&root);
	if (ret < 0)
		changes_release(out);
	return ret;
}

void changes_release(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	memset(c, 0, sizeof *c);
}
