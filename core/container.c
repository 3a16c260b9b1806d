/* Container records: creation with a fresh id and a unique name, renaming and removal.
 * Names are claimed with symlink(2) under containers/names/, which fails atomically on a
 * conflict, so no lock is needed for them. */
#include "core/container.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container_record.h"
#include "core/names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

void container_config_release(struct container_config *c)
{
	free(c->name);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->hostname);
	strv_free(c->labels);
	free(c->stop_signal);
	container_net_release(&c->net);
	memset(c, 0, sizeof *c);
}

void container_free(struct container *c)
{
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

static char *new_id(void)
{
	unsigned char raw[32];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n > 0)
			got += (size_t)n;
	}
	char *hex = xmalloc(65);
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return hex;
}

static int write_text(const char *dir, const char *file, const char *text, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return holt_err_set(err, errno, "write \"%s\"", path);
	return 0;
}

static char *host_resolv_conf(void)
{
	cleanup_file FILE *f = fopen(container_net_host_resolv_path(), "re");
	char *text = NULL;
	size_t len = 0;
	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		return xstrdup("");
	}
	return text;
}

/* The files bind-mounted over the image's /etc/hostname, /etc/hosts, /etc/resolv.conf. */
static int write_etc_files(const struct container *c, struct holt_err *err)
{
	const struct container_config *cfg = &c->config;
	const char *dir = c->dir;
	cleanup_free char *hn = xasprintf("%s\n", cfg->hostname);
	cleanup_free char *hosts =
	    container_net_hosts(cfg->network, &cfg->net, cfg->hostname, c->name);
	cleanup_free char *host_resolv = host_resolv_conf();
	cleanup_free char *resolv = container_net_resolv(cfg->network, &cfg->net, host_resolv);

	if (write_text(dir, "hostname", hn, err) < 0 || write_text(dir, "hosts", hosts, err) < 0 ||
	    write_text(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

static const char *const restart_names[] = {"no", "on-failure", "always", "unless-stopped"};

const char *container_restart_name(enum restart_policy p)
{
	return restart_names[p];
}

static json_object *host_config_json(const struct container_config *cfg)
{
	json_object *host = json_object_new_object();
	json_object *restart = json_object_new_object();
	json_object *log = json_object_new_object();
	json_object *log_opts = json_object_new_object();

	container_net_to_json(cfg->network, &cfg->net, host);
	json_object_object_add(host, "AutoRemove", json_object_new_boolean(cfg->remove));
	json_object_object_add(host, "Init", json_object_new_boolean(cfg->init));
	json_object_object_add(host, "Memory", json_object_new_int64((int64_t)cfg->memory));
	json_object_object_add(host, "NanoCpus", json_object_new_int64((int64_t)cfg->nano_cpus));
	json_object_object_add(restart, "Name",
			       json_object_new_string(container_restart_name(cfg->restart)));
	json_object_object_add(restart, "MaximumRetryCount", json_object_new_int(cfg->restart_max));
	json_object_object_add(host, "RestartPolicy", restart);
	json_object_object_add(log, "Type", json_object_new_string("k8s-file"));
	if (cfg->log_max_size) {
		cleanup_free char *size = xasprintf("%" PRIu64, cfg->log_max_size);
		json_object_object_add(log_opts, "max-size", json_object_new_string(size));
	}
	json_object_object_add(log, "Config", log_opts);
	json_object_object_add(host, "LogConfig", log);
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

static int claim_name(struct store *s, const char *name, const char *id, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/containers/names", store_root(s));
	cleanup_free char *link = xasprintf("%s/%s", dir, name);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	if (symlink(id, link) == 0)
		return 0;
	if (errno == EEXIST)
		return holt_err_set(err, 0,
				    "container name \"%s\": already in use (remove that "
				    "container or choose another name)",
				    name);
	return holt_err_set(err, errno, "claim container name \"%s\"", name);
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

static int claim_generated_name(struct store *s, struct container *c, struct holt_err *err)
{
	for (int tries = 0;; tries++) {
		cleanup_free char *name = names_generate(tries > 8);
		struct holt_err e = {0};
		if (claim_name(s, name, c->id, &e) == 0) {
			c->name = steal_pointer(&name);
			return 0;
		}
		if (tries > 16) {
			*err = e;
			return -1;
		}
		holt_err_release(&e);
	}
}

struct container *container_create(struct store *s, const struct container_config *config,
				   const struct image *img, const char *image_name,
				   struct holt_err *err)
{
	cleanup_container struct container *c = xzalloc(sizeof *c);

	c->id = new_id();
	c->image_id = xstrdup(img->id);
	c->image_name = xstrdup(image_name);
	c->created = util_now_rfc3339();
	c->config = *config;
	c->config.name = NULL;
	c->config.cmd = strv_dup(config->cmd);
	c->config.entrypoint = strv_dup(config->entrypoint);
	c->config.env = strv_dup(config->env);
	c->config.labels = strv_dup(config->labels);
	c->config.workdir = config->workdir ? xstrdup(config->workdir) : NULL;
	c->config.user = config->user ? xstrdup(config->user) : NULL;
	c->config.stop_signal = config->stop_signal ? xstrdup(config->stop_signal) : NULL;
	c->config.hostname = config->hostname ? xstrdup(config->hostname) : xstrndup(c->id, 12);
	container_net_copy(&c->config.net, &config->net);
	char host_name[256];
	/* docker: the host's network, the host's name */
	if (!config->hostname && config->network == NETWORK_HOST &&
	    gethostname(host_name, sizeof host_name) == 0) {
		free(c->config.hostname);
		c->config.hostname = xstrndup(host_name, sizeof host_name);
	}
	c->dir = xasprintf("%s/containers/%s", store_root(s), c->id);
	c->run_dir = xasprintf("%s/containers/%s", store_runroot(s), c->id);

	if (config->name) {
		if (!names_valid(config->name))
			return holt_err_set(err, 0,
					    "container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
					    "are allowed",
					    config->name),
			       NULL;
		c->name = xstrdup(config->name);
		if (claim_name(s, c->name, c->id, err) < 0)
			return NULL;
	} else if (claim_generated_name(s, c, err) < 0) {
		return NULL;
	}

	if (make_dirs(c->dir, err) < 0 || write_etc_files(c, err) < 0)
		goto fail;
	json_object *obj = config_json(c);
	int r = container_write_json(c, "config.json", obj, err);
	json_object_put(obj);
	if (r < 0)
		goto fail;
	return steal_pointer(&c);
fail:
	store_remove_tree(c->dir, &(struct holt_err){0});
	release_name(s, c->name);
	return NULL;
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
	json_object *obj = config_json(c);
	int r = container_write_json(c, "config.json", obj, err);
	json_object_put(obj);
	if (r < 0) {
		release_name(s, name);
		free(c->name);
		c->name = steal_pointer(&old);
		return -1;
	}
	release_name(s, old);
	return 0;
}

int container_remove(struct store *s, struct container *c, struct holt_err *err)
{
	if (store_remove_tree(c->dir, err) < 0)
		return holt_err_wrap(err, "remove container \"%s\"", c->name);
	store_remove_tree(c->run_dir, &(struct holt_err){0});
	release_name(s, c->name);
	return 0;
}
