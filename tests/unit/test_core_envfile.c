/* Unit tests of --env and --env-file parsing. */
#include "core/base/util.h"
#include "core/envfile.h"
#include "core/spec.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void test_envfile(void)
{
	cleanup_free char *path = write_tmp("# comment\n\nA=1\n  B=two words\nFROM_HOST\n"
					    "UNSET_HERE_X\nC=\n");
	cleanup_strv char **env = NULL;
	struct holt_err err = {0};

	setenv("FROM_HOST", "hostval", 1);
	unsetenv("UNSET_HERE_X");
	ok(envfile_read(path, &env, &err) == 0, "env file read");
	cleanup_free char *all = joined(env);
	ok(strcmp(all, "A=1 B=two words FROM_HOST=hostval C=") == 0, "env file entries: %s", all);
	ok(envfile_add(&env, "=x", "--env", &err) < 0 && strstr(err.msg, "empty name"),
	   "empty name refused");
	holt_err_release(&err);
	ok(envfile_read("/nonexistent/env", &env, &err) < 0 && strstr(err.msg, "/nonexistent/env"),
	   "missing env file named: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	cleanup_free char *bad = write_tmp("GOOD=1\nBAD KEY=2\n");
	ok(envfile_read(bad, &env, &err) < 0 && strstr(err.msg, "line 2"), "bad line numbered: %s",
	   err.msg ? err.msg : "");
	holt_err_release(&err);
	unlink(path);
	unlink(bad);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What is not a regular file, or is too big, is refused before it is read whole, and
 * *env is left as it was. */
static void test_envfile_bounds(void)
{
	cleanup_strv char **env = NULL;
	struct holt_err err = {0};

	strv_push(&env, "KEEP=1");
	ok(envfile_read("/tmp", &env, &err) < 0 && strstr(err.msg, "\"/tmp\": is a directory"),
	   "a directory is refused: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	ok(envfile_read("/dev/zero", &env, &err) < 0 &&
	       strstr(err.msg, "\"/dev/zero\": not a regular file"),
	   "a device is refused: %s", err.msg ? err.msg : "");
	holt_err_release(&err);

	cleanup_free char *fifo = xstrdup("/tmp/holt-unit-fifo-XXXXXX");
	int fd = mkstemp(fifo);
	close(fd);
	unlink(fifo);
	ok(mkfifo(fifo, 0600) == 0 && envfile_read(fifo, &env, &err) < 0 &&
	       strstr(err.msg, "not a regular file"),
	   "a FIFO without a writer is refused, not waited on: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	unlink(fifo);

	cleanup_free char *big = write_tmp("");
	FILE *f = fopen(big, "we");
	for (int i = 0; f && i < ENVFILE_MAX_SIZE / 8 + 1; i++)
		fputs("AAA=bbb\n", f);
	if (f)
		fclose(f);
	ok(envfile_read(big, &env, &err) < 0 && strstr(err.msg, big) &&
	       strstr(err.msg, "larger than the limit of 1 MiB"),
	   "a file over 1 MiB is refused: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	unlink(big);

	cleanup_free char *nul = write_tmp("A=1\nB=x");
	f = fopen(nul, "ae");
	if (f) {
		fputc('\0', f);
		fputs("y\n", f);
		fclose(f);
	}
	ok(envfile_read(nul, &env, &err) < 0 && strstr(err.msg, "line 2: contains a NUL byte"),
	   "a NUL byte is refused: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	unlink(nul);
	cleanup_free char *all = joined(env);
	ok(strcmp(all, "KEEP=1") == 0, "env unchanged by the failures: %s", all);
}

/* 150,000 variables (just under 1 MiB): reading them and merging them into a process's
 * environment took minutes when each entry walked the list. */
static void test_envfile_linear(void)
{
	cleanup_free char *path = write_tmp("");
	cleanup_strv char **env = NULL;
	cleanup_strv char **merged = NULL;
	struct holt_err err = {0};
	FILE *f = fopen(path, "we");
	const int n = 150000;

	for (int i = 0; f && i < n; i++)
		fprintf(f, "%x=\n", i);
	if (f)
		fclose(f);
	double t0 = now();
	int ret = envfile_read(path, &env, &err);
	strv_push(&merged, "0=first");
	spec_env_merge(&merged, env);
	double secs = now() - t0;
	ok(ret == 0 && strv_len(env) == (size_t)n && strv_len(merged) == (size_t)n && secs < 3.0,
	   "%d variables read and merged in %.2f s", n, secs);
	unlink(path);
}

static void test_env_merge(void)
{
	cleanup_strv char **env = NULL;
	char *add[] = {"B=2", "A=3", "C=4", "B=5", NULL};

	strv_push(&env, "A=1");
	strv_push(&env, "B");
	spec_env_merge(&env, add);
	cleanup_free char *all = joined(env);
	ok(strcmp(all, "A=3 B=5 C=4") == 0, "merge: later values win, first places kept: %s", all);
}

int main(void)
{
	plan(13);
	test_envfile();
	test_envfile_bounds();
	test_envfile_linear();
	test_env_merge();
	return done();
}
