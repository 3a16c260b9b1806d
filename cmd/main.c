/* holt's entry point: global options, then the command table, whose flags say what
 * is set up before a command runs. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/userns.h"

#include <stdio.h>
#include <string.h>

const struct cmd_entry cmd_table[] = {
    {"run", cmd_run, &cmd_run_info, NEEDS_STORE | NEEDS_USERNS},
    {"create", cmd_create, &cmd_create_info, NEEDS_STORE | NEEDS_USERNS},
    {"start", cmd_start, &cmd_start_info, NEEDS_STORE | NEEDS_USERNS},
    {"ps", cmd_ps, &cmd_ps_info, NEEDS_STORE},
    {"logs", cmd_logs, &cmd_logs_info, NEEDS_STORE},
    {"exec", cmd_exec, &cmd_exec_info, NEEDS_STORE | NEEDS_USERNS},
    {"stop", cmd_stop, &cmd_stop_info, NEEDS_STORE | NEEDS_USERNS},
    {"kill", cmd_kill, &cmd_kill_info, NEEDS_STORE | NEEDS_USERNS},
    {"restart", cmd_restart, &cmd_restart_info, NEEDS_STORE | NEEDS_USERNS},
    {"wait", cmd_wait, &cmd_wait_info, NEEDS_STORE},
    {"rm", cmd_rm, &cmd_rm_info, NEEDS_STORE | NEEDS_USERNS},
    {"inspect", cmd_inspect, &cmd_inspect_info, NEEDS_STORE},
    {"top", cmd_top, &cmd_top_info, NEEDS_STORE | NEEDS_USERNS},
    {"port", cmd_port, &cmd_port_info, NEEDS_STORE},
    {"rename", cmd_rename, &cmd_rename_info, NEEDS_STORE},
    {"attach", cmd_attach, &cmd_attach_info, NEEDS_STORE},
    {"container", cmd_container, &cmd_container_info, NEEDS_STORE},
    {"pause", cmd_pause, &cmd_pause_info, NEEDS_STORE},
    {"unpause", cmd_unpause, &cmd_unpause_info, NEEDS_STORE},
    /* in the user namespace: the processes of containers with subordinate ids are not
     * the user's own outside it, and stats reads their /proc files */
    {"stats", cmd_stats, &cmd_stats_info, NEEDS_STORE | NEEDS_USERNS},
    {"events", cmd_events, &cmd_events_info, NEEDS_STORE},
    {"diff", cmd_diff, &cmd_diff_info, NEEDS_STORE | NEEDS_USERNS},
    {"commit", cmd_commit, &cmd_commit_info, NEEDS_STORE | NEEDS_USERNS},
    {"build", cmd_build, &cmd_build_info, NEEDS_STORE | NEEDS_USERNS},
    {"builder", cmd_builder, &cmd_builder_info, NEEDS_STORE | NEEDS_USERNS},
    {"cp", cmd_cp, &cmd_cp_info, NEEDS_STORE | NEEDS_USERNS},
    {"export", cmd_export, &cmd_export_info, NEEDS_STORE | NEEDS_USERNS},
    {"import", cmd_import, &cmd_import_info, NEEDS_STORE | NEEDS_USERNS},
    {"save", cmd_save, &cmd_save_info, NEEDS_STORE},
    {"load", cmd_load, &cmd_load_info, NEEDS_STORE | NEEDS_USERNS},
    {"images", cmd_images, &cmd_images_info, NEEDS_STORE},
    {"rmi", cmd_rmi, &cmd_rmi_info, NEEDS_STORE | NEEDS_USERNS},
    {"pull", cmd_pull, &cmd_pull_info, NEEDS_STORE | NEEDS_USERNS},
    {"push", cmd_push, &cmd_push_info, NEEDS_STORE},
    {"login", cmd_login, &cmd_login_info, 0},
    {"logout", cmd_logout, &cmd_logout_info, 0},
    {"tag", cmd_tag, &cmd_tag_info, NEEDS_STORE},
    {"history", cmd_history, &cmd_history_info, NEEDS_STORE},
    {"image", cmd_image, &cmd_image_info, NEEDS_STORE},
    /* rm and prune delete files that subordinate ids may own */
    {"volume", cmd_volume, &cmd_volume_info, NEEDS_STORE | NEEDS_USERNS},
    {"network", cmd_network, &cmd_network_info, NEEDS_STORE | NEEDS_USERNS},
    {"system", cmd_system, &cmd_system_info, 0},
    {"info", cmd_info, &cmd_info_info, NEEDS_STORE | NEEDS_USERNS},
    {"version", cmd_version, &cmd_version_info, 0},
    {"help", cmd_help, &cmd_help_info, 0},
    {"completion", cmd_completion, &cmd_completion_info, 0},
    {"__complete", cmd_complete, &cmd_complete_info, 0},
    {NULL, NULL, NULL, 0},
};

enum {
	OPT_ROOT = OPT_LONG_BASE,
	OPT_RUNROOT,
	OPT_LOG_LEVEL,
	OPT_DEBUG,
	OPT_STORAGE_DRIVER,
};

