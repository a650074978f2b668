// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for persistence: source-IP affinity (ports,
 * masks, expiry, gone backends, the reaper) and SIP Call-ID affinity. */
#define CONN_TABLE 1024
#define FIXTURE_EXTRA_SERVICES P__COUNT
#define FIXTURE_EXTRA_BACKENDS (P__COUNT * 4)
#define FIXTURE_EXTRA_SLOTS (P__COUNT * 4)

enum persist_service { P_SOURCE, P_MASK, P_SIP, P_SOURCE6, P__COUNT };

#include "dataplane_internal.h"
/* The fixture's packet-level expectations are for its own services. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "lb_fixture.h"
#pragma GCC diagnostic pop

#define P_BACKENDS 3
/* Short, like FIXTURE_TIMEOUT_MS: an expired entry is a few seconds old. */
#define P_TIMEOUT_MS 5000u

static const struct {
	const char *vip;
	uint16_t port;
	uint8_t kind;
	uint8_t mask;
} persist_defs[P__COUNT] = {
	[P_SOURCE] = { "10.0.8.1", 53, XVS_PERSIST_SOURCE, 32 },
	[P_MASK] = { "10.0.8.2", 53, XVS_PERSIST_SOURCE, 24 },
	[P_SIP] = { "10.0.8.3", 5060, XVS_PERSIST_CALLID, 0 },
	[P_SOURCE6] = { "2001:db8:8::1", 53, XVS_PERSIST_SOURCE, 64 },
};

static uint32_t p_service_id(enum persist_service p)
{
	return SVC__COUNT + (uint32_t)p;
}

static uint32_t p_backend_id(enum persist_service p, uint32_t index)
{
	return SVC__COUNT * SLOTS_PER_SERVICE + (uint32_t)p * 4 + index;
}

static int p_backend_write(enum persist_service p, uint32_t index, bool ready)
{
	uint8_t dmac[6] = { 0x02, 0xbb, 0, 0, (uint8_t)(0x60 + p), (uint8_t)index };
	uint32_t id = p_backend_id(p, index);
	struct xvs_backend value;
	struct inet_addr addr;
	char text[48];

	if (strchr(persist_defs[p].vip, ':'))
		snprintf(text, sizeof(text), "2001:db8:9::%d:%u", p, index + 1);
	else
		snprintf(text, sizeof(text), "10.8.%d.%u", p, index + 1);
	inet_addr_parse(text, &addr);
	mapenc_backend(&addr, 0, p_service_id(p), ready ? dmac : NULL,
		       ready ? packet_lb_mac : NULL, INGRESS_IFINDEX, &value);
	return bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &value, sizeof(value),
				    BPF_ANY);
}

static int persist_setup(void)
{
	int err = 0;

	for (int p = 0; p < P__COUNT && !err; p++) {
		uint32_t base = p_backend_id((enum persist_service)p, 0);
		struct xvs_service_key key;
		struct xvs_service value;
		struct inet_addr vip;

		for (uint32_t i = 0; i < P_BACKENDS && !err; i++) {
			struct xvs_backend_limits limits = { .weight = 1 };
			uint32_t id = base + i;

			err = p_backend_write((enum persist_service)p, i, true);
			err = err ?: bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id),
							  &limits, sizeof(limits), BPF_ANY);
			err = err ?: bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id),
							  &id, sizeof(id), BPF_ANY);
		}
		inet_addr_parse(persist_defs[p].vip, &vip);
		mapenc_service_key(&vip, persist_defs[p].port, IPPROTO_UDP, &key);
		mapenc_service(p_service_id((enum persist_service)p), XVS_MODE_DR, XVS_SCHED_RR,
			       base, P_BACKENDS, &value);
		mapenc_service_persistence(persist_defs[p].kind, P_TIMEOUT_MS, persist_defs[p].mask,
					   &value);
		err = err ?: bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
						  sizeof(value), BPF_ANY);
	}
	return err;
}

/* Empties the persistence table and the flows (and rewinds rr). */
static void persist_reset(void)
{
	map_clear(skel->maps.persist);
	reset_flows();
}

/* Sends a UDP datagram of service p from saddr:sport with the given payload;
 * returns the backend index it went to, or -1 when it was not forwarded. */
