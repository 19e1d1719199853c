# SPDX-License-Identifier: MIT
# tests/helpers/netlab.sh - a two-link lab: a network namespace plays a storage server that
# exports a folder over sshfs, reachable from this host by a slow "public" link and a fast
# "storage" link, each a veth pair with a subnet of its own. Sourced by tests/cli/netlab.sh and
# usable by bench scripts and by hand (as root):
#
#	. tests/helpers/netlab.sh
#	netlab_check || { echo "$netlab_why"; exit 77; }
#	netlab_trap                       # netlab_down on EXIT, INT and TERM
#	netlab_up                         # the namespace, both links, sshd
#	netlab_mount public /data/set /mnt/set    # sshfs, read-only, by the public address
#	...                               # cryocache-bench diag/run/watch on /mnt/set
#	netlab_umount /mnt/set
#	netlab_mount storage /data/set /mnt/set   # now by the storage address
#	netlab_down                       # everything gone; safe to call again
#
# What it sets up (NETLAB_NS, NETLAB_PUBLIC_IF, NETLAB_STORAGE_IF, NETLAB_PUBLIC_NET,
# NETLAB_STORAGE_NET and NETLAB_PUBLIC_RATE in the environment change it):
#	namespace   $netlab_ns (ccb-netlab)
#	public      host $netlab_public_if (ccb-public) 10.231.1.1/24 <-> server 10.231.1.2,
#	            a tbf of $NETLAB_PUBLIC_RATE (200mbit) at the root of both ends
#	storage     host $netlab_storage_if (ccb-storage) 10.231.2.1/24 <-> server 10.231.2.2,
#	            unlimited (a veth says 10 Gb/s)
#	sshd        in the namespace, on the two server addresses only, key-based, its own config
#	            and keys in $netlab_dir (a temporary folder), read-only SFTP (internal-sftp -R);
#	            the system's /etc/ssh and /run are left alone (sshd's /run/sshd is a tmpfs in
#	            the namespace's own mount namespace)
#
# Only one lab runs at a time: netlab_up records its shell in $NETLAB_LOCK (others wait) and, when
# it finds a lab that a killed process left behind, takes it down first. The functions return
# non-zero with the reason in $netlab_why (netlab_up 2 when the lab's subnets are in use here);
# none of them exits.
# shellcheck shell=bash

: "${NETLAB_PUBLIC_NET:=10.231.1}"
: "${NETLAB_STORAGE_NET:=10.231.2}"
: "${NETLAB_PUBLIC_RATE:=200mbit}"
: "${NETLAB_LOCK:=/var/tmp/cryocache-bench-netlab.lock}"
netlab_ns=${NETLAB_NS:-ccb-netlab}
netlab_public_if=${NETLAB_PUBLIC_IF:-ccb-public}
netlab_storage_if=${NETLAB_STORAGE_IF:-ccb-storage}
netlab_public_addr=$NETLAB_PUBLIC_NET.2
netlab_storage_addr=$NETLAB_STORAGE_NET.2
netlab_user=$(id -un)
netlab_dir=
netlab_why=
netlab_sshd_pid=

_netlab_fail() {
	netlab_why=$*
	echo "netlab: $*" >&2
	return 1
}

