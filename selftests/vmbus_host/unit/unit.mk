# SPDX-License-Identifier: GPL-2.0
#
# Tier-0 unit tests, built and run on the build machine: the test guest's
# own ring code, and the core's pure .c files (ring index math, message
# validation) compiled in userspace.

UNIT_TESTS := guest_ring_test
UNIT_BINS := $(addprefix $(OUT)/unit/,$(UNIT_TESTS))

$(OUT)/unit/guest_ring_test: unit/guest_ring_test.c lib/ring.c lib/ring.h | $(OUT)/unit
	$(CC) $(CFLAGS) -o $@ unit/guest_ring_test.c lib/ring.c $(LDLIBS)

unit: harness-check $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do ./$$t || rc=1; done; exit $$rc