static int p_send(enum persist_service p, const char *saddr, uint16_t sport,
		  const void *payload, size_t length)
{
	bool v6 = strchr(persist_defs[p].vip, ':') != NULL;
	struct packet_spec spec = {
		.family = v6 ? AF_INET6 : AF_INET, .proto = IPPROTO_UDP,
		.saddr = saddr, .daddr = persist_defs[p].vip, .sport = sport,
		.dport = persist_defs[p].port, .payload = (uint16_t)length,
	};
	uint8_t pkt[PACKET_MAX];
	size_t len, l4 = v6 ? 14 + 40 : 14 + 20;
	struct outcome out;

	len = packet_build(&spec, pkt);
	if (!len || l4 + 8 + length > PACKET_MAX)
		return -2;
	memcpy(pkt + l4 + 8, payload, length);
	/* A checksum of 0: none (IPv4); IPv6 fixtures carry no payload check. */
	pkt[l4 + 6] = pkt[l4 + 7] = 0;
	run_packet(pkt, len, &out);
	if (out.verdict != XDP_TX)
		return -1;
	TEST_CHECK_MSG(out.data[4] == 0x60 + p, "sent to a backend of service %d",
		       out.data[4] - 0x60);
	return out.data[5];
}

static int p_send_text(enum persist_service p, const char *saddr, uint16_t sport,
		       const char *text)
{
	return p_send(p, saddr, sport, text, strlen(text));
}

static uint64_t persist_event(enum xvs_persist_event event)
{
	return read_u64_counter(skel->maps.persist_events, event);
}

/* Moves every persistence entry of service p back in time by age_ms. */
static void persist_backdate(enum persist_service p, uint64_t age_ms)
{
	struct xvs_persist_key key, *previous = NULL;
	int fd = bpf_map__fd(skel->maps.persist);
	struct xvs_persist entry;

	while (bpf_map_get_next_key(fd, previous, &key) == 0) {
		if (key.service_id == p_service_id(p) && bpf_map_lookup_elem(fd, &key, &entry) == 0) {
			entry.last_seen_ns = monotonic_ago(age_ms * 1000000ULL);
			bpf_map_update_elem(fd, &key, &entry, BPF_EXIST);
		}
		previous = &key;
	}
}

/* ---- source-IP persistence ---- */

static void test_source_ports(void)
{
	uint64_t hits = persist_event(XVS_PERSIST_HIT), created = persist_event(XVS_PERSIST_NEW);
	int first, other;

	persist_reset();
	first = p_send_text(P_SOURCE, "192.0.2.7", 1000, "query");
	TEST_CHECK(first == 0);
	for (uint16_t port = 1001; port < 1010; port++)
		TEST_CHECK_MSG(p_send_text(P_SOURCE, "192.0.2.7", port, "query") == first,
			       "port %u left the client's backend", port);
	/* Another client is scheduled: rr's next backend. */
	other = p_send_text(P_SOURCE, "192.0.2.8", 1000, "query");
	TEST_CHECK_MSG(other == 1, "second client on %d, want 1", other);
	TEST_CHECK(persist_event(XVS_PERSIST_HIT) - hits == 9);
	TEST_CHECK(persist_event(XVS_PERSIST_NEW) - created == 2);
}

static void test_source_mask24(void)
{
	int first;

	persist_reset();
	first = p_send_text(P_MASK, "198.51.100.1", 2000, "q");
	TEST_CHECK(first == 0);
	TEST_CHECK(p_send_text(P_MASK, "198.51.100.2", 2001, "q") == first);
	TEST_CHECK(p_send_text(P_MASK, "198.51.100.250", 2002, "q") == first);
	TEST_CHECK(p_send_text(P_MASK, "198.51.101.1", 2003, "q") == 1);
	TEST_CHECK(p_send_text(P_MASK, "198.51.101.9", 2004, "q") == 1);
}

static void test_source_ipv6_mask64(void)
{
	int first;

	persist_reset();
	first = p_send_text(P_SOURCE6, "2001:db8:c:1::1", 3000, "q");
	TEST_CHECK(first == 0);
	TEST_CHECK(p_send_text(P_SOURCE6, "2001:db8:c:1::ffff", 3001, "q") == first);
	TEST_CHECK(p_send_text(P_SOURCE6, "2001:db8:c:2::1", 3002, "q") == 1);
}

