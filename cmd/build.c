/* `holt build`: an image from a Dockerfile and a context dir, with podman's progress
 * lines ("STEP 2/5: RUN make") and the new image's id last. */
#include "core/build.h"
#include "cmd/build_output.h"
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "storage/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_BUILD_ARG = OPT_LONG_BASE,
	OPT_TARGET,
	OPT_NO_CACHE,
	OPT_IIDFILE,
	OPT_LABEL,
	OPT_NETWORK,
	OPT_PULL,
	OPT_PLATFORM,
	OPT_BUILD_CONTEXT,
	OPT_LAYERS,
	OPT_RM,
	OPT_SECRET,
	OPT_SQUASH,
};

static const struct cmd_option build_options[] = {
    {"tag", 't', "NAME", "name the image NAME[:TAG] (repeatable)"},
    {"file", 'f', "FILE",
     "the Dockerfile (\"-\": stdin); default CONTEXT/Dockerfile, else "
     "CONTEXT/Containerfile"},
    {"build-arg", OPT_BUILD_ARG, "KEY[=VALUE]", "set an ARG (KEY alone: from the environment)"},
    {"target", OPT_TARGET, "STAGE", "build up to this stage"},
    {"quiet", 'q', NULL, "print only the image id"},
    {"no-cache", OPT_NO_CACHE, NULL, "do every step again, ignoring the cache"},
    {"iidfile", OPT_IIDFILE, "FILE", "write the image id to FILE"},
    {"label", OPT_LABEL, "KEY=VALUE", "set a label on the image (repeatable)"},
    {"network", OPT_NETWORK, "MODE", "RUN's network: slirp (default), host or none"},
    {"pull", OPT_PULL, NULL, "pull FROM images even when they are stored"},
    {"platform", OPT_PLATFORM, "OS/ARCH", "accepted for this machine's platform only"},
    {"build-context", OPT_BUILD_CONTEXT, "NAME=DIR", "a dir COPY --from=NAME reads"},
    {"layers", OPT_LAYERS, "[=BOOL]", "use the cache of earlier builds (default true)"},
    {"squash", OPT_SQUASH, NULL, "the new layers of the result as one"},
    {"secret", OPT_SECRET, "id=ID,src=FILE", "a file RUN --mount=type=secret,id=ID reads"},
    {"rm", OPT_RM, "[=BOOL]", "accepted for docker: RUN's containers are always removed"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_build_info = {
    .name = "build",
    .args = "[OPTIONS] CONTEXT|-",
    .summary = "Build an image from a Dockerfile",
    .options = build_options,
};

struct args {
	struct build_opts o;
	const char *file;
	const char *iidfile;
	const char *platform;
	bool quiet;
};

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	cancelled = 1;
}

static struct image *resolve(void *ctx, const char *ref, bool pull, struct holt_err *err)
{
	return cmd_image_for_run(ctx, ref, pull ? "always" : "missing", NULL, err);
}

static void say(void *ctx, const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
}

/* --secret id=ID,src=FILE (or source=FILE). */
static int parse_secret(const char *arg, char ***secrets, struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(arg), *id = NULL, *src = NULL;
	char *save;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (!strncmp(kv, "id=", 3)) {
			free(id);
			id = xstrdup(kv + 3);
		} else if (!strncmp(kv, "src=", 4) || !strncmp(kv, "source=", 7)) {
			free(src);
			src = realpath(strchr(kv, '=') + 1, NULL);
			if (!src)
				return holt_err_set(err, errno, "--secret %s", arg);
		}
	}
	if (!id || !src)
		return holt_err_set(err, 0, "--secret %s: not id=ID,src=FILE", arg);
	cleanup_free char *kv = xasprintf("%s=%s", id, src);
	strv_push(secrets, kv);
	return 0;
}

/* --build-context NAME=DIR, with DIR made absolute. */
static int add_context(const char *arg, char ***contexts, struct holt_err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return holt_err_set(err, 0, "--build-context %s: not NAME=DIR", arg);
	cleanup_free char *dir = realpath(eq + 1, NULL);
	if (!dir)
		return holt_err_set(err, errno, "--build-context %s", arg);
	cleanup_free char *kv = xasprintf("%.*s=%s", (int)(eq - arg), arg, dir);
	strv_push(contexts, kv);
	return 0;
}

