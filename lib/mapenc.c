// SPDX-License-Identifier: GPL-2.0-only
/* Encoding of data plane map keys and values from userspace terms. The daemon
 * and the BPF fixtures both fill maps through these, so the tests cover them. */
#include "mapenc.h"

#include <arpa/inet.h>
#include <string.h>

void mapenc_service_key(const struct inet_addr *vip, uint16_t port, uint8_t proto,
			struct xvs_service_key *key)
{
	memset(key, 0, sizeof(*key));
	inet_addr_to_xvs(vip, &key->addr);
	key->port = htons(port);
	key->proto = proto;
	key->family = (uint8_t)vip->family;
}

void mapenc_service_key_tenant(uint16_t tenant, struct xvs_service_key *key)
{
	key->tenant = tenant;
}

void mapenc_service(uint32_t id, uint8_t mode, uint8_t scheduler, uint32_t slot_base,
		    uint32_t slot_count, struct xvs_service *out)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->mode = mode;
	out->scheduler = scheduler;
	out->slot_base = slot_base;
	out->slot_count = slot_count;
}

void mapenc_service_persistence(uint8_t kind, uint32_t timeout_ms, uint8_t mask,
				struct xvs_service *out)
{
	out->persist_kind = kind;
	out->persist_timeout_ms = kind == XVS_PERSIST_NONE ? 0 : timeout_ms;
	out->persist_mask = kind == XVS_PERSIST_SOURCE ? mask : 0;
}

void mapenc_backend(const struct inet_addr *addr, uint16_t port, uint32_t service_id,
		    const uint8_t *dmac, const uint8_t *smac, uint32_t ifindex,
		    struct xvs_backend *out)
{
	memset(out, 0, sizeof(*out));
	inet_addr_to_xvs(addr, &out->addr);
	out->port = htons(port);
	out->family = (uint8_t)addr->family;
	out->service_id = service_id;
	if (dmac && smac && ifindex) {
		memcpy(out->dmac, dmac, sizeof(out->dmac));
		memcpy(out->smac, smac, sizeof(out->smac));
		out->ifindex = ifindex;
		out->flags |= XVS_BACKEND_F_READY;
	}
}

void mapenc_backend_tunnel(const struct inet_addr *source, uint16_t mtu,
			   struct xvs_backend *out)
{
	memset(&out->tunnel_source, 0, sizeof(out->tunnel_source));
	if (source)
		inet_addr_to_xvs(source, &out->tunnel_source);
	out->mtu = mtu;
}

void mapenc_settings(const uint32_t timeout_ms[XVS_CONN_STATE__MAX],
		     struct xvs_settings *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < XVS_CONN_STATE__MAX; i++)
		out->timeout_ns[i] = (uint64_t)timeout_ms[i] * 1000000ULL;
}

void mapenc_conn_key(const struct inet_addr *saddr, uint16_t sport,
		     const struct inet_addr *daddr, uint16_t dport, uint8_t proto,
		     struct xvs_conn_key *key)
{
	memset(key, 0, sizeof(*key));
	inet_addr_to_xvs(saddr, &key->saddr);
	inet_addr_to_xvs(daddr, &key->daddr);
	key->sport = htons(sport);
	key->dport = htons(dport);
	key->proto = proto;
	key->family = (uint8_t)saddr->family;
}

void mapenc_conn_key_tenant(uint16_t tenant, struct xvs_conn_key *key)
{
	key->tenant = tenant;
}

void mapenc_tenant(const char *namespace_name, struct xvs_tenant *out)
{
	memset(out, 0, sizeof(*out));
	strncpy(out->namespace_name, namespace_name, sizeof(out->namespace_name) - 1);
}

void mapenc_counters_sum(const struct xvs_counters *percpu, int ncpus,
			 struct xvs_counters *total)
{
	memset(total, 0, sizeof(*total));
	for (int i = 0; i < ncpus; i++) {
		total->conns += percpu[i].conns;
		total->in_packets += percpu[i].in_packets;
		total->in_bytes += percpu[i].in_bytes;
		total->out_packets += percpu[i].out_packets;
		total->out_bytes += percpu[i].out_bytes;
	}
}

const char *mapenc_conn_state_name(uint8_t state)
{
	static const char *const names[XVS_CONN_STATE__MAX] = {
		[XVS_CONN_TCP_SYN] = "SYN_RECV",
		[XVS_CONN_TCP_ESTABLISHED] = "ESTABLISHED",
		[XVS_CONN_TCP_FIN] = "FIN_WAIT",
		[XVS_CONN_TCP_CLOSE] = "CLOSE",
		[XVS_CONN_UDP] = "UDP",
	};
	return state < XVS_CONN_STATE__MAX ? names[state] : "UNKNOWN";
}

void mapenc_snat(const struct inet_addr *addrs, size_t count, uint16_t port_min,
		 uint16_t port_max, struct xvs_snat *out)
{
	memset(out, 0, sizeof(*out));
	if (count > XVS_SNAT_ADDRS)
		count = XVS_SNAT_ADDRS;
	for (size_t i = 0; i < count; i++)
		inet_addr_to_xvs(&addrs[i], &out->addrs[i]);
	out->count = (uint8_t)count;
	out->port_min = port_min;
	out->port_max = port_max;
}
