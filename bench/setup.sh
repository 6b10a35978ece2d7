#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what bench/run.sh needs on the build machine beyond 'make setup':
# Debian's matplotlib for the plot, perf for --profile.  Idempotent.

set -euo pipefail
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	apt-get install -y --no-install-recommends python3-matplotlib
fi
if ! command -v perf >/dev/null; then
	apt-get install -y --no-install-recommends linux-perf
fi
