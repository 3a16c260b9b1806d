#include "core/spec.h"
#include "core/base/util.h"
#include "core/keep_id.h"

#include <string.h>

static const char default_path[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

const char *spec_env_get(char *const *env, const char *key)
{
	size_t len = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (key_len(env[i]) == len && strncmp(env[i], key, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

void spec_env_set(char ***env, const char *kv)
{
	size_t len = key_len(kv);
	for (size_t i = 0; *env && (*env)[i]; i++)
		if (key_len((*env)[i]) == len && strncmp((*env)[i], kv, len) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	strv_push(env, kv);
}

/* An open-addressing table from key to position in the list being merged, so that merging
 * n entries costs O(n), where spec_env_set scans the list for each. */
struct env_index {
	size_t *slot; /* position + 1; 0 is empty */
	size_t mask;
};

static size_t key_hash(const char *kv, size_t len)
{
	size_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)kv[i]) * 1099511628211ULL;
	return h;
}

/* The slot of kv's key: the one holding it, or the empty one where it belongs. */
static size_t *index_find(const struct env_index *ix, char *const *env, const char *kv)
{
	size_t len = key_len(kv);
	for (size_t i = key_hash(kv, len) & ix->mask;; i = (i + 1) & ix->mask) {
		size_t *s = &ix->slot[i];
		if (*s == 0)
			return s;
		const char *have = env[*s - 1];
		if (key_len(have) == len && strncmp(have, kv, len) == 0)
			return s;
	}
}

void spec_env_merge(char ***env, char *const *add)
{
	size_t have = strv_len(*env), extra = strv_len(add), n = have;
	size_t size = 16;

	if (extra == 0)
		return;
	while (size < 2 * (have + extra))
		size *= 2;
	struct env_index ix = {xzalloc(size * sizeof *ix.slot), size - 1};
	char **v = xrealloc(*env, (have + extra + 1) * sizeof *v);
	for (size_t i = 0; i < have; i++) {
		size_t *s = index_find(&ix, v, v[i]);
		if (*s == 0)
			*s = i + 1;
	}
	for (size_t i = 0; i < extra; i++) {
		size_t *s = index_find(&ix, v, add[i]);
		if (*s) {
			free(v[*s - 1]);
			v[*s - 1] = xstrdup(add[i]);
		} else {
			v[n] = xstrdup(add[i]);
			*s = ++n;
		}
	}
	v[n] = NULL;
	*env = v;
	free(ix.slot);
}

static void append(char ***argv, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		strv_push(argv, v[i]);
}

int spec_build(const struct container_config *config, const struct image *img,
	       struct process_spec *spec, struct holt_err *err)
{
	char *const *entrypoint = img->entrypoint;
	char *const *cmd = img->cmd;

	memset(spec, 0, sizeof *spec);
	/* docker: --entrypoint also drops the image's Cmd; "" drops the entrypoint. */
	if (config->entrypoint_set) {
		entrypoint = config->entrypoint && config->entrypoint[0] && config->entrypoint[0][0]
				 ? config->entrypoint
				 : NULL;
		cmd = NULL;
	}
	if (config->cmd && config->cmd[0])
		cmd = config->cmd;
	append(&spec->argv, entrypoint);
	append(&spec->argv, cmd);
	if (!spec->argv)
		return holt_err_set(err, 0,
				    "no command given and the image has no Cmd or "
				    "Entrypoint");

	spec->hostname = xstrdup(config->hostname);
	spec_env_set(&spec->env, default_path);
	cleanup_free char *hn = xasprintf("HOSTNAME=%s", spec->hostname);
	spec_env_set(&spec->env, hn);
	if (config->tty)
		spec_env_set(&spec->env, "TERM=xterm");
	spec_env_merge(&spec->env, img->env);
	spec_env_merge(&spec->env, config->env);

	const char *cwd = config->workdir ? config->workdir : img->workdir;
	spec->cwd = xstrdup(cwd && *cwd ? cwd : "/");
	/* keep-id runs as the user's ids unless told (podman), whatever the image says */
	cleanup_free char *keep = config->user ? NULL : keep_id_user(config->userns);
	const char *user = config->user ? config->user : keep ? keep : img->user;
	spec->user = xstrdup(user && *user ? user : "0");
	spec->tty = config->tty;
	spec->interactive = config->interactive;
	return 0;
}

void spec_release(struct process_spec *spec)
{
	strv_free(spec->argv);
	strv_free(spec->env);
	free(spec->cwd);
	free(spec->user);
	free(spec->hostname);
	memset(spec, 0, sizeof *spec);
}
