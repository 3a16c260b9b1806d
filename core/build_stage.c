/* One stage: FROM, then each instruction in turn. Steps that only change the config are
 * kept in memory (with a history entry marked empty_layer) until a step makes a layer or
 * the stage ends, so a stage of twenty ENV lines writes one image, not twenty. */
#include "core/build_stage.h"
#include "core/base/json_file.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "core/instruction.h"
#include "storage/image_commit.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

char **build_stage_vars(const struct build_stage *st)
{
	char **vars = strv_dup(st->args);
	cleanup_strv char **env = json_get_strv(st->config, "Env");
	for (char **e = env; e && *e; e++)
		strv_push(&vars, *e);
	if (!vars)
		vars = xzalloc(sizeof *vars);
	return vars;
}

void build_stage_note(struct build_stage *st, const char *created_by)
{
	cleanup_free char *now = util_now_rfc3339();
	json_object *h = json_object_new_object();
	json_add_string(h, "created", now);
	json_add_string(h, "created_by", created_by);
	json_add_string(h, "author", st->author);
	json_object_object_add(h, "empty_layer", json_object_new_boolean(1));
	json_object_array_add(st->history, h);
}

int build_stage_set_image(struct build_stage *st, const char *id, struct holt_err *err)
{
	struct image *img = image_lookup(st->b->s, id, err);
	if (!img)
		return -1;
	if (st->image)
		image_free(st->image);
	st->image = img;
	free(st->image_id);
	st->image_id = xstrdup(img->id);
	json_object_put(st->history);
	st->history = json_object_new_array();
	return 0;
}

int build_stage_cached(struct build_stage *st, const char *key, struct holt_err *err)
{
	if (st->b->o->no_cache)
		return 0;
	cleanup_free char *hit = build_cache_get(st->b->s, key);
	if (!hit)
		return 0;
	build_say(st->b, "--> Using cache %s", hit);
	if (build_stage_set_image(st, hit, err) < 0)
		return -1;
	memcpy(st->key, key, DIGEST_STR_SIZE);
	return 1;
}

int build_stage_commit(struct build_stage *st, const char *key, const char *created_by,
		       int (*write_layer)(void *ctx, int fd, struct holt_err *err), void *ctx,
		       struct holt_err *err)
{
	struct image_commit_request req = {
	    .base_id = st->image_id,
	    .config = st->config,
	    .created_by = created_by,
	    .author = st->author,
	    .history = st->history,
	    .write_layer = write_layer,
	    .ctx = ctx,
	};
	cleanup_free char *id = image_commit(st->b->s, &req, err);
	if (!id || build_cache_put(st->b->s, key, id, err) < 0 ||
	    build_stage_set_image(st, id, err) < 0)
		return -1;
	memcpy(st->key, key, DIGEST_STR_SIZE);
	build_say(st->b, "--> %.12s", id);
	return 0;
}

/* What a step that changes only the config adds to the cache key: its text, and the
 * ARGs it could have expanded. */
static void note_step(struct build_stage *st, const struct dockerfile_instruction *in)
{
	cleanup_strv char **args = strv_dup(st->args);
	cleanup_free char *what = xstrdup(in->text);
	strv_sort(args);
	for (char **a = args; a && *a; a++) {
		char *next = xasprintf("%s\n%s", what, *a);
		free(what);
		what = next;
	}
	build_key(st->key, st->key, what);
	build_stage_note(st, in->text);
}

static int do_workdir(struct build_stage *st, const struct dockerfile_instruction *in,
		      struct holt_err *err)
{
	if (build_config_change(st, in, err) < 0)
		return -1;
	cleanup_free char *dir = json_get_string(st->config, "WorkingDir");
	return build_workdir(st, dir, in->text, err);
}

static int step(struct build_stage *st, const struct dockerfile_instruction *in,
		struct holt_err *err)
{
	const char *k = in->keyword;
	if (!strcmp(k, "RUN"))
		return build_run(st, in, err);
	if (!strcmp(k, "COPY") || !strcmp(k, "ADD"))
		return build_copy(st, in, !strcmp(k, "ADD"), err);
	if (!strcmp(k, "WORKDIR"))
		return do_workdir(st, in, err);
	int ret = build_config(st, in, err);
	if (ret == 0)
		note_step(st, in);
	if (ret > 0)
		return holt_err_set(err, 0, "holt cannot build %s", k);
	return ret < 0 ? -1 : 0;
}

static int run_step(struct build_stage *st, const struct dockerfile_instruction *in,
		    const char *file, struct holt_err *err)
{
	if (st->b->o->cancel && *st->b->o->cancel)
		return holt_err_set_code(err, EINTR, "interrupted");
	if (step(st, in, err) == 0)
		return 0;
	return holt_err_wrap(err, "%s:%d: %s", file, in->line, in->text);
}

