// SPDX-License-Identifier: GPL-2.0-only
/* xvsctl doctor (dr | tun) VIP: run on a backend, checks what DR or TUN needs
 * there and prints one "ok:" or "fix:" line per check, fixes as commands. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "commands.h"

#define MAX_INTERFACES 64
#define ARPHRD_TUNNEL_TYPE 768   /* ipip */
#define ARPHRD_TUNNEL6_TYPE 769  /* ip6tnl */

struct interface {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	bool up;
	bool tunnel;   /* an ipip or ip6tnl device */
	bool decap;    /* runs xvs_decap */
	bool native;   /* xvs_decap in native mode */
};

struct doctor {
	bool tun;
	struct inet_addr vip;
	const char *vip_text;
	struct interface interfaces[MAX_INTERFACES];
	size_t interface_count;
	int failures;
};

static void report(struct doctor *doctor, bool good, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct doctor *doctor, bool good, const char *fmt, ...)
{
	va_list ap;

	fputs(good ? "ok: " : "fix: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (!good)
		doctor->failures++;
}

/* Reads /proc/sys/net/ipv4/conf/IFACE/NAME; -1 when absent. */
static int conf_read(const char *iface, const char *name)
{
	char path[128];
	FILE *file;
	int value = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", iface, name);
	file = fopen(path, "r");
	if (!file)
		return -1;
	if (fscanf(file, "%d", &value) != 1)
		value = -1;
	fclose(file);
	return value;
}

/* sysctl's spelling of an interface name: dots become slashes. */
static const char *sysctl_name(const char *iface, char *out, size_t size)
{
	snprintf(out, size, "%s", iface);
	for (char *c = out; *c; c++)
		if (*c == '.')
			*c = '/';
	return out;
}

static int link_type(const char *iface)
{
	char path[128];
	FILE *file;
	int type = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", iface);
	file = fopen(path, "r");
	if (!file)
		return -1;
	if (fscanf(file, "%d", &type) != 1)
		type = -1;
	fclose(file);
	return type;
}

static void interfaces_load(struct doctor *doctor)
{
	struct if_nameindex *names = if_nameindex(), *n;
	struct ifaddrs *list = NULL, *entry;

	getifaddrs(&list);
	for (n = names; n && n->if_index && doctor->interface_count < MAX_INTERFACES; n++) {
		struct interface *iface = &doctor->interfaces[doctor->interface_count];
		char program[64];
		uint32_t mode = 0;
		int type = link_type(n->if_name);

		if (!strcmp(n->if_name, "lo"))
			continue;
		snprintf(iface->name, sizeof(iface->name), "%s", n->if_name);
		iface->ifindex = n->if_index;
		iface->tunnel = type == ARPHRD_TUNNEL_TYPE || type == ARPHRD_TUNNEL6_TYPE;
		iface->decap = decap_query(n->if_index, &mode, program, sizeof(program)) == 0;
		iface->native = mode == XDP_FLAGS_DRV_MODE;
		for (entry = list; entry; entry = entry->ifa_next)
			if (!strcmp(entry->ifa_name, n->if_name) && (entry->ifa_flags & IFF_UP))
				iface->up = true;
		doctor->interface_count++;
	}
	freeifaddrs(list);
	if (names)
		if_freenameindex(names);
}

static int prefix_length(const struct sockaddr *netmask)
{
	const uint8_t *bytes;
	size_t length;
	int bits = 0;

	if (!netmask)
		return -1;
	if (netmask->sa_family == AF_INET) {
		bytes = (const uint8_t *)&((const struct sockaddr_in *)netmask)->sin_addr;
		length = 4;
	} else {
		bytes = (const uint8_t *)&((const struct sockaddr_in6 *)netmask)->sin6_addr;
		length = 16;
	}
	for (size_t i = 0; i < length; i++)
		bits += __builtin_popcount(bytes[i]);
	return bits;
}

static bool addr_matches(const struct sockaddr *sa, const struct inet_addr *vip)
{
	if (!sa || sa->sa_family != vip->family)
		return false;
	if (vip->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, &vip->v4, 4);
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &vip->v6, 16);
}

