/* Volumes as containers use them. The store lock orders container creation (which makes
 * volumes and then the record that uses them) against volume removal (which checks the
 * records and then removes), so that no volume in use is removed unasked. */
#include "core/container_volumes.h"
#include "core/base/util.h"
#include "storage/volume.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static bool has_destination(const struct container_config *cfg, const char *dst)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].destination, dst) == 0)
			return true;
	return false;
}

/* --volumes-from CONTAINER[:ro|rw]: its binds and volumes, at the same places, unless
 * this container mounts something there itself. They stay the other's: never anonymous
 * here, so that removing this container leaves them. */
static int copy_volumes_from(struct store *s, struct container_config *cfg, struct holt_err *err)
{
	for (size_t i = 0; cfg->volumes_from && cfg->volumes_from[i]; i++) {
		cleanup_free char *name = xstrdup(cfg->volumes_from[i]);
		char *mode = strchr(name, ':');
		if (mode)
			*mode++ = '\0';
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
			return holt_err_set(err, 0, "--volumes-from \"%s\": the mode is ro or rw",
					    cfg->volumes_from[i]);
		cleanup_container struct container *other = container_lookup(s, name, err);
		if (!other)
			return holt_err_wrap(err, "--volumes-from \"%s\"", cfg->volumes_from[i]);
		for (size_t j = 0; j < other->config.n_mounts; j++) {
			const struct mount_spec *m = &other->config.mounts[j];
			if (m->type == MOUNT_TMPFS || has_destination(cfg, m->destination))
				continue;
			cfg->mounts =
			    xrealloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof *cfg->mounts);
			struct mount_spec *copy = &cfg->mounts[cfg->n_mounts++];
			mount_spec_copy(copy, m);
			copy->anonymous = false;
			copy->create_source = false;
			copy->in_binds = false; /* docker lists them under VolumesFrom */
			if (mode)
				copy->readonly = mode[1] == 'o';
		}
	}
	return 0;
}

static int prepare_source(struct store *s, struct mount_spec *m, struct holt_err *err)
{
	struct stat st;
	if (m->type == MOUNT_BIND) {
		if (stat(m->source, &st) == 0)
			return 0;
		if (errno != ENOENT || !m->create_source)
			return holt_err_set(err, errno, "bind source path \"%s\"", m->source);
		if (mkdir_p(m->source, 0755) < 0)
			return holt_err_set(err, errno, "create bind source path \"%s\"",
					    m->source);
		return 0;
	}
	if (m->type != MOUNT_VOLUME)
		return 0;
	bool created;
	cleanup_volume struct volume *v = volume_create(s, m->source, NULL, &created, err);
	if (!v)
		return -1;
	if (!m->source)
		m->source = xstrdup(v->name);
	return 0;
}

static void remove_anonymous(struct store *s, const struct container_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cfg->mounts[i].anonymous && cfg->mounts[i].source) {
			struct holt_err e = {0};
			if (volume_remove(s, cfg->mounts[i].source, &e) < 0)
				holt_err_release(&e);
		}
}

struct container *container_create_with_mounts(struct store *s, struct container_config *config,
					       const struct image *img, const char *image_name,
					       struct holt_err *err)
{
	if (!config->n_mounts && !config->volumes_from)
		return container_create(s, config, img, image_name, err);
	if (store_lock(s, err) < 0)
		return NULL;
	struct container *c = NULL;
	if (copy_volumes_from(s, config, err) < 0)
		goto out;
	for (size_t i = 0; i < config->n_mounts; i++)
		if (prepare_source(s, &config->mounts[i], err) < 0)
			goto out;
	c = container_create(s, config, img, image_name, err);
out:
	if (!c)
		remove_anonymous(s, config);
	store_unlock(s);
	return c;
}

int container_remove_volumes_reopen(const struct store *s, const struct container *c,
				    struct holt_err *err)
{
	bool any = false;
	for (size_t i = 0; i < c->config.n_mounts; i++)
		any |= c->config.mounts[i].anonymous;
	if (!any)
		return 0;
	struct store *fresh = store_open(store_root(s), store_runroot(s), err);
	if (!fresh)
		return -1;
	int ret = container_remove_volumes(fresh, c, err);
	store_free(fresh);
	return ret;
}

