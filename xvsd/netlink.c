// SPDX-License-Identifier: GPL-2.0-only
/* rtnetlink queries the data plane needs: the route and interface toward a
 * backend, its neighbour (MAC) entry, and asking the kernel to resolve it. */
#include "netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

/* Replies to our queries are small; dumps are not used. */
#define NETLINK_BUFFER_SIZE 32768
#define NETLINK_REQUEST_SIZE 512

struct netlink {
	struct mnl_socket *socket;
	uint32_t port_id;
	uint32_t sequence;
	char buffer[NETLINK_BUFFER_SIZE];
};

struct netlink *netlink__open(void)
{
	struct netlink *nl = calloc(1, sizeof(*nl));

	if (!nl)
		return NULL;
	nl->socket = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->socket || mnl_socket_bind(nl->socket, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_warn("netlink socket");
		netlink__close(nl);
		return NULL;
	}
	nl->port_id = mnl_socket_get_portid(nl->socket);
	nl->sequence = (uint32_t)time(NULL);
	return nl;
}

void netlink__close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->socket)
		mnl_socket_close(nl->socket);
	free(nl);
}

/* Sends the request in nl->buffer and runs callback on each reply message. */
static int netlink_transact(struct netlink *nl, struct nlmsghdr *request,
			    mnl_cb_t callback, void *data)
{
	int ret;

	/* An acknowledgement ends every exchange, also single-message replies. */
	request->nlmsg_flags |= NLM_F_ACK;
	request->nlmsg_seq = ++nl->sequence;
	if (mnl_socket_sendto(nl->socket, request, request->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl->socket, nl->buffer, sizeof(nl->buffer));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(nl->buffer, (size_t)ret, nl->sequence, nl->port_id,
				 callback, data);
		if (ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? -errno : 0;
}

static size_t addr_length(const struct inet_addr *addr)
{
	return addr->family == AF_INET ? sizeof(addr->v4) : sizeof(addr->v6);
}

static void attr_get_addr(const struct nlattr *attr, int family, struct inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->family = family;
	if (family == AF_INET && mnl_attr_get_payload_len(attr) >= sizeof(addr->v4))
		memcpy(&addr->v4, mnl_attr_get_payload(attr), sizeof(addr->v4));
	else if (family == AF_INET6 && mnl_attr_get_payload_len(attr) >= sizeof(addr->v6))
		memcpy(&addr->v6, mnl_attr_get_payload(attr), sizeof(addr->v6));
}

struct route_reply {
	struct route_info *route;
	int family;
	bool found;
};

/* RTAX_MTU of a route's metrics (a route with its own mtu, or a learnt path
 * MTU): what bpf_fib_lookup checks packets against. */
static int route_metric(const struct nlattr *attr, void *data)
{
	struct route_info *route = data;

	if (mnl_attr_get_type(attr) == RTAX_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		route->mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int route_attr(const struct nlattr *attr, void *data)
{
	struct route_reply *reply = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			reply->route->ifindex = mnl_attr_get_u32(attr);
			reply->found = true;
		}
		break;
	case RTA_GATEWAY:
		attr_get_addr(attr, reply->family, &reply->route->gateway);
		reply->route->has_gateway = true;
		break;
	case RTA_PREFSRC:
		attr_get_addr(attr, reply->family, &reply->route->prefsrc);
		reply->route->has_prefsrc = true;
		break;
	case RTA_METRICS:
		mnl_attr_parse_nested(attr, route_metric, reply->route);
		break;
	}
	return MNL_CB_OK;
}

static int route_message(const struct nlmsghdr *message, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(message);

	if (message->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	return mnl_attr_parse(message, sizeof(*rtm), route_attr, data);
}

int netlink__route_get(struct netlink *nl, const struct inet_addr *dst,
		       struct route_info *route)
{
	char request[NETLINK_REQUEST_SIZE];
	struct nlmsghdr *message = mnl_nlmsg_put_header(request);
	struct route_reply reply = { .route = route, .family = dst->family };
	struct rtmsg *rtm;
	int ret;

	memset(route, 0, sizeof(*route));
	message->nlmsg_type = RTM_GETROUTE;
	message->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(message, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = dst->family == AF_INET ? 32 : 128;
	mnl_attr_put(message, RTA_DST, addr_length(dst),
		     dst->family == AF_INET ? (const void *)&dst->v4 : (const void *)&dst->v6);
	ret = netlink_transact(nl, message, route_message, &reply);
	if (ret)
		return ret;
	return reply.found ? 0 : -ENETUNREACH;
}

struct neigh_reply {
	uint8_t *mac;
	bool found;
};

static int neigh_message(const struct nlmsghdr *message, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(message);
	struct neigh_reply *reply = data;
	struct nlattr *attr;

	if (message->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	if (!(ndm->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
				NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, message, sizeof(*ndm)) {
		if (mnl_attr_get_type(attr) == NDA_LLADDR &&
		    mnl_attr_get_payload_len(attr) == 6) {
			memcpy(reply->mac, mnl_attr_get_payload(attr), 6);
			reply->found = true;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_request(char *buffer, uint16_t type, uint16_t flags,
				      uint32_t ifindex, const struct inet_addr *addr)
{
	struct nlmsghdr *message = mnl_nlmsg_put_header(buffer);
	struct ndmsg *ndm;

	message->nlmsg_type = type;
	message->nlmsg_flags = flags;
	ndm = mnl_nlmsg_put_extra_header(message, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)addr->family;
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put(message, NDA_DST, addr_length(addr),
		     addr->family == AF_INET ? (const void *)&addr->v4 : (const void *)&addr->v6);
	return message;
}

int netlink__neigh_get(struct netlink *nl, uint32_t ifindex, const struct inet_addr *addr,
		       uint8_t mac[6])
{
	char request[NETLINK_REQUEST_SIZE];
	struct neigh_reply reply = { .mac = mac };
	struct nlmsghdr *message;
	int ret;

	message = neigh_request(request, RTM_GETNEIGH, NLM_F_REQUEST, ifindex, addr);
	ret = netlink_transact(nl, message, neigh_message, &reply);
	if (ret)
		return ret;
	return reply.found ? 0 : -ENOENT;
}

int netlink__neigh_resolve(struct netlink *nl, uint32_t ifindex, const struct inet_addr *addr)
{
	char request[NETLINK_REQUEST_SIZE];
	struct nlmsghdr *message;
	struct ndmsg *ndm;

	message = neigh_request(request, RTM_NEWNEIGH,
				NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, ifindex, addr);
	ndm = (struct ndmsg *)mnl_nlmsg_get_payload(message);
	ndm->ndm_flags = NTF_USE;
	ndm->ndm_state = NUD_NONE;
	return netlink_transact(nl, message, NULL, NULL);
}

struct link_reply {
	uint8_t *mac;      /* NULL: not wanted */
	uint32_t *mtu;     /* NULL: not wanted */
	bool found;
};

static int link_message(const struct nlmsghdr *message, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(message);
	struct link_reply *reply = data;
	struct nlattr *attr;

	if (message->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, message, sizeof(*ifi)) {
		if (reply->mac && mnl_attr_get_type(attr) == IFLA_ADDRESS &&
		    mnl_attr_get_payload_len(attr) == 6) {
			memcpy(reply->mac, mnl_attr_get_payload(attr), 6);
			reply->found = true;
		}
		if (reply->mtu && mnl_attr_get_type(attr) == IFLA_MTU &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			*reply->mtu = mnl_attr_get_u32(attr);
			reply->found = true;
		}
	}
	return MNL_CB_OK;
}

static int link_get(struct netlink *nl, uint32_t ifindex, struct link_reply *reply)
{
	char request[NETLINK_REQUEST_SIZE];
	struct nlmsghdr *message = mnl_nlmsg_put_header(request);
	struct ifinfomsg *ifi;
	int ret;

	message->nlmsg_type = RTM_GETLINK;
	message->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(message, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ret = netlink_transact(nl, message, link_message, reply);
	if (ret)
		return ret;
	return reply->found ? 0 : -ENODEV;
}

int netlink__link_mac(struct netlink *nl, uint32_t ifindex, uint8_t mac[6])
{
	struct link_reply reply = { .mac = mac };

	return link_get(nl, ifindex, &reply);
}

int netlink__link_mtu(struct netlink *nl, uint32_t ifindex, uint32_t *mtu)
{
	struct link_reply reply = { .mtu = mtu };

	return link_get(nl, ifindex, &reply);
}

int netlink__address(struct netlink *nl, bool add, uint32_t ifindex,
		     const struct inet_addr *addr, uint8_t prefix_len)
{
	char request[NETLINK_REQUEST_SIZE];
	struct nlmsghdr *message = mnl_nlmsg_put_header(request);
	struct ifaddrmsg *ifa;
	int ret;

	message->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	message->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	ifa = mnl_nlmsg_put_extra_header(message, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)addr->family;
	ifa->ifa_prefixlen = prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/* No duplicate address detection: the address must work at once. */
	ifa->ifa_flags = addr->family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(message, IFA_LOCAL, addr_length(addr),
		     addr->family == AF_INET ? (const void *)&addr->v4 : (const void *)&addr->v6);
	mnl_attr_put(message, IFA_ADDRESS, addr_length(addr),
		     addr->family == AF_INET ? (const void *)&addr->v4 : (const void *)&addr->v6);
	ret = netlink_transact(nl, message, NULL, NULL);
	if (!add && (ret == -EADDRNOTAVAIL || ret == -ENOENT || ret == -ENODEV))
		return 0; /* already gone */
	return ret;
}
