/* A tar stream extracted where docker's cp puts it. The first member is the source
 * itself: its name ("." for a directory's contents) and type decide, with what the
 * destination is, which directory the members go under and what the source is called
 * there; each member is renamed so as it is extracted. libarchive refuses members that
 * would be written through a symlink, above the directory, or at an absolute path. */
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "core/copy_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#define READ_BLOCK (64u << 10)

/* Where the members go: under dir, the source named target ("." for a source's contents
 * put straight into dir, whose own metadata is then left alone). */
struct placement {
	char *dir;
	char *target;
	const char *source; /* the first member's name */
	bool as_is;
};

static void placement_release(struct placement *p)
{
	free(p->dir);
	free(p->target);
}

/* path without trailing slashes, split into its directory and last component. */
static void split(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else {
		*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

/* docker's cp rules, for a source that is a directory or not (src_dir) and called name
 * (or "." for its contents). */
static int place(const struct copy_dest *d, const char *name, bool src_dir, struct placement *p,
		 struct holt_err *err)
{
	const char *sp = d->where ? " " : "", *where = d->where ? d->where : "";
	size_t len = strlen(d->path);
	bool dir_only = len > 1 && d->path[len - 1] == '/';
	while (len > 1 && d->path[len - 1] == '/')
		len--;
	cleanup_free char *path = xstrndup(d->path, len);
	struct stat st;

	/* stat, not lstat: a symlink to a directory is that directory, as for docker; one
	 * to a file is replaced, never written through. */
	int r = stat(path, &st);
	if (r < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "copy to \"%s\"%s%s", d->path, sp, where);
	if (r == 0 && S_ISDIR(st.st_mode)) {
		p->dir = steal_pointer(&path);
		p->target = xstrdup(name);
		return 0;
	}
	if (r == 0 && src_dir)
		return holt_err_set(err, 0, "copy to \"%s\"%s%s: cannot copy a directory to a file",
				    d->path, sp, where);
	if (r == 0 && dir_only)
		return holt_err_set(err, ENOTDIR, "copy to \"%s\"%s%s", d->path, sp, where);
	if (r < 0 && dir_only && !src_dir)
		return holt_err_set(err, 0,
				    "copy to \"%s\"%s%s: destination directory does not exist",
				    d->path, sp, where);
	split(path, &p->dir, &p->target);
	if (stat(p->dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return holt_err_set(err, 0,
				    "copy to \"%s\"%s%s: destination directory \"%s\" does not "
				    "exist",
				    d->path, sp, where, p->dir);
	return 0;
}

/* A tar from the user goes into an existing directory, as it is. */
static int place_as_is(const struct copy_dest *d, struct placement *p, struct holt_err *err)
{
	const char *sp = d->where ? " " : "", *where = d->where ? d->where : "";
	struct stat st;

	int r = stat(d->path, &st);
	if (r < 0 && errno == ENOENT)
		return holt_err_set(err, 0,
				    "copy to \"%s\"%s%s: destination directory does not exist",
				    d->path, sp, where);
	if (r < 0 || !S_ISDIR(st.st_mode))
		return holt_err_set(err, r < 0 ? errno : ENOTDIR, "copy to \"%s\"%s%s", d->path, sp,
				    where);
	p->dir = xstrdup(d->path);
	return 0;
}

/* A member's name under p->dir; "" to leave it out, NULL when it is not under the
 * source (which copy_send never sends). */
static char *rename_member(const struct placement *p, const char *member)
{
	size_t n = strlen(member), len = strlen(p->source);
	while (n > 1 && member[n - 1] == '/')
		n--;
	if (p->as_is)
		return xstrndup(member, n);
	if (n < len || strncmp(member, p->source, len) || (n > len && member[len] != '/'))
		return NULL;
	if (strcmp(p->target, ".") == 0)
		return n == len ? xstrdup("") : xstrndup(member + len + 1, n - len - 1);
	return xasprintf("%s%.*s", p->target, (int)(n - len), member + len);
}

/* True for a name copy_send gives the source: "." or one component. */
static bool valid_source_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, "..");
}

static int copy_data(struct archive *in, struct archive *disk, const char *name,
		     struct holt_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN)
		if (archive_write_data_block(disk, buf, size, offset) < ARCHIVE_WARN) {
			cleanup_free char *what = xasprintf("extract \"%s\"", name);
			return copy_archive_fail(err, disk, what);
		}
	if (r != ARCHIVE_EOF)
		return copy_archive_fail(err, in, "read the archive");
	return 0;
}

/* Extracts one member. Warnings (an owner the user namespace cannot map) are not
 * errors: the file is there, owned by the user. */
static int extract(struct archive *in, struct archive *disk, struct archive_entry *e,
		   const struct placement *p, const char *where, struct holt_err *err)
{
	const char *sp = where ? " " : "";
	cleanup_free char *name = rename_member(p, archive_entry_pathname(e));
	const char *link = archive_entry_hardlink(e);
	cleanup_free char *link_name = link ? rename_member(p, link) : NULL;

	if (!name || (link && (!link_name || !*link_name)))
		return holt_err_set(err, 0, "read the archive: member \"%s\" is not under \"%s\"",
				    name ? link : archive_entry_pathname(e), p->source);
	if (!*name)
		return 0;
	archive_entry_set_pathname(e, name);
	if (link_name)
		archive_entry_set_hardlink(e, link_name);
	cleanup_free char *what = xasprintf("extract \"%s\"%s%s", name, sp, where ? where : "");
	if (archive_write_header(disk, e) < ARCHIVE_WARN)
		return copy_archive_fail(err, disk, what);
	if (archive_entry_size(e) > 0 && copy_data(in, disk, name, err) < 0)
		return -1;
	if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
		return copy_archive_fail(err, disk, what);
	return 0;
}

static int extract_all(struct archive *in, struct archive *disk, struct archive_entry *first,
		       const struct placement *p, const char *where, struct holt_err *err)
{
	struct archive_entry *e = first;
	int r;

	do {
		if (extract(in, disk, e, p, where, err) < 0)
			return -1;
	} while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN);
	if (r != ARCHIVE_EOF)
		return copy_archive_fail(err, in, "read the archive");
	return 0;
}

