#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Mixed L4/L7 on one VIP: the balancer holds the VIP and serves HTTP on VIP:80 itself
# (nginx in its namespace, reached through XDP_PASS) while VIP:53/udp is balanced in XDP
# (mode dr, rr) to three backends running dnsmasq, each answering TXT who.lab with its name.
#
#  xmPID-client   10.0.0.2 ---- xmPID-router 10.0.0.1 | 10.0.1.1
#   (curl, dig,                  route 10.0.1.100/32 via 10.0.1.2
#    capture requests)                 |
#                          xmPID-switch br0 ------+---------------+---------------+
#                                |                |               |               |
#                          xmPID-lb 10.0.1.2   xmPID-b1 .11    xmPID-b2 .12    xmPID-b3 .13
#                          VIP 10.0.1.100 on lo VIP 10.0.1.100 on lo, dnsmasq on VIP:53
#                          xvsd (XDP, udp/53),  (TXT who.lab = b1 | b2 | b3)
#                          nginx on VIP:80 ("lb-l7")
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/mixed/NAME lines, or SKIP: netns/mixed: REASON.
set -euo pipefail

NETNS_TEST=netns/mixed
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=$LAB_VIP
HTTP_REQUESTS=30
DNS_QUERIES=12
MARKER_PORT=9
BODY=lb-l7

require_netns
for tool in nginx dnsmasq dig curl; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh installs it)"
done
netns_begin xm
# Pid files named NODE-WHAT.pid in the lab state: lab_down stops what the test cannot.
STATE=$(lab_state_dir "$P")

# dnsmasq takes the backends' VIP:53, so no echo servers.
LAB_ECHO_SERVERS=0 netns_lab_up
# The VIP on the balancer too: the ports xvsd has no service for reach its own kernel.
ip -n "$P-lb" addr add "$VIP/32" dev lo

# --- the backends' DNS servers
for b in "${LAB_BACKENDS[@]}"; do
	ip netns exec "$P-$b" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address="$VIP" --port=53 \
		--txt-record="who.lab,$b" --pid-file="$STATE/$b-dnsmasq.pid" --user=root \
		--group=root --log-facility=- >"$NETNS_TMP/$b-dnsmasq.log" 2>&1 </dev/null &
done
dns_answers() { [ "$(ip netns exec "$P-$1" dig +short +time=1 +tries=1 TXT who.lab "@$VIP" 2>/dev/null)" = "\"$1\"" ]; }
for b in "${LAB_BACKENDS[@]}"; do
	if ! wait_until 15 dns_answers "$b"; then
		fail setup "dnsmasq on $b does not answer: $(tail -n 3 "$NETNS_TMP/$b-dnsmasq.log")"
		exit 1
	fi
done

# --- the balancer's own HTTP server
mkdir -p "$NETNS_TMP/nginx"
cat >"$NETNS_TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $STATE/lb-nginx.pid;
error_log $NETNS_TMP/nginx/error.log;
events {
    worker_connections 64;
}
http {
    access_log $NETNS_TMP/nginx/access.log;
    client_body_temp_path $NETNS_TMP/nginx/body;
    proxy_temp_path $NETNS_TMP/nginx/proxy;
    fastcgi_temp_path $NETNS_TMP/nginx/fastcgi;
    uwsgi_temp_path $NETNS_TMP/nginx/uwsgi;
    scgi_temp_path $NETNS_TMP/nginx/scgi;
    server {
        listen $VIP:80;
        location / {
            default_type text/plain;
            return 200 "$BODY";
        }
    }
}
EOF
ip netns exec "$P-lb" nginx -p "$NETNS_TMP/nginx" -e "$NETNS_TMP/nginx/error.log" \
	-c "$NETNS_TMP/nginx/nginx.conf" >"$NETNS_TMP/nginx/stdout.log" 2>&1 </dev/null &
