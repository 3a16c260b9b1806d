/* Unit tests of the overlay mount options. */
#include "core/base/util.h"
#include "storage/rootfs.h"
#include "tests/unit/tap.h"

#include <string.h>

static void test_lowerdir(void)
{
	char *lower[] = {"/l/bottom", "/l/mid", "/l/top"};
	struct rootfs_layout l = {.lower = lower, .n_lower = 3};
	cleanup_free char *opt = rootfs_lowerdir_option(&l);
	ok(strcmp(opt, "/l/top:/l/mid:/l/bottom") == 0, "lowerdir lists the top layer first: %s",
	   opt);
	char *under[] = {"/s/layers/a/diff", "/elsewhere/b", "/s/layers/c/diff"};
	struct rootfs_layout rel = {.lower = under, .n_lower = 3, .lower_base = "/s/layers"};
	cleanup_free char *ropt = rootfs_lowerdir_option(&rel);
	ok(strcmp(ropt, "c/diff:/elsewhere/b:a/diff") == 0,
	   "lower dirs under lower_base are relative to it: %s", ropt);
}

int main(void)
{
	plan(2);
	test_lowerdir();
	return done();
}
