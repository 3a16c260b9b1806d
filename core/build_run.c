/* RUN: a container made from the stage's image as `holt run` makes one, with the stage's
 * env, workdir and user; what it changed becomes the step's layer, as `holt commit`
 * packs it. The container is removed whatever happens. */
#include "core/base/util.h"
#include "core/build_stage.h"
#include "core/container_changes.h"
#include "core/container_volumes.h"
#include "core/idmap_range.h"
#include "core/run.h"
#include "core/spec.h"
#include "storage/layer_pack.h"
#include "storage/store.h"

#include <string.h>

/* The command: the exec form as written, else SHELL with the line (the shell expands it,
 * as docker leaves it to the shell). A heredoc goes to the shell as its script when it is
 * the whole command, else as a heredoc of the command line. */
static char **run_argv(const struct build_stage *st, const struct dockerfile_instruction *in)
{
	if (in->json)
		return strv_dup(in->json);
	char **argv = strv_dup(st->shell);
	const char *args = in->args + strspn(in->args, " \t");
	if (in->n_heredocs == 1 && !strncmp(args, "<<", 2) && !strpbrk(args, " \t")) {
		strv_push(&argv, in->heredocs[0].body);
		return argv;
	}
	cleanup_free char *line = xstrdup(args);
	for (size_t i = 0; i < in->n_heredocs; i++) {
		char *next =
		    xasprintf("%s\n%s%s", line, in->heredocs[i].body, in->heredocs[i].name);
		free(line);
		line = next;
	}
	strv_push(&argv, line);
	return argv;
}

/* Env for the command: the ARGs in scope, under the stage's ENV (which wins). */
static char **run_env(const struct build_stage *st)
{
	char **env = strv_dup(st->args);
	cleanup_strv char **image_env = json_get_strv(st->config, "Env");
	for (char **e = image_env; e && *e; e++)
		spec_env_set(&env, *e);
	return env;
}

/* Whether this user namespace maps one id; said once a build, when RUN first runs. */
static bool single_id_map(struct build_stage *st)
{
	cleanup_free char *range = idmap_range_text("uid");
	bool single = range && !strcmp(range, "0-0");
	if (single && !st->b->fake_root_said && st->b->o->warn) {
		st->b->o->warn(st->b->o->ctx,
			       "RUN: no subordinate ids, so chown and setuid calls succeed "
			       "without effect and file owners are recorded as root (and apt runs "
			       "without its _apt sandbox)");
		st->b->fake_root_said = true;
	}
	return single;
}

struct run_flags {
	enum container_network network;
	char **mounts; /* --mount values, expanded */
	char **rw;     /* the targets of binds with rw, copied when the step runs */
};

static int parse_flags(const struct build_stage *st, const struct dockerfile_instruction *in,
		       struct run_flags *f, struct holt_err *err)
{
	cleanup_strv char **vars = build_stage_vars(st);

	f->network = st->b->o->network;
	for (char **fl = in->flags; fl && *fl; fl++) {
		cleanup_free char *v = dockerfile_expand(*fl, vars, st->b->df->escape, err);
		if (!v)
			return -1;
		if (!strncmp(v, "--network=", 10)) {
			const char *n = v + 10;
			if (!strcmp(n, "none"))
				f->network = NETWORK_NONE;
			else if (!strcmp(n, "host"))
				f->network = NETWORK_HOST;
			else if (!strcmp(n, "default"))
				f->network = st->b->o->network;
			else
				return holt_err_set(err, 0,
						    "--network=%s: holt takes none, host "
						    "or default",
						    n);
		} else if (!strncmp(v, "--mount=", 8)) {
			strv_push(&f->mounts, v + 8);
		} else if (!strncmp(v, "--security=", 11) && !strcmp(v + 11, "sandbox")) {
			continue;
		} else {
			return holt_err_set(err, 0, "unknown flag \"%s\"", v);
		}
	}
	return 0;
}

static int run_config(struct build_stage *st, const struct dockerfile_instruction *in,
		      struct run_flags *f, struct container_config *cfg, char *mounts_key,
		      struct holt_err *err)
{
	cleanup_digest struct digest *d = digest_new();

	memset(cfg, 0, sizeof *cfg);
	cfg->cmd = run_argv(st, in);
	/* the image's entrypoint is not RUN's: an empty one clears it */
	cfg->entrypoint_set = true;
	strv_push(&cfg->entrypoint, "");
	cfg->env = run_env(st);
	cfg->workdir = json_get_string(st->config, "WorkingDir");
	cfg->user = json_get_string(st->config, "User");
	cfg->network = f->network;
	cfg->stop_timeout = -1;
	cfg->log_max_size = LOG_SIZE_DEFAULT;
	/* an init passes ^C on to the command, which pid 1 of a namespace would ignore */
	cfg->init = true;
	/* One id mapped (no subordinate ids): chown and setuid calls, which would stop
	 * package managers, succeed without effect (--security-opt fake-root-ids). */
	if (single_id_map(st) && (security_opt(&cfg->security, "fake-root-ids", err) < 0 ||
				  build_mounts_apt_sandbox(st, cfg, err) < 0))
		return -1;
	for (char **m = f->mounts; m && *m; m++)
		if (build_mounts(st, *m, cfg, d, &f->rw, err) < 0)
			return -1;
	digest_final(d, mounts_key);
	return 0;
}

