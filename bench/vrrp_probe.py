#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Client side of bench/vrrp_failover.sh: from a start time on, sends a UDP datagram to
# the VIP every 5 ms and watches ARP; prints when the new master first answered and when
# its gratuitous ARP for the VIP was first seen (nanoseconds, CLOCK_REALTIME).
"""Usage: vrrp_probe.py IFACE VIP PORT NAME MAC SECONDS

Prints "ready" once listening, reads one line (the kill time in ns) from stdin, then
"answer NS" and "garp NS" (or "answer -" / "garp -" when not seen within SECONDS).
"""

import ipaddress
import select
import socket
import sys
import time

ETH_P_ARP = 0x0806


def main():
    iface, vip, port, name, mac, seconds = sys.argv[1:7]
    vip_bytes = ipaddress.ip_address(vip).packed
    mac = mac.lower()
    arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    arp.bind((iface, ETH_P_ARP))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setblocking(False)
    print("ready", flush=True)
    start = int(sys.stdin.readline())
    deadline = time.monotonic() + float(seconds)
    answer = garp = None
    next_send = 0.0
    while (answer is None or garp is None) and time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_send:
            try:
                udp.sendto(b"probe", (vip, int(port)))
            except OSError:
                pass
            next_send = now + 0.005
        ready, _, _ = select.select([arp, udp], [], [], max(0.0, next_send - now))
        for sock in ready:
            data = sock.recv(2048)
            at = time.time_ns()
            if sock is udp and answer is None and data.startswith(name.encode() + b" "):
                answer = at
            elif sock is arp and garp is None and len(data) >= 42:
                body = data[14:]
                if body[8:14].hex(":") == mac and body[14:18] == vip_bytes and \
                        body[24:28] == vip_bytes:
                    garp = at
    print("answer %s" % ("-" if answer is None else answer - start))
    print("garp %s" % ("-" if garp is None else garp - start), flush=True)


if __name__ == "__main__":
    main()
