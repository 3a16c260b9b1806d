/* The change walker over upper dirs (every whiteout form) and full copies, and the layer
 * tar packed from its list. */
#include "storage/changes.h"
#include "storage/layer_pack.h"
#include "tap.h"
#include "test_storage_tar.h"

#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>

static char *const mount_points[] = {"/etc/hosts", NULL};

static void put(const char *dir, const char *path, const char *data)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, path);
	if (!data) {
		mkdir(p, 0755);
		return;
	}
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

/* A copy of the file at from, with its mtime, as the vfs driver's copy keeps it. */
static void copy_file(const char *from, const char *to)
{
	char buf[256];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
	struct stat st;
	if (out)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (stat(from, &st) == 0)
		utimensat(AT_FDCWD, to, (struct timespec[]){st.st_atim, st.st_mtim}, 0);
}

/* The list as `holt diff` prints it, "C /a\nA /a/b\n...". */
static char *listed(const struct changes *c)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < c->n; i++) {
		char *next = xasprintf("%s%c %s\n", s, c->v[i].kind, c->v[i].path);
		free(s);
		s = next;
	}
	return s;
}

static const struct change *find(const struct changes *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return &c->v[i];
	return NULL;
}

static int walk(const char *dir, enum changes_format format, const char *top, struct changes *c,
		struct holt_err *err)
{
	cleanup_free char *l0 = xasprintf("%s/l0", dir);
	cleanup_free char *l1 = xasprintf("%s/l1", dir);
	char *lower[] = {l0, l1};
	struct changes_request req = {lower, 2, top, format, mount_points, NULL};
	return changes_walk(&req, c, err);
}

/* Two image layers: l0 the base, l1 adding /etc/c. */
static void make_image(const char *dir)
{
	static const char *const l0[][2] = {
	    {"l0", NULL},	{"l0/etc", NULL}, {"l0/etc/a", "a"}, {"l0/etc/b", "b"},
	    {"l0/d", NULL},	{"l0/d/x", "x"},  {"l0/d/y", "y"},   {"l0/keep", NULL},
	    {"l0/keep/k", "k"}, {"l1", NULL},	  {"l1/etc", NULL},  {"l1/etc/c", "c"},
	};
	for (size_t i = 0; i < sizeof l0 / sizeof *l0; i++)
		put(dir, l0[i][0], l0[i][1]);
	cleanup_free char *link = xasprintf("%s/l0/link", dir);
	if (symlink("etc/a", link) < 0)
		diag("symlink: %s", strerror(errno));
}

/* An upper dir as fuse-overlayfs writes it where mknod is refused: .wh.NAME files and the
 * .wh..wh..opq marker; those need no privilege. */
static void test_upper(const char *dir)
{
	static const char *const upper[][2] = {
	    {"up", NULL},
	    {"up/etc", NULL},
	    {"up/etc/a", "changed"},
	    {"up/etc/.wh.c", ""},
	    {"up/etc/.wh.nothere", ""},
	    {"up/etc/hosts", ""},
	    {"up/new", "new"},
	    {"up/d", NULL},
	    {"up/d/.wh..wh..opq", ""},
	    {"up/d/z", "z"},
	    {"up/keep", NULL},
	};
	struct holt_err err = {0};
	struct changes c;
	cleanup_free char *top = xasprintf("%s/up", dir);

	for (size_t i = 0; i < sizeof upper / sizeof *upper; i++)
		put(dir, upper[i][0], upper[i][1]);
	int r = walk(dir, CHANGES_UPPER, top, &c, &err);
	if (!ok(r == 0, "walk an upper dir: %s", err.msg ? err.msg : "ok")) {
		skip(9, "no change list");
		holt_err_release(&err);
		return;
	}
	cleanup_free char *got = listed(&c);
	const char *want = "C /d\nD /d/x\nD /d/y\nA /d/z\nC /etc\nC /etc/a\nD /etc/c\nA /new\n";
	if (!ok(!strcmp(got, want), "upper: A, C and D in path order, parents as C"))
		diag("got:\n%s", got);
	ok(find(&c, "/d") && find(&c, "/d")->opaque, "a dir with .wh..wh..opq is opaque");
	ok(find(&c, "/d/x") && find(&c, "/d/x")->under_opaque && !find(&c, "/etc/c")->under_opaque,
	   "what the opaque dir hides is marked so, a whiteout is not");
	ok(!find(&c, "/keep"), "a copied-up dir with nothing changed is no change");
	ok(!find(&c, "/etc/hosts") && !find(&c, "/etc/nothere"),
	   "mount points and whiteouts of names the image lacks are left out");

	/* The layer made from the list. */
	cleanup_free char *tar = xasprintf("%s/layer.tar.gz", dir);
	cleanup_free char *new = xasprintf("%s/new", top);
	cleanup_free char *hard = xasprintf("%s/hard", top);
	cleanup_free char *opaque = xasprintf("%s/d", top);
	bool xattrs = setxattr(new, "user.test", "1", 1, 0) == 0 &&
		      setxattr(opaque, "user.fuseoverlayfs.opaque", "y", 1, 0) == 0;
	if (link(new, hard) < 0)
		diag("link: %s", strerror(errno));
	changes_release(&c);
	if (walk(dir, CHANGES_UPPER, top, &c, &err) < 0)
		holt_err_release(&err);
	int fd = open(tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	r = layer_pack(&c, top, fd, &err);
	close(fd);
	ok(r == 0, "pack the changes: %s", err.msg ? err.msg : "ok");
	holt_err_release(&err);
	changes_release(&c);

	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *names = xstrdup("");
	bool hard_ok = false, xattr_ok = false, private_left = true;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tar, 4096) == ARCHIVE_OK) {
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *p = archive_entry_pathname(e);
			char *next = xasprintf("%s%s ", names, p);
			free(names);
			names = next;
			/* the first name packed holds the data */
			if (!strcmp(p, "new"))
				hard_ok = archive_entry_hardlink(e) &&
					  !strcmp(archive_entry_hardlink(e), "hard");
			const char *xn;
			const void *xv;
			size_t xs;
			archive_entry_xattr_reset(e);
			while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK) {
				if (!strcmp(p, "hard") && !strcmp(xn, "user.test"))
					xattr_ok = true;
				if (!strncmp(xn, "user.fuseoverlayfs.", 19))
					private_left = false;
			}
		}
	}
	archive_read_free(a);
	const char *want_names = "d/ d/.wh..wh..opq d/z etc/ etc/a etc/.wh.c hard new ";
	if (!ok(!strcmp(names, want_names), "the layer: dirs, whiteouts, the opaque marker"))
		diag("got: %s", names);
	free(names);
	ok(hard_ok, "a hard link in the layer stays one");
	if (xattrs)
		ok(xattr_ok && private_left, "xattrs are kept but fuse-overlayfs's own");
	else
		skip(1, "no user xattrs here");
}

