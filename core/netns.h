/* A container's network at start: the child makes its tap and sends it over a socket;
 * the parent starts the net helper on it, records the published ports, and lets the
 * child go on to its command only once the helper listens. */
#ifndef HOLT_CORE_NETNS_H
#define HOLT_CORE_NETNS_H

#include "core/container.h"

#include <linux/filter.h>

#include <stdbool.h>
#include <sys/types.h>

/* The child, in its new network namespace: makes tap0 (with IPv6 too if ipv6) and sends
 * it on sock. */
int netns_child_send_tap(int sock, bool ipv6, struct holt_err *err);
/* The child, with filter (from netns_connect_filter) loaded: sends its listener on sock
 * for the net helper, or a word without one where the kernel has no listeners. */
int netns_child_send_listener(int sock, const struct sock_fprog *filter, struct holt_err *err);
/* The child, before its command: waits for the parent's word that the network is up. */
int netns_child_wait(int sock, struct holt_err *err);

/* The connect filter c's processes get (len 0: none), from the cache under runroot: on
 * the default network with holt's own seccomp profile, the net helper connects their
 * TCP sockets from the host's namespace (net/tcp_bypass.h). */
int netns_connect_filter(const struct container *c, const char *runroot, struct sock_fprog *out,
			 struct holt_err *err);

/* For holt exec into c: the connect filter its process loads (len 0: none, when c has
 * no bypass or its helper no doorway), a socket pair (the process sends the filter's
 * listener on child, holt receives it on sock), and the doorway, knocked at already. */
struct netns_exec_bypass {
	struct sock_fprog filter;
	int doorway, sock, child;
};
int netns_exec_bypass_open(const struct container *c, const char *runroot,
			   struct netns_exec_bypass *x, struct holt_err *err);
/* Once the process is spawned: its listener, if it sent one, on to the helper. */
int netns_exec_bypass_relay(struct netns_exec_bypass *x, struct holt_err *err);
void netns_exec_bypass_release(struct netns_exec_bypass *x);
#define cleanup_exec_bypass __attribute__((cleanup(netns_exec_bypass_release)))

/* The parent, with the tap the child sent on sock: starts the net helper (publishing
 * the image's exposed ports too with -P; serving IPv6 if ipv6, as the tap was made;
 * answering the connect filter's listener if not -1) and tells the child to go on.
 * *helper gets the helper's pid (the caller reaps it after the container). */
int netns_start(const struct container *c, char *const *exposed, int tap, int listener, int sock,
		bool ipv6, pid_t child, pid_t *helper, struct holt_err *err);

/* Whether the host has IPv6: a container on the default network gets it then, and
 * published ports listen on [::] too. */
bool netns_host_ipv6(void);

/* The ports to publish: -p's, with -P's and the unnumbered ones given free host ports. */
int netns_ports_to_publish(const struct container *c, char *const *exposed, struct port_map **maps,
			   size_t *n, struct holt_err *err);
/* Records them in the runtime dir, for ps, port and inspect, as the host binds them:
 * those for every address on 0.0.0.0 and, with ipv6, on [::] too. */
int netns_record_ports(const struct container *c, const struct port_map *maps, size_t n, bool ipv6,
		       struct holt_err *err);

/* Opens the network namespace of the running container c->config.net.container names,
 * for --network container:NAME. */
int netns_open_shared(struct store *s, const struct container *c, struct holt_err *err);

/* The published ports of a running container as its helper listens on them (every
 * host port chosen); none when it is not running. */
void netns_live_ports(const struct container *c, struct port_map **maps, size_t *n);

/* docker ps's PORTS: "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp". */
char *netns_ports_text(const struct container *c);

/* inspect's NetworkSettings: IPAddress, Gateway, IPPrefixLen and Ports as docker
 * shapes them. */
json_object *netns_settings_json(const struct container *c);

#endif
