/* What run and create do around the container they make, beyond what it is: podman's
 * and docker's --pull, --platform, --replace and --cidfile. */
#ifndef HOLT_CMD_RUN_EXTRAS_H
#define HOLT_CMD_RUN_EXTRAS_H

#include "cmd/cmd.h"
#include "core/container.h"

enum {
	OPT_PULL = OPT_LONG_BASE + 100,
	OPT_RUN_PLATFORM,
	OPT_CIDFILE,
	OPT_REPLACE,
};

#define RUN_EXTRA_OPTIONS                                                                          \
	{"pull", OPT_PULL, "POLICY", "missing (default), always, newer or never"},                 \
	    {"platform", OPT_RUN_PLATFORM, "OS/ARCH[/VARIANT]",                                    \
	     "pull the image for this platform"},                                                  \
	    {"cidfile", OPT_CIDFILE, "FILE",                                                       \
	     "write the container's id to FILE (it must not exist)"},                              \
	{                                                                                          \
		"replace", OPT_REPLACE, NULL,                                                      \
		    "first stop and remove a container of the same --name (podman)"                \
	}

struct run_extras {
	const char *pull; /* NULL: missing */
	const char *platform;
	const char *cidfile;
	bool replace;
};

/* Handles option c into x: 0 when it is one of these, 1 when not, -1 with err. */
int run_extras_opt(int c, const char *arg, struct run_extras *x, struct holt_err *err);

/* Before the container is made: --cidfile must not exist yet, and --replace removes the
 * container that has the name (name may be NULL: nothing to replace). */
int run_extras_prepare(struct cmd_ctx *ctx, const struct run_extras *x, const char *name,
		       struct holt_err *err);

/* The image, under --pull and --platform. */
struct image *run_extras_image(struct cmd_ctx *ctx, const struct run_extras *x, const char *ref,
			       struct holt_err *err);

/* Once the container exists: its id into --cidfile. */
int run_extras_created(const struct run_extras *x, const struct container *c, struct holt_err *err);

#endif
