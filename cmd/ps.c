/* `holt ps`: the containers, from their records alone (no namespace, no process to
 * ask), with "running" believed only while a monitor holds the container's lock. */
#include "cmd/cmd.h"
#include "cmd/labels.h"
#include "cmd/output.h"
#include "cmd/row_sort.h"
#include "core/base/exitcode.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/humanize.h"
#include "core/netns.h"
#include "core/pull.h"
#include "storage/reference.h"

#include <ftw.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_NO_TRUNC = OPT_LONG_BASE, OPT_FORMAT, OPT_NOHEADING, OPT_SORT };

/* with -s */
static const char size_table[] = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}"
				 "\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}\\t{{.Size}}";

static const struct cmd_option ps_options[] = {
    {"all", 'a', NULL, "show all containers (default: running ones)"},
    {"quiet", 'q', NULL, "show only container ids"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "do not shorten ids and commands"},
    {"noheading", OPT_NOHEADING, NULL, "print the table without its header line (podman)"},
    {"size", 's', NULL, "show what each container wrote (and its image's size)"},
    {"filter", 'f', "KEY=VALUE", "status=, name=, id=, label=, ancestor=, exited="},
    {"format", OPT_FORMAT, "FORMAT", "table, json, or a Go template"},
    {"last", 'n', "N", "show the N last created containers (all states)"},
    {"latest", 'l', NULL, "show the last created container (all states)"},
    {"sort", OPT_SORT, "FIELD",
     "command, created, id, image, names, runningfor, size or status (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_ps_info = {
    .name = "ps",
    .args = "[OPTIONS]",
    .summary = "List containers",
    .options = ps_options,
};

static const char *const ps_headers[][2] = {
    {"ID", "CONTAINER ID"}, {"RunningFor", "CREATED"}, {"CreatedAt", "CREATED AT"}, {NULL, NULL}};

static const char default_table[] = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}"
				    "\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}";

static const char *const filter_keys[] = {"status", "name", "id", "label", "ancestor", "exited"};

static long since(const char *rfc3339, time_t now)
{
	struct timespec ts;
	return humanize_parse_time(rfc3339, &ts) ? (long)(now - ts.tv_sec) : 0;
}

/* "Up 5 seconds", "Exited (0) 3 seconds ago", as docker words it. */
static char *status_text(const struct container *c, time_t now)
{
	const struct container_state *s = &c->state;
	switch (s->status) {
	case STATUS_RUNNING:
	case STATUS_PAUSED: {
		cleanup_free char *d = humanize_duration(since(s->started_at, now));
		return xasprintf("Up %s%s", d, s->status == STATUS_PAUSED ? " (Paused)" : "");
	}
	case STATUS_RESTARTING:
	case STATUS_EXITED: {
		if (!s->finished_at)
			return xasprintf("Exited (%d)", s->exit_code);
		cleanup_free char *d = humanize_duration(since(s->finished_at, now));
		return xasprintf("%s (%d) %s ago",
				 s->status == STATUS_EXITED ? "Exited" : "Restarting", s->exit_code,
				 d);
	}
	default:
		return xstrdup("Created");
	}
}

/* The command as docker shows it: quoted, cut to 20 characters unless --no-trunc. */
static char *command_text(const struct container *c, const struct image *img, bool no_trunc)
{
	const struct container_config *cfg = &c->config;
	char *const *ep = cfg->entrypoint_set ? cfg->entrypoint : img ? img->entrypoint : NULL;
	char *const *cmd = cfg->cmd ? cfg->cmd : !cfg->entrypoint_set && img ? img->cmd : NULL;
	cleanup_free char *all = xstrdup("");

	for (char *const *v = ep; v && *v; v++) {
		char *next = xasprintf("%s%s%s", all, *all ? " " : "", *v);
		free(all);
		all = next;
	}
	for (char *const *v = cmd; v && *v; v++) {
		char *next = xasprintf("%s%s%s", all, *all ? " " : "", *v);
		free(all);
		all = next;
	}
	if (!no_trunc && strlen(all) > 20)
		return xasprintf("\"%.19s…\"", all);
	return xasprintf("\"%s\"", all);
}

