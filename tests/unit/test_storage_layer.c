/* Layers: one-pass unpack with digests, whiteouts, refusal of entries that escape, and
 * a store left as it was after any failure. */
#include "storage/blob.h"
#include "storage/layer.h"
#include "tap.h"
#include "test_storage_tar.h"

#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static const struct tar_entry base[] = {
    {AE_IFDIR, "etc", NULL, NULL, 0, 0},
    {AE_IFREG, "etc/hostname", "box\n", NULL, 0, 0},
    {AE_IFREG, "etc/owned", "x", NULL, 1000, 0600},
    {AE_IFLNK, "etc/link", "/etc/hostname", NULL, 0, 0},
    {AE_IFREG, "etc/hard", NULL, "etc/hostname", 0, 0},
    {AE_IFREG, "bin/sh", "#!", NULL, 0, 0755},
    {AE_IFCHR, "null", NULL, NULL, 0, 0666},
    {0},
};

static const struct tar_entry whiteouts[] = {
    {AE_IFDIR, "op", NULL, NULL, 0, 0},
    {AE_IFREG, "op/.wh..wh..opq", "", NULL, 0, 0},
    {AE_IFREG, "etc/.wh.gone", "", NULL, 0, 0},
    {AE_IFREG, ".wh..wh.plnk", "", NULL, 0, 0},
    {0},
};

struct bad {
	const char *name;
	struct tar_entry entries[3];
	const char *why;
};

static const struct bad bads[] = {
    {"dot-dot", {{AE_IFREG, "../x", "x", NULL, 0, 0}}, "entry \"../x\": path escapes the layer"},
    {"absolute", {{AE_IFREG, "/abs", "x", NULL, 0, 0}}, "entry \"/abs\": path escapes the layer"},
    {"through a symlink",
     {{AE_IFLNK, "l", "/tmp", NULL, 0, 0}, {AE_IFREG, "l/x", "x", NULL, 0, 0}},
     "entry \"l/x\": Cannot extract through symlink"},
    {"hard link out",
     {{AE_IFREG, "h", NULL, "../../etc/passwd", 0, 0}},
     "entry \"h\": hard link to \"../../etc/passwd\" escapes the layer"},
    {"whiteout through a symlink",
     {{AE_IFLNK, "l", "/tmp", NULL, 0, 0}, {AE_IFREG, "l/.wh.x", "", NULL, 0, 0}},
     "entry \"l/.wh.x\": path escapes the layer"},
    {"whiteout with dot-dot",
     {{AE_IFREG, "../.wh.x", "", NULL, 0, 0}},
     "entry \"../.wh.x\": path escapes the layer"},
};

static bool can_mknod_whiteout(const char *dir)
{
	cleanup_free char *p = xasprintf("%s/probe", dir);
	if (mknod(p, S_IFCHR, makedev(0, 0)) < 0)
		return false;
	unlink(p);
	return true;
}

/* Unpacks path as a base layer; NULL with err set on failure. */
static struct layer_stage *unpack_file(struct store *s, const char *path, const char *expected,
				       struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY);
	return layer_unpack(s, fd, NULL, expected, err);
}

