/* The steps that change only the image's config: ENV, LABEL, ARG, CMD, ENTRYPOINT,
 * EXPOSE, STOPSIGNAL, USER, VOLUME, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER, as docker's
 * builder applies them; EXPOSE, STOPSIGNAL and USER (and WORKDIR's path) through commit
 * --change's code, after expansion. */
#include "core/base/util.h"
#include "core/build_stage.h"
#include "core/instruction.h"
#include "core/spec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	instruction_env_set(st->config, pairs);
	return 0;
}

static int do_label(struct build_stage *st, const struct dockerfile_instruction *in,
		    struct holt_err *err)
{
	cleanup_strv char **pairs = pairs_of(st, in, err);
	if (!pairs)
		return -1;
	instruction_labels_set(st->config, pairs);
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
		if (!strv_contains(st->b->used_args, name))
			strv_push(&st->b->used_args, name);
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
int build_config_change(struct build_stage *st, const struct dockerfile_instruction *in,
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
	json_object *volumes = json_object_at(st->config, "Volumes");
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
    {"EXPOSE", build_config_change},
    {"STOPSIGNAL", build_config_change},
    {"USER", build_config_change},
    {"VOLUME", do_volume},
    {"SHELL", do_shell},
    {"HEALTHCHECK", do_healthcheck},
    {"ONBUILD", do_onbuild},
    {"MAINTAINER", do_maintainer},
};

int build_config(struct build_stage *st, const struct dockerfile_instruction *in,
		 struct holt_err *err)
{
	for (size_t i = 0; i < sizeof config_steps / sizeof *config_steps; i++)
		if (!strcmp(in->keyword, config_steps[i].keyword))
			return config_steps[i].apply(st, in, err) < 0 ? -1 : 0;
	return 1;
}
