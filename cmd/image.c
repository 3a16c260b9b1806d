/* `holt image COMMAND`: docker's management group for images. Each subcommand is a
 * top-level command under its docker name, or one of the group's own (prune). */
#include "cmd/cmd.h"
#include "core/base/util.h"

#include <string.h>

static const struct cmd_option image_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_image_info = {
    .name = "image",
    .args = "COMMAND [ARG...]",
    .summary = "Manage images (ls, inspect, prune, rm, and the image commands)",
    .options = image_options,
    .stop_at_operand = true,
};

/* A subcommand: the top-level command it runs, or fn for one of the group's own; type,
 * when set, is inserted as inspect's --type, so that only images are looked up. To add
 * one (save, load), add its row. */
static const struct image_member {
	const char *name;
	const char *command;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	const char *type;
} members[] = {
    {"history", "history", NULL, NULL},
    {"import", "import", NULL, NULL},
    {"inspect", "inspect", NULL, "--type=image"},
    {"ls", "images", NULL, NULL},
    {"list", "images", NULL, NULL},
    {"exists", NULL, cmd_image_exists, NULL},
    {"prune", NULL, cmd_image_prune, NULL},
    {"pull", "pull", NULL, NULL},
    {"push", "push", NULL, NULL},
    {"rm", "rmi", NULL, NULL},
    {"tag", "tag", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static int run_member(const struct image_member *m, int argc, char **argv, struct cmd_ctx *ctx)
{
	int (*fn)(int, char **, struct cmd_ctx *) = m->fn;
	for (const struct cmd_entry *e = cmd_table; !fn && e->name; e++)
		if (strcmp(e->name, m->command) == 0)
			fn = e->fn;
	if (!fn) /* a row naming a command the table lacks */
		return cmd_error("image %s: no command \"%s\"", m->name, m->command);
	optind = 0;
	if (!m->type)
		return fn(argc, argv, ctx);
	/* argv[0], the type option, then the rest */
	cleanup_free char **args = xzalloc((size_t)(argc + 2) * sizeof *args);
	args[0] = argv[0];
	args[1] = (char *)m->type;
	memcpy(args + 2, argv + 1, (size_t)(argc - 1) * sizeof *args);
	return fn(argc + 1, args, ctx);
}

unsigned cmd_image_member_flags(const char *sub)
{
	for (const struct image_member *m = members; m->name; m++)
		if (strcmp(m->name, sub) == 0)
			/* of its own commands, prune removes files of subordinate ids */
			return m->command ? cmd_flags_of(m->command, NEEDS_STORE)
			       : strcmp(m->name, "prune") == 0 ? NEEDS_STORE | NEEDS_USERNS
							       : NEEDS_STORE;
	return NEEDS_STORE;
}

int cmd_image(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_image_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("image: name a command (ls, inspect, prune, rm, tag, ...)");
	for (const struct image_member *m = members; m->name; m++)
		if (strcmp(m->name, argv[optind]) == 0)
			return run_member(m, argc - optind, argv + optind, ctx);
	return cmd_error("image: unknown command \"%s\"", argv[optind]);
}
