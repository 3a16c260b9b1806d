/* `holt builder prune`: docker's build-cache group; its one member empties the cache
 * `holt build` keeps (step records, their unnamed images, RUN's cache mounts). */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/build.h"
#include "core/humanize.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option builder_options[] = {
    {"all", 'a', NULL, "accepted for docker: holt's build cache is removed whole"},
    {"force", 'f', NULL, "accepted for docker: holt does not ask"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_builder_info = {
    .name = "builder",
    .args = "prune [OPTIONS]",
    .summary = "Manage the build cache (prune)",
    .options = builder_options,
};

int cmd_builder(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	unsigned removed;
	uint64_t freed;

	if (argc < 2 || strcmp(argv[1], "prune"))
		return cmd_error("builder: expected \"prune\" (holt builder prune [-a] [-f])");
	optind = 0;
	while (cmd_getopt(argc - 1, argv + 1, &cmd_builder_info) != -1)
		;
	if (optind < argc - 1)
		return cmd_error("builder prune: unexpected argument \"%s\"", argv[optind + 1]);
	if (build_cache_prune(ctx->store, &removed, &freed, &err) < 0)
		return cmd_fail(&err);
	cleanup_free char *size = humanize_size(freed);
	printf("Deleted build cache objects: %u\nTotal reclaimed space: %s\n", removed, size);
	return 0;
}
