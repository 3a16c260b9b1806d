/* One request, one acknowledgement: every message asks for NLM_F_ACK and is read back
 * before the next, which keeps the code free of sequence bookkeeping. */
#include "net/netlink.h"
#include "core/base/util.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

struct msg {
	struct nlmsghdr *h;
	char buf[1024];
};

static void *msg_start(struct msg *m, unsigned type, unsigned flags, size_t body)
{
	memset(m->buf, 0, sizeof m->buf);
	m->h = (struct nlmsghdr *)m->buf;
	m->h->nlmsg_type = (unsigned short)type;
	m->h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	m->h->nlmsg_len = NLMSG_LENGTH(body);
	return NLMSG_DATA(m->h);
}

static struct rtattr *attr_add(struct msg *m, unsigned type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h->nlmsg_len));
	size_t total = NLMSG_ALIGN(m->h->nlmsg_len) + RTA_SPACE(len);
	if (total > sizeof m->buf)
		oom(); /* the messages here are fixed and small: a bug, not an input */
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h->nlmsg_len = (unsigned)total;
	return a;
}

static void attr_str(struct msg *m, unsigned type, const char *s)
{
	attr_add(m, type, s, strlen(s) + 1);
}

static void attr_u32(struct msg *m, unsigned type, unsigned v)
{
	attr_add(m, type, &v, sizeof v);
}

/* Closes a nest opened with attr_add(m, type, NULL, 0). */
static void nest_end(struct msg *m, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)(m->buf + m->h->nlmsg_len - (char *)nest);
}

static int transact(int nl, struct msg *m, const char *what, struct holt_err *err)
{
	char reply[4096];
	if (send(nl, m->buf, m->h->nlmsg_len, 0) < 0)
		return holt_err_set(err, errno, "%s", what);
	for (;;) {
		ssize_t n = recv(nl, reply, sizeof reply, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "%s", what);
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			return e ? holt_err_set(err, e, "%s", what) : 0;
		}
	}
}

int nl_open(unsigned groups, struct holt_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return holt_err_set(err, e, "open an rtnetlink socket");
	}
	return fd;
}

int nl_bridge_create(int nl, const char *name, unsigned mtu, struct holt_err *err)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	attr_str(&m, IFLA_IFNAME, name);
	attr_u32(&m, IFLA_MTU, mtu);
	struct rtattr *info = attr_add(&m, IFLA_LINKINFO, NULL, 0);
	attr_str(&m, IFLA_INFO_KIND, "bridge");
	nest_end(&m, info);
	cleanup_free char *what = xasprintf("create bridge \"%s\"", name);
	return transact(nl, &m, what, err);
}

int nl_veth_create(int nl, const char *name, const char *peer, int peer_ns, unsigned mtu,
		   struct holt_err *err)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	attr_str(&m, IFLA_IFNAME, name);
	attr_u32(&m, IFLA_MTU, mtu);
	struct rtattr *info = attr_add(&m, IFLA_LINKINFO, NULL, 0);
	attr_str(&m, IFLA_INFO_KIND, "veth");
	struct rtattr *data = attr_add(&m, IFLA_INFO_DATA, NULL, 0);
	struct ifinfomsg peer_ifi = {.ifi_family = AF_UNSPEC};
	struct rtattr *p = attr_add(&m, VETH_INFO_PEER, &peer_ifi, sizeof peer_ifi);
	attr_str(&m, IFLA_IFNAME, peer);
	attr_u32(&m, IFLA_MTU, mtu);
	attr_u32(&m, IFLA_NET_NS_FD, (unsigned)peer_ns);
	nest_end(&m, p);
	nest_end(&m, data);
	nest_end(&m, info);
	cleanup_free char *what = xasprintf("create veth \"%s\"", name);
	return transact(nl, &m, what, err);
}

int nl_link_up(int nl, int ifindex, int master, unsigned mtu, struct holt_err *err)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_NEWLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	if (master > 0)
		attr_u32(&m, IFLA_MASTER, (unsigned)master);
	if (mtu > 0)
		attr_u32(&m, IFLA_MTU, mtu);
	cleanup_free char *what = xasprintf("bring up link %d", ifindex);
	return transact(nl, &m, what, err);
}

int nl_link_delete(int nl, int ifindex, struct holt_err *err)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_DELLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	cleanup_free char *what = xasprintf("delete link %d", ifindex);
	return transact(nl, &m, what, err);
}

