/* The client's address, kept for the container on published TCP ports. The proxy
 * connects from inside the container's network namespace, so the container would see
 * the connection come from its own address. Instead:
 * - a client on the host's loopback comes from 127.0.0.1 (the proxy binds there: an
 *   address of the container's own loopback, no privilege needed), as with podman's
 *   rootlessport;
 * - any other IPv4 client comes from its own address: the proxy binds it with
 *   IP_TRANSPARENT (which needs CAP_NET_RAW in the namespace's owner, kept for that
 *   alone), and policy routing sends the container's replies from a published port
 *   to the proxy on lo rather than out through the default route, while replies to
 *   the container's own subnets (other containers) still take those routes;
 * - an IPv6 client that is not ::1 comes from the container's own address, as before:
 *   the connection to the container is IPv4. */
#ifndef HOLT_NET_PORT_PROXY_SOURCE_H
#define HOLT_NET_PORT_PROXY_SOURCE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* In the container's network namespace, with CAP_NET_ADMIN there: routes the replies
 * from ctr's TCP ports (n of them) to the proxy. False when the kernel refuses (rules
 * by port need Linux 4.17): clients then come from the container's own address. */
bool proxy_source_setup(const uint16_t *ports, size_t n, struct in_addr ctr);

/* A TCP socket to connect to the container from, bound to what the container is to
 * see of client (transparent: proxy_source_setup's answer); -1 on failure. */
int proxy_source_socket(const struct sockaddr_storage *client, bool transparent);

#endif
