/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the VRRP speaker's files (xvsd/vrrp*.c) and nothing else: the
 * speaker, its instances, their routers (one per family) and the helpers. */
#ifndef XVSD_VRRP_INTERNAL_H
#define XVSD_VRRP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "vrrp.h"
#include "vrrp_packet.h"

#define VRRP_GARP_COUNT 5              /* on becoming master: now, then each second */
#define VRRP_GARP_INTERVAL_NS 1000000000ull
#define VRRP_HEAL_INTERVAL_NS 1000000000ull /* at most one split-brain re-announce a second */
#define VRRP_PROBE_MISSES 3            /* unanswered gateway probes in a row: fault */
#define VRRP_RETRY_NS 1000000000ull    /* a missing interface or address: look again */
#define VRRP_CHILDREN_MAX 64           /* notify commands not yet reaped */

enum vrrp_state { VRRP_STATE_INIT = 0, VRRP_STATE_BACKUP, VRRP_STATE_MASTER,
		  VRRP_STATE_FAULT };

/* Why a router is in FAULT: bits. */
enum vrrp_fault {
	VRRP_FAULT_INTERFACE = 1,     /* no such interface */
	VRRP_FAULT_ADDRESS = 2,       /* no address of the family to send from */
	VRRP_FAULT_LINK = 4,          /* methods link, link+gw: no carrier */
	VRRP_FAULT_GATEWAY = 8,       /* methods gw, link+gw: gateway not answering */
	VRRP_FAULT_SOCKET = 16,       /* the VRRP socket could not be opened */
};

/* What an epoll event belongs to. */
enum vrrp_watch_kind { VRRP_WATCH_TIMER, VRRP_WATCH_LINKS, VRRP_WATCH_ADVERTS,
		       VRRP_WATCH_PROBES };

struct vrrp_watch {
	enum vrrp_watch_kind kind;
	struct vrrp_router *router;   /* adverts and probes */
};

struct vrrp_counters {
	uint64_t received;            /* adverts accepted */
	uint64_t sent;
	uint64_t send_errors;
	uint64_t dropped[VRRP_DROP__MAX];
	uint64_t transitions;
	uint64_t garps;               /* gratuitous ARPs / unsolicited NAs sent */
	uint64_t probes_sent, probes_answered;
};

/* An interface VIPs live on other than the instance's own (vip ... interface IFNAME):
 * looked up by name, its carrier tracked like the own interface's. */
struct vrrp_link {
	char name[IFNAMSIZ];
	unsigned int ifindex;         /* 0: not there (fault "interface") */
	uint8_t mac[6];
	bool carrier;
};

/* One instance's virtual router for one address family. */
struct vrrp_router {
	struct vrrp *speaker;
	struct vrrp_instance *instance;
	int family;
	enum vrrp_state state;
	unsigned int faults;          /* enum vrrp_fault bits */
	unsigned int ifindex;
	uint8_t mac[6];
	struct inet_addr primary;     /* source of our adverts */
	struct inet_addr global;      /* IPv6: the first global address that is no VIP */
	struct config_prefix vips[CONFIG_VRRP_VIPS_MAX];
	int vip_links[CONFIG_VRRP_VIPS_MAX]; /* -1: the own interface; else in links */
	size_t vip_count;
	struct vrrp_link links[2 * CONFIG_VRRP_VIPS_MAX]; /* of the block's VIPs, both families */
	size_t link_count;
	bool vips_added;
	struct inet_addr master;      /* who we last heard as master (ours as master) */
	uint8_t master_priority;
	uint16_t master_interval_cs;  /* version 3 learns it from the master */
	/* Deadlines, CLOCK_MONOTONIC ns; 0: not armed. */
	uint64_t advert_due, master_down_due, garp_due, probe_due, retry_due;
	uint64_t preempt_seen;        /* preempt_delay: first lower advert seen */
	bool master_resigned;         /* the master's last advert had priority 0 */
	uint64_t last_heal;
	int garp_left;
	int socket_fd, probe_fd;
	struct vrrp_watch socket_watch, probe_watch;
	bool carrier;
	uint16_t probe_id, probe_seq;
	bool probe_answered;
	int probe_misses;
	bool gateway_down;
	time_t since;                 /* wall clock of the last state change */
	enum vrrp_state last_from;
	char last_reason[48];
	struct vrrp_counters counters;
};

struct vrrp_instance {
	struct config_vrrp conf;      /* a copy: the speaker outlives configurations */
	struct vrrp_router *routers[2]; /* IPv4, IPv6; NULL without VIPs of that family */
};

struct vrrp {
	int epoll_fd, timer_fd;
	struct vrrp_watch timer_watch, links_watch;
	struct mnl_socket *links;     /* RTMGRP_LINK notifications */
	struct netlink *netlink;      /* address changes */
	int arp_fd, na_fd;            /* gratuitous ARP, unsolicited NA */
	struct vrrp_instance **instances;
	size_t instance_count;
	pid_t children[VRRP_CHILDREN_MAX];
	uint64_t timer_armed;
};

/* vrrp.c */
uint64_t vrrp_now(void);
const char *vrrp_state_name(enum vrrp_state state);
const char *vrrp_family_name(int family);
int vrrp_watch_add(struct vrrp *speaker, int fd, struct vrrp_watch *watch);
void vrrp_notify(struct vrrp_router *router);

/* vrrp_state.c: the RFC 5798 state machine */
void vrrp_router_start(struct vrrp_router *router);
void vrrp_router_stop(struct vrrp_router *router);
void vrrp_router_advert(struct vrrp_router *router, const struct vrrp_advert *advert);
void vrrp_router_timers(struct vrrp_router *router, uint64_t now);
uint64_t vrrp_router_next(const struct vrrp_router *router);
void vrrp_router_faults(struct vrrp_router *router, unsigned int faults);

/* vrrp_socket.c */
int vrrp_socket_open(struct vrrp_router *router);
void vrrp_socket_close(struct vrrp_router *router);
int vrrp_socket_send(struct vrrp_router *router, uint8_t priority);
void vrrp_socket_receive(struct vrrp_router *router);
int vrrp_interface_lookup(struct vrrp_router *router);

/* vrrp_address.c */
int vrrp_address_open(struct vrrp *speaker);
void vrrp_address_close(struct vrrp *speaker);
void vrrp_vips_add(struct vrrp_router *router);
void vrrp_vips_remove(struct vrrp_router *router);
void vrrp_announce(struct vrrp_router *router);

/* vrrp_track.c */
int vrrp_links_open(struct vrrp *speaker);
void vrrp_links_receive(struct vrrp *speaker);
int vrrp_carrier(unsigned int ifindex);
void vrrp_links_lookup(struct vrrp_router *router);
int vrrp_probe_open(struct vrrp_router *router);
void vrrp_probe_close(struct vrrp_router *router);
void vrrp_probe_send(struct vrrp_router *router);
void vrrp_probe_receive(struct vrrp_router *router);
unsigned int vrrp_track_faults(const struct vrrp_router *router);

#endif