static unsigned long long tree_bytes;

static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		tree_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

/* What the container wrote: the blocks of its writable layer. */
static unsigned long long written_bytes(const struct container *c)
{
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	tree_bytes = 0;
	nftw(upper, add_bytes, 16, FTW_PHYS);
	return tree_bytes;
}

/* docker's -s: "12.3kB (virtual 2.91MB)", what the container wrote and that plus its
 * image. */
static char *size_text(const struct container *c, const struct image *img)
{
	unsigned long long own_bytes = written_bytes(c);
	unsigned long long virt = own_bytes + (img ? img->size : 0);
	cleanup_free char *own = humanize_size(own_bytes);
	cleanup_free char *all = humanize_size(virt);
	return xasprintf("%s (virtual %s)", own, all);
}

static json_object *row(const struct container *c, const struct image *img, bool no_trunc,
			bool size, time_t now)
{
	json_object *r = json_object_new_object();
	cleanup_free char *cmd = command_text(c, img, no_trunc);
	cleanup_free char *created = humanize_created_at(c->created);
	cleanup_free char *ago = humanize_duration(since(c->created, now));
	cleanup_free char *running_for = xasprintf("%s ago", ago);
	cleanup_free char *status = status_text(c, now);
	cleanup_free char *labels = labels_text(c->config.labels);
	cleanup_free char *id = no_trunc ? xstrdup(c->id) : xstrndup(c->id, 12);
	cleanup_free char *network = container_net_mode_name(c->config.network, &c->config.net);
	cleanup_free char *ports = netns_ports_text(c);

	json_add_string(r, "Command", cmd);
	json_add_string(r, "CreatedAt", created);
	json_add_string(r, "ID", id);
	json_add_string(r, "Image", c->image_name);
	json_add_string(r, "Labels", labels);
	json_add_string(r, "LocalVolumes", "0");
	json_add_string(r, "Mounts", "");
	json_add_string(r, "Names", c->name);
	json_add_string(r, "Networks", network);
	json_add_string(r, "Ports", ports);
	json_add_string(r, "RunningFor", running_for);
	cleanup_free char *sz = size ? size_text(c, img) : NULL;
	json_add_string(r, "Size", sz ? sz : "0B");
	json_add_string(r, "State", container_status_name(c->state.status));
	json_add_string(r, "Status", status);
	return r;
}

static bool regex_matches(const char *pattern, const char *s)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return strstr(s, pattern) != NULL;
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static bool ancestor_matches(const struct container *c, const struct image *anc)
{
	return anc && strcmp(c->image_id, anc->id) == 0;
}

static bool one_filter(const struct container *c, const char *key, const char *val,
		       const struct image *anc)
{
	if (strcmp(key, "status") == 0)
		return strcmp(container_status_name(c->state.status), val) == 0;
	if (strcmp(key, "name") == 0)
		return regex_matches(val, c->name);
	if (strcmp(key, "id") == 0)
		return strncmp(c->id, val, strlen(val)) == 0;
	if (strcmp(key, "label") == 0)
		return labels_match(c->config.labels, val);
	if (strcmp(key, "ancestor") == 0)
		return ancestor_matches(c, anc);
	return c->state.status == STATUS_EXITED && c->state.exit_code == atoi(val);
}

/* docker: filters on one key are alternatives, filters on different keys all apply. */
static bool filters_match(const struct container *c, char **filters, struct image **ancestors)
{
	for (size_t k = 0; k < sizeof filter_keys / sizeof *filter_keys; k++) {
		bool seen = false, any = false;
		for (size_t i = 0; filters && filters[i]; i++) {
			size_t klen = strcspn(filters[i], "=");
			if (strlen(filter_keys[k]) != klen ||
			    strncmp(filters[i], filter_keys[k], klen))
				continue;
			seen = true;
			any = any ||
			      one_filter(c, filter_keys[k], filters[i] + klen + 1, ancestors[i]);
		}
		if (seen && !any)
			return false;
	}
	return true;
}

