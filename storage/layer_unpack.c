/* One streaming pass over a layer: fd -> [hash + keep blob] -> decompress (outer archive,
 * raw format) -> [hash diff_id] -> pipe -> tar (inner archive) -> disk, with overlay
 * whiteouts. Decompressing and hashing run in a thread of their own, beside the file
 * writes: on one core they took as long as the system time of writing the files. */
#include "storage/layer_unpack.h"
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/gunzip.h"
#include "storage/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define READ_BUF_SIZE	     (256u << 10)
#define WHITEOUT_PREFIX	     ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE	     ".wh..wh..opq"
#define OPAQUE_XATTR	     "user.overlay.opaque"

/* The inflate thread owns fd, outer, blob, buf, pipe_w and inflate_err; the calling
 * thread the rest. diff_id is hashed on the calling thread's side of the pipe, which waits
 * on the disk more than the inflate thread does. */
struct unpack {
	int fd;
	struct archive *outer, *inner, *disk;
	struct blob_writer *blob;
	bool blob_uncompressed; /* keep the tar, not what fd gives */
	struct digest *diff;
	struct layer_info *info;
	int diff_dirfd;
	char *buf, *tar_buf;
	size_t peeked;	    /* bytes at the start of buf read to tell the compression */
	struct gunzip *gz;  /* gzip, inflated by igzip: no outer archive */
	int pipe_r, pipe_w; /* the uncompressed tar, from the inflate thread to inner */
	struct holt_err inflate_err;
	bool reader_gone; /* inner stopped reading: its error is the one to tell */
};

/* Up to size bytes of fd into buf; -1 with errno. */
static ssize_t read_some(int fd, void *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n;
}

/* read_some for a read callback of a: -1 with the error left in a. */
static la_ssize_t read_block(struct archive *a, int fd, void *buf)
{
	ssize_t n = read_some(fd, buf, READ_BUF_SIZE);
	if (n < 0)
		archive_set_error(a, errno, "read");
	return n;
}

/* archive_read_callback of the outer archive: the bytes of fd, kept as the blob while they
 * pass unless the blob is to hold the uncompressed tar. */
static la_ssize_t outer_read(struct archive *a, void *data, const void **buffer)
{
	struct unpack *u = data;
	la_ssize_t n = u->peeked ? (la_ssize_t)u->peeked : read_block(a, u->fd, u->buf);

	u->peeked = 0;
	if (n < 0)
		return -1;
	if (!u->blob_uncompressed) {
		struct holt_err werr = {0};
		if (blob_writer_write(u->blob, u->buf, (size_t)n, &werr) < 0) {
			archive_set_error(a, werr.errnum, "%s", werr.msg);
			holt_err_release(&werr);
			return -1;
		}
	}
	*buffer = u->buf;
	return n;
}

/* Next block of the uncompressed stream. 0 at its end, -1 on error with the message left
 * in the outer archive. */
static la_ssize_t next_uncompressed(struct unpack *u, const void **buffer)
{
	size_t size;
	la_int64_t offset;
	int r = archive_read_data_block(u->outer, buffer, &size, &offset);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN)
		return -1;
	if (u->blob_uncompressed) {
		struct holt_err werr = {0};
		if (blob_writer_write(u->blob, *buffer, size, &werr) < 0) {
			archive_set_error(u->outer, werr.errnum, "%s", werr.msg);
			holt_err_release(&werr);
			return -1;
		}
	}
	return (la_ssize_t)size;
}

/* archive_read_callback of the inner (tar) archive: the inflate thread's output, hashed
 * into diff_id. */
static la_ssize_t inner_read(struct archive *a, void *data, const void **buffer)
{
	struct unpack *u = data;
	la_ssize_t n = read_block(a, u->pipe_r, u->tar_buf);

	if (n > 0)
		digest_update(u->diff, u->tar_buf, (size_t)n);
	*buffer = u->tar_buf;
	return n;
}

/* Error from an archive, as "<what>: <libarchive's message>[: <errno's>]". EILSEQ and
 * EINVAL are libarchive's codes for bad data and misuse, already said by the message. */
static int archive_fail(struct holt_err *err, struct archive *a, const char *what)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a);
	bool sys = e > 0 && e != EILSEQ && e != EINVAL;
	return holt_err_set(err, 0, "%s: %s%s%s", what, msg ? msg : "failed", sys ? ": " : "",
			    sys ? strerror(e) : "");
}

