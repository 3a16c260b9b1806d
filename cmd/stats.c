/* `holt stats`: docker's table of what running containers use, redrawn every second, or
 * once with --no-stream. CPU % is over the last second; on the first table, which has no
 * last second, it is the average since the container started (as podman shows it), so
 * that --no-stream answers at once. */
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "core/base/exitcode.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/container.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_NO_STREAM = OPT_LONG_BASE, OPT_NO_TRUNC, OPT_FORMAT };

static const struct cmd_option stats_options[] = {
    {"all", 'a', NULL, "show every container (default: the running ones)"},
    {"no-stream", OPT_NO_STREAM, NULL, "print one table and exit"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "show full container ids"},
    {"format", OPT_FORMAT, "FORMAT", "table TEMPLATE, json, or a Go template per container"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_stats_info = {
    .name = "stats",
    .args = "[OPTIONS] [CONTAINER...]",
    .summary = "Show the CPU, memory, I/O and processes containers use",
    .options = stats_options,
};

enum { COLUMNS = 8 };

static const char *const headers[COLUMNS] = {
    "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS",
};

/* The CPU time a container had used at the last table, to take the next one's from. */
struct last {
	char *id;
	uint64_t cpu_usec;
	struct timespec at;
};

struct table {
	char *(*cells)[COLUMNS];
	size_t rows;
	struct last *last;
	size_t n_last;
	bool all, no_trunc;
};

/* docker's units: BytesSize (1024s, 4 digits) for memory, HumanSize (1000s, 3) for I/O. */
static char *size_text(uint64_t n, bool binary)
{
	static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	static const char *const dec[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)n, base = binary ? 1024 : 1000;
	size_t u = 0;
	while (v >= base && u < 5)
		v /= base, u++;
	return xasprintf(binary ? "%.4g%s" : "%.3g%s", v, (binary ? bin : dec)[u]);
}

static char *pair_text(uint64_t a, uint64_t b, bool binary)
{
	cleanup_free char *x = size_text(a, binary);
	cleanup_free char *y = size_text(b, binary);
	return xasprintf("%s / %s", x, y);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* CPU % since this container's last table, or since it started; and remembers now. */
static double cpu_percent(struct table *t, const struct container *c, const struct cgroup_usage *u)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < t->n_last; i++) {
		struct last *l = &t->last[i];
		if (strcmp(l->id, c->id) != 0)
			continue;
		double secs = seconds_between(&l->at, &now);
		double used = u->cpu_usec > l->cpu_usec ? (double)(u->cpu_usec - l->cpu_usec) : 0;
		l->cpu_usec = u->cpu_usec;
		l->at = now;
		return secs > 0 ? used / 1e6 / secs * 100 : 0;
	}
	t->last = xrealloc(t->last, (t->n_last + 1) * sizeof *t->last);
	t->last[t->n_last++] = (struct last){xstrdup(c->id), u->cpu_usec, now};
	return u->age_usec ? (double)u->cpu_usec / (double)u->age_usec * 100 : 0;
}

static void add_row(struct table *t, const struct container *c)
{
	struct cgroup_usage u = {0};
	struct holt_err err = {0};
	double cpu = 0;

	if (container_is_running(c) && cgroup_usage_read(c, &u, &err) == 0)
		cpu = cpu_percent(t, c, &u);
	holt_err_release(&err); /* it stopped meanwhile: a row of zeros, as docker shows */
	t->cells = xrealloc(t->cells, (t->rows + 1) * sizeof *t->cells);
	char **row = t->cells[t->rows++];
	row[0] = t->no_trunc ? xstrdup(c->id) : xstrndup(c->id, 12);
	row[1] = xstrdup(c->name);
	row[2] = xasprintf("%.2f%%", cpu);
	row[3] = pair_text(u.mem, u.mem_limit, true);
	row[4] = xasprintf("%.2f%%", u.mem_limit ? (double)u.mem / (double)u.mem_limit * 100 : 0);
	row[5] = pair_text(u.net_rx, u.net_tx, false);
	row[6] = pair_text(u.blk_read, u.blk_write, false);
	row[7] = xasprintf("%llu", (unsigned long long)u.pids);
}

/* docker's field names for the columns, for --format */
static const char *const fields[COLUMNS] = {
    "ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs",
};
static const char *const stats_headers[][2] = {{"ID", "CONTAINER ID"},
					       {"Container", "CONTAINER"},
					       {"Name", "NAME"},
					       {"CPUPerc", "CPU %"},
					       {"MemUsage", "MEM USAGE / LIMIT"},
					       {"MemPerc", "MEM %"},
					       {"NetIO", "NET I/O"},
					       {"BlockIO", "BLOCK I/O"},
					       {"PIDs", "PIDS"},
					       {NULL, NULL}};
static const char stats_table[] = "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}"
				  "\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}";

/* The table through --format: a row object per container, docker's fields. */
static int print_formatted(const struct table *t, const char *format)
{
	struct holt_err err = {0};
	cleanup_output struct output *out = output_new(format, stats_table, stats_headers, &err);
	if (!out)
		return cmd_fail(&err);
	for (size_t r = 0; r < t->rows; r++) {
		cleanup_json json_object *row = json_object_new_object();
		for (int k = 0; k < COLUMNS; k++)
			json_add_string(row, fields[k], t->cells[r][k]);
		json_add_string(row, "Container", t->cells[r][1]);
		if (output_row(out, row, &err) < 0)
			return cmd_fail(&err);
	}
	if (output_flush(out, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

/* docker's tabwriter: columns padded by 3, at least 10 wide, the last one not at all. */
static void print_table(const struct table *t)
{
	size_t width[COLUMNS];
	for (int k = 0; k < COLUMNS; k++) {
		width[k] = strlen(headers[k]);
		for (size_t r = 0; r < t->rows; r++)
			if (strlen(t->cells[r][k]) > width[k])
				width[k] = strlen(t->cells[r][k]);
		width[k] = width[k] + 3 < 10 ? 10 : width[k] + 3;
	}
	for (size_t r = 0; r <= t->rows; r++)
		for (int k = 0; k < COLUMNS; k++) {
			const char *cell = r ? t->cells[r - 1][k] : headers[k];
			if (k == COLUMNS - 1)
				printf("%s\n", cell);
			else
				printf("%-*s", (int)width[k], cell);
		}
}

static void clear_rows(struct table *t)
{
	for (size_t r = 0; r < t->rows; r++)
		for (int k = 0; k < COLUMNS; k++)
			free(t->cells[r][k]);
	t->rows = 0;
}

/* One table's rows: the named containers, or the running (--all: every) ones. */
static int fill(struct table *t, struct cmd_ctx *ctx, char **names, int n)
{
	struct holt_err err = {0};
	for (int i = 0; i < n; i++) {
		cleanup_container struct container *c =
		    container_lookup(ctx->store, names[i], &err);
		if (!c) {
			cmd_error("stats \"%s\": %s", names[i], err.msg);
			holt_err_release(&err);
			return -1;
		}
		add_row(t, c);
	}
	if (n)
		return 0;
	struct container **list;
	size_t count;
	if (container_list(ctx->store, &list, &count, &err) < 0)
		return cmd_fail(&err), -1;
	for (size_t i = 0; i < count; i++)
		if (t->all || container_is_running(list[i]))
			add_row(t, list[i]);
	container_list_free(list, count);
	return 0;
}

int cmd_stats(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct table t = {0};
	const char *format = NULL;
	bool stream = true;
	int opt, ret = 0;

	while ((opt = cmd_getopt(argc, argv, &cmd_stats_info)) != -1) {
		if (opt == 'a')
			t.all = true;
		else if (opt == OPT_NO_STREAM)
			stream = false;
		else if (opt == OPT_NO_TRUNC)
			t.no_trunc = true;
		else if (opt == OPT_FORMAT)
			format = optarg;
	}
	bool redraw = stream && isatty(STDOUT_FILENO);
	for (;;) {
		if (fill(&t, ctx, argv + optind, argc - optind) < 0) {
			ret = HOLT_EXIT_ERROR;
			break;
		}
		if (redraw)
			fputs("\033[2J\033[H", stdout);
		if (format && *format) {
			if (print_formatted(&t, format)) {
				clear_rows(&t);
				ret = HOLT_EXIT_ERROR;
				break;
			}
		} else {
			print_table(&t);
		}
		clear_rows(&t);
		if (!stream || fflush(stdout) == EOF)
			break;
		nanosleep(&(struct timespec){1, 0}, NULL);
	}
	free(t.cells);
	for (size_t i = 0; i < t.n_last; i++)
		free(t.last[i].id);
	free(t.last);
	return ret;
}
