# SPDX-License-Identifier: GPL-2.0
#
# vmbus-host out-of-tree build, after WireGuard's compat Makefile.
#
#   make            build the four modules against KDIR
#   make check      W=1, sparse, checkpatch --strict, kernel-doc, 6.1 build
#   make test       every test tier that fits CI (sets up what it needs)
#   make run        boot the test VM and show the modules serving a guest
#   make setup      install build tools, kernels, QEMU (idempotent)
#   make install    install the modules into /lib/modules/$(KERNELRELEASE)
#   make clean

VMBH_CACHE ?= /var/cache/vmbus-host
-include $(VMBH_CACHE)/kernel.env

PWD := $(CURDIR)
KERNELRELEASE ?= $(shell uname -r)
# The running kernel's build dir when it has one, else the 6.12 headers
# that "make setup" unpacked.
KDIR ?= $(firstword $(wildcard /lib/modules/$(KERNELRELEASE)/build) $(VMBH_KDIR))
KSRC ?= $(VMBH_KSRC)
MODULES := hypercall/vmbh_hypercall.ko vmbus_host/vmbus_host.ko \
	   synth_storvsc_be/vmbh_storvsp.ko synth_netvsc_be/vmbh_netvsp.ko
SOURCES := $(shell git -C $(PWD) ls-files -co --exclude-standard \
	     '*.c' '*.h' 2>/dev/null | grep -v '^qemu/')

all: module

module: kdir-check
	@$(MAKE) -C $(KDIR) M=$(PWD) modules

kdir-check:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
		echo "No kernel build dir (KDIR='$(KDIR)'): run 'make setup' or pass KDIR=" >&2; \
		exit 1; }

setup:
	@bash tools/setup.sh

# Each checker's output is kept; any warning or error fails the target.
check: setup
	@bash tools/check.sh

test: setup
	@bash tools/test.sh

run: setup
	@bash tools/run.sh

module-install: kdir-check
	@$(MAKE) -C $(KDIR) M=$(PWD) modules_install
install: module-install
	@depmod -a $(KERNELRELEASE)

clean:
	@$(MAKE) -C $(or $(KDIR),/nonexistent) M=$(PWD) clean 2>/dev/null || true
	@$(MAKE) -C selftests clean >/dev/null 2>&1 || true
	@rm -rf .build

.PHONY: all module kdir-check setup check test run module-install install clean
