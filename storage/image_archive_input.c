/* The archive's member list and its JSON members, from a first pass that skips the
 * data of everything else (a seek, on an uncompressed archive). */
#include "storage/image_archive_input.h"
#include "core/base/util.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#define COPY_BUF_SIZE (256u << 10)
/* Configs and manifests are kilobytes; these bound what a hostile archive can make holt
 * hold in memory. */
#define JSON_MEMBER_MAX (4u << 20)
#define JSON_TOTAL_MAX	(64u << 20)
#define LINK_DEPTH_MAX	8

struct member {
	char *path;   /* cleaned */
	char *target; /* a link's target, cleaned; NULL for a regular file */
	char *data;   /* the JSON it holds, NUL-terminated; NULL when not kept */
	size_t len;
	bool too_big; /* over JSON_MEMBER_MAX: never read into memory */
};

struct archive_input {
	int fd;
	struct member *members;
	size_t n;
	size_t json_total;
};

int archive_input_fail(struct archive *a, const char *what, struct holt_err *err)
{
	const char *msg = archive_error_string(a);
	return holt_err_set(err, 0, "%s: %s", what, msg ? msg : "failed");
}

/* Copies fd to an unlinked file in the staging dir and returns that file. */
static int spool(struct store *s, int fd, struct holt_err *err)
{
	const char *dir = store_staging_dir(s, err);
	if (!dir)
		return -1;
	cleanup_free char *path = xasprintf("%s/archive.XXXXXX", dir);
	cleanup_close int out = mkostemp(path, O_CLOEXEC);
	if (out < 0)
		return holt_err_set(err, errno, "create \"%s\"", path);
	unlink(path);
	cleanup_free char *buf = xmalloc(COPY_BUF_SIZE);
	for (;;) {
		ssize_t n = read(fd, buf, COPY_BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "read the archive");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				return holt_err_set(err, errno, "copy the archive into \"%s\"",
						    dir);
			off += w > 0 ? w : 0;
		}
	}
	return steal_fd(&out);
}