static void test_source_expiry(void)
{
	persist_reset();
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1001, "q") == 0);
	/* Younger than the timeout: still held. */
	persist_backdate(P_SOURCE, P_TIMEOUT_MS - 2000);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1002, "q") == 0);
	/* That new flow refreshed it; now let it expire. */
	persist_backdate(P_SOURCE, P_TIMEOUT_MS + 1000);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1003, "q") == 1);
	/* The new choice is remembered. */
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1004, "q") == 1);
}

static void test_source_backend_gone(void)
{
	persist_reset();
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	TEST_CHECK(p_backend_write(P_SOURCE, 0, false) == 0);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1001, "q") == 1);
	TEST_CHECK(p_backend_write(P_SOURCE, 0, true) == 0);
	/* The client now belongs to backend 1. */
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1002, "q") == 1);
}

/* Weight 0 (drain) keeps persistent clients, as IPVS does by default. */
static void test_source_drain_keeps_clients(void)
{
	struct xvs_backend_limits drained = { .weight = 0 }, normal = { .weight = 1 };
	uint32_t id = p_backend_id(P_SOURCE, 0);

	persist_reset();
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id), &drained,
			     sizeof(drained), BPF_ANY);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1001, "q") == 0);
	bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id), &normal,
			     sizeof(normal), BPF_ANY);
}

static void test_reaper_deletes_expired(void)
{
	struct xvs_reap_args reaped;

	persist_reset();
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	TEST_CHECK(p_send_text(P_MASK, "198.51.100.1", 1000, "q") == 0);
	TEST_CHECK(conntrack_reap(skel, 1000000000ULL, &reaped) == 0);
	TEST_CHECK(reaped.persist_live == 2 && reaped.persist_reaped == 0);
	/* Past timeout + grace: deleted; the other service's entry stays. */
	persist_backdate(P_SOURCE, P_TIMEOUT_MS + 2000);
	TEST_CHECK(conntrack_reap(skel, 1000000000ULL, &reaped) == 0);
	TEST_CHECK_MSG(reaped.persist_live == 1 && reaped.persist_reaped == 1,
		       "live %llu reaped %llu", (unsigned long long)reaped.persist_live,
		       (unsigned long long)reaped.persist_reaped);
	persist_reset();
}

/* A packet of a tracked flow refreshes an entry older than a second. */
static void test_source_packet_refresh(void)
{
	persist_reset();
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	persist_backdate(P_SOURCE, P_TIMEOUT_MS - 1000);
	/* Same flow (tracked): refreshes the entry. */
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1000, "q") == 0);
	sleep(2);
	TEST_CHECK(p_send_text(P_SOURCE, "192.0.2.7", 1001, "q") == 0);
}

/* ---- SIP Call-ID persistence ---- */

/* A SIP request or response of a call, CRLF line ends. */
static size_t sip_message(char *buf, size_t size, const char *first_line, const char *callid)
{
	return (size_t)snprintf(buf, size,
				"%s\r\n"
				"Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK776asdhds\r\n"
				"Max-Forwards: 70\r\n"
				"To: Bob <sip:bob@example.org>\r\n"
				"From: Alice <sip:alice@example.org>;tag=1928301774\r\n"
				"Call-ID: %s\r\n"
				"CSeq: 314159 INVITE\r\n"
				"Content-Length: 0\r\n"
				"\r\n",
				first_line, callid);
}

static int sip_send(const char *saddr, uint16_t sport, const char *first_line,
		    const char *callid)
{
	char buf[1024];

	sip_message(buf, sizeof(buf), first_line, callid);
	return p_send_text(P_SIP, saddr, sport, buf);
}

