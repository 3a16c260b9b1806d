/* The build's driver: the Dockerfile parsed, the ARGs before FROM given their values, the
 * stages the target needs found, each built in order, and the result named. */
#include "core/base/platform.h"
#include "core/base/util.h"
#include "core/build_stage.h"
#include "core/spec.h"
#include "storage/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

void build_say(struct build *b, const char *fmt, ...)
{
	va_list ap;
	if (!b->o->say)
		return;
	va_start(ap, fmt);
	cleanup_free char *line = xvasprintf(fmt, ap);
	va_end(ap);
	b->o->say(b->o->ctx, line);
}

/* BuildKit's automatic platform ARGs, then the ARGs before the first FROM. */
static int meta_args(struct build *b, struct holt_err *err)
{
	const char *variant = platform_variant();
	cleanup_free char *platform = xasprintf("%s/%s%s%s", platform_os(), platform_arch(),
						variant ? "/" : "", variant ? variant : "");
	const char *names[] = {"TARGETPLATFORM", "BUILDPLATFORM"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *kv = xasprintf("%s=%s", names[i], platform);
		strv_push(&b->meta_args, kv);
	}
	const char *prefixes[] = {"TARGET", "BUILD"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *os = xasprintf("%sOS=%s", prefixes[i], platform_os());
		cleanup_free char *arch = xasprintf("%sARCH=%s", prefixes[i], platform_arch());
		cleanup_free char *var =
		    xasprintf("%sVARIANT=%s", prefixes[i], variant ? variant : "");
		strv_push(&b->meta_args, os);
		strv_push(&b->meta_args, arch);
		strv_push(&b->meta_args, var);
	}
	for (size_t i = 0; i < b->df->n_meta_args; i++) {
		const struct dockerfile_instruction *in = &b->df->meta_args[i];
		cleanup_strv char **words =
		    dockerfile_words(in->args, b->meta_args, b->df->escape, err);
		if (!words)
			return holt_err_wrap(err, "%s:%d: %s", b->o->dockerfile_name, in->line,
					     in->text);
		for (char **w = words; *w; w++) {
			char *eq = strchr(*w, '=');
			cleanup_free char *name = xstrndup(*w, eq ? (size_t)(eq - *w) : strlen(*w));
			const char *v = spec_env_get(b->o->build_args, name);
			if (!strv_contains(b->used_args, name))
				strv_push(&b->used_args, name);
			if (!v)
				v = eq ? eq + 1 : NULL;
			if (!v)
				continue;
			cleanup_free char *kv = xasprintf("%s=%s", name, v);
			spec_env_set(&b->meta_args, kv);
		}
	}
	return 0;
}

/* The stage a --from= or from= value names, when it is one before stage n. */
static long stage_named(const struct build *b, const char *flag, const char *prefix, size_t n)
{
	const char *p = strstr(flag, prefix);
	if (!p)
		return -1;
	cleanup_free char *name = xstrndup(p + strlen(prefix), strcspn(p + strlen(prefix), ","));
	long i = dockerfile_stage_index(b->df, name);
	return i >= 0 && (size_t)i < n ? i : -1;
}

/* Marks the stages the target needs: its base and what it copies or mounts from, and
 * theirs. The others are never built. */
static int mark_needed(struct build *b, bool *needed, struct holt_err *err)
{
	needed[b->target] = true;
	for (size_t n = b->target + 1; n-- > 0;) {
		if (!needed[n])
			continue;
		const struct dockerfile_stage *s = &b->df->stages[n];
		cleanup_free char *base =
		    dockerfile_expand(s->base, b->meta_args, b->df->escape, err);
		if (!base)
			return -1;
		long i = dockerfile_stage_index(b->df, base);
		if (i >= 0 && (size_t)i < n)
			needed[i] = true;
		for (size_t k = 0; k < s->n_instructions; k++)
			for (char **f = s->instructions[k].flags; f && *f; f++) {
				long j = stage_named(b, *f, "--from=", n);
				if (j < 0)
					j = stage_named(b, *f, "from=", n);
				if (j >= 0)
					needed[j] = true;
			}
	}
	return 0;
}

