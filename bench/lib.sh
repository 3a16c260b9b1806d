# bench/lib.sh — what the bench scripts share: messages, apt-get of what is missing, the
# unprivileged bench user and running as it, rootless podman's configuration, holt's binary.
# Sourced, not run. The script sets PROG (its name, for messages and logs), BENCH_USER,
# DO_INSTALL, DO_BUILD, HOLT_BIN, ONLY, and declares the arrays STATUS and NOTE.

say()  { printf '==> %s\n' "$*"; }
warn() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die()  { warn "$*"; exit 1; }

want_tool() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# bench_install CMD:PACKAGE... — apt-get install the packages whose command is missing
# (CMD may be a path; an empty CMD means the package is wanted anyway). Idempotent.
bench_install() {
	local missing=() pair log=/tmp/$PROG-apt.log
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && { say "packages: all present"; return 0; }
	if [ "$DO_INSTALL" -eq 0 ]; then
		warn "missing packages (not installing, --no-install): ${missing[*]}"
		return 0
	fi
	say "apt-get install -y ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "${missing[@]}" >"$log" 2>&1; then
		apt-get update -q >>"$log" 2>&1
		apt-get install -y -q "${missing[@]}" >>"$log" 2>&1 \
			|| warn "apt-get install failed (see $log); continuing with what is there"
	fi
}

# /dev/fuse and /dev/net/tun are 0600 on these VMs: rootless tools need them.
bench_devices() {
	local dev
	for dev in /dev/fuse /dev/net/tun; do
		[ -e "$dev" ] && chmod 0666 "$dev"
	done
}

# Subordinate ranges: give the user 65536 ids past every range already taken.
add_subids() {
	local file=$1 opt=$2 start
	grep -q "^$BENCH_USER:" "$file" 2>/dev/null && return 0
	start=$(awk -F: 'BEGIN{m=100000} NF==3 && $2+$3>m {m=$2+$3} END{print m}' "$file" 2>/dev/null || echo 100000)
	say "adding $file range for $BENCH_USER: $start-$((start + 65535))"
	usermod "$opt" "$start-$((start + 65535))" "$BENCH_USER" 2>/dev/null \
		|| echo "$BENCH_USER:$start:65536" >>"$file"
}

# bench_user DIR — creates BENCH_USER (with subordinate ids and a runtime dir) when missing;
# sets BUID, BGID, BHOME, RUNTIME_DIR, and WORK=~BENCH_USER/DIR, created.
bench_user() {
	if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
		say "creating user $BENCH_USER"
		useradd --create-home --shell /bin/bash "$BENCH_USER" || die "useradd $BENCH_USER failed"
	fi
	BUID=$(id -u "$BENCH_USER")
	BGID=$(id -g "$BENCH_USER")
	BHOME=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	[ -d "$BHOME" ] || { mkdir -p "$BHOME" && chown "$BUID:$BGID" "$BHOME"; }
	add_subids /etc/subuid --add-subuids
	add_subids /etc/subgid --add-subgids
	RUNTIME_DIR=/run/user/$BUID
	mkdir -p "$RUNTIME_DIR" && chown "$BUID:$BGID" "$RUNTIME_DIR" && chmod 0700 "$RUNTIME_DIR"
	WORK=$BHOME/$1
	install -d -o "$BUID" -g "$BGID" -m 0755 "$WORK"
}

# as_user CMD... — run as the bench user with a clean environment, in $WORK.
as_user() {
	(cd "$WORK" && runuser -u "$BENCH_USER" -- env -i \
		HOME="$BHOME" USER="$BENCH_USER" LOGNAME="$BENCH_USER" \
		XDG_RUNTIME_DIR="$RUNTIME_DIR" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		"$@")
}

# Debian's podman 4.3, rootless: native overlay, cgroupfs (no systemd user session here),
# runc (crun refuses this VM's v1/v2 hybrid cgroup layout), events to a file (no journald).
podman_config() {
	local cdir=$BHOME/.config/containers
	install -d -o "$BUID" -g "$BGID" "$BHOME/.config" "$cdir"
	cat >"$cdir/containers.conf" <<EOF
# written by holt's bench/$PROG
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
	cat >"$cdir/storage.conf" <<EOF
# written by holt's bench/$PROG
[storage]
driver = "overlay"
EOF
	chown "$BUID:$BGID" "$cdir/containers.conf" "$cdir/storage.conf"
}

# check TOOL CMD... — one run as the bench user; on failure, record why.
check() {
	local tool=$1; shift
	local out
	if out=$(as_user "$@" 2>&1 </dev/null); then
		return 0
	fi
	STATUS[$tool]=failed
	NOTE[$tool]="$(printf '%s' "$out" | tr '\n\t' '  ' | cut -c1-300)"
	warn "$tool: '$*' failed: ${NOTE[$tool]}"
	return 1
}

# bench_holt — builds holt when asked (-b) and sets HOLT to a binary the bench user can run
# (a copy in $WORK when it cannot reach HOLT_BIN); else marks holt unavailable.
bench_holt() {
	if [ "$DO_BUILD" -eq 1 ]; then
		say "make holt"
		(cd "$REPO_DIR" && make holt) >"/tmp/$PROG-make.log" 2>&1 \
			|| warn "make holt failed (see /tmp/$PROG-make.log)"
	fi
	if [ ! -x "$HOLT_BIN" ]; then
		STATUS[holt]=unavailable; NOTE[holt]="$HOLT_BIN missing (run make, or pass -b)"
		warn "holt: ${NOTE[holt]}"; return 1
	fi
	HOLT=$HOLT_BIN
	if ! as_user test -x "$HOLT"; then
		install -o "$BUID" -g "$BGID" -m 0755 "$HOLT_BIN" "$WORK/holt"; HOLT=$WORK/holt
	fi
	if ! as_user "$HOLT" --help >/dev/null 2>&1; then
		STATUS[holt]=unavailable; NOTE[holt]="'holt --help' fails"
		warn "holt: ${NOTE[holt]}"; return 1
	fi
}

# The static busybox to build rootfs from, as bench_install wants it: /bin/busybox when it
# runs and has no PT_INTERP, else "" (the dynamic `busybox` package would not run inside a
# rootfs that has no libc).
busybox_static() {
	[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 &&
		! LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q 'Requesting program interpreter' &&
		echo /bin/busybox
}

# bench_rootfs — a busybox rootfs (one symlink per applet, minimal /etc) as the directory
# ROOTFS=$WORK/rootfs and TARBALL=$WORK/rootfs.tar.gz, both the bench user's.
bench_rootfs() {
	ROOTFS=$WORK/rootfs
	TARBALL=$WORK/rootfs.tar.gz
	say "building busybox rootfs in $ROOTFS"
	rm -rf "$ROOTFS" "$TARBALL"
	mkdir -p "$ROOTFS"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,tmp,var/tmp,root,home,mnt,run}
	chmod 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
	cp /bin/busybox "$ROOTFS/bin/busybox"
	local applet
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$ROOTFS/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$ROOTFS/etc/group"
	: >"$ROOTFS/etc/hosts"
	: >"$ROOTFS/etc/resolv.conf"
	echo bench >"$ROOTFS/etc/hostname"
	tar --numeric-owner --owner=0 --group=0 -C "$ROOTFS" -czf "$TARBALL" .
	chown -R "$BUID:$BGID" "$ROOTFS" "$TARBALL"
}