/* True for an absolute path or one with a ".." component. libarchive refuses those too
 * (SECURE_NODOTDOT, SECURE_NOABSOLUTEPATHS); checking first gives one clear message. */
static bool path_escapes(const char *path)
{
	if (path[0] == '/')
		return true;
	for (const char *c = path; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return true;
	return false;
}

/* Opens the directory dir (relative to the layer root, without "..") for a whiteout,
 * creating missing components; refuses symlinks on the way, as libarchive does. */
static int open_parent(struct unpack *u, const char *entry, const char *dir, struct holt_err *err)
{
	int fd = dup(u->diff_dirfd);
	if (fd < 0)
		return holt_err_set(err, errno, "entry \"%s\"", entry);
	cleanup_free char *copy = xstrdup(dir);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			int errsv = errno;
			close(fd);
			return holt_err_set(err, errsv, "entry \"%s\": create \"%s\"", entry, c);
		}
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int errsv = errno;
		close(fd);
		if (next < 0 && (errsv == ELOOP || errsv == ENOTDIR))
			return holt_err_set(
			    err, 0, "entry \"%s\": path escapes the layer through symlink \"%s\"",
			    entry, c);
		if (next < 0)
			return holt_err_set(err, errsv, "entry \"%s\"", entry);
		fd = next;
	}
	return fd;
}

/* Turns an aufs-style whiteout entry into overlay's form. Returns 1 when the entry was a
 * whiteout (and is done), 0 when it is an ordinary entry. */
static int apply_whiteout(struct unpack *u, const char *path, struct holt_err *err)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)))
		return 0;
	bool opaque = !strcmp(base, WHITEOUT_OPAQUE);
	/* Other .wh..wh.* names are aufs' own bookkeeping, meaningless to overlay. */
	if (!opaque && !strncmp(base, WHITEOUT_META_PREFIX, strlen(WHITEOUT_META_PREFIX)))
		return 1;

	cleanup_free char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	cleanup_close int fd = open_parent(u, path, dir, err);
	if (fd < 0)
		return -1;
	if (opaque) {
		if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) < 0)
			return holt_err_set(err, errno, "entry \"%s\": mark directory opaque",
					    path);
		return 1;
	}
	const char *name = base + strlen(WHITEOUT_PREFIX);
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return holt_err_set(err, 0, "entry \"%s\": invalid whiteout", path);
	/* Overlay's whiteout: a char device 0/0, which a user namespace may create. */
	if (mknodat(fd, name, S_IFCHR, makedev(0, 0)) < 0)
		return holt_err_set(err, errno, "entry \"%s\": create whiteout", path);
	return 1;
}

static int copy_data(struct unpack *u, const char *path, struct holt_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(u->inner, &buf, &size, &offset)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		if (archive_write_data_block(u->disk, buf, size, offset) < ARCHIVE_WARN) {
			cleanup_free char *what = xasprintf("entry \"%s\"", path);
			return archive_fail(err, u->disk, what);
		}
	}
	if (r != ARCHIVE_EOF) {
		cleanup_free char *what = xasprintf("entry \"%s\"", path);
		return archive_fail(err, u->inner, what);
	}
	return 0;
}

static bool is_device(struct archive_entry *e)
{
	mode_t t = archive_entry_filetype(e);
	return t == AE_IFCHR || t == AE_IFBLK;
}

/* xattrs that overlayfs (native with userxattr, or fuse-overlayfs) acts on: a layer that
 * carried them could whiteout, redirect or make opaque what other layers hold. Overlay's
 * own markers are made here from the tar's whiteout entries, never taken from the tar. */
static const char *const overlay_xattr_prefixes[] = {"user.overlay.", "trusted.overlay.",
						     "user.fuseoverlayfs."};

static bool is_overlay_xattr(const char *name)
{
	for (size_t i = 0; i < sizeof overlay_xattr_prefixes / sizeof *overlay_xattr_prefixes; i++)
		if (!strncmp(name, overlay_xattr_prefixes[i], strlen(overlay_xattr_prefixes[i])))
			return true;
	return false;
}

