#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Interfaces xvsd creates and owns: a bridge with veth members, veths, a veth-peer moved
# into a namespace (one that exists, one xvsd creates), IPv4/IPv6 addresses and MTU on
# owned and on existing interfaces; a reload that adds, changes and removes; an interface
# xvsd did not create with a configured name is reported and left alone; a restart after
# SIGKILL converges; SIGTERM leaves the namespace as it was found.
#
#   namespace $P-h (xvsd runs here, through nsenter so the namespaces it makes are seen)
#   +--------------------------------------------------------------------------------+
#   |  eth0 -- eth0x   existing veth: xvsd sets MTU and adds addresses, then restores |
#   |  clash0 -- clash0x  existing veth whose name a later config gives a new veth    |
#   |  br0 (bridge) <- ve0 -- ve0x, ve1 -- ve1x        created and owned by xvsd      |
#   |  ve2 ------------------------------+  ve3 ---------------------+               |
#   +------------------------------------|---------------------------|---------------+
#                                 $P-t: ve2p (exists)        $P-n: ve3p (xvsd creates $P-n)
set -u
NETNS_TEST=netns/interfaces
. "$(dirname "$0")/lib.sh"

require_netns

cleanup() {
	[ -n "${XVSD_PID:-}" ] && kill -KILL "$XVSD_PID" 2>/dev/null
	for ns in "$P-h" "$P-t" "$P-n"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$NETNS_TMP"
}
netns_begin ni cleanup
H=$P-h
ip netns add "$H"
ip netns add "$P-t"
ip -n "$H" link set lo up
ip -n "$H" link add eth0 type veth peer name eth0x
ip -n "$H" link add clash0 type veth peer name clash0x
ip -n "$H" link set eth0 up
ip -n "$H" link set eth0x up
ip -n "$H" addr add 192.0.2.1/24 dev eth0
initial_links=$(ip -n "$H" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')

# jq-like queries on "ip -j" output: linkq NS DEV EXPR succeeds when EXPR (Python, over the
# link object "l" and its addresses "a", "family/prefix" strings) is true.
linkq() {
	local ns=$1 dev=$2 expr=$3 json
	json=$(ip -n "$ns" -j -d addr show dev "$dev" 2>/dev/null) || return 1
	python3 -c '
import json, sys
l = json.loads(sys.argv[1])[0]
a = sorted(x["local"] + "/" + str(x["prefixlen"]) for x in l.get("addr_info", [])
           if x.get("scope") != "link")
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$json" "$expr" 2>/dev/null
}
gone() { ! ip -n "$1" link show "$2" >/dev/null 2>&1; }

write_conf() {
	printf 'global {\n    node ni-test\n    run_dir %s\n    api unix %s\n}\n' "$RUN" "$SOCK"
	cat
}

write_conf >"$NETNS_TMP/one.conf" <<EOF
interface eth0 {
    mtu 1400
    address 192.0.2.10/24
    address 2001:db8:e::10/64
    xdp off
}
interface br0 {
    type bridge
    members ve0 ve1
    address 10.1.0.1/24
    address 2001:db8:1::1/64
    mtu 1450
}
interface ve0 { type veth; peer ve0x; xdp off }
interface ve1 { type veth; peer ve1x; xdp off }
interface ve2 { type veth; peer ve2p; address 10.2.0.1/30; xdp off }
interface ve2p {
    type veth-peer
    namespace $P-t
    address 10.2.0.2/30
    address 2001:db8:2::2/64
}
interface ve3 { type veth; peer ve3p; xdp off }
interface ve3p { type veth-peer; namespace $P-n }
EOF

# The reload: br0 loses ve1 and changes MTU and an address, eth0 keeps only its IPv6
# address and its MTU setting goes, ve3 (and the namespace made for it) goes, br1 is new.
write_conf >"$NETNS_TMP/two.conf" <<EOF
interface eth0 {
    address 2001:db8:e::10/64
    xdp off
}
interface br0 {
    type bridge
    members ve0
    address 10.1.1.1/24
    address 2001:db8:1::1/64
    mtu 1500
}
interface ve0 { type veth; peer ve0x; xdp off }
interface ve1 { type veth; peer ve1x }
interface ve2 { type veth; peer ve2p; address 10.2.0.1/30; xdp off }
interface ve2p { type veth-peer; namespace $P-t; address 10.2.0.2/30 }
interface br1 { type bridge; members ve4; xdp off }
interface ve4 { type veth; peer ve4x; xdp off }
EOF
{ cat "$NETNS_TMP/two.conf"; printf 'interface clash0 { type veth; peer clash9; xdp off }\n'; } \
	>"$NETNS_TMP/three.conf"

start() {
	cp "$NETNS_TMP/$1.conf" "$NETNS_TMP/xvs.conf"
	nsenter --net="/run/netns/$H" "$XVSD" -f "$NETNS_TMP/xvs.conf" >>"$NETNS_TMP/xvsd.log" 2>&1 \
		</dev/null &
	XVSD_PID=$!
	wait_until 60 "$XVSCTL" -s "$SOCK" version >/dev/null 2>&1
}
reload() {
	cp "$NETNS_TMP/$1.conf" "$NETNS_TMP/xvs.conf"
	"$XVSCTL" -s "$SOCK" reload >"$NETNS_TMP/reload.out" 2>&1
}

if ! start one; then
	fail start "xvsd not up: $(tail -n 5 "$NETNS_TMP/xvsd.log")"
	exit 1
fi
alias_re='l.get("ifalias", "").startswith("xvs:ni-test:")'
if linkq "$H" br0 "l['linkinfo']['info_kind'] == 'bridge' and l['mtu'] == 1450 and 'UP' in l['flags'] and $alias_re and a == ['10.1.0.1/24', '2001:db8:1::1/64']" &&
	linkq "$H" ve0 "l.get('master') == 'br0' and 'UP' in l['flags']" &&
	linkq "$H" ve1 "l.get('master') == 'br0'" &&
	linkq "$H" br0 "'xdp' in l"; then
	pass "bridge with veth members, addresses, MTU, XDP attached after creation"
else
	fail "bridge" "$(ip -n "$H" -d addr show br0; ip -n "$H" -br link)"
fi
if linkq "$H" eth0 "l['mtu'] == 1400 and a == ['192.0.2.1/24', '192.0.2.10/24', '2001:db8:e::10/64'] and 'ifalias' not in l"; then
	pass "existing interface: MTU set, addresses added, not marked as owned"
else
	fail "existing" "$(ip -n "$H" -d addr show eth0)"
fi
if linkq "$P-t" ve2p "a == ['10.2.0.2/30', '2001:db8:2::2/64'] and 'UP' in l['flags']" &&
	ip netns exec "$H" ping -c 1 -W 2 10.2.0.2 >/dev/null &&
	[ -e "/run/netns/$P-n" ] && linkq "$P-n" ve3p "'UP' in l['flags']"; then
	pass "veth-peer in an existing namespace answers; a missing namespace is created"
else
	fail "veth-peer" "$(ip -n "$P-t" -br addr; ls /run/netns | grep "$P")"
fi

if reload two &&
	wait_until 5 linkq "$H" br0 "l['mtu'] == 1500 and a == ['10.1.1.1/24', '2001:db8:1::1/64']" &&
	linkq "$H" ve1 "'master' not in l and 'xdp' in l" && linkq "$H" ve0 "l.get('master') == 'br0'" &&
	linkq "$H" br1 "$alias_re" && linkq "$H" ve4 "l.get('master') == 'br1'" &&
	gone "$H" ve3 && [ ! -e "/run/netns/$P-n" ] &&
	linkq "$H" eth0 "l['mtu'] == 1500 and a == ['192.0.2.1/24', '2001:db8:e::10/64']" &&
	linkq "$P-t" ve2p "a == ['10.2.0.2/30']"; then
	pass "reload adds br1, changes br0 (member, MTU, address), removes ve3 and its namespace, restores eth0"
else
	fail "reload" "$(cat "$NETNS_TMP/reload.out"; ip -n "$H" -br addr; ip -n "$P-t" -br addr; ls /run/netns | grep "$P")"
fi

clash_before=$(ip -n "$H" -j -d link show clash0)
if ! reload three && grep -q "clash0 exists and xvsd did not create it" "$NETNS_TMP/reload.out" &&
	[ "$(ip -n "$H" -j -d link show clash0)" = "$clash_before" ] && gone "$H" clash9 &&
	linkq "$H" br1 "$alias_re"; then
	pass "an interface xvsd did not create is reported and left alone: $(cut -c1-90 "$NETNS_TMP/reload.out")"
else
	fail "clash" "reload: $(cat "$NETNS_TMP/reload.out"); clash0: $(ip -n "$H" -d link show clash0)"
fi

# A restart after SIGKILL: the next xvsd takes back what it owns (no clash) and converges.
kill -KILL "$XVSD_PID"
wait "$XVSD_PID" 2>/dev/null || true
if start one && wait_until 5 gone "$H" br1 && linkq "$H" ve3 "$alias_re" &&
	linkq "$H" br0 "l['mtu'] == 1450 and a == ['10.1.0.1/24', '2001:db8:1::1/64']" &&
	linkq "$H" ve1 "l.get('master') == 'br0'" && linkq "$H" eth0 "l['mtu'] == 1400"; then
	pass "restart after SIGKILL converges to the file (br1 deleted, ve3 back)"
else
	fail "restart" "$(tail -n 5 "$NETNS_TMP/xvsd.log"; ip -n "$H" -br link)"
fi

xvsd_stop 10
links=$(ip -n "$H" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
if [ "$XVSD_STATUS" = 0 ] && [ "$links" = "$initial_links" ] &&
	linkq "$H" eth0 "l['mtu'] == 1500 and a == ['192.0.2.1/24']" &&
	[ -e "/run/netns/$P-t" ] && [ ! -e "/run/netns/$P-n" ] &&
	[ "$(ip -n "$P-t" -o link show | wc -l)" = 1 ] && [ ! -e "$RUN/interfaces.state" ]; then
	pass "SIGTERM leaves the namespaces as found (links: $links)"
else
	fail "stop" "status $XVSD_STATUS; links $links (were $initial_links); eth0 $(ip -n "$H" -br addr show eth0); $(ls "$RUN" 2>&1)"
fi
XVSD_PID=
netns_finish
