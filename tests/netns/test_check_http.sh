#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health checks http and https against real nginx servers: every backend up; nginx on b1
# stopped -> b1 down within fall x interval + timeout and traffic through the VIP avoids
# it; nginx started again -> up after rise; a wrong expected status and a missing body
# text keep their backends down.
#
#  hkPID-client  10.0.0.2 ---- hkPID-router ---- hkPID-switch br0
#   (curl to VIP:80, VIP:443)                        |
#                  +-------------------+-------------+-----+-------------------+
#                  |                   |                   |                   |
#            hkPID-lb 10.0.1.2   hkPID-b1 .11        hkPID-b2 .12        hkPID-b3 .13
#            xvsd (XDP, dr):     VIP 10.0.1.100 and fd00:1::100 on lo; nginx on *:80
#            web, web6 80,       and *:443 (TLS, self-signed), IPv4 and IPv6: / answers
#            web-tls 443;        the backend's name, /health "healthy NAME", /down 503
#            checks from .2 (and fd00:1::2 to fd00:1::11..13 for web6)
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/check_http/NAME lines, or SKIP: netns/check_http: REASON.
set -euo pipefail

NETNS_TEST=netns/check_http
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/check_lib.sh
. "$NETNS_DIR/check_lib.sh"

VIP=$LAB_VIP
REQUESTS=9

require_netns
for tool in nginx curl openssl; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh installs it)"
done
netns_begin hk
LAB_ECHO_SERVERS=0 netns_lab_up
mapfile -t ADDRESSES < <(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1=${LAB_BACKEND_ADDR[b1]}
mapfile -t ADDRESSES6 < <(addresses_of LAB_BACKEND_ADDR6 "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1_6=${LAB_BACKEND_ADDR6[b1]}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=xvs-test" \
	-keyout "$NETNS_TMP/key.pem" -out "$NETNS_TMP/cert.pem" >/dev/null 2>&1

# nginx_start NODE: nginx in hkPID-NODE, configured in $NETNS_TMP/NODE.
nginx_start() {
	local b=$1 dir=$NETNS_TMP/$1
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events {
    worker_connections 64;
}
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    default_type text/plain;
    server {
        listen 80;
        listen [::]:80;
        listen 443 ssl;
        ssl_certificate $NETNS_TMP/cert.pem;
        ssl_certificate_key $NETNS_TMP/key.pem;
        location = / { return 200 "$b"; }
        location = /health { return 200 "healthy $b"; }
        location = /down { return 503; }
    }
}
EOF
	ip netns exec "$P-$b" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
		>"$dir/stdout.log" 2>&1 </dev/null &
	server_started "$b" nginx $!
}

nginx_answers() {
	[ "$(ip netns exec "$P-lb" curl -s --max-time 1 "http://${LAB_BACKEND_ADDR[$1]}/")" = "$1" ]
}

nginx_wait() {
	wait_until 15 nginx_answers "$1" && return 0
	fail setup "nginx on $1 does not answer: $(tail -n 3 "$NETNS_TMP/$1/error.log")"
	exit 1
}

for b in "${LAB_BACKENDS[@]}"; do
	nginx_start "$b"
done
for b in "${LAB_BACKENDS[@]}"; do
	nginx_wait "$b"
done

backends=${ADDRESSES[*]}
{
	xvsd_conf_head eth0
	conf_service web "$VIP" 80 tcp dr "$backends" \
		"check http path /health body \"healthy\" $CHECK_TIMING"
	# IPv6: the Host header is [ADDRESS].
	conf_service web6 "$LAB_VIP6" 80 tcp dr "${ADDRESSES6[*]}" \
		"check http path /health body \"healthy\" $CHECK_TIMING"
	conf_service web-tls "$VIP" 443 tcp dr "$backends" \
		"check https path /health host www.example.org expect 200 $CHECK_TIMING"
	# Checked on port 80 of the same servers, but wrongly: these stay down.
	conf_service wrong-status "$VIP" 8080 tcp dr "$backends" \
		"check http port 80 path /down $CHECK_TIMING"
	conf_service wrong-body "$VIP" 8081 tcp dr "$backends" \
		"check http port 80 path /health body \"sick\" $CHECK_TIMING"
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"

check_backends_up http-up 30 web "${ADDRESSES[@]}"
check_backends_up https-up 10 web-tls "${ADDRESSES[@]}"
check_backends_up http6-up 10 web6 "${ADDRESSES6[@]}"
check_stays_down http-wrong-status 3 wrong-status status "${ADDRESSES[@]}"
check_stays_down http-wrong-body 1 wrong-body body "${ADDRESSES[@]}"

# requests URL FILE: REQUESTS new connections from the client, a line per answer.
requests() {
	local url=$1 file=$2 i answer
	: >"$file"
	for ((i = 0; i < REQUESTS; i++)); do
		answer=$(ip netns exec "$P-client" curl -sk --max-time 2 "$url" 2>&1) || true
		echo "${answer:-no answer}" | head -n 1 >>"$file"
	done
}

requests "http://$VIP/" "$NETNS_TMP/before.txt"
check_answers traffic-all "" "$NETNS_TMP/before.txt"

stop_server b1 nginx
check_transitions down "$STOPPED_MS" down "$CHECK_DOWN_BOUND_MS" "web/$B1" "web-tls/$B1" \
	"web6/$B1_6"
requests "http://$VIP/" "$NETNS_TMP/http-down.txt"
check_answers http-traffic-avoids-down "b1" "$NETNS_TMP/http-down.txt"
requests "https://$VIP/" "$NETNS_TMP/https-down.txt"
check_answers https-traffic-avoids-down "b1" "$NETNS_TMP/https-down.txt"

nginx_start b1
nginx_wait b1
STARTED_MS=$(now_ms)
check_transitions up-again "$STARTED_MS" up "$CHECK_UP_BOUND_MS" "web/$B1" "web-tls/$B1" \
	"web6/$B1_6"
requests "http://$VIP/" "$NETNS_TMP/after.txt"
check_answers traffic-back "" "$NETNS_TMP/after.txt"
check_stays_down http-still-wrong 1 wrong-status status "${ADDRESSES[@]}"

if xvsd_check_stop stop detach; then
	left=
	for b in "${LAB_BACKENDS[@]}"; do
		stop_server "$b" nginx
	done
	pass stop
fi
netns_finish
