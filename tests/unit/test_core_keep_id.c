/* Unit tests of --userns parsing and the keep-id map. */
#include "core/keep_id.h"
#include "core/userns_auto.h"
#include "tests/unit/tap.h"

#include <string.h>

static bool line_is(const struct keep_id_line *l, unsigned long in, unsigned long out,
		    unsigned long count)
{
	return l->inside == in && l->outside == out && l->count == count;
}

static void test_parse(void)
{
	struct keep_id k;
	struct holt_err err = {0};

	ok(keep_id_parse("host", &k, &err) == 0 && !k.on, "host is holt's own namespace");
	ok(keep_id_parse("keep-id", &k, &err) == 0 && k.on && k.uid == -1 && k.gid == -1,
	   "keep-id keeps the user's own ids");
	ok(keep_id_parse("keep-id:uid=1000,gid=33", &k, &err) == 0 && k.uid == 1000 && k.gid == 33,
	   "keep-id:uid=1000,gid=33");
	int r = keep_id_parse("keep-id:uid=x", &k, &err);
	ok(r < 0 && strstr(err.msg, "uid=N"), "a bad option is refused: %s", err.msg);
	holt_err_release(&err);
	ok(keep_id_parse("keep-idx", &k, &err) < 0, "keep-idx is not keep-id");
	holt_err_release(&err);
	ok(keep_id_parse("nomap", &k, &err) == 0 && k.nomap && !k.on && !k.auto_size,
	   "nomap: the subordinate ids alone");
	ok(keep_id_parse("auto", &k, &err) == 0 && !k.on && k.auto_size == USERNS_AUTO_SIZE &&
	       !k.auto_sized,
	   "auto: a slice of podman's default size, or what the image needs");
	ok(keep_id_parse("auto:size=65536", &k, &err) == 0 && k.auto_size == 65536 && k.auto_sized,
	   "auto:size=65536");
	r = keep_id_parse("auto:size=0", &k, &err);
	ok(r < 0 && strstr(err.msg, "size=N"), "auto:size=0 is refused: %s", err.msg);
	holt_err_release(&err);
	r = keep_id_parse("auto:uid=3", &k, &err);
	ok(r < 0 && strstr(err.msg, "size=N"), "auto's only option is size: %s", err.msg);
	holt_err_release(&err);
}

static void test_fit(void)
{
	const struct userns_slice taken[] = {{1, 1024}, {2049, 100}};
	unsigned long base = 0;

	ok(userns_auto_fit(NULL, 0, 1024, 65537, &base) == 0 && base == 1,
	   "the first slice starts after the user's own id");
	ok(userns_auto_fit(taken, 2, 1024, 65537, &base) == 0 && base == 1025,
	   "a slice fits the gap it fills exactly");
	ok(userns_auto_fit(taken, 2, 1025, 65537, &base) == 0 && base == 2149,
	   "a slice too large for the gap goes after the last");
	ok(userns_auto_fit(taken, 2, 65536 - 2148 + 1, 65537, &base) < 0,
	   "none when no gap holds it");
	ok(userns_auto_fit(NULL, 0, 1, 1, &base) < 0, "none without subordinate ids");
}

static void test_lines(void)
{
	struct keep_id_line l[3];
	int n = keep_id_lines(1001, 65537, l);

	ok(n == 3 && line_is(&l[0], 0, 1, 1001) && line_is(&l[1], 1001, 0, 1) &&
	       line_is(&l[2], 1002, 1002, 64535),
	   "the user at 1001, the range around it");
	n = keep_id_lines(0, 65537, l);
	ok(n == 2 && line_is(&l[0], 0, 0, 1) && line_is(&l[1], 1, 1, 65536),
	   "uid=0: holt's own map");
	n = keep_id_lines(100000, 65537, l);
	ok(n == 2 && line_is(&l[0], 0, 1, 65536) && line_is(&l[1], 100000, 0, 1),
	   "a uid beyond the range: the range below it");
	n = keep_id_lines(1002, 1, l);
	ok(n == 1 && line_is(&l[0], 1002, 0, 1), "no subordinate ids: the user's id only");
}

int main(void)
{
	plan(19);
	test_parse();
	test_lines();
	test_fit();
	return done();
}
