/* Unit tests of --env and --env-file parsing. */
#include "core/base/util.h"
#include "core/envfile.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	plan(5);
	test_envfile();
	return done();
}
