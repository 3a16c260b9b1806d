/* `holt volume COMMAND`: docker's volume group. create, ls and inspect are here; rm and
 * prune, which remove, are in cmd/volume_rm.c. */
#include "cmd/volume.h"
#include "cmd/cmd.h"
#include "cmd/labels.h"
#include "cmd/output.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container_volumes.h"
#include "storage/volume.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option volume_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_info = {
    .name = "volume",
    .args = "COMMAND [ARG...]",
    .summary = "Manage volumes (create, ls, inspect, rm, prune)",
    .options = volume_options,
    .stop_at_operand = true,
};

enum { OPT_LABEL = OPT_LONG_BASE, OPT_FORMAT, OPT_DRIVER, OPT_OPT };

static const struct cmd_option create_options[] = {
    {"label", OPT_LABEL, "KEY=VALUE", "set a label on the volume"},
    {"driver", 'd', "local", "the volume driver (only local)"},
    {"opt", 'o', "OPTION", "driver options (the local driver of holt takes none)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_create_info = {
    .name = "volume create",
    .args = "[OPTIONS] [VOLUME]",
    .summary = "Create a volume",
    .options = create_options,
};

static int volume_create_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_strv char **labels = NULL;
	int c;
	bool created;

	while ((c = cmd_getopt(argc, argv, &cmd_volume_create_info)) != -1) {
		if (c == OPT_LABEL) {
			if (!*optarg || *optarg == '=')
				return cmd_error("volume create: --label \"%s\": the key is empty",
						 optarg);
			strv_push(&labels, optarg);
		} else if (c == 'd' && strcmp(optarg, "local")) {
			return cmd_error("volume create: driver \"%s\": holt has only \"local\"",
					 optarg);
		} else if (c == 'o') {
			return cmd_error("volume create: --opt \"%s\": the local driver of holt "
					 "takes no options",
					 optarg);
		}
	}
	if (argc - optind > 1)
		return cmd_error("volume create: at most one name");
	const char *name = optind < argc ? argv[optind] : NULL;
	cleanup_volume struct volume *v = volume_create(ctx->store, name, labels, &created, &err);
	if (!v)
		return cmd_fail(&err);
	printf("%s\n", v->name);
	return 0;
}

/* docker's JSON for a volume, keys in its (sorted) order. */
static json_object *volume_json(const struct volume *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "CreatedAt", json_object_new_string(v->created));
	json_object_object_add(o, "Driver", json_object_new_string("local"));
	json_object_object_add(o, "Labels", json_labels_object(v->labels));
	json_object_object_add(o, "Mountpoint", json_object_new_string(v->mountpoint));
	json_object_object_add(o, "Name", json_object_new_string(v->name));
	json_object_object_add(o, "Options", json_object_new_object());
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	return o;
}

static json_object *find_volume(struct cmd_ctx *ctx, const char *name, const void *arg,
				struct holt_err *err)
{
	cleanup_volume struct volume *v = volume_lookup(ctx->store, name, err);
	return v ? volume_json(v) : NULL;
}

static const struct cmd_option inspect_options[] = {
    {"format", 'f', "FORMAT", "json, or a Go TEMPLATE per volume"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_inspect_info = {
    .name = "volume inspect",
    .args = "[OPTIONS] VOLUME...",
    .summary = "Show volumes in detail",
    .options = inspect_options,
};

static int volume_inspect_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_volume_inspect_info)) != -1)
		if (c == 'f')
			format = optarg;
	if (optind >= argc)
		return cmd_error("volume inspect: name at least one volume");
	return cmd_inspect_each(ctx, format, argv + optind, find_volume, NULL);
}

