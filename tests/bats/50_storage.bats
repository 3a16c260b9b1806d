#!/usr/bin/env bats
# The container's root filesystem: writes stay in the container, --rm leaves nothing,
# every storage driver works, and the store lives where --root or XDG_DATA_HOME say.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# The container writes over, adds and deletes image files; prints what it then sees.
WRITER='echo changed > /etc/image-file; echo new > /new-file; rm /etc/passwd;
	echo more >> /home/tester/owned/file; mkdir -p /bin/sub && touch /bin/sub/x;
	cat /etc/image-file /new-file; test -e /etc/passwd || echo passwd-gone'
# What a fresh container must see instead.
READER='cat /etc/image-file /home/tester/owned/file; test -e /new-file && echo new-file-seen;
	test -e /etc/passwd && echo passwd-there; test -e /bin/sub && echo sub-seen; true'
READER_WANT=$'image file\nowned by tester\npasswd-there'

# containers/ holds no container: nothing but an empty names index, if that.
check_no_containers()
{
	local left
	left=$(cd "$HOLT_ROOT/containers" 2>/dev/null && find . -mindepth 1 ! -path ./names)
	[ -z "$left" ] && return 0
	echo "--rm left in containers/:"
	echo "$left"
	return 1
}

layers_listing()
{
	(cd "$HOLT_ROOT/layers" && find . -printf '%p %y %s %m %U:%G\n' | LC_ALL=C sort)
	find "$HOLT_ROOT/layers" -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort
}

@test "a container's writes never reach the image" {
	local before
	before=$(layers_listing)
	run_holt run --rm "$IMG" sh -c "$WRITER"
	check_status 0
	check_output "$(printf 'changed\nnew\npasswd-gone')"
	run_holt run --rm "$IMG" sh -c "$READER"
	check_status 0
	check_output "$READER_WANT"
	[ "$(layers_listing)" = "$before" ] || {
		echo "the image's layers changed:"
		diff <(echo "$before") <(layers_listing)
		false
	}
}

@test "two containers at once do not see each other's writes" {
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b
	local script='echo $0 > /shared; touch /only-$0; sleep 1; cat /shared; ls / | grep "^only-"'
	holt run --rm "$IMG" sh -c "$script" A >"$a" 2>&1 &
	local pa=$!
	holt run --rm "$IMG" sh -c "$script" B >"$b" 2>&1 &
	local pb=$!
	wait "$pa"
	wait "$pb"
	[ "$(grep -v "$NOSUB_WARNING_RE" "$a")" = "$(printf 'A\nonly-A')" ] || { cat "$a"; false; }
	[ "$(grep -v "$NOSUB_WARNING_RE" "$b")" = "$(printf 'B\nonly-B')" ] || { cat "$b"; false; }
}

@test "--rm leaves nothing: the store is as before, no mounts, no helper processes" {
	local before
	before=$(store_listing)
	run_holt run --rm "$IMG" sh -c 'echo x > /x; mkdir -p /a/b/c; touch /a/b/c/d'
	check_status 0
	check_store_unchanged "$before"
	check_no_containers
	! grep -F "$HOLT_ROOT" /proc/self/mountinfo || false
	! pgrep -u "$(id -u)" -f "fuse-overlayfs.*$HOLT_ROOT" || false
}

@test "--rm leaves nothing when the command fails or is not found" {
	local before
	before=$(store_listing)
	run_holt run --rm "$IMG" sh -c 'touch /x; exit 3'
	check_status 3
	run_holt -127 run --rm "$IMG" /no/such
	check_status 127
	run_holt run --rm "$IMG" /bin/notexec
	check_status 126
	check_store_unchanged "$before"
}

@test "--rm leaves nothing when the container is killed" {
	local before
	before=$(store_listing)
	holt run --rm "$IMG" sleep 4343 >/dev/null 2>&1 &
	local hpid=$! cpid="" i
	for ((i = 0; i < 100; i++)); do
		cpid=$(pgrep -u "$(id -u)" -f '^sleep 4343$' | head -1) && [ -n "$cpid" ] && break
		sleep 0.05
	done
	[ -n "$cpid" ] || { echo "container process not found"; false; }
	kill -KILL "$cpid"
	wait "$hpid" || true
	check_store_unchanged "$before"
}