/* Calls from varying source ports stick to their backend; calls spread rr. */
static void test_sip_calls_stick(void)
{
	static const char *const methods[] = { "INVITE sip:bob@example.org SIP/2.0",
					       "SIP/2.0 200 OK",
					       "ACK sip:bob@example.org SIP/2.0",
					       "BYE sip:bob@example.org SIP/2.0" };
	uint64_t hits = persist_event(XVS_PERSIST_HIT);
	int backend[6], seen[P_BACKENDS] = { 0 };
	uint16_t port = 20000;
	char callid[64];

	persist_reset();
	for (int call = 0; call < 6; call++) {
		snprintf(callid, sizeof(callid), "a84b4c76e66710-%d@pc33.example.org", call);
		backend[call] = sip_send("192.0.2.50", port++, methods[0], callid);
		TEST_CHECK(backend[call] == call % P_BACKENDS);
		if (backend[call] >= 0 && backend[call] < P_BACKENDS)
			seen[backend[call]]++;
	}
	/* Interleaved, from other ports and another address. */
	for (int round = 1; round < 4; round++) {
		for (int call = 0; call < 6; call++) {
			snprintf(callid, sizeof(callid), "a84b4c76e66710-%d@pc33.example.org", call);
			TEST_CHECK_MSG(sip_send(call & 1 ? "192.0.2.51" : "192.0.2.50", port++,
						methods[round], callid) == backend[call],
				       "call %d: %s left its backend", call, methods[round]);
		}
	}
	for (int i = 0; i < P_BACKENDS; i++)
		TEST_CHECK(seen[i] == 2);
	TEST_CHECK(persist_event(XVS_PERSIST_HIT) - hits == 18);
}

/* The first message names the call in one form, a later one (another port)
 * in another; all forms must hash to the same key. */
static void sip_check_form(const char *form, const char *canonical, uint16_t port)
{
	char buf[512];
	int first;

	snprintf(buf, sizeof(buf),
		 "INVITE sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n%s\r\n"
		 "CSeq: 1 INVITE\r\n\r\n", form);
	first = p_send_text(P_SIP, "192.0.2.60", port, buf);
	TEST_CHECK_MSG(first >= 0, "form \"%s\": not forwarded", form);
	TEST_CHECK_MSG(sip_send("192.0.2.61", (uint16_t)(port + 1), "ACK sip:b SIP/2.0",
				canonical) == first,
		       "form \"%s\" is not the call's Call-ID", form);
}

static void test_sip_header_forms(void)
{
	uint64_t missing = persist_event(XVS_PERSIST_NO_CALLID);

	persist_reset();
	sip_check_form("i: compact-1@host", "compact-1@host", 21000);
	sip_check_form("call-id: lower-1@host", "lower-1@host", 21010);
	sip_check_form("CALL-ID:nospace-1@host", "nospace-1@host", 21020);
	sip_check_form("Call-ID:\tTab-1@host\t ", "Tab-1@host", 21030);
	sip_check_form("Call-ID \t:  spaced-1@host", "spaced-1@host", 21040);
	sip_check_form("I:compact-2", "compact-2", 21050);
	TEST_CHECK(persist_event(XVS_PERSIST_NO_CALLID) == missing);
}

/* LF-only line ends are accepted too. */
static void test_sip_bare_lf(void)
{
	const char *text = "BYE sip:b SIP/2.0\nVia: x\nCall-ID: lf-1@host\n\n";
	int first;

	persist_reset();
	first = p_send_text(P_SIP, "192.0.2.70", 22000, text);
	TEST_CHECK(first == 0);
	TEST_CHECK(sip_send("192.0.2.70", 22001, "ACK sip:b SIP/2.0", "lf-1@host") == first);
}

/* Sends text twice from two ports: with no usable Call-ID both are
 * scheduled (rr: two different backends) and counted. */
static void sip_check_ignored(const void *payload, size_t length, uint16_t port,
			      const char *what)
{
	uint64_t missing = persist_event(XVS_PERSIST_NO_CALLID);
	int first, second;

	first = p_send(P_SIP, "192.0.2.80", port, payload, length);
	second = p_send(P_SIP, "192.0.2.80", (uint16_t)(port + 1), payload, length);
	TEST_CHECK_MSG(first >= 0 && second >= 0, "%s: not forwarded", what);
	TEST_CHECK_MSG(first != second, "%s: second message not scheduled", what);
	TEST_CHECK_MSG(persist_event(XVS_PERSIST_NO_CALLID) - missing == 2,
		       "%s: no-Call-ID counter moved by %llu", what,
		       (unsigned long long)(persist_event(XVS_PERSIST_NO_CALLID) - missing));
}

