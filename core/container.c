/* Container records: creation with a fresh id and a unique name, renaming and removal.
 * Names are claimed with symlink(2) under containers/names/, which fails atomically on a
 * conflict, so no lock is needed for them. */
#include "core/container.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container_events.h"
#include "core/container_record.h"
#include "core/names.h"
#include "core/netns_user.h"
#include "core/timezone.h"
#include "core/userns_auto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

void container_config_release(struct container_config *c)
{
	free(c->name);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->userns);
	free(c->hostname);
	free(c->timezone);
	free(c->log_path);
	strv_free(c->labels);
	free(c->stop_signal);
	mount_specs_free(c->mounts, c->n_mounts);
	strv_free(c->volumes_from);
	container_net_release(&c->net);
	security_release(&c->security);
	memset(c, 0, sizeof *c);
}

void container_free(struct container *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->name);
	free(c->dir);
	free(c->run_dir);
	free(c->image_id);
	free(c->image_name);
	free(c->created);
	free(c->state.started_at);
	free(c->state.finished_at);
	free(c->state.error);
	container_config_release(&c->config);
	free(c);
}

static int write_text(const char *dir, const char *file, const char *text, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return holt_err_set(err, errno, "write \"%s\"", path);
	return 0;
}

/* The files bind-mounted over the image's /etc/hostname, /etc/hosts, /etc/resolv.conf,
 * and /etc/localtime with --tz. */
