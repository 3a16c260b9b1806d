/* Dockerfile instructions read as docker's builder reads them for `commit --change`. */
#include "core/instruction.h"
#include "core/base/util.h"
#include "core/signals.h"
#include "core/spec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct apply {
	json_object *config;
	const char *text; /* the whole instruction, for messages */
	char *args;	  /* what follows the keyword, without surrounding blanks */
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

/* The exec form, a JSON array of strings; anything else is the shell form. */
static char **parse_command(const char *args)
{
	char **v = NULL;
	cleanup_json json_object *o = args[0] == '[' ? json_tokener_parse(args) : NULL;
	if (o && json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			json_object *s = json_object_array_get_idx(o, i);
			if (!json_object_is_type(s, json_type_string)) {
				strv_free(v);
				v = NULL;
				break;
			}
			strv_push(&v, json_object_get_string(s));
		}
		/* [] is a command too: an empty one */
		if (n == 0)
			v = xzalloc(sizeof *v);
		if (v)
			return v;
	}
	strv_push(&v, "/bin/sh");
	strv_push(&v, "-c");
	strv_push(&v, args);
	return v;
}

/* Splits s into words as a shell would: blanks separate, quotes group, a backslash
 * escapes. NULL when a quote is left open. */
static char **split_words(const char *s)
{
	cleanup_free char *w = xmalloc(strlen(s) + 1);
	char **v = NULL;
	size_t k = 0;
	bool in_word = false;
	char quote = 0;

	for (const char *p = s; *p; p++) {
		if (quote && *p == quote) {
			quote = 0;
		} else if (quote) {
			if (*p == '\\' && quote == '"' && p[1])
				p++;
			w[k++] = *p;
		} else if (isspace((unsigned char)*p)) {
			if (in_word) {
				w[k] = '\0';
				strv_push(&v, w);
				k = 0;
				in_word = false;
			}
		} else {
			in_word = true;
			if (*p == '"' || *p == '\'')
				quote = *p;
			else
				w[k++] = *p == '\\' && p[1] ? *++p : *p;
		}
	}
	if (quote) {
		strv_free(v);
		return NULL;
	}
	if (in_word) {
		w[k] = '\0';
		strv_push(&v, w);
	}
	return v;
}

/* KEY=VALUE words, or the old form KEY VALUE (the rest of the line): "KEY=VALUE"s. */
static char **parse_pairs(const struct apply *a, struct holt_err *err)
{
	cleanup_strv char **words = split_words(a->args);
	char **pairs = NULL;

	if (!words)
		return invalid(a, err, "a quote is not closed"), NULL;
	if (!strchr(words[0], '=')) {
		size_t key_len = strcspn(a->args, " \t");
		const char *value = a->args + key_len + strspn(a->args + key_len, " \t");
		if (!*value)
			return invalid(a, err, "\"%s\" needs a value", words[0]), NULL;
		cleanup_free char *kv = xasprintf("%.*s=%s", (int)key_len, a->args, value);
		strv_push(&pairs, kv);
		return pairs;
	}
	for (char **w = words; *w; w++)
		if (!strchr(*w, '=') || **w == '=')
			return invalid(a, err, "\"%s\" is not KEY=VALUE", *w), NULL;
	return steal_pointer(&words);
}

static int apply_cmd(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **argv = parse_command(a->args);
	json_add_strv(a->config, "Cmd", argv);
	a->cmd_set = true;
	return 0;
}

static int apply_entrypoint(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **argv = parse_command(a->args);
	json_add_strv(a->config, "Entrypoint", argv);
	/* The base's Cmd was meant as arguments to another entrypoint. */
	if (!a->cmd_set)
		json_object_object_del(a->config, "Cmd");
	return 0;
}

static int apply_env(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **pairs = parse_pairs(a, err);
	if (!pairs)
		return -1;
	cleanup_strv char **env = json_get_strv(a->config, "Env");
	for (char **p = pairs; *p; p++)
		spec_env_set(&env, *p);
	json_add_strv(a->config, "Env", env);
	return 0;
}

/* The object at key in config, made when missing. */
static json_object *object_at(json_object *config, const char *key)
{
	json_object *o;
	if (json_object_object_get_ex(config, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(config, key, o);
	return o;
}

static int apply_label(struct apply *a, struct holt_err *err)
{
	cleanup_strv char **pairs = parse_pairs(a, err);
	if (!pairs)
		return -1;
	json_object *labels = object_at(a->config, "Labels");
	for (char **p = pairs; *p; p++) {
		char *eq = strchr(*p, '=');
		*eq = '\0';
		json_object_object_add(labels, *p, json_object_new_string(eq + 1));
	}
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
	cleanup_strv char **words = split_words(a->args);
	if (!words)
		return invalid(a, err, "a quote is not closed");
	json_object *ports = object_at(a->config, "ExposedPorts");
	for (char **w = words; *w; w++)
		if (expose_one(a, ports, *w, err) < 0)
			return -1;
	return 0;
}

static int apply_stopsignal(struct apply *a, struct holt_err *err)
{
	if (signals_parse(a->args) < 0)
		return invalid(a, err, "\"%s\" is not a signal", a->args);
	json_object_object_add(a->config, "StopSignal", json_object_new_string(a->args));
	return 0;
}

static int apply_user(struct apply *a, struct holt_err *err)
{
	json_object_object_add(a->config, "User", json_object_new_string(a->args));
	return 0;
}

/* A relative WORKDIR is taken from the one before, as in a Dockerfile. */
static int apply_workdir(struct apply *a, struct holt_err *err)
{
	cleanup_free char *cur = json_get_string(a->config, "WorkingDir");
	cleanup_free char *dir =
	    a->args[0] == '/'
		? xstrdup(a->args)
		: xasprintf("%s/%s", cur && *cur && strcmp(cur, "/") ? cur : "", a->args);
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
	const char *s = a->text + strspn(a->text, " \t");
	size_t len = strcspn(s, " \t");
	const char *rest = s + len + strspn(s + len, " \t");
	size_t rest_len = strlen(rest);

	while (rest_len && isspace((unsigned char)rest[rest_len - 1]))
		rest_len--;
	for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++) {
		if (len != strlen(keywords[i].name) || strncasecmp(s, keywords[i].name, len))
			continue;
		if (!rest_len)
			return invalid(a, err, "%s needs an argument", keywords[i].name);
		a->args = xstrndup(rest, rest_len);
		int ret = keywords[i].apply(a, err);
		free(a->args);
		return ret;
	}
	return invalid(a, err,
		       "unknown instruction \"%.*s\" (holt takes CMD, ENTRYPOINT, ENV, EXPOSE, "
		       "LABEL, STOPSIGNAL, USER, WORKDIR)",
		       (int)len, s);
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
