#include "core/inspect.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container_volumes.h"
#include "core/netns.h"
#include "core/spec.h"
#include "storage/reference.h"

#include <string.h>

static const char zero_time[] = "0001-01-01T00:00:00Z";

static json_object *str_or_empty(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static json_object *strv_json(char *const *v)
{
	if (!v)
		return NULL; /* docker prints null */
	json_object *a = json_object_new_array();
	for (size_t i = 0; v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *state_json(const struct container *c)
{
	const struct container_state *s = &c->state;
	json_object *st = json_object_new_object();
	json_object_object_add(st, "Status",
			       json_object_new_string(container_status_name(s->status)));
	json_object_object_add(st, "Running", json_object_new_boolean(container_is_running(c)));
	json_object_object_add(st, "Paused", json_object_new_boolean(s->status == STATUS_PAUSED));
	json_object_object_add(st, "Restarting",
			       json_object_new_boolean(s->status == STATUS_RESTARTING));
	json_object_object_add(st, "OOMKilled", json_object_new_boolean(false));
	json_object_object_add(st, "Dead", json_object_new_boolean(false));
	json_object_object_add(st, "Pid", json_object_new_int(s->pid));
	json_object_object_add(st, "ExitCode", json_object_new_int(s->exit_code));
	json_object_object_add(st, "Error", str_or_empty(s->error));
	json_object_object_add(st, "StartedAt",
			       json_object_new_string(s->started_at ? s->started_at : zero_time));
	json_object_object_add(st, "FinishedAt",
			       json_object_new_string(s->finished_at ? s->finished_at : zero_time));
	return st;
}

static json_object *config_json(const struct container *c, const struct process_spec *spec,
				const struct image *img)
{
	const struct container_config *cfg = &c->config;
	json_object *conf = json_object_new_object();
	char *const *ep = cfg->entrypoint_set ? cfg->entrypoint : img ? img->entrypoint : NULL;
	char *const *cmd = cfg->cmd ? cfg->cmd : !cfg->entrypoint_set && img ? img->cmd : NULL;

	json_object_object_add(conf, "Hostname", str_or_empty(cfg->hostname));
	json_object_object_add(conf, "Timezone", str_or_empty(cfg->timezone)); /* podman's */
	json_object_object_add(conf, "User",
			       str_or_empty(cfg->user ? cfg->user
					    : img     ? img->user
						      : NULL));
	json_object_object_add(conf, "AttachStdin", json_object_new_boolean(cfg->interactive));
	json_object_object_add(conf, "Tty", json_object_new_boolean(cfg->tty));
	json_object_object_add(conf, "OpenStdin", json_object_new_boolean(cfg->interactive));
	json_object_object_add(conf, "Env", strv_json(spec ? spec->env : cfg->env));
	json_object_object_add(conf, "Cmd", strv_json(cmd));
	json_object_object_add(conf, "Image", json_object_new_string(c->image_name));
	json_object_object_add(conf, "WorkingDir", str_or_empty(spec ? spec->cwd : cfg->workdir));
	json_object_object_add(conf, "Entrypoint", strv_json(ep));
	json_object_object_add(conf, "Labels", json_labels_object(cfg->labels));
	const char *sig = cfg->stop_signal ? cfg->stop_signal : img ? img->stop_signal : NULL;
	if (sig)
		json_object_object_add(conf, "StopSignal", json_object_new_string(sig));
	if (cfg->stop_timeout >= 0)
		json_object_object_add(conf, "StopTimeout", json_object_new_int(cfg->stop_timeout));
	return conf;
}

static json_object *host_config_json(const struct container *c)
{
	const struct container_config *cfg = &c->config;
	json_object *h = json_object_new_object();
	json_object *rp = json_object_new_object();

	container_net_to_json(cfg->network, &cfg->net, h);
	json_object_object_add(rp, "Name",
			       json_object_new_string(container_restart_name(cfg->restart)));
	json_object_object_add(rp, "MaximumRetryCount", json_object_new_int(cfg->restart_max));
	json_object_object_add(h, "RestartPolicy", rp);
	json_object_object_add(h, "AutoRemove", json_object_new_boolean(cfg->remove));
	json_object_object_add(h, "Init", json_object_new_boolean(cfg->init));
	security_to_json(&cfg->security, h);
	json_object_object_add(h, "LogConfig", container_log_config_json(cfg));
	json_object_object_add(h, "ReadonlyRootfs", json_object_new_boolean(cfg->read_only));
	json_object_object_add(h, "Binds", container_binds_json(c));
	json_object_object_add(h, "UsernsMode",
			       json_object_new_string(cfg->userns ? cfg->userns : ""));
	/* podman's: auto's slice, "inside:holt's id:count" */
	if (cfg->userns_size) {
		json_object *maps = json_object_new_object();
		for (int i = 0; i < 2; i++) {
			json_object *list = json_object_new_array();
			char *line = xasprintf("0:%lu:%lu", cfg->userns_base, cfg->userns_size);
			json_object_array_add(list, json_object_new_string(line));
			free(line);
			json_object_object_add(maps, i ? "GidMap" : "UidMap", list);
		}
		json_object_object_add(h, "IDMappings", maps);
	}
	return h;
}

json_object *inspect_container(const struct container *c, const struct image *img,
			       const char *storage_driver)
{
	json_object *o = json_object_new_object();
	struct process_spec spec = {0};
	struct holt_err err = {0};
	bool have_spec = img && spec_build(&c->config, img, &spec, &err) == 0;
	holt_err_release(&err);

	json_object_object_add(o, "Id", json_object_new_string(c->id));
	json_object_object_add(o, "Created", json_object_new_string(c->created));
	json_object_object_add(o, "Path", json_object_new_string(have_spec ? spec.argv[0] : ""));
	json_object *args = json_object_new_array();
	for (size_t i = 1; have_spec && spec.argv[i]; i++)
		json_object_array_add(args, json_object_new_string(spec.argv[i]));
	json_object_object_add(o, "Args", args);
	json_object_object_add(o, "State", state_json(c));
	cleanup_free char *image = xasprintf("sha256:%s", c->image_id);
	json_object_object_add(o, "Image", json_object_new_string(image));
	cleanup_free char *log = container_log_path(c);
	json_object_object_add(o, "LogPath", json_object_new_string(log));
	cleanup_free char *name = xasprintf("/%s", c->name);
	json_object_object_add(o, "Name", json_object_new_string(name));
	json_object_object_add(o, "RestartCount", json_object_new_int(c->state.restart_count));
	if (storage_driver)
		json_object_object_add(o, "Driver", json_object_new_string(storage_driver));
	json_object_object_add(o, "HostConfig", host_config_json(c));
	json_object_object_add(o, "Mounts", container_mounts_json(c));
	json_object_object_add(o, "Config", config_json(c, have_spec ? &spec : NULL, img));
	json_object_object_add(o, "NetworkSettings", netns_settings_json(c));
	spec_release(&spec);
	return o;
}

/* The references in refs, as docker shows them; with tags_only, those with a tag only. */
static json_object *familiar_json(char *const *refs, bool tags_only)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; refs && refs[i]; i++) {
		struct holt_err ignored = {0};
		cleanup_reference struct reference r = {0};
		if (reference_parse(refs[i], &r, &ignored) < 0) {
			holt_err_release(&ignored);
			continue;
		}
		if (tags_only && (!r.tag || r.digest))
			continue;
		cleanup_free char *name = reference_familiar(&r);
		json_object_array_add(a, json_object_new_string(name));
	}
	return a;
}

/* The config's string at key as docker shows it: "" when absent. */
static json_object *config_string(json_object *config, const char *key)
{
	cleanup_free char *s = json_get_string(config, key);
	return str_or_empty(s);
}

/* The runtime config: what struct image holds, and the labels. */
static json_object *image_config_json(const struct image *img, json_object *config)
{
	json_object *conf = json_object_new_object(), *rt, *labels = NULL;

	json_object_object_add(conf, "User", str_or_empty(img->user));
	json_object_object_add(conf, "Env", strv_json(img->env));
	json_object_object_add(conf, "Cmd", strv_json(img->cmd));
	json_object_object_add(conf, "WorkingDir", str_or_empty(img->workdir));
	json_object_object_add(conf, "Entrypoint", strv_json(img->entrypoint));
	if (json_object_object_get_ex(config, "config", &rt) &&
	    json_object_object_get_ex(rt, "Labels", &labels))
		json_object_get(labels);
	json_object_object_add(conf, "Labels", labels); /* docker prints null for none */
	if (img->stop_signal)
		json_object_object_add(conf, "StopSignal",
				       json_object_new_string(img->stop_signal));
	return conf;
}

/* {"Type": "layers", "Layers": [diff ids]} */
static json_object *rootfs_json(json_object *config)
{
	json_object *fs = json_object_new_object(), *layers = json_object_new_array();
	json_object *rootfs, *diff_ids;

	if (json_object_object_get_ex(config, "rootfs", &rootfs) &&
	    json_object_object_get_ex(rootfs, "diff_ids", &diff_ids) &&
	    json_object_is_type(diff_ids, json_type_array))
		for (size_t i = 0; i < json_object_array_length(diff_ids); i++)
			json_object_array_add(
			    layers, json_object_get(json_object_array_get_idx(diff_ids, i)));
	json_object_object_add(fs, "Type", json_object_new_string("layers"));
	json_object_object_add(fs, "Layers", layers);
	return fs;
}

json_object *inspect_image(const struct image *img, const struct image_detail *d)
{
	json_object *o = json_object_new_object();
	cleanup_free char *id = xasprintf("sha256:%s", img->id);
	cleanup_free char *variant = json_get_string(d->config, "variant");
	char created[32];
	struct tm tm;

	gmtime_r(&img->created, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* in docker's order */
	json_object_object_add(o, "Id", json_object_new_string(id));
	json_object_object_add(o, "RepoTags", familiar_json(img->names, true));
	json_object_object_add(o, "RepoDigests", familiar_json(d->repo_digests, false));
	json_object_object_add(o, "Comment", config_string(d->config, "comment"));
	json_object_object_add(o, "Created", json_object_new_string(created));
	json_object_object_add(o, "Author", config_string(d->config, "author"));
	json_object_object_add(o, "Config", image_config_json(img, d->config));
	json_object_object_add(o, "Architecture", config_string(d->config, "architecture"));
	if (variant && *variant)
		json_object_object_add(o, "Variant", json_object_new_string(variant));
	json_object_object_add(o, "Os", config_string(d->config, "os"));
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)img->size));
	json_object_object_add(o, "RootFS", rootfs_json(d->config));
	return o;
}
