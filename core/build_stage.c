/* One stage: FROM, then each instruction in turn. Steps that only change the config are
 * kept in memory (with a history entry marked empty_layer) until a step makes a layer or
 * the stage ends, so a stage of twenty ENV lines writes one image, not twenty. */
#include "core/build_stage.h"
#include "core/base/json_file.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "core/instruction.h"
#include "core/spec.h"
#include "storage/image_commit.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
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

static char **words_of(const struct build_stage *st, const struct dockerfile_instruction *in,
		       struct holt_err *err)
{
	cleanup_strv char **vars = build_stage_vars(st);
	return dockerfile_words(in->args, vars, st->b->df->escape, err);
}

/* ENV and LABEL: KEY=VALUE words, or the old KEY VALUE... form. */
static char **pairs_of(const struct build_stage *st, const struct dockerfile_instruction *in,
		       struct holt_err *err)
{
	cleanup_strv char **words = words_of(st, in, err);
	if (!words)
		return NULL;
	if (!words[0])
		return holt_err_set(err, 0, "needs KEY=VALUE"), NULL;
	if (strchr(words[0], '=')) {
		for (char **w = words; *w; w++)
			if (!strchr(*w, '=') || **w == '=')
				return holt_err_set(err, 0, "\"%s\" is not KEY=VALUE", *w), NULL;
		return steal_pointer(&words);
	}
	if (!words[1])
		return holt_err_set(err, 0, "\"%s\" needs a value", words[0]), NULL;
	cleanup_free char *value = xstrdup(words[1]);
	for (char **w = words + 2; *w; w++) {
		char *next = xasprintf("%s %s", value, *w);
		free(value);
		value = next;
	}
	char **pair = NULL;
	cleanup_free char *kv = xasprintf("%s=%s", words[0], value);
	strv_push(&pair, kv);
	return pair;
}

static int do_env(struct build_stage *st, const struct dockerfile_instruction *in,
		  struct holt_err *err)
{
	cleanup_strv char **pairs = pairs_of(st, in, err);
	if (!pairs)
		return -1;
	cleanup_strv char **env = json_get_strv(st->config, "Env");
	for (char **p = pairs; *p; p++)
		spec_env_set(&env, *p);
	json_add_strv(st->config, "Env", env);
	return 0;
}