static void test_base(struct store *s, const char *dir)
{
	struct holt_err err = {0};
	cleanup_free char *gz = xasprintf("%s/base.tar.gz", dir);
	cleanup_free char *plain = xasprintf("%s/base.tar", dir);
	char gz_digest[DIGEST_STR_SIZE], plain_digest[DIGEST_STR_SIZE];

	ok(tar_write(gz, ARCHIVE_FILTER_GZIP, base) == 0 &&
	       tar_write(plain, ARCHIVE_FILTER_NONE, base) == 0,
	   "make base layer tarballs");
	file_digest(gz, gz_digest);
	file_digest(plain, plain_digest);

	cleanup_layer_stage struct layer_stage *st = unpack_file(s, gz, gz_digest, &err);
	if (!ok(st != NULL, "unpack gzip layer: %s", err.msg ? err.msg : "ok")) {
		holt_err_release(&err);
		skip(9, "unpack failed");
		return;
	}
	const struct layer_info *li = layer_stage_info(st);
	ok(!strcmp(li->digest, gz_digest), "blob digest is the compressed file's");
	ok(!strcmp(li->diff_id, plain_digest), "diff_id is the uncompressed tar's");
	ok(!strcmp(li->chain_id, li->diff_id), "a base layer's chain id is its diff_id");
	ok(!strcmp(li->media_type, LAYER_MEDIA_TAR_GZIP), "media type %s", li->media_type);
	ok(li->size == 4 + 1 + 2, "unpacked size %llu", (unsigned long long)li->size);

	ok(layer_commit(s, st, &err) == 0, "commit layer");
	cleanup_free char *diff = layer_diff_dir(s, li->chain_id);
	cleanup_free char *host = xasprintf("%s/etc/hostname", diff);
	cleanup_free char *hard = xasprintf("%s/etc/hard", diff);
	cleanup_free char *link = xasprintf("%s/etc/link", diff);
	cleanup_free char *owned = xasprintf("%s/etc/owned", diff);
	cleanup_free char *devnull = xasprintf("%s/null", diff);
	struct stat a, b, c;
	char target[64] = {0};
	int owned_ok = stat(owned, &c);
	ok(stat(host, &a) == 0 && stat(hard, &b) == 0 && a.st_ino == b.st_ino &&
	       readlink(link, target, sizeof target - 1) > 0 && !strcmp(target, "/etc/hostname"),
	   "file, hard link and symlink in layers/<chain>/diff");
	/* Owners map only in a user namespace with a range; with one uid they collapse. */
	ok(owned_ok == 0 && (c.st_uid == 1000 || c.st_uid == getuid()) &&
	       (c.st_mode & 07777) == 0600,
	   "owner %u and mode %o of a file owned by 1000", (unsigned)c.st_uid,
	   (unsigned)(c.st_mode & 07777));
	int dev_ok = lstat(devnull, &c);
	ok((dev_ok == 0 && S_ISCHR(c.st_mode)) || li->skipped_devices == 1,
	   "device node made or counted as skipped (%u)", li->skipped_devices);
	uint64_t size = 0;
	ok(layer_size(s, li->chain_id, &size, &err) == 0 && size == li->size,
	   "layer.json records the size");
	cleanup_free char *blob = blob_path(s, gz_digest);
	ok(access(blob, R_OK) == 0, "blob stored by digest");
}

static void test_whiteouts(struct store *s, const char *dir)
{
	struct holt_err err = {0};
	cleanup_free char *path = xasprintf("%s/wh.tar", dir);
	if (!can_mknod_whiteout(dir)) {
		skip(4, "mknod of a 0/0 char device needs root or a user namespace");
		return;
	}
	ok(tar_write(path, ARCHIVE_FILTER_NONE, whiteouts) == 0, "make whiteout layer");
	cleanup_layer_stage struct layer_stage *st = unpack_file(s, path, NULL, &err);
	if (!ok(st != NULL, "unpack whiteout layer: %s", err.msg ? err.msg : "ok")) {
		holt_err_release(&err);
		skip(2, "unpack failed");
		return;
	}
	ok(layer_commit(s, st, &err) == 0, "commit whiteout layer");
	cleanup_free char *diff = layer_diff_dir(s, layer_stage_info(st)->chain_id);
	cleanup_free char *gone = xasprintf("%s/etc/gone", diff);
	cleanup_free char *wh = xasprintf("%s/etc/.wh.gone", diff);
	cleanup_free char *op = xasprintf("%s/op", diff);
	cleanup_free char *plnk = xasprintf("%s/.wh..wh.plnk", diff);
	struct stat st_gone;
	char v[2] = {0};
	ok(lstat(gone, &st_gone) == 0 && S_ISCHR(st_gone.st_mode) && st_gone.st_rdev == 0 &&
	       access(wh, F_OK) < 0 && getxattr(op, "user.overlay.opaque", v, 1) == 1 &&
	       v[0] == 'y' && access(plnk, F_OK) < 0,
	   "whiteout as char 0/0, opaque dir as user.overlay.opaque=y, aufs metadata dropped");
}

/* A PAX tar whose directory and file carry overlay's xattrs beside an ordinary one. */
static int tar_write_overlay_xattrs(const char *path)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int ret = 0;

	archive_write_set_format_pax(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		ret = -1;
	for (int i = 0; ret == 0 && i < 2; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, i ? "d/f" : "d");
		archive_entry_set_filetype(e, i ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(e, i ? 0644 : 0755);
		archive_entry_set_size(e, 0);
		archive_entry_xattr_add_entry(e, "user.overlay.opaque", "y", 1);
		archive_entry_xattr_add_entry(e, "user.keep", "1", 1);
		archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2);
		archive_entry_xattr_add_entry(e, "user.fuseoverlayfs.opaque", "y", 1);
		if (archive_write_header(a, e) < ARCHIVE_WARN)
			ret = -1;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		ret = -1;
	archive_entry_free(e);
	archive_write_free(a);
	return ret;
}

