/* `holt run`: create a container from an image and run it in the foreground. */
#include "core/run.h"
#include "cmd/cmd.h"
#include "core/container.h"
#include "core/envfile.h"
#include "core/exitcode.h"
#include "core/spec.h"
#include "core/util.h"
#include "storage/image.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_RM = OPT_LONG_BASE,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_NETWORK,
	OPT_NAME,
};

static const struct cmd_option run_options[] = {
    {"interactive", 'i', NULL, "keep stdin open and attached"},
    {"tty", 't', NULL, "give the container a terminal"},
    {"rm", OPT_RM, NULL, "remove the container when it exits"},
    {"env", 'e', "KEY=VALUE", "set an environment variable (KEY alone: from here)"},
    {"env-file", OPT_ENV_FILE, "FILE", "read environment variables from FILE"},
    {"workdir", 'w', "DIR", "working directory in the container"},
    {"user", 'u', "USER[:GROUP]", "user (name or uid) and group to run as"},
    {"hostname", 'h', "NAME", "the container's hostname"},
    {"entrypoint", OPT_ENTRYPOINT, "CMD", "replace the image's entrypoint"},
    {"network", OPT_NETWORK, "MODE", "none (default) or host"},
    {"name", OPT_NAME, "NAME", "name the container"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_run_info = {
    .name = "run",
    .args = "[OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Run a command in a new container",
    .options = run_options,
    .stop_at_operand = true,
};

static int parse(int argc, char **argv, struct container_config *cfg, struct holt_err *err)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_run_info)) != -1) {
		switch (c) {
		case 'i':
			cfg->interactive = true;
			break;
		case 't':
			cfg->tty = true;
			break;
		case OPT_RM:
			cfg->remove = true;
			break;
		case 'e':
			if (envfile_add(&cfg->env, optarg, "--env", err) < 0)
				return -1;
			break;
		case OPT_ENV_FILE:
			if (envfile_read(optarg, &cfg->env, err) < 0)
				return -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return holt_err_set(
				    err, 0, "--workdir \"%s\": not an absolute path", optarg);
			free(cfg->workdir);
			cfg->workdir = xstrdup(optarg);
			break;
		case 'u':
			free(cfg->user);
			cfg->user = xstrdup(optarg);
			break;
		case 'h':
			free(cfg->hostname);
			cfg->hostname = xstrdup(optarg);
			break;
		case OPT_ENTRYPOINT:
			strv_free(cfg->entrypoint);
			cfg->entrypoint = NULL;
			strv_push(&cfg->entrypoint, optarg);
			cfg->entrypoint_set = true;
			break;
		case OPT_NETWORK:
			if (strcmp(optarg, "none") == 0)
				cfg->network = NETWORK_NONE;
			else if (strcmp(optarg, "host") == 0)
				cfg->network = NETWORK_HOST;
			else
				return holt_err_set(err, 0,
						    "--network \"%s\": holt supports none and host",
						    optarg);
			break;
		case OPT_NAME:
			free(cfg->name);
			cfg->name = xstrdup(optarg);
			break;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct container_config cfg = {.network = NETWORK_NONE};
	struct process_spec spec = {0};
	struct holt_err err = {0};
	cleanup_container struct container *c = NULL;
	cleanup_image struct image *img = NULL;
	const char *ref = NULL;
	int code = HOLT_EXIT_ERROR;

	if (parse(argc, argv, &cfg, &err) < 0)
		goto fail;
	if (optind >= argc) {
		holt_err_set(&err, 0,
			     "run: an image is required (holt run [OPTIONS] IMAGE "
			     "[COMMAND...])");
		goto fail;
	}
	ref = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		strv_push(&cfg.cmd, argv[i]);

	img = image_lookup(ctx->store, ref, &err);
	if (!img || !(c = container_create(ctx->store, &cfg, img, &err)))
		goto fail;
	if (spec_build(&c->config, img, &spec, &err) < 0) {
		holt_err_wrap(&err, "run \"%s\"", ref);
		goto fail_remove;
	}
	struct run_request req = {
	    .store = ctx->store,
	    .container = c,
	    .image = img,
	    .spec = &spec,
	    .storage_driver = ctx->storage_driver,
	};
	code = run_foreground(&req, &err);
	if (code < 0)
		code = HOLT_EXIT_ERROR;
	if (err.msg) {
		cmd_error("run \"%s\": %s", ref, err.msg);
		holt_err_release(&err);
	}
	if (c->config.remove && container_remove(ctx->store, c, &err) < 0)
		cmd_fail(&err);
	spec_release(&spec);
	container_config_release(&cfg);
	return code;

fail_remove : {
	struct holt_err rm_err = {0};
	if (container_remove(ctx->store, c, &rm_err) < 0)
		holt_err_release(&rm_err); /* the first error is the one to show */
}
fail:
	cmd_fail(&err);
	spec_release(&spec);
	container_config_release(&cfg);
	return HOLT_EXIT_ERROR;
}