int nl_addr_add(int nl, int ifindex, struct in_addr addr, unsigned prefix, struct holt_err *err)
{
	struct msg m;
	struct ifaddrmsg *ifa = msg_start(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	attr_add(&m, IFA_LOCAL, &addr, sizeof addr);
	attr_add(&m, IFA_ADDRESS, &addr, sizeof addr);
	return transact(nl, &m, "add an address", err);
}

/* A default route through gateway (len bytes of family's address), out of interface oif
 * when it is not 0. */
static int route_default(int nl, unsigned char family, const void *gateway, size_t len, int oif,
			 const char *what, struct holt_err *err)
{
	struct msg m;
	struct rtmsg *rt = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
	rt->rtm_family = family;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	attr_add(&m, RTA_GATEWAY, gateway, len);
	if (oif)
		attr_u32(&m, RTA_OIF, (unsigned)oif);
	return transact(nl, &m, what, err);
}

int nl_route_default(int nl, struct in_addr gateway, struct holt_err *err)
{
	return route_default(nl, AF_INET, &gateway, sizeof gateway, 0, "add the default route",
			     err);
}

int nl_addr6_add(int nl, int ifindex, const struct in6_addr *addr, unsigned prefix,
		 struct holt_err *err)
{
	struct msg m;
	struct ifaddrmsg *ifa = msg_start(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	/* the network is the container's alone: waiting a second for DAD would be waste */
	ifa->ifa_flags = IFA_F_NODAD;
	attr_add(&m, IFA_LOCAL, addr, sizeof *addr);
	attr_add(&m, IFA_ADDRESS, addr, sizeof *addr);
	return transact(nl, &m, "add an IPv6 address", err);
}

int nl_route6_default(int nl, int ifindex, const struct in6_addr *gateway, struct holt_err *err)
{
	return route_default(nl, AF_INET6, gateway, sizeof *gateway, ifindex,
			     "add the IPv6 default route", err);
}

int nl_rule_add(int nl, const struct nl_rule *r, struct holt_err *err)
{
	struct msg m;
	struct fib_rule_hdr *fr = msg_start(&m, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, sizeof *fr);
	struct fib_rule_port_range ports = {.start = r->sport, .end = r->sport};
	fr->family = r->src6 ? AF_INET6 : AF_INET;
	fr->action = FR_ACT_TO_TBL;
	fr->table = RT_TABLE_UNSPEC;
	attr_u32(&m, FRA_PRIORITY, r->pref);
	attr_u32(&m, FRA_TABLE, r->table);
	if (r->src6) {
		fr->src_len = 128;
		attr_add(&m, FRA_SRC, r->src6, sizeof *r->src6);
	} else if (r->src) {
		fr->src_len = 32;
		attr_add(&m, FRA_SRC, r->src, sizeof *r->src);
	}
	if (r->dst) {
		fr->dst_len = 32;
		attr_add(&m, FRA_DST, r->dst, sizeof *r->dst);
	}
	attr_add(&m, FRA_IP_PROTO, &r->proto, sizeof r->proto);
	attr_add(&m, FRA_SPORT_RANGE, &ports, sizeof ports);
	if (r->suppress_prefix >= 0)
		attr_u32(&m, FRA_SUPPRESS_PREFIXLEN, (unsigned)r->suppress_prefix);
	cleanup_free char *what = xasprintf("add a routing rule for %s port %u",
					    r->proto == IPPROTO_UDP ? "UDP" : "TCP", r->sport);
	return transact(nl, &m, what, err);
}

int nl_route_all_local(int nl, unsigned table, int family, struct holt_err *err)
{
	struct msg m;
	struct rtmsg *rt = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
	rt->rtm_family = (unsigned char)family;
	rt->rtm_table = RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_HOST;
	rt->rtm_type = RTN_LOCAL;
	attr_u32(&m, RTA_TABLE, table);
	attr_u32(&m, RTA_OIF, if_nametoindex("lo"));
	return transact(nl, &m, "add a local route for every address", err);
}

/* Appends the names in one dump reply; returns 1 at its end. */
static int collect_names(const char *buf, ssize_t n, const char *prefix, char ***names)
{
	for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return 1;
		if (h->nlmsg_type != RTM_NEWLINK)
			continue;
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		int len = (int)IFLA_PAYLOAD(h);
		for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == IFLA_IFNAME &&
			    strncmp(RTA_DATA(a), prefix, strlen(prefix)) == 0)
				strv_push(names, RTA_DATA(a));
	}
	return 0;
}

int nl_link_names(int nl, const char *prefix, char ***names, struct holt_err *err)
{
	struct msg m;
	char buf[16384];
	struct ifinfomsg *ifi = msg_start(&m, RTM_GETLINK, NLM_F_DUMP, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	*names = NULL;
	if (send(nl, m.buf, m.h->nlmsg_len, 0) < 0)
		return holt_err_set(err, errno, "list links");
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "list links");
		if (collect_names(buf, n, prefix, names))
			return 0;
	}
}
