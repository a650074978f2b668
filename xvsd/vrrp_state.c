// SPDX-License-Identifier: GPL-2.0-only
/* The virtual router's state machine (RFC 5798 section 6.4, RFC 3768 for version 2)
 * with FAULT for tracked links and gateways, preempt_delay and split-brain heal. */
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vrrp_internal.h"

#define NS_PER_MS 1000000ull
#define NS_PER_CS 10000000ull

static const struct config_vrrp *conf_of(const struct vrrp_router *router)
{
	return &router->instance->conf;
}

static uint64_t advert_ns(const struct vrrp_router *router)
{
	return conf_of(router)->advert_ms * NS_PER_MS;
}

/* Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time, where version 3
 * scales the skew by the master's interval and version 2 counts it in seconds. */
static uint64_t master_down_ns(const struct vrrp_router *router)
{
	uint64_t priority = conf_of(router)->priority;
	uint64_t interval;

	if (conf_of(router)->version == 2) {
		interval = advert_ns(router);
		return 3 * interval + (256 - priority) * 1000000000ull / 256;
	}
	interval = (router->master_interval_cs ? router->master_interval_cs
					       : conf_of(router)->advert_ms / 10) * NS_PER_CS;
	return 3 * interval + (256 - priority) * interval / 256;
}

static uint64_t skew_ns(const struct vrrp_router *router)
{
	uint64_t priority = conf_of(router)->priority;

	if (conf_of(router)->version == 2)
		return (256 - priority) * 1000000000ull / 256;
	return (256 - priority) *
	       (router->master_interval_cs ? router->master_interval_cs
					   : conf_of(router)->advert_ms / 10) * NS_PER_CS / 256;
}

static void state_set(struct vrrp_router *router, enum vrrp_state state, const char *reason)
{
	char master[INET6_ADDRSTRLEN] = "-";

	if (router->state == state)
		return;
	if (router->master.family)
		inet_addr_format(&router->master, master, sizeof(master));
	log_info("vrrp %s %s: %s -> %s (%s; vrid %u, master %s)", conf_of(router)->name,
		 vrrp_family_name(router->family), vrrp_state_name(router->state),
		 vrrp_state_name(state), reason, conf_of(router)->vrid, master);
	router->last_from = router->state;
	router->state = state;
	router->since = time(NULL);
	snprintf(router->last_reason, sizeof(router->last_reason), "%s", reason);
	router->counters.transitions++;
	vrrp_notify(router);
}

static void become_master(struct vrrp_router *router, const char *reason, uint64_t now)
{
	router->master = router->primary;
	router->master_priority = conf_of(router)->priority;
	router->master_down_due = 0;
	router->preempt_seen = 0;
	router->master_resigned = false;
	state_set(router, VRRP_STATE_MASTER, reason);
	vrrp_vips_add(router);
	vrrp_socket_send(router, conf_of(router)->priority);
	router->advert_due = now + advert_ns(router);
	vrrp_announce(router);
	router->garp_left = VRRP_GARP_COUNT - 1;
	router->garp_due = now + VRRP_GARP_INTERVAL_NS;
}

static void become_backup(struct vrrp_router *router, const char *reason, uint64_t now)
{
	router->advert_due = router->garp_due = 0;
	router->garp_left = 0;
	router->preempt_seen = 0;
	vrrp_vips_remove(router);
	router->master_down_due = now + master_down_ns(router);
	state_set(router, VRRP_STATE_BACKUP, reason);
}

/* Gives mastership up at once: priority 0 tells the backup not to wait. */
static void resign(struct vrrp_router *router)
{
	if (router->state == VRRP_STATE_MASTER)
		vrrp_socket_send(router, 0);
	router->advert_due = router->garp_due = router->master_down_due = 0;
	router->garp_left = 0;
	vrrp_vips_remove(router);
}

static void become_fault(struct vrrp_router *router)
{
	char reason[48] = "fault:";

	static const char *const names[] = { "interface", "address", "link", "gateway",
					     "socket" };
	for (size_t i = 0; i < 5; i++)
		if (router->faults & (1u << i))
			snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason), " %s",
				 names[i]);
	resign(router);
	router->master.family = 0;
	state_set(router, VRRP_STATE_FAULT, reason);
}

void vrrp_router_faults(struct vrrp_router *router, unsigned int faults)
{
	bool idle = router->state == VRRP_STATE_FAULT || router->state == VRRP_STATE_INIT;

	router->faults = faults;
	if (faults && router->state != VRRP_STATE_FAULT) {
		become_fault(router);
	} else if (!faults && idle) {
		router->master.family = 0;
		become_backup(router, router->state == VRRP_STATE_INIT ? "start" : "fault cleared",
			      vrrp_now());
	}
}

void vrrp_router_start(struct vrrp_router *router)
{
	router->state = VRRP_STATE_INIT;
	router->since = time(NULL);
	snprintf(router->last_reason, sizeof(router->last_reason), "start");
	router->master_interval_cs = (uint16_t)(conf_of(router)->advert_ms / 10);
	router->socket_fd = router->probe_fd = -1;
	router->probe_id = (uint16_t)(getpid() ^ (uintptr_t)router >> 4);
	vrrp_links_lookup(router);
	if (vrrp_interface_lookup(router) == 0) {
		vrrp_socket_open(router);
		vrrp_probe_open(router);
	}
	vrrp_vips_remove(router); /* left by a daemon killed as master */
	vrrp_router_faults(router, vrrp_track_faults(router));
	if (router->faults)
		router->retry_due = vrrp_now() + VRRP_RETRY_NS;
}

