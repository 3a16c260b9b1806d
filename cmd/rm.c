/* `holt rm` and `holt container prune`: remove containers that are not running (or,
 * with -f, kill them first). */
#include "cmd/stop.h"
#include "cmd/targets.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/control.h"
#include "core/humanize.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option rm_options[] = {
    {"force", 'f', NULL, "kill a running container first"},
    {"volumes", 'v', NULL, "also remove anonymous volumes (holt makes none yet)"},
    {"all", 'a', NULL, "remove every container (podman)"},
    {"ignore", 'i', NULL, "a container that does not exist is no error (podman)"},
    {"time", 't', "SECONDS", "with -f, stop running ones this long before SIGKILL (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_rm_info = {
    .name = "rm",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Remove one or more containers",
    .options = rm_options,
};

static int remove_one(struct cmd_ctx *ctx, struct container *c, bool force, int timeout,
		      struct holt_err *err)
{
	if (container_is_running(c)) {
		if (!force)
			return holt_err_set(err, 0,
					    "container \"%s\" is running: stop it first, or use "
					    "rm -f",
					    c->name);
		if (control_stop_as_configured(ctx->store, c, timeout, err) < 0)
			return -1;
	}
	/* A monitor may hold it yet: one finishing after the stop, or one a start racing
	 * this rm (run -d, start) launched since it was looked up. */
	for (int tries = 0;; tries++) {
		if (container_remove_unmonitored(ctx->store, c, err) == 0)
			return 0;
		if (!force || tries == 200 || err->errnum != EBUSY)
			return -1;
		holt_err_release(err);
		if (container_reload_state(c, err) < 0)
			return -1;
		if (!container_is_running(c))
			usleep(10000);
		else if (control_stop_as_configured(ctx->store, c, timeout, err) < 0)
			return -1;
	}
}

int cmd_rm(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false, all = false, ignore = false;
	int opt, ret = 0, timeout = 0; /* docker's rm -f kills at once */
	cleanup_strv char **targets = NULL;

	while ((opt = cmd_getopt(argc, argv, &cmd_rm_info)) != -1)
		if (opt == 'f')
			force = true;
		else if (opt == 'a')
			all = true;
		else if (opt == 'i')
			ignore = true;
		else if (opt == 't' && cmd_stop_timeout(optarg, &timeout))
			return HOLT_EXIT_ERROR;
	if (cmd_targets(ctx, "rm", argc, argv, all, TARGETS_ANY, &targets))
		return HOLT_EXIT_ERROR;
	for (char **t = targets; t && *t; t++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, *t, &err);
		if (!c && cmd_targets_ignored(ignore, &err)) {
			holt_err_release(&err);
			continue;
		}
		if (!c || remove_one(ctx, c, force, timeout, &err) < 0) {
			cmd_error("rm \"%s\": %s", *t, err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", *t);
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
		unsigned long long before = tree_bytes;
		nftw(list[i]->dir, add_bytes, 16, FTW_PHYS);
		if (container_remove_unmonitored(ctx->store, list[i], &err) < 0) {
			if (err.errnum == EBUSY) { /* started since the list was read */
				tree_bytes = before;
				holt_err_release(&err);
				continue;
			}
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
