#include "cmd/container_opts.h"
#include "core/base/util.h"
#include "core/envfile.h"
#include "core/keep_id.h"
#include "core/signals.h"
#include "core/spec.h"
#include "core/userns_auto.h"

#include <ctype.h>
#include <fcntl.h>
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

/* docker's sizes: a number, maybe with a fraction, and an optional unit k, m, g, t or p
 * (powers of 1024) that may be followed by i and b: 512k, 1.5g, 10MiB. */
static int parse_size(const char *opt, const char *arg, uint64_t *out, struct holt_err *err)
{
	static const char units[] = "kmgtp";
	size_t digits = strspn(arg, "0123456789");
	const char *p = arg + digits;
	uint64_t unit = 1;

	if (digits && *p == '.' && isdigit((unsigned char)p[1]))
		p += 1 + strspn(p + 1, "0123456789");
	const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	if (u) {
		unit <<= 10 * (u - units + 1);
		p++;
		if (tolower((unsigned char)*p) == 'i')
			p++;
	}
	if (tolower((unsigned char)*p) == 'b')
		p++;
	double bytes = digits && !*p ? strtod(arg, NULL) * (double)unit : 0;
	if (bytes < 1 || bytes >= 18e18)
		return holt_err_set(err, 0, "%s \"%s\": not a size such as 512k, 10m or 1.5g", opt,
				    arg);
	*out = (uint64_t)bytes;
	return 0;
}

static int parse_memory(const char *arg, struct container_config *cfg, struct holt_err *err)
{
	/* docker's floor: below it a container cannot even start */
	const uint64_t min = 6 << 20;
	if (parse_size("--memory", arg, &cfg->memory, err) < 0)
		return -1;
	if (cfg->memory < min)
		return holt_err_set(err, 0, "--memory \"%s\": the smallest limit is 6m", arg);
	return 0;
}

static int parse_cpus(const char *arg, struct container_config *cfg, struct holt_err *err)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	const char *dot = strchr(arg, '.');
	/* digits with one point at most: strtod alone would take "inf", "1e3", "0x2" */
	if (!*arg || strspn(arg, "0123456789.") != strlen(arg) || (dot && strchr(dot + 1, '.')) ||
	    strcmp(arg, ".") == 0)
		return holt_err_set(err, 0, "--cpus \"%s\": not a number of CPUs such as 1.5", arg);
	double nano = strtod(arg, NULL) * 1e9 + 0.5;
	if (nano >= 1 && (nano < 1e7 || nano > (double)online * 1e9))
		return holt_err_set(err, 0,
				    "--cpus \"%s\": from 0.01 to %ld, as this machine has %ld "
				    "CPUs",
				    arg, online, online);
	cfg->nano_cpus = (uint64_t)nano; /* 0: no limit, as in docker */
	return 0;
}

/* --device: without 'r' or 'w' the container is still given what the device's own mode
 * allows the user, since only a devices cgroup could deny it, and an unprivileged user
 * cannot program one ('m' holds: no user namespace may make device nodes). */
static int device(struct container_security *sec, const char *arg, struct holt_err *err)
{
	if (security_device(sec, arg, err) < 0)
		return -1;
	const char *perms = strrchr(sec->devices[strv_len(sec->devices) - 1], ':') + 1;
	if (!strchr(perms, 'r') || !strchr(perms, 'w'))
		cmd_warn("--device %s: a rootless container cannot be denied %s access to a "
			 "device (that takes a devices cgroup, which only root can set up); it "
			 "gets what the device's own permissions allow you",
			 arg,
			 strchr(perms, 'r')   ? "write"
			 : strchr(perms, 'w') ? "read"
					      : "read or write");
	return 0;
}

static int parse_log_opt(const char *arg, struct container_config *cfg, struct holt_err *err)
{
	if (strcmp(arg, "max-size=-1") == 0) {
		cfg->log_max_size = LOG_SIZE_UNLIMITED;
		return 0;
	}
	if (strncmp(arg, "max-size=", 9) == 0)
		return parse_size("--log-opt max-size", arg + 9, &cfg->log_max_size, err);
	if (strncmp(arg, "max-file=", 9) == 0)
		return 0; /* one rotated file is kept, whatever the count */
	if (strncmp(arg, "path=", 5) == 0) {
		if (arg[5] != '/' || arg[strlen(arg) - 1] == '/')
			return holt_err_set(err, 0,
					    "--log-opt \"%s\": the path of a file, absolute", arg);
		free(cfg->log_path);
		cfg->log_path = xstrdup(arg + 5);
		return 0;
	}
	return holt_err_set(
	    err, 0, "--log-opt \"%s\": holt knows max-size=SIZE, max-file=N and path=FILE", arg);
}

