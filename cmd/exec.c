/* `holt exec`: a new process in a running container, joined to its namespaces (user
 * namespace first: main enters it), with the container's user, env and cwd unless
 * told otherwise, and its exit status. */
#include "cmd/cmd.h"
#include "cmd/container_opts.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/container_events.h"
#include "core/envfile.h"
#include "core/launch.h"
#include "core/relay.h"
#include "core/run.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_option exec_options[] = {
    {"interactive", 'i', NULL, "keep stdin open and attached"},
    {"tty", 't', NULL, "give the process a terminal"},
    {"detach", 'd', NULL, "run the process in the background"},
    {"env", 'e', "KEY=VALUE", "set an environment variable"},
    {"env-file", OPT_ENV_FILE, "FILE", "read environment variables from FILE"},
    {"workdir", 'w', "DIR", "working directory (default: the container's)"},
    {"user", 'u', "USER[:GROUP]", "user to run as (default: the container's)"},
    {"preserve-fds", OPT_PRESERVE_FDS, "N", "pass fds 3 .. 3+N-1 on to the process"},
    {"privileged", OPT_PRIVILEGED, NULL, "give the process every capability"},
    {"detach-keys", OPT_DETACH_KEYS, "KEYS",
     "keys that detach -it, the process running on (default: ctrl-p,ctrl-q)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_exec_info = {
    .name = "exec",
    .args = "[OPTIONS] CONTAINER COMMAND [ARG...]",
    .summary = "Run a command in a running container",
    .options = exec_options,
    .stop_at_operand = true,
};

struct exec_opts {
	bool detach, tty, interactive, privileged;
	unsigned preserve_fds;
	char **env;
	const char *workdir, *user;
	struct attach_keys keys;
};

static int parse(int argc, char **argv, struct exec_opts *o, struct holt_err *err)
{
	int c;
	const char *keys = NULL;
	while ((c = cmd_getopt(argc, argv, &cmd_exec_info)) != -1) {
		switch (c) {
		case OPT_DETACH_KEYS:
			keys = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'e':
			if (envfile_add(&o->env, optarg, "--env", err) < 0)
				return -1;
			break;
		case OPT_ENV_FILE:
			if (envfile_read(optarg, &o->env, err) < 0)
				return -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return holt_err_set(
				    err, 0, "--workdir \"%s\": not an absolute path", optarg);
			o->workdir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case OPT_PRIVILEGED:
			o->privileged = true;
			break;
		case OPT_PRESERVE_FDS:
			if (container_opt_preserve_fds(optarg, &o->preserve_fds, err) < 0)
				return -1;
			break;
		}
	}
	if (attach_keys_parse(keys, &o->keys, err) < 0)
		return -1;
	if (argc - optind < 2)
		return holt_err_set(err, 0,
				    "exec: a container and a command are required (holt exec "
				    "[OPTIONS] CONTAINER COMMAND...)");
	return 0;
}

/* The container's own process, with what exec's options change. */
static void apply(struct process_spec *spec, const struct exec_opts *o, char **argv)
{
	strv_free(spec->argv);
	spec->argv = strv_dup(argv);
	spec_env_merge(&spec->env, o->env);
	if (o->workdir) {
		free(spec->cwd);
		spec->cwd = xstrdup(o->workdir);
	}
	if (o->user) {
		free(spec->user);
		spec->user = xstrdup(o->user);
	}
	spec->tty = o->tty;
	spec->interactive = o->interactive;
	spec->preserve_fds = o->preserve_fds;
	if (o->tty && !spec_env_get(spec->env, "TERM"))
		spec_env_set(&spec->env, "TERM=xterm");
}

/* docker's exec_start event, whose action names the command ("exec_start: sh -c ..."). */
static void exec_event(const struct container *c, const struct process_spec *spec)
{
	cleanup_free char *action = xstrdup("exec_start:");
	for (char **a = spec->argv; a && *a; a++) {
		char *longer = xasprintf("%s %s", action, *a);
		free(action);
		action = longer;
	}
	cleanup_free char *exec_id = random_hex64();
	container_event(c, action, (const char *const[]){"execID", exec_id, NULL});
}

static int exec_in(struct cmd_ctx *ctx, struct container *c, const struct image *img,
		   const struct process_spec *spec, const struct exec_opts *o, struct holt_err *err)
{
	struct launched l;
	sigset_t old;
	bool detach = o->detach;
	cleanup_close int null = detach ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
	if (relay_block_signals(&old, err) < 0)
		return HOLT_EXIT_ERROR;
	struct launch_request lr = {
	    .store = ctx->store,
	    .container = c,
	    .image = img,
	    .spec = spec,
	    .stdio = {null, null, null},
	    .exec = true,
	    .detached = detach,
	    .privileged = o->privileged,
	    .child_mask = &old,
	};
	int ret = launch(&lr, &l, err);
	if (ret == 0)
		exec_event(c, spec);
	if (ret < 0 || detach) {
		if (l.master >= 0)
			close(l.master);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return ret < 0 ? l.status : 0;
	}
	int code = relay_wait(l.pid, l.master, spec->interactive, &o->keys, &old, err);
	if (code == RELAY_DETACHED) {
		fputs("\nread escape sequence\n", stderr);
		return 0;
	}
	return code < 0 ? HOLT_EXIT_ERROR : code;
}

int cmd_exec(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct exec_opts o = {0};
	struct holt_err err = {0};
	struct process_spec spec = {0};
	cleanup_container struct container *c = NULL;
	cleanup_image struct image *img = NULL;
	int code = HOLT_EXIT_ERROR;

	if (parse(argc, argv, &o, &err) < 0 ||
	    !(c = container_lookup(ctx->store, argv[optind], &err)))
		goto fail;
	if (c->state.status != STATUS_RUNNING) {
		holt_err_set(&err, 0, "container \"%s\" is not running", argv[optind]);
		goto fail;
	}
	if (run_prepare(ctx->store, c, &img, &spec, &err) < 0)
		goto fail;
	apply(&spec, &o, argv + optind + 1);
	code = exec_in(ctx, c, img, &spec, &o, &err);
	if (err.msg) {
		cmd_error("exec \"%s\": %s", argv[optind], err.msg);
		holt_err_release(&err);
	}
	spec_release(&spec);
	strv_free(o.env);
	return code;
fail:
	spec_release(&spec);
	strv_free(o.env);
	return cmd_fail(&err);
}
