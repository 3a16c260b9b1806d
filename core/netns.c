#include "core/netns.h"
#include "core/base/fd_pass.h"
#include "core/base/util.h"
#include "core/caps.h"
#include "core/container_net.h"
#include "core/container_record.h"
#include "core/netns_user.h"
#include "core/seccomp.h"
#include "core/security.h"
#include "net/bypass_doorway.h"
#include "net/slirp_helper.h"
#include "net/tap.h"
#include "net/tcp_bypass.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int netns_child_send_tap(int sock, bool ipv6, struct holt_err *err)
{
	cleanup_close int tap = tap_create(ipv6, err);
	if (tap < 0)
		return -1;
	if (fd_send(sock, tap, err) < 0)
		return holt_err_wrap(err, "network: hand the tap to holt");
	return 0;
}

int netns_child_send_listener(int sock, const struct sock_fprog *filter, struct holt_err *err)
{
	struct holt_err lerr = {0};
	cleanup_close int fd = seccomp_filter_load_listener(filter, &lerr);
	if (fd < 0) {
		/* no listener to be had (one is above already: holt inside a container of
		 * its own): slirp carries every connection, and holt learns it from a word
		 * without a descriptor */
		holt_err_release(&lerr);
		ssize_t sent = send(sock, "n", 1, MSG_NOSIGNAL);
		(void)sent;
		return 0;
	}
	if (fd_send(sock, fd, err) < 0)
		return holt_err_wrap(err, "network: hand the connect filter's listener to holt");
	return 0;
}

