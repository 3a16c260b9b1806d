/* `holt cp`: files and directories between a container, running or stopped, and the
 * host, either way, landing where docker's cp puts them; `-` stands for a tar on stdin
 * or stdout. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/copy.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option cp_options[] = {
    {"archive", 'a', NULL, "keep the owners (uid:gid) of the files"},
    {"follow-link", 'L', NULL, "always follow a symbolic link at SRC_PATH"},
    {"quiet", 'q', NULL, "print no progress (holt prints none in any case)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_cp_info = {
    .name = "cp",
    .args = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
	    "       holt cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
    .summary = "Copy files/folders between a container and the local filesystem",
    .options = cp_options,
};

/* One operand: CONTAINER:PATH, or a local path (docker's reading: absolute paths and
 * those starting with "." are local even with a colon in them). */
struct operand {
	char *container; /* NULL: local */
	const char *path;
};

static void operand_parse(char *arg, struct operand *op)
{
	char *colon = strchr(arg, ':');

	op->container = NULL;
	op->path = arg;
	if (arg[0] == '/' || arg[0] == '.' || !colon)
		return;
	*colon = '\0';
	op->container = arg;
	op->path = colon + 1;
}

/* Container paths are relative to its /. */
static char *container_path(const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
}

int cmd_cp(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct copy_request req = {.store = ctx->store, .storage_driver = ctx->storage_driver};
	struct operand src, dst;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_cp_info)) != -1) {
		if (c == 'a')
			req.keep_owner = true;
		else if (c == 'L')
			req.follow = true;
	}
	if (argc - optind != 2)
		return cmd_error("cp: a source and a destination are required (holt cp [OPTIONS] "
				 "CONTAINER:SRC_PATH DEST_PATH, or SRC_PATH CONTAINER:DEST_PATH)");
	operand_parse(argv[optind], &src);
	operand_parse(argv[optind + 1], &dst);
	if (src.container && dst.container)
		return cmd_error("cp: copying between containers is not supported");
	if (!src.container && !dst.container)
		return cmd_error("cp: name a container as CONTAINER:PATH on one side");
	struct operand *in = src.container ? &src : &dst, *out = src.container ? &dst : &src;
	if (!*out->path)
		return cmd_error("cp: the local path is empty");

	cleanup_container struct container *ctr = container_lookup(ctx->store, in->container, &err);
	if (!ctr)
		return cmd_fail(&err);
	cleanup_free char *path = container_path(in->path);
	req.container = ctr;
	req.container_path = path;
	req.host_path = strcmp(out->path, "-") ? out->path : NULL;
	req.tar_fd = src.container ? STDOUT_FILENO : STDIN_FILENO;
	int ret = src.container ? copy_from_container(&req, &err) : copy_to_container(&req, &err);
	return ret < 0 ? cmd_fail(&err) : 0;
}
