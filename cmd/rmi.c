/* `holt rmi`: untag images, and remove those left without a name. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/image_pins.h"
#include "core/pull.h"
#include "storage/image.h"

#include <stdio.h>

static const struct cmd_option rmi_options[] = {
    {"force", 'f', NULL, "remove an image a stopped container uses: only its names go"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_rmi_info = {
    .name = "rmi",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Remove images",
    .options = rmi_options,
};

int cmd_rmi(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_rmi_info)) != -1)
		if (c == 'f')
			force = true;
	if (optind >= argc)
		return cmd_error("rmi: name at least one image");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		cleanup_strv char **untagged = NULL;
		cleanup_free char *deleted = NULL;
		cleanup_free char *ref = pull_stored_name(ctx->store, argv[i]);
		if (image_remove(ctx->store, ref, force, container_image_users, &untagged, &deleted,
				 &err) < 0) {
			holt_err_wrap(&err, "rmi \"%s\"", argv[i]);
			ret = cmd_fail(&err);
			continue;
		}
		for (char **u = untagged; u && *u; u++)
			printf("Untagged: %s\n", *u);
		if (deleted)
			printf("Deleted: sha256:%s\n", deleted);
	}
	return ret ? HOLT_EXIT_ERROR : 0;
}
