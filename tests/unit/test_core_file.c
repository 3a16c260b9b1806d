/* Unit tests of the in-place rewrite a full disk falls back to. */
#include "core/base/file.h"
#include "core/base/util.h"
#include "tests/unit/tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(const char *path)
{
	char *buf = xzalloc(256);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, 255);
		(void)n;
		close(fd);
	}
	return buf;
}

static void test_in_place(void)
{
	char dir[] = "/tmp/holt-unit-file-XXXXXX";
	struct holt_err err = {0};
	ok(mkdtemp(dir) != NULL, "a scratch dir");
	cleanup_free char *path = xasprintf("%s/state.json", dir);

	ok(write_file_atomic(path, NULL, "{\"ExitCode\":0,\"Pid\":42}", 24, false, &err) == 0,
	   "the first record");
	ok(write_file_in_place(path, "{\"ExitCode\":7}", 14, &err) == 0,
	   "a shorter one over it in place");
	cleanup_free char *shorter = read_all(path);
	ok(strcmp(shorter, "{\"ExitCode\":7}          ") == 0,
	   "padded with spaces to the old size: \"%s\"", shorter);
	ok(write_file_in_place(path, "{\"ExitCode\":7,\"Error\":\"a longer one\"}", 37, &err) == 0,
	   "a longer one");
	cleanup_free char *longer = read_all(path);
	ok(strcmp(longer, "{\"ExitCode\":7,\"Error\":\"a longer one\"}") == 0,
	   "written whole: \"%s\"", longer);
	cleanup_free char *missing = xasprintf("%s/none", dir);
	ok(write_file_in_place(missing, "x", 1, &err) < 0 && strstr(err.msg, missing),
	   "a missing file is an error naming it");
	holt_err_release(&err);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	plan(7);
	test_in_place();
	return done();
}
