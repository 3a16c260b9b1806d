#include "net/www_auth.h"
#include "core/base/util.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* One auth-param, name=value or name="quoted \" value"; *s moves past it and its comma. */
static bool next_param(const char **s, char **name, char **value)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	const char *n = p;
	while (*p && *p != '=' && *p != ' ' && *p != ',')
		p++;
	if (p == n || *p != '=')
		return false;
	*name = xstrndup(n, (size_t)(p - n));
	p++;
	if (*p == '"') {
		char *v = xmalloc(strlen(p) + 1), *w = v;
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			*w++ = *p;
		}
		*w = '\0';
		if (*p == '"')
			p++;
		*value = v;
	} else {
		const char *v = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		*value = xstrndup(v, (size_t)(p - v));
	}
	*s = p;
	return true;
}

int www_auth_parse(const char *header, struct www_auth *out, struct holt_err *err)
{
	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*header))
		header++;
	size_t len = strcspn(header, " \t");
	if (len == 6 && strncasecmp(header, "Bearer", 6) == 0)
		out->scheme = AUTH_BEARER;
	else if (len == 5 && strncasecmp(header, "Basic", 5) == 0)
		out->scheme = AUTH_BASIC;
	else
		return holt_err_set(err, 0,
				    "the registry asks for \"%.*s\" authentication, which holt "
				    "does not speak (Basic and Bearer only)",
				    (int)len, header);
	const char *p = header + len;
	char *name, *value;
	while (next_param(&p, &name, &value)) {
		char **slot = strcasecmp(name, "realm") == 0	 ? &out->realm
			      : strcasecmp(name, "service") == 0 ? &out->service
			      : strcasecmp(name, "scope") == 0	 ? &out->scope
								 : NULL;
		if (slot && !*slot)
			*slot = steal_pointer(&value);
		free(name);
		free(value);
	}
	if (out->scheme == AUTH_BEARER && (!out->realm || !*out->realm)) {
		www_auth_clear(out);
		return holt_err_set(err, 0, "the registry's Bearer challenge names no realm");
	}
	return 0;
}

void www_auth_clear(struct www_auth *a)
{
	free(a->realm);
	free(a->service);
	free(a->scope);
	memset(a, 0, sizeof *a);
}
