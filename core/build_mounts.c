/* RUN --mount as BuildKit spells it, made into the same mount specs `holt run --mount`
 * takes: cache (a dir under the store that outlives builds, one per id), bind (from the
 * context, another stage or a --build-context; read-only, or with rw a scratch copy the
 * step may write and that goes after it), tmpfs, and secret (a file given with --secret,
 * read-only, never in a layer or the cache key). */
#include "core/base/util.h"
#include "core/build_stage.h"
#include "storage/rootfs.h"
#include "storage/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mount_opts {
	char *type, *target, *source, *from, *id, *mode;
	bool rw, readonly_given;
};

static void opts_release(struct mount_opts *m)
{
	free(m->type);
	free(m->target);
	free(m->source);
	free(m->from);
	free(m->id);
	free(m->mode);
}

static int opts_parse(const char *value, struct mount_opts *m, struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(value);
	char *save;

	m->type = xstrdup("bind");
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *v = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		char **slot =
		    !strcmp(kv, "type") ? &m->type
		    : !strcmp(kv, "target") || !strcmp(kv, "dst") || !strcmp(kv, "destination")
			? &m->target
		    : !strcmp(kv, "source") || !strcmp(kv, "src") ? &m->source
		    : !strcmp(kv, "from")			  ? &m->from
		    : !strcmp(kv, "id")				  ? &m->id
		    : !strcmp(kv, "mode")			  ? &m->mode
								  : NULL;
		if (slot) {
			free(*slot);
			*slot = xstrdup(v);
		} else if (!strcmp(kv, "rw") || !strcmp(kv, "readwrite")) {
			m->rw = !eq || !strcmp(v, "true");
		} else if (!strcmp(kv, "ro") || !strcmp(kv, "readonly")) {
			m->readonly_given = !eq || !strcmp(v, "true");
			m->rw = !m->readonly_given;
		} else if (strcmp(kv, "sharing") && strcmp(kv, "required") && strcmp(kv, "uid") &&
			   strcmp(kv, "gid")) {
			return holt_err_set(err, 0, "--mount: unknown option \"%s\"", kv);
		}
	}
	return 0;
}

static struct mount_spec *add(struct container_config *cfg, enum mount_type type,
			      const char *source, const char *target, bool readonly)
{
	cfg->mounts = xrealloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof *cfg->mounts);
	struct mount_spec *s = &cfg->mounts[cfg->n_mounts++];
	memset(s, 0, sizeof *s);
	s->type = type;
	s->source = source ? xstrdup(source) : NULL;
	s->destination = xstrdup(target);
	s->mode = xstrdup("");
	s->readonly = readonly;
	return s;
}

/* The digest of what a bind shows, for the cache key: paths, modes and contents. */
static int tree_digest(struct build *b, const struct build_tree *t, const char *rel,
		       struct digest *d, struct holt_err *err)
{
	struct stat st;
	char hash[DIGEST_STR_SIZE];
	cleanup_free char *host = build_tree_find(t, rel, &st);
	if (!host)
		return holt_err_set_code(err, ENOENT, "\"%s\": not found", rel);
	cleanup_free char *line = xasprintf("%s %o\n", rel, st.st_mode);
	digest_update(d, line, strlen(line));
	if (S_ISREG(st.st_mode)) {
		if (build_file_digest(b, host, &st, hash, err) < 0)
			return -1;
		digest_update(d, hash, strlen(hash));
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	cleanup_strv char **names = build_tree_list(t, rel);
	for (char **n = names; *n; n++) {
		cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, *n) : xstrdup(*n);
		if (tree_digest(b, t, child, d, err) < 0)
			return -1;
	}
	return 0;
}

/* A bind from the context, a --build-context or a stage: only the top layer's copy of
 * an image's path can be bound (a dir spread over layers shows its top part). */
static int add_bind(struct build_stage *st, const struct mount_opts *m,
		    struct container_config *cfg, struct digest *key, char ***rw,
		    struct holt_err *err)
{
	struct build *b = st->b;
	struct build_tree t = {0};
	cleanup_image struct image *img = NULL;
	cleanup_free char *rel = NULL;
	const char *src = m->source ? m->source : "";

