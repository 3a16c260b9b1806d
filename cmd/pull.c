/* `holt pull`: an image from a registry into the store. */
#include "core/pull.h"
#include "cmd/cmd.h"
#include "cmd/pull_progress.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "storage/events.h"
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
	if (id)
		events_record(store_root(ctx->store), "image", "pull", ref,
			      (const char *const[]){"name", ref, NULL});
	return id;
}

/* --pull=always: the registry's image, and nothing else. newer: the registry's when it
 * answers, else the stored one (podman's "newer" without comparing dates). */
static struct image *pull_first(struct cmd_ctx *ctx, const char *ref, const char *platform,
				bool fall_back, struct holt_err *err)
{
	struct pull_opts o = {.tls_verify = true, .platform = platform};
	cleanup_free char *id = pull_showing_progress(ctx, ref, &o, false, err);
	if (id)
		return image_lookup(ctx->store, id, err);
	if (!fall_back)
		return NULL;
	cleanup_free char *stored = pull_stored_name(ctx->store, ref);
	struct holt_err local = {0};
	struct image *img = image_lookup(ctx->store, stored, &local);
	if (!img) {
		holt_err_release(&local);
		return NULL;
	}
	cmd_warn("pull \"%s\": %s; using the stored image", ref, err->msg);
	holt_err_release(err);
	return img;
}

struct image *cmd_image_for_run(struct cmd_ctx *ctx, const char *ref, const char *policy,
				const char *platform, struct holt_err *err)
{
	if (!policy || !strcmp(policy, "missing"))
		return platform ? cmd_image_platform(ctx, ref, platform, err)
				: cmd_image_or_pull(ctx, ref, err);
	if (!strcmp(policy, "always"))
		return pull_first(ctx, ref, platform, false, err);
	if (!strcmp(policy, "newer"))
		return pull_first(ctx, ref, platform, true, err);
	/* never */
	cleanup_free char *stored = pull_stored_name(ctx->store, ref);
	struct image *img = image_lookup(ctx->store, stored, err);
	if (!img && err->errnum == ENOENT) {
		holt_err_release(err);
		holt_err_set_code(err, ENOENT,
				  "image \"%s\": not stored, and --pull=never forbids pulling it",
				  ref);
	}
	return img;
}

struct image *cmd_image_or_pull(struct cmd_ctx *ctx, const char *ref, struct holt_err *err)
{
	return cmd_image_platform(ctx, ref, NULL, err);
}

struct image *cmd_image_platform(struct cmd_ctx *ctx, const char *ref, const char *platform,
				 struct holt_err *err)
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
	struct pull_opts o = {.tls_verify = true, .platform = platform};
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
