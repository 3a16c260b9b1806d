/* `holt system prune`: stopped containers, then dangling images (every unused one with
 * -a), the user networks no container is on, and with --volumes the anonymous volumes no
 * container uses, after one question, as docker asks it. Each part is its own prune
 * command. */
#include "cmd/cmd.h"
#include "cmd/network.h"
#include "cmd/volume.h"
#include "core/base/exitcode.h"

#include <stdio.h>
#include <string.h>

enum { OPT_VOLUMES = OPT_LONG_BASE };

static const struct cmd_option prune_options[] = {
    {"all", 'a', NULL, "remove every image no container uses, not only unnamed ones"},
    {"force", 'f', NULL, "do not ask for confirmation"},
    {"volumes", OPT_VOLUMES, NULL, "prune anonymous volumes no container uses too"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_system_prune_info = {
    .name = "system prune",
    .args = "[OPTIONS]",
    .summary = "Remove stopped containers and unused images",
    .options = prune_options,
};

static bool confirmed(bool all, bool volumes)
{
	char answer[16] = "";
	printf("WARNING! This will remove:\n"
	       "  - all stopped containers\n"
	       "  - all networks not used by at least one container\n"
	       "%s"
	       "  - %s\n\n"
	       "Are you sure you want to continue? [y/N] ",
	       volumes ? "  - all anonymous volumes not used by at least one container\n" : "",
	       all ? "all images without at least one container associated to them"
		   : "all dangling images");
	fflush(stdout);
	return fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y') &&
	       strchr("\n\r", answer[1]);
}

int cmd_system_prune(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool all = false, force = false, volumes = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_system_prune_info)) != -1)
		if (c == 'a')
			all = true;
		else if (c == 'f')
			force = true;
		else if (c == OPT_VOLUMES)
			volumes = true;
	if (optind < argc)
		return cmd_error("system prune: unexpected argument \"%s\"", argv[optind]);
	if (!force && !confirmed(all, volumes))
		return 0;
	char *containers[] = {"container prune", "-f", NULL};
	char *images[] = {"image prune", "-f", all ? "-a" : NULL, NULL};
	optind = 0;
	int ret = cmd_container_prune(2, containers, ctx);
	optind = 0;
	if (cmd_image_prune(all ? 3 : 2, images, ctx))
		ret = HOLT_EXIT_ERROR;
	/* after the containers: the networks and volumes they held are unused now */
	char *nets[] = {"network prune", "-f", NULL};
	optind = 0;
	if (cmd_network_prune(2, nets, ctx))
		ret = HOLT_EXIT_ERROR;
	char *vols[] = {"volume prune", "-f", NULL};
	optind = 0;
	if (volumes && cmd_volume_prune(2, vols, ctx))
		ret = HOLT_EXIT_ERROR;
	return ret;
}
