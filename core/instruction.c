/* Dockerfile instructions read as docker's builder reads them for `commit --change`:
 * the line read by the Dockerfile parser, its words expanded with the config's Env as
 * the builder's dispatchers expand them. */
#include "core/instruction.h"
#include "core/base/util.h"
#include "core/dockerfile.h"
#include "core/dockerfile_line.h"
#include "core/signals.h"
#include "core/spec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct apply {
	json_object *config;
	const char *text;		   /* the whole instruction, for messages */
	struct dockerfile_instruction ins; /* as the parser read it */
	const char *args;		   /* ins.args */
	bool cmd_set;
};

static __attribute__((format(printf, 3, 4))) int invalid(const struct apply *a,
							 struct holt_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *why = xvasprintf(fmt, ap);
	va_end(ap);
	return holt_err_set(err, 0, "change \"%s\": %s", a->text, why);
}

/* The exec form as written, else the shell form run by /bin/sh -c. */
static char **command_of(const struct apply *a)
{
	char **v = NULL;

	if (a->ins.json)
		return strv_dup(a->ins.json);
	strv_push(&v, "/bin/sh");
	strv_push(&v, "-c");
	strv_push(&v, a->args);
	return v;
}

/* word expanded with the config's Env, as the builder expands it. */
static char *expand(const struct apply *a, const char *word, struct holt_err *err)
{
	cleanup_strv char **env = json_get_strv(a->config, "Env");
	char *s = dockerfile_expand(word, env, '\\', err);
	if (!s)
		holt_err_wrap(err, "change \"%s\"", a->text);
	return s;
}

/* KEY=VALUE words, or the old form KEY VALUE (the rest of the line): "KEY=VALUE"s,
 * each side expanded. */
static char **parse_pairs(const struct apply *a, struct holt_err *err)
{
	cleanup_strv char **words = dockerfile_raw_words(a->args, '\\');
	cleanup_strv char **pairs = NULL;

	if (!strchr(words[0], '=')) {
		size_t key_len = strcspn(a->args, " \t");
		const char *rest = a->args + key_len + strspn(a->args + key_len, " \t");
		if (!*rest)
			return invalid(a, err, "\"%s\" needs a value", words[0]), NULL;
		cleanup_free char *raw_key = xstrndup(a->args, key_len);
		cleanup_free char *key = expand(a, raw_key, err);
		cleanup_free char *value = key ? expand(a, rest, err) : NULL;
		if (!value)
			return NULL;
		cleanup_free char *kv = xasprintf("%s=%s", key, value);
		strv_push(&pairs, kv);
		return steal_pointer(&pairs);
	}
	for (char **w = words; *w; w++) {
		char *eq = strchr(*w, '=');
		if (!eq || eq == *w)
			return invalid(a, err, "\"%s\" is not KEY=VALUE", *w), NULL;
		*eq = '\0';
		cleanup_free char *key = expand(a, *w, err);
		cleanup_free char *value = key ? expand(a, eq + 1, err) : NULL;
		if (!value)
			return NULL;
		if (!*key)
			return invalid(a, err, "\"%s=%s\" is not KEY=VALUE", *w, eq + 1), NULL;
		cleanup_free char *kv = xasprintf("%s=%s", key, value);
		strv_push(&pairs, kv);
	}
	return steal_pointer(&pairs);
}

static int apply_cmd(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **argv = command_of(a);
	json_add_strv(a->config, "Cmd", argv);
	a->cmd_set = true;
	return 0;
}

static int apply_entrypoint(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **argv = command_of(a);
	json_add_strv(a->config, "Entrypoint", argv);
	/* The base's Cmd was meant as arguments to another entrypoint. */
	if (!a->cmd_set)
		json_object_object_del(a->config, "Cmd");
	return 0;
}

void instruction_env_set(json_object *config, char *const *pairs)
{
	cleanup_strv char **env = json_get_strv(config, "Env");
	for (char *const *p = pairs; p && *p; p++)
		spec_env_set(&env, *p);
	json_add_strv(config, "Env", env);
}

static int apply_env(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **pairs = parse_pairs(a, err);
	if (!pairs)
		return -1;
	instruction_env_set(a->config, pairs);
	return 0;
}

void instruction_labels_set(json_object *config, char *const *pairs)
{
	json_object *labels = json_object_at(config, "Labels");
	for (char *const *p = pairs; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		cleanup_free char *k = xstrndup(*p, eq ? (size_t)(eq - *p) : strlen(*p));
		json_object_object_add(labels, k, json_object_new_string(eq ? eq + 1 : ""));
	}
}