static void test_sip_callid_beyond_limit(void)
{
	char buf[1600];
	size_t at;

	persist_reset();
	at = (size_t)snprintf(buf, sizeof(buf), "INVITE sip:b SIP/2.0\r\nX-Pad: ");
	while (at < 1490)
		buf[at++] = 'p';
	at += (size_t)snprintf(buf + at, sizeof(buf) - at, "\r\nCall-ID: late@host\r\n\r\n");
	sip_check_ignored(buf, at, 23000, "Call-ID past 1500 bytes");
	/* A Call-ID that starts before the limit but ends after it. */
	at = (size_t)snprintf(buf, sizeof(buf), "INVITE sip:b SIP/2.0\r\nCall-ID: ");
	while (at < 1520)
		buf[at++] = 'c';
	at += (size_t)snprintf(buf + at, sizeof(buf) - at, "\r\n\r\n");
	sip_check_ignored(buf, at, 23010, "Call-ID across 1500 bytes");
}

static void test_sip_garbage(void)
{
	uint8_t noise[1400];
	uint32_t seed = 12345;

	persist_reset();
	for (size_t i = 0; i < sizeof(noise); i++) {
		seed = seed * 1103515245 + 12345;
		noise[i] = (uint8_t)(seed >> 16);
	}
	sip_check_ignored(noise, sizeof(noise), 24000, "random bytes");
	sip_check_ignored("", 0, 24010, "empty payload");
	sip_check_ignored("C", 1, 24020, "one byte");
	sip_check_ignored("INVITE sip:b SIP/2.0\r\nCall-ID: trunc", 36, 24030, "truncated value");
	sip_check_ignored("INVITE sip:b SIP/2.0\r\nCall-ID", 29, 24040, "truncated name");
	sip_check_ignored("INVITE sip:b SIP/2.0\r\nCall-ID:\r\n\r\n", 34, 24050, "empty value");
	sip_check_ignored("INVITE\0\0\0\r\nCall-IDx: a\r\nCall-I: b\r\n\r\n", 37, 24060,
			  "near-miss names");
	sip_check_ignored("\r\n\r\nCall-ID: a\r\n", 16, 24070, "empty first line");
	sip_check_ignored("INVITE sip:b SIP/2.0\r\nVia: x\r\n Call-ID: folded\r\n\r\n", 50,
			  24080, "continuation line");
}

static void test_sip_body_ignored(void)
{
	const char *text = "INVITE sip:b SIP/2.0\r\nVia: x\r\nContent-Length: 20\r\n\r\n"
			   "Call-ID: body@host\r\n";

	persist_reset();
	sip_check_ignored(text, strlen(text), 25000, "Call-ID in the body");
}

/* ---- SIP trunks: many calls on one 5-tuple ---- */

#define TRUNK_CALLS 6
#define TRUNK_PORT 5060

/* The sum of every backend's connection counts of service p, active and not. */
static uint32_t p_conn_count(enum persist_service p)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < P_BACKENDS; i++) {
		uint32_t id = p_backend_id(p, i);
		struct xvs_backend_conns counts;

		if (bpf_map__lookup_elem(skel->maps.backend_conns, &id, sizeof(id), &counts,
					 sizeof(counts), 0) == 0)
			total += counts.active + counts.inactive;
	}
	return total;
}

static void p_stats(enum persist_service p, struct xvs_counters stats[P_BACKENDS])
{
	for (uint32_t i = 0; i < P_BACKENDS; i++)
		read_counters(skel->maps.backend_stats, p_backend_id(p, i), &stats[i]);
}

/* The conns entry of a trunk from saddr:TRUNK_PORT to service p. */
static int trunk_conn(enum persist_service p, const char *saddr, struct xvs_conn *conn)
{
	struct inet_addr client, vip;
	struct xvs_conn_key key;

	inet_addr_parse(saddr, &client);
	inet_addr_parse(persist_defs[p].vip, &vip);
	mapenc_conn_key(&client, TRUNK_PORT, &vip, persist_defs[p].port, IPPROTO_UDP, &key);
	return bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), conn, sizeof(*conn), 0);
}

/* Sends a message of a call over a trunk and checks that the flow's one
 * entry now holds exactly one count, on the backend the message went to. */
