/* Unit tests of the process spec: docker's rules for merging the image's defaults with
 * what the user asked for. */
#include "core/base/util.h"
#include "core/spec.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <string.h>

static char **v(const char *a, const char *b, const char *c)
{
	char **r = NULL;
	if (a)
		strv_push(&r, a);
	if (b)
		strv_push(&r, b);
	if (c)
		strv_push(&r, c);
	return r;
}

static void test_spec(void)
{
	struct image img = {0};
	struct container_config cfg = {.hostname = "h1"};
	struct process_spec spec;
	struct holt_err err = {0};

	img.entrypoint = v("/ep", "-x", NULL);
	img.cmd = v("default", NULL, NULL);
	img.env = v("PATH=/img/bin", "A=image", NULL);
	img.workdir = "/srv";
	img.user = "tester";

	ok(spec_build(&cfg, &img, &spec, &err) == 0, "spec from image defaults");
	cleanup_free char *a1 = joined(spec.argv);
	ok(strcmp(a1, "/ep -x default") == 0, "entrypoint + image cmd: %s", a1);
	ok(strcmp(spec_env_get(spec.env, "PATH"), "/img/bin") == 0, "image PATH replaces default");
	ok(strcmp(spec_env_get(spec.env, "HOSTNAME"), "h1") == 0, "HOSTNAME set");
	ok(strcmp(spec.cwd, "/srv") == 0 && strcmp(spec.user, "tester") == 0,
	   "image workdir and user");
	ok(spec_env_get(spec.env, "TERM") == NULL, "no TERM without a tty");
	spec_release(&spec);

	cfg.cmd = v("run", "this", NULL);
	cfg.env = v("A=user", "B=2", NULL);
	cfg.tty = true;
	cfg.workdir = "/tmp";
	cfg.user = "1000:1000";
	ok(spec_build(&cfg, &img, &spec, &err) == 0, "spec with user options");
	cleanup_free char *a2 = joined(spec.argv);
	ok(strcmp(a2, "/ep -x run this") == 0, "user cmd after entrypoint: %s", a2);
	ok(strcmp(spec_env_get(spec.env, "A"), "user") == 0, "-e overrides image env");
	ok(strcmp(spec_env_get(spec.env, "TERM"), "xterm") == 0, "TERM with a tty");
	ok(strcmp(spec.cwd, "/tmp") == 0 && strcmp(spec.user, "1000:1000") == 0, "-w and -u win");
	spec_release(&spec);

	strv_free(cfg.cmd);
	cfg.cmd = NULL;
	cfg.entrypoint = v("/bin/env", NULL, NULL);
	cfg.entrypoint_set = true;
	ok(spec_build(&cfg, &img, &spec, &err) == 0, "spec with --entrypoint");
	cleanup_free char *a3 = joined(spec.argv);
	ok(strcmp(a3, "/bin/env") == 0, "--entrypoint drops the image's cmd: %s", a3);
	spec_release(&spec);

	strv_free(cfg.entrypoint);
	cfg.entrypoint = v("", NULL, NULL);
	ok(spec_build(&cfg, &img, &spec, &err) < 0 && err.msg && strstr(err.msg, "no command"),
	   "--entrypoint \"\" and no cmd: error \"%s\"", err.msg ? err.msg : "");
	holt_err_release(&err);

	struct image bare = {0};
	struct container_config none = {.hostname = "h"};
	ok(spec_build(&none, &bare, &spec, &err) == 0 ? (spec_release(&spec), false) : true,
	   "no command anywhere is an error");
	holt_err_release(&err);
	ok(spec_build(&none, &img, &spec, &err) == 0 && strcmp(spec.user, "tester") == 0,
	   "defaults user");
	spec_release(&spec);
	img.user = NULL;
	img.workdir = NULL;
	ok(spec_build(&none, &img, &spec, &err) == 0 && strcmp(spec.user, "0") == 0 &&
	       strcmp(spec.cwd, "/") == 0,
	   "root and / when the image says nothing");
	ok(strcmp(spec_env_get(spec.env, "PATH"), "/img/bin") == 0, "PATH kept");
	spec_release(&spec);

	strv_free(img.entrypoint), strv_free(img.cmd), strv_free(img.env);
	strv_free(cfg.env), strv_free(cfg.entrypoint);
}

int main(void)
{
	plan(18);
	test_spec();
	return done();
}
