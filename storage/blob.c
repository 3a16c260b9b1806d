/* Blobs: write to tmp/, hash while writing, fsync, verify, rename. */
#include "storage/blob.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

/* Blobs we read whole are manifests and configs; refuse anything absurd for those. */
#define BLOB_READ_MAX (64u << 20)
/* Write-back of a large blob starts every this many bytes, so that the fsync at its end
 * waits for the last stretch only, not for the whole layer. */
#define WRITEBACK_STEP (8u << 20)

struct blob_writer {
	struct store *store;
	char *tmp;
	int fd;
	struct digest *hash;
	uint64_t size;
	uint64_t written_back; /* where the last write-back started */
	char digest[DIGEST_STR_SIZE];
	bool committed;
};

char *blob_path(struct store *s, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", store_root(s), digest_hex(digest));
}

struct blob_writer *blob_writer_new(struct store *s, struct holt_err *err)
{
	const char *stage = store_staging_dir(s, err);
	if (!stage)
		return NULL;
	cleanup_free char *tmp = xasprintf("%s/.blob-XXXXXX", stage);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		holt_err_set(err, errno, "create blob in \"%s\"", stage);
		return NULL;
	}
	struct blob_writer *w = xzalloc(sizeof *w);
	w->store = s;
	w->tmp = steal_pointer(&tmp);
	w->fd = fd;
	w->hash = digest_new();
	return w;
}

int blob_writer_write(struct blob_writer *w, const void *data, size_t len, struct holt_err *err)
{
	const char *p = data;

	digest_update(w->hash, data, len);
	w->size += len;
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "write blob \"%s\"", w->tmp);
		p += n;
		len -= (size_t)n;
	}
	if (w->size - w->written_back >= WRITEBACK_STEP) {
		/* Only a hint to start: an error here is fsync's to report. */
		(void)sync_file_range(w->fd, (off64_t)w->written_back,
				      (off64_t)(w->size - w->written_back), SYNC_FILE_RANGE_WRITE);
		w->written_back = w->size;
	}
	return 0;
}

int blob_writer_finish(struct blob_writer *w, const char *expected, struct holt_err *err)
{
	digest_final(w->hash, w->digest);
	digest_free(w->hash);
	w->hash = NULL;
	if (expected && strcmp(expected, w->digest))
		return holt_err_set(err, 0, "blob \"%s\": digest mismatch: got %s", expected,
				    w->digest);
	if (fchmod(w->fd, 0644) < 0 || fsync(w->fd) < 0)
		return holt_err_set(err, errno, "write blob \"%s\"", w->digest);
	return 0;
}

const char *blob_writer_digest(const struct blob_writer *w)
{
	return w->digest;
}

uint64_t blob_writer_size(const struct blob_writer *w)
{
	return w->size;
}

int blob_writer_commit(struct blob_writer *w, struct holt_err *err)
{
	cleanup_free char *dst = blob_path(w->store, w->digest);
	if (rename(w->tmp, dst) < 0)
		return holt_err_set(err, errno, "store blob \"%s\"", w->digest);
	w->committed = true;
	return 0;
}

void blob_writer_free(struct blob_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (!w->committed)
		unlink(w->tmp);
	if (w->hash)
		digest_free(w->hash);
	free(w->tmp);
	free(w);
}

struct blob_writer *blob_stage(struct store *s, const void *data, size_t len, struct holt_err *err)
{
	cleanup_blob_writer struct blob_writer *w = blob_writer_new(s, err);
	if (!w || blob_writer_write(w, data, len, err) < 0 || blob_writer_finish(w, NULL, err) < 0)
		return NULL;
	return steal_pointer(&w);
}

static char *read_whole(struct store *s, const char *digest, size_t *len, bool verify,
			struct holt_err *err)
{
	if (!digest_valid(digest)) {
		holt_err_set(err, 0, "read blob \"%s\": not a sha256 digest", digest);
		return NULL;
	}
	cleanup_free char *path = blob_path(s, digest);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		holt_err_set(err, errno, "read blob \"%s\"", digest);
		return NULL;
	}
	if ((uint64_t)st.st_size > BLOB_READ_MAX) {
		holt_err_set(err, EFBIG, "read blob \"%s\"", digest);
		return NULL;
	}
	size_t n = (size_t)st.st_size, got = 0;
	cleanup_free char *buf = xmalloc(n + 1);
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			holt_err_set(err, r < 0 ? errno : EIO, "read blob \"%s\"", digest);
			return NULL;
		}
		got += (size_t)r;
	}
	buf[n] = '\0';
	char actual[DIGEST_STR_SIZE];
	if (verify)
		digest_buf(buf, n, actual);
	if (verify && strcmp(actual, digest)) {
		holt_err_set(err, 0, "read blob \"%s\": content is corrupt (digest %s)", digest,
			     actual);
		return NULL;
	}
	if (len)
		*len = n;
	return steal_pointer(&buf);
}

char *blob_read(struct store *s, const char *digest, size_t *len, struct holt_err *err)
{
	return read_whole(s, digest, len, true, err);
}

char *blob_read_unverified(struct store *s, const char *digest, size_t *len, struct holt_err *err)
{
	return read_whole(s, digest, len, false, err);
}

int blob_remove(struct store *s, const char *digest, struct holt_err *err)
{
	cleanup_free char *path = blob_path(s, digest);
	if (unlink(path) < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "remove blob \"%s\"", digest);
	return 0;
}