/* The VIP must be a host address on lo (or, for tun, on a tunnel device). */
static void check_vip(struct doctor *doctor)
{
	int full = doctor->vip.family == AF_INET ? 32 : 128;
	struct ifaddrs *list = NULL, *entry;
	char where[IF_NAMESIZE] = "";
	int prefix = -1;

	if (getifaddrs(&list)) {
		report(doctor, false, "cannot list addresses: %s", strerror(errno));
		return;
	}
	for (entry = list; entry; entry = entry->ifa_next) {
		bool fitting;

		if (!addr_matches(entry->ifa_addr, &doctor->vip))
			continue;
		fitting = !strcmp(entry->ifa_name, "lo") ||
			  (doctor->tun && (link_type(entry->ifa_name) == ARPHRD_TUNNEL_TYPE ||
					   link_type(entry->ifa_name) == ARPHRD_TUNNEL6_TYPE));
		if (!where[0] || fitting) {
			snprintf(where, sizeof(where), "%s", entry->ifa_name);
			prefix = prefix_length(entry->ifa_netmask);
		}
	}
	freeifaddrs(list);
	if (!where[0])
		report(doctor, false, "ip addr add %s/%d dev lo", doctor->vip_text, full);
	else if (strcmp(where, "lo") && link_type(where) != ARPHRD_TUNNEL_TYPE &&
		 link_type(where) != ARPHRD_TUNNEL6_TYPE)
		report(doctor, false, "ip addr del %s/%d dev %s && ip addr add %s/%d dev lo",
		       doctor->vip_text, prefix, where, doctor->vip_text, full);
	else if (prefix != full)
		report(doctor, false, "ip addr del %s/%d dev %s && ip addr add %s/%d dev %s",
		       doctor->vip_text, prefix, where, doctor->vip_text, full, where);
	else
		report(doctor, true, "VIP %s/%d on %s", doctor->vip_text, full, where);
}

/* name's effective value on every up interface, max(all, interface), must
 * satisfy good(); the fix raises "all", which covers every interface. */
static void check_conf_max(struct doctor *doctor, const char *name, int want,
			   bool (*good)(int))
{
	int all = conf_read("all", name);
	char bad[256] = "";

	for (size_t i = 0; i < doctor->interface_count; i++) {
		const struct interface *iface = &doctor->interfaces[i];
		int value = conf_read(iface->name, name);

		if (!iface->up || iface->tunnel)
			continue;
		if (value < all)
			value = all;
		if (!good(value))
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), " %s=%d",
				 iface->name, value);
	}
	if (bad[0])
		report(doctor, false, "sysctl -w net.ipv4.conf.all.%s=%d  (effective:%s)", name,
		       want, bad);
	else
		report(doctor, true, "%s: effective value %s on every interface (all=%d)", name,
		       want == 1 ? "1 or 2" : "2", all);
}

static bool arp_ignore_good(int value)
{
	return value == 1 || value == 2;
}

static bool arp_announce_good(int value)
{
	return value == 2;
}

/* Interfaces that decapsulated packets arrive on: tunnel devices and those
 * running xvs_decap; for dr (or no decap path yet) every interface that is up. */
static bool receiving(const struct doctor *doctor, const struct interface *iface)
{
	bool any = false;

	for (size_t i = 0; i < doctor->interface_count; i++)
		any |= doctor->interfaces[i].decap ||
		       (doctor->interfaces[i].tunnel && doctor->interfaces[i].up);
	if (doctor->tun && any)
		return iface->decap || (iface->tunnel && iface->up);
	return iface->up && !iface->tunnel;
}

/* tun: decapsulated packets come from clients anywhere, so strict reverse
 * path filtering (1) drops them; 0 or 2 must be effective. dr: packets come
 * in the way replies leave, so 1 is fine unless routing is asymmetric. */
static void check_rp_filter(struct doctor *doctor)
{
	int all = conf_read("all", "rp_filter");
	char fixes[512] = "", names[IF_NAMESIZE * 2], checked[256] = "";

	if (doctor->vip.family != AF_INET) {
		report(doctor, true, "IPv6 VIP: rp_filter does not apply");
		return;
	}
	for (size_t i = 0; i < doctor->interface_count; i++) {
		const struct interface *iface = &doctor->interfaces[i];
		int value = conf_read(iface->name, "rp_filter");

		if (!receiving(doctor, iface))
			continue;
		snprintf(checked + strlen(checked), sizeof(checked) - strlen(checked), " %s",
			 iface->name);
		if (doctor->tun && value == 1)
			snprintf(fixes + strlen(fixes), sizeof(fixes) - strlen(fixes),
				 " net.ipv4.conf.%s.rp_filter=2",
				 sysctl_name(iface->name, names, sizeof(names)));
	}
	if (doctor->tun && all == 1)
		snprintf(fixes + strlen(fixes), sizeof(fixes) - strlen(fixes),
			 " net.ipv4.conf.all.rp_filter=2");
	if (fixes[0])
		report(doctor, false, "sysctl -w%s  (decapsulated packets fail strict rp_filter)",
		       fixes);
	else if (doctor->tun)
		report(doctor, true, "rp_filter: 0 or 2 on%s (all=%d)", checked, all);
	else
		report(doctor, true, "rp_filter: all=%d%s", all,
		       all == 1 ? " (strict: fine while replies leave by the interface requests "
				  "arrive on; with asymmetric routing set it to 2)"
				: "");
}

