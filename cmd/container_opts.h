/* The options `run` and `create` share: what the container is to be. */
#ifndef HOLT_CMD_CONTAINER_OPTS_H
#define HOLT_CMD_CONTAINER_OPTS_H

#include "cmd/cmd.h"
#include "core/container.h"

enum {
	OPT_RM = OPT_LONG_BASE,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_NETWORK,
	OPT_NAME,
	OPT_RESTART,
	OPT_INIT,
	OPT_LABEL,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_LOG_OPT,
	OPT_MEMORY,
	OPT_CPUS,
	OPT_SECURITY_OPT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_DEVICE,
	OPT_GROUP_ADD,
	OPT_PRESERVE_FDS, /* run and exec only */
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_READ_ONLY,
	OPT_VOLUMES_FROM,
	OPT_USERNS,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_DNS_OPT,
	OPT_ADD_HOST,
	OPT_NETWORK_ALIAS,
	OPT_IP,
	OPT_TZ,
	OPT_LOG_DRIVER,
	OPT_DETACH_KEYS, /* run and exec only */
};

#define CONTAINER_OPTIONS                                                                          \
	{"interactive", 'i', NULL, "keep stdin open and attached"},                                \
	    {"tty", 't', NULL, "give the container a terminal"},                                   \
	    {"rm", OPT_RM, NULL, "remove the container when it exits"},                            \
	    {"env", 'e', "KEY=VALUE", "set an environment variable (KEY alone: from here)"},       \
	    {"env-file", OPT_ENV_FILE, "FILE", "read environment variables from FILE"},            \
	    {"workdir", 'w', "DIR", "working directory in the container"},                         \
	    {"user", 'u', "USER[:GROUP]", "user (name or uid) and group to run as"},               \
	    {"hostname", 'h', "NAME", "the container's hostname"},                                 \
	    {"entrypoint", OPT_ENTRYPOINT, "CMD", "replace the image's entrypoint"},               \
	    {"network", OPT_NETWORK, "MODE",                                                       \
	     "slirp (default; slirp:bypass=false), none, host, container:NAME or a user NETWORK "  \
	     "(repeatable)"},                                                                      \
	    {"net", OPT_NETWORK, "MODE", "the same as --network"},                                 \
	    {"network-alias", OPT_NETWORK_ALIAS, "ALIAS", "another name on its user networks"},    \
	    {"ip", OPT_IP, "IPV4", "its address on its (first) user network"},                     \
	    {"publish", 'p', "PORT", "publish a container's port on the host"},                    \
	    {"publish-all", 'P', NULL, "publish the image's exposed ports on free host ports"},    \
	    {"dns", OPT_DNS, "IP", "a nameserver for the container's resolv.conf"},                \
	    {"dns-search", OPT_DNS_SEARCH, "DOMAIN", "a search domain for its resolv.conf"},       \
	    {"dns-option", OPT_DNS_OPTION, "OPTION", "a resolv.conf option (ndots:2)"},            \
	    {"dns-opt", OPT_DNS_OPT, "OPTION", "the same as --dns-option"},                        \
	    {"add-host", OPT_ADD_HOST, "NAME:IP",                                                  \
	     "a line in /etc/hosts (IP may be host-gateway)"},                                     \
	    {"name", OPT_NAME, "NAME", "name the container"},                                      \
	    {"tz", OPT_TZ, "TIMEZONE", "local (the host's) or Area/City: /etc/localtime and TZ"},  \
	    {"restart", OPT_RESTART, "POLICY", "no, on-failure[:MAX], always or unless-stopped"},  \
	    {"init", OPT_INIT, NULL, "run an init as pid 1 that reaps and forwards signals"},      \
	    {"label", 'l', "KEY=VALUE", "set a label on the container"},                           \
	    {"stop-signal", OPT_STOP_SIGNAL, "SIGNAL", "signal that stops the container"},         \
	    {"stop-timeout", OPT_STOP_TIMEOUT, "SECONDS", "how long stop waits before SIGKILL"},   \
	    {"log-driver", OPT_LOG_DRIVER, "DRIVER", "k8s-file (default), json-file or none"},     \
	    {"log-opt", OPT_LOG_OPT, "OPT", "max-size=SIZE (10k, 5m, 1g) or path=FILE"},           \
	    {"memory", 'm', "SIZE", "memory limit (needs a delegated cgroup v2)"},                 \
	    {"security-opt", OPT_SECURITY_OPT, "OPT",                                              \
	     "seccomp=unconfined|PROFILE.json, no-new-privileges, mask=PATHS, unmask=PATHS|ALL"},  \
	    {"volume", 'v', "SRC:DST[:OPTS]",                                                      \
	     "bind host path or volume SRC at DST (DST alone: anonymous)"},                        \
	    {"mount", OPT_MOUNT, "type=…,src=…,dst=…", "bind, volume or tmpfs, docker's syntax"},  \
	    {"tmpfs", OPT_TMPFS, "DST[:OPTS]", "mount a tmpfs at DST (size=16m,mode=1777)"},       \
	    {"read-only", OPT_READ_ONLY, NULL, "read-only root; /tmp, /run stay writable"},        \
	    {"volumes-from", OPT_VOLUMES_FROM, "CTR[:ro|rw]", "the mounts of another container"},  \
	    {"userns", OPT_USERNS, "MODE",                                                         \
	     "host (holt's own, the default), keep-id[:uid=N,gid=N], auto[:size=N] or nomap"},     \
	    {"cap-add", OPT_CAP_ADD, "CAP", "add a capability (ALL: every one)"},                  \
	    {"cap-drop", OPT_CAP_DROP, "CAP", "drop a capability (ALL: every one)"},               \
	    {"privileged", OPT_PRIVILEGED, NULL,                                                   \
	     "every capability, no seccomp filter, no masked paths, the host's devices"},          \
	    {"device", OPT_DEVICE, "HOST[:CONTAINER][:rwm]", "give the container a host device"},  \
	    {"group-add", OPT_GROUP_ADD, "GROUP",                                                  \
	     "an extra group (keep-groups: keep the caller's)"},                                   \
	{                                                                                          \
		"cpus", OPT_CPUS, "N", "CPU limit (needs a delegated cgroup v2)"                   \
	}

/* Handles option c of run/create into cfg; 0 when c is one of the container options,
 * 1 when it is not, -1 with err on a bad value. */
int container_opt(int c, const char *arg, struct container_config *cfg, struct holt_err *err);

/* --preserve-fds N: fds 3 .. 3+N-1 must be open here. */
int container_opt_preserve_fds(const char *arg, unsigned *n, struct holt_err *err);

/* Checks the options against each other once all are read. */
int container_opts_check(const struct container_config *cfg, struct holt_err *err);

#endif
