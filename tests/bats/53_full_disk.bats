#!/usr/bin/env bats
# A store on a full disk (a 64 MiB ext4 that tests/run-checks mounts for the test user):
# what fails says so once and leaves the store usable, and removal, which is how a user
# frees space, needs none.

load helpers

small_fs_or_skip()
{
	[ -n "${HOLT_SMALL_FS:-}" ] && [ -w "$HOLT_SMALL_FS" ] ||
		skip "no small filesystem here (make check as root mounts one)"
}

setup_file()
{
	holt_setup_file
	[ -n "${HOLT_SMALL_FS:-}" ] || return 0
	export HOLT_ROOT=$HOLT_SMALL_FS/store.$$ FILL=$HOLT_SMALL_FS/fill.$$
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" "$IMG" >/dev/null
}

teardown_file()
{
	[ -n "${HOLT_SMALL_FS:-}" ] && rm -f "$FILL"
	holt_teardown_file
}

# To the last block: ext4 refuses a whole 4 KiB write where fewer blocks are left, and
# what is left then would be a free block for whatever comes next.
fill_disk()
{
	dd if=/dev/zero of="$FILL" bs=4k 2>/dev/null || true
	dd if=/dev/zero bs=1k 2>/dev/null >>"$FILL" || true
}

free_disk()
{
	rm -f "$FILL"
}

teardown()
{
	[ -z "${FILL:-}" ] || free_disk
}

@test "full disk: import, commit and run fail naming the cause once, and the store stays usable" {
	small_fs_or_skip
	holt run --name full "$IMG" sh -c 'echo data > /f' >/dev/null
	fill_disk
	run_holt import "$HOLT_FIXTURES/rootfs.tar" other:1
	check_holt_error "No space left on device"
	[ "$(grep -o 'No space left on device' <<<"$stderr" | wc -l)" -eq 1 ] || { show_run; false; }
	run_holt commit full full:2
	check_holt_error "No space left on device"
	run_holt run --rm "$IMG" sh -c 'head -c 1000000 /dev/zero > /big'
	[ "$status" -ne 0 ]
	free_disk
	run_holt system check
	check_status 0
	run_holt run --rm "$IMG" cat /etc/passwd
	check_status 0
	holt rm full >/dev/null
}

@test "full disk: rmi, rmi -f, image prune and rm -f free space without needing any" {
	small_fs_or_skip
	holt tag "$IMG" keep:1
	holt import "$HOLT_FIXTURES/rootfs.tar" gone:1 >/dev/null
	holt import "$HOLT_FIXTURES/rootfs.tar.zst" gone:2 >/dev/null
	holt create --name doomed "$IMG" true >/dev/null
	holt import "$HOLT_FIXTURES/rootfs.tar" >/dev/null
	# each one on a disk filled anew: what the one before freed is not theirs to use
	fill_disk
	run_holt rmi gone:1
	check_status 0
	free_disk && fill_disk
	run_holt rmi -f gone:2
	check_status 0
	free_disk && fill_disk
	run_holt image prune -f
	check_status 0
	free_disk && fill_disk
	run_holt rm -f doomed
	check_status 0
	free_disk
	run_holt images --format '{{.Repository}}:{{.Tag}}'
	check_status 0
	[ "$(sort <<<"$output")" = "keep:1
testimg:1" ] || { show_run; false; }
	holt rmi keep:1 >/dev/null
	run_holt system check
	check_status 0
}

@test "full disk: stop records the exit code the container had" {
	small_fs_or_skip
	holt run -d --name st "$IMG" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
	fill_disk
	run_holt stop st
	check_status 0
	free_disk
	run_holt inspect -f '{{.State.ExitCode}}' st
	check_output "7"
	holt rm st >/dev/null
}
