/* `holt attach`: the terminal to a detached container's monitor; ctrl-p ctrl-q leaves
 * it running. */
#include "core/attach.h"
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"

#include <errno.h>
#include <stdio.h>

enum { OPT_NO_STDIN = OPT_LONG_BASE, OPT_DETACH_KEYS };

static const struct cmd_option attach_options[] = {
    {"no-stdin", OPT_NO_STDIN, NULL, "do not send stdin to the container"},
    {"detach-keys", OPT_DETACH_KEYS, "KEYS", "keys that detach (default: ctrl-p,ctrl-q)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_attach_info = {
    .name = "attach",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Attach to a running container's input and output",
    .options = attach_options,
};

int cmd_attach(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	bool send_stdin = true;
	const char *keys_spec = NULL;
	struct attach_keys keys;
	int opt;

	while ((opt = cmd_getopt(argc, argv, &cmd_attach_info)) != -1)
		if (opt == OPT_NO_STDIN)
			send_stdin = false;
		else if (opt == OPT_DETACH_KEYS)
			keys_spec = optarg;
	if (attach_keys_parse(keys_spec, &keys, &err) < 0)
		return cmd_fail(&err);
	if (argc - optind != 1)
		return cmd_error("attach: name one container");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	if (!container_is_running(c))
		return cmd_error("attach \"%s\": the container is not running (start it with "
				 "holt start -a)",
				 argv[optind]);
	int sock = attach_connect(c, &err);
	if (sock < 0 && err.errnum == ENOENT) {
		/* a foreground run is its own monitor and serves no attach socket */
		holt_err_release(&err);
		return cmd_error("attach \"%s\": it runs in the foreground of the holt that "
				 "started it (run without -d), which cannot be attached to; run it "
				 "with -d (or create, then start -a) to attach later",
				 argv[optind]);
	}
	if (sock < 0)
		return cmd_fail(&err);
	int detached = attach_relay(sock, c->config.tty, send_stdin && c->config.interactive, &keys,
				    NULL, &err);
	close(sock);
	if (detached < 0)
		return cmd_fail(&err);
	if (detached) {
		fputs("\nread escape sequence\n", stderr);
		return 0;
	}
	if (control_wait(c, &err) < 0)
		return cmd_fail(&err);
	return c->state.exit_code;
}
