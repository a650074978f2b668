#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Assertions for the netns tests over client.py output, pcap captures, `xvsctl list
# --json`, /proc/net/snmp and snmp6, and neighbour discovery. Each subcommand exits 0, or
# prints what is wrong and exits 1. IPv4 and IPv6 alike.
"""Subcommands (see test_dr.sh for how they are called):
  rr KEY CLIENT_JSON NAME...        KEY's requests all answered, in strict rr order over NAMEs
  flow KEY CLIENT_JSON              KEY's requests all answered by one backend
  all-answered CLIENT_JSON          every request of CLIENT_JSON was answered
  marker PCAP PORT                  PCAP holds a UDP packet to PORT (capture flushed)
  direct CLIENT_JSON PCAP VIP LB_MAC NAME=MAC...
                                    every reply from VIP in PCAP (taken on the router's LAN
                                    port) left the backend that answered it, none the lb
  counters CLIENT_JSON PCAP LIST_JSON VIP SERVICE:PROTO:PORT... NAME=ADDR...
                                    xvsctl counters equal what PCAP (taken on the client)
                                    shows was sent to each backend (bytes: the IP
                                    packet; for IPv6, 40 + payload length)
  csum NAME < /proc/net/snmp        Udp and Tcp InCsumErrors are 0
  csum6 NAME < /proc/net/snmp6      Udp6InCsumErrors is 0 (IPv6 TCP counts in Tcp's)
  solicit DEV TARGET [SECONDS]      sends one IPv6 neighbour solicitation for TARGET out
                                    of DEV; exits 0 and prints the answering MAC if a
                                    neighbour advertisement comes within SECONDS (1),
                                    exits 1 otherwise
"""

import ipaddress
import json
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPV6_HEADER = 40
ND_NEIGHBOR_SOLICIT = 135
ND_NEIGHBOR_ADVERT = 136
ND_OPT_SOURCE_LINKADDR = 1
ND_OPT_TARGET_LINKADDR = 2


def die(message):
    print(message)
    sys.exit(1)


def canonical(address):
    """The one spelling of an IPv4 or IPv6 address that parse_frame uses too."""
    return ipaddress.ip_address(address).compressed


