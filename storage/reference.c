/* Docker's reference grammar (distribution/reference), normalized as `docker pull` does. */
#include "storage/reference.h"
#include "core/base/digest.h"
#include "core/base/util.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define DEFAULT_DOMAIN	"docker.io"
#define LEGACY_DOMAIN	"index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define DEFAULT_TAG	"latest"
#define NAME_MAX_LEN	255
#define TAG_MAX_LEN	128

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or one or more "-". */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t sep = i;
		while (i < n && !is_lower_alnum(s[i]))
			i++;
		size_t len = i - sep;
		bool dashes = strspn(s + sep, "-") >= len;
		if (!(dashes || (len == 1 && (s[sep] == '.' || s[sep] == '_')) ||
		      (len == 2 && s[sep] == '_' && s[sep + 1] == '_')))
			return false;
	}
	return true;
}

/* host[:port]: labels of [A-Za-z0-9-] not starting or ending with "-", joined by ".";
 * or a bracketed IPv6 address. */
static bool domain_valid(const char *s)
{
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end == s + 1 ||
		    strspn(s + 1, "0123456789abcdefABCDEF:") != (size_t)(end - s - 1))
			return false;
		colon = end[1] ? end + 1 : NULL;
		if (colon && *colon != ':')
			return false;
	} else {
		colon = strchr(s, ':');
		size_t host_len = colon ? (size_t)(colon - s) : strlen(s);
		size_t i = 0;
		while (i < host_len) {
			size_t label = i;
			while (i < host_len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
				i++;
			if (i == label || s[label] == '-' || s[i - 1] == '-')
				return false;
			if (i < host_len && (s[i] != '.' || i + 1 == host_len))
				return false;
			if (i < host_len)
				i++;
		}
		if (host_len == 0)
			return false;
	}
	if (colon) {
		size_t digits = strspn(colon + 1, "0123456789");
		if (digits == 0 || colon[1 + digits] != '\0')
			return false;
	}
	return true;
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool tag_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TAG_MAX_LEN || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* Docker treats the first component as a registry only when it looks like a host. */
static bool looks_like_domain(const char *s, size_t n)
{
	if (memchr(s, '.', n) || memchr(s, ':', n))
		return true;
	if (n == strlen("localhost") && !strncmp(s, "localhost", n))
		return true;
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

static int path_check(const char *path, const char *s, struct holt_err *err)
{
	for (const char *p = path; *p; p++)
		if (isupper((unsigned char)*p))
			return holt_err_set(
			    err, 0, "invalid reference \"%s\": repository name must be lowercase",
			    s);
	const char *c = path;
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (!component_valid(c, n))
			return holt_err_set(
			    err, 0,
			    "invalid reference \"%s\": invalid repository name component \"%.*s\"",
			    s, (int)n, c);
		if (!slash)
			return 0;
		c = slash + 1;
	}
}

int reference_parse(const char *s, struct reference *r, struct holt_err *err)
{
	memset(r, 0, sizeof *r);
	if (!*s)
		return holt_err_set(err, 0, "invalid reference \"\": empty name");

	cleanup_free char *name = xstrdup(s);
	char *at = strchr(name, '@');
	if (at) {
		*at = '\0';
		if (!digest_valid(at + 1))
			return holt_err_set(err, 0,
					    "invalid reference \"%s\": invalid digest \"%s\" (want "
					    "sha256: and 64 lowercase hex digits)",
					    s, at + 1);
	}
	char *colon = strrchr(name, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		if (!tag_valid(colon + 1))
			return holt_err_set(err, 0, "invalid reference \"%s\": invalid tag \"%s\"",
					    s, colon + 1);
	} else {
		colon = NULL;
	}
	if (!*name)
		return holt_err_set(err, 0, "invalid reference \"%s\": empty repository name", s);
	if (digest_hex_valid(name))
		return holt_err_set(
		    err, 0,
		    "invalid reference \"%s\": a repository name cannot be a 64-digit hex id", s);

	const char *slash = strchr(name, '/');
	cleanup_free char *domain = NULL;
	cleanup_free char *path = NULL;
	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		domain = xstrndup(name, (size_t)(slash - name));
		path = xstrdup(slash + 1);
		if (!domain_valid(domain))
			return holt_err_set(
			    err, 0, "invalid reference \"%s\": invalid registry \"%s\"", s, domain);
	} else {
		domain = xstrdup(DEFAULT_DOMAIN);
		path = xstrdup(name);
		r->is_short = true;
	}
	if (!strcmp(domain, LEGACY_DOMAIN)) {
		free(domain);
		domain = xstrdup(DEFAULT_DOMAIN);
	}
	if (path_check(path, s, err) < 0)
		return -1;
	if (!strcmp(domain, DEFAULT_DOMAIN) && !strchr(path, '/')) {
		char *p = xasprintf(OFFICIAL_PREFIX "%s", path);
		free(path);
		path = p;
	}

	/* As docker, the bound is on the name as normalized (docker.io/library/ counts), so
	 * that what parses here still parses when written out in full. */
	if (strlen(domain) + 1 + strlen(path) > NAME_MAX_LEN)
		return holt_err_set(
		    err, 0, "invalid reference \"%s\": repository name longer than %d characters",
		    s, NAME_MAX_LEN);
	r->domain = steal_pointer(&domain);
	r->path = steal_pointer(&path);
	if (colon)
		r->tag = xstrdup(colon + 1);
	else if (!at)
		r->tag = xstrdup(DEFAULT_TAG);
	r->digest = at ? xstrdup(at + 1) : NULL;
	return 0;
}

void reference_clear(struct reference *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof *r);
}

/* repository + ":tag" + "@digest", as present. */
static char *with_suffixes(const char *repo, const struct reference *r)
{
	return xasprintf("%s%s%s%s%s", repo, r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

const char *reference_after_repository(const char *full, const char *repo)
{
	size_t n = strlen(repo);
	if (strncmp(full, repo, n) || (full[n] != ':' && full[n] != '@'))
		return NULL;
	return full + n;
}

char *reference_repository(const struct reference *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

char *reference_string(const struct reference *r)
{
	cleanup_free char *repo = reference_repository(r);
	return with_suffixes(repo, r);
}

char *reference_familiar_repository(const struct reference *r)
{
	if (strcmp(r->domain, DEFAULT_DOMAIN))
		return reference_repository(r);
	const char *p = r->path;
	size_t n = strlen(OFFICIAL_PREFIX);
	/* "library/x" alone: its last slash is the prefix's (gcc's ASan build warns of a
	 * read past the prefix at p + n) */
	if (!strncmp(p, OFFICIAL_PREFIX, n) && strrchr(p, '/') == p + n - 1)
		p += n;
	/* library/<64 hex digits> alone would be an image id */
	if (digest_hex_valid(p))
		p = r->path;
	/* docker.io/host.example/x shown as host.example/x would name another registry
	 * (docker shows it so): keep the domain where dropping it changes the meaning. */
	const char *slash = strchr(p, '/');
	if (slash && looks_like_domain(p, (size_t)(slash - p)))
		return reference_repository(r);
	return xstrdup(p);
}

char *reference_familiar(const struct reference *r)
{
	cleanup_free char *repo = reference_familiar_repository(r);
	return with_suffixes(repo, r);
}
