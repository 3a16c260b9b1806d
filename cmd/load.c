/* `holt load`: the images of a docker-archive or an oci-archive, from a file or stdin. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "storage/events.h"
#include "storage/image_archive.h"
#include "storage/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option load_options[] = {
    {"input", 'i', "FILE", "read from FILE instead of stdin"},
    /* docker's -q hides its progress bars; holt has none, and prints the names as docker
     * does with -q */
    {"quiet", 'q', NULL, "print no progress (holt prints none)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_load_info = {
    .name = "load",
    .args = "[OPTIONS]",
    .summary = "Load images from a tar archive (docker-archive or oci-archive)",
    .options = load_options,
};

static void print_loaded(const struct image_archive_loaded *l)
{
	if (!l->names || !*l->names) {
		printf("Loaded image ID: sha256:%s\n", l->id);
		return;
	}
	for (char **n = l->names; *n; n++) {
		struct holt_err ignored = {0};
		cleanup_reference struct reference r = {0};
		cleanup_free char *familiar = NULL;
		if (reference_parse(*n, &r, &ignored) == 0)
			familiar = reference_familiar(&r);
		holt_err_release(&ignored);
		printf("Loaded image: %s\n", familiar ? familiar : *n);
	}
}

int cmd_load(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	const char *input = NULL;
	struct image_archive_loaded *loaded = NULL;
	size_t n = 0;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_load_info)) != -1)
		if (c == 'i')
			input = optarg;
	if (optind < argc)
		return cmd_error("load: unexpected argument \"%s\" (holt load [-i FILE])",
				 argv[optind]);
	if (!input && isatty(STDIN_FILENO))
		return cmd_error("load: stdin is a terminal: use -i FILE or redirect stdin");
	cleanup_close int fd = input ? open(input, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	if (fd < 0)
		return cmd_error("load \"%s\": %s", input ? input : "-", strerror(errno));
	if (image_archive_load(ctx->store, fd, &loaded, &n, &err) < 0) {
		if (input)
			holt_err_wrap(&err, "load \"%s\"", input);
		else
			holt_err_wrap(&err, "load from stdin");
		return cmd_fail(&err);
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *id = xasprintf("sha256:%s", loaded[i].id);
		const char *name = loaded[i].names ? loaded[i].names[0] : NULL;
		events_record(store_root(ctx->store), "image", "load", id,
			      (const char *const[]){"name", name ? name : id, NULL});
		print_loaded(&loaded[i]);
	}
	image_archive_loaded_free(loaded, n);
	return 0;
}