/* The first interface that is up, for the suggested commands. */
static const struct interface *uplink(const struct doctor *doctor)
{
	for (size_t i = 0; i < doctor->interface_count; i++)
		if (doctor->interfaces[i].up && !doctor->interfaces[i].tunnel)
			return &doctor->interfaces[i];
	return NULL;
}

static void check_decap_path(struct doctor *doctor)
{
	const struct interface *up = uplink(doctor);

	for (size_t i = 0; i < doctor->interface_count; i++) {
		const struct interface *iface = &doctor->interfaces[i];

		if (iface->decap) {
			report(doctor, true, "decapsulation: xvs_decap on %s (%s mode)",
			       iface->name, iface->native ? "native" : "generic");
			return;
		}
		if (iface->tunnel && iface->up) {
			report(doctor, true, "decapsulation: tunnel device %s is up", iface->name);
			return;
		}
	}
	for (size_t i = 0; i < doctor->interface_count; i++) {
		if (doctor->interfaces[i].tunnel) {
			report(doctor, false, "ip link set %s up", doctor->interfaces[i].name);
			return;
		}
	}
	report(doctor, false, "xvsctl decap attach %s  (or, with the ipip module: modprobe %s "
	       "&& ip link set %s up)", up ? up->name : "DEV",
	       doctor->vip.family == AF_INET ? "ipip" : "ip6_tunnel",
	       doctor->vip.family == AF_INET ? "tunl0" : "ip6tnl0");
}

static int link_mtu(const char *iface)
{
	char path[128];
	FILE *file;
	int mtu = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", iface);
	file = fopen(path, "r");
	if (!file)
		return -1;
	if (fscanf(file, "%d", &mtu) != 1)
		mtu = -1;
	fclose(file);
	return mtu;
}

/* The tunnel costs the outer header; replies are not tunnelled, so only the
 * clients' segments need to shrink: clamp the MSS the backend advertises. */
static void check_mtu(struct doctor *doctor)
{
	const struct interface *up = uplink(doctor);
	int outer = doctor->vip.family == AF_INET ? 20 : 40;
	int inner_headers = (doctor->vip.family == AF_INET ? 20 : 40) + 20;
	int mtu, mss;

	for (size_t i = 0; i < doctor->interface_count; i++)
		if (doctor->interfaces[i].decap)
			up = &doctor->interfaces[i];
	if (!up || (mtu = link_mtu(up->name)) <= 0) {
		report(doctor, false, "ip link set DEV up  (no interface is up)");
		return;
	}
	mss = mtu - outer - inner_headers;
	if (mtu - outer < (doctor->vip.family == AF_INET ? 576 : 1280)) {
		report(doctor, false, "ip link set %s mtu %d  (MTU %d leaves too little for "
		       "the tunnel)", up->name, (doctor->vip.family == AF_INET ? 576 : 1280) + outer,
		       mtu);
		return;
	}
	report(doctor, true, "MTU: %s %d - outer header %d = %d through the tunnel; to keep "
	       "clients below it, clamp TCP MSS to %d: %s -t mangle -A OUTPUT -s %s -p tcp "
	       "--tcp-flags SYN,RST SYN -j TCPMSS --set-mss %d, or: ip route change default "
	       "via GATEWAY dev %s advmss %d", up->name, mtu, outer, mtu - outer, mss,
	       doctor->vip.family == AF_INET ? "iptables" : "ip6tables", doctor->vip_text, mss,
	       up->name, mss);
}

int command_doctor(int argc, char **argv)
{
	struct doctor doctor = { 0 };

	if (argc != 3 || (strcmp(argv[1], "dr") && strcmp(argv[1], "tun"))) {
		fprintf(stderr, "xvsctl: usage: xvsctl doctor (dr | tun) VIP\n");
		return 1;
	}
	doctor.tun = !strcmp(argv[1], "tun");
	doctor.vip_text = argv[2];
	if (inet_addr_parse(argv[2], &doctor.vip)) {
		fprintf(stderr, "xvsctl: doctor: \"%s\" is not an IPv4 or IPv6 address\n", argv[2]);
		return 1;
	}
	interfaces_load(&doctor);
	check_vip(&doctor);
	if (doctor.vip.family == AF_INET) {
		check_conf_max(&doctor, "arp_ignore", 1, arp_ignore_good);
		check_conf_max(&doctor, "arp_announce", 2, arp_announce_good);
	} else {
		report(&doctor, true, "IPv6 VIP: no ARP; addresses on lo are not announced by NDP");
	}
	check_rp_filter(&doctor);
	if (doctor.tun) {
		check_decap_path(&doctor);
		check_mtu(&doctor);
	}
	return doctor.failures ? 1 : 0;
}