# netlab_check: whether this machine can hold the lab (root, network namespaces, veth, tbf,
# sshd, ssh-keygen, sshfs, FUSE); the reason in $netlab_why when not.
netlab_check() {
	local t
	netlab_why=
	[ "$(id -u)" = 0 ] || { netlab_why="the network lab needs root"; return 1; }
	for t in ip tc ssh ssh-keygen sshfs flock mountpoint; do
		command -v "$t" >/dev/null ||
			{ netlab_why="$t is missing (apt-get install iproute2 openssh-client sshfs util-linux)"; return 1; }
	done
	command -v fusermount3 >/dev/null || command -v fusermount >/dev/null ||
		{ netlab_why="fusermount3 is missing (apt-get install fuse3)"; return 1; }
	_netlab_sshd >/dev/null || { netlab_why="sshd is missing (apt-get install openssh-server)"; return 1; }
	[ -c /dev/fuse ] || { netlab_why="/dev/fuse is missing: no FUSE here"; return 1; }
	# Namespaces and veth, tried with throwaway names.
	local probe=ccb-probe-$$
	ip netns add "$probe" 2>/dev/null ||
		{ netlab_why="cannot create a network namespace (ip netns add)"; return 1; }
	if ! ip link add "ccbp$$" type veth peer name "ccbq$$" netns "$probe" 2>/dev/null; then
		ip netns del "$probe" 2>/dev/null
		netlab_why="cannot create a veth pair (ip link add type veth)"
		return 1
	fi
	if ! tc qdisc add dev "ccbp$$" root tbf rate 100mbit burst 64kb latency 50ms 2>/dev/null; then
		ip link del "ccbp$$" 2>/dev/null
		ip netns del "$probe" 2>/dev/null
		netlab_why="cannot shape a link with tc tbf (sch_tbf)"
		return 1
	fi
	ip link del "ccbp$$" 2>/dev/null
	ip netns del "$probe" 2>/dev/null
	return 0
}

