/* Parsing, keeping and resolving a container's confinement. Choices where docker and
 * podman differ: mask= and unmask= are podman's (docker has neither); unmask removes a
 * path from both the masked and the read-only lists, as in podman. */
#include "core/security.h"
#include "core/base/util.h"
#include "core/caps.h"
#include "core/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A profile larger than this is not a profile. */
#define PROFILE_MAX (1 << 20)

static const char *const default_masked[] = {
    "/proc/acpi",	 "/proc/kcore",
    "/proc/keys",	 "/proc/latency_stats",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware",	 "/sys/devices/virtual/powercap",
};

static const char *const default_readonly[] = {
    "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

void security_release(struct container_security *s)
{
	strv_free(s->cap_add);
	strv_free(s->cap_drop);
	strv_free(s->security_opt);
	strv_free(s->devices);
	strv_free(s->group_add);
	memset(s, 0, sizeof *s);
}

struct container_security security_dup(const struct container_security *s)
{
	return (struct container_security){
	    .cap_add = strv_dup(s->cap_add),
	    .cap_drop = strv_dup(s->cap_drop),
	    .security_opt = strv_dup(s->security_opt),
	    .devices = strv_dup(s->devices),
	    .group_add = strv_dup(s->group_add),
	    .privileged = s->privileged,
	};
}

int security_cap(char ***list, const char *opt, const char *name, struct holt_err *err)
{
	if (strcasecmp(name, "ALL") == 0) {
		strv_push(list, "ALL");
		return 0;
	}
	int cap = caps_parse(name);
	if (cap < 0)
		return holt_err_set(err, 0, "%s \"%s\": no such capability", opt, name);
	strv_push(list, caps_name(cap));
	return 0;
}

/* The value of the option key in s's SecurityOpt ("key=value" or docker's old
 * "key:value"), the last one given; NULL when absent. */
static const char *opt_value(char *const *opts, const char *key)
{
	const char *found = NULL;
	size_t len = strlen(key);
	for (; opts && *opts; opts++)
		if (strncmp(*opts, key, len) == 0 && ((*opts)[len] == '=' || (*opts)[len] == ':'))
			found = *opts + len + 1;
	return found;
}

static char *read_profile(const char *path, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return holt_err_set(err, errno, "seccomp profile \"%s\"", path), NULL;
	if (!S_ISREG(st.st_mode) || st.st_size > PROFILE_MAX)
		return holt_err_set(err, 0, "seccomp profile \"%s\": not a file of 1 MiB at most",
				    path),
		       NULL;
	char *text = xmalloc((size_t)st.st_size + 1);
	ssize_t n = read(fd, text, (size_t)st.st_size);
	if (n < 0) {
		free(text);
		return holt_err_set(err, errno, "seccomp profile \"%s\"", path), NULL;
	}
	text[n] = '\0';
	return text;
}

/* Colon-separated absolute paths (globs for unmask), or ALL where all is allowed. */
static int check_paths(const char *arg, const char *list, bool all, struct holt_err *err)
{
	if (all && strcmp(list, "ALL") == 0)
		return 0;
	cleanup_free char *copy = xstrdup(list);
	char *save = NULL;
	int n = 0;
	for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save), n++)
		if (p[0] != '/')
			return holt_err_set(err, 0,
					    "--security-opt \"%s\": \"%s\" is not an absolute path",
					    arg, p);
	if (!n)
		return holt_err_set(err, 0, "--security-opt \"%s\": no path given", arg);
	return 0;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!v || !*v || strcmp(v, "true") == 0)
		return *out = true, true;
	if (strcmp(v, "false") == 0)
		return *out = false, true;
	return false;
}

