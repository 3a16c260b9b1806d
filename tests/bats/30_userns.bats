#!/usr/bin/env bats
# The user namespace: the uid/gid maps, the warning without subordinate ids, and the
# owners of the image's files inside the container and on disk.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# "START COUNT" of the user's subordinate uid (or with -g, gid) range.
subid_range()
{
	getsubids "$@" "$(id -un)" | awk 'NR == 1 { print $3, $4 }'
}

@test "with a subordinate range: root is the user, 1..N the range; no warning" {
	subids_or_skip
	local us gs
	read -r us uc <<<"$(subid_range)"
	read -r gs gc <<<"$(subid_range -g)"
	run_holt run --rm "$IMG" holt-test-tool uidmap
	check_status 0
	check_output "$(printf 'uid 0 %s 1\nuid 1 %s %s\ngid 0 %s 1\ngid 1 %s %s' \
		"$(id -u)" "$us" "$uc" "$(id -g)" "$gs" "$gc")"
	[ -z "$stderr" ] || { echo "expected no stderr"; show_run; false; }
}

@test "without a subordinate range: a single-uid map and one warning line" {
	nosubids_or_skip
	run_holt run --rm "$IMG" holt-test-tool uidmap
	check_status 0
	check_output "$(printf 'uid 0 %s 1\ngid 0 %s 1' "$(id -u)" "$(id -g)")"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ] || { echo "expected one stderr line"; show_run; false; }
	check_stderr_matches "$NOSUB_WARNING_RE"
}

@test "without a subordinate range: import warns once too" {
	nosubids_or_skip
	run_holt import "$HOLT_FIXTURES/rootfs.tar" warn:1
	check_status 0
	[ "$(grep -c . <<<"$stderr")" -eq 1 ] || { show_run; false; }
	check_stderr_matches "$NOSUB_WARNING_RE"
	holt rmi warn:1 >/dev/null 2>&1
}

@test "root in the container is the user outside: uid 0, files it creates are the user's" {
	run_holt run --rm "$IMG" sh -c 'id -u; echo x > /tmp/mine; holt-test-tool owner /tmp/mine'
	check_status 0
	check_output "$(printf '0\n0:0 0644 /tmp/mine')"
}

@test "owners of layer files inside: 1000 stays 1000 with a range" {
	subids_or_skip
	run_holt run --rm "$IMG" holt-test-tool owner /home/tester/owned /home/tester/owned/file \
		/bin/busybox /etc/passwd
	check_status 0
	check_output "$(printf '%s\n' '1000:1000 0755 /home/tester/owned' \
		'1000:1000 0640 /home/tester/owned/file' '0:0 0755 /bin/busybox' \
		'0:0 0644 /etc/passwd')"
}

@test "owners of layer files inside: every owner collapses to root without a range" {
	nosubids_or_skip
	run_holt run --rm "$IMG" holt-test-tool owner /home/tester/owned /home/tester/owned/file \
		/bin/busybox
	check_status 0
	check_output "$(printf '%s\n' '0:0 0755 /home/tester/owned' \
		'0:0 0640 /home/tester/owned/file' '0:0 0755 /bin/busybox')"
}

@test "the setuid bit of a layer file is kept" {
	run_holt run --rm "$IMG" holt-test-tool owner /bin/suidfile
	check_status 0
	check_output "0:0 4755 /bin/suidfile"
}

@test "modes of layer files are kept: sticky /tmp, non-executable /bin/notexec" {
	run_holt run --rm "$IMG" holt-test-tool owner /tmp /bin/notexec
	check_status 0
	check_output "$(printf '0:0 1777 /tmp\n0:0 0644 /bin/notexec')"
}

