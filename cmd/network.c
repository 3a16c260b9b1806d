/* `holt network COMMAND`: docker's network group. create, ls, inspect, connect and
 * disconnect are here; rm and prune, which remove, are in cmd/network_rm.c. */
#include "cmd/network.h"
#include "cmd/cmd.h"
#include "cmd/labels.h"
#include "cmd/output.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/netns_user.h"
#include "core/network_attach.h"
#include "storage/network.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_option network_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_info = {
    .name = "network",
    .args = "COMMAND [ARG...]",
    .summary = "Manage user networks (create, ls, inspect, rm, prune, connect, disconnect)",
    .options = network_options,
    .stop_at_operand = true,
};

enum {
	OPT_LABEL = OPT_LONG_BASE,
	OPT_FORMAT,
	OPT_SUBNET,
	OPT_GATEWAY,
	OPT_INTERNAL,
	OPT_IPV6,
	OPT_ALIAS,
	OPT_IP,
	OPT_NO_TRUNC
};

static const struct cmd_option create_options[] = {
    {"subnet", OPT_SUBNET, "CIDR",
     "its IPv4 subnet (default: the first free 10.89.N.0/24); given again with --ipv6, its "
     "IPv6 one (default: a random fdXX:XXXX:XXXX::/64)"},
    {"gateway", OPT_GATEWAY, "IP",
     "its IPv4 gateway, the way out (default: the subnet's first); the IPv6 one is at the "
     "same place in the IPv6 subnet"},
    {"internal", OPT_INTERNAL, NULL, "no traffic leaves the network"},
    {"ipv6", OPT_IPV6, NULL, "an IPv6 subnet too: containers get an address in each"},
    {"label", OPT_LABEL, "KEY=VALUE", "set a label on the network"},
    {"driver", 'd', "bridge", "the network driver (only bridge)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_create_info = {
    .name = "network create",
    .args = "[OPTIONS] NETWORK",
    .summary = "Create a user network",
    .options = create_options,
};

static int network_create_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_strv char **labels = NULL;
	struct network_spec spec = {0};
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_network_create_info)) != -1) {
		if (c == OPT_SUBNET) {
			/* docker's way: --subnet once per family */
			const char **family = strchr(optarg, ':') ? &spec.subnet6 : &spec.subnet;
			if (*family)
				return cmd_error("network create: --subnet \"%s\": one subnet of "
						 "each family",
						 optarg);
			*family = optarg;
		} else if (c == OPT_GATEWAY) {
			if (strchr(optarg, ':'))
				return cmd_error("network create: --gateway \"%s\": the IPv6 "
						 "gateway is the IPv4 gateway's place in the IPv6 "
						 "subnet; give the IPv4 one",
						 optarg);
			spec.gateway = optarg;
		} else if (c == OPT_INTERNAL)
			spec.internal = true;
		else if (c == OPT_IPV6)
			spec.ipv6 = true;
		else if (c == OPT_LABEL) {
			if (!*optarg || *optarg == '=')
				return cmd_error("network create: --label \"%s\": the key is empty",
						 optarg);
			strv_push(&labels, optarg);
		} else if (c == 'd' && strcmp(optarg, "bridge"))
			return cmd_error("network create: driver \"%s\": holt has only \"bridge\"",
					 optarg);
	}
	if (argc - optind != 1)
		return cmd_error("network create: name one network");
	spec.name = argv[optind];
	spec.labels = labels;
	cleanup_network struct network *n = network_create(ctx->store, &spec, &err);
	if (!n)
		return cmd_fail(&err);
	printf("%s\n", n->id); /* docker's answer; podman's is the name */
	return 0;
}

/* The containers on n while it runs, by id: {"Name", "IPv4Address"} as docker. */
static json_object *containers_json(struct cmd_ctx *ctx, const struct network *n)
{
	json_object *o = json_object_new_object();
	struct container **list = NULL;
	size_t count = 0;
	struct holt_err err = {0};
	if (container_list(ctx->store, &list, &count, &err) < 0) {
		holt_err_release(&err);
		return o;
	}
	for (size_t i = 0; i < count; i++) {
		struct in_addr addr;
		char a[INET_ADDRSTRLEN];
		if (!container_is_running(list[i]) ||
		    !netd_endpoint_addr(store_runroot(ctx->store), n, list[i]->id, &addr))
			continue;
		inet_ntop(AF_INET, &addr, a, sizeof a);
		cleanup_free char *cidr = xasprintf("%s/%u", a, n->prefix);
		json_object *e = json_object_new_object();
		json_object_object_add(e, "Name", json_object_new_string(list[i]->name));
		json_object_object_add(e, "IPv4Address", json_object_new_string(cidr));
		cleanup_free char *cidr6 = xstrdup("");
		if (n->ipv6) {
			struct in6_addr a6;
			char t6[INET6_ADDRSTRLEN];
			network_addr6(n, addr, &a6);
			inet_ntop(AF_INET6, &a6, t6, sizeof t6);
			free(cidr6);
			cidr6 = xasprintf("%s/%u", t6, n->prefix6);
		}
		json_object_object_add(e, "IPv6Address", json_object_new_string(cidr6));
		json_object_object_add(o, list[i]->id, e);
	}
	container_list_free(list, count);
	return o;
}