int security_opt(struct container_security *s, const char *arg, struct holt_err *err)
{
	bool b;
	/* SELinux: holt has no support for it; podman users pass label=disable */
	if (!strncmp(arg, "label=", 6) || !strncmp(arg, "label:", 6))
		return 0;
	if (!strncmp(arg, "seccomp=", 8) || !strncmp(arg, "seccomp:", 8)) {
		const char *v = arg + 8;
		if (strcmp(v, "unconfined") == 0) {
			strv_push(&s->security_opt, "seccomp=unconfined");
			return 0;
		}
		cleanup_free char *text = read_profile(v, err);
		cleanup_free char *source = xasprintf("\"%s\"", v);
		if (!text || seccomp_profile_check(text, source, err) < 0)
			return -1;
		cleanup_free char *opt = xasprintf("seccomp=%s", text);
		strv_push(&s->security_opt, opt);
		return 0;
	}
	if (strcmp(arg, "no-new-privileges") == 0 ||
	    ((!strncmp(arg, "no-new-privileges=", 18) || !strncmp(arg, "no-new-privileges:", 18)) &&
	     parse_bool(arg + 18, &b))) {
		strv_push(&s->security_opt, arg);
		return 0;
	}
	if (strcmp(arg, "fake-root-ids") == 0) {
		if (!strv_contains(s->security_opt, arg))
			strv_push(&s->security_opt, arg);
		return 0;
	}
	if (!strncmp(arg, "mask=", 5) || !strncmp(arg, "unmask=", 7)) {
		bool unmask = arg[0] == 'u';
		if (check_paths(arg, arg + (unmask ? 7 : 5), unmask, err) < 0)
			return -1;
		strv_push(&s->security_opt, arg);
		return 0;
	}
	return holt_err_set(err, 0,
			    "--security-opt \"%s\": holt knows seccomp=unconfined|PROFILE.json, "
			    "no-new-privileges[=true|false], mask=PATHS, unmask=PATHS|ALL, "
			    "fake-root-ids and label=…",
			    arg);
}

