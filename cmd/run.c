/* `holt run`: create a container from an image and run it, in the foreground (holt is
 * its monitor) or detached (-d: a monitor of its own). */
#include "core/run.h"
#include "cmd/cmd.h"
#include "cmd/container_opts.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/monitor.h"
#include "core/spec.h"
#include "storage/image.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option run_options[] = {
    {"detach", 'd', NULL, "run in the background and print the container's id"},
    CONTAINER_OPTIONS,
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_run_info = {
    .name = "run",
    .args = "[OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Run a command in a new container",
    .options = run_options,
    .stop_at_operand = true,
};

static int parse(int argc, char **argv, struct container_config *cfg, bool *detach,
		 struct holt_err *err)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_run_info)) != -1) {
		if (c == 'd') {
			*detach = true;
			continue;
		}
		if (container_opt(c, optarg, cfg, err) < 0)
			return -1;
	}
	return container_opts_check(cfg, err);
}

static void remove_quietly(struct store *s, struct container *c)
{
	struct holt_err err = {0};
	if (container_remove(s, c, &err) < 0)
		holt_err_release(&err); /* the first error is the one to show */
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct container_config cfg = {.network = NETWORK_SLIRP, .stop_timeout = -1};
	struct process_spec spec = {0};
	struct holt_err err = {0};
	cleanup_container struct container *c = NULL;
	cleanup_image struct image *img = NULL;
	bool detach = false;
	const char *ref;
	int code = HOLT_EXIT_ERROR;

	if (parse(argc, argv, &cfg, &detach, &err) < 0)
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

	img = cmd_image_or_pull(ctx, ref, &err);
	if (!img || !(c = container_create(ctx->store, &cfg, img, ref, &err)))
		goto fail;
	if (spec_build(&c->config, img, &spec, &err) < 0) {
		holt_err_wrap(&err, "run \"%s\"", ref);
		remove_quietly(ctx->store, c);
		goto fail;
	}
	struct run_request req = {
	    .store = ctx->store,
	    .container = c,
	    .image = img,
	    .spec = &spec,
	    .storage_driver = ctx->storage_driver,
	};
	if (detach) {
		/* The monitor removes an --rm container that failed; the record stays else. */
		code = monitor_start(&req, NULL, &err);
		if (code == 0)
			printf("%s\n", c->id);
	} else {
		code = run_foreground(&req, &err);
		if (code < 0)
			code = HOLT_EXIT_ERROR;
		if (c->config.remove)
			remove_quietly(ctx->store, c);
	}
	if (err.msg) {
		cmd_error("run \"%s\": %s", ref, err.msg);
		holt_err_release(&err);
	}
	spec_release(&spec);
	container_config_release(&cfg);
	return code;

fail:
	cmd_fail(&err);
	spec_release(&spec);
	container_config_release(&cfg);
	return HOLT_EXIT_ERROR;
}