@test "on disk, the layer was unpacked through the map: 1000 is range start + 999" {
	subids_or_skip
	local us gs f
	read -r us _ <<<"$(subid_range)"
	read -r gs _ <<<"$(subid_range -g)"
	f=$(find "$HOLT_ROOT/layers" -path '*/home/tester/owned/file' 2>/dev/null | head -1)
	[ -n "$f" ] || { echo "no unpacked /home/tester/owned/file under layers/"; false; }
	[ "$(stat -c %u:%g "$f")" = "$((us + 999)):$((gs + 999))" ] ||
		{ echo "owner $(stat -c %u:%g "$f"), want $((us + 999)):$((gs + 999))"; false; }
	f=$(find "$HOLT_ROOT/layers" -path '*/bin/busybox' | head -1)
	[ "$(stat -c %u:%g "$f")" = "$(id -u):$(id -g)" ] || { stat "$f"; false; }
}

@test "on disk, without a range every layer file is the user's" {
	nosubids_or_skip
	local n
	n=$(find "$HOLT_ROOT/layers" ! -user "$(id -u)" 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] || { find "$HOLT_ROOT/layers" ! -user "$(id -u)" | head; false; }
	[ -n "$(find "$HOLT_ROOT/layers" -path '*/home/tester/owned/file')" ]
}

@test "the container cannot gain privilege: setgroups and unmapped ids fail" {
	local unmapped=1
	has_subids && unmapped=$(($(subid_range | awk '{ print $2 }') + 1))
	run_holt run --rm "$IMG" sh -c 'cat /proc/self/setgroups 2>/dev/null || echo none
		holt-test-tool setuid '"$unmapped"'; holt-test-tool setgroups '"$unmapped"'; true'
	check_status 0
	if has_subids; then
		check_output "allow
setuid $unmapped: EINVAL
setgroups $unmapped: EINVAL"
	else
		check_output "deny
setuid $unmapped: EINVAL
setgroups $unmapped: EPERM"
	fi
}

@test "the container's root cannot do what needs real root: no block devices" {
	run_holt run --rm "$IMG" sh -c 'mknod /tmp/sda b 8 0 2>/dev/null && echo made || echo refused'
	check_status 0
	check_output "refused"
}

@test "the process that holds the namespace shows as holt-pause, not as the command it came from" {
	local pid
	holt run --rm "$IMG" true
	pid=$(head -1 "$HOLT_RUNROOT/pause.pid")
	[ "$(cat "/proc/$pid/comm")" = holt-pause ] || { cat "/proc/$pid/comm"; false; }
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ *$//')" = holt-pause ] ||
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; false; }
}

# gone PID: true once PID has ended (a zombie counts as ended), within 2 s.
gone()
{
	local i state
	for i in $(seq 40); do
		state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$state" != Z ] || return 0
		sleep 0.05
	done
	return 1
}

@test "the holt-pause process ends once its runroot is gone, moved, or names another process" {
	local runroot=$BATS_TEST_TMPDIR/rr pid
	holt --runroot "$runroot" run --rm "$IMG" true
	pid=$(head -1 "$runroot/pause.pid")
	rm -rf "$runroot"
	gone "$pid" || { echo "pause process $pid outlived its runroot"; false; }

	holt --runroot "$runroot" run --rm "$IMG" true
	pid=$(head -1 "$runroot/pause.pid")
	holt --runroot "$runroot" run --rm "$IMG" true
	[ "$(head -1 "$runroot/pause.pid")" = "$pid" ] || { echo "a second run made a second pause"; false; }
	kill -0 "$pid" || { echo "the pause process $pid ended while still recorded"; false; }
	mv "$runroot" "$runroot.moved"
	gone "$pid" || { echo "pause process $pid outlived the move of its runroot"; false; }

	holt --runroot "$runroot" run --rm "$IMG" true
	pid=$(head -1 "$runroot/pause.pid")
	echo 1 >"$runroot/pause.pid.new"
	mv "$runroot/pause.pid.new" "$runroot/pause.pid"
	gone "$pid" || { echo "pause process $pid outlived a record naming another"; false; }
}