int netns_child_wait(int sock, struct holt_err *err)
{
	char go = 0;
	ssize_t n;
	while ((n = read(sock, &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return holt_err_set(err, n < 0 ? errno : 0,
				    "network: the net helper did not start");
	return 0;
}

/* The ports to publish, with -P's and the unnumbered ones given free host ports. */
int netns_ports_to_publish(const struct container *c, char *const *exposed, struct port_map **maps,
			   size_t *n, struct holt_err *err)
{
	const struct container_net *net = &c->config.net;
	*n = net->n_ports;
	*maps = NULL;
	if (net->n_ports) {
		*maps = xmalloc(net->n_ports * sizeof **maps);
		memcpy(*maps, net->ports, net->n_ports * sizeof **maps);
	}
	if (net->publish_all)
		ports_add_exposed(exposed, maps, n);
	return ports_choose_free(*maps, *n, err);
}

int netns_record_ports(const struct container *c, const struct port_map *maps, size_t n, bool ipv6,
		       struct holt_err *err)
{
	cleanup_free struct port_map *bound = NULL;
	size_t n_bound;
	ports_bound(maps, n, ipv6, &bound, &n_bound);
	cleanup_free char *path = xasprintf("%s/ports.json", c->run_dir);
	cleanup_free char *tmp = xasprintf("%s/ports.json.tmp", c->run_dir);
	cleanup_json json_object *obj = ports_to_json(bound, n_bound);
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || rename(tmp, path) < 0)
		return holt_err_set(err, errno, "network: record the ports in \"%s\"", path);
	return 0;
}

bool netns_host_ipv6(void)
{
	return tap_host_ipv6();
}

int netns_connect_filter(const struct container *c, const char *runroot, struct sock_fprog *out,
			 struct holt_err *err)
{
	const char *profile;
	*out = (struct sock_fprog){0};
	/* another profile may let io_uring through, which listens without a listen */
	if (c->config.network != NETWORK_SLIRP || c->config.net.no_bypass ||
	    !security_seccomp(&c->config.security, &profile) || profile || !tcp_bypass_supported())
		return 0;
	return seccomp_filter_get(runroot, seccomp_connect_profile, "(holt's connect filter)",
				  CAPS_ALL, out, err);
}

int netns_exec_bypass_open(const struct container *c, const char *runroot,
			   struct netns_exec_bypass *x, struct holt_err *err)
{
	int pair[2];
	*x = (struct netns_exec_bypass){.doorway = -1, .sock = -1, .child = -1};
	if (netns_connect_filter(c, runroot, &x->filter, err) < 0)
		return -1;
	if (!x->filter.len)
		return 0; /* a container with no bypass: not slirp, or not holt's profile */
	/* a helper with no doorway (one started before holt had it) serves no listener:
	 * the process goes without the filter rather than with none to answer it */
	if ((x->doorway = bypass_doorway_knock(c->run_dir, err)) < 0) {
		seccomp_filter_release(&x->filter);
		return err->msg ? -1 : 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return holt_err_set(err, errno, "network: create the exec's socket pair");
	x->sock = pair[0], x->child = pair[1];
	return 0;
}

int netns_exec_bypass_relay(struct netns_exec_bypass *x, struct holt_err *err)
{
	if (x->sock < 0)
		return 0;
	close(steal_fd(&x->child));
	struct holt_err none = {0};
	/* none comes when the process could have no listener: it goes without the filter */
	cleanup_close int listener = fd_receive(x->sock, &none);
	holt_err_release(&none);
	if (listener < 0)
		return 0;
	return bypass_doorway_enter(x->doorway, listener, err);
}

void netns_exec_bypass_release(struct netns_exec_bypass *x)
{
	seccomp_filter_release(&x->filter);
	if (x->doorway >= 0)
		close(steal_fd(&x->doorway));
	if (x->sock >= 0)
		close(steal_fd(&x->sock));
	if (x->child >= 0)
		close(steal_fd(&x->child));
}

int netns_start(const struct container *c, char *const *exposed, int tap, int listener, int sock,
		bool ipv6, pid_t child, pid_t *helper, struct holt_err *err)
{
	cleanup_free struct port_map *maps = NULL;
	size_t n = 0;
	*helper = -1;

	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		return holt_err_set(err, errno, "network: watch the container's process");
	if (netns_ports_to_publish(c, exposed, &maps, &n, err) < 0)
		return -1;
	struct slirp_helper_config cfg = {
	    .tap_fd = tap,
	    .pidfd = pidfd,
	    .listener = listener,
	    .ports = maps,
	    .n_ports = n,
	    .resolv_conf = getenv("HOLT_RESOLV_CONF"),
	    .run_dir = c->run_dir,
	    .ipv6 = ipv6,
	};
	pid_t pid = slirp_helper_start(&cfg, err);
	if (pid < 0)
		return -1;
	if (n && netns_record_ports(c, maps, n, ipv6, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	/* A child that failed meanwhile cannot read this: its report says why, and the
	 * write must not end holt with SIGPIPE. */
	ssize_t sent = send(sock, "g", 1, MSG_NOSIGNAL);
	(void)sent;
	*helper = pid;
	return 0;
}

int netns_open_shared(struct store *s, const struct container *c, struct holt_err *err)
{
	const char *name = c->config.net.container;
	cleanup_container struct container *other = container_lookup(s, name, err);
	if (!other)
		return holt_err_wrap(err, "--network container:%s", name);
	if (!container_is_running(other) || other->state.pid <= 0)
		return holt_err_set(err, 0, "--network container:%s: that container is not running",
				    name);
	int fd = (int)syscall(SYS_pidfd_open, other->state.pid, 0);
	if (fd < 0)
		return holt_err_set(err, errno, "--network container:%s: open its process", name);
	return fd;
}

void netns_live_ports(const struct container *c, struct port_map **maps, size_t *n)
{
	*maps = NULL;
	*n = 0;
	if (!container_is_running(c))
		return;
	cleanup_free char *path = xasprintf("%s/ports.json", c->run_dir);
	cleanup_json json_object *obj = json_object_from_file(path);
	if (obj)
		ports_from_json(obj, maps, n);
}

char *netns_ports_text(const struct container *c)
{
	cleanup_free struct port_map *maps = NULL;
	size_t n = 0;
	char *text = xstrdup("");
	netns_live_ports(c, &maps, &n);
	for (size_t i = 0; i < n; i++) {
		bool v6 = ports_ipv6(&maps[i]);
		char *next =
		    xasprintf("%s%s%s%s%s:%u->%u/%s", text, i ? ", " : "", v6 ? "[" : "",
			      *maps[i].host_ip ? maps[i].host_ip : "0.0.0.0", v6 ? "]" : "",
			      maps[i].host_port, maps[i].ctr_port, maps[i].udp ? "udp" : "tcp");
		free(text);
		text = next;
	}
	return text;
}

static void add_addresses(json_object *into, bool slirp, bool ipv6)
{
	json_object_object_add(into, "IPAddress",
			       json_object_new_string(slirp ? SLIRP_ADDRESS : ""));
	json_object_object_add(into, "IPPrefixLen", json_object_new_int(slirp ? SLIRP_PREFIX : 0));
	json_object_object_add(into, "Gateway", json_object_new_string(slirp ? SLIRP_GATEWAY : ""));
	json_object_object_add(into, "GlobalIPv6Address",
			       json_object_new_string(ipv6 ? SLIRP_ADDRESS6 : ""));
	json_object_object_add(into, "GlobalIPv6PrefixLen",
			       json_object_new_int(ipv6 ? SLIRP_PREFIX6 : 0));
	json_object_object_add(into, "IPv6Gateway",
			       json_object_new_string(ipv6 ? SLIRP_GATEWAY6 : ""));
}

json_object *netns_settings_json(const struct container *c)
{
	json_object *o = json_object_new_object();
	cleanup_free struct port_map *maps = NULL;
	size_t n = 0;
	bool slirp = c->config.network == NETWORK_SLIRP;
	/* what each start decides, as the host has not changed since */
	bool ipv6 = slirp && container_is_running(c) && netns_host_ipv6();

	cleanup_free char *mode = container_net_mode_name(c->config.network, &c->config.net);
	json_object *networks = json_object_new_object();
	json_object *endpoint = json_object_new_object();

	add_addresses(o, slirp, ipv6);
	if (c->config.network == NETWORK_USER) {
		json_object_put(endpoint);
		json_object_put(networks);
		networks = netns_user_settings(c, o);
	} else {
		add_addresses(endpoint, slirp, ipv6);
		/* docker keys its endpoints by network name: .NetworkSettings.Networks.slirp */
		json_object_object_add(networks, mode, endpoint);
	}
	json_object_object_add(o, "Networks", networks);
	netns_live_ports(c, &maps, &n);
	json_object_object_add(o, "Ports", ports_to_json(maps, n));
	return o;
}
