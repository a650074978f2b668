/* SPDX-License-Identifier: GPL-2.0-only */
/* Encoding of data plane map keys and values from userspace terms. The daemon
 * and the BPF fixtures both fill maps through these, so the tests cover them. */
#ifndef XVS_LIB_MAPENC_H
#define XVS_LIB_MAPENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "xvs/xvs.h"

void mapenc_service_key(const struct inet_addr *vip, uint16_t port, uint8_t proto,
			struct xvs_service_key *key);
/* Puts a key in a tenant (XVS_TENANT_HOST unless set): services and flows
 * of different tenants with the same addresses are different keys. */
void mapenc_service_key_tenant(uint16_t tenant, struct xvs_service_key *key);
void mapenc_service(uint32_t id, uint8_t mode, uint8_t scheduler, uint32_t slot_base,
		    uint32_t slot_count, struct xvs_service *out);
/* Adds persistence (enum xvs_persist_kind) to a service value: entries live
 * timeout_ms after last use; mask is the source prefix length kept. */
void mapenc_service_persistence(uint8_t kind, uint32_t timeout_ms, uint8_t mask,
				struct xvs_service *out);
/* dmac/smac may be NULL when the backend's neighbour is not resolved yet; the
 * backend is then not READY and the data plane never sends to it. */
void mapenc_backend(const struct inet_addr *addr, uint16_t port, uint32_t service_id,
		    const uint8_t *dmac, const uint8_t *smac, uint32_t ifindex,
		    struct xvs_backend *out);
/* Mode tun: the outer source address and the egress MTU (0 = unknown). */
void mapenc_backend_tunnel(const struct inet_addr *source, uint16_t mtu,
			   struct xvs_backend *out);
/* Mode snat: up to XVS_SNAT_ADDRS source addresses (more are ignored) and
 * the source port range, host order, inclusive. */
void mapenc_snat(const struct inet_addr *addrs, size_t count, uint16_t port_min,
		 uint16_t port_max, struct xvs_snat *out);
/* Timeouts in milliseconds, in enum xvs_conn_state order. */
void mapenc_settings(const uint32_t timeout_ms[XVS_CONN_STATE__MAX],
		     struct xvs_settings *out);
void mapenc_conn_key(const struct inet_addr *saddr, uint16_t sport,
		     const struct inet_addr *daddr, uint16_t dport, uint8_t proto,
		     struct xvs_conn_key *key);
void mapenc_conn_key_tenant(uint16_t tenant, struct xvs_conn_key *key);
/* A tenants map value: the tenant's network namespace ("" for none). */
void mapenc_tenant(const char *namespace_name, struct xvs_tenant *out);
/* Sums a per-CPU counters array of ncpus entries into *total. */
void mapenc_counters_sum(const struct xvs_counters *percpu, int ncpus,
			 struct xvs_counters *total);
const char *mapenc_conn_state_name(uint8_t state);

#endif