/* Reads what follows the end of the archive, so that the writer, which pads its last
 * block, never finds the reader gone. */
static void drain(int fd)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		;
}

/* Extracts into p->dir, by names relative to it: libarchive's checks for symlinks and
 * ".." apply to the members' names, not to the destination the user gave. */
static int extract_under(struct archive *in, struct archive_entry *first, const struct placement *p,
			 const struct copy_dest *d, struct holt_err *err)
{
	cleanup_archive_write struct archive *disk = archive_write_disk_new();
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

	if (!disk)
		oom();
	/* Without -a the files are the receiving user's, as docker gives them. */
	if (d->keep_owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(disk, flags);
	/* p->dir is set by every way a copy_place is made */
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
	if (cwd < 0 || chdir(p->dir) < 0)
		return holt_err_set(err, errno, "enter \"%s\"", p->dir);
	int ret = extract_all(in, disk, first, p, d->where, err);
	/* Directory modes and times are set at close, by names relative to p->dir. */
	if (archive_write_close(disk) < ARCHIVE_WARN && ret == 0)
		ret = copy_archive_fail(err, disk, "finish extracting");
	if (fchdir(cwd) < 0 && ret == 0)
		ret = holt_err_set(err, errno, "return to the working directory");
	return ret;
}

int copy_receive(const struct copy_dest *d, int fd, struct holt_err *err)
{
	cleanup_archive_read struct archive *in = archive_read_new();
	struct archive_entry *e;
	struct placement p = {.as_is = d->as_is};
	int ret;

	if (!in)
		oom();
	archive_read_support_format_tar(in);
	if (archive_read_open_fd(in, fd, READ_BLOCK) != ARCHIVE_OK)
		return copy_archive_fail(err, in, "read the archive");
	int r = archive_read_next_header(in, &e);
	if (r == ARCHIVE_EOF)
		return d->as_is ? 0 : holt_err_set(err, 0, "read the archive: it is empty");
	if (r < ARCHIVE_WARN)
		return copy_archive_fail(err, in, "read the archive");

	cleanup_free char *source = xstrdup(archive_entry_pathname(e));
	for (size_t n = strlen(source); n > 1 && source[n - 1] == '/'; n--)
		source[n - 1] = '\0';
	p.source = source;
	if (!d->as_is && !valid_source_name(source))
		return holt_err_set(err, 0, "read the archive: unexpected first member \"%s\"",
				    source);
	if (d->as_is)
		ret = place_as_is(d, &p, err);
	else
		ret = place(d, source, archive_entry_filetype(e) == AE_IFDIR, &p, err);
	if (ret == 0)
		ret = extract_under(in, e, &p, d, err);
	if (ret == 0 && !d->as_is)
		drain(fd);
	placement_release(&p);
	return ret;
}