static int write_etc_files(const struct container *c, struct holt_err *err)
{
	const struct container_config *cfg = &c->config;
	const char *dir = c->dir;
	cleanup_free char *hn = xasprintf("%s\n", cfg->hostname);
	cleanup_free char *hosts =
	    container_net_hosts(cfg->network, &cfg->net, cfg->hostname, c->name);
	cleanup_free char *host_resolv = container_net_host_resolv_text();
	cleanup_free char *resolv = container_net_resolv(cfg->network, &cfg->net, host_resolv);

	if (write_text(dir, "hostname", hn, err) < 0 || write_text(dir, "hosts", hosts, err) < 0 ||
	    write_text(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	if (cfg->timezone) {
		cleanup_free char *localtime = xasprintf("%s/localtime", dir);
		return timezone_install(cfg->timezone, localtime, err);
	}
	return 0;
}

static const char *const restart_names[] = {"no", "on-failure", "always", "unless-stopped"};

const char *container_restart_name(enum restart_policy p)
{
	return restart_names[p];
}

char *container_log_path(const struct container *c)
{
	if (c->config.log_path)
		return xstrdup(c->config.log_path);
	return xasprintf("%s/ctr.log", c->dir);
}

json_object *container_log_config_json(const struct container_config *cfg)
{
	json_object *log = json_object_new_object();
	json_object *opts = json_object_new_object();
	cleanup_free char *size = cfg->log_max_size == LOG_SIZE_UNLIMITED
				      ? xstrdup("-1")
				      : xasprintf("%" PRIu64, cfg->log_max_size);
	json_object_object_add(log, "Type",
			       json_object_new_string(logfile_driver_name(cfg->log_driver)));
	json_object_object_add(opts, "max-size", json_object_new_string(size));
	json_add_string(opts, "path", cfg->log_path);
	json_object_object_add(log, "Config", opts);
	return log;
}

static json_object *host_config_json(const struct container_config *cfg)
{
	json_object *host = json_object_new_object();
	json_object *restart = json_object_new_object();

	container_net_to_json(cfg->network, &cfg->net, host);
	json_object_object_add(host, "AutoRemove", json_object_new_boolean(cfg->remove));
	json_object_object_add(host, "Init", json_object_new_boolean(cfg->init));
	security_to_json(&cfg->security, host);
	json_object_object_add(host, "Memory", json_object_new_int64((int64_t)cfg->memory));
	json_object_object_add(host, "NanoCpus", json_object_new_int64((int64_t)cfg->nano_cpus));
	json_object_object_add(host, "Mounts", mount_specs_to_json(cfg->mounts, cfg->n_mounts));
	json_object_object_add(host, "ReadonlyRootfs", json_object_new_boolean(cfg->read_only));
	json_add_string(host, "UsernsMode", cfg->userns);
	if (cfg->userns_size) {
		json_object *slice = json_object_new_object();
		json_object_object_add(slice, "Base",
				       json_object_new_int64((int64_t)cfg->userns_base));
		json_object_object_add(slice, "Size",
				       json_object_new_int64((int64_t)cfg->userns_size));
		json_object_object_add(host, "HoltUsernsSlice", slice);
	}
	json_object_object_add(restart, "Name",
			       json_object_new_string(container_restart_name(cfg->restart)));
	json_object_object_add(restart, "MaximumRetryCount", json_object_new_int(cfg->restart_max));
	json_object_object_add(host, "RestartPolicy", restart);
	json_object_object_add(host, "LogConfig", container_log_config_json(cfg));
	return host;
}

static json_object *config_json(const struct container *c)
{
	const struct container_config *cfg = &c->config;
	json_object *root = json_object_new_object();
	json_object *conf = json_object_new_object();

	json_object_object_add(root, "Id", json_object_new_string(c->id));
	json_object_object_add(root, "Name", json_object_new_string(c->name));
	json_object_object_add(root, "Image", json_object_new_string(c->image_id));
	json_object_object_add(root, "ImageName", json_object_new_string(c->image_name));
	json_object_object_add(root, "Created", json_object_new_string(c->created));
	json_add_strv(conf, "Cmd", cfg->cmd);
	if (cfg->entrypoint_set)
		json_add_strv(conf, "Entrypoint",
			      cfg->entrypoint ? cfg->entrypoint : (char *[]){NULL});
	json_add_strv(conf, "Env", cfg->env);
	json_add_string(conf, "WorkingDir", cfg->workdir);
	json_add_string(conf, "User", cfg->user);
	json_add_string(conf, "Hostname", cfg->hostname);
	json_add_string(conf, "Timezone", cfg->timezone);
	json_object_object_add(conf, "Labels", json_labels_object(cfg->labels));
	json_add_string(conf, "StopSignal", cfg->stop_signal);
	if (cfg->stop_timeout >= 0)
		json_object_object_add(conf, "StopTimeout", json_object_new_int(cfg->stop_timeout));
	json_object_object_add(conf, "Tty", json_object_new_boolean(cfg->tty));
	json_object_object_add(conf, "OpenStdin", json_object_new_boolean(cfg->interactive));
	json_object_object_add(root, "Config", conf);
	json_object_object_add(root, "HostConfig", host_config_json(cfg));
	return root;
}

/* Whether the claim at link names a container with no record: one whose removal was
 * killed between its record and its name, or a record never finished by an older holt. */
static bool claim_is_stale(struct store *s, const char *link)
{
	char id[128];
	ssize_t n = readlink(link, id, sizeof id - 1);
	if (n <= 0)
		return false;
	id[n] = '\0';
	cleanup_free char *record = xasprintf("%s/containers/%s/config.json", store_root(s), id);
	return access(record, F_OK) < 0 && errno == ENOENT;
}

/* Whether the container holding name was an --rm one whose monitor was killed, which
 * reading its record removes (see container_lookup), so that the name is free again. */
static bool holder_reaped(struct store *s, const char *name)
{
	struct holt_err ignored = {0};
	cleanup_container struct container *holder = container_lookup(s, name, &ignored);
	holt_err_release(&ignored);
	cleanup_free char *link = xasprintf("%s/containers/names/%s", store_root(s), name);
	struct stat st;
	return !holder && lstat(link, &st) < 0 && errno == ENOENT;
}

static int claim_name(struct store *s, const char *name, const char *id, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/containers/names", store_root(s));
	cleanup_free char *link = xasprintf("%s/%s", dir, name);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	if (symlink(id, link) == 0)
		return 0;
	if (errno != EEXIST)
		return holt_err_set(err, errno, "claim container name \"%s\"", name);
	if (holder_reaped(s, name) && symlink(id, link) == 0)
		return 0;
	/* Taken back under the store lock, so that two commands cannot both take it. */
	if (claim_is_stale(s, link) && store_lock(s, err) == 0) {
		int r = claim_is_stale(s, link) && unlink(link) == 0 && symlink(id, link) == 0;
		store_unlock(s);
		if (r)
			return 0;
	}
	return holt_err_set(err, 0,
			    "container name \"%s\": already in use (remove that container or "
			    "choose another name)",
			    name);
}

static void release_name(struct store *s, const char *name)
{
	cleanup_free char *link = xasprintf("%s/containers/names/%s", store_root(s), name);
	unlink(link);
}

static int make_dirs(const char *dir, struct holt_err *err)
{
	static const char *const subdirs[] = {"", "/upper", "/work", "/merged"};
	for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++) {
		cleanup_free char *p = xasprintf("%s%s", dir, subdirs[i]);
		if (mkdir(p, i ? 0755 : 0700) < 0)
			return holt_err_set(err, errno, "create \"%s\"", p);
	}
	return 0;
}

static int write_config(struct container *c, struct holt_err *err)
{
	json_object *obj = config_json(c);
	int r = container_write_json(c, "config.json", obj, err);
	json_object_put(obj);
	return r;
}

int container_save_config(struct container *c, struct holt_err *err)
{
	return write_config(c, err);
}

/* Claims c's generated name, or another when it is taken, its record following. */
static int claim_generated_name(struct store *s, struct container *c, struct holt_err *err)
{
	for (int tries = 1;; tries++) {
		struct holt_err e = {0};
		if (claim_name(s, c->name, c->id, &e) == 0)
			return 0;
		if (tries > 16) {
			*err = e;
			return -1;
		}
		holt_err_release(&e);
		free(c->name);
		c->name = names_generate(tries > 8);
		if (write_etc_files(c, err) < 0 || write_config(c, err) < 0)
			return -1;
	}
}

/* --userns auto: chooses c's slice and writes it into its record, still in staging;
 * under the store lock, held until the record is in place. */
static int claim_slice(struct store *s, struct container *c, unsigned long size,
		       struct holt_err *err)
{
	if (!size)
		return 0;
	if (userns_auto_pick(s, size, &c->config.userns_base, err) < 0)
		return -1;
	c->config.userns_size = size;
	return write_config(c, err);
}

/* Writes config.json, which pins the image (see core/image_pins.h), under the store lock
 * and only while the image is still there: an rmi racing this either finished first,
 * and then the container is refused, or sees the record and keeps the image. */
/* Puts the record in place under the store lock, where rmi and prune look for the
 * containers that pin an image: either they see this container, or its image was removed
 * first and the create fails. */
static int record_pinning(struct store *s, struct container *c, const struct image *img,
			  const char *final, struct holt_err *err)
{
	struct keep_id k = {0};
	if (c->config.userns && keep_id_parse(c->config.userns, &k, err) < 0)
		return -1;
	if (k.nomap && userns_needs_subids("nomap", err) < 0)
		return -1;
	if (k.auto_size && !k.auto_sized)
		k.auto_size = userns_auto_image_size(img);
	if (store_lock(s, err) < 0)
		return -1;
	int r = claim_slice(s, c, k.auto_size, err);
	if (r == 0 && !image_exists(s, c->image_id))
		r = holt_err_set(err, ENOENT, "image \"%s\": removed while the container was made",
				 c->image_name);
	else if (r == 0 && rename(c->dir, final) < 0)
		r = holt_err_set(err, errno, "create \"%s\"", final);
	store_unlock(s);
	return r;
}

/* docker's: the host's name on the host's network, else the id's first 12 digits. */
static char *default_hostname(const struct container *c)
{
	struct utsname u;
	if (c->config.network == NETWORK_HOST && uname(&u) == 0)
		return xstrdup(u.nodename);
	return xstrndup(c->id, 12);
}

struct container *container_create(struct store *s, const struct container_config *config,
				   const struct image *img, const char *image_name,
				   struct holt_err *err)
{
	cleanup_container struct container *c = xzalloc(sizeof *c);

	c->id = random_hex64();
	c->image_id = xstrdup(img->id);
	c->image_name = xstrdup(image_name);
	c->created = util_now_rfc3339();
	c->config = *config;
	if (!c->config.log_max_size)
		c->config.log_max_size = LOG_SIZE_DEFAULT;
	c->config.name = NULL;
	c->config.cmd = strv_dup(config->cmd);
	c->config.entrypoint = strv_dup(config->entrypoint);
	c->config.env = strv_dup(config->env);
	c->config.labels = strv_dup(config->labels);
	c->config.workdir = config->workdir ? xstrdup(config->workdir) : NULL;
	c->config.user = config->user ? xstrdup(config->user) : NULL;
	c->config.userns = config->userns ? xstrdup(config->userns) : NULL;
	c->config.stop_signal = config->stop_signal ? xstrdup(config->stop_signal) : NULL;
	c->config.hostname = config->hostname ? xstrdup(config->hostname) : default_hostname(c);
	c->config.timezone = config->timezone ? xstrdup(config->timezone) : NULL;
	c->config.log_path = config->log_path ? xstrdup(config->log_path) : NULL;
	c->config.mounts = mount_specs_dup(config->mounts, config->n_mounts);
	c->config.volumes_from = NULL; /* already copied into mounts */
	container_net_copy(&c->config.net, &config->net);
	c->config.security = security_dup(&config->security);
	c->run_dir = xasprintf("%s/containers/%s", store_runroot(s), c->id);
	if (config->network == NETWORK_USER && netns_user_check(s, &config->net, err) < 0)
		return NULL;
	if (config->name && !names_valid(config->name))
		return holt_err_set(err, 0,
				    "container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				    "allowed",
				    config->name),
		       NULL;
	c->name = config->name ? xstrdup(config->name) : names_generate(false);

	/* The record is made whole in the staging dir and renamed into place before the
	 * name is claimed: a create killed at any point leaves nothing (the next command
	 * cleans tmp/) or a whole record, never a name without one. */
	const char *stage = store_staging_dir(s, err);
	if (!stage)
		return NULL;
	cleanup_free char *final = xasprintf("%s/containers/%s", store_root(s), c->id);
	c->dir = xasprintf("%s/%s", stage, c->id);
	if (make_dirs(c->dir, err) < 0 || write_etc_files(c, err) < 0 || write_config(c, err) < 0 ||
	    record_pinning(s, c, img, final, err) < 0) {
		store_remove_tree(c->dir, &(struct holt_err){0});
		return NULL;
	}
	free(c->dir);
	c->dir = steal_pointer(&final);
	if ((config->name ? claim_name(s, c->name, c->id, err) : claim_generated_name(s, c, err)) <
	    0) {
		store_remove_tree(c->dir, &(struct holt_err){0});
		return NULL;
	}
	container_event(c, "create", NULL);
	return steal_pointer(&c);
}

int container_rename(struct store *s, struct container *c, const char *name, struct holt_err *err)
{
	if (!names_valid(name))
		return holt_err_set(err, 0,
				    "container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				    "allowed",
				    name);
	if (claim_name(s, name, c->id, err) < 0)
		return -1;
	cleanup_free char *old = steal_pointer(&c->name);
	c->name = xstrdup(name);
	if (write_config(c, err) < 0) {
		release_name(s, name);
		free(c->name);
		c->name = steal_pointer(&old);
		return -1;
	}
	release_name(s, old);
	container_event(c, "rename", (const char *const[]){"oldName", old, NULL});
	return 0;
}

int container_remove(struct store *s, struct container *c, struct holt_err *err)
{
	if (store_remove_tree(c->dir, err) < 0)
		return holt_err_wrap(err, "remove container \"%s\"", c->name);
	store_remove_tree(c->run_dir, &(struct holt_err){0});
	release_name(s, c->name);
	container_event(c, "destroy", NULL);
	return 0;
}
