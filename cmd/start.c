/* `holt start`: start created or stopped containers, each under a monitor of its own;
 * with -a, stay attached to one and return its exit code. */
#include "cmd/cmd.h"
#include "cmd/targets.h"
#include "core/attach.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"
#include "core/monitor.h"

#include <stdio.h>

enum { OPT_ALL = OPT_LONG_BASE, OPT_DETACH_KEYS };

static const struct cmd_option start_options[] = {
    {"attach", 'a', NULL, "attach to the container's output and return its exit code"},
    {"interactive", 'i', NULL, "attach stdin too"},
    {"all", OPT_ALL, NULL, "start every container that is not running (podman)"},
    {"detach-keys", OPT_DETACH_KEYS, "KEYS", "keys that detach -a (default: ctrl-p,ctrl-q)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_start_info = {
    .name = "start",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Start one or more stopped containers",
    .options = start_options,
};

static int start_attached(struct cmd_ctx *ctx, const char *name, bool interactive,
			  const struct attach_keys *keys)
{
	struct holt_err err = {0};
	cleanup_container struct container *c = container_lookup(ctx->store, name, &err);
	int sock = -1;

	if (!c)
		return cmd_fail(&err);
	if (interactive && c->config.tty && c->config.interactive && !isatty(0))
		return cmd_error(
		    "start \"%s\": the input device is not a TTY (start -a without -i, "
		    "or from a terminal)",
		    name);
	if (container_is_running(c)) {
		if ((sock = attach_connect(c, &err)) < 0)
			return cmd_fail(&err);
	} else {
		int code;
		if (monitor_start_container(ctx->store, c, ctx->storage_driver, &sock, &code,
					    &err) < 0) {
			cmd_error("start \"%s\": %s", name, err.msg);
			holt_err_release(&err);
			return code;
		}
	}
	int detached = attach_relay(sock, c->config.tty, interactive && c->config.interactive, keys,
				    NULL, &err);
	close(sock);
	if (detached < 0)
		return cmd_fail(&err);
	if (detached)
		return 0;
	if (control_wait(c, &err) < 0)
		return cmd_fail(&err);
	return c->state.exit_code;
}

int cmd_start(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool attach = false, interactive = false, all = false;
	const char *keys_spec = NULL;
	struct attach_keys keys;
	struct holt_err kerr = {0};
	int opt, ret = 0;
	cleanup_strv char **targets = NULL;

	while ((opt = cmd_getopt(argc, argv, &cmd_start_info)) != -1)
		if (opt == 'a')
			attach = true;
		else if (opt == 'i')
			interactive = attach = true;
		else if (opt == OPT_ALL)
			all = true;
		else if (opt == OPT_DETACH_KEYS)
			keys_spec = optarg;
	if (attach_keys_parse(keys_spec, &keys, &kerr) < 0)
		return cmd_fail(&kerr);
	if (attach && all)
		return cmd_error("start: -a and -i take one container, not --all");
	if (cmd_targets(ctx, "start", argc, argv, all, TARGETS_NOT_RUNNING, &targets))
		return HOLT_EXIT_ERROR;
	if (attach) {
		if (argc - optind > 1)
			return cmd_error("start: -a and -i take one container");
		return start_attached(ctx, argv[optind], interactive, &keys);
	}
	for (int i = 0; targets && targets[i]; i++) {
		struct holt_err err = {0};
		cleanup_container struct container *c =
		    container_lookup(ctx->store, targets[i], &err);
		int code = 0;
		if (c && !container_is_running(c) &&
		    monitor_start_container(ctx->store, c, ctx->storage_driver, NULL, &code,
					    &err) == 0)
			code = 0;
		if (!c || code) {
			cmd_error("start \"%s\": %s", targets[i], err.msg);
			holt_err_release(&err);
			ret = code ? code : HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", targets[i]);
	}
	return ret;
}