/* overlayfs acts on user.overlay.* (userxattr) and trusted.overlay.*, fuse-overlayfs also
 * on user.fuseoverlayfs.*: a layer must not bring its own. */
static void test_overlay_xattrs(struct store *s, const char *dir)
{
	struct holt_err err = {0};
	cleanup_free char *path = xasprintf("%s/xattrs.tar", dir);
	cleanup_free char *probe = xasprintf("%s/xattr-probe", dir);
	int fd = open(probe, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	bool user_xattrs = fd >= 0 && fsetxattr(fd, "user.probe", "1", 1, 0) == 0;
	if (fd >= 0)
		close(fd);
	unlink(probe);
	if (!user_xattrs) {
		skip(2, "this filesystem does not take user xattrs");
		return;
	}
	cleanup_layer_stage struct layer_stage *st = NULL;
	if (tar_write_overlay_xattrs(path) == 0)
		st = unpack_file(s, path, NULL, &err);
	if (!ok(st != NULL, "unpack a layer with overlay xattrs: %s", err.msg ? err.msg : "ok")) {
		holt_err_release(&err);
		skip(1, "unpack failed");
		return;
	}
	bool all = layer_commit(s, st, &err) == 0;
	cleanup_free char *stage_dir = layer_diff_dir(s, layer_stage_info(st)->chain_id);
	for (int i = 0; i < 2; i++) {
		cleanup_free char *p = xasprintf("%s/%s", stage_dir, i ? "d/f" : "d");
		char list[256] = {0};
		ssize_t n = llistxattr(p, list, sizeof list);
		char v[2] = {0};
		all = all && n > 0 && lgetxattr(p, "user.keep", v, 1) == 1 && v[0] == '1' &&
		      lgetxattr(p, "user.overlay.opaque", v, 1) < 0 &&
		      lgetxattr(p, "user.fuseoverlayfs.opaque", v, 1) < 0 &&
		      lgetxattr(p, "trusted.overlay.redirect", v, 2) < 0;
	}
	ok(all, "user.overlay.*, trusted.overlay.* and user.fuseoverlayfs.* dropped, "
		"user.keep kept");
}

/* A ustar header of a regular file. */
static void tar_header(unsigned char *h, const char *name, size_t size)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	strcpy((char *)h, name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "14524770400", 12);
	h[156] = '0';
	memcpy(h + 257, "ustar\00000", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Found by fuzz_layer: after a ustar entry, this block (a header's fields, misplaced,
 * with an empty name) made libarchive give an entry without a pathname, and unpack
 * crashed on it: import, pull and load alike. */
static void test_nameless_entry(struct store *s, const char *dir)
{
	static const struct {
		int off;
		const char *text;
	} fields[] = {{80, "000644"},	    {87, "0000000"}, {95, "0000000"}, {103, "00000000000"},
		      {115, "14524770400"}, {127, "006227"}, {134, " 5"}};
	struct holt_err err = {0};
	cleanup_free char *path = xasprintf("%s/nameless.tar", dir);
	unsigned char tar[3 * 512] = {0};

	tar_header(tar, "a", 5);
	memcpy(tar + 512, "hello", 5);
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		memcpy(tar + 1024 + fields[i].off, fields[i].text, strlen(fields[i].text));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool written = fd >= 0 && write(fd, tar, sizeof tar) == (ssize_t)sizeof tar;
	if (fd >= 0)
		close(fd);
	cleanup_layer_stage struct layer_stage *st =
	    written ? unpack_file(s, path, NULL, &err) : NULL;
	ok(written && !st && err.msg && strstr(err.msg, "an entry without a name"),
	   "an entry without a name is refused: %s", err.msg ? err.msg : "(none)");
	holt_err_release(&err);
}

static void test_compressions(struct store *s, const char *dir)
{
	static const struct {
		int filter;
		const char *name;
		const char *media;
		bool kept;
	} cases[] = {
	    {ARCHIVE_FILTER_ZSTD, "zstd", LAYER_MEDIA_TAR_ZSTD, true},
	    {ARCHIVE_FILTER_NONE, "plain", LAYER_MEDIA_TAR, true},
	    {ARCHIVE_FILTER_XZ, "xz", LAYER_MEDIA_TAR, false},
	};
	cleanup_free char *plain = xasprintf("%s/base.tar", dir);
	char plain_digest[DIGEST_STR_SIZE];
	file_digest(plain, plain_digest);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct holt_err err = {0};
		cleanup_free char *path = xasprintf("%s/c%zu.tar", dir, i);
		char digest[DIGEST_STR_SIZE];
		tar_write(path, cases[i].filter, base);
		file_digest(path, digest);
		cleanup_layer_stage struct layer_stage *st = unpack_file(s, path, NULL, &err);
		const struct layer_info *li = st ? layer_stage_info(st) : NULL;
		ok(li && !strcmp(li->media_type, cases[i].media) &&
		       !strcmp(li->diff_id, plain_digest) &&
		       !strcmp(li->digest, cases[i].kept ? digest : plain_digest),
		   "%s layer: media type %s, blob %s", cases[i].name, cases[i].media,
		   cases[i].kept ? "as given" : "the uncompressed tar");
		holt_err_release(&err);
	}
}

static void test_bad(struct store *s, const char *root, const char *dir)
{
	cleanup_free char *layers = xasprintf("%s/layers", root);
	cleanup_free char *blobs = xasprintf("%s/blobs/sha256", root);
	int n_layers = count_entries(layers), n_blobs = count_entries(blobs);

	for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
		struct holt_err err = {0};
		cleanup_free char *path = xasprintf("%s/bad%zu.tar", dir, i);
		tar_write(path, ARCHIVE_FILTER_GZIP, bads[i].entries);
		cleanup_layer_stage struct layer_stage *st = unpack_file(s, path, NULL, &err);
		ok(!st && err.msg && strstr(err.msg, bads[i].why), "refuse %s: %s", bads[i].name,
		   err.msg ? err.msg : "(accepted)");
		holt_err_release(&err);
	}

	struct holt_err err = {0};
	cleanup_free char *junk = xasprintf("%s/junk", dir);
	int fd = open(junk, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(write(fd, "this is no tar archive, not at all\n", 35) == 35, "make junk file");
	close(fd);
	cleanup_layer_stage struct layer_stage *st = unpack_file(s, junk, NULL, &err);
	ok(!st && err.msg && strstr(err.msg, "not a tar archive"), "refuse junk: %s",
	   err.msg ? err.msg : "(accepted)");
	holt_err_release(&err);

	cleanup_free char *gz = xasprintf("%s/base.tar.gz", dir);
	const char *wrong =
	    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	cleanup_layer_stage struct layer_stage *st2 = unpack_file(s, gz, wrong, &err);
	ok(!st2 && err.msg && strstr(err.msg, "digest mismatch"), "refuse a digest mismatch: %s",
	   err.msg ? err.msg : "(accepted)");
	holt_err_release(&err);

	const char *stage = store_staging_dir(s, &err);
	ok(count_entries(layers) == n_layers && count_entries(blobs) == n_blobs &&
	       count_entries(stage) == 1,
	   "failures leave layers/, blobs/ and the staging dir as they were");
}

int main(void)
{
	struct holt_err err = {0};
	cleanup_free char *dir = scratch_dir();
	cleanup_free char *root = xasprintf("%s/root", dir);
	cleanup_free char *run = xasprintf("%s/run", dir);

	plan(36);
	struct store *s = store_open(root, run, &err);
	if (!ok(s != NULL, "open store: %s", err.msg ? err.msg : "ok"))
		return done();
	test_base(s, dir);
	test_whiteouts(s, dir);
	test_overlay_xattrs(s, dir);
	test_nameless_entry(s, dir);
	test_compressions(s, dir);
	test_bad(s, root, dir);

	char chain[DIGEST_STR_SIZE];
	const char *a = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	digest_chain_id(a, b, chain);
	char want[DIGEST_STR_SIZE];
	cleanup_free char *joined = xasprintf("%s %s", a, b);
	digest_buf(joined, strlen(joined), want);
	ok(!strcmp(chain, want), "chain id is sha256(parent + \" \" + diff_id)");

	store_free(s);
	ok(store_remove_tree(dir, &err) == 0, "remove the scratch dir");
	return done();
}
