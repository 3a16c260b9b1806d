/* `holt export`: a container's root filesystem, as its image and its own changes make
 * it, as a tar on stdout or in a file. */
#include "cmd/cmd.h"
#include "cmd/output_file.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/copy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option export_options[] = {
    {"output", 'o', "FILE", "write to FILE instead of stdout"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_export_info = {
    .name = "export",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Export a container's filesystem as a tar archive",
    .options = export_options,
};

int cmd_export(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	const char *output = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_export_info)) != -1)
		if (c == 'o')
			output = optarg;
	if (argc - optind != 1)
		return cmd_error("export: one container is required (holt export [-o FILE] "
				 "CONTAINER)");
	if (!output && isatty(STDOUT_FILENO))
		return cmd_error("export: refusing to write an archive to a terminal: use -o FILE "
				 "or redirect stdout");
	cleanup_container struct container *ctr = container_lookup(ctx->store, argv[optind], &err);
	if (!ctr)
		return cmd_fail(&err);
	if (!output)
		return copy_export(ctx->store, ctr, ctx->storage_driver, STDOUT_FILENO, &err) < 0
			   ? cmd_fail(&err)
			   : 0;
	/* A partial archive would pass for the whole filesystem. */
	struct atomic_file f;
	if (cmd_output_file_open(&f, output, 0666, &err) < 0)
		return cmd_fail(&err);
	bool whole = copy_export(ctx->store, ctr, ctx->storage_driver, f.fd, &err) == 0;
	if (cmd_output_file_close(&f, whole, whole ? &err : NULL) < 0 || !whole)
		return cmd_fail(&err);
	return 0;
}
