/* `holt logs`: what a container wrote, from its log files (the rotated one first), with
 * stdout and stderr kept apart; -f follows until the container stops. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/humanize.h"
#include "core/log_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_SINCE = OPT_LONG_BASE, OPT_UNTIL };

static const struct cmd_option logs_options[] = {
    {"follow", 'f', NULL, "keep printing new output until the container stops"},
    {"tail", 'n', "N", "only the last N lines (\"all\": every line)"},
    {"since", OPT_SINCE, "TIME", "only lines since TIME (RFC 3339, unix time, or 10m, 1h30m)"},
    {"until", OPT_UNTIL, "TIME", "only lines before TIME"},
    {"timestamps", 't', NULL, "show each line's time"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_logs_info = {
    .name = "logs",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Print a container's output",
    .options = logs_options,
};

struct printer {
	bool timestamps;
	bool at_line_start[2]; /* per stream, for -t on partial lines */
};

static void print_entry(const struct log_entry *e, void *ctx)
{
	struct printer *p = ctx;
	if (!e) {
		fflush(stdout);
		return;
	}
	FILE *out = e->is_stderr ? stderr : stdout;
	/* stderr is unbuffered: what stdout holds goes first, to keep the order of 2>&1. */
	if (e->is_stderr)
		fflush(stdout);
	if (p->timestamps && p->at_line_start[e->is_stderr]) {
		/* docker's: UTC, nine fraction digits, whatever the log file holds */
		struct tm tm;
		char when[32];
		gmtime_r(&e->time.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, "%s.%09ldZ ", when, e->time.tv_nsec);
	}
	fwrite(e->text, 1, e->len, out);
	if (!e->partial)
		fputc('\n', out);
	p->at_line_start[e->is_stderr] = !e->partial;
}

/* docker's --since: RFC 3339, unix seconds[.frac], or a Go duration before now. */
static int parse_time(const char *opt, const char *arg, struct timespec *out)
{
	if (humanize_parse_since(arg, out))
		return 0;
	return cmd_error("%s \"%s\": not a time (2026-01-02T15:04:05Z, a unix time, or a "
			 "duration such as 10m)",
			 opt, arg);
}

static int parse(int argc, char **argv, struct log_filter *o, struct printer *p)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_logs_info)) != -1) {
		switch (c) {
		case 'f':
			o->follow = true;
			break;
		case 't':
			p->timestamps = true;
			break;
		case 'n': {
			char *end;
			if (strcmp(optarg, "all") == 0) {
				o->tail = -1;
				break;
			}
			o->tail = strtol(optarg, &end, 10);
			if (!*optarg || *end || o->tail < 0)
				return cmd_error("--tail \"%s\": not a number of lines", optarg);
			break;
		}
		case OPT_SINCE:
			if (parse_time("--since", optarg, &o->since))
				return HOLT_EXIT_ERROR;
			break;
		case OPT_UNTIL:
			if (parse_time("--until", optarg, &o->until))
				return HOLT_EXIT_ERROR;
			break;
		}
	}
	if (argc - optind != 1)
		return cmd_error("logs: name one container");
	return 0;
}

int cmd_logs(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct log_filter filter = {.tail = -1};
	struct printer p = {.at_line_start = {true, true}};
	struct holt_err err = {0};

	if (parse(argc, argv, &filter, &p))
		return HOLT_EXIT_ERROR;
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	if (c->config.log_driver == LOG_DRIVER_NONE)
		return cmd_error("logs \"%s\": the container's log driver is none: its output was "
				 "not kept (--log-driver k8s-file or json-file keeps it)",
				 c->name);
	if (!log_read(c, &filter, print_entry, &p) && c->state.started_at)
		cmd_warn("container \"%s\" has no log: it ran only in the foreground, whose output "
			 "goes to the terminal (run -d or start logs it)",
			 c->name);
	return 0;
}
