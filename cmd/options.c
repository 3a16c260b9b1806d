/* Option parsing, --help text and error printing shared by every subcommand, all made
 * from the command's `struct cmd_info`. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/log.h"
#include "core/base/util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static size_t options_count(const struct cmd_option *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static const struct cmd_option *option_by_val(const struct cmd_info *info, int val)
{
	for (const struct cmd_option *o = info->options; o && o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

void cmd_usage(const struct cmd_info *info, FILE *out)
{
	fprintf(out, "Usage: holt%s%s%s%s\n\n%s\n", *info->name ? " " : "", info->name,
		info->args ? " " : "", info->args ? info->args : "", info->summary);
	if (info == &cmd_global_info) {
		fputs("\nCommands:\n", out);
		for (const struct cmd_entry *c = cmd_table; c->name; c++)
			if (c->name[0] != '_')
				fprintf(out, "  %-12s %s\n", c->name, c->info->summary);
	}
	fputs("\nOptions:\n", out);
	for (const struct cmd_option *o = info->options; o && o->name; o++) {
		char left[64];
		int n = 0;
		if (o->val < OPT_LONG_BASE)
			n = snprintf(left, sizeof left, "-%c, --%s", o->val, o->name);
		else
			n = snprintf(left, sizeof left, "    --%s", o->name);
		if (o->argname && n >= 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - n,
				 cmd_option_value_optional(o) ? "%s" : " %s", o->argname);
		/* A left side too wide for the column gets a line of its own, as in GNU --help. */
		if (strlen(left) > 28)
			fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-28s %s\n", left, o->help);
	}
	fputs(option_by_val(info, 'h') ? "      --help                   show this help\n"
				       : "  -h, --help                   show this help\n",
	      out);
	if (info == &cmd_global_info)
		fputs("\nExit status: a container's own (run, start -a, exec, attach), 126 not "
		      "executable,\n127 not found; 125 whenever holt itself fails, in every "
		      "command (as podman).\n"
		      "\nRun 'holt COMMAND --help' for more on a command.\n",
		      out);
}

/* Go's strconv.ParseBool, which docker's and podman's flag parsers use: 1 when true, 0
 * when false, -1 when neither. */
static int parse_go_bool(const char *v)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	return -1;
}

