#include "cmd/container_opts.h"
#include "core/cgroup.h"
#include "core/envfile.h"
#include "core/signals.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_restart(const char *arg, struct container_config *cfg, struct holt_err *err)
{
	static const char *const names[] = {"no", "on-failure", "always", "unless-stopped"};
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	for (int p = RESTART_NO; p <= RESTART_UNLESS_STOPPED; p++) {
		if (strlen(names[p]) != len || strncmp(arg, names[p], len))
			continue;
		cfg->restart = p;
		cfg->restart_max = 0;
		if (!colon)
			return 0;
		char *end;
		long max = strtol(colon + 1, &end, 10);
		if (p != RESTART_ON_FAILURE || !colon[1] || *end || max < 0 || max > 1000000)
			break;
		cfg->restart_max = (int)max;
		return 0;
	}
	return holt_err_set(err, 0,
			    "--restart \"%s\": not one of no, on-failure[:MAX], always, "
			    "unless-stopped",
			    arg);
}

/* docker's sizes: a number and an optional b, k, m or g (powers of 1024). */
static int parse_size(const char *opt, const char *arg, uint64_t *out, struct holt_err *err)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(arg, &end, 10);
	uint64_t unit = 1;
	switch (tolower((unsigned char)*end)) {
	case 'g':
		unit <<= 10;
		/* fall through */
	case 'm':
		unit <<= 10;
		/* fall through */
	case 'k':
		unit <<= 10;
		/* fall through */
	case 'b':
		end++;
		break;
	}
	if (errno || end == arg || *end || n == 0 || n > UINT64_MAX / unit)
		return holt_err_set(err, 0, "%s \"%s\": not a size such as 512k, 10m or 1g", opt,
				    arg);
	*out = n * unit;
	return 0;
}

static int parse_log_opt(const char *arg, struct container_config *cfg, struct holt_err *err)
{
	if (strncmp(arg, "max-size=", 9) == 0)
		return parse_size("--log-opt max-size", arg + 9, &cfg->log_max_size, err);
	if (strncmp(arg, "max-file=", 9) == 0)
		return 0; /* one rotated file is kept, whatever the count */
	return holt_err_set(err, 0, "--log-opt \"%s\": holt knows max-size=SIZE and max-file=N",
			    arg);
}

int container_opt(int c, const char *arg, struct container_config *cfg, struct holt_err *err)
{
	switch (c) {
	case 'i':
		cfg->interactive = true;
		return 0;
	case 't':
		cfg->tty = true;
		return 0;
	case OPT_RM:
		cfg->remove = true;
		return 0;
	case 'e':
		return envfile_add(&cfg->env, arg, "--env", err);
	case OPT_ENV_FILE:
		return envfile_read(arg, &cfg->env, err);
	case 'w':
		if (arg[0] != '/')
			return holt_err_set(err, 0, "--workdir \"%s\": not an absolute path", arg);
		free(cfg->workdir);
		cfg->workdir = xstrdup(arg);
		return 0;
	case 'u':
		free(cfg->user);
		cfg->user = xstrdup(arg);
		return 0;
	case 'h':
		free(cfg->hostname);
		cfg->hostname = xstrdup(arg);
		return 0;
	case OPT_ENTRYPOINT:
		strv_free(cfg->entrypoint);
		cfg->entrypoint = NULL;
		strv_push(&cfg->entrypoint, arg);
		cfg->entrypoint_set = true;
		return 0;
	case OPT_NETWORK:
		if (strcmp(arg, "none") == 0)
			cfg->network = NETWORK_NONE;
		else if (strcmp(arg, "host") == 0)
			cfg->network = NETWORK_HOST;
		else
			return holt_err_set(err, 0, "--network \"%s\": holt supports none and host",
					    arg);
		return 0;
	case OPT_NAME:
		free(cfg->name);
		cfg->name = xstrdup(arg);
		return 0;
	case OPT_RESTART:
		return parse_restart(arg, cfg, err);
	case OPT_INIT:
		cfg->init = true;
		return 0;
	case 'l':
		if (!*arg || *arg == '=')
			return holt_err_set(err, 0, "--label \"%s\": the key is empty", arg);
		strv_push(&cfg->labels, arg);
		return 0;
	case OPT_STOP_SIGNAL:
		if (signals_parse(arg) <= 0)
			return holt_err_set(err, 0, "--stop-signal \"%s\": not a signal", arg);
		free(cfg->stop_signal);
		cfg->stop_signal = xstrdup(arg);
		return 0;
	case OPT_STOP_TIMEOUT: {
		char *end;
		long t = strtol(arg, &end, 10);
		if (!*arg || *end || t < 0 || t > 86400 * 365)
			return holt_err_set(err, 0, "--stop-timeout \"%s\": not a number of seconds",
					    arg);
		cfg->stop_timeout = (int)t;
		return 0;
	}
	case OPT_LOG_OPT:
		return parse_log_opt(arg, cfg, err);
	case 'm':
	case OPT_CPUS:
		return cgroup_limits_unavailable(c == 'm' ? "--memory" : "--cpus", err);
	default:
		return 1;
	}
}

int container_opts_check(const struct container_config *cfg, struct holt_err *err)
{
	if (cfg->remove && cfg->restart != RESTART_NO)
		return holt_err_set(err, 0, "--restart and --rm conflict: a container cannot both "
					    "restart and be removed when it exits");
	return 0;
}
