/* `holt push`: an image from the store to a registry. */
#include "core/push.h"
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "storage/events.h"

#include <string.h>

enum { OPT_TLS_VERIFY = OPT_LONG_BASE, OPT_AUTHFILE };

static const struct cmd_option push_options[] = {
    {"quiet", 'q', NULL, "print nothing but errors"},
    {"tls-verify", OPT_TLS_VERIFY, "[=BOOL]",
     "verify the registry's certificate (default true); false also allows plain HTTP"},
    {"authfile", OPT_AUTHFILE, "FILE", "credentials file (default: as login writes)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_push_info = {
    .name = "push",
    .args = "[OPTIONS] IMAGE [DESTINATION]",
    .summary = "Push an image to a registry",
    .options = push_options,
};

static void on_blob(void *ctx, const char *digest, int64_t size, enum push_blob what)
{
	(void)ctx;
	(void)size;
	static const char *const words[] = {
	    [PUSH_BLOB_EXISTS] = "already exists",
	    [PUSH_BLOB_MOUNTED] = "mounted",
	    [PUSH_BLOB_UPLOADED] = "pushed",
	};
	fprintf(stderr, "Blob %.12s: %s\n", digest + strlen("sha256:"), words[what]);
}

int cmd_push(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct push_progress progress = {.blob = on_blob};
	struct push_opts o = {.tls_verify = true, .progress = &progress};
	struct holt_err err = {0};
	bool quiet = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_push_info)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == OPT_AUTHFILE)
			o.authfile = optarg;
		else if (c == OPT_TLS_VERIFY && cmd_parse_bool("tls-verify", optarg, &o.tls_verify))
			return HOLT_EXIT_ERROR;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_error("push: expected IMAGE [DESTINATION]");
	if (quiet)
		o.progress = NULL;
	struct pushed out;
	if (push_image(ctx->store, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &o,
		       &out, &err) < 0)
		return cmd_fail(&err);
	const char *dest = optind + 1 < argc ? argv[optind + 1] : argv[optind];
	events_record(store_root(ctx->store), "image", "push", dest,
		      (const char *const[]){"name", dest, NULL});
	if (!quiet)
		printf("%s: digest: %s size: %zu\n", out.tag, out.digest, out.size);
	pushed_clear(&out);
	return 0;
}