static const struct cmd_option *option_by_name(const struct cmd_info *info, const char *name,
					       size_t len)
{
	for (const struct cmd_option *o = info->options; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* docker writes a boolean flag's value with its short name too: "-d=false". getopt would
 * read that as -d -= -f ..., so such words become "--detach=false" before it runs. Only
 * words in option position are looked at, never an option's argument or an operand. */
static void rewrite_short_bools(int argc, char **argv, const struct cmd_info *info)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return;
		if (a[0] != '-' || !a[1]) {
			if (info->stop_at_operand)
				return;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct cmd_option *o =
			    option_by_name(info, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (o && o->argname && !cmd_option_value_optional(o) && !eq)
				i++; /* its value is the next word */
			continue;
		}
		const struct cmd_option *o = option_by_val(info, (unsigned char)a[1]);
		if (o && !o->argname && a[2] == '=') {
			argv[i] = xasprintf("--%s%s", o->name, a + 2);
			continue;
		}
		/* a cluster: the first letter that takes a value takes the rest, or the next word
		 */
		for (const char *p = a + 1; *p; p++) {
			const struct cmd_option *c = option_by_val(info, (unsigned char)*p);
			if (c && c->argname) {
				if (!p[1] && !cmd_option_value_optional(c))
					i++;
				break;
			}
		}
	}
}

int cmd_getopt(int argc, char **argv, const struct cmd_info *info)
{
	static char **rewritten;

	static const struct cmd_info *built_for;
	static struct option *longopts;
	static char *shortopts;

	/* !built_for first: clang's analyzer otherwise takes info for NULL on the first call */
	if (!built_for || built_for != info) {
		size_t n = options_count(info->options), s = 0;
		free(longopts);
		free(shortopts);
		longopts = xzalloc((n + 2) * sizeof *longopts);
		shortopts = xzalloc(3 * n + 4);
		if (info->stop_at_operand)
			shortopts[s++] = '+';
		shortopts[s++] = ':';
		for (size_t i = 0; i < n; i++) {
			const struct cmd_option *o = &info->options[i];
			/* a flag takes an optional =BOOL, as in docker (--rm=false) */
			int has_arg = o->argname && !cmd_option_value_optional(o)
					  ? required_argument
					  : optional_argument;
			longopts[i] = (struct option){o->name, has_arg, NULL, o->val};
			if (o->val < OPT_LONG_BASE) {
				shortopts[s++] = (char)o->val;
				if (o->argname)
					shortopts[s++] = ':';
				if (cmd_option_value_optional(o))
					shortopts[s++] = ':';
			}
		}
		longopts[n] = (struct option){"help", no_argument, NULL, OPT_HELP};
		/* -h is help unless the command gives it a meaning (run: --hostname). */
		if (!option_by_val(info, 'h'))
			shortopts[s++] = 'h';
		built_for = info;
	}

	if (rewritten != argv) {
		rewrite_short_bools(argc, argv, info);
		rewritten = argv;
	}
	int c;
	const struct cmd_option *flag;
	/* --flag=false is the flag not given: every holt flag is off unless given. The
	 * tables are built above on the first call: the analyzer cannot see built_for starts
	 * NULL. */
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) > 0 && optarg &&
	       (flag = option_by_val(info, c)) && !flag->argname) {
		int v = parse_go_bool(optarg);
		if (v < 0) {
			cmd_error("%s: flag \"--%s\" takes true or false, not \"%s\"", info->name,
				  flag->name, optarg);
			exit(HOLT_EXIT_ERROR);
		}
		if (v)
			break;
	}
	if (c == 'h' && !option_by_val(info, 'h'))
		c = OPT_HELP;
	switch (c) {
	case OPT_HELP:
		cmd_usage(info, stdout);
		exit(0);
	case '?':
		if (optopt && optopt < OPT_LONG_BASE)
			cmd_error("%s: unknown flag \"-%c\"", info->name, optopt);
		else
			cmd_error("%s: unknown flag \"%s\"", info->name, argv[optind - 1]);
		fprintf(stderr, "See 'holt %s --help'.\n", info->name);
		exit(HOLT_EXIT_ERROR);
	case ':':
		cmd_error("%s: flag \"%s\" needs an argument", info->name, argv[optind - 1]);
		fprintf(stderr, "See 'holt %s --help'.\n", info->name);
		exit(HOLT_EXIT_ERROR);
	}
	return c;
}

static __attribute__((format(printf, 2, 0))) void vprint(const char *level, const char *fmt,
							 va_list ap)
{
	fprintf(stderr, "holt: %s: ", level);
	/* every caller va_starts ap, which the analyzer does not follow */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cmd_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("error", fmt, ap);
	va_end(ap);
	return HOLT_EXIT_ERROR;
}

void cmd_warn(const char *fmt, ...)
{
	if (holt_log_threshold < HOLT_LOG_WARN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprint("warning", fmt, ap);
	va_end(ap);
}

int cmd_fail(struct holt_err *err)
{
	cmd_error("%s", err->msg ? err->msg : "unknown error");
	holt_err_release(err);
	return HOLT_EXIT_ERROR;
}

/* A copy of stderr: the library logs from the container's child too, after the child's
 * fd 2 has become the container's own (a detached container's log). */
static int log_fd = -1;

static void log_to_stderr(enum holt_log_level level, const char *line)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if (log_fd >= 0)
		dprintf(log_fd, "holt: %s: %s\n", names[level], line);
}

void cmd_log_start(enum holt_log_level threshold)
{
	if (threshold >= HOLT_LOG_INFO)
		log_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	holt_log_init(threshold, log_to_stderr);
}