static int check_filter(const char *f, struct holt_err *err)
{
	size_t klen = strcspn(f, "=");
	if (f[klen] == '=')
		for (size_t k = 0; k < sizeof filter_keys / sizeof *filter_keys; k++)
			if (strlen(filter_keys[k]) == klen && strncmp(f, filter_keys[k], klen) == 0)
				return 0;
	return holt_err_set(err, 0,
			    "--filter \"%s\": holt filters on status=, name=, id=, label=, "
			    "ancestor= and exited=",
			    f);
}

/* Containers mostly share a few images: each is read once. */
struct image_cache {
	struct image **imgs;
	size_t n;
};

static const struct image *image_cached(struct image_cache *c, struct store *s, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->imgs[i]->id, id) == 0)
			return c->imgs[i];
	struct holt_err e = {0};
	struct image *img = image_lookup(s, id, &e);
	holt_err_release(&e);
	if (img) {
		c->imgs = xrealloc(c->imgs, (c->n + 1) * sizeof *c->imgs);
		c->imgs[c->n++] = img;
	}
	return img;
}

static void image_cache_release(struct image_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		image_free(c->imgs[i]);
	free(c->imgs);
}

/* podman's --sort fields, in the order of sort_names */
enum ps_sort {
	SORT_COMMAND,
	SORT_CREATED,
	SORT_ID,
	SORT_IMAGE,
	SORT_NAMES,
	SORT_RUNNINGFOR,
	SORT_SIZE,
	SORT_STATUS
};
static const char *const sort_names[] = {"command",    "created", "id",	    "image", "names",
					 "runningfor", "size",	  "status", NULL};

struct ps_opts {
	bool all, quiet, no_trunc, noheading, size;
	int sort; /* enum ps_sort, or -1: newest first, unsorted */
	long last;
	const char *format;
	char **filters;
};

static int parse(int argc, char **argv, struct ps_opts *o, struct holt_err *err)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_ps_info)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_NO_TRUNC:
			o->no_trunc = true;
			break;
		case OPT_NOHEADING:
			o->noheading = true;
			break;
		case 's':
			o->size = true;
			break;
		case 'f':
			if (check_filter(optarg, err) < 0)
				return -1;
			strv_push(&o->filters, optarg);
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case 'n': {
			char *end;
			o->last = strtol(optarg, &end, 10);
			if (!*optarg || *end)
				return holt_err_set(err, 0, "--last \"%s\": not a number", optarg);
			break;
		}
		case 'l':
			o->last = 1;
			break;
		case OPT_SORT:
			o->sort = row_sort_field(sort_names, optarg);
			if (o->sort < 0)
				return holt_err_set(
				    err, 0,
				    "--sort \"%s\": not one of command, created, id, "
				    "image, names, runningfor, size, status",
				    optarg);
			break;
		}
	}
	if (optind < argc)
		return holt_err_set(err, 0, "ps: unexpected argument \"%s\"", argv[optind]);
	return 0;
}

/* The images ancestor= filters name, looked up once; NULL where a filter is another. */
static struct image **lookup_ancestors(struct store *s, char **filters)
{
	size_t n = strv_len(filters);
	struct image **imgs = xzalloc((n + 1) * sizeof *imgs);
	for (size_t i = 0; filters && filters[i]; i++)
		if (strncmp(filters[i], "ancestor=", 9) == 0) {
			struct holt_err e = {0};
			cleanup_free char *ref = pull_stored_name(s, filters[i] + 9);
			imgs[i] = image_lookup(s, ref, &e);
			holt_err_release(&e);
		}
	return imgs;
}

static void free_ancestors(struct image **imgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (imgs[i])
			image_free(imgs[i]);
	free(imgs);
}

