/* Reading container records back: by full id, name or unique id prefix, or all of
 * them. Lookups read no more records than they need: ps reads each once. */
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/container_record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *obj, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(obj, key, &v);
	return v;
}

static int get_int(json_object *obj, const char *key, int fallback)
{
	json_object *v = get(obj, key);
	return v ? json_object_get_int(v) : fallback;
}

static char **labels_from_json(json_object *obj)
{
	char **v = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return NULL;
	json_object_object_foreach(obj, key, val)
	{
		cleanup_free char *kv = xasprintf("%s=%s", key, json_object_get_string(val));
		strv_push(&v, kv);
	}
	return v;
}

static void host_config_from_json(struct container_config *cfg, json_object *host)
{
	json_object *restart = get(host, "RestartPolicy");
	json_object *log = get(host, "LogConfig");
	json_object *log_opts = get(log, "Config");

	container_net_from_json(host, &cfg->network, &cfg->net);
	cfg->remove = json_object_get_boolean(get(host, "AutoRemove"));
	cfg->init = json_object_get_boolean(get(host, "Init"));
	security_from_json(&cfg->security, host);
	cfg->memory = (uint64_t)json_object_get_int64(get(host, "Memory"));
	cfg->nano_cpus = (uint64_t)json_object_get_int64(get(host, "NanoCpus"));
	mount_specs_from_json(get(host, "Mounts"), &cfg->mounts, &cfg->n_mounts);
	cfg->read_only = json_object_get_boolean(get(host, "ReadonlyRootfs"));
	cfg->userns = json_get_string(host, "UsernsMode");
	json_object *slice = get(host, "HoltUsernsSlice");
	cfg->userns_base = (unsigned long)json_object_get_int64(get(slice, "Base"));
	cfg->userns_size = (unsigned long)json_object_get_int64(get(slice, "Size"));
	if (restart) {
		cleanup_free char *name = json_get_string(restart, "Name");
		for (int p = RESTART_NO; p <= RESTART_UNLESS_STOPPED; p++)
			if (name && strcmp(name, container_restart_name(p)) == 0)
				cfg->restart = p;
		cfg->restart_max = get_int(restart, "MaximumRetryCount", 0);
	}
	/* records from before the default limit have none: they get it too */
	cleanup_free char *max = log_opts ? json_get_string(log_opts, "max-size") : NULL;
	cfg->log_max_size = !max		     ? LOG_SIZE_DEFAULT
			    : strcmp(max, "-1") == 0 ? LOG_SIZE_UNLIMITED
						     : strtoull(max, NULL, 10);
	cfg->log_path = log_opts ? json_get_string(log_opts, "path") : NULL;
	cleanup_free char *driver = log ? json_get_string(log, "Type") : NULL;
	int d = driver ? logfile_driver_parse(driver) : -1;
	cfg->log_driver = d < 0 ? LOG_DRIVER_K8S_FILE : (enum log_driver)d;
}

static void config_from_json(struct container_config *cfg, json_object *conf)
{
	json_object *ep = get(conf, "Entrypoint");

	cfg->cmd = json_get_strv(conf, "Cmd");
	cfg->entrypoint_set = ep != NULL;
	cfg->entrypoint = json_get_strv(conf, "Entrypoint");
	cfg->env = json_get_strv(conf, "Env");
	cfg->workdir = json_get_string(conf, "WorkingDir");
	cfg->user = json_get_string(conf, "User");
	cfg->hostname = json_get_string(conf, "Hostname");
	cfg->timezone = json_get_string(conf, "Timezone");
	cfg->labels = labels_from_json(get(conf, "Labels"));
	cfg->stop_signal = json_get_string(conf, "StopSignal");
	cfg->stop_timeout = get_int(conf, "StopTimeout", -1);
	cfg->tty = json_object_get_boolean(get(conf, "Tty"));
	cfg->interactive = json_object_get_boolean(get(conf, "OpenStdin"));
}

static struct container *not_found(const char *query, struct holt_err *err);

static struct container *load(struct store *s, const char *id, struct holt_err *err)
{
	cleanup_container struct container *c = xzalloc(sizeof *c);
	c->dir = xasprintf("%s/containers/%s", store_root(s), id);
	c->run_dir = xasprintf("%s/containers/%s", store_runroot(s), id);

