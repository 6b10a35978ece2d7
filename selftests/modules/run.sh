#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run in the test VM: the module lifecycle tests (they load and unload the
# modules themselves).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# The kernel's own modules ours depend on (target core, tun, tap).
"$top/tools/testing/load-modules.sh" --deps-only "$top" || exit 1
VMBH_TOP=$top exec "$top/selftests/modules/out/modules_test"
