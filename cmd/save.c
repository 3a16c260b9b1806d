/* `holt save`: images as a docker-archive (the default) or an oci-archive, to a file or
 * to stdout. Several images go in one archive in either format. */
#include "cmd/cmd.h"
#include "cmd/output_file.h"
#include "core/base/util.h"
#include "core/pull.h"
#include "storage/events.h"
#include "storage/image_archive.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { OPT_FORMAT = OPT_LONG_BASE };

static const struct cmd_option save_options[] = {
    {"output", 'o', "FILE", "write to FILE instead of stdout"},
    {"format", OPT_FORMAT, "FORMAT", "docker-archive (the default) or oci-archive"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_save_info = {
    .name = "save",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Save images to a tar archive (docker-archive or oci-archive)",
    .options = save_options,
};

/* Mode 0600, as docker's; a partial archive would pass for the images. */
/* docker's save events, one per image, once the archive is whole */
static void save_events(struct cmd_ctx *ctx, char **refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		events_record(store_root(ctx->store), "image", "save", refs[i],
			      (const char *const[]){"name", refs[i], NULL});
}

static int save_to_file(struct cmd_ctx *ctx, char **refs, size_t n,
			enum image_archive_format format, const char *output)
{
	struct holt_err err = {0};
	struct atomic_file f;
	if (cmd_output_file_open(&f, output, 0600, &err) < 0)
		return holt_err_wrap(&err, "save"), cmd_fail(&err);
	bool whole = image_archive_save(ctx->store, refs, n, format, f.fd, &err) == 0;
	if (cmd_output_file_close(&f, whole, whole ? &err : NULL) < 0 || !whole)
		return holt_err_wrap(&err, "save"), cmd_fail(&err);
	save_events(ctx, refs, n);
	return 0;
}

int cmd_save(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	const char *output = NULL;
	enum image_archive_format format = IMAGE_ARCHIVE_DOCKER;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_save_info)) != -1) {
		if (c == 'o') {
			output = optarg;
		} else if (c == OPT_FORMAT) {
			if (!strcmp(optarg, "oci-archive"))
				format = IMAGE_ARCHIVE_OCI;
			else if (strcmp(optarg, "docker-archive"))
				return cmd_error(
				    "save: --format \"%s\": not one of docker-archive, "
				    "oci-archive",
				    optarg);
		}
	}
	if (optind >= argc)
		return cmd_error("save: at least one image is required (holt save [-o FILE] "
				 "IMAGE...)");
	size_t n = (size_t)(argc - optind);
	cleanup_strv char **refs = NULL;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *ref = pull_stored_name(ctx->store, argv[optind + (int)i]);
		strv_push(&refs, ref);
	}
	if (output)
		return save_to_file(ctx, refs, n, format, output);
	if (isatty(STDOUT_FILENO))
		return cmd_error("save: refusing to write an archive to a terminal: use -o FILE "
				 "or redirect stdout");
	if (image_archive_save(ctx->store, refs, n, format, STDOUT_FILENO, &err) < 0) {
		holt_err_wrap(&err, "save");
		return cmd_fail(&err);
	}
	save_events(ctx, refs, n);
	return 0;
}