/* docker's JSON for a network. */
static json_object *network_json(struct cmd_ctx *ctx, const struct network *n)
{
	json_object *o = json_object_new_object();
	json_object *ipam = json_object_new_object();
	json_object *configs = json_object_new_array();
	json_object *config = json_object_new_object();
	char gw[INET_ADDRSTRLEN];
	cleanup_free char *subnet = network_subnet_text(n);

	inet_ntop(AF_INET, &n->gateway, gw, sizeof gw);
	json_object_object_add(config, "Subnet", json_object_new_string(subnet));
	json_object_object_add(config, "Gateway", json_object_new_string(gw));
	json_object_array_add(configs, config);
	if (n->ipv6) {
		struct in6_addr gw6;
		char gw6_text[INET6_ADDRSTRLEN];
		cleanup_free char *subnet6 = network_subnet6_text(n);
		json_object *config6 = json_object_new_object();
		network_addr6(n, n->gateway, &gw6);
		inet_ntop(AF_INET6, &gw6, gw6_text, sizeof gw6_text);
		json_object_object_add(config6, "Subnet", json_object_new_string(subnet6));
		json_object_object_add(config6, "Gateway", json_object_new_string(gw6_text));
		json_object_array_add(configs, config6);
	}
	json_object_object_add(ipam, "Driver", json_object_new_string("default"));
	json_object_object_add(ipam, "Options", json_object_new_object());
	json_object_object_add(ipam, "Config", configs);
	json_object_object_add(o, "Name", json_object_new_string(n->name));
	json_object_object_add(o, "Id", json_object_new_string(n->id));
	json_object_object_add(o, "Created", json_object_new_string(n->created));
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	json_object_object_add(o, "Driver", json_object_new_string("bridge"));
	json_object_object_add(o, "EnableIPv6", json_object_new_boolean(n->ipv6));
	json_object_object_add(o, "IPAM", ipam);
	json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
	json_object_object_add(o, "Attachable", json_object_new_boolean(false));
	json_object_object_add(o, "Containers", containers_json(ctx, n));
	json_object_object_add(o, "Options", json_object_new_object());
	json_object_object_add(o, "Labels", json_labels_object(n->labels));
	return o;
}

static json_object *find_network(struct cmd_ctx *ctx, const char *name, const void *arg,
				 struct holt_err *err)
{
	cleanup_network struct network *n = network_lookup(ctx->store, name, err);
	return n ? network_json(ctx, n) : NULL;
}

static const struct cmd_option inspect_options[] = {
    {"format", 'f', "FORMAT", "json, or a Go TEMPLATE per network"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_inspect_info = {
    .name = "network inspect",
    .args = "[OPTIONS] NETWORK...",
    .summary = "Show networks in detail",
    .options = inspect_options,
};

static int network_inspect_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_network_inspect_info)) != -1)
		if (c == 'f')
			format = optarg;
	if (optind >= argc)
		return cmd_error("network inspect: name at least one network");
	return cmd_inspect_each(ctx, format, argv + optind, find_network, NULL);
}

