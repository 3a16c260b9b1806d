/* Runs in the container's child before its command: it alone owns the new network
 * namespace, so it makes the tap there and hands the fd to the net helper outside. */
#include "net/tap.h"
#include "core/base/util.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void set_addr(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	*in = (struct sockaddr_in){.sin_family = AF_INET};
	inet_pton(AF_INET, addr, &in->sin_addr);
}

static int configure(int sock, struct holt_err *err)
{
	struct ifreq ifr = {.ifr_name = SLIRP_TAP_NAME};
	char mask[INET_ADDRSTRLEN];
	struct in_addr m = {.s_addr = htonl(~0U << (32 - SLIRP_PREFIX))};

	inet_ntop(AF_INET, &m, mask, sizeof mask);
	set_addr(&ifr.ifr_addr, SLIRP_ADDRESS);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		return holt_err_set(err, errno, "address \"%s\"", SLIRP_TAP_NAME);
	set_addr(&ifr.ifr_netmask, mask);
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		return holt_err_set(err, errno, "netmask of \"%s\"", SLIRP_TAP_NAME);
	ifr.ifr_mtu = SLIRP_MTU;
	if (ioctl(sock, SIOCSIFMTU, &ifr) < 0)
		return holt_err_set(err, errno, "mtu of \"%s\"", SLIRP_TAP_NAME);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return holt_err_set(err, errno, "flags of \"%s\"", SLIRP_TAP_NAME);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return holt_err_set(err, errno, "bring up \"%s\"", SLIRP_TAP_NAME);

	struct rtentry rt = {.rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = (char *)SLIRP_TAP_NAME};
	set_addr(&rt.rt_dst, "0.0.0.0");
	set_addr(&rt.rt_genmask, "0.0.0.0");
	set_addr(&rt.rt_gateway, SLIRP_GATEWAY);
	if (ioctl(sock, SIOCADDRT, &rt) < 0)
		return holt_err_set(err, errno, "default route via %s", SLIRP_GATEWAY);
	return 0;
}

/* The address is fixed: router advertisements from slirp would add a second one, which
 * the container's connections could come from instead. Where /proc/sys is read-only
 * (holt inside a container) that second address is the lesser harm than no network. */
static int configure6(struct holt_err *err)
{
	struct in6_addr addr, gateway;
	int ifindex = (int)if_nametoindex(SLIRP_TAP_NAME);

	cleanup_close int ra =
	    open("/proc/sys/net/ipv6/conf/" SLIRP_TAP_NAME "/accept_ra", O_WRONLY | O_CLOEXEC);
	if (ra >= 0) {
		ssize_t n = write(ra, "0", 1);
		(void)n; /* as above: the address and route below hold either way */
	}
	inet_pton(AF_INET6, SLIRP_ADDRESS6, &addr);
	inet_pton(AF_INET6, SLIRP_GATEWAY6, &gateway);
	cleanup_close int nl = nl_open(0, err);
	if (nl < 0 || nl_addr6_add(nl, ifindex, &addr, SLIRP_PREFIX6, err) < 0 ||
	    nl_route6_default(nl, ifindex, &gateway, err) < 0)
		return -1;
	return 0;
}

bool tap_host_ipv6(void)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	cleanup_close int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
}

int tap_create(bool ipv6, struct holt_err *err)
{
	struct ifreq ifr = {.ifr_name = SLIRP_TAP_NAME, .ifr_flags = IFF_TAP | IFF_NO_PI};
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno,
				    "network: open \"/dev/net/tun\" (the default network needs it "
				    "read-write for you; or use --network none)");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return holt_err_set(err, errno, "network: create \"%s\"", SLIRP_TAP_NAME);
	cleanup_close int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return holt_err_set(err, errno, "network: socket");
	if (configure(sock, err) < 0 || (ipv6 && configure6(err) < 0))
		return holt_err_wrap(err, "network");
	return steal_fd(&fd);
}
