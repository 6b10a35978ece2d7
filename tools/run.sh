#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: the main job, for a newcomer.  Builds the modules, boots the
# test VM (TCG, with KVM inside it), loads the four modules there, shows
# /dev/vmbus-host, and boots an L2 Linux guest with Hyper-V enlightenments
# whose own VMBus driver connects.  Prints what it set up and what the
# guest saw, then exits.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s module >/dev/null

pre='set -e
echo "run: L1 kernel $(uname -r), /dev/kvm: $(ls /dev/kvm)"
tools/testing/load-modules.sh
echo "run: loaded $(grep -oE "^(vmbh_[a-z]+|vmbus_host)" /proc/modules | tr "\n" " ")"
echo "run: $(ls -l /dev/vmbus-host)"
echo "run: starting the L2 Hyper-V guest"'

tools/testing/nested.sh --pre "$pre" --test vmbus-info -- -device vmbus-bridge
