#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Type macvlan: xvsd creates a macvlan on the balancer's uplink, gives it the address the
# router sends VIP traffic to and attaches the data plane there (generic XDP: the kernel's
# macvlan has no native hook); a dr service answers through it. Reloads change the mode,
# MTU, MAC and addresses in place, re-create it for passthru (XDP attached again to the new
# interface) and remove it; a macvlan xvsd did not create with a configured name is
# reported and left alone; a macvlan inside a tenant's namespace carries that tenant's dr
# service; SIGTERM leaves the namespaces as they were found.
#
#  mvPID-client 10.0.0.2 ---- mvPID-router 10.0.0.1 | 10.0.1.1, route 10.0.1.100/32 via 10.0.1.2
#                                        |
#                          mvPID-switch br0 ------+---------------+---------------+
#                                |                |               |               |
#   mvPID-lb eth0 (no address, arp_ignore 1, xdp off)        mvPID-b1 .11    mvPID-b2 .12    mvPID-b3 .13
#     +-- mv0  macvlan by xvsd: 10.0.1.2/24,   VIP 10.0.1.100 on lo, echo_server.py UDP 53
#     |        MAC 02:00:5e:00:53:02, XDP generic
#     +-- mvt  macvlan by xvsd inside mvPID-t (the tenant's namespace), later: 10.0.1.2/24
#   spare0 -- spare1  a veth made by the test; mvx: a macvlan on spare0 made by the test
set -euo pipefail

NETNS_TEST=netns/macvlan
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.1.100
MAC=02:00:5e:00:53:02
MAC2=02:00:5e:00:53:03

mv_cleanup() {
	netns_cleanup
	[ -n "${P:-}" ] && [ -e "/run/netns/$P-t" ] && ip netns del "$P-t"
	return 0
}
require_netns
netns_begin mv mv_cleanup
netns_lab_up
LB=$P-lb
if ! ip -n "$LB" link add link eth0 name mvprobe type macvlan 2>/dev/null; then
	skip "the kernel has no macvlan"