/* The base image's ONBUILD triggers run first, then go (docker keeps none). */
static int onbuild_triggers(struct build_stage *st, struct holt_err *err)
{
	cleanup_strv char **triggers = json_get_strv(st->config, "OnBuild");
	json_object_object_del(st->config, "OnBuild");
	for (char **t = triggers; t && *t; t++) {
		cleanup_free char *text = xasprintf("FROM scratch\n%s\n", *t);
		struct dockerfile *df = dockerfile_parse(text, strlen(text), "ONBUILD", err);
		if (!df)
			return -1;
		build_say(st->b, "ONBUILD %s", *t);
		int ret = 0;
		for (size_t i = 0; ret == 0 && i < df->stages[0].n_instructions; i++)
			ret = run_step(st, &df->stages[0].instructions[i], "ONBUILD", err);
		dockerfile_free(df);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int check_platform(struct build_stage *st, char *const *vars, struct holt_err *err)
{
	for (char **f = st->df->from.flags; f && *f; f++) {
		if (strncmp(*f, "--platform=", 11))
			return holt_err_set(err, 0, "FROM: unknown flag \"%s\"", *f);
		cleanup_free char *p = dockerfile_expand(*f + 11, vars, st->b->df->escape, err);
		if (!p)
			return -1;
		const char *variant = platform_variant();
		cleanup_free char *host = xasprintf("%s/%s", platform_os(), platform_arch());
		cleanup_free char *full = xasprintf("%s/%s", host, variant ? variant : "");
		if (strcmp(p, host) && strcmp(p, full))
			return holt_err_set(err, 0,
					    "FROM --platform=%s: holt builds for this machine's "
					    "platform only (%s)",
					    p, host);
	}
	return 0;
}

static int stage_from(struct build_stage *st, struct holt_err *err)
{
	struct build *b = st->b;
	cleanup_free char *base = dockerfile_expand(st->df->base, b->meta_args, b->df->escape, err);
	char *default_shell[] = {"/bin/sh", "-c", NULL};

	st->shell = strv_dup(default_shell);
	st->history = json_object_new_array();
	if (!base || check_platform(st, b->meta_args, err) < 0)
		return -1;
	long n = dockerfile_stage_index(b->df, base);
	if (!strcasecmp(base, "scratch")) {
		st->config = json_object_new_object();
		build_key(st->key, "", "FROM scratch");
		return 0;
	}
	if (n >= 0 && (size_t)n < st->n) {
		if (build_stage_set_image(st, b->stage_ids[n], err) < 0)
			return -1;
	} else {
		cleanup_image struct image *img = b->o->image(b->o->ctx, base, b->o->pull, err);
		if (!img || build_stage_set_image(st, img->id, err) < 0)
			return -1;
	}
	st->config = image_runtime_config(b->s, st->image_id, err);
	if (!st->config)
		return -1;
	cleanup_strv char **shell = json_get_strv(st->config, "Shell");
	if (shell && shell[0]) {
		strv_free(st->shell);
		st->shell = steal_pointer(&shell);
	}
	st->base_id = xstrdup(st->image_id);
	st->base_layers = st->image->n_layers;
	cleanup_free char *what = xasprintf("FROM %s", st->image_id);
	build_key(st->key, "", what);
	return onbuild_triggers(st, err);
}

/* The end of the stage: an image for the steps since the last layer, and --label on the
 * target. */
static int stage_finish(struct build_stage *st, bool target, struct holt_err *err)
{
	char *const *labels = target ? st->b->o->labels : NULL;
	if (labels) {
		instruction_labels_set(st->config, labels);
		cleanup_free char *what = xasprintf(
		    "--label %s", json_text(json_object_object_get(st->config, "Labels")));
		build_key(st->key, st->key, what);
	}
	if (!st->image_id || json_object_array_length(st->history) || labels) {
		char key[DIGEST_STR_SIZE];
		memcpy(key, st->key, sizeof key);
		int cached = build_stage_cached(st, key, err);
		if (cached < 0 ||
		    (cached == 0 && build_stage_commit(st, key, NULL, NULL, NULL, err) < 0))
			return -1;
	}
	if (target && st->b->o->squash)
		return build_squash(st, st->base_id, st->base_layers, err);
	return 0;
}

static void stage_release(struct build_stage *st)
{
	free(st->base_id);
	free(st->image_id);
	if (st->image)
		image_free(st->image);
	if (st->config)
		json_object_put(st->config);
	if (st->history)
		json_object_put(st->history);
	strv_free(st->args);
	strv_free(st->shell);
	free(st->author);
}

int build_stage(struct build *b, size_t n, struct holt_err *err)
{
	const struct dockerfile_stage *df = &b->df->stages[n];
	struct build_stage st = {.b = b, .n = n, .df = df};
	const char *file = b->o->dockerfile_name;
	bool target = n == b->target;
	int ret;

	build_say(b, "STEP %zu/%zu: %s", ++b->step, b->n_steps, df->from.text);
	ret = stage_from(&st, err);
	if (ret < 0)
		holt_err_wrap(err, "%s:%d: %s", file, df->from.line, df->from.text);
	for (size_t i = 0; ret == 0 && i < df->n_instructions; i++) {
		build_say(b, "STEP %zu/%zu: %s", ++b->step, b->n_steps, df->instructions[i].text);
		ret = run_step(&st, &df->instructions[i], file, err);
	}
	if (ret == 0)
		ret = stage_finish(&st, target, err);
	if (ret == 0)
		b->stage_ids[n] = xstrdup(st.image_id);
	stage_release(&st);
	return ret;
}