static const struct cmd_option ls_options[] = {
    {"quiet", 'q', NULL, "print the names only"},
    {"filter", 'f', "FILTER", "name=TEXT, label=KEY[=VALUE], dangling=true|false"},
    {"format", OPT_FORMAT, "FORMAT", "table, table TEMPLATE, json, or a Go TEMPLATE"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_volume_ls_info = {
    .name = "volume ls",
    .args = "[OPTIONS]",
    .summary = "List volumes",
    .options = ls_options,
};

/* Whether v passes every filter; dangling: not used by any container. */
static int matches(struct cmd_ctx *ctx, const struct volume *v, char *const *filters, bool *ok,
		   struct holt_err *err)
{
	*ok = true;
	for (size_t i = 0; filters && filters[i] && *ok; i++) {
		const char *f = filters[i];
		if (strncmp(f, "name=", 5) == 0) {
			*ok = strstr(v->name, f + 5) != NULL;
		} else if (strncmp(f, "label=", 6) == 0) {
			*ok = labels_match(v->labels, f + 6);
		} else if (strcmp(f, "dangling=true") == 0 || strcmp(f, "dangling=false") == 0) {
			cleanup_strv char **users = NULL;
			if (volume_users(ctx->store, v->name, &users, err) < 0)
				return -1;
			*ok = (users == NULL) == (f[9] == 't');
		} else {
			return holt_err_set(err, 0,
					    "volume ls: filter \"%s\": holt knows name=, label=, "
					    "dangling=true|false",
					    f);
		}
	}
	return 0;
}

static json_object *ls_row(const struct volume *v)
{
	json_object *o = json_object_new_object();
	cleanup_free char *labels = labels_text(v->labels);
	json_object_object_add(o, "Driver", json_object_new_string("local"));
	json_object_object_add(o, "Labels", json_object_new_string(labels));
	json_object_object_add(o, "Mountpoint", json_object_new_string(v->mountpoint));
	json_object_object_add(o, "Name", json_object_new_string(v->name));
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	return o;
}

static int volume_ls_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const char *const headers[][2] = {{"Name", "VOLUME NAME"}, {NULL, NULL}};
	static const char table[] = "table {{.Driver}}\t{{.Name}}";
	struct holt_err err = {0};
	cleanup_strv char **filters = NULL;
	const char *format = NULL;
	bool quiet = false;
	struct volume **list = NULL;
	size_t n = 0;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_volume_ls_info)) != -1)
		if (c == 'q')
			quiet = true;
		else if (c == 'f')
			strv_push(&filters, optarg);
		else if (c == OPT_FORMAT)
			format = optarg;
	if (optind < argc)
		return cmd_error("volume ls: unexpected argument \"%s\"", argv[optind]);
	if (quiet)
		format = "{{.Name}}";
	cleanup_output struct output *out = output_new(format, table, headers, &err);
	if (!out || volume_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n && ret == 0; i++) {
		bool ok;
		if (matches(ctx, list[i], filters, &ok, &err) < 0) {
			ret = cmd_fail(&err);
			break;
		}
		cleanup_json json_object *row = ok ? ls_row(list[i]) : NULL;
		if (row && output_row(out, row, &err) < 0)
			ret = cmd_fail(&err);
	}
	volume_list_free(list, n);
	if (ret == 0 && output_flush(out, &err) < 0)
		ret = cmd_fail(&err);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
} members[] = {
    {"create", volume_create_cmd}, {"inspect", volume_inspect_cmd},
    {"ls", volume_ls_cmd},	   {"list", volume_ls_cmd},
    {"rm", cmd_volume_rm},	   {"remove", cmd_volume_rm},
    {"prune", cmd_volume_prune},   {NULL, NULL},
};

int cmd_volume(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_volume_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("volume: name a command (create, ls, inspect, rm, prune)");
	for (size_t i = 0; members[i].name; i++)
		if (strcmp(members[i].name, argv[optind]) == 0) {
			int first = optind;
			optind = 0;
			return members[i].fn(argc - first, argv + first, ctx);
		}
	return cmd_error("volume: unknown command \"%s\"", argv[optind]);
}