# _netlab_exec_detached CMD...: close every file descriptor above 2, then exec CMD; only in a
# subshell (CMD &, $(CMD)). A daemon it starts (sshd, sshfs) holds no lock or pipe of the script
# that started it.
_netlab_exec_detached() {
	local f
	for f in "/proc/$BASHPID/fd/"*; do
		f=${f##*/}
		[ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-" 2>/dev/null
	done
	exec "$@"
}

_netlab_sshd() {
	command -v sshd || { [ -x /usr/sbin/sshd ] && echo /usr/sbin/sshd; }
}

# Who has the lab: $NETLAB_LOCK holds "PID FOLDER" of the shell that brought it up, and is only
# read and written under flock. A lab whose shell is gone (kill -9) is taken down by the next
# netlab_up; while the shell lives, the next one waits (NETLAB_LOCK_WAIT, 600 s). No lock is held
# between the calls, so nothing the lab starts can keep the lab taken after its shell is gone.
_netlab_claim() {
	local fd owner dir waited=0
	while :; do
		exec {fd}<>"$NETLAB_LOCK" || { _netlab_fail "cannot open $NETLAB_LOCK"; return 1; }
		flock -w 60 "$fd" || { exec {fd}>&-; _netlab_fail "cannot lock $NETLAB_LOCK"; return 1; }
		owner='' dir=''
		read -r owner dir <"$NETLAB_LOCK" || true
		case $owner in *[!0-9]*) owner='' dir='' ;; esac
		if [ -n "$owner" ] && [ "$owner" != $$ ] && kill -0 "$owner" 2>/dev/null; then
			exec {fd}>&-
			[ $waited != 0 ] ||
				echo "netlab: waiting for the lab of process $owner ($NETLAB_LOCK)" >&2
			waited=$((waited + 1))
			[ $waited -lt "${NETLAB_LOCK_WAIT:-600}" ] || {
				_netlab_fail "process $owner held the lab for ${NETLAB_LOCK_WAIT:-600} s"
				return 1
			}
			sleep 1
			continue
		fi
		if [ -n "$owner" ] || ip netns pids "$netlab_ns" >/dev/null 2>&1 ||
			ip link show "$netlab_public_if" >/dev/null 2>&1 ||
			ip link show "$netlab_storage_if" >/dev/null 2>&1; then
			echo "netlab: taking down a lab left behind${owner:+ by process $owner}${dir:+ ($dir)}" >&2
			netlab_dir=$dir
			_netlab_teardown
		fi
		echo $$ >"$NETLAB_LOCK"
		exec {fd}>&-
		return 0
	done
}

# _netlab_release: the lab is no longer this shell's.
_netlab_release() {
	local fd owner
	[ -e "$NETLAB_LOCK" ] || return 0
	exec {fd}<>"$NETLAB_LOCK" || return 0
	flock -w 60 "$fd" || { exec {fd}>&-; return 0; }
	read -r owner _ <"$NETLAB_LOCK" || true
	[ "$owner" != $$ ] || : >"$NETLAB_LOCK"
	exec {fd}>&-
}

# Each sshfs mount of a lab address, as mountinfo spells its mount point.
_netlab_mounts() {
	local pub=$netlab_public_addr sto=$netlab_storage_addr
	awk -v a="@$pub:" -v b="@$sto:" -v c="$pub:" -v d="$sto:" '
		{ for (i = 7; i <= NF; i++) if ($i == "-") break
		  src = $(i + 2)
		  if ($(i + 1) == "fuse.sshfs" &&
		      (index(src, a) || index(src, b) || index(src, c) == 1 || index(src, d) == 1))
			print $5 }' /proc/self/mountinfo
}

# netlab_down: unmount the lab's sshfs mounts, stop everything in the namespace, delete it and
# the links, remove the lab's folder. Idempotent; never fails.
netlab_down() {
	_netlab_teardown
	_netlab_release
	return 0
}

_netlab_teardown() {
	local m pids _
	while IFS= read -r m; do
		m=$(printf '%b' "$m") # mountinfo escapes spaces as \040
		fusermount3 -u "$m" 2>/dev/null || fusermount -u "$m" 2>/dev/null ||
			umount -l "$m" 2>/dev/null || true
	done < <(_netlab_mounts 2>/dev/null)
	if ip netns pids "$netlab_ns" >/dev/null 2>&1; then
		pids=$(ip netns pids "$netlab_ns" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill $pids 2>/dev/null || true
		for _ in $(seq 20); do
			[ -n "$(ip netns pids "$netlab_ns" 2>/dev/null)" ] || break
			sleep 0.1
		done
		pids=$(ip netns pids "$netlab_ns" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
		ip netns del "$netlab_ns" 2>/dev/null || true
	fi
	if [ -n "$netlab_sshd_pid" ]; then
		wait "$netlab_sshd_pid" 2>/dev/null || true
		netlab_sshd_pid=
	fi
	ip link del "$netlab_public_if" 2>/dev/null || true
	ip link del "$netlab_storage_if" 2>/dev/null || true
	case $netlab_dir in
	*/ccb-netlab.*) rm -rf "$netlab_dir" ;;
	esac
	netlab_dir=
	return 0
}

# netlab_trap [COMMAND]: run netlab_down (then COMMAND, e.g. the test's own cleanup) on EXIT; in
# a script, INT and TERM exit, which runs it too (an interactive shell keeps its Ctrl-C).
netlab_trap() {
	# shellcheck disable=SC2064
	trap "netlab_down; ${1:-:}" EXIT
	case $- in
	*i*) ;;
	*)
		trap 'exit 130' INT
		trap 'exit 143' TERM
		;;
	esac
}

