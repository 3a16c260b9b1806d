/* Unit tests of the container log format: write, rotate, parse back. */
#include "core/base/util.h"
#include "core/logfile.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *slurp(const char *path)
{
	cleanup_file FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0;
	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void test_write_and_parse(const char *dir)
{
	struct holt_err err = {0};
	cleanup_free char *path = xasprintf("%s/ctr.log", dir);
	struct logfile *l = logfile_open(path, 0, LOG_DRIVER_K8S_FILE, &err);
	ok(l != NULL, "a log opens");
	logfile_write(l, "stdout", "one\ntwo\nthr", 11);
	logfile_write(l, "stderr", "oops\n", 5);
	logfile_close(l);

	cleanup_free char *text = slurp(path);
	char *lines[8] = {0};
	int n = 0;
	for (char *s = strtok(text, "\n"); s && n < 8; s = strtok(NULL, "\n"))
		lines[n++] = s;
	ok(n == 4, "a line each, the unfinished one too (%d)", n);
	struct log_entry e;
	ok(logfile_parse(lines[0], strlen(lines[0]), &e) && !e.is_stderr && !e.partial &&
	       e.len == 3 && memcmp(e.text, "one", 3) == 0,
	   "a full stdout line parses back");
	ok(logfile_parse(lines[2], strlen(lines[2]), &e) && e.partial && e.len == 3,
	   "a piece of a line is marked P");
	ok(logfile_parse(lines[3], strlen(lines[3]), &e) && e.is_stderr && e.len == 4,
	   "stderr is kept apart");
	ok(e.time.tv_sec > 1700000000, "the time parses");
	char half[] = "2026-11-28T13:35:54.5Z stdout F x";
	ok(logfile_parse(half, strlen(half), &e) && e.time.tv_nsec == 500000000,
	   "a fraction without its trailing zeros (Go's RFC3339Nano) is read as such");
	char whole[] = "2026-11-28T13:35:54Z stdout F x";
	ok(logfile_parse(whole, strlen(whole), &e) && e.time.tv_nsec == 0,
	   "a time on the second has no fraction");
	char bad[] = "not a log line";
	ok(!logfile_parse(bad, strlen(bad), &e), "a malformed line is refused");
}

static void test_formats(const char *dir)
{
	struct holt_err err = {0};
	struct log_entry e;
	char podman[] = "2026-11-28T14:35:54.000000001+01:00 stdout F x";
	ok(logfile_parse(podman, strlen(podman), &e) && e.time.tv_sec == 1795872954 &&
	       e.time.tv_nsec == 1,
	   "podman's local time with its offset is read as the same instant");

	cleanup_free char *path = xasprintf("%s/json.log", dir);
	struct logfile *l = logfile_open(path, 0, LOG_DRIVER_JSON_FILE, &err);
	logfile_write(l, "stderr", "a \"q\"\tb\npart", 12);
	logfile_close(l);
	cleanup_free char *text = slurp(path);
	char *second = text ? strchr(text, '\n') : NULL;
	ok(second &&
	       strncmp(text,
		       "{\"log\":\"a \\\"q\\\"\\tb\\n\",\"stream\":\"stderr\",\"time\":", 45) == 0,
	   "json-file: docker's fields, the text escaped, with its newline");
	*second = '\0';
	ok(logfile_parse_json(text, strlen(text), &e) && e.is_stderr && !e.partial && e.len == 7 &&
	       memcmp(e.text, "a \"q\"\tb", 7) == 0 && e.time.tv_sec > 1700000000,
	   "json-file: a line parses back, decoded");
	char *rest = second + 1;
	*strchr(rest, '\n') = '\0';
	ok(logfile_parse_json(rest, strlen(rest), &e) && e.partial && e.len == 4,
	   "json-file: a piece of a line has no newline");
	char bad[] = "{\"log\":1}";
	ok(!logfile_parse_json(bad, strlen(bad), &e),
	   "json-file: a line without its fields is refused");
}

static void test_rotation(const char *dir)
{
	struct holt_err err = {0};
	cleanup_free char *path = xasprintf("%s/rot.log", dir);
	cleanup_free char *old = xasprintf("%s.1", path);
	struct logfile *l = logfile_open(path, 200, LOG_DRIVER_K8S_FILE, &err);
	for (int i = 0; i < 20; i++)
		logfile_write(l, "stdout", "0123456789\n", 11);
	logfile_close(l);
	struct stat st;
	ok(stat(old, &st) == 0, "a full log is rotated to .1");
	ok(stat(path, &st) == 0 && st.st_size <= 200, "the live log stays under its limit (%lld)",
	   (long long)st.st_size);
}

int main(void)
{
	char dir[] = "/tmp/holt-test-logs-XXXXXX";
	plan(16);
	if (!mkdtemp(dir))
		return 1;
	test_write_and_parse(dir);
	test_formats(dir);
	test_rotation(dir);
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}
