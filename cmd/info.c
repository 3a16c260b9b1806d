/* `holt info` (and `system info`): what holt runs on and with, under podman's names
 * (.Host, .Store, .Version) and docker's (.Driver, .DockerRootDir, .Containers, ...), so
 * that --format templates written for either work. It runs in holt's user namespace, so
 * the id mappings shown are the ones containers get. */
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "core/base/exitcode.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/container.h"
#include "storage/image.h"

#include <ctype.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

enum { OPT_FORMAT = OPT_LONG_BASE };

static const struct cmd_option info_options[] = {
    {"format", 'f', "FORMAT", "json, or a Go template ({{.Store.GraphRoot}}, {{.Driver}})"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_info_info = {
    .name = "info",
    .args = "[OPTIONS]",
    .summary = "Show what holt runs on: store, runtime dir, driver, id mappings, cgroups",
    .options = info_options,
};

/* "v2" on a unified hierarchy, "v1" on a legacy or hybrid one, as docker says. */
static const char *cgroup_version(void)
{
	struct statfs st;
	if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	return "v1";
}

/* /proc/self/uid_map or gid_map as podman shows it: [{ContainerID, HostID, Size}]. */
static json_object *id_map(const char *which)
{
	json_object *arr = json_object_new_array();
	cleanup_free char *path = xasprintf("/proc/self/%s_map", which);
	cleanup_file FILE *f = fopen(path, "re");
	unsigned long inside, outside, count;
	while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
		json_object *m = json_object_new_object();
		json_object_object_add(m, "ContainerID", json_object_new_int64((int64_t)inside));
		json_object_object_add(m, "HostID", json_object_new_int64((int64_t)outside));
		json_object_object_add(m, "Size", json_object_new_int64((int64_t)count));
		json_object_array_add(arr, m);
	}
	return arr;
}

/* Real root gets no user namespace: its map is the identity of every id. */
static bool identity_map(void)
{
	cleanup_file FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long inside = 0, outside = 0, size = 0;
	return f && fscanf(f, "%lu %lu %lu", &inside, &outside, &size) == 3 && inside == 0 &&
	       outside == 0 && size == 4294967295UL;
}

struct counts {
	int containers, running, paused, stopped, images;
};

static int count(struct cmd_ctx *ctx, struct counts *n, struct holt_err *err)
{
	struct container **list = NULL;
	struct image **imgs = NULL;
	size_t nc = 0, ni = 0;
	if (container_list(ctx->store, &list, &nc, err) < 0)
		return -1;
	for (size_t i = 0; i < nc; i++) {
		n->containers++;
		if (list[i]->state.status == STATUS_PAUSED)
			n->paused++;
		else if (container_is_running(list[i]))
			n->running++;
		else
			n->stopped++;
	}
	container_list_free(list, nc);
	if (image_list(ctx->store, &imgs, &ni, err) < 0)
		return -1;
	for (size_t i = 0; i < ni; i++)
		image_free(imgs[i]);
	free(imgs);
	n->images = (int)ni;
	return 0;
}

static json_object *host_json(const struct utsname *u)
{
	json_object *host = json_object_new_object();
	json_object *ids = json_object_new_object();
	json_object *security = json_object_new_object();
	json_add_string(host, "Arch", u->machine);
	json_add_string(host, "Kernel", u->release);
	json_add_string(host, "OS", u->sysname);
	json_add_string(host, "Hostname", u->nodename);
	json_add_string(host, "CgroupsVersion", cgroup_version());
	json_add_string(host, "CgroupManager", "cgroupfs");
	json_object_object_add(host, "CPUs",
			       json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(ids, "UIDMap", id_map("uid"));
	json_object_object_add(ids, "GIDMap", id_map("gid"));
	json_object_object_add(host, "IDMappings", ids);
	json_object_object_add(security, "Rootless", json_object_new_boolean(!identity_map()));
	json_object_object_add(host, "Security", security);
	return host;
}

static json_object *info_json(struct cmd_ctx *ctx, const struct counts *n)
{
	struct utsname u;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof u);
	const char *driver = ctx->storage_driver ? ctx->storage_driver : "overlay";
	json_object *root = json_object_new_object();
	json_object *store = json_object_new_object();
	json_object *cstore = json_object_new_object();
	json_object *istore = json_object_new_object();
	json_object *version = json_object_new_object();

	json_object_object_add(root, "Host", host_json(&u));
	json_add_string(store, "GraphRoot", store_root(ctx->store));
	json_add_string(store, "RunRoot", store_runroot(ctx->store));
	json_add_string(store, "GraphDriverName", driver);
	json_object_object_add(cstore, "Number", json_object_new_int(n->containers));
	json_object_object_add(cstore, "Running", json_object_new_int(n->running));
	json_object_object_add(cstore, "Paused", json_object_new_int(n->paused));
	json_object_object_add(cstore, "Stopped", json_object_new_int(n->stopped));
	json_object_object_add(store, "ContainerStore", cstore);
	json_object_object_add(istore, "Number", json_object_new_int(n->images));
	json_object_object_add(store, "ImageStore", istore);
	json_object_object_add(root, "Store", store);
	json_add_string(version, "Version", HOLT_VERSION);
	json_object_object_add(root, "Version", version);

	/* docker's flat names */
	json_object_object_add(root, "Containers", json_object_new_int(n->containers));
	json_object_object_add(root, "ContainersRunning", json_object_new_int(n->running));
	json_object_object_add(root, "ContainersPaused", json_object_new_int(n->paused));
	json_object_object_add(root, "ContainersStopped", json_object_new_int(n->stopped));
	json_object_object_add(root, "Images", json_object_new_int(n->images));
	json_add_string(root, "Driver", driver);
	json_add_string(root, "DockerRootDir", store_root(ctx->store));
	json_add_string(root, "KernelVersion", u.release);
	json_add_string(root, "OSType", "linux");
	json_add_string(root, "Architecture", u.machine);
	json_add_string(root, "CgroupVersion", cgroup_version() + 1);
	json_add_string(root, "ServerVersion", HOLT_VERSION);
	json_object_object_add(root, "NCPU",
			       json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	return root;
}

/* podman's default: YAML of the podman-named parts. */
static void print_yaml(json_object *j, int depth, bool in_list)
{
	if (json_object_is_type(j, json_type_object)) {
		bool first = true;
		json_object_object_foreach(j, key, val)
		{
			int pad = in_list && first ? 0 : depth;
			first = false;
			printf("%*s%s:", pad, "", key);
			if (json_object_is_type(val, json_type_object) ||
			    (json_object_is_type(val, json_type_array) &&
			     json_object_array_length(val))) {
				putchar('\n');
				print_yaml(val, depth + 2, false);
			} else if (json_object_is_type(val, json_type_array)) {
				puts(" []");
			} else {
				printf(" %s\n", json_object_get_string(val));
			}
		}
		return;
	}
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		printf("%*s- ", depth, "");
		print_yaml(json_object_array_get_idx(j, i), depth + 2, true);
	}
}

int cmd_info(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct counts n = {0};
	const char *format = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_info_info)) != -1)
		if (c == 'f')
			format = optarg;
	if (optind < argc)
		return cmd_error("info: unexpected argument \"%s\"", argv[optind]);
	if (count(ctx, &n, &err) < 0)
		return cmd_fail(&err);
	cleanup_json json_object *info = info_json(ctx, &n);
	if (!format || !*format) {
		static const char *const parts[] = {"Host", "Store", "Version"};
		for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
			json_object *part = NULL;
			json_object_object_get_ex(info, parts[i], &part);
			printf("%c%s:\n", tolower((unsigned char)parts[i][0]), parts[i] + 1);
			print_yaml(part, 2, false);
		}
		return 0;
	}
	cleanup_output struct output *out = NULL;
	if (!strcmp(format, "json")) {
		puts(json_object_to_json_string_ext(info, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		return 0;
	}
	if (!(out = output_new_inspect(format, &err)) || output_row(out, info, &err) < 0 ||
	    output_flush(out, &err) < 0)
		return cmd_fail(&err);
	return 0;
}
