#!/usr/bin/env bats
# holt export: a container's root filesystem as a tar, stopped or running: the image's
# files and the container's changes, not what it deleted, and nothing of what is mounted
# on it while it runs (/proc, /sys, /dev, the /etc files holt binds).

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	CTRS=()
	cd "$BATS_TEST_TMPDIR"
}

teardown()
{
	local c
	for c in "${CTRS[@]}"; do
		holt rm -f "$c" >/dev/null 2>&1 || true
	done
}

# What each container changes: a file made, one deleted, a directory emptied.
CHANGES='echo made >/root/made; rm /etc/image-file; rm -r /home/tester/owned'

# Checks the member list of export.tar against the image and CHANGES.
check_exported()
{
	tar -tf export.tar >list || { echo "not a tar"; return 1; }
	local want
	for want in bin/busybox etc/passwd root/made home/tester/; do
		grep -qx "$want" list || { echo "missing $want"; cat list; return 1; }
	done
	for want in etc/image-file home/tester/owned/ home/tester/owned/file; do
		! grep -qx "$want" list || { echo "deleted $want exported"; cat list; return 1; }
	done
	[ "$(tar -xOf export.tar root/made)" = made ] || { echo "root/made: wrong content"; return 1; }
	# Members are named relative to the root, as docker names them.
	! grep -q '^/\|^\./' list || { echo "members not relative"; head list; return 1; }
}

@test "export a stopped container: its changes, not what it deleted" {
	CTRS+=(stopped)
	holt run --name stopped "$IMG" sh -c "$CHANGES"
	holt export stopped >export.tar
	check_exported
}

@test "export -o FILE" {
	CTRS+=(stopped)
	holt run --name stopped "$IMG" sh -c "$CHANGES"
	run_holt export -o export.tar stopped
	check_status 0
	check_output ""
	check_exported
	run_holt export -o nodir/export.tar stopped
	check_holt_error "nodir/export.tar"
}

@test "export a running container: the root filesystem, not its mounts" {
	CTRS+=(live)
	holt run -d --name live "$IMG" sh -c "$CHANGES; touch /ready; exec sleep 1000" >/dev/null
	local i
	for ((i = 0; i < 200; i++)); do
		holt cp live:/ready - >/dev/null 2>&1 && break
		sleep 0.05
	done
	holt export live >export.tar
	check_exported
	grep -qx proc/ list || { echo "no /proc"; false; }
	! grep -q '^proc/.\|^sys/.\|^dev/.' list || { grep '^proc/.\|^sys/.\|^dev/.' list | head; false; }
	# /etc/hostname is bound in while it runs; the filesystem has the empty mount point.
	[ -z "$(tar -xOf export.tar etc/hostname)" ] || { echo "bound /etc/hostname exported"; false; }
}

@test "export refuses to write to a terminal" {
	script_or_skip
	CTRS+=(stopped)
	holt run --name stopped "$IMG" true
	run timeout -k 5 "$HOLT_TIMEOUT" script -qec "$(holt_cmdline)export stopped" /dev/null
	check_status 125
	[[ $output == *"refusing to write an archive to a terminal"* ]] || { show_run; false; }
}

@test "export: no such container, no container named: exit 125" {
	run_holt export nosuch
	check_holt_error "no such container: nosuch"
	run_holt export
	check_holt_error "one container is required"
}

@test "export with fuse-overlayfs and vfs" {
	local d
	for d in fuse-overlayfs vfs; do
		if [ $d = fuse-overlayfs ] && { ! command -v fuse-overlayfs >/dev/null ||
			[ ! -w /dev/fuse ]; }; then
			continue
		fi
		CTRS+=("c-$d")
		holt --storage-driver $d run --name "c-$d" "$IMG" sh -c "$CHANGES"
		holt --storage-driver $d export "c-$d" >export.tar
		check_exported
	done
}

@test "export -o killed by a signal leaves neither the archive nor a temporary file" {
	holt rm -f bigexp >/dev/null 2>&1 || true
	holt run --name bigexp "$IMG" sh -c 'head -c 300000000 /dev/zero > /big' >/dev/null
	local dir=$HOLT_TMP/killed-export
	mkdir -p "$dir"
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" export -o "$dir/fs.tar" bigexp &
	kill_mid_write $! "$dir" fs.tar
	[ ! -e "$dir/fs.tar" ] || { echo "export finished before the kill, or left fs.tar"; false; }
	[ -z "$(ls -A "$dir")" ] || { ls -la "$dir"; false; }
	run_holt export -o "$dir/fs.tar" bigexp
	check_status 0
	tar -tf "$dir/fs.tar" | grep -qx 'big'
	holt rm bigexp >/dev/null
}