json_object *container_mounts_json(const struct container *c)
{
	json_object *arr = json_object_new_array();
	/* c->dir is <root>/containers/<id> */
	cleanup_free char *root = xstrdup(c->dir);
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(root, '/');
		if (slash)
			*slash = '\0';
	}
	for (size_t i = 0; i < c->config.n_mounts; i++) {
		const struct mount_spec *m = &c->config.mounts[i];
		json_object *o = json_object_new_object();
		bool vol = m->type == MOUNT_VOLUME;
		cleanup_free char *source = vol ? xasprintf("%s/volumes/%s/_data", root, m->source)
						: xstrdup(m->source ? m->source : "");
		json_object_object_add(o, "Type", json_object_new_string(mount_type_name(m->type)));
		if (vol)
			json_object_object_add(o, "Name", json_object_new_string(m->source));
		json_object_object_add(o, "Source", json_object_new_string(source));
		json_object_object_add(o, "Destination", json_object_new_string(m->destination));
		if (vol)
			json_object_object_add(o, "Driver", json_object_new_string("local"));
		json_object_object_add(o, "Mode", json_object_new_string(m->mode ? m->mode : ""));
		json_object_object_add(o, "RW", json_object_new_boolean(!m->readonly));
		json_object_object_add(o, "Propagation",
				       json_object_new_string(m->type != MOUNT_BIND ? ""
							      : m->propagation	    ? m->propagation
										    : "rprivate"));
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *container_binds_json(const struct container *c)
{
	json_object *arr = NULL;
	for (size_t i = 0; i < c->config.n_mounts; i++) {
		const struct mount_spec *m = &c->config.mounts[i];
		if (!m->in_binds)
			continue;
		bool mode = m->mode && *m->mode;
		cleanup_free char *s = xasprintf("%s:%s%s%s", m->source, m->destination,
						 mode ? ":" : "", mode ? m->mode : "");
		if (!arr)
			arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string(s));
	}
	return arr;
}

static bool uses(const struct container *c, const char *name)
{
	for (size_t i = 0; i < c->config.n_mounts; i++) {
		const struct mount_spec *m = &c->config.mounts[i];
		if (m->type == MOUNT_VOLUME && m->source && strcmp(m->source, name) == 0)
			return true;
	}
	return false;
}

int volume_users(struct store *s, const char *name, char ***users, struct holt_err *err)
{
	struct container **list = NULL;
	size_t n = 0;
	*users = NULL;
	if (container_list(s, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (uses(list[i], name))
			strv_push(users, list[i]->name);
	container_list_free(list, n);
	return 0;
}

int volume_remove_unused(struct store *s, const char *name, bool force, struct holt_err *err)
{
	cleanup_strv char **users = NULL;
	if (store_lock(s, err) < 0)
		return -1;
	int ret = volume_users(s, name, &users, err);
	if (ret == 0 && users && !force) {
		ret = holt_err_set(err, 0,
				   "volume \"%s\" is in use by container \"%s\" (remove the "
				   "container first, or use volume rm -f)",
				   name, users[0]);
		err->errnum = EBUSY;
	}
	if (ret == 0)
		ret = volume_remove(s, name, err);
	store_unlock(s);
	return ret;
}

/* Removes anonymous volume name when no container uses it and it still exists. */
static int remove_if_unused(struct store *s, const char *name, struct holt_err *err)
{
	cleanup_strv char **users = NULL;
	struct holt_err e = {0};
	if (volume_users(s, name, &users, err) < 0)
		return -1;
	if (users)
		return 0; /* shared by --volumes-from: the last to go removes it */
	cleanup_volume struct volume *v = volume_lookup(s, name, &e);
	if (!v) {
		if (e.errnum == ENOENT) {
			holt_err_release(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	return volume_remove(s, name, err);
}

int container_remove_volumes(struct store *s, const struct container *c, struct holt_err *err)
{
	if (store_lock(s, err) < 0)
		return -1;
	int ret = 0;
	for (size_t i = 0; i < c->config.n_mounts && ret == 0; i++) {
		const struct mount_spec *m = &c->config.mounts[i];
		if (m->type == MOUNT_VOLUME && m->anonymous && m->source)
			ret = remove_if_unused(s, m->source, err);
	}
	store_unlock(s);
	return ret;
}
