/* Container records on disk: containers/<id>/ holds config.json (what was asked),
 * state.json (what happened), the log, the writable layer and the files bind-mounted
 * into /etc. The runtime dir <runroot>/containers/<id>/ holds the monitor's lock: while
 * it is held the container's monitor is alive, so a record that says "running" with no
 * lock held (monitor killed, machine rebooted) is shown as exited. */
#ifndef HOLT_CORE_CONTAINER_H
#define HOLT_CORE_CONTAINER_H

#include "core/base/err.h"
#include "core/base/json.h"
#include "core/container_net.h"
#include "core/logfile.h"
#include "core/mount_spec.h"
#include "core/security.h"
#include "storage/image.h"
#include "storage/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum restart_policy {
	RESTART_NO,
	RESTART_ON_FAILURE, /* restart_max times at most, when 0: no limit */
	RESTART_ALWAYS,
	RESTART_UNLESS_STOPPED,
};

/* A log rotates at 50 MiB by default and keeps one rotated file: 100 MiB at most, as
 * docker's local log driver keeps. --log-opt max-size=-1 lifts the limit. */
#define LOG_SIZE_DEFAULT   ((uint64_t)50 << 20)
#define LOG_SIZE_UNLIMITED UINT64_MAX

/* What the user asked for, before the image's defaults are applied. */
struct container_config {
	char *name;	   /* NULL: a generated one */
	char **cmd;	   /* NULL: the image's Cmd */
	char **entrypoint; /* with entrypoint_set: replaces the image's ("" clears it) */
	bool entrypoint_set;
	char **env;	   /* KEY=VALUE, in order; later ones win */
	char *workdir;	   /* NULL: the image's WorkingDir, else / */
	char *user;	   /* NULL: the image's User, else root */
	char *hostname;	   /* NULL: the id's first 12 hex digits */
	char *timezone;	   /* --tz: "local" or Area/City; NULL: the image's /etc/localtime */
	char **labels;	   /* KEY=VALUE */
	char *stop_signal; /* NULL: the image's StopSignal, else SIGTERM */
	int stop_timeout;  /* seconds; -1: 10 */
	enum container_network network;
	struct container_net net; /* what goes with network: ports, dns, hosts */
	enum restart_policy restart;
	int restart_max;
	uint64_t log_max_size; /* bytes before the log rotates; LOG_SIZE_UNLIMITED: never */
	enum log_driver log_driver;
	char *log_path;	    /* --log-opt path=; NULL: ctr.log in the container's directory */
	uint64_t memory;    /* --memory, bytes; 0: no limit */
	uint64_t nano_cpus; /* --cpus, in billionths of a CPU; 0: no limit */
	bool tty, interactive, remove, init;
	struct mount_spec *mounts; /* -v, --mount, --tmpfs (and --volumes-from's, once made) */
	size_t n_mounts;
	char **volumes_from; /* CONTAINER[:ro|rw]; copied into mounts when the container is made */
	bool read_only;	     /* --read-only: the root is read-only, /tmp and /run are tmpfs */
	char *userns;	     /* --userns keep-id[:…] as given; NULL: holt's own namespace */
	/* --userns auto: the container's slice of holt's ids, chosen when it is made */
	unsigned long userns_base, userns_size;
	struct container_security security; /* caps, seccomp, masks, devices, groups */
};

enum container_status {
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_RESTARTING, /* between two runs under a restart policy */
	STATUS_EXITED,
	STATUS_PAUSED, /* running, with its processes frozen (holt pause) */
};

struct container_state {
	enum container_status status;
	pid_t pid;	   /* the container's first process, in holt's pid namespace */
	pid_t monitor_pid; /* the process that waits for it */
	int exit_code;
	int restart_count;
	char *started_at;  /* RFC 3339; NULL before the first start */
	char *finished_at; /* NULL until it first exits */
	char *error;	   /* why it could not start or why its monitor vanished */
	bool monitor_died; /* it was running and its monitor is gone (killed) */
};

struct container {
	char *id; /* 64 hex digits */
	char *name;
	char *dir;     /* <root>/containers/<id> */
	char *run_dir; /* <runroot>/containers/<id> */
	char *image_id;
	char *image_name; /* as the user named it when the container was made */
	char *created;	  /* RFC 3339 */
	struct container_config config;
	struct container_state state;
};

void container_config_release(struct container_config *c);
void container_free(struct container *c);
static inline void container_freep(struct container **c)
{
	if (*c)
		container_free(*c);
}
#define cleanup_container __attribute__((cleanup(container_freep)))

/* Creates the container's record and directories for image (named image_name by the
 * user), with a new id and a unique name. Takes ownership of nothing. */
struct container *container_create(struct store *s, const struct container_config *config,
				   const struct image *img, const char *image_name,
				   struct holt_err *err);

/* Finds a container by full id, name, or unique id prefix, and reads its state. NULL
 * with err naming query when none (errnum ENOENT) or several match. An --rm container
 * whose monitor was killed is removed when read, here and by container_list. */
struct container *container_lookup(struct store *s, const char *query, struct holt_err *err);

/* Every container, newest first. */
int container_list(struct store *s, struct container ***out, size_t *n, struct holt_err *err);
void container_list_free(struct container **list, size_t n);

/* Reads state.json again (a container that never started has none: created). */
int container_reload_state(struct container *c, struct holt_err *err);

const char *container_status_name(enum container_status st);
const char *container_restart_name(enum restart_policy p);
/* The path of c's log, <dir>/ctr.log unless --log-opt path= named another; the caller
 * frees it. */
char *container_log_path(const struct container *c);
/* HostConfig.LogConfig as docker shows it: {"Type": "k8s-file", "Config": {"max-size",
 * "path"}}. */
json_object *container_log_config_json(const struct container_config *cfg);
static inline bool container_is_running(const struct container *c)
{
	return c->state.status == STATUS_RUNNING || c->state.status == STATUS_RESTARTING ||
	       c->state.status == STATUS_PAUSED;
}

/* The monitor's side: takes the lock that says this container's monitor is alive (and
 * creates the runtime dir). Returns the fd that holds it, or -1. */
int container_lock_monitor(struct container *c, struct holt_err *err);
/* Removes c unless a monitor runs it (then fails with errnum EBUSY), holding the
 * monitor's lock meanwhile, so that a start racing the removal finds no record and gives
 * up. */
int container_remove_unmonitored(struct store *s, struct container *c, struct holt_err *err);
/* Blocks until the container's monitor, if any, has gone. */
void container_wait_monitor(const struct container *c);

/* State changes, written atomically. running: pid started under the calling monitor;
 * restarting: the run before exited with exit_code, and the next is due. */
int container_set_running(struct container *c, pid_t pid, struct holt_err *err);
int container_set_restarting(struct container *c, int exit_code, struct holt_err *err);
int container_set_exited(struct container *c, int exit_code, const char *error,
			 struct holt_err *err);

/* Writes c's config.json again after a change to c->config (network connect). */
int container_save_config(struct container *c, struct holt_err *err);

/* Gives the container a new name. */
int container_rename(struct store *s, struct container *c, const char *name, struct holt_err *err);

/* Removes the container's record, writable layer and runtime dir. */
int container_remove(struct store *s, struct container *c, struct holt_err *err);

#endif