# _netlab_link NAME SERVER-NAME NET [RATE]: a veth pair, NAME here and SERVER-NAME in the
# namespace, NET.1/24 and NET.2/24, shaped to RATE at both ends when given.
_netlab_link() {
	local name=$1 peer=$2 net=$3 rate=${4:-}
	local in=(ip netns exec "$netlab_ns")
	ip link add "$name" type veth peer name "$peer" netns "$netlab_ns" ||
		_netlab_fail "cannot create the veth pair $name/$peer" || return 1
	# No IPv6 on the lab's links: its router solicitations are not the bytes we count.
	sysctl -qw "net.ipv6.conf.$name.disable_ipv6=1" 2>/dev/null || true
	"${in[@]}" sysctl -qw "net.ipv6.conf.$peer.disable_ipv6=1" 2>/dev/null || true
	ip addr add "$net.1/24" dev "$name" && ip link set "$name" up &&
		"${in[@]}" ip addr add "$net.2/24" dev "$peer" && "${in[@]}" ip link set "$peer" up ||
		_netlab_fail "cannot address $name ($net.1) and $peer ($net.2)" || return 1
	if [ -n "$rate" ]; then
		# Both ends: the server's end holds back the bytes read, the host's end is what diag
		# reads as the link's rate.
		tc qdisc replace dev "$name" root tbf rate "$rate" burst 64kb latency 50ms &&
			"${in[@]}" tc qdisc replace dev "$peer" root tbf rate "$rate" burst 64kb latency 50ms ||
			_netlab_fail "cannot shape $name to $rate with tc tbf" || return 1
	fi
}

# Whether NET's subnet is free here: no address, no route of the host lies in it.
_netlab_free_net() {
	local net=$1 re
	re=" ${1//./\\.}\\.[0-9]+"
	if ip -4 -o addr show | grep -Eq "inet${re}/" ||
		ip -4 route show table all | grep -Eq "(^|[ ])${net//./\\.}\\.[0-9]+(/| )"; then
		_netlab_fail "the lab's subnet $net.0/24 is in use on this host (set NETLAB_PUBLIC_NET/NETLAB_STORAGE_NET)"
		return 2
	fi
}

# _netlab_route ADDR IF: the host's routing sends ADDR over IF.
_netlab_route() {
	local got
	got=$(ip -4 route get "$1" 2>&1) || _netlab_fail "ip route get $1: $got" || return 1
	case " $got " in
	*" dev $2 "*) return 0 ;;
	esac
	_netlab_fail "the host routes $1 not over $2: $got"
}

_netlab_sshd_config() {
	cat >"$netlab_dir/sshd_config" <<CONF
# The lab's sshd: nothing of the system's /etc/ssh is read.
ListenAddress $netlab_public_addr:22
ListenAddress $netlab_storage_addr:22
HostKey $netlab_dir/host_ed25519
PidFile $netlab_dir/sshd.pid
AuthorizedKeysFile $netlab_dir/authorized_keys
AllowUsers $netlab_user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PrintMotd no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
Subsystem sftp internal-sftp -R
CONF
}

# _netlab_listening: sshd answers on both server addresses.
_netlab_listening() {
	local a
	for a in "$netlab_public_addr" "$netlab_storage_addr"; do
		timeout 1 bash -c "exec 3<>/dev/tcp/$a/22 && head -c 4 <&3" 2>/dev/null | grep -q SSH- ||
			return 1
	done
}