	cleanup_json json_object *obj = container_read_json(c->dir, "config.json", err);
	if (!obj)
		return NULL;
	c->id = json_get_string(obj, "Id");
	c->name = json_get_string(obj, "Name");
	c->image_id = json_get_string(obj, "Image");
	c->image_name = json_get_string(obj, "ImageName");
	c->created = json_get_string(obj, "Created");
	if (!c->id || !c->name || !c->image_id)
		return holt_err_set(err, 0, "read \"%s/config.json\": Id, Name or Image missing",
				    c->dir),
		       NULL;
	if (!c->image_name)
		c->image_name = xstrdup(c->image_id);
	if (!c->created)
		c->created = xstrdup("");
	config_from_json(&c->config, get(obj, "Config"));
	c->config.name = xstrdup(c->name);
	host_config_from_json(&c->config, get(obj, "HostConfig"));
	if (container_reload_state(c, err) < 0)
		return NULL;
	if (c->config.remove && c->state.monitor_died) {
		/* An --rm container whose monitor was killed (a foreground run's holt, say):
		 * nobody else will remove it, so whoever reads it first does. */
		struct holt_err ignored = {0};
		if (container_remove(s, c, &ignored) < 0)
			holt_err_release(&ignored);
		return not_found(id, err);
	}
	return steal_pointer(&c);
}

static struct container *not_found(const char *query, struct holt_err *err)
{
	holt_err_set_code(err, ENOENT, "no such container: %s", query);
	return NULL;
}

static bool is_hex(const char *s)
{
	return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

/* A record being created has its directory before its config.json: skip it. */
static bool record_complete(struct store *s, const char *id)
{
	cleanup_free char *path = xasprintf("%s/containers/%s/config.json", store_root(s), id);
	return access(path, F_OK) == 0;
}

static struct container *by_prefix(struct store *s, const char *query, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/containers", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	cleanup_free char *found = NULL;
	struct dirent *de;
	size_t len = strlen(query);

	if (!d)
		return holt_err_set(err, errno, "read \"%s\"", dir), NULL;
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != 64 || strncmp(de->d_name, query, len) ||
		    !record_complete(s, de->d_name))
			continue;
		if (found)
			return holt_err_set(err, 0,
					    "container \"%s\": several containers have ids "
					    "starting so (give more of the id)",
					    query),
			       NULL;
		found = xstrdup(de->d_name);
	}
	if (!found)
		return not_found(query, err);
	return load(s, found, err);
}

/* A record whose create was killed between the record and the claim of its name: found
 * by its name all the same, so that rm NAME removes it. */
static struct container *by_unclaimed_name(struct store *s, const char *name, struct holt_err *err)
{
	struct container **list = NULL, *found = NULL;
	size_t n = 0;
	struct holt_err e = {0};
	if (container_list(s, &list, &n, &e) < 0) {
		holt_err_release(&e);
		return not_found(name, err);
	}
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(list[i]->name, name) == 0)
			found = steal_pointer(&list[i]);
	container_list_free(list, n);
	return found ? found : not_found(name, err);
}

struct container *container_lookup(struct store *s, const char *query, struct holt_err *err)
{
	if (strlen(query) == 64 && is_hex(query) && record_complete(s, query))
		return load(s, query, err);
	if (*query && !strchr(query, '/')) {
		cleanup_free char *link = xasprintf("%s/containers/names/%s", store_root(s), query);
		char id[65];
		ssize_t n = readlink(link, id, sizeof id - 1);
		if (n == 64) {
			id[n] = '\0';
			if (record_complete(s, id))
				return load(s, id, err);
		}
	}
	if (!is_hex(query))
		return by_unclaimed_name(s, query, err);
	return by_prefix(s, query, err);
}

static int newest_first(const void *a, const void *b)
{
	const struct container *x = *(struct container *const *)a;
	const struct container *y = *(struct container *const *)b;
	return strcmp(y->created, x->created);
}

int container_list(struct store *s, struct container ***out, size_t *n, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/containers", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct container **list = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;

	if (!d)
		return holt_err_set(err, errno, "read \"%s\"", dir);
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != 64)
			continue;
		struct holt_err e = {0};
		struct container *c = load(s, de->d_name, &e);
		if (!c) {
			/* Created or removed under our feet: not an error for a listing. */
			holt_err_release(&e);
			continue;
		}
		if (count == cap)
			list = xrealloc(list, (cap = cap ? 2 * cap : 16) * sizeof *list);
		list[count++] = c;
	}
	if (count > 1)
		qsort(list, count, sizeof *list, newest_first);
	*out = list;
	*n = count;
	return 0;
}

void container_list_free(struct container **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		container_free(list[i]);
	free(list);
}