int container_opt_preserve_fds(const char *arg, unsigned *n, struct holt_err *err)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || v < 0 || v > 1024)
		return holt_err_set(err, 0, "--preserve-fds \"%s\": not a number of fds (0-1024)",
				    arg);
	/* An fd that is close-on-exec here was opened by holt, not passed by the caller. */
	for (long fd = 3; fd < 3 + v; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags < 0 || (flags & FD_CLOEXEC))
			return holt_err_set(err, 0, "--preserve-fds %ld: fd %ld is not open", v,
					    fd);
	}
	*n = (unsigned)v;
	return 0;
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
		return container_net_parse_mode(arg, &cfg->network, &cfg->net, err);
	case 'p':
		return ports_parse(arg, &cfg->net.ports, &cfg->net.n_ports, err);
	case 'P':
		cfg->net.publish_all = true;
		return 0;
	case OPT_DNS:
		strv_push(&cfg->net.dns, arg);
		return 0;
	case OPT_DNS_SEARCH:
		strv_push(&cfg->net.dns_search, arg);
		return 0;
	case OPT_DNS_OPTION:
	case OPT_DNS_OPT:
		strv_push(&cfg->net.dns_options, arg);
		return 0;
	case OPT_ADD_HOST:
		return container_net_add_host(&cfg->net, arg, err);
	case OPT_NETWORK_ALIAS:
		strv_push(&cfg->net.aliases, arg);
		return 0;
	case OPT_IP:
		free(cfg->net.ip);
		cfg->net.ip = xstrdup(arg);
		return 0;
	case OPT_NAME:
		free(cfg->name);
		cfg->name = xstrdup(arg);
		return 0;
	case OPT_RESTART:
		return parse_restart(arg, cfg, err);
	case OPT_TZ:
		free(cfg->timezone);
		cfg->timezone = xstrdup(arg);
		/* podman sets TZ too, but not for local: the host's TZ may be unset */
		if (strcmp(arg, "local")) {
			cleanup_free char *tz = xasprintf("TZ=%s", arg);
			spec_env_set(&cfg->env, tz);
		}
		return 0;
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
			return holt_err_set(err, 0,
					    "--stop-timeout \"%s\": not a number of seconds", arg);
		cfg->stop_timeout = (int)t;
		return 0;
	}
	case OPT_LOG_OPT:
		return parse_log_opt(arg, cfg, err);
	case OPT_LOG_DRIVER: {
		int d = logfile_driver_parse(arg);
		if (d < 0)
			return holt_err_set(err, 0,
					    "--log-driver \"%s\": not one of k8s-file, json-file, "
					    "none",
					    arg);
		cfg->log_driver = (enum log_driver)d;
		return 0;
	}
	case 'm':
		return parse_memory(arg, cfg, err);
	case OPT_CPUS:
		return parse_cpus(arg, cfg, err);
	case OPT_SECURITY_OPT:
		return security_opt(&cfg->security, arg, err);
	case OPT_CAP_ADD:
		return security_cap(&cfg->security.cap_add, "--cap-add", arg, err);
	case OPT_CAP_DROP:
		return security_cap(&cfg->security.cap_drop, "--cap-drop", arg, err);
	case OPT_PRIVILEGED:
		cfg->security.privileged = true;
		return 0;
	case OPT_DEVICE:
		return device(&cfg->security, arg, err);
	case OPT_GROUP_ADD:
		if (!*arg)
			return holt_err_set(err, 0, "--group-add: the group is empty");
		strv_push(&cfg->security.group_add, arg);
		return 0;
	case 'v':
		return mount_spec_parse_volume(arg, &cfg->mounts, &cfg->n_mounts, err);
	case OPT_MOUNT:
		return mount_spec_parse_mount(arg, &cfg->mounts, &cfg->n_mounts, err);
	case OPT_TMPFS:
		return mount_spec_parse_tmpfs(arg, &cfg->mounts, &cfg->n_mounts, err);
	case OPT_READ_ONLY:
		cfg->read_only = true;
		return 0;
	case OPT_USERNS: {
		/* podman's rootless "host" is the user's namespace, which is what holt uses */
		struct keep_id k;
		if (keep_id_parse(arg, &k, err) < 0)
			return -1;
		free(cfg->userns);
		cfg->userns = k.on || k.auto_size || k.nomap ? xstrdup(arg) : NULL;
		return 0;
	}
	case OPT_VOLUMES_FROM:
		strv_push(&cfg->volumes_from, arg);
		return 0;
	default:
		return 1;
	}
}

int container_opts_check(const struct container_config *cfg, struct holt_err *err)
{
	if (mount_spec_check(cfg->mounts, cfg->n_mounts, err) < 0)
		return -1;
	if ((cfg->net.aliases || cfg->net.ip) && cfg->network != NETWORK_USER)
		return holt_err_set(
		    err, 0, "--network-alias and --ip need a user network (--network NAME)");
	if (cfg->network != NETWORK_SLIRP && cfg->network != NETWORK_USER &&
	    (cfg->net.n_ports || cfg->net.publish_all)) {
		cleanup_free char *mode = container_net_mode_name(cfg->network, &cfg->net);
		return holt_err_set(err, 0,
				    "--publish and --network %s conflict: ports are published from "
				    "the default network (slirp)",
				    mode);
	}
	if (cfg->network == NETWORK_CONTAINER && (cfg->net.dns || cfg->net.add_hosts))
		return holt_err_set(err, 0,
				    "--dns and --add-host conflict with --network container:NAME");
	/* auto and nomap join it before their user namespace is made */
	if (cfg->userns && !userns_is_late(cfg->userns) && cfg->network == NETWORK_CONTAINER)
		return holt_err_set(err, 0,
				    "--userns %s and --network container:NAME conflict: the "
				    "other container's network belongs to holt's user namespace",
				    cfg->userns);
	if (cfg->remove && cfg->restart != RESTART_NO)
		return holt_err_set(err, 0,
				    "--restart and --rm conflict: a container cannot both "
				    "restart and be removed when it exits");
	return security_check(&cfg->security, err);
}