struct pack {
	struct id_shift shift;
	struct changes changes;
	char *top;
};

static int write_layer(void *ctx, int fd, struct holt_err *err)
{
	const struct pack *p = ctx;
	return layer_pack(&p->changes, p->top, fd, err);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Leaves out of the layer the mount points that RUN --mount made (BuildKit's layers have
 * none), and then the dirs made only to hold them. */
static void drop_mount_points(struct changes *ch, const struct container_config *cfg)
{
	bool dropped = true;
	for (size_t m = 0; m < cfg->n_mounts; m++)
		for (size_t i = 0; i < ch->n; i++)
			if (ch->v[i].kind == CHANGE_ADD &&
			    !strcmp(ch->v[i].path, cfg->mounts[m].destination))
				ch->v[i].kind = 0;
	while (dropped) {
		dropped = false;
		for (size_t i = 0; i < ch->n; i++) {
			if (ch->v[i].kind != CHANGE_ADD)
				continue;
			bool had = false, has = false;
			for (size_t m = 0; m < cfg->n_mounts; m++)
				had |= under(cfg->mounts[m].destination, ch->v[i].path);
			for (size_t j = 0; had && j < ch->n; j++)
				has |= ch->v[j].kind && under(ch->v[j].path, ch->v[i].path);
			if (had && !has) {
				ch->v[i].kind = 0;
				dropped = true;
			}
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < ch->n; i++) {
		if (ch->v[i].kind)
			ch->v[k++] = ch->v[i];
		else
			free(ch->v[i].path);
	}
	ch->n = k;
}

/* The scratch copies of rw binds, gone with the step; what cannot be removed now goes
 * with the staging dir when the build ends. */
static void remove_scratch(char *const *scratch)
{
	for (char *const *d = scratch; d && *d; d++) {
		struct holt_err e = {0};
		if (store_remove_tree(*d, &e) < 0)
			holt_err_release(&e);
	}
}

/* Runs c to its end; a non-zero status fails the step. */
static int run_container(struct build_stage *st, struct container *c, struct holt_err *err)
{
	struct process_spec spec = {0};
	int status = 0;

	if (spec_build(&c->config, st->image, &spec, err) < 0)
		return -1;
	struct run_request req = {
	    .store = st->b->s,
	    .container = c,
	    .image = st->image,
	    .spec = &spec,
	    .storage_driver = st->b->o->storage_driver,
	    .cancel = st->b->o->cancel,
	};
	int ret = run_foreground(&req, &status, err);
	spec_release(&spec);
	if (ret < 0)
		return -1;
	if (status)
		return holt_err_set_code(err, BUILD_RUN_FAILED,
					 "the command returned a non-zero code: %d", status);
	return 0;
}

int build_run(struct build_stage *st, const struct dockerfile_instruction *in, struct holt_err *err)
{
	struct run_flags f = {0};
	struct container_config cfg;
	char key[DIGEST_STR_SIZE], mounts_key[DIGEST_STR_SIZE];

	if (!st->image)
		return holt_err_set(err, 0, "there is no image to run it in (FROM scratch)");
	int ret = parse_flags(st, in, &f, err);
	if (ret == 0 && (ret = run_config(st, in, &f, &cfg, mounts_key, err)) < 0)
		container_config_release(&cfg);
	strv_free(f.mounts);
	cleanup_strv char **rw = steal_pointer(&f.rw);
	if (ret < 0)
		return -1;
	cleanup_strv char **args = strv_dup(st->args);
	strv_sort(args);
	cleanup_free char *what = xasprintf("RUN %d %s %s", f.network, mounts_key, in->text);
	for (char **a = args; a && *a; a++) {
		char *next = xasprintf("%s\n%s", what, *a);
		free(what);
		what = next;
	}
	build_key(key, st->key, what);
	int cached = build_stage_cached(st, key, err);
	if (cached != 0) {
		container_config_release(&cfg);
		return cached < 0 ? -1 : 0;
	}

	cleanup_strv char **scratch = NULL;
	if (build_mounts_copy_rw(st, &cfg, rw, &scratch, err) < 0) {
		container_config_release(&cfg);
		remove_scratch(scratch);
		return -1;
	}
	cleanup_container struct container *c =
	    container_create_with_mounts(st->b->s, &cfg, st->image, st->image_id, err);
	container_config_release(&cfg);
	if (!c) {
		remove_scratch(scratch);
		return -1;
	}
	struct pack p = {0};
	ret = run_container(st, c, err);
	if (ret == 0)
		ret = container_changes(c, st->image, &p.shift, &p.changes, &p.top, err);
	if (ret == 0)
		drop_mount_points(&p.changes, &c->config);
	if (ret == 0)
		ret = build_stage_commit(st, key, in->text, write_layer, &p, err);
	changes_release(&p.changes);
	free(p.top);
	struct holt_err rm = {0};
	int removed = container_remove(st->b->s, c, &rm);
	remove_scratch(scratch);
	if (removed < 0) {
		if (ret == 0) {
			*err = rm;
			return -1;
		}
		holt_err_release(&rm);
	}
	return ret < 0 ? -1 : 0;
}
