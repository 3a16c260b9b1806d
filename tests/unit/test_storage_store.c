/* The store: default paths, layout, staging dirs that survive only while their command
 * lives, atomic writes, the lock, and rm -rf of trees overlay leaves behind. */
#include "core/base/digest.h"
#include "core/base/err.h"
#include "core/base/util.h"
#include "storage/store.h"
#include "tap.h"
#include "test_storage_tar.h"

#include <errno.h>
#include <sys/file.h>

static void test_defaults(void)
{
	setenv("XDG_DATA_HOME", "/x/data", 1);
	setenv("XDG_RUNTIME_DIR", "/x/run", 1);
	cleanup_free char *root = store_default_root();
	cleanup_free char *run = store_default_runroot();
	ok(!strcmp(root, "/x/data/holt") && !strcmp(run, "/x/run/holt"), "XDG paths: %s %s", root,
	   run);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_RUNTIME_DIR");
	setenv("HOME", "/home/u", 1);
	cleanup_free char *root2 = store_default_root();
	cleanup_free char *run2 = store_default_runroot();
	cleanup_free char *want = xasprintf("/tmp/holt-%u", (unsigned)getuid());
	ok(!strcmp(root2, "/home/u/.local/share/holt") && !strcmp(run2, want), "fallbacks: %s %s",
	   root2, run2);
}

static void test_digest(void)
{
	char d[DIGEST_STR_SIZE];
	digest_buf("abc", 3, d);
	ok(!strcmp(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "sha256 of \"abc\"");
	struct digest *s = digest_new();
	digest_update(s, "a", 1);
	digest_update(s, "bc", 2);
	char d2[DIGEST_STR_SIZE];
	digest_final(s, d2);
	digest_free(s);
	ok(!strcmp(d, d2), "streaming digest equals the one-shot one");
	ok(digest_valid(d) && !digest_valid("sha256:ABC") && !digest_valid("md5:00") &&
	       !digest_valid(
		   "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"),
	   "digest_valid");
}

int main(void)
{
	struct holt_err err = {0};
	cleanup_free char *dir = scratch_dir();
	cleanup_free char *root = xasprintf("%s/a/root", dir);
	cleanup_free char *run = xasprintf("%s/run", dir);

	plan(18);
	test_defaults();
	test_digest();

	struct store *s = store_open(root, run, &err);
	if (!ok(s != NULL, "open a store in a missing dir: %s", err.msg ? err.msg : "ok"))
		return done();
	const char *sub[] = {"blobs/sha256", "layers", "images", "containers", "volumes", "tmp"};
	bool all = true;
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		cleanup_free char *p = xasprintf("%s/%s", root, sub[i]);
		all = all && access(p, W_OK) == 0;
	}
	struct stat st;
	ok(all && stat(run, &st) == 0 && (st.st_mode & 0777) == 0700, "layout and runroot 0700");

	/* A stale leftover of a dead command, and the live staging dir of another handle. */
	cleanup_free char *stale = xasprintf("%s/tmp/stale", root);
	mkdir(stale, 0700);
	struct store *other = store_open(root, run, &err);
	ok(other == NULL ? false : access(stale, F_OK) < 0,
	   "store_open removes stale tmp/ entries");
	cleanup_free char *live = store_mktemp(s, &err);
	struct store *third = store_open(root, run, &err);
	ok(live && access(live, F_OK) == 0, "but keeps another live command's staging dir");
	store_free(third);
	store_free(other);

	cleanup_free char *file = xasprintf("%s/f.json", root);
	ok(store_write_file(s, file, "{}", 2, &err) == 0 && access(file, R_OK) == 0,
	   "atomic write");
	cleanup_free char *tmp = xasprintf("%s/tmp", root);
	ok(count_entries(tmp) == 1, "leaves only this command's staging dir in tmp/");
	cleanup_free char *nodir = xasprintf("%s/missing/f", root);
	int r = store_write_file(s, nodir, "x", 1, &err);
	ok(r < 0 && err.errnum == ENOENT && strstr(err.msg, nodir),
	   "write error names the file: %s", err.msg ? err.msg : "(written)");
	holt_err_release(&err);

	ok(store_lock(s, &err) == 0 && store_lock(s, &err) == 0, "lock, nested");
	cleanup_free char *lockp = xasprintf("%s/lock", root);
	int fd = open(lockp, O_RDWR);
	ok(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK, "another open file waits");
	store_unlock(s);
	store_unlock(s);
	ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "unlock releases it");
	close(fd);

	/* What overlay leaves: a work dir of mode 000 holding a dir of mode 000. */
	cleanup_free char *tree = xasprintf("%s/tree", dir);
	cleanup_free char *work = xasprintf("%s/work", tree);
	cleanup_free char *inner = xasprintf("%s/work/work", tree);
	cleanup_free char *ro = xasprintf("%s/ro", tree);
	cleanup_free char *rof = xasprintf("%s/ro/f", tree);
	mkdir(tree, 0755);
	mkdir(work, 0755);
	mkdir(inner, 0755);
	mkdir(ro, 0755);
	close(open(rof, O_CREAT | O_WRONLY, 0644));
	chmod(inner, 0);
	chmod(work, 0);
	chmod(ro, 0555);
	ok(store_remove_tree(tree, &err) == 0 && access(tree, F_OK) < 0,
	   "remove a tree with mode 000 and read-only dirs: %s", err.msg ? err.msg : "ok");
	holt_err_release(&err);

	store_free(s);
	ok(access(live, F_OK) < 0, "store_free removes its staging dir");
	ok(store_remove_tree(dir, &err) == 0, "remove the scratch dir");
	return done();
}
