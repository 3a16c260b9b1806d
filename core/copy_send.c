/* A file or directory tree as a tar stream: archive_read_disk walks it, without crossing
 * into other mounts, and the members are renamed from the path walked to the names cp
 * and export give them. No user or group names are looked up: in a container's root,
 * glibc would load its NSS modules to do it. */
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "core/copy_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define BUF_SIZE (64u << 10)

struct sender {
	struct archive *disk, *out;
	struct archive_entry_linkresolver *links;
	const char *walked; /* the path archive_read_disk was opened on */
	const char *name;   /* what the walked path is called in the archive; "" for none */
	char *buf;
};

/* archive_write_callback: the stream to fd. send() with MSG_NOSIGNAL where fd is a
 * socket, so that a reader that failed gives holt an EPIPE to report, not a SIGPIPE. */
static la_ssize_t write_fd(struct archive *a, void *data, const void *buf, size_t len)
{
	int fd = *(int *)data;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "write");
			return -1;
		}
		done += (size_t)n;
	}
	return (la_ssize_t)len;
}

int copy_archive_fail(struct holt_err *err, struct archive *a, const char *what)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a);
	/* libarchive says EILSEQ and EINVAL (bad data, misuse) in its message already */
	bool sys = e > 0 && e != EILSEQ && e != EINVAL;
	holt_err_set(err, 0, "%s: %s%s%s", what, msg ? msg : "failed", sys ? ": " : "",
		     sys ? strerror(e) : "");
	err->errnum = e > 0 ? e : 0;
	return -1;
}

/* The member name for path, a path archive_read_disk gave under s->walked; caller frees. */
static char *member_name(const struct sender *s, const char *path)
{
	const char *rest = path + strlen(s->walked);
	if (!*s->name)
		return xstrdup(*rest == '/' ? rest + 1 : rest);
	return xasprintf("%s%s", s->name, rest);
}

static int copy_data(struct sender *s, const char *name, struct holt_err *err)
{
	la_ssize_t n;

	while ((n = archive_read_data(s->disk, s->buf, BUF_SIZE)) > 0)
		if (archive_write_data(s->out, s->buf, (size_t)n) < 0) {
			cleanup_free char *what = xasprintf("write \"%s\"", name);
			return copy_archive_fail(err, s->out, what);
		}
	if (n < 0) {
		cleanup_free char *what = xasprintf("read \"%s\"", name);
		return copy_archive_fail(err, s->disk, what);
	}
	return 0;
}

static int send_entries(struct sender *s, struct holt_err *err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(s->disk, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			cleanup_free char *what = xasprintf("read \"%s\"", s->walked);
			return copy_archive_fail(err, s->disk, what);
		}
		cleanup_free char *name = member_name(s, archive_entry_pathname(e));
		if (archive_read_disk_descend(s->disk) < ARCHIVE_WARN)
			return copy_archive_fail(err, s->disk, name);
		if (!*name)
			continue;
		archive_entry_set_pathname(e, name);
		/* Files with several links are sent once; later links point to the first. */
		struct archive_entry *spare = NULL;
		archive_entry_linkify(s->links, &e, &spare);
		if (archive_write_header(s->out, e) < ARCHIVE_WARN) {
			cleanup_free char *what = xasprintf("write \"%s\"", name);
			return copy_archive_fail(err, s->out, what);
		}
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
		    copy_data(s, name, err) < 0)
			return -1;
	}
	return 0;
}

/* src->path without trailing slashes; *dir_only when there were some. */
static char *trim(const char *path, bool *dir_only)
{
	size_t len = strlen(path);
	*dir_only = false;
	while (len > 1 && path[len - 1] == '/')
		len--, *dir_only = true;
	return xstrndup(path, len);
}

/* Checks that path is there, as cp would take it, before anything is sent. */
static int check_source(const struct copy_source *src, const char *path, bool follow, bool dir_only,
			struct holt_err *err)
{
	const char *sp = src->where ? " " : "", *where = src->where ? src->where : "";
	struct stat st;
	int r = follow ? stat(path, &st) : lstat(path, &st);

	if (r < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		return holt_err_set_code(err, ENOENT, "could not find the file %s%s%s", src->path,
					 sp, where);
	}
	if (r < 0 || (dir_only && !S_ISDIR(st.st_mode)))
		return holt_err_set(err, r < 0 ? errno : ENOTDIR, "copy \"%s\"%s%s", src->path, sp,
				    where);
	return 0;
}

int copy_send(const struct copy_source *src, int fd, struct holt_err *err)
{
	bool dir_only;
	cleanup_free char *path = trim(src->path, &dir_only);
	const char *last = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	bool root = strcmp(path, "/") == 0;
	/* A trailing slash resolves a symlink, as the kernel does. */
	bool follow = src->follow || dir_only;
	cleanup_archive_read struct archive *disk = archive_read_disk_new();
	cleanup_archive_write struct archive *out = archive_write_new();
	cleanup_free char *buf = xmalloc(BUF_SIZE);
	/* "/." rather than "/", which would give "//bin" */
	struct sender s = {.disk = disk, .out = out, .walked = root ? "/." : path, .buf = buf};
	int flags = ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_NO_ACL |
		    ARCHIVE_READDISK_NO_FFLAGS;

	if (!disk || !out)
		oom();
	if (!strcmp(last, ".."))
		return holt_err_set(err, 0, "copy \"%s\": name the directory, not \"..\"",
				    src->path);
	if (check_source(src, s.walked, follow, dir_only, err) < 0)
		return -1;
	if (src->contents_only)
		s.name = "";
	else if (root || strcmp(last, ".") == 0)
		s.name = ".";
	else
		s.name = last;
	/* cp keeps docker's plain members; export keeps extended attributes (capabilities) */
	if (!src->contents_only)
		flags |= ARCHIVE_READDISK_NO_XATTR;
	archive_read_disk_set_behavior(disk, flags);
	if (follow)
		archive_read_disk_set_symlink_hybrid(disk);
	else
		archive_read_disk_set_symlink_physical(disk);
	if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK)
		return copy_archive_fail(err, out, "set up the archive");
	if (archive_write_open(out, &fd, NULL, write_fd, NULL) != ARCHIVE_OK)
		return copy_archive_fail(err, out, "write the archive");
	if (archive_read_disk_open(disk, s.walked) != ARCHIVE_OK) {
		cleanup_free char *what = xasprintf("read \"%s\"", src->path);
		archive_write_fail(out);
		return copy_archive_fail(err, disk, what);
	}
	s.links = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(s.links, archive_format(out));
	int ret = send_entries(&s, err);
	archive_entry_linkresolver_free(s.links);
	if (ret < 0) {
		/* No end-of-archive marker: what was sent must not pass for a whole tar. */
		archive_write_fail(out);
		return -1;
	}
	if (archive_write_close(out) != ARCHIVE_OK)
		return copy_archive_fail(err, out, "write the archive");
	return 0;
}
