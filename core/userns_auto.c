/* Slices are found by reading every container record, as the records are what is true
 * after a crash: a slice is taken exactly while a record names it. */
#include "core/userns_auto.h"
#include "core/base/util.h"
#include "core/build_stage.h"
#include "core/container_record.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int by_base(const void *a, const void *b)
{
	const struct userns_slice *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

/* The slice in the record in dir, if it has one. */
static bool read_slice(const char *dir, struct userns_slice *out)
{
	struct holt_err e = {0};
	cleanup_json json_object *obj = container_read_json(dir, "config.json", &e);
	json_object *host, *slice, *base, *size;
	holt_err_release(&e);

	if (!obj || !json_object_object_get_ex(obj, "HostConfig", &host) ||
	    !json_object_object_get_ex(host, "HoltUsernsSlice", &slice) ||
	    !json_object_object_get_ex(slice, "Base", &base) ||
	    !json_object_object_get_ex(slice, "Size", &size))
		return false;
	out->base = (unsigned long)json_object_get_int64(base);
	out->size = (unsigned long)json_object_get_int64(size);
	return out->size > 0;
}

/* Every slice recorded under containers/, sorted by base; *n of them. */
static struct userns_slice *recorded_slices(struct store *s, size_t *n, struct holt_err *err)
{
	cleanup_free char *root = xasprintf("%s/containers", store_root(s));
	DIR *d = opendir(root);
	struct userns_slice *out = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!d && errno != ENOENT)
		return holt_err_set(err, errno, "read \"%s\"", root), NULL;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "names") == 0)
			continue;
		cleanup_free char *dir = xasprintf("%s/%s", root, de->d_name);
		struct userns_slice sl;
		if (!read_slice(dir, &sl))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			out = xrealloc(out, cap * sizeof *out);
		}
		out[(*n)++] = sl;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(out, *n, sizeof *out, by_base);
	return out ? out : xzalloc(sizeof *out);
}

int userns_auto_fit(const struct userns_slice *taken, size_t n, unsigned long size,
		    unsigned long limit, unsigned long *base)
{
	/* the user's own id, 0 in holt's namespace, is no container's */
	unsigned long next = 1;
	for (size_t i = 0; i <= n; i++) {
		unsigned long end = i < n ? taken[i].base : limit;
		if (end > next && end - next >= size) {
			*base = next;
			return 0;
		}
		if (i < n && taken[i].base + taken[i].size > next)
			next = taken[i].base + taken[i].size;
	}
	return -1;
}

int userns_auto_pick(struct store *s, unsigned long size, unsigned long *base, struct holt_err *err)
{
	unsigned long n_uids, n_gids;

	if (userns_needs_subids("auto", err) < 0 || keep_id_own_counts(&n_uids, &n_gids, err) < 0)
		return -1;
	unsigned long limit = n_uids < n_gids ? n_uids : n_gids;
	size_t n;
	cleanup_free struct userns_slice *taken = recorded_slices(s, &n, err);
	if (!taken)
		return -1;
	if (userns_auto_fit(taken, n, size, limit, base) == 0)
		return 0;
	return holt_err_set(err, 0,
			    "--userns auto: no free slice of %lu ids among holt's %lu "
			    "subordinate ids (%zu containers hold slices; remove some, or ask "
			    "for a smaller one with auto:size=N)",
			    size, limit - 1, n);
}

/* The largest id (fields 3 and 4, the gid, of passwd; 3 of group) in file of t, the
 * nobody entries left out. */
static unsigned long largest_id(const struct build_tree *t, const char *file)
{
	struct stat st;
	cleanup_free char *path = build_tree_find(t, file, &st);
	cleanup_file FILE *f = path && S_ISREG(st.st_mode) ? fopen(path, "re") : NULL;
	char line[1024];
	unsigned long max = 0;

	while (f && fgets(line, sizeof line, f)) {
		char *save, *name = strtok_r(line, ":", &save);
		char *pw = name ? strtok_r(NULL, ":", &save) : NULL;
		char *fields[2] = {pw ? strtok_r(NULL, ":", &save) : NULL, NULL};
		fields[1] = fields[0] ? strtok_r(NULL, ":", &save) : NULL;
		if (!fields[0] || strcmp(name, "nobody") == 0 || strcmp(name, "nogroup") == 0)
			continue;
		for (int i = 0; i < 2 && fields[i]; i++) {
			char *end;
			unsigned long id = strtoul(fields[i], &end, 10);
			if (end != fields[i] && (!*end || *end == ':' || *end == '\n') &&
			    id != 65534 && id < 0xffffffffUL && id > max)
				max = id;
		}
	}
	return max;
}

unsigned long userns_auto_image_size(const struct image *img)
{
	struct build_tree t;
	build_tree_image(&t, img);
	unsigned long u = largest_id(&t, "etc/passwd"), g = largest_id(&t, "etc/group");
	build_tree_release(&t);
	unsigned long need = (u > g ? u : g) + 1;
	return need > USERNS_AUTO_SIZE ? need : USERNS_AUTO_SIZE;
}

int userns_needs_subids(const char *mode, struct holt_err *err)
{
	unsigned long n_uids, n_gids;

	if (keep_id_own_counts(&n_uids, &n_gids, err) < 0)
		return -1;
	if (n_uids <= 1 || n_gids <= 1)
		return holt_err_set(err, 0,
				    "--userns %s: needs subordinate ids (a range for the user in "
				    "/etc/subuid and /etc/subgid); holt's namespace has the "
				    "user's own id only",
				    mode);
	return 0;
}

int userns_nomap_maps(struct keep_id_maps *out, struct holt_err *err)
{
	unsigned long n_uids, n_gids;

	memset(out, 0, sizeof *out);
	if (userns_needs_subids("nomap", err) < 0 || keep_id_own_counts(&n_uids, &n_gids, err) < 0)
		return -1;
	out->uid_map = xasprintf("0 1 %lu\n", n_uids - 1);
	out->gid_map = xasprintf("0 1 %lu\n", n_gids - 1);
	out->fuse_uidmapping = xasprintf("0:1:%lu", n_uids - 1);
	out->fuse_gidmapping = xasprintf("0:1:%lu", n_gids - 1);
	return 0;
}

void userns_auto_maps(unsigned long base, unsigned long size, struct keep_id_maps *out)
{
	memset(out, 0, sizeof *out);
	out->uid_map = xasprintf("0 %lu %lu\n", base, size);
	out->gid_map = xasprintf("0 %lu %lu\n", base, size);
	/* fuse-overlayfs's "stored:shown:count": a file stored as k is served as base+k,
	 * which the container's namespace shows as k */
	out->fuse_uidmapping = xasprintf("0:%lu:%lu", base, size);
	out->fuse_gidmapping = xasprintf("0:%lu:%lu", base, size);
}

bool userns_is_late(const char *userns)
{
	struct keep_id k;
	struct holt_err e = {0};
	bool is = userns && keep_id_parse(userns, &k, &e) == 0 && (k.auto_size || k.nomap);
	holt_err_release(&e);
	return is;
}
