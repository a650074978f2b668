# SPDX-License-Identifier: GPL-2.0-only
# In the test VM (Linux 6.1 with its 8021q, bonding and ipip modules): xvsd creates a
# LACP bond, a bond, VLANs on both and on an existing veth; a reload re-creates the bond
# in another mode and drops a VLAN; a tun service's packets are decapsulated by the
# kernel's ipip module on the backend, which answers the client directly; SIGTERM
# removes everything xvsd created. Run by bash; prints PASS:/FAIL: lines.
#
#   c: c0 10.0.0.2 ---- lb0 10.0.0.1 [xvsd, XDP generic]   lb1 10.0.2.1 ---- b0 10.0.2.11
#                       lb: m1 m2 -> lacp0 -> vlan100       b: tunl0 (ipip), VIP on lo,
#                           m3 m4 -> bond0 -> vlan200          socat echo on VIP:5000
#                           m5 -> vlan300 ........ p: m5p.300 10.30.0.2
#                           (m1p..m5p, the veths' other ends, in p)
RUN=/run/xvs-vm
CONF=/tmp/xvs.conf
VIP=10.0.1.100

pass() { echo "PASS: network/$1"; }
fail() { echo "FAIL: network/$1: $2"; }
in_lb() { ip netns exec lb "$@"; }
uptime() { cut -d. -f1 /proc/uptime; }
# until_ok SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds or SECONDS
# (of guest time) pass; also gives up when xvsd, once started, has exited.
until_ok() {
	local deadline=$(($(uptime) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(uptime)" -lt "$deadline" ] || return 1
		[ -z "${XVSD_PID:-}" ] || kill -0 "$XVSD_PID" 2>/dev/null || return 1
		sleep 0.2
	done
}

for ns in lb c b p; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
for i in 1 2 3 4 5; do
	ip link add "m$i" netns lb type veth peer name "m${i}p" netns p
	ip -n p link set "m${i}p" up
	ip -n lb link set "m$i" up    # existing interfaces are up; xvsd leaves their state
done
ip link add c0 netns c type veth peer name lb0 netns lb
ip link add lb1 netns lb type veth peer name b0 netns b
for pair in c:c0 lb:lb0 lb:lb1 b:b0; do
	ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off >/dev/null 2>&1
	ip -n "${pair%%:*}" link set "${pair#*:}" up
done
ip -n c addr add 10.0.0.2/24 dev c0
ip -n c route add default via 10.0.0.1
in_lb sysctl -qw net.ipv4.ip_forward=1
ip -n b addr add 10.0.2.11/24 dev b0
ip -n b route add default via 10.0.2.1
ip -n b addr add "$VIP/32" dev lo
ip -n b link set tunl0 up
for key in all.rp_filter default.rp_filter tunl0.rp_filter; do
	ip netns exec b sysctl -qw "net.ipv4.conf.$key=0"
done
ip netns exec b sysctl -qw net.ipv4.conf.all.arp_ignore=1
ip netns exec b socat "UDP4-RECVFROM:5000,bind=$VIP,fork" EXEC:cat &
SOCAT_PID=$!
ip -n p link add link m5p name m5p.300 type vlan id 300
ip -n p addr add 10.30.0.2/24 dev m5p.300
ip -n p link set m5p.300 up

write_conf() { # write_conf "BOND SETTINGS" [with-vlan200]
	cat >"$CONF" <<CONF
global { node vm; run_dir $RUN; api unix $RUN/xvsd.sock }
interface lb0 { address 10.0.0.1/24; xdp generic }
interface lb1 { address 10.0.2.1/24; xdp off }
interface m1 { xdp off }
interface m2 { xdp off }
interface m3 { xdp off }
interface m4 { xdp off }
interface m5 { xdp off }
interface lacp0 { type lacp; members m1 m2; xdp off }
interface bond0 { type bond; $1; members m3 m4; xdp off }
interface vlan100 {
    type vlan; parent lacp0; id 100; mtu 1400; xdp off
    address 10.100.0.1/24; address 2001:db8:100::1/64
}
interface vlan300 { type vlan; parent m5; id 300; address 10.30.0.1/24; xdp off }
service tun-udp {
    vip $VIP; port 5000; proto udp; mode tun; scheduler rr
    backend 10.0.2.11
}
CONF
	[ -n "${2:-}" ] && echo "interface vlan200 { type vlan; parent bond0; id 200; address 10.200.0.1/24; xdp off }" >>"$CONF"
}
write_conf "mode balance-xor; xmit_hash_policy layer2+3" with-vlan200

ip netns exec lb /build/xvsd -f "$CONF" >/tmp/xvsd.log 2>&1 &  # ip execs xvsd: $! is its pid
XVSD_PID=$!
if ! until_ok 120 in_lb /build/xvsctl -s "$RUN/xvsd.sock" version; then
	fail start "xvsd not up: $(tail -n 5 /tmp/xvsd.log | tr '\n' ' ')"
	kill "$SOCAT_PID"
	exit 0
fi
pass "xvsd started: $(grep -c 'created' /tmp/xvsd.log) interfaces created"

bonding() { in_lb cat "/proc/net/bonding/$1" 2>/dev/null; }
has() { echo "$1" | grep -q "$2"; }
lacp=$(bonding lacp0)
if has "$lacp" "IEEE 802.3ad" && has "$lacp" "LACP rate: fast" &&
	has "$lacp" "Transmit Hash Policy: layer3+4" && has "$lacp" "MII Polling Interval (ms): 100" &&
	has "$lacp" "Slave Interface: m1" && has "$lacp" "Slave Interface: m2"; then
	pass "lacp0: 802.3ad, lacp_rate fast, layer3+4, miimon 100, members m1 m2"
else
	fail lacp "$(echo "$lacp" | head -n 12 | tr '\n' ' ')"
fi
bond=$(bonding bond0)
if has "$bond" "load balancing (xor)" && has "$bond" "Transmit Hash Policy: layer2+3" &&
	has "$bond" "Slave Interface: m3" && has "$bond" "Slave Interface: m4"; then
	pass "bond0: balance-xor, layer2+3, members m3 m4"
else
	fail bond "$(echo "$bond" | head -n 8 | tr '\n' ' ')"
fi
vlan=$(in_lb cat /proc/net/vlan/vlan100 2>/dev/null)
addrs=$(ip -n lb -o addr show dev vlan100)
if has "$vlan" "VID: 100" && has "$vlan" "Device: lacp0" &&
	has "$(ip -n lb -o link show vlan100)" "mtu 1400" && has "$addrs" "10.100.0.1/24" &&
	has "$addrs" "2001:db8:100::1/64" && has "$(in_lb cat /proc/net/vlan/vlan200)" "Device: bond0" &&
	has "$(ip -n lb -d link show vlan100)" "alias xvs:vm:$RUN vlan lacp0 100"; then
	pass "vlan100 on lacp0 (802.1Q id 100, mtu 1400, IPv4 and IPv6), vlan200 on bond0, owner alias"
else
	fail vlan "$(echo "$vlan" | head -n 3 | tr '\n' ' ') $addrs"
fi
if in_lb ping -c 1 -W 3 10.30.0.2 >/dev/null; then
	pass "vlan300 on an existing veth carries traffic (ping 10.30.0.2)"
else
	fail vlan300 "no answer from 10.30.0.2 over vlan300"
fi

# tun: the client's datagram, IPIP-encapsulated by XDP, decapsulated by ipip on b.
answer=""
tries=0
while [ "$tries" -lt 40 ] && [ "$answer" != "hello-vm" ]; do
	answer=$(echo hello-vm | ip netns exec c socat -T 1 - "UDP4:$VIP:5000" 2>/dev/null)
	tries=$((tries + 1))
done
decapsulated=$(ip netns exec b cat /sys/class/net/tunl0/statistics/rx_packets)
if [ "$answer" = "hello-vm" ] && [ "$decapsulated" -gt 0 ]; then
	pass "tun: answer from the backend through the kernel's ipip ($decapsulated packets on tunl0, $tries tries)"
else
	fail tun "answer '$answer' after $tries tries, tunl0 rx $decapsulated: $(tail -n 3 /tmp/xvsd.log | tr '\n' ' ')"
fi

# Reload: bond0 becomes active-backup (created anew), vlan200 goes.
write_conf "mode active-backup"
kill -HUP "$XVSD_PID"
if until_ok 20 sh -c "ip netns exec lb cat /proc/net/bonding/bond0 | grep -q 'fault-tolerance (active-backup)'" &&
	until_ok 5 sh -c "! ip -n lb link show vlan200" &&
	has "$(bonding bond0)" "Slave Interface: m3" && has "$(bonding lacp0)" "802.3ad"; then
	pass "reload: bond0 re-created as active-backup with its members, vlan200 deleted"
else
	fail reload "$(bonding bond0 | head -n 3 | tr '\n' ' ') $(tail -n 4 /tmp/xvsd.log | tr '\n' ' ')"
fi

kill -TERM "$XVSD_PID"
until_ok 30 sh -c "! kill -0 $XVSD_PID"
left=$(ip -n lb -o link show | grep -cE ': (lacp0|bond0|vlan100|vlan200|vlan300)[@:]')
members=$(ip -n lb -o link show up | grep -cE ': m[1-5]@')
if [ "$left" = 0 ] && [ "$members" = 5 ] &&
	! has "$(ip -n lb -o addr show dev lb0)" "10.0.0.1/24" && [ ! -e "$RUN/interfaces.state" ]; then
	pass "SIGTERM: bonds and VLANs deleted, the existing veths up again, addresses removed"
else
	fail stop "left $left created interfaces, $members of 5 members up: $(ip -n lb -o link show | cut -c1-60 | tr '\n' ' ')"
fi
kill "$SOCAT_PID" 2>/dev/null