static const struct cmd_option global_options[] = {
    {"root", OPT_ROOT, "DIR", "store images and containers under DIR"},
    {"runroot", OPT_RUNROOT, "DIR", "keep runtime state under DIR"},
    {"log-level", OPT_LOG_LEVEL, "LEVEL", "error, warn, info or debug"},
    {"debug", 'D', NULL, "same as --log-level debug"},
    {"storage-driver", OPT_STORAGE_DRIVER, "NAME", "overlay, fuse-overlayfs or vfs"},
    {"version", 'v', NULL, "print the version and exit"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_global_info = {
    .name = "",
    .args = "[OPTIONS] COMMAND [ARG...]",
    .summary = "Run containers as your own user: no root, no daemon.",
    .options = global_options,
    .stop_at_operand = true,
};

static const char *const log_levels[] = {"error", "warn", "info", "debug"};

static const struct cmd_entry *command_find(const char *name)
{
	for (const struct cmd_entry *c = cmd_table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Groups set up what their subcommand needs: `image ls` as little as `images`. */
static const struct {
	const char *name;
	unsigned (*member_flags)(const char *sub);
} groups[] = {
    {"image", cmd_image_member_flags},
    {"container", cmd_container_member_flags},
    {"system", cmd_system_member_flags},
};

static unsigned flags_for(const struct cmd_entry *cmd, int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof groups / sizeof *groups; i++)
		if (strcmp(cmd->name, groups[i].name) == 0)
			return groups[i].member_flags(argv[1]);
	return cmd->flags;
}

unsigned cmd_flags_of(const char *name, unsigned fallback)
{
	const struct cmd_entry *c = command_find(name);
	return c ? c->flags : fallback;
}

static int parse_global(int argc, char **argv, struct cmd_ctx *ctx)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_global_info)) != -1) {
		switch (c) {
		case OPT_ROOT:
			ctx->root = optarg;
			break;
		case OPT_RUNROOT:
			ctx->runroot = optarg;
			break;
		case OPT_LOG_LEVEL: {
			size_t i;
			for (i = 0; i < sizeof log_levels / sizeof *log_levels; i++)
				if (strcmp(optarg, log_levels[i]) == 0)
					break;
			if (i == sizeof log_levels / sizeof *log_levels)
				exit(cmd_error("--log-level \"%s\": not one of error, warn, info, "
					       "debug",
					       optarg));
			ctx->log_level = (int)i;
			break;
		}
		case 'D':
			ctx->log_level = 3;
			break;
		case OPT_STORAGE_DRIVER:
			if (strcmp(optarg, "overlay") && strcmp(optarg, "fuse-overlayfs") &&
			    strcmp(optarg, "vfs"))
				exit(cmd_error("--storage-driver \"%s\": not one of overlay, "
					       "fuse-overlayfs, vfs",
					       optarg));
			ctx->storage_driver = optarg;
			break;
		case 'v':
			exit(cmd_version(0, NULL, ctx));
		}
	}
	return optind;
}

/* True when --help stands among the options before the first operand. */
static bool asks_for_help(int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

static int setup(const struct cmd_entry *cmd, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	/* The defaults name the real uid: work them out before the user namespace hides it. */
	cleanup_free char *root = NULL;
	cleanup_free char *runroot = NULL;

	if (cmd->flags & (NEEDS_STORE | NEEDS_USERNS)) {
		root = ctx->root ? xstrdup(ctx->root) : store_default_root();
		runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	}
	if (root)
		holt_debug("store \"%s\", runtime state \"%s\"", root, runroot);
	if (cmd->flags & NEEDS_USERNS) {
		struct userns_info info;
		if (userns_enter(runroot, &info, &err) < 0)
			return cmd_fail(&err);
		if (info.single_reason)
			cmd_warn("%s; using a single-uid map (every file owner in the container "
				 "becomes you)",
				 info.single_reason);
		userns_info_release(&info);
	}
	if (cmd->flags & NEEDS_STORE) {
		ctx->store = store_open(root, runroot, &err);
		if (!ctx->store)
			return cmd_fail(&err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = {.log_level = 1};

	int first = parse_global(argc, argv, &ctx);
	cmd_log_start((enum holt_log_level)ctx.log_level);
	if (first >= argc) {
		cmd_usage(&cmd_global_info, stderr);
		return HOLT_EXIT_ERROR;
	}
	const struct cmd_entry *cmd = command_find(argv[first]);
	if (!cmd) {
		cmd_error("unknown command \"%s\"", argv[first]);
		fputs("See 'holt --help'.\n", stderr);
		return HOLT_EXIT_ERROR;
	}
	/* `holt run --help` should print help, not set up a namespace first. */
	struct cmd_entry target = *cmd;
	target.flags = flags_for(cmd, argc - first, argv + first);
	if (!asks_for_help(argc - first, argv + first) && setup(&target, &ctx))
		return HOLT_EXIT_ERROR;
	optind = 0;
	int ret = cmd->fn(argc - first, argv + first, &ctx);
	if (ctx.store)
		store_free(ctx.store);
	return ret;
}
