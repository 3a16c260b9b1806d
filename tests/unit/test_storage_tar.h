/* Test helpers: a scratch store in a fresh temp dir, and layer tarballs made with
 * libarchive from a table of entries. */
#ifndef HOLT_TESTS_STORAGE_TAR_H
#define HOLT_TESTS_STORAGE_TAR_H

#include "core/base/digest.h"
#include "core/base/err.h"
#include "core/base/util.h"
#include "storage/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct tar_entry {
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0 ends a table */
	const char *path;
	const char *data;     /* file content, or symlink target */
	const char *hardlink; /* for a hard link: the path it links to */
	int uid;
	mode_t perm;
};

/* Writes entries as a tar through filter (ARCHIVE_FILTER_NONE, _GZIP, _ZSTD, _XZ) to path. */
static inline int tar_write(const char *path, int filter, const struct tar_entry *entries)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int ret = 0;

	archive_write_set_format_ustar(a);
	archive_write_add_filter(a, filter);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		ret = -1;
	for (const struct tar_entry *t = entries; ret == 0 && t->type; t++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, t->path);
		archive_entry_set_filetype(e, t->type);
		archive_entry_set_perm(e, t->perm ? t->perm : (t->type == AE_IFDIR ? 0755 : 0644));
		archive_entry_set_uid(e, t->uid);
		archive_entry_set_gid(e, t->uid);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (t->hardlink)
			archive_entry_set_hardlink(e, t->hardlink);
		if (t->type == AE_IFLNK)
			archive_entry_set_symlink(e, t->data);
		if (t->type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(1, 3));
		size_t n = t->type == AE_IFREG && t->data && !t->hardlink ? strlen(t->data) : 0;
		archive_entry_set_size(e, (la_int64_t)n);
		if (archive_write_header(a, e) < ARCHIVE_WARN ||
		    (n && archive_write_data(a, t->data, n) != (la_ssize_t)n))
			ret = -1;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		ret = -1;
	archive_write_free(a);
	archive_entry_free(e);
	return ret;
}

/* sha256 of a file, "sha256:<hex>". */
static inline void file_digest(const char *path, char out[DIGEST_STR_SIZE])
{
	struct digest *d = digest_new();
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
		digest_update(d, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
	digest_final(d, out);
	digest_free(d);
}

/* A new empty dir under $TMPDIR (or /tmp); caller frees. */
static inline char *scratch_dir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = xasprintf("%s/holt-unit-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(p))
		abort();
	return p;
}

/* Entries of dir, "." and ".." aside. */
static inline int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

#endif
