# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading the project's modules, shared by the kselftest
# suites' run.sh and tools/testing/load-modules.sh.  Sourced, not run.
#
#   vmbh_suite_deps <checkout> <ko path>...
#	modprobe the kernel's modules each <checkout>/<ko path> depends on
#	(target core, tun, kvm, ...), not the project's own.
#   vmbh_suite_insmod <checkout> <ko path>...
#	insmod each <checkout>/<ko path> in the order given (after
#	vmbh_suite_deps for it) and record its module name; on the first failure print "# insmod <ko path> failed"
#	and return 1 (what did load stays recorded, for vmbh_suite_unload).
#   vmbh_suite_unload
#	rmmod the recorded modules in reverse order, printing
#	"# rmmod <module> failed" for each that would not go, and forget
#	them; returns 1 if any rmmod failed.

vmbh_suite_loaded=()

vmbh_suite_deps() {
	local dir=$1 m d
	shift
	for m in "$@"; do
		for d in $(modinfo -F depends "$dir/$m" | tr , ' '); do
			case $d in vmbh_*|vmbus_host) ;; *) modprobe "$d" ;; esac
		done
	done
}

vmbh_suite_insmod() {
	local dir=$1 m
	shift
	for m in "$@"; do
		vmbh_suite_deps "$dir" "$m"
		if ! insmod "$dir/$m"; then
			echo "# insmod $m failed"
			return 1
		fi
		vmbh_suite_loaded+=("$(basename "$m" .ko)")
	done
}

vmbh_suite_unload() {
	local i ret=0
	for ((i = ${#vmbh_suite_loaded[@]} - 1; i >= 0; i--)); do
		rmmod "${vmbh_suite_loaded[i]}" ||
			{ echo "# rmmod ${vmbh_suite_loaded[i]} failed"; ret=1; }
	done
	vmbh_suite_loaded=()
	return $ret
}
