#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Health check radius (Status-Server, RFC 5997) against real FreeRADIUS servers, on the
# authentication (1812) and accounting (1813) ports: every backend up; FreeRADIUS on b1
# stopped -> b1 down within fall x interval + timeout and radclient requests to the VIP
# avoid it; FreeRADIUS started again -> up after rise; a wrong shared secret keeps its
# backends down.
#
#  hkPID-client  10.0.0.2 ---- hkPID-router ---- hkPID-switch br0
#   (radclient to VIP:1812)                          |
#                  +-------------------+-------------+-----+-------------------+
#                  |                   |                   |                   |
#            hkPID-lb 10.0.1.2   hkPID-b1 .11        hkPID-b2 .12        hkPID-b3 .13
#            xvsd (XDP, dr):     VIP 10.0.1.100 on lo; FreeRADIUS (a copy of the Debian
#            radius-auth 1812,   configuration) on *:1812 and *:1813, clients 10.0.0.0/8
#            radius-acct 1813    with secret testing123; Status-Server is answered with
#            checks from .2      Reply-Message = the backend's name
#
# Run as root from the repo root; XVSD and XVSCTL override the binaries.
# Prints PASS:/FAIL: netns/check_radius/NAME lines, or SKIP: netns/check_radius: REASON.
set -euo pipefail

NETNS_TEST=netns/check_radius
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/netns/check_lib.sh
. "$NETNS_DIR/check_lib.sh"

VIP=$LAB_VIP
REQUESTS=9
SECRET=testing123
RADDB=/etc/freeradius/3.0

require_netns
for tool in freeradius radclient; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh installs it)"
done
[ -f "$RADDB/radiusd.conf" ] || skip "$RADDB/radiusd.conf is missing"
netns_begin hk
LAB_ECHO_SERVERS=0 netns_lab_up
mapfile -t ADDRESSES < <(addresses_of LAB_BACKEND_ADDR "${LAB_BACKENDS[@]}" | tr ' ' '\n')
B1=${LAB_BACKEND_ADDR[b1]}

# raddb_make NODE: $NETNS_TMP/NODE/raddb, a copy of the Debian configuration that runs as
# root, keeps its pid file and logs in $NETNS_TMP/NODE, knows the lab as one client, and
# answers Status-Server with the node's name.
raddb_make() {
	local b=$1 dir=$NETNS_TMP/$1
	mkdir -p "$dir"
	cp -R "$RADDB" "$dir/raddb"
	printf 'client lab {\n\tipaddr = 10.0.0.0/8\n\tsecret = %s\n}\n' "$SECRET" \
		>"$dir/raddb/clients.conf"
	python3 - "$dir" "$b" <<'EOF_PY'
import re, sys
directory, name = sys.argv[1], sys.argv[2]
path = directory + "/raddb/radiusd.conf"
text = open(path).read()
text = re.sub(r"(?m)^(\s*)(user|group) = freerad", r"\1#\2 = freerad", text)
text = re.sub(r"(?m)^pidfile = .*", "pidfile = %s/radiusd.pid" % directory, text)
text = re.sub(r"(?m)^logdir = .*", "logdir = %s" % directory, text)
open(path, "w").write(text)
path = directory + "/raddb/sites-available/default"
text = open(path).read()
status = "#\tAutz-Type Status-Server {\n#\n#\t}\n"
if status not in text:
    sys.exit("no Autz-Type Status-Server stanza in " + path)
text = text.replace(status, "\tAutz-Type Status-Server {\n\t\tupdate reply {\n"
                    "\t\t\t&Reply-Message := \"%s\"\n\t\t}\n\t\tok\n\t}\n" % name)
open(path, "w").write(text)
EOF_PY
}

freeradius_start() {
	local b=$1 dir=$NETNS_TMP/$1
	ip netns exec "$P-$b" freeradius -f -l stdout -d "$dir/raddb" >"$dir/radius.log" 2>&1 </dev/null &
	server_started "$b" freeradius $!
}

# status NS ADDRESS [COUNT] [SECRET]: COUNT Status-Server requests with radclient, each
# its own process (a new source port); prints each reply's Reply-Message, or the error.
status() {
	local ns=$1 address=$2 count=${3:-1} secret=${4:-$SECRET} i out
	for ((i = 0; i < count; i++)); do
		out=$(echo "Message-Authenticator = 0x00" |
			ip netns exec "$ns" radclient -r 1 -t 1 -x "$address:1812" status "$secret" 2>&1) || true
		if [[ $out =~ Reply-Message\ =\ \"([a-z0-9]+)\" ]]; then
			echo "${BASH_REMATCH[1]}"
		else
			echo "no answer: $(echo "$out" | tail -n 1)"
		fi
	done
}

freeradius_answers() { [ "$(status "$P-lb" "${LAB_BACKEND_ADDR[$1]}")" = "$1" ]; }

freeradius_wait() {
	wait_until 20 freeradius_answers "$1" && return 0
	fail setup "freeradius on $1 does not answer: $(tail -n 3 "$NETNS_TMP/$1/radius.log")"
	exit 1
}

for b in "${LAB_BACKENDS[@]}"; do
	raddb_make "$b"
	freeradius_start "$b"
done
for b in "${LAB_BACKENDS[@]}"; do
	freeradius_wait "$b"
done

backends=${ADDRESSES[*]}
{
	xvsd_conf_head eth0
	conf_service radius-auth "$VIP" 1812 udp dr "$backends" \
		"check radius secret \"$SECRET\" $CHECK_TIMING"
	conf_service radius-acct "$VIP" 1813 udp dr "$backends" \
		"check radius secret \"$SECRET\" $CHECK_TIMING"
	# The servers drop requests signed with another secret: these stay down.
	conf_service radius-wrong-secret "$VIP" 1814 udp dr "$backends" \
		"check radius port 1812 secret \"not-$SECRET\" $CHECK_TIMING"
} >"$NETNS_TMP/xvs.conf"
xvsd_start "$P" "$NETNS_TMP/xvs.conf" "$NETNS_TMP/xvsd.log"

check_backends_up radius-auth-up 30 radius-auth "${ADDRESSES[@]}"
check_backends_up radius-acct-up 10 radius-acct "${ADDRESSES[@]}"
check_stays_down radius-wrong-secret 3 radius-wrong-secret timeout "${ADDRESSES[@]}"

status "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/before.txt"
check_answers traffic-all "" "$NETNS_TMP/before.txt"

stop_server b1 freeradius
check_transitions down "$STOPPED_MS" down "$CHECK_DOWN_BOUND_MS" "radius-auth/$B1" "radius-acct/$B1"
status "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/down.txt"
check_answers traffic-avoids-down "b1" "$NETNS_TMP/down.txt"

freeradius_start b1
freeradius_wait b1
STARTED_MS=$(now_ms)
check_transitions up-again "$STARTED_MS" up "$CHECK_UP_BOUND_MS" "radius-auth/$B1" "radius-acct/$B1"
status "$P-client" "$VIP" "$REQUESTS" >"$NETNS_TMP/after.txt"
check_answers traffic-back "" "$NETNS_TMP/after.txt"

if xvsd_check_stop stop detach; then
	for b in "${LAB_BACKENDS[@]}"; do
		stop_server "$b" freeradius
	done
	pass stop
fi
netns_finish
