/* The trees COPY reads, in place: a context dir seen through its .dockerignore, or an
 * image's unpacked layers seen as overlay would merge them (a whiteout hides what is
 * below it, an opaque dir all that is below it), without mounting anything. */
#include "core/base/util.h"
#include "core/build_stage.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

void build_tree_image(struct build_tree *t, const struct image *img)
{
	memset(t, 0, sizeof *t);
	for (size_t i = img->n_layers; i-- > 0;)
		strv_push(&t->roots, img->layer_dirs[i]);
	t->n = img->n_layers;
	t->layered = true;
}

void build_tree_release(struct build_tree *t)
{
	strv_free(t->roots);
	memset(t, 0, sizeof *t);
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(const char *path)
{
	char v[2];
	return (getxattr(path, "user.overlay.opaque", v, sizeof v) == 1 ||
		getxattr(path, "trusted.overlay.opaque", v, sizeof v) == 1) &&
	       v[0] == 'y';
}

/* Whether an ancestor of rel is hidden in layer root above the layers below: a whiteout
 * of it, or an opaque dir (then *stop: nothing below this layer counts). */
static bool hidden_here(const char *root, const char *rel, bool *stop)
{
	cleanup_free char *copy = xstrdup(rel);
	struct stat st;

	for (char *slash = strchr(copy, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		cleanup_free char *p = xasprintf("%s/%s", root, copy);
		*slash = '/';
		if (lstat(p, &st) < 0)
			return false;
		if (is_whiteout(&st) || !S_ISDIR(st.st_mode))
			return true;
		if (is_opaque(p))
			*stop = true;
	}
	return false;
}

char *build_tree_find(const struct build_tree *t, const char *rel, struct stat *st)
{
	/* an excluded dir stays when an exception may bring back something below it */
	if (t->ignore && *rel && dockerignore_excluded(t->ignore, rel)) {
		char *p = xasprintf("%s/%s", t->roots[0], rel);
		if (lstat(p, st) == 0 && S_ISDIR(st->st_mode) &&
		    dockerignore_may_include_below(t->ignore, rel))
			return p;
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		bool stop = false;
		if (t->layered && *rel && hidden_here(t->roots[i], rel, &stop))
			return NULL;
		char *p = *rel ? xasprintf("%s/%s", t->roots[i], rel) : xstrdup(t->roots[i]);
		if (lstat(p, st) == 0) {
			if (t->layered && is_whiteout(st)) {
				free(p);
				return NULL;
			}
			return p;
		}
		free(p);
		if (stop)
			break;
	}
	return NULL;
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **build_tree_list(const struct build_tree *t, const char *rel)
{
	char **names = NULL, **gone = NULL;

	for (size_t i = 0; i < t->n; i++) {
		cleanup_free char *p =
		    *rel ? xasprintf("%s/%s", t->roots[i], rel) : xstrdup(t->roots[i]);
		cleanup_dir DIR *d = opendir(p);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			/* one layer cannot name a file twice: only merging looks back */
			if (i &&
			    (strv_contains(names, e->d_name) || strv_contains(gone, e->d_name)))
				continue;
			cleanup_free char *child =
			    *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
			struct stat st;
			cleanup_free char *found = build_tree_find(t, child, &st);
			strv_push(found ? &names : &gone, e->d_name);
		}
		if (!t->layered || (d && is_opaque(p)))
			break;
	}
	strv_free(gone);
	if (!names)
		names = xzalloc(sizeof *names);
	qsort(names, strv_len(names), sizeof *names, compare);
	return names;
}