/* Under -q, stderr is /dev/null while the build runs (RUN writes there too); holt's
 * own warnings go to the stderr it was given. */
static int quiet_stderr = -1;

static void warn(void *ctx, const char *line)
{
	int null = quiet_stderr >= 0 ? dup(2) : -1;
	if (null >= 0)
		dup2(quiet_stderr, 2);
	cmd_warn("build: %s", line);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
}

static int parse(int argc, char **argv, struct args *a, struct holt_err *err)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_build_info)) != -1) {
		switch (c) {
		case 't':
			strv_push(&a->o.tags, optarg);
			break;
		case 'f':
			a->file = optarg;
			break;
		case OPT_BUILD_ARG:
			if (strchr(optarg, '=')) {
				strv_push(&a->o.build_args, optarg);
			} else if (getenv(optarg)) {
				cleanup_free char *kv = xasprintf("%s=%s", optarg, getenv(optarg));
				strv_push(&a->o.build_args, kv);
			}
			break;
		case OPT_TARGET:
			a->o.target = optarg;
			break;
		case 'q':
			a->quiet = true;
			break;
		case OPT_NO_CACHE:
			a->o.no_cache = true;
			break;
		case OPT_IIDFILE:
			a->iidfile = optarg;
			break;
		case OPT_LABEL:
			strv_push(&a->o.labels, optarg);
			break;
		case OPT_NETWORK:
			if (!strcmp(optarg, "none"))
				a->o.network = NETWORK_NONE;
			else if (!strcmp(optarg, "host"))
				a->o.network = NETWORK_HOST;
			else if (!strcmp(optarg, "slirp") || !strcmp(optarg, "slirp4netns") ||
				 !strcmp(optarg, "default") || !strcmp(optarg, "bridge"))
				a->o.network = NETWORK_SLIRP;
			else
				return holt_err_set(err, 0,
						    "--network %s: holt build takes "
						    "slirp, host or none",
						    optarg);
			break;
		case OPT_LAYERS: {
			bool layers;
			if (cmd_parse_bool("layers", optarg, &layers))
				return -1; /* it said why */
			a->o.no_cache |= !layers;
			break;
		}
		case OPT_SQUASH:
			a->o.squash = true;
			break;
		case OPT_PULL:
			a->o.pull = true;
			break;
		case OPT_PLATFORM:
			a->platform = optarg;
			break;
		case OPT_SECRET:
			if (parse_secret(optarg, &a->o.secrets, err) < 0)
				return -1;
			break;
		case OPT_BUILD_CONTEXT:
			if (add_context(optarg, &a->o.build_contexts, err) < 0)
				return -1;
			break;
		}
	}
	if (optind + 1 != argc)
		return holt_err_set(err, 0, "build: expected one CONTEXT (a dir, or - for none)");
	/* a bad name is refused before the build, not after it */
	for (char **t = a->o.tags; t && *t; t++) {
		cleanup_reference struct reference r = {0};
		if (reference_parse(*t, &r, err) < 0)
			return holt_err_wrap(err, "-t %s", *t);
		if (r.digest)
			return holt_err_set(err, 0, "-t %s: a digest cannot name a new image", *t);
	}
	return 0;
}

/* The whole of a file or of stdin ("-"). */
static char *slurp(const char *path, size_t *len, struct holt_err *err)
{
	cleanup_close int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	size_t cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	*len = 0;
	if (fd < 0) {
		free(buf);
		return holt_err_set(err, errno, "open \"%s\"", path), NULL;
	}
	while ((n = read(fd, buf + *len, cap - *len)) > 0)
		if ((*len += (size_t)n) == cap)
			buf = xrealloc(buf, cap *= 2);
	if (n < 0) {
		free(buf);
		return holt_err_set(err, errno, "read \"%s\"", path), NULL;
	}
	return buf;
}

