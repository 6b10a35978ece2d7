# SPDX-License-Identifier: GPL-2.0
#
# Tier-0 unit tests, built and run on the build machine: the test guest's
# own ring code, and the core's pure .c files (ring index math, message
# validation) compiled in userspace from the module's sources.

UNIT_TESTS := guest_ring_test ring_check_test post_check_test
UNIT_BINS := $(addprefix $(OUT)/unit/,$(UNIT_TESTS))
CORE := $(TOP)/vmbus_host
HCALL := $(TOP)/hypercall

$(OUT)/unit/guest_ring_test: unit/guest_ring_test.c lib/ring.c lib/ring.h | $(OUT)/unit
	$(CC) $(CFLAGS) -o $@ unit/guest_ring_test.c lib/ring.c $(LDLIBS)

$(OUT)/unit/ring_check_test: unit/ring_check_test.c $(CORE)/ring_check.c \
		$(CORE)/ring_check.h $(LIB_HDRS) | $(OUT)/unit
	$(CC) $(CFLAGS) -I$(CORE) -o $@ unit/ring_check_test.c \
		$(CORE)/ring_check.c $(LDLIBS)

$(OUT)/unit/post_check_test: unit/post_check_test.c $(HCALL)/post_check.c \
		$(HCALL)/post_check.h $(LIB_HDRS) | $(OUT)/unit
	$(CC) $(CFLAGS) -I$(HCALL) -o $@ unit/post_check_test.c \
		$(HCALL)/post_check.c $(LDLIBS)

unit: harness-check $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do ./$$t || rc=1; done; exit $$rc
