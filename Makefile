# SPDX-License-Identifier: GPL-2.0-only
# Builds xvs: the XDP data plane (BPF objects embedded as libbpf skeletons),
# the daemon build/xvsd, the CLI build/xvsctl, and the tests.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wno-unused-parameter
CFLAGS ?= -O2 -g
CPPFLAGS += -Iinclude -Ilib -I$(BUILD)/bpf -D_GNU_SOURCE -DXVS_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 $(WARNINGS) -Werror $(CFLAGS)
LDLIBS_XVSD := -lbpf -lelf -lz -lmnl -ljson-c -lmicrohttpd -lsystemd -lssl -lcrypto
LDLIBS_XVSCTL := -lcurl -ljson-c -lbpf -lelf -lz -lmnl

# Sanitizer build for the tests: the same sources, ASan + UBSan.
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -Ibpf -I/usr/include/$(MULTIARCH)

BPF_PROGS := xvs_lb xvs_pass xvs_decap
BPF_OBJS := $(BPF_PROGS:%=$(BUILD)/bpf/%.bpf.o)
BPF_SKELS := $(BPF_PROGS:%=$(BUILD)/bpf/%.skel.h)
BPF_HEADERS := $(wildcard bpf/*.h) include/xvs/xvs.h

LIB_SRCS := $(wildcard lib/*.c)
XVSD_SRCS := $(wildcard xvsd/*.c)
XVSCTL_SRCS := $(wildcard xvsctl/*.c)
HEADERS := $(wildcard include/xvs/*.h lib/*.h xvsd/*.h xvsctl/*.h)

# The daemon's sources minus main.c, linked into tests that need them.
XVSD_LIB_SRCS := $(filter-out xvsd/main.c,$(XVSD_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
BPF_TEST_SRCS := $(wildcard tests/bpf/test_*.c)
BPF_TEST_BINS := $(BPF_TEST_SRCS:tests/bpf/%.c=$(BUILD)/tests/bpf/%)

.PHONY: all install uninstall test test-build test-vm demo bench clean deps check-deps
all: $(BUILD)/xvsd $(BUILD)/xvsctl

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HEADERS)
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)llvm-strip -g $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Regular objects.
$(BUILD)/obj/%.o: %.c $(HEADERS) $(BPF_SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ixvsd $(ALL_CFLAGS) -c $< -o $@

# Sanitizer objects.
$(BUILD)/san/obj/%.o: %.c $(HEADERS) $(BPF_SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ixvsd -Itests/unit $(ALL_CFLAGS) $(SAN_CFLAGS) -c $< -o $@

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_SAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/obj/%.o)

$(BUILD)/xvsd: $(XVSD_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB_OBJS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS_XVSD)

$(BUILD)/xvsctl: $(XVSCTL_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB_OBJS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS_XVSCTL)

$(BUILD)/san/xvsd: $(XVSD_SRCS:%.c=$(BUILD)/san/obj/%.o) $(LIB_SAN_OBJS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_CFLAGS) $^ -o $@ $(LDLIBS_XVSD)

$(BUILD)/san/xvsctl: $(XVSCTL_SRCS:%.c=$(BUILD)/san/obj/%.o) $(LIB_SAN_OBJS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_CFLAGS) $^ -o $@ $(LDLIBS_XVSCTL)

# Unit tests: sanitizer build, linked with the library and the daemon's
# sources other than main.c.
$(BUILD)/tests/unit/%: $(BUILD)/san/obj/tests/unit/%.o $(XVSD_LIB_SRCS:%.c=$(BUILD)/san/obj/%.o) $(LIB_SAN_OBJS)
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_CFLAGS) $^ -o $@ $(LDLIBS_XVSD)

# BPF_PROG_TEST_RUN fixtures: same, they fill maps through the daemon's code.
$(BUILD)/tests/bpf/%: $(BUILD)/san/obj/tests/bpf/%.o $(XVSD_LIB_SRCS:%.c=$(BUILD)/san/obj/%.o) $(LIB_SAN_OBJS)
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_CFLAGS) $^ -o $@ $(LDLIBS_XVSD)

# libFuzzer harnesses (clang): the parser sources with the fuzzer runtime.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 $(WARNINGS) -Werror
CONFIG_SRCS := $(wildcard xvsd/config*.c) lib/addr.c lib/log.c
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(CONFIG_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) -Ixvsd $(FUZZ_CFLAGS) tests/fuzz/fuzz_config.c $(CONFIG_SRCS) -o $@
API_FUZZ_SRCS := xvsd/api_request.c lib/addr.c
$(BUILD)/fuzz/fuzz_api: tests/fuzz/fuzz_api.c $(API_FUZZ_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) -Ixvsd $(FUZZ_CFLAGS) tests/fuzz/fuzz_api.c $(API_FUZZ_SRCS) -o $@ -ljson-c
# The health-check protocols: request builders and reply judges only.
CHECK_FUZZ_SRCS := xvsd/check.c xvsd/check_text.c xvsd/check_http.c xvsd/check_dns.c \
	xvsd/check_sip.c xvsd/check_radius.c xvsd/check_tcp.c xvsd/check_udp.c lib/addr.c lib/log.c
$(BUILD)/fuzz/fuzz_check: tests/fuzz/fuzz_check.c $(CHECK_FUZZ_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) -Ixvsd $(FUZZ_CFLAGS) tests/fuzz/fuzz_check.c $(CHECK_FUZZ_SRCS) -o $@ -lcrypto
VRRP_FUZZ_SRCS := xvsd/vrrp_packet.c lib/addr.c
$(BUILD)/fuzz/fuzz_vrrp: tests/fuzz/fuzz_vrrp.c $(VRRP_FUZZ_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) -Ixvsd $(FUZZ_CFLAGS) tests/fuzz/fuzz_vrrp.c $(VRRP_FUZZ_SRCS) -o $@
FUZZ_BINS := $(BUILD)/fuzz/fuzz_config $(BUILD)/fuzz/fuzz_api $(BUILD)/fuzz/fuzz_check \
	$(BUILD)/fuzz/fuzz_vrrp

deps:
	bash scripts/deps.sh

test-build: all $(BUILD)/san/xvsd $(BUILD)/san/xvsctl $(UNIT_BINS) $(BPF_TEST_BINS) $(BPF_OBJS) \
	$(BUILD)/bench/xdpload \
	$(FUZZ_BINS)

test: deps
	$(MAKE) --no-print-directory test-build
	bash tests/run.sh

# Debian 12's stock kernel (6.1) under qemu: BPF fixtures, VLAN/bond/LACP, ipip (tests/vm/).
test-vm: deps
	$(MAKE) --no-print-directory test-build
	bash tests/vm/run.sh

demo: deps
	$(MAKE) --no-print-directory all $(BPF_OBJS)
	bash scripts/demo.sh

bench: deps
	$(MAKE) all
	@if [ -x bench/run.sh ]; then bash bench/run.sh; else echo "bench: not built yet (issue 9)"; fi

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/xvsd $(DESTDIR)$(PREFIX)/sbin/xvsd
	install -m 0755 $(BUILD)/xvsctl $(DESTDIR)$(PREFIX)/bin/xvsctl
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/sbin|$(PREFIX)/sbin|g' systemd/xvsd.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/xvsd.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/xvsd $(DESTDIR)$(PREFIX)/bin/xvsctl
	rm -f $(DESTDIR)$(PREFIX)/share/man/man5/xvs.conf.5
	rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/xvsd.service
	rm -f $(DESTDIR)$(PREFIX)/share/man/man8/xvsd.8 $(DESTDIR)$(PREFIX)/share/man/man8/xvsctl.8

clean:
	rm -rf $(BUILD)

.SECONDARY:

# Benchmark binaries (bench/, run by `make bench` through bench/run.sh): the packet
# generator, the request/response pair, the XDP helper and the sink and forwarder.
BENCH_BINS := $(BUILD)/bench/gen $(BUILD)/bench/pingpong $(BUILD)/bench/xdpload
BENCH_BPF := $(BUILD)/bench/sink.bpf.o $(BUILD)/bench/fwd.bpf.o
.PHONY: bench-build
bench-build: $(BENCH_BINS) $(BENCH_BPF)

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c bench/bench.h
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@

$(BUILD)/bench/gen: bench/gen.c bench/netdev.h
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ibench $(ALL_CFLAGS) $< -o $@ -lpthread

$(BUILD)/bench/pingpong: bench/pingpong.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $< -o $@

$(BUILD)/bench/xdpload: bench/xdpload.c bench/bench.h bench/netdev.h lib/mapenc.c lib/addr.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) -Ibench $(ALL_CFLAGS) bench/xdpload.c lib/mapenc.c lib/addr.c -o $@ -lbpf -lelf -lz
