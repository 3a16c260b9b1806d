#include "net/auth_file.h"
#include "core/base/crypto_api.h"
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/base/json_file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

/* Docker keeps Docker Hub's credentials under the v1 index address. */
static const char docker_hub_key[] = "https://index.docker.io/v1/";

static char *config_home_file(const char *rel)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/%s", xdg, rel);
	const char *home = getenv("HOME");
	return home ? xasprintf("%s/.config/%s", home, rel) : NULL;
}

char *auth_file_path(const char *authfile)
{
	if (authfile)
		return xstrdup(authfile);
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env && *env)
		return xstrdup(env);
	return config_home_file("containers/auth.json");
}

/* The file's JSON, or a new {"auths": {}} when it does not exist. */
static json_object *load(const char *path, struct holt_err *err)
{
	struct holt_err e = {0};
	json_object *o = json_file_load(path, &e);
	if (!o && e.errnum != ENOENT) {
		*err = e;
		return NULL;
	}
	holt_err_release(&e);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	json_object *auths;
	if (!json_object_object_get_ex(o, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		json_object_object_add(o, "auths", json_object_new_object());
	return o;
}

static json_object *auths_of(json_object *o)
{
	json_object *auths = NULL;
	json_object_object_get_ex(o, "auths", &auths);
	return auths;
}

static json_object *entry(json_object *auths, const char *host)
{
	json_object *e = NULL;
	if (json_object_object_get_ex(auths, host, &e))
		return e;
	if (strcmp(host, "docker.io") == 0 && json_object_object_get_ex(auths, docker_hub_key, &e))
		return e;
	return NULL;
}

static int decode(const char *path, const char *host, const char *b64, char **user, char **password,
		  struct holt_err *err)
{
	size_t len = strlen(b64);
	cleanup_free unsigned char *raw = xmalloc(len / 4 * 3 + 4);
	int n = len % 4 == 0 ? crypto_api()->decode_block(raw, (const unsigned char *)b64, (int)len)
			     : -1;
	if (n < 0)
		return holt_err_set(err, 0, "\"%s\": the credentials of %s are not base64", path,
				    host);
	/* EVP_DecodeBlock counts the padding in. */
	while (len > 0 && b64[--len] == '=')
		n--;
	raw[n] = '\0';
	char *colon = strchr((char *)raw, ':');
	if (!colon)
		return holt_err_set(err, 0, "\"%s\": the credentials of %s are not user:password",
				    path, host);
	*colon = '\0';
	*user = xstrdup((char *)raw);
	*password = xstrdup(colon + 1);
	return 0;
}

static int get_from(const char *path, const char *host, char **user, char **password,
		    struct holt_err *err)
{
	cleanup_json json_object *o = load(path, err);
	if (!o)
		return -1;
	json_object *auth, *e = entry(auths_of(o), host);
	if (!e || !json_object_object_get_ex(e, "auth", &auth))
		return 0;
	return decode(path, host, json_object_get_string(auth), user, password, err);
}

int auth_file_get(const char *authfile, const char *host, char **user, char **password,
		  struct holt_err *err)
{
	*user = *password = NULL;
	cleanup_free char *written = auth_file_path(authfile);
	if (authfile)
		return written ? get_from(written, host, user, password, err) : 0;
	const char *runtime = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");
	cleanup_free char *in_runtime =
	    runtime && *runtime ? xasprintf("%s/containers/auth.json", runtime) : NULL;
	cleanup_free char *docker = home ? xasprintf("%s/.docker/config.json", home) : NULL;
	const char *paths[] = {written, in_runtime, docker};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		if (!paths[i])
			continue;
		if (get_from(paths[i], host, user, password, err) < 0)
			return -1;
		if (*user)
			return 0;
	}
	return 0;
}

static int save(const char *path, json_object *o, struct holt_err *err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700) < 0)
			return holt_err_set(err, errno, "create \"%s\"", dir);
	}
	cleanup_free char *text =
	    xasprintf("%s\n", json_object_to_json_string_ext(
				  o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return write_file_atomic(path, NULL, text, strlen(text), true, err);
}

int auth_file_set(const char *authfile, const char *host, const char *user, const char *password,
		  struct holt_err *err)
{
	cleanup_free char *path = auth_file_path(authfile);
	if (!path)
		return holt_err_set(err, 0, "no auth file: set HOME or REGISTRY_AUTH_FILE");
	cleanup_json json_object *o = load(path, err);
	if (!o)
		return -1;
	cleanup_free char *plain = xasprintf("%s:%s", user, password);
	size_t len = strlen(plain);
	cleanup_free char *b64 = xmalloc((len + 2) / 3 * 4 + 1);
	crypto_api()->encode_block((unsigned char *)b64, (const unsigned char *)plain, (int)len);
	explicit_bzero(plain, len);
	json_object *e = json_object_new_object();
	json_object_object_add(e, "auth", json_object_new_string(b64));
	json_object_object_add(auths_of(o), host, e);
	return save(path, o, err);
}

int auth_file_remove(const char *authfile, const char *host, struct holt_err *err)
{
	cleanup_free char *path = auth_file_path(authfile);
	if (!path)
		return holt_err_set(err, 0, "no auth file: set HOME or REGISTRY_AUTH_FILE");
	cleanup_json json_object *o = load(path, err);
	if (!o)
		return -1;
	json_object *auths = auths_of(o);
	bool found = false;
	if (json_object_object_get_ex(auths, host, NULL)) {
		json_object_object_del(auths, host);
		found = true;
	}
	if (strcmp(host, "docker.io") == 0 &&
	    json_object_object_get_ex(auths, docker_hub_key, NULL)) {
		json_object_object_del(auths, docker_hub_key);
		found = true;
	}
	if (!found) {
		return holt_err_set_code(err, ENOENT, "not logged in to %s", host);
	}
	return save(path, o, err);
}