static bool host_platform(const char *p)
{
	const char *variant = platform_variant();
	cleanup_free char *host = xasprintf("%s/%s", platform_os(), platform_arch());
	cleanup_free char *full = xasprintf("%s/%s", host, variant ? variant : "");
	return !strcmp(p, host) || !strcmp(p, full);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The Dockerfile, the context and the .dockerignore that go with the arguments. */
static char *inputs(struct args *a, const char *context, char **df_path, char **ignore,
		    struct holt_err *err)
{
	if (!strcmp(context, "-")) {
		a->o.context = NULL;
		*df_path = xstrdup("-");
		return slurp("-", &a->o.dockerfile_len, err);
	}
	char *real = realpath(context, NULL);
	struct stat st;
	if (!real)
		return holt_err_set(err, errno, "context \"%s\"", context), NULL;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return holt_err_set(err, ENOTDIR, "context \"%s\"", context), NULL;
	}
	a->o.context = real;
	if (a->file) {
		*df_path = xstrdup(a->file);
	} else {
		*df_path = xasprintf("%s/Dockerfile", real);
		if (!exists(*df_path)) {
			free(*df_path);
			*df_path = xasprintf("%s/Containerfile", real);
		}
	}
	/* <Dockerfile>.dockerignore beside it wins over the context's own */
	*ignore = xasprintf("%s.dockerignore", *df_path);
	if (!strcmp(*df_path, "-") || !exists(*ignore)) {
		free(*ignore);
		*ignore = xasprintf("%s/.dockerignore", real);
		if (!exists(*ignore)) {
			free(*ignore);
			*ignore = xasprintf("%s/.containerignore", real);
		}
	}
	return slurp(*df_path, &a->o.dockerfile_len, err);
}

static int finish(const struct args *a, const char *id, int out)
{
	if (a->iidfile) {
		FILE *f = fopen(a->iidfile, "we");
		bool ok = f && fprintf(f, "sha256:%s", id) > 0;
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok)
			return cmd_error("build: write \"%s\": %s", a->iidfile, strerror(errno));
	}
	for (char **t = a->o.tags; !a->quiet && t && *t; t++)
		printf("Successfully tagged %s\n", *t);
	fflush(stdout);
	dprintf(out, "%s\n", id);
	return 0;
}

int cmd_build(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct args a = {.o = {.network = NETWORK_SLIRP}};
	struct holt_err err = {0};
	cleanup_free char *df_path = NULL, *ignore = NULL, *text = NULL, *id = NULL;
	int code = HOLT_EXIT_ERROR;

	if (parse(argc, argv, &a, &err) < 0)
		goto out;
	if (a.platform && !host_platform(a.platform)) {
		holt_err_set(&err, 0,
			     "--platform %s: holt builds for this machine's platform only "
			     "(%s/%s)",
			     a.platform, platform_os(), platform_arch());
		goto out;
	}
	text = inputs(&a, argv[optind], &df_path, &ignore, &err);
	if (!text)
		goto out;
	a.o.dockerfile = text;
	/* messages name the file as the user knows it */
	a.o.dockerfile_name = a.file		      ? a.file
			      : strrchr(df_path, '/') ? strrchr(df_path, '/') + 1
						      : df_path;
	a.o.ignore_file = ignore;
	a.o.storage_driver = ctx->storage_driver;
	a.o.image = resolve;
	a.o.say = a.quiet ? NULL : say;
	a.o.warn = warn;
	a.o.ctx = ctx;
	a.o.cancel = &cancelled;

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* -q: RUN's output goes nowhere, as docker's; the id alone to stdout */
	int out = a.quiet ? dup(1) : 1;
	quiet_stderr = a.quiet ? fcntl(2, F_DUPFD_CLOEXEC, 3) : -1;
	int null = a.quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	struct build_output output;
	if (!a.quiet)
		build_output_detach(&output);
	id = build_image(ctx->store, &a.o, &err);
	if (!a.quiet)
		build_output_restore(&output);
	if (quiet_stderr >= 0) {
		dup2(quiet_stderr, 2);
		close(quiet_stderr);
		quiet_stderr = -1;
	}
	if (id)
		code = finish(&a, id, out);
	else if (err.errnum == BUILD_RUN_FAILED)
		code = 1;
	if (out != 1)
		close(out);
out:
	if (err.msg)
		cmd_error("build: %s", err.msg);
	holt_err_release(&err);
	strv_free(a.o.tags);
	strv_free(a.o.build_args);
	strv_free(a.o.labels);
	strv_free(a.o.build_contexts);
	strv_free(a.o.secrets);
	free((char *)a.o.context);
	return code;
}
