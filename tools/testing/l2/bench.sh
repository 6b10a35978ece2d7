# SPDX-License-Identifier: GPL-2.0
# L2 side of bench/run.sh (a benchmark, never part of `make test`).
#
# Finds one disk and one NIC of each backend, then runs short phases that
# alternate between the backends, rotating the order every round: fio 4 KiB
# random reads at queue depth 32 on each disk, iperf3 TCP from this guest
# to L1 on each NIC.  Every phase is bracketed on the "vmbh.bench" port:
#
#   L2 -> L1  begin KIND BACKEND ROUND        L1 snapshots, answers "go"
#   L2 -> L1  end KIND BACKEND ROUND
#             <result lines: NIC counters or fio JSON, iperf3 JSON>
#             @@END@@                         L1 snapshots, answers "ok"
#
# so L1 reads its KVM exit counters and CPU times right at the phase edges.
# Round 0 is a short warm-up that the report drops.  Kernel arguments:
# vmbh.rounds=N (default 5), vmbh.first=K (default 1: after the warm-up,
# start at round K, for a run that resumes after L1 stopped),
# vmbh.secs=S (default 5), vmbh.vhmac= and
# vmbh.uvmac=, the MACs of the vhost-net and userspace virtio-net NICs;
# vmbh.only=blk or net runs phases of one kind only; vmbh.var=NAME:KIND
# adds a backend "vmbus-scsi+NAME" or "vmbus-net+NAME": our same device
# again, with the setting L1 changes for its phases (bench/run.sh
# --variant).  With vmbh.profile=1 this guest first sends L1 its
# /proc/kallsyms and /proc/modules, so that L1's perf can name the
# guest's functions in its samples (bench/run.sh --profile).
rounds=5
first=1
only=
var=
profile=
secs=5
vhmac=52:54:00:12:34:57
uvmac=52:54:00:12:34:58
for a in $(cat /proc/cmdline); do
	case $a in
	vmbh.rounds=*) rounds=${a#vmbh.rounds=} ;;
	vmbh.first=*) first=${a#vmbh.first=} ;;
	vmbh.secs=*) secs=${a#vmbh.secs=} ;;
	vmbh.vhmac=*) vhmac=${a#vmbh.vhmac=} ;;
	vmbh.uvmac=*) uvmac=${a#vmbh.uvmac=} ;;
	vmbh.only=*) only=${a#vmbh.only=} ;;
	vmbh.var=*) var=${a#vmbh.var=} ;;
	vmbh.profile=1) profile=1 ;;
	esac
done

ctl=
for p in /sys/class/virtio-ports/*; do
	[ "$(cat "$p/name" 2>/dev/null)" = vmbh.bench ] && ctl=/dev/${p##*/}
done
[ -n "$ctl" ] || { echo "bench: no vmbh.bench port"; exit 1; }

# Disks: the SCSI disk behind a virtio HBA is vhost-scsi, the other one is
# the synthetic (storvsc) disk; vda is virtio-blk.
disks=
for d in /sys/block/sd* /sys/block/vd*; do
	[ -e "$d" ] || continue
	case $(readlink -f "$d") in
	*/virtio*/host*) b=vhost-scsi ;;
	*/virtio*) b=virtio-blk ;;
	*) b=vmbus-scsi ;;
	esac
	eval "dev_$(echo $b | tr - _)=/dev/${d##*/}"
	disks="$disks $b"
	echo "bench: disk $b /dev/${d##*/} $(cat "$d/size") sectors"
done

# NICs: hv_netvsc is ours; the virtio ones are told apart by MAC.
nics=
for n in /sys/class/net/*; do
	drv=$(basename "$(readlink "$n/device/driver" 2>/dev/null)" 2>/dev/null)
	a=$(cat "$n/address")
	b=
	case $drv in
	hv_netvsc) b=vmbus-net; ip=192.0.2 ;;
	virtio_net)
		[ "$a" = "$vhmac" ] && b=vhost-net && ip=198.51.100
		[ "$a" = "$uvmac" ] && b=virtio-net && ip=203.0.113 ;;
	esac
	[ -n "$b" ] || continue
	ip link set "${n##*/}" up
	ip addr add "$ip.2/24" dev "${n##*/}"
	eval "nic_$(echo $b | tr - _)=${n##*/} peer_$(echo $b | tr - _)=$ip.1"
	nics="$nics $b"
	echo "bench: nic $b ${n##*/} $a driver $drv, L1 at $ip.1"
