/* The last-resort driver: the container gets its own copy of the layers, made once with
 * libarchive (disk to disk) while applying overlay whiteouts, and bind-mounted. */
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "storage/rootfs.h"
#include "storage/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static bool is_whiteout(struct archive_entry *e)
{
	return archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == makedev(0, 0);
}

static bool is_opaque(const char *dir)
{
	char v;
	return lgetxattr(dir, "user.overlay.opaque", &v, 1) == 1 && v == 'y';
}

int rootfs_copy_layer(const char *src, const char *dest, struct holt_err *err)
{
	cleanup_archive_read struct archive *in = archive_read_disk_new();
	cleanup_archive_write struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	size_t srclen = strlen(src);
	int r;

	archive_read_disk_set_behavior(in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
						ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
						ARCHIVE_EXTRACT_UNLINK);
	if (archive_read_disk_open(in, src) != ARCHIVE_OK)
		return holt_err_set(err, archive_errno(in), "copy layer \"%s\": %s", src,
				    archive_error_string(in));
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		cleanup_free char *to = xasprintf("%s%s", dest, path + srclen);

		archive_read_disk_descend(in);
		if (is_whiteout(e)) {
			if (store_remove_tree(to, err) < 0)
				return -1;
			continue;
		}
		if (archive_entry_filetype(e) == AE_IFDIR && strcmp(path, src) != 0 &&
		    is_opaque(path) && store_remove_tree(to, err) < 0)
			return -1;
		archive_entry_set_pathname(e, to);
		const char *hl = archive_entry_hardlink(e);
		if (hl && strncmp(hl, src, srclen) == 0) {
			cleanup_free char *hto = xasprintf("%s%s", dest, hl + srclen);
			archive_entry_set_hardlink(e, hto);
		}
		if (archive_write_header(out, e) < ARCHIVE_WARN)
			return holt_err_set(err, archive_errno(out), "copy \"%s\": %s", path,
					    archive_error_string(out));
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
					return holt_err_set(err, archive_errno(out),
							    "copy \"%s\": %s", path,
							    archive_error_string(out));
			if (r != ARCHIVE_EOF)
				return holt_err_set(err, archive_errno(in), "read \"%s\": %s", path,
						    archive_error_string(in));
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			return holt_err_set(err, archive_errno(out), "copy \"%s\": %s", path,
					    archive_error_string(out));
	}
	if (r != ARCHIVE_EOF)
		return holt_err_set(err, archive_errno(in), "copy layer \"%s\": %s", src,
				    archive_error_string(in));
	if (archive_write_close(out) < ARCHIVE_WARN)
		return holt_err_set(err, archive_errno(out), "copy layer \"%s\": %s", src,
				    archive_error_string(out));
	return 0;
}

/* Makes the copy under a temporary name and renames it, so a half copy is never used. */
static int make_copy(const struct rootfs_layout *layout, struct holt_err *err)
{
	cleanup_free char *tmp = xasprintf("%s.partial", layout->copy);

	if (store_remove_tree(tmp, err) < 0)
		return -1;
	if (mkdir(tmp, 0755) < 0)
		return holt_err_set(err, errno, "create \"%s\"", tmp);
	for (size_t i = 0; i < layout->n_lower; i++)
		if (rootfs_copy_layer(layout->lower[i], tmp, err) < 0)
			return -1;
	if (rename(tmp, layout->copy) < 0)
		return holt_err_set(err, errno, "rename \"%s\"", tmp);
	return 0;
}

static int vfs_mount(const struct rootfs_layout *layout, struct holt_err *err)
{
	if (access(layout->copy, F_OK) < 0 && make_copy(layout, err) < 0)
		return holt_err_wrap(err, "vfs root filesystem");
	if (mount(layout->copy, layout->target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return holt_err_set(err, errno, "bind \"%s\" on \"%s\"", layout->copy,
				    layout->target);
	return 0;
}

const struct rootfs_driver rootfs_vfs = {
    .name = "vfs",
    .mount = vfs_mount,
};
