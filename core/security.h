/* How a container is confined, as the user asked (--cap-add, --cap-drop, --privileged,
 * --security-opt, --device, --group-add) and as config.json keeps it, under docker's
 * HostConfig names; and what that makes of its processes at start. */
#ifndef HOLT_CORE_SECURITY_H
#define HOLT_CORE_SECURITY_H

#include "core/base/err.h"
#include "core/base/json.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

struct container_security {
	char **cap_add;	     /* "CAP_NET_ADMIN" or "ALL", as docker keeps them */
	char **cap_drop;     /* likewise */
	char **security_opt; /* "seccomp=unconfined", "seccomp=<profile JSON>" (docker keeps the
			      * profile, not its file), "no-new-privileges[=…]", "mask=…",
			      * "unmask=…", "fake-root-ids" */
	char **devices;	     /* "HOST:CONTAINER:PERMS" */
	char **group_add;    /* group names or gids, or "keep-groups" alone */
	bool privileged;
};

void security_release(struct container_security *s);
/* A deep copy of s. */
struct container_security security_dup(const struct container_security *s);

/* --cap-add / --cap-drop NAME into *list (opt names the option in errors). */
int security_cap(char ***list, const char *opt, const char *name, struct holt_err *err);
/* --security-opt ARG; seccomp=FILE reads and checks the profile now. */
int security_opt(struct container_security *s, const char *arg, struct holt_err *err);
/* --device HOST[:CONTAINER][:PERMS], for a device (or a directory of them) the user can
 * open. */
int security_device(struct container_security *s, const char *arg, struct holt_err *err);
/* Checks the options against each other once all are read. */
int security_check(const struct container_security *s, struct holt_err *err);

/* Adds CapAdd, CapDrop, Privileged, SecurityOpt, Devices and GroupAdd to a HostConfig
 * object; security_from_json reads them back. */
void security_to_json(const struct container_security *s, json_object *host);
void security_from_json(struct container_security *s, json_object *host);

/* The bounding set of the container's processes. */
uint64_t security_caps(const struct container_security *s);
/* True when --security-opt no-new-privileges asks for it. */
bool security_no_new_privs(const struct container_security *s);
/* Whether the container gets a filter; *profile then is its profile, NULL for holt's
 * default. */
bool security_seccomp(const struct container_security *s, const char **profile);
/* Paths masked and made read-only (docker's lists, with podman's mask= and unmask=). */
char **security_masked_paths(const struct container_security *s);
char **security_readonly_paths(const struct container_security *s);
/* True with --security-opt fake-root-ids: calls changing file owners and process ids
 * succeed without effect, for a user namespace that maps too few ids for them. */
bool security_fake_root_ids(const struct container_security *s);
/* True with --group-add keep-groups: the caller's supplementary groups stay. */
bool security_keep_groups(const struct container_security *s);

/* What a process of the container gets, resolved by the parent before it starts. */
struct security_plan {
	const struct container_security *sec;
	uint64_t caps;
	bool no_new_privs;
	struct sock_fprog filter;    /* len 0: none */
	struct sock_fprog fake_root; /* the fake-root-ids filter; len 0: none */
};

/* Resolves s for a process (privileged_exec: exec --privileged, every capability),
 * compiling the seccomp filter or taking it from the cache under runroot. */
int security_plan_make(const struct container_security *s, bool privileged_exec,
		       const char *runroot, struct security_plan *plan, struct holt_err *err);
void security_plan_release(struct security_plan *plan);
#define cleanup_security_plan __attribute__((cleanup(security_plan_release)))

#endif