/* Removes overlay's xattrs from e, keeping the others in their order. */
static void drop_overlay_xattrs(struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size;
	bool any = false;

	for (archive_entry_xattr_reset(e);
	     archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK;)
		any = any || is_overlay_xattr(name);
	if (!any)
		return;
	cleanup_archive_entry struct archive_entry *keep = archive_entry_new();
	if (!keep)
		oom();
	for (archive_entry_xattr_reset(e);
	     archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK;)
		if (!is_overlay_xattr(name))
			archive_entry_xattr_add_entry(keep, name, value, size);
	archive_entry_xattr_clear(e);
	for (archive_entry_xattr_reset(keep);
	     archive_entry_xattr_next(keep, &name, &value, &size) == ARCHIVE_OK;)
		archive_entry_xattr_add_entry(e, name, value, size);
}

/* Extracts one entry. Warnings (an owner the user namespace cannot map, an xattr it may
 * not set) are not errors: the file is there, owned by the user. */
static int extract_entry(struct unpack *u, struct archive_entry *e, struct holt_err *err)
{
	const char *name = archive_entry_pathname(e);
	/* libarchive gives no name for a header whose name field is empty. */
	if (!name || !*name)
		return holt_err_set(err, 0, "read layer: an entry without a name");
	cleanup_free char *path = xstrdup(name);
	const char *hardlink = archive_entry_hardlink(e);
	if (path_escapes(path))
		return holt_err_set(err, 0, "entry \"%s\": path escapes the layer", path);
	if (hardlink && path_escapes(hardlink))
		return holt_err_set(err, 0, "entry \"%s\": hard link to \"%s\" escapes the layer",
				    path, hardlink);
	int w = apply_whiteout(u, path, err);
	if (w != 0)
		return w < 0 ? -1 : 0;

	drop_overlay_xattrs(e);
	int r = archive_write_header(u->disk, e);
	if (r < ARCHIVE_WARN) {
		if (is_device(e) && archive_errno(u->disk) == EPERM) {
			u->info->skipped_devices++;
			return 0;
		}
		cleanup_free char *what = xasprintf("entry \"%s\"", path);
		return archive_fail(err, u->disk, what);
	}
	if (archive_entry_filetype(e) == AE_IFREG && !hardlink)
		u->info->size += (uint64_t)archive_entry_size(e);
	if (archive_entry_size(e) > 0 && copy_data(u, path, err) < 0)
		return -1;
	if (archive_write_finish_entry(u->disk) < ARCHIVE_WARN) {
		cleanup_free char *what = xasprintf("entry \"%s\"", path);
		return archive_fail(err, u->disk, what);
	}
	return 0;
}

/* What the blob should keep: the stream as given when OCI has a media type for it. */
static int choose_blob(struct unpack *u, struct store *s, const char *expected,
		       struct holt_err *err)
{
	switch (archive_filter_code(u->outer, 0)) {
	case ARCHIVE_FILTER_NONE:
		u->info->media_type = LAYER_MEDIA_TAR;
		return 0;
	case ARCHIVE_FILTER_GZIP:
		u->info->media_type = LAYER_MEDIA_TAR_GZIP;
		return 0;
	case ARCHIVE_FILTER_ZSTD:
		u->info->media_type = LAYER_MEDIA_TAR_ZSTD;
		return 0;
	default:
		if (expected)
			return holt_err_set(err, 0, "unsupported layer compression \"%s\"",
					    archive_filter_name(u->outer, 0));
		u->info->media_type = LAYER_MEDIA_TAR;
		u->blob_uncompressed = true;
		blob_writer_free(u->blob);
		u->blob = blob_writer_new(s, err);
		return u->blob ? 0 : -1;
	}
}

static int open_outer(struct unpack *u, struct store *s, const char *expected, struct holt_err *err)
{
	struct archive_entry *e;

	archive_read_support_filter_all(u->outer);
	archive_read_support_format_raw(u->outer);
	if (archive_read_open(u->outer, u, NULL, outer_read, NULL) != ARCHIVE_OK)
		return archive_fail(err, u->outer, "read layer");
	if (choose_blob(u, s, expected, err) < 0)
		return -1;
	int r = archive_read_next_header(u->outer, &e);
	if (r == ARCHIVE_EOF)
		return holt_err_set(err, 0, "read layer: empty input");
	if (r < ARCHIVE_WARN)
		return archive_fail(err, u->outer, "read layer");
	return 0;
}