fi
ip -n "$LB" link del mvprobe
# The macvlan takes the balancer's address: eth0 keeps none, and does not answer ARP for
# the macvlan's (Linux answers for any local address on any interface by default).
ip -n "$LB" addr flush dev eth0 scope global
ip netns exec "$LB" sysctl -qw net.ipv4.conf.eth0.arp_ignore=1
ip -n "$LB" link add name spare0 type veth peer name spare1
ip -n "$LB" link add link spare0 name mvx type macvlan mode bridge
# The tenant's namespace exists before xvsd (which runs in a mount namespace of its own),
# with an interface mvy that xvsd did not create.
ip netns add "$P-t"
ip -n "$P-t" link add name mvy type veth peer name mvy2
t_links_before=$(ip -n "$P-t" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
initial_links=$(ip -n "$LB" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
eth0_before=$(ip -n "$LB" -j -d link show eth0 | python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(sorted(l["flags"]), l.get("promiscuity"), l["address"])')

# linkq DEV EXPR: succeeds when EXPR (Python, over the "ip -j -d addr" object "l" of DEV in
# the balancer and its global addresses "a") is true.
linkq() {
	local json
	json=$(ip -n "${LINKQ_NS:-$LB}" -j -d addr show dev "$1" 2>/dev/null) || return 1
	python3 -c '
import json, sys
l = json.loads(sys.argv[1])[0]
a = sorted(x["local"] + "/" + str(x["prefixlen"]) for x in l.get("addr_info", [])
           if x.get("scope") != "link")
mode = l.get("linkinfo", {}).get("info_data", {}).get("mode")
xdp = l.get("xdp", {}).get("mode")  # 2: generic (skb), 1: native
alias = l.get("ifalias", "")
owned = alias.startswith("xvs:'"$LB"':") and alias.split(" ")[1:3] == ["macvlan", "eth0"]
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$json" "$2" 2>/dev/null
}
ifindex() { ip -n "$LB" -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
gone() { ! ip -n "$LB" link show "$1" >/dev/null 2>&1; }

# conf MACVLAN_LINES...: the global block, eth0 without XDP, the dr service, and mv0's
# block with these lines (none: no mv0).
conf() {
	xvsd_conf_head
	printf '\ninterface eth0 { xdp off }\n'
	conf_service dns "$VIP" "$LAB_UDP_PORT" udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
	[ $# -gt 0 ] || return 0
	printf '\ninterface mv0 {\n    type macvlan\n    parent eth0\n'
	printf '    %s\n' "$@"
	printf '}\n'
}
conf "mode bridge" "mac $MAC" "address 10.0.1.2/24" >"$NETNS_TMP/xvs.conf"
conf "mode private" "mac $MAC2" "mtu 1400" "address 10.0.1.2/24" "address 10.0.1.3/24" \
	>"$NETNS_TMP/two.conf"
conf "mode passthru" "address 10.0.1.2/24" >"$NETNS_TMP/three.conf"
{
	conf
	printf 'interface mv1 { type macvlan; parent eth0; mode vepa; xdp off }\n'
} >"$NETNS_TMP/four.conf"
{
	cat "$NETNS_TMP/four.conf"
	printf 'interface mvx { type macvlan; parent spare0; xdp off }\n'
} >"$NETNS_TMP/five.conf"
# A tenant's macvlan: inside $P-t, with the address the router sends the VIP to, and a dr
# service of that namespace on it (the tenant's own instance of the data plane).
{
	cat "$NETNS_TMP/four.conf"
	printf 'interface mvt { type macvlan; parent eth0; namespace %s; address 10.0.1.2/24 }\n' "$P-t"
	conf_service dns-t "$VIP" "$LAB_UDP_PORT" udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")" \
		"namespace $P-t"
} >"$NETNS_TMP/six.conf"
{
	cat "$NETNS_TMP/six.conf"
	printf 'interface mvy { type macvlan; parent eth0; namespace %s; xdp off }\n' "$P-t"
} >"$NETNS_TMP/seven.conf"

reload() {
	cp "$NETNS_TMP/$1.conf" "$NETNS_TMP/xvs.conf"
	"$XVSCTL" -s "$SOCK" reload >"$NETNS_TMP/reload.out" 2>&1
}

# answers NAME: UDP requests from the client to the VIP, answered by the backends in rr
# order (the router first forgets the balancer's MAC: it may have changed).
answers() {
	ip -n "$P-router" neigh flush dev eth1
	client_run "$1" 60 "$NETNS_TMP/$1.json" --vip "$VIP" --udp-port "$LAB_UDP_PORT" \
		--udp 9 --timeout 2 --deadline 40 &&
		check "$1" rr udp "$NETNS_TMP/$1.json" "${LAB_BACKENDS[@]}" ||
		echo "# $1: $(grep -E 'neighbour|next hop|mv0' "$NETNS_TMP/xvsd.log" | tail -n 8 | tr '\n' ' ')" >&2
}

xvsd_up 60
if linkq mv0 "l['linkinfo']['info_kind'] == 'macvlan' and mode == 'bridge' and owned and l['address'] == '$MAC' and a == ['10.0.1.2/24'] and 'UP' in l['flags'] and xdp == 2" &&
	linkq eth0 "'xdp' not in l and a == []" &&
	grep -q "interface mv0: XDP attached in generic mode" "$NETNS_TMP/xvsd.log"; then
	pass "created: macvlan on eth0, mode bridge, MAC, address, generic XDP (auto)"
else
	fail created "$(ip -n "$LB" -d addr show mv0; grep mv0 "$NETNS_TMP/xvsd.log")"
fi
answers dr-through-macvlan
if ip netns exec "$P-router" ping -c 1 -W 2 10.0.1.2 >/dev/null &&
	[[ "$(ip -n "$P-router" neigh show 10.0.1.2)" == *"lladdr $MAC "* ]]; then
	pass "the macvlan's address answers from the macvlan's MAC"
else
	fail neighbour "$(ip -n "$P-router" neigh show)"
fi

index=$(ifindex mv0)
if reload two && wait_until 5 linkq mv0 "mode == 'private' and l['mtu'] == 1400 and l['address'] == '$MAC2' and a == ['10.0.1.2/24', '10.0.1.3/24'] and xdp == 2" &&
	[ "$(ifindex mv0)" = "$index" ]; then
	pass "reload changes mode, MTU, MAC and addresses in place (ifindex $index kept)"
else
	fail reload-change "$(cat "$NETNS_TMP/reload.out"; ip -n "$LB" -d addr show mv0)"
fi
answers after-change

# The new interface's neighbours: the data plane logs each backend's next hop once it
# knows it there (traffic before that goes to the old interface's entry).
next_hops() { grep -c "service dns: backend .*: next hop" "$NETNS_TMP/xvsd.log" || true; }
hops_before=$(next_hops)
hops_moved() { [ "$(next_hops)" -ge $((hops_before + ${#LAB_BACKENDS[@]})) ]; }
eth0_mac=$(mac_of "$LB" eth0)
if reload three && wait_until 10 hops_moved && wait_until 5 linkq mv0 "mode == 'passthru' and owned and l['address'] == '$eth0_mac' and xdp == 2" &&
	[ "$(ifindex mv0)" != "$index" ]; then
	pass "reload to passthru creates it anew (ifindex $index -> $(ifindex mv0)), XDP attached again"
else
	fail reload-passthru "$(cat "$NETNS_TMP/reload.out"; ip -n "$LB" -d link show mv0)"
fi
answers after-passthru

if reload four && wait_until 5 gone mv0 && linkq mv1 "mode == 'vepa' and owned and 'xdp' not in l"; then
	pass "reload removes mv0 and creates mv1"
else
	fail reload-remove "$(cat "$NETNS_TMP/reload.out"; ip -n "$LB" -d link show)"
fi

mvx_before=$(ip -n "$LB" -j -d link show mvx)
if ! reload five && grep -q "mvx exists and xvsd did not create it" "$NETNS_TMP/reload.out" &&
	[ "$(ip -n "$LB" -j -d link show mvx)" = "$mvx_before" ] && linkq mv1 "owned"; then
	pass "a macvlan xvsd did not create is reported and left alone: $(cut -c1-80 "$NETNS_TMP/reload.out")"
else
	fail clash "reload: $(cat "$NETNS_TMP/reload.out"); mvx: $(ip -n "$LB" -d link show mvx)"
fi

if reload six && xvsd_wait_ready "$SOCK" 30 &&
	LINKQ_NS=$P-t linkq mvt "mode == 'bridge' and owned and a == ['10.0.1.2/24'] and 'UP' in l['flags'] and xdp == 2"; then
	pass "reload creates a macvlan inside a tenant's namespace, XDP by the tenant's instance"
else
	fail namespace "$(cat "$NETNS_TMP/reload.out"; ip -n "$P-t" -d addr show)"
fi
answers tenant-macvlan

mvy_before=$(ip -n "$P-t" -j -d link show mvy)
if ! reload seven && grep -q "mvy exists in namespace $P-t and xvsd did not create it" "$NETNS_TMP/reload.out" &&
	[ "$(ip -n "$P-t" -j -d link show mvy)" = "$mvy_before" ] && LINKQ_NS=$P-t linkq mvt "owned"; then
	pass "inside a namespace too: $(cut -c1-80 "$NETNS_TMP/reload.out")"
else
	fail clash-namespace "reload: $(cat "$NETNS_TMP/reload.out"); mvy: $(ip -n "$P-t" -d link show mvy)"
fi

if xvsd_check_stop stop; then
	links=$(ip -n "$LB" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
	eth0_after=$(ip -n "$LB" -j -d link show eth0 | python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(sorted(l["flags"]), l.get("promiscuity"), l["address"])')
	if [ "$links" = "$initial_links" ] && [ "$eth0_after" = "$eth0_before" ] &&
		[ "$(ip -n "$LB" -j -d link show mvx)" = "$mvx_before" ] &&
		[ "$(ip -n "$P-t" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')" = "$t_links_before" ]; then
		pass "SIGTERM leaves the namespaces as found (lb: $links; tenant: $t_links_before)"
	else
		fail stop "links $links (were $initial_links); eth0 $eth0_after (was $eth0_before)"
	fi
fi
netns_finish