# Runs the writer, then the reader, with storage driver $1; checks the root's fs type $2.
driver_roundtrip()
{
	local before
	before=$(layers_listing)
	run_holt --storage-driver "$1" run --rm "$IMG" sh -c "$WRITER; holt-test-tool fstype /"
	check_status 0 || return 1
	check_output "$(printf 'changed\nnew\npasswd-gone\n%s' "$2")" || return 1
	run_holt --storage-driver "$1" run --rm "$IMG" sh -c "$READER"
	check_status 0 || return 1
	check_output "$READER_WANT" || return 1
	[ "$(layers_listing)" = "$before" ] || {
		echo "the image's layers changed:"
		diff <(echo "$before") <(layers_listing)
		return 1
	}
	check_no_containers
}

@test "--storage-driver overlay: native overlay in the user namespace" {
	overlay_or_skip
	driver_roundtrip overlay overlay
}

@test "--storage-driver fuse-overlayfs" {
	fuse_or_skip
	driver_roundtrip fuse-overlayfs fuse.fuse-overlayfs
	! pgrep -u "$(id -u)" -f "fuse-overlayfs.*$HOLT_ROOT" || { echo "fuse-overlayfs left running"; false; }
}

@test "a fuse-overlayfs that fails is reported with what it said, and leaves nothing" {
	fuse_or_skip
	local fake=$BATS_TEST_TMPDIR/bin before
	mkdir -p "$fake"
	printf '#!/bin/sh\necho "no such option: bogus" >&2\nexit 3\n' >"$fake/fuse-overlayfs"
	chmod +x "$fake/fuse-overlayfs"
	before=$(store_listing)
	PATH="$fake:$PATH" run_holt --storage-driver fuse-overlayfs run --rm "$IMG" true
	check_status 125
	check_stderr_matches "fuse-overlayfs on .*: failed with status 3: no such option: bogus"
	check_store_unchanged "$before"
	check_no_containers
}

@test "a ^C to holt's process group does not reach fuse-overlayfs, which serves the root" {
	fuse_or_skip
	local out=$BATS_TEST_TMPDIR/out pid i
	# its own session, so that the signal below goes to holt's group alone, as a ^C does
	setsid "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" --storage-driver fuse-overlayfs \
		run --rm "$IMG" sh -c 'trap "echo got" INT; echo ready; sleep 1
			echo x >/written-after && echo alive' >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$out" && break
		sleep 0.05
	done
	kill -INT -- "-$pid"
	wait "$pid" || true
	grep -v "$NOSUB_WARNING_RE" "$out" | grep -qx alive || { cat "$out"; false; }
}

@test "--storage-driver vfs: a copy" {
	local before
	before=$(layers_listing)
	run_holt --storage-driver vfs run --rm "$IMG" sh -c "$WRITER; holt-test-tool fstype /"
	check_status 0
	[ "${lines[3]}" != overlay ] && [ "${lines[3]}" != fuse.fuse-overlayfs ] || { show_run; false; }
	run_holt --storage-driver vfs run --rm "$IMG" sh -c "$READER"
	check_status 0
	check_output "$READER_WANT"
	[ "$(layers_listing)" = "$before" ] || { diff <(echo "$before") <(layers_listing); false; }
}

@test "with no --storage-driver, native overlay is used where it works" {
	overlay_or_skip
	run_holt run --rm "$IMG" holt-test-tool fstype /
	check_status 0
	check_output "overlay"
}

@test "--root keeps the store where it says; another root does not see it" {
	local other=$BATS_TEST_TMPDIR/other-root
	run "$HOLT" --root "$other" --runroot "$HOLT_RUNROOT" images
	[ "$status" -eq 0 ] || { show_run; false; }
	[ "${#lines[@]}" -eq 1 ] || { echo "another root lists images"; show_run; false; }
	[ -d "$HOLT_ROOT/blobs" ] && [ -d "$HOLT_ROOT/images" ] && [ -d "$HOLT_ROOT/layers" ] ||
		{ ls -la "$HOLT_ROOT"; false; }
	run "$HOLT" --root "$other" --runroot "$HOLT_RUNROOT" rmi "$IMG"
	[ "$status" -eq 125 ] || { show_run; false; }
	rm -rf "$other"
}

