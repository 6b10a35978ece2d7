#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the test VM: every kselftest suite under selftests/ (each has a
# run.sh), in dependency order, with no project module loaded between
# suites.  Prints each suite's TAP output and a last line
# "selftests: N passed, N failed, N skipped"; exits non-zero on any failure.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
order="modules vmbus_host storvsp netvsp"
mods="vmbh_netvsp vmbh_storvsp vmbus_host vmbh_hypercall"

unload_ours() {
	for m in $mods; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	return 0
}

pass=0 fail=0 skip=0 bad=() seen=""
for s in $order $(cd "$top/selftests" && ls -d */ | tr -d /); do
	case " $seen " in *" $s "*) continue ;; esac
	seen="$seen $s"
	[ -x "$top/selftests/$s/run.sh" ] || continue
	echo "=== suite $s"
	log=$(mktemp)
	"$top/selftests/$s/run.sh" "$top" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	unload_ours
	# kselftest_harness prints one Totals line per binary.
	read -r p f k < <(awk '/^# Totals:/ {
		for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] += kv[2] }
	} END { printf "%d %d %d\n", t["pass"], t["fail"] + t["error"], t["skip"] }' "$log")
	rm -f "$log"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1	# the suite failed outside a counted test
	fi
	[ "$rc" != 0 ] && bad+=("$s")
	echo "=== suite $s: exit $rc, $p passed, $f failed, $k skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
done
[ ${#bad[@]} = 0 ] || echo "failed suites: ${bad[*]}"
echo "selftests: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ ${#bad[@]} = 0 ]