done
ip link set lo up
case $var in
*:blk) case " $disks " in *" vmbus-scsi "*) disks="$disks vmbus-scsi+${var%:*}" ;; esac ;;
*:net) case " $nics " in *" vmbus-net "*) nics="$nics vmbus-net+${var%:*}" ;; esac ;;
esac
# Each phase's TCP starts from scratch: no ssthresh or RTT cached from the
# previous phase to the same peer (L1 does the same for its side).
echo 1 >/proc/sys/net/ipv4/tcp_no_metrics_save
for want in vmbus-scsi vhost-scsi virtio-blk; do
	case " $disks " in *" $want "*) ;; *) echo "bench: MISSING disk $want" ;; esac
done
for want in vmbus-net vhost-net virtio-net; do
	case " $nics " in *" $want "*) ;; *) echo "bench: MISSING nic $want" ;; esac
done
# Let the links and ARP settle before the first phase.
for b in $nics; do
	case $b in *+*) continue ;; esac
	eval "ping -c 1 -W 5 \$peer_$(echo $b | tr - _)" >/dev/null ||
		echo "bench: $b does not answer ping"
done

exec 3<>"$ctl"
# L1 answers within a snapshot's time; no answer means its driver is gone.
ask() {
	echo "$*" >&3
	read -r -t 300 _ <&3 || { echo "bench: L1 did not answer '$1'"; exit 1; }
}

phase() {	# kind backend round seconds
	k=$1 b=$2 r=$3 s=$4
	v=$(echo "${b%%+*}" | tr - _)
	if [ "$k" = blk ]; then
		eval "d=\$dev_$v"
		ask begin "$k" "$b" "$r"
		fio --name=bench --filename="$d" --direct=1 --rw=randread --bs=4k \
			--ioengine=libaio --iodepth=32 --time_based --runtime="$s" \
			--norandommap --randrepeat=0 --output-format=json >/tmp/res 2>&1
		echo "end $k $b $r" >&3
	else
		eval "n=\$nic_$v p=\$peer_$v"
		# NIC counters read without forking: a fork in L2 costs exits.
		read -r tx0 <"/sys/class/net/$n/statistics/tx_packets"
		read -r rx0 <"/sys/class/net/$n/statistics/rx_packets"
		ask begin "$k" "$b" "$r"
		iperf3 -c "$p" -t "$s" -J >/tmp/res 2>&1
		echo "end $k $b $r" >&3
		read -r tx1 <"/sys/class/net/$n/statistics/tx_packets"
		read -r rx1 <"/sys/class/net/$n/statistics/rx_packets"
		echo "nic tx_packets $((tx1 - tx0)) rx_packets $((rx1 - rx0))" >&3
	fi
	cat /tmp/res >&3
	ask @@END@@
}

if [ -n "$profile" ]; then
	echo syms >&3
	cat /proc/kallsyms >&3
	echo @@MODULES@@ >&3
	cat /proc/modules >&3
	ask @@END@@
fi

# One list per kind, rotated by the round number.
rot() {	# round list...
	r=$1
	shift
	i=0
	while [ $i -lt $((r % $#)) ]; do
		x=$1
		shift
		set -- "$@" "$x"
		i=$((i + 1))
	done
	echo "$@"
}

r=0
while [ $r -le "$rounds" ]; do
	s=$secs
	[ $r = 0 ] && s=1
	[ -n "$disks" ] && [ "$only" != net ] && for b in $(rot $r $disks); do phase blk "$b" $r $s; done
	[ -n "$nics" ] && [ "$only" != blk ] && for b in $(rot $r $nics); do phase net "$b" $r $s; done
	echo "bench: round $r done"
	# After the warm-up, a boot that resumes a stopped run goes on
	# at vmbh.first (the rotation follows the round number).
	[ $r = 0 ] && r=$((first - 1))
	r=$((r + 1))
done
ask "done"
echo "bench: $rounds rounds of $secs s phases done"