@test "with no --root, the store is \$XDG_DATA_HOME/holt" {
	local xdg=$BATS_TEST_TMPDIR/xdg
	mkdir -p "$xdg/data" "$xdg/run"
	chmod 700 "$xdg/run"
	XDG_DATA_HOME=$xdg/data XDG_RUNTIME_DIR=$xdg/run run --separate-stderr \
		timeout 60 "$HOLT" import "$HOLT_FIXTURES/rootfs.tar" xdg:1
	check_status 0
	[ -d "$xdg/data/holt/blobs/sha256" ] || { find "$xdg" -maxdepth 3; false; }
	XDG_DATA_HOME=$xdg/data XDG_RUNTIME_DIR=$xdg/run run --separate-stderr \
		timeout 60 "$HOLT" run --rm xdg:1 cat /etc/image-file
	check_status 0
	check_output "image file"
	XDG_DATA_HOME=$xdg/data XDG_RUNTIME_DIR=$xdg/run timeout 60 "$HOLT" rmi xdg:1 >/dev/null 2>&1
	XDG_DATA_HOME=$xdg/data XDG_RUNTIME_DIR=$xdg/run timeout 60 "$HOLT" system migrate >/dev/null 2>&1
	chmod -R u+rwx "$xdg"
	rm -rf "$xdg" || unshare --map-auto --map-root-user rm -rf "$xdg"
}

@test "an image of 130 layers runs on native overlay, its top layer on top" {
	overlay_or_skip
	python3 "$HOLT_LIB/mkdeep" "$HOLT_FIXTURES/rootfs.tar.gz" 129 "$HOLT_TMP/deep130.tar"
	holt load -i "$HOLT_TMP/deep130.tar" >/dev/null
	run_holt --debug run --rm deep:129 sh -c 'cat /deep/top; ls /deep | wc -l'
	check_status 0
	check_output "129
130"
	check_stderr_has "holt: debug: rootfs: overlay"
	holt rmi deep:129 >/dev/null
}

@test "an image of more layers than overlay stacks runs on the next driver, saying why" {
	python3 "$HOLT_LIB/mkdeep" "$HOLT_FIXTURES/rootfs.tar.gz" 600 "$HOLT_TMP/deep601.tar"
	holt load -i "$HOLT_TMP/deep601.tar" >/dev/null
	run_holt --debug run --rm deep:600 cat /deep/top
	check_status 0
	check_output "600"
	check_stderr_has "the image has 601 layers, overlay stacks 500 at most"
	check_stderr_matches "holt: debug: rootfs: (fuse-overlayfs|vfs)"
	holt rmi deep:600 >/dev/null
}

# Plants a layer and a blob that no image names, as a command killed between its renames
# leaves them: prints their paths.
plant_garbage()
{
	local hex
	hex=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	mkdir -p "$HOLT_ROOT/layers/$hex/diff"
	echo '{"size": 6}' >"$HOLT_ROOT/layers/$hex/layer.json"
	echo leaked >"$HOLT_ROOT/layers/$hex/diff/f"
	head -c 100000 /dev/urandom >"$HOLT_ROOT/blobs/sha256/$hex"
	echo "$HOLT_ROOT/layers/$hex $HOLT_ROOT/blobs/sha256/$hex"
}

@test "image prune and rmi reclaim the layers and blobs no image names, and only those" {
	local garbage before
	before=$(ls "$HOLT_ROOT/layers" "$HOLT_ROOT/blobs/sha256" | sort)
	garbage=$(plant_garbage)
	run_holt image prune -f
	check_status 0
	check_output_has "Total reclaimed space: 100"
	for p in $garbage; do [ ! -e "$p" ] || { echo "$p is still there"; false; }; done
	[ "$(ls "$HOLT_ROOT/layers" "$HOLT_ROOT/blobs/sha256" | sort)" = "$before" ]
	garbage=$(plant_garbage)
	holt tag "$IMG" gc:1
	run_holt rmi gc:1
	check_status 0
	for p in $garbage; do [ ! -e "$p" ] || { echo "$p is still there"; false; }; done
	run_holt run --rm "$IMG" cat /etc/passwd
	check_status 0
}