void vrrp_router_stop(struct vrrp_router *router)
{
	resign(router);
	state_set(router, VRRP_STATE_INIT, "stop");
	vrrp_probe_close(router);
	vrrp_socket_close(router);
}

static bool address_higher(const struct inet_addr *a, const struct inet_addr *b)
{
	size_t size = a->family == AF_INET ? 4 : 16;

	return memcmp(a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6,
		      b->family == AF_INET ? (const void *)&b->v4 : (const void *)&b->v6,
		      size) > 0;
}

static void backup_advert(struct vrrp_router *router, const struct vrrp_advert *advert,
			  uint64_t now)
{
	const struct config_vrrp *conf = conf_of(router);

	router->master_resigned = advert->priority == 0;
	if (advert->priority == 0) {
		router->master_down_due = now + skew_ns(router);
		return;
	}
	if (conf->preempt && advert->priority < conf->priority) {
		/* A lower master: let the timer run out, after preempt_delay. */
		if (!router->preempt_seen)
			router->preempt_seen = now;
		if (now - router->preempt_seen >= conf->preempt_delay_ms * NS_PER_MS)
			return;
	} else {
		router->preempt_seen = 0;
	}
	router->master = advert->source;
	router->master_priority = advert->priority;
	if (conf->version == 3 && advert->interval_cs)
		router->master_interval_cs = advert->interval_cs;
	router->master_down_due = now + master_down_ns(router);
}

static void master_advert(struct vrrp_router *router, const struct vrrp_advert *advert,
			  uint64_t now)
{
	const struct config_vrrp *conf = conf_of(router);
	char text[INET6_ADDRSTRLEN];

	if (advert->priority == 0) {
		vrrp_socket_send(router, conf->priority);
		router->advert_due = now + advert_ns(router);
		return;
	}
	if (advert->priority > conf->priority ||
	    (advert->priority == conf->priority &&
	     address_higher(&advert->source, &router->primary))) {
		router->master = advert->source;
		router->master_priority = advert->priority;
		if (conf->version == 3 && advert->interval_cs)
			router->master_interval_cs = advert->interval_cs;
		become_backup(router, "higher priority master", now);
		return;
	}
	/* Two masters: the other one goes back on our next advert; the hosts that
	 * followed it must learn our MAC again (keepalived issues #160, #166). */
	if (now - router->last_heal < VRRP_HEAL_INTERVAL_NS && router->last_heal)
		return;
	router->last_heal = now;
	log_info("vrrp %s %s: lower priority master %s (%u): announcing again", conf->name,
		 vrrp_family_name(router->family),
		 inet_addr_format(&advert->source, text, sizeof(text)), advert->priority);
	vrrp_socket_send(router, conf->priority);
	router->advert_due = now + advert_ns(router);
	vrrp_announce(router);
}

void vrrp_router_advert(struct vrrp_router *router, const struct vrrp_advert *advert)
{
	uint64_t now = vrrp_now();

	if (router->state == VRRP_STATE_BACKUP)
		backup_advert(router, advert, now);
	else if (router->state == VRRP_STATE_MASTER)
		master_advert(router, advert, now);
}

void vrrp_router_timers(struct vrrp_router *router, uint64_t now)
{
	if (router->retry_due && router->retry_due <= now) {
		router->retry_due = 0;
		if (router->faults & VRRP_FAULT_INTERFACE)
			vrrp_links_lookup(router);
		if (router->faults & (VRRP_FAULT_INTERFACE | VRRP_FAULT_SOCKET |
				      VRRP_FAULT_ADDRESS) &&
		    vrrp_interface_lookup(router) == 0) {
			if (router->socket_fd < 0)
				vrrp_socket_open(router);
			if (router->probe_fd < 0)
				vrrp_probe_open(router);
		}
		vrrp_router_faults(router, vrrp_track_faults(router));
		if (router->faults)
			router->retry_due = now + VRRP_RETRY_NS;
	}
	if (router->probe_due && router->probe_due <= now) {
		vrrp_probe_send(router);
		router->probe_due = now + advert_ns(router);
		vrrp_router_faults(router, vrrp_track_faults(router));
	}
	if (router->state == VRRP_STATE_BACKUP && router->master_down_due &&
	    router->master_down_due <= now)
		become_master(router, router->master_resigned ? "master resigned" : "master down",
			      now);
	if (router->state == VRRP_STATE_MASTER && router->advert_due &&
	    router->advert_due <= now) {
		vrrp_socket_send(router, conf_of(router)->priority);
		router->advert_due += advert_ns(router);
		if (router->advert_due <= now)
			router->advert_due = now + advert_ns(router);
	}
	if (router->garp_due && router->garp_due <= now) {
		vrrp_announce(router);
		router->garp_due = --router->garp_left > 0 ? now + VRRP_GARP_INTERVAL_NS : 0;
	}
}

uint64_t vrrp_router_next(const struct vrrp_router *router)
{
	const uint64_t dues[] = { router->retry_due, router->probe_due,
				  router->master_down_due, router->advert_due,
				  router->garp_due };
	uint64_t next = 0;

	for (size_t i = 0; i < sizeof(dues) / sizeof(dues[0]); i++)
		if (dues[i] && (!next || dues[i] < next))
			next = dues[i];
	return next;
}
