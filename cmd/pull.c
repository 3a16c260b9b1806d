/* `holt pull`: an image from a registry into the store. */
#include "core/pull.h"
#include "cmd/cmd.h"
#include "cmd/pull_progress.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "storage/image.h"

#include <errno.h>
#include <string.h>

enum { OPT_PLATFORM = OPT_LONG_BASE, OPT_TLS_VERIFY, OPT_AUTHFILE };

static const struct cmd_option pull_options[] = {
    {"quiet", 'q', NULL, "print only the image id"},
    {"platform", OPT_PLATFORM, "OS/ARCH[/VARIANT]", "pull the image for this platform"},
    {"tls-verify", OPT_TLS_VERIFY, "[=BOOL]",
     "verify the registry's certificate (default true); false also allows plain HTTP"},
    {"authfile", OPT_AUTHFILE, "FILE", "credentials file (default: as login writes)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_pull_info = {
    .name = "pull",
    .args = "[OPTIONS] NAME[:TAG|@DIGEST]",
    .summary = "Pull an image from a registry",
    .options = pull_options,
};

int cmd_parse_bool(const char *option, const char *value, bool *out)
{
	if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*out = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*out = false;
	else
		return cmd_error("--%s=\"%s\": expected true or false", option, value);
	return 0;
}

static char *pull_showing_progress(struct cmd_ctx *ctx, const char *ref, const struct pull_opts *o,
				   bool quiet, struct holt_err *err)
{
	struct pull_printer printer;
	struct pull_opts shown = *o;
	pull_printer_init(&printer, stderr);
	if (!quiet) {
		shown.progress = &printer.ops;
		fprintf(stderr, "Pulling %s\n", ref);
	}
	char *id = pull_image(ctx->store, ref, &shown, err);
	pull_printer_free(&printer);
	return id;
}

struct image *cmd_image_or_pull(struct cmd_ctx *ctx, const char *ref, struct holt_err *err)
{
	struct image *img = image_lookup(ctx->store, ref, err);
	if (img || err->errnum != ENOENT || !pull_can_fetch(ref))
		return img;
	holt_err_release(err);
	img = pull_lookup_short(ctx->store, ref, err);
	if (img || err->errnum != ENOENT)
		return img;
	holt_err_release(err);
	fprintf(stderr, "Unable to find image '%s' locally\n", ref);
	struct pull_opts o = {.tls_verify = true};
	cleanup_free char *id = pull_showing_progress(ctx, ref, &o, false, err);
	return id ? image_lookup(ctx->store, id, err) : NULL;
}

int cmd_pull(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct pull_opts o = {.tls_verify = true};
	struct holt_err err = {0};
	bool quiet = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_pull_info)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == OPT_PLATFORM)
			o.platform = optarg;
		else if (c == OPT_AUTHFILE)
			o.authfile = optarg;
		else if (c == OPT_TLS_VERIFY && cmd_parse_bool("tls-verify", optarg, &o.tls_verify))
			return HOLT_EXIT_ERROR;
	}
	if (argc - optind != 1)
		return cmd_error(
		    "pull: expected one image reference (holt pull NAME[:TAG|@DIGEST])");
	cleanup_free char *id = pull_showing_progress(ctx, argv[optind], &o, quiet, &err);
	if (!id)
		return cmd_fail(&err);
	printf("%s\n", id);
	return 0;
}
