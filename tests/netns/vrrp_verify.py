#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Assertions for the VRRP netns tests: announcements and adverts in pcap captures,
# `xvsctl vrrp --json` states and counters, and a TCP request to a VIP. Each subcommand
# exits 0, or prints what is wrong and exits 1.
"""Subcommands:
  garp PCAP VIP MAC              a gratuitous ARP for VIP (sender = target = VIP) from MAC
  na PCAP VIP MAC                an unsolicited neighbour advertisement (override flag,
                                 hop limit 255) for VIP with target link-layer MAC
  advert PCAP SOURCE PRIORITY    a VRRP advert from SOURCE with PRIORITY (TTL 255)
  adverts PCAP SOURCE VRID       prints how many adverts SOURCE sent for VRID
  state JSON NAME FAMILY STATE   the instance's router of FAMILY is in STATE
  field JSON NAME FAMILY KEY...  prints a field of that router (KEY path)
  reach VIP PORT NAME [SECONDS]  a TCP request to VIP:PORT is answered by NAME
  udp VIP PORT NAME [SECONDS]    UDP requests to VIP:PORT, one every 20 ms from one
                                 socket, until NAME answers; prints the wall clock
                                 (epoch ms) of that answer
"""

import ipaddress
import json
import socket
import struct
import sys
import time


def die(message):
    print(message)
    sys.exit(1)


def frames(path):
    """(ethertype, src_mac, payload) of each Ethernet frame of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    offset = 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        if len(frame) < 14:
            continue
        ethertype = struct.unpack("!H", frame[12:14])[0]
        yield ethertype, frame[6:12].hex(":"), frame[14:]


def mac_text(mac):
    return mac.lower()


def cmd_garp(pcap, vip, mac):
    vip_bytes = ipaddress.ip_address(vip).packed
    seen = []
    for ethertype, src, arp in frames(pcap):
        if ethertype != 0x0806 or len(arp) < 28:
            continue
        sha, spa, tpa = arp[8:14].hex(":"), arp[14:18], arp[24:28]
        seen.append((src, ipaddress.ip_address(spa), ipaddress.ip_address(tpa)))
        if spa == vip_bytes and tpa == vip_bytes and sha == mac_text(mac) and src == sha:
            return
    die("no gratuitous ARP for %s from %s; ARP seen: %s" % (vip, mac, seen[:10]))


def cmd_na(pcap, vip, mac):
    vip_bytes = ipaddress.ip_address(vip).packed
    for ethertype, src, ip in frames(pcap):
        if ethertype != 0x86DD or len(ip) < 40 + 24 or ip[6] != 58:
            continue
        icmp = ip[40:]
        if icmp[0] != 136 or icmp[8:24] != vip_bytes or ip[7] != 255:
            continue
        if not icmp[4] & 0x20:
            die("neighbour advertisement for %s without the override flag" % vip)
        options = icmp[24:]
        while len(options) >= 8 and options[1]:
            if options[0] == 2 and options[2:8].hex(":") == mac_text(mac):
                return
            options = options[options[1] * 8:]
    die("no unsolicited neighbour advertisement for %s with MAC %s" % (vip, mac))


def vrrp_packets(pcap):
    """(source, ttl, vrrp bytes) of each VRRP packet, IPv4 or IPv6."""
    for ethertype, _, ip in frames(pcap):
        if ethertype == 0x0800 and len(ip) >= 20 and ip[9] == 112:
            header = (ip[0] & 0x0F) * 4
            yield str(ipaddress.ip_address(ip[12:16])), ip[8], ip[header:]
        elif ethertype == 0x86DD and len(ip) >= 40 and ip[6] == 112:
            yield str(ipaddress.ip_address(ip[8:24])), ip[7], ip[40:]


def cmd_advert(pcap, source, priority):
    seen = set()
    for src, ttl, vrrp in vrrp_packets(pcap):
        if len(vrrp) < 8:
            continue
        seen.add((src, vrrp[2]))
        if src == source and vrrp[2] == int(priority) and ttl == 255:
            return
    die("no advert from %s with priority %s; seen (source, priority): %s"
        % (source, priority, sorted(seen)))


def cmd_adverts(pcap, source, vrid):
    print(sum(1 for src, _, vrrp in vrrp_packets(pcap)
              if src == source and len(vrrp) >= 2 and vrrp[1] == int(vrid)))


def router_of(path, name, family):
    with open(path) as f:
        document = json.load(f)
    for router in document["instances"]:
        if router["name"] == name and router["family"] == family:
            return router
    die("no instance %s %s in %s" % (name, family, path))
    return None


def cmd_state(path, name, family, state):
    router = router_of(path, name, family)
    if router["state"] != state:
        die("%s %s is %s (want %s), last transition %s" % (
            name, family, router["state"], state, router["last_transition"]))


def cmd_field(path, name, family, *keys):
    value = router_of(path, name, family)
    for key in keys:
        value = value[key]
    print(value)


def cmd_reach(vip, port, name, seconds="3"):
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    deadline = time.monotonic() + float(seconds)
    last = None
    while time.monotonic() < deadline:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                s.connect((vip, int(port)))
                s.sendall(b"hello\n")
                reply = s.recv(256)
            last = reply
            if reply.startswith(name.encode() + b" "):
                return
        except OSError as err:
            last = err
        time.sleep(0.1)
    die("%s:%s not answered by %s within %s s (last: %r)" % (vip, port, name, seconds, last))


def cmd_udp(vip, port, name, seconds="3"):
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    deadline = time.monotonic() + float(seconds)
    last = None
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((vip, int(port)))
        s.settimeout(0.02)
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            try:
                # 12 bytes or more: xvs_lb's nat path wants 40 bytes after the
                # Ethernet header, which an unpadded veth frame may not have.
                s.send(b"probe %08d\n" % sent)
                reply = s.recv(256)
                last = reply
                if reply.startswith(name.encode() + b" "):
                    print(int(time.time() * 1000))
                    return
            except socket.timeout:
                continue
            except OSError as err:  # ICMP unreachable while nobody holds the VIP
                last = err
                time.sleep(0.02)
    die("%s:%s (udp) not answered by %s within %s s (last: %r)" % (vip, port, name, seconds,
                                                                 last))


COMMANDS = {
    "garp": cmd_garp, "na": cmd_na, "advert": cmd_advert, "adverts": cmd_adverts,
    "state": cmd_state, "field": cmd_field, "reach": cmd_reach, "udp": cmd_udp,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
