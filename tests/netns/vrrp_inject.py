#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Sends hostile or odd VRRP adverts for test_vrrp_hostile.sh, built with scapy (Debian's
# python3-scapy, hence /usr/bin/python3), as Ethernet frames out of one interface.
"""Usage: vrrp_inject.py IFACE COUNT CASE,VRID,VIP[,DST_MAC,DST_IP]...

Sends COUNT adverts of each CASE for instance VRID (whose VIP it names), to the VRRP
group or to DST_MAC/DST_IP. CASE is one of: vrid version checksum ttl truncated address_count type auth interval
peer lower (a valid advert of priority 50: another master, as after a split brain).
Every advert but "lower" claims priority 254: accepted, it would take mastership.
"""

import sys

from scapy.all import IP, VRRP, Ether, Raw, VRRPv3, conf, get_if_addr, get_if_hwaddr, sendp

conf.verb = 0


def advert(case, vrid, vip):
    v3 = dict(vrid=vrid, priority=254, adv=10, addrlist=[vip])
    v2 = dict(vrid=vrid, priority=254, adv=1, addrlist=[vip])
    ttl = 64 if case == "ttl" else 255
    if case == "vrid":
        body = VRRPv3(**dict(v3, vrid=(vrid % 254) + 1))
    elif case == "version":
        body = VRRP(**v2)
    elif case == "checksum":
        body = VRRPv3(chksum=0x1234, **v3)
    elif case == "truncated":
        body = Raw(bytes([0x31, vrid, 254]))
    elif case == "address_count":
        body = VRRPv3(**dict(v3, addrlist=[vip, "10.77.0.250"]))
    elif case == "type":
        body = VRRPv3(type=2, **v3)
    elif case == "auth":
        body = VRRP(authtype=1, auth1=0x70617373, **v2)
    elif case == "interval":
        body = VRRP(**dict(v2, adv=3))
    elif case in ("ttl", "peer"):
        body = VRRPv3(**v3)
    elif case == "lower":
        body = VRRPv3(**dict(v3, priority=50))
    else:
        sys.exit("unknown case " + case)
    return ttl, body


def main():
    iface, count = sys.argv[1], int(sys.argv[2])
    # Sources given: scapy would look for a route to the group, and there is none.
    src_mac, src_ip = get_if_hwaddr(iface), get_if_addr(iface)
    frames = []
    for spec in sys.argv[3:]:
        case, vrid, vip, *destination = spec.split(",")
        dst_mac, dst_ip = destination or ("01:00:5e:00:00:12", "224.0.0.18")
        ttl, body = advert(case, int(vrid), vip)
        frames += [Ether(src=src_mac, dst=dst_mac) /
                   IP(src=src_ip, dst=dst_ip, ttl=ttl, proto=112) / body] * count
    sendp(frames, iface=iface, inter=0.01)


if __name__ == "__main__":
    main()
