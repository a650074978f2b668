#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs every Debian 12 package that building, the demo and the tests need.
# Idempotent and quiet: does nothing when everything is already installed.
set -euo pipefail

packages=(
    # build
    make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev
    libmnl-dev libjson-c-dev libmicrohttpd-dev libcurl4-openssl-dev libsystemd-dev
    pkg-config libclang-rt-14-dev
    # lab, demo and tests
    iproute2 ethtool tcpdump socat python3 python3-scapy procps kmod iputils-ping
    # benchmarks (bench/): the nftables paths compared against, plots, profiling
    nftables nftlb gnuplot-nox linux-perf
    # tests/netns/test_mixed.sh: a real HTTP server, DNS server and clients
    nginx dnsmasq-base bind9-dnsutils curl
    # tests/netns/test_sip.sh: SIP calls from a real user agent (sipp)
    sip-tester
    # health checks: libssl for https (health_socket.c), libcrypto for RADIUS MD5/HMAC
    libssl-dev
    # tests/netns/test_check_*.sh: real RADIUS and SIP servers and a RADIUS client
    freeradius freeradius-utils kamailio
    # tests/netns/test_vrrp_keepalived.sh: keepalived as the VRRP peer (v2 and v3)
    keepalived
    # make test-vm (tests/vm/run.sh): Debian 12's kernel under qemu (TCG), busybox for
    # its initramfs (the kernel package is fetched with apt-get download, never installed)
    qemu-system-x86 busybox-static
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "deps.sh: installing ${missing[*]}"
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
