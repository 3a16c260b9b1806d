/* `holt volume rm` and `holt volume prune`: remove volumes. A volume a container uses,
 * running or stopped, is removed only when asked with rm -f; prune leaves it. */
#include "cmd/volume.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container_volumes.h"
#include "core/humanize.h"
#include "storage/volume.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_option rm_options[] = {
    {"force", 'f', NULL, "remove even a volume containers use; no error for a missing one"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_rm_info = {
    .name = "volume rm",
    .args = "[OPTIONS] VOLUME...",
    .summary = "Remove volumes",
    .options = rm_options,
};

int cmd_volume_rm(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_volume_rm_info)) != -1)
		if (c == 'f')
			force = true;
	if (optind >= argc)
		return cmd_error("volume rm: name at least one volume");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		if (volume_remove_unused(ctx->store, argv[i], force, &err) < 0) {
			if (force && err.errnum == ENOENT) {
				holt_err_release(&err);
				continue;
			}
			ret = cmd_error("volume rm \"%s\": %s", argv[i], err.msg);
			holt_err_release(&err);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return ret;
}

static const struct cmd_option prune_options[] = {
    {"all", 'a', NULL, "remove unused named volumes too, not only anonymous ones"},
    {"force", 'f', NULL, "do not ask for confirmation"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_prune_info = {
    .name = "volume prune",
    .args = "[OPTIONS]",
    .summary = "Remove volumes no container uses",
    .options = prune_options,
};

static unsigned long long tree_bytes;

static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		tree_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

static bool confirmed(bool all)
{
	char answer[16] = "";
	fputs(all ? "WARNING! This will remove all local volumes not used by at least one "
		    "container.\n"
		  : "WARNING! This will remove anonymous local volumes not used by at least "
		    "one container.\n",
	      stdout);
	fputs("Are you sure you want to continue? [y/N] ", stdout);
	fflush(stdout);
	return fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y') &&
	       strchr("\n\r", answer[1]);
}

int cmd_volume_prune(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct volume **list = NULL;
	size_t n = 0;
	bool all = false, force = false, header = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_volume_prune_info)) != -1)
		if (c == 'a')
			all = true;
		else if (c == 'f')
			force = true;
	if (optind < argc)
		return cmd_error("volume prune: unexpected argument \"%s\"", argv[optind]);
	if (!force && !confirmed(all))
		return 0;
	if (volume_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n; i++) {
		if (!all && !list[i]->anonymous)
			continue;
		unsigned long long before = tree_bytes;
		nftw(list[i]->mountpoint, add_bytes, 16, FTW_PHYS);
		if (volume_remove_unused(ctx->store, list[i]->name, false, &err) < 0) {
			tree_bytes = before;
			if (err.errnum == EBUSY)
				holt_err_release(&err); /* in use: prune leaves it */
			else
				ret = cmd_fail(&err);
			continue;
		}
		if (!header)
			puts("Deleted Volumes:");
		header = true;
		puts(list[i]->name);
	}
	volume_list_free(list, n);
	if (header)
		putchar('\n');
	cleanup_free char *size = humanize_size(tree_bytes);
	printf("Total reclaimed space: %s\n", size);
	return ret;
}
