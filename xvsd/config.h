/* SPDX-License-Identifier: GPL-2.0-only */
/* The parsed configuration file: what the operator asked for, validated.
 * The daemon turns it into data plane state (dataplane.c). */
#ifndef XVSD_CONFIG_H
#define XVSD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define CONFIG_NAME_MAX 64
#define CONFIG_DEFAULT_FILE "/etc/xvs/xvs.conf"
#define CONFIG_DEFAULT_RUN_DIR "/run/xvs"

enum xdp_attach_mode {
	XDP_ATTACH_AUTO = 0, /* native where the driver supports it, else generic */
	XDP_ATTACH_NATIVE,
	XDP_ATTACH_GENERIC,
	XDP_ATTACH_OFF,
};

enum interface_type {
	INTERFACE_ETHERNET = 0, /* exists already; the daemon only attaches */
	INTERFACE_VLAN,
	INTERFACE_BOND,
	INTERFACE_LACP,
	INTERFACE_VETH,
	INTERFACE_VETH_PEER,
	INTERFACE_BRIDGE,
	INTERFACE_MACVLAN,
};
#define INTERFACE_TYPE_COUNT (INTERFACE_MACVLAN + 1)

/* Macvlan modes (mode of type macvlan); link.c maps them to the kernel's
 * IFLA_MACVLAN_MODE bits. */
enum config_macvlan_mode {
	CONFIG_MACVLAN_BRIDGE = 0,        /* the default of type macvlan */
	CONFIG_MACVLAN_PRIVATE,
	CONFIG_MACVLAN_VEPA,
	CONFIG_MACVLAN_PASSTHRU,
	CONFIG_MACVLAN_SOURCE,            /* named, refused (config_supported.c) */
};
#define CONFIG_MACVLAN_MODE_COUNT (CONFIG_MACVLAN_SOURCE + 1)

/* Bond modes by their kernel numbers (IFLA_BOND_MODE); 802.3ad is type lacp. */
enum bond_mode {
	BOND_MODE_BALANCE_RR = 0,
	BOND_MODE_ACTIVE_BACKUP = 1,      /* the default of type bond */
	BOND_MODE_BALANCE_XOR = 2,
	BOND_MODE_BROADCAST = 3,
	BOND_MODE_8023AD = 4,             /* type lacp */
	BOND_MODE_BALANCE_TLB = 5,
	BOND_MODE_BALANCE_ALB = 6,
};

/* Transmit hash policies by their kernel numbers (IFLA_BOND_XMIT_HASH_POLICY). */
enum bond_hash {
	BOND_HASH_LAYER2 = 0,
	BOND_HASH_LAYER3_4 = 1,           /* the default of type lacp */
	BOND_HASH_LAYER2_3 = 2,
	BOND_HASH_ENCAP2_3 = 3,
	BOND_HASH_ENCAP3_4 = 4,
};

struct config_prefix {
	struct inet_addr addr;
	uint8_t prefix_len;
};

struct config_global {
	char node[CONFIG_NAME_MAX];       /* default: the host name */
	char run_dir[256];                /* default CONFIG_DEFAULT_RUN_DIR */
	char api_unix[256];               /* default RUN_DIR/xvsd.sock */
	bool api_http_set;
	struct inet_addr api_http_addr;
	uint16_t api_http_port;
	uint32_t conn_table;              /* entries; default XVS_DEFAULT_CONN_TABLE */
	uint32_t timeout_tcp_ms;          /* default 15 min */
	uint32_t timeout_tcp_fin_ms;      /* default 2 min */
	uint32_t timeout_tcp_syn_ms;      /* default 1 min */
	uint32_t timeout_udp_ms;          /* default 5 min */
};

struct config_interface {
	char name[IFNAMSIZ];
	unsigned int line;                /* where the block starts, for messages */
	enum interface_type type;
	enum xdp_attach_mode xdp;
	char parent[IFNAMSIZ];            /* vlan, macvlan */
	uint16_t vlan_id;                 /* vlan: 1..4094 */
	char peer[IFNAMSIZ];              /* veth */
	char namespace_name[CONFIG_NAME_MAX]; /* veth-peer */
	char (*members)[IFNAMSIZ];        /* bond, lacp, bridge */
	size_t member_count;
	uint8_t bond_mode;                /* enum bond_mode; bond: default active-backup */
	uint8_t xmit_hash_policy;         /* enum bond_hash; lacp: default layer3+4 */
	bool lacp_rate_slow;              /* lacp: default fast (1 s LACPDUs) */
	uint8_t macvlan_mode;             /* enum config_macvlan_mode; default bridge */
	bool mac_set;                     /* macvlan: a fixed MAC address */
	uint8_t mac[6];
	uint32_t mtu;                     /* 0: leave as is */
	struct config_prefix *addresses;
	size_t address_count;
};

enum check_type {
	CHECK_NONE = 0, CHECK_TCP, CHECK_HTTP, CHECK_HTTPS, CHECK_UDP, CHECK_DNS,
	CHECK_SIP, CHECK_RADIUS, CHECK_EXEC,
};

struct config_check {
	enum check_type type;
	bool set;                         /* a check line was given */
	uint16_t port;                    /* 0: the backend's port */
	bool address_set;
	struct inet_addr address;
	char *path, *host, *body, *query, *send, *secret, *command;
	uint16_t expect;                  /* http status; 0 = 200 */
	uint32_t interval_ms, timeout_ms; /* defaults 2 s, 1 s */
	uint32_t rise, fall;              /* defaults 2, 3 */
};

struct config_backend {
	struct inet_addr addr;
	uint16_t port;                    /* 0: the service port */
	uint32_t weight;                  /* default 1; 0 = drain */
	uint32_t max_conns;               /* 0: unlimited */
	uint16_t check_port;              /* 0: the check's port */
	unsigned int line;
};