/* The vfs driver's copy: every file compared with the image's. */
static void test_copy(const char *dir)
{
	static const char *const same[] = {"etc/c", "keep/k", "d/x"};
	struct holt_err err = {0};
	struct changes c;
	cleanup_free char *top = xasprintf("%s/copy", dir);

	put(dir, "copy", NULL);
	put(dir, "copy/etc", NULL);
	put(dir, "copy/keep", NULL);
	put(dir, "copy/d", NULL);
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		cleanup_free char *from = xasprintf("%s/%s/%s", dir, i ? "l0" : "l1", same[i]);
		cleanup_free char *to = xasprintf("%s/%s", top, same[i]);
		copy_file(from, to);
	}
	put(dir, "copy/etc/a", "a, longer");
	put(dir, "copy/d/new", "new");
	put(dir, "copy/etc/hosts", "");
	cleanup_free char *link = xasprintf("%s/link", top);
	if (symlink("etc/a", link) < 0)
		diag("symlink: %s", strerror(errno));

	int r = walk(dir, CHANGES_COPY, top, &c, &err);
	if (!ok(r == 0, "walk a copy: %s", err.msg ? err.msg : "ok")) {
		skip(2, "no change list");
		holt_err_release(&err);
		return;
	}
	cleanup_free char *got = listed(&c);
	const char *want = "C /d\nA /d/new\nD /d/y\nC /etc\nC /etc/a\nD /etc/b\n";
	if (!ok(!strcmp(got, want), "copy: what differs, and what is missing as D"))
		diag("got:\n%s", got);
	ok(find(&c, "/d/y") && !find(&c, "/d/y")->under_opaque,
	   "a copy's deletions are whiteouts of their own");
	changes_release(&c);
}

/* Overlay's own forms: char 0/0 whiteouts (in a layer too) and the opaque xattr. */
static void test_overlay_forms(const char *dir)
{
	struct holt_err err = {0};
	struct changes c;
	cleanup_free char *top = xasprintf("%s/ovl", dir);
	cleanup_free char *wh_lower = xasprintf("%s/l1/etc/b", dir);
	cleanup_free char *wh_upper = xasprintf("%s/ovl/etc/a", dir);
	cleanup_free char *opaque = xasprintf("%s/ovl/keep", dir);

	put(dir, "ovl", NULL);
	put(dir, "ovl/etc", NULL);
	put(dir, "ovl/keep", NULL);
	put(dir, "ovl/etc/b", "back");
	if (mknod(wh_upper, S_IFCHR, makedev(0, 0)) < 0 ||
	    mknod(wh_lower, S_IFCHR, makedev(0, 0)) < 0) {
		skip(2, "mknod of a whiteout is refused here");
		return;
	}
	bool xattr = setxattr(opaque, "user.overlay.opaque", "y", 1, 0) == 0;
	int r = walk(dir, CHANGES_UPPER, top, &c, &err);
	cleanup_free char *got = r == 0 ? listed(&c) : xstrdup(err.msg);
	const char *want = xattr ? "C /etc\nD /etc/a\nA /etc/b\nC /keep\nD /keep/k\n"
				 : "C /etc\nD /etc/a\nA /etc/b\n";
	if (!ok(r == 0 && !strcmp(got, want),
		"char 0/0 whiteouts; a name a lower layer whited out comes back as A"))
		diag("got:\n%s", got);
	if (xattr)
		ok(find(&c, "/keep")->opaque, "user.overlay.opaque makes a dir opaque");
	else
		skip(1, "no user xattrs here");
	holt_err_release(&err);
	changes_release(&c);
	unlink(wh_lower);
}

int main(void)
{
	struct holt_err err = {0};
	cleanup_free char *dir = scratch_dir();

	plan(16);
	make_image(dir);
	test_upper(dir);
	test_copy(dir);
	test_overlay_forms(dir);
	ok(store_remove_tree(dir, &err) == 0, "remove the scratch dir");
	return done();
}
