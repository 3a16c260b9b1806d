/* `holt network rm` and `holt network prune`. A network a container is on, running or
 * not, stays unless rm -f, which removes those containers first (podman's way). */
#include "cmd/network.h"
#include "core/base/util.h"
#include "core/control.h"
#include "core/netns_user.h"
#include "storage/network.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cmd_option rm_options[] = {
    {"force", 'f', NULL, "remove the containers on it first; no error for a missing one"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_rm_info = {
    .name = "network rm",
    .args = "[OPTIONS] NETWORK...",
    .summary = "Remove user networks",
    .options = rm_options,
};

static int remove_container(struct cmd_ctx *ctx, const char *name, struct holt_err *err)
{
	cleanup_container struct container *c = container_lookup(ctx->store, name, err);
	if (!c)
		return err->errnum == ENOENT ? (holt_err_release(err), 0) : -1;
	for (int tries = 0;; tries++) {
		if (container_is_running(c) &&
		    control_stop_as_configured(ctx->store, c, 0, err) < 0)
			return -1;
		if (container_remove_unmonitored(ctx->store, c, err) == 0)
			return 0;
		if (tries == 200 || err->errnum != EBUSY)
			return -1;
		holt_err_release(err);
		usleep(10000); /* its monitor is finishing */
		if (container_reload_state(c, err) < 0)
			return -1;
	}
}

static int remove_network(struct cmd_ctx *ctx, const char *name, bool force, struct holt_err *err)
{
	cleanup_network struct network *n = network_lookup(ctx->store, name, err);
	cleanup_strv char **users = NULL;
	if (!n || netns_user_users(ctx->store, n->name, &users, err) < 0)
		return -1;
	for (char **u = users; u && *u; u++) {
		if (!force)
			return holt_err_set(err, EBUSY,
					    "container \"%s\" is on it: remove it first, or use "
					    "network rm -f",
					    *u);
		if (remove_container(ctx, *u, err) < 0)
			return holt_err_wrap(err, "remove container \"%s\"", *u);
	}
	return netns_user_remove(ctx->store, n, err);
}

int cmd_network_rm(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_network_rm_info)) != -1)
		if (c == 'f')
			force = true;
	if (optind >= argc)
		return cmd_error("network rm: name at least one network");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		if (remove_network(ctx, argv[i], force, &err) < 0) {
			if (force && err.errnum == ENOENT) {
				holt_err_release(&err);
				continue;
			}
			ret = cmd_error("network rm \"%s\": %s", argv[i], err.msg);
			holt_err_release(&err);
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

const struct cmd_info cmd_network_prune_info = {
    .name = "network prune",
    .args = "[OPTIONS]",
    .summary = "Remove the user networks no container is on",
    .options = prune_options,
};

int cmd_network_prune(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct network **list = NULL;
	size_t n = 0;
	int ret = 0;

	while (cmd_getopt(argc, argv, &cmd_network_prune_info) != -1)
		;
	if (optind < argc)
		return cmd_error("network prune: unexpected argument \"%s\"", argv[optind]);
	if (network_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n; i++) {
		cleanup_strv char **users = NULL;
		if (netns_user_users(ctx->store, list[i]->name, &users, &err) < 0 ||
		    (!users && netns_user_remove(ctx->store, list[i], &err) < 0)) {
			ret = cmd_fail(&err);
			break;
		}
		if (!users)
			printf("%s\n", list[i]->name);
	}
	network_list_free(list, n);
	return ret;
}
