/* `holt commit`: a new image from a container's changes, printed as docker prints it
 * ("sha256:<id>"). */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/container_commit.h"
#include "core/container_events.h"

#include <stdio.h>

static const struct cmd_option commit_options[] = {
    {"message", 'm', "MSG", "commit message (the history entry's comment)"},
    {"author", 'a', "AUTHOR", "author (\"Name <email>\")"},
    {"change", 'c', "INSTR",
     "apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, "
     "WORKDIR (repeatable)"},
    {"pause", 'p', NULL, "accepted for docker; holt cannot pause a running container"},
    {"quiet", 'q', NULL, "print only the image id (podman; holt prints nothing else)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_commit_info = {
    .name = "commit",
    .args = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    .summary = "Create an image from a container's changes",
    .options = commit_options,
};

int cmd_commit(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_strv char **instructions = NULL;
	struct container_commit_opts o = {0};
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_commit_info)) != -1) {
		if (c == 'm')
			o.message = optarg;
		else if (c == 'a')
			o.author = optarg;
		else if (c == 'c')
			strv_push(&instructions, optarg);
	}
	if (optind >= argc || argc - optind > 2)
		return cmd_error("commit: expected CONTAINER [REPOSITORY[:TAG]]");
	o.name = optind + 1 < argc ? argv[optind + 1] : NULL;
	o.instructions = instructions;

	cleanup_container struct container *ctr = container_lookup(ctx->store, argv[optind], &err);
	if (!ctr)
		return cmd_fail(&err);
	/* Pausing needs the cgroup freezer, which a rootless holt does not have. */
	if (container_is_running(ctr))
		cmd_warn("commit \"%s\": the container is running and cannot be paused; files it "
			 "writes meanwhile may be caught half-written",
			 ctr->name);
	cleanup_free char *id = container_commit(ctx->store, ctr, &o, &err);
	if (!id)
		return cmd_fail(&err);
	container_event(ctr, "commit", (const char *const[]){"comment", o.message, NULL});
	printf("sha256:%s\n", id);
	return 0;
}