# netlab_up: the namespace, its two links and sshd. On failure, what was made is taken down.
netlab_up() {
	local sshd
	[ -z "$netlab_dir" ] || _netlab_fail "the lab is up already ($netlab_dir)" || return 1
	netlab_check || { echo "netlab: $netlab_why" >&2; return 1; }
	sshd=$(_netlab_sshd)
	_netlab_claim || return 1
	{ _netlab_free_net "$NETLAB_PUBLIC_NET" && _netlab_free_net "$NETLAB_STORAGE_NET"; } ||
		{ _netlab_release; return 2; }
	netlab_dir=$(mktemp -d "${TMPDIR:-/tmp}/ccb-netlab.XXXXXX") ||
		{ _netlab_release; _netlab_fail "cannot make a temporary folder"; return 1; }
	echo "$$ $netlab_dir" >"$NETLAB_LOCK"
	ip netns add "$netlab_ns" || { netlab_down; _netlab_fail "cannot create the namespace $netlab_ns"; return 1; }
	ip netns exec "$netlab_ns" ip link set lo up
	_netlab_link "$netlab_public_if" srv-public "$NETLAB_PUBLIC_NET" "$NETLAB_PUBLIC_RATE" &&
		_netlab_link "$netlab_storage_if" srv-storage "$NETLAB_STORAGE_NET" &&
		_netlab_route "$netlab_public_addr" "$netlab_public_if" &&
		_netlab_route "$netlab_storage_addr" "$netlab_storage_if" || { netlab_down; return 1; }
	# Throwaway keys: the server's host key and the client's key it lets in.
	ssh-keygen -q -t ed25519 -N '' -C ccb-netlab-host -f "$netlab_dir/host_ed25519" &&
		ssh-keygen -q -t ed25519 -N '' -C ccb-netlab-client -f "$netlab_dir/id_ed25519" &&
		cp "$netlab_dir/id_ed25519.pub" "$netlab_dir/authorized_keys" ||
		{ netlab_down; _netlab_fail "ssh-keygen failed"; return 1; }
	_netlab_sshd_config
	"$sshd" -t -f "$netlab_dir/sshd_config" 2>"$netlab_dir/sshd.log" ||
		{ local e; e=$(cat "$netlab_dir/sshd.log"); netlab_down; _netlab_fail "sshd rejects the lab's config: $e"; return 1; }
	# ip netns exec runs in a mount namespace of its own: a tmpfs on /run there gives sshd its
	# privilege-separation folder without touching the system's /run.
	_netlab_exec_detached ip netns exec "$netlab_ns" sh -c 'mount -t tmpfs -o mode=0755,size=1m ccb-netlab /run &&
		mkdir -m 0755 /run/sshd && exec "$0" -D -e -f "$1"' "$sshd" "$netlab_dir/sshd_config" \
		>>"$netlab_dir/sshd.log" 2>&1 </dev/null &
	netlab_sshd_pid=$!
	local _
	for _ in $(seq 100); do
		_netlab_listening && return 0
		kill -0 "$netlab_sshd_pid" 2>/dev/null || break
		sleep 0.1
	done
	local log
	log=$(cat "$netlab_dir/sshd.log" 2>/dev/null)
	netlab_down
	_netlab_fail "sshd does not answer on $netlab_public_addr and $netlab_storage_addr: $log"
}

# netlab_addr public|storage: the server's address on that link.
netlab_addr() {
	case $1 in
	public) echo "$netlab_public_addr" ;;
	storage) echo "$netlab_storage_addr" ;;
	*) _netlab_fail "no link '$1' (public, storage)" ;;
	esac
}

# netlab_mount public|storage DIR MOUNTPOINT: mount the server's DIR (an absolute path of this
# machine, which the server shares) read-only at MOUNTPOINT by that link's address. Retried a
# few times; the reason in $netlab_why when it still fails.
netlab_mount() {
	local addr dir err _
	[ -n "$netlab_dir" ] || _netlab_fail "the lab is not up (netlab_up)" || return 1
	addr=$(netlab_addr "$1" 2>/dev/null) || _netlab_fail "no link '$1' (public, storage)" || return 1
	dir=$(realpath -e "$2") || _netlab_fail "cannot access '$2'" || return 1
	mkdir -p "$3" || return 1
	for _ in 1 2 3 4 5; do
		err=$(_netlab_exec_detached sshfs -F /dev/null "$netlab_user@$addr:$dir" "$3" -o ro \
			-o "IdentityFile=$netlab_dir/id_ed25519,IdentitiesOnly=yes,BatchMode=yes" \
			-o StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,LogLevel=ERROR \
			-o ConnectTimeout=5 2>&1) && mountpoint -q "$3" && return 0
		sleep 0.5
	done
	_netlab_fail "sshfs cannot mount $addr:$dir at $3: $err"
}

# netlab_umount MOUNTPOINT
netlab_umount() {
	fusermount3 -u "$1" 2>/dev/null || fusermount -u "$1" 2>/dev/null || umount "$1" ||
		_netlab_fail "cannot unmount $1"
}
