/* The container's /etc/hosts and /etc/resolv.conf are rewritten in place once its
 * address is known: they are bind-mounted by inode, so the container sees the new text
 * whether it mounted them already or not. */
#include "core/netns_user.h"
#include "core/base/file.h"
#include "core/base/util.h"
#include "core/container_net.h"
#include "core/netns.h"
#include "core/network_attach.h"
#include "core/network_netd.h"
#include "net/port_proxy.h"
#include "storage/network.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* An alias is a name the network's resolver answers: a DNS name, which also keeps the
 * endpoint records (words on a line) whole. */
static int check_aliases(char *const *aliases, struct holt_err *err)
{
	for (char *const *a = aliases; a && *a; a++) {
		size_t len = strlen(*a);
		if (!len || len > 253 || !isalnum((unsigned char)**a) ||
		    strspn(*a,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
			len)
			return holt_err_set(
			    err, 0,
			    "--network-alias \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
			    "are allowed, up to 253",
			    *a);
	}
	return 0;
}

int netns_user_check(struct store *s, const struct container_net *n, struct holt_err *err)
{
	if (check_aliases(n->aliases, err) < 0)
		return -1;
	for (char **name = n->networks; name && *name; name++) {
		cleanup_network struct network *net = network_lookup(s, *name, err);
		if (!net)
			return holt_err_wrap(err, "--network \"%s\"", *name);
	}
	return 0;
}

static int rewrite(const char *dir, const char *file, const char *text, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return holt_err_set(err, errno, "write \"%s\"", path);
	return 0;
}

static int write_etc(const struct container *c, const struct network *n, struct in_addr addr,
		     struct holt_err *err)
{
	char a[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN];
	char a6[INET6_ADDRSTRLEN];
	struct in6_addr addr6;
	inet_ntop(AF_INET, &addr, a, sizeof a);
	inet_ntop(AF_INET, &n->gateway, gw, sizeof gw);
	inet_ntop(AF_INET, &n->dns, dns, sizeof dns);
	if (n->ipv6) {
		network_addr6(n, addr, &addr6);
		inet_ntop(AF_INET6, &addr6, a6, sizeof a6);
	}
	cleanup_free char *hosts = container_net_hosts_user(&c->config.net, c->config.hostname,
							    c->name, a, n->ipv6 ? a6 : NULL, gw);
	cleanup_free char *host_text = container_net_host_resolv_text();
	cleanup_free char *resolv = container_net_resolv_user(&c->config.net, host_text, dns);
	if (rewrite(c->dir, "hosts", hosts, err) < 0 ||
	    rewrite(c->dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

/* docker's IPv6 fields of an endpoint: empty on a network without --ipv6. */
static void add_addresses6(json_object *e, const struct network *n, struct in_addr addr)
{
	char a6[INET6_ADDRSTRLEN] = "", gw6[INET6_ADDRSTRLEN] = "";
	if (n->ipv6) {
		struct in6_addr x;
		network_addr6(n, addr, &x);
		inet_ntop(AF_INET6, &x, a6, sizeof a6);
		network_addr6(n, n->gateway, &x);
		inet_ntop(AF_INET6, &x, gw6, sizeof gw6);
	}
	json_object_object_add(e, "GlobalIPv6Address", json_object_new_string(a6));
	json_object_object_add(e, "GlobalIPv6PrefixLen",
			       json_object_new_int(n->ipv6 ? (int)n->prefix6 : 0));
	json_object_object_add(e, "IPv6Gateway", json_object_new_string(gw6));
}

/* <run_dir>/networks.json, for inspect: the container's address on each network while
 * it runs; addr NULL: forgets network n, which it left. */
static int record(const struct container *c, const struct network *n, const struct in_addr *addr,
		  struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/networks.json", c->run_dir);
	cleanup_json json_object *rec = json_object_from_file(path);
	char a[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	if (!rec || !json_object_is_type(rec, json_type_object)) {
		json_object_put(rec);
		rec = json_object_new_object();
	}
	if (addr) {
		json_object *e = json_object_new_object();
		inet_ntop(AF_INET, addr, a, sizeof a);
		inet_ntop(AF_INET, &n->gateway, gw, sizeof gw);
		json_object_object_add(e, "NetworkID", json_object_new_string(n->id));
		json_object_object_add(e, "IPAddress", json_object_new_string(a));
		json_object_object_add(e, "IPPrefixLen", json_object_new_int((int)n->prefix));
		json_object_object_add(e, "Gateway", json_object_new_string(gw));
		add_addresses6(e, n, *addr);
		json_object_object_add(rec, n->name, e);
	} else
		json_object_object_del(rec, n->name);
	const char *text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
	if (mkdir_p(c->run_dir, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", c->run_dir);
	return write_file_atomic(path, NULL, text, strlen(text), false, err);
}

/* A container's addresses on one network. */
struct endpoint_addrs {
	struct in_addr addr;
	struct in6_addr addr6;
	bool ipv6; /* the network has --ipv6: addr6 is set */
};

/* Attaches c (pidfd) to network name; primary: its first network (the default route, the
 * --ip, the address in /etc/hosts). */
static int attach(struct store *s, const struct container *c, int pidfd, const char *name,
		  char *const *aliases, const char *ip, bool primary, bool fresh,
		  struct endpoint_addrs *out, struct holt_err *err)
{
	struct in_addr *addr = &out->addr;
	cleanup_network struct network *n = network_lookup(s, name, err);
	if (!n)
		return -1;
	cleanup_strv char **names = NULL;
	strv_push(&names, c->name);
	for (char *const *a = aliases; a && *a; a++)
		strv_push(&names, *a);
	struct netd_attach a = {.runroot = store_runroot(s),
				.ctr_id = c->id,
				.names = names,
				.want = ip,
				.default_route = primary,
				.fresh = fresh,
				.resolv_conf = getenv("HOLT_RESOLV_CONF")};
	if (netd_attach(n, pidfd, &a, addr, err) < 0 || record(c, n, addr, err) < 0)
		return -1;
	out->ipv6 = n->ipv6;
	if (n->ipv6)
		network_addr6(n, *addr, &out->addr6);
	return primary ? write_etc(c, n, *addr, err) : 0;
}

/* The published ports, TCP and UDP, proxied to the container's addresses on its first
 * network. */
static int start_proxy(const struct container *c, char *const *exposed, int pidfd,
		       const struct endpoint_addrs *first, pid_t *proxy, struct holt_err *err)
{
	cleanup_free struct port_map *maps = NULL;
	size_t n = 0;
	if (netns_ports_to_publish(c, exposed, &maps, &n, err) < 0)
		return -1;
	if (!n)
		return 0;
	struct port_proxy_config cfg = {.maps = maps,
					.n = n,
					.pidfd = pidfd,
					.ctr = first->addr,
					.ctr6 = first->ipv6 ? &first->addr6 : NULL,
					.subnet6_shared = true,
					.ipv6 = netns_host_ipv6()};
	pid_t pid = port_proxy_start(&cfg, err);
	if (pid < 0)
		return -1;
	if (netns_record_ports(c, maps, n, cfg.ipv6, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*proxy = pid;
	return 0;
}

int netns_user_start(struct store *s, const struct container *c, char *const *exposed, pid_t child,
		     pid_t *proxy, struct holt_err *err)
{
	const struct container_net *net = &c->config.net;
	*proxy = -1;
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	cleanup_free char *path = xasprintf("%s/networks.json", c->run_dir);
	if (pidfd < 0)
		return holt_err_set(err, errno, "network: watch the container's process");
	unlink(path); /* the last run's */
	struct endpoint_addrs first = {0}, addrs;
	for (size_t i = 0; net->networks && net->networks[i]; i++) {
		cleanup_strv char **aliases = container_net_aliases_on(net, net->networks[i]);
		if (attach(s, c, pidfd, net->networks[i], aliases, i ? NULL : net->ip, i == 0, true,
			   &addrs, err) < 0)
			return -1;
		if (i == 0)
			first = addrs;
	}
	return start_proxy(c, exposed, pidfd, &first, proxy, err);
}

int netns_user_connect(struct store *s, struct container *c, const char *name, char *const *aliases,
		       const char *ip, struct holt_err *err)
{
	struct container_net *net = &c->config.net;
	if (c->config.network != NETWORK_USER && c->config.network != NETWORK_SLIRP)
		return holt_err_set(
		    err, 0,
		    "container \"%s\" has --network %s: only containers on slirp or "
		    "user networks join others",
		    c->name, c->config.network == NETWORK_NONE ? "none" : "host");
	cleanup_network struct network *n = network_lookup(s, name, err);
	if (!n || check_aliases(aliases, err) < 0)
		return -1;
	if (strv_contains(net->networks, n->name))
		return holt_err_set(err, EEXIST, "container \"%s\" is already on network \"%s\"",
				    c->name, n->name);
	bool running = container_is_running(c) && c->state.pid > 0;
	if (!running && c->config.network == NETWORK_SLIRP)
		return holt_err_set(err, 0,
				    "container \"%s\" is not running: one on the default network "
				    "joins user networks only while it runs",
				    c->name);
	if (running) {
		cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, c->state.pid, 0);
		if (pidfd < 0)
			return holt_err_set(err, errno, "container \"%s\" is not running", c->name);
		struct endpoint_addrs addrs;
		if (attach(s, c, pidfd, n->name, aliases, ip, false, false, &addrs, err) < 0)
			return -1;
	}
	/* a slirp container keeps slirp for its outbound traffic and gains the network */
	if (c->config.network == NETWORK_USER) {
		strv_push(&net->networks, n->name);
		container_net_add_aliases(net, n->name, aliases);
		return container_save_config(c, err);
	}
	return 0;
}

int netns_user_disconnect(struct store *s, struct container *c, const char *name,
			  struct holt_err *err)
{
	struct container_net *net = &c->config.net;
	cleanup_network struct network *n = network_lookup(s, name, err);
	if (!n)
		return -1;
	bool recorded = strv_contains(net->networks, n->name);
	struct in_addr addr;
	bool live = container_is_running(c) && c->state.pid > 0 &&
		    netd_endpoint_addr(store_runroot(s), n, c->id, &addr);
	if (!recorded && !live)
		return holt_err_set(err, ENOENT, "container \"%s\" is not on network \"%s\"",
				    c->name, n->name);
	if (live) {
		cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, c->state.pid, 0);
		if (pidfd >= 0 && netd_detach(store_runroot(s), n, pidfd, c->id, err) < 0)
			return -1;
		if (record(c, n, NULL, err) < 0)
			return -1;
	}
	if (!recorded)
		return 0;
	container_net_drop_aliases(net, n->name);
	char **kept = NULL;
	for (char **w = net->networks; *w; w++)
		if (strcmp(*w, n->name) != 0)
			strv_push(&kept, *w);
	strv_free(net->networks);
	net->networks = kept;
	/* off its last user network, a container has slirp's default network */
	if (!kept)
		c->config.network = NETWORK_SLIRP;
	return container_save_config(c, err);
}

int netns_user_remove(struct store *s, const struct network *n, struct holt_err *err)
{
	cleanup_free char *dir = netd_dir(store_runroot(s), n->name);
	if (network_remove(s, n, err) < 0)
		return -1;
	return netd_stop(dir, err);
}

json_object *netns_user_settings(const struct container *c, json_object *top)
{
	cleanup_free char *path = xasprintf("%s/networks.json", c->run_dir);
	json_object *rec = container_is_running(c) ? json_object_from_file(path) : NULL;
	json_object *networks = json_object_new_object();
	for (size_t i = 0; c->config.net.networks && c->config.net.networks[i]; i++) {
		const char *name = c->config.net.networks[i];
		json_object *e = NULL;
		if (!rec || !json_object_object_get_ex(rec, name, &e)) {
			e = json_object_new_object();
			json_object_object_add(e, "IPAddress", json_object_new_string(""));
			json_object_object_add(e, "IPPrefixLen", json_object_new_int(0));
			json_object_object_add(e, "Gateway", json_object_new_string(""));
			json_object_object_add(e, "GlobalIPv6Address", json_object_new_string(""));
			json_object_object_add(e, "GlobalIPv6PrefixLen", json_object_new_int(0));
			json_object_object_add(e, "IPv6Gateway", json_object_new_string(""));
		} else
			json_object_get(e);
		cleanup_strv char **aliases = container_net_aliases_on(&c->config.net, name);
		json_add_strv(e, "Aliases", aliases ? aliases : (char *[]){NULL});
		if (i == 0) {
			json_object_object_foreach(e, key, val)
			{
				if (strcmp(key, "Aliases") && strcmp(key, "NetworkID"))
					json_object_object_add(top, key, json_object_get(val));
			}
		}
		json_object_object_add(networks, name, e);
	}
	if (rec)
		json_object_put(rec);
	return networks;
}

int netns_user_users(struct store *s, const char *name, char ***names, struct holt_err *err)
{
	struct container **list = NULL;
	size_t n = 0;
	struct in_addr addr;
	*names = NULL;
	if (container_list(s, &list, &n, err) < 0)
		return -1;
	/* those whose config names it, and slirp ones `network connect` put on it live */
	struct network net = {.name = (char *)name};
	for (size_t i = 0; i < n; i++)
		if ((list[i]->config.network == NETWORK_USER &&
		     strv_contains(list[i]->config.net.networks, name)) ||
		    (container_is_running(list[i]) &&
		     netd_endpoint_addr(store_runroot(s), &net, list[i]->id, &addr)))
			strv_push(names, list[i]->name);
	container_list_free(list, n);
	return 0;
}
