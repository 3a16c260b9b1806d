/* One logical Dockerfile line made an instruction, by BuildKit's rules: the keyword, the
 * --flag words before the arguments, and the exec form when the arguments are a JSON
 * array of strings. */
#include "core/dockerfile_line.h"
#include "core/base/json.h"
#include "core/base/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const keywords[] = {
    "FROM",    "RUN", "CMD",	 "LABEL",      "MAINTAINER",  "EXPOSE",
    "ENV",     "ADD", "COPY",	 "ENTRYPOINT", "VOLUME",      "USER",
    "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
};

/* Those whose arguments may be a JSON array. */
static const char *const json_keywords[] = {"RUN",  "CMD", "ENTRYPOINT", "SHELL",
					    "COPY", "ADD", "VOLUME"};

/* Those that may be written with nothing after them. */
static const char *const bare_keywords[] = {"CMD", "ENTRYPOINT"};

#define HAS(list, s) in_list(list, sizeof list / sizeof *list, s)

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

bool dockerfile_takes_heredocs(const char *keyword)
{
	return !strcmp(keyword, "RUN") || !strcmp(keyword, "COPY") || !strcmp(keyword, "ADD");
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

/* The --name[=value] words at the start of s, quotes removed and a backslash escaping
 * the next character; a lone "--" ends them. Returns where the arguments start. */
static const char *take_flags(const char *s, char ***flags)
{
	for (;;) {
		while (is_space(*s))
			s++;
		if (s[0] != '-' || s[1] != '-')
			return s;
		const char *start = s;
		cleanup_free char *w = xmalloc(strlen(s) + 1);
		size_t k = 0;
		char quote = 0;
		bool quoted = false;
		for (; *s && (quote || !is_space(*s)); s++) {
			if (quote && *s == quote) {
				quote = 0;
			} else if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s;
				quoted = true;
			} else if (*s == '\\') {
				if (s[1])
					w[k++] = *++s;
			} else {
				w[k++] = *s;
			}
		}
		w[k] = '\0';
		if (s - start == 2 && !quoted) {
			while (is_space(*s))
				s++;
			return s;
		}
		if (k || quoted)
			strv_push(flags, w);
	}
}

/* The strings of s when it is exactly a JSON array of strings (blanks around it
 * allowed), else NULL. */
static char **json_strings(const char *s)
{
	if (*s != '[')
		return NULL;
	json_tokener *tok = json_tokener_new();
	size_t len = strlen(s);
	json_object *o = json_tokener_parse_ex(tok, s, (int)len);
	bool whole = json_tokener_get_error(tok) == json_tokener_success;
	size_t end = whole ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	while (whole && end < len && is_space(s[end]))
		end++;
	char **v = NULL;
	if (!whole || end != len || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return NULL;
	}
	size_t n = json_object_array_length(o);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(o, i);
		if (!json_object_is_type(e, json_type_string)) {
			strv_free(v);
			json_object_put(o);
			return NULL;
		}
		strv_push(&v, json_object_get_string(e));
	}
	json_object_put(o);
	return v ? v : xzalloc(sizeof *v);
}

char **dockerfile_raw_words(const char *args, char escape)
{
	cleanup_free char *w = xmalloc(strlen(args) + 1);
	char **words = xzalloc(sizeof *words);
	const char *p = args;

	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return words;
		size_t k = 0;
		char quote = 0;
		int braces = 0; /* blanks inside ${...} do not split either */
		for (; *p && (quote || braces || !is_space(*p)); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote != '\'' && *p == '$' && p[1] == '{')
				braces++;
			else if (quote != '\'' && *p == '}' && braces)
				braces--;
			/* an escape is kept with what it escapes, except in '...' */
			if (*p == escape && quote != '\'') {
				if (!p[1])
					continue;
				w[k++] = *p++;
			}
			w[k++] = *p;
		}
		w[k] = '\0';
		strv_push(&words, w);
	}
}

void dockerfile_instruction_clear(struct dockerfile_instruction *ins)
{
	free(ins->keyword);
	strv_free(ins->flags);
	free(ins->args);
	strv_free(ins->json);
	for (size_t i = 0; i < ins->n_heredocs; i++) {
		free(ins->heredocs[i].name);
		free(ins->heredocs[i].body);
	}
	free(ins->heredocs);
	free(ins->text);
	memset(ins, 0, sizeof *ins);
}

static char *upper(const char *s, size_t n)
{
	char *u = xstrndup(s, n);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* ONBUILD's instruction must be one that can run later in another build. */
static int check_onbuild(const char *args, const char *where, struct holt_err *err)
{
	size_t n = strcspn(args, " \t\v\f\r\n");
	cleanup_free char *kw = upper(args, n);

	if (!HAS(keywords, kw))
		return holt_err_set(err, 0, "%s: ONBUILD: unknown instruction \"%.*s\"", where,
				    (int)n, args);
	if (!strcmp(kw, "ONBUILD") || !strcmp(kw, "FROM") || !strcmp(kw, "MAINTAINER"))
		return holt_err_set(err, 0, "%s: ONBUILD: %s is not allowed after ONBUILD", where,
				    kw);
	return 0;
}

int dockerfile_line_parse(const char *line, const char *where, struct dockerfile_instruction *ins,
			  struct holt_err *err)
{
	const char *s = line;
	size_t len = strlen(s);

	while (is_space(*s))
		s++, len--;
	while (len && is_space(s[len - 1]))
		len--;
	memset(ins, 0, sizeof *ins);
	ins->text = xstrndup(s, len);
	size_t kw = strcspn(ins->text, " \t\v\f\r\n");
	ins->keyword = upper(ins->text, kw);
	if (!HAS(keywords, ins->keyword)) {
		holt_err_set(err, 0, "%s: unknown instruction \"%.*s\"", where, (int)kw, ins->text);
		dockerfile_instruction_clear(ins);
		return -1;
	}
	const char *args = take_flags(ins->text + kw, &ins->flags);
	ins->args = xstrdup(args);
	if (!ins->flags)
		ins->flags = xzalloc(sizeof *ins->flags);
	if (!*ins->args && !HAS(bare_keywords, ins->keyword)) {
		holt_err_set(err, 0, "%s: %s: needs an argument", where, ins->keyword);
		dockerfile_instruction_clear(ins);
		return -1;
	}
	if (HAS(json_keywords, ins->keyword)) {
		ins->json = json_strings(ins->args);
	} else if (!strcmp(ins->keyword, "HEALTHCHECK") && !strncasecmp(ins->args, "CMD", 3) &&
		   is_space(ins->args[3])) {
		/* HEALTHCHECK CMD ["..."]: the command after CMD in exec form */
		const char *cmd = ins->args + 3;
		while (is_space(*cmd))
			cmd++;
		ins->json = json_strings(cmd);
	} else if (!strcmp(ins->keyword, "ONBUILD") && check_onbuild(ins->args, where, err) < 0) {
		dockerfile_instruction_clear(ins);
		return -1;
	}
	return 0;
}
