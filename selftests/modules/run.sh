#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run in the test VM: the module lifecycle tests (they load and unload the
# modules themselves).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
VMBH_TOP=$top exec "$top/selftests/modules/out/modules_test"