	rel = xstrdup(src + strspn(src, "/"));
	while (*rel && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	for (char **bc = b->o->build_contexts; m->from && bc && *bc; bc++) {
		size_t len = strcspn(*bc, "=");
		if (strlen(m->from) == len && !strncmp(*bc, m->from, len))
			strv_push(&t.roots, *bc + len + 1);
	}
	if (t.roots) {
		t.n = 1;
	} else if (m->from) {
		long n = dockerfile_stage_index(b->df, m->from);
		img = n >= 0 && (size_t)n < st->n ? image_lookup(b->s, b->stage_ids[n], err)
						  : b->o->image(b->o->ctx, m->from, false, err);
		if (!img)
			return holt_err_wrap(err, "--mount from=%s", m->from);
		build_tree_image(&t, img);
	} else if (b->o->context) {
		strv_push(&t.roots, b->o->context);
		t.n = 1;
		t.ignore = b->ignore;
	} else {
		return holt_err_set(err, 0, "--mount type=bind: no build context");
	}
	struct stat sb;
	cleanup_free char *host = build_tree_find(&t, rel, &sb);
	int ret = host ? tree_digest(b, &t, rel, key, err)
		       : holt_err_set_code(err, ENOENT, "--mount source \"%s\": not found", src);
	build_tree_release(&t);
	if (ret < 0)
		return -1;
	/* rw: the source is copied only when the step runs (build_mounts_copy_rw) */
	add(cfg, MOUNT_BIND, host, m->target, !m->rw);
	if (m->rw)
		strv_push(rw, m->target);
	return 0;
}

/* type=cache: <root>/build-mounts/<digest of id>, made on first use. */
static int add_cache(struct build_stage *st, const struct mount_opts *m,
		     struct container_config *cfg, struct holt_err *err)
{
	char d[DIGEST_STR_SIZE];
	const char *id = m->id && *m->id ? m->id : m->target ? m->target : "";
	digest_buf(id, strlen(id), d);
	cleanup_free char *dir =
	    xasprintf("%s/build-mounts/%.16s", store_root(st->b->s), digest_hex(d));
	if (mkdir_p(dir, 0755) < 0)
		return holt_err_set(err, errno, "create the cache mount \"%s\"", dir);
	add(cfg, MOUNT_BIND, dir, m->target, !m->rw && m->readonly_given);
	return 0;
}

static int add_secret(struct build_stage *st, const struct mount_opts *m,
		      struct container_config *cfg, struct holt_err *err)
{
	const char *slash = m->target ? strrchr(m->target, '/') : NULL;
	const char *id = m->id ? m->id : slash ? slash + 1 : m->target;
	if (!id || !*id)
		return holt_err_set(err, 0, "--mount type=secret needs id=");
	for (char **s = st->b->o->secrets; s && *s; s++) {
		size_t len = strcspn(*s, "=");
		if (strlen(id) != len || strncmp(*s, id, len))
			continue;
		cleanup_free char *target =
		    m->target ? xstrdup(m->target) : xasprintf("/run/secrets/%s", id);
		add(cfg, MOUNT_BIND, *s + len + 1, target, true);
		return 0;
	}
	return holt_err_set(err, 0, "secret \"%s\": not given (--secret id=%s,src=FILE)", id, id);
}

int build_mounts(struct build_stage *st, const char *value, struct container_config *cfg,
		 struct digest *key, char ***rw, struct holt_err *err)
{
	struct mount_opts m = {0};
	int ret = opts_parse(value, &m, err);

	if (ret == 0 && (!m.target || m.target[0] != '/') && strcmp(m.type, "secret"))
		ret = holt_err_set(err, 0, "--mount=%s: target= must be an absolute path", value);
	else if (ret == 0 && !strcmp(m.type, "bind"))
		ret = add_bind(st, &m, cfg, key, rw, err);
	else if (ret == 0 && !strcmp(m.type, "cache"))
		ret = add_cache(st, &m, cfg, err);
	else if (ret == 0 && !strcmp(m.type, "tmpfs"))
		add(cfg, MOUNT_TMPFS, NULL, m.target, false);
	else if (ret == 0 && !strcmp(m.type, "secret"))
		ret = add_secret(st, &m, cfg, err);
	else if (ret == 0)
		ret = holt_err_set(err, 0, "--mount type=%s: holt takes bind, cache, tmpfs, secret",
				   m.type);
	opts_release(&m);
	return ret;
}

int build_mounts_copy_rw(struct build_stage *st, struct container_config *cfg, char *const *rw,
			 char ***scratch, struct holt_err *err)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct mount_spec *m = &cfg->mounts[i];
		if (m->type != MOUNT_BIND || !strv_contains(rw, m->destination))
			continue;
		cleanup_free char *dir = store_mktemp(st->b->s, err);
		if (!dir)
			return -1;
		strv_push(scratch, dir);
		char *copy = xasprintf("%s/data", dir);
		if (rootfs_copy_layer(m->source, copy, err) < 0) {
			free(copy);
			return holt_err_wrap(err, "--mount type=bind,rw,target=%s", m->destination);
		}
		free(m->source);
		m->source = copy;
	}
	return 0;
}

/* apt drops to its _apt user to download, then checks that it did: under fake-root-ids
 * the setuid "succeeds" without effect and apt stops ("Could not switch group"). Its
 * own setting turns that sandbox off; bound in for the step, it never lands in a layer
 * (the mount point is dropped like every RUN --mount's). */
static const char apt_no_sandbox[] = "APT::Sandbox::User \"root\";\n";

int build_mounts_apt_sandbox(struct build_stage *st, struct container_config *cfg,
			     struct holt_err *err)
{
	struct build_tree t = {0};
	struct stat sb;

	build_tree_image(&t, st->image);
	cleanup_free char *confd = build_tree_find(&t, "etc/apt/apt.conf.d", &sb);
	build_tree_release(&t);
	if (!confd || !S_ISDIR(sb.st_mode))
		return 0;
	const char *staging = store_staging_dir(st->b->s, err);
	if (!staging)
		return -1;
	cleanup_free char *conf = xasprintf("%s/apt-no-sandbox.conf", staging);
	if (access(conf, F_OK) < 0 &&
	    store_write_file(st->b->s, conf, apt_no_sandbox, strlen(apt_no_sandbox), err) < 0)
		return -1;
	add(cfg, MOUNT_BIND, conf, "/etc/apt/apt.conf.d/00holt-fake-root-ids", true);
	return 0;
}