NGINX_PID=$!
http_answers() { [ "$(ip netns exec "$P-lb" curl -s --max-time 1 "http://$VIP/")" = "$BODY" ]; }
if ! wait_until 15 http_answers; then
	fail setup "nginx does not answer: $(tail -n 3 "$NETNS_TMP/nginx/error.log" "$NETNS_TMP/nginx/stdout.log")"
	exit 1
fi

# --- xvsd: only the DNS service; VIP:80 has no service, so XDP passes it to the kernel.
{
	xvsd_conf_head eth0
	conf_service dns "$VIP" 53 udp dr "$(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")"
} >"$NETNS_TMP/xvs.conf"
xvsd_up 30

# passes.no_service from GET /api/v1/status, or nothing when absent.
no_service_passes() {
	curl -s --max-time 5 --unix-socket "$SOCK" http://xvsd/api/v1/status |
		python3 -c '
import json, sys
value = json.load(sys.stdin).get("passes", {}).get("no_service")
if isinstance(value, int):
    print(value)'
}
passes_before=$(no_service_passes || true)

capture_must_start client "$P-client" eth0 ip and dst host "$VIP"

# --- L7: the balancer's nginx, through XDP_PASS
http_ok=0 http_bad=
for ((i = 0; i < HTTP_REQUESTS; i++)); do
	body=$(ip netns exec "$P-client" curl -s --max-time 2 "http://$VIP/") || true
	if [ "$body" = "$BODY" ]; then
		http_ok=$((http_ok + 1))
	elif [ -z "$http_bad" ]; then
		http_bad="request $i: got '${body:0:60}'"
	fi
done
if [ "$http_ok" = "$HTTP_REQUESTS" ]; then
	pass http-local
else
	fail http-local "$http_ok/$HTTP_REQUESTS answered '$BODY'; first bad: $http_bad"
fi

# --- L4: DNS balanced in XDP. Each query from its own source port (a fresh flow), chosen
# upwards from a random base so that no flow repeats one the balancer may remember.
port=$((20000 + RANDOM % 9000))
: >"$NETNS_TMP/dig.txt"
for ((i = 0; i < DNS_QUERIES; i++)); do
	answer=$(ip netns exec "$P-client" dig +short +time=1 +tries=1 -b "0.0.0.0#$((port + i))" \
		TXT who.lab "@$VIP" 2>&1) || true
	printf '%d\t%s\n' "$((port + i))" "$(echo "$answer" | tr '\n' ' ')" >>"$NETNS_TMP/dig.txt"
done
# As client.py would print it, for verify.py: {"udp": [{"sport", "backend", "error"}...]}.
python3 - "$NETNS_TMP/dig.txt" >"$NETNS_TMP/dig.json" <<'EOF_PY'
import json, re, sys
requests = []
for line in open(sys.argv[1]):
    port, _, answer = line.rstrip("\n").partition("\t")
    name = answer.strip().strip('"')
    ok = re.fullmatch(r"b[0-9]+", name) is not None
    requests.append({"sport": int(port), "backend": name if ok else None,
                     "error": None if ok else f"dig: {answer.strip()[:80]}"})
json.dump({"udp": requests, "udp_flow": [], "tcp": []}, sys.stdout)
EOF_PY

# Flush the capture with a marker (the balancer's kernel receives it, being the VIP).
send_marker "$P-client" "$VIP" "$MARKER_PORT"
capture_stop_marked client "$MARKER_PORT"

xvsd_save_list
passes_after=$(no_service_passes || true)

check dns-rr rr udp "$NETNS_TMP/dig.json" "${LAB_BACKENDS[@]}"

mapfile -t addresses < <(pairs_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}")
if xvsd_list_saved dns-counters; then
	check dns-counters counters "$NETNS_TMP/dig.json" "$NETNS_TMP/client.pcap" \
		"$NETNS_TMP/list.json" "$VIP" "dns:udp:53" "${addresses[@]}"
fi

# Every HTTP connection brings at least SYN, the request and FIN through XDP_PASS.
if [ -z "$passes_before" ] || [ -z "$passes_after" ]; then
	fail passes-no-service "GET /api/v1/status has no passes.no_service"
elif [ $((passes_after - passes_before)) -lt $((3 * HTTP_REQUESTS)) ]; then
	fail passes-no-service "passes.no_service moved by $((passes_after - passes_before)), \
expected at least $((3 * HTTP_REQUESTS)) for $HTTP_REQUESTS HTTP connections"
else
	pass passes-no-service
fi

check_checksums "${LAB_BACKENDS[@]}" lb client

# --- clean stop: xvsd first (XDP detached), then the servers, each by its own pid.
if xvsd_check_stop stop detach; then
	left=
	lab_stop_pid "$P-lb" "$(cat "$STATE/lb-nginx.pid" 2>/dev/null || true)"
	wait "$NGINX_PID" 2>/dev/null || true
	pid_alive "$NGINX_PID" && left+="nginx "
	left+=$(stop_backend_servers dnsmasq dnsmasq)
	if [ -n "$left" ]; then
		fail stop "still running: $left"
	else
		pass stop
	fi
fi
netns_finish
