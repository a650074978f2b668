#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end test of modes nat and snat: real nginx (curl, IPv4 and IPv6) and dnsmasq
# (dig, backend port 5353) behind the balancer, a long-lived TCP stream that survives
# thousands of short flows, mode generic (ping, raw GRE counted on the backends),
# forwarding sysctls set and restored, no checksum errors.
#
#  xnPID-client 10.0.0.2 ---- eth0 xnPID-lb eth1 10.0.5.1 ---- xnPID-sw br0 --+-- xnPID-b1 10.0.5.11
#   fd00:a::2   default via lb  10.0.0.1          fd00:5::1                  +-- xnPID-b2 10.0.5.12
#                               fd00:a::1   xvsd on eth0+eth1                  nginx :8080, dnsmasq :5353,
#                                           VIPs 10.0.9.100/101, fd00:9::100/101   stream echo :9000
#  A router xnPID-rt (10.0.5.254, MTU 1280 beyond) leads to xnPID-b3 10.0.6.11 (path MTU).
#  nat: backends route via the lb (default via 10.0.5.1); snat (VIPs .101): the
#  backends' default routes are deleted, replies go to the snat address 10.0.5.1.
#
# Run as root from the repo root. Prints PASS:/FAIL: netns/nat/NAME lines.
set -euo pipefail

NETNS_TEST=netns/nat
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.0.9.100
VIP6=fd00:9::100
SVIP=10.0.9.101
SVIP6=fd00:9::101
GVIP=10.0.9.102      # mode generic: ICMP and GRE, delivered as in dr
BACKENDS=(b1 b2)
declare -A ADDR=([b1]=10.0.5.11 [b2]=10.0.5.12)
declare -A ADDR6=([b1]=fd00:5::11 [b2]=fd00:5::12)

require_netns
for tool in nginx dnsmasq dig curl nstat; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done

NAMESPACES=(client lb sw rt b3 "${BACKENDS[@]}")

