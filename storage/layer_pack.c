/* Packing a change list with libarchive: pax tar (xattrs need its headers), gzip. */
#include "storage/layer_pack.h"
#include "core/base/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define COPY_BUF_SIZE (256u << 10)

/* The xattrs overlay and fuse-overlayfs keep for themselves: meaningless in a layer. */
static const char *const private_xattrs[] = {"trusted.overlay.", "user.overlay.",
					     "user.fuseoverlayfs."};

struct pack {
	struct archive *a;
	struct archive_entry_linkresolver *links;
	const char *top;
	const struct id_shift *shift;
	int fd;
	char *buf;
};

/* archive_write_callback: the tar, as it comes out of gzip, to fd. */
static la_ssize_t write_out(struct archive *a, void *data, const void *buf, size_t len)
{
	struct pack *p = data;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(p->fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "write layer");
			return -1;
		}
		done += (size_t)n;
	}
	return (la_ssize_t)len;
}

/* EILSEQ and EINVAL are libarchive's codes for bad data and misuse, which its message
 * already says; other codes are the system's, kept so that callers can tell EPIPE. */
static int archive_fail(struct holt_err *err, struct archive *a, const char *path)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a);
	return holt_err_set(err, e > 0 && e != EILSEQ && e != EINVAL ? e : 0, "pack \"%s\": %s",
			    path, msg ? msg : "failed");
}

static bool private_xattr(const char *name)
{
	for (size_t i = 0; i < sizeof private_xattrs / sizeof *private_xattrs; i++)
		if (!strncmp(name, private_xattrs[i], strlen(private_xattrs[i])))
			return true;
	return false;
}

int layer_pack_xattrs(struct archive_entry *e, const char *path, struct holt_err *err)
{
	ssize_t len = llistxattr(path, NULL, 0);
	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		return 0;
	if (len < 0)
		return holt_err_set(err, errno, "list xattrs of \"%s\"", path);
	cleanup_free char *names = xmalloc((size_t)len + 1);
	len = llistxattr(path, names, (size_t)len);
	if (len < 0)
		return holt_err_set(err, errno, "list xattrs of \"%s\"", path);
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		if (private_xattr(n))
			continue;
		ssize_t size = lgetxattr(path, n, NULL, 0);
		if (size < 0 && errno == ENODATA)
			continue;
		cleanup_free char *value = xmalloc(size > 0 ? (size_t)size : 1);
		if (size < 0 || (size = lgetxattr(path, n, value, (size_t)size)) < 0)
			return holt_err_set(err, errno, "read xattr %s of \"%s\"", n, path);
		archive_entry_xattr_add_entry(e, n, value, (size_t)size);
	}
	return 0;
}

static int copy_data(struct pack *p, const char *path, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return holt_err_set(err, errno, "pack \"%s\"", path);
	while ((n = read(fd, p->buf, COPY_BUF_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "pack \"%s\"", path);
		/* A file a running container grows is cut at its size in the header. */
		if (archive_write_data(p->a, p->buf, (size_t)n) < 0)
			return archive_fail(err, p->a, path);
	}
	return 0;
}

/* An added or changed entry, as the top dir has it now. */
static int pack_file(struct pack *p, const struct change *c, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s%s", p->top, c->path);
	struct archive_entry *e = archive_entry_new(), *spare = NULL;
	struct stat st;
	int ret = -1;

	if (!e)
		oom();
	if (lstat(path, &st) < 0) {
		ret = holt_err_set(err, errno, "pack \"%s\"", path);
		goto out;
	}
	/* A tar cannot hold a socket (docker leaves them out too). */
	if (S_ISSOCK(st.st_mode)) {
		ret = 0;
		goto out;
	}
	if (p->shift)
		id_shift_back(p->shift, &st);
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, c->path + 1);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0) {
			ret = holt_err_set(err, errno, "pack \"%s\"", path);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (layer_pack_xattrs(e, path, err) < 0)
		goto out;
	archive_entry_linkify(p->links, &e, &spare);
	if (archive_write_header(p->a, e) < ARCHIVE_WARN) {
		ret = archive_fail(err, p->a, path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && archive_entry_size(e) > 0 && copy_data(p, path, err) < 0)
		goto out;
	ret = 0;
out:
	archive_entry_free(e);
	archive_entry_free(spare);
	return ret;
}

/* An empty file named name in dir (a path in the container): a whiteout or the opaque
 * marker. */
static int pack_marker(struct pack *p, const char *dir, size_t dir_len, const char *name,
		       struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%.*s/%s", (int)dir_len, dir, name);
	struct archive_entry *e = archive_entry_new();
	int ret = 0;

	if (!e)
		oom();
	archive_entry_set_pathname(e, path + 1);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	if (archive_write_header(p->a, e) < ARCHIVE_WARN)
		ret = archive_fail(err, p->a, path);
	archive_entry_free(e);
	return ret;
}

static int pack_change(struct pack *p, const struct change *c, struct holt_err *err)
{
	const char *base = strrchr(c->path, '/') + 1;

	if (c->kind == CHANGE_DELETE) {
		if (c->under_opaque)
			return 0;
		cleanup_free char *name = xasprintf(".wh.%s", base);
		return pack_marker(p, c->path, (size_t)(base - 1 - c->path), name, err);
	}
	if (pack_file(p, c, err) < 0)
		return -1;
	return c->opaque ? pack_marker(p, c->path, strlen(c->path), ".wh..wh..opq", err) : 0;
}

int layer_pack(const struct changes *c, const char *top, int fd, struct holt_err *err)
{
	cleanup_free char *buf = xmalloc(COPY_BUF_SIZE);
	struct pack p = {
	    .a = archive_write_new(),
	    .links = archive_entry_linkresolver_new(),
	    .top = top,
	    .shift = c->shift,
	    .fd = fd,
	    .buf = buf,
	};
	int ret = -1;

	if (!p.a || !p.links)
		oom();
	/* The gzip header without a time, so that the same files give the same blob. */
	if (archive_write_set_format_pax_restricted(p.a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(p.a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(p.a, "gzip", "timestamp", NULL) < ARCHIVE_WARN ||
	    archive_write_set_bytes_in_last_block(p.a, 1) != ARCHIVE_OK ||
	    archive_write_open(p.a, &p, NULL, write_out, NULL) != ARCHIVE_OK) {
		archive_fail(err, p.a, top);
		goto out;
	}
	archive_entry_linkresolver_set_strategy(p.links, archive_format(p.a));
	for (size_t i = 0; i < c->n; i++)
		if (pack_change(&p, &c->v[i], err) < 0)
			goto out;
	if (archive_write_close(p.a) != ARCHIVE_OK) {
		archive_fail(err, p.a, top);
		goto out;
	}
	ret = 0;
out:
	archive_write_free(p.a);
	archive_entry_linkresolver_free(p.links);
	return ret;
}