static int extract_entries(struct unpack *u, struct holt_err *err)
{
	struct archive_entry *e;
	int r;

	archive_read_support_format_tar(u->inner);
	/* The format is recognised while opening, or at the first header. */
	if (archive_read_open(u->inner, u, NULL, inner_read, NULL) != ARCHIVE_OK)
		return archive_fail(err, u->inner, "read layer: not a tar archive");
	bool first = true;
	while ((r = archive_read_next_header(u->inner, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			return archive_fail(err, u->inner,
					    first ? "read layer: not a tar archive" : "read layer");
		first = false;
		if (extract_entry(u, e, err) < 0)
			return -1;
	}
	return 0;
}

/* Unpacks every entry of the tar into the current directory (the staged diff dir). */
static int extract_all(struct unpack *u, struct holt_err *err)
{
	int ret = extract_entries(u, err);
	/* Directory modes and times are fixed up at close, by paths relative to the working
	 * directory: close here, even after a failure, never after leaving the diff dir. */
	if (archive_write_close(u->disk) < ARCHIVE_WARN && ret == 0)
		ret = archive_fail(err, u->disk, "unpack layer");
	return ret;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *c = data;
	while (len > 0) {
		ssize_t w = write(fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The inflate thread: the uncompressed stream into the pipe, to its end, then what follows
 * the compressed stream into the blob, so that both digests cover every byte whether or not
 * the tar reader wants them (it stops at the tar's end, before the padding). */
static int to_reader(const void *data, size_t len, void *ctx, struct holt_err *err)
{
	struct unpack *u = ctx;
	if (write_all(u->pipe_w, data, len) < 0) {
		u->reader_gone = errno == EPIPE;
		return holt_err_set(err, errno, "pass on the tar");
	}
	return 0;
}

/* The gzip stream through igzip, kept as the blob, to its last byte. */
static void gunzip_all(struct unpack *u)
{
	ssize_t n = (ssize_t)u->peeked;
	for (u->peeked = 0; n > 0; n = read_some(u->fd, u->buf, READ_BUF_SIZE))
		if (blob_writer_write(u->blob, u->buf, (size_t)n, &u->inflate_err) < 0 ||
		    gunzip_feed(u->gz, u->buf, (size_t)n, &u->inflate_err) < 0)
			goto fail;
	if (n < 0) {
		holt_err_set(&u->inflate_err, errno, "read");
		goto fail;
	}
	if (gunzip_finish(u->gz, &u->inflate_err) == 0)
		return;
fail:
	holt_err_wrap(&u->inflate_err, "read layer");
}

static void *inflate_main(void *arg)
{
	struct unpack *u = arg;
	sigset_t pipe_sig;
	const void *buf;
	la_ssize_t n;

	/* A reader that gave up is an EPIPE here, not the end of holt. */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	if (u->gz) {
		gunzip_all(u);
		goto out;
	}
	while ((n = next_uncompressed(u, &buf)) > 0)
		if (to_reader(buf, (size_t)n, u, &u->inflate_err) < 0) {
			holt_err_wrap(&u->inflate_err, "read layer");
			goto out;
		}
	if (n == 0)
		while ((n = outer_read(u->outer, u, &buf)) > 0)
			;
	if (n < 0)
		archive_fail(&u->inflate_err, u->outer, "read layer");
out:
	close(u->pipe_w);
	u->pipe_w = -1;
	return NULL;
}

/* Reads the stream's first bytes: gzip goes to igzip when it can be loaded, the rest to
 * libarchive's filters. */
static int open_input(struct unpack *u, struct holt_err *err)
{
	ssize_t n = 0;
	while (u->peeked < 3 &&
	       (n = read_some(u->fd, u->buf + u->peeked, READ_BUF_SIZE - u->peeked)) > 0)
		u->peeked += (size_t)n;
	if (n < 0)
		return holt_err_set(err, errno, "read layer");
	const unsigned char *b = (const unsigned char *)u->buf;
	if (u->peeked >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 &&
	    (u->gz = gunzip_new(to_reader, u)))
		u->info->media_type = LAYER_MEDIA_TAR_GZIP;
	return 0;
}

static int start_inflate(struct unpack *u, pthread_t *t, struct holt_err *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "read layer: create a pipe");
	/* Fewer, larger hand-overs; the default (64 KiB) is kept where this is refused. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	u->pipe_r = fds[0];
	u->pipe_w = fds[1];
	int e = pthread_create(t, NULL, inflate_main, u);
	if (e) {
		close(fds[1]);
		u->pipe_w = -1;
		return holt_err_set(err, e, "read layer: start a thread");
	}
	return 0;
}

/* What the tar reader left in the pipe (the padding after the tar's end), into diff_id
 * too; the inflate thread waits for the pipe to empty. */
static int drain(struct unpack *u, struct holt_err *err)
{
	const void *buf;
	la_ssize_t n;
	while ((n = inner_read(u->inner, u, &buf)) > 0)
		;
	if (n < 0)
		return archive_fail(err, u->inner, "read layer");
	return 0;
}

/* Joins the inflate thread; its error is the cause of the tar reader's, unless the reader
 * gave up first. */
static int finish_inflate(struct unpack *u, pthread_t t, int ret, struct holt_err *err)
{
	if (ret == 0)
		ret = drain(u, err);
	close(u->pipe_r);
	u->pipe_r = -1;
	pthread_join(t, NULL);
	if (!u->inflate_err.msg || u->reader_gone) {
		holt_err_release(&u->inflate_err);
		return ret;
	}
	if (ret < 0)
		holt_err_release(err);
	*err = u->inflate_err;
	u->inflate_err = (struct holt_err){0};
	return -1;
}

int layer_unpack_stream(struct store *s, int fd, const char *diff_dir, const char *expected,
			struct layer_info *info, struct blob_writer **blob, struct holt_err *err)
{
	cleanup_archive_read struct archive *outer = archive_read_new();
	cleanup_archive_read struct archive *inner = archive_read_new();
	cleanup_archive_write struct archive *disk = archive_write_disk_new();
	cleanup_free char *buf = xmalloc(READ_BUF_SIZE);
	cleanup_free char *tar_buf = xmalloc(READ_BUF_SIZE);
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dirfd = open(diff_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct unpack u = {
	    .fd = fd,
	    .outer = outer,
	    .inner = inner,
	    .disk = disk,
	    .blob = blob_writer_new(s, err),
	    .diff = digest_new(),
	    .info = info,
	    .diff_dirfd = dirfd,
	    .buf = buf,
	    .tar_buf = tar_buf,
	    .pipe_r = -1,
	    .pipe_w = -1,
	};
	pthread_t inflate = 0;
	int ret = -1;

	if (!outer || !inner || !disk)
		oom();
	if (!u.blob)
		goto out;
	if (cwd < 0 || dirfd < 0) {
		holt_err_set(err, errno, "unpack layer into \"%s\"", diff_dir);
		goto out;
	}
	archive_write_disk_set_options(
	    disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
		      ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
		      ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		      ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if (open_input(&u, err) < 0 || (!u.gz && open_outer(&u, s, expected, err) < 0) ||
	    start_inflate(&u, &inflate, err) < 0)
		goto out;
	/* libarchive extracts relative to the working directory, which threads share: pull
	 * unpacks several layers at once, each thread must have a working directory of its
	 * own or the entries of one layer land in another's. */
	if (unshare(CLONE_FS) < 0 || fchdir(dirfd) < 0)
		ret = holt_err_set(err, errno, "unpack layer into \"%s\"", diff_dir);
	else
		ret = extract_all(&u, err);
	if (fchdir(cwd) < 0 && ret == 0)
		ret = holt_err_set(err, errno, "return to the working directory");
	if ((ret = finish_inflate(&u, inflate, ret, err)) < 0)
		goto out;
	digest_final(u.diff, info->diff_id);
	ret = blob_writer_finish(u.blob, expected, err);
	if (ret == 0) {
		memcpy(info->digest, blob_writer_digest(u.blob), DIGEST_STR_SIZE);
		info->blob_size = blob_writer_size(u.blob);
		*blob = steal_pointer(&u.blob);
	}
out:
	if (u.pipe_r >= 0)
		close(u.pipe_r);
	if (u.blob)
		blob_writer_free(u.blob);
	digest_free(u.diff);
	gunzip_free(u.gz);
	return ret;
}