static const struct cmd_option ls_options[] = {
    {"quiet", 'q', NULL, "print the ids only"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "full ids"},
    {"filter", 'f', "FILTER", "name=TEXT, id=PREFIX, label=KEY[=VALUE], driver=bridge"},
    {"format", OPT_FORMAT, "FORMAT", "table, table TEMPLATE, json, or a Go TEMPLATE"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_ls_info = {
    .name = "network ls",
    .args = "[OPTIONS]",
    .summary = "List user networks",
    .options = ls_options,
};

static int matches(const struct network *n, char *const *filters, bool *ok, struct holt_err *err)
{
	*ok = true;
	for (size_t i = 0; filters && filters[i] && *ok; i++) {
		const char *f = filters[i];
		if (strncmp(f, "name=", 5) == 0)
			*ok = strstr(n->name, f + 5) != NULL;
		else if (strncmp(f, "id=", 3) == 0)
			*ok = strncmp(n->id, f + 3, strlen(f + 3)) == 0;
		else if (strncmp(f, "label=", 6) == 0)
			*ok = labels_match(n->labels, f + 6);
		else if (strncmp(f, "driver=", 7) == 0)
			*ok = strcmp(f + 7, "bridge") == 0;
		else
			return holt_err_set(err, 0,
					    "network ls: filter \"%s\": holt knows name=, id=, "
					    "label=, driver=",
					    f);
	}
	return 0;
}

static json_object *ls_row(const struct network *n, bool trunc)
{
	json_object *o = json_object_new_object();
	cleanup_free char *labels = labels_text(n->labels);
	cleanup_free char *id = trunc ? xstrndup(n->id, 12) : xstrdup(n->id);
	cleanup_free char *subnet = network_subnet_text(n);
	json_object_object_add(o, "ID", json_object_new_string(id));
	json_object_object_add(o, "Name", json_object_new_string(n->name));
	json_object_object_add(o, "Driver", json_object_new_string("bridge"));
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	json_object_object_add(o, "Subnet", json_object_new_string(subnet));
	json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
	json_object_object_add(o, "IPv6", json_object_new_boolean(n->ipv6));
	json_object_object_add(o, "Labels", json_object_new_string(labels));
	json_object_object_add(o, "CreatedAt", json_object_new_string(n->created));
	return o;
}

static int network_ls_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const char *const headers[][2] = {{"ID", "NETWORK ID"}, {NULL, NULL}};
	static const char table[] = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";
	struct holt_err err = {0};
	cleanup_strv char **filters = NULL;
	const char *format = NULL;
	bool trunc = true;
	struct network **list = NULL;
	size_t n = 0;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_network_ls_info)) != -1)
		if (c == 'q')
			format = "{{.ID}}";
		else if (c == 'f')
			strv_push(&filters, optarg);
		else if (c == OPT_FORMAT)
			format = optarg;
		else if (c == OPT_NO_TRUNC)
			trunc = false;
	if (optind < argc)
		return cmd_error("network ls: unexpected argument \"%s\"", argv[optind]);
	cleanup_output struct output *out = output_new(format, table, headers, &err);
	if (!out || network_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n && ret == 0; i++) {
		bool ok;
		if (matches(list[i], filters, &ok, &err) < 0) {
			ret = cmd_fail(&err);
			break;
		}
		cleanup_json json_object *row = ok ? ls_row(list[i], trunc) : NULL;
		if (row && output_row(out, row, &err) < 0)
			ret = cmd_fail(&err);
	}
	network_list_free(list, n);
	if (ret == 0 && output_flush(out, &err) < 0)
		ret = cmd_fail(&err);
	return ret;
}

static const struct cmd_option connect_options[] = {
    {"alias", OPT_ALIAS, "ALIAS", "another name for the container on the network"},
    {"ip", OPT_IP, "IPV4", "its address on the network"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_network_connect_info = {
    .name = "network connect",
    .args = "[OPTIONS] NETWORK CONTAINER",
    .summary = "Put a container on a network too",
    .options = connect_options,
};

static int network_connect_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_strv char **aliases = NULL;
	const char *ip = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_network_connect_info)) != -1)
		if (c == OPT_ALIAS)
			strv_push(&aliases, optarg);
		else if (c == OPT_IP)
			ip = optarg;
	if (argc - optind != 2)
		return cmd_error("network connect: name a network and a container");
	cleanup_container struct container *ctr =
	    container_lookup(ctx->store, argv[optind + 1], &err);
	if (!ctr || netns_user_connect(ctx->store, ctr, argv[optind], aliases, ip, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

const struct cmd_info cmd_network_disconnect_info = {
    .name = "network disconnect",
    .args = "NETWORK CONTAINER",
    .summary = "Take a container off a network",
    .options = network_options,
};

static int network_disconnect_cmd(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	while (cmd_getopt(argc, argv, &cmd_network_disconnect_info) != -1)
		;
	if (argc - optind != 2)
		return cmd_error("network disconnect: name a network and a container");
	cleanup_container struct container *ctr =
	    container_lookup(ctx->store, argv[optind + 1], &err);
	if (!ctr || netns_user_disconnect(ctx->store, ctr, argv[optind], &err) < 0)
		return cmd_fail(&err);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
} members[] = {
    {"create", network_create_cmd},
    {"inspect", network_inspect_cmd},
    {"ls", network_ls_cmd},
    {"list", network_ls_cmd},
    {"rm", cmd_network_rm},
    {"remove", cmd_network_rm},
    {"prune", cmd_network_prune},
    {"connect", network_connect_cmd},
    {"disconnect", network_disconnect_cmd},
    {NULL, NULL},
};

int cmd_network(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_network_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("network: name a command (create, ls, inspect, rm, prune, "
				 "connect, disconnect)");
	for (size_t i = 0; members[i].name; i++)
		if (strcmp(members[i].name, argv[optind]) == 0) {
			int first = optind;
			optind = 0;
			return members[i].fn(argc - first, argv + first, ctx);
		}
	return cmd_error("network: unknown command \"%s\"", argv[optind]);
}
