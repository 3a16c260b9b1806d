/* Container records: creation with a fresh id and a unique name, state changes, and
 * removal. Names are claimed with symlink(2) under containers/names/, which fails
 * atomically on a conflict, so no lock is needed for them. */
#include "core/container.h"
#include "core/json.h"
#include "core/names.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
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
	memset(c, 0, sizeof *c);
}

void container_free(struct container *c)
{
	free(c->id);
	free(c->name);
	free(c->dir);
	free(c->image_id);
	free(c->started_at);
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
	cleanup_file FILE *f = fopen("/etc/resolv.conf", "re");
	char *text = NULL;
	size_t len = 0;
	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		return xstrdup("");
	}
	return text;
}

/* The files bind-mounted over the image's /etc/hostname, /etc/hosts, /etc/resolv.conf. */
static int write_etc_files(const char *dir, const char *hostname, struct holt_err *err)
{
	cleanup_free char *hn = xasprintf("%s\n", hostname);
	cleanup_free char *hosts = xasprintf("127.0.0.1\tlocalhost\n"
					     "::1\tlocalhost ip6-localhost ip6-loopback\n"
					     "127.0.1.1\t%s\n",
					     hostname);
	cleanup_free char *resolv = host_resolv_conf();

	if (write_text(dir, "hostname", hn, err) < 0 || write_text(dir, "hosts", hosts, err) < 0 ||
	    write_text(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

static json_object *config_json(const struct container *c, const struct image *img)
{
	const struct container_config *cfg = &c->config;
	json_object *root = json_object_new_object();
	json_object *conf = json_object_new_object();
	json_object *host = json_object_new_object();
	cleanup_free char *created = util_now_rfc3339();

	json_object_object_add(root, "Id", json_object_new_string(c->id));
	json_object_object_add(root, "Name", json_object_new_string(c->name));
	json_object_object_add(root, "Image", json_object_new_string(c->image_id));
	json_object_object_add(
	    root, "ImageName",
	    json_object_new_string(img->names && img->names[0] ? img->names[0] : img->id));
	json_object_object_add(root, "Created", json_object_new_string(created));
	json_add_strv(conf, "Cmd", cfg->cmd);
	if (cfg->entrypoint_set)
		json_add_strv(conf, "Entrypoint", cfg->entrypoint);
	json_add_strv(conf, "Env", cfg->env);
	json_add_string(conf, "WorkingDir", cfg->workdir);
	json_add_string(conf, "User", cfg->user);
	json_add_string(conf, "Hostname", cfg->hostname);
	json_object_object_add(conf, "Tty", json_object_new_boolean(cfg->tty));
	json_object_object_add(conf, "OpenStdin", json_object_new_boolean(cfg->interactive));
	json_object_object_add(root, "Config", conf);
	json_object_object_add(
	    host, "NetworkMode",
	    json_object_new_string(cfg->network == NETWORK_HOST ? "host" : "none"));
	json_object_object_add(host, "AutoRemove", json_object_new_boolean(cfg->remove));
	json_object_object_add(root, "HostConfig", host);
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

static int write_json(struct store *s, const struct container *c, const char *file,
		      json_object *obj, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", c->dir, file);
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);

	/* An --rm container's record dies with it: skip the fsync on its start-up path. */
	if (c->config.remove)
		return write_text(c->dir, file, text, err);
	return store_write_file(s, path, text, strlen(text), err);
}

struct container *container_create(struct store *s, const struct container_config *config,
				   const struct image *img, struct holt_err *err)
{
	cleanup_container struct container *c = xzalloc(sizeof *c);

	c->id = new_id();
	c->image_id = xstrdup(img->id);
	c->config = *config;
	c->config.name = NULL;
	c->config.cmd = strv_dup(config->cmd);
	c->config.entrypoint = strv_dup(config->entrypoint);
	c->config.env = strv_dup(config->env);
	c->config.workdir = config->workdir ? xstrdup(config->workdir) : NULL;
	c->config.user = config->user ? xstrdup(config->user) : NULL;
	c->config.hostname = config->hostname ? xstrdup(config->hostname) : xstrndup(c->id, 12);
	c->dir = xasprintf("%s/containers/%s", store_root(s), c->id);

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
	} else {
		for (int tries = 0;; tries++) {
			c->name = names_generate(tries > 8);
			struct holt_err e = {0};
			if (claim_name(s, c->name, c->id, &e) == 0)
				break;
			if (tries > 16) {
				*err = e;
				free(c->name);
				c->name = NULL;
				return NULL;
			}
			holt_err_release(&e);
			free(c->name);
			c->name = NULL;
		}
	}

	if (make_dirs(c->dir, err) < 0 || write_etc_files(c->dir, c->config.hostname, err) < 0)
		goto fail;
	json_object *obj = config_json(c, img);
	int r = write_json(s, c, "config.json", obj, err);
	json_object_put(obj);
	if (r < 0)
		goto fail;
	return steal_pointer(&c);
fail:
	store_remove_tree(c->dir, &(struct holt_err){0});
	release_name(s, c->name);
	return NULL;
}

static int write_state(struct store *s, struct container *c, const char *status, pid_t pid,
		       int exit_code, struct holt_err *err)
{
	json_object *st = json_object_new_object();
	cleanup_free char *now = util_now_rfc3339();

	json_object_object_add(st, "Status", json_object_new_string(status));
	json_object_object_add(st, "Pid", json_object_new_int(pid));
	json_object_object_add(st, "ExitCode", json_object_new_int(exit_code));
	if (!c->started_at)
		c->started_at = xstrdup(now);
	json_object_object_add(st, "StartedAt", json_object_new_string(c->started_at));
	if (strcmp(status, "running"))
		json_object_object_add(st, "FinishedAt", json_object_new_string(now));
	int r = write_json(s, c, "state.json", st, err);
	json_object_put(st);
	return r;
}

int container_set_running(struct store *s, struct container *c, pid_t pid, struct holt_err *err)
{
	return write_state(s, c, "running", pid, 0, err);
}

int container_set_exited(struct store *s, struct container *c, int exit_code, struct holt_err *err)
{
	return write_state(s, c, "exited", 0, exit_code, err);
}

int container_remove(struct store *s, struct container *c, struct holt_err *err)
{
	if (store_remove_tree(c->dir, err) < 0)
		return holt_err_wrap(err, "remove container \"%s\"", c->name);
	release_name(s, c->name);
	return 0;
}
