/* `holt import`: a root filesystem tarball becomes a one-layer image. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "storage/events.h"
#include "storage/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_option import_options[] = {
    {"quiet", 'q', NULL, "print nothing but errors"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_import_info = {
    .name = "import",
    .args = "[OPTIONS] FILE|- [REPOSITORY[:TAG]]",
    .summary = "Create an image from a root filesystem tarball (tar, tar.gz, tar.zst)",
    .options = import_options,
};

int cmd_import(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	bool quiet = false;
	unsigned skipped = 0;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_import_info)) != -1)
		if (c == 'q')
			quiet = true;
	if (optind >= argc || argc - optind > 2)
		return cmd_error("import: expected FILE|- [REPOSITORY[:TAG]]");
	const char *file = argv[optind];
	const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;

	cleanup_close int fd = strcmp(file, "-") == 0 ? dup(0) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cmd_error("import \"%s\": %s", file, strerror(errno));
	cleanup_free char *id = image_import(ctx->store, fd, name, &skipped, &err);
	if (!id) {
		holt_err_wrap(&err, "import \"%s\"", file);
		return cmd_fail(&err);
	}
	cleanup_free char *event_id = xasprintf("sha256:%s", id);
	events_record(store_root(ctx->store), "image", "import", event_id,
		      (const char *const[]){"name", name, NULL});
	if (skipped)
		cmd_warn("import \"%s\": skipped %u device node%s that cannot be created "
			 "without root",
			 file, skipped, skipped == 1 ? "" : "s");
	if (!quiet)
		printf("sha256:%s\n", id);
	return 0;
}
