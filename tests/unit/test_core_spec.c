/* Unit tests of the pure parts of core/: the process spec (docker's merge rules),
 * --user resolution, env files, container names, overlay options. */
#include "core/base/util.h"
#include "core/envfile.h"
#include "core/names.h"
#include "core/spec.h"
#include "core/user.h"
#include "storage/rootfs.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char *joined(char **argv)
{
	size_t len = 1;
	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = xzalloc(len);
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
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

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/holt-unit-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	return path;
}

static void test_user(void)
{
	cleanup_free char *passwd = write_tmp("root:x:0:0:root:/root:/bin/sh\n"
					      "tester:x:1000:1000::/home/tester:/bin/sh\n");
	cleanup_free char *group = write_tmp("root:x:0:\nwheel:x:10:tester,other\n"
					     "tester:x:1000:\nstaff:x:50:\n");
	struct user_ids ids;
	struct holt_err err = {0};

	ok(user_resolve("tester", passwd, group, &ids, &err) == 0 && ids.uid == 1000 &&
	       ids.gid == 1000 && strcmp(ids.home, "/home/tester") == 0,
	   "user by name");
	bool wheel = false;
	for (size_t i = 0; i < ids.n_groups; i++)
		wheel |= ids.groups[i] == 10;
	ok(wheel && ids.n_groups == 2, "supplementary groups from /etc/group");
	user_ids_release(&ids);

	ok(user_resolve("0", passwd, group, &ids, &err) == 0 && ids.uid == 0 &&
	       strcmp(ids.home, "/root") == 0,
	   "uid 0 finds root's home");
	user_ids_release(&ids);
	ok(user_resolve("4242:77", passwd, group, &ids, &err) == 0 && ids.uid == 4242 &&
	       ids.gid == 77 && strcmp(ids.home, "/") == 0,
	   "numbers without passwd entries");
	user_ids_release(&ids);
	ok(user_resolve("tester:staff", passwd, group, &ids, &err) == 0 && ids.gid == 50,
	   "group by name");
	user_ids_release(&ids);
	ok(user_resolve("nobody", passwd, group, &ids, &err) < 0 && strstr(err.msg, "\"nobody\""),
	   "unknown user names the user: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	user_ids_release(&ids);
	ok(user_resolve("tester:nogroup", passwd, group, &ids, &err) < 0 &&
	       strstr(err.msg, "\"nogroup\""),
	   "unknown group names the group");
	holt_err_release(&err);
	user_ids_release(&ids);
	ok(user_resolve("1000", "/nonexistent", "/nonexistent", &ids, &err) == 0 &&
	       ids.uid == 1000 && ids.gid == 0,
	   "numbers work without the files");
	user_ids_release(&ids);
	unlink(passwd);
	unlink(group);
}

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

static void test_names(void)
{
	ok(names_valid("web") && names_valid("a.b-c_d9"), "valid names");
	ok(!names_valid("-x") && !names_valid("a/b") && !names_valid("") && !names_valid("a b"),
	   "invalid names");
	cleanup_free char *n = names_generate(false);
	ok(names_valid(n) && strchr(n, '_'), "generated name %s is adjective_noun", n);
}

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
	plan(36);
	test_spec();
	test_user();
	test_envfile();
	test_names();
	test_lowerdir();
	return done();
}
