/* `holt port`: the ports a container publishes. holt publishes none yet (no -p), so
 * this lists nothing, and a named port is an error, as docker says for an unpublished
 * one. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"

static const struct cmd_option port_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_port_info = {
    .name = "port",
    .args = "CONTAINER [PRIVATE_PORT[/PROTO]]",
    .summary = "List a container's published ports",
    .options = port_options,
};

int cmd_port(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};

	while (cmd_getopt(argc, argv, &cmd_port_info) != -1)
		;
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_error("port: give a container and optionally a port");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	if (argc - optind == 2)
		return cmd_error("port \"%s\": no public port \"%s\" published", argv[optind],
				 argv[optind + 1]);
	return 0;
}
