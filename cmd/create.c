/* `holt create`: a container's record, ready for `start`. */
#include "cmd/cmd.h"
#include "cmd/container_opts.h"
#include "cmd/run_extras.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/spec.h"
#include "storage/image.h"

#include <stdio.h>

static const struct cmd_option create_options[] = {
    CONTAINER_OPTIONS,
    RUN_EXTRA_OPTIONS,
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_create_info = {
    .name = "create",
    .args = "[OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Create a container without starting it",
    .options = create_options,
    .stop_at_operand = true,
};

int cmd_create(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct container_config cfg = {.network = NETWORK_NONE, .stop_timeout = -1};
	struct process_spec spec = {0};
	struct holt_err err = {0};
	cleanup_container struct container *c = NULL;
	cleanup_image struct image *img = NULL;
	struct run_extras extras = {0};
	int opt, ret = 0, r;

	while ((opt = cmd_getopt(argc, argv, &cmd_create_info)) != -1)
		if ((r = run_extras_opt(opt, optarg, &extras, &err)) < 0 ||
		    (r > 0 && container_opt(opt, optarg, &cfg, &err) < 0))
			goto fail;
	if (container_opts_check(&cfg, &err) < 0)
		goto fail;
	if (optind >= argc) {
		holt_err_set(&err, 0,
			     "create: an image is required (holt create [OPTIONS] IMAGE "
			     "[COMMAND...])");
		goto fail;
	}
	for (int i = optind + 1; i < argc; i++)
		strv_push(&cfg.cmd, argv[i]);
	if (run_extras_prepare(ctx, &extras, cfg.name, &err) < 0)
		goto fail;
	img = run_extras_image(ctx, &extras, argv[optind], &err);
	if (!img || !(c = container_create(ctx->store, &cfg, img, argv[optind], &err)))
		goto fail;
	/* Refuse now what start would refuse: a container with no command. */
	if (spec_build(&c->config, img, &spec, &err) < 0) {
		struct holt_err rm_err = {0};
		if (container_remove(ctx->store, c, &rm_err) < 0)
			holt_err_release(&rm_err);
		goto fail;
	}
	if (run_extras_created(&extras, c, &err) < 0) {
		struct holt_err rm_err = {0};
		if (container_remove(ctx->store, c, &rm_err) < 0)
			holt_err_release(&rm_err);
		goto fail;
	}
	printf("%s\n", c->id);
	goto out;
fail:
	ret = cmd_fail(&err);
out:
	spec_release(&spec);
	container_config_release(&cfg);
	return ret;
}