int security_device(struct container_security *s, const char *arg, struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(arg);
	char *parts[3] = {copy, NULL, NULL};
	int n = 1;
	for (char *p = copy; (p = strchr(p, ':')) && n < 3; n++) {
		*p++ = '\0';
		parts[n] = p;
	}
	const char *host = parts[0], *ctr = parts[1], *perms = parts[2];
	/* HOST:PERMS, as docker reads a second part that does not start with / */
	if (ctr && ctr[0] != '/' && !perms)
		perms = ctr, ctr = NULL;
	if (host[0] != '/' || (ctr && ctr[0] != '/') || strstr(arg, "/../") ||
	    (perms && (!*perms || strspn(perms, "rwm") != strlen(perms))))
		return holt_err_set(err, 0,
				    "--device \"%s\": not /dev/HOST[:/dev/CONTAINER][:rwm] "
				    "with absolute paths",
				    arg);
	struct stat st;
	if (stat(host, &st) < 0)
		return holt_err_set(err, errno, "--device \"%s\"", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
		return holt_err_set(err, 0, "--device \"%s\": not a device or a directory", host);
	if (access(host, R_OK) < 0 && access(host, W_OK) < 0)
		return holt_err_set(err, errno, "--device \"%s\": you cannot open it", host);
	cleanup_free char *dev =
	    xasprintf("%s:%s:%s", host, ctr ? ctr : host, perms ? perms : "rwm");
	strv_push(&s->devices, dev);
	return 0;
}

int security_check(const struct container_security *s, struct holt_err *err)
{
	if (strv_contains(s->group_add, "keep-groups") && strv_len(s->group_add) > 1)
		return holt_err_set(err, 0,
				    "--group-add keep-groups cannot be combined with other groups");
	return 0;
}

static json_object *strv_array(char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

void security_to_json(const struct container_security *s, json_object *host)
{
	json_object *devices = json_object_new_array();
	for (char **d = s->devices; d && *d; d++) {
		cleanup_free char *copy = xstrdup(*d);
		char *ctr = strchr(copy, ':');
		char *perms = ctr ? strchr(ctr + 1, ':') : NULL;
		if (!perms)
			continue;
		*ctr++ = '\0', *perms++ = '\0';
		json_object *o = json_object_new_object();
		json_object_object_add(o, "PathOnHost", json_object_new_string(copy));
		json_object_object_add(o, "PathInContainer", json_object_new_string(ctr));
		json_object_object_add(o, "CgroupPermissions", json_object_new_string(perms));
		json_object_array_add(devices, o);
	}
	json_object_object_add(host, "CapAdd", strv_array(s->cap_add));
	json_object_object_add(host, "CapDrop", strv_array(s->cap_drop));
	json_object_object_add(host, "Privileged", json_object_new_boolean(s->privileged));
	json_object_object_add(host, "SecurityOpt", strv_array(s->security_opt));
	json_object_object_add(host, "Devices", devices);
	json_object_object_add(host, "GroupAdd", strv_array(s->group_add));
}

void security_from_json(struct container_security *s, json_object *host)
{
	json_object *v = NULL;
	s->cap_add = json_get_strv(host, "CapAdd");
	s->cap_drop = json_get_strv(host, "CapDrop");
	s->security_opt = json_get_strv(host, "SecurityOpt");
	s->group_add = json_get_strv(host, "GroupAdd");
	if (json_object_object_get_ex(host, "Privileged", &v))
		s->privileged = json_object_get_boolean(v);
	json_object *devices = NULL;
	json_object_object_get_ex(host, "Devices", &devices);
	for (size_t i = 0;
	     json_object_is_type(devices, json_type_array) && i < json_object_array_length(devices);
	     i++) {
		json_object *d = json_object_array_get_idx(devices, i);
		cleanup_free char *h = json_get_string(d, "PathOnHost");
		cleanup_free char *c = json_get_string(d, "PathInContainer");
		cleanup_free char *p = json_get_string(d, "CgroupPermissions");
		if (!h || !c)
			continue;
		cleanup_free char *dev = xasprintf("%s:%s:%s", h, c, p ? p : "rwm");
		strv_push(&s->devices, dev);
	}
}

uint64_t security_caps(const struct container_security *s)
{
	if (s->privileged)
		return CAPS_ALL;
	uint64_t caps = strv_contains(s->cap_add, "ALL")    ? CAPS_ALL
			: strv_contains(s->cap_drop, "ALL") ? 0
							    : caps_default();
	for (char **c = s->cap_drop; c && *c; c++)
		if (caps_parse(*c) >= 0)
			caps &= ~(UINT64_C(1) << caps_parse(*c));
	for (char **c = s->cap_add; c && *c; c++)
		if (caps_parse(*c) >= 0)
			caps |= UINT64_C(1) << caps_parse(*c);
	return caps;
}

bool security_no_new_privs(const struct container_security *s)
{
	bool on = false;
	for (char **o = s->security_opt; o && *o; o++) {
		if (strcmp(*o, "no-new-privileges") == 0)
			on = true;
		else if (!strncmp(*o, "no-new-privileges", 17))
			parse_bool(*o + 18, &on);
	}
	return on;
}

bool security_seccomp(const struct container_security *s, const char **profile)
{
	const char *v = opt_value(s->security_opt, "seccomp");
	*profile = NULL;
	if (s->privileged || (v && strcmp(v, "unconfined") == 0))
		return false;
	*profile = v;
	return true;
}

bool security_fake_root_ids(const struct container_security *s)
{
	return strv_contains(s->security_opt, "fake-root-ids");
}

/* Whether path is named by one of the colon-separated lists of option key (globs). */
static bool listed(char *const *opts, const char *key, const char *path)
{
	size_t len = strlen(key);
	for (; opts && *opts; opts++) {
		if (strncmp(*opts, key, len) || (*opts)[len] != '=')
			continue;
		if (strcmp(*opts + len + 1, "ALL") == 0)
			return true;
		cleanup_free char *copy = xstrdup(*opts + len + 1);
		char *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (fnmatch(p, path, FNM_PATHNAME) == 0)
				return true;
	}
	return false;
}

static char **paths(const struct container_security *s, const char *const *defaults, size_t n,
		    bool extra)
{
	char **out = NULL;
	if (s->privileged)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!listed(s->security_opt, "unmask", defaults[i]))
			strv_push(&out, defaults[i]);
	for (char **o = s->security_opt; extra && o && *o; o++) {
		if (strncmp(*o, "mask=", 5))
			continue;
		cleanup_free char *copy = xstrdup(*o + 5);
		char *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (!strv_contains(out, p))
				strv_push(&out, p);
	}
	return out;
}

char **security_masked_paths(const struct container_security *s)
{
	return paths(s, default_masked, sizeof default_masked / sizeof *default_masked, true);
}

char **security_readonly_paths(const struct container_security *s)
{
	return paths(s, default_readonly, sizeof default_readonly / sizeof *default_readonly,
		     false);
}

bool security_keep_groups(const struct container_security *s)
{
	return strv_contains(s->group_add, "keep-groups");
}

int security_plan_make(const struct container_security *s, bool privileged_exec,
		       const char *runroot, struct security_plan *plan, struct holt_err *err)
{
	const char *profile;
	memset(plan, 0, sizeof *plan);
	plan->sec = s;
	plan->caps = security_caps(s);
	plan->no_new_privs = security_no_new_privs(s);
	/* exec --privileged: every capability, under the container's own filter (docker) */
	if (security_seccomp(s, &profile) &&
	    seccomp_filter_get(runroot, profile, "(the container's)", plan->caps, &plan->filter,
			       err) < 0)
		return -1;
	if (security_fake_root_ids(s) &&
	    seccomp_filter_get(runroot, seccomp_fake_root_profile, "(fake-root-ids)", CAPS_ALL,
			       &plan->fake_root, err) < 0) {
		seccomp_filter_release(&plan->filter);
		return -1;
	}
	if (privileged_exec)
		plan->caps = CAPS_ALL;
	return 0;
}

void security_plan_release(struct security_plan *plan)
{
	seccomp_filter_release(&plan->filter);
	seccomp_filter_release(&plan->fake_root);
}
