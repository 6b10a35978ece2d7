# SPDX-License-Identifier: GPL-2.0
# Shared by qemu/test-smoke.sh and qemu/test-nested.sh.  Sourced, not run.

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
not_ok() { fail=$((fail + 1)); echo "FAIL $*"; }

# verdict NAME WANT(0|fail) REGEX STATUS OUTPUT
# Passes when QEMU's exit STATUS is what was wanted (an error exit is
# non-zero and below 124, the codes of timeout(1) and of signals) and its
# OUTPUT matches REGEX (grep -E); otherwise shows the output.
verdict() {
	local name=$1 want=$2 regex=$3 rc=$4 out=$5

	if [ "$rc" = 124 ]; then
		not_ok "$name: timed out"
	elif [ "$want" = 0 ] && [ "$rc" != 0 ]; then
		not_ok "$name: exit status $rc, wanted 0"
	elif [ "$want" = fail ] && { [ "$rc" = 0 ] || [ "$rc" -ge 124 ]; }; then
		not_ok "$name: exit status $rc, wanted an error exit"
	elif ! grep -Eq -- "$regex" <<<"$out"; then
		not_ok "$name: output does not match /$regex/"
	else
		ok "$name"
		return
	fi
	sed 's/^/     | /' <<<"$out" | head -n 30
}