nat_cleanup() {
	local f ns
	for f in "$NETNS_TMP"/*.pid; do
		[ -e "$f" ] || continue
		ns=$(basename "$f" .pid)
		lab_stop_pid "$P-${ns%%-*}" "$(cat "$f")"
	done
	[ -n "${XVSD_PID:-}" ] && pid_alive "$XVSD_PID" && xvsd_stop 10
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$P-$ns" 2>/dev/null || true
	done
	rm -rf "$(lab_state_dir "$P")"
	NETNS_PREFIX='' netns_cleanup
}
netns_begin xn nat_cleanup

mkdir -p "$(lab_state_dir "$P")"
for ns in "${NAMESPACES[@]}"; do
	lab_ns_add "$P-$ns"
done
lab_veth "$P-client" eth0 "$P-lb" eth0
lab_veth "$P-lb" eth1 "$P-sw" sw-lb
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
ip -n "$P-client" addr add 10.0.0.2/24 dev eth0
ip -n "$P-client" addr add fd00:a::2/64 dev eth0 nodad
ip -n "$P-lb" addr add 10.0.0.1/24 dev eth0
ip -n "$P-lb" addr add fd00:a::1/64 dev eth0 nodad
ip -n "$P-lb" addr add 10.0.5.1/24 dev eth1
ip -n "$P-lb" addr add fd00:5::1/64 dev eth1 nodad
for ns in client lb; do
	ip -n "$P-$ns" link set eth0 up
done
ip -n "$P-lb" link set eth1 up
ip -n "$P-client" route add default via 10.0.0.1
ip -n "$P-client" -6 route add default via fd00:a::1
for b in "${BACKENDS[@]}"; do
	lab_veth "$P-sw" "sw-$b" "$P-$b" eth0
	ip -n "$P-sw" link set "sw-$b" master br0
	ip -n "$P-sw" link set "sw-$b" up
	ip -n "$P-$b" addr add "${ADDR[$b]}/24" dev eth0
	ip -n "$P-$b" addr add "${ADDR6[$b]}/64" dev eth0 nodad
	ip -n "$P-$b" link set eth0 up
	ip -n "$P-$b" addr add "$GVIP/32" dev lo
	ip -n "$P-$b" route add default via 10.0.5.1
	ip -n "$P-$b" -6 route add default via fd00:5::1
done
ip -n "$P-sw" link set sw-lb master br0
ip -n "$P-sw" link set sw-lb up
ip -n "$P-sw" link set br0 up
# b3 sits behind the router rt, whose link to it has MTU 1280 (b3 advertises MSS 1460
# all the same): the client's full-size segments get "fragmentation needed" from rt.
lab_veth "$P-sw" sw-rt "$P-rt" eth0
ip -n "$P-sw" link set sw-rt master br0
ip -n "$P-sw" link set sw-rt up
lab_veth "$P-rt" eth1 "$P-b3" eth0
ip -n "$P-rt" addr add 10.0.5.254/24 dev eth0
ip -n "$P-rt" addr add 10.0.6.1/24 dev eth1
ip -n "$P-rt" link set eth0 up
ip -n "$P-rt" link set eth1 mtu 1280 up
ip -n "$P-rt" route add default via 10.0.5.1
lab_sysctl "$P-rt" net.ipv4.ip_forward=1
ip -n "$P-b3" addr add 10.0.6.11/24 dev eth0
ip -n "$P-b3" link set eth0 mtu 1280 up
ip -n "$P-b3" route add default via 10.0.6.1 advmss 1460
ip -n "$P-lb" route add 10.0.6.0/24 via 10.0.5.254
# Frames lb's XDP program sends into a veth reach the other end only when an XDP
# program runs there too.
ip -n "$P-client" link set dev eth0 xdpdrv obj "$XVS_PASS_OBJ" sec xdp
ip -n "$P-sw" link set dev sw-lb xdpdrv obj "$XVS_PASS_OBJ" sec xdp

# Servers: nginx answering its name on :8080, dnsmasq on :5353, a line echo on :9000.
cat >"$NETNS_TMP/stream_echo.py" <<'EOF'
import socket, sys, threading
def serve(conn):
    with conn:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            conn.sendall(data)
socks = []
for address in sys.argv[1:]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, 9000))
    s.listen(16)
    socks.append(s)
def accept(s):
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
for s in socks[1:]:
    threading.Thread(target=accept, args=(s,), daemon=True).start()
accept(socks[0])
EOF
for b in "${BACKENDS[@]}"; do
	dir=$NETNS_TMP/nginx-$b
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen ${ADDR[$b]}:8080;
        listen [${ADDR6[$b]}]:8080;
        location / { default_type text/plain; return 200 "$b\n"; }
    }
}
EOF
	ip netns exec "$P-$b" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
		>"$dir/stdout.log" 2>&1 </dev/null &
	echo $! >"$NETNS_TMP/$b-nginx.pid"
	ip netns exec "$P-$b" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --port=5353 --listen-address="${ADDR[$b]}" --bind-interfaces \
		--txt-record="who.lab,$b" --user=root --group=root --log-facility=- \
		>"$NETNS_TMP/$b-dnsmasq.log" 2>&1 </dev/null &
	echo $! >"$NETNS_TMP/$b-dnsmasq.pid"
	ip netns exec "$P-$b" python3 "$NETNS_TMP/stream_echo.py" "${ADDR[$b]}" \
		>"$NETNS_TMP/$b-stream.log" 2>&1 </dev/null &
	echo $! >"$NETNS_TMP/$b-stream.pid"
done
ip netns exec "$P-b3" python3 "$NETNS_TMP/stream_echo.py" 10.0.6.11 \
	>"$NETNS_TMP/b3-stream.log" 2>&1 </dev/null &
echo $! >"$NETNS_TMP/b3-stream.pid"
dns_answers() {
	ip netns exec "$P-$1" dig +short +time=1 +tries=1 -p 5353 "@${ADDR[$1]}" who.lab TXT |
		grep -q "$1"
}
for b in "${BACKENDS[@]}"; do
	wait_until 10 ip netns exec "$P-$b" curl -sf -o /dev/null "http://${ADDR[$b]}:8080/" ||
		{ fail setup "nginx on $b: $(tail -n 3 "$NETNS_TMP/nginx-$b/error.log")"; exit 1; }
	wait_until 10 dns_answers "$b" ||
		{ fail setup "dnsmasq on $b: $(tail -n 3 "$NETNS_TMP/$b-dnsmasq.log")"; exit 1; }
done

service() { # NAME VIP PORT PROTO MODE BACKEND_PORT [SNAT]
	local b backends=()
	for b in "${BACKENDS[@]}"; do
		if [[ $2 == *:* ]]; then
			backends+=("[${ADDR6[$b]}]:$6")
		else
			backends+=("${ADDR[$b]}:$6")
		fi
	done
	conf_service "$1" "$2" "$3" "$4" "$5" "${backends[*]}" ${7:+"snat $7"}
}
{
	xvsd_conf_head eth0 eth1
	service web "$VIP" 80 tcp nat 8080
	service web6 "$VIP6" 80 tcp nat 8080
	service dns "$VIP" 53 udp nat 5353
	service stream "$VIP" 9000 tcp nat 9000
	conf_service far "$VIP" 9100 tcp nat 10.0.6.11:9000
	service sweb "$SVIP" 80 tcp snat 8080 10.0.5.1
	service sweb6 "$SVIP6" 80 tcp snat 8080 fd00:5::1
	for proto in icmp gre; do
		printf 'service %s {\n    vip %s; proto %s; mode generic; scheduler sh\n' \
			"g$proto" "$GVIP" "$proto"
		printf '    backend %s\n' "${ADDR[b1]}" "${ADDR[b2]}"
		printf '}\n'
	done
} >"$NETNS_TMP/xvs.conf"

forwarding_of() { ip netns exec "$P-lb" cat "/proc/sys/net/ipv$1/conf/$2/forwarding"; }
[ "$(forwarding_of 4 eth0)$(forwarding_of 6 eth1)" = 00 ] || { fail setup "forwarding on"; exit 1; }
xvsd_up 20
if [ "$(forwarding_of 4 eth0)$(forwarding_of 4 eth1)$(forwarding_of 6 eth0)$(forwarding_of 6 eth1)" = 1111 ] &&
	grep -q "forwarding: set to 1" "$NETNS_TMP/xvsd.log"; then
	pass forwarding-set
else
	fail forwarding-set "$(grep forwarding "$NETNS_TMP/xvsd.log" || true)"
fi
# Neighbours the data plane looks up (bpf_fib_lookup) are the kernel's: let it learn
# the client; xvsd resolves the backends itself.
ip netns exec "$P-lb" ping -c1 -W1 10.0.0.2 >/dev/null
ip netns exec "$P-lb" ping -6 -c1 -W1 fd00:a::2 >/dev/null

# curl_spread NAME URL COUNT: COUNT fresh connections, every answer one of the backends,
# every backend seen.
curl_spread() {
	local name=$1 url=$2 count=$3 out
	out=$(for _ in $(seq "$count"); do
		ip netns exec "$P-client" curl -s --max-time 3 -g "$url" || echo "curl-failed"
	done | sort | uniq -c | tr '\n' ' ')
	if [[ $out != *curl-failed* ]] && [[ $out == *" b1 "* ]] && [[ $out == *" b2 "* ]] &&
		[ "$(echo "$out" | wc -w)" = 4 ]; then
		pass "$name"
	else
		fail "$name" "answers: $out"
	fi
}
curl_spread http4-nat "http://$VIP/" 40
curl_spread http6-nat "http://[$VIP6]/" 40

out=$(for _ in $(seq 30); do
	ip netns exec "$P-client" dig +short +time=2 +tries=1 "@$VIP" who.lab TXT || echo failed
done | sort | uniq -c | tr '\n' ' ')
if [[ $out == *'"b1"'* ]] && [[ $out == *'"b2"'* ]] && [[ $out != *failed* ]] && [[ $out != *timed* ]]; then
	pass dns-nat-port-5353
else
	fail dns-nat-port-5353 "answers: $out"
fi

# Replies keep the next hop of their flow's last FIB lookup (nat.md): xvsd starts a
# new route generation when a neighbour's MAC moves, not when one is re-confirmed
# with the same MAC; a connection open across the move goes on answering.
route_generation() {
	ip netns exec "$P-lb" bpftool -j net show dev eth0 | python3 -c '
import json, subprocess, sys
prog = json.load(sys.stdin)[0]["xdp"][0]["id"]
show = lambda *a: json.loads(subprocess.check_output(["bpftool", "-j", *a]))
for map_id in show("prog", "show", "id", str(prog))["map_ids"]:
    # Kernel map names keep 15 characters.
    if show("map", "show", "id", str(map_id))["name"] == "route_generatio":
        entry = show("map", "lookup", "id", str(map_id), "key", "0", "0", "0", "0")
        if "formatted" in entry:
            print(entry["formatted"]["value"])
        else:
            print(int.from_bytes(bytes(int(b, 16) for b in entry["value"]), "little"))
'
}
generation_above() { [ "$(route_generation)" -gt "$1" ]; }
cat >"$NETNS_TMP/across_move.py" <<'EOF'
import os, socket, sys, time
vip, flag = sys.argv[1], sys.argv[2]
s = socket.create_connection((vip, 9000), timeout=5)
def echo(token):
    s.sendall(token)
    got = b""
    while len(got) < len(token):
        got += s.recv(4096)
    return got == token
ok = echo(b"before\n")
open(flag + ".ready", "w").close()
deadline = time.time() + 20
while not os.path.exists(flag) and time.time() < deadline:
    time.sleep(0.05)
ok = ok and os.path.exists(flag) and echo(b"after\n")
sys.exit(0 if ok else 1)
EOF
client_mac=$(ip -n "$P-client" -j link show eth0 |
	python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
ip netns exec "$P-client" timeout 30 python3 "$NETNS_TMP/across_move.py" "$VIP" \
	"$NETNS_TMP/moved" &
move_pid=$!
wait_until 10 test -e "$NETNS_TMP/moved.ready" || fail mac-move-setup "no stream"
# A neighbour xvsd sees for the first time (an IPv6 link-local one going stale, say)
# starts a generation too: up to three tries find a quiet half second.
same_mac=
for _ in 1 2 3; do
	generation=$(route_generation || true)
	ip -n "$P-lb" neigh replace 10.0.0.2 lladdr "$client_mac" dev eth0 nud permanent
	sleep 0.5 # a new generation would come within milliseconds
	after=$(route_generation || true)
	same_mac="$same_mac $generation->$after"
	[ -n "$generation" ] && [ "$after" = "$generation" ] && break
done
if [ -n "$generation" ] && [ "$after" = "$generation" ]; then
	pass route-generation-same-mac
else
	fail route-generation-same-mac "generations:$same_mac"
fi
ip -n "$P-client" link set eth0 address 02:00:00:0c:11:02
ip -n "$P-lb" neigh replace 10.0.0.2 lladdr 02:00:00:0c:11:02 dev eth0 nud permanent
if [ -n "$generation" ] && wait_until 5 generation_above "$generation"; then
	pass route-generation-mac-moved
else
	fail route-generation-mac-moved "generation stays '$generation'"
fi
touch "$NETNS_TMP/moved"
if wait "$move_pid"; then
	pass reply-after-mac-move
else
	fail reply-after-mac-move "the open connection's echo did not come back"
fi
ip -n "$P-client" link set eth0 address "$client_mac"
ip -n "$P-lb" neigh replace 10.0.0.2 lladdr "$client_mac" dev eth0 nud permanent

# A stream held open across 2000 short HTTP connections: each echo still arrives.
cat >"$NETNS_TMP/churn.py" <<'EOF'
import socket, sys
vip = sys.argv[1]
stream = socket.create_connection((vip, 9000), timeout=3)
failures = 0
for i in range(2000):
    try:
        s = socket.create_connection((vip, 80), timeout=3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        s.close()
        if b" 200 " not in reply:
            failures += 1
    except OSError:
        failures += 1
    if i % 100 == 0:
        token = b"ping %d\n" % i
        stream.sendall(token)
        got = b""
        while len(got) < len(token):
            got += stream.recv(4096)
        if got != token:
            print("stream broke at", i)
            sys.exit(1)
print("short flow failures", failures)
sys.exit(1 if failures else 0)
EOF
if out=$(timeout 120 ip netns exec "$P-client" python3 "$NETNS_TMP/churn.py" "$VIP" 2>&1); then
	pass stream-survives-churn
else
	fail stream-survives-churn "$out"
fi

# Path MTU through nat: rt's "fragmentation needed" about client -> 10.0.6.11:9000
# reaches the client as one about client -> VIP:9100; 20000 bytes echo back.
if out=$(timeout 30 ip netns exec "$P-client" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 9100), timeout=10)
data = bytes(range(256)) * 80
s.sendall(data)
got = b""
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
sys.exit(0 if got == data else 1)
' "$VIP" 2>&1) && ip -n "$P-client" route get "$VIP" | grep -q "mtu 1280"; then
	pass icmp-frag-needed-nat
else
	fail icmp-frag-needed-nat "$out $(ip -n "$P-client" route get "$VIP")"
fi

# generic: ping (the backend holding the VIP on lo answers), and raw GRE packets
# counted on the backends.
if out=$(ip netns exec "$P-client" ping -c 5 -i 0.2 -W 1 "$GVIP" 2>&1) &&
	[[ $out == *" 5 received"* ]]; then
	pass icmp-echo-generic
else
	fail icmp-echo-generic "$out"
fi
for b in "${BACKENDS[@]}"; do
	capture_start "gre-$b" "$P-$b" eth0 ip proto 47
done
ip netns exec "$P-client" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
for i in range(20):
    s.sendto(b"\x00\x00\x08\x00" + bytes(32), (sys.argv[1], 0))
' "$GVIP"
sleep 0.5
gre=0
for b in "${BACKENDS[@]}"; do
	capture_stop "gre-$b"
	n=$(tcpdump -r "$NETNS_TMP/gre-$b.pcap" -n 2>/dev/null | grep -c "> $GVIP: GRE" || true)
	gre=$((gre + n))
done
if [ "$gre" = 20 ]; then
	pass gre-generic
else
	fail gre-generic "$gre of 20 GRE packets reached the backends"
fi

# snat: the backends lose their way back to the client.
for b in "${BACKENDS[@]}"; do
	ip -n "$P-$b" route del default
	ip -n "$P-$b" -6 route del default
done
curl_spread http4-snat "http://$SVIP/" 30
curl_spread http6-snat "http://[$SVIP6]/" 30
if grep -q '^10\.0\.5\.1 ' "$NETNS_TMP/nginx-b1/access.log" &&
	grep -q '^fd00:5::1 ' "$NETNS_TMP/nginx-b1/access.log"; then
	pass snat-source-seen-by-backend
else
	fail snat-source-seen-by-backend "$(tail -n 2 "$NETNS_TMP/nginx-b1/access.log")"
fi

check_checksums -6 client b3 "${BACKENDS[@]}"

xvsd_check_stop sigterm && pass sigterm
if [ "$(forwarding_of 4 eth0)$(forwarding_of 4 eth1)$(forwarding_of 6 eth0)$(forwarding_of 6 eth1)" = 0000 ]; then
	pass forwarding-restored
else
	fail forwarding-restored "$(grep forwarding "$NETNS_TMP/xvsd.log" || true)"
fi
netns_finish
