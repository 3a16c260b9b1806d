/* `holt port`: the ports a running container publishes, as its net helper listens on
 * them ("80/tcp -> 0.0.0.0:8080"), or the host addresses of one of them. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/netns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd_option port_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_port_info = {
    .name = "port",
    .args = "CONTAINER [PRIVATE_PORT[/PROTO]]",
    .summary = "List a container's published ports",
    .options = port_options,
};

int cmd_port(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_free struct port_map *maps = NULL;
	size_t n = 0;

	while (cmd_getopt(argc, argv, &cmd_port_info) != -1)
		;
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_error("port: give a container and optionally a port");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	netns_live_ports(c, &maps, &n);
	const char *want = argc - optind == 2 ? argv[optind + 1] : NULL;
	char none[] = "", *end = none;
	long want_port = want ? strtol(want, &end, 10) : 0;
	bool want_udp = strcmp(end, "/udp") == 0;
	if (want &&
	    (want_port < 1 || want_port > 65535 || (*end && !want_udp && strcmp(end, "/tcp"))))
		return cmd_error("port \"%s\": \"%s\" is not PORT[/tcp|udp]", argv[optind], want);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		const struct port_map *m = &maps[i];
		const char *ip = *m->host_ip ? m->host_ip : "0.0.0.0";
		/* docker's brackets around an IPv6 address */
		const char *open = ports_ipv6(m) ? "[" : "", *close = *open ? "]" : "";
		if (!want) {
			printf("%u/%s -> %s%s%s:%u\n", m->ctr_port, m->udp ? "udp" : "tcp", open,
			       ip, close, m->host_port);
		} else if (m->ctr_port == want_port && m->udp == want_udp) {
			printf("%s%s%s:%u\n", open, ip, close, m->host_port);
			found = true;
		}
	}
	if (want && !found)
		return cmd_error("port \"%s\": no public port \"%s\" published", argv[optind],
				 want);
	return 0;
}