static int trunk_send(const char *saddr, const char *first_line, const char *callid,
		      uint32_t trunks)
{
	int backend = sip_send(saddr, TRUNK_PORT, first_line, callid);
	struct xvs_conn conn;

	TEST_CHECK_MSG(p_conn_count(P_SIP) == trunks, "%u counts held by %u trunks",
		       p_conn_count(P_SIP), trunks);
	if (trunk_conn(P_SIP, saddr, &conn)) {
		TEST_CHECK_MSG(0, "no conns entry for trunk %s", saddr);
		return backend;
	}
	TEST_CHECK_MSG(backend >= 0 && conn.backend_id == p_backend_id(P_SIP, (uint32_t)backend) &&
			       conn.account == XVS_ACCOUNT(conn.backend_id, 0u),
		       "trunk %s: message to %d, entry on %u (token %u)", saddr, backend,
		       conn.backend_id - p_backend_id(P_SIP, 0), conn.account);
	return backend;
}

static void trunk_callid(char *buf, size_t size, int trunk, int call)
{
	snprintf(buf, size, "trunk%d-call%d-77a1c2@sbc.example.net", trunk, call);
}

/* Six calls between two proxies on one 5-tuple (5060 to the VIP): INVITEs,
 * then ACKs, then BYEs, interleaved. The calls spread rr 2/2/2, every
 * message of a call reaches its backend, the flow's entry follows the calls
 * with exact counts, and a CRLF keep-alive follows the entry. */
static void test_sip_trunk_spreads(void)
{
	static const char *const methods[] = { "INVITE sip:bob@example.org SIP/2.0",
					       "ACK sip:bob@example.org SIP/2.0",
					       "BYE sip:bob@example.org SIP/2.0" };
	struct xvs_counters before[P_BACKENDS], after[P_BACKENDS];
	uint64_t missing = persist_event(XVS_PERSIST_NO_CALLID), conns = 0, packets = 0;
	int backend[TRUNK_CALLS], seen[P_BACKENDS] = { 0 }, last = -1, keepalive;
	struct xvs_conn conn;
	char callid[64];

	persist_reset();
	p_stats(P_SIP, before);
	for (int round = 0; round < 3; round++) {
		for (int call = 0; call < TRUNK_CALLS; call++) {
			int to;

			trunk_callid(callid, sizeof(callid), 0, call);
			to = trunk_send("192.0.2.90", methods[round], callid, 1);
			if (round == 0) {
				backend[call] = to;
				TEST_CHECK_MSG(to == call % P_BACKENDS, "call %d on %d", call, to);
				if (to >= 0 && to < P_BACKENDS)
					seen[to]++;
			}
			TEST_CHECK_MSG(to == backend[call], "call %d: %s on %d, INVITE on %d",
				       call, methods[round], to, backend[call]);
			conns += to != last; /* created, or moved */
			last = to;
		}
	}
	for (int i = 0; i < P_BACKENDS; i++)
		TEST_CHECK_MSG(seen[i] == 2, "backend %d has %d calls", i, seen[i]);

	/* A keep-alive names no call: it follows the flow's entry. */
	keepalive = p_send_text(P_SIP, "192.0.2.90", TRUNK_PORT, "\r\n\r\n");
	TEST_CHECK_MSG(keepalive == last, "keep-alive on %d, entry on %d", keepalive, last);
	TEST_CHECK(persist_event(XVS_PERSIST_NO_CALLID) == missing);
	TEST_CHECK(p_conn_count(P_SIP) == 1);

	/* in_packets where each packet went; conns per creation or move. */
	p_stats(P_SIP, after);
	for (int i = 0; i < P_BACKENDS; i++) {
		uint64_t want = 2 * 3 + (i == keepalive);

		packets += after[i].in_packets - before[i].in_packets;
		TEST_CHECK_MSG(after[i].in_packets - before[i].in_packets == want,
			       "backend %d in_packets %llu, want %llu", i,
			       (unsigned long long)(after[i].in_packets - before[i].in_packets),
			       (unsigned long long)want);
		conns -= after[i].conns - before[i].conns;
	}
	TEST_CHECK(packets == 3 * TRUNK_CALLS + 1);
	TEST_CHECK_MSG(conns == 0, "backend conns differ from entries created or moved");
	TEST_CHECK(trunk_conn(P_SIP, "192.0.2.90", &conn) == 0 && conn.state == XVS_CONN_UDP);
}