static int apply_label(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **pairs = parse_pairs(a, err);
	if (!pairs)
		return -1;
	instruction_labels_set(a->config, pairs);
	return 0;
}

static bool parse_port(const char *s, char **end, long *port)
{
	if (!isdigit((unsigned char)*s))
		return false;
	*port = strtol(s, end, 10);
	return *port >= 1 && *port <= 65535;
}

/* PORT[-PORT][/PROTO], as docker's ExposedPorts keys ("80/tcp"). */
static int expose_one(struct apply *a, json_object *ports, const char *spec, struct holt_err *err)
{
	const char *slash = strchr(spec, '/');
	cleanup_free char *proto = xstrdup(slash ? slash + 1 : "tcp");
	char *end;
	long lo = 0, hi = 0;

	for (char *p = proto; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bool ok = parse_port(spec, &end, &lo);
	hi = lo;
	if (ok && *end == '-')
		ok = parse_port(end + 1, &end, &hi) && hi >= lo;
	if (!ok || end != (slash ? slash : spec + strlen(spec)) ||
	    (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")))
		return invalid(a, err, "\"%s\" is not PORT[-PORT][/tcp|udp|sctp]", spec);
	for (long p = lo; p <= hi; p++) {
		cleanup_free char *key = xasprintf("%ld/%s", p, proto);
		json_object_object_add(ports, key, json_object_new_object());
	}
	return 0;
}

static int apply_expose(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **env = json_get_strv(a->config, "Env");
	cleanup_strv char **words = dockerfile_fields(a->args, env, '\\', err);
	if (!words)
		return holt_err_wrap(err, "change \"%s\"", a->text);
	json_object *ports = json_object_at(a->config, "ExposedPorts");
	for (char **w = words; *w; w++)
		if (expose_one(a, ports, *w, err) < 0)
			return -1;
	return 0;
}

static int apply_stopsignal(struct apply *a, struct holt_err *err)
{
	cleanup_free char *sig = expand(a, a->args, err);
	if (!sig)
		return -1;
	if (signals_parse(sig) < 0)
		return invalid(a, err, "\"%s\" is not a signal", sig);
	json_object_object_add(a->config, "StopSignal", json_object_new_string(sig));
	return 0;
}

static int apply_user(struct apply *a, struct holt_err *err)
{
	cleanup_free char *user = expand(a, a->args, err);
	if (!user)
		return -1;
	json_object_object_add(a->config, "User", json_object_new_string(user));
	return 0;
}

/* A relative WORKDIR is taken from the one before, as in a Dockerfile. */
static int apply_workdir(struct apply *a, struct holt_err *err)
{
	cleanup_free char *cur = json_get_string(a->config, "WorkingDir");
	cleanup_free char *arg = expand(a, a->args, err);
	if (!arg)
		return -1;
	cleanup_free char *dir =
	    arg[0] == '/' ? xstrdup(arg)
			  : xasprintf("%s/%s", cur && *cur && strcmp(cur, "/") ? cur : "", arg);
	json_object_object_add(a->config, "WorkingDir", json_object_new_string(dir));
	return 0;
}

static const struct {
	const char *name;
	int (*apply)(struct apply *a, struct holt_err *err);
} keywords[] = {
    {"CMD", apply_cmd},	      {"ENTRYPOINT", apply_entrypoint}, {"ENV", apply_env},
    {"EXPOSE", apply_expose}, {"LABEL", apply_label},		{"STOPSIGNAL", apply_stopsignal},
    {"USER", apply_user},     {"WORKDIR", apply_workdir},
};

static int apply_one(struct apply *a, struct holt_err *err)
{
	cleanup_free char *where = xasprintf("change \"%s\"", a->text);

	if (dockerfile_line_parse(a->text, where, &a->ins, err) < 0)
		return -1;
	size_t i = 0;
	while (i < sizeof keywords / sizeof *keywords && strcmp(a->ins.keyword, keywords[i].name))
		i++;
	int ret;
	a->args = a->ins.args;
	if (i == sizeof keywords / sizeof *keywords)
		ret =
		    invalid(a, err,
			    "holt takes CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER and "
			    "WORKDIR, not %s",
			    a->ins.keyword);
	else if (!*a->args && !a->ins.json)
		ret = invalid(a, err, "%s needs an argument", keywords[i].name);
	else
		ret = keywords[i].apply(a, err);
	dockerfile_instruction_clear(&a->ins);
	a->args = NULL;
	return ret;
}

int instructions_apply(json_object *config, char *const *instructions, struct holt_err *err)
{
	struct apply a = {.config = config};

	for (char *const *i = instructions; i && *i; i++) {
		a.text = *i;
		if (apply_one(&a, err) < 0)
			return -1;
	}
	return 0;
}