enum persistence_type { PERSIST_NONE = 0, PERSIST_SOURCE_IP, PERSIST_SIP_CALLID };

/* What a reload does with the flows of a backend it removes. */
enum removed_backend { REMOVED_KEEP = 0, REMOVED_RESCHEDULE };
/* What happens to the flows of a backend that fails its health check. */
enum down_backend { DOWN_KEEP = 0, DOWN_RESCHEDULE };

struct config_service {
	char name[CONFIG_NAME_MAX];
	unsigned int line;
	struct inet_addr *vips;
	size_t vip_count;
	uint16_t port;                    /* 0 for portless protocols */
	uint8_t proto;                    /* IPPROTO_* number */
	uint8_t mode;                     /* enum xvs_mode; default nat */
	uint8_t scheduler;                /* enum xvs_scheduler; default wlc */
	enum persistence_type persistence;
	uint32_t persistence_ms;
	uint8_t persistence_mask;         /* prefix length; default 32 / 128 */
	struct inet_addr *snat_addrs;
	size_t snat_count;
	/* mode tun: outer source per backend family (family 0 = the balancer's
	 * address toward the backend, from the route) */
	struct inet_addr tunnel_source_v4;
	struct inet_addr tunnel_source_v6;
	char namespace_name[CONFIG_NAME_MAX];
	struct config_check check;
	enum removed_backend removed_backend; /* default keep */
	enum down_backend down_backend;   /* default: reschedule for udp, keep otherwise */
	bool no_backend_pass;             /* no usable backend: pass new flows to the kernel */
	struct config_backend *backends;
	size_t backend_count;
	bool generic_tun;                 /* mode generic: generic_delivery tun */
};

enum vrrp_method {
	VRRP_METHOD_VRRP = 0,             /* adverts only */
	VRRP_METHOD_LINK,                 /* and the interface's carrier */
	VRRP_METHOD_GW,                   /* and the gateway of each VIP family */
	VRRP_METHOD_LINK_GW,
};

#define CONFIG_VRRP_VIPS_MAX 32           /* per address family */
#define CONFIG_VRRP_PEERS_MAX 16

/* A vrrp block: one virtual router per address family of its VIPs. */
struct config_vrrp {
	char name[CONFIG_NAME_MAX];
	unsigned int line;
	char interface[IFNAMSIZ];
	uint8_t priority;                 /* 1..254; default 100 */
	uint8_t version;                  /* 3 (default) or 2 */
	uint8_t vrid;                     /* 1..255; chosen by the parser when absent */
	bool vrid_automatic;              /* not given: see config_vrrp_check.c */
	uint8_t vrid_wanted;              /* automatic: its hash (taken when != vrid) */
	bool preempt;                     /* default yes */
	uint32_t preempt_delay_ms;        /* default 0 */
	uint32_t advert_ms;               /* default 1 s */
	enum vrrp_method method;
	struct inet_addr gateway_v4;      /* family 0: none */
	struct inet_addr gateway_v6;
	struct inet_addr *unicast_peers;  /* none: multicast */
	size_t unicast_peer_count;
	struct config_prefix *vips;
	char (*vip_interfaces)[IFNAMSIZ]; /* parallel to vips; "": the block's interface */
	size_t vip_count;
	char *notify;                     /* NULL: none */
};

struct config {
	char *path;                       /* the file given to config_load */
	struct config_global global;
	struct config_interface *interfaces;
	size_t interface_count;
	struct config_service *services;
	size_t service_count;
	struct config_vrrp *vrrps;
	size_t vrrp_count;
};

/* Reads and validates path (and the files it includes). On success returns
 * the configuration. On failure returns NULL and has written every error to
 * errors as "FILE:LINE:COL: error: MESSAGE" lines; *error_count (if not NULL)
 * tells how many. */
struct config *config_load(const char *path, FILE *errors, int *error_count);
/* Same, from a string; name is the file name used in messages. */
struct config *config_load_string(const char *name, const char *text, FILE *errors,
				  int *error_count);
void config_free(struct config *config); /* accepts NULL */

/* Same settings (vrid included), so a reload can keep the instance running. */
bool config_vrrp_equal(const struct config_vrrp *a, const struct config_vrrp *b);
/* The interface vip i of vrrp lives on: its own "interface" or the block's. */
const char *config_vrrp_vip_interface(const struct config_vrrp *vrrp, size_t i);
const char *config_vrrp_method_name(enum vrrp_method method);
/* The interface the daemon creates for a config interface block, or false
 * for type ethernet (exists already). */
bool config_interface_created(const struct config_interface *interface);
/* The config interface named name, or NULL. */
const struct config_interface *config_interface_find(const struct config *config,
						     const char *name);
extern const char *const config_bond_mode_names[BOND_MODE_BALANCE_ALB + 1];
extern const char *const config_bond_hash_names[BOND_HASH_ENCAP3_4 + 1];
extern const char *const config_macvlan_mode_names[CONFIG_MACVLAN_MODE_COUNT];

/* VIP families of a service: CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6. */
#define CONFIG_FAMILY_V4 1u
#define CONFIG_FAMILY_V6 2u
unsigned int config_service_families(const struct config_service *service);
/* Whether a backend of backend_family can take the flows of a VIP of
 * vip_family in the service's mode (AF_INET, AF_INET6). */
bool config_backend_serves(const struct config_service *service, int backend_family,
			   int vip_family);
const char *config_mode_name(uint8_t mode);
const char *config_scheduler_name(uint8_t scheduler);
const char *config_proto_name(uint8_t proto); /* "tcp", "udp", ... or NULL */

#endif