struct archive *archive_input_reader(struct archive_input *in, struct holt_err *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		oom();
	if (lseek(in->fd, 0, SEEK_SET) < 0) {
		holt_err_set(err, errno, "read the archive");
		archive_read_free(a);
		return NULL;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, in->fd, COPY_BUF_SIZE) != ARCHIVE_OK) {
		archive_input_fail(a, "not a tar archive", err);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static struct member *find(struct archive_input *in, const char *path)
{
	/* The last of several entries with one path is the one tar leaves. */
	for (size_t i = in->n; i-- > 0;)
		if (!strcmp(in->members[i].path, path))
			return &in->members[i];
	return NULL;
}

static bool looks_like_json(const char *data, size_t len)
{
	size_t i = strspn(data, " \t\r\n");
	return i < len && (data[i] == '{' || data[i] == '[');
}

/* Keeps the data of a small member that holds JSON. */
static int keep_json(struct archive_input *in, struct archive *a, struct member *m, int64_t size,
		     struct holt_err *err)
{
	m->too_big = (uint64_t)size > JSON_MEMBER_MAX;
	if (size <= 0 || m->too_big)
		return 0;
	char *data = xmalloc((size_t)size + 1);
	la_ssize_t got = archive_read_data(a, data, (size_t)size);
	if (got != size) {
		free(data);
		cleanup_free char *what = xasprintf("member \"%s\"", m->path);
		return got < 0 ? archive_input_fail(a, what, err)
			       : holt_err_set(err, 0, "%s: truncated", what);
	}
	data[size] = '\0';
	if (!looks_like_json(data, (size_t)size)) {
		free(data);
		return 0;
	}
	in->json_total += (size_t)size;
	if (in->json_total > JSON_TOTAL_MAX) {
		free(data);
		return holt_err_set(err, 0, "member \"%s\": JSON members over %u MiB in all",
				    m->path, JSON_TOTAL_MAX >> 20);
	}
	m->data = data;
	m->len = (size_t)size;
	return 0;
}

/* A link's target as a path from the archive's top: symlinks are relative to their dir,
 * hard links to the top. NULL when it has none or it climbs out of the archive. */
static char *link_target(const char *path, struct archive_entry *e)
{
	const char *hard = archive_entry_hardlink(e);
	if (hard)
		return image_archive_path_clean(hard);
	const char *sym = archive_entry_symlink(e);
	const char *slash = strrchr(path, '/');
	if (!sym || !*sym)
		return NULL;
	cleanup_free char *joined =
	    sym[0] == '/' ? xstrdup(sym)
			  : xasprintf("%.*s/%s", slash ? (int)(slash - path) : 0, path, sym);
	return image_archive_path_clean(joined);
}

static int scan_entry(struct archive_input *in, struct archive *a, struct archive_entry *e,
		      struct holt_err *err)
{
	const char *name = archive_entry_pathname(e);
	bool link = archive_entry_hardlink(e) || archive_entry_filetype(e) == AE_IFLNK;
	if (!name || (!link && archive_entry_filetype(e) != AE_IFREG))
		return 0;
	char *path = image_archive_path_clean(name);
	if (!path)
		return holt_err_set(err, 0, "member \"%s\": path climbs out of the archive", name);
	in->members = xrealloc(in->members, (in->n + 1) * sizeof *in->members);
	struct member *m = &in->members[in->n++];
	*m = (struct member){.path = path};
	if (link) {
		m->target = link_target(path, e);
		if (!m->target)
			return holt_err_set(err, 0,
					    "member \"%s\": link without a target or climbing out "
					    "of the archive",
					    name);
		return 0;
	}
	return keep_json(in, a, m, archive_entry_size(e), err);
}

static int scan(struct archive_input *in, struct holt_err *err)
{
	struct archive *a = archive_input_reader(in, err);
	struct archive_entry *e;
	int r, ret = 0;

	if (!a)
		return -1;
	while (ret == 0 && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			ret = archive_input_fail(
			    a, in->n ? "read the archive" : "not a tar archive", err);
		else
			ret = scan_entry(in, a, e, err);
	}
	archive_read_free(a);
	return ret;
}

struct archive_input *archive_input_open(struct store *s, int fd, struct holt_err *err)
{
	struct stat st;
	struct archive_input *in = xzalloc(sizeof *in);

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		in->fd = dup(fd);
	else
		in->fd = spool(s, fd, err);
	if (in->fd < 0) {
		if (!err->msg)
			holt_err_set(err, errno, "read the archive");
		free(in);
		return NULL;
	}
	if (scan(in, err) < 0) {
		archive_input_free(in);
		return NULL;
	}
	return in;
}

void archive_input_free(struct archive_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->members[i].path);
		free(in->members[i].target);
		free(in->members[i].data);
	}
	free(in->members);
	close(in->fd);
	free(in);
}

const char *archive_input_resolve(struct archive_input *in, const char *path, struct holt_err *err)
{
	cleanup_free char *clean = image_archive_path_clean(path);
	struct member *m = clean ? find(in, clean) : NULL;
	for (int depth = 0; m && m->target; depth++) {
		if (depth == LINK_DEPTH_MAX)
			return holt_err_set(err, 0, "member \"%s\": too many links", path), NULL;
		m = find(in, m->target);
	}
	if (!m)
		return holt_err_set_code(err, ENOENT, "member \"%s\": missing", path), NULL;
	return m->path;
}

static const char *get_json(void *ctx, const char *path, size_t *len, struct holt_err *err)
{
	struct archive_input *in = ctx;
	const char *real = archive_input_resolve(in, path, err);
	struct member *m = real ? find(in, real) : NULL;
	if (!m)
		return NULL;
	if (m->too_big)
		return holt_err_set(err, 0, "member \"%s\": larger than the limit of %u MiB", path,
				    JSON_MEMBER_MAX >> 20),
		       NULL;
	if (!m->data)
		return holt_err_set(err, 0, "member \"%s\": not JSON", path), NULL;
	*len = m->len;
	return m->data;
}

struct image_archive_members archive_input_members(struct archive_input *in)
{
	return (struct image_archive_members){get_json, in};
}
