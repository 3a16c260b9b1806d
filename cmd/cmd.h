/* Every holt subcommand, and the option tables that its parser, --help and the shell
 * completions are all made from.
 *
 * To add a command: write cmd/<name>.c with its `struct cmd_info` and `cmd_<name>()`,
 * declare both below, add a row to the table in cmd/main.c (the flags say what main sets
 * up first), and a tests/bats file. The Makefile and the completions pick it up. */
#ifndef HOLT_CMD_CMD_H
#define HOLT_CMD_CMD_H

#include "core/base/err.h"
#include "core/base/log.h"
#include "storage/store.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* One option of a command; val is the short letter, or a value >= OPT_LONG_BASE for
 * long-only options. argname is NULL for a flag; one that starts with '[' ("[=BOOL]") makes
 * the value optional and attached (--tls-verify, --tls-verify=false). */
struct cmd_option {
	const char *name;
	int val;
	const char *argname;
	const char *help;
};

enum { OPT_LONG_BASE = 1000, OPT_HELP = 999 };

struct cmd_info {
	const char *name;
	const char *args;    /* "[OPTIONS] IMAGE [COMMAND [ARG...]]" */
	const char *summary; /* one line, for `holt --help` */
	const struct cmd_option *options;
	bool stop_at_operand; /* options end at the first operand (run's command follows) */
};

/* What main prepared for a command, by its flags. */
struct cmd_ctx {
	const char *root;
	const char *runroot;
	const char *storage_driver; /* NULL: the best that works */
	struct store *store;	    /* NEEDS_STORE */
	int log_level;
};

enum cmd_flags {
	NEEDS_STORE = 1 << 0,  /* open the store */
	NEEDS_USERNS = 1 << 1, /* enter the mapped user namespace before the command runs */
};

/* Parses argv with info's table; returns the option value, -1 at the end (optind is
 * then the first operand). --help prints the usage and exits 0; an unknown option
 * prints an error and exits 125. */
int cmd_getopt(int argc, char **argv, const struct cmd_info *info) __attribute__((nonnull(3)));

static inline bool cmd_option_value_optional(const struct cmd_option *o)
{
	return o->argname && o->argname[0] == '[';
}

/* Prints info's usage text, made from its option table. */
void cmd_usage(const struct cmd_info *info, FILE *out);

/* Prints "holt: error: <err>" and releases err; returns HOLT_EXIT_ERROR. */
int cmd_fail(struct holt_err *err);
/* Prints "holt: error: <fmt...>" and returns HOLT_EXIT_ERROR. */
int cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct json_object;
/* What an inspect command shows for name, or NULL with err when there is none. */
typedef struct json_object *cmd_inspect_find(struct cmd_ctx *ctx, const char *name, const void *arg,
					     struct holt_err *err);
/* The loop of inspect, network inspect and volume inspect: each of names (NULL-ended) as
 * a row of --format's output; a name that fails is shown and the rest go on. Returns 0,
 * or 125 when any failed. */
int cmd_inspect_each(struct cmd_ctx *ctx, const char *format, char **names, cmd_inspect_find *find,
		     const void *arg);
/* Shows warnings and the library's log lines down to threshold (--log-level). */
void cmd_log_start(enum holt_log_level threshold);

struct image;
/* The image ref names; when there is none and ref is a registry reference, it is pulled
 * first, with progress on stderr, as docker run does. */
struct image *cmd_image_or_pull(struct cmd_ctx *ctx, const char *ref, struct holt_err *err);
/* The same, pulled for platform (NULL: the host's) when it must be. */
struct image *cmd_image_platform(struct cmd_ctx *ctx, const char *ref, const char *platform,
				 struct holt_err *err);
/* The image for run or create under --pull policy: NULL or "missing" as
 * cmd_image_platform; "always" pulls first; "newer" pulls and falls back to the stored
 * image when the registry cannot be reached; "never" never pulls. */
struct image *cmd_image_for_run(struct cmd_ctx *ctx, const char *ref, const char *policy,
				const char *platform, struct holt_err *err);
/* The value of --tls-verify[=BOOL] and its kind: NULL is true. */
int cmd_parse_bool(const char *option, const char *value, bool *out);

#define CMD(name)                                                                                  \
	extern const struct cmd_info cmd_##name##_info;                                            \
	int cmd_##name(int argc, char **argv, struct cmd_ctx *ctx)

CMD(run);
CMD(create);
CMD(start);
CMD(ps);
CMD(logs);
CMD(exec);
CMD(stop);
CMD(kill);
CMD(restart);
CMD(wait);
CMD(rm);
CMD(container_prune);
CMD(inspect);
CMD(top);
CMD(port);
CMD(rename);
CMD(attach);
CMD(container);
CMD(pause);
CMD(unpause);
CMD(stats);
CMD(events);
CMD(diff);
CMD(commit);
CMD(build);
CMD(builder);
CMD(cp);
CMD(export);
CMD(import);
CMD(save);
CMD(load);
CMD(images);
CMD(rmi);
CMD(pull);
CMD(push);
CMD(login);
CMD(logout);
CMD(tag);
CMD(history);
CMD(image);
CMD(image_prune);
CMD(image_exists);
CMD(container_exists);
CMD(volume);
CMD(network);
CMD(system);
CMD(system_check);
CMD(info);
CMD(system_df);
CMD(system_prune);
CMD(version);
CMD(help);
CMD(completion);
CMD(complete);

#undef CMD

/* The table main dispatches from, for help and completions. */
struct cmd_entry {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	const struct cmd_info *info;
	unsigned flags;
};
extern const struct cmd_entry cmd_table[];
/* The flags of the top-level command name, or fallback when there is none. */
unsigned cmd_flags_of(const char *name, unsigned fallback);
/* The flags of a group's subcommand sub, which main sets up instead of the group's. */
unsigned cmd_image_member_flags(const char *sub);
unsigned cmd_container_member_flags(const char *sub);
unsigned cmd_system_member_flags(const char *sub);
extern const struct cmd_info cmd_global_info;

#endif