static json_object *object_at(json_object *config, const char *key)
{
	json_object *o;
	if (json_object_object_get_ex(config, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(config, key, o);
	return o;
}

static void set_labels(json_object *config, char *const *pairs)
{
	json_object *labels = object_at(config, "Labels");
	for (char *const *p = pairs; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		cleanup_free char *k = xstrndup(*p, eq ? (size_t)(eq - *p) : strlen(*p));
		json_object_object_add(labels, k, json_object_new_string(eq ? eq + 1 : ""));
	}
}

static int do_label(struct build_stage *st, const struct dockerfile_instruction *in,
		    struct holt_err *err)
{
	cleanup_strv char **pairs = pairs_of(st, in, err);
	if (!pairs)
		return -1;
	set_labels(st->config, pairs);
	return 0;
}

/* The value of key in a KEY=VALUE list, or NULL. */
static const char *value_in(char *const *list, const char *key)
{
	return spec_env_get(list, key);
}

static int do_arg(struct build_stage *st, const struct dockerfile_instruction *in,
		  struct holt_err *err)
{
	cleanup_strv char **words = words_of(st, in, err);
	if (!words)
		return -1;
	if (!words[0])
		return holt_err_set(err, 0, "needs a name");
	for (char **w = words; *w; w++) {
		char *eq = strchr(*w, '=');
		cleanup_free char *name = xstrndup(*w, eq ? (size_t)(eq - *w) : strlen(*w));
		const char *v = value_in(st->b->o->build_args, name);
		if (!v)
			v = eq ? eq + 1 : value_in(st->b->meta_args, name);
		if (!v)
			continue;
		cleanup_free char *kv = xasprintf("%s=%s", name, v);
		spec_env_set(&st->args, kv);
	}
	return 0;
}

/* CMD and ENTRYPOINT: the exec form, else SHELL with the line, not expanded (docker). */
static char **command_of(const struct build_stage *st, const struct dockerfile_instruction *in)
{
	if (in->json)
		return strv_dup(in->json) ?: xzalloc(sizeof(char *));
	char **argv = strv_dup(st->shell);
	strv_push(&argv, in->args);
	return argv;
}

static int do_cmd(struct build_stage *st, const struct dockerfile_instruction *in,
		  struct holt_err *err)
{
	cleanup_strv char **argv = command_of(st, in);
	json_add_strv(st->config, "Cmd", argv);
	st->cmd_set = true;
	return 0;
}

static int do_entrypoint(struct build_stage *st, const struct dockerfile_instruction *in,
			 struct holt_err *err)
{
	cleanup_strv char **argv = command_of(st, in);
	json_add_strv(st->config, "Entrypoint", argv);
	/* the base's Cmd was meant as arguments to another entrypoint */
	if (!st->cmd_set)
		json_object_object_del(st->config, "Cmd");
	return 0;
}

/* EXPOSE, STOPSIGNAL, USER, WORKDIR: expanded, then applied as commit --change is. */
static int do_change(struct build_stage *st, const struct dockerfile_instruction *in,
		     struct holt_err *err)
{
	cleanup_strv char **words = words_of(st, in, err);
	if (!words)
		return -1;
	if (!words[0])
		return holt_err_set(err, 0, "needs an argument");
	cleanup_free char *line = xstrdup(in->keyword);
	for (char **w = words; *w; w++) {
		char *next = xasprintf("%s %s", line, *w);
		free(line);
		line = next;
	}
	char *change[] = {line, NULL};
	return instructions_apply(st->config, change, err);
}

static int do_volume(struct build_stage *st, const struct dockerfile_instruction *in,
		     struct holt_err *err)
{
	cleanup_strv char **words = in->json ? strv_dup(in->json) : words_of(st, in, err);
	if (!words)
		return -1;
	json_object *volumes = object_at(st->config, "Volumes");
	for (char **w = words; *w; w++)
		json_object_object_add(volumes, *w, json_object_new_object());
	return 0;
}

static int do_shell(struct build_stage *st, const struct dockerfile_instruction *in,
		    struct holt_err *err)
{
	if (!in->json || !in->json[0])
		return holt_err_set(err, 0,
				    "SHELL takes a JSON array: SHELL [\"/bin/sh\", \"-c\"]");
	strv_free(st->shell);
	st->shell = strv_dup(in->json);
	json_add_strv(st->config, "Shell", in->json);
	return 0;
}

/* A Go duration as HEALTHCHECK takes it ("30s", "1m30s", "500ms"), in nanoseconds. */
static int parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"ms", 1000000},	     {"us", 1000},	   {"ns", 1},
		     {"h", 3600000000000LL}, {"m", 60000000000LL}, {"s", 1000000000LL}};
	*ns = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t i;
		if (end == s)
			return -1;
		for (i = 0; i < sizeof units / sizeof *units; i++)
			if (!strncmp(end, units[i].unit, strlen(units[i].unit)))
				break;
		if (i == sizeof units / sizeof *units)
			return v == 0 && !*end ? 0 : -1;
		*ns += (int64_t)(v * (double)units[i].ns);
		s = end + strlen(units[i].unit);
	}
	return 0;
}

static int health_flag(json_object *hc, const char *flag, struct holt_err *err)
{
	static const char *const names[][2] = {{"--interval=", "Interval"},
					       {"--timeout=", "Timeout"},
					       {"--start-period=", "StartPeriod"},
					       {"--start-interval=", "StartInterval"}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t len = strlen(names[i][0]);
		if (strncmp(flag, names[i][0], len))
			continue;
		int64_t ns;
		if (parse_duration(flag + len, &ns) < 0)
			return holt_err_set(err, 0, "%s: not a duration", flag);
		json_object_object_add(hc, names[i][1], json_object_new_int64(ns));
		return 0;
	}
	if (!strncmp(flag, "--retries=", 10)) {
		char *end;
		long n = strtol(flag + 10, &end, 10);
		if (*end || n < 0)
			return holt_err_set(err, 0, "%s: not a count", flag);
		json_object_object_add(hc, "Retries", json_object_new_int((int)n));
		return 0;
	}
	return holt_err_set(err, 0, "unknown flag \"%s\"", flag);
}

