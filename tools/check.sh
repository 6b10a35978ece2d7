#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: W=1 build, sparse, checkpatch --strict, kernel-doc, and the
# builds against bookworm's 6.1 headers and the newest Debian kernel (W=1).
# Any finding fails.  Each checker's full output is kept under .build/check/.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/testing/lib.sh"
vmbh_load_env
cd "$top"
out=$top/.build/check
mkdir -p "$out"
KDIR=${KDIR:-$VMBH_KDIR}
failed=()

step() {
	# $1: name; runs the rest, keeps its output; fails on status or findings
	local name=$1 st
	shift
	printf 'check: %-12s ' "$name"
	"$@" >"$out/$name.log" 2>&1
	st=$?
	if [ $st != 0 ] || grep -Eq '(warning|error|WARNING|ERROR|CHECK):' "$out/$name.log"; then
		echo "FAIL (see .build/check/$name.log)"
		grep -E '(warning|error|WARNING|ERROR|CHECK):' "$out/$name.log" | head -n 40
		failed+=("$name")
	else
		echo ok
	fi
}

# Project C sources: kernel code, and the kselftests (kernel style too).
mapfile -t kfiles < <(git ls-files -co --exclude-standard -- '*.c' '*.h' |
	grep -Ev '^(qemu|selftests|tools)/')
mapfile -t tfiles < <(git ls-files -co --exclude-standard -- '*.c' '*.h' |
	grep -E '^(selftests|tools)/')

build() { make -C "$KDIR" M="$top" "$@" modules; }
clean() { make -C "$KDIR" M="$top" clean >/dev/null; }

clean
step w1 build W=1
clean
step sparse build C=2 CHECK=sparse
checkpatch() {
	perl "$VMBH_KSRC/scripts/checkpatch.pl" --strict --no-tree --no-summary \
		--terse --show-types --ignore FILE_PATH_CHANGES "$@"
}
step checkpatch checkpatch -f "${kfiles[@]}"
# Userspace tests: <stdint.h> types and compiler attributes as in-tree
# kselftests, _Static_assert (no kernel static_assert there), and braces
# around loops whose body is ASSERT_*() TH_LOG(): the harness's TH_LOG is a
# statement of its own, so those braces are required.
step checkpatch-tests checkpatch \
	--ignore PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE,BRACES \
	-f "${tfiles[@]}"
step kernel-doc perl "$VMBH_KSRC/scripts/kernel-doc" -none -Wall "${kfiles[@]}"

# Other kernels, each in a copy so objects never mix.
kbuild_other() {
	# $1: copy's name, $2: kbuild dir, rest: make arguments
	local d=$out/tree-$1 kdir=$2
	shift 2
	rm -rf "$d"
	mkdir -p "$d"
	git ls-files -co --exclude-standard -z | grep -zv '^qemu/' |
		xargs -0 cp --parents -t "$d"
	make -C "$kdir" M="$d" "$@" modules
}
step build-6.1 kbuild_other 6.1 "$VMBH_KDIR_61"
step build-newest kbuild_other newest "$VMBH_KDIR_NEW" W=1

# dkms.conf: a DKMS build of the tree into a private dkms tree.
dkms_build() {
	local d=$out/dkms v
	v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	rm -rf "$d"
	mkdir -p "$d/tree" "$d/src/vmbus-host-$v"
	git ls-files -co --exclude-standard -z | grep -zv '^qemu/' |
		xargs -0 cp --parents -t "$d/src/vmbus-host-$v"
	dkms build --dkmstree "$d/tree" --sourcetree "$d/src" -m vmbus-host -v "$v" \
		-k "$VMBH_KABI" --kernelsourcedir "$KDIR" || return 1
	for m in vmbh_hypercall vmbus_host vmbh_storvsp vmbh_netvsp; do
		ls "$d/tree/vmbus-host/$v/$VMBH_KABI"/*/module/$m.ko* || return 1
	done
}
step dkms dkms_build

if [ ${#failed[@]} != 0 ]; then
	echo "check: failed: ${failed[*]}"
	exit 1
fi
echo "check: all clean"