/* Moves every conns entry of service p back in time by age_ms. */
static void conns_backdate(enum persist_service p, uint64_t age_ms)
{
	struct xvs_conn_key key, *previous = NULL;
	int fd = bpf_map__fd(skel->maps.conns);
	struct xvs_conn entry;

	while (bpf_map_get_next_key(fd, previous, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &entry) == 0 &&
		    entry.service_id == p_service_id(p)) {
			entry.last_seen_ns = monotonic_ago(age_ms * 1000000ULL);
			bpf_map_update_elem(fd, &key, &entry, BPF_EXIST);
		}
		previous = &key;
	}
}

/* Two trunks share the calls' backends: counts stay one per entry through
 * every move, and the reaper gives them all back. */
static void test_sip_trunk_counts_reaped(void)
{
	struct xvs_reap_args reaped;
	char callid[64];

	persist_reset();
	for (int call = 0; call < TRUNK_CALLS; call++) {
		trunk_callid(callid, sizeof(callid), 1, call);
		trunk_send("192.0.2.91", "INVITE sip:b SIP/2.0", callid, call ? 2 : 1);
		trunk_callid(callid, sizeof(callid), 2, call);
		trunk_send("192.0.2.92", "INVITE sip:b SIP/2.0", callid, 2);
	}
	/* Trunk 2 carries a call of trunk 1 too (a call routed over both). */
	trunk_callid(callid, sizeof(callid), 1, 0);
	TEST_CHECK(trunk_send("192.0.2.92", "BYE sip:b SIP/2.0", callid, 2) == 0);
	TEST_CHECK(conntrack_reap(skel, 1000000000ULL, &reaped) == 0);
	TEST_CHECK(reaped.live == 2 && reaped.reaped == 0 && p_conn_count(P_SIP) == 2);
	fixture_timeouts(FIXTURE_TIMEOUT_MS);
	conns_backdate(P_SIP, FIXTURE_TIMEOUT_MS + 2000);
	TEST_CHECK(conntrack_reap(skel, 1000000000ULL, &reaped) == 0);
	TEST_CHECK_MSG(reaped.reaped == 2 && p_conn_count(P_SIP) == 0,
		       "reaped %llu, %u counts left", (unsigned long long)reaped.reaped,
		       p_conn_count(P_SIP));
	persist_reset();
}

static void persist_sip_tests(void)
{
	TEST_RUN("bpf/persist_sip_calls_stick", test_sip_calls_stick);
	TEST_RUN("bpf/persist_sip_header_forms", test_sip_header_forms);
	TEST_RUN("bpf/persist_sip_bare_lf", test_sip_bare_lf);
	TEST_RUN("bpf/persist_sip_callid_beyond_1500", test_sip_callid_beyond_limit);
	TEST_RUN("bpf/persist_sip_garbage", test_sip_garbage);
	TEST_RUN("bpf/persist_sip_body_ignored", test_sip_body_ignored);
	TEST_RUN("bpf/persist_sip_trunk_spreads", test_sip_trunk_spreads);
	TEST_RUN("bpf/persist_sip_trunk_counts_reaped", test_sip_trunk_counts_reaped);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/persist", false))
		return 0;
	err = ncpus > 0 ? fixture_open() : -EINVAL;
	if (!err)
		err = persist_setup();
	if (err)
		return fixture_load_failed("bpf/persist_load", err);
	TEST_RUN("bpf/persist_source_ports", test_source_ports);
	TEST_RUN("bpf/persist_source_mask24", test_source_mask24);
	TEST_RUN("bpf/persist_source_ipv6_mask64", test_source_ipv6_mask64);
	TEST_RUN("bpf/persist_source_expiry", test_source_expiry);
	TEST_RUN("bpf/persist_source_backend_gone", test_source_backend_gone);
	TEST_RUN("bpf/persist_source_drain_keeps_clients", test_source_drain_keeps_clients);
	TEST_RUN("bpf/persist_source_packet_refresh", test_source_packet_refresh);
	TEST_RUN("bpf/persist_reaper", test_reaper_deletes_expired);
	persist_sip_tests();
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