/* The key of c's row r under --sort field: a string, or for size a number. */
static const char *sort_key(const struct container *c, json_object *r, int field)
{
	switch (field) {
	case SORT_COMMAND:
		return json_object_get_string(json_object_object_get(r, "Command"));
	case SORT_CREATED:
		return c->created;
	case SORT_ID:
		return c->id;
	case SORT_IMAGE:
		return c->image_name;
	case SORT_NAMES:
		return c->name;
	case SORT_RUNNINGFOR:
		return c->state.started_at;
	case SORT_STATUS:
		return json_object_get_string(json_object_object_get(r, "Status"));
	default:
		return NULL;
	}
}

/* Prints the rows kept for --sort, in its order: podman's newest first for created and
 * runningfor, smallest first for size, else alphabetical. */
static int print_sorted(struct row_sort *sorted, const struct ps_opts *o, struct output *out,
			struct holt_err *err)
{
	row_sort_run(sorted, o->sort == SORT_SIZE,
		     o->sort == SORT_CREATED || o->sort == SORT_RUNNINGFOR);
	for (size_t i = 0; i < sorted->n; i++) {
		const struct container *c = sorted->v[i].data;
		if (o->quiet)
			printf("%.*s\n", o->no_trunc ? 64 : 12, c->id);
		else if (output_row(out, sorted->v[i].row, err) < 0)
			return -1;
	}
	return 0;
}

int cmd_ps(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct ps_opts o = {.sort = -1};
	struct row_sort sorted = {0};
	struct holt_err err = {0};
	struct container **list = NULL;
	size_t n = 0;
	struct output *out = NULL;
	int ret = HOLT_EXIT_ERROR;
	struct image_cache cache = {0};

	if (parse(argc, argv, &o, &err) < 0 ||
	    (!o.quiet &&
	     !(out = output_new(o.size && (!o.format || !*o.format || !strcmp(o.format, "table"))
				    ? size_table
				    : o.format,
				default_table, ps_headers, &err))) ||
	    container_list(ctx->store, &list, &n, &err) < 0) {
		strv_free(o.filters);
		output_free(out);
		return cmd_fail(&err);
	}
	if (out && o.noheading)
		output_no_header(out);
	struct image **anc = lookup_ancestors(ctx->store, o.filters);
	time_t now = time(NULL);
	bool show_all = o.all || o.last > 0 || o.filters;
	for (size_t i = 0; i < n; i++) {
		const struct container *c = list[i];
		if (o.last > 0 && (long)i >= o.last)
			break;
		if ((!show_all && !container_is_running(c)) || !filters_match(c, o.filters, anc))
			continue;
		if (o.sort >= 0) {
			json_object *r = row(c, image_cached(&cache, ctx->store, c->image_id),
					     o.no_trunc, o.size, now);
			long long bytes = o.sort == SORT_SIZE ? (long long)written_bytes(c) : 0;
			row_sort_add(&sorted, r, sort_key(c, r, o.sort), bytes, c);
			continue;
		}
		if (o.quiet) {
			printf("%.*s\n", o.no_trunc ? 64 : 12, c->id);
			continue;
		}
		json_object *r =
		    row(c, image_cached(&cache, ctx->store, c->image_id), o.no_trunc, o.size, now);
		int rr = output_row(out, r, &err);
		json_object_put(r);
		if (rr < 0)
			goto done;
	}
	if (o.sort >= 0 && print_sorted(&sorted, &o, out, &err) < 0)
		goto done;
	ret = out && output_flush(out, &err) < 0 ? HOLT_EXIT_ERROR : 0;
done:
	row_sort_release(&sorted);
	if (err.msg)
		ret = cmd_fail(&err);
	free_ancestors(anc, strv_len(o.filters));
	strv_free(o.filters);
	output_free(out);
	container_list_free(list, n);
	image_cache_release(&cache);
	return ret;
}
