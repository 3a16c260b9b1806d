/* The commit's runtime config, from the image's, the container's and --change; the
 * layer, packed from the container's changes while the store unpacks it. */
#include "core/container_commit.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container_changes.h"
#include "core/instruction.h"
#include "core/spec.h"
#include "storage/image.h"
#include "storage/image_commit.h"
#include "storage/layer_pack.h"

#include <string.h>

/* What the user gave the container, over the image's config: docker keeps it. */
static void apply_container_config(json_object *config, const struct container_config *cfg)
{
	if (cfg->cmd)
		json_add_strv(config, "Cmd", cfg->cmd);
	if (cfg->entrypoint_set) {
		if (cfg->entrypoint && cfg->entrypoint[0] && cfg->entrypoint[0][0])
			json_add_strv(config, "Entrypoint", cfg->entrypoint);
		else
			json_object_object_del(config, "Entrypoint");
		/* as spec_build: --entrypoint drops the image's Cmd */
		if (!cfg->cmd)
			json_object_object_del(config, "Cmd");
	}
	if (cfg->env) {
		cleanup_strv char **env = json_get_strv(config, "Env");
		for (char **e = cfg->env; *e; e++)
			spec_env_set(&env, *e);
		json_add_strv(config, "Env", env);
	}
	json_add_string(config, "WorkingDir", cfg->workdir);
	json_add_string(config, "User", cfg->user);
	json_add_string(config, "StopSignal", cfg->stop_signal);
	if (cfg->labels) {
		json_object *labels;
		if (!json_object_object_get_ex(config, "Labels", &labels) ||
		    !json_object_is_type(labels, json_type_object)) {
			labels = json_object_new_object();
			json_object_object_add(config, "Labels", labels);
		}
		for (char **l = cfg->labels; *l; l++) {
			const char *eq = strchr(*l, '=');
			cleanup_free char *key = xstrndup(*l, eq ? (size_t)(eq - *l) : strlen(*l));
			json_object_object_add(labels, key,
					       json_object_new_string(eq ? eq + 1 : ""));
		}
	}
}

/* The history's created_by: the command the container ran. */
static char *command_line(const struct container *c, const struct image *img)
{
	struct process_spec spec;
	struct holt_err ignored = {0};
	char *line = xstrdup("");

	if (spec_build(&c->config, img, &spec, &ignored) < 0) {
		holt_err_release(&ignored);
		return line;
	}
	for (char **a = spec.argv; *a; a++) {
		char *next = xasprintf("%s%s%s", line, a == spec.argv ? "" : " ", *a);
		free(line);
		line = next;
	}
	spec_release(&spec);
	return line;
}

struct pack_ctx {
	const struct changes *changes;
	const char *top;
};

static int write_layer(void *ctx, int fd, struct holt_err *err)
{
	const struct pack_ctx *p = ctx;
	return layer_pack(p->changes, p->top, fd, err);
}

char *container_commit(struct store *s, const struct container *c,
		       const struct container_commit_opts *o, struct holt_err *err)
{
	cleanup_image struct image *img = image_lookup(s, c->image_id, err);
	if (!img)
		return holt_err_wrap(err, "container \"%s\": its image", c->name), NULL;
	cleanup_json json_object *config = image_runtime_config(s, img->id, err);
	if (!config)
		return NULL;
	apply_container_config(config, &c->config);
	if (instructions_apply(config, o->instructions, err) < 0)
		return NULL;

	struct changes changes = {0};
	cleanup_free char *top = NULL;
	struct id_shift shift;
	if (container_changes(c, img, &shift, &changes, &top, err) < 0)
		return NULL;
	cleanup_free char *created_by = command_line(c, img);
	struct pack_ctx ctx = {&changes, top};
	struct image_commit_request req = {
	    .base_id = img->id,
	    .name = o->name,
	    .config = config,
	    .created_by = created_by,
	    .comment = o->message,
	    .author = o->author,
	    .write_layer = write_layer,
	    .ctx = &ctx,
	};
	char *id = image_commit(s, &req, err);
	if (!id)
		holt_err_wrap(err, "commit \"%s\"", c->name);
	changes_release(&changes);
	return id;
}
