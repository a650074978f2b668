// SPDX-License-Identifier: GPL-2.0-only
/* rtnetlink for the interfaces the daemon creates: links (vlan, bond, bridge,
 * veth, macvlan), their MTU, master, alias and state, and interface addresses. */
#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

#define LINK_BUFFER_SIZE 65536
#define LINK_REQUEST_SIZE 1024

struct link_socket {
	struct mnl_socket *socket;
	uint32_t port_id;
	uint32_t sequence;
	char error[256];                  /* extended ack of the last failure */
	char buffer[LINK_BUFFER_SIZE];
};

int link_socket_open(int netns_fd, struct link_socket **out)
{
	struct link_socket *link = calloc(1, sizeof(*link));
	int fd, one = 1, ret;

	if (!link)
		return -ENOMEM;
	fd = netns_socket(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0) {
		free(link);
		return fd;
	}
	link->socket = mnl_socket_fdopen(fd);
	if (!link->socket) {
		ret = -errno;
		close(fd);
		free(link);
		return ret;
	}
	if (mnl_socket_bind(link->socket, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		link_socket_close(link);
		return ret;
	}
	/* Best effort: the kernel's reason for a refusal, for the operator. */
	mnl_socket_setsockopt(link->socket, NETLINK_EXT_ACK, &one, sizeof(one));
	link->port_id = mnl_socket_get_portid(link->socket);
	link->sequence = (uint32_t)time(NULL);
	*out = link;
	return 0;
}

void link_socket_close(struct link_socket *link)
{
	if (!link)
		return;
	mnl_socket_close(link->socket);
	free(link);
}

const char *link_socket_error(const struct link_socket *link)
{
	return link->error;
}

static int error_message(const struct nlmsghdr *message, void *data)
{
	const struct nlmsgerr *error = mnl_nlmsg_get_payload(message);
	struct link_socket *link = *(struct link_socket **)data;
	const struct nlattr *attr;
	unsigned int offset;

	if (message->nlmsg_len < mnl_nlmsg_size(sizeof(*error)))
		return MNL_CB_ERROR;
	if (!error->error)
		return MNL_CB_STOP;
	errno = -error->error;
	if (!(message->nlmsg_flags & NLM_F_ACK_TLVS))
		return MNL_CB_ERROR;
	/* The attributes follow the echoed request (or only its header). */
	offset = sizeof(*error);
	if (!(message->nlmsg_flags & NLM_F_CAPPED))
		offset += error->msg.nlmsg_len - sizeof(error->msg);
	mnl_attr_for_each(attr, message, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(link->error, sizeof(link->error), "%s", mnl_attr_get_str(attr));
	}
	errno = -error->error;
	return MNL_CB_ERROR;
}

static int done_message(const struct nlmsghdr *message, void *data)
{
	(void)message;
	(void)data;
	return MNL_CB_STOP;
}

/* Sends request and runs callback on each reply until the acknowledgement
 * (or, for a dump, its end). Returns 0 or negative errno. */
static int transact(struct link_socket *link, struct nlmsghdr *request, mnl_cb_t callback,
		    void *data)
{
	mnl_cb_t controls[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_message, [NLMSG_DONE] = done_message,
	};
	struct link_socket *self = link;
	int ret;

	link->error[0] = '\0';
	/* NLM_F_DUMP shares bits with NLM_F_EXCL: only a GET is a dump. */
	bool dump = (request->nlmsg_type == RTM_GETLINK || request->nlmsg_type == RTM_GETADDR) &&
		    (request->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	if (!dump)
		request->nlmsg_flags |= NLM_F_ACK;
	request->nlmsg_seq = ++link->sequence;
	if (mnl_socket_sendto(link->socket, request, request->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(link->socket, link->buffer, sizeof(link->buffer));
		if (ret < 0)
			return -errno;
		/* Every data starts with the socket, which error_message reads. */
		ret = mnl_cb_run2(link->buffer, (size_t)ret, link->sequence, link->port_id,
				  callback, data ? data : &self, controls, NLMSG_MIN_TYPE);
		if (ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? (errno ? -errno : -EIO) : 0;
}

/* The reply collectors start with the socket, for error_message. */
struct link_collect {
	struct link_socket *link;
	struct link_info *links;
	size_t count;
	int error;
};

/* IFLA_LINKINFO: the kind, and a macvlan's mode from its data. */
static void link_kind_attr(const struct nlattr *attr, struct link_info *info)
{
	const struct nlattr *nested, *data;

	mnl_attr_for_each_nested(nested, attr) {
		if (mnl_attr_get_type(nested) == IFLA_INFO_KIND &&
		    mnl_attr_validate(nested, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->kind, sizeof(info->kind), "%s", mnl_attr_get_str(nested));
	}
	if (strcmp(info->kind, "macvlan"))
		return;
	mnl_attr_for_each_nested(nested, attr) {
		if (mnl_attr_get_type(nested) != IFLA_INFO_DATA)
			continue;
		mnl_attr_for_each_nested(data, nested)
			if (mnl_attr_get_type(data) == IFLA_MACVLAN_MODE &&
			    mnl_attr_validate(data, MNL_TYPE_U32) == 0)
				info->macvlan_mode = mnl_attr_get_u32(data);
	}
}

static void link_info_attr(const struct nlattr *attr, struct link_info *info)
{
	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->name, sizeof(info->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->master = mnl_attr_get_u32(attr);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_IFALIAS:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->alias, sizeof(info->alias), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == sizeof(info->mac))
			memcpy(info->mac, mnl_attr_get_payload(attr), sizeof(info->mac));
		break;
	case IFLA_LINKINFO:
		link_kind_attr(attr, info);
		break;
	}
}

static int link_message(const struct nlmsghdr *message, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(message);
	struct link_collect *collect = data;
	struct link_info *grown, *info;
	const struct nlattr *attr;

	if (message->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	grown = realloc(collect->links, (collect->count + 1) * sizeof(*grown));
	if (!grown) {
		collect->error = -ENOMEM;
		return MNL_CB_OK;
	}
	collect->links = grown;
	info = &grown[collect->count++];
	memset(info, 0, sizeof(*info));
	info->ifindex = (uint32_t)ifi->ifi_index;
	info->up = ifi->ifi_flags & IFF_UP;
	mnl_attr_for_each(attr, message, sizeof(*ifi))
		link_info_attr(attr, info);
	return MNL_CB_OK;
}

static struct nlmsghdr *link_request(char *buffer, uint16_t type, uint16_t flags,
				     uint32_t ifindex)
{
	struct nlmsghdr *message = mnl_nlmsg_put_header(buffer);
	struct ifinfomsg *ifi;

	message->nlmsg_type = type;
	message->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(message, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return message;
}

int link_list(struct link_socket *link, struct link_info **links, size_t *count)
{
	char request[LINK_REQUEST_SIZE];
	struct link_collect collect = { .link = link };
	struct nlmsghdr *message = link_request(request, RTM_GETLINK, NLM_F_DUMP, 0);
	int ret = transact(link, message, link_message, &collect);

	if (!ret)
		ret = collect.error;
	if (ret) {
		free(collect.links);
		return ret;
	}
	*links = collect.links;
	*count = collect.count;
	return 0;
}

int link_get(struct link_socket *link, const char *name, struct link_info *info)
{
	char request[LINK_REQUEST_SIZE];
	struct link_collect collect = { .link = link };
	struct nlmsghdr *message = link_request(request, RTM_GETLINK, 0, 0);
	int ret;

	mnl_attr_put_strz(message, IFLA_IFNAME, name);
	ret = transact(link, message, link_message, &collect);
	if (!ret && collect.error)
		ret = collect.error;
	if (!ret && !collect.count)
		ret = -ENODEV;
	if (!ret)
		*info = collect.links[0];
	free(collect.links);
	return ret;
}

static void bond_data_put(struct nlmsghdr *message, const struct link_spec *spec)
{
	struct nlattr *data = mnl_attr_nest_start(message, IFLA_INFO_DATA);

	mnl_attr_put_u8(message, IFLA_BOND_MODE, spec->bond_mode);
	/* Link monitoring every 100 ms: without it a dead member keeps traffic. */
	mnl_attr_put_u32(message, IFLA_BOND_MIIMON, 100);
	if (spec->bond_mode == BOND_MODE_8023AD)
		mnl_attr_put_u8(message, IFLA_BOND_AD_LACP_RATE, spec->lacp_rate_fast);
	if (spec->bond_mode == BOND_MODE_8023AD || spec->bond_mode == BOND_MODE_BALANCE_XOR ||
	    spec->bond_mode == BOND_MODE_BALANCE_TLB || spec->bond_mode == BOND_MODE_BALANCE_ALB)
		mnl_attr_put_u8(message, IFLA_BOND_XMIT_HASH_POLICY, spec->xmit_hash_policy);
	mnl_attr_nest_end(message, data);
}

static void kind_data_put(struct nlmsghdr *message, const struct link_spec *spec)
{
	struct nlattr *data, *peer;
	struct ifinfomsg *ifi;

	if (!strcmp(spec->kind, "vlan")) {
		data = mnl_attr_nest_start(message, IFLA_INFO_DATA);
		mnl_attr_put_u16(message, IFLA_VLAN_ID, spec->vlan_id);
		mnl_attr_put_u16(message, IFLA_VLAN_PROTOCOL, htons(0x8100));
		mnl_attr_nest_end(message, data);
	} else if (!strcmp(spec->kind, "bond")) {
		bond_data_put(message, spec);
	} else if (!strcmp(spec->kind, "macvlan")) {
		data = mnl_attr_nest_start(message, IFLA_INFO_DATA);
		mnl_attr_put_u32(message, IFLA_MACVLAN_MODE, spec->macvlan_mode);
		mnl_attr_nest_end(message, data);
	} else if (!strcmp(spec->kind, "veth")) {
		data = mnl_attr_nest_start(message, IFLA_INFO_DATA);
		peer = mnl_attr_nest_start(message, VETH_INFO_PEER);
		/* The nest holds an ifinfomsg before its attributes. */
		ifi = mnl_nlmsg_put_extra_header(message, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(message, IFLA_IFNAME, spec->peer);
		if (spec->peer_netns_fd >= 0)
			mnl_attr_put_u32(message, IFLA_NET_NS_FD, (uint32_t)spec->peer_netns_fd);
		if (spec->mtu)
			mnl_attr_put_u32(message, IFLA_MTU, spec->mtu);
		mnl_attr_nest_end(message, peer);
		mnl_attr_nest_end(message, data);
	}
}

int link_create(struct link_socket *link, const struct link_spec *spec)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message;
	struct nlattr *info;

	message = link_request(request, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(message, IFLA_IFNAME, spec->name);
	if (spec->mtu)
		mnl_attr_put_u32(message, IFLA_MTU, spec->mtu);
	if (spec->parent)
		mnl_attr_put_u32(message, IFLA_LINK, spec->parent);
	if (spec->mac)
		mnl_attr_put(message, IFLA_ADDRESS, 6, spec->mac);
	if (spec->netns_fd >= 0)
		mnl_attr_put_u32(message, IFLA_NET_NS_FD, (uint32_t)spec->netns_fd);
	info = mnl_attr_nest_start(message, IFLA_LINKINFO);
	mnl_attr_put_strz(message, IFLA_INFO_KIND, spec->kind);
	kind_data_put(message, spec);
	mnl_attr_nest_end(message, info);
	return transact(link, message, NULL, NULL);
}

int link_delete(struct link_socket *link, uint32_t ifindex)
{
	char request[LINK_REQUEST_SIZE];

	return transact(link, link_request(request, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

int link_set_mtu(struct link_socket *link, uint32_t ifindex, uint32_t mtu)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(message, IFLA_MTU, mtu);
	return transact(link, message, NULL, NULL);
}

int link_set_up(struct link_socket *link, uint32_t ifindex, bool up)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(message);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return transact(link, message, NULL, NULL);
}

int link_set_master(struct link_socket *link, uint32_t ifindex, uint32_t master)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(message, IFLA_MASTER, master);
	return transact(link, message, NULL, NULL);
}

int link_set_alias(struct link_socket *link, uint32_t ifindex, const char *alias)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_strz(message, IFLA_IFALIAS, alias);
	return transact(link, message, NULL, NULL);
}

int link_set_mac(struct link_socket *link, uint32_t ifindex, const uint8_t mac[6])
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put(message, IFLA_ADDRESS, 6, mac);
	return transact(link, message, NULL, NULL);
}

int link_set_macvlan_mode(struct link_socket *link, uint32_t ifindex, uint32_t mode)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message = link_request(request, RTM_NEWLINK, 0, ifindex);
	struct nlattr *info, *data;

	info = mnl_attr_nest_start(message, IFLA_LINKINFO);
	mnl_attr_put_strz(message, IFLA_INFO_KIND, "macvlan");
	data = mnl_attr_nest_start(message, IFLA_INFO_DATA);
	mnl_attr_put_u32(message, IFLA_MACVLAN_MODE, mode);
	mnl_attr_nest_end(message, data);
	mnl_attr_nest_end(message, info);
	return transact(link, message, NULL, NULL);
}

uint32_t link_macvlan_mode(enum config_macvlan_mode mode)
{
	switch (mode) {
	case CONFIG_MACVLAN_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case CONFIG_MACVLAN_VEPA:
		return MACVLAN_MODE_VEPA;
	case CONFIG_MACVLAN_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	case CONFIG_MACVLAN_SOURCE:
		return MACVLAN_MODE_SOURCE;
	default:
		return MACVLAN_MODE_BRIDGE;
	}
}

struct address_collect {
	struct link_socket *link;
	uint32_t ifindex;
	struct link_address *addresses;
	size_t count;
	int error;
};

static int address_message(const struct nlmsghdr *message, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(message);
	struct address_collect *collect = data;
	struct link_address address = { .ifindex = ifa->ifa_index }, *grown;
	const struct nlattr *attr;
	bool found = false;

	if (message->nlmsg_type != RTM_NEWADDR ||
	    (collect->ifindex && ifa->ifa_index != collect->ifindex) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	address.prefix.prefix_len = ifa->ifa_prefixlen;
	address.prefix.addr.family = ifa->ifa_family;
	mnl_attr_for_each(attr, message, sizeof(*ifa)) {
		uint16_t type = mnl_attr_get_type(attr);
		size_t length = ifa->ifa_family == AF_INET ? 4 : 16;

		/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer on
		 * point-to-point links, and the address where there is no IFA_LOCAL. */
		if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !found)) &&
		    mnl_attr_get_payload_len(attr) == length) {
			memcpy(ifa->ifa_family == AF_INET ? (void *)&address.prefix.addr.v4
							   : (void *)&address.prefix.addr.v6,
			       mnl_attr_get_payload(attr), length);
			found = type == IFA_LOCAL;
		} else if (type == IFA_PROTO && mnl_attr_validate(attr, MNL_TYPE_U8) == 0) {
			address.proto = mnl_attr_get_u8(attr);
		}
	}
	grown = realloc(collect->addresses, (collect->count + 1) * sizeof(*grown));
	if (!grown) {
		collect->error = -ENOMEM;
		return MNL_CB_OK;
	}
	collect->addresses = grown;
	grown[collect->count++] = address;
	return MNL_CB_OK;
}

int link_address_list(struct link_socket *link, uint32_t ifindex,
		      struct link_address **addresses, size_t *count)
{
	char request[LINK_REQUEST_SIZE];
	struct address_collect collect = { .link = link, .ifindex = ifindex };
	struct nlmsghdr *message = mnl_nlmsg_put_header(request);
	struct ifaddrmsg *ifa;
	int ret;

	message->nlmsg_type = RTM_GETADDR;
	message->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(message, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ret = transact(link, message, address_message, &collect);
	if (!ret)
		ret = collect.error;
	if (ret) {
		free(collect.addresses);
		return ret;
	}
	*addresses = collect.addresses;
	*count = collect.count;
	return 0;
}

static struct nlmsghdr *address_request(char *buffer, uint16_t type, uint16_t flags,
					uint32_t ifindex, const struct config_prefix *prefix)
{
	struct nlmsghdr *message = mnl_nlmsg_put_header(buffer);
	const struct inet_addr *addr = &prefix->addr;
	size_t length = addr->family == AF_INET ? sizeof(addr->v4) : sizeof(addr->v6);
	const void *bytes = addr->family == AF_INET ? (const void *)&addr->v4
						    : (const void *)&addr->v6;
	struct ifaddrmsg *ifa;

	message->nlmsg_type = type;
	message->nlmsg_flags = NLM_F_REQUEST | flags;
	ifa = mnl_nlmsg_put_extra_header(message, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)addr->family;
	ifa->ifa_prefixlen = prefix->prefix_len;
	ifa->ifa_index = ifindex;
	mnl_attr_put(message, IFA_LOCAL, length, bytes);
	mnl_attr_put(message, IFA_ADDRESS, length, bytes);
	return message;
}

int link_address_add(struct link_socket *link, uint32_t ifindex,
		     const struct config_prefix *prefix)
{
	char request[LINK_REQUEST_SIZE];
	struct nlmsghdr *message;
	struct ifaddrmsg *ifa;

	message = address_request(request, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex,
				  prefix);
	ifa = mnl_nlmsg_get_payload(message);
	if (prefix->addr.family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	else if (prefix->prefix_len <= 30)
		mnl_attr_put_u32(message, IFA_BROADCAST,
				 prefix->addr.v4.s_addr | htonl(~0u >> prefix->prefix_len));
	mnl_attr_put_u8(message, IFA_PROTO, LINK_ADDRESS_PROTO);
	return transact(link, message, NULL, NULL);
}

int link_address_delete(struct link_socket *link, uint32_t ifindex,
			const struct config_prefix *prefix)
{
	char request[LINK_REQUEST_SIZE];

	return transact(link, address_request(request, RTM_DELADDR, 0, ifindex, prefix), NULL,
			NULL);
}