def read_pcap(path):
    """Yields dicts for the IP packets of a classic pcap file of Ethernet frames."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet")
    pos = 24
    while pos + 16 <= len(data):
        incl_len = struct.unpack(endian + "IIII", data[pos:pos + 16])[2]
        frame = data[pos + 16:pos + 16 + incl_len]
        pos += 16 + incl_len
        packet = parse_frame(frame)
        if packet:
            yield packet


def mac(raw):
    return ":".join(f"{b:02x}" for b in raw)


def parse_frame(frame):
    if len(frame) < 14:
        return None
    dst_mac, src_mac = mac(frame[0:6]), mac(frame[6:12])
    ethertype = struct.unpack("!H", frame[12:14])[0]
    offset = 14
    if ethertype == ETH_P_8021Q and len(frame) >= 18:
        ethertype = struct.unpack("!H", frame[16:18])[0]
        offset = 18
    if ethertype == ETH_P_IPV6:
        return parse_ipv6(frame[offset:], src_mac, dst_mac)
    if ethertype != ETH_P_IP or len(frame) < offset + 20:
        return None
    ip = frame[offset:]
    ihl = (ip[0] & 0x0F) * 4
    packet = {
        "src_mac": src_mac,
        "dst_mac": dst_mac,
        "ip_len": struct.unpack("!H", ip[2:4])[0],
        "proto": ip[9],
        "src": ".".join(str(b) for b in ip[12:16]),
        "dst": ".".join(str(b) for b in ip[16:20]),
        "sport": None,
        "dport": None,
    }
    if packet["proto"] in (IPPROTO_TCP, IPPROTO_UDP) and len(ip) >= ihl + 4:
        packet["sport"], packet["dport"] = struct.unpack("!HH", ip[ihl:ihl + 4])
    return packet


def parse_ipv6(ip, src_mac, dst_mac):
    """Only packets without extension headers: the lab sends no others."""
    if len(ip) < IPV6_HEADER:
        return None
    packet = {
        "src_mac": src_mac,
        "dst_mac": dst_mac,
        "ip_len": IPV6_HEADER + struct.unpack("!H", ip[4:6])[0],
        "proto": ip[6],
        "src": socket.inet_ntop(socket.AF_INET6, ip[8:24]),
        "dst": socket.inet_ntop(socket.AF_INET6, ip[24:40]),
        "sport": None,
        "dport": None,
    }
    if packet["proto"] in (IPPROTO_TCP, IPPROTO_UDP) and len(ip) >= IPV6_HEADER + 4:
        packet["sport"], packet["dport"] = struct.unpack("!HH", ip[40:44])
    return packet


def load_json(path):
    with open(path) as f:
        return json.load(f)


def answered(requests, what):
    errors = [r for r in requests if r["error"] is not None]
    if not requests:
        die(f"no {what} requests were made")
    if errors:
        die(f"{len(errors)}/{len(requests)} {what} requests failed, first: "
            f"sport {errors[0]['sport']}: {errors[0]['error']}")


def cmd_rr(key, client_json, *names):
    requests = load_json(client_json)[key]
    answered(requests, key)
    got = [r["backend"] for r in requests]
    if got[0] not in names:
        die(f"first {key} request answered by unknown backend {got[0]}")
    start = names.index(got[0])
    expected = [names[(start + i) % len(names)] for i in range(len(got))]
    if got != expected:
        first = next(i for i in range(len(got)) if got[i] != expected[i])
        die(f"{key} order breaks the rr cycle at request {first}: "
            f"got {','.join(got)}")


def cmd_flow(key, client_json):
    requests = load_json(client_json)[key]
    answered(requests, key)
    backends = sorted({r["backend"] for r in requests})
    if len(backends) != 1:
        die(f"one flow of {len(requests)} requests went to {','.join(backends)}")


def cmd_all_answered(client_json):
    client = load_json(client_json)
    requests = [r for key in ("udp", "udp_flow", "tcp") for r in client.get(key, [])]
    answered(requests, "client")


def cmd_marker(pcap, port):
    port = int(port)
    try:
        found = any(p["proto"] == IPPROTO_UDP and p["dport"] == port for p in read_pcap(pcap))
    except (OSError, ValueError):
        found = False
    sys.exit(0 if found else 1)


def parse_pairs(pairs):
    return dict(p.split("=", 1) for p in pairs)


def backend_by_port(client):
    """{(proto, client source port): backend name} from client.py output."""
    mapping = {}
    for key, proto in (("udp", IPPROTO_UDP), ("udp_flow", IPPROTO_UDP), ("tcp", IPPROTO_TCP)):
        for r in client.get(key, []):
            mapping[(proto, r["sport"])] = r["backend"]
    return mapping


def cmd_direct(client_json, pcap, vip, lb_mac, *pairs):
    mac_of = parse_pairs(pairs)
    vip = canonical(vip)
    name_of_mac = {v.lower(): k for k, v in mac_of.items()}
    lb_mac = lb_mac.lower()
    owner = backend_by_port(load_json(client_json))
    replies = seen_replies = 0
    problems = []
    for p in read_pcap(pcap):
        if p["src"] != vip or p["sport"] is None:
            continue
        key = (p["proto"], p["dport"])
        if key not in owner:
            continue  # not one of the client's requests (e.g. a marker)
        replies += 1
        sender = name_of_mac.get(p["src_mac"])
        if p["src_mac"] == lb_mac:
            problems.append(f"reply to port {p['dport']} came from the balancer's MAC")
        elif sender is None:
            problems.append(f"reply to port {p['dport']} from unknown MAC {p['src_mac']}")
        elif sender != owner[key]:
            problems.append(f"reply to port {p['dport']} from {sender}, "
                            f"but {owner[key]} answered it")
        else:
            seen_replies += 1
    if problems:
        die(f"{len(problems)} bad replies, first: {problems[0]}")
    flows = len(owner)
    seen_ports = {(p["proto"], p["dport"]) for p in read_pcap(pcap) if p["src"] == vip}
    missing = [k for k in owner if k not in seen_ports]
    if replies == 0 or missing:
        die(f"{len(missing)} of {flows} flows had no reply on the router's LAN port")


def cmd_counters(client_json, pcap, list_json, vip, *specs):
    services = {}  # name -> (proto, port)
    address_of = {}
    vip = canonical(vip)
    for spec in specs:
        if "=" in spec:
            name, address = spec.split("=", 1)
            address_of[name] = canonical(address)
        else:
            name, proto, port = spec.split(":")
            services[name] = ({"udp": IPPROTO_UDP, "tcp": IPPROTO_TCP}[proto], int(port))
    owner = backend_by_port(load_json(client_json))
    listing = {s["name"]: s for s in load_json(list_json)["services"]}

    problems = []
    for name, (proto, port) in services.items():
        expected = {b: {"in_packets": 0, "in_bytes": 0, "ports": set()} for b in address_of}
        for p in read_pcap(pcap):
            if p["dst"] != vip or p["proto"] != proto or p["dport"] != port:
                continue
            backend = owner.get((proto, p["sport"]))
            if backend not in expected:
                problems.append(f"{name}: packet from port {p['sport']} has no known backend")
                continue
            e = expected[backend]
            e["in_packets"] += 1
            e["in_bytes"] += p["ip_len"]
            e["ports"].add(p["sport"])
        service = listing.get(name)
        if service is None:
            problems.append(f"service {name} missing from xvsctl list --json")
            continue
        total = {"in_packets": 0, "in_bytes": 0, "conns": 0}
        for backend in service["backends"]:
            b = next((k for k, v in address_of.items()
                      if v == canonical(backend["address"])), None)
            if b is None:
                problems.append(f"{name}: unexpected backend {backend['address']}")
                continue
            e = expected[b]
            want = {"in_packets": e["in_packets"], "in_bytes": e["in_bytes"],
                    "conns": len(e["ports"])}
            for field, value in want.items():
                total[field] += value
                got = backend["stats"].get(field)
                if got != value:
                    problems.append(f"{name}/{b} {field} is {got}, sent {value}")
        for field, value in total.items():
            got = service["stats"].get(field)
            if got != value:
                problems.append(f"{name} {field} is {got}, sent {value}")
    if problems:
        die(f"{len(problems)} mismatches: " + "; ".join(problems[:6]))


def cmd_csum(name):
    rows = {}
    lines = sys.stdin.read().splitlines()
    for header, values in zip(lines[::2], lines[1::2]):
        proto, _, keys = header.partition(":")
        rows[proto] = dict(zip(keys.split(), values.partition(":")[2].split()))
    bad = []
    for proto in ("Udp", "Tcp"):
        value = rows.get(proto, {}).get("InCsumErrors")
        if value is None:
            bad.append(f"{proto} InCsumErrors missing")
        elif value != "0":
            bad.append(f"{proto}InCsumErrors={value}")
    if bad:
        die(f"{name}: " + ", ".join(bad))


def cmd_csum6(name):
    rows = dict(line.split()[:2] for line in sys.stdin.read().splitlines() if line.strip())
    value = rows.get("Udp6InCsumErrors")
    if value is None:
        die(f"{name}: Udp6InCsumErrors missing")
    if value != "0":
        die(f"{name}: Udp6InCsumErrors={value}")


def cmd_solicit(dev, target, seconds="1"):
    """A raw ICMPv6 socket: the kernel fills in the checksum and the source address."""
    target_bytes = socket.inet_pton(socket.AF_INET6, target)
    group = socket.inet_pton(socket.AF_INET6, "ff02::1:ff00:0")[:13] + target_bytes[13:]
    with open(f"/sys/class/net/{dev}/address") as f:
        own_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    index = socket.if_nametoindex(dev)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    solicit = struct.pack("!BBHI", ND_NEIGHBOR_SOLICIT, 0, 0, 0) + target_bytes
    solicit += struct.pack("!BB", ND_OPT_SOURCE_LINKADDR, 1) + own_mac
    sock.sendto(solicit, (socket.inet_ntop(socket.AF_INET6, group), 0, 0, index))
    deadline = time.monotonic() + float(seconds)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            print(f"no neighbour advertisement for {target} on {dev}")
            sys.exit(1)
        data, peer = sock.recvfrom(2048)
        if len(data) < 24 or data[0] != ND_NEIGHBOR_ADVERT or data[8:24] != target_bytes:
            continue
        options, answer = data[24:], peer[0]
        while len(options) >= 8 and options[1]:
            if options[0] == ND_OPT_TARGET_LINKADDR:
                answer = mac(options[2:8])
            options = options[options[1] * 8:]
        print(answer)
        sys.exit(0)


COMMANDS = {
    "rr": cmd_rr,
    "flow": cmd_flow,
    "all-answered": cmd_all_answered,
    "marker": cmd_marker,
    "direct": cmd_direct,
    "counters": cmd_counters,
    "csum": cmd_csum,
    "csum6": cmd_csum6,
    "solicit": cmd_solicit,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die(__doc__)
    try:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
    except (OSError, ValueError, KeyError, TypeError) as err:
        die(f"{sys.argv[1]}: {type(err).__name__}: {err}")