static int do_healthcheck(struct build_stage *st, const struct dockerfile_instruction *in,
			  struct holt_err *err)
{
	const char *args = in->args + strspn(in->args, " \t");
	json_object *hc = json_object_new_object();
	json_object *test = json_object_new_array();

	json_object_object_add(st->config, "Healthcheck", hc);
	json_object_object_add(hc, "Test", test);
	if (!strcasecmp(args, "NONE")) {
		json_object_array_add(test, json_object_new_string("NONE"));
		return 0;
	}
	if (strncasecmp(args, "CMD", 3) || !isspace((unsigned char)args[3]))
		return holt_err_set(err, 0, "HEALTHCHECK takes CMD COMMAND or NONE");
	for (char **f = in->flags; f && *f; f++)
		if (health_flag(hc, *f, err) < 0)
			return -1;
	const char *cmd = args + 4 + strspn(args + 4, " \t");
	cleanup_json json_object *exec = cmd[0] == '[' ? json_tokener_parse(cmd) : NULL;
	if (exec && json_object_is_type(exec, json_type_array)) {
		json_object_array_add(test, json_object_new_string("CMD"));
		for (size_t i = 0; i < json_object_array_length(exec); i++)
			json_object_array_add(test,
					      json_object_get(json_object_array_get_idx(exec, i)));
		return 0;
	}
	json_object_array_add(test, json_object_new_string("CMD-SHELL"));
	json_object_array_add(test, json_object_new_string(cmd));
	return 0;
}

static int do_onbuild(struct build_stage *st, const struct dockerfile_instruction *in,
		      struct holt_err *err)
{
	json_object *a;
	const char *args = in->args + strspn(in->args, " \t");
	if (!strncasecmp(args, "ONBUILD", 7) || !strncasecmp(args, "FROM", 4))
		return holt_err_set(err, 0, "ONBUILD cannot trigger ONBUILD or FROM");
	if (!json_object_object_get_ex(st->config, "OnBuild", &a) ||
	    !json_object_is_type(a, json_type_array)) {
		a = json_object_new_array();
		json_object_object_add(st->config, "OnBuild", a);
	}
	json_object_array_add(a, json_object_new_string(args));
	return 0;
}

static int do_maintainer(struct build_stage *st, const struct dockerfile_instruction *in,
			 struct holt_err *err)
{
	free(st->author);
	st->author = xstrdup(in->args + strspn(in->args, " \t"));
	return 0;
}

static const struct {
	const char *keyword;
	int (*apply)(struct build_stage *st, const struct dockerfile_instruction *in,
		     struct holt_err *err);
} config_steps[] = {
    {"ENV", do_env},
    {"LABEL", do_label},
    {"ARG", do_arg},
    {"CMD", do_cmd},
    {"ENTRYPOINT", do_entrypoint},
    {"EXPOSE", do_change},
    {"STOPSIGNAL", do_change},
    {"USER", do_change},
    {"VOLUME", do_volume},
    {"SHELL", do_shell},
    {"HEALTHCHECK", do_healthcheck},
    {"ONBUILD", do_onbuild},
    {"MAINTAINER", do_maintainer},
};

static int do_workdir(struct build_stage *st, const struct dockerfile_instruction *in,
		      struct holt_err *err)
{
	if (do_change(st, in, err) < 0)
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
	for (size_t i = 0; i < sizeof config_steps / sizeof *config_steps; i++)
		if (!strcmp(k, config_steps[i].keyword)) {
			if (config_steps[i].apply(st, in, err) < 0)
				return -1;
			note_step(st, in);
			return 0;
		}
	return holt_err_set(err, 0, "holt cannot build %s", k);
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
		set_labels(st->config, labels);
		cleanup_free char *what =
		    xasprintf("--label %s", json_text(object_at(st->config, "Labels")));
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