static int load_ignore(struct build *b, struct holt_err *err)
{
	const char *path = b->o->ignore_file;
	if (!path)
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "open \"%s\"", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return holt_err_set(err, errno, "stat \"%s\"", path);
	cleanup_free char *text = xmalloc((size_t)st.st_size + 1);
	ssize_t n = read(fd, text, (size_t)st.st_size);
	if (n < 0)
		return holt_err_set(err, errno, "read \"%s\"", path);
	b->ignore = dockerignore_parse(text, (size_t)n, path, err);
	return b->ignore ? 0 : -1;
}

/* As podman: a --build-arg no ARG of the built stages declares is said, not refused.
 * The proxy variables are predefined ARGs, always taken. */
static void warn_unused_args(struct build *b)
{
	static const char *const proxies[] = {
	    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
	    "NO_PROXY",	  "no_proxy",	"ALL_PROXY",   "all_proxy",   NULL};
	cleanup_free char *unused = NULL;
	for (char **a = b->o->build_args; a && *a; a++) {
		cleanup_free char *name = xstrndup(*a, strcspn(*a, "="));
		if (strv_contains(b->used_args, name) || strv_contains((char **)proxies, name))
			continue;
		char *next = unused ? xasprintf("%s %s", unused, name) : xstrdup(name);
		free(unused);
		unused = next;
	}
	if (unused && b->o->warn) {
		cleanup_free char *line =
		    xasprintf("one or more build-args [%s] were not consumed", unused);
		b->o->warn(b->o->ctx, line);
	}
}

static int build_all(struct build *b, struct holt_err *err)
{
	cleanup_free bool *needed = xzalloc(b->df->n_stages * sizeof *needed);

	if (b->o->target) {
		long t = dockerfile_stage_index(b->df, b->o->target);
		if (t < 0)
			return holt_err_set(err, 0, "--target \"%s\": no such stage in %s",
					    b->o->target, b->o->dockerfile_name);
		b->target = (size_t)t;
	} else {
		b->target = b->df->n_stages - 1;
	}
	if (load_ignore(b, err) < 0 || meta_args(b, err) < 0 || mark_needed(b, needed, err) < 0)
		return -1;
	for (size_t n = 0; n <= b->target; n++)
		if (needed[n])
			b->n_steps += 1 + b->df->stages[n].n_instructions;
	build_index_load(b);
	for (size_t n = 0; n <= b->target; n++)
		if (needed[n] && build_stage(b, n, err) < 0)
			return -1;
	warn_unused_args(b);
	return build_index_save(b, err);
}

char *build_image(struct store *s, const struct build_opts *o, struct holt_err *err)
{
	struct build b = {.s = s, .o = o};
	char *id = NULL;

	b.df = dockerfile_parse(o->dockerfile, o->dockerfile_len, o->dockerfile_name, err);
	if (!b.df)
		return NULL;
	b.stage_ids = xzalloc((b.df->n_stages + 1) * sizeof *b.stage_ids);
	if (build_all(&b, err) == 0) {
		id = xstrdup(b.stage_ids[b.target]);
		build_cache_result(s, id);
		for (char **t = o->tags; t && *t; t++)
			if (image_tag(s, id, *t, err) < 0) {
				free(id);
				id = NULL;
				break;
			}
	}
	for (size_t i = 0; i < b.df->n_stages; i++)
		free(b.stage_ids[i]);
	free(b.stage_ids);
	strv_free(b.meta_args);
	strv_free(b.used_args);
	if (b.ignore)
		dockerignore_free(b.ignore);
	if (b.index)
		json_object_put(b.index);
	dockerfile_free(b.df);
	return id;
}
