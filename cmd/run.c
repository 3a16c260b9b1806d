/* `holt run`: create a container from an image and run it, in the foreground (holt is
 * its monitor) or detached (-d: a monitor of its own). */
#include "core/run.h"
#include "cmd/cmd.h"
#include "cmd/container_opts.h"
#include "cmd/run_extras.h"
#include "core/attach.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/container_volumes.h"
#include "core/control.h"
#include "core/monitor.h"
#include "core/spec.h"
#include "storage/image.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option run_options[] = {
    {"detach", 'd', NULL, "run in the background and print the container's id"},
    {"preserve-fds", OPT_PRESERVE_FDS, "N", "pass fds 3 .. 3+N-1 on to the container"},
    {"detach-keys", OPT_DETACH_KEYS, "KEYS",
     "keys that detach -it, the container running on (default: ctrl-p,ctrl-q)"},
    CONTAINER_OPTIONS,
    RUN_EXTRA_OPTIONS,
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_run_info = {
    .name = "run",
    .args = "[OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Run a command in a new container",
    .options = run_options,
    .stop_at_operand = true,
};

static int parse(int argc, char **argv, struct container_config *cfg, struct run_extras *x,
		 bool *detach, unsigned *preserve_fds, struct attach_keys *keys,
		 struct holt_err *err)
{
	int c, r;
	const char *keys_spec = NULL;
	while ((c = cmd_getopt(argc, argv, &cmd_run_info)) != -1) {
		if (c == 'd') {
			*detach = true;
			continue;
		}
		if (c == OPT_DETACH_KEYS) {
			keys_spec = optarg;
			continue;
		}
		if (c == OPT_PRESERVE_FDS) {
			if (container_opt_preserve_fds(optarg, preserve_fds, err) < 0)
				return -1;
			continue;
		}
		if ((r = run_extras_opt(c, optarg, x, err)) <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (container_opt(c, optarg, cfg, err) < 0)
			return -1;
	}
	if (container_opts_check(cfg, err) < 0 || attach_keys_parse(keys_spec, keys, err) < 0)
		return -1;
	/* The monitor of a detached container keeps none of the caller's fds. */
	if (*detach && *preserve_fds)
		return holt_err_set(err, 0, "--preserve-fds and --detach conflict");
	if (!*detach && cfg->restart != RESTART_NO)
		/* the holt of a foreground run is its monitor, and ends with the first exit */
		return holt_err_set(
		    err, 0,
		    "run: --restart needs -d (a foreground run ends when its "
		    "container first exits; run it with -d, or create and start it)");
	return 0;
}

/* A foreground run -it: the container under a monitor of its own, as with -d, and holt
 * attached to it, so that the detach keys leave it running for a later attach. */
static int run_attached(const struct run_request *req, const struct attach_keys *keys,
			struct holt_err *err)
{
	int sock, code;
	if (monitor_start(req, &sock, &code, err) < 0)
		return code;
	int exit_code;
	int detached = attach_relay(sock, true, true, keys, &exit_code, err);
	close(sock);
	if (detached < 0)
		return HOLT_EXIT_ERROR;
	if (detached) {
		fputs("\nread escape sequence\n", stderr);
		return 0;
	}
	if (exit_code >= 0) {
		/* as after a foreground run, the record is final (or, with --rm, gone) */
		container_wait_monitor(req->container);
		return exit_code;
	}
	/* the monitor died before it could say */
	if (control_wait(req->container, err) < 0)
		return HOLT_EXIT_ERROR;
	return req->container->state.exit_code;
}

static void remove_quietly(struct store *s, struct container *c)
{
	struct holt_err err = {0};
	/* --rm takes the anonymous volumes along, as docker's does */
	if (container_remove(s, c, &err) < 0 || container_remove_volumes(s, c, &err) < 0)
		holt_err_release(&err); /* the first error is the one to show */
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct container_config cfg = {.network = NETWORK_SLIRP, .stop_timeout = -1};
	struct process_spec spec = {0};
	struct holt_err err = {0};
	cleanup_container struct container *c = NULL;
	cleanup_image struct image *img = NULL;
	struct run_extras extras = {0};
	bool detach = false;
	unsigned preserve_fds = 0;
	struct attach_keys keys;
	const char *ref;
	int code = HOLT_EXIT_ERROR;

	if (parse(argc, argv, &cfg, &extras, &detach, &preserve_fds, &keys, &err) < 0)
		goto fail;
	if (optind >= argc) {
		holt_err_set(&err, 0,
			     "run: an image is required (holt run [OPTIONS] IMAGE "
			     "[COMMAND...])");
		goto fail;
	}
	if (!detach && cfg.tty && cfg.interactive && !isatty(0)) {
		/* docker's refusal: a pty fed from a pipe would wait for ever (-dit attaches
		 * nothing, so scripts run it from anywhere) */
		holt_err_set(&err, 0,
			     "run: the input device is not a TTY (drop -t, or run it "
			     "from a terminal)");
		goto fail;
	}
	ref = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		strv_push(&cfg.cmd, argv[i]);

	if (run_extras_prepare(ctx, &extras, cfg.name, &err) < 0)
		goto fail;
	img = run_extras_image(ctx, &extras, ref, &err);
	if (!img || !(c = container_create_with_mounts(ctx->store, &cfg, img, ref, &err)))
		goto fail;
	if (run_extras_created(&extras, c, &err) < 0) {
		remove_quietly(ctx->store, c);
		goto fail;
	}
	if (spec_build(&c->config, img, &spec, &err) < 0) {
		holt_err_wrap(&err, "run \"%s\"", ref);
		remove_quietly(ctx->store, c);
		goto fail;
	}
	spec.preserve_fds = preserve_fds;
	struct run_request req = {
	    .store = ctx->store,
	    .container = c,
	    .image = img,
	    .spec = &spec,
	    .storage_driver = ctx->storage_driver,
	};
	if (detach) {
		/* The monitor removes an --rm container that failed; the record stays else. */
		if (monitor_start(&req, NULL, &code, &err) == 0) {
			code = 0;
			printf("%s\n", c->id);
		}
	} else if (c->config.tty && c->config.interactive && !preserve_fds) {
		code = run_attached(&req, &keys, &err);
	} else {
		run_foreground(&req, &code, &err);
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
