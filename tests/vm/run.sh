#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make test-vm: boots Debian 12's stock kernel (linux-image-amd64, 6.1: the oldest kernel
# xvs supports, with the VLAN, bonding and ipip modules this machine's kernel lacks) under
# qemu with TCG and runs tests/vm/guest_*.sh inside: the BPF fixtures, VLAN/bond/LACP
# through xvsd, tun mode decapsulated by the kernel's ipip module. The kernel package is
# fetched with apt-get download into build/vm and unpacked with dpkg-deb -x (never
# installed). Prints the guest's PASS:/FAIL: lines (prefixed vm/) and its own; fails when
# the guest fails, panics or does not finish within VM_TIMEOUT seconds.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

VM_DIR=${VM_DIR:-build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-420}
VM_MODULES="8021q bonding ipip veth bridge"
BINARIES=${VM_BINARIES:-"build/xvsd build/xvsctl $(ls build/tests/bpf/test_* 2>/dev/null | tr '\n' ' ')"}

fail() { echo "FAIL: vm/$1: $2"; exit 1; }

for tool in qemu-system-x86_64 busybox dpkg-deb apt-get modinfo timeout; do
	command -v "$tool" >/dev/null || fail setup "$tool is not installed (scripts/deps.sh)"
done
for bin in $BINARIES; do
	[ -x "$bin" ] || fail setup "$bin is not built (make test-build)"
done
mkdir -p "$VM_DIR"

# The kernel: the package linux-image-amd64 depends on now, downloaded once.
kernel_fetch() {
	local package deb
	package=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	deb=$(ls "$VM_DIR"/"${package:-none}"_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		deb=$(ls "$VM_DIR"/linux-image-[0-9]*-amd64_*.deb 2>/dev/null | head -n 1)
		if [ -z "$package" ] && [ -z "$deb" ]; then
			fail kernel "apt-cache knows no linux-image-amd64 (apt-get update?)"
		fi
		if [ -n "$package" ]; then
			(cd "$VM_DIR" && apt-get download -q "$package" >download.log 2>&1) ||
				fail kernel "apt-get download $package: $(tail -n 2 "$VM_DIR/download.log")"
			deb=$(ls "$VM_DIR"/"$package"_*.deb | head -n 1)
		fi
	fi
	if [ ! -f "$VM_DIR/kernel/.unpacked-$(basename "$deb")" ]; then
		rm -rf "$VM_DIR/kernel"
		dpkg-deb -x "$deb" "$VM_DIR/kernel" || fail kernel "dpkg-deb -x $deb"
		touch "$VM_DIR/kernel/.unpacked-$(basename "$deb")"
	fi
	KERNEL=$(ls "$VM_DIR"/kernel/boot/vmlinuz-* | head -n 1)
	KVER=${KERNEL##*/vmlinuz-}
}

# module NAME: the path of NAME.ko (decompressed into the initramfs if .ko.xz/.zst).
module_path() {
	find "$VM_DIR/kernel/lib/modules/$KVER" -name "$1.ko*" | head -n 1
}

# Every module with its dependencies first, once each (modules.dep is not in the .deb:
# depends= of modinfo).
MODULE_ORDER=()
module_add() {
	local name=$1 path dep
	for dep in "${MODULE_ORDER[@]}"; do [ "$dep" = "$name" ] && return 0; done
	path=$(module_path "$name")
	[ -n "$path" ] || fail initramfs "module $name is not in the kernel package"
	for dep in $(modinfo -F depends "$path" | tr ',' ' '); do
		module_add "$dep"
	done
	MODULE_ORDER+=("$name")
}

# copy_binary PATH: PATH and the shared libraries ldd finds, at their paths.
copy_binary() {
	local lib
	mkdir -p "$ROOT/$(dirname "$1")"
	cp -L "$1" "$ROOT/$1"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$ROOT/$lib" ] && continue
		mkdir -p "$ROOT/$(dirname "$lib")"
		cp -L "$lib" "$ROOT/$lib"
	done
}

initramfs_build() {
	local name path tool
	ROOT=$VM_DIR/root
	rm -rf "$ROOT"
	mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,modules,tests}
	cp "$(command -v busybox)" "$ROOT/bin/busybox"
	# bash as /bin/sh: busybox's sh runs its own ip applet even where PATH names
	# iproute2's, also for the fixtures' system().
	for tool in bash ip ethtool socat; do
		copy_binary "$(command -v "$tool")"
	done
	for path in $BINARIES; do
		copy_binary "$path"
	done
	for name in $VM_MODULES; do
		module_add "$name"
	done
	for name in "${MODULE_ORDER[@]}"; do
		path=$(module_path "$name")
		case $path in
		*.xz) xz -dc "$path" >"$ROOT/modules/$name.ko" ;;
		*.zst) zstd -qdc "$path" >"$ROOT/modules/$name.ko" ;;
		*) cp "$path" "$ROOT/modules/$name.ko" ;;
		esac
	done
	printf '%s\n' "${MODULE_ORDER[@]}" >"$ROOT/modules/order"
	cp tests/vm/init "$ROOT/init"
	cp tests/vm/guest_*.sh "$ROOT/tests/"
	chmod +x "$ROOT/init"
	echo "root:x:0:0:root:/:/bin/sh" >"$ROOT/etc/passwd"
	# Uncompressed: the kernel unpacks it faster than it would decompress it under TCG.
	(cd "$ROOT" && find . | busybox cpio -o -H newc 2>/dev/null) >"$VM_DIR/initramfs.cpio" ||
		fail initramfs "cpio"
}

kernel_fetch
initramfs_build
console=$VM_DIR/console.log
start=$(date +%s.%N)
timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -nographic -no-reboot -m 1G -smp 2 \
	-nic none -kernel "$KERNEL" -initrd "$VM_DIR/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3" </dev/null >"$console" 2>&1
status=$?
seconds=$(awk -v start="$start" -v end="$(date +%s.%N)" 'BEGIN { printf "%.1f", end - start }')
tr -d '\r' <"$console" | grep -E '^(PASS|FAIL|SKIP): ' | sed -E 's/^(PASS|FAIL|SKIP): /\1: vm\//'
boot=$(tr -d '\r' <"$console" | sed -n 's/.*VM-UP \([0-9.]*\).*/\1/p')
if [ "$status" = 124 ]; then
	echo "FAIL: vm/finished: no end within $VM_TIMEOUT s (console: $console)"
	tail -n 20 "$console" | sed 's/^/    /'
	exit 1
fi
# grep reads the file itself: with pipefail, "tr | grep -q" can fail on tr's
# SIGPIPE when grep leaves at the first match. Lines end in \r, which no
# pattern here anchors on.
if grep -q 'Kernel panic' "$console"; then
	echo "FAIL: vm/finished: kernel panic (console: $console)"
	tr -d '\r' <"$console" | grep -A 12 'Kernel panic' | sed 's/^/    /'
	exit 1
fi
if ! grep -q '^VM-END' "$console"; then
	echo "FAIL: vm/finished: qemu exited ($status) before the guest's end (console: $console)"
	tail -n 20 "$console" | sed 's/^/    /'
	exit 1
fi
echo "PASS: vm/finished: kernel $KVER under TCG, init after ${boot:-?} s of guest time, $seconds s in all"
! grep -q '^FAIL: ' "$console"
