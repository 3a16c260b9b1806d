/* `holt rm` and `holt container prune`: remove containers that are not running (or,
 * with -f, kill them first). */
#include "cmd/stop.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container_volumes.h"
#include "core/humanize.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option rm_options[] = {
    {"force", 'f', NULL, "kill a running container first"},
    {"volumes", 'v', NULL, "also remove the container's anonymous volumes"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_rm_info = {
    .name = "rm",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Remove one or more containers",
    .options = rm_options,
};

static int remove_one(struct cmd_ctx *ctx, struct container *c, bool force, bool volumes,
		      struct holt_err *err)
{
	if (container_is_running(c)) {
		if (!force)
			return holt_err_set(err, 0,
					    "container \"%s\" is running: stop it first, or use "
					    "rm -f",
					    c->name);
		if (cmd_stop_one(ctx, c, 0, err) < 0)
			return -1;
	}
	/* An --rm container's monitor may have removed it meanwhile. */
	if (access(c->dir, F_OK) < 0)
		return 0;
	if (container_remove(ctx->store, c, err) < 0)
		return -1;
	return volumes ? container_remove_volumes(ctx->store, c, err) : 0;
}

int cmd_rm(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false, volumes = false;
	int opt, ret = 0;

	while ((opt = cmd_getopt(argc, argv, &cmd_rm_info)) != -1)
		if (opt == 'f')
			force = true;
		else if (opt == 'v')
			volumes = true;
	if (optind >= argc)
		return cmd_error("rm: name at least one container");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, argv[i], &err);
		if (!c || remove_one(ctx, c, force, volumes, &err) < 0) {
			cmd_error("rm \"%s\": %s", argv[i], err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return ret;
}

static const struct cmd_option prune_options[] = {
    {"force", 'f', NULL, "do not ask for confirmation"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_container_prune_info = {
    .name = "container prune",
    .args = "[OPTIONS]",
    .summary = "Remove all stopped containers",
    .options = prune_options,
};

static unsigned long long tree_bytes;

static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		tree_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

static bool confirmed(void)
{
	char answer[16] = "";
	fputs("WARNING! This will remove all stopped containers.\n"
	      "Are you sure you want to continue? [y/N] ",
	      stdout);
	fflush(stdout);
	return fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y') &&
	       strchr("\n\r", answer[1]);
}

int cmd_container_prune(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct container **list = NULL;
	size_t n = 0;
	bool force = false;
	int opt, ret = 0;

	while ((opt = cmd_getopt(argc, argv, &cmd_container_prune_info)) != -1)
		if (opt == 'f')
			force = true;
	if (optind < argc)
		return cmd_error("container prune: unexpected argument \"%s\"", argv[optind]);
	if (!force && !confirmed())
		return 0;
	if (container_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		if (container_is_running(list[i]))
			continue;
		nftw(list[i]->dir, add_bytes, 16, FTW_PHYS);
		if (container_remove(ctx->store, list[i], &err) < 0) {
			ret = cmd_fail(&err);
			continue;
		}
		if (!header)
			puts("Deleted Containers:");
		header = true;
		puts(list[i]->id);
	}
	if (header)
		putchar('\n');
	cleanup_free char *size = humanize_size(tree_bytes);
	printf("Total reclaimed space: %s\n", size);
	container_list_free(list, n);
	return ret;
}
